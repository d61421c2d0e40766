//! Cycles of the waits-for relation, found without writing out what tasks
//! inherit. They are searched for in an auxiliary graph with, besides the
//! tasks, one node per task standing for "what this task and its
//! ancestors are blocked by" (tasks on a loop of parents share one, since
//! they share their ancestors):
//!
//! ```text
//! task i ──▶ A(i) ──▶ each task in i's own blocked_by
//!              └────▶ A(parent of i)
//! task i ──▶ each child of i
//! ```
//!
//! (A task without children needs no node of its own, as nothing else
//! inherits through it: its edges go to its blockers and to the node of
//! its parent directly.)
//!
//! A task reaches a task in it exactly when it waits for it, directly or
//! through others, so the tasks of each strongly connected part are the
//! tasks of a cycle. Strong components come from petgraph's Kosaraju,
//! which keeps its own stack (Tarjan's in petgraph recurses once per node
//! on the path, and a chain a file writes can be a million long), run only
//! on what Kahn's algorithm cannot peel off: the nodes on no cycle go
//! first, in one pass, and in most task sets that is all of them.

use std::collections::{HashSet, VecDeque};

use petgraph::graph::DiGraph;

use super::forest::{Lists, NONE};
use super::{AncestryGraph, Graph, Reason, Target};
use crate::id::TaskId;

/// A cycle longer than this is described by its first steps, how many
/// more, and the step that closes it.
const CYCLE_STEPS: usize = 10;

/// The strongly connected parts of the auxiliary graph.
#[derive(Debug)]
pub(super) struct Components {
    /// By task with children, or the first task of a loop: its node
    /// `A(i)`, `NONE` when neither it nor an ancestor is blocked by a task.
    via: Vec<u32>,
    /// By node: the number of its strongly connected part, 0 for every
    /// node on no cycle.
    part: Vec<u32>,
    /// By part: whether it is a cycle.
    cyclic: Vec<bool>,
    /// The tasks of each part that is a cycle, sorted.
    cycles: Vec<Vec<u32>>,
}

