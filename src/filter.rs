//! Which tasks a listing selects (`list` and its filters), and why an
//! answer of `list`, `ready` or `blocked` is empty, so that every front
//! end selects the same tasks and explains an empty answer the same way.

use crate::graph::{Graph, State};
use crate::id::TaskId;
use crate::task::{Kind, Priority, Status};

/// What `list` keeps. Empty lists and `None` keep everything; all the
/// conditions given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only these statuses. Without any, only unresolved tasks, unless
    /// `all` is set.
    pub statuses: Vec<Status>,
    /// Only these kinds.
    pub kinds: Vec<Kind>,
    /// Only these priorities.
    pub priorities: Vec<Priority>,
    /// Only tasks held by this owner.
    pub owner: Option<String>,
    /// Only tasks with this label.
    pub label: Option<String>,
    /// Only the children of this task.
    pub parent: Option<TaskId>,
    /// Only tasks that can start now ([`Graph::is_ready`]).
    pub ready: bool,
    /// Only unresolved tasks held back by something open.
    pub blocked: bool,
    /// Completed and cancelled tasks too, when no status is given.
    pub all: bool,
}

impl Filter {
    /// Whether task `i` of the graph's set is kept.
    pub fn matches(&self, graph: &Graph, i: usize) -> bool {
        let t = &graph.tasks().tasks()[i];
        let status_ok = if self.statuses.is_empty() {
            self.all || !t.is_resolved()
        } else {
            self.statuses.contains(&t.status)
        };
        status_ok
            && (self.kinds.is_empty() || self.kinds.contains(&t.kind))
            && (self.priorities.is_empty() || self.priorities.contains(&t.priority))
            && self
                .owner
                .as_ref()
                .is_none_or(|o| t.owner.as_ref() == Some(o))
            && self.label.as_ref().is_none_or(|l| t.labels.contains(l))
            && self
                .parent
                .as_ref()
                .is_none_or(|p| t.parent.as_ref() == Some(p))
            && (!self.ready || graph.is_ready(i))
            && (!self.blocked || graph.state(i) == State::Blocked)
    }

    /// The tasks kept, in id order.
    pub fn select(&self, graph: &Graph) -> Vec<usize> {
        (0..graph.tasks().len())
            .filter(|&i| self.matches(graph, i))
            .collect()
    }

    /// Whether a condition narrows the list beyond hiding resolved tasks:
    /// an empty answer then means that nothing matched.
    pub fn narrows(&self) -> bool {
        !self.statuses.is_empty()
            || !self.kinds.is_empty()
            || !self.priorities.is_empty()
            || self.owner.is_some()
            || self.label.is_some()
            || self.parent.is_some()
            || self.ready
            || self.blocked
    }

    /// Why [`Filter::select`] found nothing in `graph`.
    pub fn why_empty(&self, graph: &Graph) -> NoneListed {
        let count = graph.tasks().len();
        if count == 0 {
            NoneListed::NoTasks
        } else if self.narrows() {
            NoneListed::NoMatch
        } else {
            NoneListed::AllResolved { count }
        }
    }
}

/// Why `list` lists nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoneListed {
    /// There are no tasks at all.
    NoTasks,
    /// The filter's conditions matched no task.
    NoMatch,
    /// Every one of `count` tasks is completed or cancelled.
    AllResolved { count: usize },
}

/// Why nothing is ready, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoneReady {
    NoTasks,
    /// This many unresolved tasks are held back.
    Blocked(usize),
    /// Nothing is blocked, and this many tasks are being worked on.
    InProgress(usize),
    /// Every task is completed or cancelled.
    AllResolved,
}

impl NoneReady {
    /// Why nothing in `graph` is ready (when [`Graph::ready`] is empty).
    pub fn of(graph: &Graph) -> NoneReady {
        let set = graph.tasks();
        let blocked = graph.blocked().len();
        let in_progress = set
            .iter()
            .filter(|t| t.status == Status::InProgress)
            .count();
        if set.is_empty() {
            NoneReady::NoTasks
        } else if blocked > 0 {
            NoneReady::Blocked(blocked)
        } else if in_progress > 0 {
            NoneReady::InProgress(in_progress)
        } else {
            NoneReady::AllResolved
        }
    }
}

/// Why nothing is blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoneBlocked {
    NoTasks,
    /// This many tasks can start now.
    Ready(usize),
    /// Nothing is ready either: all is in progress or resolved.
    Nothing,
}

