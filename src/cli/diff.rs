//! `git task diff`: the pull-request view of task changes.

use std::io::Write;

use git_task::TaskSet;
use git_task::history::{self, TaskSetDiff};
use git_task::markup::Flowchart;
use git_task::markup::escape::{code_span as code, markdown as md};
use git_task::output;

use super::format::Format;
use super::render::{self, GateMove, change_line, details, gate_move};
use super::{CliResult, Ctx};

/// The formats of `diff`.
const FORMATS: &[Format] = &[Format::Human, Format::Markdown, Format::Json];

/// Show how the tasks changed between two revisions.
///
/// Tasks added and removed, fields changed (old → new), status transitions,
/// dependencies added and removed, and gates whose state changed, each id
/// with its subject.
///
/// RANGE is A..B (two revisions), A...B (from their merge base to B), or a
/// single revision A (A against the working tree). Without RANGE: from
/// where HEAD branched off the default branch (origin/HEAD, main or master)
/// to HEAD, which is what a pull request shows.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A..B, A...B or A.
    pub range: Option<String>,

    /// human, markdown (for a pull-request comment: a summary table, the
    /// changes, and a Mermaid graph of the changed tasks and their direct
    /// neighbours) or json.
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = Format::parser(FORMATS))]
    pub format: Format,
}

/// How the output names what it compares.
struct Names {
    from: String,
    to: String,
    /// `main...HEAD` and the short merge base, for a three-dot range.
    range: Option<(String, String)>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let range = history::resolve_range(&ws, args.range.as_deref())?;
    let (old, new) = ws.read_pair(&range.from, &range.to)?;
    let (old, new) = (
        old.into_result_of(&range.from)?,
        new.into_result_of(&range.to)?,
    );
    let diff = history::diff_sets(&old, &new);
    let names = Names {
        from: range.from_name,
        to: range.to_name,
        range: range.merge_base.map(|base| (base.spec, base.short)),
    };
    let format = args.format.or_json(ctx.json);
    match format {
        Format::Json => {
            let sides = output::Sides {
                from: &names.from,
                to: &names.to,
                range: names.range.as_ref().map(|(spec, _)| spec.as_str()),
            };
            ctx.ui
                .json(&output::DiffReport::new(&old, &new, &diff, sides))?;
            return Ok(());
        }
        Format::Markdown => ctx
            .ui
            .out()
            .write_all(markdown(&old, &new, &diff, &names).as_bytes())?,
        Format::Human => write_text(ctx.ui.out(), &old, &new, &diff, &names)?,
        other => unreachable!("clap takes only the formats of diff, not {other:?}"),
    }
    Ok(())
}

/// The changes as people read them, under a summary line naming the
/// range: [`render::write_diff`].
fn write_text(
    out: &mut impl Write,
    old: &TaskSet,
    new: &TaskSet,
    diff: &TaskSetDiff,
    names: &Names,
) -> std::io::Result<()> {
    let heading = match &names.range {
        Some((spec, base)) => format!("tasks in {spec} (merge-base {base})"),
        None => format!("tasks from {} to {}", names.from, names.to),
    };
    render::write_diff(out, old, new, diff, &heading)
}

fn markdown(old: &TaskSet, new: &TaskSet, diff: &TaskSetDiff, names: &Names) -> String {
    let mut out = match &names.range {
        Some((spec, base)) => format!(
            "### Task changes in {} (merge-base {})\n\n",
            code(spec),
            code(base)
        ),
        None => format!(
            "### Task changes from {} to {}\n\n",
            code(&names.from),
            code(&names.to)
        ),
    };
    if diff.is_empty() {
        out.push_str("No task changed.\n");
        return out;
    }
    out.push_str("| | tasks |\n|---|---:|\n");
    for (what, n) in [
        ("added", diff.added.len()),
        ("removed", diff.removed.len()),
        ("changed", diff.changed.len()),
        ("gates changed", diff.gates.len()),
    ] {
        out.push_str(&format!("| {what} | {n} |\n"));
    }
    let line = |t: &git_task::Task| format!("{} {}", code(t.id.as_str()), md(&t.subject));
    let named = |id: &str| match new.get(id).or(old.get(id)) {
        Some(t) => line(t),
        None => format!("{} (no such task)", code(id)),
    };
    if !diff.added.is_empty() {
        out.push_str("\n**Added**\n\n");
        for &j in &diff.added {
            let t = &new.tasks()[j];
            out.push_str(&format!("- {} — {}\n", line(t), t.status));
            for detail in details(t).lines(named) {
                out.push_str(&format!("  - {detail}\n"));
            }
        }
    }
    if !diff.removed.is_empty() {
        out.push_str("\n**Removed**\n\n");
        for &i in &diff.removed {
            let t = &old.tasks()[i];
            out.push_str(&format!("- {} — was {}\n", line(t), t.status));
        }
    }
    if !diff.changed.is_empty() {
        out.push_str("\n**Changed**\n\n");
        for (_, j, changes) in &diff.changed {
            out.push_str(&format!("- {}\n", line(&new.tasks()[*j])));
            for c in changes {
                out.push_str(&format!("  - {}\n", md(&change_line(old, new, c))));
            }
        }
    }
    if !diff.gates.is_empty() {
        out.push_str("\n**Gates**\n\n");
        for g in &diff.gates {
            let state = match gate_move(old, new, g) {
                GateMove::Added(to) => format!("**{to}** (added)"),
                GateMove::Removed(from) => format!("{from} (removed)"),
                GateMove::Changed(from, to) => format!("{from} → **{to}**"),
            };
            out.push_str(&format!("- {} {}: {state}\n", code(&g.id), md(&g.subject),));
        }
    }
    let chart = Flowchart::of_diff(old, new, diff).mermaid();
    out.push_str(&format!("\n```mermaid\n{chart}```\n"));
    out
}
