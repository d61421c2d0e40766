//! `git task merge-driver`

use std::fs;
use std::path::{Path, PathBuf};

use git_task::TaskId;
use git_task::merge::{Label, Request, Version, markers};

use super::ui::escape;
use super::{CliError, CliResult, Ctx};

/// Merge three versions of a task file field by field (git runs this).
///
/// git runs it during a merge, rebase or cherry-pick for the files that
/// .gitattributes marks `merge=git-task` (`.tasks/*.toml`); `git task init`
/// and `git task hooks install` set that up. It always writes a result over
/// OURS, and exits 0 when the merge is clean, 1 when something is in
/// conflict (2 when git's copy of a version could not be read).
///
/// A field changed on one side only takes that side; one changed the same
/// way on both sides is taken once. blocked_by and labels merge as sets
/// (what either side added, less what either side removed), notes as the
/// union of both logs in time order, criteria one by one (matched by
/// text), [meta] key by key. A task started on one side and completed on
/// the other is completed. Only a field changed two different ways is a
/// conflict: both versions of that field go between git's markers, with
/// git's labels (`<<<<<<< HEAD` ... `>>>>>>> feature`; `<<<<<<< ours` ...
/// `>>>>>>> theirs` from a git older than 2.44, which passes no labels),
/// and `git task check` points at them until they are resolved.
///
/// A task is its id (its file name) and its `created` time. Two versions
/// that are different tasks are never fused: a rename git detected
/// between two task files, a task replaced by a new one under its id, two
/// tasks that drew one id. Both whole files go between markers, and the
/// hints say which task is which and how to keep both.
///
/// A version that cannot be read (not UTF-8, not TOML) puts both whole
/// files between markers, byte for byte. A common ancestor holding markers
/// (git's merge of two merge bases, in a criss-cross merge) is read as the
/// two bases: where they disagree only sides that agree merge cleanly.
///
/// Comments merge too: one added, changed or removed on one side is added,
/// changed or removed in the result. Everything else in OURS (key order,
/// layout) is kept, so the merge shows in `git diff` as the lines that
/// changed. .tasks/config.toml, which the same attribute covers, merges
/// key by key the same way. The rules in full: docs/merging.md.
///
/// git runs: git-task merge-driver --marker-size=%L --base-label=%S
/// --ours-label=%X --theirs-label=%Y %O %A %B %P
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The width of the conflict markers (git's %L); 7 when not given.
    #[arg(long, value_name = "N")]
    pub marker_size: Option<String>,
    /// git's label for the common ancestor (%S), for messages.
    #[arg(long, value_name = "LABEL", allow_hyphen_values = true)]
    pub base_label: Option<String>,
    /// git's label for ours (%X), after the opening marker. With a path
    /// (`HEAD:.tasks/a.toml`) when the file had another name there.
    #[arg(long, value_name = "LABEL", allow_hyphen_values = true)]
    pub ours_label: Option<String>,
    /// git's label for theirs (%Y), after the closing marker.
    #[arg(long, value_name = "LABEL", allow_hyphen_values = true)]
    pub theirs_label: Option<String>,
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
    let shown = args
        .path
        .clone()
        .unwrap_or_else(|| args.ours.display().to_string());
    let path = escape(&shown, false).into_owned();
    let read = |file: &Path, side: &str| match fs::read(file) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            ctx.ui.error(&format!(
                "{path}: cannot read git's copy of {side} ({}): {}",
                escape(&file.display().to_string(), false),
                git_task::error::plain_io(&e)
            ));
            None
        }
    };
    let (base, ours, theirs) = (
        read(&args.base, "the common ancestor"),
        read(&args.ours, "ours"),
        read(&args.theirs, "theirs"),
    );
    let label = |text: &Option<String>| text.as_deref().and_then(Label::parse);
    let (base_label, ours_label, theirs_label) = (
        label(&args.base_label),
        label(&args.ours_label),
        label(&args.theirs_label),
    );
    let request = Request {
        base: Version {
            bytes: base.as_deref(),
            label: base_label.as_ref(),
        },
        ours: Version {
            bytes: ours.as_deref(),
            label: ours_label.as_ref(),
        },
        theirs: Version {
            bytes: theirs.as_deref(),
            label: theirs_label.as_ref(),
        },
        path: args.path.as_deref(),
        marker_size: args
            .marker_size
            .as_deref()
            .and_then(|n| n.parse().ok())
            .unwrap_or(markers::MIN_WIDTH),
    };
    let merged = request.merge();
    let hints: Vec<String> = merged
        .resolutions
        .iter()
        .flat_map(super::advice::resolution)
        .collect();
    // git reads the result from OURS whatever the exit code: with
    // conflicts it is the file with markers the user resolves.
    fs::write(&args.ours, &merged.bytes).map_err(|e| {
        CliError::user(format!(
            "{path}: cannot write the merge to git's copy of ours ({}): {}",
            escape(&args.ours.display().to_string(), false),
            git_task::error::plain_io(&e)
        ))
    })?;

    if ctx.json {
        ctx.ui
            .json(&git_task::output::MergeReport::new(&shown, &merged, &hints))?;
    }
    let failed = base.is_none() || ours.is_none() || theirs.is_none();
    // git's inner merge of two merge bases only makes the base of the
    // merge the user sees; what it finds is not the user's to resolve.
    let quiet = request.is_inner();
    if merged.is_clean() {
        if let Ok(text) = std::str::from_utf8(&merged.bytes)
            && !quiet
        {
            warn_if_invalid(ctx, args.path.as_deref(), &path, text);
        }
        return Ok(());
    }
    if !quiet {
        for conflict in &merged.conflicts {
            ctx.ui.diagnostic(
                "conflict",
                super::ui::palette::ERROR,
                &format!("{path}:{}: {conflict}", conflict.line),
            );
        }
        for hint in &hints {
            ctx.ui.hint(&escape(hint, false));
        }
        ctx.ui.hint(&format!(
            "edit {path}: keep one side of each conflict and remove the marker lines, \
             then `git add {path}`; `git task check` shows what is left"
        ));
    }
    Err(CliError::Silent(if failed { 2 } else { 1 }))
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
