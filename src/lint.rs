//! Anti-patterns (`git task lint`): advice, not errors. Vague or empty
//! descriptions, epics without children, stale in-progress work, gates
//! without criteria, labels with whitespace.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};

use crate::action::Action;
use crate::check::{Code, Diagnostic, Hint, Report, Severity, locate};
use crate::field::Field;
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
    let text = |i: usize| loaded.texts.get(i);
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
        let mut push = |code, key: Field, message: String, hint: Hint| {
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
                Code::VagueDescription,
                if words.is_empty() {
                    Field::Subject
                } else {
                    Field::Description
                },
                format!(
                    "`{id}` \"{}\" {what}: say what to do, so someone else can pick it up",
                    task.subject
                ),
                Hint::Describe(Action::Describe { id: id.clone() }),
            );
        }
        if task.kind == Kind::Epic && !has_children[i] {
            push(
                Code::ChildlessEpic,
                Field::Kind,
                format!("epic `{id}` \"{}\" has no children", task.subject),
                Hint::Split(Action::AddChild { parent: id.clone() }),
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
                    Code::StaleInProgress,
                    Field::Status,
                    format!("`{id}` \"{}\" {what}", task.subject),
                    Hint::SayWhereItStands {
                        note: Action::Note { id: id.clone() },
                        reopen: Action::Reopen { id: id.clone() },
                    },
                );
            }
        }
        for label in &task.labels {
            if let Some(problem) = crate::change::label_problem(label) {
                push(
                    Code::LabelWithWhitespace,
                    Field::Labels,
                    format!("`{id}` \"{}\": {problem}", task.subject),
                    Hint::Unlabel(Action::Unlabel {
                        id: id.clone(),
                        label: label.clone(),
                        instead: Some(crate::change::one_word(label)).filter(|w| !w.is_empty()),
                    }),
                );
            }
        }
        if task.gate.is_some() && task.criteria.is_empty() {
            push(
                Code::GateWithoutCriteria,
                Field::Gate,
                format!(
                    "gate `{id}` \"{}\" has no criteria: nothing says what \"go\" means",
                    task.subject
                ),
                Hint::AddCriterion(Action::CriteriaAdd { id: id.clone() }),
            );
        }
    }
    Report {
        tasks: tasks.len(),
        diagnostics: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::tests::loaded;
    use crate::id::TaskId;

    fn id(text: &str) -> TaskId {
        TaskId::parse(text).unwrap()
    }

    #[test]
    fn advice_names_the_action_that_takes_it() {
        let loaded = loaded(
            &[
                (
                    "l",
                    "subject = \"L\"\ndescription = \"a description long enough to pass\"\n\
                     labels = [\"a b\"]\n",
                ),
                (
                    "s",
                    "subject = \"S\"\ndescription = \"a description long enough to pass\"\n\
                     status = \"in_progress\"\nstarted = 2026-01-01T00:00:00Z\n",
                ),
            ],
            Vec::new(),
        );
        let now = crate::task::parse_timestamp("2026-03-01T00:00:00Z").unwrap();
        let report = lint(&loaded, now, Duration::days(14));
        let found = report.findings();
        assert_eq!(
            found,
            [
                (
                    Code::LabelWithWhitespace,
                    &[Hint::Unlabel(Action::Unlabel {
                        id: id("l"),
                        label: "a b".into(),
                        instead: Some("a-b".into()),
                    })][..]
                ),
                (
                    Code::StaleInProgress,
                    &[Hint::SayWhereItStands {
                        note: Action::Note { id: id("s") },
                        reopen: Action::Reopen { id: id("s") },
                    }][..]
                ),
            ]
        );
    }
}
