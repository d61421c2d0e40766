//! The life of a task from the command line: when work started, the
//! estimate grammar, gates that are waived and unwaived, what `done`
//! releases, renaming, and the small rules of reopen, labels and notes.

mod common;

use common::TestEnv;

/// Stages everything and commits it at `date`.
fn commit(env: &TestEnv, date: &str, message: &str) {
    let run = |args: &[&str]| {
        let out = env
            .command("git")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .args(args)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["add", "-A"]);
    run(&["commit", "-q", "--no-verify", "-m", message]);
}

#[test]
fn start_records_when_work_started_and_reopen_and_reset_clear_it() {
    let mut env = TestEnv::new();
    env.at("2026-11-01T09:00:00Z");
    env.add(&["Migrate the database", "--id", "migrate", "-e", "2h"]);
    env.at("2026-11-21T10:15:00Z");
    env.task(&["start", "migrate"]).ok();
    let text = env.read("migrate");
    assert!(
        text.contains("created = 2026-11-01T09:00:00")
            && text.contains("\nstarted = 2026-11-21T10:15:00Z\n"),
        "{text}"
    );
    // In the order of the file format: created, started, then closed.
    let created = text.find("created =").unwrap();
    let started = text.find("started =").unwrap();
    assert!(created < started, "{text}");

    let shown = env.task(&["show", "migrate"]).ok().to_owned();
    assert!(
        shown.contains("\nstarted     2026-11-21T10:15:00Z\n"),
        "{shown}"
    );
    let json = env.task(&["show", "migrate", "--json"]).json();
    assert_eq!(json["task"]["started"], "2026-11-21T10:15:00Z");

    // Starting it again as its holder keeps the time; a take-over starts anew.
    env.at("2026-11-21T11:00:00Z");
    env.task(&["start", "migrate"]).ok();
    assert!(
        env.read("migrate")
            .contains("started = 2026-11-21T10:15:00Z")
    );
    env.task(&["start", "migrate", "--owner", "bo@example.com", "--force"])
        .ok();
    assert!(
        env.read("migrate")
            .contains("started = 2026-11-21T11:00:00Z")
    );

    env.task(&["reopen", "migrate"]).ok();
    assert!(
        !env.read("migrate").contains("started"),
        "{}",
        env.read("migrate")
    );
    let json = env.task(&["show", "migrate", "--json"]).json();
    assert!(json["task"]["started"].is_null());

    env.task(&["start", "migrate"]).ok();
    env.task(&["done", "migrate"]).ok();
    // A completed task keeps when its work started, next to when it closed.
    let text = env.read("migrate");
    assert!(
        text.contains("started =") && text.contains("closed ="),
        "{text}"
    );
    env.task(&["reset", "migrate"]).ok();
    let text = env.read("migrate");
    assert!(
        !text.contains("started") && !text.contains("closed"),
        "{text}"
    );

    // edit --status does what start and reopen do.
    env.task(&["edit", "migrate", "--status", "in_progress"])
        .ok();
    assert!(
        env.read("migrate")
            .contains("started = 2026-11-21T11:00:00Z")
    );
    env.task(&["edit", "migrate", "--status", "pending"]).ok();
    assert!(!env.read("migrate").contains("started"));
}

#[test]
fn a_task_is_stale_from_the_later_of_its_start_and_its_last_note() {
    let mut env = TestEnv::new();
    env.at("2026-10-01T09:00:00Z");
    env.add(&[
        "Migrate the database",
        "--id",
        "migrate",
        "-d",
        "Copy every table to the new schema and check the row counts",
    ]);
    // Created seven weeks ago, started today: not stale.
    env.at("2026-11-21T10:00:00Z");
    env.task(&["start", "migrate"]).ok();
    let lint = env.task(&["lint"]);
    assert!(
        !lint.stdout.contains("stale") && !lint.stderr.contains("stale"),
        "{}{}",
        lint.stdout,
        lint.stderr
    );
    // Three weeks later with no note: stale since the start.
    env.at("2026-12-12T10:00:00Z");
    let json = env.task(&["lint", "--json"]).json();
    let said = json.to_string();
    assert!(
        said.contains("has been in progress since 2026-11-21 with no note"),
        "{said}"
    );
    // A note today: fresh again. Three weeks after it: stale since the note.
    env.task(&["note", "migrate", "half the tables copied"])
        .ok();
    let said = env.task(&["lint", "--json"]).json().to_string();
    assert!(!said.contains("stale-in-progress"), "{said}");
    env.at("2027-01-04T10:00:00Z");
    let said = env.task(&["lint", "--json"]).json().to_string();
    assert!(
        said.contains("has been in progress with no note since 2026-12-12"),
        "{said}"
    );
}

#[test]
fn log_shows_when_started_is_set_and_cleared() {
    let env = TestEnv::new();
    env.add(&["Migrate the database", "--id", "migrate"]);
    commit(&env, "2026-11-21T09:00:00Z", "Plan");
    env.task(&["start", "migrate"]).ok();
    commit(&env, "2026-11-21T10:00:00Z", "Start");
    env.task(&["reopen", "migrate"]).ok();
    commit(&env, "2026-11-21T11:00:00Z", "Reopen");
    let log = env.task(&["log", "migrate"]).ok().to_owned();
    assert!(
        log.contains("started 2026-11-21T10:00:00Z → (none)"),
        "{log}"
    );
    assert!(
        log.contains("started (none) → 2026-11-21T10:00:00Z"),
        "{log}"
    );
    let json = env.task(&["log", "migrate", "--json"]).json().to_string();
    assert!(
        json.contains(r#""field":"started","from":null,"to":"2026-11-21T10:00:00Z""#),
        "{json}"
    );
}

#[test]
fn a_started_time_that_is_not_a_time_is_an_error_at_its_line() {
    let env = TestEnv::new();
    env.write("broken", "subject = \"Broken\"\nstarted = \"yesterday\"\n");
    let run = env.task(&["show", "broken"]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("broken.toml:2"), "{}", run.stderr);
}

#[test]
fn estimates_take_what_the_tool_prints() {
    let env = TestEnv::new();
    for (text, minutes) in [
        ("1d 4h", 720),
        ("1h30m", 90),
        ("3d 6h 30m", 1830),
        ("0m", 0),
    ] {
        let id = env.add(&["Some work", "--estimate", text]);
        let json = env.task(&["show", &id, "--json"]).json();
        assert_eq!(json["task"]["estimate_minutes"], minutes, "{text}");
        assert_eq!(json["task"]["estimate"], text);
    }
    let run = env.task(&["add", "Tiny", "--estimate", "0.1m"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("rounds to no work"), "{}", run.stderr);
    let run = env.task(&["add", "Backwards", "--estimate", "30m 1h"]);
    assert!(run.stderr.contains("largest first"), "{}", run.stderr);

    let help = env.task(&["add", "--help"]).ok().to_owned();
    assert!(help.contains("1d 4h, 1h30m"), "{help}");
    assert!(help.contains("0m means no work"), "{help}");
}
