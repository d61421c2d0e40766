//! A coding agent's task-list directory: one JSON file per task, the
//! shape behind the `TaskCreate`/`TaskUpdate` tools (Claude Code keeps it
//! in `~/.claude/tasks/<list>/`).
//!
//! Each file is `<id>.json`, written by the agent as
//! `JSON.stringify(task, null, 2)` (two spaces, no newline at the end),
//! its keys in the order `id`, `subject`, `description`, `activeForm`,
//! `status`, `owner`, `blocks`, `blockedBy`, `metadata` (those the task
//! has: `activeForm`, `owner` and `metadata` may be missing). An update
//! rewrites the whole file and keeps the keys where they were, a key the
//! task did not have going last. The agent deletes a task by removing its
//! file (`TaskUpdate` with status `deleted`), after writing the largest id
//! it ever gave to `.highwatermark` so that the id is not given again;
//! other tools of the same shape keep the file with status `deleted`.
//! Both are read here. Files of the directory that are not `*.json`
//! (`.lock`, `.highwatermark`) are not tasks and are left alone.
//!
//! [`read`] maps the directory into a [`Batch`] for the importer;
//! [`read_dir`] gives the files as [`AgentTask`]s, which the two-way link
//! (`sync --with agent`) compares and [`write`] writes back in the agent's
//! own layout.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{Batch, Dropped, Incoming, ReadOptions, SourceError};
use crate::task::Status;

/// The `[meta]` table that holds what an agent's task has and git-task has
/// no field for, spelled as the agent spells it: `activeForm` (the
/// present-continuous line the agent shows while the task runs) and
/// `metadata` (the agent's own keys). One table keeps them apart from a
/// person's own `[meta]` keys and says where they came from.
pub const META_TABLE: &str = "agent";
/// The key of `activeForm` in [`META_TABLE`].
pub const META_ACTIVE_FORM: &str = "activeForm";
/// The key of `metadata` in [`META_TABLE`].
pub const META_METADATA: &str = "metadata";

/// A task's status as the agent writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgentStatus {
    Pending,
    InProgress,
    Completed,
    /// `TaskUpdate`'s way to remove a task; kept in the file by tools that
    /// do not remove it.
    Deleted,
}

impl AgentStatus {
    /// Every status, as the agent spells them.
    pub const ALL: &'static [AgentStatus] = &[
        AgentStatus::Pending,
        AgentStatus::InProgress,
        AgentStatus::Completed,
        AgentStatus::Deleted,
    ];

    /// The word in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Pending => "pending",
            AgentStatus::InProgress => "in_progress",
            AgentStatus::Completed => "completed",
            AgentStatus::Deleted => "deleted",
        }
    }

    /// The status of a word of the file.
    pub fn parse(text: &str) -> Option<AgentStatus> {
        AgentStatus::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == text)
    }

    /// git-task's status for it: `deleted` is `cancelled`, the one status
    /// of git-task for a task that is no longer to be done.
    pub fn to_status(self) -> Status {
        match self {
            AgentStatus::Pending => Status::Pending,
            AgentStatus::InProgress => Status::InProgress,
            AgentStatus::Completed => Status::Completed,
            AgentStatus::Deleted => Status::Cancelled,
        }
    }

    /// The agent's status for git-task's: `cancelled` is `deleted`, as
    /// the agent has no other status for a task not to be done. The two
    /// map one to one, so nothing in `[meta]` needs to tell them apart.
    pub fn from_status(status: Status) -> AgentStatus {
        match status {
            Status::Pending => AgentStatus::Pending,
            Status::InProgress => AgentStatus::InProgress,
            Status::Completed => AgentStatus::Completed,
            Status::Cancelled => AgentStatus::Deleted,
        }
    }
}

/// One task file, as the agent wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentTask {
    /// The id, as written in the file and its name (`"3"` in `3.json`).
    pub id: String,
    pub subject: String,
    /// `""` when the file has none.
    pub description: String,
    pub active_form: Option<String>,
    pub status: AgentStatus,
    pub owner: Option<String>,
    /// The ids of the tasks this one holds back, in the file's order.
    pub blocks: Vec<String>,
    /// The ids of the tasks this one waits for, in the file's order.
    pub blocked_by: Vec<String>,
    pub metadata: Option<Map<String, Value>>,
    /// The file's whole object, in its key order: a write back keeps the
    /// keys where they were and keeps keys git-task does not know.
    pub raw: Map<String, Value>,
    /// The file's text as read (empty for a task not yet written): a
    /// write back checks that the agent did not change the file since.
    pub text: String,
    /// Where the file is.
    pub file: PathBuf,
}

