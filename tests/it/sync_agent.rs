//! `sync --with agent DIR`: the two-way link with an agent's task-list
//! directory, run with the real binary on a copy of
//! `tests/fixtures/import/agent/list`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::{Value, json};

use crate::common::{Run, TestEnv};

/// A repository and a copy of the fixture directory beside it.
fn setup() -> (TestEnv, PathBuf) {
    let env = TestEnv::new();
    let dir = env.dir.path().join("agent-list");
    fs::create_dir_all(&dir).unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/agent/list");
    for entry in fs::read_dir(fixture).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    (env, dir)
}

fn sync(env: &TestEnv, dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["sync", "--with", "agent", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.task(&args)
}

fn task(env: &TestEnv, id: &str) -> Value {
    env.task(&["show", id, "--json"]).json()["task"].clone()
}

fn agent(dir: &Path, id: &str) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join(format!("{id}.json"))).unwrap()).unwrap()
}

/// Changes an agent file as the agent does: the whole object rewritten,
/// two-space JSON, no newline at the end.
fn agent_edit(dir: &Path, id: &str, change: impl FnOnce(&mut Value)) {
    let mut value = agent(dir, id);
    change(&mut value);
    fs::write(
        dir.join(format!("{id}.json")),
        serde_json::to_string_pretty(&value).unwrap(),
    )
    .unwrap();
}

