//! Format-preserving edits of one task file.
//!
//! git-task never re-serialises a task: it edits the TOML document, so a
//! hand-edited file keeps its comments, key order and layout, and a change
//! shows in `git diff` as exactly the lines it changed.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

use crate::field::Field;
use crate::id::TaskId;
use crate::task::{ParseError, Task};

/// A key's place in the order git-task writes a task file's keys
/// ([`Field::ALL`]); a key that is no field goes after all of them.
fn rank(key: &str) -> usize {
    Field::ALL
        .iter()
        .position(|f| f.key() == key)
        .unwrap_or(usize::MAX)
}

/// The editable text of one task file.
///
/// Top-level keys are given as a [`Field`] (or anything else that is a
/// `str`): a task's own code names fields by their type, so that a key
/// cannot be misspelt, and the merge, which also merges
/// `.tasks/config.toml` and keeps keys it does not know, by their text.
#[derive(Debug, Clone)]
pub struct TaskDocument {
    doc: DocumentMut,
    layout: Layout,
}

/// What the file's bytes carry besides the TOML: a byte-order mark and
/// the line ending. Kept on every write, so an edit of a CRLF file does
/// not show in `git diff` as every line changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Layout {
    bom: bool,
    crlf: bool,
}

impl Layout {
    fn of(text: &str) -> Layout {
        let lines = text.matches('\n').count();
        let crlf = text.matches("\r\n").count();
        Layout {
            bom: text.starts_with('\u{feff}'),
            // The ending most lines have; a file of one line without an
            // ending is LF, as git-task writes.
            crlf: crlf > 0 && crlf * 2 >= lines,
        }
    }

    fn apply(self, text: String) -> String {
        if self == Layout::default() {
            return text;
        }
        let mut out = String::with_capacity(text.len() + text.len() / 16 + 3);
        if self.bom {
            out.push('\u{feff}');
        }
        if self.crlf {
            // The document was parsed with LF endings (see
            // `task::normalized_text`), and strings holding a carriage
            // return are written escaped, so every raw LF is a line end.
            out.push_str(&text.replace('\n', "\r\n"));
        } else {
            out.push_str(&text);
        }
        out
    }
}

impl TaskDocument {
    /// An empty document, to which a new task's fields are added.
    pub fn new() -> TaskDocument {
        TaskDocument {
            doc: DocumentMut::new(),
            layout: Layout::default(),
        }
    }

    /// Parses the text of a task file for editing. Only the TOML syntax is
    /// checked here; [`TaskDocument::to_task`] validates the fields.
    pub fn parse(text: &str) -> Result<TaskDocument, ParseError> {
        let layout = Layout::of(text);
        let text = crate::task::normalized_text(text);
        text.parse::<DocumentMut>()
            .map(|doc| TaskDocument { doc, layout })
            .map_err(|e| crate::task::toml_error(&text, e.span(), e.message()))
    }

    /// The document of a table of values (a task from git-task's own
    /// export, a `[meta]` table), written as git-task writes: a string
    /// with a carriage return or a line that looks like a conflict marker
    /// is escaped, so the file never holds what a merge would mistake for
    /// its own markers.
    pub fn of_table(table: &toml::Table) -> TaskDocument {
        let text = toml::to_string(table).expect("a TOML table is written as TOML");
        let mut doc: DocumentMut = text.parse().expect("toml's output is TOML");
        for (_, item) in doc.as_table_mut().iter_mut() {
            safe_item(item);
        }
        TaskDocument {
            doc,
            layout: Layout::default(),
        }
    }

    /// Validates the document as the task `id`: what would be written must be
    /// a task that reads back.
    pub fn to_task(&self, id: &TaskId) -> Result<Task, ParseError> {
        Task::parse(id.clone(), &self.to_string())
    }

    /// Sets a top-level value, keeping the key's place and comments when it
    /// exists and putting a new key where git-task would write it.
    pub fn set(&mut self, key: impl AsRef<str>, value: impl Into<Value>) {
        let key = key.as_ref();
        let mut value = safe_strings(value.into());
        let root = self.doc.as_table_mut();
        if let Some(Item::Value(old)) = root.get_mut(key) {
            *value.decor_mut() = old.decor().clone();
            *old = value;
            return;
        }
        let in_order = is_sorted_by_rank(root.iter().filter(|(_, i)| i.is_value()).map(|(k, _)| k));
        root.insert(key, Item::Value(value));
        if in_order {
            root.sort_values_by(|a, _, b, _| rank(a.get()).cmp(&rank(b.get())));
        }
    }

    pub fn set_str(&mut self, key: impl AsRef<str>, value: &str) {
        self.set(key, value);
    }

    pub fn set_time(&mut self, key: impl AsRef<str>, at: DateTime<Utc>) {
        self.set(key, datetime(at));
    }

    /// Sets a time to the microsecond: `created` tells two tasks that drew
    /// the same id apart, even when both were added in the same second.
    pub fn set_precise_time(&mut self, key: impl AsRef<str>, at: DateTime<Utc>) {
        self.set(key, precise_datetime(at));
    }

    pub fn set_date(&mut self, key: impl AsRef<str>, date: NaiveDate) {
        let key = key.as_ref();
        let text = date.format("%Y-%m-%d").to_string();
        // A formatted NaiveDate always parses as a TOML local date.
        if let Ok(dt) = text.parse::<toml_edit::Datetime>() {
            self.set(key, dt);
        }
    }

