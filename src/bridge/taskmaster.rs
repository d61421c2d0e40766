//! task-master: `.taskmaster/tasks/tasks.json`, one JSON document of
//! tagged task lists (`{"master": {"tasks": [...], "metadata": {...}},
//! "<tag>": {...}}`), or the legacy `{"tasks": [...]}` of one list, which
//! task-master reads as the tag `master`.
//!
//! What comes in where:
//! - ids: a task of the `master` tag keeps its own (`15`), a subtask its
//!   parent's and its own (`15.2`, with `15` its parent); in another tag
//!   both are prefixed by the tag (`feature-x/15`, `feature-x/15.2`),
//!   since every tag numbers its tasks from 1. The task's git-task id is
//!   made of that (`15-2`, `feature-x-15-2`), and a task of a tag other
//!   than `master` has the label `tag:<name>`;
//! - `title` is the subject; `description` the description, followed by
//!   `details` and `testStrategy` as its `## Details` and
//!   `## Test Strategy` sections: both are prose of several lines, and a
//!   test strategy says how to check the work, not one checkable item;
//! - `status` pending, in-progress, done (or completed) and cancelled as
//!   they are; review is in progress, deferred and blocked pending, each
//!   reported; another is pending and reported;
//! - `dependencies` are `blocked_by`: a number names a task of the same
//!   tag, or, on a subtask, a subtask of the same parent (as task-master
//!   reads it); a text `15.2` names that subtask;
//! - `priority` low, medium, high and critical as they are;
//! - `acceptanceCriteria` (a text of `- ` lines, or a list) are criteria,
//!   met when the task is done;
//! - `assignee` is the owner, `tags` are labels, `createdAt` is
//!   `created`, `metadata` goes to `[meta]`;
//! - subtasks come after their parent, of kind `subtask`; their
//!   `parentId`, `parentTaskId`, `parentTask` and `isSubtask` say again
//!   what their place says;
//! - everything else (`updatedAt`, `previousStatus`, `complexity`,
//!   `recommendedSubtasks`, `expansionPrompt`, `effort`, ...) is
//!   reported, as is a tag's `metadata.description` (under the tag's
//!   name, as it is on no task).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Batch, Dropped, Incoming, ReadOptions, SourceError};
use crate::task::{Criterion, Kind, Priority, Status};

/// The tag task-master starts with, whose ids are kept as they are.
const MASTER: &str = "master";

/// Reads task-master's tasks from `path`: the `tasks.json` itself, or a
/// project with `.taskmaster/tasks/tasks.json` (or the older
/// `tasks/tasks.json`) in it.
pub fn read(path: &Path, _options: &ReadOptions) -> Result<Batch, SourceError> {
    let file = locate(path)?;
    let text = std::fs::read_to_string(&file).map_err(|e| SourceError {
        file: file.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let root: Value = serde_json::from_str(text).map_err(|e| SourceError {
        file: file.clone(),
        line: e.line(),
        column: e.column(),
        message: format!("not valid JSON: {}", strip_position(&e.to_string())),
    })?;
    // serde_json has no positions of its own: the same text scanned again
    // gives every value's offset, and refuses a key set twice, which
    // serde_json would let the second overwrite.
    let places = Place::scan(text).map_err(|(offset, message)| {
        let (line, column) = crate::task::line_column(text, offset);
        SourceError {
            file: file.clone(),
            line,
            column,
            message,
        }
    })?;
    let mut reader = Reader {
        file: &file,
        text,
        batch: Batch::default(),
        seen: HashSet::new(),
    };
    reader.root(&root, &places)?;
    Ok(reader.batch)
}

fn locate(path: &Path) -> Result<PathBuf, SourceError> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let candidates = [
        path.join(".taskmaster/tasks/tasks.json"),
        path.join("tasks/tasks.json"),
        path.join("tasks.json"),
    ];
    candidates
        .into_iter()
        .find(|c| c.is_file())
        .ok_or_else(|| SourceError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message: "has no .taskmaster/tasks/tasks.json; give task-master's tasks.json, \
                      or the project it is in"
                .into(),
        })
}

