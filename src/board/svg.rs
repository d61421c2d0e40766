//! The board's two drawings as SVG: the dependency graph in layers and
//! the schedule of N workers as a Gantt chart.
//!
//! Each function returns one standalone `<svg>` element with its own
//! `<style>`, so the same text is what `graph --format svg` prints (and
//! looks right opened alone in a browser) and what the board's page puts
//! inline. Every style rule is scoped under the root's class
//! (`.task-graph`, `.gantt`), so the drawings do not restyle the page
//! they are put in.
//!
//! The classes and `data-` attributes are the board's contract with its
//! script and its browser tests:
//!
//! * graph: `<g class="node state-S track-N [critical] [fan-in] [fan-out]
//!   [gate gate-G]" data-id data-track data-wave>` per task and
//!   `<path class="edge blocker|child [critical] [back]" data-from
//!   data-to>` per edge, `data-from` being what finishes first;
//! * gantt: `<g class="bar [critical]" data-id data-worker data-start
//!   data-end>` per scheduled task and `<g class="milestone [critical]"
//!   data-id data-start data-end>` per task of no work.
//!
//! User text (ids cannot hold markup, subjects can) goes through
//! [`xml`], which spells out control and bidirectional characters as
//! [`escape::controls`] does for every other output and then escapes what
//! XML reads as markup, so the document stays well-formed and shows the
//! text as it is.

use std::fmt::Write as _;

use chrono::NaiveDateTime;

use super::layout::{self, Geometry, Point};
use crate::drawing::{Drawing, EdgeKind};
use crate::facts::Facts;
use crate::gate::{GateState, gate_state};
use crate::graph::{Calendar, CriticalPath, Open, Schedule, tracks};
use crate::markup::escape;
use crate::markup::flowchart::Look;
use crate::task::Estimate;

/// The colours of tracks `track-0` to `track-7`: distinct at a glance
/// and none of them the red of the critical path.
pub const TRACK_COLOURS: [&str; 8] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
];

/// The red of the critical path, in both drawings.
const CRITICAL: &str = "#d32f2f";

/// The space around a drawing.
const MARGIN: f64 = 16.0;

/// Characters of an id and of a subject that fit in a node of the
/// default [`Geometry`].
const ID_CHARS: usize = 24;
const SUBJECT_CHARS: usize = 26;

