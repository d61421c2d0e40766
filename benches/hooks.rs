//! Times the hooks' work on repositories of 1k, 10k and 100k tasks:
//! `git-task hook pre-commit` (reads the index) and `git-task check --rev
//! HEAD` (reads a commit), against git itself reading the same blobs:
//! `git ls-files --format='%(objectname)' .tasks | git cat-file --batch`.
//!
//! Run with `cargo bench --bench hooks` (it builds the release binary
//! first). Prints a Markdown table for BENCHMARKS.md.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn git_task() -> PathBuf {
    // Benches run from target/release/deps; the binary is one level up.
    let exe = std::env::current_exe().expect("the bench's own path");
    let dir = exe.parent().and_then(Path::parent).expect("target/release");
    let bin = dir.join("git-task");
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--bin", "git-task"])
            .status()
            .expect("cargo build");
        assert!(status.success());
    }
    bin
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com");
    cmd
}

/// A task file of ordinary size: epics of 20, about 3 blockers each.
fn task_text(i: usize, seed: &mut u64) -> String {
    let mut next = || {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    };
    let epic = i - i % 20;
    let mut text = format!("subject = \"Task {i}: do the thing that task {i} is about\"\n");
    if i == epic {
        text.push_str("kind = \"epic\"\n");
    } else {
        text.push_str(&format!("parent = \"t{epic:06}\"\n"));
        if epic > 0 {
            let mut blockers: Vec<String> = (0..3)
                .map(|_| next() as usize % epic)
                .filter(|b| b % 20 != 0)
                .map(|b| format!("\"t{b:06}\""))
                .collect();
            blockers.sort();
            blockers.dedup();
            if !blockers.is_empty() {
                text.push_str(&format!("blocked_by = [{}]\n", blockers.join(", ")));
            }
        }
        text.push_str(
            [
                "estimate = \"4h\"\n",
                "estimate = \"1d\"\n",
                "estimate = \"2d\"\n",
            ][next() as usize % 3],
        );
    }
    text.push_str("created = 2026-11-20T10:02:11Z\n");
    text.push_str("description = \"\"\"\nWhat to do, in enough detail that someone else can pick it up.\n\"\"\"\n");
    text
}

/// A repository whose one commit holds `n` tasks, written with fast-import
/// (packed, as a real repository's history is), and an index to match.
fn repository(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let status = git(dir.path())
        .args(["init", "-q", "-b", "main"])
        .status()
        .expect("git init");
    assert!(status.success());
    let mut import = git(dir.path())
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    let mut stream = Vec::new();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..n {
        let text = task_text(i, &mut seed);
        write!(
            stream,
            "blob\nmark :{}\ndata {}\n{}\n",
            i + 1,
            text.len(),
            text
        )
        .expect("write");
    }
    write!(
        stream,
        "commit refs/heads/main\ncommitter bench <bench@example.com> 1763719200 +0000\ndata 6\ntasks\n"
    )
    .expect("write");
    let config = "[gates]\nbranches = [\"main\"]\n";
    write!(
        stream,
        "M 100644 inline .tasks/config.toml\ndata {}\n{}\n",
        config.len(),
        config
    )
    .expect("write");
    for i in 0..n {
        writeln!(stream, "M 100644 :{} .tasks/t{i:06}.toml", i + 1).expect("write");
    }
    import
        .stdin
        .take()
        .expect("stdin")
        .write_all(&stream)
        .expect("feed fast-import");
    assert!(import.wait().expect("fast-import").success());
    let status = git(dir.path())
        .args(["read-tree", "main"])
        .status()
        .expect("read-tree");
    assert!(status.success());
    dir
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn run_ok(cmd: &mut Command) {
    let out = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

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
