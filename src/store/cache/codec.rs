//! The cache's binary form of a parsed task: every field of [`Task`] but
//! its id (the file name gives it), written and read back without any TOML.
//!
//! The reader never trusts what it reads: every length is checked against
//! what is left, every word against the values it can have, and a nesting
//! of `[meta]` deeper than [`MAX_DEPTH`] is refused. A cache file is also
//! checked as a whole before anything in it is decoded (see the parent
//! module), so these checks are the second line, not the first.

use chrono::{DateTime, NaiveDate, Utc};

use crate::id::TaskId;
use crate::task::{Criterion, Estimate, Gate, Kind, Note, Priority, Status, Task, Waiver};

/// How deep `[meta]` tables and arrays may nest in a cached task. A task
/// nested deeper is not cached (it is parsed each time), so the reader's
/// recursion stays bounded whatever a file holds.
pub const MAX_DEPTH: usize = 64;

/// Appends little-endian numbers and length-prefixed strings to a buffer.
pub struct Writer<'a>(pub &'a mut Vec<u8>);

impl Writer<'_> {
    pub fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    pub fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub fn bytes(&mut self, v: &[u8]) {
        self.u32(v.len() as u32);
        self.0.extend_from_slice(v);
    }

    pub fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }

    fn opt_str(&mut self, v: Option<&str>) {
        match v {
            None => self.u8(0),
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
        }
    }

    fn strs<'s>(&mut self, v: impl ExactSizeIterator<Item = &'s str>) {
        self.u32(v.len() as u32);
        for s in v {
            self.str(s);
        }
    }

    fn time(&mut self, t: &DateTime<Utc>) {
        self.i64(t.timestamp());
        self.u32(t.timestamp_subsec_nanos());
    }

    fn opt_time(&mut self, t: Option<&DateTime<Utc>>) {
        match t {
            None => self.u8(0),
            Some(t) => {
                self.u8(1);
                self.time(t);
            }
        }
    }
}

/// Reads what [`Writer`] wrote; `None` as soon as anything does not fit.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn is_at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    pub fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }

    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn opt<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        if self.flag()? {
            read(self).map(Some)
        } else {
            Some(None)
        }
    }

    /// A count of items that are each at least one byte: never more than
    /// what is left, so a damaged count cannot reserve gigabytes.
    fn count(&mut self) -> Option<usize> {
        let n = self.u32()? as usize;
        (n <= self.buf.len() - self.pos).then_some(n)
    }

    fn list<T>(&mut self, mut read: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.count()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(read(self)?);
        }
        Some(out)
    }

    fn id(&mut self) -> Option<TaskId> {
        TaskId::parse(self.str()?).ok()
    }

    fn word<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        all.get(self.u8()? as usize).copied()
    }

    fn time(&mut self) -> Option<DateTime<Utc>> {
        let secs = self.i64()?;
        let nanos = self.u32()?;
        DateTime::from_timestamp(secs, nanos)
    }
}

fn word_index<T: PartialEq>(all: &[T], v: &T) -> u8 {
    all.iter().position(|w| w == v).unwrap_or(0) as u8
}

