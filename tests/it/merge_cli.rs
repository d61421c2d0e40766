//! The merge driver with the real git: two branches made from one base,
//! merged with `git merge`, with the driver registered by `init`.

use crate::common;

use common::{Run, TestEnv};

/// A repository whose first commit holds what `setup` made, with a branch
/// `feature` at that commit and `main` checked out.
fn branched(setup: impl FnOnce(&mut TestEnv)) -> TestEnv {
    let mut env = TestEnv::new();
    setup(&mut env);
    commit(&env, "base");
    env.git(&["branch", "feature"]).ok();
    env
}

fn commit(env: &TestEnv, message: &str) {
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", message]).ok();
}

/// Makes a commit on `feature` with what `change` does, and goes back to
/// main.
fn on_feature(env: &mut TestEnv, change: impl FnOnce(&mut TestEnv)) {
    env.git(&["checkout", "-q", "feature"]).ok();
    change(env);
    commit(env, "on feature");
    env.git(&["checkout", "-q", "main"]).ok();
}

fn on_main(env: &mut TestEnv, change: impl FnOnce(&mut TestEnv)) {
    change(env);
    commit(env, "on main");
}

fn merge_feature(env: &TestEnv) -> Run {
    env.git(&["merge", "--no-edit", "feature"])
}

fn task_json(env: &TestEnv, id: &str) -> serde_json::Value {
    env.task(&["show", id, "--json"]).json()["task"].clone()
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

/// `git status --porcelain`: what is unmerged shows as `UU` or `AA`.
fn porcelain(env: &TestEnv) -> String {
    env.git(&["status", "--porcelain"]).ok().to_owned()
}

// ---------------------------------------------------------------------------
// Clean merges.

#[test]
fn a_task_completed_on_one_branch_and_described_on_the_other_keeps_both() {
    let mut env = branched(|env| {
        env.add(&["Ship it", "--id", "ship", "--description", "Old words."]);
    });
    on_feature(&mut env, |env| {
        env.at("2026-11-22T09:00:00Z");
        env.task(&["start", "ship"]).ok();
        env.at("2026-11-22T17:00:00Z");
        env.done("ship");
    });
    on_main(&mut env, |env| {
        env.task(&["edit", "ship", "--description", "New words."])
            .ok();
    });

    let run = merge_feature(&env);
    run.ok();
    assert!(!run.stderr.contains("conflict"), "{}", run.stderr);
    assert_eq!(porcelain(&env), "");
    let task = task_json(&env, "ship");
    assert_eq!(task["status"], "completed");
    assert_eq!(task["closed"], "2026-11-22T17:00:00Z");
    assert_eq!(task["owner"], "ana@example.com");
    assert_eq!(task["description"], "New words.");
    env.task(&["check"]).ok();
}

#[test]
fn a_clean_merge_changes_only_the_lines_that_changed() {
    const HAND_WRITTEN: &str = r#"# Written by hand, in my own order.
subject   = "Ship it"     # the headline
description = """
Keep this layout.
"""
labels = [
    "release",  # why it matters
]

[[notes]]
at = 2026-11-20T09:00:00Z
text = "planned"
"#;
    let mut env = branched(|env| env.write("ship", HAND_WRITTEN));
    on_feature(&mut env, |env| {
        env.task(&["start", "ship"]).ok();
    });
    on_main(&mut env, |env| {
        env.task(&["edit", "ship", "--subject", "Ship it now"]).ok();
    });
    let ours = env.read("ship");

    merge_feature(&env).ok();
    let merged = env.read("ship");
    // Ours as it was, with theirs' three new lines (status, owner and
    // started) and not one other line touched.
    let numstat = env
        .git(&[
            "diff",
            "--numstat",
            "HEAD^1",
            "HEAD",
            "--",
            ".tasks/ship.toml",
        ])
        .ok()
        .to_owned();
    assert_eq!(numstat, "3\t0\t.tasks/ship.toml\n", "{merged}");
    let kept: Vec<&str> = merged
        .lines()
        .filter(|l| {
            !l.starts_with("status =") && !l.starts_with("owner =") && !l.starts_with("started =")
        })
        .collect();
    assert_eq!(kept, ours.lines().collect::<Vec<_>>());
    assert!(merged.contains("status = \"in_progress\"\n"), "{merged}");
    assert!(merged.contains("owner = \"ana@example.com\"\n"), "{merged}");
    assert!(
        merged.contains("subject   = \"Ship it now\"     # the headline\n"),
        "{merged}"
    );
}

#[test]
fn blockers_added_on_both_branches_are_both_kept() {
    let mut env = branched(|env| {
        for id in ["a", "b", "c", "t"] {
            env.add(&[&id.to_uppercase(), "--id", id]);
        }
        env.task(&["dep", "add", "t", "a"]).ok();
    });
    on_feature(&mut env, |env| {
        env.task(&["dep", "add", "t", "b"]).ok();
    });
    on_main(&mut env, |env| {
        env.task(&["dep", "add", "t", "c"]).ok();
    });

    merge_feature(&env).ok();
    assert_eq!(porcelain(&env), "");
    // Ours' order, then what theirs added.
    assert_eq!(
        strings(&task_json(&env, "t")["blocked_by"]),
        ["a", "c", "b"]
    );
    assert!(
        env.read("t")
            .contains("blocked_by = [\"a\", \"c\", \"b\"]\n"),
        "{}",
        env.read("t")
    );
}

#[test]
fn blockers_removed_on_both_branches_are_both_gone() {
    let mut env = branched(|env| {
        for id in ["a", "b", "c", "t"] {
            env.add(&[&id.to_uppercase(), "--id", id]);
        }
        env.task(&["dep", "add", "t", "a", "b", "c"]).ok();
    });
    on_feature(&mut env, |env| {
        env.task(&["dep", "rm", "t", "a"]).ok();
    });
    on_main(&mut env, |env| {
        env.task(&["dep", "rm", "t", "b"]).ok();
    });

    merge_feature(&env).ok();
    assert_eq!(porcelain(&env), "");
    assert_eq!(strings(&task_json(&env, "t")["blocked_by"]), ["c"]);
}

#[test]
fn notes_from_both_branches_are_the_union_in_time_order() {
    let mut env = branched(|env| {
        env.add(&["Migrate", "--id", "m"]);
        env.at("2026-11-21T09:00:00Z");
        env.task(&["note", "m", "planned"]).ok();
    });
    // Theirs' note is earlier than ours': it goes first, not after ours.
    on_feature(&mut env, |env| {
        env.at("2026-11-21T11:00:00Z");
        env.task(&["note", "m", "ran on staging"]).ok();
    });
    on_main(&mut env, |env| {
        env.at("2026-11-21T12:00:00Z");
        env.task(&["note", "m", "ran in production"]).ok();
    });

    merge_feature(&env).ok();
    assert_eq!(porcelain(&env), "");
    let notes = task_json(&env, "m")["notes"].clone();
    let texts: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["planned", "ran on staging", "ran in production"]);
}

