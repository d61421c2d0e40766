//! `diff` as JSON.

use schemars::JsonSchema;
use serde::Serialize;

use super::Version;
use super::{Brief, Named};
use crate::history::{Change, GateChange, TaskSetDiff};
use crate::id::TaskId;
use crate::task::Task;
use crate::taskset::TaskSet;

/// A task the change adds, with what shapes the graph.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AddedTask<'a> {
    /// The task's id, subject and status.
    #[serde(flatten)]
    pub task: Brief<'a>,
    pub blocked_by: &'a [TaskId],
    pub parent: Option<&'a TaskId>,
    pub estimate: Option<String>,
}

impl<'a> AddedTask<'a> {
    fn new(t: &'a Task) -> AddedTask<'a> {
        AddedTask {
            task: Brief::new(t),
            blocked_by: &t.blocked_by,
            parent: t.parent.as_ref(),
            estimate: t.estimate.as_ref().map(|e| e.to_string()),
        }
    }
}

/// A task in both sides that differs, change by change.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ChangedTask<'a> {
    /// The task on the new side.
    #[serde(flatten)]
    pub task: Named<'a>,
    pub changes: &'a [Change],
}

/// The two sides of a diff, as the user named them.
#[derive(Debug, Clone, Copy)]
pub struct Sides<'a> {
    pub from: &'a str,
    pub to: &'a str,
    /// `main...HEAD` for a merge-base range.
    pub range: Option<&'a str>,
}

/// The document of `diff --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DiffReport<'a> {
    pub version: Version,
    pub from: &'a str,
    pub to: &'a str,
    /// `main...HEAD` for a merge-base range, else null.
    pub range: Option<&'a str>,
    pub added: Vec<AddedTask<'a>>,
    pub removed: Vec<Brief<'a>>,
    pub changed: Vec<ChangedTask<'a>>,
    /// Gates whose state changed.
    pub gates: &'a [GateChange],
}

impl<'a> DiffReport<'a> {
    /// The diff of `old` and `new`, with the sides as the user named them.
    pub fn new(
        old: &'a TaskSet,
        new: &'a TaskSet,
        diff: &'a TaskSetDiff,
        sides: Sides<'a>,
    ) -> DiffReport<'a> {
        DiffReport {
            version: Version,
            from: sides.from,
            to: sides.to,
            range: sides.range,
            added: diff
                .added
                .iter()
                .map(|&j| AddedTask::new(&new.tasks()[j]))
                .collect(),
            removed: diff
                .removed
                .iter()
                .map(|&i| Brief::new(&old.tasks()[i]))
                .collect(),
            changed: diff
                .changed
                .iter()
                .map(|(_, j, changes)| {
                    let t = &new.tasks()[*j];
                    ChangedTask {
                        task: Named::new(t),
                        changes,
                    }
                })
                .collect(),
            gates: &diff.gates,
        }
    }
}
