//! `git task graph`: the dependency graph as a terminal tree (drawn like
//! `git log --graph`), Graphviz DOT, Mermaid or JSON.

use std::fmt::Write as _;
use std::io::Write;

use serde_json::{Value, json};

use git_task::gate::gate_state;
use git_task::graph::Reason;

use super::plan::mermaid_id;
use super::render::View;
use super::ui::{Ui, escape};
use super::{CliResult, Ctx, RevArgs};

/// Output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Lanes like `git log --graph`, for the terminal.
    Tree,
    /// A Graphviz digraph (render with `dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (GitHub and GitLab render it in Markdown).
    Mermaid,
    /// Nodes and edges with stable field names.
    Json,
}

/// Show the dependency graph
///
/// Draws the direct edges: each task's blocked_by, and each child to its
/// parent (a parent waits for its parts). What a child inherits from its
/// ancestors' blocked_by follows from those and is not drawn.
///
/// The tree reads like `git log --graph`: one task per line, each task
/// above what it waits for, `*` marking the task in its lane:
///
///     * deploy       blocked     medium   task    Deploy
///     * test-gate    blocked     medium   task    Tests pass [gate]
///     |\
///     | * test-e2e   blocked     medium   task    E2E tests
///     * | test-unit  blocked     medium   task    Unit tests
///     |/
///     * build        pending     medium   task    Build
///
/// Lanes split where a task waits for several tasks and merge where several
/// tasks wait for the same one. Parts of the graph that nothing connects
/// come one after the other, set apart by a line without a task.
///
/// --format dot writes a Graphviz digraph and --format mermaid a Mermaid
/// flowchart. In both, edges run from what must finish first to what waits
/// for it, child-to-parent edges are dashed, gates are hexagons, and
/// colours follow the state: completed green, in progress orange, blocked
/// red, ready bold blue, cancelled grey and dashed.
///
/// --format json (or --json) prints
///   {"version": 1,
///    "nodes": [{"id", "subject", "status", "state", "ready", "kind",
///               "gate": null or "green" | "yellow" | "red" | "cancelled"}],
///    "edges": [{"from", "to", "kind": "blocker" | "child"}]}
/// where "from" must finish before "to".
///
/// Examples:
///   git task graph
///   git task graph release --all
///   git task graph --format dot | dot -Tsvg > tasks.svg
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Show only this task and everything it waits for, directly or
    /// through other tasks (an id or a unique prefix).
    #[arg(value_name = "ROOT")]
    pub root: Option<String>,

    /// Include completed and cancelled tasks; by default they are hidden,
    /// with the edges to them.
    #[arg(long, short)]
    pub all: bool,

    /// tree, dot, mermaid or json.
    #[arg(long, value_enum, default_value_t = GraphFormat::Tree)]
    pub format: GraphFormat,

    #[command(flatten)]
    pub rev: RevArgs,
}

/// The kind of a drawn edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EdgeKind {
    /// The dependent names the prerequisite in its blocked_by.
    Blocker,
    /// The prerequisite is a child of the dependent.
    Child,
}

impl EdgeKind {
    fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Blocker => "blocker",
            EdgeKind::Child => "child",
        }
    }
}

/// A drawn edge: `to` waits for `from`.
#[derive(Debug, Clone, Copy)]
struct Edge {
    from: usize,
    to: usize,
    kind: EdgeKind,
}

/// The part of the graph that is drawn: the shown tasks, in id order, and
/// the direct edges between them.
struct Drawn {
    shown: Vec<usize>,
    edges: Vec<Edge>,
}

