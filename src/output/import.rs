//! `export` and `import` as JSON.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::{DiffReport, TaskFields, Version};
use crate::bridge::{Imported, Outcome};
use crate::id::TaskId;
use crate::task::Task;

/// One line of `export`: a task with every field, as `show --json` has
/// them (without what the graph says), and the version first so that a
/// line read alone says what it is.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ExportLine<'a> {
    pub version: Version,
    #[serde(flatten)]
    pub fields: TaskFields<'a>,
}

impl<'a> ExportLine<'a> {
    pub fn new(task: &'a Task) -> Self {
        ExportLine {
            version: Version,
            fields: TaskFields::new(task),
        }
    }
}

/// One task of the source and what the import did with it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ImportedEntry<'a> {
    /// Its id in the source, as the source spells it.
    pub source_id: &'a str,
    /// The task's full id.
    pub id: &'a TaskId,
    /// created, updated or unchanged (with --dry-run: what importing would do).
    pub outcome: Outcome,
}

/// A field or value of the source with no place in git-task, by name.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DroppedField<'a> {
    /// The field as the source names it.
    pub field: &'a str,
    /// On how many tasks.
    pub count: usize,
    /// The first few, as `source id: value`.
    pub examples: Vec<String>,
}

/// The document of `import`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ImportReport<'a> {
    pub version: Version,
    /// The source's format: git-task, taskwarrior, beads, backlog,
    /// task-master or agent.
    pub from: &'a str,
    /// Nothing was written: the counts, tasks and diff say what importing
    /// would do.
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// How many `blocked_by` and `parent` edges the source gave.
    pub edges: usize,
    /// Every task of the source, in the source's order.
    pub tasks: Vec<ImportedEntry<'a>>,
    /// What had no place, by field name.
    pub dropped: Vec<DroppedField<'a>>,
    /// With --dry-run: the change as `diff` shows it; null otherwise.
    pub diff: Option<DiffReport<'a>>,
}

/// How many examples of a dropped field a report gives.
pub const DROPPED_EXAMPLES: usize = 3;

impl<'a> ImportReport<'a> {
    pub fn new(imported: &'a Imported, diff: Option<DiffReport<'a>>, dry_run: bool) -> Self {
        let mut dropped: BTreeMap<&str, DroppedField> = BTreeMap::new();
        for d in &imported.dropped {
            let entry = dropped.entry(&d.field).or_insert_with(|| DroppedField {
                field: &d.field,
                count: 0,
                examples: Vec::new(),
            });
            entry.count += 1;
            if entry.examples.len() < DROPPED_EXAMPLES {
                entry.examples.push(format!("{}: {}", d.source_id, d.value));
            }
        }
        ImportReport {
            version: Version,
            from: imported.tracker.as_str(),
            dry_run,
            created: imported.count(Outcome::Created),
            updated: imported.count(Outcome::Updated),
            unchanged: imported.count(Outcome::Unchanged),
            edges: imported.edges,
            tasks: imported
                .tasks
                .iter()
                .map(|t| ImportedEntry {
                    source_id: &t.source_id,
                    id: &t.id,
                    outcome: t.outcome,
                })
                .collect(),
            dropped: dropped.into_values().collect(),
            diff,
        }
    }

    /// The report of an import, with the diff of a dry run.
    pub fn of(import: &'a crate::bridge::Import) -> Self {
        let diff = import.dry_run.as_ref().map(|(before, diff)| {
            let sides = super::Sides {
                from: "working tree",
                to: "import done",
                range: None,
            };
            DiffReport::new(before, &import.after, diff, sides)
        });
        ImportReport::new(&import.imported, diff, import.dry_run.is_some())
    }
}
