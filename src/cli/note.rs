//! `git task note`

use git_task::change;

use super::{CliResult, Ctx, change_one};

/// Append a note to a task's execution log, with the time and who wrote it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// What happened.
    pub text: String,

    /// Who writes it (default: git config user.email).
    #[arg(long)]
    pub by: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let by = match args.by {
        Some(by) => Some(by),
        None => ctx.identity(&ctx.workspace()?),
    };
    let now = ctx.now;
    change_one(ctx, &args.id, "noted", |tx, id| {
        change::note(tx, id, by.as_deref(), &args.text, now)
    })
}
