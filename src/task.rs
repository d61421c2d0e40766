//! The task model: the fields of one task file, their enums and validation.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::field::Field;
use crate::id::TaskId;

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? } default $default:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        // By hand rather than derived: serde's message for `priority = 3`
        // ("wanted string or table") does not say what to write.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(WordVisitor::<$name>::new(&[$($text),+]))
            }
        }

        impl $name {
            /// Every value, in the order docs/format.md lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word written in task files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(format!(
                        "unknown {} `{}`; expected one of: {}",
                        stringify!($name).to_lowercase(),
                        s,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

/// Reads one of a fixed set of words, saying which when given anything else.
struct WordVisitor<T> {
    words: &'static [&'static str],
    _t: std::marker::PhantomData<T>,
}

impl<T> WordVisitor<T> {
    fn new(words: &'static [&'static str]) -> Self {
        WordVisitor {
            words,
            _t: std::marker::PhantomData,
        }
    }

    fn wrong<E: de::Error>(&self, found: String) -> E {
        E::custom(format!(
            "{found} is not one of {}; write it as a quoted word, like \"{}\"",
            self.words.join(", "),
            self.words.first().copied().unwrap_or_default()
        ))
    }
}

impl<'de, T: FromStr<Err = String>> Visitor<'de> for WordVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "one of {}", self.words.join(", "))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.parse().map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Err(self.wrong(format!("the number {v}")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Err(self.wrong(format!("the number {v}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        Err(self.wrong(format!("the number {v}")))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<T, E> {
        Err(self.wrong(format!("`{v}`")))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<T, A::Error> {
        Err(self.wrong("an array".into()))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<T, A::Error> {
        Err(self.wrong("a table (or a date)".into()))
    }
}

word_enum!(
    /// Where a task is in its life.
    Status { Pending = "pending", InProgress = "in_progress", Completed = "completed", Cancelled = "cancelled" } default Pending
);
word_enum!(
    /// The level of a task in the hierarchy epic > story > task > subtask.
    Kind { Epic = "epic", Story = "story", Task = "task", Subtask = "subtask" } default Task
);
word_enum!(
    /// How urgent a task is; `Critical` sorts first.
    Priority { Critical = "critical", High = "high", Medium = "medium", Low = "low" } default Medium
);

impl Status {
    /// Completed and cancelled tasks no longer hold anything back.
    pub fn is_resolved(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }
}

/// What a gate protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// `gate = true`: the branches of `gates.branches` in config.toml.
    ConfiguredBranches,
    /// `gate = { branches = [...] }`: branches matching these globs.
    Branches(Vec<String>),
}

/// Work time, as written (`30m`, `4h`, `2d`, `1w`) and in minutes, where
/// a day is 8 hours and a week 5 days. At most [`Estimate::MAX_TEXT`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Estimate {
    text: String,
    minutes: u64,
}

impl Estimate {
    pub const MINUTES_PER_DAY: u64 = 8 * 60;

    /// The largest estimate: 520 weeks, ten years of work. A task bigger
    /// than that is a plan of its own, to be split into tasks. The bound
    /// also keeps every sum of estimates far inside what the planning
    /// arithmetic and the calendar hold.
    pub const MAX_MINUTES: u64 = 520 * 5 * Estimate::MINUTES_PER_DAY;

    /// [`Estimate::MAX_MINUTES`] as it is written.
    pub const MAX_TEXT: &'static str = "520w";

    pub fn minutes(&self) -> u64 {
        self.minutes
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// An estimate as the parse cache kept it: the text it was written as
    /// and its minutes, within the bound every parsed estimate keeps.
    pub(crate) fn from_cache(text: String, minutes: u64) -> Option<Estimate> {
        (minutes <= Estimate::MAX_MINUTES).then_some(Estimate { text, minutes })
    }
}

impl Estimate {
    /// The units of an estimate, largest first, with their minutes.
    const UNITS: [(char, u64); 4] = [
        ('w', 5 * Estimate::MINUTES_PER_DAY),
        ('d', Estimate::MINUTES_PER_DAY),
        ('h', 60),
        ('m', 1),
    ];

    /// Work minutes as the tool prints them: `1d 4h 30m` (a day is 8
    /// hours; no weeks, so days add up); `0` for none. Every such text
    /// parses back as an estimate of the same minutes.
    pub fn format_minutes(minutes: u64) -> String {
        if minutes == 0 {
            return "0".into();
        }
        let per_day = Estimate::MINUTES_PER_DAY;
        let (d, h, m) = (minutes / per_day, minutes % per_day / 60, minutes % 60);
        let parts = [(d, 'd'), (h, 'h'), (m, 'm')];
        let parts: Vec<String> = parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, unit)| format!("{n}{unit}"))
            .collect();
        parts.join(" ")
    }
}

/// The grammar of an estimate, as errors and `--help` state it.
pub const ESTIMATE_GRAMMAR: &str = "a number and a unit (m, h, d, w), or several, largest first: \
     30m, 1.5h, 2d, 1w, 1d 4h, 1h30m (1d = 8h, 1w = 5d); whole minutes: 0m is no work, \
     anything else comes to at least 1m; at most 520w, ten years of work";

impl FromStr for Estimate {
    type Err = String;

    /// Parts of a number and a unit, largest unit first and each at most
    /// once, with or without spaces between them (`1d 4h`, `1h30m`); the
    /// number may have a fraction (`1.5h`). A bare `0` is no work, as the
    /// tool prints it. The total is rounded to the minute, and must not
    /// round to nothing unless every number is zero.
    fn from_str(s: &str) -> Result<Self, String> {
        let text = s.trim();
        let bad = || format!("`{s}` is not an estimate; write {ESTIMATE_GRAMMAR}");
        if text == "0" {
            return Ok(Estimate {
                text: text.to_owned(),
                minutes: 0,
            });
        }
        let mut rest = text;
        let mut total = 0.0_f64;
        let mut all_zero = true;
        let mut last_unit: Option<usize> = None;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let number = &rest[..digits];
            let unit = rest[digits..].chars().next().ok_or_else(bad)?;
            let position = Estimate::UNITS
                .iter()
                .position(|(u, _)| *u == unit)
                .ok_or_else(bad)?;
            if number.is_empty() || !number.bytes().any(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            if last_unit.is_some_and(|last| position <= last) {
                return Err(format!(
                    "`{s}` is not an estimate: write its units largest first and each once, like 1d 4h 30m"
                ));
            }
            last_unit = Some(position);
            let value: f64 = number.parse().map_err(|_| bad())?;
            all_zero &= value == 0.0;
            total += value * Estimate::UNITS[position].1 as f64;
            rest = rest[digits + unit.len_utf8()..].trim_start();
        }
        if last_unit.is_none() {
            return Err(bad());
        }
        let minutes = total.round();
        if !minutes.is_finite() {
            return Err(bad());
        }
        if minutes > Estimate::MAX_MINUTES as f64 {
            return Err(format!(
                "`{s}` is too large an estimate: it can be at most {} (ten years of work); split the work into smaller tasks",
                Estimate::MAX_TEXT
            ));
        }
        if minutes == 0.0 && !all_zero {
            return Err(format!(
                "`{s}` rounds to no work at all (estimates count whole minutes); write at least 1m, or 0m for none"
            ));
        }
        Ok(Estimate {
            text: text.to_owned(),
            minutes: minutes as u64,
        })
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Where a task made by `apply` came from: the plan's name and the task's
/// key in it, written `name/key`. Both are names of the id grammar
/// (`[a-z0-9]+(-[a-z0-9]+)*`), so the text is one path-free word pair.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlanKey {
    plan: String,
    key: String,
}

impl PlanKey {
    /// The plan key of `key` in plan `plan`, both checked against the
    /// name grammar.
    pub fn new(plan: &str, key: &str) -> Result<PlanKey, String> {
        for (what, text) in [("plan name", plan), ("plan key", key)] {
            if !crate::id::is_name(text) {
                return Err(format!(
                    "`{text}` is not a valid {what}: {}",
                    crate::id::NAME_GRAMMAR
                ));
            }
        }
        Ok(PlanKey {
            plan: plan.to_owned(),
            key: key.to_owned(),
        })
    }

    /// The plan's name.
    pub fn plan(&self) -> &str {
        &self.plan
    }

    /// The task's key in the plan.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl fmt::Display for PlanKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.plan, self.key)
    }
}

impl FromStr for PlanKey {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (plan, key) = s.split_once('/').ok_or_else(|| {
            format!("`{s}` is not a plan key; write it as plan/key, like \"auth/design\"")
        })?;
        PlanKey::new(plan, key)
    }
}

/// Where an imported task came from: the tracker (a name of the id
/// grammar, like `taskwarrior`) and the task's id there, as that tracker
/// spells it (one line, not empty), written `tracker:id`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    tracker: String,
    id: String,
}

