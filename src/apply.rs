//! Plans: a whole task graph written in one file (TOML, or JSON for
//! agents), applied in one transaction.
//!
//! A plan names its tasks by local keys and wires `blocked_by` and
//! `parent` among them and to existing ids. Each task a plan creates
//! remembers its key (`plan_key = "<plan>/<key>"`), so applying the plan
//! again finds it: fields the plan sets are brought to the plan's value,
//! fields it does not set are left as people edited them, and a plan
//! applied twice writes nothing the second time. [`parse`] reads a plan
//! with the place of every value; [`apply`] stages it in a
//! [`Transaction`], refusing the whole plan at the first problem, with
//! the line it is on.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};
use toml_edit::{Array, Item, Table};

use crate::config::Config;
use crate::document::TaskDocument;
use crate::error::{Error, ReferenceField, Refusal, Result};
use crate::field::Field;
use crate::id::TaskId;
use crate::store::Transaction;
use crate::task::{Estimate, Gate, Kind, PlanKey, Priority, Task};
use crate::taskset::ResolveError;

/// The two languages a plan is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    /// TOML, for people: `[tasks.<key>]` tables.
    Toml,
    /// JSON, for agents: `{"tasks": {"<key>": {...}}}`.
    Json,
}

impl PlanFormat {
    /// The format a file name's extension says: `.json` is JSON, anything
    /// else TOML.
    pub fn of_path(path: &std::path::Path) -> PlanFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => PlanFormat::Json,
            _ => PlanFormat::Toml,
        }
    }
}

/// Where in a plan file a value is: its 1-based line and column, and its
/// path in the document (`tasks.design.blocked_by[0]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
    /// The path of the value from the document's root; empty for the
    /// document itself.
    pub path: String,
}

/// A plan that cannot be applied, and where in it the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{}:{}: {}{problem}", file, at.line, at.column, self.path_prefix())]
pub struct PlanError {
    /// The plan file as the user named it (`<stdin>` for standard input).
    pub file: String,
    pub format: PlanFormat,
    pub at: Place,
    /// Boxed: a refusal carries its whole cycle, and errors travel far.
    pub problem: Box<PlanProblem>,
}

impl PlanError {
    /// JSON has no line-oriented layout people edit by line, so its
    /// messages also name the path of the value (`tasks.a.kind: ...`).
    fn path_prefix(&self) -> String {
        match self.format {
            PlanFormat::Json if !self.at.path.is_empty() => format!("{}: ", self.at.path),
            _ => String::new(),
        }
    }
}

/// What is wrong with a plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanProblem {
    /// The text is not TOML (or JSON) at all, or sets a key twice.
    #[error("{message}")]
    Syntax { message: String },
    /// A value of the wrong type: `expected` says what was wanted.
    #[error("expected {expected}")]
    WrongType { expected: &'static str },
    /// A top-level key other than `name` and `tasks`.
    #[error("unknown key `{key}`; a plan has `name` and `tasks`")]
    UnknownPlanKey { key: String },
    /// A task field no plan sets: not a field at all, or one of the
    /// lifecycle (`status`, `started`, ...), which belongs to people and
    /// agents.
    #[error("{}", unknown_field(field, *lifecycle))]
    UnknownField { field: String, lifecycle: bool },
    /// A value that breaks a rule of the task format.
    #[error("{message}")]
    BadValue { message: String },
    /// A plan name or key outside the name grammar. `from_file` is a name
    /// taken from the file's name.
    #[error(
        "`{text}` is not a valid {}: {}{}",
        if *key { "task key" } else { "plan name" },
        crate::id::NAME_GRAMMAR,
        if *from_file { "; the name comes from the file's name, so set `name = \"...\"` in the plan" } else { "" }
    )]
    BadName {
        text: String,
        key: bool,
        from_file: bool,
    },
    /// A plan read from standard input says no `name`.
    #[error("a plan read from standard input needs a `name`")]
    NoName,
    /// A task without the one required field.
    #[error("task `{key}` has no `subject`")]
    NoSubject { key: String },
    /// A key set twice in one table (JSON; TOML says so as syntax).
    #[error("`{key}` is set twice; keep one of the two")]
    DuplicateKey { key: String },
    /// A name in `parent` or `blocked_by` that is neither a key of the plan
    /// nor (a unique prefix of) a task's id.
    #[error(
        "`{}` names `{name}`, which is neither a key of this plan nor a task",
        field.key()
    )]
    Dangling { name: String, field: ReferenceField },
    /// A name in `parent` or `blocked_by` that starts several tasks' ids.
    #[error(
        "`{}` names `{prefix}`, which is the start of {} ids: {}",
        field.key(),
        candidates.len(),
        candidates.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(", ")
    )]
    Ambiguous {
        prefix: String,
        field: ReferenceField,
        candidates: Vec<(TaskId, String)>,
    },
    /// A task naming itself as its parent or blocker.
    #[error("task `{key}` cannot name itself in `{}`", field.key())]
    OwnReference { key: String, field: ReferenceField },
    /// The `id` chosen for a new task is taken by a task that is not this
    /// key's (or by a file).
    #[error("the id `{id}` is taken by another task; choose another `id`")]
    IdTaken { id: TaskId },
    /// Two keys of the plan chose the same `id`.
    #[error("the id `{id}` is chosen by `{other}` too")]
    IdTwice { id: TaskId, other: String },
    /// Several tasks carry the same plan key (a copied task file): which
    /// one the plan means is not clear.
    #[error(
        "{} tasks carry plan_key `{plan_key}`: {}; remove it from all but one",
        ids.len(),
        ids.iter().map(TaskId::as_str).collect::<Vec<_>>().join(", ")
    )]
    PlanKeyTwice { plan_key: String, ids: Vec<TaskId> },
    /// The plan would break a rule of the graph: a cycle of waits
    /// ([`Refusal::Cycle`]), found by the transaction's own check.
    #[error(transparent)]
    Refused(Refusal),
}

fn unknown_field(field: &str, lifecycle: bool) -> String {
    if lifecycle {
        format!(
            "`{field}` is not set by a plan: a task's life (status, times, notes, waivers) belongs to the people and agents who work on it"
        )
    } else {
        format!(
            "unknown field `{field}`; a plan task may set {}",
            PLAN_FIELDS.join(", ")
        )
    }
}

