//! The hooks with the real git: what they let through and what they stop,
//! with a bare repository standing in for the remote and for a server.

mod common;

use common::TestEnv;

/// A repository with hooks installed (by `init`), one commit on main, and a
/// bare remote `origin`.
fn with_remote() -> TestEnv {
    let env = TestEnv::new();
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "start tracking tasks"]).ok();
    env.bare_remote();
    env.git(&["push", "-q", "origin", "main"]).ok();
    env
}

/// A red gate for main: a release gate waiting for open work.
fn add_release_gate(env: &TestEnv) {
    env.add(&["Finish the feature", "--id", "feature"]);
    env.add(&[
        "Release 1.0",
        "--id",
        "release",
        "--gate",
        "--after",
        "feature",
        "--criteria",
        "changelog written",
    ]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "plan the release"]).ok();
}

#[test]
fn pre_commit_checks_what_is_staged_not_the_working_tree() {
    let env = with_remote();
    env.add(&["A", "--id", "a"]);
    env.add(&["B", "--id", "b", "--after", "a"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "two tasks"]).ok();

    // Stage a cycle, then repair the working tree without staging the fix.
    env.write("a", "subject = \"A\"\nblocked_by = [\"b\"]\n");
    env.git(&["add", ".tasks/a.toml"]).ok();
    env.write("a", "subject = \"A\"\n");
    let run = env.git(&["commit", "-qm", "cycle"]);
    run.code(1);
    run.assert_stderr("dependency cycle: a \"A\" → b \"B\" → a \"A\"");
    run.assert_stderr("git commit --no-verify");

    // A dangling reference in the index is stopped too.
    env.write("a", "subject = \"A\"\nblocked_by = [\"nope\"]\n");
    env.git(&["add", ".tasks/a.toml"]).ok();
    env.write("a", "subject = \"A\"\n");
    let run = env.git(&["commit", "-qm", "dangling"]);
    run.code(1);
    run.assert_stderr(".tasks/a.toml:2:15: `a` is blocked by `nope`, but no task has that id");

    // Only the working tree broken: the commit records a sound set.
    env.git(&["checkout", "-q", "HEAD", "--", ".tasks/a.toml"])
        .ok();
    env.add(&["C", "--id", "c"]);
    env.git(&["add", ".tasks/c.toml"]).ok();
    env.write("b", "subject = \"B\"\nblocked-by = [\"a\"]\n");
    env.git(&["commit", "-qm", "add c"]).ok();
    // `git commit -a` stages the broken file in a temporary index: stopped.
    let run = env.git(&["commit", "-qam", "all"]);
    run.code(1);
    run.assert_stderr(".tasks/b.toml:2:1: unknown field `blocked-by`");
}

#[test]
fn pre_push_holds_back_a_red_gate_for_main() {
    let env = with_remote();
    add_release_gate(&env);
    let run = env.git(&["push", "origin", "main"]);
    run.code(1);
    run.assert_stderr("gate `release` \"Release 1.0\" is red for main");
    run.assert_stderr("git task done release");
    run.assert_stderr("git task gate waive release");
    run.assert_stderr("git push --no-verify");

    // A branch the gate does not protect is fine.
    env.git(&["push", "-q", "origin", "main:topic"]).ok();

    // Done, with its criteria met: the push goes through.
    env.task(&["done", "feature"]).ok();
    env.task(&["criteria", "release", "--met", "1"]).ok();
    env.task(&["done", "release"]).ok();
    env.git(&["commit", "-qam", "release done"]).ok();
    let run = env.git(&["push", "origin", "main"]);
    run.ok();
    assert!(!run.stderr.contains("git-task"), "{}", run.stderr);

    // Deleting a branch is never held back.
    env.git(&["push", "-q", "origin", ":topic"]).ok();
}

#[test]
fn pre_push_lets_a_waived_gate_through_with_a_warning() {
    let env = with_remote();
    add_release_gate(&env);
    env.task(&[
        "gate",
        "waive",
        "release",
        "--reason",
        "hotfix, risk accepted",
    ])
    .ok();
    env.git(&["commit", "-qam", "waive the release gate"]).ok();
    let run = env.git(&["push", "origin", "main"]);
    run.ok();
    run.assert_stderr("passes main only because it was waived by ana@example.com at 2026-11-21: hotfix, risk accepted");
}

