//! What the JSON readers (Taskwarrior, beads) share: reading the file,
//! finding where each record starts so that a problem names its line, and
//! turning JSON values into what a task holds (`[meta]` values, labels,
//! timestamps).
//!
//! serde_json says where a syntax error is, but a value that parses and
//! still makes no sense (a task without a uuid, a date that is not one) has
//! no position once it is a [`serde_json::Value`]. So the readers keep the
//! line each record starts on next to the record and name that line.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use super::SourceError;

/// One JSON object of a source and the 1-based line it starts on.
#[derive(Debug)]
pub(crate) struct Record {
    pub line: usize,
    pub object: Map<String, Value>,
}

/// Reads `path` as UTF-8 text, or says why it cannot be read.
pub(crate) fn read_text(path: &Path) -> Result<String, SourceError> {
    let bytes =
        std::fs::read(path).map_err(|e| error(path, 0, 0, format!("cannot read it: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let (line, column, _) = crate::task::not_utf8_at(&e);
        error(path, line, column, "it is not UTF-8 text".into())
    })
}

/// A [`SourceError`] about `path`.
pub(crate) fn error(path: &Path, line: usize, column: usize, message: String) -> SourceError {
    SourceError {
        file: path.to_owned(),
        line,
        column,
        message,
    }
}

/// The records of a JSON Lines text: one object per non-blank line. A
/// trailing comma on a line is allowed, as older Taskwarrior versions
/// printed one.
pub(crate) fn json_lines(path: &Path, text: &str) -> Result<Vec<Record>, SourceError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim_end();
        let trimmed = trimmed.strip_suffix(',').unwrap_or(trimmed);
        if trimmed.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(trimmed).map_err(|e| {
            error(
                path,
                line,
                e.column(),
                format!("not a JSON object: {}", json_message(&e)),
            )
        })?;
        out.push(Record {
            line,
            object: object(path, line, value)?,
        });
    }
    Ok(out)
}

/// The records of a text that is one JSON array of objects, each with the
/// line its object starts on.
pub(crate) fn json_array(path: &Path, text: &str) -> Result<Vec<Record>, SourceError> {
    let values: Vec<Value> = serde_json::from_str(text).map_err(|e| {
        error(
            path,
            e.line(),
            e.column(),
            format!("not a JSON array of tasks: {}", json_message(&e)),
        )
    })?;
    let lines = element_lines(text);
    values
        .into_iter()
        .zip(lines)
        .map(|(value, line)| {
            Ok(Record {
                line,
                object: object(path, line, value)?,
            })
        })
        .collect()
}

fn object(path: &Path, line: usize, value: Value) -> Result<Map<String, Value>, SourceError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(error(
            path,
            line,
            0,
            format!(
                "expected a JSON object (one task), found {}",
                kind_of(&other)
            ),
        )),
    }
}

/// serde_json's message without its own " at line L column C", which the
/// [`SourceError`] already says.
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// What kind of JSON value `value` is, for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The 1-based line on which each element of the top-level array of
/// `text` starts. `text` is known to be valid JSON.
fn element_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut expect = false;
    for c in text.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            // JSON strings hold no raw newline, so no line is counted here.
            continue;
        }
        if c == '\n' {
            line += 1;
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if expect && depth == 1 && c != ']' {
            out.push(line);
        }
        expect = false;
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth == 1 {
                    expect = true;
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => expect = true,
            _ => {}
        }
    }
    out
}

/// A JSON value as a `[meta]` value. `None` for `null`, which TOML cannot
/// hold and which says nothing anyway. Integers stay integers; one beyond
/// TOML's 64-bit range is kept as its text.
pub(crate) fn to_toml(value: &Value) -> Option<toml::Value> {
    convert(value, "", Nulls::Skip).ok().flatten()
}

/// What [`convert`] does with JSON's null, which TOML has no form of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nulls {
    /// Leave it out (the key, or the array item).
    Skip,
    /// Refuse the value, naming where the null is.
    Refuse,
}

/// A JSON value as TOML: `key` names it in the message of a refused null
/// (`meta.x`, `notes[2].by`). An integer TOML cannot hold (beyond i64)
/// becomes its text.
pub(crate) fn convert(
    value: &Value,
    key: &str,
    nulls: Nulls,
) -> Result<Option<toml::Value>, String> {
    Ok(Some(match value {
        Value::Null if nulls == Nulls::Skip => return Ok(None),
        Value::Null => return Err(format!("`{key}` holds null, which TOML cannot hold")),
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => toml::Value::Integer(i),
            (None, Some(f)) if n.is_f64() => toml::Value::Float(f),
            _ => toml::Value::String(n.to_string()),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.extend(convert(item, &format!("{key}[{i}]"), nulls)?);
            }
            toml::Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = toml::Table::new();
            for (k, v) in map {
                let path = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                if let Some(v) = convert(v, &path, nulls)? {
                    out.insert(k.clone(), v);
                }
            }
            toml::Value::Table(out)
        }
    }))
}

/// A value as a [`super::Dropped`] shows it: a string as it is, anything
/// else as compact JSON, cut to 80 characters.
pub(crate) fn short(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut chars = text.chars();
    let cut: String = chars.by_ref().take(80).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// `text` as a label: one word, every run of whitespace one hyphen.
/// `None` when nothing is left.
pub(crate) fn label(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join("-"))
}

/// Adds `label` to `labels` unless it is there already.
pub(crate) fn push_label(labels: &mut Vec<String>, label: String) {
    if !labels.contains(&label) {
        labels.push(label);
    }
}

