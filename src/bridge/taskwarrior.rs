//! Taskwarrior's `task export`: a JSON array of tasks (Taskwarrior 2.6
//! and later), or one JSON object per line (`rc.json.array=off`, and what
//! older versions print).
//!
//! What goes where:
//!
//! - `uuid` is the source id; the task id is made of its first eight
//!   characters, as Taskwarrior itself shortens uuids.
//! - `description`: its first line is the subject, any further lines the
//!   description.
//! - `status`: `pending` (or `in_progress` when it has a `start`),
//!   `completed`, `deleted` as `cancelled` with `meta.taskwarrior_status =
//!   "deleted"` (git-task has no deleted state, and the difference between
//!   "will not be done" and "removed" is kept for whoever reads the task, or
//!   a future export back), `waiting` as `pending`. A `recurring` task is
//!   the template its instances are made from, not work of its own: it is
//!   left out and reported; its instances are imported.
//! - `depends` (an array of uuids, or one comma-separated string before
//!   2.6) is `blocked_by`.
//! - `project` is a label `project:<name>`, or with
//!   [`ProjectAs::Epic`] the parent epic of its tasks, one epic per project
//!   with source id `project:<name>`, put before the first task of the
//!   project (so the order stays the source's).
//! - `tags` are labels, `annotations` notes, `priority` H/M/L
//!   high/medium/low, `due` the due date (the UTC date of the timestamp),
//!   `entry`/`start`/`end` created/started/closed, `wait` is kept in
//!   `meta.wait`, and every user-defined attribute (any key Taskwarrior
//!   does not define) in `[meta]` under its own name.
//! - `id` and `urgency` are left out without a word: Taskwarrior derives
//!   them from the rest (its export documentation says so), so nothing is
//!   lost. Every other core attribute with no place in git-task
//!   (`modified`, `scheduled`, `until`, `recur`, `mask`, `imask`, `parent`,
//!   `rtype`, ...) is reported as dropped.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value;

use super::json_source::{self, Record, error, label, push_label, short, string, time, to_toml};
use super::{Batch, Dropped, Incoming, ProjectAs, ReadOptions, SourceError};
use crate::task::{Kind, Note, Priority, Status};

/// Taskwarrior's own attributes (its JSON format and 3.x's additions);
/// anything else in an exported task is a user-defined attribute.
const CORE: &[&str] = &[
    "id",
    "uuid",
    "description",
    "status",
    "entry",
    "start",
    "end",
    "due",
    "until",
    "wait",
    "modified",
    "scheduled",
    "recur",
    "mask",
    "imask",
    "parent",
    "project",
    "priority",
    "depends",
    "tags",
    "annotations",
    "urgency",
    "rtype",
    "template",
    "last",
];

/// A timestamp as Taskwarrior writes it, for [`json_source::time`].
const TIME: &str = "a Taskwarrior timestamp (like 20261201T000000Z)";

/// Reads a `task export` file into a [`Batch`].
pub fn read(path: &Path, options: &ReadOptions) -> Result<Batch, SourceError> {
    let text = json_source::read_text(path)?;
    let records = if text.trim_start().starts_with('[') {
        json_source::json_array(path, &text)?
    } else {
        json_source::json_lines(path, &text)?
    };
    let mut batch = Batch::default();
    // The project of each task, for the epics.
    let mut projects: Vec<Option<String>> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for record in &records {
        if let Some((task, project)) = task(path, record, options, &mut batch.dropped)? {
            if let Some(first) = seen.insert(task.source_id.clone(), record.line) {
                return Err(error(
                    path,
                    record.line,
                    0,
                    format!(
                        "the uuid `{}` is on line {first} already; each task must be there once",
                        task.source_id
                    ),
                ));
            }
            batch.tasks.push(task);
            projects.push(project);
        }
    }
    if options.project_as == ProjectAs::Epic {
        batch.tasks = with_epics(batch.tasks, &projects);
    }
    Ok(batch)
}

