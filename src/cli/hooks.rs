//! `git task hooks install`, `git task hooks uninstall` and
//! `git task hooks status`

use std::io::Write;
use std::path::{Path, PathBuf};

use git_task::output;

use git_task::error::Error;
use git_task::hooks::{Change, HookState, HooksDir, InstallAction, UninstallAction};
use git_task::merge::registration::{self, Action};

use super::table::{Column, Table};
use super::ui::{escape, paint, palette};
use super::{CliResult, Ctx};

/// Install, take out or inspect git-task's git hooks.
///
/// The hooks are short sh scripts that hand over to `git task hook NAME`:
/// pre-commit checks the tasks a commit records, pre-merge-commit and
/// pre-push hold back a merge or a push while a gate is red, and
/// pre-receive does the same on a server. git-task must be on PATH where
/// the hooks run.
///
/// They go where git looks for hooks: core.hooksPath when it is set, else
/// the hooks/ directory of the repository's git dir, which every linked
/// worktree shares. A bare repository (a server) works too.
///
/// The same commands register git-task's merge driver (see `git task
/// merge-driver --help`): `.tasks/*.toml merge=git-task` in .gitattributes
/// (info/attributes in a bare repository), and merge.git-task.driver in
/// the repository's git config.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write the hooks and register the merge driver; safe to run again.
    ///
    /// A hook that is already there and is not git-task's is kept: it is
    /// renamed to NAME.git-task-previous and runs first, with the same
    /// arguments and input, and if it fails so does the hook.
    Install,
    /// Take git-task's hooks out, and put back any hook they kept.
    ///
    /// A kept hook comes back unchanged, with its mode. A hook that is not
    /// git-task's is never removed. The merge driver's definition leaves
    /// the git config; the line in .gitattributes stays, as it is
    /// committed (without the definition git merges task files line by
    /// line).
    Uninstall,
    /// Say which hooks are installed, and where, and whether the merge
    /// driver is registered.
    ///
    /// For each hook: git-task's (and whether it runs a kept hook first),
    /// another one, or none; and whether git can run it.
    ///
    /// --json prints the same with stable field names and "version": 1.
    Status,
}

pub fn run(ctx: &mut Ctx, command: Command) -> CliResult {
    let base = start_dir(ctx)?;
    let ws = ctx.workspace()?;
    let dir = HooksDir::of(&ws)?;
    match command {
        Command::Install => {
            let changes = dir.install()?;
            let attributes = registration::register_attributes(&ws)?;
            let driver = registration::register_config(&ws)?;
            if ctx.json {
                ctx.ui.json(&output::HooksChange::installed(
                    dir.path(),
                    &changes,
                    &attributes,
                    &driver,
                ))?;
            } else if changes.iter().all(|c| c.action == InstallAction::Unchanged)
                && attributes.action == Action::Unchanged
                && driver.action == Action::Unchanged
            {
                writeln!(
                    ctx.ui.out(),
                    "already installed in {}",
                    shown(&base, dir.path())
                )?;
            } else {
                print_installed(ctx, &base, &changes)?;
                print_registered(ctx, &base, &attributes)?;
                print_registered(ctx, &base, &driver)?;
            }
        }
        Command::Uninstall => {
            let changes = dir.uninstall()?;
            let driver = registration::unregister_config(&ws)?;
            if ctx.json {
                ctx.ui.json(&output::HooksChange::uninstalled(
                    dir.path(),
                    &changes,
                    &driver,
                ))?;
            } else {
                print_uninstalled(ctx, &base, &dir, &changes)?;
                print_registered(ctx, &base, &driver)?;
            }
        }
        Command::Status => {
            let driver = registration::status(&ws)?;
            status(ctx, &base, &dir, &driver)?
        }
    }
    Ok(())
}

/// The directory the command runs in: `-C DIR` or the current directory.
fn start_dir(ctx: &Ctx) -> Result<PathBuf, Error> {
    match &ctx.dir {
        Some(dir) => Ok(dir.clone()),
        None => std::env::current_dir().map_err(|e| Error::io(".", e)),
    }
}

/// `path` relative to `base` when it is inside it (`.git/hooks/pre-push`),
/// else as it is: short where it can be, never ambiguous.
pub fn shown(base: &Path, path: &Path) -> String {
    let relative = std::fs::canonicalize(base)
        .ok()
        .and_then(|base| path.strip_prefix(base).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty());
    let path = relative.as_deref().unwrap_or(path);
    escape(&path.display().to_string(), false).into_owned()
}

/// One line for a file the merge driver's registration changed; nothing
/// when it was already as it should be.
pub fn print_registered(ctx: &mut Ctx, base: &Path, change: &registration::Change) -> CliResult {
    let path = shown(base, &change.path);
    let line = match change.action {
        Action::Unchanged => return Ok(()),
        Action::Created => format!("created {path} with `{}`", registration::ATTRIBUTES_LINE),
        Action::Added => format!("added the git-task merge driver to {path}"),
        Action::Updated => format!("updated the git-task merge driver in {path}"),
        Action::Removed => format!("removed the git-task merge driver from {path}"),
    };
    writeln!(ctx.ui.out(), "{line}")?;
    Ok(())
}

