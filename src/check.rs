//! The integrity check (`git task check`, docs/commands.md): every error and
//! warning about one task set, and the gates of a target branch, as data the
//! CLI and hooks print.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::action::Action;
use crate::error::FileProblem;
use crate::field::Field;
use crate::gate::{self, Applies, GateState, Policy};
use crate::graph::{Graph, LISTED, Target};
use crate::id::TaskId;
use crate::store::{Loaded, StrayKind, TASKS_DIR};
use crate::task::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, pointing at a file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The kind of finding, with a stable name for scripts.
    pub code: Code,
    /// Relative to the repository root, like `.tasks/x.toml`.
    pub path: PathBuf,
    /// 1-based.
    pub line: usize,
    pub column: usize,
    /// What is wrong, as a plain statement.
    pub message: String,
    /// What to do about it, as data: a front end words each hint and
    /// spells its actions.
    pub hints: Vec<Hint>,
}

/// The kinds of finding of `check` and `lint`. Each serializes as its
/// stable kebab-case name (`missing-reference`, [`Code::as_str`]), which
/// scripts match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// A task file that does not read.
    InvalidFile,
    /// A path of `.tasks/` in conflict in the index.
    Unmerged,
    /// A temporary file of an interrupted git-task write.
    TemporaryFile,
    /// Something in `.tasks/` that is no task file.
    StrayFile,
    /// A `blocked_by` or `parent` naming no task.
    MissingReference,
    /// Blocked by a cancelled task.
    DependsOnCancelled,
    /// Completed while waiting for something open.
    CompletedWhileWaiting,
    /// In progress while waiting for something open.
    InProgressWhileBlocked,
    /// Tasks that wait for each other.
    Cycle,
    /// A gate that holds the target branch back.
    GateRed,
    /// A gate that passes the target branch only by a waiver.
    GateWaived,
    /// Lint: no description, or a vague one.
    VagueDescription,
    /// Lint: an epic without children.
    ChildlessEpic,
    /// Lint: in progress with no note for a while.
    StaleInProgress,
    /// Lint: a label with whitespace.
    LabelWithWhitespace,
    /// Lint: a gate without criteria.
    GateWithoutCriteria,
}

impl Code {
    /// Every code, in the order they are declared: what the JSON Schema
    /// of `check` and `lint` enumerates.
    pub const ALL: [Code; 16] = [
        Code::InvalidFile,
        Code::Unmerged,
        Code::TemporaryFile,
        Code::StrayFile,
        Code::MissingReference,
        Code::DependsOnCancelled,
        Code::CompletedWhileWaiting,
        Code::InProgressWhileBlocked,
        Code::Cycle,
        Code::GateRed,
        Code::GateWaived,
        Code::VagueDescription,
        Code::ChildlessEpic,
        Code::StaleInProgress,
        Code::LabelWithWhitespace,
        Code::GateWithoutCriteria,
    ];

    /// The stable name, as JSON and annotations carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidFile => "invalid-file",
            Code::Unmerged => "unmerged",
            Code::TemporaryFile => "temporary-file",
            Code::StrayFile => "stray-file",
            Code::MissingReference => "missing-reference",
            Code::DependsOnCancelled => "depends-on-cancelled",
            Code::CompletedWhileWaiting => "completed-while-waiting",
            Code::InProgressWhileBlocked => "in-progress-while-blocked",
            Code::Cycle => "cycle",
            Code::GateRed => "gate-red",
            Code::GateWaived => "gate-waived",
            Code::VagueDescription => "vague-description",
            Code::ChildlessEpic => "childless-epic",
            Code::StaleInProgress => "stale-in-progress",
            Code::LabelWithWhitespace => "label-with-whitespace",
            Code::GateWithoutCriteria => "gate-without-criteria",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({
            "description": "The kind of finding, a stable kebab-case name.",
            "type": "string",
            "enum": codes,
        })
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to do about a finding, as data: the front end says it in words
/// and spells each [`Action`] as the command to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// A path in conflict: resolve it and add it (`both` sides have it),
    /// or add or remove it (only one side has it).
    ResolveConflict { path: PathBuf, both: bool },
    /// `git checkout -m` brings the conflict markers of `path` back, and
    /// `git merge --abort` gives the merge up.
    RecreateConflict { path: PathBuf },
    /// Something of `.tasks/` that is no task file: what to do with it
    /// depends on its kind; `task` is the id its name is, when it is one.
    Stray {
        path: PathBuf,
        kind: StrayKind,
        task: Option<TaskId>,
    },
    /// Drop a blocker that names no task.
    DropMissing(Action),
    /// Drop a dependency on a cancelled task.
    DropCancelled(Action),
    /// Drop the ids past those listed from `blocked_by` in `path`.
    DropMore { path: PathBuf },
    /// Unset a parent that names no task, or name the right one.
    DropMissingParent(Action),
    /// A completed task that waits: reopen it, or finish what it waits for.
    ReopenOrFinish(Action),
    /// A task in progress that waits: finish what it waits for first, or
    /// put it back.
    FinishOrReopen(Action),
    /// A cycle: drop one of its edges.
    BreakCycle,
    /// The gates that protect `branch` come from `source` (a branch at a
    /// commit, as [`Policy::source`] says it), not from this commit.
    GatesFrom { branch: String, source: String },
    /// Bring the file of a removed gate back from `commit`.
    RestoreGate { commit: String, path: PathBuf },
    /// Retire a gate by cancelling it (`cancel`) and letting that reach
    /// `from` before it goes.
    RetireGate { cancel: Action, from: String },
    /// A step that moves a red gate on.
    Gate(gate::Step),
    /// Describe the task.
    Describe(Action),
    /// Split the epic into children.
    Split(Action),
    /// Stale work: say where it stands, or put it back.
    SayWhereItStands { note: Action, reopen: Action },
    /// Replace a label with whitespace.
    Unlabel(Action),
    /// Say what "go" means for a gate.
    AddCriterion(Action),
}

