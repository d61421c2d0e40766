//! The `mcp` target's sessions: the binary's MCP server, served
//! in-process over a pipe, on a fresh copy of the scratch repository.

use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::cli::mcp::Server;

/// The tools, and the names of their arguments.
pub const TOOLS: &[(&str, &[&str])] = &[
    ("ready", &["limit", "label", "owner", "fields"]),
    ("show", &["id", "fields"]),
    ("status", &["fields"]),
    ("plan", &["workers", "fields"]),
    ("check", &[]),
    (
        "create",
        &[
            "subject",
            "id",
            "kind",
            "priority",
            "parent",
            "blocked_by",
            "after",
            "gate",
            "estimate",
            "due",
            "labels",
            "criteria",
            "description",
        ],
    ),
    (
        "update",
        &[
            "id",
            "set",
            "add_blockers",
            "remove_blockers",
            "add_criteria",
            "check_criteria",
            "note",
            "by",
            "subject",
            "status",
            "kind",
            "priority",
            "parent",
            "owner",
            "estimate",
            "due",
            "description",
            "gate",
            "add_labels",
            "remove_labels",
            "unset",
        ],
    ),
    (
        "apply",
        &[
            "plan",
            "format",
            "dry_run",
            "name",
            "tasks",
            "subject",
            "blocked_by",
        ],
    ),
    ("done", &["id", "force", "no_verify"]),
    (
        "claim",
        &["id", "owner", "lease", "local", "renew", "force"],
    ),
    ("release", &["id", "owner", "force"]),
];

/// One message of a session.
#[derive(Debug)]
pub enum Message {
    /// `tools/call` of a tool with arguments.
    Call(&'static str, Map<String, Value>),
    /// Any other method with any parameters.
    Method(String, Value),
    /// A line as it comes: anything at all.
    Raw(String),
}

/// The messages a session sends after the handshake.
#[derive(Debug)]
pub struct Session(pub Vec<Message>);

impl<'a> Arbitrary<'a> for Session {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Session> {
        const METHODS: &[&str] = &[
            "tools/list",
            "resources/list",
            "resources/read",
            "prompts/list",
            "ping",
            "completion/complete",
            "logging/setLevel",
            "initialize",
            "tools/call",
            "notifications/cancelled",
            "notifications/roots/list_changed",
        ];
        let n = u.int_in_range(1..=4)?;
        let mut messages = Vec::with_capacity(n);
        for _ in 0..n {
            messages.push(match u.int_in_range(0..=5)? {
                0..=3 => {
                    let (tool, keys) = *u.choose(TOOLS)?;
                    Message::Call(tool, crate::json::object(u, keys, 3)?)
                }
                4 => {
                    let method = (*u.choose(METHODS)?).to_owned();
                    let keys = ["uri", "name", "arguments", "requestId", "level", "cursor"];
                    let params = crate::json::value(u, &keys, 3)?;
                    Message::Method(method, params)
                }
                _ => Message::Raw(String::arbitrary(u)?),
            });
        }
        Ok(Session(messages))
    }
}

/// Drops every `remote` key: a claim on a remote the fuzzer names
/// would push to whatever path or URL it made up.
fn without_remote(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|k, _| !k.eq_ignore_ascii_case("remote"));
            map.values_mut().for_each(without_remote);
        }
        Value::Array(items) => items.iter_mut().for_each(without_remote),
        _ => {}
    }
}

