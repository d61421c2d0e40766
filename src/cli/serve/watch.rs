//! Whether the board may have changed: the stat data of every entry of
//! `.tasks/`, and of what a commit, a checkout or `git add` moves (HEAD,
//! the branch it names, the index), summed into one number that any
//! change to them changes.
//!
//! Polled, not notified: polling works the same on every system and file
//! system (a network mount, a container's bind mount) with no crate, and
//! at 10k tasks a look costs a directory read and 10k `lstat`s, a few
//! milliseconds. Content is never read: a change of size, times or inode
//! is a change, as git's own index takes it.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How often `.tasks/` is looked at.
pub const POLL: Duration = Duration::from_millis(400);

/// What is watched: the tasks directory, and the git directory of the
/// working tree (its HEAD and index) and the common one (its refs).
#[derive(Debug, Clone)]
pub struct Watched {
    pub tasks: PathBuf,
    pub git_dir: PathBuf,
}

/// The stat data of one path, as far as it tells a change.
fn stat_key(meta: &std::fs::Metadata, hasher: &mut impl Hasher) {
    meta.len().hash(hasher);
    meta.file_type().is_dir().hash(hasher);
    meta.modified().ok().hash(hasher);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.ino(), meta.ctime(), meta.ctime_nsec(), meta.mode()).hash(hasher);
    }
}

/// One path's stat data as a number (0 when it is not there).
fn path_key(path: &Path) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    match std::fs::symlink_metadata(path) {
        Ok(meta) => stat_key(&meta, &mut hasher),
        Err(_) => return 0,
    }
    hasher.finish()
}

impl Watched {
    /// A number that changes when anything watched changes: the sum of
    /// one hash per entry (so the order of the directory's listing does
    /// not matter), with their count and the git files' stat data.
    pub fn fingerprint(&self) -> u64 {
        let mut sum = path_key(&self.tasks);
        let mut count = 0u64;
        if let Ok(entries) = std::fs::read_dir(&self.tasks) {
            for entry in entries.flatten() {
                let mut hasher = std::hash::DefaultHasher::new();
                entry.file_name().hash(&mut hasher);
                // `DirEntry::metadata` does not follow a link, and on
                // Linux is an `fstatat` in the open directory.
                if let Ok(meta) = entry.metadata() {
                    stat_key(&meta, &mut hasher);
                }
                sum = sum.wrapping_add(hasher.finish());
                count += 1;
            }
        }
        let mut hasher = std::hash::DefaultHasher::new();
        (sum, count).hash(&mut hasher);
        for path in self.git_paths() {
            path_key(&path).hash(&mut hasher);
        }
        hasher.finish()
    }

    /// HEAD, the index, the branch HEAD names (loose, in the working
    /// tree's git directory or the common one) and the packed refs.
    fn git_paths(&self) -> Vec<PathBuf> {
        let head = self.git_dir.join("HEAD");
        let common = std::fs::read_to_string(self.git_dir.join("commondir"))
            .map(|c| self.git_dir.join(c.trim()))
            .unwrap_or_else(|_| self.git_dir.clone());
        let mut paths = vec![
            head.clone(),
            self.git_dir.join("index"),
            common.join("packed-refs"),
        ];
        if let Ok(text) = std::fs::read_to_string(&head)
            && let Some(name) = text.trim().strip_prefix("ref: ")
            && name.starts_with("refs/")
            && !name.split('/').any(|part| part == ".." || part.is_empty())
        {
            paths.push(self.git_dir.join(name));
            paths.push(common.join(name));
        }
        paths
    }
}

/// The board's version: a counter that goes up on every change seen,
/// with a condition variable for the event streams that wait for it.
#[derive(Debug)]
pub struct Versions {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Debug)]
struct State {
    version: u64,
    fingerprint: u64,
}

impl Versions {
    /// Version 1, of what `fingerprint` says is there now.
    pub fn new(fingerprint: u64) -> Versions {
        Versions {
            state: Mutex::new(State {
                version: 1,
                fingerprint,
            }),
            changed: Condvar::new(),
        }
    }

    /// The current version.
    pub fn current(&self) -> u64 {
        self.state.lock().expect("not poisoned").version
    }

    /// Takes a new look: a fingerprint other than the last makes a new
    /// version, and wakes everyone waiting. Returns the version.
    pub fn observe(&self, fingerprint: u64) -> u64 {
        let mut state = self.state.lock().expect("not poisoned");
        if state.fingerprint != fingerprint {
            state.fingerprint = fingerprint;
            state.version += 1;
            self.changed.notify_all();
        }
        state.version
    }

    /// Waits until the version is other than `seen`, for at most
    /// `timeout`; returns the version then.
    pub fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
        let state = self.state.lock().expect("not poisoned");
        let (state, _) = self
            .changed
            .wait_timeout_while(state, timeout, |s| s.version == seen)
            .expect("not poisoned");
        state.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched(dir: &Path) -> Watched {
        let tasks = dir.join(".tasks");
        let git_dir = dir.join(".git");
        std::fs::create_dir_all(&tasks).unwrap();
        std::fs::create_dir_all(git_dir.join("refs/heads")).unwrap();
        std::fs::write(git_dir.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        Watched { tasks, git_dir }
    }

    #[test]
    fn the_fingerprint_changes_with_any_file_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let w = watched(dir.path());
        let empty = w.fingerprint();
        assert_eq!(w.fingerprint(), empty, "nothing changed");
        std::fs::write(w.tasks.join("a.toml"), "subject = \"A\"\n").unwrap();
        let one = w.fingerprint();
        assert_ne!(one, empty);
        // A longer file, a removed one, a new branch tip, the index.
        std::fs::write(w.tasks.join("a.toml"), "subject = \"AB\"\n").unwrap();
        let longer = w.fingerprint();
        assert_ne!(longer, one);
        std::fs::remove_file(w.tasks.join("a.toml")).unwrap();
        assert_ne!(w.fingerprint(), longer);
        let before = w.fingerprint();
        std::fs::write(w.git_dir.join("refs/heads/main"), "0".repeat(40)).unwrap();
        let committed = w.fingerprint();
        assert_ne!(committed, before);
        std::fs::write(w.git_dir.join("index"), "DIRC").unwrap();
        assert_ne!(w.fingerprint(), committed);
    }

    #[test]
    fn a_version_goes_up_once_per_change_and_wakes_who_waits() {
        let versions = std::sync::Arc::new(Versions::new(7));
        assert_eq!(versions.observe(7), 1);
        let waiter = {
            let versions = std::sync::Arc::clone(&versions);
            std::thread::spawn(move || versions.wait_past(1, Duration::from_secs(10)))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(versions.observe(8), 2);
        assert_eq!(waiter.join().unwrap(), 2);
        assert_eq!(versions.observe(8), 2);
        // Nothing new: the wait ends at its timeout, on the same version.
        assert_eq!(versions.wait_past(2, Duration::from_millis(10)), 2);
    }
}