/// The result of a check.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub tasks: usize,
    pub diagnostics: Vec<Diagnostic>,
}

#[cfg(test)]
impl Report {
    /// Each diagnostic's code and hints, in order: what a test compares.
    pub(crate) fn findings(&self) -> Vec<(Code, &[Hint])> {
        self.diagnostics
            .iter()
            .map(|d| (d.code, &d.hints[..]))
            .collect()
    }
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

/// Checks a task set read from one source. With `target`, also checks the gates
/// that protect that branch (docs/gates.md): a red gate is an error, a waived
/// one a warning.
pub fn check(loaded: &Loaded, target: Option<&str>) -> Report {
    let none = Policy::default();
    run(loaded, target.map(|branch| (branch, &none)))
}

/// Checks the commit of `loaded` as the new tip of `branch`: [`check`]
/// with the gates `policy` requires too, even those the commit drops.
pub fn check_tip(loaded: &Loaded, branch: &str, policy: &Policy) -> Report {
    run(loaded, Some((branch, policy)))
}

/// The diagnostic of a file that does not read.
fn problem(p: &FileProblem) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        code: Code::InvalidFile,
        path: p.path.clone(),
        line: p.error.line,
        column: p.error.column,
        message: p.error.message.clone(),
        hints: Vec::new(),
    }
}

/// The same error in two commits: of the same kind, in the same file, saying
/// the same, wherever in the file it is.
pub type ErrorKey = (Code, PathBuf, String);

impl Diagnostic {
    pub fn key(&self) -> ErrorKey {
        (self.code, self.path.clone(), self.message.clone())
    }
}

/// What the errors about how tasks relate (references to ids that do not
/// exist, cycles) depend on in one file: whether it is a task, and then its
/// `blocked_by` and `parent`. Every other error is about one file alone. So
/// when no changed file changes its links, the errors a change brings are
/// those of the files it changed. (A rule added to [`check`] that looks at
/// more of a task must be added here.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Links {
    NotATask,
    Task {
        blocked_by: Vec<crate::id::TaskId>,
        parent: Option<crate::id::TaskId>,
    },
}

/// The links of file `name` of `.tasks/` in `loaded`.
pub fn links(loaded: &Loaded, name: &str) -> Links {
    match name
        .strip_suffix(".toml")
        .and_then(|stem| loaded.tasks.get(stem))
    {
        Some(task) => Links::Task {
            blocked_by: task.blocked_by.clone(),
            parent: task.parent.clone(),
        },
        None => Links::NotATask,
    }
}

