//! `git task import --from taskwarrior`: the committed export of a real
//! Taskwarrior (tests/fixtures/import/taskwarrior), and, where `task` is
//! installed, an export made live by the same script.

use crate::common;

use std::path::{Path, PathBuf};

use common::{TestEnv, assert_items_eq, dropped_counts, exported_task, import_counts};
use serde_json::{Value, json};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/taskwarrior/export.json")
}

const T: &str = "2026-12-03T05:39:16Z";

/// What the committed fixture becomes, in id order.
fn expected() -> Vec<Value> {
    vec![
        exported_task(json!({
            "id": "198c79ab", "subject": "Write the parser",
            "blocked_by": ["2ba328a4"],
            "labels": ["project:home.garden", "parser", "rust"], "created": T,
            "origin": "taskwarrior:198c79ab-1581-478d-84f4-356e4625ee85",
            "notes": [
                {"at": T, "text": "first draft pushed"},
                {"at": "2026-12-03T05:39:17Z", "text": "needs tests"},
            ],
        })),
        exported_task(json!({
            "id": "2ba328a4", "subject": "Design the schema", "status": "in_progress",
            "priority": "high", "due": "2026-12-01",
            "labels": ["project:home.garden", "design"], "created": T, "started": T,
            "origin": "taskwarrior:2ba328a4-e2b3-44c2-b69d-30daa9c4f044",
            "meta": {"points": 3, "reviewer": "alice"},
        })),
        exported_task(json!({
            "id": "80a004de", "subject": "An idea we dropped", "status": "cancelled",
            "labels": ["someday"], "created": T, "closed": T,
            "origin": "taskwarrior:80a004de-f566-4833-bcff-e6f5a6017f8d",
            "meta": {"taskwarrior_status": "deleted"},
        })),
        exported_task(json!({
            "id": "9eec16af", "subject": "Ask again in January", "created": T,
            "origin": "taskwarrior:9eec16af-bfca-4ec5-90c4-ff528622cd55",
            "meta": {"wait": "2027-01-01T00:00:00+00:00"},
        })),
        exported_task(json!({
            "id": "c15f2fa7", "subject": "Book the venue", "status": "completed",
            "labels": ["project:work", "chore"], "created": T, "closed": T,
            "origin": "taskwarrior:c15f2fa7-2b03-481e-ac45-7d1ac07b1530",
        })),
        exported_task(json!({
            "id": "d658cd9a", "subject": "Water the plants", "due": "2026-12-07",
            "created": T, "origin": "taskwarrior:d658cd9a-4934-4b7a-9191-dda309dbd3fd",
        })),
        exported_task(json!({
            "id": "fc81fbcf", "subject": "Ship the release", "priority": "low",
            "blocked_by": ["198c79ab", "2ba328a4"], "labels": ["project:work"],
            "created": T, "origin": "taskwarrior:fc81fbcf-7b08-41cb-a93a-6231c6cc94ee",
        })),
    ]
}

#[test]
fn the_committed_export_becomes_exactly_these_tasks() {
    let env = TestEnv::new();
    let path = fixture();
    let report = env
        .task(&[
            "import",
            "--from",
            "taskwarrior",
            path.to_str().unwrap(),
            "--json",
        ])
        .json();
    assert_eq!(
        import_counts(&report),
        (&json!(7), &json!(0), &json!(0), &json!(3)),
        "{report}"
    );
    assert_eq!(
        dropped_counts(&report),
        [
            ("imask", 1),
            ("modified", 7),
            ("parent", 1),
            ("recur", 1),
            ("rtype", 1),
            ("scheduled", 1),
            ("status", 1),
        ]
    );
    assert_items_eq(&env.exported(), &expected());
    env.task(&["check"]).ok();

    // Again: nothing to do, and not a file touched.
    let before = env.files_and_times();
    let again = env.task(&["import", "--from", "taskwarrior", path.to_str().unwrap()]);
    assert!(
        again.ok().starts_with("imported 7 tasks and 3 edges from "),
        "{}",
        again.stdout
    );
    assert!(
        again
            .stdout
            .contains(": 0 created, 0 updated, 7 unchanged\n"),
        "{}",
        again.stdout
    );
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn standard_input_and_one_object_per_line_read_the_same() {
    let env = TestEnv::new();
    let text = std::fs::read_to_string(fixture()).unwrap();
    let lines: String = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| format!("{}\n", l.trim_end_matches(',')))
        .collect();
    env.task_with_stdin(&["import", "--from", "taskwarrior", "-"], lines.as_bytes())
        .ok();
    assert_eq!(env.exported(), expected());
}

#[test]
fn projects_can_be_parent_epics() {
    let env = TestEnv::new();
    let path = fixture();
    env.task(&[
        "import",
        "--from",
        "taskwarrior",
        path.to_str().unwrap(),
        "--project-as",
        "epic",
    ])
    .ok();
    let got = env.exported();
    let brief: Vec<(&str, &str, &str, Value, Value)> = got
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap(),
                t["kind"].as_str().unwrap(),
                t["status"].as_str().unwrap(),
                t["parent"].clone(),
                t["labels"].clone(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            (
                "198c79ab",
                "task",
                "pending",
                json!("home-garden"),
                json!(["parser", "rust"])
            ),
            (
                "2ba328a4",
                "task",
                "in_progress",
                json!("home-garden"),
                json!(["design"])
            ),
            (
                "80a004de",
                "task",
                "cancelled",
                json!(null),
                json!(["someday"])
            ),
            ("9eec16af", "task", "pending", json!(null), json!([])),
            (
                "c15f2fa7",
                "task",
                "completed",
                json!("work"),
                json!(["chore"])
            ),
            ("d658cd9a", "task", "pending", json!(null), json!([])),
            ("fc81fbcf", "task", "pending", json!("work"), json!([])),
            ("home-garden", "epic", "pending", json!(null), json!([])),
            ("work", "epic", "pending", json!(null), json!([])),
        ]
    );
    let epic = got.iter().find(|t| t["id"] == "home-garden").unwrap();
    assert_eq!(epic["origin"], "taskwarrior:project:home.garden");
    assert_eq!(epic["subject"], "home.garden");
    assert_eq!(epic["created"], T);
}

