//! Scratch repositories for the targets that run against one: made once
//! per process with the real `git`, commits pinned to fixed dates so that
//! their ids (which the hook target's seeds name) are the same on every
//! machine, and copied afresh for a target that changes it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The tasks of the scratch repository: a chain, a fan-in, a red gate
/// and a task with notes and criteria.
const TASKS: &[(&str, &str)] = &[
    (
        "design",
        "subject = \"Design\"\nstatus = \"completed\"\nclosed = 2026-01-02T00:00:00Z\n",
    ),
    (
        "build",
        "subject = \"Build\"\nblocked_by = [\"design\"]\nestimate = \"4h\"\n",
    ),
    (
        "test",
        "subject = \"Test\"\nblocked_by = [\"build\"]\nlabels = [\"qa\"]\n",
    ),
    (
        "docs",
        "subject = \"Docs\"\nblocked_by = [\"design\"]\nowner = \"ana\"\n",
    ),
    (
        "release",
        "subject = \"Release\"\nblocked_by = [\"test\", \"docs\"]\ngate = true\n\n[[criteria]]\ntext = \"Changelog written\"\n",
    ),
    (
        "epic",
        "subject = \"Epic\"\nkind = \"epic\"\n\n[[notes]]\nat = 2026-01-01T00:00:00Z\nby = \"ana\"\ntext = \"Started\"\n",
    ),
    (
        "part",
        "subject = \"Part\"\nparent = \"epic\"\nkind = \"story\"\n",
    ),
];

/// Runs `git` in `dir` with a pinned environment.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("HOME", dir)
        .env("GIT_AUTHOR_NAME", "Fuzz")
        .env("GIT_AUTHOR_EMAIL", "fuzz@example.com")
        .env("GIT_COMMITTER_NAME", "Fuzz")
        .env("GIT_COMMITTER_EMAIL", "fuzz@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("git prints UTF-8")
        .trim()
        .to_owned()
}

/// The template: `main` with the tasks committed, and `feature` one
/// commit further, where `release` is done.
pub struct Template {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    /// `main`'s and `feature`'s commits.
    pub main: String,
    pub feature: String,
}

/// The template of this process, made on first use.
pub fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).expect("mkdir");
        git(&path, &["init", "-q", "-b", "main"]);
        let _ = std::fs::remove_dir_all(path.join(".git/hooks"));
        std::fs::create_dir(path.join(".tasks")).expect("mkdir .tasks");
        for (id, text) in TASKS {
            std::fs::write(path.join(format!(".tasks/{id}.toml")), text).expect("write");
        }
        git(&path, &["add", "-A"]);
        git(&path, &["commit", "-q", "-m", "tasks"]);
        let main = git(&path, &["rev-parse", "HEAD"]);
        git(&path, &["checkout", "-q", "-b", "feature"]);
        std::fs::write(
            path.join(".tasks/release.toml"),
            "subject = \"Release\"\nblocked_by = [\"test\", \"docs\"]\ngate = true\nstatus = \"completed\"\n",
        )
        .expect("write");
        git(&path, &["commit", "-q", "-am", "release done"]);
        let feature = git(&path, &["rev-parse", "HEAD"]);
        git(&path, &["checkout", "-q", "main"]);
        Template {
            _dir: dir,
            path,
            main,
            feature,
        }
    })
}

/// A fresh copy of the template, removed when dropped.
pub fn fresh() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("repo");
    copy_dir(&template().path, &path);
    (dir, path)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Keeps what the repository's files could name from running: `sh` (a
/// task's `verify` command, the editor) is `true`, and only `git` is
/// found besides. Called before anything runs.
pub fn sandbox_path() {
    static DONE: OnceLock<tempfile::TempDir> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let git = which("git").expect("git on PATH");
        std::os::unix::fs::symlink(git, dir.path().join("git")).expect("link git");
        std::os::unix::fs::symlink(which("true").expect("true"), dir.path().join("sh"))
            .expect("link sh");
        // SAFETY: called before the target starts a thread of its own.
        unsafe { std::env::set_var("PATH", dir.path()) };
        unsafe { std::env::set_var("GIT_CONFIG_NOSYSTEM", "1") };
        unsafe { std::env::set_var("GIT_CONFIG_GLOBAL", "/dev/null") };
        unsafe { std::env::set_var("GIT_TASK_NOW", "2026-06-01T12:00:00Z") };
        unsafe { std::env::set_var("GIT_AUTHOR_NAME", "Fuzz") };
        unsafe { std::env::set_var("GIT_AUTHOR_EMAIL", "fuzz@example.com") };
        unsafe { std::env::set_var("GIT_COMMITTER_NAME", "Fuzz") };
        unsafe { std::env::set_var("GIT_COMMITTER_EMAIL", "fuzz@example.com") };
        dir
    });
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
