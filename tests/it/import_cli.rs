//! `git task export` and `git task import` of git-task's own JSON Lines:
//! an exact round trip, a re-import that writes nothing, and a bad line
//! that changes nothing and is named.

use crate::common::TestEnv;

/// A repository with tasks that use every field.
fn rich() -> TestEnv {
    let env = TestEnv::git_repo();
    env.task(&["init"]).code(0);
    for args in [
        &[
            "add", "Ship it", "--id", "ship", "--kind", "epic", "-p", "high",
        ][..],
        &[
            "add",
            "Back up",
            "--id",
            "backup",
            "--parent",
            "ship",
            "-e",
            "2h",
            "-l",
            "db",
            "--due",
            "2026-12-24",
            "--owner",
            "ana@example.com",
        ],
        &[
            "add",
            "Migrate",
            "--id",
            "migrate",
            "--after",
            "backup",
            "--criteria",
            "schema 42",
            "--criteria",
            "no downtime",
            "--verify",
            "true",
            "-d",
            "Two lines\nof detail",
        ],
        &[
            "add", "Release", "--id", "release", "--gate", "--after", "migrate",
        ],
        &["add", "Tag", "--id", "tag", "--gate-branch", "release/*"],
        &["start", "backup"],
        &["note", "backup", "halfway there"],
        &["criteria", "migrate", "--met", "1"],
        &["gate", "waive", "release", "--reason", "hotfix"],
        &["cancel", "tag"],
    ] {
        env.task(args).code(0);
    }
    env.write(
        "odd",
        "subject = \"Odd one\"\nblocked_by = [\"ghost\"]\n\n[meta]\nsprint = 3\nwhen = 2026-11-01\nnested = { a = [1, 2] }\n",
    );
    env
}

