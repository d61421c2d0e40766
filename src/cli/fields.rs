//! The field flags that `add` and `edit` share, defined once.

use git_task::change::FieldChanges;
use git_task::task::{Estimate, Gate, Kind, Priority, Status};

#[derive(Debug, Clone, clap::Args)]
pub struct FieldArgs {
    /// epic, story, task or subtask.
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<Kind>,

    /// critical, high, medium or low.
    #[arg(long, short, value_parser = parse_priority)]
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

    /// Work time: a number and a unit (m, h, d, w), or several, largest
    /// first: 30m, 1.5h, 2d, 1w, 1d 4h, 1h30m (1d = 8h, 1w = 5d). Whole
    /// minutes: 0m means no work, anything else must come to at least 1m;
    /// at most 520w, ten years of work.
    #[arg(long, short, value_parser = parse_estimate, value_name = "TIME")]
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

pub fn parse_kind(s: &str) -> Result<Kind, String> {
    s.parse()
}

pub fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse()
}

pub fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
}

fn parse_estimate(s: &str) -> Result<Estimate, String> {
    s.parse()
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    git_task::task::parse_date(s)
}
