//! The graph as git-task computed it before issue 9, kept as the reference
//! for `tests/it/graph_inherited.rs`: every inherited wait written out for
//! every task, petgraph's Tarjan and toposort over those edges. On the
//! small sets a property test makes it is the definition that the graph
//! of `src/graph/` must match answer for answer. (Only the parts that
//! answer questions are kept: no calendar, no unit tests.)
//!
//! Since issue 10 it also states the rules that issue settled, in its own
//! words: a waived gate releases what waits for it; a gate or a parent
//! without an estimate counts no work; a checkpoint of no work at the end
//! of the longest chain is on the critical path; ready work is taken by
//! priority, due date, slack, creation, id.

#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use petgraph::Direction;
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use petgraph::graph::{DiGraph, NodeIndex};

// The answers' types are the crate's: only how they are worked out is
// the reference's own.
pub use git_task::graph::{
    CriticalPath, Cycles, DEFAULT_MINUTES, Reason, Schedule, Slot, Target, Timing, Track, Wait,
};
use git_task::task::{Status, Task};
use git_task::{TaskId, TaskSet};

/// The waits-for relation over one task set. Task indices are positions in
/// [`TaskSet::tasks`].
#[derive(Debug)]
pub struct Graph<'a> {
    set: &'a TaskSet,
    waits: Vec<Vec<Wait>>,
    /// Each task's parent, when it names a task of the set.
    parents: Vec<Option<usize>>,
}

