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
    /// The remote that `claim` records claims on (`[claims] remote`):
    /// `None` keeps claims in this repository, shared by its worktrees.
    pub claim_remote: Option<String>,
    /// How long a claim holds when `claim` is given no `--lease`.
    pub claim_lease: crate::claim::Lease,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            id_length: 10,
            gate_branches: vec!["main".into(), "master".into()],
            claim_remote: None,
            claim_lease: crate::claim::Lease::DEFAULT,
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
    #[serde(default)]
    claims: ClaimsSection,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ClaimsSection {
    #[serde(default, deserialize_with = "de_remote")]
    remote: Option<String>,
    #[serde(default, deserialize_with = "de_lease")]
    lease: Option<crate::claim::Lease>,
}

fn de_remote<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let name = String::deserialize(d)?;
    if name.is_empty() {
        return Ok(None);
    }
    crate::claim::check_remote_name(&name).map_err(serde::de::Error::custom)?;
    Ok(Some(name))
}

fn de_lease<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<crate::claim::Lease>, D::Error> {
    let text = String::deserialize(d)?;
    crate::claim::Lease::parse(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
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
            claim_remote: file.claims.remote,
            claim_lease: file.claims.lease.unwrap_or(default.claim_lease),
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

    #[test]
    fn claims_take_a_remote_and_a_lease() {
        let config = Config::parse("[claims]\nremote = \"origin\"\nlease = \"90m\"\n").unwrap();
        assert_eq!(config.claim_remote.as_deref(), Some("origin"));
        assert_eq!(config.claim_lease.seconds(), 90 * 60);
        assert_eq!(
            Config::parse("[claims]\nremote = \"\"\n")
                .unwrap()
                .claim_remote,
            None
        );
        assert_eq!(
            Config::parse("[claims]\nlease = \"2x\"\n")
                .unwrap_err()
                .line,
            2
        );
        assert_eq!(
            Config::parse("[claims]\nremote = \"-x\"\n")
                .unwrap_err()
                .line,
            2
        );
    }
}
