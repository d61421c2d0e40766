//! `git task gate list` and `git task gate waive`

use std::io::Write;

use git_task::change;
use git_task::gate;
use git_task::graph::Graph;

use super::SourceArgs;
use super::render::{View, gate_style};
use super::table::{Column, Table};
use super::ui::{escape, paint};
use super::{CliResult, Ctx, change_one, print_changed};

/// Go/no-go gates: their state, and waivers.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the gates with their state and why.
    ///
    /// green: completed, criteria met, everything it waits for resolved;
    /// yellow: waived; red: anything else; cancelled gates protect nothing.
    /// A commit may become the tip of a branch only if every gate in it that
    /// protects the branch is green or yellow; the hooks also hold it to the
    /// gates the branch had before (docs/hooks.md).
    List(ListArgs),
    /// Let a gate pass without it being done (yellow), recording who and why.
    Waive(WaiveArgs),
    /// Remove a gate's waiver, so it is judged on its own again.
    ///
    /// Refuses (exit 1) a task that has no waiver. `reset` removes the
    /// waiver too.
    Unwaive(UnwaiveArgs),
}

#[derive(Debug, clap::Args)]
pub struct UnwaiveArgs {
    /// The gate's id or a unique prefix of it.
    pub id: String,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Only the gates that protect this branch.
    #[arg(long, value_name = "BRANCH")]
    pub target: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct WaiveArgs {
    /// The gate's id or a unique prefix of it.
    pub id: String,

    /// Why it may pass; shown with every push it lets through.
    #[arg(long, required = true)]
    pub reason: String,

    /// Who waives it (default: git config user.email).
    #[arg(long)]
    pub by: Option<String>,
}

pub fn run(ctx: &mut Ctx, command: Command) -> CliResult {
    match command {
        Command::List(args) => list(ctx, args),
        Command::Waive(args) => waive(ctx, args),
        Command::Unwaive(args) => unwaive(ctx, args),
    }
}

fn list(ctx: &mut Ctx, args: ListArgs) -> CliResult {
    let ws = ctx.workspace()?;
    let source = args.source.source();
    let loaded = ws.read(&source)?;
    let config = loaded.config.clone();
    let set = loaded.into_result_of(&source)?;
    let view = View::new(&set);
    let graph: &Graph = &view.graph;
    let gates: Vec<(usize, gate::GateReport)> = (0..set.len())
        .filter(|&i| {
            args.target
                .as_deref()
                .is_none_or(|b| gate::protects(view.task(i), &config, b))
        })
        .filter_map(|i| gate::gate_state(graph, i).map(|r| (i, r)))
        .collect();
    let protects = |i: usize| gate::protected_branches(view.task(i), &config).to_vec();
    if ctx.json {
        ctx.ui.json(&git_task::output::GateList::new(
            &view,
            args.target.as_deref(),
            &gates,
            protects,
        ))?;
        return Ok(());
    }
    let out = ctx.ui.out();
    if gates.is_empty() {
        match &args.target {
            Some(b) => writeln!(out, "no gate protects {b}")?,
            None => writeln!(out, "no gates")?,
        }
    }
    // The id, the state, the subject; the reasons under the state.
    let mut table = Table::new([Column::left(), Column::left().min(9), Column::left()]);
    for (i, report) in &gates {
        let t = view.task(*i);
        table.row([
            view.id(*i),
            paint(gate_style(report.state), report.state.as_str()).into_owned(),
            format!(
                "{}  (protects {})",
                escape(&t.subject, false),
                escape(&protects(*i).join(", "), false)
            ),
        ]);
        for reason in &report.reasons {
            table.spanning([String::new(), escape(reason, false).into_owned()]);
        }
    }
    table.write(out)?;
    Ok(())
}

fn waive(ctx: &mut Ctx, args: WaiveArgs) -> CliResult {
    let by = ctx.actor(args.by, "who waives it?", "--by")?;
    let now = ctx.now;
    change_one(ctx, &args.id, "waived", |tx, id| {
        change::waive(tx, id, &by, &args.reason, now)
    })
}

fn unwaive(ctx: &mut Ctx, args: UnwaiveArgs) -> CliResult {
    let ws = ctx.workspace()?;
    let ((id, waiver), set) = ws.transact(|tx| {
        let id = tx.resolve(&args.id)?;
        let (_, waiver) = change::unwaive(tx, &id)?;
        Ok((id, waiver))
    })?;
    if !ctx.json {
        ctx.ui.info(&format!(
            "removed the waiver by {} ({}); the gate is judged on its own again",
            waiver.by, waiver.reason
        ));
    }
    print_changed(ctx, &set, &id, "unwaived")
}
