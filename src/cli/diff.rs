//! `git task diff`: the pull-request view of task changes.

use std::collections::BTreeSet;
use std::io::Write;

use serde_json::{Value, json};

use git_task::error::{GitOp, Invalid};
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

/// The two sides to compare.
struct Sides {
    from: Source,
    to: Source,
    /// For `A...B` (and the default range): `A...B` and the merge base.
    range: Option<(String, String)>,
}

/// The two sides to compare, and how to name them.
fn sides(ws: &Workspace, range: Option<&str>) -> Result<Sides, Error> {
    let rev = |s: &str| {
        if s.is_empty() {
            "HEAD".to_string()
        } else {
            s.to_string()
        }
    };
    let three_dots = |a: String, b: String, base: String| Sides {
        range: Some((format!("{a}...{b}"), base.clone())),
        from: Source::Rev(base),
        to: Source::Rev(b),
    };
    Ok(match range {
        None => {
            let (branch, base) = history::default_base(ws.repo())?;
            three_dots(branch, "HEAD".into(), base)
        }
        Some(r) => {
            if let Some((a, b)) = r.split_once("...") {
                let (a, b) = (rev(a), rev(b));
                let id = |s: &str| ws.resolve_rev(s);
                let base = ws
                    .repo()
                    .merge_base(id(&a)?, id(&b)?)
                    .map_err(|e| {
                        Error::git(
                            GitOp::MergeBase {
                                a: a.clone(),
                                b: b.clone(),
                            },
                            e,
                        )
                    })?
                    .ok_or_else(|| Invalid::NoCommonHistory {
                        a: a.clone(),
                        b: b.clone(),
                    })?;
                three_dots(a, b, base.to_string())
            } else if let Some((a, b)) = r.split_once("..") {
                Sides {
                    from: Source::Rev(rev(a)),
                    to: Source::Rev(rev(b)),
                    range: None,
                }
            } else {
                Sides {
                    from: Source::Rev(r.to_string()),
                    to: Source::WorkTree,
                    range: None,
                }
            }
        }
    })
}

fn side_name(ws: &Workspace, source: &Source) -> String {
    match source {
        Source::Rev(rev) => {
            let short = short_id(ws, rev);
            if short.starts_with(rev.as_str()) || rev.len() == 40 {
                short
            } else {
                format!("{rev} ({short})")
            }
        }
        other => other.to_string(),
    }
}

fn short_id(ws: &Workspace, rev: &str) -> String {
    ws.repo()
        .rev_parse_single(rev)
        .map(|id| id.shorten_or_id().to_string())
        .unwrap_or_else(|_| rev.to_owned())
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
    let sides = sides(&ws, args.range.as_deref())?;
    let (old, new) = ws.read_pair(&sides.from, &sides.to)?;
    let (old, new) = (
        old.into_result_of(&sides.from)?,
        new.into_result_of(&sides.to)?,
    );
    let diff = history::diff_sets(&old, &new);
    let names = Names {
        from: side_name(&ws, &sides.from),
        to: side_name(&ws, &sides.to),
        range: sides.range.map(|(spec, base)| (spec, short_id(&ws, &base))),
    };
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

fn text(ui: &Ui, old: &TaskSet, new: &TaskSet, diff: &TaskSetDiff, names: &Names) -> String {
    let mut out = match &names.range {
        Some((spec, base)) => format!("tasks in {spec} (merge-base {base}): {}\n", summary(diff)),
        None => format!(
            "tasks from {} to {}: {}\n",
            names.from,
            names.to,
            summary(diff)
        ),
    };
    for &j in &diff.added {
        let t = &new.tasks()[j];
        out.push_str(&format!(
            "{} {} \"{}\" ({})\n",
            ui.paint(Style::Green, "+"),
            t.id,
            escape(&t.subject, false),
            t.status
        ));
        for line in details(t).lines(|id| named(old, new, id)) {
            out.push_str(&format!("    {}\n", escape(&line, false)));
        }
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
        let state = match gate_move(old, new, g) {
            GateMove::Added(to) => format!("{to} (added)"),
            GateMove::Removed(from) => format!("{from} (removed)"),
            GateMove::Changed(from, to) => format!("{from} → {to}"),
        };
        out.push_str(&format!(
            "{} gate {} \"{}\": {state}\n",
            ui.paint(Style::Magenta, "!"),
            g.id,
            escape(&g.subject, false),
        ));
    }
    out
}

/// Text safe inside Markdown: nothing a reader's renderer takes as markup,
/// and no `@mention` that would notify someone (it is written as code).
fn md(text: &str) -> String {
    let text = escape(text, false);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        let starts_mention = c == '@'
            && !previous.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '`')
            && chars.peek().is_some_and(|(_, n)| n.is_ascii_alphanumeric());
        if starts_mention {
            let mut end = at + 1;
            while let Some(&(i, n)) = chars.peek() {
                if n.is_ascii_alphanumeric() || matches!(n, '-' | '_' | '/') {
                    end = i + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push_str(&code(&text[at..end]));
            previous = text[..end].chars().next_back();
            continue;
        }
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
        previous = Some(c);
    }
    out
}

/// A Markdown code span of `text` as it is: nothing is escaped inside one,
/// so the fence is one backtick longer than any run of them in the text.
fn code(text: &str) -> String {
    let text = escape(text, false);
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A space keeps a backtick at either end from joining the fence; one
    // space each side is stripped again by the renderer.
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
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

fn to_json(old: &TaskSet, new: &TaskSet, diff: &TaskSetDiff, names: &Names) -> Value {
    let brief =
        |t: &git_task::Task| json!({ "id": t.id, "subject": t.subject, "status": t.status });
    let added = |t: &git_task::Task| {
        let d = details(t);
        json!({
            "id": t.id,
            "subject": t.subject,
            "status": t.status,
            "blocked_by": d.blockers,
            "parent": d.parent,
            "estimate": d.estimate,
        })
    };
    json!({
        "version": 1,
        "from": names.from,
        "to": names.to,
        "range": names.range.as_ref().map(|(spec, _)| spec),
        "added": diff.added.iter().map(|&j| added(&new.tasks()[j])).collect::<Vec<_>>(),
        "removed": diff.removed.iter().map(|&i| brief(&old.tasks()[i])).collect::<Vec<_>>(),
        "changed": diff.changed.iter().map(|(_, j, changes)| {
            let t = &new.tasks()[*j];
            json!({ "id": t.id, "subject": t.subject, "changes": changes })
        }).collect::<Vec<_>>(),
        "gates": diff.gates,
    })
}
