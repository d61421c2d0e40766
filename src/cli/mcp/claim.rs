//! The tools that take and give back tasks: `claim` and `release`, as
//! `git task claim` and `git task release` do, with the same claims in
//! refs/tasks/claims/ (docs/claims.md).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{ErrorData as McpError, Peer, RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use git_task::claim::{self, Lease};

use super::super::CliError;
use super::super::claims::{HowArgs, request, unreleased_notes};
use super::super::render::View;
use super::{Call, Server, doc};

/// `claim`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimParams {
    /// Task id or unique prefix; without it, the most urgent ready task
    /// nobody holds.
    id: Option<String>,
    /// Who takes it (default: git config user.email). Give each agent its own.
    owner: Option<String>,
    /// How long the claim holds: 45m, 2h, 1h30m, 3d (default 2h).
    lease: Option<String>,
    /// Also record it on this git remote, which decides between clones.
    remote: Option<String>,
    /// Record it in this repository only, even if a remote is configured.
    local: Option<bool>,
    /// Extend your own live claim of `id` (a new lease from now).
    renew: Option<bool>,
    /// Take it even if blocked or claimed by someone else.
    force: Option<bool>,
}

/// `release`'s arguments.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseParams {
    /// Task id or unique prefix.
    id: String,
    /// Who gives it back (default: git config user.email).
    owner: Option<String>,
    /// Release it even if someone else holds it.
    force: Option<bool>,
}

#[tool_router(router = claim_tools, vis = "pub(super)")]
impl Server {
    /// Take a task and start it atomically (no other agent gets it): the
    /// given one, or the most urgent ready one. A loser gets an error naming
    /// the holder. `done` ends the claim.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = false,
        idempotent_hint = false,
        open_world_hint = false
    ))]
    async fn claim(
        &self,
        Parameters(p): Parameters<ClaimParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.call(&peer, None, move |call| claim(call, p)).await
    }

    /// Give a task back: its claim is removed and it is pending again.
    #[tool(annotations(
        read_only_hint = false,
        destructive_hint = true,
        idempotent_hint = true,
        open_world_hint = false
    ))]
    async fn release(
        &self,
        Parameters(p): Parameters<ReleaseParams>,
        peer: Peer<RoleServer>,
    ) -> Result<CallToolResult, McpError> {
        self.call(&peer, None, move |call| release(call, p)).await
    }
}

/// `claim [ID] … --json`.
fn claim(call: &mut Call, p: ClaimParams) -> Result<Value, CliError> {
    let lease = p
        .lease
        .as_deref()
        .map(Lease::parse)
        .transpose()
        .map_err(CliError::user)?;
    let how = HowArgs {
        owner: p.owner,
        lease,
        remote: p.remote,
        local: p.local.unwrap_or(false),
    };
    let (force, renew) = (p.force.unwrap_or(false), p.renew.unwrap_or(false));
    if renew && p.id.is_none() {
        return Err(CliError::user(
            "`renew` renews the claim of a task: give its `id`",
        ));
    }
    let request = request(&call.ctx, p.id, &how, force, renew, "`owner`")?;
    let ws = call.ctx.workspace()?;
    let (claimed, set) = claim::claim(&ws, &request)?;
    let view = View::new(&set).dated(&call.ctx);
    let i = view.index(&claimed.task);
    doc(&git_task::output::ClaimAnswer::new(
        &view,
        i,
        &claimed.claim,
        claimed.took_over.as_ref(),
    ))
}

/// `release ID … --json`.
fn release(call: &mut Call, p: ReleaseParams) -> Result<Value, CliError> {
    let owner = call.ctx.actor(p.owner, "who is releasing it?", "`owner`")?;
    let ws = call.ctx.workspace()?;
    let (release, set) =
        claim::release(&ws, &p.id, &owner, p.force.unwrap_or(false), call.ctx.now)?;
    call.notes.extend(unreleased_notes(&release.released));
    let view = View::new(&set).dated(&call.ctx);
    let i = view.index(&release.task);
    doc(&git_task::output::ReleaseAnswer::new(
        &view,
        i,
        &release.released,
    ))
}
