//! The life of a task from the command line: when work started, the
//! estimate grammar, gates that are waived and unwaived, what `done`
//! releases, renaming, and the small rules of reopen, labels and notes.

use crate::common;

use common::TestEnv;

/// Stages everything and commits it at `date`.
fn commit(env: &TestEnv, date: &str, message: &str) {
    env.commit_at(&env.repo, date, message);
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
    assert!(help.contains("0m is no work"), "{help}");
    // The error states the grammar the help does.
    let run = env.task(&["add", "Bad", "--estimate", "soon"]);
    assert!(
        run.stderr
            .contains("1d 4h, 1h30m (1d = 8h, 1w = 5d); whole minutes: 0m is no work"),
        "{}",
        run.stderr
    );
}

/// build → release (a gate with one criterion) → deploy.
fn pipeline() -> TestEnv {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build"]);
    env.add(&[
        "Release",
        "--id",
        "release",
        "--gate",
        "--after",
        "build",
        "--criteria",
        "signed off",
    ]);
    env.add(&["Deploy", "--id", "deploy", "--after", "release"]);
    env.add(&["Write the docs", "--id", "docs", "--after", "build"]);
    env
}

#[test]
fn reset_clears_a_waiver_and_unwaive_removes_one() {
    let env = pipeline();
    let run = env.task(&["gate", "unwaive", "release"]);
    run.code(1);
    assert!(
        run.stderr
            .contains("gate release is not waived, so there is no waiver to remove"),
        "{}",
        run.stderr
    );
    let run = env.task(&["gate", "unwaive", "build"]);
    run.code(1);
    assert!(run.stderr.contains("build is not a gate"), "{}", run.stderr);

    env.task(&["gate", "waive", "release", "--reason", "hotfix"])
        .ok();
    // Shown with its time as every other time is shown.
    env.task(&["show", "release"])
        .assert_stdout("waived      by ana@example.com at 2026-11-21T10:00:00Z: hotfix");
    let run = env.task(&["gate", "unwaive", "release"]);
    assert_eq!(run.ok(), "unwaived release \"Release\" (blocked)\n");
    assert!(
        run.stderr
            .contains("removed the waiver by ana@example.com (hotfix)"),
        "{}",
        run.stderr
    );
    assert!(!env.read("release").contains("waiver"));

    env.task(&["gate", "waive", "release", "--reason", "hotfix"])
        .ok();
    env.task(&["reopen", "release"]).ok();
    assert!(env.read("release").contains("[waiver]"), "reopen keeps it");
    env.task(&["reset", "release"]).ok();
    assert!(
        !env.read("release").contains("waiver"),
        "{}",
        env.read("release")
    );
}

#[test]
fn done_force_on_a_gate_with_unmet_criteria_warns_that_it_stays_red() {
    let env = pipeline();
    env.done("build");
    let run = env.task(&["done", "release", "--force"]);
    run.ok();
    assert!(
        run.stderr.contains(
            "warning: gate release is completed but stays red: criteria not met: 1. signed off"
        ),
        "{}",
        run.stderr
    );
    // Met, it is green: no warning.
    env.task(&["reopen", "release"]).ok();
    env.task(&["criteria", "release", "--met", "1"]).ok();
    let run = env.task(&["done", "release"]);
    assert!(!run.stderr.contains("stays red"), "{}", run.stderr);
}

#[test]
fn show_prints_a_gates_colour_for_the_branch_and_what_it_protects() {
    let env = pipeline();
    let out = env.task(&["show", "release"]).ok().to_owned();
    assert!(
        out.contains(
            "gate state  red on main, the current branch (protects main, master)\n\
             \x20           it is pending, not completed\n"
        ),
        "{out}"
    );
    let json = env.task(&["show", "release", "--json"]).json();
    let state = &json["task"]["gate_state"];
    assert_eq!(state["state"], "red");
    assert_eq!(state["branch"], "main");
    assert_eq!(state["protects_branch"], true);
    assert_eq!(state["branches"], serde_json::json!(["main", "master"]));
    assert!(
        json["task"]["gate_state"]["reasons"]
            .as_array()
            .unwrap()
            .len()
            >= 2
    );
    // A task that is not a gate has none: the key is there, null, as
    // every absent value is.
    let json = env.task(&["show", "build", "--json"]).json();
    assert_eq!(json["task"]["gate_state"], serde_json::Value::Null);
    assert!(json["task"].get("gate_state").is_some());

    env.task(&["gate", "waive", "release", "--reason", "hotfix"])
        .ok();
    env.git(&["checkout", "-q", "-b", "feature"]).ok();
    let out = env.task(&["show", "release"]).ok().to_owned();
    assert!(
        out.contains("gate state  yellow (protects main, master; not feature, the current branch)"),
        "{out}"
    );
    let json = env.task(&["show", "release", "--json"]).json();
    assert_eq!(json["task"]["gate_state"]["state"], "yellow");
    assert_eq!(json["task"]["gate_state"]["protects_branch"], false);
}

