//! Just enough HTTP/1.1 for a board on the loopback interface: one request
//! per connection (every answer says `Connection: close`), a head of at
//! most [`MAX_HEAD`] bytes, a body of at most [`MAX_BODY`] given by
//! `Content-Length` (no chunked bodies), and a deadline for the whole
//! request, so that a client that sends slowly or not at all holds a
//! thread for seconds, not forever.
//!
//! Written on `std::net` rather than with a server crate: the board needs
//! four routes, one request at a time, and a stream of events, and what
//! matters here (the limits, the deadline, the checks of `Host` and
//! `Origin` in `serve`) is a page of code that can be read whole.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// The most a request's line and headers may take.
pub const MAX_HEAD: usize = 16 * 1024;

/// The most a request's body may take: the largest note anyone writes is
/// far below it.
pub const MAX_BODY: usize = 1024 * 1024;

/// How long a client has to send its whole request.
pub const REQUEST_DEADLINE: Duration = Duration::from_secs(10);

/// A request's line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// `GET`, `POST`, … as sent (methods are case-sensitive).
    pub method: String,
    /// The path of the target, without its query.
    pub path: String,
    /// The headers in the order sent, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body's length, from `Content-Length` (0 without it).
    pub content_length: usize,
}

impl Head {
    /// The value of header `name` (lower case). A header sent twice with
    /// different values is refused when the head is read
    /// ([`read_head`]) for the headers the server decides by.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request cannot be answered as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The client closed the connection before it sent anything: there
    /// is nobody to answer.
    Closed,
    /// The request did not arrive within [`REQUEST_DEADLINE`].
    Timeout,
    /// The line and headers are longer than [`MAX_HEAD`].
    HeadTooLarge,
    /// The body is longer than [`MAX_BODY`].
    BodyTooLarge,
    /// A chunked (or otherwise encoded) body: only `Content-Length` is
    /// taken.
    Encoded,
    /// Not HTTP/1.x as it is written.
    Malformed(String),
}

impl Failure {
    /// The status to answer with, and what to say.
    pub fn status(&self) -> (u16, String) {
        match self {
            Failure::Closed => (400, "the connection closed".into()),
            Failure::Timeout => (
                408,
                format!(
                    "the request did not arrive within {} seconds",
                    REQUEST_DEADLINE.as_secs()
                ),
            ),
            Failure::HeadTooLarge => (
                431,
                format!("the request's headers are over {} KB", MAX_HEAD / 1024),
            ),
            Failure::BodyTooLarge => (
                413,
                format!("the request's body is over {} MB", MAX_BODY / 1024 / 1024),
            ),
            Failure::Encoded => (
                501,
                "bodies are taken with Content-Length only, not chunked or encoded".into(),
            ),
            Failure::Malformed(why) => (400, format!("not a request this server reads: {why}")),
        }
    }
}

/// Reads from a connection until `deadline`: each read waits at most
/// what is left (a socket's read timeout is set before it), and a read
/// that times out is [`Failure::Timeout`].
pub struct Reader<S> {
    stream: S,
    deadline: Instant,
    /// Bytes read past the head: the start of the body.
    pending: Vec<u8>,
}

/// What a [`Reader`] reads from: a socket, whose read timeout is set
/// before each read, or bytes in a test.
pub trait Source: Read {
    /// Makes the next read give up after `timeout`.
    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()>;
}

impl Source for std::net::TcpStream {
    fn set_timeout(&mut self, timeout: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))
    }
}

impl Source for &[u8] {
    fn set_timeout(&mut self, _timeout: Duration) -> io::Result<()> {
        Ok(())
    }
}

impl<S: Source> Reader<S> {
    /// A reader of `stream` whose request must arrive within
    /// [`REQUEST_DEADLINE`] from now.
    pub fn new(stream: S) -> Reader<S> {
        Reader::until(stream, Instant::now() + REQUEST_DEADLINE)
    }

    /// A reader whose request must arrive by `deadline`.
    pub fn until(stream: S, deadline: Instant) -> Reader<S> {
        Reader {
            stream,
            deadline,
            pending: Vec::new(),
        }
    }

