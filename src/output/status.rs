//! `status`: the dashboard as JSON.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

use super::{Brief, Named, Version};
use crate::dashboard::{Dashboard, Progress};
use crate::facts::Facts;
use crate::gate::{GateHold, GateState};
use crate::id::TaskId;

/// Tasks by status, and how many are ready, blocked and overdue.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CountsObject {
    /// Every task, whatever its status.
    pub total: usize,
    pub pending: usize,
    /// Pending tasks that wait for nothing unresolved.
    pub ready: usize,
    /// Unresolved tasks that wait for something unresolved.
    pub blocked: usize,
    pub in_progress: usize,
    pub completed: usize,
    pub cancelled: usize,
    /// Unresolved tasks due before today.
    pub overdue: usize,
}

/// Work done of work counted, in minutes.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProgressObject {
    pub done_minutes: u64,
    pub total_minutes: u64,
    /// Rounded down; null when there is no work to count.
    pub percent: Option<u64>,
}

impl From<Progress> for ProgressObject {
    fn from(p: Progress) -> ProgressObject {
        ProgressObject {
            done_minutes: p.done,
            total_minutes: p.total,
            percent: p.percent(),
        }
    }
}

/// An epic's progress: it and everything below it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EpicProgress<'a> {
    #[serde(flatten)]
    pub progress: ProgressObject,
    /// The task's id, subject and status.
    #[serde(flatten)]
    pub task: Brief<'a>,
}

/// The overall progress and each epic's.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProgressReport<'a> {
    pub overall: ProgressObject,
    pub epics: Vec<EpicProgress<'a>>,
}

/// A task in progress and who has it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct InProgress<'a> {
    /// The task's id and subject.
    #[serde(flatten)]
    pub task: Named<'a>,
    pub owner: Option<&'a str>,
}

/// An overdue task and the day it was due.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Overdue<'a> {
    /// The task's id and subject.
    #[serde(flatten)]
    pub task: Named<'a>,
    pub due: Option<NaiveDate>,
}

/// A gate and its state.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GateSummary<'a> {
    /// The task's id and subject.
    #[serde(flatten)]
    pub task: Named<'a>,
    pub state: GateState,
    /// Why it is red, or what was waived, in words.
    pub reasons: &'a [String],
    /// The same as data.
    pub holds: &'a [GateHold],
}

/// The document of `status`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct StatusReport<'a> {
    pub version: Version,
    pub counts: CountsObject,
    pub progress: ProgressReport<'a>,
    pub in_progress: Vec<InProgress<'a>>,
    pub overdue: Vec<Overdue<'a>>,
    /// What can start now, most urgent first.
    pub ready: Vec<&'a TaskId>,
    /// What is held back, most urgent first.
    pub blocked: Vec<&'a TaskId>,
    /// Every gate, in pipeline order.
    pub gates: Vec<GateSummary<'a>>,
    /// The live claims of unresolved tasks: who holds what until when.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<super::ClaimObject<'a>>,
}

impl<'a> StatusReport<'a> {
    /// The dashboard `d` of the tasks of `facts`.
    pub fn new(facts: &Facts<'a>, d: &'a Dashboard) -> StatusReport<'a> {
        let task = |i: usize| facts.task(i);
        let ids = |list: &[usize]| list.iter().map(|&i| &task(i).id).collect();
        StatusReport {
            version: Version,
            counts: CountsObject {
                total: d.counts.total(),
                pending: d.counts.pending,
                ready: d.ready.len(),
                blocked: d.blocked.len(),
                in_progress: d.counts.in_progress,
                completed: d.counts.completed,
                cancelled: d.counts.cancelled,
                overdue: d.overdue.len(),
            },
            progress: ProgressReport {
                overall: d.overall.into(),
                epics: d
                    .epics
                    .iter()
                    .map(|&(i, p)| EpicProgress {
                        progress: p.into(),
                        task: Brief::new(task(i)),
                    })
                    .collect(),
            },
            in_progress: d
                .in_progress
                .iter()
                .map(|&i| InProgress {
                    task: Named::new(task(i)),
                    owner: task(i).owner.as_deref(),
                })
                .collect(),
            overdue: d
                .overdue
                .iter()
                .map(|&i| Overdue {
                    task: Named::new(task(i)),
                    due: task(i).due,
                })
                .collect(),
            ready: ids(&d.ready),
            blocked: ids(&d.blocked),
            gates: d
                .gates
                .iter()
                .map(|(i, g)| GateSummary {
                    task: Named::new(task(*i)),
                    state: g.state,
                    reasons: &g.reasons,
                    holds: &g.holds,
                })
                .collect(),
            claims: Vec::new(),
        }
    }
}
