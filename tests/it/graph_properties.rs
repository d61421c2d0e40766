//! Property tests of the graph on random task sets: the answers agree with a
//! brute-force reading of what a task waits for (docs/graph.md).

use crate::generated;

use std::collections::{BTreeSet, HashSet};

use git_task::TaskSet;
use git_task::graph::{DEFAULT_MINUTES, Graph, Open};
use proptest::prelude::*;

/// One random task: status, parent, blockers (indices into the set, taken
/// modulo its size) and an estimate in hours, or none.
type Spec = (u8, Option<usize>, Vec<usize>, Option<u8>);

fn task_set(specs: &[Spec]) -> TaskSet {
    let n = specs.len();
    let id = |i: usize| format!("t{i}");
    let tasks = specs
        .iter()
        .enumerate()
        .map(|(i, (status, parent, blockers, hours))| {
            let status = [
                "pending",
                "pending",
                "pending",
                "in_progress",
                "completed",
                "cancelled",
            ][*status as usize % 6];
            let parent = parent.map(|p| p % n).filter(|&p| p != i).map(id);
            let blockers: Vec<String> = blockers
                .iter()
                .map(|b| b % n)
                .filter(|&b| b != i)
                .map(id)
                .collect::<BTreeSet<String>>()
                .into_iter()
                .collect();
            generated::task(i, &id(i), status, parent.as_deref(), &blockers, *hours)
        })
        .collect();
    TaskSet::new(tasks)
}

fn specs(max: usize) -> impl Strategy<Value = Vec<Spec>> {
    proptest::collection::vec(
        (
            any::<u8>(),
            proptest::option::weighted(0.3, 0..max),
            proptest::collection::vec(0..max, 0..3),
            proptest::option::of(any::<u8>()),
        ),
        1..max,
    )
}

/// The waits-for relation of docs/graph.md, read literally: what task `i`
/// waits for.
fn waits_for(set: &TaskSet, i: usize) -> BTreeSet<String> {
    let tasks = set.tasks();
    let mut out: BTreeSet<String> = tasks[i].blocked_by.iter().map(|b| b.to_string()).collect();
    let mut seen = HashSet::from([i]);
    let mut parent = tasks[i].parent.clone();
    while let Some(p) = parent.and_then(|p| set.index_of(p.as_str())) {
        if !seen.insert(p) {
            break;
        }
        out.extend(tasks[p].blocked_by.iter().map(|b| b.to_string()));
        parent = tasks[p].parent.clone();
    }
    for t in tasks {
        if t.parent.as_ref() == Some(&tasks[i].id) {
            out.insert(t.id.to_string());
        }
    }
    out
}

/// The unresolved tasks `i` waits for, as indices.
fn open_prerequisites(set: &TaskSet, i: usize) -> Vec<usize> {
    waits_for(set, i)
        .iter()
        .filter_map(|id| set.index_of(id))
        .filter(|&j| !set.tasks()[j].is_resolved())
        .collect()
}

fn work(set: &TaskSet, i: usize) -> u64 {
    let task = &set.tasks()[i];
    match &task.estimate {
        Some(e) => e.minutes(),
        None if set.iter().any(|t| t.parent.as_ref() == Some(&task.id)) => 0,
        None => DEFAULT_MINUTES,
    }
}

