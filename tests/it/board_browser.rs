//! The board in a real browser: Debian's chromium driven by playwright-core
//! (`tests/browser/driver.mjs`, through `common::browser`). The page that
//! `git task board -o FILE` writes is opened from the disk and must agree
//! with the CLI's JSON answers: the kanban's counts with `list --all`, the
//! highlighted path with `critical-path`, a label filter with `list
//! --label`, the detail panel with the task's file; and it must make no
//! request at all. `git task serve` must show a change made on the command
//! line within 2 seconds, and with `--write` its "done" button must change
//! the file exactly as `git task done` does, while a post without the
//! process's token is refused. Screenshots of five shapes of plan are kept
//! in `target/board-screenshots/` (CI artifacts, tests/browser/README.md).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use serde_json::{Value, json};

use crate::common::TestEnv;
use crate::common::browser::{Browser, screenshot_dir};

/// The kanban's columns, as `data-state` names them.
const STATES: [&str; 5] = [
    "pending",
    "blocked",
    "in_progress",
    "completed",
    "cancelled",
];

/// The state a task's card is in, from its `list --json` object: what
/// `git task list` shows (a task waiting for something open is blocked,
/// even when someone started it with `--force`).
fn state_of(task: &Value) -> &str {
    let status = task["status"].as_str().unwrap();
    let resolved = status == "completed" || status == "cancelled";
    if !resolved && task["blocked"] == true {
        "blocked"
    } else {
        status
    }
}

/// A repository with tasks in every state: done (with met criteria and a
/// note), in progress, in progress but blocked (started with --force),
/// ready, blocked, cancelled, overdue; an epic, a gate, labels and owners.
fn every_state() -> TestEnv {
    let env = TestEnv::new();
    let add = |args: &[&str]| {
        env.add(args);
    };
    add(&["Release 1.0", "--id", "release", "--kind", "epic"]);
    add(&[
        "Design the API",
        "--id",
        "design",
        "-l",
        "ui",
        "--owner",
        "ana@example.com",
        "-e",
        "1d",
        "--criteria",
        "endpoints listed",
        "--criteria",
        "reviewed",
    ]);
    env.task(&["criteria", "design", "--met", "1", "2"]).ok();
    env.task(&["note", "design", "agreed with the team"]).ok();
    env.done("design");
    add(&[
        "Build the API",
        "--id",
        "api",
        "--parent",
        "release",
        "--after",
        "design",
        "-e",
        "2d",
        "-l",
        "backend",
    ]);
    env.task(&["start", "api", "--owner", "bob@example.com"])
        .ok();
    add(&[
        "Build the screens",
        "--id",
        "screens",
        "--parent",
        "release",
        "--after",
        "design",
        "-e",
        "1d",
        "-l",
        "ui",
        "-p",
        "high",
    ]);
    add(&[
        "Write the docs",
        "--id",
        "docs",
        "--after",
        "api",
        "-e",
        "4h",
        "-l",
        "docs",
    ]);
    add(&[
        "Wire the screens to the API",
        "--id",
        "wire",
        "--parent",
        "release",
        "--after",
        "api",
        "screens",
        "-e",
        "1d",
        "-l",
        "ui",
        "-l",
        "backend",
        "-d",
        "Every screen calls the real endpoint.",
        "--criteria",
        "no mock left",
        "--criteria",
        "errors shown",
    ]);
    env.task(&["note", "wire", "mock server kept for the demo"])
        .ok();
    add(&[
        "Ship it",
        "--id",
        "ship",
        "--gate",
        "--after",
        "wire",
        "docs",
        "--criteria",
        "smoke test passed",
    ]);
    add(&[
        "Try a cache",
        "--id",
        "spike",
        "-l",
        "backend",
        "--due",
        "2026-11-01",
        "-e",
        "4h",
    ]);
    add(&["Old idea", "--id", "old"]);
    env.task(&["cancel", "old"]).ok();
    add(&[
        "Hurry the metrics",
        "--id",
        "metrics",
        "--after",
        "api",
        "-e",
        "2h",
    ]);
    env.task(&["start", "metrics", "--force", "--owner", "cy@example.com"])
        .ok();
    // Committed, so that each task has a history in git to show.
    env.commit_at(&env.repo, "2026-11-21T10:00:00Z", "plan the release");
    env
}

/// `list --all --json` of `env`'s tasks, with `extra` flags.
fn listed(env: &TestEnv, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["list", "--all", "--json"];
    args.extend_from_slice(extra);
    env.task(&args).json()["tasks"].as_array().unwrap().clone()
}

/// The ids on the critical path, in order, as the CLI gives them.
fn critical_path(env: &TestEnv) -> Vec<String> {
    TestEnv::ids_of(&env.task(&["critical-path", "--json"]).json()["path"])
}