/// The SVG of the dependency graph: the tasks `drawing` shows and its
/// edges, laid out in layers left to right by [`layout::layout`].
///
/// With `open` (the plan of the unresolved tasks, which exists when they
/// have no cycle), the unresolved tasks go in columns by wave
/// (`data-wave`, from 1), the tasks on [`CriticalPath::path`] and the
/// edges between consecutive ones are `critical`, each task is coloured
/// by its track (`data-track`, the index in [`tracks`] order, and the
/// class `track-N`, N modulo 8), and `fan-in` and `fan-out` are the
/// convergence and spreading points [`tracks`] finds. Resolved tasks (with
/// `--all`) come in columns before the first wave, by longest path among
/// themselves, and have no wave or track.
///
/// Without `open` (a cycle), columns go by longest path with the edges
/// that close a cycle drawn backwards (class `back`), nothing is critical
/// or in a track, and `fan-in`/`fan-out` count the drawn edges.
///
/// Gates are hexagons coloured by their state ([`gate_state`]); child
/// edges are dashed; every edge ends in an arrow at what waits.
pub fn graph(facts: &Facts, drawing: &Drawing, open: Option<&Open>) -> String {
    let geometry = Geometry::default();
    let tasks = facts.set.tasks();
    let shown = &drawing.shown;
    if shown.is_empty() {
        return empty_svg("task-graph", "nothing to show", &graph_style());
    }
    let mut index = vec![usize::MAX; tasks.len()];
    for (k, &i) in shown.iter().enumerate() {
        index[i] = k;
    }
    let edges = drawing.edges_by_place();

    // What the plan says of each shown task, by place in `shown`.
    let mut wave: Vec<Option<usize>> = vec![None; shown.len()];
    let mut track: Vec<Option<usize>> = vec![None; shown.len()];
    let mut fan_in = vec![false; shown.len()];
    let mut fan_out = vec![false; shown.len()];
    let mut on_path = vec![false; shown.len()];
    // By place: the place of the next task on the critical path.
    let mut path_next: Vec<Option<usize>> = vec![None; shown.len()];
    if let Some(open) = open {
        for (w, list) in open.waves().iter().enumerate() {
            for &i in list {
                if index[i] != usize::MAX {
                    wave[index[i]] = Some(w);
                }
            }
        }
        let cp = open.critical_path();
        for pair in cp.path.windows(2) {
            if index[pair[0]] != usize::MAX && index[pair[1]] != usize::MAX {
                path_next[index[pair[0]]] = Some(index[pair[1]]);
            }
        }
        for &i in &cp.path {
            if index[i] != usize::MAX {
                on_path[index[i]] = true;
            }
        }
        for (t, tr) in tracks(open, &cp).iter().enumerate() {
            for &i in &tr.tasks {
                if index[i] != usize::MAX {
                    track[index[i]] = Some(t);
                }
            }
            for &(i, _) in &tr.fan_ins {
                if index[i] != usize::MAX {
                    fan_in[index[i]] = true;
                }
            }
            for &(i, _) in &tr.fan_outs {
                if index[i] != usize::MAX {
                    fan_out[index[i]] = true;
                }
            }
        }
    } else {
        let mut before = vec![0usize; shown.len()];
        let mut after = vec![0usize; shown.len()];
        for &(a, b) in &edges {
            after[a] += 1;
            before[b] += 1;
        }
        for k in 0..shown.len() {
            fan_in[k] = before[k] >= 2;
            fan_out[k] = after[k] >= 2;
        }
    }

    // Columns: with a plan, the resolved tasks first by longest path among
    // themselves, then the waves.
    let layers: Option<Vec<usize>> = open.map(|_| {
        let resolved: Vec<usize> = (0..shown.len()).filter(|&k| wave[k].is_none()).collect();
        let mut local = vec![usize::MAX; shown.len()];
        for (r, &k) in resolved.iter().enumerate() {
            local[k] = r;
        }
        let among: Vec<(usize, usize)> = edges
            .iter()
            .filter(|&&(a, b)| local[a] != usize::MAX && local[b] != usize::MAX)
            .map(|&(a, b)| (local[a], local[b]))
            .collect();
        let resolved_layers = layout::longest_path_layers(resolved.len(), &among);
        let first_wave = resolved_layers.iter().max().map_or(0, |&l| l + 1);
        (0..shown.len())
            .map(|k| match wave[k] {
                Some(w) => first_wave + w,
                None => resolved_layers[local[k]],
            })
            .collect()
    });
    let drawn = layout::layout(shown.len(), &edges, layers.as_deref(), &geometry);

    let width = drawn.width + 2.0 * MARGIN;
    let height = drawn.height + 2.0 * MARGIN;
    let mut out = String::with_capacity(512 + shown.len() * 640);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"task-graph\" \
         viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-label=\"dependency graph of {n} task{s}\">",
        w = num(width),
        h = num(height),
        n = shown.len(),
        s = if shown.len() == 1 { "" } else { "s" },
    );
    out.push_str("<title>Dependency graph</title>\n");
    out.push_str(&graph_style());
    out.push_str(
        "<defs>\
         <marker id=\"task-graph-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
         <path d=\"M0 0L10 5L0 10z\" fill=\"#78909c\"/></marker>\
         <marker id=\"task-graph-arrow-critical\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" \
         markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">",
    );
    let _ = writeln!(
        out,
        "<path d=\"M0 0L10 5L0 10z\" fill=\"{CRITICAL}\"/></marker></defs>"
    );
    let _ = writeln!(out, "<g transform=\"translate({m} {m})\">", m = num(MARGIN));

    // Edges under the nodes.
    out.push_str("<g class=\"edges\">\n");
    for (e, edge) in drawing.edges.iter().enumerate() {
        let (a, b) = edges[e];
        let route = &drawn.routes[e];
        let critical = path_next[a] == Some(b);
        let kind = match edge.kind {
            EdgeKind::Blocker => "blocker",
            EdgeKind::Child => "child",
        };
        let _ = writeln!(
            out,
            "<path class=\"edge {kind}{}{}\" data-from=\"{}\" data-to=\"{}\" d=\"{}\" \
             marker-end=\"url(#task-graph-arrow{})\"/>",
            if critical { " critical" } else { "" },
            if route.reversed { " back" } else { "" },
            xml(tasks[edge.from].id.as_str()),
            xml(tasks[edge.to].id.as_str()),
            path_data(&route.points),
            if critical { "-critical" } else { "" },
        );
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");

    let (w, h) = (geometry.node_width, geometry.node_height);
    for (k, &i) in shown.iter().enumerate() {
        let task = &tasks[i];
        let state = facts.state(i);
        let mut class = format!("node state-{}", state.as_str());
        if let Some(t) = track[k] {
            let _ = write!(class, " track-{}", t % TRACK_COLOURS.len());
        }
        if on_path[k] {
            class.push_str(" critical");
        }
        if fan_in[k] {
            class.push_str(" fan-in");
        }
        if fan_out[k] {
            class.push_str(" fan-out");
        }
        let gate = gate_state(&facts.graph, i).map(|r| r.state);
        if let Some(g) = gate {
            let _ = write!(class, " gate gate-{}", g.as_str());
        }
        let c = drawn.centre[k];
        let _ = write!(
            out,
            "<g class=\"{class}\" data-id=\"{}\"",
            xml(task.id.as_str())
        );
        if let Some(t) = track[k] {
            let _ = write!(out, " data-track=\"{t}\"");
        }
        if let Some(wv) = wave[k] {
            let _ = write!(out, " data-wave=\"{}\"", wv + 1);
        }
        let _ = write!(
            out,
            " transform=\"translate({} {})\"><title>{}: {} ({})</title>",
            num(c.x - w / 2.0),
            num(c.y - h / 2.0),
            xml(task.id.as_str()),
            xml(&task.subject),
            state.as_str(),
        );
        if gate.is_some() {
            let cut = 12.0;
            let _ = write!(
                out,
                "<path class=\"shape\" d=\"M{cut} 0H{}L{} {}L{} {}H{cut}L0 {}Z\"/>",
                num(w - cut),
                num(w),
                num(h / 2.0),
                num(w - cut),
                num(h),
                num(h / 2.0),
            );
        } else {
            let _ = write!(
                out,
                "<rect class=\"shape\" width=\"{}\" height=\"{}\" rx=\"6\"/>",
                num(w),
                num(h)
            );
        }
        let inset = if gate.is_some() { 16.0 } else { 4.0 };
        let _ = write!(
            out,
            "<path class=\"stripe\" d=\"M{inset} 7V{}\"/>",
            num(h - 7.0)
        );
        if fan_in[k] {
            let _ = write!(
                out,
                "<circle class=\"fan-in-mark\" cx=\"0\" cy=\"{}\" r=\"5\"/>",
                num(h / 2.0)
            );
        }
        if fan_out[k] {
            let _ = write!(
                out,
                "<circle class=\"fan-out-mark\" cx=\"{}\" cy=\"{}\" r=\"5\"/>",
                num(w),
                num(h / 2.0)
            );
        }
        let x = inset + 8.0;
        let _ = writeln!(
            out,
            "<text class=\"id\" x=\"{x}\" y=\"18\">{}</text>\
             <text class=\"subject\" x=\"{x}\" y=\"34\">{}</text></g>",
            xml(&shorten(task.id.as_str(), ID_CHARS)),
            xml(&shorten(
                &escape::controls(&task.subject, false),
                SUBJECT_CHARS
            )),
        );
    }
    out.push_str("</g>\n</g>\n</svg>\n");
    out
}