impl AgentTask {
    /// A new task of the agent, not yet written.
    pub fn new(dir: &Path, id: &str, subject: &str) -> AgentTask {
        AgentTask {
            id: id.to_owned(),
            subject: subject.to_owned(),
            description: String::new(),
            active_form: None,
            status: AgentStatus::Pending,
            owner: None,
            blocks: Vec::new(),
            blocked_by: Vec::new(),
            metadata: None,
            raw: Map::new(),
            text: String::new(),
            file: file_of(dir, id),
        }
    }
}

/// The file of task `id` in `dir`.
pub fn file_of(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// Reads every task file of `dir` (`*.json`, sorted by numeric id, then by
/// name). The first file that cannot be read stops the reading, named
/// with its line and column.
pub fn read_dir(dir: &Path) -> Result<Vec<AgentTask>, SourceError> {
    let entries = fs::read_dir(dir).map_err(|e| SourceError {
        file: dir.to_owned(),
        line: 0,
        column: 0,
        message: format!("cannot read the agent's task directory: {e}"),
    })?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| SourceError {
            file: dir.to_owned(),
            line: 0,
            column: 0,
            message: format!("cannot read the agent's task directory: {e}"),
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && !name.starts_with('.') && name.ends_with(".json") && name.len() > 5 {
            names.push(name);
        }
    }
    names.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    names
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let text = fs::read_to_string(&path).map_err(|e| SourceError {
                file: path.clone(),
                line: 0,
                column: 0,
                message: format!("cannot read the file: {e}"),
            })?;
            parse(&path, &text)
        })
        .collect()
}

/// Numeric ids first, by number (`2.json` before `10.json`), as the agent
/// counts them; any other name after them, by name.
fn order_key(name: &str) -> (u8, u128, &str) {
    let stem = name.strip_suffix(".json").unwrap_or(name);
    match stem.parse::<u128>() {
        Ok(n) if stem.bytes().all(|b| b.is_ascii_digit()) => (0, n, name),
        _ => (1, 0, name),
    }
}

