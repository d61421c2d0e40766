//! `git task list`, `ready` and `blocked`

use git_task::filter::{Filter, NoneBlocked, NoneListed, NoneReady};
use git_task::id::TaskId;
use git_task::output;
use git_task::task::{Kind, Priority, Status};

use super::fields::words;
use super::render::{NO_TASKS, View, tasks_count};
use super::table::{Column, Table};
use super::ui::{escape, paint, palette};
use git_task::claim::Claims;

use super::{CliError, CliResult, Ctx, RevArgs};

/// List tasks, with filters, or as a tree.
///
/// Without filters: every task that is not completed or cancelled, sorted
/// by id. A pending task that waits for something open shows as blocked.
/// An unresolved task due before today (in the local zone) is marked
/// [overdue] ("overdue": true in JSON).
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only these statuses (repeatable or comma-separated).
    #[arg(long, short, value_parser = words::<Status>(), value_delimiter = ',')]
    pub status: Vec<Status>,

    /// Only these kinds (repeatable or comma-separated).
    #[arg(long, short, value_parser = words::<Kind>(), value_delimiter = ',')]
    pub kind: Vec<Kind>,

    /// Only these priorities (repeatable or comma-separated).
    #[arg(long, short, value_parser = words::<Priority>(), value_delimiter = ',')]
    pub priority: Vec<Priority>,

    /// Only tasks held by this owner.
    #[arg(long)]
    pub owner: Option<String>,

    /// Only tasks with this label.
    #[arg(long, short)]
    pub label: Option<String>,

    /// Only the children of this task.
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,

    /// Only tasks that can start now.
    #[arg(long, conflicts_with = "blocked")]
    pub ready: bool,

    /// Only tasks held back by something unresolved.
    #[arg(long)]
    pub blocked: bool,

    /// Include completed and cancelled tasks.
    #[arg(long, short)]
    pub all: bool,

    /// Show the hierarchy: children indented under their parents.
    #[arg(long)]
    pub tree: bool,

    #[command(flatten)]
    pub rev: RevArgs,
}

/// What can start now.
///
/// Pending tasks that wait for nothing unresolved, most urgent first
/// (priority, then due date, then slack on the critical path, then creation
/// time, then id).
///
/// A waived (yellow) gate holds nothing back: what waits for it is ready.
///
/// A task someone holds a live claim on (`git task claim`, here or, as
/// last fetched, on the `[claims] remote`) is not offered; the claimed
/// ones are listed after the others with who holds them until when. With
/// `[claims] remote` set, the claims are fetched from it first.
///
/// --claim takes the first task offered, as `git task claim` does.
#[derive(Debug, clap::Args)]
pub struct ReadyArgs {
    /// Claim the most urgent ready task nobody holds, and start it.
    #[arg(long, conflicts_with = "rev")]
    pub claim: bool,

    #[command(flatten)]
    pub how: super::claims::HowArgs,

    /// Do not fetch the claims of `[claims] remote`: answer from those
    /// last fetched.
    #[arg(long)]
    pub no_fetch: bool,

    #[command(flatten)]
    pub rev: RevArgs,
}

/// What is held back, and by what.
///
/// Each unresolved task that waits for something open, with those things
/// listed under it and why (its own blocker, inherited from an ancestor,
/// or a child not yet done): the first 10, then how many more, which
/// `git task show ID` lists.
#[derive(Debug, clap::Args)]
pub struct BlockedArgs {
    #[command(flatten)]
    pub rev: RevArgs,
}

impl ListArgs {
    /// The library's filter for these arguments, with `--parent` already
    /// resolved to a task's id.
    fn filter(&self, parent: Option<TaskId>) -> Filter {
        Filter {
            statuses: self.status.clone(),
            kinds: self.kind.clone(),
            priorities: self.priority.clone(),
            owner: self.owner.clone(),
            label: self.label.clone(),
            parent,
            ready: self.ready,
            blocked: self.blocked,
            all: self.all,
        }
    }
}

pub fn run_list(ctx: &mut Ctx, args: ListArgs) -> CliResult {
    let reading = ctx.read_tasks(&args.rev)?;
    let parent = match &args.parent {
        Some(p) => Some(reading.resolve(p)?.id.clone()),
        None => None,
    };
    let set = reading.set;
    let view = View::new(&set).dated(ctx);
    let filter = args.filter(parent);
    let selected = filter.select(&view.graph);
    if ctx.json {
        ctx.ui.json(&output::TaskList::new(&view, &selected))?;
    } else if selected.is_empty() {
        let text = match filter.why_empty(&view.graph) {
            NoneListed::NoTasks => NO_TASKS.to_owned(),
            NoneListed::NoMatch => "no task matches".to_owned(),
            NoneListed::AllResolved { count } => format!(
                "no open tasks: {} completed or cancelled, see `git task list --all{}`",
                tasks_count(count),
                args.rev.flag()
            ),
        };
        ctx.ui.explain_empty(&text)?;
    } else {
        view.print_lines(&mut ctx.ui, &selected, args.tree)?;
    }
    Ok(())
}

