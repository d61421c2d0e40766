//! The two-way link with an agent's task-list directory
//! (`sync --with agent DIR`).
//!
//! Both sides are said in one shape, [`Fields`], in the agent's terms (its
//! ids in `blocked_by`, its status words). The state of every linked pair
//! as last synced is the *base*, kept per worktree in the git directory
//! ([`base_path`]); a sync compares each side with it, field by field, as
//! the merge driver does with the common ancestor of two branches:
//!
//! * changed on one side only: that side's value goes to the other;
//! * changed on both to the same value: nothing to do;
//! * changed on both to different values: a conflict, reported with both
//!   values, and neither side is changed for that field (nor the base, so
//!   that it is reported again until one side takes the other's value);
//! * `blocked_by` is a set: an edge added on either side is added, one
//!   removed on either side is removed, and that never conflicts; the
//!   keys of `metadata` are merged one by one.
//!
//! A task deleted on one side (its file or task gone, or its status newly
//! `deleted` / `cancelled`) is deleted on the other when that side did not
//! change since the base; otherwise it is a conflict and neither side
//! changes. [`decide`] holds these rules; it is pure, and [`merge`] is the
//! field merge under it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use chrono::{DateTime, Utc};
use serde_json::Map;

use super::agent::{self, AgentStatus, AgentTask};
use super::{Batch, Dropped, Incoming, SourceError, Tracker};
use crate::field::Field;
use crate::id::TaskId;
use crate::store::{Transaction, Workspace};
use crate::task::{Status, Task};

/// A task as both sides can say it, in the agent's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fields {
    pub subject: String,
    #[serde(default)]
    pub description: String,
    #[serde(with = "status_word")]
    pub status: AgentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The agent ids of the tasks this one waits for.
    #[serde(default)]
    pub blocked_by: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_form: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, Value>,
}

mod status_word {
    use super::AgentStatus;
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(status: &AgentStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(status.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AgentStatus, D::Error> {
        let word = String::deserialize(d)?;
        AgentStatus::parse(&word)
            .ok_or_else(|| de::Error::custom(format!("unknown status `{word}`")))
    }
}

/// The names of the fields, as a conflict names them (the agent's).
pub const SUBJECT: &str = "subject";
pub const DESCRIPTION: &str = "description";
pub const STATUS: &str = "status";
pub const OWNER: &str = "owner";
pub const ACTIVE_FORM: &str = "activeForm";

/// A field changed differently on both sides since the last sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The agent's id of the task.
    pub agent_id: String,
    /// `subject`, `status`, `metadata.<key>`, or `deleted` for a task
    /// deleted on one side and changed on the other.
    pub field: String,
    /// The value as last synced (`null` when never synced, or absent).
    pub base: Value,
    /// The agent's value (`null`: the file is gone, or the key absent).
    pub agent: Value,
    /// git-task's value (`null`: the task is gone, or the key absent).
    pub git: Value,
}

/// What the field merge of one pair gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// What the agent's file is to hold.
    pub agent: Fields,
    /// What the git-task task is to hold.
    pub git: Fields,
    /// The base to keep: the merged value of every field that merged, the
    /// old base's of a conflicting one. `None` while a pair never synced
    /// still conflicts.
    pub base: Option<Fields>,
    pub conflicts: Vec<Conflict>,
}

/// Merges one pair field by field; `base` is `None` for a pair never
/// synced, where every difference is a conflict (nothing says which side
/// changed) and `blocked_by` is the union.
pub fn merge(agent_id: &str, base: Option<&Fields>, agent: &Fields, git: &Fields) -> Merged {
    let mut conflicts = Vec::new();
    let mut out_agent = agent.clone();
    let mut out_git = git.clone();
    let mut out_base = base.cloned().unwrap_or_else(|| agent.clone());

    macro_rules! scalar {
        ($field:ident, $name:expr, $json:expr) => {
            match pick(base.map(|b| &b.$field), &agent.$field, &git.$field) {
                Some(v) => {
                    out_agent.$field = v.clone();
                    out_git.$field = v.clone();
                    out_base.$field = v.clone();
                }
                None => conflicts.push(Conflict {
                    agent_id: agent_id.to_owned(),
                    field: $name.to_owned(),
                    base: base.map_or(Value::Null, |b| $json(&b.$field)),
                    agent: $json(&agent.$field),
                    git: $json(&git.$field),
                }),
            }
        };
    }
    let text = |s: &String| Value::String(s.clone());
    let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
    let status = |s: &AgentStatus| Value::String(s.as_str().into());
    scalar!(subject, SUBJECT, text);
    scalar!(description, DESCRIPTION, text);
    scalar!(status, STATUS, status);
    scalar!(owner, OWNER, opt);
    scalar!(active_form, ACTIVE_FORM, opt);

    let edges = merge_set(
        base.map(|b| &b.blocked_by),
        &agent.blocked_by,
        &git.blocked_by,
    );
    out_agent.blocked_by = edges.clone();
    out_git.blocked_by = edges.clone();
    out_base.blocked_by = edges;

    let keys: BTreeSet<&String> = agent
        .metadata
        .keys()
        .chain(git.metadata.keys())
        .chain(base.into_iter().flat_map(|b| b.metadata.keys()))
        .collect();
    for key in keys {
        let a = agent.metadata.get(key);
        let g = git.metadata.get(key);
        // Never synced: a key only one side has is added to the other.
        let b = match base {
            Some(b) => Some(b.metadata.get(key)),
            None if a.is_none() || g.is_none() => Some(None),
            None => None,
        };
        match pick(b.as_ref(), &a, &g) {
            Some(v) => {
                for m in [
                    &mut out_agent.metadata,
                    &mut out_git.metadata,
                    &mut out_base.metadata,
                ] {
                    match v {
                        Some(v) => {
                            m.insert(key.clone(), (*v).clone());
                        }
                        None => {
                            m.remove(key);
                        }
                    }
                }
            }
            None => conflicts.push(Conflict {
                agent_id: agent_id.to_owned(),
                field: format!("metadata.{key}"),
                base: b.flatten().cloned().unwrap_or(Value::Null),
                agent: a.cloned().unwrap_or(Value::Null),
                git: g.cloned().unwrap_or(Value::Null),
            }),
        }
    }
    let base = (base.is_some() || conflicts.is_empty()).then_some(out_base);
    Merged {
        agent: out_agent,
        git: out_git,
        base,
        conflicts,
    }
}

