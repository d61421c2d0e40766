//! Backlog.md: one Markdown file per task, YAML front matter on top and
//! the task's sections below, in `backlog/tasks/` (and `backlog/completed/`
//! for the tasks `backlog task complete` moved out of the board).
//!
//! The front matter is read as YAML with saphyr, not by matching lines:
//! Backlog.md writes it with js-yaml, which folds a long title over two
//! lines (`title: >-`) and quotes values as it sees fit, and people edit
//! the files by hand, flow lists and comments included. The sections are
//! found by their `## ` headings and the `<!-- ...:BEGIN -->` markers
//! Backlog.md puts inside them.
//!
//! What comes in where:
//! - `id` is the source id (`TASK-12`, `TASK-12.1`), `title` the subject;
//! - `status` by the project's `statuses` (config.yml): the first is
//!   pending, the last (Backlog.md's terminal status) completed, the
//!   others in progress; one that is not `In Progress` itself is reported,
//!   as is a status the config does not list (taken as pending). A file
//!   in `completed/` is completed;
//! - the first of `assignee` is the owner, without its `@`; the others
//!   are reported;
//! - `labels` are labels, and `milestone`, `type` and `project` become the
//!   labels `milestone:<name>`, `type:<name>` and `project:<name>`;
//! - `dependencies` are `blocked_by`, `parent_task_id` the parent (both
//!   spelled as the ids they name, matched as Backlog.md matches them:
//!   `task-1`, `TASK-01` and `1` all name TASK-1), and a task with a
//!   parent is of kind `subtask`;
//! - `priority` high, medium and low (and critical) as they are; another
//!   is reported;
//! - `created_date` is `created` and `due_date` `due` (Backlog.md writes
//!   its times in UTC);
//! - `references`, `documentation`, `modified_files` and `reporter` go to
//!   `[meta]`;
//! - `## Acceptance Criteria` and `## Definition of Done` items are
//!   criteria, checked ones met;
//! - `## Description` is the description, and the undated documents
//!   Backlog.md rewrites in place (`## Implementation Plan`,
//!   `## Implementation Notes`, `## Final Summary`, and any section of the
//!   user's own) follow it in the description under their headings:
//!   git-task's notes are a dated log, which these are not;
//! - `## Comments` are notes, with their author and time;
//! - `updated_date`, `ordinal`, `onStatusChange` and any other field are
//!   reported; `subtasks` is the other side of `parent_task_id`, so it is
//!   read from the children.
//!
//! Drafts (`backlog/drafts/`) and archived tasks (`backlog/archive/`) are
//! not read: Backlog.md has taken them off the board, and reuses the ids
//! of archived tasks.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

use super::{Batch, Dropped, Incoming, ReadOptions, SourceError};
use crate::task::{Criterion, Kind, Note, Priority, Status};

/// The statuses of a project whose config says none: Backlog.md's own.
const DEFAULT_STATUSES: [&str; 3] = ["To Do", "In Progress", "Done"];

/// Reads the Backlog.md tasks under `path`: a project's backlog folder
/// (the one with `tasks/` and `config.yml`), the project itself (with
/// `backlog/` or `.backlog/` in it, or a `backlog.config.yml` whose
/// `backlog_directory` names the folder), or a `tasks/` folder. Pure: it
/// reads the files and maps them, and writes nothing.
pub fn read(path: &Path, _options: &ReadOptions) -> Result<Batch, SourceError> {
    let place = locate(path)?;
    let statuses = match &place.config {
        Some(config) => read_statuses(config)?,
        None => DEFAULT_STATUSES.iter().map(|s| s.to_string()).collect(),
    };
    let mut batch = Batch::default();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for (dir, completed) in &place.dirs {
        for file in markdown_files(dir)? {
            let text = read_text(&file)?;
            let (task, dropped) = read_task(&file, &text, &statuses, *completed)?;
            if let Some(other) = seen.get(&task.source_id.to_lowercase()) {
                return Err(SourceError {
                    file: file.clone(),
                    line: task.line,
                    column: 0,
                    message: format!(
                        "`{}` is also the id of {}; give one of the two tasks another id",
                        task.source_id,
                        other.display()
                    ),
                });
            }
            seen.insert(task.source_id.to_lowercase(), file.clone());
            batch.tasks.push(task);
            batch.dropped.extend(dropped);
        }
    }
    // Backlog.md lists tasks by id, numbers as numbers (TASK-2 before
    // TASK-10); the order of the directory listing is the file system's.
    batch.tasks.sort_by_cached_key(|t| id_key(&t.source_id));
    canonical_references(&mut batch.tasks);
    batch.dropped.sort_by_cached_key(|d| id_key(&d.source_id));
    Ok(batch)
}

/// Where the task files and the config are.
struct Place {
    config: Option<PathBuf>,
    /// The folders of task files, and whether their tasks are done.
    dirs: Vec<(PathBuf, bool)>,
}

