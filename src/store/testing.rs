//! Real git repositories in temporary directories for the library's unit
//! tests, made with the `git` command in a pinned environment: no user or
//! system configuration, a fixed identity, and commit dates a minute apart
//! so that "newest first" is the order the commits were made.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::Workspace;

/// A repository with a working tree, on branch `main`.
pub(crate) struct TestRepo {
    dir: tempfile::TempDir,
    /// Commits made so far: the next one's date.
    commits: Cell<u32>,
}

impl TestRepo {
    /// `git init` in a new temporary directory.
    pub(crate) fn new() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::tempdir().expect("a temporary directory"),
            commits: Cell::new(0),
        };
        std::fs::create_dir_all(repo.home()).expect("a home directory");
        repo.git(&["init", "-q", "-b", "main", "work"]);
        repo
    }

    /// The top of the working tree.
    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    /// A directory beside the working tree, for other repositories.
    pub(crate) fn beside(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Runs git in the working tree; panics unless it succeeds. Returns its
    /// output, trimmed.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.root(), args)
    }

    /// [`TestRepo::git`] in `dir` (the working tree need not exist yet).
    pub(crate) fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let dir = if dir.exists() { dir } else { self.dir.path() };
        let date = format!("2026-01-01T10:{:02}:00Z", self.commits.get() % 60);
        let out = Command::new("git")
            .current_dir(dir)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env("HOME", self.home())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ana")
            .env("GIT_AUTHOR_EMAIL", "ana@example.com")
            .env("GIT_COMMITTER_NAME", "Ana")
            .env("GIT_COMMITTER_EMAIL", "ana@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .args(args)
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Writes a file of the working tree, making its directory.
    pub(crate) fn write(&self, path: &str, text: &str) {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("the directory");
        std::fs::write(path, text).expect("the file");
    }

    /// Removes a file of the working tree.
    pub(crate) fn remove(&self, path: &str) {
        std::fs::remove_file(self.root().join(path)).expect("remove the file");
    }

    /// Commits everything in the working tree, a minute after the last
    /// commit; returns the commit's id.
    pub(crate) fn commit(&self, message: &str) -> String {
        self.commits.set(self.commits.get() + 1);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// The repository as git-task opens it.
    pub(crate) fn workspace(&self) -> Workspace {
        Workspace::discover(&self.root()).expect("open the repository")
    }
}
