//! The three-way merge of one task file, field by field (the rules are
//! written down in docs/merging.md).
//!
//! git's line merge sees two edits of neighbouring lines — a status changed
//! on one branch and a description on the other, a note appended on each —
//! as a conflict. Here each field merges by what it means: a field changed
//! on one side takes that side, sets merge as sets, the execution log as
//! the union of both logs, criteria one by one. Only a field changed two
//! different ways is a conflict, written with git's markers around that
//! field alone. Comments merge on their own, place by place ([`comments`]).
//!
//! Two versions that are different tasks (another id, or another `created`
//! time) never merge: the whole file is in conflict. Neither does a version
//! that cannot be read; the result then holds both sides whole, byte for
//! byte, so it cannot be committed by accident.
//!
//! The merge is pure (bytes in, bytes and conflicts out); `git task
//! merge-driver` reads and writes the files, and [`registration`] tells git
//! to call it.

mod bases;
mod comments;
pub mod label;
pub mod markers;
pub mod registration;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, Utc};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

use crate::document::{TaskDocument, push_like_the_rest, remove_elements};
use crate::field::{DefaultValue, Field, MergeRule};
use crate::store::{CONFIG_FILE, TASKS_DIR};
use crate::task::ParseError;

pub use label::Label;
pub use markers::Markers;

/// One of the three versions of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The common ancestor.
    Base,
    /// The branch being merged into (git's `%A`).
    Ours,
    /// The branch being merged (git's `%B`).
    Theirs,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Base => "the common ancestor",
            Side::Ours => "ours",
            Side::Theirs => "theirs",
        })
    }
}

/// A side as messages name it: `theirs (feature)`.
fn named(side: Side, label: &Option<String>) -> String {
    match label {
        Some(label) => format!("{side} ({label})"),
        None => side.to_string(),
    }
}

/// One of the three versions git hands the driver.
#[derive(Debug, Clone, Copy, Default)]
pub struct Version<'a> {
    /// Its contents; `None` when git's temporary file could not be read.
    pub bytes: Option<&'a [u8]>,
    /// git's conflict label for it (`%S`, `%X`, `%Y`), when git gave one.
    pub label: Option<&'a Label>,
}

/// One file to merge, as git asks for it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub base: Version<'a>,
    pub ours: Version<'a>,
    pub theirs: Version<'a>,
    /// The file's path in the repository, where the result goes (`%P`);
    /// `None` when the driver is run by hand without it.
    pub path: Option<&'a str>,
    /// The width of the conflict markers (`%L`).
    pub marker_size: usize,
}

/// The merged file: what the driver writes over ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedFile {
    pub bytes: Vec<u8>,
    /// In the order they appear in `bytes`; empty when the merge is clean.
    pub conflicts: Vec<Conflict>,
    /// How to resolve the conflicts that need more than picking a side.
    pub resolutions: Vec<Resolution>,
}

impl MergedFile {
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// The merged text and the conflicts written into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    /// In the order they appear in `text`; empty when the merge is clean.
    pub conflicts: Vec<Conflict>,
}

impl Merged {
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }

    fn clean(text: &str) -> Merged {
        Merged {
            text: text.to_owned(),
            conflicts: Vec::new(),
        }
    }
}

/// One place in the merged text between conflict markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The 1-based line of the opening marker.
    pub line: usize,
    /// What is in conflict; `None` for the whole file.
    pub field: Option<ConflictField>,
    pub kind: ConflictKind,
}

/// What one conflict is in: a field, or one entry of a field that merges
/// entry by entry. Shown as a user reads it (`` `subject` ``,
/// `` `meta.sprint` ``, `criterion "tests pass"`); [`ConflictField::name`]
/// is the name JSON gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictField {
    /// A field of the task.
    Field(Field),
    /// A top-level key that is no task field: a setting of
    /// `.tasks/config.toml`, or a key a task file should not have (the
    /// merge keeps what it does not know rather than drop it).
    Key(String),
    /// A key of `[meta]`, which merges key by key.
    Meta(String),
    /// A criterion removed on one side and changed on the other.
    Criterion(CriterionName),
    /// Whether a criterion is met (or another of its fields but the text),
    /// changed two ways.
    CriterionMet(CriterionName),
}

/// A criterion as a conflict names it: by its text, or by its number when
/// it has no text to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CriterionName {
    /// Its text, shown in quotes.
    Text(String),
    /// 1-based, in the side's list.
    Number(usize),
}

impl ConflictField {
    /// A top-level key: a field when it is one.
    fn top(key: &str) -> ConflictField {
        match Field::from_key(key) {
            Some(field) => ConflictField::Field(field),
            None => ConflictField::Key(key.to_owned()),
        }
    }

    /// The name JSON gives the conflict's field: the key without the
    /// backticks the message puts around it (`subject`, `meta.sprint`), and
    /// what a criterion's conflict is in as the message says it.
    pub fn name(&self) -> String {
        match self {
            ConflictField::Field(field) => field.key().to_owned(),
            // A key with a backtick of its own would read as two code
            // spans without the outer ones: it is named as shown.
            ConflictField::Key(key) | ConflictField::Meta(key) if key.contains('`') => {
                self.to_string()
            }
            ConflictField::Key(key) => key.clone(),
            ConflictField::Meta(key) => format!("meta.{key}"),
            ConflictField::Criterion(_) | ConflictField::CriterionMet(_) => self.to_string(),
        }
    }
}

impl fmt::Display for ConflictField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConflictField::Field(field) => write!(f, "`{field}`"),
            ConflictField::Key(key) => write!(f, "`{key}`"),
            ConflictField::Meta(key) => write!(f, "`meta.{key}`"),
            ConflictField::Criterion(c) => write!(f, "criterion {c}"),
            ConflictField::CriterionMet(c) => write!(f, "`met` of criterion {c}"),
        }
    }
}

impl fmt::Display for CriterionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CriterionName::Text(text) => write!(f, "\"{text}\""),
            CriterionName::Number(n) => write!(f, "number {n}"),
        }
    }
}

/// Why the two sides could not be merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictKind {
    /// Changed one way on ours and another way on theirs.
    Changed,
    /// Removed on one side and changed on the other.
    RemovedAndChanged,
    /// Not in the common ancestor, and added differently on each side.
    AddedDifferently,
    /// One side waived the gate while the other made the task no gate:
    /// each is fine, together they are not a valid task.
    WaiverWithoutGate,
    /// Both sides added a file under this id, holding different tasks:
    /// two tasks drew the same id, and fusing them would lose one.
    SameId,
    /// The two sides are different tasks: another id (git paired two
    /// files as a rename) or another `created` time (a task replaced by a
    /// new one under its id). Merging them would give one task the other's
    /// progress.
    DifferentTasks {
        ours: TaskVersion,
        theirs: TaskVersion,
    },
    /// One side is not valid TOML, so its fields cannot be told apart.
    Unreadable {
        side: Side,
        label: Option<String>,
        error: ParseError,
    },
    /// One side is not UTF-8 text: both sides are kept byte for byte.
    NotText {
        side: Side,
        label: Option<String>,
        line: usize,
        column: usize,
    },
    /// git's temporary file for one side could not be read.
    Missing { side: Side, label: Option<String> },
}

/// One side's task, as a conflict between two different tasks names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskVersion {
    pub side: Side,
    /// git's label for the side.
    pub label: Option<String>,
    /// The task's id: its file name in that version.
    pub id: Option<String>,
    /// The file's path in that version.
    pub path: Option<String>,
    /// Its `created` time as written.
    pub created: Option<String>,
    /// The revision `git show REV:PATH` takes for that version.
    pub revision: String,
}

impl TaskVersion {
    /// The task's id, `?` when its path names none.
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or("?")
    }

    /// The side as people name it: `ours (HEAD)`.
    pub fn named(&self) -> String {
        named(self.side, &self.label)
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = match &self.field {
            Some(field) => field.to_string(),
            None => "the file".to_owned(),
        };
        match &self.kind {
            ConflictKind::Changed => write!(f, "{field} was changed differently on both sides"),
            ConflictKind::RemovedAndChanged => write!(
                f,
                "{field} was removed on one side and changed on the other"
            ),
            ConflictKind::AddedDifferently => {
                write!(f, "{field} was added differently on both sides")
            }
            ConflictKind::WaiverWithoutGate => write!(
                f,
                "{field}: one side waived the gate, the other made the task no longer a gate"
            ),
            ConflictKind::SameId => f.write_str(
                "both sides added a task with this id, and they are different tasks \
                 (different `created` times or contents)",
            ),
            ConflictKind::DifferentTasks { ours, theirs } if ours.id != theirs.id => write!(
                f,
                "{} is task `{}` and {} is task `{}`: git paired the two files as one \
                 (a rename), but they are different tasks, so the whole file is in conflict",
                ours.named(),
                ours.id(),
                theirs.named(),
                theirs.id()
            ),
            ConflictKind::DifferentTasks { ours, theirs } => {
                let created = |v: &TaskVersion| match &v.created {
                    Some(at) => format!("created {at}"),
                    None => "with no created time".into(),
                };
                write!(
                    f,
                    "{} is task `{}` {} and {} is task `{}` {}: one replaced the other \
                     under the same id, and they are different tasks, so the whole file \
                     is in conflict",
                    ours.named(),
                    ours.id(),
                    created(ours),
                    theirs.named(),
                    theirs.id(),
                    created(theirs)
                )
            }
            ConflictKind::Unreadable { side, label, error } => write!(
                f,
                "{} is not valid TOML ({}:{}: {}), so the whole file is in conflict",
                named(*side, label),
                error.line,
                error.column,
                error.message
            ),
            ConflictKind::NotText {
                side,
                label,
                line,
                column,
            } => write!(
                f,
                "{} is not UTF-8 text ({line}:{column}), so the whole file is in conflict, \
                 both sides byte for byte",
                named(*side, label)
            ),
            ConflictKind::Missing { side, label } => write!(
                f,
                "git's copy of {} could not be read, so the whole file is in conflict \
                 and that side is empty",
                named(*side, label)
            ),
        }
    }
}

