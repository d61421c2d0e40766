//! Planning over the unresolved tasks: waves, the critical path with slack
//! for every task, and a schedule for N workers.
//!
//! The plan runs over a DAG of the unresolved tasks in which what a task
//! inherits from its ancestors is not written out as edges: as in
//! [`super::cycles`], one *virtual* node per ancestry stands for what it
//! is blocked by. An edge runs from a prerequisite to what waits for it:
//!
//! ```text
//! blocker b ──▶ A(x) for each x whose own blocked_by names b
//! A(parent of x) ──▶ A(x)
//! A(x) ──▶ task x
//! child c ──▶ its parent
//! ```
//!
//! (A task without children has no virtual node: its blockers and its
//! parent's node lead to it directly.)
//!
//! A task reaches another through virtual nodes only exactly when it is a
//! prerequisite of it, so the answers are those of the written-out DAG.
//! Virtual nodes cost no work, finish the moment what comes before them
//! has, take no worker and are in no wave.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta, Weekday};

use super::Graph;
use super::forest::{Lists, NONE};
use crate::task::{Estimate, Status};

/// Work minutes a task counts for when it has no estimate: one day.
pub const DEFAULT_MINUTES: u64 = Estimate::MINUTES_PER_DAY;

/// The unresolved tasks as a DAG, with virtual nodes for what they inherit
/// (see the module's documentation). Built only when the waits-for
/// relation among unresolved tasks has no cycle.
#[derive(Debug)]
pub struct Open<'g> {
    graph: &'g Graph<'g>,
    /// By node: its task, or `NONE` for a virtual node. Nodes
    /// `0..tasks` are the unresolved tasks in task order; the virtual
    /// nodes follow.
    task_of: Vec<u32>,
    /// By task: its node, or `NONE` for a resolved task.
    node_of: Vec<u32>,
    tasks: usize,
    /// By node: the edges to what waits for it, and from what it waits for.
    after: Lists,
    before: Lists,
    /// Nodes in topological order, prerequisites first.
    order: Vec<u32>,
    /// By node: work minutes, and whether that is the 1d default.
    minutes: Vec<u64>,
    unestimated: Vec<bool>,
}

/// The waits-for relation has cycles; each is a path of task indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycles(pub Vec<Vec<usize>>);

