//! What `git task graph` draws: which tasks are shown, the direct edges
//! between them with their kind, the cycles among them, the order the
//! tree prints them in and its lanes, as data.
//!
//! A front end only turns this into text: the CLI maps each [`Row`] to
//! `git log --graph` glyphs, and the flowchart writers of
//! [`crate::markup::flowchart`] write the same tasks and edges as Mermaid
//! or DOT.

use crate::graph::{Graph, Reason};

/// The kind of a drawn edge.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// The dependent names the prerequisite in its blocked_by.
    Blocker,
    /// The prerequisite is a child of the dependent: a parent waits for
    /// its parts.
    Child,
}

impl EdgeKind {
    /// The word JSON writes for the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Blocker => "blocker",
            EdgeKind::Child => "child",
        }
    }
}

/// A drawn edge: `to` waits for `from`, which must finish first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The prerequisite, by task index.
    pub from: usize,
    /// The dependent, by task index.
    pub to: usize,
    pub kind: EdgeKind,
}

/// The part of the graph that is drawn: the shown tasks, in id order, and
/// the direct edges between them. Direct edges are each task's own
/// blockers and its children; what a child inherits from its ancestors
/// follows from those and would only clutter the picture.
#[derive(Debug, Clone)]
pub struct Drawing {
    /// Task indices, in id order.
    pub shown: Vec<usize>,
    /// By dependent in id order, then in the order [`Graph::direct_waits`]
    /// gives.
    pub edges: Vec<Edge>,
    /// How many tasks the set has: the size of the by-task tables.
    count: usize,
}

impl Drawing {
    /// The unresolved tasks, or with `all` every task; with a `root`, only
    /// it and what it waits for through shown tasks. The root is shown
    /// even when it is resolved: it was asked for.
    pub fn new(graph: &Graph, root: Option<usize>, all: bool) -> Drawing {
        let tasks = graph.tasks().tasks();
        let count = tasks.len();
        let direct = |i: usize| {
            graph.direct_waits(i).map(|(j, reason)| match reason {
                Reason::Child => (j, EdgeKind::Child),
                _ => (j, EdgeKind::Blocker),
            })
        };
        let mut visible: Vec<bool> = tasks.iter().map(|t| all || !t.is_resolved()).collect();
        if let Some(root) = root {
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
        Drawing {
            shown,
            edges,
            count,
        }
    }

    /// The drawn edges as (from, to) places in [`Drawing::shown`], in the
    /// order of [`Drawing::edges`]: what a layout of the shown tasks alone
    /// takes.
    pub fn edges_by_place(&self) -> Vec<(usize, usize)> {
        let mut place = vec![usize::MAX; self.count];
        for (k, &i) in self.shown.iter().enumerate() {
            place[i] = k;
        }
        self.edges
            .iter()
            .map(|e| (place[e.from], place[e.to]))
            .collect()
    }

    /// By task: the shown tasks it waits for along a drawn edge, by index.
    fn prerequisites(&self) -> Vec<Vec<usize>> {
        let mut prerequisites: Vec<Vec<usize>> = vec![Vec::new(); self.count];
        for e in &self.edges {
            prerequisites[e.to].push(e.from);
        }
        for list in &mut prerequisites {
            list.sort_unstable();
        }
        prerequisites
    }

    /// The cycles of `graph` (as [`Graph::cycles`] gives them) whose tasks
    /// are all shown: the ones that can break the tree's order.
    pub fn cycles(&self, graph: &Graph) -> Vec<Vec<usize>> {
        let mut shown = vec![false; self.count];
        for &i in &self.shown {
            shown[i] = true;
        }
        graph
            .cycles()
            .into_iter()
            .filter(|c| c.iter().all(|&i| shown[i]))
            .collect()
    }

    /// The tree: its lines, top to bottom, in lanes like `git log --graph`.
    pub fn tree(&self) -> Tree {
        let prerequisites = self.prerequisites();
        let (order, broken) = tree_order(self, &prerequisites);
        Tree {
            rows: layout(&order, &prerequisites, self.count),
            broken,
        }
    }
}

/// The lines of the tree and whether a cycle broke its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// Top to bottom, each task once.
    pub rows: Vec<Row>,
    /// Some tasks wait for each other in a cycle, so not every task is
    /// above what it waits for; the edges that close a cycle are not
    /// drawn.
    pub broken: bool,
}

