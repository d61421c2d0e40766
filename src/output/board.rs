//! `board --json`: everything the board shows, as one document.
//!
//! The page (`git task board`, `git task serve`) is drawn from exactly
//! this document, so an agent reading `board --json` sees what a person
//! sees on the page: every task with its state, what it waits for and
//! what waits for it, its wave, track and slack, the critical path, the
//! schedule, the gates of each protected branch and the progress.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

use super::{
    CommitObject, CountsObject, GateSummary, Named, PlanParts, PlanReport, ProgressReport,
    StatusReport, TaskObject, TrackObject, TracksReport, Version,
};
use crate::config::Config;
use crate::dashboard::Dashboard;
use crate::facts::Facts;
use crate::gate::protected_branches;
use crate::graph::{State, Track};
use crate::id::TaskId;
use crate::log::Entry;

/// A task as the board shows it: the task object of `show` and `list`,
/// with its place in the plan and its recent history.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardTask<'a> {
    #[serde(flatten)]
    pub task: TaskObject<'a>,
    /// The board's column: `pending` (ready), `blocked`, `in_progress`,
    /// `completed` or `cancelled`.
    pub state: State,
    /// The tasks whose `blocked_by` names this one.
    pub blocks: Vec<&'a TaskId>,
    /// The tasks whose `parent` is this one.
    pub children: Vec<&'a TaskId>,
    /// The wave, from 1; null for a resolved task, or when a cycle leaves
    /// no plan.
    pub wave: Option<usize>,
    /// The track, from 0 in the order of `tracks` (longest first); null
    /// as for `wave`.
    pub track: Option<usize>,
    /// On the critical path.
    pub critical: bool,
    /// How long it can slip without delaying the end, in work minutes;
    /// null as for `wave`.
    pub slack_minutes: Option<u64>,
    /// The commits that changed the task's file, newest first, from the
    /// recent history read (see `history` of the board).
    pub history: Vec<CommitObject<'a>>,
}

/// The gates that protect one branch (a name or a glob), in pipeline
/// order.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BranchGates<'a> {
    /// The branch name or glob, as the gates and the config write it.
    pub branch: &'a str,
    /// Green, or yellow (waived): nothing holds a push or merge to it.
    pub passes: bool,
    pub gates: Vec<GateSummary<'a>>,
}

/// How much history the board read.
#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
pub struct HistoryRead {
    /// The newest commits read, at most.
    pub max_commits: usize,
    /// Entries kept per task, at most.
    pub per_task: usize,
    /// The history has more commits than were read.
    pub truncated: bool,
}

/// The document of `board --json`, and the data the page draws.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BoardData<'a> {
    pub version: Version,
    /// A name for the board: the repository's folder.
    pub name: &'a str,
    /// What the board shows: `working tree`, or the revision given.
    pub source: &'a str,
    /// The day overdue is counted from, in the local zone.
    pub today: Option<NaiveDate>,
    pub counts: CountsObject,
    pub progress: ProgressReport<'a>,
    /// Every task, by id.
    pub tasks: Vec<BoardTask<'a>>,
    /// The critical path, first to last; empty when a cycle leaves no plan.
    pub critical_path: Vec<&'a TaskId>,
    /// The waves and the schedule for `workers`; null when a cycle leaves
    /// no plan.
    pub plan: Option<PlanReport<'a>>,
    /// The independent tracks of the unresolved graph, longest first.
    pub tracks: Vec<TrackObject<'a>>,
    /// Every gate, in pipeline order.
    pub gates: Vec<GateSummary<'a>>,
    /// The gates of each protected branch, by branch.
    pub branches: Vec<BranchGates<'a>>,
    /// The cycles that leave no plan, each as the tasks around it.
    pub cycles: Vec<Vec<Named<'a>>>,
    /// How much history the tasks' `history` comes from; null when none
    /// was read (a revision, or no commit yet).
    pub history: Option<HistoryRead>,
}

/// The plan the board shows, when the graph has no cycle.
#[derive(Debug, Clone, Copy)]
pub struct BoardPlan<'p> {
    /// The waves, the critical path, the schedule and its calendar.
    pub parts: PlanParts<'p>,
    pub tracks: &'p [Track],
}

/// What a board is made of, besides the tasks.
#[derive(Debug, Clone, Copy)]
pub struct BoardParts<'p, 'a> {
    pub name: &'a str,
    pub source: &'a str,
    pub dashboard: &'a Dashboard,
    /// Null when a cycle leaves no plan: then `cycles` says where.
    pub plan: Option<BoardPlan<'p>>,
    pub cycles: &'p [Vec<usize>],
    pub config: &'a Config,
    /// The recent history read, by task, and how much was read.
    pub history: Option<(&'a BTreeMap<TaskId, Vec<Entry>>, &'p HistoryRead)>,
}