impl Origin {
    /// The origin of the task `id` of `tracker`.
    pub fn new(tracker: &str, id: &str) -> Result<Origin, String> {
        if !crate::id::is_name(tracker) {
            return Err(format!(
                "`{tracker}` is not a valid tracker name: {}",
                crate::id::NAME_GRAMMAR
            ));
        }
        if id.is_empty() || id.contains(['\n', '\r']) {
            return Err(format!(
                "the id of an origin must be one line that is not empty, as in \"{tracker}:12\""
            ));
        }
        Ok(Origin {
            tracker: tracker.to_owned(),
            id: id.to_owned(),
        })
    }

    /// The tracker's name (`taskwarrior`, `beads`, ...).
    pub fn tracker(&self) -> &str {
        &self.tracker
    }

    /// The task's id in the tracker.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.tracker, self.id)
    }
}

impl FromStr for Origin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (tracker, id) = s.split_once(':').ok_or_else(|| {
            format!("`{s}` is not an origin; write it as tracker:id, like \"beads:bd-a1b2\"")
        })?;
        Origin::new(tracker, id)
    }
}

/// One success criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    #[serde(deserialize_with = "de_line")]
    pub text: String,
    #[serde(default)]
    pub met: bool,
}

/// Who let a gate pass without it being done, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub by: String,
    pub reason: String,
    #[serde(deserialize_with = "de_timestamp")]
    pub at: DateTime<Utc>,
}

