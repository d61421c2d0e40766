//! Property tests of the three-way merge on random tasks and random edits
//! made as git-task makes them (through `TaskDocument`): a change meets an
//! unchanged side intact, the same change on both sides is taken once,
//! which side is "ours" does not matter, and what merges cleanly is a valid
//! task.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use git_task::document::TaskDocument;
use git_task::merge::{self, ConflictKind, Label, Markers, Merged, Request, Version};
use git_task::{Task, TaskId};
use proptest::prelude::*;
use toml_edit::Item;

const SUBJECTS: &[&str] = &["Ship it", "Ship it now", "Ship it later", "Ship"];
const KINDS: &[&str] = &["epic", "story", "task", "subtask"];
const PRIORITIES: &[&str] = &["critical", "high", "medium", "low"];
const PEOPLE: &[&str] = &["ana@example.com", "bo@example.com"];
const LABELS: &[&str] = &["db", "ops", "ui", "docs"];
const BLOCKERS: &[&str] = &["a", "b", "c", "d"];
const CRITERIA: &[&str] = &["tests pass", "docs written", "tag pushed"];
const TEXTS: &[&str] = &["ran on staging", "ran in production", "rolled back"];
const META: &[&str] = &["sprint", "team"];
const DESCRIPTIONS: &[&str] = &["Do it.\n", "Do it well.\nThen stop.\n"];
const ESTIMATES: &[&str] = &["30m", "2d"];

fn id() -> TaskId {
    TaskId::parse("t").unwrap()
}

fn time(minutes: u16) -> DateTime<Utc> {
    let start: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
    start + Duration::minutes(i64::from(minutes))
}

/// One change, as a git-task command would make it.
#[derive(Debug, Clone)]
enum Edit {
    Subject(usize),
    Kind(usize),
    Priority(usize),
    Owner(Option<usize>),
    Description(Option<usize>),
    Estimate(Option<usize>),
    Due(Option<u8>),
    Start,
    /// `done` or `cancel` at a time.
    Close(bool, u16),
    Reopen,
    Label(bool, usize),
    Blocker(bool, usize),
    Note(u16, Option<usize>, usize),
    AddCriterion(usize),
    Met(usize, bool),
    Meta(usize, Option<i64>),
    Gate(bool),
    Waive(usize, u16),
}

impl Edit {
    /// What the edit touches, so that edits with nothing in common can be
    /// told apart from edits of the same field.
    fn footprint(&self) -> BTreeSet<String> {
        let keys: Vec<String> = match self {
            Edit::Subject(_) => vec!["subject".into()],
            Edit::Kind(_) => vec!["kind".into()],
            Edit::Priority(_) => vec!["priority".into()],
            Edit::Owner(_) => vec!["owner".into()],
            Edit::Description(_) => vec!["description".into()],
            Edit::Estimate(_) => vec!["estimate".into()],
            Edit::Due(_) => vec!["due".into()],
            Edit::Start | Edit::Close(..) | Edit::Reopen => {
                vec!["status".into(), "closed".into()]
            }
            Edit::Label(_, i) => vec![format!("label {i}")],
            Edit::Blocker(_, i) => vec![format!("blocker {i}")],
            Edit::Note(at, by, text) => vec![format!("note {at} {by:?} {text}")],
            Edit::AddCriterion(i) | Edit::Met(i, _) => vec![format!("criterion {i}")],
            Edit::Meta(i, _) => vec![format!("meta {i}")],
            Edit::Gate(_) | Edit::Waive(..) => vec!["gate".into(), "waiver".into()],
        };
        keys.into_iter().collect()
    }

