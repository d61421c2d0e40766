//! `git task import --from beads`: the fixture written to beads' export
//! format (tests/fixtures/import/beads, whose README names the sources).

use crate::common;

use std::path::{Path, PathBuf};

use common::{TestEnv, assert_items_eq, dropped_counts, exported_task, import_counts};
use serde_json::{Value, json};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/beads/issues.jsonl")
}

/// What the fixture becomes, in id order.
fn expected() -> Vec<Value> {
    vec![
        exported_task(json!({
            "id": "bd-a1b2", "subject": "Offline mode", "kind": "epic", "priority": "high",
            "owner": "alice", "labels": ["offline", "sync"], "created": "2026-04-01T09:00:00Z",
            "origin": "beads:bd-a1b2",
            "description": "Work without the network.\n\n## Design\n\nQueue writes locally; replay them on reconnect.",
            "criteria": [{"text": "A user on a plane can edit, and nothing is lost when they land.", "met": false}],
        })),
        exported_task(json!({
            "id": "bd-a1b2-1", "subject": "Local write queue", "status": "in_progress",
            "priority": "critical", "parent": "bd-a1b2", "owner": "bob",
            "estimate": "1h30m", "estimate_minutes": 90, "labels": ["offline"],
            "created": "2026-04-01T16:05:00.123456789Z", "started": "2026-04-03T08:00:00Z",
            "origin": "beads:bd-a1b2.1", "description": "Append-only queue on disk.",
            "criteria": [
                {"text": "writes survive a restart", "met": true},
                {"text": "replay is idempotent", "met": false},
            ],
            "notes": [
                {"at": "2026-04-03T08:30:00Z", "by": "bob", "text": "Using a WAL file."},
                {"at": "2026-04-03T09:00:00Z", "by": "alice", "text": "Sounds good.\nShip it behind a flag."},
            ],
        })),
        exported_task(json!({
            "id": "bd-a1b2-2", "subject": "Replay crashes on an empty queue",
            "parent": "bd-a1b2", "blocked_by": ["bd-a1b2-1"], "due": "2026-05-01",
            "labels": ["bug", "crash"], "created": "2026-04-02T11:00:00Z",
            "origin": "beads:bd-a1b2.2",
            "description": "Seen in the beta.\n\n## Notes\n\nReproduces with an empty queue file.",
            "meta": {"external_ref": "gh-9"},
        })),
        exported_task(json!({
            "id": "bd-c3d4", "subject": "Retry with backoff", "status": "completed",
            "priority": "low", "labels": ["feature"], "created": "2026-03-20T12:00:00Z",
            "closed": "2026-03-28T16:00:00Z", "origin": "beads:bd-c3d4",
            "notes": [{"at": "2026-03-28T16:00:00Z", "text": "Closed: Done in #41"}],
            "meta": {"beads_owner": "carol@example.com"},
        })),
        exported_task(json!({
            "id": "bd-e5f6", "subject": "Tidy the sync module", "priority": "low",
            "labels": ["chore"], "created": "2026-03-25T08:00:00Z", "origin": "beads:bd-e5f6",
            "meta": {
                "beads_priority": 4, "beads_status": "deferred",
                "defer_until": "2026-06-01T00:00:00Z",
                "metadata": {"files": ["src/sync.rs"], "size": "s"},
            },
        })),
        exported_task(json!({
            "id": "bd-g7h8", "subject": "Sync settings page", "kind": "story",
            "blocked_by": ["bd-e5f6"], "created": "2026-03-26T08:00:00Z",
            "origin": "beads:bd-g7h8",
            "description": "As a user I can see when I last synced.",
            "meta": {"beads_status": "blocked"},
        })),
    ]
}

