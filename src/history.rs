//! What changed between two versions of a task, field by field: the
//! vocabulary of `log` and `diff`.

use std::fmt;

use serde::Serialize;

use crate::field::Field;
use crate::store::{ObjectId, Source, Workspace};
use crate::task::{Gate, Status, Task};

/// One change to one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// `pending → in_progress`, …
    Status {
        from: Status,
        to: Status,
    },
    /// Any other single-valued field: `subject`, `owner`, `priority`, …
    /// (serialized by its key). The values are as written in the file;
    /// `None` when absent.
    Field {
        field: Field,
        from: Option<String>,
        to: Option<String>,
    },
    BlockerAdded {
        id: String,
    },
    BlockerRemoved {
        id: String,
    },
    LabelAdded {
        label: String,
    },
    LabelRemoved {
        label: String,
    },
    CriterionAdded {
        text: String,
    },
    CriterionRemoved {
        text: String,
    },
    CriterionMet {
        text: String,
    },
    CriterionUnmet {
        text: String,
    },
    NoteAdded {
        at: String,
        by: Option<String>,
        text: String,
    },
    Waived {
        by: String,
        reason: String,
    },
    WaiverRemoved,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        match self {
            Change::Status { from, to } => write!(f, "status {from} → {to}"),
            Change::Field { field, from, to } => {
                write!(f, "{field} {} → {}", or_none(from), or_none(to))
            }
            Change::BlockerAdded { id } => write!(f, "now waits for {id}"),
            Change::BlockerRemoved { id } => write!(f, "no longer waits for {id}"),
            Change::LabelAdded { label } => write!(f, "label +{label}"),
            Change::LabelRemoved { label } => write!(f, "label -{label}"),
            Change::CriterionAdded { text } => write!(f, "criterion added: {text}"),
            Change::CriterionRemoved { text } => write!(f, "criterion removed: {text}"),
            Change::CriterionMet { text } => write!(f, "criterion met: {text}"),
            Change::CriterionUnmet { text } => write!(f, "criterion unmet: {text}"),
            Change::NoteAdded { by, text, .. } => match by {
                Some(by) => write!(f, "note by {by}: {text}"),
                None => write!(f, "note: {text}"),
            },
            Change::Waived { by, reason } => write!(f, "gate waived by {by}: {reason}"),
            Change::WaiverRemoved => write!(f, "waiver removed"),
        }
    }
}

fn gate_text(gate: &Option<Gate>) -> Option<String> {
    gate.as_ref().map(|g| match g {
        Gate::ConfiguredBranches => "true".to_string(),
        Gate::Branches(b) => format!("{{ branches = [{}] }}", b.join(", ")),
    })
}

/// A single-valued field's value as `log` and `diff` show it (`Some(None)`
/// when the task has none). `None` for a field whose changes are told in
/// words of their own (the status, the sets, criteria, notes and the
/// waiver) or not told: `created` names the task and does not change,
/// `closed` goes with the status, and `meta` is for tools. A new field
/// must say here which it is.
fn shown(task: &Task, field: Field) -> Option<Option<String>> {
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(crate::task::format_timestamp);
    Some(match field {
        Field::Subject => Some(task.subject.clone()),
        Field::Kind => Some(task.kind.to_string()),
        Field::Priority => Some(task.priority.to_string()),
        Field::Parent => task.parent.as_ref().map(|p| p.to_string()),
        Field::Gate => gate_text(&task.gate),
        Field::Owner => task.owner.clone(),
        Field::Estimate => task.estimate.as_ref().map(|e| e.to_string()),
        Field::Due => task.due.map(|d| d.to_string()),
        Field::Verify => task.verify.clone(),
        Field::Started => time(task.started),
        Field::PlanKey => task.plan_key.as_ref().map(|k| k.to_string()),
        Field::Origin => task.origin.as_ref().map(|o| o.to_string()),
        Field::Description => task
            .description
            .as_deref()
            .map(|d| d.trim_end().to_string()),
        Field::Status
        | Field::BlockedBy
        | Field::Labels
        | Field::Criteria
        | Field::Waiver
        | Field::Notes
        | Field::Created
        | Field::Closed
        | Field::Meta => return None,
    })
}

