//! `git task edit ID` in an editor: a refused draft is kept, opened again
//! by the next edit, thrown away with --discard, and removed once an edit
//! succeeds; without a terminal or an editor it refuses instead of running vi.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::{TestEnv, run};

/// An editor script: it copies what it was given to `seen`, then runs
/// `action` on the file ($1).
fn editor(env: &TestEnv, name: &str, action: &str) -> PathBuf {
    let path = env.dir.path().join(name);
    let seen = env.dir.path().join(format!("{name}.seen"));
    std::fs::write(
        &path,
        format!("#!/bin/sh\ncp \"$1\" '{}'\n{action}\n", seen.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn seen(env: &TestEnv, name: &str) -> String {
    std::fs::read_to_string(env.dir.path().join(format!("{name}.seen"))).unwrap()
}

fn edit(env: &TestEnv, editor: &Path, args: &[&str]) -> common::Run {
    run(env
        .git_task_cmd()
        .env("GIT_EDITOR", editor)
        .args(args)
        .stdin(Stdio::null()))
}

fn kept(env: &TestEnv, id: &str) -> PathBuf {
    env.repo.join(format!(".git/git-task/EDIT-{id}.toml"))
}

/// Breaks the file: a status no task can have.
const BREAK: &str =
    "sed -i 's/^subject = \"Edit me\"/subject = \"Kept text\"\\nstatus = \"doing\"/' \"$1\"";

#[test]
fn a_refused_draft_is_opened_again_and_removed_once_the_edit_succeeds() {
    let env = TestEnv::new();
    env.add(&["Edit me", "--id", "t"]);
    let original = env.read("t");
    let breaks = editor(&env, "breaks.sh", BREAK);
    let refused = edit(&env, &breaks, &["edit", "t"]);
    refused
        .code(2)
        .assert_stderr(&format!(
            "your text is kept in {}: `git task edit t` opens it again, `git task edit t --discard` throws it away",
            kept(&env, "t").display()
        ));
    let draft = std::fs::read_to_string(kept(&env, "t")).unwrap();
    assert!(draft.contains("Kept text"), "{draft}");
    assert_eq!(env.read("t"), original);

    // The next edit opens the kept draft, not the file; fixing it saves it.
    let fixes = editor(&env, "fixes.sh", "sed -i '/^status = \"doing\"/d' \"$1\"");
    let resumed = edit(&env, &fixes, &["edit", "t"]);
    assert_eq!(resumed.ok(), "edited t \"Kept text\" (pending)\n");
    resumed.assert_stderr(&format!(
        "t: opening the draft kept in {} (`git task edit t --discard` throws it away)",
        kept(&env, "t").display()
    ));
    assert_eq!(seen(&env, "fixes.sh"), draft);
    assert!(!kept(&env, "t").exists(), "the draft is cleaned up");

    // Without a kept draft, the editor gets the file again.
    let looks = editor(&env, "looks.sh", "true");
    let unchanged = edit(&env, &looks, &["edit", "t"]);
    unchanged.ok();
    unchanged.assert_stderr("t: no changes");
    assert_eq!(seen(&env, "looks.sh"), env.read("t"));
}

#[test]
fn discard_throws_the_kept_draft_away() {
    let env = TestEnv::new();
    env.add(&["Edit me", "--id", "t"]);
    let breaks = editor(&env, "breaks.sh", BREAK);
    edit(&env, &breaks, &["edit", "t"]).code(2);
    assert!(kept(&env, "t").exists());

    // Field flags work meanwhile, and say that a draft is kept.
    env.task(&["edit", "t", "--owner", "ana"])
        .assert_stderr("a draft from an earlier edit is kept in")
        .assert_stderr("`git task edit t --discard` throws it away");
    env.task(&["edit", "t", "--discard", "--owner", "bo"])
        .code(2)
        .assert_stderr("give it without field flags");

    let gone = env.task(&["edit", "t", "--discard"]);
    gone.ok();
    gone.assert_stderr(&format!(
        "t: discarded the draft kept in {}",
        kept(&env, "t").display()
    ));
    assert!(!kept(&env, "t").exists());
    env.task(&["edit", "t", "--discard"])
        .assert_stderr("t: no draft is kept");
    // The next edit starts from the file.
    let looks = editor(&env, "looks.sh", "true");
    edit(&env, &looks, &["edit", "t"]).ok();
    assert_eq!(seen(&env, "looks.sh"), env.read("t"));
}

#[test]
fn undoing_the_kept_changes_in_the_editor_removes_the_draft() {
    let env = TestEnv::new();
    env.add(&["Edit me", "--id", "t"]);
    let original = env.read("t");
    let breaks = editor(&env, "breaks.sh", BREAK);
    edit(&env, &breaks, &["edit", "t"]).code(2);
    let restore = env.dir.path().join("original.toml");
    std::fs::write(&restore, &original).unwrap();
    let undoes = editor(
        &env,
        "undoes.sh",
        &format!("cp '{}' \"$1\"", restore.display()),
    );
    edit(&env, &undoes, &["edit", "t"]).assert_stderr("t: no changes");
    assert!(!kept(&env, "t").exists());
}

#[test]
fn without_a_terminal_or_an_editor_edit_refuses_rather_than_run_vi() {
    let env = TestEnv::new();
    env.add(&["Edit me", "--id", "t"]);
    let before = env.snapshot();
    // TestEnv clears the environment: no GIT_EDITOR, VISUAL or EDITOR,
    // and no core.editor. A `vi` on PATH would show if it ran.
    let bin = env.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let vi = bin.join("vi");
    std::fs::write(
        &vi,
        format!("#!/bin/sh\ntouch '{}/vi-ran'\n", env.dir.path().display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&vi, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        common::path_with_git_task().to_string_lossy()
    );
    let out = run(env
        .git_task_cmd()
        .env("PATH", path)
        .args(["edit", "t"])
        .stdin(Stdio::null()));
    out.code(1)
        .assert_stderr("no editor is set (GIT_EDITOR, core.editor, VISUAL or EDITOR) and this is not a terminal to run vi in")
        .assert_stderr("change fields with flags instead; `git task edit t --help` lists them")
        .assert_stderr("or set an editor: git config --global core.editor nano");
    assert!(!env.dir.path().join("vi-ran").exists(), "vi was started");
    assert_eq!(env.snapshot(), before);
    // A configured editor is used without a terminal, as before.
    env.git(&["config", "core.editor", "true"]).ok();
    env.task(&["edit", "t"]).ok();
}

#[test]
fn a_kept_draft_is_merged_with_what_was_done_to_the_task_meanwhile() {
    let env = TestEnv::new();
    env.add(&["Edit me", "--id", "e"]);
    let original = env.read("e");
    // A new subject, and a priority no task can have.
    let breaks = editor(
        &env,
        "breaks.sh",
        "sed -i 's/^subject = \"Edit me\"/subject = \"Kept text\"\\npriority = \"whenever\"/' \"$1\"",
    );
    edit(&env, &breaks, &["edit", "e"]).code(2);
    assert!(kept(&env, "e").exists());
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".git/git-task/EDIT-e.base.toml")).unwrap(),
        original,
        "the text the draft was made from is kept beside it"
    );

    // Work on the task meanwhile.
    env.task(&["start", "e", "--owner", "bo"]).ok();
    env.task(&["note", "e", "progress"]).ok();

    let fixes = editor(
        &env,
        "fixes.sh",
        "sed -i '/^priority = \"whenever\"/d' \"$1\"",
    );
    let resumed = edit(&env, &fixes, &["edit", "e"]);
    resumed.ok();
    resumed.assert_stderr(
        "e: .tasks/e.toml changed since the draft was kept; the draft is merged with those changes",
    );
    let json = env.task(&["show", "e", "--json"]).json();
    let task = &json["task"];
    assert_eq!(task["subject"], "Kept text", "the draft's change: {json}");
    assert_eq!(task["owner"], "bo", "{json}");
    assert_eq!(task["status"], "in_progress", "{json}");
    assert!(!task["started"].is_null(), "{json}");
    let file = env.read("e");
    assert!(file.contains("text = \"progress\""), "{file}");
    assert!(!file.contains("whenever"), "{file}");
    assert!(!kept(&env, "e").exists(), "the draft is cleaned up");
    assert!(
        !env.repo.join(".git/git-task/EDIT-e.base.toml").exists(),
        "its base too"
    );
}

#[test]
fn a_kept_draft_that_conflicts_with_the_task_opens_with_conflict_markers() {
    let env = TestEnv::new();
    env.add(&["Edit me", "--id", "t"]);
    let breaks = editor(&env, "breaks.sh", BREAK);
    edit(&env, &breaks, &["edit", "t"]).code(2);
    // Both set the status: the draft to "doing", start to in_progress.
    env.task(&["start", "t"]).ok();
    let started = env.read("t");

    let looks = editor(&env, "looks.sh", "true");
    let resumed = edit(&env, &looks, &["edit", "t"]);
    resumed.code(2);
    resumed.assert_stderr("t: .tasks/t.toml changed since the draft was kept, and both changed the same thing: resolve the conflict markers in the editor");
    let opened = seen(&env, "looks.sh");
    assert!(opened.contains("<<<<<<< ours"), "{opened}");
    assert!(opened.contains("Kept text"), "{opened}");
    assert_eq!(env.read("t"), started, "nothing is saved with markers");
    // Kept again, now made from the file as it is.
    assert_eq!(std::fs::read_to_string(kept(&env, "t")).unwrap(), opened);
    assert_eq!(
        std::fs::read_to_string(env.repo.join(".git/git-task/EDIT-t.base.toml")).unwrap(),
        started
    );
    env.task(&["edit", "t", "--discard"]).ok();
    assert!(!env.repo.join(".git/git-task/EDIT-t.base.toml").exists());
}
