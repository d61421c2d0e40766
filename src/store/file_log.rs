//! The commits that changed one file of `.tasks/`, newest first, as
//! `git log -- .tasks/<name>` lists them: what `log` tells a task's
//! history from.
//!
//! A task's history at 10k tasks and thousands of commits must cost
//! little more than the commits that touch it. So a `.tasks` tree is
//! looked into only when it differs from the parent's, the commit-graph
//! stands in for commit objects where git has written one, and a commit's
//! author and message are read only for the commits listed.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

use chrono::{DateTime, Utc};
use gix::bstr::ByteSlice;
use gix::objs::tree::EntryMode;
use gix::objs::{Exists, Find};
use gix::prelude::ObjectIdExt;
use gix::revision::walk::Sorting;
use gix::traverse::commit::ParentIds;
use gix::traverse::commit::simple::CommitTimeOrder;

use super::git::Objects;
use super::repo::ObjectId;
use super::{TASKS_DIR, Workspace};
use crate::error::GitOp;
use crate::error::{Error, Result};

/// One version of a file in a tree: its blob and its mode. Two commits
/// with equal versions have the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileVersion {
    blob: ObjectId,
    mode: EntryMode,
}

impl FileVersion {
    pub(super) fn new(blob: ObjectId, mode: EntryMode) -> FileVersion {
        FileVersion { blob, mode }
    }

    /// Whether it is a regular file, not a link, a folder or a submodule.
    pub fn is_file(self) -> bool {
        self.mode.is_blob()
    }
}

/// A commit as a history lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: ObjectId,
    /// Abbreviated as git abbreviates ([`Workspace::short_id`]).
    pub short: String,
    pub author: String,
    pub email: String,
    /// When the change was authored.
    pub date: DateTime<Utc>,
    /// The first line of the message.
    pub subject: String,
}

/// What a walk found at one commit it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visit {
    /// The commit changed the file, from the version of its first parent
    /// (the branch a merge was merged into) to its own; `None` where there
    /// is no file.
    Changed {
        commit: Commit,
        before: Option<FileVersion>,
        after: Option<FileVersion>,
    },
    /// A commit of a shallow clone whose parents are not here: history
    /// stops, and all that is known is the file as this commit has it
    /// (with the commit, when it has the file).
    Boundary {
        id: ObjectId,
        short: String,
        at: Option<(Commit, FileVersion)>,
    },
}

/// How a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walked {
    /// HEAD has no commit yet: there is no history.
    Unborn,
    /// The walk went from HEAD, whose tree has the file or not.
    FromHead { at_head: bool },
}

/// Reads the versions a walk finds, through the same object access as
/// the walk (which inside `pre-receive` sees the quarantine).
pub struct Blobs<'a> {
    objects: &'a Objects,
    buf: Vec<u8>,
}