/// The style of the graph: fills by state with the palette of the
/// Mermaid and DOT charts ([`Look`]), gates by their state, the track's
/// colour in the stripe at a node's left, the critical path in red.
fn graph_style() -> String {
    let mut css = String::from(
        "<style>\n\
         .task-graph{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:12px;background:#fff}\n\
         .task-graph .edge{fill:none;stroke:#90a4ae;stroke-width:1.5}\n\
         .task-graph .edge.child{stroke-dasharray:6 4}\n\
         .task-graph .edge.back{stroke:#ef6c00}\n",
    );
    let _ = writeln!(
        css,
        ".task-graph .edge.critical{{stroke:{CRITICAL};stroke-width:2.5}}"
    );
    css.push_str(
        ".task-graph .shape{fill:#fff;stroke:#78909c;stroke-width:1.5}\n\
         .task-graph text{fill:#212121}\n\
         .task-graph .id{font-weight:600}\n\
         .task-graph .subject{fill:#455a64}\n",
    );
    for (class, look) in [
        ("state-pending", Look::Ready),
        ("state-in_progress", Look::InProgress),
        ("state-blocked", Look::Blocked),
        ("state-completed", Look::Completed),
        ("state-cancelled", Look::Cancelled),
    ] {
        look_rules(&mut css, &format!(".task-graph .{class}"), look);
    }
    for (state, look) in [
        (GateState::Green, Look::Completed),
        (GateState::Yellow, Look::Changed),
        (GateState::Red, Look::Blocked),
        (GateState::Cancelled, Look::Cancelled),
    ] {
        look_rules(
            &mut css,
            &format!(".task-graph .gate-{}", state.as_str()),
            look,
        );
    }
    let _ = writeln!(
        css,
        ".task-graph .node.critical .shape{{stroke:{CRITICAL};stroke-width:3.5}}"
    );
    css.push_str(".task-graph .stripe{stroke:#cfd8dc;stroke-width:5;stroke-linecap:round}\n");
    for (n, colour) in TRACK_COLOURS.iter().enumerate() {
        let _ = writeln!(css, ".task-graph .track-{n} .stripe{{stroke:{colour}}}");
    }
    css.push_str(
        ".task-graph .fan-in-mark,.task-graph .fan-out-mark{fill:#6a1b9a;stroke:#fff;stroke-width:1.5}\n\
         .task-graph .dimmed{opacity:.25}\n\
         </style>\n",
    );
    css
}

