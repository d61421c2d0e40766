//! The import engine: one [`Batch`] from any source, staged in one
//! transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::{Batch, Dropped, Incoming, SourceError, Tracker};
use crate::document::TaskDocument;
use crate::error::{Error, Result};
use crate::id::TaskId;
use crate::store::Transaction;
use crate::task::{Origin, Task};

pub use crate::apply::Outcome;

/// One task of the source and the task it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTask {
    pub source_id: String,
    pub id: TaskId,
    pub outcome: Outcome,
}

/// What [`import`] staged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub tracker: Tracker,
    /// Each task of the source, in the source's order.
    pub tasks: Vec<ImportedTask>,
    /// The `blocked_by` and `parent` edges among the imported tasks (and
    /// to tasks already here), as the source gave them.
    pub edges: usize,
    /// What had no place: the reader's, and references to tasks the
    /// source does not have.
    pub dropped: Vec<Dropped>,
}

impl Imported {
    /// How many tasks had `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.tasks.iter().filter(|t| t.outcome == outcome).count()
    }
}

/// Stages `batch`, read from `tracker`'s source, in `tx`.
///
/// * A task that an earlier import of the same tracker made (its `origin`
///   is `tracker:source id`) is updated; any other gets the id
///   [`super::id_from`] makes of its hint, or, when that is taken, the
///   first of `-2`, `-3`, ... that is free, in the source's order: the
///   same source into the same repository gives the same ids.
/// * The fields the source has are the source's: subject, status, kind
///   and priority (when it says), parent, blocked_by, owner, estimate,
///   due, times and description. Lists people add to keep what they
///   added: labels and notes the task has and the source lacks stay, and a
///   criterion keeps its place (the source sets whether it is met).
///   `meta` keys of the source are set; the task's others stay.
///
/// Nothing is staged when anything is wrong (two tasks of the source
/// with one id, a value the task format refuses, a new cycle), so an
/// error leaves the transaction, and every file, as it was. Unchanged
/// tasks are not staged: importing the same source twice writes nothing
/// the second time.
pub fn import(
    tx: &mut Transaction,
    tracker: Tracker,
    batch: &Batch,
    now: DateTime<Utc>,
) -> Result<Imported> {
    debug_assert!(
        tracker != Tracker::GitTask,
        "git-task's own export is restored"
    );
    // Two tasks of the source with one id would become one task.
    let mut seen: HashMap<&str, &Incoming> = HashMap::new();
    for task in &batch.tasks {
        if let Some(first) = seen.insert(&task.source_id, task) {
            return Err(source_error(
                task,
                format!(
                    "a second task with the id `{}` (the first is on line {}); ids in a source must be unique",
                    task.source_id, first.line
                ),
            ));
        }
    }
    // Tasks earlier imports of this tracker made, by source id.
    let mut known: HashMap<String, TaskId> = HashMap::new();
    for task in tx.tasks().iter() {
        if let Some(origin) = &task.origin
            && origin.tracker() == tracker.as_str()
        {
            known.insert(origin.id().to_owned(), task.id.clone());
        }
    }
    // Every source id's task id.
    let mut ids: HashMap<&str, TaskId> = HashMap::new();
    let mut chosen: HashSet<TaskId> = HashSet::new();
    for task in &batch.tasks {
        if let Some(id) = known.get(&task.source_id) {
            chosen.insert(id.clone());
            ids.insert(&task.source_id, id.clone());
        }
    }
    for task in &batch.tasks {
        if ids.contains_key(task.source_id.as_str()) {
            continue;
        }
        let base = super::id_from(&task.id_hint);
        let mut id = base.clone();
        let mut n = 1;
        while chosen.contains(&id) || crate::change::taken(tx, &id) {
            n += 1;
            id = suffixed(&base, n);
        }
        chosen.insert(id.clone());
        ids.insert(&task.source_id, id);
    }
    // References: a task of the source, else one an earlier import made;
    // else there is nothing to point at.
    let mut dropped = batch.dropped.clone();
    let mut edges = 0;
    let mut refer = |task: &Incoming, name: &str, field: &str| -> Option<TaskId> {
        let found = ids.get(name).cloned().or_else(|| known.get(name).cloned());
        match found {
            Some(id) => {
                edges += 1;
                Some(id)
            }
            None => {
                dropped.push(Dropped {
                    source_id: task.source_id.clone(),
                    field: field.to_owned(),
                    value: format!("{name} (not in the source)"),
                });
                None
            }
        }
    };
    let mut staged: Vec<(TaskId, TaskDocument, &Incoming)> = Vec::new();
    let mut tasks = Vec::new();
    for task in &batch.tasks {
        let id = ids[task.source_id.as_str()].clone();
        let parent = task
            .parent
            .as_deref()
            .and_then(|p| refer(task, p, "parent"));
        let mut blocked_by: Vec<TaskId> = Vec::new();
        for name in &task.blocked_by {
            if let Some(b) = refer(task, name, "blocked_by")
                && !blocked_by.contains(&b)
            {
                blocked_by.push(b);
            }
        }
        let was = tx.tasks().get(id.as_str()).cloned();
        let origin = Origin::new(tracker.as_str(), &task.source_id)
            .map_err(|message| source_error(task, message))?;
        let new = merged(
            was.as_ref(),
            task,
            id.clone(),
            parent,
            blocked_by,
            origin,
            now,
        );
        let (mut doc, outcome) = match &was {
            Some(_) => (tx.document(&id)?, Outcome::Updated),
            None => (TaskDocument::new(), Outcome::Created),
        };
        let changed = doc.write_task(was.as_ref(), &new);
        let outcome = match (outcome, changed) {
            (Outcome::Updated, false) => Outcome::Unchanged,
            (o, _) => o,
        };
        if outcome != Outcome::Unchanged {
            staged.push((id.clone(), doc, task));
        }
        tasks.push(ImportedTask {
            source_id: task.source_id.clone(),
            id,
            outcome,
        });
    }
    stage_all(tx, staged)?;
    dropped.sort();
    dropped.dedup();
    Ok(Imported {
        tracker,
        tasks,
        edges,
        dropped,
    })
}

