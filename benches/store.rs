//! Times the commands that read and change the working tree's `.tasks/`
//! on a checkout of 10k tasks: what every read costs now that a task file
//! is opened without following links and bounded in size, and what a
//! change costs now that it re-reads the files it replaces and clears
//! temporaries first. `git status --porcelain`, which looks at every file
//! of the same checkout, is the yardstick.
//!
//! Run with `cargo bench --bench store` (it builds the release binary
//! first). Prints a Markdown table for BENCHMARKS.md.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{git, git_task, median, repository, run_ok};
use git_task::store::{RACY_MARGIN, Source, Workspace};

fn main() {
    let bin = git_task();
    let n = 10_000;
    let repo = repository(n);
    let dir = repo.path();
    run_ok(git(dir).args(["checkout-index", "-a", "-f"]));
    run_ok(git(dir).args(["config", "user.email", "bench@example.com"]));
    let runs = 11;
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    let baseline = median(runs, || run_ok(git(dir).args(["status", "--porcelain"])));
    println!("| command ({n} tasks) | time | ratio to git status |");
    println!("|---|---:|---:|");
    println!("| `git status --porcelain` | {} | 1.00× |", ms(baseline));
    let commands: &[&[&str]] = &[
        &["ready"],
        &["list", "--json"],
        &["status"],
        &["check"],
        &["add", "Benchmark"],
        &["note", "t000021", "a note"],
    ];
    for args in commands {
        let time = median(runs, || {
            run_ok(
                Command::new(&bin)
                    .current_dir(dir)
                    .env("GIT_TASK_NOW", "2026-11-21T10:00:00Z")
                    .args(*args),
            )
        });
        println!(
            "| `git task {}` | {} | {:.2}× |",
            args.join(" "),
            ms(time),
            time.as_secs_f64() / baseline.as_secs_f64()
        );
    }
    // The load alone, in this process: what every command of the working
    // tree pays before it computes its answer. Cold removes the parse
    // cache first; warm reads with the cache the previous read left.
    let cache = dir.join(".git/git-task/cache");
    let load = || {
        let ws = Workspace::discover(dir).expect("the repository");
        let loaded = ws.read(&Source::WorkTree).expect("a read");
        // The `add` runs above made a few more.
        assert!(loaded.tasks.len() >= n);
    };
    let cold = median(runs, || {
        let _ = std::fs::remove_dir_all(&cache);
        load();
    });
    load();
    // Older than the cache's racy margin, so the rows are trusted.
    std::thread::sleep(RACY_MARGIN + Duration::from_millis(100));
    load();
    let warm = median(runs, load);
    println!();
    println!("| `Workspace::read` of the working tree ({n} tasks), in process | time |");
    println!("|---|---:|");
    println!("| cold (no parse cache) | {} |", ms(cold));
    println!("| warm | {} |", ms(warm));
}
