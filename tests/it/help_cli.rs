//! The help text and the man page: what `--help`, `git task man` and
//! `git help task` show.

use crate::common;

use std::path::Path;

use common::{TestEnv, find_tool, have_tool, run};

/// Every command path `git task help` lists, subcommands included.
fn commands(env: &TestEnv, prefix: &[&str]) -> Vec<Vec<String>> {
    let mut args: Vec<&str> = prefix.to_vec();
    args.push("--help");
    let help = env.task(&args);
    let text = help.ok();
    let Some(start) = text.find("Commands:\n") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for line in text[start + 10..].lines() {
        if !line.starts_with("  ") {
            break;
        }
        let name = line.split_whitespace().next().unwrap().to_owned();
        if name == "help" {
            continue;
        }
        let mut path: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
        path.push(name);
        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
        let children = commands(env, &refs);
        found.push(path);
        found.extend(children);
    }
    found
}

/// The long options listed under a heading of a help text, as `--name`.
fn options_under(text: &str, heading: &str) -> Vec<String> {
    let Some((_, rest)) = text.split_once(&format!("\n{heading}:\n")) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for line in rest.lines() {
        if !line.is_empty() && !line.starts_with(' ') {
            break;
        }
        let line = line.trim_start();
        if !line.starts_with('-') {
            continue;
        }
        for word in line.split_whitespace() {
            let word = word.trim_end_matches(',');
            if word.starts_with('-') {
                found.push(word.to_owned());
            } else if !word.starts_with('<') {
                break;
            }
        }
    }
    found
}

#[test]
fn global_options_have_their_own_heading_in_every_command() {
    let env = TestEnv::new();
    let all = commands(&env, &[]);
    assert!(all.len() > 30, "{all:?}");
    for path in all {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = env.task(&args);
        let text = help.ok();
        let own = options_under(text, "Options");
        let global = options_under(text, "Global options");
        assert_eq!(
            global,
            ["-C", "--json", "--color", "--wait"],
            "{path:?}:\n{text}"
        );
        for option in &global {
            assert!(
                !own.contains(option),
                "{path:?}: {option} among its own options"
            );
        }
    }
}

#[test]
fn json_with_another_format_is_refused() {
    let env = TestEnv::new();
    env.task(&["check", "--json", "--format", "github"])
        .code(2)
        .assert_stderr("--json and --format github ask for different outputs; give one of them (--json means --format json)")
        .assert_stderr("Usage: git task check");
    env.task(&["diff", "HEAD", "--format", "markdown", "--json"])
        .code(2)
        .assert_stderr("--json and --format markdown");
    env.task(&["graph", "--json", "--format", "dot"]).code(2);
    // The same answer twice is no conflict.
    let json = env.task(&["graph", "--json", "--format", "json"]).json();
    assert_eq!(json["version"], 1);
    env.task(&["check", "--format", "github"]).ok();
    env.task(&["check", "--json"]).json();
}

#[test]
fn the_man_page_has_every_command_with_its_arguments_and_options() {
    let env = TestEnv::new();
    let page = env.task(&["man"]).ok().to_owned();
    assert!(
        !page.contains("git-task-add"),
        "names pages that do not exist"
    );
    let roff = |s: &str| s.replace('-', "\\-");
    let mut checked = 0;
    for path in commands(&env, &[]) {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = env.task(&args);
        let text = help.ok();
        let usage = text
            .lines()
            .find_map(|l| l.strip_prefix("Usage: "))
            .expect("a usage line");
        assert!(
            page.contains(&format!(".SS \"{}\"", roff(usage))),
            "no section with the synopsis {usage:?}"
        );
        // Every option of the command is described in its section.
        let section = page
            .split(&format!(".SS \"{}\"", roff(usage)))
            .nth(1)
            .unwrap()
            .split(".SS ")
            .next()
            .unwrap();
        for option in options_under(text, "Options") {
            let Some(long) = option.strip_prefix("--") else {
                continue;
            };
            if long == "help" || long == "version" {
                continue;
            }
            assert!(
                section.contains(&format!("\\fB\\-\\-{}\\fR", roff(long))),
                "{path:?}: --{long} missing from its man section"
            );
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} options seen");
    for global in [
        "\\fB\\-C\\fR \\fIDIR\\fR",
        "\\fB\\-\\-wait\\fR \\fISECONDS\\fR",
    ] {
        assert!(page.contains(global), "{global} missing");
    }
}

/// A copy of the binary in `prefix/bin`, as `cargo install --root prefix`
/// leaves it (a hard link: the temp dir is in the target directory).
fn installed_binary(prefix: &Path) -> std::path::PathBuf {
    let bin = prefix.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("git-task");
    let built = Path::new(env!("CARGO_BIN_EXE_git-task"));
    if std::fs::hard_link(built, &exe).is_err() {
        std::fs::copy(built, &exe).unwrap();
    }
    exe
}

#[test]
fn man_install_writes_beside_the_binary_where_man_finds_it_from_path() {
    let env = TestEnv::new();
    let prefix = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let prefix = prefix.path().join("cargo");
    let exe = installed_binary(&prefix);
    let out = run(env
        .command(exe.to_str().unwrap())
        .args(["man", "--install"]));
    let page = prefix.join("share/man/man1/git-task.1");
    assert_eq!(out.ok(), format!("installed {}\n", page.display()));
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        env.task(&["man"]).ok()
    );
    // --man-dir puts it elsewhere.
    let other = env.dir.path().join("man");
    let out = env.task(&["man", "--install", "--man-dir", other.to_str().unwrap()]);
    assert_eq!(
        out.ok(),
        format!("installed {}\n", other.join("man1/git-task.1").display())
    );
    if !have_tool(
        "man",
        "finding the installed page with `man -w` and `git help task`",
    ) {
        return;
    }
    let man = find_tool("man").unwrap();
    // man where it is, then only the system's directories.
    let path = format!(
        "{}:{}:/usr/bin:/bin",
        prefix.join("bin").display(),
        man.parent().unwrap().display()
    );
    // man-db searches DIR/../share/man for every DIR on PATH: no MANPATH,
    // no ~/.local/bin.
    let found = run(env
        .command("man")
        .env("PATH", &path)
        .env_remove("MANPATH")
        .args(["-w", "git-task"]));
    assert_eq!(found.ok().trim(), page.display().to_string());
    let shown = run(env
        .command("git")
        .env("PATH", &path)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .args(["help", "task"]));
    let text = shown.ok();
    assert!(text.contains("git task add [OPTIONS] [SUBJECT]"), "{text}");
    assert!(
        text.contains("git task dep add [OPTIONS] <ID> <BLOCKERS>..."),
        "{text}"
    );
}
