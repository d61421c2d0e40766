//! `git task plan`, `critical-path` and `tracks`

use std::io::Write;

use chrono::NaiveDateTime;

use git_task::clock::Zone;
use git_task::graph::{Calendar, CriticalPath, Schedule, tracks};
use git_task::markup::gantt;
use git_task::output::{CriticalPathReport, PlanParts, PlanReport, TracksReport};

use super::format::Format;
use super::render::{View, open_graph, work_text};
use super::table::{Column, Table};
use super::ui::{escape, paint, palette};
use super::{CliResult, Ctx, RevArgs};

/// The formats of `plan`.
const FORMATS: &[Format] = &[Format::Human, Format::Json, Format::Mermaid];

/// Waves of parallel work and a schedule for N workers.
///
/// Waves: layers in which each task waits only for earlier layers; wave 1 is
/// what can run in parallel now. The schedule hands ready work to each free
/// worker, most urgent first (work in progress, then priority, due date
/// soonest, least slack, earliest creation, id), and projects when each
/// task starts and ends on a calendar of 8-hour weekdays, 09:00 to 17:00 in
/// the local zone (--tz), from now: during working hours work starts now,
/// after them at 09:00 the next working day. Tasks projected to end after
/// their due date are listed as late. Unestimated tasks count 1d; parents
/// and gates without an estimate count nothing. JSON times are RFC 3339
/// with the zone's offset.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// How many people (or agents) work in parallel.
    #[arg(long, short, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub workers: u32,

    /// human, json or mermaid (a Gantt chart, one section per worker).
    #[arg(long, value_name = "FORMAT", default_value = "human", value_parser = Format::parser(FORMATS))]
    pub format: Format,

    #[command(flatten)]
    pub rev: RevArgs,

    #[command(flatten)]
    pub zone: ZoneArg,
}

/// The zone a plan's dates are in.
#[derive(Debug, clap::Args)]
pub struct ZoneArg {
    /// The time zone of the calendar: an IANA name (Europe/Berlin), UTC,
    /// or an offset (+05:30). Default: the local zone (TZ, else the
    /// system's).
    #[arg(long = "tz", value_name = "ZONE", value_parser = Zone::parse)]
    pub tz: Option<Zone>,
}

impl ZoneArg {
    /// The zone to use, made the process's local zone when it is a name.
    /// Called before the repository is opened, while there is one thread.
    fn zone(&self, ctx: &Ctx) -> Zone {
        let zone = self.tz.clone().unwrap_or_else(|| ctx.local_zone());
        zone.apply();
        zone
    }
}

/// The longest chain of unresolved work, by estimate.
///
/// Lists the tasks on the critical path with their earliest start and
/// finish (work time from now, with unlimited people). With --json every
/// unresolved task has its earliest and latest start and its slack.
/// Unestimated tasks count 1d and are marked with *; parents and gates
/// without an estimate count nothing. A task with no slack is on the path,
/// a gate (a checkpoint of no work) too.
#[derive(Debug, clap::Args)]
pub struct CriticalPathArgs {
    #[command(flatten)]
    pub rev: RevArgs,

    #[command(flatten)]
    pub zone: ZoneArg,
}

/// Independent work streams and where work converges and spreads.
///
/// A track is a set of unresolved tasks connected by waiting; nothing in one
/// track waits for another, so tracks can go to different people. Fan-in
/// points wait for several tasks; fan-out points are waited for by several.
#[derive(Debug, clap::Args)]
pub struct TracksArgs {
    #[command(flatten)]
    pub rev: RevArgs,
}

/// The calendar of work from now, in `zone`.
fn calendar(ctx: &Ctx, zone: &Zone) -> Calendar {
    Calendar::from_now(zone.local(ctx.now))
}

