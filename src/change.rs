//! The changes commands make to the task set, each with the rules that
//! guard it. Every function works inside a [`Transaction`] and returns the
//! tasks it changed; nothing here prints.

use chrono::{DateTime, NaiveDate, Utc};
use toml_edit::{Array, InlineTable, Value};

use crate::config::Config;
use crate::document::TaskDocument;
use crate::error::{
    Error, Invalid, Line, ReferenceField, Referrer, Refusal, Result, WaitReason, Waited, Waiting,
    Waits,
};
use crate::field::Field;
use crate::graph::Graph;
use crate::id::TaskId;
use crate::store::Transaction;
use crate::task::{Estimate, Gate, Kind, Priority, Status, Task};
use crate::taskset::TaskSet;

/// Everything `add` can set on a new task. Ids of other tasks may be
/// prefixes; they are resolved against the task set.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    /// The subject (required) and the other fields.
    pub fields: FieldChanges,
    /// A chosen id; a random one when `None`.
    pub id: Option<String>,
    pub after: Vec<String>,
    pub criteria: Vec<String>,
}

/// Checks that `text` can be a subject or criterion: one non-empty line.
pub fn check_line(what: Line, text: &str) -> Result<()> {
    if text.trim().is_empty() || text.contains(['\n', '\r']) {
        return Err(Invalid::NotOneLine { what }.into());
    }
    Ok(())
}

/// Checks that `label` can be a label: a word, without whitespace, as
/// `list --label` and `#label` in listings take it.
pub fn check_label(label: &str) -> Result<()> {
    label_problem(label).map_or(Ok(()), |p| Err(p.into()))
}

/// What is wrong with a label, if anything.
pub fn label_problem(label: &str) -> Option<Invalid> {
    if label.trim().is_empty() {
        Some(Invalid::EmptyLabel)
    } else if label.contains(char::is_whitespace) {
        Some(Invalid::LabelWithWhitespace {
            label: label.to_owned(),
        })
    } else {
        None
    }
}

/// A label with whitespace as one word: its words joined by hyphens.
pub fn one_word(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join("-")
}

