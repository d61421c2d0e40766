//! End-to-end tests: the real binary in throwaway git repositories.

use crate::common;

use common::TestEnv;

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------
// The five orchestration patterns, with `ready` after every completion.

#[test]
fn sequential_chain_unblocks_one_at_a_time() {
    let env = TestEnv::new();
    env.add(&["Back up the database", "--id", "backup"]);
    env.add(&["Run the migration", "--id", "migrate", "--after", "backup"]);
    env.add(&[
        "Check the schema",
        "--id",
        "check-schema",
        "--after",
        "migrate",
    ]);
    assert_eq!(env.ready(), ids(&["backup"]));
    env.done("backup");
    assert_eq!(env.ready(), ids(&["migrate"]));
    env.done("migrate");
    assert_eq!(env.ready(), ids(&["check-schema"]));
    env.done("check-schema");
    assert_eq!(env.ready(), Vec::<String>::new());
}

#[test]
fn parallel_tasks_are_all_ready() {
    let mut env = TestEnv::new();
    env.at("2026-11-21T10:00:01Z");
    env.add(&["Write docs", "--id", "docs"]);
    env.at("2026-11-21T10:00:02Z");
    env.add(&["Fix the login bug", "--id", "login", "--priority", "high"]);
    env.at("2026-11-21T10:00:03Z");
    env.add(&["Upgrade deps", "--id", "deps"]);
    // Priority first, then creation time.
    assert_eq!(env.ready(), ids(&["login", "docs", "deps"]));
    env.done("login");
    assert_eq!(env.ready(), ids(&["docs", "deps"]));
    env.done("deps");
    assert_eq!(env.ready(), ids(&["docs"]));
}

#[test]
fn fan_out_parent_waits_for_its_children() {
    let env = TestEnv::new();
    env.add(&["Security audit", "--id", "audit", "--kind", "epic"]);
    for tool in ["semgrep", "trivy", "gitleaks"] {
        env.add(&[&format!("Run {tool}"), "--id", tool, "--parent", "audit"]);
    }
    assert_eq!(env.ready(), ids(&["gitleaks", "semgrep", "trivy"]));
    let refused = env.task(&["done", "audit"]);
    refused.code(1);
    refused.assert_stderr("gitleaks");
    env.done("semgrep");
    env.done("trivy");
    assert_eq!(env.ready(), ids(&["gitleaks"]));
    env.done("gitleaks");
    assert_eq!(env.ready(), ids(&["audit"]));
    env.done("audit");
    assert_eq!(env.ready(), Vec::<String>::new());
}

#[test]
fn fan_in_waits_for_all() {
    let env = TestEnv::new();
    for a in ["pg", "mysql", "sqlite"] {
        env.add(&[&format!("{a} adapter"), "--id", a]);
    }
    env.add(&[
        "Integration tests",
        "--id",
        "integration",
        "--after",
        "pg",
        "mysql",
        "sqlite",
    ]);
    assert_eq!(env.ready(), ids(&["mysql", "pg", "sqlite"]));
    env.done("pg");
    env.done("mysql");
    assert_eq!(env.ready(), ids(&["sqlite"]));
    let blocked = env.task(&["blocked"]);
    assert!(
        blocked
            .ok()
            .contains("waits for sqlite \"sqlite adapter\" (pending)"),
        "{}",
        blocked.stdout
    );
    env.done("sqlite");
    assert_eq!(env.ready(), ids(&["integration"]));
}

#[test]
fn pipeline_stage_waits_for_the_whole_previous_stage() {
    let env = TestEnv::new();
    env.add(&["Build linux", "--id", "build-linux"]);
    env.add(&["Build mac", "--id", "build-mac"]);
    env.add(&[
        "Builds pass",
        "--id",
        "build-gate",
        "--gate",
        "--after",
        "build-linux",
        "build-mac",
    ]);
    env.add(&["Unit tests", "--id", "test-unit", "--after", "build-gate"]);
    env.add(&["E2E tests", "--id", "test-e2e", "--after", "build-gate"]);
    env.add(&[
        "Tests pass",
        "--id",
        "test-gate",
        "--gate",
        "--after",
        "test-unit",
        "test-e2e",
    ]);
    env.add(&["Deploy", "--id", "deploy", "--after", "test-gate"]);

    assert_eq!(env.ready(), ids(&["build-linux", "build-mac"]));
    env.done("build-linux");
    assert_eq!(env.ready(), ids(&["build-mac"]));
    env.done("build-mac");
    assert_eq!(env.ready(), ids(&["build-gate"]));
    env.done("build-gate");
    assert_eq!(env.ready(), ids(&["test-e2e", "test-unit"]));
    env.done("test-unit");
    assert_eq!(env.ready(), ids(&["test-e2e"]));
    env.done("test-e2e");
    assert_eq!(env.ready(), ids(&["test-gate"]));
    env.done("test-gate");
    assert_eq!(env.ready(), ids(&["deploy"]));
}