impl<'a> BoardData<'a> {
    /// The board of the tasks of `facts`.
    pub fn new(facts: &Facts<'a>, parts: BoardParts<'_, 'a>) -> BoardData<'a> {
        let set = facts.set;
        let count = set.len();
        let id = |i: usize| &facts.task(i).id;
        let status = StatusReport::new(facts, parts.dashboard);

        // What waits for each task through its own blocked_by, and each
        // task's children, by index.
        let mut blocks: Vec<Vec<&'a TaskId>> = vec![Vec::new(); count];
        let mut children: Vec<Vec<&'a TaskId>> = vec![Vec::new(); count];
        for i in 0..count {
            let task = facts.task(i);
            for b in &task.blocked_by {
                if let Some(k) = set.index_of(b.as_str()) {
                    blocks[k].push(&task.id);
                }
            }
            if let Some(p) = facts.graph.parent(i) {
                children[p].push(&task.id);
            }
        }

        let mut wave = vec![None; count];
        let mut track = vec![None; count];
        let mut critical = vec![false; count];
        let mut slack = vec![None; count];
        let mut plan = None;
        let mut tracks = Vec::new();
        let mut critical_path = Vec::new();
        if let Some(p) = parts.plan {
            for (w, tasks) in p.parts.waves.iter().enumerate() {
                for &i in tasks {
                    wave[i] = Some(w + 1);
                }
            }
            for (k, t) in p.tracks.iter().enumerate() {
                for &i in &t.tasks {
                    track[i] = Some(k);
                }
            }
            for &i in &p.parts.critical_path.path {
                critical[i] = true;
            }
            for (i, timing) in p.parts.critical_path.timing.iter().enumerate() {
                slack[i] = timing.map(|t| t.slack);
            }
            critical_path = p.parts.critical_path.path.iter().map(|&i| id(i)).collect();
            plan = Some(PlanReport::new(facts, p.parts));
            tracks = TracksReport::new(facts, p.tracks).tracks;
        }

        let history = |i: usize| -> Vec<CommitObject<'a>> {
            parts
                .history
                .and_then(|(h, _)| h.get(id(i)))
                .map(|entries| entries.iter().map(CommitObject::new).collect())
                .unwrap_or_default()
        };
        let tasks = (0..count)
            .map(|i| BoardTask {
                task: TaskObject::new(facts, i),
                state: facts.state(i),
                blocks: std::mem::take(&mut blocks[i]),
                children: std::mem::take(&mut children[i]),
                wave: wave[i],
                track: track[i],
                critical: critical[i],
                slack_minutes: slack[i],
                history: history(i),
            })
            .collect();

        BoardData {
            version: Version,
            name: parts.name,
            source: parts.source,
            today: facts.today(),
            counts: status.counts,
            progress: status.progress,
            tasks,
            critical_path,
            plan,
            tracks,
            branches: branch_gates(facts, parts.config, parts.dashboard),
            gates: status.gates,
            cycles: parts
                .cycles
                .iter()
                .map(|c| c.iter().map(|&i| Named::new(facts.task(i))).collect())
                .collect(),
            history: parts.history.map(|(_, read)| *read),
        }
    }
}

/// The gates of each branch some gate protects, branches in the order
/// first named (the configured ones first), gates in pipeline order.
fn branch_gates<'a>(
    facts: &Facts<'a>,
    config: &'a Config,
    dashboard: &'a Dashboard,
) -> Vec<BranchGates<'a>> {
    let mut branches: Vec<BranchGates<'a>> = config
        .gate_branches
        .iter()
        .map(|b| BranchGates {
            branch: b,
            passes: true,
            gates: Vec::new(),
        })
        .collect();
    for (i, report) in &dashboard.gates {
        let task = facts.task(*i);
        for branch in protected_branches(task, config) {
            let at = match branches.iter().position(|b| b.branch == branch) {
                Some(at) => at,
                None => {
                    branches.push(BranchGates {
                        branch,
                        passes: true,
                        gates: Vec::new(),
                    });
                    branches.len() - 1
                }
            };
            let entry = &mut branches[at];
            entry.passes &= report.state.passes();
            entry.gates.push(GateSummary {
                task: Named::new(task),
                state: report.state,
                reasons: &report.reasons,
                holds: &report.holds,
            });
        }
    }
    branches
}
