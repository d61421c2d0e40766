//! How tasks look: one-line listings, the tree, and the JSON objects every
//! reading command shares.

use std::ops::Deref;

use serde_json::{Value, json};

use git_task::facts::Facts;
use git_task::graph::{Reason, State, Target, Wait};
use git_task::task::Gate;
use git_task::taskset::TaskSet;

use super::Ctx;
use super::ui::{Ui, escape, palette};

/// The facts about a task set ([`Facts`]: state, ready, overdue, short
/// ids) and how the CLI shows them: lines, trees and JSON.
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
    pub fn overdue_mark(&self, ui: &Ui, i: usize) -> String {
        if self.overdue(i) {
            format!(" {}", ui.paint(palette::RED, "[overdue]"))
        } else {
            String::new()
        }
    }

    /// The width of the id column for the tasks `indices`: the longest id.
    pub fn id_width(&self, indices: impl IntoIterator<Item = usize>) -> usize {
        indices
            .into_iter()
            .map(|i| self.task(i).id.as_str().len())
            .max()
            .unwrap_or(0)
    }

    /// The highlighted id, padded to `width` characters: the id column of
    /// a table (the padding is counted without the colour codes).
    pub fn padded_id(&self, ui: &Ui, i: usize, width: usize) -> String {
        let pad = " ".repeat(width.saturating_sub(self.task(i).id.as_str().len()));
        format!("{}{pad}", self.id(ui, i))
    }

    /// The task's id with its short prefix highlighted.
    pub fn id(&self, ui: &Ui, i: usize) -> String {
        ui.id(self.task(i).id.as_str(), self.prefix_len(i))
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

    /// `id  state  priority  kind  subject  @owner gate #label`, with the id
    /// padded to `id_width` and `indent` before the subject.
    pub fn line(&self, ui: &Ui, i: usize, id_width: usize, indent: &str) -> String {
        let task = self.task(i);
        let state = format!("{:<11}", self.state(i).as_str());
        let mut line = format!(
            "{}  {} {:<8} {:<7} {indent}{}",
            self.padded_id(ui, i, id_width),
            ui.paint(self.state_style(i), &state),
            task.priority.as_str(),
            task.kind.as_str(),
            escape(&task.subject, false),
        );
        if let Some(owner) = &task.owner {
            line.push_str(&format!(
                " {}",
                ui.paint(palette::BLUE, &format!("@{}", escape(owner, false)))
            ));
        }
        if task.gate.is_some() {
            line.push_str(&format!(" {}", ui.paint(palette::MAGENTA, "[gate]")));
        }
        line.push_str(&self.overdue_mark(ui, i));
        for label in &task.labels {
            line.push_str(&format!(
                " {}",
                ui.paint(palette::DIM, &format!("#{}", escape(label, false)))
            ));
        }
        line
    }

    /// One line about an open wait, for `blocked` and `show`, with user
    /// text escaped.
    pub fn wait_line(&self, ui: &Ui, wait: &Wait) -> String {
        self.graph
            .describe_wait(wait, |j| self.id(ui, j), |t| escape(t, false).into_owned())
    }

    pub fn wait_json(&self, wait: &Wait) -> Value {
        let (id, subject, status, missing) = match &wait.target {
            Target::Task(j) => {
                let t = self.task(*j);
                (
                    t.id.to_string(),
                    Some(t.subject.clone()),
                    Some(t.status),
                    false,
                )
            }
            Target::Missing(id) => (id.to_string(), None, None, true),
        };
        let (reason, via) = match wait.reason {
            Reason::Blocker => ("blocker", None),
            Reason::Inherited { ancestor } => {
                ("inherited", Some(self.task(ancestor).id.to_string()))
            }
            Reason::Child => ("child", None),
        };
        json!({
            "id": id,
            "subject": subject,
            "status": status,
            "missing": missing,
            "reason": reason,
            "via": via,
        })
    }

    /// A task with what the graph says about it.
    pub fn json(&self, i: usize) -> Value {
        let mut value = serde_json::to_value(self.task(i)).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("short_id".into(), json!(self.short_id(i)));
            map.insert("blocked".into(), json!(self.is_blocked(i)));
            map.insert("ready".into(), json!(self.is_ready(i)));
            if self.is_dated() {
                map.insert("overdue".into(), json!(self.overdue(i)));
            }
            let waits: Vec<Value> = self.waiting_for(i).map(|w| self.wait_json(&w)).collect();
            map.insert("waiting_for".into(), Value::Array(waits));
        }
        value
    }

    /// `{"version": 1, "tasks": [...]}` for a listing.
    pub fn list_json(&self, indices: &[usize]) -> Value {
        json!({
            "version": 1,
            "tasks": indices.iter().map(|&i| self.json(i)).collect::<Vec<_>>(),
        })
    }

    /// Prints `indices` one per line, or as a tree of parents and children
    /// (a task whose parent is not listed is a root).
    pub fn print_lines(&self, ui: &mut Ui, indices: &[usize], tree: bool) -> std::io::Result<()> {
        use std::io::Write;
        let width = self.id_width(indices.iter().copied());
        if !tree {
            for &i in indices {
                let line = self.line(ui, i, width, "");
                writeln!(ui.out(), "{line}")?;
            }
            return Ok(());
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
        let mut lines = Vec::new();
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
            lines.push(self.line(ui, i, width, &branch));
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
        for line in lines {
            writeln!(ui.out(), "{line}")?;
        }
        Ok(())
    }
}

/// `true`, or the branch globs of a gate.
pub fn gate_text(gate: &Gate) -> String {
    match gate {
        Gate::ConfiguredBranches => "yes (the branches of gates.branches)".into(),
        Gate::Branches(b) => format!("yes ({})", b.join(", ")),
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
pub fn write_human(ui: &Ui, report: &git_task::check::Report, out: &mut String) {
    for d in &report.diagnostics {
        let (label, style) = match d.severity {
            git_task::check::Severity::Error => ("error", palette::ERROR),
            git_task::check::Severity::Warning => ("warning", palette::WARNING),
        };
        out.push_str(&format!(
            "{}: {}:{}:{}: {}\n",
            ui.paint(style, label),
            escape(&d.path.display().to_string(), false),
            d.line,
            d.column,
            escape(&d.message, false)
        ));
        for hint in &d.hints {
            out.push_str(&format!(
                "  {} {}\n",
                ui.paint(palette::HINT, "hint:"),
                escape(&super::advice::hint(hint), false)
            ));
        }
    }
}
