//! `git task status`: a dashboard of counts, progress, work in progress,
//! what is ready and the state of every gate.

use std::io::Write;

use git_task::claim::{Claim, Claims};
use git_task::dashboard::{Dashboard, Progress};
use git_task::gate::GateState;
use git_task::output::{ClaimObject, StatusReport};

use super::render::{View, tasks_count, work_text};
use super::table::{Column, Table};
use super::ui::{escape, paint, palette};
use super::{CliResult, Ctx, RevArgs};

/// How many ready tasks the text dashboard names.
const READY_SHOWN: usize = 5;

/// The width of a progress bar, in characters between the brackets.
const BAR_WIDTH: u64 = 20;

/// A dashboard: counts, progress, work in progress, what is ready, gates.
///
/// Counts: tasks by status, and how many can start now (ready) or are held
/// back by something unresolved (blocked).
///
/// Progress: a bar for each epic and for everything, weighted by work, by
/// the rule `plan` uses: a task counts its estimate (a parent's own on top
/// of its children's); a parent or a gate without one counts nothing, any
/// other task without one 1d. Cancelled tasks are left out; done is the
/// work of completed tasks. An epic's bar counts it and everything below.
///
/// Claimed: who holds a live claim on an unresolved task, until when, on
/// which machine, and the remote it is recorded on (as last fetched).
///
/// Overdue: unresolved tasks whose due date is before today (local zone).
///
/// Gates: every gate with its state (green, yellow, red or cancelled) and,
/// when red, the first reason; in pipeline order, the gates already
/// resolved first.
///
/// --json prints the same data with stable field names and "version": 1.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub rev: RevArgs,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let reading = ctx.read_tasks(&args.rev)?;
    // Claims are about now: a revision's dashboard has none.
    let claims = match args.rev.rev {
        None => super::claims::current_claims(&reading.ws, &reading.config, false, |_| {})?,
        Some(_) => Claims::default(),
    };
    let set = reading.set;
    let view = View::new(&set).dated(ctx);
    let mut dashboard = Dashboard::new(&view);
    // What someone holds a claim on is not offered, as in `ready`.
    let held = super::claims::unclaimed_dashboard(&mut dashboard, &set, &claims, ctx.now);
    if ctx.json {
        let mut report = StatusReport::new(&view, &dashboard);
        report.claims = held.iter().map(|c| ClaimObject::new(c)).collect();
        ctx.ui.json(&report)?;
        return Ok(());
    }
    write_status(ctx.ui.out(), &view, &dashboard, &held, &args.rev.flag())?;
    Ok(())
}

/// `[########------------]`, the filled part rounded down.
fn bar(p: Progress) -> String {
    let filled = p.share(BAR_WIDTH).unwrap_or(0).min(BAR_WIDTH);
    format!(
        "[{}{}]",
        paint(palette::GREEN, &"#".repeat(filled as usize)),
        paint(palette::DIM, &"-".repeat((BAR_WIDTH - filled) as usize)),
    )
}

/// `40%`, or `-` when there is no work to measure.
fn percent(p: Progress) -> String {
    p.percent()
        .map_or_else(|| "-".to_string(), |n| format!("{n}%"))
}

/// `2d of 5d`, or `no work` when everything is cancelled.
fn amount(p: Progress) -> String {
    if p.total == 0 {
        "no work".into()
    } else {
        format!("{} of {}", work_text(p.done), work_text(p.total))
    }
}

