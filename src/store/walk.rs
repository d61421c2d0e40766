//! The commits a push adds, and the tasks of each read one change at a
//! time: what `pre-push` and `pre-receive` read (docs/hooks.md).
//!
//! A push of a few commits to a large task set must cost about one read of
//! the task set, not one per commit. So [`History`] keeps the tasks of one
//! `.tasks` tree in memory and moves from tree to tree by re-reading only
//! the files whose blobs differ; a blob it has parsed once is kept, so going
//! back to it parses nothing.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::{Exists, Kind};
use gix::prelude::ObjectIdExt;

use super::git::{self, Objects};
use super::{
    Blob, CONFIG_FILE, Loaded, Outcome, Reuse, SourceFile, TASKS_DIR, Workspace, load_files,
    parse_file,
};
use crate::error::{Error, GitOp, ObjectProblem, Result};
use crate::id::TaskId;

/// A commit a push adds, with its parents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub id: ObjectId,
    pub parents: Vec<ObjectId>,
}

/// Which commits the remote already has, so that a push does not add them.
#[derive(Debug, Clone)]
pub enum Known {
    /// Those reachable from these commits (the remote's tips, as far as
    /// this clone knows them, or every ref of the repository).
    ReachableFrom(Vec<ObjectId>),
    /// Every one outside this directory. Inside `pre-receive`, git keeps
    /// the objects being pushed in a quarantine directory
    /// (`GIT_QUARANTINE_PATH`) until the hooks accept them, so the commits
    /// there are the ones the push adds.
    OutsideQuarantine(std::path::PathBuf),
}

/// A file of `.tasks/` whose version differs between two trees.
#[derive(Debug, Clone)]
struct Change {
    name: String,
    /// `None` where the tree does not have it.
    old: Option<Blob>,
    new: Option<Blob>,
}

/// The tasks of one `.tasks` tree, read.
#[derive(Default)]
struct Current {
    /// The tree, or `None` for a commit without `.tasks/`.
    tree: Option<ObjectId>,
    /// The tree object's data, to compare the next tree with.
    data: Vec<u8>,
    /// Where each entry of `data` starts, and its end.
    starts: Vec<usize>,
    /// Files whose stem is not a task id: what is said about them depends
    /// on the other names (a name that differs from another only in case).
    odd: BTreeSet<String>,
    loaded: Loaded,
}

/// Reads the tasks of many commits of one repository, parsing each blob
/// once. Commits are read through the same object access as
/// [`super::Source::Rev`], so inside `pre-receive` it sees the quarantine.
pub struct History {
    objects: Objects,
    buf: Vec<u8>,
    /// Commit → its `.tasks` tree, if it has one.
    tasks_trees: HashMap<ObjectId, Option<ObjectId>>,
    /// Files parsed before and no longer in `current`, by name and blob.
    parsed: HashMap<(String, ObjectId), Outcome>,
    current: Current,
    /// What [`History::changes_to`] found last, for the `load` after it:
    /// the tree, its data and how it differs from the current one.
    pending: Option<Pending>,
}

/// A `.tasks` tree read and compared with the current one.
struct Pending {
    tree: Option<ObjectId>,
    data: Vec<u8>,
    starts: Vec<usize>,
    changes: Vec<Change>,
}

/// Above this many changed files a move re-reads the whole set, which
/// costs less than inserting that many tasks one by one.
const PATCH_LIMIT: usize = 64;

impl Workspace {
    /// A reader for the commits of this repository.
    pub fn history(&self) -> History {
        History {
            objects: Objects::new(self.repo.clone()),
            buf: Vec::new(),
            tasks_trees: HashMap::new(),
            parsed: HashMap::new(),
            current: Current::default(),
            pending: None,
        }
    }
}

impl History {
    fn repo(&self) -> &gix::Repository {
        self.objects.repo()
    }

    fn hash(&self) -> gix::hash::Kind {
        self.repo().object_hash()
    }

