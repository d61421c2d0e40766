//! Times `git-task log ID` on a history of 10k commits, each changing one
//! of 100 task files, so the task asked about changed in 1% of them: once
//! with those 100 files alone in `.tasks/` and once among 10k task files
//! (every commit then rewrites a large `.tasks` tree); each without and
//! then with a commit-graph (`git gc` writes one). The baseline is git
//! itself listing the same commits: `git log -- .tasks/<id>.toml`.
//!
//! Then the one walk the board reads every task's recent history from
//! (`log::recent`, called as a library: 200 commits, 5 entries per task),
//! at 10k task files with each commit changing one of all of them, or one
//! of 100; git's baseline is `git log --first-parent -n 200 --raw` on
//! `.tasks/`, which compares the same trees.
//!
//! Run with `cargo bench --bench log` (it builds the release binary first
//! if there is none; rebuild it after a change), or `cargo bench --bench
//! log -- recent` for the walk of every task alone (a few seconds). Prints
//! Markdown tables for BENCHMARKS.md.

mod common;

use std::io::Write;
use std::process::Command;
use std::time::Duration;

use common::{git, git_task, median, run_ok, task_text};
use git_task::log::{RecentOptions, recent};
use git_task::store::Workspace;

/// How many task files the commits take turns changing.
const CHANGING: usize = 100;
/// The task `log` is asked about.
const TARGET: &str = "t000042";

/// A repository whose first commit holds `tasks` task files, followed by
/// `commits` commits that each change one of the first `changing` (in a
/// fixed pseudo-random order), written with fast-import, packed again by
/// git, and checked out. Returns the repository and how many commits
/// changed [`TARGET`].
fn repository(tasks: usize, changing: usize, commits: usize) -> (tempfile::TempDir, usize) {
    let mut stream = Vec::new();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let texts: Vec<String> = (0..tasks).map(|i| task_text(i, &mut seed)).collect();
    let start = 1_763_719_200u64;
    write!(
        stream,
        "commit refs/heads/main\ncommitter bench <bench@example.com> {start} +0000\ndata 6\ntasks\n"
    )
    .expect("write");
    for (i, text) in texts.iter().enumerate() {
        common::write_inline(&mut stream, &format!(".tasks/t{i:06}.toml"), text);
    }
    // Each changed file gains a note and flips between pending and
    // in_progress, so every listed commit has something to show.
    let mut notes = vec![String::new(); changing];
    let mut target_changes = 1; // the first commit created it
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    for k in 1..=commits {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let i = rng as usize % changing;
        if format!("t{i:06}") == TARGET {
            target_changes += 1;
        }
        notes[i].push_str(&format!(
            "\n[[notes]]\nat = 2026-11-21T10:00:00Z\ntext = \"step {k}\"\n"
        ));
        let status = if k % 2 == 0 { "pending" } else { "in_progress" };
        let text = texts[i].replacen('\n', &format!("\nstatus = \"{status}\"\n"), 1) + &notes[i];
        let message = format!("change t{i:06} ({k})");
        write!(
            stream,
            "commit refs/heads/main\nauthor bench <bench@example.com> {t} +0000\ncommitter bench <bench@example.com> {t} +0000\ndata {}\n{message}\nM 100644 inline .tasks/t{i:06}.toml\ndata {}\n{text}\n",
            message.len(),
            text.len(),
            t = start + 60 * k as u64,
        )
        .expect("write");
    }
    let dir = common::fast_import(&stream);
    // fast-import stores each tree as a delta of the version before it, the
    // reverse of what git's own packing (gc, clone, fetch) does. gix caches
    // only the end of a delta chain it resolves, so walking that layout
    // newest first inflates whole chains again and again (about 4× slower
    // at 100 files, 14× at 10k). Repack as git would.
    let status = git(dir.path())
        .args(["repack", "-adfq"])
        .status()
        .expect("git repack");
    assert!(status.success());
    let status = git(dir.path())
        .args(["read-tree", "-u", "--reset", "main"])
        .status()
        .expect("read-tree");
    assert!(status.success());
    (dir, target_changes)
}

/// Times `log::recent` with its defaults at 10k task files and 200
/// commits, without and with a commit-graph.
fn recent_of_every_task() {
    println!(
        "| task files | commits | changing | commit-graph | git log --first-parent -n 200 --raw -- .tasks | log::recent | tasks listed | entries |"
    );
    println!("|---:|---:|---:|---|---:|---:|---:|---:|");
    let (tasks, commits) = (10_000, 200);
    for changing in [tasks, CHANGING] {
        let (repo, _) = repository(tasks, changing, commits);
        let dir = repo.path();
        for graph in [false, true] {
            if graph {
                run_ok(git(dir).args(["commit-graph", "write", "--reachable"]));
            }
            let baseline = median(11, || {
                run_ok(git(dir).args([
                    "log",
                    "--first-parent",
                    "-n",
                    "200",
                    "--raw",
                    "--format=%h %an <%ae> %ad %s",
                    "--",
                    ".tasks",
                ]))
            });
            let options = RecentOptions::default();
            let mut found = None;
            let walk = median(11, || {
                // Opened each time, as a command would.
                let ws = Workspace::discover(dir).expect("the repository");
                found = Some(recent(&ws, &options).expect("recent"));
            });
            let found = found.expect("ran");
            let entries: usize = found.tasks.values().map(Vec::len).sum();
            let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
            println!(
                "| {tasks} | {commits} | {changing} | {} | {} | {} | {} | {entries} |",
                if graph { "yes" } else { "no" },
                ms(baseline),
                ms(walk),
                found.tasks.len(),
            );
        }
    }
}

fn main() {
    recent_of_every_task();
    if std::env::args().any(|a| a == "recent") {
        return;
    }
    println!();
    let bin = git_task();
    println!(
        "| task files | commits | listed | commit-graph | git log -- .tasks/ID.toml | git-task log ID | ratio | git-task log ID --json |"
    );
    println!("|---:|---:|---:|---|---:|---:|---:|---:|");
    let commits = 10_000;
    for tasks in [CHANGING, 10_000] {
        let (repo, listed) = repository(tasks, CHANGING, commits);
        let dir = repo.path();
        let path = format!(".tasks/{TARGET}.toml");
        let runs = if tasks > CHANGING { 5 } else { 11 };
        for graph in [false, true] {
            if graph {
                run_ok(git(dir).args(["commit-graph", "write", "--reachable"]));
            }
            let baseline = median(runs, || {
                run_ok(git(dir).args(["log", "--format=%h %an <%ae> %ad %s", "--", &path]))
            });
            let log = median(runs, || {
                run_ok(Command::new(&bin).current_dir(dir).args(["log", TARGET]))
            });
            let json = median(runs, || {
                run_ok(
                    Command::new(&bin)
                        .current_dir(dir)
                        .args(["log", TARGET, "--json"]),
                )
            });
            let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
            println!(
                "| {tasks} | {commits} | {listed} | {} | {} | {} | {:.2}× | {} |",
                if graph { "yes" } else { "no" },
                ms(baseline),
                ms(log),
                log.as_secs_f64() / baseline.as_secs_f64(),
                ms(json),
            );
        }
    }
}
