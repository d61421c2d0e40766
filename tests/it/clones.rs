//! Many clones of one remote, as a team or a swarm of agents works: each
//! clone changes tasks through the CLI and the MCP server, commits (through
//! the commit hook), pulls (merging task files with the driver) and pushes
//! (through the push hook, and the remote's pre-receive). The schedule is
//! drawn from a seed, so a failure is repeated by its seed: `CLONES_SEED=N
//! cargo test --test it clones` (and `CLONES_ROUNDS` for a longer run).
//!
//! What must hold, checked at every merge and at the end:
//!
//! * a merge conflicts only where both sides changed one field two ways
//!   (or added one id twice), and then `check` names the file; a field
//!   changed on one side only takes that side, and nothing of a list
//!   (notes, criteria, labels, blockers) either side had is lost;
//! * every tip the protected branch ever had passes its gates: a red gate
//!   is refused by pre-push, and by pre-receive when pre-push is skipped;
//! * at the end, every note and criterion made is there once, every task
//!   added is there with its own fields (none fused with another), and the
//!   remote's tasks check clean.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{Value, json};

use common::{Rng, Run, TestEnv, env_number, run};

const CLONES: usize = 5;
/// Tasks everyone works on: notes, criteria, field edits, blockers.
const SHARED: usize = 8;
/// Tasks whose status changes (they get no criteria, so `done` may go
/// through).
const STATUS: usize = 4;
const GATE: &str = "release-gate";

/// One change a clone makes, kept until it reached the remote so that it
/// can be made again on the remote's tasks after a conflict.
#[derive(Clone, Debug)]
enum Op {
    Note {
        task: String,
        text: String,
        mcp: bool,
    },
    Criterion {
        task: String,
        text: String,
        mcp: bool,
    },
    Set {
        task: String,
        field: &'static str,
        value: String,
        mcp: bool,
    },
    Status {
        task: String,
        verb: &'static str,
    },
    Add {
        subject: String,
        label: String,
        mcp: bool,
    },
    /// Adds `dup-N`: another clone may add the same id before they meet.
    AddDup {
        id: String,
        subject: String,
        label: String,
    },
    Dep {
        task: String,
        blocker: String,
        mcp: bool,
    },
}

struct Sim {
    env: TestEnv,
    remote: PathBuf,
    clones: Vec<PathBuf>,
    seed: u64,
    /// Minutes since the start: every command runs at its own time.
    clock: u64,
    /// Per clone, what it made since its last push.
    unpushed: Vec<Vec<Op>>,
    /// Everything that reached the remote.
    notes: Vec<(String, String)>,
    criteria: Vec<(String, String)>,
    added: Vec<(String, String)>,
    dups: BTreeMap<String, Vec<(String, String)>>,
    /// Every value each (task, field) was set to, and its first one.
    values: BTreeMap<(String, &'static str), BTreeSet<String>>,
    tips: Vec<String>,
    merges: usize,
    conflicts: usize,
    refused_red: usize,
}

impl Sim {
    fn context(&self) -> String {
        format!("(CLONES_SEED={})", self.seed)
    }

    fn now(&mut self) -> String {
        self.clock += 1;
        let minutes = self.clock;
        format!(
            "2026-11-{:02}T{:02}:{:02}:00Z",
            21 + minutes / 1440,
            minutes / 60 % 24,
            minutes % 60
        )
    }

    fn git(&self, k: usize, args: &[&str]) -> Run {
        run(self
            .env
            .command("git")
            .current_dir(&self.clones[k])
            .args(args))
    }

    fn task(&mut self, k: usize, args: &[&str]) -> Run {
        let now = self.now();
        run(self
            .env
            .git_task_cmd()
            .current_dir(&self.clones[k])
            .env("GIT_TASK_NOW", now)
            .env("GIT_TASK_ID_SEED", format!("clone {k}"))
            .args(args))
    }