    fn apply(&self, doc: &mut TaskDocument) {
        match self {
            Edit::Subject(i) => doc.set_str("subject", SUBJECTS[*i]),
            Edit::Kind(i) => set_or_default(doc, "kind", KINDS[*i], "task"),
            Edit::Priority(i) => set_or_default(doc, "priority", PRIORITIES[*i], "medium"),
            Edit::Owner(who) => match who {
                Some(i) => doc.set_str("owner", PEOPLE[*i]),
                None => doc.remove("owner"),
            },
            Edit::Description(d) => match d {
                Some(i) => doc.set_str("description", DESCRIPTIONS[*i]),
                None => doc.remove("description"),
            },
            Edit::Estimate(e) => match e {
                Some(i) => doc.set_str("estimate", ESTIMATES[*i]),
                None => doc.remove("estimate"),
            },
            Edit::Due(d) => match d {
                Some(day) => doc.set_date(
                    "due",
                    NaiveDate::from_ymd_opt(2026, 12, u32::from(*day % 28) + 1).unwrap(),
                ),
                None => doc.remove("due"),
            },
            Edit::Start => {
                doc.set_str("status", "in_progress");
                doc.remove("closed");
            }
            Edit::Close(done, at) => {
                doc.set_str("status", if *done { "completed" } else { "cancelled" });
                doc.set_time("closed", time(*at));
            }
            Edit::Reopen => {
                doc.remove("status");
                doc.remove("closed");
            }
            Edit::Label(add, i) => {
                if *add {
                    doc.add_to_array("labels", LABELS[*i]);
                } else {
                    doc.remove_from_array("labels", LABELS[*i]);
                }
            }
            Edit::Blocker(add, i) => {
                if *add {
                    doc.add_to_array("blocked_by", BLOCKERS[*i]);
                } else {
                    doc.remove_from_array("blocked_by", BLOCKERS[*i]);
                }
            }
            Edit::Note(at, by, text) => {
                doc.push_note(time(*at), by.map(|i| PEOPLE[i]), TEXTS[*text]);
            }
            Edit::AddCriterion(i) => {
                if criterion_index(doc, CRITERIA[*i]).is_none() {
                    doc.push_criterion(CRITERIA[*i]);
                }
            }
            Edit::Met(i, met) => {
                if let Some(n) = criterion_index(doc, CRITERIA[*i]) {
                    doc.set_criterion_met(n, *met);
                }
            }
            Edit::Meta(i, value) => match value {
                Some(v) => doc.set_meta(META[*i], *v),
                None => doc.remove_meta(META[*i]),
            },
            Edit::Gate(on) => {
                if *on {
                    doc.set("gate", true);
                } else {
                    // Only gates can be waived: the waiver goes with it.
                    doc.remove("gate");
                    doc.remove("waiver");
                }
            }
            Edit::Waive(by, at) => {
                if doc.contains("gate") {
                    doc.set_waiver(PEOPLE[*by], "risk accepted", time(*at));
                }
            }
        }
    }
}

fn set_or_default(doc: &mut TaskDocument, key: &str, value: &str, default: &str) {
    if value == default {
        doc.remove(key);
    } else {
        doc.set_str(key, value);
    }
}

fn criterion_index(doc: &TaskDocument, text: &str) -> Option<usize> {
    doc.get("criteria")
        .and_then(Item::as_array_of_tables)?
        .iter()
        .position(|t| t.get("text").and_then(Item::as_str) == Some(text))
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = |n: usize| 0..n;
    prop_oneof![
        i(SUBJECTS.len()).prop_map(Edit::Subject),
        i(KINDS.len()).prop_map(Edit::Kind),
        i(PRIORITIES.len()).prop_map(Edit::Priority),
        proptest::option::of(i(PEOPLE.len())).prop_map(Edit::Owner),
        proptest::option::of(i(DESCRIPTIONS.len())).prop_map(Edit::Description),
        proptest::option::of(i(ESTIMATES.len())).prop_map(Edit::Estimate),
        proptest::option::of(any::<u8>()).prop_map(Edit::Due),
        Just(Edit::Start),
        (any::<bool>(), 0..600u16).prop_map(|(d, at)| Edit::Close(d, at)),
        Just(Edit::Reopen),
        (any::<bool>(), i(LABELS.len())).prop_map(|(a, l)| Edit::Label(a, l)),
        (any::<bool>(), i(BLOCKERS.len())).prop_map(|(a, b)| Edit::Blocker(a, b)),
        (
            0..4u16,
            proptest::option::of(i(PEOPLE.len())),
            i(TEXTS.len())
        )
            .prop_map(|(at, by, t)| Edit::Note(at * 60, by, t)),
        i(CRITERIA.len()).prop_map(Edit::AddCriterion),
        (i(CRITERIA.len()), any::<bool>()).prop_map(|(c, m)| Edit::Met(c, m)),
        (i(META.len()), proptest::option::of(0..3i64)).prop_map(|(k, v)| Edit::Meta(k, v)),
        any::<bool>().prop_map(Edit::Gate),
        (i(PEOPLE.len()), 0..600u16).prop_map(|(by, at)| Edit::Waive(by, at)),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(edit(), 0..6)
}

/// A task made by `add` and then the `history` edits.
fn task() -> impl Strategy<Value = String> {
    (0..SUBJECTS.len(), 0..1000u16, edits()).prop_map(|(subject, created, history)| {
        let mut doc = TaskDocument::new();
        doc.set_str("subject", SUBJECTS[subject]);
        doc.set_time("created", time(created));
        apply(&doc.to_string(), &history)
    })
}

/// `text` after `edits`, each made on the file as the last one left it.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut text = text.to_owned();
    for edit in edits {
        let mut doc = TaskDocument::parse(&text).unwrap();
        edit.apply(&mut doc);
        text = doc.to_string();
    }
    text
}

