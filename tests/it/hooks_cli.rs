//! The hooks with the real git: what they let through and what they stop,
//! with a bare repository standing in for the remote and for a server.

use crate::common;

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

/// A red gate for release branches only (`release/*`), committed with
/// `message`.
fn add_release_checklist(env: &TestEnv, message: &str) {
    env.add(&[
        "Release checklist",
        "--id",
        "checklist",
        "--gate-branch",
        "release/*",
    ]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", message]).ok();
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
    add_release_checklist(&env, "checklist");
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
        "`old` \"Old work\" has been in progress since 2026-10-01 with no note",
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

// ---------------------------------------------------------------------
// A server and a clone of it: the rules a push meets on both sides.
// ---------------------------------------------------------------------

/// A server (a bare repository with git-task's hooks installed and HEAD on
/// main) holding one commit, and `env.repo` a fresh clone of it with the
/// hooks installed, as a developer has it. Returns the server's path.
fn server_and_clone() -> (TestEnv, std::path::PathBuf) {
    let env = with_remote();
    let server = env.dir.path().join("remote.git");
    let on_server = |args: &[&str]| {
        let mut all = vec!["-C", server.to_str().unwrap()];
        all.extend_from_slice(args);
        env.git(&all).ok();
    };
    on_server(&["symbolic-ref", "HEAD", "refs/heads/main"]);
    env.task_in(&server, &["hooks", "install"]).ok();
    std::fs::remove_dir_all(&env.repo).unwrap();
    let cloned = env
        .command("git")
        .current_dir(env.dir.path())
        .args(["clone", "-q", server.to_str().unwrap(), "repo"])
        .output()
        .unwrap();
    assert!(cloned.status.success(), "{cloned:?}");
    env.git(&["config", "user.email", "ana@example.com"]).ok();
    env.git(&["config", "user.name", "Ana"]).ok();
    env.task(&["hooks", "install"]).ok();
    (env, server)
}

/// What `rev` is on the server.
fn server_rev(env: &TestEnv, server: &std::path::Path, rev: &str) -> String {
    env.git(&["-C", server.to_str().unwrap(), "rev-parse", rev])
        .ok()
        .trim()
        .to_owned()
}

/// Pushes `refspec` twice: `git push` must be stopped by pre-push, and
/// `git push --no-verify` rejected by the server's pre-receive, each
/// printing every text of `expect`. The server's `branch` stays where it was.
#[track_caller]
fn refused_on_both_sides(
    env: &TestEnv,
    server: &std::path::Path,
    refspec: &str,
    branch: &str,
    expect: &[&str],
) {
    let tip = || {
        env.git(&[
            "-C",
            server.to_str().unwrap(),
            "rev-parse",
            "--verify",
            "-q",
            branch,
        ])
        .stdout
    };
    let before = tip();
    let run = env.git(&["push", "origin", refspec]);
    run.code(1);
    run.assert_stderr("The push was stopped.");
    for text in expect {
        run.assert_stderr(text);
    }
    let run = env.git(&["push", "--no-verify", "origin", refspec]);
    assert_ne!(run.code, 0, "the server took it:\n{}", run.stderr);
    run.assert_stderr("rejected by the server");
    for text in expect {
        run.assert_stderr(text);
    }
    assert_eq!(before, tip(), "the server's {branch} moved");
}

#[test]
fn a_push_cannot_take_its_branch_out_of_a_gate_it_makes_red() {
    let (env, server) = server_and_clone();
    add_release_gate(&env);
    let red = env.read("release");
    env.task(&["gate", "waive", "release", "--reason", "ship the beta"])
        .ok();
    env.git(&["commit", "-qam", "waive the release gate for the beta"])
        .ok();
    env.git(&["push", "-q", "origin", "main"]).ok();
    let accepted = server_rev(&env, &server, "main");

    // Each push drops the waiver, so the gate is red again, and in the same
    // commit tries to stop the gate from protecting main.
    let config = env.tasks_dir().join("config.toml");
    let is_red = "gate `release` \"Release 1.0\" is red for main";
    let removed = "gate `release` \"Release 1.0\" protects main, and this push removes it";
    for (what, expect) in [
        ("narrow gates.branches", is_red),
        ("delete the gate", removed),
        ("gate = false", is_red),
        ("protect other branches", is_red),
    ] {
        env.git(&["reset", "-q", "--hard", &accepted]).ok();
        match what {
            "narrow gates.branches" => {
                std::fs::write(&config, "[gates]\nbranches = [\"master\"]\n").unwrap();
                env.write("release", &red);
            }
            "delete the gate" => {
                std::fs::remove_file(env.tasks_dir().join("release.toml")).unwrap();
            }
            "gate = false" => env.write("release", &red.replace("gate = true", "gate = false")),
            _ => env.write(
                "release",
                &red.replace("gate = true", "gate = { branches = [\"release/*\"] }"),
            ),
        }
        commit_all(&env, what, true);
        refused_on_both_sides(&env, &server, "main", "main", &[expect]);
    }

    // Done for real: the gate is green and the push goes through.
    env.git(&["reset", "-q", "--hard", &accepted]).ok();
    env.task(&["done", "feature"]).ok();
    env.task(&["criteria", "release", "--met", "1"]).ok();
    env.task(&["done", "release"]).ok();
    env.git(&["commit", "-qam", "release done"]).ok();
    env.git(&["push", "-q", "origin", "main"]).ok();
    // A gate main has cannot just go, even when it is done...
    env.task(&["rm", "release"]).ok();
    commit_all(&env, "drop the release gate", true);
    refused_on_both_sides(
        &env,
        &server,
        "main",
        "main",
        &["gate `release` \"Release 1.0\" protects main, and this push removes it"],
    );
    // ...but once main has it cancelled, it protects nothing and may go.
    env.git(&["reset", "-q", "--hard", "origin/main"]).ok();
    env.task(&["reopen", "release"]).ok();
    env.task(&["cancel", "release"]).ok();
    commit_all(&env, "no release gate after all", true);
    env.git(&["push", "-q", "origin", "main"]).ok();
    env.task(&["rm", "release"]).ok();
    commit_all(&env, "drop the cancelled gate", true);
    env.git(&["push", "-q", "origin", "main"]).ok();
}

#[test]
fn a_new_branch_is_held_to_the_gates_the_default_branch_has_for_it() {
    let (env, server) = server_and_clone();
    add_release_checklist(&env, "a checklist for releases");
    // main is not a release branch: the red checklist does not hold it.
    env.git(&["push", "-q", "origin", "main"]).ok();

    // A release branch that drops the checklist.
    env.git(&["checkout", "-q", "-b", "release/1.0"]).ok();
    env.task(&["rm", "checklist"]).ok();
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "no checklist"]).ok();
    refused_on_both_sides(
        &env,
        &server,
        "release/1.0",
        "release/1.0",
        &[
            "gate `checklist` \"Release checklist\" protects release/1.0, and this push removes it",
            "the gates that protect release/1.0 come from the default branch",
        ],
    );
    // Or narrows the gate to other branches.
    env.git(&["reset", "-q", "--hard", "main"]).ok();
    let text = env.read("checklist").replace("release/*", "release/9.*");
    env.write("checklist", &text);
    env.git(&["commit", "-qam", "the checklist is for 9.x only"])
        .ok();
    refused_on_both_sides(
        &env,
        &server,
        "release/1.0",
        "release/1.0",
        &["gate `checklist` \"Release checklist\" is red for release/1.0"],
    );
    // Any other new branch is not protected by it.
    env.git(&["push", "-q", "origin", "release/1.0:topic"]).ok();
    // With the checklist done, the release branch is created.
    env.git(&["reset", "-q", "--hard", "main"]).ok();
    env.task(&["done", "checklist"]).ok();
    env.git(&["commit", "-qam", "checklist done"]).ok();
    env.git(&["push", "-q", "origin", "release/1.0"]).ok();
}

