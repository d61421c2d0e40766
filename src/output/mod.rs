//! The JSON answers of every command, as serde types.
//!
//! Each `--json` document is one type here, built from the library's
//! answers (never from a front end's state), so the CLI, the MCP server
//! and the board emit the same JSON for the same question. Every
//! document starts with `"version": 1` ([`Version`]); within a version a
//! field may be added, never renamed, removed or given another meaning.
//!
//! The JSON Schemas of the documents are generated from these types
//! ([`schemas`]) and committed under `docs/schema/`; a test keeps the two
//! equal and checks real outputs of every command against them.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};
use serde::{Serialize, Serializer};

mod apply;
mod board;
mod check;
mod claim;
mod diff;
mod graph;
mod hooks;
mod import;
mod log;
mod mcp;
mod merge;
mod plan;
mod status;
mod sync;
mod task;

pub use apply::*;
pub use board::*;
pub use check::*;
pub use claim::*;
pub use diff::*;
pub use graph::*;
pub use hooks::*;
pub use import::*;
pub use log::*;
pub use mcp::*;
pub use merge::*;
pub use plan::*;
pub use status::*;
pub use sync::*;
pub use task::*;

/// The version of the JSON documents: `1`. A document of another shape
/// gets another number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Version;

impl Version {
    /// The number every document of this library carries.
    pub const CURRENT: u32 = 1;
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(Version::CURRENT)
    }
}

impl JsonSchema for Version {
    fn schema_name() -> Cow<'static, str> {
        "Version".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "The version of the document's shape.",
            "type": "integer",
            "const": Version::CURRENT,
        })
    }
}

/// `true`, as the only value of a field that is either absent (`null`) or
/// set without detail (`"gate": true`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct True;

impl Serialize for True {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(true)
    }
}

impl JsonSchema for True {
    fn schema_name() -> Cow<'static, str> {
        "True".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "boolean", "const": true })
    }
}

/// A path as JSON: its text, lossy where it is not UTF-8.
pub(crate) fn path_text(path: &std::path::Path) -> String {
    path.display().to_string()
}

macro_rules! documents {
    ($($name:literal => $ty:ty, $doc:literal;)+) => {
        /// The name of each JSON document, what prints it, and its type's
        /// schema generator, in the order `docs/json.md` lists them.
        const DOCUMENTS: &[(&str, &str, fn() -> Schema)] = &[
            $(($name, $doc, || generator().into_root_schema_for::<$ty>())),+
        ];
    };
}

documents! {
    "task" => TaskAnswer<'static>, "add, edit, start, cancel, reopen, reset, dep, criteria, note, gate waive, gate unwaive";
    "tasks" => TaskList<'static>, "list, ready, blocked";
    "show" => Shown<'static>, "show";
    "done" => Done<'static>, "done";
    "claim" => ClaimAnswer<'static>, "claim, ready --claim";
    "release" => ReleaseAnswer<'static>, "release";
    "rename" => Renamed<'static>, "rename";
    "rm" => Removed<'static>, "rm";
    "status" => StatusReport<'static>, "status";
    "plan" => PlanReport<'static>, "plan";
    "critical-path" => CriticalPathReport<'static>, "critical-path";
    "tracks" => TracksReport<'static>, "tracks";
    "graph" => GraphDocument<'static>, "graph";
    "gate-list" => GateList<'static>, "gate list";
    "check" => CheckReport<'static>, "check, lint";
    "diff" => DiffReport<'static>, "diff";
    "log" => LogReport<'static>, "log";
    "hooks-change" => HooksChange, "hooks install, hooks uninstall";
    "hooks-status" => HooksStatus<'static>, "hooks status";
    "init" => InitReport, "init";
    "merge-driver" => MergeReport<'static>, "merge-driver";
    "mcp-ready" => ReadyReport<'static>, "mcp tool ready";
    "mcp-error" => ToolError, "mcp tool errors";
    "apply" => ApplyReport<'static>, "apply";
    "export" => ExportLine<'static>, "export (each line)";
    "import" => ImportReport<'static>, "import";
    "sync" => SyncReport<'static>, "sync";
    "board" => BoardData<'static>, "board";
    "board-payload" => crate::board::page::Payload<'static>, "serve (GET /data)";
}

/// The generator of every schema: JSON Schema 2020-12, describing what
/// is serialized (an `Option` skipped when empty is not required).
fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
}

/// One JSON document's schema, with its name (the file under
/// `docs/schema/` is `<name>.json`) and the commands that print it.
#[derive(Debug, Clone)]
pub struct DocumentSchema {
    /// The document's name: its file is `docs/schema/<name>.json`.
    pub name: &'static str,
    /// The commands that print it, as the docs name them.
    pub commands: &'static str,
    /// The JSON Schema, draft 2020-12.
    pub schema: Schema,
}

/// The schema of every JSON document the commands print.
pub fn schemas() -> Vec<DocumentSchema> {
    DOCUMENTS
        .iter()
        .map(|&(name, commands, make)| {
            let mut schema = make();
            schema.insert(
                "$comment".into(),
                format!("git-task --json output of: {commands}").into(),
            );
            DocumentSchema {
                name,
                commands,
                schema,
            }
        })
        .collect()
}

/// A schema as committed: pretty JSON ending in a newline.
pub fn schema_text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).expect("a schema is JSON");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_document_has_a_schema_with_the_version_first() {
        let schemas = schemas();
        assert_eq!(schemas.len(), DOCUMENTS.len());
        for s in &schemas {
            let props = s.schema.get("properties").and_then(|p| p.as_object());
            let first = props.and_then(|p| p.keys().next()).map(String::as_str);
            assert_eq!(first, Some("version"), "{}", s.name);
            let required = s.schema.get("required").and_then(|r| r.as_array());
            assert!(
                required.is_some_and(|r| r.iter().any(|v| v == "version")),
                "{} requires its version",
                s.name
            );
        }
        let mut names: Vec<_> = schemas.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), schemas.len(), "document names are unique");
    }

    #[test]
    fn the_version_serializes_as_its_number() {
        assert_eq!(serde_json::to_string(&Version).unwrap(), "1");
    }
}
