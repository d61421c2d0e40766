//! git-task: a git-native task tracker. Tasks are TOML files under
//! `.tasks/`; this library reads and changes them and derives the
//! dependency graph. The `git-task` binary is a thin layer over it.

pub mod action;
pub mod change;
pub mod check;
pub mod clock;
pub mod config;
pub mod document;
pub mod error;
pub mod gate;
pub mod graph;
pub mod history;
pub mod hooks;
pub mod id;
pub mod lint;
pub mod log;
pub mod markers;
pub mod merge;
pub mod store;
pub mod task;
pub mod taskset;
pub mod verdict;

pub use error::{Error, Result};
pub use id::TaskId;
pub use task::Task;
pub use taskset::TaskSet;
