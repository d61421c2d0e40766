//! Side by side (issue 12): git-task against the floors git itself sets on
//! the same files, and against the trackers a user would otherwise pick,
//! Taskwarrior and Backlog.md, on one realistic workload at 1k, 10k and
//! 100k tasks (see `benches/common/workload.rs`).
//!
//! Every timing is hyperfine's median, with its raw JSON kept in
//! `target/bench-compare/<size>/`. Each git-task command runs cold (the
//! parse cache in `.git/git-task/cache` removed before every run) and warm
//! (three warm-up runs, the cache left in place); peak memory is
//! `ru_maxrss` of one more warm run. The peers run at 1k and 10k by
//! default (at 100k only with `--peers-100k`: they take minutes a run
//! there), with few runs.
//!
//! Run it with `benches/compare.sh`, which installs hyperfine, Taskwarrior
//! and Backlog.md first; or `cargo bench --bench compare -- [SIZES]
//! [--peers-100k] [--no-peers] [--baseline DIR]`, SIZES among `1k 10k
//! 100k` (or plain numbers). It prints Markdown for BENCHMARKS.md on
//! stdout (and to `target/bench-compare/report.md`); hyperfine's progress
//! goes to stderr.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::workload::{self, Workload};

/// What the command line asked for.
struct Args {
    sizes: Vec<usize>,
    peers_100k: bool,
    no_peers: bool,
    baseline: Option<PathBuf>,
}

fn parse_size(s: &str) -> Option<usize> {
    let s = s.to_ascii_lowercase();
    match s.strip_suffix('k') {
        Some(k) => k.parse::<usize>().ok().map(|k| k * 1_000),
        None => s.parse().ok(),
    }
}

fn parse_args() -> Args {
    let mut args = Args {
        sizes: Vec::new(),
        peers_100k: false,
        no_peers: false,
        baseline: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            // cargo bench passes --bench to every harness = false target.
            "--bench" => {}
            "--peers-100k" => args.peers_100k = true,
            "--no-peers" => args.no_peers = true,
            "--baseline" => {
                args.baseline = Some(PathBuf::from(it.next().expect("--baseline DIR")));
            }
            "-h" | "--help" => {
                eprintln!(
                    "usage: cargo bench --bench compare -- [1k] [10k] [100k] [--peers-100k] [--no-peers] [--baseline DIR]"
                );
                std::process::exit(0);
            }
            other => match parse_size(other) {
                Some(n) if n >= 40 => args.sizes.push(n),
                _ => {
                    eprintln!("compare: unknown argument {other:?} (try --help)");
                    std::process::exit(2);
                }
            },
        }
    }
    if args.sizes.is_empty() {
        args.sizes = vec![1_000, 10_000, 100_000];
    }
    args
}

/// `target/`, found from the bench's own path (target/release/deps/…).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench's own path");
    exe.ancestors()
        .nth(3)
        .expect("target/release/deps")
        .to_path_buf()
}

/// A program on PATH, or None.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Quotes a word for hyperfine's command line (split by shell rules, with
/// or without a shell).
fn quote(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// How many runs hyperfine makes.
#[derive(Clone, Copy)]
struct Runs {
    warmup: usize,
    min: usize,
    max: usize,
}

/// One hyperfine benchmark: a command, where and how it runs.
struct Bench<'a> {
    /// File stem of the JSON export and the key of the result.
    slug: String,
    /// The command as hyperfine runs it.
    command: String,
    cwd: &'a Path,
    env: &'a [(String, String)],
    /// Whether the command needs a shell (a pipe).
    shell: bool,
    prepare: Option<String>,
    runs: Runs,
}

/// What one benchmark measured, in seconds.
#[derive(Clone, Copy, Debug)]
struct Timing {
    median: f64,
    runs: usize,
}

