//! Task ids: validation, generation from the OS random source (or a
//! seed, for reproducible tests), and prefixes.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The alphabet of generated ids: digits and lower-case letters without
/// i, l, o and u, so an id read aloud or copied by hand is hard to get wrong.
pub const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// The longest id accepted.
pub const MAX_LEN: usize = 64;

/// Listings never shorten an id below this many characters.
pub const MIN_PREFIX: usize = 4;

/// The file stem that is never a task.
pub const RESERVED: &str = "config";

/// A valid task id: `[a-z0-9]+(-[a-z0-9]+)*`, at most 64 characters, not
/// `config`. Holding one means it is safe to join onto the `.tasks/` path.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(String);

/// Why a string is not a task id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a valid task id: {reason}")]
pub struct InvalidId {
    pub text: String,
    pub reason: &'static str,
}

impl TaskId {
    /// Validates `text` as a full task id.
    pub fn parse(text: &str) -> Result<TaskId, InvalidId> {
        let reason = if text.is_empty() {
            Some("it is empty")
        } else if text.len() > MAX_LEN {
            Some("it is longer than 64 characters")
        } else if text == RESERVED {
            Some("`config` is reserved for .tasks/config.toml")
        } else if is_windows_device(text) {
            Some(
                "it is a device name on Windows (con, prn, aux, nul, com0-9, lpt0-9), so no checkout there could hold the file",
            )
        } else if !is_id_shaped(text) {
            Some(
                "ids are lower-case letters and digits, in groups joined by single hyphens (like `backup-db`)",
            )
        } else {
            None
        };
        match reason {
            Some(reason) => Err(InvalidId {
                text: text.to_owned(),
                reason,
            }),
            None => Ok(TaskId(text.to_owned())),
        }
    }

    /// Draws a new id of `len` characters from the operating system's random
    /// source. Each character carries 5 bits, so the default of 10 carries 50.
    pub fn generate(len: usize) -> Result<TaskId, getrandom::Error> {
        let mut bytes = vec![0u8; len];
        getrandom::fill(&mut bytes)?;
        let mut next = bytes.into_iter();
        Ok(TaskId::from_bits(len, || next.next().unwrap_or(0)))
    }

