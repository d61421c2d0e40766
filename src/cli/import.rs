//! `git task export` and `git task import`

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use git_task::apply::Outcome;
use git_task::bridge::{self, ProjectAs, ReadOptions, Source, Tracker};
use git_task::output;

use super::{CliError, CliResult, Ctx, RevArgs};

/// Write every task as JSON Lines, one task per line, every field
///
/// The lines are in id order, each the task object of `show --json`
/// without what the graph derives (docs/schema/export.json), so
/// `git task import FILE` brings the same tasks back into any repository.
/// A task file that does not read stops the export: nothing is left out
/// unsaid.
///
///   git task export > tasks.jsonl
///   git task export --rev main -o main.jsonl
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub rev: RevArgs,
}

/// Bring tasks in from an export, or from another tracker
///
/// Without --from, PATH is git-task's own export (`git task export`):
/// each task comes back with its id and every field. With --from, PATH is
/// another tracker's data:
///
///   taskwarrior   the JSON of `task export`
///   beads         .beads/issues.jsonl
///   backlog       a Backlog.md folder (backlog/, or its tasks/)
///   task-master   .taskmaster/tasks/tasks.json
///   agent         a coding agent's task-list directory (one JSON per task)
///
/// Each task keeps its id in the source (origin = "TRACKER:ID"), so
/// importing again updates the tasks instead of adding them twice; ids are
/// made from the source's ids, the same every time. All or nothing: a
/// source that does not read changes no file and names the file and line;
/// one whose dependencies would close a cycle changes no file and shows
/// the cycle. The report says how many tasks and edges came
/// in and every field or value that had no place, by name.
///
///   git task import --from beads .beads/issues.jsonl --dry-run
///   task export | git task import --from taskwarrior -
///
/// docs/import.md says what maps to what for each tracker.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct ImportArgs {
    /// The file or directory to read, or - for standard input.
    #[arg(value_name = "PATH")]
    pub path: String,

    /// The tracker PATH comes from (default: git-task's own export).
    #[arg(long, value_name = "FORMAT", value_parser = tracker_names())]
    pub from: Option<String>,

    /// Write nothing; print what importing would change, as `diff` does.
    #[arg(long)]
    pub dry_run: bool,

    /// Taskwarrior's projects as labels `project:NAME` (label) or as a
    /// parent epic for each project (epic).
    #[arg(long, value_name = "AS", value_parser = ["label", "epic"], default_value = "label")]
    pub project_as: String,
}

fn tracker_names() -> Vec<&'static str> {
    Tracker::ALL.iter().map(|t| t.as_str()).collect()
}

pub fn run_export(ctx: &mut Ctx, args: ExportArgs) -> CliResult {
    let ws = ctx.workspace()?;
    let source = args.rev.source();
    let set = ws.read(&source)?.into_result_of(&source)?;
    match &args.output {
        Some(path) => {
            let path = ctx.path(path);
            let mut text = Vec::new();
            bridge::jsonl::write(&mut text, &set)?;
            std::fs::write(&path, text).map_err(|e| {
                CliError::user(format!(
                    "cannot write {}: {}",
                    path.display(),
                    git_task::error::plain_io(&e)
                ))
            })?;
        }
        None => bridge::jsonl::write(ctx.ui.out(), &set)?,
    }
    Ok(())
}

