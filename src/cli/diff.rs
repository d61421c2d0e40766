//! `git task diff`: the pull-request view of task changes.

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{Value, json};

use git_task::history::{self, Change, TaskSetDiff};
use git_task::store::{Source, Workspace};
use git_task::{Error, TaskSet};

use super::graph::mermaid_label;
use super::plan::mermaid_id;
use super::ui::{Style, Ui, escape};
use super::{CliResult, Ctx};

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    /// For a pull-request comment: a summary table, the changes, and a
    /// Mermaid graph of the changed tasks and their direct neighbours.
    Markdown,
    Json,
}

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

    /// text, markdown or json.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The two sides to compare, and how to name them.
fn sides(ws: &Workspace, range: Option<&str>) -> Result<(Source, Source), Error> {
    let rev = |s: &str| {
        if s.is_empty() {
            "HEAD".to_string()
        } else {
            s.to_string()
        }
    };
    Ok(match range {
        None => (
            Source::Rev(history::default_base(ws.repo())?),
            Source::Rev("HEAD".into()),
        ),
        Some(r) => {
            if let Some((a, b)) = r.split_once("...") {
                let (a, b) = (rev(a), rev(b));
                let id = |s: &str| ws.resolve_rev(s);
                let base = ws
                    .repo()
                    .merge_base(id(&a)?, id(&b)?)
                    .map_err(|e| Error::Git(format!("no merge base of {a} and {b}: {e}")))?
                    .ok_or_else(|| Error::Invalid(format!("{a} and {b} have no common history")))?;
                (Source::Rev(base.to_string()), Source::Rev(b))
            } else if let Some((a, b)) = r.split_once("..") {
                (Source::Rev(rev(a)), Source::Rev(rev(b)))
            } else {
                (Source::Rev(r.to_string()), Source::WorkTree)
            }
        }
    })
}

