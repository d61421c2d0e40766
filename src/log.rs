//! The history of one task from git: the commits that changed its file,
//! who made them and when, and what they changed in the task.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::{Error, FileProblem, Result};
use crate::history::{Change, task_changes};
use crate::id::TaskId;
use crate::store::{
    Blobs, Commit, FileVersion, ObjectId, Source, TASKS_DIR, Visit, Walked, Workspace,
};
use crate::task::{ParseError, Task};
use crate::taskset::ResolveError;

/// How much of the history to read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Stop after this many commits (`-n`).
    pub max_count: Option<usize>,
}

/// A task's history, newest first.
#[derive(Debug)]
pub struct TaskLog {
    pub id: TaskId,
    pub commits: Vec<Entry>,
    /// Commits of a shallow clone whose parents are not in the repository:
    /// the walk stopped there, and what came before them is unknown.
    pub shallow_boundary: Vec<Boundary>,
}

/// A commit where the history available stops.
#[derive(Debug)]
pub struct Boundary {
    pub commit: ObjectId,
    /// Abbreviated as git abbreviates.
    pub short: String,
}

/// One commit that changed the task's file.
#[derive(Debug)]
pub struct Entry {
    pub commit: ObjectId,
    /// The shortest unambiguous abbreviation (at least 7 digits), as git
    /// abbreviates.
    pub short: String,
    pub author: String,
    pub email: String,
    /// When the change was authored.
    pub date: DateTime<Utc>,
    /// The commit message's subject line.
    pub subject: String,
    /// The file appeared in this commit.
    pub created: bool,
    /// The file disappeared in this commit.
    pub removed: bool,
    /// The task's subject after this commit, when the file is there and
    /// parses.
    pub task_subject: Option<String>,
    /// Field by field, when both versions parse.
    pub changes: Vec<Change>,
    /// Why the file as this commit left it is not a valid task.
    pub problem: Option<FileProblem>,
    /// The file did not parse before this commit and does after it, so there
    /// is no earlier version to compare with.
    pub parses_again: bool,
    /// A commit of a shallow clone whose parents are not here: the entry
    /// is the task as this commit has it, not a change (what came before
    /// is unknown, so it is not called created).
    pub boundary: bool,
    /// The task's status after this commit, when the file is there and
    /// parses.
    pub task_status: Option<crate::task::Status>,
}

/// Finds the task `text` names for `log`: a task file of that exact name,
/// else a unique prefix of a task of the working tree (of HEAD in a bare
/// repository), else, when `text` is a full id, a task that may exist only
/// in history (a removed task has a history too; [`read`] finds out).
pub fn resolve(ws: &Workspace, text: &str) -> Result<TaskId> {
    let full = TaskId::parse(text).ok();
    // An exact file name settles it without parsing every task, which is
    // most of the cost of the whole command at 10k tasks.
    if let Some(id) = &full
        && !ws.is_bare()
        && ws.tasks_dir().join(id.file_name()).is_file()
    {
        return Ok(id.clone());
    }
    let source = if ws.is_bare() {
        Source::Rev("HEAD".into())
    } else {
        Source::WorkTree
    };
    // Another file that does not parse must not stop `log` from looking
    // up this one, so problems are ignored here.
    let loaded = match ws.read(&source) {
        Ok(loaded) => loaded,
        Err(e) => return full.ok_or(e),
    };
    match (loaded.tasks.resolve(text), full) {
        (Ok(task), _) => Ok(task.id.clone()),
        (Err(ResolveError::Unknown(_)), Some(id)) => Ok(id),
        (Err(e), _) => Err(e.into()),
    }
}

/// Reads the history of task `id`: the commits reachable from HEAD that
/// changed `.tasks/<id>.toml`, newest first by commit time, as
/// `git log -- .tasks/<id>.toml` lists them (with git's default history
/// simplification: see [`Workspace::walk_file_history`]).
///
/// Fails with an unknown-id error when the task is neither in the working
/// tree nor anywhere in the history read.
pub fn read(ws: &Workspace, id: &TaskId, options: &Options) -> Result<TaskLog> {
    let mut log = TaskLog {
        id: id.clone(),
        commits: Vec::new(),
        shallow_boundary: Vec::new(),
    };
    let in_work_tree = !ws.is_bare() && ws.tasks_dir().join(id.file_name()).is_file();
    let unknown = || Error::from(ResolveError::Unknown(id.to_string()));
    if options.max_count == Some(0) {
        return Ok(log);
    }
    let mut versions = Versions {
        id: id.clone(),
        path: Path::new(TASKS_DIR).join(id.file_name()),
        last: None,
    };
    let walked = ws.walk_file_history(&id.file_name(), |visit, blobs| {
        match visit {
            Visit::Boundary { id, short, at } => {
                log.shallow_boundary.push(Boundary { commit: id, short });
                if let Some((commit, version)) = at {
                    // The task as this commit has it, not a change: what
                    // came before is unknown, so it is not called created.
                    let mut entry = versions.entry(blobs, commit, None, Some(version));
                    entry.created = false;
                    entry.boundary = true;
                    log.commits.push(entry);
                }
            }
            Visit::Changed {
                commit,
                before,
                after,
            } => log
                .commits
                .push(versions.entry(blobs, commit, before, after)),
        }
        Ok(
            if options.max_count.is_some_and(|n| log.commits.len() >= n) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            },
        )
    })?;
    match walked {
        // No commit yet: a task that exists has an empty history.
        Walked::Unborn if !in_work_tree => Err(unknown()),
        Walked::FromHead { at_head: false } if log.commits.is_empty() && !in_work_tree => {
            Err(unknown())
        }
        _ => Ok(log),
    }
}

