//! A chain of a million tasks (issue 16): `t0000000` waits for nothing,
//! `t0000001` for `t0000000`, and so on, each one hour of work, the last
//! a gate. The deepest graph a task set can have: every walk of it is as
//! long as the set, so a recursive walk would overflow the stack and a
//! walk quadratic in the depth would not end.
//!
//! The repository is written with `git fast-import` (the blobs) and `git
//! mktree` (the folder) and checked out; then
//! every read command runs once on it (after one `list` that builds the
//! parse cache, shown as such), and two changes. For each: the wall time,
//! the peak resident memory of the process (`wait4`'s `ru_maxrss`), the
//! bytes it printed and its exit code. A command that refuses (a limit)
//! or takes longer than `CHAIN_TIMEOUT` seconds (600 by default; it is
//! then killed) is reported, not a failure of the benchmark.
//!
//! Run with `cargo bench --bench chain [-- SIZES]` (default 1m; SIZES
//! among `1k 10k 100k 1m` or plain numbers). It builds the release binary
//! first when it is missing, and prints a Markdown table for
//! BENCHMARKS.md per size.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fast_import, fast_import_into, git, git_task, run_ok, sizes_or};

/// The id of the chain's `i`th task.
fn id(i: usize) -> String {
    format!("t{i:07}")
}

/// A repository whose one commit on main holds a chain of `n` tasks,
/// checked out, with an identity for the changes.
///
/// fast-import looks up each path of a commit among the entries of its
/// folder one by one, so a million `M` lines into `.tasks/` would take it
/// hours: its stream here carries the blobs only (packed, as a real
/// history is), their ids are computed alongside, and `git mktree` makes
/// the folder's tree, which the commit names whole.
fn chain_repository(n: usize) -> tempfile::TempDir {
    let mut stream = Vec::with_capacity(n * 200);
    let mut listing = String::with_capacity(n * 70);
    let mut file = |name: &str, text: &str| {
        write!(stream, "blob\ndata {}\n{text}\n", text.len()).expect("write");
        let oid = gix::objs::compute_hash(
            gix::hash::Kind::Sha1,
            gix::objs::Kind::Blob,
            text.as_bytes(),
        )
        .expect("a blob id");
        listing.push_str(&format!("100644 blob {oid}\t{name}\n"));
    };
    file("config.toml", "[gates]\nbranches = [\"main\"]\n");
    for i in 0..n {
        let mut text = format!("subject = \"Step {i} of the chain\"\n");
        if i > 0 {
            text.push_str(&format!("blocked_by = [\"{}\"]\n", id(i - 1)));
        }
        if i + 1 == n {
            text.push_str("gate = true\n");
        }
        text.push_str("estimate = \"1h\"\ncreated = 2026-11-20T10:00:00Z\n");
        file(&format!("{}.toml", id(i)), &text);
    }
    let dir = fast_import(&stream);
    let path = dir.path();
    let mut mktree = git(path)
        .arg("mktree")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git mktree");
    let mut input = mktree.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || input.write_all(listing.as_bytes()));
    let out = mktree.wait_with_output().expect("git mktree");
    writer.join().expect("the writer").expect("feed git mktree");
    assert!(out.status.success());
    let tree = String::from_utf8(out.stdout).expect("a tree id");
    let commit = format!(
        "commit refs/heads/main\ncommitter bench <bench@example.com> 1763719200 +0000\ndata 6\nchain\nM 040000 {} .tasks\n",
        tree.trim()
    );
    fast_import_into(path, commit.as_bytes());
    run_ok(git(path).args(["read-tree", "main"]));
    run_ok(git(path).args(["checkout-index", "-a", "-f"]));
    run_ok(git(path).args(["config", "user.email", "bench@example.com"]));
    run_ok(git(path).args(["config", "user.name", "bench"]));
    dir
}

/// How one run ended.
struct Measured {
    /// The exit code; `None` when the process was killed (by a signal of
    /// its own, such as a stack overflow's, or at the timeout).
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    wall: Duration,
    /// Peak resident memory, in KiB.
    max_rss: u64,
    stdout_bytes: u64,
    /// The first line of standard error, for a run that failed.
    stderr_first: String,
}

