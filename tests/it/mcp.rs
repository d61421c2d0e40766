//! `git task mcp` end to end: rmcp's own client starts the built binary
//! in a temp repository, initializes, lists the tools, calls each one and
//! reads its errors, and every answer is checked against what the CLI
//! says for the same question.

use std::collections::BTreeSet;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProtocolVersion, ReadResourceRequestParams,
};
// Roots are deprecated by the protocol's 2026-07-28 revision; the clients
// of the earlier ones (all of today's) offer them.
#[allow(deprecated)]
use rmcp::model::{ListRootsResult, Root};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ErrorData, RoleClient, ServiceExt};
use serde_json::{Value, json};

use crate::common::TestEnv;
use crate::schemas::strict_schema;

/// The most a `tools/list` answer may weigh: agents pay for it in
/// context on every session.
const TOOLS_LIST_LIMIT: usize = 12 * 1024;

/// The server, started as a client starts it: `git-task mcp` with the
/// test's pinned environment, in `dir`.
fn server(env: &TestEnv, dir: &std::path::Path) -> TokioChildProcess {
    let mut cmd = env.git_task_cmd();
    cmd.arg("mcp").current_dir(dir);
    TokioChildProcess::new(tokio::process::Command::from(cmd)).expect("start git-task mcp")
}

async fn call(client: &RunningService<RoleClient, ()>, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments are an object")
    };
    client
        .call_tool(CallToolRequestParams::new(tool.to_owned()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"))
}

/// The document a tool answered with.
#[track_caller]
fn answer(result: &CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(false), "{result:?}");
    let text = &result.content[0].as_text().expect("text").text;
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The text and structured error of a tool's error.
#[track_caller]
fn error(result: &CallToolResult) -> (String, Value) {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    let text = result.content[0].as_text().expect("text").text.clone();
    let doc = result.structured_content.clone().expect("structured error");
    valid("mcp-error", &doc);
    (text, doc)
}

/// Checks `doc` against the committed schema `name`.
#[track_caller]
fn valid(name: &str, doc: &Value) {
    let schema = strict_schema(name);
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}\n{doc}");
}

fn ids(doc: &Value) -> Vec<String> {
    TestEnv::ids_of(&doc["tasks"])
}