/// The same task with comments added by hand: no field changes, and the
/// comments must arrive in the merge.
fn reformatted(text: &str) -> String {
    format!("# Reformatted by hand.\n{text}\n# The end.\n")
}

/// `text` with reformatted's comments, as the merge places them: the first
/// line above the first key, the other at the end of the file.
fn with_comments(text: &str) -> String {
    format!("# Reformatted by hand.\n{text}# The end.\n")
}

/// The same task with only its spacing changed: no change at all to the
/// merge, which keeps the other side's layout.
fn respaced(text: &str) -> String {
    format!("{text}\n\n")
}

/// A task as the merge should be judged: the order of sets, criteria and
/// notes is the merge's choice, their contents are not.
fn normalized(text: &str) -> Task {
    let mut task = Task::parse(id(), text)
        .unwrap_or_else(|e| panic!("{}:{}: {}\n{text}", e.line, e.column, e.message));
    task.blocked_by.sort();
    task.labels.sort();
    task.criteria
        .sort_by(|a, b| (&a.text, a.met).cmp(&(&b.text, b.met)));
    task.notes
        .sort_by(|a, b| (a.at, &a.by, &a.text).cmp(&(b.at, &b.by, &b.text)));
    task
}

/// The merge with every conflict resolved to one side.
fn resolve(merged: &Merged, keep_ours: bool) -> String {
    #[derive(PartialEq)]
    enum In {
        Neither,
        Ours,
        Theirs,
    }
    let mut state = In::Neither;
    let mut out = String::new();
    for line in merged.text.split_inclusive('\n') {
        match state {
            In::Neither if line.starts_with("<<<<<<< ") => state = In::Ours,
            In::Ours if line.trim_end() == "=======" => state = In::Theirs,
            In::Theirs if line.starts_with(">>>>>>> ") => state = In::Neither,
            In::Neither => out.push_str(line),
            In::Ours if keep_ours => out.push_str(line),
            In::Theirs if !keep_ours => out.push_str(line),
            _ => {}
        }
    }
    out
}

