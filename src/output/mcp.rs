//! The documents only the MCP server answers with (what is ready, with
//! what finishing each task moves on; the error of a tool), and the
//! `fields` projection its reading tools apply to any document.

use schemars::JsonSchema;
use serde::Serialize;

use super::{TaskObject, Version};
use crate::facts::Facts;
use crate::graph::{CriticalPath, Open};

/// A ready task with what finishing it moves on: how much waits for it
/// and how far it can slip.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadyTask<'a> {
    #[serde(flatten)]
    pub task: TaskObject<'a>,
    /// How many unresolved tasks wait for this one directly (what names
    /// it in `blocked_by`, inherits it from an ancestor, or is its parent).
    pub unblocks: usize,
    /// How many unresolved tasks wait for it directly or through others.
    pub unblocks_total: usize,
    /// Work minutes it can slip without delaying the end of all the work
    /// (0 on the critical path); null when the tasks wait for each other
    /// in a cycle and there is no plan.
    pub slack_minutes: Option<u64>,
}

/// The MCP `ready` tool: what can start now, most urgent first, each
/// with what it unblocks and its slack.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadyReport<'a> {
    pub version: Version,
    pub tasks: Vec<ReadyTask<'a>>,
    /// The ready tasks left out because someone holds a live claim on
    /// them, as `ready --json` lists them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub claimed: Vec<super::ClaimObject<'a>>,
}

impl<'a> ReadyReport<'a> {
    /// The tasks of `facts` at `indices`, in that order. `open` and `cp`
    /// are the plan of the same tasks and its critical path, or `None`
    /// when they have a cycle.
    pub fn new(
        facts: &Facts<'a>,
        indices: &[usize],
        plan: Option<(&Open, &CriticalPath)>,
    ) -> ReadyReport<'a> {
        let tasks = indices
            .iter()
            .map(|&i| {
                let (unblocks, unblocks_total) =
                    plan.map_or((0, 0), |(open, _)| downstream(open, i));
                ReadyTask {
                    task: TaskObject::new(facts, i),
                    unblocks,
                    unblocks_total,
                    slack_minutes: plan
                        .and_then(|(_, cp)| cp.timing.get(i).copied().flatten())
                        .map(|t| t.slack),
                }
            })
            .collect();
        ReadyReport {
            version: Version,
            tasks,
            claimed: Vec::new(),
        }
    }
}

/// How many unresolved tasks wait for task `i`: directly, and in all
/// (directly or through others). Walks what follows it once.
fn downstream(open: &Open, i: usize) -> (usize, usize) {
    let direct: Vec<usize> = open.dependents(i).collect();
    let mut seen: std::collections::HashSet<usize> = direct.iter().copied().collect();
    let mut stack = direct.clone();
    while let Some(j) = stack.pop() {
        for k in open.dependents(j) {
            if seen.insert(k) {
                stack.push(k);
            }
        }
    }
    seen.remove(&i);
    (direct.len(), seen.len())
}

/// What sort of failure a tool error is, for an agent to act on without
/// reading the words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The answer is no: the change breaks a rule (blocked, held by
    /// someone else, unmet criteria, a cycle, already closed). The CLI
    /// exits 1.
    Refused,
    /// Bad input: an unknown or ambiguous id, a value that does not parse.
    Invalid,
    /// Task files that do not read stand in the way.
    Unreadable,
    /// The tasks wait for each other in a cycle, so there is no plan.
    Cycle,
    /// Anything else that kept the tool from answering (no repository,
    /// the lock, the file system).
    Failed,
}

/// The error of a tool, as the CLI says it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorObject {
    pub kind: ErrorKind,
    /// The CLI's exit code for the same error: 1 for a refusal, 2 for
    /// everything else.
    pub exit_code: u8,
    /// What the CLI prints after `error:`.
    pub message: String,
    /// What the CLI prints after `hint:`, one each: the `git task …`
    /// commands that move things on.
    pub hints: Vec<String>,
}

/// The structured content of an MCP tool's error, and the body of an
/// error of `serve`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ToolError {
    pub version: Version,
    pub error: ErrorObject,
}

/// Keeps only `fields` (and `id`, always) in each task object of `doc`:
/// the object under a `task` key (`show`, `done`, the epics of `status`)
/// and the objects of a `tasks` or `in_progress` list (`ready`, `plan`,
/// `status`). What is inside a kept field stays whole, and the rest of the
/// document (its `version`, counts, waves, gates, late tasks) is left as
/// it is, though its objects name tasks too.
pub fn project(doc: &mut serde_json::Value, fields: &[String]) {
    project_under(None, doc, fields);
}