/// serde_json's message without its ` at line 3 column 7`, which the
/// error gives apart.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    }
}

/// Where a JSON value starts, and where its elements (in order: an
/// array's items, an object's values) do.
#[derive(Debug, Default)]
struct Place {
    offset: usize,
    children: Vec<Place>,
}

impl Place {
    /// The places of the values of `text`, which serde_json has read
    /// already (so it is valid JSON); an error for a key set twice.
    fn scan(text: &str) -> Result<Place, (usize, String)> {
        let mut at = 0;
        Place::value(text.as_bytes(), &mut at)
    }

    fn value(bytes: &[u8], at: &mut usize) -> Result<Place, (usize, String)> {
        skip_space(bytes, at);
        let mut place = Place {
            offset: *at,
            children: Vec::new(),
        };
        match bytes.get(*at) {
            Some(b'{') => {
                *at += 1;
                let mut keys = HashSet::new();
                loop {
                    skip_space(bytes, at);
                    match bytes.get(*at) {
                        Some(b'}') | None => {
                            *at += 1;
                            break;
                        }
                        Some(b',') => *at += 1,
                        Some(_) => {
                            let start = *at;
                            let key = string(bytes, at);
                            if !keys.insert(key.clone()) {
                                return Err((
                                    start,
                                    format!(
                                        "`{key}` is set twice in one object; keep one of the two"
                                    ),
                                ));
                            }
                            skip_space(bytes, at);
                            *at += 1; // the colon
                            place.children.push(Place::value(bytes, at)?);
                        }
                    }
                }
            }
            Some(b'[') => {
                *at += 1;
                loop {
                    skip_space(bytes, at);
                    match bytes.get(*at) {
                        Some(b']') | None => {
                            *at += 1;
                            break;
                        }
                        Some(b',') => *at += 1,
                        Some(_) => place.children.push(Place::value(bytes, at)?),
                    }
                }
            }
            Some(b'"') => {
                string(bytes, at);
            }
            _ => {
                while *at < bytes.len() && !b",]} \t\r\n".contains(&bytes[*at]) {
                    *at += 1;
                }
            }
        }
        Ok(place)
    }

    /// The place of an object's value for `key`.
    fn of<'a>(&'a self, object: &serde_json::Map<String, Value>, key: &str) -> &'a Place {
        object
            .keys()
            .position(|k| k == key)
            .and_then(|i| self.children.get(i))
            .unwrap_or(self)
    }
}

fn skip_space(bytes: &[u8], at: &mut usize) {
    while *at < bytes.len() && bytes[*at].is_ascii_whitespace() {
        *at += 1;
    }
}

/// The text of the string at `at`, escapes read as JSON reads them (so
/// that `"a"` and `"\u0061"` are one key, as they are to serde_json),
/// leaving `at` after it.
fn string(bytes: &[u8], at: &mut usize) -> String {
    let start = *at;
    *at += 1;
    while *at < bytes.len() && bytes[*at] != b'"' {
        if bytes[*at] == b'\\' {
            *at += 1;
        }
        *at += 1;
    }
    *at += 1;
    let raw = &bytes[start..(*at).min(bytes.len())];
    serde_json::from_slice(raw).unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
}

struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    batch: Batch,
    /// The source ids read so far.
    seen: HashSet<String>,
}

/// One task-master task (or subtask) with where it is.
struct Entry<'v> {
    object: &'v serde_json::Map<String, Value>,
    place: &'v Place,
}

impl<'a> Reader<'a> {
    fn error(&self, place: &Place, message: String) -> SourceError {
        let (line, column) = crate::task::line_column(self.text, place.offset);
        SourceError {
            file: self.file.to_path_buf(),
            line,
            column,
            message,
        }
    }

