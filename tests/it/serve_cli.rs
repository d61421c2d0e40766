//! `git task serve`: the real binary on a free port of 127.0.0.1, spoken
//! to in raw HTTP over a socket, as a browser would (and as one that is
//! not the board's page would).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::TestEnv;

/// A running `git task serve`, ended when dropped.
struct Served {
    child: Child,
    port: u16,
    /// What it printed after its first line.
    rest: BufReader<std::process::ChildStdout>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, headers (names in lower case) and body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8")
    }

    #[track_caller]
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The `error` object of an error's answer, after checking its status.
    #[track_caller]
    fn error(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status, status, "{}", self.text());
        let doc = self.json();
        assert_eq!(doc["version"], 1, "{doc}");
        doc["error"].clone()
    }
}

/// Starts `git task serve --port 0 ARGS` in `env`'s repository and reads
/// its port from the first line.
fn serve(env: &TestEnv, args: &[&str]) -> Served {
    let mut child = env
        .git_task_cmd()
        .args(["serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start git task serve");
    let mut out = BufReader::new(child.stdout.take().expect("its stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("its first line");
    let port = line
        .trim()
        .strip_prefix("serving the board on http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("the first line is {line:?}"))
        .parse()
        .expect("a port");
    Served {
        child,
        port,
        rest: out,
    }
}

impl Served {
    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends `method path` with `headers` (a `Host` of the server's own
    /// unless given) and `body`; reads the whole answer.
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let mut text = format!("{method} {path} HTTP/1.1\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            text.push_str(&format!("Host: {}\r\n", self.host()));
        }
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        {
            text.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        text.push_str("\r\n");
        let mut stream = self.connect();
        stream.write_all(text.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read the answer");
        parse(&answer)
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    }

    fn get(&self, path: &str) -> Answer {
        self.request("GET", path, &[], b"")
    }

    /// POSTs `body` to `path` with the page's token.
    fn post(&self, path: &str, token: &str, body: &serde_json::Value) -> Answer {
        self.request(
            "POST",
            path,
            &[
                ("X-Git-Task-Token", token),
                ("Content-Type", "application/json"),
                ("Origin", &format!("http://{}", self.host())),
            ],
            body.to_string().as_bytes(),
        )
    }

    /// The page's `#board-live` block.
    fn live(&self) -> serde_json::Value {
        let page = self.get("/");
        assert_eq!(page.status, 200, "{}", page.text());
        script(&page.text(), "board-live").expect("a live block")
    }

    fn token(&self) -> String {
        self.live()["token"]
            .as_str()
            .expect("a token with --write")
            .to_owned()
    }
}

/// The JSON of the `<script id="ID">` of `page`.
fn script(page: &str, id: &str) -> Option<serde_json::Value> {
    let at = page.find(&format!("id=\"{id}\""))?;
    let start = at + page[at..].find('>')? + 1;
    let end = start + page[start..].find("</script>")?;
    Some(serde_json::from_str(&page[start..end]).expect("the script's JSON"))
}

/// An HTTP answer as bytes: status line, headers, body.
fn parse(bytes: &[u8]) -> Answer {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(bytes)));
    let head = std::str::from_utf8(&bytes[..end]).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    Answer {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    }
}

/// A repository with `alpha`, `beta` after it, and `gamma` with two
/// criteria; the same ids every time.
fn board() -> TestEnv {
    let env = TestEnv::new();
    env.add(&["First", "--id", "alpha"]);
    env.add(&["Second", "--id", "beta", "--after", "alpha"]);
    env.add(&["Third", "--id", "gamma", "--criteria", "tested", "reviewed"]);
    env
}

/// An event stream of `served`, read until `wanted` shows or `within`
/// passes; returns what was read.
fn read_events(stream: &mut TcpStream, wanted: &str, within: Duration) -> String {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(wanted) {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn the_page_and_its_data_are_served_read_only() {
    let env = board();
    let served = serve(&env, &[]);
    let page = served.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("connection"), Some("close"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let text = page.text();
    let live = script(&text, "board-live").expect("the live block");
    assert_eq!(live["events"], "/events");
    assert_eq!(live["data"], "/data");
    assert_eq!(live["write"], false);
    assert!(live.get("token").is_none(), "{live}");
    let embedded = script(&text, "board-data").expect("the data");
    let data = served.get("/data");
    assert_eq!(data.status, 200);
    assert_eq!(data.header("content-type"), Some("application/json"));
    assert_eq!(data.json(), embedded);
    for id in ["alpha", "beta", "gamma"] {
        assert!(data.text().contains(id), "{id} in {}", data.text());
    }
    // HEAD: the headers alone.
    let head = served.request("HEAD", "/data", &[], b"");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    // Not a route, not a method of it.
    assert_eq!(served.get("/nothing").error(404)["kind"], "invalid");
    let wrong = served.request("DELETE", "/data", &[], b"");
    assert_eq!(wrong.error(405)["kind"], "invalid");
    assert_eq!(wrong.header("allow"), Some("GET, HEAD"));
    // A change is refused, token or not: the server is read-only.
    let before = env.snapshot();
    let refused = served.post("/api/done", "anything", &serde_json::json!({"id": "alpha"}));
    let error = refused.error(405);
    assert_eq!(error["kind"], "refused");
    assert!(
        error["message"].as_str().unwrap().contains("--write"),
        "{error}"
    );
    assert_eq!(env.snapshot(), before);
}

#[test]
fn another_host_or_origin_is_refused() {
    let env = board();
    let served = serve(&env, &[]);
    let port = served.port.to_string();
    // DNS rebinding: another name pointed at 127.0.0.1.
    for host in [
        format!("evil.example:{port}"),
        "127.0.0.1".to_owned(),
        "127.0.0.1:1".to_owned(),
    ] {
        let answer = served.request("GET", "/data", &[("Host", &host)], b"");
        assert_eq!(answer.error(421)["kind"], "refused");
    }
    let answer = served.request(
        "GET",
        "/data",
        &[("Host", &format!("localhost:{port}"))],
        b"",
    );
    assert_eq!(answer.status, 200);
    // A page of another origin.
    let answer = served.request("GET", "/data", &[("Origin", "http://evil.example")], b"");
    assert_eq!(answer.error(403)["kind"], "refused");
    let own = format!("http://localhost:{port}");
    assert_eq!(
        served
            .request("GET", "/data", &[("Origin", &own)], b"")
            .status,
        200
    );
    // What is not HTTP is answered, not hung on.
    let mut stream = served.connect();
    stream.write_all(b"HELLO\r\n\r\n").unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    assert_eq!(parse(&bytes).status, 400);
    let long = "a".repeat(20_000);
    let answer = served.request("GET", "/", &[("X-Long", &long)], b"");
    assert_eq!(answer.status, 431);
}

#[test]
fn a_change_from_the_command_line_is_an_event_within_two_seconds() {
    let env = board();
    let served = serve(&env, &[]);
    let mut events = served.connect();
    write!(
        events,
        "GET /events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        served.host()
    )
    .unwrap();
    let opened = read_events(&mut events, "retry:", Duration::from_secs(5));
    assert!(opened.starts_with("HTTP/1.1 200 OK\r\n"), "{opened}");
    assert!(
        opened.contains("Content-Type: text/event-stream\r\n"),
        "{opened}"
    );
    // Reading the board changes nothing it watches: no event.
    let before = served.get("/data").json();
    served.get("/");
    let quiet = read_events(&mut events, "event:", Duration::from_millis(1200));
    assert!(!quiet.contains("event:"), "{quiet}");
    env.done("alpha");
    let started = Instant::now();
    let changed = read_events(&mut events, "\n\n", Duration::from_secs(2));
    assert!(
        changed.contains("event: change\ndata: {\"version\": 2}\n\n"),
        "no change event within {:?}: {changed:?}",
        started.elapsed()
    );
    let after = served.get("/data").json();
    assert_ne!(after, before);
    // Another change, another version.
    env.task(&["note", "beta", "on it"]).ok();
    let changed = read_events(&mut events, "\n\n", Duration::from_secs(2));
    assert!(changed.contains("\"version\": 3"), "{changed:?}");
}

/// What `git task ARGS --json` prints in `twin`, and the task file of `id`
/// after it.
fn by_cli(twin: &TestEnv, args: &[&str], id: &str) -> (String, String) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = twin.task(&all).ok().to_owned();
    (out, twin.read(id))
}

#[test]
fn a_change_with_the_token_is_the_commands_and_without_it_nothing() {
    let env = board();
    let twin = board();
    let mut served = serve(&env, &["--write"]);
    let mut second = String::new();
    served.rest.read_line(&mut second).unwrap();
    assert!(second.starts_with("writes are enabled"), "{second}");
    assert!(served.live()["write"] == true);
    let token = served.token();
    assert_eq!(token.len(), 32, "128 bits in hex: {token}");
    let before = env.snapshot();
    let alpha = serde_json::json!({"id": "alpha"});

    // No token, a wrong one, a page of another origin, another host.
    let none = served.request("POST", "/api/done", &[], alpha.to_string().as_bytes());
    assert_eq!(none.error(403)["kind"], "refused");
    let wrong = served.post("/api/done", &"0".repeat(32), &alpha);
    assert_eq!(wrong.error(403)["kind"], "refused");
    let elsewhere = served.request(
        "POST",
        "/api/done",
        &[
            ("X-Git-Task-Token", &token),
            ("Origin", "http://evil.example"),
        ],
        alpha.to_string().as_bytes(),
    );
    assert_eq!(elsewhere.error(403)["kind"], "refused");
    let rebound = served.request(
        "POST",
        "/api/done",
        &[
            ("X-Git-Task-Token", &token),
            ("Host", &format!("evil.example:{}", served.port)),
        ],
        alpha.to_string().as_bytes(),
    );
    rebound.error(421);
    let get = served.request("GET", "/api/done", &[("X-Git-Task-Token", &token)], b"");
    get.error(405);
    assert_eq!(env.snapshot(), before, "nothing changed");

    // Refused by the rules: beta waits for alpha. The CLI's words, 409.
    let refused = served.post("/api/done", &token, &serde_json::json!({"id": "beta"}));
    let error = refused.error(409);
    let cli = twin.task(&["done", "beta"]);
    cli.code(1);
    assert_eq!(error["kind"], "refused");
    assert_eq!(error["exit_code"], 1);
    let message = error["message"].as_str().unwrap();
    assert!(
        cli.stderr
            .starts_with(&format!("error: {}", message.lines().next().unwrap())),
        "{message} / {}",
        cli.stderr
    );
    for hint in error["hints"].as_array().unwrap() {
        assert!(
            cli.stderr
                .contains(&format!("hint: {}\n", hint.as_str().unwrap())),
            "{hint} / {}",
            cli.stderr
        );
    }
    assert_eq!(env.snapshot(), before, "a refusal changes nothing");
    // An id no task has, and bodies that are not what a change takes.
    let unknown = served.post("/api/start", &token, &serde_json::json!({"id": "nope"}));
    assert_eq!(unknown.error(404)["message"], "no task has the id `nope`");
    let extra = served.post(
        "/api/done",
        &token,
        &serde_json::json!({"id": "alpha", "force": true}),
    );
    assert_eq!(extra.error(400)["kind"], "invalid");
    let garbage = served.request(
        "POST",
        "/api/note",
        &[("X-Git-Task-Token", &token)],
        b"{not json",
    );
    garbage.error(400);
    assert_eq!(env.snapshot(), before);

    // Too large: refused from its Content-Length, before it is read.
    let large = served.request(
        "POST",
        "/api/note",
        &[
            ("X-Git-Task-Token", &token),
            ("Content-Length", &(2 * 1024 * 1024).to_string()),
        ],
        b"{\"id\": \"alpha\", \"text\": \"",
    );
    large.error(413);
    // And when it is sent whole.
    let text = "x".repeat(1024 * 1024);
    let whole = served.post(
        "/api/note",
        &token,
        &serde_json::json!({"id": "alpha", "text": text}),
    );
    whole.error(413);
    assert_eq!(env.snapshot(), before);

    // With the token: each change is the command's, byte for byte.
    let done = served.post("/api/done", &token, &alpha);
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.header("content-type"), Some("application/json"));
    let (cli, file) = by_cli(&twin, &["done", "alpha"], "alpha");
    assert_eq!(done.text(), cli);
    assert_eq!(env.read("alpha"), file);

    let start = served.post("/api/start", &token, &serde_json::json!({"id": "gamma"}));
    let (cli, file) = by_cli(&twin, &["start", "gamma"], "gamma");
    assert_eq!(start.text(), cli);
    assert_eq!(env.read("gamma"), file);

    let note = served.post(
        "/api/note",
        &token,
        &serde_json::json!({"id": "gamma", "text": "halfway </script> there"}),
    );
    let (cli, file) = by_cli(
        &twin,
        &["note", "gamma", "halfway </script> there"],
        "gamma",
    );
    assert_eq!(note.text(), cli);
    assert_eq!(env.read("gamma"), file);

    let met = served.post(
        "/api/criteria",
        &token,
        &serde_json::json!({"id": "gamma", "index": 2, "met": true}),
    );
    let (cli, file) = by_cli(&twin, &["criteria", "gamma", "--met", "2"], "gamma");
    assert_eq!(met.text(), cli);
    assert_eq!(env.read("gamma"), file);
    let unmet = served.post(
        "/api/criteria",
        &token,
        &serde_json::json!({"id": "gamma", "index": 2, "met": false}),
    );
    let (cli, file) = by_cli(&twin, &["criteria", "gamma", "--unmet", "2"], "gamma");
    assert_eq!(unmet.text(), cli);
    assert_eq!(env.read("gamma"), file);
    let none = served.post(
        "/api/criteria",
        &token,
        &serde_json::json!({"id": "gamma", "index": 3, "met": true}),
    );
    assert_eq!(none.error(400)["kind"], "invalid");
    // gamma has unmet criteria: done is refused, as the CLI refuses it.
    let unfinished = served.post("/api/done", &token, &serde_json::json!({"id": "gamma"}));
    assert_eq!(unfinished.error(409)["kind"], "refused");
    twin.task(&["done", "gamma"]).code(1);
    assert_eq!(env.snapshot(), twin.snapshot());
}

#[test]
fn done_from_the_page_runs_the_verify_command_as_the_cli_does() {
    let env = board();
    let served = serve(&env, &["--write"]);
    let token = served.token();
    env.task(&["edit", "alpha", "--verify", "exit 3"]).ok();
    let before = env.snapshot();
    let failed = served.post("/api/done", &token, &serde_json::json!({"id": "alpha"}));
    let error = failed.error(409);
    assert_eq!(error["kind"], "refused");
    assert_eq!(
        error["message"],
        "alpha cannot be completed: its verify command failed (exit status: 3)"
    );
    assert_eq!(env.snapshot(), before);
    env.task(&["edit", "alpha", "--verify", "true"]).ok();
    let done = served.post("/api/done", &token, &serde_json::json!({"id": "alpha"}));
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(done.json()["task"]["status"], "completed");
}

#[test]
fn a_repository_without_tasks_is_the_commands_error() {
    let env = TestEnv::git_repo();
    let run = env.task(&["serve", "--port", "0"]);
    run.code(2).assert_stderr("git task init");
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}
