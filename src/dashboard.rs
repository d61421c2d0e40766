//! The answer `git task status` shows: tasks counted by status, progress
//! weighted by work, work in progress, what is overdue, what is ready or
//! blocked, and every gate's state in pipeline order.

use crate::facts::Facts;
use crate::gate::{GateReport, gate_state};
use crate::graph::{Graph, Open};
use crate::task::{Kind, Status};

/// Work done out of work counted, in minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Minutes of completed work.
    pub done: u64,
    /// Minutes of all work counted, done or not.
    pub total: u64,
}

impl Progress {
    /// Counts `minutes` of work, done or not. Saturating: estimates come
    /// from files, and absurd ones must not crash the dashboard.
    pub fn add(&mut self, minutes: u64, done: bool) {
        self.total = self.total.saturating_add(minutes);
        if done {
            self.done = self.done.saturating_add(minutes);
        }
    }

    /// `done` as a share of `out_of`, rounded down so that the whole is
    /// only reached when all is done; `None` when there is nothing to count.
    pub fn share(self, out_of: u64) -> Option<u64> {
        let share = u128::from(self.done) * u128::from(out_of);
        share
            .checked_div(u128::from(self.total))
            .map(|s| u64::try_from(s).unwrap_or(out_of))
    }

    /// Whole percent, rounded down; `None` when there is nothing to count.
    pub fn percent(self) -> Option<u64> {
        self.share(100)
    }
}

/// Tasks by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: usize,
    pub in_progress: usize,
    pub completed: usize,
    pub cancelled: usize,
}

impl Counts {
    /// Every task, whatever its status.
    pub fn total(&self) -> usize {
        self.pending + self.in_progress + self.completed + self.cancelled
    }
}

/// Everything the dashboard shows, by task index.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub counts: Counts,
    /// Every task's work that is not cancelled.
    pub overall: Progress,
    /// Each epic, by id, with the progress of it and everything below it.
    pub epics: Vec<(usize, Progress)>,
    /// In-progress tasks, by id.
    pub in_progress: Vec<usize>,
    /// Unresolved tasks due before the facts' day, by id; none when the
    /// facts are undated.
    pub overdue: Vec<usize>,
    /// What can start now, most urgent first ([`Graph::ready`]).
    pub ready: Vec<usize>,
    /// What is held back, most urgent first ([`Graph::blocked`]).
    pub blocked: Vec<usize>,
    /// Every gate with its state, in [`pipeline_order`].
    pub gates: Vec<(usize, GateReport)>,
}

impl Dashboard {
    /// The dashboard of a task set.
    ///
    /// Progress is weighted by work, by the rule of [`Graph::work`] that
    /// the plan uses too. Cancelled tasks are left out; done is the work
    /// of completed tasks. A task counts for itself and for each of its
    /// ancestors, so an epic's progress is that of it and everything
    /// below it.
    pub fn new(facts: &Facts) -> Dashboard {
        let set = facts.set;
        let graph = &facts.graph;
        let count = set.len();
        // One plan for both the ready list's slack and the gates' order.
        let open = Open::acyclic(graph);
        let mut counts = Counts::default();
        for task in set.iter() {
            match task.status {
                Status::Pending => counts.pending += 1,
                Status::InProgress => counts.in_progress += 1,
                Status::Completed => counts.completed += 1,
                Status::Cancelled => counts.cancelled += 1,
            }
        }

        let mut overall = Progress::default();
        let mut by_task = vec![Progress::default(); count];
        for (i, task) in set.iter().enumerate() {
            if task.status == Status::Cancelled {
                continue;
            }
            let minutes = graph.work(i).0;
            let done = task.status == Status::Completed;
            overall.add(minutes, done);
            // `ancestors` stops at a loop in the parents.
            by_task[i].add(minutes, done);
            for a in graph.ancestors(i) {
                by_task[a].add(minutes, done);
            }
        }
        let epics = (0..count)
            .filter(|&i| facts.task(i).kind == Kind::Epic)
            .map(|i| (i, by_task[i]))
            .collect();

        Dashboard {
            counts,
            overall,
            epics,
            in_progress: (0..count)
                .filter(|&i| facts.task(i).status == Status::InProgress)
                .collect(),
            overdue: (0..count).filter(|&i| facts.overdue(i)).collect(),
            ready: graph.ready_in(open.as_ref()),
            blocked: graph.blocked(),
            gates: pipeline_order(graph, open.as_ref())
                .into_iter()
                .filter_map(|i| gate_state(graph, i).map(|g| (i, g)))
                .collect(),
        }
    }
}