    /// The commit `id` names once annotated tags are followed, or `None`
    /// when it names a tree or a blob.
    pub fn peel_to_commit(&mut self, id: ObjectId) -> Result<Option<ObjectId>> {
        let hash = self.hash();
        let mut id = id;
        // A chain of tags longer than this is a loop or an attack.
        for _ in 0..64 {
            let data = self
                .objects
                .find(&id, &mut self.buf)
                .map_err(Error::Object)?;
            match data.kind {
                Kind::Commit => return Ok(Some(id)),
                Kind::Tag => {
                    id = gix::objs::TagRefIter::from_bytes(data.data, hash)
                        .target_id()
                        .map_err(|e| Error::git(GitOp::ReadTag { id: id.to_string() }, e))?;
                }
                Kind::Tree | Kind::Blob => return Ok(None),
            }
        }
        Err(ObjectProblem::TagWithoutTarget { id: id.to_string() }.into())
    }

    /// The commits reachable from `tip` that the remote does not have yet,
    /// each after its parents (the first parent's line last, right before
    /// the commit itself, so that moving from one to the next changes
    /// little).
    pub fn added(&self, tip: ObjectId, known: &Known) -> Result<Vec<Added>> {
        let fail = |e: gix::Error| {
            Error::git(
                GitOp::WalkHistory {
                    tip: Some(tip.to_string()),
                },
                e,
            )
        };
        let objects = &self.objects;
        let mut commits = Vec::new();
        // A parent that is not there (a shallow clone's boundary) ends the
        // walk like a root commit does.
        let mut collect = |info: gix::traverse::commit::Info| {
            commits.push(Added {
                id: info.id,
                parents: info
                    .parent_ids
                    .into_iter()
                    .filter(|p| objects.exists(p))
                    .collect(),
            })
        };
        match known {
            Known::ReachableFrom(hidden) => {
                let walk = gix::traverse::commit::Simple::filtered([tip], objects, |id| {
                    objects.exists(id)
                })
                .commit_graph(self.repo().commit_graph_if_enabled().ok().flatten())
                .hide(hidden.iter().copied())
                .map_err(fail)?;
                for info in walk {
                    collect(info.map_err(fail)?);
                }
            }
            Known::OutsideQuarantine(dir) => {
                let quarantine = gix::odb::at(dir, self.hash()).map_err(|e| {
                    Error::git(
                        GitOp::ReadQuarantine {
                            dir: dir.to_path_buf(),
                        },
                        e,
                    )
                })?;
                let walk = gix::traverse::commit::Simple::filtered([tip], objects, |id| {
                    quarantine.exists(id)
                });
                for info in walk {
                    collect(info.map_err(fail)?);
                }
            }
        }
        Ok(parents_first(commits))
    }

    /// The first line of the commit's message.
    pub fn subject(&mut self, commit: &gix::oid) -> Result<String> {
        let hash = self.hash();
        let data = self
            .objects
            .find(commit, &mut self.buf)
            .map_err(Error::Object)?;
        let parsed = gix::objs::CommitRef::from_bytes(data.data, hash).map_err(|e| {
            Error::git(
                GitOp::ReadCommit {
                    id: commit.to_string(),
                    part: None,
                },
                e,
            )
        })?;
        Ok(parsed.message_summary().to_str_lossy().into_owned())
    }

    /// The commit's id abbreviated as git abbreviates it (`core.abbrev`,
    /// else at least 7 digits, more in a large repository).
    pub fn short(&self, commit: &gix::oid) -> String {
        let repo = self.repo();
        if let Ok(prefix) = commit.to_owned().attach(repo).shorten() {
            return prefix.to_string();
        }
        // Only in the quarantine, where gix cannot disambiguate: as long as
        // git would make it.
        let configured = repo
            .config_snapshot()
            .integer("core.abbrev")
            .and_then(|n| usize::try_from(n).ok());
        let auto = || {
            let count = repo.objects.packed_object_count().unwrap_or(0);
            ((64 - count.leading_zeros()) as usize).div_ceil(2).max(7)
        };
        let len = configured.unwrap_or_else(auto).clamp(4, 40);
        commit.to_hex_with_len(len).to_string()
    }

