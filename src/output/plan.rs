//! `plan`, `critical-path` and `tracks` as JSON.

use chrono::{NaiveDate, NaiveDateTime, SecondsFormat};
use schemars::JsonSchema;
use serde::Serialize;

use super::{Named, Version};
use crate::clock::Zone;
use crate::facts::Facts;
use crate::graph::{Calendar, CriticalPath, Schedule, Timing, Track};
use crate::id::TaskId;

/// A time of the calendar as JSON: RFC 3339 with the zone's offset, or
/// null past the calendar's last day.
fn stamp(t: Option<NaiveDateTime>, zone: &Zone) -> Option<String> {
    t.and_then(|t| zone.stamp(t))
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, false))
}

/// One scheduled task.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlannedTask<'a> {
    /// The task's id and subject.
    #[serde(flatten)]
    pub task: Named<'a>,
    /// The wave, from 1.
    pub wave: usize,
    /// The worker, from 1; null for a task with no work of its own.
    pub worker: Option<usize>,
    pub start_minutes: u64,
    pub end_minutes: u64,
    pub start: Option<String>,
    pub end: Option<String>,
    pub work_minutes: u64,
    /// Counted as 1d for want of an estimate.
    pub unestimated: bool,
    pub slack_minutes: u64,
    pub due: Option<NaiveDate>,
    pub late: bool,
}

/// A task the schedule ends after its due date.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LateTask<'a> {
    pub id: &'a TaskId,
    pub due: NaiveDate,
    /// Null past the calendar's last day.
    pub projected_end: Option<NaiveDate>,
}

/// The document of `plan`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PlanReport<'a> {
    pub version: Version,
    pub workers: usize,
    pub finish_minutes: u64,
    pub finish: Option<String>,
    pub critical_path_minutes: u64,
    /// Each wave's task ids; wave 1 is what can run in parallel now.
    pub waves: Vec<Vec<&'a TaskId>>,
    pub tasks: Vec<PlannedTask<'a>>,
    pub late: Vec<LateTask<'a>>,
}

/// What a plan is made of.
#[derive(Debug, Clone, Copy)]
pub struct PlanParts<'p> {
    pub waves: &'p [Vec<usize>],
    pub critical_path: &'p CriticalPath,
    pub schedule: &'p Schedule,
    pub calendar: Calendar,
    pub zone: &'p Zone,
}

impl<'a> PlanReport<'a> {
    /// The waves and the schedule of `parts`, times on its calendar in its
    /// zone.
    pub fn new(facts: &Facts<'a>, parts: PlanParts) -> PlanReport<'a> {
        let PlanParts {
            waves,
            critical_path: cp,
            schedule,
            calendar,
            zone,
        } = parts;
        let count = facts.set.len();
        let mut wave_of = vec![0usize; count];
        for (w, wave) in waves.iter().enumerate() {
            for &i in wave {
                wave_of[i] = w + 1;
            }
        }
        let late = schedule.late(facts.set.tasks(), &calendar);
        let mut is_late = vec![false; count];
        for l in &late {
            is_late[l.task] = true;
        }
        let tasks = (0..count)
            .filter_map(|i| {
                let slot = schedule.slots[i]?;
                let timing = cp.timing[i]?;
                let t = facts.task(i);
                Some(PlannedTask {
                    task: Named::new(t),
                    wave: wave_of[i],
                    worker: slot.worker.map(|w| w + 1),
                    start_minutes: slot.start,
                    end_minutes: slot.end,
                    start: stamp(calendar.start_at(slot.start), zone),
                    end: stamp(calendar.end_at(slot.end), zone),
                    work_minutes: timing.minutes,
                    unestimated: timing.unestimated,
                    slack_minutes: timing.slack,
                    due: t.due,
                    late: is_late[i],
                })
            })
            .collect();
        PlanReport {
            version: Version,
            workers: schedule.workers,
            finish_minutes: schedule.finish,
            finish: stamp(calendar.end_at(schedule.finish), zone),
            critical_path_minutes: cp.length,
            waves: waves
                .iter()
                .map(|w| w.iter().map(|&i| &facts.task(i).id).collect())
                .collect(),
            tasks,
            late: late
                .iter()
                .map(|l| LateTask {
                    id: &facts.task(l.task).id,
                    due: l.due,
                    projected_end: l.projected_end,
                })
                .collect(),
        }
    }
}

/// One task's timing on the critical-path analysis.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TimedTask<'a> {
    /// The task's id and subject.
    #[serde(flatten)]
    pub task: Named<'a>,
    pub work_minutes: u64,
    pub unestimated: bool,
    pub earliest_start_minutes: u64,
    pub earliest_finish_minutes: u64,
    pub latest_start_minutes: u64,
    pub latest_finish_minutes: u64,
    pub slack_minutes: u64,
}

