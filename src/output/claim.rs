//! `claim`, `ready --claim` and `release`, and the claims that `ready`
//! and `status` show.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::{TaskObject, Version};
use crate::claim::{Claim, Place, Released};
use crate::facts::Facts;
use crate::id::TaskId;

/// A claim: who holds a task, since and until when, where it is recorded.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ClaimObject<'a> {
    pub task: &'a TaskId,
    pub owner: &'a str,
    /// The machine it was taken on.
    pub host: &'a str,
    pub at: DateTime<Utc>,
    /// When the lease ends: after that anyone may take it over.
    pub until: DateTime<Utc>,
    /// The commit `refs/tasks/claims/<id>` points at.
    pub commit: String,
    /// Where it is recorded: this repository, remotes (as last fetched).
    pub places: &'a [Place],
}

impl<'a> ClaimObject<'a> {
    pub fn new(claim: &'a Claim) -> ClaimObject<'a> {
        ClaimObject {
            task: &claim.task,
            owner: &claim.owner,
            host: &claim.host,
            at: claim.at,
            until: claim.until,
            commit: claim.commit.to_string(),
            places: &claim.places,
        }
    }
}

/// `claim` and `ready --claim`: the task, now in progress, its claim,
/// and the expired claim it took over, if any.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ClaimAnswer<'a> {
    pub version: Version,
    pub task: TaskObject<'a>,
    pub claim: ClaimObject<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub took_over: Option<ClaimObject<'a>>,
}

impl<'a> ClaimAnswer<'a> {
    /// Task `i` of `facts`, just claimed with `claim`.
    pub fn new(
        facts: &Facts<'a>,
        i: usize,
        claim: &'a Claim,
        took_over: Option<&'a Claim>,
    ) -> ClaimAnswer<'a> {
        ClaimAnswer {
            version: Version,
            task: TaskObject::new(facts, i),
            claim: ClaimObject::new(claim),
            took_over: took_over.map(ClaimObject::new),
        }
    }
}

/// A remote that kept a claim because it could not be reached.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UnreleasedObject<'a> {
    pub remote: &'a str,
    /// It holds there until then.
    pub until: DateTime<Utc>,
    /// What git said.
    pub why: &'a str,
}

/// `release`: the task as it now is, the claims removed, and the remotes
/// that kept theirs.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReleaseAnswer<'a> {
    pub version: Version,
    pub task: TaskObject<'a>,
    pub released: Vec<ClaimObject<'a>>,
    pub unreleased: Vec<UnreleasedObject<'a>>,
}

impl<'a> ReleaseAnswer<'a> {
    pub fn new(facts: &Facts<'a>, i: usize, released: &'a Released) -> ReleaseAnswer<'a> {
        ReleaseAnswer {
            version: Version,
            task: TaskObject::new(facts, i),
            released: released.claims.iter().map(ClaimObject::new).collect(),
            unreleased: released
                .unreleased
                .iter()
                .map(|u| UnreleasedObject {
                    remote: &u.remote,
                    until: u.until,
                    why: &u.why,
                })
                .collect(),
        }
    }
}