/// Merges `ours` and `theirs`, two versions of one task file descended from
/// `base` (empty when both sides added the file), with markers labelled
/// `ours` and `theirs`.
///
/// The result starts from `ours`, keeping its comments and layout, and
/// applies what `theirs` changed relative to `base`, so only the fields
/// theirs changed are rewritten.
pub fn merge(base: &str, ours: &str, theirs: &str) -> Merged {
    let cx = Context {
        markers: Markers::default(),
        task: true,
        paths: [None; 3],
        labels: [None; 3],
    };
    merge_texts(base, ours, theirs, &cx)
}

impl<'a> Request<'a> {
    /// Whether this is git's inner merge of two merge bases (criss-cross),
    /// whose result is only the base of the merge the user sees.
    pub fn is_inner(&self) -> bool {
        label::is_inner_merge(self.ours.label, self.theirs.label)
    }

    /// Whether the file is `.tasks/config.toml`, which `.tasks/*.toml`
    /// hands to the driver too: it merges key by key, as a task's fields,
    /// but two sides that each created it are one project's settings, not
    /// two tasks.
    fn is_settings(&self) -> bool {
        self.path.map(Path::new).is_some_and(|p| {
            p.file_name() == Some(CONFIG_FILE.as_ref())
                && p.parent().and_then(Path::file_name) == Some(TASKS_DIR.as_ref())
        })
    }

    /// Merges the three versions. The result is always something to write
    /// over ours: clean, or with markers around what is in conflict.
    pub fn merge(&self) -> MergedFile {
        let text = |v: &Version| v.label.map(|l| l.text.clone());
        let markers = Markers {
            ours: text(&self.ours).unwrap_or_else(|| "ours".into()),
            theirs: text(&self.theirs).unwrap_or_else(|| "theirs".into()),
            width: self.marker_size,
        };
        // Messages name a side by its revision, not the path beside it.
        let label = |v: &Version| v.label.map(|l| l.revision.clone());
        let versions = [
            (Side::Base, self.base),
            (Side::Ours, self.ours),
            (Side::Theirs, self.theirs),
        ];
        let whole = |kind: ConflictKind| MergedFile {
            bytes: markers.block(
                self.ours.bytes.unwrap_or_default(),
                self.theirs.bytes.unwrap_or_default(),
            ),
            conflicts: vec![Conflict {
                line: 1,
                field: None,
                kind,
            }],
            resolutions: Vec::new(),
        };
        for (side, version) in versions {
            if version.bytes.is_none() {
                return whole(ConflictKind::Missing {
                    side,
                    label: label(&version),
                });
            }
        }
        fn bytes<'b>(v: &Version<'b>) -> &'b [u8] {
            v.bytes.unwrap_or_default()
        }
        let (base, ours, theirs) = (bytes(&self.base), bytes(&self.ours), bytes(&self.theirs));
        // Whole-file shortcuts keep the changed side byte for byte, text or
        // not.
        if ours == theirs || theirs == base {
            return clean_file(ours);
        }
        if ours == base {
            return clean_file(theirs);
        }
        let mut texts = Vec::with_capacity(3);
        for (side, version) in versions {
            match std::str::from_utf8(bytes(&version)) {
                Ok(text) => texts.push(text),
                Err(e) => {
                    let valid = &bytes(&version)[..e.valid_up_to()];
                    let valid = String::from_utf8_lossy(valid);
                    let (line, column) = crate::task::line_column(&valid, valid.len());
                    return whole(ConflictKind::NotText {
                        side,
                        label: label(&version),
                        line,
                        column,
                    });
                }
            }
        }
        // Each version's path: where git's label says it was, else where
        // the result goes.
        let path_of = |v: &Version<'a>| -> Option<&'a str> {
            v.label.and_then(|l| l.path.as_deref()).or(self.path)
        };
        let cx = Context {
            markers,
            task: !self.is_settings(),
            paths: [
                path_of(&self.base),
                path_of(&self.ours),
                path_of(&self.theirs),
            ],
            labels: [self.base.label, self.ours.label, self.theirs.label],
        };
        let merged = merge_texts(texts[0], texts[1], texts[2], &cx);
        let resolutions = merged
            .conflicts
            .iter()
            .filter_map(|c| resolution(&c.kind, self.path, &cx))
            .collect();
        MergedFile {
            bytes: merged.text.into_bytes(),
            conflicts: merged.conflicts,
            resolutions,
        }
    }
}

fn clean_file(bytes: &[u8]) -> MergedFile {
    MergedFile {
        bytes: bytes.to_vec(),
        conflicts: Vec::new(),
        resolutions: Vec::new(),
    }
}

/// What a text merge needs to know beyond the three texts.
struct Context<'a> {
    markers: Markers,
    /// A task file, rather than `.tasks/config.toml`.
    task: bool,
    /// Each version's path (base, ours, theirs), when known.
    paths: [Option<&'a str>; 3],
    labels: [Option<&'a Label>; 3],
}

impl Context<'_> {
    /// The task id a version's path names (`.tasks/<id>.toml`).
    fn id(&self, side: Side) -> Option<&str> {
        let path = self.paths[side as usize]?;
        Path::new(path).file_stem()?.to_str()
    }

    fn label(&self, side: Side) -> Option<&Label> {
        self.labels[side as usize]
    }

    /// `side`'s task, for a conflict between two tasks.
    fn version(&self, side: Side, doc: Option<&TaskDocument>) -> TaskVersion {
        let label = self.label(side);
        let revision = label
            .and_then(Label::commit)
            .map(str::to_owned)
            .unwrap_or_else(|| match side {
                Side::Theirs => "MERGE_HEAD".into(),
                _ => "HEAD".into(),
            });
        TaskVersion {
            side,
            label: label.map(|l| l.revision.clone()),
            id: self.id(side).map(str::to_owned),
            path: self.paths[side as usize].map(str::to_owned),
            created: doc
                .and_then(|d| d.get(Field::Created.key()))
                .and_then(written),
            revision,
        }
    }
}

/// A value as written, without its layout: `2026-11-20T10:00:00Z`.
fn written(item: &Item) -> Option<String> {
    let value = item.as_value()?;
    Some(match value {
        Value::String(s) => s.value().clone(),
        other => {
            let mut other = other.clone();
            other.decor_mut().clear();
            other.to_string()
        }
    })
}

/// How to resolve a conflict between two tasks that need more than
/// picking a side, as data: the front end words it and spells the
/// commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The file at `path` holds two different tasks: it is `keep`'s, and
    /// `other` is brought back under its own id, from its revision
    /// (`git show`) into `other_path`, and both files are added.
    TwoTasks {
        path: String,
        keep: TaskVersion,
        other: TaskVersion,
        other_path: String,
    },
    /// Both sides hold task `id`, created at different times: to keep
    /// both, theirs is put in `path`, renamed to `new_id` (a free one in
    /// `dir`), ours is put back in `path`, and `dir` is added. Or only one
    /// side is kept.
    MoveTheirs {
        path: String,
        dir: String,
        ours: TaskVersion,
        theirs: TaskVersion,
        id: String,
        new_id: String,
    },
}

