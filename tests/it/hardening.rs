//! The holes found by trying to break git-task, each shown closed by what a
//! user would do: data that must not be lost, paths that must not be
//! followed, and errors that must say what is wrong.

use crate::common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{TestEnv, run};

// ---------------------------------------------------------------------------
// 1. Inline arrays of tables

#[test]
fn notes_and_criteria_written_inline_are_kept_by_every_edit() {
    let env = TestEnv::new();
    env.write(
        "inline",
        "subject = \"Inline\"\n\
         criteria = [{ text = \"first criterion\" }]\n\
         notes = [{ at = 2026-11-20T10:00:00Z, text = \"first note\" }]\n",
    );
    env.task(&["note", "inline", "second note"]).ok();
    env.task(&["criteria", "inline", "--add", "second criterion"])
        .ok();
    env.task(&["criteria", "inline", "--met", "1", "--met", "2"])
        .ok();
    let text = env.read("inline");
    assert!(!text.contains("[["), "the form changed:\n{text}");
    let show = env.task(&["show", "inline", "--json"]).json();
    let task = &show["task"];
    let notes: Vec<&str> = task["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["first note", "second note"], "{text}");
    let criteria = task["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 2, "{text}");
    assert!(criteria.iter().all(|c| c["met"] == true), "{text}");
    env.task(&["reset", "inline"]).ok();
    let show = env.task(&["show", "inline", "--json"]).json();
    let criteria = show["task"]["criteria"].as_array().unwrap().clone();
    assert!(criteria.iter().all(|c| c["met"] == false), "{criteria:?}");
    assert_eq!(show["task"]["notes"].as_array().unwrap().len(), 2);
}

#[test]
fn a_task_in_other_valid_spellings_takes_every_edit_and_keeps_its_form() {
    let env = TestEnv::new();
    env.write(
        "spelled",
        "# Hand-written, in TOML's other spellings.\n\
         \"owner\" = 'ana@example.com'\n\
         subject = 'Spelled differently'\n\
         gate = true\n\
         labels = [\n  \"one\",\n]\n\
         meta.sprint = 3\n\
         waiver = { by = \"bo\", reason = \"first\", at = 2026-11-20T10:00:00Z }\n\
         criteria = []\n",
    );
    env.task(&["check"]).ok();
    env.task(&["edit", "spelled", "--label", "two", "--estimate", "2h"])
        .ok();
    env.task(&["gate", "waive", "spelled", "--reason", "second"])
        .ok();
    env.task(&["criteria", "spelled", "--add", "reviewed"]).ok();
    env.task(&["note", "spelled", "noted"]).ok();
    env.task(&["edit", "spelled", "--unset", "owner"]).ok();
    let text = env.read("spelled");
    assert!(
        text.starts_with("# Hand-written, in TOML's other spellings.\n"),
        "the header went with the first key:\n{text}"
    );
    assert!(text.contains("waiver = {"), "{text}");
    assert!(
        text.contains("criteria = [{ text = \"reviewed\" }]"),
        "{text}"
    );
    assert!(text.contains("meta.sprint = 3"), "{text}");
    assert!(
        text.contains("labels = [\n  \"one\",\n  \"two\",\n]"),
        "{text}"
    );
    let task = &env.task(&["show", "spelled", "--json"]).json()["task"];
    assert_eq!(task["owner"], serde_json::Value::Null);
    assert_eq!(task["waiver"]["reason"], "second");
    assert_eq!(task["criteria"][0]["text"], "reviewed");
    assert_eq!(task["notes"][0]["text"], "noted");
    assert_eq!(task["meta"]["sprint"], 3);
    assert_eq!(task["labels"], serde_json::json!(["one", "two"]));
}

// ---------------------------------------------------------------------------
// 4. A change racing `git checkout`: tests/it/concurrency.rs

// ---------------------------------------------------------------------------
// 6. Temporary files of killed writes

#[test]
fn a_write_killed_mid_way_leaves_nothing_to_commit_and_the_next_change_cleans_up() {
    let env = TestEnv::new();
    env.add(&["Busy", "--id", "busy"]);
    env.commit_all("tasks");
    let mut writer = env
        .git_task_cmd()
        .env("GIT_TASK_TEST_PAUSE", "before-rename=5000")
        .args(["note", "busy", "never finished"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let temporary = loop {
        let found = std::fs::read_dir(env.tasks_dir())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with(".git-task-tmp-"));
        // Paused before its first rename: its temporary is written and
        // git's index.lock taken.
        if let Some(name) = found
            && env.repo.join(".git/index.lock").exists()
        {
            break name;
        }
        assert!(Instant::now() < deadline, "no temporary file appeared");
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.kill().unwrap();
    writer.wait().unwrap();
    assert!(env.tasks_dir().join(&temporary).exists());
    // Killed while it held git's index.lock (from its check to its last
    // rename), it left that too: git refuses to work, as after a killed
    // git, until the next git-task command, even one that only reads,
    // takes it away.
    let index_lock = env.repo.join(".git/index.lock");
    assert!(
        std::fs::read_to_string(&index_lock)
            .unwrap()
            .starts_with("git-task ")
    );
    env.git(&["add", "-A"])
        .code(128)
        .assert_stderr("index.lock");
    env.task(&["list"]).ok();
    assert!(!index_lock.exists());
    // `git add -A` does not pick it up: init's .gitignore covers it.
    assert_eq!(env.git(&["status", "--porcelain"]).ok(), "");
    // Forced in anyway, the commit hook stops it, and check names it.
    env.git(&["add", "-f", &format!(".tasks/{temporary}")]).ok();
    let commit = env.git(&["commit", "-q", "-m", "oops"]);
    commit.code(1);
    commit.assert_stderr(&format!(".tasks/{temporary}:1:1: a temporary file"));
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout("a temporary file of a git-task write that was interrupted");
    env.git(&["rm", "-q", "--cached", &format!(".tasks/{temporary}")])
        .ok();
    // The next change removes it; the task is as it was, plus the change.
    env.task(&["note", "busy", "after the crash"]).ok();
    assert!(!env.tasks_dir().join(&temporary).exists());
    assert!(env.read("busy").contains("after the crash"));
    assert!(!env.read("busy").contains("never finished"));
    env.task(&["check"]).ok();
}

// ---------------------------------------------------------------------------
// 7. Two tasks added under one id in the same second

#[test]
fn two_tasks_added_under_one_id_in_the_same_second_are_not_fused() {
    let mut env = TestEnv::new();
    env.commit_all("init");
    env.git(&["checkout", "-q", "-b", "theirs"]).ok();
    env.at("2026-11-21T10:00:00.250Z");
    env.add(&["Write the docs", "--id", "docs", "--label", "theirs"]);
    env.commit_all("theirs adds docs");
    env.git(&["checkout", "-q", "main"]).ok();
    env.at("2026-11-21T10:00:00.750Z");
    env.add(&["Write the docs", "--id", "docs", "--estimate", "2h"]);
    assert!(
        env.read("docs")
            .contains("created = 2026-11-21T10:00:00.75Z"),
        "{}",
        env.read("docs")
    );
    env.commit_all("ours adds docs");
    let merge = env.git(&["merge", "-q", "theirs", "-m", "merge"]);
    assert_ne!(merge.code, 0, "two tasks were fused into one");
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout(".tasks/docs.toml");
}

// ---------------------------------------------------------------------------
// 8. Line endings and the byte-order mark

#[test]
fn an_edit_of_a_crlf_file_with_a_bom_changes_only_its_lines() {
    let env = TestEnv::new();
    let original = "\u{feff}subject = \"Windows\"\r\n# kept\r\nowner = \"ana@example.com\"\r\ndescription = \"\"\"\r\nline one\r\nline two\r\n\"\"\"\r\n";
    env.write("win", original);
    env.commit_all("a task written on Windows");
    env.task(&["start", "win"]).ok();
    env.task(&["note", "win", "started"]).ok();
    let text = env.read("win");
    assert!(text.starts_with('\u{feff}'), "the BOM was dropped");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "LF line in {text:?}"
    );
    let numstat = env.git(&["diff", "--numstat"]).ok().to_owned();
    assert!(
        numstat.starts_with(&format!(
            "{}\t0\t",
            text.lines().count() - original.lines().count()
        )),
        "{numstat}\n{}",
        env.git(&["diff"]).stdout
    );
    let show = env.task(&["show", "win", "--json"]).json();
    assert_eq!(show["task"]["description"], "line one\nline two\n");
}

// ---------------------------------------------------------------------------
// 9. safe.directory

#[cfg(unix)]
#[test]
fn a_repository_owned_by_someone_else_is_refused_as_git_refuses_it() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        // .ci/run runs as root; there this test must run, not skip.
        assert!(
            std::env::var_os("CI").is_none(),
            "only root can give the repository to another user; run CI as root"
        );
        eprintln!("note: only root can give the repository to another user; skipping");
        return;
    }
    let env = TestEnv::new();
    env.add(&["Theirs", "--id", "theirs"]);
    let marker = env.dir.path().join("editor-ran");
    env.git(&[
        "config",
        "core.editor",
        &format!("touch {}", marker.display()),
    ])
    .ok();
    let chown = env
        .command("chown")
        .args(["-R", "65534:65534"])
        .arg(&env.repo)
        .status()
        .unwrap();
    assert!(chown.success());
    let git = env.git(&["status"]);
    assert_ne!(git.code, 0, "git itself should refuse");
    for args in [&["list"][..], &["edit", "theirs"], &["note", "theirs", "x"]] {
        let run = env.task(args);
        run.code(2);
        run.assert_stderr("detected dubious ownership in repository at");
        run.assert_stderr("git config --global --add safe.directory");
    }
    assert!(!marker.exists(), "the repository's core.editor ran");
    assert!(!env.read("theirs").contains("notes"));
    // Listed as safe, as git would take it.
    let global = env.dir.path().join("home/.gitconfig");
    std::fs::write(
        &global,
        format!("[safe]\n\tdirectory = {}\n", env.repo.display()),
    )
    .unwrap();
    env.task(&["list"]).ok();
}

// ---------------------------------------------------------------------------
// 10. Symbolic links and size

#[cfg(unix)]
#[test]
fn a_link_to_a_device_is_refused_at_once_and_not_read() {
    let env = TestEnv::new();
    env.add(&["Real", "--id", "real"]);
    std::os::unix::fs::symlink("/dev/zero", env.tasks_dir().join("z.toml")).unwrap();
    let started = Instant::now();
    let list = env.task(&["list"]);
    list.code(2);
    list.assert_stderr(".tasks/z.toml:1:1: it is a symbolic link");
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout("error: .tasks/z.toml:1:1: it is a symbolic link");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[cfg(unix)]
#[test]
fn a_link_to_a_file_outside_is_never_shown_checked_or_replaced() {
    let env = TestEnv::new();
    let outside = env.dir.path().join("secret.toml");
    std::fs::write(&outside, "subject = \"the secret\"\n").unwrap();
    std::os::unix::fs::symlink(&outside, env.tasks_dir().join("leak.toml")).unwrap();
    let show = env.task(&["show", "leak"]);
    show.code(2);
    assert!(!show.stdout.contains("the secret") && !show.stderr.contains("the secret"));
    env.task(&["check"]).code(1);
    env.task(&["note", "leak", "written through"]).code(2);
    env.task(&["edit", "leak", "--subject", "changed"]).code(2);
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        "subject = \"the secret\"\n"
    );
    assert!(
        std::fs::symlink_metadata(env.tasks_dir().join("leak.toml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // Committed, it is refused by the commit hook too.
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "link"])
        .code(1)
        .assert_stderr(".tasks/leak.toml");
}

#[cfg(unix)]
#[test]
fn tasks_dir_gitattributes_and_gitignore_as_links_are_never_written_through() {
    let env = TestEnv::git_repo();
    let elsewhere = env.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, env.repo.join(".tasks")).unwrap();
    let init = env.task(&["init", "--no-hooks"]);
    init.code(2);
    init.assert_stderr(".tasks is a symbolic link");
    env.task(&["add", "Escape"]).code(2);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);

    std::fs::remove_file(env.repo.join(".tasks")).unwrap();
    let attributes = env.dir.path().join("attributes");
    std::fs::write(&attributes, "*.bin binary\n").unwrap();
    std::os::unix::fs::symlink(&attributes, env.repo.join(".gitattributes")).unwrap();
    let init = env.task(&["init", "--no-hooks"]);
    init.code(2);
    init.assert_stderr(".gitattributes is a symbolic link");
    assert_eq!(
        std::fs::read_to_string(&attributes).unwrap(),
        "*.bin binary\n"
    );

    std::fs::remove_file(env.repo.join(".gitattributes")).unwrap();
    let ignore = env.dir.path().join("ignore");
    std::fs::write(&ignore, "x\n").unwrap();
    // The refused init above made .tasks/ and its files already.
    std::fs::remove_file(env.tasks_dir().join(".gitignore")).unwrap();
    std::os::unix::fs::symlink(&ignore, env.tasks_dir().join(".gitignore")).unwrap();
    env.task(&["init", "--no-hooks"])
        .code(2)
        .assert_stderr(".tasks/.gitignore is a symbolic link");
    assert_eq!(std::fs::read_to_string(&ignore).unwrap(), "x\n");
}

