//! `git task hooks install|uninstall|status` and `init`'s hooks, in real git
//! repositories: where the shims go, that git runs them, that a hook that
//! was there before keeps working, and that uninstall gives it back.
//!
//! Where git runs a hook, `git-task` on PATH is a stand-in script that
//! records its arguments and input, so these tests are about installing and
//! chaining, not about what `git task hook NAME` checks.

#![cfg(unix)]

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::{Run, TestEnv, run};

const HOOKS: [&str; 4] = ["pre-commit", "pre-merge-commit", "pre-push", "pre-receive"];

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

fn write_script(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The shims as this repository ships them in `hooks/`.
fn shipped(name: &str) -> String {
    read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("hooks")
            .join(name),
    )
}

/// A stand-in `git-task` for the hooks to find on PATH. It appends
/// `git-task ARGS…` and then whatever it reads on stdin to the log.
struct FakeGitTask {
    path: String,
    log: PathBuf,
}

impl FakeGitTask {
    fn new(env: &TestEnv) -> FakeGitTask {
        let bin = env.dir.path().join("fake-bin");
        std::fs::create_dir_all(&bin).unwrap();
        let log = env.dir.path().join("calls.log");
        write_script(
            &bin.join("git-task"),
            &format!(
                "#!/bin/sh\n{{ echo \"git-task $*\"; cat; }} >>'{}'\n",
                log.display()
            ),
            0o755,
        );
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        FakeGitTask { path, log }
    }

    /// A hook script for the hooks directory that logs like the stand-in,
    /// as `previous ARGS…`, and then exits with `code`.
    fn previous_hook(&self, path: &Path, code: i32) {
        write_script(
            path,
            &format!(
                "#!/bin/sh\n{{ echo \"previous $*\"; cat; }} >>'{}'\nexit {code}\n",
                self.log.display()
            ),
            0o755,
        );
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn clear(&self) {
        let _ = std::fs::remove_file(&self.log);
    }

    /// Runs git in `dir` with the stand-in on PATH.
    fn git_in(&self, env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
        run(env
            .command("git")
            .current_dir(dir)
            .env("PATH", &self.path)
            .args(args))
    }

    fn git(&self, env: &TestEnv, args: &[&str]) -> Run {
        self.git_in(env, &env.repo, args)
    }
}

/// Stages a change so that `git commit` has something to record.
fn stage_a_change(env: &TestEnv, dir: &Path, name: &str) {
    std::fs::write(dir.join(name), name).unwrap();
    env.git(&["-C", dir.to_str().unwrap(), "add", name]).ok();
}

fn states(json: &serde_json::Value) -> Vec<(String, String)> {
    json["hooks"]
        .as_array()
        .expect("hooks")
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_owned(),
                h["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn all(state: &str) -> Vec<(String, String)> {
    HOOKS
        .iter()
        .map(|h| (h.to_string(), state.to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------
// Installing.

#[test]
fn install_writes_the_four_shipped_shims_executable() {
    let env = TestEnv::git_repo();
    let out = env.task(&["hooks", "install"]).ok().to_owned();
    let hooks = env.repo.join(".git/hooks");
    for name in HOOKS {
        let path = hooks.join(name);
        assert!(
            out.contains(&format!("installed .git/hooks/{name}\n")),
            "{out}"
        );
        assert_eq!(mode(&path) & 0o111, 0o111, "{name} is executable");
        // What is installed is exactly what the repository ships, so a
        // checkout that points core.hooksPath at hooks/ gets the same.
        assert_eq!(read(&path), shipped(name), "{name}");
        assert!(read(&path).starts_with("#!/bin/sh\n# git-task hook shim\n"));
        assert!(
            read(&path).ends_with(&format!("exec git-task hook {name} \"$@\"\n")),
            "{name}"
        );
    }
    // The shipped files are executable too: git skips a hook that is not.
    for name in HOOKS {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("hooks")
            .join(name);
        assert_eq!(mode(&shipped) & 0o111, 0o111, "hooks/{name}");
    }
}

#[test]
fn installing_twice_changes_nothing() {
    let env = TestEnv::git_repo();
    let hooks = env.repo.join(".git/hooks");
    write_script(&hooks.join("pre-push"), "#!/bin/sh\nexit 0\n", 0o755);
    env.task(&["hooks", "install"]).ok();
    let before: Vec<(String, String)> = std::fs::read_dir(&hooks)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                read(&e.path()),
            )
        })
        .collect();

    let again = env.task(&["hooks", "install"]);
    assert_eq!(again.ok(), "already installed in .git/hooks\n");
    let json = env.task(&["hooks", "install", "--json"]).json();
    assert_eq!(json["version"], 1);
    assert!(
        json["hooks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["action"] == "unchanged"),
        "{json}"
    );

    let after: Vec<(String, String)> = std::fs::read_dir(&hooks)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                read(&e.path()),
            )
        })
        .collect();
    assert_eq!(before, after);
    // Our shim was not mistaken for someone else's and chained to itself.
    assert_eq!(
        read(&hooks.join("pre-push.git-task-previous")),
        "#!/bin/sh\nexit 0\n"
    );
}