impl NoneBlocked {
    /// Why nothing in `graph` is blocked (when [`Graph::blocked`] is
    /// empty).
    pub fn of(graph: &Graph) -> NoneBlocked {
        let count = graph.tasks().len();
        let ready = (0..count).filter(|&i| graph.is_ready(i)).count();
        if count == 0 {
            NoneBlocked::NoTasks
        } else if ready > 0 {
            NoneBlocked::Ready(ready)
        } else {
            NoneBlocked::Nothing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::set;

    use crate::{TaskId, TaskSet};

    fn tasks() -> TaskSet {
        set(&[
            ("epic", "kind = \"epic\";priority = \"high\""),
            ("a", "parent = \"epic\";owner = \"bob\";labels = [\"ci\"]"),
            (
                "b",
                "parent = \"epic\";blocked_by = [\"a\"];priority = \"high\"",
            ),
            ("c", "status = \"completed\";labels = [\"ci\"]"),
            ("d", "status = \"in_progress\";kind = \"story\""),
        ])
    }

    fn listed(s: &TaskSet, filter: &Filter) -> Vec<String> {
        let g = Graph::new(s);
        filter
            .select(&g)
            .iter()
            .map(|&i| s.tasks()[i].id.to_string())
            .collect()
    }

    #[test]
    fn by_default_only_unresolved_tasks() {
        let s = tasks();
        assert_eq!(listed(&s, &Filter::default()), ["a", "b", "d", "epic"]);
        let all = Filter {
            all: true,
            ..Filter::default()
        };
        assert_eq!(listed(&s, &all), ["a", "b", "c", "d", "epic"]);
        assert!(!all.narrows());
    }

    #[test]
    fn every_condition_must_hold() {
        let s = tasks();
        let f = |f: Filter| listed(&s, &f);
        let none = Filter::default;
        assert_eq!(
            f(Filter {
                statuses: vec![Status::Completed, Status::InProgress],
                ..none()
            }),
            ["c", "d"]
        );
        assert_eq!(
            f(Filter {
                kinds: vec![Kind::Epic, Kind::Story],
                ..none()
            }),
            ["d", "epic"]
        );
        assert_eq!(
            f(Filter {
                priorities: vec![Priority::High],
                kinds: vec![Kind::Task],
                ..none()
            }),
            ["b"]
        );
        assert_eq!(
            f(Filter {
                owner: Some("bob".into()),
                ..none()
            }),
            ["a"]
        );
        // A label on a completed task needs --all too.
        assert_eq!(
            f(Filter {
                label: Some("ci".into()),
                ..none()
            }),
            ["a"]
        );
        assert_eq!(
            f(Filter {
                label: Some("ci".into()),
                all: true,
                ..none()
            }),
            ["a", "c"]
        );
        assert_eq!(
            f(Filter {
                parent: Some(TaskId::parse("epic").unwrap()),
                ..none()
            }),
            ["a", "b"]
        );
        // The epic waits for its children; b for a; d is in progress.
        assert_eq!(
            f(Filter {
                ready: true,
                ..none()
            }),
            ["a"]
        );
        assert_eq!(
            f(Filter {
                blocked: true,
                all: true,
                ..none()
            }),
            ["b", "epic"]
        );
    }

    #[test]
    fn empty_answers_say_why() {
        let s = tasks();
        let g = Graph::new(&s);
        let narrowed = Filter {
            owner: Some("nobody".into()),
            ..Filter::default()
        };
        assert!(narrowed.select(&g).is_empty());
        assert_eq!(narrowed.why_empty(&g), NoneListed::NoMatch);

        let empty = TaskSet::new(Vec::new());
        let g = Graph::new(&empty);
        assert_eq!(Filter::default().why_empty(&g), NoneListed::NoTasks);
        assert_eq!(NoneReady::of(&g), NoneReady::NoTasks);
        assert_eq!(NoneBlocked::of(&g), NoneBlocked::NoTasks);

        let done = set(&[
            ("a", "status = \"completed\""),
            ("b", "status = \"cancelled\""),
        ]);
        let g = Graph::new(&done);
        assert_eq!(
            Filter::default().why_empty(&g),
            NoneListed::AllResolved { count: 2 }
        );
        assert_eq!(NoneReady::of(&g), NoneReady::AllResolved);
        assert_eq!(NoneBlocked::of(&g), NoneBlocked::Nothing);

        let busy = set(&[
            ("a", "status = \"in_progress\""),
            ("b", "status = \"in_progress\""),
        ]);
        assert_eq!(NoneReady::of(&Graph::new(&busy)), NoneReady::InProgress(2));

        let held = set(&[
            ("a", "status = \"in_progress\""),
            ("b", "blocked_by = [\"a\"]"),
        ]);
        assert_eq!(NoneReady::of(&Graph::new(&held)), NoneReady::Blocked(1));
        let free = set(&[("a", ""), ("b", "")]);
        assert_eq!(NoneBlocked::of(&Graph::new(&free)), NoneBlocked::Ready(2));
    }
}
