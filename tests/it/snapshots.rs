//! What every command prints, pinned: stdout, stderr and the exit code of
//! each run together, as a person sees them, in snapshots under
//! `tests/it/snapshots/`. A change of output shows as a diff to review;
//! `INSTA_UPDATE=always cargo test --test it snapshots` writes the new
//! ones (or use `cargo insta review`). The ids are generated from the seed
//! the test environment pins, so the runs need no `--id`.

use crate::common::{Run, TestEnv};

/// One run as a transcript: the command line, what it printed on each
/// stream, and how it ended. The temporary directory reads `[ROOT]`.
fn transcript(env: &TestEnv, args: &[&str]) -> String {
    let run = env.task(args);
    shown(env, &format!("git task {}", args.join(" ")), &run)
}

fn shown(env: &TestEnv, command: &str, run: &Run) -> String {
    let root = env.dir.path().display().to_string();
    let mut text = format!("$ {command}\n{}", run.stdout);
    if !run.stderr.is_empty() {
        text.push_str(&format!("[stderr]\n{}", run.stderr));
    }
    text.push_str(&format!("[exit {}]\n", run.code));
    text.replace(&root, "[ROOT]")
}

/// Every run of `runs` in one snapshot named `name`.
fn snapshot(env: &TestEnv, name: &str, runs: &[&[&str]]) {
    let text: Vec<String> = runs.iter().map(|args| transcript(env, args)).collect();
    insta::assert_snapshot!(name, text.join("\n"));
}

/// The five patterns in one repository, committed on `main`: a release
/// epic split into parts (fan-out), a chain, parallel work that a review
/// waits for (fan-in), and a pipeline with a gate between its stages.
/// Returns the environment and the ids by role.
struct Project {
    env: TestEnv,
    epic: String,
    parser: String,
    lexer: String,
    docs: String,
    review: String,
    gate: String,
    ship: String,
}

fn project() -> Project {
    let env = TestEnv::new();
    let epic = env.add(&["Release 1.0", "--kind", "epic", "-p", "high"]);
    let lexer = env.add(&[
        "Write the lexer",
        "--parent",
        &epic,
        "-e",
        "1d",
        "--owner",
        "ana@example.com",
        "-l",
        "parser",
    ]);
    let parser = env.add(&[
        "Write the parser",
        "--parent",
        &epic,
        "--after",
        &lexer,
        "-e",
        "2d",
        "--criteria",
        "parses every fixture",
        "has no panics",
    ]);
    let docs = env.add(&[
        "Document the syntax",
        "--parent",
        &epic,
        "-e",
        "4h",
        "--due",
        "2026-11-20",
    ]);
    let review = env.add(&[
        "Review the release",
        "--after",
        &parser,
        &docs,
        "-e",
        "2h",
        "-p",
        "critical",
    ]);
    let gate = env.add(&["Go/no-go for 1.0", "--gate", "--after", &review]);
    let ship = env.add(&["Ship 1.0", "--after", &gate, "-e", "1h"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "plan 1.0"]).ok();
    Project {
        env,
        epic,
        parser,
        lexer,
        docs,
        review,
        gate,
        ship,
    }
}

#[test]
fn reading_commands() {
    let p = project();
    p.env.task(&["start", &p.lexer]).ok();
    snapshot(
        &p.env,
        "reading",
        &[
            &["list"],
            &["list", "--all", "--tree"],
            &["list", "--label", "parser"],
            &["ready"],
            &["blocked"],
            &["show", &p.parser],
            &["show", &p.gate],
            &["show", &p.epic],
            &["status"],
            &["check"],
            &["lint"],
            &["gate", "list"],
        ],
    );
}

#[test]
fn graph_and_plan_commands() {
    let p = project();
    snapshot(
        &p.env,
        "graph_and_plan",
        &[
            &["graph"],
            &["graph", "--format", "mermaid"],
            &["graph", "--format", "dot"],
            &["graph", &p.epic],
            &["plan"],
            &["plan", "--format", "mermaid"],
            &["critical-path"],
            &["tracks"],
        ],
    );
}

#[test]
fn changing_commands() {
    let p = project();
    let env = &p.env;
    let extra = env.add(&["Draft the announcement"]);
    snapshot(
        env,
        "changing",
        &[
            &["add", "Translate the docs", "--after", &p.docs],
            &["start", &p.lexer],
            &["done", &p.lexer],
            &["criteria", &p.parser],
            &["criteria", &p.parser, "--met", "1"],
            &["note", &p.parser, "halfway there"],
            &["edit", &p.docs, "-p", "low", "--estimate", "6h"],
            &["dep", "add", &extra, &p.review],
            &["dep", "rm", &extra, &p.review],
            &["cancel", &extra],
            &["reopen", &extra],
            &["reset", &extra],
            &["rename", &extra, "announce"],
            &["rm", "announce"],
            &[
                "gate",
                "waive",
                &p.gate,
                "--reason",
                "the review can follow",
            ],
            &["gate", "unwaive", &p.gate],
            &["show", &p.parser],
        ],
    );
}

#[test]
fn refusals_and_errors() {
    let p = project();
    let env = &p.env;
    snapshot(
        env,
        "refusals",
        &[
            &["start", &p.parser],
            &["done", &p.ship],
            &["dep", "add", &p.lexer, &p.ship],
            &["show", "nosuch"],
            &["show", "../etc/passwd"],
            &["list", "--rev", "nosuch"],
            &["gate", "unwaive", &p.gate],
            &["add", "Twice", "--id", &p.ship],
            &["graph", "--format", "github"],
            &["plan", "--json", "--format", "text"],
        ],
    );
    // A file that does not read: reading commands answer without it and
    // exit 2, changes refuse, check names it.
    env.write("broken", "subject = \"Broken\nstatus = \"pending\"\n");
    snapshot(
        env,
        "broken_file",
        &[&["list"], &["check"], &["start", &p.docs]],
    );
}

#[test]
fn history_commands() {
    let mut p = project();
    let env = &mut p.env;
    env.git(&["checkout", "-q", "-b", "work"]).ok();
    env.at("2026-11-22T09:00:00Z");
    env.task(&["start", &p.lexer]).ok();
    env.task(&["done", &p.lexer]).ok();
    env.task(&["edit", &p.review, "--owner", "bo@example.com"])
        .ok();
    env.add(&["Write a changelog", "--parent", &p.epic]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "lexer done"]).ok();
    snapshot(
        env,
        "history",
        &[
            &["diff"],
            &["diff", "main..work", "--format", "markdown"],
            &["log", &p.lexer],
        ],
    );
}

#[test]
fn hooks_and_gates_at_the_door() {
    let p = project();
    let env = &p.env;
    env.bare_remote();
    let mut runs = vec![transcript(env, &["hooks", "install"])];
    runs.push(transcript(env, &["hooks", "status"]));
    // A push of main while the gate is red: the pre-push hook refuses.
    let push = env.git(&["push", "-q", "origin", "main"]);
    runs.push(shown(env, "git push -q origin main", &push));
    // A task file that names a task nobody has: the pre-commit hook refuses.
    env.write(
        "orphan",
        "subject = \"Orphan\"\nstatus = \"pending\"\nblocked_by = [\"nobody\"]\n",
    );
    env.git(&["add", "-A"]).ok();
    let commit = env.git(&["commit", "-qm", "orphan"]);
    runs.push(shown(env, "git commit -qm orphan", &commit));
    runs.push(transcript(env, &["hooks", "uninstall"]));
    insta::assert_snapshot!("hooks", runs.join("\n"));
}