/// `rev` is ` --rev REV` for the commands the dashboard names, when it
/// shows a revision.
fn write_status(
    out: &mut impl Write,
    view: &View,
    d: &Dashboard,
    claims: &[&Claim],
    rev: &str,
) -> std::io::Result<()> {
    if view.set.is_empty() {
        return writeln!(out, "{}", super::render::NO_TASKS);
    }
    let heading = |text: &str| paint(palette::BOLD, text).into_owned();
    let subject = |i: usize| escape(&view.task(i).subject, false).into_owned();
    // Each section: indented, the id column as wide as its longest id.
    let section = || Table::new([Column::left(), Column::left()]).indent("  ");
    let c = &d.counts;
    writeln!(
        out,
        "{}: {} pending, {} in progress, {} completed, {} cancelled",
        tasks_count(c.total()),
        c.pending,
        c.in_progress,
        c.completed,
        c.cancelled,
    )?;
    write!(
        out,
        "{} ready, {} blocked",
        paint(palette::READY, &d.ready.len().to_string()),
        paint(palette::BLOCKED, &d.blocked.len().to_string()),
    )?;
    if d.ready.is_empty() && !d.blocked.is_empty() {
        write!(out, "; nothing can start now, see `git task blocked{rev}`")?;
    }
    writeln!(out)?;

    // Progress: labels padded so the bars line up, then the amounts padded
    // so the epic subjects line up.
    writeln!(out)?;
    writeln!(out, "{}", heading("Progress"))?;
    let mut progress = Table::new([
        Column::left(),
        Column::left(),
        Column::right().min(4).gap(" "),
        Column::left(),
        Column::left(),
    ])
    .indent("  ");
    progress.row([
        "overall".to_string(),
        bar(d.overall),
        percent(d.overall),
        amount(d.overall),
    ]);
    for &(i, p) in &d.epics {
        progress.row([view.id(i), bar(p), percent(p), amount(p), subject(i)]);
    }
    progress.write(out)?;

    if !d.in_progress.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", heading("In progress"))?;
        let mut table = section();
        for &i in &d.in_progress {
            let owner = match &view.task(i).owner {
                Some(o) => paint(palette::BLUE, &format!("@{}", escape(o, false))).into_owned(),
                None => paint(palette::DIM, "(no owner)").into_owned(),
            };
            table.row([view.id(i), format!("{}  {owner}", subject(i))]);
        }
        table.write(out)?;
    }

    if !claims.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", heading("Claimed"))?;
        let mut table = section();
        for c in claims {
            let Some(i) = view.set.index_of(c.task.as_str()) else {
                continue;
            };
            let mut whose = format!(
                "@{} until {}",
                escape(&c.owner, false),
                git_task::task::format_timestamp(c.until)
            );
            if !c.host.is_empty() {
                whose.push_str(&format!(" on {}", escape(&c.host, false)));
            }
            let remotes: Vec<&str> = c.remotes().collect();
            if !remotes.is_empty() {
                whose.push_str(&format!(", recorded on {}", remotes.join(", ")));
            }
            table.row([
                view.id(i),
                format!("{}  {}", subject(i), paint(palette::BLUE, &whose)),
            ]);
        }
        table.write(out)?;
    }

    if !d.overdue.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", heading("Overdue"))?;
        let mut table = section();
        for &i in &d.overdue {
            let due = view.task(i).due.map(|d| d.to_string()).unwrap_or_default();
            table.row([
                view.id(i),
                format!(
                    "{}  {}",
                    paint(palette::RED, &format!("due {due}")),
                    subject(i)
                ),
            ]);
        }
        table.write(out)?;
    }

    // Sections with nothing in them are left out.
    if !d.ready.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", heading("Ready now, most urgent first"))?;
    }
    let mut table = section();
    for &i in d.ready.iter().take(READY_SHOWN) {
        table.row([view.id(i), subject(i)]);
    }
    table.write(out)?;
    if d.ready.len() > READY_SHOWN {
        writeln!(
            out,
            "  … and {} more (git task ready{rev} lists them all)",
            d.ready.len() - READY_SHOWN
        )?;
    }

    if !d.gates.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", heading("Gates"))?;
        let mut table =
            Table::new([Column::left(), Column::left().min(9), Column::left()]).indent("  ");
        for (i, report) in &d.gates {
            let mut text = subject(*i);
            if report.state == GateState::Red
                && let Some(reason) = report.reasons.first()
            {
                text.push_str(&format!(" — {}", escape(reason, false)));
            }
            table.row([
                view.id(*i),
                paint(
                    super::render::gate_style(report.state),
                    report.state.as_str(),
                )
                .into_owned(),
                text,
            ]);
        }
        table.write(out)?;
    }
    Ok(())
}