    fn root(&mut self, root: &Value, place: &Place) -> Result<(), SourceError> {
        let Value::Object(object) = root else {
            return Err(self.error(
                place,
                "is not task-master's tasks.json: it holds an object of tags, like \
                 {\"master\": {\"tasks\": [...]}}"
                    .into(),
            ));
        };
        if object.get("tasks").is_some_and(Value::is_array) {
            // The legacy format: one list, which task-master reads as master.
            return self.tag(MASTER, object, place);
        }
        for (name, value) in object {
            let tag_place = place.of(object, name);
            match value {
                Value::Object(tag) if tag.get("tasks").is_some_and(Value::is_array) => {
                    self.tag(name, tag, tag_place)?;
                }
                _ => {
                    if let Some(v) = short(value) {
                        self.drop("", name, v);
                    }
                }
            }
        }
        Ok(())
    }

    fn drop(&mut self, source_id: &str, field: &str, value: String) {
        self.batch.dropped.push(Dropped {
            source_id: source_id.to_owned(),
            field: field.to_owned(),
            value,
        });
    }

    fn tag(
        &mut self,
        name: &str,
        tag: &serde_json::Map<String, Value>,
        place: &Place,
    ) -> Result<(), SourceError> {
        let prefix = if name == MASTER {
            String::new()
        } else {
            format!("{name}/")
        };
        if let Some(Value::Object(metadata)) = tag.get("metadata")
            && let Some(Value::String(description)) = metadata.get("description")
        {
            // On no task: the tag's own, named by the tag.
            self.drop(name, "metadata.description", description.clone());
        }
        let tasks_place = place.of(tag, "tasks");
        // The callers pass only tags whose `tasks` is a list.
        let tasks = tag
            .get("tasks")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (i, task) in tasks.iter().enumerate() {
            let task_place = &tasks_place.children[i];
            let Value::Object(object) = task else {
                return Err(self.error(task_place, "a task must be an object".into()));
            };
            let entry = Entry {
                object,
                place: task_place,
            };
            let id = self.id(&entry)?;
            let source_id = format!("{prefix}{id}");
            self.task(&entry, &source_id, &prefix, None, name)?;
            if let Some(subtasks) = object.get("subtasks").filter(|s| !s.is_null()) {
                let subtasks_place = task_place.of(object, "subtasks");
                let Value::Array(subtasks) = subtasks else {
                    return Err(self.error(subtasks_place, "`subtasks` must be a list".into()));
                };
                for (j, subtask) in subtasks.iter().enumerate() {
                    let sub_place = &subtasks_place.children[j];
                    let Value::Object(sub) = subtask else {
                        return Err(self.error(sub_place, "a subtask must be an object".into()));
                    };
                    let sub_entry = Entry {
                        object: sub,
                        place: sub_place,
                    };
                    let sub_id = self.id(&sub_entry)?;
                    let sub_source = format!("{source_id}.{sub_id}");
                    self.task(
                        &sub_entry,
                        &sub_source,
                        &prefix,
                        Some((&source_id, &id)),
                        name,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// A task's `id`: a number, or a text of one (as newer task-master
    /// writes it).
    fn id(&self, entry: &Entry) -> Result<String, SourceError> {
        match entry.object.get("id") {
            Some(Value::Number(n)) if n.is_u64() => Ok(n.to_string()),
            Some(Value::String(s)) if !s.trim().is_empty() && !s.contains(['/', ' ']) => {
                Ok(s.trim().to_owned())
            }
            Some(_) => Err(self.error(
                entry.place.of(entry.object, "id"),
                "`id` must be a whole number, like 15".into(),
            )),
            None => Err(self.error(entry.place, "this task has no `id`".into())),
        }
    }

    /// One task; `parent` is the parent's source id and own id, for a
    /// subtask.
    fn task(
        &mut self,
        entry: &Entry,
        source_id: &str,
        prefix: &str,
        parent: Option<(&str, &str)>,
        tag: &str,
    ) -> Result<(), SourceError> {
        let object = entry.object;
        let at = |key: &str| entry.place.of(object, key);
        if !self.seen.insert(source_id.to_owned()) {
            return Err(self.error(
                at("id"),
                format!("a second task with the id {source_id}; give one of them another id"),
            ));
        }
        let (line, _) = crate::task::line_column(self.text, entry.place.offset);
        let mut task = Incoming {
            source_id: source_id.to_owned(),
            id_hint: source_id.to_owned(),
            file: Some(self.file.to_path_buf()),
            line,
            parent: parent.map(|(p, _)| p.to_owned()),
            kind: parent.map(|_| Kind::Subtask),
            ..Incoming::default()
        };
        if tag != MASTER {
            task.labels.push(format!("tag:{tag}"));
        }
        let text = |key: &str| -> Result<Option<String>, SourceError> {
            match object.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
                Some(_) => Err(self.error(at(key), format!("`{key}` must be a text"))),
            }
        };
        task.subject = match text("title")? {
            Some(title) => title.split_whitespace().collect::<Vec<_>>().join(" "),
            None if object.contains_key("title") => {
                return Err(self.error(
                    at("title"),
                    "`title` is empty; write what the task is".into(),
                ));
            }
            None => return Err(self.error(entry.place, "this task has no `title`".into())),
        };
        let mut description = Vec::new();
        if let Some(d) = text("description")? {
            description.push(d);
        }
        if let Some(d) = text("details")? {
            description.push(format!("## Details\n\n{d}"));
        }
        if let Some(d) = text("testStrategy")? {
            description.push(format!("## Test Strategy\n\n{d}"));
        }
        if !description.is_empty() {
            task.description = Some(description.join("\n\n"));
        }
        let mut dropped = Vec::new();
        task.status = match text("status")?.as_deref() {
            None | Some("pending") => Status::Pending,
            Some("in-progress") => Status::InProgress,
            Some("done" | "completed") => Status::Completed,
            Some("cancelled") => Status::Cancelled,
            Some(other) => {
                dropped.push(("status", other.to_owned()));
                if other == "review" {
                    Status::InProgress
                } else {
                    Status::Pending
                }
            }
        };
        task.priority = match text("priority")?.as_deref() {
            None => None,
            Some("critical") => Some(Priority::Critical),
            Some("high") => Some(Priority::High),
            Some("medium") => Some(Priority::Medium),
            Some("low") => Some(Priority::Low),
            Some(other) => {
                dropped.push(("priority", other.to_owned()));
                None
            }
        };
        task.owner = text("assignee")?;
        if let Some(created) = text("createdAt")? {
            task.created = Some(parse_time(&created).ok_or_else(|| {
                self.error(
                    at("createdAt"),
                    format!("`createdAt` `{created}` is not a time; write it like 2025-06-13T23:52:56.848Z"),
                )
            })?);
        }
        task.blocked_by = self.dependencies(entry, prefix, parent.map(|(_, id)| id))?;
        if let Some(tags) = object.get("tags") {
            task.labels.extend(self.words(tags, at("tags"), "tags")?);
        }
        if let Some(criteria) = object.get("acceptanceCriteria") {
            let lines = match criteria {
                Value::String(s) => s.lines().map(str::to_owned).collect(),
                other => self.words(other, at("acceptanceCriteria"), "acceptanceCriteria")?,
            };
            let met = task.status == Status::Completed;
            for line in lines {
                let line = line.trim();
                let line = line
                    .strip_prefix("- ")
                    .or_else(|| line.strip_prefix("* "))
                    .unwrap_or(line)
                    .trim();
                if !line.is_empty() {
                    task.criteria.push(Criterion {
                        text: line.to_owned(),
                        met,
                    });
                }
            }
        }
        if let Some(Value::Object(metadata)) = object.get("metadata") {
            for (key, value) in metadata {
                if let Some(value) = toml_of(value) {
                    task.meta.insert(key.clone(), value);
                }
            }
        }
        for (key, value) in object {
            let known = matches!(
                key.as_str(),
                "id" | "title"
                    | "description"
                    | "details"
                    | "testStrategy"
                    | "status"
                    | "priority"
                    | "dependencies"
                    | "subtasks"
                    | "assignee"
                    | "createdAt"
                    | "tags"
                    | "acceptanceCriteria"
                    | "metadata"
            );
            let restated = parent.is_some()
                && matches!(
                    key.as_str(),
                    "parentId" | "parentTaskId" | "parentTask" | "isSubtask"
                );
            if !known
                && !restated
                && let Some(v) = short(value)
            {
                dropped.push((key.as_str(), v));
            }
        }
        for (field, value) in dropped {
            self.drop(source_id, field, value);
        }
        self.batch.tasks.push(task);
        Ok(())
    }

    /// The source ids a task's `dependencies` name. On a subtask of
    /// `parent`, a number is a sibling (`15.1`), as task-master reads it.
    fn dependencies(
        &self,
        entry: &Entry,
        prefix: &str,
        parent: Option<&str>,
    ) -> Result<Vec<String>, SourceError> {
        let Some(value) = entry.object.get("dependencies") else {
            return Ok(Vec::new());
        };
        let place = entry.place.of(entry.object, "dependencies");
        let Value::Array(items) = value else {
            if value.is_null() {
                return Ok(Vec::new());
            }
            return Err(self.error(
                place,
                "`dependencies` must be a list of ids, like [1, 2]".into(),
            ));
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let id = match (item, parent) {
                (Value::Number(n), Some(parent)) if n.is_u64() => format!("{prefix}{parent}.{n}"),
                (Value::Number(n), None) if n.is_u64() => format!("{prefix}{n}"),
                (Value::String(s), _) if !s.trim().is_empty() => format!("{prefix}{}", s.trim()),
                _ => {
                    return Err(self.error(
                        &place.children[i],
                        "a dependency must be a task's id, like 3 or \"3.1\"".into(),
                    ));
                }
            };
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// A list of texts (or one text).
    fn words(&self, value: &Value, place: &Place, key: &str) -> Result<Vec<String>, SourceError> {
        let bad = || self.error(place, format!("`{key}` must be a list of texts"));
        match value {
            Value::Null => Ok(Vec::new()),
            Value::String(s) => Ok(vec![s.trim().to_owned()]),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(|s| s.trim().to_owned()).ok_or_else(bad))
                .collect(),
            _ => Err(bad()),
        }
    }
}

/// RFC 3339, as JavaScript's `toISOString()` writes it.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// A JSON value as TOML for `[meta]`: nulls have no TOML, so they (and
/// the lists and tables they are in, as far as they go) are left out.
fn toml_of(value: &Value) -> Option<toml::Value> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(items.iter().filter_map(toml_of).collect()),
        Value::Object(map) => toml::Value::Table(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), toml_of(v)?)))
                .collect(),
        ),
    })
}