impl<'a> Blobs<'a> {
    pub(super) fn new(objects: &'a Objects) -> Blobs<'a> {
        Blobs {
            objects,
            buf: Vec::new(),
        }
    }

    /// The bytes of a version of the file, or why they cannot be read.
    pub fn read(&mut self, version: FileVersion) -> Result<&[u8], String> {
        self.objects.task_blob(&version.blob, &mut self.buf)
    }
}

impl Workspace {
    /// Walks the commits reachable from HEAD that changed `.tasks/<name>`,
    /// newest first by commit time, as `git log -- .tasks/<name>` lists
    /// them, and hands each to `visit` with a reader for the file's
    /// versions. The walk stops when `visit` breaks.
    ///
    /// That includes git's default history simplification: a merge is
    /// listed only when the file differs from every parent, and a merge
    /// whose file is the same as one parent's is followed into that parent
    /// only, so changes on a side branch that the merge did not keep are
    /// not listed.
    pub fn walk_file_history(
        &self,
        name: &str,
        mut visit: impl FnMut(Visit, &mut Blobs<'_>) -> Result<ControlFlow<()>>,
    ) -> Result<Walked> {
        // Two handles on the repository, with different caches. A clone
        // gets the caches git's configuration asks for, not the ones set on
        // the original. The walk reads each commit twice (once for its
        // date, as a parent) and `Files` a third time when there is no
        // commit-graph: an object cache makes that one inflate. Trees and
        // blobs are read once each, and a `.tasks` tree can be large:
        // copying each into an object cache would cost more than it saves.
        let mut repo = self.repo.clone();
        repo.object_cache_size_if_unset(4 << 20);
        let repo = &repo;
        let objects = Objects::new(self.repo.clone());
        let Some(head) = self.head_commit()? else {
            return Ok(Walked::Unborn);
        };
        let shallow = repo
            .shallow_commits()
            .map_err(|e| Error::git(GitOp::ReadShallow, e))?;
        let mut walker = Walker {
            repo,
            files: Files::new(repo, &objects, name),
            shallow,
        };
        let mut blobs = Blobs::new(&objects);
        let at_head = walker.files.file_of(&head)?.is_some();

        let walk = repo
            .rev_walk([head])
            .sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst))
            // A parent that is not in the repository ends the walk there
            // (gix already stops at the commits `.git/shallow` lists).
            .selected(|id| repo.objects.exists(id))
            .map_err(|e| Error::git(GitOp::WalkHistory { tip: None }, e))?;
        // The commits git's simplification still follows, and those the
        // walk has passed that none did yet. The walk yields children
        // before parents as far as commit times allow; with clock skew a
        // parent can come first, and is then visited when a child leads to
        // it, as git visits it once a child has queued it.
        let mut wanted: HashSet<ObjectId> = HashSet::from([head]);
        let mut passed: HashMap<ObjectId, ParentIds> = HashMap::new();
        'walk: for info in walk {
            let info = info.map_err(|e| Error::git(GitOp::WalkHistory { tip: None }, e))?;
            if !wanted.remove(&info.id) {
                passed.insert(info.id, info.parent_ids);
                continue;
            }
            let mut pending = vec![(info.id, info.parent_ids)];
            while let Some((commit, parents)) = pending.pop() {
                let (found, follow) = walker.visit(commit, &parents)?;
                for parent in follow {
                    match passed.remove(&parent) {
                        Some(grandparents) => pending.push((parent, grandparents)),
                        None => {
                            wanted.insert(parent);
                        }
                    }
                }
                if let Some(found) = found
                    && visit(found, &mut blobs)?.is_break()
                {
                    break 'walk;
                }
            }
        }
        Ok(Walked::FromHead { at_head })
    }
}

/// The state of the walk over the history.
struct Walker<'a> {
    repo: &'a gix::Repository,
    files: Files<'a>,
    /// The commits `.git/shallow` lists, sorted.
    shallow: Option<gix::shallow::Commits>,
}

impl Walker<'_> {
    /// What `commit` shows of the file, when it is listed, and the parents
    /// to follow, as git's default simplification does: a commit whose
    /// file is the same as a parent's is followed into that parent only.
    fn visit(
        &mut self,
        commit: ObjectId,
        parents: &[ObjectId],
    ) -> Result<(Option<Visit>, Vec<ObjectId>)> {
        let is_shallow = self
            .shallow
            .as_ref()
            .is_some_and(|s| s.binary_search(&commit).is_ok());
        if is_shallow || parents.iter().any(|p| !self.repo.objects.exists(p)) {
            // Comparing with a parent we do not have would claim the file
            // was created here; all we know is that history stops, and
            // what the file is at that point.
            let short = short(self.repo, commit);
            let here = self.files.tasks_tree_of(&commit)?;
            let at = match self.files.file_in(here)? {
                Some(version) => Some((self.files.commit(self.repo, commit)?, version)),
                None => None,
            };
            let found = Visit::Boundary {
                id: commit,
                short,
                at,
            };
            return Ok((Some(found), Vec::new()));
        }
        let files = &mut self.files;
        let here = files.tasks_tree_of(&commit)?;
        let mut first = None;
        for (i, parent) in parents.iter().enumerate() {
            let there = files.tasks_tree_of(parent)?;
            if files.same_file(here, there)? {
                return Ok((None, vec![*parent]));
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
        let found = if before.is_some() || after.is_some() {
            Some(Visit::Changed {
                commit: files.commit(self.repo, commit)?,
                before,
                after,
            })
        } else {
            None
        };
        Ok((found, parents.to_vec()))
    }
}

/// `commit` abbreviated as git does: `core.abbrev`, at least 7 digits,
/// longer when needed to be unambiguous.
pub(super) fn short(repo: &gix::Repository, commit: ObjectId) -> String {
    commit.attach(repo).shorten_or_id().to_string()
}

/// Reads the file from commits, remembering what it has read: each commit
/// is usually asked for twice (as itself and as a parent), and a `.tasks`
/// tree is looked into only when it differs from the parent's.
pub(super) struct Files<'a> {
    /// Commits are read through the walk's handle and its object cache.
    commits: &'a gix::Repository,
    objects: &'a Objects,
    graph: Option<gix::commitgraph::Graph>,
    hash: gix::hash::Kind,
    /// The file's name in `.tasks/`.
    name: String,
    buf: Vec<u8>,
    /// Commit → its `.tasks` tree, if any.
    tasks_trees: HashMap<ObjectId, Option<ObjectId>>,
    /// `.tasks` tree → the file in it, if any.
    versions: HashMap<ObjectId, Option<FileVersion>>,
}