    /// Removes a top-level key or table; a no-op when it is absent.
    ///
    /// Comments above the key that stand apart from it (the file's header
    /// above the first key, or a block followed by a blank line) stay, in
    /// front of whatever now comes first; a comment directly above the key
    /// goes with it.
    pub fn remove(&mut self, key: impl AsRef<str>) {
        let key = key.as_ref();
        let root = self.doc.as_table_mut();
        let Some(index) = root.iter().position(|(k, _)| k == key) else {
            return;
        };
        let first_value = root
            .iter()
            .position(|(_, item)| item.is_value())
            .is_some_and(|i| i == index);
        let prefix = match root.get(key) {
            Some(Item::Value(_)) => root
                .key(key)
                .and_then(|k| k.leaf_decor().prefix())
                .and_then(|p| p.as_str())
                .map(str::to_owned),
            Some(item) => first_table_prefix(item),
            None => None,
        };
        root.remove(key);
        let kept = prefix
            .as_deref()
            .map(|p| standalone_comments(p, first_value))
            .unwrap_or_default();
        if !kept.is_empty() {
            self.prepend_to_item_after(index, &kept);
        }
    }

    /// Puts `text` (comment lines) in front of the item that prints first
    /// at or after root entry `index` once it is gone: the next value, else
    /// the first table, else the end of the file.
    fn prepend_to_item_after(&mut self, index: usize, text: &str) {
        let root = self.doc.as_table_mut();
        let next_value = root
            .iter()
            .enumerate()
            .skip(index)
            .find(|(_, (_, item))| item.is_value())
            .map(|(_, (k, _))| k.to_owned());
        if let Some(next) = next_value {
            if let Some(mut k) = root.key_mut(&next) {
                let old = k
                    .leaf_decor()
                    .prefix()
                    .and_then(|p| p.as_str())
                    .unwrap_or("");
                let joined = join_prefix(text, old);
                k.leaf_decor_mut().set_prefix(joined);
            }
            return;
        }
        let mut first: Option<(isize, &mut Table)> = None;
        for (_, item) in root.iter_mut() {
            let candidate = match item {
                Item::Table(t) => Some(t),
                Item::ArrayOfTables(a) => a.iter_mut().next(),
                _ => None,
            };
            if let Some(t) = candidate {
                let p = t.position().unwrap_or(isize::MAX);
                if first.as_ref().is_none_or(|(q, _)| p < *q) {
                    first = Some((p, t));
                }
            }
        }
        if let Some((_, table)) = first {
            let old = table
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("");
            let joined = join_prefix(text, old);
            table.decor_mut().set_prefix(joined);
            return;
        }
        let old = self.doc.trailing().as_str().unwrap_or("").to_owned();
        self.doc.set_trailing(join_prefix(text, &old));
    }

    pub fn contains(&self, key: impl AsRef<str>) -> bool {
        self.doc.as_table().contains_key(key.as_ref())
    }

    /// Adds `item` to the string array `key` unless it is there already,
    /// keeping the array's layout. Returns whether it was added.
    pub fn add_to_array(&mut self, key: impl AsRef<str>, item: &str) -> bool {
        let key = key.as_ref();
        if let Some(array) = self.doc.get_mut(key).and_then(Item::as_array_mut) {
            if array.iter().any(|v| v.as_str() == Some(item)) {
                return false;
            }
            push_like_the_rest(array, safe_strings(Value::from(item)));
            return true;
        }
        self.set(key, Array::from_iter([item]));
        true
    }

    /// Replaces the string `from` in the array `key` by `to`, in its place
    /// and with its layout (comments, line breaks). Returns whether it was
    /// there.
    pub fn replace_in_array(&mut self, key: impl AsRef<str>, from: &str, to: &str) -> bool {
        let key = key.as_ref();
        let Some(array) = self.doc.get_mut(key).and_then(Item::as_array_mut) else {
            return false;
        };
        let mut replaced = false;
        for value in array.iter_mut() {
            if value.as_str() == Some(from) {
                let mut new = safe_strings(Value::from(to));
                *new.decor_mut() = value.decor().clone();
                *value = new;
                replaced = true;
            }
        }
        replaced
    }

    /// Removes `item` from the string array `key`, and the key with its last
    /// item. Returns whether it was there.
    pub fn remove_from_array(&mut self, key: impl AsRef<str>, item: &str) -> bool {
        let key = key.as_ref();
        let Some(array) = self.doc.get_mut(key).and_then(Item::as_array_mut) else {
            return false;
        };
        let before = array.len();
        remove_elements(array, |v| v.as_str() == Some(item));
        let removed = array.len() != before;
        if array.is_empty() {
            self.remove(key);
        }
        removed
    }

    /// Appends an entry to the execution log.
    pub fn push_note(&mut self, at: DateTime<Utc>, by: Option<&str>, text: &str) {
        let mut note = Table::new();
        note.insert("at", toml_edit::value(datetime(at)));
        if let Some(by) = by {
            note.insert("by", toml_edit::value(safe_strings(by.into())));
        }
        note.insert("text", toml_edit::value(safe_strings(text.into())));
        self.push_table("notes", note);
    }

    /// Appends a success criterion, not yet met.
    pub fn push_criterion(&mut self, text: &str) {
        let mut criterion = Table::new();
        criterion.insert("text", toml_edit::value(safe_strings(text.into())));
        self.push_table("criteria", criterion);
    }

    /// Marks criterion `index` (0-based) met or unmet. Returns false when
    /// there is no such criterion.
    pub fn set_criterion_met(&mut self, index: usize, met: bool) -> bool {
        let Some(mut entry) = self.table_entry("criteria", index) else {
            return false;
        };
        if met {
            entry.set("met", Value::from(true));
        } else {
            entry.remove("met");
        }
        true
    }

