//! The two-way link with an agent's task-list directory
//! (`sync --with agent DIR`).
//!
//! Both sides are said in one shape, [`Fields`], in the agent's terms (its
//! ids in `blocked_by`, its status words). The state of every linked pair
//! as last synced is the *base*, kept per worktree in the git directory
//! ([`base_path`]); a sync compares each side with it, field by field, as
//! the merge driver does with the common ancestor of two branches:
//!
//! * changed on one side only: that side's value goes to the other;
//! * changed on both to the same value: nothing to do;
//! * changed on both to different values: a conflict, reported with both
//!   values, and neither side is changed for that field (nor the base, so
//!   that it is reported again until one side takes the other's value);
//! * `blocked_by` is a set: an edge added on either side is added, one
//!   removed on either side is removed, and that never conflicts; the
//!   keys of `metadata` are merged one by one.
//!
//! A task deleted on one side (its file or task gone, or its status newly
//! `deleted` / `cancelled`) is deleted on the other when that side did not
//! change since the base; otherwise it is a conflict and neither side
//! changes. [`decide`] holds these rules; it is pure, and [`merge`] is the
//! field merge under it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::agent::AgentStatus;

/// A task as both sides can say it, in the agent's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fields {
    pub subject: String,
    #[serde(default)]
    pub description: String,
    #[serde(with = "status_word")]
    pub status: AgentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The agent ids of the tasks this one waits for.
    #[serde(default)]
    pub blocked_by: BTreeSet<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_form: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, Value>,
}

mod status_word {
    use super::AgentStatus;
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(status: &AgentStatus, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(status.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AgentStatus, D::Error> {
        let word = String::deserialize(d)?;
        AgentStatus::parse(&word)
            .ok_or_else(|| de::Error::custom(format!("unknown status `{word}`")))
    }
}

/// The names of the fields, as a conflict names them (the agent's).
pub const SUBJECT: &str = "subject";
pub const DESCRIPTION: &str = "description";
pub const STATUS: &str = "status";
pub const OWNER: &str = "owner";
pub const ACTIVE_FORM: &str = "activeForm";

/// A field changed differently on both sides since the last sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The agent's id of the task.
    pub agent_id: String,
    /// `subject`, `status`, `metadata.<key>`, or `deleted` for a task
    /// deleted on one side and changed on the other.
    pub field: String,
    /// The value as last synced (`null` when never synced, or absent).
    pub base: Value,
    /// The agent's value (`null`: the file is gone, or the key absent).
    pub agent: Value,
    /// git-task's value (`null`: the task is gone, or the key absent).
    pub git: Value,
}

/// What the field merge of one pair gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// What the agent's file is to hold.
    pub agent: Fields,
    /// What the git-task task is to hold.
    pub git: Fields,
    /// The base to keep: the merged value of every field that merged, the
    /// old base's of a conflicting one. `None` while a pair never synced
    /// still conflicts.
    pub base: Option<Fields>,
    pub conflicts: Vec<Conflict>,
}