/// Creates a task and returns it.
pub fn add(
    tx: &mut Transaction,
    new: NewTask,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Task> {
    let subject = new.fields.subject.as_deref().unwrap_or_default();
    check_line(Line::Subject, subject)?;
    for c in &new.criteria {
        check_line(Line::Criterion, c)?;
    }
    let mut ids = crate::id::IdSource::from_env();
    let id = match &new.id {
        Some(text) => {
            let id = TaskId::parse(text)?;
            if taken(tx, &id) {
                return Err(Invalid::IdTaken { id, path: None }.into());
            }
            id
        }
        None => loop {
            let id = ids.next_id(config.id_length).map_err(Error::Random)?;
            if !taken(tx, &id) {
                break id;
            }
        },
    };
    let mut doc = TaskDocument::new();
    doc.set_precise_time(Field::Created, now);
    apply_fields(tx, &id, &mut doc, &new.fields, now)?;
    let mut blockers: Vec<TaskId> = Vec::new();
    for b in &new.after {
        let b = tx.resolve(b)?;
        if !blockers.contains(&b) {
            blockers.push(b);
        }
    }
    if !blockers.is_empty() {
        doc.set(
            Field::BlockedBy,
            Array::from_iter(blockers.iter().map(|b| b.as_str())),
        );
    }
    for c in &new.criteria {
        doc.push_criterion(c);
    }
    let task = tx.stage(&id, doc)?.clone();
    Ok(task)
}

/// Resolves the ids or prefixes of blockers to add (`must_exist`) or to
/// remove: removing accepts ids that name no task, so that a dangling
/// reference can be cleaned up.
pub fn resolve_blockers(
    tx: &Transaction,
    texts: &[String],
    must_exist: bool,
) -> Result<Vec<TaskId>> {
    texts
        .iter()
        .map(|t| match tx.resolve(t) {
            Ok(id) => Ok(id),
            Err(e) if must_exist => Err(e),
            Err(e) => TaskId::parse(t).map_err(|_| e),
        })
        .collect()
}

/// Whether a task, or any file, already has the id.
pub(crate) fn taken(tx: &Transaction, id: &TaskId) -> bool {
    tx.tasks().get(id.as_str()).is_some()
        || tx.workspace().tasks_dir().join(id.file_name()).exists()
}

/// What `rename` did.
#[derive(Debug, Clone)]
pub struct Renamed {
    /// The task under its new id.
    pub task: Task,
    /// The other tasks that named it, with the fields that did, in id order.
    pub updated: Vec<(TaskId, Vec<Field>)>,
}

/// Gives task `old` the id `new`: its file is renamed, and every
/// `blocked_by` and `parent` that names it is changed to the new id, each
/// file edited in place. Refuses an invalid id, one that is taken, and one
/// that tasks already name in `blocked_by` or `parent` (a dangling reference
/// that would silently come to mean this task).
pub fn rename(tx: &mut Transaction, old: &TaskId, new: &str) -> Result<Renamed> {
    let new = TaskId::parse(new)?;
    if &new == old {
        return Err(Invalid::SameId { id: new }.into());
    }
    if taken(tx, &new) {
        let path = tx.workspace().display_path(&new);
        return Err(Invalid::IdTaken {
            id: new,
            path: Some(path),
        }
        .into());
    }
    // A reference to `new` that names no task would start to mean this one.
    let dangling: Vec<(TaskId, Vec<ReferenceField>)> = tx
        .tasks()
        .iter()
        .filter_map(|t| {
            let mut fields = Vec::new();
            if t.blocked_by.contains(&new) {
                fields.push(ReferenceField::BlockedBy);
            }
            if t.parent.as_ref() == Some(&new) {
                fields.push(ReferenceField::Parent);
            }
            (!fields.is_empty()).then(|| (t.id.clone(), fields))
        })
        .collect();
    if !dangling.is_empty() {
        return Err(Invalid::NamedAlready {
            old: old.clone(),
            new,
            referrers: dangling,
        }
        .into());
    }
    let referrers: Vec<(TaskId, Vec<Field>)> = tx
        .tasks()
        .iter()
        .filter_map(|t| {
            let mut fields = Vec::new();
            if t.blocked_by.contains(old) {
                fields.push(Field::BlockedBy);
            }
            if t.parent.as_ref() == Some(old) {
                fields.push(Field::Parent);
            }
            (!fields.is_empty()).then(|| (t.id.clone(), fields))
        })
        .collect();
    let doc = tx.document(old)?;
    let task = tx.stage(&new, doc)?.clone();
    tx.stage_removal(old);
    for (r, fields) in &referrers {
        let mut doc = tx.document(r)?;
        doc.replace_in_array(Field::BlockedBy, old.as_str(), new.as_str());
        if fields.contains(&Field::Parent) {
            doc.set_str(Field::Parent, new.as_str());
        }
        tx.stage(r, doc)?;
    }
    Ok(Renamed {
        task,
        updated: referrers,
    })
}

fn with_final_newline(text: &str) -> String {
    if text.contains('\n') && !text.ends_with('\n') {
        format!("{text}\n")
    } else {
        text.to_owned()
    }
}

pub(crate) fn set_gate(doc: &mut TaskDocument, gate: &Gate) {
    match gate {
        Gate::ConfiguredBranches => doc.set(Field::Gate, true),
        Gate::Branches(branches) => {
            let mut table = InlineTable::new();
            table.insert("branches", Value::Array(Array::from_iter(branches.iter())));
            doc.set(Field::Gate, table);
        }
    }
}

fn task_index(set: &TaskSet, id: &TaskId) -> usize {
    set.index_of(id.as_str())
        .expect("ids come from resolving against this set")
}

/// Marks a task in progress and records who holds it and, in `started`,
/// when the work began: now, unless its holder starts it again (a task
/// taken over starts anew with its new holder).
pub fn start(
    tx: &mut Transaction,
    id: &TaskId,
    owner: &str,
    force: bool,
    now: DateTime<Utc>,
) -> Result<Task> {
    let set = tx.tasks();
    let i = task_index(set, id);
    let task = &set.tasks()[i];
    if task.is_resolved() {
        return Err(Refusal::Resolved {
            task: id.clone(),
            status: task.status,
        }
        .into());
    }
    if !force {
        let graph = Graph::new(set);
        let waits = open_waits(&graph, i);
        if !waits.is_empty() {
            return Err(Refusal::Blocked {
                task: id.clone(),
                waits,
            }
            .into());
        }
        if task.status == Status::InProgress
            && let Some(holder) = task.owner.as_deref().filter(|h| *h != owner)
        {
            return Err(Refusal::Held {
                task: id.clone(),
                holder: holder.to_owned(),
            }
            .into());
        }
        // A claim taken in another worktree or clone holds too, although
        // this worktree's file does not say so.
        let claims = crate::claim::Claims::read(tx.workspace())?;
        if let Some(claim) = claims.holder(id, now).filter(|c| c.owner != owner) {
            return Err(Refusal::Claimed {
                task: id.clone(),
                claim: Box::new(claim.clone()),
            }
            .into());
        }
    }
    let set = tx.tasks();
    let task = &set.tasks()[i];
    let was = task.clone();
    let mut doc = tx.document(id)?;
    doc.set_str(Field::Status, Status::InProgress.as_str());
    doc.set_str(Field::Owner, owner);
    set_times(&mut doc, &was, Status::InProgress, Some(owner), now);
    Ok(tx.stage(id, doc)?.clone())
}

/// Why `done` must refuse, or nothing when the task may be completed.
pub fn done_refusal(set: &TaskSet, id: &TaskId) -> Option<Error> {
    let i = task_index(set, id);
    let task = &set.tasks()[i];
    let graph = Graph::new(set);
    let waits = open_waits(&graph, i);
    let unmet: Vec<(usize, String)> = task
        .unmet_criteria()
        .map(|(n, c)| (n, c.text.clone()))
        .collect();
    if waits.is_empty() && unmet.is_empty() {
        return None;
    }
    Some(
        Refusal::NotCompletable {
            task: id.clone(),
            waits,
            unmet,
        }
        .into(),
    )
}

/// What task `i` still waits for, as [`Graph::first_open_waits`] lists it.
pub fn open_waits(graph: &Graph, i: usize) -> Waits {
    let tasks = graph.tasks().tasks();
    let (waits, more) = graph.first_open_waits(i);
    let first = waits
        .into_iter()
        .map(|w| Waiting {
            target: match w.target {
                crate::graph::Target::Task(j) => Waited::Task {
                    id: tasks[j].id.clone(),
                    subject: tasks[j].subject.clone(),
                    state: graph.state(j).to_string(),
                },
                crate::graph::Target::Missing(id) => Waited::Missing(id),
            },
            reason: match w.reason {
                crate::graph::Reason::Blocker => WaitReason::Blocker,
                crate::graph::Reason::Inherited { ancestor } => WaitReason::Inherited {
                    ancestor: tasks[ancestor].id.clone(),
                },
                crate::graph::Reason::Child => WaitReason::Child,
            },
        })
        .collect();
    Waits { first, more }
}

/// What `done` did: the completed task, and the tasks that became ready
/// because of it, in id order.
#[derive(Debug, Clone)]
pub struct Done {
    pub task: Task,
    pub now_ready: Vec<TaskId>,
}

/// Completes a task. `force` skips the rules of [`done_refusal`].
pub fn done(tx: &mut Transaction, id: &TaskId, force: bool, now: DateTime<Utc>) -> Result<Done> {
    if !force && let Some(refusal) = done_refusal(tx.tasks(), id) {
        return Err(refusal);
    }
    let before: std::collections::HashSet<TaskId> = ready_ids(tx.tasks()).collect();
    let task = close(tx, id, Status::Completed, now)?;
    let now_ready = ready_ids(tx.tasks())
        .filter(|r| !before.contains(r))
        .collect();
    Ok(Done { task, now_ready })
}

/// The ids of the tasks of `set` that can start now, in id order.
fn ready_ids(set: &TaskSet) -> impl Iterator<Item = TaskId> + '_ {
    let graph = Graph::new(set);
    let ready: Vec<usize> = (0..set.len()).filter(|&i| graph.is_ready(i)).collect();
    ready.into_iter().map(|i| set.tasks()[i].id.clone())
}

