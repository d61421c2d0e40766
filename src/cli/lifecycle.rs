//! `git task start`, `done`, `cancel`, `reopen` and `reset`

use std::process::{Command, Stdio};

use git_task::change;
use git_task::error::Error;
use git_task::store::Source;

use super::{CliResult, Ctx, change_one};

// The arguments of cancel, reopen and reset; their help is on the
// variants of `Command`.
#[derive(Debug, clap::Args)]
pub struct IdArgs {
    /// The task's id or a unique prefix of it.
    pub id: String,
}

/// Start work on a task: status in_progress, owner you.
///
/// Refuses a task that waits for anything unresolved, or one that someone
/// else holds; --force does it anyway.
#[derive(Debug, clap::Args)]
pub struct StartArgs {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// Who takes it (default: git config user.email).
    #[arg(long)]
    pub owner: Option<String>,

    /// Start it even if it is blocked or held by someone else.
    #[arg(long, short)]
    pub force: bool,
}

/// Complete a task.
///
/// Refuses while it waits for anything unresolved (its blockers, its
/// ancestors' blockers, its children) or has unmet criteria, and when its
/// `verify` command fails. The command runs in the repository root.
#[derive(Debug, clap::Args)]
pub struct DoneArgs {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// Do not run the task's verify command.
    #[arg(long)]
    pub no_verify: bool,

    /// Complete it whatever it waits for, unmet criteria and verify too.
    #[arg(long, short)]
    pub force: bool,
}

pub fn run_start(ctx: &mut Ctx, args: StartArgs) -> CliResult {
    let owner = match args.owner {
        Some(owner) => owner,
        None => {
            let ws = ctx.workspace()?;
            ctx.identity(&ws).ok_or_else(|| {
                Error::Invalid(
                    "who is starting it? pass --owner, or set `git config user.email`".into(),
                )
            })?
        }
    };
    let (force, now) = (args.force, ctx.now);
    change_one(ctx, &args.id, "started", |tx, id| {
        change::start(tx, id, &owner, force, now)
    })
}

pub fn run_done(ctx: &mut Ctx, args: DoneArgs) -> CliResult {
    let ws = ctx.workspace()?;
    let set = ws.load(&Source::WorkTree)?;
    let task = set.resolve(&args.id)?;
    if !args.force {
        if let Some(refusal) = change::done_refusal(&set, &task.id) {
            return Err(refusal.into());
        }
        if let Some(verify) = task.verify.as_deref().filter(|_| !args.no_verify) {
            ctx.ui.info(&format!("running verify: {verify}"));
            // The command's output is a diagnostic, so it goes to stderr and
            // stdout keeps only the answer.
            let status = Command::new("sh")
                .arg("-c")
                .arg(verify)
                .current_dir(ws.root())
                .stdin(Stdio::null())
                .stdout(Stdio::from(std::io::stderr()))
                .status()
                .map_err(|e| Error::io("sh", e))?;
            if !status.success() {
                return Err(Error::refused(
                    format!(
                        "{} cannot be completed: its verify command failed ({status})",
                        task.id
                    ),
                    vec![
                        "fix what it reports and run `git task done` again".into(),
                        format!(
                            "or complete it without running it: git task done {} --no-verify",
                            task.id
                        ),
                    ],
                )
                .into());
            }
        }
    }
    let (force, now) = (args.force, ctx.now);
    change_one(ctx, task.id.as_str(), "completed", |tx, id| {
        change::done(tx, id, force, now)
    })
}

/// The changes that take nothing but an id.
pub enum Simple {
    Cancel,
    Reopen,
    Reset,
}

pub fn run_simple(ctx: &mut Ctx, args: IdArgs, which: Simple) -> CliResult {
    let now = ctx.now;
    match which {
        Simple::Cancel => change_one(ctx, &args.id, "cancelled", |tx, id| {
            change::cancel(tx, id, now)
        }),
        Simple::Reopen => change_one(ctx, &args.id, "reopened", |tx, id| {
            change::reopen(tx, id, false)
        }),
        Simple::Reset => change_one(ctx, &args.id, "reset", |tx, id| {
            change::reopen(tx, id, true)
        }),
    }
}
