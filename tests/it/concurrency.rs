//! Many writers at once, and writers racing the git commands that change
//! the working tree under them (`checkout`, `merge`, `stash`, `rebase`):
//! no update is lost, and no change writes one branch's content onto
//! another. docs/storage.md says how: git-task's own lock orders its
//! writers, and git's `index.lock` keeps a write and a git command that
//! rewrites the working tree from overlapping.

use crate::common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{Rng, Run, TestEnv, env_number};

/// The `text` of each note of task `id`, in file order.
fn notes(env: &TestEnv, id: &str) -> Vec<String> {
    let task = &env.task(&["show", id, "--json"]).json()["task"];
    task["notes"]
        .as_array()
        .map(|notes| {
            notes
                .iter()
                .map(|n| n["text"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Sixteen writers

/// One writer's work, in order: every kind of change, on the task all of
/// them share and on tasks of its own.
fn writer_script(k: usize) -> Vec<Vec<String>> {
    let s = |parts: &[&str]| parts.iter().map(|p| (*p).to_owned()).collect::<Vec<_>>();
    let own = format!("w{k}");
    let new = format!("n{k}");
    let renamed = format!("r{k}");
    vec![
        s(&["note", "shared", &format!("note {k}.1")]),
        s(&["edit", &own, "--subject", &format!("Writer {k}, edited")]),
        s(&["criteria", "shared", "--add", &format!("criterion {k}")]),
        s(&["edit", "shared", "--label", &format!("l{k}")]),
        s(&["start", &own]),
        s(&["add", &format!("New {k}"), "--id", &new]),
        s(&["note", "shared", &format!("note {k}.2")]),
        s(&["dep", "add", &new, &own]),
        s(&["done", &own]),
        s(&["rename", &own, &renamed]),
        s(&["apply", &format!("plan-{k}.toml")]),
        s(&[
            "claim",
            "--json",
            "--owner",
            &format!("writer-{k}@example.com"),
        ]),
        s(&["note", "shared", &format!("note {k}.3")]),
    ]
}

#[test]
fn sixteen_writers_of_every_kind_of_change_lose_no_update() {
    const WRITERS: usize = 16;
    let env = TestEnv::new();
    env.add(&["Shared by all", "--id", "shared"]);
    for k in 0..WRITERS {
        env.add(&[&format!("Writer {k}"), "--id", &format!("w{k}")]);
        env.add(&[
            &format!("Up for a claim {k}"),
            "--id",
            &format!("pool{k}"),
            "--priority",
            "critical",
        ]);
        std::fs::write(
            env.repo.join(format!("plan-{k}.toml")),
            format!(
                "name = \"plan-{k}\"\n[tasks.first]\nsubject = \"Plan {k}, first\"\nid = \"p{k}-first\"\n\
                 [tasks.second]\nsubject = \"Plan {k}, second\"\nid = \"p{k}-second\"\nblocked_by = [\"first\"]\n"
            ),
        )
        .unwrap();
    }
    env.commit_all("the tasks");
    // Each writer is a thread running its script, one process at a time,
    // all sixteen at once.
    let results: Vec<Vec<(Vec<String>, Run)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|k| {
                let env = &env;
                scope.spawn(move || {
                    writer_script(k)
                        .into_iter()
                        .map(|args| {
                            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                            let run = env.task_with_env(
                                &[("GIT_TASK_ID_SEED", &format!("writer {k}"))],
                                &refs,
                            );
                            (args, run)
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (args, run) in results.iter().flatten() {
        assert_eq!(
            run.code,
            0,
            "`git task {}` failed\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            run.stdout,
            run.stderr
        );
    }

    // Every note once, every criterion and label.
    let mut got = notes(&env, "shared");
    got.sort();
    let mut want: Vec<String> = (0..WRITERS)
        .flat_map(|k| (1..=3).map(move |i| format!("note {k}.{i}")))
        .collect();
    want.sort();
    assert_eq!(got, want, "a note was lost or written twice");
    let shared = env.task(&["show", "shared", "--json"]).json()["task"].clone();
    let criteria: Vec<&str> = shared["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    let labels: Vec<&str> = shared["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    for k in 0..WRITERS {
        assert!(
            criteria.contains(&format!("criterion {k}").as_str()),
            "{criteria:?}"
        );
        assert!(labels.contains(&format!("l{k}").as_str()), "{labels:?}");
    }
    assert_eq!(criteria.len(), WRITERS);
    assert_eq!(labels.len(), WRITERS);

    // Each writer's own task: edited, done, renamed, and the task that
    // waits for it follows the rename.
    let export = env.exported();
    let by_id = |id: &str| {
        export
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("task {id} is missing"))
    };
    for k in 0..WRITERS {
        assert!(
            !export.iter().any(|t| t["id"] == format!("w{k}")),
            "w{k} was not renamed"
        );
        let own = by_id(&format!("r{k}"));
        assert_eq!(own["subject"], format!("Writer {k}, edited"));
        assert_eq!(own["status"], "completed");
        let new = by_id(&format!("n{k}"));
        assert_eq!(new["subject"], format!("New {k}"));
        assert_eq!(new["blocked_by"], serde_json::json!([format!("r{k}")]));
        assert_eq!(
            by_id(&format!("p{k}-first"))["subject"],
            format!("Plan {k}, first")
        );
        assert_eq!(
            by_id(&format!("p{k}-second"))["blocked_by"],
            serde_json::json!([format!("p{k}-first")])
        );
    }

    // Sixteen claims of what was ready (the pool comes first, by its
    // priority): sixteen different tasks.
    let mut claimed: Vec<String> = results
        .iter()
        .map(|script| {
            let (_, run) = script.iter().find(|(args, _)| args[0] == "claim").unwrap();
            let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            json["task"]["id"].as_str().unwrap().to_owned()
        })
        .collect();
    claimed.sort();
    let before = claimed.len();
    claimed.dedup();
    assert_eq!(
        claimed.len(),
        before,
        "a task was claimed twice: {claimed:?}"
    );
    env.task(&["check"]).ok();
    // Nothing left behind: no temporary file, no journal.
    let strays: Vec<String> = std::fs::read_dir(env.tasks_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".git-task-tmp-"))
        .collect();
    assert!(strays.is_empty(), "{strays:?}");
    assert!(!env.repo.join(".git/git-task/journal").exists());
    assert!(!env.repo.join(".git/index.lock").exists());
}

// ---------------------------------------------------------------------------
// A writer paused at each point of its change while git rewrites the tree

/// Waits until the git-task process `pid` holds the lock and, for
/// `before-rename`, has written its temporary files: the moment it pauses.
fn wait_for_pause(env: &TestEnv, pid: u32, point: &str) {
    env.wait_until(pid, &format!("reached {point}"), || {
        point != "before-rename" || has_temporary(&env.tasks_dir())
    });
}

fn has_temporary(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        e.file_name()
            .to_string_lossy()
            .starts_with(".git-task-tmp-")
    })
}

/// Starts `git task note shared TEXT`, paused at `point` for a while.
fn paused_note(env: &TestEnv, point: &str, text: &str) -> Child {
    let child = env
        .git_task_cmd()
        .env("GIT_TASK_TEST_PAUSE", format!("{point}=1200"))
        .args(["note", "shared", text])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_pause(env, child.id(), point);
    child
}

/// What a git command racing a paused writer may do: go through (the
/// writer then starts over on what git left), or stop at once because the
/// writer holds the index, changing nothing (run again, it goes through).
#[track_caller]
fn raced_git(env: &TestEnv, args: &[&str], writer: Child) -> bool {
    let git = env.git(args);
    let writer = Run::from(writer.wait_with_output().unwrap());
    writer.ok();
    if git.code == 0 {
        return true;
    }
    // git says "index.lock': File exists", or "Unable to write index"
    // where it only tried to refresh the index first.
    assert!(
        git.stderr.contains("index"),
        "`git {}` failed for another reason:\n{}",
        args.join(" "),
        git.stderr
    );
    for state in ["MERGE_HEAD", "rebase-merge", "rebase-apply"] {
        assert!(
            !env.repo.join(".git").join(state).exists(),
            "`git {}` stopped half-way",
            args.join(" ")
        );
    }
    false
}

const POINTS: [&str; 2] = ["before-write", "before-rename"];

#[test]
fn a_change_racing_a_checkout_never_writes_one_branch_onto_the_other() {
    for point in POINTS {
        let env = TestEnv::new();
        env.add(&["On main", "--id", "shared"]);
        env.commit_all("main");
        env.git(&["checkout", "-q", "-b", "other"]).ok();
        env.task(&["edit", "shared", "--subject", "On other"]).ok();
        env.commit_all("other");
        env.git(&["checkout", "-q", "main"]).ok();
        let writer = paused_note(&env, point, "racing");
        if !raced_git(&env, &["checkout", "-q", "other"], writer) {
            // The note came first, on main, where it was read; committed
            // there, the checkout goes through.
            assert!(env.read("shared").contains("subject = \"On main\""));
            assert_eq!(notes(&env, "shared"), ["racing"], "at {point}");
            env.commit_all("the note");
            env.git(&["checkout", "-q", "other"]).ok();
            assert!(notes(&env, "shared").is_empty(), "at {point}");
        } else {
            assert_eq!(notes(&env, "shared"), ["racing"], "at {point}");
        }
        let text = env.read("shared");
        assert!(
            text.contains("subject = \"On other\""),
            "at {point}, main's task was written onto the other branch:\n{text}"
        );
        assert_eq!(env.git(&["branch", "--show-current"]).ok().trim(), "other");
    }
}

#[test]
fn a_change_racing_a_merge_keeps_what_the_merge_brought() {
    for point in POINTS {
        let env = TestEnv::new();
        env.add(&["Shared", "--id", "shared"]);
        env.commit_all("main");
        env.git(&["checkout", "-q", "-b", "other"]).ok();
        env.task(&["edit", "shared", "--priority", "high"]).ok();
        env.commit_all("other raises the priority");
        env.git(&["checkout", "-q", "main"]).ok();
        env.task(&["edit", "shared", "--estimate", "2h"]).ok();
        env.commit_all("main estimates");
        let writer = paused_note(&env, point, "racing");
        let merge = ["merge", "-q", "--no-edit", "other"];
        if !raced_git(&env, &merge, writer) {
            // The note came first: a merge of a dirty file is git's to
            // refuse, and after a commit of it, it goes through.
            env.commit_all("the note");
            env.git(&merge).ok();
        }
        let task = env.task(&["show", "shared", "--json"]).json()["task"].clone();
        assert_eq!(task["priority"], "high", "at {point}, the merge was undone");
        assert_eq!(task["estimate"], "2h", "at {point}");
        assert_eq!(notes(&env, "shared"), ["racing"], "at {point}");
    }
}

#[test]
fn a_change_racing_a_stash_never_writes_the_stashed_change_back() {
    for point in POINTS {
        let env = TestEnv::new();
        env.add(&["Shared", "--id", "shared"]);
        env.commit_all("main");
        env.task(&["note", "shared", "stashed"]).ok();
        let writer = paused_note(&env, point, "racing");
        let stashed = raced_git(&env, &["stash", "-q"], writer);
        let worktree = notes(&env, "shared");
        if stashed {
            // The stash took "stashed"; the note was made on what the
            // stash left, and the stash still holds its own.
            assert_eq!(worktree, ["racing"], "at {point}, the stash was undone");
            let stash = env.git(&["show", "stash@{0}:.tasks/shared.toml"]);
            assert!(stash.ok().contains("stashed"), "at {point}");
            assert!(!stash.stdout.contains("racing"), "at {point}");
        } else {
            assert_eq!(worktree, ["stashed", "racing"], "at {point}");
            env.git(&["stash", "-q"]).ok();
            assert!(notes(&env, "shared").is_empty(), "at {point}");
        }
    }
}

#[test]
fn a_change_racing_a_rebase_keeps_what_the_rebase_wrote() {
    for point in POINTS {
        let env = TestEnv::new();
        env.add(&["Shared", "--id", "shared"]);
        env.commit_all("base");
        env.git(&["checkout", "-q", "-b", "topic"]).ok();
        env.task(&["edit", "shared", "--priority", "high"]).ok();
        env.commit_all("topic raises the priority");
        env.git(&["checkout", "-q", "main"]).ok();
        env.task(&["edit", "shared", "--subject", "Renamed on main"])
            .ok();
        env.commit_all("main renames it");
        env.git(&["checkout", "-q", "topic"]).ok();
        let writer = paused_note(&env, point, "racing");
        let rebase = ["rebase", "-q", "main"];
        if !raced_git(&env, &rebase, writer) {
            env.commit_all("the note");
            env.git(&rebase).ok();
        }
        let task = env.task(&["show", "shared", "--json"]).json()["task"].clone();
        assert_eq!(
            task["subject"], "Renamed on main",
            "at {point}, the rebase was undone"
        );
        assert_eq!(task["priority"], "high", "at {point}");
        assert_eq!(notes(&env, "shared"), ["racing"], "at {point}");
        assert!(!env.repo.join(".git/rebase-merge").exists(), "at {point}");
    }
}

/// Writers paused for a random moment at a random point, while the branch
/// is switched under them again and again: after each switch, once the
/// writers are done, the task holds the branch's subject.
#[test]
fn writers_at_random_moments_never_carry_a_task_across_a_checkout() {
    let env = TestEnv::new();
    env.add(&["On main", "--id", "shared"]);
    env.commit_all("main");
    env.git(&["checkout", "-q", "-b", "other"]).ok();
    env.task(&["edit", "shared", "--subject", "On other"]).ok();
    env.commit_all("other");
    let seed = env_number("RACE_SEED", 0x5eed);
    let mut rng = Rng::new(seed);
    let mut next = move |n: usize| rng.below(n) as u64;
    for round in 0..24 {
        let branch = if round % 2 == 0 { "main" } else { "other" };
        let writers: Vec<Child> = (0..3)
            .map(|w| {
                let point = ["before-write", "before-rename", "between-renames"][next(3) as usize];
                env.git_task_cmd()
                    .env("GIT_TASK_TEST_PAUSE", format!("{point}={}", next(40)))
                    .args(["note", "shared", &format!("round {round}, writer {w}")])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(Duration::from_millis(next(60)));
        // A forced checkout: the notes of the branch left behind go, as
        // git is told; what must never happen is the old subject coming
        // back once git has switched.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let git = env.git(&["checkout", "-q", "-f", branch]);
            if git.code == 0 {
                break;
            }
            assert!(
                git.stderr.contains("index.lock") && Instant::now() < deadline,
                "round {round} (RACE_SEED={seed}): {}",
                git.stderr
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // A writer that read while git had removed the file and not yet
        // written it anew finds no such task, and one that read it half
        // written finds it does not read; either writes nothing. Any
        // other failure is a bug.
        for writer in writers {
            let out = Run::from(writer.wait_with_output().unwrap());
            assert!(
                out.code == 0
                    || out.stderr.contains("no task has the id `shared`")
                    || out.stderr.starts_with("error: .tasks/shared.toml:"),
                "round {round} (RACE_SEED={seed}): {}",
                out.stderr
            );
        }
        let want = if branch == "main" {
            "On main"
        } else {
            "On other"
        };
        let text = env.read("shared");
        assert!(
            text.contains(&format!("subject = \"{want}\"")),
            "round {round} (RACE_SEED={seed}): on {branch}, a writer wrote the other branch's task:\n{text}"
        );
    }
}