/// The three-way merge of one value: the common value, the side that
/// changed, or `None` for a conflict.
fn pick<'a, T: PartialEq>(base: Option<&T>, agent: &'a T, git: &'a T) -> Option<&'a T> {
    if agent == git {
        return Some(agent);
    }
    match base {
        Some(b) if b == agent => Some(git),
        Some(b) if b == git => Some(agent),
        _ => None,
    }
}

/// The three-way merge of a set: an item is in the result when the side
/// that changed it (against the base) has it; with no base, the union.
pub fn merge_set(
    base: Option<&BTreeSet<String>>,
    agent: &BTreeSet<String>,
    git: &BTreeSet<String>,
) -> BTreeSet<String> {
    let Some(base) = base else {
        return agent.union(git).cloned().collect();
    };
    agent
        .iter()
        .chain(git)
        .chain(base)
        .filter(|x| {
            let (a, g, b) = (agent.contains(*x), git.contains(*x), base.contains(*x));
            if a == b { g } else { a }
        })
        .cloned()
        .collect()
}

/// What a sync does with one linked pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Both sides are there: the field merge says the rest.
    Merge(Box<Merged>),
    /// The agent's file is gone and git-task's task did not change: it is
    /// cancelled, and the pair is no longer linked.
    CancelInGit,
    /// git-task's task is gone, or it was cancelled there while the
    /// agent's task did not change: the agent's file is removed, as the
    /// agent deletes a task, and the pair is no longer linked.
    RemoveFromAgent,
    /// Both sides are gone: the pair is forgotten.
    Forget,
    /// Deleted on one side and changed on the other: nothing changes, the
    /// pair stays linked with its base.
    Conflict(Box<Conflict>),
}

/// Decides what to do with a linked pair: `None` for a side whose file or
/// task is gone.
pub fn decide(
    agent_id: &str,
    base: Option<&Fields>,
    agent: Option<&Fields>,
    git: Option<&Fields>,
) -> Decision {
    let deleted_conflict = |a: Option<&Fields>, g: Option<&Fields>| {
        let json = |f: Option<&Fields>| {
            f.map_or(Value::Null, |f| {
                serde_json::to_value(f).expect("fields are JSON")
            })
        };
        Decision::Conflict(Box::new(Conflict {
            agent_id: agent_id.to_owned(),
            field: "deleted".into(),
            base: json(base),
            agent: json(a),
            git: json(g),
        }))
    };
    let unchanged = |side: &Fields| base == Some(side);
    match (agent, git) {
        (None, None) => Decision::Forget,
        (None, Some(g)) if unchanged(g) || g.status == AgentStatus::Deleted => {
            Decision::CancelInGit
        }
        (Some(a), None) if unchanged(a) || a.status == AgentStatus::Deleted => {
            Decision::RemoveFromAgent
        }
        (None, Some(g)) => deleted_conflict(None, Some(g)),
        (Some(a), None) => deleted_conflict(Some(a), None),
        (Some(a), Some(g)) => {
            let was_deleted = base.is_some_and(|b| b.status == AgentStatus::Deleted);
            let newly = |f: &Fields| f.status == AgentStatus::Deleted && !was_deleted;
            match (newly(a), newly(g)) {
                (true, false) if !unchanged(g) => deleted_conflict(Some(a), Some(g)),
                (false, true) if !unchanged(a) => deleted_conflict(Some(a), Some(g)),
                (false, true) => Decision::RemoveFromAgent,
                _ => Decision::Merge(Box::new(merge(agent_id, base, a, g))),
            }
        }
    }
}

/// One linked pair of the base: the agent's id, git-task's id, and the
/// fields as last synced (`None` while a pair linked without a base still
/// conflicts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub agent: String,
    pub task: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Fields>,
}

/// The base of the two-way link with one directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Base {
    pub version: u32,
    /// The directory, as the canonical path the file is named after.
    pub dir: PathBuf,
    /// The pairs, in the agent's id order.
    pub pairs: Vec<Pair>,
}

impl Base {
    /// A base with no pairs: nothing synced yet.
    pub fn empty(dir: &Path) -> Base {
        Base {
            version: 1,
            dir: dir.to_owned(),
            pairs: Vec::new(),
        }
    }

