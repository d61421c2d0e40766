//! The shape of the code that a second front end relies on: gix stays
//! behind the store, JSON is never assembled by hand, and a command module
//! of the CLI uses only the CLI's shared modules, never another command's
//! helpers. Each rule reads the sources as text.

use std::path::{Path, PathBuf};

fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut out);
    assert!(!out.is_empty(), "no sources in {dir}");
    out
}

/// The places in `text` where `pattern` is used as code, skipping
/// comment lines.
fn uses(text: &str, pattern: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//") && l.contains(pattern))
        .map(|(n, _)| n + 1)
        .collect()
}

#[test]
fn gix_is_used_only_by_the_store() {
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let leaks: Vec<String> = sources("src")
        .iter()
        .filter(|(path, _)| !path.starts_with(&store))
        .flat_map(|(path, text)| {
            uses(text, "gix::")
                .into_iter()
                .map(move |n| format!("{}:{n}", path.display()))
        })
        .collect();
    assert!(leaks.is_empty(), "gix outside src/store: {leaks:?}");
}

#[test]
fn json_documents_are_types_not_literals() {
    let literals: Vec<String> = ["src/cli", "src/output"]
        .iter()
        .flat_map(|dir| sources(dir))
        .flat_map(|(path, text)| {
            uses(&text, "json!(")
                .into_iter()
                .filter(|&n| !text.lines().nth(n - 1).unwrap().contains("json_schema!("))
                .map(|n| format!("{}:{n}", path.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(literals.is_empty(), "JSON built by hand: {literals:?}");
}

#[test]
fn cli_commands_use_only_the_shared_cli_modules() {
    // What every command may use: the renderers and the terminal, the
    // format vocabulary, the error mapping, the flags add and edit share,
    // and claims.
    let shared = [
        "ui",
        "render",
        "table",
        "format",
        "command_error",
        "advice",
        "fields",
        // How claims are taken and given back: `claim`, `ready --claim`,
        // and the release after `done`, `cancel`, `reopen`, `reset`.
        "claims",
        // The progress bar of a long change: `import`, `sync`.
        "progress",
        // `done` as the CLI, `mcp` and `serve` run it.
        "completion",
        // What a board shows and how it is drawn: `board`, and `serve`,
        // which serves the same page live.
        "board",
    ];
    let mut foreign = Vec::new();
    for (path, text) in sources("src/cli") {
        for (n, line) in text.lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("super::") {
                rest = &rest[at + "super::".len()..];
                // `super::{a, b::c}` and `super::b::c`: every module named
                // in the path or the braces.
                let part = match rest.strip_prefix('{') {
                    Some(braced) => braced.split('}').next().unwrap_or(braced),
                    None => rest
                        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                        .next()
                        .unwrap_or(rest),
                };
                for word in part
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .filter_map(|w| w.split_once("::").map(|(m, _)| m))
                {
                    let module = word.trim_start_matches("super");
                    if !module.is_empty()
                        && module.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        && !shared.contains(&module)
                    {
                        foreign.push(format!("{}:{}: {module}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(
        foreign.is_empty(),
        "a command uses another command's module: {foreign:?}"
    );
}
