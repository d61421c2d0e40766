//! One flowchart of tasks, written as Mermaid or Graphviz DOT: what
//! `graph --format mermaid|dot` prints and the chart at the end of
//! `diff --format markdown`.
//!
//! A [`Flowchart`] is built from a [`Drawing`] (the graph) or from a diff;
//! the writers know nothing of either, so both charts look alike: edges
//! run from what must finish first to what waits for it, child-to-parent
//! edges are dashed, gates are hexagons, and each node's [`Look`] gives
//! its colours.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::escape;
use crate::drawing::{Drawing, EdgeKind};
use crate::graph::{Graph, State};
use crate::history::TaskSetDiff;
use crate::taskset::TaskSet;

/// The outline of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A task: a rounded box.
    Box,
    /// A gate: a hexagon, with the sharp corners that make it stand out.
    Hexagon,
}

/// What a node's colours say. The graph colours by state, the diff by
/// what happened to the task; the order here is the order the Mermaid
/// classes are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Look {
    /// Pending and waiting for nothing: it can start now.
    Ready,
    InProgress,
    Blocked,
    Completed,
    Cancelled,
    /// Added by the diff.
    Added,
    /// Changed by the diff.
    Changed,
    /// Removed by the diff.
    Removed,
}

impl Look {
    /// Every look, in the order the classes are written.
    pub const ALL: [Look; 8] = [
        Look::Ready,
        Look::InProgress,
        Look::Blocked,
        Look::Completed,
        Look::Cancelled,
        Look::Added,
        Look::Changed,
        Look::Removed,
    ];

    /// How a task of this state looks in the graph. A pending task waits
    /// for nothing open ([`State::Pending`]), so it is ready.
    pub fn of_state(state: State) -> Look {
        match state {
            State::Pending => Look::Ready,
            State::InProgress => Look::InProgress,
            State::Blocked => Look::Blocked,
            State::Completed => Look::Completed,
            State::Cancelled => Look::Cancelled,
        }
    }

    /// The name of the Mermaid class.
    pub fn name(self) -> &'static str {
        match self {
            Look::Ready => "ready",
            Look::InProgress => "in_progress",
            Look::Blocked => "blocked",
            Look::Completed => "completed",
            Look::Cancelled => "cancelled",
            Look::Added => "added",
            Look::Changed => "changed",
            Look::Removed => "removed",
        }
    }

    /// The Mermaid `classDef` style: CSS declarations, comma-separated,
    /// which the board's SVG reads its colours from too.
    pub(crate) fn mermaid(self) -> &'static str {
        match self {
            Look::Ready => "fill:#e3f2fd,stroke:#1565c0,stroke-width:3px",
            Look::InProgress => "fill:#ffe0b2,stroke:#ef6c00",
            Look::Blocked => "fill:#ffcdd2,stroke:#c62828",
            Look::Completed => "fill:#d4edda,stroke:#2e7d32",
            Look::Cancelled => "fill:#eeeeee,stroke:#9e9e9e,color:#9e9e9e,stroke-dasharray:5 5",
            Look::Added => "fill:#d4edda,stroke:#2e7d32",
            Look::Changed => "fill:#fff3cd,stroke:#b8860b",
            Look::Removed => "fill:#f8d7da,stroke:#c62828,stroke-dasharray:5 5",
        }
    }

    /// The DOT style words added to the shape's, and the colours: the
    /// same palette as [`Look::mermaid`].
    fn dot(self) -> (&'static [&'static str], &'static str) {
        match self {
            Look::Ready => (
                &["filled", "bold"],
                "fillcolor=\"#e3f2fd\", color=\"#1565c0\", penwidth=2",
            ),
            Look::InProgress => (&["filled"], "fillcolor=\"#ffe0b2\", color=\"#ef6c00\""),
            Look::Blocked => (&["filled"], "fillcolor=\"#ffcdd2\", color=\"#c62828\""),
            Look::Completed => (&["filled"], "fillcolor=\"#d4edda\", color=\"#2e7d32\""),
            Look::Cancelled => (&["dashed"], "color=\"gray50\", fontcolor=\"gray50\""),
            Look::Added => (&["filled"], "fillcolor=\"#d4edda\", color=\"#2e7d32\""),
            Look::Changed => (&["filled"], "fillcolor=\"#fff3cd\", color=\"#b8860b\""),
            Look::Removed => (
                &["filled", "dashed"],
                "fillcolor=\"#f8d7da\", color=\"#c62828\"",
            ),
        }
    }
}