/// Writes the static board of `env` and returns its path.
fn board_file(env: &TestEnv) -> PathBuf {
    let file = env.dir.path().join("board.html");
    env.task(&["board", "-o", file.to_str().unwrap()]).ok();
    file
}

/// The steps that open `target` and wait for the first render.
fn open(target: &str) -> Vec<Value> {
    vec![
        json!({"open": target}),
        json!({"wait": "body[data-ready=true]", "state": "attached"}),
    ]
}

/// A JS expression: the ids (`data-id`) of the elements matching `sel`.
fn ids_js(sel: &str) -> String {
    format!(
        "[...document.querySelectorAll({})].map(e => e.dataset.id)",
        serde_json::to_string(sel).unwrap()
    )
}

/// A JS expression: the ids of the cards a person can see.
const VISIBLE_CARDS: &str = "[...document.querySelectorAll('#tab-board .card')].filter(c => c.checkVisibility()).map(c => c.dataset.id)";

/// The steps that record the kanban as it is drawn: each column's count
/// text (`counts`) and the ids of its cards (`cards`).
fn record_kanban() -> Vec<Value> {
    vec![
        json!({"eval": "Object.fromEntries([...document.querySelectorAll('#tab-board .column[data-state]')].map(c => [c.dataset.state, c.querySelector('.count').textContent.trim()]))", "as": "counts"}),
        json!({"eval": "Object.fromEntries([...document.querySelectorAll('#tab-board .column[data-state]')].map(c => [c.dataset.state, [...c.querySelectorAll('.card')].map(e => e.dataset.id)]))", "as": "cards"}),
    ]
}

fn sorted(ids: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.into_iter().collect();
    ids.sort();
    ids
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

/// The harness itself: a page of its own that loads an image from the
/// disk, an inline one and fetches a URL is seen to make exactly the two
/// requests that are not `data:`, and the values and times steps record
/// come back.
#[test]
fn the_driver_logs_every_request_and_records_values() {
    let Some(browser) = Browser::find("the browser driver") else {
        return;
    };
    let env = TestEnv::new();
    let page = env.dir.path().join("page.html");
    std::fs::write(env.dir.path().join("dot.png"), b"not really a png").unwrap();
    std::fs::write(
        &page,
        r#"<!doctype html><body><img src="dot.png"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input id="search"><p id="echo"></p>
<script>
document.getElementById('search').addEventListener('input', e => {
  document.getElementById('echo').textContent = e.target.value;
  document.body.dataset.version = String(Number(document.body.dataset.version) + 1);
});
document.body.dataset.version = '0';
document.body.dataset.ready = 'true';
</script>"#,
    )
    .unwrap();
    let mut steps = open(page.to_str().unwrap());
    steps.extend([
        json!({"eval": "document.body.dataset.version", "as": "v0"}),
        json!({"fill": "#search", "value": "hello"}),
        json!({"wait_for": "document.body.dataset.version !== values.v0"}),
        json!({"eval": "document.getElementById('echo').textContent", "as": "echo"}),
        json!({"eval": "fetch('http://127.0.0.1:9/nothing').then(() => 'answered', () => 'refused')", "as": "fetch"}),
        json!({"run": ["git", "task", "add", "From the driver", "--id", "driven"], "as": "add"}),
    ]);
    let seen = browser.run(&env, &json!({"steps": steps}));
    assert_eq!(seen.value("echo"), "hello");
    assert_eq!(seen.value("fetch"), "refused");
    let requests = seen.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests[0].starts_with("file://") && requests[0].ends_with("/dot.png"),
        "{requests:?}"
    );
    assert_eq!(requests[1], "http://127.0.0.1:9/nothing");
    // A `run` step runs in the repository with the test's environment.
    assert_eq!(seen.value("add")["code"], 0, "{}", seen.value("add"));
    assert!(env.tasks_dir().join("driven.toml").exists());
    assert!(seen.step_ms(0) > 0.0);
}

/// A step that fails stops the scenario and says which one it was.
#[test]
fn the_driver_reports_the_step_that_failed() {
    let Some(browser) = Browser::find("the browser driver") else {
        return;
    };
    let env = TestEnv::new();
    let page = env.dir.path().join("page.html");
    std::fs::write(&page, "<!doctype html><body><p id=here>here</p>").unwrap();
    let seen = browser.try_run(
        &env,
        &json!({"steps": [
            {"open": page},
            {"wait": "#here"},
            {"wait": "#not-here", "timeout": 200},
            {"eval": "1", "as": "never"},
        ]}),
    );
    assert_eq!(seen.json["ok"], false);
    assert_eq!(seen.json["error"]["step"], 2, "{}", seen.json);
    assert!(seen.json["values"].get("never").is_none());
    let page_error = browser.try_run(
        &env,
        &json!({"steps": [{"open": page}, {"eval": "setTimeout(() => { throw new Error('boom') }, 0)"}, {"sleep": 100}]}),
    );
    assert!(
        page_error.page_errors().iter().any(|e| e.contains("boom")),
        "{}",
        page_error.json
    );
}

