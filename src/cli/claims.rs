//! What the commands that take or give back claims share: how a claim
//! is taken (`claim`, `ready --claim`), the claims `ready` shows, and the
//! release after `done`, `cancel`, `reopen` and `reset`.

use std::io::Write;

use git_task::claim::{self, Claim, Lease, Request};
use git_task::output;

use super::render::View;
use super::table::{Column, Table};
use super::ui::{escape, paint, palette};
use super::{CliError, CliResult, Ctx};

/// How a claim is taken: by whom, for how long, recorded where.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HowArgs {
    /// Who takes it (default: git config user.email).
    #[arg(long)]
    pub owner: Option<String>,

    /// How long the claim holds: 45m, 2h, 1h30m, 3d (default: 2h, or
    /// `[claims] lease` of .tasks/config.toml).
    #[arg(long, value_name = "DURATION", value_parser = parse_lease)]
    pub lease: Option<Lease>,

    /// Also record the claim on this remote, which decides between clones
    /// (default: `[claims] remote` of .tasks/config.toml).
    #[arg(long, value_name = "REMOTE", conflicts_with = "local")]
    pub remote: Option<String>,

    /// Record the claim in this repository only, even when
    /// `[claims] remote` names a remote.
    #[arg(long)]
    pub local: bool,
}

fn parse_lease(text: &str) -> Result<Lease, String> {
    Lease::parse(text)
}

/// What `claim` asks for, from its arguments and the settings of
/// `.tasks/config.toml`: `owner_flag` names the flag (or argument) that
/// gives the owner, for the question asked when nothing does.
pub fn request(
    ctx: &Ctx,
    id: Option<String>,
    how: &HowArgs,
    force: bool,
    renew: bool,
    owner_flag: &str,
) -> Result<Request, CliError> {
    let ws = ctx.workspace()?;
    let owner = ctx.actor(how.owner.clone(), "who is claiming it?", owner_flag)?;
    let config = ws.config()?;
    let remote = match (&how.remote, how.local) {
        (_, true) => None,
        (Some(r), false) => {
            claim::check_remote_name(r).map_err(CliError::user)?;
            Some(r.clone())
        }
        (None, false) => config.claim_remote.clone(),
    };
    Ok(Request {
        task: id,
        owner,
        host: claim::host_name(),
        lease: how.lease.unwrap_or(config.claim_lease),
        remote,
        force,
        renew,
        now: ctx.now,
    })
}

/// Claims `id`, or the most urgent ready task nobody holds, and prints it.
pub fn claim_task(
    ctx: &mut Ctx,
    id: Option<String>,
    how: &HowArgs,
    force: bool,
    renew: bool,
) -> CliResult {
    let ws = ctx.workspace()?;
    let request = request(ctx, id, how, force, renew, "--owner")?;
    let (claimed, set) = claim::claim(&ws, &request)?;
    let view = View::new(&set).dated(ctx);
    let i = view.index(&claimed.task);
    if ctx.json {
        ctx.ui.json(&output::ClaimAnswer::new(
            &view,
            i,
            &claimed.claim,
            claimed.took_over.as_ref(),
        ))?;
        return Ok(());
    }
    if let Some(old) = &claimed.took_over {
        ctx.ui.info(&format!(
            "took it over from {}, whose claim {} at {}",
            old.owner,
            if old.is_live(ctx.now) {
                "held until"
            } else {
                "ended"
            },
            git_task::task::format_timestamp(old.until)
        ));
    }
    let line = format!(
        "claimed {} \"{}\" until {}{}",
        view.id(i),
        escape(&view.task(i).subject, false),
        git_task::task::format_timestamp(claimed.claim.until),
        places_text(&claimed.claim)
    );
    writeln!(ctx.ui.out(), "{line}")?;
    Ok(())
}

