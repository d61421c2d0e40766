//! The graph at scale and at the edges of its input: long chains, deep
//! parent chains, huge blocker lists and estimates at their limit. Each
//! test is a shape a file (or a push) can bring; they assert what a user
//! sees (exit codes, output) and, through the library, structural bounds,
//! never timings: the benchmarks measure (`cargo bench --bench graph`).
//!
//! Task files are written straight into `.tasks/` with `std::fs::write`,
//! which is what a checkout or a push brings and far faster than `add`.

mod common;

use std::fmt::Write as _;

use common::TestEnv;

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
    assert_eq!(json["finish"], "5016-09-06T17:00");
    assert_eq!(json["tasks"][0]["start"], "2026-11-23T09:00");
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
    assert_eq!(json["tasks"][0]["start"], "2026-11-23T09:00");
    let gantt = env.task(&["plan", "--format", "mermaid"]);
    gantt.ok();
    gantt.assert_stdout("9999-12-31");
    // With enough workers it all fits.
    let json = env.task(&["plan", "--workers", "1000", "--json"]).json();
    assert!(json["finish"].is_string());
}
