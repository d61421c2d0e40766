//! `git task import --from backlog`: the backlog the real Backlog.md made
//! (tests/fixtures/import/backlog) comes in as exactly these tasks and
//! edges; importing it again writes nothing; a malformed task file changes
//! nothing and is named with its line.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{TestEnv, exported_task};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/backlog/backlog")
}

/// The exported task: git-task's defaults with `fields` over them, and
/// the fixture's `created` unless `fields` has one.
fn task(mut fields: Value) -> Value {
    let fields_map = fields.as_object_mut().unwrap();
    fields_map
        .entry("created")
        .or_insert("2026-12-03T05:37:00Z".into());
    exported_task(fields)
}

/// Copies the directory `from` into `to`, recursively.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn the_backlog_comes_in_as_these_tasks_and_edges() {
    let env = TestEnv::new();
    let source = fixture();
    let run = env.task(&["import", "--from", "backlog", source.to_str().unwrap()]);
    run.code(0)
        .assert_stdout("imported 7 tasks and 4 edges from")
        .assert_stdout("7 created, 0 updated, 0 unchanged")
        .assert_stdout("created   TASK-2.1 → task-2-1")
        .assert_stdout("assignee on 1 task: TASK-1: @bob")
        .assert_stdout("status on 1 task: TASK-3: In Review")
        .assert_stdout("updated_date on 2 tasks:")
        .assert_stdout("ordinal on 7 tasks:");
    assert_eq!(
        env.exported(),
        [
            task(json!({
                "id": "task-1", "subject": "Design the schema", "status": "in_progress",
                "priority": "high", "owner": "alice", "labels": ["design", "db"],
                "origin": "backlog:TASK-1",
                "description": "What the tables hold.\n\nTwo paragraphs.\n\n\
                    ## Implementation Plan\n\n1. List tables\n2. Name keys\n\n\
                    ## Implementation Notes\n\nChose UUID keys.",
                "criteria": [
                    {"text": "Tables listed", "met": true},
                    {"text": "Keys named", "met": false}
                ]
            })),
            task(json!({
                "id": "task-2", "subject": "Write the migration", "blocked_by": ["task-1"],
                "due": "2026-12-24", "labels": ["db"], "origin": "backlog:TASK-2",
                "description": "Migrate the data."
            })),
            task(json!({
                "id": "task-2-1", "subject": "Backfill old rows", "kind": "subtask",
                "parent": "task-2", "origin": "backlog:TASK-2.1",
                "criteria": [{"text": "Rows counted", "met": false}]
            })),
            task(json!({
                "id": "task-3", "subject": "Review the migration", "status": "in_progress",
                "priority": "low", "blocked_by": ["task-1", "task-2"],
                "origin": "backlog:TASK-3"
            })),
            task(json!({
                "id": "task-4", "subject": "Set up CI", "status": "completed",
                // Backlog.md keeps no closing time: the import's (the
                // tests' clock) closes it.
                "closed": "2026-11-21T10:00:00Z",
                "origin": "backlog:TASK-4",
                "description": "## Final Summary\n\nCI runs on push."
            })),
            task(json!({
                "id": "task-5", "subject": "Fix: the 'quote' case #2 \"really\"",
                "owner": "carol", "labels": ["needs-review", "ops", "milestone:v1", "type:bug"],
                "origin": "backlog:TASK-5",
                "criteria": [{"text": "Docs updated", "met": false}],
                "notes": [
                    {"at": "2026-12-03T05:37:00Z", "by": "dave", "text": "First comment.\nSecond line."},
                    {"at": "2026-12-03T05:37:00Z", "text": "Another."}
                ],
                "meta": {
                    "documentation": ["docs/x.md"],
                    "references": ["https://example.com/issue/7"]
                }
            })),
            task(json!({
                "id": "task-6",
                "subject": "A very long title that goes on and on past the eighty column line width that js-yaml folds at",
                "labels": ["x:-y"], "origin": "backlog:TASK-6"
            })),
        ]
    );
    // The graph sees the edges: a task waiting for open work is blocked,
    // and so is the subtask of a blocked task.
    let list = env.task(&["list", "--json"]).json();
    let blocked: Vec<&str> = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["blocked"] == true)
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(blocked, ["task-2", "task-2-1", "task-3"]);
    assert_eq!(env.ready(), ["task-5", "task-6"]);
}

#[test]
fn importing_again_writes_nothing() {
    let env = TestEnv::new();
    let source = fixture();
    let source = source.to_str().unwrap();
    env.task(&["import", "--from", "backlog", source]).code(0);
    let before = env.files_and_times();
    env.task(&["import", "--from", "backlog", source])
        .code(0)
        .assert_stdout("0 created, 0 updated, 7 unchanged");
    assert_eq!(env.files_and_times(), before);
    // The project folder and the backlog folder are one source.
    let project = fixture().parent().unwrap().to_path_buf();
    env.task(&["import", "--from", "backlog", project.to_str().unwrap()])
        .code(0)
        .assert_stdout("0 created, 0 updated, 7 unchanged");
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn a_dry_run_writes_nothing() {
    let env = TestEnv::new();
    let before = env.files_and_times();
    env.task(&[
        "import",
        "--from",
        "backlog",
        fixture().to_str().unwrap(),
        "--dry-run",
    ])
    .code(0)
    .assert_stdout("7 created, 0 updated, 0 unchanged");
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn a_malformed_task_file_changes_nothing_and_is_named() {
    let env = TestEnv::new();
    let source = env.dir.path().join("backlog");
    copy_dir(&fixture(), &source);
    env.task(&["import", "--from", "backlog", source.to_str().unwrap()])
        .code(0);
    let before = env.files_and_times();

    // A change to one task and a broken list in another: neither is
    // written.
    let tasks = source.join("tasks");
    let one = tasks.join("task-1 - Design-the-schema.md");
    let text = std::fs::read_to_string(&one).unwrap();
    std::fs::write(&one, text.replace("status: In Progress", "status: Done")).unwrap();
    let three = tasks.join("task-3 - Review-the-migration.md");
    let text = std::fs::read_to_string(&three).unwrap();
    std::fs::write(&three, text.replace("  - TASK-2\n", "  - [TASK-2\n")).unwrap();
    env.task(&["import", "--from", "backlog", source.to_str().unwrap()])
        .code(2)
        .assert_stderr("task-3 - Review-the-migration.md:11:9:")
        .assert_stderr("not valid YAML");
    assert_eq!(env.files_and_times(), before);

    // A file without front matter is named at its first line.
    std::fs::write(&three, "# Review the migration\n").unwrap();
    env.task(&["import", "--from", "backlog", source.to_str().unwrap()])
        .code(2)
        .assert_stderr("task-3 - Review-the-migration.md:1:")
        .assert_stderr("has no front matter");
    assert_eq!(env.files_and_times(), before);
}
