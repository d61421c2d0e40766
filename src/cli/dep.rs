//! `git task dep add` and `git task dep rm`

use std::io::Write;

use git_task::change;

use super::{CliResult, Ctx, print_changed};

/// Change what a task is blocked by.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make ID wait for each BLOCKER. Refuses an edge that would close a
    /// cycle, and names the cycle.
    Add(DepArgs),
    /// Stop ID waiting for each BLOCKER.
    Rm(DepArgs),
}

#[derive(Debug, clap::Args)]
pub struct DepArgs {
    /// The task that waits.
    pub id: String,

    /// The tasks it waits for.
    #[arg(required = true)]
    pub blockers: Vec<String>,
}

pub fn run(ctx: &mut Ctx, command: Command) -> CliResult {
    let (args, adding) = match command {
        Command::Add(args) => (args, true),
        Command::Rm(args) => (args, false),
    };
    let ws = ctx.workspace()?;
    let ((id, blockers, changed), set) = ws.transact(|tx| {
        let id = tx.resolve(&args.id)?;
        let blockers = change::resolve_blockers(tx, &args.blockers, adding)?;
        let changed = if adding {
            change::add_blockers(tx, &id, &blockers)?
        } else {
            change::remove_blockers(tx, &id, &blockers)?
        };
        Ok((id, blockers, changed))
    })?;
    for b in blockers.iter().filter(|b| !changed.contains(b)) {
        if adding {
            ctx.ui.warning(&format!("{id} already waits for {b}"));
        } else {
            ctx.ui.warning(&format!("{id} was not blocked by {b}"));
        }
    }
    if ctx.json {
        return print_changed(ctx, &set, &id, "");
    }
    for b in &changed {
        let verb = if adding {
            "now waits for"
        } else {
            "no longer waits for"
        };
        writeln!(ctx.ui.out(), "{id} {verb} {b}")?;
    }
    Ok(())
}
