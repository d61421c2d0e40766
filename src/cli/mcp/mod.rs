//! `git task mcp`: the tasks served to coding agents over the Model
//! Context Protocol, on stdio, with the official Rust SDK (rmcp).
//!
//! A front end like the CLI: every tool calls the library functions the
//! command of the same name calls, answers with the document that command
//! prints with `--json`, and says a refusal or error in the CLI's words
//! (`answer.rs`). The tools are in `read.rs`, `write.rs` and `claim.rs`, one router
//! each; a tool is one `#[tool]` method there, and a router of another
//! file joins them in [`Server::new`].

mod answer;
mod claim;
mod read;
mod transport;
mod write;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    ListResourcesResult, PaginatedRequestParams, ProtocolVersion, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ErrorData as McpError, Peer, RoleServer, ServerHandler, ServiceExt, tool_handler};

use super::{CliError, CliResult, Ctx};
use answer::{Call, doc};

/// Serve the tasks to coding agents over MCP (stdio).
///
/// Speaks the Model Context Protocol on stdin and stdout, for an agent's
/// client to start. The tools are those of the commands (ready, claim,
/// release, show, create, update, done, apply, status, plan, check), with
/// the same rules, the same JSON and the CLI's messages for refusals. The repository is
/// the one around -C DIR; without it, the client's first file:// root,
/// else the directory the client starts it in.
///
/// Claude Code:
///
///   claude mcp add git-task -- git task mcp
///
/// Claude Desktop, Cursor, VS Code and other clients that read an
/// `mcpServers` table:
///
///   {
///     "mcpServers": {
///       "git-task": { "command": "git", "args": ["task", "mcp"] }
///     }
///   }
///
/// Tools, arguments and the error shape: docs/mcp.md.
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {}

/// What the server says about itself at initialization.
const INSTRUCTIONS: &str = "\
Tasks of this git repository, with dependencies. Loop: `claim` (takes the top ready task atomically; one agent per task, give each its own `owner`) → work, `update` → `done` (its answer lists what became ready). `apply` writes a whole plan.
Refusals come back as tool errors with the CLI's message and `git task …` hints. Read git-task://guide/patterns for the five patterns (sequential, parallel, fan-out, fan-in, pipeline with gates).";

/// The resource with guidance on the loop and the patterns.
const GUIDE_URI: &str = "git-task://guide/patterns";
const GUIDE: &str = include_str!("guide.md");

/// Serves until the client closes stdin (or stdout breaks).
pub fn run(ctx: &mut Ctx, _args: Args) -> CliResult {
    let server = Server::new(ctx.dir.clone(), ctx.wait);
    // One thread serves the protocol; each call runs on the blocking pool
    // (a verify command may run for minutes), where the CLI's code runs
    // as it does in the CLI.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(server, tokio::io::stdin(), tokio::io::stdout()))
}

/// Serves `server` on a pipe, one JSON-RPC message a line, until the
/// input ends or the output breaks.
pub async fn serve<R, W>(server: Server, read: R, write: W) -> CliResult
where
    R: tokio::io::AsyncRead + Unpin + Send + 'static,
    W: tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = server
        .serve(transport::LineTransport::new(read, write))
        .await
        .map_err(|e| CliError::Io(std::io::Error::other(e.to_string())))?;
    service
        .waiting()
        .await
        .map_err(|e| CliError::Io(std::io::Error::other(e.to_string())))?;
    Ok(())
}

/// The MCP server: where the repository is, and the tools.
#[derive(Clone)]
pub struct Server {
    /// `-C DIR`: wins over the client's roots.
    dir: Option<PathBuf>,
    /// `--wait`: how long a change waits for another process's.
    wait: std::time::Duration,
    /// The client's first `file://` root, once asked for (`None`: not
    /// yet; `Some(None)`: it has none, or cannot say). Asked again after
    /// the client says its roots changed.
    root: Arc<Mutex<Option<Option<PathBuf>>>>,
    tool_router: ToolRouter<Server>,
}

impl Server {
    /// The server of `dir` (`-C`) and `wait` (`--wait`).
    pub fn new(dir: Option<PathBuf>, wait: std::time::Duration) -> Server {
        Server {
            dir,
            wait,
            root: Arc::new(Mutex::new(None)),
            tool_router: Server::read_tools() + Server::write_tools() + Server::claim_tools(),
        }
    }

    /// The directory a call runs in: `-C`, else the client's first
    /// `file://` root, else the working directory (`None`).
    async fn dir(&self, peer: &Peer<RoleServer>) -> Option<PathBuf> {
        if self.dir.is_some() {
            return self.dir.clone();
        }
        if let Some(known) = self.root.lock().expect("not poisoned").clone() {
            return known;
        }
        let root = client_root(peer).await;
        *self.root.lock().expect("not poisoned") = Some(root.clone());
        root
    }