#[test]
fn children_inherit_the_blockers_of_their_ancestors() {
    let env = TestEnv::new();
    env.add(&["Design", "--id", "design", "--kind", "epic"]);
    env.add(&[
        "Build", "--id", "build", "--kind", "epic", "--after", "design",
    ]);
    env.add(&[
        "Story", "--id", "story", "--kind", "story", "--parent", "build",
    ]);
    env.add(&["Task", "--id", "leaf", "--parent", "story"]);
    assert_eq!(env.ready(), ids(&["design"]));
    let show = env.task(&["show", "leaf"]);
    assert!(
        show.ok()
            .contains("design \"Design\" (pending), inherited from build"),
        "{}",
        show.stdout
    );
    env.done("design");
    assert_eq!(env.ready(), ids(&["leaf"]));
}

#[test]
fn cancelled_blockers_do_not_hold_back() {
    let env = TestEnv::new();
    env.add(&["Spike", "--id", "spike"]);
    env.add(&["Build", "--id", "build", "--after", "spike"]);
    env.task(&["cancel", "spike"]).ok();
    assert_eq!(env.ready(), ids(&["build"]));
    env.task(&["reopen", "spike"]).ok();
    assert_eq!(env.ready(), ids(&["spike"]));
}

// ---------------------------------------------------------------------------
// Bad input: clear errors, the right exit code, nothing changed.