#[test]
fn criteria_merge_one_by_one() {
    let mut env = branched(|env| {
        env.add(&[
            "Release",
            "--id",
            "r",
            "--criteria",
            "changelog written",
            "--criteria",
            "tag pushed",
        ]);
    });
    on_feature(&mut env, |env| {
        env.task(&["criteria", "r", "--met", "1"]).ok();
    });
    on_main(&mut env, |env| {
        env.task(&["criteria", "r", "--met", "2"]).ok();
        env.task(&["criteria", "r", "--add", "docs published"]).ok();
    });

    merge_feature(&env).ok();
    let criteria = task_json(&env, "r")["criteria"].clone();
    let got: Vec<(&str, bool)> = criteria
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["text"].as_str().unwrap(), c["met"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("changelog written", true),
            ("tag pushed", true),
            ("docs published", false)
        ]
    );
}

// ---------------------------------------------------------------------------
// Conflicts.

#[test]
fn a_subject_changed_two_ways_is_a_conflict_git_reports_and_check_finds() {
    let mut env = branched(|env| {
        env.write("ship", "# Release work\nsubject = \"Ship it\"\n");
    });
    on_feature(&mut env, |env| {
        env.task(&["edit", "ship", "--subject", "Ship it later"])
            .ok();
        env.task(&["edit", "ship", "--owner", "bo@example.com"])
            .ok();
    });
    on_main(&mut env, |env| {
        env.task(&["edit", "ship", "--subject", "Ship it now"]).ok();
    });

    let run = merge_feature(&env);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("CONFLICT (content): Merge conflict in .tasks/ship.toml"),
        "{said}"
    );
    assert!(
        said.contains(
            "conflict: .tasks/ship.toml:2: `subject` was changed differently on both sides"
        ),
        "{said}"
    );
    assert!(
        porcelain(&env).contains("UU .tasks/ship.toml"),
        "{}",
        porcelain(&env)
    );
    // The markers go around the one field; theirs' other change arrived.
    // With git's labels, as for any other file.
    assert_eq!(
        env.read("ship"),
        "# Release work\n\
         <<<<<<< HEAD\n\
         subject = \"Ship it now\"\n\
         =======\n\
         subject = \"Ship it later\"\n\
         >>>>>>> feature\n\
         owner = \"bo@example.com\"\n"
    );

    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout("error: .tasks/ship.toml:2:1: leftover merge conflict marker");

    // Resolved by hand, it commits and checks clean.
    env.write(
        "ship",
        "# Release work\nsubject = \"Ship it now\"\nowner = \"bo@example.com\"\n",
    );
    env.git(&["add", ".tasks/ship.toml"]).ok();
    env.git(&["commit", "-q", "--no-edit"]).ok();
    env.task(&["check"]).ok();
}