/// One entry of the execution log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(deserialize_with = "de_timestamp")]
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    pub text: String,
}

/// One task, as read from `.tasks/<id>.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub subject: String,
    pub status: Status,
    pub kind: Kind,
    pub priority: Priority,
    pub parent: Option<TaskId>,
    pub blocked_by: Vec<TaskId>,
    pub gate: Option<Gate>,
    pub owner: Option<String>,
    pub estimate: Option<Estimate>,
    pub due: Option<NaiveDate>,
    pub labels: Vec<String>,
    pub verify: Option<String>,
    pub created: Option<DateTime<Utc>>,
    /// When the current stretch of work began: `start` sets it, `reopen`
    /// and `reset` clear it.
    pub started: Option<DateTime<Utc>>,
    pub closed: Option<DateTime<Utc>>,
    /// The plan and key that made the task (`plan_key = "auth/design"`):
    /// `apply` finds it again by them when the plan is applied anew.
    pub plan_key: Option<PlanKey>,
    /// The tracker and id an import brought the task from
    /// (`origin = "beads:bd-a1b2"`): importing again finds it by them.
    pub origin: Option<Origin>,
    pub description: Option<String>,
    pub criteria: Vec<Criterion>,
    pub waiver: Option<Waiver>,
    pub notes: Vec<Note>,
    pub meta: toml::Table,
}

/// The file as serde reads it; [`Task::parse`] adds the id from the file name.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskFile {
    #[serde(deserialize_with = "de_line")]
    subject: String,
    #[serde(default)]
    status: Status,
    #[serde(default)]
    kind: Kind,
    #[serde(default)]
    priority: Priority,
    #[serde(default)]
    parent: Option<TaskId>,
    #[serde(default)]
    blocked_by: Vec<TaskId>,
    #[serde(default, deserialize_with = "de_gate")]
    gate: Option<Gate>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default, deserialize_with = "de_estimate")]
    estimate: Option<Estimate>,
    #[serde(default, deserialize_with = "de_date")]
    due: Option<NaiveDate>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    verify: Option<String>,
    #[serde(default, deserialize_with = "de_opt_timestamp")]
    created: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "de_opt_timestamp")]
    started: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "de_opt_timestamp")]
    closed: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "de_plan_key")]
    plan_key: Option<PlanKey>,
    #[serde(default, deserialize_with = "de_origin")]
    origin: Option<Origin>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    criteria: Vec<Criterion>,
    #[serde(default)]
    waiver: Option<Waiver>,
    #[serde(default)]
    notes: Vec<Note>,
    #[serde(default)]
    meta: toml::Table,
}

