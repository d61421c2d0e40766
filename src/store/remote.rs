//! Talking to a remote through `git` itself: fetching the claims and
//! pushing one with compare and swap. git, not gix, because it is what
//! already reaches the user's remotes: their URLs, ssh keys, credential
//! helpers, proxies and `insteadOf` rewrites all apply unchanged.
//!
//! git never prompts here (`GIT_TERMINAL_PROMPT=0`): an agent without a
//! terminal would wait for ever. Credentials come from a helper or an ssh
//! agent, as for any scripted push.

use std::process::{Command, Stdio};

use super::Workspace;
use super::repo::ObjectId;
use crate::error::{Error, RemoteOp, Result};

/// How a push of one reference ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pushed {
    /// The remote took it.
    Done,
    /// The remote held something else than expected: someone else
    /// changed the reference first. `message` is git's word for it.
    Stale { message: String },
}

impl Workspace {
    /// A `git` command in this repository that never prompts and runs no
    /// hooks of ours.
    fn git_command(&self) -> Command {
        let mut git = Command::new("git");
        git.current_dir(self.git_cwd())
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null());
        // Hooks set these for the repository being pushed to or from; a
        // claim made inside a hook still talks about this one.
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_QUARANTINE_PATH",
        ] {
            git.env_remove(var);
        }
        git.arg("--git-dir").arg(self.git_dir());
        if !self.is_bare() {
            git.arg("--work-tree").arg(self.root());
        }
        git
    }

    /// Makes the references under `remote_prefix` on `remote` the local
    /// ones under `local_prefix`: new ones fetched, changed ones
    /// replaced, gone ones removed. Only those references are asked for,
    /// so it costs one round trip and the few objects they point at.
    pub fn fetch_references(
        &self,
        remote: &str,
        remote_prefix: &str,
        local_prefix: &str,
    ) -> Result<()> {
        let refspec = format!("+{remote_prefix}*:{local_prefix}*");
        let mut last = String::new();
        // Two fetches of one clone at the same moment can trip on each
        // other's reference locks; the second try finds them free.
        for _ in 0..3 {
            let output = self
                .git_command()
                .args([
                    "fetch",
                    "--quiet",
                    "--no-tags",
                    "--no-write-fetch-head",
                    "--no-auto-maintenance",
                    "--prune",
                    "--",
                    remote,
                    &refspec,
                ])
                .output()
                .map_err(|e| remote_error(remote, RemoteOp::Fetch, e.to_string()))?;
            if output.status.success() {
                return Ok(());
            }
            last = git_said(&output.stderr);
            if !last.contains("lock") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Err(remote_error(remote, RemoteOp::Fetch, last))
    }

    /// Sets `name` on `remote` to `new` (deletes it for `None`) only if
    /// it holds `expected` there (`None`: does not exist). The remote
    /// checks the old value under its own lock of the reference, so of
    /// two pushes from the same old value exactly one gets through.
    pub fn push_reference(
        &self,
        remote: &str,
        name: &str,
        expected: Option<ObjectId>,
        new: Option<ObjectId>,
    ) -> Result<Pushed> {
        let lease = format!(
            "--force-with-lease={name}:{}",
            expected.map_or_else(String::new, |id| id.to_string())
        );
        let refspec = match new {
            Some(id) => format!("{id}:{name}"),
            None => format!(":{name}"),
        };
        let output = self
            .git_command()
            .args(["push", "--porcelain", "--no-verify", "--quiet", &lease])
            .args(["--", remote, &refspec])
            .output()
            .map_err(|e| remote_error(remote, RemoteOp::Push, e.to_string()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        // `--porcelain` prints one line per reference: a flag, the
        // refspec, and a summary; `!` is a rejection.
        let line = stdout
            .lines()
            .find(|l| l.split('\t').nth(1).is_some_and(|r| r.ends_with(name)));
        match line {
            Some(line) if !line.starts_with('!') => Ok(Pushed::Done),
            Some(line) => {
                let summary = line.split('\t').nth(2).unwrap_or("rejected").to_owned();
                Ok(Pushed::Stale {
                    message: if summary.contains("stale info")
                        || summary.contains("fetch first")
                        || summary.contains("already exists")
                        || summary.contains("non-fast-forward")
                        || summary.contains("failed to update ref")
                        || summary.contains("cannot lock ref")
                    {
                        summary
                    } else {
                        return Err(Error::RemoteRefused {
                            remote: remote.to_owned(),
                            name: name.to_owned(),
                            message: format!("{summary}{}", detail(&output.stderr)),
                        });
                    },
                })
            }
            None if output.status.success() => Ok(Pushed::Done),
            None => Err(remote_error(
                remote,
                RemoteOp::Push,
                git_said(&output.stderr),
            )),
        }
    }
}

fn remote_error(remote: &str, op: RemoteOp, message: String) -> Error {
    Error::Remote {
        remote: remote.to_owned(),
        op,
        message,
    }
}

/// What git said on stderr, on one line: its `fatal:`/`error:` lines
/// when there are any, else all of it.
fn git_said(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let important: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("fatal:") || l.starts_with("error:"))
        .collect();
    let lines: Vec<&str> = if important.is_empty() {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    } else {
        important
    };
    let joined = lines.join("; ");
    if joined.is_empty() {
        "git gave no reason".to_owned()
    } else {
        joined
    }
}

/// `; ` and git's own words, when it said any.
fn detail(stderr: &[u8]) -> String {
    let said = git_said(stderr);
    if said == "git gave no reason" {
        String::new()
    } else {
        format!(" ({said})")
    }
}