#[test]
fn the_same_id_added_on_both_branches_is_a_conflict_never_one_task() {
    let mut env = branched(|_| {});
    on_feature(&mut env, |env| {
        env.at("2026-11-21T10:00:00Z");
        env.add(&["Back up the database", "--id", "backup"]);
        env.add(&[
            "Restore the database",
            "--id",
            "restore",
            "--after",
            "backup",
        ]);
    });
    on_main(&mut env, |env| {
        env.at("2026-11-21T11:00:00Z");
        env.add(&["Back up the laptops", "--id", "backup"]);
    });
    let ours = env.read("backup");
    let theirs = env
        .git(&["show", "feature:.tasks/backup.toml"])
        .ok()
        .to_owned();

    let run = merge_feature(&env);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(
        said.contains("both sides added a task with this id, and they are different tasks"),
        "{said}"
    );
    assert!(
        porcelain(&env).contains("AA .tasks/backup.toml"),
        "{}",
        porcelain(&env)
    );
    // Both files whole, each still its own task.
    assert_eq!(
        env.read("backup"),
        format!("<<<<<<< HEAD\n{ours}=======\n{theirs}>>>>>>> feature\n")
    );
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout("error: .tasks/backup.toml:1:1: leftover merge conflict marker");

    // The hint's steps, pasted as they are, keep both tasks.
    let steps: Vec<String> = said
        .lines()
        .filter_map(|l| l.split_once("hint: "))
        .filter_map(|(_, h)| h.split_once(". ").filter(|(n, _)| n.len() == 1))
        .map(|(_, step)| step.to_owned())
        .collect();
    assert_eq!(
        steps,
        [
            "git show feature:.tasks/backup.toml > .tasks/backup.toml",
            "git task rename backup backup-2",
            "git show HEAD:.tasks/backup.toml > .tasks/backup.toml",
            "git add .tasks/",
        ],
        "{said}"
    );
    for step in &steps {
        let out = env.command("sh").args(["-c", step]).output().unwrap();
        assert!(
            out.status.success(),
            "{step}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Commit only what the steps staged: the rename's rewrite of the
    // referring task must be among it.
    env.git(&["commit", "-q", "--no-edit"]).ok();
    assert_eq!(env.read("backup"), ours);
    assert_eq!(env.read("backup-2"), theirs);
    let restore = env.task(&["show", "restore", "--json"]).json();
    assert_eq!(
        restore["task"]["blocked_by"],
        serde_json::json!(["backup-2"])
    );
    let committed = env
        .git(&["show", "HEAD:.tasks/restore.toml"])
        .ok()
        .to_owned();
    assert!(
        committed.contains("blocked_by = [\"backup-2\"]"),
        "{committed}"
    );
    assert_eq!(
        env.git(&["status", "--porcelain", "--", ".tasks/"])
            .ok()
            .to_owned(),
        ""
    );
    env.task(&["check"]).ok();
}

// ---------------------------------------------------------------------------
// Registration.

#[test]
fn init_registers_the_driver_and_keeps_an_existing_gitattributes() {
    let env = TestEnv::git_repo();
    std::fs::write(env.repo.join(".gitattributes"), "*.png binary").unwrap();

    let json = env.task(&["init", "--json"]).json();
    assert_eq!(json["merge_driver"]["attributes"]["action"], "added");
    assert_eq!(json["merge_driver"]["config"]["action"], "added");
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".gitattributes")).unwrap(),
        "*.png binary\n\
         # Task files merge field by field: see `git task merge-driver --help`.\n\
         .tasks/*.toml merge=git-task\n"
    );
    // git itself sees the attribute and the driver.
    assert_eq!(
        env.git(&["check-attr", "merge", "--", ".tasks/x.toml"])
            .ok(),
        ".tasks/x.toml: merge: git-task\n"
    );
    assert_eq!(
        env.git(&["config", "--get", "merge.git-task.driver"]).ok(),
        "git-task merge-driver --marker-size=%L --base-label=%S --ours-label=%X \
         --theirs-label=%Y %O %A %B %P\n"
    );
    assert!(
        env.git(&["config", "--get", "merge.git-task.name"])
            .ok()
            .contains("git-task")
    );

    // Again: nothing changes, and it says so.
    let before = std::fs::read_to_string(env.repo.join(".git/config")).unwrap();
    assert!(env.task(&["init"]).ok().starts_with("already initialized"));
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".git/config")).unwrap(),
        before
    );
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".gitattributes"))
            .unwrap()
            .matches("merge=git-task")
            .count(),
        1
    );
}

#[test]
fn init_without_hooks_writes_the_attribute_but_leaves_git_config_alone() {
    let env = TestEnv::git_repo();
    let out = env.task(&["init", "--no-hooks"]).ok().to_owned();
    assert!(out.contains("created .gitattributes\n"), "{out}");
    assert!(
        std::fs::read_to_string(env.repo.join(".gitattributes"))
            .unwrap()
            .contains(".tasks/*.toml merge=git-task\n")
    );
    env.git(&["config", "--get", "merge.git-task.driver"])
        .code(1);
    let status = env.task(&["hooks", "status"]);
    status.assert_stdout("merge driver: named in the attributes but not defined in git config");
    status.assert_stderr("git task hooks install");

    let out = env.task(&["hooks", "install"]).ok().to_owned();
    assert!(
        out.contains("added the git-task merge driver to .git/config\n"),
        "{out}"
    );
    env.git(&["config", "--get", "merge.git-task.driver"]).ok();
}

