//! `git task init`

use std::io::Write;

use super::{CliResult, Ctx};

/// Start tracking tasks in this repository.
///
/// Creates .tasks/ and .tasks/config.toml. Safe to run again: it only adds
/// what is missing and never overwrites a file.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &mut Ctx, _args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let created = ws.init()?;
    if ctx.json {
        let created: Vec<String> = created.iter().map(|p| p.display().to_string()).collect();
        ctx.ui.json(&serde_json::json!({
            "version": 1,
            "root": ws.root().display().to_string(),
            "created": created,
        }))?;
    } else if created.is_empty() {
        writeln!(
            ctx.ui.out(),
            "already initialized: {}",
            ws.tasks_dir().display()
        )?;
    } else {
        for path in created {
            writeln!(ctx.ui.out(), "created {}", path.display())?;
        }
    }
    Ok(())
}