/// Runs hyperfine for one command; None (and a message) when it failed.
fn hyperfine(hf: &Path, out: &Path, b: &Bench) -> Option<Timing> {
    let json = out.join(format!("{}.json", b.slug));
    let mut cmd = Command::new(hf);
    cmd.current_dir(b.cwd)
        .args(["--style", "basic", "--export-json"])
        .arg(&json)
        .args(["--command-name", &b.slug])
        .args(["--warmup", &b.runs.warmup.to_string()])
        .args(["--min-runs", &b.runs.min.to_string()])
        .args(["--max-runs", &b.runs.max.to_string()]);
    if !b.shell {
        cmd.arg("-N");
    }
    if let Some(p) = &b.prepare {
        cmd.args(["--prepare", p]);
    }
    cmd.arg(&b.command);
    for (k, v) in b.env {
        cmd.env(k, v);
    }
    let status = cmd
        .stdout(std::io::stderr())
        .stdin(Stdio::null())
        .status()
        .expect("run hyperfine");
    if !status.success() {
        eprintln!("compare: hyperfine failed for {}: {}", b.slug, b.command);
        return None;
    }
    read_timing(&json)
}

/// The median and run count of a hyperfine JSON export.
fn read_timing(json: &Path) -> Option<Timing> {
    let text = fs::read_to_string(json).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let r = &v["results"][0];
    Some(Timing {
        median: r["median"].as_f64()?,
        runs: r["times"].as_array().map_or(0, Vec::len),
    })
}

/// Peak resident memory in bytes of one run of `args` in `cwd`, from
/// `ru_maxrss` as `wait4` reports it for that child alone.
fn peak_memory(program: &Path, args: &[String], cwd: &Path, env: &[(String, String)]) -> u64 {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    // Reaped by wait4 below, which std's wait cannot do: it would not
    // return the child's own rusage.
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().expect("spawn for peak memory");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not yet waited for; both pointers are
    // to live locals.
    let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(got, pid, "wait4: {}", std::io::Error::last_os_error());
    // Linux reports kilobytes.
    usage.ru_maxrss as u64 * 1024
}

