//! `git task board`: the page file, its data and where it goes. What the
//! page does in a browser is in `board_browser.rs`.

use crate::common::{Run, TestEnv};

/// A release: an epic of four parts, a gate, and tasks in every state.
fn release() -> TestEnv {
    let env = TestEnv::new();
    let add = |args: &[&str]| env.task(args).ok().to_string();
    add(&["add", "Release 1.0", "--id", "release", "--kind", "epic"]);
    add(&[
        "add",
        "Design the API",
        "--id",
        "design",
        "--parent",
        "release",
        "-e",
        "1d",
        "-l",
        "api",
    ]);
    add(&[
        "add",
        "Build the server",
        "--id",
        "server",
        "--after",
        "design",
        "--parent",
        "release",
        "-e",
        "3d",
        "-l",
        "api",
    ]);
    add(&[
        "add",
        "Build the client",
        "--id",
        "client",
        "--after",
        "design",
        "--parent",
        "release",
        "-e",
        "2d",
    ]);
    add(&[
        "add",
        "Tests pass",
        "--id",
        "tests",
        "--gate",
        "--after",
        "server",
        "--after",
        "client",
        "--criteria",
        "CI green",
    ]);
    add(&[
        "add", "Deploy", "--id", "deploy", "--after", "tests", "-e", "4h",
    ]);
    add(&["add", "Old idea", "--id", "old"]);
    env.task(&["cancel", "old"]).ok();
    env.task(&["start", "design"]).ok();
    env.task(&["done", "design"]).ok();
    env.task(&["start", "server"]).ok();
    env
}

/// The JSON a page carries in its data element.
fn carried(page: &str) -> serde_json::Value {
    let start = r#"<script id="board-data" type="application/json">"#;
    let at = page.find(start).expect("the page carries its data") + start.len();
    let end = page[at..].find("</script>").expect("the data element ends") + at;
    serde_json::from_str(&page[at..end]).expect("the data is JSON")
}

fn ids(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v.as_str()
                .map_or_else(|| v["id"].as_str().unwrap().to_string(), str::to_string)
        })
        .collect()
}

#[test]
fn a_relative_output_is_taken_from_dash_c_as_git_takes_it() {
    let env = release();
    let elsewhere = tempfile::tempdir().unwrap();
    let repo = env.repo.to_str().unwrap();
    let run = env.task_in(
        elsewhere.path(),
        &["-C", repo, "board", "-o", "out/board.html"],
    );
    run.code(0);
    assert_eq!(run.stdout, "wrote the board to out/board.html\n");
    assert!(env.repo.join("out/board.html").is_file());
    assert!(!elsewhere.path().join("out").exists());
}

#[test]
fn the_page_is_written_whole_and_carries_the_boards_data() {
    let env = release();
    let out = env.dir.path().join("site/board.html");
    let run = env.task(&["board", "-o", out.to_str().unwrap()]);
    run.code(0);
    assert_eq!(
        run.stdout,
        format!("wrote the board to {}\n", out.display())
    );
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.starts_with("<!doctype html>"), "{}", &page[..80]);
    let data = carried(&page);
    let board = env.task(&["board", "--json"]).json();
    assert_eq!(data["board"], board);
    assert!(data["graph_svg"].as_str().unwrap().starts_with("<svg"));
    assert!(data["gantt_svg"].as_str().unwrap().starts_with("<svg"));

    // What the board says is what the other commands say.
    let by_state = |state: &str| -> Vec<String> {
        board["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["state"] == state)
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(by_state("pending"), ["client"]);
    assert_eq!(by_state("blocked"), ["deploy", "release", "tests"]);
    assert_eq!(by_state("in_progress"), ["server"]);
    assert_eq!(by_state("completed"), ["design"]);
    assert_eq!(by_state("cancelled"), ["old"]);
    let path = env.task(&["critical-path", "--json"]).json();
    assert_eq!(ids(&board["critical_path"]), ids(&path["path"]));
    let status = env.task(&["status", "--json"]).json();
    assert_eq!(board["counts"], status["counts"]);
    assert_eq!(board["progress"], status["progress"]);
    let server = crate::common::TestEnv::by_id(&board["tasks"], "server");
    assert_eq!(ids(&server["blocks"]), ["tests"]);
    let design = crate::common::TestEnv::by_id(&board["tasks"], "design");
    assert_eq!(ids(&design["blocks"]), ["client", "server"]);
    let release = crate::common::TestEnv::by_id(&board["tasks"], "release");
    assert_eq!(ids(&release["children"]), ["client", "design", "server"]);
    // The gate protects the configured branches, and holds them.
    let branches: Vec<(String, bool, Vec<String>)> = board["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["branch"].as_str().unwrap().to_string(),
                b["passes"].as_bool().unwrap(),
                ids(&b["gates"]),
            )
        })
        .collect();
    assert_eq!(
        branches,
        [
            ("main".to_string(), false, vec!["tests".to_string()]),
            ("master".to_string(), false, vec!["tests".to_string()]),
        ]
    );

    // Written again, the file is replaced whole, with a shareable mode.
    std::fs::write(&out, "old").unwrap();
    env.task(&["board", "-o", out.to_str().unwrap()]).code(0);
    assert_eq!(
        carried(&std::fs::read_to_string(&out).unwrap())["board"],
        board
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_ne!(
            mode & 0o044,
            0,
            "readable by others under the usual umask: {mode:o}"
        );
    }
    let stray: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(stray, ["board.html"]);
}

#[test]
fn piped_the_page_goes_to_standard_output() {
    let env = release();
    let run = env.task(&["board"]);
    run.code(0);
    assert!(run.stdout.starts_with("<!doctype html>"));
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(
        carried(&run.stdout)["board"],
        env.task(&["board", "--json"]).json()
    );
}