pub fn run_plan(ctx: &mut Ctx, args: PlanArgs) -> CliResult {
    let zone = args.zone.zone(ctx);
    let set = ctx.read_tasks(&args.rev)?.set;
    let view = View::new(&set);
    let open = open_graph(&view)?;
    let cp = open.critical_path();
    let schedule = open.schedule(&view.graph, &cp, args.workers as usize);
    let waves = open.waves();
    let calendar = calendar(ctx, &zone);
    let format = args.format.or_json(ctx.json);
    match format {
        Format::Json => {
            let parts = PlanParts {
                waves: &waves,
                critical_path: &cp,
                schedule: &schedule,
                calendar,
                zone: &zone,
            };
            ctx.ui.json(&PlanReport::new(&view, parts))?;
        }
        Format::Mermaid => {
            let text = gantt(&set, &cp, &schedule, calendar);
            ctx.ui.out().write_all(text.as_bytes())?;
        }
        Format::Human => print_plan(ctx, &view, &waves, &cp, &schedule, calendar)?,
        other => unreachable!("clap takes only the formats of plan, not {other:?}"),
    }
    Ok(())
}

/// A time of the calendar in `format`, or `after 9999-12-31` when it falls
/// past the calendar's last day.
fn when(t: Option<NaiveDateTime>, format: &str) -> String {
    match t {
        Some(t) => t.format(format).to_string(),
        None => format!("after {}", Calendar::LAST_DAY),
    }
}

fn print_plan(
    ctx: &mut Ctx,
    view: &View,
    waves: &[Vec<usize>],
    cp: &CriticalPath,
    schedule: &Schedule,
    calendar: Calendar,
) -> CliResult {
    let out = ctx.ui.out();
    let open_count = schedule.slots.iter().flatten().count();
    if open_count == 0 {
        writeln!(out, "nothing to plan: every task is resolved")?;
        return Ok(());
    }
    let work = cp
        .timing
        .iter()
        .flatten()
        .fold(0u64, |sum, t| sum.saturating_add(t.minutes));
    writeln!(
        out,
        "{open_count} open task{}, {} of work; with {} worker{} done after {} ({}); critical path {}",
        if open_count == 1 { "" } else { "s" },
        work_text(work),
        schedule.workers,
        if schedule.workers == 1 { "" } else { "s" },
        work_text(schedule.finish),
        when(calendar.end_at(schedule.finish), "%a %Y-%m-%d %H:%M"),
        work_text(cp.length),
    )?;
    writeln!(out)?;
    let mut table = Table::new([Column::left().min(8), Column::left().gap(" ")]);
    for (w, wave) in waves.iter().enumerate() {
        let ids: Vec<String> = wave.iter().map(|&i| view.id(i)).collect();
        table.row([
            paint(palette::BOLD, &format!("wave {}", w + 1)).into_owned(),
            ids.join(" "),
        ]);
    }
    table.write(out)?;
    writeln!(out)?;
    let mut order: Vec<usize> = (0..view.set.len())
        .filter(|&i| schedule.slots[i].is_some())
        .collect();
    order.sort_by_key(|&i| {
        let s = schedule.slots[i].expect("filtered");
        // A checkpoint of no work passed at a time before the work
        // that starts then.
        (s.start, s.worker.is_some(), s.worker, i)
    });
    writeln!(
        out,
        "{}",
        paint(palette::BOLD, "worker  start     end       task")
    )?;
    // Worker, start and end at the widths of the heading, then the id.
    let mut table = Table::new([
        Column::left().min(7),
        Column::left().min(9).gap(" "),
        Column::left().min(9).gap(" "),
        Column::left().gap(" "),
        Column::left(),
    ]);
    for i in order {
        let slot = schedule.slots[i].expect("filtered");
        let timing = cp.timing[i].expect("open task");
        let worker = slot.worker.map_or("-".to_string(), |w| (w + 1).to_string());
        let mut subject = escape(&view.task(i).subject, false).into_owned();
        if timing.unestimated {
            subject.push_str(&paint(palette::YELLOW, " (unestimated: 1d)"));
        }
        if timing.is_critical() {
            subject.push_str(&paint(palette::RED, " [critical]"));
        }
        table.row([
            worker,
            work_text(slot.start),
            work_text(slot.end),
            view.id(i),
            subject,
        ]);
    }
    table.write(out)?;
    let late = schedule.late(view.set.tasks(), &calendar);
    if !late.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(palette::RED, "projected late"))?;
        for l in late {
            let end = l.projected_end.map_or_else(
                || format!("after {}", Calendar::LAST_DAY),
                |d| d.to_string(),
            );
            writeln!(out, "  {} due {}, projected {end}", view.id(l.task), l.due)?;
        }
    }
    Ok(())
}

