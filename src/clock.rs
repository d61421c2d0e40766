//! Time zones and what the local date makes of a task: the zone an answer
//! is given in, the local time of an instant, and whether a task is
//! overdue.
//!
//! A zone is the process's local zone (what `TZ` and `/etc/localtime`
//! say, as `chrono::Local` reads them), a fixed offset from UTC, or an
//! IANA name. A name is checked against the system's zoneinfo files and
//! then used by pointing `TZ` at it, so the one reader of zoneinfo is
//! chrono's: no second time zone database.

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::task::Task;

/// Where the system keeps its IANA zone files: the places chrono looks.
const ZONEINFO: [&str; 4] = [
    "/usr/share/zoneinfo",
    "/share/zoneinfo",
    "/etc/zoneinfo",
    "/usr/share/lib/zoneinfo",
];

/// The zone dates and times are given in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Zone {
    /// The process's local zone: `TZ`, else the system's.
    Local,
    /// A fixed offset from UTC (`UTC`, `+05:30`).
    Fixed(FixedOffset),
    /// An IANA zone (`Europe/Berlin`), found among the zoneinfo files.
    /// [`Zone::apply`] makes it the process's local zone.
    Named(String),
}

impl Zone {
    /// Reads `--tz`: `UTC` (or `Z`), an offset `+HH:MM`, `-HH:MM`, `+HHMM`
    /// or `+HH`, or an IANA name such as `Europe/Berlin`. The error says
    /// what is accepted.
    pub fn parse(text: &str) -> Result<Zone, String> {
        if text.eq_ignore_ascii_case("utc") || text == "Z" {
            return Ok(Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset")));
        }
        if let Some(offset) = parse_offset(text) {
            return offset.map(Zone::Fixed);
        }
        let plausible = !text.is_empty()
            && !text.starts_with('/')
            && !text
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
        if plausible && zone_file(text).is_some() {
            return Ok(Zone::Named(text.to_owned()));
        }
        Err(format!(
            "unknown time zone `{text}`: give an IANA name such as Europe/Berlin \
             (the files under /usr/share/zoneinfo), UTC, or an offset such as +05:30"
        ))
    }

    /// Makes a named zone the process's local zone, by setting `TZ`.
    /// Call it before any other thread starts (the CLI does, before it
    /// opens the repository). Other zones change nothing.
    pub fn apply(&self) {
        if let Zone::Named(name) = self {
            // SAFETY: called from the main thread before the command
            // starts any other thread, so nothing reads the environment
            // while it changes.
            unsafe { std::env::set_var("TZ", name) };
        }
    }

    /// The UTC offset in force at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Fixed(offset) => *offset,
            Zone::Local | Zone::Named(_) => *Local.from_utc_datetime(&at.naive_utc()).offset(),
        }
    }

    /// The wall-clock time of `at` in this zone.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.offset_at(at)).naive_local()
    }

    /// The local date of `at`: what "today" is there.
    pub fn today(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date()
    }

    /// A wall-clock time of this zone as an instant with its offset. A
    /// time skipped by a change to summer time is read with the offset
    /// before the change; a repeated one is the earlier.
    pub fn stamp(&self, local: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
        match self {
            Zone::Fixed(offset) => offset.from_local_datetime(&local).single(),
            Zone::Local | Zone::Named(_) => {
                let mapped = Local.from_local_datetime(&local);
                match mapped.earliest() {
                    Some(t) => Some(t.fixed_offset()),
                    // In a gap: the offset an hour before it applies.
                    None => {
                        let before = local - chrono::TimeDelta::hours(1);
                        let offset = *Local.from_local_datetime(&before).earliest()?.offset();
                        offset.from_local_datetime(&local).single()
                    }
                }
            }
        }
    }
}

/// `+05:30`, `-08:00`, `+0530`, `+05`: `None` when `text` is not of that
/// shape, an error when it is but the offset is out of range.
fn parse_offset(text: &str) -> Option<Result<FixedOffset, String>> {
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|&c| c != ':').collect();
    let colons = text[1..].matches(':').count();
    let shaped = digits.chars().all(|c| c.is_ascii_digit())
        && match digits.len() {
            2 => colons == 0,
            4 => colons <= 1 && (colons == 0 || text[1..].find(':') == Some(2)),
            _ => false,
        };
    if !shaped {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = match &digits[2..] {
        "" => 0,
        m => m.parse().ok()?,
    };
    let seconds = sign * (hours * 3600 + minutes * 60);
    Some(
        (minutes < 60 && hours <= 14)
            .then(|| FixedOffset::east_opt(seconds))
            .flatten()
            .ok_or_else(|| format!("time zone offset `{text}` is out of range (-14:00 to +14:00)")),
    )
}

/// The zoneinfo file of an IANA name, when it is one.
fn zone_file(name: &str) -> Option<PathBuf> {
    ZONEINFO.iter().find_map(|dir| {
        let path = PathBuf::from(dir).join(name);
        let mut magic = [0u8; 4];
        let mut file = std::fs::File::open(&path).ok()?;
        std::io::Read::read_exact(&mut file, &mut magic).ok()?;
        (&magic == b"TZif").then_some(path)
    })
}

/// Whether `task` is overdue on `today`: unresolved, with a due date
/// before it. A task due today is not overdue until the day is over.
pub fn is_overdue(task: &Task, today: NaiveDate) -> bool {
    !task.is_resolved() && task.due.is_some_and(|due| due < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_read_and_bad_ones_refused() {
        let hours = |h: i32, m: i32| Zone::Fixed(FixedOffset::east_opt(h * 3600 + m * 60).unwrap());
        assert_eq!(Zone::parse("UTC"), Ok(hours(0, 0)));
        assert_eq!(Zone::parse("+05:30"), Ok(hours(5, 30)));
        assert_eq!(Zone::parse("+0530"), Ok(hours(5, 30)));
        assert_eq!(Zone::parse("-08"), Ok(hours(-8, 0)));
        assert!(Zone::parse("+15:00").unwrap_err().contains("out of range"));
        assert!(Zone::parse("+05:75").is_err());
        for bad in [
            "Mars/Olympus",
            "",
            "../etc/passwd",
            "/etc/localtime",
            "+5:30x",
        ] {
            assert!(
                Zone::parse(bad).unwrap_err().contains("unknown time zone"),
                "{bad}"
            );
        }
        if zone_file("Europe/Berlin").is_some() {
            assert_eq!(
                Zone::parse("Europe/Berlin"),
                Ok(Zone::Named("Europe/Berlin".into()))
            );
        }
    }

    #[test]
    fn a_fixed_zone_gives_local_times_and_stamps() {
        let zone = Zone::parse("+14:00").unwrap();
        let at = DateTime::parse_from_rfc3339("2026-11-21T10:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(zone.today(at).to_string(), "2026-11-22");
        let stamp = zone.stamp(zone.local(at)).unwrap();
        assert_eq!(stamp.to_rfc3339(), "2026-11-22T00:30:00+14:00");
    }

    #[test]
    fn overdue_is_before_today_and_unresolved() {
        let task = |fields: &str| {
            Task::parse(
                crate::TaskId::parse("t").unwrap(),
                &format!("subject = \"t\"\n{fields}\n"),
            )
            .unwrap()
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert!(is_overdue(&task("due = 2026-11-20"), today));
        assert!(!is_overdue(&task("due = 2026-11-21"), today));
        assert!(!is_overdue(&task(""), today));
        assert!(!is_overdue(
            &task("due = 2026-11-20\nstatus = \"completed\""),
            today
        ));
    }
}