#[test]
fn install_creates_a_missing_hooks_directory() {
    let env = TestEnv::git_repo();
    std::fs::remove_dir_all(env.repo.join(".git/hooks")).unwrap();
    env.task(&["hooks", "install"]).ok();
    for name in HOOKS {
        assert_eq!(read(&env.repo.join(".git/hooks").join(name)), shipped(name));
    }
}

#[test]
fn an_out_of_date_or_unexecutable_shim_is_rewritten() {
    let env = TestEnv::git_repo();
    env.task(&["hooks", "install"]).ok();
    let hook = env.repo.join(".git/hooks/pre-commit");
    write_script(
        &hook,
        "#!/bin/sh\n# git-task hook shim\nexec git-task hook pre-commit\n",
        0o644,
    );
    let out = env.task(&["hooks", "install"]).ok().to_owned();
    assert_eq!(out, "updated .git/hooks/pre-commit\n");
    assert_eq!(read(&hook), shipped("pre-commit"));
    assert_eq!(mode(&hook) & 0o111, 0o111);
    assert!(
        !env.repo
            .join(".git/hooks/pre-commit.git-task-previous")
            .exists()
    );
}

// ---------------------------------------------------------------------------
// A hook that was there before.

#[test]
fn a_previous_pre_commit_runs_first_and_comes_back_on_uninstall() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    let hook = env.repo.join(".git/hooks/pre-commit");
    fake.previous_hook(&hook, 0);
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o750)).unwrap();
    let original = std::fs::read(&hook).unwrap();

    let out = env.task(&["hooks", "install"]).ok().to_owned();
    assert!(
        out.contains(
            "installed .git/hooks/pre-commit, which runs the hook that was there first \
             (kept as .git/hooks/pre-commit.git-task-previous)"
        ),
        "{out}"
    );
    let kept = env.repo.join(".git/hooks/pre-commit.git-task-previous");
    assert_eq!(std::fs::read(&kept).unwrap(), original);

    stage_a_change(&env, &env.repo, "a");
    fake.git(&env, &["commit", "-qm", "a"]).ok();
    assert_eq!(fake.calls(), "previous \ngit-task hook pre-commit\n");

    let out = env.task(&["hooks", "uninstall"]).ok().to_owned();
    assert!(
        out.contains("restored .git/hooks/pre-commit: the hook that was there before git-task's"),
        "{out}"
    );
    assert!(out.contains("removed .git/hooks/pre-push\n"), "{out}");
    assert_eq!(std::fs::read(&hook).unwrap(), original, "byte for byte");
    assert_eq!(mode(&hook), 0o750, "with its mode");
    assert!(!kept.exists());
    for name in ["pre-push", "pre-merge-commit", "pre-receive"] {
        assert!(!env.repo.join(".git/hooks").join(name).exists(), "{name}");
    }

    // The old hook alone runs again.
    fake.clear();
    stage_a_change(&env, &env.repo, "b");
    fake.git(&env, &["commit", "-qm", "b"]).ok();
    assert_eq!(fake.calls(), "previous \n");
}

