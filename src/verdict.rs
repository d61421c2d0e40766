//! What each git hook decides (docs/hooks.md): the checks behind `git task hook
//! NAME`, as data; the CLI prints them. Hooks never run a task's `verify`
//! command: a hook must not execute code that arrived in someone else's commit.
//!
//! The rules are written down for users in `docs/hooks.md`.

use std::collections::{HashMap, HashSet};

use crate::check::{self, Diagnostic, ErrorKey, Report, Severity};
use crate::error::{Error, Result};
use crate::gate::{Policy, short_branch};
use crate::store::{Added, History, Known, Loaded, ObjectId, Source, Workspace};

/// One thing a hook checked: a commit about to become a ref, a commit a
/// push adds on the way, or the index.
#[derive(Debug, Clone)]
pub struct Checked {
    /// What was checked, for people: `refs/heads/main at 1a2b3c4`.
    pub subject: String,
    /// The branch whose gates applied, if any.
    pub branch: Option<String>,
    pub report: Report,
}

/// The outcome of a hook: every check it ran.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub checked: Vec<Checked>,
    /// How to give up what the hook stopped, when there is more to it than
    /// not running the command again: `git merge --abort`.
    pub undo: Option<String>,
}

impl Verdict {
    /// Whether the hook must stop the operation.
    pub fn refuses(&self) -> bool {
        self.checked.iter().any(|c| c.report.fails(false))
    }
}

/// One ref update as a hook sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub refname: String,
    /// What the ref points at before the push; `None` when the push
    /// creates it (or, in pre-push, when git does not know).
    pub old: Option<String>,
    /// The object the ref will point at; `None` for a deletion.
    pub new: Option<String>,
}

/// Where a push is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side<'a> {
    /// `pre-push`, in the clone that pushes, to the remote of this name
    /// (or URL, when the push names no configured remote).
    Client { remote: Option<&'a str> },
    /// `pre-receive`, on the server that receives the push.
    Server,
}

fn is_zero(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

fn sha(s: &str) -> Option<String> {
    (!is_zero(s)).then(|| s.to_owned())
}

/// Parses pre-push input: `<local ref> <local sha> <remote ref> <remote sha>`
/// lines. The ref that matters is the remote one.
pub fn parse_pre_push(input: &str) -> Result<Vec<RefUpdate>> {
    parse_lines(input, 4, |f| RefUpdate {
        refname: f[2].to_owned(),
        old: sha(f[3]),
        new: sha(f[1]),
    })
}

/// The push the pre-commit framework describes in its environment: it
/// reads git's pre-push input itself and passes the update on as
/// `PRE_COMMIT_TO_REF` (the local commit), `PRE_COMMIT_FROM_REF` (what the
/// remote has) and `PRE_COMMIT_REMOTE_BRANCH`.
pub fn pre_commit_framework_push(env: impl Fn(&str) -> Option<String>) -> Option<RefUpdate> {
    let new = env("PRE_COMMIT_TO_REF").filter(|s| !s.is_empty())?;
    let refname = env("PRE_COMMIT_REMOTE_BRANCH").filter(|s| !s.is_empty())?;
    Some(RefUpdate {
        refname,
        old: env("PRE_COMMIT_FROM_REF").and_then(|s| sha(&s)),
        new: sha(&new),
    })
}

/// Parses pre-receive input: `<old sha> <new sha> <ref>` lines.
pub fn parse_pre_receive(input: &str) -> Result<Vec<RefUpdate>> {
    parse_lines(input, 3, |f| RefUpdate {
        refname: f[2].to_owned(),
        old: sha(f[0]),
        new: sha(f[1]),
    })
}

fn parse_lines(
    input: &str,
    fields: usize,
    make: impl Fn(&[&str]) -> RefUpdate,
) -> Result<Vec<RefUpdate>> {
    input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            // git separates the fields by a space; a ref name may hold
            // U+0085 or U+2028, which are Unicode's whitespace, not git's.
            let f: Vec<&str> = line.split_ascii_whitespace().collect();
            if f.len() != fields {
                return Err(crate::error::Invalid::HookInput {
                    line: line.to_owned(),
                    fields,
                }
                .into());
            }
            Ok(make(&f))
        })
        .collect()
}