/// main, and a branch `plan` that adds a red gate for main. When
/// `conflict`, both change code.txt differently, so merging stops.
fn plan_with_red_gate(conflict: bool) -> TestEnv {
    let env = with_remote();
    env.git(&["checkout", "-q", "-b", "plan"]).ok();
    std::fs::write(env.repo.join("code.txt"), "the plan's code\n").unwrap();
    add_release_gate(&env);
    env.git(&["checkout", "-q", "main"]).ok();
    let file = if conflict { "code.txt" } else { "other.txt" };
    std::fs::write(env.repo.join(file), "main's code\n").unwrap();
    commit_all(&env, "main moves on", true);
    env
}

/// git with an editor that accepts the message as it is.
fn git_no_editor(env: &TestEnv, args: &[&str]) -> common::Run {
    let mut all = vec!["-c", "core.editor=true"];
    all.extend_from_slice(args);
    env.git(&all)
}

#[test]
fn a_conflicted_merge_into_main_is_held_to_the_gates_when_it_is_committed() {
    let env = plan_with_red_gate(true);
    let head = env.git(&["rev-parse", "HEAD"]).stdout;
    // git stops at the conflict; pre-merge-commit never runs.
    env.git(&["merge", "plan"]).code(1);
    std::fs::write(env.repo.join("code.txt"), "both\n").unwrap();
    env.git(&["add", "code.txt"]).ok();
    for finish in [&["commit", "--no-edit"][..], &["merge", "--continue"][..]] {
        let run = git_no_editor(&env, finish);
        run.code(1);
        run.assert_stderr("the merge into main");
        run.assert_stderr("gate `release` \"Release 1.0\" is red for main");
        run.assert_stderr("The commit was stopped.");
        run.assert_stderr("git merge --abort");
        assert_eq!(env.git(&["rev-parse", "HEAD"]).stdout, head);
    }
    env.git(&["merge", "--abort"]).ok();
    // An ordinary commit on main is not a merge: only its integrity counts.
    std::fs::write(env.repo.join("other.txt"), "more\n").unwrap();
    commit_all(&env, "more", true);
    // Into a branch the gate does not protect, the merge is committed.
    env.git(&["checkout", "-q", "-b", "integration"]).ok();
    env.git(&["merge", "plan"]).code(1);
    std::fs::write(env.repo.join("code.txt"), "both\n").unwrap();
    env.git(&["add", "code.txt"]).ok();
    git_no_editor(&env, &["commit", "--no-edit"]).ok();
}

