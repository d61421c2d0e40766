//! `git task import --from task-master`: a tasks.json of two tags, with
//! subtasks and their dependencies, comes in as exactly these tasks and
//! edges; importing it again writes nothing; a malformed file changes
//! nothing and is named with its line.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{TestEnv, exported_task};

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/task-master")
}

fn tasks_json() -> PathBuf {
    project().join(".taskmaster/tasks/tasks.json")
}

/// The exported task: git-task's defaults with `fields` over them. The
/// file has no times, so `created` is the import's.
fn task(mut fields: Value) -> Value {
    let fields_map = fields.as_object_mut().unwrap();
    fields_map
        .entry("created")
        .or_insert("2026-12-10T09:00:00Z".into());
    let mut task = exported_task(fields);
    // The file has no closing times either: a resolved task is closed by
    // the import, as `done` would close it.
    if task["status"] == "completed" || task["status"] == "cancelled" {
        task["closed"] = "2026-12-10T09:00:00Z".into();
    }
    task
}

fn subtask(fields: Value) -> Value {
    let mut task = task(fields);
    task["kind"] = "subtask".into();
    task
}

fn env() -> TestEnv {
    let mut env = TestEnv::new();
    env.at("2026-12-10T09:00:00Z");
    env
}

#[test]
fn both_tags_come_in_as_these_tasks_and_edges() {
    let env = env();
    let run = env.task(&[
        "import",
        "--from",
        "task-master",
        tasks_json().to_str().unwrap(),
    ]);
    run.code(0)
        .assert_stdout("imported 10 tasks and 12 edges from")
        .assert_stdout("10 created, 0 updated, 0 unchanged")
        .assert_stdout("created   2.1           → 2-1")
        .assert_stdout("created   feature-x/1.1 → feature-x-1-1")
        .assert_stdout("status on 3 tasks: 2.2: review; 3: deferred; feature-x/1: blocked")
        .assert_stdout("complexity on 1 task: 3: 4")
        .assert_stdout("metadata.description on 2 tasks:");
    let tag = json!(["tag:feature-x"]);
    assert_eq!(
        env.exported(),
        [
            task(json!({
                "id": "1", "subject": "Set up the project", "status": "completed",
                "priority": "high", "origin": "task-master:1",
                "description": "Create the repository and the build.\n\n## Details\n\n\
                    Initialise the repository.\nAdd the build script.\n\n\
                    ## Test Strategy\n\nRun the build on a clean clone."
            })),
            task(json!({
                "id": "2", "subject": "Parse the input", "status": "in_progress",
                "blocked_by": ["1"], "origin": "task-master:2",
                "description": "Read the PRD file.\n\n## Details\n\nSupport .txt and .md.\n\n\
                    ## Test Strategy\n\nUnit tests on both kinds of file."
            })),
            subtask(json!({
                "id": "2-1", "subject": "Read the file", "status": "completed", "parent": "2",
                "origin": "task-master:2.1",
                "description": "Open and read the file.\n\n## Details\n\nUse a buffered reader.",
                "criteria": [
                    {"text": "Accepts a path", "met": true},
                    {"text": "Returns the text", "met": true}
                ]
            })),
            subtask(json!({
                "id": "2-2", "subject": "Split the sections", "status": "in_progress",
                "parent": "2", "blocked_by": ["2-1"], "origin": "task-master:2.2",
                "description": "Find the headings.\n\n## Test Strategy\n\nA PRD of three sections gives three."
            })),
            subtask(json!({
                "id": "2-3", "subject": "Report errors", "parent": "2",
                "blocked_by": ["2-2", "1"], "origin": "task-master:2.3"
            })),
            task(json!({
                "id": "3", "subject": "Write the docs", "priority": "low",
                "blocked_by": ["2", "2-3"], "origin": "task-master:3",
                "description": "The user guide."
            })),
            task(json!({
                "id": "4", "subject": "Drop the old parser", "status": "cancelled",
                "origin": "task-master:4", "description": "No longer needed."
            })),
            task(json!({
                "id": "feature-x-1", "subject": "Sketch feature X", "priority": "critical",
                "labels": tag, "origin": "task-master:feature-x/1",
                "description": "What it does."
            })),
            subtask(json!({
                "id": "feature-x-1-1", "subject": "Ask the users", "parent": "feature-x-1",
                "labels": tag, "origin": "task-master:feature-x/1.1"
            })),
            task(json!({
                "id": "feature-x-2", "subject": "Build feature X", "priority": "high",
                "blocked_by": ["feature-x-1", "feature-x-1-1"], "labels": tag,
                "origin": "task-master:feature-x/2"
            })),
        ]
    );
}

#[test]
fn importing_again_writes_nothing() {
    let mut env = env();
    let file = tasks_json();
    env.task(&["import", "--from", "task-master", file.to_str().unwrap()])
        .code(0);
    let before = env.files_and_times();
    // Later, and from the project rather than the file: the same source.
    env.at("2026-12-11T09:00:00Z");
    env.task(&[
        "import",
        "--from",
        "task-master",
        project().to_str().unwrap(),
    ])
    .code(0)
    .assert_stdout("0 created, 0 updated, 10 unchanged");
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn a_malformed_file_changes_nothing_and_is_named() {
    let env = env();
    let file = env.dir.path().join("tasks.json");
    std::fs::copy(tasks_json(), &file).unwrap();
    env.task(&["import", "--from", "task-master", file.to_str().unwrap()])
        .code(0);
    let before = env.files_and_times();

    let text = std::fs::read_to_string(&file).unwrap();
    // A changed title and a missing comma: nothing is written.
    let broken = text
        .replace("Set up the project", "Set the project up")
        .replacen("\"status\": \"deferred\",", "\"status\": \"deferred\"", 1);
    std::fs::write(&file, broken).unwrap();
    env.task(&["import", "--from", "task-master", file.to_str().unwrap()])
        .code(2)
        .assert_stderr("tasks.json:69:")
        .assert_stderr("not valid JSON");
    assert_eq!(env.files_and_times(), before);

    // Valid JSON with a task that has no title.
    let untitled = text.replacen("\"title\": \"Write the docs\",", "", 1);
    std::fs::write(&file, untitled).unwrap();
    env.task(&["import", "--from", "task-master", file.to_str().unwrap()])
        .code(2)
        .assert_stderr("tasks.json:64:")
        .assert_stderr("no `title`");
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn the_file_may_come_on_standard_input() {
    let env = env();
    let text = std::fs::read(tasks_json()).unwrap();
    let run = env.task_with_stdin(&["import", "--from", "task-master", "-", "--json"], &text);
    run.ok();
    let json = run.json();
    assert_eq!(json["from"], "task-master");
    assert_eq!(json["created"], 10);
    assert_eq!(json["edges"], 12);
}