/// What is in conflict, whatever the order.
fn conflicted(merged: &Merged) -> BTreeSet<String> {
    merged
        .conflicts
        .iter()
        .map(|c| format!("{:?} {:?}", c.field, c.kind))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_change_against_an_unchanged_side_is_that_change(base in task(), change in edits()) {
        let changed = apply(&base, &change);
        // A change that leaves the text as it was is no change.
        prop_assume!(changed != base);
        let unchanged = reformatted(&base);

        // Theirs changed nothing but spacing: ours, to the byte.
        let m = merge::merge(&base, &changed, &respaced(&base));
        prop_assert!(m.is_clean(), "{}", m.text);
        prop_assert_eq!(&m.text, &changed);

        // Theirs changed only comments: ours, with theirs' comments.
        let m = merge::merge(&base, &changed, &unchanged);
        prop_assert!(m.is_clean(), "{}", m.text);
        prop_assert_eq!(&m.text, &with_comments(&changed));

        // Ours changed nothing: theirs' change, on ours' formatting.
        let m = merge::merge(&base, &unchanged, &changed);
        prop_assert!(m.is_clean(), "{}", m.text);
        prop_assert_eq!(normalized(&m.text), normalized(&changed));
        prop_assert!(m.text.starts_with("# Reformatted by hand.\n"), "{}", m.text);
    }

    #[test]
    fn the_same_change_on_both_sides_is_taken_once(base in task(), change in edits()) {
        let ours = apply(&base, &change);
        prop_assume!(ours != base);
        let m = merge::merge(&base, &ours, &respaced(&ours));
        prop_assert!(m.is_clean(), "{}", m.text);
        prop_assert_eq!(&m.text, &ours);
        // With comments added on one side, the comments too.
        let m = merge::merge(&base, &ours, &reformatted(&ours));
        prop_assert!(m.is_clean(), "{}", m.text);
        prop_assert_eq!(&m.text, &with_comments(&ours));
    }

    #[test]
    fn changes_to_different_fields_merge_as_if_made_one_after_the_other(
        base in task(),
        first in edits(),
        second in edits(),
    ) {
        let touched = |edits: &[Edit]| {
            edits.iter().flat_map(Edit::footprint).collect::<BTreeSet<_>>()
        };
        prop_assume!(touched(&first).is_disjoint(&touched(&second)));
        let ours = apply(&base, &first);
        let theirs = apply(&base, &second);
        let m = merge::merge(&base, &ours, &theirs);
        prop_assert!(m.is_clean(), "{}", m.text);
        prop_assert_eq!(normalized(&m.text), normalized(&apply(&ours, &second)));
    }

    #[test]
    fn which_side_is_ours_does_not_matter(
        base in task(),
        first in edits(),
        second in edits(),
        added_on_both_sides in proptest::bool::weighted(0.1),
    ) {
        let ours = apply(&base, &first);
        let theirs = apply(&base, &second);
        // An edit can make a task no one could commit (a waiver on a task
        // that is no longer a gate); resolving to that side cannot give a
        // valid task, so such sides are not the question here.
        prop_assume!(Task::parse(id(), &ours).is_ok() && Task::parse(id(), &theirs).is_ok());
        let base = if added_on_both_sides { String::new() } else { base };
        let m = merge::merge(&base, &ours, &theirs);
        let swapped = merge::merge(&base, &theirs, &ours);
        prop_assert_eq!(conflicted(&m), conflicted(&swapped), "{}\n{}", m.text, swapped.text);
        if m.is_clean() {
            prop_assert_eq!(normalized(&m.text), normalized(&swapped.text));
        } else {
            // Taking ours everywhere in one is taking theirs in the other.
            prop_assert_eq!(normalized(&resolve(&m, true)), normalized(&resolve(&swapped, false)));
            prop_assert_eq!(normalized(&resolve(&m, false)), normalized(&resolve(&swapped, true)));
        }
    }

    #[test]
    fn a_clean_merge_is_a_valid_task_and_a_conflict_is_where_check_looks(
        base in task(),
        first in edits(),
        second in edits(),
    ) {
        let ours = apply(&base, &first);
        let theirs = apply(&base, &second);
        let m = merge::merge(&base, &ours, &theirs);
        match Task::parse(id(), &m.text) {
            Ok(_) => prop_assert!(m.is_clean(), "{}", m.text),
            Err(e) => {
                prop_assert!(!m.is_clean(), "{}:{}: {}\n{}", e.line, e.column, e.message, m.text);
                // `check` reports the first marker, which is the first
                // conflict's.
                prop_assert_eq!(e.line, m.conflicts[0].line);
                prop_assert!(e.message.contains("conflict marker"), "{}", e.message);
                let line = m.text.lines().nth(e.line - 1).unwrap_or_default();
                prop_assert!(line.starts_with("<<<<<<< ours"), "{}", line);
            }
        }
    }

    #[test]
    fn two_tasks_that_drew_one_id_are_never_fused(
        ours in task(),
        theirs in task(),
    ) {
        let created = |text: &str| Task::parse(id(), text).unwrap().created;
        prop_assume!(created(&ours) != created(&theirs));
        let m = merge::merge("", &ours, &theirs);
        prop_assert_eq!(m.conflicts.len(), 1);
        prop_assert_eq!(&m.conflicts[0].kind, &ConflictKind::SameId);
        prop_assert_eq!(resolve(&m, true), ours);
        prop_assert_eq!(resolve(&m, false), theirs);
    }
}

/// What can go wrong with a version git hands the driver.
#[derive(Debug, Clone)]
enum Damage {
    None,
    /// Cut short at a byte (TOML that may not parse).
    Truncated(usize),
    /// A byte that is not UTF-8 put in.
    NotUtf8(usize),
    /// The whole file between conflict markers, as committed by mistake.
    Markers,
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => Just(Damage::None),
        1 => any::<usize>().prop_map(Damage::Truncated),
        1 => any::<usize>().prop_map(Damage::NotUtf8),
        1 => Just(Damage::Markers),
    ]
}

fn damaged(text: &str, damage: &Damage) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    match damage {
        Damage::None => {}
        Damage::Truncated(at) => bytes.truncate(at % (bytes.len() + 1)),
        Damage::NotUtf8(at) => bytes.insert(at % (bytes.len() + 1), 0xff),
        Damage::Markers => {
            bytes = format!("<<<<<<< a\n{text}=======\n{text}>>>>>>> b\n").into_bytes();
        }
    }
    bytes
}