#[test]
fn a_merge_stopped_by_pre_merge_commit_cannot_be_finished_with_commit() {
    let env = plan_with_red_gate(false);
    let head = env.git(&["rev-parse", "HEAD"]).stdout;
    let run = env.git(&["merge", "--no-ff", "-m", "merge the plan", "plan"]);
    run.code(1);
    run.assert_stderr("The merge was stopped.");
    run.assert_stderr("git merge --abort");
    // git itself suggests `git commit` to complete the merge.
    let run = git_no_editor(&env, &["commit", "--no-edit"]);
    run.code(1);
    run.assert_stderr("gate `release` \"Release 1.0\" is red for main");
    run.assert_stderr("git merge --abort");
    assert_eq!(env.git(&["rev-parse", "HEAD"]).stdout, head);
}

#[test]
fn a_squash_merge_into_main_is_held_to_the_gates() {
    let env = plan_with_red_gate(false);
    let head = env.git(&["rev-parse", "HEAD"]).stdout;
    env.git(&["merge", "--squash", "plan"]).ok();
    let run = env.git(&["commit", "-qm", "the plan, squashed"]);
    run.code(1);
    run.assert_stderr("the squash merge into main");
    run.assert_stderr("gate `release` \"Release 1.0\" is red for main");
    run.assert_stderr("git reset --merge");
    assert_eq!(env.git(&["rev-parse", "HEAD"]).stdout, head);
    // What the refusal says undoes it.
    env.git(&["reset", "--merge"]).ok();
    assert_eq!(env.git(&["status", "--porcelain"]).ok(), "");
    // Once it is committed, a later commit is an ordinary one.
    env.git(&["checkout", "-q", "-b", "integration"]).ok();
    env.git(&["merge", "--squash", "plan"]).ok();
    env.git(&["commit", "-qm", "the plan, squashed"]).ok();
}

