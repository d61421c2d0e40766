//! `sync --with agent` as JSON.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Version, path_text};
use crate::bridge::sync::{Changed, Link, Report, TaskConflict};
use crate::id::TaskId;

/// An agent task and the git-task task it is linked with.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncLink<'a> {
    /// The agent's id of the task (its file is `<agent_id>.json`).
    pub agent_id: &'a str,
    /// git-task's id of the task.
    pub id: &'a TaskId,
}

/// A linked pair and the fields a sync changed on one side.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncChange<'a> {
    pub agent_id: &'a str,
    pub id: &'a TaskId,
    /// The fields changed, as the agent names them: subject,
    /// description, status, owner, blocked_by, activeForm, metadata.
    pub fields: &'a [&'static str],
}

/// A field changed differently on both sides since the last sync: neither
/// side was changed for it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncConflict<'a> {
    pub agent_id: &'a str,
    pub id: &'a TaskId,
    /// subject, description, status, owner, activeForm,
    /// `metadata.<key>`, or `deleted` (deleted on one side, changed on the
    /// other; the values are then the whole tasks, null for a side where
    /// it is gone).
    pub field: &'a str,
    /// The value as last synced; null when the pair was never synced.
    pub base: &'a serde_json::Value,
    /// The agent's value (null: absent).
    pub agent: &'a serde_json::Value,
    /// git-task's value (null: absent).
    pub git: &'a serde_json::Value,
}

/// A value of a new agent task with no place in git-task.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncDropped<'a> {
    pub agent_id: &'a str,
    /// The field as the agent spells it (`metadata.parent`, `blocks`).
    pub field: &'a str,
    pub value: &'a str,
}

/// The document of `sync`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SyncReport<'a> {
    pub version: Version,
    /// What the working tree is linked with: `agent`.
    pub with: &'static str,
    /// The agent's task-list directory, as a canonical path.
    pub dir: String,
    /// The file holding the state as last synced.
    pub base: String,
    /// Nothing was written: the lists say what a sync would do.
    pub dry_run: bool,
    /// Agent tasks new to git-task, created in .tasks/.
    pub created: Vec<SyncLink<'a>>,
    /// git-task tasks given to the agent as new tasks (--push).
    pub pushed: Vec<SyncLink<'a>>,
    /// git-task tasks changed to take the agent's changes.
    pub updated_tasks: Vec<SyncChange<'a>>,
    /// Agent files changed to take git-task's changes.
    pub updated_files: Vec<SyncChange<'a>>,
    /// Agent files removed: the task was removed or cancelled in git-task.
    pub removed_files: Vec<SyncLink<'a>>,
    /// git-task tasks cancelled: the agent removed the task's file.
    pub cancelled: Vec<SyncLink<'a>>,
    /// Pairs no longer linked: deleted on one side and followed, or gone
    /// on both.
    pub unlinked: Vec<SyncLink<'a>>,
    /// Agent tasks linked again, with no last synced state, to the tasks an
    /// earlier import made of them.
    pub relinked: Vec<SyncLink<'a>>,
    /// Fields changed differently on both sides; the exit code is 1 when
    /// there is any.
    pub conflicts: Vec<SyncConflict<'a>>,
    /// What of the new agent tasks had no place in git-task.
    pub dropped: Vec<SyncDropped<'a>>,
}

impl<'a> SyncReport<'a> {
    /// The document of `report`.
    pub fn of(report: &'a Report) -> SyncReport<'a> {
        let links = |links: &'a [Link]| -> Vec<SyncLink<'a>> {
            links
                .iter()
                .map(|l| SyncLink {
                    agent_id: &l.agent_id,
                    id: &l.task,
                })
                .collect()
        };
        let changes = |changes: &'a [Changed]| -> Vec<SyncChange<'a>> {
            changes
                .iter()
                .map(|c| SyncChange {
                    agent_id: &c.agent_id,
                    id: &c.task,
                    fields: &c.fields,
                })
                .collect()
        };
        let conflict = |c: &'a TaskConflict| SyncConflict {
            agent_id: &c.conflict.agent_id,
            id: &c.task,
            field: &c.conflict.field,
            base: &c.conflict.base,
            agent: &c.conflict.agent,
            git: &c.conflict.git,
        };
        SyncReport {
            version: Version,
            with: "agent",
            dir: path_text(&report.dir),
            base: path_text(&report.base),
            dry_run: report.dry_run,
            created: links(&report.created),
            pushed: links(&report.pushed),
            updated_tasks: changes(&report.updated_tasks),
            updated_files: changes(&report.updated_files),
            removed_files: links(&report.removed_files),
            cancelled: links(&report.cancelled),
            unlinked: links(&report.unlinked),
            relinked: links(&report.relinked),
            conflicts: report.conflicts.iter().map(conflict).collect(),
            dropped: report
                .dropped
                .iter()
                .map(|d| SyncDropped {
                    agent_id: &d.source_id,
                    field: &d.field,
                    value: &d.value,
                })
                .collect(),
        }
    }
}
