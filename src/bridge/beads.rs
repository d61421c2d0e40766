//! beads' `.beads/issues.jsonl`: one JSON issue per line, as `bd export`
//! writes it (the `Issue` struct of beads' `internal/types/types.go`, with
//! its labels, dependencies and comments inlined).
//!
//! What goes where:
//!
//! - `id` is the source id and the task id's hint (`bd-a1b2.1` becomes
//!   `bd-a1b2-1`); `title` the subject.
//! - `description`, then `design` and `notes` under headings of their own,
//!   make the description. `acceptance_criteria` becomes `[[criteria]]`
//!   when it is a list (one criterion per item, `- [x]` met) or one line;
//!   prose stays prose, under an "Acceptance criteria" heading, since
//!   cutting a paragraph into criteria would make criteria nobody wrote.
//! - `status`: `open` pending, `in_progress` in progress, `closed`
//!   completed. beads' other states have no twin in git-task and keep
//!   their name in `meta.beads_status`: `blocked`, `deferred` and `pinned`
//!   (and any custom status) are pending (blocking is what `blocked_by`
//!   says), `hooked` (claimed by a worker) in progress, `tombstone` (a
//!   deleted issue of beads before 0.50) cancelled.
//! - `priority` 0 critical, 1 high, 2 medium, 3 and 4 low; 4 ("backlog")
//!   keeps `meta.beads_priority = 4` so it stays apart from 3.
//! - `issue_type` `epic`, `story` and `task` are the kind; any other type
//!   (`bug`, `feature`, `chore`, ...) makes a task with the type as a label.
//! - `labels` labels, `assignee` owner, `estimated_minutes` the estimate,
//!   `due_at` the due date, `created_at`/`started_at`/`closed_at`
//!   created/started/closed, `comments` notes (with their author), and
//!   `close_reason` a note at the closing time.
//! - `dependencies` of type `blocks` are `blocked_by`, `parent-child` the
//!   parent; every other type (`related`, `discovered-from`, ...) is
//!   reported.
//! - Kept in `[meta]` under their own names: `owner` (as `beads_owner`,
//!   since git-task's `owner` is beads' `assignee`), `defer_until`,
//!   `external_ref`, `spec_id`, `source_system`, and `metadata` as a table.
//! - The counts beads derives (`dependency_count`, ...), the computed
//!   `parent` and the `_type` of an issue line are read without a word;
//!   the optional header line (`_schema`) is skipped. Memory lines
//!   (`"_type":"memory"`) are not tasks and are reported. Everything else
//!   (`updated_at`, compaction and messaging fields, unknown keys) is
//!   reported as dropped.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::{Map, Value};

use super::json_source::{self, Record, error, label, push_label, short, string, time, to_toml};
use super::{Batch, Dropped, Incoming, ReadOptions, SourceError};
use crate::task::{Criterion, Estimate, Kind, Note, Priority, Status};

/// An RFC 3339 timestamp, as Go writes `time.Time`, for [`json_source::time`].
const TIME: &str = "a timestamp (like 2026-04-18T16:19:12Z)";

/// Reads an `issues.jsonl` into a [`Batch`].
pub fn read(path: &Path, _options: &ReadOptions) -> Result<Batch, SourceError> {
    let text = json_source::read_text(path)?;
    let records = json_source::json_lines(path, &text)?;
    let mut batch = Batch::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in &records {
        let fields = &record.object;
        if fields.contains_key("_schema") {
            continue;
        }
        match fields.get("_type") {
            None | Some(Value::Null) => {}
            Some(Value::String(t)) if t == "issue" => {}
            Some(other) => {
                let key = fields.get("key").map(short).unwrap_or_default();
                batch.dropped.push(Dropped {
                    source_id: format!("{}:{key}", short(other)),
                    field: "_type".into(),
                    value: format!("{} (line {})", short(other), record.line),
                });
                continue;
            }
        }
        let task = issue(path, record, &mut batch.dropped)?;
        if let Some(first) = seen.insert(task.source_id.clone(), record.line) {
            return Err(error(
                path,
                record.line,
                0,
                format!(
                    "the id `{}` is on line {first} already; each issue must be there once",
                    task.source_id
                ),
            ));
        }
        batch.tasks.push(task);
    }
    Ok(batch)
}