fn side_name(ws: &Workspace, source: &Source) -> String {
    match source {
        Source::Rev(rev) => {
            let short = ws
                .repo()
                .rev_parse_single(rev.as_str())
                .map(|id| id.shorten_or_id().to_string())
                .unwrap_or_else(|_| rev.clone());
            if short.starts_with(rev.as_str()) || rev.len() == 40 {
                short
            } else {
                format!("{rev} ({short})")
            }
        }
        other => other.to_string(),
    }
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let (from, to) = sides(&ws, args.range.as_deref())?;
    let (old, new) = ws.read_pair(&from, &to)?;
    let (old, new) = (old.into_result()?, new.into_result()?);
    let diff = history::diff_sets(&old, &new);
    let names = (side_name(&ws, &from), side_name(&ws, &to));
    let format = if ctx.json { Format::Json } else { args.format };
    let text = match format {
        Format::Json => {
            ctx.ui.json(&to_json(&old, &new, &diff, &names))?;
            return Ok(());
        }
        Format::Markdown => markdown(&old, &new, &diff, &names),
        Format::Text => text(&ctx.ui, &old, &new, &diff, &names),
    };
    ctx.ui.out().write_all(text.as_bytes())?;
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
            field: "parent",
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

fn text(
    ui: &Ui,
    old: &TaskSet,
    new: &TaskSet,
    diff: &TaskSetDiff,
    (from, to): &(String, String),
) -> String {
    let mut out = format!("tasks from {from} to {to}: {}\n", summary(diff));
    for &j in &diff.added {
        let t = &new.tasks()[j];
        out.push_str(&format!(
            "{} {} \"{}\" ({})\n",
            ui.paint(Style::Green, "+"),
            t.id,
            escape(&t.subject, false),
            t.status
        ));
    }
    for &i in &diff.removed {
        let t = &old.tasks()[i];
        out.push_str(&format!(
            "{} {} \"{}\" ({})\n",
            ui.paint(Style::Red, "-"),
            t.id,
            escape(&t.subject, false),
            t.status
        ));
    }
    for (_, j, changes) in &diff.changed {
        let t = &new.tasks()[*j];
        out.push_str(&format!(
            "{} {} \"{}\"\n",
            ui.paint(Style::Yellow, "~"),
            t.id,
            escape(&t.subject, false)
        ));
        for c in changes {
            out.push_str(&format!(
                "    {}\n",
                escape(&change_line(old, new, c), false)
            ));
        }
    }
    for g in &diff.gates {
        out.push_str(&format!(
            "{} gate {} \"{}\": {} → {}\n",
            ui.paint(Style::Magenta, "!"),
            g.id,
            escape(&g.subject, false),
            gate_word(g.from),
            gate_word(g.to)
        ));
    }
    out
}

/// Text safe inside Markdown: nothing a reader's renderer takes as markup.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in escape(text, false).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

fn markdown(
    old: &TaskSet,
    new: &TaskSet,
    diff: &TaskSetDiff,
    (from, to): &(String, String),
) -> String {
    let mut out = format!("### Task changes from `{}` to `{}`\n\n", md(from), md(to));
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
    let line = |t: &git_task::Task| format!("`{}` {}", t.id, md(&t.subject));
    if !diff.added.is_empty() {
        out.push_str("\n**Added**\n\n");
        for &j in &diff.added {
            let t = &new.tasks()[j];
            out.push_str(&format!("- {} — {}\n", line(t), t.status));
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
            out.push_str(&format!(
                "- `{}` {}: {} → **{}**\n",
                g.id,
                md(&g.subject),
                gate_word(g.from),
                gate_word(g.to)
            ));
        }
    }
    out.push_str(&format!("\n```mermaid\n{}```\n", mermaid(old, new, diff)));
    out
}

/// The changed tasks and their direct neighbours (what they wait for, what
/// waits for them, parent and children), with the changed ones marked.
fn mermaid(old: &TaskSet, new: &TaskSet, diff: &TaskSetDiff) -> String {
    let mut changed: BTreeSet<&str> = BTreeSet::new();
    let mut kind_of: std::collections::BTreeMap<&str, &str> = Default::default();
    for &j in &diff.added {
        let id = new.tasks()[j].id.as_str();
        changed.insert(id);
        kind_of.insert(id, "added");
    }
    for (_, j, _) in &diff.changed {
        let id = new.tasks()[*j].id.as_str();
        changed.insert(id);
        kind_of.insert(id, "changed");
    }
    for &i in &diff.removed {
        let id = old.tasks()[i].id.as_str();
        changed.insert(id);
        kind_of.insert(id, "removed");
    }
    let mut shown: BTreeSet<&str> = changed.clone();
    let mut edges: BTreeSet<(&str, &str, bool)> = BTreeSet::new();
    for set in [new, old] {
        for t in set.iter() {
            let me = t.id.as_str();
            for b in &t.blocked_by {
                if changed.contains(me) || changed.contains(b.as_str()) {
                    edges.insert((b.as_str(), me, false));
                }
            }
            if let Some(p) = &t.parent
                && (changed.contains(me) || changed.contains(p.as_str()))
            {
                edges.insert((me, p.as_str(), true));
            }
        }
    }
    for &(a, b, _) in &edges {
        shown.insert(a);
        shown.insert(b);
    }
    let mut out = String::from("flowchart LR\n");
    for id in &shown {
        let subject = new
            .get(id)
            .or(old.get(id))
            .map_or("", |t| t.subject.as_str());
        out.push_str(&format!(
            "    {}[\"{}: {}\"]\n",
            mermaid_id(id),
            id,
            mermaid_label(subject)
        ));
    }
    for (a, b, child) in &edges {
        let arrow = if *child { "-.->" } else { "-->" };
        out.push_str(&format!(
            "    {} {arrow} {}\n",
            mermaid_id(a),
            mermaid_id(b)
        ));
    }
    for (class, style) in [
        ("added", "fill:#d4edda,stroke:#2e7d32"),
        ("changed", "fill:#fff3cd,stroke:#b8860b"),
        (
            "removed",
            "fill:#f8d7da,stroke:#c62828,stroke-dasharray:5 5",
        ),
    ] {
        let members: Vec<String> = kind_of
            .iter()
            .filter(|(_, k)| **k == class)
            .map(|(id, _)| mermaid_id(id))
            .collect();
        if !members.is_empty() {
            out.push_str(&format!(
                "    classDef {class} {style}\n    class {} {class}\n",
                members.join(",")
            ));
        }
    }
    out
}

fn to_json(
    old: &TaskSet,
    new: &TaskSet,
    diff: &TaskSetDiff,
    (from, to): &(String, String),
) -> Value {
    let brief =
        |t: &git_task::Task| json!({ "id": t.id, "subject": t.subject, "status": t.status });
    json!({
        "version": 1,
        "from": from,
        "to": to,
        "added": diff.added.iter().map(|&j| brief(&new.tasks()[j])).collect::<Vec<_>>(),
        "removed": diff.removed.iter().map(|&i| brief(&old.tasks()[i])).collect::<Vec<_>>(),
        "changed": diff.changed.iter().map(|(_, j, changes)| {
            let t = &new.tasks()[*j];
            json!({ "id": t.id, "subject": t.subject, "changes": changes })
        }).collect::<Vec<_>>(),
        "gates": diff.gates,
    })
}