    /// Reads the base at `path`; an empty one when there is no file.
    pub fn read(path: &Path, dir: &Path) -> Result<Base, String> {
        match fs::read_to_string(path) {
            Ok(text) => {
                let base: Base = serde_json::from_str(&text).map_err(|e| {
                    format!(
                        "{}: the last synced state cannot be read ({e}); remove it to sync as for the first time",
                        path.display()
                    )
                })?;
                if base.dir != dir {
                    return Err(format!(
                        "{}: this is the last synced state of {}, not of {}",
                        path.display(),
                        base.dir.display(),
                        dir.display()
                    ));
                }
                Ok(base)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Base::empty(dir)),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Its text: pretty JSON ending in a newline, pairs in id order.
    pub fn to_text(&self) -> String {
        let mut base = self.clone();
        base.pairs
            .sort_by(|a, b| id_order(&a.agent).cmp(&id_order(&b.agent)));
        let mut text = serde_json::to_string_pretty(&base).expect("the base is JSON");
        text.push('\n');
        text
    }

    /// Writes it to `path` atomically (a temporary file renamed over it),
    /// unless the file already holds the same text.
    pub fn write(&self, path: &Path) -> std::io::Result<bool> {
        let text = self.to_text();
        if fs::read_to_string(path).is_ok_and(|old| old == text) {
            return Ok(false);
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".sync-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(true)
    }
}

/// The order of agent ids: numeric ones by number, then the rest by text.
pub fn id_order(id: &str) -> (u8, u128, &str) {
    match id.parse::<u128>() {
        Ok(n) if id.bytes().all(|b| b.is_ascii_digit()) => (0, n, id),
        _ => (1, 0, id),
    }
}

/// Where the base of the link with `dir` (a canonical path) is kept:
/// `<git-dir>/git-task/sync/agent-<hash>.json`, the hash of the path's
/// text, so that each worktree (each has its own git dir) and each
/// directory has its own.
pub fn base_path(git_dir: &Path, dir: &Path) -> PathBuf {
    let text = dir.to_string_lossy();
    // Two CRC-32s of different seeds: 64 bits, plenty to tell a few
    // directories apart (the file also names its directory, and a base of
    // another directory is refused).
    let crc = |seed: u32| {
        let mut h = crc32fast::Hasher::new_with_initial(seed);
        h.update(text.as_bytes());
        h.finalize()
    };
    let hex = format!("{:08x}{:08x}", crc(0), crc(0x9e37_79b9));
    git_dir
        .join("git-task")
        .join("sync")
        .join(format!("agent-{hex}.json"))
}

/// What `sync --with agent DIR` is told.
#[derive(Clone, Default)]
pub struct Options {
    /// Write nothing; say what a sync would do.
    pub dry_run: bool,
    /// git-task tasks (ids or prefixes) to give to the agent as new tasks
    /// of its list. Only these, and the tasks linked already, go out: a
    /// git-task repository holds far more than an agent's list is for.
    pub push: Vec<String>,
    /// Told, as git-task's task files are written, how many of how many
    /// are on disk (a progress bar).
    pub progress: Option<crate::store::Progress>,
}

/// Why a sync could not run. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A file of the agent's directory does not read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The last synced state does not read.
    #[error("{0}")]
    Base(String),
    /// A task to push is cancelled: the agent has no status for it.
    #[error(
        "task {0} is cancelled; the agent has no status for a task not to be done, so it is not pushed"
    )]
    PushCancelled(TaskId),
    /// The agent changed a file of its list while the sync ran: nothing
    /// was written.
    #[error("the agent changed {} during the sync; nothing was written: sync again", path.display())]
    Raced { path: PathBuf },
    /// The agent's list lock could not be taken, or a file of the list
    /// could not be written.
    #[error("{}: {source}", path.display())]
    Agent {
        path: PathBuf,
        source: std::io::Error,
    },
    /// git-task's own error.
    #[error(transparent)]
    Store(#[from] crate::Error),
}

/// One pair of a sync's report: the agent's id and git-task's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub agent_id: String,
    pub task: TaskId,
}

/// A pair with the fields a sync changed on one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub agent_id: String,
    pub task: TaskId,
    /// The agent's names of the fields (`subject`, `blocked_by`,
    /// `activeForm`, `metadata`), in that order.
    pub fields: Vec<&'static str>,
}

/// A conflict and the task it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskConflict {
    pub task: TaskId,
    pub conflict: Conflict,
}

/// What a sync did (or, a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The agent's directory, canonical.
    pub dir: PathBuf,
    /// The file the last synced state is kept in.
    pub base: PathBuf,
    pub dry_run: bool,
    /// Agent tasks new to git-task, created in `.tasks/`.
    pub created: Vec<Link>,
    /// git-task tasks given to the agent (`--push`).
    pub pushed: Vec<Link>,
    /// git-task tasks changed to take the agent's changes.
    pub updated_tasks: Vec<Changed>,
    /// Agent files changed to take git-task's changes.
    pub updated_files: Vec<Changed>,
    /// Agent files removed: the task was removed or cancelled in git-task.
    pub removed_files: Vec<Link>,
    /// git-task tasks cancelled: the agent removed the task's file.
    pub cancelled: Vec<Link>,
    /// Pairs no longer linked (deleted on both sides, or followed).
    pub unlinked: Vec<Link>,
    /// Agent tasks linked again to the task an earlier import made of
    /// them, with no last synced state (a new worktree).
    pub relinked: Vec<Link>,
    pub conflicts: Vec<TaskConflict>,
    /// What of the new agent tasks had no place in git-task.
    pub dropped: Vec<Dropped>,
}

impl Report {
    /// Whether the sync changed (or would change) anything.
    pub fn changed(&self) -> bool {
        !(self.created.is_empty()
            && self.pushed.is_empty()
            && self.updated_tasks.is_empty()
            && self.updated_files.is_empty()
            && self.removed_files.is_empty()
            && self.cancelled.is_empty()
            && self.unlinked.is_empty()
            && self.relinked.is_empty())
    }
}

/// The agent's side of every task of its directory: `blockedBy`, and the
/// inverse of every `blocks`, among the tasks that are there; `metadata`
/// as git-task can hold it (no `null`s).
pub fn agent_side(tasks: &[AgentTask]) -> BTreeMap<String, Fields> {
    let present: BTreeSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    let mut out: BTreeMap<String, Fields> = BTreeMap::new();
    for task in tasks {
        let (meta, _) = agent::meta_of(task.active_form.as_deref(), task.metadata.as_ref());
        let (active_form, metadata) = agent::from_meta(&meta);
        let blocked_by = task
            .blocked_by
            .iter()
            .filter(|id| present.contains(id.as_str()))
            .cloned()
            .collect();
        out.insert(
            task.id.clone(),
            Fields {
                subject: task.subject.clone(),
                description: task.description.clone(),
                status: task.status,
                owner: task.owner.clone(),
                blocked_by,
                active_form,
                metadata: metadata.unwrap_or_default().into_iter().collect(),
            },
        );
    }
    for task in tasks {
        for blocked in &task.blocks {
            if let Some(f) = out.get_mut(blocked) {
                f.blocked_by.insert(task.id.clone());
            }
        }
    }
    out
}

