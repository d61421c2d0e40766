//! The realistic workload of the side-by-side benchmark (`benches/compare.rs`)
//! and its three spellings: git-task's task files committed in a
//! repository, a Taskwarrior import file, and Backlog.md's Markdown task
//! files. One generated set of tasks is written three ways, so every tool
//! answers the same question about the same work.
//!
//! The shape: epics of 20 (an epic and its 19 children), each child
//! blocked by 0–3 earlier tasks, half of them from its own epic and half
//! from the ten epics before it; about 30% completed, older work more
//! often than newer, and a task only when its blockers are (an epic only
//! when all its children are); about 7% in progress, each with an owner
//! and a start time, picked among the tasks that could start. Some tasks
//! have a priority, labels or a success criterion. Everything comes from a
//! fixed seed: the same size gives the same files, byte for byte.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use super::git;

/// How far a task has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not started.
    Pending,
    /// Started: has an owner and a start time.
    InProgress,
    /// Done: has a close time.
    Completed,
}

/// A priority other than the default (git-task's `medium`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Critical,
    High,
    Low,
}

/// One generated task, independent of any tool's format.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The index of its epic (its own index for an epic).
    pub epic: usize,
    /// Whether it is an epic: the first task of every 20.
    pub is_epic: bool,
    /// Indices of earlier tasks it waits for, sorted, never an epic.
    pub blockers: Vec<usize>,
    /// Where it is in its life.
    pub state: State,
    /// Its priority, when not the default.
    pub priority: Option<Priority>,
    /// Free tags.
    pub labels: Vec<&'static str>,
    /// Work time, for every task but epics.
    pub estimate: Option<&'static str>,
    /// Whether it has one success criterion (met when completed).
    pub criterion: bool,
    /// Who holds it: tasks in progress and completed ones.
    pub owner: Option<&'static str>,
    /// Creation time, seconds since the epoch.
    pub created: i64,
    /// Start time, for tasks in progress and completed ones.
    pub started: Option<i64>,
    /// Close time, for completed tasks.
    pub closed: Option<i64>,
}

/// The generated task set and what the benchmark asks about it.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The tasks, by index.
    pub tasks: Vec<Spec>,
    /// For each epic index, its children's indices (empty for the others).
    pub children: Vec<Vec<usize>>,
}

/// The `GIT_TASK_NOW` of the benchmark: every time in the workload is
/// before it.
pub const NOW: &str = "2026-11-21T10:00:00Z";
const NOW_SECS: i64 = 1_795_255_200;
/// 2026-05-01T00:00:00Z: the first task is created then, the last about
/// 180 days later.
const START_SECS: i64 = 1_777_593_600;
const SPAN_SECS: i64 = 180 * 86_400;

const VERBS: [&str; 10] = [
    "Fix", "Add", "Speed up", "Document", "Test", "Refactor", "Remove", "Review", "Port", "Measure",
];
const NOUNS: [&str; 12] = [
    "the parser",
    "the login page",
    "the export",
    "the cache",
    "the search index",
    "the billing job",
    "the API client",
    "the migration",
    "the settings screen",
    "the report",
    "the sync worker",
    "the audit log",
];
const LABELS: [&str; 6] = ["db", "api", "ui", "docs", "infra", "perf"];
const ESTIMATES: [&str; 5] = ["2h", "4h", "1d", "2d", "3d"];
const OWNERS: [&str; 4] = [
    "ana@example.com",
    "bo@example.com",
    "cy@example.com",
    "di@example.com",
];
const CRITERION: &str = "the change is reviewed and merged";

/// xorshift64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

