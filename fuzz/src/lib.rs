//! What the fuzz targets share: structured inputs, the scratch
//! repositories some targets run in, and the binary's command line (the
//! `mcp` target serves the real MCP server in-process).
//!
//! Every target checks properties, not only "no panic": docs/fuzzing.md
//! says which.

pub mod edit;
pub mod import;
pub mod json;
pub mod mcp;
pub mod merge;
pub mod repo;
pub mod samples;

/// The binary's command line, compiled into this crate as into the
/// binary: the MCP server lives there.
#[path = "../../src/cli/mod.rs"]
#[allow(dead_code, unused_imports, clippy::all)]
mod cli;

use git_task::document::TaskDocument;
use git_task::{Task, TaskId};

/// The id a fuzzed task file is read as.
pub fn id() -> TaskId {
    TaskId::parse("fuzz-task").expect("a valid id")
}

/// `text` as a valid task file: its document and the task it reads as.
pub fn valid_task(text: &str) -> Option<(TaskDocument, Task)> {
    let task = Task::parse(id(), text).ok()?;
    let doc = TaskDocument::parse(text).ok()?;
    Some((doc, task))
}

/// The task as git-task writes a new file of it, read back: `None` when
/// no file holds it (a value the format refuses).
pub fn canonical(task: &Task) -> Option<Task> {
    let mut doc = TaskDocument::new();
    doc.write_task(None, task);
    Task::parse(task.id.clone(), &doc.to_string()).ok()
}

/// Checks a parse error's place: a line of the text (or the one after
/// its end) and a column from 1.
pub fn check_place(text: &str, line: usize, column: usize, what: &str) {
    let lines = text.split('\n').count();
    assert!(
        line >= 1 && line <= lines + 1,
        "{what}: line {line} of {lines}"
    );
    assert!(column >= 1, "{what}: column {column}");
}

/// The scratch repository, opened once per thread, for targets that
/// only read it or make dry runs.
pub fn workspace() -> &'static git_task::store::Workspace {
    thread_local! {
        // Kept for the process, with its directory: reachable, so that
        // LeakSanitizer does not report it.
        static WS: &'static (tempfile::TempDir, git_task::store::Workspace) = {
            let (dir, path) = repo::fresh();
            let ws = git_task::store::Workspace::discover(&path).expect("the scratch repository");
            Box::leak(Box::new((dir, ws)))
        };
    }
    WS.with(|ws| &ws.1)
}

/// The workspace the hook target judges pushes in.
pub fn hooks_workspace() -> &'static git_task::store::Workspace {
    workspace()
}

/// The `plan` target: a plan that reads is applied as a dry run; one
/// that does not names a place in the file.
pub mod plan {
    use git_task::apply::{self, PlanFormat};

    pub fn run(text: &str, format: PlanFormat) {
        let plan = match apply::parse(text, format, "plan", Some("fuzz")) {
            Ok(plan) => plan,
            Err(e) => {
                assert_eq!(e.file, "plan");
                let _ = e.to_string();
                return;
            }
        };
        crate::repo::sandbox_path();
        let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time");
        match apply::apply_to(crate::workspace(), &plan, now, true) {
            Ok(application) => {
                for task in application.after.iter() {
                    let back = crate::canonical(task);
                    assert_eq!(
                        back.as_ref(),
                        Some(task),
                        "a planned task reads back as itself"
                    );
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}