#[test]
fn uninstall_takes_the_driver_out_of_git_config_and_leaves_gitattributes() {
    let env = TestEnv::new();
    let status = env.task(&["hooks", "status", "--json"]).json();
    assert_eq!(status["merge_driver"]["registered"], true);
    assert_eq!(
        status["merge_driver"]["command"],
        "git-task merge-driver --marker-size=%L --base-label=%S --ours-label=%X \
         --theirs-label=%Y %O %A %B %P"
    );
    assert!(
        env.task(&["hooks", "status"])
            .ok()
            .contains("merge driver: git-task (named for .tasks/*.toml in .gitattributes)\n")
    );

    let out = env.task(&["hooks", "uninstall"]).ok().to_owned();
    assert!(
        out.contains("removed the git-task merge driver from .git/config\n"),
        "{out}"
    );
    env.git(&["config", "--get", "merge.git-task.driver"])
        .code(1);
    // The rest of the config is untouched.
    assert_eq!(env.git(&["config", "user.email"]).ok(), "ana@example.com\n");
    assert!(
        std::fs::read_to_string(env.repo.join(".gitattributes"))
            .unwrap()
            .contains(".tasks/*.toml merge=git-task\n")
    );
    let status = env.task(&["hooks", "status", "--json"]).json();
    assert_eq!(status["merge_driver"]["registered"], false);
    assert_eq!(status["merge_driver"]["command"], serde_json::Value::Null);

    // Nothing left to take out the second time.
    let json = env.task(&["hooks", "uninstall", "--json"]).json();
    assert_eq!(json["merge_driver"]["config"]["action"], "unchanged");
}

#[test]
fn a_bare_repository_gets_the_attribute_in_info_attributes() {
    let env = TestEnv::bare_dir();
    env.git(&["init", "-q", "--bare", "-b", "main", "."]).ok();
    let out = env.task(&["hooks", "install"]).ok().to_owned();
    assert!(
        out.contains("created info/attributes with `.tasks/*.toml merge=git-task`\n"),
        "{out}"
    );
    assert!(!env.repo.join(".gitattributes").exists());
    assert_eq!(
        env.git(&["check-attr", "merge", "--", ".tasks/x.toml"])
            .ok(),
        ".tasks/x.toml: merge: git-task\n"
    );
    env.git(&["config", "--get", "merge.git-task.driver"]).ok();
    assert_eq!(
        env.task(&["hooks", "install"]).ok(),
        "already installed in hooks\n"
    );
}

#[test]
fn the_driver_is_documented_in_the_help() {
    let env = TestEnv::bare_dir();
    let help = env.task(&["--help"]).ok().to_owned();
    assert!(help.contains("merge-driver"), "{help}");
    let help = env.task(&["merge-driver", "--help"]).ok().to_owned();
    for needle in [
        "%O",
        "%A",
        "%B",
        "%P",
        "%L",
        "%S",
        "%X",
        "%Y",
        "<<<<<<< HEAD",
        "created",
        "criss-cross",
        "Comments",
        "docs/merging.md",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}

// ---------------------------------------------------------------------------
// Helpers for the tests below.

/// Commits without the hooks, as someone with a broken file or
/// `--no-verify` does.
fn commit_unchecked(env: &TestEnv, message: &str) {
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "--no-verify", "-m", message])
        .ok();
}

/// `git show REV:PATH`.
fn show(env: &TestEnv, spec: &str) -> String {
    env.git(&["show", spec]).ok().to_owned()
}

fn said(run: &Run) -> String {
    format!("{}{}", run.stdout, run.stderr)
}

/// The lines of `text` that are conflict markers, of any width.
fn marker_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|line| git_task::markers::marker(line).is_some())
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------------
// A task is its id and its created time: git pairing two files never makes
// them one task.

const MIGRATE: &str = r#"subject = "Run the migration"
kind = "story"
priority = "high"
labels = ["db"]
created = 2026-11-20T10:00:00Z
description = """
Move the data from the old schema to the new one,
table by table, checking the row counts as we go,
and keep the old tables until the counts match.
"""

[[criteria]]
text = "row counts match"

[[criteria]]
text = "old tables dropped"
"#;

/// Progress on `migrate` on feature: started, a criterion met, a note.
fn work_on_migrate(env: &mut TestEnv) {
    env.at("2026-11-22T09:00:00Z");
    env.task(&["start", "migrate"]).ok();
    env.task(&["criteria", "migrate", "--met", "1"]).ok();
    env.task(&["note", "migrate", "ran on staging"]).ok();
}

/// Replaces migrate by a copy under a new id, as by hand or by a script:
/// git sees a rename of migrate to migrate-1.
fn replace_migrate_with_a_copy(env: &mut TestEnv) {
    env.git(&["rm", "-q", ".tasks/migrate.toml"]).ok();
    std::fs::create_dir_all(env.tasks_dir()).unwrap();
    env.write(
        "migrate-1",
        &MIGRATE.replace("Run the migration", "Run the migration again"),
    );
}

