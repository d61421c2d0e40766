//! What every front end shows about each task beside its fields: its
//! state, whether it is ready, blocked or overdue, what it waits for, and
//! the short prefix that names it.
//!
//! The CLI's listings and JSON, and later the MCP server and the board,
//! all show these facts; computing them here once keeps the front ends
//! from answering differently.

use chrono::NaiveDate;

use crate::clock::is_overdue;
use crate::graph::{Graph, State, Wait};
use crate::task::Task;
use crate::taskset::TaskSet;

/// A task set with its graph, its shortest unique id prefixes and,
/// when dated, the day that decides what is overdue.
#[derive(Debug)]
pub struct Facts<'a> {
    /// The tasks, sorted by id; indices are positions in it.
    pub set: &'a TaskSet,
    /// The waits-for relation over `set`.
    pub graph: Graph<'a>,
    /// By task: how many characters of its id no other id starts with.
    prefix: Vec<usize>,
    /// Today's local date, when the facts say what is overdue.
    today: Option<NaiveDate>,
}

impl<'a> Facts<'a> {
    /// The facts about `set`, undated: nothing is overdue.
    pub fn new(set: &'a TaskSet) -> Facts<'a> {
        Facts {
            set,
            graph: Graph::new(set),
            prefix: set.prefix_lengths(),
            today: None,
        }
    }

    /// The facts as of `today` (a local date): tasks due before it and
    /// not resolved are overdue.
    pub fn dated(mut self, today: NaiveDate) -> Facts<'a> {
        self.today = Some(today);
        self
    }

    /// Whether the facts are dated, so that "overdue" means something.
    pub fn is_dated(&self) -> bool {
        self.today.is_some()
    }

    /// The day the facts are dated, when they are.
    pub fn today(&self) -> Option<NaiveDate> {
        self.today
    }

    pub fn task(&self, i: usize) -> &'a Task {
        &self.set.tasks()[i]
    }

    /// The index of a task of this set.
    ///
    /// # Panics
    ///
    /// When `task` is not of this set: callers pass tasks they took from
    /// it.
    pub fn index(&self, task: &Task) -> usize {
        self.set
            .index_of(task.id.as_str())
            .expect("the task comes from this set")
    }

    /// The state shown in listings (see [`Graph::state`]).
    pub fn state(&self, i: usize) -> State {
        self.graph.state(i)
    }

    /// Whether task `i` can start now (see [`Graph::is_ready`]).
    pub fn is_ready(&self, i: usize) -> bool {
        self.graph.is_ready(i)
    }

    /// Whether task `i` is unresolved and held back by something open:
    /// its state is [`State::Blocked`]. (A resolved task may still wait
    /// for something open; it is not held back by it.)
    pub fn is_blocked(&self, i: usize) -> bool {
        self.state(i) == State::Blocked
    }

    /// Whether task `i` is overdue ([`is_overdue`]); never in undated
    /// facts.
    pub fn overdue(&self, i: usize) -> bool {
        self.today.is_some_and(|d| is_overdue(self.task(i), d))
    }

    /// How many characters of task `i`'s id no other id starts with.
    pub fn prefix_len(&self, i: usize) -> usize {
        self.prefix[i]
    }

    /// The shortest prefix that names task `i` among the set's ids.
    pub fn short_id(&self, i: usize) -> &'a str {
        let id = self.task(i).id.as_str();
        &id[..self.prefix[i].min(id.len())]
    }

    /// What task `i` still waits for (see [`Graph::open_waits`]).
    pub fn waiting_for(&self, i: usize) -> impl Iterator<Item = Wait> + '_ {
        self.graph.open_waits(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Target;
    use crate::testing::set;

    #[test]
    fn states_ready_blocked_and_waits_agree() {
        let s = set(&[
            ("build", ""),
            (
                "bundle",
                "blocked_by = [\"build\"];status = \"in_progress\"",
            ),
            ("deploy", "blocked_by = [\"bundle\"]"),
            ("done", "blocked_by = [\"deploy\"];status = \"completed\""),
        ]);
        let f = Facts::new(&s);
        let at = |id: &str| s.index_of(id).unwrap();
        assert_eq!(f.state(at("build")), State::Pending);
        assert!(f.is_ready(at("build")) && !f.is_blocked(at("build")));
        // In progress but waiting: blocked, and not ready.
        assert_eq!(f.state(at("bundle")), State::Blocked);
        assert!(f.is_blocked(at("bundle")) && !f.is_ready(at("bundle")));
        // Completed while its blocker is open: not held back by it.
        assert_eq!(f.state(at("done")), State::Completed);
        assert!(!f.is_blocked(at("done")));
        let waits: Vec<Target> = f.waiting_for(at("deploy")).map(|w| w.target).collect();
        assert_eq!(waits, [Target::Task(at("bundle"))]);
        assert_eq!(f.waiting_for(at("build")).count(), 0);
    }

    #[test]
    fn short_ids_are_the_unique_prefixes() {
        let s = set(&[("build-a", ""), ("build-b", ""), ("zeta", "")]);
        let f = Facts::new(&s);
        let short: Vec<&str> = (0..s.len()).map(|i| f.short_id(i)).collect();
        // Never below four characters (MIN_PREFIX).
        assert_eq!(short, ["build-a", "build-b", "zeta"]);
        assert_eq!(f.prefix_len(2), 4);
    }

    #[test]
    fn only_dated_facts_know_what_is_overdue() {
        let s = set(&[
            ("late", "due = 2026-11-20"),
            ("done", "due = 2026-11-20;status = \"completed\""),
            ("soon", "due = 2026-11-22"),
        ]);
        let undated = Facts::new(&s);
        assert!(!undated.is_dated());
        assert!((0..s.len()).all(|i| !undated.overdue(i)));
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let dated = Facts::new(&s).dated(today);
        assert_eq!(dated.today(), Some(today));
        let overdue: Vec<&str> = (0..s.len())
            .filter(|&i| dated.overdue(i))
            .map(|i| s.tasks()[i].id.as_str())
            .collect();
        assert_eq!(overdue, ["late"]);
    }
}
