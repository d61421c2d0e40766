//! The server's side of the pipe: one JSON-RPC message a line, as
//! rmcp's own stdio transport reads and writes them, except that a
//! request that does not read (parameters of the wrong shape, a method
//! with a typo in its params) is answered with its own id and what is
//! wrong with it. rmcp answers those with an error that has no id, so a
//! client waiting for the answer to its request would wait forever
//! (found by the `mcp` fuzz target).

use std::borrow::Cow;
use std::sync::Arc;

use rmcp::RoleServer;
use rmcp::model::{ErrorData, RequestId, ServerJsonRpcMessage};
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

/// The longest line read: a plan of 100k tasks is some tens of MB.
const MAX_LINE: usize = 256 << 20;

pub struct LineTransport<R, W> {
    read: BufReader<R>,
    write: Arc<Mutex<W>>,
    line: Vec<u8>,
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> LineTransport<R, W> {
    pub fn new(read: R, write: W) -> Self {
        LineTransport {
            read: BufReader::new(read),
            write: Arc::new(Mutex::new(write)),
            line: Vec::new(),
        }
    }
}

async fn write_message<W: AsyncWrite + Unpin>(
    write: &Mutex<W>,
    message: &ServerJsonRpcMessage,
) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(message).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let mut write = write.lock().await;
    write.write_all(&line).await?;
    write.flush().await
}

/// The error answer to a line that is not a message the server reads:
/// with the request's id when it has one, else with none (a
/// notification, or an id that is not a number or a string).
fn refusal(line: &[u8], error: serde_json::Error) -> ServerJsonRpcMessage {
    let Ok(value) = serde_json::from_slice::<Value>(line) else {
        return ServerJsonRpcMessage::error(
            ErrorData::parse_error(format!("not JSON: {error}"), None),
            None,
        );
    };
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    let method = value.get("method").and_then(Value::as_str);
    let message: Cow<'static, str> = match method {
        Some(method) if id.is_some() => {
            format!("the params of `{method}` are not what it takes ({error})").into()
        }
        _ => format!("not a JSON-RPC 2.0 message of MCP ({error})").into(),
    };
    let error = if method.is_some() && id.is_some() {
        ErrorData::invalid_params(message, None)
    } else {
        ErrorData::invalid_request(message, None)
    };
    ServerJsonRpcMessage::error(error, id)
}

impl<R, W> Transport<RoleServer> for LineTransport<R, W>
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send + 'static,
{
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let write = Arc::clone(&self.write);
        async move { write_message(&write, &item).await }
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            // A read cancelled half-way (rmcp polls this in a select!)
            // leaves its bytes in `line`, and the next call goes on.
            let n = (&mut self.read)
                .take((MAX_LINE + 1 - self.line.len().min(MAX_LINE)) as u64)
                .read_until(b'\n', &mut self.line)
                .await
                .ok()?;
            let ended = self.line.last() == Some(&b'\n');
            if n == 0 && self.line.is_empty() {
                return None;
            }
            if !ended && self.line.len() <= MAX_LINE && n != 0 {
                continue;
            }
            let line = std::mem::take(&mut self.line);
            let text = line.trim_ascii();
            if text.is_empty() {
                if n == 0 {
                    return None;
                }
                continue;
            }
            if line.len() > MAX_LINE {
                let error = ErrorData::invalid_request(
                    format!("a message is at most {} MiB", MAX_LINE >> 20),
                    None,
                );
                write_message(&self.write, &ServerJsonRpcMessage::error(error, None))
                    .await
                    .ok()?;
                // The rest of the long line is read and dropped.
                self.skip_line().await?;
                continue;
            }
            match serde_json::from_slice::<RxJsonRpcMessage<RoleServer>>(text) {
                Ok(message) => return Some(message),
                Err(e) => {
                    write_message(&self.write, &refusal(text, e)).await.ok()?;
                }
            }
        }
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.write.lock().await.shutdown().await
    }
}

impl<R: AsyncRead + Unpin, W> LineTransport<R, W> {
    /// Reads up to the end of the current line.
    async fn skip_line(&mut self) -> Option<()> {
        let mut sink = Vec::new();
        loop {
            sink.clear();
            let n = (&mut self.read)
                .take(1 << 20)
                .read_until(b'\n', &mut sink)
                .await
                .ok()?;
            if n == 0 || sink.last() == Some(&b'\n') {
                return Some(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(line: &str) -> Value {
        let error = serde_json::from_str::<RxJsonRpcMessage<RoleServer>>(line).unwrap_err();
        serde_json::to_value(refusal(line.as_bytes(), error)).unwrap()
    }

    #[test]
    fn a_request_that_does_not_read_is_answered_with_its_id() {
        let a = answer(r#"{"jsonrpc":"2.0","id":5,"method":"resources/read","params":"uri"}"#);
        assert_eq!(a["id"], 5);
        assert_eq!(a["error"]["code"], -32602);
        let a = answer(r#"{"jsonrpc":"2.0","id":"x","method":"initialize","params":[]}"#);
        assert_eq!(a["id"], "x");
        let a = answer("{not json");
        assert_eq!(a["error"]["code"], -32700);
        assert!(a.get("id").is_none_or(Value::is_null));
        let a = answer(r#"{"foo":"bar"}"#);
        assert_eq!(a["error"]["code"], -32600);
    }
}