    /// One `tools/call` to a `git task mcp` started in clone `k`; the
    /// tool's answer.
    fn mcp(&mut self, k: usize, tool: &str, arguments: Value) -> Value {
        let now = self.now();
        let mut child = self
            .env
            .git_task_cmd()
            .current_dir(&self.clones[k])
            .env("GIT_TASK_NOW", now)
            .env("GIT_TASK_ID_SEED", format!("clone {k} mcp"))
            .arg("mcp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let mut send = |message: Value| {
            writeln!(input, "{message}").unwrap();
            input.flush().unwrap();
        };
        send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "clones", "version": "0"}}}),
        );
        send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}));
        let answer = loop {
            let mut line = String::new();
            assert!(
                output.read_line(&mut line).unwrap() > 0,
                "the MCP server ended"
            );
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == 2 {
                break message;
            }
        };
        drop(input);
        child.wait().unwrap();
        answer["result"].clone()
    }

    fn commit(&self, k: usize, message: &str) {
        self.git(k, &["add", "-A"]).ok();
        // The commit hook checks what is committed.
        let commit = self.git(k, &["commit", "-q", "-m", message]);
        assert_eq!(
            commit.code,
            0,
            "{} the commit hook refused {message:?}:\n{}",
            self.context(),
            commit.stderr
        );
    }

    /// Makes `op` in clone `k` and commits it. False when the clone's
    /// tasks refuse it, which only a replay of an `AddDup` may see.
    fn make(&mut self, k: usize, op: &Op) -> bool {
        let context = self.context();
        let (ok, stderr) = match op {
            Op::Note {
                task,
                text,
                mcp: true,
            } => {
                let r = self.mcp(k, "update", json!({"id": task, "note": text}));
                (r["isError"] != true, r.to_string())
            }
            Op::Note { task, text, .. } => {
                let r = self.task(k, &["note", task, text]);
                (r.code == 0, r.stderr)
            }
            Op::Criterion {
                task,
                text,
                mcp: true,
            } => {
                let r = self.mcp(k, "update", json!({"id": task, "add_criteria": [text]}));
                (r["isError"] != true, r.to_string())
            }
            Op::Criterion { task, text, .. } => {
                let r = self.task(k, &["criteria", task, "--add", text]);
                (r.code == 0, r.stderr)
            }
            Op::Set {
                task,
                field,
                value,
                mcp: true,
            } => {
                let r = self.mcp(k, "update", json!({"id": task, "set": {*field: value}}));
                (r["isError"] != true, r.to_string())
            }
            Op::Set {
                task, field, value, ..
            } => {
                let r = self.task(k, &["edit", task, &format!("--{field}"), value]);
                (r.code == 0, r.stderr)
            }
            Op::Status { task, verb } => {
                let r = self.task(k, &[verb, task]);
                // `start` of a started task, `done` of a done one: the
                // answer may be no (exit 1), never an error.
                assert!(r.code <= 1, "{context} `{verb} {task}`: {}", r.stderr);
                (true, r.stderr)
            }
            Op::Add {
                subject,
                label,
                mcp: true,
            } => {
                let r = self.mcp(k, "create", json!({"subject": subject, "labels": [label]}));
                (r["isError"] != true, r.to_string())
            }
            Op::Add { subject, label, .. } => {
                let r = self.task(k, &["add", subject, "--label", label]);
                (r.code == 0, r.stderr)
            }
            Op::AddDup { id, subject, label } => {
                let r = self.task(k, &["add", subject, "--id", id, "--label", label]);
                if r.code != 0 {
                    assert!(
                        r.stderr.contains("already"),
                        "{context} add of {id}: {}",
                        r.stderr
                    );
                    return false;
                }
                (true, String::new())
            }
            Op::Dep {
                task,
                blocker,
                mcp: true,
            } => {
                let r = self.mcp(k, "update", json!({"id": task, "add_blockers": [blocker]}));
                (r["isError"] != true, r.to_string())
            }
            Op::Dep { task, blocker, .. } => {
                let r = self.task(k, &["dep", "add", task, blocker]);
                (r.code == 0, r.stderr)
            }
        };
        assert!(ok, "{context} clone {k}: {op:?} failed: {stderr}");
        if !self.git(k, &["status", "--porcelain"]).ok().is_empty() {
            self.commit(k, &format!("clone {k}: {op:?}"));
        }
        true
    }

    fn random_op(&mut self, rng: &mut Rng, k: usize, n: usize) -> Op {
        let shared = format!("t{}", rng.below(SHARED));
        let mcp = rng.chance(30);
        match rng.below(100) {
            0..=24 => Op::Note {
                task: shared,
                text: format!("note {n} of clone {k}"),
                mcp,
            },
            25..=34 => Op::Criterion {
                task: shared,
                text: format!("criterion {n} of clone {k}"),
                mcp,
            },
            35..=59 => {
                let (field, value) = match rng.below(4) {
                    0 => (
                        "priority",
                        ["low", "medium", "high", "critical"][rng.below(4)].to_owned(),
                    ),
                    1 => ("estimate", format!("{}h", 1 + rng.below(4))),
                    2 => ("subject", format!("{shared} as clone {k} put it")),
                    _ => ("description", format!("clone {k}, change {n}")),
                };
                Op::Set {
                    task: shared,
                    field,
                    value,
                    mcp,
                }
            }
            60..=69 => Op::Status {
                task: format!("s{}", rng.below(STATUS)),
                verb: ["start", "done", "reopen"][rng.below(3)],
            },
            70..=79 => Op::Add {
                subject: format!("Added by clone {k}, {n}"),
                label: format!("from-clone-{k}"),
                mcp,
            },
            80..=84 => {
                let id = format!("dup-{}", rng.below(3));
                Op::AddDup {
                    subject: format!("{id} as clone {k} added it"),
                    label: format!("from-clone-{k}"),
                    id,
                }
            }
            _ => {
                // Blockers only ever point down the list: no cycle can
                // come of two clones' blockers meeting.
                let later = 1 + rng.below(SHARED - 1);
                Op::Dep {
                    task: format!("t{later}"),
                    blocker: format!("t{}", rng.below(later)),
                    mcp,
                }
            }
        }
    }

    /// A field's value as a file holds it, for the oracle.
    fn file_at(&self, k: usize, rev: &str, path: &str) -> Option<toml::Table> {
        let show = self.git(k, &["show", &format!("{rev}:{path}")]);
        (show.code == 0).then(|| {
            show.stdout
                .parse::<toml::Table>()
                .unwrap_or_else(|e| panic!("{} {rev}:{path}: {e}", self.context()))
        })
    }

    /// Whether git-task's field rules make a real conflict of a file's
    /// three versions (docs/merging.md).
    fn real_conflict(base: &Option<toml::Table>, ours: &toml::Table, theirs: &toml::Table) -> bool {
        let Some(base) = base else {
            // Added on both sides: two tasks, never fused into one.
            return ours != theirs;
        };
        let winner = status_winner(base, ours, theirs);
        keys(base, ours, theirs).into_iter().any(|key| {
            let (b, o, t) = (field(base, key), field(ours, key), field(theirs, key));
            if o == b || t == b || o == t {
                return false;
            }
            match key {
                _ if is_list(key) => false,
                // The earlier start is kept.
                "started" => false,
                "status" | "closed" => winner.is_none(),
                _ => true,
            }
        })
    }

    /// Fetches and merges the remote into clone `k`, checking the merge
    /// against the field rules, then pushes; after a real conflict the
    /// clone starts again from the remote and makes its changes anew.
    fn sync(&mut self, k: usize) {
        let context = self.context();
        self.git(k, &["fetch", "-q", "origin"]).ok();
        let behind = self
            .git(k, &["merge-base", "--is-ancestor", "origin/main", "HEAD"])
            .code
            != 0;
        if behind {
            self.merge(k);
        }
        // Clones take turns, so no other push comes between the fetch
        // and this one: a refusal is a hook's, and a failure.
        let push = self.git(k, &["push", "-q", "origin", "HEAD:main"]);
        assert_eq!(
            push.code, 0,
            "{context} clone {k}: push refused:\n{}",
            push.stderr
        );
        let tip = self.git(k, &["rev-parse", "HEAD"]).ok().trim().to_owned();
        self.tips.push(tip);
        for op in std::mem::take(&mut self.unpushed[k]) {
            self.record(op);
        }
    }

    fn merge(&mut self, k: usize) {
        let context = self.context();
        self.merges += 1;
        let base = self
            .git(k, &["merge-base", "HEAD", "origin/main"])
            .ok()
            .trim()
            .to_owned();
        let changed = |sim: &Sim, rev: &str| -> BTreeSet<String> {
            sim.git(k, &["diff", "--name-only", &base, rev, "--", ".tasks"])
                .ok()
                .lines()
                .map(str::to_owned)
                .collect()
        };
        let both: Vec<String> = changed(self, "HEAD")
            .intersection(&changed(self, "origin/main"))
            .cloned()
            .collect();
        let versions: Vec<(String, Option<toml::Table>, toml::Table, toml::Table)> = both
            .iter()
            .map(|path| {
                (
                    path.clone(),
                    self.file_at(k, &base, path),
                    self.file_at(k, "HEAD", path).expect("ours"),
                    self.file_at(k, "origin/main", path).expect("theirs"),
                )
            })
            .collect();
        let merge = self.git(k, &["merge", "-q", "--no-edit", "origin/main"]);
        let conflicted: BTreeSet<String> = self
            .git(k, &["diff", "--name-only", "--diff-filter=U"])
            .ok()
            .lines()
            .map(str::to_owned)
            .collect();
        for (path, base, ours, theirs) in &versions {
            let real = Sim::real_conflict(base, ours, theirs);
            let marked = conflicted.contains(path);
            assert_eq!(
                real,
                marked,
                "{context} clone {k}, {path}: {} (git said: {})\nbase: {base:?}\nours: {ours:?}\ntheirs: {theirs:?}",
                if real {
                    "a real conflict was merged without a word"
                } else {
                    "edits that do not clash were put in conflict"
                },
                merge.stderr
            );
            if !marked {
                let text = std::fs::read_to_string(self.clones[k].join(path)).unwrap();
                let merged: toml::Table = text
                    .parse()
                    .unwrap_or_else(|e| panic!("{context} {path}: {e}\n{text}"));
                check_clean_merge(
                    &context,
                    path,
                    base.as_ref().unwrap(),
                    ours,
                    theirs,
                    &merged,
                );
            }
        }
        if conflicted.is_empty() {
            assert_eq!(
                merge.code, 0,
                "{context} clone {k}: the merge failed:\n{}",
                merge.stderr
            );
            return;
        }
        self.conflicts += 1;
        // Every conflicted file is named by `check`, then the clone gives
        // up its merge, takes the remote's tasks and makes its changes on
        // them anew, as an agent would.
        let check = self.task(k, &["check"]);
        assert_eq!(check.code, 1, "{context} check passed a conflicted merge");
        for path in &conflicted {
            assert!(
                check.stdout.contains(path.as_str()),
                "{context} check does not name {path}:\n{}",
                check.stdout
            );
        }
        self.git(k, &["merge", "--abort"]).ok();
        self.git(k, &["reset", "-q", "--hard", "origin/main"]).ok();
        let ops = std::mem::take(&mut self.unpushed[k]);
        for op in ops {
            if self.make(k, &op) {
                self.unpushed[k].push(op);
            }
        }
    }

    /// What reached the remote: what the end must still hold.
    fn record(&mut self, op: Op) {
        match op {
            Op::Note { task, text, .. } => self.notes.push((task, text)),
            Op::Criterion { task, text, .. } => self.criteria.push((task, text)),
            Op::Set {
                task, field, value, ..
            } => {
                self.values.entry((task, field)).or_default().insert(value);
            }
            Op::Add { subject, label, .. } => self.added.push((subject, label)),
            Op::AddDup { id, subject, label } => {
                self.dups.entry(id).or_default().push((subject, label));
            }
            Op::Status { .. } | Op::Dep { .. } => {}
        }
    }

    /// Turns the gate red in clone `k` and tries to push it: pre-push
    /// says no, and with the hook skipped the remote says no. Then the
    /// gate is made green again.
    fn try_red_gate(&mut self, k: usize) {
        let context = self.context();
        self.sync(k);
        self.task(k, &["reopen", GATE]).ok();
        self.commit(k, "reopen the gate");
        let before = self.remote_tip();
        let push = self.git(k, &["push", "-q", "origin", "HEAD:main"]);
        assert_ne!(push.code, 0, "{context} a red gate was pushed");
        assert!(push.stderr.contains(GATE), "{context} {}", push.stderr);
        let forced = self.git(k, &["push", "-q", "--no-verify", "origin", "HEAD:main"]);
        assert_ne!(forced.code, 0, "{context} the remote took a red gate");
        assert!(forced.stderr.contains(GATE), "{context} {}", forced.stderr);
        assert_eq!(self.remote_tip(), before);
        self.refused_red += 1;
        self.task(k, &["done", GATE]).ok();
        self.commit(k, "the gate is green again");
    }

    fn remote_tip(&self) -> String {
        run(self
            .env
            .command("git")
            .current_dir(&self.remote)
            .args(["rev-parse", "main"]))
        .ok()
        .trim()
        .to_owned()
    }
}