#[tokio::test]
async fn a_client_session_calls_every_tool_and_reads_the_clis_answers() {
    let env = TestEnv::new();
    env.add(&["Back up", "--id", "a", "--estimate", "2h"]);
    env.add(&["Migrate", "--id", "b", "--after", "a", "--estimate", "1h"]);
    env.add(&["Announce", "--id", "c", "--after", "b"]);
    env.add(&["Docs", "--id", "d", "--label", "docs", "--estimate", "1h"]);

    let client = ().serve(server(&env, &env.repo)).await.expect("initialize");
    let info = client.peer_info().expect("the server said who it is");
    assert_eq!(info.server_info.as_ref().unwrap().name, "git-task");
    assert!(
        info.instructions.as_deref().unwrap().contains("ready"),
        "{info:?}"
    );

    // tools/list: the tools, their hints, and the size of the answer.
    let listed = client.list_tools(None).await.unwrap();
    let size = serde_json::to_vec(&listed).unwrap().len();
    println!("tools/list answer: {size} bytes");
    assert!(
        size < TOOLS_LIST_LIMIT,
        "tools/list is {size} bytes, over {TOOLS_LIST_LIMIT}"
    );
    let names: BTreeSet<&str> = listed.tools.iter().map(|t| t.name.as_ref()).collect();
    let want = [
        "apply", "check", "claim", "create", "done", "plan", "ready", "release", "show", "status",
        "update",
    ];
    assert_eq!(names, want.into_iter().collect());
    for tool in &listed.tools {
        let hints = tool.annotations.as_ref().expect("annotations");
        let reads = ["check", "plan", "ready", "show", "status"].contains(&tool.name.as_ref());
        assert_eq!(hints.read_only_hint, Some(reads), "{}", tool.name);
        assert_eq!(hints.open_world_hint, Some(false), "{}", tool.name);
        if !reads {
            let destroys = ["update", "release", "apply"].contains(&tool.name.as_ref());
            assert_eq!(hints.destructive_hint, Some(destroys), "{}", tool.name);
        }
    }

    // ready: the CLI's order, with what each unblocks and its slack.
    let ready = answer(&call(&client, "ready", json!({})).await);
    valid("mcp-ready", &ready);
    assert_eq!(ids(&ready), env.ready());
    // What another worktree claims is not offered, as in the CLI.
    let last = ids(&ready).pop().expect("a ready task");
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-q", "-m", "tasks"]).ok();
    let linked = env.dir.path().join("linked");
    env.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "other",
        linked.to_str().unwrap(),
    ])
    .ok();
    env.task_in(&linked, &["claim", &last, "--owner", "elsewhere"])
        .ok();
    let without = answer(&call(&client, "ready", json!({})).await);
    valid("mcp-ready", &without);
    assert!(!ids(&without).contains(&last), "{without}");
    assert_eq!(without["claimed"][0]["owner"], "elsewhere", "{without}");
    assert_eq!(ids(&without), env.ready());
    env.task_in(&linked, &["release", &last, "--owner", "elsewhere"])
        .ok();
    let a = TestEnv::by_id(&ready["tasks"], "a");
    assert_eq!(a["unblocks"], 1, "{a}");
    assert_eq!(a["unblocks_total"], 2, "{a}");
    assert_eq!(a["slack_minutes"], 0, "a is on the critical path: {a}");
    let d = TestEnv::by_id(&ready["tasks"], "d");
    assert_eq!(
        (d["unblocks"].as_u64(), d["unblocks_total"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(d["slack_minutes"].as_u64().unwrap() > 0, "{d}");
    // Filters, a limit and fields.
    let docs = answer(&call(&client, "ready", json!({"label": "docs"})).await);
    assert_eq!(ids(&docs), ["d"]);
    let one = answer(&call(&client, "ready", json!({"limit": 1, "fields": ["subject"]})).await);
    assert_eq!(
        one["tasks"],
        json!([{"id": env.ready()[0], "subject": "Back up"}])
    );

    // The reading tools answer as the commands do with --json.
    let cli = |args: &[&str]| env.task(args).json();
    let shown = answer(&call(&client, "show", json!({"id": "b"})).await);
    assert_eq!(shown, cli(&["show", "b", "--json"]));
    let cut = answer(
        &call(
            &client,
            "show",
            json!({"id": "b", "fields": ["blocked_by"]}),
        )
        .await,
    );
    assert_eq!(cut["task"], json!({"id": "b", "blocked_by": ["a"]}));
    let status = answer(&call(&client, "status", json!({})).await);
    assert_eq!(status, cli(&["status", "--json"]));
    let plan = answer(&call(&client, "plan", json!({"workers": 2})).await);
    assert_eq!(plan, cli(&["plan", "--workers", "2", "--json"]));
    let check = answer(&call(&client, "check", json!({})).await);
    assert_eq!(check, cli(&["check", "--json"]));

    // create: the fields of `add`, and the task as `add --json` prints it.
    let created = answer(
        &call(
            &client,
            "create",
            json!({
                "subject": "Release",
                "id": "rel",
                "blocked_by": ["c"],
                "gate": true,
                "priority": "high",
                "criteria": ["notes written"],
                "labels": ["ship"],
            }),
        )
        .await,
    );
    valid("task", &created);
    let mut shown = cli(&["show", "rel", "--json"])["task"].clone();
    for key in ["children", "gate_state", "path"] {
        shown.as_object_mut().unwrap().remove(key);
    }
    assert_eq!(created["task"], shown);
    assert_eq!(created["task"]["blocked_by"], json!(["c"]));
    assert_eq!(created["task"]["priority"], "high");

    // update: fields, criteria and a note in one change.
    let updated = answer(
        &call(
            &client,
            "update",
            json!({
                "id": "rel",
                "set": {"estimate": "30m", "add_labels": ["v1"]},
                "add_criteria": ["tag pushed"],
                "check_criteria": [1],
                "note": "drafted the notes",
            }),
        )
        .await,
    );
    valid("task", &updated);
    let task = &cli(&["show", "rel", "--json"])["task"];
    assert_eq!(task["estimate"], "30m");
    assert_eq!(task["labels"], json!(["ship", "v1"]));
    assert_eq!(
        task["criteria"],
        json!([{"text": "notes written", "met": true}, {"text": "tag pushed", "met": false}])
    );
    assert_eq!(task["notes"][0]["text"], "drafted the notes");
    assert_eq!(task["notes"][0]["by"], "ana@example.com");

    // A refusal: done of a blocked task, in the words and hints the CLI
    // prints on stderr, naming the blocker.
    let before = env.snapshot();
    let refused = env.task(&["done", "b"]);
    assert_eq!(refused.code, 1);
    let (text, doc) = error(&call(&client, "done", json!({"id": "b"})).await);
    assert_eq!(text, refused.stderr.trim_end());
    assert!(text.contains("a \"Back up\""), "{text}");
    assert_eq!(doc["error"]["kind"], "refused");
    assert_eq!(doc["error"]["exit_code"], 1);
    assert!(
        doc["error"]["hints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_str().unwrap().contains("git task done b --force")),
        "{doc}"
    );

    // Bad input: an id that names no task.
    let unknown = env.task(&["show", "nope"]);
    assert_eq!(unknown.code, 2);
    let (text, doc) = error(&call(&client, "show", json!({"id": "nope"})).await);
    assert_eq!(text, unknown.stderr.trim_end());
    assert_eq!(doc["error"]["kind"], "invalid");
    assert_eq!(doc["error"]["exit_code"], 2);
    let (text, _) = error(&call(&client, "create", json!({"subject": "X", "kind": "saga"})).await);
    assert!(text.contains("unknown kind `saga`"), "{text}");

    // A cycle through update is refused and changes nothing.
    let (text, doc) =
        error(&call(&client, "update", json!({"id": "a", "add_blockers": ["c"]})).await);
    assert_eq!(doc["error"]["kind"], "refused");
    assert!(text.contains("cycle"), "{text}");
    assert_eq!(env.snapshot(), before);

    // claim, release, claim again, then done: what became ready.
    let claimed = answer(&call(&client, "claim", json!({"owner": "bot-1"})).await);
    valid("claim", &claimed);
    assert_eq!(claimed["task"]["id"], "a");
    assert_eq!(claimed["task"]["status"], "in_progress");
    assert_eq!(claimed["claim"]["owner"], "bot-1");
    let (text, doc) = error(&call(&client, "claim", json!({"id": "a", "owner": "bot-2"})).await);
    assert!(text.contains("a is claimed by bot-1"), "{text}");
    assert_eq!(doc["error"]["kind"], "refused");
    assert_eq!(doc["error"]["exit_code"], 1);
    let released = answer(&call(&client, "release", json!({"id": "a", "owner": "bot-1"})).await);
    valid("release", &released);
    assert_eq!(released["task"]["status"], "pending");
    let again = answer(
        &call(
            &client,
            "claim",
            json!({"id": "a", "owner": "bot-1", "lease": "30m"}),
        )
        .await,
    );
    assert_eq!(again["claim"]["until"], "2026-11-21T10:30:00Z");
    let done = answer(&call(&client, "done", json!({"id": "a"})).await);
    valid("done", &done);
    assert_eq!(done["task"]["status"], "completed");
    assert_eq!(
        done["now_ready"],
        json!([{"id": "b", "subject": "Migrate"}])
    );
    assert_eq!(
        ids(&answer(&call(&client, "ready", json!({})).await)),
        env.ready()
    );

    // apply: a dry run first, then for real, then again (no change); a
    // plan with a cycle is refused with the place of an edge of it.
    let plan = json!({"name": "docs", "tasks": {
        "write": {"subject": "Write the docs"},
        "review": {"subject": "Review the docs", "blocked_by": ["write"]}
    }})
    .to_string();
    let dry = answer(&call(&client, "apply", json!({"plan": plan, "dry_run": true})).await);
    valid("apply", &dry);
    assert_eq!(dry["created"], 2, "{dry}");
    assert_eq!(
        dry["diff"]["added"].as_array().map(Vec::len),
        Some(2),
        "{dry}"
    );
    let files = env.snapshot();
    let applied = answer(&call(&client, "apply", json!({"plan": plan})).await);
    assert_eq!(applied["created"], 2, "{applied}");
    assert_eq!(env.snapshot().len(), files.len() + 2);
    let again = answer(&call(&client, "apply", json!({"plan": plan})).await);
    assert_eq!(again["unchanged"], 2, "{again}");
    let cyclic = json!({"name": "docs", "tasks": {
        "write": {"subject": "Write the docs", "blocked_by": ["review"]},
        "review": {"subject": "Review the docs", "blocked_by": ["write"]}
    }})
    .to_string();
    let before = env.snapshot();
    let (text, doc) = error(&call(&client, "apply", json!({"plan": cyclic})).await);
    assert!(text.contains("cycle"), "{text}");
    assert_eq!(doc["error"]["exit_code"], 1, "{doc}");
    assert_eq!(env.snapshot(), before);

    // A file that does not read: the answer covers the others, and says
    // what the CLI says on stderr beside it.
    std::fs::write(env.tasks_dir().join("zz.toml"), "subject = \n").unwrap();
    let cli_ready = env.task(&["ready", "--json"]);
    assert_eq!(cli_ready.code, 2);
    let partial = call(&client, "ready", json!({})).await;
    assert_eq!(ids(&answer(&partial)), ids(&cli_ready.json()));
    let notes = &partial.content[1].as_text().expect("the notes").text;
    assert_eq!(notes, cli_ready.stderr.trim_end());
    std::fs::remove_file(env.tasks_dir().join("zz.toml")).unwrap();

    // The guide.
    let resources = client.list_all_resources().await.unwrap();
    assert_eq!(resources[0].uri, "git-task://guide/patterns");
    let guide = client
        .read_resource(ReadResourceRequestParams::new("git-task://guide/patterns"))
        .await
        .unwrap();
    let text = serde_json::to_string(&guide).unwrap();
    for pattern in ["Sequential", "Parallel", "Fan-out", "Fan-in", "Pipeline"] {
        assert!(text.contains(pattern), "{pattern}: {text}");
    }
    client.cancel().await.unwrap();
}

/// A client that has roots, and names the test's repository first.
struct WithRoots(String);

impl ClientHandler for WithRoots {
    #[allow(deprecated)]
    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(vec![
            Root::new("https://example.com/not-a-file"),
            Root::new(self.0.clone()),
        ]))
    }

    #[allow(deprecated)]
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_roots().build(),
            Implementation::new("roots-test", "1"),
        )
        .with_protocol_version(ProtocolVersion::V_2025_11_25)
    }
}

