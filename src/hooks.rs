//! Installing git-task's hook shims into a repository, taking them out
//! again, and saying what is installed (docs/hooks.md).
//!
//! A shim is a few lines of POSIX sh that hand over to `git-task hook NAME`;
//! the checks themselves live in the binary. A hook that was there before
//! ours is never lost: it is moved aside to `NAME.git-task-previous` and our
//! shim runs it first, and `uninstall` moves it back.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::Workspace;

/// The line that marks a hook script as ours. A script that contains it is
/// one we may rewrite or remove; any other script belongs to someone else.
pub const MARKER: &str = "# git-task hook shim";

/// What a hook that was there before ours is renamed to, after its name.
pub const PREVIOUS_SUFFIX: &str = ".git-task-previous";

/// The hooks git-task installs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hook {
    PreCommit,
    PrePush,
    PreMergeCommit,
    PreReceive,
}

impl Hook {
    /// Every hook we install, in the order a change meets them.
    pub const ALL: [Hook; 4] = [
        Hook::PreCommit,
        Hook::PreMergeCommit,
        Hook::PrePush,
        Hook::PreReceive,
    ];

    /// The file name git looks for.
    pub fn name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
            Hook::PreMergeCommit => "pre-merge-commit",
            Hook::PreReceive => "pre-receive",
        }
    }

    /// The hook called `name`, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Hook> {
        Hook::ALL.into_iter().find(|h| h.name() == name)
    }

    /// Whether git writes the ref updates to the hook's standard input.
    /// A chained previous hook and git-task both need them.
    fn reads_stdin(self) -> bool {
        matches!(self, Hook::PrePush | Hook::PreReceive)
    }

    /// When git runs it, for the script's header comment.
    fn when(self) -> &'static str {
        match self {
            Hook::PreCommit => "before it records a commit",
            Hook::PrePush => "before it pushes",
            Hook::PreMergeCommit => "before it records a merge commit",
            Hook::PreReceive => "on the server, before it accepts a push",
        }
    }

    /// The command that skips the hook once. A server-side hook has none:
    /// the person pushing cannot turn it off, which is its point.
    pub fn bypass(self) -> Option<&'static str> {
        match self {
            Hook::PreCommit => Some("git commit --no-verify"),
            Hook::PrePush => Some("git push --no-verify"),
            Hook::PreMergeCommit => Some("git merge --no-verify"),
            Hook::PreReceive => None,
        }
    }

    /// The shim as it is kept in the repository's `hooks/` and installed
    /// when no other hook was there.
    pub fn shim(self) -> String {
        self.script(false)
    }

    /// The shim that first runs the hook that was there before ours.
    pub fn chaining_shim(self) -> String {
        self.script(true)
    }

    /// The file name of the hook that was there before ours.
    pub fn previous_name(self) -> String {
        format!("{}{PREVIOUS_SUFFIX}", self.name())
    }

    fn script(self, chain: bool) -> String {
        let name = self.name();
        let mut s = String::new();
        s.push_str("#!/bin/sh\n");
        s.push_str(MARKER);
        s.push('\n');
        s.push_str(&format!(
            "#\n\
             # git runs this {when}. The checks live in\n\
             # `git task hook {name}`; this file only hands over to it, with the\n\
             # same arguments and standard input. `git task hooks install` writes it\n\
             # and `git task hooks uninstall` takes it out again.\n",
            when = self.when(),
        ));
        if chain {
            s.push_str(&format!(
                "#\n\
                 # The {name} hook that was here before is kept as\n\
                 # {previous}. It runs first, and if it fails, so does\n\
                 # this hook.\n",
                previous = self.previous_name(),
            ));
        }
        s.push_str(&format!(
            "\n\
             if ! command -v git-task >/dev/null 2>&1; then\n\
             \x20   echo 'error: the {name} hook needs git-task, which is not on PATH' >&2\n\
             \x20   echo 'hint: install it (cargo install --locked --path . in a clone of git-task)' >&2\n\
             \x20   echo 'hint: and make sure the directory it is in (~/.cargo/bin) is on PATH' >&2\n",
        ));
        match self.bypass() {
            Some(bypass) => s.push_str(&format!(
                "    echo 'hint: `{bypass}` skips the check this once' >&2\n"
            )),
            None => s.push_str(
                "    echo 'hint: this runs on the server: ask whoever runs it to install git-task there' >&2\n",
            ),
        }
        s.push_str("    exit 1\nfi\n");
        if chain {
            s.push_str(&format!(
                "\n\
                 previous=\"$(dirname \"$0\")/{previous}\"\n",
                previous = self.previous_name(),
            ));
            if self.reads_stdin() {
                // Two readers need the same input: keep it in a file opened
                // twice (each descriptor reads from the start) and remove the
                // file at once, so nothing is left behind even when `exec`
                // means this shell never gets to clean up.
                s.push_str(&format!(
                    "\n\
                     # git writes the refs being updated to standard input, and both hooks\n\
                     # need them: read them once, then give each hook its own copy.\n\
                     input=$(mktemp \"${{TMPDIR:-/tmp}}/git-task-{name}.XXXXXX\") || exit 1\n\
                     cat >\"$input\" || {{ rm -f \"$input\"; exit 1; }}\n\
                     exec 3<\"$input\" 4<\"$input\"\n\
                     rm -f \"$input\"\n\
                     \n\
                     # git skips a hook that is not executable, and so do we.\n\
                     if [ -x \"$previous\" ]; then\n\
                     \x20   \"$previous\" \"$@\" <&3 3<&- 4<&- || exit $?\n\
                     fi\n\
                     exec git-task hook {name} \"$@\" <&4 3<&- 4<&-\n",
                ));
            } else {
                s.push_str(&format!(
                    "\n\
                     # git skips a hook that is not executable, and so do we.\n\
                     if [ -x \"$previous\" ]; then\n\
                     \x20   \"$previous\" \"$@\" || exit $?\n\
                     fi\n\
                     exec git-task hook {name} \"$@\"\n",
                ));
            }
        } else {
            s.push_str(&format!("exec git-task hook {name} \"$@\"\n"));
        }
        s
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a hook file is there, and whose it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HookState {
    /// No file of that name.
    NotInstalled,
    /// Our shim.
    Ours,
    /// Our shim, running the hook that was there before it first.
    OursChaining,
    /// Somebody else's hook.
    Foreign,
}

/// What `status` finds for one hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookStatus {
    pub hook: Hook,
    pub path: PathBuf,
    pub state: HookState,
    /// Whether git would run it: git skips a hook that is not executable.
    pub executable: bool,
    /// The hook that was there before ours, when it is kept beside it.
    pub previous: Option<PathBuf>,
}