#[test]
fn a_task_git_pairs_with_its_replacement_as_a_rename_keeps_its_progress_to_itself() {
    let mut env = branched(|env| env.write("migrate", MIGRATE));
    on_feature(&mut env, work_on_migrate);
    on_main(&mut env, replace_migrate_with_a_copy);
    let ours = env.read("migrate-1");
    let theirs = show(&env, "feature:.tasks/migrate.toml");

    let run = merge_feature(&env);
    assert_ne!(run.code, 0, "{}", said(&run));
    let said = said(&run);
    assert!(
        said.contains("CONFLICT (content): Merge conflict in .tasks/migrate-1.toml"),
        "{said}"
    );
    // Both whole files, labelled as git labels a renamed file.
    assert_eq!(
        env.read("migrate-1"),
        format!(
            "<<<<<<< HEAD:.tasks/migrate-1.toml\n{ours}=======\n{theirs}\
             >>>>>>> feature:.tasks/migrate.toml\n"
        )
    );
    assert!(
        said.contains(
            "conflict: .tasks/migrate-1.toml:1: ours (HEAD) is task `migrate-1` and theirs \
             (feature) is task `migrate`"
        ),
        "{said}"
    );
    assert!(
        said.contains("git show feature:.tasks/migrate.toml > .tasks/migrate.toml"),
        "{said}"
    );
    assert!(!said.contains(".merge_file"), "{said}");
    assert!(
        porcelain(&env).contains("UU .tasks/migrate-1.toml"),
        "{}",
        porcelain(&env)
    );
    env.task(&["check"])
        .code(1)
        .assert_stdout("error: .tasks/migrate-1.toml:1:1: leftover merge conflict marker");

    // What the hint says gives each task back its own work.
    env.write("migrate-1", &ours);
    std::fs::write(env.tasks_dir().join("migrate.toml"), &theirs).unwrap();
    env.git(&["add", ".tasks"]).ok();
    env.git(&["commit", "-q", "--no-edit"]).ok();
    env.task(&["check"]).ok();
    let old = task_json(&env, "migrate");
    assert_eq!(old["status"], "in_progress");
    assert_eq!(old["owner"], "ana@example.com");
    let new = task_json(&env, "migrate-1");
    assert_eq!(new["status"], "pending");
    assert_eq!(new["owner"], serde_json::Value::Null);
    assert_eq!(new["notes"], serde_json::json!([]));
}

#[test]
fn in_a_rebase_the_hint_names_the_commit_being_replayed() {
    let mut env = branched(|env| env.write("migrate", MIGRATE));
    on_feature(&mut env, work_on_migrate);
    on_main(&mut env, replace_migrate_with_a_copy);
    let replayed = env
        .git(&["rev-parse", "--short", "feature"])
        .ok()
        .trim()
        .to_owned();
    env.git(&["checkout", "-q", "feature"]).ok();
    let run = env.git(&["rebase", "main"]);
    assert_ne!(run.code, 0, "{}", said(&run));
    let said = said(&run);
    let text = env.read("migrate-1");
    assert_eq!(
        marker_lines(&text),
        [
            "<<<<<<< HEAD:.tasks/migrate-1.toml".to_owned(),
            "=======".to_owned(),
            format!(">>>>>>> {replayed} (on feature):.tasks/migrate.toml"),
        ],
        "{text}"
    );
    assert!(
        said.contains(&format!(
            "git show {replayed}:.tasks/migrate.toml > .tasks/migrate.toml"
        )),
        "{said}"
    );
}

#[test]
fn a_task_removed_and_added_again_under_its_id_is_another_task() {
    let mut env = branched(|env| env.write("migrate", MIGRATE));
    on_feature(&mut env, work_on_migrate);
    on_main(&mut env, |env| {
        env.task(&["rm", "migrate"]).ok();
        env.at("2026-11-23T10:00:00Z");
        env.add(&["Run the migration", "--id", "migrate", "--kind", "story"]);
        // The first new id the hint would offer is taken.
        env.add(&["Check the migration", "--id", "migrate-2"]);
    });
    let ours = env.read("migrate");
    let theirs = show(&env, "feature:.tasks/migrate.toml");

    let run = merge_feature(&env);
    assert_ne!(run.code, 0, "{}", said(&run));
    let said = said(&run);
    assert_eq!(
        env.read("migrate"),
        format!("<<<<<<< HEAD\n{ours}=======\n{theirs}>>>>>>> feature\n")
    );
    assert!(
        said.contains(
            "conflict: .tasks/migrate.toml:1: ours (HEAD) is task `migrate` created \
             2026-11-23T10:00:00Z and theirs (feature) is task `migrate` created \
             2026-11-20T10:00:00Z"
        ),
        "{said}"
    );
    assert!(
        said.contains("1. git show feature:.tasks/migrate.toml > .tasks/migrate.toml")
            && said.contains("2. git task rename migrate migrate-3")
            && said.contains("4. git add .tasks/\n"),
        "{said}"
    );
    env.task(&["check"])
        .code(1)
        .assert_stdout("error: .tasks/migrate.toml:1:1: leftover merge conflict marker");
}