impl Drawn {
    fn new(view: &View, root: Option<usize>, all: bool) -> Drawn {
        let count = view.set.len();
        // The direct waits of a task: its own blockers and its children.
        // Inherited waits are implied by these two and would only clutter.
        let direct = |i: usize| {
            view.graph.direct_waits(i).map(|(j, reason)| match reason {
                Reason::Child => (j, EdgeKind::Child),
                _ => (j, EdgeKind::Blocker),
            })
        };
        let mut visible: Vec<bool> = (0..count)
            .map(|i| all || !view.task(i).is_resolved())
            .collect();
        if let Some(root) = root {
            // The root is shown even when it is resolved: it was asked for.
            visible[root] = true;
            let mut reached = vec![false; count];
            reached[root] = true;
            let mut stack = vec![root];
            while let Some(i) = stack.pop() {
                for (j, _) in direct(i) {
                    if visible[j] && !reached[j] {
                        reached[j] = true;
                        stack.push(j);
                    }
                }
            }
            visible = reached;
        }
        let shown: Vec<usize> = (0..count).filter(|&i| visible[i]).collect();
        let edges = shown
            .iter()
            .flat_map(|&to| {
                direct(to)
                    .filter(|&(from, _)| visible[from])
                    .map(move |(from, kind)| Edge { from, to, kind })
            })
            .collect();
        Drawn { shown, edges }
    }
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let reading = ctx.read_tasks(&args.rev)?;
    let root = match &args.root {
        Some(text) => reading.set.index_of(reading.resolve(text)?.id.as_str()),
        None => None,
    };
    let set = reading.set;
    let view = View::new(&set);
    let drawn = Drawn::new(&view, root, args.all);
    let format = if ctx.json {
        GraphFormat::Json
    } else {
        args.format
    };
    match format {
        GraphFormat::Tree => print_tree(&mut ctx.ui, &view, &drawn)?,
        GraphFormat::Dot => ctx.ui.out().write_all(dot(&view, &drawn).as_bytes())?,
        GraphFormat::Mermaid => ctx.ui.out().write_all(mermaid(&view, &drawn).as_bytes())?,
        GraphFormat::Json => ctx.ui.json(&graph_json(&view, &drawn))?,
    }
    Ok(())
}

/// The word a node is styled by: `ready` for a task that can start now,
/// else its state (`blocked` or its status).
fn style_state(view: &View, i: usize) -> &'static str {
    if view.graph.is_ready(i) {
        "ready"
    } else {
        view.state(i)
    }
}

// ---------------------------------------------------------------------------
// The tree

/// The order the tree prints tasks in, and whether a cycle broke it.
///
/// Every task comes before the tasks it waits for, as a commit comes before
/// its parents in `git log --topo-order`: tasks are taken from a stack, and a
/// task is pushed once everything shown that waits for it has been printed,
/// so the walk goes down one branch as far as it can before starting the
/// next. Ties go to the smaller id.
///
/// A cycle has no such order. When the stack runs dry with tasks left, the
/// one with the fewest unprinted dependents (then the smallest id) is
/// printed anyway, so each task is still printed exactly once.
fn tree_order(drawn: &Drawn, prerequisites: &[Vec<usize>], count: usize) -> (Vec<usize>, bool) {
    let mut waiting = vec![0usize; count];
    for e in &drawn.edges {
        waiting[e.from] += 1;
    }
    let mut stack: Vec<usize> = drawn
        .shown
        .iter()
        .rev()
        .copied()
        .filter(|&i| waiting[i] == 0)
        .collect();
    let mut printed = vec![false; count];
    let mut order = Vec::with_capacity(drawn.shown.len());
    let mut broken = false;
    while order.len() < drawn.shown.len() {
        let next = match stack.pop() {
            Some(i) => i,
            None => {
                broken = true;
                let forced = drawn
                    .shown
                    .iter()
                    .copied()
                    .filter(|&i| !printed[i])
                    .min_by_key(|&i| (waiting[i], i));
                match forced {
                    Some(i) => i,
                    None => break,
                }
            }
        };
        // A task printed early to break a cycle is pushed again when its
        // last dependent is printed; it must not be printed twice.
        if printed[next] {
            continue;
        }
        printed[next] = true;
        order.push(next);
        // Largest id first, so that the smallest is on top of the stack.
        for &p in prerequisites[next].iter().rev() {
            waiting[p] = waiting[p].saturating_sub(1);
            if waiting[p] == 0 && !printed[p] {
                stack.push(p);
            }
        }
    }
    (order, broken)
}

/// One line of the tree: lane glyphs, and on a task line the task.
#[derive(Debug, PartialEq, Eq)]
struct Row {
    glyphs: String,
    task: Option<usize>,
}

/// Glyphs laid out on a grid where lane `k` is at character `2k` and the
/// odd characters between lanes carry the diagonals.
struct Glyphs(Vec<char>);

impl Glyphs {
    fn new(lanes: usize) -> Glyphs {
        Glyphs(vec![' '; 2 * lanes + 1])
    }

    fn set(&mut self, at: usize, c: char) {
        if at >= self.0.len() {
            self.0.resize(at + 1, ' ');
        }
        self.0[at] = c;
    }

    fn row(self, task: Option<usize>) -> Row {
        let text: String = self.0.into_iter().collect();
        Row {
            glyphs: text.trim_end().to_string(),
            task,
        }
    }
}

