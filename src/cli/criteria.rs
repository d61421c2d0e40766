//! `git task criteria`

use std::io::Write;

use git_task::change::{self, CriteriaChange};
use git_task::store::Source;

use super::ui::{escape, paint, palette};
use super::{CliResult, Ctx, print_changed};

/// List, mark and add a task's success criteria.
///
/// Criteria are numbered from 1. `done` refuses while any is unmet.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task's id or a unique prefix of it.
    pub id: String,

    /// Mark criteria met, by number.
    #[arg(long, value_name = "N", num_args = 1..)]
    pub met: Vec<usize>,

    /// Mark criteria unmet, by number.
    #[arg(long, value_name = "N", num_args = 1..)]
    pub unmet: Vec<usize>,

    /// Add a criterion (repeatable).
    #[arg(long, value_name = "TEXT")]
    pub add: Vec<String>,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let ws = ctx.workspace()?;
    let changing = !(args.met.is_empty() && args.unmet.is_empty() && args.add.is_empty());
    let (set, id) = if changing {
        let criteria = CriteriaChange {
            met: args.met,
            unmet: args.unmet,
            add: args.add,
        };
        let (id, set) = ws.transact(|tx| {
            let id = tx.resolve(&args.id)?;
            change::change_criteria(tx, &id, &criteria)?;
            Ok(id)
        })?;
        (set, id)
    } else {
        let set = ws.load(&Source::WorkTree)?;
        let id = set.resolve(&args.id)?.id.clone();
        (set, id)
    };
    if ctx.json {
        return print_changed(ctx, &set, &id, "");
    }
    let Some(task) = set.get(id.as_str()) else {
        return Ok(());
    };
    if task.criteria.is_empty() {
        ctx.ui.info(&format!(
            "{id} has no criteria; add one with: git task criteria {id} --add TEXT"
        ));
    }
    for (n, c) in task.criteria.iter().enumerate() {
        let mark = if c.met {
            paint(palette::GREEN, "[x]")
        } else {
            "[ ]".into()
        };
        writeln!(ctx.ui.out(), "{}. {mark} {}", n + 1, escape(&c.text, false))?;
    }
    Ok(())
}
