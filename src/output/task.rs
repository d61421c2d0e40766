//! The task object and the documents built around it.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::{True, Version};
use crate::facts::Facts;
use crate::field::Field;
use crate::gate::{GateHold, GateReport, GateState};
use crate::graph::{Reason, Target, Wait};
use crate::id::TaskId;
use crate::task::{Criterion, Gate, Kind, Note, Priority, Status, Task, Waiver, toml_to_json};

/// A task's fields as JSON: what the file says, defaults filled in.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskFields<'a> {
    /// The full id: the file's name without `.toml`.
    pub id: &'a TaskId,
    /// What is to be done, in one line.
    pub subject: &'a str,
    pub status: Status,
    pub kind: Kind,
    pub priority: Priority,
    /// The task this one is part of.
    pub parent: Option<&'a TaskId>,
    /// As written, missing ids included.
    pub blocked_by: &'a [TaskId],
    /// Null for a task that is not a gate.
    pub gate: Option<GateField<'a>>,
    /// Who holds the task.
    pub owner: Option<&'a str>,
    /// The estimate as written (`4h`, `2d`).
    pub estimate: Option<&'a str>,
    /// The estimate in work minutes, a day being 480.
    pub estimate_minutes: Option<u64>,
    /// The day it is due.
    pub due: Option<NaiveDate>,
    pub labels: &'a [String],
    /// The command `done` runs first.
    pub verify: Option<&'a str>,
    /// When it was added, RFC 3339 in UTC.
    pub created: Option<DateTime<Utc>>,
    /// When the current stretch of work began.
    pub started: Option<DateTime<Utc>>,
    /// When it was completed or cancelled.
    pub closed: Option<DateTime<Utc>>,
    /// The plan and key that made it (`name/key`), for a task `apply` made.
    pub plan_key: Option<String>,
    /// The tracker and id an import brought it from (`tracker:id`).
    pub origin: Option<String>,
    /// What to do, in detail.
    pub description: Option<&'a str>,
    /// Numbered from 1 in this order.
    pub criteria: &'a [Criterion],
    /// Who let the gate pass without it being done, and why.
    pub waiver: Option<&'a Waiver>,
    /// The execution log, oldest first.
    pub notes: &'a [Note],
    /// The `[meta]` table, dates and times as their TOML text.
    pub meta: serde_json::Map<String, serde_json::Value>,
}

/// `gate` in JSON: `true` for a gate of the configured branches, else the
/// branches it protects.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum GateField<'a> {
    Configured(True),
    Branches { branches: &'a [String] },
}

impl<'a> TaskFields<'a> {
    /// The fields of `task`.
    pub fn new(task: &'a Task) -> TaskFields<'a> {
        let meta = match toml_to_json(&toml::Value::Table(task.meta.clone())) {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        TaskFields {
            id: &task.id,
            subject: &task.subject,
            status: task.status,
            kind: task.kind,
            priority: task.priority,
            parent: task.parent.as_ref(),
            blocked_by: &task.blocked_by,
            gate: task.gate.as_ref().map(|g| match g {
                Gate::ConfiguredBranches => GateField::Configured(True),
                Gate::Branches(b) => GateField::Branches { branches: b },
            }),
            owner: task.owner.as_deref(),
            estimate: task.estimate.as_ref().map(|e| e.as_str()),
            estimate_minutes: task.estimate.as_ref().map(|e| e.minutes()),
            due: task.due,
            labels: &task.labels,
            verify: task.verify.as_deref(),
            created: task.created,
            started: task.started,
            closed: task.closed,
            plan_key: task.plan_key.as_ref().map(|k| k.to_string()),
            origin: task.origin.as_ref().map(|o| o.to_string()),
            description: task.description.as_deref(),
            criteria: &task.criteria,
            waiver: task.waiver.as_ref(),
            notes: &task.notes,
            meta,
        }
    }
}

/// A task with what the graph says about it: the object of `show`, `list`
/// and every command that changes one task.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskObject<'a> {
    #[serde(flatten)]
    pub fields: TaskFields<'a>,
    /// The shortest unique prefix (at least 4 characters, or the whole id).
    pub short_id: &'a str,
    /// Something it waits for is unresolved.
    pub blocked: bool,
    /// Pending and not blocked.
    pub ready: bool,
    /// Unresolved and due before today, in the local zone; left out when
    /// the answer is not dated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// Every unresolved thing it waits for.
    pub waiting_for: Vec<WaitObject<'a>>,
}

impl<'a> TaskObject<'a> {
    /// Task `i` of `facts`.
    pub fn new(facts: &Facts<'a>, i: usize) -> TaskObject<'a> {
        TaskObject {
            fields: TaskFields::new(facts.task(i)),
            short_id: facts.short_id(i),
            blocked: facts.is_blocked(i),
            ready: facts.is_ready(i),
            overdue: facts.is_dated().then(|| facts.overdue(i)),
            waiting_for: facts
                .waiting_for(i)
                .map(|w| WaitObject::new(facts, &w))
                .collect(),
        }
    }
}

/// Why a task waits for another.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitReason {
    /// Its own `blocked_by` names it.
    Blocker,
    /// An ancestor's `blocked_by` names it (the ancestor is `via`).
    Inherited,
    /// It is one of the task's children.
    Child,
}

/// One unresolved thing a task waits for.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WaitObject<'a> {
    pub id: Cow<'a, str>,
    /// Null for an id that names no task.
    pub subject: Option<&'a str>,
    pub status: Option<Status>,
    /// The id names no task.
    pub missing: bool,
    pub reason: WaitReason,
    /// The ancestor whose `blocked_by` it is, for an inherited wait.
    pub via: Option<&'a TaskId>,
}

