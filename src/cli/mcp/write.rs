//! The tools that change tasks: `create`, `update`, `apply`, `done`. Each
//! is one transaction through the library's changes, as the commands of
//! the same names (`add`, `edit`, `dep`, `criteria`, `note`) make them,
//! and answers with the task as those commands print it with `--json`.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{ErrorData as McpError, Peer, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use git_task::Field;
use git_task::change::{self, CriteriaChange, FieldChanges, NewTask};
use git_task::error::Error;
use git_task::task::{Estimate, Gate, Kind, Priority, Status};

use super::super::completion::{self, Said};
use super::super::{CliError, task_answer};
use super::{Call, Server, doc};

/// `create`'s arguments: those of `git task add`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateParams {
    /// One line: what is to be done.
    subject: String,
    /// A readable id (e.g. backup-db) instead of a generated one.
    id: Option<String>,
    /// epic, story, task (default) or subtask.
    kind: Option<String>,
    /// critical, high, medium (default) or low.
    priority: Option<String>,
    /// The task this one is part of (a parent waits for its children).
    parent: Option<String>,
    /// Tasks that must finish first.
    #[serde(alias = "after")]
    blocked_by: Option<Vec<String>>,
    /// A go/no-go gate for the configured branches.
    gate: Option<bool>,
    /// Work time: 30m, 4h, 2d, 1w, or several (1d 4h).
    estimate: Option<String>,
    /// Due date, YYYY-MM-DD.
    due: Option<String>,
    labels: Option<Vec<String>>,
    /// Success criteria, all to be met before done.
    criteria: Option<Vec<String>>,
    description: Option<String>,
}

/// The fields `update` sets: those of `git task edit`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetFields {
    subject: Option<String>,
    /// Set as is (start and done check the rules).
    status: Option<String>,
    kind: Option<String>,
    priority: Option<String>,
    parent: Option<String>,
    owner: Option<String>,
    estimate: Option<String>,
    /// YYYY-MM-DD.
    due: Option<String>,
    description: Option<String>,
    /// Make it a gate for the configured branches.
    gate: Option<bool>,
    add_labels: Option<Vec<String>>,
    remove_labels: Option<Vec<String>>,
    /// Fields to remove: parent, gate, owner, estimate, due, labels,
    /// verify, description, priority, kind, blocked_by, waiver.
    unset: Option<Vec<String>>,
}

/// `update`'s arguments: a patch, applied in one transaction.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateParams {
    /// Task id or unique prefix.
    id: String,
    set: Option<SetFields>,
    add_blockers: Option<Vec<String>>,
    remove_blockers: Option<Vec<String>>,
    add_criteria: Option<Vec<String>>,
    /// Criteria to mark met, numbered from 1.
    check_criteria: Option<Vec<usize>>,
    /// Text to append to the task's notes.
    note: Option<String>,
    /// The note's author (default: git config user.email).
    by: Option<String>,
}

/// `apply`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyParams {
    /// The plan: {"name": "...", "tasks": {"<key>": {"subject": ..., "blocked_by": ["<key or id>"], "parent": ..., ...}}}
    /// (fields as `create`'s; see docs/plans.md), or TOML with `format`.
    plan: String,
    /// json (default) or toml.
    format: Option<String>,
    /// Show the change without writing it. Do this first.
    dry_run: Option<bool>,
}

/// `done`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DoneParams {
    /// Task id or unique prefix.
    id: String,
    /// Complete it whatever it waits for, unmet criteria and verify too.
    force: Option<bool>,
    /// Do not run its verify command.
    no_verify: Option<bool>,
}

#[tool_router(router = write_tools, vis = "pub(super)")]
impl Server {
    /// Create a task; returns it.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = false,
        open_world_hint = false
    ))]
    async fn create(
        &self,
        Parameters(p): Parameters<CreateParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.call(&peer, None, move |call| create(call, p)).await
    }

    /// Change a task in one transaction: `set` fields, add/remove
    /// blockers, add/check criteria, append a note. A cycle is refused.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = true,
        idempotent_hint = false,
        open_world_hint = false
    ))]
    async fn update(
        &self,
        Parameters(p): Parameters<UpdateParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.call(&peer, None, move |call| update(call, p)).await
    }

    /// Create or update a whole task graph from a plan, all or nothing:
    /// tasks by local keys, wired by `blocked_by` and `parent`. Re-applying
    /// changes nothing; an edited plan changes only what it changed.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = true,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn apply(
        &self,
        Parameters(p): Parameters<ApplyParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.call(&peer, None, move |call| apply(call, p)).await
    }

    /// Complete a task: runs its verify command; refused while it waits
    /// for anything or has unmet criteria. Returns what became ready.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = false,
        open_world_hint = false
    ))]
    async fn done(
        &self,
        Parameters(p): Parameters<DoneParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.call(&peer, None, move |call| done(call, p)).await
    }
}

/// A word of the task files (`kind`, `priority`, `status`), with the
/// library's message for one that is none.
fn word<T: std::str::FromStr<Err = String>>(text: Option<&str>) -> Result<Option<T>, CliError> {
    text.map(|t| t.parse().map_err(CliError::user)).transpose()
}

fn estimate(text: Option<&str>) -> Result<Option<Estimate>, CliError> {
    text.map(|t| t.parse::<Estimate>().map_err(CliError::user))
        .transpose()
}

fn due(text: Option<&str>) -> Result<Option<chrono::NaiveDate>, CliError> {
    text.map(|t| git_task::task::parse_date(t).map_err(CliError::user))
        .transpose()
}