#[test]
fn a_malformed_file_is_named_with_its_line_and_nothing_changes() {
    let env = TestEnv::new();
    env.add(&["Good", "--id", "good"]);
    env.write("broken", "subject = \"Broken\"\nstatus = \"pending\n");
    let before = env.snapshot();
    for args in [
        &["list"][..],
        &["ready"],
        &["start", "good"],
        &["add", "New"],
        &["note", "good", "x"],
    ] {
        let run = env.task(args);
        run.code(2);
        assert!(
            run.stderr.contains(".tasks/broken.toml:2:"),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(env.snapshot(), before, "{args:?} changed files");
    }
}

#[test]
fn an_unknown_key_is_an_error_with_its_line() {
    let env = TestEnv::new();
    env.write("typo", "subject = \"Typo\"\nblocked-by = [\"x\"]\n");
    let run = env.task(&["list"]);
    run.code(2);
    run.assert_stderr(".tasks/typo.toml:2:1: unknown field `blocked-by`");
    // Free-form keys belong in [meta], where anything goes.
    env.write(
        "typo",
        "subject = \"Typo\"\n\n[meta]\nblocked-by = [\"x\"]\n",
    );
    env.task(&["list"]).ok();
}

#[test]
fn an_unknown_enum_value_is_an_error() {
    let env = TestEnv::new();
    env.write("bad", "subject = \"Bad\"\npriority = \"urgent\"\n");
    let run = env.task(&["show", "bad"]);
    run.code(2);
    run.assert_stderr(".tasks/bad.toml:2:");
    run.assert_stderr("urgent");
    let run = env.task(&["add", "X", "--priority", "urgent"]);
    run.code(2);
}

#[test]
fn path_like_ids_are_rejected_before_any_file_is_touched() {
    let env = TestEnv::new();
    let before = env.snapshot();
    for bad in ["../x", "A/b", "a/b", "Upper", "config", "", "x.toml"] {
        let run = env.task(&["add", "Evil", "--id", bad]);
        run.code(2);
        assert!(
            run.stderr.contains("not a valid task id"),
            "{bad}: {}",
            run.stderr
        );
        assert_eq!(env.snapshot(), before);
    }
    assert!(!env.repo.join("x.toml").exists());
    for bad in ["../x", "A/b"] {
        env.task(&["show", bad]).code(2);
        env.task(&["rm", bad]).code(2);
    }
}

#[test]
fn an_ambiguous_prefix_lists_the_candidates() {
    let env = TestEnv::new();
    env.add(&["First", "--id", "abc1"]);
    env.add(&["Second", "--id", "abc2"]);
    let run = env.task(&["show", "abc"]);
    run.code(2);
    run.assert_stderr("`abc` is ambiguous");
    assert!(
        run.stderr.contains("abc1  First") && run.stderr.contains("abc2  Second"),
        "{}",
        run.stderr
    );
    let run = env.task(&["show", "abc2"]);
    assert!(run.ok().contains("Second"));
    env.task(&["show", "nope"]).code(2);
}

#[test]
fn generated_ids_resolve_from_a_prefix() {
    let env = TestEnv::new();
    let id = env.add(&["Generated"]);
    assert_eq!(id.len(), 10);
    assert!(
        id.bytes()
            .all(|b| b"0123456789abcdefghjkmnpqrstvwxyz".contains(&b)),
        "{id}"
    );
    let run = env.task(&["show", &id[..4], "--json"]);
    assert_eq!(run.json()["task"]["id"], id.as_str());
    assert_eq!(run.json()["task"]["short_id"], &id[..4]);
}

#[test]
fn dep_add_refuses_a_cycle_and_names_it() {
    let env = TestEnv::new();
    env.add(&["A", "--id", "a"]);
    env.add(&["B", "--id", "b", "--after", "a"]);
    env.add(&["C", "--id", "c", "--after", "b"]);
    let before = env.snapshot();
    let run = env.task(&["dep", "add", "a", "c"]);
    run.code(1);
    run.assert_stderr("a \"A\" → c \"C\" → b \"B\" → a \"A\"");
    assert_eq!(env.snapshot(), before);
    // The hint names an edge the change did not write, as a command that
    // opens the cycle; after it, the change goes through.
    let hint = "hint: to keep this change, open the cycle elsewhere: git task dep rm c b";
    run.assert_stderr(hint);
    env.task(&["dep", "rm", "c", "b"]).ok();
    env.task(&["dep", "add", "a", "c"]).ok();
    // Through the hierarchy: a parent blocked by its own child.
    env.task(&["dep", "rm", "a", "c"]).ok();
    env.add(&["Epic", "--id", "epic", "--kind", "epic"]);
    env.add(&["Part", "--id", "part", "--parent", "epic"]);
    let before = env.snapshot();
    env.task(&["dep", "add", "epic", "part"]).code(1);
    env.task(&["edit", "epic", "--parent", "part"]).code(1);
    assert_eq!(env.snapshot(), before);
    env.task(&["dep", "add", "a", "a"]).code(1);
}

#[test]
fn dep_add_and_rm_edit_blocked_by() {
    let env = TestEnv::new();
    env.add(&["A", "--id", "a"]);
    env.add(&["B", "--id", "b"]);
    env.add(&["C", "--id", "c"]);
    env.task(&["dep", "add", "c", "a", "b"]).ok();
    assert!(
        env.read("c").contains("blocked_by = [\"a\", \"b\"]"),
        "{}",
        env.read("c")
    );
    assert_eq!(env.ready(), ids(&["a", "b"]));
    env.task(&["dep", "rm", "c", "a"]).ok();
    assert!(env.read("c").contains("blocked_by = [\"b\"]"));
    env.task(&["dep", "rm", "c", "b"]).ok();
    assert!(!env.read("c").contains("blocked_by"));
    env.task(&["dep", "add", "c", "zzz"]).code(2);
}

#[test]
fn rm_refuses_a_referenced_task_unless_forced() {
    let env = TestEnv::new();
    env.add(&["Epic", "--id", "epic", "--kind", "epic"]);
    env.add(&["Base", "--id", "base"]);
    env.add(&[
        "Child", "--id", "child", "--parent", "epic", "--after", "base",
    ]);
    let before = env.snapshot();
    let run = env.task(&["rm", "base"]);
    run.code(1);
    run.assert_stderr("child \"Child\" (blocked_by)");
    env.task(&["rm", "epic"]).code(1);
    assert_eq!(env.snapshot(), before);
    env.task(&["rm", "base", "--force"]).ok();
    assert!(!env.tasks_dir().join("base.toml").exists());
    assert!(!env.read("child").contains("blocked_by"));
    env.task(&["rm", "child"]).ok();
    env.task(&["rm", "epic"]).ok();
    env.task(&["show", "epic"]).code(2);
}

#[test]
fn done_refuses_open_blockers_and_unmet_criteria() {
    let env = TestEnv::new();
    env.add(&["Blocker", "--id", "blocker"]);
    env.add(&[
        "Work",
        "--id",
        "work",
        "--after",
        "blocker",
        "--criteria",
        "tests pass",
        "docs updated",
    ]);
    let before = env.snapshot();
    let run = env.task(&["done", "work"]);
    run.code(1);
    run.assert_stderr("blocker \"Blocker\" (pending)");
    assert!(
        run.stderr.contains("1. tests pass") && run.stderr.contains("2. docs updated"),
        "{}",
        run.stderr
    );
    assert_eq!(env.snapshot(), before);

    env.done("blocker");
    env.task(&["done", "work"]).code(1);
    env.task(&["criteria", "work", "--met", "1", "2"]).ok();
    let listed = env.task(&["criteria", "work"]);
    assert_eq!(listed.ok(), "1. [x] tests pass\n2. [x] docs updated\n");
    env.task(&["criteria", "work", "--met", "3"]).code(2);
    env.done("work");
    let task = env.task(&["show", "work", "--json"]).json();
    assert_eq!(task["task"]["status"], "completed");
    assert_eq!(task["task"]["closed"], "2026-11-21T10:00:00Z");
}

#[test]
fn done_runs_verify_and_refuses_when_it_fails() {
    let env = TestEnv::new();
    env.add(&["Check", "--id", "check", "--verify", "test -f proof.txt"]);
    let run = env.task(&["done", "check"]);
    run.code(1);
    run.assert_stderr("verify command failed");
    env.task(&["done", "check", "--no-verify"]).ok();
    env.task(&["reopen", "check"]).ok();
    std::fs::write(env.repo.join("proof.txt"), "").unwrap();
    // The command runs in the root even when git-task is started below it.
    std::fs::create_dir_all(env.repo.join("sub")).unwrap();
    env.task_in(&env.repo.join("sub"), &["done", "check"]).ok();
}

#[test]
fn done_force_completes_anyway() {
    let env = TestEnv::new();
    env.add(&["Blocker", "--id", "blocker"]);
    env.add(&[
        "Work",
        "--id",
        "work",
        "--after",
        "blocker",
        "--criteria",
        "x",
    ]);
    env.task(&["done", "work", "--force"]).ok();
    assert!(env.read("work").contains("status = \"completed\""));
}

#[test]
fn start_refuses_blocked_and_held_tasks() {
    let env = TestEnv::new();
    env.add(&["Blocker", "--id", "blocker"]);
    env.add(&["Work", "--id", "work", "--after", "blocker"]);
    env.task(&["start", "work"]).code(1);
    env.task(&["start", "blocker"]).ok();
    assert!(env.read("blocker").contains("owner = \"ana@example.com\""));
    let run = env.task(&["start", "blocker", "--owner", "bo@example.com"]);
    run.code(1);
    run.assert_stderr("held by ana@example.com");
    env.task(&["start", "blocker", "--owner", "bo@example.com", "--force"])
        .ok();
    assert!(env.read("blocker").contains("owner = \"bo@example.com\""));
    env.task(&["reset", "blocker"]).ok();
    let text = env.read("blocker");
    assert!(
        !text.contains("owner") && !text.contains("status"),
        "{text}"
    );
}

#[test]
fn outside_a_repository_and_without_tasks_the_error_says_what_to_run() {
    let env = TestEnv::bare_dir();
    let run = env.task(&["list"]);
    run.code(2);
    run.assert_stderr("not in a git repository");

    let env = TestEnv::git_repo();
    let run = env.task(&["list"]);
    run.code(2);
    run.assert_stderr("no .tasks/ directory");
    run.assert_stderr("git task init");
}

#[test]
fn a_bare_repository_is_refused_clearly() {
    let env = TestEnv::bare_dir();
    env.git(&["init", "-q", "--bare", "."]).ok();
    let run = env.task(&["list"]);
    run.code(2);
    run.assert_stderr("bare repository");
}

#[test]
fn init_is_idempotent_and_keeps_an_edited_config() {
    let env = TestEnv::git_repo();
    assert_eq!(
        env.task(&["init", "--no-hooks"]).ok(),
        "created .tasks\ncreated .tasks/config.toml\ncreated .tasks/.gitignore\ncreated .gitattributes\n"
    );
    std::fs::write(env.tasks_dir().join("config.toml"), "[ids]\nlength = 12\n").unwrap();
    assert!(
        env.task(&["init", "--no-hooks"])
            .ok()
            .starts_with("already initialized")
    );
    assert_eq!(
        std::fs::read_to_string(env.tasks_dir().join("config.toml")).unwrap(),
        "[ids]\nlength = 12\n"
    );
    assert_eq!(env.add(&["Long id"]).len(), 12);
}

// ---------------------------------------------------------------------------
// Files: format-preserving edits, discovery, worktrees.

const HAND_EDITED: &str = r#"# Migration plan, written by hand.
subject = "Run the migration"   # keep this short
priority = "high"

# What the ops team asked for:
description = """
Run it during the maintenance window.
"""

[meta]
ticket = "OPS-42"   # the change request
"#;

#[test]
fn a_hand_edited_file_keeps_its_comments_and_changes_only_the_lines_it_must() {
    let env = TestEnv::new();
    env.write("migrate", HAND_EDITED);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "plan"]).ok();

    env.task(&["start", "migrate"]).ok();
    let diff = env.git(&["diff", "-U0", "--no-color", "--", ".tasks/migrate.toml"]);
    let changed: Vec<&str> = diff
        .ok()
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        [
            "+status = \"in_progress\"",
            "+owner = \"ana@example.com\"",
            "+started = 2026-11-21T10:00:00Z"
        ],
        "{}",
        diff.stdout
    );
    env.git(&["commit", "-qam", "start"]).ok();

    env.task(&["note", "migrate", "ran on staging"]).ok();
    let diff = env.git(&["diff", "-U0", "--no-color", "--", ".tasks/migrate.toml"]);
    let changed: Vec<&str> = diff
        .ok()
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert!(
        changed.iter().all(|l| l.starts_with('+')),
        "{}",
        diff.stdout
    );
    assert!(
        changed.contains(&"+[[notes]]") && changed.contains(&"+text = \"ran on staging\""),
        "{}",
        diff.stdout
    );
    let text = env.read("migrate");
    assert!(text.starts_with(
        "# Migration plan, written by hand.\nsubject = \"Run the migration\"   # keep this short\n"
    ));
    assert!(text.contains("ticket = \"OPS-42\"   # the change request\n"));
    // The note goes before [meta], where git-task would have written it.
    assert!(
        text.find("[[notes]]").unwrap() < text.find("[meta]").unwrap(),
        "{text}"
    );
}

