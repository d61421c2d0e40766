//! The merge driver with the real git: two branches made from one base,
//! merged with `git merge`, with the driver registered by `init`.

mod common;

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
    // Ours as it was, with theirs' two new lines (status and owner) and
    // not one other line touched.
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
    assert_eq!(numstat, "2\t0\t.tasks/ship.toml\n", "{merged}");
    let kept: Vec<&str> = merged
        .lines()
        .filter(|l| !l.starts_with("status =") && !l.starts_with("owner ="))
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
    assert_eq!(
        env.read("ship"),
        "# Release work\n\
         <<<<<<< ours\n\
         subject = \"Ship it now\"\n\
         =======\n\
         subject = \"Ship it later\"\n\
         >>>>>>> theirs\n\
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
        format!("<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n")
    );
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout("error: .tasks/backup.toml:1:1: leftover merge conflict marker");
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
        "git-task merge-driver %O %A %B %P\n"
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
        "git-task merge-driver %O %A %B %P"
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
    for needle in ["%O", "%A", "%B", "%P", "<<<<<<< ours", "created"] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}
