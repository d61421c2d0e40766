//! A schedule as a Mermaid Gantt chart: what `plan --format mermaid`
//! prints.

use std::fmt::Write as _;

use chrono::NaiveDateTime;

use super::escape;
use crate::graph::{Calendar, CriticalPath, Schedule};
use crate::taskset::TaskSet;

/// A Mermaid Gantt chart of `schedule` on `calendar`: one section per
/// worker, critical tasks marked `crit`, tasks without work of their own
/// (gates, parents without an estimate) as milestones. Bars start in the
/// order the schedule starts them, ties by id.
pub fn gantt(set: &TaskSet, cp: &CriticalPath, schedule: &Schedule, calendar: Calendar) -> String {
    let mut out = String::from("gantt\n");
    let _ = writeln!(
        out,
        "    title Plan for {} worker{}",
        schedule.workers,
        if schedule.workers == 1 { "" } else { "s" }
    );
    out.push_str("    dateFormat YYYY-MM-DD HH:mm\n    axisFormat %m-%d\n    excludes weekends\n");
    // A chart needs a date for every bar: work past the calendar's last
    // day is drawn ending on it, and a comment says so.
    let past_end = std::cell::Cell::new(false);
    let stamp = |t: Option<NaiveDateTime>| match t {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => {
            past_end.set(true);
            format!("{} 17:00", Calendar::LAST_DAY)
        }
    };
    let start = |m: u64| stamp(calendar.start_at(m));
    let end = |m: u64| stamp(calendar.end_at(m));
    // One section per worker, and the milestones last.
    let mut sections: Vec<Vec<String>> = vec![Vec::new(); schedule.workers + 1];
    let order = schedule.by_start();
    for (i, slot) in order {
        let t = &set.tasks()[i];
        let name = format!("{} ({})", escape::gantt_name(&t.subject), t.id);
        let crit = cp.timing[i].is_some_and(|x| x.is_critical());
        let tag = escape::mermaid_id(t.id.as_str());
        match slot.worker {
            Some(w) => {
                let crit = if crit { "crit, " } else { "" };
                sections[w].push(format!(
                    "    {name} :{crit}{tag}, {}, {}",
                    start(slot.start),
                    end(slot.end)
                ));
            }
            None => sections[schedule.workers].push(format!(
                "    {name} :milestone, {tag}, {}, 0d",
                end(slot.start)
            )),
        }
    }
    if past_end.get() {
        let _ = writeln!(
            out,
            "    %% work after {} is drawn as ending on that day",
            Calendar::LAST_DAY
        );
    }
    for (w, lines) in sections.iter().enumerate() {
        if lines.is_empty() {
            continue;
        }
        if w == schedule.workers {
            out.push_str("    section Milestones\n");
        } else {
            let _ = writeln!(out, "    section Worker {}", w + 1);
        }
        for line in lines {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Graph, Open};
    use crate::testing::set;

    use chrono::NaiveDate;

    #[test]
    fn workers_get_sections_and_checkpoints_are_milestones() {
        let s = set(&[
            ("build", "subject = \"Build: it #1\";estimate = \"1d\""),
            ("docs", "subject = \"%% Docs\";estimate = \"4h\""),
            (
                "gate",
                "subject = \"Ship\";gate = true;blocked_by = [\"build\", \"docs\"]",
            ),
        ]);
        let g = Graph::new(&s);
        let open = Open::new(&g).unwrap();
        let cp = open.critical_path();
        let schedule = open.schedule(&g, &cp, 2);
        // 2026-11-20 is a Friday.
        let calendar = Calendar {
            start: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            offset: 0,
        };
        assert_eq!(
            gantt(&s, &cp, &schedule, calendar),
            "gantt\n\
             \x20   title Plan for 2 workers\n\
             \x20   dateFormat YYYY-MM-DD HH:mm\n\
             \x20   axisFormat %m-%d\n\
             \x20   excludes weekends\n\
             \x20   section Worker 1\n\
             \x20   Build  it  1 (build) :crit, t_build, 2026-11-20 09:00, 2026-11-20 17:00\n\
             \x20   section Worker 2\n\
             \x20   % % Docs (docs) :t_docs, 2026-11-20 09:00, 2026-11-20 13:00\n\
             \x20   section Milestones\n\
             \x20   Ship (gate) :milestone, t_gate, 2026-11-20 17:00, 0d\n"
        );
    }
}