/// Merges one pair field by field; `base` is `None` for a pair never
/// synced, where every difference is a conflict (nothing says which side
/// changed) and `blocked_by` is the union.
pub fn merge(agent_id: &str, base: Option<&Fields>, agent: &Fields, git: &Fields) -> Merged {
    let mut conflicts = Vec::new();
    let mut out_agent = agent.clone();
    let mut out_git = git.clone();
    let mut out_base = base.cloned().unwrap_or_else(|| agent.clone());

    macro_rules! scalar {
        ($field:ident, $name:expr, $json:expr) => {
            match pick(base.map(|b| &b.$field), &agent.$field, &git.$field) {
                Some(v) => {
                    out_agent.$field = v.clone();
                    out_git.$field = v.clone();
                    out_base.$field = v.clone();
                }
                None => conflicts.push(Conflict {
                    agent_id: agent_id.to_owned(),
                    field: $name.to_owned(),
                    base: base.map_or(Value::Null, |b| $json(&b.$field)),
                    agent: $json(&agent.$field),
                    git: $json(&git.$field),
                }),
            }
        };
    }
    let text = |s: &String| Value::String(s.clone());
    let opt = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
    let status = |s: &AgentStatus| Value::String(s.as_str().into());
    scalar!(subject, SUBJECT, text);
    scalar!(description, DESCRIPTION, text);
    scalar!(status, STATUS, status);
    scalar!(owner, OWNER, opt);
    scalar!(active_form, ACTIVE_FORM, opt);

    let edges = merge_set(
        base.map(|b| &b.blocked_by),
        &agent.blocked_by,
        &git.blocked_by,
    );
    out_agent.blocked_by = edges.clone();
    out_git.blocked_by = edges.clone();
    out_base.blocked_by = edges;

    let keys: BTreeSet<&String> = agent
        .metadata
        .keys()
        .chain(git.metadata.keys())
        .chain(base.into_iter().flat_map(|b| b.metadata.keys()))
        .collect();
    for key in keys {
        let a = agent.metadata.get(key);
        let g = git.metadata.get(key);
        // Never synced: a key only one side has is added to the other.
        let b = match base {
            Some(b) => Some(b.metadata.get(key)),
            None if a.is_none() || g.is_none() => Some(None),
            None => None,
        };
        match pick(b.as_ref(), &a, &g) {
            Some(v) => {
                for m in [
                    &mut out_agent.metadata,
                    &mut out_git.metadata,
                    &mut out_base.metadata,
                ] {
                    match v {
                        Some(v) => {
                            m.insert(key.clone(), (*v).clone());
                        }
                        None => {
                            m.remove(key);
                        }
                    }
                }
            }
            None => conflicts.push(Conflict {
                agent_id: agent_id.to_owned(),
                field: format!("metadata.{key}"),
                base: b.flatten().cloned().unwrap_or(Value::Null),
                agent: a.cloned().unwrap_or(Value::Null),
                git: g.cloned().unwrap_or(Value::Null),
            }),
        }
    }
    let base = (base.is_some() || conflicts.is_empty()).then_some(out_base);
    Merged {
        agent: out_agent,
        git: out_git,
        base,
        conflicts,
    }
}

/// The three-way merge of one value: the common value, the side that
/// changed, or `None` for a conflict.
fn pick<'a, T: PartialEq>(base: Option<&T>, agent: &'a T, git: &'a T) -> Option<&'a T> {
    if agent == git {
        return Some(agent);
    }
    match base {
        Some(b) if b == agent => Some(git),
        Some(b) if b == git => Some(agent),
        _ => None,
    }
}

/// The three-way merge of a set: an item is in the result when the side
/// that changed it (against the base) has it; with no base, the union.
pub fn merge_set(
    base: Option<&BTreeSet<String>>,
    agent: &BTreeSet<String>,
    git: &BTreeSet<String>,
) -> BTreeSet<String> {
    let Some(base) = base else {
        return agent.union(git).cloned().collect();
    };
    agent
        .iter()
        .chain(git)
        .chain(base)
        .filter(|x| {
            let (a, g, b) = (agent.contains(*x), git.contains(*x), base.contains(*x));
            if a == b { g } else { a }
        })
        .cloned()
        .collect()
}

/// What a sync does with one linked pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Both sides are there: the field merge says the rest.
    Merge(Box<Merged>),
    /// The agent's file is gone and git-task's task did not change: it is
    /// cancelled, and the pair is no longer linked.
    CancelInGit,
    /// git-task's task is gone, or it was cancelled there while the
    /// agent's task did not change: the agent's file is removed, as the
    /// agent deletes a task, and the pair is no longer linked.
    RemoveFromAgent,
    /// Both sides are gone: the pair is forgotten.
    Forget,
    /// Deleted on one side and changed on the other: nothing changes, the
    /// pair stays linked with its base.
    Conflict(Box<Conflict>),
}

