//! `git task diff` against hand-built histories, with exact expected output.

use crate::common;

use common::TestEnv;

/// main: a gate waiting for two tasks, and an old task. A branch `work`
/// from there completes one blocker, adds a task, drops the old one and
/// moves a dependency.
fn history() -> TestEnv {
    let env = TestEnv::new();
    env.add(&["Build the parser", "--id", "parser", "--estimate", "1d"]);
    env.add(&["Write the docs", "--id", "docs"]);
    env.add(&["Old idea", "--id", "old"]);
    env.add(&[
        "Ship 1.0", "--id", "ship", "--gate", "--after", "parser", "docs",
    ]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "plan"]).ok();
    env.git(&["checkout", "-q", "-b", "work"]).ok();
    env.task(&["start", "parser"]).ok();
    env.task(&["note", "parser", "grammar done"]).ok();
    env.task(&["done", "parser"]).ok();
    env.task(&["cancel", "docs"]).ok();
    env.add(&["Add examples", "--id", "examples"]);
    env.task(&["dep", "add", "ship", "examples"]).ok();
    env.task(&["dep", "rm", "ship", "docs"]).ok();
    env.task(&["rm", "old"]).ok();
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "work"]).ok();
    env
}

#[test]
fn text_shows_every_kind_of_change_with_subjects() {
    let env = history();
    let run = env.task(&["diff", "main..work"]);
    assert_eq!(
        run.ok().lines().skip(1).collect::<Vec<_>>().join("\n"),
        r#"+ examples "Add examples" (pending)
- old "Old idea" (pending)
~ docs "Write the docs"
    status pending → cancelled
~ parser "Build the parser"
    status pending → completed
    owner (none) → ana@example.com
    started (none) → 2026-11-21T10:00:00Z
    note by ana@example.com: grammar done
~ ship "Ship 1.0"
    now waits for examples "Add examples"
    no longer waits for docs "Write the docs""#
    );
    assert!(
        run.stdout.starts_with("tasks from main ("),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .lines()
            .next()
            .unwrap()
            .ends_with(": 1 added, 1 removed, 3 changed, 0 gates changed"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_default_range_is_what_the_branch_adds_to_main() {
    let env = history();
    // main moves on after the branch point; its changes are not the branch's.
    env.git(&["checkout", "-q", "main"]).ok();
    env.add(&["Unrelated on main", "--id", "unrelated"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "main moves"]).ok();
    env.git(&["checkout", "-q", "work"]).ok();
    let default = env.task(&["diff", "--json"]).json();
    let explicit = env.task(&["diff", "main...work", "--json"]).json();
    assert_eq!(default["added"], explicit["added"]);
    assert_eq!(default["changed"], explicit["changed"]);
    assert_eq!(TestEnv::ids_of(&default["added"]), ["examples"]);
    // Two dots compare the tips: main's new task shows as removed.
    let tips = env.task(&["diff", "main..work", "--json"]).json();
    assert_eq!(TestEnv::ids_of(&tips["removed"]), ["old", "unrelated"]);
}

#[test]
fn a_gate_turning_green_is_reported() {
    let env = TestEnv::new();
    env.add(&["Work", "--id", "work"]);
    env.add(&["Release", "--id", "release", "--gate", "--after", "work"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "plan"]).ok();
    env.task(&["done", "work"]).ok();
    env.task(&["done", "release"]).ok();
    env.git(&["commit", "-qam", "ship"]).ok();
    let run = env.task(&["diff", "HEAD~1..HEAD"]);
    assert!(
        run.ok()
            .ends_with("! gate release \"Release\": red → green\n"),
        "{}",
        run.stdout
    );
    let json = env.task(&["diff", "HEAD~1..HEAD", "--json"]).json();
    assert_eq!(
        json["gates"],
        serde_json::json!([{ "id": "release", "subject": "Release", "from": "red", "to": "green" }])
    );
}

#[test]
fn markdown_for_a_pull_request_comment() {
    let env = history();
    let run = env.task(&["diff", "main..work", "--format", "markdown"]);
    let out = run.ok();
    let expected_tail = r#"| | tasks |
|---|---:|
| added | 1 |
| removed | 1 |
| changed | 3 |
| gates changed | 0 |

**Added**

- `examples` Add examples — pending

**Removed**

- `old` Old idea — was pending

**Changed**

- `docs` Write the docs
  - status pending → cancelled
- `parser` Build the parser
  - status pending → completed
  - owner (none) → ana@example.com
  - started (none) → 2026-11-21T10:00:00Z
  - note by ana@example.com: grammar done
- `ship` Ship 1.0
  - now waits for examples "Add examples"
  - no longer waits for docs "Write the docs"

```mermaid
flowchart LR
    t_docs["docs: Write the docs"]
    t_examples["examples: Add examples"]
    t_old["old: Old idea"]
    t_parser["parser: Build the parser"]
    t_ship["ship: Ship 1.0"]
    t_docs --> t_ship
    t_examples --> t_ship
    t_parser --> t_ship
    classDef added fill:#d4edda,stroke:#2e7d32
    class t_examples added
    classDef changed fill:#fff3cd,stroke:#b8860b
    class t_docs,t_parser,t_ship changed
    classDef removed fill:#f8d7da,stroke:#c62828,stroke-dasharray:5 5
    class t_old removed
```
"#;
    assert!(out.starts_with("### Task changes from `main ("), "{out}");
    assert!(out.ends_with(expected_tail), "{out}");
}

#[test]
fn markdown_escapes_what_a_renderer_would_take_as_markup() {
    let env = TestEnv::new();
    env.git(&["commit", "-q", "--allow-empty", "-m", "empty"])
        .ok();
    env.add(&["Fix *bold* | pipes <script>", "--id", "evil"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "evil"]).ok();
    let out = env.task(&["diff", "HEAD~1..HEAD", "--format", "markdown"]);
    assert!(
        out.ok()
            .contains("- `evil` Fix \\*bold\\* \\| pipes &lt;script&gt; — pending"),
        "{}",
        out.stdout
    );
    out.assert_stdout("t_evil[\"evil: Fix *bold* | pipes #lt;script#gt;\"]");
}

#[test]
fn one_revision_compares_with_the_working_tree() {
    let env = history();
    env.task(&["start", "examples"]).ok();
    let run = env.task(&["diff", "HEAD"]);
    assert!(
        run.ok()
            .contains("~ examples \"Add examples\"\n    status pending → in_progress\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.starts_with("tasks from HEAD ("),
        "{}",
        run.stdout
    );
    env.task(&["diff", "nope..HEAD"]).code(2);
}

/// A commit on main, and a branch `feature_x` from it, checked out.
fn branch_from_main() -> TestEnv {
    let env = TestEnv::new();
    env.add(&["Base work", "--id", "base"]);
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "base"]).ok();
    env.git(&["checkout", "-q", "-b", "feature_x"]).ok();
    env
}

fn commit(env: &TestEnv, message: &str) {
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", message]).ok();
}

#[test]
fn markdown_does_not_escape_inside_code_spans() {
    let env = branch_from_main();
    env.add(&["Uses `code` here", "--id", "tick"]);
    commit(&env, "one");
    env.add(&["Another", "--id", "two"]);
    commit(&env, "two");
    env.add(&["Third", "--id", "three"]);
    commit(&env, "three");
    let out = env.task(&["diff", "HEAD~3..feature_x", "--format", "markdown"]);
    let text = out.ok();
    let head = text.lines().next().unwrap();
    assert!(
        head.starts_with("### Task changes from `HEAD~3 ("),
        "{head}"
    );
    assert!(head.contains("` to `feature_x ("), "{head}");
    assert!(!head.contains('\\'), "{head}");
    // Outside a code span, the subject's backticks are escaped as text.
    out.assert_stdout("- `tick` Uses \\`code\\` here — pending");
}

#[test]
fn a_backtick_in_a_code_span_takes_a_longer_fence() {
    let env = TestEnv::new();
    env.git(&["commit", "-q", "--allow-empty", "-m", "empty"])
        .ok();
    // A tag whose name holds no backtick cannot show it; a revision
    // expression can: `HEAD^{/a `b` c}` finds a commit by its message.
    env.add(&["Thing", "--id", "thing"]);
    commit(&env, "a `b` c");
    let out = env.task(&["diff", "HEAD~1..HEAD^{/a `b` c}", "--format", "markdown"]);
    let head = out.ok().lines().next().unwrap().to_owned();
    assert!(head.contains("to ``HEAD^{/a `b` c} ("), "{head}");
}

#[test]
fn an_added_gate_reads_as_its_state_not_a_transition() {
    let env = branch_from_main();
    env.add(&["Release", "--id", "release", "--gate", "--after", "base"]);
    env.task(&["gate", "waive", "release", "--reason", "known risk"])
        .ok();
    commit(&env, "gate");
    let text = env.task(&["diff", "main..feature_x"]);
    text.assert_stdout("! gate release \"Release\": yellow (added)\n");
    assert!(!text.stdout.contains("(not a gate)"), "{}", text.stdout);
    let md = env.task(&["diff", "main..feature_x", "--format", "markdown"]);
    md.assert_stdout("- `release` Release: **yellow** (added)\n");
    assert!(!md.stdout.contains("(not a gate)"), "{}", md.stdout);
    // Removed, it reads as the state it had.
    env.task(&["rm", "release"]).ok();
    commit(&env, "no gate");
    let gone = env.task(&["diff", "HEAD~1..HEAD"]);
    gone.assert_stdout("! gate release \"Release\": yellow (removed)\n");
}

#[test]
fn an_added_task_is_listed_with_its_blockers_parent_and_estimate() {
    let env = branch_from_main();
    env.add(&["Epic", "--id", "epic", "--kind", "epic"]);
    env.add(&[
        "Child",
        "--id",
        "child",
        "--after",
        "base",
        "--parent",
        "epic",
        "--estimate",
        "1d",
    ]);
    commit(&env, "child");
    let md = env.task(&["diff", "main..feature_x", "--format", "markdown"]);
    md.assert_stdout(
        "- `child` Child — pending\n  - waits for `base` Base work\n  - part of `epic` Epic\n  - estimate 1d\n",
    );
    let text = env.task(&["diff", "main..feature_x"]);
    text.assert_stdout(
        "+ child \"Child\" (pending)\n    waits for base \"Base work\"\n    part of epic \"Epic\"\n    estimate 1d\n",
    );
    let json = env.task(&["diff", "main..feature_x", "--json"]).json();
    let child = &json["added"][0];
    assert_eq!(child["id"], "child");
    assert_eq!(child["blocked_by"], serde_json::json!(["base"]));
    assert_eq!(child["parent"], "epic");
    assert_eq!(child["estimate"], "1d");
}

#[test]
fn mentions_in_task_text_do_not_notify_anyone() {
    let env = branch_from_main();
    env.add(&["Ask @octocat and @org/team about it", "--id", "ask"]);
    env.task(&["note", "base", "cc @ana-b, mail ana@example.com"])
        .ok();
    commit(&env, "mentions");
    let md = env.task(&["diff", "main..feature_x", "--format", "markdown"]);
    md.assert_stdout("- `ask` Ask `@octocat` and `@org/team` about it — pending")
        .assert_stdout("cc `@ana-b`, mail ana@example.com");
    // Every @name outside the Mermaid block is the start of a code span
    // (or inside an address, which GitHub does not take as a mention).
    let prose = md.stdout.split("```mermaid").next().unwrap();
    for (at, _) in prose.match_indices('@') {
        let before = prose[..at].chars().next_back();
        assert!(
            before == Some('`') || before.is_some_and(char::is_alphanumeric),
            "a live mention at {:?}",
            &prose[at.saturating_sub(10)..]
        );
    }
}

#[test]
fn the_text_header_names_the_base_branch() {
    let env = branch_from_main();
    env.add(&["New", "--id", "new"]);
    commit(&env, "new");
    let base = env
        .git(&["rev-parse", "--short", "main"])
        .ok()
        .trim()
        .to_owned();
    let text = env.task(&["diff"]);
    assert!(
        text.ok().starts_with(&format!(
            "tasks in main...HEAD (merge-base {base}): 1 added, 0 removed, 0 changed, 0 gates changed\n"
        )),
        "{}",
        text.stdout
    );
    let explicit = env.task(&["diff", "main...feature_x"]);
    assert!(
        explicit
            .ok()
            .starts_with(&format!("tasks in main...feature_x (merge-base {base}):")),
        "{}",
        explicit.stdout
    );
    let md = env.task(&["diff", "--format", "markdown"]);
    assert!(
        md.ok().starts_with(&format!(
            "### Task changes in `main...HEAD` (merge-base `{base}`)\n"
        )),
        "{}",
        md.stdout
    );
    assert_eq!(env.task(&["diff", "--json"]).json()["range"], "main...HEAD");
}