impl Graph<'_> {
    pub(super) fn components(&self) -> &Components {
        self.components.get_or_init(|| self.find_components())
    }

    fn find_components(&self) -> Components {
        let f = &self.forest;
        let n = f.len();
        // Every task is kept, as itself.
        let identity: Vec<u32> = (0..n as u32).collect();
        let AncestryGraph { nodes, via, edges } =
            self.ancestry_graph(&identity, n as u32, |_| true);
        let nodes = nodes as u32;
        // Most task sets have no cycle. Peeling off nodes nothing points
        // to (Kahn's algorithm) finds that in one pass; what is left holds
        // every cycle, and only that goes to the component search.
        let count = nodes as usize;
        let after = Lists::from_pairs(count, &edges);
        let mut waiting = vec![0u32; count];
        for &(_, b) in &edges {
            waiting[b as usize] += 1;
        }
        let mut peeled: Vec<u32> = (0..nodes).filter(|&k| waiting[k as usize] == 0).collect();
        let mut next = 0;
        while next < peeled.len() {
            let k = peeled[next] as usize;
            next += 1;
            for &m in after.get(k) {
                waiting[m as usize] -= 1;
                if waiting[m as usize] == 0 {
                    peeled.push(m);
                }
            }
        }
        // Part 0 holds every node on no cycle.
        let mut part = vec![0u32; count];
        let mut cyclic = vec![false];
        let mut cycles = Vec::new();
        if peeled.len() < count {
            let mut left = vec![true; count];
            for &k in &peeled {
                left[k as usize] = false;
            }
            let rest: Vec<u32> = (0..nodes).filter(|&k| left[k as usize]).collect();
            let mut at = vec![NONE; count];
            for (j, &k) in rest.iter().enumerate() {
                at[k as usize] = j as u32;
            }
            let inside: Vec<(u32, u32)> = edges
                .iter()
                .filter(|&&(a, b)| left[a as usize] && left[b as usize])
                .map(|&(a, b)| (at[a as usize], at[b as usize]))
                .collect();
            let mut g = DiGraph::<(), (), u32>::with_capacity(rest.len(), inside.len());
            for _ in 0..rest.len() {
                g.add_node(());
            }
            g.extend_with_edges(inside);
            for scc in petgraph::algo::kosaraju_scc(&g) {
                let members: Vec<u32> = scc.iter().map(|node| rest[node.index()]).collect();
                let mut tasks: Vec<u32> = members
                    .iter()
                    .copied()
                    .filter(|&x| (x as usize) < n)
                    .collect();
                // One task alone is a cycle when it reaches itself: through
                // nodes for ancestries (an ancestor's blocked_by names it),
                // or by an edge of its own (its own blocked_by, its own
                // parent).
                let is_cycle = match tasks.as_slice() {
                    [] => false,
                    [t] => {
                        members.len() > 1 || f.parent[*t as usize] == *t || self.own(*t).contains(t)
                    }
                    _ => true,
                };
                let number = cyclic.len() as u32;
                for &k in &members {
                    part[k as usize] = number;
                }
                cyclic.push(is_cycle);
                if is_cycle {
                    tasks.sort_unstable();
                    cycles.push(tasks);
                }
            }
        }
        Components {
            via,
            part,
            cyclic,
            cycles,
        }
    }

    /// Every cycle of the waits-for relation, one per strongly connected
    /// group, each as the path around it: `[a, b, c]` means a waits for b,
    /// b for c and c for a. Sorted by their first id.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let components = self.components();
        let mut search = Search::new(self.forest.len());
        let mut cycles: Vec<Vec<usize>> = components
            .cycles
            .iter()
            .filter_map(|tasks| search.path_back(self, components, tasks[0]))
            .collect();
        cycles.sort();
        cycles
    }

    /// The tasks that lie on some cycle.
    pub fn cyclic_tasks(&self) -> HashSet<usize> {
        self.components()
            .cycles
            .iter()
            .flatten()
            .map(|&t| t as usize)
            .collect()
    }

    /// A cycle through task `i`, if there is one, starting at `i`.
    pub fn cycle_through(&self, i: usize) -> Option<Vec<usize>> {
        let components = self.components();
        if !components.cyclic[components.part[i] as usize] {
            return None;
        }
        Search::new(self.forest.len()).path_back(self, components, i as u32)
    }

    /// `a "A" → b "B" → a "A"`, saying why a step is taken when it is not the
    /// task's own blocker (inherited from an ancestor, or a child). A long
    /// cycle shows its first steps, how many tasks are left out, and the
    /// steps that close it.
    pub fn describe_cycle(&self, path: &[usize]) -> String {
        self.cycle(path).to_string()
    }

    /// The cycle `path` (each task waiting for the next) as data: each
    /// task with its subject and why the one before waits for it.
    pub fn cycle(&self, path: &[usize]) -> Cycle {
        let tasks = self.set.tasks();
        let steps = path
            .iter()
            .enumerate()
            .map(|(k, &to)| {
                let from = path[(k + path.len() - 1) % path.len()];
                let via = match self.reason(from, to) {
                    Some(Reason::Inherited { ancestor }) => Via::Inherited {
                        id: tasks[ancestor].id.clone(),
                        subject: tasks[ancestor].subject.clone(),
                    },
                    Some(Reason::Child) => Via::Child,
                    Some(Reason::Blocker) | None => Via::Blocker,
                };
                CycleStep {
                    id: tasks[to].id.clone(),
                    subject: tasks[to].subject.clone(),
                    via,
                }
            })
            .collect();
        Cycle { steps }
    }

    /// The edges whose removal opens the cycle `path` (each task waiting
    /// for the next), the simplest first: tasks' own blockers, then
    /// blockers an ancestor passes down, then children's links to their
    /// parents.
    pub fn cycle_breaks(&self, path: &[usize]) -> Vec<CycleBreak> {
        let tasks = self.set.tasks();
        let mut breaks: Vec<(u8, CycleBreak)> = (0..path.len())
            .filter_map(|k| {
                let (from, to) = (path[k], path[(k + 1) % path.len()]);
                let reason = self.reason(from, to)?;
                let blocker = tasks[to].id.clone();
                Some(match reason {
                    Reason::Blocker => (
                        0,
                        CycleBreak::DropBlocker {
                            task: tasks[from].id.clone(),
                            blocker,
                        },
                    ),
                    Reason::Inherited { ancestor } => (
                        1,
                        CycleBreak::DropBlocker {
                            task: tasks[ancestor].id.clone(),
                            blocker,
                        },
                    ),
                    Reason::Child => (2, CycleBreak::UnsetParent { child: blocker }),
                })
            })
            .collect();
        breaks.sort_by_key(|(rank, _)| *rank);
        breaks.into_iter().map(|(_, b)| b).collect()
    }

    /// The first reason `waits_for` gives for `from` waiting for `to`.
    fn reason(&self, from: usize, to: usize) -> Option<Reason> {
        self.waits(from, false)
            .find(|w| w.target == Target::Task(to))
            .map(|w| w.reason)
    }
}

/// An edge that, once removed, opens a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CycleBreak {
    /// `task` stops being blocked by `blocker`.
    DropBlocker { task: TaskId, blocker: TaskId },
    /// `child` stops being part of its parent.
    UnsetParent { child: TaskId },
}

impl CycleBreak {
    /// The task whose file the edge is written in.
    pub fn written_in(&self) -> &TaskId {
        match self {
            CycleBreak::DropBlocker { task, .. } => task,
            CycleBreak::UnsetParent { child } => child,
        }
    }
}

/// A cycle of waits as ids and subjects: each task waits for the next,
/// and the last for the first. Display is the plain one-line description
/// (`a "A" → b "B" → a "A"`), long cycles shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    /// The tasks in the order they wait for each other.
    pub steps: Vec<CycleStep>,
}

impl Cycle {
    /// The ids of the tasks on the cycle, in order.
    pub fn ids(&self) -> impl Iterator<Item = &TaskId> {
        self.steps.iter().map(|s| &s.id)
    }
}