/// A problem in the text of one task file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line and column of the problem.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ParseError {
    /// Builds an error at byte `offset` of `text`.
    pub fn at_offset(text: &str, offset: usize, message: String) -> ParseError {
        let (line, column) = line_column(text, offset);
        ParseError {
            line,
            column,
            message,
        }
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where the first byte that is not UTF-8 is: its line and column
/// (counted in the text before it, as [`line_column`] counts) and its
/// offset. Task files and import sources say so the same way.
pub fn not_utf8_at(error: &std::string::FromUtf8Error) -> (usize, usize, usize) {
    let bytes = error.as_bytes();
    let valid = error.utf8_error().valid_up_to();
    let before = std::str::from_utf8(&bytes[..valid]).expect("valid up to there");
    let (line, column) = line_column(before, valid);
    (line, column, valid)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Task {
    /// Parses and validates the text of `.tasks/<id>.toml`.
    pub fn parse(id: TaskId, text: &str) -> Result<Task, ParseError> {
        let text = &*normalized_text(text);
        if let Some(offset) = crate::markers::find_conflict(text) {
            return Err(ParseError::at_offset(text, offset, CONFLICT_MESSAGE.into()));
        }
        let file: TaskFile =
            toml::from_str(text).map_err(|e| toml_error(text, e.span(), e.message()))?;
        let task = Task {
            id,
            subject: file.subject,
            status: file.status,
            kind: file.kind,
            priority: file.priority,
            parent: file.parent,
            blocked_by: file.blocked_by,
            gate: file.gate,
            owner: file.owner,
            estimate: file.estimate,
            due: file.due,
            labels: file.labels,
            verify: file.verify,
            created: file.created,
            started: file.started,
            closed: file.closed,
            plan_key: file.plan_key,
            origin: file.origin,
            description: file.description,
            criteria: file.criteria,
            waiver: file.waiver,
            notes: file.notes,
            meta: file.meta,
        };
        task.validate_relations(text)?;
        Ok(task)
    }

    /// Rules that involve more than one field.
    fn validate_relations(&self, text: &str) -> Result<(), ParseError> {
        // Where the parser put the field, not a line that looks like it.
        let at_key = |field: Field, message: String| {
            let (line, column) = crate::check::locate(text, field, None);
            Err(ParseError {
                line,
                column,
                message,
            })
        };
        if self.parent.as_ref() == Some(&self.id) {
            return at_key(
                Field::Parent,
                format!("task `{}` cannot be its own parent", self.id),
            );
        }
        if self.blocked_by.contains(&self.id) {
            return at_key(
                Field::BlockedBy,
                format!("task `{}` cannot be blocked by itself", self.id),
            );
        }
        if self.waiver.is_some() && self.gate.is_none() {
            return at_key(
                Field::Waiver,
                "only gates can be waived; remove [waiver] or set `gate = true`".into(),
            );
        }
        Ok(())
    }

    pub fn is_resolved(&self) -> bool {
        self.status.is_resolved()
    }

    /// The criteria not yet met, with their 1-based numbers.
    pub fn unmet_criteria(&self) -> impl Iterator<Item = (usize, &Criterion)> {
        self.criteria
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.met)
            .map(|(i, c)| (i + 1, c))
    }
}

/// The text of a task file as it is parsed: without a byte-order mark,
/// and with CRLF line endings read as LF. TOML lets a parser normalise the
/// line endings inside multi-line strings, and doing so makes a CRLF
/// checkout (`core.autocrlf`) read exactly as the LF blob in the index.
/// A carriage return a user means is written escaped (`\r`), which this
/// leaves alone.
pub fn normalized_text(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains("\r\n") {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// What a leftover conflict is called wherever one is found.
const CONFLICT_MESSAGE: &str = "leftover merge conflict marker: keep one side of the conflict, remove the marker lines, then `git add` the file";

/// A TOML error as a [`ParseError`] at its place, said in terms of the file:
/// a duplicate key names the key, and an error on a marker line is a
/// leftover conflict rather than a syntax error.
pub fn toml_error(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> ParseError {
    let offset = span.as_ref().map_or(0, |s| s.start);
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[line_start..].split('\n').next().unwrap_or("");
    if crate::markers::marker(line).is_some() {
        return ParseError::at_offset(text, line_start, CONFLICT_MESSAGE.into());
    }
    let message = message.trim();
    let message = match span {
        Some(span) if message == "duplicate key" => {
            let key = text.get(span).unwrap_or("").trim();
            format!("`{key}` is set twice; keep one of the two lines")
        }
        _ => message.to_owned(),
    };
    ParseError::at_offset(text, offset, message)
}

fn de_line<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim().is_empty() {
        return Err(de::Error::custom("must not be empty"));
    }
    if text.contains(['\n', '\r']) {
        return Err(de::Error::custom(
            "must be one line; put details in `description`",
        ));
    }
    Ok(text)
}

fn de_plan_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PlanKey>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map(Some).map_err(de::Error::custom)
}

fn de_origin<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Origin>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map(Some).map_err(de::Error::custom)
}

fn de_estimate<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Estimate>, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map(Some).map_err(de::Error::custom)
}