#[tokio::test]
async fn without_dir_the_repository_is_the_clients_first_file_root() {
    let env = TestEnv::new();
    env.add(&["Only task", "--id", "only"]);
    // Started outside any repository, with a space in the root's path.
    let elsewhere = env.dir.path().join("not a repo");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let uri = format!("file://{}", env.repo.display()).replace(' ', "%20");
    let client = WithRoots(uri)
        .serve(server(&env, &elsewhere))
        .await
        .unwrap();
    let result = client
        .call_tool(CallToolRequestParams::new("ready"))
        .await
        .unwrap();
    assert_eq!(ids(&answer(&result)), ["only"]);
    client.cancel().await.unwrap();

    // -C wins over the roots.
    let mut cmd = env.git_task_cmd();
    cmd.current_dir(&elsewhere)
        .arg("-C")
        .arg(&env.repo)
        .arg("mcp");
    let transport = TokioChildProcess::new(tokio::process::Command::from(cmd)).unwrap();
    let other = format!("file://{}", elsewhere.display()).replace(' ', "%20");
    let client = WithRoots(other).serve(transport).await.unwrap();
    let result = client
        .call_tool(CallToolRequestParams::new("ready"))
        .await
        .unwrap();
    assert_eq!(ids(&answer(&result)), ["only"]);
    client.cancel().await.unwrap();
}