#[test]
fn a_malformed_export_changes_nothing_and_names_the_line() {
    let env = TestEnv::new();
    let path = fixture();
    env.task(&["import", "--from", "taskwarrior", path.to_str().unwrap()])
        .ok();
    let before = env.files_and_times();
    // The fourth line (the third task) loses its uuid; the sixth breaks.
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = env.dir.path().join("export.json");
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut no_uuid = lines.clone();
    no_uuid[3] = no_uuid[3].replace("\"uuid\":", "\"uuid_was\":");
    std::fs::write(&broken, no_uuid.join("\n")).unwrap();
    let out = env.task(&["import", "--from", "taskwarrior", broken.to_str().unwrap()]);
    out.code(2)
        .assert_stderr(&format!("{}:4: the task has no `uuid`", broken.display()));
    assert_eq!(env.files_and_times(), before);

    let mut bad_json = lines;
    bad_json[5] = bad_json[5].replacen(',', "", 1);
    std::fs::write(&broken, bad_json.join("\n")).unwrap();
    let out = env.task(&["import", "--from", "taskwarrior", broken.to_str().unwrap()]);
    out.code(2)
        .assert_stderr(&format!("{}:6:", broken.display()));
    assert_eq!(env.files_and_times(), before);

    // A fresh repository gets no task at all.
    let fresh = TestEnv::new();
    let before = fresh.files_and_times();
    fresh
        .task(&["import", "--from", "taskwarrior", broken.to_str().unwrap()])
        .code(2);
    assert_eq!(fresh.files_and_times(), before);
}

/// The subject of each task and what it maps to, found by subject, since
/// a live export has new uuids every time.
#[test]
fn a_live_export_of_the_real_taskwarrior_imports() {
    if !common::have_tool("task", "importing a live Taskwarrior export") {
        return;
    }
    let env = TestEnv::new();
    let script = fixture().with_file_name("make.sh");
    let export = env.dir.path().join("live.json");
    common::run(
        env.command("sh")
            .arg(&script)
            .arg(&export)
            .env("TMPDIR", env.dir.path()),
    )
    .ok();
    env.task(&["import", "--from", "taskwarrior", export.to_str().unwrap()])
        .ok();
    let got = env.exported();
    let by_subject = |s: &str| {
        got.iter()
            .find(|t| t["subject"] == s)
            .unwrap_or_else(|| panic!("no task {s}: {got:?}"))
    };
    let brief = |s: &str| {
        let t = by_subject(s);
        (
            t["status"].as_str().unwrap().to_owned(),
            t["priority"].as_str().unwrap().to_owned(),
            t["labels"].clone(),
            t["meta"].clone(),
        )
    };
    assert_eq!(got.len(), 7, "{got:?}");
    let design = by_subject("Design the schema");
    let parser = by_subject("Write the parser");
    assert_eq!(
        brief("Design the schema"),
        (
            "in_progress".into(),
            "high".into(),
            json!(["project:home.garden", "design"]),
            json!({"points": 3, "reviewer": "alice"})
        )
    );
    assert_eq!(design["due"], "2026-12-01");
    assert_eq!(parser["blocked_by"], json!([design["id"]]));
    assert_eq!(parser["notes"].as_array().unwrap().len(), 2);
    let mut release_blockers = by_subject("Ship the release")["blocked_by"]
        .as_array()
        .unwrap()
        .clone();
    release_blockers.sort_by_key(|v| v.to_string());
    let mut want = vec![design["id"].clone(), parser["id"].clone()];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(release_blockers, want);
    assert_eq!(
        brief("An idea we dropped"),
        (
            "cancelled".into(),
            "medium".into(),
            json!(["someday"]),
            json!({"taskwarrior_status": "deleted"})
        )
    );
    assert_eq!(
        brief("Book the venue"),
        (
            "completed".into(),
            "medium".into(),
            json!(["project:work", "chore"]),
            json!({})
        )
    );
    assert_eq!(
        brief("Ask again in January"),
        (
            "pending".into(),
            "medium".into(),
            json!([]),
            json!({"wait": "2027-01-01T00:00:00+00:00"})
        )
    );
    assert_eq!(by_subject("Water the plants")["due"], "2026-12-07");
    for t in &got {
        let origin = t["origin"].as_str().unwrap();
        let uuid = origin.strip_prefix("taskwarrior:").unwrap();
        assert_eq!(t["id"].as_str().unwrap(), &uuid[..8]);
    }
    let before = env.files_and_times();
    env.task(&["import", "--from", "taskwarrior", export.to_str().unwrap()])
        .ok();
    assert_eq!(env.files_and_times(), before);
}
