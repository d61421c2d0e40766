//! Times the hooks' work on repositories of 1k, 10k and 100k tasks:
//! `git-task hook pre-commit` (reads the index) and `git-task check --rev
//! HEAD` (reads a commit), against git itself reading the same blobs:
//! `git ls-files --format='%(objectname)' .tasks | git cat-file --batch`.
//!
//! Run with `cargo bench --bench hooks` (it builds the release binary
//! first). Prints a Markdown table for BENCHMARKS.md.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{git_task, median, repository, run_ok};

fn main() {
    let bin = git_task();
    println!(
        "| tasks | git ls-files \\| git cat-file --batch | hook pre-commit | ratio | check --rev HEAD | ratio |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for n in [1_000usize, 10_000, 100_000] {
        let repo = repository(n);
        let dir = repo.path();
        let runs = if n >= 100_000 { 5 } else { 11 };
        let baseline = median(runs, || {
            run_ok(
                Command::new("sh")
                    .current_dir(dir)
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    .env("GIT_CONFIG_GLOBAL", "/dev/null")
                    .arg("-c")
                    .arg("git ls-files --format='%(objectname)' .tasks | git cat-file --batch"),
            )
        });
        let pre_commit = median(runs, || {
            run_ok(
                Command::new(&bin)
                    .current_dir(dir)
                    .args(["hook", "pre-commit"]),
            )
        });
        let check_rev = median(runs, || {
            run_ok(
                Command::new(&bin)
                    .current_dir(dir)
                    .args(["check", "--rev", "HEAD"]),
            )
        });
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        let ratio = |d: Duration| format!("{:.2}×", d.as_secs_f64() / baseline.as_secs_f64());
        println!(
            "| {n} | {} | {} | {} | {} | {} |",
            ms(baseline),
            ms(pre_commit),
            ratio(pre_commit),
            ms(check_rev),
            ratio(check_rev)
        );
    }
}