/// Cancels a task: it no longer holds anything back.
pub fn cancel(tx: &mut Transaction, id: &TaskId, now: DateTime<Utc>) -> Result<Task> {
    close(tx, id, Status::Cancelled, now)
}

fn close(tx: &mut Transaction, id: &TaskId, status: Status, now: DateTime<Utc>) -> Result<Task> {
    let task = &tx.tasks().tasks()[task_index(tx.tasks(), id)];
    if task.status == status {
        return Ok(task.clone());
    }
    if task.is_resolved() {
        return Err(Refusal::AlreadyClosed {
            task: id.clone(),
            status: task.status,
        }
        .into());
    }
    let was = task.clone();
    let mut doc = tx.document(id)?;
    doc.set_str(Field::Status, status.as_str());
    set_times(&mut doc, &was, status, was.owner.as_deref(), now);
    Ok(tx.stage(id, doc)?.clone())
}

/// The times a change of status or holder records, one rule for `start`,
/// `done`, `cancel`, `reopen`, `reset` and `edit`:
///
/// * `closed` is set when the task becomes resolved, and removed when it
///   is no longer resolved;
/// * `started` is set when work begins: the task becomes in progress, or
///   another holder takes it over; the same holder going on keeps it. A
///   pending task has no work under way and no `started`; a resolved one
///   keeps when its work began.
pub(crate) fn set_times(
    doc: &mut TaskDocument,
    was: &Task,
    status: Status,
    owner: Option<&str>,
    now: DateTime<Utc>,
) {
    if !status.is_resolved() {
        doc.remove(Field::Closed);
    } else if !was.is_resolved() {
        doc.set_time(Field::Closed, now);
    }
    match status {
        Status::InProgress => {
            let goes_on = was.status == Status::InProgress
                && was.started.is_some()
                && was.owner.as_deref() == owner;
            if !goes_on {
                doc.set_time(Field::Started, now);
            }
        }
        Status::Pending => doc.remove(Field::Started),
        Status::Completed | Status::Cancelled => {}
    }
}