/// A node: a task, or an id a task names that no task has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<'a> {
    /// The task's id, or the id that names no task.
    pub id: &'a str,
    /// Empty for an id that names no task.
    pub subject: &'a str,
    pub shape: Shape,
    /// `None`: drawn plain.
    pub look: Option<Look>,
}

/// An edge: `to` waits for `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge<'a> {
    /// The id of what must finish first.
    pub from: &'a str,
    /// The id of what waits for it.
    pub to: &'a str,
    pub kind: EdgeKind,
}

/// Nodes and edges, in the order they are written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flowchart<'a> {
    pub nodes: Vec<Node<'a>>,
    pub edges: Vec<Edge<'a>>,
}

impl<'a> Flowchart<'a> {
    /// The drawn part of the graph: the shown tasks in id order, gates as
    /// hexagons, each coloured by its state, and the drawn edges.
    pub fn of_drawing(graph: &Graph<'a>, drawing: &Drawing) -> Flowchart<'a> {
        let tasks = graph.tasks().tasks();
        let nodes = drawing
            .shown
            .iter()
            .map(|&i| Node {
                id: tasks[i].id.as_str(),
                subject: &tasks[i].subject,
                shape: if tasks[i].gate.is_some() {
                    Shape::Hexagon
                } else {
                    Shape::Box
                },
                look: Some(Look::of_state(graph.state(i))),
            })
            .collect();
        let edges = drawing
            .edges
            .iter()
            .map(|e| Edge {
                from: tasks[e.from].id.as_str(),
                to: tasks[e.to].id.as_str(),
                kind: e.kind,
            })
            .collect();
        Flowchart { nodes, edges }
    }

    /// The tasks a diff added, changed or removed and their direct
    /// neighbours on either side (what they wait for, what waits for them,
    /// parent and children), by id, with the changed ones marked. A
    /// neighbour that names no task on either side is drawn by its id.
    pub fn of_diff(old: &'a TaskSet, new: &'a TaskSet, diff: &TaskSetDiff) -> Flowchart<'a> {
        let mut look: BTreeMap<&str, Look> = BTreeMap::new();
        for &j in &diff.added {
            look.insert(new.tasks()[j].id.as_str(), Look::Added);
        }
        for (_, j, _) in &diff.changed {
            look.insert(new.tasks()[*j].id.as_str(), Look::Changed);
        }
        for &i in &diff.removed {
            look.insert(old.tasks()[i].id.as_str(), Look::Removed);
        }
        let changed = |id: &str| look.contains_key(id);
        let mut edges: BTreeSet<(&str, &str, EdgeKind)> = BTreeSet::new();
        for set in [new, old] {
            for t in set.iter() {
                let me = t.id.as_str();
                for b in &t.blocked_by {
                    if changed(me) || changed(b.as_str()) {
                        edges.insert((b.as_str(), me, EdgeKind::Blocker));
                    }
                }
                if let Some(p) = &t.parent
                    && (changed(me) || changed(p.as_str()))
                {
                    edges.insert((me, p.as_str(), EdgeKind::Child));
                }
            }
        }
        let mut shown: BTreeSet<&str> = look.keys().copied().collect();
        for &(a, b, _) in &edges {
            shown.insert(a);
            shown.insert(b);
        }
        let nodes = shown
            .into_iter()
            .map(|id| Node {
                id,
                subject: new
                    .get(id)
                    .or(old.get(id))
                    .map_or("", |t| t.subject.as_str()),
                shape: Shape::Box,
                look: look.get(id).copied(),
            })
            .collect();
        let edges = edges
            .into_iter()
            .map(|(from, to, kind)| Edge { from, to, kind })
            .collect();
        Flowchart { nodes, edges }
    }

