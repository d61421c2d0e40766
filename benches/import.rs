//! Times `git task export` and `git task import`: git-task's own JSON
//! Lines out of a repository and into an empty one, and again unchanged
//! (every task compared, no file written); and the imports of the same
//! workload from Taskwarrior's `task export` JSON and from Backlog.md's
//! task files (`benches/common/workload.rs`), fresh and again.
//!
//! Run with `cargo bench --bench import [-- SIZES]` (default 10k; SIZES
//! among `1k 10k 100k` or plain numbers). It builds the release binary
//! first and prints a Markdown table for BENCHMARKS.md.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::workload::{self, Workload};
use common::{git, git_task, repository, run_ok};

fn empty_repository(bin: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    run_ok(git(dir.path()).args(["init", "-q"]));
    run_ok(Command::new(bin).current_dir(dir.path()).arg("init"));
    dir
}

fn timed(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    run_ok(cmd.env("GIT_TASK_NOW", workload::NOW).stdout(Stdio::null()));
    start.elapsed()
}

fn import(bin: &Path, dir: &Path, args: &[&str], source: &Path) -> Duration {
    timed(
        Command::new(bin)
            .current_dir(dir)
            .arg("import")
            .args(args)
            .arg(source),
    )
}

/// The median of `runs` fresh imports (each into a new repository), and
/// of `runs` imports again into the last one.
fn fresh_and_again(bin: &Path, runs: usize, args: &[&str], source: &Path) -> (Duration, Duration) {
    let mut fresh = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let repo = empty_repository(bin);
        fresh.push(import(bin, repo.path(), args, source));
        last = Some(repo);
    }
    let repo = last.expect("at least one run");
    let again = (0..runs)
        .map(|_| import(bin, repo.path(), args, source))
        .collect();
    (median(fresh), median(again))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let bin = git_task();
    let sizes = common::sizes();
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    println!(
        "| tasks | export | import, fresh | import, again | taskwarrior, fresh | taskwarrior, again | backlog, fresh | backlog, again |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let runs = if n >= 100_000 { 3 } else { 5 };
        let sources = tempfile::tempdir().expect("a temporary directory");
        let repo = repository(n);
        let jsonl = sources.path().join("tasks.jsonl");
        let export = median(
            (0..runs)
                .map(|_| {
                    timed(
                        Command::new(&bin)
                            .current_dir(repo.path())
                            .args(["export", "--rev", "main", "-o"])
                            .arg(&jsonl),
                    )
                })
                .collect(),
        );
        let (native, native_again) = fresh_and_again(&bin, runs, &[], &jsonl);
        let w = Workload::new(n);
        let tw = sources.path().join("taskwarrior.json");
        std::fs::write(&tw, workload::taskwarrior_json(&w)).expect("the Taskwarrior export");
        let (tw_fresh, tw_again) = fresh_and_again(&bin, runs, &["--from", "taskwarrior"], &tw);
        let backlog = sources.path().join("backlog");
        workload::write_backlog_tasks(&w, &backlog.join("tasks"));
        let (bl_fresh, bl_again) = fresh_and_again(&bin, runs, &["--from", "backlog"], &backlog);
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} | {} |",
            ms(export),
            ms(native),
            ms(native_again),
            ms(tw_fresh),
            ms(tw_again),
            ms(bl_fresh),
            ms(bl_again)
        );
    }
}