/// Fields read without a report: derived by beads from the rest.
const DERIVED: &[&str] = &[
    "_type",
    "dependency_count",
    "dependent_count",
    "comment_count",
    "parent",
    "epic_total_children",
    "epic_closed_children",
    "epic_closeable",
];

/// Fields kept in `[meta]`, and the key each is kept under.
const KEPT: &[(&str, &str)] = &[
    ("owner", "beads_owner"),
    ("defer_until", "defer_until"),
    ("external_ref", "external_ref"),
    ("spec_id", "spec_id"),
    ("source_system", "source_system"),
    ("metadata", "metadata"),
];

/// Fields mapped to a field of the task.
const MAPPED: &[&str] = &[
    "id",
    "title",
    "description",
    "design",
    "acceptance_criteria",
    "notes",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "estimated_minutes",
    "created_at",
    "started_at",
    "closed_at",
    "close_reason",
    "due_at",
    "labels",
    "dependencies",
    "comments",
];

fn issue(
    path: &Path,
    record: &Record,
    dropped: &mut Vec<Dropped>,
) -> Result<Incoming, SourceError> {
    let line = record.line;
    let fields = &record.object;
    let fail = |message: String| error(path, line, 0, message);
    let id = match string(fields, "id", &fail)? {
        Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => return Err(fail("the issue has no `id`".into())),
    };
    let mut out = Incoming {
        source_id: id.clone(),
        id_hint: id.clone(),
        line,
        ..Incoming::default()
    };
    let mut own: Vec<Dropped> = Vec::new();
    let mut drop = |field: &str, value: String| {
        own.push(Dropped {
            source_id: id.clone(),
            field: field.to_owned(),
            value,
        })
    };

    let title = string(fields, "title", &fail)?.unwrap_or("");
    let (subject, title_rest) = json_source::subject_and_rest(title);
    if subject.is_empty() {
        return Err(fail(format!("the issue `{id}` has no `title`")));
    }
    out.subject = subject;

    let mut parts: Vec<String> = Vec::new();
    for text in [title_rest.as_deref(), string(fields, "description", &fail)?]
        .into_iter()
        .flatten()
    {
        if !text.trim().is_empty() {
            parts.push(text.trim_end().to_owned());
        }
    }
    if let Some(design) = nonblank(string(fields, "design", &fail)?) {
        parts.push(format!("## Design\n\n{design}"));
    }
    if let Some(criteria) = nonblank(string(fields, "acceptance_criteria", &fail)?) {
        match criteria_of(criteria) {
            Some(list) => out.criteria = list,
            None => parts.push(format!("## Acceptance criteria\n\n{criteria}")),
        }
    }
    if let Some(notes) = nonblank(string(fields, "notes", &fail)?) {
        parts.push(format!("## Notes\n\n{notes}"));
    }
    out.description = (!parts.is_empty()).then(|| parts.join("\n\n"));

    let status = string(fields, "status", &fail)?.unwrap_or("open");
    let (status, kept) = match status {
        "" | "open" => (Status::Pending, false),
        "in_progress" => (Status::InProgress, false),
        "closed" => (Status::Completed, false),
        "hooked" => (Status::InProgress, true),
        "tombstone" => (Status::Cancelled, true),
        _ => (Status::Pending, true),
    };
    out.status = status;
    if kept {
        let name = string(fields, "status", &fail)?.unwrap_or_default();
        out.meta
            .insert("beads_status".into(), toml::Value::String(name.into()));
    }

    match fields.get("priority") {
        None | Some(Value::Null) => {}
        Some(value) => {
            let p = value
                .as_i64()
                .filter(|p| (0..=4).contains(p))
                .ok_or_else(|| {
                    fail(format!(
                        "`priority` must be 0 to 4 (0 is the most urgent), found {}",
                        short(value)
                    ))
                })?;
            out.priority = Some(match p {
                0 => Priority::Critical,
                1 => Priority::High,
                2 => Priority::Medium,
                _ => Priority::Low,
            });
            if p == 4 {
                out.meta
                    .insert("beads_priority".into(), toml::Value::Integer(4));
            }
        }
    }

    match string(fields, "issue_type", &fail)?.map(str::trim) {
        None | Some("") => {}
        Some("epic") => out.kind = Some(Kind::Epic),
        Some("story") => out.kind = Some(Kind::Story),
        Some("task") => out.kind = Some(Kind::Task),
        Some(other) => {
            out.kind = Some(Kind::Task);
            if let Some(l) = label(other) {
                out.labels.push(l);
            }
        }
    }
    match fields.get("labels") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let Value::String(text) = item else {
                    return Err(fail(format!(
                        "`labels` must hold strings, found {}",
                        json_source::kind_of(item)
                    )));
                };
                if let Some(l) = label(text) {
                    push_label(&mut out.labels, l);
                }
            }
        }
        Some(other) => {
            return Err(fail(format!(
                "`labels` must be an array of strings, found {}",
                json_source::kind_of(other)
            )));
        }
    }

    out.owner = nonblank(string(fields, "assignee", &fail)?).map(str::to_owned);
    match fields.get("estimated_minutes") {
        None | Some(Value::Null) => {}
        Some(value) => match value.as_u64().and_then(estimate) {
            Some(e) => out.estimate = Some(e),
            None => drop("estimated_minutes", short(value)),
        },
    }
    out.created = time(fields, "created_at", TIME, &fail)?;
    out.started = time(fields, "started_at", TIME, &fail)?;
    out.closed = time(fields, "closed_at", TIME, &fail)?;
    if let Some(due) = string(fields, "due_at", &fail)? {
        out.due = Some(
            json_source::date(due)
                .ok_or_else(|| fail(format!("`due_at` `{due}` is not a date")))?,
        );
    }

    dependencies(fields, &id, &mut out, &mut drop, &fail)?;

    match fields.get("comments") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                out.notes.push(comment(item, &fail)?);
            }
        }
        Some(other) => {
            return Err(fail(format!(
                "`comments` must be an array, found {}",
                json_source::kind_of(other)
            )));
        }
    }
    if let Some(reason) = nonblank(string(fields, "close_reason", &fail)?) {
        match out.closed.or(time(fields, "updated_at", TIME, &fail)?) {
            Some(at) => out.notes.push(Note {
                at,
                by: None,
                text: format!("Closed: {reason}"),
            }),
            None => drop("close_reason", reason.to_owned()),
        }
    }

    for (field, key) in KEPT {
        if let Some(value) = fields.get(*field).and_then(to_toml) {
            out.meta.insert((*key).to_owned(), value);
        }
    }
    let rest: BTreeMap<&String, &Value> = fields
        .iter()
        .filter(|(k, v)| {
            !v.is_null()
                && !MAPPED.contains(&k.as_str())
                && !DERIVED.contains(&k.as_str())
                && !KEPT.iter().any(|(f, _)| f == k)
        })
        .collect();
    for (key, value) in rest {
        drop(key, short(value));
    }
    // The computed `parent` of `bd show` stands in when no parent-child
    // dependency names one.
    if out.parent.is_none() {
        out.parent = nonblank(string(fields, "parent", &fail)?).map(str::to_owned);
    }
    own.sort();
    dropped.extend(own);
    Ok(out)
}

