//! `git task serve`: the board of `git task board`, live on 127.0.0.1.
//!
//! A thread per connection on `std::net` (`http.rs`), one answer per
//! connection. A watcher thread looks at `.tasks/` (and HEAD and the
//! index) every 400 ms (`watch.rs`); a change makes a new version, which
//! the event streams send and which the page and its data are built
//! again for, once, on the next request. With `--write` the page may
//! post four changes (`api.rs`), each as the CLI makes it.
//!
//! What keeps other pages out: the server listens on the loopback
//! interface only; every request must name it in `Host` (a page of
//! another site whose name was pointed at 127.0.0.1, DNS rebinding, sends
//! its own name) and, when it says where it comes from, come from it
//! (`Origin`); a change must carry the token of this process, which only
//! the served page holds; and no other page may frame it.

mod api;
mod http;
mod watch;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use git_task::board::page::Live;
use git_task::output::{ErrorKind, ErrorObject, ToolError, Version};

use super::{CliError, CliResult, Ctx, RevArgs};
use http::{Failure, Head, Reader, Response};

/// Serve the board live on 127.0.0.1, following every change to .tasks/.
///
/// The page of `git task board`, for the working tree, at
/// http://127.0.0.1:PORT/ (nothing listens on other interfaces). A change
/// to .tasks/ (a command, an editor, a checkout, a commit) shows on the
/// page within a second or two. Runs until interrupted (Ctrl-C).
///
/// Read-only unless --write: then the page's task panel can start and
/// complete a task, add a note and mark criteria met or unmet, each with
/// the rules of the command of the same name (done runs the verify
/// command), as the identity of git config user.email. Only the page this
/// process served can: each change carries a token it makes at start.
///
/// Routes: GET / (the page), GET /data (its data as JSON), GET /events
/// (server-sent events: `change` with a version when the data changes),
/// POST /api/start, /api/done, /api/note, /api/criteria (with --write).
/// See docs/board.md.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The port on 127.0.0.1; 0 takes a free one (the first line of
    /// output says which).
    #[arg(long, default_value_t = 7373)]
    pub port: u16,

    /// Let the page start and complete tasks, add notes and mark
    /// criteria.
    #[arg(long)]
    pub write: bool,

    #[command(flatten)]
    pub options: super::board::Options,
}

/// The most connections served at once (event streams included): more
/// are answered 503, rather than each taking a thread.
const MAX_CONNECTIONS: usize = 64;

/// How long an answer may take to write to a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How often an event stream says it is still there.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What the server knows between requests.
struct Server {
    /// `-C DIR`.
    dir: Option<PathBuf>,
    /// `--wait`.
    wait: Duration,
    /// What the board shows: `--workers`, `--all`.
    options: super::board::Options,
    port: u16,
    /// The token a change must carry; `None` without `--write`.
    token: Option<String>,
    watched: watch::Watched,
    versions: watch::Versions,
    /// The page and data of the last version built. Held while a build
    /// runs, so that a change seen by many clients is built once.
    built: Mutex<Option<Arc<Built>>>,
    connections: AtomicUsize,
}

/// The page and its data, of one version.
struct Built {
    version: u64,
    page: String,
    data: String,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let watched = watch::Watched {
        tasks: ws.tasks_dir(),
        git_dir: ws.git_dir().to_owned(),
    };
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, args.port)).map_err(|e| CliError::User {
            message: format!("cannot listen on 127.0.0.1:{}: {e}", args.port),
            hints: vec!["--port 0 takes a free port".to_owned()],
        })?;
    let port = listener.local_addr()?.port();
    let token = match args.write {
        true => Some(new_token()?),
        false => None,
    };
    let server = Arc::new(Server {
        dir: ctx.dir.clone(),
        wait: ctx.wait,
        options: args.options,
        port,
        token,
        versions: watch::Versions::new(watched.fingerprint()),
        watched,
        built: Mutex::new(None),
        connections: AtomicUsize::new(0),
    });
    server.prime()?;
    let out = ctx.ui.out();
    writeln!(out, "serving the board on http://127.0.0.1:{port}/")?;
    if args.write {
        writeln!(
            out,
            "writes are enabled: the page can start and complete tasks, add notes and mark criteria"
        )?;
    }
    ctx.ui.flush()?;
    {
        let server = Arc::clone(&server);
        std::thread::Builder::new()
            .name("serve-watch".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(watch::POLL);
                    server.look();
                }
            })?;
    }
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, or a connection reset before it
            // was accepted: the next one may do.
            std::thread::sleep(Duration::from_millis(50));
            continue;
        };
        accept(&server, stream);
    }
    Ok(())
}

