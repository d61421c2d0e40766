//! Shell completion: the scripts `git task completions` prints, run in the
//! real shells against a real repository, and the ids and values they offer.

use crate::common;

use common::{TestEnv, have_tool, run};

const GIT_COMPLETION: &str = "/usr/share/bash-completion/completions/git";
const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

/// A repository with two tasks, and the script for `shell` written to the
/// temp dir.
fn repo_with_script(shell: &str) -> (TestEnv, std::path::PathBuf) {
    let env = TestEnv::new();
    env.add(&["Build the parser", "--id", "parser"]);
    env.add(&["Write the docs", "--id", "docs"]);
    let script = env.dir.path().join(format!("git-task.{shell}"));
    std::fs::write(&script, env.task(&["completions", shell]).ok()).unwrap();
    (env, script)
}

/// Whether git's bash completion and bash-completion's loader are there,
/// to complete `git task` the way a user's bash does.
fn have_gits_bash_completion() -> bool {
    have_tool(
        BASH_COMPLETION,
        "completing through bash-completion's loader",
    ) && have_tool(
        GIT_COMPLETION,
        "completing `git task` through git's completion",
    )
}

/// A prelude that installs `script` where the README says, so that git's
/// completion loads it for `git task` through bash-completion's loader.
fn gits_completion_prelude(env: &TestEnv, script: &std::path::Path) -> String {
    let dir = env.dir.path().join("bash-completion");
    std::fs::create_dir_all(dir.join("completions")).unwrap();
    std::fs::copy(script, dir.join("completions/git-task")).unwrap();
    format!(
        "export BASH_COMPLETION_USER_DIR={}\nsource {BASH_COMPLETION}\nsource {GIT_COMPLETION}\n",
        dir.display()
    )
}

