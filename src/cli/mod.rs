//! The command line: clap definitions, one module per command, and the
//! context every command runs in.

mod add;
mod check;
mod criteria;
mod dep;
mod diff;
mod docs;
mod edit;
mod fields;
mod gate;
mod graph;
mod hook;
mod hooks;
mod init;
mod lifecycle;
mod list;
mod log;
mod merge_driver;
mod note;
mod plan;
mod rename;
mod render;
mod rm;
mod show;
mod status;
pub mod ui;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use git_task::error::Error;
use git_task::store::Workspace;

use ui::{ColorChoice, Ui};

/// A git-native task tracker: tasks are TOML files in .tasks/, committed
/// next to the code they describe.
///
/// Run it as `git task <command>`. Ids can be shortened to any unique
/// prefix, as with git commit ids.
#[derive(Debug, Parser)]
#[command(name = "git-task", bin_name = "git task", version, about, long_about)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Run as if started in DIR.
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// Print results as JSON (stable field names, "version": 1).
    #[arg(long, global = true)]
    pub json: bool,

    /// When to colour output: auto (on a terminal, unless NO_COLOR is set),
    /// always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,

    /// How long a change waits for another git-task process to finish its
    /// own (it says whom it waits for after a second), then gives up.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "30", value_parser = parse_wait)]
    pub wait: std::time::Duration,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(init::Args),
    Add(add::Args),
    Show(show::Args),
    List(list::ListArgs),
    Ready(list::ReadyArgs),
    Blocked(list::BlockedArgs),
    Edit(edit::Args),
    Start(lifecycle::StartArgs),
    Done(lifecycle::DoneArgs),
    /// Cancel a task: it is resolved and no longer holds anything back.
    Cancel(lifecycle::IdArgs),
    /// Put a task back to pending (owner, criteria and a gate's waiver are
    /// kept; the started and closed times are cleared). A task that is
    /// already pending is left as it is.
    Reopen(lifecycle::IdArgs),
    /// Put a task back to pending, clearing its owner, its started and
    /// closed times and a gate's waiver, and marking every criterion unmet.
    Reset(lifecycle::IdArgs),
    Rm(rm::Args),
    Rename(rename::Args),
    #[command(subcommand)]
    Dep(dep::Command),
    Criteria(criteria::Args),
    Note(note::Args),
    Status(status::Args),
    Plan(plan::PlanArgs),
    CriticalPath(plan::CriticalPathArgs),
    Tracks(plan::TracksArgs),
    Graph(graph::Args),
    Check(check::CheckArgs),
    Lint(check::LintArgs),
    #[command(subcommand)]
    Gate(gate::Command),
    Diff(diff::Args),
    Log(log::Args),
    #[command(subcommand)]
    Hooks(hooks::Command),
    Hook(hook::Args),
    MergeDriver(merge_driver::Args),
    Completions(docs::CompletionsArgs),
    Man(docs::ManArgs),
}

fn parse_wait(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 86_400.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| format!("`{text}` is not a number of seconds between 0 and 86400"))
}

/// What every command gets: the global options, the output, and the clock.
pub struct Ctx {
    pub dir: Option<PathBuf>,
    pub json: bool,
    pub ui: Ui,
    pub now: DateTime<Utc>,
    pub wait: std::time::Duration,
}

impl Ctx {
    /// The repository around `-C DIR` or the current directory.
    pub fn workspace(&self) -> Result<Workspace, CliError> {
        let dir = match &self.dir {
            Some(dir) => dir.clone(),
            None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
        };
        // gix shortens paths against the current directory, and does not
        // expect `..` in a relative one.
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        let mut ws = Workspace::discover(&dir)?;
        let color = self.ui.err_color();
        ws.set_lock_wait(
            self.wait,
            Some(Box::new(move |holder: &git_task::store::Holder| {
                ui::Ui::notice(
                    color,
                    &format!(
                        "waiting for {} to finish its change to .tasks/ …",
                        holder.describe()
                    ),
                );
            })),
        );
        Ok(ws)
    }