/// CSS rules for `selector` from a [`Look`]'s chart style: the fill and
/// stroke go to the shape, a text colour to the texts.
fn look_rules(css: &mut String, selector: &str, look: Look) {
    let mut shape = String::new();
    let mut text = String::new();
    for declaration in look.mermaid().split(',') {
        match declaration.strip_prefix("color:") {
            Some(colour) => text = format!("fill:{colour}"),
            None => {
                if !shape.is_empty() {
                    shape.push(';');
                }
                shape.push_str(declaration);
            }
        }
    }
    let _ = writeln!(css, "{selector} .shape{{{shape}}}");
    if !text.is_empty() {
        let _ = writeln!(css, "{selector} text{{{text}}}");
    }
}

/// The SVG of a schedule for N workers: a row per worker, a bar per
/// task from its start to its end in work minutes (`data-start`,
/// `data-end`, as [`Schedule::slots`] has them; `data-worker` from 1, as
/// `plan --json` numbers workers), and a last row of milestones for the
/// tasks with no work of their own (gates, parents without an estimate).
/// The axis is in working days of 8 hours from the start; with a
/// `calendar` its ticks are dated and the tooltips give dates and times.
/// Tasks on `cp`'s path are `critical`, as in [`graph`].
pub fn gantt(
    facts: &Facts,
    cp: &CriticalPath,
    schedule: &Schedule,
    calendar: Option<Calendar>,
) -> String {
    const LABEL: f64 = 96.0;
    const ROW: f64 = 28.0;
    const BAR: f64 = 20.0;
    const AXIS: f64 = 24.0;
    const DAY: u64 = Estimate::MINUTES_PER_DAY;
    let tasks = facts.set.tasks();
    let order = schedule.by_start();
    if order.is_empty() {
        return empty_svg("gantt", "nothing to schedule", &gantt_style());
    }
    let mut on_path = vec![false; tasks.len()];
    for &i in &cp.path {
        if let Some(p) = on_path.get_mut(i) {
            *p = true;
        }
    }
    let milestones = order.iter().any(|(_, s)| s.worker.is_none());
    let rows = schedule.workers + usize::from(milestones);
    let days = schedule.finish.div_ceil(DAY).max(1);
    // Wide enough to read at a few days, narrow enough to scroll at
    // thousands.
    let day_width = (960.0 / days as f64).clamp(3.0, 64.0);
    let x_of = |minutes: u64| LABEL + minutes as f64 / DAY as f64 * day_width;
    let width = x_of(days * DAY) + MARGIN;
    let height = AXIS + rows as f64 * ROW + MARGIN;
    let mut out = String::with_capacity(1024 + order.len() * 320);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt\" \
         viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-label=\"schedule for {n} worker{s}\">",
        w = num(width + MARGIN),
        h = num(height + MARGIN),
        n = schedule.workers,
        s = if schedule.workers == 1 { "" } else { "s" },
    );
    let _ = writeln!(
        out,
        "<title>Schedule for {} worker{}</title>",
        schedule.workers,
        if schedule.workers == 1 { "" } else { "s" }
    );
    out.push_str(&gantt_style());
    let _ = writeln!(out, "<g transform=\"translate({m} {m})\">", m = num(MARGIN));

    // Rows and their names.
    out.push_str("<g class=\"rows\">\n");
    for r in 0..rows {
        let y = AXIS + r as f64 * ROW;
        let name = if r < schedule.workers {
            format!("Worker {}", r + 1)
        } else {
            "Milestones".to_string()
        };
        let _ = writeln!(
            out,
            "<rect class=\"row{}\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{ROW}\"/>\
             <text class=\"row-name\" x=\"4\" y=\"{}\">{name}</text>",
            if r % 2 == 1 { " odd" } else { "" },
            num(y),
            num(width),
            num(y + ROW / 2.0 + 4.0),
        );
    }
    out.push_str("</g>\n");

    // The axis: a tick every few working days, so labels do not collide.
    let step = [1u64, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
        .into_iter()
        .find(|&s| s as f64 * day_width >= 44.0)
        .unwrap_or(10_000);
    out.push_str("<g class=\"axis\">\n");
    let mut day = 0;
    while day <= days {
        let x = x_of(day * DAY);
        let label = match calendar.and_then(|c| c.start_at(day * DAY)) {
            Some(t) => t.format("%m-%d").to_string(),
            None => format!("{day}d"),
        };
        let _ = writeln!(
            out,
            "<path class=\"tick\" d=\"M{x} {}V{}\"/><text x=\"{x}\" y=\"{}\">{label}</text>",
            num(AXIS - 4.0),
            num(height - MARGIN),
            num(AXIS - 8.0),
            x = num(x),
        );
        day += step;
    }
    out.push_str("</g>\n<g class=\"bars\">\n");

    let at = |minutes: u64, end: bool| -> String {
        let time: Option<NaiveDateTime> = calendar.and_then(|c| {
            if end {
                c.end_at(minutes)
            } else {
                c.start_at(minutes)
            }
        });
        match time {
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => Estimate::format_minutes(minutes),
        }
    };
    for (i, slot) in order {
        let task = &tasks[i];
        let id = xml(task.id.as_str());
        let critical = if on_path[i] { " critical" } else { "" };
        let x = x_of(slot.start);
        match slot.worker {
            Some(worker) => {
                let y = AXIS + worker as f64 * ROW + (ROW - BAR) / 2.0;
                let w = (x_of(slot.end) - x).max(1.0);
                let fits = ((w - 6.0) / 7.0).max(0.0) as usize;
                let _ = writeln!(
                    out,
                    "<g class=\"bar{critical}\" data-id=\"{id}\" data-worker=\"{}\" \
                     data-start=\"{}\" data-end=\"{}\"><title>{id}: {} (worker {}, {} to {})</title>\
                     <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BAR}\" rx=\"3\"/>\
                     <text x=\"{}\" y=\"{}\">{}</text></g>",
                    worker + 1,
                    slot.start,
                    slot.end,
                    xml(&task.subject),
                    worker + 1,
                    at(slot.start, false),
                    at(slot.end, true),
                    num(x),
                    num(y),
                    num(w),
                    num(x + 3.0),
                    num(y + BAR / 2.0 + 4.0),
                    xml(&shorten(task.id.as_str(), fits)),
                );
            }
            None => {
                let y = AXIS + schedule.workers as f64 * ROW + ROW / 2.0;
                let r = 6.0;
                let _ = writeln!(
                    out,
                    "<g class=\"milestone{critical}\" data-id=\"{id}\" data-start=\"{}\" \
                     data-end=\"{}\"><title>{id}: {} (at {})</title>\
                     <path d=\"M{} {}l{r} {r}l-{r} {r}l-{r} -{r}z\"/>\
                     <text x=\"{}\" y=\"{}\">{}</text></g>",
                    slot.start,
                    slot.end,
                    xml(&task.subject),
                    at(slot.start, true),
                    num(x),
                    num(y - r),
                    num(x + r + 2.0),
                    num(y + 4.0),
                    xml(&shorten(task.id.as_str(), ID_CHARS)),
                );
            }
        }
    }
    out.push_str("</g>\n</g>\n</svg>\n");
    out
}

