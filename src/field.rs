//! The fields of a task file, defined once.
//!
//! Every top-level key a task file may have is a [`Field`], and every fact
//! that code elsewhere needs about a key (its name, the value a missing key
//! stands for, whether `edit --unset` may clear it, how the merge combines
//! two changes of it) is one row of [`Field::facts`]. Adding a field is a
//! variant and a row here; the exhaustive matches in the task model,
//! history and merge then point at every place that must say what the new
//! field means.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::task::{Kind, Priority, Status};

/// Declares [`Field`] and [`Field::ALL`] from one list, so that no
/// variant can be left out of `ALL`.
macro_rules! fields {
    ($($(#[$doc:meta])* $variant:ident,)+) => {
        /// A top-level key of a task file.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Field {
            $($(#[$doc])* $variant,)+
        }

        impl Field {
            /// Every field, in the order git-task writes the keys of a task
            /// file: the values, then the tables.
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];
        }
    };
}

// In the order git-task writes them.
fields! {
    /// What is to be done, in one line; the one required field.
    Subject,
    /// Where the task is in its life; `pending` when absent.
    Status,
    /// Epic, story, task or subtask; `task` when absent.
    Kind,
    /// How urgent; `medium` when absent.
    Priority,
    /// The task this one is part of.
    Parent,
    /// The tasks this one waits for (`blocked_by`).
    BlockedBy,
    /// Whether (and for which branches) the task is a go/no-go gate.
    Gate,
    /// Who holds the task.
    Owner,
    /// Work time, as written (`4h`).
    Estimate,
    /// The date it is due.
    Due,
    /// Free words to select tasks by.
    Labels,
    /// The command that proves the task done.
    Verify,
    /// When the task was added; with the id, it names the task.
    Created,
    /// When the current stretch of work began.
    Started,
    /// When the task was completed or cancelled.
    Closed,
    /// The plan and key that made the task (`apply`).
    PlanKey,
    /// The tracker and id an import brought the task from (`import`).
    Origin,
    /// What to do, in enough detail for someone else.
    Description,
    /// The success criteria, `[[criteria]]`.
    Criteria,
    /// Who let a gate pass without it being done, `[waiver]`.
    Waiver,
    /// The execution log, `[[notes]]`.
    Notes,
    /// Your own fields, `[meta]`.
    Meta,
}

/// The value a missing key stands for. git-task never writes it out, and a
/// file that does means the same as one without the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    /// One of the words of an enum: `status = "pending"`.
    Word(&'static str),
    /// A boolean: `gate = false`.
    Bool(bool),
}

/// How the three-way merge combines the two sides' changes of a field
/// (docs/merging.md says the same in words). A field changed on one side
/// only takes that side under every rule; the rule says what happens when
/// both sides changed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRule {
    /// One value: changed two different ways is a conflict.
    Value,
    /// Goes with the status: when one side started the task and the other
    /// completed it, the completed side's value wins (`status`, `closed`);
    /// otherwise as [`MergeRule::Value`].
    WithStatus,
    /// A time: the earlier of the two (`started`, when work began).
    Earliest,
    /// A set: what either side added, less what either side removed.
    Set,
    /// The execution log: the entries of both sides.
    Log,
    /// Criteria, one by one, matched by their text.
    Criteria,
    /// A table whose keys merge one by one (`meta`).
    Table,
}

/// Everything known about one field: one row per field, so that a new
/// field is one change.
struct Facts {
    key: &'static str,
    default: Option<DefaultValue>,
    /// The field's place in the list of fields `edit --unset` may clear;
    /// `None` when it may not (a subject is required, times are the
    /// lifecycle's, criteria and notes have commands of their own).
    unset: Option<u8>,
    merge: MergeRule,
}

impl Field {
    fn facts(self) -> Facts {
        use MergeRule::*;
        let word = |w: &'static str| Some(DefaultValue::Word(w));
        let row = |key, default, unset, merge| Facts {
            key,
            default,
            unset,
            merge,
        };
        match self {
            Field::Subject => row("subject", None, None, Value),
            Field::Status => row("status", word(Status::default().as_str()), None, WithStatus),
            Field::Kind => row("kind", word(Kind::default().as_str()), Some(9), Value),
            Field::Priority => row(
                "priority",
                word(Priority::default().as_str()),
                Some(8),
                Value,
            ),
            Field::Parent => row("parent", None, Some(0), Value),
            Field::BlockedBy => row("blocked_by", None, Some(10), Set),
            Field::Gate => row("gate", Some(DefaultValue::Bool(false)), Some(1), Value),
            Field::Owner => row("owner", None, Some(2), Value),
            Field::Estimate => row("estimate", None, Some(3), Value),
            Field::Due => row("due", None, Some(4), Value),
            Field::Labels => row("labels", None, Some(5), Set),
            Field::Verify => row("verify", None, Some(6), Value),
            Field::Created => row("created", None, None, Value),
            Field::Started => row("started", None, None, Earliest),
            Field::Closed => row("closed", None, None, WithStatus),
            Field::PlanKey => row("plan_key", None, None, Value),
            Field::Origin => row("origin", None, None, Value),
            Field::Description => row("description", None, Some(7), Value),
            Field::Criteria => row("criteria", None, None, Criteria),
            Field::Waiver => row("waiver", None, Some(11), Value),
            Field::Notes => row("notes", None, None, Log),
            Field::Meta => row("meta", None, None, Table),
        }
    }

    /// The key in the task file (and in JSON): `blocked_by`.
    pub fn key(self) -> &'static str {
        self.facts().key
    }

    /// The field whose key is exactly `key`, as a file writes it. For
    /// reading files: `blocked-by` is no key of a task file.
    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.key() == key)
    }

    /// A field as a person types it: the key, or the key with `-` for `_`
    /// (`blocked-by`), as elsewhere on a command line.
    pub fn parse(text: &str) -> Option<Field> {
        Field::from_key(&text.replace('-', "_"))
    }

    /// The value a missing key stands for, for the fields that have one
    /// (status, kind, priority, gate): writing it out changes nothing.
    pub fn default_value(self) -> Option<DefaultValue> {
        self.facts().default
    }

    /// Whether `edit --unset` may remove the field, back to its default.
    pub fn is_unsettable(self) -> bool {
        self.facts().unset.is_some()
    }

    /// The fields `edit --unset` may clear, in the order its help and its
    /// errors have always listed them (the most used first).
    pub fn unsettable() -> impl Iterator<Item = Field> {
        let mut fields: Vec<Field> = Field::ALL
            .iter()
            .copied()
            .filter(|f| f.is_unsettable())
            .collect();
        fields.sort_by_key(|f| f.facts().unset);
        fields.into_iter()
    }

    /// A field `edit --unset` may clear, as a person types it (see
    /// [`Field::parse`]); `None` for any other word.
    pub fn parse_unsettable(text: &str) -> Option<Field> {
        Field::parse(text).filter(|f| f.is_unsettable())
    }

    /// How the merge combines two changes of the field.
    pub fn merge_rule(self) -> MergeRule {
        self.facts().merge
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl AsRef<str> for Field {
    fn as_ref(&self) -> &str {
        self.key()
    }
}

/// As its key: JSON names a field as the file does.
impl Serialize for Field {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.key())
    }
}