    /// Entry `index` of the array of tables `key`, written as a `[[key]]`
    /// section or as an inline table.
    fn table_entry(&mut self, key: &str, index: usize) -> Option<Entry<'_>> {
        match self.doc.get_mut(key)? {
            Item::ArrayOfTables(a) => a.get_mut(index).map(Entry::Section),
            Item::Value(Value::Array(a)) => a
                .get_mut(index)
                .and_then(Value::as_inline_table_mut)
                .map(Entry::Inline),
            _ => None,
        }
    }

    /// Writes the `[waiver]` table of a gate, as an inline table when the
    /// file wrote the waiver inline.
    pub fn set_waiver(&mut self, by: &str, reason: &str, at: DateTime<Utc>) {
        let mut waiver = Table::new();
        waiver.insert("by", toml_edit::value(safe_strings(by.into())));
        waiver.insert("reason", toml_edit::value(safe_strings(reason.into())));
        waiver.insert("at", toml_edit::value(datetime(at)));
        if matches!(self.doc.get("waiver"), Some(Item::Value(_))) {
            self.set("waiver", waiver.into_inline_table());
            return;
        }
        self.set_item("waiver", Item::Table(waiver));
    }

    /// Sets `key` in the `[meta]` table, creating the table in its place.
    pub fn set_meta(&mut self, key: &str, value: impl Into<Value>) {
        let mut value = safe_strings(value.into());
        if let Some(meta) = self.doc.get_mut("meta").and_then(Item::as_table_like_mut) {
            if let Some(Item::Value(old)) = meta.get_mut(key) {
                *value.decor_mut() = old.decor().clone();
                *old = value;
            } else {
                meta.insert(key, Item::Value(value));
            }
            return;
        }
        let mut meta = Table::new();
        meta.insert(key, Item::Value(value));
        self.remove("meta");
        self.insert_table("meta", Item::Table(meta));
    }

    /// Removes `key` from `[meta]`, and the table with its last key.
    pub fn remove_meta(&mut self, key: &str) {
        let Some(meta) = self.doc.get_mut("meta").and_then(Item::as_table_like_mut) else {
            return;
        };
        meta.remove(key);
        if meta.is_empty() {
            self.remove("meta");
        }
    }

    /// The top-level item `key`, for code that works on whole TOML values
    /// (the merge compares and copies them).
    pub fn get(&self, key: impl AsRef<str>) -> Option<&Item> {
        let key = key.as_ref();
        self.doc.get(key).filter(|i| !i.is_none())
    }

    /// The top-level item `key`, to edit in place.
    pub fn get_mut(&mut self, key: impl AsRef<str>) -> Option<&mut Item> {
        let key = key.as_ref();
        self.doc.get_mut(key).filter(|i| !i.is_none())
    }

    /// The TOML document itself, for code that works on its layout rather
    /// than its fields (the merge carries comments across).
    pub fn toml(&self) -> &DocumentMut {
        &self.doc
    }

    /// The TOML document itself, to change its layout.
    pub fn toml_mut(&mut self) -> &mut DocumentMut {
        &mut self.doc
    }

    /// The top-level keys, in the file's order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.doc.as_table().iter().map(|(k, _)| k)
    }

    /// Sets a top-level item of any kind. A value goes where [`set`] puts
    /// it. A table or array of tables takes the place of the one it
    /// replaces, or else goes where git-task would write it.
    ///
    /// [`set`]: TaskDocument::set
    pub fn set_item(&mut self, key: impl AsRef<str>, mut item: Item) {
        let key = key.as_ref();
        match item {
            Item::None => self.remove(key),
            Item::Value(value) => self.set(key, value),
            Item::Table(_) | Item::ArrayOfTables(_) => {
                // Positions from another document mean nothing here.
                visit_tables(&mut item, &mut |t| t.set_position(None));
                let mut old_position = None;
                if let Some(old) = self.doc.get_mut(key) {
                    visit_tables(old, &mut |t| {
                        if let Some(p) = t.position() {
                            old_position = Some(old_position.map_or(p, |o: isize| o.min(p)));
                        }
                    });
                }
                match old_position {
                    Some(p) => {
                        // Every new table at the old one's position: equal
                        // positions print in array order.
                        visit_tables(&mut item, &mut |t| t.set_position(Some(p)));
                        self.doc.as_table_mut().insert(key, item);
                    }
                    None => {
                        self.remove(key);
                        self.insert_table(key, item);
                    }
                }
            }
        }
    }

    /// Appends `table` to the array of tables `key` in the form the file
    /// uses: another `[[key]]` section, or another inline table in an array
    /// written `key = [{ … }]`. A new array is written as sections.
    fn push_table(&mut self, key: &str, table: Table) {
        match self.doc.get_mut(key) {
            Some(Item::ArrayOfTables(array)) => {
                array.push(table);
                return;
            }
            Some(Item::Value(Value::Array(array))) => {
                let mut inline = table.into_inline_table();
                inline.fmt();
                push_like_the_rest(array, Value::InlineTable(inline));
                return;
            }
            _ => {}
        }
        let mut array = ArrayOfTables::new();
        array.push(table);
        self.insert_table(key, Item::ArrayOfTables(array));
    }

    /// Inserts a new top-level table. When the file's tables are in
    /// git-task's order the new one goes in its place; otherwise at the end,
    /// so a hand-chosen order is never shuffled.
    fn insert_table(&mut self, key: &str, mut item: Item) {
        let root = self.doc.as_table_mut();
        let mut positions: Vec<(usize, isize)> = Vec::new();
        let mut unplaced = false;
        for (k, existing) in root.iter_mut() {
            visit_tables(existing, &mut |t| match t.position() {
                Some(p) => positions.push((rank(k.get()), p)),
                None => unplaced = true,
            });
        }
        positions.sort_by_key(|(_, p)| *p);
        let ranks_in_order = positions.windows(2).all(|w| w[0].0 <= w[1].0);
        if !unplaced && ranks_in_order && !positions.is_empty() {
            let new_rank = rank(key);
            let after = positions
                .iter()
                .filter(|(r, _)| *r <= new_rank)
                .map(|(_, p)| *p)
                .max()
                .unwrap_or(0);
            for (_, existing) in root.iter_mut() {
                visit_tables(existing, &mut |t| {
                    if let Some(p) = t.position()
                        && p > after
                    {
                        t.set_position(Some(p + 1));
                    }
                });
            }
            visit_tables(&mut item, &mut |t| t.set_position(Some(after + 1)));
        }
        root.insert(key, item);
    }
}

