//! The exclusive lock that serialises every read-modify-write of `.tasks/`.
//!
//! An OS file lock (`flock`) on `git-task.lock` in the git directory: it is
//! released when the holder exits or is killed, so a crash never leaves a
//! stale lock. The holder writes who it is into the file, so that a process
//! kept waiting (by a holder stopped with Ctrl-Z, say) can say whom it is
//! waiting for, and it waits only so long.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::error::{Error, Invalid, ModeProblem, Result};

/// How long a writer waits for the lock unless told otherwise.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// After how long a waiting writer says whom it is waiting for.
const NOTICE_AFTER: Duration = Duration::from_secs(1);

/// Who holds the lock, as the holder wrote it into the lock file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Holder {
    pub pid: Option<u32>,
    pub host: Option<String>,
    /// The command line of the holder.
    pub command: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

impl Holder {
    fn me() -> Holder {
        let command: Vec<String> = std::env::args().collect();
        Holder {
            pid: Some(std::process::id()),
            host: hostname(),
            command: Some(command.join(" ")),
            since: Some(Utc::now()),
        }
    }

    fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(pid) = self.pid {
            out.push_str(&format!("pid {pid}\n"));
        }
        if let Some(host) = &self.host {
            out.push_str(&format!("host {host}\n"));
        }
        if let Some(command) = &self.command {
            out.push_str(&format!("command {}\n", command.replace('\n', " ")));
        }
        if let Some(since) = self.since {
            out.push_str(&format!("since {}\n", crate::task::format_timestamp(since)));
        }
        out
    }

    fn parse(text: &str) -> Holder {
        let mut holder = Holder::default();
        for line in text.lines() {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "pid" => holder.pid = value.parse().ok(),
                "host" => holder.host = Some(value.to_owned()),
                "command" => holder.command = Some(value.to_owned()),
                "since" => holder.since = crate::task::parse_timestamp(value).ok(),
                _ => {}
            }
        }
        holder
    }

    /// `process 1234 on host (git task note …) since 10:00:01 UTC`, as
    /// much of it as is known.
    pub fn describe(&self) -> String {
        let mut out = match self.pid {
            Some(pid) => format!("process {pid}"),
            None => "another process".to_owned(),
        };
        if let Some(host) = &self.host {
            out.push_str(&format!(" on {host}"));
        }
        if let Some(command) = &self.command {
            out.push_str(&format!(" (`{command}`)"));
        }
        if let Some(since) = self.since {
            out.push_str(&format!(" since {}", since.format("%Y-%m-%d %H:%M:%S UTC")));
        }
        out
    }
}

/// How to take the lock: how long to wait, and whom to tell while waiting.
pub struct Wait<'a> {
    pub limit: Duration,
    /// Called once when the wait has gone on for a while.
    pub notice: Option<&'a dyn Fn(&Holder)>,
    /// The file mode for a new lock file, from `core.sharedRepository`.
    pub mode: Option<u32>,
}

/// Held for the life of a transaction; released when dropped (or when the
/// process dies).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Waits until the lock at `path` is free, at most `wait.limit`, and
    /// takes it.
    pub fn acquire(path: &Path, wait: &Wait) -> Result<Lock> {
        let (mut file, writable) = open(path, wait.mode)?;
        let start = Instant::now();
        let mut noticed = false;
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(path, e)),
            }
            let waited = start.elapsed();
            if waited >= wait.limit {
                return Err(Error::LockBusy {
                    path: path.to_path_buf(),
                    holder: read_holder(path).map(Box::new),
                    waited,
                });
            }
            if !noticed
                && waited >= NOTICE_AFTER
                && let Some(notice) = wait.notice
            {
                notice(&read_holder(path).unwrap_or_default());
                noticed = true;
            }
            std::thread::sleep(pause.min(wait.limit - waited));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
        if writable {
            // Best effort: who holds it is only ever advice for others.
            let text = Holder::me().to_text();
            let _ = file
                .set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| file.write_all(text.as_bytes()));
        }
        Ok(Lock { _file: file })
    }
}

