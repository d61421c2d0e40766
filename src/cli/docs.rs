//! `git task completions` and `git task man`: generated from the same clap
//! definition as the help text, so they never disagree with it.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, CliResult, Ctx};

/// Print a shell completion script.
///
/// For example, in bash: `git-task completions bash > ~/.local/share/bash-completion/completions/git-task`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// bash, elvish, fish, powershell or zsh.
    pub shell: Shell,
}

/// Print the man page (roff).
///
/// Install it where man finds it and `git task --help` shows it:
/// `git-task man > ~/.local/share/man/man1/git-task.1`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {}

pub fn run_completions(ctx: &mut Ctx, args: CompletionsArgs) -> CliResult {
    let mut command = Cli::command().bin_name("git-task");
    clap_complete::generate(args.shell, &mut command, "git-task", ctx.ui.out());
    Ok(())
}

pub fn run_man(ctx: &mut Ctx, _args: ManArgs) -> CliResult {
    let command = Cli::command().name("git-task");
    clap_mangen::Man::new(command).render(ctx.ui.out())?;
    Ok(())
}