/// Lays out the tree in lanes, as `git log --graph` does. Each lane (column)
/// expects the task it leads to. A task is drawn in the first lane that
/// expects it; the other lanes expecting it merge into that one first
/// (`|/`, with `_` where the merge passes over lanes in between). After the
/// task, its lane goes on to the prerequisite printed last, and each other
/// prerequisite splits off into a new lane to its right (`|\`), the one
/// printed first rightmost: the walk goes on at the right edge, where a
/// lane can end without moving the others. When a lane ends with nothing to
/// its right it just stops; otherwise the lanes to its right move left (`/`).
/// A task nothing shown waits for starts a new lane at the right.
///
/// Prerequisites printed above the task (only possible in a cycle) are not
/// drawn: an edge can only point down.
fn layout(order: &[usize], prerequisites: &[Vec<usize>], count: usize) -> Vec<Row> {
    let mut position = vec![usize::MAX; count];
    for (k, &i) in order.iter().enumerate() {
        position[i] = k;
    }
    let mut lanes: Vec<usize> = Vec::new();
    let mut rows = Vec::new();
    // The column of the task just printed, when its lane stopped there.
    let mut ended: Option<usize> = None;
    for (k, &task) in order.iter().enumerate() {
        let column = match lanes.iter().position(|&x| x == task) {
            Some(c) => c,
            None => {
                // A task nothing shown waits for starts a new lane. Right
                // under a lane that just stopped it would read as what
                // that task waits for, so a line of the other lanes goes
                // between.
                if ended == Some(lanes.len()) {
                    let mut g = Glyphs::new(lanes.len());
                    for c in 0..lanes.len() {
                        g.set(2 * c, '|');
                    }
                    rows.push(g.row(None));
                }
                lanes.push(task);
                lanes.len() - 1
            }
        };
        ended = None;
        while let Some(j) = lanes
            .iter()
            .skip(column + 1)
            .position(|&x| x == task)
            .map(|p| p + column + 1)
        {
            rows.push(merge_row(lanes.len(), column, j));
            lanes.remove(j);
        }
        let mut star = Glyphs::new(lanes.len());
        for c in 0..lanes.len() {
            star.set(2 * c, if c == column { '*' } else { '|' });
        }
        rows.push(star.row(Some(task)));

        let mut next: Vec<usize> = prerequisites[task]
            .iter()
            .copied()
            .filter(|&p| position[p] > k && position[p] != usize::MAX)
            .collect();
        next.sort_by_key(|&p| std::cmp::Reverse(position[p]));
        match next.split_first() {
            None => {
                lanes.remove(column);
                if column < lanes.len() {
                    rows.push(shift_left_row(lanes.len() + 1, column));
                } else {
                    ended = Some(column);
                }
            }
            Some((&first, rest)) => {
                lanes[column] = first;
                // One split per line: the new lane at the right of the
                // split carries the remaining prerequisites until the next.
                for (m, &p) in rest.iter().enumerate() {
                    let from = column + m;
                    rows.push(split_row(lanes.len(), from));
                    lanes.insert(from + 1, p);
                }
            }
        }
    }
    rows
}

/// Lane `from` merges into lane `into` (to its left); lanes to the right of
/// `from` move one to the left.
fn merge_row(lanes: usize, into: usize, from: usize) -> Row {
    let mut g = Glyphs::new(lanes);
    for c in 0..lanes {
        match c.cmp(&from) {
            std::cmp::Ordering::Less => g.set(2 * c, '|'),
            _ => g.set(2 * c - 1, '/'),
        }
    }
    // Passing over the lanes between, along the bottom of the line.
    for c in into..from.saturating_sub(1) {
        g.set(2 * c + 1, '_');
    }
    g.row(None)
}

/// Lane `from` splits in two; lanes to its right move one to the right.
fn split_row(lanes: usize, from: usize) -> Row {
    let mut g = Glyphs::new(lanes + 1);
    for c in 0..lanes {
        if c <= from {
            g.set(2 * c, '|');
        }
        if c >= from {
            g.set(2 * c + 1, '\\');
        }
    }
    g.row(None)
}

/// Lane `ended` stopped on the line above; the lanes to its right move one
/// to the left to close the gap.
fn shift_left_row(lanes: usize, ended: usize) -> Row {
    let mut g = Glyphs::new(lanes);
    for c in 0..lanes {
        if c < ended {
            g.set(2 * c, '|');
        } else if c > ended {
            g.set(2 * c - 1, '/');
        }
    }
    g.row(None)
}