    /// One read into `buf`, waiting no later than the deadline.
    fn read_some(&mut self, buf: &mut [u8]) -> Result<usize, Failure> {
        let left = self
            .deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(Failure::Timeout)?;
        self.stream.set_timeout(left).map_err(|_| Failure::Closed)?;
        loop {
            match self.stream.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Err(Failure::Timeout);
                }
                Err(_) => return Err(Failure::Closed),
            }
        }
    }

    /// Reads the request's line and headers.
    pub fn head(&mut self) -> Result<Head, Failure> {
        let mut buf = Vec::with_capacity(1024);
        let mut chunk = [0u8; 4096];
        let end = loop {
            if let Some(end) = head_end(&buf) {
                break end;
            }
            if buf.len() > MAX_HEAD {
                return Err(Failure::HeadTooLarge);
            }
            let n = self.read_some(&mut chunk)?;
            if n == 0 {
                return Err(if buf.is_empty() {
                    Failure::Closed
                } else {
                    Failure::Malformed("the connection closed inside the headers".into())
                });
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        if end.0 > MAX_HEAD {
            return Err(Failure::HeadTooLarge);
        }
        self.pending = buf.split_off(end.1);
        parse_head(&buf[..end.0])
    }

    /// Reads the body `head` announces; longer than `limit` is refused
    /// before any of it is read.
    pub fn body(&mut self, head: &Head, limit: usize) -> Result<Vec<u8>, Failure> {
        let length = head.content_length;
        if length > limit {
            return Err(Failure::BodyTooLarge);
        }
        let mut body = std::mem::take(&mut self.pending);
        body.truncate(length);
        let mut chunk = [0u8; 16 * 1024];
        while body.len() < length {
            let want = (length - body.len()).min(chunk.len());
            let n = self.read_some(&mut chunk[..want])?;
            if n == 0 {
                return Err(Failure::Malformed(
                    "the connection closed before the body's end".into(),
                ));
            }
            body.extend_from_slice(&chunk[..n]);
        }
        Ok(body)
    }
}

/// Where the head ends in `buf`: the end of its last header line and the
/// start of what follows the empty line (`\r\n\r\n`, or a bare `\n\n`).
fn head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while let Some(at) = buf[i..].iter().position(|&b| b == b'\n') {
        let nl = i + at;
        let next = nl + 1;
        if buf.get(next) == Some(&b'\n') {
            return Some((nl, next + 1));
        }
        if buf.get(next) == Some(&b'\r') && buf.get(next + 1) == Some(&b'\n') {
            return Some((nl, next + 2));
        }
        i = next;
    }
    None
}

/// The headers the server decides by: sent twice with different values,
/// the request is refused rather than one of them picked.
const SINGLE: &[&str] = &[
    "host",
    "origin",
    "content-length",
    "x-git-task-token",
    "last-event-id",
];

/// Parses a head (without its final empty line).
fn parse_head(bytes: &[u8]) -> Result<Head, Failure> {
    let bad = |why: &str| Failure::Malformed(why.to_owned());
    let text = std::str::from_utf8(bytes).map_err(|_| bad("the headers are not UTF-8"))?;
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let line = lines.next().unwrap_or("");
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("the request line is not METHOD TARGET HTTP/1.1"));
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad("the method is not a word in capitals"));
    }
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(bad("only HTTP/1.0 and HTTP/1.1 are spoken"));
    }
    if !target.starts_with('/') {
        return Err(bad("the target is not a path"));
    }
    let path = target.split(['?', '#']).next().unwrap_or(target).to_owned();
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            return Err(bad("a header is folded over lines"));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad("a header line has no colon"))?;
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        {
            return Err(bad("a header's name is not a token"));
        }
        let name = name.to_ascii_lowercase();
        let value = value.trim_matches([' ', '\t']).to_owned();
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(bad("a header's value holds a control character"));
        }
        if SINGLE.contains(&name.as_str())
            && let Some((_, seen)) = headers.iter().find(|(n, _)| *n == name)
        {
            if *seen != value {
                return Err(Failure::Malformed(format!("{name} is sent twice")));
            }
            continue;
        }
        headers.push((name, value));
    }
    let mut head = Head {
        method: method.to_owned(),
        path,
        headers,
        content_length: 0,
    };
    if head.header("transfer-encoding").is_some() {
        return Err(Failure::Encoded);
    }
    if let Some(length) = head.header("content-length") {
        if length.is_empty() || !length.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("Content-Length is not a number"));
        }
        // A number too large for memory is too large a body.
        head.content_length = length.parse().unwrap_or(usize::MAX);
    }
    Ok(head)
}

