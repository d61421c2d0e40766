//! `git task rm`

use std::io::Write;

use git_task::change;

use super::{CliResult, Ctx};

/// Remove a task's file.
///
/// Refuses while other tasks name it in blocked_by or parent; --force
/// removes those references too.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// Also remove it from every blocked_by and parent that names it.
    #[arg(long, short)]
    pub force: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let ((id, removed), _) = ws.transact(|tx| {
        let id = tx.resolve(&args.id)?;
        let removed = change::remove(tx, &id, args.force)?;
        Ok((id, removed))
    })?;
    if ctx.json {
        ctx.ui.json(&git_task::output::Removed::new(
            removed.task.as_ref(),
            &removed.cleaned,
        ))?;
    } else {
        writeln!(ctx.ui.out(), "removed {id}")?;
        for r in &removed.cleaned {
            writeln!(ctx.ui.out(), "  dropped the reference from {r}")?;
        }
    }
    Ok(())
}