#[test]
fn gates_protect_the_branches_they_name() {
    let env = with_remote();
    env.add(&[
        "Release checklist",
        "--id",
        "checklist",
        "--gate-branch",
        "release/*",
    ]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "checklist"]).ok();
    env.git(&["push", "-q", "origin", "main"]).ok();
    let run = env.git(&["push", "origin", "main:release/1.0"]);
    run.code(1);
    run.assert_stderr("is red for release/1.0");
    let listed = env.task(&["gate", "list", "--target", "release/1.0"]);
    assert!(
        listed.ok().starts_with("checklist  red"),
        "{}",
        listed.stdout
    );
    assert_eq!(
        env.task(&["gate", "list", "--target", "main"]).ok(),
        "no gate protects main\n"
    );
}

#[test]
fn pre_merge_commit_refuses_a_merge_into_main_with_a_red_gate() {
    let env = with_remote();
    env.git(&["checkout", "-q", "-b", "plan"]).ok();
    add_release_gate(&env);
    env.git(&["checkout", "-q", "main"]).ok();
    std::fs::write(env.repo.join("code.txt"), "on main\n").unwrap();
    env.git(&["add", "code.txt"]).ok();
    env.git(&["commit", "-qm", "code"]).ok();
    let run = env.git(&["merge", "--no-ff", "-m", "merge the plan", "plan"]);
    run.code(1);
    run.assert_stderr("the merge into main");
    run.assert_stderr("gate `release` \"Release 1.0\" is red for main");
    env.git(&["merge", "--abort"]).ok();
    // Into a branch the gate does not protect, the merge goes through.
    env.git(&["checkout", "-q", "-b", "integration"]).ok();
    env.git(&["merge", "-q", "--no-ff", "-m", "merge", "plan"])
        .ok();
}

#[test]
fn pre_receive_rejects_the_push_even_with_no_verify() {
    let env = with_remote();
    let remote = env.dir.path().join("remote.git");
    let installed = env.task_in(&remote, &["hooks", "install"]);
    installed.ok();
    assert!(remote.join("hooks/pre-receive").exists());
    add_release_gate(&env);
    let run = env.git(&["push", "--no-verify", "origin", "main"]);
    assert_ne!(run.code, 0);
    run.assert_stderr("gate `release` \"Release 1.0\" is red for main");
    run.assert_stderr("rejected by the server");
    assert!(
        !run.stderr.contains("--no-verify"),
        "no bypass is named server side: {}",
        run.stderr
    );
    // Nothing reached the server's main.
    let server_main = env
        .command("git")
        .args(["--git-dir", remote.to_str().unwrap(), "rev-parse", "main"])
        .output()
        .unwrap();
    let local_main = env.git(&["rev-parse", "main~1"]);
    assert_eq!(
        String::from_utf8_lossy(&server_main.stdout),
        local_main.stdout
    );
    // A topic branch is not protected: the server takes it.
    env.git(&["push", "-q", "--no-verify", "origin", "main:topic"])
        .ok();
}

#[test]
fn check_reads_the_working_tree_the_index_or_any_revision() {
    let env = with_remote();
    env.add(&["A", "--id", "a"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "a"]).ok();
    env.write("a", "subject = \"A\"\nblocked_by = [\"ghost\"]\n");
    env.task(&["check"]).code(1);
    env.task(&["check", "--staged"]).ok();
    env.task(&["check", "--rev", "HEAD"]).ok();
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "broken", "--no-verify"]).ok();
    env.task(&["check", "--rev", "HEAD"]).code(1);
    env.task(&["check", "--rev", "HEAD~1"]).ok();
    env.task(&["check", "--rev", "main~2"]).ok();
    let json = env.task(&["check", "--rev", "HEAD", "--json"]);
    json.code(1);
    let value = json.json();
    assert_eq!(value["errors"], 1);
    assert_eq!(value["source"], "revision HEAD");
    assert_eq!(value["diagnostics"][0]["code"], "missing-reference");
    assert_eq!(value["diagnostics"][0]["line"], 2);
    let github = env.task(&["check", "--rev", "HEAD", "--format", "github"]);
    assert_eq!(
        github.stdout,
        "::error file=.tasks/a.toml,line=2,col=15,title=git-task missing-reference::`a` is blocked by `ghost`, but no task has that id%0Ahint: drop it: git task dep rm a ghost\n"
    );
    env.task(&["check", "--rev", "no-such-branch"]).code(2);
    // A bare clone reads revisions too.
    let remote = env.dir.path().join("remote.git");
    env.git(&["push", "-q", "--no-verify", "origin", "main"])
        .ok();
    env.task_in(&remote, &["check", "--rev", "main"]).code(1);
    env.task_in(&remote, &["check", "--rev", "main~1"]).ok();
    // The working tree makes no sense there.
    let run = env.task_in(&remote, &["list"]);
    run.code(2);
    run.assert_stderr("bare repository");
}

