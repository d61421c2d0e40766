//! Planning over the unresolved tasks: waves, the critical path with slack
//! for every task, and a schedule for N workers.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, TimeDelta, Weekday};
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use super::{Graph, Target};
use crate::task::{Estimate, Status};

/// Work minutes a task counts for when it has no estimate: one day.
pub const DEFAULT_MINUTES: u64 = Estimate::MINUTES_PER_DAY;

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

/// The waits-for relation has cycles; each is a path of task indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycles(pub Vec<Vec<usize>>);

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
                None if has_children[i] => (0, false),
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

    pub(crate) fn dag(&self) -> &DiGraph<usize, ()> {
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
        let end = (0..count)
            .filter(|&k| es[k] + self.minutes[k] == length)
            .min_by_key(|&k| self.dag[NodeIndex::new(k)]);
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
        // Smallest first: work in progress, least slack, highest priority,
        // earliest creation, then id (task indices follow ids).
        let key = |k: usize| {
            let i = self.task(NodeIndex::new(k));
            let t = &tasks[i];
            let slack = cp.timing[i].map_or(0, |x| x.slack);
            let created = t.created.map_or(i64::MAX, |c| c.timestamp());
            Reverse((
                t.status != Status::InProgress,
                slack,
                t.priority,
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

/// The working calendar that turns work minutes into dates: 8-hour days,
/// Monday to Friday, from 09:00, starting on `start` (moved to Monday when
/// it falls on a weekend).
///
/// Dates are computed, not counted out a day at a time, and never past
/// [`Calendar::LAST_DAY`]: a time after it is `None`, which the CLI shows
/// as "after 9999-12-31" (and JSON as `null`).
#[derive(Debug, Clone, Copy)]
pub struct Calendar {
    pub start: NaiveDate,
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
        self.on_day(
            minutes / Estimate::MINUTES_PER_DAY,
            minutes % Estimate::MINUTES_PER_DAY,
        )
    }

    /// When `minutes` of work are done: work that ends exactly at the end of
    /// a day ends that day at 17:00.
    pub fn end_at(&self, minutes: u64) -> Option<NaiveDateTime> {
        let per_day = Estimate::MINUTES_PER_DAY;
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

/// Compares two tasks for `ready`: priority, then slack, then creation.
pub(crate) fn by_urgency(
    a: (
        crate::task::Priority,
        u64,
        Option<chrono::DateTime<chrono::Utc>>,
    ),
    b: (
        crate::task::Priority,
        u64,
        Option<chrono::DateTime<chrono::Utc>>,
    ),
) -> Ordering {
    a.0.cmp(&b.0)
        .then(a.1.cmp(&b.1))
        .then_with(|| match (a.2, b.2) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_skips_weekends_and_ends_days_at_five() {
        // 2026-11-20 is a Friday.
        let c = Calendar {
            start: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        };
        let fmt = |t: Option<chrono::NaiveDateTime>| t.unwrap().format("%a %H:%M").to_string();
        assert_eq!(fmt(c.start_at(0)), "Fri 09:00");
        assert_eq!(fmt(c.end_at(480)), "Fri 17:00");
        assert_eq!(fmt(c.start_at(480)), "Mon 09:00");
        assert_eq!(fmt(c.end_at(600)), "Mon 11:00");
        let saturday = Calendar {
            start: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        };
        assert_eq!(fmt(saturday.start_at(0)), "Mon 09:00");
    }
}