/// An answer: its status, type, extra headers and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// An answer of `status` with `body` of `content_type`.
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A JSON answer.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response::new(status, "application/json", body)
    }

    /// With one more header.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// Writes it, the body left out for a `HEAD` request (`head_only`).
    pub fn write_to(&self, out: &mut impl Write, head_only: bool) -> io::Result<()> {
        let mut text = status_line(self.status);
        text.push_str(&format!(
            "Content-Type: {}\r\nContent-Length: {}\r\n",
            self.content_type,
            self.body.len()
        ));
        for (name, value) in common_headers().iter().chain(&self.headers) {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        out.write_all(text.as_bytes())?;
        if !head_only {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

/// `HTTP/1.1 200 OK\r\n` and the like.
pub fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    };
    format!("HTTP/1.1 {status} {reason}\r\n")
}

/// What every answer says besides its type and length: one request per
/// connection; nothing cached (the board changes under it); and, since a
/// page with write buttons must not be framed by another (clickjacking)
/// nor its data read by another origin's `<script>` or `<img>`, no
/// framing, no sniffing, no referrer and resources for this origin only.
pub fn common_headers() -> [(&'static str, String); 7] {
    [
        ("Connection", "close".into()),
        ("Cache-Control", "no-store".into()),
        ("X-Content-Type-Options", "nosniff".into()),
        ("X-Frame-Options", "DENY".into()),
        ("Content-Security-Policy", "frame-ancestors 'none'".into()),
        ("Referrer-Policy", "no-referrer".into()),
        ("Cross-Origin-Resource-Policy", "same-origin".into()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_of(text: &str) -> Result<Head, Failure> {
        Reader::new(text.as_bytes()).head()
    }

    #[test]
    fn a_request_reads_as_its_method_path_and_headers() {
        let head = head_of(
            "POST /api/done?x=1 HTTP/1.1\r\nHost: 127.0.0.1:80\r\nContent-Length: 11\r\nX-A:  b \r\n\r\n",
        )
        .unwrap();
        assert_eq!(head.method, "POST");
        assert_eq!(head.path, "/api/done");
        assert_eq!(head.header("host"), Some("127.0.0.1:80"));
        assert_eq!(head.header("x-a"), Some("b"));
        assert_eq!(head.content_length, 11);
        // Bare newlines are taken too.
        let head = head_of("GET / HTTP/1.0\nHost: x\n\n").unwrap();
        assert_eq!(head.path, "/");
        assert_eq!(head.content_length, 0);
    }

    #[test]
    fn the_body_is_read_to_its_length_and_no_further() {
        let text = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello, and more";
        let mut reader = Reader::new(text.as_bytes());
        let head = reader.head().unwrap();
        assert_eq!(reader.body(&head, MAX_BODY).unwrap(), b"hello");
        // A body cut short is refused, not taken as it is.
        let text = "POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\nhello";
        let mut reader = Reader::new(text.as_bytes());
        let head = reader.head().unwrap();
        assert!(matches!(
            reader.body(&head, MAX_BODY),
            Err(Failure::Malformed(_))
        ));
    }

    #[test]
    fn a_body_over_the_limit_is_refused_before_it_is_read() {
        let text = format!(
            "POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        let mut reader = Reader::new(text.as_bytes());
        let head = reader.head().unwrap();
        assert_eq!(reader.body(&head, MAX_BODY), Err(Failure::BodyTooLarge));
        assert_eq!(Failure::BodyTooLarge.status().0, 413);
        let huge = "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n";
        let mut reader = Reader::new(huge.as_bytes());
        let head = reader.head().unwrap();
        assert_eq!(reader.body(&head, MAX_BODY), Err(Failure::BodyTooLarge));
    }

    #[test]
    fn a_head_over_the_limit_is_refused() {
        let text = format!("GET / HTTP/1.1\r\nX-Long: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(head_of(&text), Err(Failure::HeadTooLarge));
        // Without an end in sight, reading stops at the limit.
        let endless = format!("GET / HTTP/1.1\r\nX-Long: {}", "a".repeat(4 * MAX_HEAD));
        assert_eq!(head_of(&endless), Err(Failure::HeadTooLarge));
    }

    #[test]
    fn what_is_not_http_is_malformed() {
        for text in [
            "GET /\r\n\r\n",
            "get / HTTP/1.1\r\n\r\n",
            "GET / HTTP/2\r\n\r\n",
            "GET http://evil/ HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "GET / HTTP/1.1\r\nBad Name: b\r\n\r\n",
        ] {
            assert!(
                matches!(head_of(text), Err(Failure::Malformed(_))),
                "{text:?}: {:?}",
                head_of(text)
            );
        }
        assert_eq!(
            head_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Err(Failure::Encoded)
        );
        assert_eq!(head_of(""), Err(Failure::Closed));
        // The same header twice with the same value is one header.
        let head = head_of("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n").unwrap();
        assert_eq!(head.headers.len(), 1);
    }

    #[test]
    fn a_past_deadline_is_a_timeout() {
        let past = Instant::now() - Duration::from_secs(1);
        let mut reader = Reader::until(&b"GET / HTTP/1.1\r\n\r\n"[..], past);
        assert_eq!(reader.head(), Err(Failure::Timeout));
    }

    #[test]
    fn an_answer_says_its_length_and_closes() {
        let mut out = Vec::new();
        Response::json(409, "{}")
            .with("Allow", "GET")
            .write_to(&mut out, false)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 409 Conflict\r\n"), "{text}");
        assert!(text.contains("Content-Length: 2\r\n"), "{text}");
        assert!(text.contains("Connection: close\r\n"), "{text}");
        assert!(text.contains("Allow: GET\r\n"), "{text}");
        assert!(text.ends_with("\r\n\r\n{}"), "{text}");
        let mut out = Vec::new();
        Response::json(200, "{}").write_to(&mut out, true).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with("\r\n\r\n"));
    }
}