/// Whether the tasks `appeared` (ids of `loaded` that the set before did
/// not have) can bring no error about how tasks relate: no task names one
/// of them, everything each names exists, and each has either no parent or
/// a parent and no blockers. A task waits only for what it or an ancestor
/// names, and for its children. So nothing waits for such a task but its
/// parent, and what the task itself waits for (its parent's blockers and
/// its ancestors') its parent waited for already: a cycle through it would
/// have been one through its parent before. And it makes no reference
/// dangle or resolve.
pub fn appear_unrelated(loaded: &Loaded, appeared: &[&str]) -> bool {
    if appeared.is_empty() {
        return true;
    }
    let set = &loaded.tasks;
    let alone = appeared.iter().all(|id| {
        set.get(id).is_some_and(|task| match &task.parent {
            None => task
                .blocked_by
                .iter()
                .all(|b| set.get(b.as_str()).is_some()),
            Some(parent) => task.blocked_by.is_empty() && set.get(parent.as_str()).is_some(),
        })
    });
    // Every task is looked at, for a handful of ids: comparing them beats
    // hashing every name.
    let many: std::collections::HashSet<&str> = if appeared.len() > 16 {
        appeared.iter().copied().collect()
    } else {
        Default::default()
    };
    let named = |id: &crate::id::TaskId| {
        let id = id.as_str();
        if many.is_empty() {
            appeared.contains(&id)
        } else {
            many.contains(id)
        }
    };
    alone
        && set.iter().all(|task| {
            !task.blocked_by.iter().any(named) && !task.parent.as_ref().is_some_and(named)
        })
}

/// How many task files a check counts: every file, read or not ("2 tasks,
/// 4 errors" would hide the four that did not read).
pub fn task_files(loaded: &Loaded) -> usize {
    loaded.tasks.len() + loaded.problems.len()
}

/// The findings about single files, each about one file alone: those that
/// do not read, paths in conflict in the index, and what else is in
/// `.tasks/`. What a commit brings of these shows in the files it changed;
/// every other finding depends on how tasks relate (see [`Links`]).
pub fn file_diagnostics(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = loaded.problems.iter().map(problem).collect();
    for u in &loaded.unmerged {
        out.push(Diagnostic {
            severity: Severity::Error,
            code: Code::Unmerged,
            path: u.path.clone(),
            line: 1,
            column: 1,
            message: format!(
                "the file is in conflict in the index ({}): a merge, rebase, cherry-pick or stash pop left it unresolved, and committing now could drop one side",
                u.describe()
            ),
            hints: vec![
                Hint::ResolveConflict {
                    path: u.path.clone(),
                    both: u.ours && u.theirs,
                },
                Hint::RecreateConflict {
                    path: u.path.clone(),
                },
            ],
        });
    }
    for stray in &loaded.strays {
        let (severity, code, message) = match stray.kind {
            StrayKind::Temporary => (
                Severity::Error,
                Code::TemporaryFile,
                "a temporary file of a git-task write that was interrupted; it is no task, and may hold half of one",
            ),
            StrayKind::Directory => (
                Severity::Warning,
                Code::StrayFile,
                "a directory inside .tasks/; git-task reads no subdirectories, so tasks in it are not seen",
            ),
            StrayKind::Link => (
                Severity::Warning,
                Code::StrayFile,
                "a symbolic link; git-task never follows links in .tasks/",
            ),
            StrayKind::NotUtf8 => (
                Severity::Warning,
                Code::StrayFile,
                "a file name that is not UTF-8, so it cannot name a task and is not read",
            ),
            StrayKind::Other => (
                Severity::Warning,
                Code::StrayFile,
                "not a task file (task files are named after their id, with .toml), so git-task does not read it",
            ),
        };
        let task = match stray.kind {
            StrayKind::Other => stray
                .path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| TaskId::parse(s).ok()),
            _ => None,
        };
        out.push(Diagnostic {
            severity,
            code,
            path: stray.path.clone(),
            line: 1,
            column: 1,
            message: message.into(),
            hints: vec![Hint::Stray {
                path: stray.path.clone(),
                kind: stray.kind,
                task,
            }],
        });
    }
    out
}