fn print_tree(ui: &mut Ui, view: &View, drawn: &Drawn) -> std::io::Result<()> {
    if drawn.shown.is_empty() {
        let message = if view.set.is_empty() {
            super::render::NO_TASKS
        } else {
            "nothing to show: every task is resolved (--all shows them too)"
        };
        return writeln!(ui.out(), "{message}");
    }
    let count = view.set.len();
    let mut prerequisites: Vec<Vec<usize>> = vec![Vec::new(); count];
    for e in &drawn.edges {
        prerequisites[e.to].push(e.from);
    }
    for list in &mut prerequisites {
        list.sort_unstable();
    }
    let (order, broken) = tree_order(drawn, &prerequisites, count);
    if broken {
        warn_cycles(ui, view, drawn);
    }
    let rows = layout(&order, &prerequisites, count);
    // Pad each id so the columns after it line up whatever the lanes'
    // width, as in a listing.
    let width = rows
        .iter()
        .filter_map(|r| {
            r.task
                .map(|i| r.glyphs.chars().count() + view.task(i).id.as_str().len())
        })
        .max()
        .unwrap_or(0);
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        match row.task {
            Some(i) => {
                let id_width = width - row.glyphs.chars().count();
                lines.push(format!("{} {}", row.glyphs, view.line(ui, i, id_width, "")));
            }
            None => lines.push(row.glyphs),
        }
    }
    let out = ui.out();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Says on stderr that the tree is not in dependency order, and why.
fn warn_cycles(ui: &Ui, view: &View, drawn: &Drawn) {
    let mut shown = vec![false; view.set.len()];
    for &i in &drawn.shown {
        shown[i] = true;
    }
    let cycles: Vec<Vec<usize>> = view
        .graph
        .cycles()
        .into_iter()
        .filter(|c| c.iter().all(|&i| shown[i]))
        .collect();
    let described: Vec<String> = cycles
        .iter()
        .map(|c| view.graph.describe_cycle(c))
        .collect();
    let mut message = String::from(
        "some tasks wait for each other in a cycle, so no order puts every task above \
         what it waits for; each task is shown once and the edges that close a cycle \
         are not drawn",
    );
    for c in &described {
        message.push_str("\n  ");
        message.push_str(c);
    }
    ui.warning(&message);
    ui.hint(&super::render::cycle_hint(view, &cycles));
}

// ---------------------------------------------------------------------------
// Graphviz

/// Text inside a double-quoted DOT string. Graphviz reads `\` as the start
/// of an escape (`\n`, `\l`, `\N` …), so a backslash is doubled and a quote
/// escaped. Control characters never reach it: they are already spelled
/// out by `escape`.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in escape(text, false).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

fn dot(view: &View, drawn: &Drawn) -> String {
    let mut out = String::from("digraph tasks {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, fontname=\"Helvetica\"];\n");
    for &i in &drawn.shown {
        let task = view.task(i);
        let gate = task.gate.is_some();
        // Tasks are rounded boxes; gates keep the sharp corners of a
        // hexagon so they stand out.
        let mut style: Vec<&str> = if gate { Vec::new() } else { vec!["rounded"] };
        let (extra, colours): (&[&str], &str) = match style_state(view, i) {
            "completed" => (&["filled"], "fillcolor=\"#d4edda\", color=\"#2e7d32\""),
            "in_progress" => (&["filled"], "fillcolor=\"#ffe0b2\", color=\"#ef6c00\""),
            "blocked" => (&["filled"], "fillcolor=\"#ffcdd2\", color=\"#c62828\""),
            "ready" => (
                &["filled", "bold"],
                "fillcolor=\"#e3f2fd\", color=\"#1565c0\", penwidth=2",
            ),
            "cancelled" => (&["dashed"], "color=\"gray50\", fontcolor=\"gray50\""),
            _ => (&[], "color=\"black\""),
        };
        style.extend(extra);
        let shape = if gate { "shape=hexagon, " } else { "" };
        let _ = writeln!(
            out,
            "  \"{id}\" [label=\"{id}\\n{subject}\", {shape}style=\"{style}\", {colours}];",
            id = dot_text(task.id.as_str()),
            subject = dot_text(&task.subject),
            style = style.join(","),
        );
    }
    for e in &drawn.edges {
        let attrs = match e.kind {
            EdgeKind::Blocker => "",
            EdgeKind::Child => " [style=dashed]",
        };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\"{attrs};",
            dot_text(view.task(e.from).id.as_str()),
            dot_text(view.task(e.to).id.as_str()),
        );
    }
    out.push_str("}\n");
    out
}

// ---------------------------------------------------------------------------
// Mermaid

