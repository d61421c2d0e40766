//! Times each graph analysis on generated task sets of 1k, 10k and 100k
//! tasks (about 3 blockers each, epics of 20), without file loading; then
//! the shapes a file can bring that once aborted or took minutes: a long
//! chain against the id order, a deep parent chain with a blocker at every
//! level, one file naming 100,000 ids that no task has.
//!
//! Run with `cargo bench --bench graph`. Prints Markdown tables for
//! BENCHMARKS.md: the median of several runs of each analysis, and that time
//! divided by (V+E)·log2 V, which stays flat when the cost grows no faster.

use std::time::{Duration, Instant};

use git_task::check;
use git_task::graph::{Calendar, Graph, Open, tracks};
use git_task::store::Loaded;
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
                started: None,
                closed: None,
                description: None,
                criteria: Vec::new(),
                plan_key: None,
                origin: None,
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

/// What `git task plan` computes: the DAG, waves, critical path, a
/// schedule for 4 workers and the calendar dates of every task.
fn plan(graph: &Graph) -> usize {
    let Ok(open) = Open::new(graph) else {
        return 0;
    };
    let waves = open.waves().len();
    let cp = open.critical_path();
    let schedule = open.schedule(graph, &cp, 4);
    let calendar = Calendar {
        start: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date"),
        offset: 0,
    };
    let dates = schedule
        .slots
        .iter()
        .flatten()
        .filter(|s| calendar.start_at(s.start).is_some() && calendar.end_at(s.end).is_some())
        .count();
    waves + dates
}

/// A set read from files of these texts, as `check` gets it.
fn loaded(files: Vec<(String, String)>) -> Loaded {
    let (tasks, texts): (Vec<Task>, Vec<String>) = files
        .into_iter()
        .map(|(id, text)| {
            let task = Task::parse(TaskId::parse(&id).expect("valid id"), &text).expect("valid");
            (task, text)
        })
        .unzip();
    // TaskSet sorts by id; the generators below write ids in order.
    Loaded {
        tasks: TaskSet::new(tasks),
        texts: texts.into(),
        ..Loaded::default()
    }
}

/// `t000000` blocked by `t000001`, … : a chain against the id order.
fn chain(n: usize) -> Loaded {
    loaded(
        (0..n)
            .map(|k| {
                let mut text = format!("subject = \"step {k}\"\n");
                if k + 1 < n {
                    text.push_str(&format!("blocked_by = [\"t{:06}\"]\n", k + 1));
                }
                (format!("t{k:06}"), text)
            })
            .collect(),
    )
}

/// The same chain closed into one cycle: the last task is blocked by the
/// first, as `dep add` would refuse to make it.
fn cycle(n: usize) -> Loaded {
    let mut loaded = chain(n);
    let last = format!("t{:06}", n - 1);
    let text = "subject = \"last\"\nblocked_by = [\"t000000\"]\n";
    let task = Task::parse(TaskId::parse(&last).expect("valid id"), text).expect("valid");
    loaded.tasks.upsert(task);
    if let Some(last) = loaded.texts.len().checked_sub(1) {
        loaded.texts.set(last, text.to_string().into());
    }
    loaded
}

/// A parent chain `depth` deep, each level blocked by a task of its own.
fn parent_chain(depth: usize) -> Loaded {
    let mut files: Vec<(String, String)> = (0..depth)
        .map(|k| (format!("b{k:06}"), format!("subject = \"blocker {k}\"\n")))
        .collect();
    files.extend((0..depth).map(|k| {
        let mut text = format!("subject = \"level {k}\"\nblocked_by = [\"b{k:06}\"]\n");
        if k > 0 {
            text.push_str(&format!("parent = \"t{:06}\"\n", k - 1));
        }
        if k + 1 == depth {
            text.push_str("status = \"in_progress\"\n");
        }
        (format!("t{k:06}"), text)
    }));
    loaded(files)
}

/// One task whose blocked_by names `n` ids that no task has.
fn missing(n: usize) -> Loaded {
    let list: Vec<String> = (0..n).map(|k| format!("\"m{k:06}\"")).collect();
    let text = format!(
        "subject = \"too much\"\nblocked_by = [{}]\n",
        list.join(", ")
    );
    loaded(vec![("x".into(), text)])
}

