//! Format-preserving edits of one task file.
//!
//! git-task never re-serialises a task: it edits the TOML document, so a
//! hand-edited file keeps its comments, key order and layout, and a change
//! shows in `git diff` as exactly the lines it changed.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value};

use crate::id::TaskId;
use crate::task::{ParseError, Task};

/// Top-level keys in the order git-task writes them.
const VALUE_KEYS: &[&str] = &[
    "subject",
    "status",
    "kind",
    "priority",
    "parent",
    "blocked_by",
    "gate",
    "owner",
    "estimate",
    "due",
    "labels",
    "verify",
    "created",
    "closed",
    "description",
];

/// Tables in the order git-task writes them, after the values.
const TABLE_KEYS: &[&str] = &["criteria", "waiver", "notes", "meta"];

fn rank(key: &str) -> usize {
    VALUE_KEYS
        .iter()
        .chain(TABLE_KEYS)
        .position(|k| *k == key)
        .unwrap_or(usize::MAX)
}

/// The editable text of one task file.
#[derive(Debug, Clone)]
pub struct TaskDocument {
    doc: DocumentMut,
}

impl TaskDocument {
    /// An empty document, to which a new task's fields are added.
    pub fn new() -> TaskDocument {
        TaskDocument {
            doc: DocumentMut::new(),
        }
    }

    /// Parses the text of a task file for editing. Only the TOML syntax is
    /// checked here; [`TaskDocument::to_task`] validates the fields.
    pub fn parse(text: &str) -> Result<TaskDocument, ParseError> {
        text.parse::<DocumentMut>()
            .map(|doc| TaskDocument { doc })
            .map_err(|e| {
                let offset = e.span().map_or(0, |s| s.start);
                ParseError::at_offset(text, offset, e.message().trim().to_owned())
            })
    }

    /// Validates the document as the task `id`: what would be written must be
    /// a task that reads back.
    pub fn to_task(&self, id: &TaskId) -> Result<Task, ParseError> {
        Task::parse(id.clone(), &self.to_string())
    }

    /// Sets a top-level value, keeping the key's place and comments when it
    /// exists and putting a new key where git-task would write it.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        let mut value = value.into();
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

    pub fn set_str(&mut self, key: &str, value: &str) {
        self.set(key, value);
    }

    pub fn set_time(&mut self, key: &str, at: DateTime<Utc>) {
        self.set(key, datetime(at));
    }

    pub fn set_date(&mut self, key: &str, date: NaiveDate) {
        let text = date.format("%Y-%m-%d").to_string();
        // A formatted NaiveDate always parses as a TOML local date.
        if let Ok(dt) = text.parse::<toml_edit::Datetime>() {
            self.set(key, dt);
        }
    }

    /// Removes a top-level key or table; a no-op when it is absent.
    pub fn remove(&mut self, key: &str) {
        self.doc.as_table_mut().remove(key);
    }

    pub fn contains(&self, key: &str) -> bool {
        self.doc.as_table().contains_key(key)
    }

    /// Adds `item` to the string array `key` unless it is there already,
    /// keeping the array's layout. Returns whether it was added.
    pub fn add_to_array(&mut self, key: &str, item: &str) -> bool {
        if let Some(array) = self.doc.get_mut(key).and_then(Item::as_array_mut) {
            if array.iter().any(|v| v.as_str() == Some(item)) {
                return false;
            }
            array.push(item);
            return true;
        }
        self.set(key, Array::from_iter([item]));
        true
    }

    /// Removes `item` from the string array `key`, and the key with its last
    /// item. Returns whether it was there.
    pub fn remove_from_array(&mut self, key: &str, item: &str) -> bool {
        let Some(array) = self.doc.get_mut(key).and_then(Item::as_array_mut) else {
            return false;
        };
        let before = array.len();
        array.retain(|v| v.as_str() != Some(item));
        let removed = array.len() != before;
        if array.is_empty() {
            self.remove(key);
        } else if removed {
            // Keep a one-line array tidy after a removal from its front.
            if let Some(first) = array.get_mut(0)
                && !array_is_multiline(first)
            {
                first.decor_mut().set_prefix("");
            }
        }
        removed
    }

    /// Appends an entry to the execution log.
    pub fn push_note(&mut self, at: DateTime<Utc>, by: Option<&str>, text: &str) {
        let mut note = Table::new();
        note.insert("at", toml_edit::value(datetime(at)));
        if let Some(by) = by {
            note.insert("by", toml_edit::value(by));
        }
        note.insert("text", toml_edit::value(text));
        self.push_table("notes", note);
    }

    /// Appends a success criterion, not yet met.
    pub fn push_criterion(&mut self, text: &str) {
        let mut criterion = Table::new();
        criterion.insert("text", toml_edit::value(text));
        self.push_table("criteria", criterion);
    }

    /// Marks criterion `index` (0-based) met or unmet. Returns false when
    /// there is no such criterion.
    pub fn set_criterion_met(&mut self, index: usize, met: bool) -> bool {
        let Some(table) = self
            .doc
            .get_mut("criteria")
            .and_then(Item::as_array_of_tables_mut)
            .and_then(|a| a.get_mut(index))
        else {
            return false;
        };
        if met {
            match table.get_mut("met").and_then(Item::as_value_mut) {
                Some(old) => {
                    let mut new = Value::from(true);
                    *new.decor_mut() = old.decor().clone();
                    *old = new;
                }
                None => {
                    table.insert("met", toml_edit::value(true));
                }
            }
        } else {
            table.remove("met");
        }
        true
    }

    /// Writes the `[waiver]` table of a gate.
    pub fn set_waiver(&mut self, by: &str, reason: &str, at: DateTime<Utc>) {
        let mut waiver = Table::new();
        waiver.insert("by", toml_edit::value(by));
        waiver.insert("reason", toml_edit::value(reason));
        waiver.insert("at", toml_edit::value(datetime(at)));
        self.remove("waiver");
        self.insert_table("waiver", Item::Table(waiver));
    }

    /// Sets `key` in the `[meta]` table, creating the table in its place.
    pub fn set_meta(&mut self, key: &str, value: impl Into<Value>) {
        let mut value = value.into();
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
    pub fn get(&self, key: &str) -> Option<&Item> {
        self.doc.get(key).filter(|i| !i.is_none())
    }

    /// The top-level item `key`, to edit in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Item> {
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
    pub fn set_item(&mut self, key: &str, mut item: Item) {
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

    /// Appends `table` to the array of tables `key`, creating it in its place.
    fn push_table(&mut self, key: &str, table: Table) {
        if let Some(array) = self.doc.get_mut(key).and_then(Item::as_array_of_tables_mut) {
            array.push(table);
            return;
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

impl Default for TaskDocument {
    fn default() -> Self {
        TaskDocument::new()
    }
}

impl std::fmt::Display for TaskDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.doc.fmt(f)
    }
}

/// Calls `f` on every table inside `item`, nested tables included.
fn visit_tables(item: &mut Item, f: &mut impl FnMut(&mut Table)) {
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

fn array_is_multiline(first: &Value) -> bool {
    first
        .decor()
        .prefix()
        .and_then(|p| p.as_str())
        .is_some_and(|p| p.contains('\n'))
}

/// A UTC time as a TOML offset date-time, to the second.
pub fn datetime(at: DateTime<Utc>) -> toml_edit::Datetime {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
        .parse()
        .expect("an RFC 3339 time with Z is a TOML offset date-time")
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
