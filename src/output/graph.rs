//! `graph` and `gate list` as JSON.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Brief, Named, Version};
use crate::drawing::{Drawing, EdgeKind};
use crate::facts::Facts;
use crate::gate::{GateHold, GateReport, GateState, gate_state};
use crate::graph::State;
use crate::id::TaskId;
use crate::task::{Kind, Waiver};

/// A drawn task.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Node<'a> {
    /// The task's id, subject and status.
    #[serde(flatten)]
    pub task: Brief<'a>,
    pub state: State,
    pub ready: bool,
    pub kind: Kind,
    /// The gate's state; null for a task that is not a gate.
    pub gate: Option<GateState>,
}

/// A drawn edge: `from` waits for `to`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EdgeObject<'a> {
    pub from: &'a TaskId,
    pub to: &'a TaskId,
    /// `blocker` for a `blocked_by` entry, `child` for a child's link to
    /// its parent.
    pub kind: EdgeKind,
}

/// The document of `graph --format json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GraphDocument<'a> {
    pub version: Version,
    pub nodes: Vec<Node<'a>>,
    pub edges: Vec<EdgeObject<'a>>,
}

impl<'a> GraphDocument<'a> {
    /// The tasks and edges of `drawing`.
    pub fn new(facts: &Facts<'a>, drawing: &Drawing) -> GraphDocument<'a> {
        GraphDocument {
            version: Version,
            nodes: drawing
                .shown
                .iter()
                .map(|&i| {
                    let task = facts.task(i);
                    Node {
                        task: Brief::new(task),
                        state: facts.state(i),
                        ready: facts.is_ready(i),
                        kind: task.kind,
                        gate: gate_state(&facts.graph, i).map(|g| g.state),
                    }
                })
                .collect(),
            edges: drawing
                .edges
                .iter()
                .map(|e| EdgeObject {
                    from: &facts.task(e.from).id,
                    to: &facts.task(e.to).id,
                    kind: e.kind,
                })
                .collect(),
        }
    }
}

/// A gate with its state, the branches it protects and any waiver.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GateObject<'a> {
    /// The task's id and subject.
    #[serde(flatten)]
    pub task: Named<'a>,
    pub state: GateState,
    /// Why it is red, or what was waived, in words.
    pub reasons: &'a [String],
    /// The same as data.
    pub holds: &'a [GateHold],
    pub branches: Vec<String>,
    pub waiver: Option<&'a Waiver>,
}

/// The document of `gate list`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct GateList<'a> {
    pub version: Version,
    /// The branch asked about (`--target`), or null for every gate.
    pub target: Option<&'a str>,
    pub gates: Vec<GateObject<'a>>,
}

impl<'a> GateList<'a> {
    /// `gates` with each one's protected branches from `branches`.
    pub fn new(
        facts: &Facts<'a>,
        target: Option<&'a str>,
        gates: &'a [(usize, GateReport)],
        branches: impl Fn(usize) -> Vec<String>,
    ) -> GateList<'a> {
        GateList {
            version: Version,
            target,
            gates: gates
                .iter()
                .map(|(i, r)| {
                    let t = facts.task(*i);
                    GateObject {
                        task: Named::new(t),
                        state: r.state,
                        reasons: &r.reasons,
                        holds: &r.holds,
                        branches: branches(*i),
                        waiver: t.waiver.as_ref(),
                    }
                })
                .collect(),
        }
    }
}