/// Opens (creating) the lock file, for writing when allowed: a lock file
/// another user created, without group write, can still be locked through
/// a read-only descriptor.
fn open(path: &Path, mode: Option<u32>) -> Result<(File, bool)> {
    let created = !path.exists();
    match OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(file) => {
            set_shared_mode(&file, path, mode, created)?;
            Ok((file, true))
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            let file = File::open(path).map_err(|_| Error::io(path, e))?;
            Ok((file, false))
        }
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Gives the lock file the shared mode, as git adjusts the files it
/// creates: on a new file always, on an existing one of ours when the mode
/// differs (the setting may have come after the file). A file of another
/// user's is theirs to change.
#[cfg(unix)]
fn set_shared_mode(file: &File, path: &Path, mode: Option<u32>, created: bool) -> Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Some(mode) = mode else {
        return Ok(());
    };
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let mine = meta.uid() == unsafe { libc::geteuid() };
    if (created || mine) && meta.mode() & 0o777 != mode {
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn set_shared_mode(_: &File, _: &Path, _: Option<u32>, _: bool) -> Result<()> {
    Ok(())
}

/// Who holds the lock at `path`, if it says.
fn read_holder(path: &Path) -> Option<Holder> {
    let mut text = String::new();
    File::open(path)
        .ok()?
        .take(4096)
        .read_to_string(&mut text)
        .ok()?;
    let holder = Holder::parse(&text);
    (holder != Holder::default()).then_some(holder)
}

fn hostname() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The mode of files git-task creates in the git directory, from
/// `core.sharedRepository` as git reads it: `group` (or `true`, `1`) makes
/// them group-writable, `all` (`world`, `everybody`, `2`) also readable by
/// everyone, an octal number is the mode itself; `umask` (`false`, `0`) or
/// no setting leaves the umask to decide (`None`).
pub fn shared_mode(value: Option<&str>) -> std::result::Result<Option<u32>, Invalid> {
    let Some(value) = value.map(str::trim) else {
        return Ok(None);
    };
    match value.to_ascii_lowercase().as_str() {
        "" | "umask" | "false" | "no" | "off" | "0" => Ok(None),
        "group" | "true" | "yes" | "on" | "1" => Ok(Some(0o660)),
        "all" | "world" | "everybody" | "2" => Ok(Some(0o664)),
        octal if octal.starts_with('0') && octal.len() > 1 => {
            let bad = |why| Invalid::SharedRepository {
                value: value.to_owned(),
                why,
            };
            let mode =
                u32::from_str_radix(&octal[1..], 8).map_err(|_| bad(ModeProblem::NotOctal))?;
            if mode & 0o600 != 0o600 {
                return Err(bad(ModeProblem::OwnerCannotWrite));
            }
            // Files git-task creates are never executable.
            Ok(Some(mode & 0o666))
        }
        _ => Err(Invalid::SharedRepository {
            value: value.to_owned(),
            why: ModeProblem::Unknown,
        }),
    }
}

/// The path of the lock in a git directory.
pub fn path_in(git_dir: &Path) -> PathBuf {
    git_dir.join("git-task.lock")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_repository_values() {
        assert_eq!(shared_mode(None), Ok(None));
        assert_eq!(shared_mode(Some("umask")), Ok(None));
        assert_eq!(shared_mode(Some("group")), Ok(Some(0o660)));
        assert_eq!(shared_mode(Some("true")), Ok(Some(0o660)));
        assert_eq!(shared_mode(Some("all")), Ok(Some(0o664)));
        assert_eq!(shared_mode(Some("0640")), Ok(Some(0o640)));
        assert!(matches!(
            shared_mode(Some("0400")),
            Err(Invalid::SharedRepository {
                why: ModeProblem::OwnerCannotWrite,
                ..
            })
        ));
        assert!(matches!(
            shared_mode(Some("0x9")),
            Err(Invalid::SharedRepository {
                why: ModeProblem::NotOctal,
                ..
            })
        ));
        assert!(matches!(
            shared_mode(Some("sometimes")),
            Err(Invalid::SharedRepository {
                why: ModeProblem::Unknown,
                ..
            })
        ));
    }

    #[test]
    fn a_held_lock_names_its_holder_and_a_waiter_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        let no_wait = Wait {
            limit: Duration::from_millis(100),
            notice: None,
            mode: None,
        };
        let held = Lock::acquire(&path, &no_wait).unwrap();
        match Lock::acquire(&path, &no_wait) {
            Err(Error::LockBusy { holder, .. }) => {
                let holder = holder.expect("the holder wrote itself down");
                assert_eq!(holder.pid, Some(std::process::id()));
                assert!(holder.describe().starts_with("process "));
            }
            other => panic!("{other:?}"),
        }
        drop(held);
        Lock::acquire(&path, &no_wait).unwrap();
    }
}
