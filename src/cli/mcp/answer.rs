//! What a tool call runs in and how its answer goes back: the context of
//! one call, the error as the CLI says it, and the `fields` projection.

use std::path::PathBuf;

use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::Value;

use git_task::output::{ToolError, Version, project};
use git_task::store::Source;

use super::super::command_error::{error_object, fix_hints};
use super::super::{CliError, Ctx, Reading};

/// One tool call: the CLI's context for the repository the call is
/// about, and what the answer leaves out, said beside it.
pub struct Call {
    /// The CLI's context, in the call's repository, at the call's time.
    pub ctx: Ctx,
    /// Warnings that go with the answer (files that do not read), as the
    /// CLI prints them on stderr.
    pub notes: Vec<String>,
}

impl Call {
    /// A call in `dir` (the repository around it) at `now`, taken for
    /// each call: a server runs for days, and each call is as of its own
    /// moment.
    pub fn new(
        dir: Option<PathBuf>,
        wait: std::time::Duration,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Call {
        let ctx = Ctx::for_request(dir, wait, now);
        Call {
            ctx,
            notes: Vec::new(),
        }
    }

    /// Runs `answer` on the tasks of the working tree. Files that do not
    /// read are left out of the answer and said in [`Call::notes`], with
    /// what fixes them, as the CLI says them.
    pub fn reading<T>(
        &mut self,
        answer: impl FnOnce(&Reading, &Ctx) -> Result<T, CliError>,
    ) -> Result<T, CliError> {
        let ws = self.ctx.workspace()?;
        let loaded = ws.read(&Source::WorkTree)?;
        let reading = Reading {
            ws: std::rc::Rc::clone(&ws),
            set: std::mem::ManuallyDrop::new(loaded.tasks),
            config: loaded.config,
            problems: loaded.problems,
        };
        if !reading.problems.is_empty() {
            for p in &reading.problems {
                self.notes.push(format!("error: {p}"));
            }
            let n = reading.problems.len();
            // The CLI's words (`Ctx::read_tasks`), as it prints them.
            self.notes.push(format!(
                "warning: {n} file{s} of .tasks/ {do_} not read: the answer leaves {them} out, \
                 and tasks that wait for {them} show as blocked by {them} (no such task)",
                s = if n == 1 { "" } else { "s" },
                do_ = if n == 1 { "does" } else { "do" },
                them = if n == 1 { "it" } else { "them" },
            ));
            for hint in fix_hints(&ws, &Source::WorkTree, &reading.problems) {
                self.notes.push(format!("hint: {hint}"));
            }
        }
        let answer = answer(&reading, &self.ctx);
        // A server reads again on every call: the tasks are given back,
        // where the CLI leaves them to the end of the process.
        drop(std::mem::ManuallyDrop::into_inner(reading.set));
        answer
    }

    /// The answer of the call as the client gets it: the document as
    /// JSON text, cut down to `fields`, with the notes after it; or the
    /// error.
    pub fn finish(
        self,
        answer: Result<Value, CliError>,
        fields: Option<&[String]>,
    ) -> CallToolResult {
        match answer {
            Ok(mut doc) => {
                if let Some(fields) = fields {
                    project(&mut doc, fields);
                }
                let mut content = vec![ContentBlock::text(doc.to_string())];
                if !self.notes.is_empty() {
                    content.push(ContentBlock::text(self.notes.join("\n")));
                }
                CallToolResult::success(content)
            }
            Err(e) => error_result(error_object(&self.ctx, e)),
        }
    }
}

/// What rmcp's text starts with when a tool's arguments do not read.
const ARGUMENTS_REFUSED: &str = "failed to deserialize parameters: ";

/// `result` as the client gets it: rmcp's refusal of arguments that do
/// not read becomes an `invalid` error with the CLI's error object;
/// every other result is as the tool made it.
pub fn arguments_refused(tool: &str, result: CallToolResult) -> CallToolResult {
    let refusal = (result.is_error == Some(true) && result.structured_content.is_none())
        .then(|| result.content.first().and_then(|c| c.as_text()))
        .flatten()
        .and_then(|t| t.text.strip_prefix(ARGUMENTS_REFUSED).map(str::to_owned));
    let Some(why) = refusal else {
        return result;
    };
    let failure = git_task::output::ErrorObject {
        kind: git_task::output::ErrorKind::Invalid,
        exit_code: 2,
        message: format!("the arguments of `{tool}` do not read: {why}"),
        hints: vec![format!(
            "tools/list gives the arguments `{tool}` takes, with their types"
        )],
    };
    error_result(failure)
}

/// A tool error: the CLI's `error:` and `hint:` lines as its text, and
/// the error object as its structured content.
fn error_result(failure: git_task::output::ErrorObject) -> CallToolResult {
    let mut text = format!("error: {}", failure.message);
    for hint in &failure.hints {
        text.push_str(&format!("\nhint: {hint}"));
    }
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    let doc = ToolError {
        version: Version,
        error: failure,
    };
    result.structured_content = Some(serde_json::to_value(&doc).expect("an error is JSON"));
    result
}

/// A document as JSON: every output type serializes.
pub fn doc(value: &impl serde::Serialize) -> Result<Value, CliError> {
    serde_json::to_value(value).map_err(|e| CliError::Io(e.into()))
}