fn locate(path: &Path) -> Result<Place, SourceError> {
    if !path.is_dir() {
        return Err(SourceError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message:
                "is not a folder; give Backlog.md's backlog folder (the one with tasks/ in it)"
                    .into(),
        });
    }
    // The config is the backlog folder's config.yml, or the project's
    // backlog.config.yml, which may name the backlog folder.
    let root_config =
        |project: &Path| Some(project.join("backlog.config.yml")).filter(|c| c.is_file());
    let folder_config = |backlog: &Path| {
        Some(backlog.join("config.yml"))
            .filter(|c| c.is_file())
            .or_else(|| backlog.parent().and_then(root_config))
    };
    let backlog = if path.join("tasks").is_dir() {
        Some((path.to_path_buf(), folder_config(path)))
    } else if let Some(config) = root_config(path) {
        let named = read_config(&config)?.directory.map(|dir| path.join(dir));
        let dir = named.or_else(|| {
            ["backlog", ".backlog"]
                .iter()
                .map(|name| path.join(name))
                .find(|dir| dir.join("tasks").is_dir())
        });
        dir.map(|dir| (dir, Some(config)))
    } else {
        ["backlog", ".backlog"]
            .iter()
            .map(|name| path.join(name))
            .find(|dir| dir.join("tasks").is_dir())
            .map(|dir| {
                let config = folder_config(&dir);
                (dir, config)
            })
    };
    let place = match backlog {
        Some((backlog, config)) => {
            let mut dirs = vec![(backlog.join("tasks"), false)];
            if backlog.join("completed").is_dir() {
                dirs.push((backlog.join("completed"), true));
            }
            Place { config, dirs }
        }
        None => {
            // A tasks/ (or completed/) folder given itself: the config is
            // beside it, if anywhere.
            let completed = path.file_name().is_some_and(|n| n == "completed");
            Place {
                config: path.parent().and_then(folder_config),
                dirs: vec![(path.to_path_buf(), completed)],
            }
        }
    };
    Ok(place)
}

