//! `git task show`

use std::io::Write;

use git_task::{gate, output};

use super::render::{View, gate_text};
use super::table::{Column, Table};
use super::ui::{escape, paint, palette};
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
        let gate = gate.as_ref().map(|g| output::GateContext {
            report: &g.report,
            branches: &g.branches,
            current: g.current.as_deref(),
            protects_current: g.protects_current,
        });
        let path = ws.display_path(&task.id);
        ctx.ui
            .json(&output::Shown::new(&view, i, &children, gate, &path))?;
        return Ok(());
    }

    // The fields: names at the width of the longest, `gate state`, and
    // one more; a gate's reasons under its state.
    let mut fields = Table::new([Column::left().min(11), Column::left().gap(" ")]);
    let field = |fields: &mut Table, name: &str, value: String| {
        fields.row([paint(palette::BOLD, name).into_owned(), value]);
    };
    field(&mut fields, "id", view.id(i));
    field(
        &mut fields,
        "subject",
        escape(&task.subject, false).into_owned(),
    );
    let mut status = view.state(i).to_string();
    if view.state(i) != git_task::graph::State::of(task.status) {
        status.push_str(&format!(" ({})", task.status));
    }
    if view.graph.is_ready(i) {
        status.push_str(" — ready");
    }
    field(&mut fields, "status", status);
    field(
        &mut fields,
        "kind",
        format!("{}, priority {}", task.kind, task.priority),
    );
    if let Some(parent) = &task.parent {
        let text = match set.index_of(parent.as_str()) {
            Some(p) => format!(
                "{} \"{}\"",
                view.id(p),
                escape(&view.task(p).subject, false)
            ),
            None => format!("{parent} {}", paint(palette::RED, "(no such task)")),
        };
        field(&mut fields, "parent", text);
    }
    if let Some(owner) = &task.owner {
        field(&mut fields, "owner", escape(owner, false).into_owned());
    }
    if let Some(gate_field) = &task.gate {
        field(&mut fields, "gate", gate_text(gate_field));
    }
    if let Some(g) = &gate {
        let state = paint(
            super::render::gate_style(g.report.state),
            g.report.state.as_str(),
        );
        // Globs written in a task or config.toml, and a branch name: both
        // may hold what a terminal would act on.
        let branches = escape(&g.branches.join(", "), false).into_owned();
        let current = g.current.as_deref().map(|b| escape(b, false));
        let text = match (&current, g.protects_current) {
            (Some(b), true) => format!("{state} on {b}, the current branch (protects {branches})"),
            (Some(b), false) => {
                format!("{state} (protects {branches}; not {b}, the current branch)")
            }
            (None, _) => format!("{state} (protects {branches})"),
        };
        field(&mut fields, "gate state", text);
        for reason in &g.report.reasons {
            fields.spanning([String::new(), escape(reason, false).into_owned()]);
        }
    }
    if let Some(estimate) = &task.estimate {
        field(&mut fields, "estimate", estimate.to_string());
    }
    if let Some(due) = task.due {
        let mut text = due.to_string();
        if view.overdue(i) {
            text.push_str(&format!(" {}", paint(palette::RED, "(overdue)")));
        }
        field(&mut fields, "due", text);
    }
    if !task.labels.is_empty() {
        field(
            &mut fields,
            "labels",
            escape(&task.labels.join(", "), false).into_owned(),
        );
    }
    if let Some(verify) = &task.verify {
        field(&mut fields, "verify", escape(verify, false).into_owned());
    }
    if let Some(created) = task.created {
        field(
            &mut fields,
            "created",
            git_task::task::format_timestamp(created),
        );
    }
    if let Some(started) = task.started {
        field(
            &mut fields,
            "started",
            git_task::task::format_timestamp(started),
        );
    }
    if let Some(closed) = task.closed {
        field(
            &mut fields,
            "closed",
            git_task::task::format_timestamp(closed),
        );
    }
    if let Some(plan_key) = &task.plan_key {
        field(&mut fields, "plan", plan_key.to_string());
    }
    if let Some(origin) = &task.origin {
        field(
            &mut fields,
            "from",
            escape(&origin.to_string(), false).into_owned(),
        );
    }
    if let Some(waiver) = &task.waiver {
        field(
            &mut fields,
            "waived",
            format!(
                "by {} at {}: {}",
                escape(&waiver.by, false),
                git_task::task::format_timestamp(waiver.at),
                escape(&waiver.reason, false)
            ),
        );
    }
    if !task.blocked_by.is_empty() {
        let ids: Vec<String> = task.blocked_by.iter().map(|b| b.to_string()).collect();
        field(&mut fields, "blocked by", ids.join(", "));
    }
    let out = ctx.ui.out();
    fields.write(out)?;
    let mut waits = view.graph.open_waits(i).peekable();
    if waits.peek().is_some() {
        writeln!(out, "{}", paint(palette::BOLD, "waits for"))?;
        for w in waits {
            writeln!(out, "  {}", view.wait_line(&w))?;
        }
    }
    if !children.is_empty() {
        writeln!(out, "{}", paint(palette::BOLD, "children"))?;
        let mut table = Table::new([
            Column::left(),
            Column::left().min(11),
            Column::left().gap(" "),
        ])
        .indent("  ");
        for &c in &children {
            table.row([
                view.id(c),
                view.state(c).to_string(),
                escape(&view.task(c).subject, false).into_owned(),
            ]);
        }
        table.write(out)?;
    }
    if let Some(description) = &task.description {
        writeln!(out)?;
        for l in escape(description.trim_end(), true).lines() {
            writeln!(out, "    {l}")?;
        }
    }
    if !task.criteria.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(palette::BOLD, "criteria"))?;
        for (n, c) in task.criteria.iter().enumerate() {
            let mark = if c.met {
                paint(palette::GREEN, "[x]")
            } else {
                "[ ]".into()
            };
            writeln!(out, "  {}. {mark} {}", n + 1, escape(&c.text, false))?;
        }
    }
    if !task.notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(palette::BOLD, "notes"))?;
        for note in &task.notes {
            let by = note
                .by
                .as_deref()
                .map(|b| format!(" {}", escape(b, false)))
                .unwrap_or_default();
            writeln!(
                out,
                "  {}{by}",
                paint(palette::DIM, &note.at.format("%Y-%m-%d %H:%M").to_string())
            )?;
            for l in escape(&note.text, true).lines() {
                writeln!(out, "    {l}")?;
            }
        }
    }
    if !task.meta.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", paint(palette::BOLD, "meta"))?;
        let text = toml::to_string(&task.meta).unwrap_or_default();
        for l in escape(text.trim_end(), true).lines() {
            writeln!(out, "  {l}")?;
        }
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
