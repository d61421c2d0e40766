//! The graph answers inherited questions on demand and plans over virtual
//! nodes instead of writing out every inherited wait. These property tests
//! hold it to the relation written out, as it was computed before
//! (`tests/it/reference/`), answer for answer: the waits of every task in
//! order with their reasons, the counts and bounded lists messages use,
//! cycles as paths, and every planning answer. The random sets have many
//! parent links, so deep hierarchies and loops of parents are common, and
//! enough blockers that inherited lists run past what a message lists.

use crate::generated;
use crate::reference;

use std::collections::BTreeSet;

use git_task::TaskSet;
use git_task::graph::{self, Graph, LISTED, Open, Reason, Target, Wait, tracks};
use proptest::prelude::*;

/// One random task: status, parent, blockers (indices into the set, taken
/// modulo its size; ones past it name no task) and an estimate in hours.
/// The status byte also picks whether the task is a gate (and a waived
/// one), its priority and its due date.
type Spec = (u8, Option<usize>, Vec<usize>, Option<u8>);

fn task_set(specs: &[Spec]) -> TaskSet {
    let n = specs.len();
    let id = |i: usize| format!("t{i:02}");
    let tasks = specs
        .iter()
        .enumerate()
        .map(|(i, (status, parent, blockers, hours))| {
            let status = [
                "pending",
                "pending",
                "in_progress",
                "completed",
                "cancelled",
            ][*status as usize % 5];
            let parent = parent.map(|p| p % n).filter(|&p| p != i).map(id);
            let blockers: Vec<String> = blockers
                .iter()
                .filter(|&&b| b % (n + 2) != i)
                .map(|&b| match b % (n + 2) {
                    b if b < n => id(b),
                    b => format!("gone{}", b - n),
                })
                .collect();
            let mut task = generated::task(i, &id(i), status, parent.as_deref(), &blockers, *hours);
            let more = specs[i].0 as usize / 5;
            if !more.is_multiple_of(3) {
                task.gate = Some(git_task::task::Gate::ConfiguredBranches);
            }
            if more % 3 == 2 {
                task.waiver = Some(git_task::task::Waiver {
                    by: "ana@example.com".into(),
                    reason: "risk accepted".into(),
                    at: chrono::DateTime::UNIX_EPOCH,
                });
            }
            task.priority = [
                git_task::task::Priority::Medium,
                git_task::task::Priority::Critical,
                git_task::task::Priority::Low,
                git_task::task::Priority::High,
            ][more / 3 % 4];
            task.due = [None, Some((2026, 11, 20)), Some((2026, 11, 25))][more / 12 % 3]
                .and_then(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y, m, d));
            task
        })
        .collect();
    TaskSet::new(tasks)
}

fn specs(max: usize, parents: f64, blockers: usize) -> impl Strategy<Value = Vec<Spec>> {
    proptest::collection::vec(
        (
            any::<u8>(),
            proptest::option::weighted(parents, 0..max),
            proptest::collection::vec(0..max + 2, 0..blockers),
            proptest::option::of(any::<u8>()),
        ),
        1..max,
    )
}

fn is_open(set: &TaskSet, w: &Wait) -> bool {
    match w.target {
        Target::Task(j) => !graph::releases(&set.tasks()[j]),
        Target::Missing(_) => true,
    }
}

/// Every question about waits and cycles, against the reference.
fn same_waits(set: &TaskSet) -> Result<(), TestCaseError> {
    let new = Graph::new(set);
    let old = reference::Graph::new(set);
    for i in 0..set.len() {
        let waits: Vec<Wait> = old.waits_for(i).to_vec();
        prop_assert_eq!(&new.waits_for(i), &waits, "waits_for t{:02}", i);
        let open: Vec<Wait> = waits.iter().filter(|w| is_open(set, w)).cloned().collect();
        prop_assert_eq!(&new.open_waits(i).collect::<Vec<_>>(), &open);
        prop_assert_eq!(new.open_wait_count(i), open.len());
        prop_assert_eq!(new.is_blocked(i), old.is_blocked(i));
        prop_assert_eq!(new.state(i).as_str(), old.state(i));
        let shown = open.len().min(LISTED);
        prop_assert_eq!(
            new.first_open_waits(i),
            (open[..shown].to_vec(), open.len() - shown),
            "first_open_waits t{:02}",
            i
        );
        let lines = new.open_wait_lines(i);
        let mut expected = old.open_wait_lines(i);
        if expected.len() > LISTED {
            let more = expected.len() - LISTED;
            expected.truncate(LISTED);
            expected.push(format!("and {more} more"));
        }
        prop_assert_eq!(lines, expected);
        let direct: Vec<(usize, Reason)> = waits
            .iter()
            .filter_map(|w| match (&w.target, w.reason) {
                (Target::Task(j), r @ (Reason::Blocker | Reason::Child)) => Some((*j, r)),
                _ => None,
            })
            .collect();
        prop_assert_eq!(new.direct_waits(i).collect::<Vec<_>>(), direct);
        prop_assert_eq!(new.ancestors(i), old.ancestors(i));
        prop_assert_eq!(new.cycle_through(i), old.cycle_through(i));
    }
    prop_assert_eq!(new.ready(), old.ready());
    prop_assert_eq!(new.blocked(), old.blocked());
    let cycles = old.cycles();
    prop_assert_eq!(&new.cycles(), &cycles);
    prop_assert_eq!(new.cyclic_tasks(), old.cyclic_tasks());
    for c in &cycles {
        prop_assert_eq!(new.describe_cycle(c), old.describe_cycle(c));
    }
    Ok(())
}

