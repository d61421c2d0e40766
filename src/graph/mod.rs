//! The derived dependency graph: what each task waits for, what is ready or
//! blocked, cycles, and the planning answers over the unresolved tasks
//! (waves, critical path, tracks, schedule). Pure: no I/O, no printing.
//!
//! The graph keeps only the edges the files write: each task's blockers, and
//! the parent links with their children. What a task inherits from its
//! ancestors (docs/graph.md) is never written out for every task, since a
//! parent chain k deep would make k²/2 such edges; it is answered on demand by
//! walking one task's ancestors, or by passes over the parent forest that are
//! linear in tasks plus written edges (see `docs/graph.md`).

mod cycles;
pub use cycles::{Cycle, CycleBreak, CycleStep, Via};
mod forest;
mod plan;
mod tracks;

pub use plan::{
    Calendar, CriticalPath, Cycles, DEFAULT_MINUTES, Late, Open, Schedule, Slot, Timing, Urgency,
    sort_by_urgency, urgency,
};
pub use tracks::{Track, tracks};

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

pub(crate) use forest::Lists;
use forest::{Ancestors, Forest, NONE, Node, Step};

use crate::id::TaskId;
use crate::task::{Status, Task};
use crate::taskset::TaskSet;

/// How many waits a message lists before it says how many more there are:
/// enough to act on, few enough that a task waiting for thousands of
/// things still makes a readable line (and a bounded one in a hook).
pub const LISTED: usize = 10;

/// The state of a task as the graph sees it: its status, except that an
/// unresolved task waiting for something open is blocked. Listings,
/// `show`, the graph's colours and JSON's `"state"` all show this, so it
/// is one type with one spelling ([`State::as_str`], which serde writes
/// too) rather than a word matched again wherever it is shown.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Pending and waiting for nothing open: it can start now, so a
    /// pending task is always ready ([`Graph::is_ready`]).
    Pending,
    /// Unresolved (pending or in progress) and waiting for something
    /// open.
    Blocked,
    /// In progress and waiting for nothing open.
    InProgress,
    Completed,
    Cancelled,
}

impl State {
    /// The state of a task of this status that waits for nothing open.
    pub fn of(status: Status) -> State {
        match status {
            Status::Pending => State::Pending,
            Status::InProgress => State::InProgress,
            Status::Completed => State::Completed,
            Status::Cancelled => State::Cancelled,
        }
    }

