//! The integrity check (§4): every error and warning about one task set,
//! and the gates of a target branch, as data the CLI and hooks print.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::gate::{self, GateState};
use crate::graph::{Graph, LISTED, Target};
use crate::store::{Loaded, StrayKind, TASKS_DIR};
use crate::task::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, pointing at a file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable name for the kind of finding, for scripts.
    pub code: &'static str,
    /// Relative to the repository root, like `.tasks/x.toml`.
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// What to do about it: commands to run.
    pub hints: Vec<String>,
}

/// The result of a check.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub tasks: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Whether the answer is no: errors, or with `strict` warnings too.
    pub fn fails(&self, strict: bool) -> bool {
        self.errors() > 0 || (strict && self.warnings() > 0)
    }
}

/// Checks a task set read from one source. With `target`, also checks the
/// gates that protect that branch (§3): a red gate is an error, a waived
/// one a warning.
pub fn check(loaded: &Loaded, target: Option<&str>) -> Report {
    let mut out = Vec::new();
    for p in &loaded.problems {
        out.push(Diagnostic {
            severity: Severity::Error,
            code: "invalid-file",
            path: p.path.clone(),
            line: p.error.line,
            column: p.error.column,
            message: p.error.message.clone(),
            hints: Vec::new(),
        });
    }
    for u in &loaded.unmerged {
        let shown = u.path.display();
        let resolve = if u.ours && u.theirs {
            format!("edit {shown} to the version you want, then `git add {shown}`")
        } else {
            format!("keep it with `git add {shown}`, or drop it with `git rm {shown}`")
        };
        out.push(Diagnostic {
            severity: Severity::Error,
            code: "unmerged",
            path: u.path.clone(),
            line: 1,
            column: 1,
            message: format!(
                "the file is in conflict in the index ({}): a merge, rebase, cherry-pick or stash pop left it unresolved, and committing now could drop one side",
                u.describe()
            ),
            hints: vec![
                resolve,
                "`git checkout -m FILE` recreates the conflict markers; `git merge --abort` gives the merge up".into(),
            ],
        });
    }
    for stray in &loaded.strays {
        let (severity, code, message, hint) = match stray.kind {
            StrayKind::Temporary => (
                Severity::Error,
                "temporary-file",
                "a temporary file of a git-task write that was interrupted; it is no task, and may hold half of one",
                "git-task removes it on its next change; or delete it, and if it is staged, `git rm --cached` it",
            ),
            StrayKind::Directory => (
                Severity::Warning,
                "stray-file",
                "a directory inside .tasks/; git-task reads no subdirectories, so tasks in it are not seen",
                "move task files up into .tasks/, or the folder out of it",
            ),
            StrayKind::Link => (
                Severity::Warning,
                "stray-file",
                "a symbolic link; git-task never follows links in .tasks/",
                "remove the link, or replace it with the file itself",
            ),
            StrayKind::NotUtf8 => (
                Severity::Warning,
                "stray-file",
                "a file name that is not UTF-8, so it cannot name a task and is not read",
                "rename it to <id>.toml, or move it out of .tasks/",
            ),
            StrayKind::Other => (
                Severity::Warning,
                "stray-file",
                "not a task file (tasks are <id>.toml), so git-task does not read it",
                "rename it to <id>.toml if it is a task, or move it out of .tasks/",
            ),
        };
        out.push(Diagnostic {
            severity,
            code,
            path: stray.path.clone(),
            line: 1,
            column: 1,
            message: message.into(),
            hints: vec![hint.into()],
        });
    }
    let set = &loaded.tasks;
    let tasks = set.tasks();
    let graph = Graph::new(set);
    let text = |i: usize| loaded.texts.get(i).map_or("", String::as_str);
    let path = |i: usize| Path::new(TASKS_DIR).join(tasks[i].id.file_name());
    let mut at = |severity,
                  code,
                  i: usize,
                  (line, column): (usize, usize),
                  message: String,
                  hints: Vec<String>| {
        out.push(Diagnostic {
            severity,
            code,
            path: path(i),
            line,
            column,
            message,
            hints,
        });
    };
    for (i, task) in tasks.iter().enumerate() {
        let id = &task.id;
        // The graph has resolved every blocker already: no lookups here.
        // Each kind of finding is reported for the first LISTED blockers
        // it concerns and then counted, so that one file naming 100,000
        // ids is a dozen lines, not 100,000 (each pointing into the file
        // at the cost of reading it again).
        let (mut missing, mut cancelled) = (0usize, 0usize);
        for target in graph.blockers(i) {
            match &target {
                Target::Missing(b) => {
                    missing += 1;
                    if missing > LISTED {
                        continue;
                    }
                    at(
                        Severity::Error,
                        "missing-reference",
                        i,
                        locate(text(i), "blocked_by", Some(b.as_str())),
                        format!("`{id}` is blocked by `{b}`, but no task has that id"),
                        vec![format!("drop it: git task dep rm {id} {b}")],
                    )
                }
                Target::Task(j) if tasks[*j].status == Status::Cancelled => {
                    cancelled += 1;
                    if cancelled > LISTED {
                        continue;
                    }
                    let b = &tasks[*j].id;
                    at(
                        Severity::Warning,
                        "depends-on-cancelled",
                        i,
                        locate(text(i), "blocked_by", Some(b.as_str())),
                        format!(
                            "`{id}` is blocked by `{b}` \"{}\", which is cancelled",
                            tasks[*j].subject
                        ),
                        vec![format!("drop the dependency: git task dep rm {id} {b}")],
                    )
                }
                Target::Task(_) => {}
            }
        }
        if missing > LISTED {
            at(
                Severity::Error,
                "missing-reference",
                i,
                locate(text(i), "blocked_by", None),
                format!(
                    "`{id}` is blocked by {} more ids that name no task, not listed one by one",
                    missing - LISTED
                ),
                vec![format!(
                    "drop them: git task dep rm {id} ID…, or edit {}",
                    path(i).display()
                )],
            );
        }
        if cancelled > LISTED {
            at(
                Severity::Warning,
                "depends-on-cancelled",
                i,
                locate(text(i), "blocked_by", None),
                format!(
                    "`{id}` is blocked by {} more cancelled tasks, not listed one by one",
                    cancelled - LISTED
                ),
                vec![format!("drop those dependencies: git task dep rm {id} ID…")],
            );
        }
        if let Some(p) = &task.parent
            && graph.parent(i).is_none()
        {
            at(
                Severity::Error,
                "missing-reference",
                i,
                locate(text(i), "parent", Some(p.as_str())),
                format!("the parent of `{id}` is `{p}`, but no task has that id"),
                vec![format!(
                    "fix it: git task edit {id} --parent ID (or --unset parent)"
                )],
            );
        }
        let (code, doing, hint) = match task.status {
            Status::Completed => (
                "completed-while-waiting",
                "completed",
                format!("reopen it (git task reopen {id}) or finish those"),
            ),
            Status::InProgress => (
                "in-progress-while-blocked",
                "in progress",
                format!("finish those first, or put it back: git task reopen {id}"),
            ),
            _ => continue,
        };
        let open = graph.open_wait_lines(i);
        if !open.is_empty() {
            at(
                Severity::Warning,
                code,
                i,
                locate(text(i), "status", None),
                format!("`{id}` is {doing} while it waits for {}", open.join(", ")),
                vec![hint],
            );
        }
    }
    for cycle in graph.cycles() {
        let first = cycle[0];
        let next = cycle.get(1).copied().unwrap_or(first);
        let key = if tasks[first].blocked_by.iter().any(|b| b == &tasks[next].id) {
            "blocked_by"
        } else {
            "parent"
        };
        at(
            Severity::Error,
            "cycle",
            first,
            locate(text(first), key, None),
            format!("dependency cycle: {}", graph.describe_cycle(&cycle)),
            vec!["a task cannot wait for itself; drop one edge with `git task dep rm` or `git task edit --parent`".into()],
        );
    }
    if let Some(branch) = target {
        for (i, report) in gate::gates_for_branch(&graph, &loaded.config, branch) {
            let task = &tasks[i];
            match report.state {
                GateState::Red => at(
                    Severity::Error,
                    "gate-red",
                    i,
                    locate(text(i), "gate", None),
                    format!(
                        "gate `{}` \"{}\" is red for {}: {}",
                        task.id,
                        task.subject,
                        gate::short_branch(branch),
                        report.reasons.join("; ")
                    ),
                    gate::next_steps(&graph, i),
                ),
                GateState::Yellow => at(
                    Severity::Warning,
                    "gate-waived",
                    i,
                    locate(text(i), "waiver", None),
                    format!(
                        "gate `{}` \"{}\" passes {} only because it was {}",
                        task.id,
                        task.subject,
                        gate::short_branch(branch),
                        report.reasons.join("; ")
                    ),
                    Vec::new(),
                ),
                GateState::Green | GateState::Cancelled => {}
            }
        }
    }
    out.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.severity).cmp(&(&b.path, b.line, b.column, b.severity))
    });
    Report {
        // Every file counts, read or not: "2 tasks, 4 errors" would hide the
        // four that did not read.
        tasks: set.len() + loaded.problems.len(),
        diagnostics: out,
    }
}

/// The line and column of the top-level `key` (or `[key]` table) in a task
/// file, and of `value` in it when given: where a diagnostic points.
pub fn locate(text: &str, key: &str, value: Option<&str>) -> (usize, usize) {
    let mut key_at = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let is_key = trimmed
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
            || trimmed.starts_with(&format!("[{key}]"));
        if key_at.is_none() && is_key {
            key_at = Some((n + 1, indent + 1));
        }
        if let (Some(_), Some(value)) = (key_at, value)
            && let Some(col) = line.find(&format!("\"{value}\""))
        {
            return (n + 1, line[..col].chars().count() + 1);
        }
    }
    key_at.unwrap_or((1, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_keys_and_values() {
        let text =
            "subject = \"x\"\nblocked_by = [\n  \"a\",\n  \"b\",\n]\nstatus = \"completed\"\n";
        assert_eq!(locate(text, "blocked_by", Some("b")), (4, 3));
        assert_eq!(locate(text, "status", None), (6, 1));
        assert_eq!(locate(text, "gate", None), (1, 1));
    }
}
