//! Gate states: whether a go/no-go checkpoint lets work through.

use serde::Serialize;

use crate::action::Action;
use crate::graph::{Graph, Target};
use crate::id::TaskId;
use crate::task::Status;

/// The state of a gate (docs/gates.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GateState {
    /// Completed, every criterion met, everything it waits for resolved.
    Green,
    /// Waived: it passes, with a warning naming who waived it and why.
    Yellow,
    /// Anything else: it holds back what it protects.
    Red,
    /// Cancelled gates protect nothing.
    Cancelled,
}

impl GateState {
    pub fn as_str(self) -> &'static str {
        match self {
            GateState::Green => "green",
            GateState::Yellow => "yellow",
            GateState::Red => "red",
            GateState::Cancelled => "cancelled",
        }
    }

    /// Whether the gate lets a commit through.
    pub fn passes(self) -> bool {
        self != GateState::Red
    }
}

/// A gate's state and, when it is red, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateReport {
    pub state: GateState,
    /// Why it is red (or what was waived), in words for a person: one
    /// line for each of [`GateReport::holds`].
    pub reasons: Vec<String>,
    /// Why it is red, or the waiver that lets it pass, as data.
    pub holds: Vec<GateHold>,
}

/// One thing that holds a gate red, or the waiver that lets it pass
/// anyway: what a program reads where a person reads
/// [`GateReport::reasons`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "hold", rename_all = "snake_case")]
pub enum GateHold {
    /// It is not completed.
    Status { status: Status },
    /// It waits for unresolved tasks, or for ids that name no task: the
    /// first ten of them, and how many more.
    Waits { ids: Vec<String>, more: usize },
    /// Success criteria not met, by number (from 1).
    Criteria { unmet: Vec<usize> },
    /// It is waived: it passes, yellow, for this reason.
    Waived {
        by: String,
        reason: String,
        at: chrono::DateTime<chrono::Utc>,
    },
}

/// The state of gate task `i`; `None` when the task is not a gate.
pub fn gate_state(graph: &Graph, i: usize) -> Option<GateReport> {
    graph.tasks().tasks()[i].gate.as_ref()?;
    Some(state_as_gate(graph, i))
}

