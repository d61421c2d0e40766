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