    /// The word shown and written in JSON: a status's word, or `blocked`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Blocked => "blocked",
            State::InProgress => "in_progress",
            State::Completed => "completed",
            State::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for State {
    /// Pads like a string, so that `{:<11}` lines states up in columns.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Why one task waits for another (docs/graph.md).
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
///
/// Inside, a *target* is a `u32`: below the number of tasks it is a task
/// index, above it an id that names no task (`missing[t - n]`).
#[derive(Debug)]
pub struct Graph<'a> {
    set: &'a TaskSet,
    /// The ids `blocked_by` lists name that no task has, each once.
    missing: Vec<TaskId>,
    /// Each task's `blocked_by` as targets, each once, in written order.
    blockers: Lists,
    forest: Forest,
    /// By target: whether it holds back what waits for it: an unresolved
    /// task that is not a waived gate ([`releases`]), or an id that names
    /// no task (a dangling reference holds its task back until fixed).
    open: Vec<bool>,
    /// Each task's nearest ancestor with an open blocker of its own, or
    /// `NONE`: the links an [`Ancestors`] walk over open waits follows.
    next_open: Vec<u32>,
    /// How many different open things each task waits for.
    open_count: Vec<u32>,
    /// Whether each task is named by the `blocked_by` of one of its
    /// ancestors (so it waits for itself).
    inherits_itself: Vec<bool>,
    /// The first [`LISTED`] open waits of each task and its ancestors,
    /// for messages; made the first time a message needs them.
    listed: OnceLock<Prefixes>,
    /// The strongly connected parts of the relation, made the first time
    /// a question about cycles is asked.
    components: OnceLock<cycles::Components>,
}

/// The auxiliary graph of [`Graph::ancestry_graph`].
pub(super) struct AncestryGraph {
    /// How many nodes: the kept tasks', then the virtual ones.
    pub(super) nodes: usize,
    /// By task: the node of its ancestry, when it has one (a loop's on its
    /// first member).
    pub(super) via: Vec<u32>,
    /// (waiter, what it waits for).
    pub(super) edges: Vec<(u32, u32)>,
}

/// FNV-1a: a fast hash for the short ids the graph looks up hundreds of
/// thousands of times (binary search over the id strings misses the cache
/// on every comparison).
#[derive(Default)]
pub(crate) struct Fnv(u64);

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

pub(crate) type FnvBuild = std::hash::BuildHasherDefault<Fnv>;
type IdIndex<'a> = HashMap<&'a str, u32, FnvBuild>;

/// Per task, the first [`LISTED`] open waits of the task itself followed by
/// those of its ancestors, nearest first, each once: `(target, whose
/// blocked_by names it)`. What a task inherits is its parent's list.
#[derive(Debug, Default)]
struct Prefixes {
    span: Vec<(u32, u8)>,
    items: Vec<(u32, u32)>,
}

impl Prefixes {
    fn get(&self, i: u32) -> &[(u32, u32)] {
        let (start, len) = self.span[i as usize];
        &self.items[start as usize..start as usize + len as usize]
    }
}

impl<'a> Graph<'a> {
    pub fn new(set: &'a TaskSet) -> Graph<'a> {
        let tasks = set.tasks();
        let n = tasks.len();
        let mut index = IdIndex::with_capacity_and_hasher(n, Default::default());
        for (i, task) in tasks.iter().enumerate() {
            index.insert(task.id.as_str(), i as u32);
        }
        let parent: Vec<u32> = tasks
            .iter()
            .map(|t| {
                t.parent
                    .as_ref()
                    .and_then(|p| index.get(p.as_str()).copied())
                    .unwrap_or(NONE)
            })
            .collect();

        // Resolve every blocker once. An id that names no task gets a
        // number of its own, the same wherever it is written, so repeats
        // are found by number, not by comparing with every earlier one.
        let mut missing: Vec<TaskId> = Vec::new();
        let mut missing_index = IdIndex::default();
        let mut blockers = Lists::new();
        // `seen[t] == i` marks target t as already listed for task i.
        let mut seen: Vec<u32> = vec![NONE; n];
        for (i, task) in tasks.iter().enumerate() {
            for b in &task.blocked_by {
                let t = match index.get(b.as_str()) {
                    Some(&j) => j,
                    None => *missing_index.entry(b.as_str()).or_insert_with(|| {
                        missing.push(b.clone());
                        seen.push(NONE);
                        (n + missing.len() - 1) as u32
                    }),
                };
                if std::mem::replace(&mut seen[t as usize], i as u32) != i as u32 {
                    blockers.push(t);
                }
            }
            blockers.close();
        }
        let open: Vec<bool> = tasks
            .iter()
            .map(|t| !releases(t))
            .chain(std::iter::repeat_n(true, missing.len()))
            .collect();

        let forest = Forest::new(parent);
        let mut graph = Graph {
            set,
            missing,
            blockers,
            forest,
            open,
            next_open: Vec::new(),
            open_count: Vec::new(),
            inherits_itself: Vec::new(),
            listed: OnceLock::new(),
            components: OnceLock::new(),
        };
        graph.next_open = graph.nearest_open_ancestors();
        let (open_count, inherits_itself) = graph.count_waits(&graph.open);
        graph.open_count = open_count;
        graph.inherits_itself = inherits_itself;
        graph
    }

    fn own(&self, x: u32) -> &[u32] {
        self.blockers.get(x as usize)
    }

    fn children_of(&self, x: u32) -> &[u32] {
        self.forest.children.get(x as usize)
    }

    /// For each task, its nearest ancestor whose own `blocked_by` names
    /// something open: parents before children, and round each loop twice
    /// so that every task on it sees the whole loop.
    fn nearest_open_ancestors(&self) -> Vec<u32> {
        let f = &self.forest;
        // Once per task: a task can have many children and many blockers.
        let has_open: Vec<bool> = (0..f.len() as u32)
            .map(|x| self.own(x).iter().any(|&t| self.open[t as usize]))
            .collect();
        let has_open_blocker = |x: u32| has_open[x as usize];
        let mut next = vec![NONE; f.len()];
        for l in 0..f.loops.count() {
            // members[j + 1] is the parent of members[j].
            let members = f.loops.get(l);
            let mut nearest = NONE;
            // Backwards, `nearest` is the nearest member from m's parent on;
            // the first time round misses the ones past the loop's end.
            for _ in 0..2 {
                for &m in members.iter().rev() {
                    next[m as usize] = nearest;
                    if has_open_blocker(m) {
                        nearest = m;
                    }
                }
            }
        }
        for &x in &f.order {
            if f.loop_of[x as usize] != NONE {
                continue;
            }
            let p = f.parent[x as usize];
            if p != NONE {
                next[x as usize] = if has_open_blocker(p) {
                    p
                } else {
                    next[p as usize]
                };
            }
        }
        next
    }

    /// For each task, how many different targets marked in `open` it waits
    /// for, and whether an ancestor names it. One walk down the parent
    /// forest keeps a count of what the ancestors of the current task are
    /// blocked by, adding a task's blockers on the way down and taking them
    /// off on the way back up.
    pub(super) fn count_waits(&self, open: &[bool]) -> (Vec<u32>, Vec<bool>) {
        let n = self.forest.len();
        let targets = open.len();
        let mut counts = vec![0u32; n];
        let mut inherits_itself = vec![false; n];
        // By target: how many ancestors of the current task name it as an
        // open blocker, and how many name it at all.
        let mut open_above = vec![0u32; targets];
        let mut named_above = vec![0u32; targets];
        let mut distinct = 0u32;
        // `mine[t] == x` marks target t as one of task x's own blockers.
        let mut mine = vec![NONE; targets];
        let add = |x: u32, open_above: &mut [u32], named_above: &mut [u32], distinct: &mut u32| {
            for &t in self.own(x) {
                named_above[t as usize] += 1;
                if open[t as usize] {
                    open_above[t as usize] += 1;
                    if open_above[t as usize] == 1 {
                        *distinct += 1;
                    }
                }
            }
        };
        let remove =
            |x: u32, open_above: &mut [u32], named_above: &mut [u32], distinct: &mut u32| {
                for &t in self.own(x) {
                    named_above[t as usize] -= 1;
                    if open[t as usize] {
                        open_above[t as usize] -= 1;
                        if open_above[t as usize] == 0 {
                            *distinct -= 1;
                        }
                    }
                }
            };
        self.forest.walk(|step| match step {
            Step::Enter(Node::Task(x)) => {
                inherits_itself[x as usize] = named_above[x as usize] > 0;
                for &t in self.own(x) {
                    mine[t as usize] = x;
                }
                let own_new = self
                    .own(x)
                    .iter()
                    .filter(|&&t| open[t as usize] && open_above[t as usize] == 0)
                    .count();
                let children_new = self
                    .children_of(x)
                    .iter()
                    .filter(|&&c| {
                        open[c as usize] && open_above[c as usize] == 0 && mine[c as usize] != x
                    })
                    .count();
                counts[x as usize] = distinct + (own_new + children_new) as u32;
                add(x, &mut open_above, &mut named_above, &mut distinct);
            }
            Step::Leave(Node::Task(x)) => {
                remove(x, &mut open_above, &mut named_above, &mut distinct);
            }
            Step::Enter(Node::Loop(l)) => {
                // Each task on a loop has the others as ancestors: it waits
                // for what any of them is blocked by, and its children.
                let members = self.forest.loops.get(l as usize);
                for &m in members {
                    add(m, &mut open_above, &mut named_above, &mut distinct);
                }
                for &m in members {
                    let own_names_self = u32::from(self.own(m).contains(&m));
                    inherits_itself[m as usize] = named_above[m as usize] > own_names_self;
                    let children_new = self
                        .children_of(m)
                        .iter()
                        .filter(|&&c| open[c as usize] && open_above[c as usize] == 0)
                        .count();
                    counts[m as usize] = distinct + children_new as u32;
                }
            }
            Step::Leave(Node::Loop(l)) => {
                for &m in self.forest.loops.get(l as usize) {
                    remove(m, &mut open_above, &mut named_above, &mut distinct);
                }
            }
        });
        (counts, inherits_itself)
    }

    /// For each task t, how many different tasks marked in `open` wait for
    /// it: the tasks whose own blocked_by names t with everything below
    /// them, and t's parent. The tasks below a task are a stretch of the
    /// forest's depth-first order, so this is a sum over the stretches of
    /// the tasks that name t, nested stretches counted once.
    pub(super) fn count_dependents(&self, open: &[bool]) -> Vec<u32> {
        let f = &self.forest;
        let n = f.len();
        // Position of each forest node in depth-first order, where its
        // stretch ends, and how many marked tasks come before a position.
        let node = |x: u32| match f.loop_of[x as usize] {
            NONE => x as usize,
            l => n + l as usize,
        };
        let mut first = vec![0u32; n + f.loops.count()];
        let mut last = vec![0u32; n + f.loops.count()];
        let mut marked_before = vec![0u32];
        self.forest.walk(|step| match step {
            Step::Enter(at) => {
                let (id, marked) = match at {
                    Node::Task(x) => (x as usize, u32::from(open[x as usize])),
                    Node::Loop(l) => (
                        n + l as usize,
                        f.loops
                            .get(l as usize)
                            .iter()
                            .filter(|&&m| open[m as usize])
                            .count() as u32,
                    ),
                };
                first[id] = (marked_before.len() - 1) as u32;
                let total = marked_before[marked_before.len() - 1] + marked;
                marked_before.push(total);
            }
            Step::Leave(at) => {
                let id = match at {
                    Node::Task(x) => x as usize,
                    Node::Loop(l) => n + l as usize,
                };
                last[id] = (marked_before.len() - 1) as u32;
            }
        });
        let pairs: Vec<(u32, u32)> = (0..n as u32)
            .flat_map(|a| {
                self.own(a)
                    .iter()
                    .filter(|&&t| (t as usize) < n)
                    .map(move |&t| (t, a))
            })
            .collect();
        let named_by = Lists::from_pairs(n, &pairs);
        let mut counts = vec![0u32; n];
        let mut stretches: Vec<(u32, u32)> = Vec::new();
        for (t, count) in counts.iter_mut().enumerate() {
            stretches.clear();
            stretches.extend(named_by.get(t).iter().map(|&a| {
                let id = node(a);
                (first[id], last[id])
            }));
            // Widest first among those that start together; a stretch that
            // starts inside the one before lies inside it.
            stretches.sort_unstable_by_key(|&(s, e)| (s, std::cmp::Reverse(e)));
            let mut covered_to = 0u32;
            let mut total = 0u32;
            let mut covers_parent = false;
            let p = f.parent[t];
            let parent_at = (p != NONE).then(|| first[node(p)]);
            for &(s, e) in &stretches {
                if s < covered_to {
                    continue;
                }
                covered_to = e;
                total += marked_before[e as usize] - marked_before[s as usize];
                covers_parent |= parent_at.is_some_and(|at| s <= at && at < e);
            }
            // (The parent lies in a stretch only when t is below a task
            // that names it, so t waits for itself: a cycle.)
            if p != NONE && open[p as usize] && !covers_parent {
                total += 1;
            }
            *count = total;
        }
        counts
    }

    /// The work task `i` counts for, in minutes, and whether that is the
    /// default for a task without an estimate. One rule for every total
    /// (`status`, `plan`, the critical path, tracks):
    ///
    /// * a task with an estimate counts its estimate, a parent's as work
    ///   of its own on top of its children's (the parent waits for its
    ///   children, so its own work comes after theirs);
    /// * a parent without one counts nothing: its work is its children's;
    /// * a gate without one counts nothing: it is a checkpoint, not work;
    /// * any other task without one counts [`DEFAULT_MINUTES`] (a day)
    ///   and is flagged as unestimated.
    pub fn work(&self, i: usize) -> (u64, bool) {
        let task = self.task(i);
        match &task.estimate {
            Some(e) => (e.minutes(), false),
            None if task.gate.is_some() || !self.children_of(i as u32).is_empty() => (0, false),
            None => (DEFAULT_MINUTES, true),
        }
    }

    /// Whether task `i` holds back what waits for it: it is unresolved
    /// and not a waived gate (see [`releases`]).
    pub fn holds_back(&self, i: usize) -> bool {
        self.open[i]
    }

    /// The parent of task `i`, when it names a task of the set.
    pub fn parent(&self, i: usize) -> Option<usize> {
        match self.forest.parent[i] {
            NONE => None,
            p => Some(p as usize),
        }
    }

    pub fn tasks(&self) -> &'a TaskSet {
        self.set
    }