#[test]
fn the_kanban_counts_what_list_counts() {
    let Some(browser) = Browser::find("the board's kanban in chromium") else {
        return;
    };
    let env = every_state();
    let board = board_file(&env);
    let mut steps = open(board.to_str().unwrap());
    steps.extend(record_kanban());
    // What three cards say beside their subject.
    for id in ["spike", "screens", "api"] {
        steps.push(json!({"eval": format!(
            "[...document.querySelectorAll('#tab-board .card[data-id=\"{id}\"] .tag')].map(t => t.textContent)"
        ), "as": format!("tags_{id}")}));
    }
    // What each tab shows a person, to hold it to having no "null".
    for tab in ["board", "graph", "schedule", "gates"] {
        steps.push(json!({"click": format!("button.tab[data-tab=\"{tab}\"]")}));
        steps.push(json!({"wait": format!("#tab-{tab}")}));
        steps.push(json!({"eval": "document.body.innerText", "as": format!("text_{tab}")}));
    }
    let seen = browser.run(&env, &json!({"steps": steps}));
    for tab in ["board", "graph", "schedule", "gates"] {
        let text = seen
            .value(&format!("text_{tab}"))
            .as_str()
            .unwrap()
            .to_owned();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            assert!(
                !["null", "undefined", "NaN"].contains(&word),
                "the {tab} tab shows {word:?}:\n{text}"
            );
        }
    }

    // Owner, priority, estimate, labels, and a due date past today.
    assert_eq!(
        strings(seen.value("tags_spike")),
        ["4h", "overdue 2026-11-01", "#backend"]
    );
    assert_eq!(strings(seen.value("tags_screens")), ["high", "1d", "#ui"]);
    assert_eq!(
        strings(seen.value("tags_api")),
        ["2d", "@bob@example.com", "#backend"]
    );

    let mut want: BTreeMap<&str, Vec<String>> = STATES.iter().map(|s| (*s, vec![])).collect();
    let tasks = listed(&env, &[]);
    for task in &tasks {
        want.get_mut(state_of(task))
            .unwrap()
            .push(task["id"].as_str().unwrap().to_owned());
    }
    // The repository has a task in every column, or the test proves less.
    assert!(want.values().all(|ids| !ids.is_empty()), "{want:?}");
    for state in STATES {
        assert_eq!(
            seen.value("counts")[state],
            want[state].len().to_string(),
            "the count of column {state}"
        );
        assert_eq!(
            sorted(strings(&seen.value("cards")[state])),
            sorted(want[state].clone()),
            "the cards of column {state}"
        );
    }
    assert_eq!(seen.page_errors(), Vec::<String>::new());
}

#[test]
fn clicking_a_card_opens_its_details() {
    let Some(browser) = Browser::find("the board's detail panel in chromium") else {
        return;
    };
    let env = every_state();
    let board = board_file(&env);
    let mut steps = open(board.to_str().unwrap());
    steps.extend([
        json!({"wait": "aside#detail", "state": "hidden"}),
        json!({"click": "#tab-board .card[data-id=\"wire\"]"}),
        json!({"wait": "aside#detail[data-id=\"wire\"]:not([hidden])"}),
        json!({"eval": "document.querySelector('aside#detail').dataset.id", "as": "id"}),
        json!({"eval": "document.querySelector('#detail .subject').textContent", "as": "subject"}),
        json!({"eval": "document.querySelector('#detail .description').textContent", "as": "description"}),
        json!({"eval": "[...document.querySelectorAll('#detail .criteria li')].map(li => [li.dataset.index, li.classList.contains('met'), li.textContent])", "as": "criteria"}),
        json!({"eval": "[...document.querySelectorAll('#detail .notes li')].map(li => li.textContent)", "as": "notes"}),
        json!({"eval": ids_js("#detail .waits-for [data-id]"), "as": "waits_for"}),
        json!({"eval": ids_js("#detail .blocks [data-id]"), "as": "blocks"}),
        // The close button hides the panel; another card opens it again.
        json!({"click": "#detail button.close"}),
        json!({"wait": "aside#detail", "state": "hidden"}),
        json!({"click": "#tab-board .card[data-id=\"design\"]"}),
        json!({"wait": "aside#detail[data-id=\"design\"]:not([hidden])"}),
        json!({"eval": "[...document.querySelectorAll('#detail .criteria li')].map(li => li.classList.contains('met'))", "as": "design_met"}),
        json!({"eval": "[...document.querySelectorAll('#detail .history li')].length", "as": "design_history"}),
    ]);
    let seen = browser.run(&env, &json!({"steps": steps}));

    let shown = env.task(&["show", "wire", "--json"]).json();
    assert_eq!(seen.value("id"), "wire");
    assert!(
        seen.value("subject")
            .as_str()
            .unwrap()
            .contains(shown["task"]["subject"].as_str().unwrap()),
        "{}",
        seen.value("subject")
    );
    assert!(
        seen.value("description")
            .as_str()
            .unwrap()
            .contains("Every screen calls the real endpoint."),
        "{}",
        seen.value("description")
    );
    let criteria = seen.value("criteria").as_array().unwrap().clone();
    assert_eq!(criteria.len(), 2, "{criteria:?}");
    for (n, (c, text)) in criteria
        .iter()
        .zip(["no mock left", "errors shown"])
        .enumerate()
    {
        assert_eq!(c[0], (n + 1).to_string(), "data-index of {c}");
        assert_eq!(c[1], false, "an unmet criterion is not .met: {c}");
        assert!(c[2].as_str().unwrap().contains(text), "{c}");
    }
    assert_eq!(seen.value("design_met"), &json!([true, true]));
    assert!(
        seen.value("design_history").as_u64().unwrap() >= 1,
        "the commit that added design is in its history"
    );
    let notes = strings(seen.value("notes"));
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("mock server kept for the demo"),
        "{notes:?}"
    );
    assert_eq!(
        sorted(strings(seen.value("waits_for"))),
        vec!["api", "screens"]
    );
    assert_eq!(strings(seen.value("blocks")), vec!["ship"]);
    assert_eq!(seen.page_errors(), Vec::<String>::new());
}