impl<'g> Open<'g> {
    /// Builds the DAG of unresolved tasks. Edges to resolved tasks are
    /// satisfied and dropped; ids that name no task are left to `check`.
    ///
    /// A task's work is [`Graph::work`]. A waived gate is planned like any
    /// open task, but what waits for it does not wait for it here.
    pub fn new(graph: &'g Graph<'g>) -> Result<Open<'g>, Cycles> {
        Open::acyclic(graph).ok_or_else(|| Cycles(graph.cycles()))
    }

    /// [`Open::new`] for callers that do without a plan when there is a
    /// cycle: the cycles are not looked for.
    pub fn acyclic(graph: &'g Graph<'g>) -> Option<Open<'g>> {
        let tasks = graph.tasks().tasks();
        let n = tasks.len();
        let mut task_of: Vec<u32> = Vec::new();
        let mut node_of = vec![NONE; n];
        let mut minutes = Vec::new();
        let mut unestimated = Vec::new();
        for (i, task) in tasks.iter().enumerate() {
            if task.is_resolved() {
                continue;
            }
            node_of[i] = task_of.len() as u32;
            task_of.push(i as u32);
            let (m, flagged) = graph.work(i);
            minutes.push(m);
            unestimated.push(flagged);
        }
        let open_tasks = task_of.len();

        // The virtual nodes come after the unresolved tasks' nodes, cost
        // no work and count as no wave. Edges run from what is waited for
        // to what waits.
        // A waived gate is still work to plan, but nothing waits for it.
        let ancestry = graph.ancestry_graph(&node_of, open_tasks as u32, |t| graph.holds_back(t));
        let nodes = ancestry.nodes;
        task_of.resize(nodes, NONE);
        minutes.resize(nodes, 0);
        unestimated.resize(nodes, false);
        let waits = ancestry.edges;
        let edges: Vec<(u32, u32)> = waits.iter().map(|&(a, b)| (b, a)).collect();
        let after = Lists::from_pairs(nodes, &edges);
        let before = Lists::from_pairs(nodes, &waits);

        // Kahn's algorithm: a node is taken once all it waits for is.
        let mut waiting: Vec<u32> = (0..nodes).map(|k| before.get(k).len() as u32).collect();
        let mut order: Vec<u32> = (0..nodes as u32)
            .filter(|&k| waiting[k as usize] == 0)
            .collect();
        let mut next = 0;
        while next < order.len() {
            let k = order[next];
            next += 1;
            for &m in after.get(k as usize) {
                waiting[m as usize] -= 1;
                if waiting[m as usize] == 0 {
                    order.push(m);
                }
            }
        }
        if order.len() < nodes {
            return None;
        }
        Some(Open {
            graph,
            task_of,
            node_of,
            tasks: open_tasks,
            after,
            before,
            order,
            minutes,
            unestimated,
        })
    }

    /// How many unresolved tasks there are.
    pub fn len(&self) -> usize {
        self.tasks
    }

    pub fn is_empty(&self) -> bool {
        self.tasks == 0
    }

    fn is_task(&self, k: u32) -> bool {
        (k as usize) < self.tasks
    }

    /// The task index of a task node.
    fn task(&self, k: u32) -> usize {
        self.task_of[k as usize] as usize
    }

    /// Whether task `i` is unresolved (part of the plan).
    pub fn contains(&self, i: usize) -> bool {
        self.node_of.get(i).is_some_and(|&k| k != NONE)
    }

    /// Work minutes task `i` counts for, and whether that is the default.
    pub fn work(&self, i: usize) -> Option<(u64, bool)> {
        let k = *self.node_of.get(i).filter(|&&k| k != NONE)? as usize;
        Some((self.minutes[k], self.unestimated[k]))
    }

    /// The unresolved tasks that task `i` waits for directly, by index.
    /// Walks back through what it inherits: the cost is that part of the
    /// graph.
    pub fn prerequisites(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.neighbours(i, &self.before).into_iter()
    }

    /// The unresolved tasks that wait for task `i` directly, by index.
    pub fn dependents(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.neighbours(i, &self.after).into_iter()
    }

    /// The tasks one step away along `lists`, passing through virtual
    /// nodes, each once, sorted.
    fn neighbours(&self, i: usize, lists: &Lists) -> Vec<usize> {
        let mut out = Vec::new();
        let Some(&k) = self.node_of.get(i).filter(|&&k| k != NONE) else {
            return out;
        };
        let mut seen: HashSet<u32> = HashSet::new();
        let mut stack: Vec<u32> = lists.get(k as usize).to_vec();
        while let Some(m) = stack.pop() {
            if !seen.insert(m) {
                continue;
            }
            if self.is_task(m) {
                out.push(self.task(m));
            } else {
                stack.extend_from_slice(lists.get(m as usize));
            }
        }
        out.sort_unstable();
        out
    }

    /// The unresolved tasks in the order work flows: each after everything
    /// it waits for, and of the tasks free to come next always the one
    /// with the smallest index.
    pub fn flow_order(&self) -> Vec<usize> {
        let mut waiting: Vec<u32> = (0..self.task_of.len())
            .map(|k| self.before.get(k).len() as u32)
            .collect();
        // Task nodes follow task order, so the smallest node is the
        // smallest index.
        let mut free: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
        let mut passing: Vec<u32> = Vec::new();
        for (k, &w) in waiting.iter().enumerate() {
            match (w, self.is_task(k as u32)) {
                (0, true) => free.push(Reverse(k as u32)),
                (0, false) => passing.push(k as u32),
                _ => {}
            }
        }
        let mut out = Vec::with_capacity(self.tasks);
        loop {
            // Virtual nodes pass on at once; then the smallest free task.
            let k = match passing.pop() {
                Some(v) => v,
                None => match free.pop() {
                    Some(Reverse(k)) => {
                        out.push(self.task(k));
                        k
                    }
                    None => break,
                },
            };
            for &m in self.after.get(k as usize) {
                waiting[m as usize] -= 1;
                if waiting[m as usize] == 0 {
                    if self.is_task(m) {
                        free.push(Reverse(m));
                    } else {
                        passing.push(m);
                    }
                }
            }
        }
        out
    }

    /// For tracks: by task, how many different unresolved tasks it waits
    /// for directly, and how many wait for it.
    pub(super) fn degrees(&self) -> (Vec<u32>, Vec<u32>) {
        let g = self.graph;
        let unresolved: Vec<bool> = (0..g.open.len())
            .map(|t| t < self.node_of.len() && self.node_of[t] != NONE)
            .collect();
        // What is waited for: unresolved tasks that hold back (not waived
        // gates); nothing waits for a waived gate.
        let holding: Vec<bool> = (0..g.open.len())
            .map(|t| unresolved[t] && g.open[t])
            .collect();
        let mut dependents = g.count_dependents(&unresolved);
        for (t, d) in dependents.iter_mut().enumerate() {
            if unresolved[t] && !holding[t] {
                *d = 0;
            }
        }
        (g.count_waits(&holding).0, dependents)
    }

    /// Nodes with edges to and from them, for tracks: every task, and the
    /// virtual nodes that lead to a task (they all come from one).
    pub(super) fn joining(&self) -> Vec<bool> {
        let mut joins = vec![false; self.task_of.len()];
        for &k in self.order.iter().rev() {
            joins[k as usize] = self.is_task(k)
                || self
                    .after
                    .get(k as usize)
                    .iter()
                    .any(|&m| self.is_task(m) || joins[m as usize]);
        }
        joins
    }

    /// Every node and the nodes it leads to.
    pub(super) fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.task_of.len() as u32)
            .flat_map(move |k| self.after.get(k as usize).iter().map(move |&m| (k, m)))
    }

    /// The task nodes, in task order.
    pub(super) fn task_nodes(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        (0..self.tasks as u32).map(|k| (k, self.task(k)))
    }

    pub(super) fn node_count(&self) -> usize {
        self.task_of.len()
    }

    /// The most a node's predecessors give it: `value` of each task before
    /// it and `through` of each virtual node.
    fn most_before(&self, k: u32, task: impl Fn(u32) -> u64, through: impl Fn(u32) -> u64) -> u64 {
        self.before
            .get(k as usize)
            .iter()
            .map(|&p| if self.is_task(p) { task(p) } else { through(p) })
            .max()
            .unwrap_or(0)
    }

    /// Layers in which each task waits only for earlier layers. Wave 1 is
    /// what can run in parallel now. Each wave is sorted by task index.
    pub fn waves(&self) -> Vec<Vec<usize>> {
        // By node: a task's wave, or for a virtual node the wave a task
        // after it can be in at the earliest.
        let mut level = vec![0u64; self.task_of.len()];
        let mut waves: Vec<Vec<usize>> = Vec::new();
        for &k in &self.order {
            let l = self.most_before(k, |p| level[p as usize] + 1, |p| level[p as usize]);
            level[k as usize] = l;
            if self.is_task(k) {
                let l = l as usize;
                if waves.len() <= l {
                    waves.resize_with(l + 1, Vec::new);
                }
                waves[l].push(self.task(k));
            }
        }
        for wave in &mut waves {
            wave.sort_unstable();
        }
        waves
    }

    /// Earliest and latest start, slack and the critical path.
    pub fn critical_path(&self) -> CriticalPath {
        let count = self.task_of.len();
        let minutes = &self.minutes;
        let mut es = vec![0u64; count];
        for &k in &self.order {
            let start = self
                .before
                .get(k as usize)
                .iter()
                .map(|&p| es[p as usize].saturating_add(minutes[p as usize]))
                .max()
                .unwrap_or(0);
            es[k as usize] = start;
        }
        let finish = |k: usize| es[k].saturating_add(minutes[k]);
        let length = (0..self.tasks).map(finish).max().unwrap_or(0);
        let mut lf = vec![length; count];
        for &k in self.order.iter().rev() {
            if let Some(f) = self
                .after
                .get(k as usize)
                .iter()
                .map(|&m| lf[m as usize] - minutes[m as usize])
                .min()
            {
                lf[k as usize] = f;
            }
        }
        // A prerequisite is on the path when it finishes exactly when its
        // dependent starts, with no slack. Behind a virtual node only tasks
        // that finish when the virtual node does can be: for each, the
        // smallest such task, from the virtual nodes before it.
        let critical = |p: usize, at: u64| finish(p) == at && lf[p] == at;
        // The smallest critical task among what node `k` waits for, looking
        // through virtual nodes by what `best` holds for them.
        let critical_before = |k: u32, best: &[u32]| {
            let at = es[k as usize];
            self.before
                .get(k as usize)
                .iter()
                .filter_map(|&p| match self.is_task(p) {
                    true => critical(p as usize, at).then(|| self.task(p) as u32),
                    false => (es[p as usize] == at).then_some(best[p as usize]),
                })
                .filter(|&t| t != NONE)
                .min()
        };
        let mut best = vec![NONE; count];
        for &k in &self.order {
            if !self.is_task(k) {
                best[k as usize] = critical_before(k, &best).unwrap_or(NONE);
            }
        }
        // The path: from the task that finishes last (fewest-index on ties)
        // back through prerequisites that finish exactly when it starts.
        // Tasks of no work that wait for it and finish with it (a gate, a
        // checkpoint at the end) end the path after it: their slack is
        // zero too.
        let mut path = Vec::new();
        let mut end = (0..self.tasks)
            .filter(|&k| finish(k) == length)
            .min_by_key(|&k| self.task(k as u32));
        while let Some(k) = end {
            let next = self
                .dependents(self.task(k as u32))
                .map(|t| self.node_of[t] as usize)
                .find(|&m| minutes[m] == 0 && es[m] == length);
            match next {
                Some(m) => end = Some(m),
                None => break,
            }
        }
        let mut current = end.map(|k| k as u32);
        while let Some(k) = current {
            path.push(self.task(k));
            current = critical_before(k, &best).map(|t| self.node_of[t as usize]);
        }
        path.reverse();
        let mut timing = vec![None; self.node_of.len()];
        for k in 0..self.tasks {
            let ls = lf[k] - minutes[k];
            timing[self.task(k as u32)] = Some(Timing {
                earliest_start: es[k],
                earliest_finish: finish(k),
                latest_start: ls,
                latest_finish: lf[k],
                slack: ls - es[k],
                minutes: minutes[k],
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
    /// the ready task that comes first by [`urgency`] (priority, due
    /// date, slack, creation, id); work in progress is taken before any.
    /// Tasks that count no work (unestimated parents and gates) finish the
    /// moment they are ready.
    pub fn schedule(&self, graph: &Graph, cp: &CriticalPath, workers: usize) -> Schedule {
        let workers = workers.max(1);
        let tasks = graph.tasks().tasks();
        let count = self.task_of.len();
        let slack = |i: usize| cp.timing[i].map_or(0, |x| x.slack);
        // Each task node's place in the urgency order, worked out once.
        let mut by_rank: Vec<usize> = (0..self.tasks).collect();
        by_rank.sort_by_cached_key(|&k| {
            let i = self.task(k as u32);
            (urgency(&tasks[i], slack(i)), i)
        });
        let mut rank = vec![0usize; self.tasks];
        for (r, &k) in by_rank.iter().enumerate() {
            rank[k] = r;
        }
        // Smallest first: work in progress, then the urgency order.
        let key = |k: usize| {
            let t = &tasks[self.task(k as u32)];
            Reverse((t.status != Status::InProgress, rank[k], k))
        };
        let mut waiting: Vec<usize> = (0..count).map(|k| self.before.get(k).len()).collect();
        let mut ready = BinaryHeap::new();
        // Nodes that have become ready and count no work: they finish at
        // once (virtual nodes, and tasks without work of their own).
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
                if self.is_task(k as u32) {
                    slots[self.task(k as u32)] = Some(Slot {
                        worker: None,
                        start: now,
                        end: now,
                    });
                }
                k
            } else {
                while !ready.is_empty() && !free.is_empty() {
                    let (Some(Reverse((.., k))), Some(Reverse(worker))) = (ready.pop(), free.pop())
                    else {
                        break;
                    };
                    let end = now.saturating_add(self.minutes[k]);
                    running.push(Reverse((end, worker, k)));
                    slots[self.task(k as u32)] = Some(Slot {
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
            for &m in self.after.get(completed) {
                let m = m as usize;
                waiting[m] -= 1;
                if waiting[m] == 0 {
                    if self.minutes[m] == 0 {
                        instant.push(m);
                    } else {
                        ready.push(key(m));
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

/// When a task can start and finish, in work minutes from now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub earliest_start: u64,
    pub earliest_finish: u64,
    pub latest_start: u64,
    pub latest_finish: u64,
    /// How long it can slip without delaying the end: 0 on the critical path.
    pub slack: u64,
    pub minutes: u64,
    pub unestimated: bool,
}

impl Timing {
    /// On the critical path: it cannot slip without delaying the end. A
    /// checkpoint (a gate, a parent) of no work counts too.
    pub fn is_critical(&self) -> bool {
        self.slack == 0
    }
}

/// The longest chain of unresolved work, and every task's timing.
#[derive(Debug, Clone)]
pub struct CriticalPath {
    /// Work minutes from now until everything is done, with unlimited people.
    pub length: u64,
    /// Task indices along the critical path, first to last.
    pub path: Vec<usize>,
    /// By task index; `None` for resolved tasks.
    pub timing: Vec<Option<Timing>>,
}

/// One task's place in a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// The worker (0-based); `None` for a task with no work of its own.
    pub worker: Option<usize>,
    pub start: u64,
    pub end: u64,
}

/// Work assigned to N workers.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub workers: usize,
    /// Work minutes from now until the last task ends.
    pub finish: u64,
    /// By task index; `None` for resolved tasks.
    pub slots: Vec<Option<Slot>>,
}

/// A task the schedule ends after its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Late {
    /// The task, by index.
    pub task: usize,
    /// Its due date.
    pub due: NaiveDate,
    /// The working day the schedule ends it on; `None` past
    /// [`Calendar::LAST_DAY`].
    pub projected_end: Option<NaiveDate>,
}

impl Schedule {
    /// The scheduled tasks with their slots, by start, then by index: the
    /// order a chart draws them in.
    pub fn by_start(&self) -> Vec<(usize, Slot)> {
        let mut order: Vec<(usize, Slot)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|s| (i, s)))
            .collect();
        order.sort_by_key(|&(i, s)| (s.start, i));
        order
    }

    /// The scheduled tasks of `tasks` (the set the schedule was made
    /// for) that end on `calendar` after their due date, by index. Work
    /// that ends past the calendar's last day is late whatever its due
    /// date, since no due date is later than that.
    pub fn late(&self, tasks: &[crate::Task], calendar: &Calendar) -> Vec<Late> {
        self.slots
            .iter()
            .zip(tasks)
            .enumerate()
            .filter_map(|(i, (slot, task))| {
                let slot = (*slot)?;
                let due = task.due?;
                let projected_end = calendar.date(slot.end);
                let late = projected_end.is_none_or(|end| end > due);
                late.then_some(Late {
                    task: i,
                    due,
                    projected_end,
                })
            })
            .collect()
    }
}

/// The working calendar that turns work minutes into local dates and
/// times: 8-hour days, Monday to Friday, 09:00 to 17:00. Work starts
/// `offset` minutes into the working day `start` (moved to Monday when it
/// falls on a weekend); [`Calendar::from_now`] makes the calendar whose
/// work starts now.
///
/// Dates are computed, not counted out a day at a time, and never past
/// [`Calendar::LAST_DAY`]: a time after it is `None`, which the CLI shows
/// as "after 9999-12-31" (and JSON as `null`).
#[derive(Debug, Clone, Copy)]
pub struct Calendar {
    pub start: NaiveDate,
    /// Working minutes of the first day already gone, below a day's.
    pub offset: u64,
}

impl Calendar {
    pub const DAY_START_HOUR: u32 = 9;

    /// The last day the calendar gives a date for. Four-digit years keep
    /// every date in the form other tools read, and a plan that ends
    /// later than that is not one to hold anyone to.
    pub const LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
        Some(day) => day,
        None => NaiveDate::MAX,
    };

    /// The calendar whose work starts at local time `now`: before 09:00 on
    /// a working day, at 09:00 that day; during the working day, at `now`
    /// (to the minute); after 17:00 or on a weekend, at 09:00 on the next
    /// working day.
    pub fn from_now(now: NaiveDateTime) -> Calendar {
        let date = now.date();
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let day_start = date
            .and_hms_opt(Calendar::DAY_START_HOUR, 0, 0)
            .expect("09:00 exists");
        let into = (now - day_start).num_minutes();
        match u64::try_from(into) {
            Ok(m) if !weekend && m < Estimate::MINUTES_PER_DAY => Calendar {
                start: date,
                offset: m,
            },
            // After the working day: the next day (moved past a weekend).
            Ok(_) if !weekend => Calendar {
                start: date.succ_opt().unwrap_or(date),
                offset: 0,
            },
            _ => Calendar {
                start: date,
                offset: 0,
            },
        }
    }

    fn first_workday(date: NaiveDate) -> Option<NaiveDate> {
        let skip = match date.weekday() {
            Weekday::Sat => 2,
            Weekday::Sun => 1,
            _ => 0,
        };
        date.checked_add_days(Days::new(skip))
    }

    /// When work that starts after `minutes` of work starts: a start at
    /// the end of a day is the next working day at 09:00.
    pub fn start_at(&self, minutes: u64) -> Option<NaiveDateTime> {
        let minutes = minutes.checked_add(self.offset)?;
        self.on_day(
            minutes / Estimate::MINUTES_PER_DAY,
            minutes % Estimate::MINUTES_PER_DAY,
        )
    }

    /// When `minutes` of work are done: work that ends exactly at the end of
    /// a day ends that day at 17:00.
    pub fn end_at(&self, minutes: u64) -> Option<NaiveDateTime> {
        let per_day = Estimate::MINUTES_PER_DAY;
        let minutes = minutes.checked_add(self.offset)?;
        match (minutes / per_day, minutes % per_day) {
            (days, 0) if days > 0 => self.on_day(days - 1, per_day),
            (days, rest) => self.on_day(days, rest),
        }
    }

    /// `rest` minutes into the working day `days` after the start: whole
    /// weeks of five working days, then the days left, stepping over the
    /// weekend when they reach it.
    fn on_day(&self, days: u64, rest: u64) -> Option<NaiveDateTime> {
        let first = Calendar::first_workday(self.start)?;
        let weekday = u64::from(first.weekday().num_days_from_monday());
        let (weeks, extra) = (days / 5, days % 5);
        let weekend = if weekday + extra >= 5 { 2 } else { 0 };
        let span = weeks.checked_mul(7)?.checked_add(extra + weekend)?;
        let date = first.checked_add_days(Days::new(span))?;
        if date > Calendar::LAST_DAY {
            return None;
        }
        let rest = TimeDelta::try_minutes(i64::try_from(rest).ok()?)?;
        date.and_hms_opt(Calendar::DAY_START_HOUR, 0, 0)?
            .checked_add_signed(rest)
    }

    /// The working day on which `minutes` of work are done.
    pub fn date(&self, minutes: u64) -> Option<NaiveDate> {
        self.end_at(minutes).map(|t| t.date())
    }
}

/// The key of the order among tasks competing for attention, most urgent
/// first: the order of `ready`, and the order in which the schedule hands
/// ready work to a free worker (after work already in progress).
///
/// 1. priority, highest first: what people say matters most;
/// 2. due date, soonest first, tasks without one after those with one: a
///    deadline is a promise, and work on time is taken before it slips;
/// 3. slack on the critical path, least first: of equally urgent work,
///    what would delay the end goes first;
/// 4. creation time, earliest first (unknown last);
/// 5. id: a task set is sorted by id, so callers add the task's index,
///    which orders the same with no string comparison.
pub fn urgency(task: &crate::Task, slack: u64) -> Urgency {
    (
        task.priority,
        (task.due.is_none(), task.due.unwrap_or(NaiveDate::MAX)),
        slack,
        (
            task.created.is_none(),
            task.created
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC),
        ),
    )
}

/// What [`urgency`] returns.
pub type Urgency = (
    crate::task::Priority,
    (bool, NaiveDate),
    u64,
    (bool, chrono::DateTime<chrono::Utc>),
);

/// `indices` of `tasks` (a set sorted by id), most urgent first by
/// [`urgency`].
pub fn sort_by_urgency(tasks: &[crate::Task], indices: &mut [usize], slack: impl Fn(usize) -> u64) {
    indices.sort_by_cached_key(|&i| (urgency(&tasks[i], slack(i)), i));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_tasks_end_after_their_due_date() {
        let set = crate::testing::set(&[
            ("a", "estimate = \"2d\"\ndue = 2026-11-23"),
            (
                "b",
                "estimate = \"1d\"\ndue = 2026-11-23\nblocked_by = [\"a\"]",
            ),
            ("c", "estimate = \"1d\"\nblocked_by = [\"a\"]"),
            ("d", "due = 2026-11-01\nstatus = \"completed\""),
        ]);
        let graph = Graph::new(&set);
        let open = Open::new(&graph).unwrap();
        let cp = open.critical_path();
        let schedule = open.schedule(&graph, &cp, 1);
        // 2026-11-20 is a Friday: a ends on Monday, its due day; b, due
        // then too, goes before c (urgency: it has a due date) and ends
        // on Tuesday. c has no due date; d is resolved.
        let calendar = Calendar {
            start: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            offset: 0,
        };
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(
            schedule.late(set.tasks(), &calendar),
            [Late {
                task: set.index_of("b").unwrap(),
                due: day(23),
                projected_end: Some(day(24)),
            }]
        );
        // Started on Tuesday instead, a is late too.
        let tuesday = Calendar {
            start: day(24),
            offset: 0,
        };
        let late: Vec<usize> = schedule
            .late(set.tasks(), &tuesday)
            .iter()
            .map(|l| l.task)
            .collect();
        assert_eq!(
            late,
            [set.index_of("a").unwrap(), set.index_of("b").unwrap()]
        );
    }

    #[test]
    fn the_calendar_skips_weekends_and_ends_days_at_five() {
        // 2026-11-20 is a Friday.
        let c = Calendar {
            start: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            offset: 0,
        };
        let fmt = |t: Option<chrono::NaiveDateTime>| t.unwrap().format("%a %H:%M").to_string();
        assert_eq!(fmt(c.start_at(0)), "Fri 09:00");
        assert_eq!(fmt(c.end_at(480)), "Fri 17:00");
        assert_eq!(fmt(c.start_at(480)), "Mon 09:00");
        assert_eq!(fmt(c.end_at(600)), "Mon 11:00");
        let saturday = Calendar {
            start: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            offset: 0,
        };
        assert_eq!(fmt(saturday.start_at(0)), "Mon 09:00");
    }

    #[test]
    fn the_calendar_starts_now_within_working_hours() {
        let at = |text: &str| {
            Calendar::from_now(NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap())
        };
        let fmt = |t: Option<chrono::NaiveDateTime>| t.unwrap().format("%a %H:%M").to_string();
        // Friday 2026-11-20: before, during and after the working day.
        assert_eq!(fmt(at("2026-11-20 07:15").start_at(0)), "Fri 09:00");
        let afternoon = at("2026-11-20 16:30");
        assert_eq!(fmt(afternoon.start_at(0)), "Fri 16:30");
        assert_eq!(fmt(afternoon.end_at(30)), "Fri 17:00");
        assert_eq!(fmt(afternoon.start_at(30)), "Mon 09:00");
        assert_eq!(fmt(afternoon.end_at(60)), "Mon 09:30");
        assert_eq!(fmt(at("2026-11-20 17:00").start_at(0)), "Mon 09:00");
        assert_eq!(fmt(at("2026-11-19 18:00").end_at(30)), "Fri 09:30");
        assert_eq!(fmt(at("2026-11-22 12:00").end_at(30)), "Mon 09:30");
    }

    #[test]
    fn the_calendar_agrees_with_counting_day_by_day() {
        // What the calendar computes, counted out a day at a time.
        let counted = |start: NaiveDate, days: u64, rest: u64| {
            let workday = |mut d: NaiveDate| {
                while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                    d = d.succ_opt().unwrap();
                }
                d
            };
            let mut date = workday(start);
            for _ in 0..days {
                date = workday(date.succ_opt().unwrap());
            }
            date.and_hms_opt(9, 0, 0).unwrap() + TimeDelta::minutes(rest as i64)
        };
        let day = Estimate::MINUTES_PER_DAY;
        for offset in 0..7 {
            let start = NaiveDate::from_ymd_opt(2026, 11, 16 + offset).unwrap();
            let c = Calendar { start, offset: 0 };
            for days in 0..30 {
                for rest in [0, 1, 240, 479] {
                    let minutes = days * day + rest;
                    assert_eq!(c.start_at(minutes), Some(counted(start, days, rest)));
                }
                let end = if days == 0 {
                    counted(start, 0, 0)
                } else {
                    counted(start, days - 1, day)
                };
                assert_eq!(c.end_at(days * day), Some(end), "{start} {days}");
            }
        }
    }

    #[test]
    fn the_calendar_counts_weeks_and_stops_at_its_last_day() {
        // 2026-11-20 is a Friday: ten weeks of work end on a Thursday.
        let c = Calendar {
            start: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            offset: 0,
        };
        let day = Estimate::MINUTES_PER_DAY;
        let end = c.end_at(50 * day).unwrap();
        assert_eq!(
            end.format("%a %Y-%m-%d %H:%M").to_string(),
            "Thu 2027-01-28 17:00"
        );
        // Work that ends on the last day has a date; a minute more has
        // none, and neither has any sum of estimates however large.
        assert!(c.date(u64::MAX / 2).is_none());
        let mut lo = 0u64;
        let mut hi = 10_000 * 260 * day;
        while lo + 1 < hi {
            let mid = lo + (hi - lo) / 2;
            if c.end_at(mid).is_some() {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        assert_eq!(c.date(lo), Some(Calendar::LAST_DAY));
        assert_eq!(c.end_at(lo + 1), None);
        assert_eq!(c.start_at(u64::MAX), None);
        assert_eq!(c.end_at(100_000 * Estimate::MAX_MINUTES), None);
    }
}
