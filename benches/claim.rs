//! Times `claim` and `release` on checkouts of 1k and 10k tasks: in the
//! repository only (`--local`: a reference created under git's lock and
//! the task file written), and through a bare remote on the same disk
//! (`--remote origin`: a fetch of the claim references, the local claim,
//! and a push with compare and swap), and `ready` with and without
//! fetching the remote's claims first. What a network adds is the round
//! trips of one fetch and one push; here they cost only the two `git`
//! processes.
//!
//! Run with `cargo bench --bench claim` (it builds the release binary
//! first). Prints a Markdown table for BENCHMARKS.md: medians of 15 runs.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{git, git_task, median, repository, run_ok};

const RUNS: usize = 15;

fn main() {
    let bin = git_task();
    println!(
        "| tasks | claim --local | release | claim --remote | release (remote) | ready (fetches) | ready --no-fetch |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for n in [1_000usize, 10_000] {
        let repo = repository(n);
        let dir = repo.path();
        run_ok(git(dir).args(["checkout-index", "-a", "-f"]));
        let remote = tempfile::tempdir().expect("temp dir");
        run_ok(git(remote.path()).args(["init", "-q", "--bare"]));
        run_ok(
            git(dir)
                .args(["remote", "add", "origin"])
                .arg(remote.path()),
        );
        let task = |args: &[&str]| {
            let mut cmd = Command::new(&bin);
            cmd.current_dir(dir)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_AUTHOR_EMAIL", "bench@example.com")
                .args(args);
            cmd
        };
        // Warm the parse cache: every command below reads the whole set.
        run_ok(&mut task(&["ready"]));
        // Each run claims the most urgent ready task and gives it back,
        // so every run claims the same task from the same state.
        let (claim_local, release_local) = pair(
            || claimed(&mut task(&["claim", "--local", "--json"])),
            |id| run_ok(&mut task(&["release", id])),
        );
        let (claim_remote, release_remote) = pair(
            || claimed(&mut task(&["claim", "--remote", "origin", "--json"])),
            |id| run_ok(&mut task(&["release", id])),
        );
        let config = dir.join(".tasks/config.toml");
        let mut text = std::fs::read_to_string(&config).expect("config");
        text.push_str("\n[claims]\nremote = \"origin\"\n");
        std::fs::write(&config, text).expect("config");
        let ready_fetch = median(RUNS, || run_ok(&mut task(&["ready"])));
        let ready_local = median(RUNS, || run_ok(&mut task(&["ready", "--no-fetch"])));
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} |",
            ms(claim_local),
            ms(release_local),
            ms(claim_remote),
            ms(release_remote),
            ms(ready_fetch),
            ms(ready_local)
        );
    }
}

/// The medians of `take` and `give_back`, run in turn [`RUNS`] times.
fn pair(mut take: impl FnMut() -> String, mut give_back: impl FnMut(&str)) -> (Duration, Duration) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..=RUNS {
        let start = std::time::Instant::now();
        let id = take();
        a.push(start.elapsed());
        let start = std::time::Instant::now();
        give_back(&id);
        b.push(start.elapsed());
    }
    // The first of each warms the caches.
    a.remove(0);
    b.remove(0);
    a.sort();
    b.sort();
    (a[RUNS / 2], b[RUNS / 2])
}

/// Runs a `claim --json` and returns the id of the task it claimed.
fn claimed(cmd: &mut Command) -> String {
    let out = cmd.output().expect("claim");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    json["task"]["id"].as_str().expect("a task").to_owned()
}