/// Appends `task` without its id. `None`, with `out` as it was, when the
/// task cannot be cached (its `[meta]` nests deeper than [`MAX_DEPTH`]).
pub fn encode(task: &Task, out: &mut Vec<u8>) -> Option<()> {
    let start = out.len();
    // Every field is named, so a field added to Task that is not written
    // here does not compile.
    let Task {
        id: _,
        subject,
        status,
        kind,
        priority,
        parent,
        blocked_by,
        gate,
        owner,
        estimate,
        due,
        labels,
        verify,
        created,
        started,
        closed,
        plan_key,
        origin,
        description,
        criteria,
        waiver,
        notes,
        meta,
    } = task;
    let mut w = Writer(out);
    w.str(subject);
    w.u8(word_index(Status::ALL, status));
    w.u8(word_index(Kind::ALL, kind));
    w.u8(word_index(Priority::ALL, priority));
    w.opt_str(parent.as_ref().map(TaskId::as_str));
    w.strs(blocked_by.iter().map(TaskId::as_str));
    match gate {
        None => w.u8(0),
        Some(Gate::ConfiguredBranches) => w.u8(1),
        Some(Gate::Branches(globs)) => {
            w.u8(2);
            w.strs(globs.iter().map(String::as_str));
        }
    }
    w.opt_str(owner.as_deref());
    match estimate {
        None => w.u8(0),
        Some(e) => {
            w.u8(1);
            w.str(e.as_str());
            w.u64(e.minutes());
        }
    }
    match due {
        None => w.u8(0),
        Some(d) => {
            w.u8(1);
            w.i64(i64::from(chrono::Datelike::num_days_from_ce(d)));
        }
    }
    w.strs(labels.iter().map(String::as_str));
    w.opt_str(verify.as_deref());
    w.opt_time(created.as_ref());
    w.opt_time(started.as_ref());
    w.opt_time(closed.as_ref());
    w.opt_str(plan_key.as_ref().map(|k| k.to_string()).as_deref());
    w.opt_str(origin.as_ref().map(|o| o.to_string()).as_deref());
    w.opt_str(description.as_deref());
    w.u32(criteria.len() as u32);
    for c in criteria {
        w.str(&c.text);
        w.u8(u8::from(c.met));
    }
    match waiver {
        None => w.u8(0),
        Some(v) => {
            w.u8(1);
            w.str(&v.by);
            w.str(&v.reason);
            w.time(&v.at);
        }
    }
    w.u32(notes.len() as u32);
    for n in notes {
        w.time(&n.at);
        w.opt_str(n.by.as_deref());
        w.str(&n.text);
    }
    if encode_table(&mut w, meta, 0).is_none() {
        out.truncate(start);
        return None;
    }
    Some(())
}

fn encode_table(w: &mut Writer, table: &toml::Table, depth: usize) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    w.u32(table.len() as u32);
    for (key, value) in table {
        w.str(key);
        encode_value(w, value, depth)?;
    }
    Some(())
}

fn encode_value(w: &mut Writer, value: &toml::Value, depth: usize) -> Option<()> {
    match value {
        toml::Value::String(s) => {
            w.u8(0);
            w.str(s);
        }
        toml::Value::Integer(i) => {
            w.u8(1);
            w.i64(*i);
        }
        toml::Value::Float(f) => {
            w.u8(2);
            w.u64(f.to_bits());
        }
        toml::Value::Boolean(b) => {
            w.u8(3);
            w.u8(u8::from(*b));
        }
        toml::Value::Datetime(d) => {
            w.u8(4);
            w.str(&d.to_string());
        }
        toml::Value::Array(items) => {
            if depth >= MAX_DEPTH {
                return None;
            }
            w.u8(5);
            w.u32(items.len() as u32);
            for item in items {
                encode_value(w, item, depth + 1)?;
            }
        }
        toml::Value::Table(t) => {
            w.u8(6);
            encode_table(w, t, depth + 1)?;
        }
    }
    Some(())
}

/// Reads a task that [`encode`] wrote, giving it `id`. `None` when the
/// bytes are not one whole task.
pub fn decode(id: TaskId, bytes: &[u8]) -> Option<Task> {
    let mut r = Reader::new(bytes);
    let task = Task {
        id,
        subject: r.string()?,
        status: r.word(Status::ALL)?,
        kind: r.word(Kind::ALL)?,
        priority: r.word(Priority::ALL)?,
        parent: r.opt(Reader::id)?,
        blocked_by: r.list(Reader::id)?,
        gate: match r.u8()? {
            0 => None,
            1 => Some(Gate::ConfiguredBranches),
            2 => Some(Gate::Branches(r.list(Reader::string)?)),
            _ => return None,
        },
        owner: r.opt(Reader::string)?,
        estimate: r.opt(|r| {
            let text = r.string()?;
            let minutes = r.u64()?;
            Estimate::from_cache(text, minutes)
        })?,
        due: r.opt(|r| NaiveDate::from_num_days_from_ce_opt(i32::try_from(r.i64()?).ok()?))?,
        labels: r.list(Reader::string)?,
        verify: r.opt(Reader::string)?,
        created: r.opt(Reader::time)?,
        started: r.opt(Reader::time)?,
        closed: r.opt(Reader::time)?,
        plan_key: r.opt(|r| r.string()?.parse().ok())?,
        origin: r.opt(|r| r.string()?.parse().ok())?,
        description: r.opt(Reader::string)?,
        criteria: r.list(|r| {
            Some(Criterion {
                text: r.string()?,
                met: r.flag()?,
            })
        })?,
        waiver: r.opt(|r| {
            Some(Waiver {
                by: r.string()?,
                reason: r.string()?,
                at: r.time()?,
            })
        })?,
        notes: r.list(|r| {
            Some(Note {
                at: r.time()?,
                by: r.opt(Reader::string)?,
                text: r.string()?,
            })
        })?,
        meta: decode_table(&mut r, 0)?,
    };
    r.is_at_end().then_some(task)
}