/// Bash lines that complete LINE the way readline does: split it into
/// COMP_WORDS and call the function `complete -p` names for its command.
const BASH_COMP: &str = r#"
comp() {
    COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<< "$1"
    [[ "$1" == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    local spec f
    spec=$(complete -p "${COMP_WORDS[0]}" 2>/dev/null) || _completion_loader "${COMP_WORDS[0]}"
    spec=$(complete -p "${COMP_WORDS[0]}")
    f=$(sed 's/.*-F \([^ ]*\).*/\1/' <<< "$spec")
    "$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[@]}" | sed 's/ $//' | sort | tr '\n' ' '
    echo
}
"#;

/// The candidates bash offers for each line, one output line per input.
fn bash_candidates(env: &TestEnv, prelude: &str, lines: &[&str]) -> Vec<String> {
    let mut script = String::from(prelude);
    script.push_str(BASH_COMP);
    for line in lines {
        script.push_str(&format!("comp '{line}'\n"));
    }
    let out = run(env.command("bash").arg("-c").arg(&script));
    out.ok().lines().map(|l| l.trim_end().to_owned()).collect()
}

#[test]
fn bash_completes_git_task_through_gits_own_completion() {
    let (env, script) = repo_with_script("bash");
    let prelude = if have_gits_bash_completion() {
        gits_completion_prelude(&env, &script)
    } else {
        // Without git's completion (a developer machine; CI fails above):
        // call _git_task as it would, with the words, cword and cur it
        // sets, through a stand-in for `git`.
        format!(
            "source {}\n_git() {{ local words=(\"${{COMP_WORDS[@]}}\") cword=$COMP_CWORD cur=${{COMP_WORDS[COMP_CWORD]}}; _git_task; }}\ncomplete -F _git git\n",
            script.display()
        )
    };
    let got = bash_candidates(
        &env,
        &prelude,
        &[
            "git task ",
            "git task sh",
            "git task show ",
            "git task list --status ",
            "git task list --status pending,c",
            "git task list --status pending,cancelled,",
            "git task add Thing --kind ",
            "git task dep add parser ",
            "git task start --o",
            "git -C . task done p",
        ],
    );
    let subcommands = got[0].split(' ').collect::<Vec<_>>();
    for sub in ["add", "show", "list", "ready", "done", "dep", "completions"] {
        assert!(subcommands.contains(&sub), "{sub} missing in {got:?}");
    }
    assert!(!subcommands.iter().any(|s| s.starts_with('-')), "{got:?}");
    assert_eq!(got[1], "show");
    assert_eq!(got[2], "docs parser");
    assert_eq!(got[3], "cancelled completed in_progress pending");
    assert_eq!(got[4], "pending,cancelled pending,completed");
    assert_eq!(
        got[5],
        "pending,cancelled,completed pending,cancelled,in_progress"
    );
    assert_eq!(got[6], "epic story subtask task");
    assert_eq!(got[7], "docs parser");
    assert_eq!(got[8], "--owner");
    assert_eq!(got[9], "parser");
}

#[test]
fn bash_completes_ids_of_the_repository_git_dash_c_names() {
    let (env, script) = repo_with_script("bash");
    if !have_gits_bash_completion() {
        return;
    }
    let other = TestEnv::new();
    other.add(&["Elsewhere", "--id", "elsewhere"]);
    let dir = other.repo.display().to_string();
    let relative = dir.trim_start_matches('/');
    let prelude = gits_completion_prelude(&env, &script);
    // Run in env's repository: the ids come from the other one, with
    // `-C` options composed as git composes them.
    let got = bash_candidates(
        &env,
        &prelude,
        &[
            &format!("git -C {dir} task show "),
            &format!("git -C / -C {relative} task show "),
            &format!("git -C {dir} task -C . show "),
            "git task show ",
        ],
    );
    assert_eq!(got[0], "elsewhere");
    assert_eq!(got[1], "elsewhere");
    assert_eq!(got[2], "elsewhere");
    assert_eq!(got[3], "docs parser");
}

#[test]
fn ids_complete_past_a_task_file_that_does_not_read() {
    let env = TestEnv::new();
    env.add(&["Build the parser", "--id", "parser"]);
    env.add(&["Write the docs", "--id", "docs"]);
    let mut text = env.read("docs");
    text.push_str("subject = \n");
    env.write("docs", &text);
    let out = env.task(&["completions", "bash", "--complete", "--", "show", ""]);
    assert_eq!(out.ok(), "parser\n");
    assert_eq!(out.stderr, "");
}

/// Every script runs the completer as `git-task`, not through git (a git
/// process per Tab), with its stderr sent to /dev/null.
#[test]
fn the_scripts_call_git_task_directly_and_quietly() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = env.task(&["completions", shell]).ok().to_owned();
        assert!(
            !script.contains("git task completions"),
            "{shell}:\n{script}"
        );
        let calls: Vec<&str> = script
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter(|l| l.contains(&format!("completions {shell} --complete")))
            .collect();
        assert!(!calls.is_empty(), "{shell}:\n{script}");
        for call in calls {
            assert!(call.contains("(git-task "), "{shell}: {call}");
            assert!(call.contains("2>/dev/null"), "{shell}: {call}");
        }
    }
}

#[test]
fn bash_completes_the_git_task_command_itself() {
    let (env, script) = repo_with_script("bash");
    let got = bash_candidates(
        &env,
        &format!("source {}\n", script.display()),
        &[
            "git-task show ",
            "git-task list --priority ",
            "git-task graph ",
            "git-task completions ",
        ],
    );
    assert_eq!(got[0], "docs parser");
    assert_eq!(got[1], "critical high low medium");
    assert_eq!(got[2], "docs parser");
    assert_eq!(got[3], "bash elvish fish powershell zsh");
}

#[test]
fn outside_a_repository_ids_complete_to_nothing_and_quietly() {
    let env = TestEnv::bare_dir();
    let out = env.task(&["completions", "bash", "--complete", "--", "show", ""]);
    assert_eq!(out.ok(), "");
    assert_eq!(out.stderr, "");
}