    /// The `.tasks` tree of `commit`, if it has one.
    pub fn tasks_tree(&mut self, commit: &gix::oid) -> Result<Option<ObjectId>> {
        if let Some(tree) = self.tasks_trees.get(commit) {
            return Ok(*tree);
        }
        let hash = self.hash();
        let fail = |e: Box<dyn std::error::Error + Send + Sync>| {
            Error::git(
                GitOp::ReadCommit {
                    id: commit.to_string(),
                    part: None,
                },
                e,
            )
        };
        let data = self
            .objects
            .find(commit, &mut self.buf)
            .map_err(|e| fail(e.into()))?;
        if data.kind != Kind::Commit {
            return Err(fail(
                ObjectProblem::NotACommit {
                    kind: data.kind.to_string(),
                }
                .into(),
            ));
        }
        let root = gix::objs::CommitRefIter::from_bytes(data.data, hash)
            .tree_id()
            .map_err(|e| fail(e.into()))?;
        let data = self
            .objects
            .find(&root, &mut self.buf)
            .map_err(|e| fail(e.into()))?;
        let mut tasks = None;
        for entry in gix::objs::TreeRefIter::from_bytes(data.data, hash) {
            let entry = entry.map_err(|e| fail(e.into()))?;
            if entry.filename == TASKS_DIR.as_bytes() {
                tasks = entry.mode.is_tree().then(|| entry.oid.to_owned());
                break;
            }
        }
        self.tasks_trees.insert(commit.to_owned(), tasks);
        Ok(tasks)
    }

    /// The tasks read last.
    pub fn loaded(&self) -> &Loaded {
        &self.current.loaded
    }

    /// The names of the files of `.tasks/` that differ between the tasks
    /// read last and those of `commit`: the only ones whose findings can
    /// change. That includes files whose name is not a task id when a file
    /// comes or goes, because what is said about them depends on the other
    /// names.
    pub fn changes_to(&mut self, commit: &gix::oid) -> Result<Vec<String>> {
        let tree = self.tasks_tree(commit)?;
        if tree == self.current.tree {
            return Ok(Vec::new());
        }
        let data = self.tree_data(tree)?;
        let (changes, starts) = self.diff(&data)?;
        let names = changes.iter().map(|c| c.name.clone()).collect();
        self.pending = Some(Pending {
            tree,
            data,
            starts,
            changes,
        });
        Ok(names)
    }

    /// Reads the tasks of `commit` (what `Workspace::read` of the revision
    /// would return), reading again only what changed since the last read.
    pub fn load(&mut self, commit: &gix::oid) -> Result<&Loaded> {
        let tree = self.tasks_tree(commit)?;
        if tree == self.current.tree {
            return Ok(&self.current.loaded);
        }
        let pending = match self.pending.take() {
            Some(pending) if pending.tree == tree => pending,
            _ => {
                let data = self.tree_data(tree)?;
                let (changes, starts) = self.diff(&data)?;
                Pending {
                    tree,
                    data,
                    starts,
                    changes,
                }
            }
        };
        let changes = &pending.changes;
        if changes.len() > PATCH_LIMIT || self.current.tree.is_none() {
            self.reread(commit, changes)?;
        } else {
            self.patch(&pending.data, changes);
            // The tree diff follows task files only; what else the tree
            // holds is listed again (no blob is read for it).
            self.current.loaded.strays = git::strays_in(&pending.data, self.hash());
        }
        for change in changes {
            if change.new.is_none() {
                self.current.odd.remove(&change.name);
            } else if !has_task_stem(&change.name) {
                self.current.odd.insert(change.name.clone());
            }
        }
        self.current.tree = tree;
        self.current.data = pending.data;
        self.current.starts = pending.starts;
        Ok(&self.current.loaded)
    }