/// Every key a task of a plan may have, in the order docs/plans.md lists
/// them.
pub const PLAN_FIELDS: &[&str] = &[
    "subject",
    "id",
    "kind",
    "priority",
    "parent",
    "blocked_by",
    "gate",
    "owner",
    "estimate",
    "due",
    "labels",
    "verify",
    "description",
    "criteria",
    "meta",
];

/// A value of a plan with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct At<T> {
    pub value: T,
    pub at: Place,
}

/// One task of a plan: the fields it sets, each with its place. A field
/// it leaves out (`None`) is never touched.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTask {
    /// The local key (`[tasks.<key>]`).
    pub key: String,
    /// Where the task's table starts.
    pub at: Place,
    pub subject: At<String>,
    /// The id the task gets when the plan creates it.
    pub id: Option<At<TaskId>>,
    pub kind: Option<At<Kind>>,
    pub priority: Option<At<Priority>>,
    /// A key of the plan or an existing task's id (or a unique prefix).
    pub parent: Option<At<String>>,
    pub blocked_by: Option<At<Vec<At<String>>>>,
    /// `gate = false` is `Some(None)`: the task is no gate.
    pub gate: Option<At<Option<Gate>>>,
    pub owner: Option<At<String>>,
    pub estimate: Option<At<Estimate>>,
    pub due: Option<At<NaiveDate>>,
    pub labels: Option<At<Vec<String>>>,
    pub verify: Option<At<String>>,
    pub description: Option<At<String>>,
    pub criteria: Option<At<Vec<String>>>,
    /// Keys of `[meta]` to set; other keys of the task's `[meta]` stay.
    pub meta: Option<At<toml::Table>>,
}

/// A plan as read from its file: its name and its tasks in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub name: String,
    /// The file as the user named it, for messages.
    pub file: String,
    pub format: PlanFormat,
    pub tasks: Vec<PlanTask>,
}

impl Plan {
    fn error(&self, at: &Place, problem: PlanProblem) -> Error {
        Error::Plan(Box::new(PlanError {
            file: self.file.clone(),
            format: self.format,
            at: at.clone(),
            problem: Box::new(problem),
        }))
    }
}

// ---------------------------------------------------------------------------
// Reading a plan

/// A parsed value, with its byte range in the text.
#[derive(Debug, Clone)]
struct Node {
    span: Range<usize>,
    value: Value,
}

#[derive(Debug, Clone)]
enum Value {
    Str(String),
    Bool(bool),
    /// A number, an offset time or another value no plan field takes as
    /// it is; `what` names it for messages.
    Other,
    /// A TOML date (or date-time).
    Datetime(toml::value::Datetime),
    Array(Vec<Node>),
    /// Entries in file order: key, the key's span, value.
    Table(Vec<(String, Range<usize>, Node)>),
}

/// Reads a plan. `file` is how messages name it (`plan.toml`, `<stdin>`);
/// `default_name` is the name a plan without `name` gets (the file's
/// stem), `None` for standard input.
pub fn parse(
    text: &str,
    format: PlanFormat,
    file: &str,
    default_name: Option<&str>,
) -> Result<Plan, PlanError> {
    let text_norm = crate::task::normalized_text(text);
    let text = &*text_norm;
    // Where each line starts: a place is found by a binary search, not
    // by counting lines from the top (a plan of thousands of tasks has
    // tens of thousands of places).
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let locate = |span: Range<usize>, path: &str| {
        let offset = span.start.min(text.len());
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        let column = text
            .get(start..offset)
            .map_or(1, |before| before.chars().count() + 1);
        Place {
            line,
            column,
            path: path.to_owned(),
        }
    };
    let fail = |span: Range<usize>, path: &str, problem: PlanProblem| PlanError {
        file: file.to_owned(),
        format,
        at: locate(span, path),
        problem: Box::new(problem),
    };
    let (root, mut metas) = match format {
        PlanFormat::Toml => {
            let root = toml::de::DeTable::parse(text).map_err(|e| {
                let p = crate::task::toml_error(text, e.span(), e.message());
                PlanError {
                    file: file.to_owned(),
                    format,
                    at: Place {
                        line: p.line,
                        column: p.column,
                        path: String::new(),
                    },
                    problem: Box::new(PlanProblem::Syntax { message: p.message }),
                }
            })?;
            let span = root.span();
            let node = Node {
                span,
                value: from_toml_table(root.into_inner()),
            };
            // The `[meta]` tables as TOML values, dates and all.
            let whole: toml::Table = toml::from_str(text).unwrap_or_default();
            (node, toml_metas(&whole))
        }
        PlanFormat::Json => {
            let whole: serde_json::Value = serde_json::from_str(text).map_err(|e| PlanError {
                file: file.to_owned(),
                format,
                at: Place {
                    line: e.line(),
                    column: e.column(),
                    path: String::new(),
                },
                problem: Box::new(PlanProblem::Syntax {
                    message: json_message(&e),
                }),
            })?;
            let mut scan = JsonScan { text, pos: 0 };
            let node = scan
                .value()
                .map_err(|(span, key)| fail(span, "", PlanProblem::DuplicateKey { key }))?;
            (node, json_metas(&whole))
        }
    };
    let Value::Table(entries) = root.value else {
        return Err(fail(
            root.span,
            "",
            PlanProblem::WrongType {
                expected: "a table (an object) of `name` and `tasks`",
            },
        ));
    };
    let mut name: Option<(String, Range<usize>)> = None;
    let mut tasks_node: Option<Node> = None;
    for (key, key_span, node) in entries {
        match key.as_str() {
            "name" => match node.value {
                Value::Str(s) => name = Some((s, node.span)),
                _ => {
                    return Err(fail(
                        node.span,
                        "name",
                        PlanProblem::WrongType {
                            expected: "a string",
                        },
                    ));
                }
            },
            "tasks" => tasks_node = Some(node),
            _ => {
                let path = key.clone();
                return Err(fail(key_span, &path, PlanProblem::UnknownPlanKey { key }));
            }
        }
    }
    let name = match (name, default_name) {
        (Some((name, span)), _) => {
            if !crate::id::is_name(&name) {
                return Err(fail(
                    span,
                    "name",
                    PlanProblem::BadName {
                        text: name,
                        key: false,
                        from_file: false,
                    },
                ));
            }
            name
        }
        (None, Some(stem)) => {
            if !crate::id::is_name(stem) {
                return Err(fail(
                    0..0,
                    "",
                    PlanProblem::BadName {
                        text: stem.to_owned(),
                        key: false,
                        from_file: true,
                    },
                ));
            }
            stem.to_owned()
        }
        (None, None) => return Err(fail(0..0, "", PlanProblem::NoName)),
    };
    let mut tasks = Vec::new();
    if let Some(node) = tasks_node {
        let Value::Table(entries) = node.value else {
            return Err(fail(
                node.span,
                "tasks",
                PlanProblem::WrongType {
                    expected: "a table (an object) of tasks by key",
                },
            ));
        };
        for (key, key_span, node) in entries {
            let path = format!("tasks.{key}");
            if !crate::id::is_name(&key) {
                return Err(fail(
                    key_span,
                    &path,
                    PlanProblem::BadName {
                        text: key,
                        key: true,
                        from_file: false,
                    },
                ));
            }
            let meta = metas.remove(&key);
            let task = read_task(key, key_span, node, meta, &path, &locate, &fail)?;
            tasks.push(task);
        }
    }
    Ok(Plan {
        name,
        file: file.to_owned(),
        format,
        tasks,
    })
}