/// One task of git-task's own export, and where it is in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    pub task: Task,
    pub file: std::path::PathBuf,
    pub line: usize,
}

/// Stages git-task's own export: the whole truth about each task, so the
/// task gets the export's id and every field is set as the export says
/// (references are kept as written, as the task files had them). As
/// [`import`], nothing is staged when anything is wrong, and unchanged
/// tasks are not staged.
pub fn restore(tx: &mut Transaction, tasks: &[Exported]) -> Result<Imported> {
    let mut seen: HashMap<&TaskId, usize> = HashMap::new();
    let mut staged = Vec::new();
    let mut out = Vec::new();
    let mut edges = 0;
    for entry in tasks {
        let id = &entry.task.id;
        if let Some(first) = seen.insert(id, entry.line) {
            return Err(error_at(
                &entry.file,
                entry.line,
                format!("a second task with the id `{id}` (the first is on line {first})"),
            ));
        }
        edges += entry.task.blocked_by.len() + usize::from(entry.task.parent.is_some());
        let was = tx.tasks().get(id.as_str()).cloned();
        let (mut doc, outcome) = match &was {
            Some(_) => (tx.document(id)?, Outcome::Updated),
            None => (TaskDocument::new(), Outcome::Created),
        };
        let mut task = entry.task.clone();
        if let Some(was) = &was {
            keep_dates(&was.meta, &mut task.meta);
        }
        let changed = doc.write_task(was.as_ref(), &task);
        let outcome = match (outcome, changed) {
            (Outcome::Updated, false) => Outcome::Unchanged,
            (o, _) => o,
        };
        if outcome != Outcome::Unchanged {
            staged.push((id.clone(), doc, (&entry.file, entry.line, id.to_string())));
        }
        out.push(ImportedTask {
            source_id: id.to_string(),
            id: id.clone(),
            outcome,
        });
    }
    stage_all(tx, staged)?;
    Ok(Imported {
        tracker: Tracker::GitTask,
        tasks: out,
        edges,
        dropped: Vec::new(),
    })
}

/// JSON has no dates: an export writes a date or time of `[meta]` as its
/// text. Where the task here has that very date at that place, the text
/// means it, and the date stays a date.
fn keep_dates(was: &toml::Table, new: &mut toml::Table) {
    for (key, value) in new.iter_mut() {
        if let Some(old) = was.get(key) {
            keep_date(old, value);
        }
    }
}

