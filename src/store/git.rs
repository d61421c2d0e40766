//! Listing and reading `.tasks/` in the index and in the tree of a
//! revision, with gix (no `git` subprocess: hooks run on every commit and
//! push).

use std::path::{Path, PathBuf};

use gix::bstr::ByteSlice;
use gix::objs::{Exists, Find, Kind};

use super::{Blob, Listing, SourceFile, StrayKind, TASKS_DIR, Unmerged, files};
use crate::error::{Error, GitOp, ObjectProblem, Result};

/// What a read of git's objects failed on, kept as the error's source.
type Cause = Box<dyn std::error::Error + Send + Sync>;

/// The object databases to read from: the repository's own and, inside a
/// `pre-receive` hook, the quarantine directory where git keeps the pushed
/// objects until the hook accepts them (`GIT_OBJECT_DIRECTORY` and
/// `GIT_ALTERNATE_OBJECT_DIRECTORIES`, which gix does not read by itself).
pub(crate) struct Objects {
    repo: gix::Repository,
    extra: Vec<gix::odb::Handle>,
}

impl Objects {
    pub(crate) fn new(repo: gix::Repository) -> Objects {
        let hash = repo.object_hash();
        let extra = extra_object_dirs()
            .into_iter()
            .filter_map(|dir| gix::odb::at(dir, hash).ok())
            .map(|mut odb| {
                // What a push brings is read here, trees with their deltas:
                // the cache gix gives a repository's own database.
                odb.set_pack_cache(|| {
                    Box::<gix::odb::pack::cache::lru::StaticLinkedList<64>>::default()
                });
                odb
            })
            .collect();
        Objects { repo, extra }
    }

    /// The object `id`, with its kind.
    pub(crate) fn find<'a>(
        &self,
        id: &gix::oid,
        buf: &'a mut Vec<u8>,
    ) -> Result<gix::objs::Data<'a>, ObjectProblem> {
        match self.try_find(id, buf) {
            Ok(Some(data)) => Ok(data),
            Ok(None) => Err(ObjectProblem::Missing { id: id.to_string() }),
            Err(e) => Err(ObjectProblem::Unreadable {
                id: id.to_string(),
                source: e.into(),
            }),
        }
    }

    /// The contents of the blob `id` of a task file, or why it cannot be
    /// read. One over [`files::MAX_FILE_BYTES`] is refused by the size in
    /// its header, before it is inflated: a committed file of a gigabyte
    /// costs a few bytes of reading to refuse, not a gigabyte of memory.
    pub(crate) fn task_blob<'a>(
        &self,
        id: &gix::oid,
        buf: &'a mut Vec<u8>,
    ) -> std::result::Result<&'a [u8], String> {
        if let Some(size) = self.size(id)
            && size > files::MAX_FILE_BYTES
        {
            return Err(files::too_large(size));
        }
        let data = self.find(id, buf).map_err(|e| e.to_string())?;
        if data.data.len() as u64 > files::MAX_FILE_BYTES {
            return Err(files::too_large(data.data.len() as u64));
        }
        Ok(data.data)
    }

    /// The size of the object `id` as its header gives it, or `None` when
    /// the header does not read (a read of the object then says why).
    fn size(&self, id: &gix::oid) -> Option<u64> {
        use gix::objs::FindHeader;
        let header = if self.extra.is_empty() || self.repo.objects.exists(id) {
            self.repo.objects.try_header(id)
        } else {
            match self.extra.iter().find(|odb| odb.exists(id)) {
                Some(odb) => odb.try_header(id),
                None => self.repo.objects.try_header(id),
            }
        };
        header.ok().flatten().map(|h| h.size)
    }

    pub(crate) fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    fn hash(&self) -> gix::hash::Kind {
        self.repo.object_hash()
    }
}

/// So that gix's commit walks see the quarantine too.
impl Find for Objects {
    fn try_find<'a>(
        &self,
        id: &gix::oid,
        buf: &'a mut Vec<u8>,
    ) -> gix::Result<Option<gix::objs::Data<'a>>> {
        // The repository's own database first: it has the caches git's
        // configuration asks for, and all but the pushed objects. Outside
        // a push there is nothing else to ask, and no lookup to spend.
        if self.extra.is_empty() || self.repo.objects.exists(id) {
            return self.repo.objects.try_find(id, buf);
        }
        match self.extra.iter().find(|odb| odb.exists(id)) {
            Some(odb) => odb.try_find(id, buf),
            None => self.repo.objects.try_find(id, buf),
        }
    }
}

