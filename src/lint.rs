//! Anti-patterns (`git task lint`): advice, not errors. Vague or empty
//! descriptions, epics without children, stale in-progress work, gates
//! without criteria, labels with whitespace.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use crate::check::{Diagnostic, Report, Severity, locate};
use crate::store::{Loaded, TASKS_DIR};
use crate::task::{Kind, Status};

/// Words that say nothing about the work when they are most of it.
const VAGUE: &[&str] = &[
    "todo", "tbd", "fix", "fixme", "stuff", "misc", "wip", "later", "...",
];

/// A description shorter than this many words is too thin to pick up.
pub const MIN_WORDS: usize = 5;

/// Lints the unresolved tasks. In-progress work is stale when the later of
/// its start (`started`) and its newest note is older than `stale_after`;
/// a task started before git-task recorded starts counts from its creation.
pub fn lint(loaded: &Loaded, now: DateTime<Utc>, stale_after: Duration) -> Report {
    let tasks = loaded.tasks.tasks();
    let mut out = Vec::new();
    let text = |i: usize| loaded.texts.get(i).map_or("", String::as_str);
    let mut has_children = vec![false; tasks.len()];
    for t in tasks {
        if let Some(p) = t
            .parent
            .as_ref()
            .and_then(|p| loaded.tasks.index_of(p.as_str()))
        {
            has_children[p] = true;
        }
    }
    for (i, task) in tasks.iter().enumerate() {
        if task.is_resolved() {
            continue;
        }
        let id = &task.id;
        let mut push = |code, key: &str, message: String, hint: String| {
            let (line, column) = locate(text(i), key, None);
            out.push(Diagnostic {
                severity: Severity::Warning,
                code,
                path: Path::new(TASKS_DIR).join(id.file_name()),
                line,
                column,
                message,
                hints: vec![hint],
            });
        };
        let description = task.description.as_deref().unwrap_or("").trim();
        let words: Vec<&str> = description.split_whitespace().collect();
        let vague = words.iter().all(|w| {
            VAGUE.contains(
                &w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.')
                    .to_lowercase()
                    .as_str(),
            )
        });
        if task.kind != Kind::Epic && (words.len() < MIN_WORDS || vague) {
            let what = if words.is_empty() {
                "has no description"
            } else {
                "has a vague description"
            };
            push(
                "vague-description",
                if words.is_empty() {
                    "subject"
                } else {
                    "description"
                },
                format!(
                    "`{id}` \"{}\" {what}: say what to do, so someone else can pick it up",
                    task.subject
                ),
                format!("git task edit {id} --description \"…\""),
            );
        }
        if task.kind == Kind::Epic && !has_children[i] {
            push(
                "childless-epic",
                "kind",
                format!("epic `{id}` \"{}\" has no children", task.subject),
                format!("split it: git task add \"…\" --parent {id}"),
            );
        }
        if task.status == Status::InProgress {
            let last_note = task.notes.iter().map(|n| n.at).max();
            let since = task.started.or(task.created);
            let last = last_note.into_iter().chain(since).max();
            if let Some(last) = last
                && now - last > stale_after
            {
                let day = last.format("%Y-%m-%d");
                let what = if last_note == Some(last) {
                    format!("has been in progress with no note since {day}")
                } else {
                    format!("has been in progress since {day} with no note")
                };
                push(
                    "stale-in-progress",
                    "status",
                    format!("`{id}` \"{}\" {what}", task.subject),
                    format!(
                        "say where it stands (git task note {id} \"…\"), or git task reopen {id}"
                    ),
                );
            }
        }
        for label in &task.labels {
            if let Some(problem) = crate::change::label_problem(label) {
                push(
                    "label-with-whitespace",
                    "labels",
                    format!("`{id}` \"{}\": {problem}", task.subject),
                    format!(
                        "git task edit {id} --unlabel {}{}",
                        crate::error::shell_word(label),
                        label_suggestion(label)
                    ),
                );
            }
        }
        if task.gate.is_some() && task.criteria.is_empty() {
            push(
                "gate-without-criteria",
                "gate",
                format!(
                    "gate `{id}` \"{}\" has no criteria: nothing says what \"go\" means",
                    task.subject
                ),
                format!("git task criteria {id} --add \"…\""),
            );
        }
    }
    Report {
        tasks: tasks.len(),
        diagnostics: out,
    }
}

/// ` --label WORD` for a label with whitespace, when it has any words.
fn label_suggestion(label: &str) -> String {
    match crate::change::one_word(label) {
        word if word.is_empty() => String::new(),
        word => format!(" --label {}", crate::error::shell_word(&word)),
    }
}