/// How to resolve a conflict between two tasks: which one the file is,
/// and how to bring the other back under an id of its own.
fn resolution(kind: &ConflictKind, path: Option<&str>, cx: &Context) -> Option<Resolution> {
    let path = path
        .or(cx.paths[Side::Ours as usize])
        .unwrap_or(".tasks/ID.toml");
    let dir = Path::new(path)
        .parent()
        .and_then(Path::to_str)
        .filter(|d| !d.is_empty())
        .unwrap_or(TASKS_DIR);
    let target = Path::new(path).file_stem().and_then(|s| s.to_str());
    let (ours, theirs) = match kind {
        ConflictKind::DifferentTasks { ours, theirs } => (ours.clone(), theirs.clone()),
        ConflictKind::SameId => (cx.version(Side::Ours, None), cx.version(Side::Theirs, None)),
        _ => return None,
    };
    if ours.id != theirs.id {
        let (keep, other) = if theirs.id.as_deref() == target && ours.id.as_deref() != target {
            (theirs, ours)
        } else {
            (ours, theirs)
        };
        let other_path = other
            .path
            .clone()
            .unwrap_or_else(|| format!("{dir}/{}.toml", other.id()));
        return Some(Resolution::TwoTasks {
            path: path.to_owned(),
            keep,
            other,
            other_path,
        });
    }
    // Theirs moves to a new id; ours stays where it is. `rename` runs on
    // the working tree, so theirs is put in the file first.
    let id = ours.id().to_owned();
    // The driver runs in the repository's root, where `dir` is the
    // working tree's task directory: the new id must not be taken there.
    let new_id = (2..)
        .map(|n| format!("{id}-{n}"))
        .find(|candidate| !Path::new(dir).join(format!("{candidate}.toml")).exists())
        .expect("some suffix is free");
    Some(Resolution::MoveTheirs {
        path: path.to_owned(),
        dir: dir.to_owned(),
        ours,
        theirs,
        id,
        new_id,
    })
}

fn merge_texts(base: &str, ours: &str, theirs: &str, cx: &Context) -> Merged {
    // Whole-file shortcuts keep the changed side byte for byte.
    if ours == theirs || theirs == base {
        return Merged::clean(ours);
    }
    if ours == base {
        return Merged::clean(theirs);
    }
    let added_on_both_sides = base.trim().is_empty();
    let token = unused_token(&[base, ours, theirs]);
    let unknown = format!("{token}-unknown");
    let label = |side: Side| cx.label(side).map(|l| l.revision.clone());
    let unreadable = |side: Side, error: ParseError| {
        whole_file(
            ours,
            theirs,
            &cx.markers,
            ConflictKind::Unreadable {
                side,
                label: label(side),
                error,
            },
        )
    };
    let mut base_doc = match read_base(base, &unknown) {
        Ok(doc) => doc,
        Err(error) => return unreadable(Side::Base, error),
    };
    let ours_doc = match TaskDocument::parse(ours) {
        Ok(doc) => doc,
        Err(error) => return unreadable(Side::Ours, error),
    };
    let theirs_doc = match TaskDocument::parse(theirs) {
        Ok(doc) => doc,
        Err(error) => return unreadable(Side::Theirs, error),
    };
    if cx.task {
        let created =
            |d: &TaskDocument| normalized(Field::Created.key(), d.get(Field::Created.key()));
        let different = |kind| whole_file(ours, theirs, &cx.markers, kind);
        if cx.id(Side::Ours) != cx.id(Side::Theirs)
            || (!added_on_both_sides && created(&ours_doc) != created(&theirs_doc))
        {
            return different(ConflictKind::DifferentTasks {
                ours: cx.version(Side::Ours, Some(&ours_doc)),
                theirs: cx.version(Side::Theirs, Some(&theirs_doc)),
            });
        }
        // Both sides hold one task. When the base is another one (both
        // replaced it by the same new task) what they share is that task's
        // creation, not the base: they merge as if both had added it. When
        // only its name differs (both renamed the task alike), the base is
        // that task before the rename.
        let base_created = created(&base_doc);
        let base_known = base_created != Some(Plain::Str(unknown.clone()));
        let added = added_on_both_sides || (base_known && base_created != created(&ours_doc));
        if added && !same_fields(&ours_doc, &theirs_doc) {
            // The same `created` time is the same task, added on both
            // branches (say, cherry-picked) and then edited: merge it.
            // Anything else is two tasks that drew one id.
            if created(&ours_doc).is_none() || created(&ours_doc) != created(&theirs_doc) {
                return different(ConflictKind::SameId);
            }
        }
        if added {
            base_doc = TaskDocument::new();
        }
    }
    Merger {
        result: ours_doc.clone(),
        base: &base_doc,
        ours: &ours_doc,
        theirs: &theirs_doc,
        token,
        pending: Vec::new(),
    }
    .run(ours, theirs, &cx.markers)
}

/// The base as one document. A base with conflict markers is git's merge
/// of two merge bases: it is read as the two, combined.
fn read_base(text: &str, unknown: &str) -> Result<TaskDocument, ParseError> {
    match markers::split(text) {
        None => TaskDocument::parse(text),
        Some(Err(line)) => Err(ParseError {
            line,
            column: 1,
            message: "conflict markers that do not pair up".into(),
        }),
        Some(Ok((first, second))) => {
            let in_one = |e: ParseError| ParseError {
                message: format!("{}, in one of the two merge bases git merged", e.message),
                ..e
            };
            let first = TaskDocument::parse(&first).map_err(in_one)?;
            let second = TaskDocument::parse(&second).map_err(in_one)?;
            Ok(bases::combine(&first, &second, unknown))
        }
    }
}

/// Both files whole between markers: for two different tasks, or a side
/// whose fields cannot be read.
fn whole_file(ours: &str, theirs: &str, markers: &Markers, kind: ConflictKind) -> Merged {
    Merged {
        text: markers.text_block(ours, theirs),
        conflicts: vec![Conflict {
            line: 1,
            field: None,
            kind,
        }],
    }
}

/// A string that occurs in none of the inputs, to stand in for a conflict
/// until the document is printed and the markers go in.
fn unused_token(texts: &[&str]) -> String {
    let mut n = 0u64;
    loop {
        let token = format!("git-task-merge-conflict-{n}");
        if texts.iter().all(|t| !t.contains(&token)) {
            return token;
        }
        n += 1;
    }
}

/// A TOML value with its formatting stripped, to tell whether two sides
/// mean the same thing however each wrote it.
#[derive(Debug, Clone, PartialEq)]
enum Plain {
    Str(String),
    Int(i64),
    /// The bits, so that a NaN equals itself.
    Float(u64),
    Bool(bool),
    Datetime(toml_edit::Datetime),
    Array(Vec<Plain>),
    Table(BTreeMap<String, Plain>),
}

fn plain_item(item: &Item) -> Option<Plain> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(plain_value(v)),
        Item::Table(t) => Some(plain_table(t)),
        Item::ArrayOfTables(a) => Some(Plain::Array(a.iter().map(plain_table).collect())),
    }
}

fn plain_table(table: &Table) -> Plain {
    Plain::Table(
        table
            .iter()
            .filter_map(|(k, i)| plain_item(i).map(|p| (k.to_owned(), p)))
            .collect(),
    )
}

fn plain_value(value: &Value) -> Plain {
    match value {
        Value::String(s) => Plain::Str(s.value().clone()),
        Value::Integer(i) => Plain::Int(*i.value()),
        Value::Float(f) => Plain::Float(f.value().to_bits()),
        Value::Boolean(b) => Plain::Bool(*b.value()),
        Value::Datetime(d) => Plain::Datetime(*d.value()),
        Value::Array(a) => Plain::Array(a.iter().map(plain_value).collect()),
        Value::InlineTable(t) => Plain::Table(
            t.iter()
                .map(|(k, v)| (k.to_owned(), plain_value(v)))
                .collect(),
        ),
    }
}

/// A top-level field as it means: a value written at its default is the
/// same as no value (`status = "pending"` is what a missing status means),
/// so writing the default out on one side is no change.
fn normalized(key: &str, item: Option<&Item>) -> Option<Plain> {
    let plain = item.and_then(plain_item)?;
    let default = match Field::from_key(key).and_then(Field::default_value) {
        Some(DefaultValue::Word(word)) => Plain::Str(word.into()),
        Some(DefaultValue::Bool(b)) => Plain::Bool(b),
        None => return Some(plain),
    };
    (plain != default).then_some(plain)
}

fn same_fields(a: &TaskDocument, b: &TaskDocument) -> bool {
    a.keys()
        .chain(b.keys())
        .all(|k| normalized(k, a.get(k)) == normalized(k, b.get(k)))
}

/// The elements of a top-level array: empty when the key is absent,
/// `None` when it holds something else.
fn elements<'d>(doc: &'d TaskDocument, key: &str) -> Option<Vec<&'d Value>> {
    match doc.get(key) {
        None => Some(Vec::new()),
        Some(item) => item.as_array().map(|a| a.iter().collect()),
    }
}

/// The tables of a top-level array of tables (written `[[key]]` or as an
/// array of inline tables): empty when the key is absent, `None` when it
/// holds something else.
fn tables(doc: &TaskDocument, key: &str) -> Option<Vec<Table>> {
    match doc.get(key) {
        None => Some(Vec::new()),
        Some(Item::ArrayOfTables(a)) => Some(a.iter().cloned().collect()),
        Some(Item::Value(Value::Array(a))) => a
            .iter()
            .map(|v| v.as_inline_table().map(|t| t.clone().into_table()))
            .collect(),
        Some(_) => None,
    }
}