impl TaskDocument {
    /// Brings the document to `new`, field by field, touching only the
    /// fields whose value differs from `was` (the task the document holds
    /// now; `None` for a new, empty document). Returns whether anything
    /// changed. Every time is written to the precision it has, so a task
    /// read back from the document equals `new` (`import` of an `export`
    /// gives the same file set back).
    pub fn write_task(&mut self, was: Option<&Task>, new: &Task) -> bool {
        let mut changed = false;
        for &field in Field::ALL {
            let differs = match was {
                Some(was) => field_differs(was, new, field),
                None => true,
            };
            if !differs {
                continue;
            }
            changed |= was.is_some() || field_item(new, field).is_some();
            match field_item(new, field) {
                Some(item) => self.set_item(field.key(), item),
                None => self.remove(field.key()),
            }
        }
        changed
    }
}

/// Whether `field` has another value in `a` than in `b`.
pub fn field_differs(a: &Task, b: &Task, field: Field) -> bool {
    match field {
        Field::Subject => a.subject != b.subject,
        Field::Status => a.status != b.status,
        Field::Kind => a.kind != b.kind,
        Field::Priority => a.priority != b.priority,
        Field::Parent => a.parent != b.parent,
        Field::BlockedBy => a.blocked_by != b.blocked_by,
        Field::Gate => a.gate != b.gate,
        Field::Owner => a.owner != b.owner,
        Field::Estimate => a.estimate != b.estimate,
        Field::Due => a.due != b.due,
        Field::Labels => a.labels != b.labels,
        Field::Verify => a.verify != b.verify,
        Field::Created => a.created != b.created,
        Field::Started => a.started != b.started,
        Field::Closed => a.closed != b.closed,
        Field::PlanKey => a.plan_key != b.plan_key,
        Field::Origin => a.origin != b.origin,
        Field::Description => a.description != b.description,
        Field::Criteria => a.criteria != b.criteria,
        Field::Waiver => a.waiver != b.waiver,
        Field::Notes => a.notes != b.notes,
        // NaN is unequal to itself: compare the text, so that a task with
        // a NaN in meta is not rewritten on every import.
        Field::Meta => a.meta.to_string() != b.meta.to_string(),
    }
}

/// The TOML item git-task writes for `field` of `task`; `None` when the
/// field has its default value and so is left out.
fn field_item(task: &Task, field: Field) -> Option<Item> {
    use crate::task::{Gate, Kind, Priority, Status};
    let text = |s: &str| Some(toml_edit::value(safe_strings(s.into())));
    let list = |items: &mut dyn Iterator<Item = &str>| {
        let array: Array = items.collect();
        (!array.is_empty()).then(|| toml_edit::value(safe_strings(Value::Array(array))))
    };
    let time = |t: Option<DateTime<Utc>>| t.map(|t| toml_edit::value(exact_datetime(t)));
    match field {
        Field::Subject => text(&task.subject),
        Field::Status => {
            (task.status != Status::default()).then(|| toml_edit::value(task.status.as_str()))
        }
        Field::Kind => (task.kind != Kind::default()).then(|| toml_edit::value(task.kind.as_str())),
        Field::Priority => {
            (task.priority != Priority::default()).then(|| toml_edit::value(task.priority.as_str()))
        }
        Field::Parent => task.parent.as_ref().and_then(|p| text(p.as_str())),
        Field::BlockedBy => list(&mut task.blocked_by.iter().map(TaskId::as_str)),
        Field::Gate => task.gate.as_ref().map(|gate| match gate {
            Gate::ConfiguredBranches => toml_edit::value(true),
            Gate::Branches(branches) => {
                let mut table = toml_edit::InlineTable::new();
                table.insert("branches", Value::Array(branches.iter().collect()));
                toml_edit::value(safe_strings(Value::InlineTable(table)))
            }
        }),
        Field::Owner => task.owner.as_deref().and_then(text),
        Field::Estimate => task.estimate.as_ref().and_then(|e| text(e.as_str())),
        Field::Due => task.due.and_then(|d| {
            d.format("%Y-%m-%d")
                .to_string()
                .parse::<toml_edit::Datetime>()
                .ok()
                .map(toml_edit::value)
        }),
        Field::Labels => list(&mut task.labels.iter().map(String::as_str)),
        Field::Verify => task.verify.as_deref().and_then(text),
        Field::Created => time(task.created),
        Field::Started => time(task.started),
        Field::Closed => time(task.closed),
        Field::PlanKey => task.plan_key.as_ref().and_then(|k| text(&k.to_string())),
        Field::Origin => task.origin.as_ref().and_then(|o| text(&o.to_string())),
        Field::Description => task.description.as_deref().and_then(text),
        Field::Criteria => (!task.criteria.is_empty()).then(|| {
            let mut array = ArrayOfTables::new();
            for c in &task.criteria {
                let mut t = Table::new();
                t.insert(
                    "text",
                    toml_edit::value(safe_strings(c.text.as_str().into())),
                );
                if c.met {
                    t.insert("met", toml_edit::value(true));
                }
                array.push(t);
            }
            Item::ArrayOfTables(array)
        }),
        Field::Waiver => task.waiver.as_ref().map(|w| {
            let mut t = Table::new();
            t.insert("by", toml_edit::value(safe_strings(w.by.as_str().into())));
            t.insert(
                "reason",
                toml_edit::value(safe_strings(w.reason.as_str().into())),
            );
            t.insert("at", toml_edit::value(exact_datetime(w.at)));
            Item::Table(t)
        }),
        Field::Notes => (!task.notes.is_empty()).then(|| {
            let mut array = ArrayOfTables::new();
            for n in &task.notes {
                let mut t = Table::new();
                t.insert("at", toml_edit::value(exact_datetime(n.at)));
                if let Some(by) = &n.by {
                    t.insert("by", toml_edit::value(safe_strings(by.as_str().into())));
                }
                t.insert(
                    "text",
                    toml_edit::value(safe_strings(n.text.as_str().into())),
                );
                array.push(t);
            }
            Item::ArrayOfTables(array)
        }),
        Field::Meta => (!task.meta.is_empty()).then(|| {
            let mut table = TaskDocument::of_table(&task.meta).doc.as_table().clone();
            table.set_implicit(true);
            Item::Table(table)
        }),
    }
}

