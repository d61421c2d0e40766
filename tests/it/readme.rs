//! The README's tour is real: every `$ command` in its console blocks runs,
//! in order, in a fresh directory, and prints exactly what the README shows.

use crate::common;

use std::path::Path;

use common::{TestEnv, have_tool};

/// `(command, expected output lines)` for every `$ ` line of the console
/// blocks of the README.
fn steps(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut steps: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```console") {
            in_console = true;
        } else if line.starts_with("```") {
            in_console = false;
        } else if in_console {
            if let Some(command) = line.strip_prefix("$ ") {
                steps.push((command.to_owned(), Vec::new()));
            } else if let Some((_, out)) = steps.last_mut() {
                out.push(line.to_owned());
            }
        }
    }
    steps
}

#[test]
fn the_readme_tour_prints_what_it_says() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let steps = steps(&readme);
    assert!(steps.len() > 40, "the tour lost its commands");
    if readme.contains("| jq") && !have_tool("jq", "the README test") {
        return;
    }
    let env = TestEnv::bare_dir();
    // `git task` runs `git-task` from PATH, as it will for a user.
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_git-task")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut script = String::from("set -u\n");
    for (n, (command, _)) in steps.iter().enumerate() {
        script.push_str(&format!("echo '@@step {n}'\n{{ {command} ; }} 2>&1\n"));
    }
    let out = env
        .command("bash")
        .env("PATH", path)
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut got: Vec<Vec<String>> = vec![Vec::new(); steps.len()];
    let mut current = None;
    for line in stdout.lines() {
        if let Some(n) = line.strip_prefix("@@step ") {
            current = n.parse::<usize>().ok();
        } else if let Some(n) = current {
            got[n].push(line.to_owned());
        }
    }
    let mut mismatches = Vec::new();
    for (n, (command, expected)) in steps.iter().enumerate() {
        if &got[n] != expected {
            mismatches.push(format!(
                "$ {command}\n--- README\n{}\n--- actual\n{}",
                expected.join("\n"),
                got[n].join("\n")
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "the README is out of date:\n\n{}",
        mismatches.join("\n\n")
    );
}