/// git-task's side of a task: its `blocked_by` among the linked tasks,
/// named by the agent's ids (`agent_of`), the others left out.
pub fn git_side(task: &Task, agent_of: &BTreeMap<TaskId, String>) -> Fields {
    let (active_form, metadata) = agent::from_meta(&task.meta);
    Fields {
        subject: task.subject.clone(),
        description: task.description.clone().unwrap_or_default(),
        status: AgentStatus::from_status(task.status),
        owner: task.owner.clone(),
        blocked_by: task
            .blocked_by
            .iter()
            .filter_map(|id| agent_of.get(id).cloned())
            .collect(),
        active_form,
        metadata: metadata.unwrap_or_default().into_iter().collect(),
    }
}

/// The agent's names of the fields that differ between `a` and `b`.
pub fn differing(a: &Fields, b: &Fields) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.subject != b.subject {
        out.push(SUBJECT);
    }
    if a.description != b.description {
        out.push(DESCRIPTION);
    }
    if a.status != b.status {
        out.push(STATUS);
    }
    if a.owner != b.owner {
        out.push(OWNER);
    }
    if a.blocked_by != b.blocked_by {
        out.push("blocked_by");
    }
    if a.active_form != b.active_form {
        out.push(ACTIVE_FORM);
    }
    if a.metadata != b.metadata {
        out.push("metadata");
    }
    out
}

/// `Fields` without edges: what a task new to one side starts as, so that
/// its edges are added by the merge, named by the ids of the other side.
fn without_edges(f: &Fields) -> Fields {
    Fields {
        blocked_by: BTreeSet::new(),
        ..f.clone()
    }
}