/// One task of a [`Cycle`], and why the task before it waits for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleStep {
    /// The task.
    pub id: TaskId,
    /// Its subject, as the cycle is described.
    pub subject: String,
    /// Why the task before it waits for it.
    pub via: Via,
}

/// Why one task of a cycle waits for the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Named in its own `blocked_by`.
    Blocker,
    /// Named in the `blocked_by` of this ancestor.
    Inherited { id: TaskId, subject: String },
    /// It is a child of the task before.
    Child,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = &self.steps;
        let Some(first) = path.first() else {
            return Ok(());
        };
        write!(f, "{} \"{}\"", first.id, first.subject)?;
        let step = |f: &mut std::fmt::Formatter<'_>, k: usize| {
            let to = &path[(k + 1) % path.len()];
            write!(f, " → {} \"{}\"", to.id, to.subject)?;
            match &to.via {
                Via::Inherited { id, subject } => {
                    write!(f, " (inherited from {id} \"{subject}\")")
                }
                Via::Child => write!(f, " (a child)"),
                Via::Blocker => Ok(()),
            }
        };
        let len = path.len();
        if len <= CYCLE_STEPS + 2 {
            for k in 0..len {
                step(f, k)?;
            }
        } else {
            for k in 0..CYCLE_STEPS {
                step(f, k)?;
            }
            write!(f, " → … {} more …", len - CYCLE_STEPS - 2)?;
            step(f, len - 2)?;
            step(f, len - 1)?;
        }
        Ok(())
    }
}

/// A breadth-first search for the shortest way from a task back to
/// itself, inside its strongly connected part. Its marks are cleared
/// after each search, so one `Search` serves every part in turn at the
/// cost of the parts, not of the whole set each time.
struct Search {
    seen: Vec<bool>,
    came_from: Vec<u32>,
    /// Tasks whose own blockers have been looked at, from whichever
    /// descendant reached them first.
    ancestry_seen: Vec<bool>,
    touched: Vec<u32>,
    touched_ancestry: Vec<u32>,
    queue: VecDeque<u32>,
}

impl Search {
    fn new(n: usize) -> Search {
        Search {
            seen: vec![false; n],
            came_from: vec![NONE; n],
            ancestry_seen: vec![false; n],
            touched: Vec::new(),
            touched_ancestry: Vec::new(),
            queue: VecDeque::new(),
        }
    }

    /// The shortest path from `start` back to itself, as the path of task
    /// indices it visits. Each task's waits are taken in the order
    /// `waits_for` lists them (own blockers, ancestors' nearest first,
    /// children), so the path is the one a search over the written-out
    /// relation would find. An ancestor whose blockers an earlier task of
    /// the search has already looked at is not looked at again: everything
    /// above it was looked at then too.
    fn path_back(&mut self, graph: &Graph, c: &Components, start: u32) -> Option<Vec<usize>> {
        let f = &graph.forest;
        let n = f.len() as u32;
        let part = c.part[start as usize];
        let in_part = |x: u32| c.part[x as usize] == part;
        // Whether `t`, which `from` waits for, closes the cycle; if not,
        // it is queued, once.
        let step = |this: &mut Self, t: u32, from: u32| {
            if t == start {
                return true;
            }
            if in_part(t) && !this.seen[t as usize] {
                this.mark(t, from);
                this.queue.push_back(t);
            }
            false
        };
        self.mark(start, NONE);
        self.queue.push_back(start);
        let mut found = None;
        'search: while let Some(from) = self.queue.pop_front() {
            // Its own blockers and its ancestors'. An ancestry outside the
            // part leads to no task of the part, nor does anything above.
            let mut x = from;
            while x != NONE {
                let v = c.via[f.canonical(x) as usize];
                let outside = x != from && (v == NONE || !in_part(v));
                if outside || self.ancestry_seen[x as usize] {
                    break;
                }
                self.ancestry_seen[x as usize] = true;
                self.touched_ancestry.push(x);
                for &t in graph.own(x) {
                    if t >= n {
                        continue;
                    }
                    if step(self, t, from) {
                        found = Some(from);
                        break 'search;
                    }
                }
                x = f.parent[x as usize];
            }
            for &child in graph.children_of(from) {
                if step(self, child, from) {
                    found = Some(from);
                    break 'search;
                }
            }
        }
        let path = found.map(|last| {
            let mut path = vec![last as usize];
            let mut cur = last;
            while self.came_from[cur as usize] != NONE {
                cur = self.came_from[cur as usize];
                path.push(cur as usize);
            }
            path.reverse();
            if path[0] != start as usize {
                path.insert(0, start as usize);
            }
            path
        });
        self.clear();
        path
    }

    fn mark(&mut self, t: u32, from: u32) {
        self.seen[t as usize] = true;
        self.came_from[t as usize] = from;
        self.touched.push(t);
    }

    fn clear(&mut self) {
        for &t in &self.touched {
            self.seen[t as usize] = false;
            self.came_from[t as usize] = NONE;
        }
        for &x in &self.touched_ancestry {
            self.ancestry_seen[x as usize] = false;
        }
        self.touched.clear();
        self.touched_ancestry.clear();
        self.queue.clear();
    }
}