/// A merge that `git commit` is about to record, as the git dir shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merge {
    /// `MERGE_HEAD`: a merge that stopped (at a conflict, or because
    /// pre-merge-commit refused it), finished with `git commit` or
    /// `git merge --continue`, which run pre-commit, not pre-merge-commit.
    Merge,
    /// `SQUASH_MSG`: `git merge --squash` staged a branch's changes, to be
    /// committed as one ordinary commit.
    Squash,
}

impl Merge {
    fn in_progress(ws: &Workspace) -> Option<Merge> {
        let dir = ws.git_dir();
        if dir.join("MERGE_HEAD").is_file() {
            Some(Merge::Merge)
        } else if dir.join("SQUASH_MSG").is_file() {
            Some(Merge::Squash)
        } else {
            None
        }
    }
}

/// `pre-commit`: the integrity of what the commit would record; while a
/// merge is being committed, also the gates of the current branch, as
/// `pre-merge-commit` has them.
pub fn pre_commit(ws: &Workspace) -> Result<Verdict> {
    if let Some(merge) = Merge::in_progress(ws) {
        return merging(ws, merge);
    }
    let loaded = ws.read(&Source::Index)?;
    Ok(Verdict {
        checked: vec![Checked {
            subject: "the staged tasks".into(),
            branch: None,
            report: check::check(&loaded, None),
        }],
        undo: None,
    })
}

/// `pre-merge-commit`: the gates of the current branch on the staged merge
/// result, and its integrity.
pub fn pre_merge_commit(ws: &Workspace) -> Result<Verdict> {
    merging(ws, Merge::Merge)
}

/// A merge about to be recorded on the current branch: its integrity, and
/// the gate rule with the branch's tip (HEAD) as the policy, so that the
/// merge cannot unprotect the branch either.
fn merging(ws: &Workspace, merge: Merge) -> Result<Verdict> {
    let branch = ws.head_branch();
    let head = ws.head_commit().ok().flatten();
    let (staged, policy) = match (&branch, head) {
        (Some(branch), Some(head)) => {
            let (tip, staged) = ws.read_pair(&Source::Rev(head.to_string()), &Source::Index)?;
            let short = ws.short_id(head);
            let policy = Policy {
                merge: true,
                ..Policy::read(
                    &tip.tasks,
                    &tip.config,
                    branch,
                    branch.clone(),
                    short,
                    false,
                )
            };
            (staged, Some(policy))
        }
        _ => (ws.read(&Source::Index)?, None),
    };
    let what = match merge {
        Merge::Merge => "the merge",
        Merge::Squash => "the squash merge",
    };
    let report = match (&branch, &policy) {
        (Some(branch), Some(policy)) => check::check_tip(&staged, branch, policy),
        _ => check::check(&staged, branch.as_deref()),
    };
    Ok(Verdict {
        checked: vec![Checked {
            subject: match &branch {
                Some(b) => format!("{what} into {b}"),
                None => what.into(),
            },
            report,
            branch,
        }],
        undo: Some(
            match merge {
                Merge::Merge => "To give up the merge: git merge --abort",
                Merge::Squash => "To undo the squash merge: git reset --merge",
            }
            .into(),
        ),
    })
}