    /// An id of `len` characters drawn from `bits`, 5 bits a character.
    fn from_bits(len: usize, mut bits: impl FnMut() -> u8) -> TaskId {
        // 256 is a multiple of 32, so masking keeps every character uniform.
        TaskId(
            (0..len)
                .map(|_| ALPHABET[(bits() & 31) as usize] as char)
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The file name of this task inside `.tasks/`.
    pub fn file_name(&self) -> String {
        format!("{}.toml", self.0)
    }
}

/// Whether `text` has the shape of an id or of a prefix of one: lower-case
/// ASCII letters and digits in groups separated by single hyphens. A prefix
/// may end in a hyphen.
pub fn is_prefix_shaped(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_LEN || bytes[0] == b'-' {
        return false;
    }
    // One pass: every id of a large task set is checked on each read.
    let mut after_hyphen = false;
    bytes.iter().all(|&b| {
        let hyphen = b == b'-';
        let ok = b.is_ascii_lowercase() || b.is_ascii_digit() || (hyphen && !after_hyphen);
        after_hyphen = hyphen;
        ok
    })
}

/// The names Windows keeps for devices, with any extension: a file
/// `.tasks/con.toml` cannot exist in a checkout on Windows.
fn is_windows_device(text: &str) -> bool {
    matches!(text, "con" | "prn" | "aux" | "nul")
        || (text.len() == 4
            && (text.starts_with("com") || text.starts_with("lpt"))
            && text.as_bytes()[3].is_ascii_digit())
}

/// The grammar of names that are not ids but are written like them (a
/// plan's name and its keys), as errors state it.
pub const NAME_GRAMMAR: &str = "names are lower-case letters and digits, in groups joined by single hyphens (like `backup-db`), at most 64 characters";

/// Whether `text` is a name of the id grammar: `[a-z0-9]+(-[a-z0-9]+)*`,
/// at most 64 characters (a plan's name and keys).
pub fn is_name(text: &str) -> bool {
    is_id_shaped(text)
}

fn is_id_shaped(text: &str) -> bool {
    is_prefix_shaped(text) && !text.ends_with('-')
}

/// The environment variable that makes generated ids reproducible, for
/// tests and scripted demos (as `GIT_TASK_NOW` makes the clock).
pub const SEED_VAR: &str = "GIT_TASK_ID_SEED";

/// Where new ids come from: the operating system's random source, or, with
/// a seed, a fixed sequence. A seeded source gives the same first id in
/// every process, and the caller draws again while an id is taken, so the
/// ids a sequence of commands creates depend only on the seed and on the
/// ids that already exist: the same script makes the same ids each run.
#[derive(Debug, Clone)]
pub struct IdSource {
    seed: Option<u64>,
    drawn: u64,
}

impl IdSource {
    /// The operating system's random source.
    pub fn random() -> IdSource {
        IdSource {
            seed: None,
            drawn: 0,
        }
    }

    /// The fixed sequence of `seed` (any text).
    pub fn seeded(seed: &str) -> IdSource {
        // FNV-1a: a stable hash of the text, the same on every platform.
        let hash = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        IdSource {
            seed: Some(hash),
            drawn: 0,
        }
    }

    /// Seeded by [`SEED_VAR`] when it is set and not empty; random
    /// otherwise.
    pub fn from_env() -> IdSource {
        match std::env::var(SEED_VAR) {
            Ok(seed) if !seed.is_empty() => IdSource::seeded(&seed),
            _ => IdSource::random(),
        }
    }

    /// The next id of `len` characters.
    pub fn next_id(&mut self, len: usize) -> Result<TaskId, getrandom::Error> {
        let Some(seed) = self.seed else {
            return TaskId::generate(len);
        };
        self.drawn += 1;
        // SplitMix64 over (seed, draw, character): every draw its own
        // stream, each character 5 bits of it.
        let mut state = seed ^ self.drawn.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        Ok(TaskId::from_bits(len, || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 56) as u8
        }))
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl AsRef<str> for TaskId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for TaskId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Serialize for TaskId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl schemars::JsonSchema for TaskId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TaskId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A task's full id: the name of its file under .tasks/ without .toml.",
            "type": "string",
            "minLength": 1,
        })
    }
}

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        TaskId::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The length of the shortest prefix of each id in `sorted` that no other id
/// shares, at least [`MIN_PREFIX`] and at most the id's own length.
pub fn unique_prefix_lengths<S: AsRef<str>>(sorted: &[S]) -> Vec<usize> {
    let common = |a: &str, b: &str| a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    (0..sorted.len())
        .map(|i| {
            let id = sorted[i].as_ref();
            let before = i
                .checked_sub(1)
                .map_or(0, |j| common(id, sorted[j].as_ref()));
            let after = sorted
                .get(i + 1)
                .map_or(0, |next| common(id, next.as_ref()));
            (before.max(after) + 1).max(MIN_PREFIX).min(id.len())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ids_of_the_documented_shape() {
        for ok in [
            "a",
            "backup-db",
            "k7m2qz9x1a",
            "a-1-b",
            "cons",
            "com10",
            "null",
            &"x".repeat(64),
        ] {
            assert!(TaskId::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_paths_case_and_reserved_names() {
        for bad in [
            "",
            "../x",
            "a/b",
            "A",
            "a_b",
            "-a",
            "a-",
            "a--b",
            "config",
            "con",
            "nul",
            "com1",
            "lpt9",
            ".x",
            "a.toml",
            "é",
            &"x".repeat(65),
        ] {
            assert!(TaskId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn generated_ids_use_the_alphabet_and_length() {
        for _ in 0..100 {
            let id = TaskId::generate(10).unwrap();
            assert_eq!(id.as_str().len(), 10);
            assert!(id.as_str().bytes().all(|b| ALPHABET.contains(&b)));
            assert!(TaskId::parse(id.as_str()).is_ok());
        }
    }

    #[test]
    fn a_seed_gives_the_same_ids_each_time_and_other_seeds_others() {
        let draw = |seed: &str| {
            let mut ids = IdSource::seeded(seed);
            (0..50)
                .map(|_| ids.next_id(10).unwrap().to_string())
                .collect::<Vec<_>>()
        };
        let first = draw("tests");
        assert_eq!(first, draw("tests"));
        assert_ne!(first, draw("other"));
        let distinct: std::collections::HashSet<&String> = first.iter().collect();
        assert_eq!(distinct.len(), first.len(), "{first:?}");
        for id in &first {
            assert_eq!(id.len(), 10);
            assert!(TaskId::parse(id).is_ok(), "{id}");
        }
    }

    #[test]
    fn prefixes_are_unique_and_at_least_four() {
        let ids = ["abcdef1", "abcdef2", "abzzzz", "q"];
        assert_eq!(unique_prefix_lengths(&ids), vec![7, 7, 4, 1]);
    }
}