/// Gives back a task in progress: pending again, with no owner and no
/// `started` time; criteria and notes stay. A task that is not in
/// progress is left as it is (releasing is safe to repeat).
pub fn unstart(tx: &mut Transaction, id: &TaskId) -> Result<Task> {
    let was = tx.tasks().tasks()[task_index(tx.tasks(), id)].clone();
    if was.status != Status::InProgress {
        return Ok(was);
    }
    let mut doc = tx.document(id)?;
    doc.remove(Field::Status);
    doc.remove(Field::Started);
    doc.remove(Field::Owner);
    Ok(tx.stage(id, doc)?.clone())
}

/// What `reopen` and `reset` did.
#[derive(Debug, Clone)]
pub struct Reopened {
    pub task: Task,
    /// False when `reopen` found the task pending already and left its
    /// file alone: reopening is safe to repeat.
    pub changed: bool,
}

/// Back to pending, with no `started` or `closed` time: no work on it is
/// under way, and the next `start` records its own time. `reset` also
/// clears the owner, every criterion and a gate's waiver.
pub fn reopen(
    tx: &mut Transaction,
    id: &TaskId,
    reset: bool,
    now: DateTime<Utc>,
) -> Result<Reopened> {
    let was = tx.tasks().tasks()[task_index(tx.tasks(), id)].clone();
    if !reset && was.status == Status::Pending {
        return Ok(Reopened {
            task: was,
            changed: false,
        });
    }
    let mut doc = tx.document(id)?;
    doc.remove(Field::Status);
    set_times(&mut doc, &was, Status::Pending, was.owner.as_deref(), now);
    if reset {
        doc.remove(Field::Owner);
        doc.remove(Field::Waiver);
        let count = tx.tasks().get(id.as_str()).map_or(0, |t| t.criteria.len());
        for n in 0..count {
            doc.set_criterion_met(n, false);
        }
    }
    Ok(Reopened {
        task: tx.stage(id, doc)?.clone(),
        changed: true,
    })
}

/// What `rm` did besides removing the file.
#[derive(Debug, Clone, Default)]
pub struct Removed {
    pub task: Option<Task>,
    /// Tasks whose `blocked_by` or `parent` named the removed task.
    pub cleaned: Vec<TaskId>,
}

/// Removes a task. Refuses while others name it, unless `force`, which
/// removes those references too.
pub fn remove(tx: &mut Transaction, id: &TaskId, force: bool) -> Result<Removed> {
    let referrers: Vec<(TaskId, ReferenceField)> = tx
        .tasks()
        .iter()
        .filter_map(|t| {
            if t.blocked_by.contains(id) {
                Some((t.id.clone(), ReferenceField::BlockedBy))
            } else if t.parent.as_ref() == Some(id) {
                Some((t.id.clone(), ReferenceField::Parent))
            } else {
                None
            }
        })
        .collect();
    if !referrers.is_empty() && !force {
        let referrers = referrers
            .iter()
            .map(|(r, how)| Referrer {
                id: r.clone(),
                subject: tx
                    .tasks()
                    .get(r.as_str())
                    .map_or_else(String::new, |t| t.subject.clone()),
                field: *how,
            })
            .collect();
        // Its children move up to its own parent, or become top-level.
        let parent = tx.tasks().get(id.as_str()).and_then(|t| t.parent.clone());
        return Err(Refusal::Referenced {
            task: id.clone(),
            referrers,
            parent,
        }
        .into());
    }
    let mut removed = Removed {
        task: tx.tasks().get(id.as_str()).cloned(),
        cleaned: Vec::new(),
    };
    for (r, _) in referrers {
        let mut doc = tx.document(&r)?;
        doc.remove_from_array(Field::BlockedBy, id.as_str());
        if tx
            .tasks()
            .get(r.as_str())
            .is_some_and(|t| t.parent.as_ref() == Some(id))
        {
            doc.remove(Field::Parent);
        }
        tx.stage(&r, doc)?;
        removed.cleaned.push(r);
    }
    tx.stage_removal(id);
    Ok(removed)
}

/// Adds blockers to a task's `blocked_by`. Returns those that were new.
pub fn add_blockers(tx: &mut Transaction, id: &TaskId, blockers: &[TaskId]) -> Result<Vec<TaskId>> {
    let mut doc = tx.document(id)?;
    let mut added = Vec::new();
    for b in blockers {
        if b == id {
            return Err(Refusal::OwnBlocker { task: id.clone() }.into());
        }
        if doc.add_to_array(Field::BlockedBy, b.as_str()) {
            added.push(b.clone());
        }
    }
    tx.stage(id, doc)?;
    Ok(added)
}