/// `pre-push` and `pre-receive`: for each updated ref (deletions pass),
/// the integrity of every commit the push adds, and of the commit the ref
/// will point at together with, for a branch, the gates that protect it
/// (docs/hooks.md): those the branch has before the push and those of the
/// new commit.
/// A ref to a tree or a blob has nothing to check.
pub fn ref_updates(ws: &Workspace, updates: &[RefUpdate], side: Side) -> Result<Verdict> {
    let mut push = Push::new(ws.history());
    let mut tips = Vec::new();
    for update in updates {
        let Some(new) = &update.new else { continue };
        let id = object_id(new)?;
        if let Some(commit) = push.history.peel_to_commit(id)? {
            tips.push((update, commit));
        }
    }
    let known = known_to_remote(ws, &mut push.history, updates, side)?;
    let tip_ids: HashSet<ObjectId> = tips.iter().map(|(_, c)| *c).collect();
    let mut verdict = Verdict::default();
    for (update, tip) in tips {
        let branch = update
            .refname
            .starts_with("refs/heads/")
            .then(|| short_branch(&update.refname).to_owned());
        // The policy first: its commit is usually the parent of the first
        // commit added, so the walk starts where it left off.
        let policy = match &branch {
            Some(branch) => Some(policy_for(ws, &mut push.history, update, branch, side)?),
            None => None,
        };
        for added in push.history.added(tip, &known)? {
            if tip_ids.contains(&added.id) || !push.checked.insert(added.id) {
                continue;
            }
            if let Some(report) = push.introduced(&added)? {
                let short = push.history.short(&added.id);
                let subject = push.history.subject(&added.id)?;
                verdict.checked.push(Checked {
                    subject: format!(
                        "commit {short} \"{subject}\" (pushed to {})",
                        update.refname
                    ),
                    branch: None,
                    report,
                });
            }
        }
        let loaded = push.history.load(&tip)?;
        let report = match (&branch, &policy) {
            (Some(branch), Some(policy)) => check::check_tip(loaded, branch, policy),
            _ => check::check(loaded, None),
        };
        let new = update.new.as_deref().unwrap_or_default();
        verdict.checked.push(Checked {
            subject: format!("{} at {}", update.refname, &new[..new.len().min(12)]),
            report,
            branch,
        });
    }
    Ok(verdict)
}

fn object_id(sha: &str) -> Result<ObjectId> {
    ObjectId::from_hex(sha.as_bytes()).map_err(|e| Error::NotAnObjectId {
        sha: sha.to_owned(),
        source: e.into(),
    })
}

/// The commits a push does not add. On the server: those outside the
/// quarantine git keeps the pushed objects in (or, outside a real push,
/// those reachable from any ref). In the clone: those reachable from what
/// the remote has, as far as this clone knows: the old tips of the pushed
/// refs, and the remote-tracking refs of the remote.
fn known_to_remote(
    ws: &Workspace,
    history: &mut History,
    updates: &[RefUpdate],
    side: Side,
) -> Result<Known> {
    let mut tips = Vec::new();
    match side {
        Side::Server => {
            if let Some(dir) = std::env::var_os("GIT_QUARANTINE_PATH") {
                return Ok(Known::OutsideQuarantine(dir.into()));
            }
            tips.extend(ref_commits(ws, history, None)?);
        }
        Side::Client { remote } => {
            for update in updates {
                if let Some(old) = update.old.as_deref().and_then(|s| local(ws, history, s)) {
                    tips.push(old);
                }
            }
            if let Some(remote) = remote.filter(|r| is_remote(ws, r)) {
                tips.extend(ref_commits(
                    ws,
                    history,
                    Some(&format!("refs/remotes/{remote}/")),
                )?);
            }
        }
    }
    tips.sort();
    tips.dedup();
    Ok(Known::ReachableFrom(tips))
}

/// Whether `name` is a remote configured here (not a URL).
fn is_remote(ws: &Workspace, name: &str) -> bool {
    ws.git_config(&format!("remote.{name}.url")).is_some()
}

/// The commit `sha` names when this repository has it.
fn local(ws: &Workspace, history: &mut History, sha: &str) -> Option<ObjectId> {
    let id = ObjectId::from_hex(sha.as_bytes()).ok()?;
    if !ws.has_object(&id) {
        return None;
    }
    history.peel_to_commit(id).ok().flatten()
}

/// The commits the refs under `prefix` (every ref when `None`) point at,
/// through tags; refs to trees, blobs or nothing are left out.
fn ref_commits(
    ws: &Workspace,
    history: &mut History,
    prefix: Option<&str>,
) -> Result<Vec<ObjectId>> {
    let mut ids = Vec::new();
    for id in ws.reference_targets(prefix)? {
        if let Ok(Some(commit)) = history.peel_to_commit(id) {
            ids.push(commit);
        }
    }
    Ok(ids)
}