/// The [`Incoming`] of one exported task and its project, or `None` for a
/// recurrence template.
fn task(
    path: &Path,
    record: &Record,
    options: &ReadOptions,
    dropped: &mut Vec<Dropped>,
) -> Result<Option<(Incoming, Option<String>)>, SourceError> {
    let line = record.line;
    let fields = &record.object;
    let fail = |message: String| error(path, line, 0, message);
    let uuid = match fields.get("uuid") {
        Some(Value::String(u)) if !u.trim().is_empty() => u.trim().to_owned(),
        Some(other) => {
            return Err(fail(format!(
                "`uuid` must be a string, found {}",
                json_source::kind_of(other)
            )));
        }
        None => return Err(fail("the task has no `uuid`".into())),
    };
    let mut out = Incoming {
        source_id: uuid.clone(),
        id_hint: uuid.chars().take(8).collect(),
        line,
        ..Incoming::default()
    };
    let mut own = Vec::new();
    let drop = |own: &mut Vec<Dropped>, field: &str, value: String| {
        own.push(Dropped {
            source_id: uuid.clone(),
            field: field.to_owned(),
            value,
        })
    };

    let status = string(fields, "status", &fail)?.unwrap_or("pending");
    match status {
        "pending" | "waiting" => out.status = Status::Pending,
        "completed" => out.status = Status::Completed,
        "deleted" => {
            out.status = Status::Cancelled;
            out.meta.insert(
                "taskwarrior_status".into(),
                toml::Value::String("deleted".into()),
            );
        }
        "recurring" => {
            let what = string(fields, "recur", &fail)?.unwrap_or("recurring");
            drop(
                &mut own,
                "status",
                format!("recurring ({what}): the template of its instances, which are imported"),
            );
            dropped.extend(own);
            return Ok(None);
        }
        other => {
            return Err(fail(format!(
                "`status` `{other}` is not one of Taskwarrior's: pending, completed, deleted, waiting, recurring"
            )));
        }
    }

    let description = string(fields, "description", &fail)?.unwrap_or("");
    let (subject, rest) = json_source::subject_and_rest(description);
    if subject.is_empty() {
        return Err(fail("the task has no `description`".into()));
    }
    out.subject = subject;
    out.description = rest;

    out.created = time(fields, "entry", TIME, &fail)?;
    out.started = time(fields, "start", TIME, &fail)?;
    out.closed = time(fields, "end", TIME, &fail)?;
    if out.status == Status::Pending && out.started.is_some() {
        out.status = Status::InProgress;
    }
    if let Some(due) = string(fields, "due", &fail)? {
        out.due = Some(
            json_source::date(due)
                .ok_or_else(|| fail(format!("`due` `{due}` is not a Taskwarrior date")))?,
        );
    }
    if let Some(wait) = time(fields, "wait", TIME, &fail)? {
        out.meta
            .insert("wait".into(), toml::Value::String(wait.to_rfc3339()));
    }

    match fields.get("depends") {
        None | Some(Value::Null) => {}
        Some(Value::String(list)) => out.blocked_by = list_of(list.split(',')),
        Some(Value::Array(items)) => {
            let mut uuids = Vec::new();
            for item in items {
                match item {
                    Value::String(u) => uuids.push(u.as_str()),
                    other => {
                        return Err(fail(format!(
                            "`depends` must hold uuids, found {}",
                            json_source::kind_of(other)
                        )));
                    }
                }
            }
            out.blocked_by = list_of(uuids);
        }
        Some(other) => {
            return Err(fail(format!(
                "`depends` must be an array of uuids, found {}",
                json_source::kind_of(other)
            )));
        }
    }

    match string(fields, "priority", &fail)? {
        None | Some("") => {}
        Some("H") => out.priority = Some(Priority::High),
        Some("M") => out.priority = Some(Priority::Medium),
        Some("L") => out.priority = Some(Priority::Low),
        Some(other) => drop(&mut own, "priority", other.to_owned()),
    }

    let project = string(fields, "project", &fail)?.and_then(label);
    if let (Some(p), ProjectAs::Label) = (&project, options.project_as) {
        out.labels.push(format!("project:{p}"));
    }
    match fields.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tags)) => {
            for tag in tags {
                match tag {
                    Value::String(t) => {
                        if let Some(l) = label(t) {
                            push_label(&mut out.labels, l);
                        }
                    }
                    other => {
                        return Err(fail(format!(
                            "`tags` must hold strings, found {}",
                            json_source::kind_of(other)
                        )));
                    }
                }
            }
        }
        // Taskwarrior before 2.4 wrote tags as one comma-separated string.
        Some(Value::String(tags)) => {
            for l in tags.split(',').filter_map(label) {
                push_label(&mut out.labels, l);
            }
        }
        Some(other) => {
            return Err(fail(format!(
                "`tags` must be an array of strings, found {}",
                json_source::kind_of(other)
            )));
        }
    }

    match fields.get("annotations") {
        None | Some(Value::Null) => {}
        Some(Value::Array(notes)) => {
            for note in notes {
                out.notes.push(annotation(note, &fail)?);
            }
        }
        Some(other) => {
            return Err(fail(format!(
                "`annotations` must be an array, found {}",
                json_source::kind_of(other)
            )));
        }
    }

    // What is left: core attributes with no place, and UDAs, in name
    // order so that the report and `[meta]` do not depend on the order
    // the source wrote its keys in.
    let handled = [
        "uuid",
        "status",
        "description",
        "entry",
        "start",
        "end",
        "due",
        "wait",
        "depends",
        "priority",
        "project",
        "tags",
        "annotations",
        // Derived by Taskwarrior; nothing is lost.
        "id",
        "urgency",
    ];
    let rest: BTreeMap<&String, &Value> = fields
        .iter()
        .filter(|(k, _)| !handled.contains(&k.as_str()))
        .collect();
    for (key, value) in rest {
        if CORE.contains(&key.as_str()) {
            drop(&mut own, key, short(value));
        } else if let Some(v) = to_toml(value) {
            out.meta.insert(key.clone(), v);
        }
    }
    own.sort();
    dropped.extend(own);
    Ok(Some((out, project)))
}