/// One line of the tree, as lanes. Lane `k` leads down to the task it
/// expects; a front end draws each kind of line with its own glyphs (the
/// CLI: `*`, `|`, `/`, `\` and `_`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A task, in lane `column` of `lanes`.
    Task {
        task: usize,
        lanes: usize,
        column: usize,
    },
    /// Only the lanes going on: it sets a new lane apart from one that
    /// just stopped, which it would otherwise seem to wait for.
    Lanes { lanes: usize },
    /// Lane `from` of `lanes` merges into lane `into`, to its left; the
    /// lanes to the right of `from` move one to the left.
    Merge {
        lanes: usize,
        into: usize,
        from: usize,
    },
    /// Lane `from` of `lanes` splits in two; the lanes to its right move
    /// one to the right.
    Split { lanes: usize, from: usize },
    /// Lane `ended` stopped on the line above; the lanes to its right,
    /// `lanes` in all before it stopped, move one to the left.
    ShiftLeft { lanes: usize, ended: usize },
}

impl Row {
    /// The task of a task line.
    pub fn task(&self) -> Option<usize> {
        match *self {
            Row::Task { task, .. } => Some(task),
            _ => None,
        }
    }
}

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
fn tree_order(drawing: &Drawing, prerequisites: &[Vec<usize>]) -> (Vec<usize>, bool) {
    let mut waiting = vec![0usize; drawing.count];
    for e in &drawing.edges {
        waiting[e.from] += 1;
    }
    let mut stack: Vec<usize> = drawing
        .shown
        .iter()
        .rev()
        .copied()
        .filter(|&i| waiting[i] == 0)
        .collect();
    let mut printed = vec![false; drawing.count];
    let mut order = Vec::with_capacity(drawing.shown.len());
    let mut broken = false;
    while order.len() < drawing.shown.len() {
        let next = match stack.pop() {
            Some(i) => i,
            None => {
                broken = true;
                let forced = drawing
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

/// Lays out tasks printed in `order` in lanes, as `git log --graph` does;
/// `prerequisites` is by task, `count` the number of tasks of the set.
///
/// Each lane (column) expects the task it leads to. A task is drawn in the
/// first lane that expects it; the other lanes expecting it merge into that
/// one first. After the task, its lane goes on to the prerequisite printed
/// last, and each other prerequisite splits off into a new lane to its
/// right, the one printed first rightmost: the walk goes on at the right
/// edge, where a lane can end without moving the others. When a lane ends
/// with nothing to its right it just stops; otherwise the lanes to its
/// right move left. A task nothing shown waits for starts a new lane at the
/// right.
///
/// Prerequisites printed above the task (only possible in a cycle) are not
/// drawn: an edge can only point down.
pub fn layout(order: &[usize], prerequisites: &[Vec<usize>], count: usize) -> Vec<Row> {
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
                    rows.push(Row::Lanes { lanes: lanes.len() });
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
            rows.push(Row::Merge {
                lanes: lanes.len(),
                into: column,
                from: j,
            });
            lanes.remove(j);
        }
        rows.push(Row::Task {
            task,
            lanes: lanes.len(),
            column,
        });

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
                    rows.push(Row::ShiftLeft {
                        lanes: lanes.len() + 1,
                        ended: column,
                    });
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
                    rows.push(Row::Split {
                        lanes: lanes.len(),
                        from,
                    });
                    lanes.insert(from + 1, p);
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::set;

    use crate::TaskSet;

    fn task(task: usize, lanes: usize, column: usize) -> Row {
        Row::Task {
            task,
            lanes,
            column,
        }
    }

    /// a waits for b and c, which both wait for d.
    fn diamond() -> TaskSet {
        set(&[
            ("a", "blocked_by = [\"b\", \"c\"]"),
            ("b", "blocked_by = [\"d\"]"),
            ("c", "blocked_by = [\"d\"]"),
            ("d", ""),
        ])
    }

    #[test]
    fn a_diamond_splits_then_merges() {
        let s = diamond();
        let g = Graph::new(&s);
        let d = Drawing::new(&g, None, false);
        assert_eq!(d.shown, [0, 1, 2, 3]);
        let edges: Vec<(usize, usize)> = d.edges.iter().map(|e| (e.from, e.to)).collect();
        assert_eq!(edges, [(1, 0), (2, 0), (3, 1), (3, 2)]);
        assert!(d.edges.iter().all(|e| e.kind == EdgeKind::Blocker));
        let tree = d.tree();
        assert!(!tree.broken);
        // a; split for c; b in lane 1 (printed first, rightmost)... then
        // c, and both lanes meet again above d.
        assert_eq!(
            tree.rows,
            [
                task(0, 1, 0),
                Row::Split { lanes: 1, from: 0 },
                task(1, 2, 1),
                task(2, 2, 0),
                Row::Merge {
                    lanes: 2,
                    into: 0,
                    from: 1
                },
                task(3, 1, 0),
            ]
        );
    }

    #[test]
    fn a_fan_in_of_children_draws_child_edges() {
        // An epic waits for its three parts; one part is done.
        let s = set(&[
            ("epic", "kind = \"epic\""),
            ("p1", "parent = \"epic\""),
            ("p2", "parent = \"epic\""),
            ("p3", "parent = \"epic\";status = \"completed\""),
        ]);
        let g = Graph::new(&s);
        let d = Drawing::new(&g, None, false);
        // The completed part is hidden, with its edge.
        assert_eq!(d.shown, [0, 1, 2]);
        assert_eq!(
            d.edges,
            [
                Edge {
                    from: 1,
                    to: 0,
                    kind: EdgeKind::Child
                },
                Edge {
                    from: 2,
                    to: 0,
                    kind: EdgeKind::Child
                },
            ]
        );
        assert_eq!(
            d.tree().rows,
            [
                task(0, 1, 0),
                Row::Split { lanes: 1, from: 0 },
                task(1, 2, 1),
                task(2, 1, 0),
            ]
        );
        // With --all it is there too, and ends its own lane.
        let all = Drawing::new(&g, None, true);
        assert_eq!(all.shown, [0, 1, 2, 3]);
        assert_eq!(
            all.tree().rows,
            [
                task(0, 1, 0),
                Row::Split { lanes: 1, from: 0 },
                Row::Split { lanes: 2, from: 1 },
                task(1, 3, 2),
                task(2, 2, 1),
                task(3, 1, 0),
            ]
        );
    }

    #[test]
    fn a_root_shows_only_what_it_waits_for() {
        let s = set(&[
            ("a", "blocked_by = [\"b\"]"),
            ("b", "blocked_by = [\"c\"];status = \"completed\""),
            ("c", ""),
            ("x", ""),
        ]);
        let g = Graph::new(&s);
        // Through a hidden (completed) task nothing is reached.
        assert_eq!(Drawing::new(&g, Some(0), false).shown, [0]);
        assert_eq!(Drawing::new(&g, Some(0), true).shown, [0, 1, 2]);
        // A resolved root is shown: it was asked for.
        assert_eq!(Drawing::new(&g, Some(1), false).shown, [1, 2]);
    }

    #[test]
    fn separate_parts_are_set_apart() {
        // a waits for b; c stands alone: b's lane stops, and a line of
        // lanes (none here) keeps c from reading as what b waits for.
        let s = set(&[("a", "blocked_by = [\"b\"]"), ("b", ""), ("c", "")]);
        let g = Graph::new(&s);
        assert_eq!(
            Drawing::new(&g, None, false).tree().rows,
            [
                task(0, 1, 0),
                task(1, 1, 0),
                Row::Lanes { lanes: 0 },
                task(2, 1, 0),
            ]
        );
    }

    #[test]
    fn a_cycle_breaks_the_order_and_is_reported() {
        let s = set(&[
            ("a", "blocked_by = [\"b\"]"),
            ("b", "blocked_by = [\"a\"]"),
            ("c", ""),
        ]);
        let g = Graph::new(&s);
        let d = Drawing::new(&g, None, false);
        let tree = d.tree();
        assert!(tree.broken);
        let printed: Vec<usize> = tree.rows.iter().filter_map(Row::task).collect();
        assert_eq!(printed.len(), 3, "each task once: {printed:?}");
        assert_eq!(d.cycles(&g).len(), 1);
        // Shown without one of its tasks, the cycle is not this drawing's.
        let only_c = Drawing::new(&g, Some(2), false);
        assert!(only_c.cycles(&g).is_empty());
        assert!(!only_c.tree().broken);
    }
}
