//! `check` and `lint` as JSON.

use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;

use super::Version;
use crate::check::{Code, Diagnostic, Hint, Report, Severity};

/// One finding.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DiagnosticObject<'a> {
    pub severity: Severity,
    pub code: Code,
    /// Relative to the repository's root.
    pub path: &'a Path,
    /// 1-based.
    pub line: usize,
    /// 1-based.
    pub column: usize,
    /// What is wrong, as a plain statement.
    pub message: &'a str,
    /// What to do about it, in the words the front end shows.
    pub hints: Vec<String>,
}

/// The document of `check` and `lint`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CheckReport<'a> {
    pub version: Version,
    /// Where the tasks were read from, in words (`the working tree`,
    /// `the index`, `revision main`).
    pub source: String,
    /// How many task files were read.
    pub tasks: usize,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<DiagnosticObject<'a>>,
}

impl<'a> CheckReport<'a> {
    /// `report` read from `source`, each hint worded by `hint`.
    pub fn new(
        report: &'a Report,
        source: &impl std::fmt::Display,
        hint: impl Fn(&Hint) -> String,
    ) -> CheckReport<'a> {
        CheckReport {
            version: Version,
            source: source.to_string(),
            tasks: report.tasks,
            errors: report.errors(),
            warnings: report.warnings(),
            diagnostics: report
                .diagnostics
                .iter()
                .map(|d: &'a Diagnostic| DiagnosticObject {
                    severity: d.severity,
                    code: d.code,
                    path: &d.path,
                    line: d.line,
                    column: d.column,
                    message: &d.message,
                    hints: d.hints.iter().map(&hint).collect(),
                })
                .collect(),
        }
    }
}
