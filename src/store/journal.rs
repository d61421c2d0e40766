//! The journal of a change of many files: what makes `apply`, `rename`,
//! `rm` and every other change of two or more task files all or nothing
//! even when the process is killed half-way through its renames.
//!
//! A change writes each new text to a temporary file beside its target
//! and flushes them. With more than one file to change it then writes the
//! journal (`git-task/journal` in the work tree's git dir): for each
//! target, its temporary (or that it is removed) and the blob id of the
//! text the change read there. Once the journal is on disk the change
//! counts as made; the renames and removals follow, and the journal goes.
//!
//! A process killed between the two leaves the journal. The next command
//! that reads the working tree or changes it takes the lock and finishes
//! the change: each target that still holds the text the change read gets
//! its new text (or is removed); a target that holds anything else was
//! changed since by someone else (a checkout, an editor) and is left as it
//! is, its temporary removed. That is what git does with an uncommitted
//! change across a checkout: carried over where the file is the same on
//! both branches, never written over a file that differs.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::error::{Error, Result};

const HEADER: &str = "git-task journal 1";

/// One file of a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Step {
    /// The task file's name in `.tasks/`.
    pub target: String,
    /// The temporary with its new text, in `.tasks/`; `None`: removed.
    pub temporary: Option<String>,
    /// The blob id of the text the change read; `None`: it had no file.
    pub before: Option<ObjectId>,
}

/// Where the journal of the work tree whose private git dir is `private` is.
pub(crate) fn path_in(private: &Path) -> PathBuf {
    private.join("journal")
}

/// The blob id of `bytes`, as git would store them.
pub(crate) fn blob_id(kind: gix::hash::Kind, bytes: &[u8]) -> ObjectId {
    gix::objs::compute_hash(kind, gix::objs::Kind::Blob, bytes).expect("hashing bytes in memory")
}

/// Writes the journal, flushed, under its final name.
pub(crate) fn write(path: &Path, steps: &[Step]) -> Result<()> {
    let dir = path.parent().expect("the journal is in a directory");
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut text = format!("{HEADER}\n");
    for step in steps {
        let before = step.before.map_or("-".to_owned(), |id| id.to_string());
        match &step.temporary {
            Some(tmp) => text.push_str(&format!("write\t{}\t{tmp}\t{before}\n", step.target)),
            None => text.push_str(&format!("remove\t{}\t-\t{before}\n", step.target)),
        }
    }
    let mut tmp = tempfile::Builder::new()
        .prefix("journal-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    super::sync_dir(dir);
    Ok(())
}

/// Removes the journal of a change that is complete.
pub(crate) fn remove(path: &Path) {
    let _ = fs::remove_file(path);
    if let Some(dir) = path.parent() {
        super::sync_dir(dir);
    }
}

/// Reads a journal; `None` when there is none, or it is not one this
/// version wrote (then it is ignored and removed: a journal is renamed
/// into place whole, so a partial one cannot exist).
fn read(path: &Path) -> Option<Vec<Step>> {
    let text = fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return None;
    }
    let mut steps = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, target, tmp, before] = fields.as_slice() else {
            return None;
        };
        let before = match *before {
            "-" => None,
            hex => Some(ObjectId::from_hex(hex.as_bytes()).ok()?),
        };
        let safe = |name: &str| !name.is_empty() && !name.contains(['/', '\\']) && name != "..";
        if !safe(target) {
            return None;
        }
        let temporary = match *kind {
            "write" if safe(tmp) && super::is_temporary_name(tmp) => Some(tmp.to_string()),
            "remove" => None,
            _ => return None,
        };
        steps.push(Step {
            target: target.to_string(),
            temporary,
            before,
        });
    }
    Some(steps)
}

/// What finishing an interrupted change did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Finished {
    /// Files brought to the change's new text, or removed.
    pub done: Vec<String>,
    /// Files left alone: changed since by someone else.
    pub left: Vec<String>,
}