/// Every planning answer, against the reference.
fn same_plan(set: &TaskSet) -> Result<(), TestCaseError> {
    let new = Graph::new(set);
    let old = reference::Graph::new(set);
    let (new_open, old_open) = match (Open::new(&new), reference::Open::new(&old)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(graph::Cycles(a)), Err(reference::Cycles(b))) => {
            prop_assert_eq!(a, b);
            return Ok(());
        }
        (a, b) => {
            prop_assert!(
                false,
                "one has a plan, the other not: {:?} {:?}",
                a.is_ok(),
                b.is_ok()
            );
            unreachable!()
        }
    };
    prop_assert_eq!(new_open.len(), old_open.len());
    prop_assert_eq!(new_open.waves(), old_open.waves());
    let (cp, old_cp) = (new_open.critical_path(), old_open.critical_path());
    prop_assert_eq!(cp.length, old_cp.length);
    prop_assert_eq!(&cp.path, &old_cp.path);
    prop_assert_eq!(&cp.timing, &old_cp.timing);
    for i in 0..set.len() {
        prop_assert_eq!(new_open.contains(i), old_open.contains(i));
        prop_assert_eq!(new_open.work(i), old_open.work(i));
        let sorted = |v: Vec<usize>| v.into_iter().collect::<BTreeSet<_>>();
        prop_assert_eq!(
            sorted(new_open.prerequisites(i).collect()),
            sorted(old_open.prerequisites(i).collect())
        );
        prop_assert_eq!(
            sorted(new_open.dependents(i).collect()),
            sorted(old_open.dependents(i).collect())
        );
    }
    for workers in 1..4 {
        let a = new_open.schedule(&new, &cp, workers);
        let b = old_open.schedule(&old, &old_cp, workers);
        prop_assert_eq!(a.finish, b.finish);
        prop_assert_eq!(&a.slots, &b.slots);
    }
    let old_tracks = reference::tracks(&old_open, &old_cp);
    let new_tracks = tracks(&new_open, &cp);
    prop_assert_eq!(new_tracks, old_tracks);
    // The order `status` lists gates in: Kahn's algorithm, smallest first.
    let mut waiting: Vec<usize> = (0..set.len())
        .map(|i| old_open.prerequisites(i).count())
        .collect();
    let mut free: BTreeSet<usize> = (0..set.len())
        .filter(|&i| old_open.contains(i) && waiting[i] == 0)
        .collect();
    let mut order = Vec::new();
    while let Some(i) = free.pop_first() {
        order.push(i);
        for d in old_open.dependents(i) {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                free.insert(d);
            }
        }
    }
    prop_assert_eq!(new_open.flow_order(), order);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn waits_and_cycles_match_the_written_out_relation(specs in specs(16, 0.6, 6)) {
        same_waits(&task_set(&specs))?;
    }

    #[test]
    fn long_inherited_lists_match(specs in specs(24, 0.9, 8)) {
        same_waits(&task_set(&specs))?;
    }

    #[test]
    fn plans_match_the_written_out_relation(specs in specs(14, 0.5, 3)) {
        same_plan(&task_set(&specs))?;
    }

    #[test]
    fn plans_under_completed_loops_match(specs in specs(10, 0.8, 2)) {
        // Mostly completed tasks: loops of parents that are all completed
        // leave plans, and the tasks below them inherit through the loop.
        let specs: Vec<Spec> = specs
            .into_iter()
            .map(|(s, p, b, h)| (if s % 3 == 0 { s } else { 3 }, p, b, h))
            .collect();
        same_plan(&task_set(&specs))?;
    }
}