/// Decides what to do with a linked pair: `None` for a side whose file or
/// task is gone.
pub fn decide(
    agent_id: &str,
    base: Option<&Fields>,
    agent: Option<&Fields>,
    git: Option<&Fields>,
) -> Decision {
    let deleted_conflict = |a: Option<&Fields>, g: Option<&Fields>| {
        let json = |f: Option<&Fields>| {
            f.map_or(Value::Null, |f| {
                serde_json::to_value(f).expect("fields are JSON")
            })
        };
        Decision::Conflict(Box::new(Conflict {
            agent_id: agent_id.to_owned(),
            field: "deleted".into(),
            base: json(base),
            agent: json(a),
            git: json(g),
        }))
    };
    let unchanged = |side: &Fields| base == Some(side);
    match (agent, git) {
        (None, None) => Decision::Forget,
        (None, Some(g)) if unchanged(g) || g.status == AgentStatus::Deleted => {
            Decision::CancelInGit
        }
        (Some(a), None) if unchanged(a) || a.status == AgentStatus::Deleted => {
            Decision::RemoveFromAgent
        }
        (None, Some(g)) => deleted_conflict(None, Some(g)),
        (Some(a), None) => deleted_conflict(Some(a), None),
        (Some(a), Some(g)) => {
            let was_deleted = base.is_some_and(|b| b.status == AgentStatus::Deleted);
            let newly = |f: &Fields| f.status == AgentStatus::Deleted && !was_deleted;
            match (newly(a), newly(g)) {
                (true, false) if !unchanged(g) => deleted_conflict(Some(a), Some(g)),
                (false, true) if !unchanged(a) => deleted_conflict(Some(a), Some(g)),
                (false, true) => Decision::RemoveFromAgent,
                _ => Decision::Merge(Box::new(merge(agent_id, base, a, g))),
            }
        }
    }
}

/// One linked pair of the base: the agent's id, git-task's id, and the
/// fields as last synced (`None` while a pair linked without a base still
/// conflicts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    pub agent: String,
    pub task: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Fields>,
}

/// The base of the two-way link with one directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Base {
    pub version: u32,
    /// The directory, as the canonical path the file is named after.
    pub dir: PathBuf,
    /// The pairs, in the agent's id order.
    pub pairs: Vec<Pair>,
}

impl Base {
    /// A base with no pairs: nothing synced yet.
    pub fn empty(dir: &Path) -> Base {
        Base {
            version: 1,
            dir: dir.to_owned(),
            pairs: Vec::new(),
        }
    }