#[test]
fn the_fixture_becomes_exactly_these_tasks() {
    let env = TestEnv::new();
    let path = fixture();
    let path = path.to_str().unwrap();

    // A dry run reports and writes nothing.
    let before = env.files_and_times();
    let dry = env.task(&["import", "--from", "beads", path, "--dry-run"]);
    assert!(
        dry.ok()
            .starts_with(&format!("would import 6 tasks and 4 edges from {path} (beads), nothing written: 6 created, 0 updated, 0 unchanged\n")),
        "{}",
        dry.stdout
    );
    assert_eq!(env.files_and_times(), before);

    let report = env
        .task(&["import", "--from", "beads", path, "--json"])
        .json();
    assert_eq!(
        import_counts(&report),
        (&json!(6), &json!(0), &json!(0), &json!(4)),
        "{report}"
    );
    assert_eq!(
        dropped_counts(&report),
        [
            ("_type", 1),
            ("compaction_level", 1),
            ("created_by", 1),
            ("dependencies[].type", 2),
            ("updated_at", 6),
        ]
    );
    assert_items_eq(&env.exported(), &expected());
    env.task(&["check"]).ok();
    // `show` says where a task came from.
    env.task(&["show", "bd-a1b2-1"])
        .code(0)
        .assert_stdout("from        beads:bd-a1b2.1");

    // Again: nothing to do, and not a file touched.
    let before = env.files_and_times();
    let again = env.task(&["import", "--from", "beads", path]);
    assert!(
        again.ok().contains(": 0 created, 0 updated, 6 unchanged\n"),
        "{}",
        again.stdout
    );
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn a_changed_issue_updates_its_task() {
    let env = TestEnv::new();
    let dir = env.dir.path().join(".beads");
    std::fs::create_dir_all(&dir).unwrap();
    let issues = dir.join("issues.jsonl");
    let text = std::fs::read_to_string(fixture()).unwrap();
    std::fs::write(&issues, &text).unwrap();
    let path = issues.to_str().unwrap();
    env.task(&["import", "--from", "beads", path]).ok();
    // In beads, the deferred chore is closed.
    let changed = text.replace(
        r#""status":"deferred","priority":4"#,
        r#""status":"closed","closed_at":"2026-04-05T10:00:00Z","priority":4"#,
    );
    assert_ne!(changed, text);
    std::fs::write(&issues, changed).unwrap();
    let out = env.task(&["import", "--from", "beads", path]);
    assert!(
        out.ok().contains(": 0 created, 1 updated, 5 unchanged\n"),
        "{}",
        out.stdout
    );
    let got = env.exported();
    let chore = got.iter().find(|t| t["id"] == "bd-e5f6").unwrap();
    assert_eq!(chore["status"], "completed");
    assert_eq!(chore["closed"], "2026-04-05T10:00:00Z");
    assert_eq!(got.len(), 6);
}

#[test]
fn a_malformed_file_changes_nothing_and_names_the_line() {
    let env = TestEnv::new();
    let path = fixture();
    env.task(&["import", "--from", "beads", path.to_str().unwrap()])
        .ok();
    let before = env.files_and_times();
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = env.dir.path().join("issues.jsonl");
    let lines: Vec<&str> = text.lines().collect();

    let mut cut = lines.clone();
    let half = &lines[4][..40];
    cut[4] = half;
    std::fs::write(&broken, cut.join("\n")).unwrap();
    let out = env.task(&["import", "--from", "beads", broken.to_str().unwrap()]);
    out.code(2).assert_stderr(&format!(
        "{}:5:40: not a JSON object: EOF while parsing",
        broken.display()
    ));
    assert_eq!(env.files_and_times(), before);

    let priority = lines[5].replace(r#""priority":4"#, r#""priority":9"#);
    let mut bad = lines.clone();
    bad[5] = &priority;
    std::fs::write(&broken, bad.join("\n")).unwrap();
    env.task(&["import", "--from", "beads", broken.to_str().unwrap()])
        .code(2)
        .assert_stderr(&format!(
            "{}:6: `priority` must be 0 to 4 (0 is the most urgent), found 9",
            broken.display()
        ));
    assert_eq!(env.files_and_times(), before);
}