#[test]
fn export_then_import_into_an_empty_repository_is_exact() {
    let from = rich();
    let first = from.task(&["export"]);
    first.code(0);
    assert_eq!(first.stdout.lines().count(), 6, "{}", first.stdout);
    // One task per line, in id order, version first.
    let ids: Vec<String> = first
        .stdout
        .lines()
        .map(|l| {
            assert!(l.starts_with("{\"version\":1,\"id\":"), "{l}");
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["backup", "migrate", "odd", "release", "ship", "tag"]);

    let to = TestEnv::git_repo();
    to.task(&["init"]).code(0);
    let file = to.dir.path().join("tasks.jsonl");
    std::fs::write(&file, &first.stdout).unwrap();
    let file = file.to_str().unwrap();
    to.task(&["import", file])
        .code(0)
        .assert_stdout("imported 6 tasks and 4 edges from")
        .assert_stdout("6 created, 0 updated, 0 unchanged");
    let second = to.task(&["export"]);
    second.code(0);
    assert_eq!(second.stdout, first.stdout);
    // The files read back as the same tasks: every one the same bytes but
    // for `[meta]`, whose date came through JSON as its text.
    for id in ["backup", "migrate", "release", "ship", "tag"] {
        assert_eq!(to.read(id), from.read(id), "{id}");
    }
    assert!(
        to.read("odd").contains("when = \"2026-11-01\""),
        "{}",
        to.read("odd")
    );

    // Imported again, nothing is written.
    let before = to.files_and_times();
    to.task(&["import", file])
        .code(0)
        .assert_stdout("0 created, 0 updated, 6 unchanged");
    assert_eq!(to.files_and_times(), before);
}

#[test]
fn importing_its_own_export_changes_nothing_and_keeps_meta_dates() {
    let env = rich();
    let export = env.task(&["export", "-o", "../out.jsonl"]);
    export.code(0);
    assert_eq!(export.stdout, "");
    let file = env.dir.path().join("out.jsonl");
    let before = env.files_and_times();
    env.task(&["import", file.to_str().unwrap()])
        .code(0)
        .assert_stdout("0 created, 0 updated, 6 unchanged");
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn an_import_brings_a_changed_task_back_to_the_export() {
    let env = rich();
    let export = env.task(&["export"]).stdout.clone();
    let file = env.dir.path().join("tasks.jsonl");
    std::fs::write(&file, &export).unwrap();
    env.task(&["edit", "ship", "--subject", "Ship it later"])
        .code(0);
    env.task(&["rm", "release", "--force"]).code(0);
    let dry = env.task(&["import", file.to_str().unwrap(), "--dry-run"]);
    dry.code(0)
        .assert_stdout("1 created, 1 updated, 4 unchanged")
        .assert_stdout("~ ship");
    assert!(env.read("ship").contains("Ship it later"));
    env.task(&["import", file.to_str().unwrap()]).code(0);
    assert_eq!(env.task(&["export"]).stdout, export);
}

#[test]
fn a_bad_line_changes_nothing_and_is_named() {
    let env = rich();
    let export = env.task(&["export"]).stdout.clone();
    let mut lines: Vec<String> = export.lines().map(str::to_owned).collect();
    lines[0] = lines[0].replace("Back up", "Backed up");
    lines[3] = lines[3].replace("\"status\":\"pending\"", "\"status\":\"done\"");
    let file = env.dir.path().join("bad.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let before = env.files_and_times();
    let run = env.task(&["import", file.to_str().unwrap()]);
    run.code(2)
        .assert_stderr("bad.jsonl:4:")
        .assert_stderr("status");
    assert_eq!(env.files_and_times(), before);

    std::fs::write(&file, "{\"version\":1,\"id\":\"x\",\n").unwrap();
    env.task(&["import", file.to_str().unwrap()])
        .code(2)
        .assert_stderr("bad.jsonl:1:");
    std::fs::write(&file, "{\"version\":1,\"id\":\"../x\",\"subject\":\"X\"}\n").unwrap();
    env.task(&["import", file.to_str().unwrap()])
        .code(2)
        .assert_stderr("bad.jsonl:1:");
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn an_import_that_would_close_a_cycle_is_refused() {
    let env = rich();
    let line =
        "{\"version\":1,\"id\":\"backup\",\"subject\":\"Back up\",\"blocked_by\":[\"migrate\"]}\n";
    let file = env.dir.path().join("cycle.jsonl");
    std::fs::write(&file, line).unwrap();
    let before = env.files_and_times();
    env.task(&["import", file.to_str().unwrap()])
        .code(1)
        .assert_stderr("cycle");
    assert_eq!(env.files_and_times(), before);
}

#[test]
fn export_refuses_when_a_task_file_does_not_read() {
    let env = rich();
    env.write("broken", "subject = \n");
    env.task(&["export"]).code(2).assert_stderr("broken.toml");
}

#[test]
fn import_reads_standard_input() {
    let from = rich();
    let export = from.task(&["export"]).stdout.clone();
    let to = TestEnv::git_repo();
    to.task(&["init"]).code(0);
    let run = to.task_with_stdin(&["import", "-", "--json"], export.as_bytes());
    run.ok();
    let json = run.json();
    assert_eq!(json["from"], "git-task");
    assert_eq!(json["created"], 6);
    assert_eq!(json["edges"], 4);
    assert_eq!(to.task(&["export"]).stdout, export);
}

#[test]
fn marker_like_lines_and_floats_json_cannot_hold_come_back() {
    let from = TestEnv::git_repo();
    from.task(&["init"]).code(0);
    // Stored escaped, as git-task writes such text: the file has no line
    // a merge would take for its own markers.
    from.write(
        "odd",
        "subject = \"Odd\"\ndescription = \"a\\n<<<<<<< HEAD\\n=======\\n>>>>>>> x\\nb\"\n\n[meta]\nx = nan\ny = -inf\nlog = \"x\\n<<<<<<< HEAD\\ny\"\n",
    );
    from.task(&["check"]).code(0);
    let export = from.task(&["export"]);
    export.code(0).assert_stdout("\"x\":\"nan\"");
    let file = from.dir.path().join("odd.jsonl");
    std::fs::write(&file, &export.stdout).unwrap();
    let file = file.to_str().unwrap();
    // Into the repository it came from: nothing changes, NaN stays NaN.
    let before = from.files_and_times();
    from.task(&["import", file])
        .code(0)
        .assert_stdout("0 created, 0 updated, 1 unchanged");
    assert_eq!(from.files_and_times(), before);
    // Into an empty one: the same export again, and a file `check` takes.
    let to = TestEnv::git_repo();
    to.task(&["init"]).code(0);
    to.task(&["import", file]).code(0);
    to.task(&["check"]).code(0);
    assert_eq!(to.task(&["export"]).stdout, export.stdout);
    assert!(!to.read("odd").lines().any(|l| l.starts_with("<<<<<<<")));
}