/// What `install` did to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InstallAction {
    /// Wrote our shim where there was no hook.
    Installed,
    /// Moved another hook aside and wrote our shim, which runs it first.
    Chained,
    /// Rewrote our shim: it was out of date or not executable.
    Updated,
    /// Our shim was already there as it should be.
    Unchanged,
}

/// What `uninstall` did to one hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UninstallAction {
    /// Removed our shim; there was nothing to put back.
    Removed,
    /// Put the hook that was there before ours back in its place.
    Restored,
    /// Left a hook that is not ours where it is.
    KeptForeign,
    /// There was nothing of ours.
    NotInstalled,
}

/// One hook and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<A> {
    pub hook: Hook,
    pub path: PathBuf,
    pub action: A,
    /// The hook that was there before ours: where it is kept after
    /// `install`, where it came from after `uninstall`.
    pub previous: Option<PathBuf>,
}

/// The directory git runs a repository's hooks from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HooksDir {
    path: PathBuf,
}

impl HooksDir {
    /// The hooks directory of the repository, where git looks for hooks
    /// ([`Workspace::hooks_dir`]).
    pub fn of(ws: &Workspace) -> Result<HooksDir> {
        Ok(HooksDir {
            path: ws.hooks_dir()?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn hook_path(&self, hook: Hook) -> PathBuf {
        self.path.join(hook.name())
    }

    fn previous_path(&self, hook: Hook) -> PathBuf {
        self.path.join(hook.previous_name())
    }

    /// What is installed, hook by hook.
    pub fn status(&self) -> Result<Vec<HookStatus>> {
        Hook::ALL
            .into_iter()
            .map(|hook| {
                let found = self.look(hook)?;
                let state = match &found.file {
                    Found::Missing => HookState::NotInstalled,
                    Found::Foreign => HookState::Foreign,
                    Found::Ours { text, .. } => {
                        if found.previous.is_some() && text.contains(&hook.previous_name()) {
                            HookState::OursChaining
                        } else {
                            HookState::Ours
                        }
                    }
                };
                Ok(HookStatus {
                    hook,
                    executable: found.executable,
                    path: found.path,
                    state,
                    previous: found.previous,
                })
            })
            .collect()
    }

    /// Writes our shim for every hook, creating the directory if needed.
    /// A hook that is not ours is moved to `NAME.git-task-previous` and run
    /// first by the shim. Running it again changes nothing.
    ///
    /// Refuses, before touching anything, when a hook that is not ours
    /// cannot be moved aside because its `.git-task-previous` name is taken.
    pub fn install(&self) -> Result<Vec<Change<InstallAction>>> {
        let found: Vec<Look> = Hook::ALL
            .into_iter()
            .map(|hook| self.look(hook))
            .collect::<Result<_>>()?;
        if let Some(stuck) = found
            .iter()
            .find(|f| f.file == Found::Foreign && f.previous.is_some())
        {
            let previous = stuck.previous.as_deref().unwrap_or(Path::new(""));
            return Err(crate::error::Refusal::ForeignHook {
                path: stuck.path.clone(),
                previous: previous.to_owned(),
            }
            .into());
        }
        fs::create_dir_all(&self.path).map_err(|e| Error::io(&self.path, e))?;
        found
            .into_iter()
            .map(|look| self.install_one(look))
            .collect()
    }

    fn install_one(&self, look: Look) -> Result<Change<InstallAction>> {
        let hook = look.hook;
        let previous_path = self.previous_path(hook);
        let (action, previous) = match look.file {
            Found::Missing => {
                // A previous hook without our shim in front of it: someone
                // removed the shim by hand. The kept hook is still theirs,
                // so chain it rather than forget it.
                let chain = look.previous.is_some();
                write_script(&self.path, &look.path, &hook.script(chain))?;
                let action = if chain {
                    InstallAction::Chained
                } else {
                    InstallAction::Installed
                };
                (action, look.previous)
            }
            Found::Ours { text, symlink } => {
                let wanted = hook.script(look.previous.is_some());
                if symlink {
                    // A link someone made to a shim (say, the one in a
                    // checkout's hooks/): theirs to manage, and writing
                    // through it would change the file it points to.
                    (InstallAction::Unchanged, look.previous)
                } else if text == wanted && look.executable {
                    (InstallAction::Unchanged, look.previous)
                } else {
                    write_script(&self.path, &look.path, &wanted)?;
                    (InstallAction::Updated, look.previous)
                }
            }
            Found::Foreign => {
                // Our shim is written to a temporary file first, so that a
                // failure leaves the other hook where it was.
                let script = temporary_script(&self.path, &hook.chaining_shim())?;
                fs::rename(&look.path, &previous_path).map_err(|e| Error::io(&look.path, e))?;
                if let Err(e) = script.persist(&look.path) {
                    let _ = fs::rename(&previous_path, &look.path);
                    return Err(Error::io(&look.path, e.error));
                }
                sync_dir(&self.path);
                (InstallAction::Chained, Some(previous_path))
            }
        };
        Ok(Change {
            hook,
            path: look.path,
            action,
            previous,
        })
    }

    /// Takes our shims out and puts back, unchanged, any hook they kept.
    /// A hook that is not ours is never removed.
    pub fn uninstall(&self) -> Result<Vec<Change<UninstallAction>>> {
        Hook::ALL
            .into_iter()
            .map(|hook| {
                let look = self.look(hook)?;
                let action = match (&look.file, &look.previous) {
                    (Found::Foreign, _) => UninstallAction::KeptForeign,
                    // Renaming over our shim puts the old hook back with
                    // its content, mode and ownership, with no moment when
                    // neither is there.
                    (Found::Ours { .. } | Found::Missing, Some(previous)) => {
                        fs::rename(previous, &look.path).map_err(|e| Error::io(previous, e))?;
                        UninstallAction::Restored
                    }
                    (Found::Ours { .. }, None) => {
                        fs::remove_file(&look.path).map_err(|e| Error::io(&look.path, e))?;
                        UninstallAction::Removed
                    }
                    (Found::Missing, None) => UninstallAction::NotInstalled,
                };
                if action != UninstallAction::NotInstalled {
                    sync_dir(&self.path);
                }
                Ok(Change {
                    hook,
                    path: look.path,
                    action,
                    previous: look.previous,
                })
            })
            .collect()
    }

    /// Reads what is at a hook's path and beside it.
    fn look(&self, hook: Hook) -> Result<Look> {
        let path = self.hook_path(hook);
        let previous = self.previous_path(hook);
        let previous = exists(&previous)?.then_some(previous);
        let Some(meta) = symlink_metadata(&path)? else {
            return Ok(Look {
                hook,
                path,
                file: Found::Missing,
                executable: false,
                previous,
            });
        };
        let symlink = meta.file_type().is_symlink();
        if meta.is_dir() {
            return Ok(Look {
                hook,
                path,
                file: Found::Foreign,
                executable: false,
                previous,
            });
        }
        let (file, executable) = match fs::read(&path) {
            Ok(bytes) => {
                let executable = fs::metadata(&path)
                    .map(|m| is_executable(&m))
                    .map_err(|e| Error::io(&path, e))?;
                let text = String::from_utf8_lossy(&bytes);
                let file = if text.lines().any(|line| line == MARKER) {
                    Found::Ours {
                        text: text.into_owned(),
                        symlink,
                    }
                } else {
                    Found::Foreign
                };
                (file, executable)
            }
            // A link to nothing, or to a directory: not ours, and git
            // cannot run it either.
            Err(e) if symlink && matches!(e.kind(), io::ErrorKind::NotFound) => {
                (Found::Foreign, false)
            }
            Err(e) if e.kind() == io::ErrorKind::IsADirectory => (Found::Foreign, false),
            Err(e) => return Err(Error::io(&path, e)),
        };
        Ok(Look {
            hook,
            path,
            file,
            executable,
            previous,
        })
    }
}

/// What is at one hook's path.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    Missing,
    Ours { text: String, symlink: bool },
    Foreign,
}

#[derive(Debug)]
struct Look {
    hook: Hook,
    path: PathBuf,
    file: Found,
    executable: bool,
    previous: Option<PathBuf>,
}

/// `path`'s own metadata (a symbolic link is not followed), or `None` when
/// there is nothing there.
fn symlink_metadata(path: &Path) -> Result<Option<fs::Metadata>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(meta)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        // A hooks directory that is not there (or a file where it should
        // be) holds no hooks.
        Err(e) if e.kind() == io::ErrorKind::NotADirectory => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn exists(path: &Path) -> Result<bool> {
    symlink_metadata(path).map(|m| m.is_some())
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(meta: &fs::Metadata) -> bool {
    meta.is_file()
}

/// A complete, executable script under a temporary name in `dir`, to be
/// renamed into place.
fn temporary_script(dir: &Path, text: &str) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".git-task-hook-");
    // rwxr-xr-x, as git's own sample hooks: every user who can run git here
    // runs the hook.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o755));
    }
    let mut file = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| Error::io(file.path(), e))?;
    Ok(file)
}

