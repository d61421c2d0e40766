//! How tasks look: one-line listings and the tree every reading command
//! shares (their JSON is `git_task::output`).

use std::io::Write;
use std::ops::Deref;

use git_task::Field;
use git_task::facts::Facts;
use git_task::graph::{State, Wait};
use git_task::history::{self, Change, TaskSetDiff};
use git_task::task::Gate;
use git_task::taskset::TaskSet;

use super::Ctx;
use super::table::{Column, Table};
use super::ui::{Ui, escape, paint, palette};

/// The facts about a task set ([`Facts`]: state, ready, overdue, short
/// ids) and how the CLI shows them: lines and trees.
///
/// It dereferences to the facts, so that `view.graph`, `view.task(i)` or
/// `view.state(i)` read as what the view shows; the answers stay the
/// library's and the view only adds how they look.
pub struct View<'a>(Facts<'a>);

impl<'a> Deref for View<'a> {
    type Target = Facts<'a>;

    fn deref(&self) -> &Facts<'a> {
        &self.0
    }
}

impl<'a> View<'a> {
    pub fn new(set: &'a TaskSet) -> View<'a> {
        View(Facts::new(set))
    }

    /// The view as of the local date of `ctx.now`: its lines mark overdue
    /// tasks `[overdue]`, and its JSON has `"overdue"`.
    pub fn dated(self, ctx: &Ctx) -> View<'a> {
        View(self.0.dated(ctx.local_zone().today(ctx.now)))
    }

    /// ` [overdue]` after a task's line, when it is; nothing otherwise.
    pub fn overdue_mark(&self, i: usize) -> String {
        if self.overdue(i) {
            format!(" {}", paint(palette::RED, "[overdue]"))
        } else {
            String::new()
        }
    }

    /// The task's id with its short prefix highlighted.
    pub fn id(&self, i: usize) -> String {
        super::ui::id(self.task(i).id.as_str(), self.prefix_len(i))
    }

    fn state_style(&self, i: usize) -> anstyle::Style {
        match self.state(i) {
            State::Blocked => palette::BLOCKED,
            State::InProgress => palette::IN_PROGRESS,
            State::Completed => palette::COMPLETED,
            State::Cancelled => palette::CANCELLED,
            // Pending and waiting for nothing: ready.
            State::Pending => palette::READY,
        }
    }

    /// The cells of a task's line in a [`LISTING`]: id, state, priority,
    /// kind, then `indent`, the subject, `@owner`, `[gate]`, `[overdue]`
    /// and `#labels`.
    pub fn cells(&self, i: usize, indent: &str) -> [String; 5] {
        let task = self.task(i);
        let mut rest = format!("{indent}{}", escape(&task.subject, false));
        if let Some(owner) = &task.owner {
            rest.push_str(&format!(
                " {}",
                paint(palette::BLUE, &format!("@{}", escape(owner, false)))
            ));
        }
        if task.gate.is_some() {
            rest.push_str(&format!(" {}", paint(palette::MAGENTA, "[gate]")));
        }
        rest.push_str(&self.overdue_mark(i));
        for label in &task.labels {
            rest.push_str(&format!(
                " {}",
                paint(palette::DIM, &format!("#{}", escape(label, false)))
            ));
        }
        [
            self.id(i),
            paint(self.state_style(i), self.state(i).as_str()).into_owned(),
            task.priority.as_str().to_owned(),
            task.kind.as_str().to_owned(),
            rest,
        ]
    }

    /// One line about an open wait, for `blocked` and `show`, with user
    /// text escaped.
    pub fn wait_line(&self, wait: &Wait) -> String {
        self.graph
            .describe_wait(wait, |j| self.id(j), |t| escape(t, false).into_owned())
    }

    /// Prints `indices` one per line, or as a tree of parents and children
    /// (a task whose parent is not listed is a root).
    pub fn print_lines(&self, ui: &mut Ui, indices: &[usize], tree: bool) -> std::io::Result<()> {
        let mut table = Table::new(LISTING);
        if !tree {
            for &i in indices {
                table.row(self.cells(i, ""));
            }
            return table.write(ui.out());
        }
        let listed: std::collections::HashSet<usize> = indices.iter().copied().collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); self.set.len()];
        let mut roots = Vec::new();
        for &i in indices {
            let parent = self
                .task(i)
                .parent
                .as_ref()
                .and_then(|p| self.set.index_of(p.as_str()));
            match parent {
                Some(p) if listed.contains(&p) && p != i => children[p].push(i),
                _ => roots.push(i),
            }
        }
        // Depth first with a stack of its own: a parent chain in the files
        // can be deeper than the call stack. Children are pushed last
        // first, so they come out in order under their parent.
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<(usize, String, String)> = roots
            .iter()
            .rev()
            .map(|&r| (r, String::new(), String::new()))
            .collect();
        while let Some((i, branch, rest)) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            table.row(self.cells(i, &branch));
            let kids = &children[i];
            for (n, &c) in kids.iter().enumerate().rev() {
                let last = n + 1 == kids.len();
                let (b, r) = if last {
                    ("└─ ", "   ")
                } else {
                    ("├─ ", "│  ")
                };
                stack.push((c, format!("{rest}{b}"), format!("{rest}{r}")));
            }
        }
        table.write(ui.out())
    }
}

