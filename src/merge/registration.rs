//! Telling git to merge task files with `git task merge-driver`
//! (docs/merging.md): an attribute that names the driver for `.tasks/*.toml`,
//! and the repository's git config that says how to run it.
//!
//! The attribute is committed (`.gitattributes`), so every clone asks for
//! the driver; the config is local to each clone, as git requires for
//! anything it runs. Where a clone has the attribute but not the config,
//! git quietly falls back to its line merge: nothing breaks, merges are
//! only less clever.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::store::Workspace;

/// The driver's name in `merge=<name>` and `merge.<name>.*`.
pub const DRIVER: &str = "git-task";

/// The line in `.gitattributes` that hands task files to the driver.
pub const ATTRIBUTES_LINE: &str = ".tasks/*.toml merge=git-task";

/// What git runs: the marker width and git's labels for the three
/// versions, then the base, ours (where the result goes), theirs, and the
/// path. `git-task` rather than `git task`, as the hooks do, so no alias
/// or other `git` on PATH comes between.
///
/// git quotes what it puts in for `%S`, `%X`, `%Y` and `%P`; a git older
/// than 2.44 leaves `%S`, `%X` and `%Y` as they are, which the driver takes
/// as no label. The `--name=value` form keeps a label that starts with a
/// dash a value.
pub const COMMAND: &str = "git-task merge-driver --marker-size=%L --base-label=%S \
                           --ours-label=%X --theirs-label=%Y %O %A %B %P";

/// Commands earlier versions of git-task registered: still git-task's, and
/// `register_config` replaces them.
pub const OLDER_COMMANDS: &[&str] = &["git-task merge-driver %O %A %B %P"];

/// `merge.git-task.name`: what git shows for the driver.
pub const NAME: &str = "git-task: field-level merge of task files";

/// Written above the attribute, for whoever reads `.gitattributes`.
const ATTRIBUTES_COMMENT: &str =
    "# Task files merge field by field: see `git task merge-driver --help`.";

/// What registering or unregistering did to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The file did not exist and now holds the registration.
    Created,
    /// The registration was added to an existing file.
    Added,
    /// An out-of-date registration was rewritten.
    Updated,
    /// The registration was taken out.
    Removed,
    /// Nothing to do: already as it should be (or, for removal, absent).
    Unchanged,
}

/// One file and what was done to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: PathBuf,
    pub action: Action,
}

/// Whether git would call the driver for task files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The attributes file that names the driver for `.tasks/*.toml`.
    pub attributes: Option<PathBuf>,
    /// The command git config defines for the driver, from any level
    /// (local, global, system).
    pub command: Option<String>,
}

impl Status {
    /// Both halves are in place and the command is ours.
    pub fn is_registered(&self) -> bool {
        self.attributes.is_some() && self.command.as_deref() == Some(COMMAND)
    }

    /// The command is one an earlier git-task registered: it still runs
    /// the driver, without what it has learnt since (git's labels and
    /// marker width).
    pub fn is_outdated(&self) -> bool {
        self.command
            .as_deref()
            .is_some_and(|c| OLDER_COMMANDS.contains(&c))
    }
}

/// Where the attribute goes: `.gitattributes` at the top of the working
/// tree, where it is committed with the tasks; `info/attributes` of a bare
/// repository, which has no working tree but may still merge.
pub fn attributes_path(ws: &Workspace) -> Result<PathBuf> {
    Ok(if ws.is_bare() {
        info_attributes(ws)?
    } else {
        ws.root().join(".gitattributes")
    })
}

/// `info/attributes` in the common git dir: attributes of this clone
/// alone, never committed.
fn info_attributes(ws: &Workspace) -> Result<PathBuf> {
    Ok(ws.common_dir()?.join("info").join("attributes"))
}

/// The repository's own config file, shared by its linked worktrees.
pub fn config_path(ws: &Workspace) -> Result<PathBuf> {
    ws.config_file()
}

/// Adds [`ATTRIBUTES_LINE`] to the attributes file unless it is there,
/// keeping everything else in the file.
pub fn register_attributes(ws: &Workspace) -> Result<Change> {
    let path = attributes_path(ws)?;
    // Appending through a link would change a file outside the repository.
    if crate::store::files::kind(&path).is_ok_and(|k| k == Some(crate::store::files::Kind::Symlink))
    {
        return Err(Error::Link { path });
    }
    let action = match fs::read(&path) {
        Ok(bytes) => {
            if String::from_utf8_lossy(&bytes).lines().any(is_our_line) {
                Action::Unchanged
            } else {
                let mut text = String::new();
                if !bytes.is_empty() && !bytes.ends_with(b"\n") {
                    text.push('\n');
                }
                text.push_str(&attributes_block());
                // One append: the file's other lines, mode and owner stay.
                OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .and_then(|mut f| f.write_all(text.as_bytes()))
                    .map_err(|e| Error::io(&path, e))?;
                Action::Added
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            // create_new: a file someone made in the meantime is theirs.
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut f| f.write_all(attributes_block().as_bytes()))
                .map_err(|e| Error::io(&path, e))?;
            Action::Created
        }
        Err(e) => return Err(Error::io(&path, e)),
    };
    Ok(Change { path, action })
}

