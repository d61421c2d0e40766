//! `log` as JSON.

use schemars::JsonSchema;
use serde::Serialize;

use super::Version;
use crate::history::Change;
use crate::id::TaskId;
use crate::log::{Entry, TaskLog};
use crate::task::{Status, format_timestamp};

/// One commit that changed the task's file.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CommitObject<'a> {
    pub commit: String,
    /// Abbreviated as git abbreviates.
    pub short: &'a str,
    pub author: &'a str,
    pub email: &'a str,
    /// When the change was authored, RFC 3339 in UTC.
    pub date: String,
    /// The commit message's subject line.
    pub subject: &'a str,
    /// The file appeared in this commit.
    pub created: bool,
    /// The file disappeared in this commit.
    pub removed: bool,
    /// The task's subject after the commit.
    pub task_subject: Option<&'a str>,
    /// The task's status after the commit.
    pub task_status: Option<Status>,
    pub changes: &'a [Change],
    /// Why the file as this commit left it is not a valid task, in words.
    pub parse_error: Option<String>,
    /// The file did not parse before this commit and does after it.
    pub parses_again: bool,
    /// Where a shallow clone's history stops.
    pub boundary: bool,
}

impl<'a> CommitObject<'a> {
    /// One entry of a task's history, as `log --json` has it and as the
    /// board shows the recent history of each task ([`crate::log::recent`]).
    pub fn new(e: &'a Entry) -> CommitObject<'a> {
        CommitObject {
            commit: e.commit.to_string(),
            short: &e.short,
            author: &e.author,
            email: &e.email,
            date: format_timestamp(e.date),
            subject: &e.subject,
            created: e.created,
            removed: e.removed,
            task_subject: e.task_subject.as_deref(),
            task_status: e.task_status,
            changes: &e.changes,
            parse_error: e.problem.as_ref().map(|p| p.to_string()),
            parses_again: e.parses_again,
            boundary: e.boundary,
        }
    }
}

/// The document of `log`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LogReport<'a> {
    pub version: Version,
    pub id: &'a TaskId,
    /// Newest first.
    pub commits: Vec<CommitObject<'a>>,
    /// The history stops at a shallow clone's boundary.
    pub truncated: bool,
    pub shallow_boundary: Vec<String>,
}

impl<'a> LogReport<'a> {
    /// A task's history, newest first.
    pub fn new(history: &'a TaskLog) -> LogReport<'a> {
        LogReport {
            version: Version,
            id: &history.id,
            commits: history.commits.iter().map(CommitObject::new).collect(),
            truncated: !history.shallow_boundary.is_empty(),
            shallow_boundary: history
                .shallow_boundary
                .iter()
                .map(|b| b.commit.to_string())
                .collect(),
        }
    }
}