/// Trimmed, non-empty, each once, in the source's order.
fn list_of<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = item.trim();
        if !item.is_empty() && !out.iter().any(|o| o == item) {
            out.push(item.to_owned());
        }
    }
    out
}

/// One annotation as a note: `entry` is when, `description` the text.
fn annotation(note: &Value, fail: &impl Fn(String) -> SourceError) -> Result<Note, SourceError> {
    let Value::Object(fields) = note else {
        return Err(fail(format!(
            "an annotation must be an object with `entry` and `description`, found {}",
            json_source::kind_of(note)
        )));
    };
    let at = time(fields, "entry", TIME, fail)?
        .ok_or_else(|| fail("an annotation has no `entry`".into()))?;
    let text = string(fields, "description", fail)?
        .unwrap_or("")
        .to_owned();
    Ok(Note { at, by: None, text })
}

/// `tasks` with an epic for each project before its first task, and each
/// task of a project its child. An epic is completed, closed when its last
/// task was, once every task of the project is done or cancelled, and
/// pending before.
fn with_epics(tasks: Vec<Incoming>, projects: &[Option<String>]) -> Vec<Incoming> {
    let mut epics: BTreeMap<&str, Incoming> = BTreeMap::new();
    for (task, project) in tasks.iter().zip(projects) {
        let Some(name) = project else { continue };
        let epic = epics.entry(name).or_insert_with(|| Incoming {
            source_id: format!("project:{name}"),
            id_hint: name.clone(),
            line: task.line,
            subject: name.clone(),
            kind: Some(Kind::Epic),
            status: Status::Completed,
            ..Incoming::default()
        });
        epic.created = match (epic.created, task.created) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if task.status.is_resolved() {
            epic.closed = epic.closed.max(task.closed);
        } else {
            epic.status = Status::Pending;
        }
    }
    for epic in epics.values_mut() {
        if epic.status == Status::Pending {
            epic.closed = None;
        }
    }
    let mut out = Vec::with_capacity(tasks.len() + epics.len());
    for (mut task, project) in tasks.into_iter().zip(projects) {
        if let Some(name) = project {
            if let Some(epic) = epics.remove(name.as_str()) {
                out.push(epic);
            }
            task.parent = Some(format!("project:{name}"));
        }
        out.push(task);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::json_source::expect::{assert_tasks, at, dropped};
    use crate::task::Criterion;

    fn read_text(text: &str, project_as: ProjectAs) -> Result<Batch, SourceError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.json");
        std::fs::write(&path, text).unwrap();
        read(&path, &ReadOptions { project_as })
    }

    const EXPORT: &str = r#"[
{"id":1,"description":"Design the schema","due":"20261201T000000Z","entry":"20261203T053435Z","modified":"20261203T053436Z","points":3,"priority":"H","project":"home.garden","reviewer":"alice","start":"20261203T060000Z","status":"pending","uuid":"8d3d73cb-5f79-4d94-9ce2-a08c987013d0","tags":["design"],"urgency":29.6205},
{"id":2,"description":"Write the parser\nIt reads the\nexport.","entry":"20261203T053435Z","modified":"20261203T053435Z","priority":"M","project":"home.garden","status":"pending","uuid":"a6271c36-6464-45f9-bf44-b02a5d3daa12","annotations":[{"entry":"20261203T053435Z","description":"first draft pushed"},{"entry":"20261203T053436Z","description":"needs tests"}],"tags":["rust","rust"],"depends":["8d3d73cb-5f79-4d94-9ce2-a08c987013d0"],"urgency":9.6},
{"id":3,"description":"Ship it","entry":"20261203T053435Z","modified":"20261203T053435Z","priority":"L","project":"work","status":"pending","uuid":"746b941b-c841-4dcb-9cc5-437910fc9fa7","depends":["8d3d73cb-5f79-4d94-9ce2-a08c987013d0","a6271c36-6464-45f9-bf44-b02a5d3daa12"],"urgency":-2.2},
{"id":4,"description":"Later","entry":"20261203T053435Z","modified":"20261203T053435Z","status":"pending","uuid":"db60c16b-3396-4591-9c63-b01cf1c24a10","wait":"20270101T000000Z","urgency":-3},
{"id":5,"description":"Water plants","due":"20261207T000000Z","entry":"20261203T053435Z","mask":"-","modified":"20261203T053435Z","recur":"weekly","rtype":"periodic","status":"recurring","uuid":"e96c41d9-975f-4a49-9d83-467139099bc6","urgency":7.07765},
{"id":6,"description":"Water plants","due":"20261207T000000Z","entry":"20261203T053435Z","imask":0,"modified":"20261203T053435Z","parent":"e96c41d9-975f-4a49-9d83-467139099bc6","recur":"weekly","rtype":"periodic","status":"pending","uuid":"6225e74a-bf80-4de6-a69d-f39cc33d4f14","urgency":7.07765},
{"id":0,"description":"Old idea","end":"20261203T053435Z","entry":"20261203T053435Z","modified":"20261203T053435Z","status":"deleted","uuid":"fb3812ee-eafd-4571-87ce-5d824115e442","urgency":0},
{"id":0,"description":"Done thing","end":"20261203T070000Z","entry":"20261203T053435Z","modified":"20261203T053435Z","project":"work","status":"completed","uuid":"3d988cc0-b25f-4abf-ad93-186c95a51523","tags":["chore"],"urgency":0.8}
]
"#;

    const D: &str = "8d3d73cb-5f79-4d94-9ce2-a08c987013d0";
    const P: &str = "a6271c36-6464-45f9-bf44-b02a5d3daa12";

    fn meta(pairs: &[(&str, toml::Value)]) -> toml::Table {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn expected_tasks() -> Vec<Incoming> {
        let entry = Some(at("20261203T053435Z"));
        vec![
            Incoming {
                source_id: D.into(),
                id_hint: "8d3d73cb".into(),
                line: 2,
                subject: "Design the schema".into(),
                status: Status::InProgress,
                priority: Some(Priority::High),
                due: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
                labels: vec!["project:home.garden".into(), "design".into()],
                created: entry,
                started: Some(at("20261203T060000Z")),
                meta: meta(&[
                    ("points", toml::Value::Integer(3)),
                    ("reviewer", toml::Value::String("alice".into())),
                ]),
                ..Incoming::default()
            },
            Incoming {
                source_id: P.into(),
                id_hint: "a6271c36".into(),
                line: 3,
                subject: "Write the parser".into(),
                description: Some("It reads the\nexport.".into()),
                priority: Some(Priority::Medium),
                blocked_by: vec![D.into()],
                labels: vec!["project:home.garden".into(), "rust".into()],
                created: entry,
                notes: vec![
                    Note {
                        at: at("20261203T053435Z"),
                        by: None,
                        text: "first draft pushed".into(),
                    },
                    Note {
                        at: at("20261203T053436Z"),
                        by: None,
                        text: "needs tests".into(),
                    },
                ],
                ..Incoming::default()
            },
            Incoming {
                source_id: "746b941b-c841-4dcb-9cc5-437910fc9fa7".into(),
                id_hint: "746b941b".into(),
                line: 4,
                subject: "Ship it".into(),
                priority: Some(Priority::Low),
                blocked_by: vec![D.into(), P.into()],
                labels: vec!["project:work".into()],
                created: entry,
                ..Incoming::default()
            },
            Incoming {
                source_id: "db60c16b-3396-4591-9c63-b01cf1c24a10".into(),
                id_hint: "db60c16b".into(),
                line: 5,
                subject: "Later".into(),
                created: entry,
                meta: meta(&[(
                    "wait",
                    toml::Value::String("2027-01-01T00:00:00+00:00".into()),
                )]),
                ..Incoming::default()
            },
            Incoming {
                source_id: "6225e74a-bf80-4de6-a69d-f39cc33d4f14".into(),
                id_hint: "6225e74a".into(),
                line: 7,
                subject: "Water plants".into(),
                due: chrono::NaiveDate::from_ymd_opt(2026, 12, 7),
                created: entry,
                ..Incoming::default()
            },
            Incoming {
                source_id: "fb3812ee-eafd-4571-87ce-5d824115e442".into(),
                id_hint: "fb3812ee".into(),
                line: 8,
                subject: "Old idea".into(),
                status: Status::Cancelled,
                created: entry,
                closed: entry,
                meta: meta(&[("taskwarrior_status", toml::Value::String("deleted".into()))]),
                ..Incoming::default()
            },
            Incoming {
                source_id: "3d988cc0-b25f-4abf-ad93-186c95a51523".into(),
                id_hint: "3d988cc0".into(),
                line: 9,
                subject: "Done thing".into(),
                status: Status::Completed,
                labels: vec!["project:work".into(), "chore".into()],
                created: entry,
                closed: Some(at("20261203T070000Z")),
                ..Incoming::default()
            },
        ]
    }

    fn expected_dropped() -> Vec<Dropped> {
        let mut out = vec![dropped(D, "modified", "20261203T053436Z")];
        for id in [
            P,
            "746b941b-c841-4dcb-9cc5-437910fc9fa7",
            "db60c16b-3396-4591-9c63-b01cf1c24a10",
        ] {
            out.push(dropped(id, "modified", "20261203T053435Z"));
        }
        let template = "e96c41d9-975f-4a49-9d83-467139099bc6";
        out.push(dropped(
            template,
            "status",
            "recurring (weekly): the template of its instances, which are imported",
        ));
        let instance = "6225e74a-bf80-4de6-a69d-f39cc33d4f14";
        out.extend([
            dropped(instance, "imask", "0"),
            dropped(instance, "modified", "20261203T053435Z"),
            dropped(instance, "parent", template),
            dropped(instance, "recur", "weekly"),
            dropped(instance, "rtype", "periodic"),
        ]);
        for id in [
            "fb3812ee-eafd-4571-87ce-5d824115e442",
            "3d988cc0-b25f-4abf-ad93-186c95a51523",
        ] {
            out.push(dropped(id, "modified", "20261203T053435Z"));
        }
        out
    }

    #[test]
    fn an_export_becomes_tasks_and_edges() {
        let batch = read_text(EXPORT, ProjectAs::Label).unwrap();
        let expected = expected_tasks();
        assert_tasks(&batch.tasks, &expected);
        assert_eq!(batch.dropped, expected_dropped());
        // Nothing in a Taskwarrior task is a criterion.
        assert!(
            batch
                .tasks
                .iter()
                .all(|t| t.criteria == Vec::<Criterion>::new())
        );
    }

    #[test]
    fn one_object_per_line_reads_the_same() {
        let lines: String = EXPORT
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| format!("{}\n", l.trim_end_matches(',')))
            .collect();
        let batch = read_text(&lines, ProjectAs::Label).unwrap();
        let mut expected = expected_tasks();
        for task in &mut expected {
            task.line -= 1;
        }
        assert_eq!(batch.tasks, expected);
        assert_eq!(batch.dropped, expected_dropped());
        // Old versions ended every line with a comma.
        let with_commas: String = EXPORT
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            read_text(&with_commas, ProjectAs::Label).unwrap().tasks,
            expected
        );
    }

    #[test]
    fn projects_become_parent_epics() {
        let batch = read_text(EXPORT, ProjectAs::Epic).unwrap();
        let ids: Vec<(&str, Option<&str>)> = batch
            .tasks
            .iter()
            .map(|t| (t.source_id.as_str(), t.parent.as_deref()))
            .collect();
        assert_eq!(
            ids,
            [
                ("project:home.garden", None),
                (D, Some("project:home.garden")),
                (P, Some("project:home.garden")),
                ("project:work", None),
                ("746b941b-c841-4dcb-9cc5-437910fc9fa7", Some("project:work")),
                ("db60c16b-3396-4591-9c63-b01cf1c24a10", None),
                ("6225e74a-bf80-4de6-a69d-f39cc33d4f14", None),
                ("fb3812ee-eafd-4571-87ce-5d824115e442", None),
                ("3d988cc0-b25f-4abf-ad93-186c95a51523", Some("project:work")),
            ]
        );
        let epic = &batch.tasks[0];
        assert_eq!(
            epic,
            &Incoming {
                source_id: "project:home.garden".into(),
                id_hint: "home.garden".into(),
                line: 2,
                subject: "home.garden".into(),
                kind: Some(Kind::Epic),
                created: Some(at("20261203T053435Z")),
                ..Incoming::default()
            }
        );
        assert_eq!(batch.tasks[1].labels, ["design"]);
        assert_eq!(super::super::id_from(&epic.id_hint).as_str(), "home-garden");
    }

    #[test]
    fn an_epic_of_finished_work_is_completed() {
        let text = r#"[{"uuid":"a","description":"one","status":"completed","project":"old proj","end":"20260101T000000Z"},
{"uuid":"b","description":"two","status":"deleted","project":"old proj","end":"20260301T000000Z"}]"#;
        let batch = read_text(text, ProjectAs::Epic).unwrap();
        assert_eq!(batch.tasks[0].source_id, "project:old-proj");
        assert_eq!(batch.tasks[0].status, Status::Completed);
        assert_eq!(batch.tasks[0].closed, Some(at("20260301T000000Z")));
        let labels = read_text(text, ProjectAs::Label).unwrap();
        assert_eq!(labels.tasks[0].labels, ["project:old-proj"]);
    }

    #[test]
    fn old_versions_write_depends_as_one_string() {
        let text = r#"{"uuid":"c","description":"three","status":"waiting","depends":"a, b,a","tags":"x,y"}"#;
        let batch = read_text(text, ProjectAs::Label).unwrap();
        assert_eq!(batch.tasks[0].blocked_by, ["a", "b"]);
        assert_eq!(batch.tasks[0].labels, ["x", "y"]);
        assert_eq!(batch.tasks[0].status, Status::Pending);
    }

    #[test]
    fn other_priorities_and_core_attributes_are_reported() {
        let text = r#"[{"uuid":"c","description":"three","status":"pending","priority":"X","scheduled":"20260101T000000Z","until":"20260201T000000Z"}]"#;
        let batch = read_text(text, ProjectAs::Label).unwrap();
        assert_eq!(batch.tasks[0].priority, None);
        assert_eq!(
            batch.dropped,
            [
                dropped("c", "priority", "X"),
                dropped("c", "scheduled", "20260101T000000Z"),
                dropped("c", "until", "20260201T000000Z"),
            ]
        );
    }

    #[test]
    fn malformed_exports_name_the_line() {
        let cases = [
            (
                "[\n{\"uuid\":\"a\",\"description\":\"x\"},\n{\"uuid\":\"b\" \"description\":\"y\"}\n]",
                3,
                13,
                "not a JSON array of tasks: expected `,` or `}`",
            ),
            (
                "[\n{\"uuid\":\"a\",\"description\":\"x\"},\n  {\"description\":\"y\"}\n]",
                3,
                0,
                "the task has no `uuid`",
            ),
            (
                "{\"uuid\":\"a\",\"description\":\"x\"}\n{\"uuid\":\"b\",\"description\":\"\"}\n",
                2,
                0,
                "the task has no `description`",
            ),
            (
                "{\"uuid\":\"a\",\"description\":\"x\",\"status\":\"open\"}",
                1,
                0,
                "`status` `open` is not one of Taskwarrior's",
            ),
            (
                "[{\"uuid\":\"a\",\"description\":\"x\"},\n{\"uuid\":\"b\",\"description\":\"x\",\"due\":\"soon\"}]",
                2,
                0,
                "`due` `soon` is not a Taskwarrior date",
            ),
            (
                "[{\"uuid\":\"a\",\"description\":\"x\",\n\"entry\":\"2026\"}]",
                1,
                0,
                "`entry` `2026` is not a Taskwarrior timestamp",
            ),
            (
                "[{\"uuid\":\"a\",\"description\":\"x\",\"depends\":[1]}]",
                1,
                0,
                "`depends` must hold uuids, found a number",
            ),
            (
                "[{\"uuid\":\"a\",\"description\":\"x\",\"annotations\":[{\"description\":\"n\"}]}]",
                1,
                0,
                "an annotation has no `entry`",
            ),
            (
                "[1]",
                1,
                0,
                "expected a JSON object (one task), found a number",
            ),
            (
                "{\"uuid\":\"a\",\"description\":\"x\"}\n\n{\"uuid\":\"a\",",
                3,
                11,
                "not a JSON object: EOF while parsing",
            ),
        ];
        for (text, line, column, message) in cases {
            let err = read_text(text, ProjectAs::Label).unwrap_err();
            assert_eq!((err.line, err.column), (line, column), "{text}: {err}");
            assert!(err.message.starts_with(message), "{text}: {err}");
            assert!(err.file.ends_with("export.json"));
        }
    }

    #[test]
    fn the_committed_fixture_reads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import/taskwarrior/export.json");
        let batch = read(&path, &ReadOptions::default()).unwrap();
        assert_eq!(
            read(&path, &ReadOptions::default()).unwrap(),
            batch,
            "the same input makes the same batch"
        );
        let statuses: Vec<Status> = batch.tasks.iter().map(|t| t.status).collect();
        assert!(statuses.contains(&Status::Cancelled));
        assert!(statuses.contains(&Status::Completed));
        assert!(batch.tasks.iter().any(|t| !t.blocked_by.is_empty()));
        assert!(batch.tasks.iter().any(|t| !t.notes.is_empty()));
        assert!(batch.tasks.iter().any(|t| t.meta.contains_key("reviewer")));
        assert!(batch.tasks.iter().any(|t| t.meta.contains_key("wait")));
    }
}