/// Runs a command once and returns its stdout, insisting on success.
fn output(cmd: &mut Command) -> String {
    let out = cmd.stdin(Stdio::null()).output().expect("run");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ms(secs: f64) -> String {
    if secs >= 10.0 {
        format!("{secs:.1} s")
    } else if secs >= 1.0 {
        format!("{secs:.2} s")
    } else if secs >= 0.1 {
        format!("{:.0} ms", secs * 1e3)
    } else {
        format!("{:.1} ms", secs * 1e3)
    }
}

fn cell(t: Option<Timing>) -> String {
    t.map_or_else(|| "failed".to_owned(), |t| ms(t.median))
}

fn ratio(a: Option<Timing>, b: Option<Timing>) -> Option<f64> {
    Some(a?.median / b?.median)
}

fn times(r: Option<f64>) -> String {
    match r {
        None => "–".to_owned(),
        Some(r) if r >= 100.0 => format!("{r:.0}×"),
        Some(r) if r >= 10.0 => format!("{r:.1}×"),
        Some(r) => format!("{r:.2}×"),
    }
}

fn size_name(n: usize) -> String {
    if n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

/// Which floor a git-task command is measured against.
#[derive(Clone, Copy, PartialEq)]
enum Floor {
    /// `git status --porcelain`: stats every file of the working tree.
    Status,
    /// `git ls-files -s`: lists the index.
    LsFiles,
    /// git-task's own warm `ready`: a change costs a read and a write.
    Ready,
}

/// One git-task command of the table.
struct GtCommand {
    slug: &'static str,
    args: Vec<String>,
    floor: Floor,
    /// A read: its peak memory is measured.
    read: bool,
}

impl GtCommand {
    fn new(slug: &'static str, args: &[&str], floor: Floor, read: bool) -> GtCommand {
        GtCommand {
            slug,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            floor,
            read,
        }
    }
}

/// Everything measured at one size, by key.
#[derive(Default)]
struct SizeResult {
    timings: BTreeMap<String, Option<Timing>>,
    memory: BTreeMap<String, u64>,
}

impl SizeResult {
    fn get(&self, key: &str) -> Option<Timing> {
        self.timings.get(key).copied().flatten()
    }
}

/// The release binary and the peers' programs, where found.
struct Tools {
    git_task: PathBuf,
    hyperfine: PathBuf,
    task: Option<PathBuf>,
    backlog: Option<PathBuf>,
}

fn find_tools(target: &Path) -> Tools {
    let hyperfine = which("hyperfine").unwrap_or_else(|| {
        eprintln!("compare: hyperfine is not installed (benches/compare.sh installs it)");
        std::process::exit(2);
    });
    let local = target.join("bench-tools/node_modules/.bin/backlog");
    let backlog = std::env::var_os("BENCH_BACKLOG")
        .map(PathBuf::from)
        .or_else(|| local.is_file().then_some(local))
        .or_else(|| which("backlog"));
    Tools {
        git_task: common::git_task(),
        hyperfine,
        task: which("task"),
        backlog,
    }
}

fn version(program: &Path, arg: &str) -> String {
    Command::new(program)
        .arg(arg)
        .stdin(Stdio::null())
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The environment every command runs in: git with no user or system
/// configuration and a pinned identity, git-task's clock fixed, no colour.
fn base_env() -> Vec<(String, String)> {
    [
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_AUTHOR_NAME", "bench"),
        ("GIT_AUTHOR_EMAIL", "bench@example.com"),
        ("GIT_COMMITTER_NAME", "bench"),
        ("GIT_COMMITTER_EMAIL", "bench@example.com"),
        ("GIT_TASK_NOW", workload::NOW),
        ("NO_COLOR", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The runs of git-task's commands and git's floors at `n` tasks: many
/// at 1k, fewer as each run gets longer, so the whole default run stays
/// within about 25 minutes on 2 cores.
fn runs_for(n: usize) -> Runs {
    match n {
        0..=2_000 => Runs {
            warmup: 3,
            min: 20,
            max: 60,
        },
        2_001..=20_000 => Runs {
            warmup: 3,
            min: 10,
            max: 30,
        },
        _ => Runs {
            warmup: 3,
            min: 5,
            max: 10,
        },
    }
}

/// The runs of the peers' commands at `n` tasks (after one unmeasured run
/// that checks what they answer).
fn peer_runs(n: usize) -> Runs {
    match n {
        0..=2_000 => Runs {
            warmup: 0,
            min: 3,
            max: 10,
        },
        2_001..=20_000 => Runs {
            warmup: 0,
            min: 3,
            max: 3,
        },
        _ => Runs {
            warmup: 0,
            min: 1,
            max: 1,
        },
    }
}

/// Counts lines of `text` that contain `needle`.
fn count_lines(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

/// Measures everything at `n` tasks and appends its Markdown to `md`.
fn run_size(n: usize, tools: &Tools, args: &Args, root: &Path, md: &mut String) -> SizeResult {
    let size_started = Instant::now();
    let out = root.join(n.to_string());
    let work = out.join("work");
    if work.exists() {
        fs::remove_dir_all(&work).expect("remove the previous run's repositories");
    }
    fs::create_dir_all(&work).expect("create the work directory");
    for entry in fs::read_dir(&out)
        .expect("read the output directory")
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "json") {
            fs::remove_file(entry.path()).expect("remove an old export");
        }
    }
    let env = base_env();
    let mut result = SizeResult::default();
    let w = Workload::new(n);
    let (pending, in_progress, completed) = w.counts();
    let ready_expected = (0..n).filter(|&i| w.is_ready(i)).count();

    eprintln!("compare: {n} tasks: writing the git-task repository");
    let repo = work.join("git-task");
    workload::write_git_task_repo(&w, &repo);
    let gt = |a: &[&str]| {
        let mut c = Command::new(&tools.git_task);
        c.args(a).current_dir(&repo).envs(env.iter().cloned());
        c
    };
    // The workload must be valid: check exits 0.
    let check = gt(&["check"]).output().expect("git-task check");
    assert!(
        check.status.success(),
        "git task check on the generated workload: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let ready: serde_json::Value =
        serde_json::from_str(&output(&mut gt(&["ready", "--json"]))).expect("ready --json");
    let gt_ready = ready["tasks"].as_array().map_or(0, Vec::len);
    let gt_list_lines = output(&mut gt(&["list"])).lines().count();

    let done_id = workload::git_task_id(w.done_target());
    let show_id = workload::git_task_id(w.show_target());
    let bin = quote(&tools.git_task.to_string_lossy());
    let rm_cache = "rm -rf .git/git-task/cache";
    let commands = vec![
        GtCommand::new("ready", &["ready"], Floor::Status, true),
        GtCommand::new("list", &["list"], Floor::Status, true),
        GtCommand::new("list --json", &["list", "--json"], Floor::Status, true),
        GtCommand::new("show", &["show", &show_id], Floor::Status, true),
        GtCommand::new("status", &["status"], Floor::Status, true),
        GtCommand::new("check", &["check"], Floor::Status, true),
        GtCommand::new(
            "hook pre-commit",
            &["hook", "pre-commit"],
            Floor::LsFiles,
            true,
        ),
        GtCommand::new(
            "check --rev HEAD",
            &["check", "--rev", "HEAD"],
            Floor::LsFiles,
            true,
        ),
        GtCommand::new("add", &["add", "Benchmark task"], Floor::Ready, false),
        GtCommand::new("done", &["done", &done_id], Floor::Ready, false),
    ];
    let runs = runs_for(n);

    // git's floors first, on the untouched checkout.
    let floors: [(&str, &str, bool); 4] = [
        ("git status --porcelain", "git status --porcelain", false),
        ("git ls-files -s", "git ls-files -s", false),
        (
            "git ls-files | git cat-file --batch",
            "git ls-files --format='%(objectname)' .tasks | git cat-file --batch > /dev/null",
            true,
        ),
        (
            "find .tasks -printf",
            "find .tasks -printf '%s %T@ %C@ %i\\n'",
            false,
        ),
    ];
    for (name, command, shell) in floors {
        let slug = format!("floor-{}", slugify(name));
        let t = hyperfine(
            &tools.hyperfine,
            &out,
            &Bench {
                slug: slug.clone(),
                command: command.to_owned(),
                cwd: &repo,
                env: &env,
                shell,
                prepare: None,
                runs,
            },
        );
        result.timings.insert(slug, t);
    }

    // git-task, each command cold and warm.
    for c in &commands {
        let command = std::iter::once(bin.clone())
            .chain(c.args.iter().map(|a| quote(a)))
            .collect::<Vec<_>>()
            .join(" ");
        // What puts the repository back before each run of a change:
        // `add` leaves a new untracked file, `done` a changed one.
        let reset = match c.slug {
            "add" => Some("git clean -fq -- .tasks".to_owned()),
            "done" => Some(format!("git checkout -q -- .tasks/{done_id}.toml")),
            _ => None,
        };
        for cold in [true, false] {
            let prepare = match (&reset, cold) {
                (None, true) => Some(rm_cache.to_owned()),
                (None, false) => None,
                (Some(r), true) => Some(format!("sh -c {}", quote(&format!("{rm_cache} && {r}")))),
                (Some(r), false) => Some(r.clone()),
            };
            let slug = format!(
                "gt-{}-{}",
                slugify(c.slug),
                if cold { "cold" } else { "warm" }
            );
            let t = hyperfine(
                &tools.hyperfine,
                &out,
                &Bench {
                    slug: slug.clone(),
                    command: command.clone(),
                    cwd: &repo,
                    env: &env,
                    shell: false,
                    prepare,
                    runs: Runs {
                        warmup: if cold { 1 } else { runs.warmup },
                        ..runs
                    },
                },
            );
            result.timings.insert(slug, t);
        }
        if let Some(r) = &reset {
            let mut sh = Command::new("sh");
            sh.args(["-c", r])
                .current_dir(&repo)
                .envs(env.iter().cloned());
            output(&mut sh);
        }
        if c.read {
            let bytes = peak_memory(&tools.git_task, &c.args, &repo, &env);
            result.memory.insert(c.slug.to_owned(), bytes);
        }
    }

    // The peers.
    let peers = !args.no_peers && (n <= 20_000 || args.peers_100k);
    let mut peer_notes = Vec::new();
    let mut peer_rows: Vec<(String, String, &'static str)> = Vec::new();
    if peers {
        let prun = peer_runs(n);
        let target_uuid = workload::taskwarrior_uuid(w.show_target());
        let target_backlog = workload::backlog_id(w.show_target());
        if let Some(task) = &tools.task {
            let dir = work.join("taskwarrior");
            let data = dir.join("data");
            fs::create_dir_all(&data).expect("create TASKDATA");
            let rc = dir.join("taskrc");
            fs::write(
                &rc,
                format!(
                    "data.location={}\nconfirmation=off\nverbose=nothing\ncolor=off\n_forcecolor=off\ndetection=off\ndefaultwidth=200\nhooks=off\nnews.version=2.6.0\n",
                    data.display()
                ),
            )
            .expect("write taskrc");
            let import = dir.join("import.json");
            fs::write(&import, workload::taskwarrior_json(&w)).expect("write the import");
            let mut tenv = env.clone();
            tenv.push(("TASKRC".into(), rc.display().to_string()));
            tenv.push(("TASKDATA".into(), data.display().to_string()));
            let tw = |a: &[&str]| {
                let mut c = Command::new(task);
                c.args(a).current_dir(&dir).envs(tenv.iter().cloned());
                c
            };
            eprintln!("compare: {n} tasks: task import");
            let started = Instant::now();
            output(&mut tw(&["import", &import.to_string_lossy()]));
            let import_secs = started.elapsed().as_secs_f64();
            // `task ready` prints annotations on lines of their own: count
            // what it lists with its own filter instead.
            output(&mut tw(&["ready"]));
            let tw_ready = output(&mut tw(&["+READY", "count"])).trim().to_owned();
            let exported: serde_json::Value =
                serde_json::from_str(&output(&mut tw(&["export"]))).expect("task export is JSON");
            let tw_all = exported.as_array().map_or(0, Vec::len);
            peer_notes.push(format!(
                "Taskwarrior {}: `task import` of the {n} tasks took {}; `task export` gives {tw_all} tasks, `task ready` lists {tw_ready} (`+READY`: open and unblocked, started ones included).",
                version(task, "--version"),
                ms(import_secs),
            ));
            let task_q = quote(&task.to_string_lossy());
            for (slug, command, gt_slug) in [
                ("tw-ready", format!("{task_q} ready"), "ready"),
                ("tw-export", format!("{task_q} export"), "list --json"),
                (
                    "tw-add",
                    format!("{task_q} add 'Benchmark task' depends:{target_uuid}"),
                    "add",
                ),
            ] {
                let t = hyperfine(
                    &tools.hyperfine,
                    &out,
                    &Bench {
                        slug: slug.to_owned(),
                        command: command.clone(),
                        cwd: &dir,
                        env: &tenv,
                        shell: false,
                        prepare: None,
                        runs: prun,
                    },
                );
                result.timings.insert(slug.to_owned(), t);
                let shown = command.replacen(&task_q, "task", 1);
                peer_rows.push((slug.to_owned(), format!("Taskwarrior `{shown}`"), gt_slug));
            }
        } else {
            peer_notes.push("Taskwarrior: `task` is not installed; skipped.".to_owned());
        }
        if let Some(backlog) = &tools.backlog {
            let dir = work.join("backlog");
            fs::create_dir_all(&dir).expect("create the Backlog.md project");
            let bl = |a: &[&str]| {
                let mut c = Command::new(backlog);
                c.args(a).current_dir(&dir).envs(env.iter().cloned());
                c
            };
            common::run_ok(common::git(&dir).args(["init", "-q", "-b", "main"]));
            output(&mut bl(&[
                "init",
                "bench",
                "--defaults",
                "--check-branches",
                "false",
                "--include-remote",
                "false",
                "--auto-open-browser",
                "false",
                "--integration-mode",
                "none",
            ]));
            workload::write_backlog_tasks(&w, &dir.join("backlog/tasks"));
            common::run_ok(common::git(&dir).args(["add", "-A"]));
            common::run_ok(common::git(&dir).args(["commit", "-q", "-m", "tasks"]));
            // Into a file, not a pipe: the npm launcher of Backlog.md
            // 1.52 cuts its child's output short when stdout is a pipe
            // (hyperfine sends it to /dev/null, which is not cut).
            let listed = |a: &[&str]| {
                let path = dir.join("listed.txt");
                let file = fs::File::create(&path).expect("create listed.txt");
                let status = bl(a)
                    .stdin(Stdio::null())
                    .stdout(file)
                    .status()
                    .expect("run backlog");
                assert!(status.success(), "backlog {a:?} failed");
                let text = fs::read_to_string(&path).expect("read listed.txt");
                fs::remove_file(&path).expect("remove listed.txt");
                count_lines(&text, "TASK-")
            };
            let bl_all = listed(&["task", "list", "--plain"]);
            let bl_ready = listed(&["task", "list", "--ready", "--plain"]);
            peer_notes.push(format!(
                "Backlog.md {} (the npm package's `backlog`, a Node launcher of its native binary): `task list --plain` lists {bl_all} tasks, `task list --ready --plain` {bl_ready} (open and unblocked, started ones included).",
                version(backlog, "--version"),
            ));
            let bl_q = quote(&backlog.to_string_lossy());
            for (slug, command, gt_slug, prepare) in [
                (
                    "bl-ready",
                    format!("{bl_q} task list --ready --plain"),
                    "ready",
                    None,
                ),
                ("bl-list", format!("{bl_q} task list --plain"), "list", None),
                (
                    "bl-create",
                    format!("{bl_q} task create 'Benchmark task' --dep {target_backlog} --plain"),
                    "add",
                    Some("git clean -fq -- backlog/tasks".to_owned()),
                ),
            ] {
                let t = hyperfine(
                    &tools.hyperfine,
                    &out,
                    &Bench {
                        slug: slug.to_owned(),
                        command: command.clone(),
                        cwd: &dir,
                        env: &env,
                        shell: false,
                        prepare,
                        runs: prun,
                    },
                );
                result.timings.insert(slug.to_owned(), t);
                let shown = command.replacen(&bl_q, "backlog", 1);
                peer_rows.push((slug.to_owned(), format!("Backlog.md `{shown}`"), gt_slug));
            }
        } else {
            peer_notes.push("Backlog.md: `backlog` is not installed; skipped.".to_owned());
        }
    }

    // The Markdown of this size.
    let _ = writeln!(md, "### {} tasks\n", size_name(n));
    let _ = writeln!(
        md,
        "{n} tasks in {} epics: {pending} pending, {in_progress} in progress, {completed} completed; {} waits-for edges (blockers, and each epic waiting for its children); {ready_expected} open with nothing to wait for, of which git-task's `ready` lists the {gt_ready} pending ones (not those in progress); `list` prints {gt_list_lines} lines (open tasks). `show {show_id}`, `done {done_id}`. git-task and git: medians of {}–{} runs ({} warm-up runs warm, 1 cold).\n",
        n.div_ceil(20),
        w.edges(),
        runs.min,
        runs.max,
        runs.warmup
    );
    md.push_str(
        "| git-task | cold | warm | warm / floor | floor | peak memory |\n|---|---:|---:|---:|---|---:|\n",
    );
    let status = result.get("floor-git-status-porcelain");
    let ls = result.get("floor-git-ls-files-s");
    let ready_warm = result.get("gt-ready-warm");
    for c in &commands {
        let cold = result.get(&format!("gt-{}-cold", slugify(c.slug)));
        let warm = result.get(&format!("gt-{}-warm", slugify(c.slug)));
        let (floor, floor_name) = match c.floor {
            Floor::Status => (status, "`git status --porcelain`"),
            Floor::LsFiles => (ls, "`git ls-files -s`"),
            Floor::Ready => (ready_warm, "warm `ready`"),
        };
        let memory = result
            .memory
            .get(c.slug)
            .map_or_else(|| "–".to_owned(), |b| format!("{:.0} MB", *b as f64 / 1e6));
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {floor_name} | {memory} |",
            c.slug,
            cell(cold),
            cell(warm),
            times(ratio(warm, floor)),
        );
    }
    md.push_str("\n| git's floor | median |\n|---|---:|\n");
    for (name, command, _) in floors {
        let t = result.get(&format!("floor-{}", slugify(name)));
        let _ = writeln!(md, "| `{}` | {} |", command.replace('|', "\\|"), cell(t));
    }
    md.push('\n');
    if peers {
        let p = peer_runs(n);
        let counted = if p.min == p.max {
            format!("{}", p.min)
        } else {
            format!("{}–{}", p.min, p.max)
        };
        let _ = writeln!(
            md,
            "Peers: medians of {counted} runs, after one unmeasured run that checks what they answer. `task add` accumulates tasks (a few per size); Backlog.md's created file is removed before each run, as git-task's `add` is.\n\n| peer | median | runs | git-task (warm) | peer / git-task |\n|---|---:|---:|---|---:|"
        );
        for (slug, name, gt_slug) in &peer_rows {
            let t = result.get(slug);
            let g = result.get(&format!("gt-{}-warm", slugify(gt_slug)));
            let _ = writeln!(
                md,
                "| {} | {} | {} | `{gt_slug}` {} | {} |",
                name.replace('|', "\\|"),
                cell(t),
                t.map_or(0, |t| t.runs),
                cell(g),
                times(ratio(t, g)),
            );
        }
        md.push('\n');
        for note in &peer_notes {
            let _ = writeln!(md, "{note}");
        }
        md.push('\n');
    } else if !args.no_peers {
        md.push_str("Peers not run at this size (pass `--peers-100k`).\n\n");
    }
    let _ = writeln!(
        md,
        "This size took {}.\n",
        ms(size_started.elapsed().as_secs_f64())
    );
    result
}

/// A file-name-safe form of a command's name.
fn slugify(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    s.trim_matches('-').to_owned()
}

/// Today's cold medians at 10k, before the parse cache: the first run of
/// `benches/compare.sh 1k 10k` on the development machine (2026-12-02,
/// load average about 2), for the cold target when no `--baseline` run is
/// given. The issue's own numbers came from another workload.
const TODAY_10K: [(&str, f64); 10] = [
    ("ready", 0.0924),
    ("list", 0.0902),
    ("list --json", 0.103),
    ("show", 0.0840),
    ("status", 0.0882),
    ("check", 0.0865),
    ("hook pre-commit", 0.0651),
    ("check --rev HEAD", 0.0641),
    ("add", 0.0929),
    ("done", 0.195),
];

/// The lines that say which of the targets are met.
fn targets(results: &BTreeMap<usize, SizeResult>, args: &Args, md: &mut String) {
    md.push_str("### Targets (issue 12)\n\n");
    let verdict = |ok: bool| if ok { "met" } else { "not met" };
    for n in [10_000usize, 100_000] {
        let Some(r) = results.get(&n) else {
            let _ = writeln!(md, "- {} tasks: not run.", size_name(n));
            continue;
        };
        let status = r.get("floor-git-status-porcelain");
        let ls = r.get("floor-git-ls-files-s");
        let ready = r.get("gt-ready-warm");
        let rules: [(&str, Option<Timing>, &str, f64); 10] = [
            ("ready", status, "`git status --porcelain`", 1.0),
            ("list", status, "`git status --porcelain`", 1.0),
            ("show", status, "`git status --porcelain`", 1.0),
            ("status", status, "`git status --porcelain`", 1.0),
            ("check", status, "`git status --porcelain`", 1.0),
            ("list --json", status, "`git status --porcelain`", 1.5),
            ("hook pre-commit", ls, "`git ls-files -s`", 2.0),
            ("check --rev HEAD", ls, "`git ls-files -s`", 2.0),
            ("add", ready, "warm `ready`", 1.5),
            ("done", ready, "warm `ready`", 1.5),
        ];
        for (cmd, floor, floor_name, limit) in rules {
            let warm = r.get(&format!("gt-{}-warm", slugify(cmd)));
            let line = match ratio(warm, floor) {
                Some(x) => format!(
                    "{}: warm `{cmd}` {} / {floor_name} {} = {} (target ≤ {limit}×)",
                    verdict(x <= limit),
                    cell(warm),
                    cell(floor),
                    times(Some(x))
                ),
                None => format!("not measured: warm `{cmd}` against {floor_name}"),
            };
            let _ = writeln!(md, "- {} tasks, {line}", size_name(n));
        }
        if n == 10_000 {
            for c in [
                "ready",
                "list",
                "list --json",
                "show",
                "status",
                "check",
                "hook pre-commit",
                "check --rev HEAD",
                "add",
                "done",
            ] {
                let cold = r.get(&format!("gt-{}-cold", slugify(c)));
                let (before, source) = match &args.baseline {
                    Some(dir) => (
                        read_timing(
                            &dir.join("10000")
                                .join(format!("gt-{}-cold.json", slugify(c))),
                        )
                        .map(|t| t.median),
                        "the baseline run",
                    ),
                    None => (
                        TODAY_10K.iter().find(|(k, _)| *k == c).map(|(_, v)| *v),
                        "the run before the cache",
                    ),
                };
                let line = match (cold, before) {
                    (Some(cold), Some(before)) => {
                        let x = cold.median / before;
                        format!(
                            "{}: cold `{c}` {} / today's {} (from {source}) = {} (target ≤ 1.2×)",
                            verdict(x <= 1.2),
                            ms(cold.median),
                            ms(before),
                            times(Some(x))
                        )
                    }
                    _ => format!("no baseline for cold `{c}` (pass `--baseline DIR`)"),
                };
                let _ = writeln!(md, "- 10k tasks, {line}");
            }
            for (slug, peer, limit) in [
                ("tw-ready", "Taskwarrior `task ready`", 500.0),
                ("bl-ready", "Backlog.md `task list --ready`", 200.0),
            ] {
                let line = match ratio(r.get(slug), ready) {
                    Some(x) => format!(
                        "{}: {peer} {} / warm `ready` {} = {} (target ≥ {limit}×)",
                        verdict(x >= limit),
                        cell(r.get(slug)),
                        cell(ready),
                        times(Some(x))
                    ),
                    None => format!("not measured: {peer}"),
                };
                let _ = writeln!(md, "- 10k tasks, {line}");
            }
        }
        if n == 100_000 {
            let peak = r.memory.iter().max_by_key(|(_, b)| **b);
            let line = match peak {
                Some((cmd, b)) => format!(
                    "{}: peak memory of the read commands at most {:.0} MB (`{cmd}`; target < 250 MB)",
                    verdict(*b < 250_000_000),
                    *b as f64 / 1e6
                ),
                None => "not measured: peak memory".to_owned(),
            };
            let _ = writeln!(md, "- 100k tasks, {line}");
        }
    }
    md.push('\n');
}

fn main() {
    let started = Instant::now();
    let args = parse_args();
    let target = target_dir();
    let root = target.join("bench-compare");
    fs::create_dir_all(&root).expect("create target/bench-compare");
    let tools = find_tools(&target);
    let mut md = String::new();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    // The command as it was typed: compare.sh says so; otherwise cargo's.
    let command = std::env::var("BENCH_COMMAND").unwrap_or_else(|_| {
        let given: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| a != "--bench")
            .collect();
        format!("cargo bench --bench compare -- {}", given.join(" "))
            .trim_end()
            .trim_end_matches(" --")
            .to_owned()
    });
    let _ = writeln!(
        md,
        "Run: `{command}` on {cpus} CPUs (load average at the start: {}); {}, {}, git {}.\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        version(&tools.hyperfine, "--version"),
        version(&tools.git_task, "--version"),
        version(Path::new("git"), "--version").trim_start_matches("git version "),
    );
    let mut results = BTreeMap::new();
    for &n in &args.sizes {
        let r = run_size(n, &tools, &args, &root, &mut md);
        results.insert(n, r);
    }
    targets(&results, &args, &mut md);
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let _ = writeln!(
        md,
        "The whole run took {} (load average at the end: {}).",
        ms(started.elapsed().as_secs_f64()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    fs::write(root.join("report.md"), &md).expect("write report.md");
    print!("{md}");
}