    /// Runs one tool: `tool` gets the call's context in the repository
    /// of [`Server::dir`] and returns its document; the answer is cut down
    /// to `fields`. It runs on the blocking pool: the CLI's code reads
    /// files, takes the lock and runs verify commands.
    async fn call(
        &self,
        peer: &Peer<RoleServer>,
        fields: Option<Vec<String>>,
        tool: impl FnOnce(&mut Call) -> Result<serde_json::Value, CliError> + Send + 'static,
    ) -> Result<rmcp::model::CallToolResult, McpError> {
        let dir = self.dir(peer).await;
        let wait = self.wait;
        tokio::task::spawn_blocking(move || match super::now() {
            Ok(now) => {
                let mut call = Call::new(dir, wait, now);
                let answer = tool(&mut call);
                call.finish(answer, fields.as_deref())
            }
            // GIT_TASK_NOW does not read: every call says so.
            Err(e) => Call::new(dir, wait, chrono::Utc::now()).finish(Err(e), None),
        })
        .await
        .map_err(|e| McpError::internal_error(format!("the tool stopped: {e}"), None))
    }
}

/// The client's first `file://` root as a path, when it has roots and
/// the protocol still lets a server ask (versions before 2026-07-28,
/// which deprecates roots; every client of the earlier ones offers them).
#[allow(deprecated)]
async fn client_root(peer: &Peer<RoleServer>) -> Option<PathBuf> {
    let info = peer.peer_info()?;
    info.capabilities.roots.as_ref()?;
    if info.protocol_version >= ProtocolVersion::V_2026_07_28 {
        return None;
    }
    // A client that declares roots but does not answer (or answers only
    // after the tool call it is waiting for) must not hang every call:
    // after a few seconds the server works where it was started.
    let asked = tokio::time::timeout(std::time::Duration::from_secs(5), peer.list_roots());
    let roots = asked.await.ok()?.ok()?;
    // The first root inside a git repository: a client may list a parent
    // folder or a scratch directory first.
    roots
        .roots
        .iter()
        .filter_map(|r| file_path(&r.uri))
        .find(|path| git_task::store::Workspace::discover(path).is_ok())
}

/// The path of a `file://` URI (`file:///home/ana/my%20repo`), its
/// percent escapes decoded; `None` for another scheme or a host other
/// than localhost.
fn file_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(at) if &rest[..at] == "localhost" => &rest[at..],
        _ => return None,
    };
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h)? * 16 + hex(l)?) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    let text = String::from_utf8(out).ok()?;
    // On Windows a file URI's path is `/C:/…`.
    if cfg!(windows) {
        return Some(PathBuf::from(text.trim_start_matches('/')));
    }
    Some(PathBuf::from(text))
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(rmcp::model::Implementation::new(
            "git-task",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_instructions(INSTRUCTIONS)
    }

    /// The router's call, with rmcp's refusal of arguments that do not
    /// read (the wrong JSON type, a missing or unknown key) given the
    /// error object every other refusal has: an agent reads `kind` and
    /// the message the same way for all of them.
    async fn call_tool(
        &self,
        request: rmcp::model::CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::CallToolResponse, McpError> {
        let tool = request.name.to_string();
        let context = rmcp::handler::server::tool::ToolCallContext::new(self, request, context);
        match self.tool_router.call(context).await? {
            rmcp::model::CallToolResponse::Complete(result) => {
                Ok(answer::arguments_refused(&tool, result).into())
            }
            other => Ok(other),
        }
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(vec![guide()]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        if request.uri != GUIDE_URI {
            return Err(McpError::resource_not_found(
                format!("no resource {}; there is {GUIDE_URI}", request.uri),
                None,
            ));
        }
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(GUIDE, GUIDE_URI).with_mime_type("text/markdown"),
        ])
        .into())
    }

    async fn on_roots_list_changed(&self, _context: NotificationContext<RoleServer>) {
        *self.root.lock().expect("not poisoned") = None;
    }
}

/// The guide as a resource of the list.
fn guide() -> Resource {
    Resource::new(GUIDE_URI, "patterns")
        .with_title("git-task: the work loop and five patterns")
        .with_mime_type("text/markdown")
        .with_size(GUIDE.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_uri_is_its_path_with_escapes_decoded() {
        if cfg!(windows) {
            return;
        }
        assert_eq!(
            file_path("file:///home/ana/my%20repo"),
            Some(PathBuf::from("/home/ana/my repo"))
        );
        assert_eq!(
            file_path("file://localhost/srv/x"),
            Some(PathBuf::from("/srv/x"))
        );
        assert_eq!(file_path("file://elsewhere/srv/x"), None);
        assert_eq!(file_path("https://example.com/x"), None);
        // A broken escape is kept as written.
        assert_eq!(file_path("file:///a%2"), Some(PathBuf::from("/a%2")));
    }
}