    /// The data of a `.tasks` tree; none for a commit without one.
    fn tree_data(&mut self, tree: Option<ObjectId>) -> Result<Vec<u8>> {
        let Some(tree) = tree else {
            return Ok(Vec::new());
        };
        let data = self
            .objects
            .find(&tree, &mut self.buf)
            .map_err(Error::Object)?;
        Ok(data.data.to_vec())
    }

    /// The files whose versions differ between the current tree and the
    /// tree of `data`, and, when a file comes or goes, every file whose
    /// stem is not a task id; with where the entries of `data` start.
    ///
    /// Two versions of a large `.tasks` tree differ in a few entries: the
    /// entries before the first byte that differs and those after the last
    /// one are the same in both and are never parsed.
    fn diff(&self, data: &[u8]) -> Result<(Vec<Change>, Vec<usize>)> {
        let hash = self.hash();
        let old = &self.current.data[..];
        let old_starts: &[usize] = if self.current.starts.is_empty() {
            &[0]
        } else {
            &self.current.starts
        };
        let prefix = common_prefix(old, data);
        // The entry the first difference is in starts at the same place in
        // both trees.
        let first = old_starts
            .partition_point(|&s| s <= prefix)
            .saturating_sub(1);
        let from = old_starts[first];
        let suffix = common_suffix(&old[from..], &data[from..]);
        let shift = data.len() as isize - old.len() as isize;
        // Walk the new entries from there until one starts inside the common
        // suffix where an old entry starts: from then on they are the same.
        let mut new_starts = Vec::new();
        let mut at = from;
        let last = loop {
            if at + suffix >= data.len() {
                let in_old = (at as isize - shift) as usize;
                if let Ok(k) = old_starts.binary_search(&in_old) {
                    break k;
                }
            }
            new_starts.push(at);
            at = entry_end(data, at, hash)?;
        };
        let raw = |data, start| raw_entry(data, start, hash);
        let entry = |data, start| -> Result<Option<(String, Blob)>> {
            Ok(git::source_file(&raw_entry(data, start, hash)?).map(|f| (f.name, f.blob)))
        };
        let mut changes: Vec<Change> = Vec::new();
        let mut push = |old: Option<(String, Blob)>, new: Option<(String, Blob)>| {
            let name = match (&old, &new) {
                (Some((name, _)), _) | (None, Some((name, _))) => name.clone(),
                (None, None) => return,
            };
            let (old, new) = (old.map(|(_, v)| v), new.map(|(_, v)| v));
            let same = matches!((&old, &new), (Some(a), Some(b)) if a == b);
            if !same {
                changes.push(Change { name, old, new });
            }
        };
        let old_middle = &old_starts[first..last];
        let (mut i, mut j) = (0, 0);
        while i < old_middle.len() || j < new_starts.len() {
            let order = match (old_middle.get(i), new_starts.get(j)) {
                (Some(&a), Some(&b)) => {
                    let (a, b) = (raw(old, a)?, raw(data, b)?);
                    gix::objs::tree::name_order(
                        a.filename,
                        a.mode.is_tree(),
                        b.filename,
                        b.mode.is_tree(),
                    )
                }
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, _) => std::cmp::Ordering::Greater,
            };
            match order {
                std::cmp::Ordering::Less => {
                    push(entry(old, old_middle[i])?, None);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    push(None, entry(data, new_starts[j])?);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    if raw(old, old_middle[i])? != raw(data, new_starts[j])? {
                        push(entry(old, old_middle[i])?, entry(data, new_starts[j])?);
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        let comes_or_goes = changes.iter().any(|c| c.old.is_none() || c.new.is_none());
        if comes_or_goes && !self.current.odd.is_empty() {
            let listed: HashSet<String> = changes.iter().map(|c| c.name.clone()).collect();
            let all = tree_entries(data, hash)?;
            for name in &self.current.odd {
                if listed.contains(name) {
                    continue;
                }
                // Unchanged, so the same in both trees; read again.
                let version = all
                    .iter()
                    .find(|e| e.filename == name.as_bytes())
                    .and_then(git::source_file)
                    .map(|f| f.blob);
                changes.push(Change {
                    name: name.clone(),
                    old: version.clone(),
                    new: version,
                });
            }
            changes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        let mut starts = Vec::with_capacity(old_starts.len() + new_starts.len());
        starts.extend_from_slice(&old_starts[..first]);
        starts.extend(new_starts);
        starts.extend(
            old_starts[last..]
                .iter()
                .map(|&s| (s as isize + shift) as usize),
        );
        Ok((changes, starts))
    }

    /// Reads every file of `commit` anew, taking the tasks whose blobs did
    /// not change from the current set.
    fn reread(&mut self, commit: &gix::oid, changes: &[Change]) -> Result<()> {
        let files = git::revision_files(&self.objects, &commit.to_string())?;
        let old = std::mem::take(&mut self.current);
        let changed: HashSet<&str> = changes.iter().map(|c| c.name.as_str()).collect();
        // What did not read before is read again: `Reuse` stands in only
        // for files that read.
        let unread: HashSet<&Path> = old
            .loaded
            .problems
            .iter()
            .map(|p| p.path.as_path())
            .collect();
        let oids = files
            .files
            .iter()
            .filter(|f| !changed.contains(f.name.as_str()))
            .filter(|f| !unread.contains(Path::new(TASKS_DIR).join(&f.name).as_path()))
            .filter_map(|f| match f.blob {
                Blob::Object(oid) => Some((f.name.clone(), oid)),
                _ => None,
            })
            .collect();
        self.current.odd = files
            .files
            .iter()
            .filter(|f| !has_task_stem(&f.name))
            .map(|f| f.name.clone())
            .collect();
        let reuse = Reuse {
            oids,
            loaded: &old.loaded,
        };
        self.current.loaded = load_files(files, self.objects.repo(), Some(&reuse), None).0;
        Ok(())
    }

    /// Takes the changed files out of the current set and puts their new
    /// versions in.
    fn patch(&mut self, data: &[u8], changes: &[Change]) {
        for change in changes {
            if change.old.is_none() {
                continue;
            }
            if let Some(outcome) = take(&mut self.current.loaded, &change.name)
                && let Some(key) = cache_key(&change.name, change.old.as_ref())
            {
                self.parsed.insert(key, outcome);
            }
        }
        // Only a file whose stem is not a task id needs the other names.
        let mut names: Vec<SourceFile> = if changes.iter().any(|c| !has_task_stem(&c.name)) {
            gix::objs::TreeRefIter::from_bytes(data, self.hash())
                .filter_map(|e| e.ok().and_then(|e| git::source_file(&e)))
                .collect()
        } else {
            Vec::new()
        };
        super::sort_by_stem(&mut names);
        let mut outcomes = Vec::new();
        for change in changes {
            let Some(version) = &change.new else {
                continue;
            };
            let cached =
                cache_key(&change.name, Some(version)).and_then(|key| self.parsed.remove(&key));
            outcomes.push(cached.unwrap_or_else(|| {
                let file = SourceFile {
                    name: change.name.clone(),
                    blob: version.clone(),
                };
                parse_file(&self.objects, &file, &names)
            }));
        }
        for outcome in outcomes {
            put(&mut self.current.loaded, outcome);
        }
    }
}

/// Where the tree entry that starts at `start` ends: `<mode> <name>\0`
/// and the object id.
fn entry_end(data: &[u8], start: usize, hash: gix::hash::Kind) -> Result<usize> {
    let bad = || Error::Object(ObjectProblem::DamagedTasksTree);
    let nul = data
        .get(start..)
        .and_then(|d| d.find_byte(0))
        .ok_or_else(bad)?;
    let end = start + nul + 1 + hash.len_in_bytes();
    if end > data.len() {
        return Err(bad());
    }
    Ok(end)
}

/// The tree entry that starts at `start`.
fn raw_entry(
    data: &[u8],
    start: usize,
    hash: gix::hash::Kind,
) -> Result<gix::objs::tree::EntryRef<'_>> {
    let end = entry_end(data, start, hash)?;
    gix::objs::TreeRefIter::from_bytes(&data[start..end], hash)
        .next()
        .transpose()
        .map_err(|e| Error::git(GitOp::ReadTasksTree, e))?
        .ok_or(Error::Object(ObjectProblem::DamagedTasksTree))
}

/// How many bytes `a` and `b` have the same at the start.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many bytes `a` and `b` have the same at the end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (a, b) = (&a[a.len() - n..], &b[b.len() - n..]);
    let mut i = 0;
    while i + 64 <= n && a[n - i - 64..n - i] == b[n - i - 64..n - i] {
        i += 64;
    }
    while i < n && a[n - i - 1] == b[n - i - 1] {
        i += 1;
    }
    i
}

/// The entries of a tree object's data.
fn tree_entries(data: &[u8], hash: gix::hash::Kind) -> Result<Vec<gix::objs::tree::EntryRef<'_>>> {
    gix::objs::TreeRefIter::from_bytes(data, hash)
        .collect::<Result<_, _>>()
        .map_err(|e| Error::git(GitOp::ReadTasksTree, e))
}

/// Whether the file's stem is a task id: what is said about any other
/// file depends on the other names too.
fn has_task_stem(name: &str) -> bool {
    name == CONFIG_FILE
        || name
            .strip_suffix(".toml")
            .is_some_and(|stem| TaskId::parse(stem).is_ok())
}

/// The key under which a parsed file is kept, when it can be kept.
fn cache_key(name: &str, version: Option<&Blob>) -> Option<(String, ObjectId)> {
    match version {
        Some(Blob::Object(oid)) if has_task_stem(name) => Some((name.to_owned(), *oid)),
        _ => None,
    }
}

/// Takes what file `name` contributed out of `loaded`.
fn take(loaded: &mut Loaded, name: &str) -> Option<Outcome> {
    let path = Path::new(TASKS_DIR).join(name);
    if let Some(i) = loaded.problems.iter().position(|p| p.path == path) {
        return Some(Outcome::Problem(loaded.problems.remove(i)));
    }
    if name == CONFIG_FILE {
        return Some(Outcome::Config(std::mem::take(&mut loaded.config)));
    }
    let stem = name.strip_suffix(".toml")?;
    let i = loaded.tasks.index_of(stem)?;
    let task = loaded.tasks.remove(stem)?;
    let text = loaded.texts.remove(i);
    Some(Outcome::Task(task, text))
}

/// Puts what one file contributes into `loaded`, where a fresh read would
/// have it.
fn put(loaded: &mut Loaded, outcome: Outcome) {
    match outcome {
        Outcome::Task(task, text) => {
            let id = task.id.clone();
            let existed = loaded.tasks.index_of(id.as_str()).is_some();
            loaded.tasks.upsert(task);
            if let Some(i) = loaded.tasks.index_of(id.as_str()) {
                if existed {
                    loaded.texts.set(i, text);
                } else {
                    loaded.texts.insert(i, text);
                }
            }
        }
        Outcome::Config(config) => loaded.config = config,
        Outcome::Problem(problem) => {
            let i = loaded.problems.partition_point(|p| p.path < problem.path);
            loaded.problems.insert(i, problem);
        }
    }
}

/// Orders `commits` (as a walk yields them, tips first) so that each comes
/// after its parents among them.
fn parents_first(commits: Vec<Added>) -> Vec<Added> {
    let index: HashMap<ObjectId, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut done = vec![false; commits.len()];
    let mut order = Vec::with_capacity(commits.len());
    for start in 0..commits.len() {
        let mut stack = vec![(start, false)];
        while let Some((i, expanded)) = stack.pop() {
            if done[i] {
                continue;
            }
            if expanded {
                done[i] = true;
                order.push(i);
                continue;
            }
            stack.push((i, true));
            // Pushed first, popped last: the first parent's line is
            // finished right before the commit.
            for parent in &commits[i].parents {
                if let Some(&p) = index.get(parent)
                    && !done[p]
                {
                    stack.push((p, false));
                }
            }
        }
    }
    let mut slots: Vec<Option<Added>> = commits.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Source;

    fn added(id: u8, parents: &[u8]) -> Added {
        let oid = |n: u8| ObjectId::from_bytes_or_panic(&[n; 20]);
        Added {
            id: oid(id),
            parents: parents.iter().map(|&p| oid(p)).collect(),
        }
    }

    #[test]
    fn parents_come_first_and_the_first_parent_last() {
        // 1 ← 2 ← 4 (merge of 2 and 3), 1 ← 3; 5 is outside the set.
        let walk = vec![
            added(4, &[2, 3]),
            added(3, &[1]),
            added(2, &[1]),
            added(1, &[5]),
        ];
        let order: Vec<u8> = parents_first(walk)
            .iter()
            .map(|c| c.id.as_bytes()[0])
            .collect();
        assert_eq!(order, vec![1, 3, 2, 4]);
    }

    /// Every commit of a history that adds, changes, breaks, renames and
    /// removes tasks reads, by moving from commit to commit, exactly as a
    /// fresh read of the revision.
    #[test]
    fn moving_between_commits_reads_what_a_fresh_read_does() {
        let repo = crate::store::testing::TestRepo::new();
        let root = &repo.root();
        let tasks = root.join(TASKS_DIR);
        std::fs::create_dir_all(&tasks).unwrap();
        let write = |name: &str, text: &str| std::fs::write(tasks.join(name), text).unwrap();
        let remove = |name: &str| std::fs::remove_file(tasks.join(name)).unwrap();
        let commit = |message: &str| {
            repo.git(&["add", "-A"]);
            repo.git(&["commit", "-q", "--allow-empty", "-m", message]);
            repo.git(&["rev-parse", "HEAD"])
        };
        let mut commits = Vec::new();
        write("a.toml", "subject = \"A\"\n");
        write("b.toml", "subject = \"B\"\nblocked_by = [\"a\"]\n");
        commits.push(commit("two tasks"));
        write("config.toml", "[gates]\nbranches = [\"trunk\"]\n");
        write("a-b.toml", "subject = \"AB\"\nparent = \"a\"\n");
        write("Upper.toml", "subject = \"U\"\n");
        std::fs::create_dir_all(tasks.join("sub")).unwrap();
        write("sub/x.toml", "subject = \"X\"\n");
        #[cfg(unix)]
        std::os::unix::fs::symlink("a.toml", tasks.join("link.toml")).unwrap();
        commits.push(commit("config, a child, a bad name, a directory, a link"));
        write("upper.toml", "subject = \"u\"\n");
        write(
            "b.toml",
            "subject = \"B\"\nblocked_by = [\"a\", \"ghost\"]\n",
        );
        commits.push(commit("a case twin and a ghost"));
        write("a.toml", "subject = \"A\"\nstatus = \"nope\"\n");
        write("config.toml", "[gates]\nbranches = 3\n");
        commits.push(commit("broken task and config"));
        remove("upper.toml");
        remove("config.toml");
        write("a.toml", "subject = \"A\"\nstatus = \"completed\"\n");
        commits.push(commit("fixed, twin gone"));
        std::fs::remove_dir_all(&tasks).unwrap();
        commits.push(commit("no tasks at all"));
        std::fs::create_dir_all(&tasks).unwrap();
        for i in 0..(PATCH_LIMIT + 10) {
            write(&format!("t{i}.toml"), &format!("subject = \"T{i}\"\n"));
        }
        commits.push(commit("many"));
        write("t3.toml", "subject = \"T3 again\"\n");
        commits.push(commit("one of many"));
        write("0.toml", "subject = \"first\"\n");
        write("zz.toml", "subject = \"last\"\n");
        commits.push(commit("a first and a last"));
        remove("t5.toml");
        write("t50.toml", "subject = \"T50\"\nblocked_by = [\"t5\"]\n");
        write("t6.toml", "subject = \"T6\"\n");
        commits.push(commit("a gap in the middle"));

        let ws = Workspace::discover(root).unwrap();
        let mut history = ws.history();
        // Forwards, backwards and jumping around.
        let order: Vec<usize> = (0..commits.len())
            .chain((0..commits.len()).rev())
            .chain([0, 7, 2, 6, 3, 3, 1, 4, 9, 8, 9, 7, 9])
            .collect();
        for i in order {
            let fresh = ws.read(&Source::Rev(commits[i].clone())).unwrap();
            let id = ObjectId::from_hex(commits[i].as_bytes()).unwrap();
            let moved = history.load(&id).unwrap();
            assert_eq!(moved.tasks.tasks(), fresh.tasks.tasks(), "commit {i}");
            assert_eq!(moved.texts, fresh.texts, "commit {i}");
            assert_eq!(moved.config, fresh.config, "commit {i}");
            assert_eq!(moved.problems, fresh.problems, "commit {i}");
            assert_eq!(moved.strays, fresh.strays, "commit {i}");
        }
    }

    /// The same over a random history of small changes to a few dozen
    /// files, visited in a random order.
    #[test]
    fn random_histories_read_as_fresh_reads_do() {
        let repo = crate::store::testing::TestRepo::new();
        let root = &repo.root();
        let tasks = root.join(TASKS_DIR);
        std::fs::create_dir_all(&tasks).unwrap();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let names = |k: u64| match k % 5 {
            0 => format!("t{k}"),
            1 => format!("t{k}0"),
            2 => format!("x-{k}"),
            3 => format!("{k}"),
            _ => format!("T{k}"),
        };
        let mut commits = Vec::new();
        for c in 0..40 {
            for _ in 0..=next(4) {
                let name = names(next(30));
                let path = tasks.join(format!("{name}.toml"));
                match next(5) {
                    0 => {
                        let _ = std::fs::remove_file(&path);
                    }
                    1 => std::fs::write(&path, "subject = \"broken\n").unwrap(),
                    2 => std::fs::write(
                        &path,
                        format!(
                            "subject = \"{c}\"\nblocked_by = [\"{}\"]\n",
                            names(next(30))
                        ),
                    )
                    .unwrap(),
                    _ => std::fs::write(&path, format!("subject = \"{name} {c}\"\n")).unwrap(),
                }
            }
            repo.git(&["add", "-A"]);
            repo.git(&["commit", "-q", "--allow-empty", "-m", "step"]);
            commits.push(repo.git(&["rev-parse", "HEAD"]));
        }
        let ws = Workspace::discover(root).unwrap();
        let mut history = ws.history();
        for _ in 0..120 {
            let i = next(commits.len() as u64) as usize;
            let fresh = ws.read(&Source::Rev(commits[i].clone())).unwrap();
            let id = ObjectId::from_hex(commits[i].as_bytes()).unwrap();
            let moved = history.load(&id).unwrap();
            assert_eq!(moved.tasks.tasks(), fresh.tasks.tasks(), "commit {i}");
            assert_eq!(moved.texts, fresh.texts, "commit {i}");
            assert_eq!(moved.problems, fresh.problems, "commit {i}");
            assert_eq!(moved.strays, fresh.strays, "commit {i}");
        }
    }
}
