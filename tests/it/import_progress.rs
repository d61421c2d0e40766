//! The progress bar of a long import: drawn on a terminal, never into a
//! pipe.

use crate::common::{self, TestEnv};

/// An export of `n` tasks that wait for nothing.
fn many(env: &TestEnv, n: usize) -> String {
    let text: String = (0..n)
        .map(|i| format!("{{\"version\":1,\"id\":\"t{i}\",\"subject\":\"Task {i}\"}}\n"))
        .collect();
    let path = env.dir.path().join("many.jsonl");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn a_long_import_shows_a_bar_on_a_terminal_and_nothing_in_a_pipe() {
    if !common::have_tool("script", "a progress bar on a terminal") {
        return;
    }
    let env = TestEnv::git_repo();
    env.task(&["init"]).code(0);
    let file = many(&env, 600);
    // Standard output to /dev/null: what the terminal shows is the bar.
    let mut cmd = env.command("script");
    cmd.args([
        "-qec",
        &format!("git-task import {file} > /dev/null"),
        "/dev/null",
    ])
    .env("TERM", "xterm-256color");
    let out = common::run(&mut cmd);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("importing ["), "{out:?}");
    assert!(out.stdout.contains("/600 files"), "{out:?}");

    // Into a pipe: the report, and not a byte of a bar.
    let other = TestEnv::git_repo();
    other.task(&["init"]).code(0);
    let run = other.task(&["import", &file]);
    run.code(0).assert_stdout("600 created");
    assert_eq!(run.stderr, "");
    // Again, on the terminal: nothing is written, so nothing is drawn.
    let out = common::run(&mut cmd);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("importing ["), "{out:?}");
}