impl<'a> Graph<'a> {
    pub fn new(set: &'a TaskSet) -> Graph<'a> {
        let tasks = set.tasks();
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(tasks.len());
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
            Target::Task(j) => !releases(self.task(j)),
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
        ready.sort_by(|&a, &b| by_urgency(self.task(a), slack(a), self.task(b), slack(b)));
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

    /// The urgency order without slack.
    fn urgency(&self, a: usize, b: usize) -> Ordering {
        by_urgency(self.task(a), 0, self.task(b), 0)
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

/// The unresolved tasks as a DAG: an edge runs from a prerequisite to the
/// task that waits for it. Node weights are task indices. Built only when
/// the waits-for relation has no cycle.
#[derive(Debug)]
pub struct Open {
    dag: DiGraph<usize, ()>,
    /// Task index → node, for unresolved tasks.
    node_of: Vec<Option<NodeIndex>>,
    /// Nodes in topological order, prerequisites first.
    order: Vec<NodeIndex>,
    /// Work minutes of each node, and whether that is the 1d default.
    minutes: Vec<u64>,
    unestimated: Vec<bool>,
}

impl Open {
    /// Builds the DAG of unresolved tasks. Edges to resolved tasks are
    /// satisfied and dropped; ids that name no task are left to `check`.
    ///
    /// A task's work is its estimate. A task without one counts a day and
    /// is flagged, except a parent: its work is its children's, so an
    /// unestimated parent counts nothing.
    pub fn new(graph: &Graph) -> Result<Open, Cycles> {
        let tasks = graph.tasks().tasks();
        let mut dag = DiGraph::with_capacity(tasks.len(), tasks.len() * 3);
        let mut node_of = vec![None; tasks.len()];
        let mut minutes = Vec::new();
        let mut unestimated = Vec::new();
        let mut has_children = vec![false; tasks.len()];
        for i in 0..tasks.len() {
            if let Some(p) = graph.parent(i) {
                has_children[p] = true;
            }
        }
        for (i, task) in tasks.iter().enumerate() {
            if task.is_resolved() {
                continue;
            }
            node_of[i] = Some(dag.add_node(i));
            let (m, flagged) = match &task.estimate {
                Some(e) => (e.minutes(), false),
                None if has_children[i] || task.gate.is_some() => (0, false),
                None => (DEFAULT_MINUTES, true),
            };
            minutes.push(m);
            unestimated.push(flagged);
        }
        for i in 0..tasks.len() {
            let Some(n) = node_of[i] else { continue };
            for w in graph.waits_for(i) {
                if let Target::Task(j) = w.target
                    && let Some(m) = node_of[j]
                    && !releases(&tasks[j])
                {
                    dag.add_edge(m, n, ());
                }
            }
        }
        let order = match petgraph::algo::toposort(&dag, None) {
            Ok(order) => order,
            Err(_) => return Err(Cycles(graph.cycles())),
        };
        Ok(Open {
            dag,
            node_of,
            order,
            minutes,
            unestimated,
        })
    }

    /// How many unresolved tasks there are.
    pub fn len(&self) -> usize {
        self.dag.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.dag.node_count() == 0
    }

    /// The task index of a node.
    fn task(&self, n: NodeIndex) -> usize {
        self.dag[n]
    }

    /// Whether task `i` is unresolved (part of the plan).
    pub fn contains(&self, i: usize) -> bool {
        self.node_of.get(i).is_some_and(|n| n.is_some())
    }

    /// Work minutes task `i` counts for, and whether that is the default.
    pub fn work(&self, i: usize) -> Option<(u64, bool)> {
        let n = self.node_of.get(i).copied().flatten()?;
        Some((self.minutes[n.index()], self.unestimated[n.index()]))
    }

    /// The unresolved tasks that task `i` waits for directly.
    pub fn prerequisites(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.neighbours(i, Direction::Incoming)
    }

    /// The unresolved tasks that wait for task `i` directly.
    pub fn dependents(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.neighbours(i, Direction::Outgoing)
    }

    fn neighbours(&self, i: usize, dir: Direction) -> impl Iterator<Item = usize> + '_ {
        self.node_of
            .get(i)
            .copied()
            .flatten()
            .into_iter()
            .flat_map(move |n| self.dag.neighbors_directed(n, dir))
            .map(|m| self.dag[m])
    }

    /// Task indices in topological order, prerequisites first.
    pub fn topological(&self) -> impl Iterator<Item = usize> + '_ {
        self.order.iter().map(|&n| self.dag[n])
    }

    pub fn dag(&self) -> &DiGraph<usize, ()> {
        &self.dag
    }

    /// Layers in which each task waits only for earlier layers. Wave 1 is
    /// what can run in parallel now. Each wave is sorted by task index.
    pub fn waves(&self) -> Vec<Vec<usize>> {
        let mut level = vec![0usize; self.dag.node_count()];
        let mut waves: Vec<Vec<usize>> = Vec::new();
        for &n in &self.order {
            let l = self
                .dag
                .neighbors_directed(n, Direction::Incoming)
                .map(|m| level[m.index()] + 1)
                .max()
                .unwrap_or(0);
            level[n.index()] = l;
            if waves.len() <= l {
                waves.resize_with(l + 1, Vec::new);
            }
            waves[l].push(self.task(n));
        }
        for wave in &mut waves {
            wave.sort_unstable();
        }
        waves
    }

    /// Earliest and latest start, slack and the critical path.
    pub fn critical_path(&self) -> CriticalPath {
        let count = self.dag.node_count();
        let mut es = vec![0u64; count];
        for &n in &self.order {
            let start = self
                .dag
                .neighbors_directed(n, Direction::Incoming)
                .map(|m| es[m.index()] + self.minutes[m.index()])
                .max()
                .unwrap_or(0);
            es[n.index()] = start;
        }
        let length = (0..count)
            .map(|k| es[k] + self.minutes[k])
            .max()
            .unwrap_or(0);
        let mut lf = vec![length; count];
        for &n in self.order.iter().rev() {
            if let Some(finish) = self
                .dag
                .neighbors_directed(n, Direction::Outgoing)
                .map(|m| lf[m.index()] - self.minutes[m.index()])
                .min()
            {
                lf[n.index()] = finish;
            }
        }
        // The path: from the task that finishes last (fewest-index on ties)
        // back through prerequisites that finish exactly when it starts.
        let mut path = Vec::new();
        let mut end = (0..count)
            .filter(|&k| es[k] + self.minutes[k] == length)
            .min_by_key(|&k| self.dag[NodeIndex::new(k)]);
        // A task of no work after the end that finishes with it ends the
        // path instead.
        while let Some(k) = end {
            let next = self
                .dag
                .neighbors_directed(NodeIndex::new(k), Direction::Outgoing)
                .filter(|m| self.minutes[m.index()] == 0 && es[m.index()] == length)
                .min_by_key(|m| self.dag[*m]);
            match next {
                Some(m) => end = Some(m.index()),
                None => break,
            }
        }
        let mut current = end.map(NodeIndex::new);
        while let Some(n) = current {
            path.push(self.task(n));
            current = self
                .dag
                .neighbors_directed(n, Direction::Incoming)
                .filter(|m| es[m.index()] + self.minutes[m.index()] == es[n.index()])
                .filter(|m| lf[m.index()] == es[n.index()])
                .min_by_key(|m| self.dag[*m]);
        }
        path.reverse();
        let mut timing = vec![None; self.node_of.len()];
        for k in 0..count {
            let n = NodeIndex::new(k);
            let ls = lf[k] - self.minutes[k];
            timing[self.task(n)] = Some(Timing {
                earliest_start: es[k],
                earliest_finish: es[k] + self.minutes[k],
                latest_start: ls,
                latest_finish: lf[k],
                slack: ls - es[k],
                minutes: self.minutes[k],
                unestimated: self.unestimated[k],
            });
        }
        CriticalPath {
            length,
            path,
            timing,
        }
    }

    /// Assigns the work to `workers` people: whenever one is free, they take
    /// the ready task with the least slack (then higher priority, then
    /// earlier creation); work in progress is taken first. Tasks that count
    /// no work (unestimated parents) finish the moment they are ready.
    pub fn schedule(&self, graph: &Graph, cp: &CriticalPath, workers: usize) -> Schedule {
        let workers = workers.max(1);
        let tasks = graph.tasks().tasks();
        let count = self.dag.node_count();
        // Smallest first: work in progress, highest priority, soonest due
        // date (none last), least slack, earliest creation (unknown last),
        // then id (task indices follow ids).
        let key = |k: usize| {
            let i = self.task(NodeIndex::new(k));
            let t = &tasks[i];
            let slack = cp.timing[i].map_or(0, |x| x.slack);
            let due = t.due.map_or((1, chrono::NaiveDate::MIN), |d| (0, d));
            let created = t.created.map_or(i64::MAX, |c| c.timestamp());
            Reverse((
                t.status != Status::InProgress,
                t.priority,
                due,
                slack,
                created,
                i,
                k,
            ))
        };
        let mut waiting: Vec<usize> = (0..count)
            .map(|k| {
                self.dag
                    .neighbors_directed(NodeIndex::new(k), Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready = BinaryHeap::new();
        // Tasks that have become ready and count no work: they finish at once.
        let mut instant: Vec<usize> = Vec::new();
        for (k, &w) in waiting.iter().enumerate() {
            if w == 0 {
                if self.minutes[k] == 0 {
                    instant.push(k);
                } else {
                    ready.push(key(k));
                }
            }
        }
        // Running work: (finish, worker, node), earliest finish first.
        let mut running: BinaryHeap<Reverse<(u64, usize, usize)>> = BinaryHeap::new();
        let mut free: BinaryHeap<Reverse<usize>> = (0..workers).map(Reverse).collect();
        let mut slots = vec![None; self.node_of.len()];
        let mut now = 0u64;
        let mut finished = 0;
        while finished < count {
            let completed = if let Some(k) = instant.pop() {
                slots[self.task(NodeIndex::new(k))] = Some(Slot {
                    worker: None,
                    start: now,
                    end: now,
                });
                k
            } else {
                while !ready.is_empty() && !free.is_empty() {
                    let (Some(Reverse((.., k))), Some(Reverse(worker))) = (ready.pop(), free.pop())
                    else {
                        break;
                    };
                    let end = now + self.minutes[k];
                    running.push(Reverse((end, worker, k)));
                    slots[self.task(NodeIndex::new(k))] = Some(Slot {
                        worker: Some(worker),
                        start: now,
                        end,
                    });
                }
                let Some(Reverse((end, worker, k))) = running.pop() else {
                    break;
                };
                now = end;
                free.push(Reverse(worker));
                k
            };
            finished += 1;
            for m in self
                .dag
                .neighbors_directed(NodeIndex::new(completed), Direction::Outgoing)
            {
                waiting[m.index()] -= 1;
                if waiting[m.index()] == 0 {
                    if self.minutes[m.index()] == 0 {
                        instant.push(m.index());
                    } else {
                        ready.push(key(m.index()));
                    }
                }
            }
        }
        let finish = slots.iter().flatten().map(|s| s.end).max().unwrap_or(0);
        Schedule {
            workers,
            finish,
            slots,
        }
    }
}

/// The tracks of the unresolved graph, longest first (then by first id).
pub fn tracks(open: &Open, cp: &CriticalPath) -> Vec<Track> {
    let dag = open.dag();
    let count = dag.node_count();
    let mut sets = UnionFind::<usize>::new(count);
    for e in dag.edge_references() {
        sets.union(e.source().index(), e.target().index());
    }
    let labels = sets.into_labeling();
    let mut slot_of = vec![usize::MAX; count];
    let mut tracks: Vec<Track> = Vec::new();
    // Nodes are added in task-index order, so tasks come out sorted.
    for n in dag.node_indices() {
        let root = labels[n.index()];
        if slot_of[root] == usize::MAX {
            slot_of[root] = tracks.len();
            tracks.push(Track {
                tasks: Vec::new(),
                starts: Vec::new(),
                ends: Vec::new(),
                fan_ins: Vec::new(),
                fan_outs: Vec::new(),
                work: 0,
                length: 0,
            });
        }
        let track = &mut tracks[slot_of[root]];
        let i = dag[n];
        track.tasks.push(i);
        let before = dag
            .neighbors_directed(n, petgraph::Direction::Incoming)
            .count();
        let after = dag
            .neighbors_directed(n, petgraph::Direction::Outgoing)
            .count();
        if before == 0 {
            track.starts.push(i);
        }
        if after == 0 {
            track.ends.push(i);
        }
        if before >= 2 {
            track.fan_ins.push((i, before));
        }
        if after >= 2 {
            track.fan_outs.push((i, after));
        }
        if let Some(t) = cp.timing[i] {
            track.work += t.minutes;
            track.length = track.length.max(t.earliest_finish);
        }
    }
    tracks.sort_by(|a, b| b.length.cmp(&a.length).then(a.tasks[0].cmp(&b.tasks[0])));
    tracks
}

/// Whether what waits for `task` may go ahead: it is resolved, or it is a
/// waived gate.
fn releases(task: &Task) -> bool {
    task.is_resolved() || (task.gate.is_some() && task.waiver.is_some())
}

/// Priority, then due date (soonest, none last), then slack, then creation
/// (unknown last), then id.
fn by_urgency(a: &Task, slack_a: u64, b: &Task, slack_b: u64) -> Ordering {
    let due = |t: &Task| t.due.map_or((1, chrono::NaiveDate::MIN), |d| (0, d));
    let created = |t: &Task| t.created.map_or(i64::MAX, |c| c.timestamp());
    (a.priority, due(a), slack_a, created(a), &a.id).cmp(&(
        b.priority,
        due(b),
        slack_b,
        created(b),
        &b.id,
    ))
}