// ---------------------------------------------------------------------------
// Input the driver cannot read still leaves a file no one commits by
// accident.

#[test]
fn a_side_that_is_not_utf8_is_kept_byte_for_byte_between_markers() {
    let mut env = branched(|env| env.write("x", "subject = \"X\"\nowner = \"a\"\n"));
    env.git(&["checkout", "-q", "feature"]).ok();
    let latin1: &[u8] = b"subject = \"Caf\xe9\"\nowner = \"a\"\npriority = \"high\"\n";
    std::fs::write(env.tasks_dir().join("x.toml"), latin1).unwrap();
    commit_unchecked(&env, "Latin-1 by hand");
    env.git(&["checkout", "-q", "main"]).ok();
    on_main(&mut env, |env| {
        env.task(&["edit", "x", "--owner", "b"]).ok();
    });
    let ours = env.read("x");

    let run = merge_feature(&env);
    assert_ne!(run.code, 0, "{}", said(&run));
    let mut expected = format!("<<<<<<< HEAD\n{ours}=======\n").into_bytes();
    expected.extend_from_slice(latin1);
    expected.extend_from_slice(b">>>>>>> feature\n");
    assert_eq!(
        String::from_utf8_lossy(&std::fs::read(env.tasks_dir().join("x.toml")).unwrap()),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(
        std::fs::read(env.tasks_dir().join("x.toml")).unwrap(),
        expected
    );
    let said = said(&run);
    assert!(
        said.contains("conflict: .tasks/x.toml:1: theirs (feature) is not UTF-8 text (1:15)"),
        "{said}"
    );
    assert!(!said.contains(".merge_file"), "{said}");
    assert!(
        porcelain(&env).contains("UU .tasks/x.toml"),
        "{}",
        porcelain(&env)
    );
    env.task(&["check"]).code(1);
}

/// Two merge bases: main set the owner to ana and feature to bo, and each
/// merged the other's commit, main resolving the owner to ana and feature
/// to `resolved_on_feature`. Then main raises the priority and feature adds
/// a label. Merging feature into main, git first merges the two bases
/// into a virtual one, with the driver, and that one holds the owner in
/// conflict.
fn criss_cross(resolved_on_feature: &str) -> TestEnv {
    let env = branched(|env| {
        env.add(&["Ship it", "--id", "ship", "--owner", "cy@example.com"]);
    });
    env.task(&["edit", "ship", "--owner", "ana@example.com"])
        .ok();
    commit(&env, "main: ana");
    env.git(&["branch", "main-1"]).ok();
    env.git(&["checkout", "-q", "feature"]).ok();
    env.task(&["edit", "ship", "--owner", "bo@example.com"])
        .ok();
    commit(&env, "feature: bo");
    env.git(&["branch", "feature-1"]).ok();

    env.git(&["merge", "--no-edit", "-q", "main-1"]);
    resolve_owner(&env, resolved_on_feature);
    env.git(&["checkout", "-q", "main"]).ok();
    env.git(&["merge", "--no-edit", "-q", "feature-1"]);
    resolve_owner(&env, "ana@example.com");

    env.task(&["edit", "ship", "--priority", "high"]).ok();
    commit(&env, "main: high");
    env.git(&["checkout", "-q", "feature"]).ok();
    env.task(&["edit", "ship", "--label", "release"]).ok();
    commit(&env, "feature: release");
    env.git(&["checkout", "-q", "main"]).ok();
    env
}

/// Ends a conflicted merge with `owner` as the task's owner.
fn resolve_owner(env: &TestEnv, owner: &str) {
    let ours = env.git(&["show", "HEAD:.tasks/ship.toml"]).ok().to_owned();
    let text = ours
        .lines()
        .map(|l| {
            if l.starts_with("owner = ") {
                format!("owner = \"{owner}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect::<String>();
    env.write("ship", &text);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "--no-edit"]).ok();
}

#[test]
fn a_criss_cross_merge_of_separate_changes_is_clean() {
    let env = criss_cross("ana@example.com");
    let bases = env
        .git(&["merge-base", "--all", "main", "feature"])
        .ok()
        .to_owned();
    assert_eq!(bases.lines().count(), 2, "not a criss-cross: {bases}");

    merge_feature(&env).ok();
    assert_eq!(porcelain(&env), "");
    let task = task_json(&env, "ship");
    assert_eq!(task["owner"], "ana@example.com");
    assert_eq!(task["priority"], "high");
    assert_eq!(strings(&task["labels"]), ["release"]);
    env.task(&["check"]).ok();
}

#[test]
fn a_criss_cross_merge_resolved_two_ways_is_a_conflict_on_that_field_alone() {
    let env = criss_cross("bo@example.com");
    let run = merge_feature(&env);
    assert_ne!(run.code, 0, "{}", said(&run));
    let said = said(&run);
    assert!(said.contains("conflict: .tasks/ship.toml:"), "{said}");
    assert!(said.contains("`owner`"), "{said}");
    // The inner merge of the two bases says nothing of its own.
    assert_eq!(said.matches("conflict: ").count(), 1, "{said}");
    let text = env.read("ship");
    assert!(
        text.contains(
            "<<<<<<< HEAD\nowner = \"ana@example.com\"\n=======\n\
             owner = \"bo@example.com\"\n>>>>>>> feature\n"
        ),
        "{text}"
    );
    assert!(text.contains("priority = \"high\"\n"), "{text}");
    assert!(text.contains("labels = [\"release\"]\n"), "{text}");
    env.task(&["check"]).code(1);
}

#[test]
fn the_markers_are_as_wide_as_git_asks() {
    let mut env = branched(|env| {
        env.write("ship", "subject = \"Ship it\"\n");
        std::fs::write(
            env.repo.join(".gitattributes"),
            ".tasks/*.toml merge=git-task conflict-marker-size=9\n",
        )
        .unwrap();
    });
    on_feature(&mut env, |env| {
        env.task(&["edit", "ship", "--subject", "Ship it later"])
            .ok();
    });
    on_main(&mut env, |env| {
        env.task(&["edit", "ship", "--subject", "Ship it now"]).ok();
    });
    let run = merge_feature(&env);
    assert_ne!(run.code, 0, "{}", said(&run));
    assert_eq!(
        env.read("ship"),
        "<<<<<<<<< HEAD\nsubject = \"Ship it now\"\n=========\n\
         subject = \"Ship it later\"\n>>>>>>>>> feature\n"
    );
}

// ---------------------------------------------------------------------------
// Comments survive the merge.

#[test]
fn a_comment_added_on_one_side_arrives_with_the_other_sides_change() {
    let base = "subject = \"Ship it\"\npriority = \"high\"\ncreated = 2026-11-20T10:00:00Z\n";
    let mut env = branched(|env| env.write("ship", base));
    on_feature(&mut env, |env| {
        env.write(
            "ship",
            "subject = \"Ship it\"  # the headline\n# Agreed at the planning meeting.\n\
             priority = \"high\"\ncreated = 2026-11-20T10:00:00Z\n",
        );
    });
    on_main(&mut env, |env| {
        env.task(&["start", "ship"]).ok();
    });
    merge_feature(&env).ok();
    assert_eq!(porcelain(&env), "");
    assert_eq!(
        env.read("ship"),
        "subject = \"Ship it\"  # the headline\nstatus = \"in_progress\"\n\
         # Agreed at the planning meeting.\npriority = \"high\"\n\
         owner = \"ana@example.com\"\ncreated = 2026-11-20T10:00:00Z\n\
         started = 2026-11-21T10:00:00Z\n"
    );
}

#[test]
fn a_comment_on_a_field_stays_when_the_other_side_changes_the_field() {
    let base = "subject = \"Ship it\"\nowner = \"ana@example.com\"\n";
    let mut env = branched(|env| env.write("ship", base));
    on_feature(&mut env, |env| {
        env.write(
            "ship",
            "subject = \"Ship it\"\n# Until the release.\nowner = \"ana@example.com\"  # on call\n",
        );
    });
    on_main(&mut env, |env| {
        env.task(&["edit", "ship", "--owner", "bo@example.com"])
            .ok();
    });
    merge_feature(&env).ok();
    assert_eq!(
        env.read("ship"),
        "subject = \"Ship it\"\n# Until the release.\nowner = \"bo@example.com\"  # on call\n"
    );
}

#[test]
fn comments_in_every_part_of_the_file_survive_a_merge() {
    const BASE: &str = r#"subject = "Ship it"
blocked_by = [
    "a",
    "b",
]
labels = ["ops"]
created = 2026-11-20T10:00:00Z

[[criteria]]
text = "tests pass"

[[notes]]
at = 2026-11-20T11:00:00Z
text = "planned"

[meta]
sprint = 3
"#;
    const COMMENTED: &str = r#"# Release work: see the runbook.
subject = "Ship it"
blocked_by = [
    "a",  # the build
    # b waits for review
    "b",
]
labels = ["ops"]  # who gets paged
created = 2026-11-20T10:00:00Z

# Each one checked by hand.
[[criteria]]
text = "tests pass"  # all of them

[[notes]]
# from the planning meeting
at = 2026-11-20T11:00:00Z
text = "planned"

[meta]  # our own
# the sprint it landed in
sprint = 3  # may slip
# The end.
"#;
    let mut env = branched(|env| {
        env.add(&["A", "--id", "a"]);
        env.add(&["B", "--id", "b"]);
        env.write("ship", BASE);
    });
    on_feature(&mut env, |env| env.write("ship", COMMENTED));
    on_main(&mut env, |env| {
        env.task(&["start", "ship", "--force"]).ok();
        env.task(&["criteria", "ship", "--met", "1"]).ok();
        env.task(&["edit", "ship", "--label", "db"]).ok();
        env.task(&["dep", "rm", "ship", "a"]).ok();
        env.at("2026-11-21T12:00:00Z");
        env.task(&["note", "ship", "started"]).ok();
        env.task(&["edit", "ship", "--priority", "high"]).ok();
    });
    let run = merge_feature(&env);
    run.ok();
    let merged = env.read("ship");
    for comment in [
        "# Release work: see the runbook.\nsubject",
        "    # b waits for review\n    \"b\",\n",
        "labels = [\"ops\", \"db\"]  # who gets paged\n",
        "# Each one checked by hand.\n[[criteria]]\ntext = \"tests pass\"  # all of them\n",
        "[[notes]]\n# from the planning meeting\nat = 2026-11-20T11:00:00Z\n",
        "[meta]  # our own\n# the sprint it landed in\nsprint = 3  # may slip\n# The end.\n",
    ] {
        assert!(
            merged.contains(comment),
            "{comment:?} is missing:\n{merged}"
        );
    }
    let task = task_json(&env, "ship");
    assert_eq!(task["status"], "in_progress");
    assert_eq!(strings(&task["blocked_by"]), ["b"]);
    assert_eq!(task["criteria"][0]["met"], true);
    assert_eq!(task["notes"].as_array().unwrap().len(), 2);
    env.task(&["check"]).ok();
}

// ---------------------------------------------------------------------------
// Labels.

#[test]
fn a_rebase_labels_the_markers_of_a_task_as_git_labels_any_other_file() {
    let mut env = branched(|env| {
        env.write("ship", "subject = \"Ship it\"\n");
        std::fs::write(env.repo.join("plan.txt"), "ship it\n").unwrap();
    });
    on_feature(&mut env, |env| {
        env.task(&["edit", "ship", "--subject", "Ship it later"])
            .ok();
        std::fs::write(env.repo.join("plan.txt"), "ship it later\n").unwrap();
    });
    on_main(&mut env, |env| {
        env.task(&["edit", "ship", "--subject", "Ship it now"]).ok();
        std::fs::write(env.repo.join("plan.txt"), "ship it now\n").unwrap();
    });
    env.git(&["checkout", "-q", "feature"]).ok();
    let run = env.git(&["rebase", "main"]);
    assert_ne!(run.code, 0, "{}", said(&run));

    let plain = std::fs::read_to_string(env.repo.join("plan.txt")).unwrap();
    let labels = marker_lines(&plain);
    assert_eq!(labels.len(), 3, "{plain}");
    assert_eq!(labels[0], "<<<<<<< HEAD");
    assert!(labels[2].ends_with(" (on feature)"), "{plain}");
    assert_eq!(
        marker_lines(&env.read("ship")),
        labels,
        "{}",
        env.read("ship")
    );
    // Ours is what is being rebased onto, as git has it.
    assert!(
        env.read("ship")
            .starts_with("<<<<<<< HEAD\nsubject = \"Ship it now\"\n"),
        "{}",
        env.read("ship")
    );
}

#[test]
fn a_git_that_fills_in_no_labels_gets_ours_and_theirs() {
    // An older git leaves %S, %X and %Y as they are, and the driver gets
    // them as written.
    let env = TestEnv::new();
    let dir = env.dir.path();
    std::fs::write(dir.join("o"), "subject = \"A\"\n").unwrap();
    std::fs::write(dir.join("a"), "subject = \"B\"\n").unwrap();
    std::fs::write(dir.join("b"), "subject = \"C\"\n").unwrap();
    let path = |name: &str| dir.join(name).display().to_string();
    let run = env.task(&[
        "merge-driver",
        "--marker-size=%L",
        "--base-label=%S",
        "--ours-label=%X",
        "--theirs-label=%Y",
        &path("o"),
        &path("a"),
        &path("b"),
        ".tasks/x.toml",
    ]);
    run.code(1);
    assert_eq!(
        std::fs::read_to_string(dir.join("a")).unwrap(),
        "<<<<<<< ours\nsubject = \"B\"\n=======\nsubject = \"C\"\n>>>>>>> theirs\n"
    );
}

#[test]
fn an_older_registration_is_recognised_and_updated() {
    let env = TestEnv::new();
    env.git(&[
        "config",
        "merge.git-task.driver",
        "git-task merge-driver %O %A %B %P",
    ])
    .ok();
    let status = env.task(&["hooks", "status"]);
    status.assert_stdout("merge driver: git-task's, from an older git-task");
    status.assert_stderr("git task hooks install");
    let json = env.task(&["hooks", "status", "--json"]).json();
    assert_eq!(json["merge_driver"]["registered"], false);
    assert_eq!(json["merge_driver"]["outdated"], true);

    let out = env.task(&["hooks", "install"]).ok().to_owned();
    assert!(
        out.contains("updated the git-task merge driver in .git/config\n"),
        "{out}"
    );
    assert_eq!(
        env.git(&["config", "--get", "merge.git-task.driver"]).ok(),
        "git-task merge-driver --marker-size=%L --base-label=%S --ours-label=%X \
         --theirs-label=%Y %O %A %B %P\n"
    );
    let json = env.task(&["hooks", "status", "--json"]).json();
    assert_eq!(json["merge_driver"]["registered"], true);
}
