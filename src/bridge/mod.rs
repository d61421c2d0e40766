//! Bridges: tasks into git-task from the trackers people use today, and
//! back out.
//!
//! Every source is read by its own module into a [`Batch`]: the tasks in
//! git-task's terms ([`Incoming`]), naming each other by the source's own
//! ids, and every field or value that has no place in git-task
//! ([`Dropped`]). One engine ([`import`]) then maps the source's ids to
//! task ids, finds the tasks an earlier import made (by `origin`), and
//! stages the whole batch in one transaction, so an import is all or
//! nothing and importing again updates instead of duplicating.

pub mod agent;
pub mod sync;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

mod engine;
pub mod jsonl;
pub use engine::{Exported, Imported, ImportedTask, Outcome, import, restore};

use crate::task::{Criterion, Estimate, Kind, Note, Priority, Status};

pub mod backlog;
pub mod beads;
mod json_source;
pub mod taskmaster;
pub mod taskwarrior;

/// The trackers git-task imports from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tracker {
    /// git-task's own `export`: JSON Lines, one task per line.
    GitTask,
    /// Taskwarrior's `task export` (a JSON array, or one object per line).
    Taskwarrior,
    /// beads' `.beads/issues.jsonl`.
    Beads,
    /// Backlog.md's `backlog/tasks/*.md` (YAML front matter + sections).
    Backlog,
    /// task-master's `.taskmaster/tasks/tasks.json`.
    TaskMaster,
    /// A coding agent's task-list directory: one JSON file per task.
    Agent,
}

impl Tracker {
    /// Every tracker, in the order `--help` lists them.
    pub const ALL: &'static [Tracker] = &[
        Tracker::GitTask,
        Tracker::Taskwarrior,
        Tracker::Beads,
        Tracker::Backlog,
        Tracker::TaskMaster,
        Tracker::Agent,
    ];

    /// The name `--from` takes, and the first part of `origin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tracker::GitTask => "git-task",
            Tracker::Taskwarrior => "taskwarrior",
            Tracker::Beads => "beads",
            Tracker::Backlog => "backlog",
            Tracker::TaskMaster => "task-master",
            Tracker::Agent => "agent",
        }
    }

    pub fn parse(text: &str) -> Option<Tracker> {
        Tracker::ALL.iter().copied().find(|t| t.as_str() == text)
    }
}

impl fmt::Display for Tracker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One task as the source has it, in git-task's terms. References name
/// other tasks by their *source* ids; the engine maps them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Incoming {
    /// The task's id in the source, exactly as the source spells it (a
    /// Taskwarrior uuid, `bd-a1b2`, `task-12.1`, `15.2`). Kept in the task
    /// as `origin = "<tracker>:<source id>"`.
    pub source_id: String,
    /// The text the task's git-task id is made from ([`id_from`] makes it
    /// an id): for most sources the source id, for Taskwarrior the first
    /// eight characters of the uuid.
    pub id_hint: String,
    /// Where the task is in the source, for messages: the file (for
    /// sources of many files) and the 1-based line (0 when unknown).
    pub file: Option<PathBuf>,
    pub line: usize,
    pub subject: String,
    pub status: Status,
    /// `None`: git-task's default (`task`), or what a person set.
    pub kind: Option<Kind>,
    pub priority: Option<Priority>,
    /// The source id of the parent.
    pub parent: Option<String>,
    /// The source ids of the tasks this one waits for.
    pub blocked_by: Vec<String>,
    pub owner: Option<String>,
    pub estimate: Option<Estimate>,
    pub due: Option<NaiveDate>,
    pub labels: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    pub started: Option<DateTime<Utc>>,
    pub closed: Option<DateTime<Utc>>,
    pub description: Option<String>,
    pub criteria: Vec<Criterion>,
    pub notes: Vec<Note>,
    /// Values of the source with no field of their own but worth keeping
    /// (Taskwarrior's UDAs, an agent's `metadata` and `activeForm`).
    pub meta: toml::Table,
}

/// A field or value of the source that has no place in git-task, reported
/// by name at the end of an import.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dropped {
    /// The source id of the task it was on.
    pub source_id: String,
    /// The field's name in the source (`recur`, `dependencies[].type`).
    pub field: String,
    /// The value, or what about it had no place (`related`), short.
    pub value: String,
}

/// What a source gave: its tasks, in the source's order, and what had no
/// place.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    pub tasks: Vec<Incoming>,
    pub dropped: Vec<Dropped>,
}

/// A source that cannot be read: the file, the 1-based line and column
/// (0 when unknown) and what is wrong. Nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", file.display(), place(*line, *column))]
pub struct SourceError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// `:line:column`, `:line`, or nothing for a place not known.
fn place(line: usize, column: usize) -> String {
    match (line, column) {
        (0, _) => String::new(),
        (l, 0) => format!(":{l}"),
        (l, c) => format!(":{l}:{c}"),
    }
}

