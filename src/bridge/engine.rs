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
    // A time the import writes is to the microsecond, as `add` writes it.
    let now = chrono::SubsecRound::trunc_subsecs(now, 6);
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
    // The last number tried after each base, so that a thousand tasks of
    // one hint cost a thousand tries, not half a million.
    let mut tried: HashMap<TaskId, usize> = HashMap::new();
    for task in &batch.tasks {
        if ids.contains_key(task.source_id.as_str()) {
            continue;
        }
        let base = super::id_from(&task.id_hint);
        let n = tried.entry(base.clone()).or_insert(1);
        let mut id = if *n == 1 {
            base.clone()
        } else {
            suffixed(&base, *n)
        };
        while chosen.contains(&id) || crate::change::taken(tx, &id) {
            *n += 1;
            id = suffixed(&base, *n);
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
            Some(id) => Some(id),
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
    let parents: HashMap<TaskId, Option<TaskId>> = batch
        .tasks
        .iter()
        .map(|task| {
            let parent = task
                .parent
                .as_deref()
                .and_then(|p| refer(task, p, "parent"));
            (ids[task.source_id.as_str()].clone(), parent)
        })
        .collect();
    // A parent waits for its children already, and its children inherit
    // what it waits for: a source whose epic also lists its own children
    // as blockers (Backlog.md and Taskwarrior users write that) would
    // make each child wait for itself. The edge says nothing the parent
    // does not, so it is left out, and said.
    let descends = |mut task: TaskId, from: &TaskId| {
        for _ in 0..=parents.len() {
            let up = match parents.get(&task) {
                Some(p) => p.clone(),
                None => tx.tasks().get(task.as_str()).and_then(|t| t.parent.clone()),
            };
            match up {
                Some(p) if &p == from => return true,
                Some(p) => task = p,
                None => return false,
            }
        }
        false
    };
    let mut redundant = Vec::new();
    let mut staged: Vec<(TaskId, TaskDocument, &Incoming)> = Vec::new();
    let mut tasks = Vec::new();
    for task in &batch.tasks {
        let id = ids[task.source_id.as_str()].clone();
        let parent = parents[&id].clone();
        let mut blocked_by: Vec<TaskId> = Vec::new();
        for name in &task.blocked_by {
            if let Some(b) = refer(task, name, "blocked_by")
                && !blocked_by.contains(&b)
            {
                if descends(b.clone(), &id) {
                    redundant.push(Dropped {
                        source_id: task.source_id.clone(),
                        field: "blocked_by".into(),
                        value: format!("{name} (a part of it: a parent waits for its parts)"),
                    });
                    continue;
                }
                blocked_by.push(b);
            }
        }
        edges += blocked_by.len() + usize::from(parent.is_some());
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
        let (outcome, doc) = written(tx, &id, was.as_ref(), &new)?;
        if let Some(doc) = doc {
            staged.push((id.clone(), doc, task));
        }
        tasks.push(ImportedTask {
            source_id: task.source_id.clone(),
            id,
            outcome,
        });
    }
    stage_all(tx, staged)?;
    dropped.extend(redundant);
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
        let mut task = entry.task.clone();
        if let Some(was) = &was {
            keep_dates(&was.meta, &mut task.meta);
        }
        let (outcome, doc) = written(tx, id, was.as_ref(), &task)?;
        if let Some(doc) = doc {
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

/// What writing `new` over `was` (the task with this id now, if any)
/// does, and the document to stage when it changes anything. A task equal
/// to what is there is not even opened: importing ten thousand unchanged
/// tasks parses no file.
fn written(
    tx: &Transaction,
    id: &TaskId,
    was: Option<&Task>,
    new: &Task,
) -> Result<(Outcome, Option<TaskDocument>)> {
    let Some(was) = was else {
        let mut doc = TaskDocument::new();
        doc.write_task(None, new);
        return Ok((Outcome::Created, Some(doc)));
    };
    if was == new {
        return Ok((Outcome::Unchanged, None));
    }
    let mut doc = tx.document(id)?;
    Ok(if doc.write_task(Some(was), new) {
        (Outcome::Updated, Some(doc))
    } else {
        (Outcome::Unchanged, None)
    })
}

/// JSON has no dates, NaN or infinity: an export writes them, in `[meta]`,
/// as their text. Where the task here has that very value at that place,
/// the text means it, and the value stays what it is.
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
        (toml::Value::Float(f), toml::Value::String(s))
            if !f.is_finite() && crate::task::float_text(*f) == *s =>
        {
            *new = toml::Value::Float(*f);
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
    // A label is one word (`list --label` and `#label` take it so): a
    // source's `needs review` is `needs-review` here.
    for label in &task.labels {
        let label = crate::change::one_word(label);
        if !label.is_empty() && !new.labels.contains(&label) {
            new.labels.push(label);
        }
    }
    new.created = task.created.or(new.created).or(Some(now));
    // A source that does not say when work began or ended: what an
    // earlier import (or a person) wrote stays while the status still
    // calls for it, and a task resolved without a time is closed now, as
    // `done` would close it.
    let had_started = new
        .started
        .filter(|_| task.status != crate::task::Status::Pending);
    new.started = task.started.or(had_started);
    new.closed = if task.status.is_resolved() {
        task.closed.or(new.closed).or(Some(now))
    } else {
        task.closed
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;
    use crate::task::{Criterion, Status};

    fn incoming(source_id: &str, hint: &str, subject: &str) -> Incoming {
        Incoming {
            source_id: source_id.into(),
            id_hint: hint.into(),
            line: 1,
            subject: subject.into(),
            ..Incoming::default()
        }
    }

    fn now() -> DateTime<Utc> {
        crate::task::parse_timestamp("2026-11-21T10:00:00Z").unwrap()
    }

    #[test]
    fn ids_origins_and_updates() {
        let repo = TestRepo::new();
        std::fs::create_dir_all(repo.root().join(crate::store::TASKS_DIR)).unwrap();
        let ws = repo.workspace();
        // A task of the repository already has the id the first would get.
        ws.transact(|tx| {
            let mut doc = TaskDocument::new();
            doc.set_str(crate::Field::Subject, "Mine");
            tx.stage(&TaskId::parse("bd-1").unwrap(), doc).map(|_| ())
        })
        .unwrap();
        let mut a = incoming("BD-1", "BD-1", "First");
        a.labels = vec!["x".into()];
        a.criteria = vec![Criterion {
            text: "works".into(),
            met: false,
        }];
        let mut b = incoming("bd-1.1", "bd-1.1", "Second");
        // A child waits for nothing of its parent's: the parent waits for it.
        b.blocked_by = vec!["nowhere".into()];
        b.parent = Some("BD-1".into());
        let mut c = incoming("c", "c", "Third");
        c.blocked_by = vec!["bd-1.1".into(), "bd-1.1".into()];
        let batch = Batch {
            tasks: vec![a.clone(), b.clone(), c.clone()],
            dropped: vec![],
        };
        let (imported, set) = ws
            .transact(|tx| import(tx, Tracker::Beads, &batch, now()))
            .unwrap();
        let ids: Vec<&str> = imported.tasks.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["bd-1-2", "bd-1-1", "c"]);
        assert_eq!(imported.edges, 2);
        assert_eq!(imported.dropped.len(), 1);
        assert_eq!(imported.dropped[0].field, "blocked_by");
        let second = set.get("bd-1-1").unwrap();
        assert_eq!(second.parent, Some(TaskId::parse("bd-1-2").unwrap()));
        assert!(second.blocked_by.is_empty());
        let third = set.get("c").unwrap();
        assert_eq!(third.blocked_by, [TaskId::parse("bd-1-1").unwrap()]);
        assert_eq!(second.origin.as_ref().unwrap().to_string(), "beads:bd-1.1");
        assert_eq!(second.created, Some(now()));

        // A person adds a label and a note; the source changes a subject
        // and meets the criterion.
        ws.transact(|tx| {
            let id = TaskId::parse("bd-1-2").unwrap();
            let mut doc = tx.document(&id)?;
            doc.add_to_array(crate::Field::Labels, "mine");
            doc.push_note(now(), Some("ana"), "looked at it");
            tx.stage(&id, doc).map(|_| ())
        })
        .unwrap();
        a.subject = "First, renamed".into();
        a.criteria[0].met = true;
        a.status = Status::Completed;
        let batch = Batch {
            tasks: vec![a, b, c],
            dropped: vec![],
        };
        let (again, set) = ws
            .transact(|tx| import(tx, Tracker::Beads, &batch, now()))
            .unwrap();
        let outcomes: Vec<Outcome> = again.tasks.iter().map(|t| t.outcome).collect();
        assert_eq!(
            outcomes,
            [Outcome::Updated, Outcome::Unchanged, Outcome::Unchanged]
        );
        let first = set.get("bd-1-2").unwrap();
        assert_eq!(first.subject, "First, renamed");
        assert_eq!(first.labels, ["x", "mine"]);
        assert_eq!(first.notes.len(), 1);
        assert!(first.criteria[0].met);
        assert_eq!(set.get("bd-1").unwrap().subject, "Mine");
        // And once more: nothing to write.
        let (third, _) = ws
            .transact(|tx| import(tx, Tracker::Beads, &batch, now()))
            .unwrap();
        assert_eq!(third.count(Outcome::Unchanged), 3);
    }

    #[test]
    fn a_source_with_one_id_twice_or_a_cycle_stages_nothing() {
        let repo = TestRepo::new();
        std::fs::create_dir_all(repo.root().join(crate::store::TASKS_DIR)).unwrap();
        let ws = repo.workspace();
        let mut twice = incoming("7", "7", "Again");
        twice.line = 4;
        let batch = Batch {
            tasks: vec![incoming("7", "7", "Once"), twice],
            dropped: vec![],
        };
        let error = ws
            .transact(|tx| import(tx, Tracker::Agent, &batch, now()))
            .unwrap_err();
        let Error::Source(e) = error else {
            panic!("{error:?}")
        };
        assert_eq!(e.line, 4);
        let mut a = incoming("a", "a", "A");
        a.blocked_by = vec!["b".into()];
        let mut b = incoming("b", "b", "B");
        b.blocked_by = vec!["a".into()];
        let batch = Batch {
            tasks: vec![a, b],
            dropped: vec![],
        };
        let error = ws
            .transact(|tx| import(tx, Tracker::Agent, &batch, now()))
            .unwrap_err();
        assert!(matches!(error, Error::Refused(_)), "{error:?}");
        assert!(ws.load(&crate::store::Source::WorkTree).unwrap().is_empty());
    }

    #[test]
    fn an_epic_that_lists_its_parts_as_blockers_imports_without_them() {
        let repo = TestRepo::new();
        std::fs::create_dir_all(repo.root().join(crate::store::TASKS_DIR)).unwrap();
        let ws = repo.workspace();
        let mut epic = incoming("1", "e", "Epic");
        epic.blocked_by = vec!["2".into(), "3".into(), "4".into()];
        let mut part = incoming("2", "p", "Part");
        part.parent = Some("1".into());
        let mut sub = incoming("3", "s", "Part of the part");
        sub.parent = Some("2".into());
        let other = incoming("4", "o", "Elsewhere");
        let batch = Batch {
            tasks: vec![epic, part, sub, other],
            dropped: vec![],
        };
        let (imported, set) = ws
            .transact(|tx| import(tx, Tracker::Backlog, &batch, now()))
            .unwrap();
        assert_eq!(
            set.get("e").unwrap().blocked_by,
            [TaskId::parse("o").unwrap()]
        );
        let said: Vec<&str> = imported.dropped.iter().map(|d| d.value.as_str()).collect();
        assert_eq!(
            said,
            [
                "2 (a part of it: a parent waits for its parts)",
                "3 (a part of it: a parent waits for its parts)"
            ]
        );
    }

    #[test]
    fn a_long_id_keeps_its_suffix() {
        let base = TaskId::parse(&"a".repeat(64)).unwrap();
        let id = suffixed(&base, 12);
        assert_eq!(id.as_str().len(), 64);
        assert!(id.as_str().ends_with("a-12"));
    }
}