#[test]
fn the_value_lists_are_the_ones_help_prints() {
    let env = TestEnv::new();
    let help = env.task(&["list", "--help"]);
    help.assert_stdout("[possible values: pending, in_progress, completed, cancelled]")
        .assert_stdout("[possible values: epic, story, task, subtask]")
        .assert_stdout("[possible values: critical, high, medium, low]");
    let add = env.task(&["add", "--help"]);
    add.assert_stdout("[possible values: critical, high, medium, low]");
    let values = env.task(&[
        "completions",
        "bash",
        "--complete",
        "--",
        "edit",
        "x",
        "--status",
        "",
    ]);
    assert_eq!(values.ok(), "pending\nin_progress\ncompleted\ncancelled\n");
}

#[test]
fn in_progress_is_accepted_with_a_hyphen() {
    let env = TestEnv::new();
    let id = env.add(&["Something"]);
    env.task(&["edit", &id, "--status", "in-progress"]).ok();
    assert!(env.read(&id).contains("status = \"in_progress\""));
    let listed = env
        .task(&["list", "--status", "in-progress,pending", "--json"])
        .json();
    assert_eq!(TestEnv::ids_of(&listed["tasks"]), vec![id]);
    env.task(&["list", "--status", "in-prog"])
        .code(2)
        .assert_stderr("invalid value 'in-prog' for '--status <STATUS>'")
        .assert_stderr("[possible values: pending, in_progress, completed, cancelled]");
}

#[test]
fn fish_completes_ids_and_values_for_git_task_and_git_dash_task() {
    if !have_tool("fish", "running the fish script in fish") {
        // Not installed: the script must still carry the id hook.
        let (env, _) = repo_with_script("fish");
        let text = env.task(&["completions", "fish"]);
        text.assert_stdout("complete -c git-task")
            .assert_stdout("complete -c git ")
            .assert_stdout("completions fish --complete --");
        return;
    }
    let (env, script) = repo_with_script("fish");
    let fish = |line: &str| {
        let out = run(env
            .command("fish")
            .arg("-c")
            .arg(format!("source {}; complete -C '{line}'", script.display())));
        out.ok().to_owned()
    };
    assert_eq!(
        fish("git-task show "),
        "docs\tWrite the docs (pending)\nparser\tBuild the parser (pending)\n"
    );
    assert_eq!(
        fish("git task show "),
        "docs\tWrite the docs (pending)\nparser\tBuild the parser (pending)\n"
    );
    assert_eq!(
        fish("git task list --kind "),
        "epic\nstory\nsubtask\ntask\n"
    );
    assert!(fish("git task ").contains("ready\t"));
}

#[test]
fn zsh_completes_ids_and_values() {
    if !have_tool("zsh", "running the zsh script in zsh") {
        let (env, _) = repo_with_script("zsh");
        let text = env.task(&["completions", "zsh"]);
        text.assert_stdout("#compdef git-task")
            .assert_stdout("_git-task()")
            .assert_stdout("completions zsh --complete --");
        return;
    }
    let (env, script) = repo_with_script("zsh");
    // zsh's _git calls _git-task with words starting at `task`; stand-ins
    // for compdef and _describe print what would be offered.
    let zsh = |words: &str| {
        let out = run(env.command("zsh").arg("-fc").arg(format!(
            "compdef() {{ }}; _describe() {{ print -l -- \"${{(@P)${{@[-1]}}}}\" }}; _files() {{ print FILES }}
source {}
words=({words}); CURRENT=${{#words}}; _git-task",
            script.display()
        )));
        out.ok().to_owned()
    };
    assert_eq!(
        zsh("task show ''"),
        "docs:Write the docs (pending)\nparser:Build the parser (pending)\n"
    );
    assert_eq!(
        zsh("git-task list --priority ''"),
        "critical:\nhigh:\nmedium:\nlow:\n"
    );
    assert_eq!(zsh("task -C ''"), "FILES\n");
}

#[test]
fn a_closed_pipe_ends_completions_and_man_quietly() {
    let env = TestEnv::new();
    for args in [
        &["completions", "bash"][..],
        &["completions", "powershell"],
        &["completions", "elvish"],
        &["man"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = env
            .git_task_cmd()
            .args(args)
            .stdout(writer)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
