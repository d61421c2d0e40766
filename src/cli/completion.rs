//! `done` as every front end runs it (the CLI's `done`, `mcp`'s `done`
//! tool, `serve`'s `/api/done`): the verify command, the change, the
//! claims ended, and what the answer names, in one place, so that the
//! three cannot drift apart. What each says beside its answer is handed
//! to a closure: the CLI prints it on stderr, a server logs it or puts it
//! after its answer.

use std::process::Stdio;

use git_task::action::Action;
use git_task::gate::{self, GateState};

use super::claims::unreleased_notes;
use super::command_error::command;
use super::render::View;
use super::{CliError, Ctx};

/// What `done` says beside its answer: the CLI prints it on stderr, a
/// server puts it in its log or after its answer.
pub enum Said {
    /// What is happening (the verify command that runs).
    Info(String),
    /// `warning: …`
    Warning(String),
    /// `hint: …`
    Hint(String),
}

impl Said {
    /// Prints it on stderr, as the CLI does.
    pub fn print(self, ui: &super::ui::Ui) {
        match self {
            Said::Info(text) => ui.info(&text),
            Said::Warning(text) => ui.warning(&text),
            Said::Hint(text) => ui.hint(&text),
        }
    }

    /// The line of a log: `warning: …`, `hint: …`, or the info as it is.
    pub fn line(self) -> String {
        match self {
            Said::Info(text) => text,
            Said::Warning(text) => format!("warning: {text}"),
            Said::Hint(text) => format!("hint: {text}"),
        }
    }
}

/// `done ID` as every front end runs it (the CLI, `mcp`, `serve`): its
/// rules, then its verify command outside the lock (its output is a
/// diagnostic, so it goes to stderr and stdout keeps only the answer),
/// then the change; the task's claims end after it. A claim that cannot
/// be ended is a warning, not a failure to retry: the task is completed.
/// Returns what `done` did and the set as it now is.
pub fn complete(
    ctx: &Ctx,
    id: &str,
    force: bool,
    no_verify: bool,
    say: &mut dyn FnMut(Said),
) -> Result<(git_task::change::Done, git_task::TaskSet), CliError> {
    let ws = ctx.workspace()?;
    let how = git_task::verify::Completion {
        force,
        no_verify,
        now: ctx.now,
    };
    let (done, set) = git_task::verify::complete(
        &ws,
        id,
        how,
        |verify| say(Said::Info(format!("running verify: {verify}"))),
        || Stdio::from(std::io::stderr()),
    )?;
    let id = &done.task.id;
    match git_task::claim::close_claims(&ws, id, git_task::task::Status::Completed, how.now) {
        Ok(closed) => {
            for note in unreleased_notes(&closed) {
                say(Said::Warning(note));
            }
        }
        Err(e) => say(Said::Warning(format!(
            "the claim of {id} could not be ended: {e}"
        ))),
    }
    Ok((done, set))
}

/// What `done`'s answer names in `view`, the set after [`complete`]: the
/// task's index and the tasks that became ready. Forced past unmet
/// criteria or open waits, a gate is completed but still holds back what
/// it protects: that is said, with what lets it pass.
pub fn done_answer(
    view: &View,
    done: &git_task::change::Done,
    say: &mut dyn FnMut(Said),
) -> (usize, Vec<usize>) {
    let i = view.index(&done.task);
    if let Some(report) = gate::gate_state(&view.graph, i).filter(|r| r.state == GateState::Red) {
        let id = done.task.id.clone();
        say(Said::Warning(format!(
            "gate {id} is completed but stays red: {}",
            report.reasons.join("; ")
        )));
        say(Said::Hint(format!(
            "to let it pass, meet what it lacks, or waive it: {}",
            command(&Action::Waive { id })
        )));
    }
    let ready = done
        .now_ready
        .iter()
        .filter_map(|r| view.set.index_of(r.as_str()))
        .collect();
    (i, ready)
}

/// `done ID --json`'s document, as `mcp` and `serve` answer it: [`complete`],
/// then [`done_answer`], everything either says handed to `say`.
pub fn done_document(
    ctx: &Ctx,
    id: &str,
    force: bool,
    no_verify: bool,
    say: &mut dyn FnMut(Said),
) -> Result<serde_json::Value, CliError> {
    let (done, set) = complete(ctx, id, force, no_verify, say)?;
    let view = View::new(&set).dated(ctx);
    let (i, ready) = done_answer(&view, &done, say);
    serde_json::to_value(git_task::output::Done::new(&view, i, &ready))
        .map_err(|e| CliError::Io(e.into()))
}
