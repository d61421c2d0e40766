//! The history of one task from git: the commits that changed its file,
//! who made them and when, and what they changed in the task.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::tree::EntryMode;
use gix::objs::{Exists, Find};
use gix::prelude::ObjectIdExt;
use gix::revision::walk::Sorting;
use gix::traverse::commit::ParentIds;
use gix::traverse::commit::simple::CommitTimeOrder;

use crate::error::{Error, FileProblem, GitOp, ObjectProblem, Result};
use crate::history::{Change, task_changes};
use crate::id::TaskId;
use crate::store::{Objects, Source, TASKS_DIR, Workspace};
use crate::task::{ParseError, Task};
use crate::taskset::ResolveError;

/// How much of the history to read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Stop after this many commits (`-n`).
    pub max_count: Option<usize>,
}

/// A task's history, newest first.
#[derive(Debug)]
pub struct TaskLog {
    pub id: TaskId,
    pub commits: Vec<Entry>,
    /// Commits of a shallow clone whose parents are not in the repository:
    /// the walk stopped there, and what came before them is unknown.
    pub shallow_boundary: Vec<Boundary>,
}

/// A commit where the history available stops.
#[derive(Debug)]
pub struct Boundary {
    pub commit: ObjectId,
    /// Abbreviated as git abbreviates.
    pub short: String,
}

/// One commit that changed the task's file.
#[derive(Debug)]
pub struct Entry {
    pub commit: ObjectId,
    /// The shortest unambiguous abbreviation (at least 7 digits), as git
    /// abbreviates.
    pub short: String,
    pub author: String,
    pub email: String,
    /// When the change was authored.
    pub date: DateTime<Utc>,
    /// The commit message's subject line.
    pub subject: String,
    /// The file appeared in this commit.
    pub created: bool,
    /// The file disappeared in this commit.
    pub removed: bool,
    /// The task's subject after this commit, when the file is there and
    /// parses.
    pub task_subject: Option<String>,
    /// Field by field, when both versions parse.
    pub changes: Vec<Change>,
    /// Why the file as this commit left it is not a valid task.
    pub problem: Option<FileProblem>,
    /// The file did not parse before this commit and does after it, so there
    /// is no earlier version to compare with.
    pub parses_again: bool,
    /// A commit of a shallow clone whose parents are not here: the entry
    /// is the task as this commit has it, not a change (what came before
    /// is unknown, so it is not called created).
    pub boundary: bool,
    /// The task's status after this commit, when the file is there and
    /// parses.
    pub task_status: Option<crate::task::Status>,
}

/// Finds the task `text` names for `log`: a task file of that exact name,
/// else a unique prefix of a task of the working tree (of HEAD in a bare
/// repository), else, when `text` is a full id, a task that may exist only
/// in history (a removed task has a history too; [`read`] finds out).
pub fn resolve(ws: &Workspace, text: &str) -> Result<TaskId> {
    let full = TaskId::parse(text).ok();
    // An exact file name settles it without parsing every task, which is
    // most of the cost of the whole command at 10k tasks.
    if let Some(id) = &full
        && !ws.is_bare()
        && ws.tasks_dir().join(id.file_name()).is_file()
    {
        return Ok(id.clone());
    }
    let source = if ws.is_bare() {
        Source::Rev("HEAD".into())
    } else {
        Source::WorkTree
    };
    // Another file that does not parse must not stop `log` from looking
    // up this one, so problems are ignored here.
    let loaded = match ws.read(&source) {
        Ok(loaded) => loaded,
        Err(e) => return full.ok_or(e),
    };
    match (loaded.tasks.resolve(text), full) {
        (Ok(task), _) => Ok(task.id.clone()),
        (Err(ResolveError::Unknown(_)), Some(id)) => Ok(id),
        (Err(e), _) => Err(e.into()),
    }
}