/// Writes a script by rename, so git never runs half of one.
fn write_script(dir: &Path, path: &Path, text: &str) -> Result<()> {
    let file = temporary_script(dir, text)?;
    file.persist(path).map_err(|e| Error::io(path, e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Flushes a directory's entries (the renames) to disk. Best effort: not
/// every platform can open a directory for this.
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shim_is_marked_and_hands_over_to_its_hook() {
        for hook in Hook::ALL {
            for text in [hook.shim(), hook.chaining_shim()] {
                assert!(text.starts_with("#!/bin/sh\n"), "{text}");
                assert!(text.lines().any(|l| l == MARKER), "{text}");
                let last = text.lines().last().unwrap_or_default();
                assert!(
                    last.starts_with(&format!("exec git-task hook {hook} \"$@\"")),
                    "{last}"
                );
            }
            assert!(!hook.shim().contains(PREVIOUS_SUFFIX));
            assert!(hook.chaining_shim().contains(&hook.previous_name()));
            assert_eq!(Hook::from_name(hook.name()), Some(hook));
        }
    }

    #[test]
    fn hooks_install_where_git_looks_for_them() {
        let repo = crate::store::testing::TestRepo::new();
        let root = std::fs::canonicalize(repo.root()).unwrap();
        let dir = HooksDir::of(&repo.workspace()).unwrap();
        assert_eq!(dir.path(), root.join(".git/hooks"));
        repo.git(&["config", "core.hooksPath", ".githooks"]);
        let dir = HooksDir::of(&repo.workspace()).unwrap();
        assert_eq!(dir.path(), root.join(".githooks"));
        dir.install().unwrap();
        let status = dir.status().unwrap();
        assert!(
            status.iter().all(|h| h.state == HookState::Ours),
            "{status:?}"
        );
        assert!(root.join(".githooks/pre-commit").is_file());
    }

    #[test]
    fn only_client_hooks_name_a_bypass() {
        assert!(Hook::PreCommit.shim().contains("--no-verify"));
        assert!(Hook::PrePush.shim().contains("--no-verify"));
        assert!(Hook::PreMergeCommit.shim().contains("--no-verify"));
        assert!(!Hook::PreReceive.shim().contains("--no-verify"));
    }
}