#[test]
fn a_task_file_larger_than_the_limit_is_refused_without_being_parsed() {
    let env = TestEnv::new();
    let mut big = String::from("subject = \"Big\"\n");
    while big.len() <= 2 * 1024 * 1024 {
        big.push_str("# padding padding padding padding padding padding padding\n");
    }
    env.write("big", &big);
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout("more than the 2048 KiB a task file may have");
    env.commit_all("big");
    env.task(&["check", "--rev", "HEAD"])
        .code(1)
        .assert_stdout("more than the 2048 KiB");
}

// ---------------------------------------------------------------------------
// 13. Escape sequences in file names and in diagrams

#[test]
fn file_names_with_terminal_controls_are_shown_escaped() {
    let env = TestEnv::new();
    env.write("\u{1b}[2Jevil", "subject = \"x\"\n");
    for args in [&["check"][..], &["check", "--format", "github"]] {
        let run = env.task(args);
        run.code(1);
        assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
        run.assert_stdout("\\u{1b}[2Jevil.toml");
    }
    env.git(&["add", "-A"]).ok();
    let commit = env.git(&["commit", "-q", "-m", "evil"]);
    commit.code(1);
    assert!(!commit.stderr.contains('\u{1b}'), "{:?}", commit.stderr);
}

#[test]
fn diagrams_escape_direction_marks_and_keep_tasks_that_look_like_comments() {
    let env = TestEnv::new();
    env.add(&["Pay \u{200f}\u{202e}evil", "--id", "pay"]);
    env.add(&["%% hidden from the chart", "--id", "hidden"]);
    let graph = env.task(&["graph", "--format", "mermaid"]).ok().to_owned();
    for c in ['\u{200f}', '\u{202e}'] {
        assert!(!graph.contains(c), "{graph:?}");
    }
    let gantt = env.task(&["plan", "--format", "mermaid"]).ok().to_owned();
    assert!(!gantt.contains('\u{200f}') && !gantt.contains('\u{202e}'));
    let line = gantt
        .lines()
        .find(|l| l.contains("(hidden)"))
        .unwrap_or_else(|| panic!("the task is missing:\n{gantt}"));
    assert!(!line.trim_start().starts_with("%%"), "{line}");
}