#[test]
fn new_task_files_are_written_in_the_documented_key_order() {
    let env = TestEnv::new();
    env.add(&["Parent", "--id", "p", "--kind", "epic"]);
    env.add(&["Blocker", "--id", "b"]);
    env.add(&[
        "Everything",
        "--id",
        "all",
        "--kind",
        "story",
        "--priority",
        "high",
        "--parent",
        "p",
        "--after",
        "b",
        "--gate",
        "--owner",
        "ana@example.com",
        "--estimate",
        "2d",
        "--due",
        "2026-12-01",
        "--label",
        "db",
        "--verify",
        "true",
        "--description",
        "Line one\nLine two",
        "--criteria",
        "schema is 42",
    ]);
    assert_eq!(
        env.read("all"),
        r#"subject = "Everything"
kind = "story"
priority = "high"
parent = "p"
blocked_by = ["b"]
gate = true
owner = "ana@example.com"
estimate = "2d"
due = 2026-12-01
labels = ["db"]
verify = "true"
created = 2026-11-21T10:00:00Z
description = """
Line one
Line two
"""

[[criteria]]
text = "schema is 42"
"#
    );
}

#[test]
fn works_from_a_subdirectory_and_with_dash_c() {
    let env = TestEnv::new();
    env.add(&["Somewhere", "--id", "here"]);
    let sub = env.repo.join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    assert!(env.task_in(&sub, &["list"]).ok().contains("here"));
    let outside = env.dir.path();
    assert!(
        env.task_in(outside, &["-C", "repo", "list"])
            .ok()
            .contains("here")
    );
}

