//! Writers killed with SIGKILL at random moments, over hundreds of
//! rounds: a plan applied to four tasks, a rename that rewrites the
//! references of two others, a note, an owner. After each kill every
//! task file reads, no change is half applied (the four plan tasks agree,
//! the renamed task and its references agree), nothing earlier is lost,
//! the next change finds the lock free and leaves no temporary file or
//! journal behind.
//!
//! Seeded: `CRASH_SEED=N` repeats a run, `CRASH_ROUNDS=N` makes it longer
//! (200 by default). The seed is printed when a round fails.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Rng, TestEnv, env_number};

const PLAN_KEYS: [&str; 4] = ["p1", "p2", "p3", "p4"];

fn plan(round: u64) -> String {
    let mut text = String::from("name = \"crash\"\n");
    for key in PLAN_KEYS {
        text.push_str(&format!("\n[tasks.{key}]\nsubject = \"Round {round}\"\n"));
    }
    text
}

/// The tasks as `export` gives them, by id; every file must read.
fn tasks(env: &TestEnv) -> BTreeMap<String, Value> {
    let run = env.task(&["export"]);
    assert_eq!(run.code, 0, "export: {}", run.stderr);
    assert_eq!(run.stderr, "", "a file does not read");
    run.stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_owned(), v)
        })
        .collect()
}

fn strays(env: &TestEnv) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(env.tasks_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".git-task-tmp-"))
        .collect();
    if env.repo.join(".git/git-task/journal").exists() {
        found.push(".git/git-task/journal".into());
    }
    found
}

fn notes(task: &Value) -> Vec<String> {
    task["notes"]
        .as_array()
        .map(|ns| {
            ns.iter()
                .map(|n| n["text"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn writers_killed_at_random_moments_leave_every_change_whole_or_not_made() {
    let seed = env_number("CRASH_SEED", 0x6769_742d_7461_736b);
    let rounds = env_number("CRASH_ROUNDS", 200);
    let env = TestEnv::new();
    for id in ["n0", "n1", "t0", "t1", "z"] {
        env.write(id, &format!("subject = \"Task {id}\"\n"));
    }
    env.write("mover-a", "subject = \"Moves\"\n");
    env.write("w1", "subject = \"Waits 1\"\nblocked_by = [\"mover-a\"]\n");
    env.write("w2", "subject = \"Waits 2\"\nblocked_by = [\"mover-a\"]\n");
    std::fs::write(env.repo.join("plan.toml"), plan(0)).unwrap();
    env.task(&["apply", "plan.toml"]).ok();
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "tasks"]).ok();

    let mut rng = Rng::new(seed);
    let mut before = tasks(&env);
    let mut killed_mid_change = 0;
    for round in 1..=rounds {
        let fail = |what: String| -> ! {
            panic!("round {round} of CRASH_SEED={seed}: {what}");
        };
        let mover = if before.contains_key("mover-a") {
            "mover-a"
        } else {
            "mover-b"
        };
        let other = if mover == "mover-a" {
            "mover-b"
        } else {
            "mover-a"
        };
        let op = rng.below(4);
        let args: Vec<String> = match op {
            0 => {
                std::fs::write(env.repo.join("plan.toml"), plan(round)).unwrap();
                vec!["apply".into(), "plan.toml".into()]
            }
            1 => vec!["rename".into(), mover.into(), other.into()],
            2 => vec![
                "note".into(),
                format!("n{}", round % 2),
                format!("round {round}"),
            ],
            _ => vec![
                "edit".into(),
                format!("t{}", round % 2),
                "--owner".into(),
                format!("o{round}"),
            ],
        };
        let pause = [
            "",
            "before-write=30",
            "before-rename=30",
            "between-renames=30",
        ][rng.below(4)];
        let mut child = env
            .git_task_cmd()
            .args(&args)
            .env("GIT_TASK_TEST_PAUSE", pause)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(45) as u64));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.code().is_none() {
            killed_mid_change += 1;
        }

        // Every file reads, and the change is whole or not made.
        let after = tasks(&env);
        let subjects: Vec<&str> = PLAN_KEYS
            .iter()
            .map(|k| {
                after
                    .values()
                    .find(|t| t["plan_key"] == format!("crash/{k}"))
                    .unwrap_or_else(|| fail(format!("plan task {k} is gone")))["subject"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        if subjects.iter().any(|s| *s != subjects[0]) {
            fail(format!("the plan is half applied: {subjects:?}"));
        }
        let movers: Vec<&str> = ["mover-a", "mover-b"]
            .into_iter()
            .filter(|id| after.contains_key(*id))
            .collect();
        let [now] = movers.as_slice() else {
            fail(format!("the renamed task is {movers:?}"));
        };
        for w in ["w1", "w2"] {
            if after[w]["blocked_by"] != serde_json::json!([now]) {
                fail(format!(
                    "{w} waits for {} while the task is {now}",
                    after[w]["blocked_by"]
                ));
            }
        }
        // Nothing earlier is lost, and a change is there once at most.
        for (id, task) in &before {
            if id.starts_with("mover-") {
                continue;
            }
            let (was, is) = (notes(task), notes(&after[id]));
            if !is.starts_with(&was) || is.len() > was.len() + 1 {
                fail(format!("the notes of {id} went from {was:?} to {is:?}"));
            }
        }

        // The next change finds the lock free and cleans up after the kill.
        let next = env.task(&["note", "z", &format!("after round {round}")]);
        if next.code != 0 {
            fail(format!("the next change failed: {}", next.stderr));
        }
        let left = strays(&env);
        if !left.is_empty() {
            fail(format!("left behind after the next change: {left:?}"));
        }
        if round % 25 == 0 {
            let check = env.task(&["check"]);
            if check.code != 0 {
                fail(format!("check: {}{}", check.stdout, check.stderr));
            }
        }
        before = tasks(&env);
    }
    // The kills landed in changes, not only before or after them.
    assert!(
        killed_mid_change > rounds / 4,
        "{killed_mid_change} of {rounds} killed"
    );
}
