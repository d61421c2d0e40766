//! A hostile repository: what a stranger's clone, a fetched branch or a
//! pull request can hold to hurt whoever runs git-task in it. Links under
//! `.tasks/` pointing out of it, a task file of 100 MB, TOML nested
//! 100,000 deep, bytes and names that are not UTF-8, names equal up to
//! case, Windows device names, terminal controls and bidirectional marks
//! in every text field, and a configuration that names programs. Each is
//! met with the real binary in a real repository: refused with a message
//! that names the file, never followed, never run, never a crash.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Run, TestEnv, run};

/// Asserts that `run` ended by exiting with one of `codes`, not by a
/// signal (a stack overflow aborts: `Run::code` is then -1).
#[track_caller]
fn exits_with(run: &Run, codes: &[i32], what: &str) {
    assert!(
        codes.contains(&run.code),
        "{what}: exit {} (wanted one of {codes:?})\nstdout:\n{}\nstderr:\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
}

/// Every file under `dir`, recursively, with its bytes (links as their
/// targets): to show that nothing outside the repository changed.
fn tree_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.push((path, target.into_os_string().into_encoded_bytes()));
            } else if meta.is_dir() {
                todo.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

/// The start of a long text, for a message.
fn preview(text: &str) -> String {
    text.chars().take(300).collect()
}

#[track_caller]
fn is_link(path: &Path) {
    assert!(
        std::fs::symlink_metadata(path)
            .unwrap()
            .file_type()
            .is_symlink(),
        "{} is no longer a link",
        path.display()
    );
}

/// What makes [`peak_memory_helper`] measure a command: the files for its
/// output and report, the program and its arguments, split by `\x1f`.
const MEASURE: &str = "GIT_TASK_TEST_MEASURE";

/// Runs `cmd` to its end, as [`run`] does, and gives its peak resident
/// memory in KiB.
///
/// `wait4` tells a child's peak (`ru_maxrss`), but a child started from
/// this process counts this process's own peak too: std starts it with
/// `vfork`, sharing this process's memory until `exec`, and Linux keeps
/// the larger of the two. This process runs many tests and is large, so
/// the test binary is started afresh as a small helper
/// ([`peak_memory_helper`]) that starts `cmd`, waits for it and reports:
/// its own memory is all the measure can carry over.
#[cfg(target_os = "linux")]
fn run_measured(cmd: &mut Command) -> (Run, u64) {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let (out, err, report) = (file("out"), file("err"), file("report"));
    let mut spec = vec![out.clone(), err.clone(), report.clone()];
    spec.push(cmd.get_program().to_string_lossy().into_owned());
    spec.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    let mut helper = Command::new(std::env::current_exe().unwrap());
    helper
        .args([
            "hostile::peak_memory_helper",
            "--exact",
            "--ignored",
            "--test-threads",
            "1",
            "--quiet",
        ])
        .env_clear()
        .env(MEASURE, spec.join("\x1f"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            helper.env(key, value);
        }
    }
    if let Some(cwd) = cmd.get_current_dir() {
        helper.current_dir(cwd);
    }
    let status = helper.status().expect("run the test binary as a helper");
    assert!(status.success(), "the helper failed: {status}");
    let report = std::fs::read_to_string(&report).expect("the helper's report");
    let (code, kib) = report.trim().split_once(' ').expect("code and memory");
    let text = |p: &str| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    let run = Run {
        code: code.parse().unwrap(),
        stdout: text(&out),
        stderr: text(&err),
    };
    (run, kib.parse().unwrap())
}

/// Not a test, so ignored by a run of the suite: started by
/// [`run_measured`] with `GIT_TASK_TEST_MEASURE` set, it runs the command
/// that names, waits for it with `wait4` and writes its exit code (-1 for
/// a signal) and its peak memory in KiB.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "the helper of run_measured, not a test"]
fn peak_memory_helper() {
    let spec = std::env::var(MEASURE).expect("started by run_measured, which sets it");
    let spec: Vec<&str> = spec.split('\x1f').collect();
    let [out, err, report, program, args @ ..] = &spec[..] else {
        panic!("a bad {MEASURE}: {spec:?}");
    };
    let child = Command::new(program)
        .args(args)
        .env_remove(MEASURE)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(std::fs::File::create(err).unwrap())
        .spawn()
        .expect("run the command");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, for which zeroes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers are to live locals of the right types, and
        // `pid` is our own child, which nothing else waits for.
        let got = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if got == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
    drop(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    std::fs::write(report, format!("{code} {}\n", usage.ru_maxrss)).unwrap();
}

/// A path in the test's directory, outside the repository, as text.
fn dir_string(env: &TestEnv, name: &str) -> String {
    env.dir.path().join(name).to_string_lossy().into_owned()
}

// ---------------------------------------------------------------------------
// 1. Symbolic links anywhere under .tasks

/// The read commands of item 1, each with what it takes.
const READS: &[&[&str]] = &[
    &["list"],
    &["show", "first"],
    &["ready"],
    &["status"],
    &["check"],
    &["graph"],
    &["plan"],
    &["export"],
];

/// A repository with one task, `first`, and beside it, outside the
/// repository, a folder of task files that a link will point at.
fn with_outside() -> (TestEnv, PathBuf) {
    let env = TestEnv::new();
    env.add(&["First", "--id", "first"]);
    let outside = env.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("x.toml"), "subject = \"the secret outside\"\n").unwrap();
    std::fs::write(
        outside.join("first.toml"),
        "subject = \"the secret first\"\n",
    )
    .unwrap();
    std::fs::write(
        outside.join("config.toml"),
        "[ids]\nlength = 3\n[gates]\nbranches = [\"secret-branch\"]\n",
    )
    .unwrap();
    (env, outside)
}

#[track_caller]
fn no_secret(run: &Run, what: &str) {
    for stream in [&run.stdout, &run.stderr] {
        assert!(
            !stream.contains("secret"),
            "{what} showed what is outside:\n{stream}"
        );
    }
}

#[cfg(unix)]
#[test]
fn links_in_subdirectories_of_tasks_are_never_followed_by_reads_or_changes() {
    for linked_dir in [false, true] {
        let (env, outside) = with_outside();
        let sub = env.tasks_dir().join("sub");
        if linked_dir {
            // `.tasks/sub` is itself a link to a folder of task files.
            std::os::unix::fs::symlink(&outside, &sub).unwrap();
        } else {
            // `.tasks/sub` is a folder; its `x.toml` links outside.
            std::fs::create_dir(&sub).unwrap();
            std::os::unix::fs::symlink(outside.join("x.toml"), sub.join("x.toml")).unwrap();
        }
        let before = tree_of(&outside);
        for args in READS {
            let what = format!("{args:?} (linked folder: {linked_dir})");
            let run = env.task(args);
            exits_with(&run, &[0], &what);
            no_secret(&run, &what);
        }
        let check = env.task(&["check"]);
        if linked_dir {
            check.assert_stdout(
                "warning: .tasks/sub:1:1: a symbolic link; git-task never follows links in .tasks/",
            );
        } else {
            check.assert_stdout("warning: .tasks/sub:1:1: a directory inside .tasks/");
        }
        // `x` lives only behind the link: no command finds it.
        env.task(&["show", "x"])
            .code(2)
            .assert_stderr("no task has the id `x`");
        env.task(&["add", "Second", "--id", "second"]).ok();
        env.task(&["note", "first", "a note"]).ok();
        env.task(&["edit", "first", "--subject", "Renamed"]).ok();
        assert!(env.read("first").contains("a note"));
        assert!(env.tasks_dir().join("second.toml").is_file());
        assert_eq!(tree_of(&outside), before, "a file outside changed");
        if linked_dir {
            is_link(&sub);
        } else {
            is_link(&sub.join("x.toml"));
        }
    }
}

#[cfg(unix)]
#[test]
fn config_toml_as_a_link_is_refused_by_every_read_and_change() {
    let (env, outside) = with_outside();
    let config = env.tasks_dir().join("config.toml");
    std::fs::remove_file(&config).unwrap();
    std::os::unix::fs::symlink(outside.join("config.toml"), &config).unwrap();
    let before = tree_of(&outside);
    let refusal = ".tasks/config.toml:1:1: it is a symbolic link, and git-task never follows links in .tasks/";
    for args in READS {
        let run = env.task(args);
        let what = format!("{args:?}");
        exits_with(&run, &[1, 2], &what);
        assert!(
            run.stdout.contains(refusal) || run.stderr.contains(refusal),
            "{what} did not name the link:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        no_secret(&run, &what);
    }
    for args in [
        &["add", "Second", "--id", "second"][..],
        &["add", "Generated"],
        &["note", "first", "a note"],
        &["edit", "first", "--subject", "Renamed"],
    ] {
        let run = env.task(args);
        run.code(2).assert_stderr(refusal);
        no_secret(&run, &format!("{args:?}"));
    }
    assert!(!env.read("first").contains("a note"));
    assert!(!env.tasks_dir().join("second.toml").exists());
    assert_eq!(tree_of(&outside), before, "a file outside changed");
    is_link(&config);
}

#[cfg(unix)]
#[test]
fn tasks_as_a_link_is_refused_by_every_command_not_only_init() {
    let (env, outside) = with_outside();
    // The repository's own .tasks goes; a link to the outside folder,
    // which holds a `first.toml` of its own, takes its place.
    std::fs::remove_dir_all(env.tasks_dir()).unwrap();
    std::os::unix::fs::symlink(&outside, env.tasks_dir()).unwrap();
    let before = tree_of(&outside);
    let changes: &[&[&str]] = &[
        &["add", "Second", "--id", "second"],
        &["note", "first", "a note"],
        &["edit", "first", "--subject", "Renamed"],
        &["done", "first", "--no-verify"],
        &["rm", "first"],
    ];
    for args in READS.iter().chain(changes) {
        let run = env.task(args);
        run.code(2)
            .assert_stderr(".tasks is a symbolic link; git-task never follows links");
        no_secret(&run, &format!("{args:?}"));
    }
    assert_eq!(tree_of(&outside), before, "a file outside changed");
    is_link(&env.tasks_dir());
}

#[cfg(unix)]
#[test]
fn links_committed_under_tasks_are_refused_by_check_of_a_revision_and_the_commit_hook() {
    let (env, outside) = with_outside();
    env.commit_all("base");
    let tasks = env.tasks_dir();
    std::os::unix::fs::symlink(outside.join("x.toml"), tasks.join("leak.toml")).unwrap();
    std::os::unix::fs::symlink(&outside, tasks.join("folder")).unwrap();
    std::fs::remove_file(tasks.join("config.toml")).unwrap();
    std::os::unix::fs::symlink(outside.join("config.toml"), tasks.join("config.toml")).unwrap();
    std::fs::create_dir(tasks.join("sub")).unwrap();
    std::os::unix::fs::symlink(outside.join("first.toml"), tasks.join("sub/first.toml")).unwrap();
    let before = tree_of(&outside);
    env.git(&["add", "-A"]).ok();
    // git stores links as links (mode 120000): the commit hook reads the
    // index, and refuses.
    let commit = env.git(&["commit", "-q", "-m", "links"]);
    commit.code(1);
    commit.assert_stderr(".tasks/leak.toml:1:1: it is a symbolic link");
    commit.assert_stderr(".tasks/config.toml:1:1: it is a symbolic link");
    commit.assert_stderr(".tasks/folder:1:1: a symbolic link");
    no_secret(&commit, "the commit hook");
    env.git(&["commit", "-q", "--no-verify", "-m", "links"])
        .ok();
    let check = env.task(&["check", "--rev", "HEAD"]);
    check.code(1);
    check.assert_stdout("error: .tasks/leak.toml:1:1: it is a symbolic link");
    check.assert_stdout("error: .tasks/config.toml:1:1: it is a symbolic link");
    check.assert_stdout("warning: .tasks/folder:1:1: a symbolic link");
    check.assert_stdout("warning: .tasks/sub:1:1: a directory inside .tasks/");
    no_secret(&check, "check --rev HEAD");
    for args in [
        &["list", "--rev", "HEAD"][..],
        &["show", "leak", "--rev", "HEAD"],
        &["export", "--rev", "HEAD"],
    ] {
        let run = env.task(args);
        run.code(2).assert_stderr(".tasks/leak.toml");
        no_secret(&run, &format!("{args:?}"));
    }
    // The server's hook of a push of it says the same.
    let head = env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned();
    let zero = "0".repeat(40);
    let receive = env.task_with_stdin(
        &["hook", "pre-receive"],
        format!("{zero} {head} refs/heads/topic\n").as_bytes(),
    );
    receive.code(1).assert_stderr(".tasks/leak.toml");
    no_secret(&receive, "pre-receive");
    assert_eq!(tree_of(&outside), before, "a file outside changed");
}

// ---------------------------------------------------------------------------
// 2. A task file of 100 MB

/// What a run of git-task may take at most while it refuses a file of
/// 100 MB: the debug build needs about 35 MiB for anything; reading the
/// file whole would need 100 more.
const MEMORY_LIMIT_KIB: u64 = 80 * 1024;

#[cfg(target_os = "linux")]
#[test]
fn a_task_file_of_100_mb_is_refused_without_being_read_whole() {
    use std::io::Write;
    let env = TestEnv::new();
    env.add(&["Small", "--id", "small"]);
    let path = env.tasks_dir().join("big.toml");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        file.write_all(b"subject = \"Big\"\n").unwrap();
        let line = "# padding padding padding padding padding padding padding\n".repeat(1024);
        while file.get_ref().metadata().unwrap().len() < 100 * 1024 * 1024 {
            file.write_all(line.as_bytes()).unwrap();
            file.flush().unwrap();
        }
    }
    let limit = "more than the 2048 KiB a task file may have";
    let measured = |args: &[&str]| {
        let (run, kib) = run_measured(env.git_task_cmd().args(args));
        assert!(
            kib < MEMORY_LIMIT_KIB,
            "{args:?} took {kib} KiB refusing a 100 MB file"
        );
        run
    };
    measured(&["check"]).code(1).assert_stdout(limit);
    measured(&["list"])
        .code(2)
        .assert_stderr(".tasks/big.toml:1:1: the file is 1024")
        .assert_stderr(limit);
    measured(&["show", "big"]).code(2).assert_stderr(limit);
    // Committed: git holds it compressed; the size in the object's header
    // refuses it before it is inflated.
    env.commit_all("big");
    measured(&["check", "--rev", "HEAD"])
        .code(1)
        .assert_stdout(limit);
    measured(&["check", "--staged"])
        .code(1)
        .assert_stdout(limit);
    measured(&["list", "--rev", "HEAD"])
        .code(2)
        .assert_stderr(".tasks/big.toml");
    measured(&["hook", "pre-commit"])
        .code(1)
        .assert_stderr(limit);
    // The history reads the same blobs, with the same limit.
    let log = measured(&["log", "big"]);
    log.ok();
    log.assert_stdout("the file did not parse here: 1:1: the file is 1024")
        .assert_stdout(limit);
    measured(&["log", "small"]).ok();
}

// ---------------------------------------------------------------------------
// 3. TOML nested 100,000 deep

const DEPTH: usize = 100_000;

/// `key = [[[…]]]`, `depth` deep.
fn nested_arrays(key: &str, depth: usize) -> String {
    format!("{key} = {}{}\n", "[".repeat(depth), "]".repeat(depth))
}

/// `key = {a={a=…1…}}`, `depth` deep.
fn nested_tables(key: &str, depth: usize) -> String {
    format!("{key} = {}1{}\n", "{a=".repeat(depth), "}".repeat(depth))
}

const DEEP: &str = "cannot recurse further; max recursion depth met";

#[test]
fn toml_nested_100000_deep_is_an_error_naming_the_file_in_every_reader() {
    let env = TestEnv::new();
    env.add(&["First", "--id", "first"]);
    env.write(
        "arrays",
        &format!("subject = \"x\"\n{}", nested_arrays("labels", DEPTH)),
    );
    env.write(
        "tables",
        &format!("subject = \"x\"\n{}", nested_tables("meta", DEPTH)),
    );
    let reads: &[&[&str]] = &[
        &["list"],
        &["show", "arrays"],
        &["show", "tables"],
        &["show", "first"],
        &["ready"],
        &["graph"],
        &["export"],
    ];
    let named = |run: &Run, what: &str| {
        for file in ["arrays", "tables"] {
            let wanted = format!(".tasks/{file}.toml:2:");
            assert!(
                run.stdout.contains(&wanted) || run.stderr.contains(&wanted),
                "{what} did not name {file}:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
    };
    for args in reads {
        let run = env.task(args);
        let what = format!("{args:?}");
        exits_with(&run, &[2], &what);
        named(&run, &what);
        run.assert_stderr(DEEP);
    }
    let check = env.task(&["check"]);
    exits_with(&check, &[1], "check");
    named(&check, "check");
    env.commit_all("deep");
    let check = env.task(&["check", "--rev", "HEAD"]);
    exits_with(&check, &[1], "check --rev HEAD");
    named(&check, "check --rev HEAD");
    let hook = env.task(&["hook", "pre-commit"]);
    exits_with(&hook, &[1], "pre-commit");
    named(&hook, "pre-commit");
    // A config nested as deep is an error of config.toml.
    std::fs::write(
        env.tasks_dir().join("config.toml"),
        nested_arrays("x", DEPTH),
    )
    .unwrap();
    let list = env.task(&["list"]);
    exits_with(&list, &[2], "list with a deep config");
    list.assert_stderr(".tasks/config.toml:1:");
}

#[test]
fn the_merge_driver_meets_toml_nested_100000_deep_with_a_conflict() {
    let env = TestEnv::new();
    env.add(&["Shared", "--id", "shared"]);
    env.commit_all("base");
    let base = env.read("shared");
    env.git(&["checkout", "-q", "-b", "theirs"]).ok();
    env.write(
        "shared",
        &format!("{base}{}", nested_arrays("labels", DEPTH)),
    );
    env.commit_all("theirs nests");
    env.git(&["checkout", "-q", "main"]).ok();
    env.task(&["note", "shared", "ours"]).ok();
    env.commit_all("ours notes");
    // git runs the driver that `init` registered.
    let merge = env.git(&["merge", "-q", "theirs", "-m", "merge"]);
    merge.code(1);
    merge.assert_stderr(
        "conflict: .tasks/shared.toml:1: theirs (theirs) is not valid TOML (3:90: cannot recurse further",
    );
    let text = env.read("shared");
    assert!(text.starts_with("<<<<<<< HEAD\n"), "{}", preview(&text));
    assert!(text.contains("text = \"ours\""));
    let check = env.task(&["check"]);
    check.code(1).assert_stdout(".tasks/shared.toml");
    env.git(&["merge", "--abort"]).ok();

    // Run directly: every version nested, each way.
    let dir = env.dir.path();
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let base_path = write("base", &base);
    let ours = write("ours", &format!("{base}{}", nested_tables("meta", DEPTH)));
    let theirs = write(
        "theirs",
        &format!("{base}{}", nested_arrays("labels", DEPTH)),
    );
    let run = env.task(&[
        "merge-driver",
        &base_path,
        &ours,
        &theirs,
        ".tasks/shared.toml",
    ]);
    exits_with(&run, &[1], "merge-driver");
    run.assert_stderr(".tasks/shared.toml");
    run.assert_stderr(DEEP);
    let merged = std::fs::read_to_string(dir.join("ours")).unwrap();
    assert!(merged.starts_with("<<<<<<< "), "{}", preview(&merged));
    // A base nested that deep (with two readable sides) is no crash either.
    let deep_base = write("deep-base", &nested_tables("meta", DEPTH));
    let ours = write("ours2", &base);
    let theirs = write("theirs2", &base);
    let run = env.task(&[
        "merge-driver",
        &deep_base,
        &ours,
        &theirs,
        ".tasks/shared.toml",
    ]);
    exits_with(&run, &[0, 1], "merge-driver with a deep base");
}

#[test]
fn plans_and_exports_nested_100000_deep_are_errors_that_change_nothing() {
    let env = TestEnv::new();
    env.add(&["First", "--id", "first"]);
    let before = env.files_and_times();
    let dir = env.dir.path();
    let cases = [
        (
            "plan.toml",
            format!(
                "[tasks.a]\nsubject = \"x\"\n{}",
                nested_arrays("labels", DEPTH)
            ),
            "apply",
        ),
        (
            "tables.toml",
            format!(
                "[tasks.a]\nsubject = \"x\"\n{}",
                nested_tables("meta", DEPTH)
            ),
            "apply",
        ),
        (
            "plan.json",
            format!(
                "{{\"tasks\": {{\"a\": {{\"subject\": \"x\", \"labels\": {}{}}}}}}}\n",
                "[".repeat(DEPTH),
                "]".repeat(DEPTH)
            ),
            "apply",
        ),
        (
            "export.jsonl",
            format!(
                "{{\"version\":1,\"id\":\"deep\",\"subject\":\"x\",\"meta\":{}1{}}}\n",
                "{\"a\":".repeat(DEPTH),
                "}".repeat(DEPTH)
            ),
            "import",
        ),
    ];
    for (name, text, command) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_string_lossy().into_owned();
        let run = env.task(&[command, &path]);
        exits_with(&run, &[2], name);
        run.assert_stderr(&format!("{path}:"));
        assert!(
            run.stderr.contains("recursion") || run.stderr.contains(DEEP),
            "{name}: {}",
            run.stderr
        );
    }
    assert_eq!(env.files_and_times(), before);
}

// ---------------------------------------------------------------------------
// 4. Bytes and names that are not UTF-8

#[cfg(target_os = "linux")]
#[test]
fn bytes_and_names_that_are_not_utf8_are_reported_with_the_name_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::new();
    env.add(&["Fine", "--id", "fine"]);
    std::fs::write(
        env.tasks_dir().join("latin.toml"),
        b"subject = \"Caf\xe9\"\n",
    )
    .unwrap();
    for name in [
        &b"bad\xffname.toml"[..],
        b"\xfe\x1b[31m.toml",
        b"notes\xff.md",
    ] {
        std::fs::write(
            env.tasks_dir().join(std::ffi::OsStr::from_bytes(name)),
            "subject = \"x\"\n",
        )
        .unwrap();
    }
    let not_utf8 = ".tasks/latin.toml:1:15: the file is not UTF-8 text (byte 0xe9 at offset 14)";
    let names = [
        "warning: .tasks/bad\\xffname.toml:1:1: a file name that is not UTF-8",
        "warning: .tasks/\\xfe\\u{1b}[31m.toml:1:1: a file name that is not UTF-8",
        "warning: .tasks/notes\\xff.md:1:1: a file name that is not UTF-8",
    ];
    let clean = |run: &Run, what: &str| {
        for stream in [&run.stdout, &run.stderr] {
            assert!(
                !stream.contains(['\u{fffd}', '\u{1b}']),
                "{what}: a raw byte or control in {stream:?}"
            );
        }
    };
    let check = env.task(&["check"]);
    check.code(1).assert_stdout(not_utf8);
    for name in names {
        check.assert_stdout(name);
    }
    clean(&check, "check");
    let list = env.task(&["list"]);
    list.code(2).assert_stderr(not_utf8);
    list.assert_stdout("fine");
    clean(&list, "list");
    let show = env.task(&["show", "latin"]);
    show.code(2).assert_stderr(not_utf8);
    env.git(&["add", "-A"]).ok();
    let commit = env.git(&["commit", "-q", "-m", "bytes"]);
    commit.code(1).assert_stderr(not_utf8);
    for name in names {
        commit.assert_stderr(name);
    }
    clean(&commit, "the commit hook");
    env.git(&["commit", "-q", "--no-verify", "-m", "bytes"])
        .ok();
    let check = env.task(&["check", "--rev", "HEAD"]);
    check.code(1).assert_stdout(not_utf8);
    for name in names {
        check.assert_stdout(name);
    }
    clean(&check, "check --rev HEAD");
    env.task(&["list", "--rev", "HEAD"])
        .code(2)
        .assert_stderr(not_utf8);
    // Gone from the working tree, the revision still says so.
    std::fs::remove_file(env.tasks_dir().join("latin.toml")).unwrap();
    env.task(&["show", "latin", "--rev", "HEAD"])
        .code(2)
        .assert_stderr(not_utf8);
}

// ---------------------------------------------------------------------------
// 5. Ids equal up to case

#[test]
fn ids_equal_up_to_case_are_errors_and_never_the_same_task() {
    let env = TestEnv::new();
    env.add(&["Lower", "--id", "foo"]);
    env.write("Foo", "subject = \"Capital\"\n");
    env.write("FOO", "subject = \"Shouting\"\n");
    env.write("bar", "subject = \"Bar\"\nblocked_by = [\"FOO\"]\n");
    env.write("baz", "subject = \"Baz\"\nblocked_by = [\"foo\"]\n");
    let check = env.task(&["check"]);
    check.code(1);
    for name in ["Foo", "FOO"] {
        check.assert_stdout(&format!(
            "error: .tasks/{name}.toml:1:1: the file name differs from task `foo` only in case, and on a case-insensitive file system the two are one file; merge them into foo.toml"
        ));
    }
    check.assert_stdout(
        "error: .tasks/bar.toml:2:14: `FOO` is not a valid task id: ids are lower-case letters",
    );
    // The reads leave the three files out and say so; `foo` is foo.toml.
    let list = env.task(&["list"]);
    list.code(2).assert_stderr("3 files of .tasks/ do not read");
    assert!(!list.stdout.contains("Capital") && !list.stdout.contains("Shouting"));
    let show = env.task(&["show", "foo", "--json"]);
    assert_eq!(show.code, 2, "{}", show.stderr);
    assert_eq!(show.json()["task"]["subject"], "Lower");
    for id in ["Foo", "FOO"] {
        env.task(&["show", id])
            .code(2)
            .assert_stderr(&format!("`{id}` is not a valid task id"));
    }
    let blocked = env.task(&["blocked"]);
    blocked.assert_stdout("baz");
    blocked.assert_stdout("waits for foo \"Lower\"");
    // No command makes another one.
    env.task(&["add", "Again", "--id", "Foo"]).code(2);
    env.task(&["dep", "add", "baz", "FOO"]).code(2);
    env.task(&["note", "baz", "refused until the names are fixed"])
        .code(2)
        .assert_stderr(".tasks/Foo.toml");
    assert_eq!(
        env.read("baz"),
        "subject = \"Baz\"\nblocked_by = [\"foo\"]\n"
    );
    env.git(&["add", "-A"]).ok();
    let commit = env.git(&["commit", "-q", "-m", "case"]);
    commit.code(1);
    commit.assert_stderr(".tasks/Foo.toml:1:1: the file name differs from task `foo` only in case");
    commit.assert_stderr(".tasks/FOO.toml:1:1");
    commit.assert_stderr(".tasks/bar.toml:2:14");
}

// ---------------------------------------------------------------------------
// 6. Windows device names as files

#[test]
fn files_named_as_windows_devices_are_reported_and_refused_by_the_hook() {
    let env = TestEnv::new();
    env.add(&["Real", "--id", "real"]);
    let names = [
        "con", "aux", "nul", "com1", "prn", "lpt9", "com0", "CON", "Aux", "nUl", "COM1", "Lpt3",
    ];
    for name in names {
        env.write(name, "subject = \"device\"\n");
    }
    let check = env.task(&["check"]);
    check.code(1);
    for name in names {
        check.assert_stdout(&format!("error: .tasks/{name}.toml:1:1: the file name"));
    }
    for name in ["con", "aux", "nul", "com1", "prn", "lpt9", "com0"] {
        check.assert_stdout(&format!(
            "error: .tasks/{name}.toml:1:1: the file name is not a task id: it is a device"
        ));
    }
    let list = env.task(&["list"]);
    list.code(2);
    assert!(!list.stdout.contains("device"), "{}", list.stdout);
    env.git(&["add", "-A"]).ok();
    let commit = env.git(&["commit", "-q", "-m", "devices"]);
    commit.code(1);
    for name in names {
        commit.assert_stderr(&format!(".tasks/{name}.toml:1:1"));
    }
    commit.assert_stderr("The commit was stopped.");
    assert_ne!(env.git(&["rev-parse", "-q", "--verify", "HEAD"]).code, 0);
}

// ---------------------------------------------------------------------------
// 7. Control and bidirectional characters in every text field

/// What must never reach a terminal raw: every control character but
/// newline and tab, and the marks, embeddings, overrides and isolates of
/// bidirectional text.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Each character the fields carry, as TOML escapes: ESC (with a colour
/// code), CR, BEL, BS, RLO, LRI, RLM and NEL; and markup for the board.
const HOSTILE: &str =
    r"A\u001b[31mB\rC\u0007D\bE\u202eF\u2066G\u200fH\u0085I <img src=x onerror=alert(1)></script>";
/// The same without the CR, for the fields that must be one line.
const HOSTILE_LINE: &str =
    r"A\u001b[31mB C\u0007D\bE\u202eF\u2066G\u200fH\u0085I <img src=x onerror=alert(1)></script>";

/// The tasks with `text` (TOML-escaped) in every text field: `evil`, a
/// waived gate in progress; `work`, ready; `held`, a gate of the
/// configured branches waiting for `work`; `child` of `evil`.
fn write_tasks(env: &TestEnv, text: &str, line: &str) {
    env.write(
        "evil",
        &format!(
            "subject = \"S {line}\"\n\
             status = \"in_progress\"\n\
             gate = {{ branches = [\"main\", \"feat*\", \"G {text}\"] }}\n\
             owner = \"O {text}\"\n\
             estimate = \"1d\"\n\
             labels = [\"L {text}\", \"plain\"]\n\
             verify = \"V {text}\"\n\
             origin = \"taskwarrior:{line}\"\n\
             created = 2026-11-20T10:00:00Z\n\
             description = \"\"\"\nD {text}\nsecond line\n\"\"\"\n\
             \n[meta]\nk = \"M {text}\"\n\
             \n[[criteria]]\ntext = \"C {line}\"\n\
             \n[waiver]\nby = \"WB {text}\"\nreason = \"WR {text}\"\nat = 2026-11-20T10:00:00Z\n\
             \n[[notes]]\nat = 2026-11-20T10:00:00Z\nby = \"NB {text}\"\ntext = \"NT {text}\"\n"
        ),
    );
    env.write(
        "work",
        &format!(
            "subject = \"W {line}\"\nowner = \"O {text}\"\nlabels = [\"L {text}\"]\n\
             estimate = \"2h\"\ndue = 2026-11-01\ndescription = \"D {text}\"\n\
             created = 2026-11-20T10:00:00Z\n"
        ),
    );
    env.write(
        "held",
        &format!(
            "subject = \"H {line}\"\nblocked_by = [\"work\"]\nestimate = \"3h\"\ngate = true\n\
             created = 2026-11-20T10:00:00Z\n"
        ),
    );
    env.write(
        "child",
        &format!(
            "subject = \"K {line}\"\nparent = \"evil\"\nlabels = [\"L {text}\"]\n\
             created = 2026-11-20T10:00:00Z\n"
        ),
    );
    std::fs::write(
        env.tasks_dir().join("config.toml"),
        format!("[gates]\nbranches = [\"main\", \"feat*\", \"C {text}\"]\n"),
    )
    .unwrap();
}

/// A repository whose first commit holds the tasks with plain text and
/// whose second (by an author and with a message that hold controls)
/// gives every field the hostile text; HEAD on a branch whose name holds
/// an override and NEL (git refuses only ASCII controls in ref names).
fn hostile_repository() -> TestEnv {
    let env = TestEnv::new();
    write_tasks(&env, "plain", "plain");
    env.commit_all("plain");
    write_tasks(&env, HOSTILE, HOSTILE_LINE);
    env.task(&["check"]).ok();
    env.git(&["add", "-A"]).ok();
    env.git(&[
        "-c",
        "user.name=Eve \u{202e}\u{85}x",
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "hostile \u{1b}[2J\u{202e} \u{7}message\r",
    ])
    .ok();
    env.git(&["checkout", "-q", "-b", "feat\u{202e}\u{85}x"])
        .ok();
    env
}

/// Every read command with human output, each form of output.
const HUMAN_READS: &[&[&str]] = &[
    &["list"],
    &["list", "--tree"],
    &["list", "--ready"],
    &["list", "--blocked"],
    &["list", "--parent", "evil"],
    &["list", "--rev", "HEAD~1"],
    &["show", "evil"],
    &["show", "work"],
    &["show", "held"],
    &["show", "child"],
    &["show", "evil", "--rev", "HEAD"],
    &["ready"],
    &["blocked"],
    &["status"],
    &["plan"],
    &["plan", "--workers", "2"],
    &["plan", "--format", "mermaid"],
    &["critical-path"],
    &["tracks"],
    &["graph"],
    &["graph", "--all"],
    &["graph", "held"],
    &["graph", "--format", "human"],
    &["graph", "--format", "dot"],
    &["graph", "--format", "mermaid"],
    &["graph", "--format", "svg"],
    &["check"],
    &["check", "--staged"],
    &["check", "--rev", "HEAD"],
    &["check", "--format", "github"],
    &["lint"],
    &["lint", "--stale-days", "0"],
    &["lint", "--format", "github"],
    &["gate", "list"],
    &["criteria", "evil"],
    &["diff", "HEAD~1..HEAD"],
    &["diff", "HEAD~1..HEAD", "--format", "markdown"],
    &["log", "evil"],
    &["log", "work"],
    &["hooks", "status"],
];

/// Asserts that no stream of any run of `commands` holds a forbidden
/// character; returns how many runs there were.
#[track_caller]
fn assert_no_raw_controls(env: &TestEnv, commands: &[&[&str]], streams_of: &str) {
    let mut leaks = Vec::new();
    for args in commands {
        let run = env.task(args);
        assert!(
            run.code >= 0,
            "{args:?} was killed by a signal:\n{}",
            run.stderr
        );
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            let bad: Vec<char> = text.chars().filter(|&c| forbidden(c)).collect();
            if !bad.is_empty() {
                let line = text
                    .lines()
                    .find(|l| l.chars().any(forbidden))
                    .unwrap_or("");
                leaks.push(format!("{args:?} {stream}: {bad:?} in {line:?}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "raw control or bidi characters ({streams_of}):\n{}",
        leaks.join("\n")
    );
}

#[test]
fn controls_and_bidi_marks_in_every_text_field_are_never_printed_raw() {
    let env = hostile_repository();
    // The text is really there: JSON, which escapes controls, has it.
    let show = env.task(&["show", "evil", "--json"]).json();
    assert_eq!(
        show["task"]["owner"],
        "O A\u{1b}[31mB\rC\u{7}D\u{8}E\u{202e}F\u{2066}G\u{200f}H\u{85}I <img src=x onerror=alert(1)></script>"
    );
    assert_no_raw_controls(&env, HUMAN_READS, "task text, commits and branch");
    // What is shown escaped is shown, not dropped.
    let shown = env.task(&["show", "evil"]).ok().to_owned();
    for field in ["S", "O", "L", "V", "G", "D", "C", "WB", "WR", "NB", "NT"] {
        assert!(
            shown.contains(&format!("{field} A\\u{{1b}}[31mB")),
            "{field} is missing:\n{shown}"
        );
    }
    assert!(shown.contains("feat\\u{202e}\\u{85}x"), "{shown}");
    // The hooks, with the hostile branch in what git passes them.
    let head = env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned();
    let zero = "0".repeat(40);
    let branch = "refs/heads/feat\u{202e}\u{85}x";
    let push = env.task_with_stdin(
        &["hook", "pre-push", "origin", "/nowhere"],
        format!("{branch} {head} {branch} {zero}\n").as_bytes(),
    );
    push.code(1);
    push.assert_stderr("refs/heads/feat\\u{202e}\\u{85}x at");
    push.assert_stderr("gate `held`");
    let receive = env.task_with_stdin(
        &["hook", "pre-receive"],
        format!("{zero} {head} {branch}\n").as_bytes(),
    );
    receive.code(1);
    for run in [&push, &receive] {
        assert!(
            !run.stderr.chars().any(forbidden),
            "a hook printed raw controls: {:?}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn controls_and_bidi_marks_in_file_names_are_never_printed_raw() {
    let env = hostile_repository();
    for name in ["bad\u{1b}[2J\u{202e}name.toml", "notes\u{7}\u{2066}\r.md"] {
        std::fs::write(env.tasks_dir().join(name), "subject = \"x\"\n").unwrap();
    }
    std::fs::create_dir(env.tasks_dir().join("dir\u{85}\u{200f}")).unwrap();
    std::os::unix::fs::symlink("/nowhere", env.tasks_dir().join("link\u{1b}]0;t\u{7}.toml"))
        .unwrap();
    env.git(&["add", "-A"]).ok();
    let check = env.task(&["check"]);
    check.code(1);
    check.assert_stdout(".tasks/bad\\u{1b}[2J\\u{202e}name.toml:1:1");
    check.assert_stdout(".tasks/notes\\u{7}\\u{2066}\\r.md:1:1");
    check.assert_stdout(".tasks/link\\u{1b}]0;t\\u{7}.toml:1:1: it is a symbolic link");
    let changes: &[&[&str]] = &[
        &["note", "evil", "x"],
        &["add", "New"],
        &["hook", "pre-commit"],
    ];
    assert_no_raw_controls(&env, HUMAN_READS, "file names");
    assert_no_raw_controls(&env, changes, "file names, changes and the hook");
    let commit = env.git(&["commit", "-q", "-m", "names"]);
    commit.code(1);
    assert!(!commit.stderr.chars().any(forbidden), "{:?}", commit.stderr);
}

#[test]
fn the_board_escapes_the_markup_of_every_text_field() {
    let env = hostile_repository();
    let page = env.dir.path().join("board.html");
    let run = env.task(&["board", "-o", page.to_str().unwrap()]);
    run.ok();
    assert!(!run.stderr.chars().any(forbidden), "{:?}", run.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("onerror=alert(1)"), "the text is missing");
    assert!(
        !html.contains("<img src=x"),
        "task text became markup in the board"
    );
    assert!(
        !html.contains("</script><"),
        "task text ended a script element"
    );
}

// ---------------------------------------------------------------------------
// 8. Nothing from the repository runs

#[cfg(unix)]
#[test]
fn nothing_the_repository_names_is_ever_run_by_reads_hooks_or_the_merge_driver() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    env.add(&["First", "--id", "first", "--estimate", "1h"]);
    env.add(&["Gate", "--id", "release", "--gate", "--after", "first"]);
    env.commit_all("base");
    env.task(&["note", "first", "progress"]).ok();
    env.commit_all("progress");
    let markers = env.dir.path().join("markers");
    std::fs::create_dir(&markers).unwrap();
    let touch = |name: &str| format!("touch {}/{name}", markers.display());
    // A task that names a command: only `done` runs it.
    env.write(
        "verified",
        &format!("subject = \"V\"\nverify = \"{}\"\n", touch("verify")),
    );
    let script = env.tasks_dir().join("evil.sh");
    std::fs::write(&script, format!("#!/bin/sh\n{}\n", touch("script"))).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let head = env.git(&["rev-parse", "HEAD"]).ok().trim().to_owned();
    let base = env.git(&["rev-parse", "HEAD~1"]).ok().trim().to_owned();
    // From here on git itself would run them: only git-task runs.
    for (key, name) in [
        ("core.fsmonitor", "fsmonitor"),
        ("core.pager", "pager"),
        ("pager.log", "pager-log"),
        ("diff.external", "diff-external"),
        ("core.sshCommand", "ssh"),
        ("filter.evil.clean", "clean"),
        ("filter.evil.smudge", "smudge"),
        ("filter.evil.process", "process"),
        ("diff.evil.textconv", "textconv"),
        ("diff.evil.command", "diff-command"),
        ("merge.evil.driver", "merge-driver"),
        ("core.editor", "editor"),
        ("sequence.editor", "sequence-editor"),
        ("core.askPass", "askpass"),
        ("gpg.program", "gpg"),
        ("core.hooksPath", "hooks"),
    ] {
        env.git(&["config", key, &touch(name)]).ok();
    }
    let attributes = env.repo.join(".gitattributes");
    let mut text = std::fs::read_to_string(&attributes).unwrap();
    text.push_str("* filter=evil diff=evil\n.tasks/*.toml merge=evil\n");
    std::fs::write(&attributes, text).unwrap();
    std::fs::write(
        env.tasks_dir().join(".gitattributes"),
        "* filter=evil diff=evil\n",
    )
    .unwrap();
    let board = dir_string(&env, "board.html");
    let reads: &[&[&str]] = &[
        &["list"],
        &["list", "--tree"],
        &["show", "first"],
        &["show", "verified"],
        &["ready"],
        &["blocked"],
        &["status"],
        &["plan"],
        &["critical-path"],
        &["tracks"],
        &["graph"],
        &["graph", "--format", "dot"],
        &["graph", "--format", "svg"],
        &["check"],
        &["check", "--staged"],
        &["check", "--rev", "HEAD"],
        &["lint"],
        &["gate", "list"],
        &["criteria", "first"],
        &["diff", "HEAD~1..HEAD"],
        &["diff", "HEAD~1..HEAD", "--format", "markdown"],
        &["log", "first"],
        &["export"],
        &["hooks", "status"],
        &["board", "-o", &board],
        &["list", "--json"],
        &["show", "verified", "--json"],
    ];
    for args in reads {
        let run = env.task(args);
        exits_with(&run, &[0, 1], &format!("{args:?}"));
    }
    let zero = "0".repeat(40);
    let hooks: [(&[&str], String); 4] = [
        (&["hook", "pre-commit"], String::new()),
        (&["hook", "pre-merge-commit"], String::new()),
        (
            &["hook", "pre-push", "origin", "/nowhere"],
            format!("refs/heads/main {head} refs/heads/main {base}\n"),
        ),
        (
            &["hook", "pre-receive"],
            format!("{base} {head} refs/heads/main\n{zero} {head} refs/heads/new\n"),
        ),
    ];
    for (args, input) in hooks {
        let run = env.task_with_stdin(args, input.as_bytes());
        exits_with(&run, &[0, 1], &format!("{args:?}"));
    }
    // The merge driver, as git would run it.
    let dir = env.dir.path();
    let version = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let first = env.read("first");
    let (b, o, t) = (
        version("base", &first),
        version("ours", &format!("owner = \"ana\"\n{first}")),
        version("theirs", &format!("labels = [\"x\"]\n{first}")),
    );
    env.task(&["merge-driver", &b, &o, &t, ".tasks/first.toml"])
        .ok();
    // A terminal, where a pager would start.
    if common::have_tool("script", "commands on a terminal") {
        let bin = env!("CARGO_BIN_EXE_git-task");
        for args in ["show first", "log first", "list", "diff HEAD~1..HEAD"] {
            let out = run(env
                .command("script")
                .env("TERM", "xterm-256color")
                .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
                .stdin(Stdio::null()));
            assert_eq!(out.code, 0, "{args}: {}{}", out.stdout, out.stderr);
        }
    }
    let ran: Vec<String> = std::fs::read_dir(&markers)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        ran.is_empty(),
        "git-task ran what the repository names: {ran:?}"
    );
    // The markers work: git itself runs what the configuration names.
    env.git(&["diff", "HEAD~1"]);
    assert!(
        std::fs::read_dir(&markers).unwrap().next().is_some(),
        "git left no marker either: the control does not work"
    );
}