/// `blocks` and `parent-child` dependencies into `blocked_by` and
/// `parent`; the others reported as `dependencies[].type`.
fn dependencies(
    fields: &Map<String, Value>,
    id: &str,
    out: &mut Incoming,
    drop: &mut impl FnMut(&str, String),
    fail: &impl Fn(String) -> SourceError,
) -> Result<(), SourceError> {
    let items = match fields.get("dependencies") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(fail(format!(
                "`dependencies` must be an array, found {}",
                json_source::kind_of(other)
            )));
        }
    };
    for item in items {
        let Value::Object(dep) = item else {
            return Err(fail(format!(
                "a dependency must be an object with `depends_on_id` and `type`, found {}",
                json_source::kind_of(item)
            )));
        };
        let target = match string(dep, "depends_on_id", fail)? {
            Some(t) if !t.trim().is_empty() => t.trim().to_owned(),
            _ => return Err(fail("a dependency has no `depends_on_id`".into())),
        };
        if let Some(from) = string(dep, "issue_id", fail)?
            && !from.is_empty()
            && from != id
        {
            drop("dependencies[].issue_id", format!("{from} -> {target}"));
            continue;
        }
        // `bd dep add` makes `blocks` when no type is given.
        let kind = string(dep, "type", fail)?.unwrap_or("blocks");
        match kind {
            "" | "blocks" => {
                if !out.blocked_by.contains(&target) {
                    out.blocked_by.push(target);
                }
            }
            "parent-child" => match &out.parent {
                None => out.parent = Some(target),
                Some(p) if *p == target => {}
                Some(_) => drop(
                    "dependencies[].type",
                    format!("parent-child {target} (a second parent)"),
                ),
            },
            other => drop("dependencies[].type", format!("{other} {target}")),
        }
    }
    Ok(())
}

