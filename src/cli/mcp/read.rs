//! The tools that only read: `ready`, `show`, `status`, `plan`, `check`.
//! Each answers with the document of the command of its name (`ready`
//! with what each task unblocks and its slack).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{ErrorData as McpError, Peer, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use git_task::check;
use git_task::dashboard::Dashboard;
use git_task::filter::Filter;
use git_task::gate;
use git_task::graph::{Calendar, Open};
use git_task::output;
use git_task::store::Source;

use super::super::render::{View, open_graph};
use super::super::{CliError, advice};
use super::{Call, Server, doc};

/// `ready`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadyParams {
    /// At most this many tasks.
    limit: Option<usize>,
    /// Only tasks with this label.
    label: Option<String>,
    /// Only tasks with this owner.
    owner: Option<String>,
    /// Keep only these keys of each task (id is always kept).
    fields: Option<Vec<String>>,
}

/// `show`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowParams {
    /// Task id or unique prefix.
    id: String,
    /// Keep only these keys of the task (id is always kept).
    fields: Option<Vec<String>>,
}

/// `status`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusParams {
    /// Keep only these keys of each task named (id is always kept).
    fields: Option<Vec<String>>,
}

/// `plan`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanParams {
    /// People or agents working in parallel (default 1).
    workers: Option<u32>,
    /// Keep only these keys of each task (id is always kept).
    fields: Option<Vec<String>>,
}

#[tool_router(router = read_tools, vis = "pub(super)")]
impl Server {
    /// Tasks that can start now, most urgent first. Each has `unblocks`
    /// (tasks waiting on it directly), `unblocks_total` (directly or
    /// transitively) and `slack_minutes` (0: on the critical path).
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn ready(
        &self,
        Parameters(p): Parameters<ReadyParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let fields = p.fields.clone();
        self.call(&peer, fields, move |call| ready(call, p)).await
    }

    /// One task: fields, what it waits for, children, criteria, notes,
    /// gate state.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn show(
        &self,
        Parameters(p): Parameters<ShowParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let fields = p.fields.clone();
        self.call(&peer, fields, move |call| show(call, &p.id))
            .await
    }

    /// Dashboard: counts, progress, work in progress, overdue, ready,
    /// blocked, gates.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn status(
        &self,
        Parameters(p): Parameters<StatusParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.call(&peer, p.fields, status).await
    }

    /// Waves of parallel work, the critical path and a schedule for
    /// `workers`.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn plan(
        &self,
        Parameters(p): Parameters<PlanParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        let workers = p.workers;
        self.call(&peer, p.fields, move |call| plan(call, workers))
            .await
    }

    /// Integrity check of the task files: parse errors, unknown ids,
    /// cycles, conflict markers.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn check(&self, peer: Peer<RoleServer>) -> Result<CallToolResult, McpError> {
        self.call(&peer, None, check).await
    }
}

/// `ready`: [`git_task::graph::Graph::ready`], filtered as `list` filters,
/// with the plan's slack and what each task unblocks.
fn ready(call: &mut Call, p: ReadyParams) -> Result<Value, CliError> {
    let mut warned = None;
    let answer = call.reading(|reading, ctx| {
        let claims =
            super::super::claims::current_claims(&reading.ws, &reading.config, true, |w| {
                warned = Some(w)
            })?;
        let view = View::new(&reading.set).dated(ctx);
        let open = Open::acyclic(&view.graph);
        let cp = open.as_ref().map(Open::critical_path);
        let filter = Filter {
            owner: p.owner.clone(),
            label: p.label.clone(),
            ..Filter::default()
        };
        // Not offered, as in `ready`: what someone holds a claim on.
        let (mut ready, mut claimed) = (Vec::new(), Vec::new());
        for i in view.graph.ready_in(open.as_ref()) {
            if !filter.matches(&view.graph, i) {
                continue;
            }
            match claims.holder(&view.task(i).id, ctx.now) {
                Some(claim) => claimed.push(claim),
                None => ready.push(i),
            }
        }
        if let Some(limit) = p.limit {
            ready.truncate(limit);
        }
        let plan = open.as_ref().zip(cp.as_ref());
        let mut report = output::ReadyReport::new(&view, &ready, plan);
        report.claimed = claimed.into_iter().map(output::ClaimObject::new).collect();
        doc(&report)
    });
    call.notes.extend(warned.map(|w| format!("warning: {w}")));
    answer
}

/// `show ID --json`.
fn show(call: &mut Call, id: &str) -> Result<Value, CliError> {
    call.reading(|reading, ctx| {
        let task = reading.resolve(id)?;
        let view = View::new(&reading.set).dated(ctx);
        let i = view.index(task);
        let children: Vec<usize> = reading
            .set
            .children_of(&task.id)
            .map(|c| view.index(c))
            .collect();
        let report = gate::gate_state(&view.graph, i);
        let branches = gate::protected_branches(task, &reading.config).to_vec();
        let current = reading.ws.head_branch();
        let protects_current = current
            .as_deref()
            .is_some_and(|b| gate::protects(task, &reading.config, b));
        let gate = report.as_ref().map(|report| output::GateContext {
            report,
            branches: &branches,
            current: current.as_deref(),
            protects_current,
        });
        let path = reading.ws.display_path(&task.id);
        doc(&output::Shown::new(&view, i, &children, gate, &path))
    })
}

/// `status --json`.
fn status(call: &mut Call) -> Result<Value, CliError> {
    call.reading(|reading, ctx| {
        let claims =
            super::super::claims::current_claims(&reading.ws, &reading.config, false, |_| {})?;
        let view = View::new(&reading.set).dated(ctx);
        let mut dashboard = Dashboard::new(&view);
        let held = super::super::claims::unclaimed_dashboard(
            &mut dashboard,
            &reading.set,
            &claims,
            ctx.now,
        );
        let mut report = output::StatusReport::new(&view, &dashboard);
        report.claims = held.into_iter().map(output::ClaimObject::new).collect();
        doc(&report)
    })
}

/// `plan --workers N --json`, in the local zone.
fn plan(call: &mut Call, workers: Option<u32>) -> Result<Value, CliError> {
    let workers = workers.unwrap_or(1);
    if !(1..=10_000).contains(&workers) {
        return Err(CliError::user(format!(
            "workers is {workers}; give a number from 1 to 10000"
        )));
    }
    let zone = call.ctx.local_zone();
    call.reading(|reading, ctx| {
        let view = View::new(&reading.set);
        let open = open_graph(&view)?;
        let cp = open.critical_path();
        let schedule = open.schedule(&view.graph, &cp, workers as usize);
        let waves = open.waves();
        let parts = output::PlanParts {
            waves: &waves,
            critical_path: &cp,
            schedule: &schedule,
            calendar: Calendar::from_now(zone.local(ctx.now)),
            zone: &zone,
        };
        doc(&output::PlanReport::new(&view, parts))
    })
}

/// `check --json` of the working tree. Its findings are the answer, not
/// an error: `errors` counts them.
fn check(call: &mut Call) -> Result<Value, CliError> {
    let ws = call.ctx.workspace()?;
    let source = Source::WorkTree;
    let loaded = ws.read_for_check(&source)?;
    let report = check::check(&loaded, None);
    doc(&output::CheckReport::new(&report, &source, advice::hint))
}
