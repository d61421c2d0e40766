//! Claims: a task taken by one worker at a time, in one repository (all
//! its worktrees) or across clones, with git as the only coordinator.
//!
//! A claim is a small commit (the empty tree; its message says the task,
//! the owner, the host, when it was taken and until when it holds) that
//! the reference `refs/tasks/claims/<id>` points at. The reference is
//! created only if it does not exist yet, under git's own lock of it, so
//! of two claimers exactly one wins. With a remote, the same reference is
//! pushed to it with `--force-with-lease=<ref>:` (it must not exist
//! there), and the remote's lock decides between clones. What the remote
//! holds is fetched into `refs/tasks/remote-claims/<remote>/<id>`.
//!
//! A claim holds until its lease ends; after that anyone may take it
//! over, by replacing exactly the expired commit (the new one has it as
//! parent), so a takeover too has one winner. `done`, `cancel`, `reset`
//! and `release` remove the claim.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Invalid, Refusal, Result};
use crate::graph::Graph;
use crate::id::TaskId;
use crate::store::{ObjectId, Pushed, Workspace};
use crate::task::{Status, Task};
use crate::taskset::TaskSet;

/// Where the claims of this repository live.
pub const LOCAL_PREFIX: &str = "refs/tasks/claims/";
/// Where the claims fetched from remotes live: `<prefix><remote>/<id>`.
pub const REMOTE_PREFIX: &str = "refs/tasks/remote-claims/";

/// How long a claim holds: whole seconds, from a minute to 30 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease(u64);

impl Lease {
    /// Two hours: a working session, after which a claim nobody renewed
    /// is free to be taken over.
    pub const DEFAULT: Lease = Lease(2 * 3600);
    /// The shortest lease: a claim has to outlive the clock skew between
    /// machines.
    pub const MIN: u64 = 60;
    /// The longest lease: longer work is planned, not claimed.
    pub const MAX: u64 = 30 * 24 * 3600;
    /// What a lease is written as.
    pub const GRAMMAR: &'static str =
        "a number and a unit (s, m, h, d), or several, largest first: 45m, 2h, 1h30m, 3d";

    /// Parses `90m`, `2h`, `1h30m`, `3d` (a day is 24 hours: a lease is
    /// wall-clock time, not work time like an estimate).
    pub fn parse(text: &str) -> std::result::Result<Lease, String> {
        let bad = || format!("`{text}` is not a lease: {}", Lease::GRAMMAR);
        let mut seconds: u64 = 0;
        let mut digits = String::new();
        let mut last_unit = u64::MAX;
        let mut any = false;
        for c in text.trim().chars() {
            if c.is_ascii_digit() {
                digits.push(c);
                continue;
            }
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                _ => return Err(bad()),
            };
            if digits.is_empty() || unit >= last_unit || digits.len() > 6 {
                return Err(bad());
            }
            let n: u64 = digits.parse().map_err(|_| bad())?;
            seconds += n * unit;
            digits.clear();
            last_unit = unit;
            any = true;
        }
        if !digits.is_empty() || !any {
            return Err(bad());
        }
        if !(Lease::MIN..=Lease::MAX).contains(&seconds) {
            return Err(format!(
                "a lease is between 1m and 30d; `{text}` is {}",
                if seconds < Lease::MIN {
                    "shorter"
                } else {
                    "longer"
                }
            ));
        }
        Ok(Lease(seconds))
    }

    /// The lease in seconds.
    pub fn seconds(self) -> u64 {
        self.0
    }

    /// The lease written the way it parses back: `2h`, `1h30m`.
    pub fn text(self) -> String {
        let mut rest = self.0;
        let mut out = String::new();
        for (unit, name) in [(86_400, 'd'), (3600, 'h'), (60, 'm'), (1, 's')] {
            if rest >= unit {
                out.push_str(&format!("{}{name}", rest / unit));
                rest %= unit;
            }
        }
        out
    }
}

