//! The bad-input corpus (tests/bad-inputs/*.case): each case is one bad
//! file (a task file, the settings, a plan, another tracker's export, a
//! hook's input) and the command that meets it. The command must exit
//! with the case's code, name the file with the line and column of the
//! problem, and change no file of the working tree.
//!
//! The format of a case is in tests/bad-inputs/README.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::common::TestEnv;

struct Case {
    name: String,
    what: String,
    /// Where the contents go, relative to the repository; `-` for
    /// standard input.
    put: String,
    run: Vec<String>,
    expect: Vec<String>,
    exit: i32,
    contents: Vec<u8>,
}

fn parse(path: &Path) -> Case {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let split = bytes
        .windows(6)
        .position(|w| w == b"\n----\n")
        .unwrap_or_else(|| panic!("{name}: no `----` line after the header"));
    let header = std::str::from_utf8(&bytes[..split]).expect("the header is text");
    let contents = bytes[split + 6..].to_vec();
    let mut fields: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in header.lines() {
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{name}: `{line}` is not `Key: value`"));
        fields.entry(key.trim()).or_default().push(value.trim());
    }
    let one = |key: &str| -> String {
        match fields.get(key).map(Vec::as_slice) {
            Some([value]) => value.to_string(),
            _ => panic!("{name}: wants exactly one `{key}:` line"),
        }
    };
    for key in fields.keys() {
        assert!(
            ["What", "Put", "Run", "Expect", "Exit"].contains(key),
            "{name}: unknown header `{key}`"
        );
    }
    Case {
        what: one("What"),
        put: one("Put"),
        run: one("Run").split_whitespace().map(str::to_owned).collect(),
        expect: fields
            .get("Expect")
            .unwrap_or_else(|| panic!("{name}: no `Expect:` line"))
            .iter()
            .map(|s| s.to_string())
            .collect(),
        exit: one("Exit").parse().expect("Exit: a number"),
        contents,
        name,
    }
}

/// Every file under `dir` but `.git`, with its bytes and modification time.
fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                if entry.file_name() != ".git" {
                    stack.push(path);
                }
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(
                    rel,
                    (std::fs::read(&path).unwrap(), meta.modified().unwrap()),
                );
            }
        }
    }
    out
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-inputs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    paths.iter().map(|p| parse(p)).collect()
}

#[test]
fn every_bad_input_is_named_where_it_is_wrong_and_changes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        // A repository with two tasks, committed: `b` waits for `a`.
        let env = TestEnv::new();
        env.write("a", "subject = \"First\"\n");
        env.write("b", "subject = \"Second\"\nblocked_by = [\"a\"]\n");
        env.git(&["add", "-A"]).ok();
        env.git(&["commit", "-q", "-m", "tasks"]).ok();
        let args: Vec<&str> = case.run.iter().map(String::as_str).collect();
        let run = if case.put == "-" {
            let before = tree(&env.repo);
            let run = env.task_with_stdin(&args, &case.contents);
            (before, run)
        } else {
            let path = env.repo.join(&case.put);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &case.contents).unwrap();
            let before = tree(&env.repo);
            (before, env.task(&args))
        };
        let (before, run) = run;
        let after = tree(&env.repo);
        if std::env::var_os("BAD_INPUTS_SHOW").is_some() {
            eprintln!(
                "{}: exit {}\n{}{}",
                case.name, run.code, run.stderr, run.stdout
            );
        }
        let mut wrong = Vec::new();
        if run.code != case.exit {
            wrong.push(format!("exit {}, not {}", run.code, case.exit));
        }
        // `check` reports on standard output, every other command on
        // standard error: what the person sees is both.
        for expect in &case.expect {
            if !run.stderr.contains(expect.as_str()) && !run.stdout.contains(expect.as_str()) {
                wrong.push(format!("the output lacks `{expect}`"));
            }
        }
        if before != after {
            let changed: Vec<_> = after
                .keys()
                .chain(before.keys())
                .filter(|k| before.get(*k) != after.get(*k))
                .collect();
            wrong.push(format!("files changed: {changed:?}"));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{} ({}): {}\n--- stderr:\n{}--- stdout:\n{}",
                case.name,
                case.what,
                wrong.join("; "),
                run.stderr,
                run.stdout
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