#[test]
fn a_failing_previous_hook_still_stops_the_commit() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    fake.previous_hook(&env.repo.join(".git/hooks/pre-commit"), 3);
    env.task(&["hooks", "install"]).ok();

    stage_a_change(&env, &env.repo, "a");
    let refused = fake.git(&env, &["commit", "-qm", "a"]);
    assert_ne!(refused.code, 0, "{refused:?}");
    // git-task was never asked: the old hook's "no" is final.
    assert_eq!(fake.calls(), "previous \n");
    assert!(
        env.git(&["rev-parse", "-q", "--verify", "HEAD"]).code != 0,
        "nothing was committed"
    );
}

#[test]
fn a_previous_hook_that_is_not_executable_is_skipped_as_git_skips_it() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    let hook = env.repo.join(".git/hooks/pre-commit");
    fake.previous_hook(&hook, 1);
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.task(&["hooks", "install"]).ok();

    stage_a_change(&env, &env.repo, "a");
    fake.git(&env, &["commit", "-qm", "a"]).ok();
    assert_eq!(fake.calls(), "git-task hook pre-commit\n");

    env.task(&["hooks", "uninstall"]).ok();
    assert_eq!(mode(&hook), 0o644);
}

#[test]
fn pre_push_input_reaches_the_previous_hook_and_git_task() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    let remote = env.bare_remote();
    stage_a_change(&env, &env.repo, "a");
    env.git(&["commit", "-qm", "a"]).ok();
    let head = env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned();

    fake.previous_hook(&env.repo.join(".git/hooks/pre-push"), 0);
    env.task(&["hooks", "install"]).ok();
    // A temporary directory of this test's own, to see that the shim's
    // copy of its input does not outlive it.
    let tmp = env.dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    run(env
        .command("git")
        .env("PATH", &fake.path)
        .env("TMPDIR", &tmp)
        .args(["push", "-q", "origin", "main"]))
    .ok();

    let line = format!(
        "refs/heads/main {head} refs/heads/main {}\n",
        "0".repeat(head.len())
    );
    let url = remote.to_str().unwrap();
    assert_eq!(
        fake.calls(),
        format!("previous origin {url}\n{line}git-task hook pre-push origin {url}\n{line}")
    );
    let leftovers: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_failing_previous_pre_push_stops_the_push() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    env.bare_remote();
    stage_a_change(&env, &env.repo, "a");
    env.git(&["commit", "-qm", "a"]).ok();
    fake.previous_hook(&env.repo.join(".git/hooks/pre-push"), 1);
    env.task(&["hooks", "install"]).ok();

    let refused = fake.git(&env, &["push", "-q", "origin", "main"]);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(!fake.calls().contains("git-task"), "{}", fake.calls());
    let remote_refs = env.git(&["ls-remote", "origin"]).ok().to_owned();
    assert_eq!(remote_refs, "", "nothing was pushed");
}

#[test]
fn a_merge_commit_runs_pre_merge_commit() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    stage_a_change(&env, &env.repo, "a");
    env.git(&["commit", "-qm", "a"]).ok();
    env.git(&["checkout", "-qb", "feature"]).ok();
    stage_a_change(&env, &env.repo, "b");
    env.git(&["commit", "-qm", "b"]).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env.task(&["hooks", "install"]).ok();

    fake.git(&env, &["merge", "-q", "--no-ff", "--no-edit", "feature"])
        .ok();
    assert_eq!(fake.calls(), "git-task hook pre-merge-commit\n");
}

#[test]
fn uninstall_never_removes_a_hook_that_is_not_ours() {
    let env = TestEnv::git_repo();
    env.task(&["hooks", "install"]).ok();
    // Someone replaces our pre-commit with their own after the install.
    let hook = env.repo.join(".git/hooks/pre-commit");
    write_script(&hook, "#!/bin/sh\necho mine\n", 0o755);
    let run = env.task(&["hooks", "uninstall"]);
    run.ok();
    run.assert_stderr("kept .git/hooks/pre-commit: it is not git-task's hook");
    assert_eq!(read(&hook), "#!/bin/sh\necho mine\n");
    assert!(!env.repo.join(".git/hooks/pre-push").exists());

    assert_eq!(
        env.task(&["hooks", "uninstall"]).ok(),
        "no git-task hooks in .git/hooks\n"
    );
}