fn project_under(key: Option<&str>, value: &mut serde_json::Value, fields: &[String]) {
    use serde_json::Value;
    let cut = |map: &mut serde_json::Map<String, Value>| {
        map.retain(|k, _| k == "id" || fields.iter().any(|f| f == k));
    };
    match (key, value) {
        (Some("task"), Value::Object(map)) if map.contains_key("id") => cut(map),
        (Some("tasks" | "in_progress"), Value::Array(items)) => {
            for item in items {
                match item {
                    Value::Object(map) if map.contains_key("id") => cut(map),
                    other => project_under(None, other, fields),
                }
            }
        }
        (_, Value::Object(map)) => {
            for (k, v) in map.iter_mut() {
                project_under(Some(k), v, fields);
            }
        }
        (_, Value::Array(items)) => items
            .iter_mut()
            .for_each(|v| project_under(None, v, fields)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;
    use crate::testing::set;

    #[test]
    fn a_task_unblocks_what_waits_for_it_directly_and_through_others() {
        // a ← b ← c, a ← d: a unblocks b and d directly, c through b.
        let tasks = set(&[
            ("a", ""),
            ("b", "blocked_by = [\"a\"]"),
            ("c", "blocked_by = [\"b\"]"),
            ("d", "blocked_by = [\"a\"]"),
        ]);
        let graph = Graph::new(&tasks);
        let open = Open::new(&graph).unwrap();
        let a = tasks.index_of("a").unwrap();
        let c = tasks.index_of("c").unwrap();
        assert_eq!(downstream(&open, a), (2, 3));
        assert_eq!(downstream(&open, c), (0, 0));
    }

    /// A JSON value from its text (documents are types, even in tests,
    /// but the projection works on any JSON).
    fn parse(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    fn fields(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn each_task_of_a_list_keeps_its_id_and_the_fields_asked_for() {
        let mut doc = parse(
            r#"{
            "version": 1,
            "tasks": [
                {"id": "a", "subject": "A", "status": "pending", "labels": ["x"]},
                {"id": "b", "subject": "B", "status": "pending", "labels": []}
            ]
        }"#,
        );
        project(&mut doc, &fields(&["subject", "unknown"]));
        assert_eq!(
            doc,
            parse(
                r#"{
                "version": 1,
                "tasks": [{"id": "a", "subject": "A"}, {"id": "b", "subject": "B"}]
            }"#,
            )
        );
    }

    #[test]
    fn a_kept_field_stays_whole_and_the_rest_of_the_document_is_untouched() {
        // show: the task's children are task-like objects too, but inside
        // a field that was asked for they are kept as they are.
        let mut doc = parse(
            r#"{
            "version": 1,
            "task": {
                "id": "p",
                "subject": "P",
                "children": [{"id": "c", "subject": "C", "status": "pending"}],
                "waiting_for": []
            }
        }"#,
        );
        project(&mut doc, &fields(&["children"]));
        assert_eq!(
            doc,
            parse(
                r#"{
                "version": 1,
                "task": {
                    "id": "p",
                    "children": [{"id": "c", "subject": "C", "status": "pending"}]
                }
            }"#,
            )
        );
    }

    #[test]
    fn task_objects_deep_in_a_document_are_cut_and_other_values_are_not() {
        // status: counts and id lists stay; the objects naming tasks are cut.
        let mut doc = parse(
            r#"{
            "version": 1,
            "counts": {"total": 2},
            "ready": ["a"],
            "progress": {"epics": [{"progress": {"percent": 50}, "task": {"id": "e", "subject": "E"}}]},
            "in_progress": [{"id": "b", "subject": "B", "owner": "bo"}]
        }"#,
        );
        project(&mut doc, &fields(&["owner"]));
        assert_eq!(
            doc,
            parse(
                r#"{
                "version": 1,
                "counts": {"total": 2},
                "ready": ["a"],
                "progress": {"epics": [{"progress": {"percent": 50}, "task": {"id": "e"}}]},
                "in_progress": [{"id": "b", "owner": "bo"}]
            }"#,
            )
        );
    }

    #[test]
    fn gates_and_late_tasks_keep_what_they_say_of_a_task() {
        let text = r#"{
            "version": 1,
            "gates": [{"id": "g", "subject": "G", "state": "red", "reasons": ["x"]}],
            "late": [{"id": "a", "due": "2026-12-01", "projected_end": "2026-12-03"}]
        }"#;
        let mut doc = parse(text);
        project(&mut doc, &fields(&["subject"]));
        assert_eq!(doc, parse(text));
    }

    #[test]
    fn no_fields_keeps_only_the_ids() {
        let mut doc = parse(r#"{"tasks": [{"id": "a", "subject": "A"}]}"#);
        project(&mut doc, &[]);
        assert_eq!(doc, parse(r#"{"tasks": [{"id": "a"}]}"#,));
    }
}
