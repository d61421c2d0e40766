//! A task's `verify` command: what `done` runs before it completes the
//! task, so every front end refuses a failing one the same way.

use std::process::{Command, Stdio};

use crate::error::{Error, Refusal, Result};
use crate::store::Workspace;
use crate::task::Task;

/// Runs `task`'s verify command with `sh -c` at the root of the working
/// tree, its stdin closed and its stdout sent to `stdout` (the CLI sends
/// it to stderr, so that its own stdout keeps only the answer; its stderr
/// is inherited). A task without one passes.
///
/// Failing is a [`Refusal::VerifyFailed`] with how the command ended;
/// a shell that cannot start is an I/O error.
pub fn run(ws: &Workspace, task: &Task, stdout: Stdio) -> Result<()> {
    let Some(verify) = task.verify.as_deref() else {
        return Ok(());
    };
    let status = Command::new("sh")
        .arg("-c")
        .arg(verify)
        .current_dir(ws.root())
        .stdin(Stdio::null())
        .stdout(stdout)
        .status()
        .map_err(|e| Error::io("sh", e))?;
    if status.success() {
        Ok(())
    } else {
        Err(Refusal::VerifyFailed {
            task: task.id.clone(),
            status: status.to_string(),
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;

    fn task(verify: Option<&str>) -> Task {
        let mut text = String::from("subject = \"Ship\"\n");
        if let Some(v) = verify {
            text.push_str(&format!("verify = {v:?}\n"));
        }
        Task::parse(crate::TaskId::parse("ship").unwrap(), &text).unwrap()
    }

    #[test]
    fn a_failing_verify_is_a_refusal_naming_the_task_and_how_it_ended() {
        let repo = TestRepo::new();
        let ws = repo.workspace();
        run(&ws, &task(None), Stdio::null()).unwrap();
        run(&ws, &task(Some("test -d .git")), Stdio::null()).unwrap();
        let err = run(&ws, &task(Some("exit 3")), Stdio::null()).unwrap_err();
        match err {
            Error::Refused(Refusal::VerifyFailed { task, status }) => {
                assert_eq!(task.as_str(), "ship");
                assert!(status.contains('3'), "{status}");
            }
            other => panic!("{other:?}"),
        }
    }
}

/// How `done` is asked to complete a task.
#[derive(Debug, Clone, Copy)]
pub struct Completion {
    /// Past open waits, unmet criteria and the verify command.
    pub force: bool,
    /// Without running the verify command.
    pub no_verify: bool,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Completes the task `id` names, as `done` does in every front end: its
/// rules checked first, then its verify command run outside the lock
/// (`running` is told the command before it starts, `stdout` takes its
/// output), then the change, with the task resolved again under the lock
/// (verify may have run for minutes, and a checkout meanwhile may have
/// taken the task away). A task named by its id whose file has no
/// `verify` is checked by the change alone, without reading the set
/// twice. Returns what `done` did and the task set as it now is.
pub fn complete(
    ws: &Workspace,
    id: &str,
    how: Completion,
    running: impl FnOnce(&str),
    stdout: impl FnOnce() -> Stdio,
) -> Result<(crate::change::Done, crate::TaskSet)> {
    let may_verify =
        !how.force && !how.no_verify && ws.peek(id).is_none_or(|task| task.verify.is_some());
    let id = if may_verify {
        let set = ws.load(&crate::store::Source::WorkTree)?;
        let task = set.resolve(id)?;
        if let Some(refusal) = crate::change::done_refusal(&set, &task.id) {
            return Err(refusal);
        }
        if let Some(verify) = task.verify.as_deref() {
            running(verify);
            run(ws, task, stdout())?;
        }
        task.id.to_string()
    } else {
        id.to_owned()
    };
    ws.transact(|tx| {
        let id = tx.resolve(&id)?;
        crate::change::done(tx, &id, how.force, how.now)
    })
}