fn keep_date(was: &toml::Value, new: &mut toml::Value) {
    match (was, &mut *new) {
        (toml::Value::Datetime(d), toml::Value::String(s)) if d.to_string() == *s => {
            *new = toml::Value::Datetime(*d);
        }
        (toml::Value::Table(a), toml::Value::Table(b)) => keep_dates(a, b),
        (toml::Value::Array(a), toml::Value::Array(b)) if a.len() == b.len() => {
            for (x, y) in a.iter().zip(b.iter_mut()) {
                keep_date(x, y);
            }
        }
        _ => {}
    }
}

/// Where a staged document came from, for the message of a value the
/// task format refuses.
trait Whence {
    fn error(&self, message: String) -> Error;
}

impl Whence for &Incoming {
    fn error(&self, message: String) -> Error {
        source_error(self, message)
    }
}

impl Whence for (&std::path::PathBuf, usize, String) {
    fn error(&self, message: String) -> Error {
        error_at(self.0, self.1, format!("task `{}`: {message}", self.2))
    }
}

/// Stages every document, then refuses a new cycle: the first problem
/// leaves the transaction's files unwritten.
fn stage_all(tx: &mut Transaction, staged: Vec<(TaskId, TaskDocument, impl Whence)>) -> Result<()> {
    for (id, doc, whence) in staged {
        if let Err(e) = tx.stage(&id, doc) {
            return Err(match e {
                Error::Files(problems) => whence.error(
                    problems
                        .first()
                        .map_or_else(String::new, |p| p.error.message.clone()),
                ),
                other => other,
            });
        }
    }
    tx.refuse_new_cycles()
}

fn error_at(file: &std::path::Path, line: usize, message: String) -> Error {
    Error::Source(Box::new(SourceError {
        file: file.to_owned(),
        line,
        column: 0,
        message,
    }))
}

/// A task with nothing but its id and subject.
fn blank(id: TaskId, subject: &str) -> Task {
    let mut doc = TaskDocument::new();
    doc.set_str(crate::Field::Subject, "-");
    let mut task = doc.to_task(&id).expect("a subject alone is a task");
    task.subject = subject.to_owned();
    task
}

/// `base` with `-n` after it, cut so that the id stays at most 64
/// characters.
fn suffixed(base: &TaskId, n: usize) -> TaskId {
    let suffix = format!("-{n}");
    let mut head = base.as_str()[..base.as_str().len().min(64 - suffix.len())].to_owned();
    while head.ends_with('-') {
        head.pop();
    }
    TaskId::parse(&format!("{head}{suffix}")).expect("an id with a number after it is an id")
}

fn source_error(task: &Incoming, message: String) -> Error {
    error_at(
        task.file.as_deref().unwrap_or(std::path::Path::new("")),
        task.line,
        format!("task `{}`: {message}", task.source_id),
    )
}

/// `was` (the task an earlier import made, perhaps edited since) brought
/// to what the source says.
fn merged(
    was: Option<&Task>,
    task: &Incoming,
    id: TaskId,
    parent: Option<TaskId>,
    blocked_by: Vec<TaskId>,
    origin: Origin,
    now: DateTime<Utc>,
) -> Task {
    let mut new = match was {
        Some(was) => was.clone(),
        None => blank(id, &task.subject),
    };
    new.subject = task.subject.clone();
    new.status = task.status;
    if let Some(kind) = task.kind {
        new.kind = kind;
    }
    if let Some(priority) = task.priority {
        new.priority = priority;
    }
    new.parent = parent;
    new.blocked_by = blocked_by;
    new.owner = task.owner.clone();
    if task.estimate.is_some() {
        new.estimate = task.estimate.clone();
    }
    new.due = task.due;
    for label in &task.labels {
        if !new.labels.contains(label) {
            new.labels.push(label.clone());
        }
    }
    new.created = task.created.or(new.created).or(Some(now));
    new.started = task.started;
    new.closed = task.closed;
    new.origin = Some(origin);
    new.description = task.description.clone();
    for c in &task.criteria {
        match new.criteria.iter_mut().find(|have| have.text == c.text) {
            Some(have) => have.met = c.met,
            None => new.criteria.push(c.clone()),
        }
    }
    for n in &task.notes {
        if !new
            .notes
            .iter()
            .any(|have| have.at == n.at && have.text == n.text)
        {
            new.notes.push(n.clone());
        }
    }
    for (k, v) in &task.meta {
        new.meta.insert(k.clone(), v.clone());
    }
    new
}