/// The state task `i` has as a gate, whether or not it still says it is
/// one: a gate a branch's policy requires is judged even when the pushed
/// commit dropped its `gate` key.
fn state_as_gate(graph: &Graph, i: usize) -> GateReport {
    let task = &graph.tasks().tasks()[i];
    if task.status == Status::Cancelled {
        return GateReport {
            state: GateState::Cancelled,
            reasons: Vec::new(),
            holds: Vec::new(),
        };
    }
    let mut reasons = Vec::new();
    let mut holds = Vec::new();
    if task.status != Status::Completed {
        reasons.push(format!("it is {}, not completed", task.status));
        holds.push(GateHold::Status {
            status: task.status,
        });
    }
    // The first few waits, as the words list them: a gate that waits for
    // thousands is judged by every hook, and says how many more there are.
    let (waits, more) = graph.first_open_waits(i);
    if !waits.is_empty() {
        let lines = graph.wait_lines(&waits, more);
        reasons.push(format!("it waits for {}", lines.join(", ")));
        let tasks = graph.tasks().tasks();
        let ids = waits.iter().map(|w| match &w.target {
            Target::Task(j) => tasks[*j].id.to_string(),
            Target::Missing(id) => id.to_string(),
        });
        holds.push(GateHold::Waits {
            ids: ids.collect(),
            more,
        });
    }
    let (numbers, unmet): (Vec<usize>, Vec<String>) = task
        .unmet_criteria()
        .map(|(n, c)| (n, format!("{n}. {}", c.text)))
        .unzip();
    if !unmet.is_empty() {
        reasons.push(format!("criteria not met: {}", unmet.join("; ")));
        holds.push(GateHold::Criteria { unmet: numbers });
    }
    let state = if reasons.is_empty() {
        GateState::Green
    } else if let Some(w) = &task.waiver {
        reasons = vec![format!(
            "waived by {} at {}: {}",
            w.by,
            w.at.format("%Y-%m-%d"),
            w.reason
        )];
        holds = vec![GateHold::Waived {
            by: w.by.clone(),
            reason: w.reason.clone(),
            at: w.at,
        }];
        GateState::Yellow
    } else {
        GateState::Red
    };
    GateReport {
        state,
        reasons,
        holds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::set;

    #[test]
    fn states() {
        let s = set(&[
            ("build", "status = \"completed\""),
            (
                "green",
                "gate = true;status = \"completed\";blocked_by = [\"build\"]",
            ),
            ("red", "gate = true;blocked_by = [\"open\"]"),
            ("open", ""),
            (
                "yellow",
                "gate = true\n[waiver]\nby = \"ana\"\nreason = \"risk accepted\"\nat = 2026-11-21T09:00:00Z",
            ),
            ("gone", "gate = true;status = \"cancelled\""),
            (
                "unmet",
                "gate = true;status = \"completed\"\n[[criteria]]\ntext = \"signed off\"",
            ),
        ]);
        let g = Graph::new(&s);
        let state = |id: &str| gate_state(&g, s.index_of(id).unwrap()).map(|r| r.state);
        assert_eq!(state("green"), Some(GateState::Green));
        assert_eq!(state("red"), Some(GateState::Red));
        assert_eq!(state("yellow"), Some(GateState::Yellow));
        assert_eq!(state("gone"), Some(GateState::Cancelled));
        assert_eq!(state("unmet"), Some(GateState::Red));
        assert_eq!(state("open"), None);
        let red = gate_state(&g, s.index_of("red").unwrap()).unwrap();
        assert_eq!(red.reasons.len(), 2, "{:?}", red.reasons);
    }

    #[test]
    fn holds_say_as_data_what_the_reasons_say_in_words() {
        let s = set(&[
            (
                "red",
                "gate = true;blocked_by = [\"open\", \"ghost\"]\n[[criteria]]\ntext = \"a\"\nmet = true\n[[criteria]]\ntext = \"b\"",
            ),
            ("open", ""),
            (
                "yellow",
                "gate = true\n[waiver]\nby = \"ana\"\nreason = \"risk accepted\"\nat = 2026-11-21T09:00:00Z",
            ),
            ("green", "gate = true;status = \"completed\""),
        ]);
        let g = Graph::new(&s);
        let report = |id: &str| gate_state(&g, s.index_of(id).unwrap()).unwrap();
        let red = report("red");
        assert_eq!(
            red.holds,
            vec![
                GateHold::Status {
                    status: Status::Pending
                },
                GateHold::Waits {
                    ids: vec!["open".into(), "ghost".into()],
                    more: 0
                },
                GateHold::Criteria { unmet: vec![2] },
            ]
        );
        assert_eq!(red.holds.len(), red.reasons.len());
        let yellow = report("yellow");
        assert!(
            matches!(&yellow.holds[..], [GateHold::Waived { by, reason, .. }] if by == "ana" && reason == "risk accepted"),
            "{:?}",
            yellow.holds
        );
        assert!(report("green").holds.is_empty());

        // A gate that waits for many names the first ten, as its words do.
        let many: Vec<String> = (0..12).map(|n| format!("\"m{n:02}\"")).collect();
        let s = set(&[(
            "big",
            &format!(
                "gate = true;status = \"completed\";blocked_by = [{}]",
                many.join(", ")
            ),
        )]);
        let g = Graph::new(&s);
        let big = gate_state(&g, 0).unwrap();
        match &big.holds[..] {
            [GateHold::Waits { ids, more: 2 }] => assert_eq!(ids.len(), 10),
            other => panic!("{other:?}"),
        }
        assert!(big.reasons[0].ends_with("and 2 more"), "{:?}", big.reasons);
    }
}

/// A branch's short name: `refs/heads/main` → `main`.
pub fn short_branch(name: &str) -> &str {
    name.strip_prefix("refs/heads/").unwrap_or(name)
}

/// Whether `pattern` (a branch name or a git wildmatch glob: `*` stays
/// within one path component, `**` crosses them) matches `branch`.
pub fn branch_matches(pattern: &str, branch: &str) -> bool {
    crate::store::wildmatch(pattern, short_branch(branch))
}

/// The branch names and globs a gate task protects: `gate = true` the
/// branches of `gates.branches`; `gate = { branches = [...] }` its own;
/// nothing when the task is not a gate.
pub fn protected_branches<'a>(
    task: &'a crate::Task,
    config: &'a crate::config::Config,
) -> &'a [String] {
    match &task.gate {
        None => &[],
        Some(crate::task::Gate::ConfiguredBranches) => &config.gate_branches,
        Some(crate::task::Gate::Branches(globs)) => globs,
    }
}

/// Whether a gate task protects `branch` (see [`protected_branches`]).
pub fn protects(task: &crate::Task, config: &crate::config::Config, branch: &str) -> bool {
    protected_branches(task, config)
        .iter()
        .any(|p| branch_matches(p, branch))
}

/// Every gate that protects `branch`, with its state, in id order.
pub fn gates_for_branch(
    graph: &Graph,
    config: &crate::config::Config,
    branch: &str,
) -> Vec<(usize, GateReport)> {
    let tasks = graph.tasks().tasks();
    (0..tasks.len())
        .filter(|&i| protects(&tasks[i], config, branch))
        .filter_map(|i| gate_state(graph, i).map(|r| (i, r)))
        .collect()
}

/// A gate that protects a branch by the branch's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    pub id: TaskId,
    pub subject: String,
}

/// Which gates protect a branch, read from another commit than the one
/// that is to become its tip: the branch's tip before a push or a merge
/// (or, for a branch a push creates, the default branch's tip). The
/// commit cannot lift them (docs/hooks.md): in it, each must be green,
/// yellow or cancelled, and one it lacks is red.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The branch the gates were read from, as people name it here:
    /// `main`, or `origin/main` in a clone.
    pub from: String,
    /// Whether that is the default branch, standing in for a branch that
    /// does not exist yet.
    pub default_branch: bool,
    /// The commit they were read from, abbreviated.
    pub commit: String,
    pub gates: Vec<Required>,
    /// Whether the commit checked against the policy is a merge about to
    /// be recorded here rather than a push: what a missing gate is said
    /// to be removed by.
    pub merge: bool,
}

