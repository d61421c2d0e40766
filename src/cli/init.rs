//! `git task init`

use std::io::Write;

use git_task::hooks::{HooksDir, InstallAction};

use super::{CliResult, Ctx, hooks};

/// Start tracking tasks in this repository.
///
/// Creates .tasks/ and .tasks/config.toml, and installs the git hooks
/// that check tasks on commit and hold back pushes and merges while a gate
/// is red (see `git task hooks --help`; a hook that is already there is
/// kept and runs first). Safe to run again: it only adds what is missing
/// and never overwrites a file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Do not install the git hooks (`git task hooks install` does it later).
    #[arg(long)]
    pub no_hooks: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let created = ws.init()?;
    let installed = if args.no_hooks {
        None
    } else {
        let dir = HooksDir::of(ws.repo())?;
        let changes = dir.install()?;
        Some((dir, changes))
    };
    if ctx.json {
        let created: Vec<String> = created.iter().map(|p| p.display().to_string()).collect();
        let hooks = installed.as_ref().map(|(dir, changes)| {
            serde_json::json!({
                "dir": dir.path().display().to_string(),
                "hooks": hooks::install_json(changes),
            })
        });
        ctx.ui.json(&serde_json::json!({
            "version": 1,
            "root": ws.root().display().to_string(),
            "created": created,
            "hooks": hooks,
        }))?;
        return Ok(());
    }
    let hooks_changed = installed
        .as_ref()
        .is_some_and(|(_, changes)| changes.iter().any(|c| c.action != InstallAction::Unchanged));
    if created.is_empty() && !hooks_changed {
        writeln!(
            ctx.ui.out(),
            "already initialized: {}",
            ws.tasks_dir().display()
        )?;
    }
    for path in created {
        writeln!(ctx.ui.out(), "created {}", path.display())?;
    }
    if let Some((_, changes)) = &installed {
        hooks::print_installed(ctx, ws.root(), changes)?;
    }
    Ok(())
}
