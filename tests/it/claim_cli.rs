//! `claim`, `ready --claim` and `release`: many claimers at once, in one
//! repository and its worktrees, and across clones of a bare remote.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::common::{TestEnv, run};

/// A repository with `n` ready tasks `t0`…, committed.
fn with_ready(n: usize) -> TestEnv {
    let env = TestEnv::new();
    for i in 0..n {
        env.add(&[&format!("task {i}"), "--id", &format!("t{i}")]);
    }
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "tasks"]).ok();
    env
}

/// A linked worktree of the repository, on a branch of its own.
fn linked_worktree(env: &TestEnv) -> PathBuf {
    let linked = env.dir.path().join("linked");
    let path = linked.to_str().expect("a UTF-8 temp path");
    env.git(&["worktree", "add", "-q", "-b", "other", path])
        .ok();
    linked
}

/// Starts `git task ARGS` in `dir` without waiting for it.
fn spawn(env: &TestEnv, dir: &Path, args: &[&str]) -> Child {
    let mut cmd: Command = env.git_task_cmd();
    cmd.current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().expect("spawn git-task")
}

/// Waits for each child: its exit code, stdout and stderr.
fn finish(children: Vec<Child>) -> Vec<(i32, String, String)> {
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().expect("wait");
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .collect()
}

/// The task id of a `claim --json` answer.
fn claimed_id(stdout: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(stdout).expect("claim --json");
    json["task"]["id"].as_str().expect("an id").to_owned()
}