/// A string field, `None` when absent or null; `fail` says where a value
/// of another kind is.
pub(crate) fn string<'a>(
    fields: &'a Map<String, Value>,
    key: &str,
    fail: &impl Fn(String) -> SourceError,
) -> Result<Option<&'a str>, SourceError> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(fail(format!(
            "`{key}` must be a string, found {}",
            kind_of(other)
        ))),
    }
}

/// A [`timestamp`] field, `None` when absent or null. `what` names the
/// form the source writes in the message of a string that is not one
/// (`a timestamp (like 2026-04-18T16:19:12Z)`).
pub(crate) fn time(
    fields: &Map<String, Value>,
    key: &str,
    what: &str,
    fail: &impl Fn(String) -> SourceError,
) -> Result<Option<DateTime<Utc>>, SourceError> {
    string(fields, key, fail)?
        .map(|t| timestamp(t).ok_or_else(|| fail(format!("`{key}` `{t}` is not {what}"))))
        .transpose()
}

/// A timestamp in RFC 3339 (`2026-04-18T16:19:12Z`, with fractions and
/// offsets as Go writes them) or in Taskwarrior's basic ISO 8601 form
/// (`20261201T000000Z`).
pub(crate) fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}

/// The calendar date of a timestamp as written: the date part in the
/// timestamp's own offset (`2026-12-01T00:00:00-08:00` is 1 December).
pub(crate) fn date(text: &str) -> Option<NaiveDate> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.date_naive());
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(d);
    }
    timestamp(text).map(|t| t.date_naive())
}

/// The first non-blank line of `text` (trimmed) as a subject, and the
/// rest (without blank lines at either end) as a description.
pub(crate) fn subject_and_rest(text: &str) -> (String, Option<String>) {
    let text = text.trim_start_matches(['\n', '\r', ' ', '\t']);
    let (first, rest) = match text.find('\n') {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let rest = rest.trim_matches(['\n', '\r']).trim_end();
    (
        first.trim().to_owned(),
        (!rest.trim().is_empty()).then(|| rest.to_owned()),
    )
}

/// What the readers' unit tests build their expected batches of.
#[cfg(test)]
pub(crate) mod expect {
    use chrono::{DateTime, Utc};

    use crate::bridge::{Dropped, Incoming};
    use crate::task::Criterion;

    /// A [`super::timestamp`] that must read.
    pub(crate) fn at(text: &str) -> DateTime<Utc> {
        super::timestamp(text).unwrap()
    }

    pub(crate) fn dropped(source_id: &str, field: &str, value: &str) -> Dropped {
        Dropped {
            source_id: source_id.into(),
            field: field.into(),
            value: value.into(),
        }
    }

    pub(crate) fn criterion(text: &str, met: bool) -> Criterion {
        Criterion {
            text: text.into(),
            met,
        }
    }

    pub(crate) fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    /// Asserts that a reader gave the tasks `want`, in order, one task at a
    /// time, so that a failure names the task that differs.
    #[track_caller]
    pub(crate) fn assert_tasks(got: &[Incoming], want: &[Incoming]) {
        assert_eq!(got.len(), want.len());
        for (got, want) in got.iter().zip(want) {
            assert_eq!(got, want, "{}", want.source_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_elements_are_found_on_their_lines() {
        let text = "[\n{\"a\":\"x,{\\\"\"},\n  {\"b\":[1,\n2]}, {\"c\":1}\n,\n{}]";
        assert_eq!(element_lines(text), vec![2, 3, 4, 6]);
        assert_eq!(element_lines("[]"), Vec::<usize>::new());
        assert_eq!(element_lines("[{}]"), vec![1]);
    }

    #[test]
    fn json_lines_name_the_line_and_column() {
        let path = Path::new("x.jsonl");
        let err = json_lines(path, "{}\n\n{\"a\": tru}\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 10), "{err}");
        assert!(
            err.message.starts_with("not a JSON object: expected ident"),
            "{err}"
        );
        let err = json_lines(path, "{}\n[1]\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.jsonl:2: expected a JSON object (one task), found an array"
        );
    }

    #[test]
    fn timestamps_of_both_forms() {
        let t = timestamp("20261201T101500Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-01T10:15:00+00:00");
        let t = timestamp("2026-04-18T09:19:12.123-07:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-04-18T16:19:12.123+00:00");
        assert_eq!(
            date("2026-12-01T23:00:00-08:00"),
            NaiveDate::from_ymd_opt(2026, 12, 1)
        );
        assert_eq!(
            date("20261201T000000Z"),
            NaiveDate::from_ymd_opt(2026, 12, 1)
        );
        assert_eq!(timestamp("tomorrow"), None);
    }

    #[test]
    fn subjects_are_first_lines() {
        assert_eq!(subject_and_rest("  One  "), ("One".into(), None));
        assert_eq!(
            subject_and_rest("\nOne\n\nTwo\nThree\n\n"),
            ("One".into(), Some("Two\nThree".into()))
        );
    }

    #[test]
    fn meta_values_from_json() {
        let v: Value = serde_json::json!({"a": null, "b": [1, null, 2.5], "c": {"d": true}, "e": 18446744073709551615u64});
        let t = to_toml(&v).unwrap();
        assert_eq!(
            t.to_string(),
            "{ b = [1, 2.5], c = { d = true }, e = \"18446744073709551615\" }"
        );
        assert_eq!(label(" a  b\tc "), Some("a-b-c".into()));
        assert_eq!(label("  "), None);
        assert_eq!(
            short(&Value::String("é".repeat(81))),
            format!("{}…", "é".repeat(80))
        );
    }
}
