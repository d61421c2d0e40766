//! Every library error as the CLI says it: its message, its `hint:`
//! lines and its exit code (1 for a refusal, 2 for bad input), and every
//! [`Action`] as the `git task …` line to type. The library's errors carry
//! data; the words and command lines a terminal shows are made here, in
//! one place, so another front end can map the same variants its own way.

use std::process::ExitCode;

use git_task::action::Action;
use git_task::apply::PlanProblem;
use git_task::error::{Error, FileProblem, Invalid, Refusal, WaitReason, Waited, Waits};
use git_task::output::{ErrorKind, ErrorObject};
use git_task::store::{InIndex, Source, Workspace};
use git_task::taskset::ResolveError;

use super::Ctx;
use super::table::{Column, Table};
use super::ui::Ui;

/// An error on its way to the user: the library's error, one the command
/// found itself, or a write to a closed pipe.
#[derive(Debug)]
pub enum CliError {
    Lib(Error),
    /// A library error with one more hint from the command that saw it.
    Hinted(Error, String),
    /// Bad input that only the command line can have (a flag that makes
    /// no sense with another, a value the shell swallowed): exit 2.
    User {
        message: String,
        hints: Vec<String>,
    },
    /// A refusal of the command line's own (no editor to run): exit 1.
    Refused {
        message: String,
        hints: Vec<String>,
    },
    /// The command has printed its answer; exit with this code.
    Silent(u8),
    Io(std::io::Error),
}