#[test]
fn install_refuses_when_the_name_for_the_previous_hook_is_taken() {
    let env = TestEnv::git_repo();
    let hooks = env.repo.join(".git/hooks");
    write_script(&hooks.join("pre-push"), "#!/bin/sh\necho one\n", 0o755);
    write_script(
        &hooks.join("pre-push.git-task-previous"),
        "#!/bin/sh\necho two\n",
        0o755,
    );
    let run = env.task(&["hooks", "install"]);
    run.code(1);
    run.assert_stderr("pre-push.git-task-previous");
    run.assert_stderr("hint: move one of them");
    // Refused before anything was written.
    assert!(!hooks.join("pre-commit").exists());
    assert_eq!(read(&hooks.join("pre-push")), "#!/bin/sh\necho one\n");
    assert_eq!(
        read(&hooks.join("pre-push.git-task-previous")),
        "#!/bin/sh\necho two\n"
    );
}

#[test]
fn without_git_task_on_path_the_hook_says_how_to_get_it_and_how_to_skip_it() {
    let env = TestEnv::git_repo();
    env.task(&["hooks", "install"]).ok();
    // PATH as the tests have it, less any directory holding a git-task.
    let path: Vec<String> = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty() && !Path::new(d).join("git-task").exists())
        .map(str::to_owned)
        .collect();
    let path = path.join(":");

    stage_a_change(&env, &env.repo, "a");
    let refused = run(env
        .command("git")
        .env("PATH", &path)
        .args(["commit", "-qm", "a"]));
    refused.code(1);
    refused.assert_stderr("error: the pre-commit hook needs git-task, which is not on PATH");
    refused.assert_stderr("cargo install");
    refused.assert_stderr("`git commit --no-verify`");

    run(env
        .command("git")
        .env("PATH", &path)
        .args(["commit", "-qm", "a", "--no-verify"]))
    .ok();
}

// ---------------------------------------------------------------------------
// Where the hooks go.

#[test]
fn a_relative_core_hooks_path_is_taken_from_the_top_of_the_working_tree() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    env.git(&["config", "core.hooksPath", ".githooks"]).ok();
    let sub = env.repo.join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();

    let out = env.task_in(&sub, &["hooks", "install"]).ok().to_owned();
    assert!(
        out.contains(&format!(
            "installed {}",
            env.repo
                .join(".githooks/pre-commit")
                .canonicalize()
                .unwrap()
                .display()
        )),
        "{out}"
    );
    for name in HOOKS {
        assert_eq!(read(&env.repo.join(".githooks").join(name)), shipped(name));
        assert!(!env.repo.join(".git/hooks").join(name).exists());
        assert!(!sub.join(".githooks").exists());
    }
    // It is where git looks: a commit runs it.
    stage_a_change(&env, &env.repo, "a");
    fake.git_in(&env, &sub, &["commit", "-qm", "a"]).ok();
    assert_eq!(fake.calls(), "git-task hook pre-commit\n");

    let json = env.task_in(&sub, &["hooks", "status", "--json"]).json();
    assert_eq!(states(&json), all("ours"));
    let dir = PathBuf::from(json["dir"].as_str().unwrap());
    assert_eq!(dir, env.repo.canonicalize().unwrap().join(".githooks"));
}

#[test]
fn an_absolute_core_hooks_path_is_used_as_it_is() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    let shared = env.dir.path().join("shared hooks");
    env.git(&["config", "core.hooksPath", shared.to_str().unwrap()])
        .ok();

    env.task(&["hooks", "install"]).ok();
    for name in HOOKS {
        assert_eq!(read(&shared.join(name)), shipped(name));
        assert!(!env.repo.join(".git/hooks").join(name).exists());
    }
    stage_a_change(&env, &env.repo, "a");
    fake.git(&env, &["commit", "-qm", "a"]).ok();
    assert_eq!(fake.calls(), "git-task hook pre-commit\n");

    env.task(&["hooks", "uninstall"]).ok();
    for name in HOOKS {
        assert!(!shared.join(name).exists());
    }
}

