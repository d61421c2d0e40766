//! The graph at scale and at the edges of its input: long chains, deep
//! parent chains, huge blocker lists and estimates at their limit. Each
//! test is a shape a file (or a push) can bring; they assert what a user
//! sees (exit codes, output) and, through the library, structural bounds,
//! never timings: the benchmarks measure (`cargo bench --bench graph`).
//!
//! Task files are written straight into `.tasks/` with `std::fs::write`,
//! which is what a checkout or a push brings and far faster than `add`.

use crate::common;

use std::fmt::Write as _;

use common::TestEnv;
use git_task::graph::{Graph, LISTED, Open};
use git_task::{Task, TaskId, TaskSet};

/// Writes `n` task files, `t000000.toml` … , the text of each from `text`.
fn write_chain(env: &TestEnv, n: usize, text: impl Fn(usize) -> String) {
    let dir = env.tasks_dir();
    for k in 0..n {
        std::fs::write(dir.join(format!("t{k:06}.toml")), text(k)).unwrap();
    }
}

fn id(k: usize) -> String {
    format!("t{k:06}")
}

/// A task set built in memory from `(id, toml)` pairs.
fn set(tasks: impl Iterator<Item = (String, String)>) -> TaskSet {
    TaskSet::new(
        tasks
            .map(|(id, text)| Task::parse(TaskId::parse(&id).unwrap(), &text).unwrap())
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// 15: depth that comes from a file must not overflow the stack.

/// `t000000` is blocked by `t000001`, which is blocked by `t000002`, … : the
/// chain runs against the id order, so a recursive depth-first search from
/// the first id goes as deep as the chain is long. That aborted `check`
/// and every mutation with SIGABRT (exit 134): at about 100,000 tasks in
/// a release build, and already at 20,000 in the debug build these tests
/// run, whose stack frames are larger. 30,000 keeps the files quick to
/// write; the library test below runs 100,000.
#[test]
fn a_long_chain_against_the_id_order_checks_and_refuses_a_cycle() {
    let env = TestEnv::new();
    let n = 30_000;
    write_chain(&env, n, |k| {
        if k + 1 < n {
            format!("subject = \"step {k}\"\nblocked_by = [\"{}\"]\n", id(k + 1))
        } else {
            format!("subject = \"step {k}\"\n")
        }
    });

    let check = env.task(&["check"]);
    check
        .code(0)
        .assert_stdout("check: 30000 tasks in the working tree: no problems");

    // The last of the chain is the one thing that can start.
    let ready = env.task(&["ready"]);
    let lines: Vec<&str> = ready.ok().lines().collect();
    assert_eq!(lines.len(), 1, "{}", ready.stdout);
    assert!(lines[0].starts_with(&id(n - 1)), "{}", ready.stdout);

    // Closing the chain into a cycle of 30,000 tasks is refused, the
    // files are untouched, and the message names the cycle without
    // printing all of it.
    let last = env.tasks_dir().join(format!("{}.toml", id(n - 1)));
    let before = std::fs::read_to_string(&last).unwrap();
    let files_before = std::fs::read_dir(env.tasks_dir()).unwrap().count();
    let refused = env.task(&["dep", "add", &id(n - 1), &id(0)]);
    refused
        .code(1)
        .assert_stderr("this change would close a cycle")
        .assert_stderr("t029999 \"step 29999\" → t000000 \"step 0\"")
        .assert_stderr(&format!(" → … {} more …", n - 12));
    assert!(
        refused.stderr.len() < 4_000,
        "the message lists a bounded part of the cycle:\n{}",
        refused.stderr
    );
    assert_eq!(std::fs::read_to_string(&last).unwrap(), before);
    assert_eq!(
        std::fs::read_dir(env.tasks_dir()).unwrap().count(),
        files_before
    );
}

/// Cycle detection, the topological order and the planning answers on a
/// chain of 100,000 in memory, as long as the chains that aborted release
/// builds, on a test thread's 2 MiB stack.
#[test]
fn the_analyses_are_iterative() {
    let n = 100_000;
    let s = set((0..n).map(|k| {
        let text = if k + 1 < n {
            format!("subject = \"s\"\nblocked_by = [\"{}\"]\n", id(k + 1))
        } else {
            "subject = \"s\"\n".to_string()
        };
        (id(k), text)
    }));
    let graph = Graph::new(&s);
    assert!(graph.cycles().is_empty());
    assert!(graph.cyclic_tasks().is_empty());
    let open = Open::new(&graph).expect("a chain has no cycle");
    assert_eq!(open.waves().len(), n);
    let cp = open.critical_path();
    assert_eq!(cp.path.len(), n);
    assert_eq!(cp.path[0], n - 1);
    assert_eq!(open.schedule(&graph, &cp, 2).finish, cp.length);
    assert_eq!(graph.ready(), [n - 1]);

    // The same chain closed into one cycle: found, and described briefly.
    let mut s = s;
    s.upsert(
        Task::parse(
            TaskId::parse(&id(n - 1)).unwrap(),
            &format!("subject = \"s\"\nblocked_by = [\"{}\"]\n", id(0)),
        )
        .unwrap(),
    );
    let graph = Graph::new(&s);
    let cycles = graph.cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].len(), n);
    assert_eq!(graph.cyclic_tasks().len(), n);
    assert!(graph.describe_cycle(&cycles[0]).len() < 2_000);
    assert!(Open::new(&graph).is_err());
}