/// A comment as a note, with its author.
fn comment(item: &Value, fail: &impl Fn(String) -> SourceError) -> Result<Note, SourceError> {
    let Value::Object(fields) = item else {
        return Err(fail(format!(
            "a comment must be an object with `text` and `created_at`, found {}",
            json_source::kind_of(item)
        )));
    };
    let at = time(fields, "created_at", TIME, fail)?
        .ok_or_else(|| fail("a comment has no `created_at`".into()))?;
    Ok(Note {
        at,
        by: nonblank(string(fields, "author", fail)?).map(str::to_owned),
        text: string(fields, "text", fail)?.unwrap_or("").to_owned(),
    })
}

/// `text` as criteria: each item of a Markdown list (`- [x]` is met), or
/// the one line it is. `None` for prose.
fn criteria_of(text: &str) -> Option<Vec<Criterion>> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let items: Vec<Option<Criterion>> = lines.iter().map(|l| list_item(l)).collect();
    if lines.len() == 1 {
        return Some(vec![items[0].clone().unwrap_or(Criterion {
            text: lines[0].to_owned(),
            met: false,
        })]);
    }
    items.into_iter().collect()
}

/// One Markdown list item (`- `, `* `, `+ `, `1. `, `1) `, with an
/// optional `[ ]`/`[x]` box) as a criterion.
fn list_item(line: &str) -> Option<Criterion> {
    let rest = if let Some(rest) = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))
        .or_else(|| line.strip_prefix("+ "))
    {
        rest
    } else {
        let digits = line.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        line[digits..]
            .strip_prefix(". ")
            .or_else(|| line[digits..].strip_prefix(") "))?
    };
    let rest = rest.trim_start();
    let (met, text) = if let Some(t) = rest.strip_prefix("[ ]") {
        (false, t)
    } else if let Some(t) = rest
        .strip_prefix("[x]")
        .or_else(|| rest.strip_prefix("[X]"))
    {
        (true, t)
    } else {
        (false, rest)
    };
    let text = text.trim();
    (!text.is_empty()).then(|| Criterion {
        text: text.to_owned(),
        met,
    })
}

/// Minutes as an estimate in hours and minutes (`90` is `1h30m`): beads
/// counts clock minutes, and git-task's days are 8 hours, so no days.
fn estimate(minutes: u64) -> Option<Estimate> {
    let text = match (minutes / 60, minutes % 60) {
        (0, 0) => "0".to_owned(),
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    };
    text.parse().ok()
}

