//! A throwaway git repository and a pinned environment for running the
//! real `git` and the real `git-task` binary.

#![allow(dead_code)]

pub mod browser;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use assert_cmd::cargo::CommandCargoExt;

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    /// The working tree of the repository under test.
    pub repo: PathBuf,
    home: PathBuf,
    now: String,
}

/// Where `name` is: a program found on PATH, or, for a name with a `/`,
/// the file itself when it exists.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let path = PathBuf::from(name);
        return path.exists().then_some(path);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Whether `name` (a program on PATH, or a file for a name with a `/`)
/// is there for a test that needs it for `what`. Without it: a skip note
/// on a developer machine, and a failure when `CI` is set, since `.ci/run`
/// installs every tool the tests use.
#[track_caller]
pub fn have_tool(name: &str, what: &str) -> bool {
    if find_tool(name).is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{name} is not installed, needed for {what}; .ci/run installs it"
    );
    eprintln!("note: {name} is not installed; skipping {what}");
    false
}

/// What a command printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a command to its end and keeps what it printed.
pub fn run(cmd: &mut Command) -> Run {
    Run::from(cmd.output().expect("run the command"))
}

impl Run {
    pub fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr contains `text`, showing stderr when it does not.
    #[track_caller]
    pub fn assert_stderr(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }

    /// Asserts that stdout contains `text`, showing stdout when it does not.
    #[track_caller]
    pub fn assert_stdout(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}

/// PATH with the directory of the built `git-task` first, as after
/// `cargo install`: git finds `git task` and hooks find `git-task`.
pub fn path_with_git_task() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_git-task"))
        .parent()
        .expect("the binary has a directory")
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&rest)))
        .expect("a valid PATH")
}

impl TestEnv {
    /// An empty directory with nothing initialised.
    pub fn bare_dir() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(home.join(".gitconfig"), "").unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        TestEnv {
            repo,
            home,
            dir,
            now: "2026-11-21T10:00:00Z".into(),
        }
    }

    /// A git repository with an identity and `git task init` done.
    pub fn new() -> TestEnv {
        let env = TestEnv::git_repo();
        env.task(&["init"]).ok();
        env
    }

    /// A git repository with an identity, without `.tasks/`.
    pub fn git_repo() -> TestEnv {
        let env = TestEnv::bare_dir();
        env.git(&["init", "-q", "-b", "main"]).ok();
        env.git(&["config", "user.email", "ana@example.com"]).ok();
        env.git(&["config", "user.name", "Ana"]).ok();
        env
    }

    /// A bare repository beside the working tree, added as remote `origin`:
    /// a remote to push to, or a server. Returns its path.
    pub fn bare_remote(&self) -> PathBuf {
        let remote = self.dir.path().join("remote.git");
        let path = remote.to_str().expect("a UTF-8 temp path");
        self.git(&["init", "-q", "--bare", path]).ok();
        self.git(&["remote", "add", "origin", path]).ok();
        remote
    }

    /// Sets the time git-task takes as now, for the commands that follow.
    pub fn at(&mut self, now: &str) {
        self.now = now.into();
    }

    fn pin(&self, cmd: &mut Command) {
        cmd.current_dir(&self.repo)
            .env_clear()
            .env("PATH", path_with_git_task())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "2026-11-21T10:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-11-21T10:00:00Z")
            .env("GIT_TASK_NOW", &self.now)
            // Generated ids follow from the seed and the ids already there,
            // so a test sees the same ids on every run.
            .env("GIT_TASK_ID_SEED", "git-task tests")
            // Claims record the machine's name.
            .env("GIT_TASK_HOST", "laptop")
            .env("LC_ALL", "C")
            .env("TZ", "UTC");
    }

    /// Any program, run in the repository with the pinned environment.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        self.pin(&mut cmd);
        cmd
    }

    pub fn git_task_cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("git-task").expect("the git-task binary");
        self.pin(&mut cmd);
        cmd
    }

    pub fn task(&self, args: &[&str]) -> Run {
        Run::from(
            self.git_task_cmd()
                .args(args)
                .output()
                .expect("run git-task"),
        )
    }

    /// Runs git-task in `dir` instead of the repository root.
    pub fn task_in(&self, dir: &Path, args: &[&str]) -> Run {
        Run::from(
            self.git_task_cmd()
                .current_dir(dir)
                .args(args)
                .output()
                .expect("run git-task"),
        )
    }

    /// Runs git-task with `input` on its standard input.
    pub fn task_with_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self
            .git_task_cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run git-task");
        child
            .stdin
            .take()
            .expect("its standard input")
            .write_all(input)
            .expect("write its standard input");
        Run::from(child.wait_with_output().expect("run git-task"))
    }

    pub fn task_with_env(&self, vars: &[(&str, &str)], args: &[&str]) -> Run {
        let mut cmd = self.git_task_cmd();
        for (k, v) in vars {
            cmd.env(k, v);
        }
        Run::from(cmd.args(args).output().expect("run git-task"))
    }

    pub fn git(&self, args: &[&str]) -> Run {
        Run::from(self.command("git").args(args).output().expect("run git"))
    }

    /// Adds a task and returns its id.
    pub fn add(&self, args: &[&str]) -> String {
        let mut all = vec!["add"];
        all.extend_from_slice(args);
        self.task(&all).ok().trim().to_owned()
    }

    /// The ids `ready` prints, in order.
    pub fn ready(&self) -> Vec<String> {
        let json = self.task(&["ready", "--json"]).json();
        json["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_owned())
            .collect()
    }

    pub fn done(&self, id: &str) {
        self.task(&["done", id]).ok();
    }

    pub fn tasks_dir(&self) -> PathBuf {
        self.repo.join(".tasks")
    }

    pub fn read(&self, id: &str) -> String {
        std::fs::read_to_string(self.tasks_dir().join(format!("{id}.toml"))).unwrap()
    }

    pub fn write(&self, id: &str, text: &str) {
        std::fs::write(self.tasks_dir().join(format!("{id}.toml")), text).unwrap();
    }

    /// Every file under `.tasks/` with its contents, to show nothing changed.
    pub fn snapshot(&self) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(self.tasks_dir())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).unwrap_or_default(),
                )
            })
            .collect();
        files.sort();
        files
    }
}

