//! `git task claim`, `ready --claim` and `release`

use std::io::Write;

use git_task::claim;
use git_task::output;

use super::claims::{HowArgs, claim_task, warn_unreleased};
use super::render::View;
use super::ui::escape;
use super::{CliResult, Ctx};

/// Take a task and start it, so that no one else takes it too.
///
/// Claims the task named, or without ID the most urgent ready task that
/// nobody holds, and starts it (in progress, owner you) in one atomic
/// step. Of several claimers of one task (processes, worktrees, or with
/// --remote clones on other machines) exactly one wins; the others are
/// told who holds it and since when, and exit 1.
///
/// A claim is the reference refs/tasks/claims/<id>, created only if it
/// does not exist yet. With --remote (or `[claims] remote` in
/// .tasks/config.toml) it is also pushed to that remote, which decides
/// between clones: the first push wins. A claim holds for its lease
/// (default 2h, `[claims] lease`); after that anyone may take it over.
/// `done`, `cancel`, `reset` and `release` remove it.
///
/// Example: `git task claim --owner agent-3 --lease 30m --remote origin`
#[derive(Debug, clap::Args)]
pub struct ClaimArgs {
    /// The task's id or a unique prefix of it; without it, the most
    /// urgent ready task nobody holds.
    pub id: Option<String>,

    #[command(flatten)]
    pub how: HowArgs,

    /// Take it even if it is blocked, or someone holds a live claim on it.
    #[arg(long, short)]
    pub force: bool,

    /// Extend your own live claim of ID: a new lease from now. Refused
    /// when the claim is someone else's.
    #[arg(long, requires = "id", conflicts_with = "force")]
    pub renew: bool,
}

/// Give a task back: its claim is removed and it is pending again.
///
/// A task in progress becomes pending with no owner; its criteria and
/// notes stay. Refuses a task someone else holds a live claim on; --force releases it
/// anyway. A claim on a remote that cannot be reached stays there until
/// its lease ends (a warning says so).
#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// Who gives it back (default: git config user.email).
    #[arg(long)]
    pub owner: Option<String>,

    /// Release it even if someone else holds it.
    #[arg(long, short)]
    pub force: bool,
}

pub fn run_claim(ctx: &mut Ctx, args: ClaimArgs) -> CliResult {
    claim_task(ctx, args.id, &args.how, args.force, args.renew)
}

pub fn run_release(ctx: &mut Ctx, args: ReleaseArgs) -> CliResult {
    let ws = ctx.workspace()?;
    let owner = ctx.actor(args.owner, "who is releasing it?", "--owner")?;
    let (release, set) = claim::release(&ws, &args.id, &owner, args.force, ctx.now)?;
    warn_unreleased(ctx, &release.released);
    let view = View::new(&set).dated(ctx);
    let i = view.index(&release.task);
    if ctx.json {
        ctx.ui
            .json(&output::ReleaseAnswer::new(&view, i, &release.released))?;
        return Ok(());
    }
    let line = format!(
        "released {} \"{}\" ({})",
        view.id(i),
        escape(&view.task(i).subject, false),
        view.state(i)
    );
    writeln!(ctx.ui.out(), "{line}")?;
    Ok(())
}
