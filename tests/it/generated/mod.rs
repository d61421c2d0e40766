//! One generated task of the graph property tests, written as a task file
//! and read back, so the sets they check are what git-task would read.

#![allow(dead_code)]

use git_task::{Task, TaskId};

/// Task number `i`, called `id`, with the fields the generators choose.
pub fn task(
    i: usize,
    id: &str,
    status: &str,
    parent: Option<&str>,
    blockers: &[String],
    hours: Option<u8>,
) -> Task {
    let mut text = format!("subject = \"task {i}\"\nstatus = \"{status}\"\n");
    if let Some(p) = parent {
        text.push_str(&format!("parent = \"{p}\"\n"));
    }
    if !blockers.is_empty() {
        let list: Vec<String> = blockers.iter().map(|b| format!("\"{b}\"")).collect();
        text.push_str(&format!("blocked_by = [{}]\n", list.join(", ")));
    }
    if let Some(h) = hours {
        text.push_str(&format!("estimate = \"{}h\"\n", h % 20 + 1));
    }
    Task::parse(TaskId::parse(id).unwrap(), &text).unwrap()
}