#[test]
fn works_in_a_linked_worktree_and_on_a_detached_head() {
    let env = TestEnv::new();
    env.add(&["Shared", "--id", "shared"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "tasks"]).ok();
    let wt = env.dir.path().join("wt");
    env.git(&[
        "worktree",
        "add",
        "-q",
        wt.to_str().unwrap(),
        "-b",
        "feature",
    ])
    .ok();
    env.task_in(&wt, &["add", "Only here", "--id", "feature-task"])
        .ok();
    env.task_in(&wt, &["start", "shared"]).ok();
    assert!(wt.join(".tasks/feature-task.toml").exists());
    assert!(!env.tasks_dir().join("feature-task.toml").exists());
    assert!(!env.read("shared").contains("in_progress"));

    env.git(&["checkout", "-q", "--detach"]).ok();
    env.task(&["note", "shared", "on a detached head"]).ok();
    assert!(env.read("shared").contains("on a detached head"));
}

#[test]
fn edit_with_flags_and_unset() {
    let env = TestEnv::new();
    env.add(&[
        "Old",
        "--id",
        "t",
        "--owner",
        "ana@example.com",
        "--label",
        "a",
    ]);
    env.task(&[
        "edit",
        "t",
        "--subject",
        "New",
        "--priority",
        "low",
        "--label",
        "b",
        "--unlabel",
        "a",
    ])
    .ok();
    env.task(&["edit", "t", "--unset", "owner"]).ok();
    let json = env.task(&["show", "t", "--json"]).json();
    assert_eq!(json["task"]["subject"], "New");
    assert_eq!(json["task"]["priority"], "low");
    assert_eq!(json["task"]["labels"], serde_json::json!(["b"]));
    assert_eq!(json["task"]["owner"], serde_json::Value::Null);
    // Setting a field to its default removes the key, as add never writes it.
    env.task(&["edit", "t", "--priority", "medium"]).ok();
    assert!(!env.read("t").contains("priority"), "{}", env.read("t"));
    env.task(&["edit", "t", "--subject", ""]).code(2);
    env.task(&["edit", "t", "--unset", "subject"]).code(2);
}

