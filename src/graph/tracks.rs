//! Tracks: the independent work streams of the unresolved graph, with the
//! points where work converges (fan-in) and spreads (fan-out).

use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;

use super::plan::{CriticalPath, Open};

/// One independent stream of work: a weakly connected part of the
/// unresolved graph. Nothing in one track waits for anything in another,
/// so tracks can be handed to different people or agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    /// Task indices, sorted.
    pub tasks: Vec<usize>,
    /// Where the track starts: tasks that wait for nothing unresolved.
    pub starts: Vec<usize>,
    /// Where it ends: tasks nothing unresolved waits for.
    pub ends: Vec<usize>,
    /// Convergence points: tasks waiting for two or more tasks, with how
    /// many they wait for.
    pub fan_ins: Vec<(usize, usize)>,
    /// Tasks that two or more tasks wait for, with how many.
    pub fan_outs: Vec<(usize, usize)>,
    /// All the work in the track, in minutes.
    pub work: u64,
    /// How long the track takes with unlimited people: its longest chain.
    pub length: u64,
}

/// The tracks of the unresolved graph, longest first (then by first id).
pub fn tracks(open: &Open, cp: &CriticalPath) -> Vec<Track> {
    let dag = open.dag();
    let count = dag.node_count();
    let mut sets = UnionFind::<usize>::new(count);
    for e in dag.edge_references() {
        sets.union(e.source().index(), e.target().index());
    }
    let labels = sets.into_labeling();
    let mut slot_of = vec![usize::MAX; count];
    let mut tracks: Vec<Track> = Vec::new();
    // Nodes are added in task-index order, so tasks come out sorted.
    for n in dag.node_indices() {
        let root = labels[n.index()];
        if slot_of[root] == usize::MAX {
            slot_of[root] = tracks.len();
            tracks.push(Track {
                tasks: Vec::new(),
                starts: Vec::new(),
                ends: Vec::new(),
                fan_ins: Vec::new(),
                fan_outs: Vec::new(),
                work: 0,
                length: 0,
            });
        }
        let track = &mut tracks[slot_of[root]];
        let i = dag[n];
        track.tasks.push(i);
        let before = dag
            .neighbors_directed(n, petgraph::Direction::Incoming)
            .count();
        let after = dag
            .neighbors_directed(n, petgraph::Direction::Outgoing)
            .count();
        if before == 0 {
            track.starts.push(i);
        }
        if after == 0 {
            track.ends.push(i);
        }
        if before >= 2 {
            track.fan_ins.push((i, before));
        }
        if after >= 2 {
            track.fan_outs.push((i, after));
        }
        if let Some(t) = cp.timing[i] {
            track.work += t.minutes;
            track.length = track.length.max(t.earliest_finish);
        }
    }
    tracks.sort_by(|a, b| b.length.cmp(&a.length).then(a.tasks[0].cmp(&b.tasks[0])));
    tracks
}
