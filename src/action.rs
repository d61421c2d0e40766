//! Commands that would move things on: what a refusal, a diagnostic, a
//! gate's next steps, a cycle or a merge conflict suggests doing next.
//!
//! They are data, not text: the CLI spells each one as the `git task …`
//! line a user types, and another front end (an MCP server, a board) can
//! offer it as the call or the button that does the same thing.

use crate::graph::CycleBreak;
use crate::id::TaskId;

/// One command of git-task, with the arguments it needs. Where the user
/// has text of their own to give (a note, a reason, a description, a
/// subject), the action leaves it out: the front end asks for it, or
/// shows a gap to fill.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    /// Show a task and what it waits for.
    Show { id: TaskId },
    /// List the tasks that can start now.
    Ready,
    /// Start a task; `force` past what holds it back (open blockers,
    /// another holder).
    Start { id: TaskId, force: bool },
    /// Complete a task; `force` past open blockers and unmet criteria,
    /// `no_verify` without running its verify command.
    Done {
        id: TaskId,
        force: bool,
        no_verify: bool,
    },
    /// Cancel a task: it no longer holds anything back.
    Cancel { id: TaskId },
    /// Put a task back to pending.
    Reopen { id: TaskId },
    /// Remove a task; `force` also removes the references to it.
    Rm { id: TaskId, force: bool },
    /// Give a task another id. The ids are as the files of a merge name
    /// them, which need not be valid ids.
    Rename { from: String, to: String },
    /// Stop `task` waiting for `blocker`.
    DepRm { task: TaskId, blocker: TaskId },
    /// Make `child` a part of `parent`.
    SetParent { child: TaskId, parent: TaskId },
    /// Make `child` a top-level task.
    UnsetParent { child: TaskId },
    /// Make a task a gate.
    MakeGate { id: TaskId },
    /// Give a task a description (the text is the user's).
    Describe { id: TaskId },
    /// Take `label` off a task, and put `instead` on when given.
    Unlabel {
        id: TaskId,
        label: String,
        instead: Option<String>,
    },
    /// Add a task under `parent` (the subject is the user's).
    AddChild { parent: TaskId },
    /// Append a note to a task's log (the text is the user's).
    Note { id: TaskId },
    /// List a task's criteria, numbered.
    Criteria { id: TaskId },
    /// Mark criteria of a task met, by their 1-based numbers.
    CriteriaMet { id: TaskId, numbers: Vec<usize> },
    /// Add a criterion to a task (the text is the user's).
    CriteriaAdd { id: TaskId },
    /// Waive a gate so it passes with a warning (the reason is the
    /// user's).
    Waive { id: TaskId },
    /// List the gates with their states and waivers.
    GateList,
    /// Install git-task's hooks (and define its merge driver).
    HooksInstall,
    /// The flags that change a task's fields, without an editor.
    EditHelp { id: TaskId },
    /// Claim a task (the most urgent ready one for `None`); `force` takes
    /// it from a live claim of someone else.
    Claim { id: Option<TaskId>, force: bool },
    /// Show the dashboard: who holds what, and until when.
    Status,
}

impl From<CycleBreak> for Action {
    /// The command that removes the edge.
    fn from(edge: CycleBreak) -> Action {
        match edge {
            CycleBreak::DropBlocker { task, blocker } => Action::DepRm { task, blocker },
            CycleBreak::UnsetParent { child } => Action::UnsetParent { child },
        }
    }
}