/// Removes blockers from a task's `blocked_by`. Returns those it had.
pub fn remove_blockers(
    tx: &mut Transaction,
    id: &TaskId,
    blockers: &[TaskId],
) -> Result<Vec<TaskId>> {
    let mut doc = tx.document(id)?;
    let removed: Vec<TaskId> = blockers
        .iter()
        .filter(|b| doc.remove_from_array(Field::BlockedBy, b.as_str()))
        .cloned()
        .collect();
    tx.stage(id, doc)?;
    Ok(removed)
}

/// Appends a note to the execution log.
pub fn note(
    tx: &mut Transaction,
    id: &TaskId,
    by: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Task> {
    if text.trim().is_empty() {
        return Err(Invalid::EmptyNote.into());
    }
    let mut doc = tx.document(id)?;
    doc.push_note(now, Some(by), text);
    Ok(tx.stage(id, doc)?.clone())
}

/// Changes to a task's criteria; numbers are 1-based as `criteria` lists them.
#[derive(Debug, Clone, Default)]
pub struct CriteriaChange {
    pub met: Vec<usize>,
    pub unmet: Vec<usize>,
    pub add: Vec<String>,
}

pub fn change_criteria(tx: &mut Transaction, id: &TaskId, change: &CriteriaChange) -> Result<Task> {
    let count = tx.tasks().get(id.as_str()).map_or(0, |t| t.criteria.len());
    let mut doc = tx.document(id)?;
    for (numbers, met) in [(&change.met, true), (&change.unmet, false)] {
        for &n in numbers {
            if n == 0 || n > count || !doc.set_criterion_met(n - 1, met) {
                return Err(Invalid::NoCriterion {
                    task: id.clone(),
                    number: n,
                    count,
                }
                .into());
            }
        }
    }
    for text in &change.add {
        check_line(Line::Criterion, text)?;
        doc.push_criterion(text);
    }
    Ok(tx.stage(id, doc)?.clone())
}

/// The fields `edit` can set from flags. `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldChanges {
    pub subject: Option<String>,
    pub status: Option<Status>,
    pub kind: Option<Kind>,
    pub priority: Option<Priority>,
    pub parent: Option<String>,
    pub gate: Option<Gate>,
    pub owner: Option<String>,
    pub estimate: Option<Estimate>,
    pub due: Option<NaiveDate>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    pub verify: Option<String>,
    pub description: Option<String>,
    /// Fields to remove (back to their default). `edit --unset` offers
    /// those [`Field::is_unsettable`] allows; any other is removed all the
    /// same, and the task must still read back without it (a missing
    /// subject is refused).
    pub unset: Vec<Field>,
}

pub fn edit_fields(
    tx: &mut Transaction,
    id: &TaskId,
    changes: &FieldChanges,
    now: DateTime<Utc>,
) -> Result<Task> {
    let mut doc = tx.document(id)?;
    apply_fields(tx, id, &mut doc, changes, now)?;
    Ok(tx.stage(id, doc)?.clone())
}

/// Writes `changes` into the document of task `id`. A value set to its
/// default (kind task, priority medium, status pending) removes the key, as
/// git-task never writes defaults.
fn apply_fields(
    tx: &Transaction,
    id: &TaskId,
    doc: &mut TaskDocument,
    changes: &FieldChanges,
    now: DateTime<Utc>,
) -> Result<()> {
    for field in &changes.unset {
        doc.remove(field.key());
    }
    if let Some(subject) = &changes.subject {
        check_line(Line::Subject, subject)?;
        doc.set_str(Field::Subject, subject);
    }
    if let Some(status) = changes.status {
        set_or_default(doc, Field::Status, status);
    }
    // A new status or holder of an existing task records its times as the
    // lifecycle commands do (a task being added has none to record).
    if let Some(was) = tx.tasks().get(id.as_str()) {
        let owner = match &changes.owner {
            Some(owner) => Some(owner.as_str()),
            None if changes.unset.contains(&Field::Owner) => None,
            None => was.owner.as_deref(),
        };
        if changes.status.is_some() || owner != was.owner.as_deref() {
            let status = changes.status.unwrap_or(was.status);
            set_times(doc, was, status, owner, now);
        }
    }
    if let Some(kind) = changes.kind {
        set_or_default(doc, Field::Kind, kind);
    }
    if let Some(priority) = changes.priority {
        set_or_default(doc, Field::Priority, priority);
    }
    if let Some(parent) = &changes.parent {
        let parent = tx.resolve(parent)?;
        if &parent == id {
            return Err(Refusal::OwnParent { task: id.clone() }.into());
        }
        doc.set_str(Field::Parent, parent.as_str());
    }
    if let Some(gate) = &changes.gate {
        set_gate(doc, gate);
    }
    if let Some(owner) = &changes.owner {
        doc.set_str(Field::Owner, owner);
    }
    if let Some(estimate) = &changes.estimate {
        doc.set_str(Field::Estimate, estimate.as_str());
    }
    if let Some(due) = changes.due {
        doc.set_date(Field::Due, due);
    }
    for label in &changes.add_labels {
        check_label(label)?;
        doc.add_to_array(Field::Labels, label);
    }
    for label in &changes.remove_labels {
        doc.remove_from_array(Field::Labels, label);
    }
    if let Some(verify) = &changes.verify {
        doc.set_str(Field::Verify, verify);
    }
    if let Some(description) = &changes.description {
        if description.trim().is_empty() {
            doc.remove(Field::Description);
        } else {
            doc.set_str(Field::Description, &with_final_newline(description));
        }
    }
    Ok(())
}