/// Every file of `.tasks/`, of the agent's directory and of the sync
/// state, with its bytes and modification time.
fn state(env: &TestEnv, dir: &Path) -> Vec<(PathBuf, Vec<u8>, SystemTime)> {
    let mut out = Vec::new();
    for d in [
        env.tasks_dir(),
        dir.to_owned(),
        env.repo.join(".git/git-task/sync"),
    ] {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::metadata(&path).unwrap();
            if meta.is_file() {
                out.push((
                    path.clone(),
                    fs::read(&path).unwrap(),
                    meta.modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

fn ids(env: &TestEnv) -> Vec<String> {
    let list = env.task(&["list", "--all", "--json"]).json();
    let mut ids: Vec<String> = list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[test]
fn the_first_sync_imports_the_directory_and_leaves_its_files_alone() {
    let (env, dir) = setup();
    let before: Vec<_> = ["1", "2", "3", "4", "6"]
        .iter()
        .map(|id| fs::read(dir.join(format!("{id}.json"))).unwrap())
        .collect();
    let run = sync(&env, &dir, &["--json"]);
    let report = run.json();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let created: Vec<_> = report["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["agent_id"].as_str().unwrap(), l["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        created,
        [
            ("1", "agent-1"),
            ("2", "agent-2"),
            ("3", "agent-3"),
            ("4", "agent-4"),
            ("6", "agent-6")
        ]
    );
    assert_eq!(report["updated_files"], json!([]));
    assert_eq!(report["updated_tasks"], json!([]));
    assert_eq!(
        report["dropped"],
        json!([{"agent_id": "4", "field": "metadata.reviewer", "value": "null"}])
    );
    assert_eq!(
        ids(&env),
        ["agent-1", "agent-2", "agent-3", "agent-4", "agent-6"]
    );

    let one = task(&env, "agent-1");
    assert_eq!(one["subject"], "Design the session schema");
    assert_eq!(one["status"], "completed");
    assert_eq!(one["blocked_by"], json!([]));
    assert_eq!(
        one["meta"]["agent"]["activeForm"],
        "Designing the session schema"
    );
    let two = task(&env, "agent-2");
    assert_eq!(two["status"], "in_progress");
    assert_eq!(two["owner"], "backend-dev");
    assert_eq!(two["blocked_by"], json!(["agent-1"]));
    assert_eq!(
        two["meta"]["agent"]["metadata"],
        json!({"estimate_hours": 3, "priority": "high"})
    );
    assert_eq!(
        two["description"],
        "POST /login: check the password, open a session."
    );
    let three = task(&env, "agent-3");
    assert_eq!(three["description"], Value::Null);
    assert_eq!(three["blocked_by"], json!(["agent-1"]));
    let four = task(&env, "agent-4");
    assert_eq!(four["blocked_by"], json!(["agent-2", "agent-3"]));
    assert_eq!(
        four["meta"]["agent"]["metadata"],
        json!({"tags": ["release"]})
    );
    assert_eq!(task(&env, "agent-6")["status"], "cancelled");

    let after: Vec<_> = ["1", "2", "3", "4", "6"]
        .iter()
        .map(|id| fs::read(dir.join(format!("{id}.json"))).unwrap())
        .collect();
    assert_eq!(before, after, "the agent's files are not rewritten");
    let base = fs::read_dir(env.repo.join(".git/git-task/sync"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect::<Vec<_>>();
    assert_eq!(base.len(), 1);
    assert!(
        base[0].starts_with("agent-") && base[0].ends_with(".json"),
        "{base:?}"
    );
}

#[test]
fn changes_of_different_fields_on_both_sides_are_both_kept() {
    let (env, dir) = setup();
    sync(&env, &dir, &[]).ok();
    // The agent finishes 2; git-task rewords 2's description and adds an
    // edge 3 -> 2.
    agent_edit(&dir, "2", |t| t["status"] = json!("completed"));
    env.task(&[
        "edit",
        "agent-2",
        "--description",
        "POST /login, rate limited.",
    ])
    .ok();
    env.task(&["dep", "add", "agent-3", "agent-2"]).ok();
    let run = sync(&env, &dir, &["--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(
        report["updated_tasks"],
        json!([{"agent_id": "2", "id": "agent-2", "fields": ["status"]}])
    );
    assert_eq!(
        report["updated_files"],
        json!([
            {"agent_id": "2", "id": "agent-2", "fields": ["description", "blocked_by"]},
            {"agent_id": "3", "id": "agent-3", "fields": ["blocked_by"]},
        ])
    );

    let two = task(&env, "agent-2");
    assert_eq!(two["status"], "completed");
    assert!(two["closed"].is_string(), "{two}");
    assert_eq!(two["description"], "POST /login, rate limited.");
    let file = agent(&dir, "2");
    assert_eq!(file["status"], "completed");
    assert_eq!(file["description"], "POST /login, rate limited.");
    assert_eq!(file["blocks"], json!(["4", "3"]));
    assert_eq!(agent(&dir, "3")["blockedBy"], json!(["1", "2"]));
    // The agent's layout: two spaces, no newline at the end.
    let text = fs::read_to_string(dir.join("2.json")).unwrap();
    assert!(
        text.starts_with("{\n  \"id\": \"2\",\n") && text.ends_with("}"),
        "{text}"
    );
}

#[test]
fn the_same_field_changed_on_both_sides_is_a_conflict_and_loses_nothing() {
    let (env, dir) = setup();
    sync(&env, &dir, &[]).ok();
    agent_edit(&dir, "3", |t| {
        t["subject"] = json!("Write the logout endpoint (v2)")
    });
    agent_edit(&dir, "4", |t| t["owner"] = json!("qa"));
    env.task(&["edit", "agent-3", "--subject", "Logout endpoint"])
        .ok();

    let run = sync(&env, &dir, &["--json"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(
        report["conflicts"],
        json!([{
            "agent_id": "3",
            "id": "agent-3",
            "field": "subject",
            "base": "Write the logout endpoint",
            "agent": "Write the logout endpoint (v2)",
            "git": "Logout endpoint",
        }])
    );
    assert_eq!(
        agent(&dir, "3")["subject"],
        "Write the logout endpoint (v2)"
    );
    assert_eq!(task(&env, "agent-3")["subject"], "Logout endpoint");
    // The rest was synced.
    assert_eq!(task(&env, "agent-4")["owner"], "qa");

    // Reported again, and nothing changes, until one side takes a value.
    let before = state(&env, &dir);
    let again = sync(&env, &dir, &[]);
    assert_eq!(again.code, 1);
    assert!(
        again
            .stdout
            .contains("conflict: agent 3 ↔ agent-3: subject"),
        "{}",
        again.stdout
    );
    assert_eq!(state(&env, &dir), before);
    env.task(&[
        "edit",
        "agent-3",
        "--subject",
        "Write the logout endpoint (v2)",
    ])
    .ok();
    sync(&env, &dir, &[]).ok();
    let before = state(&env, &dir);
    sync(&env, &dir, &[]).ok();
    assert_eq!(state(&env, &dir), before);
}

#[test]
fn a_task_deleted_on_one_side_follows_on_the_other_unless_it_changed_there() {
    let (env, dir) = setup();
    sync(&env, &dir, &[]).ok();
    // The agent deletes 4 (its file goes); git-task cancels 3.
    fs::remove_file(dir.join("4.json")).unwrap();
    env.task(&["cancel", "agent-3"]).ok();
    let report = sync(&env, &dir, &["--json"]).json();
    assert_eq!(
        report["cancelled"],
        json!([{"agent_id": "4", "id": "agent-4"}])
    );
    assert_eq!(
        report["removed_files"],
        json!([{"agent_id": "3", "id": "agent-3"}])
    );
    assert_eq!(task(&env, "agent-4")["status"], "cancelled");
    assert!(!dir.join("3.json").exists());
    // As the agent deletes a task: out of every other's edges, and its id
    // kept from being given again.
    assert_eq!(agent(&dir, "1")["blocks"], json!(["2"]));
    assert_eq!(fs::read_to_string(dir.join(".highwatermark")).unwrap(), "5");

    // Deleted in the agent while changed in git-task: a conflict, and
    // nothing changes.
    fs::remove_file(dir.join("2.json")).unwrap();
    env.task(&["edit", "agent-2", "--subject", "Login endpoint"])
        .ok();
    let before = state(&env, &dir);
    let run = sync(&env, &dir, &["--json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.json();
    assert_eq!(report["conflicts"][0]["field"], "deleted", "{report}");
    assert_eq!(report["conflicts"][0]["agent"], Value::Null);
    assert_eq!(report["conflicts"][0]["git"]["subject"], "Login endpoint");
    assert_eq!(task(&env, "agent-2")["status"], "in_progress");
    assert_eq!(state(&env, &dir), before);
}

#[test]
fn a_new_task_on_each_side_goes_to_the_other() {
    let (env, dir) = setup();
    sync(&env, &dir, &[]).ok();
    // The agent adds 7, waiting for 1; git-task adds a task after agent-4.
    fs::write(
        dir.join("7.json"),
        serde_json::to_string_pretty(&json!({
            "id": "7",
            "subject": "Document the login",
            "description": "",
            "activeForm": "Documenting the login",
            "status": "pending",
            "blocks": [],
            "blockedBy": ["1"],
        }))
        .unwrap(),
    )
    .unwrap();
    let release = env.add(&["Release the login", "--id", "release", "--after", "agent-4"]);
    assert_eq!(release, "release");
    let report = sync(&env, &dir, &["--push", "release", "--json"]).json();
    assert_eq!(
        report["created"],
        json!([{"agent_id": "7", "id": "agent-7"}])
    );
    assert_eq!(
        report["pushed"],
        json!([{"agent_id": "8", "id": "release"}])
    );
    assert_eq!(task(&env, "agent-7")["blocked_by"], json!(["agent-1"]));
    let pushed = fs::read_to_string(dir.join("8.json")).unwrap();
    assert_eq!(
        pushed,
        "{\n  \"id\": \"8\",\n  \"subject\": \"Release the login\",\n  \"description\": \"\",\n  \"status\": \"pending\",\n  \"blocks\": [],\n  \"blockedBy\": [\n    \"4\"\n  ]\n}"
    );
    assert_eq!(agent(&dir, "4")["blocks"], json!(["8"]));
    // Linked from now on: a change in the agent comes back.
    agent_edit(&dir, "8", |t| t["status"] = json!("in_progress"));
    sync(&env, &dir, &[]).ok();
    assert_eq!(task(&env, "release")["status"], "in_progress");
    let before = state(&env, &dir);
    let run = sync(&env, &dir, &["--push", "release"]);
    assert_eq!(
        run.ok().trim_end(),
        format!(
            "sync with agent {}: nothing to do",
            fs::canonicalize(&dir).unwrap().display()
        )
    );
    assert_eq!(state(&env, &dir), before);
}

#[test]
fn a_second_sync_changes_nothing() {
    let (env, dir) = setup();
    sync(&env, &dir, &[]).ok();
    agent_edit(&dir, "3", |t| {
        t["owner"] = json!("backend-dev");
        t["metadata"] = json!({"priority": "low", "gone": null});
    });
    env.task(&["edit", "agent-1", "--subject", "Design the schema"])
        .ok();
    env.task(&["dep", "rm", "agent-4", "agent-2"]).ok();
    sync(&env, &dir, &[]).ok();
    assert_eq!(
        agent(&dir, "3")["metadata"],
        json!({"priority": "low", "gone": null})
    );
    assert_eq!(agent(&dir, "2")["blocks"], json!([]));
    assert_eq!(agent(&dir, "4")["blockedBy"], json!(["3"]));
    let before = state(&env, &dir);
    let run = sync(&env, &dir, &[]);
    assert!(run.ok().contains("nothing to do"), "{}", run.stdout);
    assert_eq!(state(&env, &dir), before);
    let dry = sync(&env, &dir, &["--dry-run", "--json"]).json();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["updated_files"], json!([]));
}

#[test]
fn a_dry_run_writes_nothing() {
    let (env, dir) = setup();
    let before = env.snapshot();
    let run = sync(&env, &dir, &["--dry-run"]);
    assert!(
        run.ok().contains("(dry run, nothing written): 5 created"),
        "{}",
        run.stdout
    );
    assert_eq!(env.snapshot(), before);
    assert!(!env.repo.join(".git/git-task/sync").exists());
}

#[test]
fn a_malformed_agent_file_changes_nothing_and_names_its_line() {
    let (env, dir) = setup();
    sync(&env, &dir, &[]).ok();
    env.task(&["edit", "agent-1", "--subject", "Design it"])
        .ok();
    fs::write(
        dir.join("3.json"),
        "{\n  \"id\": \"3\",\n  \"subject\": \"Write the logout endpoint\",\n  \"status\": \"pending\"\n  \"blocks\": []\n}",
    )
    .unwrap();
    let before = state(&env, &dir);
    let run = sync(&env, &dir, &[]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("3.json:5:3"), "{}", run.stderr);
    assert!(run.stderr.contains("not valid JSON"), "{}", run.stderr);
    assert_eq!(state(&env, &dir), before);
}

#[test]
fn a_lost_base_links_the_tasks_again_by_their_origin() {
    let (env, dir) = setup();
    env.add(&["Release the login", "--id", "release"]);
    sync(&env, &dir, &["--push", "release"]).ok();
    assert_eq!(task(&env, "release")["origin"], "agent:7");
    let base_dir = env.repo.join(".git/git-task/sync");
    let base_file = fs::read_dir(&base_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let base = fs::read(&base_file).unwrap();
    fs::remove_file(&base_file).unwrap();
    let tasks = env.snapshot();
    let files: Vec<_> = state(&env, &dir)
        .into_iter()
        .filter(|(p, ..)| p.starts_with(&dir))
        .collect();

    let report = sync(&env, &dir, &["--json"]).json();
    let relinked: Vec<_> = report["relinked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["agent_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(relinked.len(), 6, "{report}");
    assert_eq!(report["created"], json!([]));
    assert_eq!(report["conflicts"], json!([]));
    assert_eq!(env.snapshot(), tasks);
    let again: Vec<_> = state(&env, &dir)
        .into_iter()
        .filter(|(p, ..)| p.starts_with(&dir))
        .collect();
    assert_eq!(again, files);
    assert_eq!(fs::read(&base_file).unwrap(), base, "the same base again");

    // With no base, a field that differs on the two sides is a conflict.
    fs::remove_file(&base_file).unwrap();
    agent_edit(&dir, "3", |t| t["subject"] = json!("Logout"));
    let run = sync(&env, &dir, &["--json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = run.json();
    assert_eq!(report["conflicts"][0]["field"], "subject");
    assert_eq!(report["conflicts"][0]["base"], Value::Null);
}

#[test]
fn a_renamed_task_stays_linked() {
    let (env, dir) = setup();
    sync(&env, &dir, &[]).ok();
    env.task(&["rename", "agent-3", "logout"]).ok();
    env.task(&["edit", "logout", "--subject", "Log out"]).ok();
    let report = sync(&env, &dir, &["--json"]).json();
    assert_eq!(report["removed_files"], json!([]), "{report}");
    assert_eq!(agent(&dir, "3")["subject"], "Log out");
    let before = state(&env, &dir);
    sync(&env, &dir, &[]).ok();
    assert_eq!(state(&env, &dir), before);
}

#[test]
fn the_agents_lock_on_its_list_is_waited_for_and_nothing_is_written_without_it() {
    let (env, dir) = setup();
    sync(&env, &dir, &[]).ok();
    // The agent holds its list (proper-lockfile's lock directory).
    fs::create_dir(dir.join(".lock.lock")).unwrap();
    // Nothing to write to the agent: the sync needs no lock.
    agent_edit(&dir, "3", |t| t["owner"] = json!("qa"));
    sync(&env, &dir, &[]).ok();
    assert_eq!(task(&env, "agent-3")["owner"], "qa");
    // Something to write to the agent: refused after waiting, nothing written.
    env.task(&["edit", "agent-3", "--subject", "Log out"]).ok();
    let before = state(&env, &dir);
    let run = sync(&env, &dir, &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("the agent holds its task list"),
        "{}",
        run.stderr
    );
    assert_eq!(state(&env, &dir), before);
    fs::remove_dir(dir.join(".lock.lock")).unwrap();
    sync(&env, &dir, &[]).ok();
    assert_eq!(agent(&dir, "3")["subject"], "Log out");
    assert!(!dir.join(".lock.lock").exists(), "the lock is given back");
}