/// Every change from `old` to `new`, in the order of the task file's keys.
pub fn task_changes(old: &Task, new: &Task) -> Vec<Change> {
    let status = (old.status != new.status).then_some(Change::Status {
        from: old.status,
        to: new.status,
    });
    let mut changes = Vec::new();
    changes.extend(status);
    for &field in Field::ALL {
        if let (Some(from), Some(to)) = (shown(old, field), shown(new, field))
            && from != to
        {
            changes.push(Change::Field { field, from, to });
        }
    }
    for b in &new.blocked_by {
        if !old.blocked_by.contains(b) {
            changes.push(Change::BlockerAdded { id: b.to_string() });
        }
    }
    for b in &old.blocked_by {
        if !new.blocked_by.contains(b) {
            changes.push(Change::BlockerRemoved { id: b.to_string() });
        }
    }
    for l in &new.labels {
        if !old.labels.contains(l) {
            changes.push(Change::LabelAdded { label: l.clone() });
        }
    }
    for l in &old.labels {
        if !new.labels.contains(l) {
            changes.push(Change::LabelRemoved { label: l.clone() });
        }
    }
    for c in &new.criteria {
        match old.criteria.iter().find(|o| o.text == c.text) {
            None => changes.push(Change::CriterionAdded {
                text: c.text.clone(),
            }),
            Some(o) if !o.met && c.met => changes.push(Change::CriterionMet {
                text: c.text.clone(),
            }),
            Some(o) if o.met && !c.met => changes.push(Change::CriterionUnmet {
                text: c.text.clone(),
            }),
            Some(_) => {}
        }
    }
    for c in &old.criteria {
        if !new.criteria.iter().any(|n| n.text == c.text) {
            changes.push(Change::CriterionRemoved {
                text: c.text.clone(),
            });
        }
    }
    for n in &new.notes {
        if !old.notes.contains(n) {
            changes.push(Change::NoteAdded {
                at: crate::task::format_timestamp(n.at),
                by: n.by.clone(),
                text: n.text.clone(),
            });
        }
    }
    match (&old.waiver, &new.waiver) {
        (None, Some(w)) => changes.push(Change::Waived {
            by: w.by.clone(),
            reason: w.reason.clone(),
        }),
        (Some(a), Some(b)) if a != b => changes.push(Change::Waived {
            by: b.by.clone(),
            reason: b.reason.clone(),
        }),
        (Some(_), None) => changes.push(Change::WaiverRemoved),
        _ => {}
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TaskId;

    fn task(text: &str) -> Task {
        Task::parse(TaskId::parse("t").unwrap(), text).unwrap()
    }

    #[test]
    fn lists_each_kind_of_change() {
        let old = task(
            "subject = \"A\"\nblocked_by = [\"x\", \"y\"]\nlabels = [\"db\"]\n[[criteria]]\ntext = \"c1\"\n",
        );
        let new = task(
            "subject = \"B\"\nstatus = \"in_progress\"\nowner = \"ana\"\nstarted = 2026-11-21T09:30:00Z\nblocked_by = [\"y\", \"z\"]\n[[criteria]]\ntext = \"c1\"\nmet = true\n[[notes]]\nat = 2026-11-21T10:00:00Z\nby = \"ana\"\ntext = \"started\"\n",
        );
        let text: Vec<String> = task_changes(&old, &new)
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            text,
            [
                "status pending → in_progress",
                "subject A → B",
                "owner (none) → ana",
                "started (none) → 2026-11-21T09:30:00Z",
                "now waits for z",
                "no longer waits for x",
                "label -db",
                "criterion met: c1",
                "note by ana: started",
            ]
        );
        assert!(task_changes(&old, &old).is_empty());
    }
}

/// A task set before and after: what a pull request changes.
#[derive(Debug, Clone, Default)]
pub struct TaskSetDiff {
    /// Indices into the new set.
    pub added: Vec<usize>,
    /// Indices into the old set.
    pub removed: Vec<usize>,
    /// (old index, new index, changes), for tasks in both that differ.
    pub changed: Vec<(usize, usize, Vec<Change>)>,
    /// Gates whose state differs: (id, subject, before, after); `None` where
    /// the task is not a gate (or not there) on that side.
    pub gates: Vec<GateChange>,
}

/// A gate whose state changed between the two sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GateChange {
    pub id: String,
    pub subject: String,
    pub from: Option<crate::gate::GateState>,
    pub to: Option<crate::gate::GateState>,
}

impl TaskSetDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.gates.is_empty()
    }
}

/// Compares two task sets, task by task (by id), and their gates.
pub fn diff_sets(old: &crate::TaskSet, new: &crate::TaskSet) -> TaskSetDiff {
    use crate::gate::gate_state;
    use crate::graph::Graph;
    let mut out = TaskSetDiff::default();
    let (a, b) = (old.tasks(), new.tasks());
    // Both sets are sorted by id: walk them side by side.
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.id == y.id => {
                if x != y {
                    out.changed.push((i, j, task_changes(x, y)));
                }
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x.id < y.id => {
                out.removed.push(i);
                i += 1;
            }
            (Some(_), None) => {
                out.removed.push(i);
                i += 1;
            }
            _ => {
                out.added.push(j);
                j += 1;
            }
        }
    }
    // A changed task can turn a gate red or green elsewhere: compare every
    // gate's state, not only the changed tasks'.
    let (ga, gb) = (Graph::new(old), Graph::new(new));
    let mut ids: Vec<&str> = a
        .iter()
        .chain(b.iter())
        .filter(|t| t.gate.is_some())
        .map(|t| t.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        let from = old
            .index_of(id)
            .and_then(|k| gate_state(&ga, k))
            .map(|r| r.state);
        let to = new
            .index_of(id)
            .and_then(|k| gate_state(&gb, k))
            .map(|r| r.state);
        if from != to {
            let subject = new
                .get(id)
                .or(old.get(id))
                .map(|t| t.subject.clone())
                .unwrap_or_default();
            out.gates.push(GateChange {
                id: id.to_owned(),
                subject,
                from,
                to,
            });
        }
    }
    out
}

