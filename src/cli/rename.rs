//! `git task rename`

use std::io::Write;

use git_task::change;

use super::render::View;
use super::ui::escape;
use super::{CliResult, Ctx};

/// Give a task another id, and change every reference to it.
///
/// Renames .tasks/OLD.toml to .tasks/NEW.toml and changes OLD to NEW in
/// every blocked_by and parent that names it, all in one change; each file
/// keeps its comments and layout. Refuses an invalid NEW and one that is
/// taken.
///
/// Example:
///
///   git task rename 9xk2m1 backup-db
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The task's id or a unique prefix of it.
    pub old: String,

    /// Its new id: lower-case letters and digits in groups joined by single
    /// hyphens (like backup-db).
    pub new: String,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let ((old, renamed), set) = ws.transact(|tx| {
        let old = tx.resolve(&args.old)?;
        let renamed = change::rename(tx, &old, &args.new)?;
        Ok((old, renamed))
    })?;
    let new = &renamed.task.id;
    if ctx.json {
        let view = View::new(&set).dated(ctx);
        let i = view.index(&renamed.task);
        let paths = (ws.display_path(&old), ws.display_path(new));
        ctx.ui.json(&git_task::output::Renamed::new(
            &view,
            i,
            &old,
            (&paths.0, &paths.1),
            &renamed.updated,
        ))?;
        return Ok(());
    }
    let out = ctx.ui.out();
    writeln!(
        out,
        "renamed {old} to {new} \"{}\" ({} → {})",
        escape(&renamed.task.subject, false),
        ws.display_path(&old).display(),
        ws.display_path(new).display()
    )?;
    for (id, fields) in &renamed.updated {
        writeln!(out, "  {id}: {} {old} → {new}", fields.join(", "))?;
    }
    Ok(())
}