/// One entry of an array of tables, in whichever form the file wrote it.
enum Entry<'a> {
    Section(&'a mut Table),
    Inline(&'a mut toml_edit::InlineTable),
}

impl Entry<'_> {
    /// Sets `key`, keeping the old value's spacing and comment.
    fn set(&mut self, key: &str, mut value: Value) {
        match self {
            Entry::Section(t) => match t.get_mut(key).and_then(Item::as_value_mut) {
                Some(old) => {
                    *value.decor_mut() = old.decor().clone();
                    *old = value;
                }
                None => {
                    t.insert(key, Item::Value(value));
                }
            },
            Entry::Inline(t) => match t.get_mut(key) {
                Some(old) => {
                    *value.decor_mut() = old.decor().clone();
                    *old = value;
                }
                None => {
                    value.decor_mut().set_prefix(" ");
                    value.decor_mut().set_suffix(" ");
                    t.insert(key, value);
                    if let Some(mut k) = t.key_mut(key) {
                        k.leaf_decor_mut().set_prefix(" ");
                        k.leaf_decor_mut().set_suffix(" ");
                    }
                }
            },
        }
    }

    fn remove(&mut self, key: &str) {
        match self {
            Entry::Section(t) => {
                t.remove(key);
            }
            Entry::Inline(t) => {
                t.remove(key);
            }
        }
    }
}

impl Default for TaskDocument {
    fn default() -> Self {
        TaskDocument::new()
    }
}

impl std::fmt::Display for TaskDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.layout == Layout::default() {
            return self.doc.fmt(f);
        }
        f.write_str(&self.layout.apply(self.doc.to_string()))
    }
}

/// The decor prefix of the table that prints first in `item`.
fn first_table_prefix(item: &Item) -> Option<String> {
    let table = match item {
        Item::Table(t) => t,
        Item::ArrayOfTables(a) => a
            .iter()
            .min_by_key(|t| t.position().unwrap_or(isize::MAX))?,
        _ => return None,
    };
    table.decor().prefix()?.as_str().map(str::to_owned)
}

/// The comment lines of a removed key's prefix that stand on their own:
/// all of them above the file's first key (its header), else those up to
/// the last blank line. Nothing when they hold no comment.
fn standalone_comments(prefix: &str, first: bool) -> String {
    let kept = if first {
        prefix
    } else {
        match prefix.rfind("\n\n") {
            Some(i) => &prefix[..i + 2],
            None => "",
        }
    };
    if kept.contains('#') {
        kept.to_owned()
    } else {
        String::new()
    }
}

/// `kept` comments in front of an existing prefix, without doubling the
/// blank line between them.
fn join_prefix(kept: &str, old: &str) -> String {
    let kept = if kept.ends_with("\n\n") && old.starts_with('\n') {
        &kept[..kept.len() - 1]
    } else {
        kept
    };
    let kept = if !kept.is_empty() && !kept.ends_with('\n') {
        format!("{kept}\n")
    } else {
        kept.to_owned()
    };
    format!("{kept}{old}")
}

/// Removes the elements `remove` picks, with the comment on the rest of
/// each one's line (which toml_edit keeps in front of the next element).
pub(crate) fn remove_elements(array: &mut Array, remove: impl Fn(&Value) -> bool) {
    // The part of `text` after a comment that ends its first line.
    let without_comment = |text: &str| {
        let newline = text.find('\n')?;
        text[..newline]
            .contains('#')
            .then(|| text[newline..].to_owned())
    };
    let mut removed = false;
    for i in (0..array.len()).rev() {
        if !array.get(i).is_some_and(&remove) {
            continue;
        }
        array.remove(i);
        removed = true;
        if let Some(next) = array.get_mut(i) {
            if let Some(prefix) = next
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .and_then(without_comment)
            {
                next.decor_mut().set_prefix(prefix);
            }
        } else if let Some(trailing) = array.trailing().as_str().and_then(without_comment) {
            array.set_trailing(trailing);
        }
    }
    if removed
        && let Some(first) = array.get_mut(0)
        && !first
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains('\n'))
    {
        // A one-line array whose first element went: no space after `[`.
        first.decor_mut().set_prefix("");
    }
}