/// Sets an enum field, or removes it when it is the default.
pub fn set_or_default<T: Default + PartialEq + std::fmt::Display>(
    doc: &mut TaskDocument,
    field: Field,
    value: T,
) {
    if value == T::default() {
        doc.remove(field);
    } else {
        doc.set_str(field, &value.to_string());
    }
}

/// [`replace_text`], refused with [`Refusal::EditedMeanwhile`] when the
/// file is no longer `original`, the text the editing started from: an
/// editor open for minutes must not overwrite what another writer saved
/// meanwhile. Checked under the transaction's lock.
pub fn replace_text_from(
    tx: &mut Transaction,
    id: &TaskId,
    original: &str,
    text: &str,
) -> Result<Task> {
    let path = tx.workspace().tasks_dir().join(id.file_name());
    if std::fs::read_to_string(&path).map_or(true, |now| now != original) {
        return Err(Refusal::EditedMeanwhile {
            path: tx.workspace().display_path(id),
        }
        .into());
    }
    replace_text(tx, id, text)
}

/// Replaces a task's whole text (from `$EDITOR`), validated first.
///
/// A reference to an id that names no task is refused (unless the file
/// had it already), as the pre-commit hook would refuse it later.
pub fn replace_text(tx: &mut Transaction, id: &TaskId, text: &str) -> Result<Task> {
    let path = tx.workspace().display_path(id);
    let problem = |error: crate::task::ParseError| {
        Error::Files(vec![crate::error::FileProblem {
            path: path.clone(),
            error,
        }])
    };
    let doc = TaskDocument::parse(text).map_err(problem)?;
    let before = tx.tasks().get(id.as_str()).cloned();
    let task = tx.stage(id, doc)?.clone();
    let known = |other: &TaskId| tx.tasks().get(other.as_str()).is_some();
    let had = |key: ReferenceField, other: &TaskId| {
        before.as_ref().is_some_and(|b| match key {
            ReferenceField::Parent => b.parent.as_ref() == Some(other),
            ReferenceField::BlockedBy => b.blocked_by.contains(other),
        })
    };
    let references = task
        .parent
        .iter()
        .map(|p| (ReferenceField::Parent, p))
        .chain(
            task.blocked_by
                .iter()
                .map(|b| (ReferenceField::BlockedBy, b)),
        );
    for (key, other) in references {
        if !known(other) && !had(key, other) {
            let (line, column) = crate::check::locate(text, key.into(), Some(other.as_str()));
            return Err(Invalid::UnknownReference {
                path,
                line,
                column,
                key,
                id: other.clone(),
            }
            .into());
        }
    }
    Ok(task)
}