/// The style of the Gantt chart, its critical bars in the graph's red.
fn gantt_style() -> String {
    let mut css = String::from(
        "<style>\n\
         .gantt{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:11px;background:#fff}\n\
         .gantt .row{fill:#fff}\n\
         .gantt .row.odd{fill:#f5f7f8}\n\
         .gantt .row-name{fill:#455a64;font-weight:600}\n\
         .gantt .tick{stroke:#e0e0e0}\n\
         .gantt .axis text{fill:#757575;text-anchor:middle}\n\
         .gantt .bar rect{fill:#bbdefb;stroke:#1565c0}\n\
         .gantt .bar text{fill:#0d47a1}\n\
         .gantt .milestone path{fill:#7e57c2;stroke:#4527a0}\n\
         .gantt .milestone text{fill:#4527a0}\n",
    );
    let _ = writeln!(
        css,
        ".gantt .bar.critical rect{{fill:#ffcdd2;stroke:{CRITICAL};stroke-width:2}}\n\
         .gantt .bar.critical text{{fill:#b71c1c}}\n\
         .gantt .milestone.critical path{{fill:{CRITICAL};stroke:#b71c1c}}"
    );
    css.push_str(".gantt .dimmed{opacity:.25}\n</style>\n");
    css
}

/// A drawing with nothing in it but a line saying so.
fn empty_svg(class: &str, message: &str, style: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{class}\" viewBox=\"0 0 320 48\" \
         width=\"320\" height=\"48\" role=\"img\" aria-label=\"{message}\">\n{style}\
         <text class=\"empty\" x=\"16\" y=\"28\">{message}</text>\n</svg>\n"
    )
}