    fn task(&self, i: usize) -> &'a Task {
        &self.set.tasks()[i]
    }

    /// How many edges the graph keeps: the blockers as written (each
    /// once), the parent links and the children lists. Never the inherited
    /// relation, so this is at most the tasks plus the written edges.
    pub fn stored_edges(&self) -> usize {
        let parents = self.forest.parent.iter().filter(|&&p| p != NONE).count();
        self.blockers.total() + self.forest.children.total() + parents
    }

    fn target(&self, t: u32) -> Target {
        let n = self.forest.len();
        match (t as usize).checked_sub(n) {
            None => Target::Task(t as usize),
            Some(k) => Target::Missing(self.missing[k].clone()),
        }
    }

    /// What task `i`'s own `blocked_by` names, each once, in written order.
    pub fn blockers(&self, i: usize) -> impl Iterator<Item = Target> + '_ {
        self.own(i as u32).iter().map(|&t| self.target(t))
    }

    /// The waits of [`Graph::waits_for`] that are written on the task
    /// itself, as edges to draw: its own blockers that are tasks and its
    /// children, each once, with the reason `waits_for` gives it (a child
    /// that is also inherited is an inherited wait, part of a cycle).
    pub fn direct_waits(&self, i: usize) -> impl Iterator<Item = (usize, Reason)> + '_ {
        let n = self.forest.len() as u32;
        let blockers = self
            .own(i as u32)
            .iter()
            .filter(move |&&t| t < n)
            .map(|&t| (t as usize, Reason::Blocker));
        let children = self
            .children_of(i as u32)
            .iter()
            // A child named by the task's own blocked_by or an ancestor's
            // is named by one of its own ancestors: it inherits itself.
            .filter(move |&&c| !self.inherits_itself[c as usize])
            .map(|&c| (c as usize, Reason::Child));
        blockers.chain(children)
    }

    /// Every wait of task `i`, each target once with the first reason in
    /// this order: own blockers, then the ancestors' nearest first, then
    /// children. `only_open` walks just the ancestors with open blockers.
    fn waits(&self, i: usize, only_open: bool) -> impl Iterator<Item = Wait> + '_ {
        let links = if only_open {
            &self.next_open
        } else {
            &self.forest.parent
        };
        let wanted = move |t: &u32| !only_open || self.open[*t as usize];
        let own = self
            .own(i as u32)
            .iter()
            .copied()
            .filter(wanted)
            .map(|t| (t, Reason::Blocker));
        let inherited = Ancestors::new(&self.forest, links, i as u32).flat_map(move |a| {
            self.own(a).iter().copied().filter(wanted).map(move |t| {
                (
                    t,
                    Reason::Inherited {
                        ancestor: a as usize,
                    },
                )
            })
        });
        let children = self
            .children_of(i as u32)
            .iter()
            .copied()
            .filter(wanted)
            .map(|c| (c, Reason::Child));
        let mut seen: HashSet<u32, FnvBuild> = HashSet::default();
        own.chain(inherited)
            .chain(children)
            .filter(move |(t, _)| seen.insert(*t))
            .map(|(t, reason)| Wait {
                target: self.target(t),
                reason,
            })
    }

    /// Everything task `i` waits for, resolved or not. Walks the task's
    /// ancestors: the cost is the depth and the waits found.
    pub fn waits_for(&self, i: usize) -> Vec<Wait> {
        self.waits(i, false).collect()
    }

    /// What task `i` still waits for: unresolved tasks and ids that name no
    /// task (a dangling reference holds its task back until it is fixed).
    /// Lazy: taking the first few costs only as much as finding them.
    pub fn open_waits(&self, i: usize) -> impl Iterator<Item = Wait> + '_ {
        let none = self.open_count[i] == 0;
        self.waits(i, true).take(if none { 0 } else { usize::MAX })
    }

    /// How many different open things task `i` waits for.
    pub fn open_wait_count(&self, i: usize) -> usize {
        self.open_count[i] as usize
    }

    pub fn is_blocked(&self, i: usize) -> bool {
        self.open_count[i] > 0
    }

    /// The first [`LISTED`] of [`Graph::open_waits`], and how many more
    /// there are: what a message shows. Cheap for every task of a large
    /// set at once (`check`, gates), unlike walking each one's ancestors.
    pub fn first_open_waits(&self, i: usize) -> (Vec<Wait>, usize) {
        let total = self.open_count[i] as usize;
        if total == 0 {
            return (Vec::new(), 0);
        }
        let x = i as u32;
        // The task's own open blockers and its ancestors', as `listed`
        // keeps them: an entry of its own is one whose source is itself.
        let mut out: Vec<(u32, Reason)> = self
            .listed()
            .get(x)
            .iter()
            .map(|&(t, a)| {
                let reason = if a == x {
                    Reason::Blocker
                } else {
                    Reason::Inherited {
                        ancestor: a as usize,
                    }
                };
                (t, reason)
            })
            .collect();
        if out.len() < LISTED {
            // Everything the task and its ancestors are blocked by is in
            // `out` by now, so the children are compared with all of it.
            for &c in self.children_of(x) {
                if out.len() == LISTED {
                    break;
                }
                if self.open[c as usize] && !out.iter().any(|&(u, _)| u == c) {
                    out.push((c, Reason::Child));
                }
            }
        }
        debug_assert!(out.len() == total.min(LISTED), "{} of {total}", out.len());
        let more = total.saturating_sub(out.len());
        let waits = out
            .into_iter()
            .map(|(t, reason)| Wait {
                target: self.target(t),
                reason,
            })
            .collect();
        (waits, more)
    }

    /// The waits-for relation over the tasks `node_of` keeps (task index
    /// → node; `NONE` leaves a task out), without writing out what tasks
    /// inherit: one virtual node for each ancestry that names a kept task
    /// and that others inherit through (numbered from `first_virtual`),
    /// with edges task → its ancestry's node → each blocker and → the
    /// ancestry above. A task without children needs no node of its own:
    /// its edges go straight to its blockers and to its parent's node.
    /// Both the cycle search and the plan run over it. Only kept tasks
    /// that `holds` says hold back what waits for them are waited for (the
    /// plan leaves out waived gates; the cycle search keeps every task).
    pub(super) fn ancestry_graph(
        &self,
        node_of: &[u32],
        first_virtual: u32,
        holds: impl Fn(usize) -> bool,
    ) -> AncestryGraph {
        let f = &self.forest;
        let n = f.len();
        let kept = |t: u32| (t as usize) < n && node_of[t as usize] != NONE && holds(t as usize);
        let names_kept = |x: u32| self.own(x).iter().any(|&t| kept(t));
        // Nodes for the ancestries that name a kept task, parents before
        // children; an ancestry that names none leads nowhere.
        let mut via = vec![NONE; n];
        let mut nodes = first_virtual;
        for l in 0..f.loops.count() {
            let members = f.loops.get(l);
            if members.iter().any(|&m| names_kept(m)) {
                via[members[0] as usize] = nodes;
                nodes += 1;
            }
        }
        let above = |x: u32, via: &[u32]| match f.parent[x as usize] {
            NONE => NONE,
            p => via[f.canonical(p) as usize],
        };
        for &x in &f.order {
            if f.loop_of[x as usize] == NONE
                && !self.children_of(x).is_empty()
                && (above(x, &via) != NONE || names_kept(x))
            {
                via[x as usize] = nodes;
                nodes += 1;
            }
        }
        let mut edges: Vec<(u32, u32)> = Vec::new();
        let blockers = |from: u32, x: u32, edges: &mut Vec<(u32, u32)>| {
            let targets = self.own(x).iter().filter(|&&t| kept(t));
            edges.extend(targets.map(|&t| (from, node_of[t as usize])));
        };
        for x in 0..n as u32 {
            let v = via[x as usize];
            if v != NONE {
                match f.loop_of[x as usize] {
                    NONE => {
                        let up = above(x, &via);
                        if up != NONE {
                            edges.push((v, up));
                        }
                        blockers(v, x, &mut edges);
                    }
                    l => {
                        for &m in f.loops.get(l as usize) {
                            blockers(v, m, &mut edges);
                        }
                    }
                }
            }
            let k = node_of[x as usize];
            if k == NONE {
                continue;
            }
            if f.loop_of[x as usize] == NONE && self.children_of(x).is_empty() {
                blockers(k, x, &mut edges);
                let up = above(x, &via);
                if up != NONE {
                    edges.push((k, up));
                }
                continue;
            }
            let up = via[f.canonical(x) as usize];
            if up != NONE {
                edges.push((k, up));
            }
            for &c in self.children_of(x) {
                if kept(c) {
                    edges.push((k, node_of[c as usize]));
                }
            }
        }
        AncestryGraph {
            nodes: nodes as usize,
            via,
            edges,
        }
    }

    fn listed(&self) -> &Prefixes {
        self.listed.get_or_init(|| self.make_prefixes())
    }

    /// Each task's first [`LISTED`] open waits of its own and its ancestors':
    /// its own open blockers, then its parent's list less what is already
    /// there. Taking only the first few of the parent's is enough: at most
    /// as many of them can repeat as the task has blockers of its own.
    fn make_prefixes(&self) -> Prefixes {
        let f = &self.forest;
        let mut out = Prefixes {
            span: vec![(0, 0); f.len()],
            items: Vec::new(),
        };
        let mut buf: Vec<(u32, u32)> = Vec::with_capacity(LISTED);
        let mut compute = |x: u32, out: &mut Prefixes| {
            buf.clear();
            for &t in self.own(x) {
                if buf.len() == LISTED {
                    break;
                }
                if self.open[t as usize] {
                    buf.push((t, x));
                }
            }
            if buf.len() < LISTED {
                let p = f.parent[x as usize];
                if p != NONE {
                    let on_loop = f.loop_of[x as usize] != NONE;
                    for &(t, a) in out.get(p) {
                        // Round a loop, x's own blockers come back last.
                        if buf.len() == LISTED || (on_loop && a == x) {
                            break;
                        }
                        if !buf.iter().any(|&(u, _)| u == t) {
                            buf.push((t, a));
                        }
                    }
                }
            }
            out.span[x as usize] = (out.items.len() as u32, buf.len() as u8);
            out.items.extend_from_slice(&buf);
        };
        // Round each loop twice, from the far end: the first time round
        // sets the list of the loop's first task, which the second time
        // round the others build on. Lists of the first round are left
        // behind in `items`; they are few.
        for l in 0..f.loops.count() {
            let members = f.loops.get(l);
            for _ in 0..2 {
                for &m in members.iter().rev() {
                    compute(m, &mut out);
                }
            }
        }
        for &x in &f.order {
            if f.loop_of[x as usize] == NONE {
                compute(x, &mut out);
            }
        }
        out
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

    /// What task `i` still waits for, one plain line each: at most
    /// [`LISTED`] of them, then `and N more` when there are more.
    pub fn open_wait_lines(&self, i: usize) -> Vec<String> {
        let (waits, more) = self.first_open_waits(i);
        self.wait_lines(&waits, more)
    }

    /// The waits of [`Graph::first_open_waits`], one plain line each, then
    /// `and N more` when there are more.
    pub fn wait_lines(&self, waits: &[Wait], more: usize) -> Vec<String> {
        let tasks = self.set.tasks();
        let mut lines: Vec<String> = waits
            .iter()
            .map(|w| self.describe_wait(w, |j| tasks[j].id.to_string(), str::to_owned))
            .collect();
        if more > 0 {
            lines.push(format!("and {more} more"));
        }
        lines
    }

    /// The state a person should see: [`State::Blocked`] for an
    /// unresolved task that waits for something open, else the task's
    /// status.
    pub fn state(&self, i: usize) -> State {
        let task = self.task(i);
        if !task.is_resolved() && self.is_blocked(i) {
            State::Blocked
        } else {
            State::of(task.status)
        }
    }

    /// Pending and waiting for nothing unresolved.
    pub fn is_ready(&self, i: usize) -> bool {
        self.task(i).status == Status::Pending && !self.is_blocked(i)
    }

    /// The tasks that can start now, most urgent first by [`urgency`]:
    /// priority, then due date, then slack on the critical path (least
    /// first), then creation time, then id. With a cycle there is no
    /// critical path, and slack is left out.
    pub fn ready(&self) -> Vec<usize> {
        self.ready_in(Open::acyclic(self).as_ref())
    }

    /// [`Graph::ready`] with the plan of this graph already made (`None`
    /// when it has a cycle).
    pub fn ready_in(&self, open: Option<&Open>) -> Vec<usize> {
        let mut ready: Vec<usize> = (0..self.forest.len())
            .filter(|&i| self.is_ready(i))
            .collect();
        let timing = open.map(|open| open.critical_path().timing);
        let slack = |i: usize| timing.as_ref().and_then(|t| t[i]).map_or(0, |t| t.slack);
        sort_by_urgency(self.set.tasks(), &mut ready, slack);
        ready
    }

    /// Unresolved tasks held back by something, most urgent first: the
    /// order of [`urgency`] without slack.
    pub fn blocked(&self) -> Vec<usize> {
        let mut blocked: Vec<usize> = (0..self.forest.len())
            .filter(|&i| self.state(i) == State::Blocked)
            .collect();
        sort_by_urgency(self.set.tasks(), &mut blocked, |_| 0);
        blocked
    }

    /// The ancestors of task `i`, nearest first, stopping at a missing parent
    /// or a loop in the parent chain.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        self.forest
            .ancestors(i as u32)
            .map(|a| a as usize)
            .collect()
    }
}