#[test]
fn a_fast_forward_into_main_is_caught_by_pre_push_and_pre_receive() {
    let (env, server) = server_and_clone();
    env.git(&["checkout", "-q", "-b", "plan"]).ok();
    add_release_gate(&env);
    env.git(&["checkout", "-q", "main"]).ok();
    // No local hook runs for a fast-forward.
    env.git(&["merge", "-q", "--ff-only", "plan"]).ok();
    refused_on_both_sides(
        &env,
        &server,
        "main",
        "main",
        &["gate `release` \"Release 1.0\" is red for main"],
    );
}

/// Commits with a message and returns the short sha git prints.
fn commit_all(env: &TestEnv, message: &str, verify: bool) -> String {
    env.git(&["add", "-A"]).ok();
    let mut args = vec!["commit", "-qm", message];
    if !verify {
        args.push("--no-verify");
    }
    env.git(&args).ok();
    env.git(&["rev-parse", "--short", "HEAD"])
        .ok()
        .trim()
        .to_owned()
}

#[test]
fn every_commit_a_push_adds_is_checked_not_only_the_tip() {
    let (env, server) = server_and_clone();
    env.add(&["Write the parser", "--id", "parser"]);
    commit_all(&env, "plan the parser", true);
    env.git(&["push", "-q", "origin", "main"]).ok();

    env.write(
        "parser",
        "subject = \"Write the parser\"\nblocked_by = [\"ghost\"]\n",
    );
    let broken = commit_all(&env, "wait for a ghost", false);
    std::fs::write(env.repo.join("code.txt"), "code\n").unwrap();
    // Its pre-commit would stop it: the parser still waits for the ghost.
    let code = commit_all(&env, "some code", false);
    env.write("parser", "subject = \"Write the parser\"\n");
    commit_all(&env, "no ghost after all", false);
    refused_on_both_sides(
        &env,
        &server,
        "main",
        "main",
        &[
            &format!("commit {broken} \"wait for a ghost\""),
            "`parser` is blocked by `ghost`, but no task has that id",
        ],
    );
    // The error is reported where it came in, not in every commit after.
    let run = env.git(&["push", "origin", "main"]);
    assert!(!run.stderr.contains(&code), "{}", run.stderr);
    assert!(!run.stderr.contains("refs/heads/main at"), "{}", run.stderr);
}

#[test]
fn a_broken_commit_merged_from_a_side_branch_is_reported() {
    let (env, server) = server_and_clone();
    env.add(&["Write the parser", "--id", "parser"]);
    commit_all(&env, "plan the parser", true);
    env.git(&["push", "-q", "origin", "main"]).ok();
    env.git(&["checkout", "-q", "-b", "side"]).ok();
    env.write(
        "lexer",
        "subject = \"Write the lexer\"\nblocked_by = [\"parser\"]\n",
    );
    env.write(
        "parser",
        "subject = \"Write the parser\"\nblocked_by = [\"lexer\"]\n",
    );
    let broken = commit_all(&env, "each waits for the other", false);
    env.write("parser", "subject = \"Write the parser\"\n");
    commit_all(&env, "the parser goes first", true);
    env.git(&["checkout", "-q", "main"]).ok();
    std::fs::write(env.repo.join("code.txt"), "code\n").unwrap();
    commit_all(&env, "code", true);
    env.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"])
        .ok();
    refused_on_both_sides(
        &env,
        &server,
        "main",
        "main",
        &[
            &format!("commit {broken} \"each waits for the other\""),
            "dependency cycle: lexer \"Write the lexer\" → parser \"Write the parser\" → lexer",
        ],
    );
}