impl Exists for Objects {
    fn exists(&self, id: &gix::oid) -> bool {
        self.repo.objects.exists(id) || self.extra.iter().any(|odb| odb.exists(id))
    }
}

fn extra_object_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = std::env::var_os("GIT_OBJECT_DIRECTORY") {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(list) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
        dirs.extend(std::env::split_paths(&list));
    }
    dirs
}

/// The files of `.tasks/` as the index records them. A path in conflict
/// (stages 1–3 after a failed merge) is not read: it is listed as
/// unmerged, with the stages it has.
pub(super) fn index_files(repo: &gix::Repository) -> Result<Listing> {
    index_listing(repo, true)
}

/// The paths of `.tasks/` that the index holds in conflict, without the
/// listing of every other file (100k of them take megabytes).
pub(super) fn unmerged_files(repo: &gix::Repository) -> Result<Vec<Unmerged>> {
    Ok(index_listing(repo, false)?.unmerged)
}

/// The index's files of `.tasks/`; only the conflicts unless `files`.
fn index_listing(repo: &gix::Repository, files: bool) -> Result<Listing> {
    use gix::index::entry::{Mode, Stage};
    let index = repo
        .index_or_empty()
        .map_err(|e| Error::git(GitOp::ReadIndex, e))?;
    let prefix = format!("{TASKS_DIR}/");
    let mut listing = Listing::default();
    // The entries of one folder follow each other: it is listed once.
    let mut folder_seen: Option<String> = None;
    for entry in index.entries() {
        let path = entry.path(&index);
        let Some(name) = path.strip_prefix(prefix.as_bytes()) else {
            continue;
        };
        let Ok(name) = name.to_str() else {
            if files {
                listing.stray(&files::name_of_bytes(name), StrayKind::NotUtf8);
            }
            continue;
        };
        if let Some((folder, _)) = name.split_once('/') {
            if !files {
                continue;
            }
            if folder_seen.as_deref() != Some(folder) {
                folder_seen = Some(folder.to_owned());
                listing.classify(folder.to_owned(), files::Kind::Directory, || {
                    Blob::Unreadable(String::new())
                });
            }
            continue;
        }
        let stage = entry.stage();
        if stage != Stage::Unconflicted {
            let shown = Path::new(TASKS_DIR).join(name);
            // Conflict stages of one path follow each other.
            if listing.unmerged.last().is_none_or(|u| u.path != shown) {
                listing.unmerged.push(Unmerged {
                    path: shown,
                    base: false,
                    ours: false,
                    theirs: false,
                });
            }
            if let Some(u) = listing.unmerged.last_mut() {
                match stage {
                    Stage::Base => u.base = true,
                    Stage::Ours => u.ours = true,
                    _ => u.theirs = true,
                }
            }
            continue;
        }
        if !files {
            continue;
        }
        let kind = if entry.mode == Mode::FILE || entry.mode == Mode::FILE_EXECUTABLE {
            files::Kind::File
        } else if entry.mode == Mode::SYMLINK {
            files::Kind::Symlink
        } else if entry.mode == Mode::DIR || entry.mode == Mode::COMMIT {
            files::Kind::Directory
        } else {
            files::Kind::Special
        };
        let id = entry.id;
        listing.classify(name.to_owned(), kind, || Blob::Object(id));
    }
    Ok(listing)
}

