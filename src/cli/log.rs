//! `git task log`

use std::io::Write;

use git_task::log::{self, Entry, Options, TaskLog};

use super::ui::{escape, paint, palette};
use super::{CliResult, Ctx};

/// The history of one task from git: the commits that changed its file.
///
/// Lists, newest first, the commits reachable from HEAD that changed
/// .tasks/<id>.toml (as `git log -- .tasks/<id>.toml` does), with author,
/// date (UTC) and subject, and what each changed in the task: status
/// transitions, dependencies added or removed, owner, criteria, notes, …
/// A merge is listed only when the file differs from every parent. A
/// removed task is found by its full id. In a shallow clone the history
/// stops where the clone does, and log says where.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task's id or a unique prefix of it (the full id for a task that
    /// has been removed).
    pub id: String,

    /// Show at most N commits.
    #[arg(
        short = 'n',
        long,
        value_name = "N",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub max_count: Option<usize>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let id = log::resolve(&ws, &args.id)?;
    let options = Options {
        max_count: args.max_count,
    };
    let history = log::read(&ws, &id, &options)?;
    if ctx.json {
        ctx.ui.json(&git_task::output::LogReport::new(&history))?;
    } else {
        print(ctx, &history)?;
    }
    if !history.shallow_boundary.is_empty() {
        let shas: Vec<&str> = history
            .shallow_boundary
            .iter()
            .map(|b| b.short.as_str())
            .collect();
        ctx.ui.info(&format!(
            "history stops at {} (shallow clone)",
            shas.join(", ")
        ));
        ctx.ui
            .hint("`git fetch --unshallow` fetches the rest of the history");
    } else if history.commits.is_empty() {
        ctx.ui.info(&format!(
            "no commit has changed .tasks/{} yet",
            history.id.file_name()
        ));
    }
    Ok(())
}

fn print(ctx: &mut Ctx, history: &TaskLog) -> CliResult {
    let out = ctx.ui.out();
    for entry in &history.commits {
        writeln!(
            out,
            "{} {} {} <{}>  {}",
            paint(palette::YELLOW, &entry.short),
            paint(
                palette::DIM,
                &entry.date.format("%Y-%m-%d %H:%M").to_string()
            ),
            escape(&entry.author, false),
            escape(&entry.email, false),
            paint(palette::BOLD, &escape(&entry.subject, false)),
        )?;
        write_changes(out, entry)?;
    }
    Ok(())
}

/// The indented lines under a commit: what it did to the task.
fn write_changes(out: &mut impl Write, entry: &Entry) -> std::io::Result<()> {
    let said_nothing = !(entry.boundary || entry.created || entry.removed || entry.parses_again)
        && entry.changes.is_empty()
        && entry.problem.is_none();
    let mut line = |text: &str| writeln!(out, "    {text}");
    if entry.boundary {
        let mut text = "history cut here (shallow clone); the task here".to_string();
        if let Some(subject) = &entry.task_subject {
            text.push_str(&format!(": \"{}\"", escape(subject, false)));
        }
        if let Some(status) = entry.task_status {
            text.push_str(&format!(", {status}"));
        }
        line(&paint(palette::DIM, &text))?;
    } else if entry.created {
        let text = match &entry.task_subject {
            Some(subject) => format!("created: {}", escape(subject, false)),
            None => "created".to_string(),
        };
        line(&paint(palette::GREEN, &text))?;
    }
    if entry.removed {
        line(&paint(palette::RED, "removed"))?;
    }
    if entry.parses_again {
        line("the file parses again")?;
    }
    for change in &entry.changes {
        line(&escape(&change.to_string(), false))?;
    }
    if let Some(problem) = &entry.problem {
        let text = format!(
            "the file did not parse here: {}:{}: {}",
            problem.error.line, problem.error.column, problem.error.message
        );
        line(&paint(palette::RED, &escape(&text, false)))?;
    }
    if said_nothing {
        // The file changed in ways `history` does not report: formatting,
        // `created` or `closed` times, `meta`.
        line(&paint(
            palette::DIM,
            "only formatting, timestamps or meta changed",
        ))?;
    }
    Ok(())
}