#[test]
fn edit_in_the_editor_keeps_valid_text_and_refuses_invalid_text() {
    let env = TestEnv::new();
    env.add(&["Edit me", "--id", "t"]);
    let editor = env.dir.path().join("editor.sh");
    std::fs::write(&editor, "#!/bin/sh\nsed -i 's/Edit me/Edited/' \"$1\"\n").unwrap();
    make_executable(&editor);
    let run = env.task_with_env(&[("GIT_EDITOR", editor.to_str().unwrap())], &["edit", "t"]);
    assert_eq!(run.ok(), "edited t \"Edited\" (pending)\n");

    let before = env.snapshot();
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'subject = \"x\"\\nstatus = \"doing\"\\n' > \"$1\"\n",
    )
    .unwrap();
    let run = env.task_with_env(&[("GIT_EDITOR", editor.to_str().unwrap())], &["edit", "t"]);
    run.code(2);
    run.assert_stderr(".tasks/t.toml:2:");
    run.assert_stderr("your text is kept in");
    assert_eq!(env.snapshot(), before);
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

// ---------------------------------------------------------------------------
// Output conventions.

#[test]
fn json_output_is_versioned_and_complete() {
    let env = TestEnv::new();
    env.add(&["Blocker", "--id", "blocker"]);
    env.add(&[
        "Work",
        "--id",
        "work",
        "--after",
        "blocker",
        "--estimate",
        "4h",
    ]);
    let list = env.task(&["list", "--json"]).json();
    assert_eq!(list["version"], 1);
    assert_eq!(list["tasks"].as_array().unwrap().len(), 2);
    let blocked = env.task(&["blocked", "--json"]).json();
    let work = &blocked["tasks"][0];
    assert_eq!(work["id"], "work");
    assert_eq!(work["blocked"], true);
    assert_eq!(work["estimate_minutes"], 240);
    assert_eq!(work["waiting_for"][0]["id"], "blocker");
    assert_eq!(work["waiting_for"][0]["reason"], "blocker");
    let added = env
        .task(&["add", "Third", "--id", "third", "--json"])
        .json();
    assert_eq!(added["task"]["id"], "third");
}

#[test]
fn list_filters_and_tree() {
    let env = TestEnv::new();
    env.add(&["Epic", "--id", "epic", "--kind", "epic"]);
    env.add(&[
        "Child one",
        "--id",
        "one",
        "--parent",
        "epic",
        "--label",
        "db",
    ]);
    env.add(&[
        "Child two",
        "--id",
        "two",
        "--parent",
        "epic",
        "--priority",
        "high",
    ]);
    env.add(&["Loner", "--id", "loner"]);
    env.done("one");
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--json"];
        all.extend_from_slice(args);
        env.task(&all).json()["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&[]), ids(&["epic", "loner", "two"]));
    assert_eq!(names(&["--all"]), ids(&["epic", "loner", "one", "two"]));
    assert_eq!(names(&["--status", "completed"]), ids(&["one"]));
    assert_eq!(names(&["--kind", "epic"]), ids(&["epic"]));
    assert_eq!(names(&["--priority", "high"]), ids(&["two"]));
    assert_eq!(names(&["--label", "db", "--all"]), ids(&["one"]));
    assert_eq!(names(&["--parent", "epic", "--all"]), ids(&["one", "two"]));
    assert_eq!(names(&["--ready"]), ids(&["loner", "two"]));
    assert_eq!(names(&["--blocked"]), ids(&["epic"]));
    let tree = env.task(&["list", "--tree", "--all"]);
    let lines: Vec<&str> = tree.ok().lines().collect();
    assert_eq!(lines.len(), 4, "{}", tree.stdout);
    assert!(
        lines[0].starts_with("epic ") && lines[0].ends_with("Epic"),
        "{}",
        tree.stdout
    );
    assert!(lines[1].ends_with("├─ Child one #db"), "{}", tree.stdout);
    assert!(lines[2].ends_with("└─ Child two"), "{}", tree.stdout);
    assert!(lines[3].starts_with("loner"), "{}", tree.stdout);
}

#[test]
fn control_characters_in_user_text_are_escaped() {
    let env = TestEnv::new();
    env.write("evil", "subject = \"Red \\u001b[31malert\\u0007\"\n");
    let out = env.task(&["list"]);
    assert!(
        !out.ok().contains('\x1b') && !out.stdout.contains('\x07'),
        "{:?}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Red \\u{1b}[31malert\\u{7}"),
        "{:?}",
        out.stdout
    );
    let shown = env.task(&["show", "evil"]);
    assert!(!shown.ok().contains('\x1b'));
    // JSON carries the text exactly, escaped the JSON way.
    assert_eq!(
        env.task(&["show", "evil", "--json"]).json()["task"]["subject"],
        "Red \u{1b}[31malert\u{7}"
    );
}

