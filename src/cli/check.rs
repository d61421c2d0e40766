//! `git task check` and `git task lint`

use std::io::Write;

use git_task::check::{self, Report, Severity};
use git_task::output;
use git_task::store::Source;

use super::advice;
use super::format::Format;
use super::render::{summary, write_human};
use super::{CliResult, Ctx, SourceArgs};

/// The formats of `check` and `lint`.
const FORMATS: &[Format] = &[Format::Human, Format::Json, Format::Github];

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

    /// human, json or github (GitHub Actions annotations).
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = Format::parser(FORMATS))]
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

    /// human, json or github (GitHub Actions annotations).
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = Format::parser(FORMATS))]
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
    let format = format.or_json(ctx.json);
    match format {
        Format::Json => {
            ctx.ui
                .json(&output::CheckReport::new(report, source, advice::hint))?;
        }
        Format::Github => {
            let out = ctx.ui.out();
            for d in &report.diagnostics {
                out.write_all(github_annotation(d).as_bytes())?;
            }
        }
        Format::Human => {
            let out = ctx.ui.out();
            write_human(report, out)?;
            writeln!(
                out,
                "{what}: {} in {source}: {}",
                super::render::tasks_count(report.tasks),
                summary(report)
            )?;
        }
        other => unreachable!("clap takes only the formats of check and lint, not {other:?}"),
    }
    if report.fails(strict) {
        // The findings are the answer and are already printed: exit 1 with
        // nothing more to say.
        return Err(super::CliError::Silent(1));
    }
    Ok(())
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
