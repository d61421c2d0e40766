//! Two merge bases as one. In a criss-cross merge git merges the two merge
//! bases first and hands the result to the outer merge as its base; where
//! the bases disagree that result holds conflict markers. Read as the two
//! bases it stands for, it still serves: what both bases agree on is the
//! base, and what they disagree on is unknown, so only sides that agree
//! with each other merge there cleanly. Nothing is taken from a side on the
//! strength of a base that may not be the right one.

use toml_edit::{ArrayOfTables, Item, Table, Value};

use crate::document::TaskDocument;
use crate::field::{Field, MergeRule};

use super::{Plain, criteria, entries, normalized, plain_table, tables};

/// One base from `first` and `second`: their fields where they agree, and
/// `unknown` (a value in no version of the file) where they do not.
///
/// Finer than field by field where the field merge is: `[meta]` key by
/// key, criteria one by one (an unknown criterion is its text with an
/// unknown `met`), and the notes both bases hold, since notes are only
/// ever added and a note either side still holds must not be lost.
pub(super) fn combine(first: &TaskDocument, second: &TaskDocument, unknown: &str) -> TaskDocument {
    let mut out = first.clone();
    let mut keys: Vec<String> = Vec::new();
    for key in first.keys().chain(second.keys()) {
        if !keys.iter().any(|k| k == key) {
            keys.push(key.to_owned());
        }
    }
    let unknown_value = || Item::Value(Value::from(unknown));
    for key in &keys {
        let (a, b) = (first.get(key), second.get(key));
        if normalized(key, a) == normalized(key, b) {
            continue;
        }
        let item = match Field::from_key(key).map(Field::merge_rule) {
            Some(MergeRule::Table) => meta(first, second, unknown),
            Some(MergeRule::Log) => notes(first, second),
            Some(MergeRule::Criteria) => criteria_of(first, second, unknown),
            Some(
                MergeRule::Value | MergeRule::WithStatus | MergeRule::Earliest | MergeRule::Set,
            )
            | None => None,
        };
        out.set_item(key, item.unwrap_or_else(unknown_value));
    }
    out
}

/// `[meta]` with the keys the bases disagree on unknown.
fn meta(first: &TaskDocument, second: &TaskDocument, unknown: &str) -> Option<Item> {
    let (a, b) = (
        entries(first, Field::Meta.key())?,
        entries(second, Field::Meta.key())?,
    );
    // Written inline (`meta = { … }`) or dotted, the first base's keys are
    // still the base of those both bases agree on.
    let mut table = match first.get(Field::Meta) {
        Some(Item::Table(t)) => t.clone(),
        Some(item) => item.clone().into_table().unwrap_or_default(),
        None => Table::new(),
    };
    for (key, _) in a.iter().chain(&b) {
        let pick = |list: &[(&str, &Item)]| super::lookup(list, key).and_then(super::plain_item);
        if pick(&a) != pick(&b) {
            table.insert(key, toml_edit::value(unknown));
        }
    }
    Some(Item::Table(table))
}

/// The notes both bases hold, each as often as both hold it.
fn notes(first: &TaskDocument, second: &TaskDocument) -> Option<Item> {
    let (a, b) = (
        tables(first, Field::Notes.key())?,
        tables(second, Field::Notes.key())?,
    );
    let mut left: Vec<Plain> = b.iter().map(plain_table).collect();
    let mut array = ArrayOfTables::new();
    for table in a {
        let plain = plain_table(&table);
        if let Some(i) = left.iter().position(|p| *p == plain) {
            left.remove(i);
            array.push(table);
        }
    }
    Some(Item::ArrayOfTables(array))
}

/// The criteria, with those the bases disagree on (or only one holds)
/// reduced to their text and an unknown `met`.
fn criteria_of(first: &TaskDocument, second: &TaskDocument, unknown: &str) -> Option<Item> {
    let (a, b) = (
        tables(first, Field::Criteria.key())?,
        tables(second, Field::Criteria.key())?,
    );
    let (ca, cb) = (criteria(&a), criteria(&b));
    let mut array = ArrayOfTables::new();
    let unknown_criterion = |table: &Table| {
        let mut out = Table::new();
        if let Some(text) = table.get("text") {
            out.insert("text", text.clone());
        }
        out.insert("met", toml_edit::value(unknown));
        out
    };
    for (criterion, table) in ca.iter().zip(&a) {
        match cb.iter().find(|c| c.key == criterion.key) {
            Some(other) if other.rest == criterion.rest => array.push(table.clone()),
            _ => array.push(unknown_criterion(table)),
        }
    }
    for (criterion, table) in cb.iter().zip(&b) {
        if !ca.iter().any(|c| c.key == criterion.key) {
            array.push(unknown_criterion(table));
        }
    }
    Some(Item::ArrayOfTables(array))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> TaskDocument {
        TaskDocument::parse(text).unwrap()
    }

    #[test]
    fn what_the_bases_disagree_on_is_unknown_and_the_rest_stays() {
        let first = doc(
            "subject = \"s\"\nowner = \"ana\"\n\n[[criteria]]\ntext = \"a\"\nmet = true\n\n\
             [[notes]]\nat = 2026-01-01T00:00:00Z\ntext = \"n\"\n\n[meta]\nx = 1\ny = 1\n",
        );
        let second = doc(
            "subject = \"s\"\nowner = \"bo\"\n\n[[criteria]]\ntext = \"a\"\n\n\
             [[notes]]\nat = 2026-01-01T00:00:00Z\ntext = \"n\"\n\n\
             [[notes]]\nat = 2026-01-02T00:00:00Z\ntext = \"m\"\n\n[meta]\nx = 1\ny = 2\n",
        );
        let base = combine(&first, &second, "?");
        let text = base.to_string();
        assert!(text.contains("subject = \"s\"\n"), "{text}");
        assert!(text.contains("owner = \"?\"\n"), "{text}");
        assert!(text.contains("text = \"a\"\nmet = \"?\"\n"), "{text}");
        assert_eq!(text.matches("[[notes]]").count(), 1, "{text}");
        assert!(text.contains("x = 1\ny = \"?\"\n"), "{text}");
    }

    #[test]
    fn an_inline_meta_keeps_the_keys_the_bases_agree_on() {
        let first = doc("subject = \"s\"\nmeta = { x = 1, y = 1 }\n");
        let second = doc("subject = \"s\"\nmeta = { x = 1, y = 2 }\n");
        let base = combine(&first, &second, "?");
        let meta = base.get("meta").and_then(Item::as_table_like).unwrap();
        assert_eq!(meta.get("x").and_then(Item::as_integer), Some(1));
        assert_eq!(meta.get("y").and_then(Item::as_str), Some("?"));
    }
}