fn de_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let dt = toml::value::Datetime::deserialize(d)?;
    timestamp_of(&dt).ok_or_else(|| {
        de::Error::custom(format!(
            "`{dt}` is not a time with an offset; write it like 2026-11-20T10:02:11Z"
        ))
    })
}

/// A TOML offset date-time as a UTC time, read from its fields (hooks parse
/// thousands of these: no round trip through text).
pub(crate) fn timestamp_of(dt: &toml::value::Datetime) -> Option<DateTime<Utc>> {
    use chrono::{NaiveTime, TimeZone};
    let (date, time, offset) = (dt.date?, dt.time?, dt.offset?);
    let date = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())?;
    let time = NaiveTime::from_hms_nano_opt(
        time.hour.into(),
        time.minute.into(),
        time.second.unwrap_or(0).into(),
        time.nanosecond.unwrap_or(0),
    )?;
    let minutes = match offset {
        toml::value::Offset::Z => 0,
        toml::value::Offset::Custom { minutes } => i32::from(minutes),
    };
    let zone = chrono::FixedOffset::east_opt(minutes * 60)?;
    zone.from_local_datetime(&date.and_time(time))
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn de_opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    de_timestamp(d).map(Some)
}

fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    let dt = toml::value::Datetime::deserialize(d)?;
    let date = match (dt.date, dt.time, dt.offset) {
        (Some(date), None, None) => {
            NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
        }
        _ => None,
    };
    date.map(Some)
        .ok_or_else(|| de::Error::custom(format!("`{dt}` is not a date; write it like 2026-12-01")))
}

/// A time as git-task writes and shows it: RFC 3339 in UTC, to the second
/// (`2026-11-21T10:00:00Z`).
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Parses an RFC 3339 time with an offset, as written in task files.
pub fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!("`{text}` is not a time with an offset; write it like 2026-11-20T10:02:11Z")
        })
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date; write it like 2026-12-01"))
}

fn de_gate<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Gate>, D::Error> {
    struct GateVisitor;

    impl<'de> Visitor<'de> for GateVisitor {
        type Value = Option<Gate>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("`true`, `false` or a table like { branches = [\"release/*\"] }")
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(v.then_some(Gate::ConfiguredBranches))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut branches: Option<Vec<String>> = None;
            while let Some(key) = map.next_key::<String>()? {
                if key != "branches" {
                    return Err(de::Error::unknown_field(&key, &["branches"]));
                }
                branches = Some(map.next_value()?);
            }
            let branches = branches.ok_or_else(|| de::Error::missing_field("branches"))?;
            if branches.is_empty() || branches.iter().any(|b| b.trim().is_empty()) {
                return Err(de::Error::custom(
                    "`branches` needs at least one non-empty branch name or glob",
                ));
            }
            Ok(Some(Gate::Branches(branches)))
        }
    }

    d.deserialize_any(GateVisitor)
}