/// Checks that `name` can be a remote's name in a refspec: no leading
/// `-` (it would read as an option), no whitespace, `:`, `*` or `..`.
pub fn check_remote_name(name: &str) -> std::result::Result<(), String> {
    let bad = name.is_empty()
        || name.starts_with('-')
        || name.contains("..")
        || name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || ":*?[\\^~".contains(c));
    let path = name.starts_with('/') || name.starts_with('.') || name.contains("://");
    if bad || path {
        Err(format!(
            "`{}` is not a remote's name: --remote takes the name of a remote this repository has (`git remote` lists them)",
            name.escape_debug()
        ))
    } else {
        Ok(())
    }
}

/// Where a claim was seen: this repository, or a remote as last fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "where", content = "remote")]
pub enum Place {
    /// `refs/tasks/claims/<id>` here, which every worktree shares.
    Local,
    /// `refs/tasks/claims/<id>` on this remote, as last fetched.
    Remote(String),
}

/// A claim: who holds a task, since and until when, and where that is
/// recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub task: TaskId,
    pub owner: String,
    pub host: String,
    pub at: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// The commit that records it.
    pub commit: ObjectId,
    /// Where it is recorded; the same commit can be both here and on a
    /// remote.
    pub places: Vec<Place>,
    /// Set when the claim ended because the task was completed or
    /// cancelled: the record then holds the task for [`RESOLVED_HOLD`],
    /// so that a worktree or clone that has not merged the work yet does
    /// not take the task again.
    pub resolved: Option<Status>,
}

/// How long the record of a task completed (or cancelled) under a claim
/// keeps others from taking it: a day for the work to be merged where
/// they work.
pub const RESOLVED_HOLD: chrono::Duration = chrono::Duration::hours(24);

impl Claim {
    /// Whether it still holds at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.until > now
    }

    /// The remotes it is recorded on.
    pub fn remotes(&self) -> impl Iterator<Item = &str> {
        self.places.iter().filter_map(|p| match p {
            Place::Remote(r) => Some(r.as_str()),
            Place::Local => None,
        })
    }

    fn is_local(&self) -> bool {
        self.places.contains(&Place::Local)
    }
}

/// The fields of a claim's commit message, after its summary line.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    task: String,
    owner: String,
    host: String,
    at: toml::value::Datetime,
    until: toml::value::Datetime,
    /// `completed` or `cancelled` for the record that ends a claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    resolved: Option<String>,
}

/// The commit message that records `claim` (its commit and places are
/// not part of it): a summary for `git log`, then the fields as TOML.
fn message(claim: &Claim) -> String {
    let stamp = |t: DateTime<Utc>| crate::task::format_timestamp(t);
    let datetime = |t: DateTime<Utc>| {
        stamp(t)
            .parse::<toml::value::Datetime>()
            .expect("a timestamp is a TOML datetime")
    };
    let record = Record {
        task: claim.task.to_string(),
        owner: claim.owner.clone(),
        host: claim.host.clone(),
        at: datetime(claim.at),
        until: datetime(claim.until),
        resolved: claim.resolved.map(|s| s.as_str().to_owned()),
    };
    let owner = claim.owner.replace('\n', " ");
    let summary = match claim.resolved {
        None => format!(
            "claim {} by {owner} until {}",
            claim.task,
            stamp(claim.until)
        ),
        Some(status) => format!(
            "{status} {} claimed by {owner}; held until {}",
            claim.task,
            stamp(claim.until)
        ),
    };
    format!(
        "{summary}\n\n{}",
        toml::to_string(&record).expect("a record serialises")
    )
}

/// A commit id to fill in before the record is written.
fn unwritten() -> ObjectId {
    ObjectId::from_hex(&[b'0'; 40]).expect("forty hex digits")
}