/// Text inside a quoted Mermaid label, with Mermaid's entity codes for the
/// characters that would end the label (`"`), start an entity (`#`) or be
/// read as HTML (`<`, `>`, `&`). Unlike the Gantt names of `plan`, where
/// these characters are dropped, a flowchart label keeps the subject whole.
pub(super) fn mermaid_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in escape(text, false).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// The Mermaid classes, one per style state.
const MERMAID_CLASSES: &[(&str, &str)] = &[
    ("ready", "fill:#e3f2fd,stroke:#1565c0,stroke-width:3px"),
    ("in_progress", "fill:#ffe0b2,stroke:#ef6c00"),
    ("blocked", "fill:#ffcdd2,stroke:#c62828"),
    ("completed", "fill:#d4edda,stroke:#2e7d32"),
    (
        "cancelled",
        "fill:#eeeeee,stroke:#9e9e9e,color:#9e9e9e,stroke-dasharray:5 5",
    ),
];

fn mermaid(view: &View, drawn: &Drawn) -> String {
    let mut out = String::from("flowchart LR\n");
    for &i in &drawn.shown {
        let task = view.task(i);
        let label = format!(
            "{}: {}",
            mermaid_label(task.id.as_str()),
            mermaid_label(&task.subject)
        );
        let (open, close) = if task.gate.is_some() {
            ("{{", "}}")
        } else {
            ("[", "]")
        };
        let _ = writeln!(
            out,
            "    {}{open}\"{label}\"{close}",
            mermaid_id(task.id.as_str())
        );
    }
    for e in &drawn.edges {
        let arrow = match e.kind {
            EdgeKind::Blocker => "-->",
            EdgeKind::Child => "-.->",
        };
        let _ = writeln!(
            out,
            "    {} {arrow} {}",
            mermaid_id(view.task(e.from).id.as_str()),
            mermaid_id(view.task(e.to).id.as_str())
        );
    }
    for (class, style) in MERMAID_CLASSES {
        let members: Vec<String> = drawn
            .shown
            .iter()
            .filter(|&&i| style_state(view, i) == *class)
            .map(|&i| mermaid_id(view.task(i).id.as_str()))
            .collect();
        if members.is_empty() {
            continue;
        }
        let _ = writeln!(out, "    classDef {class} {style}");
        let _ = writeln!(out, "    class {} {class}", members.join(","));
    }
    out
}

// ---------------------------------------------------------------------------
// JSON

fn graph_json(view: &View, drawn: &Drawn) -> Value {
    let nodes: Vec<Value> = drawn
        .shown
        .iter()
        .map(|&i| {
            let task = view.task(i);
            json!({
                "id": task.id,
                "subject": task.subject,
                "status": task.status,
                "state": view.state(i),
                "ready": view.graph.is_ready(i),
                "kind": task.kind,
                "gate": gate_state(&view.graph, i).map(|g| g.state),
            })
        })
        .collect();
    let edges: Vec<Value> = drawn
        .edges
        .iter()
        .map(|e| {
            json!({
                "from": view.task(e.from).id,
                "to": view.task(e.to).id,
                "kind": e.kind.as_str(),
            })
        })
        .collect();
    json!({ "version": 1, "nodes": nodes, "edges": edges })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| match r.task {
                Some(i) => format!("{} {i}", r.glyphs),
                None => r.glyphs.clone(),
            })
            .collect()
    }

    #[test]
    fn lanes_split_end_and_merge() {
        // 0 waits for 1, 2 and 3; 1 and 3 wait for 4; 2 waits for 5.
        let prerequisites = vec![vec![1, 2, 3], vec![4], vec![5], vec![4], vec![], vec![]];
        let rows = layout(&[0, 1, 2, 5, 3, 4], &prerequisites, 6);
        assert_eq!(
            glyphs(&rows),
            [
                "* 0", "|\\", "| |\\", "| | * 1", "| * | 2", "| * | 5", "|  /", "* | 3", "|/",
                "* 4",
            ]
        );
    }

    #[test]
    fn a_merge_passes_over_the_lanes_between() {
        // Three tips: 0 and 2 wait for 3, 1 waits for 4.
        let prerequisites = vec![vec![3], vec![4], vec![3], vec![], vec![]];
        let rows = layout(&[0, 1, 2, 3, 4], &prerequisites, 5);
        assert_eq!(
            glyphs(&rows),
            ["* 0", "| * 1", "| | * 2", "|_|/", "* | 3", " /", "* 4"]
        );
    }
}