/// serde_json's message without the ` at line L column C` it appends
/// (the place is said in front).
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

type Fail<'a> = dyn Fn(Range<usize>, &str, PlanProblem) -> PlanError + 'a;
type Locate<'a> = dyn Fn(Range<usize>, &str) -> Place + 'a;

fn read_task(
    key: String,
    key_span: Range<usize>,
    node: Node,
    meta: Option<toml::Table>,
    path: &str,
    locate: &Locate<'_>,
    fail: &Fail<'_>,
) -> Result<PlanTask, PlanError> {
    let place = |span: &Range<usize>, path: &str| locate(span.clone(), path);
    let Value::Table(entries) = node.value else {
        return Err(fail(
            node.span,
            path,
            PlanProblem::WrongType {
                expected: "a table (an object) of the task's fields",
            },
        ));
    };
    let mut subject = None;
    let mut task = PlanTask {
        key: key.clone(),
        at: place(&key_span, path),
        subject: At {
            value: String::new(),
            at: place(&key_span, path),
        },
        id: None,
        kind: None,
        priority: None,
        parent: None,
        blocked_by: None,
        gate: None,
        owner: None,
        estimate: None,
        due: None,
        labels: None,
        verify: None,
        description: None,
        criteria: None,
        meta: None,
    };
    for (field, field_span, node) in entries {
        let path = format!("{path}.{field}");
        let at = place(&node.span, &path);
        let bad = |span: &Range<usize>, message: String| {
            fail(span.clone(), &path, PlanProblem::BadValue { message })
        };
        let wrong = |span: &Range<usize>, expected| {
            fail(span.clone(), &path, PlanProblem::WrongType { expected })
        };
        let string = |node: &Node| match &node.value {
            Value::Str(s) => Ok(s.clone()),
            _ => Err(wrong(&node.span, "a string")),
        };
        let line = |node: &Node, what: &str| {
            let s = string(node)?;
            if s.trim().is_empty() || s.contains(['\n', '\r']) {
                return Err(bad(
                    &node.span,
                    format!("the {what} must be one line that is not empty"),
                ));
            }
            Ok(s)
        };
        let strings = |node: &Node| -> Result<Vec<(String, Range<usize>)>, PlanError> {
            let Value::Array(items) = &node.value else {
                return Err(wrong(&node.span, "an array of strings"));
            };
            items
                .iter()
                .enumerate()
                .map(|(i, item)| match &item.value {
                    Value::Str(s) => Ok((s.clone(), item.span.clone())),
                    _ => Err(fail(
                        item.span.clone(),
                        &format!("{path}[{i}]"),
                        PlanProblem::WrongType {
                            expected: "a string",
                        },
                    )),
                })
                .collect()
        };
        match field.as_str() {
            "subject" => {
                subject = Some(At {
                    value: line(&node, "subject")?,
                    at,
                })
            }
            "id" => {
                let text = string(&node)?;
                let id = TaskId::parse(&text).map_err(|e| bad(&node.span, e.to_string()))?;
                task.id = Some(At { value: id, at });
            }
            "kind" => {
                let value = string(&node)?
                    .parse()
                    .map_err(|e: String| bad(&node.span, e))?;
                task.kind = Some(At { value, at });
            }
            "priority" => {
                let value = string(&node)?
                    .parse()
                    .map_err(|e: String| bad(&node.span, e))?;
                task.priority = Some(At { value, at });
            }
            "parent" => {
                task.parent = Some(At {
                    value: string(&node)?,
                    at,
                })
            }
            "blocked_by" => {
                let mut names = Vec::new();
                for (i, (name, span)) in strings(&node)?.into_iter().enumerate() {
                    names.push(At {
                        value: name,
                        at: place(&span, &format!("{path}[{i}]")),
                    });
                }
                task.blocked_by = Some(At { value: names, at });
            }
            "gate" => {
                let value = match &node.value {
                    Value::Bool(b) => b.then_some(Gate::ConfiguredBranches),
                    Value::Table(entries) => {
                        let mut branches = None;
                        for (k, k_span, v) in entries {
                            if k != "branches" {
                                return Err(bad(
                                    k_span,
                                    format!("unknown key `{k}` of a gate; it has `branches`"),
                                ));
                            }
                            branches = Some(strings(v)?);
                        }
                        let branches: Vec<String> = branches
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(b, _)| b)
                            .collect();
                        if branches.is_empty() || branches.iter().any(|b| b.trim().is_empty()) {
                            return Err(bad(
                                &node.span,
                                "`branches` needs at least one non-empty branch name or glob"
                                    .into(),
                            ));
                        }
                        Some(Gate::Branches(branches))
                    }
                    _ => {
                        return Err(wrong(
                            &node.span,
                            "`true`, `false` or a table like { branches = [\"release/*\"] }",
                        ));
                    }
                };
                task.gate = Some(At { value, at });
            }
            "owner" => {
                task.owner = Some(At {
                    value: line(&node, "owner")?,
                    at,
                })
            }
            "estimate" => {
                let value = string(&node)?
                    .parse()
                    .map_err(|e: String| bad(&node.span, e))?;
                task.estimate = Some(At { value, at });
            }
            "due" => {
                let value = match &node.value {
                    Value::Str(s) => crate::task::parse_date(s).ok(),
                    Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                        (Some(d), None, None) => {
                            NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                        }
                        _ => None,
                    },
                    _ => None,
                }
                .ok_or_else(|| bad(&node.span, "not a date; write it like 2026-12-01".into()))?;
                task.due = Some(At { value, at });
            }
            "labels" => {
                let mut labels = Vec::new();
                for (label, span) in strings(&node)? {
                    if let Some(problem) = crate::change::label_problem(&label) {
                        return Err(bad(&span, problem.to_string()));
                    }
                    if !labels.contains(&label) {
                        labels.push(label);
                    }
                }
                task.labels = Some(At { value: labels, at });
            }
            "verify" => {
                task.verify = Some(At {
                    value: string(&node)?,
                    at,
                })
            }
            "description" => {
                task.description = Some(At {
                    value: string(&node)?,
                    at,
                })
            }
            "criteria" => {
                let mut texts: Vec<String> = Vec::new();
                for (text, span) in strings(&node)? {
                    if text.trim().is_empty() || text.contains(['\n', '\r']) {
                        return Err(bad(
                            &span,
                            "a criterion must be one line that is not empty".into(),
                        ));
                    }
                    if texts.contains(&text) {
                        return Err(bad(
                            &span,
                            format!("the criterion `{text}` is listed twice"),
                        ));
                    }
                    texts.push(text);
                }
                task.criteria = Some(At { value: texts, at });
            }
            "meta" => {
                if !matches!(node.value, Value::Table(_)) {
                    return Err(wrong(&node.span, "a table (an object)"));
                }
                let table = meta.clone().ok_or_else(|| {
                    bad(
                        &node.span,
                        "a value of `meta` that TOML cannot hold (null)".into(),
                    )
                })?;
                task.meta = Some(At { value: table, at });
            }
            other => {
                let lifecycle = Field::from_key(other).is_some();
                return Err(fail(
                    field_span,
                    &path,
                    PlanProblem::UnknownField {
                        field: other.to_owned(),
                        lifecycle,
                    },
                ));
            }
        }
    }
    task.subject = subject.ok_or_else(|| fail(key_span, path, PlanProblem::NoSubject { key }))?;
    Ok(task)
}

