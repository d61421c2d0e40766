//! `git task sync`

use std::io::Write;
use std::path::PathBuf;

use git_task::bridge::sync::{self, Changed, Link, Report, SyncError};
use git_task::output;

use super::ui::escape;
use super::{CliError, CliResult, Ctx};

/// Link the tasks with a coding agent's task list, both ways
///
/// `sync --with agent DIR` links the working tree's tasks with an agent's
/// task-list directory (one JSON file per task, as Claude Code keeps in
/// ~/.claude/tasks/<list>/). The agent's new tasks are created in .tasks/
/// (ids agent-<id>), changes on either side since the last sync go to the
/// other, and a field changed differently on both sides is a conflict:
/// both values are reported, neither side is changed for that field, and
/// the exit code is 1. Running it again with no change in between changes
/// nothing.
///
/// Only the tasks linked go out to the agent, and the ones given with
/// --push (each becomes a new task of the agent's list).
///
///   git task sync --with agent ~/.claude/tasks/my-list --dry-run
///   git task sync --with agent ~/.claude/tasks/my-list --push login
///
/// docs/import.md says what maps to what and where the last synced state
/// is kept.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// What to link with: agent (a task-list directory of JSON files).
    #[arg(long = "with", value_name = "KIND", value_parser = ["agent"])]
    pub with: String,

    /// The agent's task-list directory.
    #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub agent_dir: PathBuf,

    /// Write nothing; say what a sync would do.
    #[arg(long)]
    pub dry_run: bool,

    /// Give these tasks (ids or prefixes) to the agent as new tasks of its
    /// list; they are linked from then on.
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub push: Vec<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let dir = match &ctx.dir {
        Some(base) if args.agent_dir.is_relative() => base.join(&args.agent_dir),
        _ => args.agent_dir.clone(),
    };
    let ws = ctx.workspace()?;
    // As many files as the agent has tasks, about: what a first sync
    // writes.
    let files = std::fs::read_dir(&dir).map_or(0, |entries| {
        entries
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .count()
    });
    let bar = if args.dry_run {
        None
    } else {
        super::progress::bar(files, "syncing")
    };
    let options = sync::Options {
        dry_run: args.dry_run,
        push: args.push.clone(),
        progress: bar.as_ref().map(|(_, p)| p.clone()),
    };
    let report = sync::sync(&ws, &dir, &options, ctx.now);
    if let Some((bar, _)) = bar {
        bar.finish_and_clear();
    }
    let report = match report {
        Ok(report) => report,
        Err(SyncError::Store(e)) => return Err(e.into()),
        Err(
            e @ (SyncError::Raced { .. } | SyncError::Agent { .. } | SyncError::PushCancelled(_)),
        ) => {
            return Err(CliError::Refused {
                message: e.to_string(),
                hints: Vec::new(),
            });
        }
        Err(e) => return Err(CliError::user(e.to_string())),
    };
    if ctx.json {
        ctx.ui.json(&output::SyncReport::of(&report))?;
    } else {
        write_report(ctx.ui.out(), &report)?;
    }
    if !report.conflicts.is_empty() {
        return Err(CliError::Silent(1));
    }
    Ok(())
}

/// The summary line, then what changed, then each conflict.
fn write_report(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let dry = if report.dry_run {
        " (dry run, nothing written)"
    } else {
        ""
    };
    let dir_text = report.dir.display().to_string();
    let dir = escape(&dir_text, false);
    if !report.changed() && report.conflicts.is_empty() {
        return writeln!(out, "sync with agent {dir}{dry}: nothing to do");
    }
    // (how many, the words for one, the words for more)
    let counts = [
        (report.created.len(), "created", "created"),
        (report.pushed.len(), "pushed", "pushed"),
        (report.updated_tasks.len(), "task updated", "tasks updated"),
        (
            report.updated_files.len(),
            "agent file updated",
            "agent files updated",
        ),
        (
            report.removed_files.len(),
            "agent file removed",
            "agent files removed",
        ),
        (report.cancelled.len(), "cancelled", "cancelled"),
        (report.relinked.len(), "relinked", "relinked"),
        (report.conflicts.len(), "conflict", "conflicts"),
    ];
    let counts: Vec<String> = counts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    writeln!(out, "sync with agent {dir}{dry}: {}", counts.join(", "))?;
    let link = |out: &mut dyn Write, what: &str, l: &Link| {
        writeln!(out, "  {what:<9} agent {} ↔ {}", l.agent_id, l.task)
    };
    let change = |out: &mut dyn Write, what: &str, c: &Changed| {
        writeln!(
            out,
            "  {what:<9} agent {} ↔ {}: {}",
            c.agent_id,
            c.task,
            c.fields.join(", ")
        )
    };
    for l in &report.created {
        link(out, "created", l)?;
    }
    for l in &report.relinked {
        link(out, "relinked", l)?;
    }
    for l in &report.pushed {
        link(out, "pushed", l)?;
    }
    for c in &report.updated_tasks {
        change(out, "updated", c)?;
    }
    for c in &report.updated_files {
        change(out, "wrote", c)?;
    }
    for l in &report.cancelled {
        link(out, "cancelled", l)?;
    }
    for l in &report.removed_files {
        link(out, "removed", l)?;
    }
    for c in &report.conflicts {
        let conflict = &c.conflict;
        writeln!(
            out,
            "conflict: agent {} ↔ {}: {} changed on both sides; the agent has {}, git-task has {} (last synced: {})",
            conflict.agent_id, c.task, conflict.field, conflict.agent, conflict.git, conflict.base
        )?;
    }
    if !report.conflicts.is_empty() {
        writeln!(
            out,
            "neither side was changed for these; make one side say what the other does (or what you want on both) and sync again"
        )?;
    }
    if !report.dropped.is_empty() {
        writeln!(out, "no place in git-task:")?;
        for d in &report.dropped {
            writeln!(out, "  agent {} {}: {}", d.source_id, d.field, d.value)?;
        }
    }
    Ok(())
}