/// The positions of the tables of ours' array of tables `key`, in order:
/// where the merged tables go.
fn positions(doc: &TaskDocument, key: &str) -> Vec<isize> {
    let mut positions: Vec<isize> = doc
        .get(key)
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().filter_map(Table::position).collect())
        .unwrap_or_default();
    positions.sort_unstable();
    positions
}

/// A top-level table's entries: empty when the key is absent, `None` when
/// it holds something other than a table.
fn entries<'d>(doc: &'d TaskDocument, key: &str) -> Option<Vec<(&'d str, &'d Item)>> {
    match doc.get(key) {
        None => Some(Vec::new()),
        Some(item) => item
            .as_table_like()
            .map(|t| t.iter().filter(|(_, i)| !i.is_none()).collect()),
    }
}

/// The item under `key` in a table's entries.
fn lookup<'d>(entries: &[(&str, &'d Item)], key: &str) -> Option<&'d Item> {
    entries.iter().find(|(k, _)| *k == key).map(|(_, i)| *i)
}

/// How a field that both sides changed differently differs, for the
/// message. A field with a default (status, kind, priority, gate) is never
/// missing, only at its default: changed, not added or removed.
fn divergence(
    field: Option<Field>,
    base: &Option<Plain>,
    ours: &Option<Plain>,
    theirs: &Option<Plain>,
) -> ConflictKind {
    if field.and_then(Field::default_value).is_some() {
        ConflictKind::Changed
    } else if base.is_none() {
        ConflictKind::AddedDifferently
    } else if ours.is_none() || theirs.is_none() {
        ConflictKind::RemovedAndChanged
    } else {
        ConflictKind::Changed
    }
}

/// A conflict waiting for the document to be printed: `sentinel` marks the
/// line (or, for a whole table, the last line) the markers replace.
struct Pending {
    sentinel: String,
    whole_table: bool,
    field: ConflictField,
    kind: ConflictKind,
    ours: String,
    theirs: String,
}

struct Merger<'a> {
    base: &'a TaskDocument,
    ours: &'a TaskDocument,
    theirs: &'a TaskDocument,
    /// Ours, with theirs' changes applied as they are found.
    result: TaskDocument,
    token: String,
    pending: Vec<Pending>,
}