fn run(loaded: &Loaded, target: Option<(&str, &Policy)>) -> Report {
    let mut out = file_diagnostics(loaded);
    let set = &loaded.tasks;
    let tasks = set.tasks();
    let graph = Graph::new(set);
    let text = |i: usize| loaded.texts.get(i);
    let path = |i: usize| Path::new(TASKS_DIR).join(tasks[i].id.file_name());
    let mut at = |severity,
                  code,
                  i: usize,
                  (line, column): (usize, usize),
                  message: String,
                  hints: Vec<Hint>| {
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
                        Code::MissingReference,
                        i,
                        locate(text(i), Field::BlockedBy, Some(b.as_str())),
                        format!("`{id}` is blocked by `{b}`, but no task has that id"),
                        vec![Hint::DropMissing(Action::DepRm {
                            task: id.clone(),
                            blocker: b.clone(),
                        })],
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
                        Code::DependsOnCancelled,
                        i,
                        locate(text(i), Field::BlockedBy, Some(b.as_str())),
                        format!(
                            "`{id}` is blocked by `{b}` \"{}\", which is cancelled",
                            tasks[*j].subject
                        ),
                        vec![Hint::DropCancelled(Action::DepRm {
                            task: id.clone(),
                            blocker: b.clone(),
                        })],
                    )
                }
                Target::Task(_) => {}
            }
        }
        let more = [
            (
                missing,
                Severity::Error,
                Code::MissingReference,
                "ids that name no task",
            ),
            (
                cancelled,
                Severity::Warning,
                Code::DependsOnCancelled,
                "cancelled tasks",
            ),
        ];
        for (count, severity, code, what) in more {
            if count > LISTED {
                at(
                    severity,
                    code,
                    i,
                    locate(text(i), Field::BlockedBy, None),
                    format!(
                        "`{id}` is blocked by {} more {what}, not listed one by one",
                        count - LISTED
                    ),
                    vec![Hint::DropMore { path: path(i) }],
                );
            }
        }
        if let Some(p) = &task.parent
            && graph.parent(i).is_none()
        {
            at(
                Severity::Error,
                Code::MissingReference,
                i,
                locate(text(i), Field::Parent, Some(p.as_str())),
                format!("the parent of `{id}` is `{p}`, but no task has that id"),
                vec![Hint::DropMissingParent(Action::UnsetParent {
                    child: id.clone(),
                })],
            );
        }
        let reopen = Action::Reopen { id: id.clone() };
        let (code, doing, hint) = match task.status {
            Status::Completed => (
                Code::CompletedWhileWaiting,
                "completed",
                Hint::ReopenOrFinish(reopen),
            ),
            Status::InProgress => (
                Code::InProgressWhileBlocked,
                "in progress",
                Hint::FinishOrReopen(reopen),
            ),
            _ => continue,
        };
        let open = graph.open_wait_lines(i);
        if !open.is_empty() {
            at(
                Severity::Warning,
                code,
                i,
                locate(text(i), Field::Status, None),
                format!("`{id}` is {doing} while it waits for {}", open.join(", ")),
                vec![hint],
            );
        }
    }
    for cycle in graph.cycles() {
        let first = cycle[0];
        let next = cycle.get(1).copied().unwrap_or(first);
        let key = if tasks[first].blocked_by.iter().any(|b| b == &tasks[next].id) {
            Field::BlockedBy
        } else {
            Field::Parent
        };
        at(
            Severity::Error,
            Code::Cycle,
            first,
            locate(text(first), key, None),
            format!("dependency cycle: {}", graph.describe_cycle(&cycle)),
            vec![Hint::BreakCycle],
        );
    }
    // Gates a commit lacks have no file to point into with `at`.
    let mut missing = Vec::new();
    if let Some((branch, policy)) = target {
        let short = gate::short_branch(branch);
        let source_hint = || Hint::GatesFrom {
            branch: short.to_owned(),
            source: policy.source(),
        };
        for (id, applies) in gate::gates_for_tip(&graph, &loaded.config, branch, policy) {
            let (i, report, inherited) = match applies {
                Applies::Gate {
                    index,
                    report,
                    inherited,
                } => (index, report, inherited),
                Applies::Missing(required) => {
                    let path = Path::new(TASKS_DIR).join(id.file_name());
                    let unread = loaded.problems.iter().any(|p| p.path == path);
                    let restore = Hint::RestoreGate {
                        commit: policy.commit.clone(),
                        path: path.clone(),
                    };
                    missing.push(Diagnostic {
                        severity: Severity::Error,
                        code: Code::GateRed,
                        message: format!(
                            "gate `{id}` \"{}\" protects {short}, and {}",
                            required.subject,
                            if unread {
                                "its file does not read in this commit"
                            } else if policy.merge {
                                "this merge removes it"
                            } else {
                                "this push removes it"
                            }
                        ),
                        path,
                        line: 1,
                        column: 1,
                        hints: vec![
                            source_hint(),
                            restore,
                            Hint::RetireGate {
                                cancel: Action::Cancel { id: id.clone() },
                                from: policy.from.clone(),
                            },
                        ],
                    });
                    continue;
                }
            };
            let task = &tasks[i];
            match report.state {
                GateState::Red => {
                    let mut hints: Vec<Hint> = gate::next_steps(&graph, i)
                        .into_iter()
                        .map(Hint::Gate)
                        .collect();
                    if inherited {
                        hints.insert(0, source_hint());
                    }
                    at(
                        Severity::Error,
                        Code::GateRed,
                        i,
                        locate(text(i), Field::Gate, None),
                        format!(
                            "gate `{}` \"{}\" is red for {short}: {}",
                            task.id,
                            task.subject,
                            report.reasons.join("; ")
                        ),
                        hints,
                    )
                }
                GateState::Yellow => at(
                    Severity::Warning,
                    Code::GateWaived,
                    i,
                    locate(text(i), Field::Waiver, None),
                    format!(
                        "gate `{}` \"{}\" passes {short} only because it was {}",
                        task.id,
                        task.subject,
                        report.reasons.join("; ")
                    ),
                    Vec::new(),
                ),
                GateState::Green | GateState::Cancelled => {}
            }
        }
    }
    out.extend(missing);
    out.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.severity).cmp(&(&b.path, b.line, b.column, b.severity))
    });
    Report {
        // Every file counts, read or not: "2 tasks, 4 errors" would hide the
        // four that did not read.
        tasks: task_files(loaded),
        diagnostics: out,
    }
}