/// Waives a gate: it passes (yellow) with a warning naming who and why.
pub fn waive(
    tx: &mut Transaction,
    id: &TaskId,
    by: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Task> {
    let task = &tx.tasks().tasks()[task_index(tx.tasks(), id)];
    if task.gate.is_none() {
        return Err(Invalid::NotAGate { task: id.clone() }.into());
    }
    if reason.trim().is_empty() {
        return Err(Invalid::NoReason.into());
    }
    let mut doc = tx.document(id)?;
    doc.set_waiver(by, reason, now);
    Ok(tx.stage(id, doc)?.clone())
}

/// Removes a gate's waiver: it is judged on its own again. Refuses a task
/// that has none. Returns the task and the waiver it had.
pub fn unwaive(tx: &mut Transaction, id: &TaskId) -> Result<(Task, crate::task::Waiver)> {
    let task = &tx.tasks().tasks()[task_index(tx.tasks(), id)];
    let Some(waiver) = task.waiver.clone() else {
        return Err(Refusal::NoWaiver {
            task: id.clone(),
            gate: task.gate.is_some(),
        }
        .into());
    };
    let mut doc = tx.document(id)?;
    doc.remove(Field::Waiver);
    Ok((tx.stage(id, doc)?.clone(), waiver))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use crate::store::Workspace;

    fn id(text: &str) -> TaskId {
        TaskId::parse(text).unwrap()
    }

    /// A git repository with `.tasks/` holding `files` (name, text).
    fn repo(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("run git");
        assert!(out.status.success(), "{out:?}");
        let tasks = dir.path().join(crate::store::TASKS_DIR);
        std::fs::create_dir(&tasks).unwrap();
        for (name, text) in files {
            std::fs::write(tasks.join(format!("{name}.toml")), text).unwrap();
        }
        let ws = Workspace::discover(dir.path()).unwrap();
        (dir, ws)
    }

    fn now() -> DateTime<Utc> {
        crate::task::parse_timestamp("2026-01-10T10:00:00Z").unwrap()
    }

    /// The refusal of a change, which must be one.
    fn refusal<T: std::fmt::Debug>(result: Result<T>) -> Refusal {
        match result {
            Err(Error::Refused(refusal)) => refusal,
            other => panic!("not a refusal: {other:?}"),
        }
    }

    #[test]
    fn an_edit_is_refused_when_the_file_changed_since_it_began() {
        let (_dir, ws) = repo(&[("a", "subject = \"A\"\n")]);
        let file = ws.tasks_dir().join("a.toml");
        let edited = "subject = \"Edited\"\n";
        // Someone else saved the file while the editor was open.
        std::fs::write(&file, "subject = \"Theirs\"\n").unwrap();
        let r =
            refusal(ws.transact(|tx| replace_text_from(tx, &id("a"), "subject = \"A\"\n", edited)));
        assert!(
            matches!(&r, Refusal::EditedMeanwhile { path } if path.ends_with("a.toml")),
            "{r:?}"
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "subject = \"Theirs\"\n"
        );
        // From the text as it is now, the edit is saved.
        let from = "subject = \"Theirs\"\n";
        ws.transact(|tx| replace_text_from(tx, &id("a"), from, edited))
            .unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);
    }

    #[test]
    fn starting_a_blocked_task_is_refused_with_its_blockers() {
        let (_dir, ws) = repo(&[
            ("a", "subject = \"A\"\nblocked_by = [\"b\", \"c\"]\n"),
            ("b", "subject = \"B\"\n"),
            ("c", "subject = \"C\"\nstatus = \"completed\"\n"),
            (
                "d",
                "subject = \"D\"\nparent = \"a\"\nblocked_by = [\"ghost\"]\n",
            ),
        ]);
        let file = ws.tasks_dir().join("a.toml");
        let before = std::fs::read_to_string(&file).unwrap();
        let r = refusal(ws.transact(|tx| start(tx, &id("a"), "me", false, now())));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
        let Refusal::Blocked { task, waits } = &r else {
            panic!("{r:?}");
        };
        assert_eq!(task, &id("a"));
        // The open blocker and the child that waits itself; c is done.
        let targets: Vec<&Waited> = waits.first.iter().map(|w| &w.target).collect();
        assert!(matches!(
            targets[..],
            [Waited::Task { id: b, state: s, .. }, Waited::Task { id: d, .. }]
                if b == &id("b") && s == "pending" && d == &id("d")
        ));
        assert_eq!(waits.first[1].reason, WaitReason::Child);
        assert_eq!(
            r.actions(),
            [
                Action::Ready,
                Action::Start {
                    id: id("a"),
                    force: true
                }
            ]
        );
        // Forced, it starts.
        assert!(
            ws.transact(|tx| start(tx, &id("a"), "me", true, now()))
                .is_ok()
        );
    }

    #[test]
    fn a_task_someone_holds_or_that_is_done_is_refused_for_what_it_is() {
        let (_dir, ws) = repo(&[
            (
                "held",
                "subject = \"H\"\nstatus = \"in_progress\"\nowner = \"bo\"\n",
            ),
            ("done", "subject = \"D\"\nstatus = \"completed\"\n"),
        ]);
        assert_eq!(
            refusal(ws.transact(|tx| start(tx, &id("held"), "me", false, now()))),
            Refusal::Held {
                task: id("held"),
                holder: "bo".into()
            }
        );
        assert_eq!(
            refusal(ws.transact(|tx| start(tx, &id("done"), "me", false, now()))),
            Refusal::Resolved {
                task: id("done"),
                status: Status::Completed
            }
        );
        assert_eq!(
            refusal(ws.transact(|tx| cancel(tx, &id("done"), now()))),
            Refusal::AlreadyClosed {
                task: id("done"),
                status: Status::Completed
            }
        );
    }

    #[test]
    fn completing_with_criteria_unmet_names_their_numbers() {
        let task = Task::parse(
            id("g"),
            "subject = \"G\"\n[[criteria]]\ntext = \"one\"\nmet = true\n\
             [[criteria]]\ntext = \"two\"\n[[criteria]]\ntext = \"three\"\n",
        )
        .unwrap();
        let set = TaskSet::new(vec![task]);
        let Some(Error::Refused(r)) = done_refusal(&set, &id("g")) else {
            panic!("no refusal");
        };
        assert_eq!(
            r,
            Refusal::NotCompletable {
                task: id("g"),
                waits: Waits::default(),
                unmet: vec![(2, "two".into()), (3, "three".into())],
            }
        );
        assert_eq!(
            r.actions()[0],
            Action::CriteriaMet {
                id: id("g"),
                numbers: vec![2, 3]
            }
        );
    }

    #[test]
    fn removing_a_task_others_name_is_refused_with_them() {
        let (_dir, ws) = repo(&[
            ("top", "subject = \"Top\"\n"),
            ("epic", "subject = \"Epic\"\nparent = \"top\"\n"),
            ("part", "subject = \"Part\"\nparent = \"epic\"\n"),
            ("next", "subject = \"Next\"\nblocked_by = [\"epic\"]\n"),
        ]);
        let r = refusal(ws.transact(|tx| remove(tx, &id("epic"), false)));
        assert_eq!(
            r,
            Refusal::Referenced {
                task: id("epic"),
                referrers: vec![
                    Referrer {
                        id: id("next"),
                        subject: "Next".into(),
                        field: ReferenceField::BlockedBy
                    },
                    Referrer {
                        id: id("part"),
                        subject: "Part".into(),
                        field: ReferenceField::Parent
                    },
                ],
                parent: Some(id("top")),
            }
        );
        // Its child moves up to its own parent.
        assert!(r.actions().contains(&Action::SetParent {
            child: id("part"),
            parent: id("top")
        }));
    }

    #[test]
    fn a_change_that_closes_a_cycle_is_refused_with_the_cycle_as_ids() {
        let (_dir, ws) = repo(&[
            ("a", "subject = \"A\"\nblocked_by = [\"b\"]\n"),
            ("b", "subject = \"B\"\n"),
        ]);
        let r = refusal(ws.transact(|tx| add_blockers(tx, &id("b"), &[id("a")])));
        let Refusal::Cycle { cycle, elsewhere } = &r else {
            panic!("{r:?}");
        };
        assert_eq!(cycle.ids().collect::<Vec<_>>(), [&id("b"), &id("a")]);
        // The edge this change did not write.
        assert_eq!(
            elsewhere,
            &Some(Action::DepRm {
                task: id("a"),
                blocker: id("b")
            })
        );
    }

    #[test]
    fn bad_input_says_what_is_wrong_as_data() {
        let (_dir, ws) = repo(&[
            ("a", "subject = \"A\"\n[[criteria]]\ntext = \"c\"\n"),
            ("b", "subject = \"B\"\nblocked_by = [\"new\"]\n"),
        ]);
        let invalid = |result: Result<Task>| match result {
            Err(Error::Invalid(invalid)) => invalid,
            other => panic!("not bad input: {other:?}"),
        };
        let change = CriteriaChange {
            met: vec![4],
            ..Default::default()
        };
        assert_eq!(
            invalid(
                ws.transact(|tx| change_criteria(tx, &id("a"), &change))
                    .map(|(t, _)| t)
            ),
            Invalid::NoCriterion {
                task: id("a"),
                number: 4,
                count: 1
            }
        );
        assert_eq!(
            invalid(
                ws.transact(|tx| rename(tx, &id("a"), "new").map(|r| r.task))
                    .map(|(t, _)| t)
            ),
            Invalid::NamedAlready {
                old: id("a"),
                new: id("new"),
                referrers: vec![(id("b"), vec![ReferenceField::BlockedBy])],
            }
        );
        assert_eq!(
            invalid(
                ws.transact(|tx| waive(tx, &id("a"), "me", "why", now()))
                    .map(|(t, _)| t)
            ),
            Invalid::NotAGate { task: id("a") }
        );
        assert_eq!(
            invalid(
                ws.transact(|tx| replace_text(
                    tx,
                    &id("a"),
                    "subject = \"A\"\nparent = \"nope\"\n"
                ))
                .map(|(t, _)| t)
            ),
            Invalid::UnknownReference {
                path: ".tasks/a.toml".into(),
                line: 2,
                column: 10,
                key: ReferenceField::Parent,
                id: id("nope"),
            }
        );
    }
}
