//! Shared by the benchmarks that run the real binary on real repositories:
//! building the release binary, generating task files, writing
//! repositories with `git fast-import`, and timing processes.

#![allow(dead_code)]

pub mod workload;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The sizes named on the command line (`1k`, `10k`, `100k` or a number;
/// flags such as cargo's `--bench` skipped), or 10k when none is.
pub fn sizes() -> Vec<usize> {
    sizes_or(10_000)
}

/// The sizes named on the command line, as [`sizes`] reads them (and
/// `1m`), or `default` when none is.
pub fn sizes_or(default: usize) -> Vec<usize> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(|a| match a.as_str() {
            "1k" => 1_000,
            "10k" => 10_000,
            "100k" => 100_000,
            "1m" => 1_000_000,
            n => n.parse().expect("a size: 1k, 10k, 100k, 1m or a number"),
        })
        .collect();
    if sizes.is_empty() {
        vec![default]
    } else {
        sizes
    }
}

/// The release binary, built first when it is missing.
pub fn git_task() -> PathBuf {
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

/// git with a pinned identity and no user or system configuration.
pub fn git(dir: &Path) -> Command {
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
pub fn task_text(i: usize, seed: &mut u64) -> String {
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
pub fn repository(n: usize) -> tempfile::TempDir {
    repository_with_changes(n, 0)
}

/// The fast-import stream of a first commit on main with `n` tasks (of
/// [`task_text`]) and a config that protects main. Returns the texts.
fn first_commit(stream: &mut Vec<u8>, n: usize) -> Vec<String> {
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let texts: Vec<String> = (0..n).map(|i| task_text(i, &mut seed)).collect();
    for (i, text) in texts.iter().enumerate() {
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
    write_inline(
        stream,
        ".tasks/config.toml",
        "[gates]\nbranches = [\"main\"]\n",
    );
    for i in 0..n {
        writeln!(stream, "M 100644 :{} .tasks/t{i:06}.toml", i + 1).expect("write");
    }
    texts
}

/// Like [`repository`], with a second commit on main that completes
/// `changed` of the tasks (spread over the set) and adds a note to each.
pub fn repository_with_changes(n: usize, changed: usize) -> tempfile::TempDir {
    let mut stream = Vec::new();
    first_commit(&mut stream, n);
    if let Some(step) = n.checked_div(changed) {
        write!(
            stream,
            "commit refs/heads/main\ncommitter bench <bench@example.com> 1763722800 +0000\ndata 8\nprogress\n"
        )
        .expect("write");
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let step = step.max(1);
        for i in 0..n {
            let text = task_text(i, &mut seed);
            if i % step != 0 || i / step >= changed {
                continue;
            }
            let text = text.replacen("\n", "\nstatus = \"completed\"\n", 1)
                + "\n[[notes]]\nat = 2026-11-21T11:00:00Z\ntext = \"done\"\n";
            write_inline(&mut stream, &format!(".tasks/t{i:06}.toml"), &text);
        }
    }
    let dir = fast_import(&stream);
    let status = git(dir.path())
        .args(["read-tree", "main"])
        .status()
        .expect("read-tree");
    assert!(status.success());
    dir
}

/// What each commit of [`repository_with_push`] does to the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Completes a task and adds a note: one file changes, the graph not.
    Complete,
    /// Adds a task that waits for an existing one.
    Add,
    /// Adds a task to an existing epic, blocked by a task of another one:
    /// the epic now waits for something it did not, so the whole set is
    /// checked again, for cycles.
    AddChild,
}

impl Step {
    pub fn describe(self) -> &'static str {
        match self {
            Step::Complete => "completes a task",
            Step::Add => "adds a task",
            Step::AddChild => "adds a blocked task to an epic",
        }
    }
}

/// A repository whose first commit holds `n` tasks and whose main goes on
/// by `commits` more commits, each changing the tasks by one `step`.
/// Returns the repository and the ids of the first and the last commit:
/// what a push of those commits sees.
pub fn repository_with_push(
    n: usize,
    commits: usize,
    step: Step,
) -> (tempfile::TempDir, String, String) {
    let mut stream = Vec::new();
    let texts = first_commit(&mut stream, n);
    for k in 0..commits {
        let message = format!("step {k}");
        write!(
            stream,
            "commit refs/heads/main\ncommitter bench <bench@example.com> {} +0000\ndata {}\n{message}\n",
            1763722800 + 60 * k,
            message.len()
        )
        .expect("write");
        let i = (k * 7919) % n;
        match step {
            Step::Complete => {
                let text = texts[i].replacen("\n", "\nstatus = \"completed\"\n", 1)
                    + "\n[[notes]]\nat = 2026-11-21T11:00:00Z\ntext = \"done\"\n";
                write_inline(&mut stream, &format!(".tasks/t{i:06}.toml"), &text);
            }
            Step::Add => {
                let text = format!(
                    "subject = \"New work {k}\"\nblocked_by = [\"t{i:06}\"]\ncreated = 2026-11-21T10:00:00Z\n",
                );
                write_inline(&mut stream, &format!(".tasks/new{k:04}.toml"), &text);
            }
            Step::AddChild => {
                // Blockers only ever come from earlier epics: no cycle.
                let epic = 20 + (i % (n - 20)) / 20 * 20;
                let text = format!(
                    "subject = \"New work {k}\"\nparent = \"t{epic:06}\"\nblocked_by = [\"t{:06}\"]\ncreated = 2026-11-21T10:00:00Z\n",
                    epic - 1
                );
                write_inline(&mut stream, &format!(".tasks/new{k:04}.toml"), &text);
            }
        }
    }
    let dir = fast_import(&stream);
    let rev = |rev: &str| {
        let out = git(dir.path())
            .args(["rev-parse", rev])
            .output()
            .expect("rev-parse");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    let (base, tip) = (rev(&format!("main~{commits}")), rev("main"));
    (dir, base, tip)
}

/// Appends a fast-import `M` command that writes `text` to `path`.
pub fn write_inline(stream: &mut Vec<u8>, path: &str, text: &str) {
    write!(
        stream,
        "M 100644 inline {path}\ndata {}\n{text}\n",
        text.len()
    )
    .expect("write");
}

/// A new repository on branch main in a temporary directory, filled by
/// feeding `stream` to `git fast-import`.
pub fn fast_import(stream: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let status = git(dir.path())
        .args(["init", "-q", "-b", "main"])
        .status()
        .expect("git init");
    assert!(status.success());
    fast_import_into(dir.path(), stream);
    dir
}

/// Feeds `stream` to `git fast-import` in the repository at `dir`.
pub fn fast_import_into(dir: &Path, stream: &[u8]) {
    let mut import = git(dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    import
        .stdin
        .take()
        .expect("stdin")
        .write_all(stream)
        .expect("feed fast-import");
    assert!(import.wait().expect("fast-import").success());
}

/// The median of `runs` timings of `f`, after one warm-up run.
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
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

/// Runs a command and insists that it succeeds.
pub fn run_ok(cmd: &mut Command) {
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
