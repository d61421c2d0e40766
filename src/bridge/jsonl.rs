//! git-task's own export: JSON Lines, one task per line, each line the
//! task object of `show --json` with every field (`docs/schema/export.json`).
//!
//! Reading it back goes through the task file's own parser: each line is
//! turned into the TOML a task file would hold, so an export is held to
//! exactly the rules of `.tasks/` and its errors name the line.

use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::SourceError;
use super::engine::Exported;
use crate::field::Field;
use crate::id::TaskId;
use crate::output::ExportLine;
use crate::task::Task;
use crate::taskset::TaskSet;

/// Writes every task of `set` as one line of JSON, in id order.
pub fn write(out: &mut impl Write, set: &TaskSet) -> std::io::Result<()> {
    let mut tasks: Vec<&Task> = set.iter().collect();
    tasks.sort_by(|a, b| a.id.cmp(&b.id));
    for task in tasks {
        serde_json::to_writer(&mut *out, &ExportLine::new(task))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Reads an export: each line that is not blank is one task. `file` names
/// the source in messages.
pub fn read(text: &str, file: &Path) -> Result<Vec<Exported>, SourceError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let error = |column: usize, message: String| SourceError {
            file: file.to_owned(),
            line: line_no,
            column,
            message,
        };
        let object: Map<String, Json> = serde_json::from_str(line)
            .map_err(|e| error(e.column(), format!("not a JSON object: {e}")))?;
        let task = task_of(object).map_err(|message| error(0, message))?;
        out.push(Exported {
            task,
            file: file.to_owned(),
            line: line_no,
        });
    }
    Ok(out)
}

/// The task one line describes.
fn task_of(mut object: Map<String, Json>) -> Result<Task, String> {
    match object.remove("version") {
        Some(Json::Number(n)) if n.as_u64() == Some(1) => {}
        Some(other) => {
            return Err(format!(
                "version {other} is not one this git-task reads (1)"
            ));
        }
        None => {
            return Err("no `version`; each line of an export starts with \"version\": 1".into());
        }
    }
    let id = match object.remove("id") {
        Some(Json::String(s)) => TaskId::parse(&s).map_err(|e| format!("`id`: {e}"))?,
        _ => return Err("no `id`; each task of an export has its id".into()),
    };
    // Worked out from `estimate`: nothing to keep.
    object.remove("estimate_minutes");
    let mut table = toml::Table::new();
    for (key, value) in object {
        let field = Field::from_key(&key).ok_or_else(|| {
            format!("`{key}` is not a field of a task; the fields are in docs/format.md")
        })?;
        let value = match (field, value) {
            (_, Json::Null) => continue,
            (Field::Gate, Json::Bool(false)) => continue,
            (Field::Created | Field::Started | Field::Closed, Json::String(s)) => time(&key, &s)?,
            (Field::Due, Json::String(s)) => toml::Value::Datetime(
                s.parse()
                    .ok()
                    .filter(|d: &toml::value::Datetime| d.date.is_some() && d.time.is_none())
                    .ok_or_else(|| format!("`due`: `{s}` is not a date like 2026-12-01"))?,
            ),
            (Field::Waiver, Json::Object(mut w)) => {
                if let Some(Json::String(at)) = w.remove("at") {
                    let mut t = to_toml("waiver", Json::Object(w))?;
                    if let toml::Value::Table(t) = &mut t {
                        t.insert("at".into(), time("waiver.at", &at)?);
                    }
                    t
                } else {
                    to_toml(&key, Json::Object(w))?
                }
            }
            (Field::Notes, Json::Array(notes)) => {
                let mut out = Vec::new();
                for (i, note) in notes.into_iter().enumerate() {
                    let mut note = match note {
                        Json::Object(n) => n,
                        _ => return Err(format!("`notes[{i}]` is not an object")),
                    };
                    let at = note.remove("at");
                    let mut t = match to_toml(&format!("notes[{i}]"), Json::Object(note))? {
                        toml::Value::Table(t) => t,
                        _ => unreachable!("an object is a table"),
                    };
                    if let Some(Json::String(at)) = at {
                        t.insert("at".into(), time(&format!("notes[{i}].at"), &at)?);
                    }
                    out.push(toml::Value::Table(t));
                }
                toml::Value::Array(out)
            }
            (_, value) => to_toml(&key, value)?,
        };
        table.insert(key, value);
    }
    crate::document::TaskDocument::of_table(&table)
        .to_task(&id)
        .map_err(|e| e.message)
}

/// An RFC 3339 time as a TOML offset date-time.
fn time(key: &str, text: &str) -> Result<toml::Value, String> {
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|_| format!("`{key}`: `{text}` is not a time like 2026-11-20T10:02:11Z"))?;
    let at = at.with_timezone(&chrono::Utc);
    Ok(toml::Value::Datetime(
        crate::document::exact_datetime(at)
            .to_string()
            .parse()
            .expect("a TOML date-time reads as one"),
    ))
}

/// A JSON value of the export as TOML; a null has no TOML form.
fn to_toml(key: &str, value: Json) -> Result<toml::Value, String> {
    super::json_source::convert(&value, key, super::json_source::Nulls::Refuse)
        .map(|v| v.expect("a value that is not null converts"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_task_comes_back_as_it_went_out() {
        let task = Task::parse(
            TaskId::parse("run-migration").unwrap(),
            crate::testing::FULL_TASK,
        )
        .unwrap();
        let mut set = TaskSet::default();
        set.upsert(task.clone());
        let mut out = Vec::new();
        write(&mut out, &set).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        let back = read(&text, Path::new("x.jsonl")).unwrap();
        assert_eq!(back[0].task, task);
    }

    #[test]
    fn errors_name_the_line() {
        let text = "{\"version\":1,\"id\":\"a\",\"subject\":\"A\"}\n\n{\"version\":1,\"id\":\"b\",\"subject\":\"B\",\"colour\":1}\n";
        let e = read(text, Path::new("x.jsonl")).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`colour`"), "{}", e.message);
        let e = read(
            "{\"version\":1,\"id\":\"a\",\"subject\":\"A\",\"status\":\"done\"}",
            Path::new("x"),
        )
        .unwrap_err();
        assert!(e.message.contains("status"), "{}", e.message);
        let e = read("{\"version\":1,", Path::new("x")).unwrap_err();
        assert_eq!((e.line, e.column > 0), (1, true));
    }
}