/// The claim a commit message records; `None` for one that is not a
/// claim's (a reference someone else wrote there), which counts as no
/// claim.
fn parse_message(text: &str, commit: ObjectId, place: Place) -> Option<Claim> {
    let (_, body) = text.split_once("\n\n")?;
    let record: Record = toml::from_str(body).ok()?;
    let time = |t: &toml::value::Datetime| crate::task::parse_timestamp(&t.to_string()).ok();
    Some(Claim {
        task: TaskId::parse(&record.task).ok()?,
        owner: record.owner,
        host: record.host,
        at: time(&record.at)?,
        until: time(&record.until)?,
        commit,
        places: vec![place],
        resolved: match record.resolved.as_deref() {
            None => None,
            Some("completed") => Some(Status::Completed),
            Some("cancelled") => Some(Status::Cancelled),
            Some(_) => return None,
        },
    })
}

/// Every claim this repository knows of: its own, and those last fetched
/// from remotes, by task. A commit recorded in several places is one
/// claim with several places.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    claims: Vec<Claim>,
}

impl Claims {
    /// Reads the claim references. Costs one listing of `refs/tasks/`,
    /// nothing when there are none.
    pub fn read(ws: &Workspace) -> Result<Claims> {
        let mut claims: Vec<Claim> = Vec::new();
        let mut add = |name: &str, commit: ObjectId, place: Place| {
            let Some(task) = name.rsplit('/').next().and_then(|t| TaskId::parse(t).ok()) else {
                return;
            };
            if let Some(same) = claims
                .iter_mut()
                .find(|c| c.commit == commit && c.task == task)
            {
                same.places.push(place);
                return;
            }
            let Some(text) = ws.commit_message(commit) else {
                return;
            };
            if let Some(claim) = parse_message(&text, commit, place).filter(|c| c.task == task) {
                claims.push(claim);
            }
        };
        for (name, commit) in ws.references_under(LOCAL_PREFIX)? {
            add(&name, commit, Place::Local);
        }
        for (name, commit) in ws.references_under(REMOTE_PREFIX)? {
            let Some(rest) = name.strip_prefix(REMOTE_PREFIX) else {
                continue;
            };
            let Some((remote, _)) = rest.rsplit_once('/') else {
                continue;
            };
            add(&name, commit, Place::Remote(remote.to_owned()));
        }
        claims.sort_by(|a, b| a.task.cmp(&b.task).then(a.at.cmp(&b.at)));
        Ok(Claims { claims })
    }

    /// Every claim, by task id, live or not.
    pub fn all(&self) -> &[Claim] {
        &self.claims
    }

    /// The claims that hold at `now`, by task id.
    pub fn live(&self, now: DateTime<Utc>) -> impl Iterator<Item = &Claim> {
        self.claims.iter().filter(move |c| c.is_live(now))
    }

    /// The live claim of `task`, the latest when places disagree.
    pub fn holder(&self, task: &TaskId, now: DateTime<Utc>) -> Option<&Claim> {
        self.live(now)
            .filter(|c| &c.task == task)
            .max_by_key(|c| c.at)
    }

    /// The claims of `task`, live or not.
    fn of<'a>(&'a self, task: &'a TaskId) -> impl Iterator<Item = &'a Claim> + 'a {
        self.claims.iter().filter(move |c| &c.task == task)
    }

    fn commit_at(&self, task: &TaskId, place: &Place) -> Option<ObjectId> {
        self.of(task)
            .find(|c| c.places.contains(place))
            .map(|c| c.commit)
    }
}

/// The ready tasks of `set` that nobody holds a live claim on, most
/// urgent first, and the ready ones that are claimed.
pub fn unclaimed_ready(
    graph: &Graph,
    claims: &Claims,
    now: DateTime<Utc>,
) -> (Vec<usize>, Vec<usize>) {
    let tasks = graph.tasks().tasks();
    graph
        .ready()
        .into_iter()
        .partition(|&i| claims.holder(&tasks[i].id, now).is_none())
}

