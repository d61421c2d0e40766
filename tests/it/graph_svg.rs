//! End-to-end tests of `git task graph --format svg`: the real binary on
//! the orchestration patterns, its drawing read back as XML and held to
//! what the JSON commands say (the edges of `graph --json`, the path of
//! `critical-path --json`, the states of `gate list --json`).

use std::collections::BTreeMap;

use crate::common::TestEnv;
use crate::graph_cli::json_edges;

// ---------------------------------------------------------------------------
// A small XML reader: enough to hold the drawing to XML's rules of
// well-formedness and to find its elements by class.

/// One element: its name, its attributes (entities decoded), the text
/// directly inside it, and the index of its parent.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    text: String,
    parent: Option<usize>,
}

impl Element {
    fn classes(&self) -> Vec<&str> {
        self.attributes
            .get("class")
            .map(|c| c.split(' ').collect())
            .unwrap_or_default()
    }

    fn has_class(&self, class: &str) -> bool {
        self.classes().contains(&class)
    }

    fn attr(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("<{}> has {name}: {self:?}", self.name))
    }
}

/// Characters XML 1.0 allows in a document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r')
        || ('\u{20}'..='\u{d7ff}').contains(&c)
        || ('\u{e000}'..='\u{fffd}').contains(&c)
        || c >= '\u{10000}'
}

/// Text with its entities decoded; panics on an entity XML does not know
/// or on a raw `<`.
fn decode(text: &str) -> String {
    assert!(!text.contains('<'), "raw < in {text:?}");
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let end = rest
            .find(';')
            .unwrap_or_else(|| panic!("unended entity in {text:?}"));
        let name = &rest[..end];
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = name
                    .strip_prefix("#x")
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| name.strip_prefix('#').map(|d| d.parse::<u32>()))
                    .unwrap_or_else(|| panic!("unknown entity &{name};"))
                    .unwrap_or_else(|_| panic!("bad reference &{name};"));
                let c = char::from_u32(code).expect("a character");
                assert!(xml_char(c), "reference to a forbidden character &{name};");
                c
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
}

/// Parses `svg` as one XML element (no prolog, comments or CDATA: the
/// drawing has none), checking that it is well-formed: every character
/// allowed, names valid, attributes quoted and unique, tags balanced.
fn parse(svg: &str) -> Vec<Element> {
    assert!(
        svg.chars().all(xml_char),
        "a forbidden character in the SVG"
    );
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut rest = svg;
    let mut seen_root = false;
    loop {
        let at = rest.find('<').unwrap_or(rest.len());
        let text = decode(&rest[..at]);
        match open.last() {
            Some(&e) => elements[e].text.push_str(&text),
            None => assert!(text.trim().is_empty(), "text outside the root: {text:?}"),
        }
        if at == rest.len() {
            break;
        }
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            let end = after.find('>').expect("a closing tag ends");
            let name = &after[..end];
            let e = open
                .pop()
                .unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(elements[e].name, name, "tags balance");
            rest = &after[end + 1..];
            continue;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .expect("a tag ends");
        let name = &rest[..name_end];
        assert!(is_name(name), "element name {name:?}");
        rest = &rest[name_end..];
        let mut attributes = BTreeMap::new();
        let self_closing;
        loop {
            rest = rest.trim_start();
            if let Some(r) = rest.strip_prefix("/>") {
                rest = r;
                self_closing = true;
                break;
            }
            if let Some(r) = rest.strip_prefix('>') {
                rest = r;
                self_closing = false;
                break;
            }
            let eq = rest.find('=').expect("an attribute has a value");
            let key = rest[..eq].trim();
            assert!(is_name(key), "attribute name {key:?} in <{name}>");
            let value = rest[eq + 1..].trim_start();
            let quote = value.chars().next().expect("a value");
            assert!(quote == '"' || quote == '\'', "{key} quoted in <{name}>");
            let end = value[1..].find(quote).expect("a value ends") + 1;
            let decoded = decode(&value[1..end]);
            assert!(
                attributes.insert(key.to_string(), decoded).is_none(),
                "{key} twice in <{name}>"
            );
            rest = &value[end + 1..];
        }
        if open.is_empty() {
            assert!(!seen_root, "one root element");
            seen_root = true;
        }
        elements.push(Element {
            name: name.to_string(),
            attributes,
            text: String::new(),
            parent: open.last().copied(),
        });
        if !self_closing {
            open.push(elements.len() - 1);
        }
    }
    assert!(open.is_empty(), "every tag closed");
    assert!(seen_root, "a root element");
    elements
}