/// Two sides to compare and how to name them: what `diff` compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub from: Source,
    pub to: Source,
    /// How the output names each side: the revision as given with its
    /// short id (`main (1a2b3c4)`), the short id alone when that is what
    /// was given, or `the working tree`.
    pub from_name: String,
    pub to_name: String,
    /// For `A...B`, and the default range: the merge base `from` is.
    pub merge_base: Option<MergeBase>,
}

/// Where a three-dot range starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeBase {
    /// The range as it is shown: `main...HEAD`, `origin/HEAD...HEAD`.
    pub spec: String,
    pub commit: ObjectId,
    /// The commit, abbreviated as git abbreviates.
    pub short: String,
}

/// The two sides of `range`: `A..B` (two revisions), `A...B` (from their
/// merge base to B), or a single revision `A` (A against the working
/// tree); an empty side is `HEAD`. Without a range: from where HEAD
/// branched off the default branch (`origin/HEAD`, else `main`, else
/// `master`) to HEAD, which is what a pull request shows.
pub fn resolve_range(ws: &Workspace, range: Option<&str>) -> crate::Result<Range> {
    use crate::Error;
    let rev = |s: &str| {
        if s.is_empty() {
            "HEAD".to_string()
        } else {
            s.to_string()
        }
    };
    let (from, to, spec) = match range {
        None => {
            let (branch, base) = default_base(ws)?;
            let spec = format!("{branch}...HEAD");
            (Source::Rev(base.to_string()), rev(""), Some((spec, base)))
        }
        Some(r) => {
            if let Some((a, b)) = r.split_once("...") {
                let (a, b) = (rev(a), rev(b));
                let base = ws.merge_base(&a, &b)?.ok_or_else(|| {
                    Error::Invalid(crate::error::Invalid::NoCommonHistory {
                        a: a.clone(),
                        b: b.clone(),
                    })
                })?;
                let spec = format!("{a}...{b}");
                (Source::Rev(base.to_string()), b, Some((spec, base)))
            } else if let Some((a, b)) = r.split_once("..") {
                (Source::Rev(rev(a)), rev(b), None)
            } else {
                let range = Range {
                    from_name: side_name(ws, &Source::Rev(r.to_owned())),
                    from: Source::Rev(r.to_owned()),
                    to_name: Source::WorkTree.to_string(),
                    to: Source::WorkTree,
                    merge_base: None,
                };
                return Ok(range);
            }
        }
    };
    let to = Source::Rev(to);
    Ok(Range {
        from_name: side_name(ws, &from),
        to_name: side_name(ws, &to),
        from,
        to,
        merge_base: spec.map(|(spec, commit)| MergeBase {
            spec,
            short: ws.short_id(commit),
            commit,
        }),
    })
}

/// How a side is named: a revision with its short id, unless the short id
/// is what was given (or a full id was).
fn side_name(ws: &Workspace, source: &Source) -> String {
    match source {
        Source::Rev(rev) => {
            let short = ws
                .find_rev(rev)
                .map_or_else(|| rev.clone(), |id| ws.short_id(id));
            if short.starts_with(rev.as_str()) || rev.len() == 40 {
                short
            } else {
                format!("{rev} ({short})")
            }
        }
        other => other.to_string(),
    }
}

/// Where HEAD branched off the default branch (`origin/HEAD`, else `main`,
/// else `master`): the branch compared with (as `main` or `origin/HEAD`)
/// and the merge base.
fn default_base(ws: &Workspace) -> crate::Result<(String, ObjectId)> {
    // gix's own message for an unborn HEAD quotes its internals.
    let Ok(Some(head)) = ws.head_commit() else {
        return Err(crate::error::Invalid::NothingToCompare.into());
    };
    let candidates = [
        "refs/remotes/origin/HEAD",
        "refs/heads/main",
        "refs/heads/master",
        "refs/remotes/origin/main",
        "refs/remotes/origin/master",
    ];
    for name in candidates {
        let Ok(Some(target)) = ws.reference(name) else {
            continue;
        };
        if let Ok(Some(base)) = ws.merge_base_of(target.id, head) {
            let branch = name
                .trim_start_matches("refs/heads/")
                .trim_start_matches("refs/remotes/");
            return Ok((branch.to_owned(), base));
        }
    }
    Err(crate::error::Invalid::NoDefaultBranch.into())
}

