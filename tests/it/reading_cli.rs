//! How the reading commands load tasks: from a revision (`--rev`, also in
//! a bare repository), past files that do not read, and the errors and
//! hints they give.

use crate::common;

use common::TestEnv;

/// build ← test ← deploy, committed and tagged `v1`; then, in the working
/// tree only, `build` is done and `extra` added.
fn tagged() -> TestEnv {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build"]);
    env.add(&["Test", "--id", "test", "--after", "build"]);
    env.add(&["Deploy", "--id", "deploy", "--after", "test"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "tasks"]).ok();
    env.git(&["tag", "v1"]).ok();
    env.done("build");
    env.add(&["Extra", "--id", "extra"]);
    env
}

fn ids(run: &common::Run, key: &str) -> Vec<String> {
    TestEnv::ids_of(&run.json()[key])
}

#[test]
fn every_reading_command_reads_a_revision() {
    let env = tagged();
    // The working tree: build is done, test is ready, extra exists.
    let mut ready = env.ready();
    ready.sort();
    assert_eq!(ready, ["extra", "test"]);
    for rev in ["v1", "main", "HEAD"] {
        let r = |args: &[&str]| {
            let mut all = args.to_vec();
            all.extend(["--rev", rev]);
            env.task(&all)
        };
        assert_eq!(ids(&r(&["ready", "--json"]), "tasks"), ["build"]);
        assert_eq!(
            ids(&r(&["list", "--json"]), "tasks"),
            ["build", "deploy", "test"]
        );
        assert_eq!(ids(&r(&["blocked", "--json"]), "tasks"), ["deploy", "test"]);
        r(&["show", "build"]).assert_stdout("pending — ready");
        let status = r(&["status", "--json"]).json();
        assert_eq!(status["counts"]["total"], 3, "{status}");
        assert_eq!(status["counts"]["completed"], 0, "{status}");
        let plan = r(&["plan", "--json"]);
        plan.ok();
        assert!(!plan.stdout.contains("extra"), "{}", plan.stdout);
        assert!(plan.stdout.contains("\"build\""), "{}", plan.stdout);
        let graph = r(&["graph", "--json"]).json();
        assert_eq!(
            TestEnv::ids_of(&graph["nodes"]),
            ["build", "deploy", "test"]
        );
    }
    // Without --rev: the working tree still.
    env.task(&["show", "build"]).assert_stdout("completed");
}

#[test]
fn a_bare_repository_reads_revisions_and_refuses_changes() {
    let env = tagged();
    let bare = env.dir.path().join("server.git");
    env.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()])
        .ok();
    let run = env.task_in(&bare, &["ready", "--rev", "HEAD", "--json"]);
    assert_eq!(ids(&run, "tasks"), ["build"]);
    env.task_in(&bare, &["list", "--rev", "v1"])
        .ok()
        .contains("deploy")
        .then_some(())
        .expect("deploy listed");
    env.task_in(&bare, &["status", "--rev", "main"]).ok();
    env.task_in(&bare, &["graph", "--rev", "main"]).ok();
    // Without a revision there is no working tree to read.
    let run = env.task_in(&bare, &["list"]);
    run.code(2).assert_stderr("bare repository");
    run.assert_stderr("git task list --rev HEAD");
    // Changes are refused.
    let run = env.task_in(&bare, &["add", "More"]);
    run.code(2).assert_stderr("bare repository");
    let run = env.task_in(&bare, &["done", "build"]);
    run.code(2).assert_stderr("bare repository");
}