impl Workload {
    /// The workload of `n` tasks.
    pub fn new(n: usize) -> Workload {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut tasks: Vec<Spec> = Vec::with_capacity(n);
        let mut children = vec![Vec::new(); n];
        for i in 0..n {
            let epic = i - i % 20;
            let is_epic = i == epic;
            let created = START_SECS + (i as i64) * SPAN_SECS / n.max(1) as i64;
            let mut blockers = Vec::new();
            if !is_epic {
                children[epic].push(i);
                for _ in 0..rng.below(4) {
                    // Half from earlier siblings, half from the ten epics
                    // before this one; never an epic (a child that waits
                    // for its own epic would be a cycle).
                    let own = rng.below(2) == 0;
                    let (low, high) = if own {
                        (epic + 1, i)
                    } else {
                        (epic.saturating_sub(200), epic)
                    };
                    if low >= high {
                        continue;
                    }
                    let b = low + rng.below((high - low) as u64) as usize;
                    if !b.is_multiple_of(20) {
                        blockers.push(b);
                    }
                }
                blockers.sort_unstable();
                blockers.dedup();
            }
            // Older work is done more often: from 72% at the start down to
            // none at about half of the set. What a completed task waits
            // for is completed too (below), which brings it to about 30%.
            let chance = (0.72 - 1.5 * i as f64 / n as f64).max(0.0);
            let roll = rng.below(1_000_000) as f64 / 1_000_000.0;
            let completed = !is_epic && roll < chance;
            let priority = match rng.below(20) {
                0 => Some(Priority::Critical),
                1 | 2 => Some(Priority::High),
                3 | 4 => Some(Priority::Low),
                _ => None,
            };
            let labels = match rng.below(10) {
                0 | 1 => vec![LABELS[rng.below(6) as usize]],
                2 => {
                    let a = rng.below(6) as usize;
                    vec![LABELS[a], LABELS[(a + 1 + rng.below(5) as usize) % 6]]
                }
                _ => Vec::new(),
            };
            let estimate = (!is_epic).then(|| ESTIMATES[rng.below(5) as usize]);
            let criterion = !is_epic && rng.below(5) == 0;
            let owner = OWNERS[rng.below(4) as usize];
            // Kept in `started` for now: the start time it would have.
            let started_at = created + 3_600 * (1 + rng.below(48) as i64);
            let spec = Spec {
                epic,
                is_epic,
                blockers,
                state: if completed {
                    State::Completed
                } else {
                    State::Pending
                },
                priority,
                labels,
                estimate,
                criterion,
                owner: Some(owner),
                created,
                started: Some(started_at),
                closed: None,
            };
            tasks.push(spec);
        }
        // A task is completed only when what it waits for is: complete
        // the blockers of every completed task (blockers come earlier, so
        // one pass from the end reaches them all).
        for i in (0..n).rev() {
            if tasks[i].state == State::Completed {
                for b in tasks[i].blockers.clone() {
                    tasks[b].state = State::Completed;
                }
            }
        }
        // Times: a completed task starts after its blockers closed and
        // closes within three days; the others have no owner or start
        // (yet). Everything stays before NOW.
        for i in 0..n {
            if tasks[i].state != State::Completed || tasks[i].is_epic {
                tasks[i].owner = None;
                tasks[i].started = None;
                continue;
            }
            let after = tasks[i]
                .blockers
                .iter()
                .filter_map(|&b| tasks[b].closed)
                .max()
                .unwrap_or(0);
            let started = tasks[i].started.expect("a start time").max(after);
            let hours = 1 + (i as i64 * 7_919) % 72;
            let closed = (started + 3_600 * hours).min(NOW_SECS - 3_600);
            tasks[i].started = Some(started.min(closed));
            tasks[i].closed = Some(closed);
        }
        // An epic is completed when all its children are.
        for e in (0..n).step_by(20) {
            let kids = &children[e];
            if !kids.is_empty() && kids.iter().all(|&c| tasks[c].state == State::Completed) {
                let closed = kids.iter().filter_map(|&c| tasks[c].closed).max();
                tasks[e].state = State::Completed;
                tasks[e].closed = closed;
            }
        }
        // About 7% in progress, spread evenly over the tasks that could
        // start (open, not an epic, every blocker done).
        let candidates: Vec<usize> = (0..n)
            .filter(|&i| {
                let t = &tasks[i];
                !t.is_epic
                    && t.state == State::Pending
                    && t.blockers
                        .iter()
                        .all(|&b| tasks[b].state == State::Completed)
            })
            .collect();
        let wanted = n * 7 / 100;
        let c = candidates.len();
        for (k, &i) in candidates.iter().enumerate() {
            if c <= wanted || (k * wanted) / c != ((k + 1) * wanted) / c {
                let t = &mut tasks[i];
                t.state = State::InProgress;
                t.owner = Some(OWNERS[i % 4]);
                t.started = Some((t.created + 7_200).min(NOW_SECS - 3_600));
            }
        }
        Workload { tasks, children }
    }