/// Appends `value` laid out as the array's last element is: on a line of
/// its own in an array written one element per line.
pub(crate) fn push_like_the_rest(array: &mut Array, mut value: Value) {
    let indent = array
        .iter()
        .last()
        .and_then(|last| last.decor().prefix())
        .and_then(|p| p.as_str())
        .and_then(|p| p.rfind('\n').map(|i| p[i..].to_owned()));
    match indent {
        Some(indent) => value.decor_mut().set_prefix(indent),
        None if array.is_empty() => value.decor_mut().set_prefix(""),
        None => value.decor_mut().set_prefix(" "),
    }
    array.push_formatted(value);
}

/// `value` with every string that holds a line shaped like a conflict
/// marker, or a carriage return, written on one line with escapes: no file
/// git-task writes has a marker line that no merge left (see
/// [`crate::markers`]), and a CR the user meant is not taken for part of a
/// CRLF line ending when the file is read.
/// [`safe_strings`] on every value of an item, tables and arrays of
/// tables included.
fn safe_item(item: &mut Item) {
    match item {
        Item::Value(value) => {
            let taken = std::mem::replace(value, Value::from(false));
            *value = safe_strings(taken);
        }
        Item::Table(table) => {
            for (_, item) in table.iter_mut() {
                safe_item(item);
            }
        }
        Item::ArrayOfTables(array) => {
            for table in array.iter_mut() {
                for (_, item) in table.iter_mut() {
                    safe_item(item);
                }
            }
        }
        Item::None => {}
    }
}

fn safe_strings(value: Value) -> Value {
    match value {
        Value::String(s)
            if s.value().contains('\r') || crate::markers::has_marker_line(s.value()) =>
        {
            match escaped_basic_string(s.value()).parse::<Value>() {
                Ok(mut escaped) => {
                    *escaped.decor_mut() = s.decor().clone();
                    escaped
                }
                // Cannot happen: the text is a valid basic string.
                Err(_) => Value::String(s),
            }
        }
        Value::Array(mut array) => {
            for v in array.iter_mut() {
                let taken = std::mem::replace(v, Value::from(false));
                *v = safe_strings(taken);
            }
            Value::Array(array)
        }
        Value::InlineTable(mut table) => {
            for (_, v) in table.iter_mut() {
                let taken = std::mem::replace(v, Value::from(false));
                *v = safe_strings(taken);
            }
            Value::InlineTable(table)
        }
        other => other,
    }
}

/// `text` as a one-line basic string: the value parsed back from the TOML
/// `"…"` form with escapes, so toml_edit keeps that form when printing.
fn escaped_basic_string(text: &str) -> String {
    let mut toml = String::with_capacity(text.len() + 8);
    toml.push('"');
    for c in text.chars() {
        match c {
            '"' => toml.push_str("\\\""),
            '\\' => toml.push_str("\\\\"),
            '\n' => toml.push_str("\\n"),
            '\r' => toml.push_str("\\r"),
            '\t' => toml.push_str("\\t"),
            c if c.is_control() => toml.push_str(&format!("\\u{:04X}", c as u32)),
            c => toml.push(c),
        }
    }
    toml.push('"');
    toml
}

/// Calls `f` on every table inside `item`, nested tables included.
pub(crate) fn visit_tables(item: &mut Item, f: &mut impl FnMut(&mut Table)) {
    match item {
        Item::Table(table) => {
            f(table);
            for (_, child) in table.iter_mut() {
                visit_tables(child, f);
            }
        }
        Item::ArrayOfTables(array) => {
            for table in array.iter_mut() {
                f(table);
                for (_, child) in table.iter_mut() {
                    visit_tables(child, f);
                }
            }
        }
        _ => {}
    }
}

fn is_sorted_by_rank<'a>(keys: impl Iterator<Item = &'a str>) -> bool {
    keys.map(rank).is_sorted()
}

/// A UTC time as a TOML offset date-time, to the second.
pub fn datetime(at: DateTime<Utc>) -> toml_edit::Datetime {
    crate::task::format_timestamp(at)
        .parse()
        .expect("an RFC 3339 time with Z is a TOML offset date-time")
}

/// A UTC time as a TOML offset date-time to the precision it has: whole
/// seconds without a fraction, else as many digits as it needs.
pub fn exact_datetime(at: DateTime<Utc>) -> toml_edit::Datetime {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        .parse()
        .expect("an RFC 3339 time with Z is a TOML offset date-time")
}