/// Reads the history of task `id`: the commits reachable from HEAD that
/// changed `.tasks/<id>.toml`, newest first by commit time, as
/// `git log -- .tasks/<id>.toml` lists them.
///
/// That includes git's default history simplification: a merge is listed
/// only when the file differs from every parent, and a merge whose file is
/// the same as one parent's is followed into that parent only, so changes
/// on a side branch that the merge did not keep are not listed.
///
/// Fails with an unknown-id error when the task is neither in the working
/// tree nor anywhere in the history read.
pub fn read(ws: &Workspace, id: &TaskId, options: &Options) -> Result<TaskLog> {
    let log = TaskLog {
        id: id.clone(),
        commits: Vec::new(),
        shallow_boundary: Vec::new(),
    };
    let in_work_tree = !ws.is_bare() && ws.tasks_dir().join(id.file_name()).is_file();
    let unknown = || Error::from(ResolveError::Unknown(id.to_string()));
    if options.max_count == Some(0) {
        return Ok(log);
    }
    // Two handles on the repository, with different caches. A clone gets
    // the caches git's configuration asks for, not the ones set on the
    // original. The walk reads each commit twice (once for its date, as a
    // parent) and `Files` a third time when there is no commit-graph: an
    // object cache makes that one inflate. Trees and blobs are read once
    // each, and a `.tasks` tree can be large: copying each into an object
    // cache would cost more than it saves.
    let mut repo = ws.repo().clone();
    repo.object_cache_size_if_unset(4 << 20);
    let repo = &repo;
    let objects = Objects::new(ws.repo().clone());
    let head = repo.head().map_err(|e| Error::git(GitOp::ReadHead, e))?;
    if head.is_unborn() {
        // No commit yet: a task that exists has an empty history.
        return if in_work_tree {
            Ok(log)
        } else {
            Err(unknown())
        };
    }
    let head = head
        .into_peeled_id()
        .map_err(|e| Error::git(GitOp::ReadHead, e))?
        .detach();
    let shallow = repo
        .shallow_commits()
        .map_err(|e| Error::git(GitOp::ReadShallow, e))?;
    let files = Files::new(repo, &objects, id);
    let mut walker = Walker {
        repo,
        files,
        shallow,
        log,
    };
    let at_head = walker.files.file_of(&head)?.is_some();

    let walk = repo
        .rev_walk([head])
        .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
        // A parent that is not in the repository ends the walk there (gix
        // already stops at the commits `.git/shallow` lists).
        .selected(|id| repo.objects.exists(id))
        .map_err(|e| Error::git(GitOp::WalkHistory { tip: None }, e))?;
    // The commits git's simplification still follows, and those the walk
    // has passed that none did yet. The walk yields children before
    // parents as far as commit times allow; with clock skew a parent can
    // come first, and is then visited when a child leads to it, as git
    // visits it once a child has queued it.
    let mut wanted: HashSet<ObjectId> = HashSet::from([head]);
    let mut passed: HashMap<ObjectId, ParentIds> = HashMap::new();
    'walk: for info in walk {
        let info = info.map_err(|e| Error::git(GitOp::WalkHistory { tip: None }, e))?;
        if !wanted.remove(&info.id) {
            passed.insert(info.id, info.parent_ids);
            continue;
        }
        let mut visit = vec![(info.id, info.parent_ids)];
        while let Some((commit, parents)) = visit.pop() {
            for parent in walker.visit(commit, &parents)? {
                match passed.remove(&parent) {
                    Some(grandparents) => visit.push((parent, grandparents)),
                    None => {
                        wanted.insert(parent);
                    }
                }
            }
            if options
                .max_count
                .is_some_and(|n| walker.log.commits.len() >= n)
            {
                break 'walk;
            }
        }
    }
    let log = walker.log;
    if log.commits.is_empty() && !at_head && !in_work_tree {
        return Err(unknown());
    }
    Ok(log)
}

/// The state of the walk over the history.
struct Walker<'a> {
    repo: &'a gix::Repository,
    files: Files<'a>,
    /// The commits `.git/shallow` lists, sorted.
    shallow: Option<gix::shallow::Commits>,
    log: TaskLog,
}

impl Walker<'_> {
    /// Lists `commit` if it changed the file, and returns the parents to
    /// follow, as git's default simplification does: a commit whose file
    /// is the same as a parent's is followed into that parent only.
    fn visit(&mut self, commit: ObjectId, parents: &[ObjectId]) -> Result<Vec<ObjectId>> {
        let is_shallow = self
            .shallow
            .as_ref()
            .is_some_and(|s| s.binary_search(&commit).is_ok());
        if is_shallow || parents.iter().any(|p| !self.repo.objects.exists(p)) {
            // Comparing with a parent we do not have would claim the task
            // was created here; all we know is that history stops, and
            // what the task is at that point.
            self.log.shallow_boundary.push(Boundary {
                commit,
                short: short(self.repo, commit),
            });
            let here = self.files.tasks_tree_of(&commit)?;
            if let Some(version) = self.files.file_in(here)? {
                let mut entry = self.files.entry(self.repo, commit, None, Some(version))?;
                entry.created = false;
                entry.boundary = true;
                self.log.commits.push(entry);
            }
            return Ok(Vec::new());
        }
        let files = &mut self.files;
        let here = files.tasks_tree_of(&commit)?;
        let mut first = None;
        for (i, parent) in parents.iter().enumerate() {
            let there = files.tasks_tree_of(parent)?;
            if files.same_file(here, there)? {
                return Ok(vec![*parent]);
            }
            if i == 0 {
                first = Some(there);
            }
        }
        // A listed merge is described against its first parent, the
        // branch it was merged into.
        let before = match first {
            Some(tasks) => files.file_in(tasks)?,
            None => None,
        };
        let after = files.file_in(here)?;
        if before.is_some() || after.is_some() {
            let entry = files.entry(self.repo, commit, before, after)?;
            self.log.commits.push(entry);
        }
        Ok(parents.to_vec())
    }
}