/// Parses the text of one task file.
pub fn parse(path: &Path, text: &str) -> Result<AgentTask, SourceError> {
    let error = |line: usize, column: usize, message: String| SourceError {
        file: path.to_owned(),
        line,
        column,
        message,
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        error(
            e.line(),
            e.column(),
            format!("not valid JSON: {}", strip_position(&e.to_string())),
        )
    })?;
    let Value::Object(raw) = value else {
        return Err(error(
            1,
            1,
            "a task file holds one JSON object, like {\"id\": \"1\", \"subject\": \"...\", \"status\": \"pending\"}".into(),
        ));
    };
    // The line of a key, for errors about its value: the first `"key":`
    // of the text. Task files are small and flat, so it is that key's.
    let at = |key: &str| -> (usize, usize) {
        let needle = format!("\"{key}\"");
        let mut from = 0;
        while let Some(i) = text[from..].find(&needle) {
            let start = from + i;
            let rest = text[start + needle.len()..].trim_start();
            if rest.starts_with(':') {
                return crate::task::line_column(text, start);
            }
            from = start + needle.len();
        }
        (1, 1)
    };
    let wrong = |key: &str, what: &str| {
        let (line, column) = at(key);
        error(line, column, format!("`{key}` must be {what}"))
    };
    let string = |key: &str| -> Result<Option<String>, SourceError> {
        match raw.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(wrong(key, "a string")),
        }
    };
    let ids = |key: &str| -> Result<Vec<String>, SourceError> {
        match raw.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(wrong(
                        key,
                        "an array of task ids as strings, like [\"1\", \"2\"]",
                    )),
                })
                .collect(),
            Some(_) => Err(wrong(
                key,
                "an array of task ids as strings, like [\"1\", \"2\"]",
            )),
        }
    };
    let stem = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".json"))
        .unwrap_or_default();
    let id = match raw.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(wrong("id", &format!("a string, like \"{stem}\""))),
        None => {
            return Err(error(
                1,
                1,
                format!("the task has no `id`; the file {stem}.json holds task \"{stem}\""),
            ));
        }
    };
    if id != stem {
        let (line, column) = at("id");
        return Err(error(
            line,
            column,
            format!(
                "`id` is \"{id}\" but the file is {stem}.json; the agent finds a task by its file name"
            ),
        ));
    }
    let subject = match string("subject")? {
        Some(s) if !s.trim().is_empty() => s,
        Some(_) => return Err(wrong("subject", "a non-empty string")),
        None => {
            return Err(error(1, 1, "the task has no `subject`".into()));
        }
    };
    if subject.contains(['\n', '\r']) {
        return Err(wrong("subject", "one line; details go in `description`"));
    }
    let status = match raw.get("status") {
        None | Some(Value::Null) => AgentStatus::Pending,
        Some(Value::String(s)) => AgentStatus::parse(s).ok_or_else(|| {
            wrong(
                "status",
                &format!(
                    "one of {}, not \"{s}\"",
                    AgentStatus::ALL
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?,
        Some(_) => return Err(wrong("status", "a string such as \"pending\"")),
    };
    let metadata = match raw.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m.clone()),
        Some(_) => return Err(wrong("metadata", "an object")),
    };
    Ok(AgentTask {
        id,
        subject,
        description: string("description")?.unwrap_or_default(),
        active_form: string("activeForm")?,
        status,
        owner: string("owner")?.filter(|o| !o.is_empty()),
        blocks: ids("blocks")?,
        blocked_by: ids("blockedBy")?,
        metadata,
        raw,
        text: text.to_owned(),
        file: path.to_owned(),
    })
}

/// serde_json's message without its ` at line L column C`, which the
/// error says in its own place.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// The keys of a task file git-task reads; any other is reported as
/// dropped on import (and kept in the file by a write back).
const KNOWN_KEYS: &[&str] = &[
    "id",
    "subject",
    "description",
    "activeForm",
    "status",
    "owner",
    "blocks",
    "blockedBy",
    "metadata",
];

/// Reads the agent's task directory `dir` for the importer.
///
/// Every task is made from its file: `blockedBy` becomes `blocked_by`, and
/// each id in another task's `blocks` is added to the task it names (the
/// same edge said from the other end; said both ways, it is one edge).
/// `status` `deleted` is `cancelled`; `activeForm` and `metadata` go to
/// `[meta.agent]`; the task's id is made of `agent-<id>` (`agent-3`), so
/// that the tasks of an agent are told apart from others at a glance and
/// the same directory always gives the same ids. A reference to a task
/// that is not in the directory, a JSON `null` inside `metadata` (TOML has
/// no null), and any key the shape does not have, are reported as
/// dropped.
pub fn read(path: &Path, _options: &ReadOptions) -> Result<Batch, SourceError> {
    let tasks = read_dir(path)?;
    Ok(batch_of(&tasks))
}

/// [`read`] of files already read.
pub fn batch_of(tasks: &[AgentTask]) -> Batch {
    let present: BTreeSet<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    let mut dropped = Vec::new();
    // The inverse of every `blocks`: task -> the tasks it waits for.
    let mut waits_for: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for task in tasks {
        for blocked in &task.blocks {
            if present.contains(blocked.as_str()) {
                waits_for
                    .entry(blocked.as_str())
                    .or_default()
                    .push(task.id.as_str());
            } else {
                dropped.push(Dropped {
                    source_id: task.id.clone(),
                    field: "blocks".into(),
                    value: format!("{blocked} (no such task in the directory)"),
                });
            }
        }
    }
    let incoming = tasks
        .iter()
        .map(|task| {
            let mut blocked_by: Vec<String> = Vec::new();
            for id in &task.blocked_by {
                if !present.contains(id.as_str()) {
                    dropped.push(Dropped {
                        source_id: task.id.clone(),
                        field: "blockedBy".into(),
                        value: format!("{id} (no such task in the directory)"),
                    });
                } else if !blocked_by.contains(id) {
                    blocked_by.push(id.clone());
                }
            }
            for id in waits_for.get(task.id.as_str()).into_iter().flatten() {
                if !blocked_by.iter().any(|b| b == id) {
                    blocked_by.push((*id).to_owned());
                }
            }
            for (key, value) in &task.raw {
                if !KNOWN_KEYS.contains(&key.as_str()) {
                    dropped.push(Dropped {
                        source_id: task.id.clone(),
                        field: key.clone(),
                        value: short(value),
                    });
                }
            }
            let (meta, nulls) = meta_of(task.active_form.as_deref(), task.metadata.as_ref());
            dropped.extend(nulls.into_iter().map(|field| Dropped {
                source_id: task.id.clone(),
                field,
                value: "null".into(),
            }));
            Incoming {
                source_id: task.id.clone(),
                id_hint: id_hint(&task.id),
                file: Some(task.file.clone()),
                line: 1,
                subject: task.subject.clone(),
                status: task.status.to_status(),
                owner: task.owner.clone(),
                blocked_by,
                description: Some(task.description.clone()).filter(|d| !d.is_empty()),
                meta,
                ..Incoming::default()
            }
        })
        .collect();
    Batch {
        tasks: incoming,
        dropped,
    }
}

/// The text a task's git-task id is made of: `agent-<id>`.
pub fn id_hint(id: &str) -> String {
    format!("agent-{id}")
}

/// The `[meta]` of a task with `activeForm` and `metadata`: the table
/// [`META_TABLE`] holding them (nothing when it has neither), and the
/// paths of the `null`s of `metadata` left out (`metadata.parent`).
pub fn meta_of(
    active_form: Option<&str>,
    metadata: Option<&Map<String, Value>>,
) -> (toml::Table, Vec<String>) {
    let mut agent = toml::Table::new();
    let mut nulls = Vec::new();
    if let Some(form) = active_form {
        agent.insert(META_ACTIVE_FORM.into(), toml::Value::String(form.into()));
    }
    if let Some(metadata) = metadata {
        let mut table = toml::Table::new();
        for (key, value) in metadata {
            if let Some(v) = toml_of(value, &format!("metadata.{key}"), &mut nulls) {
                table.insert(key.clone(), v);
            }
        }
        agent.insert(META_METADATA.into(), toml::Value::Table(table));
    }
    let mut meta = toml::Table::new();
    if !agent.is_empty() {
        meta.insert(META_TABLE.into(), toml::Value::Table(agent));
    }
    (meta, nulls)
}

/// A JSON value as TOML; `None` for a `null` (whose path is added to
/// `nulls`) and for a number TOML cannot hold (larger than an i64 and not
/// a float).
fn toml_of(value: &Value, path: &str, nulls: &mut Vec<String>) -> Option<toml::Value> {
    Some(match value {
        Value::Null => {
            nulls.push(path.to_owned());
            return None;
        }
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| toml_of(v, &format!("{path}[{i}]"), nulls))
                .collect(),
        ),
        Value::Object(map) => toml::Value::Table(
            map.iter()
                .filter_map(|(k, v)| {
                    toml_of(v, &format!("{path}.{k}"), nulls).map(|v| (k.clone(), v))
                })
                .collect(),
        ),
    })
}

