//! The command line: clap definitions, one module per command, and the
//! context every command runs in.

mod add;
mod advice;
mod apply;
mod board;
mod check;
mod claim;
mod claims;
mod command_error;
mod completion;
mod criteria;
mod dep;
mod diff;
mod docs;
mod edit;
mod fields;
mod format;
mod gate;
mod graph;
mod hook;
mod hooks;
mod import;
mod init;
mod lifecycle;
mod list;
mod log;
pub(crate) mod mcp;
mod merge_driver;
mod note;
mod plan;
mod progress;
mod rename;
mod render;
mod rm;
mod serve;
mod show;
mod status;
mod sync;
mod table;
pub mod ui;

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use git_task::error::{Error, FileProblem};
use git_task::store::{Source, Workspace};
use git_task::{Task, TaskSet};

use ui::{ColorChoice, Ui};

pub use command_error::{CliError, CliResult, fix_hints, report_with, shell_word};

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
    #[arg(short = 'C', value_name = "DIR", global = true, help_heading = GLOBAL, value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,

    /// Print results as JSON (stable field names, "version": 1).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// When to colour output: auto (on a terminal, unless NO_COLOR is set;
    /// CLICOLOR_FORCE=1 colours a pipe too), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN", help_heading = GLOBAL)]
    pub color: ColorChoice,

    /// How long a change waits for another git-task process to finish its
    /// own (it says whom it waits for after a second), then gives up.
    #[arg(long, global = true, value_name = "SECONDS", default_value = "30", value_parser = parse_wait, help_heading = GLOBAL)]
    pub wait: std::time::Duration,

    #[command(subcommand)]
    pub command: Command,
}

/// The heading of the options every command takes.
const GLOBAL: &str = "Global options";

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
    Claim(claim::ClaimArgs),
    Release(claim::ReleaseArgs),
    /// Cancel a task: it is resolved and no longer holds anything back.
    Cancel(lifecycle::IdArgs),
    /// Put a task back to pending, keeping its owner and criteria.
    ///
    /// The owner, the criteria and a gate's waiver are kept; the started and
    /// closed times are cleared. A task that is already pending is left as
    /// it is.
    Reopen(lifecycle::IdArgs),
    /// Put a task back to pending, clearing its owner and criteria.
    ///
    /// The owner, the started and closed times and a gate's waiver are
    /// cleared, and every criterion is marked unmet. Notes stay.
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
    Board(board::Args),
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
    Mcp(mcp::Args),
    Apply(apply::Args),
    Export(import::ExportArgs),
    Import(import::ImportArgs),
    Sync(sync::Args),
    Serve(serve::Args),
}

fn parse_wait(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 86_400.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| format!("`{text}` is not a number of seconds between 0 and 86400"))
}

/// What every command gets: the global options, the output, the clock,
/// and the repository, opened on first use.
pub struct Ctx {
    pub dir: Option<PathBuf>,
    pub json: bool,
    pub ui: Ui,
    pub now: DateTime<Utc>,
    pub wait: std::time::Duration,
    /// A reading command answered without some task files that do not
    /// read: it exits 2 after its answer.
    pub incomplete: bool,
    /// The repository around `-C DIR` or the current directory, once
    /// something has asked for it: the command, who is acting, the merge
    /// driver's warning and the hints of an error all use this one.
    workspace: OnceCell<Rc<Workspace>>,
}

/// `--rev` of the commands that only read.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RevArgs {
    /// Read the tasks of a revision (a branch, tag, sha or `HEAD~2`)
    /// instead of the working tree; works in a bare repository too.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

impl RevArgs {
    /// ` --rev REV` when a revision is read, for the commands a message
    /// suggests: they then answer for the same revision.
    pub fn flag(&self) -> String {
        self.rev
            .as_ref()
            .map_or_else(String::new, |r| format!(" --rev {}", shell_word(r)))
    }

    pub fn source(&self) -> Source {
        match &self.rev {
            Some(rev) => Source::Rev(rev.clone()),
            None => Source::WorkTree,
        }
    }
}