/// Found by the `mcp` fuzz target: a request whose params are of the
/// wrong shape got an error without an id, so the client waited for its
/// answer forever; and arguments that do not read got rmcp's text
/// without the error object. Each line gets its answer, with its id where it has
/// one, and the session goes on.
#[test]
fn a_request_that_does_not_read_is_answered_with_its_id() {
    use std::io::{BufRead, BufReader, Write};
    let env = TestEnv::new();
    env.write("only", "subject = \"Only\"\n");
    let mut cmd = env.git_task_cmd();
    cmd.arg("mcp")
        .current_dir(&env.repo)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut exchange = |line: &str| -> Value {
        writeln!(input, "{line}").unwrap();
        input.flush().unwrap();
        let mut answer = String::new();
        output.read_line(&mut answer).unwrap();
        serde_json::from_str(&answer).unwrap()
    };
    let init = exchange(
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#,
    );
    assert!(init["result"].is_object(), "{init}");
    let bad = exchange(r#"{"jsonrpc":"2.0","id":5,"method":"resources/read","params":"uri"}"#);
    assert_eq!(bad["id"], 5, "{bad}");
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("resources/read"),
        "{bad}"
    );
    let garbage = exchange("{not json");
    assert_eq!(garbage["error"]["code"], -32700, "{garbage}");
    // Arguments that do not read get the error object of every refusal.
    let call = exchange(
        r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"release","arguments":{}}}"#,
    );
    assert_eq!(call["id"], 6, "{call}");
    assert_eq!(call["result"]["isError"], true, "{call}");
    let error = &call["result"]["structuredContent"]["error"];
    assert_eq!(error["kind"], "invalid", "{call}");
    assert_eq!(error["exit_code"], 2, "{call}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("the arguments of `release` do not read:"),
        "{message}"
    );
    assert!(message.contains("`id`"), "{message}");
    let ping = exchange(r#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#);
    assert_eq!(ping["id"], "p", "{ping}");
    assert!(ping["result"].is_object(), "{ping}");
    drop(input);
    assert!(child.wait().unwrap().success());
}