/// The line and column of field `field` (its `key =` or `[key]` table) in
/// a task file, and of `value` in it when given (the value of `key`, or one of its
/// array's): where a diagnostic points. Positions come from the TOML
/// parser's spans, so a look-alike elsewhere in the file (inside a
/// description, in another key) is never taken for it. (1, 1) when the
/// file has no such key or does not parse.
pub fn locate(text: &str, field: Field, value: Option<&str>) -> (usize, usize) {
    let key = field.key();
    // Most lookups are for a key the file does not have (lint's missing
    // description, on every task of a large set): no parse for those.
    if !text.contains(key) {
        return (1, 1);
    }
    let Ok(doc) = toml_edit::Document::parse(text) else {
        return (1, 1);
    };
    let table = doc.as_table();
    let Some(item) = table.get(key) else {
        return (1, 1);
    };
    let value_span = value.and_then(|wanted| match item.as_value()? {
        toml_edit::Value::Array(array) => array
            .iter()
            .find(|v| v.as_str() == Some(wanted))
            .and_then(|v| v.span()),
        v if v.as_str() == Some(wanted) => v.span(),
        _ => None,
    });
    let key_span = match item {
        // A `[key]` table points at its header, bracket included.
        toml_edit::Item::Table(t) => t.span(),
        _ => table.key(key).and_then(|k| k.span()),
    };
    value_span
        .or(key_span)
        .map_or((1, 1), |span| crate::task::line_column(text, span.start))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn every_code_is_in_all_once() {
        // A new code fails to compile here until it is added to the match,
        // which is the reminder to add it to ALL too.
        let position = |code: Code| match code {
            Code::InvalidFile => 0,
            Code::Unmerged => 1,
            Code::TemporaryFile => 2,
            Code::StrayFile => 3,
            Code::MissingReference => 4,
            Code::DependsOnCancelled => 5,
            Code::CompletedWhileWaiting => 6,
            Code::InProgressWhileBlocked => 7,
            Code::Cycle => 8,
            Code::GateRed => 9,
            Code::GateWaived => 10,
            Code::VagueDescription => 11,
            Code::ChildlessEpic => 12,
            Code::StaleInProgress => 13,
            Code::LabelWithWhitespace => 14,
            Code::GateWithoutCriteria => 15,
        };
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(position(*code), i, "{code}");
        }
    }

    #[test]
    fn locate_finds_keys_and_values() {
        let text =
            "subject = \"x\"\nblocked_by = [\n  \"a\",\n  \"b\",\n]\nstatus = \"completed\"\n";
        assert_eq!(locate(text, Field::BlockedBy, Some("b")), (4, 3));
        assert_eq!(locate(text, Field::Status, None), (6, 1));
        assert_eq!(locate(text, Field::Gate, None), (1, 1));
        // The key's own value, not a look-alike in a later string.
        let text = "parent = \"x\"\ndescription = \"see \\\"p\\\"\"\n";
        assert_eq!(locate(text, Field::Parent, Some("p")), (1, 1));
        assert_eq!(locate(text, Field::Parent, Some("x")), (1, 10));
        // A table points at its header; characters, not bytes, count.
        let text = "subject = \"é\"\n\n[waiver]\nby = \"a\"\n";
        assert_eq!(locate(text, Field::Waiver, None), (3, 1));
        // A file that does not parse points at its top.
        assert_eq!(
            locate("x = 1 ;\nsubject = \"é\"\n", Field::Subject, None),
            (1, 1)
        );
        assert_eq!(
            locate("blocked_by = [\"é\", \"b\"]\n", Field::BlockedBy, Some("b")),
            (1, 20)
        );
    }

    /// What reading `files` (id, text) of `.tasks/` would give, with
    /// `strays` beside them.
    pub(crate) fn loaded(files: &[(&str, &str)], strays: Vec<crate::store::Stray>) -> Loaded {
        let tasks: Vec<crate::Task> = files
            .iter()
            .map(|(id, text)| crate::Task::parse(TaskId::parse(id).unwrap(), text).unwrap())
            .collect();
        let set = crate::TaskSet::new(tasks);
        let texts = set
            .iter()
            .map(|t| {
                let (_, text) = files.iter().find(|(id, _)| *id == t.id.as_str()).unwrap();
                crate::store::Text::from(text.to_string())
            })
            .collect();
        Loaded {
            tasks: set,
            texts,
            config: Default::default(),
            problems: Vec::new(),
            strays,
            unmerged: Vec::new(),
        }
    }

    fn id(text: &str) -> TaskId {
        TaskId::parse(text).unwrap()
    }

    #[test]
    fn findings_carry_their_code_and_the_actions_that_fix_them() {
        let loaded = loaded(
            &[
                ("a", "subject = \"A\"\nblocked_by = [\"ghost\", \"c\"]\n"),
                ("c", "subject = \"C\"\nstatus = \"cancelled\"\n"),
                ("d", "subject = \"D\"\nparent = \"nowhere\"\n"),
            ],
            vec![crate::store::Stray {
                path: ".tasks/x-1.md".into(),
                kind: StrayKind::Other,
            }],
        );
        let report = check(&loaded, None);
        let found = report.findings();
        assert_eq!(
            found,
            [
                (
                    Code::MissingReference,
                    &[Hint::DropMissing(Action::DepRm {
                        task: id("a"),
                        blocker: id("ghost")
                    })][..]
                ),
                (
                    Code::DependsOnCancelled,
                    &[Hint::DropCancelled(Action::DepRm {
                        task: id("a"),
                        blocker: id("c")
                    })][..]
                ),
                (
                    Code::MissingReference,
                    &[Hint::DropMissingParent(Action::UnsetParent {
                        child: id("d")
                    })][..]
                ),
                (
                    Code::StrayFile,
                    &[Hint::Stray {
                        path: ".tasks/x-1.md".into(),
                        kind: StrayKind::Other,
                        task: Some(id("x-1")),
                    }][..]
                ),
            ]
        );
        assert_eq!(report.errors(), 2);
        assert_eq!(report.warnings(), 2);
    }

    #[test]
    fn a_red_gate_says_each_step_that_moves_it_on() {
        let loaded = loaded(
            &[
                (
                    "g",
                    "subject = \"G\"\ngate = true\nblocked_by = [\"w\"]\n\
                     [[criteria]]\ntext = \"one\"\n[[criteria]]\ntext = \"two\"\nmet = true\n",
                ),
                ("w", "subject = \"W\"\n"),
            ],
            Vec::new(),
        );
        let report = check(&loaded, Some("main"));
        let red: Vec<&Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::GateRed)
            .collect();
        assert_eq!(red.len(), 1);
        assert_eq!(
            red[0].hints,
            [
                Hint::Gate(gate::Step::FinishWaits(Action::Show { id: id("g") })),
                Hint::Gate(gate::Step::MarkMet(Action::CriteriaMet {
                    id: id("g"),
                    numbers: vec![1]
                })),
                Hint::Gate(gate::Step::Complete(Action::Done {
                    id: id("g"),
                    force: false,
                    no_verify: false
                })),
                Hint::Gate(gate::Step::Waive(Action::Waive { id: id("g") })),
            ]
        );
    }

    #[test]
    fn codes_serialize_as_their_stable_names() {
        for code in [
            Code::MissingReference,
            Code::InProgressWhileBlocked,
            Code::GateWithoutCriteria,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().to_owned())
            );
        }
        assert_eq!(
            Code::InProgressWhileBlocked.to_string(),
            "in-progress-while-blocked"
        );
    }
}
