//! `git task log`: a task's history from real git histories, each commit
//! at its own pinned date.

use crate::common;

use std::path::Path;

use common::TestEnv;
use serde_json::json;

/// Stages everything and commits it with author and committer date `date`;
/// returns the commit's short sha as git abbreviates it.
fn commit(env: &TestEnv, date: &str, message: &str) -> String {
    commit_in(env, &env.repo, date, message)
}

fn commit_in(env: &TestEnv, dir: &Path, date: &str, message: &str) -> String {
    env.commit_at(dir, date, message)
}

/// The short shas `git log` lists for a task's file, newest first.
fn git_log(env: &TestEnv, dir: &Path, id: &str) -> Vec<String> {
    let out = env
        .command("git")
        .current_dir(dir)
        .args(["log", "--format=%h", "--", &format!(".tasks/{id}.toml")])
        .output()
        .expect("run git");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The shas `log --json` lists, abbreviated.
fn listed(json: &serde_json::Value) -> Vec<String> {
    json["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["short"].as_str().expect("short").to_owned())
        .collect()
}

fn full_sha(env: &TestEnv, short: &str) -> String {
    env.git(&["rev-parse", short]).ok().trim().to_owned()
}

/// The life of one task, a commit per step, with two commits in between
/// that touch only another task.
struct Migration {
    env: TestEnv,
    created: String,
    started: String,
    waits: String,
    noted: String,
    finished: String,
}

fn migration() -> Migration {
    let mut env = TestEnv::new();
    commit(&env, "2026-11-21T08:00:00Z", "Track tasks");
    env.at("2026-11-21T09:00:00Z");
    env.add(&[
        "Migrate the database",
        "--id",
        "migrate",
        "--criteria",
        "data copied",
    ]);
    let created = commit(&env, "2026-11-21T09:00:00Z", "Plan the migration");
    env.task(&["start", "migrate"]).ok();
    let started = commit(&env, "2026-11-21T09:30:00Z", "Start the migration");
    env.add(&["Freeze the schema", "--id", "schema"]);
    commit(&env, "2026-11-21T10:00:00Z", "Plan the schema freeze");
    env.task(&["dep", "add", "migrate", "schema"]).ok();
    let waits = commit(&env, "2026-11-21T10:30:00Z", "Wait for the schema");
    env.at("2026-11-21T11:00:00Z");
    env.task(&["note", "migrate", "copied half the rows"]).ok();
    let noted = commit(&env, "2026-11-21T11:00:00Z", "Note progress");
    env.done("schema");
    commit(&env, "2026-11-21T11:30:00Z", "Freeze the schema");
    env.task(&["criteria", "migrate", "--met", "1"]).ok();
    env.done("migrate");
    let finished = commit(&env, "2026-11-21T12:00:00Z", "Finish the migration");
    Migration {
        env,
        created,
        started,
        waits,
        noted,
        finished,
    }
}

impl Migration {
    fn expected_text(&self) -> String {
        format!(
            "\
{} 2026-11-21 12:00 Ana <ana@example.com>  Finish the migration
    status in_progress → completed
    criterion met: data copied
{} 2026-11-21 11:00 Ana <ana@example.com>  Note progress
    note by ana@example.com: copied half the rows
{} 2026-11-21 10:30 Ana <ana@example.com>  Wait for the schema
    now waits for schema
{} 2026-11-21 09:30 Ana <ana@example.com>  Start the migration
    status pending → in_progress
    owner (none) → ana@example.com
    started (none) → 2026-11-21T09:00:00Z
{} 2026-11-21 09:00 Ana <ana@example.com>  Plan the migration
    created: Migrate the database
",
            self.finished, self.noted, self.waits, self.started, self.created
        )
    }
}

#[test]
fn lists_each_commit_that_changed_the_task_with_what_changed() {
    let m = migration();
    let run = m.env.task(&["log", "migrate"]);
    assert_eq!(run.ok(), m.expected_text());
    assert_eq!(run.stderr, "");
    // The commits that touched only `schema` are not listed, exactly as
    // git itself lists the file's history; a prefix works as elsewhere.
    let json = m.env.task(&["log", "mig", "--json"]).json();
    assert_eq!(listed(&json), git_log(&m.env, &m.env.repo, "migrate"));
    assert_eq!(listed(&json).len(), 5);
}

#[test]
fn json_has_every_commit_with_its_changes() {
    let m = migration();
    let json = m.env.task(&["log", "migrate", "--json"]).json();
    let entry =
        |short: &str, date: &str, subject: &str, status: &str, changes: serde_json::Value| {
            json!({
                "commit": full_sha(&m.env, short),
                "short": short,
                "author": "Ana",
                "email": "ana@example.com",
                "date": date,
                "subject": subject,
                "created": false,
                "removed": false,
                "task_subject": "Migrate the database",
                "task_status": status,
                "changes": changes,
                "parse_error": null,
                "parses_again": false,
                "boundary": false,
            })
        };
    let mut created = entry(
        &m.created,
        "2026-11-21T09:00:00Z",
        "Plan the migration",
        "pending",
        json!([]),
    );
    created["created"] = json!(true);
    assert_eq!(
        json,
        json!({
            "version": 1,
            "id": "migrate",
            "commits": [
                entry(&m.finished, "2026-11-21T12:00:00Z", "Finish the migration", "completed", json!([
                    { "change": "status", "from": "in_progress", "to": "completed" },
                    { "change": "criterion_met", "text": "data copied" },
                ])),
                entry(&m.noted, "2026-11-21T11:00:00Z", "Note progress", "in_progress", json!([
                    {
                        "change": "note_added",
                        "at": "2026-11-21T11:00:00Z",
                        "by": "ana@example.com",
                        "text": "copied half the rows",
                    },
                ])),
                entry(&m.waits, "2026-11-21T10:30:00Z", "Wait for the schema", "in_progress", json!([
                    { "change": "blocker_added", "id": "schema" },
                ])),
                entry(&m.started, "2026-11-21T09:30:00Z", "Start the migration", "in_progress", json!([
                    { "change": "status", "from": "pending", "to": "in_progress" },
                    { "change": "field", "field": "owner", "from": null, "to": "ana@example.com" },
                    { "change": "field", "field": "started", "from": null, "to": "2026-11-21T09:00:00Z" },
                ])),
                created,
            ],
            "truncated": false,
            "shallow_boundary": [],
        })
    );
}

#[test]
fn max_count_keeps_the_newest_commits() {
    let m = migration();
    let run = m.env.task(&["log", "migrate", "-n", "2"]);
    let expected: String = m
        .expected_text()
        .lines()
        .take(5)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(run.ok(), expected);
    let json = m
        .env
        .task(&["log", "migrate", "--max-count", "1", "--json"])
        .json();
    assert_eq!(listed(&json), std::slice::from_ref(&m.finished));
}

#[test]
fn an_unknown_id_is_bad_input() {
    let m = migration();
    let run = m.env.task(&["log", "nope"]);
    run.code(2);
    assert_eq!(run.stdout, "");
    run.assert_stderr("error: no task has the id `nope`");
    m.env.task(&["log", "Not An Id"]).code(2);
}

#[test]
fn a_removed_task_is_found_by_its_full_id() {
    let env = TestEnv::new();
    env.add(&["Old work", "--id", "old-work"]);
    env.add(&["Other", "--id", "other"]);
    let created = commit(&env, "2026-11-21T09:00:00Z", "Add the old work");
    env.task(&["rm", "old-work"]).ok();
    let removed = commit(&env, "2026-11-21T10:00:00Z", "Drop the old work");
    let run = env.task(&["log", "old-work"]);
    assert_eq!(
        run.ok(),
        format!(
            "\
{removed} 2026-11-21 10:00 Ana <ana@example.com>  Drop the old work
    removed
{created} 2026-11-21 09:00 Ana <ana@example.com>  Add the old work
    created: Old work
"
        )
    );
    let json = env.task(&["log", "old-work", "--json"]).json();
    assert_eq!(json["commits"][0]["removed"], json!(true));
    assert_eq!(json["commits"][0]["task_subject"], json!(null));
    // Prefixes name tasks of the working tree only.
    env.task(&["log", "old"]).code(2);
}

#[test]
fn a_task_not_yet_committed_has_an_empty_history() {
    let env = TestEnv::new();
    commit(&env, "2026-11-21T09:00:00Z", "Track tasks");
    env.add(&["New", "--id", "new"]);
    let run = env.task(&["log", "new"]);
    assert_eq!(run.ok(), "");
    assert_eq!(run.stderr, "no commit has changed .tasks/new.toml yet\n");
}

#[test]
fn a_version_that_does_not_parse_is_reported_not_fatal() {
    let env = TestEnv::new();
    env.add(&["Fragile", "--id", "fragile"]);
    let created = commit(&env, "2026-11-21T09:00:00Z", "Add it");
    env.write("fragile", "subject = \"Fragile\"\nblocked-by = [\"x\"]\n");
    let broken = commit(&env, "2026-11-21T10:00:00Z", "Break it");
    env.write("fragile", "subject = \"Fragile\"\npriority = \"high\"\n");
    let fixed = commit(&env, "2026-11-21T11:00:00Z", "Fix it");
    let run = env.task(&["log", "fragile"]);
    assert_eq!(
        run.ok(),
        format!(
            "\
{fixed} 2026-11-21 11:00 Ana <ana@example.com>  Fix it
    the file parses again
{broken} 2026-11-21 10:00 Ana <ana@example.com>  Break it
    the file did not parse here: 2:1: unknown field `blocked-by`, expected one of `subject`, `status`, `kind`, `priority`, `parent`, `blocked_by`, `gate`, `owner`, `estimate`, `due`, `labels`, `verify`, `created`, `started`, `closed`, `plan_key`, `origin`, `description`, `criteria`, `waiver`, `notes`, `meta`
{created} 2026-11-21 09:00 Ana <ana@example.com>  Add it
    created: Fragile
"
        )
    );
}

/// A repository without hooks or merge driver, so git merges task files
/// line by line: what is tested is the walk, not the merge.
fn plain() -> TestEnv {
    let env = TestEnv::git_repo();
    env.task(&["init", "--no-hooks"]).ok();
    env
}

#[test]
fn a_merge_is_listed_only_when_it_differs_from_every_parent() {
    let env = plain();
    let task = |priority: &str, labels: &str| {
        format!(
            "subject = \"A\"\npriority = \"{priority}\"\nestimate = \"1d\"\ndue = 2026-12-01\nlabels = [{labels}]\n"
        )
    };
    env.write("a", &task("medium", "\"x\""));
    env.write("b", "subject = \"B\"\n");
    let base = commit(&env, "2026-11-21T09:00:00Z", "Add a and b");
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    env.write("a", &task("high", "\"x\""));
    env.write("b", "subject = \"B\"\nstatus = \"in_progress\"\n");
    let side = commit(&env, "2026-11-21T10:00:00Z", "Raise a, start b");
    env.git(&["checkout", "-q", "main"]).ok();
    env.write("a", &task("medium", "\"db\""));
    let main = commit(&env, "2026-11-21T10:30:00Z", "Relabel a");
    let merge = {
        let out = env
            .command("git")
            .env("GIT_AUTHOR_DATE", "2026-11-21T11:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-21T11:00:00Z")
            .args(["merge", "-q", "--no-ff", "side", "-m", "Merge side"])
            .output()
            .expect("git merge");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        env.git(&["rev-parse", "--short", "HEAD"])
            .ok()
            .trim()
            .to_owned()
    };
    assert_eq!(env.read("a"), task("high", "\"db\""));

    // Both sides changed `a`: the merge is a version of its own, described
    // against the branch it was merged into.
    let run = env.task(&["log", "a"]);
    assert_eq!(
        run.ok(),
        format!(
            "\
{merge} 2026-11-21 11:00 Ana <ana@example.com>  Merge side
    priority medium → high
{main} 2026-11-21 10:30 Ana <ana@example.com>  Relabel a
    label +db
    label -x
{side} 2026-11-21 10:00 Ana <ana@example.com>  Raise a, start b
    priority medium → high
{base} 2026-11-21 09:00 Ana <ana@example.com>  Add a and b
    created: A
"
        )
    );
    assert_eq!(
        listed(&env.task(&["log", "a", "--json"]).json()),
        git_log(&env, &env.repo, "a")
    );

    // Only the side branch changed `b`: the merge took its version as it
    // was, and is not listed.
    let run = env.task(&["log", "b"]);
    assert_eq!(
        run.ok(),
        format!(
            "\
{side} 2026-11-21 10:00 Ana <ana@example.com>  Raise a, start b
    status pending → in_progress
{base} 2026-11-21 09:00 Ana <ana@example.com>  Add a and b
    created: B
"
        )
    );
    assert_eq!(
        listed(&env.task(&["log", "b", "--json"]).json()),
        git_log(&env, &env.repo, "b")
    );
}

#[test]
fn a_side_branch_the_merge_did_not_keep_is_not_listed() {
    // `git merge -s ours` keeps main's tree: for git the side branch's
    // change to the task is not part of the file's history.
    let env = plain();
    env.write("a", "subject = \"A\"\n");
    let base = commit(&env, "2026-11-21T09:00:00Z", "Add a");
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    env.write("a", "subject = \"A\"\nstatus = \"cancelled\"\n");
    commit(&env, "2026-11-21T10:00:00Z", "Cancel a");
    env.git(&["checkout", "-q", "main"]).ok();
    let out = env
        .command("git")
        .env("GIT_AUTHOR_DATE", "2026-11-21T11:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-21T11:00:00Z")
        .args([
            "merge",
            "-q",
            "-s",
            "ours",
            "side",
            "-m",
            "Merge side, keep ours",
        ])
        .output()
        .expect("git merge");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = env.task(&["log", "a", "--json"]).json();
    assert_eq!(listed(&json), [base]);
    assert_eq!(listed(&json), git_log(&env, &env.repo, "a"));
}

#[test]
fn works_in_a_linked_worktree() {
    let m = migration();
    let env = &m.env;
    let wt = env.dir.path().join("wt");
    env.git(&["worktree", "add", "-q", "-b", "wt", wt.to_str().unwrap()])
        .ok();
    assert_eq!(
        env.task_in(&wt, &["log", "migrate"]).ok(),
        m.expected_text()
    );
    // A commit in the worktree is its branch's history, not main's.
    env.task_in(&wt, &["reopen", "migrate"]).ok();
    let reopened = commit_in(env, &wt, "2026-11-21T13:00:00Z", "Reopen the migration");
    let run = env.task_in(&wt, &["log", "migrate", "-n", "1"]);
    assert_eq!(
        run.ok(),
        format!(
            "{reopened} 2026-11-21 13:00 Ana <ana@example.com>  Reopen the migration\n    status completed → pending\n    started 2026-11-21T09:00:00Z → (none)\n"
        )
    );
    assert_eq!(env.task(&["log", "migrate"]).ok(), m.expected_text());
}

#[test]
fn a_shallow_clone_says_where_history_stops() {
    let m = migration();
    let env = &m.env;
    let clone = env.dir.path().join("shallow");
    let url = format!("file://{}", env.repo.display());
    env.git(&["clone", "-q", "--depth", "2", &url, clone.to_str().unwrap()])
        .ok();
    // Depth 2: the last commit and its parent, which touched only `schema`
    // and whose own parents are missing.
    let boundary = env
        .git(&["rev-parse", "--short", "HEAD~1"])
        .ok()
        .trim()
        .to_owned();
    let run = env.task_in(&clone, &["log", "migrate"]);
    // What history there is, then the task as the boundary commit has it.
    assert_eq!(
        run.ok(),
        format!(
            "{} 2026-11-21 12:00 Ana <ana@example.com>  Finish the migration\n    status in_progress → completed\n    criterion met: data copied\n{boundary} 2026-11-21 11:30 Ana <ana@example.com>  Freeze the schema\n    history cut here (shallow clone); the task here: \"Migrate the database\", in_progress\n",
            m.finished
        )
    );
    assert_eq!(
        run.stderr,
        format!(
            "history stops at {boundary} (shallow clone)\nhint: `git fetch --unshallow` fetches the rest of the history\n"
        )
    );
    let json = env.task_in(&clone, &["log", "migrate", "--json"]).json();
    assert_eq!(json["truncated"], json!(true));
    assert_eq!(json["shallow_boundary"], json!([full_sha(env, &boundary)]));
    let last = &json["commits"][1];
    assert_eq!(last["boundary"], json!(true), "{json}");
    assert_eq!(last["task_status"], json!("in_progress"), "{json}");
    assert_eq!(last["created"], json!(false), "{json}");

    // At depth 1 the only commit holds the task, but it did not create it:
    // the log shows the task as it is there, and says the history is cut.
    let clone = env.dir.path().join("shallow1");
    env.git(&["clone", "-q", "--depth", "1", &url, clone.to_str().unwrap()])
        .ok();
    let run = env.task_in(&clone, &["log", "migrate"]);
    assert_eq!(
        run.ok(),
        format!(
            "{} 2026-11-21 12:00 Ana <ana@example.com>  Finish the migration\n    history cut here (shallow clone); the task here: \"Migrate the database\", completed\n",
            m.finished
        )
    );
    assert!(!run.stdout.contains("created"), "{}", run.stdout);
    assert!(
        run.stderr.starts_with(&format!(
            "history stops at {} (shallow clone)\n",
            m.finished
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn works_in_a_bare_repository() {
    let m = migration();
    let env = &m.env;
    let bare = env.dir.path().join("bare.git");
    env.git(&[
        "clone",
        "-q",
        "--bare",
        env.repo.to_str().unwrap(),
        bare.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(env.task_in(&bare, &["log", "mig"]).ok(), m.expected_text());
    env.task_in(&bare, &["log", "nope"]).code(2);
}

#[test]
fn a_parent_dated_after_its_child_is_still_listed() {
    // `side` forks from P, but its commit C carries an older date than P
    // (a skewed clock). The merge keeps C's version of the task, so git
    // follows the merge into C only, and from C to P, which the walk by
    // date reaches before C.
    let env = plain();
    env.write("t", "subject = \"T\"\n");
    let base = commit(&env, "2026-11-21T09:00:00Z", "Add t");
    env.write("t", "subject = \"T\"\nstatus = \"in_progress\"\n");
    let p = commit(&env, "2026-11-21T11:30:00Z", "Start t");
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    env.write("u", "subject = \"U\"\n");
    commit(&env, "2026-11-21T10:00:00Z", "Add u");
    env.git(&["checkout", "-q", "main"]).ok();
    env.write(
        "t",
        "subject = \"T\"\nstatus = \"in_progress\"\npriority = \"high\"\n",
    );
    commit(&env, "2026-11-21T12:00:00Z", "Raise t");
    env.git(&["merge", "-q", "--no-ff", "--no-commit", "side"])
        .ok();
    env.git(&["checkout", "side", "--", ".tasks/t.toml"]).ok();
    commit(&env, "2026-11-21T13:00:00Z", "Merge side, keep its t");
    let json = env.task(&["log", "t", "--json"]).json();
    assert_eq!(listed(&json), [p, base]);
    assert_eq!(listed(&json), git_log(&env, &env.repo, "t"));
}