impl TestEnv {
    /// Every file of `.tasks/` by name, with its bytes and modification
    /// time: an import or apply that changes nothing leaves all three as
    /// they were.
    pub fn files_and_times(&self) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
        std::fs::read_dir(self.tasks_dir())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let meta = e.metadata().unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    (std::fs::read(e.path()).unwrap(), meta.modified().unwrap()),
                )
            })
            .collect()
    }

    /// The tasks as `export` writes them, one object a line, without the
    /// format version (asserted to be 1 on every line).
    #[track_caller]
    pub fn exported(&self) -> Vec<serde_json::Value> {
        self.task(&["export"])
            .ok()
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                let version = v.as_object_mut().unwrap().remove("version");
                assert_eq!(version, Some(1.into()), "{l}");
                v
            })
            .collect()
    }
}

/// Asserts that `got` and `want` hold the same items in the same order,
/// one item at a time, so that a failure shows the item that differs.
#[track_caller]
pub fn assert_items_eq<T: PartialEq + std::fmt::Debug>(got: &[T], want: &[T]) {
    assert_eq!(got.len(), want.len());
    for (got, want) in got.iter().zip(want) {
        assert_eq!(got, want);
    }
}

/// `created`, `updated`, `unchanged` and `edges` of an import's `--json`
/// report.
pub fn import_counts(
    report: &serde_json::Value,
) -> (
    &serde_json::Value,
    &serde_json::Value,
    &serde_json::Value,
    &serde_json::Value,
) {
    (
        &report["created"],
        &report["updated"],
        &report["unchanged"],
        &report["edges"],
    )
}