#[test]
fn a_linked_worktree_installs_into_the_shared_hooks_directory() {
    let env = TestEnv::git_repo();
    let fake = FakeGitTask::new(&env);
    stage_a_change(&env, &env.repo, "a");
    env.git(&["commit", "-qm", "a"]).ok();
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

    let out = env.task_in(&wt, &["hooks", "install"]).ok().to_owned();
    let common = env.repo.canonicalize().unwrap().join(".git/hooks");
    assert!(
        out.contains(&format!("installed {}", common.join("pre-push").display())),
        "{out}"
    );
    for name in HOOKS {
        assert_eq!(read(&common.join(name)), shipped(name));
        assert!(!env.repo.join(".git/worktrees/wt/hooks").join(name).exists());
    }

    let json = env.task_in(&wt, &["hooks", "status", "--json"]).json();
    assert_eq!(json["version"], 1);
    assert_eq!(PathBuf::from(json["dir"].as_str().unwrap()), common);
    assert_eq!(states(&json), all("ours"));

    // Both working trees run them.
    stage_a_change(&env, &wt, "b");
    fake.git_in(&env, &wt, &["commit", "-qm", "b"]).ok();
    stage_a_change(&env, &env.repo, "c");
    fake.git(&env, &["commit", "-qm", "c"]).ok();
    assert_eq!(
        fake.calls(),
        "git-task hook pre-commit\ngit-task hook pre-commit\n"
    );
}

#[test]
fn a_bare_repository_gets_the_hooks_in_its_own_hooks_directory() {
    let env = TestEnv::bare_dir();
    let fake = FakeGitTask::new(&env);
    env.git(&["init", "-q", "--bare", "-b", "main", "."]).ok();

    let out = env.task(&["hooks", "install"]).ok().to_owned();
    assert!(out.contains("installed hooks/pre-receive\n"), "{out}");
    for name in HOOKS {
        assert_eq!(read(&env.repo.join("hooks").join(name)), shipped(name));
    }
    let json = env.task(&["hooks", "status", "--json"]).json();
    assert_eq!(states(&json), all("ours"));

    // A push to it runs pre-receive with git's `<old> <new> <ref>` lines.
    let clone = env.dir.path().join("clone");
    env.git(&["init", "-q", "-b", "main", clone.to_str().unwrap()])
        .ok();
    let git = |args: &[&str]| {
        let mut all = vec!["-C", clone.to_str().unwrap()];
        all.extend_from_slice(args);
        env.git(&all)
    };
    git(&["config", "user.email", "ana@example.com"]).ok();
    git(&["config", "user.name", "Ana"]).ok();
    stage_a_change(&env, &clone, "a");
    git(&["commit", "-qm", "a"]).ok();
    let head = git(&["rev-parse", "HEAD"]).ok().trim().to_owned();
    fake.git_in(
        &env,
        &clone,
        &["push", "-q", env.repo.to_str().unwrap(), "main"],
    )
    .ok();
    assert_eq!(
        fake.calls(),
        format!(
            "git-task hook pre-receive\n{} {head} refs/heads/main\n",
            "0".repeat(head.len())
        )
    );
}

// ---------------------------------------------------------------------------
// Status.