/// `commit` abbreviated as git does: `core.abbrev`, at least 7 digits,
/// longer when needed to be unambiguous.
fn short(repo: &gix::Repository, commit: ObjectId) -> String {
    commit.attach(repo).shorten_or_id().to_string()
}

/// Reading commit `id` (or `part` of it, as `the author of`) failed.
fn read_error(
    part: Option<&'static str>,
    id: &gix::oid,
    e: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> Error {
    Error::git(
        GitOp::ReadCommit {
            id: id.to_string(),
            part,
        },
        e,
    )
}

/// One version of the task's file: its blob and its mode.
type Version = (ObjectId, EntryMode);

/// Reads the task's file from commits, remembering what it has read: each
/// commit is usually asked for twice (as itself and as a parent), and a
/// `.tasks` tree is looked into only when it differs from the parent's.
struct Files<'a> {
    /// Commits are read through the walk's handle and its object cache.
    commits: &'a gix::Repository,
    objects: &'a Objects,
    graph: Option<gix::commitgraph::Graph>,
    hash: gix::hash::Kind,
    /// The task's file name in `.tasks/`.
    name: String,
    id: TaskId,
    buf: Vec<u8>,
    /// Commit → its `.tasks` tree, if any.
    tasks_trees: HashMap<ObjectId, Option<ObjectId>>,
    /// `.tasks` tree → the task's file in it, if any.
    versions: HashMap<ObjectId, Option<Version>>,
    /// The version of the file last read as a task, and what it held.
    last: Option<(Version, Result<Task, FileProblem>)>,
}

