//! `git task show`

use std::io::Write;

use git_task::gate;

use super::render::{View, gate_text};
use super::ui::{escape, palette};
use super::{CliResult, Ctx, RevArgs};

/// Show one task: its fields, what it waits for, its children, criteria
/// and execution log.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task's id or a unique prefix of it.
    pub id: String,

    #[command(flatten)]
    pub rev: RevArgs,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let reading = ctx.read_tasks(&args.rev)?;
    let (ws, set) = (&reading.ws, &reading.set);
    let task = reading.resolve(&args.id)?;
    let view = View::new(set).dated(ctx);
    let i = view.index(task);
    let children: Vec<usize> = set.children_of(&task.id).map(|c| view.index(c)).collect();
    let gate = match gate::gate_state(&view.graph, i) {
        Some(report) => {
            let current = ws.head_branch();
            Some(GateView {
                branches: gate::protected_branches(task, &reading.config).to_vec(),
                protects_current: current
                    .as_deref()
                    .is_some_and(|b| gate::protects(task, &reading.config, b)),
                current,
                report,
            })
        }
        None => None,
    };
    if ctx.json {
        let mut value = view.json(i);
        if let serde_json::Value::Object(map) = &mut value {
            let kids: Vec<_> = children
                .iter()
                .map(|&c| serde_json::json!({ "id": view.task(c).id, "subject": view.task(c).subject, "status": view.task(c).status }))
                .collect();
            map.insert("children".into(), serde_json::Value::Array(kids));
            let gate_state = match &gate {
                Some(g) => serde_json::json!({
                    "state": g.report.state,
                    "reasons": g.report.reasons,
                    "branches": g.branches,
                    "branch": g.current,
                    "protects_branch": g.protects_current,
                }),
                None => serde_json::Value::Null,
            };
            map.insert("gate_state".into(), gate_state);
            map.insert(
                "path".into(),
                serde_json::json!(ws.display_path(&task.id).display().to_string()),
            );
        }
        ctx.ui
            .json(&serde_json::json!({ "version": 1, "task": value }))?;
        return Ok(());
    }

    let ui = &ctx.ui;
    let mut lines: Vec<String> = Vec::new();
    let field = |name: &str, value: String| {
        format!(
            "{} {value}",
            ui.paint(palette::BOLD, &format!("{name:<11}"))
        )
    };
    lines.push(field("id", view.id(ui, i)));
    lines.push(field("subject", escape(&task.subject, false).into_owned()));
    let mut status = view.state(i).to_string();
    if view.state(i) != git_task::graph::State::of(task.status) {
        status.push_str(&format!(" ({})", task.status));
    }
    if view.graph.is_ready(i) {
        status.push_str(" — ready");
    }
    lines.push(field("status", status));
    lines.push(field(
        "kind",
        format!("{}, priority {}", task.kind, task.priority),
    ));
    if let Some(parent) = &task.parent {
        let text = match set.index_of(parent.as_str()) {
            Some(p) => format!(
                "{} \"{}\"",
                view.id(ui, p),
                escape(&view.task(p).subject, false)
            ),
            None => format!("{parent} {}", ui.paint(palette::RED, "(no such task)")),
        };
        lines.push(field("parent", text));
    }
    if let Some(owner) = &task.owner {
        lines.push(field("owner", escape(owner, false).into_owned()));
    }
    if let Some(gate_field) = &task.gate {
        lines.push(field("gate", gate_text(gate_field)));
    }
    if let Some(g) = &gate {
        let state = ui.paint(
            super::render::gate_style(g.report.state),
            g.report.state.as_str(),
        );
        let branches = g.branches.join(", ");
        let text = match (&g.current, g.protects_current) {
            (Some(b), true) => format!("{state} on {b}, the current branch (protects {branches})"),
            (Some(b), false) => {
                format!("{state} (protects {branches}; not {b}, the current branch)")
            }
            (None, _) => format!("{state} (protects {branches})"),
        };
        lines.push(field("gate state", text));
        for reason in &g.report.reasons {
            lines.push(format!("{:12}{}", "", escape(reason, false)));
        }
    }
    if let Some(estimate) = &task.estimate {
        lines.push(field("estimate", estimate.to_string()));
    }
    if let Some(due) = task.due {
        let mut text = due.to_string();
        if view.overdue(i) {
            text.push_str(&format!(" {}", ui.paint(palette::RED, "(overdue)")));
        }
        lines.push(field("due", text));
    }
    if !task.labels.is_empty() {
        lines.push(field(
            "labels",
            escape(&task.labels.join(", "), false).into_owned(),
        ));
    }
    if let Some(verify) = &task.verify {
        lines.push(field("verify", escape(verify, false).into_owned()));
    }
    if let Some(created) = task.created {
        lines.push(field("created", git_task::task::format_timestamp(created)));
    }
    if let Some(started) = task.started {
        lines.push(field("started", git_task::task::format_timestamp(started)));
    }
    if let Some(closed) = task.closed {
        lines.push(field("closed", git_task::task::format_timestamp(closed)));
    }
    if let Some(waiver) = &task.waiver {
        lines.push(field(
            "waived",
            format!(
                "by {} at {}: {}",
                escape(&waiver.by, false),
                git_task::task::format_timestamp(waiver.at),
                escape(&waiver.reason, false)
            ),
        ));
    }
    if !task.blocked_by.is_empty() {
        let ids: Vec<String> = task.blocked_by.iter().map(|b| b.to_string()).collect();
        lines.push(field("blocked by", ids.join(", ")));
    }
    let waits: Vec<String> = view
        .graph
        .open_waits(i)
        .map(|w| view.wait_line(ui, &w))
        .collect();
    if !waits.is_empty() {
        lines.push(ui.paint(palette::BOLD, "waits for").into_owned());
        lines.extend(waits.into_iter().map(|w| format!("  {w}")));
    }
    if !children.is_empty() {
        lines.push(ui.paint(palette::BOLD, "children").into_owned());
        let width = view.id_width(children.iter().copied());
        for &c in &children {
            lines.push(format!(
                "  {}  {:<11} {}",
                view.padded_id(ui, c, width),
                view.state(c),
                escape(&view.task(c).subject, false)
            ));
        }
    }
    if let Some(description) = &task.description {
        lines.push(String::new());
        lines.extend(
            escape(description.trim_end(), true)
                .lines()
                .map(|l| format!("    {l}")),
        );
    }
    if !task.criteria.is_empty() {
        lines.push(String::new());
        lines.push(ui.paint(palette::BOLD, "criteria").into_owned());
        for (n, c) in task.criteria.iter().enumerate() {
            let mark = if c.met {
                ui.paint(palette::GREEN, "[x]")
            } else {
                "[ ]".into()
            };
            lines.push(format!("  {}. {mark} {}", n + 1, escape(&c.text, false)));
        }
    }
    if !task.notes.is_empty() {
        lines.push(String::new());
        lines.push(ui.paint(palette::BOLD, "notes").into_owned());
        for note in &task.notes {
            let by = note
                .by
                .as_deref()
                .map(|b| format!(" {}", escape(b, false)))
                .unwrap_or_default();
            lines.push(format!(
                "  {}{by}",
                ui.paint(palette::DIM, &note.at.format("%Y-%m-%d %H:%M").to_string())
            ));
            lines.extend(escape(&note.text, true).lines().map(|l| format!("    {l}")));
        }
    }
    if !task.meta.is_empty() {
        lines.push(String::new());
        lines.push(ui.paint(palette::BOLD, "meta").into_owned());
        let text = toml::to_string(&task.meta).unwrap_or_default();
        lines.extend(
            escape(text.trim_end(), true)
                .lines()
                .map(|l| format!("  {l}")),
        );
    }
    let out = ctx.ui.out();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// A gate's state, with the branches it protects and the one HEAD is on.
struct GateView {
    report: gate::GateReport,
    branches: Vec<String>,
    current: Option<String>,
    protects_current: bool,
}
