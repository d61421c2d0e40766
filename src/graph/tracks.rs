//! Tracks: the independent work streams of the unresolved graph, with the
//! points where work converges (fan-in) and spreads (fan-out).

use petgraph::unionfind::UnionFind;

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
    // Two tasks are in one track when a chain of edges joins them. A
    // virtual node joins what comes before it to what comes after only
    // when a task comes after it: one that leads nowhere must not tie
    // together the blockers it stands for.
    let joins = open.joining();
    let mut sets = UnionFind::<usize>::new(open.node_count());
    for (a, b) in open.edges() {
        if joins[a as usize] && joins[b as usize] {
            sets.union(a as usize, b as usize);
        }
    }
    let labels = sets.into_labeling();
    let (before, after) = open.degrees();
    let mut slot_of = vec![usize::MAX; open.node_count()];
    let mut tracks: Vec<Track> = Vec::new();
    // Task nodes follow task order, so tasks come out sorted.
    for (k, i) in open.task_nodes() {
        let root = labels[k as usize];
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
        track.tasks.push(i);
        let (before, after) = (before[i] as usize, after[i] as usize);
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
            track.work = track.work.saturating_add(t.minutes);
            track.length = track.length.max(t.earliest_finish);
        }
    }
    tracks.sort_by(|a, b| b.length.cmp(&a.length).then(a.tasks[0].cmp(&b.tasks[0])));
    tracks
}