impl schemars::JsonSchema for Field {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Field".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let keys: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
        schemars::json_schema!({
            "description": "A top-level key of a task file.",
            "type": "string",
            "enum": keys,
        })
    }
}

impl From<crate::error::ReferenceField> for Field {
    fn from(field: crate::error::ReferenceField) -> Field {
        match field {
            crate::error::ReferenceField::BlockedBy => Field::BlockedBy,
            crate::error::ReferenceField::Parent => Field::Parent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TaskId;
    use crate::document::TaskDocument;
    use crate::task::Task;

    /// A task that sets every field, in the order git-task writes them.
    const FULL: &str = crate::testing::FULL_TASK;

    fn keys(doc: &TaskDocument) -> Vec<String> {
        doc.keys().map(str::to_owned).collect()
    }

    fn all_keys() -> Vec<String> {
        Field::ALL.iter().map(|f| f.key().to_owned()).collect()
    }

    #[test]
    fn keys_are_distinct() {
        let mut keys = all_keys();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), Field::ALL.len());
    }

    #[test]
    fn keys_and_parse_round_trip() {
        for &field in Field::ALL {
            assert_eq!(Field::from_key(field.key()), Some(field));
            assert_eq!(Field::parse(field.key()), Some(field));
            assert_eq!(Field::parse(&field.key().replace('_', "-")), Some(field));
            assert_eq!(field.to_string(), field.key());
            assert_eq!(
                serde_json::to_string(&field).unwrap(),
                format!("\"{}\"", field.key())
            );
        }
        assert_eq!(Field::parse("blocked-by"), Some(Field::BlockedBy));
        assert_eq!(Field::from_key("blocked-by"), None);
        assert_eq!(Field::parse("nope"), None);
        assert_eq!(Field::parse(""), None);
    }