/// Links the agent's task-list directory `dir` with the working tree of
/// `ws`: see the module's documentation for the rules. All or nothing
/// for git-task (one transaction); the agent's files are written after
/// it, each by rename; the last synced state last, so a sync that stops
/// half way is finished by the next one.
pub fn sync(
    ws: &Workspace,
    dir: &Path,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<Report, SyncError> {
    let dir = fs::canonicalize(dir).map_err(|e| SourceError {
        file: dir.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot open the agent's task directory: {e}"),
    })?;
    let files = agent::read_dir(&dir)?;
    let base_file = base_path(ws.git_dir(), &dir);
    let base = Base::read(&base_file, &dir).map_err(SyncError::Base)?;
    let mut tx = ws.transaction()?;
    if let Some(progress) = &options.progress {
        tx.on_write(progress.clone());
    }
    let mut report = Report {
        dir: dir.clone(),
        base: base_file.clone(),
        dry_run: options.dry_run,
        ..Report::default()
    };

    // The pairs, by the agent's id: the base's, then the ones this sync
    // links.
    let mut pairs: BTreeMap<String, Pair> = base
        .pairs
        .iter()
        .map(|p| (p.agent.clone(), p.clone()))
        .collect();
    // A linked task renamed since (`git task rename`) is found by its
    // origin, which the rename keeps: renaming is not deleting.
    let by_origin: BTreeMap<String, TaskId> = tx
        .tasks()
        .iter()
        .filter_map(|t| {
            let origin = t.origin.as_ref()?;
            (origin.tracker() == Tracker::Agent.as_str())
                .then(|| (origin.id().to_owned(), t.id.clone()))
        })
        .collect();
    for pair in pairs.values_mut() {
        if tx.tasks().get(&pair.task).is_none()
            && let Some(id) = by_origin.get(&pair.agent)
        {
            pair.task = id.to_string();
        }
    }
    let agent_now = agent_side(&files);
    let linked_tasks: BTreeSet<String> = pairs.values().map(|p| p.task.clone()).collect();

    // Agent tasks an earlier import made a task of, with no base here.
    for task in tx.tasks().iter() {
        let Some(origin) = &task.origin else { continue };
        if origin.tracker() != Tracker::Agent.as_str()
            || pairs.contains_key(origin.id())
            || linked_tasks.contains(task.id.as_str())
            || !agent_now.contains_key(origin.id())
        {
            continue;
        }
        pairs.insert(
            origin.id().to_owned(),
            Pair {
                agent: origin.id().to_owned(),
                task: task.id.to_string(),
                fields: None,
            },
        );
        report.relinked.push(Link {
            agent_id: origin.id().to_owned(),
            task: task.id.clone(),
        });
    }

    // Agent tasks new to git-task: created by the import engine, without
    // their edges, which the merge below adds with git-task's ids.
    let batch = agent::batch_of(&files);
    let new: Vec<Incoming> = batch
        .tasks
        .iter()
        .filter(|t| !pairs.contains_key(&t.source_id))
        .map(|t| Incoming {
            blocked_by: Vec::new(),
            ..t.clone()
        })
        .collect();
    if !new.is_empty() {
        let ids: BTreeSet<&str> = new.iter().map(|t| t.source_id.as_str()).collect();
        let new_batch = Batch {
            dropped: batch
                .dropped
                .iter()
                .filter(|d| ids.contains(d.source_id.as_str()))
                .cloned()
                .collect(),
            tasks: new,
        };
        let imported = super::import(&mut tx, Tracker::Agent, &new_batch, now)?;
        report.dropped = imported.dropped;
        for t in imported.tasks {
            let fields = agent_now.get(&t.source_id).map(without_edges);
            pairs.insert(
                t.source_id.clone(),
                Pair {
                    agent: t.source_id.clone(),
                    task: t.id.to_string(),
                    fields,
                },
            );
            report.created.push(Link {
                agent_id: t.source_id,
                task: t.id,
            });
        }
    }

    // git-task tasks to push: new agent tasks, also without their edges.
    let mut files: BTreeMap<String, AgentTask> =
        files.into_iter().map(|t| (t.id.clone(), t)).collect();
    let read_files = files.clone();
    let mut agent_now = agent_now;
    let mut new_files: BTreeSet<String> = BTreeSet::new();
    for text in &options.push {
        let id = tx.resolve(text)?;
        if pairs.values().any(|p| p.task == id.as_str()) {
            continue;
        }
        let task = tx.tasks().get(id.as_str()).expect("resolved").clone();
        if task.status == Status::Cancelled {
            return Err(SyncError::PushCancelled(id));
        }
        let all: Vec<AgentTask> = files.values().cloned().collect();
        let agent_id = agent::next_id(&dir, &all);
        // Its origin names the agent's task, as an import's does, so that a
        // lost base links it again (a task from another tracker keeps its
        // own origin).
        if task.origin.is_none() {
            let mut doc = tx.document(&id)?;
            doc.set_str(
                Field::Origin,
                &format!("{}:{agent_id}", Tracker::Agent.as_str()),
            );
            tx.stage(&id, doc)?;
        }
        let fields = without_edges(&git_side(&task, &BTreeMap::new()));
        let mut file = AgentTask::new(&dir, &agent_id, &fields.subject);
        set_fields(&mut file, &fields);
        files.insert(agent_id.clone(), file);
        agent_now.insert(agent_id.clone(), fields.clone());
        new_files.insert(agent_id.clone());
        pairs.insert(
            agent_id.clone(),
            Pair {
                agent: agent_id.clone(),
                task: id.to_string(),
                fields: Some(fields),
            },
        );
        report.pushed.push(Link { agent_id, task: id });
    }

    // Both sides of every pair, with the links as they are now.
    let agent_of: BTreeMap<TaskId, String> = pairs
        .values()
        .filter_map(|p| Some((TaskId::parse(&p.task).ok()?, p.agent.clone())))
        .collect();
    let task_of: BTreeMap<String, TaskId> = agent_of
        .iter()
        .map(|(t, a)| (a.clone(), t.clone()))
        .collect();
    let mut decisions = Vec::new();
    for pair in pairs.values() {
        let task_id = task_of.get(&pair.agent).cloned();
        let git = task_id
            .as_ref()
            .and_then(|id| tx.tasks().get(id.as_str()))
            .map(|t| git_side(t, &agent_of));
        let agent = agent_now.get(&pair.agent);
        let decision = decide(&pair.agent, pair.fields.as_ref(), agent, git.as_ref());
        decisions.push((pair.clone(), agent.cloned(), git, decision));
    }

    let mut kept: Vec<Pair> = Vec::new();
    let mut gone: BTreeSet<String> = BTreeSet::new();
    let mut agent_edits: BTreeMap<String, Fields> = BTreeMap::new();
    for (pair, agent, git, decision) in decisions {
        let task = TaskId::parse(&pair.task).map_err(crate::Error::from)?;
        let link = Link {
            agent_id: pair.agent.clone(),
            task: task.clone(),
        };
        match decision {
            Decision::Merge(m) => {
                let git = git.expect("both sides are there");
                let agent = agent.expect("both sides are there");
                let to_git = differing(&git, &m.git);
                if !to_git.is_empty() {
                    stage_fields(&mut tx, &task, &git, &m.git, &task_of, now)?;
                }
                // A task this sync created gets its edges here: it is
                // reported as created, not also as updated.
                let new_here = report.created.iter().any(|l| l.task == task);
                if !to_git.is_empty() && !new_here {
                    report.updated_tasks.push(Changed {
                        agent_id: pair.agent.clone(),
                        task: task.clone(),
                        fields: to_git,
                    });
                }
                if agent != m.agent {
                    agent_edits.insert(pair.agent.clone(), m.agent.clone());
                }
                report
                    .conflicts
                    .extend(m.conflicts.iter().map(|c| TaskConflict {
                        task: task.clone(),
                        conflict: c.clone(),
                    }));
                kept.push(Pair {
                    fields: m.base,
                    ..pair
                });
            }
            Decision::CancelInGit => {
                // A completed task stays completed: the agent clearing
                // done work out of its list does not undo the work.
                if git.is_some_and(|g| {
                    matches!(g.status, AgentStatus::Pending | AgentStatus::InProgress)
                }) {
                    crate::change::cancel(&mut tx, &task, now)?;
                    report.cancelled.push(link.clone());
                }
                gone.insert(pair.agent.clone());
                report.unlinked.push(link);
            }
            Decision::RemoveFromAgent => {
                report.removed_files.push(link.clone());
                gone.insert(pair.agent.clone());
                report.unlinked.push(link);
            }
            Decision::Forget => {
                gone.insert(pair.agent.clone());
                report.unlinked.push(link);
            }
            Decision::Conflict(c) => {
                report.conflicts.push(TaskConflict { task, conflict: *c });
                kept.push(pair);
            }
        }
    }

    apply_to_files(&mut files, &agent_edits, &agent_now, &gone);
    for pair in &mut kept {
        if let Some(f) = &mut pair.fields {
            f.blocked_by.retain(|id| !gone.contains(id));
        }
    }
    let mut writes: Vec<&AgentTask> = Vec::new();
    for (id, file) in &files {
        let unchanged = read_files
            .get(id)
            .is_some_and(|old| file_changes(old, file).is_empty());
        if unchanged {
            continue;
        }
        if !new_files.contains(id)
            && let Some(task) = task_of.get(id)
        {
            report.updated_files.push(Changed {
                agent_id: id.clone(),
                task: task.clone(),
                fields: file_changes(&read_files[id], file),
            });
        }
        writes.push(file);
    }
    let removals: Vec<&String> = gone
        .iter()
        .filter(|id| read_files.contains_key(*id))
        .collect();
    let new_base = Base {
        version: 1,
        dir: dir.clone(),
        pairs: kept,
    };
    if options.dry_run {
        return Ok(report);
    }
    write_out(tx, &dir, &writes, &removals, &read_files)?;
    new_base
        .write(&base_file)
        .map_err(|e| crate::Error::io(&base_file, e))?;
    Ok(report)
}

/// The agent's files after a sync: each merged pair's fields (`edits`),
/// its edges changed at both ends (`blockedBy` of the task that waits,
/// `blocks` of the one it waits for) as the agent links two tasks; a task
/// `gone` is taken out of every other's edges, as the agent deletes one.
/// `was` is the agent's side as read.
fn apply_to_files(
    files: &mut BTreeMap<String, AgentTask>,
    edits: &BTreeMap<String, Fields>,
    was: &BTreeMap<String, Fields>,
    gone: &BTreeSet<String>,
) {
    for (agent_id, fields) in edits {
        let Some(file) = files.get_mut(agent_id) else {
            continue;
        };
        set_fields(file, fields);
        let old_edges = was
            .get(agent_id)
            .map(|w| w.blocked_by.clone())
            .unwrap_or_default();
        for removed in old_edges.difference(&fields.blocked_by) {
            remove_edge(files, removed, agent_id);
        }
        for added in fields.blocked_by.difference(&old_edges) {
            add_edge(files, added, agent_id);
        }
    }
    for removed in gone {
        if files.remove(removed).is_some() {
            for file in files.values_mut() {
                file.blocks.retain(|id| id != removed);
                file.blocked_by.retain(|id| id != removed);
            }
        }
    }
}

/// Writes both sides: git-task's transaction, then the agent's files. The
/// agent may be at work meanwhile: its lock on the list is held from
/// before git-task's side is written until its files are, and a file it
/// changed since it was read is not overwritten (nothing is written then).
fn write_out(
    tx: Transaction,
    dir: &Path,
    writes: &[&AgentTask],
    removals: &[&String],
    read_files: &BTreeMap<String, AgentTask>,
) -> Result<(), SyncError> {
    let agent_error = |path: &Path| {
        let path = path.to_owned();
        move |source| SyncError::Agent { path, source }
    };
    let touches_agent = !writes.is_empty() || !removals.is_empty();
    let lock = if touches_agent {
        Some(agent::ListLock::acquire(dir).map_err(agent_error(dir))?)
    } else {
        None
    };
    let read = |path: &Path| fs::read_to_string(path).ok();
    let changed = writes
        .iter()
        .map(|f| {
            (
                f.file.clone(),
                read_files.get(&f.id).map(|r| r.text.clone()),
            )
        })
        .chain(removals.iter().map(|id| {
            let file = &read_files[*id];
            (file.file.clone(), Some(file.text.clone()))
        }))
        .find(|(path, text)| read(path) != *text);
    if let Some((path, _)) = changed {
        return Err(SyncError::Raced { path });
    }
    tx.commit()?;
    for file in writes {
        agent::write(file).map_err(agent_error(&file.file))?;
    }
    for id in removals {
        agent::remove(dir, id).map_err(agent_error(&agent::file_of(dir, id)))?;
    }
    drop(lock);
    Ok(())
}

/// The agent's names of what differs between two readings of a task
/// file (`blocks` and `blockedBy` are both `blocked_by`).
fn file_changes(a: &AgentTask, b: &AgentTask) -> Vec<&'static str> {
    let mut out = Vec::new();
    if a.subject != b.subject {
        out.push(SUBJECT);
    }
    if a.description != b.description {
        out.push(DESCRIPTION);
    }
    if a.status != b.status {
        out.push(STATUS);
    }
    if a.owner != b.owner {
        out.push(OWNER);
    }
    if a.blocks != b.blocks || a.blocked_by != b.blocked_by {
        out.push("blocked_by");
    }
    if a.active_form != b.active_form {
        out.push(ACTIVE_FORM);
    }
    if a.metadata != b.metadata {
        out.push("metadata");
    }
    out
}