#[test]
fn the_highlighted_path_is_the_critical_path() {
    let Some(browser) = Browser::find("the board's critical path in chromium") else {
        return;
    };
    let env = every_state();
    let board = board_file(&env);
    let mut steps = open(board.to_str().unwrap());
    steps.extend([
        json!({"click": "button.tab[data-tab=\"graph\"]"}),
        json!({"wait": "#tab-graph svg.task-graph"}),
        json!({"eval": ids_js("#tab-graph svg.task-graph .node.critical"), "as": "nodes"}),
        json!({"eval": ids_js("#critical-path li[data-id]"), "as": "list"}),
        json!({"eval": "[...document.querySelectorAll('#tab-graph svg.task-graph .edge.critical')].map(e => [e.dataset.from, e.dataset.to])", "as": "edges"}),
    ]);
    let seen = browser.run(&env, &json!({"steps": steps}));

    let path = critical_path(&env);
    assert!(path.len() >= 3, "a path worth checking: {path:?}");
    assert_eq!(strings(seen.value("list")), path, "#critical-path li");
    assert_eq!(
        sorted(strings(seen.value("nodes"))),
        sorted(path.clone()),
        ".node.critical"
    );
    // Every critical edge joins two consecutive tasks of the path.
    let pairs: BTreeSet<(String, String)> = path
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect();
    for edge in seen.value("edges").as_array().unwrap() {
        let pair = (
            edge[0].as_str().unwrap().to_owned(),
            edge[1].as_str().unwrap().to_owned(),
        );
        assert!(pairs.contains(&pair), "{pair:?} is not on {path:?}");
    }
    assert_eq!(seen.page_errors(), Vec::<String>::new());
}

#[test]
fn the_owner_kind_and_state_filters_and_the_search_leave_what_the_cli_names() {
    let Some(browser) = Browser::find("the board's filters in chromium") else {
        return;
    };
    let env = every_state();
    let board = board_file(&env);
    let mut steps = open(board.to_str().unwrap());
    // Each filter alone, recorded, then undone.
    for (select, value, name) in [
        ("select#filter-owner", "bob@example.com", "owner"),
        ("select#filter-kind", "epic", "kind"),
        ("select#filter-state", "blocked", "state"),
    ] {
        steps.extend([
            json!({"eval": "document.body.dataset.version", "as": format!("{name}_v0")}),
            json!({"select": select, "value": value}),
            json!({"wait_for": format!("document.body.dataset.version !== values.{name}_v0")}),
            json!({"eval": VISIBLE_CARDS, "as": name}),
            json!({"eval": "document.body.dataset.version", "as": format!("{name}_v1")}),
            json!({"select": select, "value": ""}),
            json!({"wait_for": format!("document.body.dataset.version !== values.{name}_v1")}),
        ]);
    }
    steps.extend([
        json!({"fill": "input#search", "value": "screens"}),
        json!({"wait_for": format!("{VISIBLE_CARDS}.length < {}", listed(&env, &[]).len())}),
        json!({"eval": VISIBLE_CARDS, "as": "search"}),
    ]);
    let seen = browser.run(&env, &json!({"steps": steps}));

    let ids = |extra: &[&str]| sorted(TestEnv::ids_of(&Value::Array(listed(&env, extra))));
    assert_eq!(
        sorted(strings(seen.value("owner"))),
        ids(&["--owner", "bob@example.com"])
    );
    assert_eq!(
        sorted(strings(seen.value("kind"))),
        ids(&["--kind", "epic"])
    );
    let data = env.task(&["board", "--json"]).json();
    let blocked: Vec<String> = data["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["state"] == "blocked")
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!blocked.is_empty());
    assert_eq!(sorted(strings(seen.value("state"))), sorted(blocked));
    // The search matches the id, the subject and the description.
    let matching: Vec<String> = listed(&env, &[])
        .iter()
        .filter(|t| {
            ["id", "subject", "description"].iter().any(|f| {
                t[f].as_str()
                    .is_some_and(|v| v.to_lowercase().contains("screens"))
            })
        })
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sorted(strings(seen.value("search"))), sorted(matching));
    assert_eq!(seen.page_errors(), Vec::<String>::new());
}