/// The columns of a task listing (`list`, `ready`, `graph`'s tree): the
/// id as wide as the longest, the state, priority and kind at the width of
/// their longest names, then the subject and what follows it.
pub const LISTING: [Column; 5] = [
    Column::left(),
    Column::left().min(11),
    Column::left().min(8).gap(" "),
    Column::left().min(7).gap(" "),
    Column::left().gap(" "),
];

/// `true`, or the branch globs of a gate.
pub fn gate_text(gate: &Gate) -> String {
    match gate {
        Gate::ConfiguredBranches => "yes (the branches of gates.branches)".into(),
        Gate::Branches(b) => format!("yes ({})", escape(&b.join(", "), false)),
    }
}

/// Work minutes as `1d 4h 30m` (a day is 8 hours); `0` for none.
pub fn work_text(minutes: u64) -> String {
    git_task::task::Estimate::format_minutes(minutes)
}

/// What the empty answers say when there are no tasks at all.
pub const NO_TASKS: &str = "no tasks yet; add one with git task add \"Subject\"";

/// `1 task`, `3 tasks`.
pub fn tasks_count(n: usize) -> String {
    format!("{n} task{}", if n == 1 { "" } else { "s" })
}

/// The colour of a gate's state, wherever it is shown.
pub fn gate_style(state: git_task::gate::GateState) -> anstyle::Style {
    use git_task::gate::GateState;
    match state {
        GateState::Green => palette::GREEN,
        GateState::Yellow => palette::YELLOW,
        GateState::Red => palette::RED,
        GateState::Cancelled => palette::DIM,
    }
}

/// What to run to break `cycles`: one edge of each.
pub fn cycle_hint(view: &View, cycles: &[Vec<usize>]) -> String {
    super::advice::cycle_hint(first_breaks(view, cycles))
}

/// The simplest edge of each cycle to remove.
fn first_breaks(view: &View, cycles: &[Vec<usize>]) -> Vec<git_task::graph::CycleBreak> {
    cycles
        .iter()
        .filter_map(|c| view.graph.cycle_breaks(c).into_iter().next())
        .collect()
}

/// The planning view of a task set, or the cycles that prevent one.
pub fn open_graph<'a>(view: &'a View<'a>) -> Result<git_task::graph::Open<'a>, git_task::Error> {
    git_task::graph::Open::new(&view.graph).map_err(|cycles| git_task::Error::NoPlan {
        cycles: cycles.0.iter().map(|c| view.graph.cycle(c)).collect(),
        breaks: first_breaks(view, &cycles.0),
    })
}

/// `2 errors, 1 warning`, or `no problems`.
pub fn summary(report: &git_task::check::Report) -> String {
    let (e, w) = (report.errors(), report.warnings());
    if e == 0 && w == 0 {
        return "no problems".into();
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(e, "error"), plural(w, "warning"))
}

/// Diagnostics as people read them: `error: FILE:LINE:COL: message` and
/// the hints under it.
pub fn write_human(report: &git_task::check::Report, out: &mut impl Write) -> std::io::Result<()> {
    for d in &report.diagnostics {
        let (label, style) = match d.severity {
            git_task::check::Severity::Error => ("error", palette::ERROR),
            git_task::check::Severity::Warning => ("warning", palette::WARNING),
        };
        writeln!(
            out,
            "{}: {}:{}:{}: {}",
            paint(style, label),
            escape(&d.path.display().to_string(), false),
            d.line,
            d.column,
            escape(&d.message, false)
        )?;
        for hint in &d.hints {
            writeln!(
                out,
                "  {} {}",
                paint(palette::HINT, "hint:"),
                escape(&super::advice::hint(hint), false)
            )?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// A change of the task set: `diff` and `apply --dry-run`

/// `id "subject"` from whichever side has the task.
pub fn named(old: &TaskSet, new: &TaskSet, id: &str) -> String {
    match new.get(id).or(old.get(id)) {
        Some(t) => format!("{id} \"{}\"", t.subject),
        None => format!("{id} (no such task)"),
    }
}

/// A change as a line, with the subject beside every id it names.
pub fn change_line(old: &TaskSet, new: &TaskSet, change: &Change) -> String {
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

fn diff_summary(diff: &TaskSetDiff) -> String {
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
pub enum GateMove {
    Added(&'static str),
    Removed(&'static str),
    Changed(&'static str, &'static str),
}

pub fn gate_move(old: &TaskSet, new: &TaskSet, g: &history::GateChange) -> GateMove {
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
pub struct Details<'a> {
    blockers: Vec<&'a str>,
    parent: Option<&'a str>,
    estimate: Option<String>,
}

pub fn details(t: &git_task::Task) -> Details<'_> {
    Details {
        blockers: t.blocked_by.iter().map(|b| b.as_str()).collect(),
        parent: t.parent.as_ref().map(|p| p.as_str()),
        estimate: t.estimate.as_ref().map(|e| e.to_string()),
    }
}

impl Details<'_> {
    /// The details as lines, each id written by `name`.
    pub fn lines(&self, name: impl Fn(&str) -> String) -> Vec<String> {
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

/// A change of the task set as people read it (`diff`, `apply
/// --dry-run`): `heading` and a summary on one line, then `+`, `-`, `~`
/// and `!` lines for added, removed and changed tasks and moved gates.
pub fn write_diff(
    out: &mut impl Write,
    old: &TaskSet,
    new: &TaskSet,
    diff: &TaskSetDiff,
    heading: &str,
) -> std::io::Result<()> {
    writeln!(out, "{heading}: {}", diff_summary(diff))?;
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