#[test]
fn status_tells_each_state_apart() {
    let env = TestEnv::git_repo();
    let hooks = env.repo.join(".git/hooks");
    let json = env.task(&["hooks", "status", "--json"]).json();
    assert_eq!(json["version"], 1);
    assert_eq!(states(&json), all("not_installed"));
    let none = env.task(&["hooks", "status"]);
    none.assert_stderr("hint: `git task hooks install`");

    write_script(&hooks.join("pre-push"), "#!/bin/sh\nexit 0\n", 0o755);
    let json = env.task(&["hooks", "status", "--json"]).json();
    assert_eq!(json["hooks"][2]["name"], "pre-push");
    assert_eq!(json["hooks"][2]["state"], "foreign");

    env.task(&["hooks", "install"]).ok();
    write_script(&hooks.join("pre-commit"), "#!/bin/sh\nexit 0\n", 0o755);
    std::fs::set_permissions(
        hooks.join("pre-receive"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let json = env.task(&["hooks", "status", "--json"]).json();
    assert_eq!(
        states(&json),
        vec![
            ("pre-commit".to_owned(), "foreign".to_owned()),
            ("pre-merge-commit".to_owned(), "ours".to_owned()),
            ("pre-push".to_owned(), "ours_chaining".to_owned()),
            ("pre-receive".to_owned(), "ours".to_owned()),
        ]
    );
    let dir = hooks.canonicalize().unwrap();
    assert_eq!(PathBuf::from(json["dir"].as_str().unwrap()), dir);
    assert_eq!(
        json["hooks"][2]["previous"],
        dir.join("pre-push.git-task-previous").display().to_string()
    );
    assert_eq!(
        json["hooks"][2]["path"],
        dir.join("pre-push").display().to_string()
    );
    assert_eq!(json["hooks"][0]["previous"], serde_json::Value::Null);
    assert_eq!(json["hooks"][3]["executable"], false);
    assert_eq!(json["hooks"][1]["executable"], true);

    let run = env.task(&["hooks", "status"]);
    assert_eq!(
        run.ok(),
        "hooks directory: .git/hooks\n\
         \x20 pre-commit        another hook, not git-task's\n\
         \x20 pre-merge-commit  git-task\n\
         \x20 pre-push          git-task, runs the hook that was there first \
         (.git/hooks/pre-push.git-task-previous)\n\
         \x20 pre-receive       git-task (not executable: git skips it)\n\
         merge driver: git-task (named for .tasks/*.toml in .gitattributes)\n"
    );
    run.assert_stderr("hint:");
}

#[test]
fn status_outside_a_repository_says_so() {
    let env = TestEnv::bare_dir();
    let run = env.task(&["hooks", "status"]);
    run.code(2);
    run.assert_stderr("not in a git repository");
}

// ---------------------------------------------------------------------------
// init.

#[test]
fn init_installs_the_hooks_and_reports_them() {
    let env = TestEnv::git_repo();
    let json = env.task(&["init", "--json"]).json();
    assert_eq!(json["version"], 1);
    let dir = env.repo.canonicalize().unwrap().join(".git/hooks");
    assert_eq!(json["hooks"]["dir"], dir.display().to_string());
    let actions: Vec<(&str, &str)> = json["hooks"]["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["name"].as_str().unwrap(), h["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        HOOKS.iter().map(|h| (*h, "installed")).collect::<Vec<_>>()
    );
    for name in HOOKS {
        assert_eq!(read(&dir.join(name)), shipped(name));
    }
    // Again: nothing new, and it says so.
    assert!(env.task(&["init"]).ok().starts_with("already initialized"));
}

#[test]
fn init_keeps_a_previous_hook_and_says_so() {
    let env = TestEnv::git_repo();
    write_script(
        &env.repo.join(".git/hooks/pre-commit"),
        "#!/bin/sh\nexit 0\n",
        0o755,
    );
    let out = env.task(&["init"]).ok().to_owned();
    assert_eq!(
        out,
        "created .tasks\n\
         created .tasks/config.toml\n\
         created .tasks/.gitignore\n\
         created .gitattributes\n\
         installed .git/hooks/pre-commit, which runs the hook that was there first \
         (kept as .git/hooks/pre-commit.git-task-previous)\n\
         installed .git/hooks/pre-merge-commit\n\
         installed .git/hooks/pre-push\n\
         installed .git/hooks/pre-receive\n\
         added the git-task merge driver to .git/config\n"
    );
}

#[test]
fn init_no_hooks_installs_none() {
    let env = TestEnv::git_repo();
    let json = env.task(&["init", "--no-hooks", "--json"]).json();
    assert_eq!(json["hooks"], serde_json::Value::Null);
    for name in HOOKS {
        assert!(!env.repo.join(".git/hooks").join(name).exists(), "{name}");
    }
    assert_eq!(
        env.task(&["init", "--no-hooks"]).ok(),
        format!(
            "already initialized: {}\n",
            env.repo.canonicalize().unwrap().join(".tasks").display()
        )
    );
}

#[test]
fn hooks_install_takes_a_relative_path_to_a_bare_repository() {
    let env = TestEnv::bare_dir();
    let server = env.dir.path().join("server.git");
    env.git(&["init", "-q", "--bare", server.to_str().unwrap()])
        .ok();
    // From a directory beside it, as `-C ../server.git`.
    let run = env.task(&["-C", "../server.git", "hooks", "install"]);
    run.ok();
    assert!(server.join("hooks/pre-receive").exists());
}
