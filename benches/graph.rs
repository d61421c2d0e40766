//! Times each graph analysis on generated task sets of 1k, 10k and 100k
//! tasks (about 3 blockers each, epics of 20), without file loading.
//!
//! Run with `cargo bench --bench graph`. Prints a Markdown table for
//! BENCHMARKS.md: the median of several runs of each analysis, and that time
//! divided by (V+E)·log2 V, which stays flat when the cost grows no faster.

use std::time::{Duration, Instant};

use git_task::graph::{Graph, Open, tracks};
use git_task::task::{Estimate, Kind, Priority, Status, Task};
use git_task::{TaskId, TaskSet};

/// A small deterministic generator (xorshift), so every run measures the
/// same graphs without a dependency for randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn id(i: usize) -> TaskId {
    TaskId::parse(&format!("t{i:06}")).expect("valid id")
}

/// Tasks in epics of 20: task 0 of each block is the epic, the other 19 its
/// children. Each child waits for about 3 earlier tasks of other epics'
/// children, so the graph is acyclic, deep and wide. A tenth is completed.
fn generate(n: usize) -> TaskSet {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64);
    let estimates = ["30m", "2h", "4h", "1d", "2d"];
    let tasks = (0..n)
        .map(|i| {
            let epic = i - i % 20;
            let is_epic = i == epic;
            let mut blocked_by = Vec::new();
            if !is_epic && epic > 0 {
                for _ in 0..3 {
                    let b = rng.below(epic as u64) as usize;
                    if !b.is_multiple_of(20) && !blocked_by.contains(&id(b)) {
                        blocked_by.push(id(b));
                    }
                }
            }
            let status = if !is_epic && rng.below(10) == 0 {
                Status::Completed
            } else {
                Status::Pending
            };
            Task {
                id: id(i),
                subject: format!("Task {i}"),
                status,
                kind: if is_epic { Kind::Epic } else { Kind::Task },
                priority: [Priority::High, Priority::Medium, Priority::Low][rng.below(3) as usize],
                parent: (!is_epic).then(|| id(epic)),
                blocked_by,
                gate: None,
                owner: None,
                estimate: (!is_epic).then(|| {
                    estimates[rng.below(5) as usize]
                        .parse::<Estimate>()
                        .expect("estimate")
                }),
                due: None,
                labels: Vec::new(),
                verify: None,
                created: None,
                closed: None,
                description: None,
                criteria: Vec::new(),
                waiver: None,
                notes: Vec::new(),
                meta: Default::default(),
            }
        })
        .collect();
    TaskSet::new(tasks)
}

/// The median of `runs` timings of `f`.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let sizes = [1_000usize, 10_000, 100_000];
    println!("| analysis | tasks | edges | median | ns per (V+E)·log₂V |");
    println!("|---|---:|---:|---:|---:|");
    for &n in &sizes {
        let set = generate(n);
        let graph = Graph::new(&set);
        let open = Open::new(&graph).expect("the generated graph is acyclic");
        let edges: usize = (0..set.len()).map(|i| graph.waits_for(i).len()).sum();
        let cp = open.critical_path();
        let runs = if n >= 100_000 { 7 } else { 21 };
        let scale = (n + edges) as f64 * (n as f64).log2();
        let rows: Vec<(&str, Duration)> = vec![
            (
                "waits-for (Graph::new)",
                time(runs, || Graph::new(&set).waits_for(0).len()),
            ),
            ("ready", time(runs, || graph.ready().len())),
            ("blocked", time(runs, || graph.blocked().len())),
            ("cycles", time(runs, || graph.cycles().len())),
            (
                "unresolved DAG (Open::new)",
                time(runs, || Open::new(&graph).map(|o| o.len())),
            ),
            ("waves", time(runs, || open.waves().len())),
            ("critical path", time(runs, || open.critical_path().length)),
            ("tracks", time(runs, || tracks(&open, &cp).len())),
            (
                "schedule, 4 workers",
                time(runs, || open.schedule(&graph, &cp, 4).finish),
            ),
        ];
        for (name, d) in rows {
            println!(
                "| {name} | {n} | {edges} | {:.2} ms | {:.1} |",
                d.as_secs_f64() * 1e3,
                d.as_nanos() as f64 / scale
            );
        }
    }
}
