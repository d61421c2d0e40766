//! JSON values built from the fuzzer's bytes, with object keys drawn
//! mostly from the names the format knows, so that the fuzzer reaches
//! the code behind each field rather than "unknown field" at the top.

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{Map, Value};

/// A JSON value of at most `depth` levels; keys from `keys` three times
/// in four.
pub fn value(u: &mut Unstructured, keys: &[&str], depth: u32) -> arbitrary::Result<Value> {
    let choice = if depth == 0 {
        u.int_in_range(0..=4)?
    } else {
        u.int_in_range(0..=6)?
    };
    Ok(match choice {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => {
            if u.ratio(1, 2)? {
                Value::from(u.int_in_range(-3i64..=40)?)
            } else {
                let f: f64 = u.arbitrary()?;
                serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
            }
        }
        3 | 4 => Value::String(string(u, keys)?),
        5 => {
            let n = u.int_in_range(0..=4)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(value(u, keys, depth - 1)?);
            }
            Value::Array(items)
        }
        _ => Value::Object(object(u, keys, depth - 1)?),
    })
}

/// An object of up to six entries.
pub fn object(
    u: &mut Unstructured,
    keys: &[&str],
    depth: u32,
) -> arbitrary::Result<Map<String, Value>> {
    let n = u.int_in_range(0..=6)?;
    let mut map = Map::new();
    for _ in 0..n {
        let key = if !keys.is_empty() && !u.ratio(1, 4)? {
            (*u.choose(keys)?).to_owned()
        } else {
            String::arbitrary(u)?
        };
        map.insert(key, value(u, keys, depth)?);
    }
    Ok(map)
}

/// A string: a known name, a word that reads as a value (a date, an
/// estimate, a status), or any string.
pub fn string(u: &mut Unstructured, keys: &[&str]) -> arbitrary::Result<String> {
    const VALUES: &[&str] = &[
        "a",
        "b",
        "design",
        "2026-12-01",
        "2026-12-01T10:00:00Z",
        "20261201T100000Z",
        "4h",
        "1d 4h",
        "high",
        "critical",
        "low",
        "epic",
        "story",
        "subtask",
        "pending",
        "in_progress",
        "completed",
        "cancelled",
        "done",
        "open",
        "closed",
        "true",
        "json",
        "toml",
        "ana",
        "line one\nline two",
        "<<<<<<< ours",
        "\u{202e}evil",
        "",
    ];
    Ok(match u.int_in_range(0..=3)? {
        0 if !keys.is_empty() => (*u.choose(keys)?).to_owned(),
        1 | 2 => (*u.choose(VALUES)?).to_owned(),
        _ => String::arbitrary(u)?,
    })
}
