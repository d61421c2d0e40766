//! `git task diff`: the pull-request view of task changes.

use std::io::Write;

use git_task::history::{self, Change, TaskSetDiff};
use git_task::markup::Flowchart;
use git_task::markup::escape::{code_span as code, markdown as md};
use git_task::output;
use git_task::{Field, TaskSet};

use super::format::Format;
use super::ui::{escape, paint, palette};
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

/// `id "subject"` from whichever side has the task.
fn named(old: &TaskSet, new: &TaskSet, id: &str) -> String {
    match new.get(id).or(old.get(id)) {
        Some(t) => format!("{id} \"{}\"", t.subject),
        None => format!("{id} (no such task)"),
    }
}

/// A change as a line, with the subject beside every id it names.
fn change_line(old: &TaskSet, new: &TaskSet, change: &Change) -> String {
    match change {
        Change::BlockerAdded { id } => format!("now waits for {}", named(old, new, id)),
        Change::BlockerRemoved { id } => format!("no longer waits for {}", named(old, new, id)),
        Change::Field {
            field: Field::Parent,
            from,
            to,
        } => {
            let side = |v: &Option<String>| {
                v.as_deref()
                    .map_or("(none)".into(), |id| named(old, new, id))
            };
            format!("parent {} → {}", side(from), side(to))
        }
        other => other.to_string(),
    }
}

fn summary(diff: &TaskSetDiff) -> String {
    let n = |k: usize, what: &str| format!("{k} {what}");
    format!(
        "{}, {}, {}, {}",
        n(diff.added.len(), "added"),
        n(diff.removed.len(), "removed"),
        n(diff.changed.len(), "changed"),
        n(
            diff.gates.len(),
            if diff.gates.len() == 1 {
                "gate changed"
            } else {
                "gates changed"
            }
        ),
    )
}

fn gate_word(state: Option<git_task::gate::GateState>) -> &'static str {
    state.map_or("(not a gate)", |s| s.as_str())
}

/// A gate's change as the state it is in: an added gate has a state, not a
/// transition from "not a gate"; a removed one had one.
enum GateMove {
    Added(&'static str),
    Removed(&'static str),
    Changed(&'static str, &'static str),
}

fn gate_move(old: &TaskSet, new: &TaskSet, g: &history::GateChange) -> GateMove {
    if old.get(&g.id).is_none() {
        GateMove::Added(gate_word(g.to))
    } else if new.get(&g.id).is_none() {
        GateMove::Removed(gate_word(g.from))
    } else {
        GateMove::Changed(gate_word(g.from), gate_word(g.to))
    }
}

/// What an added task starts with, beyond its status: what it waits for,
/// what it is part of, its estimate.
struct Details<'a> {
    blockers: Vec<&'a str>,
    parent: Option<&'a str>,
    estimate: Option<String>,
}

fn details(t: &git_task::Task) -> Details<'_> {
    Details {
        blockers: t.blocked_by.iter().map(|b| b.as_str()).collect(),
        parent: t.parent.as_ref().map(|p| p.as_str()),
        estimate: t.estimate.as_ref().map(|e| e.to_string()),
    }
}

impl Details<'_> {
    /// The details as lines, each id written by `name`.
    fn lines(&self, name: impl Fn(&str) -> String) -> Vec<String> {
        let mut out = Vec::new();
        if !self.blockers.is_empty() {
            let names: Vec<String> = self.blockers.iter().map(|b| name(b)).collect();
            out.push(format!("waits for {}", names.join(", ")));
        }
        if let Some(parent) = self.parent {
            out.push(format!("part of {}", name(parent)));
        }
        if let Some(estimate) = &self.estimate {
            out.push(format!("estimate {estimate}"));
        }
        out
    }
}

/// The changes as people read them: a summary line, then `+`, `-`, `~`
/// and `!` lines for added, removed and changed tasks and moved gates.
fn write_text(
    out: &mut impl Write,
    old: &TaskSet,
    new: &TaskSet,
    diff: &TaskSetDiff,
    names: &Names,
) -> std::io::Result<()> {
    match &names.range {
        Some((spec, base)) => writeln!(
            out,
            "tasks in {spec} (merge-base {base}): {}",
            summary(diff)
        )?,
        None => writeln!(
            out,
            "tasks from {} to {}: {}",
            names.from,
            names.to,
            summary(diff)
        )?,
    }
    for &j in &diff.added {
        let t = &new.tasks()[j];
        writeln!(
            out,
            "{} {} \"{}\" ({})",
            paint(palette::GREEN, "+"),
            t.id,
            escape(&t.subject, false),
            t.status
        )?;
        for line in details(t).lines(|id| named(old, new, id)) {
            writeln!(out, "    {}", escape(&line, false))?;
        }
    }
    for &i in &diff.removed {
        let t = &old.tasks()[i];
        writeln!(
            out,
            "{} {} \"{}\" ({})",
            paint(palette::RED, "-"),
            t.id,
            escape(&t.subject, false),
            t.status
        )?;
    }
    for (_, j, changes) in &diff.changed {
        let t = &new.tasks()[*j];
        writeln!(
            out,
            "{} {} \"{}\"",
            paint(palette::YELLOW, "~"),
            t.id,
            escape(&t.subject, false)
        )?;
        for c in changes {
            writeln!(out, "    {}", escape(&change_line(old, new, c), false))?;
        }
    }
    for g in &diff.gates {
        let state = match gate_move(old, new, g) {
            GateMove::Added(to) => format!("{to} (added)"),
            GateMove::Removed(from) => format!("{from} (removed)"),
            GateMove::Changed(from, to) => format!("{from} → {to}"),
        };
        writeln!(
            out,
            "{} gate {} \"{}\": {state}",
            paint(palette::MAGENTA, "!"),
            g.id,
            escape(&g.subject, false),
        )?;
    }
    Ok(())
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