/// Which gates protect `branch` for this update, read from the branch's
/// tip before it: the old sha (in the clone, when it has that commit, else
/// what it last fetched of the branch). A branch the push creates has no
/// old tip; it is held to the gates its default branch has for it (the
/// server's HEAD; the remote's HEAD as the clone knows it), besides those
/// of its own commit.
fn policy_for(
    ws: &Workspace,
    history: &mut History,
    update: &RefUpdate,
    branch: &str,
    side: Side,
) -> Result<Policy> {
    let tracking = |remote: &str| format!("refs/remotes/{remote}/{branch}");
    // The commit, the branch's name as people know it here, and whether it
    // is the default branch standing in for one that does not exist yet.
    let base: Option<(ObjectId, String, bool)> = match (side, update.old.as_deref()) {
        (Side::Server, Some(old)) => Some((object_id(old)?, branch.to_owned(), false)),
        (Side::Server, None) => match (ws.head_branch(), ws.head_commit().ok().flatten()) {
            (Some(branch), Some(id)) => Some((id, branch, true)),
            _ => None,
        },
        (Side::Client { remote }, old) => {
            let remote = remote.filter(|r| is_remote(ws, r));
            // As git names what it last fetched: origin/main.
            let remote_branch = match remote {
                Some(remote) => format!("{remote}/{branch}"),
                None => branch.to_owned(),
            };
            match old.and_then(|s| local(ws, history, s)) {
                Some(id) => Some((id, remote_branch, false)),
                None => {
                    let name = match (remote, old) {
                        (Some(remote), Some(_)) => Some(tracking(remote)),
                        (Some(remote), None) => Some(format!("refs/remotes/{remote}/HEAD")),
                        (None, _) => None,
                    };
                    match name.and_then(|n| tracking_tip(ws, history, &n)) {
                        Some((id, _)) if old.is_some() => Some((id, remote_branch, false)),
                        Some((id, name)) => Some((id, name, true)),
                        None => None,
                    }
                }
            }
        }
    };
    let Some((commit, from, default_branch)) = base else {
        return Ok(Policy::default());
    };
    let Some(commit) = history.peel_to_commit(commit)? else {
        return Ok(Policy::default());
    };
    let short = history.short(&commit);
    let loaded: &Loaded = history.load(&commit)?;
    Ok(Policy::read(
        &loaded.tasks,
        &loaded.config,
        branch,
        from,
        short,
        default_branch,
    ))
}

/// The commit a remote-tracking ref points at, and the name of the remote
/// branch it follows (`refs/remotes/origin/HEAD` → `origin/main`).
fn tracking_tip(ws: &Workspace, history: &mut History, name: &str) -> Option<(ObjectId, String)> {
    let reference = ws.reference(name).ok().flatten()?;
    let target = reference.target;
    let shown = target
        .strip_prefix("refs/remotes/")
        .unwrap_or(&target)
        .to_owned();
    history
        .peel_to_commit(reference.id)
        .ok()
        .flatten()
        .map(|c| (c, shown))
}

/// The integrity of the commits a push adds, each read from the last.
struct Push {
    history: History,
    /// The errors of each `.tasks` tree checked in full.
    errors: HashMap<Option<ObjectId>, HashSet<ErrorKey>>,
    /// The `.tasks` trees whose errors have been accounted to a commit.
    accounted: HashSet<Option<ObjectId>>,
    /// The commits looked at, over all refs of the push.
    checked: HashSet<ObjectId>,
}

impl Push {
    fn new(history: History) -> Push {
        Push {
            history,
            errors: HashMap::new(),
            accounted: HashSet::new(),
            checked: HashSet::new(),
        }
    }

    /// The integrity errors `commit` brings: those none of its parents has.
    /// An error that stays is reported once, where it came in. `None` when
    /// there are none, or its `.tasks` tree was looked at already.
    fn introduced(&mut self, commit: &Added) -> Result<Option<Report>> {
        let tree = self.history.tasks_tree(&commit.id)?;
        let mut parent_trees = Vec::new();
        for parent in &commit.parents {
            parent_trees.push(self.history.tasks_tree(parent)?);
        }
        if parent_trees.contains(&tree) || !self.accounted.insert(tree) {
            return Ok(None);
        }
        let mut found = None;
        if let [parent] = commit.parents.as_slice() {
            found = self.changed_files_alone(parent, &commit.id)?;
        }
        let (tasks, errors) = match found {
            Some(found) => found,
            None => {
                let (tasks, all) = self.full(&commit.id)?;
                // Only a commit with errors needs its parents' to tell
                // which are new.
                let mut inherited = HashSet::new();
                if !all.is_empty() {
                    for parent in &commit.parents {
                        inherited.extend(self.errors_of(parent)?);
                    }
                }
                let errors = all
                    .into_iter()
                    .filter(|d| !inherited.contains(&d.key()))
                    .collect();
                (tasks, errors)
            }
        };
        Ok((!errors.is_empty()).then_some(Report {
            tasks,
            diagnostics: errors,
        }))
    }