    /// How many tasks are in each state: (pending, in progress, completed).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |s| self.tasks.iter().filter(|t| t.state == s).count();
        (
            count(State::Pending),
            count(State::InProgress),
            count(State::Completed),
        )
    }

    /// The number of waits-for edges between tasks: blockers, and each
    /// epic waiting for its children.
    pub fn edges(&self) -> usize {
        self.tasks
            .iter()
            .map(|t| t.blockers.len() + usize::from(!t.is_epic))
            .sum()
    }

    /// Whether task `i` could start now: open, and everything it waits for
    /// (blockers, and an epic's children) done.
    pub fn is_ready(&self, i: usize) -> bool {
        let t = &self.tasks[i];
        t.state != State::Completed
            && t.blockers
                .iter()
                .chain(&self.children[i])
                .all(|&b| self.tasks[b].state == State::Completed)
    }

    /// A pending task near the middle that can be completed now (no
    /// blocker open, no unmet criterion): the target of `done`.
    pub fn done_target(&self) -> usize {
        let n = self.tasks.len();
        (n / 2..n)
            .chain(0..n / 2)
            .find(|&i| {
                let t = &self.tasks[i];
                !t.is_epic && !t.criterion && t.state == State::Pending && self.is_ready(i)
            })
            .expect("a task that can be completed")
    }

    /// A task near the middle that is blocked and has a parent: the target
    /// of `show`, which then has something to say about both.
    pub fn show_target(&self) -> usize {
        let n = self.tasks.len();
        (n / 2 + 1..n)
            .chain(0..n)
            .find(|&i| !self.tasks[i].is_epic && !self.tasks[i].blockers.is_empty())
            .unwrap_or(n / 2)
    }

    /// The subject of task `i`, shared by all three tools.
    pub fn subject(&self, i: usize) -> String {
        if self.tasks[i].is_epic {
            format!("Epic {}: rework {}", i / 20, NOUNS[(i / 20) % NOUNS.len()])
        } else {
            format!(
                "{} {} for task {i}",
                VERBS[i % VERBS.len()],
                NOUNS[(i / 7) % NOUNS.len()]
            )
        }
    }

    /// The subject without the colon, for Backlog.md's YAML front matter
    /// and file names.
    fn plain_subject(&self, i: usize) -> String {
        self.subject(i).replace(':', "")
    }

    fn description(&self, i: usize) -> String {
        format!(
            "What to do for task {i}, in enough detail that someone else can pick it up: \
             the steps, the files involved and how to tell it worked."
        )
    }
}

/// git-task's id of task `i`.
pub fn git_task_id(i: usize) -> String {
    format!("t{i:06}")
}

