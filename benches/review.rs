//! Times `git-task diff` between two revisions of a repository with 10k
//! tasks of which 100 changed (the pull-request view).
//!
//! Run with `cargo bench --bench review`. Prints a Markdown table for
//! BENCHMARKS.md.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{git_task, median, repository_with_changes, run_ok};

fn main() {
    let bin = git_task();
    println!("| tasks | changed | diff HEAD~1..HEAD | diff --format markdown | diff --json |");
    println!("|---:|---:|---:|---:|---:|");
    for (n, changed) in [(1_000usize, 10usize), (10_000, 100)] {
        let repo = repository_with_changes(n, changed);
        let dir = repo.path();
        let time = |args: &[&str]| {
            median(11, || {
                run_ok(Command::new(&bin).current_dir(dir).args(args))
            })
        };
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        println!(
            "| {n} | {changed} | {} | {} | {} |",
            ms(time(&["diff", "HEAD~1..HEAD"])),
            ms(time(&["diff", "HEAD~1..HEAD", "--format", "markdown"])),
            ms(time(&["diff", "HEAD~1..HEAD", "--json"])),
        );
    }
}