    /// The errors `commit` brings over `parent`, read from the files it
    /// changed alone, when none of them changes how tasks relate (see
    /// [`check::Links`] and [`check::appear_unrelated`]); `None` when one
    /// does and the whole set must be checked.
    fn changed_files_alone(
        &mut self,
        parent: &ObjectId,
        commit: &ObjectId,
    ) -> Result<Option<(usize, Vec<Diagnostic>)>> {
        self.history.load(parent)?;
        let names = self.history.changes_to(commit)?;
        let loaded = self.history.loaded();
        let links: Vec<check::Links> = names.iter().map(|n| check::links(loaded, n)).collect();
        let before = file_errors(loaded);
        let loaded = self.history.load(commit)?;
        // Files whose links stay the same, and tasks that appear with no
        // way into a cycle, bring no errors about how tasks relate.
        let mut appeared = Vec::new();
        for (name, links) in names.iter().zip(&links) {
            let now = check::links(loaded, name);
            if &now == links {
                continue;
            }
            match (links, name.strip_suffix(".toml")) {
                (check::Links::NotATask, Some(id)) => appeared.push(id),
                _ => return Ok(None),
            }
        }
        if !check::appear_unrelated(loaded, &appeared) {
            return Ok(None);
        }
        // What is left are the findings about single files, new or
        // changed in this commit: a file that stopped reading, a stray.
        let errors = check::file_diagnostics(loaded)
            .into_iter()
            .filter(|d| d.severity == Severity::Error && !before.contains(&d.key()))
            .collect();
        Ok(Some((check::task_files(loaded), errors)))
    }

    /// Every integrity error of `commit`, and how many task files it has.
    fn full(&mut self, commit: &ObjectId) -> Result<(usize, Vec<Diagnostic>)> {
        let tree = self.history.tasks_tree(commit)?;
        let loaded = self.history.load(commit)?;
        let errors: Vec<Diagnostic> = check::check(loaded, None)
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let tasks = check::task_files(loaded);
        self.errors
            .insert(tree, errors.iter().map(Diagnostic::key).collect());
        Ok((tasks, errors))
    }

    /// The integrity errors of `commit`, checked once per `.tasks` tree.
    fn errors_of(&mut self, commit: &ObjectId) -> Result<HashSet<ErrorKey>> {
        let tree = self.history.tasks_tree(commit)?;
        if let Some(errors) = self.errors.get(&tree) {
            return Ok(errors.clone());
        }
        self.full(commit)?;
        Ok(self.errors.get(&tree).cloned().unwrap_or_default())
    }
}

/// The keys of the errors about single files in `loaded`.
fn file_errors(loaded: &Loaded) -> HashSet<ErrorKey> {
    check::file_diagnostics(loaded)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.key())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZERO: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_hook_input() {
        let sha = "1".repeat(40);
        let old = "2".repeat(40);
        let push = format!(
            "refs/heads/main {sha} refs/heads/main {ZERO}\nrefs/heads/old {ZERO} refs/heads/old {old}\n"
        );
        let updates = parse_pre_push(&push).unwrap();
        assert_eq!(updates[0].new.as_deref(), Some(sha.as_str()));
        assert_eq!(updates[0].old, None);
        assert_eq!(updates[1].new, None);
        assert_eq!(updates[1].old.as_deref(), Some(old.as_str()));
        let receive = format!("{old} {sha} refs/heads/topic\n");
        let updates = parse_pre_receive(&receive).unwrap();
        assert_eq!(updates[0].refname, "refs/heads/topic");
        assert_eq!(updates[0].old.as_deref(), Some(old.as_str()));
        assert!(parse_pre_receive("garbage").is_err());
    }
}