// ---------------------------------------------------------------------------
// 16: inherited waits are answered, never stored.

/// A parent chain 10,000 deep (`t(k)` has parent `t(k-1)`) with a blocker
/// `b(k)` at every level: the deepest task waits for 10,000 blockers
/// through its ancestors, and the relation written out has 5·10⁷ edges.
fn deep_parent_chain(depth: usize) -> impl Iterator<Item = (String, String)> {
    (0..depth).flat_map(move |k| {
        let mut text = format!("subject = \"level {k}\"\nblocked_by = [\"b{k:06}\"]\n");
        if k > 0 {
            text.push_str(&format!("parent = \"{}\"\n", id(k - 1)));
        }
        if k + 1 == depth {
            text.push_str("status = \"in_progress\"\n");
        }
        [
            (id(k), text),
            (format!("b{k:06}"), format!("subject = \"blocker {k}\"\n")),
        ]
    })
}

#[test]
fn a_deep_parent_chain_stores_only_written_edges() {
    let depth = 10_000;
    let s = set(deep_parent_chain(depth));
    let graph = Graph::new(&s);
    let written: usize = s
        .iter()
        .map(|t| t.blocked_by.len() + usize::from(t.parent.is_some()))
        .sum();
    assert!(
        graph.stored_edges() <= s.len() + written,
        "{} edges stored for {} tasks and {written} written edges",
        graph.stored_edges(),
        s.len()
    );

    let leaf = s.index_of(&id(depth - 1)).unwrap();
    // The deepest task waits for its own blocker and every ancestor's.
    assert_eq!(graph.waits_for(leaf).len(), depth);
    assert_eq!(graph.open_waits(leaf).count(), depth);
    assert!(graph.is_blocked(leaf));
    assert_eq!(graph.state(leaf).as_str(), "blocked");
    // Every blocker is ready, no level is.
    let ready = graph.ready();
    assert_eq!(ready.len(), depth);
    assert!(
        ready
            .iter()
            .all(|&i| s.tasks()[i].id.as_str().starts_with('b'))
    );
    assert_eq!(graph.blocked().len(), depth);
    // A message lists a few waits and says how many more there are.
    let lines = graph.open_wait_lines(leaf);
    assert_eq!(lines.len(), LISTED + 1, "{lines:?}");
    assert_eq!(
        lines.last().map(String::as_str),
        Some(format!("and {} more", depth - LISTED).as_str())
    );
    assert!(lines[0].starts_with("b009999 \"blocker 9999\" (pending)"));
    assert_eq!(
        lines[1],
        format!(
            "b009998 \"blocker 9998\" (pending), inherited from {}",
            id(depth - 2)
        )
    );

    // Planning: every level waits for its child, so the chain is one wave
    // per level after the blockers.
    let open = Open::new(&graph).unwrap();
    assert_eq!(open.waves().len(), depth + 1);
    assert_eq!(open.critical_path().path.len(), depth + 1);
}

#[test]
fn a_deep_parent_chain_checks_end_to_end() {
    let env = TestEnv::new();
    let depth = 10_000;
    for (id, text) in deep_parent_chain(depth) {
        env.write(&id, &text);
    }
    let check = env.task(&["check"]);
    // One warning: the deepest task is in progress while it waits, with a
    // bounded list of what for.
    check
        .code(0)
        .assert_stdout(
            "t009999` is in progress while it waits for b009999 \"blocker 9999\" (pending)",
        )
        .assert_stdout("and 9990 more")
        .assert_stdout("check: 20000 tasks in the working tree: 0 errors, 1 warning");
    assert!(check.stdout.len() < 4_000, "{}", check.stdout);
    let ready = env.ready();
    assert_eq!(ready.len(), depth);
    assert!(ready.iter().all(|id| id.starts_with('b')));
}

/// `blocked` lists a bounded part of what each task waits for, and `show`
/// all of it.
#[test]
fn blocked_lists_a_few_waits_and_show_all() {
    let env = TestEnv::new();
    for (id, text) in deep_parent_chain(30) {
        env.write(&id, &text);
    }
    let blocked = env.task(&["blocked"]);
    let leaf: Vec<&str> = blocked
        .ok()
        .lines()
        .skip_while(|l| !l.starts_with("t000029"))
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .collect();
    assert_eq!(leaf.len(), LISTED + 1, "{}", blocked.stdout);
    assert!(
        leaf[LISTED].ends_with("  and 20 more (git task show t000029 lists them all)"),
        "{}",
        blocked.stdout
    );
    let show = env.task(&["show", "t000029"]);
    let listed = show
        .ok()
        .lines()
        .filter(|l| l.contains("(pending)"))
        .count();
    assert_eq!(listed, 30, "{}", show.stdout);
}