#[test]
fn json_carries_a_del_character_that_the_terminal_output_spells_out() {
    // serde_json leaves DEL raw; the stream that strips colour codes from
    // a pipe would drop it, so JSON is written past that stream.
    let env = TestEnv::new();
    env.write("del", "subject = \"rub\\u007fout\"\n");
    for args in [&["show", "del", "--json"][..], &["list", "--json"]] {
        let out = env.task(args);
        assert!(out.ok().contains("rub\u{7f}out"), "{:?}", out.stdout);
    }
    let listed = env.task(&["list"]);
    assert!(listed.ok().contains("rub\\u{7f}out"), "{:?}", listed.stdout);
}

#[test]
fn colour_in_a_pipe_only_when_asked_or_forced() {
    let env = TestEnv::new();
    env.add(&["Task", "--id", "task"]);
    let coloured =
        |vars: &[(&str, &str)], args: &[&str]| env.task_with_env(vars, args).ok().contains("\x1b[");
    assert!(!coloured(&[], &["list"]));
    assert!(coloured(&[], &["list", "--color", "always"]));
    assert!(coloured(
        &[("NO_COLOR", "1")],
        &["list", "--color", "always"]
    ));
    assert!(coloured(&[("CLICOLOR_FORCE", "1")], &["list"]));
    assert!(!coloured(&[("CLICOLOR_FORCE", "0")], &["list"]));
    // NO_COLOR wins over CLICOLOR_FORCE; an explicit flag over both.
    assert!(!coloured(
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
        &["list"]
    ));
    assert!(!coloured(
        &[("CLICOLOR_FORCE", "1")],
        &["list", "--color", "never"]
    ));
}

/// `git task list` on a terminal (a pseudo-terminal that `script` makes),
/// with `TERM` set to `term` (or unset) and `vars` set: whether its output
/// is coloured.
fn coloured_on(env: &TestEnv, term: Option<&str>, vars: &[(&str, &str)]) -> bool {
    let mut cmd = env.command("script");
    cmd.args(["-qec", "git-task list", "/dev/null"]);
    match term {
        Some(term) => cmd.env("TERM", term),
        None => cmd.env_remove("TERM"),
    };
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = common::run(&mut cmd);
    assert!(out.stdout.contains("Task"), "{out:?}");
    out.stdout.contains("\x1b[")
}

/// [`coloured_on`] a terminal of a common `TERM`.
fn coloured_on_a_terminal(env: &TestEnv, vars: &[(&str, &str)]) -> bool {
    coloured_on(env, Some("xterm-256color"), vars)
}

#[test]
fn colour_on_a_terminal_unless_no_color_clicolor_or_a_dumb_terminal() {
    if !common::have_tool("script", "colour on a terminal") {
        return;
    }
    let env = TestEnv::new();
    env.add(&["Task", "--id", "task"]);
    assert!(coloured_on_a_terminal(&env, &[]));
    assert!(!coloured_on_a_terminal(&env, &[("NO_COLOR", "1")]));
    assert!(coloured_on_a_terminal(&env, &[("NO_COLOR", "")]));
    assert!(!coloured_on_a_terminal(&env, &[("CLICOLOR", "0")]));
    assert!(!coloured_on_a_terminal(&env, &[("TERM", "dumb")]));
}

/// [`coloured_on`] a terminal with `TERM` unset.
fn coloured_on_a_terminal_without_term(env: &TestEnv, vars: &[(&str, &str)]) -> bool {
    coloured_on(env, None, vars)
}

#[test]
fn a_pipe_gets_no_codes_while_the_terminal_beside_it_gets_colour() {
    if !common::have_tool("script", "colour on a terminal") {
        return;
    }
    let env = TestEnv::new();
    env.add(&["Task", "--id", "task"]);
    // stdout into a pipe, stderr on the terminal: the listing is plain,
    // the error that follows is coloured.
    let mut cmd = env.command("script");
    cmd.args([
        "-qec",
        "git-task list | cat; git-task show nope",
        "/dev/null",
    ])
    .env("TERM", "xterm-256color");
    let out = common::run(&mut cmd);
    let line = |text: &str| {
        out.stdout
            .lines()
            .find(|l| l.contains(text))
            .unwrap_or_else(|| panic!("no {text:?} in {out:?}"))
            .to_owned()
    };
    assert!(!line("Task").contains('\x1b'), "{out:?}");
    assert!(line("error").contains("\x1b["), "{out:?}");
}