/// Runs `cmd` with its standard output counted (read to the end, as a
/// pager or a pipe would) and waits for it with `wait4`, which gives the
/// process's own peak memory.
fn measure(cmd: &mut Command, timeout: Duration) -> Measured {
    let err_file = tempfile::NamedTempFile::new().expect("a temporary file");
    let started = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(err_file.reopen().expect("reopen"))
        .spawn()
        .expect("run git-task");
    let mut stdout = child.stdout.take().expect("stdout");
    let counter = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0u64;
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => return total,
                Ok(k) => total += k as u64,
            }
        }
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, for which zeroes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        // SAFETY: pointers to live locals of the right types; `pid` is our
        // child, which nothing else waits for.
        let got = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if got == pid {
            break;
        }
        assert!(
            got == 0 || std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted,
            "wait4: {}",
            std::io::Error::last_os_error()
        );
        if !timed_out && started.elapsed() > timeout {
            timed_out = true;
            // SAFETY: `pid` is our child, not yet reaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let wall = started.elapsed();
    drop(child);
    let stdout_bytes = counter.join().expect("the counter");
    let stderr = std::fs::read(err_file.path()).unwrap_or_default();
    let stderr_first = String::from_utf8_lossy(&stderr)
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(160)
        .collect();
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else {
        (None, Some(libc::WTERMSIG(status)))
    };
    Measured {
        code,
        signal,
        timed_out,
        wall,
        max_rss: usage.ru_maxrss as u64,
        stdout_bytes,
        stderr_first,
    }
}

fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

fn human_time(d: Duration) -> String {
    if d >= Duration::from_secs(10) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{:.0} ms", d.as_secs_f64() * 1e3)
    }
}

fn bench(bin: &Path, n: usize, timeout: Duration) {
    let started = Instant::now();
    let repo = chain_repository(n);
    let dir = repo.path();
    eprintln!(
        "chain of {n}: written and checked out in {}",
        human_time(started.elapsed())
    );
    let middle = id(n / 2);
    let last = id(n - 1);
    let cold = &["list"][..];
    let reads: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["ready"],
        vec!["blocked"],
        vec!["status"],
        vec!["check"],
        vec!["check", "--rev", "HEAD"],
        vec!["plan"],
        vec!["critical-path"],
        vec!["tracks"],
        vec!["graph"],
        vec!["graph", "--format", "dot"],
        vec!["show", &middle],
        vec!["export"],
        vec!["lint"],
        vec!["gate", "list"],
    ];
    let changes: Vec<Vec<&str>> = vec![
        vec!["note", &middle, "a note in the middle"],
        vec!["add", "After the chain", "--after", &last],
    ];
    println!();
    println!("### {n} tasks in one chain");
    println!();
    println!("| command | exit | wall | peak RSS | output | per task |");
    println!("|---|---:|---:|---:|---:|---:|");
    let row = |label: &str, args: &[&str]| {
        let m = measure(
            Command::new(bin)
                .current_dir(dir)
                .env("GIT_TASK_NOW", "2026-11-21T10:00:00Z")
                .args(args),
            timeout,
        );
        let exit = match (m.code, m.signal) {
            _ if m.timed_out => format!("killed after {} s", timeout.as_secs()),
            (Some(c), _) => c.to_string(),
            (None, Some(s)) => format!("signal {s}"),
            (None, None) => "?".into(),
        };
        println!(
            "| `{label}` | {exit} | {} | {} | {} | {:.2} µs |",
            human_time(m.wall),
            human_bytes(m.max_rss * 1024),
            human_bytes(m.stdout_bytes),
            m.wall.as_secs_f64() * 1e6 / n as f64,
        );
        if m.code != Some(0) {
            eprintln!("  {label}: {}", m.stderr_first);
        }
    };
    row("list (no parse cache yet)", cold);
    // Files written within the racy margin are read again by every
    // command; past it, the cache trusts their stat data.
    std::thread::sleep(git_task::store::RACY_MARGIN + Duration::from_millis(100));
    row("list (again, past the racy margin)", cold);
    for args in reads.iter().chain(&changes) {
        let label = args.join(" ");
        row(&label, args);
    }
}

fn main() {
    let bin = git_task();
    let timeout = Duration::from_secs(
        std::env::var("CHAIN_TIMEOUT")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(600),
    );
    for n in sizes_or(1_000_000) {
        bench(&bin, n, timeout);
    }
}
