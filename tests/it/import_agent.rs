//! `import --from agent DIR`: an agent's task-list directory, read from
//! `tests/fixtures/import/agent/list`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::TestEnv;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/agent/list")
}

#[test]
fn every_task_and_edge_comes_in_and_importing_again_changes_nothing() {
    let env = TestEnv::new();
    let dir = fixture();
    let report = env
        .task(&["import", "--from", "agent", dir.to_str().unwrap(), "--json"])
        .json();
    assert_eq!(report["created"], 5, "{report}");
    assert_eq!(report["edges"], 4, "{report}");

    let list = env.task(&["list", "--all", "--json"]).json();
    let tasks: Vec<Value> = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            json!({
                "id": t["id"],
                "subject": t["subject"],
                "status": t["status"],
                "owner": t["owner"],
                "blocked_by": t["blocked_by"],
            })
        })
        .collect();
    assert_eq!(
        tasks,
        [
            json!({"id": "agent-1", "subject": "Design the session schema", "status": "completed", "owner": null, "blocked_by": []}),
            json!({"id": "agent-2", "subject": "Write the login endpoint", "status": "in_progress", "owner": "backend-dev", "blocked_by": ["agent-1"]}),
            json!({"id": "agent-3", "subject": "Write the logout endpoint", "status": "pending", "owner": null, "blocked_by": ["agent-1"]}),
            json!({"id": "agent-4", "subject": "Test login and logout end to end", "status": "pending", "owner": null, "blocked_by": ["agent-2", "agent-3"]}),
            json!({"id": "agent-6", "subject": "Keep the old cookie format", "status": "cancelled", "owner": null, "blocked_by": []}),
        ]
    );
    let two = env.task(&["show", "agent-2", "--json"]).json()["task"].clone();
    assert_eq!(two["origin"], "agent:2");
    assert_eq!(
        two["meta"],
        json!({"agent": {
            "activeForm": "Writing the login endpoint",
            "metadata": {"estimate_hours": 3, "priority": "high"},
        }})
    );
    let four = env.task(&["show", "agent-4", "--json"]).json()["task"].clone();
    assert_eq!(
        four["meta"]["agent"]["metadata"],
        json!({"tags": ["release"]})
    );
    let dropped = report["dropped"].to_string();
    assert!(dropped.contains("metadata.reviewer"), "{dropped}");

    let before = env.files_and_times();
    let again = env
        .task(&["import", "--from", "agent", dir.to_str().unwrap(), "--json"])
        .json();
    assert_eq!(again["unchanged"], 5, "{again}");
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn a_malformed_file_changes_nothing_and_names_its_line() {
    let env = TestEnv::new();
    let dir = env.dir.path().join("list");
    fs::create_dir(&dir).unwrap();
    for entry in fs::read_dir(fixture()).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    fs::write(
        dir.join("4.json"),
        "{\n  \"id\": \"4\",\n  \"subject\": \"Test it\",\n  \"status\": \"done\"\n}",
    )
    .unwrap();
    let before = env.snapshot();
    let run = env.task(&["import", "--from", "agent", dir.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("4.json:4:3"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "`status` must be one of pending, in_progress, completed, deleted, not \"done\""
        ),
        "{}",
        run.stderr
    );
    assert_eq!(env.snapshot(), before);
}