/// One line for each hook `install` wrote; hooks it left as they were are
/// not mentioned.
pub fn print_installed(ctx: &mut Ctx, base: &Path, changes: &[Change<InstallAction>]) -> CliResult {
    for change in changes {
        let path = shown(base, &change.path);
        let line = match change.action {
            InstallAction::Unchanged => continue,
            InstallAction::Installed => format!("installed {path}"),
            InstallAction::Updated => format!("updated {path}"),
            InstallAction::Chained => {
                let kept = change
                    .previous
                    .as_deref()
                    .map(|p| shown(base, p))
                    .unwrap_or_default();
                format!(
                    "installed {path}, which runs the hook that was there first (kept as {kept})"
                )
            }
        };
        writeln!(ctx.ui.out(), "{line}")?;
    }
    Ok(())
}

fn print_uninstalled(
    ctx: &mut Ctx,
    base: &Path,
    dir: &HooksDir,
    changes: &[Change<UninstallAction>],
) -> CliResult {
    if !changes.iter().any(|c| {
        matches!(
            c.action,
            UninstallAction::Removed | UninstallAction::Restored
        )
    }) {
        writeln!(
            ctx.ui.out(),
            "no git-task hooks in {}",
            shown(base, dir.path())
        )?;
    }
    for change in changes {
        let path = shown(base, &change.path);
        match change.action {
            UninstallAction::NotInstalled => {}
            UninstallAction::Removed => writeln!(ctx.ui.out(), "removed {path}")?,
            UninstallAction::Restored => writeln!(
                ctx.ui.out(),
                "restored {path}: the hook that was there before git-task's"
            )?,
            UninstallAction::KeptForeign => {
                ctx.ui
                    .warning(&format!("kept {path}: it is not git-task's hook"));
            }
        }
    }
    Ok(())
}

fn status(ctx: &mut Ctx, base: &Path, dir: &HooksDir, driver: &registration::Status) -> CliResult {
    let hooks = dir.status()?;
    if ctx.json {
        ctx.ui
            .json(&output::HooksStatus::new(dir.path(), &hooks, driver))?;
        return Ok(());
    }
    let out = ctx.ui.out();
    writeln!(out, "hooks directory: {}", shown(base, dir.path()))?;
    let mut table = Table::new([Column::left(), Column::left()]).indent("  ");
    for h in &hooks {
        let mut state = match h.state {
            HookState::NotInstalled => paint(palette::DIM, "not installed").into_owned(),
            HookState::Ours => paint(palette::GREEN, "git-task").into_owned(),
            HookState::OursChaining => format!(
                "{}, runs the hook that was there first",
                paint(palette::GREEN, "git-task")
            ),
            HookState::Foreign => {
                paint(palette::YELLOW, "another hook, not git-task's").into_owned()
            }
        };
        if h.state != HookState::NotInstalled && !h.executable {
            state.push_str(&format!(
                " ({})",
                paint(palette::RED, "not executable: git skips it")
            ));
        }
        if let Some(previous) = &h.previous {
            let previous = shown(base, previous);
            if h.state == HookState::OursChaining {
                state.push_str(&format!(" ({previous})"));
            } else {
                state.push_str(&format!("; {previous} is left from an earlier install"));
            }
        }
        table.row([h.hook.name().to_string(), state]);
    }
    table.write(out)?;
    writeln!(out, "merge driver: {}", driver_state(base, driver))?;
    if !driver.is_registered()
        || hooks
            .iter()
            .any(|h| !matches!(h.state, HookState::Ours | HookState::OursChaining) || !h.executable)
    {
        ctx.ui.hint(&format!(
            "`{}` installs what is missing and keeps any other hook",
            super::command_error::command(&git_task::action::Action::HooksInstall)
        ));
    }
    Ok(())
}

/// The merge driver's line of `hooks status`: registered, or which half
/// is missing and what that means for merges.
fn driver_state(base: &Path, driver: &registration::Status) -> String {
    if driver.is_outdated() {
        let text = "git-task's, from an older git-task: merges go without git's labels \
                    and marker width";
        return paint(palette::YELLOW, text).into_owned();
    }
    if let Some(other) = driver.command.as_deref()
        && other != registration::COMMAND
    {
        let text = format!("git config runs `{}`, not git-task's", escape(other, false));
        return paint(palette::YELLOW, &text).into_owned();
    }
    let (style, text) = match (&driver.attributes, driver.command.is_some()) {
        (Some(path), true) => {
            return format!(
                "{} (named for .tasks/*.toml in {})",
                paint(palette::GREEN, "git-task"),
                shown(base, path)
            );
        }
        (None, false) => (palette::DIM, "not registered"),
        (Some(_), false) => (
            palette::YELLOW,
            "named in the attributes but not defined in git config: task files merge line by line",
        ),
        (None, true) => (
            palette::YELLOW,
            "defined in git config, but no attributes name it for .tasks/*.toml",
        ),
    };
    paint(style, text).into_owned()
}