pub fn run_import(ctx: &mut Ctx, args: ImportArgs) -> CliResult {
    let tracker = args
        .from
        .as_deref()
        .and_then(Tracker::parse)
        .filter(|t| *t != Tracker::GitTask);
    let stdin = args.path == "-";
    let path = if stdin {
        PathBuf::from("<stdin>")
    } else {
        ctx.path(Path::new(&args.path))
    };
    let options = ReadOptions {
        project_as: match args.project_as.as_str() {
            "epic" => ProjectAs::Epic,
            _ => ProjectAs::Label,
        },
    };
    let shown_path = PathBuf::from(if stdin { "<stdin>" } else { &args.path });
    let source = match tracker {
        None => Source::Export(
            bridge::jsonl::read(&read_text(&path, stdin)?, &shown_path)
                .map_err(|e| git_task::Error::Source(Box::new(e)))?,
        ),
        Some(tracker) if stdin => {
            // Readers of one file take it from standard input through a
            // temporary copy; a directory cannot come that way.
            let text = read_text(&path, true)?;
            let dir = tempfile::tempdir().map_err(|e| CliError::user(e.to_string()))?;
            let copy = dir.path().join("stdin");
            std::fs::write(&copy, text).map_err(|e| CliError::user(e.to_string()))?;
            let mut batch = bridge::read(tracker, &copy, &options);
            if let Err(git_task::Error::Source(e)) = &mut batch {
                e.file = PathBuf::from("<stdin>");
            }
            Source::Tracker(tracker, batch?)
        }
        Some(tracker) => Source::Tracker(tracker, bridge::read(tracker, &path, &options)?),
    };
    let ws = ctx.workspace()?;
    let bar = if args.dry_run {
        None
    } else {
        super::progress::bar(source.len(), "importing")
    };
    let import = bridge::import_to(
        &ws,
        &source,
        ctx.now,
        args.dry_run,
        bar.as_ref().map(|(_, p)| p.clone()),
    );
    if let Some((bar, _)) = bar {
        bar.finish_and_clear();
    }
    let import = import?;
    if ctx.json {
        return Ok(ctx.ui.json(&output::ImportReport::of(&import))?);
    }
    let out = ctx.ui.out();
    write_summary(
        out,
        &import,
        &shown_path.display().to_string(),
        args.dry_run,
    )?;
    if let Some((old, diff)) = &import.dry_run {
        writeln!(out)?;
        let heading = format!("tasks from the working tree to {} imported", args.path);
        super::render::write_diff(out, old, &import.after, diff, &heading)?;
    }
    Ok(())
}

/// How many created and updated tasks the text report names; `--json`
/// has them all.
const LISTED: usize = 50;

fn read_text(path: &Path, stdin: bool) -> Result<String, CliError> {
    let mut text = String::new();
    let read = if stdin {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text).map(|_| ()))
    };
    read.map_err(|e| {
        CliError::user(format!(
            "cannot read {}: {}",
            path.display(),
            git_task::error::plain_io(&e)
        ))
    })?;
    Ok(text)
}

/// `imported 12 tasks and 9 edges from beads: 3 created, ...`, each
/// created and updated task, then what had no place, by field.
fn write_summary(
    out: &mut impl Write,
    import: &bridge::Import,
    path: &str,
    dry_run: bool,
) -> std::io::Result<()> {
    let imported = &import.imported;
    let n = imported.tasks.len();
    writeln!(
        out,
        "{} {n} task{} and {} edge{} from {} ({}){}: {} created, {} updated, {} unchanged",
        if dry_run { "would import" } else { "imported" },
        if n == 1 { "" } else { "s" },
        imported.edges,
        if imported.edges == 1 { "" } else { "s" },
        path,
        imported.tracker,
        if dry_run { ", nothing written" } else { "" },
        imported.count(Outcome::Created),
        imported.count(Outcome::Updated),
        imported.count(Outcome::Unchanged),
    )?;
    let width = imported
        .tasks
        .iter()
        .filter(|t| t.outcome != Outcome::Unchanged)
        .map(|t| t.source_id.chars().count())
        .max()
        .unwrap_or(0);
    let changed: Vec<_> = imported
        .tasks
        .iter()
        .filter(|t| t.outcome != Outcome::Unchanged)
        .collect();
    for t in changed.iter().take(LISTED) {
        if imported.tracker == Tracker::GitTask {
            writeln!(out, "  {:<9} {}", t.outcome.as_str(), t.id)?;
        } else {
            writeln!(
                out,
                "  {:<9} {:<width$} → {}",
                t.outcome.as_str(),
                t.source_id,
                t.id
            )?;
        }
    }
    if changed.len() > LISTED {
        writeln!(
            out,
            "  ... and {} more (`--json` lists every task)",
            changed.len() - LISTED
        )?;
    }
    let report = output::ImportReport::new(imported, None, dry_run);
    if !report.dropped.is_empty() {
        writeln!(out, "no place in git-task (left out):")?;
        for d in &report.dropped {
            writeln!(
                out,
                "  {} on {} task{}: {}{}",
                d.field,
                d.count,
                if d.count == 1 { "" } else { "s" },
                d.examples.join("; "),
                if d.count > d.examples.len() {
                    "; ..."
                } else {
                    ""
                }
            )?;
        }
    }
    Ok(())
}