/// The notes of a task, as comparable values. Read as TOML only: a merge
/// resolved to one side may be no valid task (a waiver without its gate),
/// and its notes still count.
fn notes(text: &str) -> Vec<String> {
    let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    match table.get("notes") {
        Some(toml::Value::Array(notes)) => notes.iter().map(|n| n.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Whether every note of `side` is in `merged`, as often.
fn keeps_notes(merged: &str, side: &str) -> bool {
    let have = notes(merged);
    let want = notes(side);
    want.iter()
        .all(|n| have.iter().filter(|h| *h == n).count() >= want.iter().filter(|w| *w == n).count())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_driver_always_leaves_a_task_or_markers(
        base in task(),
        first in edits(),
        second in edits(),
        damages in (damage(), damage(), damage()),
        width in 7..12usize,
        labelled in any::<bool>(),
    ) {
        let ours = apply(&base, &first);
        let theirs = apply(&base, &second);
        let (b, o, t) = (
            damaged(&base, &damages.0),
            damaged(&ours, &damages.1),
            damaged(&theirs, &damages.2),
        );
        let labels = [Label::parse("1a2b3c4"), Label::parse("HEAD"), Label::parse("feature")];
        let label = |i: usize| if labelled { labels[i].as_ref() } else { None };
        let request = Request {
            base: Version { bytes: Some(&b), label: label(0) },
            ours: Version { bytes: Some(&o), label: label(1) },
            theirs: Version { bytes: Some(&t), label: label(2) },
            path: Some(".tasks/t.toml"),
            marker_size: width,
        };
        let m = request.merge();
        let valid = |bytes: &[u8]| {
            std::str::from_utf8(bytes).is_ok_and(|text| Task::parse(id(), text).is_ok())
        };
        if m.is_clean() {
            // A side that is TOML but no valid task (cut short inside a
            // note) merges as TOML, and `check` and the commit hook refuse
            // the result as they refuse that side.
            let toml = std::str::from_utf8(&m.bytes)
                .is_ok_and(|text| TaskDocument::parse(text).is_ok());
            let expected = if valid(&o) && valid(&t) { valid(&m.bytes) } else { toml };
            prop_assert!(
                m.bytes == o || m.bytes == t || expected,
                "{}",
                String::from_utf8_lossy(&m.bytes)
            );
        } else {
            let open = format!("{} ", "<".repeat(width));
            let text = String::from_utf8_lossy(&m.bytes);
            let first_marker = text.lines().position(|l| l.starts_with(&open));
            prop_assert_eq!(first_marker.map(|i| i + 1), Some(m.conflicts[0].line), "{}", text);
            if m.conflicts[0].field.is_none() {
                // Both sides whole, byte for byte.
                let markers = Markers {
                    ours: if labelled { "HEAD".into() } else { "ours".into() },
                    theirs: if labelled { "feature".into() } else { "theirs".into() },
                    width,
                };
                prop_assert_eq!(&m.bytes, &markers.block(&o, &t));
            }
        }
    }

    #[test]
    fn no_note_of_either_side_is_lost(
        base in task(),
        first in edits(),
        second in edits(),
        criss_cross in proptest::option::of((edits(), edits())),
    ) {
        // In a criss-cross merge the base is git's merge of two bases,
        // which holds markers where they disagree; each side starts from
        // one of them.
        let (base, ours_start, theirs_start) = match &criss_cross {
            None => (base.clone(), base.clone(), base),
            Some((a, b)) => {
                let (left, right) = (apply(&base, a), apply(&base, b));
                let inner = Markers { ours: "1".into(), theirs: "2".into(), width: 9 };
                (inner.text_block(&left, &right), left, right)
            }
        };
        let ours = apply(&ours_start, &first);
        let theirs = apply(&theirs_start, &second);
        prop_assume!(Task::parse(id(), &ours).is_ok() && Task::parse(id(), &theirs).is_ok());
        let m = merge::merge(&base, &ours, &theirs);
        let resolutions = if m.is_clean() {
            vec![m.text.clone()]
        } else if m.conflicts[0].field.is_none() {
            // The whole file: each side keeps its own notes.
            return Ok(());
        } else {
            vec![resolve(&m, true), resolve(&m, false)]
        };
        for merged in resolutions {
            prop_assert!(keeps_notes(&merged, &ours), "{}", merged);
            prop_assert!(keeps_notes(&merged, &theirs), "{}", merged);
        }
    }
}