#[test]
fn done_says_what_it_made_ready() {
    let env = pipeline();
    let run = env.task(&["done", "build"]);
    assert_eq!(
        run.ok(),
        "completed build \"Build\" (completed)\nnow ready (2):\n  docs     Write the docs\n  release  Release\n"
    );
    env.task(&["criteria", "release", "--met", "1"]).ok();
    let json = env.task(&["done", "release", "--json"]).json();
    assert_eq!(json["task"]["id"], "release");
    assert_eq!(
        json["now_ready"],
        serde_json::json!([{ "id": "deploy", "subject": "Deploy" }])
    );
    // Nothing new: no list, and an empty one in JSON.
    let run = env.task(&["done", "docs"]);
    assert_eq!(run.ok(), "completed docs \"Write the docs\" (completed)\n");
    let json = env.task(&["done", "deploy", "--json"]).json();
    assert_eq!(json["now_ready"], serde_json::json!([]));
}

#[test]
fn rename_changes_the_id_and_every_reference_keeping_each_files_layout() {
    let env = pipeline();
    env.add(&["Build the parser", "--id", "parser", "--parent", "build"]);
    // A hand-written referrer, with a comment inside its array.
    env.write(
        "smoke",
        "# written by hand\nsubject = \"Smoke test\"\nblocked_by = [\n  \"build\",  # needs the binary\n  \"docs\",\n]\n",
    );
    let build_before = env.read("build");
    let run = env.task(&["rename", "build", "compile"]);
    assert_eq!(
        run.ok(),
        "renamed build to compile \"Build\" (.tasks/build.toml → .tasks/compile.toml)\n\
         \x20 docs: blocked_by build → compile\n\
         \x20 parser: parent build → compile\n\
         \x20 release: blocked_by build → compile\n\
         \x20 smoke: blocked_by build → compile\n"
    );
    assert!(!env.tasks_dir().join("build.toml").exists());
    assert_eq!(
        env.read("compile"),
        build_before,
        "the file itself is unchanged"
    );
    assert_eq!(
        env.read("smoke"),
        "# written by hand\nsubject = \"Smoke test\"\nblocked_by = [\n  \"compile\",  # needs the binary\n  \"docs\",\n]\n"
    );
    assert!(env.read("parser").contains("parent = \"compile\"\n"));
    env.task(&["check"]).ok();
    // The parent waits for its child, under its new id too.
    assert_eq!(env.ready(), ["parser"]);

    let json = env
        .task(&["rename", "compile", "build-all", "--json"])
        .json();
    assert_eq!(json["from"], "compile");
    assert_eq!(json["to"], "build-all");
    assert_eq!(json["path"], ".tasks/build-all.toml");
    assert_eq!(
        json["updated"][1],
        serde_json::json!({ "id": "parser", "fields": ["parent"] })
    );

    let run = env.task(&["rename", "docs", "Docs"]);
    run.code(2);
    assert!(
        run.stderr.contains("`Docs` is not a valid task id"),
        "{}",
        run.stderr
    );
    let run = env.task(&["rename", "docs", "release"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("a task with the id `release` already exists (.tasks/release.toml)"),
        "{}",
        run.stderr
    );
    assert!(env.tasks_dir().join("docs.toml").exists());
}

#[test]
fn rename_refuses_an_id_that_dangling_references_already_name() {
    let env = pipeline();
    // Hand-written references to a task that does not exist.
    env.write(
        "smoke",
        "subject = \"Smoke test\"\nblocked_by = [\"compile\"]\n",
    );
    env.write("lint", "subject = \"Lint\"\nparent = \"compile\"\n");
    let smoke = env.read("smoke");
    let run = env.task(&["rename", "build", "compile"]);
    run.code(2);
    assert!(
        run.stderr.contains(
            "tasks already name `compile`, which is no task: lint (parent), smoke (blocked_by)"
        ),
        "{}",
        run.stderr
    );
    assert!(env.tasks_dir().join("build.toml").exists());
    assert!(!env.tasks_dir().join("compile.toml").exists());
    assert_eq!(env.read("smoke"), smoke);
    // Another id is still fine.
    env.task(&["rename", "build", "build-all"]).ok();
}

#[test]
fn reopen_of_a_pending_task_says_so_and_changes_nothing() {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build"]);
    let before = env.read("build");
    let run = env.task(&["reopen", "build"]);
    assert_eq!(
        run.ok(),
        "build \"Build\" is already pending (pending); nothing to reopen\n"
    );
    assert_eq!(env.read("build"), before);
    env.task(&["start", "build"]).ok();
    let run = env.task(&["reopen", "build"]);
    assert_eq!(run.ok(), "reopened build \"Build\" (pending)\n");
}

#[test]
fn labels_with_whitespace_are_refused_and_linted_in_files() {
    let env = TestEnv::new();
    for bad in ["needs review", "", " ", "tab\there"] {
        let run = env.task(&["add", "Build", "--label", bad]);
        run.code(2);
        assert!(
            run.stderr.contains("has whitespace in it") || run.stderr.contains("must not be empty"),
            "{bad:?}: {}",
            run.stderr
        );
    }
    let run = env.task(&["add", "Build", "--label", "needs review"]);
    assert!(
        run.stderr
            .contains("the label `needs review` has whitespace in it; a label is one word, like `needs-review`"),
        "{}",
        run.stderr
    );
    env.add(&["Build", "--id", "build", "--label", "ci"]);
    env.task(&["edit", "build", "--label", "two words"]).code(2);
    assert!(!env.read("build").contains("two words"));

    // A file that has one still reads (check passes); lint points at it.
    env.write(
        "old",
        "subject = \"Old\"\ndescription = \"Work from before labels were checked, kept as it was\"\nlabels = [\"needs review\"]\n",
    );
    env.task(&["check"]).ok();
    let lint = env.task(&["lint"]);
    let said = format!("{}{}", lint.stdout, lint.stderr);
    assert!(
        said.contains(
            ".tasks/old.toml:3:1: `old` \"Old\": the label `needs review` has whitespace in it"
        ),
        "{said}"
    );
    assert!(
        said.contains("git task edit old --unlabel 'needs review' --label needs-review"),
        "{said}"
    );
    env.task(&[
        "edit",
        "old",
        "--unlabel",
        "needs review",
        "--label",
        "needs-review",
    ])
    .ok();
    assert!(env.read("old").contains("labels = [\"needs-review\"]"));
}

#[test]
fn note_and_start_both_refuse_without_an_identity() {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build"]);
    env.git(&["config", "--unset", "user.email"]).ok();
    let run = env.task(&["note", "build", "half done"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("who writes the note? pass --by, or set `git config user.email`"),
        "{}",
        run.stderr
    );
    assert!(!env.read("build").contains("notes"));
    let run = env.task(&["start", "build"]);
    run.code(2);
    assert!(run.stderr.contains("pass --owner"), "{}", run.stderr);
    // Said who, both go ahead.
    env.task(&["note", "build", "half done", "--by", "bo@example.com"])
        .ok();
    assert!(env.read("build").contains("by = \"bo@example.com\""));
    env.task(&["start", "build", "--owner", "bo@example.com"])
        .ok();
}

#[test]
fn a_task_taken_away_while_verify_runs_is_an_error_not_a_crash() {
    let env = TestEnv::new();
    env.add(&["Gone", "--id", "gone", "--verify", "rm .tasks/gone.toml"]);
    let run = env.task(&["done", "gone"]);
    run.code(2).assert_stderr("no task has the id `gone`");
}

#[test]
fn a_takeover_by_edit_starts_the_clock_anew_as_start_does() {
    let mut env = TestEnv::new();
    env.add(&["Port", "--id", "port"]);
    env.at("2026-11-21T09:00:00Z");
    env.task(&["start", "port"]).ok();
    env.at("2026-11-22T09:00:00Z");
    env.task(&["edit", "port", "--owner", "bo@example.com"])
        .ok();
    assert!(env.read("port").contains("started = 2026-11-22T09:00:00Z"));
    // The same holder going on keeps it; back to pending clears it.
    env.at("2026-11-23T09:00:00Z");
    env.task(&["edit", "port", "--status", "in_progress"]).ok();
    assert!(env.read("port").contains("started = 2026-11-22T09:00:00Z"));
    env.task(&["edit", "port", "--status", "pending"]).ok();
    assert!(!env.read("port").contains("started"));
}