/// One file whose `blocked_by` names 100,000 ids that no task has: each
/// used to be looked up in a list of the others and in the file's text.
#[test]
fn a_hundred_thousand_missing_ids_are_reported_briefly() {
    let env = TestEnv::new();
    let mut text = String::from("subject = \"too much\"\nblocked_by = [");
    for k in 0..100_000 {
        let _ = write!(text, "\"m{k:06}\", ");
    }
    text.push_str("]\n");
    env.write("x", &text);
    let check = env.task(&["check"]);
    check
        .code(1)
        .assert_stdout(".tasks/x.toml:2:15: `x` is blocked by `m000000`, but no task has that id")
        .assert_stdout("is blocked by 99990 more ids that name no task")
        .assert_stdout("check: 1 task in the working tree: 11 errors, 0 warnings");
    let json = env.task(&["check", "--json"]);
    let value = json.code(1).json();
    assert_eq!(value["errors"], 11);
}

// ---------------------------------------------------------------------------
// 17: estimates are bounded, and dates never overflow.

#[test]
fn an_estimate_past_the_limit_is_refused() {
    let env = TestEnv::new();
    let run = env.task(&["add", "Forever", "--estimate", "99999999w"]);
    run.code(2)
        .assert_stderr("99999999w")
        .assert_stderr("at most 520w");
    // The limit itself is accepted.
    env.add(&["Long", "--id", "long", "--estimate", "520w"]);
    env.task(&["edit", "long", "--estimate", "521w"])
        .code(2)
        .assert_stderr("at most 520w");
    // A file that says more is an invalid file, for check and for plan,
    // instead of a date that overflows.
    env.write("huge", "subject = \"Huge\"\nestimate = \"99999999w\"\n");
    env.task(&["check"])
        .code(1)
        .assert_stdout(".tasks/huge.toml:2:")
        .assert_stdout("at most 520w");
    env.task(&["plan"]).code(2).assert_stderr("at most 520w");
}

#[test]
fn a_plan_at_the_largest_estimates_prints_dates() {
    let env = TestEnv::new();
    let n = 300;
    write_chain(&env, n, |k| {
        let mut text = format!("subject = \"decade {k}\"\nestimate = \"520w\"\n");
        if k > 0 {
            let _ = writeln!(text, "blocked_by = [\"{}\"]", id(k - 1));
        }
        text
    });
    // Now is Saturday 2026-11-21: work starts Monday 2026-11-23, and
    // 300 × 520 weeks of work end on a Friday 156,000 weeks later, less
    // the weekend: 2026-11-23 + 155,999 weeks + 4 days.
    let plan = env.task(&["plan"]);
    plan.ok();
    plan.assert_stdout("done after 780000d (Fri 5016-09-06 17:00)");
    let cp = env.task(&["critical-path"]);
    cp.assert_stdout("done at the earliest Fri 5016-09-06 17:00");
    let json = env.task(&["plan", "--json"]).json();
    assert_eq!(json["finish"], "5016-09-06T17:00:00+00:00");
    assert_eq!(json["tasks"][0]["start"], "2026-11-23T09:00:00+00:00");
}

#[test]
fn work_past_the_calendar_says_so() {
    let env = TestEnv::new();
    // 1,000 tasks of ten years each for one worker: ten thousand years,
    // past the last day the calendar writes, 9999-12-31.
    write_chain(&env, 1_000, |k| {
        format!("subject = \"decade {k}\"\nestimate = \"520w\"\n")
    });
    let plan = env.task(&["plan"]);
    plan.ok();
    plan.assert_stdout("(after 9999-12-31)");
    let json = env.task(&["plan", "--json"]).json();
    assert_eq!(json["finish"], serde_json::Value::Null);
    assert_eq!(json["finish_minutes"], 1_000u64 * 520 * 2400);
    assert_eq!(json["tasks"][0]["start"], "2026-11-23T09:00:00+00:00");
    let gantt = env.task(&["plan", "--format", "mermaid"]);
    gantt.ok();
    gantt.assert_stdout("%% work after 9999-12-31 is drawn as ending on that day");
    assert!(
        gantt
            .stdout
            .lines()
            .any(|l| l.ends_with(", 9999-12-31 17:00")),
        "no bar ends on the calendar's last day:\n{}",
        gantt.stdout
    );
    // With enough workers it all fits.
    let json = env.task(&["plan", "--workers", "1000", "--json"]).json();
    assert!(json["finish"].is_string());
}
