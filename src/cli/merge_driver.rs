//! `git task merge-driver`

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;

use git_task::TaskId;
use git_task::error::Error;
use git_task::merge::{self, ConflictKind};
use git_task::store::{CONFIG_FILE, TASKS_DIR};

use super::ui::escape;
use super::{CliError, CliResult, Ctx};

/// Merge three versions of a task file field by field (git runs this).
///
/// git runs it during a merge, rebase or cherry-pick for the files that
/// .gitattributes marks `merge=git-task` (`.tasks/*.toml`); `git task init`
/// and `git task hooks install` set that up. It writes the merge over OURS
/// and exits 0 when it is clean, 1 when something is in conflict.
///
/// A field changed on one side only takes that side; one changed the same
/// way on both sides is taken once. blocked_by and labels merge as sets
/// (what either side added, less what either side removed), notes as the
/// union of both logs in time order, criteria one by one (matched by
/// text), [meta] key by key. A task started on one side and completed on
/// the other is completed. Only a field changed two different ways is a
/// conflict: both versions of that field go between the markers
/// `<<<<<<< ours`, `=======` and `>>>>>>> theirs`, and `git task check`
/// points at them until they are resolved.
///
/// Two files added under one id with different `created` times are two
/// tasks that drew the same id: they are never fused into one; both whole
/// files go between markers.
///
/// Everything else in OURS (comments, key order, layout) is kept, so the
/// merge shows in `git diff` as the lines that changed. .tasks/config.toml,
/// which the same attribute covers, merges key by key the same way.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The common ancestor's version (git's %O); empty when both sides
    /// added the file.
    #[arg(value_name = "BASE")]
    pub base: PathBuf,
    /// Our version (%A); the merge is written over it.
    #[arg(value_name = "OURS")]
    pub ours: PathBuf,
    /// Their version (%B).
    #[arg(value_name = "THEIRS")]
    pub theirs: PathBuf,
    /// The file's path in the repository (%P), for messages.
    #[arg(value_name = "PATH")]
    pub path: Option<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let base = read(&args.base)?;
    let ours = read(&args.ours)?;
    let theirs = read(&args.theirs)?;
    let merged = if is_settings(args.path.as_deref()) {
        merge::merge_settings(&base, &ours, &theirs, &merge::Labels::default())
    } else {
        merge::merge(&base, &ours, &theirs)
    };
    // git reads the result from OURS whatever the exit code: with
    // conflicts it is the file with markers the user resolves.
    fs::write(&args.ours, &merged.text).map_err(|e| Error::io(&args.ours, e))?;

    let shown = args
        .path
        .clone()
        .unwrap_or_else(|| args.ours.display().to_string());
    if ctx.json {
        let conflicts: Vec<_> = merged
            .conflicts
            .iter()
            .map(|c| {
                json!({
                    "line": c.line,
                    "field": c.field.as_deref().map(|f| f.trim_matches('`')),
                    "message": c.to_string(),
                })
            })
            .collect();
        ctx.ui.json(&json!({
            "version": 1,
            "path": shown,
            "clean": merged.is_clean(),
            "conflicts": conflicts,
        }))?;
    }
    let path = escape(&shown, false).into_owned();
    if merged.is_clean() {
        warn_if_invalid(ctx, args.path.as_deref(), &path, &merged.text);
        return Ok(());
    }
    for conflict in &merged.conflicts {
        ctx.ui.diagnostic(
            "conflict",
            super::ui::Style::Red,
            &format!("{path}:{}: {conflict}", conflict.line),
        );
    }
    if let Some(id) = id_of(args.path.as_deref())
        && merged
            .conflicts
            .iter()
            .any(|c| c.kind == ConflictKind::SameId)
    {
        ctx.ui.hint(&format!(
            "keep one of the two tasks in {path}, and add the other again under a new id: \
             git task add SUBJECT --id NEW-ID (or without --id for a random one); \
             tasks that referred to `{id}` may mean either"
        ));
    }
    ctx.ui.hint(&format!(
        "edit {path}: keep one side of each conflict and remove the marker lines, \
         then `git add {path}`; `git task check` shows what is left"
    ));
    Err(CliError::Silent(1))
}

fn read(path: &Path) -> Result<String, Error> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    String::from_utf8(bytes).map_err(|_| {
        Error::Invalid(format!(
            "{}: not UTF-8 text, so not a task file git-task can merge",
            path.display()
        ))
    })
}

/// Whether a repository path is `.tasks/config.toml`, which
/// `.tasks/*.toml` matches too.
fn is_settings(path: Option<&str>) -> bool {
    path.map(Path::new).is_some_and(|p| {
        p.file_name() == Some(CONFIG_FILE.as_ref())
            && p.parent().and_then(Path::file_name) == Some(TASKS_DIR.as_ref())
    })
}

/// The task id a repository path names (`.tasks/<id>.toml`), if it does.
fn id_of(path: Option<&str>) -> Option<TaskId> {
    let stem = Path::new(path?).file_stem()?.to_str()?;
    TaskId::parse(stem).ok()
}

/// A clean merge of valid tasks is a valid task; when a side was not
/// valid to start with, the merge may not be either. git cannot hold a
/// merge back for that, but the user should hear of it before the commit
/// hook or `check` tells them.
fn warn_if_invalid(ctx: &Ctx, repo_path: Option<&str>, shown: &str, text: &str) {
    let Some(id) = id_of(repo_path) else {
        return;
    };
    if let Err(e) = git_task::Task::parse(id, text) {
        ctx.ui.warning(&format!(
            "{shown}:{}:{}: the merged task is not valid: {}",
            e.line, e.column, e.message
        ));
    }
}
