//! Edits as the fuzzer builds them: each is one change git-task makes to
//! a task file in place (what `edit`, `note`, `criteria`, `dep`, `start`,
//! `done`, `rename`, `gate waive` and `import` do to a document), and the
//! same change made to the task it reads as.

use arbitrary::{Arbitrary, Unstructured};
use chrono::{DateTime, NaiveDate, Utc};

use git_task::change::set_or_default;
use git_task::document::TaskDocument;
use git_task::task::{Criterion, Estimate, Gate, Kind, Note, Priority, Status, Waiver};
use git_task::{Field, Task, TaskId};

/// A piece of text: mostly short words, sometimes any string (controls,
/// quotes, marker-like lines, bidi characters), as people and agents
/// write them.
#[derive(Debug, Clone)]
pub struct Text(pub String);

impl<'a> Arbitrary<'a> for Text {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Text> {
        const WORDS: &[&str] = &[
            "fix",
            "the",
            "login",
            "\"quoted\"",
            "'single'",
            "#not-a-comment",
            "<<<<<<< ours",
            "=======",
            ">>>>>>> theirs",
            "a\nb",
            "\r\n",
            "\u{202e}",
            "\u{0}",
            "\t",
            "ü",
            "🦀",
            "\\",
            "\"\"\"",
            "'''",
            "[meta]",
            "x = 1",
            "",
        ];
        if u.ratio(1, 3)? {
            return Ok(Text(String::arbitrary(u)?));
        }
        let n = u.int_in_range(1..=4)?;
        let mut words = Vec::with_capacity(n);
        for _ in 0..n {
            words.push(*u.choose(WORDS)?);
        }
        Ok(Text(words.join(" ")))
    }
}

/// A task id, from a small set so that edits meet each other.
#[derive(Debug, Clone)]
pub struct Id(pub TaskId);

impl<'a> Arbitrary<'a> for Id {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Id> {
        const IDS: &[&str] = &["a", "b", "c", "design", "build-1", "x9", "fuzz-task"];
        let id = if u.ratio(1, 4)? {
            TaskId::parse(&String::arbitrary(u)?).ok()
        } else {
            None
        };
        Ok(Id(id.unwrap_or_else(|| {
            TaskId::parse(IDS[usize::from(u.arbitrary::<u8>().unwrap_or(0)) % IDS.len()])
                .expect("valid")
        })))
    }
}

/// A time to the second, between 2000 and 2100.
#[derive(Debug, Clone, Copy)]
pub struct Time(pub DateTime<Utc>);

impl<'a> Arbitrary<'a> for Time {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Time> {
        let secs = u.int_in_range(946_684_800i64..=4_102_444_800)?;
        Ok(Time(DateTime::from_timestamp(secs, 0).expect("in range")))
    }
}

/// One change to a task file.
#[derive(Debug, Clone, Arbitrary)]
pub enum Edit {
    Subject(Text),
    Status(u8),
    Kind(u8),
    Priority(u8),
    Parent(Id),
    Owner(Text),
    Estimate(u16, u8),
    Due(u16, u8, u8),
    Verify(Text),
    Description(Text),
    Gate(Option<Vec<Text>>),
    AddLabel(Text),
    RemoveLabel(u8),
    AddBlocker(Id),
    RemoveBlocker(u8),
    /// `rename`: a reference to one task becomes one to another.
    ReplaceBlocker(u8, Id),
    Unset(u8),
    Started(Time),
    Closed(Time),
    Note(Time, Option<Text>, Text),
    Criterion(Text),
    CriterionMet(u8, bool),
    Waiver(Text, Text, Time),
    Meta(Text, Text),
    RemoveMeta(u8),
    /// What import does: the whole task brought to another task, field
    /// by field.
    Rewrite(Vec<Edit>),
}

fn pick<T: Copy>(all: &[T], n: u8) -> T {
    all[usize::from(n) % all.len()]
}

