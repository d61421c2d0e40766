//! End-to-end tests of `git task graph` and `git task status`: the real
//! binary in throwaway git repositories, one per orchestration pattern.

use crate::common;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::process::{Command, Stdio};

use common::{TestEnv, have_tool};

// ---------------------------------------------------------------------------
// Checkers

/// One parsed line of the tree.
#[derive(Debug)]
enum Line {
    Task {
        id: String,
        star: usize,
        pipes: BTreeSet<usize>,
    },
    Connector {
        top: BTreeSet<usize>,
        bottom: BTreeSet<usize>,
    },
}

impl Line {
    /// The lanes that can touch the top edge of the line. A task line's
    /// star may start a lane or continue one.
    fn tops(&self) -> Vec<BTreeSet<usize>> {
        match self {
            Line::Task { star, pipes, .. } => star_options(*star, pipes),
            Line::Connector { top, .. } => vec![top.clone()],
        }
    }

    /// The lanes that can leave the line at the bottom; a task's lane may
    /// stop at its star.
    fn bottoms(&self) -> Vec<BTreeSet<usize>> {
        match self {
            Line::Task { star, pipes, .. } => star_options(*star, pipes),
            Line::Connector { bottom, .. } => vec![bottom.clone()],
        }
    }
}

fn star_options(star: usize, pipes: &BTreeSet<usize>) -> Vec<BTreeSet<usize>> {
    let mut with = pipes.clone();
    with.insert(star);
    vec![pipes.clone(), with]
}

/// Parses the glyphs of one tree line: lane `k` is at character `2k`,
/// diagonals between lanes at the odd characters.
fn parse_line(line: &str) -> Line {
    let split = line
        .find(|c: char| c.is_ascii_alphanumeric())
        .unwrap_or(line.len());
    let (glyphs, text) = line.split_at(split);
    let g: Vec<char> = glyphs.chars().collect();
    let fail = |why: &str| -> ! { panic!("bad tree line {line:?}: {why}") };
    if !text.is_empty() {
        let mut star = None;
        let mut pipes = BTreeSet::new();
        for (p, &c) in g.iter().enumerate() {
            match (c, p % 2) {
                ('*', 0) if star.is_none() => star = Some(p / 2),
                ('*', _) => fail("a task line has one `*`, on a lane"),
                ('|', 0) => {
                    pipes.insert(p / 2);
                }
                (' ', _) => {}
                _ => fail("only `*` and `|` on a task line"),
            }
        }
        let Some(star) = star else {
            fail("a task line has a `*`")
        };
        let id = text
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string();
        return Line::Task { id, star, pipes };
    }
    let (mut top, mut bottom) = (BTreeSet::new(), BTreeSet::new());
    for (p, &c) in g.iter().enumerate() {
        match (c, p % 2) {
            ('|', 0) => {
                top.insert(p / 2);
                bottom.insert(p / 2);
            }
            ('/', 1) => {
                top.insert(p.div_ceil(2));
                // `_` before a `/` carries the lane further left.
                let mut end = (p - 1) / 2;
                let mut q = p;
                while q >= 2 && g[q - 2] == '_' {
                    q -= 2;
                    end -= 1;
                }
                bottom.insert(end);
            }
            ('\\', 1) => {
                top.insert(p / 2);
                bottom.insert(p / 2 + 1);
            }
            ('_', 1) | (' ', _) => {}
            _ => fail("unexpected glyph"),
        }
    }
    Line::Connector { top, bottom }
}

/// Checks the structure of a tree: every line's glyphs are well placed,
/// each lane leaving a line enters the next (and nothing comes from
/// nowhere), and each task is shown exactly once. Returns the ids in order.
#[track_caller]
fn check_lanes(tree: &str) -> Vec<String> {
    let lines: Vec<Line> = tree.lines().map(parse_line).collect();
    let empty = vec![BTreeSet::new()];
    for k in 0..=lines.len() {
        let above = if k == 0 {
            empty.clone()
        } else {
            lines[k - 1].bottoms()
        };
        let below = if k == lines.len() {
            empty.clone()
        } else {
            lines[k].tops()
        };
        assert!(
            above.iter().any(|a| below.contains(a)),
            "the lanes do not connect between lines {k} and {} of\n{tree}",
            k + 1
        );
    }
    let ids: Vec<String> = lines
        .iter()
        .filter_map(|l| match l {
            Line::Task { id, .. } => Some(id.clone()),
            Line::Connector { .. } => None,
        })
        .collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a task is shown twice:\n{tree}");
    ids
}