/// The `d` of a route: level runs as one line (the points in between
/// are dropped: a long straight edge is two points, not two per column),
/// and between columns a curve leaving and arriving level, so edges read
/// as flowing from left to right.
fn path_data(points: &[Point]) -> String {
    let mut d = String::with_capacity(points.len() * 16);
    let level = |a: Point, b: Point| (a.y - b.y).abs() < 0.05;
    for (n, &p) in points.iter().enumerate() {
        if n == 0 {
            d.push('M');
            push_num(&mut d, p.x);
            d.push(' ');
            push_num(&mut d, p.y);
            continue;
        }
        let q = points[n - 1];
        let straight = level(q, p) || (q.x - p.x).abs() < 0.05;
        // The middle of a level run: the line to the run's end covers it.
        if straight && level(q, p) && points.get(n + 1).is_some_and(|&r| level(p, r)) {
            continue;
        }
        if straight {
            d.push('L');
        } else {
            let mid = (q.x + p.x) / 2.0;
            d.push('C');
            for v in [mid, q.y, mid, p.y] {
                push_num(&mut d, v);
                d.push(' ');
            }
        }
        push_num(&mut d, p.x);
        d.push(' ');
        push_num(&mut d, p.y);
    }
    d
}

/// A coordinate to one decimal, without a trailing `.0`: a smaller file
/// and nothing lost at screen resolution.
fn num(v: f64) -> String {
    let mut out = String::new();
    push_num(&mut out, v);
    out
}

/// [`num`], written onto `out`: the graph of 100k tasks writes millions.
fn push_num(out: &mut String, v: f64) {
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let tenths = tenths.unsigned_abs();
    let _ = write!(out, "{}", tenths / 10);
    if !tenths.is_multiple_of(10) {
        out.push('.');
        out.push(char::from(b'0' + (tenths % 10) as u8));
    }
}

/// At most `chars` characters of `text`, the last one `…` when some were
/// cut.
fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    if chars == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(chars - 1).collect();
    out.push('…');
    out
}