#[test]
fn commits_the_remote_already_has_are_not_checked_again() {
    let env = with_remote();
    env.add(&["Write the parser", "--id", "parser"]);
    commit_all(&env, "plan the parser", true);
    env.write(
        "parser",
        "subject = \"Write the parser\"\nblocked_by = [\"ghost\"]\n",
    );
    commit_all(&env, "wait for a ghost", false);
    env.write("parser", "subject = \"Write the parser\"\n");
    commit_all(&env, "no ghost after all", true);
    // Before the server had the hook, the broken commit got in.
    env.git(&["push", "-q", "--no-verify", "origin", "main"])
        .ok();
    let server = env.dir.path().join("remote.git");
    env.task_in(&server, &["hooks", "install"]).ok();
    env.add(&["Write the lexer", "--id", "lexer"]);
    commit_all(&env, "plan the lexer", true);
    let run = env.git(&["push", "origin", "main"]);
    run.ok();
    assert!(!run.stderr.contains("ghost"), "{}", run.stderr);
    // A new branch made of commits the server has: only its tip counts.
    env.git(&[
        "push",
        "-q",
        "--no-verify",
        "origin",
        "main~1:refs/heads/fixed",
    ])
    .ok();
    env.git(&["push", "-q", "origin", "main~1:refs/heads/fixed-too"])
        .ok();
}

#[test]
fn tags_of_blobs_and_trees_are_pushed_without_checks() {
    let (env, server) = server_and_clone();
    std::fs::write(env.repo.join("logo.svg"), "<svg/>\n").unwrap();
    let blob = env
        .git(&["hash-object", "-w", "logo.svg"])
        .ok()
        .trim()
        .to_owned();
    env.git(&["tag", "logo", &blob]).ok();
    env.git(&[
        "tag",
        "-a",
        "-m",
        "the logo, annotated",
        "logo-annotated",
        &blob,
    ])
    .ok();
    env.git(&["tag", "snapshot", "HEAD^{tree}"]).ok();
    for tag in ["logo", "logo-annotated", "snapshot"] {
        env.git(&["push", "-q", "origin", tag]).ok();
    }
    let pushed = env
        .git(&["-C", server.to_str().unwrap(), "tag"])
        .ok()
        .to_owned();
    assert_eq!(pushed, "logo\nlogo-annotated\nsnapshot\n");
    // Past pre-push, the server takes them too.
    env.git(&["tag", "logo-2", &blob]).ok();
    env.git(&["tag", "snapshot-2", "HEAD^{tree}"]).ok();
    env.git(&[
        "push",
        "-q",
        "--no-verify",
        "origin",
        "logo-2",
        "snapshot-2",
    ])
    .ok();

    // An annotated tag of a commit is checked like the commit.
    env.write("ghostly", "subject = \"G\"\nblocked_by = [\"ghost\"]\n");
    commit_all(&env, "wait for a ghost", false);
    env.git(&["tag", "-a", "-m", "a broken release", "v0.1"])
        .ok();
    refused_on_both_sides(
        &env,
        &server,
        "v0.1",
        "v0.1",
        &["`ghostly` is blocked by `ghost`, but no task has that id"],
    );
}