/// A UTC time as a TOML offset date-time, to the microsecond (no fraction
/// when it is a whole second).
pub fn precise_datetime(at: DateTime<Utc>) -> toml_edit::Datetime {
    let format = if at.timestamp_subsec_micros() == 0 {
        SecondsFormat::Secs
    } else {
        SecondsFormat::Micros
    };
    at.to_rfc3339_opts(format, true)
        .parse()
        .expect("an RFC 3339 time with Z is a TOML offset date-time")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_task_writes_every_field_and_only_what_differs() {
        let id = TaskId::parse("t").unwrap();
        let full = Task::parse(id.clone(), crate::testing::FULL_TASK).unwrap();
        let mut doc = TaskDocument::new();
        assert!(doc.write_task(None, &full));
        assert_eq!(doc.to_task(&id).unwrap(), full);
        // Nothing differs: nothing is touched, comments and all.
        let mut same = TaskDocument::parse(HAND_EDITED).unwrap();
        let task = same.to_task(&id).unwrap();
        assert!(!same.write_task(Some(&task), &task));
        assert_eq!(same.to_string(), HAND_EDITED);
        // One field differs: only its line changes.
        let mut other = task.clone();
        other.subject = "Ship it now".into();
        assert!(same.write_task(Some(&task), &other));
        assert_eq!(
            same.to_string(),
            HAND_EDITED.replace("\"Ship it\"", "\"Ship it now\"")
        );
    }

    const HAND_EDITED: &str = r#"# Written by hand.
subject = "Ship it"   # the headline
# Who is on it
owner = "bo@example.com"
blocked_by = [
    "aaaa",  # first
    "bbbb",
]

[[notes]]
at = 2026-11-20T10:00:00Z
text = "first"

[meta]
sprint = 3
"#;

    fn at() -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn setting_status_on_a_hand_edited_file_changes_only_that_line() {
        let mut doc = TaskDocument::parse(HAND_EDITED).unwrap();
        doc.set_str("status", "in_progress");
        let out = doc.to_string();
        // The key order of the file is not git-task's, so the new key is
        // appended after the existing values rather than sorted in.
        assert!(out.starts_with("# Written by hand.\nsubject = \"Ship it\"   # the headline\n"));
        assert_eq!(
            out.lines().count(),
            HAND_EDITED.lines().count() + 1,
            "{out}"
        );
        assert!(out.contains("status = \"in_progress\"\n"));
    }

    #[test]
    fn replacing_a_value_keeps_its_comment() {
        let mut doc = TaskDocument::parse(HAND_EDITED).unwrap();
        doc.set_str("subject", "Ship it now");
        assert!(
            doc.to_string()
                .contains("subject = \"Ship it now\"   # the headline\n")
        );
    }

    #[test]
    fn notes_append_after_the_last_note_and_before_meta() {
        let mut doc = TaskDocument::parse(HAND_EDITED).unwrap();
        doc.push_note(at(), Some("ana@example.com"), "second");
        let out = doc.to_string();
        let second = out.find("text = \"second\"").unwrap();
        assert!(second < out.find("[meta]").unwrap(), "{out}");
        assert!(second > out.find("text = \"first\"").unwrap());
    }

    #[test]
    fn new_tables_go_in_canonical_place() {
        let mut doc = TaskDocument::parse("subject = \"x\"\n\n[meta]\nsprint = 1\n").unwrap();
        doc.push_criterion("tests pass");
        doc.push_note(at(), None, "hello");
        let out = doc.to_string();
        let c = out.find("[[criteria]]").unwrap();
        let n = out.find("[[notes]]").unwrap();
        let m = out.find("[meta]").unwrap();
        assert!(c < n && n < m, "{out}");
        assert!(Task::parse(TaskId::parse("x").unwrap(), &out).is_ok());
    }

    #[test]
    fn new_values_sort_into_place_in_a_canonical_file() {
        let mut doc =
            TaskDocument::parse("subject = \"x\"\ncreated = 2026-11-20T10:00:00Z\n").unwrap();
        doc.set_str("status", "completed");
        doc.set_time("closed", at());
        assert_eq!(
            doc.to_string(),
            "subject = \"x\"\nstatus = \"completed\"\ncreated = 2026-11-20T10:00:00Z\nclosed = 2026-11-21T12:00:00Z\n"
        );
    }

    #[test]
    fn arrays_edit_in_place() {
        let mut doc = TaskDocument::parse(HAND_EDITED).unwrap();
        assert!(doc.remove_from_array("blocked_by", "aaaa"));
        assert!(!doc.add_to_array("blocked_by", "bbbb"));
        let out = doc.to_string();
        assert!(!out.contains("aaaa") && out.contains("\"bbbb\""), "{out}");
        assert!(doc.remove_from_array("blocked_by", "bbbb"));
        assert!(!doc.contains("blocked_by"));
    }

    #[test]
    fn removing_an_element_takes_the_comment_on_its_line_with_it() {
        let mut doc = TaskDocument::parse(HAND_EDITED).unwrap();
        doc.remove_from_array("blocked_by", "aaaa");
        let out = doc.to_string();
        assert!(out.contains("blocked_by = [\n    \"bbbb\",\n]\n"), "{out}");
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        "2026-11-21T12:00:00Z".parse().unwrap()
    }

    fn task(text: &str) -> Task {
        Task::parse(TaskId::parse("x").unwrap(), text).unwrap()
    }

    #[test]
    fn inline_arrays_of_tables_grow_in_their_own_form() {
        let text = "subject = \"x\"\nnotes = [{ at = 2026-11-20T10:00:00Z, text = \"first\" }]\ncriteria = [\n    { text = \"a\" },\n]\n";
        let mut doc = TaskDocument::parse(text).unwrap();
        doc.push_note(at(), Some("ana"), "second");
        doc.push_criterion("b");
        assert!(doc.set_criterion_met(0, true));
        assert!(doc.set_criterion_met(1, true));
        assert!(!doc.set_criterion_met(2, true));
        let out = doc.to_string();
        assert!(!out.contains("[["), "{out}");
        let t = task(&out);
        assert_eq!(t.notes.len(), 2, "{out}");
        assert_eq!(t.notes[0].text, "first");
        assert_eq!(t.notes[1].by.as_deref(), Some("ana"));
        assert_eq!(t.criteria.len(), 2);
        assert!(t.criteria.iter().all(|c| c.met), "{out}");
        assert!(out.contains("    { text = \"b\", met = true },\n"), "{out}");
        assert!(doc.set_criterion_met(0, false));
        assert!(!task(&doc.to_string()).criteria[0].met);
        // An empty inline array takes its first entry inline too.
        let mut doc = TaskDocument::parse("subject = \"x\"\nnotes = []\n").unwrap();
        doc.push_note(at(), None, "one");
        assert_eq!(task(&doc.to_string()).notes.len(), 1);
        assert!(!doc.to_string().contains("[[notes]]"));
    }

    #[test]
    fn an_inline_waiver_stays_inline() {
        let text = "subject = \"x\"\ngate = true\nwaiver = { by = \"a\", reason = \"r\", at = 2026-11-20T10:00:00Z }\n";
        let mut doc = TaskDocument::parse(text).unwrap();
        doc.set_waiver("bo", "risk", at());
        let out = doc.to_string();
        assert!(out.contains("waiver = {"), "{out}");
        assert_eq!(task(&out).waiver.unwrap().by, "bo");
    }

    #[test]
    fn crlf_and_bom_are_kept() {
        let text = "\u{feff}subject = \"x\"\r\n# a comment\r\nowner = \"o\"\r\ndescription = \"\"\"\r\none\r\ntwo\r\n\"\"\"\r\n";
        let mut doc = TaskDocument::parse(text).unwrap();
        doc.set_str("status", "in_progress");
        doc.push_note(at(), None, "hi");
        let out = doc.to_string();
        assert!(out.starts_with('\u{feff}'), "{out:?}");
        assert_eq!(
            out.matches('\n').count(),
            out.matches("\r\n").count(),
            "{out:?}"
        );
        assert!(!out.contains("\r\r"), "{out:?}");
        // Only the changed lines differ.
        let before: Vec<&str> = text.split("\r\n").collect();
        let after: Vec<&str> = out.split("\r\n").collect();
        assert!(before.iter().all(|l| after.contains(l)), "{out:?}");
        let t = task(&out);
        assert_eq!(t.description.as_deref(), Some("one\ntwo\n"));
        // A carriage return the user means survives a CRLF file.
        doc.set_str("verify", "printf 'a\r\n'");
        let out = doc.to_string();
        assert_eq!(task(&out).verify.as_deref(), Some("printf 'a\r\n'"));
        // LF files stay LF, without a BOM.
        let mut doc = TaskDocument::parse("subject = \"x\"\n").unwrap();
        doc.set_str("owner", "o");
        assert_eq!(doc.to_string(), "subject = \"x\"\nowner = \"o\"\n");
    }

    #[test]
    fn removing_the_first_key_keeps_the_file_header() {
        let text =
            "# Task file for the release.\n# Keep it short.\nowner = \"o\"\nsubject = \"x\"\n";
        let mut doc = TaskDocument::parse(text).unwrap();
        doc.remove("owner");
        assert_eq!(
            doc.to_string(),
            "# Task file for the release.\n# Keep it short.\nsubject = \"x\"\n"
        );
        // A comment block set apart by a blank line stays; the comment
        // directly on the key goes with it.
        let text = "subject = \"x\"\n\n# Planning\n\n# who\nowner = \"o\"\nestimate = \"1d\"\n";
        let mut doc = TaskDocument::parse(text).unwrap();
        doc.remove("owner");
        assert_eq!(
            doc.to_string(),
            "subject = \"x\"\n\n# Planning\n\nestimate = \"1d\"\n"
        );
        // The last value's header comment moves to the first table.
        let text = "subject = \"x\"\n# Owner section\n\nowner = \"o\"\n\n[meta]\na = 1\n";
        let mut doc = TaskDocument::parse(text).unwrap();
        doc.remove("owner");
        let out = doc.to_string();
        assert!(out.contains("# Owner section\n"), "{out}");
        assert!(task(&out).meta.contains_key("a"));
    }

    #[test]
    fn text_that_looks_like_a_conflict_is_written_without_marker_lines() {
        let description = "Plan\n=======\n\n<<<<<<< not a conflict\n=======\n>>>>>>> either\n";
        let mut doc = TaskDocument::parse("subject = \"x\"\n").unwrap();
        doc.set_str("description", description);
        doc.push_note(at(), None, "<<<<<<< a\n=======\n>>>>>>> b");
        let out = doc.to_string();
        assert!(
            out.split('\n').all(|l| crate::markers::marker(l).is_none()),
            "{out}"
        );
        let t = task(&out);
        assert_eq!(t.description.as_deref(), Some(description));
        assert_eq!(t.notes[0].text, "<<<<<<< a\n=======\n>>>>>>> b");
        // Ordinary multi-line text keeps its readable form.
        doc.set_str("description", "one\ntwo\n");
        assert!(doc.to_string().contains("\"\"\"\none\ntwo\n\"\"\""));
    }

    #[test]
    fn created_times_keep_microseconds() {
        let t: DateTime<Utc> = "2026-11-21T12:00:00.123456789Z".parse().unwrap();
        assert_eq!(
            precise_datetime(t).to_string(),
            "2026-11-21T12:00:00.123456Z"
        );
        assert_eq!(precise_datetime(at()).to_string(), "2026-11-21T12:00:00Z");
    }
}
