//! `merge-driver --json`: what the merge of one task file did.

use schemars::JsonSchema;
use serde::Serialize;

use super::Version;
use crate::merge::{Conflict, ConflictField, MergedFile};

/// One conflict the merge left between markers.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ConflictObject {
    /// The 1-based line of the opening marker.
    pub line: usize,
    /// The key in conflict (`subject`, `meta.sprint`), a description of
    /// the part (`criterion "tests pass"`), or null for the whole file.
    pub field: Option<String>,
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
    pub conflicts: Vec<ConflictObject>,
    /// How to resolve the conflicts, in the words the front end shows.
    pub hints: &'a [String],
}

impl<'a> MergeReport<'a> {
    /// The merge of the file git names `path`, with the hints the front end
    /// words for its resolutions.
    pub fn new(path: &'a str, merged: &'a MergedFile, hints: &'a [String]) -> MergeReport<'a> {
        MergeReport {
            version: Version,
            path,
            clean: merged.is_clean(),
            conflicts: merged
                .conflicts
                .iter()
                .map(|c: &Conflict| ConflictObject {
                    line: c.line,
                    field: c.field.as_ref().map(ConflictField::name),
                    message: c.to_string(),
                })
                .collect(),
            hints,
        }
    }
}
