//! Times the hooks' work on repositories of 1k, 10k and 100k tasks:
//! `git-task hook pre-commit` (reads the index) and `git-task check --rev
//! HEAD` (reads a commit), against git itself reading the same blobs:
//! `git ls-files --format='%(objectname)' .tasks | git cat-file --batch`.
//!
//! Then pushes of 5 and 20 commits on top of 10k tasks, each commit
//! changing the tasks a little: `git-task hook pre-push` and `hook
//! pre-receive` check every commit a push adds and the gates of its tip,
//! against `check --rev TIP`, one check of one commit; and a real
//! `git push` to a server with and without git-task's pre-receive, where
//! git keeps the pushed objects in quarantine. These are the fastest of 15
//! runs each, not the median: a push table is a comparison of several
//! commands, and on a shared machine the fastest run of each is the least
//! disturbed.
//!
//! Run with `cargo bench --bench hooks` (it builds the release binary
//! first). Prints Markdown tables for BENCHMARKS.md. With
//! `GIT_TASK_BENCH_INSTRUCTIONS=1` it also counts the instructions of the
//! hooks of each push with valgrind, which a busy machine does not change.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Step, git, git_task, median, repository, repository_with_push, run_ok};

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
    pushes(&bin);
}

/// Pushes of a few commits to a repository of 10k tasks.
fn pushes(bin: &Path) {
    println!();
    println!(
        "| tasks | commits | each commit | check --rev TIP | hook pre-push | ratio | hook pre-receive | ratio | git push, no hook | git push, pre-receive | difference | ratio |"
    );
    println!("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let count_instructions = std::env::var_os("GIT_TASK_BENCH_INSTRUCTIONS").is_some();
    let mut instruction_rows = Vec::new();
    let bin_dir = bin.parent().expect("the binary's directory");
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    for (n, commits, step) in [
        (10_000usize, 5usize, Step::Complete),
        (10_000, 20, Step::Complete),
        (10_000, 20, Step::Add),
        (10_000, 5, Step::AddChild),
        (10_000, 20, Step::AddChild),
    ] {
        let (repo, base, tip) = repository_with_push(n, commits, step);
        let dir = repo.path();
        // Two servers that have the first commit on main. Both refuse every
        // push once their pre-receive ran, so git throws the pushed objects
        // away and each timed push brings the same commits again; one runs
        // git-task's pre-receive first.
        let servers = tempfile::tempdir().expect("temp dir");
        let plain = servers.path().join("plain.git");
        let hooked = servers.path().join("hooked.git");
        for (server, hook) in [
            (&plain, "cat >/dev/null\nexit 1\n"),
            (&hooked, "git-task hook pre-receive || exit 2\nexit 1\n"),
        ] {
            run_ok(git(dir).args(["init", "-q", "--bare"]).arg(server));
            run_ok(
                git(dir)
                    .args(["push", "-q"])
                    .arg(server)
                    .arg(format!("{base}:refs/heads/main")),
            );
            let script = server.join("hooks/pre-receive");
            std::fs::write(&script, format!("#!/bin/sh\n{hook}")).expect("write the hook");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .expect("make the hook executable");
        }
        let check = fastest(|| {
            run_ok(
                Command::new(bin)
                    .current_dir(dir)
                    .args(["check", "--rev", &tip]),
            )
        });
        let pre_push = fastest(|| {
            hook(
                Command::new(bin)
                    .current_dir(dir)
                    .args(["hook", "pre-push", "origin", "url"]),
                &format!("refs/heads/main {tip} refs/heads/main {base}\n"),
            )
        });
        // Outside a real push there is no quarantine: the commits added are
        // those no ref reaches. The server's main is at the first commit;
        // the clone's objects stand in for what the push would bring.
        let pre_receive = fastest(|| {
            hook(
                Command::new(bin)
                    .current_dir(&plain)
                    .env("GIT_ALTERNATE_OBJECT_DIRECTORIES", dir.join(".git/objects"))
                    .args(["hook", "pre-receive"]),
                &format!("{base} {tip} refs/heads/main\n"),
            )
        });
        let git_push = |server: &Path| {
            fastest(|| {
                let out = git(dir)
                    .env("PATH", &path)
                    .args(["push", "--no-verify"])
                    .arg(server)
                    .arg(format!("{tip}:refs/heads/main"))
                    .output()
                    .expect("git push");
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(
                    stderr.contains("pre-receive hook declined")
                        && !stderr.contains("rejected by the server"),
                    "{stderr}"
                );
            })
        };
        if count_instructions {
            let pushed = format!("refs/heads/main {tip} refs/heads/main {base}\n");
            let received = format!("{base} {tip} refs/heads/main\n");
            let alternates = dir.join(".git/objects");
            let check = instructions(bin, dir, &[], &["check", "--rev", &tip], "");
            let pre_push = instructions(
                bin,
                dir,
                &[],
                &["hook", "pre-push", "origin", "url"],
                &pushed,
            );
            let pre_receive = instructions(
                bin,
                &plain,
                &[("GIT_ALTERNATE_OBJECT_DIRECTORIES", alternates.as_os_str())],
                &["hook", "pre-receive"],
                &received,
            );
            let m = |n: u64| format!("{:.0} M", n as f64 / 1e6);
            let ratio = |n: u64| format!("{:.2}×", n as f64 / check as f64);
            instruction_rows.push(format!(
                "| {n} | {commits} | {} | {} | {} | {} | {} | {} |",
                step.describe(),
                m(check),
                m(pre_push),
                ratio(pre_push),
                m(pre_receive),
                ratio(pre_receive),
            ));
        }
        let pushed_plain = git_push(&plain);
        let pushed_hooked = git_push(&hooked);
        let hook_share = pushed_hooked.saturating_sub(pushed_plain);
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        let ratio = |d: Duration| format!("{:.2}×", d.as_secs_f64() / check.as_secs_f64());
        println!(
            "| {n} | {commits} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            step.describe(),
            ms(check),
            ms(pre_push),
            ratio(pre_push),
            ms(pre_receive),
            ratio(pre_receive),
            ms(pushed_plain),
            ms(pushed_hooked),
            ms(hook_share),
            ratio(hook_share),
        );
    }
    if count_instructions {
        println!();
        println!(
            "| tasks | commits | each commit | check --rev TIP | hook pre-push | ratio | hook pre-receive | ratio |"
        );
        println!("|---:|---:|---|---:|---:|---:|---:|---:|");
        for row in instruction_rows {
            println!("{row}");
        }
    }
}

/// How many instructions `bin ARGS`, run in `dir` with `input` on its
/// standard input, executes, as valgrind's callgrind counts them: the
/// same on every run, however busy the machine is.
fn instructions(
    bin: &Path,
    dir: &Path,
    env: &[(&str, &std::ffi::OsStr)],
    args: &[&str],
    input: &str,
) -> u64 {
    let mut cmd = Command::new("valgrind");
    cmd.current_dir(dir)
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(bin)
        .args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("valgrind (GIT_TASK_BENCH_INSTRUCTIONS needs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("feed the command");
    let out = child.wait_with_output().expect("valgrind");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .lines()
        .find_map(|line| line.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no instruction count from valgrind:\n{stderr}"))
}

/// The fastest of 15 timings of `f`, after one warm-up run. On a machine
/// shared with other work the fastest run is the one least disturbed.
fn fastest(mut f: impl FnMut()) -> Duration {
    f();
    (0..15)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Runs a hook with `input` on its standard input; it must let it through.
fn hook(cmd: &mut Command, input: &str) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the hook");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("feed the hook");
    let out = child.wait_with_output().expect("the hook");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