    /// Reads the base at `path`; an empty one when there is no file.
    pub fn read(path: &Path, dir: &Path) -> Result<Base, String> {
        match fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                format!(
                    "{}: the last synced state cannot be read ({e}); remove it to sync as for the first time",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Base::empty(dir)),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Its text: pretty JSON ending in a newline, pairs in id order.
    pub fn to_text(&self) -> String {
        let mut base = self.clone();
        base.pairs
            .sort_by(|a, b| id_order(&a.agent).cmp(&id_order(&b.agent)));
        let mut text = serde_json::to_string_pretty(&base).expect("the base is JSON");
        text.push('\n');
        text
    }

    /// Writes it to `path` atomically (a temporary file renamed over it),
    /// unless the file already holds the same text.
    pub fn write(&self, path: &Path) -> std::io::Result<bool> {
        let text = self.to_text();
        if fs::read_to_string(path).is_ok_and(|old| old == text) {
            return Ok(false);
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".sync-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(true)
    }
}

/// The order of agent ids: numeric ones by number, then the rest by text.
pub fn id_order(id: &str) -> (u8, u128, &str) {
    match id.parse::<u128>() {
        Ok(n) if id.bytes().all(|b| b.is_ascii_digit()) => (0, n, id),
        _ => (1, 0, id),
    }
}

/// Where the base of the link with `dir` (a canonical path) is kept:
/// `<git-dir>/git-task/sync/agent-<hash>.json`, the hash of the path's
/// text, so that each worktree (each has its own git dir) and each
/// directory has its own.
pub fn base_path(git_dir: &Path, dir: &Path) -> PathBuf {
    let text = dir.to_string_lossy();
    let id = gix::objs::compute_hash(
        gix::hash::Kind::Sha1,
        gix::objs::Kind::Blob,
        text.as_bytes(),
    )
    .expect("sha1 of a short text");
    let hex = id.to_hex().to_string();
    git_dir
        .join("git-task")
        .join("sync")
        .join(format!("agent-{}.json", &hex[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(subject: &str) -> Fields {
        Fields {
            subject: subject.into(),
            description: String::new(),
            status: AgentStatus::Pending,
            owner: None,
            blocked_by: BTreeSet::new(),
            active_form: None,
            metadata: BTreeMap::new(),
        }
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_change_on_one_side_goes_to_the_other() {
        let base = fields("Write it");
        let mut agent = base.clone();
        agent.status = AgentStatus::InProgress;
        let mut git = base.clone();
        git.description = "In full".into();
        let m = merge("1", Some(&base), &agent, &git);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.agent, m.git);
        assert_eq!(m.agent.status, AgentStatus::InProgress);
        assert_eq!(m.agent.description, "In full");
        assert_eq!(m.base.as_ref(), Some(&m.agent));
    }

    #[test]
    fn the_same_field_changed_differently_is_a_conflict_and_keeps_both() {
        let base = fields("Write it");
        let mut agent = base.clone();
        agent.subject = "Write it now".into();
        agent.owner = Some("bot".into());
        let mut git = base.clone();
        git.subject = "Write it later".into();
        git.owner = Some("bot".into());
        let m = merge("1", Some(&base), &agent, &git);
        assert_eq!(
            m.conflicts,
            [Conflict {
                agent_id: "1".into(),
                field: "subject".into(),
                base: "Write it".into(),
                agent: "Write it now".into(),
                git: "Write it later".into(),
            }]
        );
        assert_eq!(m.agent.subject, "Write it now");
        assert_eq!(m.git.subject, "Write it later");
        let kept = m.base.unwrap();
        assert_eq!(kept.subject, "Write it", "the base keeps its value");
        assert_eq!(kept.owner.as_deref(), Some("bot"), "the same change merges");
    }

    #[test]
    fn edges_merge_as_sets() {
        let base = set(&["1", "2", "3"]);
        let agent = set(&["1", "2", "4"]); // removed 3, added 4
        let git = set(&["2", "3", "5"]); // removed 1, added 5
        assert_eq!(merge_set(Some(&base), &agent, &git), set(&["2", "4", "5"]));
        assert_eq!(
            merge_set(None, &agent, &git),
            set(&["1", "2", "3", "4", "5"])
        );
        let mut b = fields("x");
        b.blocked_by = base;
        let mut a = b.clone();
        a.blocked_by = agent;
        let mut g = b.clone();
        g.blocked_by = git;
        let m = merge("9", Some(&b), &a, &g);
        assert!(m.conflicts.is_empty());
        assert_eq!(m.agent.blocked_by, set(&["2", "4", "5"]));
    }

    #[test]
    fn metadata_merges_key_by_key() {
        let mut base = fields("x");
        base.metadata.insert("a".into(), 1.into());
        base.metadata.insert("b".into(), 1.into());
        let mut agent = base.clone();
        agent.metadata.insert("a".into(), 2.into());
        agent.metadata.insert("c".into(), "new".into());
        let mut git = base.clone();
        git.metadata.remove("b");
        git.metadata.insert("c".into(), "other".into());
        let m = merge("1", Some(&base), &agent, &git);
        assert_eq!(m.agent.metadata["a"], Value::from(2));
        assert!(!m.agent.metadata.contains_key("b"));
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(m.conflicts[0].field, "metadata.c");
        assert_eq!(m.conflicts[0].base, Value::Null);
        assert_eq!(m.agent.metadata["c"], Value::from("new"));
        assert_eq!(m.git.metadata["c"], Value::from("other"));
    }

    #[test]
    fn never_synced_pairs_conflict_on_every_difference() {
        let agent = fields("One");
        let mut git = fields("Two");
        git.metadata.insert("k".into(), true.into());
        let m = merge("1", None, &agent, &git);
        assert_eq!(m.conflicts.len(), 1);
        assert_eq!(
            m.agent.metadata["k"],
            Value::Bool(true),
            "a key of one side is added"
        );
        assert_eq!(m.base, None);
        let m = merge("1", None, &agent, &agent.clone());
        assert_eq!(m.base, Some(agent));
    }

    #[test]
    fn deletion_follows_an_unchanged_side_and_conflicts_with_a_changed_one() {
        let base = fields("Write it");
        let mut changed = base.clone();
        changed.description = "more".into();
        let mut deleted = base.clone();
        deleted.status = AgentStatus::Deleted;

        assert_eq!(
            decide("1", Some(&base), None, Some(&base)),
            Decision::CancelInGit
        );
        assert_eq!(
            decide("1", Some(&base), Some(&base), None),
            Decision::RemoveFromAgent
        );
        assert_eq!(decide("1", Some(&base), None, None), Decision::Forget);
        assert!(matches!(
            decide("1", Some(&base), None, Some(&changed)),
            Decision::Conflict(ref c) if c.field == "deleted"
        ));
        assert!(matches!(
            decide("1", Some(&base), Some(&changed), None),
            Decision::Conflict(_)
        ));
        // Cancelled in git-task, unchanged in the agent: the file goes.
        assert_eq!(
            decide("1", Some(&base), Some(&base), Some(&deleted)),
            Decision::RemoveFromAgent
        );
        // Deleted in the agent (file kept), unchanged in git-task: cancelled.
        let Decision::Merge(m) = decide("1", Some(&base), Some(&deleted), Some(&base)) else {
            panic!("a merge");
        };
        assert_eq!(m.git.status, AgentStatus::Deleted);
        // Deleted on one side, changed on the other.
        assert!(matches!(
            decide("1", Some(&base), Some(&deleted), Some(&changed)),
            Decision::Conflict(_)
        ));
        assert!(matches!(
            decide("1", Some(&base), Some(&changed), Some(&deleted)),
            Decision::Conflict(_)
        ));
        // Deleted on both: one merge.
        assert!(matches!(
            decide("1", Some(&base), Some(&deleted), Some(&deleted)),
            Decision::Merge(ref m) if m.conflicts.is_empty()
        ));
        // A file gone while git-task cancelled it: nothing to keep.
        assert_eq!(
            decide("1", Some(&base), None, Some(&deleted)),
            Decision::CancelInGit
        );
    }

    #[test]
    fn the_base_round_trips_and_is_written_only_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = base_path(dir.path(), Path::new("/some/agent/dir"));
        assert!(path.starts_with(dir.path().join("git-task/sync")));
        assert_ne!(path, base_path(dir.path(), Path::new("/other/dir")));
        let mut base = Base::empty(Path::new("/some/agent/dir"));
        let mut f = fields("Write it");
        f.blocked_by = set(&["2"]);
        f.metadata.insert("k".into(), Value::from(1));
        base.pairs.push(Pair {
            agent: "10".into(),
            task: "agent-10".into(),
            fields: Some(f),
        });
        base.pairs.push(Pair {
            agent: "9".into(),
            task: "agent-9".into(),
            fields: None,
        });
        assert!(base.write(&path).unwrap());
        assert!(!base.write(&path).unwrap());
        let back = Base::read(&path, Path::new("/x")).unwrap();
        assert_eq!(back.pairs[0].agent, "9", "pairs are kept in id order");
        assert_eq!(back.pairs.len(), 2);
        assert_eq!(back.pairs[1], base.pairs[0]);
        let none = Base::read(&dir.path().join("none.json"), Path::new("/x")).unwrap();
        assert!(none.pairs.is_empty());
        fs::write(&path, "{").unwrap();
        assert!(Base::read(&path, Path::new("/x")).is_err());
    }
}