fn is_list(key: &str) -> bool {
    matches!(key, "notes" | "criteria" | "labels" | "blocked_by")
}

fn keys<'a>(
    base: &'a toml::Table,
    ours: &'a toml::Table,
    theirs: &'a toml::Table,
) -> BTreeSet<&'a str> {
    base.keys()
        .chain(ours.keys())
        .chain(theirs.keys())
        .map(String::as_str)
        .collect()
}

/// A field's value, with a default value written out the same as none.
fn field<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    let default = match key {
        "status" => "pending",
        "priority" => "medium",
        "kind" => "task",
        _ => return table.get(key),
    };
    table.get(key).filter(|v| v.as_str() != Some(default))
}

/// `in_progress` on one side and `completed` on the other: the completed
/// side, whose `closed` comes with it.
fn status_winner<'a>(
    base: &toml::Table,
    ours: &'a toml::Table,
    theirs: &'a toml::Table,
) -> Option<&'a toml::Table> {
    let status = |t: &toml::Table| {
        field(t, "status")
            .and_then(|v| v.as_str())
            .unwrap_or("pending")
            .to_owned()
    };
    let (b, o, t) = (status(base), status(ours), status(theirs));
    if o == b || t == b {
        return None;
    }
    match (o.as_str(), t.as_str()) {
        ("in_progress", "completed") => Some(theirs),
        ("completed", "in_progress") => Some(ours),
        _ => None,
    }
}