impl Merger<'_> {
    fn run(mut self, ours_text: &str, theirs_text: &str, markers: &Markers) -> Merged {
        let status_winner = self.status_winner();
        let mut keys: Vec<String> = Vec::new();
        for doc in [self.ours, self.theirs, self.base] {
            for key in doc.keys() {
                if !keys.iter().any(|k| k == key) {
                    keys.push(key.to_owned());
                }
            }
        }
        for key in &keys {
            let field = Field::from_key(key);
            // A key that is no field (a setting, or one a task should not
            // have) merges as one value.
            let rule = field.map_or(MergeRule::Value, Field::merge_rule);
            // `in_progress` against `completed` is `completed`, and the
            // completed side's `closed` comes with it.
            if let Some(winner) = status_winner
                && rule == MergeRule::WithStatus
            {
                if winner == Side::Theirs {
                    self.take_theirs(key);
                }
                continue;
            }
            let b = normalized(key, self.base.get(key));
            let o = normalized(key, self.ours.get(key));
            let t = normalized(key, self.theirs.get(key));
            if t == b || o == t {
                continue;
            }
            if o == b {
                self.take_theirs(key);
                continue;
            }
            let merged = match rule {
                MergeRule::Set => self.merge_set(key),
                MergeRule::Log => self.merge_notes(),
                MergeRule::Criteria => self.merge_criteria(),
                MergeRule::Table => self.merge_meta(),
                MergeRule::Earliest => self.merge_earlier(key),
                MergeRule::Value | MergeRule::WithStatus => false,
            };
            if !merged {
                self.conflict_at_top(key, divergence(field, &b, &o, &t));
            }
        }
        self.check_waiver();
        comments::carry(
            self.result.toml_mut(),
            self.base.toml(),
            self.ours.toml(),
            self.theirs.toml(),
        );
        self.finish(ours_text, theirs_text, markers)
    }

    /// The side whose status wins when one side started the task and the
    /// other finished it: finishing is the later, stronger fact.
    fn status_winner(&self) -> Option<Side> {
        let key = Field::Status.key();
        let status = |d: &TaskDocument| normalized(key, d.get(key));
        let (b, o, t) = (status(self.base), status(self.ours), status(self.theirs));
        if o == b || t == b {
            return None;
        }
        let in_progress = Some(Plain::Str(crate::task::Status::InProgress.as_str().into()));
        let completed = Some(Plain::Str(crate::task::Status::Completed.as_str().into()));
        if o == in_progress && t == completed {
            Some(Side::Theirs)
        } else if o == completed && t == in_progress {
            Some(Side::Ours)
        } else {
            None
        }
    }

    fn take_theirs(&mut self, key: &str) {
        match self.theirs.get(key) {
            Some(item) => self.result.set_item(key, item.clone()),
            None => self.result.remove(key),
        }
    }

    fn sentinel(&self) -> String {
        format!("{}#{}#", self.token, self.pending.len())
    }

    /// Puts a top-level field in conflict: both sides' `key = value`
    /// between markers where the field is.
    fn conflict_at_top(&mut self, key: &str, kind: ConflictKind) {
        let sentinel = self.sentinel();
        self.pending.push(Pending {
            ours: render_field(key, self.ours.get(key)),
            theirs: render_field(key, self.theirs.get(key)),
            sentinel: sentinel.clone(),
            whole_table: false,
            field: ConflictField::top(key),
            kind,
        });
        self.result.set(key, sentinel.as_str());
    }

    /// `blocked_by` and `labels`: what either side added, less what either
    /// side removed. Ours' order, then theirs' additions.
    fn merge_set(&mut self, key: &str) -> bool {
        let (Some(base), Some(ours), Some(theirs)) = (
            elements(self.base, key),
            elements(self.ours, key),
            elements(self.theirs, key),
        ) else {
            return false;
        };
        let plains = |values: &[&Value]| values.iter().map(|v| plain_value(v)).collect::<Vec<_>>();
        let (b, o, t) = (plains(&base), plains(&ours), plains(&theirs));
        let removed: Vec<&Plain> = b
            .iter()
            .filter(|p| !o.contains(p) || !t.contains(p))
            .collect();
        let mut added: Vec<Value> = Vec::new();
        let mut added_plain: Vec<Plain> = Vec::new();
        for (value, p) in theirs.iter().zip(&t) {
            if !b.contains(p) && !o.contains(p) && !added_plain.contains(p) {
                let mut value = (*value).clone();
                value.decor_mut().clear();
                added.push(value);
                added_plain.push(p.clone());
            }
        }
        let Some(array) = self.result.get_mut(key).and_then(Item::as_array_mut) else {
            if !added.is_empty() {
                self.result.set(key, Array::from_iter(added));
            }
            return true;
        };
        remove_elements(array, |v| removed.contains(&&plain_value(v)));
        for value in added {
            push_like_the_rest(array, value);
        }
        if array.is_empty() {
            self.result.remove(key);
        }
        true
    }

    /// The array of tables `field` on the three sides; `None` when a side
    /// has something else under its key.
    fn tables_of(&self, field: Field) -> Option<(Vec<Table>, Vec<Table>, Vec<Table>)> {
        let key = field.key();
        Some((
            tables(self.base, key)?,
            tables(self.ours, key)?,
            tables(self.theirs, key)?,
        ))
    }

    /// `notes`: both sides' notes, ordered by time (ours first on equal
    /// times), each once. A note that either side deleted stays deleted:
    /// the log is append-only by convention, and a deliberate deletion
    /// should not come back through a merge.
    fn merge_notes(&mut self) -> bool {
        let Some((base, ours, theirs)) = self.tables_of(Field::Notes) else {
            return false;
        };
        // Notes are a multiset: the same note written twice on one side is
        // two entries. Each distinct note appears as often as a three-way
        // merge of its counts says: a side that left the count as it was
        // takes the other's; when both changed it, the larger (the union).
        let b: Vec<Plain> = base.iter().map(plain_table).collect();
        let o: Vec<Plain> = ours.iter().map(plain_table).collect();
        let t: Vec<Plain> = theirs.iter().map(plain_table).collect();
        let count = |list: &[Plain], p: &Plain| list.iter().filter(|q| *q == p).count();
        let wanted = |p: &Plain| {
            let (cb, co, ct) = (count(&b, p), count(&o, p), count(&t, p));
            if co == cb {
                ct
            } else if ct == cb {
                co
            } else {
                co.max(ct)
            }
        };
        let mut merged: Vec<(Table, Plain)> = Vec::new();
        for (table, p) in ours
            .into_iter()
            .zip(o.iter().cloned())
            .chain(theirs.into_iter().zip(t.iter().cloned()))
        {
            if merged.iter().filter(|(_, q)| *q == p).count() < wanted(&p) {
                merged.push((table, p));
            }
        }
        // A stable sort: ours before theirs on equal times.
        merged.sort_by_key(|(table, _)| note_time(table));
        let tables = merged.into_iter().map(|(table, _)| table).collect();
        self.write_tables(Field::Notes.key(), tables);
        true
    }

    /// `criteria`, item by item, matched by text: added on either side is
    /// there, removed on one side and unchanged on the other is gone, and
    /// `met` merges three-way.
    fn merge_criteria(&mut self) -> bool {
        let Some((base, ours, theirs)) = self.tables_of(Field::Criteria) else {
            return false;
        };
        let (b, o, t) = (criteria(&base), criteria(&ours), criteria(&theirs));
        let find = |list: &[Criterion], key: &(Option<Plain>, usize)| {
            list.iter().position(|c| c.key == *key)
        };
        let mut out: Vec<Table> = Vec::new();
        for (mine, mut table) in o.iter().zip(ours) {
            let before = find(&b, &mine.key).map(|i| &b[i]);
            // The same criterion on theirs, and its table there.
            let after = find(&t, &mine.key).map(|i| (&t[i], &theirs[i]));
            match (before, after) {
                // Ours added it.
                (None, None) => out.push(table),
                (Some(before), None) => {
                    if mine.rest != before.rest {
                        // Changed here, removed there.
                        out.push(self.criterion_conflict(&mine.text, Some(&table), None));
                    }
                }
                (before, Some((after, their_table))) => {
                    let base_rest = before.map(|c| &c.rest);
                    if after.rest == mine.rest || Some(&after.rest) == base_rest {
                        out.push(table);
                    } else if Some(&mine.rest) == base_rest {
                        copy_fields(&mut table, their_table);
                        out.push(table);
                    } else {
                        let kind = if before.is_none() {
                            ConflictKind::AddedDifferently
                        } else {
                            ConflictKind::Changed
                        };
                        self.met_conflict(&mut table, their_table, &mine.text, kind);
                        out.push(table);
                    }
                }
            }
        }
        for (theirs_entry, table) in t.iter().zip(&theirs) {
            if find(&o, &theirs_entry.key).is_some() {
                continue;
            }
            match find(&b, &theirs_entry.key).map(|i| &b[i]) {
                // Theirs added it.
                None => out.push(table.clone()),
                // Ours removed it; theirs left it alone, so it stays gone.
                Some(before) if before.rest == theirs_entry.rest => {}
                Some(_) => {
                    out.push(self.criterion_conflict(&theirs_entry.text, None, Some(table)));
                }
            }
        }
        self.write_tables(Field::Criteria.key(), out);
        true
    }

    /// A criterion removed on one side and changed on the other: the whole
    /// `[[criteria]]` table between markers, the side that removed it empty.
    fn criterion_conflict(
        &mut self,
        text: &CriterionName,
        ours: Option<&Table>,
        theirs: Option<&Table>,
    ) -> Table {
        let sentinel = self.sentinel();
        self.pending.push(Pending {
            ours: ours.map(render_criterion).unwrap_or_default(),
            theirs: theirs.map(render_criterion).unwrap_or_default(),
            sentinel: sentinel.clone(),
            whole_table: true,
            field: ConflictField::Criterion(text.clone()),
            kind: ConflictKind::RemovedAndChanged,
        });
        let mut placeholder = Table::new();
        placeholder.insert("text", toml_edit::value(sentinel));
        placeholder
    }

    /// A criterion whose `met` (or anything else but its text) changed
    /// two ways: those fields between markers inside its table.
    fn met_conflict(
        &mut self,
        ours: &mut Table,
        theirs: &Table,
        text: &CriterionName,
        kind: ConflictKind,
    ) {
        let sentinel = self.sentinel();
        self.pending.push(Pending {
            ours: render_criterion_fields(ours),
            theirs: render_criterion_fields(theirs),
            sentinel: sentinel.clone(),
            whole_table: false,
            field: ConflictField::CriterionMet(text.clone()),
            kind,
        });
        let others: Vec<String> = ours
            .iter()
            .filter(|(k, _)| *k != "text")
            .map(|(k, _)| k.to_owned())
            .collect();
        for key in others {
            ours.remove(&key);
        }
        ours.insert("met", toml_edit::value(sentinel));
    }

    /// Puts `tables` in the place of ours' array of tables `key`.
    fn write_tables(&mut self, key: &str, mut tables: Vec<Table>) {
        if tables.is_empty() {
            self.result.remove(key);
            return;
        }
        let positions = positions(self.ours, key);
        let in_place = matches!(self.result.get(key), Some(Item::ArrayOfTables(_)));
        let mut array = ArrayOfTables::new();
        for (i, table) in tables.iter_mut().enumerate() {
            // Tables print in position order, equal positions in array
            // order, so a non-decreasing run keeps the merged order.
            let position = positions.get(i.min(positions.len().saturating_sub(1)));
            table.set_position(if in_place { position.copied() } else { None });
        }
        for table in tables {
            array.push(table);
        }
        match self.result.get_mut(key) {
            Some(item) if in_place => *item = Item::ArrayOfTables(array),
            _ => self.result.set_item(key, Item::ArrayOfTables(array)),
        }
    }

    /// `started` set on both sides to different times (both started the
    /// task): the earlier, when the work began. A side that removed it
    /// (reopened the task) against one that changed it is a conflict.
    fn merge_earlier(&mut self, key: &str) -> bool {
        let time = |d: &TaskDocument| {
            d.get(key)
                .and_then(Item::as_value)
                .and_then(Value::as_datetime)
                .and_then(crate::task::timestamp_of)
        };
        let (Some(ours), Some(theirs)) = (time(self.ours), time(self.theirs)) else {
            return false;
        };
        if theirs < ours {
            self.take_theirs(key);
        }
        true
    }

    /// `[meta]`: each key merges three-way on its own.
    fn merge_meta(&mut self) -> bool {
        let (Some(base), Some(ours), Some(theirs)) = (
            entries(self.base, Field::Meta.key()),
            entries(self.ours, Field::Meta.key()),
            entries(self.theirs, Field::Meta.key()),
        ) else {
            return false;
        };
        let mut keys: Vec<&str> = Vec::new();
        for (k, _) in ours.iter().chain(&theirs).chain(&base) {
            if !keys.contains(k) {
                keys.push(k);
            }
        }
        // Edited as a `[meta]` table, so that a conflict inside it has a
        // line of its own.
        let mut meta = match self.result.get(Field::Meta) {
            Some(Item::Table(t)) => t.clone(),
            Some(item) => item.clone().into_table().unwrap_or_default(),
            None => Table::new(),
        };
        for key in keys {
            let (b, o, t) = (lookup(&base, key), lookup(&ours, key), lookup(&theirs, key));
            let (pb, po, pt) = (
                b.and_then(plain_item),
                o.and_then(plain_item),
                t.and_then(plain_item),
            );
            if pt == pb || po == pt {
                continue;
            }
            if po == pb {
                match t {
                    Some(item) => set_keeping_decor(&mut meta, key, item.clone()),
                    None => {
                        meta.remove(key);
                    }
                }
                continue;
            }
            let sentinel = self.sentinel();
            self.pending.push(Pending {
                ours: render_field(key, o),
                theirs: render_field(key, t),
                sentinel: sentinel.clone(),
                whole_table: false,
                field: ConflictField::Meta(key.to_owned()),
                kind: divergence(None, &pb, &po, &pt),
            });
            meta.insert(key, toml_edit::value(sentinel));
        }
        if self
            .pending
            .iter()
            .any(|p| matches!(p.field, ConflictField::Meta(_)))
        {
            // Markers go around `key = value` lines, which mean the right
            // thing only inside a `[meta]` section of their own.
            meta.set_dotted(false);
            meta.set_implicit(false);
        }
        if meta.is_empty() {
            self.result.remove(Field::Meta);
        } else {
            self.result.set_item(Field::Meta, Item::Table(meta));
        }
        true
    }

    /// Only gates can be waived: when one side waived the gate and the
    /// other made the task no gate, the merge of the two is no valid task,
    /// so both fields go in conflict for a person to decide.
    fn check_waiver(&mut self) {
        let conflicted = |m: &Merger, field: Field| {
            m.pending
                .iter()
                .any(|p| p.field == ConflictField::Field(field))
        };
        if conflicted(self, Field::Gate) {
            return;
        }
        let set = |doc: &TaskDocument, field: Field| normalized(field.key(), doc.get(field.key()));
        // A waiver in conflict may be resolved to the side that has one:
        // then the gate must be in question too.
        let waiver_conflicted = conflicted(self, Field::Waiver);
        let waived = waiver_conflicted || set(&self.result, Field::Waiver).is_some();
        let gate = set(&self.result, Field::Gate).is_some();
        if !waived || gate {
            return;
        }
        for field in [Field::Gate, Field::Waiver] {
            if field == Field::Waiver && waiver_conflicted {
                continue;
            }
            if set(self.ours, field) != set(self.theirs, field) {
                self.conflict_at_top(field.key(), ConflictKind::WaiverWithoutGate);
            }
        }
    }

    /// Prints the document and puts each conflict's markers in place of
    /// its stand-in.
    fn finish(self, ours: &str, theirs: &str, markers: &Markers) -> Merged {
        let text = self.result.to_string();
        if self.pending.is_empty() {
            return Merged::clean(&text);
        }
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut spans: Vec<(usize, usize, &Pending)> = Vec::new();
        for pending in &self.pending {
            let Some(end) = lines.iter().position(|l| l.contains(&pending.sentinel)) else {
                // Cannot happen: every stand-in is printed. Should it, the
                // whole files in conflict still lose nothing.
                return whole_file(ours, theirs, markers, pending.kind.clone());
            };
            let start = if pending.whole_table {
                (0..end)
                    .rev()
                    .find(|&i| lines[i].trim_start().starts_with("[["))
                    .unwrap_or(end)
            } else {
                end
            };
            spans.push((start, end, pending));
        }
        spans.sort_by_key(|(start, _, _)| *start);
        let mut out = String::with_capacity(text.len());
        let mut conflicts = Vec::new();
        let mut line_count = 0;
        let mut i = 0;
        let mut spans = spans.into_iter().peekable();
        while i < lines.len() {
            if let Some((start, end, pending)) = spans.next_if(|(start, _, _)| *start == i) {
                conflicts.push(Conflict {
                    line: line_count + 1,
                    field: Some(pending.field.clone()),
                    kind: pending.kind.clone(),
                });
                let block = markers.text_block(&pending.ours, &pending.theirs);
                line_count += block.lines().count();
                out.push_str(&block);
                i = end.max(start) + 1;
                continue;
            }
            out.push_str(lines[i]);
            line_count += 1;
            i += 1;
        }
        Merged {
            text: out,
            conflicts,
        }
    }
}