/// A time as RFC 3339 in UTC.
fn rfc3339(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .expect("a time in range")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The text of git-task's file for task `i`, keys in the order git-task
/// writes them.
pub fn git_task_text(w: &Workload, i: usize) -> String {
    let t = &w.tasks[i];
    let mut s = String::with_capacity(512);
    let _ = writeln!(s, "subject = \"{}\"", w.subject(i));
    match t.state {
        State::Pending => {}
        State::InProgress => s.push_str("status = \"in_progress\"\n"),
        State::Completed => s.push_str("status = \"completed\"\n"),
    }
    if t.is_epic {
        s.push_str("kind = \"epic\"\n");
    }
    match t.priority {
        None => {}
        Some(Priority::Critical) => s.push_str("priority = \"critical\"\n"),
        Some(Priority::High) => s.push_str("priority = \"high\"\n"),
        Some(Priority::Low) => s.push_str("priority = \"low\"\n"),
    }
    if !t.is_epic {
        let _ = writeln!(s, "parent = \"{}\"", git_task_id(t.epic));
    }
    if !t.blockers.is_empty() {
        let ids: Vec<String> = t
            .blockers
            .iter()
            .map(|&b| format!("\"{}\"", git_task_id(b)))
            .collect();
        let _ = writeln!(s, "blocked_by = [{}]", ids.join(", "));
    }
    if let Some(owner) = t.owner {
        let _ = writeln!(s, "owner = \"{owner}\"");
    }
    if let Some(estimate) = t.estimate {
        let _ = writeln!(s, "estimate = \"{estimate}\"");
    }
    if !t.labels.is_empty() {
        let labels: Vec<String> = t.labels.iter().map(|l| format!("\"{l}\"")).collect();
        let _ = writeln!(s, "labels = [{}]", labels.join(", "));
    }
    let _ = writeln!(s, "created = {}", rfc3339(t.created));
    if let Some(started) = t.started {
        let _ = writeln!(s, "started = {}", rfc3339(started));
    }
    if let Some(closed) = t.closed {
        let _ = writeln!(s, "closed = {}", rfc3339(closed));
    }
    let _ = writeln!(s, "description = \"\"\"\n{}\n\"\"\"", w.description(i));
    if t.criterion {
        let _ = write!(
            s,
            "\n[[criteria]]\ntext = \"{CRITERION}\"\nmet = {}\n",
            t.state == State::Completed
        );
    }
    s
}

/// The `.gitignore` that `git task init` writes in `.tasks/`.
const TASKS_GITIGNORE: &str = "# Temporary files of git-task writes that were interrupted. git-task\n# removes them on its next change; they are never tasks.\n/.git-task-*\n";

/// Writes a git-task repository in `dir` (which must not exist): one
/// commit on main made with `git fast-import`, holding every task and a
/// config that protects main, checked out with an index whose stat data
/// is clean (written a second after the files, so that no entry is racy
/// and `git status` does not read every file's content).
pub fn write_git_task_repo(w: &Workload, dir: &Path) {
    fs::create_dir_all(dir).expect("create the repository's directory");
    let ok = git(dir)
        .args(["init", "-q", "-b", "main"])
        .status()
        .expect("git init")
        .success();
    assert!(ok, "git init in {}", dir.display());
    let mut stream = Vec::with_capacity(w.tasks.len() * 700);
    for i in 0..w.tasks.len() {
        let text = git_task_text(w, i);
        write!(
            stream,
            "blob\nmark :{}\ndata {}\n{text}\n",
            i + 1,
            text.len()
        )
        .expect("write");
    }
    write!(
        stream,
        "commit refs/heads/main\ncommitter bench <bench@example.com> 1795255200 +0000\ndata 6\ntasks\n"
    )
    .expect("write");
    super::write_inline(
        &mut stream,
        ".tasks/config.toml",
        "[gates]\nbranches = [\"main\"]\n",
    );
    super::write_inline(&mut stream, ".tasks/.gitignore", TASKS_GITIGNORE);
    for i in 0..w.tasks.len() {
        writeln!(stream, "M 100644 :{} .tasks/{}.toml", i + 1, git_task_id(i)).expect("write");
    }
    super::fast_import_into(dir, &stream);
    super::run_ok(git(dir).args(["reset", "-q", "--hard", "main"]));
    // git's racy-entry rule: an entry whose file is not older than the
    // index is checked by content every time. Write the index again once
    // the files are in the past.
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    super::run_ok(git(dir).args(["update-index", "-q", "--really-refresh"]));
    super::run_ok(git(dir).args(["status", "--porcelain"]));
}

/// Taskwarrior's uuid for task `i` (deterministic, version-4 shaped).
pub fn taskwarrior_uuid(i: usize) -> String {
    format!("00000000-0000-4000-8000-{:012x}", i + 1)
}

/// Taskwarrior's time format: `20261121T100000Z`.
fn taskwarrior_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .expect("a time in range")
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// The JSON array that `task import` reads: one object per task. An epic
/// depends on its children (git-task's parent waits for its children), so
/// that `task ready` answers the same question as `git task ready`.
/// Taskwarrior has two priorities above its default, so critical and high
/// are both `H`, low is `L`, and the default is left unset.
pub fn taskwarrior_json(w: &Workload) -> String {
    let mut tasks = Vec::with_capacity(w.tasks.len());
    for (i, t) in w.tasks.iter().enumerate() {
        let mut o = serde_json::Map::new();
        o.insert("uuid".into(), taskwarrior_uuid(i).into());
        o.insert("description".into(), w.subject(i).into());
        let status = if t.state == State::Completed {
            "completed"
        } else {
            "pending"
        };
        o.insert("status".into(), status.into());
        o.insert("entry".into(), taskwarrior_time(t.created).into());
        if t.state == State::InProgress {
            o.insert(
                "start".into(),
                taskwarrior_time(t.started.expect("started")).into(),
            );
        }
        if let Some(closed) = t.closed {
            o.insert("end".into(), taskwarrior_time(closed).into());
        }
        o.insert("project".into(), format!("epic{}", t.epic / 20).into());
        match t.priority {
            Some(Priority::Critical | Priority::High) => {
                o.insert("priority".into(), "H".into());
            }
            Some(Priority::Low) => {
                o.insert("priority".into(), "L".into());
            }
            None => {}
        }
        let depends: Vec<serde_json::Value> = t
            .blockers
            .iter()
            .chain(&w.children[i])
            .map(|&b| taskwarrior_uuid(b).into())
            .collect();
        if !depends.is_empty() {
            o.insert("depends".into(), depends.into());
        }
        if !t.labels.is_empty() {
            let tags: Vec<serde_json::Value> = t.labels.iter().map(|&l| l.into()).collect();
            o.insert("tags".into(), tags.into());
        }
        if let Some(owner) = t.owner.filter(|_| t.state == State::InProgress) {
            let annotation = serde_json::json!([{
                "entry": taskwarrior_time(t.started.expect("started")),
                "description": format!("started by {owner}"),
            }]);
            o.insert("annotations".into(), annotation);
        }
        tasks.push(serde_json::Value::Object(o));
    }
    serde_json::to_string(&tasks).expect("serialize")
}

/// Backlog.md's id of task `i` (it numbers from 1).
pub fn backlog_id(i: usize) -> String {
    format!("TASK-{}", i + 1)
}

/// Backlog.md's file name for task `i`: `task-N - Title-words.md`.
pub fn backlog_file_name(w: &Workload, i: usize) -> String {
    format!(
        "task-{} - {}.md",
        i + 1,
        w.plain_subject(i).replace(' ', "-")
    )
}

/// The text of Backlog.md's file for task `i`, as `backlog task create`
/// writes it: YAML front matter, then the description and the acceptance
/// criteria between its section markers. An epic depends on its children,
/// as in [`taskwarrior_json`]; its children name it as `parent_task_id`.
pub fn backlog_text(w: &Workload, i: usize) -> String {
    let t = &w.tasks[i];
    let mut s = String::with_capacity(700);
    s.push_str("---\n");
    let _ = writeln!(s, "id: {}", backlog_id(i));
    let _ = writeln!(s, "title: {}", w.plain_subject(i));
    let status = match t.state {
        State::Pending => "To Do",
        State::InProgress => "In Progress",
        State::Completed => "Done",
    };
    let _ = writeln!(s, "status: {status}");
    match t.owner {
        Some(owner) => {
            let name = owner.split('@').next().expect("a name");
            let _ = writeln!(s, "assignee:\n  - '@{name}'");
        }
        None => s.push_str("assignee: []\n"),
    }
    let created = chrono::DateTime::from_timestamp(t.created, 0)
        .expect("a time in range")
        .format("%Y-%m-%d %H:%M");
    let _ = writeln!(s, "created_date: '{created}'");
    if t.labels.is_empty() {
        s.push_str("labels: []\n");
    } else {
        s.push_str("labels:\n");
        for l in &t.labels {
            let _ = writeln!(s, "  - {l}");
        }
    }
    let deps: Vec<usize> = t.blockers.iter().chain(&w.children[i]).copied().collect();
    if deps.is_empty() {
        s.push_str("dependencies: []\n");
    } else {
        s.push_str("dependencies:\n");
        for d in deps {
            let _ = writeln!(s, "  - {}", backlog_id(d));
        }
    }
    if !t.is_epic {
        let _ = writeln!(s, "parent_task_id: {}", backlog_id(t.epic));
    }
    match t.priority {
        None => {}
        Some(Priority::Critical | Priority::High) => s.push_str("priority: high\n"),
        Some(Priority::Low) => s.push_str("priority: low\n"),
    }
    let _ = writeln!(s, "ordinal: {}", (i + 1) * 1000);
    s.push_str("---\n\n## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\n");
    s.push_str(&w.description(i));
    s.push_str("\n<!-- SECTION:DESCRIPTION:END -->\n");
    if t.criterion {
        let mark = if t.state == State::Completed {
            'x'
        } else {
            ' '
        };
        let _ = write!(
            s,
            "\n## Acceptance Criteria\n<!-- AC:BEGIN -->\n- [{mark}] #1 {CRITERION}\n<!-- AC:END -->\n"
        );
    }
    s
}

/// Writes every task's Backlog.md file into `tasks_dir`
/// (`backlog/tasks` of a project that `backlog init` made).
pub fn write_backlog_tasks(w: &Workload, tasks_dir: &Path) {
    fs::create_dir_all(tasks_dir).expect("create backlog/tasks");
    for i in 0..w.tasks.len() {
        fs::write(tasks_dir.join(backlog_file_name(w, i)), backlog_text(w, i))
            .expect("write a Backlog.md task");
    }
}