/// ` (recorded on origin)` for a claim a remote holds.
fn places_text(claim: &Claim) -> String {
    let remotes: Vec<&str> = claim.remotes().collect();
    if remotes.is_empty() {
        String::new()
    } else {
        format!(" (recorded on {})", remotes.join(", "))
    }
}

/// Says which remotes kept a claim, and until when.
pub fn warn_unreleased(ctx: &Ctx, released: &claim::Released) {
    for note in unreleased_notes(released) {
        ctx.ui.warning(&note);
    }
}

/// The warnings of the remotes that kept a claim: when it ends there.
pub fn unreleased_notes(released: &claim::Released) -> Vec<String> {
    released
        .unreleased
        .iter()
        .map(|u| {
            format!(
                "the claim stays on {} until {}: {}",
                u.remote,
                git_task::task::format_timestamp(u.until),
                u.why
            )
        })
        .collect()
}

/// After `done` or `cancel` (`resolved`) the task's claims end in a
/// record of it; after `reopen` or `reset` they are removed.
pub fn release_after(
    ctx: &Ctx,
    ws: &git_task::store::Workspace,
    id: &git_task::TaskId,
    resolved: Option<git_task::task::Status>,
) {
    let result = match resolved {
        Some(status) => claim::close_claims(ws, id, status, ctx.now),
        None => claim::release_claims(ws, id),
    };
    match result {
        Ok(released) => warn_unreleased(ctx, &released),
        Err(e) => ctx
            .ui
            .warning(&format!("the claim of {id} could not be ended: {e}")),
    }
}

/// The claimed ready tasks `ready` leaves out, as lines under its list.
pub fn write_claimed(ctx: &mut Ctx, claims: &[&Claim]) -> std::io::Result<()> {
    if claims.is_empty() {
        return Ok(());
    }
    let mut table = Table::new([Column::left(), Column::left()]).indent("  ");
    for c in claims {
        table.row([
            c.task.to_string(),
            paint(
                palette::DIM,
                &format!(
                    "{} until {}{}",
                    match c.resolved {
                        None => format!("claimed by {}", escape(&c.owner, false)),
                        Some(status) => format!(
                            "{status} elsewhere under {}'s claim, not merged here",
                            escape(&c.owner, false)
                        ),
                    },
                    git_task::task::format_timestamp(c.until),
                    places_text(c)
                ),
            )
            .into_owned(),
        ]);
    }
    let out = ctx.ui.out();
    writeln!(
        out,
        "{}",
        paint(
            palette::DIM,
            &format!("claimed, not offered ({}):", claims.len())
        )
    )?;
    table.write(out)?;
    Ok(())
}

/// The claims `ready` and `status` answer with: this repository's and,
/// with `[claims] remote` set and `fetch`, that remote's, fetched first.
/// A fetch that fails is no error: `warn` is told, and the claims last
/// fetched are used.
pub fn current_claims(
    ws: &git_task::store::Workspace,
    config: &git_task::config::Config,
    fetch: bool,
    warn: impl FnOnce(String),
) -> Result<claim::Claims, CliError> {
    if let Some(remote) = config.claim_remote.as_deref()
        && fetch
        && let Err(e) = claim::fetch(ws, remote)
    {
        warn(format!(
            "{e}; the claims shown are those last fetched from {remote}"
        ));
    }
    Ok(claim::Claims::read(ws)?)
}

/// Takes the claimed tasks out of a dashboard's ready list, as `ready`
/// leaves them out, and returns the live claims of its unresolved tasks.
pub fn unclaimed_dashboard<'c>(
    dashboard: &mut git_task::dashboard::Dashboard,
    set: &git_task::TaskSet,
    claims: &'c claim::Claims,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<&'c Claim> {
    dashboard
        .ready
        .retain(|&i| claims.holder(&set.tasks()[i].id, now).is_none());
    claims
        .live(now)
        .filter(|c| set.get(c.task.as_str()).is_some_and(|t| !t.is_resolved()))
        .collect()
}