impl<'a> Files<'a> {
    fn new(commits: &'a gix::Repository, objects: &'a Objects, id: &TaskId) -> Files<'a> {
        Files {
            commits,
            hash: objects.repo().object_hash(),
            // A commit-graph that cannot be read is only a missed shortcut.
            graph: commits.commit_graph_if_enabled().ok().flatten(),
            objects,
            name: id.file_name(),
            id: id.clone(),
            buf: Vec::new(),
            tasks_trees: HashMap::new(),
            versions: HashMap::new(),
            last: None,
        }
    }

    /// The `.tasks` tree of `commit`, if it has one.
    fn tasks_tree_of(&mut self, commit: &gix::oid) -> Result<Option<ObjectId>> {
        if let Some(tree) = self.tasks_trees.get(commit) {
            return Ok(*tree);
        }
        // The commit-graph, when git has written one, knows every commit's
        // tree: no commit to inflate.
        let root = match self.graph.as_ref().and_then(|g| g.commit_by_id(commit)) {
            Some(in_graph) => in_graph.root_tree_id().to_owned(),
            None => {
                let data = self
                    .commits
                    .objects
                    .try_find(commit, &mut self.buf)
                    .map_err(|e| read_error(None, commit, e))?
                    .ok_or_else(|| ObjectProblem::MissingCommit {
                        id: commit.to_string(),
                    })?;
                gix::objs::CommitRefIter::from_bytes(data.data, self.hash)
                    .tree_id()
                    .map_err(|e| read_error(None, commit, e))?
            }
        };
        let tasks = self
            .lookup(&root, TASKS_DIR, true)?
            .filter(|(_, mode)| mode.is_tree())
            .map(|(id, _)| id);
        self.tasks_trees.insert(commit.to_owned(), tasks);
        Ok(tasks)
    }

    /// The task's file in a `.tasks` tree.
    fn file_in(&mut self, tasks: Option<ObjectId>) -> Result<Option<Version>> {
        let Some(tree) = tasks else {
            return Ok(None);
        };
        if let Some(version) = self.versions.get(&tree) {
            return Ok(*version);
        }
        let name = std::mem::take(&mut self.name);
        let version = self.lookup(&tree, &name, false);
        self.name = name;
        let version = version?;
        self.versions.insert(tree, version);
        Ok(version)
    }

    /// The task's file in `commit`.
    fn file_of(&mut self, commit: &gix::oid) -> Result<Option<Version>> {
        let tasks = self.tasks_tree_of(commit)?;
        self.file_in(tasks)
    }

    /// Whether two `.tasks` trees hold the same version of the file. Equal
    /// trees (most commits do not touch `.tasks/`) need no look inside.
    fn same_file(&mut self, a: Option<ObjectId>, b: Option<ObjectId>) -> Result<bool> {
        if a == b {
            return Ok(true);
        }
        Ok(self.file_in(a)? == self.file_in(b)?)
    }

    /// The entry `name` of `tree`, a directory or not. Entries are sorted
    /// (a directory as if its name ended in `/`), so the scan stops at the
    /// first name past it: a `.tasks` tree can hold 10k entries.
    fn lookup(&mut self, tree: &gix::oid, name: &str, is_tree: bool) -> Result<Option<Version>> {
        let data = self
            .objects
            .find(tree, &mut self.buf)
            .map_err(Error::Object)?;
        for entry in gix::objs::TreeRefIter::from_bytes(data.data, self.hash) {
            let entry = entry.map_err(|e| {
                Error::git(
                    GitOp::ReadTree {
                        id: tree.to_string(),
                    },
                    e,
                )
            })?;
            match gix::objs::tree::name_order(
                entry.filename,
                entry.mode.is_tree(),
                name.as_bytes(),
                is_tree,
            ) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => return Ok(Some((entry.oid.to_owned(), entry.mode))),
                std::cmp::Ordering::Greater => break,
            }
        }
        Ok(None)
    }

    /// The task a version of the file holds, or why it is not one.
    fn task(&mut self, version: Version) -> Result<Task, FileProblem> {
        let problem = |message: String| FileProblem {
            path: Path::new(TASKS_DIR).join(&self.name),
            error: ParseError {
                line: 1,
                column: 1,
                message,
            },
        };
        if !version.1.is_blob() {
            return Err(problem("not a regular file".into()));
        }
        let data = self
            .objects
            .find(&version.0, &mut self.buf)
            .map_err(|e| problem(e.to_string()))?;
        let text = std::str::from_utf8(data.data)
            .map_err(|_| problem("the file is not UTF-8 text".into()))?;
        Task::parse(self.id.clone(), text).map_err(|error| FileProblem {
            path: Path::new(TASKS_DIR).join(&self.name),
            error,
        })
    }

    /// Describes a commit that changed the file from `before` to `after`.
    fn entry(
        &mut self,
        repo: &gix::Repository,
        commit: ObjectId,
        before: Option<Version>,
        after: Option<Version>,
    ) -> Result<Entry> {
        // Walking newest first, this commit's new version is usually the
        // old version of the commit listed before it: parsed already.
        let new = after.map(|v| match self.last.take() {
            Some((version, task)) if version == v => task,
            _ => self.task(v),
        });
        let old = before.map(|v| self.task(v));
        let data = self
            .objects
            .find(&commit, &mut self.buf)
            .map_err(Error::Object)?;
        let parsed = gix::objs::CommitRef::from_bytes(data.data, self.hash)
            .map_err(|e| read_error(None, &commit, e))?;
        let author = parsed
            .author()
            .map_err(|e| read_error(Some("the author of"), &commit, e))?;
        let seconds = author
            .time()
            .map_err(|e| read_error(Some("the date of"), &commit, e))?
            .seconds;
        let mut entry = Entry {
            commit,
            short: short(repo, commit),
            author: author.name.to_str_lossy().into_owned(),
            email: author.email.to_str_lossy().into_owned(),
            date: DateTime::from_timestamp(seconds, 0).unwrap_or_default(),
            subject: parsed.message_summary().to_str_lossy().into_owned(),
            created: old.is_none(),
            removed: new.is_none(),
            task_subject: None,
            changes: Vec::new(),
            problem: None,
            parses_again: false,
            boundary: false,
            task_status: None,
        };
        if let Some(Ok(task)) = &new {
            entry.task_status = Some(task.status);
        }
        match (&old, new) {
            (_, None) => {}
            (_, Some(Err(problem))) => entry.problem = Some(problem),
            (None, Some(Ok(task))) => entry.task_subject = Some(task.subject),
            (Some(Err(_)), Some(Ok(task))) => {
                entry.parses_again = true;
                entry.task_subject = Some(task.subject);
            }
            (Some(Ok(old)), Some(Ok(task))) => {
                entry.changes = task_changes(old, &task);
                entry.task_subject = Some(task.subject);
            }
        }
        self.last = before.zip(old);
        Ok(entry)
    }
}