/// Whether what waits for `task` may go ahead: it is resolved (completed
/// or cancelled), or it is a gate with a waiver. A waived gate is yellow,
/// "proceed with a recorded risk": the gate itself stays open, but what
/// it holds is released, for `ready`, `blocked`, the plan and `done`.
pub fn releases(task: &Task) -> bool {
    task.is_resolved() || (task.gate.is_some() && task.waiver.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::set;

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
    fn states_are_statuses_except_blocked_and_pending_means_ready() {
        let s = set(&[
            ("a", ""),
            ("b", "blocked_by = [\"a\"]"),
            ("c", "blocked_by = [\"a\"];status = \"in_progress\""),
            ("d", "status = \"in_progress\""),
            ("e", "blocked_by = [\"a\"];status = \"completed\""),
            ("f", "status = \"cancelled\""),
        ]);
        let g = Graph::new(&s);
        let states: Vec<State> = (0..s.len()).map(|i| g.state(i)).collect();
        assert_eq!(
            states,
            [
                State::Pending,
                State::Blocked,
                State::Blocked,
                State::InProgress,
                State::Completed,
                State::Cancelled
            ]
        );
        for i in 0..s.len() {
            assert_eq!(g.is_ready(i), g.state(i) == State::Pending, "{i}");
        }
        // Shown and written as the status words, and `blocked`.
        let words: Vec<String> = states.iter().map(|s| format!("{s:<8}|")).collect();
        assert_eq!(
            words,
            [
                "pending |",
                "blocked |",
                "blocked |",
                "in_progress|",
                "completed|",
                "cancelled|"
            ]
        );
        assert_eq!(
            serde_json::to_value(states).unwrap(),
            serde_json::json!([
                "pending",
                "blocked",
                "blocked",
                "in_progress",
                "completed",
                "cancelled"
            ])
        );
        for status in Status::ALL {
            assert_eq!(State::of(*status).as_str(), status.as_str());
        }
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