    /// Who is acting: git's `user.email`, as a commit would record it.
    pub fn identity(&self, ws: &Workspace) -> Option<String> {
        std::env::var("GIT_AUTHOR_EMAIL")
            .ok()
            .filter(|e| !e.is_empty())
            .or_else(|| ws.git_config("user.email"))
            .filter(|e| !e.is_empty())
    }
}

/// An error on its way to the user: the library's error, a refusal built
/// here, or a write to a closed pipe.
#[derive(Debug)]
pub enum CliError {
    Lib(Error),
    /// An error with one more hint from the command that saw it.
    Hinted(Error, String),
    /// The command has printed its answer; exit with this code.
    Silent(u8),
    Io(std::io::Error),
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Lib(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl From<git_task::taskset::ResolveError> for CliError {
    fn from(e: git_task::taskset::ResolveError) -> Self {
        CliError::Lib(e.into())
    }
}

pub type CliResult = Result<(), CliError>;

/// The time `now` is taken as: `GIT_TASK_NOW` (RFC 3339) when set, so
/// tests and scripted demos are reproducible; the clock otherwise.
fn now() -> Result<DateTime<Utc>, Error> {
    match std::env::var("GIT_TASK_NOW") {
        Ok(text) if !text.is_empty() => git_task::task::parse_timestamp(&text)
            .map_err(|e| Error::Invalid(format!("GIT_TASK_NOW: {e}"))),
        _ => Ok(Utc::now().with_timezone(&Utc)),
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut ctx = Ctx {
        dir: cli.dir,
        json: cli.json,
        ui: Ui::new(cli.color),
        now: Utc::now(),
        wait: cli.wait,
    };
    let result = match now() {
        Ok(now) => {
            ctx.now = now;
            run(&mut ctx, cli.command)
        }
        Err(e) => Err(e.into()),
    };
    let result = result.and_then(|()| ctx.ui.flush().map_err(CliError::Io));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(CliError::Io(e)) => {
            ctx.ui.error(&format!("cannot write the output: {e}"));
            ExitCode::from(2)
        }
        Err(CliError::Lib(e)) => report(&ctx.ui, &e),
        Err(CliError::Silent(code)) => ExitCode::from(code),
        Err(CliError::Hinted(e, hint)) => {
            let code = report(&ctx.ui, &e);
            ctx.ui.hint(&hint);
            code
        }
    }
}

fn run(ctx: &mut Ctx, command: Command) -> CliResult {
    match command {
        Command::Init(args) => init::run(ctx, args),
        Command::Add(args) => add::run(ctx, args),
        Command::Show(args) => show::run(ctx, args),
        Command::List(args) => list::run_list(ctx, args),
        Command::Ready(args) => list::run_ready(ctx, args),
        Command::Blocked(args) => list::run_blocked(ctx, args),
        Command::Edit(args) => edit::run(ctx, args),
        Command::Start(args) => lifecycle::run_start(ctx, args),
        Command::Done(args) => lifecycle::run_done(ctx, args),
        Command::Cancel(args) => lifecycle::run_simple(ctx, args, lifecycle::Simple::Cancel),
        Command::Reopen(args) => lifecycle::run_simple(ctx, args, lifecycle::Simple::Reopen),
        Command::Reset(args) => lifecycle::run_simple(ctx, args, lifecycle::Simple::Reset),
        Command::Rm(args) => rm::run(ctx, args),
        Command::Rename(args) => rename::run(ctx, args),
        Command::Dep(command) => dep::run(ctx, command),
        Command::Criteria(args) => criteria::run(ctx, args),
        Command::Note(args) => note::run(ctx, args),
        Command::Plan(args) => plan::run_plan(ctx, args),
        Command::CriticalPath(args) => plan::run_critical_path(ctx, args),
        Command::Tracks(args) => plan::run_tracks(ctx, args),
        Command::Graph(args) => graph::run(ctx, args),
        Command::Status(args) => status::run(ctx, args),
        Command::Hooks(command) => hooks::run(ctx, command),
        Command::Check(args) => check::run_check(ctx, args),
        Command::Lint(args) => check::run_lint(ctx, args),
        Command::Gate(command) => gate::run(ctx, command),
        Command::Hook(args) => hook::run(ctx, args),
        Command::Diff(args) => diff::run(ctx, args),
        Command::Log(args) => log::run(ctx, args),
        Command::MergeDriver(args) => merge_driver::run(ctx, args),
        Command::Completions(args) => docs::run_completions(ctx, args),
        Command::Man(args) => docs::run_man(ctx, args),
    }
}

/// Prints an error with what to do about it; returns the exit code.
pub fn report(ui: &Ui, error: &Error) -> ExitCode {
    use git_task::taskset::ResolveError;
    match error {
        Error::Files(problems) => {
            for p in problems {
                ui.error(&p.to_string());
            }
            ui.hint("fix the file by hand, or undo your edit with `git checkout -- <file>`");
        }
        Error::Refused { message, hints } => {
            ui.error(message);
            for h in hints {
                ui.hint(h);
            }
        }
        Error::Resolve(ResolveError::Ambiguous { candidates, .. }) => {
            let mut message = error.to_string();
            let width = candidates
                .iter()
                .map(|(id, _)| id.as_str().len())
                .max()
                .unwrap_or(0);
            for (id, subject) in candidates {
                message.push_str(&format!("\n  {:<width$}  {subject}", id.as_str()));
            }
            ui.error(&message);
            ui.hint("type more characters of the id");
        }
        _ => {
            ui.error(&error.to_string());
            let hint = match error {
                Error::NotARepository { .. } => {
                    Some("run it inside a git repository (or `git init` one), or pass -C DIR".to_owned())
                }
                Error::NotInitialized { .. } => {
                    Some("run `git task init` to start tracking tasks here".to_owned())
                }
                Error::BareRepository { .. } => {
                    Some("run it in a clone that has a working tree".to_owned())
                }
                Error::Resolve(ResolveError::Unknown(_)) => {
                    Some("`git task list --all` shows every id".to_owned())
                }
                Error::LockBusy { .. } => Some(
                    "if that process is stopped (Ctrl-Z), resume it with `fg` or end it; or wait longer with --wait SECONDS".to_owned(),
                ),
                Error::Raced { .. } => Some(
                    "something else (a checkout, merge, stash or editor) changed .tasks/ at the same moment; run the command again".to_owned(),
                ),
                Error::DubiousOwnership { path } => Some(format!(
                    "git refuses it too; if you trust it, run: git config --global --add safe.directory {}",
                    path.display()
                )),
                Error::Link { .. } => Some(
                    "replace the link with the directory or file itself (git-task never writes through a link)".to_owned(),
                ),
                _ => None,
            };
            if let Some(hint) = hint {
                ui.hint(&hint);
            }
        }
    }
    ExitCode::from(if error.is_refusal() { 1 } else { 2 })
}

/// Runs one change under the lock, commits it, and prints the task it
/// returns: `<verb> <id> "<subject>"`, or the task as JSON.
pub fn change_one(
    ctx: &mut Ctx,
    id_text: &str,
    verb: &str,
    mut f: impl FnMut(
        &mut git_task::store::Transaction,
        &git_task::TaskId,
    ) -> Result<git_task::Task, Error>,
) -> CliResult {
    let ws = ctx.workspace()?;
    let (id, set) = ws.transact(|tx| {
        let id = tx.resolve(id_text)?;
        f(tx, &id)?;
        Ok(id)
    })?;
    print_changed(ctx, &set, &id, verb)
}

/// Prints what a change did to one task.
pub fn print_changed(
    ctx: &mut Ctx,
    set: &git_task::TaskSet,
    id: &git_task::TaskId,
    verb: &str,
) -> CliResult {
    use std::io::Write;
    let view = render::View::new(set);
    let Some(i) = set.index_of(id.as_str()) else {
        return Ok(());
    };
    if ctx.json {
        let value = serde_json::json!({ "version": 1, "task": view.json(i) });
        ctx.ui.json(&value)?;
    } else {
        let line = format!(
            "{verb} {} \"{}\" ({})",
            view.id(&ctx.ui, i),
            ui::escape(&view.task(i).subject, false),
            view.state(i)
        );
        writeln!(ctx.ui.out(), "{line}")?;
    }
    Ok(())
}
