//! The files of `.tasks/` that the newest commits changed, all at once:
//! what the board tells every task's recent history from.
//!
//! Asking [`Workspace::walk_file_history`] once per task would read the
//! same commits and trees 10k times. Here each commit of the first-parent
//! chain is read once, and its `.tasks` tree is compared with its parent's
//! by the entries' blob ids, a merge of two sorted lists: no blob is read,
//! and a commit whose `.tasks` tree is its parent's is not looked into.

use std::cmp::Ordering;
use std::ops::ControlFlow;

use gix::bstr::ByteSlice;
use gix::objs::Exists;
use gix::objs::tree::EntryRef;

use super::Workspace;
use super::file_log::{Blobs, Commit, FileVersion, Files, short};
use super::git::Objects;
use super::repo::ObjectId;
use crate::error::{Error, GitOp, Result};

/// A file of `.tasks/` that differs between a commit and its first parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Its name in `.tasks/` (`<id>.toml` for a task).
    pub name: String,
    /// `None` where the tree does not have it.
    pub before: Option<FileVersion>,
    pub after: Option<FileVersion>,
}

/// What the walk found at one commit that it lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TasksVisit {
    /// The commit changed these files of `.tasks/` from its first parent's
    /// (for a merge, the branch it was merged into), sorted by name.
    Changed {
        commit: Commit,
        files: Vec<FileChange>,
    },
    /// A commit of a shallow clone whose parents are not here: history
    /// stops, and all that is known is the files as this commit has them
    /// (with the commit, when it has any).
    Boundary {
        id: ObjectId,
        short: String,
        at: Option<(Commit, Vec<(String, FileVersion)>)>,
    },
}