/// Sets the values of `fields` on an agent's task, but its edges (which
/// [`add_edge`] and [`remove_edge`] change at both ends). `metadata`
/// keeps its keys in their order, and a value git-task holds as the file
/// does (the file's `null`s, which git-task has no place for) as it is.
fn set_fields(file: &mut AgentTask, fields: &Fields) {
    file.subject = fields.subject.clone();
    file.description = fields.description.clone();
    file.status = fields.status;
    file.owner = fields.owner.clone();
    file.active_form = fields.active_form.clone();
    let old = file.metadata.clone().unwrap_or_default();
    let as_git = |v: &Value| {
        let (meta, _) = agent::meta_of(None, Some(&Map::from_iter([("v".to_owned(), v.clone())])));
        agent::from_meta(&meta).1.and_then(|m| m.get("v").cloned())
    };
    let mut new = Map::new();
    for (key, value) in &old {
        match fields.metadata.get(key) {
            Some(v) if as_git(value).as_ref() == Some(v) => {
                new.insert(key.clone(), value.clone());
            }
            Some(v) => {
                new.insert(key.clone(), v.clone());
            }
            // A key git-task cannot hold (a `null`) stays.
            None if as_git(value).is_none() => {
                new.insert(key.clone(), value.clone());
            }
            None => {}
        }
    }
    for (key, value) in &fields.metadata {
        if !new.contains_key(key) {
            new.insert(key.clone(), value.clone());
        }
    }
    file.metadata = match (&file.metadata, new.is_empty()) {
        (None, true) => None,
        _ => Some(new),
    };
}

/// `waiter` waits for `blocker`: in `waiter`'s `blockedBy` and in
/// `blocker`'s `blocks`.
fn add_edge(files: &mut BTreeMap<String, AgentTask>, blocker: &str, waiter: &str) {
    if let Some(w) = files.get_mut(waiter)
        && !w.blocked_by.iter().any(|b| b == blocker)
    {
        w.blocked_by.push(blocker.to_owned());
    }
    if let Some(b) = files.get_mut(blocker)
        && !b.blocks.iter().any(|w| w == waiter)
    {
        b.blocks.push(waiter.to_owned());
    }
}