#[test]
fn colour_on_a_terminal_without_term_only_when_clicolor_or_ci_says_so() {
    if !common::have_tool("script", "colour on a terminal") {
        return;
    }
    let env = TestEnv::new();
    env.add(&["Task", "--id", "task"]);
    assert!(!coloured_on_a_terminal_without_term(&env, &[]));
    assert!(coloured_on_a_terminal_without_term(
        &env,
        &[("CLICOLOR", "1")]
    ));
    assert!(coloured_on_a_terminal_without_term(&env, &[("CI", "true")]));
    assert!(coloured_on_a_terminal_without_term(
        &env,
        &[("CLICOLOR_FORCE", "1")]
    ));
    // `0` forces nothing, on a terminal as in a pipe.
    assert!(!coloured_on_a_terminal_without_term(
        &env,
        &[("CLICOLOR_FORCE", "0")]
    ));
    assert!(coloured_on_a_terminal(&env, &[("CLICOLOR_FORCE", "0")]));
    // A `0` that forces nothing leaves CLICOLOR=0 in charge.
    assert!(!coloured_on_a_terminal(
        &env,
        &[("CLICOLOR_FORCE", "0"), ("CLICOLOR", "0")]
    ));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let env = TestEnv::new();
    for n in 0..300 {
        env.write(
            &format!("t{n}"),
            &format!("subject = \"Task number {n} with a long enough subject line\"\n"),
        );
    }
    let mut child = env
        .git_task_cmd()
        .arg("list")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn notes_and_criteria_show_up() {
    let env = TestEnv::new();
    env.add(&["Work", "--id", "work", "--criteria", "it works"]);
    env.task(&["note", "work", "first try failed", "--by", "bo@example.com"])
        .ok();
    env.task(&["criteria", "work", "--add", "it is documented"])
        .ok();
    let show = env.task(&["show", "work"]);
    let out = show.ok();
    assert!(
        out.contains("2026-11-21 10:00 bo@example.com\n    first try failed"),
        "{out}"
    );
    assert!(
        out.contains("1. [ ] it works\n  2. [ ] it is documented"),
        "{out}"
    );
}

// ---------------------------------------------------------------------------
// Concurrency: the lock serialises read-modify-write.

#[test]
fn concurrent_writers_lose_no_update() {
    let env = TestEnv::new();
    env.add(&["Busy", "--id", "busy"]);
    let script = format!(
        "for n in $(seq 1 25); do \"{}\" note busy \"writer $0 note $n\" || exit 1; done",
        assert_cmd::cargo::cargo_bin("git-task").display()
    );
    let children: Vec<_> = (0..8)
        .map(|w| {
            env.command("sh")
                .arg("-c")
                .arg(&script)
                .arg(w.to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let json = env.task(&["show", "busy", "--json"]).json();
    let notes = json["task"]["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 200);
    for w in 0..8 {
        for n in 1..=25 {
            let text = format!("writer {w} note {n}");
            assert!(
                notes.iter().any(|note| note["text"] == text.as_str()),
                "missing {text}"
            );
        }
    }
    let leftovers: Vec<_> = env
        .snapshot()
        .into_iter()
        .filter(|(name, _)| name.starts_with('.') && name != ".gitignore")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[cfg(unix)]
#[test]
fn task_files_are_as_readable_as_other_files_and_edits_keep_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.add(&["Readable", "--id", "r"]);
    let mode = |name: &str| {
        std::fs::metadata(env.tasks_dir().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("r.toml") & 0o644, 0o644);
    assert_eq!(mode("config.toml") & 0o644, 0o644);
    std::fs::set_permissions(
        env.tasks_dir().join("r.toml"),
        std::fs::Permissions::from_mode(0o664),
    )
    .unwrap();
    env.task(&["note", "r", "still 664"]).ok();
    assert_eq!(mode("r.toml"), 0o664);
}

#[test]
fn a_subject_swallowed_by_after_gets_a_clear_error() {
    let env = TestEnv::new();
    env.add(&["A", "--id", "a"]);
    let run = env.task(&["add", "--after", "a", "Do it"]);
    run.code(2);
    run.assert_stderr("`Do it` was read as a value of --after");
    run.assert_stderr("put the subject first");
}

#[test]
fn man_page_and_completions_come_from_the_same_definition() {
    let env = TestEnv::bare_dir();
    let man = env.task(&["man"]);
    assert!(man.ok().contains(".TH GIT\\-TASK 1"), "{}", man.stdout);
    assert!(man.stdout.contains(".SS \"git task ready [OPTIONS]\""));
    for shell in ["bash", "zsh", "fish"] {
        // The scripts ask the binary, which answers from the definition.
        let run = env.task(&["completions", shell]);
        assert!(
            run.ok()
                .contains(&format!("completions {shell} --complete --")),
            "{shell}"
        );
        let words = env.task(&["completions", shell, "--complete", "--", "bl"]);
        assert!(
            words.ok().starts_with("blocked"),
            "{shell}: {}",
            words.stdout
        );
    }
    let elvish = env.task(&["completions", "elvish"]);
    assert!(elvish.ok().contains("blocked"));
    env.task(&["completions", "tcsh"]).code(2);
}
