//! `git task add`

use std::io::Write;

use git_task::change::{self, NewTask};
use git_task::task::{Estimate, Gate, Kind, Priority};

use git_task::error::Error;

use super::{CliError, CliResult, Ctx, render::View};

/// Create a task and print its id.
///
/// Examples:
///   git task add "Back up the database" --id backup-db --estimate 2h
///   git task add "Run migration" --after backup-db --criteria "schema version is 42"
///   git task add "Release 1.0" --gate --after run-migration
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One line that says what is to be done. Put it before --after and
    /// --criteria, which take several values.
    pub subject: Option<String>,

    /// Choose a readable id instead of a generated one (like backup-db).
    #[arg(long)]
    pub id: Option<String>,

    /// epic, story, task or subtask.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,

    /// critical, high, medium or low.
    #[arg(long, short, value_parser = parse_priority)]
    pub priority: Option<Priority>,

    /// The task this one is part of (a parent waits for its children).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,

    /// Tasks that must finish before this one can start (blocked_by).
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub after: Vec<String>,

    /// Make this a go/no-go gate for the branches of gates.branches.
    #[arg(long)]
    pub gate: bool,

    /// Make this a gate for branches matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub gate_branch: Vec<String>,

    /// Work time: 30m, 4h, 2d, 1w (1d = 8h, 1w = 5d).
    #[arg(long, short, value_parser = parse_estimate)]
    pub estimate: Option<Estimate>,

    /// Due date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    pub due: Option<chrono::NaiveDate>,

    /// A label (repeatable).
    #[arg(long, short)]
    pub label: Vec<String>,

    /// Success criteria, all to be met before `done` (one or more).
    #[arg(long, value_name = "TEXT", num_args = 1..)]
    pub criteria: Vec<String>,

    /// What to do, in enough detail that someone else can pick it up.
    #[arg(long, short)]
    pub description: Option<String>,

    /// Who holds the task.
    #[arg(long)]
    pub owner: Option<String>,

    /// A command that proves the task done; `done` runs it.
    #[arg(long, value_name = "COMMAND")]
    pub verify: Option<String>,
}

pub fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}
pub fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse()
}
pub fn parse_estimate(s: &str) -> Result<Estimate, String> {
    s.parse()
}
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    git_task::task::parse_date(s)
}

/// `--gate` and `--gate-branch` as a gate setting.
pub fn gate_from(flag: bool, branches: Vec<String>) -> Option<Gate> {
    if !branches.is_empty() {
        Some(Gate::Branches(branches))
    } else if flag {
        Some(Gate::ConfiguredBranches)
    } else {
        None
    }
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let Some(subject) = args.subject else {
        let swallowed = args.after.last().or(args.criteria.last());
        let mut message = "a new task needs a subject".to_string();
        if let Some(value) = swallowed {
            message.push_str(&format!(
                "; `{value}` was read as a value of --after/--criteria, which take several values"
            ));
        }
        let hint = "put the subject first: git task add \"Subject\" --after ID…";
        return Err(CliError::Hinted(Error::Invalid(message), hint.into()));
    };
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let new = NewTask {
        subject,
        id: args.id,
        kind: args.kind,
        priority: args.priority,
        parent: args.parent,
        after: args.after,
        gate: gate_from(args.gate, args.gate_branch),
        owner: args.owner,
        estimate: args.estimate,
        due: args.due,
        labels: args.label,
        verify: args.verify,
        criteria: args.criteria,
        description: args.description,
    };
    let mut tx = ws.transaction()?;
    let task = change::add(&mut tx, new, &config, ctx.now)?;
    let set = tx.commit()?;
    if ctx.json {
        let view = View::new(&set);
        let i = view.index(&task);
        ctx.ui
            .json(&serde_json::json!({ "version": 1, "task": view.json(i) }))?;
    } else {
        writeln!(ctx.ui.out(), "{}", task.id)?;
    }
    Ok(())
}