#[test]
fn a_label_filter_leaves_exactly_the_labelled_tasks() {
    let Some(browser) = Browser::find("the board's filters in chromium") else {
        return;
    };
    let env = every_state();
    let board = board_file(&env);
    let mut steps = open(board.to_str().unwrap());
    steps.extend([
        json!({"eval": VISIBLE_CARDS, "as": "before"}),
        json!({"eval": "document.body.dataset.version", "as": "v0"}),
        json!({"select": "select#filter-label", "value": "ui"}),
        json!({"wait_for": "document.body.dataset.version !== values.v0"}),
        json!({"eval": VISIBLE_CARDS, "as": "ui"}),
        json!({"eval": ids_js("#tab-graph svg.task-graph .node.dimmed"), "as": "dimmed"}),
        json!({"eval": ids_js("#tab-graph svg.task-graph .node:not(.dimmed)"), "as": "lit"}),
    ]);
    steps.extend(record_kanban());
    steps.extend([
        json!({"eval": "document.body.dataset.version", "as": "v1"}),
        json!({"select": "select#filter-label", "value": ""}),
        json!({"wait_for": "document.body.dataset.version !== values.v1"}),
        json!({"eval": VISIBLE_CARDS, "as": "after"}),
    ]);
    let seen = browser.run(&env, &json!({"steps": steps}));

    let all = sorted(TestEnv::ids_of(&Value::Array(listed(&env, &[]))));
    let ui = sorted(TestEnv::ids_of(&Value::Array(listed(&env, &["-l", "ui"]))));
    assert!(ui.len() >= 3 && ui.len() < all.len(), "{ui:?} of {all:?}");
    assert_eq!(sorted(strings(seen.value("before"))), all);
    assert_eq!(
        sorted(strings(seen.value("ui"))),
        ui,
        "cards left by label ui"
    );
    let total: usize = STATES
        .iter()
        .map(|s| {
            seen.value("counts")[s]
                .as_str()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(total, ui.len(), "the counts after the filter");
    // The graph dims what does not match and nothing that does.
    for id in strings(seen.value("dimmed")) {
        assert!(!ui.contains(&id), "{id} has the label but is dimmed");
    }
    for id in strings(seen.value("lit")) {
        assert!(ui.contains(&id), "{id} lacks the label but is not dimmed");
    }
    assert_eq!(
        sorted(strings(seen.value("after"))),
        all,
        "the filter undone"
    );
    assert_eq!(seen.page_errors(), Vec::<String>::new());
}

#[test]
fn the_static_board_makes_no_request() {
    let Some(browser) = Browser::find("the board's network log in chromium") else {
        return;
    };
    let env = every_state();
    let board = board_file(&env);
    let html = std::fs::read_to_string(&board).unwrap();
    assert!(
        !html.contains("id=\"board-live\""),
        "no live data in a file"
    );
    let mut steps = open(board.to_str().unwrap());
    // Everything a person would touch: every tab, a card, the filters.
    for tab in ["graph", "schedule", "gates", "board"] {
        steps.push(json!({"click": format!("button.tab[data-tab=\"{tab}\"]")}));
        steps.push(json!({"wait": format!("section#tab-{tab}")}));
    }
    steps.extend([
        json!({"click": "#tab-board .card[data-id=\"api\"]"}),
        json!({"wait": "aside#detail[data-id=\"api\"]:not([hidden])"}),
        json!({"fill": "input#search", "value": "screens"}),
        json!({"select": "select#filter-owner", "value": "bob@example.com"}),
        json!({"select": "select#filter-kind", "value": "epic"}),
        json!({"select": "select#filter-state", "value": "blocked"}),
        json!({"sleep": 300}),
    ]);
    let seen = browser.run(&env, &json!({"steps": steps}));
    assert_eq!(seen.requests(), Vec::<String>::new(), "requests made");
    assert_eq!(seen.page_errors(), Vec::<String>::new());
}

/// A running `git task serve`, stopped when dropped.
struct Serve {
    child: Child,
    url: String,
    port: u16,
}

impl Serve {
    fn start(env: &TestEnv, args: &[&str]) -> Serve {
        let mut child = env
            .git_task_cmd()
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start git task serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("serving the board on ")
            .map(str::to_owned)
            .unwrap_or_else(|| {
                let _ = child.kill();
                let mut err = String::new();
                child.stderr.take().unwrap().read_to_string(&mut err).ok();
                panic!("serve's first line is {line:?}; stderr: {err}")
            });
        let port = url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .unwrap()
            .parse()
            .expect("a port");
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Serve { child, url, port }
    }

    /// A raw HTTP/1.1 POST to `path`, with `headers`: the status code.
    fn post(&self, path: &str, headers: &[(&str, &str)], body: &str) -> u16 {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.port,
            body.len()
        );
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok();
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Three ready tasks, one of which another waits for: the same files in
/// every repository it is made in, since the ids are given.
fn small_plan(env: &TestEnv) {
    env.add(&["Pick the colours", "--id", "colours", "-e", "2h"]);
    env.add(&["Draw the logo", "--id", "logo", "-e", "4h", "-l", "ui"]);
    env.add(&[
        "Print the cards",
        "--id",
        "cards",
        "--after",
        "colours",
        "logo",
    ]);
}

#[test]
fn serve_shows_a_change_from_the_command_line_within_two_seconds() {
    let Some(browser) = Browser::find("serve's live updates in chromium") else {
        return;
    };
    let env = TestEnv::new();
    small_plan(&env);
    let serve = Serve::start(&env, &[]);
    let mut steps = open(&serve.url);
    steps.extend([
        json!({"wait": ".column[data-state=\"pending\"] .card[data-id=\"colours\"]", "state": "attached"}),
        json!({"eval": "document.body.dataset.version", "as": "v0"}),
        json!({"run": ["git", "task", "done", "colours"], "as": "done"}),
        // Index 5: the wait measured below.
        json!({
            "wait_for": "document.body.dataset.version !== values.v0 && document.querySelector('.column[data-state=\"completed\"] .card[data-id=\"colours\"]') !== null && document.querySelector('.column[data-state=\"pending\"] .card[data-id=\"colours\"]') === null",
            "timeout": 2000,
            "polling": 50,
        }),
        json!({"eval": "document.querySelector('#tab-board .column[data-state=\"completed\"] .count').textContent.trim()", "as": "completed"}),
        json!({"eval": "document.getElementById('board-live') && JSON.parse(document.getElementById('board-live').textContent)", "as": "live"}),
    ]);
    let seen = browser.run(&env, &json!({"steps": steps}));
    assert_eq!(seen.value("done")["code"], 0, "{}", seen.value("done"));
    assert!(seen.step_ms(5) < 2000.0, "{} ms", seen.step_ms(5));
    assert_eq!(seen.value("completed"), "1");
    let live = seen.value("live");
    assert_eq!(live["write"], false, "{live}");
    assert!(live.get("token").is_none_or(Value::is_null), "{live}");
    // The page talks to its own origin only.
    for url in seen.requests() {
        assert!(url.starts_with(&serve.url), "{url}");
    }
    assert_eq!(seen.page_errors(), Vec::<String>::new());

    // Read-only: a post is refused whatever it carries.
    let before = env.snapshot();
    let code = serve.post(
        "/api/done",
        &[("X-Git-Task-Token", "0")],
        r#"{"id":"logo"}"#,
    );
    assert!(code == 403 || code == 405, "{code}");
    assert_eq!(env.snapshot(), before);
}

#[test]
fn done_from_the_page_changes_the_file_as_the_cli_does() {
    let Some(browser) = Browser::find("serve --write in chromium") else {
        return;
    };
    let page = TestEnv::new();
    small_plan(&page);
    let cli = TestEnv::new();
    small_plan(&cli);
    assert_eq!(
        page.snapshot(),
        cli.snapshot(),
        "two identical repositories"
    );

    let serve = Serve::start(&page, &["--write"]);
    let post = |token: Option<&str>| {
        let headers = match token {
            Some(t) => format!(
                ", headers: {{'Content-Type': 'application/json', 'X-Git-Task-Token': '{t}'}}"
            ),
            None => ", headers: {'Content-Type': 'application/json'}".into(),
        };
        format!(
            "fetch('/api/done', {{method: 'POST'{headers}, body: JSON.stringify({{id: 'logo'}})}}).then(r => r.status)"
        )
    };
    let mut steps = open(&serve.url);
    steps.extend([
        json!({"eval": "JSON.parse(document.getElementById('board-live').textContent)", "as": "live"}),
        // Refused first: without the token and with a wrong one.
        json!({"eval": post(None), "as": "no_token"}),
        json!({"eval": post(Some("00000000000000000000000000000000")), "as": "wrong_token"}),
        json!({"click": "#tab-board .card[data-id=\"colours\"]"}),
        json!({"wait": "aside#detail[data-id=\"colours\"]:not([hidden])"}),
        json!({"click": "#detail button[data-action=\"done\"]"}),
        json!({"wait": ".column[data-state=\"completed\"] .card[data-id=\"colours\"]", "state": "attached", "timeout": 5000}),
    ]);
    let seen = browser.run(&page, &json!({"steps": steps}));
    let live = seen.value("live");
    assert_eq!(live["write"], true, "{live}");
    let token = live["token"].as_str().expect("a token in write mode");
    assert!(token.len() >= 32, "128 bits: {token}");
    assert_eq!(seen.value("no_token"), 403);
    assert_eq!(seen.value("wrong_token"), 403);
    assert_eq!(seen.page_errors(), Vec::<String>::new());

    cli.done("colours");
    assert_eq!(
        std::fs::read(page.tasks_dir().join("colours.toml")).unwrap(),
        std::fs::read(cli.tasks_dir().join("colours.toml")).unwrap(),
        "the file the page's done wrote"
    );
    // Nothing else changed: logo was refused twice.
    assert_eq!(page.snapshot(), cli.snapshot());

    // Raw HTTP without the token, or from another origin, is refused too.
    let body = r#"{"id":"logo"}"#;
    assert_eq!(serve.post("/api/done", &[], body), 403);
    assert_eq!(
        serve.post(
            "/api/done",
            &[
                ("X-Git-Task-Token", token),
                ("Origin", "http://evil.example")
            ],
            body
        ),
        403
    );
    assert_eq!(page.snapshot(), cli.snapshot());
    // With it, the same post goes through, as `git task done` would.
    assert_eq!(
        serve.post("/api/done", &[("X-Git-Task-Token", token)], body),
        200
    );
    cli.done("logo");
    assert_eq!(page.snapshot(), cli.snapshot());
}

/// The five shapes of plan the screenshots show, each built with the
/// commands a person would use.
fn pattern(name: &str) -> TestEnv {
    let env = TestEnv::new();
    let add = |args: &[&str]| {
        env.add(args);
    };
    match name {
        "sequential" => {
            let steps = ["spec", "schema", "migrate", "backfill", "switch", "cleanup"];
            for (i, id) in steps.iter().enumerate() {
                let subject = format!("Step {}: {id}", i + 1);
                let mut args = vec![subject.as_str(), "--id", id, "-e", "1d"];
                if i > 0 {
                    args.extend(["--after", steps[i - 1]]);
                }
                add(&args);
            }
            env.done("spec");
            env.task(&["start", "schema"]).ok();
        }
        "parallel" => {
            for track in ["web", "ios", "android"] {
                let mut last: Option<String> = None;
                for (step, estimate) in [("design", "4h"), ("build", "2d"), ("test", "1d")] {
                    let id = format!("{track}-{step}");
                    let subject = format!("{track}: {step}");
                    let mut args = vec![subject.as_str(), "--id", &id, "-e", estimate, "-l", track];
                    if let Some(prev) = &last {
                        args.extend(["--after", prev.as_str()]);
                    }
                    add(&args);
                    last = Some(id);
                }
            }
            env.done("web-design");
        }
        "fan-out" => {
            add(&["Search, the epic", "--id", "search", "--kind", "epic"]);
            add(&[
                "Design the index",
                "--id",
                "index",
                "--parent",
                "search",
                "-e",
                "1d",
            ]);
            for (id, est) in [
                ("tokenizer", "4h"),
                ("ranking", "2d"),
                ("ui", "1d"),
                ("api", "1d"),
                ("metrics", "2h"),
            ] {
                let subject = format!("Search {id}");
                add(&[
                    &subject, "--id", id, "--parent", "search", "--after", "index", "-e", est,
                ]);
            }
            env.done("index");
            env.task(&["start", "ranking"]).ok();
        }
        "fan-in" => {
            let parts = ["auth", "billing", "profile", "settings", "export"];
            for (i, id) in parts.iter().enumerate() {
                let subject = format!("Port {id}");
                let est = ["4h", "1d", "2d", "1d", "6h"][i];
                add(&[&subject, "--id", id, "-e", est]);
            }
            let mut args = vec![
                "Integrate the ports",
                "--id",
                "integrate",
                "-e",
                "1d",
                "--after",
            ];
            args.extend(parts);
            add(&args);
            add(&[
                "Release",
                "--id",
                "release",
                "--after",
                "integrate",
                "-e",
                "2h",
            ]);
            env.done("auth");
            env.task(&["start", "billing"]).ok();
        }
        "pipeline" => {
            let plan = env.dir.path().join("pipeline.toml");
            std::fs::write(
                &plan,
                r#"name = "pipeline"

[tasks.build]
id = "build"
subject = "Build the release"
estimate = "2h"

[tasks.unit]
id = "unit"
subject = "Unit tests"
estimate = "4h"
blocked_by = ["build"]

[tasks.lint]
id = "lint"
subject = "Lint and audit"
estimate = "1h"
blocked_by = ["build"]

[tasks.qa]
id = "qa"
subject = "QA sign-off"
gate = true
blocked_by = ["unit", "lint"]
criteria = ["no open P1", "changelog written"]

[tasks.staging]
id = "staging"
subject = "Deploy to staging"
estimate = "2h"
blocked_by = ["qa"]

[tasks.soak]
id = "soak"
subject = "Soak for a day"
estimate = "1d"
blocked_by = ["staging"]

[tasks.approve]
id = "approve"
subject = "Production approval"
gate = true
blocked_by = ["soak"]
criteria = ["owner approved"]

[tasks.prod]
id = "prod"
subject = "Deploy to production"
estimate = "2h"
blocked_by = ["approve"]
"#,
            )
            .unwrap();
            env.task(&["apply", plan.to_str().unwrap()]).ok();
            env.done("build");
            env.done("lint");
            env.task(&["start", "unit"]).ok();
        }
        _ => unreachable!("{name}"),
    }
    env
}

const PATTERNS: [&str; 5] = ["sequential", "parallel", "fan-out", "fan-in", "pipeline"];

/// Whether `path` is a PNG of some substance.
fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{}",
        path.display()
    );
    assert!(bytes.len() > 5_000, "{} is nearly empty", path.display());
}

#[test]
fn screenshots_of_five_patterns() {
    let Some(browser) = Browser::find("the board's screenshots in chromium") else {
        return;
    };
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for name in PATTERNS {
        let env = pattern(name);
        let board = board_file(&env);
        let mut steps = open(board.to_str().unwrap());
        for tab in ["board", "graph", "schedule"] {
            steps.extend([
                json!({"click": format!("button.tab[data-tab=\"{tab}\"]")}),
                json!({"wait": format!("section#tab-{tab}")}),
                json!({"screenshot": dir.join(format!("{name}-{tab}.png"))}),
            ]);
        }
        steps.extend([
            json!({"click": "button.tab[data-tab=\"gates\"]"}),
            json!({"wait": "section#tab-gates #progress .overall[data-percent]"}),
            json!({"eval": ids_js("#tab-graph svg.task-graph .node"), "as": "nodes"}),
            json!({"eval": ids_js("#critical-path li[data-id]"), "as": "path"}),
            json!({"eval": ids_js("#tab-schedule svg.gantt .bar, #tab-schedule svg.gantt .milestone"), "as": "bars"}),
            json!({"eval": "[...document.querySelectorAll('#tab-gates .branch[data-branch] .gate[data-id]')].map(g => [g.closest('.branch').dataset.branch, g.dataset.id, g.dataset.state])", "as": "gates"}),
        ]);
        let seen = browser.run(&env, &json!({"steps": steps}));
        for tab in ["board", "graph", "schedule"] {
            assert_png(&dir.join(format!("{name}-{tab}.png")));
        }
        // What each picture shows is what the CLI says.
        let open_ids = sorted(TestEnv::ids_of(
            &env.task(&["list", "--json"]).json()["tasks"],
        ));
        let nodes: BTreeSet<String> = strings(seen.value("nodes")).into_iter().collect();
        for id in &open_ids {
            assert!(nodes.contains(id), "{name}: no graph node for {id}");
        }
        assert_eq!(strings(seen.value("path")), critical_path(&env), "{name}");
        let bars: BTreeSet<String> = strings(seen.value("bars")).into_iter().collect();
        for id in &open_ids {
            assert!(bars.contains(id), "{name}: {id} is not in the schedule");
        }
        let mut want_gates = BTreeSet::new();
        for gate in env.task(&["gate", "list", "--json"]).json()["gates"]
            .as_array()
            .unwrap()
        {
            for branch in gate["branches"].as_array().unwrap() {
                want_gates.insert(
                    [branch, &gate["id"], &gate["state"]].map(|v| v.as_str().unwrap().to_owned()),
                );
            }
        }
        let got_gates: BTreeSet<[String; 3]> = seen
            .value("gates")
            .as_array()
            .unwrap()
            .iter()
            .map(|g| [0, 1, 2].map(|i| g[i].as_str().unwrap_or_default().to_owned()))
            .collect();
        assert_eq!(got_gates, want_gates, "{name}: the gates by branch");
        if name == "pipeline" {
            assert_eq!(want_gates.len(), 4, "two gates on main and master");
        }
        assert_eq!(seen.page_errors(), Vec::<String>::new(), "{name}");
    }
}
