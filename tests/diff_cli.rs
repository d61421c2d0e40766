//! `git task diff` against hand-built histories, with exact expected output.

mod common;

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