/// `waiter` no longer waits for `blocker`, said at either end.
fn remove_edge(files: &mut BTreeMap<String, AgentTask>, blocker: &str, waiter: &str) {
    if let Some(w) = files.get_mut(waiter) {
        w.blocked_by.retain(|b| b != blocker);
    }
    if let Some(b) = files.get_mut(blocker) {
        b.blocks.retain(|w| w != waiter);
    }
}

/// Stages the change of git-task's task `id` from `was` to `new` (both in
/// the agent's terms), field by field: only what changed is written, an
/// edge to a task not linked stays, and a change of status records its
/// times as `start`, `done` and `cancel` do.
fn stage_fields(
    tx: &mut Transaction,
    id: &TaskId,
    was: &Fields,
    new: &Fields,
    task_of: &BTreeMap<String, TaskId>,
    now: DateTime<Utc>,
) -> crate::Result<()> {
    let task = tx.tasks().get(id.as_str()).expect("a linked task").clone();
    let mut doc = tx.document(id)?;
    if was.subject != new.subject {
        doc.set_str(Field::Subject, &new.subject);
    }
    if was.description != new.description {
        if new.description.is_empty() {
            doc.remove(Field::Description);
        } else {
            doc.set_str(Field::Description, &new.description);
        }
    }
    if was.owner != new.owner {
        match &new.owner {
            Some(owner) => doc.set_str(Field::Owner, owner),
            None => doc.remove(Field::Owner),
        }
    }
    if was.status != new.status {
        let status = new.status.to_status();
        doc.set_str(Field::Status, status.as_str());
        crate::change::set_times(&mut doc, &task, status, new.owner.as_deref(), now);
    }
    for removed in was.blocked_by.difference(&new.blocked_by) {
        if let Some(t) = task_of.get(removed) {
            doc.remove_from_array(Field::BlockedBy, t.as_str());
        }
    }
    for added in new.blocked_by.difference(&was.blocked_by) {
        if let Some(t) = task_of.get(added) {
            doc.add_to_array(Field::BlockedBy, t.as_str());
        }
    }
    if was.active_form != new.active_form || was.metadata != new.metadata {
        let metadata: Map<String, Value> = new.metadata.clone().into_iter().collect();
        let metadata = (!metadata.is_empty()).then_some(metadata);
        let (meta, _) = agent::meta_of(new.active_form.as_deref(), metadata.as_ref());
        match meta.get(agent::META_TABLE) {
            Some(value) => doc.set_meta(agent::META_TABLE, edit_value(value)),
            None => doc.remove_meta(agent::META_TABLE),
        }
    }
    tx.stage(id, doc)?;
    Ok(())
}