/// One criterion, matched across the sides by its text (and, for a text
/// written twice, by which occurrence it is).
struct Criterion {
    key: (Option<Plain>, usize),
    /// The criterion as messages name it.
    text: CriterionName,
    /// Everything but the text, with `met = false` the same as no `met`.
    rest: Plain,
}

fn criteria(tables: &[Table]) -> Vec<Criterion> {
    let mut out: Vec<Criterion> = Vec::new();
    for table in tables {
        let text = table.get("text").and_then(plain_item);
        let n = out.iter().filter(|c| c.key.0 == text).count();
        let mut rest = BTreeMap::new();
        for (k, item) in table.iter() {
            if k == "text" {
                continue;
            }
            if let Some(p) = plain_item(item)
                && !(k == "met" && p == Plain::Bool(false))
            {
                rest.insert(k.to_owned(), p);
            }
        }
        let shown = match table.get("text").and_then(Item::as_str) {
            Some(s) => CriterionName::Text(s.to_owned()),
            None => CriterionName::Number(out.len() + 1),
        };
        out.push(Criterion {
            key: (text, n),
            text: shown,
            rest: Plain::Table(rest),
        });
    }
    out
}

/// Replaces everything but the text of `ours` with `theirs'`.
fn copy_fields(ours: &mut Table, theirs: &Table) {
    let keys: Vec<String> = ours
        .iter()
        .chain(theirs.iter())
        .map(|(k, _)| k.to_owned())
        .filter(|k| k != "text")
        .collect();
    for key in keys {
        match theirs.get(&key) {
            Some(item) if !item.is_none() => set_keeping_decor(ours, &key, item.clone()),
            _ => {
                ours.remove(&key);
            }
        }
    }
}

/// Sets `key` in `table`, keeping the old value's spacing and comment.
fn set_keeping_decor(table: &mut Table, key: &str, mut item: Item) {
    if let (Some(Item::Value(old)), Item::Value(new)) = (table.get(key), &mut item) {
        *new.decor_mut() = old.decor().clone();
    }
    if let Item::Table(_) | Item::ArrayOfTables(_) = item {
        crate::document::visit_tables(&mut item, &mut |t| t.set_position(None));
    }
    table.insert(key, item);
}

/// When a note was written, for ordering the log; notes without a
/// readable time go first, where they are easy to spot.
fn note_time(table: &Table) -> Option<DateTime<Utc>> {
    crate::task::timestamp_of(table.get("at")?.as_datetime()?)
}

/// `key = value` as one side has it, for between the markers, with the
/// comment at the end of its line; nothing when that side has no such
/// key. Tables are written inline so the lines make sense wherever the
/// field is.
fn render_field(key: &str, item: Option<&Item>) -> String {
    let Some(value) = item.and_then(|i| i.clone().into_value().ok()) else {
        return String::new();
    };
    let mut value = value;
    let comment = item
        .and_then(Item::as_value)
        .and_then(|v| v.decor().suffix())
        .and_then(|s| s.as_str())
        .filter(|s| s.contains('#') && !s.contains('\n'))
        .map(str::to_owned);
    value.decor_mut().clear();
    if let Some(comment) = comment {
        value.decor_mut().set_suffix(comment);
    }
    let mut doc = DocumentMut::new();
    doc.insert(key, Item::Value(value));
    doc.to_string()
}

/// A whole `[[criteria]]` table, for between the markers.
fn render_criterion(table: &Table) -> String {
    let mut table = table.clone();
    table.decor_mut().clear();
    table.set_position(None);
    let mut array = ArrayOfTables::new();
    array.push(table);
    let mut doc = DocumentMut::new();
    doc.insert("criteria", Item::ArrayOfTables(array));
    doc.to_string()
}