/// Reads the task from versions of its file, remembering the last one.
struct Versions {
    id: TaskId,
    /// `.tasks/<id>.toml`, for problems.
    path: PathBuf,
    /// The version of the file last read as a task, and what it held.
    last: Option<(FileVersion, Result<Task, FileProblem>)>,
}

impl Versions {
    /// The task a version of the file holds, or why it is not one.
    fn task(&self, blobs: &mut Blobs<'_>, version: FileVersion) -> Result<Task, FileProblem> {
        let problem = |message: String| FileProblem {
            path: self.path.clone(),
            error: ParseError {
                line: 1,
                column: 1,
                message,
            },
        };
        if !version.is_file() {
            return Err(problem("not a regular file".into()));
        }
        let data = blobs.read(version).map_err(&problem)?;
        let text =
            std::str::from_utf8(data).map_err(|_| problem("the file is not UTF-8 text".into()))?;
        Task::parse(self.id.clone(), text).map_err(|error| FileProblem {
            path: self.path.clone(),
            error,
        })
    }

    /// Describes a commit that changed the file from `before` to `after`.
    fn entry(
        &mut self,
        blobs: &mut Blobs<'_>,
        commit: Commit,
        before: Option<FileVersion>,
        after: Option<FileVersion>,
    ) -> Entry {
        // Walking newest first, this commit's new version is usually the
        // old version of the commit listed before it: parsed already.
        let new = after.map(|v| match self.last.take() {
            Some((version, task)) if version == v => task,
            _ => self.task(blobs, v),
        });
        let old = before.map(|v| self.task(blobs, v));
        let mut entry = Entry {
            commit: commit.id,
            short: commit.short,
            author: commit.author,
            email: commit.email,
            date: commit.date,
            subject: commit.subject,
            created: old.is_none(),
            removed: new.is_none(),
            task_subject: None,
            changes: Vec::new(),
            problem: None,
            parses_again: false,
            boundary: false,
            task_status: None,
        };
        if let Some(Ok(task)) = &new {
            entry.task_status = Some(task.status);
        }
        match (&old, new) {
            (_, None) => {}
            (_, Some(Err(problem))) => entry.problem = Some(problem),
            (None, Some(Ok(task))) => entry.task_subject = Some(task.subject),
            (Some(Err(_)), Some(Ok(task))) => {
                entry.parses_again = true;
                entry.task_subject = Some(task.subject);
            }
            (Some(Ok(old)), Some(Ok(task))) => {
                entry.changes = task_changes(old, &task);
                entry.task_subject = Some(task.subject);
            }
        }
        self.last = before.zip(old);
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;

    #[test]
    fn a_tasks_history_is_its_files_commits_with_what_they_changed() {
        let repo = TestRepo::new();
        let id = TaskId::parse("a").unwrap();
        let ws = repo.workspace();
        // No commit yet, and no such task.
        assert!(read(&ws, &id, &Options::default()).is_err());
        repo.write(".tasks/a.toml", "subject = \"A\"\n");
        repo.commit("add a");
        repo.write(".tasks/a.toml", "subject = \"A\"\nstatus = \"oops\"\n");
        repo.commit("break a");
        repo.write(".tasks/a.toml", "subject = \"B\"\n");
        repo.commit("rename a");
        let ws = repo.workspace();

        let log = read(&ws, &id, &Options::default()).unwrap();
        let subjects: Vec<&str> = log.commits.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["rename a", "break a", "add a"]);
        let [renamed, broken, added] = &log.commits[..] else {
            panic!("{log:?}");
        };
        assert!(renamed.parses_again && renamed.changes.is_empty());
        assert_eq!(renamed.task_subject.as_deref(), Some("B"));
        assert!(broken.problem.is_some());
        assert!(added.created && added.changes.is_empty());
        assert_eq!(added.author, "Ana");

        let first = read(&ws, &id, &Options { max_count: Some(1) }).unwrap();
        assert_eq!(first.commits.len(), 1);
        let unknown = TaskId::parse("zz").unwrap();
        assert!(matches!(
            read(&ws, &unknown, &Options::default()),
            Err(Error::Resolve(ResolveError::Unknown(_)))
        ));
    }
}