impl<'a> TimedTask<'a> {
    fn new(facts: &Facts<'a>, i: usize, t: &Timing) -> TimedTask<'a> {
        TimedTask {
            task: Named::new(facts.task(i)),
            work_minutes: t.minutes,
            unestimated: t.unestimated,
            earliest_start_minutes: t.earliest_start,
            earliest_finish_minutes: t.earliest_finish,
            latest_start_minutes: t.latest_start,
            latest_finish_minutes: t.latest_finish,
            slack_minutes: t.slack,
        }
    }
}

/// The document of `critical-path`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CriticalPathReport<'a> {
    pub version: Version,
    pub length_minutes: u64,
    /// When the path ends on the calendar; null past its last day.
    pub finish: Option<String>,
    /// The path, first to last.
    pub path: Vec<TimedTask<'a>>,
    /// Every unresolved task.
    pub tasks: Vec<TimedTask<'a>>,
}

impl<'a> CriticalPathReport<'a> {
    /// The critical path and every unresolved task's timing.
    pub fn new(
        facts: &Facts<'a>,
        cp: &CriticalPath,
        calendar: Calendar,
        zone: &Zone,
    ) -> CriticalPathReport<'a> {
        let timed = |i: usize| cp.timing[i].map(|t| TimedTask::new(facts, i, &t));
        CriticalPathReport {
            version: Version,
            length_minutes: cp.length,
            finish: stamp(calendar.end_at(cp.length), zone),
            path: cp.path.iter().filter_map(|&i| timed(i)).collect(),
            tasks: (0..facts.set.len()).filter_map(timed).collect(),
        }
    }
}

/// A convergence point: a task waiting for two or more tasks.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FanIn<'a> {
    pub id: &'a TaskId,
    pub waits_for: usize,
}

/// A task that two or more tasks wait for.
#[derive(Debug, Serialize, JsonSchema)]
pub struct FanOut<'a> {
    pub id: &'a TaskId,
    pub waited_for_by: usize,
}

/// One independent track of work.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TrackObject<'a> {
    pub tasks: Vec<&'a TaskId>,
    pub starts: Vec<&'a TaskId>,
    pub ends: Vec<&'a TaskId>,
    pub fan_ins: Vec<FanIn<'a>>,
    pub fan_outs: Vec<FanOut<'a>>,
    pub work_minutes: u64,
    pub length_minutes: u64,
}

/// The document of `tracks`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TracksReport<'a> {
    pub version: Version,
    /// Longest first.
    pub tracks: Vec<TrackObject<'a>>,
}

impl<'a> TracksReport<'a> {
    /// The independent tracks of the unresolved graph.
    pub fn new(facts: &Facts<'a>, tracks: &[Track]) -> TracksReport<'a> {
        let id = |i: usize| &facts.task(i).id;
        let ids = |list: &[usize]| list.iter().map(|&i| id(i)).collect();
        TracksReport {
            version: Version,
            tracks: tracks
                .iter()
                .map(|t| TrackObject {
                    tasks: ids(&t.tasks),
                    starts: ids(&t.starts),
                    ends: ids(&t.ends),
                    fan_ins: t
                        .fan_ins
                        .iter()
                        .map(|&(i, n)| FanIn {
                            id: id(i),
                            waits_for: n,
                        })
                        .collect(),
                    fan_outs: t
                        .fan_outs
                        .iter()
                        .map(|&(i, n)| FanOut {
                            id: id(i),
                            waited_for_by: n,
                        })
                        .collect(),
                    work_minutes: t.work,
                    length_minutes: t.length,
                })
                .collect(),
        }
    }
}