#[test]
fn check_reports_warnings_and_strict_fails_on_them() {
    let env = TestEnv::new();
    env.add(&["Spike", "--id", "spike"]);
    env.add(&["Build", "--id", "build", "--after", "spike"]);
    env.task(&["cancel", "spike"]).ok();
    env.add(&["Blocker", "--id", "blocker"]);
    env.add(&["Late", "--id", "late", "--after", "blocker"]);
    env.task(&["start", "late", "--force"]).ok();
    let run = env.task(&["check"]);
    assert!(run.ok().contains("warning: .tasks/build.toml:2:15: `build` is blocked by `spike` \"Spike\", which is cancelled"), "{}", run.stdout);
    run.assert_stdout("`late` is in progress while it waits for blocker \"Blocker\"");
    assert!(
        run.stdout
            .ends_with("check: 4 tasks in the working tree: 0 errors, 2 warnings\n"),
        "{}",
        run.stdout
    );
    env.task(&["check", "--strict"]).code(1);
}

#[test]
fn check_reports_every_bad_file_at_once() {
    let env = TestEnv::new();
    env.write("good", "subject = \"Good\"\n");
    env.write("syntax", "subject = \"Broken\n");
    env.write("schema", "subject = \"S\"\nkind = \"saga\"\n");
    env.write("Upper", "subject = \"U\"\n");
    env.write("upper", "subject = \"u\"\n");
    env.write("conflict", "subject = \"C\"\n<<<<<<< ours\nstatus = \"completed\"\n=======\nstatus = \"cancelled\"\n>>>>>>> theirs\n");
    let run = env.task(&["check"]);
    run.code(1);
    let out = &run.stdout;
    assert!(out.contains("error: .tasks/syntax.toml:1:"), "{out}");
    assert!(
        out.contains("error: .tasks/schema.toml:2:8: unknown kind `saga`"),
        "{out}"
    );
    assert!(
        out.contains(
            "error: .tasks/Upper.toml:1:1: the file name differs from task `upper` only in case"
        ),
        "{out}"
    );
    assert!(
        out.contains("error: .tasks/conflict.toml:2:1: leftover merge conflict marker"),
        "{out}"
    );
    assert!(
        out.contains("6 tasks in the working tree: 4 errors"),
        "{out}"
    );
}

#[test]
fn lint_points_out_anti_patterns() {
    let mut env = TestEnv::new();
    env.at("2026-10-01T09:00:00Z");
    env.add(&["Do stuff", "--id", "vague", "--description", "TODO"]);
    env.add(&[
        "An epic",
        "--id",
        "lonely",
        "--kind",
        "epic",
        "--description",
        "A large piece of work with no parts yet",
    ]);
    env.add(&[
        "Gate",
        "--id",
        "gate",
        "--gate",
        "--description",
        "Ship when everything is green and tested",
    ]);
    env.add(&[
        "Old work",
        "--id",
        "old",
        "--description",
        "Work that someone started long ago and left",
    ]);
    env.task(&["start", "old"]).ok();
    env.at("2026-11-21T10:00:00Z");
    let run = env.task(&["lint"]);
    let out = run.ok();
    for code in [
        "`vague` \"Do stuff\" has a vague description",
        "epic `lonely` \"An epic\" has no children",
        "gate `gate` \"Gate\" has no criteria",
        "`old` \"Old work\" has been in progress with no note since 2026-10-01",
    ] {
        assert!(out.contains(code), "{code}\n{out}");
    }
    env.task(&["lint", "--strict"]).code(1);
    let json = env.task(&["lint", "--json"]).json();
    assert_eq!(json["warnings"], 4);
}

#[test]
fn pre_push_under_the_pre_commit_framework_reads_its_environment() {
    let env = with_remote();
    add_release_gate(&env);
    let head = env.git(&["rev-parse", "HEAD"]).stdout.trim().to_owned();
    // The framework has consumed git's input; it passes the push on in
    // its environment and runs the hook with empty input.
    let run = env.task_with_env(
        &[
            ("PRE_COMMIT_TO_REF", &head),
            ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main"),
        ],
        &["hook", "pre-push", "origin", "url"],
    );
    run.code(1);
    run.assert_stderr("is red for main");
    let run = env.task_with_env(
        &[
            ("PRE_COMMIT_TO_REF", &head),
            ("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/topic"),
        ],
        &["hook", "pre-push", "origin", "url"],
    );
    run.ok();
}