/// Which task set to read: the working tree, the index or a revision.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// Check what the next commit would record (the index).
    #[arg(long, conflicts_with = "rev")]
    pub staged: bool,

    /// Check the tasks of a revision: a branch, tag, sha or `HEAD~2`.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

impl SourceArgs {
    pub fn source(&self) -> Source {
        match (&self.rev, self.staged) {
            (Some(rev), _) => Source::Rev(rev.clone()),
            (None, true) => Source::Index,
            (None, false) => Source::WorkTree,
        }
    }
}

/// The tasks a reading command answers from: every task that reads, and
/// the files that do not (already reported on stderr).
pub struct Reading {
    pub ws: Rc<Workspace>,
    /// Never dropped: a read-only command prints its answer and ends, and
    /// freeing tens of thousands of tasks one by one first would cost a
    /// tenth of the command (the process gives the memory back at once).
    pub set: std::mem::ManuallyDrop<TaskSet>,
    /// The settings of the same source as the tasks.
    pub config: git_task::config::Config,
    pub problems: Vec<FileProblem>,
}

impl Reading {
    /// Resolves an id or prefix; one that only a file that does not read
    /// could hold is said to be in that file, not to be unknown.
    pub fn resolve(&self, text: &str) -> Result<&Task, CliError> {
        use git_task::taskset::ResolveError;
        match self.set.resolve(text) {
            Err(ResolveError::Unknown(_)) => {
                let lower = text.to_lowercase();
                let broken = self.problems.iter().find(|p| {
                    p.path
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .is_some_and(|stem| stem.starts_with(&lower))
                });
                Err(match broken {
                    Some(p) => CliError::user(format!(
                        "{} does not read, so its task cannot be used (see above)",
                        p.path.display()
                    )),
                    None => ResolveError::Unknown(text.to_owned()).into(),
                })
            }
            other => other.map_err(CliError::from),
        }
    }
}

impl Ctx {
    /// The context of one run, with the global options; the repository is
    /// not looked for until a command asks ([`Ctx::workspace`]).
    pub fn new(cli: &Cli) -> Ctx {
        Ctx {
            dir: cli.dir.clone(),
            json: cli.json,
            ui: Ui::new(cli.color),
            now: Utc::now(),
            wait: cli.wait,
            incomplete: false,
            workspace: OnceCell::new(),
        }
    }

    /// The context of one request to a server (a tool call of `mcp`, a
    /// POST to `serve`): in `dir`, at `now`, answering in JSON and painting
    /// nothing (stdout is the protocol's, or nobody's, and what goes to
    /// stderr is read in a log). A server runs for days: each request is
    /// as of its own moment, and opens the repository afresh.
    pub fn for_request(dir: Option<PathBuf>, wait: std::time::Duration, now: DateTime<Utc>) -> Ctx {
        Ctx {
            dir,
            json: true,
            ui: Ui::new(ColorChoice::Never),
            now,
            wait,
            incomplete: false,
            workspace: OnceCell::new(),
        }
    }

    /// The repository around `-C DIR` or the current directory, found the
    /// first time it is asked for and shared after that. Shared (`Rc`), not
    /// borrowed, so that a command can hold it while it prints through
    /// `ctx.ui`. A failure is not kept: asking again looks again, and
    /// fails the same way.
    pub fn workspace(&self) -> Result<Rc<Workspace>, CliError> {
        if let Some(ws) = self.workspace.get() {
            return Ok(Rc::clone(ws));
        }
        let ws = Rc::new(self.workspace_in(None)?);
        Ok(Rc::clone(self.workspace.get_or_init(|| ws)))
    }