/// What `claim` is asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// The task (an id or unique prefix); `None` takes the most urgent
    /// ready task that nobody holds.
    pub task: Option<String>,
    /// Who takes it.
    pub owner: String,
    /// The machine it is taken on, as the claim records it.
    pub host: String,
    pub lease: Lease,
    /// Also record it on this remote, which then decides between clones.
    pub remote: Option<String>,
    /// Take it even from a live claim of someone else, or when it is
    /// blocked (only with a task named).
    pub force: bool,
    /// Extend the owner's own live claim of the named task: a new lease
    /// from now. Never takes another owner's claim.
    pub renew: bool,
    pub now: DateTime<Utc>,
}

/// What `claim` did: the task as it now is (in progress, owned), the
/// claim, and the tasks it passed over because others took them first.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub task: Task,
    pub claim: Claim,
    /// The claim it replaced, when it took over an expired (or, forced,
    /// a live) one.
    pub took_over: Option<Claim>,
}

/// The name of this machine, as claims record it: `GIT_TASK_HOST`, else
/// the system's host name.
pub fn host_name() -> String {
    if let Ok(host) = std::env::var("GIT_TASK_HOST")
        && !host.is_empty()
    {
        return host;
    }
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length, and gethostname
        // writes at most that many bytes.
        let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
        if ok {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            if let Ok(name) = std::str::from_utf8(&buf[..end])
                && !name.is_empty()
            {
                return name.to_owned();
            }
        }
    }
    std::env::var("HOSTNAME").unwrap_or_else(|_| "unknown".to_owned())
}

fn local_ref(task: &TaskId) -> String {
    format!("{LOCAL_PREFIX}{task}")
}

fn remote_tracking_ref(remote: &str, task: &TaskId) -> String {
    format!("{REMOTE_PREFIX}{remote}/{task}")
}

/// Fetches the claims of `remote` into `refs/tasks/remote-claims/`.
pub fn fetch(ws: &Workspace, remote: &str) -> Result<()> {
    check_remote_name(remote).map_err(|why| Invalid::BadRemote { why })?;
    ws.fetch_references(remote, LOCAL_PREFIX, &format!("{REMOTE_PREFIX}{remote}/"))
}

/// Takes a task: the one named, or the most urgent ready one nobody
/// holds, and starts it (in progress, owner, started), in one step under
/// the store's lock. Of several claimers of one task, in this repository
/// or (with a remote) across clones, exactly one wins; the others are
/// refused with who holds it and since when.
/// Returns the claim and the task set as it now is.
pub fn claim(ws: &Workspace, request: &Request) -> Result<(Claimed, TaskSet)> {
    if let Some(remote) = &request.remote {
        fetch(ws, remote)?;
    }
    // What this call took so far: kept across a transaction that starts
    // over (a checkout wrote .tasks/ meanwhile), and given back if the
    // task cannot be written at all.
    let mut taken: Option<(TaskId, Claim, Option<Claim>)> = None;
    const ATTEMPTS: usize = 4;
    for attempt in 1..=ATTEMPTS {
        let mut tx = match ws.transaction() {
            Ok(tx) => tx,
            Err(e) => return Err(give_back(ws, taken, e)),
        };
        if taken.is_none() {
            match choose_and_take(ws, tx.tasks(), request) {
                Ok(t) => taken = Some(t),
                Err(e) => return Err(e),
            }
        }
        let (id, claim, took_over) = taken.clone().expect("taken above");
        let started = crate::change::start(&mut tx, &id, &request.owner, true, request.now);
        let task = match started {
            Ok(task) => task,
            Err(e) => return Err(give_back(ws, taken, e)),
        };
        match tx.commit() {
            Ok(set) => {
                let task = set.get(id.as_str()).cloned().unwrap_or(task);
                return Ok((
                    Claimed {
                        task,
                        claim,
                        took_over,
                    },
                    set,
                ));
            }
            Err(Error::Raced { .. }) if attempt < ATTEMPTS => continue,
            Err(e) => return Err(give_back(ws, taken, e)),
        }
    }
    unreachable!("the last attempt returns")
}

