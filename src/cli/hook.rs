//! `git task hook NAME`: what the shims in hooks/ run.

use std::io::{Read, Write};

use git_task::error::Error;
use git_task::hooks::Hook;
use git_task::verdict::{self, Side, Verdict};

use super::render::{summary, write_human};
use super::ui::{paint, palette};
use super::{CliError, CliResult, Ctx};

/// What the git hooks run: the check behind each hook.
///
/// git runs these through the shims that `git task hooks install` writes.
/// pre-commit checks the staged tasks, and while a merge is being committed
/// (MERGE_HEAD or SQUASH_MSG) also the gates of the current branch.
/// pre-merge-commit checks the gates of the current branch on the staged
/// merge result. pre-push and pre-receive check the integrity of every
/// commit the push adds and, for a branch, the gates of its new tip; the
/// gates that protect a branch come from its tip before the push (for a
/// new branch, from the default branch), so a push cannot unprotect its
/// own branch. Deletions, and refs to trees or blobs, pass. Hooks never run
/// a task's `verify` command. The rules are in docs/hooks.md in git-task's
/// repository.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// pre-commit, pre-merge-commit, pre-push or pre-receive.
    #[arg(value_parser = hook_names())]
    pub name: Hook,

    /// What git passes to the hook (for pre-push: the remote's name and URL).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let read_stdin = || {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .map_err(|e| Error::io("stdin", e))
            .map(|_| input)
    };
    let verdict = match args.name {
        Hook::PreCommit => verdict::pre_commit(&ws)?,
        Hook::PreMergeCommit => verdict::pre_merge_commit(&ws)?,
        Hook::PrePush => {
            let mut updates = verdict::parse_pre_push(&read_stdin()?)?;
            let mut remote = args.args.first().cloned();
            if updates.is_empty()
                && let Some(update) = verdict::pre_commit_framework_push(|k| std::env::var(k).ok())
            {
                updates.push(update);
                remote = remote.or_else(|| std::env::var("PRE_COMMIT_REMOTE_NAME").ok());
            }
            let side = Side::Client {
                remote: remote.as_deref(),
            };
            verdict::ref_updates(&ws, &updates, side)?
        }
        Hook::PreReceive => {
            let updates = verdict::parse_pre_receive(&read_stdin()?)?;
            verdict::ref_updates(&ws, &updates, Side::Server)?
        }
    };
    report(ctx, args.name, &verdict);
    if verdict.refuses() {
        return Err(CliError::Silent(1));
    }
    Ok(())
}

/// Parses a hook's name into the hook, with clap's own message (and its
/// suggestion of a name close to a mistyped one) for any other word.
fn hook_names() -> impl clap::builder::TypedValueParser<Value = Hook> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Hook::ALL.map(Hook::name))
        .try_map(|name| Hook::from_name(&name).ok_or("not a hook git-task installs"))
}

/// Everything goes to stderr: git shows it to whoever committed or pushed.
fn report(ctx: &Ctx, hook: Hook, verdict: &Verdict) {
    // stderr is the last resort: what it cannot take is not reported.
    let _ = write_report(&mut ctx.ui.err(), hook, verdict);
}

fn write_report(out: &mut impl Write, hook: Hook, verdict: &Verdict) -> std::io::Result<()> {
    for checked in &verdict.checked {
        if checked.report.diagnostics.is_empty() {
            continue;
        }
        writeln!(
            out,
            "{} {}: {}",
            paint(palette::BOLD, &format!("git-task {hook}:")),
            super::ui::escape(&checked.subject, false),
            summary(&checked.report)
        )?;
        write_human(&checked.report, out)?;
    }
    if verdict.refuses() {
        let what = match hook {
            Hook::PreCommit => "The commit was stopped.",
            Hook::PreMergeCommit => "The merge was stopped.",
            Hook::PrePush => "The push was stopped.",
            Hook::PreReceive => "The push was rejected by the server.",
        };
        writeln!(out, "{}", paint(palette::RED, what))?;
        if let Some(undo) = &verdict.undo {
            writeln!(out, "{undo}")?;
        }
        if let Some(bypass) = hook.bypass() {
            writeln!(
                out,
                "To skip this check once (the server or CI may still refuse): {bypass}"
            )?;
        }
    }
    Ok(())
}
