//! `git task status`: a dashboard of counts, progress, work in progress,
//! what is ready and the state of every gate.

use std::io::Write;

use serde_json::{Value, json};

use git_task::dashboard::{Dashboard, Progress};
use git_task::gate::GateState;

use super::render::{View, tasks_count, work_text};
use super::ui::{Ui, escape, palette};
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

/// The JSON of a progress: done and total minutes, and the percent.
fn progress_json(p: Progress) -> Value {
    json!({
        "done_minutes": p.done,
        "total_minutes": p.total,
        "percent": p.percent(),
    })
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let set = ctx.read_tasks(&args.rev)?.set;
    let view = View::new(&set).dated(ctx);
    let dashboard = Dashboard::new(&view);
    if ctx.json {
        ctx.ui.json(&status_json(&view, &dashboard))?;
        return Ok(());
    }
    let lines = status_lines(&ctx.ui, &view, &dashboard, &args.rev.flag());
    let out = ctx.ui.out();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn status_json(view: &View, d: &Dashboard) -> Value {
    let id = |i: usize| view.task(i).id.to_string();
    json!({
        "version": 1,
        "counts": {
            "total": d.counts.total,
            "pending": d.counts.pending,
            "ready": d.ready.len(),
            "blocked": d.blocked.len(),
            "in_progress": d.counts.in_progress,
            "completed": d.counts.completed,
            "cancelled": d.counts.cancelled,
            "overdue": d.overdue.len(),
        },
        "progress": {
            "overall": progress_json(d.overall),
            "epics": d.epics.iter().map(|&(i, p)| {
                let mut value = progress_json(p);
                if let Value::Object(map) = &mut value {
                    map.insert("id".into(), json!(id(i)));
                    map.insert("subject".into(), json!(view.task(i).subject));
                    map.insert("status".into(), json!(view.task(i).status));
                }
                value
            }).collect::<Vec<_>>(),
        },
        "in_progress": d.in_progress.iter().map(|&i| json!({
            "id": id(i),
            "subject": view.task(i).subject,
            "owner": view.task(i).owner,
        })).collect::<Vec<_>>(),
        "overdue": d.overdue.iter().map(|&i| json!({
            "id": id(i),
            "subject": view.task(i).subject,
            "due": view.task(i).due,
        })).collect::<Vec<_>>(),
        "ready": d.ready.iter().map(|&i| id(i)).collect::<Vec<_>>(),
        "blocked": d.blocked.iter().map(|&i| id(i)).collect::<Vec<_>>(),
        "gates": d.gates.iter().map(|(i, g)| json!({
            "id": id(*i),
            "subject": view.task(*i).subject,
            "state": g.state,
            "reasons": g.reasons,
        })).collect::<Vec<_>>(),
    })
}

/// `[########------------]  40%`, the filled part rounded down.
fn bar(ui: &Ui, p: Progress) -> String {
    let filled = p.share(BAR_WIDTH).unwrap_or(0).min(BAR_WIDTH);
    let percent = p
        .percent()
        .map_or_else(|| "   -".to_string(), |n| format!("{n:>3}%"));
    format!(
        "[{}{}] {percent}",
        ui.paint(palette::GREEN, &"#".repeat(filled as usize)),
        ui.paint(palette::DIM, &"-".repeat((BAR_WIDTH - filled) as usize)),
    )
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
fn status_lines(ui: &Ui, view: &View, d: &Dashboard, rev: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if view.set.is_empty() {
        lines.push(super::render::NO_TASKS.into());
        return lines;
    }
    let heading = |text: &str| ui.paint(palette::BOLD, text).into_owned();
    let subject = |i: usize| escape(&view.task(i).subject, false).into_owned();
    let c = &d.counts;
    lines.push(format!(
        "{}: {} pending, {} in progress, {} completed, {} cancelled",
        tasks_count(c.total),
        c.pending,
        c.in_progress,
        c.completed,
        c.cancelled,
    ));
    let mut counts = format!(
        "{} ready, {} blocked",
        ui.paint(palette::CYAN, &d.ready.len().to_string()),
        ui.paint(palette::RED, &d.blocked.len().to_string()),
    );
    if d.ready.is_empty() && !d.blocked.is_empty() {
        counts.push_str(&format!(
            "; nothing can start now, see `git task blocked{rev}`"
        ));
    }
    lines.push(counts);

    // Progress: labels padded so the bars line up, then the amounts padded
    // so the epic subjects line up.
    lines.push(String::new());
    lines.push(heading("Progress"));
    let overall = "overall";
    let label_width = view
        .id_width(d.epics.iter().map(|&(i, _)| i))
        .max(overall.len());
    let amount_width = d
        .epics
        .iter()
        .map(|&(_, p)| amount(p).len())
        .chain([amount(d.overall).len()])
        .max()
        .unwrap_or(0);
    lines.push(format!(
        "  {overall:<label_width$}  {}  {}",
        bar(ui, d.overall),
        amount(d.overall)
    ));
    for &(i, p) in &d.epics {
        lines.push(format!(
            "  {}  {}  {:<amount_width$}  {}",
            view.padded_id(ui, i, label_width),
            bar(ui, p),
            amount(p),
            subject(i),
        ));
    }

    if !d.in_progress.is_empty() {
        lines.push(String::new());
        lines.push(heading("In progress"));
        let width = view.id_width(d.in_progress.iter().copied());
        for &i in &d.in_progress {
            let owner = match &view.task(i).owner {
                Some(o) => ui
                    .paint(palette::BLUE, &format!("@{}", escape(o, false)))
                    .into_owned(),
                None => ui.paint(palette::DIM, "(no owner)").into_owned(),
            };
            lines.push(format!(
                "  {}  {}  {owner}",
                view.padded_id(ui, i, width),
                subject(i)
            ));
        }
    }

    if !d.overdue.is_empty() {
        lines.push(String::new());
        lines.push(heading("Overdue"));
        let width = view.id_width(d.overdue.iter().copied());
        for &i in &d.overdue {
            let due = view.task(i).due.map(|d| d.to_string()).unwrap_or_default();
            lines.push(format!(
                "  {}  {}  {}",
                view.padded_id(ui, i, width),
                ui.paint(palette::RED, &format!("due {due}")),
                subject(i)
            ));
        }
    }

    // Sections with nothing in them are left out.
    if !d.ready.is_empty() {
        lines.push(String::new());
        lines.push(heading("Ready now, most urgent first"));
    }
    let first: Vec<usize> = d.ready.iter().copied().take(READY_SHOWN).collect();
    let width = view.id_width(first.iter().copied());
    for &i in &first {
        lines.push(format!(
            "  {}  {}",
            view.padded_id(ui, i, width),
            subject(i)
        ));
    }
    if d.ready.len() > READY_SHOWN {
        lines.push(format!(
            "  … and {} more (git task ready{rev} lists them all)",
            d.ready.len() - READY_SHOWN
        ));
    }

    if !d.gates.is_empty() {
        lines.push(String::new());
        lines.push(heading("Gates"));
        let indices: Vec<usize> = d.gates.iter().map(|(i, _)| *i).collect();
        let width = view.id_width(indices.iter().copied());
        for (i, report) in &d.gates {
            let state = format!("{:<9}", report.state.as_str());
            let mut line = format!(
                "  {}  {}  {}",
                view.padded_id(ui, *i, width),
                ui.paint(super::render::gate_style(report.state), &state),
                subject(*i)
            );
            if report.state == GateState::Red
                && let Some(reason) = report.reasons.first()
            {
                line.push_str(&format!(" — {}", escape(reason, false)));
            }
            lines.push(line);
        }
    }
    lines
}
