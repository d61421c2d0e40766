//! `merge-driver --json`: what the merge of one task file did.

use schemars::JsonSchema;
use serde::Serialize;

use super::Version;
use crate::merge::{Conflict, MergedFile};

/// One conflict the merge left between markers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConflictObject<'a> {
    /// The 1-based line of the opening marker.
    pub line: usize,
    /// The key in conflict (`subject`, `meta.sprint`), a description of
    /// the part (`criterion "tests pass"`), or null for the whole file.
    pub field: Option<&'a str>,
    /// The conflict in words.
    pub message: String,
}

/// The document of `merge-driver --json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct MergeReport<'a> {
    pub version: Version,
    /// The task file, as git named it.
    pub path: &'a str,
    pub clean: bool,
    pub conflicts: Vec<ConflictObject<'a>>,
    /// How to resolve the conflicts, in the words the front end shows.
    pub hints: &'a [String],
}

impl<'a> MergeReport<'a> {
    pub fn new(path: &'a str, merged: &'a MergedFile, hints: &'a [String]) -> MergeReport<'a> {
        MergeReport {
            version: Version,
            path,
            clean: merged.is_clean(),
            conflicts: merged
                .conflicts
                .iter()
                .map(|c: &'a Conflict| ConflictObject {
                    line: c.line,
                    field: c.field.as_deref().map(field_name),
                    message: c.to_string(),
                })
                .collect(),
            hints,
        }
    }
}

/// A conflict's field for JSON: a key without the backticks it has in
/// the message, a description of a part kept whole.
fn field_name(field: &str) -> &str {
    field
        .strip_prefix('`')
        .and_then(|f| f.strip_suffix('`'))
        .filter(|f| !f.contains('`'))
        .unwrap_or(field)
}

#[cfg(test)]
mod tests {
    use super::field_name;

    #[test]
    fn json_names_a_field_without_its_backticks_and_keeps_a_description_whole() {
        assert_eq!(field_name("`subject`"), "subject");
        assert_eq!(field_name("`meta.sprint`"), "meta.sprint");
        assert_eq!(
            field_name("`met` of criterion \"a\""),
            "`met` of criterion \"a\""
        );
        assert_eq!(
            field_name("criterion \"tests pass\""),
            "criterion \"tests pass\""
        );
    }
}