fn markdown_files(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let io = |e: std::io::Error| SourceError {
        file: dir.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot read the folder: {e}"),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == "md") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read_text(file: &Path) -> Result<String, SourceError> {
    let bytes = std::fs::read(file).map_err(|e| SourceError {
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot read the file: {e}"),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let before = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        SourceError {
            file: file.to_path_buf(),
            line: before.iter().filter(|b| **b == b'\n').count() + 1,
            column: 0,
            message: "is not UTF-8 text".into(),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(text.replace("\r\n", "\n"))
}

/// What of a config file the import reads.
#[derive(Default)]
struct Config {
    /// `backlog_directory` of the project's backlog.config.yml: where the
    /// backlog folder is, when it is not `backlog/`.
    directory: Option<String>,
    /// The statuses in their order; empty when the config names none.
    statuses: Vec<String>,
}

/// The statuses of the config, Backlog.md's own when it names none.
fn read_statuses(config: &Path) -> Result<Vec<String>, SourceError> {
    let statuses = read_config(config)?.statuses;
    if statuses.is_empty() {
        return Ok(DEFAULT_STATUSES.iter().map(|s| s.to_string()).collect());
    }
    Ok(statuses)
}

fn read_config(config: &Path) -> Result<Config, SourceError> {
    let text = read_text(config)?;
    let root = load_yaml(config, &text, 1)?;
    let at = |node: &MarkedYaml, message: String| error_at(config, 1, node, message);
    let statuses = match get(&root, "statuses") {
        Some(node) => texts(node).map_err(|m| at(node, format!("`statuses` {m}")))?,
        None => Vec::new(),
    };
    Ok(Config {
        directory: get(&root, "backlog_directory").and_then(text_of),
        statuses,
    })
}

/// One task file: the task and what of it had no place.
fn read_task(
    file: &Path,
    text: &str,
    statuses: &[String],
    completed: bool,
) -> Result<(Incoming, Vec<Dropped>), SourceError> {
    let fail = |line: usize, message: String| SourceError {
        file: file.to_path_buf(),
        line,
        column: 0,
        message,
    };
    let (front, body, body_line) = split_front_matter(text).ok_or_else(|| {
        fail(
            1,
            "has no front matter: a Backlog.md task file begins with a line `---`, \
             its fields (id, title, status, ...), and another line `---`"
                .into(),
        )
    })?;
    // The front matter starts on line 2, after the first `---`.
    let front = quote_names(front);
    let root = load_yaml(file, &front, 2)?;
    let YamlData::Mapping(fields) = &root.data else {
        return Err(error_at(
            file,
            2,
            &root,
            "the front matter is not a list of fields like `id: TASK-1`".into(),
        ));
    };
    let at = |node: &MarkedYaml, message: String| error_at(file, 2, node, message);
    let line_of = |node: &MarkedYaml| node.span.start.line() + 1;

    let id_node = get(&root, "id").ok_or_else(|| fail(2, "has no `id` field".into()))?;
    let source_id = text_of(id_node)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            at(
                id_node,
                "`id` is empty; write the task's id, like TASK-1".into(),
            )
        })?
        .trim()
        .to_owned();
    let mut task = Incoming {
        id_hint: source_id.clone(),
        source_id: source_id.clone(),
        file: Some(file.to_path_buf()),
        line: line_of(id_node),
        ..Incoming::default()
    };
    let mut dropped = Vec::new();
    let mut drop = |field: &str, value: String| {
        dropped.push(Dropped {
            source_id: source_id.clone(),
            field: field.to_owned(),
            value,
        })
    };
    let mut title = None;
    let mut status_text = None;

    for (key, value) in fields {
        let Some(name) = text_of(key) else {
            return Err(at(key, "a field has no name".into()));
        };
        let one = || {
            text_of(value)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let many = || texts(value).map_err(|m| at(value, format!("`{name}` {m}")));
        match name.as_str() {
            "id" => {}
            "title" => {
                // A folded or literal title of several lines is one line
                // in git-task.
                let text = one().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
                title = Some((text, value));
            }
            "status" => status_text = Some((one(), value)),
            "assignee" => {
                let mut people = many()?.into_iter();
                task.owner = people
                    .next()
                    .map(|p| p.strip_prefix('@').unwrap_or(&p).to_owned());
                for other in people {
                    drop("assignee", other);
                }
            }
            "labels" => task.labels.extend(many()?),
            "milestone" | "type" | "project" => {
                for v in many()? {
                    task.labels.push(format!("{name}:{v}"));
                }
            }
            "dependencies" => task.blocked_by = many()?,
            "parent_task_id" => {
                task.parent = one();
                task.kind = task.parent.as_ref().map(|_| Kind::Subtask);
            }
            "priority" => {
                if let Some(p) = one() {
                    match p.to_lowercase().as_str() {
                        "critical" => task.priority = Some(Priority::Critical),
                        "high" => task.priority = Some(Priority::High),
                        "medium" => task.priority = Some(Priority::Medium),
                        "low" => task.priority = Some(Priority::Low),
                        _ => drop("priority", p),
                    }
                }
            }
            "created_date" => {
                if let Some(t) = one() {
                    task.created = Some(parse_time(&t).ok_or_else(|| {
                        at(
                            value,
                            format!(
                                "`created_date` `{t}` is not a time; write it like 2026-12-03 05:37"
                            ),
                        )
                    })?);
                }
            }
            "due_date" => {
                if let Some(t) = one() {
                    let due = parse_time(&t).ok_or_else(|| {
                        at(
                            value,
                            format!("`due_date` `{t}` is not a date; write it like 2026-12-24"),
                        )
                    })?;
                    task.due = Some(due.date_naive());
                    if t.len() > "2026-12-24".len() {
                        drop("due_date", format!("the time of day of {t}"));
                    }
                }
            }
            "references" | "documentation" | "modified_files" => {
                let list = many()?;
                if !list.is_empty() {
                    task.meta.insert(
                        name.clone(),
                        toml::Value::Array(list.into_iter().map(toml::Value::String).collect()),
                    );
                }
            }
            "reporter" => {
                if let Some(r) = one() {
                    task.meta.insert(name.clone(), toml::Value::String(r));
                }
            }
            // The other side of the children's `parent_task_id`.
            "subtasks" => {}
            _ => {
                if let Some(v) = short(value) {
                    drop(&name, v);
                }
            }
        }
    }

    task.subject = match title {
        Some((Some(t), _)) => t,
        Some((None, node)) => {
            return Err(at(node, "`title` is empty; write what the task is".into()));
        }
        None => return Err(fail(2, "has no `title` field".into())),
    };
    task.status = if completed {
        Status::Completed
    } else {
        match status_text {
            Some((Some(s), _)) => {
                let (status, report) = map_status(&s, statuses);
                if report {
                    drop("status", s);
                }
                status
            }
            _ => Status::Pending,
        }
    };

    let sections = read_body(body, body_line);
    let mut description = Vec::new();
    for section in sections {
        match section.kind() {
            SectionKind::Description => description.push(section.content()),
            SectionKind::Checklist => {
                for (_, text) in section.lines_between_markers() {
                    match checkbox(text) {
                        Some(c) => task.criteria.push(c),
                        None if text.trim().is_empty() => {}
                        None => drop(&section.title, text.trim().to_owned()),
                    }
                }
            }
            SectionKind::Comments => {
                for comment in comments(&section.lines_between_markers()) {
                    let at = comment
                        .created
                        .as_deref()
                        .and_then(parse_time)
                        .or(task.created);
                    match at {
                        Some(at) => task.notes.push(Note {
                            at,
                            by: comment.author,
                            text: comment.body,
                        }),
                        None => drop("Comments", comment.body),
                    }
                }
            }
            SectionKind::Other => {
                let content = section.content();
                if content.is_empty() {
                    continue;
                }
                match &section.heading {
                    Some(heading) => description.push(format!("{heading}\n\n{content}")),
                    None => description.push(content),
                }
            }
        }
    }
    let description: Vec<String> = description.into_iter().filter(|d| !d.is_empty()).collect();
    if !description.is_empty() {
        task.description = Some(description.join("\n\n"));
    }
    Ok((task, dropped))
}

/// git-task's status for Backlog.md's `status`, and whether something of
/// it had no place (a status between the first and the last that is not
/// `In Progress` itself, or one the config does not list).
fn map_status(status: &str, statuses: &[String]) -> (Status, bool) {
    let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
    let Some(position) = statuses.iter().position(|s| same(s, status)) else {
        return (Status::Pending, true);
    };
    if position + 1 == statuses.len() {
        (Status::Completed, false)
    } else if position == 0 {
        (Status::Pending, false)
    } else {
        (Status::InProgress, !same(status, "In Progress"))
    }
}

/// The front matter, the body after it, and the body's first line.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text.strip_prefix("---\n")?;
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            // Line 1 is the opening `---`, the front matter's lines follow,
            // then the closing `---`.
            return Some((front, body, i + 3));
        }
        offset += line.len();
    }
    None
}