    /// The chart as a Mermaid flowchart, left to right: `id: subject`
    /// labels, `-->` for a blocker and `-.->` for a child, then a class
    /// for each look that some node has.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for node in &self.nodes {
            let (open, close) = match node.shape {
                Shape::Box => ("[", "]"),
                Shape::Hexagon => ("{{", "}}"),
            };
            let _ = writeln!(
                out,
                "    {}{open}\"{}: {}\"{close}",
                escape::mermaid_id(node.id),
                escape::mermaid_label(node.id),
                escape::mermaid_label(node.subject)
            );
        }
        for e in &self.edges {
            let arrow = match e.kind {
                EdgeKind::Blocker => "-->",
                EdgeKind::Child => "-.->",
            };
            let _ = writeln!(
                out,
                "    {} {arrow} {}",
                escape::mermaid_id(e.from),
                escape::mermaid_id(e.to)
            );
        }
        for look in Look::ALL {
            let members: Vec<String> = self
                .nodes
                .iter()
                .filter(|n| n.look == Some(look))
                .map(|n| escape::mermaid_id(n.id))
                .collect();
            if members.is_empty() {
                continue;
            }
            let _ = writeln!(out, "    classDef {} {}", look.name(), look.mermaid());
            let _ = writeln!(out, "    class {} {}", members.join(","), look.name());
        }
        out
    }

    /// The chart as a Graphviz digraph, left to right (render it with
    /// `dot -Tsvg`): `id` over `subject` labels, dashed child edges.
    pub fn dot(&self) -> String {
        let mut out = String::from("digraph tasks {\n");
        out.push_str("  rankdir=LR;\n");
        out.push_str("  node [shape=box, fontname=\"Helvetica\"];\n");
        for node in &self.nodes {
            let (mut style, shape): (Vec<&str>, &str) = match node.shape {
                Shape::Box => (vec!["rounded"], ""),
                Shape::Hexagon => (Vec::new(), "shape=hexagon, "),
            };
            let (extra, colours) = node.look.map_or((&[][..], "color=\"black\""), Look::dot);
            style.extend(extra);
            let _ = writeln!(
                out,
                "  \"{id}\" [label=\"{id}\\n{subject}\", {shape}style=\"{style}\", {colours}];",
                id = escape::dot(node.id),
                subject = escape::dot(node.subject),
                style = style.join(","),
            );
        }
        for e in &self.edges {
            let attrs = match e.kind {
                EdgeKind::Blocker => "",
                EdgeKind::Child => " [style=dashed]",
            };
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\"{attrs};",
                escape::dot(e.from),
                escape::dot(e.to),
            );
        }
        out.push_str("}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::diff_sets;
    use crate::testing::set;

    use crate::TaskSet;

    fn graph_set() -> TaskSet {
        set(&[
            ("build", "subject = \"Build \\\"it\\\" --> [x] #1\""),
            (
                "gate",
                "subject = \"Tests `pass`\";gate = true;blocked_by = [\"build\"]",
            ),
            ("epic", "subject = \"All <of> it\";kind = \"epic\""),
            ("part", "subject = \"Part\\tnext\";parent = \"epic\""),
        ])
    }

    #[test]
    fn the_graph_as_mermaid() {
        let s = graph_set();
        let g = Graph::new(&s);
        let chart = Flowchart::of_drawing(&g, &Drawing::new(&g, None, false));
        assert_eq!(
            chart.mermaid(),
            "flowchart LR\n\
             \x20   t_build[\"build: Build #quot;it#quot; --#gt; [x] #35;1\"]\n\
             \x20   t_epic[\"epic: All #lt;of#gt; it\"]\n\
             \x20   t_gate{{\"gate: Tests #96;pass#96;\"}}\n\
             \x20   t_part[\"part: Part\\tnext\"]\n\
             \x20   t_part -.-> t_epic\n\
             \x20   t_build --> t_gate\n\
             \x20   classDef ready fill:#e3f2fd,stroke:#1565c0,stroke-width:3px\n\
             \x20   class t_build,t_part ready\n\
             \x20   classDef blocked fill:#ffcdd2,stroke:#c62828\n\
             \x20   class t_epic,t_gate blocked\n"
        );
    }

    #[test]
    fn the_graph_as_dot() {
        let s = graph_set();
        let g = Graph::new(&s);
        let chart = Flowchart::of_drawing(&g, &Drawing::new(&g, None, false));
        let dot = chart.dot();
        assert!(dot.starts_with("digraph tasks {\n  rankdir=LR;\n"), "{dot}");
        assert!(dot.contains(
            "  \"build\" [label=\"build\\nBuild \\\"it\\\" --> [x] #1\", \
             style=\"rounded,filled,bold\", fillcolor=\"#e3f2fd\", color=\"#1565c0\", penwidth=2];\n"
        ), "{dot}");
        assert!(
            dot.contains(
                "  \"gate\" [label=\"gate\\nTests `pass`\", shape=hexagon, style=\"filled\", \
             fillcolor=\"#ffcdd2\", color=\"#c62828\"];\n"
            ),
            "{dot}"
        );
        // The tab is spelled out, and its backslash doubled for DOT.
        assert!(dot.contains("label=\"part\\nPart\\\\tnext\""), "{dot}");
        assert!(
            dot.contains("  \"part\" -> \"epic\" [style=dashed];\n"),
            "{dot}"
        );
        assert!(dot.contains("  \"build\" -> \"gate\";\n"), "{dot}");
        assert!(dot.ends_with("}\n"));
    }

    #[test]
    fn a_diff_shows_what_changed_and_its_neighbours() {
        let old = set(&[
            ("a", "subject = \"A\""),
            ("b", "subject = \"B\";blocked_by = [\"a\"]"),
            ("gone", "subject = \"Gone\";blocked_by = [\"nope\"]"),
            ("far", "subject = \"Far\""),
        ]);
        let new = set(&[
            ("a", "subject = \"A\""),
            ("b", "subject = \"B <2>\";blocked_by = [\"a\"]"),
            ("c", "subject = \"C\";parent = \"b\""),
            ("far", "subject = \"Far\""),
        ]);
        let diff = diff_sets(&old, &new);
        let chart = Flowchart::of_diff(&old, &new, &diff);
        let ids: Vec<&str> = chart.nodes.iter().map(|n| n.id).collect();
        // `far` is no neighbour; `nope` names no task but is one.
        assert_eq!(ids, ["a", "b", "c", "gone", "nope"]);
        let looks: Vec<Option<Look>> = chart.nodes.iter().map(|n| n.look).collect();
        assert_eq!(
            looks,
            [
                None,
                Some(Look::Changed),
                Some(Look::Added),
                Some(Look::Removed),
                None
            ]
        );
        assert_eq!(
            chart.mermaid(),
            "flowchart LR\n\
             \x20   t_a[\"a: A\"]\n\
             \x20   t_b[\"b: B #lt;2#gt;\"]\n\
             \x20   t_c[\"c: C\"]\n\
             \x20   t_gone[\"gone: Gone\"]\n\
             \x20   t_nope[\"nope: \"]\n\
             \x20   t_a --> t_b\n\
             \x20   t_c -.-> t_b\n\
             \x20   t_nope --> t_gone\n\
             \x20   classDef added fill:#d4edda,stroke:#2e7d32\n\
             \x20   class t_c added\n\
             \x20   classDef changed fill:#fff3cd,stroke:#b8860b\n\
             \x20   class t_b changed\n\
             \x20   classDef removed fill:#f8d7da,stroke:#c62828,stroke-dasharray:5 5\n\
             \x20   class t_gone removed\n"
        );
    }
}