/// Runs `graph ARGS` as a tree, checks its lanes, and checks with the JSON
/// of the same graph that it shows exactly the graph's tasks and that each
/// task is above everything it waits for.
#[track_caller]
fn tree(env: &TestEnv, args: &[&str]) -> String {
    let mut all = vec!["graph"];
    all.extend_from_slice(args);
    let out = env.task(&all).ok().to_string();
    let ids = check_lanes(&out);
    all.extend(["--format", "json"]);
    let json = env.task(&all).json();
    let mut nodes: Vec<String> = json["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_string())
        .collect();
    let mut shown = ids.clone();
    nodes.sort();
    shown.sort();
    assert_eq!(
        shown, nodes,
        "the tree shows other tasks than the graph:\n{out}"
    );
    let position: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| (id.as_str(), k))
        .collect();
    for edge in json["edges"].as_array().expect("edges") {
        let (from, to) = (edge["from"].as_str().unwrap(), edge["to"].as_str().unwrap());
        assert!(
            position[to] < position[from],
            "{to} waits for {from} but is not above it:\n{out}"
        );
    }
    out
}

/// Renders DOT with Graphviz and asserts it accepts it. Without `dot`, a
/// skip note on a developer machine; a failure in CI, which installs it.
#[track_caller]
fn check_dot(text: &str) {
    if !have_tool("dot", "rendering the DOT output with Graphviz") {
        return;
    }
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run dot: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write to dot");
    let output = child.wait_with_output().expect("dot runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.trim().is_empty(),
        "dot rejected the graph ({}):\n{stderr}\n{text}",
        output.status
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("<svg"));
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether every `#` in a Mermaid label starts an entity code (`#quot;`,
/// `#35;`) and no `"` is left bare.
fn well_escaped(label: &str) -> bool {
    if label.contains('"') {
        return false;
    }
    let mut rest = label;
    while let Some(at) = rest.find('#') {
        rest = &rest[at + 1..];
        let Some(end) = rest.find(';') else {
            return false;
        };
        if !is_ident(&rest[..end]) {
            return false;
        }
        rest = &rest[end + 1..];
    }
    true
}

/// A small validator for the Mermaid this command writes: the header, node
/// declarations with escaped labels, edges between declared nodes, and
/// class lines; no control characters anywhere. Returns the labels by node.
#[track_caller]
fn check_mermaid(text: &str) -> HashMap<String, String> {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in\n{text}"
    );
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header == "flowchart LR" || header == "flowchart TD",
        "header: {header}"
    );
    let mut nodes: HashMap<String, String> = HashMap::new();
    let mut classes = HashSet::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = || -> ! { panic!("bad Mermaid line {line:?} in\n{text}") };
        if let Some(rest) = line.strip_prefix("classDef ") {
            let (name, style) = rest.split_once(' ').unwrap_or_else(|| bad());
            if !is_ident(name) || style.trim().is_empty() || style.contains('"') {
                bad();
            }
            classes.insert(name.to_string());
            continue;
        }
        if let Some(rest) = line.strip_prefix("class ") {
            let (members, name) = rest.split_once(' ').unwrap_or_else(|| bad());
            if !classes.contains(name) || !members.split(',').all(|m| nodes.contains_key(m)) {
                bad();
            }
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let [from, arrow, to] = parts.as_slice()
            && (*arrow == "-->" || *arrow == "-.->")
        {
            if !nodes.contains_key(*from) || !nodes.contains_key(*to) {
                bad();
            }
            continue;
        }
        let split = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or_else(|| bad());
        let (id, shape) = line.split_at(split);
        let label = shape
            .strip_prefix("[\"")
            .and_then(|s| s.strip_suffix("\"]"))
            .or_else(|| {
                shape
                    .strip_prefix("{{\"")
                    .and_then(|s| s.strip_suffix("\"}}"))
            })
            .unwrap_or_else(|| bad());
        if !is_ident(id) || !well_escaped(label) || nodes.contains_key(id) {
            bad();
        }
        nodes.insert(id.to_string(), label.to_string());
    }
    nodes
}

/// Edges of the JSON graph as `from -kind-> to` strings, sorted.
/// The edges of `graph --json` with `args`, as `from -kind-> to`, sorted
/// (the drawings' tests hold their edges to these).
pub(crate) fn json_edges(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut all = vec!["graph", "--format", "json"];
    all.extend_from_slice(args);
    let json = env.task(&all).json();
    assert_eq!(json["version"], 1);
    let mut edges: Vec<String> = json["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            format!(
                "{} -{}-> {}",
                e["from"].as_str().unwrap(),
                e["kind"].as_str().unwrap(),
                e["to"].as_str().unwrap()
            )
        })
        .collect();
    edges.sort();
    edges
}

