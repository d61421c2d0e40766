//! `git task check` and `git task lint`

use std::io::Write;

use git_task::check::{self, Code, Report, Severity};
use git_task::store::Source;
use serde::Serialize;

use super::advice;
use super::ui::{Style, Ui};
use super::{CliResult, Ctx};

/// Output formats of `check` and `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    /// GitHub Actions workflow annotations (`::error file=…,line=…::…`), so
    /// pull requests show problems inline.
    Github,
}

/// Which task set to read: the working tree, the index or a revision.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// Check what the next commit would record (the index).
    #[arg(long, conflicts_with = "rev")]
    pub staged: bool,

    /// Check the tasks of a revision: a branch, tag, sha or `HEAD~2`.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
}

impl SourceArgs {
    pub fn source(&self) -> Source {
        match (&self.rev, self.staged) {
            (Some(rev), _) => Source::Rev(rev.clone()),
            (None, true) => Source::Index,
            (None, false) => Source::WorkTree,
        }
    }
}

/// Check the integrity of the tasks.
///
/// Errors (exit 1): unparseable files (with line and column), leftover
/// conflict markers, schema violations, invalid ids, references to ids that
/// do not exist, cycles (printed as the path around them). Warnings (exit 1
/// only with --strict): completed or in progress while waiting for
/// something open, depending on a cancelled task.
///
/// With --target BRANCH the gates that protect BRANCH are checked too: a red
/// gate is an error, a waived one a warning. This is the check to make a
/// required CI step: git task check --rev "$SHA" --target main
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Also check the gates that protect this branch.
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,

    /// Fail on warnings too.
    #[arg(long)]
    pub strict: bool,

    /// human, json or github.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Point out anti-patterns in the open tasks.
///
/// Vague or empty descriptions, epics without children, in-progress work
/// with no note for a while, and gates without criteria. Advice only: exit 0
/// unless --strict.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// In-progress work with no note for this many days is stale.
    #[arg(long, default_value_t = 14, value_name = "DAYS")]
    pub stale_days: u32,

    /// Exit 1 when there are findings.
    #[arg(long)]
    pub strict: bool,

    /// human, json or github.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

pub fn run_check(ctx: &mut Ctx, args: CheckArgs) -> CliResult {
    let ws = ctx.workspace()?;
    let source = args.source.source();
    let loaded = ws.read_for_check(&source)?;
    let report = check::check(&loaded, args.target.as_deref());
    finish(ctx, &report, &source, args.format, args.strict, "check")
}

pub fn run_lint(ctx: &mut Ctx, args: LintArgs) -> CliResult {
    let ws = ctx.workspace()?;
    let source = args.source.source();
    let loaded = ws.read_for_check(&source)?;
    let stale = chrono::Duration::days(i64::from(args.stale_days));
    let report = git_task::lint::lint(&loaded, ctx.now, stale);
    finish(ctx, &report, &source, args.format, args.strict, "lint")
}

fn finish(
    ctx: &mut Ctx,
    report: &Report,
    source: &Source,
    format: Format,
    strict: bool,
    what: &str,
) -> CliResult {
    let format = if ctx.json { Format::Json } else { format };
    match format {
        Format::Json => {
            ctx.ui.json(&serde_json::json!({
                "version": 1,
                "source": source.to_string(),
                "tasks": report.tasks,
                "errors": report.errors(),
                "warnings": report.warnings(),
                "diagnostics": report.diagnostics.iter().map(DiagnosticJson::new).collect::<Vec<_>>(),
            }))?;
        }
        Format::Github => {
            let mut out = String::new();
            for d in &report.diagnostics {
                out.push_str(&github_annotation(d));
            }
            ctx.ui.out().write_all(out.as_bytes())?;
        }
        Format::Human => {
            let mut out = String::new();
            write_human(&ctx.ui, report, &mut out);
            out.push_str(&format!(
                "{what}: {} in {source}: {}\n",
                super::render::tasks_count(report.tasks),
                summary(report)
            ));
            ctx.ui.out().write_all(out.as_bytes())?;
        }
    }
    if report.fails(strict) {
        // The findings are the answer and are already printed: exit 1 with
        // nothing more to say.
        return Err(super::CliError::Silent(1));
    }
    Ok(())
}

/// `2 errors, 1 warning`, or `no problems`.
pub fn summary(report: &Report) -> String {
    let (e, w) = (report.errors(), report.warnings());
    if e == 0 && w == 0 {
        return "no problems".into();
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(e, "error"), plural(w, "warning"))
}

/// Diagnostics as people read them: `error: FILE:LINE:COL: message` and
/// the hints under it.
pub fn write_human(ui: &Ui, report: &Report, out: &mut String) {
    for d in &report.diagnostics {
        let (label, style) = match d.severity {
            Severity::Error => ("error", Style::Red),
            Severity::Warning => ("warning", Style::Yellow),
        };
        out.push_str(&format!(
            "{}: {}:{}:{}: {}\n",
            ui.paint(style, label),
            super::ui::escape(&d.path.display().to_string(), false),
            d.line,
            d.column,
            super::ui::escape(&d.message, false)
        ));
        for hint in &d.hints {
            out.push_str(&format!(
                "  {} {}\n",
                ui.paint(Style::Cyan, "hint:"),
                super::ui::escape(&advice::hint(hint), false)
            ));
        }
    }
}

/// One GitHub workflow command. Data is escaped as the runner expects
/// (`%`, CR, LF), property values also `:` and `,`.
pub fn github_annotation(d: &check::Diagnostic) -> String {
    // Terminal controls in a file name or in task text are shown escaped,
    // as on a terminal: a CI log is read in one.
    let data = |s: &str| {
        super::ui::escape(s, true)
            .replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut message = d.message.clone();
    for hint in &d.hints {
        message.push_str(&format!("\nhint: {}", advice::hint(hint)));
    }
    format!(
        "::{level} file={},line={},col={},title={}::{}\n",
        property(&d.path.display().to_string()),
        d.line,
        d.column,
        property(&format!("git-task {}", d.code)),
        data(&message)
    )
}

/// A finding as `--json` gives it: the hints in the words a terminal
/// shows, so scripts read what people read.
#[derive(Serialize)]
struct DiagnosticJson<'a> {
    severity: Severity,
    code: Code,
    path: &'a std::path::Path,
    line: usize,
    column: usize,
    message: &'a str,
    hints: Vec<String>,
}

impl<'a> DiagnosticJson<'a> {
    fn new(d: &'a check::Diagnostic) -> Self {
        DiagnosticJson {
            severity: d.severity,
            code: d.code,
            path: &d.path,
            line: d.line,
            column: d.column,
            message: &d.message,
            hints: d.hints.iter().map(advice::hint).collect(),
        }
    }
}