impl<'a> WaitObject<'a> {
    /// One wait of a task of `facts`.
    pub fn new(facts: &Facts<'a>, wait: &Wait) -> WaitObject<'a> {
        let (id, subject, status, missing) = match &wait.target {
            Target::Task(j) => {
                let t = facts.task(*j);
                (
                    Cow::Borrowed(t.id.as_str()),
                    Some(t.subject.as_str()),
                    Some(t.status),
                    false,
                )
            }
            Target::Missing(id) => (Cow::Owned(id.to_string()), None, None, true),
        };
        let (reason, via) = match wait.reason {
            Reason::Blocker => (WaitReason::Blocker, None),
            Reason::Inherited { ancestor } => {
                (WaitReason::Inherited, Some(&facts.task(ancestor).id))
            }
            Reason::Child => (WaitReason::Child, None),
        };
        WaitObject {
            id,
            subject,
            status,
            missing,
            reason,
            via,
        }
    }
}

/// A task named with its subject and status.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Brief<'a> {
    pub id: &'a TaskId,
    pub subject: &'a str,
    pub status: Status,
}

impl<'a> Brief<'a> {
    /// `task`'s id, subject and status.
    pub fn new(task: &'a Task) -> Brief<'a> {
        Brief {
            id: &task.id,
            subject: &task.subject,
            status: task.status,
        }
    }
}

/// A task named with its subject.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Named<'a> {
    pub id: &'a TaskId,
    pub subject: &'a str,
}

impl<'a> Named<'a> {
    /// `task`'s id and subject.
    pub fn new(task: &'a Task) -> Named<'a> {
        Named {
            id: &task.id,
            subject: &task.subject,
        }
    }
}

/// One task: what a command that changes a task prints.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskAnswer<'a> {
    pub version: Version,
    pub task: TaskObject<'a>,
}

impl<'a> TaskAnswer<'a> {
    /// Task `i` of `facts`.
    pub fn new(facts: &Facts<'a>, i: usize) -> TaskAnswer<'a> {
        TaskAnswer {
            version: Version,
            task: TaskObject::new(facts, i),
        }
    }
}

/// A listing: `list`, `ready`, `blocked`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TaskList<'a> {
    pub version: Version,
    pub tasks: Vec<TaskObject<'a>>,
    /// `ready`: the ready tasks left out because someone holds a live
    /// claim on them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claimed: Vec<super::ClaimObject<'a>>,
}

impl<'a> TaskList<'a> {
    /// The tasks of `facts` at `indices`, in that order.
    pub fn new(facts: &Facts<'a>, indices: &[usize]) -> TaskList<'a> {
        TaskList {
            version: Version,
            tasks: indices.iter().map(|&i| TaskObject::new(facts, i)).collect(),
            claimed: Vec::new(),
        }
    }
}

/// The state of a gate as `show` gives it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GateStateObject<'a> {
    pub state: GateState,
    /// Why it is red, or what was waived, in words.
    pub reasons: &'a [String],
    /// The same as data.
    pub holds: &'a [GateHold],
    /// The branches it protects.
    pub branches: &'a [String],
    /// The current branch, or null on a detached HEAD.
    pub branch: Option<&'a str>,
    /// Whether it protects the current branch.
    pub protects_branch: bool,
}