// ---------------------------------------------------------------------------
// The patterns

#[test]
fn chain_is_one_lane() {
    let env = TestEnv::new();
    env.add(&["Back up the database", "--id", "backup"]);
    env.add(&["Run the migration", "--id", "migrate", "--after", "backup"]);
    env.add(&["Check the schema", "--id", "check", "--after", "migrate"]);
    assert_eq!(
        tree(&env, &[]),
        "\
* check    blocked     medium   task    Check the schema
* migrate  blocked     medium   task    Run the migration
* backup   pending     medium   task    Back up the database
"
    );
    // A resolved task is hidden with its edges, unless --all.
    env.done("backup");
    assert_eq!(
        tree(&env, &[]),
        "\
* check    blocked     medium   task    Check the schema
* migrate  pending     medium   task    Run the migration
"
    );
    assert_eq!(
        tree(&env, &["--all"]),
        "\
* check    blocked     medium   task    Check the schema
* migrate  pending     medium   task    Run the migration
* backup   completed   medium   task    Back up the database
"
    );
    assert_eq!(
        json_edges(&env, &["--all"]),
        ["backup -blocker-> migrate", "migrate -blocker-> check"]
    );
    assert_eq!(json_edges(&env, &[]), ["migrate -blocker-> check"]);
}

#[test]
fn fan_out_epic_splits_into_lanes_with_child_edges() {
    let env = TestEnv::new();
    env.add(&["Security audit", "--id", "audit", "--kind", "epic"]);
    env.add(&[
        "Run semgrep",
        "--id",
        "semgrep",
        "--parent",
        "audit",
        "-e",
        "1d",
    ]);
    env.add(&[
        "Run trivy",
        "--id",
        "trivy",
        "--parent",
        "audit",
        "-e",
        "2d",
    ]);
    env.add(&["Run gitleaks", "--id", "gitleaks", "--parent", "audit"]);
    assert_eq!(
        tree(&env, &[]),
        "\
* audit         blocked     medium   epic    Security audit
|\\
| |\\
| | * gitleaks  pending     medium   task    Run gitleaks
| * semgrep     pending     medium   task    Run semgrep
* trivy         pending     medium   task    Run trivy
"
    );
    assert_eq!(
        json_edges(&env, &[]),
        [
            "gitleaks -child-> audit",
            "semgrep -child-> audit",
            "trivy -child-> audit"
        ]
    );

    let dot = env.task(&["graph", "--format", "dot"]).ok().to_string();
    check_dot(&dot);
    assert!(
        dot.contains("\"trivy\" -> \"audit\" [style=dashed];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"audit\" [label=\"audit\\nSecurity audit\""),
        "{dot}"
    );

    let mermaid = env.task(&["graph", "--format", "mermaid"]).ok().to_string();
    let nodes = check_mermaid(&mermaid);
    assert_eq!(nodes["t_audit"], "audit: Security audit");
    assert!(mermaid.contains("    t_trivy -.-> t_audit\n"), "{mermaid}");
    assert!(
        mermaid.contains("    class t_gitleaks,t_semgrep,t_trivy ready\n"),
        "{mermaid}"
    );
}

#[test]
fn fan_in_splits_below_and_shared_prerequisites_merge() {
    let env = TestEnv::new();
    for a in ["pg", "mysql", "sqlite"] {
        env.add(&[&format!("{a} adapter"), "--id", a]);
    }
    env.add(&[
        "Integration tests",
        "--id",
        "integration",
        "--after",
        "pg",
        "mysql",
        "sqlite",
    ]);
    assert_eq!(
        tree(&env, &[]),
        "\
* integration  blocked     medium   task    Integration tests
|\\
| |\\
| | * mysql    pending     medium   task    mysql adapter
| * pg         pending     medium   task    pg adapter
* sqlite       pending     medium   task    sqlite adapter
"
    );

    // Two tasks that wait for the same one: their lanes merge above it.
    env.add(&["Write docs", "--id", "docs", "--after", "pg"]);
    env.add(&["Release", "--id", "release", "--after", "integration"]);
    assert_eq!(
        tree(&env, &[]),
        "\
* docs           blocked     medium   task    Write docs
| * release      blocked     medium   task    Release
| * integration  blocked     medium   task    Integration tests
| |\\
| | |\\
| | | * mysql    pending     medium   task    mysql adapter
|_|/
* | pg           pending     medium   task    pg adapter
 /
* sqlite         pending     medium   task    sqlite adapter
"
    );
}