/// The drawing of `graph --format svg ARGS`, parsed, after checking its
/// root.
fn drawing(env: &TestEnv, args: &[&str]) -> Vec<Element> {
    let mut all = vec!["graph", "--format", "svg"];
    all.extend_from_slice(args);
    let run = env.task(&all);
    let elements = parse(run.ok());
    let root = &elements[0];
    assert_eq!(root.name, "svg");
    assert_eq!(root.attr("xmlns"), "http://www.w3.org/2000/svg");
    assert!(root.has_class("task-graph"));
    let size: Vec<f64> = root
        .attr("viewBox")
        .split(' ')
        .map(|v| v.parse().expect("a number"))
        .collect();
    assert_eq!(size.len(), 4);
    assert_eq!(root.attr("width").parse::<f64>().unwrap(), size[2]);
    assert_eq!(root.attr("height").parse::<f64>().unwrap(), size[3]);
    assert!(
        elements
            .iter()
            .any(|e| e.name == "style" && e.parent == Some(0)),
        "an inline style"
    );
    elements
}

fn nodes(elements: &[Element]) -> Vec<&Element> {
    elements
        .iter()
        .filter(|e| e.name == "g" && e.has_class("node"))
        .collect()
}

fn node_ids(elements: &[Element]) -> Vec<String> {
    nodes(elements)
        .iter()
        .map(|e| e.attr("data-id").to_string())
        .collect()
}

/// The children of element `at`.
fn children(elements: &[Element], at: usize) -> Vec<&Element> {
    elements.iter().filter(|e| e.parent == Some(at)).collect()
}

/// Edges as `from -kind-> to`, sorted, as `graph_cli` writes those of the
/// JSON.
fn svg_edges(elements: &[Element]) -> Vec<String> {
    let mut edges: Vec<String> = elements
        .iter()
        .filter(|e| e.name == "path" && e.has_class("edge"))
        .map(|e| {
            let kind = if e.has_class("child") {
                "child"
            } else {
                assert!(e.has_class("blocker"), "{e:?}");
                "blocker"
            };
            assert!(e.attr("marker-end").starts_with("url(#"), "an arrow");
            format!("{} -{kind}-> {}", e.attr("data-from"), e.attr("data-to"))
        })
        .collect();
    edges.sort();
    edges
}