/// A value, short, for the report; `None` for nothing (null, empty).
fn short(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) if s.trim().is_empty() => return None,
        Value::String(s) => s.clone(),
        Value::Array(a) if a.is_empty() => return None,
        Value::Object(o) if o.is_empty() => return None,
        other => other.to_string(),
    };
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 80 {
        text = text.chars().take(79).collect::<String>() + "…";
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::json_source::expect::{assert_tasks, dropped, strings};

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/task-master")
    }

    fn tasks_json() -> PathBuf {
        fixture().join(".taskmaster/tasks/tasks.json")
    }

    fn task(id: &str, line: usize, subject: &str) -> Incoming {
        Incoming {
            source_id: id.into(),
            id_hint: id.into(),
            file: Some(tasks_json()),
            line,
            subject: subject.into(),
            ..Incoming::default()
        }
    }

    fn sub(id: &str, line: usize, subject: &str, parent: &str) -> Incoming {
        Incoming {
            kind: Some(Kind::Subtask),
            parent: Some(parent.into()),
            ..task(id, line, subject)
        }
    }

    fn text(s: &str) -> Option<String> {
        Some(s.into())
    }

    /// The fixture, written to task-master's documented format, exactly.
    #[test]
    fn the_fixture_comes_in_whole() {
        let batch = read(&fixture(), &ReadOptions::default()).unwrap();
        let tag = || strings(&["tag:feature-x"]);
        let expected = vec![
            Incoming {
                status: Status::Completed,
                priority: Some(Priority::High),
                description: text(
                    "Create the repository and the build.\n\n## Details\n\n\
                     Initialise the repository.\nAdd the build script.\n\n\
                     ## Test Strategy\n\nRun the build on a clean clone.",
                ),
                ..task("1", 4, "Set up the project")
            },
            Incoming {
                status: Status::InProgress,
                priority: Some(Priority::Medium),
                blocked_by: strings(&["1"]),
                description: text(
                    "Read the PRD file.\n\n## Details\n\nSupport .txt and .md.\n\n\
                     ## Test Strategy\n\nUnit tests on both kinds of file.",
                ),
                ..task("2", 16, "Parse the input")
            },
            Incoming {
                status: Status::Completed,
                description: text(
                    "Open and read the file.\n\n## Details\n\nUse a buffered reader.",
                ),
                criteria: vec![
                    Criterion {
                        text: "Accepts a path".into(),
                        met: true,
                    },
                    Criterion {
                        text: "Returns the text".into(),
                        met: true,
                    },
                ],
                ..sub("2.1", 28, "Read the file", "2")
            },
            Incoming {
                status: Status::InProgress,
                blocked_by: strings(&["2.1"]),
                description: text(
                    "Find the headings.\n\n## Test Strategy\n\nA PRD of three sections gives three.",
                ),
                ..sub("2.2", 39, "Split the sections", "2")
            },
            Incoming {
                blocked_by: strings(&["2.2", "1"]),
                ..sub("2.3", 50, "Report errors", "2")
            },
            Incoming {
                priority: Some(Priority::Low),
                blocked_by: strings(&["2", "2.3"]),
                description: text("The user guide."),
                ..task("3", 64, "Write the docs")
            },
            Incoming {
                status: Status::Cancelled,
                priority: Some(Priority::Medium),
                description: text("No longer needed."),
                ..task("4", 82, "Drop the old parser")
            },
            Incoming {
                priority: Some(Priority::Critical),
                labels: tag(),
                description: text("What it does."),
                ..task("feature-x/1", 102, "Sketch feature X")
            },
            Incoming {
                labels: tag(),
                ..sub("feature-x/1.1", 112, "Ask the users", "feature-x/1")
            },
            Incoming {
                priority: Some(Priority::High),
                labels: tag(),
                blocked_by: strings(&["feature-x/1", "feature-x/1.1"]),
                ..task("feature-x/2", 124, "Build feature X")
            },
        ];
        assert_tasks(&batch.tasks, &expected);
        assert_eq!(
            batch.dropped,
            vec![
                dropped("master", "metadata.description", "Tasks for master context"),
                dropped("1", "previousStatus", "in-progress"),
                dropped("2.2", "status", "review"),
                dropped("3", "status", "deferred"),
                dropped("3", "complexity", "4"),
                dropped("3", "recommendedSubtasks", "2"),
                dropped("3", "expansionPrompt", "Break the guide into chapters."),
                dropped("3", "updatedAt", "2025-10-10T13:16:43.150Z"),
                dropped(
                    "feature-x",
                    "metadata.description",
                    "Tasks for feature-x context"
                ),
                dropped("feature-x/1", "status", "blocked"),
            ]
        );
        // The file itself reads the same as the project it is in.
        assert_eq!(read(&tasks_json(), &ReadOptions::default()).unwrap(), batch);
    }

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tasks.json");
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    #[test]
    fn the_legacy_format_is_the_master_tag() {
        let (_dir, file) = write(
            r#"{"tasks": [
  {"id": 7, "title": "Old", "status": "pending", "dependencies": [],
   "assignee": "ann", "tags": ["x"], "createdAt": "2025-06-13T23:52:56.848Z",
   "metadata": {"points": 3, "gone": null},
   "subtasks": [{"id": 1, "title": "Part", "status": "done", "dependencies": [], "parentId": "7"}]}
], "metadata": {"projectName": "p"}}"#,
        );
        let batch = read(&file, &ReadOptions::default()).unwrap();
        let ids: Vec<&str> = batch.tasks.iter().map(|t| t.source_id.as_str()).collect();
        assert_eq!(ids, ["7", "7.1"]);
        let old = &batch.tasks[0];
        assert_eq!(old.owner.as_deref(), Some("ann"));
        assert_eq!(old.labels, ["x"]);
        assert_eq!(
            old.created,
            Some(
                DateTime::parse_from_rfc3339("2025-06-13T23:52:56.848Z")
                    .unwrap()
                    .with_timezone(&Utc)
            )
        );
        let mut meta = toml::Table::new();
        meta.insert("points".into(), toml::Value::Integer(3));
        assert_eq!(old.meta, meta);
        assert_eq!(batch.tasks[1].parent.as_deref(), Some("7"));
        assert_eq!(batch.dropped, []);
    }

    #[test]
    fn malformed_files_name_the_line() {
        for (text, line, column, message) in [
            ("{\"master\": {\"tasks\": [}", 1, 23, "not valid JSON"),
            ("[1, 2]", 1, 1, "is not task-master's tasks.json"),
            (
                "{\"tasks\": [\n  {\"id\": 1, \"title\": \"a\", \"id\": 2}\n]}",
                2,
                27,
                "`id` is set twice",
            ),
            (
                "{\"tasks\": [\n  {\"id\": 1, \"title\": \"a\", \"\\u0069d\": 2}\n]}",
                2,
                27,
                "`id` is set twice",
            ),
            (
                "{\"tasks\": [\n  {\"id\": -1, \"title\": \"a\"}\n]}",
                2,
                10,
                "`id` must be a whole number",
            ),
            (
                "{\"tasks\": [\n  {\"title\": \"a\"}\n]}",
                2,
                3,
                "this task has no `id`",
            ),
            (
                "{\"tasks\": [\n  {\"id\": 1}\n]}",
                2,
                3,
                "this task has no `title`",
            ),
            (
                "{\"tasks\": [\n  {\"id\": 1, \"title\": 5}\n]}",
                2,
                22,
                "`title` must be a text",
            ),
            (
                "{\"tasks\": [\n  {\"id\": 1, \"title\": \"a\"},\n  {\"id\": \"1\", \"title\": \"b\"}\n]}",
                3,
                10,
                "a second task with the id 1",
            ),
            (
                "{\"tasks\": [\n  {\"id\": 1, \"title\": \"a\", \"dependencies\": [\n    true]}\n]}",
                3,
                5,
                "a dependency must be",
            ),
            (
                "{\"tasks\": [\n  {\"id\": 1, \"title\": \"a\", \"subtasks\": [\n    {\"id\": 1}]}\n]}",
                3,
                5,
                "this task has no `title`",
            ),
            (
                "{\"tasks\": [\n  {\"id\": 1, \"title\": \"a\", \"createdAt\": \"today\"}\n]}",
                2,
                40,
                "`createdAt` `today` is not a time",
            ),
        ] {
            let (_dir, file) = write(text);
            let error = read(&file, &ReadOptions::default()).unwrap_err();
            assert_eq!(error.file, file, "{text}");
            assert_eq!(
                (error.line, error.column),
                (line, column),
                "{text}: {error}"
            );
            assert!(error.message.starts_with(message), "{text}: {error}");
        }
    }

    #[test]
    fn a_project_without_tasks_json_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let error = read(dir.path(), &ReadOptions::default()).unwrap_err();
        assert_eq!(error.file, dir.path());
        assert!(
            error.message.contains(".taskmaster/tasks/tasks.json"),
            "{error}"
        );
    }
}
