//! `apply` as JSON.

use schemars::JsonSchema;
use serde::Serialize;

use super::{DiffReport, Version};
use crate::apply::{Applied, Outcome};
use crate::id::TaskId;

/// One task of the plan and what applying did to it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AppliedKey<'a> {
    /// The task's key in the plan.
    pub key: &'a str,
    /// The task's full id.
    pub id: &'a TaskId,
    /// created, updated or unchanged (with --dry-run: what applying would do).
    pub outcome: Outcome,
}

/// A task made by this plan whose key the plan no longer has: left alone.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NotInPlan<'a> {
    /// Its key in the plan that made it.
    pub key: &'a str,
    pub id: &'a TaskId,
}

/// The document of `apply`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ApplyReport<'a> {
    pub version: Version,
    /// The plan's name, as each task's `plan_key` starts.
    pub plan: &'a str,
    /// Nothing was written: the counts, tasks and diff say what applying
    /// would do.
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Every task of the plan, in the plan's order.
    pub tasks: Vec<AppliedKey<'a>>,
    /// Tasks of this plan whose keys it no longer has, in id order.
    pub not_in_plan: Vec<NotInPlan<'a>>,
    /// With --dry-run: the change as `diff` shows it, from the working
    /// tree to the working tree with the plan applied; null otherwise.
    pub diff: Option<DiffReport<'a>>,
}

impl<'a> ApplyReport<'a> {
    /// The report of `applied`; `diff` for a dry run.
    pub fn new(applied: &'a Applied, dry_run: bool, diff: Option<DiffReport<'a>>) -> Self {
        ApplyReport {
            version: Version,
            plan: &applied.name,
            dry_run,
            created: applied.count(Outcome::Created),
            updated: applied.count(Outcome::Updated),
            unchanged: applied.count(Outcome::Unchanged),
            tasks: applied
                .tasks
                .iter()
                .map(|t| AppliedKey {
                    key: &t.key,
                    id: &t.id,
                    outcome: t.outcome,
                })
                .collect(),
            not_in_plan: applied
                .not_in_plan
                .iter()
                .map(|(key, id)| NotInPlan { key, id })
                .collect(),
            diff,
        }
    }
}

impl<'a> ApplyReport<'a> {
    /// The report of a plan applied, with the diff of a dry run.
    pub fn of(application: &'a crate::apply::Application) -> Self {
        let diff = application.dry_run.as_ref().map(|(before, diff)| {
            let sides = super::Sides {
                from: "working tree",
                to: "plan applied",
                range: None,
            };
            DiffReport::new(before, &application.after, diff, sides)
        });
        ApplyReport::new(&application.applied, application.dry_run.is_some(), diff)
    }
}