fn from_toml_table(table: toml::de::DeTable<'_>) -> Value {
    let mut entries: Vec<(String, Range<usize>, Node)> = table
        .into_iter()
        .map(|(k, v)| {
            let key_span = k.span();
            let span = v.span();
            (
                k.into_inner().into_owned(),
                key_span,
                Node {
                    span,
                    value: from_toml_value(v.into_inner()),
                },
            )
        })
        .collect();
    // The map is sorted by key; the plan's order is the file's.
    entries.sort_by_key(|(_, span, _)| span.start);
    Value::Table(entries)
}

fn from_toml_value(value: toml::de::DeValue<'_>) -> Value {
    use toml::de::DeValue;
    match value {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d),
        DeValue::Integer(_) | DeValue::Float(_) => Value::Other,
        DeValue::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| {
                    let span = v.span();
                    Node {
                        span,
                        value: from_toml_value(v.into_inner()),
                    }
                })
                .collect(),
        ),
        DeValue::Table(t) => from_toml_table(t),
    }
}

/// Each task's `meta` table, by key, from the whole document.
fn toml_metas(whole: &toml::Table) -> HashMap<String, toml::Table> {
    let Some(toml::Value::Table(tasks)) = whole.get("tasks") else {
        return HashMap::new();
    };
    tasks
        .iter()
        .filter_map(|(key, task)| {
            let meta = task.get("meta")?.as_table()?.clone();
            Some((key.clone(), meta))
        })
        .collect()
}

/// Each task's `meta` object as a TOML table, by key; a task whose meta
/// holds a null (which TOML cannot hold) has none.
fn json_metas(whole: &serde_json::Value) -> HashMap<String, toml::Table> {
    let Some(tasks) = whole.get("tasks").and_then(|t| t.as_object()) else {
        return HashMap::new();
    };
    tasks
        .iter()
        .filter_map(|(key, task)| {
            let meta = task.get("meta")?;
            let table: toml::Table = serde_json::from_value(meta.clone()).ok()?;
            Some((key.clone(), table))
        })
        .collect()
}

/// A walk over JSON text serde_json has already found valid, to learn
/// where each value is: serde_json keeps no places. Errors are duplicate
/// keys (which serde_json lets the last one win), with the key's span.
struct JsonScan<'a> {
    text: &'a str,
    pos: usize,
}

type ScanResult<T> = std::result::Result<T, (Range<usize>, String)>;

impl JsonScan<'_> {
    fn skip_ws(&mut self) {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && matches!(bytes[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.pos).copied().unwrap_or(0)
    }

    /// A string token, decoded; at its opening quote.
    fn string(&mut self) -> (String, Range<usize>) {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        self.pos += 1;
        while self.pos < bytes.len() && bytes[self.pos] != b'"' {
            if bytes[self.pos] == b'\\' {
                self.pos += 1;
            }
            self.pos += 1;
        }
        self.pos = (self.pos + 1).min(bytes.len());
        let raw = &self.text[start..self.pos];
        (
            serde_json::from_str(raw).unwrap_or_default(),
            start..self.pos,
        )
    }

    fn value(&mut self) -> ScanResult<Node> {
        self.skip_ws();
        let start = self.pos;
        let value = match self.peek() {
            b'{' => {
                self.pos += 1;
                let mut entries: Vec<(String, Range<usize>, Node)> = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        b'}' => {
                            self.pos += 1;
                            break;
                        }
                        b',' => {
                            self.pos += 1;
                            continue;
                        }
                        b'"' => {}
                        _ => break,
                    }
                    let (key, key_span) = self.string();
                    if entries.iter().any(|(k, _, _)| *k == key) {
                        return Err((key_span, key));
                    }
                    self.skip_ws();
                    if self.peek() == b':' {
                        self.pos += 1;
                    }
                    let node = self.value()?;
                    entries.push((key, key_span, node));
                }
                Value::Table(entries)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        b']' => {
                            self.pos += 1;
                            break;
                        }
                        b',' => {
                            self.pos += 1;
                        }
                        0 => break,
                        _ => items.push(self.value()?),
                    }
                }
                Value::Array(items)
            }
            b'"' => Value::Str(self.string().0),
            b't' => {
                self.pos += 4;
                Value::Bool(true)
            }
            b'f' => {
                self.pos += 5;
                Value::Bool(false)
            }
            _ => {
                // null or a number: up to the next delimiter.
                let bytes = self.text.as_bytes();
                while self.pos < bytes.len()
                    && !matches!(
                        bytes[self.pos],
                        b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'
                    )
                {
                    self.pos += 1;
                }
                Value::Other
            }
        };
        Ok(Node {
            span: start..self.pos,
            value,
        })
    }
}