/// Every task in the order work flows: resolved tasks first by id, then
/// the unresolved ones in [`Open::flow_order`] (each after everything it
/// waits for, ties by id), so the order is stable and reads like the
/// pipeline. `open` is the plan of `graph`; with a cycle there is none,
/// and the order is all by id.
pub fn pipeline_order(graph: &Graph, open: Option<&Open>) -> Vec<usize> {
    let count = graph.tasks().len();
    let Some(open) = open else {
        return (0..count).collect();
    };
    let mut order: Vec<usize> = (0..count).filter(|&i| !open.contains(i)).collect();
    order.extend(open.flow_order());
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateState;
    use crate::testing::set;

    use crate::TaskSet;
    use chrono::NaiveDate;

    fn ids(s: &TaskSet, list: &[usize]) -> Vec<String> {
        list.iter().map(|&i| s.tasks()[i].id.to_string()).collect()
    }

    fn release() -> TaskSet {
        set(&[
            ("release", "kind = \"epic\";due = 2026-11-30"),
            (
                "api",
                "parent = \"release\";estimate = \"2d\";status = \"completed\"",
            ),
            (
                "ui",
                "parent = \"release\";estimate = \"1d\";status = \"in_progress\";owner = \"bob\"",
            ),
            (
                "docs",
                "parent = \"release\";blocked_by = [\"ui\"];due = 2026-11-20",
            ),
            (
                "dropped",
                "parent = \"release\";estimate = \"5d\";status = \"cancelled\"",
            ),
            ("ship", "gate = true;blocked_by = [\"release\"]"),
            ("check", "gate = true;status = \"completed\""),
            ("spare", "estimate = \"4h\""),
        ])
    }

    #[test]
    fn counts_progress_and_lists() {
        let s = release();
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let d = Dashboard::new(&Facts::new(&s).dated(today));
        assert_eq!(
            d.counts,
            Counts {
                pending: 4,
                in_progress: 1,
                completed: 2,
                cancelled: 1,
            }
        );
        assert_eq!(d.counts.total(), 8);
        // api 2d done; ui 1d and docs 1d (unestimated) open; spare 4h; the
        // cancelled 5d and the work-less epic and gates count nothing.
        let day = 480;
        assert_eq!(
            d.overall,
            Progress {
                done: 2 * day,
                total: 4 * day + 240
            }
        );
        assert_eq!(d.overall.percent(), Some(44));
        let release = s.index_of("release").unwrap();
        assert_eq!(
            d.epics,
            [(
                release,
                Progress {
                    done: 2 * day,
                    total: 4 * day
                }
            )]
        );
        assert_eq!(d.epics[0].1.percent(), Some(50));
        assert_eq!(ids(&s, &d.in_progress), ["ui"]);
        assert_eq!(ids(&s, &d.overdue), ["docs"]);
        assert_eq!(ids(&s, &d.ready), ["spare"]);
        assert_eq!(ids(&s, &d.blocked), ["docs", "release", "ship"]);
        // The resolved gate first, then the open one.
        let gates: Vec<(String, GateState)> = d
            .gates
            .iter()
            .map(|(i, g)| (s.tasks()[*i].id.to_string(), g.state))
            .collect();
        assert_eq!(
            gates,
            [
                ("check".to_string(), GateState::Green),
                ("ship".to_string(), GateState::Red)
            ]
        );
        // Undated, nothing is overdue.
        assert!(Dashboard::new(&Facts::new(&s)).overdue.is_empty());
    }

    #[test]
    fn progress_rounds_down_and_has_nothing_to_count_when_empty() {
        let mut p = Progress::default();
        assert_eq!(p.percent(), None);
        p.add(3, true);
        p.add(0, false);
        p.add(u64::MAX, false);
        assert_eq!(p.total, u64::MAX);
        assert_eq!(p.percent(), Some(0));
        let two_of_three = Progress { done: 2, total: 3 };
        assert_eq!(two_of_three.percent(), Some(66));
        assert_eq!(two_of_three.share(20), Some(13));
        assert_eq!(Progress { done: 5, total: 5 }.share(20), Some(20));
    }

    #[test]
    fn the_pipeline_puts_each_task_after_what_it_waits_for() {
        // z before a by what it waits for, not by id; done first.
        let s = set(&[
            ("a", "blocked_by = [\"z\"]"),
            ("b", ""),
            ("done", "status = \"completed\""),
            ("z", ""),
        ]);
        let g = Graph::new(&s);
        let open = Open::acyclic(&g);
        assert_eq!(
            ids(&s, &pipeline_order(&g, open.as_ref())),
            ["done", "b", "z", "a"]
        );
        // With a cycle, by id.
        let s = set(&[("a", "blocked_by = [\"b\"]"), ("b", "blocked_by = [\"a\"]")]);
        let g = Graph::new(&s);
        assert!(Open::acyclic(&g).is_none());
        assert_eq!(ids(&s, &pipeline_order(&g, None)), ["a", "b"]);
    }
}