#[cfg(test)]
mod range_tests {
    use super::*;
    use crate::Error;
    use crate::store::testing::TestRepo;

    fn rev(s: &str) -> Source {
        Source::Rev(s.to_owned())
    }

    /// main: base ← on-main; topic: base ← on-topic (checked out).
    fn forked() -> (TestRepo, String, String) {
        let repo = TestRepo::new();
        let base = repo.commit("base");
        repo.commit("on main");
        repo.git(&["checkout", "-q", "-b", "topic", &base]);
        let topic = repo.commit("on topic");
        (repo, base, topic)
    }

    fn short(repo: &TestRepo, rev: &str) -> String {
        repo.git(&["rev-parse", "--short", rev])
    }

    #[test]
    fn by_default_from_where_head_left_the_default_branch() {
        let (repo, base, _) = forked();
        let range = resolve_range(&repo.workspace(), None).unwrap();
        assert_eq!(range.from, rev(&base));
        assert_eq!(range.to, rev("HEAD"));
        assert_eq!(range.from_name, short(&repo, &base));
        assert_eq!(range.to_name, format!("HEAD ({})", short(&repo, "HEAD")));
        let merge_base = range.merge_base.unwrap();
        assert_eq!(merge_base.spec, "main...HEAD");
        assert_eq!(merge_base.commit.to_string(), base);
        assert_eq!(merge_base.short, short(&repo, &base));

        // origin/HEAD comes first, named as the remote's.
        repo.git(&["update-ref", "refs/remotes/origin/trunk", "HEAD~1"]);
        repo.git(&[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/trunk",
        ]);
        let range = resolve_range(&repo.workspace(), None).unwrap();
        assert_eq!(range.merge_base.unwrap().spec, "origin/HEAD...HEAD");
    }

    #[test]
    fn two_dots_compare_two_revisions_and_three_their_merge_base() {
        let (repo, base, topic) = forked();
        let ws = repo.workspace();
        let range = resolve_range(&ws, Some("main..topic")).unwrap();
        assert_eq!((range.from, range.to), (rev("main"), rev("topic")));
        assert_eq!(range.from_name, format!("main ({})", short(&repo, "main")));
        assert_eq!(range.merge_base, None);
        // An empty side is HEAD.
        let range = resolve_range(&ws, Some("main..")).unwrap();
        assert_eq!(range.to, rev("HEAD"));

        let range = resolve_range(&ws, Some("main...topic")).unwrap();
        assert_eq!((range.from, range.to), (rev(&base), rev("topic")));
        assert_eq!(range.merge_base.unwrap().spec, "main...topic");
        let range = resolve_range(&ws, Some("main...")).unwrap();
        assert_eq!(range.merge_base.unwrap().spec, "main...HEAD");

        // One revision: against the working tree. The short id given is
        // its own name; a longer one is shown with the short id.
        let abbreviated = short(&repo, &topic);
        let range = resolve_range(&ws, Some(&abbreviated)).unwrap();
        assert_eq!(
            (range.from, range.to),
            (rev(&abbreviated), Source::WorkTree)
        );
        assert_eq!(range.from_name, abbreviated);
        assert_eq!(range.to_name, "the working tree");
        let longer = &topic[..abbreviated.len() + 2];
        let range = resolve_range(&ws, Some(longer)).unwrap();
        assert_eq!(range.from_name, format!("{longer} ({abbreviated})"));
        let range = resolve_range(&ws, Some(&topic)).unwrap();
        assert_eq!(range.from_name, abbreviated);
    }

    #[test]
    fn ranges_that_cannot_be_compared_say_why() {
        let repo = TestRepo::new();
        let error = resolve_range(&repo.workspace(), None).unwrap_err();
        assert!(error.to_string().contains("no commits yet"), "{error}");

        repo.git(&["checkout", "-q", "-b", "trunk"]);
        repo.commit("first");
        let ws = repo.workspace();
        let error = resolve_range(&ws, None).unwrap_err();
        assert!(error.to_string().contains("no default branch"), "{error}");

        repo.git(&["checkout", "-q", "--orphan", "island"]);
        repo.commit("unrelated");
        let ws = repo.workspace();
        let error = resolve_range(&ws, Some("trunk...island")).unwrap_err();
        assert!(
            error.to_string().contains("have no common history"),
            "{error}"
        );
        assert!(matches!(
            resolve_range(&ws, Some("trunk...nowhere")),
            Err(Error::UnknownRevision { rev }) if rev == "nowhere"
        ));
    }
}