/// Removes a claim just taken, after the task could not be started, and
/// returns the error that stopped it.
fn give_back(ws: &Workspace, taken: Option<(TaskId, Claim, Option<Claim>)>, error: Error) -> Error {
    if let Some((_, claim, _)) = taken {
        remove(ws, &claim);
    }
    error
}

/// The refusal of a task `holder` holds: claimed, or completed or
/// cancelled in a worktree or clone whose work is not merged here yet.
fn refusal(task: TaskId, holder: Claim) -> Error {
    match holder.resolved {
        None => Refusal::Claimed {
            task,
            claim: Box::new(holder),
        },
        Some(_) => Refusal::ResolvedElsewhere {
            task,
            claim: Box::new(holder),
        },
    }
    .into()
}

/// Picks the task and takes its claim: the named one, or the first ready
/// one whose claim this call wins.
fn choose_and_take(
    ws: &Workspace,
    set: &TaskSet,
    request: &Request,
) -> Result<(TaskId, Claim, Option<Claim>)> {
    let now = request.now;
    let mut claims = Claims::read(ws)?;
    let graph = Graph::new(set);
    if let Some(text) = &request.task {
        let task = set.resolve(text)?;
        let id = task.id.clone();
        let i = set.index_of(id.as_str()).expect("resolved in this set");
        if task.is_resolved() {
            return Err(Refusal::Resolved {
                task: id,
                status: task.status,
            }
            .into());
        }
        if !request.force {
            let waits = crate::change::open_waits(&graph, i);
            if !waits.is_empty() {
                return Err(Refusal::Blocked { task: id, waits }.into());
            }
            // A task in progress by a claim is governed by the claim's
            // lease: once it ends, anyone may take the task over, here too.
            if task.status == Status::InProgress
                && let Some(holder) = task.owner.as_deref().filter(|h| *h != request.owner)
                && claims.of(&id).next().is_none()
            {
                return Err(Refusal::Held {
                    task: id,
                    holder: holder.to_owned(),
                }
                .into());
            }
        }
        return match take(ws, &mut claims, &id, request)? {
            Ok((claim, took_over)) => Ok((id, claim, took_over)),
            Err(holder) => Err(refusal(id, holder)),
        };
    }
    let (free, _) = unclaimed_ready(&graph, &claims, now);
    // A task whose claim git cannot write (a lock left by a killed
    // process) is passed over for the next one; its error is said only
    // when no task could be taken.
    let mut failed = None;
    for i in free {
        let id = set.tasks()[i].id.clone();
        match take(ws, &mut claims, &id, request) {
            Ok(Ok((claim, took_over))) => return Ok((id, claim, took_over)),
            Ok(Err(_)) | Err(Error::Refused(Refusal::Contended { .. })) => continue,
            Err(e @ (Error::Remote { .. } | Error::Invalid(_))) => return Err(e),
            Err(e) => {
                failed.get_or_insert(e);
            }
        }
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let claims = Claims::read(ws)?;
    let (_, claimed) = unclaimed_ready(&graph, &claims, now);
    let held = claimed
        .iter()
        .filter_map(|&i| claims.holder(&set.tasks()[i].id, now).cloned())
        .collect();
    Err(Refusal::NothingToClaim {
        claimed: held,
        ready: graph.ready().len(),
    }
    .into())
}

/// A claim won, and the claim it replaced.
type Won = (Claim, Option<Claim>);

/// Takes the claim of `id`: creates it where there is none, replaces an
/// expired one (or, forced, a live one). `Ok(Err(holder))` when someone
/// else holds it, or took it first.
fn take(
    ws: &Workspace,
    claims: &mut Claims,
    id: &TaskId,
    request: &Request,
) -> Result<std::result::Result<Won, Claim>> {
    // A race lost to a claim that is gone again by the time it is read
    // (taken and given back meanwhile) is run again on what is there now.
    for _ in 0..3 {
        match take_once(ws, claims, id, request)? {
            Ok(won) => return Ok(Ok(won)),
            Err(Some(holder)) => return Ok(Err(holder)),
            Err(None) => continue,
        }
    }
    Err(Error::from(Refusal::Contended { task: id.clone() }))
}

/// One attempt of [`take`]: `Err(None)` when the race was lost but no
/// live claim is seen now.
fn take_once(
    ws: &Workspace,
    claims: &mut Claims,
    id: &TaskId,
    request: &Request,
) -> Result<std::result::Result<Won, Option<Claim>>> {
    let now = request.now;
    if let Some(holder) = claims.holder(id, now) {
        let renewal = request.renew && holder.owner == request.owner && holder.resolved.is_none();
        if !(request.force || renewal) {
            return Ok(Err(Some(holder.clone())));
        }
    }
    let replaced = claims.of(id).max_by_key(|c| c.at).cloned();
    let local_before = claims.commit_at(id, &Place::Local);
    let remote_before = request
        .remote
        .as_ref()
        .and_then(|r| claims.commit_at(id, &Place::Remote(r.clone())));
    let until = now + chrono::Duration::seconds(request.lease.seconds() as i64);
    let parents: Vec<ObjectId> = replaced.iter().map(|c| c.commit).collect();
    let mut claim = Claim {
        task: id.clone(),
        owner: request.owner.clone(),
        host: request.host.clone(),
        at: now,
        until,
        commit: unwritten(),
        places: vec![Place::Local],
        resolved: None,
    };
    let commit = ws.write_record(&message(&claim), &parents, &request.owner, now)?;
    claim.commit = commit;
    let why = format!("git-task: claim {id}");
    if ws
        .swap_reference(&local_ref(id), local_before, Some(commit), &why)?
        .is_err()
    {
        *claims = Claims::read(ws)?;
        return Ok(Err(claims.holder(id, now).cloned()));
    }
    if let Some(remote) = &request.remote {
        let pushed = ws.push_reference(remote, &local_ref(id), remote_before, Some(commit));
        let stale = match pushed {
            Ok(Pushed::Done) => None,
            Ok(Pushed::Stale { message }) => Some(message),
            Err(e) => {
                let _ = ws.swap_reference(&local_ref(id), Some(commit), local_before, &why);
                return Err(e);
            }
        };
        if let Some(message) = stale {
            let _ = ws.swap_reference(&local_ref(id), Some(commit), local_before, &why);
            fetch(ws, remote)?;
            *claims = Claims::read(ws)?;
            let holder = claims.holder(id, now).cloned();
            // Nobody else's claim there, and the reference as it was: the
            // remote could not write it (a lock left there, a name in the
            // way), which is no race to try again.
            if holder.is_none()
                && claims.commit_at(id, &Place::Remote(remote.clone())) == remote_before
            {
                return Err(Error::RemoteRefused {
                    remote: remote.clone(),
                    name: local_ref(id),
                    message,
                });
            }
            return Ok(Err(holder));
        }
        let tracking = remote_tracking_ref(remote, id);
        let seen = ws.reference_id(&tracking)?;
        let _ = ws.swap_reference(&tracking, seen, Some(commit), &why);
        claim.places.push(Place::Remote(remote.clone()));
    }
    Ok(Ok((claim, replaced)))
}

/// Removes `claim` from every place it is recorded, each only if it
/// still holds this claim's commit. Best effort: a remote that cannot be
/// reached keeps it until its lease ends, and says so in the answer.
fn remove(ws: &Workspace, claim: &Claim) -> Vec<Unreleased> {
    let mut left = Vec::new();
    let why = format!("git-task: release {}", claim.task);
    if claim.is_local() {
        let _ = ws.swap_reference(&local_ref(&claim.task), Some(claim.commit), None, &why);
    }
    for remote in claim.remotes() {
        match ws.push_reference(remote, &local_ref(&claim.task), Some(claim.commit), None) {
            Ok(Pushed::Done) => {
                let tracking = remote_tracking_ref(remote, &claim.task);
                let _ = ws.swap_reference(&tracking, Some(claim.commit), None, &why);
            }
            Ok(Pushed::Stale { .. }) => {}
            Err(error) => left.push(Unreleased {
                remote: remote.to_owned(),
                until: claim.until,
                why: error.to_string(),
            }),
        }
    }
    left
}

/// A claim left on a remote that could not be reached to remove it: it
/// holds there until its lease ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreleased {
    pub remote: String,
    pub until: DateTime<Utc>,
    pub why: String,
}

