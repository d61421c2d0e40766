//! The JSON Schemas under `docs/schema/` are the ones the library's output
//! types generate, and the real `--json` output of every command matches
//! its schema.
//!
//! After changing an output type, regenerate the committed schemas with
//! `GIT_TASK_UPDATE_SCHEMAS=1 cargo test schemas` and review the diff: a
//! change that is not an added field needs a new version.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Run, TestEnv};

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

#[test]
fn committed_schemas_are_the_generated_ones() {
    let dir = schema_dir();
    let update = std::env::var_os("GIT_TASK_UPDATE_SCHEMAS").is_some();
    let generated = git_task::output::schemas();
    let mut stale = Vec::new();
    for s in &generated {
        let path = dir.join(format!("{}.json", s.name));
        let text = git_task::output::schema_text(&s.schema);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(s.name);
        }
    }
    assert!(
        stale.is_empty(),
        "docs/schema/ differs from the output types for {stale:?}; run \
         GIT_TASK_UPDATE_SCHEMAS=1 cargo test schemas and review the diff"
    );
    let names: BTreeSet<String> = generated
        .iter()
        .map(|s| format!("{}.json", s.name))
        .collect();
    let committed: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        committed, names,
        "a schema file of no document, or a document without one"
    );
}

/// The committed schema of `name`, made strict for the test: an object
/// with listed properties may have no others, so every key a command
/// prints must be described.
pub(crate) fn strict_schema(name: &str) -> Value {
    fn strict(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                map.values_mut().for_each(strict);
            }
            Value::Array(items) => items.iter_mut().for_each(strict),
            _ => {}
        }
    }
    let path = schema_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    strict(&mut schema);
    schema
}

/// Checks outputs against their schemas and remembers which documents
/// were seen, so that a document no command is run for fails the test.
struct Checker {
    seen: BTreeSet<&'static str>,
}

impl Checker {
    #[track_caller]
    fn check(&mut self, name: &'static str, run: &Run) -> Value {
        let value: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "{name}: not JSON ({e}), exit {}:\n{}\n{}",
                run.code, run.stdout, run.stderr
            )
        });
        let schema = strict_schema(name);
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("docs/schema/{name}.json is no valid schema: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("at {}: {e}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{name} output does not match docs/schema/{name}.json:\n{}\n{}",
            errors.join("\n"),
            run.stdout
        );
        self.seen.insert(name);
        value
    }
}

