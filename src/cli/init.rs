//! `git task init`

use std::io::Write;

use git_task::hooks::{HooksDir, InstallAction};
use git_task::merge::registration::{self, Action};

use super::{CliResult, Ctx, hooks};

/// Start tracking tasks in this repository.
///
/// Creates .tasks/ and .tasks/config.toml, adds `.tasks/*.toml
/// merge=git-task` to .gitattributes (commit it: it asks every clone to
/// merge task files field by field), installs the git hooks that check
/// tasks on commit and hold back pushes and merges while a gate is red
/// (see `git task hooks --help`; a hook that is already there is kept and
/// runs first), and defines the merge driver in .git/config (see `git task
/// merge-driver --help`). Safe to run again: it only adds what is missing
/// and never overwrites a file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Do not install the git hooks or define the merge driver in
    /// .git/config (`git task hooks install` does both later).
    #[arg(long)]
    pub no_hooks: bool,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let mut created = ws.init()?;
    // The attribute is part of the project, like config.toml; the
    // driver's definition is local to this clone, like the hooks.
    let attributes = registration::register_attributes(&ws)?;
    if attributes.action == Action::Created {
        created.push(".gitattributes".into());
    }
    let (installed, driver) = if args.no_hooks {
        (None, None)
    } else {
        let dir = HooksDir::of(&ws)?;
        let changes = dir.install()?;
        let driver = registration::register_config(&ws)?;
        (Some((dir, changes)), Some(driver))
    };
    if ctx.json {
        ctx.ui.json(&git_task::output::InitReport::new(
            ws.root(),
            &created,
            installed
                .as_ref()
                .map(|(dir, changes)| (dir.path(), changes.as_slice())),
            &attributes,
            driver.as_ref(),
        ))?;
        return Ok(());
    }
    let hooks_changed = installed
        .as_ref()
        .is_some_and(|(_, changes)| changes.iter().any(|c| c.action != InstallAction::Unchanged));
    let driver_changed = driver
        .as_ref()
        .is_some_and(|d| d.action != Action::Unchanged);
    if created.is_empty()
        && !hooks_changed
        && attributes.action == Action::Unchanged
        && !driver_changed
    {
        writeln!(
            ctx.ui.out(),
            "already initialized: {}",
            ws.tasks_dir().display()
        )?;
    }
    for path in created {
        writeln!(ctx.ui.out(), "created {}", path.display())?;
    }
    if attributes.action != Action::Created {
        hooks::print_registered(ctx, ws.root(), &attributes)?;
    }
    if let Some((_, changes)) = &installed {
        hooks::print_installed(ctx, ws.root(), changes)?;
    }
    if let Some(driver) = &driver {
        hooks::print_registered(ctx, ws.root(), driver)?;
    }
    Ok(())
}