    /// A repository of its own around `sub`, a directory taken from `-C`
    /// (or the current directory) as git takes a second `-C`: an absolute
    /// `sub` replaces it. [`Ctx::workspace`] is this for no `sub`, opened
    /// once.
    pub fn workspace_in(&self, sub: Option<&Path>) -> Result<Workspace, CliError> {
        let base = match &self.dir {
            Some(dir) => dir.clone(),
            None => std::env::current_dir().map_err(|e| Error::io(".", e))?,
        };
        let dir = match sub {
            Some(sub) => base.join(sub),
            None => base,
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

    /// A path the user gave, taken from `-C DIR` when it is relative, as
    /// git takes paths after `-C`.
    pub fn path(&self, path: &Path) -> PathBuf {
        match &self.dir {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_owned(),
        }
    }

    /// Reads the tasks of the working tree, or of `--rev`, for a command
    /// that only reads. Files that do not read are reported on stderr,
    /// with what the answer then means and how to fix them, and make the
    /// command exit 2 after its answer; the answer covers every task that
    /// reads.
    pub fn read_tasks(&mut self, rev: &RevArgs) -> Result<Reading, CliError> {
        let ws = self.workspace()?;
        let source = rev.source();
        let loaded = ws.read(&source)?;
        let problems = loaded.problems;
        let config = loaded.config;
        if !problems.is_empty() {
            for p in &problems {
                self.ui.error(&p.to_string());
            }
            let n = problems.len();
            self.ui.warning(&format!(
                "{n} file{s} of .tasks/ {do_} not read: the answer leaves {them} out, \
                 and tasks that wait for {them} show as blocked by {them} (no such task)",
                s = if n == 1 { "" } else { "s" },
                do_ = if n == 1 { "does" } else { "do" },
                them = if n == 1 { "it" } else { "them" },
            ));
            for hint in fix_hints(&ws, &source, &problems) {
                self.ui.hint(&hint);
            }
            self.incomplete = true;
        }
        Ok(Reading {
            ws,
            set: std::mem::ManuallyDrop::new(loaded.tasks),
            config,
            problems,
        })
    }

    /// The local time zone, for "today" and the plan's calendar. Says once
    /// per process when `TZ` names a zone this system does not have.
    pub fn local_zone(&self) -> git_task::clock::Zone {
        static CHECKED: std::sync::Once = std::sync::Once::new();
        CHECKED.call_once(|| warn_of_unknown_tz(&self.ui));
        git_task::clock::Zone::Local
    }

    /// Who is acting: `given` (a flag such as `--owner`), else git's
    /// identity. Without either the command refuses, asking `question`
    /// and naming the flag: nothing git-task records is anonymous.
    pub fn actor(
        &self,
        given: Option<String>,
        question: &str,
        flag: &str,
    ) -> Result<String, CliError> {
        if let Some(who) = given {
            return Ok(who);
        }
        self.workspace()?.identity().ok_or_else(|| {
            CliError::user(format!(
                "{question} pass {flag}, or set `git config user.email`"
            ))
        })
    }
}

/// The time `now` is taken as: `GIT_TASK_NOW` (RFC 3339) when set, so
/// tests and scripted demos are reproducible; the clock otherwise.
fn now() -> Result<DateTime<Utc>, CliError> {
    match std::env::var("GIT_TASK_NOW") {
        Ok(text) if !text.is_empty() => git_task::task::parse_timestamp(&text)
            .map_err(|e| CliError::user(format!("GIT_TASK_NOW: {e}"))),
        _ => Ok(Utc::now().with_timezone(&Utc)),
    }
}

/// `--json` with `--format` other than json is refused rather than one of
/// them silently winning: returns clap's usage error for the pair.
fn json_format_clash(matches: &clap::ArgMatches) -> Option<clap::Error> {
    let mut leaf = matches;
    let mut path = vec![];
    while let Some((name, sub)) = leaf.subcommand() {
        path.push(name.to_owned());
        leaf = sub;
    }
    let explicit = |id: &str| {
        leaf.try_contains_id(id).unwrap_or(false)
            && leaf.value_source(id) == Some(clap::parser::ValueSource::CommandLine)
    };
    if !explicit("json") || !explicit("format") {
        return None;
    }
    let format = leaf
        .get_raw("format")?
        .next()?
        .to_string_lossy()
        .into_owned();
    if format == "json" {
        return None;
    }
    let mut command = Cli::command();
    command.build();
    let mut sub = &mut command;
    for name in &path {
        sub = sub.find_subcommand_mut(name)?;
    }
    Some(sub.error(
        clap::error::ErrorKind::ArgumentConflict,
        format!(
            "--json and --format {format} ask for different outputs; give one of them (--json means --format json)"
        ),
    ))
}

pub fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    if let Some(error) = json_format_clash(&matches) {
        error.exit();
    }
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let mut ctx = Ctx::new(&cli);
    let result = match now() {
        Ok(now) => {
            ctx.now = now;
            let warns = warns_of_merge_driver(&cli.command);
            let result = run(&mut ctx, cli.command);
            if warns && result.is_ok() {
                warn_if_no_merge_driver(&ctx);
            }
            result
        }
        Err(e) => Err(e),
    };
    let result = result.and_then(|()| ctx.ui.flush().map_err(CliError::Io));
    command_error::exit(&ctx, result)
}

/// Whether `command` is one after which a missing merge driver is worth
/// a word: every change to tasks, and `status`. Not the commands that
/// only read (or set up, or are run by git).
fn warns_of_merge_driver(command: &Command) -> bool {
    match command {
        Command::Criteria(args) => {
            !(args.met.is_empty() && args.unmet.is_empty() && args.add.is_empty())
        }
        Command::Gate(gate) => !matches!(gate, gate::Command::List(_)),
        Command::Ready(args) => args.claim,
        Command::Init(_)
        | Command::Show(_)
        | Command::List(_)
        | Command::Blocked(_)
        | Command::Plan(_)
        | Command::CriticalPath(_)
        | Command::Tracks(_)
        | Command::Graph(_)
        | Command::Board(_)
        | Command::Check(_)
        | Command::Lint(_)
        | Command::Diff(_)
        | Command::Log(_)
        | Command::Hooks(_)
        | Command::Hook(_)
        | Command::MergeDriver(_)
        | Command::Completions(_)
        | Command::Man(_)
        | Command::Mcp(_)
        | Command::Serve(_) => false,
        _ => true,
    }
}

/// Once per run: when the attributes ask for git-task's merge driver and
/// this clone does not define it (the definition lives in .git/config, so
/// a fresh clone lacks it), git merges task files line by line, silently.
fn warn_if_no_merge_driver(ctx: &Ctx) {
    use git_task::merge::registration;
    let Ok(ws) = ctx.workspace() else {
        return;
    };
    let Ok(status) = registration::status(&ws) else {
        return;
    };
    let (Some(attributes), None) = (&status.attributes, &status.command) else {
        return;
    };
    let shown = attributes.strip_prefix(ws.root()).unwrap_or(attributes);
    ctx.ui.warning(&format!(
        "{} asks for git-task's merge driver, but this clone does not define it (merge.{}.driver), so git merges task files line by line",
        shown.display(),
        registration::DRIVER
    ));
    ctx.ui.hint(&format!(
        "define it (and install the hooks): {}",
        command_error::command(&git_task::action::Action::HooksInstall)
    ));
    ctx.ui.hint(&format!(
        "or define only the driver (with a hook manager): git config merge.{}.driver {}",
        registration::DRIVER,
        shell_word(registration::COMMAND)
    ));
}

/// The C library and chrono read an unknown `TZ=Europe/Berlni` as UTC
/// without a word; dates would be a few hours off with no sign why. A name
/// (no digits: POSIX rules such as `EST5EDT` or `<+03>-3`, and paths such
/// as `:/etc/localtime`, are left to the C library) that is neither in the
/// zoneinfo nor UTC gets a warning, once, from the commands that use the
/// local zone ([`Ctx::local_zone`]); hooks and the merge driver never ask.
fn warn_of_unknown_tz(ui: &Ui) {
    let Ok(tz) = std::env::var("TZ") else {
        return;
    };
    let name = tz.strip_prefix(':').unwrap_or(&tz);
    if name.is_empty() || name.starts_with('/') || name.contains(|c: char| c.is_ascii_digit()) {
        return;
    }
    if git_task::clock::Zone::parse(name).is_err() {
        ui.warning(&format!(
            "TZ={tz} names no time zone this system knows, so dates are in UTC; \
             set TZ to a name under /usr/share/zoneinfo, such as Europe/Berlin"
        ));
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
        Command::Claim(args) => claim::run_claim(ctx, args),
        Command::Release(args) => claim::run_release(ctx, args),
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
        Command::Board(args) => board::run(ctx, args),
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
        Command::Mcp(args) => mcp::run(ctx, args),
        Command::Apply(args) => apply::run(ctx, args),
        Command::Export(args) => import::run_export(ctx, args),
        Command::Import(args) => import::run_import(ctx, args),
        Command::Sync(args) => sync::run(ctx, args),
        Command::Serve(args) => serve::run(ctx, args),
    }
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
    let (id, set) = change_one_quietly(ctx, id_text, &mut f)?;
    print_changed(ctx, &set, &id, verb)
}

/// [`change_one`] without printing: the task's id and the set as it now
/// is, for a command that does more before it says what it did.
pub fn change_one_quietly(
    ctx: &mut Ctx,
    id_text: &str,
    mut f: impl FnMut(
        &mut git_task::store::Transaction,
        &git_task::TaskId,
    ) -> Result<git_task::Task, Error>,
) -> Result<(git_task::TaskId, git_task::TaskSet), CliError> {
    let ws = ctx.workspace()?;
    Ok(ws.transact(|tx| {
        let id = tx.resolve(id_text)?;
        f(tx, &id)?;
        Ok(id)
    })?)
}

/// The task `id` of `set` as the commands that change one print it with
/// `--json`, for a server to answer with.
pub fn task_answer(
    ctx: &Ctx,
    set: &git_task::TaskSet,
    id: &str,
) -> Result<serde_json::Value, CliError> {
    let view = render::View::new(set).dated(ctx);
    let i = set
        .index_of(id)
        .ok_or_else(|| CliError::user(format!("{id} is gone")))?;
    serde_json::to_value(git_task::output::TaskAnswer::new(&view, i))
        .map_err(|e| CliError::Io(e.into()))
}

/// Prints what a change did to one task.
pub fn print_changed(
    ctx: &mut Ctx,
    set: &git_task::TaskSet,
    id: &git_task::TaskId,
    verb: &str,
) -> CliResult {
    use std::io::Write;
    let view = render::View::new(set).dated(ctx);
    let Some(i) = set.index_of(id.as_str()) else {
        return Ok(());
    };
    if ctx.json {
        ctx.ui.json(&git_task::output::TaskAnswer::new(&view, i))?;
    } else {
        let line = format!(
            "{verb} {} \"{}\" ({})",
            view.id(i),
            ui::escape(&view.task(i).subject, false),
            view.state(i)
        );
        writeln!(ctx.ui.out(), "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_in(dir: &Path) -> Ctx {
        let dir = dir.to_str().expect("a UTF-8 path");
        Ctx::new(&Cli::parse_from(["git-task", "-C", dir, "status"]))
    }

    /// Every command, the identity, the merge driver's warning and the
    /// error's hints share the one repository the first ask opened.
    #[test]
    fn the_repository_is_opened_once_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx_in(dir.path());
        // Not a repository yet: each ask says so.
        for _ in 0..2 {
            assert!(ctx.workspace().is_err());
        }
        let status = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .status()
            .unwrap();
        assert!(status.success());
        let first = ctx.workspace().map_err(|_| "opens").unwrap();
        let again = ctx.workspace().map_err(|_| "opens").unwrap();
        assert!(Rc::ptr_eq(&first, &again));
        // `workspace_in` opens one of its own.
        let other = ctx.workspace_in(None).map_err(|_| "opens").unwrap();
        assert_eq!(other.root(), first.root());
    }
}