#[test]
fn every_command_prints_json_its_schema_describes() {
    let mut c = Checker {
        seen: BTreeSet::new(),
    };
    let env = TestEnv::git_repo();
    let t = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("--json");
        env.task(&all)
    };

    c.check("init", t(&["init"]).code(0));
    c.check("hooks-status", t(&["hooks", "status"]).code(0));
    c.check("hooks-change", t(&["hooks", "uninstall"]).code(0));
    c.check("hooks-change", t(&["hooks", "install"]).code(0));

    for args in [
        &["add", "Ship 1.0", "--id", "ship", "--kind", "epic"][..],
        &[
            "add",
            "Back up",
            "--id",
            "backup",
            "--parent",
            "ship",
            "--estimate",
            "2h",
            "--criteria",
            "copied",
            "--label",
            "ops",
            "--due",
            "2026-11-01",
            "--owner",
            "ana",
        ],
        &[
            "add", "Migrate", "--id", "migrate", "--after", "backup", "--parent", "ship",
        ],
        &[
            "add", "Release", "--id", "release", "--gate", "--after", "migrate",
        ],
        &[
            "add",
            "Tag",
            "--id",
            "tag",
            "--gate-branch",
            "release/*",
            "--criteria",
            "signed",
        ],
        &["edit", "backup", "--description", "Copy the database first"],
        &["start", "backup"],
        &["note", "backup", "halfway there"],
        &["criteria", "backup", "--met", "1"],
        &["dep", "add", "release", "backup"],
        &["dep", "rm", "release", "backup"],
        &["gate", "waive", "release", "--reason", "hotfix"],
    ] {
        c.check("task", t(args).code(0));
    }
    // A file written by hand: a blocker that names no task, and a meta table.
    env.write(
        "odd",
        "subject = \"Odd one\"\nblocked_by = [\"ghost\"]\n\n[meta]\nsprint = 3\nwhen = 2026-11-01\n",
    );

    let gates = c.check("gate-list", t(&["gate", "list"]).code(0));
    assert_eq!(gates["gates"][0]["state"], "yellow", "{gates}");
    let shown = c.check("show", t(&["show", "release"]).code(0));
    assert_eq!(shown["task"]["waiver"]["reason"], "hotfix", "{shown}");
    c.check("show", t(&["show", "ship"]).code(0));
    let odd = c.check("show", t(&["show", "odd"]).code(0));
    assert_eq!(odd["task"]["waiting_for"][0]["missing"], true, "{odd}");
    c.check("task", t(&["gate", "unwaive", "release"]).code(0));
    for list in [&["list"][..], &["list", "--all"], &["ready"], &["blocked"]] {
        c.check("tasks", t(list).code(0));
    }
    c.check("status", t(&["status"]).code(0));
    c.check("plan", t(&["plan"]).code(0));
    c.check("critical-path", t(&["critical-path"]).code(0));
    c.check("tracks", t(&["tracks"]).code(0));
    c.check("graph", t(&["graph", "--all"]).code(0));
    let check = c.check("check", &t(&["check"]));
    assert_eq!(
        check["diagnostics"][0]["code"], "missing-reference",
        "{check}"
    );
    c.check("check", &t(&["lint"]));
    std::fs::remove_file(env.tasks_dir().join("odd.toml")).unwrap();

    env.commit_at(&env.repo, "2026-11-21T10:00:00Z", "plan the release");
    let done = c.check("done", t(&["done", "backup"]).code(0));
    assert_eq!(done["now_ready"][0]["id"], "migrate", "{done}");
    for args in [
        &["cancel", "migrate"][..],
        &["reopen", "migrate"],
        &["reset", "migrate"],
    ] {
        c.check("task", t(args).code(0));
    }
    let claimed = c.check(
        "claim",
        t(&["claim", "migrate", "--owner", "bob@example.com"]).code(0),
    );
    assert_eq!(claimed["claim"]["owner"], "bob@example.com", "{claimed}");
    let released = c.check(
        "release",
        t(&["release", "migrate", "--owner", "bob@example.com"]).code(0),
    );
    assert_eq!(released["released"][0]["task"], "migrate", "{released}");
    env.commit_at(&env.repo, "2026-11-22T10:00:00Z", "back up done");
    let diff = c.check("diff", t(&["diff", "HEAD~1..HEAD"]).code(0));
    assert_eq!(diff["changed"][0]["id"], "backup", "{diff}");
    let log = c.check("log", t(&["log", "backup"]).code(0));
    assert_eq!(log["commits"].as_array().map(Vec::len), Some(2), "{log}");
    c.check("rename", t(&["rename", "migrate", "migrate-db"]).code(0));
    c.check("rm", t(&["rm", "tag"]).code(0));

    // The merge driver, on a conflict it cannot resolve: both sides
    // changed the subject.
    let dir = env.dir.path();
    let side = |name: &str, subject: &str| {
        let path = dir.join(name);
        std::fs::write(&path, format!("subject = \"{subject}\"\n")).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let (base, ours, theirs) = (side("base", "A"), side("ours", "B"), side("theirs", "C"));
    let merged = c.check(
        "merge-driver",
        t(&["merge-driver", &base, &ours, &theirs, ".tasks/x.toml"]).code(1),
    );
    assert_eq!(merged["conflicts"][0]["field"], "subject", "{merged}");

    // A plan, applied for real and as a dry run that would change it.
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        "[tasks.a]\nsubject = \"A\"\n[tasks.b]\nsubject = \"B\"\nblocked_by = [\"a\", \"ship\"]\n",
    )
    .unwrap();
    let plan = plan.to_str().unwrap();
    let applied = c.check("apply", t(&["apply", plan]).code(0));
    assert_eq!(applied["created"], 2, "{applied}");
    let text = std::fs::read_to_string(plan)
        .unwrap()
        .replace("\"B\"", "\"Bee\"");
    std::fs::write(plan, text).unwrap();
    let dry = c.check("apply", t(&["apply", plan, "--dry-run"]).code(0));
    assert_eq!(
        dry["diff"]["changed"][0]["changes"][0]["field"], "subject",
        "{dry}"
    );

    // `export` prints JSON Lines: each line is one document.
    let exported = env.task(&["export"]);
    exported.code(0);
    let lines: Vec<&str> = exported.stdout.lines().collect();
    assert!(lines.len() > 5, "{}", exported.stdout);
    for line in &lines {
        let one = Run {
            code: 0,
            stdout: (*line).to_owned(),
            stderr: String::new(),
        };
        c.check("export", &one);
    }
    let file = env.dir.path().join("tasks.jsonl");
    std::fs::write(&file, &exported.stdout).unwrap();
    let file = file.to_str().unwrap();
    let again = c.check("import", t(&["import", file, "--dry-run"]).code(0));
    assert_eq!(again["unchanged"], lines.len(), "{again}");

    // The board: its data, and the payload its page carries.
    let board = c.check("board", t(&["board"]).code(0));
    assert!(
        board["tasks"].as_array().is_some_and(|t| t.len() > 5),
        "{board}"
    );
    let page = env.task(&["board"]);
    page.code(0);
    let start = r#"<script id="board-data" type="application/json">"#;
    let at = page.stdout.find(start).expect("the page carries its data") + start.len();
    let end = page.stdout[at..].find("</script>").unwrap() + at;
    let carried = Run {
        code: 0,
        stdout: page.stdout[at..end].to_owned(),
        stderr: String::new(),
    };
    let payload = c.check("board-payload", &carried);
    assert_eq!(payload["board"]["tasks"], board["tasks"]);

    // An agent's task list, linked: new tasks come in, then a conflict.
    let agent = dir.join("agent-list");
    std::fs::create_dir(&agent).unwrap();
    let agent_task = |subject: &str| {
        format!(
            "{{\n  \"id\": \"1\",\n  \"subject\": \"{subject}\",\n  \"description\": \"\",\n  \"status\": \"pending\",\n  \"blocks\": [],\n  \"blockedBy\": [],\n  \"metadata\": {{\"gone\": null}}\n}}"
        )
    };
    std::fs::write(agent.join("1.json"), agent_task("Agent's")).unwrap();
    let agent = agent.to_str().unwrap();
    let synced = c.check("sync", t(&["sync", "--with", "agent", agent]).code(0));
    assert_eq!(synced["created"][0]["id"], "agent-1", "{synced}");
    std::fs::write(dir.join("agent-list/1.json"), agent_task("Agent's own")).unwrap();
    t(&["edit", "agent-1", "--subject", "Ours"]).code(0);
    let conflict = c.check("sync", t(&["sync", "--with", "agent", agent]).code(1));
    assert_eq!(conflict["conflicts"][0]["field"], "subject", "{conflict}");

    // The MCP server's own documents are checked by its session (mcp.rs).
    let all: BTreeSet<&str> = git_task::output::schemas()
        .iter()
        .map(|s| s.name)
        .filter(|name| !name.starts_with("mcp-"))
        .collect();
    let unseen: Vec<_> = all.difference(&c.seen).collect();
    assert!(
        unseen.is_empty(),
        "no command was checked against {unseen:?}"
    );
}