/// The texts of a list field: notes and criteria by their text.
fn texts(table: &toml::Table, key: &str) -> BTreeSet<String> {
    let Some(toml::Value::Array(items)) = table.get(key) else {
        return BTreeSet::new();
    };
    items
        .iter()
        .map(|item| match item {
            toml::Value::Table(t) => t["text"].as_str().unwrap().to_owned(),
            other => other.as_str().unwrap().to_owned(),
        })
        .collect()
}

/// A merge without conflict took each side's change of a field, and lost
/// nothing of either side's lists.
fn check_clean_merge(
    context: &str,
    path: &str,
    base: &toml::Table,
    ours: &toml::Table,
    theirs: &toml::Table,
    merged: &toml::Table,
) {
    let winner = status_winner(base, ours, theirs);
    for key in keys(base, ours, theirs) {
        if is_list(key) {
            let want: BTreeSet<String> = texts(ours, key)
                .union(&texts(theirs, key))
                .cloned()
                .collect();
            let got = texts(merged, key);
            assert!(
                want.is_subset(&got),
                "{context} {path}: the merge lost {:?} of `{key}`",
                want.difference(&got).collect::<Vec<_>>()
            );
            continue;
        }
        let (b, o, t) = (field(base, key), field(ours, key), field(theirs, key));
        let want = match winner {
            Some(side) if matches!(key, "status" | "closed") => field(side, key),
            _ if o == t || t == b => o,
            _ if o == b => t,
            // Both started it: the earlier start, which the rules keep.
            _ => continue,
        };
        assert_eq!(
            field(merged, key),
            want,
            "{context} {path}: `{key}` after the merge"
        );
    }
}