#[test]
fn tasks_a_push_adds_are_checked_against_the_whole_set() {
    let (env, server) = server_and_clone();
    env.add(&["The epic", "--id", "epic"]);
    env.add(&["After the epic", "--id", "after", "--after", "epic"]);
    commit_all(&env, "an epic and what follows it", true);
    env.git(&["push", "-q", "origin", "main"]).ok();

    let mut fine = Vec::new();
    let mut broken = Vec::new();
    env.write("lone", "subject = \"Lone\"\nblocked_by = [\"after\"]\n");
    fine.push(commit_all(&env, "a task on its own", true));
    env.write(
        "dangling",
        "subject = \"Dangling\"\nblocked_by = [\"ghost\"]\n",
    );
    broken.push((
        commit_all(&env, "a task that waits for a ghost", false),
        "a task that waits for a ghost",
        "`dangling` is blocked by `ghost`, but no task has that id",
    ));
    std::fs::remove_file(env.tasks_dir().join("dangling.toml")).unwrap();
    fine.push(commit_all(&env, "no ghost", true));
    env.write("piece", "subject = \"Piece\"\nparent = \"epic\"\n");
    fine.push(commit_all(&env, "a piece of the epic", true));
    env.write("orphan", "subject = \"Orphan\"\nparent = \"lost\"\n");
    broken.push((
        commit_all(&env, "a piece of a lost epic", false),
        "a piece of a lost epic",
        "the parent of `orphan` is `lost`, but no task has that id",
    ));
    std::fs::remove_file(env.tasks_dir().join("orphan.toml")).unwrap();
    fine.push(commit_all(&env, "no orphan", true));
    env.write(
        "part",
        "subject = \"Part\"\nparent = \"epic\"\nblocked_by = [\"after\"]\n",
    );
    broken.push((
        commit_all(
            &env,
            "a part of the epic that waits for what follows it",
            false,
        ),
        "a part of the epic that waits for what follows it",
        "dependency cycle",
    ));
    std::fs::remove_file(env.tasks_dir().join("part.toml")).unwrap();
    fine.push(commit_all(&env, "no such part", true));
    env.write(
        "after",
        "subject = \"After the epic\"\nblocked_by = [\"epic\", \"later\"]\n",
    );
    broken.push((
        commit_all(&env, "wait for something later", false),
        "wait for something later",
        "`after` is blocked by `later`, but no task has that id",
    ));
    // The task it waits for appears, and waits for it in turn.
    env.write("later", "subject = \"Later\"\nblocked_by = [\"after\"]\n");
    broken.push((
        commit_all(&env, "later waits for after", false),
        "later waits for after",
        "dependency cycle: after \"After the epic\" → later \"Later\" → after",
    ));
    env.write(
        "after",
        "subject = \"After the epic\"\nblocked_by = [\"epic\"]\n",
    );
    fine.push(commit_all(&env, "after waits for the epic only", true));

    let expect: Vec<String> = broken
        .iter()
        .flat_map(|(sha, subject, error)| [format!("commit {sha} \"{subject}\""), (*error).into()])
        .collect();
    let expect: Vec<&str> = expect.iter().map(String::as_str).collect();
    refused_on_both_sides(&env, &server, "main", "main", &expect);
    let run = env.git(&["push", "origin", "main"]);
    for sha in &fine {
        assert!(
            !run.stderr.contains(&format!("commit {sha}")),
            "{sha}:\n{}",
            run.stderr
        );
    }
}

#[test]
fn pre_receive_outside_a_push_checks_the_commits_no_ref_reaches() {
    let env = with_remote();
    let server = env.dir.path().join("remote.git");
    let accepted = env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned();
    env.write("ghostly", "subject = \"G\"\nblocked_by = [\"ghost\"]\n");
    let broken = commit_all(&env, "wait for a ghost", false);
    std::fs::remove_file(env.tasks_dir().join("ghostly.toml")).unwrap();
    commit_all(&env, "no ghost", true);
    let tip = env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned();
    // The server has the objects, but no ref reaches them any more.
    env.git(&["push", "-q", "--no-verify", "origin", "main"])
        .ok();
    env.git(&[
        "-C",
        server.to_str().unwrap(),
        "update-ref",
        "refs/heads/main",
        &accepted,
    ])
    .ok();
    let mut hook = env.git_task_cmd();
    hook.current_dir(&server)
        .args(["hook", "pre-receive"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = hook.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{accepted} {tip} refs/heads/main\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("commit {broken} \"wait for a ghost\"")),
        "{stderr}"
    );
}