/// The front matter with `@name` values quoted, as Backlog.md quotes
/// them before it parses: `assignee: @alice` and `assignee: [@a, @b]`
/// are what people write by hand, and `@` cannot start a plain YAML
/// value. Lines stay where they are, so errors name the file's lines.
fn quote_names(front: &str) -> std::borrow::Cow<'_, str> {
    let quote = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
    let mut changed = false;
    let lines: Vec<String> = front
        .lines()
        .map(|line| {
            let key = ["assignee:", "reporter:"]
                .iter()
                .find(|k| line.trim_start().starts_with(**k));
            let Some(key) = key else {
                return line.to_owned();
            };
            let split = line.find(key).expect("found above") + key.len();
            let (prefix, value) = line.split_at(split);
            let value = value.trim();
            let quoted =
                if let Some(inner) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                    let items: Vec<String> = inner
                        .split(',')
                        .map(str::trim)
                        .filter(|i| !i.is_empty())
                        .map(|i| {
                            if i.starts_with('@') {
                                quote(i)
                            } else {
                                i.to_owned()
                            }
                        })
                        .collect();
                    format!("[{}]", items.join(", "))
                } else if value.starts_with('@') {
                    quote(value)
                } else {
                    return line.to_owned();
                };
            changed = true;
            format!("{prefix} {quoted}")
        })
        .collect();
    if changed {
        std::borrow::Cow::Owned(lines.join("\n"))
    } else {
        std::borrow::Cow::Borrowed(front)
    }
}

/// A YAML document whose first line is line `first_line` of `file`.
fn load_yaml<'a>(
    file: &Path,
    text: &'a str,
    first_line: usize,
) -> Result<MarkedYaml<'a>, SourceError> {
    let mut docs = MarkedYaml::load_from_str(text).map_err(|e| SourceError {
        file: file.to_path_buf(),
        line: e.marker().line() + first_line - 1,
        column: e.marker().col() + 1,
        message: format!("not valid YAML: {}", e.info()),
    })?;
    Ok(if docs.is_empty() {
        MarkedYaml {
            span: Default::default(),
            data: YamlData::Mapping(Default::default()),
        }
    } else {
        docs.swap_remove(0)
    })
}

fn error_at(file: &Path, first_line: usize, node: &MarkedYaml, message: String) -> SourceError {
    SourceError {
        file: file.to_path_buf(),
        line: node.span.start.line() + first_line - 1,
        column: node.span.start.col() + 1,
        message,
    }
}

fn get<'a, 'b>(node: &'b MarkedYaml<'a>, key: &str) -> Option<&'b MarkedYaml<'a>> {
    let YamlData::Mapping(map) = &node.data else {
        return None;
    };
    map.iter()
        .find(|(k, _)| text_of(k).as_deref() == Some(key))
        .map(|(_, v)| v)
}

/// A scalar as text, as Backlog.md reads it (`String(value)`); `None` for
/// null, a list or a mapping.
fn text_of(node: &MarkedYaml) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::Null) => None,
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        YamlData::Representation(s, _, _) => Some(s.to_string()),
        YamlData::Tagged(_, inner) => text_of(inner),
        _ => None,
    }
}

/// A list of scalars (or one scalar, or nothing) as texts.
fn texts(node: &MarkedYaml) -> Result<Vec<String>, String> {
    match &node.data {
        YamlData::Value(Scalar::Null) => Ok(Vec::new()),
        YamlData::Sequence(items) => items
            .iter()
            .filter(|item| !matches!(item.data, YamlData::Value(Scalar::Null)))
            .map(|item| {
                text_of(item)
                    .map(|s| s.trim().to_owned())
                    .ok_or_else(|| "must be a list of words, not of lists or fields".to_owned())
            })
            .filter(|s| s.as_ref().map_or(true, |s| !s.is_empty()))
            .collect(),
        _ => match text_of(node) {
            Some(s) if s.trim().is_empty() => Ok(Vec::new()),
            Some(s) => Ok(vec![s.trim().to_owned()]),
            None => Err("must be a list, like [a, b]".into()),
        },
    }
}

/// A field's value, short, for the report.
fn short(node: &MarkedYaml) -> Option<String> {
    let text = match &node.data {
        YamlData::Sequence(items) => {
            let items: Vec<String> = items.iter().filter_map(short).collect();
            if items.is_empty() {
                return None;
            }
            items.join(", ")
        }
        YamlData::Mapping(_) => "a mapping".into(),
        _ => text_of(node)?,
    };
    let mut text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > 80 {
        text = text.chars().take(79).collect::<String>() + "…";
    }
    Some(text)
}

/// A time as Backlog.md writes it: `2026-12-03 05:37` in UTC, an RFC 3339
/// time, or a date alone (its midnight, UTC).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%MZ",
        "%Y-%m-%dT%H:%M:%SZ",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// One `## ` section of the body, or the text before the first.
struct Section<'a> {
    /// The heading line as written (`## Description`); `None` for the text
    /// before the first heading.
    heading: Option<&'a str>,
    /// The heading's title (`Description`).
    title: String,
    /// The lines under the heading, with their 1-based line numbers.
    lines: Vec<(usize, &'a str)>,
}

enum SectionKind {
    Description,
    Checklist,
    Comments,
    Other,
}

impl<'a> Section<'a> {
    fn kind(&self) -> SectionKind {
        let title = self.title.to_lowercase();
        match title.as_str() {
            "description" => SectionKind::Description,
            "acceptance criteria" | "acceptance criteria (optional)" | "definition of done" => {
                SectionKind::Checklist
            }
            "comments" => SectionKind::Comments,
            _ => SectionKind::Other,
        }
    }

