//! git's own `index.lock`, held by a change from the moment it checks that
//! its files are still what it read until its last rename.
//!
//! `git checkout`, `merge`, `stash`, `rebase`, `reset` and `pull` rewrite
//! the working tree while they hold `index.lock`, and they take no lock of
//! ours. Without it, a checkout that ran between a change's check and its
//! rename would have the change write the old branch's task onto the new
//! branch. Holding `index.lock` makes the two take turns, as two git
//! commands do: a change waits for a running git command (at most its
//! `--wait`), and a git command started during the few milliseconds of a
//! change's renames stops at once with git's "index.lock: File exists",
//! having changed nothing.
//!
//! A change killed while it holds the lock would leave `index.lock`
//! behind, and git would refuse to work until someone removed it. So the
//! lock is made under another name first, holding a line no git writes
//! (`git-task PID NANOS`), that line is recorded in `git-task/index-lock`,
//! and only then is the file linked into place. The next change (which
//! holds git-task's lock, so the recorder is gone) removes an `index.lock`
//! that holds the recorded line, and never one of git's; so does the next
//! command that reads the working tree.
//!
//! Not taken when `GIT_INDEX_FILE` is set: git-task then runs inside a git
//! command (a hook) that holds the index itself, so nothing else that
//! takes the index can run meanwhile.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// `index.lock` held by this process; removed when dropped.
#[derive(Debug)]
pub(super) struct IndexLock {
    lock: PathBuf,
    record: PathBuf,
    /// What the lock file holds, and the record too.
    token: String,
}

/// Where the record of a held lock is kept, in `private` (the work
/// tree's `git-task/`).
fn record_in(private: &Path) -> PathBuf {
    private.join("index-lock")
}

impl IndexLock {
    /// Takes `index` + `.lock`, waiting up to `limit` for a git command
    /// that holds it. `None` when git-task runs inside a git command that
    /// holds it already.
    pub(super) fn take(index: &Path, private: &Path, limit: Duration) -> Result<Option<IndexLock>> {
        if std::env::var_os("GIT_INDEX_FILE").is_some() {
            return Ok(None);
        }
        let lock = lock_path(index);
        let record = record_in(private);
        remove_stale(&lock, &record);
        let dir = lock.parent().unwrap_or(Path::new("."));
        let start = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            match Self::try_take(dir, &lock, &record) {
                Ok(held) => return Ok(Some(held)),
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(&lock, e)),
            }
            let waited = start.elapsed();
            if waited >= limit {
                return Err(Error::IndexLocked { path: lock, waited });
            }
            std::thread::sleep(pause.min(limit - waited));
            pause = (pause * 2).min(Duration::from_millis(20));
        }
    }

    /// One try: a new file beside the lock, holding the token, recorded,
    /// then linked into place, which fails with `AlreadyExists` while git
    /// holds the lock.
    fn try_take(dir: &Path, lock: &Path, record: &Path) -> std::io::Result<IndexLock> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let token = format!("git-task {} {nanos}\n", std::process::id());
        let mut made = tempfile::Builder::new()
            .prefix("git-task-index-")
            .tempfile_in(dir)?;
        std::io::Write::write_all(&mut made, token.as_bytes())?;
        let made = made.into_temp_path();
        if let Some(parent) = record.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(record, &token)?;
        let linked = fs::hard_link(&made, lock);
        // The temporary name goes either way; the lock keeps the file.
        drop(made);
        if let Err(e) = linked {
            let _ = fs::remove_file(record);
            return Err(e);
        }
        Ok(IndexLock {
            lock: lock.to_path_buf(),
            record: record.to_path_buf(),
            token,
        })
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if holds(&self.lock, &self.token) {
            let _ = fs::remove_file(&self.lock);
        }
        let _ = fs::remove_file(&self.record);
    }
}

/// Whether the file at `path` holds exactly `token`: a lock of ours, not
/// one of git's (an index, or empty while git writes it).
fn holds(path: &Path, token: &str) -> bool {
    use std::io::Read;
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let mut start = Vec::new();
    file.take(token.len() as u64 + 1)
        .read_to_end(&mut start)
        .is_ok_and(|_| start == token.as_bytes())
}

/// Whether a change that held the lock recorded it and is gone without
/// removing the record: a killed one, or one running now (only the
/// caller's taking git-task's lock tells).
pub(super) fn left_behind(private: &Path) -> bool {
    record_in(private).exists()
}

/// [`remove_stale`] for a caller that holds git-task's lock.
pub(super) fn remove_left_behind(index: &Path, private: &Path) {
    remove_stale(&lock_path(index), &record_in(private));
}

fn lock_path(index: &Path) -> PathBuf {
    let mut lock = index.as_os_str().to_owned();
    lock.push(".lock");
    PathBuf::from(lock)
}

/// Removes the `index.lock` that a killed change left: the one holding
/// the recorded token. Called under git-task's lock, so whoever wrote the
/// record is gone.
fn remove_stale(lock: &Path, record: &Path) {
    let Ok(token) = fs::read_to_string(record) else {
        return;
    };
    if !token.is_empty() && holds(lock, &token) {
        let _ = fs::remove_file(lock);
    }
    let _ = fs::remove_file(record);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory for the index, and the private directory in it.
    fn scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (index, private) = (dir.path().join("index"), dir.path().join("git-task"));
        (dir, index, private)
    }

    /// The lock, free or left by a killed change, taken.
    fn take(index: &Path, private: &Path) -> IndexLock {
        IndexLock::take(index, private, Duration::from_secs(1))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn it_is_taken_released_and_waited_for() {
        let (dir, index, private) = scratch();
        let held = take(&index, &private);
        assert!(dir.path().join("index.lock").exists());
        assert!(record_in(&private).exists());
        drop(held);
        assert!(!dir.path().join("index.lock").exists());
        assert!(!record_in(&private).exists());
        // Held by git, it is waited for, at most as long as told.
        fs::write(dir.path().join("index.lock"), "").unwrap();
        let busy = IndexLock::take(&index, &private, Duration::from_millis(30)).unwrap_err();
        assert!(matches!(busy, Error::IndexLocked { .. }), "{busy:?}");
        fs::remove_file(dir.path().join("index.lock")).unwrap();
        // Nothing but the lock was left in the directory.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["git-task"], "{names:?}");
    }

    #[test]
    fn a_lock_left_by_a_killed_change_is_removed_and_one_of_git_is_not() {
        let (dir, index, private) = scratch();
        let held = take(&index, &private);
        // As if the process died: nothing is cleaned up.
        std::mem::forget(held);
        drop(take(&index, &private));
        // git's own lock, even one that a killed change's record was
        // written for: it does not hold the token, so it is waited for.
        std::mem::forget(take(&index, &private));
        fs::write(dir.path().join("index.lock"), "DIRC").unwrap();
        let busy = IndexLock::take(&index, &private, Duration::from_millis(30)).unwrap_err();
        assert!(matches!(busy, Error::IndexLocked { .. }));
        assert!(dir.path().join("index.lock").exists());
    }
}
