//! The derived dependency graph: what each task waits for, what is ready or
//! blocked, cycles, and the planning answers over the unresolved tasks
//! (waves, critical path, tracks, schedule). Pure: no I/O, no printing.

mod plan;
mod tracks;

pub use plan::{Calendar, CriticalPath, Cycles, DEFAULT_MINUTES, Open, Schedule, Slot, Timing};
pub use tracks::{Track, tracks};

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::id::TaskId;
use crate::task::{Status, Task};
use crate::taskset::TaskSet;

/// Why one task waits for another (§2 of the design).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Named in the task's own `blocked_by`.
    Blocker,
    /// Named in the `blocked_by` of the ancestor at this index.
    Inherited { ancestor: usize },
    /// It is one of the task's children: a parent waits for its parts.
    Child,
}

/// What a task waits for: a task of the set, or an id that names none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Task(usize),
    Missing(TaskId),
}

/// One edge of the waits-for relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wait {
    pub target: Target,
    pub reason: Reason,
}

/// The waits-for relation over one task set. Task indices are positions in
/// [`TaskSet::tasks`].
#[derive(Debug)]
pub struct Graph<'a> {
    set: &'a TaskSet,
    waits: Vec<Vec<Wait>>,
    /// Each task's parent, when it names a task of the set.
    parents: Vec<Option<usize>>,
}

/// FNV-1a: a fast hash for the short ids the graph looks up hundreds of
/// thousands of times (binary search over the id strings misses the cache
/// on every comparison).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type IdIndex<'a> = HashMap<&'a str, usize, std::hash::BuildHasherDefault<Fnv>>;