/// Finishes the change the journal at `path` describes, in `tasks`
/// (`.tasks/`), and removes the journal. The caller holds the lock.
pub(crate) fn finish(path: &Path, tasks: &Path, kind: gix::hash::Kind) -> Option<Finished> {
    if !path.exists() {
        return None;
    }
    let Some(steps) = read(path) else {
        remove(path);
        return None;
    };
    let mut finished = Finished::default();
    for step in &steps {
        let target = tasks.join(&step.target);
        let now = match super::files::read_regular(&target) {
            Ok(bytes) => Some(blob_id(kind, &bytes)),
            Err(super::files::ReadError::Missing) => None,
            // A link, a folder: not ours to replace.
            Err(_) => {
                finished.left.push(step.target.clone());
                if let Some(tmp) = &step.temporary {
                    let _ = fs::remove_file(tasks.join(tmp));
                }
                continue;
            }
        };
        match &step.temporary {
            Some(tmp) => {
                let tmp = tasks.join(tmp);
                if !tmp.exists() {
                    // Renamed before the process stopped.
                    continue;
                }
                if now == step.before && fs::rename(&tmp, &target).is_ok() {
                    finished.done.push(step.target.clone());
                    continue;
                }
                finished.left.push(step.target.clone());
                let _ = fs::remove_file(&tmp);
            }
            None => match now {
                None => {}
                Some(_) if now == step.before => {
                    // A removal that fails leaves the file: the change is
                    // then not finished there, and says so.
                    match fs::remove_file(&target) {
                        Ok(()) => finished.done.push(step.target.clone()),
                        Err(_) => finished.left.push(step.target.clone()),
                    }
                }
                Some(_) => finished.left.push(step.target.clone()),
            },
        }
    }
    super::sync_dir(tasks);
    remove(path);
    Some(finished)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA1: gix::hash::Kind = gix::hash::Kind::Sha1;

    #[test]
    fn an_interrupted_change_is_finished_where_the_files_are_as_it_read_them() {
        let dir = tempfile::tempdir().unwrap();
        let tasks = dir.path().join(".tasks");
        fs::create_dir(&tasks).unwrap();
        // a: renamed already; b: still to rename; c: to remove; d: changed
        // since by a checkout, so left; e: new.
        fs::write(tasks.join("a.toml"), "new a").unwrap();
        fs::write(tasks.join("b.toml"), "old b").unwrap();
        fs::write(tasks.join(".git-task-tmp-b"), "new b").unwrap();
        fs::write(tasks.join("c.toml"), "old c").unwrap();
        fs::write(tasks.join("d.toml"), "checked out d").unwrap();
        fs::write(tasks.join(".git-task-tmp-d"), "new d").unwrap();
        fs::write(tasks.join(".git-task-tmp-e"), "new e").unwrap();
        let id = |s: &str| Some(blob_id(SHA1, s.as_bytes()));
        let step = |target: &str, tmp: Option<&str>, before| Step {
            target: target.into(),
            temporary: tmp.map(str::to_owned),
            before,
        };
        let journal = dir.path().join("git-task/journal");
        write(
            &journal,
            &[
                step("a.toml", Some(".git-task-tmp-a"), id("old a")),
                step("b.toml", Some(".git-task-tmp-b"), id("old b")),
                step("c.toml", None, id("old c")),
                step("d.toml", Some(".git-task-tmp-d"), id("old d")),
                step("e.toml", Some(".git-task-tmp-e"), None),
            ],
        )
        .unwrap();
        let finished = finish(&journal, &tasks, SHA1).unwrap();
        assert_eq!(finished.done, ["b.toml", "c.toml", "e.toml"]);
        assert_eq!(finished.left, ["d.toml"]);
        let read = |n: &str| fs::read_to_string(tasks.join(n)).ok();
        assert_eq!(read("a.toml").as_deref(), Some("new a"));
        assert_eq!(read("b.toml").as_deref(), Some("new b"));
        assert_eq!(read("c.toml"), None);
        assert_eq!(read("d.toml").as_deref(), Some("checked out d"));
        assert_eq!(read("e.toml").as_deref(), Some("new e"));
        let mut left: Vec<String> = fs::read_dir(&tasks)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["a.toml", "b.toml", "d.toml", "e.toml"]);
        assert!(!journal.exists());
        assert_eq!(finish(&journal, &tasks, SHA1), None);
    }

    #[test]
    fn a_journal_that_names_a_path_outside_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal");
        fs::write(
            &journal,
            format!("{HEADER}\nwrite\t../x.toml\t.git-task-tmp-x\t-\n"),
        )
        .unwrap();
        assert_eq!(read(&journal), None);
        fs::write(
            &journal,
            format!("{HEADER}\nwrite\tx.toml\t../../etc/passwd\t-\n"),
        )
        .unwrap();
        assert_eq!(read(&journal), None);
    }
}
