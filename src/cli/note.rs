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

/// Who wrote it is part of the note, as the holder is part of `start`:
/// without --by or a git identity, both refuse rather than write an
/// entry nobody can be asked about.
pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let by = ctx.actor(args.by, "who writes the note?", "--by")?;
    let now = ctx.now;
    change_one(ctx, &args.id, "noted", |tx, id| {
        change::note(tx, id, &by, &args.text, now)
    })
}