/// A TOML value as JSON (a date as its text: JSON has no date).
pub fn json_of(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(json_of).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), json_of(v))).collect())
        }
    }
}

/// `activeForm` and `metadata` of a git-task task's `[meta.agent]`.
pub fn from_meta(meta: &toml::Table) -> (Option<String>, Option<Map<String, Value>>) {
    let Some(toml::Value::Table(agent)) = meta.get(META_TABLE) else {
        return (None, None);
    };
    let form = match agent.get(META_ACTIVE_FORM) {
        Some(toml::Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    let metadata = match agent.get(META_METADATA) {
        Some(toml::Value::Table(t)) => {
            Some(t.iter().map(|(k, v)| (k.clone(), json_of(v))).collect())
        }
        _ => None,
    };
    (form, metadata)
}

/// A value, short, for the report of what was dropped.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 40 {
        return text;
    }
    let cut: String = text.chars().take(39).collect();
    format!("{cut}…")
}

/// The text of `task`'s file, as the agent writes it: two-space pretty
/// JSON, no newline at the end. The keys of the file as read stay where
/// they were (unknown ones too); a new file has the agent's order, a key
/// the old file lacked goes last, as the agent's own update does.
pub fn render(task: &AgentTask) -> String {
    let mut out = task.raw.clone();
    let mut put = |key: &str, value: Option<Value>| match value {
        Some(v) => {
            out.insert(key.to_owned(), v);
        }
        None => {
            out.shift_remove(key);
        }
    };
    let strings =
        |items: &[String]| Value::Array(items.iter().cloned().map(Value::String).collect());
    put("id", Some(Value::String(task.id.clone())));
    put("subject", Some(Value::String(task.subject.clone())));
    put("description", Some(Value::String(task.description.clone())));
    put("activeForm", task.active_form.clone().map(Value::String));
    put("status", Some(Value::String(task.status.as_str().into())));
    put("owner", task.owner.clone().map(Value::String));
    put("blocks", Some(strings(&task.blocks)));
    put("blockedBy", Some(strings(&task.blocked_by)));
    put("metadata", task.metadata.clone().map(Value::Object));
    serde_json::to_string_pretty(&Value::Object(out)).expect("a JSON object prints")
}