impl Policy {
    /// The gates of `tasks` that protect `branch` by `config`, read from
    /// commit `commit` of branch `from` (the default branch's when
    /// `default_branch`). Cancelled gates protect nothing. Only which gates
    /// there are matters here, not their state: no graph is needed.
    pub fn read(
        tasks: &crate::TaskSet,
        config: &crate::config::Config,
        branch: &str,
        from: String,
        commit: String,
        default_branch: bool,
    ) -> Policy {
        let gates = tasks
            .iter()
            .filter(|t| t.status != Status::Cancelled && protects(t, config, branch))
            .map(|task| Required {
                id: task.id.clone(),
                subject: task.subject.clone(),
            })
            .collect();
        Policy {
            from,
            default_branch,
            commit,
            gates,
            merge: false,
        }
    }

    /// Where the gates were read, for people: `origin/main at 1a2b3c4`.
    pub fn source(&self) -> String {
        let default = if self.default_branch {
            "the default branch "
        } else {
            ""
        };
        format!("{default}{} at {}", self.from, self.commit)
    }
}

/// A gate that a commit must satisfy to become a branch's tip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applies {
    /// Gate task `index` of the commit, with its state. `inherited` when
    /// the commit itself no longer has it protect the branch, and only the
    /// policy does.
    Gate {
        index: usize,
        report: GateReport,
        inherited: bool,
    },
    /// A gate the policy requires that the commit does not have.
    Missing(Required),
}

/// Every gate that protects `branch` for the commit of `graph`: those its
/// own tasks and `config` say protect it, and those `policy` requires, in
/// id order.
pub fn gates_for_tip(
    graph: &Graph,
    config: &crate::config::Config,
    branch: &str,
    policy: &Policy,
) -> Vec<(TaskId, Applies)> {
    let tasks = graph.tasks();
    let mut out: Vec<(TaskId, Applies)> = gates_for_branch(graph, config, branch)
        .into_iter()
        .map(|(index, report)| {
            (
                tasks.tasks()[index].id.clone(),
                Applies::Gate {
                    index,
                    report,
                    inherited: false,
                },
            )
        })
        .collect();
    for required in &policy.gates {
        if out.iter().any(|(id, _)| id == &required.id) {
            continue;
        }
        let applies = match tasks.index_of(required.id.as_str()) {
            Some(index) => Applies::Gate {
                index,
                report: state_as_gate(graph, index),
                inherited: true,
            },
            None => Applies::Missing(required.clone()),
        };
        out.push((required.id.clone(), applies));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The action that marks a task's unmet criteria met (`criteria ID --met
/// 1 3`), when it has any.
pub fn mark_met(task: &crate::Task) -> Option<Action> {
    let numbers: Vec<usize> = task.unmet_criteria().map(|(n, _)| n).collect();
    (!numbers.is_empty()).then(|| Action::CriteriaMet {
        id: task.id.clone(),
        numbers,
    })
}

/// One thing that moves a red gate on, with the action that does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Finish what the gate waits for, which [`Action::Show`] lists.
    FinishWaits(Action),
    /// Mark its unmet criteria met.
    MarkMet(Action),
    /// Complete it.
    Complete(Action),
    /// Let it pass with a warning: waive it.
    Waive(Action),
}

impl Step {
    /// The action that takes the step.
    pub fn action(&self) -> &Action {
        match self {
            Step::FinishWaits(a) | Step::MarkMet(a) | Step::Complete(a) | Step::Waive(a) => a,
        }
    }
}

/// What moves the red gate `i` on, the most direct first; waiving it is
/// always the last way.
pub fn next_steps(graph: &Graph, i: usize) -> Vec<Step> {
    let task = &graph.tasks().tasks()[i];
    let id = &task.id;
    let mut steps = Vec::new();
    if graph.is_blocked(i) {
        steps.push(Step::FinishWaits(Action::Show { id: id.clone() }));
    }
    if let Some(action) = mark_met(task) {
        steps.push(Step::MarkMet(action));
    }
    if task.status != Status::Completed {
        steps.push(Step::Complete(Action::Done {
            id: id.clone(),
            force: false,
            no_verify: false,
        }));
    }
    steps.push(Step::Waive(Action::Waive { id: id.clone() }));
    steps
}

#[cfg(test)]
mod branch_tests {
    use super::*;

    #[test]
    fn branch_globs() {
        assert!(branch_matches("main", "refs/heads/main"));
        assert!(branch_matches("release/*", "release/1.0"));
        assert!(!branch_matches("release/*", "release/1.0/hotfix"));
        assert!(branch_matches("release/**", "release/1.0/hotfix"));
        assert!(!branch_matches("main", "maintenance"));
    }
}