// ---------------------------------------------------------------------------
// Applying a plan

/// What applying did to one task of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The plan made it.
    Created,
    /// It was there, and fields the plan sets changed.
    Updated,
    /// It was there with every field as the plan sets it.
    Unchanged,
}

impl Outcome {
    /// The word for it, as the text output and JSON say it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Unchanged => "unchanged",
        }
    }
}

/// One task of the plan, applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedTask {
    pub key: String,
    pub id: TaskId,
    pub outcome: Outcome,
}

/// What [`apply`] staged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The plan's name.
    pub name: String,
    /// Each task of the plan, in the plan's order.
    pub tasks: Vec<AppliedTask>,
    /// Tasks that carry this plan's name in `plan_key` with a key the plan
    /// no longer has: left alone, in id order, with their keys.
    pub not_in_plan: Vec<(String, TaskId)>,
}

impl Applied {
    /// How many tasks had `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.tasks.iter().filter(|t| t.outcome == outcome).count()
    }
}

/// Stages `plan` in `tx`: every task of the plan is created or brought to
/// what the plan sets. Everything is checked before anything is staged,
/// and a result with a new cycle is refused here (with the place of the
/// plan that closes it), so an error leaves the transaction as it was
/// and, with nothing committed, every file as it is. Unchanged tasks are
/// not staged: applying a plan a second time writes no file.
pub fn apply(
    tx: &mut Transaction,
    plan: &Plan,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Applied> {
    // The tasks of this plan that exist, by key.
    let mut existing: BTreeMap<String, Vec<TaskId>> = BTreeMap::new();
    for task in tx.tasks().iter() {
        if let Some(pk) = &task.plan_key
            && pk.plan() == plan.name
        {
            existing
                .entry(pk.key().to_owned())
                .or_default()
                .push(task.id.clone());
        }
    }
    // Every key's id: found, chosen or drawn.
    let mut ids: HashMap<&str, TaskId> = HashMap::new();
    let mut chosen: HashMap<TaskId, &str> = HashMap::new();
    let mut created: HashSet<&str> = HashSet::new();
    for task in &plan.tasks {
        match existing.get(&task.key).map(Vec::as_slice) {
            Some([id]) => {
                ids.insert(&task.key, id.clone());
            }
            Some(many) => {
                return Err(plan.error(
                    &task.at,
                    PlanProblem::PlanKeyTwice {
                        plan_key: format!("{}/{}", plan.name, task.key),
                        ids: many.to_vec(),
                    },
                ));
            }
            None => {
                created.insert(&task.key);
                if let Some(id) = &task.id {
                    if crate::change::taken(tx, &id.value) {
                        return Err(plan.error(
                            &id.at,
                            PlanProblem::IdTaken {
                                id: id.value.clone(),
                            },
                        ));
                    }
                    if let Some(other) = chosen.insert(id.value.clone(), &task.key) {
                        return Err(plan.error(
                            &id.at,
                            PlanProblem::IdTwice {
                                id: id.value.clone(),
                                other: other.to_owned(),
                            },
                        ));
                    }
                    ids.insert(&task.key, id.value.clone());
                }
            }
        }
    }
    let mut source = crate::id::IdSource::from_env();
    for task in &plan.tasks {
        if ids.contains_key(task.key.as_str()) {
            continue;
        }
        let id = loop {
            let id = source.next_id(config.id_length).map_err(Error::Random)?;
            if !crate::change::taken(tx, &id) && !chosen.contains_key(&id) {
                break id;
            }
        };
        chosen.insert(id.clone(), &task.key);
        ids.insert(&task.key, id);
    }
    // Names in `parent` and `blocked_by`: a key first, else a task.
    let mut edges: Vec<(TaskId, TaskId, Place)> = Vec::new();
    let resolve = |task: &PlanTask, name: &At<String>, field: ReferenceField| -> Result<TaskId> {
        if name.value == task.key {
            return Err(plan.error(
                &name.at,
                PlanProblem::OwnReference {
                    key: task.key.clone(),
                    field,
                },
            ));
        }
        if let Some(id) = ids.get(name.value.as_str()) {
            return Ok(id.clone());
        }
        match tx.tasks().resolve(&name.value) {
            Ok(found) if found.id == ids[task.key.as_str()] => Err(plan.error(
                &name.at,
                PlanProblem::OwnReference {
                    key: task.key.clone(),
                    field,
                },
            )),
            Ok(found) => Ok(found.id.clone()),
            Err(ResolveError::Ambiguous { prefix, candidates }) => Err(plan.error(
                &name.at,
                PlanProblem::Ambiguous {
                    prefix,
                    field,
                    candidates,
                },
            )),
            Err(_) => Err(plan.error(
                &name.at,
                PlanProblem::Dangling {
                    name: name.value.clone(),
                    field,
                },
            )),
        }
    };
    // Every document, worked out before any is staged.
    let mut docs: Vec<(TaskId, Option<TaskDocument>)> = Vec::new();
    let mut tasks = Vec::new();
    for task in &plan.tasks {
        let id = ids[task.key.as_str()].clone();
        let parent = match &task.parent {
            Some(p) => {
                let parent = resolve(task, p, ReferenceField::Parent)?;
                edges.push((id.clone(), parent.clone(), p.at.clone()));
                Some(parent)
            }
            None => None,
        };
        let blockers = match &task.blocked_by {
            Some(list) => {
                let mut out: Vec<TaskId> = Vec::new();
                for name in &list.value {
                    let b = resolve(task, name, ReferenceField::BlockedBy)?;
                    edges.push((id.clone(), b.clone(), name.at.clone()));
                    if !out.contains(&b) {
                        out.push(b);
                    }
                }
                Some(out)
            }
            None => None,
        };
        let is_new = created.contains(task.key.as_str());
        let (mut doc, was) = if is_new {
            let mut doc = TaskDocument::new();
            doc.set_precise_time(Field::Created, now);
            let key = PlanKey::new(&plan.name, &task.key)
                .map_err(|message| plan.error(&task.at, PlanProblem::BadValue { message }))?;
            doc.set_str(Field::PlanKey, &key.to_string());
            (doc, None)
        } else {
            let was = tx
                .tasks()
                .get(id.as_str())
                .cloned()
                .expect("found among the tasks");
            (tx.document(&id)?, Some(was))
        };
        let changed = write_fields(&mut doc, was.as_ref(), task, parent, blockers);
        let outcome = match (is_new, changed) {
            (true, _) => Outcome::Created,
            (false, true) => Outcome::Updated,
            (false, false) => Outcome::Unchanged,
        };
        if outcome != Outcome::Unchanged {
            docs.push((id.clone(), Some(doc)));
        }
        tasks.push(AppliedTask {
            key: task.key.clone(),
            id,
            outcome,
        });
    }
    let keys: HashSet<&str> = plan.tasks.iter().map(|t| t.key.as_str()).collect();
    let not_in_plan = existing
        .iter()
        .filter(|(key, _)| !keys.contains(key.as_str()))
        .flat_map(|(key, ids)| ids.iter().map(move |id| (key.clone(), id.clone())))
        .collect();
    for (id, doc) in docs {
        if let Some(doc) = doc
            && let Err(e) = tx.stage(&id, doc)
        {
            let task = plan
                .tasks
                .iter()
                .find(|t| ids[t.key.as_str()] == id)
                .expect("every staged task is the plan's");
            return Err(match e {
                Error::Files(problems) => plan.error(
                    &task.at,
                    PlanProblem::BadValue {
                        message: problems
                            .first()
                            .map_or_else(String::new, |p| p.error.message.clone()),
                    },
                ),
                other => other,
            });
        }
    }
    if let Err(e) = tx.refuse_new_cycles() {
        return Err(match e {
            Error::Refused(refusal @ Refusal::Cycle { .. }) => {
                let at = cycle_place(plan, &edges, &refusal);
                plan.error(&at, PlanProblem::Refused(refusal))
            }
            other => other,
        });
    }
    Ok(Applied {
        name: plan.name.clone(),
        tasks,
        not_in_plan,
    })
}

/// The place in the plan of an edge on `refusal`'s cycle: the first of
/// the plan's `blocked_by` and `parent` names (`edges`, from the task to
/// the one named) that joins two neighbours of the cycle.
fn cycle_place(plan: &Plan, edges: &[(TaskId, TaskId, Place)], refusal: &Refusal) -> Place {
    let on: Vec<&TaskId> = match refusal {
        Refusal::Cycle { cycle, .. } => cycle.ids().collect(),
        _ => Vec::new(),
    };
    let neighbours = |a: &TaskId, b: &TaskId| {
        (0..on.len()).any(|i| {
            let (x, y) = (on[i], on[(i + 1) % on.len()]);
            (x == a && y == b) || (x == b && y == a)
        })
    };
    edges
        .iter()
        .find(|(from, to, _)| neighbours(from, to))
        .map(|(_, _, at)| at.clone())
        .or_else(|| plan.tasks.first().map(|t| t.at.clone()))
        .unwrap_or(Place {
            line: 1,
            column: 1,
            path: String::new(),
        })
}

/// Brings `doc` to what `task` sets, touching only fields whose value
/// differs from `was` (the task as it is; `None` for a new one). Returns
/// whether anything changed.
fn write_fields(
    doc: &mut TaskDocument,
    was: Option<&Task>,
    task: &PlanTask,
    parent: Option<TaskId>,
    blockers: Option<Vec<TaskId>>,
) -> bool {
    let mut changed = false;
    let mut differs = |now: bool| {
        changed |= now;
        now
    };
    let subject = &task.subject.value;
    if differs(was.is_none_or(|w| &w.subject != subject)) {
        doc.set_str(Field::Subject, subject);
    }
    if let Some(kind) = &task.kind
        && differs(was.is_none_or(|w| w.kind != kind.value))
    {
        crate::change::set_or_default(doc, Field::Kind, kind.value);
    }
    if let Some(priority) = &task.priority
        && differs(was.is_none_or(|w| w.priority != priority.value))
    {
        crate::change::set_or_default(doc, Field::Priority, priority.value);
    }
    if let Some(parent) = parent
        && differs(was.is_none_or(|w| w.parent.as_ref() != Some(&parent)))
    {
        doc.set_str(Field::Parent, parent.as_str());
    }
    if let Some(blockers) = blockers
        && differs(was.map_or(!blockers.is_empty(), |w| {
            !same_set(&w.blocked_by, &blockers)
        }))
    {
        set_list(doc, Field::BlockedBy, blockers.iter().map(TaskId::as_str));
    }
    if let Some(gate) = &task.gate
        && differs(was.map_or(gate.value.is_some(), |w| w.gate != gate.value))
    {
        match &gate.value {
            Some(g) => crate::change::set_gate(doc, g),
            None => doc.remove(Field::Gate),
        }
    }
    if let Some(owner) = &task.owner
        && differs(was.is_none_or(|w| w.owner.as_ref() != Some(&owner.value)))
    {
        doc.set_str(Field::Owner, &owner.value);
    }
    if let Some(estimate) = &task.estimate
        && differs(was.is_none_or(|w| w.estimate.as_ref() != Some(&estimate.value)))
    {
        doc.set_str(Field::Estimate, estimate.value.as_str());
    }
    if let Some(due) = &task.due
        && differs(was.is_none_or(|w| w.due != Some(due.value)))
    {
        doc.set_date(Field::Due, due.value);
    }
    if let Some(labels) = &task.labels
        && differs(was.map_or(!labels.value.is_empty(), |w| {
            !same_set(&w.labels, &labels.value)
        }))
    {
        set_list(doc, Field::Labels, labels.value.iter().map(String::as_str));
    }
    if let Some(verify) = &task.verify
        && differs(was.is_none_or(|w| w.verify.as_ref() != Some(&verify.value)))
    {
        doc.set_str(Field::Verify, &verify.value);
    }
    if let Some(description) = &task.description {
        let text = with_final_newline(&description.value);
        let wanted = (!text.trim().is_empty()).then_some(text);
        if differs(was.map_or(wanted.is_some(), |w| w.description != wanted)) {
            match wanted {
                Some(text) => doc.set_str(Field::Description, &text),
                None => doc.remove(Field::Description),
            }
        }
    }
    if let Some(criteria) = &task.criteria {
        let old = was.map_or(&[][..], |w| &w.criteria[..]);
        let same = old.len() == criteria.value.len()
            && old.iter().zip(&criteria.value).all(|(c, t)| &c.text == t);
        if differs(!same) {
            set_criteria(doc, old, &criteria.value);
        }
    }
    if let Some(meta) = &task.meta {
        for (key, value) in &meta.value {
            let old = was.and_then(|w| w.meta.get(key));
            if differs(old != Some(value))
                && let Some(value) = toml_edit_value(value)
            {
                doc.set_meta(key, value);
            }
        }
    }
    changed
}

/// Whether two lists hold the same items: `blocked_by` and `labels` are
/// sets, so a plan that lists them in another order changes nothing.
fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

fn with_final_newline(text: &str) -> String {
    if text.contains('\n') && !text.ends_with('\n') {
        format!("{text}\n")
    } else {
        text.to_owned()
    }
}

/// Sets a list field to exactly `items`, removing the key for none. An
/// array the file has keeps its layout for the items that stay.
fn set_list<'a>(doc: &mut TaskDocument, field: Field, items: impl Iterator<Item = &'a str>) {
    let items: Vec<&str> = items.collect();
    if items.is_empty() {
        doc.remove(field);
        return;
    }
    let old: Vec<String> = doc
        .get(field)
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let keeps_order = {
        let kept: Vec<&str> = old
            .iter()
            .map(String::as_str)
            .filter(|o| items.contains(o))
            .collect();
        let wanted: Vec<&str> = items
            .iter()
            .copied()
            .filter(|i| old.iter().any(|o| o == i))
            .collect();
        kept == wanted
    };
    let appended_in_order = items
        .iter()
        .skip_while(|i| old.iter().any(|o| o == *i))
        .all(|i| !old.iter().any(|o| o == i));
    if doc.get(field).and_then(Item::as_array).is_some() && keeps_order && appended_in_order {
        for o in &old {
            if !items.contains(&o.as_str()) {
                doc.remove_from_array(field, o);
            }
        }
        for i in &items {
            doc.add_to_array(field, i);
        }
    } else {
        doc.set(field, Array::from_iter(items.iter().copied()));
    }
}