fn claim_refs(env: &TestEnv, dir: &Path) -> Vec<String> {
    let out = env
        .command("git")
        .current_dir(dir)
        .args(["for-each-ref", "--format=%(refname)", "refs/tasks/claims/"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The winners of a race: each claimed id, checking that no id was won
/// twice and that every loser was told why.
fn winners(results: &[(i32, String, String)]) -> Vec<String> {
    let mut won = Vec::new();
    for (code, stdout, stderr) in results {
        match code {
            0 => won.push(claimed_id(stdout)),
            1 => assert!(
                stderr.contains("is claimed by") || stderr.contains("no ready task is free"),
                "a loser is told why:\n{stderr}"
            ),
            _ => panic!("exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}"),
        }
    }
    let distinct: BTreeSet<&String> = won.iter().collect();
    assert_eq!(distinct.len(), won.len(), "a task was won twice: {won:?}");
    won
}

#[test]
fn eight_claimers_get_eight_different_tasks() {
    let env = with_ready(8);
    let children: Vec<Child> = (0..8)
        .map(|p| {
            let owner = format!("agent-{p}");
            spawn(
                &env,
                &env.repo,
                &["ready", "--claim", "--json", "--owner", &owner],
            )
        })
        .collect();
    let won = winners(&finish(children));
    assert_eq!(won.len(), 8);
    for id in &won {
        let text = env.read(id);
        assert!(text.contains("status = \"in_progress\""), "{text}");
        assert!(text.contains("owner = \"agent-"), "{text}");
    }
    assert_eq!(claim_refs(&env, &env.repo).len(), 8);
}

#[test]
fn sixteen_claimers_of_four_tasks_in_two_worktrees_make_four_winners() {
    let env = with_ready(4);
    let linked = linked_worktree(&env);
    // The worktrees have files of their own and a lock each: only the
    // shared references stand between their claimers.
    let children: Vec<Child> = (0..16)
        .map(|p| {
            let dir: &Path = if p % 2 == 0 { &env.repo } else { &linked };
            let owner = format!("agent-{p}");
            spawn(
                &env,
                dir,
                &["ready", "--claim", "--json", "--owner", &owner],
            )
        })
        .collect();
    let results = finish(children);
    let won = winners(&results);
    assert_eq!(won.len(), 4, "{results:?}");
    assert_eq!(results.iter().filter(|r| r.0 == 1).count(), 12);
    // What one worktree claimed, the other does not offer.
    for dir in [&env.repo, &linked] {
        let ready = env.task_in(dir, &["ready", "--json"]).json();
        assert_eq!(ready["tasks"].as_array().unwrap().len(), 0, "{ready}");
    }
}

#[test]
fn a_claimed_task_names_its_holder_and_a_release_gives_it_back() {
    let mut env = with_ready(2);
    let linked = linked_worktree(&env);
    env.task(&[
        "claim",
        "t0",
        "--owner",
        "bob@example.com",
        "--lease",
        "30m",
    ])
    .ok();
    assert!(env.read("t0").contains("owner = \"bob@example.com\""));
    let refused = env.task_in(&linked, &["claim", "t0"]);
    refused
        .code(1)
        .assert_stderr("t0 is claimed by bob@example.com since 2026-11-21T10:00:00Z")
        .assert_stderr("until 2026-11-21T10:30:00Z")
        .assert_stderr("git task claim t0 --force");
    // The other worktree offers only what nobody holds, and says who
    // holds the rest.
    let ready = env.task_in(&linked, &["ready"]);
    ready
        .assert_stdout("t1")
        .assert_stdout("claimed by bob@example.com until 2026-11-21T10:30:00Z");
    let json = env.task_in(&linked, &["ready", "--json"]).json();
    assert_eq!(json["claimed"][0]["task"], "t0");
    assert_eq!(json["claimed"][0]["owner"], "bob@example.com");
    assert_eq!(json["claimed"][0]["places"][0]["where"], "local");
    // The dashboard says who holds it, and does not offer it either.
    let status = env.task_in(&linked, &["status", "--json"]).json();
    assert_eq!(status["claims"][0]["owner"], "bob@example.com", "{status}");
    assert_eq!(status["ready"], serde_json::json!(["t1"]), "{status}");
    env.task_in(&linked, &["status"])
        .assert_stdout("Claimed")
        .assert_stdout("@bob@example.com until 2026-11-21T10:30:00Z");
    // Nor does `start` take it from under its holder.
    env.task_in(&linked, &["start", "t0"])
        .code(1)
        .assert_stderr("t0 is claimed by bob@example.com");

    // Someone else cannot release it; its holder can.
    env.task(&["release", "t0"])
        .code(1)
        .assert_stderr("claimed by bob@example.com");
    env.task(&["release", "t0", "--owner", "bob@example.com"])
        .ok();
    let text = env.read("t0");
    assert!(
        !text.contains("status") && !text.contains("owner"),
        "{text}"
    );
    assert!(claim_refs(&env, &env.repo).is_empty());

    // An expired lease is taken over; `done` releases the claim.
    env.task(&["claim", "t1", "--owner", "bob@example.com", "--lease", "1m"])
        .ok();
    env.at("2026-11-21T10:05:00Z");
    let taken = env.task_in(&linked, &["claim", "t1", "--json"]);
    let json = taken.json();
    assert_eq!(json["claim"]["owner"], "ana@example.com");
    assert_eq!(json["took_over"]["owner"], "bob@example.com");
    env.task_in(&linked, &["done", "t1"]).ok();
    // The completion is on the linked worktree's branch only: until it is
    // merged, the claim's record keeps the other worktree (where bob's
    // expired claim left it in progress) from taking the task again.
    assert_eq!(claim_refs(&env, &env.repo), ["refs/tasks/claims/t1"]);
    let json = env.task(&["ready", "--json"]).json();
    assert_eq!(json["tasks"][0]["id"], "t0", "{json}");
    assert_eq!(json["tasks"].as_array().unwrap().len(), 1, "{json}");
    env.task(&["claim", "t1"])
        .code(1)
        .assert_stderr("t1 was completed by ana@example.com at 2026-11-21T10:05:00Z")
        .assert_stderr("not merged here yet");
    // `release --force` drops the record, for work that was abandoned.
    env.task(&["release", "t1", "--force"]).ok();
    assert!(claim_refs(&env, &env.repo).is_empty());
}

#[test]
fn a_holder_renews_and_an_expired_holder_is_taken_over_in_its_own_worktree() {
    let mut env = with_ready(2);
    env.task(&[
        "claim",
        "t0",
        "--owner",
        "Bob <bob@example.com>",
        "--lease",
        "10m",
    ])
    .ok();
    // Renewing is the holder's: a new lease from now, never someone
    // else's claim.
    env.at("2026-11-21T10:05:00Z");
    let renewed = env.task(&[
        "claim",
        "t0",
        "--renew",
        "--owner",
        "Bob <bob@example.com>",
        "--lease",
        "1h",
        "--json",
    ]);
    assert_eq!(renewed.json()["claim"]["until"], "2026-11-21T11:05:00Z");
    env.task(&["claim", "t0", "--renew"])
        .code(1)
        .assert_stderr("t0 is claimed by Bob <bob@example.com>");
    // Past the lease the task is taken over here too, though its file
    // still says who had it.
    env.at("2026-11-21T12:00:00Z");
    let taken = env.task(&["claim", "t0", "--json"]).json();
    assert_eq!(taken["took_over"]["owner"], "Bob <bob@example.com>");
    assert!(env.read("t0").contains("owner = \"ana@example.com\""));
    // Someone who started a task without a claim keeps it from `release`.
    env.task(&["start", "t1", "--owner", "carol@example.com"])
        .ok();
    env.task(&["release", "t1", "--owner", "dave@example.com"])
        .code(1)
        .assert_stderr("held by carol@example.com");
}

#[test]
fn a_blocked_or_finished_task_is_not_claimed() {
    let env = with_ready(1);
    env.add(&["later", "--id", "later", "--after", "t0"]);
    env.task(&["claim", "later"])
        .code(1)
        .assert_stderr("later is blocked");
    assert!(claim_refs(&env, &env.repo).is_empty());
    env.task(&["done", "t0"]).ok();
    env.task(&["claim", "t0"])
        .code(1)
        .assert_stderr("t0 is completed");
    env.task(&["claim", "nope"]).code(2);
    env.task(&["claim", "--lease", "2 weeks"])
        .code(2)
        .assert_stderr("not a lease");
    // With nothing left, the refusal says so.
    env.task(&["ready", "--claim"]).ok();
    env.task(&["ready", "--claim"])
        .code(1)
        .assert_stderr("no ready task is free to claim");
    env.task(&["ready", "--owner", "x"])
        .code(2)
        .assert_stderr("add --claim");
}

/// A bare remote with the tasks, and `n` clones of it with
/// `[claims] remote = "origin"`.
fn clones(n: usize, tasks: usize) -> (TestEnv, Vec<PathBuf>) {
    let env = with_ready(tasks);
    let config = env.tasks_dir().join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[claims]\nremote = \"origin\"\n");
    std::fs::write(&config, text).unwrap();
    env.git(&["commit", "-q", "-am", "claims on origin"]).ok();
    let remote = env.bare_remote();
    env.git(&["push", "-q", "origin", "main"]).ok();
    let clones = (0..n).map(|c| env.clone_of(&remote, c)).collect();
    (env, clones)
}

fn remote_claims(env: &TestEnv) -> Vec<String> {
    let remote = env.dir.path().join("remote.git");
    let out = env
        .command("git")
        .current_dir(&remote)
        .args(["for-each-ref", "--format=%(refname)", "refs/tasks/claims/"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn four_clones_racing_through_one_remote_hold_no_task_twice() {
    let (env, clones) = clones(4, 8);
    let children: Vec<Child> = (0..16)
        .map(|p| {
            let owner = format!("agent-{p}");
            spawn(
                &env,
                &clones[p % 4],
                &["ready", "--claim", "--json", "--owner", &owner],
            )
        })
        .collect();
    let results = finish(children);
    let won = winners(&results);
    assert_eq!(won.len(), 8, "{results:?}");
    assert_eq!(remote_claims(&env).len(), 8);
    // After their next `ready`, every clone sees every claim: what it
    // did not take itself is listed as claimed, nothing is offered.
    for clone in &clones {
        let json = env.task_in(clone, &["ready", "--json"]).json();
        assert_eq!(json["tasks"].as_array().unwrap().len(), 0, "{json}");
        let here: usize = (0..8)
            .filter(|i| {
                std::fs::read_to_string(clone.join(format!(".tasks/t{i}.toml")))
                    .unwrap()
                    .contains("in_progress")
            })
            .count();
        assert_eq!(
            json["claimed"].as_array().unwrap().len() + here,
            8,
            "{json}"
        );
    }
}

#[test]
fn an_expired_remote_claim_is_taken_over_exactly_once() {
    let (mut env, clones) = clones(4, 1);
    env.task_in(
        &clones[0],
        &[
            "claim",
            "t0",
            "--owner",
            "gone@example.com",
            "--lease",
            "1m",
        ],
    )
    .ok();
    // Before the lease ends, every other clone is refused.
    let refused = env.task_in(&clones[1], &["claim", "t0"]);
    refused
        .code(1)
        .assert_stderr("claimed by gone@example.com")
        .assert_stderr("recorded on origin");
    env.at("2026-11-21T10:02:00Z");
    let children: Vec<Child> = (0..12)
        .map(|p| {
            let owner = format!("agent-{p}");
            spawn(
                &env,
                &clones[1 + p % 3],
                &["claim", "t0", "--json", "--owner", &owner],
            )
        })
        .collect();
    let results = finish(children);
    let won = winners(&results);
    assert_eq!(won, ["t0"], "{results:?}");
    let winner = results.iter().find(|r| r.0 == 0).unwrap();
    let json: serde_json::Value = serde_json::from_str(&winner.1).unwrap();
    assert_eq!(json["took_over"]["owner"], "gone@example.com");
    // The takeover's record continues the expired one.
    let remote = env.dir.path().join("remote.git");
    let log = run(env.command("git").current_dir(&remote).args([
        "log",
        "--format=%s",
        "refs/tasks/claims/t0",
    ]));
    let subjects: Vec<&str> = log.ok().lines().collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(subjects[1].contains("gone@example.com"));

    // `done` in the winner's clone removes the claim from the remote.
    let clone = clones[1..]
        .iter()
        .find(|c| {
            std::fs::read_to_string(c.join(".tasks/t0.toml"))
                .unwrap()
                .contains("in_progress")
        })
        .expect("the winner's clone");
    env.task_in(clone, &["done", "t0"]).ok();
    // The remote's claim ends in the record of the completion, which no
    // clone that has not merged it takes again.
    let log = run(env.command("git").current_dir(&remote).args([
        "log",
        "-1",
        "--format=%s",
        "refs/tasks/claims/t0",
    ]));
    assert!(log.ok().starts_with("completed t0"), "{}", log.stdout);
    env.task_in(&clones[0], &["claim", "t0"])
        .code(1)
        .assert_stderr("t0 was completed");
}

#[test]
fn offline_or_refused_by_the_host_claims_nothing() {
    let (env, clones) = clones(1, 1);
    let clone = &clones[0];
    let before = std::fs::read_to_string(clone.join(".tasks/t0.toml")).unwrap();
    env.task_in(clone, &["claim", "t0", "--remote", "nowhere"])
        .code(2)
        .assert_stderr("git fetch nowhere failed")
        .assert_stderr("claim without --remote");
    // A host that takes no references outside branches and tags.
    let hook = env.dir.path().join("remote.git/hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\nwhile read old new ref; do case $ref in refs/tasks/*) echo no custom refs >&2; exit 1;; esac; done\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    env.task_in(clone, &["claim", "t0"])
        .code(2)
        .assert_stderr("origin refused refs/tasks/claims/t0");
    assert_eq!(
        std::fs::read_to_string(clone.join(".tasks/t0.toml")).unwrap(),
        before
    );
    assert!(claim_refs(&env, clone).is_empty());
    // Claiming in this repository only still works.
    env.task_in(clone, &["claim", "t0", "--local"]).ok();
    assert_eq!(claim_refs(&env, clone), ["refs/tasks/claims/t0"]);
    env.task_in(clone, &["release", "t0"]).ok();
    std::fs::remove_file(&hook).unwrap();
    // A lock a killed process left on the remote is no race lost: the
    // claim is refused with git's words, not retried for ever.
    let locks = env.dir.path().join("remote.git/refs/tasks/claims");
    std::fs::create_dir_all(&locks).unwrap();
    std::fs::write(locks.join("t0.lock"), "").unwrap();
    env.task_in(clone, &["claim", "t0"])
        .code(2)
        .assert_stderr("origin refused refs/tasks/claims/t0");
    assert!(claim_refs(&env, clone).is_empty());
}

#[test]
fn a_lock_left_on_one_claim_does_not_stop_the_others() {
    let env = with_ready(2);
    let locks = env.repo.join(".git/refs/tasks/claims");
    std::fs::create_dir_all(&locks).unwrap();
    std::fs::write(locks.join("t0.lock"), "").unwrap();
    let taken = env.task(&["ready", "--claim", "--json"]);
    assert_eq!(taken.json()["task"]["id"], "t1");
    env.task(&["ready", "--claim"])
        .code(2)
        .assert_stderr("refs/tasks/claims/t0");
}