impl<'a> Files<'a> {
    /// Reads `.tasks/<name>`; the walk of every file reads no one file
    /// and passes an empty name.
    pub(super) fn new(commits: &'a gix::Repository, objects: &'a Objects, name: &str) -> Files<'a> {
        Files {
            commits,
            hash: objects.repo().object_hash(),
            // A commit-graph that cannot be read is only a missed shortcut.
            graph: commits.commit_graph_if_enabled().ok().flatten(),
            objects,
            name: name.to_owned(),
            buf: Vec::new(),
            tasks_trees: HashMap::new(),
            versions: HashMap::new(),
        }
    }

    /// The `.tasks` tree of `commit`, if it has one.
    pub(super) fn tasks_tree_of(&mut self, commit: &gix::oid) -> Result<Option<ObjectId>> {
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
                    .map_err(|e| read_commit(commit, e))?
                    .ok_or_else(|| {
                        Error::Object(crate::error::ObjectProblem::MissingCommit {
                            id: commit.to_string(),
                        })
                    })?;
                gix::objs::CommitRefIter::from_bytes(data.data, self.hash)
                    .tree_id()
                    .map_err(|e| read_commit(commit, e))?
            }
        };
        let tasks = self
            .lookup(&root, TASKS_DIR, true)?
            .filter(|v| v.mode.is_tree())
            .map(|v| v.blob);
        self.tasks_trees.insert(commit.to_owned(), tasks);
        Ok(tasks)
    }

    /// The file in a `.tasks` tree.
    fn file_in(&mut self, tasks: Option<ObjectId>) -> Result<Option<FileVersion>> {
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

    /// The file in `commit`.
    fn file_of(&mut self, commit: &gix::oid) -> Result<Option<FileVersion>> {
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
    fn lookup(
        &mut self,
        tree: &gix::oid,
        name: &str,
        is_tree: bool,
    ) -> Result<Option<FileVersion>> {
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
                std::cmp::Ordering::Equal => {
                    return Ok(Some(FileVersion {
                        blob: entry.oid.to_owned(),
                        mode: entry.mode,
                    }));
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        Ok(None)
    }

    /// Who made `commit`, when, and its subject.
    pub(super) fn commit(&mut self, repo: &gix::Repository, commit: ObjectId) -> Result<Commit> {
        let data = self
            .objects
            .find(&commit, &mut self.buf)
            .map_err(Error::Object)?;
        let parsed = gix::objs::CommitRef::from_bytes(data.data, self.hash)
            .map_err(|e| read_commit(&commit, e))?;
        let author = parsed.author().map_err(|e| {
            Error::git(
                GitOp::ReadCommit {
                    id: commit.to_string(),
                    part: Some("the author of"),
                },
                e,
            )
        })?;
        let seconds = author
            .time()
            .map_err(|e| {
                Error::git(
                    GitOp::ReadCommit {
                        id: commit.to_string(),
                        part: Some("the date of"),
                    },
                    e,
                )
            })?
            .seconds;
        Ok(Commit {
            id: commit,
            short: short(repo, commit),
            author: author.name.to_str_lossy().into_owned(),
            email: author.email.to_str_lossy().into_owned(),
            date: DateTime::from_timestamp(seconds, 0).unwrap_or_default(),
            subject: parsed.message_summary().to_str_lossy().into_owned(),
        })
    }
}

fn read_commit(
    id: &gix::oid,
    e: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
) -> Error {
    Error::git(
        GitOp::ReadCommit {
            id: id.to_string(),
            part: None,
        },
        e,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;

    /// What a walk lists, as (subject, text before, text after).
    type Listed = Vec<(String, Option<String>, Option<String>)>;

    fn walk(ws: &Workspace, name: &str, limit: usize) -> (Listed, Vec<String>, Walked) {
        let mut listed = Vec::new();
        let mut boundaries = Vec::new();
        let text = |blobs: &mut Blobs<'_>, v: Option<FileVersion>| {
            v.map(|v| String::from_utf8(blobs.read(v).unwrap().to_vec()).unwrap())
        };
        let walked = ws
            .walk_file_history(name, |visit, blobs| {
                match visit {
                    Visit::Changed {
                        commit,
                        before,
                        after,
                    } => {
                        assert_eq!(commit.author, "Ana");
                        assert_eq!(commit.email, "ana@example.com");
                        assert_eq!(commit.short, ws.short_id(commit.id));
                        let (before, after) = (text(blobs, before), text(blobs, after));
                        listed.push((commit.subject, before, after));
                    }
                    Visit::Boundary { short, at, .. } => {
                        boundaries.push(short);
                        if let Some((commit, version)) = at {
                            listed.push((commit.subject, None, text(blobs, Some(version))));
                        }
                    }
                }
                Ok(if listed.len() >= limit {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                })
            })
            .unwrap();
        (listed, boundaries, walked)
    }

    fn changed(subject: &str, before: Option<&str>, after: Option<&str>) -> Listed {
        vec![(
            subject.to_owned(),
            before.map(str::to_owned),
            after.map(str::to_owned),
        )]
    }

    #[test]
    fn lists_the_commits_that_changed_the_file_as_git_log_does() {
        let repo = TestRepo::new();
        let ws = repo.workspace();
        assert_eq!(walk(&ws, "a.toml", 100).2, Walked::Unborn);

        repo.write(".tasks/a.toml", "1");
        repo.commit("create");
        repo.write("README", "x");
        repo.commit("elsewhere");
        repo.git(&["checkout", "-q", "-b", "side"]);
        repo.write(".tasks/a.toml", "side");
        repo.commit("on the side");
        repo.git(&["checkout", "-q", "main"]);
        repo.write(".tasks/a.toml", "2");
        repo.commit("change");
        // The merge keeps main's version: the side's change is not listed,
        // and neither is the merge.
        repo.git(&["merge", "-q", "-s", "ours", "--no-edit", "side"]);
        repo.remove(".tasks/a.toml");
        repo.commit("remove");
        let ws = repo.workspace();

        let (listed, boundaries, walked) = walk(&ws, "a.toml", 100);
        let expected: Listed = [
            changed("remove", Some("2"), None),
            changed("change", Some("1"), Some("2")),
            changed("create", None, Some("1")),
        ]
        .concat();
        assert_eq!(listed, expected);
        assert!(boundaries.is_empty());
        assert_eq!(walked, Walked::FromHead { at_head: false });
        assert_eq!(
            repo.git(&["log", "--format=%s", "--", ".tasks/a.toml"]),
            "remove\nchange\ncreate"
        );

        // The walk stops where the visitor says.
        assert_eq!(walk(&ws, "a.toml", 2).0, expected[..2]);
        // A file no commit had.
        let (listed, _, walked) = walk(&ws, "b.toml", 100);
        assert!(listed.is_empty());
        assert_eq!(walked, Walked::FromHead { at_head: false });

        repo.write(".tasks/a.toml", "3");
        repo.commit("again");
        assert_eq!(
            walk(&repo.workspace(), "a.toml", 100).2,
            Walked::FromHead { at_head: true }
        );
    }

    #[test]
    fn a_shallow_clone_stops_at_its_boundary_with_the_file_as_it_is_there() {
        let repo = TestRepo::new();
        repo.write(".tasks/a.toml", "1");
        repo.commit("create");
        repo.write(".tasks/a.toml", "2");
        repo.commit("change");
        repo.write(".tasks/a.toml", "3");
        repo.commit("change again");
        let clone = repo.beside("clone");
        let url = format!("file://{}", repo.root().display());
        repo.git_in(
            &repo.beside(""),
            &["clone", "-q", "--depth", "2", &url, clone.to_str().unwrap()],
        );
        let ws = Workspace::discover(&clone).unwrap();
        let (listed, boundaries, _) = walk(&ws, "a.toml", 100);
        let expected: Listed = [
            changed("change again", Some("2"), Some("3")),
            changed("change", None, Some("2")),
        ]
        .concat();
        assert_eq!(listed, expected);
        assert_eq!(boundaries.len(), 1);
    }
}