#[test]
fn a_shallow_clone_pushes_what_it_has() {
    let (env, server) = server_and_clone();
    for n in 0..3 {
        std::fs::write(env.repo.join("code.txt"), format!("{n}\n")).unwrap();
        commit_all(&env, &format!("code {n}"), true);
    }
    env.git(&["push", "-q", "origin", "main"]).ok();
    // A shallow clone of the server, pushing to an empty server that takes
    // shallow pushes: the history stops at the clone's boundary.
    let shallow = env.dir.path().join("shallow");
    let url = format!("file://{}", server.display());
    env.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &url,
        shallow.to_str().unwrap(),
    ])
    .ok();
    let other = env.dir.path().join("other.git");
    env.git(&["init", "-q", "--bare", other.to_str().unwrap()])
        .ok();
    env.git(&[
        "-C",
        other.to_str().unwrap(),
        "config",
        "receive.shallowUpdate",
        "true",
    ])
    .ok();
    env.task_in(&other, &["hooks", "install"]).ok();
    let in_shallow = |args: &[&str]| {
        let mut all = vec!["-C", shallow.to_str().unwrap()];
        all.extend_from_slice(args);
        env.git(&all)
    };
    in_shallow(&["config", "user.email", "ana@example.com"]).ok();
    in_shallow(&["config", "user.name", "Ana"]).ok();
    env.task_in(&shallow, &["hooks", "install"]).ok();
    std::fs::write(shallow.join("code.txt"), "more\n").unwrap();
    in_shallow(&["commit", "-qam", "more code"]).ok();
    let run = in_shallow(&["push", "-q", other.to_str().unwrap(), "main"]);
    run.ok();
    assert!(!run.stderr.contains("git-task"), "{}", run.stderr);
}

#[test]
fn a_temporary_file_committed_past_the_commit_hook_is_refused_by_both_push_hooks() {
    let (env, server) = server_and_clone();
    std::fs::write(
        env.tasks_dir().join(".git-task-tmp-AbC123"),
        "subject = \"half a ta",
    )
    .unwrap();
    env.git(&["add", "-f", ".tasks/.git-task-tmp-AbC123"]).ok();
    env.git(&["commit", "-q", "--no-verify", "-m", "a killed write"])
        .ok();
    refused_on_both_sides(
        &env,
        &server,
        "main",
        "main",
        &[
            ".tasks/.git-task-tmp-AbC123:1:1: a temporary file of a git-task write that was interrupted",
        ],
    );
}

#[test]
fn a_temporary_file_in_a_commit_before_the_tip_is_refused_too() {
    let (env, server) = server_and_clone();
    let temporary = ".tasks/.git-task-tmp-XyZ789";
    std::fs::write(env.repo.join(temporary), "subject = \"half a ta").unwrap();
    env.git(&["add", "-f", temporary]).ok();
    env.git(&["commit", "-q", "--no-verify", "-m", "a killed write"])
        .ok();
    env.git(&["rm", "-q", "--cached", temporary]).ok();
    std::fs::remove_file(env.repo.join(temporary)).unwrap();
    env.git(&["commit", "-q", "--no-verify", "-m", "cleaned up"])
        .ok();
    refused_on_both_sides(
        &env,
        &server,
        "main",
        "main",
        &[
            "\"a killed write\"",
            ".tasks/.git-task-tmp-XyZ789:1:1: a temporary file",
        ],
    );
}

#[test]
fn a_merge_that_removes_a_gate_is_told_so_as_a_merge() {
    let env = with_remote();
    add_release_gate(&env);
    env.git(&["checkout", "-q", "-b", "cleanup"]).ok();
    env.task(&["rm", "release"]).ok();
    commit_all(&env, "drop the release gate", true);
    env.git(&["checkout", "-q", "main"]).ok();
    let run = env.git(&["merge", "--no-ff", "-m", "merge the cleanup", "cleanup"]);
    run.code(1);
    run.assert_stderr("gate `release` \"Release 1.0\" protects main, and this merge removes it");
    assert!(!run.stderr.contains("this push"), "{}", run.stderr);
}
