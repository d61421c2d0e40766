//! `git task add`

use std::io::Write;

use git_task::change::{self, FieldChanges, NewTask};

use super::fields::FieldArgs;
use super::{CliError, CliResult, Ctx, render::View, shell_word};

/// Create a task and print its id
///
/// Put the subject first: --after and --criteria take several values.
///
/// Examples:
///
///   git task add "Back up the database" --id backup-db --estimate 2h
///   git task add "Run migration" --after backup-db --criteria "schema is 42"
///   git task add "Release 1.0" --gate --after run-migration
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// One line that says what is to be done. Put it before --after and
    /// --criteria, which take several values.
    pub subject: Option<String>,

    /// Choose a readable id instead of a generated one (like backup-db).
    #[arg(long)]
    pub id: Option<String>,

    /// Tasks that must finish before this one can start (blocked_by).
    #[arg(long, value_name = "ID", num_args = 1.., value_delimiter = ',')]
    pub after: Vec<String>,

    /// Success criteria, all to be met before `done` (one or more).
    #[arg(long, value_name = "TEXT", num_args = 1..)]
    pub criteria: Vec<String>,

    #[command(flatten)]
    pub fields: FieldArgs,
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let Some(subject) = args.subject else {
        let swallowed = args.after.last().or(args.criteria.last());
        let mut message = "a new task needs a subject".to_string();
        if let Some(value) = swallowed {
            message.push_str(&format!(
                "; `{value}` was read as a value of --after/--criteria, which take several values"
            ));
        }
        // The value taken for a blocker or criterion was meant as the
        // subject: the same command with it first.
        let hint = match (args.after.split_last(), args.criteria.split_last()) {
            (Some((subject, rest)), _) if args.criteria.is_empty() => {
                let mut words = vec![shell_word(subject), "--after".into()];
                words.extend(rest.iter().map(|w| shell_word(w)));
                format!("put the subject first: git task add {}", words.join(" "))
            }
            (None, Some((subject, rest))) => {
                let mut words = vec![shell_word(subject)];
                for c in rest {
                    words.extend(["--criteria".into(), shell_word(c)]);
                }
                format!("put the subject first: git task add {}", words.join(" "))
            }
            _ => "give the subject as the first argument of `git task add`".into(),
        };
        return Err(CliError::User {
            message,
            hints: vec![hint],
        });
    };
    let ws = ctx.workspace()?;
    let config = ws.config()?;
    let new = NewTask {
        fields: FieldChanges {
            subject: Some(subject),
            ..args.fields.changes()
        },
        id: args.id,
        after: args.after,
        criteria: args.criteria,
    };
    let now = ctx.now;
    let (task, set) = ws.transact(|tx| change::add(tx, new.clone(), &config, now))?;
    if ctx.json {
        let view = View::new(&set).dated(ctx);
        let i = view.index(&task);
        ctx.ui.json(&git_task::output::TaskAnswer::new(&view, i))?;
    } else {
        writeln!(ctx.ui.out(), "{}", task.id)?;
    }
    Ok(())
}