fn attributes_block() -> String {
    format!("{ATTRIBUTES_COMMENT}\n{ATTRIBUTES_LINE}\n")
}

/// Whether an attributes line is ours, however it is spaced.
fn is_our_line(line: &str) -> bool {
    line.split_whitespace()
        .eq(ATTRIBUTES_LINE.split_whitespace())
}

/// Defines the driver in the repository's config: `merge.git-task.name`
/// and `merge.git-task.driver`.
pub fn register_config(ws: &Workspace) -> Result<Change> {
    let path = config_path(ws)?;
    let action = ws.edit_config(|file| {
        let driver = file.string("merge", DRIVER, "driver");
        let name = file.string("merge", DRIVER, "name");
        if driver.as_deref() == Some(COMMAND) && name.as_deref() == Some(NAME) {
            return Ok(Action::Unchanged);
        }
        for (key, value) in [("name", NAME), ("driver", COMMAND)] {
            file.set("merge", DRIVER, key, value)?;
        }
        Ok(if driver.is_none() && name.is_none() {
            Action::Added
        } else {
            Action::Updated
        })
    })?;
    Ok(Change { path, action })
}

/// Takes the driver's definition out of the repository's config. The
/// attribute stays: it is committed, and without the definition git
/// merges task files line by line again.
pub fn unregister_config(ws: &Workspace) -> Result<Change> {
    let path = config_path(ws)?;
    let action = ws.edit_config(|file| {
        Ok(if file.remove_section("merge", DRIVER) {
            Action::Removed
        } else {
            Action::Unchanged
        })
    })?;
    Ok(Change { path, action })
}

/// Whether the attribute and the config are in place.
pub fn status(ws: &Workspace) -> Result<Status> {
    let mut candidates = vec![info_attributes(ws)?];
    if !ws.is_bare() {
        candidates.insert(0, attributes_path(ws)?);
    }
    let mut attributes = None;
    for path in candidates {
        match fs::read(&path) {
            Ok(bytes) if String::from_utf8_lossy(&bytes).lines().any(is_our_line) => {
                attributes = Some(path);
                break;
            }
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    let command = ws.git_config(&format!("merge.{DRIVER}.driver"));
    Ok(Status {
        attributes,
        command,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;

    #[test]
    fn registering_twice_changes_nothing_and_unregistering_keeps_the_attribute() {
        let repo = TestRepo::new();
        let ws = repo.workspace();
        let root = ws.root().to_path_buf();
        assert_eq!(
            status(&ws).unwrap(),
            Status {
                attributes: None,
                command: None
            }
        );
        let attributes = register_attributes(&ws).unwrap();
        assert_eq!(attributes.path, root.join(".gitattributes"));
        assert_eq!(attributes.action, Action::Created);
        let config = register_config(&ws).unwrap();
        assert_eq!(config.path, root.join(".git/config"));
        assert_eq!(config.action, Action::Added);
        assert_eq!(repo.git(&["config", "merge.git-task.driver"]), COMMAND);
        assert_eq!(repo.git(&["config", "merge.git-task.name"]), NAME);
        // What git-task reads of the config is what the repository had
        // when it was opened; a new look sees the registration.
        let ws = repo.workspace();
        assert!(status(&ws).unwrap().is_registered());
        assert_eq!(register_attributes(&ws).unwrap().action, Action::Unchanged);
        assert_eq!(register_config(&ws).unwrap().action, Action::Unchanged);

        repo.git(&["config", "merge.git-task.driver", OLDER_COMMANDS[0]]);
        let ws = repo.workspace();
        assert!(status(&ws).unwrap().is_outdated());
        assert_eq!(register_config(&ws).unwrap().action, Action::Updated);

        assert_eq!(unregister_config(&ws).unwrap().action, Action::Removed);
        assert_eq!(unregister_config(&ws).unwrap().action, Action::Unchanged);
        let status = status(&repo.workspace()).unwrap();
        assert_eq!(status.attributes, Some(root.join(".gitattributes")));
        assert_eq!(status.command, None);
    }

    #[test]
    fn a_bare_repository_keeps_the_attribute_in_info_attributes() {
        let repo = TestRepo::new();
        let bare = repo.beside("bare.git");
        repo.git_in(
            &repo.beside(""),
            &["init", "-q", "--bare", bare.to_str().unwrap()],
        );
        let ws = Workspace::discover(&bare).unwrap();
        let bare = std::fs::canonicalize(&bare).unwrap();
        let attributes = register_attributes(&ws).unwrap();
        assert_eq!(attributes.path, bare.join("info/attributes"));
        assert_eq!(register_config(&ws).unwrap().path, bare.join("config"));
        let status = status(&Workspace::discover(&bare).unwrap()).unwrap();
        assert!(status.is_registered(), "{status:?}");
    }

    #[test]
    fn our_line_is_found_however_it_is_spaced() {
        assert!(is_our_line(".tasks/*.toml merge=git-task"));
        assert!(is_our_line("  .tasks/*.toml\tmerge=git-task  "));
        assert!(!is_our_line(".tasks/*.toml merge=union"));
        assert!(!is_our_line("# .tasks/*.toml merge=git-task"));
    }
}