/// Writes the criteria `texts`, in their order, keeping `met` of each
/// text the task had.
fn set_criteria(doc: &mut TaskDocument, old: &[crate::task::Criterion], texts: &[String]) {
    if texts.is_empty() {
        doc.remove(Field::Criteria);
        return;
    }
    let mut array = toml_edit::ArrayOfTables::new();
    for text in texts {
        let mut entry = Table::new();
        entry.insert("text", toml_edit::value(text.as_str()));
        if old.iter().any(|c| &c.text == text && c.met) {
            entry.insert("met", toml_edit::value(true));
        }
        array.push(entry);
    }
    doc.set_item(Field::Criteria, Item::ArrayOfTables(array));
}

/// A TOML value as toml_edit writes it.
fn toml_edit_value(value: &toml::Value) -> Option<toml_edit::Value> {
    let text = format!("v = {value}");
    let doc: toml_edit::DocumentMut = text.parse().ok()?;
    let mut v = doc.get("v")?.as_value()?.clone();
    v.decor_mut().clear();
    Some(v)
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A plan applied to a working tree, or (a dry run) the change it would
/// make: what happened to each task and the task set after it.
#[derive(Debug)]
pub struct Application {
    pub applied: Applied,
    /// The task set as it is (or, a dry run, would be) after the plan.
    pub after: crate::TaskSet,
    /// A dry run's task set before, and the change as `diff` sees it.
    pub dry_run: Option<(crate::TaskSet, crate::history::TaskSetDiff)>,
}

/// Applies `plan` to the working tree of `ws` in one transaction, as
/// every front end does; with `dry_run` the transaction is dropped
/// uncommitted, so nothing is written and the lock goes.
pub fn apply_to(
    ws: &crate::store::Workspace,
    plan: &Plan,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<Application> {
    let config = ws.config()?;
    if !dry_run {
        let (applied, after) = ws.transact(|tx| apply(tx, plan, &config, now))?;
        return Ok(Application {
            applied,
            after,
            dry_run: None,
        });
    }
    let mut tx = ws.transaction()?;
    let applied = apply(&mut tx, plan, &config, now)?;
    let (before, after) = (tx.original().clone(), tx.tasks().clone());
    let diff = crate::history::diff_sets(&before, &after);
    Ok(Application {
        applied,
        after,
        dry_run: Some((before, diff)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;

    const PLAN: &str = "name = \"auth\"\n\n[tasks.research]\nsubject = \"Research\"\n\n[tasks.design]\nsubject = \"Design\"\nblocked_by = [\"research\"]\ncriteria = [\"reviewed\"]\n";

    fn toml(text: &str) -> Result<Plan, PlanError> {
        parse(text, PlanFormat::Toml, "plan.toml", Some("plan"))
    }

    #[test]
    fn a_plan_reads_in_file_order_with_places() {
        let plan = toml(PLAN).unwrap();
        assert_eq!(plan.name, "auth");
        let keys: Vec<&str> = plan.tasks.iter().map(|t| t.key.as_str()).collect();
        assert_eq!(keys, ["research", "design"]);
        let blockers = plan.tasks[1].blocked_by.as_ref().unwrap();
        assert_eq!(blockers.value[0].value, "research");
        assert_eq!(
            (blockers.value[0].at.line, blockers.value[0].at.column),
            (8, 15)
        );
        assert_eq!(blockers.value[0].at.path, "tasks.design.blocked_by[0]");
        let default = toml("[tasks.a]\nsubject = \"A\"\n").unwrap();
        assert_eq!(default.name, "plan");
    }

    #[test]
    fn json_plans_say_the_path_and_line() {
        let text =
            "{\"name\": \"p\", \"tasks\": {\n  \"a\": {\"subject\": \"A\",\n    \"kind\": 3}}}";
        let error = parse(text, PlanFormat::Json, "p.json", None).unwrap_err();
        assert_eq!((error.at.line, error.at.column), (3, 13));
        assert_eq!(
            error.to_string(),
            "p.json:3:13: tasks.a.kind: expected a string"
        );
        let twice = "{\"tasks\": {\"a\": {\"subject\": \"A\"}, \"a\": {\"subject\": \"B\"}}}";
        let error = parse(twice, PlanFormat::Json, "p.json", Some("p")).unwrap_err();
        assert_eq!(
            *error.problem,
            PlanProblem::DuplicateKey { key: "a".into() }
        );
        let error = parse("{\"tasks\": {}}", PlanFormat::Json, "-", None).unwrap_err();
        assert_eq!(*error.problem, PlanProblem::NoName);
    }

    #[test]
    fn json_places_hold_after_escapes_and_nested_values() {
        let text = "{\"name\": \"p\", \"tasks\": {\"a\": {\"subject\": \"\\u00e9t\\\"\u{e9}\",\n \"meta\": {\"x\": [1, {\"y\": 2}]}, \"labels\": [\"\u{f6}k\", 7]}}}";
        let error = parse(text, PlanFormat::Json, "p.json", None).unwrap_err();
        assert_eq!(error.at.path, "tasks.a.labels[1]");
        // Columns count characters: the ö before it is one.
        assert_eq!((error.at.line, error.at.column), (2, 49), "{error}");
        let fine = text.replace(", 7]", "]");
        let plan = parse(&fine, PlanFormat::Json, "p.json", None).unwrap();
        assert_eq!(plan.tasks[0].subject.value, "\u{e9}t\"\u{e9}");
        let meta = &plan.tasks[0].meta.as_ref().unwrap().value;
        assert_eq!(meta["x"].as_array().unwrap().len(), 2);
        // TOML holds no null.
        let null = fine.replace("2}", "null}");
        let error = parse(&null, PlanFormat::Json, "p.json", None).unwrap_err();
        assert_eq!(error.at.path, "tasks.a.meta");
    }

    #[test]
    fn bad_plans_name_the_line() {
        let error = toml("[tasks.a]\nsubject = \"A\"\nstatus = \"completed\"\n").unwrap_err();
        assert_eq!(error.at.line, 3);
        assert!(matches!(
            *error.problem,
            PlanProblem::UnknownField {
                lifecycle: true,
                ..
            }
        ));
        let error = toml("[tasks.a]\nsubject = \"A\"\nsubject = \"B\"\n").unwrap_err();
        assert_eq!(error.at.line, 3);
        let error = toml("[tasks.A]\nsubject = \"A\"\n").unwrap_err();
        assert!(matches!(
            *error.problem,
            PlanProblem::BadName { key: true, .. }
        ));
        let error = toml("[tasks.a]\nkind = \"task\"\n").unwrap_err();
        assert_eq!(*error.problem, PlanProblem::NoSubject { key: "a".into() });
        let error = toml("[tasks.a]\nsubject = \"A\"\nestimate = \"soon\"\n").unwrap_err();
        assert_eq!(error.at.line, 3);
    }

    #[test]
    fn applying_twice_changes_nothing_and_an_edit_only_what_it_sets() {
        let repo = TestRepo::new();
        std::fs::create_dir_all(repo.root().join(crate::store::TASKS_DIR)).unwrap();
        let ws = repo.workspace();
        let config = Config::default();
        let now = crate::task::parse_timestamp("2026-11-21T10:00:00Z").unwrap();
        let plan = toml(PLAN).unwrap();
        let (applied, set) = ws.transact(|tx| apply(tx, &plan, &config, now)).unwrap();
        assert_eq!(applied.count(Outcome::Created), 2);
        let design = set.get(applied.tasks[1].id.as_str()).unwrap();
        assert_eq!(design.blocked_by, [applied.tasks[0].id.clone()]);
        assert_eq!(design.plan_key.as_ref().unwrap().to_string(), "auth/design");
        // A person takes the task and meets its criterion.
        ws.transact(|tx| {
            let id = applied.tasks[1].id.clone();
            let mut doc = tx.document(&id)?;
            doc.set_str(Field::Owner, "ana");
            doc.set_criterion_met(0, true);
            tx.stage(&id, doc).map(|_| ())
        })
        .unwrap();
        let (again, _) = ws.transact(|tx| apply(tx, &plan, &config, now)).unwrap();
        assert_eq!(again.count(Outcome::Unchanged), 2);
        let edited = toml(&PLAN.replace("\"Design\"", "\"Design it\"")).unwrap();
        let (third, set) = ws.transact(|tx| apply(tx, &edited, &config, now)).unwrap();
        assert_eq!(third.tasks[1].outcome, Outcome::Updated);
        assert_eq!(third.tasks[0].outcome, Outcome::Unchanged);
        let design = set.get(third.tasks[1].id.as_str()).unwrap();
        assert_eq!(design.owner.as_deref(), Some("ana"));
        assert!(design.criteria[0].met);
        // A key gone from the plan is reported, not removed.
        let fewer = toml("name = \"auth\"\n[tasks.research]\nsubject = \"Research\"\n").unwrap();
        let (fourth, set) = ws.transact(|tx| apply(tx, &fewer, &config, now)).unwrap();
        assert_eq!(
            fourth.not_in_plan,
            [("design".to_owned(), third.tasks[1].id.clone())]
        );
        assert!(set.get(third.tasks[1].id.as_str()).is_some());
    }

    #[test]
    fn a_cycle_or_a_dangling_name_is_refused_at_its_place() {
        let repo = TestRepo::new();
        std::fs::create_dir_all(repo.root().join(crate::store::TASKS_DIR)).unwrap();
        let ws = repo.workspace();
        let config = Config::default();
        let now = crate::task::parse_timestamp("2026-11-21T10:00:00Z").unwrap();
        let cycle = toml("[tasks.a]\nsubject = \"A\"\nblocked_by = [\"b\"]\n[tasks.b]\nsubject = \"B\"\nblocked_by = [\"a\"]\n").unwrap();
        let error = ws
            .transact(|tx| apply(tx, &cycle, &config, now))
            .unwrap_err();
        let Error::Plan(error) = error else {
            panic!("{error:?}")
        };
        assert!(matches!(
            *error.problem,
            PlanProblem::Refused(Refusal::Cycle { .. })
        ));
        assert_eq!((error.at.line, error.at.column), (3, 15));
        let dangling = toml("[tasks.a]\nsubject = \"A\"\nparent = \"nope\"\n").unwrap();
        let error = ws
            .transact(|tx| apply(tx, &dangling, &config, now))
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("plan.toml:3:10: `parent` names `nope`"),
            "{error}"
        );
        assert!(ws.load(&crate::store::Source::WorkTree).unwrap().is_empty());
    }
}