/// The field of `unset`, as `edit --unset` takes it.
fn unsettable(text: &str) -> Result<Field, CliError> {
    Field::parse_unsettable(text).ok_or_else(|| {
        CliError::user(format!(
            "`{text}` cannot be unset; fields: {}",
            Field::unsettable()
                .map(Field::key)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// `add SUBJECT … --json`.
fn create(call: &mut Call, p: CreateParams) -> Result<Value, CliError> {
    let ctx = &call.ctx;
    let new = NewTask {
        fields: FieldChanges {
            subject: Some(p.subject),
            kind: word::<Kind>(p.kind.as_deref())?,
            priority: word::<Priority>(p.priority.as_deref())?,
            parent: p.parent,
            gate: p.gate.unwrap_or(false).then_some(Gate::ConfiguredBranches),
            estimate: estimate(p.estimate.as_deref())?,
            due: due(p.due.as_deref())?,
            add_labels: p.labels.unwrap_or_default(),
            description: p.description,
            ..FieldChanges::default()
        },
        id: p.id,
        after: p.blocked_by.unwrap_or_default(),
        criteria: p.criteria.unwrap_or_default(),
    };
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let now = ctx.now;
    let (task, set) = ws.transact(|tx| change::add(tx, new.clone(), &config, now))?;
    task_answer(ctx, &set, task.id.as_str())
}

/// `edit`, `dep add`, `dep rm`, `criteria --add/--met` and `note` at once.
fn update(call: &mut Call, p: UpdateParams) -> Result<Value, CliError> {
    let ctx = &call.ctx;
    let set = p.set.clone().unwrap_or_default();
    let changes = FieldChanges {
        subject: set.subject,
        status: word::<Status>(set.status.as_deref())?,
        kind: word::<Kind>(set.kind.as_deref())?,
        priority: word::<Priority>(set.priority.as_deref())?,
        parent: set.parent,
        gate: set.gate.filter(|g| *g).map(|_| Gate::ConfiguredBranches),
        owner: set.owner,
        estimate: estimate(set.estimate.as_deref())?,
        due: due(set.due.as_deref())?,
        add_labels: set.add_labels.unwrap_or_default(),
        remove_labels: set.remove_labels.unwrap_or_default(),
        description: set.description,
        unset: set
            .unset
            .unwrap_or_default()
            .iter()
            .map(|f| unsettable(f))
            .chain(
                // `gate: false` is `--unset gate`.
                (set.gate == Some(false)).then_some(Ok(Field::Gate)),
            )
            .collect::<Result<_, _>>()?,
        ..FieldChanges::default()
    };
    let criteria = CriteriaChange {
        met: p.check_criteria.clone().unwrap_or_default(),
        unmet: Vec::new(),
        add: p.add_criteria.clone().unwrap_or_default(),
    };
    let by = match &p.note {
        Some(_) => Some(ctx.actor(p.by.clone(), "who writes the note?", "`by`")?),
        None => None,
    };
    let add = p.add_blockers.clone().unwrap_or_default();
    let remove = p.remove_blockers.clone().unwrap_or_default();
    let ws = ctx.workspace()?;
    let now = ctx.now;
    let (id, set) = ws.transact(|tx| {
        let id = tx.resolve(&p.id)?;
        if changes != FieldChanges::default() {
            change::edit_fields(tx, &id, &changes, now)?;
        }
        if !add.is_empty() {
            let new = change::resolve_blockers(tx, &add, true)?;
            change::add_blockers(tx, &id, &new)?;
        }
        if !remove.is_empty() {
            let old = change::resolve_blockers(tx, &remove, false)?;
            change::remove_blockers(tx, &id, &old)?;
        }
        if !(criteria.met.is_empty() && criteria.add.is_empty()) {
            change::change_criteria(tx, &id, &criteria)?;
        }
        if let (Some(text), Some(by)) = (&p.note, &by) {
            change::note(tx, &id, by, text, now)?;
        }
        Ok(id)
    })?;
    task_answer(ctx, &set, id.as_str())
}

/// `apply - --format json [--dry-run] --json`.
fn apply(call: &mut Call, p: ApplyParams) -> Result<Value, CliError> {
    let format = match p.format.as_deref() {
        None | Some("json") => git_task::apply::PlanFormat::Json,
        Some("toml") => git_task::apply::PlanFormat::Toml,
        Some(other) => {
            return Err(CliError::user(format!(
                "`{other}` is no plan format: json or toml"
            )));
        }
    };
    let plan = git_task::apply::parse(&p.plan, format, "<plan>", None)
        .map_err(|e| Error::Plan(Box::new(e)))?;
    let ws = call.ctx.workspace()?;
    let application =
        git_task::apply::apply_to(&ws, &plan, call.ctx.now, p.dry_run.unwrap_or(false))?;
    doc(&git_task::output::ApplyReport::of(&application))
}

/// `done ID --json`, as the CLI runs it ([`completion::complete`]): what
/// the CLI says on stderr (a claim that could not be ended, a gate
/// completed but still red) goes after the answer; the verify command's
/// output goes to stderr, the client's log.
fn done(call: &mut Call, p: DoneParams) -> Result<Value, CliError> {
    let notes = &mut call.notes;
    let mut say = |said: Said| {
        if !matches!(said, Said::Info(_)) {
            notes.push(said.line());
        }
    };
    completion::done_document(
        &call.ctx,
        &p.id,
        p.force.unwrap_or(false),
        p.no_verify.unwrap_or(false),
        &mut say,
    )
}