    /// The lines inside the section's `<!-- ...:BEGIN -->` and `END`
    /// markers, or all of them when it has none.
    fn lines_between_markers(&self) -> Vec<(usize, &'a str)> {
        let begin = self.lines.iter().position(|(_, l)| is_marker(l, "BEGIN"));
        let end = self.lines.iter().rposition(|(_, l)| is_marker(l, "END"));
        match (begin, end) {
            (Some(b), Some(e)) if b < e => self.lines[b + 1..e].to_vec(),
            _ => self
                .lines
                .iter()
                .filter(|(_, l)| !is_marker(l, "BEGIN") && !is_marker(l, "END"))
                .copied()
                .collect(),
        }
    }

    /// The section's text without its markers, trimmed of blank lines.
    fn content(&self) -> String {
        let lines: Vec<&str> = self
            .lines
            .iter()
            .map(|(_, l)| *l)
            .filter(|l| !is_section_marker(l))
            .collect();
        lines.join("\n").trim_matches('\n').trim_end().to_owned()
    }
}

/// `<!-- SECTION:DESCRIPTION:BEGIN -->`, `<!-- AC:END -->` and the like.
fn is_marker(line: &str, which: &str) -> bool {
    let line = line.trim();
    line.starts_with("<!--")
        && line.ends_with("-->")
        && line
            .trim_start_matches("<!--")
            .trim_end_matches("-->")
            .trim()
            .ends_with(&format!(":{which}"))
}

fn is_section_marker(line: &str) -> bool {
    let inner = line.trim();
    (is_marker(inner, "BEGIN") || is_marker(inner, "END")) && inner.contains("SECTION:")
}

/// The body split at its `## ` headings (not those inside code fences).
fn read_body(body: &str, first_line: usize) -> Vec<Section<'_>> {
    let mut sections = vec![Section {
        heading: None,
        title: String::new(),
        lines: Vec::new(),
    }];
    let mut fence = false;
    for (i, line) in body.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
        }
        let title = line
            .strip_prefix("##")
            .filter(|rest| rest.starts_with([' ', '\t']))
            .map(str::trim);
        match title {
            Some(title) if !fence => sections.push(Section {
                heading: Some(line.trim_end()),
                title: title.to_owned(),
                lines: Vec::new(),
            }),
            _ => sections
                .last_mut()
                .expect("there is always a section")
                .lines
                .push((first_line + i, line)),
        }
    }
    sections
}

/// `- [ ] #1 text` or `- [x] text`, as a criterion.
fn checkbox(line: &str) -> Option<Criterion> {
    let rest = line.trim().strip_prefix("- [")?;
    let (mark, rest) = rest.split_at_checked(1)?;
    let rest = rest.strip_prefix("] ")?;
    let met = match mark {
        " " => false,
        "x" | "X" => true,
        _ => return None,
    };
    let text = match rest.strip_prefix('#') {
        Some(numbered) => match numbered.split_once(' ') {
            Some((n, text)) if n.bytes().all(|b| b.is_ascii_digit()) => text,
            _ => rest,
        },
        None => rest,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| Criterion {
        text: text.to_owned(),
        met,
    })
}

struct Comment {
    author: Option<String>,
    created: Option<String>,
    body: String,
}

/// The comments of a `## Comments` section: each its `author:` and
/// `created:` lines, then its text between two `---` lines (or, as older
/// Backlog.md wrote them, between `<!-- COMMENT:BEGIN -->` and `END`, the
/// text after the first blank line).
fn comments(lines: &[(usize, &str)]) -> Vec<Comment> {
    let lines: Vec<&str> = lines.iter().map(|(_, l)| *l).collect();
    let mut out = Vec::new();
    let meta = |lines: &[&str]| {
        let mut fields = BTreeMap::new();
        for line in lines {
            if let Some((key, value)) = line.split_once(':') {
                let key = key.trim().to_lowercase();
                let value = value.trim();
                if !value.is_empty() && key.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
                    fields.insert(key, value.to_owned());
                }
            }
        }
        fields
    };
    let mut push = |head: &[&str], body: &[&str]| {
        let body = body.join("\n").trim().to_owned();
        if body.is_empty() {
            return;
        }
        let mut fields = meta(head);
        out.push(Comment {
            author: fields.remove("author"),
            created: fields.remove("created"),
            body,
        });
    };
    if lines.iter().any(|l| l.trim() == "<!-- COMMENT:BEGIN -->") {
        let mut block: Option<Vec<&str>> = None;
        for line in &lines {
            match line.trim() {
                "<!-- COMMENT:BEGIN -->" => block = Some(Vec::new()),
                "<!-- COMMENT:END -->" => {
                    if let Some(block) = block.take() {
                        let text = block.join("\n");
                        let text = text.trim();
                        let (head, body) = match text.split_once("\n\n") {
                            Some((head, body)) => (head.lines().collect::<Vec<_>>(), body),
                            None => (Vec::new(), text),
                        };
                        push(&head, &[body]);
                    }
                }
                _ => {
                    if let Some(block) = &mut block {
                        block.push(line);
                    }
                }
            }
        }
        return out;
    }
    let mut i = 0;
    let delimiter = |l: &str| l.trim() == "---";
    while i < lines.len() {
        while i < lines.len() && lines[i].trim().is_empty() {
            i += 1;
        }
        let head_start = i;
        while i < lines.len() && !delimiter(lines[i]) {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        let head = &lines[head_start..i];
        i += 1;
        let body_start = i;
        while i < lines.len() && !delimiter(lines[i]) {
            i += 1;
        }
        if i >= lines.len() {
            break;
        }
        push(head, &lines[body_start..i]);
        i += 1;
    }
    out
}