/// The heaviest path ending at `i`, by trying every path.
fn longest_to(set: &TaskSet, i: usize, depth: usize) -> u64 {
    assert!(depth <= set.len(), "a cycle slipped through");
    let before = open_prerequisites(set, i)
        .into_iter()
        .map(|j| longest_to(set, j, depth + 1))
        .max()
        .unwrap_or(0);
    before + work(set, i)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn ready_is_the_brute_force_reading_of_the_design(specs in specs(12)) {
        let set = task_set(&specs);
        let graph = Graph::new(&set);
        let expected: BTreeSet<usize> = (0..set.len())
            .filter(|&i| {
                let t = &set.tasks()[i];
                t.status == git_task::task::Status::Pending
                    && waits_for(&set, i).iter().all(|id| set.get(id).is_some_and(|w| w.is_resolved()))
            })
            .collect();
        let got: BTreeSet<usize> = graph.ready().into_iter().collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn waves_respect_every_edge(specs in specs(12)) {
        let set = task_set(&specs);
        let graph = Graph::new(&set);
        let Ok(open) = Open::new(&graph) else { return Ok(()) };
        let waves = open.waves();
        let mut wave_of = vec![usize::MAX; set.len()];
        for (w, wave) in waves.iter().enumerate() {
            prop_assert!(!wave.is_empty());
            for &i in wave {
                prop_assert_eq!(wave_of[i], usize::MAX, "task in two waves");
                wave_of[i] = w;
            }
        }
        for i in 0..set.len() {
            let resolved = set.tasks()[i].is_resolved();
            prop_assert_eq!(wave_of[i] == usize::MAX, resolved);
            if resolved {
                continue;
            }
            let prerequisites = open_prerequisites(&set, i);
            for &j in &prerequisites {
                prop_assert!(wave_of[j] < wave_of[i], "t{} waits for t{} but is not in a later wave", i, j);
            }
            // Each task is in the earliest wave its prerequisites allow.
            let earliest = prerequisites.iter().map(|&j| wave_of[j] + 1).max().unwrap_or(0);
            prop_assert_eq!(wave_of[i], earliest);
        }
    }

    #[test]
    fn critical_path_is_the_longest_path(specs in specs(9)) {
        let set = task_set(&specs);
        let graph = Graph::new(&set);
        let Ok(open) = Open::new(&graph) else { return Ok(()) };
        let cp = open.critical_path();
        let brute = (0..set.len())
            .filter(|&i| !set.tasks()[i].is_resolved())
            .map(|i| longest_to(&set, i, 0))
            .max()
            .unwrap_or(0);
        prop_assert_eq!(cp.length, brute);
        // The path is a chain of prerequisites whose work adds up to it.
        let total: u64 = cp.path.iter().map(|&i| work(&set, i)).sum();
        prop_assert_eq!(total, cp.length);
        for pair in cp.path.windows(2) {
            prop_assert!(open_prerequisites(&set, pair[1]).contains(&pair[0]));
        }
        for i in 0..set.len() {
            if let Some(t) = cp.timing[i] {
                prop_assert!(t.latest_start >= t.earliest_start);
                prop_assert!(t.latest_finish <= cp.length);
                prop_assert_eq!(t.slack, t.latest_start - t.earliest_start);
            }
        }
        for &i in &cp.path {
            prop_assert_eq!(cp.timing[i].unwrap().slack, 0);
        }
    }

    #[test]
    fn a_schedule_keeps_order_and_worker_count(specs in specs(12), workers in 1usize..4) {
        let set = task_set(&specs);
        let graph = Graph::new(&set);
        let Ok(open) = Open::new(&graph) else { return Ok(()) };
        let cp = open.critical_path();
        let schedule = open.schedule(&graph, &cp, workers);
        for i in 0..set.len() {
            let slot = schedule.slots[i];
            prop_assert_eq!(slot.is_none(), set.tasks()[i].is_resolved());
            let Some(slot) = slot else { continue };
            prop_assert_eq!(slot.end - slot.start, work(&set, i));
            for j in open_prerequisites(&set, i) {
                let before = schedule.slots[j].unwrap();
                prop_assert!(slot.start >= before.end, "t{} starts before t{} ends", i, j);
            }
        }
        let slots: Vec<_> = schedule.slots.iter().flatten().filter(|s| s.worker.is_some()).collect();
        for s in &slots {
            prop_assert!(s.worker.unwrap() < workers);
            let busy = slots.iter().filter(|o| o.start <= s.start && s.start < o.end).count();
            prop_assert!(busy <= workers);
            for o in &slots {
                if !std::ptr::eq(*s, *o) && o.worker == s.worker {
                    prop_assert!(o.end <= s.start || s.end <= o.start, "one worker, two tasks at once");
                }
            }
        }
        prop_assert!(schedule.finish >= cp.length);
    }
}