/// A float JSON cannot hold, as TOML writes it.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// TOML to JSON, with dates and times (and NaN and infinities) as their
/// TOML text.
pub fn toml_to_json(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        // JSON has no NaN or infinity: they are written as TOML writes
        // them (`nan`, `inf`, `-inf`), as a date is written as its text.
        toml::Value::Float(f) => {
            serde_json::Number::from_f64(*f).map_or_else(|| J::String(float_text(*f)), J::Number)
        }
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> TaskId {
        TaskId::parse(s).unwrap()
    }

    #[test]
    fn parses_the_full_example_of_the_design() {
        let text = crate::testing::FULL_TASK;
        let task = Task::parse(id("run-migration"), text).unwrap();
        assert_eq!(task.status, Status::InProgress);
        assert_eq!(task.priority, Priority::High);
        assert_eq!(task.blocked_by, vec![id("9xk2m1"), id("backup-db")]);
        assert_eq!(task.gate, Some(Gate::ConfiguredBranches));
        assert_eq!(task.estimate.as_ref().unwrap().minutes(), 2 * 480);
        assert_eq!(task.due, NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(task.criteria.len(), 1);
        assert_eq!(
            task.started,
            Some(parse_timestamp("2026-11-21T08:15:00Z").unwrap())
        );
        assert_eq!(task.notes[0].by.as_deref(), Some("ana@example.com"));
        assert_eq!(task.meta["sprint"].as_integer(), Some(14));
    }

    #[test]
    fn relation_errors_point_at_the_field_the_parser_read() {
        // A description line that looks like the key is not the key.
        let text =
            "subject = \"x\"\ndescription = \"\"\"\nparent = \"a\"\n\"\"\"\n  parent = \"a\"\n";
        let err = Task::parse(id("a"), text).unwrap_err();
        assert_eq!((err.line, err.column), (5, 3), "{}", err.message);
        assert_eq!(err.message, "task `a` cannot be its own parent");
        let text = "subject = \"x\"\nblocked_by = [\"b\", \"a\"]\n";
        let err = Task::parse(id("a"), text).unwrap_err();
        assert_eq!((err.line, err.column), (2, 1), "{}", err.message);
        // A table, at its header.
        let text =
            "subject = \"x\"\n\n[waiver]\nby = \"bo\"\nreason = \"r\"\nat = 2026-11-20T10:00:00Z\n";
        let err = Task::parse(id("a"), text).unwrap_err();
        assert_eq!((err.line, err.column), (3, 1), "{}", err.message);
        assert!(err.message.starts_with("only gates can be waived"));
    }

    #[test]
    fn errors_carry_line_and_column() {
        let err = Task::parse(id("a"), "subject = \"x\"\nblocked-by = [\"b\"]\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("unknown field `blocked-by`"),
            "{}",
            err.message
        );

        let err = Task::parse(id("a"), "subject = \"x\"\nstatus = \"doing\"\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message
                .contains("unknown status `doing`; expected one of: pending"),
            "{}",
            err.message
        );

        let err = Task::parse(id("a"), "subject = \"x\"\npriority = 3\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains(
                "the number 3 is not one of critical, high, medium, low; write it as a quoted word"
            ),
            "{}",
            err.message
        );

        let err =
            Task::parse(id("a"), "subject = \"x\"\nowner = \"a\"\nowner = \"b\"\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1));
        assert_eq!(
            err.message,
            "`owner` is set twice; keep one of the two lines"
        );

        let err = Task::parse(id("a"), "subject = \"x\"\nparent = \"../x\"\n").unwrap_err();
        assert_eq!(err.line, 2);

        let err = Task::parse(id("a"), "subject = \"x\"\nstarted = 2026-11-21\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("is not a time with an offset"),
            "{}",
            err.message
        );

        let err = Task::parse(id("a"), "subject = \"\"\n").unwrap_err();
        assert!(err.message.contains("must not be empty"));

        let err = Task::parse(id("a"), "status = \"pending\"\n").unwrap_err();
        assert!(
            err.message.contains("missing field `subject`"),
            "{}",
            err.message
        );

        let err = Task::parse(id("a"), "subject = \"x\"\n<<<<<<< ours\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("leftover merge conflict"),
            "{}",
            err.message
        );

        // Text that only looks like a marker is text.
        let t = Task::parse(
            id("a"),
            "subject = \"x\"\ndescription = \"\"\"\nTitle\n=======\n\"\"\"\n",
        )
        .unwrap();
        assert_eq!(t.description.as_deref(), Some("Title\n=======\n"));
        let conflict = "subject = \"x\"\ndescription = \"\"\"\n<<<<<<< ours\na\n=======\nb\n>>>>>>> theirs\n\"\"\"\n";
        assert_eq!(Task::parse(id("a"), conflict).unwrap_err().line, 3);
    }

    #[test]
    fn gate_forms() {
        let t = Task::parse(
            id("a"),
            "subject = \"x\"\ngate = { branches = [\"release/*\"] }\n",
        )
        .unwrap();
        assert_eq!(t.gate, Some(Gate::Branches(vec!["release/*".into()])));
        let t = Task::parse(id("a"), "subject = \"x\"\ngate = false\n").unwrap();
        assert_eq!(t.gate, None);
        assert!(Task::parse(id("a"), "subject = \"x\"\ngate = \"yes\"\n").is_err());
    }

    #[test]
    fn estimates() {
        assert_eq!("30m".parse::<Estimate>().unwrap().minutes(), 30);
        assert_eq!("1.5h".parse::<Estimate>().unwrap().minutes(), 90);
        assert_eq!("1w".parse::<Estimate>().unwrap().minutes(), 2400);
        for bad in [
            "", "d", "2", "2x", "-1d", "1e9d", ".d", "1d4", "1d 4x", "30m 1h", "1h 1h", "1h,30m",
            "4h 1d", "1..5h", "01", "h30m",
        ] {
            assert!(bad.parse::<Estimate>().is_err(), "{bad}");
        }
        for (text, minutes) in [
            ("1d 4h", 480 + 240),
            ("1h30m", 90),
            ("3d 6h 30m", 3 * 480 + 6 * 60 + 30),
            ("1w 2d", 2400 + 960),
            (" 2h ", 120),
            ("1.5h 30m", 120),
            ("0m", 0),
            ("0h", 0),
            ("0", 0),
        ] {
            assert_eq!(
                text.parse::<Estimate>().unwrap().minutes(),
                minutes,
                "{text}"
            );
        }
        for nothing in ["0.1m", "0.4m", "0.001h", "0.0001d 0m"] {
            let error = nothing.parse::<Estimate>().unwrap_err();
            assert!(error.contains("rounds to no work"), "{error}");
        }
        assert_eq!(" 2h ".parse::<Estimate>().unwrap().as_str(), "2h");
        assert_eq!(
            "520w".parse::<Estimate>().unwrap().minutes(),
            Estimate::MAX_MINUTES
        );
        assert_eq!(
            "2600d".parse::<Estimate>().unwrap().minutes(),
            Estimate::MAX_MINUTES
        );
        for too_big in ["521w", "2601d", "99999999w", "1248001m", "520w 1m"] {
            let error = too_big.parse::<Estimate>().unwrap_err();
            assert!(error.contains("at most 520w"), "{error}");
        }
    }

    /// Every total the tool prints reads back as an estimate of the same
    /// minutes, up to the largest estimate.
    #[test]
    fn printed_estimates_parse_back() {
        let samples = (0..3000)
            .chain((0..2000).map(|k| k * 4801 + 7))
            .chain([Estimate::MAX_MINUTES - 1, Estimate::MAX_MINUTES]);
        for minutes in samples.filter(|m| *m <= Estimate::MAX_MINUTES) {
            let text = Estimate::format_minutes(minutes);
            let parsed: Estimate = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(parsed.minutes(), minutes, "{text}");
            let squeezed: Estimate = text.replace(' ', "").parse().unwrap();
            assert_eq!(squeezed.minutes(), minutes, "{text}");
        }
        assert_eq!(Estimate::format_minutes(3 * 480 + 6 * 60 + 30), "3d 6h 30m");
    }
}
