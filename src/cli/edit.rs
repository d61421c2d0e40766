//! `git task edit`

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use git_task::action::Action;
use git_task::change::{self, FieldChanges};
use git_task::error::{Error, Invalid};
use git_task::store::{Source, Workspace};
use git_task::task::{Status, Task};
use git_task::{Field, TaskId};

use super::fields::{FieldArgs, words};
use super::{CliError, CliResult, Ctx, print_changed};

/// Change a task's fields, with flags or in your editor.
///
/// Without flags the file opens in your editor ($GIT_EDITOR, core.editor,
/// $VISUAL, $EDITOR, or vi on a terminal; without a terminal and with none
/// of them set, edit refuses: give field flags instead).
///
/// What the editor saves is checked before it is kept: a file that does not
/// parse, or that would close a dependency cycle, is not written. On a
/// terminal you are asked to edit again; otherwise the draft is kept in the
/// git directory (.git/git-task/EDIT-ID.toml) and its path printed, with
/// the text it was made from beside it (EDIT-ID.base.toml). The next
/// `edit ID` opens the kept draft again; if the task changed meanwhile
/// (start, note, a merge…), the draft is first merged with those changes
/// as the merge driver merges, and where both changed the same thing the
/// editor gets conflict markers to resolve (a file with markers is not
/// saved). `edit ID --discard` throws the draft away, and a successful
/// edit removes it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// A new subject: one line that says what is to be done.
    #[arg(long)]
    pub subject: Option<String>,

    /// Set the status as is (no rules applied; start, done, cancel and
    /// reopen make the checked transitions).
    #[arg(long, value_parser = words::<Status>())]
    pub status: Option<Status>,

    #[command(flatten)]
    pub fields: FieldArgs,

    /// Remove a label (repeatable).
    #[arg(long)]
    pub unlabel: Vec<String>,

    /// Remove a field, back to its default: parent, gate, owner, estimate,
    /// due, labels, verify, description, priority, kind, blocked_by, waiver.
    #[arg(long, value_name = "FIELD", value_parser = parse_field, value_delimiter = ',')]
    pub unset: Vec<Field>,

    /// Throw away the draft kept from an edit that was refused.
    #[arg(long)]
    pub discard: bool,
}

