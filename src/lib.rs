//! git-task: a git-native task tracker. Tasks are TOML files under
//! `.tasks/`; this library reads and changes them and derives the
//! dependency graph. The `git-task` binary is a thin layer over it.

pub mod action;
/// Plans: a task graph in one file, applied in one transaction.
pub mod apply;
/// The board: the plan as a page, a graph and a schedule to look at.
pub mod board;
pub mod bridge;
pub mod change;
pub mod check;
/// Claims: a task taken by one worker at a time, across worktrees and clones.
pub mod claim;
pub mod clock;
pub mod config;
/// The status dashboard: counts, progress, overdue work and gates.
pub mod dashboard;
pub mod document;
/// What `graph` draws: shown tasks, edges, cycles and the tree's lanes.
pub mod drawing;
pub mod error;
/// The facts every front end shows about a task: state, ready, overdue.
pub mod facts;
pub mod field;
/// Which tasks a listing selects, and why an empty answer is empty.
pub mod filter;
pub mod gate;
pub mod graph;
pub mod history;
pub mod hooks;
pub mod id;
pub mod lint;
pub mod log;
pub mod markers;
/// Mermaid, DOT and Markdown output, with their escapers.
pub mod markup;
pub mod merge;
/// The `--json` documents of every command, with their JSON Schemas.
pub mod output;
pub mod store;
pub mod task;
pub mod taskset;
#[cfg(test)]
mod testing;
pub mod verdict;
/// Running a task's `verify` command before `done`.
pub mod verify;

pub use error::{Error, Result};
pub use field::Field;
pub use id::TaskId;
pub use task::Task;
pub use taskset::TaskSet;
