//! `git task apply`

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use git_task::apply::{self, Outcome, PlanFormat};
use git_task::output;

use super::ui::escape;
use super::{CliError, CliResult, Ctx};

/// Create or update a whole task graph from a plan file, in one step
///
/// A plan names its tasks by keys and wires blocked_by and parent among
/// them and to existing ids. Every task it creates remembers its key
/// (plan_key = "NAME/KEY"), so applying the plan again changes nothing,
/// and applying an edited plan changes only what the plan changed: fields
/// the plan does not set (owner, status, notes, ...) stay as people left
/// them. All or nothing: a plan with a cycle, an unknown field or a name
/// that is neither a key nor a task changes no file and says which line.
///
/// Example (auth.toml):
///
///   [tasks.research]
///   subject = "Research the options"
///   [tasks.design]
///   subject = "Design the login flow"
///   blocked_by = ["research"]
///
///   git task apply auth.toml --dry-run
///   git task apply auth.toml
///
/// PLAN is a .toml or .json file, or - for standard input (with --format
/// json for JSON). docs/plans.md has every field and one plan for each
/// common shape of work.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The plan file (.toml or .json), or - to read it from standard input.
    #[arg(value_name = "PLAN")]
    pub plan: String,

    /// Write nothing; print what applying would change, as `diff` does.
    #[arg(long)]
    pub dry_run: bool,

    /// The plan's language: toml or json (default: by the file's
    /// extension; toml for standard input).
    #[arg(long, value_name = "FORMAT", value_parser = ["toml", "json"])]
    pub format: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let stdin = args.plan == "-";
    let format = match args.format.as_deref() {
        Some("json") => PlanFormat::Json,
        Some(_) => PlanFormat::Toml,
        None if stdin => PlanFormat::Toml,
        None => PlanFormat::of_path(Path::new(&args.plan)),
    };
    let (text, file, stem) = if stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            CliError::user(format!("cannot read the plan from standard input: {e}"))
        })?;
        (text, "<stdin>".to_owned(), None)
    } else {
        let path = PathBuf::from(&args.plan);
        let full = ctx.path(&path);
        let text = std::fs::read_to_string(&full).map_err(|e| {
            CliError::user(format!(
                "cannot read the plan {}: {}",
                path.display(),
                git_task::error::plain_io(&e)
            ))
        })?;
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        (text, args.plan.clone(), stem)
    };
    let plan = apply::parse(&text, format, &file, stem.as_deref())
        .map_err(|e| git_task::Error::Plan(Box::new(e)))?;
    let ws = ctx.workspace()?;
    let application = apply::apply_to(&ws, &plan, ctx.now, args.dry_run)?;
    if ctx.json {
        return Ok(ctx.ui.json(&output::ApplyReport::of(&application))?);
    }
    let (applied, set) = (&application.applied, &application.after);
    let out = ctx.ui.out();
    write_summary(out, applied, set, args.dry_run)?;
    if let Some((old, diff)) = &application.dry_run {
        writeln!(out)?;
        let heading = format!("tasks from the working tree to plan {} applied", plan.name);
        super::render::write_diff(out, old, set, diff, &heading)?;
    }
    Ok(())
}

/// `plan NAME: 2 created, 1 updated, 3 unchanged`, then each created and
/// updated key with its id, then the tasks of the plan whose keys it no
/// longer has (subjects from `set`).
fn write_summary(
    out: &mut impl Write,
    applied: &apply::Applied,
    set: &git_task::TaskSet,
    dry_run: bool,
) -> std::io::Result<()> {
    writeln!(
        out,
        "plan {}{}: {} created, {} updated, {} unchanged",
        applied.name,
        if dry_run {
            " (dry run, nothing written)"
        } else {
            ""
        },
        applied.count(Outcome::Created),
        applied.count(Outcome::Updated),
        applied.count(Outcome::Unchanged),
    )?;
    let width = applied
        .tasks
        .iter()
        .filter(|t| t.outcome != Outcome::Unchanged)
        .map(|t| t.key.chars().count())
        .max()
        .unwrap_or(0);
    for t in &applied.tasks {
        if t.outcome == Outcome::Unchanged {
            continue;
        }
        writeln!(
            out,
            "  {:<9} {:<width$} → {}",
            t.outcome.as_str(),
            t.key,
            t.id
        )?;
    }
    if !applied.not_in_plan.is_empty() {
        writeln!(
            out,
            "no longer in the plan (left as they are; `git task rm ID` removes one):"
        )?;
        for (key, id) in &applied.not_in_plan {
            let subject = set.get(id.as_str()).map_or("", |t| t.subject.as_str());
            writeln!(out, "  {key} → {id} \"{}\"", escape(subject, false))?;
        }
    }
    Ok(())
}
