//! Times `git task apply` of a 1,000-task plan: applied to a repository
//! without tasks (every file created in one transaction), applied again
//! unchanged (every task found by its plan key and compared, no file
//! written), applied with ten subjects edited, and as a dry run of the
//! fresh plan (everything checked and diffed, nothing written).
//!
//! Run with `cargo bench --bench apply` (it builds the release binary
//! first). Prints a Markdown table for BENCHMARKS.md.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{git, git_task, run_ok};

/// A plan of `n` tasks: epics of 20 parts (`parent`), each part waiting
/// for up to three earlier parts of its epic, and every tenth epic's
/// parts also for the epic before (a fan-in across epics).
fn plan(n: usize, edited: usize) -> String {
    let mut out = String::from("name = \"bench\"\n");
    for i in 0..n {
        let key = format!("t{i:05}");
        let epic = i / 20 * 20;
        let subject = if i < edited {
            format!("Task {i}, edited")
        } else {
            format!("Task {i} of the benchmark plan")
        };
        out.push_str(&format!("\n[tasks.{key}]\nsubject = \"{subject}\"\n"));
        if i == epic {
            out.push_str("kind = \"epic\"\n");
            continue;
        }
        out.push_str(&format!(
            "parent = \"t{epic:05}\"\nestimate = \"{}h\"\n",
            1 + i % 8
        ));
        let blockers: Vec<String> = (1..=3)
            .filter_map(|d| i.checked_sub(d * 2))
            .filter(|b| *b > epic)
            .map(|b| format!("\"t{b:05}\""))
            .collect();
        if !blockers.is_empty() {
            out.push_str(&format!("blocked_by = [{}]\n", blockers.join(", ")));
        }
        if i % 5 == 0 {
            out.push_str("criteria = [\"reviewed\", \"tested\"]\nlabels = [\"bench\"]\n");
        }
    }
    out
}

/// A fresh repository with `.tasks/` and nothing in it.
fn empty_repository(bin: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    run_ok(git(dir.path()).args(["init", "-q"]));
    run_ok(Command::new(bin).current_dir(dir.path()).arg("init"));
    dir
}

fn apply(bin: &Path, dir: &Path, plan: &Path, extra: &[&str]) -> Duration {
    let start = Instant::now();
    run_ok(
        Command::new(bin)
            .current_dir(dir)
            .env("GIT_TASK_NOW", "2026-11-21T10:00:00Z")
            .arg("apply")
            .arg(plan)
            .args(extra),
    );
    start.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let bin = git_task();
    let n = 1_000;
    let runs = 7;
    let plans = tempfile::tempdir().expect("a temporary directory");
    let fresh_plan = plans.path().join("bench.toml");
    std::fs::write(&fresh_plan, plan(n, 0)).expect("the plan");
    let edited_plan = plans.path().join("edited").join("bench.toml");
    std::fs::create_dir_all(edited_plan.parent().unwrap()).expect("a directory");
    std::fs::write(&edited_plan, plan(n, 10)).expect("the edited plan");

    let fresh = median(
        (0..runs)
            .map(|_| {
                let repo = empty_repository(&bin);
                apply(&bin, repo.path(), &fresh_plan, &[])
            })
            .collect(),
    );
    let dry = median(
        (0..runs)
            .map(|_| {
                let repo = empty_repository(&bin);
                apply(&bin, repo.path(), &fresh_plan, &["--dry-run"])
            })
            .collect(),
    );
    let repo = empty_repository(&bin);
    apply(&bin, repo.path(), &fresh_plan, &[]);
    apply(&bin, repo.path(), &fresh_plan, &[]);
    let unchanged = median(
        (0..runs)
            .map(|_| apply(&bin, repo.path(), &fresh_plan, &[]))
            .collect(),
    );
    // Alternately edited and back: each run changes ten files.
    let edited = median(
        (0..runs)
            .map(|k| {
                let plan = if k % 2 == 0 {
                    &edited_plan
                } else {
                    &fresh_plan
                };
                apply(&bin, repo.path(), plan, &[])
            })
            .collect(),
    );
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    println!("| `git task apply` of a {n}-task plan | time |");
    println!("|---|---:|");
    println!("| fresh: {n} tasks created | {} |", ms(fresh));
    println!("| fresh, `--dry-run` | {} |", ms(dry));
    println!("| again, unchanged: no file written | {} |", ms(unchanged));
    println!("| again, 10 subjects edited | {} |", ms(edited));
}