/// What releasing a task's claims did.
#[derive(Debug, Clone, Default)]
pub struct Released {
    /// The claims removed (this repository's, and those of remotes it
    /// recorded them on).
    pub claims: Vec<Claim>,
    /// Remotes that kept a claim because they could not be reached.
    pub unreleased: Vec<Unreleased>,
}

/// Removes every claim of `task`, as `reopen` and `reset` do after
/// their change (the task is open again, for anyone to take). Nothing to
/// remove is not an error.
pub fn release_claims(ws: &Workspace, task: &TaskId) -> Result<Released> {
    let claims = Claims::read(ws)?;
    Ok(remove_all(ws, claims.of(task).cloned().collect()))
}

/// Removes `claims`, each only where it still holds the same commit.
fn remove_all(ws: &Workspace, claims: Vec<Claim>) -> Released {
    let mut released = Released::default();
    for claim in claims {
        released.unreleased.extend(remove(ws, &claim));
        released.claims.push(claim);
    }
    released
}

/// Ends the live claims of `task` after it was completed or cancelled
/// (`status`), as `done` and `cancel` do: each is replaced, where it is
/// recorded, by a record of the resolution that holds the task for
/// [`RESOLVED_HOLD`], so that other worktrees and clones do not take it
/// again before the work is merged where they are. Returns the records.
pub fn close_claims(
    ws: &Workspace,
    task: &TaskId,
    status: Status,
    now: DateTime<Utc>,
) -> Result<Released> {
    let claims = Claims::read(ws)?;
    let mut closed = Released::default();
    for claim in claims
        .of(task)
        .filter(|c| c.resolved.is_none() && c.is_live(now))
    {
        let mut record = claim.clone();
        record.at = now;
        record.until = now + RESOLVED_HOLD;
        record.resolved = Some(status);
        record.commit = ws.write_record(&message(&record), &[claim.commit], &claim.owner, now)?;
        let why = format!("git-task: {status} {task}");
        let mut places = Vec::new();
        for place in &claim.places {
            match place {
                Place::Local => {
                    let swapped = ws.swap_reference(
                        &local_ref(task),
                        Some(claim.commit),
                        Some(record.commit),
                        &why,
                    )?;
                    if swapped.is_ok() {
                        places.push(Place::Local);
                    }
                }
                Place::Remote(remote) => {
                    let pushed = ws.push_reference(
                        remote,
                        &local_ref(task),
                        Some(claim.commit),
                        Some(record.commit),
                    );
                    match pushed {
                        Ok(Pushed::Done) => {
                            let tracking = remote_tracking_ref(remote, task);
                            let _ = ws.swap_reference(
                                &tracking,
                                Some(claim.commit),
                                Some(record.commit),
                                &why,
                            );
                            places.push(place.clone());
                        }
                        Ok(Pushed::Stale { .. }) => {}
                        Err(error) => closed.unreleased.push(Unreleased {
                            remote: remote.clone(),
                            until: claim.until,
                            why: error.to_string(),
                        }),
                    }
                }
            }
        }
        if !places.is_empty() {
            record.places = places;
            closed.claims.push(record);
        }
    }
    Ok(closed)
}