/// The files of `.tasks/` in the tree of `rev`. A revision without
/// `.tasks/` has no tasks.
pub(super) fn revision_files(objects: &Objects, rev: &str) -> Result<Listing> {
    let fail = |e: Cause| {
        Error::git(
            GitOp::ReadRevision {
                rev: rev.to_owned(),
            },
            e,
        )
    };
    // A full object id is taken as it is: in pre-receive the object is only
    // in the quarantine, where rev-parse would not find it.
    let mut id = match gix::ObjectId::from_hex(rev.as_bytes()) {
        Ok(id) => id,
        Err(_) => resolve_rev(objects.repo(), rev)?,
    };
    let mut buf = Vec::new();
    // Peel tags and commits down to the tree.
    let tree = loop {
        let data = objects.find(&id, &mut buf).map_err(|e| fail(e.into()))?;
        match data.kind {
            Kind::Tree => break id,
            Kind::Commit => {
                id = gix::objs::CommitRefIter::from_bytes(data.data, objects.hash())
                    .tree_id()
                    .map_err(|e| fail(e.into()))?;
            }
            Kind::Tag => {
                id = gix::objs::TagRefIter::from_bytes(data.data, objects.hash())
                    .target_id()
                    .map_err(|e| fail(e.into()))?;
            }
            Kind::Blob => return Err(fail(ObjectProblem::NamesAFile.into())),
        }
    };
    let Some(tasks_tree) = tree_entry(objects, &tree, TASKS_DIR, &mut buf).map_err(fail)? else {
        return Ok(Listing::default());
    };
    if !tasks_tree.1.is_tree() {
        return Ok(Listing::default());
    }
    let data = objects
        .find(&tasks_tree.0, &mut buf)
        .map_err(|e| fail(e.into()))?;
    let mut listing = Listing::default();
    for entry in gix::objs::TreeRefIter::from_bytes(data.data, objects.hash()) {
        let entry = entry.map_err(|e| fail(e.into()))?;
        let Ok(name) = entry.filename.to_str() else {
            listing.stray(&files::name_of_bytes(entry.filename), StrayKind::NotUtf8);
            continue;
        };
        let oid = entry.oid.to_owned();
        listing.classify(name.to_owned(), entry_kind(entry.mode), || {
            Blob::Object(oid)
        });
    }
    Ok(listing)
}

/// The object `rev` names (a branch, tag, sha, `HEAD~2`, …), with an
/// error in the user's words when it names none: gix's own message quotes
/// its parser.
pub(super) fn resolve_rev(repo: &gix::Repository, rev: &str) -> Result<gix::ObjectId> {
    match repo.rev_parse_single(rev) {
        Ok(id) => Ok(id.detach()),
        Err(_) if repo.head().is_ok_and(|h| h.is_unborn()) => Err(Error::NoCommitsYet {
            rev: rev.to_owned(),
        }),
        Err(_) => Err(Error::UnknownRevision {
            rev: rev.to_owned(),
        }),
    }
}

/// The strays of a `.tasks` tree (its raw data), by the rules of
/// [`revision_files`], in path order.
pub(super) fn strays_in(data: &[u8], hash: gix::hash::Kind) -> Vec<super::Stray> {
    let mut listing = Listing::default();
    for entry in gix::objs::TreeRefIter::from_bytes(data, hash).flatten() {
        match entry.filename.to_str() {
            Ok(name) => listing.classify(name.to_owned(), entry_kind(entry.mode), || {
                Blob::Unreadable(String::new())
            }),
            Err(_) => listing.stray(&files::name_of_bytes(entry.filename), StrayKind::NotUtf8),
        }
    }
    let mut strays = listing.strays;
    strays.sort_by(|a, b| a.path.cmp(&b.path));
    strays
}

/// What a tree entry's mode makes it.
fn entry_kind(mode: gix::objs::tree::EntryMode) -> files::Kind {
    if mode.is_blob() {
        files::Kind::File
    } else if mode.is_link() {
        files::Kind::Symlink
    } else if mode.is_tree() || mode.is_commit() {
        files::Kind::Directory
    } else {
        files::Kind::Special
    }
}

/// What an entry of a `.tasks` tree is to the store when it is a task
/// file (or a `.toml` that cannot be one), by the same rules as
/// [`revision_files`]; strays are left out.
pub(super) fn source_file(entry: &gix::objs::tree::EntryRef<'_>) -> Option<SourceFile> {
    let name = entry.filename.to_str().ok()?;
    let oid = entry.oid.to_owned();
    let mut listing = Listing::default();
    listing.classify(name.to_owned(), entry_kind(entry.mode), || {
        Blob::Object(oid)
    });
    listing.files.pop()
}

/// The entry `name` of tree `tree`: its id and mode.
fn tree_entry(
    objects: &Objects,
    tree: &gix::oid,
    name: &str,
    buf: &mut Vec<u8>,
) -> Result<Option<(gix::ObjectId, gix::objs::tree::EntryMode)>, Cause> {
    let data = objects.find(tree, buf)?;
    for entry in gix::objs::TreeRefIter::from_bytes(data.data, objects.hash()) {
        let entry = entry?;
        if entry.filename == name.as_bytes() {
            return Ok(Some((entry.oid.to_owned(), entry.mode)));
        }
    }
    Ok(None)
}