/// 128 random bits, in hex.
fn new_token() -> Result<String, CliError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(git_task::error::Error::Random)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Serves one connection on a thread of its own, or answers 503 when
/// [`MAX_CONNECTIONS`] are open.
fn accept(server: &Arc<Server>, stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    if server.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
        server.connections.fetch_sub(1, Ordering::SeqCst);
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let answer = error(503, ErrorKind::Failed, "too many connections; try again");
        finish(stream, &answer, false);
        return;
    }
    let serving = Arc::clone(server);
    let spawned = std::thread::Builder::new()
        .name("serve-connection".into())
        .spawn(move || {
            // Counted down however the connection ends, a panic included.
            struct Counted<'a>(&'a AtomicUsize);
            impl Drop for Counted<'_> {
                fn drop(&mut self) {
                    self.0.fetch_sub(1, Ordering::SeqCst);
                }
            }
            let _counted = Counted(&serving.connections);
            serving.serve(stream);
        });
    if spawned.is_err() {
        server.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Writes `answer`, then closes the connection: first our side, then,
/// after reading what the client still sends (a body not read, at most a
/// few MB or a second), the socket, so that the client reads the answer
/// rather than a reset.
fn finish(mut stream: TcpStream, answer: &Response, head_only: bool) {
    if answer.write_to(&mut stream, head_only).is_err() {
        return;
    }
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut left = 4 * http::MAX_BODY;
    let mut buf = [0u8; 16 * 1024];
    while left > 0 {
        let Some(wait) = deadline.checked_duration_since(Instant::now()) else {
            break;
        };
        if wait.is_zero() || stream.set_read_timeout(Some(wait)).is_err() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

/// An error's answer: the CLI's error object, in the document the MCP
/// server's tool errors are (`{"version": 1, "error": {...}}`).
fn error_answer(status: u16, object: ErrorObject) -> Response {
    let doc = ToolError {
        version: Version,
        error: object,
    };
    let mut text = serde_json::to_vec_pretty(&doc).expect("an error is JSON");
    text.push(b'\n');
    Response::json(status, text)
}

/// An error of the server's own (no token, another host, …), in the
/// shape of the CLI's.
fn error(status: u16, kind: ErrorKind, message: &str) -> Response {
    error_answer(
        status,
        ErrorObject {
            kind,
            exit_code: if kind == ErrorKind::Refused { 1 } else { 2 },
            message: message.to_owned(),
            hints: Vec::new(),
        },
    )
}

/// Whether `host` (the `Host` header) names this server: `127.0.0.1` or
/// `localhost` with its port. Anything else is a name some other site
/// pointed here.
fn names_us(host: &str, port: u16) -> bool {
    let host = host.to_ascii_lowercase();
    ["127.0.0.1", "localhost"]
        .iter()
        .any(|name| host == format!("{name}:{port}") || (port == 80 && host == *name))
}

/// Whether `origin` (the `Origin` header) is this server's own.
fn origin_is_ours(origin: &str, port: u16) -> bool {
    origin
        .to_ascii_lowercase()
        .strip_prefix("http://")
        .is_some_and(|host| names_us(host, port))
}

/// Whether `given` is `token`, in time that does not depend on where they
/// differ.
fn same_token(given: &str, token: &str) -> bool {
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// What a request is answered with: an answer, or the event stream.
enum Answer {
    Once(Response),
    Events,
}

impl Server {
    /// A context for one request, at its own moment.
    fn ctx(&self) -> Result<Ctx, CliError> {
        let now = super::now()?;
        Ok(Ctx::for_request(self.dir.clone(), self.wait, now))
    }

    /// Takes a look at `.tasks/`: a change makes a new version.
    fn look(&self) -> u64 {
        self.versions.observe(self.watched.fingerprint())
    }

    /// A context for a request whose own could not be made (the clock
    /// of `GIT_TASK_NOW` does not read), to say so in.
    fn fallback_ctx(&self) -> Ctx {
        Ctx::for_request(self.dir.clone(), self.wait, chrono::Utc::now())
    }

    /// The page and data of the current version, built if they are not;
    /// or the answer's status and the error.
    fn built(&self) -> Result<Arc<Built>, (u16, ErrorObject)> {
        let mut slot = self.built.lock().unwrap_or_else(|e| e.into_inner());
        let version = self.versions.current();
        if let Some(built) = slot.as_ref().filter(|b| b.version == version) {
            return Ok(Arc::clone(built));
        }
        let mut ctx = self
            .ctx()
            .map_err(|e| api::refusal(&self.fallback_ctx(), e))?;
        let built = self
            .build(&mut ctx, version)
            .map_err(|e| api::refusal(&ctx, e))?;
        let built = Arc::new(built);
        *slot = Some(Arc::clone(&built));
        Ok(built)
    }

    /// Builds the first page, before the server says where it is: a
    /// repository without `.tasks/` fails here, with the command's error.
    fn prime(&self) -> CliResult {
        let mut ctx = self.ctx()?;
        let version = self.versions.current();
        let built = self.build(&mut ctx, version)?;
        *self.built.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(built));
        Ok(())
    }

    /// Builds the page and its data, as `board` draws them.
    fn build(&self, ctx: &mut Ctx, version: u64) -> Result<Built, CliError> {
        let rev = RevArgs::default();
        let reading = ctx.read_tasks(&rev)?;
        let drawn = super::board::draw(ctx, &reading, &rev, &self.options);
        // A server reads again on every change: the tasks are given
        // back, where the CLI leaves them to the end of the process.
        drop(std::mem::ManuallyDrop::into_inner(reading.set));
        let drawn = drawn?;
        let page = drawn.page(Some(&Live::new(self.token.clone())));
        Ok(Built {
            version,
            page,
            data: drawn.json,
        })
    }

    /// Serves one connection: reads its request and answers it.
    fn serve(&self, stream: TcpStream) {
        let Ok(read_half) = stream.try_clone() else {
            return;
        };
        let mut reader = Reader::new(read_half);
        let head = match reader.head() {
            Ok(head) => head,
            Err(Failure::Closed) => return,
            Err(failure) => {
                let (status, message) = failure.status();
                finish(stream, &error(status, ErrorKind::Invalid, &message), false);
                return;
            }
        };
        let head_only = head.method == "HEAD";
        match self.answer(&head, &mut reader) {
            Answer::Once(response) => finish(stream, &response, head_only),
            Answer::Events => self.events(stream, &head),
        }
    }

    /// The answer to a request.
    fn answer(&self, head: &Head, reader: &mut Reader<TcpStream>) -> Answer {
        let port = self.port;
        if !head.header("host").is_some_and(|h| names_us(h, port)) {
            return Answer::Once(error(
                421,
                ErrorKind::Refused,
                &format!(
                    "this server answers for 127.0.0.1:{port} and localhost:{port} only, not {}",
                    head.header("host").unwrap_or("a request without Host")
                ),
            ));
        }
        if let Some(origin) = head.header("origin")
            && !origin_is_ours(origin, port)
        {
            return Answer::Once(error(
                403,
                ErrorKind::Refused,
                &format!("requests from {origin} are refused: only the board's own page may ask"),
            ));
        }
        let reading = matches!(head.method.as_str(), "GET" | "HEAD");
        let once = |r| Answer::Once(r);
        match head.path.as_str() {
            "/" | "/data" | "/events" if !reading => once(
                error(
                    405,
                    ErrorKind::Invalid,
                    &format!("{} takes GET, not {}", head.path, head.method),
                )
                .with("Allow", "GET, HEAD"),
            ),
            "/" => once(self.page()),
            "/data" => once(self.data()),
            "/events" => Answer::Events,
            path => match api::Change::of_path(path) {
                Some(which) => once(self.change(which, head, reader)),
                None => once(error(
                    404,
                    ErrorKind::Invalid,
                    &format!("no {path} here: there are /, /data, /events and /api/…"),
                )),
            },
        }
    }

    /// `GET /`.
    fn page(&self) -> Response {
        match self.built() {
            Ok(built) => Response::new(200, "text/html; charset=utf-8", built.page.clone()),
            Err((status, object)) => {
                let text = format!(
                    "<!doctype html>\n<meta charset=\"utf-8\"><title>git task board</title>\n<pre>error: {}</pre>\n",
                    html_escape(&object.message)
                );
                Response::new(status, "text/html; charset=utf-8", text)
            }
        }
    }

    /// `GET /data`.
    fn data(&self) -> Response {
        match self.built() {
            Ok(built) => Response::json(200, built.data.clone()),
            Err((status, object)) => error_answer(status, object),
        }
    }

    /// `POST /api/…`.
    fn change(&self, which: api::Change, head: &Head, reader: &mut Reader<TcpStream>) -> Response {
        if head.method != "POST" {
            return error(
                405,
                ErrorKind::Invalid,
                &format!("{} takes POST, not {}", head.path, head.method),
            )
            .with("Allow", "POST");
        }
        let Some(token) = &self.token else {
            return error(
                405,
                ErrorKind::Refused,
                "this board is read-only: start it with `git task serve --write` to change tasks from the page",
            )
            .with("Allow", "");
        };
        if !head
            .header("x-git-task-token")
            .is_some_and(|given| same_token(given, token))
        {
            return error(
                403,
                ErrorKind::Refused,
                "a change needs this server's token in X-Git-Task-Token: only the page it served may change tasks",
            );
        }
        let body = match reader.body(head, http::MAX_BODY) {
            Ok(body) => body,
            Err(failure) => {
                let (status, message) = failure.status();
                return error(status, ErrorKind::Invalid, &message);
            }
        };
        let answer = match self.ctx() {
            Ok(mut ctx) => match api::apply(&mut ctx, which, &body) {
                Ok(text) => Response::json(200, text),
                Err(e) => {
                    let (status, object) = api::refusal(&ctx, e);
                    error_answer(status, object)
                }
            },
            Err(e) => {
                let (status, object) = api::refusal(&self.fallback_ctx(), e);
                error_answer(status, object)
            }
        };
        // The page hears of its own change at once, not at the next look.
        self.look();
        answer
    }

    /// `GET /events`: `change` with the version whenever it goes up, a
    /// comment every [`KEEP_ALIVE`]; until the client goes away. A client
    /// that reconnects with the last version it saw (`Last-Event-ID`) is
    /// told at once when it missed one.
    fn events(&self, mut stream: TcpStream, head: &Head) {
        let mut text = http::status_line(200);
        text.push_str("Content-Type: text/event-stream\r\n");
        for (name, value) in http::common_headers() {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n: the board's changes\nretry: 1000\n\n");
        if stream.write_all(text.as_bytes()).is_err() {
            return;
        }
        let mut seen = self.versions.current();
        if let Some(last) = head
            .header("last-event-id")
            .and_then(|v| v.parse::<u64>().ok())
            && last != seen
        {
            seen = last;
        }
        loop {
            let version = self.versions.wait_past(seen, KEEP_ALIVE);
            let text = if version == seen {
                ": still here\n\n".to_owned()
            } else {
                seen = version;
                format!("id: {version}\nevent: change\ndata: {{\"version\": {version}}}\n\n")
            };
            if stream.write_all(text.as_bytes()).is_err() || stream.flush().is_err() {
                return;
            }
        }
    }
}

/// Text made safe inside HTML.
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_servers_own_names_pass() {
        assert!(names_us("127.0.0.1:8080", 8080));
        assert!(names_us("LOCALHOST:8080", 8080));
        assert!(!names_us("127.0.0.1:8081", 8080));
        assert!(!names_us("evil.example:8080", 8080));
        assert!(!names_us("127.0.0.1", 8080));
        assert!(names_us("localhost", 80));
        assert!(origin_is_ours("http://127.0.0.1:8080", 8080));
        assert!(origin_is_ours("http://localhost:8080", 8080));
        assert!(!origin_is_ours("https://127.0.0.1:8080", 8080));
        assert!(!origin_is_ours("http://evil.example:8080", 8080));
        assert!(!origin_is_ours("null", 8080));
    }

    #[test]
    fn a_token_is_128_bits_in_hex_and_compared_whole() {
        let token = new_token().map_err(|_| "random").unwrap();
        assert_eq!(token.len(), 32);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(token, new_token().map_err(|_| "random").unwrap());
        assert!(same_token(&token, &token));
        assert!(!same_token(&token[..31], &token));
        assert!(!same_token("", &token));
        let mut other = token.clone().into_bytes();
        other[31] = if other[31] == b'0' { b'1' } else { b'0' };
        assert!(!same_token(std::str::from_utf8(&other).unwrap(), &token));
    }
}
