//! The reference in `docs/` stays true: every command and option the
//! binary has is described, every field the JSON has is listed, every link
//! leads somewhere, and nothing points at a document outside the
//! repository.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::TestEnv;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The names listed under `Commands:` in a help text.
fn commands_in(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

/// The long options a command's long help lists (the lines that start an
/// option, not its description), without the global ones.
fn options_in(help: &str) -> BTreeSet<String> {
    const GLOBAL: &[&str] = &["--json", "--color", "--wait", "--help", "--version"];
    help.lines()
        .filter(|l| {
            let indent = l.len() - l.trim_start().len();
            indent <= 6 && l.trim_start().starts_with('-')
        })
        .filter_map(|l| {
            l.split_whitespace()
                .map(|w| w.trim_end_matches(',').split('=').next().unwrap())
                .find(|w| {
                    w.len() > 2
                        && w.starts_with("--")
                        && w[2..].chars().all(|c| c.is_ascii_lowercase() || c == '-')
                })
                .map(str::to_owned)
        })
        .filter(|w| !GLOBAL.contains(&w.as_str()))
        .collect()
}

/// Whether `text` names `option` as a word of its own (`--all`, not
/// `--all-of-it`).
fn names(text: &str, option: &str) -> bool {
    text.match_indices(option).any(|(n, _)| {
        text[n + option.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-'))
    })
}

/// Every command the binary has, with subcommands as `dep add`.
fn all_commands(env: &TestEnv) -> Vec<String> {
    let mut all = Vec::new();
    for command in commands_in(env.task(&["--help"]).ok()) {
        let help = env.task(&["help", &command]).ok().to_owned();
        let subcommands = commands_in(&help);
        if subcommands.is_empty() {
            all.push(command);
        } else {
            all.extend(subcommands.into_iter().map(|s| format!("{command} {s}")));
        }
    }
    all
}

/// The text of `docs/commands.md` from the heading that names `command`
/// to the next heading.
fn section<'a>(doc: &'a str, command: &str) -> Option<&'a str> {
    let name = format!("`git task {command}");
    let start = doc.lines().position(|l| {
        l.starts_with("### ")
            && l.split(", ").any(|part| {
                part.contains(&name) && {
                    let rest = &part[part.find(&name).unwrap() + name.len()..];
                    rest.starts_with('`') || rest.starts_with(' ')
                }
            })
    })?;
    let lines: Vec<&str> = doc.lines().collect();
    let from = lines[..start].iter().map(|l| l.len() + 1).sum::<usize>();
    let len = lines[start..]
        .iter()
        .enumerate()
        .take_while(|(n, l)| *n == 0 || !l.starts_with('#'))
        .map(|(_, l)| l.len() + 1)
        .sum::<usize>();
    Some(&doc[from..(from + len).min(doc.len())])
}

#[test]
fn every_command_and_option_is_in_the_reference() {
    let env = TestEnv::bare_dir();
    let doc = read("docs/commands.md");
    let mut missing = Vec::new();
    let commands = all_commands(&env);
    assert!(
        commands.len() > 30,
        "the command list lost commands: {commands:?}"
    );
    for command in &commands {
        let Some(text) = section(&doc, command) else {
            missing.push(format!("no section for `git task {command}`"));
            continue;
        };
        let mut args = vec!["help"];
        args.extend(command.split(' '));
        let help = env.task(&args).ok().to_owned();
        for option in options_in(&help) {
            if !names(text, &option) {
                missing.push(format!("`git task {command}`: {option} is not described"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/commands.md is behind:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_field_of_the_task_object_is_in_the_reference() {
    let env = TestEnv::new();
    env.task(&[
        "add",
        "Build",
        "--id",
        "build",
        "-e",
        "1d 4h",
        "--due",
        "2026-11-01",
    ])
    .ok();
    env.task(&[
        "add",
        "Ship",
        "--id",
        "ship",
        "--gate",
        "--after",
        "build",
        "--criteria",
        "signed",
    ])
    .ok();
    env.task(&["start", "build"]).ok();
    env.task(&["note", "build", "begun"]).ok();
    let shown: serde_json::Value =
        serde_json::from_str(env.task(&["--json", "show", "ship"]).ok()).unwrap();
    let listed: serde_json::Value =
        serde_json::from_str(env.task(&["--json", "list"]).ok()).unwrap();
    let doc = read("docs/json.md");
    let table = doc
        .split("## The task object")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    let documented: BTreeSet<String> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .flat_map(|l| {
            l.split('|')
                .nth(1)
                .unwrap()
                .split(',')
                .map(|f| f.trim().trim_matches('`').to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for task in listed["tasks"].as_array().unwrap() {
        keys.extend(task.as_object().unwrap().keys().cloned());
    }
    let show_only = ["children", "path", "gate_state"];
    let undocumented: Vec<&String> = keys.iter().filter(|k| !documented.contains(*k)).collect();
    assert!(
        undocumented.is_empty(),
        "docs/json.md lacks {undocumented:?}"
    );
    let gone: Vec<&String> = documented.iter().filter(|k| !keys.contains(*k)).collect();
    assert!(
        gone.is_empty(),
        "docs/json.md lists fields list --json lacks: {gone:?}"
    );
    let plain: serde_json::Value =
        serde_json::from_str(env.task(&["--json", "show", "build"]).ok()).unwrap();
    assert_eq!(
        plain["task"]["gate_state"],
        serde_json::Value::Null,
        "{plain}"
    );
    for key in show_only {
        assert!(shown["task"].get(key).is_some(), "show --json lacks {key}");
        assert!(
            table.contains(&format!("`{key}`")),
            "docs/json.md lacks {key}"
        );
    }
}

/// The markdown files of the repository that people read.
fn documents() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec!["README.md".to_owned(), "BENCHMARKS.md".to_owned()];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".md") {
            files.push(format!("docs/{name}"));
        }
    }
    files
}

#[test]
fn links_between_documents_lead_somewhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut broken = Vec::new();
    for file in documents() {
        let text = read(&file);
        let dir = Path::new(&file).parent().unwrap();
        for (n, _) in text.match_indices("](") {
            let rest = &text[n + 2..];
            let target = &rest[..rest.find(')').unwrap_or(rest.len())];
            if target.contains("://") || target.starts_with('#') {
                continue;
            }
            let path = target.split('#').next().unwrap();
            if !root.join(dir).join(path).exists() {
                broken.push(format!("{file}: {target}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "links to nothing:\n{}",
        broken.join("\n")
    );
}

#[test]
fn nothing_points_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = documents();
    let mut dirs = vec![root.join("src"), root.join("tests")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let this = "tests/it/docs.rs";
    let mut found = Vec::new();
    for file in files.iter().filter(|f| *f != this) {
        for (n, line) in read(file).lines().enumerate() {
            if line.contains("DESIGN.md") || line.contains('§') || line.contains("the design") {
                found.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "these refer to a document outside the repository:\n{}",
        found.join("\n")
    );
}