impl Edit {
    /// Applies the edit to `doc`, in place, and to `task`, the task the
    /// document reads as. Returns false for an edit the commands refuse
    /// before they touch the file (a subject of two lines, an own
    /// blocker): it is then applied to neither.
    pub fn apply(&self, doc: &mut TaskDocument, task: &mut Task) -> bool {
        match self {
            Edit::Subject(Text(s)) => {
                if git_task::change::check_line(git_task::error::Line::Subject, s).is_err() {
                    return false;
                }
                doc.set_str(Field::Subject, s);
                task.subject = s.clone();
            }
            Edit::Status(n) => {
                let status = pick(Status::ALL, *n);
                set_or_default(doc, Field::Status, status);
                task.status = status;
            }
            Edit::Kind(n) => {
                let kind = pick(Kind::ALL, *n);
                set_or_default(doc, Field::Kind, kind);
                task.kind = kind;
            }
            Edit::Priority(n) => {
                let priority = pick(Priority::ALL, *n);
                set_or_default(doc, Field::Priority, priority);
                task.priority = priority;
            }
            Edit::Parent(Id(parent)) => {
                if parent == &task.id {
                    return false;
                }
                doc.set_str(Field::Parent, parent.as_str());
                task.parent = Some(parent.clone());
            }
            Edit::Owner(Text(owner)) => {
                doc.set_str(Field::Owner, owner);
                task.owner = Some(owner.clone());
            }
            Edit::Estimate(n, unit) => {
                let text = format!("{}{}", n % 600, pick(&['m', 'h', 'd', 'w'], *unit));
                let Ok(estimate) = text.parse::<Estimate>() else {
                    return false;
                };
                doc.set_str(Field::Estimate, estimate.as_str());
                task.estimate = Some(estimate);
            }
            Edit::Due(y, m, d) => {
                let Some(date) = NaiveDate::from_ymd_opt(
                    2000 + i32::from(y % 200),
                    u32::from(m % 12) + 1,
                    u32::from(d % 31) + 1,
                ) else {
                    return false;
                };
                doc.set_date(Field::Due, date);
                task.due = Some(date);
            }
            Edit::Verify(Text(v)) => {
                doc.set_str(Field::Verify, v);
                task.verify = Some(v.clone());
            }
            Edit::Description(Text(d)) => {
                if d.trim().is_empty() {
                    doc.remove(Field::Description);
                    task.description = None;
                } else {
                    let d = if d.ends_with('\n') {
                        d.clone()
                    } else {
                        format!("{d}\n")
                    };
                    doc.set_str(Field::Description, &d);
                    task.description = Some(d);
                }
            }
            Edit::Gate(branches) => {
                let gate = match branches {
                    None => Gate::ConfiguredBranches,
                    Some(b) => Gate::Branches(b.iter().map(|t| t.0.clone()).collect()),
                };
                let mut t = task.clone();
                t.gate = Some(gate);
                doc.write_task(Some(task), &t);
                *task = t;
            }
            Edit::AddLabel(Text(label)) => {
                if git_task::change::check_label(label).is_err() {
                    return false;
                }
                if doc.add_to_array(Field::Labels, label) {
                    task.labels.push(label.clone());
                }
            }
            Edit::RemoveLabel(n) => {
                let Some(label) = nth(&task.labels, *n).cloned() else {
                    return false;
                };
                doc.remove_from_array(Field::Labels, &label);
                task.labels.retain(|l| l != &label);
            }
            Edit::AddBlocker(Id(b)) => {
                if b == &task.id {
                    return false;
                }
                if doc.add_to_array(Field::BlockedBy, b.as_str()) {
                    task.blocked_by.push(b.clone());
                }
            }
            Edit::RemoveBlocker(n) => {
                let Some(b) = nth(&task.blocked_by, *n).cloned() else {
                    return false;
                };
                doc.remove_from_array(Field::BlockedBy, b.as_str());
                task.blocked_by.retain(|x| x != &b);
            }
            Edit::ReplaceBlocker(n, Id(to)) => {
                let Some(from) = nth(&task.blocked_by, *n).cloned() else {
                    return false;
                };
                if to == &task.id || task.blocked_by.contains(to) {
                    return false;
                }
                doc.replace_in_array(Field::BlockedBy, from.as_str(), to.as_str());
                for b in &mut task.blocked_by {
                    if b == &from {
                        *b = to.clone();
                    }
                }
            }
            Edit::Unset(n) => {
                let field = pick(Field::ALL, *n);
                if field == Field::Subject {
                    return false;
                }
                doc.remove(field.key());
                unset(task, field);
            }
            Edit::Started(Time(at)) => {
                doc.set_time(Field::Started, *at);
                task.started = Some(*at);
            }
            Edit::Closed(Time(at)) => {
                doc.set_time(Field::Closed, *at);
                task.closed = Some(*at);
            }
            Edit::Note(Time(at), by, Text(text)) => {
                if text.trim().is_empty() {
                    return false;
                }
                let by = by.as_ref().map(|b| b.0.as_str());
                doc.push_note(*at, by, text);
                task.notes.push(Note {
                    at: *at,
                    by: by.map(str::to_owned),
                    text: text.clone(),
                });
            }
            Edit::Criterion(Text(text)) => {
                if git_task::change::check_line(git_task::error::Line::Criterion, text).is_err() {
                    return false;
                }
                doc.push_criterion(text);
                task.criteria.push(Criterion {
                    text: text.clone(),
                    met: false,
                });
            }
            Edit::CriterionMet(n, met) => {
                if task.criteria.is_empty() {
                    return false;
                }
                let i = usize::from(*n) % task.criteria.len();
                assert!(
                    doc.set_criterion_met(i, *met),
                    "criterion {i} of {:?}",
                    task.criteria
                );
                task.criteria[i].met = *met;
            }
            Edit::Waiver(Text(by), Text(reason), Time(at)) => {
                doc.set_waiver(by, reason, *at);
                task.waiver = Some(Waiver {
                    by: by.clone(),
                    reason: reason.clone(),
                    at: *at,
                });
            }
            Edit::Meta(Text(key), Text(value)) => {
                doc.set_meta(key, value.as_str());
                task.meta
                    .insert(key.clone(), toml::Value::String(value.clone()));
            }
            Edit::RemoveMeta(n) => {
                let keys: Vec<String> = task.meta.keys().cloned().collect();
                let Some(key) = nth(&keys, *n) else {
                    return false;
                };
                doc.remove_meta(key);
                task.meta.remove(key);
            }
            Edit::Rewrite(edits) => {
                // The edits made to a copy of the task (and of the
                // document, which only keeps them apart), then written into
                // the document as `import` writes a changed task.
                let mut scratch = doc.clone();
                let mut new = task.clone();
                for edit in edits.iter().take(8) {
                    if !matches!(edit, Edit::Rewrite(_)) {
                        edit.apply(&mut scratch, &mut new);
                    }
                }
                doc.write_task(Some(task), &new);
                *task = new;
            }
        }
        true
    }
}

fn nth<T>(items: &[T], n: u8) -> Option<&T> {
    (!items.is_empty()).then(|| &items[usize::from(n) % items.len()])
}

/// `task` with `field` back to its default, as a file without the key
/// reads.
fn unset(task: &mut Task, field: Field) {
    match field {
        Field::Subject => task.subject.clear(),
        Field::Status => task.status = Status::default(),
        Field::Kind => task.kind = Kind::default(),
        Field::Priority => task.priority = Priority::default(),
        Field::Parent => task.parent = None,
        Field::BlockedBy => task.blocked_by.clear(),
        Field::Gate => task.gate = None,
        Field::Owner => task.owner = None,
        Field::Estimate => task.estimate = None,
        Field::Due => task.due = None,
        Field::Labels => task.labels.clear(),
        Field::Verify => task.verify = None,
        Field::Created => task.created = None,
        Field::Started => task.started = None,
        Field::Closed => task.closed = None,
        Field::PlanKey => task.plan_key = None,
        Field::Origin => task.origin = None,
        Field::Description => task.description = None,
        Field::Criteria => task.criteria.clear(),
        Field::Waiver => task.waiver = None,
        Field::Notes => task.notes.clear(),
        Field::Meta => task.meta.clear(),
    }
}