/// Writes `task` to its file atomically: the text goes to a temporary
/// file of the directory (named `.git-task-*`, which neither the agent nor
/// git-task takes for a task) that is then renamed over the file, so the
/// agent never reads half a task. Returns the text written.
pub fn write(task: &AgentTask) -> std::io::Result<String> {
    let text = render(task);
    let dir = task.file.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".git-task-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&task.file).map_err(|e| e.error)?;
    Ok(text)
}

/// Removes task `id`'s file, as the agent deletes a task: `.highwatermark`
/// first keeps the largest id ever given (so the agent does not give this
/// one again), then the file goes. A file already gone is no error.
pub fn remove(dir: &Path, id: &str) -> std::io::Result<()> {
    if let Ok(n) = id.parse::<u64>() {
        let mark = dir.join(".highwatermark");
        let current = fs::read_to_string(&mark)
            .ok()
            .and_then(|t| t.trim().parse::<u64>().ok())
            .unwrap_or(0);
        if n > current {
            fs::write(&mark, n.to_string())?;
        }
    }
    match fs::remove_file(file_of(dir, id)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The agent's lock on its whole list, held while git-task writes the
/// list's files: the directory `.lock.lock` beside the `.lock` file, made
/// by `mkdir` as the agent's lock library (proper-lockfile) makes it, so
/// that the agent's own creating and deleting of tasks waits for git-task's
/// writes and the other way round. A lock whose directory has not been
/// touched for [`ListLock::STALE`] is a crashed holder's and is taken over,
/// as the agent does.
#[derive(Debug)]
pub struct ListLock {
    path: PathBuf,
}

impl ListLock {
    /// How old an untouched lock must be to be taken over.
    pub const STALE: std::time::Duration = std::time::Duration::from_secs(10);
    /// How long to wait for the agent to release its lock.
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

    /// Takes the lock of the list in `dir`, waiting up to [`ListLock::WAIT`].
    pub fn acquire(dir: &Path) -> std::io::Result<ListLock> {
        let path = dir.join(".lock.lock");
        let start = std::time::Instant::now();
        loop {
            match fs::create_dir(&path) {
                Ok(()) => return Ok(ListLock { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
            let stale = fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > ListLock::STALE);
            if stale {
                let _ = fs::remove_dir(&path);
                continue;
            }
            if start.elapsed() > ListLock::WAIT {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WouldBlock,
                    format!(
                        "the agent holds its task list ({} exists); try again when it is done",
                        path.display()
                    ),
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for ListLock {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.path);
    }
}

/// The id the agent would give its next task: one more than the largest
/// numeric id of the files and of `.highwatermark`.
pub fn next_id(dir: &Path, tasks: &[AgentTask]) -> String {
    let mark = fs::read_to_string(dir.join(".highwatermark"))
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let largest = tasks
        .iter()
        .filter_map(|t| t.id.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    (largest.max(mark) + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    const ONE: &str = r#"{
  "id": "1",
  "subject": "Set up the schema",
  "description": "Tables for users and sessions",
  "activeForm": "Setting up the schema",
  "status": "completed",
  "blocks": [
    "2"
  ],
  "blockedBy": []
}"#;

    const TWO: &str = r#"{
  "id": "2",
  "subject": "Write the login endpoint",
  "description": "",
  "activeForm": "Writing the login endpoint",
  "status": "in_progress",
  "owner": "backend",
  "blocks": [
    "9"
  ],
  "blockedBy": [
    "1"
  ],
  "metadata": {
    "priority": "high",
    "retries": 2,
    "ratio": 0.5,
    "gone": null,
    "tags": [
      "auth",
      null
    ]
  }
}"#;

    const TEN: &str = r#"{
  "id": "10",
  "subject": "Remove the old login",
  "description": "",
  "status": "deleted",
  "blocks": [],
  "blockedBy": [],
  "color": "red"
}"#;

    #[test]
    fn reads_every_task_in_numeric_order_and_maps_it() {
        let dir = dir_with(&[
            ("10.json", TEN),
            ("2.json", TWO),
            ("1.json", ONE),
            (".lock", ""),
            (".highwatermark", "12"),
            ("notes.txt", "not a task"),
        ]);
        let batch = read(dir.path(), &ReadOptions::default()).unwrap();
        let ids: Vec<_> = batch.tasks.iter().map(|t| t.source_id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "10"]);
        let hints: Vec<_> = batch.tasks.iter().map(|t| t.id_hint.as_str()).collect();
        assert_eq!(hints, ["agent-1", "agent-2", "agent-10"]);

        let one = &batch.tasks[0];
        assert_eq!(one.subject, "Set up the schema");
        assert_eq!(one.status, Status::Completed);
        assert_eq!(
            one.description.as_deref(),
            Some("Tables for users and sessions")
        );
        assert_eq!(one.blocked_by, Vec::<String>::new());
        assert_eq!(
            one.meta["agent"]["activeForm"].as_str(),
            Some("Setting up the schema")
        );
        assert_eq!(one.line, 1);
        assert_eq!(
            one.file.as_deref(),
            Some(dir.path().join("1.json").as_path())
        );

        let two = &batch.tasks[1];
        assert_eq!(two.status, Status::InProgress);
        assert_eq!(two.owner.as_deref(), Some("backend"));
        // Said in 1's `blocks` and in 2's `blockedBy`: one edge.
        assert_eq!(two.blocked_by, ["1"]);
        assert_eq!(two.description, None);
        let metadata = two.meta["agent"]["metadata"].as_table().unwrap();
        assert_eq!(metadata["priority"].as_str(), Some("high"));
        assert_eq!(metadata["retries"].as_integer(), Some(2));
        assert_eq!(metadata["ratio"].as_float(), Some(0.5));
        assert!(!metadata.contains_key("gone"));
        assert_eq!(metadata["tags"].as_array().unwrap().len(), 1);

        let ten = &batch.tasks[2];
        assert_eq!(ten.status, Status::Cancelled);
        assert!(ten.meta.is_empty());

        let dropped: Vec<_> = batch
            .dropped
            .iter()
            .map(|d| (d.source_id.as_str(), d.field.as_str(), d.value.as_str()))
            .collect();
        assert_eq!(
            dropped,
            [
                ("2", "blocks", "9 (no such task in the directory)"),
                ("2", "metadata.gone", "null"),
                ("2", "metadata.tags[1]", "null"),
                ("10", "color", "\"red\""),
            ]
        );
    }

    #[test]
    fn blocks_alone_make_the_edge() {
        let dir = dir_with(&[
            (
                "1.json",
                r#"{"id": "1", "subject": "a", "status": "pending", "blocks": ["2", "3"], "blockedBy": []}"#,
            ),
            (
                "2.json",
                r#"{"id": "2", "subject": "b", "status": "pending", "blocks": [], "blockedBy": []}"#,
            ),
            (
                "3.json",
                r#"{"id": "3", "subject": "c", "status": "pending", "blocks": [], "blockedBy": ["2", "7"]}"#,
            ),
        ]);
        let batch = read(dir.path(), &ReadOptions::default()).unwrap();
        assert_eq!(batch.tasks[1].blocked_by, ["1"]);
        assert_eq!(batch.tasks[2].blocked_by, ["2", "1"]);
        assert_eq!(batch.dropped.len(), 1);
        assert_eq!(batch.dropped[0].field, "blockedBy");
    }

    #[test]
    fn a_malformed_file_names_its_line() {
        let dir = dir_with(&[
            ("1.json", ONE),
            (
                "2.json",
                "{\n  \"id\": \"2\",\n  \"subject\": \"b\",\n  \"status\": \"pending\"\n  \"blocks\": []\n}",
            ),
        ]);
        let err = read(dir.path(), &ReadOptions::default()).unwrap_err();
        assert_eq!(err.file, dir.path().join("2.json"));
        assert_eq!(err.line, 5);
        assert!(
            err.message.contains("expected `,` or `}`"),
            "{}",
            err.message
        );

        for (text, line, says) in [
            (
                "{\n  \"id\": \"3\",\n  \"subject\": \"c\",\n  \"status\": \"done\"\n}",
                4,
                "one of pending",
            ),
            (
                "{\n  \"id\": 3,\n  \"subject\": \"c\"\n}",
                2,
                "must be a string, like \"3\"",
            ),
            (
                "{\n  \"id\": \"4\",\n  \"subject\": \"c\"\n}",
                2,
                "but the file is 3.json",
            ),
            (
                "{\n  \"id\": \"3\",\n  \"subject\": \"c\",\n  \"blockedBy\": [1]\n}",
                4,
                "array of task ids",
            ),
            ("[]", 1, "one JSON object"),
            ("{\"id\": \"3\"}", 1, "no `subject`"),
        ] {
            let dir = dir_with(&[("3.json", text)]);
            let err = read(dir.path(), &ReadOptions::default()).unwrap_err();
            assert_eq!(err.line, line, "{text}: {err}");
            assert!(err.message.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn a_file_written_back_unchanged_is_byte_identical() {
        let dir = dir_with(&[("1.json", ONE), ("2.json", TWO), ("10.json", TEN)]);
        for task in read_dir(dir.path()).unwrap() {
            let text = fs::read_to_string(&task.file).unwrap();
            assert_eq!(render(&task), text, "{}", task.id);
        }
    }

    #[test]
    fn a_new_task_has_the_agents_layout() {
        let dir = tempfile::tempdir().unwrap();
        let mut task = AgentTask::new(dir.path(), "3", "Run the tests");
        task.active_form = Some("Running the tests".into());
        task.blocked_by = vec!["1".into()];
        write(&task).unwrap();
        let text = fs::read_to_string(dir.path().join("3.json")).unwrap();
        assert_eq!(
            text,
            "{\n  \"id\": \"3\",\n  \"subject\": \"Run the tests\",\n  \"description\": \"\",\n  \"activeForm\": \"Running the tests\",\n  \"status\": \"pending\",\n  \"blocks\": [],\n  \"blockedBy\": [\n    \"1\"\n  ]\n}"
        );
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["3.json"], "no temporary file is left");
        let back = read_dir(dir.path()).unwrap();
        assert_eq!(back[0].blocked_by, ["1"]);
    }

    #[test]
    fn an_update_keeps_the_keys_where_they_were() {
        let dir = dir_with(&[("10.json", TEN)]);
        let mut task = read_dir(dir.path()).unwrap().remove(0);
        task.status = AgentStatus::Pending;
        task.owner = Some("me".into());
        let text = render(&task);
        let keys: Vec<String> = serde_json::from_str::<Map<String, Value>>(&text)
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "subject",
                "description",
                "status",
                "blocks",
                "blockedBy",
                "color",
                "owner"
            ]
        );
    }

    #[test]
    fn meta_round_trips() {
        let metadata: Map<String, Value> =
            serde_json::from_str(r#"{"b": 1, "a": {"x": [true, "y"]}, "f": 1.5}"#).unwrap();
        let (meta, nulls) = meta_of(Some("Doing it"), Some(&metadata));
        assert!(nulls.is_empty());
        let (form, back) = from_meta(&meta);
        assert_eq!(form.as_deref(), Some("Doing it"));
        let back = back.unwrap();
        for (k, v) in &metadata {
            assert_eq!(&back[k], v, "{k}");
        }
    }

    #[test]
    fn the_list_lock_is_the_agents_and_waits_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let lock = ListLock::acquire(dir.path()).unwrap();
        assert!(dir.path().join(".lock.lock").is_dir());
        let start = std::time::Instant::now();
        let err = ListLock::acquire(dir.path()).unwrap_err();
        assert!(start.elapsed() >= ListLock::WAIT);
        assert!(err.to_string().contains(".lock.lock exists"), "{err}");
        drop(lock);
        assert!(!dir.path().join(".lock.lock").exists());
        let again = ListLock::acquire(dir.path()).unwrap();
        assert!(
            read_dir(dir.path()).unwrap().is_empty(),
            "the lock is no task"
        );
        drop(again);
    }

    #[test]
    fn removal_keeps_the_high_water_mark_and_next_ids_pass_it() {
        let dir = dir_with(&[("1.json", ONE), ("2.json", TWO)]);
        remove(dir.path(), "2").unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join(".highwatermark")).unwrap(),
            "2"
        );
        let tasks = read_dir(dir.path()).unwrap();
        assert_eq!(tasks.len(), 1);
        assert_eq!(next_id(dir.path(), &tasks), "3");
        remove(dir.path(), "2").unwrap();
    }
}