// ---------------------------------------------------------------------------
// 14. The lock

#[cfg(unix)]
#[test]
fn the_lock_honours_core_shared_repository() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    // As `git init --shared=group` leaves it, set before or after the
    // first change: the lock is made group-writable either way.
    env.git(&["config", "core.sharedRepository", "group"]).ok();
    env.add(&["Shared", "--id", "shared"]);
    let mode = std::fs::metadata(env.repo.join(".git/git-task.lock"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o660, "{mode:o}");
}

#[test]
fn a_held_lock_names_its_holder_and_waiting_is_bounded() {
    let env = TestEnv::new();
    env.add(&["Held", "--id", "held"]);
    let holder = env
        .git_task_cmd()
        .env("GIT_TASK_TEST_PAUSE", "before-write=6000")
        .args(["note", "held", "slow"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = holder.id();
    env.wait_for_lock_holder(pid);
    let started = Instant::now();
    let waiter = env.task(&["--wait", "2", "note", "held", "fast"]);
    assert!(started.elapsed() < Duration::from_secs(5));
    waiter.code(2);
    waiter.assert_stderr(&format!("waiting for process {pid}"));
    waiter.assert_stderr(&format!("git-task.lock is held by process {pid}"));
    waiter.assert_stderr("gave up after 2 s");
    waiter.assert_stderr("note held slow");
    waiter.assert_stderr("hint: if that process is stopped (Ctrl-Z)");
    let holder = holder.wait_with_output().unwrap();
    assert!(holder.status.success());
    // Free again: a change goes through at once.
    env.task(&["--wait", "0", "note", "held", "fast"]).ok();
}

// ---------------------------------------------------------------------------
// 20. Text that only looks like a conflict marker

#[test]
fn text_that_looks_like_a_conflict_marker_is_accepted() {
    let env = TestEnv::new();
    let description = "Heading\n=======\n\n<<<<<<< not a conflict\n=======\n>>>>>>> still not\n";
    env.add(&["Markers", "--id", "markers", "--description", description]);
    env.task(&["check"]).ok();
    let show = env.task(&["show", "markers", "--json"]).json();
    assert_eq!(show["task"]["description"], description);
    env.write(
        "heading",
        "subject = \"Heading\"\ndescription = \"\"\"\nTitle\n=======\n\nbody\n\"\"\"\n",
    );
    env.task(&["check"]).ok();
    env.commit_all("markers");
    env.task(&["check", "--staged"]).ok();
}

// ---------------------------------------------------------------------------
// Errors that said too little

#[test]
fn errors_say_what_is_wrong_and_where() {
    let env = TestEnv::new();
    env.write("prio", "subject = \"P\"\npriority = 3\n");
    env.write("dup", "subject = \"D\"\nowner = \"a\"\nowner = \"b\"\n");
    std::fs::write(env.tasks_dir().join("CONFIG.toml"), "[ids]\n").unwrap();
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout(".tasks/prio.toml:2:12: the number 3 is not one of critical, high, medium, low; write it as a quoted word");
    check.assert_stdout(".tasks/dup.toml:3:1: `owner` is set twice");
    check.assert_stdout(".tasks/CONFIG.toml:1:1: settings are read only from .tasks/config.toml");
    assert!(
        !check.stdout.contains("merge them into"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_directory_named_like_a_task_is_reported_the_same_way_everywhere() {
    let env = TestEnv::new();
    std::fs::create_dir(env.tasks_dir().join("x.toml")).unwrap();
    let add = env.task(&["add", "X", "--id", "x"]);
    add.code(2);
    add.assert_stderr(".tasks/x.toml:1:1: it is a directory, not a task file");
    let show = env.task(&["show", "x"]);
    show.code(2);
    show.assert_stderr(".tasks/x.toml:1:1: it is a directory, not a task file");
    env.task(&["check"])
        .code(1)
        .assert_stdout("it is a directory, not a task file");
}

#[cfg(unix)]
#[test]
fn a_dangling_link_is_a_link_not_a_missing_file() {
    let env = TestEnv::new();
    std::os::unix::fs::symlink("nowhere.toml", env.tasks_dir().join("gone.toml")).unwrap();
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout(".tasks/gone.toml:1:1: it is a symbolic link");
    assert!(!check.stdout.contains("No such file"), "{}", check.stdout);
}

#[test]
fn check_of_head_in_a_repository_without_commits_says_so() {
    let env = TestEnv::new();
    let run = env.task(&["check", "--rev", "HEAD"]);
    run.code(2);
    run.assert_stderr("cannot read revision `HEAD`: the repository has no commits yet");
    assert!(!run.stderr.contains("malformed"), "{}", run.stderr);
}

#[test]
fn stray_files_folders_and_names_in_tasks_are_reported() {
    let env = TestEnv::new();
    env.add(&["Real", "--id", "real"]);
    std::fs::write(env.tasks_dir().join("README.md"), "# notes\n").unwrap();
    std::fs::create_dir(env.tasks_dir().join("archive")).unwrap();
    std::fs::write(
        env.tasks_dir().join("archive/old.toml"),
        "subject = \"Old\"\n",
    )
    .unwrap();
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.toml");
        std::fs::write(env.tasks_dir().join(name), "subject = \"C\"\n").unwrap();
    }
    let check = env.task(&["check"]);
    check.ok();
    check.assert_stdout("warning: .tasks/README.md:1:1: not a task file");
    check.assert_stdout(
        "warning: .tasks/archive:1:1: a directory inside .tasks/; git-task reads no subdirectories",
    );
    #[cfg(target_os = "linux")]
    check.assert_stdout("a file name that is not UTF-8");
    env.task(&["check", "--strict"]).code(1);
    // The index holds the same strays once they are staged.
    env.git(&["add", "-A"]).ok();
    env.task(&["check", "--staged"])
        .ok()
        .contains(".tasks/archive");
}

#[test]
fn a_modify_delete_conflict_is_reported_by_check_and_the_commit_hook() {
    let env = TestEnv::new();
    env.add(&["Disputed", "--id", "disputed"]);
    env.commit_all("base");
    env.git(&["checkout", "-q", "-b", "theirs"]).ok();
    env.task(&["rm", "disputed"]).ok();
    env.commit_all("theirs removes it");
    env.git(&["checkout", "-q", "main"]).ok();
    env.task(&["note", "disputed", "worked on it"]).ok();
    env.commit_all("ours works on it");
    env.git(&["merge", "-q", "theirs", "-m", "merge"]).code(1);
    // The file in the working tree is a valid task; the index says the
    // merge is not done.
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout(
        "error: .tasks/disputed.toml:1:1: the file is in conflict in the index (deleted by them)",
    );
    check.assert_stdout("`git rm :/.tasks/disputed.toml`");
    env.task(&["check", "--staged"])
        .code(1)
        .assert_stdout("(deleted by them)");
}

#[test]
fn the_editor_cannot_save_a_reference_to_a_task_that_does_not_exist() {
    let env = TestEnv::new();
    env.add(&["Edited", "--id", "edited"]);
    let before = env.read("edited");
    let editor = env.dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nprintf 'blocked_by = [\"nope\"]\\n' >> \"$1\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = run(env
        .git_task_cmd()
        .env("GIT_EDITOR", &editor)
        .args(["edit", "edited"])
        .stdin(Stdio::null()));
    run.code(2);
    run.assert_stderr("`blocked_by` names `nope`, but no task has that id");
    assert_eq!(env.read("edited"), before);
}

#[test]
fn windows_device_names_are_not_ids() {
    let env = TestEnv::new();
    for id in ["con", "nul", "com1", "lpt3", "aux", "prn"] {
        env.task(&["add", "Device", "--id", id])
            .code(2)
            .assert_stderr("device name on Windows");
        assert!(!env.tasks_dir().join(format!("{id}.toml")).exists());
    }
}

#[test]
fn io_errors_name_the_path_once() {
    let env = TestEnv::new();
    env.add(&["Edited", "--id", "edited"]);
    // The editor's draft goes to the temporary directory, which is gone.
    let missing = env.dir.path().join("no-such-tmp");
    let run = run(env
        .git_task_cmd()
        .env("TMPDIR", &missing)
        .env("GIT_EDITOR", "true")
        .args(["edit", "edited"]));
    run.code(2);
    let shown = missing.to_string_lossy();
    assert_eq!(run.stderr.matches(&*shown).count(), 1, "{}", run.stderr);
    run.assert_stderr("No such file or directory");
}