/// A TOML value as `toml_edit` writes it (tables inline).
fn edit_value(value: &toml::Value) -> toml_edit::Value {
    match value {
        toml::Value::String(s) => s.as_str().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => (*f).into(),
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d
            .to_string()
            .parse::<toml_edit::Datetime>()
            .map_or_else(|_| d.to_string().into(), Into::into),
        toml::Value::Array(items) => items
            .iter()
            .map(edit_value)
            .collect::<toml_edit::Array>()
            .into(),
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| (k.clone(), edit_value(v)))
            .collect::<toml_edit::InlineTable>()
            .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(subject: &str) -> Fields {
        Fields {
            subject: subject.into(),
            description: String::new(),
            status: AgentStatus::Pending,
            owner: None,
            blocked_by: BTreeSet::new(),
            active_form: None,
            metadata: BTreeMap::new(),
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_change_on_one_side_goes_to_the_other() {
        let base = fields("Write it");
        let mut agent = base.clone();
        agent.status = AgentStatus::InProgress;
        let mut git = base.clone();
        git.description = "In full".into();
        let m = merge("1", Some(&base), &agent, &git);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.agent, m.git);
        assert_eq!(m.agent.status, AgentStatus::InProgress);
        assert_eq!(m.agent.description, "In full");
        assert_eq!(m.base.as_ref(), Some(&m.agent));
    }

    #[test]
    fn the_same_field_changed_differently_is_a_conflict_and_keeps_both() {
        let base = fields("Write it");
        let mut agent = base.clone();
        agent.subject = "Write it now".into();
        agent.owner = Some("bot".into());
        let mut git = base.clone();
        git.subject = "Write it later".into();
        git.owner = Some("bot".into());
        let m = merge("1", Some(&base), &agent, &git);
        assert_eq!(
            m.conflicts,
            [Conflict {
                agent_id: "1".into(),
                field: "subject".into(),
                base: "Write it".into(),
                agent: "Write it now".into(),
                git: "Write it later".into(),
            }]
        );
        assert_eq!(m.agent.subject, "Write it now");
        assert_eq!(m.git.subject, "Write it later");
        let kept = m.base.unwrap();
        assert_eq!(kept.subject, "Write it", "the base keeps its value");
        assert_eq!(kept.owner.as_deref(), Some("bot"), "the same change merges");
    }

    #[test]
    fn edges_merge_as_sets() {
        let base = set(&["1", "2", "3"]);
        let agent = set(&["1", "2", "4"]); // removed 3, added 4
        let git = set(&["2", "3", "5"]); // removed 1, added 5
        assert_eq!(merge_set(Some(&base), &agent, &git), set(&["2", "4", "5"]));
        assert_eq!(
            merge_set(None, &agent, &git),
            set(&["1", "2", "3", "4", "5"])
        );
        let mut b = fields("x");
        b.blocked_by = base;
        let mut a = b.clone();
        a.blocked_by = agent;
        let mut g = b.clone();
        g.blocked_by = git;
        let m = merge("9", Some(&b), &a, &g);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.agent.blocked_by, set(&["2", "4", "5"]));
    }

    #[test]
    fn metadata_merges_key_by_key() {
        let mut base = fields("x");
        base.metadata.insert("a".into(), 1.into());
        base.metadata.insert("b".into(), 1.into());
        let mut agent = base.clone();
        agent.metadata.insert("a".into(), 2.into());
        agent.metadata.insert("c".into(), "new".into());
        let mut git = base.clone();
        git.metadata.remove("b");
        git.metadata.insert("c".into(), "other".into());
        let m = merge("1", Some(&base), &agent, &git);
        assert_eq!(m.agent.metadata["a"], Value::from(2));
        assert!(!m.agent.metadata.contains_key("b"));
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(m.conflicts[0].field, "metadata.c");
        assert_eq!(m.conflicts[0].base, Value::Null);
        assert_eq!(m.agent.metadata["c"], Value::from("new"));
        assert_eq!(m.git.metadata["c"], Value::from("other"));
    }

    #[test]
    fn never_synced_pairs_conflict_on_every_difference() {
        let agent = fields("One");
        let mut git = fields("Two");
        git.metadata.insert("k".into(), true.into());
        let m = merge("1", None, &agent, &git);
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(
            m.agent.metadata["k"],
            Value::Bool(true),
            "a key of one side is added"
        );
        assert_eq!(m.base, None);
        let m = merge("1", None, &agent, &agent.clone());
        assert_eq!(m.base, Some(agent));
    }

    #[test]
    fn deletion_follows_an_unchanged_side_and_conflicts_with_a_changed_one() {
        let base = fields("Write it");
        let mut changed = base.clone();
        changed.description = "more".into();
        let mut deleted = base.clone();
        deleted.status = AgentStatus::Deleted;

        assert_eq!(
            decide("1", Some(&base), None, Some(&base)),
            Decision::CancelInGit
        );
        assert_eq!(
            decide("1", Some(&base), Some(&base), None),
            Decision::RemoveFromAgent
        );
        assert_eq!(decide("1", Some(&base), None, None), Decision::Forget);
        assert!(matches!(
            decide("1", Some(&base), None, Some(&changed)),
            Decision::Conflict(ref c) if c.field == "deleted"
        ));
        assert!(matches!(
            decide("1", Some(&base), Some(&changed), None),
            Decision::Conflict(_)
        ));
        // Cancelled in git-task, unchanged in the agent: the file goes.
        assert_eq!(
            decide("1", Some(&base), Some(&base), Some(&deleted)),
            Decision::RemoveFromAgent
        );
        // Deleted in the agent (file kept), unchanged in git-task: cancelled.
        let Decision::Merge(m) = decide("1", Some(&base), Some(&deleted), Some(&base)) else {
            panic!("a merge");
        };
        assert_eq!(m.git.status, AgentStatus::Deleted);
        // Deleted on one side, changed on the other.
        assert!(matches!(
            decide("1", Some(&base), Some(&deleted), Some(&changed)),
            Decision::Conflict(_)
        ));
        assert!(matches!(
            decide("1", Some(&base), Some(&changed), Some(&deleted)),
            Decision::Conflict(_)
        ));
        // Deleted on both: one merge.
        assert!(matches!(
            decide("1", Some(&base), Some(&deleted), Some(&deleted)),
            Decision::Merge(ref m) if m.conflicts.is_empty()
        ));
        // A file gone while git-task cancelled it: nothing to keep.
        assert_eq!(
            decide("1", Some(&base), None, Some(&deleted)),
            Decision::CancelInGit
        );
    }

    #[test]
    fn metadata_written_back_keeps_its_order_and_what_git_task_cannot_hold() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = AgentTask::new(dir.path(), "1", "x");
        file.metadata = Some(
            serde_json::from_str(r#"{"z": 1, "gone": null, "a": [1, null], "m": "keep"}"#).unwrap(),
        );
        let mut fields = agent_side(std::slice::from_ref(&file))["1"].clone();
        assert_eq!(
            fields.metadata["a"],
            serde_json::json!([1]),
            "as git-task holds it"
        );
        fields.metadata.insert("z".into(), 2.into());
        fields.metadata.insert("new".into(), true.into());
        fields.metadata.remove("m");
        set_fields(&mut file, &fields);
        let text = serde_json::to_string(&file.metadata).unwrap();
        assert_eq!(text, r#"{"z":2,"gone":null,"a":[1,null],"new":true}"#);
    }

    #[test]
    fn the_base_round_trips_and_is_written_only_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = base_path(dir.path(), Path::new("/some/agent/dir"));
        assert!(path.starts_with(dir.path().join("git-task/sync")));
        assert_ne!(path, base_path(dir.path(), Path::new("/other/dir")));
        let mut base = Base::empty(Path::new("/some/agent/dir"));
        let mut f = fields("Write it");
        f.blocked_by = set(&["2"]);
        f.metadata.insert("k".into(), Value::from(1));
        base.pairs.push(Pair {
            agent: "10".into(),
            task: "agent-10".into(),
            fields: Some(f),
        });
        base.pairs.push(Pair {
            agent: "9".into(),
            task: "agent-9".into(),
            fields: None,
        });
        assert!(base.write(&path).unwrap());
        assert!(!base.write(&path).unwrap());
        assert!(
            Base::read(&path, Path::new("/x")).is_err(),
            "another directory's"
        );
        let back = Base::read(&path, Path::new("/some/agent/dir")).unwrap();
        assert_eq!(back.pairs[0].agent, "9", "pairs are kept in id order");
        assert_eq!(back.pairs.len(), 2);
        assert_eq!(back.pairs[1], base.pairs[0]);
        let none = Base::read(&dir.path().join("none.json"), Path::new("/x")).unwrap();
        assert!(none.pairs.is_empty());
        fs::write(&path, "{").unwrap();
        assert!(Base::read(&path, Path::new("/some/agent/dir")).is_err());
    }
}
