//! `git task start`, `done`, `cancel`, `reopen` and `reset`

use std::io::Write;

use git_task::change;

use super::claims::release_after;
use super::completion::{complete, done_answer};
use super::render::View;
use super::table::{Column, Table};
use super::ui::escape;
use super::{CliResult, Ctx, change_one, change_one_quietly, print_changed};

// The arguments of cancel, reopen and reset; their help is on the
// variants of `Command`.
#[derive(Debug, clap::Args)]
pub struct IdArgs {
    /// The task's id or a unique prefix of it.
    pub id: String,
}

/// Start work on a task: status in_progress, owner you.
///
/// Refuses a task that waits for anything unresolved, or one that someone
/// else holds; --force does it anyway.
#[derive(Debug, clap::Args)]
pub struct StartArgs {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// Who takes it (default: git config user.email).
    #[arg(long)]
    pub owner: Option<String>,

    /// Start it even if it is blocked or held by someone else.
    #[arg(long, short)]
    pub force: bool,
}

/// Complete a task.
///
/// Refuses while it waits for anything unresolved (its blockers, its
/// ancestors' blockers, its children) or has unmet criteria, and when its
/// `verify` command fails. The command runs in the repository root.
#[derive(Debug, clap::Args)]
pub struct DoneArgs {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// Do not run the task's verify command.
    #[arg(long)]
    pub no_verify: bool,

    /// Complete it whatever it waits for, unmet criteria and verify too.
    #[arg(long, short)]
    pub force: bool,
}

pub fn run_start(ctx: &mut Ctx, args: StartArgs) -> CliResult {
    let owner = ctx.actor(args.owner, "who is starting it?", "--owner")?;
    let (force, now) = (args.force, ctx.now);
    change_one(ctx, &args.id, "started", |tx, id| {
        change::start(tx, id, &owner, force, now)
    })
}

pub fn run_done(ctx: &mut Ctx, args: DoneArgs) -> CliResult {
    let ui = &ctx.ui;
    let (done, set) = complete(ctx, &args.id, args.force, args.no_verify, &mut |s| {
        s.print(ui)
    })?;
    let view = View::new(&set).dated(ctx);
    let (i, ready) = done_answer(&view, &done, &mut |s| s.print(&ctx.ui));
    if ctx.json {
        return Ok(ctx
            .ui
            .json(&git_task::output::Done::new(&view, i, &ready))?);
    }
    let id = done.task.id.clone();
    print_changed(ctx, &set, &id, "completed")?;
    if !ready.is_empty() {
        let out = ctx.ui.out();
        writeln!(out, "now ready ({}):", ready.len())?;
        let mut table = Table::new([Column::left(), Column::left()]).indent("  ");
        for &r in &ready {
            table.row([
                view.id(r),
                escape(&view.task(r).subject, false).into_owned(),
            ]);
        }
        table.write(out)?;
    }
    Ok(())
}

/// The changes that take nothing but an id.
pub enum Simple {
    Cancel,
    Reopen,
    Reset,
}

pub fn run_simple(ctx: &mut Ctx, args: IdArgs, which: Simple) -> CliResult {
    let now = ctx.now;
    match which {
        Simple::Cancel => {
            let (id, set) =
                change_one_quietly(ctx, &args.id, |tx, id| change::cancel(tx, id, now))?;
            let ws = ctx.workspace()?;
            release_after(ctx, &ws, &id, Some(git_task::task::Status::Cancelled));
            print_changed(ctx, &set, &id, "cancelled")
        }
        Simple::Reopen | Simple::Reset => {
            let reset = matches!(which, Simple::Reset);
            let ws = ctx.workspace()?;
            let ((id, changed), set) = ws.transact(|tx| {
                let id = tx.resolve(&args.id)?;
                let done = change::reopen(tx, &id, reset, now)?;
                Ok((id, done.changed))
            })?;
            if changed {
                release_after(ctx, &ws, &id, None);
            }
            if changed || ctx.json {
                let verb = if reset { "reset" } else { "reopened" };
                return print_changed(ctx, &set, &id, verb);
            }
            // Nothing to do is not an error: reopen is safe to repeat.
            let view = View::new(&set);
            let i = set.index_of(id.as_str()).expect("just resolved");
            let line = format!(
                "{} \"{}\" is already pending ({}); nothing to reopen",
                view.id(i),
                escape(&view.task(i).subject, false),
                view.state(i)
            );
            writeln!(ctx.ui.out(), "{line}")?;
            Ok(())
        }
    }
}