fn parse_field(s: &str) -> Result<Field, String> {
    Field::parse_unsettable(s).ok_or_else(|| {
        format!(
            "`{s}` cannot be unset; fields: {}",
            Field::unsettable()
                .map(Field::key)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let changes = FieldChanges {
        subject: args.subject,
        status: args.status,
        remove_labels: args.unlabel,
        unset: args.unset,
        ..args.fields.changes()
    };
    let has_flags = changes != FieldChanges::default();
    if args.discard {
        if has_flags {
            return Err(CliError::user(
                "--discard throws away a kept draft and changes nothing else; give it without field flags",
            ));
        }
        return discard(ctx, &args.id);
    }
    if has_flags {
        let now = ctx.now;
        let ws = ctx.workspace()?;
        let (id, set) = ws.transact(|tx| {
            let id = tx.resolve(&args.id)?;
            change::edit_fields(tx, &id, &changes, now)?;
            Ok(id)
        })?;
        super::print_changed(ctx, &set, &id, "edited")?;
        // The kept draft still holds the text from before this change; the
        // next edit merges the two.
        let kept = draft_path(&ws, &id);
        if kept.exists() {
            ctx.ui.hint(&format!(
                "a draft from an earlier edit is kept in {}: `git task edit {id}` opens it merged with this change, `git task edit {id} --discard` throws it away",
                kept.display()
            ));
        }
        return Ok(());
    }
    edit_in_editor(ctx, &args.id)
}

/// `edit ID --discard`: removes the kept draft.
fn discard(ctx: &mut Ctx, id_text: &str) -> CliResult {
    let ws = ctx.workspace()?;
    let id = ws.load(&Source::WorkTree)?.resolve(id_text)?.id.clone();
    let kept = draft_path(&ws, &id);
    remove_draft(&base_path(&ws, &id))?;
    match std::fs::remove_file(&kept) {
        Ok(()) => {
            ctx.ui.info(&format!(
                "{id}: discarded the draft kept in {}",
                kept.display()
            ));
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            ctx.ui.info(&format!("{id}: no draft is kept"));
            Ok(())
        }
        Err(e) => Err(Error::io(&kept, e).into()),
    }
}

fn edit_in_editor(ctx: &mut Ctx, id_text: &str) -> CliResult {
    let ws = ctx.workspace()?;
    let id = ws.load(&Source::WorkTree)?.resolve(id_text)?.id.clone();
    let path = ws.tasks_dir().join(id.file_name());
    let original = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let editor = editor(&ws, &id)?;
    let kept_path = draft_path(&ws, &id);
    let start = match std::fs::read_to_string(&kept_path) {
        Ok(kept) => {
            ctx.ui.info(&format!(
                "{id}: opening the draft kept in {} (`git task edit {id} --discard` throws it away)",
                kept_path.display()
            ));
            resume(ctx, &ws, &id, &original, kept)?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => original.clone(),
        Err(e) => return Err(Error::io(&kept_path, e).into()),
    };
    // The editor gets a copy named after the task, so syntax highlighting
    // works and nothing in .tasks/ changes until the result is checked.
    let draft = tempfile::Builder::new()
        .prefix(&format!("{id}-"))
        .suffix(".toml")
        .tempfile()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    std::fs::write(draft.path(), &start).map_err(|e| Error::io(draft.path(), e))?;
    loop {
        run_editor(&editor, draft.path())?;
        let text = std::fs::read_to_string(draft.path()).map_err(|e| Error::io(draft.path(), e))?;
        if text == original {
            ctx.ui.info(&format!("{id}: no changes"));
            remove_drafts(&ws, &id)?;
            return Ok(());
        }
        match save(&ws, &id, &original, &text) {
            Ok(set) => {
                remove_drafts(&ws, &id)?;
                return print_changed(ctx, &set, &id, "edited");
            }
            Err(error) => {
                let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
                // Only a file that does not validate is worth another go; a
                // file changed on disk meanwhile would be refused again.
                let in_draft = matches!(
                    error,
                    Error::Files(_) | Error::Invalid(Invalid::UnknownReference { .. })
                );
                if interactive && in_draft {
                    // The problems are in the draft: no hint about the file.
                    super::report_with(&ctx.ui, &error, |_| Vec::new());
                    if ask("edit again? [Y/n] ") {
                        continue;
                    }
                }
                let kept = keep_draft(&ws, &id, &text, &original)?;
                let hint = format!(
                    "your text is kept in {}: `git task edit {id}` opens it again, `git task edit {id} --discard` throws it away",
                    kept.display()
                );
                // The problems are in the draft, not in .tasks/, which is
                // unchanged: say so rather than suggest undoing an edit.
                if in_draft {
                    return Err(CliError::User {
                        message: format!(
                            "{}\nthe task file was left unchanged",
                            super::command_error::message(&error)
                        ),
                        hints: vec![hint],
                    });
                }
                return Err(CliError::Hinted(error, hint));
            }
        }
    }
}

/// The text to open for a kept draft. A draft is made from the task file
/// as it was then (its base, kept beside it); if the file changed since,
/// the draft's changes are merged into it three-way, as the merge driver
/// merges, so nothing done to the task meanwhile is undone. Where both
/// changed the same thing the text keeps conflict markers: the user
/// resolves them in the editor, and a file with markers is not saved. A
/// draft without a base (kept by an older version) counts as made from
/// the file as it is.
fn resume(
    ctx: &Ctx,
    ws: &Workspace,
    id: &TaskId,
    original: &str,
    kept: String,
) -> Result<String, Error> {
    let base_path = base_path(ws, id);
    let base = match std::fs::read_to_string(&base_path) {
        Ok(base) => base,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(kept),
        Err(e) => return Err(Error::io(&base_path, e)),
    };
    if base == original {
        return Ok(kept);
    }
    let merged = git_task::merge::merge(&base, original, &kept);
    let file = ws.display_path(id);
    if merged.is_clean() {
        ctx.ui.info(&format!(
            "{id}: {} changed since the draft was kept; the draft is merged with those changes",
            file.display()
        ));
    } else {
        ctx.ui.info(&format!(
            "{id}: {} changed since the draft was kept, and both changed the same {}: \
             resolve the conflict markers in the editor (<<<<<<< ours is the file as it is \
             now, >>>>>>> theirs is your draft); a file with markers is not saved",
            file.display(),
            if merged.conflicts.len() == 1 {
                "thing"
            } else {
                "things"
            }
        ));
    }
    Ok(merged.text)
}

/// Checks and writes the edited text under the lock, refusing if the file
/// changed on disk while the editor was open.
fn save(
    ws: &Workspace,
    id: &TaskId,
    original: &str,
    text: &str,
) -> Result<git_task::TaskSet, Error> {
    let mut tx = ws.transaction()?;
    let _: Task = change::replace_text_from(&mut tx, id, original, text)?;
    tx.commit()
}

/// Where rejected text of `id` is kept: `.git/git-task/EDIT-<id>.toml`.
fn draft_path(ws: &Workspace, id: &TaskId) -> PathBuf {
    ws.private_dir().join(format!("EDIT-{}", id.file_name()))
}

/// The task file a kept draft was made from: `.git/git-task/EDIT-<id>.base.toml`.
fn base_path(ws: &Workspace, id: &TaskId) -> PathBuf {
    ws.private_dir().join(format!("EDIT-{id}.base.toml"))
}

/// Saves rejected text where the user (and the next `edit`) finds it, with
/// the file it was made from, so the next `edit` can merge in what changed
/// meanwhile.
fn keep_draft(ws: &Workspace, id: &TaskId, text: &str, base: &str) -> Result<PathBuf, Error> {
    let path = draft_path(ws, id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let base_path = base_path(ws, id);
    std::fs::write(&base_path, base).map_err(|e| Error::io(&base_path, e))?;
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// Removes a kept draft and its base.
fn remove_drafts(ws: &Workspace, id: &TaskId) -> Result<(), Error> {
    remove_draft(&draft_path(ws, id))?;
    remove_draft(&base_path(ws, id))
}

fn remove_draft(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path, e)),
        _ => Ok(()),
    }
}

fn ask(question: &str) -> bool {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().read_line(&mut answer).is_err() {
        return false;
    }
    !matches!(answer.trim(), "n" | "N" | "no")
}

/// The editor git would use; `vi` only on a terminal, where it can run.
fn editor(ws: &Workspace, id: &TaskId) -> Result<String, CliError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let configured = env("GIT_EDITOR")
        .or_else(|| ws.git_config("core.editor").filter(|v| !v.is_empty()))
        .or_else(|| env("VISUAL"))
        .or_else(|| env("EDITOR"));
    if let Some(editor) = configured {
        return Ok(editor);
    }
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok("vi".into());
    }
    Err(CliError::Refused {
        message: "no editor is set (GIT_EDITOR, core.editor, VISUAL or EDITOR) and this is not a terminal to run vi in".to_owned(),
        hints: vec![
            format!(
                "change fields with flags instead; `{}` lists them",
                super::command_error::command(&Action::EditHelp { id: id.clone() })
            ),
            "or set an editor: git config --global core.editor nano".to_owned(),
        ],
    })
}

/// Runs the editor as git does, through the shell, so `code --wait` works.
fn run_editor(editor: &str, path: &Path) -> Result<(), CliError> {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(editor)
        .arg(path)
        .status()
        .map_err(|e| Error::io("sh", e))?;
    if status.success() {
        Ok(())
    } else {
        Err(CliError::user(format!(
            "the editor `{editor}` failed ({status}); nothing was changed"
        )))
    }
}