impl<'a> Graph<'a> {
    pub fn new(set: &'a TaskSet) -> Graph<'a> {
        let tasks = set.tasks();
        let mut index = IdIndex::with_capacity_and_hasher(tasks.len(), Default::default());
        for (i, task) in tasks.iter().enumerate() {
            index.insert(task.id.as_str(), i);
        }
        let target = |id: &TaskId| match index.get(id.as_str()) {
            Some(&j) => Target::Task(j),
            None => Target::Missing(id.clone()),
        };
        // Each task's own blockers, resolved once: ancestors' lists are
        // reused by every descendant.
        let blockers: Vec<Vec<Target>> = tasks
            .iter()
            .map(|t| t.blocked_by.iter().map(target).collect())
            .collect();
        let parents: Vec<Option<usize>> = tasks
            .iter()
            .map(|t| {
                t.parent
                    .as_ref()
                    .and_then(|p| index.get(p.as_str()).copied())
            })
            .collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); tasks.len()];
        for (i, p) in parents.iter().enumerate() {
            if let Some(p) = *p {
                children[p].push(i);
            }
        }
        // `seen[j] == i` marks task j as already waited for by task i, so
        // each target appears once, with its first reason.
        let mut seen = vec![usize::MAX; tasks.len()];
        let mut waits = Vec::with_capacity(tasks.len());
        for i in 0..tasks.len() {
            let mut list: Vec<Wait> = Vec::new();
            let mut push = |target: &Target, reason: Reason, list: &mut Vec<Wait>| {
                let new = match target {
                    Target::Task(j) => std::mem::replace(&mut seen[*j], i) != i,
                    Target::Missing(_) => !list.iter().any(|w| &w.target == target),
                };
                if new {
                    list.push(Wait {
                        target: target.clone(),
                        reason,
                    });
                }
            };
            for b in &blockers[i] {
                push(b, Reason::Blocker, &mut list);
            }
            for ancestor in ancestors_of(&parents, i) {
                for b in &blockers[ancestor] {
                    push(b, Reason::Inherited { ancestor }, &mut list);
                }
            }
            for &c in &children[i] {
                push(&Target::Task(c), Reason::Child, &mut list);
            }
            waits.push(list);
        }
        Graph {
            set,
            waits,
            parents,
        }
    }

    /// The parent of task `i`, when it names a task of the set.
    pub fn parent(&self, i: usize) -> Option<usize> {
        self.parents[i]
    }

    pub fn tasks(&self) -> &'a TaskSet {
        self.set
    }

    fn task(&self, i: usize) -> &'a Task {
        &self.set.tasks()[i]
    }

    /// Everything task `i` waits for, resolved or not.
    pub fn waits_for(&self, i: usize) -> &[Wait] {
        &self.waits[i]
    }

    /// What task `i` still waits for: unresolved tasks and ids that name no
    /// task (a dangling reference holds its task back until it is fixed).
    pub fn open_waits(&self, i: usize) -> impl Iterator<Item = &Wait> {
        self.waits[i].iter().filter(|w| match w.target {
            Target::Task(j) => !self.task(j).is_resolved(),
            Target::Missing(_) => true,
        })
    }

    pub fn is_blocked(&self, i: usize) -> bool {
        self.open_waits(i).next().is_some()
    }

    /// One line about what a task waits for: `abcd "Subject" (blocked)`,
    /// with where the edge comes from when it is not the task's own
    /// blocker. `id` renders a task's id and `text` a subject, so the CLI
    /// can highlight the one and escape the other.
    pub fn describe_wait(
        &self,
        wait: &Wait,
        id: impl Fn(usize) -> String,
        text: impl Fn(&str) -> String,
    ) -> String {
        let tasks = self.set.tasks();
        let target = match &wait.target {
            Target::Task(j) => format!(
                "{} \"{}\" ({})",
                id(*j),
                text(&tasks[*j].subject),
                self.state(*j)
            ),
            Target::Missing(missing) => format!("{missing} (no such task)"),
        };
        match wait.reason {
            Reason::Blocker => target,
            Reason::Inherited { ancestor } => {
                format!("{target}, inherited from {}", id(ancestor))
            }
            Reason::Child => format!("{target}, a child"),
        }
    }

    /// Everything task `i` still waits for, one plain line each.
    pub fn open_wait_lines(&self, i: usize) -> Vec<String> {
        let tasks = self.set.tasks();
        self.open_waits(i)
            .map(|w| self.describe_wait(w, |j| tasks[j].id.to_string(), str::to_owned))
            .collect()
    }

    /// The state a person should see: `blocked` for an unresolved task that
    /// waits for something open, else the task's status.
    pub fn state(&self, i: usize) -> &'static str {
        let task = self.task(i);
        if !task.is_resolved() && self.is_blocked(i) {
            "blocked"
        } else {
            task.status.as_str()
        }
    }

    /// Pending and waiting for nothing unresolved.
    pub fn is_ready(&self, i: usize) -> bool {
        self.task(i).status == Status::Pending && !self.is_blocked(i)
    }

    /// The tasks that can start now, most urgent first: priority, then
    /// slack on the critical path (least first), then creation time. With a
    /// cycle there is no critical path, and slack is left out.
    pub fn ready(&self) -> Vec<usize> {
        let mut ready: Vec<usize> = (0..self.waits.len())
            .filter(|&i| self.is_ready(i))
            .collect();
        let timing = Open::new(self).ok().map(|open| open.critical_path().timing);
        let slack = |i: usize| timing.as_ref().and_then(|t| t[i]).map_or(0, |t| t.slack);
        ready.sort_by(|&a, &b| {
            let (ta, tb) = (self.task(a), self.task(b));
            plan::by_urgency(
                (ta.priority, slack(a), ta.created),
                (tb.priority, slack(b), tb.created),
            )
            .then_with(|| ta.id.cmp(&tb.id))
        });
        ready
    }

    /// Unresolved tasks held back by something, most urgent first.
    pub fn blocked(&self) -> Vec<usize> {
        let mut blocked: Vec<usize> = (0..self.waits.len())
            .filter(|&i| !self.task(i).is_resolved() && self.is_blocked(i))
            .collect();
        blocked.sort_by(|&a, &b| self.urgency(a, b));
        blocked
    }

    /// Priority, then creation time (unknown last), then id.
    fn urgency(&self, a: usize, b: usize) -> Ordering {
        let (ta, tb) = (self.task(a), self.task(b));
        plan::by_urgency((ta.priority, 0, ta.created), (tb.priority, 0, tb.created))
            .then_with(|| ta.id.cmp(&tb.id))
    }

    /// The ancestors of task `i`, nearest first, stopping at a missing parent
    /// or a loop in the parent chain.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        ancestors_of(&self.parents, i)
    }

    fn petgraph(&self) -> DiGraph<(), ()> {
        let mut g = DiGraph::with_capacity(self.waits.len(), 0);
        for _ in 0..self.waits.len() {
            g.add_node(());
        }
        for (i, list) in self.waits.iter().enumerate() {
            for w in list {
                if let Target::Task(j) = w.target {
                    g.add_edge(NodeIndex::new(i), NodeIndex::new(j), ());
                }
            }
        }
        g
    }

    /// Every cycle of the waits-for relation, one per strongly connected
    /// group, each as the path around it: `[a, b, c]` means a waits for b,
    /// b for c and c for a. Sorted by their first id.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let g = self.petgraph();
        let mut cycles: Vec<Vec<usize>> = petgraph::algo::tarjan_scc(&g)
            .into_iter()
            .filter(|scc| scc.len() > 1 || g.contains_edge(scc[0], scc[0]))
            .filter_map(|scc| {
                let members: HashSet<usize> = scc.iter().map(|n| n.index()).collect();
                let start = *members.iter().min()?;
                self.path_back(start, &members)
            })
            .collect();
        cycles.sort();
        cycles
    }

    /// The tasks that lie on some cycle.
    pub fn cyclic_tasks(&self) -> HashSet<usize> {
        let g = self.petgraph();
        petgraph::algo::tarjan_scc(&g)
            .into_iter()
            .filter(|scc| scc.len() > 1 || g.contains_edge(scc[0], scc[0]))
            .flatten()
            .map(|n| n.index())
            .collect()
    }

    /// `a "A" → b "B" → a "A"`, saying why a step is taken when it is not the
    /// task's own blocker (inherited from an ancestor, or a child).
    pub fn describe_cycle(&self, path: &[usize]) -> String {
        let tasks = self.set.tasks();
        let name = |i: usize| format!("{} \"{}\"", tasks[i].id, tasks[i].subject);
        let mut out = path.first().map(|&i| name(i)).unwrap_or_default();
        for (k, &from) in path.iter().enumerate() {
            let to = path[(k + 1) % path.len()];
            let why = self
                .waits_for(from)
                .iter()
                .find(|w| w.target == Target::Task(to))
                .map(|w| match w.reason {
                    Reason::Blocker => String::new(),
                    Reason::Inherited { ancestor } => {
                        format!(" (inherited from {})", name(ancestor))
                    }
                    Reason::Child => " (a child)".into(),
                })
                .unwrap_or_default();
            out.push_str(&format!(" → {}{why}", name(to)));
        }
        out
    }

    /// A cycle through task `i`, if there is one, starting at `i`.
    pub fn cycle_through(&self, i: usize) -> Option<Vec<usize>> {
        let all: HashSet<usize> = (0..self.waits.len()).collect();
        self.path_back(i, &all)
    }

    /// The shortest path from `start` back to itself within `within`.
    fn path_back(&self, start: usize, within: &HashSet<usize>) -> Option<Vec<usize>> {
        let mut came_from: Vec<Option<usize>> = vec![None; self.waits.len()];
        let mut queue = std::collections::VecDeque::from([start]);
        let mut visited = HashSet::from([start]);
        while let Some(n) = queue.pop_front() {
            for w in &self.waits[n] {
                let Target::Task(m) = w.target else { continue };
                if m == start {
                    let mut path = vec![n];
                    let mut cur = n;
                    while let Some(prev) = came_from[cur] {
                        path.push(prev);
                        cur = prev;
                    }
                    path.reverse();
                    if path[0] != start {
                        path.insert(0, start);
                    }
                    return Some(path);
                }
                if within.contains(&m) && visited.insert(m) {
                    came_from[m] = Some(n);
                    queue.push_back(m);
                }
            }
        }
        None
    }
}