/// What `release` did: the task put back to pending, and the claims
/// removed.
#[derive(Debug, Clone)]
pub struct Release {
    pub task: Task,
    pub released: Released,
}

/// Gives a task back: its claims are removed and, when it is in
/// progress, it is pending again with no owner (its criteria and notes
/// stay). Refuses a task someone else holds a live claim on, unless
/// `force`.
pub fn release(
    ws: &Workspace,
    task: &str,
    owner: &str,
    force: bool,
    now: DateTime<Utc>,
) -> Result<(Release, TaskSet)> {
    let ((task, seen), set) = ws.transact(|tx| {
        let id = tx.resolve(task)?;
        let claims = Claims::read(ws)?;
        let seen: Vec<Claim> = claims.of(&id).cloned().collect();
        if !force {
            if let Some(holder) = claims.holder(&id, now).filter(|c| c.owner != owner) {
                return Err(refusal(id, holder.clone()));
            }
            let t = tx.tasks().get(id.as_str()).expect("resolved");
            if seen.is_empty()
                && t.status == Status::InProgress
                && let Some(holder) = t.owner.as_deref().filter(|h| *h != owner)
            {
                return Err(Refusal::Held {
                    task: id,
                    holder: holder.to_owned(),
                }
                .into());
            }
        }
        Ok((crate::change::unstart(tx, &id)?, seen))
    })?;
    // Only the claims seen under the lock, each only if it is still the
    // same commit: a takeover meanwhile is someone else's, and stays.
    let released = remove_all(ws, seen);
    Ok((Release { task, released }, set))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_parse_and_print_back() {
        for (text, seconds) in [
            ("45m", 2700),
            ("2h", 7200),
            ("1h30m", 5400),
            ("3d", 259_200),
            ("90s", 90),
        ] {
            let lease = Lease::parse(text).unwrap();
            assert_eq!(lease.seconds(), seconds, "{text}");
            assert_eq!(Lease::parse(&lease.text()).unwrap(), lease);
        }
        for bad in [
            "", "2", "h", "30m1h", "2x", "1h1h", "10s", "31d", "-1h", "1.5h",
        ] {
            assert!(Lease::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_claim_reads_back_from_its_message() {
        let id = TaskId::parse("abc").unwrap();
        let at = crate::task::parse_timestamp("2026-12-01T10:00:00Z").unwrap();
        let until = at + chrono::Duration::hours(2);
        let text = message(&Claim {
            task: id.clone(),
            owner: "ana@example.com".into(),
            host: "box".into(),
            at,
            until,
            commit: unwritten(),
            places: Vec::new(),
            resolved: None,
        });
        assert!(text.starts_with("claim abc by ana@example.com until 2026-12-01T12:00:00Z\n\n"));
        let commit = ObjectId::from_hex(&[b'0'; 40]).unwrap();
        let claim = parse_message(&text, commit, Place::Local).unwrap();
        assert_eq!(
            (claim.owner.as_str(), claim.host.as_str()),
            ("ana@example.com", "box")
        );
        assert_eq!((claim.at, claim.until), (at, until));
        assert!(claim.is_live(at) && !claim.is_live(until));
        assert!(parse_message("not a claim", commit, Place::Local).is_none());
    }

    #[test]
    fn remote_names_that_would_read_as_options_are_refused() {
        assert!(check_remote_name("origin").is_ok());
        assert!(check_remote_name("my/fork").is_ok());
        for bad in [
            "",
            "-o",
            "a b",
            "a:b",
            "a*",
            "a..b",
            "/srv/x.git",
            "../x",
            "https://h/x",
        ] {
            assert!(check_remote_name(bad).is_err(), "{bad}");
        }
    }
}