fn decode_table(r: &mut Reader, depth: usize) -> Option<toml::Table> {
    if depth > MAX_DEPTH {
        return None;
    }
    let n = r.count()?;
    let mut table = toml::Table::new();
    for _ in 0..n {
        let key = r.string()?;
        let value = decode_value(r, depth)?;
        table.insert(key, value);
    }
    Some(table)
}

fn decode_value(r: &mut Reader, depth: usize) -> Option<toml::Value> {
    Some(match r.u8()? {
        0 => toml::Value::String(r.string()?),
        1 => toml::Value::Integer(r.i64()?),
        2 => toml::Value::Float(f64::from_bits(r.u64()?)),
        3 => toml::Value::Boolean(r.flag()?),
        4 => toml::Value::Datetime(r.str()?.parse().ok()?),
        5 => {
            if depth >= MAX_DEPTH {
                return None;
            }
            toml::Value::Array(r.list(|r| decode_value(r, depth + 1))?)
        }
        6 => toml::Value::Table(decode_table(r, depth + 1)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(id: &str, text: &str) {
        let id = TaskId::parse(id).unwrap();
        let task = Task::parse(id.clone(), text).unwrap();
        let mut bytes = Vec::new();
        encode(&task, &mut bytes).unwrap();
        assert_eq!(decode(id.clone(), &bytes).as_ref(), Some(&task), "{text}");
        // Every shorter prefix, and anything longer, is refused.
        for n in 0..bytes.len() {
            assert_eq!(decode(id.clone(), &bytes[..n]), None, "prefix {n}");
        }
        bytes.push(0);
        assert_eq!(decode(id, &bytes), None);
    }

    #[test]
    fn every_field_comes_back() {
        round_trip("m1", crate::testing::FULL_TASK);
        round_trip("m2", "subject = \"x\"\n");
        round_trip(
            "m3",
            "subject = \"x\"\ngate = { branches = [\"main\", \"release/*\"] }\n\n[meta]\na = [1, 2.5, \"s\", true, 1979-05-27T07:32:00Z, 1979-05-27, 07:32:00]\nb = { c = { d = [[1], []] } }\n",
        );
    }

    #[test]
    fn meta_nested_too_deep_is_not_cached() {
        let mut value = toml::Value::Integer(1);
        for _ in 0..=MAX_DEPTH + 1 {
            value = toml::Value::Array(vec![value]);
        }
        let mut task = Task::parse(TaskId::parse("deep").unwrap(), "subject = \"x\"\n").unwrap();
        task.meta.insert("a".into(), value);
        let mut bytes = vec![7];
        assert_eq!(encode(&task, &mut bytes), None);
        assert_eq!(bytes, vec![7]);
    }

    #[test]
    fn damaged_words_are_refused() {
        let id = TaskId::parse("w").unwrap();
        let task = Task::parse(id.clone(), "subject = \"x\"\n").unwrap();
        let mut bytes = Vec::new();
        encode(&task, &mut bytes).unwrap();
        // The status byte follows the subject (4 bytes of length, "x").
        bytes[5] = 200;
        assert_eq!(decode(id, &bytes), None);
    }
}