impl Workspace {
    /// Walks the newest `max_commits` commits of HEAD's first-parent chain,
    /// newest first, and hands each that changed a file of `.tasks/` to
    /// `visit` with a reader for the files' versions. Returns whether
    /// commits remained past the limit. HEAD without a commit has no
    /// history: nothing is visited.
    ///
    /// Only first parents are followed, as `git log --first-parent` does: a
    /// merge is listed with everything it brought to its branch, and the
    /// commits of the merged branch are not listed. Subtrees of `.tasks/`
    /// are not files of it, as [`Workspace::walk_file_history`] has it.
    pub fn walk_tasks_history(
        &self,
        max_commits: usize,
        mut visit: impl FnMut(TasksVisit, &mut Blobs<'_>) -> Result<ControlFlow<()>>,
    ) -> Result<bool> {
        // As in `walk_file_history`: the walk's commits through an object
        // cache, trees (large at 10k tasks) and blobs without one.
        let mut repo = self.repo.clone();
        repo.object_cache_size_if_unset(4 << 20);
        let repo = &repo;
        let objects = Objects::new(self.repo.clone());
        let Some(head) = self.head_commit()? else {
            return Ok(false);
        };
        if max_commits == 0 {
            return Ok(true);
        }
        let shallow = repo
            .shallow_commits()
            .map_err(|e| Error::git(GitOp::ReadShallow, e))?;
        let mut files = Files::new(repo, &objects, "");
        let mut blobs = Blobs::new(&objects);
        let mut trees = Trees::default();
        let walk = repo
            .rev_walk([head])
            .first_parent_only()
            .selected(|id| repo.objects.exists(id))
            .map_err(|e| Error::git(GitOp::WalkHistory { tip: None }, e))?;
        for (walked, info) in walk.enumerate() {
            if walked == max_commits {
                return Ok(true);
            }
            let info = info.map_err(|e| Error::git(GitOp::WalkHistory { tip: None }, e))?;
            let commit = info.id;
            let parents = &info.parent_ids;
            let here = files.tasks_tree_of(&commit)?;
            let is_shallow = shallow
                .as_ref()
                .is_some_and(|s| s.binary_search(&commit).is_ok());
            let (found, boundary) = if is_shallow || parents.iter().any(|p| !repo.objects.exists(p))
            {
                // Comparing with a parent we do not have would claim every
                // file was created here.
                let at = trees.diff(&objects, None, here)?;
                let at = if at.is_empty() {
                    None
                } else {
                    let versions = at
                        .into_iter()
                        .filter_map(|f| Some((f.name, f.after?)))
                        .collect();
                    Some((files.commit(repo, commit)?, versions))
                };
                let found = TasksVisit::Boundary {
                    id: commit,
                    short: short(repo, commit),
                    at,
                };
                (found, true)
            } else {
                let there = match parents.first() {
                    Some(parent) => files.tasks_tree_of(parent)?,
                    None => None,
                };
                if here == there {
                    continue;
                }
                let changed = trees.diff(&objects, there, here)?;
                if changed.is_empty() {
                    continue;
                }
                let found = TasksVisit::Changed {
                    commit: files.commit(repo, commit)?,
                    files: changed,
                };
                (found, false)
            };
            // History stops at a boundary, whatever the visitor says.
            if visit(found, &mut blobs)?.is_break() || boundary {
                break;
            }
        }
        Ok(false)
    }
}

/// Compares `.tasks` trees, keeping the older one read: walking down a
/// chain, a commit's parent tree is the next commit's own.
#[derive(Default)]
struct Trees {
    /// The old tree of the last comparison, and its data.
    kept: Option<(ObjectId, Vec<u8>)>,
    /// A buffer to read the next tree into.
    spare: Vec<u8>,
}

impl Trees {
    /// The files that differ from tree `old` to tree `new` (`None`: no
    /// `.tasks/`), sorted by name.
    fn diff(
        &mut self,
        objects: &Objects,
        old: Option<ObjectId>,
        new: Option<ObjectId>,
    ) -> Result<Vec<FileChange>> {
        let mut new_data = match (new, self.kept.take()) {
            (Some(new), Some((kept, data))) if kept == new => data,
            (new, kept) => {
                let mut buf = kept.map(|(_, data)| data).unwrap_or_default();
                read_tree(objects, new, &mut buf)?;
                buf
            }
        };
        let mut old_data = std::mem::take(&mut self.spare);
        read_tree(objects, old, &mut old_data)?;
        let changed = diff(objects.repo().object_hash(), old, &old_data, new, &new_data);
        new_data.clear();
        self.spare = new_data;
        if let Some(old) = old {
            self.kept = Some((old, old_data));
        }
        changed
    }
}

/// Reads `tree` into `buf`; no tree reads as empty.
fn read_tree(objects: &Objects, tree: Option<ObjectId>, buf: &mut Vec<u8>) -> Result<()> {
    let Some(tree) = tree else {
        buf.clear();
        return Ok(());
    };
    let data = objects.find(&tree, buf).map_err(Error::Object)?;
    let (at, len) = (data.data.as_ptr(), data.data.len());
    // gix reads an object into the buffer it is given, whether loose or
    // from a pack; what it hands back is the start of that buffer.
    assert_eq!(at, buf.as_ptr(), "the object is read into the buffer");
    buf.truncate(len);
    Ok(())
}

/// The files (not subtrees) whose versions differ between two tree
/// objects' data, by a merge of their sorted entries.
fn diff(
    hash: gix::hash::Kind,
    old_id: Option<ObjectId>,
    old: &[u8],
    new_id: Option<ObjectId>,
    new: &[u8],
) -> Result<Vec<FileChange>> {
    let entries = |id: Option<ObjectId>, data| {
        gix::objs::TreeRefIter::from_bytes(data, hash).filter_map(move |entry| match entry {
            Ok(entry) if entry.mode.is_tree() => None,
            Ok(entry) => Some(Ok(entry)),
            Err(e) => Some(Err(Error::git(
                GitOp::ReadTree {
                    id: id.map(|id| id.to_string()).unwrap_or_default(),
                },
                e,
            ))),
        })
    };
    let version = |entry: &EntryRef<'_>| FileVersion::new(entry.oid.to_owned(), entry.mode);
    let name = |entry: &EntryRef<'_>| entry.filename.to_str_lossy().into_owned();
    let mut old = entries(old_id, old).peekable();
    let mut new = entries(new_id, new).peekable();
    let mut changed = Vec::new();
    loop {
        // Files alone (no subtree among them) sort by their bytes.
        let order = match (old.peek(), new.peek()) {
            (None, None) => break,
            (Some(Err(_)), _) => return Err(old.next().expect("peeked").unwrap_err()),
            (_, Some(Err(_))) => return Err(new.next().expect("peeked").unwrap_err()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(Ok(a)), Some(Ok(b))) => a.filename.cmp(b.filename),
        };
        match order {
            Ordering::Less => {
                let a = old.next().expect("peeked")?;
                changed.push(FileChange {
                    name: name(&a),
                    before: Some(version(&a)),
                    after: None,
                });
            }
            Ordering::Greater => {
                let b = new.next().expect("peeked")?;
                changed.push(FileChange {
                    name: name(&b),
                    before: None,
                    after: Some(version(&b)),
                });
            }
            Ordering::Equal => {
                let a = old.next().expect("peeked")?;
                let b = new.next().expect("peeked")?;
                let (before, after) = (version(&a), version(&b));
                if before != after {
                    changed.push(FileChange {
                        name: name(&b),
                        before: Some(before),
                        after: Some(after),
                    });
                }
            }
        }
    }
    Ok(changed)
}