    #[test]
    fn the_parser_accepts_exactly_the_fields() {
        let task = Task::parse(TaskId::parse("t").unwrap(), FULL).unwrap();
        assert!(task.waiver.is_some() && !task.meta.is_empty());
        let doc = TaskDocument::parse(FULL).unwrap();
        assert_eq!(keys(&doc), all_keys());
        // The list serde gives for an unknown key is every key it reads.
        let error = Task::parse(TaskId::parse("t").unwrap(), "subject = \"x\"\nzzz = 1\n")
            .unwrap_err()
            .message;
        let expected = error
            .split_once("expected one of ")
            .map(|(_, list)| list)
            .unwrap();
        let accepted: Vec<String> = expected
            .split(", ")
            .map(|k| k.trim_matches('`').to_owned())
            .collect();
        assert_eq!(accepted, all_keys());
    }

    #[test]
    fn all_is_the_order_the_document_writes() {
        let full = TaskDocument::parse(FULL).unwrap();
        // Set every field into an empty document, last first: the writer
        // puts each where it belongs.
        let mut doc = TaskDocument::new();
        for field in Field::ALL.iter().rev() {
            let item = full.get(field.key()).unwrap().clone();
            doc.set_item(field.key(), item);
        }
        assert_eq!(keys(&doc), all_keys());
        let task = doc.to_task(&TaskId::parse("t").unwrap()).unwrap();
        assert_eq!(
            task,
            Task::parse(TaskId::parse("t").unwrap(), FULL).unwrap()
        );
        // And the text has the tables in that order too.
        let text = doc.to_string();
        let at = |header: &str| text.find(header).unwrap();
        assert!(at("[[criteria]]") < at("[waiver]"));
        assert!(at("[waiver]") < at("[[notes]]"));
        assert!(at("[[notes]]") < at("[meta]"));
    }

    #[test]
    fn the_json_of_a_task_has_every_field_in_file_order() {
        let task = Task::parse(TaskId::parse("t").unwrap(), FULL).unwrap();
        let json = serde_json::to_value(crate::output::TaskFields::new(&task)).unwrap();
        // Besides the fields: the id (the file's name) and the estimate in
        // minutes, worked out from the field.
        let keys: Vec<String> = json
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| !matches!(k.as_str(), "id" | "estimate_minutes"))
            .cloned()
            .collect();
        assert_eq!(keys, all_keys());
    }

    #[test]
    fn unset_takes_the_words_it_always_took() {
        let words: Vec<&str> = Field::unsettable().map(Field::key).collect();
        assert_eq!(
            words,
            [
                "parent",
                "gate",
                "owner",
                "estimate",
                "due",
                "labels",
                "verify",
                "description",
                "priority",
                "kind",
                "blocked_by",
                "waiver"
            ]
        );
        for &field in Field::ALL {
            let word = field.key();
            assert_eq!(
                Field::parse_unsettable(word).is_some(),
                words.contains(&word),
                "{word}"
            );
        }
        assert_eq!(
            Field::parse_unsettable("blocked-by"),
            Some(Field::BlockedBy)
        );
        assert_eq!(Field::parse_unsettable("subject"), None);
        // Places are distinct, so the order is the one written down.
        let mut places: Vec<u8> = Field::ALL.iter().filter_map(|f| f.facts().unset).collect();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), words.len());
    }

    #[test]
    fn defaults_are_what_the_model_reads_for_a_missing_key() {
        let bare = Task::parse(TaskId::parse("t").unwrap(), "subject = \"x\"\n").unwrap();
        for &field in Field::ALL {
            let Some(default) = field.default_value() else {
                continue;
            };
            let written = match default {
                DefaultValue::Word(w) => format!("\"{w}\""),
                DefaultValue::Bool(b) => b.to_string(),
            };
            let text = format!("subject = \"x\"\n{} = {written}\n", field.key());
            let task = Task::parse(TaskId::parse("t").unwrap(), &text).unwrap();
            assert_eq!(task, bare, "{}", field.key());
        }
        let with_default: Vec<Field> = Field::ALL
            .iter()
            .copied()
            .filter(|f| f.default_value().is_some())
            .collect();
        assert_eq!(
            with_default,
            [Field::Status, Field::Kind, Field::Priority, Field::Gate]
        );
    }
}
