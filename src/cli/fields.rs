//! The field flags that `add` and `edit` share, defined once.

use git_task::change::FieldChanges;
use git_task::task::{Estimate, Gate, Kind, Priority, Status};

#[derive(Debug, Clone, clap::Args)]
pub struct FieldArgs {
    /// What sort of work it is.
    #[arg(long, value_parser = words::<Kind>())]
    pub kind: Option<Kind>,

    /// How much it matters.
    #[arg(long, short, value_parser = words::<Priority>())]
    pub priority: Option<Priority>,

    /// The task this one is part of (a parent waits for its children).
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,

    /// Make it a go/no-go gate for the branches of gates.branches.
    #[arg(long)]
    pub gate: bool,

    /// Make it a gate for branches matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub gate_branch: Vec<String>,

    /// Who holds the task.
    #[arg(long)]
    pub owner: Option<String>,

    // The grammar, stated once, for this help and the parser's errors.
    #[arg(long, short, value_parser = parse_estimate, value_name = "TIME",
          help = format!("Work time: {}", git_task::task::ESTIMATE_GRAMMAR))]
    pub estimate: Option<Estimate>,

    /// Due date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date)]
    pub due: Option<chrono::NaiveDate>,

    /// Add a label (repeatable).
    #[arg(long, short)]
    pub label: Vec<String>,

    /// A command that proves the task done; `done` runs it.
    #[arg(long, value_name = "COMMAND")]
    pub verify: Option<String>,

    /// What to do, in enough detail that someone else can pick it up.
    #[arg(long, short)]
    pub description: Option<String>,
}

impl FieldArgs {
    /// The flags as changes to a task's fields.
    pub fn changes(self) -> FieldChanges {
        FieldChanges {
            gate: self.gate(),
            kind: self.kind,
            priority: self.priority,
            parent: self.parent,
            owner: self.owner,
            estimate: self.estimate,
            due: self.due,
            add_labels: self.label,
            verify: self.verify,
            description: self.description,
            ..FieldChanges::default()
        }
    }

    /// `--gate` and `--gate-branch` as a gate setting.
    fn gate(&self) -> Option<Gate> {
        if !self.gate_branch.is_empty() {
            Some(Gate::Branches(self.gate_branch.clone()))
        } else if self.gate {
            Some(Gate::ConfiguredBranches)
        } else {
            None
        }
    }
}

/// The enums of task files whose words the command line accepts: their
/// values, help and completions come from the one list in `task.rs`.
pub trait Word: Copy + Send + Sync + 'static {
    fn all() -> &'static [Self];
    fn word(self) -> &'static str;
}

macro_rules! word {
    ($($t:ty),+) => {$(
        impl Word for $t {
            fn all() -> &'static [Self] {
                <$t>::ALL
            }
            fn word(self) -> &'static str {
                self.as_str()
            }
        }
    )+};
}
word!(Kind, Priority, Status);

/// A value parser for one of the words of `T`. A word with `_` is also
/// accepted with `-` (`in-progress` for `in_progress`), as typed on a
/// command line.
pub fn words<T: Word>() -> WordParser<T> {
    WordParser(std::marker::PhantomData)
}

#[derive(Clone)]
pub struct WordParser<T>(std::marker::PhantomData<T>);

impl<T: Word> WordParser<T> {
    fn values() -> impl Iterator<Item = (T, clap::builder::PossibleValue)> {
        T::all().iter().map(|&t| {
            let word = t.word();
            let value = clap::builder::PossibleValue::new(word);
            let value = if word.contains('_') {
                value.alias(word.replace('_', "-"))
            } else {
                value
            };
            (t, value)
        })
    }
}

impl<T: Word> clap::builder::TypedValueParser for WordParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        if let Some((t, _)) = Self::values().find(|(_, v)| v.matches(&text, false)) {
            return Ok(t);
        }
        // clap's own message: the value, the valid ones, and the usage.
        let choices = T::all().iter().map(|t| t.word().to_owned()).collect();
        let arg = arg.map_or_else(|| "...".to_owned(), |a| a.to_string());
        let mut error = clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd);
        use clap::error::{ContextKind, ContextValue};
        error.insert(ContextKind::InvalidArg, ContextValue::String(arg));
        error.insert(
            ContextKind::InvalidValue,
            ContextValue::String(text.into_owned()),
        );
        error.insert(ContextKind::ValidValue, ContextValue::Strings(choices));
        Err(error)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(Self::values().map(|(_, v)| v)))
    }
}

fn parse_estimate(s: &str) -> Result<Estimate, String> {
    s.parse()
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    git_task::task::parse_date(s)
}