/// The fields of a criterion other than its text, with `met = false`
/// written out so a side that never marked it still shows a line.
fn render_criterion_fields(table: &Table) -> String {
    let mut out = String::new();
    let mut met = false;
    for (key, item) in table.iter() {
        if key == "text" {
            continue;
        }
        met |= key == "met";
        out.push_str(&render_field(key, Some(item)));
    }
    if !met {
        out.insert_str(0, "met = false\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"subject = "Ship it"
status = "pending"
blocked_by = ["a", "b"]
created = 2026-11-20T10:00:00Z

[[notes]]
at = 2026-11-20T11:00:00Z
text = "first"
"#;

    fn edit(text: &str, f: impl FnOnce(&mut TaskDocument)) -> String {
        let mut doc = TaskDocument::parse(text).unwrap();
        f(&mut doc);
        doc.to_string()
    }

    #[test]
    fn fields_changed_on_different_sides_both_arrive() {
        let ours = edit(BASE, |d| d.set_str("status", "in_progress"));
        let theirs = edit(BASE, |d| d.set_str("owner", "bo@example.com"));
        let m = merge(BASE, &ours, &theirs);
        assert!(m.is_clean(), "{}", m.text);
        assert!(m.text.contains("status = \"in_progress\"\n"), "{}", m.text);
        assert!(
            m.text.contains("owner = \"bo@example.com\"\n"),
            "{}",
            m.text
        );
    }

    #[test]
    fn a_subject_changed_two_ways_is_in_conflict_on_its_line() {
        let ours = edit(BASE, |d| d.set_str("subject", "X"));
        let theirs = edit(BASE, |d| d.set_str("subject", "Y"));
        let m = merge(BASE, &ours, &theirs);
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(m.conflicts[0].line, 1);
        assert!(
            m.text.starts_with(
                "<<<<<<< ours\nsubject = \"X\"\n=======\nsubject = \"Y\"\n>>>>>>> theirs\nstatus"
            ),
            "{}",
            m.text
        );
    }

    #[test]
    fn a_task_started_on_both_sides_keeps_the_earlier_start() {
        let at = |t: &str| crate::task::parse_timestamp(t).unwrap();
        let start = |when: &'static str| {
            edit(BASE, move |d| {
                d.set_str("status", "in_progress");
                d.set_time("started", at(when));
            })
        };
        let (early, late) = (start("2026-11-21T09:00:00Z"), start("2026-11-22T14:30:00Z"));
        for (ours, theirs) in [(&early, &late), (&late, &early)] {
            let m = merge(BASE, ours, theirs);
            assert!(m.is_clean(), "{}", m.text);
            assert!(
                m.text.contains("started = 2026-11-21T09:00:00Z\n"),
                "{}",
                m.text
            );
        }
        // Set on one side only: that side's time. The other side changes
        // another field, so the merge goes field by field (a side equal to
        // the base would take the whole-file shortcut instead).
        let retitled = edit(BASE, |d| d.set_str("subject", "Ship it today"));
        for (ours, theirs) in [(&early, &retitled), (&retitled, &early)] {
            let m = merge(BASE, ours, theirs);
            assert!(m.is_clean(), "{}", m.text);
            assert!(
                m.text.contains("started = 2026-11-21T09:00:00Z\n"),
                "{}",
                m.text
            );
            assert!(
                m.text.contains("subject = \"Ship it today\"\n"),
                "{}",
                m.text
            );
        }
        // Reopened (cleared) on one side, restarted on the other: both
        // are news, so it is for the user to say.
        let reopened = edit(&early, |d| {
            d.remove("status");
            d.remove("started");
        });
        let restarted = edit(&early, |d| {
            d.set_time("started", at("2026-11-23T08:00:00Z"))
        });
        let m = merge(&early, &reopened, &restarted);
        assert!(
            m.conflicts
                .iter()
                .any(|c| c.field == Some(ConflictField::Field(Field::Started))),
            "{:?}\n{}",
            m.conflicts,
            m.text
        );
    }

    #[test]
    fn started_against_finished_is_finished_with_its_closed_time() {
        let ours = edit(BASE, |d| d.set_str("status", "in_progress"));
        let theirs = edit(BASE, |d| {
            d.set_str("status", "completed");
            d.set_str("closed", "x");
        });
        let m = merge(BASE, &ours, &theirs);
        assert!(m.is_clean(), "{}", m.text);
        assert!(m.text.contains("status = \"completed\""), "{}", m.text);
        assert!(m.text.contains("closed = \"x\""), "{}", m.text);
        let swapped = merge(BASE, &theirs, &ours);
        assert!(swapped.is_clean());
        assert!(swapped.text.contains("closed = \"x\""), "{}", swapped.text);

        let cancelled = edit(BASE, |d| d.set_str("status", "cancelled"));
        assert!(!merge(BASE, &ours, &cancelled).is_clean());
    }

    #[test]
    fn sets_merge_as_sets() {
        let ours = edit(BASE, |d| {
            d.remove_from_array("blocked_by", "a");
            d.add_to_array("blocked_by", "c");
        });
        let theirs = edit(BASE, |d| {
            d.remove_from_array("blocked_by", "b");
            d.add_to_array("blocked_by", "d");
        });
        let m = merge(BASE, &ours, &theirs);
        assert!(m.is_clean(), "{}", m.text);
        assert!(
            m.text.contains("blocked_by = [\"c\", \"d\"]\n"),
            "{}",
            m.text
        );
    }

    #[test]
    fn notes_are_the_union_in_time_order() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let ours = edit(BASE, |d| {
            d.push_note(at("2026-11-20T13:00:00Z"), None, "ours")
        });
        let theirs = edit(BASE, |d| {
            d.push_note(at("2026-11-20T12:00:00Z"), None, "theirs")
        });
        let m = merge(BASE, &ours, &theirs);
        assert!(m.is_clean(), "{}", m.text);
        let first = m.text.find("\"first\"").unwrap();
        let t = m.text.find("\"theirs\"").unwrap();
        let o = m.text.find("\"ours\"").unwrap();
        assert!(first < t && t < o, "{}", m.text);
    }

    #[test]
    fn two_tasks_under_one_id_are_never_fused() {
        let ours = "subject = \"A\"\ncreated = 2026-11-20T10:00:00Z\n";
        let theirs = "subject = \"B\"\ncreated = 2026-11-20T10:00:01Z\n";
        let m = merge("", ours, theirs);
        assert_eq!(m.conflicts[0].kind, ConflictKind::SameId);
        assert_eq!(
            m.text,
            format!("<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n")
        );
        // The same task written a little differently on each side is one
        // task (the text differs, so the whole-file shortcut does not apply).
        let respaced = ours.replace("subject = ", "subject =  ");
        assert!(merge("", ours, &respaced).is_clean());
    }

    #[test]
    fn a_criterion_removed_on_one_side_and_met_on_the_other_is_a_conflict() {
        let base = "subject = \"R\"\n\n[[criteria]]\ntext = \"a\"\n\n[[criteria]]\ntext = \"b\"\n";
        let ours = "subject = \"R\"\n\n[[criteria]]\ntext = \"b\"\n";
        let theirs = edit(base, |d| {
            d.set_criterion_met(0, true);
        });
        let m = merge(base, ours, &theirs);
        assert_eq!(m.conflicts.len(), 1, "{}", m.text);
        assert_eq!(m.conflicts[0].kind, ConflictKind::RemovedAndChanged);
        assert_eq!(
            m.text,
            "subject = \"R\"\n\n[[criteria]]\ntext = \"b\"\n\n<<<<<<< ours\n=======\n\
             [[criteria]]\ntext = \"a\"\nmet = true\n>>>>>>> theirs\n"
        );
        // Removed and unchanged: gone, cleanly.
        let theirs = edit(base, |d| d.set_str("owner", "bo"));
        let m = merge(base, ours, &theirs);
        assert!(m.is_clean(), "{}", m.text);
        assert!(!m.text.contains("\"a\""), "{}", m.text);
    }

    #[test]
    fn a_blocker_added_to_an_array_of_lines_gets_a_line_of_its_own() {
        let base = "subject = \"x\"\nblocked_by = [\n    \"a\",  # first\n    \"b\",\n]\n";
        let ours = base.replace("    \"a\",  # first\n", "");
        let theirs = base.replace("    \"b\",\n", "    \"b\",\n    \"c\",\n");
        let m = merge(base, &ours, &theirs);
        assert!(m.is_clean(), "{}", m.text);
        assert_eq!(
            m.text,
            "subject = \"x\"\nblocked_by = [\n    \"b\",\n    \"c\",\n]\n"
        );
        // And the other way round: the comment goes with its element.
        let m = merge(base, &theirs, &ours);
        assert_eq!(
            m.text,
            "subject = \"x\"\nblocked_by = [\n    \"b\",\n    \"c\",\n]\n"
        );
    }

    #[test]
    fn meta_keys_merge_one_by_one() {
        let base = "subject = \"x\"\n\n[meta]\nsprint = 1\nteam = \"core\"\n";
        let ours = edit(base, |d| d.set_meta("sprint", 2));
        let theirs = edit(base, |d| {
            d.set_meta("team", "edge");
            d.set_meta("sprint", 3);
        });
        let m = merge(base, &ours, &theirs);
        assert_eq!(
            m.text,
            "subject = \"x\"\n\n[meta]\n<<<<<<< ours\nsprint = 2\n=======\nsprint = 3\n>>>>>>> theirs\nteam = \"edge\"\n"
        );
        let field = m.conflicts[0].field.as_ref();
        assert_eq!(field, Some(&ConflictField::Meta("sprint".into())));
        assert_eq!(
            field.map(|f| f.to_string()).as_deref(),
            Some("`meta.sprint`")
        );
        assert_eq!(m.conflicts[0].line, 4);
    }

    #[test]
    fn a_side_that_is_not_toml_puts_the_whole_file_in_conflict() {
        let m = merge(BASE, "subject = \"x\n", "subject = \"y\"\n");
        assert!(matches!(
            m.conflicts[0].kind,
            ConflictKind::Unreadable {
                side: Side::Ours,
                ..
            }
        ));
        assert!(m.text.starts_with("<<<<<<< ours\nsubject = \"x\n=======\n"));
    }

    #[test]
    fn a_waiver_against_an_ungated_task_is_a_conflict() {
        let base = "subject = \"G\"\ngate = true\n";
        let ours = "subject = \"G\"\n";
        let theirs = edit(base, |d| {
            d.set_waiver("ana", "risk", "2026-11-20T10:00:00Z".parse().unwrap())
        });
        let m = merge(base, ours, &theirs);
        assert_eq!(m.conflicts.len(), 2, "{}", m.text);
    }

    fn labels(base: &str, ours: &str, theirs: &str) -> [Option<Label>; 3] {
        [Label::parse(base), Label::parse(ours), Label::parse(theirs)]
    }

    fn request<'a>(
        texts: [&'a str; 3],
        labels: &'a [Option<Label>; 3],
        path: &'a str,
        width: usize,
    ) -> Request<'a> {
        let version = |i: usize| Version {
            bytes: Some(texts[i].as_bytes()),
            label: labels[i].as_ref(),
        };
        Request {
            base: version(0),
            ours: version(1),
            theirs: version(2),
            path: Some(path),
            marker_size: width,
        }
    }

    const M: &str = "subject = \"M\"\ncreated = 2026-11-20T10:00:00Z\n";

    #[test]
    fn a_rename_git_detected_between_two_tasks_is_never_one_task() {
        let ours = "subject = \"M again\"\ncreated = 2026-11-20T10:00:00Z\n";
        let theirs = "subject = \"M\"\nstatus = \"in_progress\"\ncreated = 2026-11-20T10:00:00Z\n";
        let labels = labels(
            "1a2b3c4:.tasks/m.toml",
            "HEAD:.tasks/m-1.toml",
            "feature:.tasks/m.toml",
        );
        let m = request([M, ours, theirs], &labels, ".tasks/m-1.toml", 7).merge();
        assert!(matches!(
            &m.conflicts[0].kind,
            ConflictKind::DifferentTasks { ours, theirs }
                if ours.id.as_deref() == Some("m-1") && theirs.id.as_deref() == Some("m")
        ));
        assert_eq!(
            String::from_utf8(m.bytes).unwrap(),
            format!(
                "<<<<<<< HEAD:.tasks/m-1.toml\n{ours}=======\n{theirs}\
                 >>>>>>> feature:.tasks/m.toml\n"
            )
        );
        // The other task comes back from its own revision and path.
        assert!(
            matches!(
                &m.resolutions[..],
                [Resolution::TwoTasks { keep, other, other_path, .. }]
                    if keep.id() == "m-1"
                        && other.revision == "feature"
                        && other.path.as_deref() == Some(".tasks/m.toml")
                        && other_path == ".tasks/m.toml"
            ),
            "{:?}",
            m.resolutions
        );
        // Without labels (an older git) the same files are one task.
        let none = [None, None, None];
        assert!(
            request([M, ours, theirs], &none, ".tasks/m-1.toml", 7)
                .merge()
                .is_clean()
        );
    }

    #[test]
    fn a_task_replaced_under_its_id_is_another_task() {
        let ours = "subject = \"M\"\ncreated = 2026-11-23T10:00:00Z\n";
        let theirs = "subject = \"M\"\nowner = \"bo\"\ncreated = 2026-11-20T10:00:00Z\n";
        let m = merge(M, ours, theirs);
        assert!(matches!(
            &m.conflicts[0].kind,
            ConflictKind::DifferentTasks { ours, theirs }
                if ours.created.as_deref() == Some("2026-11-23T10:00:00Z")
                    && theirs.created.as_deref() == Some("2026-11-20T10:00:00Z")
        ));
        assert_eq!(m.conflicts[0].field, None);
    }

    #[test]
    fn two_sides_holding_one_task_merge_as_that_task() {
        // Both renamed the task alike: the base is the task before.
        let base = "subject = \"M\"\nowner = \"cy\"\ncreated = 2026-11-20T10:00:00Z\n";
        let ours = "subject = \"M\"\nowner = \"ana\"\ncreated = 2026-11-20T10:00:00Z\n";
        let theirs = "subject = \"M\"\nstatus = \"in_progress\"\nowner = \"cy\"\n\
                      created = 2026-11-20T10:00:00Z\n";
        let labels = labels("1:.tasks/m.toml", "HEAD:.tasks/n.toml", "f:.tasks/n.toml");
        let m = request([base, ours, theirs], &labels, ".tasks/n.toml", 7).merge();
        assert!(m.is_clean(), "{:?}", m.conflicts);
        let text = String::from_utf8(m.bytes).unwrap();
        assert!(
            text.contains("status = \"in_progress\"\nowner = \"ana\"\n"),
            "{text}"
        );

        // Both replaced it by the same new task: the old one's fields are
        // no base for it (theirs did not remove the owner; it never had one).
        let ours = "subject = \"N\"\nowner = \"ana\"\ncreated = 2026-11-23T10:00:00Z\n";
        let theirs = "subject = \"N\"\npriority = \"high\"\ncreated = 2026-11-23T10:00:00Z\n";
        let m = merge(base, ours, theirs);
        assert!(m.is_clean(), "{}", m.text);
        assert_eq!(
            m.text,
            "subject = \"N\"\npriority = \"high\"\nowner = \"ana\"\ncreated = 2026-11-23T10:00:00Z\n"
        );
    }

    /// git's inner merge of two merge bases, each of which changed the
    /// owner its own way: what the outer merge gets as its base.
    fn virtual_base() -> String {
        let base = "subject = \"S\"\nowner = \"cy\"\ncreated = 2026-11-20T10:00:00Z\n";
        let left = base.replace("cy", "ana");
        let right = base.replace("cy", "bo");
        let labels = labels(
            "1a2b3c4",
            "Temporary merge branch 1",
            "Temporary merge branch 2",
        );
        let inner = request([base, &left, &right], &labels, ".tasks/s.toml", 9);
        assert!(inner.is_inner());
        let m = inner.merge();
        assert_eq!(m.conflicts.len(), 1);
        String::from_utf8(m.bytes).unwrap()
    }

    #[test]
    fn a_base_holding_markers_merges_separate_changes_cleanly() {
        let base = virtual_base();
        assert!(base.contains("<<<<<<<<< Temporary merge branch 1\nowner = \"ana\"\n"));
        let ours = "subject = \"S\"\nstatus = \"in_progress\"\nowner = \"ana\"\ncreated = 2026-11-20T10:00:00Z\n";
        let theirs = "subject = \"S\"\npriority = \"high\"\nowner = \"ana\"\ncreated = 2026-11-20T10:00:00Z\n";
        let m = merge(&base, ours, theirs);
        assert!(m.is_clean(), "{}", m.text);
        assert_eq!(
            m.text,
            "subject = \"S\"\nstatus = \"in_progress\"\npriority = \"high\"\nowner = \"ana\"\n\
             created = 2026-11-20T10:00:00Z\n"
        );
        // Where the bases disagree, the base is unknown: only sides that
        // agree merge cleanly, even when one of them kept a base's value.
        let theirs = theirs.replace("ana", "bo");
        let m = merge(&base, ours, &theirs);
        assert_eq!(m.conflicts.len(), 1, "{}", m.text);
        let field = m.conflicts[0].field.as_ref();
        assert_eq!(field, Some(&ConflictField::Field(Field::Owner)));
        assert_eq!(field.map(|f| f.to_string()).as_deref(), Some("`owner`"));
    }

    #[test]
    fn a_version_git_could_not_hand_over_leaves_the_other_whole() {
        let mut r = request(
            [M, M, "subject = \"N\"\n"],
            &[None, None, None],
            ".tasks/m.toml",
            7,
        );
        r.ours.bytes = None;
        let m = r.merge();
        assert!(matches!(
            m.conflicts[0].kind,
            ConflictKind::Missing {
                side: Side::Ours,
                ..
            }
        ));
        assert_eq!(
            String::from_utf8(m.bytes).unwrap(),
            "<<<<<<< ours\n=======\nsubject = \"N\"\n>>>>>>> theirs\n"
        );
    }

    #[test]
    fn json_names_a_field_without_its_backticks_and_keeps_a_description_whole() {
        let text = |t: &str| CriterionName::Text(t.into());
        let named = |f: ConflictField| (f.to_string(), f.name());
        assert_eq!(
            named(ConflictField::Field(Field::Subject)),
            ("`subject`".into(), "subject".into())
        );
        assert_eq!(
            named(ConflictField::Meta("sprint".into())),
            ("`meta.sprint`".into(), "meta.sprint".into())
        );
        assert_eq!(
            named(ConflictField::CriterionMet(text("a"))),
            (
                "`met` of criterion \"a\"".into(),
                "`met` of criterion \"a\"".into()
            )
        );
        assert_eq!(
            named(ConflictField::Criterion(text("tests pass"))),
            (
                "criterion \"tests pass\"".into(),
                "criterion \"tests pass\"".into()
            )
        );
        assert_eq!(
            named(ConflictField::Criterion(CriterionName::Number(2))),
            ("criterion number 2".into(), "criterion number 2".into())
        );
        // A key that is no field, as in `.tasks/config.toml`; one with a
        // backtick of its own is named as shown.
        assert_eq!(
            named(ConflictField::Key("gates".into())),
            ("`gates`".into(), "gates".into())
        );
        assert_eq!(
            named(ConflictField::Key("a`b".into())),
            ("`a`b`".into(), "`a`b`".into())
        );
        assert_eq!(
            named(ConflictField::Meta("a`b".into())),
            ("`meta.a`b`".into(), "`meta.a`b`".into())
        );
    }

    #[test]
    fn a_conflict_names_a_field_by_its_type_and_a_setting_by_its_key() {
        let base = "subject = \"x\"\nstatus = \"pending\"\nzzz = 1\n";
        let ours = edit(base, |d| {
            d.set_str("status", "in_progress");
            d.set("zzz", 2);
        });
        let theirs = edit(base, |d| {
            d.set_str("status", "cancelled");
            d.set("zzz", 3);
        });
        let m = merge(base, &ours, &theirs);
        let fields: Vec<_> = m.conflicts.iter().map(|c| c.field.clone()).collect();
        assert_eq!(
            fields,
            [
                Some(ConflictField::Field(Field::Status)),
                Some(ConflictField::Key("zzz".into()))
            ],
            "{}",
            m.text
        );
        let messages: Vec<String> = m.conflicts.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            messages,
            [
                "`status` was changed differently on both sides",
                "`zzz` was changed differently on both sides"
            ]
        );
    }
}