/// The key Backlog.md's ids sort by: their words and numbers, numbers as
/// numbers (`task-2` < `task-2.1` < `task-10`).
fn id_key(id: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let id = id.to_lowercase();
    let mut rest = id.as_str();
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            let (number, tail) = rest.split_at(digits);
            key.push((number.parse().unwrap_or(u64::MAX), String::new()));
            rest = tail;
        } else {
            let word = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let (text, tail) = rest.split_at(word);
            key.push((0, text.to_owned()));
            rest = tail;
        }
    }
    key
}

/// References spelled as the ids they name. Backlog.md matches ids as
/// it does (`taskIdsEqual`): without regard to case, and by their numbers
/// (`task-1`, `TASK-01` and a bare `1` all name TASK-1).
fn canonical_references(tasks: &mut [Incoming]) {
    let exact: HashMap<String, String> = tasks
        .iter()
        .map(|t| (t.source_id.to_lowercase(), t.source_id.clone()))
        .collect();
    let mut by_number: HashMap<(Option<String>, Vec<u64>), Vec<String>> = HashMap::new();
    for task in tasks.iter() {
        if let Some((prefix, number)) = numbered(&task.source_id) {
            by_number
                .entry((prefix, number.clone()))
                .or_default()
                .push(task.source_id.clone());
            by_number
                .entry((None, number))
                .or_default()
                .push(task.source_id.clone());
        }
    }
    let canonical = |r: &str| {
        if let Some(id) = exact.get(&r.to_lowercase()) {
            return id.clone();
        }
        match numbered(r).and_then(|key| by_number.get(&key)) {
            Some(ids) if ids.len() == 1 => ids[0].clone(),
            _ => r.to_owned(),
        }
    };
    for task in tasks {
        task.parent = task.parent.as_deref().map(canonical);
        task.blocked_by = task.blocked_by.iter().map(|r| canonical(r)).collect();
    }
}