#[test]
fn five_clones_editing_pulling_and_pushing_lose_nothing() {
    let seed = env_number("CLONES_SEED", 20261203);
    let rounds = env_number("CLONES_ROUNDS", 10) as usize;
    let env = TestEnv::new();
    for i in 0..SHARED {
        env.add(&[&format!("Shared task {i}"), "--id", &format!("t{i}")]);
    }
    for i in 0..STATUS {
        env.add(&[&format!("Status task {i}"), "--id", &format!("s{i}")]);
    }
    env.add(&["Release sign-off", "--id", GATE, "--gate"]);
    env.task(&["done", GATE]).ok();
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "the tasks"]).ok();
    let remote = env.bare_remote();
    env.git(&["push", "-q", "origin", "main"]).ok();
    // The server refuses a red gate whatever the client's hooks do.
    run(env
        .git_task_cmd()
        .current_dir(&remote)
        .args(["hooks", "install"]))
    .ok();
    let clones: Vec<PathBuf> = (0..CLONES)
        .map(|k| {
            let dir = env.clone_of(&remote, k);
            let git = |args: &[&str]| {
                run(env.command("git").current_dir(&dir).args(args))
                    .ok()
                    .to_owned()
            };
            git(&["config", "user.name", &format!("Clone {k}")]);
            run(env
                .git_task_cmd()
                .current_dir(&dir)
                .args(["hooks", "install"]))
            .ok();
            dir
        })
        .collect();
    let mut sim = Sim {
        env,
        remote,
        clones,
        seed,
        clock: 0,
        unpushed: vec![Vec::new(); CLONES],
        notes: Vec::new(),
        criteria: Vec::new(),
        added: Vec::new(),
        dups: BTreeMap::new(),
        values: BTreeMap::new(),
        tips: Vec::new(),
        merges: 0,
        conflicts: 0,
        refused_red: 0,
    };
    let mut rng = Rng::new(seed);
    let mut n = 0;
    for _round in 0..rounds {
        // Each clone in a random order makes a few changes and, now and
        // then, meets the remote: changes pile up on several clones at
        // once, as they do when people work in parallel.
        let mut order: Vec<usize> = (0..CLONES).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for k in order {
            for _ in 0..1 + rng.below(3) {
                n += 1;
                let op = sim.random_op(&mut rng, k, n);
                if sim.make(k, &op) {
                    sim.unpushed[k].push(op);
                }
            }
            if rng.chance(5) {
                sim.try_red_gate(k);
            }
            if rng.chance(40) {
                sim.sync(k);
            }
        }
    }
    // Everyone meets the remote, twice: then each clone holds all of it.
    for _ in 0..2 {
        for k in 0..CLONES {
            sim.sync(k);
        }
    }
    let context = sim.context();
    let tip = sim.remote_tip();
    for k in 0..CLONES {
        assert_eq!(
            sim.git(k, &["rev-parse", "HEAD"]).ok().trim(),
            tip,
            "{context}"
        );
    }
    assert!(sim.try_gate_once_at_least(&mut rng), "{context}");
    verify_end(&sim);
}