/// Runs the session against a fresh repository, and checks what comes
/// back: every line is one JSON-RPC 2.0 message, every request the
/// session makes gets exactly one answer with its id, a tool's answer
/// is a result or an error, and a result's text is a JSON document.
pub fn run(session: &Session) {
    crate::repo::sandbox_path();
    let (_keep, path) = crate::repo::fresh();
    thread_local! {
        // One runtime for the process: its blocking threads (where the
        // tools run) are kept between sessions.
        static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
    }
    RUNTIME.with(|runtime| {
        runtime.block_on(async move {
            let (client, server_end) = tokio::io::duplex(1 << 20);
            let server = Server::new(Some(path), Duration::from_millis(100));
            let serving = tokio::spawn(async move {
                let (read, write) = tokio::io::split(server_end);
                let _ = crate::cli::mcp::serve(server, read, write).await;
            });
            let (read, mut write) = tokio::io::split(client);
            let mut lines = BufReader::new(read).lines();
            send(
                &mut write,
                json!({
                    "jsonrpc": "2.0", "id": 0, "method": "initialize",
                    "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                               "clientInfo": {"name": "fuzz", "version": "0"}}
                }),
            )
            .await;
            let answer = next_answer(&mut lines, 0).await;
            assert!(answer.get("result").is_some(), "initialize: {answer}");
            send(
                &mut write,
                json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
            )
            .await;
            for (i, message) in session.0.iter().enumerate() {
                let id = 1000 + i as u64;
                let request = match message {
                    Message::Call(tool, args) => {
                        let mut args = Value::Object(args.clone());
                        without_remote(&mut args);
                        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                           "params": {"name": tool, "arguments": args}})
                    }
                    Message::Method(method, params) => {
                        let mut params = params.clone();
                        without_remote(&mut params);
                        json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
                    }
                    Message::Raw(line) => {
                        // JSON that parses is freed of remotes; a line that does
                        // not parse reaches the server as it is.
                        let mut line = match serde_json::from_str::<Value>(line) {
                            Ok(mut v) => {
                                without_remote(&mut v);
                                serde_json::to_string(&v).expect("JSON")
                            }
                            Err(_) => line.replace(['\n', '\r'], " "),
                        };
                        line.push('\n');
                        write_line(&mut write, &line).await;
                        // A ping after it: the server is still there and answers.
                        json!({"jsonrpc": "2.0", "id": id, "method": "ping"})
                    }
                };
                let is_call = matches!(message, Message::Call(..));
                send(&mut write, request).await;
                let answer = next_answer(&mut lines, id).await;
                if is_call {
                    check_tool_answer(&answer);
                }
            }
            // End of input: the server stops, within the time a call takes.
            write.shutdown().await.expect("the pipe closes");
            drop(lines);
            tokio::time::timeout(Duration::from_secs(20), serving)
                .await
                .expect("the server stops when its input ends")
                .expect("the server's task ends without a panic");
        })
    });
}

async fn send(write: &mut (impl AsyncWriteExt + Unpin), message: Value) {
    let mut line = serde_json::to_string(&message).expect("JSON");
    line.push('\n');
    write_line(write, &line).await;
}

async fn write_line(write: &mut (impl AsyncWriteExt + Unpin), line: &str) {
    write
        .write_all(line.as_bytes())
        .await
        .expect("the server reads");
}

/// Reads until the answer to `id`, checking every line on the way.
async fn next_answer(
    lines: &mut tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
    id: u64,
) -> Value {
    loop {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("no answer to request {id} in 20 s"))
            .expect("the pipe reads")
            .unwrap_or_else(|| panic!("the server stopped before answering request {id}"));
        let message: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the server wrote a line that is not JSON ({e}): {line}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        if message.get("id") == Some(&json!(id)) {
            assert!(
                message.get("result").is_some() != message.get("error").is_some(),
                "an answer has a result or an error: {line}"
            );
            return message;
        }
    }
}

/// A tool's answer: an error of the protocol (bad arguments), a
/// result whose first text is one JSON document, or a tool error whose
/// text says `error: …` and whose structured content is the CLI's error
/// object, with a code a program can act on.
fn check_tool_answer(answer: &Value) {
    let Some(result) = answer.get("result") else {
        return;
    };
    let content = result["content"].as_array().expect("content is a list");
    let text = content
        .first()
        .and_then(|c| c["text"].as_str())
        .unwrap_or_else(|| panic!("a tool answers with text: {answer}"));
    if result["isError"] == json!(true) {
        assert!(text.starts_with("error: "), "{answer}");
        let error = &result["structuredContent"]["error"];
        assert!(
            error["kind"].is_string(),
            "a tool error has a kind: {answer}"
        );
        assert!(
            matches!(error["exit_code"].as_u64(), Some(1 | 2)),
            "{answer}"
        );
        assert!(
            error["message"].is_string(),
            "a tool error has a message: {answer}"
        );
    } else {
        serde_json::from_str::<Value>(text)
            .unwrap_or_else(|e| panic!("a tool's text is JSON ({e}): {text}"));
    }
}
