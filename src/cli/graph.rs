//! `git task graph`: the dependency graph as a terminal tree (drawn like
//! `git log --graph`), Graphviz DOT, Mermaid, SVG or JSON.

use std::io::Write;

use git_task::drawing::{Drawing, Row};
use git_task::markup::Flowchart;

use super::format::Format;
use super::render::{LISTING, View};
use super::table::Table;
use super::ui::Ui;
use super::{CliResult, Ctx, RevArgs};

/// The formats of `graph`.
const FORMATS: &[Format] = &[
    Format::Human,
    Format::Dot,
    Format::Mermaid,
    Format::Json,
    Format::Svg,
];

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
/// --format svg draws the graph itself, standalone (open it in a browser):
/// columns left to right by wave, arranged for few crossings, the critical
/// path in red, each track's colour in a stripe on its tasks, convergence
/// points (tasks that wait for two or more) marked, gates as hexagons in
/// their state's colour (green, yellow, red, grey), child edges dashed. It
/// is the drawing `git task board` shows.
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
///   git task graph --format svg > tasks.svg
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

    /// human (lanes like `git log --graph`), dot, mermaid, json or svg.
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = Format::parser(FORMATS))]
    pub format: Format,

    #[command(flatten)]
    pub rev: RevArgs,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let reading = ctx.read_tasks(&args.rev)?;
    let root = match &args.root {
        Some(text) => reading.set.index_of(reading.resolve(text)?.id.as_str()),
        None => None,
    };
    let set = reading.set;
    let view = View::new(&set);
    let drawing = Drawing::new(&view.graph, root, args.all);
    let format = args.format.or_json(ctx.json);
    let chart = || Flowchart::of_drawing(&view.graph, &drawing);
    match format {
        Format::Human => print_tree(&mut ctx.ui, &view, &drawing)?,
        Format::Dot => ctx.ui.out().write_all(chart().dot().as_bytes())?,
        Format::Mermaid => ctx.ui.out().write_all(chart().mermaid().as_bytes())?,
        Format::Json => ctx
            .ui
            .json(&git_task::output::GraphDocument::new(&view, &drawing))?,
        Format::Svg => print_svg(&mut ctx.ui, &view, &drawing)?,
        other => unreachable!("clap takes only the formats of graph, not {other:?}"),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The tree

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

    fn text(self) -> String {
        let text: String = self.0.into_iter().collect();
        text.trim_end().to_string()
    }
}

/// The glyphs of one line of the tree (see [`Row`]): lane `k` at
/// character `2k`, `*` for the task, `|` for a lane going on, and the
/// diagonals `/` and `\\` between lanes where lanes merge, split and
/// move, with `_` where a merge passes over the lanes between.
fn glyphs(row: &Row) -> String {
    match *row {
        Row::Task { lanes, column, .. } => {
            let mut g = Glyphs::new(lanes);
            for c in 0..lanes {
                g.set(2 * c, if c == column { '*' } else { '|' });
            }
            g.text()
        }
        Row::Lanes { lanes } => {
            let mut g = Glyphs::new(lanes);
            for c in 0..lanes {
                g.set(2 * c, '|');
            }
            g.text()
        }
        Row::Merge { lanes, into, from } => {
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
            g.text()
        }
        Row::Split { lanes, from } => {
            let mut g = Glyphs::new(lanes + 1);
            for c in 0..lanes {
                if c <= from {
                    g.set(2 * c, '|');
                }
                if c >= from {
                    g.set(2 * c + 1, '\\');
                }
            }
            g.text()
        }
        Row::ShiftLeft { lanes, ended } => {
            let mut g = Glyphs::new(lanes);
            for c in 0..lanes {
                if c < ended {
                    g.set(2 * c, '|');
                } else if c > ended {
                    g.set(2 * c - 1, '/');
                }
            }
            g.text()
        }
    }
}

fn print_tree(ui: &mut Ui, view: &View, drawing: &Drawing) -> std::io::Result<()> {
    if drawing.shown.is_empty() {
        let message = if view.set.is_empty() {
            super::render::NO_TASKS
        } else {
            "nothing to show: every task is resolved (--all shows them too)"
        };
        return writeln!(ui.out(), "{message}");
    }
    let tree = drawing.tree();
    if tree.broken {
        warn_cycles(
            ui,
            view,
            &drawing.cycles(&view.graph),
            "some tasks wait for each other in a cycle, so no order puts every task above \
             what it waits for; each task is shown once and the edges that close a cycle \
             are not drawn",
        );
    }
    // The lanes and the id make the first column, so the columns after it
    // line up whatever the lanes' width, as in a listing; a row of lanes
    // alone widens nothing.
    let mut table = Table::new(LISTING);
    for row in &tree.rows {
        let glyphs = glyphs(row);
        match row.task() {
            Some(i) => {
                let [id, rest @ ..] = view.cells(i, "");
                table.row(std::iter::once(format!("{glyphs} {id}")).chain(rest));
            }
            None => table.spanning([glyphs]),
        }
    }
    table.write(ui.out())
}

/// The drawing of `graph --format svg`: with the plan when the unresolved
/// tasks have one, and a warning like the tree's when shown tasks wait for
/// each other in a cycle.
fn print_svg(ui: &mut Ui, view: &View, drawing: &Drawing) -> std::io::Result<()> {
    let open = git_task::graph::Open::acyclic(&view.graph);
    let cycles = drawing.cycles(&view.graph);
    if !cycles.is_empty() {
        let mut why = String::from(
            "some tasks wait for each other in a cycle, so no order puts every task \
             after what it waits for; the edges that close a cycle are drawn backwards",
        );
        if open.is_none() {
            why.push_str(", and without a plan nothing is marked critical or in a track");
        }
        warn_cycles(ui, view, &cycles, &why);
    }
    let svg = git_task::board::svg::graph(view, drawing, open.as_ref());
    ui.out().write_all(svg.as_bytes())
}

/// Says on stderr that the tree is not in dependency order, and why.
fn warn_cycles(ui: &Ui, view: &View, cycles: &[Vec<usize>], why: &str) {
    let described: Vec<String> = cycles
        .iter()
        .map(|c| view.graph.describe_cycle(c))
        .collect();
    let mut message = String::from(why);
    for c in &described {
        message.push_str("\n  ");
        message.push_str(c);
    }
    ui.warning(&message);
    ui.hint(&super::render::cycle_hint(view, cycles));
}

#[cfg(test)]
mod tests {
    use super::*;
    use git_task::drawing::layout;

    /// The lines of a layout, each task line with its task.
    fn drawn(rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| match r.task() {
                Some(i) => format!("{} {i}", glyphs(r)),
                None => glyphs(r),
            })
            .collect()
    }

    #[test]
    fn lanes_split_end_and_merge() {
        // 0 waits for 1, 2 and 3; 1 and 3 wait for 4; 2 waits for 5.
        let prerequisites = vec![vec![1, 2, 3], vec![4], vec![5], vec![4], vec![], vec![]];
        let rows = layout(&[0, 1, 2, 5, 3, 4], &prerequisites, 6);
        assert_eq!(
            drawn(&rows),
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
            drawn(&rows),
            ["* 0", "| * 1", "| | * 2", "|_|/", "* | 3", " /", "* 4"]
        );
    }
}
