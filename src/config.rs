//! `.tasks/config.toml`: project settings, every key with a default.

use serde::Deserialize;

use crate::task::ParseError;

/// Project settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Length of generated ids.
    pub id_length: usize,
    /// What `gate = true` protects: branch names or globs.
    pub gate_branches: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            id_length: 10,
            gate_branches: vec!["main".into(), "master".into()],
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    ids: IdsSection,
    #[serde(default)]
    gates: GatesSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct IdsSection {
    #[serde(default, deserialize_with = "de_length")]
    length: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct GatesSection {
    #[serde(default)]
    branches: Option<Vec<String>>,
}

fn de_length<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let n = i64::deserialize(d)?;
    if !(6..=crate::id::MAX_LEN as i64).contains(&n) {
        return Err(serde::de::Error::custom(
            "must be between 6 and 64 (each character carries 5 random bits)",
        ));
    }
    Ok(Some(n as usize))
}

/// The text `git task init` writes.
pub const INITIAL: &str = r#"# git-task settings. Every key is optional; the values below are the defaults.

[ids]
length = 10                      # characters in a generated id (5 random bits each)

[gates]
branches = ["main", "master"]    # what `gate = true` protects
"#;

impl Config {
    pub fn parse(text: &str) -> Result<Config, ParseError> {
        let file: ConfigFile = toml::from_str(text)
            .map_err(|e| crate::task::toml_error(text, e.span(), e.message()))?;
        let default = Config::default();
        Ok(Config {
            id_length: file.ids.length.unwrap_or(default.id_length),
            gate_branches: file.gates.branches.unwrap_or(default.gate_branches),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_file_is_the_default() {
        assert_eq!(Config::parse(INITIAL).unwrap(), Config::default());
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn rejects_unknown_keys_and_short_ids() {
        assert_eq!(Config::parse("[ids]\nlenght = 4\n").unwrap_err().line, 2);
        assert!(Config::parse("[ids]\nlength = 4\n").is_err());
    }
}