pub fn run_critical_path(ctx: &mut Ctx, args: CriticalPathArgs) -> CliResult {
    let zone = args.zone.zone(ctx);
    let set = ctx.read_tasks(&args.rev)?.set;
    let view = View::new(&set);
    let open = open_graph(&view)?;
    let cp = open.critical_path();
    let calendar = calendar(ctx, &zone);
    if ctx.json {
        ctx.ui
            .json(&CriticalPathReport::new(&view, &cp, calendar, &zone))?;
        return Ok(());
    }
    let out = ctx.ui.out();
    if cp.path.is_empty() {
        writeln!(out, "no open work: every task is resolved")?;
        return Ok(());
    }
    writeln!(
        out,
        "critical path: {} of work in {} task{}, done at the earliest {}",
        work_text(cp.length),
        cp.path.len(),
        if cp.path.len() == 1 { "" } else { "s" },
        when(calendar.end_at(cp.length), "%a %Y-%m-%d %H:%M")
    )?;
    writeln!(
        out,
        "{}",
        paint(palette::BOLD, "start     finish    work   task")
    )?;
    // Start, finish and work at the widths of the heading, then the id.
    let mut table = Table::new([
        Column::left().min(9),
        Column::left().min(9).gap(" "),
        Column::left().min(6).gap(" "),
        Column::left().gap(" "),
        Column::left(),
    ]);
    let mut unestimated: Option<String> = None;
    for &i in &cp.path {
        let t = cp.timing[i].expect("open task");
        let mark = if t.unestimated { "*" } else { "" };
        if t.unestimated && unestimated.is_none() {
            unestimated = Some(view.task(i).id.to_string());
        }
        table.row([
            work_text(t.earliest_start),
            work_text(t.earliest_finish),
            format!("{}{mark}", work_text(t.minutes)),
            view.id(i),
            escape(&view.task(i).subject, false).into_owned(),
        ]);
    }
    table.write(out)?;
    if let Some(id) = unestimated {
        writeln!(
            out,
            "* unestimated: counted as 1d; set one with git task edit {id} --estimate 4h"
        )?;
    }
    Ok(())
}

pub fn run_tracks(ctx: &mut Ctx, args: TracksArgs) -> CliResult {
    let set = ctx.read_tasks(&args.rev)?.set;
    let view = View::new(&set);
    let open = open_graph(&view)?;
    let cp = open.critical_path();
    let tracks = tracks(&open, &cp);
    if ctx.json {
        ctx.ui.json(&TracksReport::new(&view, &tracks))?;
        return Ok(());
    }
    let ids = |list: &[usize]| {
        list.iter()
            .map(|&i| view.id(i))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let out = ctx.ui.out();
    if tracks.is_empty() {
        writeln!(out, "no open work: every task is resolved")?;
    }
    for (n, t) in tracks.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        let heading = format!(
            "track {}: {} task{}, {} of work, {} long",
            n + 1,
            t.tasks.len(),
            if t.tasks.len() == 1 { "" } else { "s" },
            work_text(t.work),
            work_text(t.length)
        );
        writeln!(out, "{}", paint(palette::BOLD, &heading))?;
        // The names at the width of the longest, `fan-out`, and one more.
        let mut table = Table::new([Column::left().min(8), Column::left()]).indent("  ");
        table.row(["starts".to_string(), ids(&t.starts)]);
        table.row(["ends".to_string(), ids(&t.ends)]);
        for &(i, k) in &t.fan_ins {
            table.row([
                "fan-in".to_string(),
                format!("{} waits for {k}", view.id(i)),
            ]);
        }
        for &(i, k) in &t.fan_outs {
            table.row([
                "fan-out".to_string(),
                format!("{} is waited for by {k}", view.id(i)),
            ]);
        }
        table.row(["tasks".to_string(), ids(&t.tasks)]);
        table.write(out)?;
    }
    Ok(())
}
