//! The library's advice in the CLI's words: the hints of `check` and
//! `lint` findings, a red gate's next steps, how to resolve a merge of two
//! tasks, and the edges that break a cycle. The library gives each as
//! data with its actions; the command lines come from
//! [`super::command_error::command`].

use std::path::Path;

use git_task::check::Hint;
use git_task::gate::Step;
use git_task::graph::CycleBreak;
use git_task::merge::{Resolution, TaskVersion};
use git_task::store::StrayKind;

use super::command_error::{command, shell_word};

/// A finding's hint, as one line.
pub fn hint(hint: &Hint) -> String {
    // Paths as messages name them (from the root), and as git pathspecs
    // that work from any directory of the working tree (`:/` is the root).
    let spec = |path: &Path| shell_word(&format!(":/{}", path.display()));
    match hint {
        Hint::ResolveConflict { path, both: true } => format!(
            "edit {} to the version you want, then `git add {}`",
            path.display(),
            spec(path)
        ),
        Hint::ResolveConflict { path, both: false } => format!(
            "keep it with `git add {}`, or drop it with `git rm {}`",
            spec(path),
            spec(path)
        ),
        Hint::RecreateConflict { path } => format!(
            "`git checkout -m {}` recreates the conflict markers; `git merge --abort` gives the merge up",
            spec(path)
        ),
        Hint::Stray { path, kind, task } => stray(path, *kind, task.as_ref()),
        Hint::DropMissing(action) => format!("drop it: {}", command(action)),
        Hint::DropCancelled(action) => format!("drop the dependency: {}", command(action)),
        Hint::DropMore { path } => format!("drop them from blocked_by in {}", path.display()),
        Hint::DropMissingParent(action) => format!(
            "drop it: {} (or name the right one with --parent)",
            command(action)
        ),
        Hint::ReopenOrFinish(action) => format!("reopen it ({}) or finish those", command(action)),
        Hint::FinishOrReopen(action) => {
            format!("finish those first, or put it back: {}", command(action))
        }
        Hint::BreakCycle => "a task cannot wait for itself; drop one edge with `git task dep rm` or `git task edit --parent`".to_owned(),
        Hint::GatesFrom { branch, source } => {
            format!("the gates that protect {branch} come from {source}, not from this commit")
        }
        Hint::RestoreGate { commit, path } => {
            format!("put it back: git checkout {commit} -- {}", path.display())
        }
        Hint::RetireGate { cancel, from } => format!(
            "to retire a gate, cancel it ({}) and let that reach {from} first; then it protects nothing and may go",
            command(cancel)
        ),
        Hint::Gate(step) => gate_step(step),
        Hint::Describe(action) | Hint::Unlabel(action) | Hint::AddCriterion(action) => {
            command(action)
        }
        Hint::Split(action) => format!("split it: {}", command(action)),
        Hint::SayWhereItStands { note, reopen } => format!(
            "say where it stands ({}), or {}",
            command(note),
            command(reopen)
        ),
    }
}

/// What to do with something in `.tasks/` that is no task file.
fn stray(path: &Path, kind: StrayKind, task: Option<&git_task::TaskId>) -> String {
    let path = shell_word(&path.display().to_string());
    match kind {
        StrayKind::Temporary => format!(
            "git-task removes it on its next change; or delete it now: git rm -q --cached --ignore-unmatch {path} && rm {path}"
        ),
        StrayKind::Directory => format!(
            "move its task files up into .tasks/ (mv {path}/*.toml .tasks/), or the folder out of it (mv {path} .)"
        ),
        StrayKind::Link => {
            format!("remove the link (rm {path}), or replace it with the file itself")
        }
        StrayKind::NotUtf8 => {
            "rename it to the task's id followed by .toml, or move it out of .tasks/".to_owned()
        }
        StrayKind::Other => {
            let rename = task.map_or_else(String::new, |id| {
                format!(
                    "if it is a task, name it after its id: mv {path} .tasks/{}; ",
                    id.file_name()
                )
            });
            format!("{rename}move it out of .tasks/: mv {path} .")
        }
    }
}

/// A step that moves a red gate on.
pub fn gate_step(step: &Step) -> String {
    let action = command(step.action());
    match step {
        Step::FinishWaits(_) => format!("finish what it waits for ({action})"),
        Step::MarkMet(_) => format!("mark its criteria met: {action}"),
        Step::Complete(_) => format!("complete it: {action}"),
        Step::Waive(_) => format!("or let it pass with a warning: {action}"),
    }
}

/// The hint lines that resolve a merge of two tasks.
pub fn resolution(resolution: &Resolution) -> Vec<String> {
    let show = |v: &TaskVersion, path: &str, to: &str| {
        format!(
            "git show {}:{} > {to}",
            v.revision,
            v.path.as_deref().unwrap_or(path)
        )
    };
    match resolution {
        Resolution::TwoTasks {
            path,
            keep,
            other,
            other_path,
        } => vec![
            format!(
                "{path} is task `{}` as {} has it: keep that side in the file, and delete \
                 the other side and the marker lines",
                keep.id(),
                keep.named()
            ),
            format!(
                "{} is task `{}`, a different task; to keep it, bring it back under its own \
                 id: {}",
                other.named(),
                other.id(),
                show(other, path, other_path)
            ),
            format!("then: git add {path} {other_path}"),
        ],
        Resolution::MoveTheirs {
            path,
            dir,
            ours,
            theirs,
            id,
            new_id,
        } => {
            let rename = command(&git_task::action::Action::Rename {
                from: id.clone(),
                to: new_id.clone(),
            });
            vec![
                format!(
                    "both sides hold a task `{id}`, created at different times; to keep both, move \
                     the task of {} to a new id in four steps:",
                    theirs.named()
                ),
                format!("1. {}", show(theirs, path, path)),
                format!("2. {rename}"),
                format!("3. {}", show(ours, path, path)),
                // Step 2 also rewrites the files that refer to the task.
                format!("4. git add {dir}/"),
                format!(
                    "step 2 points every blocked_by and parent that named `{id}` at `{new_id}`, and \
                     lists them: set those that meant the task of {} back to `{id}` \
                     (git task dep, git task edit --parent)",
                    ours.named()
                ),
                format!(
                    "or keep only one: leave one side in {path}, and delete the other side and the \
                     marker lines"
                ),
            ]
        }
    }
}

/// What to run to break cycles: one edge of each, as `break each cycle
/// at one of its edges: …`.
pub fn cycle_hint(edges: impl IntoIterator<Item = CycleBreak>) -> String {
    let breaks: Vec<String> = edges
        .into_iter()
        .map(|edge| command(&edge.into()))
        .collect();
    format!(
        "break each cycle at one of its edges: {}",
        breaks.join(" && ")
    )
}