/// User text as XML character data or an attribute value: control and
/// bidirectional characters spelled out as [`escape::controls`] does
/// (XML forbids most control characters even as references), the two
/// noncharacters XML forbids too, and `&`, `<`, `>` and both quotes as
/// entities.
pub fn xml(text: &str) -> String {
    let text = escape::controls(text, false);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TaskSet;
    use crate::graph::Graph;
    use crate::testing::set;

    /// Checks that `text` is well-formed XML as far as these drawings go:
    /// tags balance, attributes are quoted, entities are the five XML
    /// knows or numeric, and no control character appears.
    fn assert_well_formed(text: &str) {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            check_text(&rest[..open]);
            rest = &rest[open + 1..];
            let close = rest.find('>').expect("a tag ends");
            let tag = &rest[..close];
            rest = &rest[close + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name.trim()), "closing {name}");
            } else {
                let self_closing = tag.ends_with('/');
                let body = tag.trim_end_matches('/');
                let name = body.split_whitespace().next().expect("a tag name");
                let attributes = &body[name.len()..];
                let quotes = attributes.matches('"').count();
                assert!(quotes.is_multiple_of(2), "attributes quoted in <{tag}>");
                assert!(!attributes.contains('<'), "no < in <{tag}>");
                check_text(attributes);
                if !self_closing {
                    stack.push(name);
                }
            }
        }
        check_text(rest);
        assert!(stack.is_empty(), "unclosed {stack:?}");
    }

    fn check_text(text: &str) {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "control character in {text:?}"
        );
        let mut rest = text;
        while let Some(at) = rest.find('&') {
            rest = &rest[at + 1..];
            let end = rest.find(';').expect("an entity ends");
            let name = &rest[..end];
            assert!(
                matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || name
                        .strip_prefix('#')
                        .is_some_and(|n| n.parse::<u32>().is_ok()),
                "entity {name}"
            );
        }
    }

    /// A pipeline with a gate between build and deploy, a review that
    /// waits for three parallel parts of an epic, and a done task.
    fn pipeline() -> TaskSet {
        set(&[
            (
                "build",
                "subject = \"Build <it> & \\\"ship\\\"\";estimate = \"1d\"",
            ),
            (
                "deploy",
                "subject = \"Deploy\";blocked_by = [\"gate\"];estimate = \"2h\"",
            ),
            (
                "gate",
                "subject = \"Tests pass\";gate = true;blocked_by = [\"build\"]",
            ),
            ("epic", "subject = \"Epic\";kind = \"epic\""),
            ("old", "subject = \"Old\";status = \"completed\""),
            (
                "p1",
                "subject = \"Part 1\";parent = \"epic\";estimate = \"4h\"",
            ),
            (
                "p2",
                "subject = \"Part 2\u{202e}\\u001b[31m\";parent = \"epic\"",
            ),
            (
                "review",
                "subject = \"Review\";blocked_by = [\"p1\", \"p2\", \"old\", \"build\"]",
            ),
        ])
    }

    /// The attribute `name` of each element whose class list has `class`.
    fn attributes(svg: &str, class: &str, name: &str) -> Vec<String> {
        svg.split('<')
            .filter(|tag| {
                tag.split_once("class=\"")
                    .and_then(|(_, rest)| rest.split('"').next())
                    .is_some_and(|c| c.split(' ').any(|x| x == class))
            })
            .filter_map(|tag| {
                let (_, rest) = tag.split_once(&format!(" {name}=\""))?;
                Some(rest.split('"').next()?.to_string())
            })
            .collect()
    }

    #[test]
    fn the_graph_marks_state_path_tracks_gates_and_edges() {
        let s = pipeline();
        let facts = Facts::new(&s);
        let open = Open::new(&facts.graph).unwrap();
        let drawing = Drawing::new(&facts.graph, None, false);
        let svg = graph(&facts, &drawing, Some(&open));
        assert_well_formed(&svg);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"task-graph\""));
        assert!(svg.contains("<style>"));
        let ids = attributes(&svg, "node", "data-id");
        assert_eq!(
            ids,
            ["build", "deploy", "epic", "gate", "p1", "p2", "review"]
        );
        let critical = attributes(&svg, "critical", "data-id");
        let path: Vec<&str> = open
            .critical_path()
            .path
            .iter()
            .map(|&i| s.tasks()[i].id.as_str())
            .collect();
        let mut sorted_path: Vec<&str> = path.clone();
        sorted_path.sort();
        assert_eq!(critical, sorted_path);
        assert!(critical.contains(&"build".to_string()));
        // The gate is a red hexagon, the review a convergence point.
        assert_eq!(path, ["build", "review"]);
        assert!(
            svg.contains("class=\"node state-blocked track-0 gate gate-red\" data-id=\"gate\""),
            "{svg}"
        );
        assert!(svg.contains("<path class=\"shape\" d=\"M12 0H168L180 22L168 44H12L0 22Z\"/>"));
        assert_eq!(attributes(&svg, "fan-in", "data-id"), ["epic", "review"]);
        assert_eq!(
            attributes(&svg, "fan-out", "data-id"),
            ["build", "p1", "p2"]
        );
        // The edge between the two on the path is critical too.
        assert_eq!(attributes(&svg, "critical", "data-from"), ["build"]);
        assert_eq!(attributes(&svg, "critical", "data-to"), ["review"]);
        // Every drawn edge, from what finishes first; child edges are
        // dashed by their class.
        let froms = attributes(&svg, "edge", "data-from");
        let tos = attributes(&svg, "edge", "data-to");
        let drawn: Vec<(String, String)> = froms.into_iter().zip(tos).collect();
        let want: Vec<(String, String)> = drawing
            .edges
            .iter()
            .map(|e| {
                (
                    s.tasks()[e.from].id.to_string(),
                    s.tasks()[e.to].id.to_string(),
                )
            })
            .collect();
        assert_eq!(drawn, want);
        assert_eq!(attributes(&svg, "child", "data-to"), ["epic", "epic"]);
        // Waves from 1; one track holds everything here.
        assert_eq!(attributes(&svg, "node", "data-wave")[0], "1");
        assert!(
            attributes(&svg, "node", "data-track")
                .iter()
                .all(|t| t == "0")
        );
        // The subject is escaped, its controls spelled out.
        assert!(
            svg.contains("<title>build: Build &lt;it&gt; &amp; &quot;ship&quot; (pending)</title>")
        );
        assert!(svg.contains("Part 2\\u{202e}\\u{1b}[31m"));
        assert!(!svg.contains('\u{202e}'));
    }

    #[test]
    fn with_all_resolved_tasks_come_first() {
        let s = pipeline();
        let facts = Facts::new(&s);
        let open = Open::new(&facts.graph).unwrap();
        let drawing = Drawing::new(&facts.graph, None, true);
        let svg = graph(&facts, &drawing, Some(&open));
        assert_well_formed(&svg);
        assert_eq!(attributes(&svg, "node", "data-id").len(), 8);
        assert_eq!(attributes(&svg, "state-completed", "data-id"), ["old"]);
        // The done task has no wave and no track; it is left of wave 1.
        let old = svg.split("data-id=\"old\"").nth(1).unwrap();
        assert!(old.starts_with(" transform=\"translate(0 "), "{old}");
    }

    #[test]
    fn a_cycle_draws_backwards_without_a_plan() {
        let s = set(&[
            ("a", "blocked_by = [\"c\"]"),
            ("b", "blocked_by = [\"a\"]"),
            ("c", "blocked_by = [\"b\"]"),
        ]);
        let facts = Facts::new(&s);
        assert!(Open::acyclic(&facts.graph).is_none());
        let drawing = Drawing::new(&facts.graph, None, false);
        let svg = graph(&facts, &drawing, None);
        assert_well_formed(&svg);
        assert_eq!(attributes(&svg, "node", "data-id"), ["a", "b", "c"]);
        assert_eq!(attributes(&svg, "back", "data-from").len(), 1);
        assert!(attributes(&svg, "critical", "data-id").is_empty());
    }

    #[test]
    fn nothing_shown_is_still_a_drawing() {
        let s = set(&[("done", "status = \"completed\"")]);
        let facts = Facts::new(&s);
        let drawing = Drawing::new(&facts.graph, None, false);
        let svg = graph(&facts, &drawing, Open::acyclic(&facts.graph).as_ref());
        assert_well_formed(&svg);
        assert!(svg.contains("nothing to show"));
        let g = Graph::new(&s);
        let open = Open::new(&g).unwrap();
        let cp = open.critical_path();
        let schedule = open.schedule(&g, &cp, 2);
        let svg = gantt(&facts, &cp, &schedule, None);
        assert_well_formed(&svg);
        assert!(svg.contains("nothing to schedule"));
    }

    #[test]
    fn the_gantt_has_a_bar_per_task_and_milestones() {
        let s = pipeline();
        let facts = Facts::new(&s);
        let open = Open::new(&facts.graph).unwrap();
        let cp = open.critical_path();
        let schedule = open.schedule(&facts.graph, &cp, 2);
        let calendar = Calendar {
            start: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            offset: 0,
        };
        let svg = gantt(&facts, &cp, &schedule, Some(calendar));
        assert_well_formed(&svg);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt\""));
        let mut bars = attributes(&svg, "bar", "data-id");
        bars.sort();
        let mut milestones = attributes(&svg, "milestone", "data-id");
        milestones.sort();
        // Parents and gates of no work are milestones.
        assert_eq!(milestones, ["epic", "gate"]);
        assert_eq!(bars, ["build", "deploy", "p1", "p2", "review"]);
        for (i, slot) in schedule.slots.iter().enumerate() {
            let Some(slot) = slot else { continue };
            let id = s.tasks()[i].id.as_str();
            let tag = svg.split(&format!("data-id=\"{id}\"")).nth(1).unwrap();
            assert!(tag.contains(&format!(
                "data-start=\"{}\" data-end=\"{}\"",
                slot.start, slot.end
            )));
            if let Some(w) = slot.worker {
                assert!(tag.starts_with(&format!(" data-worker=\"{}\"", w + 1)));
            }
        }
        let critical = attributes(&svg, "critical", "data-id");
        assert!(critical.contains(&"build".to_string()));
        assert!(svg.contains(">11-20</text>"));
        assert!(svg.contains("(worker 1, 2026-11-20 09:00 to 2026-11-20 17:00)"));
    }

    #[test]
    fn xml_escapes_markup_and_spells_out_controls() {
        assert_eq!(
            xml("<script>&\"'\u{1b}\u{202e}\u{ffff}"),
            "&lt;script&gt;&amp;&quot;&#39;\\u{1b}\\u{202e}\\u{ffff}"
        );
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
        assert_eq!(num(1.25), "1.3");
        assert_eq!(num(2.0), "2");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(-2.25), "-2.3");
        // A level run of several columns is one line.
        let p = |x: f64, y: f64| Point { x, y };
        assert_eq!(
            path_data(&[
                p(0.0, 5.0),
                p(10.0, 5.0),
                p(20.0, 5.0),
                p(30.0, 9.0),
                p(40.0, 9.0)
            ]),
            "M0 5L20 5C25 5 25 9 30 9L40 9"
        );
    }
}