fn json_ids(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut all = vec!["graph", "--json"];
    all.extend_from_slice(args);
    env.task(&all).json()["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

/// The ids of the nodes with class `critical`, in the path's order (the
/// path runs left to right, so by column), against `critical-path
/// --json`.
fn assert_critical_path(env: &TestEnv, elements: &[Element]) {
    let json = env.task(&["critical-path", "--json"]).json();
    let path: Vec<String> = json["path"]
        .as_array()
        .expect("path")
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    let mut critical: Vec<String> = nodes(elements)
        .iter()
        .filter(|e| e.has_class("critical"))
        .map(|e| e.attr("data-id").to_string())
        .collect();
    let mut want = path.clone();
    critical.sort();
    want.sort();
    assert_eq!(critical, want, "the highlighted path is critical-path's");
    // The edges between consecutive tasks of the path are critical too,
    // where one is drawn, and no others.
    let drawn: Vec<(String, String)> = elements
        .iter()
        .filter(|e| e.name == "path" && e.has_class("edge"))
        .map(|e| {
            (
                e.attr("data-from").to_string(),
                e.attr("data-to").to_string(),
            )
        })
        .collect();
    for e in elements
        .iter()
        .filter(|e| e.name == "path" && e.has_class("edge"))
    {
        let pair = [
            e.attr("data-from").to_string(),
            e.attr("data-to").to_string(),
        ];
        let consecutive = path.windows(2).any(|w| w == pair);
        assert_eq!(e.has_class("critical"), consecutive, "{e:?}");
    }
    assert!(!drawn.is_empty() || path.len() < 2);
}

/// Every node has its title `ID: subject (state)`, a shape (a hexagon
/// path for a gate, else a rect) and two texts, the first the id.
fn assert_node_parts(elements: &[Element]) {
    for (at, e) in elements.iter().enumerate() {
        if !(e.name == "g" && e.has_class("node")) {
            continue;
        }
        let id = e.attr("data-id");
        let inside = children(elements, at);
        let title = inside.iter().find(|c| c.name == "title").expect("a title");
        assert!(title.text.starts_with(&format!("{id}: ")), "{title:?}");
        let state = e
            .classes()
            .iter()
            .find_map(|c| c.strip_prefix("state-"))
            .expect("a state class")
            .to_string();
        assert!(title.text.ends_with(&format!(" ({state})")), "{title:?}");
        let shape = if e.has_class("gate") { "path" } else { "rect" };
        assert!(
            inside
                .iter()
                .any(|c| c.name == shape && c.has_class("shape")),
            "{id} drawn as a {shape}"
        );
        let texts: Vec<&&Element> = inside.iter().filter(|c| c.name == "text").collect();
        assert_eq!(texts.len(), 2, "{id}");
        assert!(id.starts_with(texts[0].text.trim_end_matches('…')));
        // A track class matches data-track, modulo the palette of 8.
        if let Some(track) = e.attributes.get("data-track") {
            let n: usize = track.parse().unwrap();
            assert!(e.has_class(&format!("track-{}", n % 8)), "{e:?}");
        }
    }
}

/// The whole contract on one repository: nodes, edges, path, parts.
fn assert_drawing(env: &TestEnv, args: &[&str]) -> Vec<Element> {
    let elements = drawing(env, args);
    assert_eq!(node_ids(&elements), json_ids(env, args));
    assert_eq!(svg_edges(&elements), json_edges(env, args));
    assert_node_parts(&elements);
    elements
}

// ---------------------------------------------------------------------------
// The patterns

#[test]
fn a_chain_draws_left_to_right_on_the_critical_path() {
    let env = TestEnv::new();
    env.add(&["Back up the database", "--id", "backup"]);
    env.add(&["Run the migration", "--id", "migrate", "--after", "backup"]);
    env.add(&["Check the schema", "--id", "check", "--after", "migrate"]);
    let elements = assert_drawing(&env, &[]);
    assert_critical_path(&env, &elements);
    // Waves from 1, in order along the chain.
    let waves: Vec<(String, String)> = nodes(&elements)
        .iter()
        .map(|e| (e.attr("data-id").into(), e.attr("data-wave").into()))
        .collect();
    assert_eq!(
        waves,
        [
            ("backup".into(), "1".into()),
            ("check".into(), "3".into()),
            ("migrate".into(), "2".into())
        ]
    );
    // A resolved task shows with --all, and not without.
    env.done("backup");
    let elements = assert_drawing(&env, &[]);
    assert!(!node_ids(&elements).contains(&"backup".to_string()));
    let elements = assert_drawing(&env, &["--all"]);
    let backup = nodes(&elements)
        .into_iter()
        .find(|e| e.attr("data-id") == "backup")
        .expect("backup is shown with --all");
    assert!(backup.has_class("state-completed"));
    assert!(!backup.attributes.contains_key("data-wave"));
    assert_critical_path(&env, &elements);
}

#[test]
fn parallel_work_is_one_track_each() {
    let env = TestEnv::new();
    env.add(&["Write docs", "--id", "docs", "-e", "1d"]);
    env.add(&["Fix the bug", "--id", "bug", "-e", "2d"]);
    env.add(&["Tidy up", "--id", "tidy", "-e", "1h"]);
    let elements = assert_drawing(&env, &[]);
    assert_critical_path(&env, &elements);
    let tracks = env.task(&["tracks", "--json"]).json();
    // By id, the track index `tracks --json` gives.
    let mut want: Vec<(String, String)> = Vec::new();
    for (t, track) in tracks["tracks"].as_array().unwrap().iter().enumerate() {
        for task in track["tasks"].as_array().unwrap() {
            let id = task["id"].as_str().or(task.as_str()).unwrap();
            want.push((id.to_string(), t.to_string()));
        }
    }
    want.sort();
    let got: Vec<(String, String)> = nodes(&elements)
        .iter()
        .map(|e| (e.attr("data-id").into(), e.attr("data-track").into()))
        .collect();
    assert_eq!(got, want);
    // Three tracks, three colours; no edges.
    let mut classes: Vec<String> = nodes(&elements)
        .iter()
        .flat_map(|e| {
            e.classes()
                .into_iter()
                .filter(|c| c.starts_with("track-"))
                .map(String::from)
        })
        .collect();
    classes.sort();
    classes.dedup();
    assert_eq!(classes.len(), 3);
    assert!(svg_edges(&elements).is_empty());
}

#[test]
fn a_fan_out_epic_has_dashed_child_edges() {
    let env = TestEnv::new();
    env.add(&["Release", "--id", "release", "--kind", "epic"]);
    for part in ["api", "cli", "web"] {
        env.add(&[part, "--id", part, "--parent", "release", "-e", "4h"]);
    }
    env.add(&["Plan it", "--id", "plan", "-e", "2h"]);
    for part in ["api", "cli", "web"] {
        env.task(&["dep", "add", part, "plan"]).ok();
    }
    let elements = assert_drawing(&env, &[]);
    assert_critical_path(&env, &elements);
    let child: Vec<String> = svg_edges(&elements)
        .into_iter()
        .filter(|e| e.contains("-child->"))
        .collect();
    assert_eq!(
        child,
        [
            "api -child-> release",
            "cli -child-> release",
            "web -child-> release"
        ]
    );
    let marked = |class: &str| -> Vec<String> {
        nodes(&elements)
            .iter()
            .filter(|e| e.has_class(class))
            .map(|e| e.attr("data-id").to_string())
            .collect()
    };
    assert_eq!(marked("fan-out"), ["plan"]);
    assert_eq!(marked("fan-in"), ["release"]);
    // The style dashes child edges.
    let style = elements.iter().find(|e| e.name == "style").unwrap();
    assert!(
        style
            .text
            .contains(".task-graph .edge.child{stroke-dasharray")
    );
}

#[test]
fn a_fan_in_is_marked_as_a_convergence_point() {
    let env = TestEnv::new();
    for part in ["lexer", "parser", "docs"] {
        env.add(&[part, "--id", part, "-e", "1d"]);
    }
    env.add(&[
        "Review", "--id", "review", "--after", "lexer", "parser", "docs",
    ]);
    let elements = assert_drawing(&env, &[]);
    assert_critical_path(&env, &elements);
    let (at, review) = elements
        .iter()
        .enumerate()
        .find(|(_, e)| e.name == "g" && e.has_class("node") && e.attr("data-id") == "review")
        .unwrap();
    assert!(review.has_class("fan-in"));
    assert!(
        children(&elements, at)
            .iter()
            .any(|c| c.name == "circle" && c.has_class("fan-in-mark")),
        "the convergence point is marked"
    );
    assert_eq!(review.attr("data-wave"), "2");
}

#[test]
fn a_pipeline_draws_its_gates_in_their_state() {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build", "-e", "4h"]);
    env.add(&[
        "Builds pass",
        "--id",
        "build-gate",
        "--gate",
        "--after",
        "build",
    ]);
    env.add(&["Test", "--id", "test", "-e", "2h", "--after", "build-gate"]);
    env.add(&[
        "Tests pass",
        "--id",
        "test-gate",
        "--gate",
        "--after",
        "test",
    ]);
    env.add(&[
        "Deploy",
        "--id",
        "deploy",
        "-e",
        "1h",
        "--after",
        "test-gate",
    ]);
    env.done("build");
    env.done("build-gate");
    for args in [&[][..], &["--all"][..]] {
        let elements = assert_drawing(&env, args);
        assert_critical_path(&env, &elements);
        let gates = env.task(&["gate", "list", "--json"]).json();
        for gate in gates["gates"].as_array().unwrap() {
            let id = gate["id"].as_str().unwrap();
            let Some(node) = nodes(&elements)
                .into_iter()
                .find(|e| e.attr("data-id") == id)
            else {
                // Resolved gates are shown only with --all.
                assert!(args.is_empty(), "{id} is drawn with --all");
                continue;
            };
            assert!(node.has_class("gate"));
            let state = gate["state"].as_str().unwrap();
            assert!(node.has_class(&format!("gate-{state}")), "{node:?}");
        }
        // Tasks that are not gates are not drawn as gates.
        for node in nodes(&elements) {
            let id = node.attr("data-id");
            assert_eq!(node.has_class("gate"), id.ends_with("-gate"), "{id}");
        }
    }
    let elements = drawing(&env, &["--all"]);
    let green = nodes(&elements)
        .into_iter()
        .find(|e| e.attr("data-id") == "build-gate")
        .unwrap();
    assert!(green.has_class("gate-green") && green.has_class("state-completed"));
}

#[test]
fn a_cycle_still_draws_with_a_warning() {
    let env = TestEnv::new();
    env.add(&["Start", "--id", "start"]);
    env.write(
        "a",
        "subject = \"Cycle a\"\nblocked_by = [\"b\", \"start\"]\n",
    );
    env.write("b", "subject = \"Cycle b\"\nblocked_by = [\"a\"]\n");
    env.add(&["Top", "--id", "top", "--after", "a"]);
    let run = env.task(&["graph", "--format", "svg"]);
    let elements = parse(run.ok());
    run.assert_stderr("cycle");
    run.assert_stderr("a \"Cycle a\" → b \"Cycle b\"");
    run.assert_stderr("drawn backwards");
    assert_eq!(node_ids(&elements), ["a", "b", "start", "top"]);
    assert_eq!(svg_edges(&elements), json_edges(&env, &[]));
    // One edge of the cycle runs backwards; with no plan nothing is
    // critical.
    let back: Vec<&Element> = elements
        .iter()
        .filter(|e| e.name == "path" && e.has_class("back"))
        .collect();
    assert_eq!(back.len(), 1, "{back:?}");
    assert!(elements.iter().all(|e| !e.has_class("critical")));
}

#[test]
fn hostile_subjects_stay_text() {
    let env = TestEnv::new();
    let subject = "<script>alert(\"x\")</script> & 'q' \u{202e}evil\u{7} ]]> <!-- x";
    env.add(&[subject, "--id", "tricky"]);
    env.add(&["After it", "--id", "next", "--after", "tricky"]);
    let run = env.task(&["graph", "--format", "svg"]);
    let text = run.ok();
    assert!(!text.contains("<script"), "{text}");
    assert!(!text.contains("<!--"));
    assert!(!text.contains('\u{202e}') && !text.contains('\u{7}'));
    let elements = parse(text);
    assert!(elements.iter().all(|e| e.name != "script"));
    let (at, _) = elements
        .iter()
        .enumerate()
        .find(|(_, e)| e.name == "g" && e.has_class("node") && e.attr("data-id") == "tricky")
        .unwrap();
    let title = children(&elements, at)
        .into_iter()
        .find(|c| c.name == "title")
        .unwrap();
    // The subject reads back as it is, the invisible characters spelled
    // out as everywhere else.
    assert_eq!(
        title.text,
        "tricky: <script>alert(\"x\")</script> & 'q' \\u{202e}evil\\u{7} ]]> <!-- x (pending)"
    );
}

#[test]
fn the_svg_format_is_listed_and_nothing_shown_still_draws() {
    let env = TestEnv::new();
    env.add(&["Only", "--id", "only"]);
    env.done("only");
    let elements = drawing(&env, &[]);
    assert!(nodes(&elements).is_empty());
    assert!(elements.iter().any(|e| e.text.contains("nothing to show")));
    let help = env.task(&["graph", "--help"]);
    assert!(help.ok().contains("svg"));
    // --json with svg is refused like any other pair.
    env.task(&["graph", "--json", "--format", "svg"]).code(2);
}