/// How Taskwarrior's `project` comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProjectAs {
    /// A label `project:<name>` (dots kept: `project:home.garden`).
    #[default]
    Label,
    /// A parent epic per project, made by the import.
    Epic,
}

/// What the reading of a source may be told.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    pub project_as: ProjectAs,
}

/// Makes a task id of `hint`: lower-case, every run of characters other
/// than ASCII letters and digits one hyphen, no hyphen at either end, at
/// most 64 characters; `task` for a hint with nothing left, and a
/// reserved name gets `-1`. `15.2` becomes `15-2`, `BD-a1b2` `bd-a1b2`.
pub fn id_from(hint: &str) -> crate::TaskId {
    let mut out = String::new();
    for c in hint.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(64);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("task");
    }
    crate::TaskId::parse(&out)
        .or_else(|_| crate::TaskId::parse(&format!("{}-1", &out[..out.len().min(62)])))
        .expect("letters, digits and single hyphens make an id")
}

/// Reads the source at `path` of `tracker`, a foreign tracker (git-task's
/// own export is read by [`jsonl::read`]).
pub fn read(tracker: Tracker, path: &Path, options: &ReadOptions) -> crate::Result<Batch> {
    let read: Result<Batch, SourceError> = match tracker {
        Tracker::GitTask => unreachable!("git-task's own export is read by jsonl::read"),
        Tracker::Taskwarrior => taskwarrior::read(path, options),
        Tracker::Beads => beads::read(path, options),
        Tracker::Backlog => backlog::read(path, options),
        Tracker::TaskMaster => taskmaster::read(path, options),
        Tracker::Agent => agent::read(path, options),
    };
    let mut batch = read.map_err(|e| crate::Error::Source(Box::new(e)))?;
    // A task of a source of one file is in that file: what the engine
    // finds wrong with it names the file.
    for task in &mut batch.tasks {
        task.file.get_or_insert_with(|| path.to_owned());
    }
    Ok(batch)
}

/// What a source is: git-task's own export, or another tracker's tasks.
#[derive(Debug, Clone)]
pub enum Source {
    Export(Vec<Exported>),
    Tracker(Tracker, Batch),
}

impl Source {
    /// How many tasks it has.
    pub fn len(&self) -> usize {
        match self {
            Source::Export(tasks) => tasks.len(),
            Source::Tracker(_, batch) => batch.tasks.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What an import did (or, a dry run, would do) and the task set after it.
#[derive(Debug)]
pub struct Import {
    pub imported: Imported,
    /// The task set as it is (or would be) after the import.
    pub after: crate::TaskSet,
    /// A dry run's task set before, and the change as `diff` sees it.
    pub dry_run: Option<(crate::TaskSet, crate::history::TaskSetDiff)>,
}

/// Imports `source` into the working tree of `ws` in one transaction, as
/// every front end does; with `dry_run` the transaction is dropped
/// uncommitted, so nothing is written. `progress` is told, as the files
/// are written, how many of how many are on disk.
pub fn import_to(
    ws: &crate::store::Workspace,
    source: &Source,
    now: DateTime<Utc>,
    dry_run: bool,
    progress: Option<crate::store::Progress>,
) -> crate::Result<Import> {
    let stage = |tx: &mut crate::store::Transaction| {
        if let Some(progress) = &progress {
            tx.on_write(progress.clone());
        }
        match source {
            Source::Export(tasks) => restore(tx, tasks),
            Source::Tracker(tracker, batch) => import(tx, *tracker, batch, now),
        }
    };
    if !dry_run {
        let (imported, after) = ws.transact(stage)?;
        return Ok(Import {
            imported,
            after,
            dry_run: None,
        });
    }
    let mut tx = ws.transaction()?;
    let imported = stage(&mut tx)?;
    let (before, after) = (tx.original().clone(), tx.tasks().clone());
    let diff = crate::history::diff_sets(&before, &after);
    Ok(Import {
        imported,
        after,
        dry_run: Some((before, diff)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_made_of_hints() {
        for (hint, id) in [
            ("15.2", "15-2"),
            ("BD-a1b2", "bd-a1b2"),
            ("task-12.1", "task-12-1"),
            ("--", "task"),
            ("config", "config-1"),
            ("con", "con-1"),
            ("a  b__c", "a-b-c"),
        ] {
            assert_eq!(id_from(hint).as_str(), id, "{hint}");
        }
        assert!(id_from(&"x".repeat(100)).as_str().len() <= 64);
    }
}