/// An id's prefix (lower case) and numbers: `TASK-12.1` is
/// (`task`, [12, 1]), `3` (none, [3]); `None` for an id of another shape.
fn numbered(id: &str) -> Option<(Option<String>, Vec<u64>)> {
    let id = id.trim();
    let (prefix, body) = match id.rsplit_once('-') {
        Some((prefix, body)) if prefix.chars().all(|c| c.is_ascii_alphabetic()) => {
            (Some(prefix.to_lowercase()), body)
        }
        Some(_) => return None,
        None => (None, id),
    };
    let numbers = body
        .split('.')
        .map(|n| {
            (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| n.parse().ok())
                .flatten()
        })
        .collect::<Option<Vec<u64>>>()?;
    Some((prefix, numbers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::json_source::expect::{assert_tasks, criterion, dropped, strings};

    fn fixture() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/backlog/backlog")
    }

    fn at(text: &str) -> DateTime<Utc> {
        parse_time(text).unwrap()
    }

    fn task(id: &str, file: &str, subject: &str) -> Incoming {
        Incoming {
            source_id: id.into(),
            id_hint: id.into(),
            file: Some(fixture().join(file)),
            line: 2,
            subject: subject.into(),
            created: Some(at("2026-12-03 05:37")),
            ..Incoming::default()
        }
    }

    /// The tasks Backlog.md 1.52.0 wrote (tests/fixtures/import/backlog/
    /// make.sh), exactly.
    #[test]
    fn the_fixture_comes_in_whole() {
        let batch = read(&fixture(), &ReadOptions::default()).unwrap();
        let mut meta = toml::Table::new();
        meta.insert(
            "references".into(),
            toml::Value::Array(vec!["https://example.com/issue/7".into()]),
        );
        meta.insert(
            "documentation".into(),
            toml::Value::Array(vec!["docs/x.md".into()]),
        );
        let expected = vec![
            Incoming {
                status: Status::InProgress,
                priority: Some(Priority::High),
                owner: Some("alice".into()),
                labels: strings(&["design", "db"]),
                description: Some(
                    "What the tables hold.\n\nTwo paragraphs.\n\n\
                     ## Implementation Plan\n\n1. List tables\n2. Name keys\n\n\
                     ## Implementation Notes\n\nChose UUID keys."
                        .into(),
                ),
                criteria: vec![
                    criterion("Tables listed", true),
                    criterion("Keys named", false),
                ],
                ..task(
                    "TASK-1",
                    "tasks/task-1 - Design-the-schema.md",
                    "Design the schema",
                )
            },
            Incoming {
                priority: Some(Priority::Medium),
                blocked_by: strings(&["TASK-1"]),
                due: NaiveDate::from_ymd_opt(2026, 12, 24),
                labels: strings(&["db"]),
                description: Some("Migrate the data.".into()),
                ..task(
                    "TASK-2",
                    "tasks/task-2 - Write-the-migration.md",
                    "Write the migration",
                )
            },
            Incoming {
                parent: Some("TASK-2".into()),
                kind: Some(Kind::Subtask),
                criteria: vec![criterion("Rows counted", false)],
                ..task(
                    "TASK-2.1",
                    "tasks/task-2.1 - Backfill-old-rows.md",
                    "Backfill old rows",
                )
            },
            Incoming {
                status: Status::InProgress,
                priority: Some(Priority::Low),
                blocked_by: strings(&["TASK-1", "TASK-2"]),
                ..task(
                    "TASK-3",
                    "tasks/task-3 - Review-the-migration.md",
                    "Review the migration",
                )
            },
            Incoming {
                status: Status::Completed,
                description: Some("## Final Summary\n\nCI runs on push.".into()),
                ..task("TASK-4", "completed/task-4 - Set-up-CI.md", "Set up CI")
            },
            Incoming {
                owner: Some("carol".into()),
                labels: strings(&["needs review", "ops", "milestone:v1", "type:bug"]),
                criteria: vec![criterion("Docs updated", false)],
                notes: vec![
                    Note {
                        at: at("2026-12-03 05:37"),
                        by: Some("dave".into()),
                        text: "First comment.\nSecond line.".into(),
                    },
                    Note {
                        at: at("2026-12-03 05:37"),
                        by: None,
                        text: "Another.".into(),
                    },
                ],
                meta,
                ..task(
                    "TASK-5",
                    "tasks/task-5 - Fix-the-quote-case-2-really.md",
                    "Fix: the 'quote' case #2 \"really\"",
                )
            },
            Incoming {
                labels: strings(&["x: y"]),
                ..task(
                    "TASK-6",
                    "tasks/task-6 - A-very-long-title-that-goes-on-and-on-past-the-eighty-column-line-width-that-js-yaml-folds-at.md",
                    "A very long title that goes on and on past the eighty column line width that js-yaml folds at",
                )
            },
        ];
        assert_tasks(&batch.tasks, &expected);
        assert_eq!(
            batch.dropped,
            vec![
                dropped("TASK-1", "assignee", "@bob"),
                dropped("TASK-1", "updated_date", "2026-12-03 05:37"),
                dropped("TASK-1", "ordinal", "1000"),
                dropped("TASK-2", "ordinal", "2000"),
                dropped("TASK-2.1", "ordinal", "4000"),
                dropped("TASK-3", "ordinal", "3000"),
                dropped("TASK-3", "status", "In Review"),
                dropped("TASK-4", "ordinal", "5000"),
                dropped("TASK-5", "updated_date", "2026-12-03 05:37"),
                dropped("TASK-5", "ordinal", "6000"),
                dropped("TASK-6", "ordinal", "7000"),
            ]
        );
    }

    #[test]
    fn the_project_or_its_tasks_folder_may_be_given() {
        let whole = read(&fixture(), &ReadOptions::default()).unwrap();
        let root = read(fixture().parent().unwrap(), &ReadOptions::default()).unwrap();
        assert_eq!(root, whole);
        // The tasks folder alone: the board without completed/, with the
        // config beside it (In Review is still a status between).
        let tasks = read(&fixture().join("tasks"), &ReadOptions::default()).unwrap();
        let ids: Vec<&str> = tasks.tasks.iter().map(|t| t.source_id.as_str()).collect();
        assert_eq!(
            ids,
            ["TASK-1", "TASK-2", "TASK-2.1", "TASK-3", "TASK-5", "TASK-6"]
        );
        assert_eq!(tasks.tasks[3].status, Status::InProgress);
    }

    #[test]
    fn statuses_follow_the_config() {
        let statuses = strings(&["Backlog", "In Progress", "Blocked", "Shipped"]);
        for (status, want) in [
            ("Backlog", (Status::Pending, false)),
            ("backlog", (Status::Pending, false)),
            ("In Progress", (Status::InProgress, false)),
            ("Blocked", (Status::InProgress, true)),
            ("Shipped", (Status::Completed, false)),
            ("Done", (Status::Pending, true)),
        ] {
            assert_eq!(map_status(status, &statuses), want, "{status}");
        }
    }

    /// A backlog folder with one task file of `text` (and the config).
    fn one_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tasks")).unwrap();
        let file = dir.path().join("tasks/task-1 - One.md");
        std::fs::write(&file, text).unwrap();
        (dir, file)
    }

    fn error_of(text: &str) -> (SourceError, PathBuf) {
        let (dir, file) = one_file(text);
        let error = read(dir.path(), &ReadOptions::default()).unwrap_err();
        (error, file)
    }

    #[test]
    fn hand_written_files_read_as_backlog_md_reads_them() {
        let (dir, _) = one_file(
            "---\nid: task-1\ntitle: One\nstatus: done\nassignee: [@ann, bo]\n\
             dependencies: [TASK-2]\nparent_task_id: Task-2\nsubtasks: [task-1.1]\n\
             created_date: 2026-01-02\nsomething: [a, b]\n---\n\
             Text before any heading.\n\n## Description\n\nNo markers here.\n\n\
             ## Acceptance Criteria\n- [X] Works\nnot a box\n\n## Why\n\n```\n## not a heading\n```\n",
        );
        std::fs::write(
            dir.path().join("tasks/task-2 - Two.md"),
            "---\nid: TASK-2\ntitle: Two\n---\n",
        )
        .unwrap();
        let batch = read(dir.path(), &ReadOptions::default()).unwrap();
        let one = &batch.tasks[0];
        assert_eq!(one.source_id, "task-1");
        assert_eq!(one.status, Status::Completed);
        assert_eq!(one.owner.as_deref(), Some("ann"));
        assert_eq!(one.blocked_by, ["TASK-2"]);
        assert_eq!(one.parent.as_deref(), Some("TASK-2"));
        assert_eq!(one.kind, Some(Kind::Subtask));
        assert_eq!(one.created, Some(at("2026-01-02 00:00")));
        assert_eq!(one.criteria, [criterion("Works", true)]);
        assert_eq!(
            one.description.as_deref(),
            Some(
                "Text before any heading.\n\nNo markers here.\n\n## Why\n\n```\n## not a heading\n```"
            )
        );
        assert_eq!(
            batch.dropped,
            [
                dropped("task-1", "assignee", "bo"),
                dropped("task-1", "something", "a, b"),
                dropped("task-1", "Acceptance Criteria", "not a box"),
            ]
        );
        assert_eq!(batch.tasks[1].status, Status::Pending);
    }

    #[test]
    fn malformed_files_name_the_file_and_line() {
        for (text, line, column, message) in [
            ("# no front matter\n", 1, 0, "has no front matter"),
            ("---\nid: TASK-1\ntitle: One\n", 1, 0, "has no front matter"),
            (
                "---\nid: TASK-1\ntitle: [unclosed\n---\n",
                4,
                1,
                "not valid YAML",
            ),
            (
                "---\nid: TASK-1\ntitle: One\nid: TASK-2\n---\n",
                4,
                1,
                "not valid YAML: duplicated key",
            ),
            ("---\nid: TASK-1\n---\n", 2, 0, "has no `title`"),
            ("---\ntitle: One\n---\n", 2, 0, "has no `id`"),
            (
                "---\nid: TASK-1\ntitle: ''\n---\n",
                3,
                8,
                "`title` is empty",
            ),
            (
                "---\nid: TASK-1\ntitle: One\ncreated_date: soon\n---\n",
                4,
                15,
                "`created_date` `soon` is not a time",
            ),
            (
                "---\nid: TASK-1\ntitle: One\nlabels: {a: b}\n---\n",
                4,
                9,
                "`labels` must be a list",
            ),
            (
                "---\nid: TASK-1\ntitle: One\nlabels:\n  - [a]\n---\n",
                5,
                3,
                "`labels` must be a list of words",
            ),
            (
                "---\n- a\n---\n",
                2,
                1,
                "the front matter is not a list of fields",
            ),
        ] {
            let (error, file) = error_of(text);
            assert_eq!(error.file, file, "{text}: {error}");
            assert_eq!(
                (error.line, error.column),
                (line, column),
                "{text}: {error}"
            );
            assert!(error.message.starts_with(message), "{text}: {error}");
        }
    }

    #[test]
    fn two_files_with_one_id_are_refused() {
        let (dir, _) = one_file("---\nid: TASK-1\ntitle: One\n---\n");
        let second = dir.path().join("tasks/task-1 - Twice.md");
        std::fs::write(&second, "---\ntitle: Again\nid: task-1\n---\n").unwrap();
        let error = read(dir.path(), &ReadOptions::default()).unwrap_err();
        assert_eq!(error.file, second);
        assert_eq!(error.line, 3);
        assert!(error.message.contains("is also the id of"), "{error}");
    }

    #[test]
    fn a_bad_config_names_its_line() {
        let (dir, _) = one_file("---\nid: TASK-1\ntitle: One\n---\n");
        let config = dir.path().join("config.yml");
        std::fs::write(&config, "project_name: x\nstatuses: [a, [b]]\n").unwrap();
        let error = read(dir.path(), &ReadOptions::default()).unwrap_err();
        assert_eq!((error.file, error.line), (config, 2));
    }

    #[test]
    fn a_root_config_names_the_folder_and_the_statuses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("backlog.config.yml"),
            "backlog_directory: work\nstatuses: [Open, Closed]\n",
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("work/tasks")).unwrap();
        std::fs::write(
            dir.path().join("work/tasks/t.md"),
            "---\nid: TASK-1\ntitle: One\nstatus: Closed\nassignee: @ann\nreporter: @bo\n---\n",
        )
        .unwrap();
        for path in [
            dir.path().to_path_buf(),
            dir.path().join("work"),
            dir.path().join("work/tasks"),
        ] {
            let batch = read(&path, &ReadOptions::default()).unwrap();
            let task = &batch.tasks[0];
            assert_eq!(task.status, Status::Completed, "{}", path.display());
            assert_eq!(task.owner.as_deref(), Some("ann"));
            assert_eq!(
                task.meta.get("reporter").and_then(|r| r.as_str()),
                Some("@bo")
            );
        }
    }

    #[test]
    fn references_name_ids_as_backlog_md_matches_them() {
        let (dir, _) = one_file(
            "---\nid: TASK-1\ntitle: One\ndependencies: [task-02, 3, TASK-3.1, other-1, 9]\n---\n",
        );
        for (name, id) in [("two", "TASK-2"), ("three", "TASK-3"), ("sub", "TASK-3.1")] {
            std::fs::write(
                dir.path().join(format!("tasks/{name}.md")),
                format!("---\nid: {id}\ntitle: {name}\n---\n"),
            )
            .unwrap();
        }
        let batch = read(dir.path(), &ReadOptions::default()).unwrap();
        assert_eq!(
            batch.tasks[0].blocked_by,
            ["TASK-2", "TASK-3", "TASK-3.1", "other-1", "9"]
        );
    }

    #[test]
    fn ids_sort_by_their_numbers() {
        let mut ids = vec![
            "task-10",
            "TASK-2.1",
            "task-2",
            "task-1",
            "task-2.10",
            "task-2.2",
        ];
        ids.sort_by_cached_key(|id| id_key(id));
        assert_eq!(
            ids,
            [
                "task-1",
                "task-2",
                "TASK-2.1",
                "task-2.2",
                "task-2.10",
                "task-10"
            ]
        );
    }
}