impl Sim {
    /// Makes sure the red gate was tried at least once in the run.
    fn try_gate_once_at_least(&mut self, rng: &mut Rng) -> bool {
        if self.refused_red == 0 {
            let k = rng.below(CLONES);
            self.try_red_gate(k);
            self.sync(k);
        }
        self.refused_red > 0
    }
}

fn verify_end(sim: &Sim) {
    let context = sim.context();
    let remote = &sim.remote;
    let in_remote = |args: &[&str]| run(sim.env.git_task_cmd().current_dir(remote).args(args));
    // Every tip main ever had passed its gates.
    for tip in &sim.tips {
        let check = in_remote(&["check", "--rev", tip, "--target", "main"]);
        assert_eq!(
            check.code, 0,
            "{context} main's tip {tip} does not pass:\n{}",
            check.stdout
        );
    }
    in_remote(&["check", "--rev", "main"]).ok();
    let exported: Vec<Value> = in_remote(&["export", "--rev", "main"])
        .ok()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_id: BTreeMap<&str, &Value> = exported
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t))
        .collect();
    let list = |task: &Value, key: &str| -> Vec<String> {
        task[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.get("text").unwrap_or(v).as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    for (what, made) in [("notes", &sim.notes), ("criteria", &sim.criteria)] {
        for (task, text) in made {
            let have = list(by_id[task.as_str()], what);
            let count = have.iter().filter(|t| *t == text).count();
            assert_eq!(
                count, 1,
                "{context} {task}'s {what} hold {text:?} {count} times: {have:?}"
            );
        }
    }
    for (subject, label) in &sim.added {
        let found: Vec<&&Value> = by_id
            .values()
            .filter(|t| t["subject"] == subject.as_str())
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{context} {subject:?} is there {} times",
            found.len()
        );
        assert_eq!(
            list(found[0], "labels"),
            std::slice::from_ref(label),
            "{context} {subject:?}"
        );
    }
    for (id, made) in &sim.dups {
        // Several clones added this id: one of them holds it, whole.
        let task = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{context} {id} is missing"));
        let subject = task["subject"].as_str().unwrap();
        let (_, label) = made
            .iter()
            .find(|(s, _)| s == subject)
            .unwrap_or_else(|| panic!("{context} {id} is {subject:?}, which no clone wrote"));
        assert_eq!(
            list(task, "labels"),
            std::slice::from_ref(label),
            "{context} {id} was fused"
        );
    }
    for ((task, field), values) in &sim.values {
        let value = by_id[task.as_str()][*field]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(
            values.contains(&value),
            "{context} {task}'s {field} is {value:?}, none of {values:?}"
        );
    }
    eprintln!(
        "clones: seed {}, {} merges, {} of them with a real conflict, {} red gates refused, {} notes, {} tasks added",
        sim.seed,
        sim.merges,
        sim.conflicts,
        sim.refused_red,
        sim.notes.len(),
        sim.added.len() + sim.dups.len()
    );
}