/// Why nothing is ready: there are no tasks, some are blocked, some are in
/// progress, or all are resolved.
fn why_nothing_is_ready(view: &View, rev: &RevArgs) -> String {
    match NoneReady::of(&view.graph) {
        NoneReady::NoTasks => NO_TASKS.to_owned(),
        NoneReady::Blocked(blocked) => format!(
            "nothing is ready: {} blocked, see `git task blocked{}`",
            are(blocked),
            rev.flag()
        ),
        NoneReady::InProgress(in_progress) => format!(
            "nothing is ready: {} in progress, see `git task list --status in_progress{}`",
            are(in_progress),
            rev.flag()
        ),
        NoneReady::AllResolved => {
            "nothing is ready: every task is completed or cancelled".to_owned()
        }
    }
}

/// `1 task is`, `3 tasks are`.
fn are(n: usize) -> String {
    format!("{} {}", tasks_count(n), if n == 1 { "is" } else { "are" })
}

pub fn run_ready(ctx: &mut Ctx, args: ReadyArgs) -> CliResult {
    let how = &args.how;
    if args.claim {
        return super::claims::claim_task(ctx, None, how, false, false);
    }
    if how.owner.is_some() || how.lease.is_some() || how.remote.is_some() || how.local {
        return Err(CliError::user(
            "--owner, --lease, --remote and --local say how to claim: add --claim",
        ));
    }
    let reading = ctx.read_tasks(&args.rev)?;
    let claims = if args.rev.rev.is_none() {
        let ui = &ctx.ui;
        super::claims::current_claims(&reading.ws, &reading.config, !args.no_fetch, |w| {
            ui.warning(&w)
        })?
    } else {
        Claims::default()
    };
    let set = reading.set;
    let view = View::new(&set).dated(ctx);
    let (ready, claimed) = git_task::claim::unclaimed_ready(&view.graph, &claims, ctx.now);
    let holders: Vec<&git_task::claim::Claim> = claimed
        .iter()
        .filter_map(|&i| claims.holder(&view.task(i).id, ctx.now))
        .collect();
    if ctx.json {
        let mut list = output::TaskList::new(&view, &ready);
        list.claimed = holders
            .iter()
            .map(|c| output::ClaimObject::new(c))
            .collect();
        ctx.ui.json(&list)?;
    } else {
        if ready.is_empty() && holders.is_empty() {
            ctx.ui
                .explain_empty(&why_nothing_is_ready(&view, &args.rev))?;
        } else {
            view.print_lines(&mut ctx.ui, &ready, false)?;
        }
        super::claims::write_claimed(ctx, &holders)?;
    }
    Ok(())
}

pub fn run_blocked(ctx: &mut Ctx, args: BlockedArgs) -> CliResult {
    let set = ctx.read_tasks(&args.rev)?.set;
    let view = View::new(&set).dated(ctx);
    let blocked = view.graph.blocked();
    if ctx.json {
        ctx.ui.json(&output::TaskList::new(&view, &blocked))?;
        return Ok(());
    }
    if blocked.is_empty() {
        let text = match NoneBlocked::of(&view.graph) {
            NoneBlocked::NoTasks => NO_TASKS.to_owned(),
            NoneBlocked::Ready(ready) => format!(
                "nothing is blocked: {} ready, see `git task ready{}`",
                are(ready),
                args.rev.flag()
            ),
            NoneBlocked::Nothing => "nothing is blocked".to_owned(),
        };
        ctx.ui.explain_empty(&text)?;
        return Ok(());
    }
    // The id, then the subject; under it, indented to the subject, what it
    // waits for.
    let mut table = Table::new([Column::left(), Column::left()]);
    for &i in &blocked {
        let t = view.task(i);
        table.row([
            view.id(i),
            format!("{}{}", escape(&t.subject, false), view.overdue_mark(i)),
        ]);
        // A bounded list: a task deep in a hierarchy can wait for
        // thousands of things; `show` lists them all.
        let (waits, more) = view.graph.first_open_waits(i);
        for w in &waits {
            table.row([
                String::new(),
                format!("{} {}", paint(palette::DIM, "waits for"), view.wait_line(w)),
            ]);
        }
        if more > 0 {
            let note = format!("and {more} more (git task show {} lists them all)", t.id);
            table.row([String::new(), paint(palette::DIM, &note).into_owned()]);
        }
    }
    table.write(ctx.ui.out())?;
    Ok(())
}