fn shapes() {
    println!();
    println!(
        "| shape | tasks | written edges | stored edges | cycles | Graph::new | Graph::new + cycles | ready | check::check | plan |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let cases: Vec<(&str, Loaded)> = vec![
        ("chain against the id order", chain(100_000)),
        ("chain against the id order", chain(1_000_000)),
        ("that chain closed into one cycle", cycle(1_000_000)),
        ("parent chain, a blocker per level", parent_chain(10_000)),
        ("parent chain, a blocker per level", parent_chain(100_000)),
        ("one file, 100k missing ids", missing(100_000)),
    ];
    for (name, loaded) in &cases {
        let set = &loaded.tasks;
        let graph = Graph::new(set);
        let written: usize = set
            .iter()
            .map(|t| t.blocked_by.len() + usize::from(t.parent.is_some()))
            .sum();
        let runs = if set.len() >= 1_000_000 { 3 } else { 7 };
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        println!(
            "| {name} | {} | {written} | {} | {} | {} | {} | {} | {} | {} |",
            set.len(),
            graph.stored_edges(),
            graph.cycles().len(),
            ms(time(runs, || Graph::new(set).stored_edges())),
            ms(time(runs, || Graph::new(set).cycles().len())),
            ms(time(runs, || graph.ready().len())),
            ms(time(runs, || check::check(loaded, None).diagnostics.len())),
            ms(time(runs, || plan(&graph))),
        );
    }
}

fn main() {
    // `cargo bench --bench graph -- layout` times only the board's layout.
    if std::env::args().any(|a| a == "layout") {
        board_layout();
        return;
    }
    analyses();
    shapes();
    board_layout();
}

/// The board's graph: the layered layout of the unresolved tasks on their
/// waves (what `graph --format svg` draws), then the whole SVG.
fn board_layout() {
    use git_task::board::layout::{Geometry, layout};
    use git_task::drawing::Drawing;
    println!();
    println!(
        "| tasks | shown | drawn edges | layers | dummy points | crossings | layout | graph --format svg |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in [1_000usize, 10_000, 100_000] {
        let set = generate(n);
        let facts = git_task::facts::Facts::new(&set);
        let graph = &facts.graph;
        let open = Open::new(graph).expect("the generated graph is acyclic");
        let drawing = Drawing::new(graph, None, false);
        let edges = drawing.edges_by_place();
        let mut wave = vec![0usize; set.len()];
        for (w, tasks) in open.waves().iter().enumerate() {
            for &i in tasks {
                wave[i] = w;
            }
        }
        let layers: Vec<usize> = drawing.shown.iter().map(|&i| wave[i]).collect();
        let geometry = Geometry::default();
        let runs = if n >= 100_000 { 3 } else { 7 };
        let drawn = layout(drawing.shown.len(), &edges, Some(&layers), &geometry);
        let took = time(runs, || {
            layout(drawing.shown.len(), &edges, Some(&layers), &geometry).crossings
        });
        let svg = time(runs, || {
            git_task::board::svg::graph(&facts, &drawing, Some(&open)).len()
        });
        println!(
            "| {n} | {} | {} | {} | {} | {} | {:.0} ms | {:.0} ms |",
            drawing.shown.len(),
            edges.len(),
            drawn.layers.len(),
            drawn.dummies,
            drawn.crossings,
            took.as_secs_f64() * 1e3,
            svg.as_secs_f64() * 1e3,
        );
    }
}

fn analyses() {
    let sizes = [1_000usize, 10_000, 100_000];
    println!("| analysis | tasks | edges | median | ns per (V+E)·log₂V |");
    println!("|---|---:|---:|---:|---:|");
    for &n in &sizes {
        let set = generate(n);
        let graph = Graph::new(&set);
        let open = Open::new(&graph).expect("the generated graph is acyclic");
        let edges: usize = (0..set.len()).map(|i| graph.waits_for(i).len()).sum();
        let cp = open.critical_path();
        let loaded = Loaded {
            tasks: set.clone(),
            ..Loaded::default()
        };
        let runs = if n >= 100_000 { 7 } else { 21 };
        let scale = (n + edges) as f64 * (n as f64).log2();
        let rows: Vec<(&str, Duration)> = vec![
            (
                "waits-for (Graph::new)",
                time(runs, || Graph::new(&set).waits_for(0).len()),
            ),
            ("ready", time(runs, || graph.ready().len())),
            ("blocked", time(runs, || graph.blocked().len())),
            // A graph finds its strong components once and keeps them, so
            // each run starts from a new graph.
            (
                "cycles (Graph::new, then cycles)",
                time(runs, || Graph::new(&set).cycles().len()),
            ),
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
            (
                "plan (all of the above, and dates)",
                time(runs, || plan(&graph)),
            ),
            (
                "check::check",
                time(runs, || check::check(&loaded, None).diagnostics.len()),
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