#[test]
fn lanes_merge_over_other_lanes_and_unrelated_parts_are_apart() {
    let env = TestEnv::new();
    env.add(&["X", "--id", "x"]);
    env.add(&["Y", "--id", "y"]);
    env.add(&["A", "--id", "a", "--after", "x"]);
    env.add(&["B", "--id", "b", "--after", "y"]);
    env.add(&["C", "--id", "c", "--after", "x"]);
    env.add(&["D", "--id", "d", "--after", "y"]);
    env.add(&["Alone", "--id", "z"]);
    assert_eq!(
        tree(&env, &[]),
        "\
* a      blocked     medium   task    A
| * b    blocked     medium   task    B
| | * c  blocked     medium   task    C
|_|/
* | x    pending     medium   task    X
 /
| * d    blocked     medium   task    D
|/
* y      pending     medium   task    Y

* z      pending     medium   task    Alone
"
    );
}

#[test]
fn pipeline_with_gates() {
    let env = TestEnv::new();
    env.add(&["Build linux", "--id", "build-linux", "-e", "4h"]);
    env.add(&["Build mac", "--id", "build-mac", "-e", "4h"]);
    env.add(&[
        "Builds pass",
        "--id",
        "build-gate",
        "--gate",
        "-e",
        "1h",
        "--after",
        "build-linux",
        "build-mac",
    ]);
    env.add(&[
        "Unit tests",
        "--id",
        "test-unit",
        "-e",
        "2h",
        "--after",
        "build-gate",
    ]);
    env.add(&[
        "E2E tests",
        "--id",
        "test-e2e",
        "-e",
        "1d",
        "--after",
        "build-gate",
    ]);
    env.add(&[
        "Tests pass",
        "--id",
        "test-gate",
        "--gate",
        "-e",
        "1h",
        "--after",
        "test-unit",
        "test-e2e",
    ]);
    env.add(&["Deploy", "--id", "deploy", "--after", "test-gate"]);

    assert_eq!(
        tree(&env, &[]),
        "\
* deploy         blocked     medium   task    Deploy
* test-gate      blocked     medium   task    Tests pass [gate]
|\\
| * test-e2e     blocked     medium   task    E2E tests
* | test-unit    blocked     medium   task    Unit tests
|/
* build-gate     blocked     medium   task    Builds pass [gate]
|\\
| * build-linux  pending     medium   task    Build linux
* build-mac      pending     medium   task    Build mac
"
    );
    // ROOT: only what it waits for, through other tasks too.
    assert_eq!(
        tree(&env, &["build-g"]),
        "\
* build-gate     blocked     medium   task    Builds pass [gate]
|\\
| * build-linux  pending     medium   task    Build linux
* build-mac      pending     medium   task    Build mac
"
    );
    let unknown = env.task(&["graph", "nope"]);
    unknown.code(2);
    unknown.assert_stderr("nope");

    env.done("build-linux");
    env.done("build-mac");
    env.done("build-gate");
    env.task(&["start", "test-unit", "--owner", "bob"]).ok();

    let dot = env
        .task(&["graph", "--all", "--format", "dot"])
        .ok()
        .to_string();
    check_dot(&dot);
    assert!(dot.starts_with("digraph tasks {\n"), "{dot}");
    assert!(dot.contains("\"build-gate\" -> \"test-unit\";"), "{dot}");
    let node = |id: &str| {
        dot.lines()
            .find(|l| l.starts_with(&format!("  \"{id}\" [")))
            .unwrap_or_else(|| panic!("no node {id} in\n{dot}"))
            .to_string()
    };
    assert!(node("build-gate").contains("shape=hexagon"), "{dot}");
    assert!(
        node("build-linux").contains("#2e7d32"),
        "completed is green: {dot}"
    );
    assert!(
        node("test-unit").contains("#ef6c00"),
        "in progress is orange: {dot}"
    );
    assert!(node("deploy").contains("#c62828"), "blocked is red: {dot}");
    assert!(node("test-e2e").contains("bold"), "ready is bold: {dot}");
    assert!(!node("deploy").contains("hexagon"), "{dot}");

    let mermaid = env
        .task(&["graph", "--all", "--format", "mermaid"])
        .ok()
        .to_string();
    let nodes = check_mermaid(&mermaid);
    assert_eq!(nodes.len(), 7);
    assert!(
        mermaid.contains("    t_build_gate{{\"build-gate: Builds pass\"}}\n"),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("    t_test_gate --> t_deploy\n"),
        "{mermaid}"
    );

    let json = env.task(&["graph", "--all", "--json"]).json();
    let gate = |id: &str| {
        json["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .map(|n| (n["gate"].clone(), n["state"].clone()))
    };
    assert_eq!(
        gate("build-gate"),
        Some(("green".into(), "completed".into()))
    );
    assert_eq!(gate("test-gate"), Some(("red".into(), "blocked".into())));
    assert_eq!(
        gate("deploy"),
        Some((serde_json::Value::Null, "blocked".into()))
    );

    assert_eq!(
        env.task(&["status"]).ok(),
        "\
7 tasks: 3 pending, 1 in progress, 3 completed, 0 cancelled
1 ready, 2 blocked

Progress
  overall  [######--------------]  32%  1d 1h of 3d 4h

In progress
  test-unit  Unit tests  @bob

Ready now, most urgent first
  test-e2e  E2E tests

Gates
  build-gate  green      Builds pass
  test-gate   red        Tests pass — it is pending, not completed
"
    );
    let status = env.task(&["status", "--json"]).json();
    assert_eq!(status["version"], 1);
    assert_eq!(
        status["counts"],
        serde_json::json!({
            "total": 7, "pending": 3, "ready": 1, "blocked": 2,
            "in_progress": 1, "completed": 3, "cancelled": 0, "overdue": 0,
        })
    );
    assert_eq!(
        status["progress"]["overall"],
        serde_json::json!({ "done_minutes": 540, "total_minutes": 1680, "percent": 32 })
    );
    assert_eq!(
        status["in_progress"],
        serde_json::json!([{ "id": "test-unit", "subject": "Unit tests", "owner": "bob" }])
    );
    assert_eq!(status["ready"], serde_json::json!(["test-e2e"]));
    assert_eq!(
        status["blocked"],
        serde_json::json!(["deploy", "test-gate"])
    );
    let gates: Vec<(&str, &str)> = status["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["id"].as_str().unwrap(), g["state"].as_str().unwrap()))
        .collect();
    assert_eq!(gates, [("build-gate", "green"), ("test-gate", "red")]);
}

#[test]
fn status_weighs_progress_by_estimate_over_leaves() {
    let env = TestEnv::new();
    env.add(&["Security audit", "--id", "audit", "--kind", "epic"]);
    env.add(&[
        "Run semgrep",
        "--id",
        "semgrep",
        "--parent",
        "audit",
        "-e",
        "1d",
    ]);
    env.add(&[
        "Run trivy",
        "--id",
        "trivy",
        "--parent",
        "audit",
        "-e",
        "2d",
    ]);
    env.add(&["Run gitleaks", "--id", "gitleaks", "--parent", "audit"]);
    env.add(&["Write docs", "--id", "docs", "-e", "4h"]);
    env.add(&["Empty epic", "--id", "later", "--kind", "epic", "-e", "1d"]);
    env.done("semgrep");
    env.task(&["start", "trivy"]).ok();
    // The parent counts nothing of its own; the unestimated leaf counts 1d;
    // an epic without children is a leaf itself.
    assert_eq!(
        env.task(&["status"]).ok(),
        "\
6 tasks: 4 pending, 1 in progress, 1 completed, 0 cancelled
3 ready, 1 blocked

Progress
  overall  [###-----------------]  18%  1d of 5d 4h
  audit    [#####---------------]  25%  1d of 4d     Security audit
  later    [--------------------]   0%  0 of 1d      Empty epic

In progress
  trivy  Run trivy  @ana@example.com

Ready now, most urgent first
  gitleaks  Run gitleaks
  later     Empty epic
  docs      Write docs
"
    );
    // A cancelled leaf counts neither as done nor as work.
    env.task(&["cancel", "gitleaks"]).ok();
    let status = env.task(&["status", "--json"]).json();
    let epics = &status["progress"]["epics"];
    assert_eq!(epics[0]["id"], "audit");
    assert_eq!(epics[0]["done_minutes"], 480);
    assert_eq!(epics[0]["total_minutes"], 1440);
    assert_eq!(epics[0]["percent"], 33);
    assert_eq!(status["counts"]["cancelled"], 1);
    let text = env.task(&["status"]).ok().to_string();
    assert!(
        text.contains("  audit    [######--------------]  33%  1d of 3d     Security audit\n"),
        "{text}"
    );
}

#[test]
fn status_without_tasks_says_so() {
    let env = TestEnv::new();
    assert!(env.task(&["status"]).ok().starts_with("no tasks yet"));
    let status = env.task(&["status", "--json"]).json();
    assert_eq!(status["counts"]["total"], 0);
    assert_eq!(
        status["progress"]["overall"]["percent"],
        serde_json::Value::Null
    );
    assert!(env.task(&["graph"]).ok().starts_with("no tasks yet"));
}

#[test]
fn subjects_are_escaped_in_dot_and_mermaid() {
    let env = TestEnv::new();
    let subject = r#"Say "hi" \ to <b> #1: now"#;
    env.add(&[subject, "--id", "tricky"]);
    env.add(&["After it", "--id", "next", "--after", "tricky"]);

    let dot = env.task(&["graph", "--format", "dot"]).ok().to_string();
    check_dot(&dot);
    assert!(
        dot.contains(r#"[label="tricky\nSay \"hi\" \\ to <b> #1: now","#),
        "{dot}"
    );

    let mermaid = env.task(&["graph", "--format", "mermaid"]).ok().to_string();
    let nodes = check_mermaid(&mermaid);
    assert_eq!(
        nodes["t_tricky"],
        r"tricky: Say #quot;hi#quot; \ to #lt;b#gt; #35;1: now"
    );

    let json = env.task(&["graph", "--json"]).json();
    assert_eq!(json["nodes"][1]["subject"], subject);

    // The terminal shows the subject as it is.
    let text = tree(&env, &[]);
    assert!(text.contains(subject), "{text}");
}

#[test]
fn a_cycle_still_draws_every_task_once() {
    let env = TestEnv::new();
    env.add(&["Start", "--id", "start"]);
    // `add` and `dep add` refuse cycles; a merge or a hand edit can still
    // make one.
    env.write(
        "a",
        "subject = \"Cycle a\"\nblocked_by = [\"b\", \"start\"]\n",
    );
    env.write("b", "subject = \"Cycle b\"\nblocked_by = [\"a\"]\n");
    env.add(&["Top", "--id", "top", "--after", "a"]);

    let run = env.task(&["graph"]);
    let ids = check_lanes(run.ok());
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ["a", "b", "start", "top"], "{}", run.stdout);
    run.assert_stderr("cycle");
    run.assert_stderr("a \"Cycle a\" → b \"Cycle b\"");

    check_dot(env.task(&["graph", "--format", "dot"]).ok());
    check_mermaid(env.task(&["graph", "--format", "mermaid"]).ok());
    assert_eq!(
        json_edges(&env, &[]),
        [
            "a -blocker-> b",
            "a -blocker-> top",
            "b -blocker-> a",
            "start -blocker-> a"
        ]
    );
    // Status falls back to id order for the gates and still answers.
    env.task(&["status"]).ok();
}

#[test]
fn the_lane_checker_catches_broken_trees() {
    let broken = |tree: &str| std::panic::catch_unwind(|| check_lanes(tree)).is_err();
    assert!(!broken("* a\n|\\\n| * b\n* c\n"));
    // A lane that never ends, one that comes from nowhere, a star between
    // lanes, and a task shown twice.
    assert!(broken("* a\n| * b\n"));
    assert!(broken("* a\n|/\n* b\n"));
    assert!(broken("* a\n * b\n"));
    assert!(broken("* a\n* a\n"));
}

#[test]
fn random_graphs_draw_consistent_lanes() {
    // Many shapes at once: each task waits for up to three earlier ones,
    // picked by a small fixed generator so a failure can be replayed.
    for seed in 1..=6u64 {
        let env = TestEnv::new();
        let mut state = seed;
        let mut next = |bound: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % bound
        };
        for i in 0..40u64 {
            let mut blockers = BTreeSet::new();
            if i > 0 {
                for _ in 0..next(4) {
                    blockers.insert(format!("\"t{:02}\"", next(i)));
                }
            }
            let status = if next(5) == 0 { "completed" } else { "pending" };
            env.write(
                &format!("t{i:02}"),
                &format!(
                    "subject = \"Task {i}\"\nstatus = \"{status}\"\nblocked_by = [{}]\n",
                    blockers.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        tree(&env, &[]);
        tree(&env, &["--all"]);
        tree(&env, &["t39"]);
    }
}