fn nonblank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::json_source::expect::{assert_tasks, at, criterion, dropped};
    use chrono::NaiveDate;

    fn fixture() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/beads/issues.jsonl")
    }

    fn read_text(text: &str) -> Result<Batch, SourceError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("issues.jsonl");
        std::fs::write(&path, text).unwrap();
        read(&path, &ReadOptions::default())
    }

    fn meta(text: &str) -> toml::Table {
        text.parse().unwrap()
    }

    #[test]
    fn the_fixture_becomes_tasks_and_edges() {
        let batch = read(&fixture(), &ReadOptions::default()).unwrap();
        let expected = vec![
            Incoming {
                source_id: "bd-a1b2".into(),
                id_hint: "bd-a1b2".into(),
                line: 2,
                subject: "Offline mode".into(),
                kind: Some(Kind::Epic),
                priority: Some(Priority::High),
                owner: Some("alice".into()),
                labels: vec!["offline".into(), "sync".into()],
                created: Some(at("2026-04-01T09:00:00Z")),
                description: Some(
                    "Work without the network.\n\n## Design\n\nQueue writes locally; replay them on reconnect."
                        .into(),
                ),
                criteria: vec![criterion(
                    "A user on a plane can edit, and nothing is lost when they land.",
                    false,
                )],
                ..Incoming::default()
            },
            Incoming {
                source_id: "bd-a1b2.1".into(),
                id_hint: "bd-a1b2.1".into(),
                line: 3,
                subject: "Local write queue".into(),
                status: Status::InProgress,
                kind: Some(Kind::Task),
                priority: Some(Priority::Critical),
                parent: Some("bd-a1b2".into()),
                owner: Some("bob".into()),
                estimate: Some("1h30m".parse().unwrap()),
                labels: vec!["offline".into()],
                created: Some(at("2026-04-01T16:05:00.123456789Z")),
                started: Some(at("2026-04-03T08:00:00Z")),
                description: Some("Append-only queue on disk.".into()),
                criteria: vec![
                    criterion("writes survive a restart", true),
                    criterion("replay is idempotent", false),
                ],
                notes: vec![
                    Note {
                        at: at("2026-04-03T08:30:00Z"),
                        by: Some("bob".into()),
                        text: "Using a WAL file.".into(),
                    },
                    Note {
                        at: at("2026-04-03T09:00:00Z"),
                        by: Some("alice".into()),
                        text: "Sounds good.\nShip it behind a flag.".into(),
                    },
                ],
                ..Incoming::default()
            },
            Incoming {
                source_id: "bd-a1b2.2".into(),
                id_hint: "bd-a1b2.2".into(),
                line: 4,
                subject: "Replay crashes on an empty queue".into(),
                kind: Some(Kind::Task),
                priority: Some(Priority::Medium),
                parent: Some("bd-a1b2".into()),
                blocked_by: vec!["bd-a1b2.1".into()],
                due: NaiveDate::from_ymd_opt(2026, 5, 1),
                labels: vec!["bug".into(), "crash".into()],
                created: Some(at("2026-04-02T11:00:00Z")),
                description: Some(
                    "Seen in the beta.\n\n## Notes\n\nReproduces with an empty queue file.".into(),
                ),
                meta: meta("external_ref = \"gh-9\""),
                ..Incoming::default()
            },
            Incoming {
                source_id: "bd-c3d4".into(),
                id_hint: "bd-c3d4".into(),
                line: 5,
                subject: "Retry with backoff".into(),
                status: Status::Completed,
                kind: Some(Kind::Task),
                priority: Some(Priority::Low),
                labels: vec!["feature".into()],
                created: Some(at("2026-03-20T12:00:00Z")),
                closed: Some(at("2026-03-28T16:00:00Z")),
                notes: vec![Note {
                    at: at("2026-03-28T16:00:00Z"),
                    by: None,
                    text: "Closed: Done in #41".into(),
                }],
                meta: meta("beads_owner = \"carol@example.com\""),
                ..Incoming::default()
            },
            Incoming {
                source_id: "bd-e5f6".into(),
                id_hint: "bd-e5f6".into(),
                line: 6,
                subject: "Tidy the sync module".into(),
                kind: Some(Kind::Task),
                priority: Some(Priority::Low),
                labels: vec!["chore".into()],
                created: Some(at("2026-03-25T08:00:00Z")),
                meta: meta(
                    "beads_status = \"deferred\"\nbeads_priority = 4\ndefer_until = \"2026-06-01T00:00:00Z\"\n[metadata]\nfiles = [\"src/sync.rs\"]\nsize = \"s\"",
                ),
                ..Incoming::default()
            },
            Incoming {
                source_id: "bd-g7h8".into(),
                id_hint: "bd-g7h8".into(),
                line: 7,
                subject: "Sync settings page".into(),
                kind: Some(Kind::Story),
                priority: Some(Priority::Medium),
                blocked_by: vec!["bd-e5f6".into()],
                created: Some(at("2026-03-26T08:00:00Z")),
                description: Some("As a user I can see when I last synced.".into()),
                meta: meta("beads_status = \"blocked\""),
                ..Incoming::default()
            },
        ];
        assert_tasks(&batch.tasks, &expected);
        assert_eq!(
            batch.dropped,
            [
                dropped("bd-a1b2", "created_by", "alice"),
                dropped("bd-a1b2", "updated_at", "2026-04-02T10:00:00Z"),
                dropped("bd-a1b2.1", "updated_at", "2026-04-03T08:00:00Z"),
                dropped("bd-a1b2.2", "dependencies[].type", "related bd-c3d4"),
                dropped("bd-a1b2.2", "updated_at", "2026-04-02T11:00:00Z"),
                dropped(
                    "bd-c3d4",
                    "dependencies[].type",
                    "discovered-from bd-a1b2.1"
                ),
                dropped("bd-c3d4", "updated_at", "2026-03-28T16:00:00Z"),
                dropped("bd-e5f6", "updated_at", "2026-03-25T08:00:00Z"),
                dropped("bd-g7h8", "compaction_level", "1"),
                dropped("bd-g7h8", "updated_at", "2026-03-26T08:00:00Z"),
                dropped("memory:style", "_type", "memory (line 8)"),
            ]
        );
        assert_eq!(
            super::super::id_from(&batch.tasks[1].id_hint).as_str(),
            "bd-a1b2-1"
        );
        assert_eq!(read(&fixture(), &ReadOptions::default()).unwrap(), batch);
    }

    #[test]
    fn other_states_keep_their_names() {
        let text = [
            r#"{"id":"x-1","title":"a","status":"hooked"}"#,
            r#"{"id":"x-2","title":"b","status":"pinned","priority":0}"#,
            r#"{"id":"x-3","title":"c","status":"tombstone","deleted_at":"2026-01-01T00:00:00Z"}"#,
            r#"{"id":"x-4","title":"d","status":"review"}"#,
            r#"{"id":"x-5","title":"e"}"#,
        ]
        .join("\n");
        let batch = read_text(&text).unwrap();
        let states: Vec<(Status, Option<&str>)> = batch
            .tasks
            .iter()
            .map(|t| {
                (
                    t.status,
                    t.meta.get("beads_status").and_then(|v| v.as_str()),
                )
            })
            .collect();
        assert_eq!(
            states,
            [
                (Status::InProgress, Some("hooked")),
                (Status::Pending, Some("pinned")),
                (Status::Cancelled, Some("tombstone")),
                (Status::Pending, Some("review")),
                (Status::Pending, None),
            ]
        );
        assert_eq!(batch.tasks[4].priority, None);
        assert_eq!(
            batch.dropped,
            [dropped("x-3", "deleted_at", "2026-01-01T00:00:00Z")]
        );
    }

    #[test]
    fn criteria_are_lists_or_one_line() {
        assert_eq!(
            criteria_of("1. one\n2) [X] two\n\n* three\n+ [ ] four"),
            Some(vec![
                criterion("one", false),
                criterion("two", true),
                criterion("three", false),
                criterion("four", false),
            ])
        );
        assert_eq!(
            criteria_of("  just this  "),
            Some(vec![criterion("just this", false)])
        );
        assert_eq!(criteria_of("A paragraph that\nwraps over lines."), None);
        assert_eq!(criteria_of("- one\nand more of it"), None);
        let batch = read_text(
            r#"{"id":"x","title":"t\nmore title","acceptance_criteria":"It works\nfor everyone."}"#,
        )
        .unwrap();
        assert_eq!(batch.tasks[0].subject, "t");
        assert_eq!(
            batch.tasks[0].description.as_deref(),
            Some("more title\n\n## Acceptance criteria\n\nIt works\nfor everyone.")
        );
        assert!(batch.tasks[0].criteria.is_empty());
    }

    #[test]
    fn dependency_edge_cases() {
        let batch = read_text(
            r#"{"id":"x","title":"t","dependencies":[{"depends_on_id":"a"},{"depends_on_id":"a","type":"blocks"},{"depends_on_id":"p","type":"parent-child"},{"depends_on_id":"q","type":"parent-child"},{"issue_id":"y","depends_on_id":"x","type":"blocks"},{"depends_on_id":"w","type":"waits-for"}],"parent":"r"}"#,
        )
        .unwrap();
        let task = &batch.tasks[0];
        assert_eq!(task.blocked_by, ["a"]);
        assert_eq!(task.parent.as_deref(), Some("p"));
        assert_eq!(
            batch.dropped,
            [
                dropped("x", "dependencies[].issue_id", "y -> x"),
                dropped(
                    "x",
                    "dependencies[].type",
                    "parent-child q (a second parent)"
                ),
                dropped("x", "dependencies[].type", "waits-for w"),
            ]
        );
        let computed = read_text(r#"{"id":"x","title":"t","parent":"r"}"#).unwrap();
        assert_eq!(computed.tasks[0].parent.as_deref(), Some("r"));
        assert!(computed.dropped.is_empty());
    }

    #[test]
    fn estimates_are_hours_and_minutes() {
        let texts: Vec<String> = [0, 45, 60, 90, 960]
            .into_iter()
            .map(|m| estimate(m).unwrap().to_string())
            .collect();
        assert_eq!(texts, ["0", "45m", "1h", "1h30m", "16h"]);
        let batch = read_text(r#"{"id":"x","title":"t","estimated_minutes":-5}"#).unwrap();
        assert_eq!(batch.tasks[0].estimate, None);
        assert_eq!(batch.dropped, [dropped("x", "estimated_minutes", "-5")]);
    }

    #[test]
    fn malformed_lines_are_named() {
        let good = r#"{"id":"a","title":"one"}"#;
        let cases = [
            (
                format!("{good}\n{{\"id\":\"b\",\"title\":}}"),
                2,
                19,
                "not a JSON object: expected value",
            ),
            (
                format!("{good}\n\n{{\"title\":\"two\"}}"),
                3,
                0,
                "the issue has no `id`",
            ),
            (
                format!("{good}\n{{\"id\":\"b\",\"title\":\"  \"}}"),
                2,
                0,
                "the issue `b` has no `title`",
            ),
            (
                format!("{good}\n{good}"),
                2,
                0,
                "the id `a` is on line 1 already",
            ),
            (
                r#"{"id":"a","title":"t","priority":5}"#.into(),
                1,
                0,
                "`priority` must be 0 to 4",
            ),
            (
                r#"{"id":"a","title":"t","priority":"high"}"#.into(),
                1,
                0,
                "`priority` must be 0 to 4 (0 is the most urgent), found high",
            ),
            (
                r#"{"id":"a","title":"t","created_at":"yesterday"}"#.into(),
                1,
                0,
                "`created_at` `yesterday` is not a timestamp",
            ),
            (
                r#"{"id":"a","title":"t","labels":"x"}"#.into(),
                1,
                0,
                "`labels` must be an array of strings, found a string",
            ),
            (
                r#"{"id":"a","title":"t","dependencies":[{"type":"blocks"}]}"#.into(),
                1,
                0,
                "a dependency has no `depends_on_id`",
            ),
            (
                r#"{"id":"a","title":"t","comments":[{"text":"x"}]}"#.into(),
                1,
                0,
                "a comment has no `created_at`",
            ),
            (
                r#"{"id":"a","title":"t","due_at":"someday"}"#.into(),
                1,
                0,
                "`due_at` `someday` is not a date",
            ),
            (
                "[]".into(),
                1,
                0,
                "expected a JSON object (one task), found an array",
            ),
        ];
        for (text, line, column, message) in cases {
            let err = read_text(&text).unwrap_err();
            assert_eq!((err.line, err.column), (line, column), "{text}: {err}");
            assert!(err.message.starts_with(message), "{text}: {err}");
            assert!(err.file.ends_with("issues.jsonl"));
        }
    }
}