/// Each field an import's `--json` report says it dropped, with on how
/// many tasks.
pub fn dropped_counts(report: &serde_json::Value) -> Vec<(&str, u64)> {
    report["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["field"].as_str().unwrap(), d["count"].as_u64().unwrap()))
        .collect()
}

/// A task object as [`TestEnv::exported`] gives it: git-task's defaults
/// (`created` null) with the fields of `fields` over them, each of which
/// must be a field of the export.
#[track_caller]
pub fn exported_task(fields: serde_json::Value) -> serde_json::Value {
    let mut out = serde_json::json!({
        "id": null, "subject": null, "status": "pending", "kind": "task",
        "priority": "medium", "parent": null, "blocked_by": [], "gate": null,
        "owner": null, "estimate": null, "estimate_minutes": null, "due": null,
        "labels": [], "verify": null, "created": null, "started": null,
        "closed": null, "plan_key": null, "origin": null, "description": null,
        "criteria": [], "waiver": null, "notes": [], "meta": {},
    });
    for (k, v) in fields.as_object().unwrap() {
        assert!(out.get(k).is_some(), "no field {k}");
        out[k] = v.clone();
    }
    out
}

impl TestEnv {
    /// A repository whose `.tasks/` holds the fixture `tests/fixtures/NAME`.
    pub fn fixture(name: &str) -> TestEnv {
        let env = TestEnv::new();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        for entry in std::fs::read_dir(&dir).expect("fixture directory") {
            let path = entry.expect("fixture entry").path();
            std::fs::copy(
                &path,
                env.tasks_dir().join(path.file_name().expect("file name")),
            )
            .expect("copy fixture");
        }
        env
    }

    /// Stages everything in `dir` (a clone, or the repository) and commits
    /// it with author and committer date `date`, without hooks; returns
    /// the commit's short sha as git abbreviates it.
    pub fn commit_at(&self, dir: &Path, date: &str, message: &str) -> String {
        let git = |args: &[&str]| {
            let out = run(self
                .command("git")
                .current_dir(dir)
                .env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date)
                .args(args));
            assert_eq!(out.code, 0, "git {args:?}: {}", out.stderr);
            out.stdout.trim().to_owned()
        };
        git(&["add", "-A"]);
        git(&["commit", "-q", "--no-verify", "-m", message]);
        git(&["rev-parse", "--short", "HEAD"])
    }

    /// The object with `"id": id` in the JSON array `list`.
    #[track_caller]
    pub fn by_id<'a>(list: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
        list.as_array()
            .expect("an array")
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {list}"))
    }

    /// The ids of a JSON array of task objects or of id strings.
    pub fn ids_of(value: &serde_json::Value) -> Vec<String> {
        value
            .as_array()
            .expect("an array")
            .iter()
            .map(|v| v.get("id").unwrap_or(v).as_str().expect("an id").to_owned())
            .collect()
    }
}

/// A small, seeded generator (xorshift64*) for the randomized suites: the
/// same seed, the same run. The seed is mixed first (splitmix64), so that
/// neighbouring seeds start far apart.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The number in environment variable `name` (a seed, a number of
/// rounds), or `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

impl TestEnv {
    /// Waits until the git-task process `pid` holds the lock of the
    /// repository (it writes its pid into the lock file once it has it),
    /// so a test acts while that process is inside its change.
    pub fn wait_for_lock_holder(&self, pid: u32) {
        self.wait_until(pid, "took the lock", || true);
    }

    /// [`TestEnv::wait_for_lock_holder`], then until `also` holds too.
    pub fn wait_until(&self, pid: u32, what: &str, also: impl Fn() -> bool) {
        let lock = self.repo.join(".git/git-task.lock");
        let wanted = format!("pid {pid}\n");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !(std::fs::read_to_string(&lock).is_ok_and(|t| t.starts_with(&wanted)) && also()) {
            assert!(
                std::time::Instant::now() < deadline,
                "process {pid} never {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Clone `c` of `remote`'s main, in `clone-C` beside the repository,
    /// with git's identity `clone-C@example.com`. Returns its directory.
    pub fn clone_of(&self, remote: &Path, c: usize) -> PathBuf {
        let dir = self.dir.path().join(format!("clone-{c}"));
        let (remote, to) = (remote.to_str().unwrap(), dir.to_str().unwrap());
        self.git(&["clone", "-q", "-b", "main", remote, to]).ok();
        run(self.command("git").current_dir(&dir).args([
            "config",
            "user.email",
            &format!("clone-{c}@example.com"),
        ]))
        .ok();
        dir
    }

    /// Commits everything in the working tree, without the hooks.
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]).ok();
        self.git(&["commit", "-q", "--no-verify", "-m", message])
            .ok();
    }
}