impl CliError {
    /// Bad input, with no hint.
    pub fn user(message: impl Into<String>) -> CliError {
        CliError::User {
            message: message.into(),
            hints: Vec::new(),
        }
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Lib(e)
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl From<ResolveError> for CliError {
    fn from(e: ResolveError) -> Self {
        CliError::Lib(e.into())
    }
}

impl From<Refusal> for CliError {
    fn from(e: Refusal) -> Self {
        CliError::Lib(e.into())
    }
}

pub type CliResult = Result<(), CliError>;

/// How the command ended, as the process's exit code, after saying what
/// went wrong on stderr. `incomplete` is a reading command's answer that
/// left out files that do not read: it exits 2.
pub fn exit(ctx: &Ctx, result: CliResult) -> ExitCode {
    match result {
        Ok(()) if ctx.incomplete => ExitCode::from(2),
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(CliError::Io(e)) => {
            ctx.ui.error(&format!("cannot write the output: {e}"));
            ExitCode::from(2)
        }
        Err(CliError::Lib(e)) => report(ctx, &e),
        Err(CliError::Silent(code)) => ExitCode::from(code),
        Err(CliError::Hinted(e, hint)) => {
            let code = report(ctx, &e);
            ctx.ui.hint(&hint);
            code
        }
        Err(CliError::User { message, hints }) => say(&ctx.ui, &message, &hints, 2),
        Err(CliError::Refused { message, hints }) => say(&ctx.ui, &message, &hints, 1),
    }
}

fn say(ui: &Ui, message: &str, hints: &[String], code: u8) -> ExitCode {
    ui.error(message);
    for hint in hints {
        ui.hint(hint);
    }
    ExitCode::from(code)
}

/// `word` as one word of a shell command in a hint: quoted when it holds
/// anything but letters, digits and `-_./:@~^+=,%`.
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@~^+=,%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// What puts files of `.tasks/` that do not read right, as commands that
/// work in the state the repository is in: a file in conflict is resolved
/// and added, a tracked one can be checked out again, an untracked one
/// only fixed; a revision's files are fixed by a new commit.
pub fn fix_hints(ws: &Workspace, source: &Source, problems: &[FileProblem]) -> Vec<String> {
    let paths: Vec<&std::path::Path> = problems.iter().map(|p| p.path.as_path()).collect();
    // Paths as messages name them (from the root), and as git pathspecs
    // that work from any directory of the working tree (`:/` is the root).
    let join_as = |state: InIndex, states: &[InIndex], prefix: &str| {
        paths
            .iter()
            .zip(states)
            .filter(|(_, s)| **s == state)
            .map(|(p, _)| shell_word(&format!("{prefix}{}", p.display())))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let join = |state: InIndex, states: &[InIndex]| join_as(state, states, "");
    let pathspecs = |state: InIndex, states: &[InIndex]| join_as(state, states, ":/");
    let them = if paths.len() == 1 { "it" } else { "them" };
    if *source != Source::WorkTree {
        return source_fix_hints(source, problems);
    }
    let Ok(states) = ws.in_index(&paths) else {
        return vec![format!(
            "fix {them} by hand; `git task check` lists every problem"
        )];
    };
    let mut hints = Vec::new();
    let unmerged = join(InIndex::Unmerged, &states);
    if !unmerged.is_empty() {
        let n = states.iter().filter(|s| **s == InIndex::Unmerged).count();
        let is = if n == 1 { "is" } else { "are" };
        hints.push(format!(
            "{unmerged} {is} in conflict: keep one side of each conflict, remove the marker lines, then run `git add {}`",
            pathspecs(InIndex::Unmerged, &states)
        ));
    }
    let tracked = join(InIndex::Tracked, &states);
    if !tracked.is_empty() {
        hints.push(format!(
            "fix {tracked} by hand, or undo the edit: git checkout -- {}",
            pathspecs(InIndex::Tracked, &states)
        ));
    }
    let untracked = join(InIndex::Untracked, &states);
    if !untracked.is_empty() {
        hints.push(format!(
            "fix {untracked} by hand (git has no copy to restore); `git task check` lists every problem"
        ));
    }
    hints
}

/// How to fix task files of the index or of a revision that do not read:
/// in the working tree, then in the index or a new commit (restoring them
/// from git would bring the same broken text back).
pub fn source_fix_hints(source: &Source, problems: &[FileProblem]) -> Vec<String> {
    let them = if problems.len() == 1 { "it" } else { "them" };
    match source {
        Source::Rev(rev) => vec![format!(
            "{rev} holds {them} as committed: fix {them} in a new commit; `git task check --rev {}` lists every problem",
            shell_word(rev)
        )],
        _ => {
            let specs: Vec<String> = problems
                .iter()
                .map(|p| shell_word(&format!(":/{}", p.path.display())))
                .collect();
            vec![format!(
                "the index holds {them} as staged: fix {them} in the working tree, then `git add {}`; `git task check --staged` lists every problem",
                specs.join(" ")
            )]
        }
    }
}

/// Prints an error with what to do about it; returns the exit code.
/// Files of the working tree that do not read get the hints that fix them.
pub fn report(ctx: &Ctx, error: &Error) -> ExitCode {
    report_with(&ctx.ui, error, |problems| match ctx.workspace() {
        Ok(ws) => fix_hints(&ws, &Source::WorkTree, problems),
        Err(_) => Vec::new(),
    })
}

/// [`report`], with `file_hints` saying how to fix files that do not read.
pub fn report_with(
    ui: &Ui,
    error: &Error,
    file_hints: impl FnOnce(&[FileProblem]) -> Vec<String>,
) -> ExitCode {
    match error {
        Error::Files(problems) => {
            for p in problems {
                ui.error(&p.to_string());
            }
            for hint in file_hints(problems) {
                ui.hint(&hint);
            }
        }
        Error::FilesIn { from, problems } => {
            for p in problems {
                ui.error(&p.to_string());
            }
            for hint in source_fix_hints(from, problems) {
                ui.hint(&hint);
            }
        }
        _ => {
            ui.error(&message(error));
            for hint in hints(error) {
                ui.hint(&hint);
            }
        }
    }
    ExitCode::from(exit_code(error))
}

/// The exit code of an error: 1 when the answer is no (a refusal), 2 for
/// bad input and everything that kept the command from answering.
pub fn exit_code(error: &Error) -> u8 {
    match error {
        Error::Refused(_) => 1,
        Error::Plan(plan) if matches!(*plan.problem, PlanProblem::Refused(_)) => 1,
        _ => 2,
    }
}

/// What an error says: the library's own statement, with what the CLI
/// adds for the variants that point at a flag or a command.
pub fn message(error: &Error) -> String {
    match error {
        Error::Refused(refusal) => refusal_message(refusal),
        Error::Invalid(invalid) => invalid_message(invalid),
        Error::Plan(plan) => match &*plan.problem {
            PlanProblem::Refused(refusal) => format!(
                "{}:{}:{}: {}",
                plan.file,
                plan.at.line,
                plan.at.column,
                refusal_message(refusal)
            ),
            _ => error.to_string(),
        },
        Error::NoPlan { breaks, .. } => format!(
            "{error}\n{}",
            super::advice::cycle_hint(breaks.iter().cloned())
        ),
        Error::Resolve(ResolveError::Ambiguous { candidates, .. }) => {
            let mut table = Table::new([Column::left(), Column::left()]).indent("  ");
            for (id, subject) in candidates {
                table.row([id.as_str().to_owned(), subject.to_string()]);
            }
            let mut message = error.to_string();
            for line in table.to_string().lines() {
                message.push('\n');
                message.push_str(line);
            }
            message
        }
        _ => error.to_string(),
    }
}

/// The `hint:` lines of an error, but for files that do not read (their
/// hints depend on the state of the repository: [`fix_hints`]).
pub fn hints(error: &Error) -> Vec<String> {
    let hint = match error {
        Error::Refused(refusal) => return refusal_hints(refusal),
        Error::Plan(plan) => return plan_hints(&plan.problem),
        Error::Resolve(ResolveError::Ambiguous { .. }) => {
            "type more characters of the id".to_owned()
        }
        Error::NotARepository { path } => format!(
            "run it inside a git repository, or make this one: git init {}",
            shell_word(&path.display().to_string())
        ),
        Error::UnknownRevision { .. } => {
            "`git branch --all` and `git tag` list the names there are".to_owned()
        }
        Error::NotInitialized { .. } => {
            "run `git task init` to start tracking tasks here".to_owned()
        }
        Error::BareRepository { .. } => "a bare repository has no working tree to change: run it in a clone; commands that read take --rev (git task list --rev HEAD)".to_owned(),
        Error::Resolve(ResolveError::Unknown(_)) => {
            "`git task list --all` shows every id".to_owned()
        }
        Error::LockBusy { .. } => "if that process is stopped (Ctrl-Z), resume it with `fg` or end it; or wait longer, e.g. with --wait 120".to_owned(),
        Error::IndexLocked { .. } => "wait for that git command to finish; if no git process is running (one was killed), remove the file, as git itself says".to_owned(),
        Error::Raced { .. } => "something else (a checkout, merge, stash or editor) changed .tasks/ at the same moment; run the command again".to_owned(),
        Error::DubiousOwnership { path } => format!(
            "git refuses it too; if you trust it, run: git config --global --add safe.directory {}",
            path.display()
        ),
        Error::Git {
            op: git_task::error::GitOp::UpdateReference { name },
            ..
        } => format!(
            "a killed git or git-task process may have left its lock, .git/{name}.lock (in the repository's common git dir); if none is running, remove that file"
        ),
        Error::Remote { remote, .. } => format!(
            "nothing was claimed or released there; when {remote} cannot be reached, claim without --remote to hold the task in this repository only (set `[claims] remote = \"\"` in .tasks/config.toml to make that the default)"
        ),
        Error::RemoteRefused { remote, .. } => format!(
            "{remote} takes no references outside branches and tags, or a hook there refused it: claims need a host that accepts refs/tasks/*; claim without --remote meanwhile"
        ),
        Error::Link { .. } => "replace the link with the directory or file itself (git-task never writes through a link)".to_owned(),
        _ => return Vec::new(),
    };
    vec![hint]
}

/// The `hint:` lines of a plan that cannot be applied. Nothing was
/// written, whatever the problem: every hint says so first.
fn plan_hints(problem: &PlanProblem) -> Vec<String> {
    let mut hints = vec!["nothing was changed; fix the plan and apply it again".to_owned()];
    match problem {
        PlanProblem::Refused(refusal) => hints.extend(refusal_hints(refusal)),
        PlanProblem::UnknownField {
            lifecycle: true, ..
        } => hints.push(
            "apply the plan without it, then use git task start, done, note or gate waive"
                .to_owned(),
        ),
        PlanProblem::Dangling { .. } | PlanProblem::Ambiguous { .. } => hints.push(
            "a name there is a key of the plan, or an existing task's id or unique prefix; `git task list --all` shows every id"
                .to_owned(),
        ),
        PlanProblem::PlanKeyTwice { .. } => hints.push(
            "`git task edit ID` opens a task's file, where its plan_key line can go".to_owned(),
        ),
        _ => {}
    }
    hints
}

/// What bad input says, with the flag or command that helps where the
/// CLI has one.
fn invalid_message(invalid: &Invalid) -> String {
    match invalid {
        Invalid::IdTaken { id, path: None } => {
            format!("a task with the id `{id}` already exists; choose another --id")
        }
        Invalid::IdTaken {
            id,
            path: Some(path),
        } => format!(
            "a task with the id `{id}` already exists ({}); choose another id",
            path.display()
        ),
        Invalid::NamedAlready {
            old,
            new,
            referrers,
        } => {
            let names: Vec<String> = referrers
                .iter()
                .map(|(r, fields)| {
                    let keys: Vec<&str> = fields.iter().map(|f| f.key()).collect();
                    format!("{r} ({})", keys.join(", "))
                })
                .collect();
            format!(
                "tasks already name `{new}`, which is no task: {}; renaming {old} to `{new}` would \
                 make them refer to it. Fix those references first, or choose another id",
                names.join(", ")
            )
        }
        Invalid::NoCriterion { task, .. } => format!(
            "{invalid} (see {})",
            command(&Action::Criteria { id: task.clone() })
        ),
        Invalid::NotAGate { task } => format!(
            "{invalid} (make it one with {})",
            command(&Action::MakeGate { id: task.clone() })
        ),
        Invalid::NoReason => "say why the gate may pass: --reason TEXT".to_owned(),
        Invalid::UnknownReference { .. } => {
            format!("{invalid} (`git task list --all` shows them)")
        }
        Invalid::NoDefaultBranch => {
            format!("{invalid}; name a range, e.g. git task diff HEAD~1..HEAD")
        }
        Invalid::HookInput { .. } => {
            format!("{invalid} (is this hook installed under the right name?)")
        }
        Invalid::NotOneLine { .. }
        | Invalid::EmptyLabel
        | Invalid::LabelWithWhitespace { .. }
        | Invalid::SameId { .. }
        | Invalid::EmptyNote
        | Invalid::NothingToCompare
        | Invalid::NoCommonHistory { .. }
        | Invalid::SharedRepository { .. }
        | Invalid::BadLease { .. }
        | Invalid::BadRemote { .. } => invalid.to_string(),
    }
}

/// What a refusal says, with the tasks it is about.
pub fn refusal_message(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Blocked { task, waits } => {
            format!("{task} is blocked; it waits for:\n  {}", wait_lines(waits))
        }
        Refusal::NotCompletable { task, waits, unmet } => {
            let mut reasons = Vec::new();
            if !waits.is_empty() {
                reasons.push(format!("it waits for:\n  {}", wait_lines(waits)));
            }
            if !unmet.is_empty() {
                let lines: Vec<String> = unmet.iter().map(|(n, c)| format!("{n}. {c}")).collect();
                reasons.push(format!("criteria not met:\n  {}", lines.join("\n  ")));
            }
            format!("{task} cannot be completed yet; {}", reasons.join("\n"))
        }
        Refusal::Referenced {
            task, referrers, ..
        } => {
            let lines: Vec<String> = referrers
                .iter()
                .map(|r| format!("{} \"{}\" ({})", r.id, r.subject, r.field.key()))
                .collect();
            format!("{task} is referenced by:\n  {}", lines.join("\n  "))
        }
        Refusal::NoWaiver { task, gate: true } => {
            format!("gate {task} is not waived, so there is no waiver to remove")
        }
        Refusal::NoWaiver { task, gate: false } => {
            format!("{task} is not a gate, so it has no waiver to remove")
        }
        Refusal::ForeignHook { path, previous } => format!(
            "{} is not git-task's hook, and {} is already taken, so it cannot be kept there",
            path.display(),
            previous.display()
        ),
        Refusal::EditedMeanwhile { path } => format!(
            "{} changed while you were editing it; your edit was not applied",
            path.display()
        ),
        Refusal::NothingToClaim { claimed, ready } => {
            let mut text = refusal.to_string();
            if *ready > 0 {
                text.push(':');
                for c in claimed {
                    text.push_str(&format!(
                        "\n  {} {} {} until {}",
                        c.task,
                        c.resolved.map_or("claimed", |s| s.as_str()),
                        if c.resolved.is_some() {
                            format!("under {}'s claim", c.owner)
                        } else {
                            format!("by {}", c.owner)
                        },
                        git_task::task::format_timestamp(c.until)
                    ));
                }
            }
            text
        }
        Refusal::Resolved { .. }
        | Refusal::Held { .. }
        | Refusal::Claimed { .. }
        | Refusal::Contended { .. }
        | Refusal::ResolvedElsewhere { .. }
        | Refusal::VerifyFailed { .. }
        | Refusal::AlreadyClosed { .. }
        | Refusal::OwnBlocker { .. }
        | Refusal::OwnParent { .. }
        | Refusal::Cycle { .. } => refusal.to_string(),
    }
}

/// The `hint:` lines of a refusal: the commands of [`Refusal::actions`],
/// each with what it does.
pub fn refusal_hints(refusal: &Refusal) -> Vec<String> {
    let actions = refusal.actions();
    let commands = |keep: &dyn Fn(&Action) -> bool| {
        actions
            .iter()
            .filter(|a| keep(a))
            .map(command)
            .collect::<Vec<_>>()
            .join(" && ")
    };
    let mut hints = Vec::new();
    match refusal {
        Refusal::Resolved { .. } | Refusal::AlreadyClosed { .. } => {
            hints.push(format!("reopen it first: {}", commands(&|_| true)));
        }
        Refusal::Blocked { .. } => {
            for action in &actions {
                hints.push(match action {
                    Action::Ready => format!(
                        "finish those first ({} shows what can start now)",
                        command(action)
                    ),
                    _ => format!("or start it anyway: {}", command(action)),
                });
            }
        }
        Refusal::Held { .. } => {
            hints.push(format!("take it over: {}", commands(&|_| true)));
        }
        Refusal::Claimed { .. } => {
            for action in &actions {
                hints.push(match action {
                    Action::Ready => format!("take another: {}", command(action)),
                    _ => format!(
                        "or take it over, if its holder is gone for good: {}",
                        command(action)
                    ),
                });
            }
        }
        Refusal::Contended { .. } => {
            hints.push(format!("run it again: {}", commands(&|_| true)));
        }
        Refusal::ResolvedElsewhere { task, claim } => {
            hints.push(format!(
                "merge that work to see it here; until {} nobody takes it (take another: {})",
                git_task::task::format_timestamp(claim.until),
                commands(&|_| true)
            ));
            hints.push(format!(
                "if that work was dropped: git task release {} --force",
                shell_word(task.as_str())
            ));
        }
        Refusal::NothingToClaim { ready, .. } => {
            hints.push(if *ready == 0 {
                "see what holds the rest back: git task blocked".to_owned()
            } else {
                format!(
                    "wait for one to be released, or for a lease to end ({} shows who holds what)",
                    commands(&|_| true)
                )
            });
        }
        Refusal::NotCompletable { waits, .. } => {
            if !waits.is_empty() {
                hints.push("finish or cancel those first".to_owned());
            }
            for action in &actions {
                hints.push(match action {
                    Action::CriteriaMet { .. } => format!("mark them met: {}", command(action)),
                    _ => format!("or complete it anyway: {}", command(action)),
                });
            }
        }
        Refusal::VerifyFailed { .. } => {
            for action in &actions {
                hints.push(match action {
                    Action::Done {
                        no_verify: true, ..
                    } => format!("or complete it without running it: {}", command(action)),
                    _ => format!("fix what it reports and run `{}` again", command(action)),
                });
            }
        }
        Refusal::Referenced { .. } => {
            let blockers = commands(&|a| matches!(a, Action::DepRm { .. }));
            if !blockers.is_empty() {
                hints.push(format!("drop it as a blocker first: {blockers}"));
            }
            let children =
                commands(&|a| matches!(a, Action::SetParent { .. } | Action::UnsetParent { .. }));
            if !children.is_empty() {
                hints.push(format!("give its children another parent: {children}"));
            }
            hints.push(format!(
                "or remove the references with it: {}",
                commands(&|a| matches!(a, Action::Rm { .. }))
            ));
        }
        Refusal::NoWaiver { .. } => {
            hints.push(format!(
                "`{}` shows each gate's state and waiver",
                commands(&|_| true)
            ));
        }
        Refusal::Cycle { .. } => {
            hints.push("a task cannot wait for itself, directly or through others".to_owned());
            for action in &actions {
                hints.push(format!(
                    "to keep this change, open the cycle elsewhere: {}",
                    command(action)
                ));
            }
        }
        Refusal::ForeignHook { .. } => {
            hints.push(format!(
                "move one of them out of the way, then run `{}` again",
                commands(&|_| true)
            ));
        }
        Refusal::OwnBlocker { .. }
        | Refusal::OwnParent { .. }
        | Refusal::EditedMeanwhile { .. } => {}
    }
    hints
}

/// What a task waits for, one line each, indented to follow a first line.
fn wait_lines(waits: &Waits) -> String {
    let mut lines: Vec<String> = waits
        .first
        .iter()
        .map(|w| {
            let target = match &w.target {
                Waited::Task { id, subject, state } => format!("{id} \"{subject}\" ({state})"),
                Waited::Missing(id) => format!("{id} (no such task)"),
            };
            match &w.reason {
                WaitReason::Blocker => target,
                WaitReason::Inherited { ancestor } => {
                    format!("{target}, inherited from {ancestor}")
                }
                WaitReason::Child => format!("{target}, a child"),
            }
        })
        .collect();
    if waits.more > 0 {
        lines.push(format!("and {} more", waits.more));
    }
    lines.join("\n  ")
}

/// The command line that runs `action`, as a user types it. Text the
/// user has to write (a note, a reason) shows as `"…"`.
pub fn command(action: &Action) -> String {
    let id = |id: &git_task::TaskId| shell_word(id.as_str());
    let flag = |on: bool, text: &str| if on { text.to_owned() } else { String::new() };
    match action {
        Action::Show { id: t } => format!("git task show {}", id(t)),
        Action::Ready => "git task ready".to_owned(),
        Action::Start { id: t, force } => {
            format!("git task start {}{}", id(t), flag(*force, " --force"))
        }
        Action::Done {
            id: t,
            force,
            no_verify,
        } => format!(
            "git task done {}{}{}",
            id(t),
            flag(*force, " --force"),
            flag(*no_verify, " --no-verify")
        ),
        Action::Cancel { id: t } => format!("git task cancel {}", id(t)),
        Action::Reopen { id: t } => format!("git task reopen {}", id(t)),
        Action::Rm { id: t, force } => format!("git task rm {}{}", id(t), flag(*force, " --force")),
        // As the merge's files name them: quoting a name that is no id
        // would not make it one.
        Action::Rename { from, to } => format!("git task rename {from} {to}"),
        Action::DepRm { task, blocker } => {
            format!("git task dep rm {} {}", id(task), id(blocker))
        }
        Action::SetParent { child, parent } => {
            format!("git task edit {} --parent {}", id(child), id(parent))
        }
        Action::UnsetParent { child } => format!("git task edit {} --unset parent", id(child)),
        Action::MakeGate { id: t } => format!("git task edit {} --gate", id(t)),
        Action::Describe { id: t } => format!("git task edit {} --description \"…\"", id(t)),
        Action::Unlabel {
            id: t,
            label,
            instead,
        } => format!(
            "git task edit {} --unlabel {}{}",
            id(t),
            shell_word(label),
            instead
                .as_deref()
                .map_or_else(String::new, |w| format!(" --label {}", shell_word(w)))
        ),
        Action::AddChild { parent } => format!("git task add \"…\" --parent {}", id(parent)),
        Action::Note { id: t } => format!("git task note {} \"…\"", id(t)),
        Action::Criteria { id: t } => format!("git task criteria {}", id(t)),
        Action::CriteriaMet { id: t, numbers } => {
            let numbers: Vec<String> = numbers.iter().map(usize::to_string).collect();
            format!("git task criteria {} --met {}", id(t), numbers.join(" "))
        }
        Action::CriteriaAdd { id: t } => format!("git task criteria {} --add \"…\"", id(t)),
        Action::Waive { id: t } => format!("git task gate waive {} --reason \"…\"", id(t)),
        Action::GateList => "git task gate list".to_owned(),
        Action::HooksInstall => "git task hooks install".to_owned(),
        Action::EditHelp { id: t } => format!("git task edit {} --help", id(t)),
        Action::Claim { id: t, force } => format!(
            "git task claim{}{}",
            t.as_ref()
                .map_or_else(String::new, |t| format!(" {}", id(t))),
            flag(*force, " --force")
        ),
        Action::Status => "git task status".to_owned(),
    }
}

/// An error as the CLI says it, as a document: the words of `error:` and
/// `hint:`, its exit code, and its kind. The MCP server's tool errors and
/// `serve`'s refusals carry it, so a program reads one shape from both.
pub fn error_object(ctx: &Ctx, error: CliError) -> ErrorObject {
    let lib = |e: &Error, extra: Option<String>| {
        let (message, mut hints) = match e {
            Error::Files(problems) => (
                lines(problems),
                match ctx.workspace() {
                    Ok(ws) => fix_hints(&ws, &Source::WorkTree, problems),
                    Err(_) => Vec::new(),
                },
            ),
            Error::FilesIn { from, problems } => {
                (lines(problems), source_fix_hints(from, problems))
            }
            _ => (message(e), hints(e)),
        };
        hints.extend(extra);
        ErrorObject {
            kind: kind_of(e),
            exit_code: exit_code(e),
            message,
            hints,
        }
    };
    match error {
        CliError::Lib(e) => lib(&e, None),
        CliError::Hinted(e, hint) => lib(&e, Some(hint)),
        CliError::User { message, hints } => ErrorObject {
            kind: ErrorKind::Invalid,
            exit_code: 2,
            message,
            hints,
        },
        CliError::Refused { message, hints } => ErrorObject {
            kind: ErrorKind::Refused,
            exit_code: 1,
            message,
            hints,
        },
        CliError::Silent(code) => ErrorObject {
            kind: ErrorKind::Failed,
            exit_code: code,
            message: "the command failed".to_owned(),
            hints: Vec::new(),
        },
        CliError::Io(e) => ErrorObject {
            kind: ErrorKind::Failed,
            exit_code: 2,
            message: e.to_string(),
            hints: Vec::new(),
        },
    }
}

/// One line per file that does not read, as the CLI prints them.
fn lines(problems: &[git_task::error::FileProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// What sort of failure a library error is.
fn kind_of(error: &Error) -> ErrorKind {
    match error {
        Error::Refused(_) => ErrorKind::Refused,
        Error::Plan(plan) => match &*plan.problem {
            git_task::apply::PlanProblem::Refused(_) => ErrorKind::Refused,
            _ => ErrorKind::Invalid,
        },
        Error::NoPlan { .. } => ErrorKind::Cycle,
        Error::Files(_) | Error::FilesIn { .. } => ErrorKind::Unreadable,
        Error::Invalid(_)
        | Error::Resolve(ResolveError::Unknown(_) | ResolveError::Ambiguous { .. })
        | Error::InvalidId(_)
        | Error::UnknownRevision { .. }
        | Error::NoCommitsYet { .. }
        | Error::Source(_) => ErrorKind::Invalid,
        _ => ErrorKind::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use git_task::TaskId;
    use git_task::error::ReferenceField;

    fn id(text: &str) -> TaskId {
        TaskId::parse(text).unwrap()
    }

    #[test]
    fn actions_render_as_the_commands_to_type() {
        let a = id("ab12");
        let b = id("cd34");
        assert_eq!(
            command(&Action::Start {
                id: a.clone(),
                force: true
            }),
            "git task start ab12 --force"
        );
        assert_eq!(
            command(&Action::DepRm {
                task: a.clone(),
                blocker: b.clone()
            }),
            "git task dep rm ab12 cd34"
        );
        assert_eq!(
            command(&Action::CriteriaMet {
                id: b.clone(),
                numbers: vec![1, 3]
            }),
            "git task criteria cd34 --met 1 3"
        );
        assert_eq!(
            command(&Action::Done {
                id: a,
                force: false,
                no_verify: true
            }),
            "git task done ab12 --no-verify"
        );
        assert_eq!(
            command(&Action::UnsetParent { child: b }),
            "git task edit cd34 --unset parent"
        );
    }

    #[test]
    fn actions_that_need_the_users_words_leave_a_gap_and_quote_labels() {
        let a = id("ab12");
        assert_eq!(
            command(&Action::Unlabel {
                id: a.clone(),
                label: "to do".into(),
                instead: Some("to-do".into()),
            }),
            "git task edit ab12 --unlabel 'to do' --label to-do"
        );
        assert_eq!(
            command(&Action::Waive { id: a.clone() }),
            "git task gate waive ab12 --reason \"…\""
        );
        assert_eq!(
            command(&Action::AddChild { parent: a }),
            "git task add \"…\" --parent ab12"
        );
        assert_eq!(
            command(&Action::Rename {
                from: "m".into(),
                to: "m-2".into()
            }),
            "git task rename m m-2"
        );
    }

    #[test]
    fn bad_input_exits_2_and_a_refusal_1_each_with_its_words() {
        let bad = Error::from(Invalid::NoCriterion {
            task: id("gate"),
            number: 9,
            count: 2,
        });
        assert_eq!(
            message(&bad),
            "gate has no criterion 9; it has 2 (see git task criteria gate)"
        );
        assert_eq!(exit_code(&bad), 2);
        let no = Error::from(Refusal::Held {
            task: id("t"),
            holder: "bo".into(),
        });
        assert_eq!(message(&no), "t is in progress and held by bo");
        assert_eq!(hints(&no), ["take it over: git task start t --force"]);
        assert_eq!(exit_code(&no), 1);
    }

    #[test]
    fn a_refusal_to_remove_names_each_command_that_would_let_it() {
        let refusal = Refusal::Referenced {
            task: id("aaaa"),
            referrers: vec![
                git_task::error::Referrer {
                    id: id("bbbb"),
                    subject: "B".into(),
                    field: ReferenceField::BlockedBy,
                },
                git_task::error::Referrer {
                    id: id("cccc"),
                    subject: "C".into(),
                    field: ReferenceField::Parent,
                },
            ],
            parent: Some(id("dddd")),
        };
        assert_eq!(
            refusal_message(&refusal),
            "aaaa is referenced by:\n  bbbb \"B\" (blocked_by)\n  cccc \"C\" (parent)"
        );
        assert_eq!(
            refusal_hints(&refusal),
            [
                "drop it as a blocker first: git task dep rm bbbb aaaa",
                "give its children another parent: git task edit cccc --parent dddd",
                "or remove the references with it: git task rm aaaa --force",
            ]
        );
    }
}