/// What `show` knows of a gate beside the task: its report and branches.
#[derive(Debug)]
pub struct GateContext<'a> {
    pub report: &'a GateReport,
    pub branches: &'a [String],
    pub current: Option<&'a str>,
    pub protects_current: bool,
}

/// `show`: the task object with its children, gate state and file.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ShownTask<'a> {
    #[serde(flatten)]
    pub task: TaskObject<'a>,
    pub children: Vec<Brief<'a>>,
    /// Null for a task that is not a gate.
    pub gate_state: Option<GateStateObject<'a>>,
    /// The task's file, relative to the repository's root.
    pub path: String,
}

/// The document of `show`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Shown<'a> {
    pub version: Version,
    pub task: ShownTask<'a>,
}

impl<'a> Shown<'a> {
    /// Task `i` of `facts` with its `children`, its gate (when it is one)
    /// and its file.
    pub fn new(
        facts: &Facts<'a>,
        i: usize,
        children: &[usize],
        gate: Option<GateContext<'a>>,
        path: &std::path::Path,
    ) -> Shown<'a> {
        Shown {
            version: Version,
            task: ShownTask {
                task: TaskObject::new(facts, i),
                children: children
                    .iter()
                    .map(|&c| Brief::new(facts.task(c)))
                    .collect(),
                gate_state: gate.map(|g| GateStateObject {
                    state: g.report.state,
                    reasons: &g.report.reasons,
                    holds: &g.report.holds,
                    branches: g.branches,
                    branch: g.current,
                    protects_branch: g.protects_current,
                }),
                path: super::path_text(path),
            },
        }
    }
}

/// `done`: the task and the tasks it made ready.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Done<'a> {
    pub version: Version,
    pub task: TaskObject<'a>,
    pub now_ready: Vec<Named<'a>>,
}

impl<'a> Done<'a> {
    /// Task `i` of `facts`, just completed, and the tasks that made ready.
    pub fn new(facts: &Facts<'a>, i: usize, now_ready: &[usize]) -> Done<'a> {
        Done {
            version: Version,
            task: TaskObject::new(facts, i),
            now_ready: now_ready
                .iter()
                .map(|&r| Named::new(facts.task(r)))
                .collect(),
        }
    }
}

/// A task whose references `rename` changed, with the fields changed.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Referrer<'a> {
    pub id: &'a TaskId,
    /// The keys whose ids it rewrote (`parent`, `blocked_by`).
    pub fields: &'a [Field],
}

/// `rename`: the old and new ids and files, the task, and who referred
/// to it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Renamed<'a> {
    pub version: Version,
    pub from: &'a TaskId,
    pub to: &'a TaskId,
    pub from_path: String,
    pub path: String,
    pub task: TaskObject<'a>,
    pub updated: Vec<Referrer<'a>>,
}

impl<'a> Renamed<'a> {
    /// Task `i` of `facts` under its new id, with its old id, both files
    /// (old, new) and the tasks whose references changed.
    pub fn new(
        facts: &Facts<'a>,
        i: usize,
        from: &'a TaskId,
        paths: (&std::path::Path, &std::path::Path),
        updated: &'a [(TaskId, Vec<Field>)],
    ) -> Renamed<'a> {
        Renamed {
            version: Version,
            from,
            to: &facts.task(i).id,
            from_path: super::path_text(paths.0),
            path: super::path_text(paths.1),
            task: TaskObject::new(facts, i),
            updated: updated
                .iter()
                .map(|(id, fields)| Referrer { id, fields })
                .collect(),
        }
    }
}

/// `rm`: the removed task's fields and the tasks whose references to it
/// were dropped.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Removed<'a> {
    pub version: Version,
    /// Null when the file could not be read.
    pub removed: Option<TaskFields<'a>>,
    pub cleaned: &'a [TaskId],
}

impl<'a> Removed<'a> {
    /// The removed task's fields (none when its file could not be read)
    /// and the tasks whose references to it were dropped.
    pub fn new(task: Option<&'a Task>, cleaned: &'a [TaskId]) -> Removed<'a> {
        Removed {
            version: Version,
            removed: task.map(TaskFields::new),
            cleaned,
        }
    }
}