fn ancestors_of(parents: &[Option<usize>], i: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut current = parents[i];
    while let Some(p) = current {
        if p == i || out.contains(&p) {
            break;
        }
        out.push(p);
        current = parents[p];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::TaskId;

    /// Builds a set from `id: fields` lines in TOML inline form.
    fn set(spec: &[(&str, &str)]) -> TaskSet {
        TaskSet::new(
            spec.iter()
                .map(|(id, fields)| {
                    let text = format!("subject = \"{id}\"\n{}\n", fields.replace(';', "\n"));
                    Task::parse(TaskId::parse(id).unwrap(), &text).unwrap()
                })
                .collect(),
        )
    }

    fn ids(set: &TaskSet, list: &[usize]) -> Vec<String> {
        list.iter()
            .map(|&i| set.tasks()[i].id.to_string())
            .collect()
    }

    #[test]
    fn a_chain_is_ready_one_at_a_time() {
        let s = set(&[
            ("a", ""),
            ("b", "blocked_by = [\"a\"]"),
            ("c", "blocked_by = [\"b\"]"),
        ]);
        let g = Graph::new(&s);
        assert_eq!(ids(&s, &g.ready()), ["a"]);
        assert_eq!(ids(&s, &g.blocked()), ["b", "c"]);
    }

    #[test]
    fn children_inherit_blockers_and_parents_wait_for_children() {
        let s = set(&[
            ("e1", "kind = \"epic\""),
            ("e2", "kind = \"epic\";blocked_by = [\"e1\"]"),
            ("t", "parent = \"e2\""),
            ("u", "parent = \"e1\";status = \"completed\""),
        ]);
        let g = Graph::new(&s);
        // e1 waits for nothing open (its child u is done); e2 waits for e1
        // and t; t inherits e2's blocker e1.
        assert_eq!(ids(&s, &g.ready()), ["e1"]);
        let t = s.index_of("t").unwrap();
        assert_eq!(
            g.waits_for(t),
            &[Wait {
                target: Target::Task(s.index_of("e1").unwrap()),
                reason: Reason::Inherited {
                    ancestor: s.index_of("e2").unwrap()
                }
            }]
        );
    }

    #[test]
    fn cancelled_tasks_resolve_and_missing_ids_block() {
        let s = set(&[
            ("a", "status = \"cancelled\""),
            ("b", "blocked_by = [\"a\"]"),
            ("c", "blocked_by = [\"nope\"]"),
        ]);
        let g = Graph::new(&s);
        assert_eq!(ids(&s, &g.ready()), ["b"]);
        assert_eq!(ids(&s, &g.blocked()), ["c"]);
    }

    #[test]
    fn cycles_are_reported_as_paths() {
        let s = set(&[
            ("a", "blocked_by = [\"c\"]"),
            ("b", "blocked_by = [\"a\"]"),
            ("c", "blocked_by = [\"b\"]"),
            ("d", ""),
        ]);
        let g = Graph::new(&s);
        assert_eq!(
            g.cycles().iter().map(|c| ids(&s, c)).collect::<Vec<_>>(),
            [["a", "c", "b"]]
        );
        assert_eq!(ids(&s, &g.cycle_through(1).unwrap()), ["b", "a", "c"]);
        assert!(g.cycle_through(3).is_none());
    }

    #[test]
    fn a_parent_blocked_by_its_child_is_a_cycle() {
        let s = set(&[("p", "blocked_by = [\"c\"]"), ("c", "parent = \"p\"")]);
        let g = Graph::new(&s);
        assert_eq!(g.cycles().len(), 1);
        let s = set(&[("p", "parent = \"c\""), ("c", "parent = \"p\"")]);
        assert_eq!(Graph::new(&s).cycles().len(), 1);
    }

    #[test]
    fn ready_is_ordered_by_priority_then_creation() {
        let s = set(&[
            ("a", "priority = \"low\";created = 2026-01-01T00:00:00Z"),
            ("b", "created = 2026-01-03T00:00:00Z"),
            ("c", "created = 2026-01-02T00:00:00Z"),
            ("d", "priority = \"critical\""),
        ]);
        assert_eq!(ids(&s, &Graph::new(&s).ready()), ["d", "c", "b", "a"]);
    }
}
