//! `git task apply`: plans of each shape applied and checked with `plan`
//! and `ready`, applied again (nothing written), edited (only the edited
//! tasks change, what people edited stays), and refused (every file as
//! it was).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::common::{Run, TestEnv};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/examples/plans")
        .join(name)
}

/// Writes `text` beside the repository as `name` and returns its path.
fn plan_file(env: &TestEnv, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Applies `plan` with --json and returns each key's id.
#[track_caller]
fn apply(env: &TestEnv, plan: &str) -> BTreeMap<String, String> {
    let run = env.task(&["apply", plan, "--json"]);
    let json = run.json();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["key"].as_str().unwrap().to_owned(),
                t["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The files that differ between two [`TestEnv::files_and_times`] snapshots.
fn changed(
    before: &BTreeMap<String, (Vec<u8>, SystemTime)>,
    after: &BTreeMap<String, (Vec<u8>, SystemTime)>,
) -> Vec<String> {
    let mut names: Vec<String> = after
        .iter()
        .filter(|(name, now)| before.get(*name) != Some(*now))
        .map(|(name, _)| name.clone())
        .collect();
    names.extend(
        before
            .keys()
            .filter(|name| !after.contains_key(*name))
            .cloned(),
    );
    names
}

/// The waves of `plan --json`, each a sorted list of keys.
fn waves(env: &TestEnv, ids: &BTreeMap<String, String>) -> Vec<Vec<String>> {
    let key_of = |id: &str| {
        ids.iter()
            .find(|(_, v)| v.as_str() == id)
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let plan = env.task(&["plan", "--json"]).json();
    plan["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|wave| {
            let mut keys: Vec<String> = wave
                .as_array()
                .unwrap()
                .iter()
                .map(|id| key_of(id.as_str().unwrap()))
                .collect();
            keys.sort();
            keys
        })
        .collect()
}

/// The keys `ready --json` offers, sorted.
fn ready(env: &TestEnv, ids: &BTreeMap<String, String>) -> Vec<String> {
    let mut keys: Vec<String> = env
        .ready()
        .iter()
        .map(|id| {
            ids.iter()
                .find(|(_, v)| *v == id)
                .map_or_else(|| id.clone(), |(k, _)| k.clone())
        })
        .collect();
    keys.sort();
    keys
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn each_shape_of_plan_applies_to_the_waves_and_ready_set_it_describes() {
    // The example, its waves and its ready set, by key.
    type Case = (&'static str, Vec<Vec<&'static str>>, Vec<&'static str>);
    let cases: [Case; 5] = [
        (
            "sequential.toml",
            vec![vec!["build"], vec!["test"], vec!["publish"]],
            vec!["build"],
        ),
        (
            "parallel.toml",
            vec![vec!["api", "cli", "faq"]],
            vec!["api", "cli", "faq"],
        ),
        (
            "fan-out.toml",
            vec![vec!["index", "query", "ui"], vec!["epic"]],
            vec!["index", "query", "ui"],
        ),
        (
            "fan-in.toml",
            vec![vec!["binaries", "docs", "site"], vec!["announce"]],
            vec!["binaries", "docs", "site"],
        ),
        (
            "pipeline.toml",
            vec![
                vec!["build"],
                vec!["build-review"],
                vec!["staging"],
                vec!["staging-review"],
                vec!["production"],
            ],
            vec!["build"],
        ),
    ];
    for (file, expected_waves, expected_ready) in cases {
        let env = TestEnv::new();
        let plan = example(file);
        let ids = apply(&env, plan.to_str().unwrap());
        let expected: Vec<Vec<String>> = expected_waves.iter().map(|w| keys(w)).collect();
        assert_eq!(waves(&env, &ids), expected, "{file}");
        assert_eq!(ready(&env, &ids), keys(&expected_ready), "{file}");
        assert_eq!(env.task(&["check"]).code, 0, "{file}");
        // The plan's name is the file's; each task remembers its key.
        let name = file.trim_end_matches(".toml");
        let first = ids.iter().next().unwrap();
        let shown = env.task(&["show", first.1, "--json"]).json();
        let plan_name = std::fs::read_to_string(&plan).unwrap();
        let plan_name = plan_name
            .lines()
            .find_map(|l| l.strip_prefix("name = \""))
            .map_or(name, |n| n.trim_end_matches('"'));
        assert_eq!(
            shown["task"]["plan_key"],
            format!("{plan_name}/{}", first.0),
            "{file}"
        );
    }
}

#[test]
fn every_example_plan_is_in_the_plans_page() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/plans.md"))
        .unwrap();
    for entry in std::fs::read_dir(example("")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(doc.contains(&text), "docs/plans.md lacks:\n{text}");
    }
}

#[test]
fn applying_the_same_plan_again_writes_nothing() {
    let env = TestEnv::new();
    let plan = example("pipeline.toml");
    let plan = plan.to_str().unwrap();
    let ids = apply(&env, plan);
    let before = env.files_and_times();
    // Past the file system's timestamp granularity: a rewrite would show.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = env.task(&["apply", plan]);
    again.ok();
    again.assert_stdout("plan deploy: 0 created, 0 updated, 5 unchanged\n");
    assert_eq!(
        changed(&before, &env.files_and_times()),
        Vec::<String>::new()
    );
    let json = env.task(&["apply", plan, "--json"]).json();
    assert_eq!(json["unchanged"], 5, "{json}");
    assert!(
        json["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["outcome"] == "unchanged" && ids[t["key"].as_str().unwrap()] == t["id"]),
        "{json}"
    );
    assert_eq!(
        changed(&before, &env.files_and_times()),
        Vec::<String>::new()
    );
}

const PLAN: &str = r#"name = "auth"

[tasks.research]
subject = "Research the options"

[tasks.design]
subject = "Design the login flow"
blocked_by = ["research"]
criteria = ["flow reviewed", "security signed off"]

[tasks.build]
subject = "Build it"
blocked_by = ["design"]
labels = ["auth"]
"#;

#[test]
fn an_edited_plan_changes_only_what_it_changed_and_keeps_what_people_edited() {
    let env = TestEnv::new();
    env.add(&["Existing work", "--id", "infra"]);
    let plan = plan_file(&env, "auth.toml", PLAN);
    let ids = apply(&env, &plan);
    let (design, build) = (&ids["design"], &ids["build"]);
    // People work on the tasks: an owner, a note, a met criterion, a
    // comment written by hand in the file.
    env.task(&["edit", design, "--owner", "ana"]).ok();
    env.task(&["note", design, "sketched three options", "--by", "ana"])
        .ok();
    env.task(&["criteria", design, "--met", "1"]).ok();
    let text = env.read(design);
    env.write(design, &format!("# Ana: see the wiki page\n{text}"));
    let commented = env.read(build).replace(
        "labels = [\"auth\"]",
        "labels = [\"auth\"] # kept for the release notes",
    );
    env.write(build, &commented);
    let before = env.files_and_times();
    std::thread::sleep(std::time::Duration::from_millis(20));

    // The plan changes a subject, adds a blocker and a task.
    let edited =
        PLAN.replace(
            "\"Design the login flow\"",
            "\"Design the login and logout flows\"",
        )
        .replace(
            "blocked_by = [\"design\"]",
            "blocked_by = [\"design\", \"infra\"]",
        ) + "\n[tasks.docs]\nsubject = \"Document the flows\"\nblocked_by = [\"design\"]\n";
    std::fs::write(&plan, edited).unwrap();
    let run = env.task(&["apply", &plan]);
    run.ok();
    run.assert_stdout("plan auth: 1 created, 2 updated, 1 unchanged\n");
    let after = env.files_and_times();
    let ids = apply(&env, &plan);
    let mut expected = vec![
        format!("{design}.toml"),
        format!("{build}.toml"),
        format!("{}.toml", ids["docs"]),
    ];
    expected.sort();
    let mut got = changed(&before, &after);
    got.sort();
    assert_eq!(got, expected);

    let design_text = env.read(design);
    assert!(
        design_text.starts_with("# Ana: see the wiki page\n"),
        "{design_text}"
    );
    let shown = env.task(&["show", design, "--json"]).json();
    let task = &shown["task"];
    assert_eq!(task["subject"], "Design the login and logout flows");
    assert_eq!(task["owner"], "ana");
    assert_eq!(task["notes"][0]["text"], "sketched three options");
    assert_eq!(task["criteria"][0]["met"], true, "{task}");
    assert_eq!(task["criteria"][1]["met"], false, "{task}");
    let build_text = env.read(build);
    assert!(
        build_text.contains("labels = [\"auth\"] # kept for the release notes"),
        "{build_text}"
    );
    assert!(
        build_text.contains(&format!("blocked_by = [\"{design}\", \"infra\"]")),
        "{build_text}"
    );
}

#[test]
fn a_key_no_longer_in_the_plan_is_reported_and_left_alone() {
    let env = TestEnv::new();
    let plan = plan_file(&env, "auth.toml", PLAN);
    let ids = apply(&env, &plan);
    let shorter = PLAN.split("[tasks.build]").next().unwrap().to_owned();
    std::fs::write(&plan, shorter).unwrap();
    let run = env.task(&["apply", &plan]);
    run.ok();
    run.assert_stdout(&format!(
        "no longer in the plan (left as they are; `git task rm ID` removes one):\n  build → {} \"Build it\"\n",
        ids["build"]
    ));
    let json = env.task(&["apply", &plan, "--json"]).json();
    assert_eq!(json["not_in_plan"][0]["key"], "build", "{json}");
    assert!(
        env.tasks_dir()
            .join(format!("{}.toml", ids["build"]))
            .exists()
    );
}

/// Applies `text` as `name` and asserts it is refused with `code`, a
/// message starting `start`, and every file as it was.
#[track_caller]
fn refused(env: &TestEnv, name: &str, text: &str, code: i32, start: &str) -> Run {
    let before = env.files_and_times();
    let plan = plan_file(env, name, text);
    let run = env.task(&["apply", &plan]);
    run.code(code);
    assert!(
        run.stderr.starts_with(&format!("error: {plan}:{start}")),
        "{}",
        run.stderr
    );
    run.assert_stderr("hint: nothing was changed");
    assert_eq!(
        changed(&before, &env.files_and_times()),
        Vec::<String>::new()
    );
    let dry = env.task(&["apply", &plan, "--dry-run"]);
    dry.code(code);
    assert_eq!(
        changed(&before, &env.files_and_times()),
        Vec::<String>::new()
    );
    run
}

#[test]
fn a_failing_plan_names_its_line_and_changes_no_file() {
    let env = TestEnv::new();
    let plan = plan_file(&env, "auth.toml", PLAN);
    apply(&env, &plan);
    // Each broken plan also edits a task that exists, so a partial write
    // would show.
    let edited = PLAN.replace("\"Research the options\"", "\"Research more\"");
    let cycle = edited.replace(
        "[tasks.research]\nsubject = \"Research more\"\n",
        "[tasks.research]\nsubject = \"Research more\"\nblocked_by = [\"build\"]\n",
    );
    let run = refused(
        &env,
        "auth.toml",
        &cycle,
        1,
        "5:15: this change would close a cycle",
    );
    run.assert_stderr("\"Research more\"");

    let unknown = format!("{edited}\n[tasks.extra]\nsubject = \"Extra\"\nassignee = \"bo\"\n");
    let run = refused(
        &env,
        "auth.toml",
        &unknown,
        2,
        "18:1: unknown field `assignee`",
    );
    run.assert_stderr("a plan task may set subject, id, kind");
    let lifecycle =
        format!("{edited}\n[tasks.extra]\nsubject = \"Extra\"\nstatus = \"completed\"\n");
    refused(
        &env,
        "auth.toml",
        &lifecycle,
        2,
        "18:1: `status` is not set by a plan",
    );

    let dangling = edited.replace(
        "blocked_by = [\"research\"]",
        "blocked_by = [\"research\", \"nosuch\"]",
    );
    refused(
        &env,
        "auth.toml",
        &dangling,
        2,
        "8:27: `blocked_by` names `nosuch`, which is neither a key of this plan nor a task",
    );
    let malformed = edited.replace("[tasks.build]", "[tasks.build");
    refused(&env, "auth.toml", &malformed, 2, "11:13:");
    let twice = format!("{edited}\n[tasks.design]\nsubject = \"Again\"\n");
    refused(&env, "auth.toml", &twice, 2, "16:8: `design` is set twice");

    let json = "{\"name\": \"auth\", \"tasks\": {\n  \"research\": {\"subject\": \"Research more\"},\n  \"design\": {\"subject\": \"D\", \"priority\": \"urgent\"}\n}}\n";
    let run = refused(
        &env,
        "auth.json",
        json,
        2,
        "3:42: tasks.design.priority: unknown priority `urgent`",
    );
    run.assert_stderr("expected one of: critical, high, medium, low");
    let broken_json = "{\"name\": \"auth\", \"tasks\": {\n  \"research\": {\"subject\": \"Research more\",}\n}}\n";
    refused(&env, "auth.json", broken_json, 2, "2:43:");
}

#[test]
fn a_json_plan_reads_from_standard_input() {
    let env = TestEnv::new();
    let json = r#"{"name": "agent", "tasks": {
        "a": {"subject": "First", "estimate": "2h", "due": "2026-12-01"},
        "b": {"subject": "Second", "blocked_by": ["a"], "gate": {"branches": ["release/*"]}, "meta": {"tokens": 1200}}
    }}"#;
    let run = env.task_with_stdin(
        &["apply", "-", "--format", "json", "--json"],
        json.as_bytes(),
    );
    run.ok();
    let report = run.json();
    assert_eq!(report["plan"], "agent");
    assert_eq!(report["created"], 2);
    let b = report["tasks"][1]["id"].as_str().unwrap();
    let a = report["tasks"][0]["id"].as_str().unwrap();
    let shown = env.task(&["show", b, "--json"]).json();
    assert_eq!(shown["task"]["blocked_by"][0], a);
    assert_eq!(shown["task"]["gate"]["branches"][0], "release/*");
    assert_eq!(shown["task"]["meta"]["tokens"], 1200);
    assert_eq!(shown["task"]["plan_key"], "agent/b");
    let first = env.task(&["show", a, "--json"]).json();
    assert_eq!(first["task"]["due"], "2026-12-01");
    // Standard input has no file name to take a name from.
    let run = env.task_with_stdin(&["apply", "-"], b"[tasks.a]\nsubject = \"A\"\n");
    run.code(2);
    let stderr = &run.stderr;
    assert!(
        stderr.starts_with("error: <stdin>:1:1: a plan read from standard input needs a `name`"),
        "{stderr}"
    );
}

#[test]
fn a_dry_run_writes_nothing_and_shows_the_change_as_diff_does() {
    let env = TestEnv::new();
    let plan = plan_file(&env, "auth.toml", PLAN);
    let before = env.files_and_times();
    let run = env.task_with_env(
        &[("GIT_TASK_ID_SEED", "dry")],
        &["apply", &plan, "--dry-run"],
    );
    run.ok();
    run.assert_stdout("plan auth (dry run, nothing written): 3 created, 0 updated, 0 unchanged\n");
    run.assert_stdout(
        "tasks from the working tree to plan auth applied: 3 added, 0 removed, 0 changed, 0 gates changed\n",
    );
    run.assert_stdout("\"Design the login flow\" (pending)\n    waits for ");
    assert_eq!(
        changed(&before, &env.files_and_times()),
        Vec::<String>::new()
    );

    let ids = apply(&env, &plan);
    let edited = PLAN.replace("\"Build it\"", "\"Build the flow\"");
    std::fs::write(&plan, edited).unwrap();
    let before = env.files_and_times();
    let run = env.task(&["apply", &plan, "--dry-run"]);
    run.ok();
    run.assert_stdout(&format!(
        "~ {} \"Build the flow\"\n    subject Build it → Build the flow\n",
        ids["build"]
    ));
    let json = env.task(&["apply", &plan, "--dry-run", "--json"]).json();
    assert_eq!(json["dry_run"], true);
    assert_eq!(json["updated"], 1);
    assert_eq!(
        json["diff"]["changed"][0]["id"],
        ids["build"].as_str(),
        "{json}"
    );
    assert_eq!(json["diff"]["added"], serde_json::json!([]), "{json}");
    assert_eq!(
        changed(&before, &env.files_and_times()),
        Vec::<String>::new()
    );
    let real = env.task(&["apply", &plan, "--json"]).json();
    assert_eq!(real["diff"], serde_json::Value::Null);
}

#[test]
fn a_chosen_id_is_used_and_a_taken_one_refused() {
    let env = TestEnv::new();
    env.add(&["Someone else's", "--id", "taken"]);
    let plan = plan_file(
        &env,
        "ids.toml",
        "[tasks.a]\nsubject = \"A\"\nid = \"chosen-a\"\n[tasks.b]\nsubject = \"B\"\nparent = \"a\"\nblocked_by = [\"tak\"]\n",
    );
    let ids = apply(&env, &plan);
    assert_eq!(ids["a"], "chosen-a");
    let b = env.task(&["show", &ids["b"], "--json"]).json();
    assert_eq!(b["task"]["parent"], "chosen-a");
    assert_eq!(
        b["task"]["blocked_by"][0], "taken",
        "a unique prefix resolves"
    );
    refused(
        &env,
        "other.toml",
        "[tasks.c]\nsubject = \"C\"\nid = \"taken\"\n",
        2,
        "3:6: the id `taken` is taken by another task",
    );
}

#[test]
fn a_copied_task_file_makes_its_plan_key_ambiguous() {
    let env = TestEnv::new();
    let plan = plan_file(&env, "auth.toml", PLAN);
    let ids = apply(&env, &plan);
    env.write("copy", &env.read(&ids["design"]));
    let run = refused(
        &env,
        "auth.toml",
        PLAN,
        2,
        "6:8: 2 tasks carry plan_key `auth/design`",
    );
    let mut both = [ids["design"].as_str(), "copy"];
    both.sort();
    run.assert_stderr(&both.join(", "));
}