#[test]
fn the_page_loads_nothing_and_task_text_stays_text() {
    let env = TestEnv::new();
    let hostile = "</script><script>alert(1)</script> <!-- & \"quoted\" <b>bold</b>";
    env.task(&["add", hostile, "--id", "evil", "--description", hostile])
        .ok();
    let page = env.task(&["board"]);
    page.code(0);
    let page = &page.stdout;
    // One script of data, one of code, and nothing from anywhere else.
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert_eq!(page.matches("</script>").count(), 2);
    assert!(page.contains("default-src 'none'"));
    assert_refers_to_nothing(page);
    let data = carried(page);
    let evil = TestEnv::by_id(&data["board"]["tasks"], "evil");
    assert_eq!(evil["subject"], hostile);
    assert_eq!(evil["description"], hostile);
    // In the drawing the subject is escaped markup, not markup.
    let svg = data["graph_svg"].as_str().unwrap();
    assert!(!svg.contains("<script"), "{svg}");
}

/// Every reference in `page` is to the page itself: `src`, `href` and
/// `url(...)` name a fragment or carry their data, and the only web
/// addresses are XML namespaces, which are names, not requests.
fn assert_refers_to_nothing(page: &str) {
    for pattern in ["src=", "href=", "url(", "@import"] {
        for (at, _) in page.match_indices(pattern) {
            let value = page[at + pattern.len()..].trim_start_matches(['\\', '"', '\'']);
            assert!(
                value.starts_with('#') || value.starts_with("data:"),
                "the page refers to something: {pattern}{}",
                &value[..value.len().min(60)]
            );
        }
    }
    for (at, _) in page.match_indices("://") {
        let before = &page[at.saturating_sub(5)..at];
        let after = &page[at..(at + 20).min(page.len())];
        assert!(
            after.starts_with("://www.w3.org/"),
            "a web address in the page: {before}{after}"
        );
    }
}

#[test]
fn a_revision_or_a_bare_repository_has_a_board_too() {
    let env = release();
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "plan", "--no-verify"]).ok();
    env.task(&["done", "server", "--force"]).ok();
    let now = env.task(&["board", "--json"]).json();
    let then = env.task(&["board", "--json", "--rev", "HEAD"]).json();
    assert_eq!(now["source"], "working tree");
    assert_eq!(then["source"], "HEAD");
    let state = |b: &serde_json::Value| TestEnv::by_id(&b["tasks"], "server")["state"].clone();
    assert_eq!(state(&now), "completed");
    assert_eq!(state(&then), "in_progress");
    // The working tree's tasks have HEAD's history; a revision's none.
    let history = &TestEnv::by_id(&now["tasks"], "server")["history"];
    assert_eq!(history[0]["subject"], "plan", "{history}");
    assert_eq!(history[0]["created"], true);
    assert_eq!(now["history"]["truncated"], false);
    assert!(then["history"].is_null());
    assert_eq!(
        TestEnv::by_id(&then["tasks"], "server")["history"],
        serde_json::json!([])
    );

    let bare = env.dir.path().join("bare.git");
    env.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()])
        .ok();
    let run = env.task_in(&bare, &["board", "--json", "--rev", "HEAD"]);
    run.code(0);
    assert_eq!(run.json()["name"], "bare");
    assert_eq!(state(&run.json()), "in_progress");
}

#[test]
fn a_cycle_leaves_no_plan_but_a_board() {
    let env = TestEnv::new();
    env.task(&["add", "A", "--id", "a"]).ok();
    env.task(&["add", "B", "--id", "b", "--after", "a"]).ok();
    env.write("a", "subject = \"A\"\nblocked_by = [\"b\"]\n");
    let run = env.task(&["board", "--json"]);
    run.code(0);
    let board = run.json();
    assert!(board["plan"].is_null());
    assert_eq!(board["critical_path"], serde_json::json!([]));
    assert_eq!(board["cycles"].as_array().unwrap().len(), 1, "{board}");
    let page = env.task(&["board"]);
    page.code(0);
    assert!(
        carried(&page.stdout)["graph_svg"]
            .as_str()
            .unwrap()
            .contains("data-id=\"a\"")
    );
}

#[test]
fn a_file_that_does_not_read_is_named_and_the_rest_is_shown() {
    let env = release();
    std::fs::write(env.tasks_dir().join("broken.toml"), "subject = \n").unwrap();
    let run: Run = env.task(&["board", "--json"]);
    // As every reading command: the answer, then exit 2 for what is missing.
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("broken.toml"), "{}", run.stderr);
    assert_eq!(run.json()["counts"]["total"], 7);
}

/// The step of the repository's own workflow that builds the board, run
/// as CI runs it: `git task` on PATH, in a clone with history.
#[test]
fn the_workflow_builds_the_board() {
    let workflow = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/board.yml"),
    )
    .unwrap();
    let step = workflow
        .split("- name: Build the board")
        .nth(1)
        .expect("the workflow has the step");
    let script: String = step
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("run: |"))
        .skip(1)
        .take_while(|l| l.starts_with("          "))
        .map(|l| format!("{}\n", l.trim()))
        .collect();
    assert!(script.contains("git task board"), "{script}");
    let env = release();
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "plan", "--no-verify"]).ok();
    let run = crate::common::run(env.command("sh").args(["-ec", &script]));
    run.code(0);
    let page = std::fs::read_to_string(env.repo.join("site/index.html")).unwrap();
    assert_eq!(carried(&page)["board"]["counts"]["total"], 7);
}