#[test]
fn an_unknown_revision_is_named_in_the_users_words() {
    let env = tagged();
    for args in [
        &["list", "--rev", "nosuch"][..],
        &["show", "build", "--rev", "nosuch"],
        &["check", "--rev", "nosuch"],
        &["diff", "nosuch...main"],
    ] {
        let run = env.task(args);
        run.code(2)
            .assert_stderr("error: no revision `nosuch` in this repository")
            .assert_stderr("hint: `git branch --all` and `git tag` list the names there are");
        assert!(!run.stderr.contains("parse"), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("input="), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn a_missing_directory_is_named_as_missing() {
    let env = tagged();
    let missing = env.dir.path().join("nonexistent");
    let run = env.task(&["-C", missing.to_str().unwrap(), "list"]);
    run.code(2).assert_stderr("no such directory:");
    assert!(
        !run.stderr.contains("not in a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
fn outside_a_repository_the_hint_is_a_command() {
    let env = TestEnv::bare_dir();
    let run = env.task(&["list"]);
    run.code(2).assert_stderr("not in a git repository");
    run.assert_stderr(&format!(
        "hint: run it inside a git repository, or make this one: git init {}",
        env.repo.canonicalize().unwrap().display()
    ));
}

/// `tagged()` with `build.toml` broken on line 3 (committed, so tracked).
fn broken() -> TestEnv {
    let env = tagged();
    let mut text = env.read("build");
    text.push_str("subject = \n");
    std::fs::write(env.tasks_dir().join("build.toml"), text).unwrap();
    env
}

#[test]
fn reading_commands_answer_past_a_file_that_does_not_read() {
    let env = broken();
    let line = env.read("build").lines().count();
    let location = format!("error: .tasks/build.toml:{line}:11: ");
    let warning = "warning: 1 file of .tasks/ does not read: the answer leaves it out, and tasks that wait for it show as blocked by it";
    let hint = "hint: fix .tasks/build.toml by hand, or undo the edit: git checkout -- :/.tasks/build.toml";
    for args in [
        &["list"][..],
        &["ready"],
        &["blocked"],
        &["show", "deploy"],
        &["status"],
        &["plan"],
        &["critical-path"],
        &["tracks"],
        &["graph"],
    ] {
        let run = env.task(args);
        run.code(2)
            .assert_stderr(&location)
            .assert_stderr(warning)
            .assert_stderr(hint);
        assert!(!run.stdout.is_empty(), "{args:?} printed no answer");
    }
    // The command the hint gives works from any directory of the tree.
    let broken_text = env.read("build");
    let sub = env.repo.join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    let run = env.task_in(&sub, &["list"]);
    run.code(2).assert_stderr(hint);
    let command = hint.rsplit_once("undo the edit: ").unwrap().1;
    common::run(env.command("sh").current_dir(&sub).arg("-c").arg(command)).ok();
    env.task(&["list"]).ok();
    std::fs::write(env.tasks_dir().join("build.toml"), broken_text).unwrap();
    // The answer covers every task that reads: test waits for the unread
    // build, so it is blocked by it.
    let run = env.task(&["ready", "--json"]);
    assert_eq!(ids(&run, "tasks"), ["extra"]);
    let run = env.task(&["list", "--json"]);
    assert_eq!(ids(&run, "tasks"), ["deploy", "extra", "test"]);
    env.task(&["blocked"])
        .assert_stdout("waits for build (no such task)");
    // The broken task itself: said to be in the file, not unknown.
    let run = env.task(&["show", "build"]);
    run.code(2)
        .assert_stderr("error: .tasks/build.toml does not read, so its task cannot be used");
    // Changes still refuse, with the real path in the hint.
    let before = env.snapshot();
    let run = env.task(&["start", "extra"]);
    run.code(2).assert_stderr(&location).assert_stderr(hint);
    assert!(!run.stderr.contains("<file>"), "{}", run.stderr);
    assert_eq!(env.snapshot(), before);
    // Reading a revision is not affected by the working tree.
    env.task(&["ready", "--rev", "HEAD"]).ok();
}

#[test]
fn a_new_file_that_does_not_read_is_not_checked_out_again() {
    let env = tagged();
    std::fs::write(env.tasks_dir().join("new.toml"), "subject = [\n").unwrap();
    let run = env.task(&["list"]);
    run.code(2).assert_stderr(
        "hint: fix .tasks/new.toml by hand (git has no copy to restore); `git task check` lists every problem",
    );
    assert!(!run.stderr.contains("checkout"), "{}", run.stderr);
}

#[test]
fn a_file_of_a_revision_that_does_not_read_is_fixed_by_a_commit() {
    let env = broken();
    env.git(&["commit", "-qam", "broken", "--no-verify"]).ok();
    env.git(&["checkout", "-q", "v1", "--", ".tasks/build.toml"])
        .ok();
    let run = env.task(&["list", "--rev", "HEAD"]);
    run.code(2)
        .assert_stderr("error: .tasks/build.toml:")
        .assert_stderr("hint: HEAD holds it as committed: fix it in a new commit; `git task check --rev HEAD` lists every problem");
    assert!(!run.stderr.contains("checkout"), "{}", run.stderr);
}

#[test]
fn during_a_merge_conflict_the_hint_resolves_and_adds_the_file() {
    let env = tagged();
    env.git(&["commit", "-qam", "build done"]).ok();
    env.git(&["checkout", "-qb", "side"]).ok();
    env.task(&["edit", "test", "--subject", "Test on side"])
        .ok();
    env.git(&["commit", "-qam", "side"]).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env.task(&["edit", "test", "--subject", "Test on main"])
        .ok();
    env.git(&["commit", "-qam", "main"]).ok();
    env.git(&["merge", "-q", "side"]).code(1);
    let hint = "hint: .tasks/test.toml is in conflict: keep one side of each conflict, remove the marker lines, then run `git add :/.tasks/test.toml`";
    let run = env.task(&["list"]);
    run.code(2)
        .assert_stderr(".tasks/test.toml:1:1")
        .assert_stderr(hint);
    assert!(!run.stderr.contains("checkout"), "{}", run.stderr);
    // A change refuses with the same hint.
    let run = env.task(&["start", "deploy"]);
    run.code(2).assert_stderr(hint);
    assert!(!run.stderr.contains("checkout"), "{}", run.stderr);
}

#[test]
fn hints_name_the_real_ids_and_paths() {
    let env = TestEnv::new();
    env.add(&["Epic", "--id", "epic"]);
    env.add(&["Base", "--id", "base", "--parent", "epic"]);
    env.add(&["One", "--id", "one", "--after", "base"]);
    env.add(&["Two", "--id", "two", "--after", "base"]);
    env.add(&["Part", "--id", "part", "--parent", "base"]);
    // rm of a task others name: one command per referrer.
    let run = env.task(&["rm", "base"]);
    run.code(1)
        .assert_stderr("hint: drop it as a blocker first: git task dep rm one base && git task dep rm two base")
        .assert_stderr("hint: give its children another parent: git task edit part --parent epic");
    assert!(!run.stderr.contains('<'), "{}", run.stderr);
    // ... and each hint works as printed.
    env.task(&["dep", "rm", "one", "base"]).ok();
    env.task(&["dep", "rm", "two", "base"]).ok();
    env.task(&["edit", "part", "--parent", "epic"]).ok();
    env.task(&["rm", "base"]).ok();
    // Without a grandparent the children become top-level.
    env.add(&["Child", "--id", "child", "--parent", "one"]);
    env.task(&["rm", "one"]).code(1).assert_stderr(
        "hint: give its children another parent: git task edit child --unset parent",
    );

    // done with unmet criteria: the numbers to mark.
    env.add(&["Gate", "--id", "gate", "--criteria", "a", "b", "c"]);
    env.task(&["criteria", "gate", "--met", "2"]).ok();
    env.task(&["done", "gate"])
        .code(1)
        .assert_stderr("hint: mark them met: git task criteria gate --met 1 3");

    // A failed verify: run done again, on this task.
    env.add(&["Proof", "--id", "proof", "--verify", "test -f proof.txt"]);
    env.task(&["done", "proof"])
        .code(1)
        .assert_stderr("hint: fix what it reports and run `git task done proof` again");

    // A subject swallowed by --after: the command with it first.
    env.task(&["add", "--after", "two", "Do it"])
        .code(2)
        .assert_stderr("hint: put the subject first: git task add 'Do it' --after two");
}

#[test]
fn the_cycle_hint_names_an_edge_to_drop() {
    let env = TestEnv::new();
    env.write("a", "subject = \"A\"\nblocked_by = [\"b\"]\n");
    env.write("b", "subject = \"B\"\nblocked_by = [\"a\"]\n");
    let run = env.task(&["graph"]);
    run.assert_stderr("hint: break each cycle at one of its edges: git task dep rm ");
    assert!(!run.stderr.contains("`git task dep rm`"), "{}", run.stderr);
}

#[test]
fn check_hints_name_the_stray_file() {
    let env = TestEnv::new();
    std::fs::write(env.tasks_dir().join("notes.md"), "x").unwrap();
    let run = env.task(&["check"]);
    run.assert_stdout("hint: if it is a task, name it after its id: mv .tasks/notes.md .tasks/notes.toml; move it out of .tasks/: mv .tasks/notes.md .");
    assert!(!run.stdout.contains("<id>"), "{}", run.stdout);
}

/// What `git task ARGS` prints with stdout on a terminal: run under
/// `script` (util-linux), which gives it a pseudo-terminal.
fn on_terminal(env: &TestEnv, args: &[&str]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let mut line = vec![
        quote(env!("CARGO_BIN_EXE_git-task")),
        "--color".into(),
        "never".into(),
    ];
    line.extend(args.iter().map(|a| quote(a)));
    let run = common::run(
        env.command("script")
            .args(["-qec", &line.join(" "), "/dev/null"]),
    );
    run.stdout.replace("\r\n", "\n")
}

#[test]
fn empty_answers_say_why_on_a_terminal_and_nothing_in_a_pipe() {
    let env = TestEnv::new();
    let none = "no tasks yet; add one with git task add \"Subject\"\n";
    assert_eq!(on_terminal(&env, &["ready"]), none);
    assert_eq!(on_terminal(&env, &["blocked"]), none);
    assert_eq!(on_terminal(&env, &["list"]), none);

    env.add(&["Build", "--id", "build"]);
    env.add(&["Test", "--id", "test", "--after", "build"]);
    env.add(&["Deploy", "--id", "deploy", "--after", "test"]);
    env.task(&["start", "build"]).ok();
    assert_eq!(
        on_terminal(&env, &["ready"]),
        "nothing is ready: 2 tasks are blocked, see `git task blocked`\n"
    );
    assert_eq!(
        on_terminal(&env, &["list", "--kind", "epic"]),
        "no task matches\n"
    );
    env.done("build");
    env.done("test");
    assert_eq!(
        on_terminal(&env, &["blocked"]),
        "nothing is blocked: 1 task is ready, see `git task ready`\n"
    );
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "tasks"]).ok();
    env.done("deploy");
    assert_eq!(
        on_terminal(&env, &["list"]),
        "no open tasks: 3 tasks completed or cancelled, see `git task list --all`\n"
    );
    assert_eq!(
        on_terminal(&env, &["ready"]),
        "nothing is ready: every task is completed or cancelled\n"
    );
    // Of a revision, the commands named are for the same revision.
    assert_eq!(
        on_terminal(&env, &["blocked", "--rev", "HEAD"]),
        "nothing is blocked: 1 task is ready, see `git task ready --rev HEAD`\n"
    );
    // Piped: empty, so scripts see no tasks.
    for args in [
        &["ready"][..],
        &["blocked"],
        &["list"],
        &["list", "--kind", "epic"],
    ] {
        assert_eq!(env.task(args).ok(), "", "{args:?}");
    }
}

#[test]
fn status_leaves_out_empty_sections() {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build"]);
    env.add(&["Test", "--id", "test", "--after", "build"]);
    env.task(&["start", "build"]).ok();
    let out = env.task(&["status"]).ok().to_owned();
    assert!(!out.contains("Ready now"), "{out}");
    assert!(!out.contains("Gates"), "{out}");
    assert!(
        out.contains("0 ready, 1 blocked; nothing can start now, see `git task blocked`"),
        "{out}"
    );
    assert!(out.contains("In progress"), "{out}");
}

#[test]
fn a_clone_without_the_merge_driver_is_told_once_how_to_define_it() {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "tasks"]).ok();
    let warning = "warning: .gitattributes asks for git-task's merge driver, but this clone does not define it (merge.git-task.driver), so git merges task files line by line";
    let hint = "hint: define it (and install the hooks): git task hooks install";
    // Where init ran, the driver is defined: no word.
    let run = env.task(&["add", "Here"]);
    assert!(!run.stderr.contains("merge driver"), "{}", run.stderr);

    let clone = env.dir.path().join("clone");
    env.git(&["clone", "-q", ".", clone.to_str().unwrap()]).ok();
    let c = clone.to_str().unwrap();
    env.git(&["-C", c, "config", "user.email", "bo@example.com"])
        .ok();
    for args in [
        &["add", "Test", "--id", "test"][..],
        &["start", "build"],
        &["note", "build", "going"],
        &["status"],
    ] {
        let run = env.task_in(&clone, args);
        run.ok();
        assert_eq!(
            run.stderr.matches(warning).count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
        run.assert_stderr(hint);
    }
    // Reading commands and refusals stay quiet.
    for args in [&["list"][..], &["ready"], &["show", "build"], &["graph"]] {
        let run = env.task_in(&clone, args);
        run.ok();
        assert!(
            !run.stderr.contains("merge driver"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let run = env.task_in(&clone, &["done", "nosuch"]);
    assert!(!run.stderr.contains("merge driver"), "{}", run.stderr);
    // The hint does what it says.
    env.task_in(&clone, &["hooks", "install"]).ok();
    let run = env.task_in(&clone, &["add", "Later"]);
    run.ok();
    assert!(!run.stderr.contains("merge driver"), "{}", run.stderr);

    // With a hook manager: the other hint, pasted as it is, defines only
    // the driver.
    let other = env.dir.path().join("other");
    env.git(&["clone", "-q", ".", other.to_str().unwrap()]).ok();
    let run = env.task_in(&other, &["status"]);
    let pasted = run
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("hint: or define only the driver (with a hook manager): "))
        .unwrap_or_else(|| panic!("no driver-only hint:\n{}", run.stderr))
        .to_owned();
    common::run(env.command("sh").current_dir(&other).arg("-c").arg(&pasted)).ok();
    let run = env.task_in(&other, &["status"]);
    assert!(!run.stderr.contains("merge driver"), "{}", run.stderr);
    let status = env.task_in(&other, &["--json", "hooks", "status"]).json();
    assert_eq!(status["merge_driver"]["registered"], true, "{status}");
    assert_eq!(status["merge_driver"]["outdated"], false, "{status}");
    assert!(!other.join(".git/hooks/pre-commit").exists());
}

#[test]
fn diff_without_commits_says_so_without_gix_text() {
    let env = TestEnv::new();
    let run = env.task(&["diff"]);
    run.code(2)
        .assert_stderr("error: there are no commits yet, so there is nothing to compare with");
}

#[test]
fn check_hints_for_a_missing_parent_are_a_command() {
    let env = TestEnv::new();
    env.write("orphan", "subject = \"Orphan\"\nparent = \"gone\"\n");
    let run = env.task(&["check"]);
    run.code(1).assert_stdout(
        "hint: drop it: git task edit orphan --unset parent (or name the right one with --parent)",
    );
    env.task(&["edit", "orphan", "--unset", "parent"]).ok();
    env.task(&["check"]).ok();
}

#[test]
fn a_file_that_does_not_read_in_the_index_or_a_commit_is_fixed_there_not_restored() {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "tasks"]).ok();
    let good = env.read("build");
    env.write("build", "subject = \n");
    env.git(&["add", "-A"]).ok();
    // Staged, then the working tree fixed: the index still holds it.
    env.write("build", &good);
    let run = env.task(&["gate", "list", "--staged"]);
    run.code(2).assert_stderr(
        "hint: the index holds it as staged: fix it in the working tree, then `git add :/.tasks/build.toml`",
    );
    assert!(!run.stderr.contains("checkout"), "{}", run.stderr);
    // Committed: diff names the commit, and says to fix it in a new one.
    env.git(&["commit", "-qm", "broken", "--no-verify"]).ok();
    let run = env.task(&["diff", "HEAD~1..HEAD"]);
    run.code(2)
        .assert_stderr("hint: HEAD holds it as committed: fix it in a new commit");
    assert!(!run.stderr.contains("checkout"), "{}", run.stderr);
}
