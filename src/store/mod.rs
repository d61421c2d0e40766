//! Reading and writing tasks. Every command reads through a [`Workspace`];
//! every change goes through a [`Transaction`], which holds the exclusive
//! lock, validates the result and writes each file by rename.

mod cache;
mod file_log;
pub mod files;
mod git;
mod index_lock;
mod journal;
mod lock;
mod recent;
mod refs;
mod remote;
mod repo;
#[cfg(test)]
pub(crate) mod testing;
mod text;
mod walk;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::Config;
use crate::document::TaskDocument;
use crate::error::{Error, FileProblem, Result};
use crate::graph::Graph;
use crate::id::TaskId;
use crate::task::{ParseError, Task};
use crate::taskset::TaskSet;

pub use cache::{KEEP_GENERATIONS, RACY_MARGIN};
pub use file_log::{Blobs, Commit, FileVersion, Visit, Walked};
pub use lock::{DEFAULT_WAIT, Holder, Lock};
pub use recent::{FileChange, TasksVisit};
pub use refs::Lost;
pub use remote::Pushed;
pub use repo::{ConfigFile, ObjectId, Reference, wildmatch};
pub use text::{Text, Texts};
pub use walk::{Added, History, Known};

use cache::{Cache, Learned, Row, Seen, Stat, StatDir};

/// The name of the tasks directory at the root of the working tree.
pub const TASKS_DIR: &str = ".tasks";
/// The name of the settings file inside it.
pub const CONFIG_FILE: &str = "config.toml";
/// What git-task's temporary files in `.tasks/` start with. Each change is
/// written to one, then renamed over the task file; a write killed in
/// between leaves one behind, which the next change removes.
pub const TEMP_PREFIX: &str = ".git-task-tmp-";
/// The ignore file `init` writes in `.tasks/`, so that a temporary file
/// left by a killed write is never committed by `git add -A`.
pub const GITIGNORE: &str = ".gitignore";
const GITIGNORE_TEXT: &str = "# Temporary files of git-task writes that were interrupted. git-task\n# removes them on its next change; they are never tasks.\n/.git-task-*\n";

/// Where a task set is read from. Commands never mix sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `.tasks/` of the working tree, as it is on disk.
    WorkTree,
    /// What the next commit would record: the index (honouring
    /// `GIT_INDEX_FILE`, which git sets for `git commit -a` and friends).
    Index,
    /// The tree of a revision: a branch, tag, sha, `HEAD~2`, …
    Rev(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::WorkTree => f.write_str("the working tree"),
            Source::Index => f.write_str("the index"),
            Source::Rev(rev) => write!(f, "revision {rev}"),
        }
    }
}

/// A git repository and, unless it is bare, its working tree's `.tasks/`.
pub struct Workspace {
    repo: gix::Repository,
    /// The top of the working tree; the git dir of a bare repository.
    root: PathBuf,
    git_dir: PathBuf,
    bare: bool,
    /// How long a change waits for another process's lock.
    lock_wait: Duration,
    /// Told whom a change is waiting for, when it waits a while.
    lock_notice: Option<LockNotice>,
    /// The parse cache being written in the background, if it is: joined
    /// before the cache is opened again, and when the workspace is done.
    cache_writer: std::cell::RefCell<Option<std::thread::JoinHandle<()>>>,
}

impl Drop for Workspace {
    fn drop(&mut self) {
        self.finish_cache_write();
    }
}

/// What a change calls when it has waited a while for the lock, with whom
/// it waits for.
pub type LockNotice = Box<dyn Fn(&Holder)>;

impl Workspace {
    /// Finds the repository that contains `dir`, as git does, honouring
    /// `GIT_DIR`, `GIT_WORK_TREE` and `GIT_INDEX_FILE` as git sets them for
    /// hooks.
    pub fn discover(dir: &Path) -> Result<Workspace> {
        match files::kind(dir) {
            Ok(None) => {
                return Err(Error::NoSuchDirectory {
                    path: dir.to_path_buf(),
                });
            }
            Ok(Some(files::Kind::File | files::Kind::Special)) => {
                return Err(Error::NotADirectory {
                    path: dir.to_path_buf(),
                });
            }
            _ => {}
        }
        let mut repo =
            gix::discover_with_environment_overrides(dir).map_err(|_| Error::NotARepository {
                path: dir.to_path_buf(),
            })?;
        // Reading thousands of small blobs: a little object cache pays off.
        repo.object_cache_size_if_unset(4 * 1024 * 1024);
        let git_dir = absolute(repo.git_dir())?;
        let (root, bare) = match repo.workdir() {
            Some(root) => (absolute(root)?, false),
            None => (git_dir.clone(), true),
        };
        // gix reads a repository that another user owns with reduced trust
        // (safe.directory, as git has it); git refuses to work in one at
        // all, and so do we: its config could name an editor or a hook
        // that would run as us.
        if repo.git_dir_trust() != gix::sec::Trust::Full {
            return Err(Error::DubiousOwnership { path: root });
        }
        Ok(Workspace {
            repo,
            root,
            git_dir,
            bare,
            lock_wait: DEFAULT_WAIT,
            lock_notice: None,
            cache_writer: Default::default(),
        })
    }

    /// How long changes wait for the lock, and what to call when one has
    /// waited a while (to say whom it waits for).
    pub fn set_lock_wait(&mut self, wait: Duration, notice: Option<LockNotice>) {
        self.lock_wait = wait;
        self.lock_notice = notice;
    }

    /// The top of the working tree (the git dir of a bare repository).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether there is no working tree: only revisions can be read.
    pub fn is_bare(&self) -> bool {
        self.bare
    }

    /// The per-worktree git directory.
    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    pub fn tasks_dir(&self) -> PathBuf {
        self.root.join(TASKS_DIR)
    }

    /// The path of a task's file relative to the root, as shown to users.
    pub fn display_path(&self, id: &TaskId) -> PathBuf {
        Path::new(TASKS_DIR).join(id.file_name())
    }

    fn ensure_initialized(&self) -> Result<PathBuf> {
        if self.bare {
            return Err(Error::BareRepository {
                path: self.git_dir.clone(),
            });
        }
        let dir = self.tasks_dir();
        match files::kind(&dir).map_err(|e| Error::io(&dir, e))? {
            Some(files::Kind::Directory) => Ok(dir),
            Some(files::Kind::Symlink) => Err(Error::Link {
                path: PathBuf::from(TASKS_DIR),
            }),
            Some(other) => Err(Error::TasksNotADirectory {
                kind: other.describe(),
            }),
            None => Err(Error::NotInitialized {
                root: self.root.clone(),
            }),
        }
    }

    /// Creates `.tasks/`, `config.toml` and the `.gitignore` for git-task's
    /// temporary files, unless they exist. Returns what it created,
    /// relative to the root.
    pub fn init(&self) -> Result<Vec<PathBuf>> {
        if self.bare {
            return Err(Error::BareRepository {
                path: self.git_dir.clone(),
            });
        }
        let mut created = Vec::new();
        let dir = self.tasks_dir();
        if files::kind(&dir).map_err(|e| Error::io(&dir, e))?.is_none() {
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            created.push(PathBuf::from(TASKS_DIR));
        }
        let dir = self.ensure_initialized()?;
        let _lock = self.lock()?;
        for (name, text) in [
            (CONFIG_FILE, crate::config::INITIAL),
            (GITIGNORE, GITIGNORE_TEXT),
        ] {
            let path = dir.join(name);
            match files::kind(&path).map_err(|e| Error::io(&path, e))? {
                None => {
                    let tmp = write_temporary(&dir, &path, text)?;
                    tmp.as_file()
                        .sync_all()
                        .map_err(|e| Error::io(tmp.path(), e))?;
                    tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
                    created.push(Path::new(TASKS_DIR).join(name));
                }
                Some(files::Kind::Symlink) => {
                    return Err(Error::Link {
                        path: Path::new(TASKS_DIR).join(name),
                    });
                }
                Some(_) => {}
            }
        }
        Ok(created)
    }

    /// The project settings; defaults when there is no config.toml.
    pub fn config(&self) -> Result<Config> {
        let dir = self.ensure_initialized()?;
        let path = dir.join(CONFIG_FILE);
        let problem = |error: ParseError| {
            Error::Files(vec![FileProblem {
                path: Path::new(TASKS_DIR).join(CONFIG_FILE),
                error,
            }])
        };
        let at_start = |message: String| ParseError {
            line: 1,
            column: 1,
            message,
        };
        match files::read_text(&path) {
            Ok(text) => Config::parse(&text).map_err(problem),
            Err(files::ReadError::Missing) => Ok(Config::default()),
            Err(e) => Err(problem(at_start(e.message()))),
        }
    }

    /// Takes the exclusive lock of `.tasks/`, waiting as configured.
    fn lock(&self) -> Result<Lock> {
        let mode = lock::shared_mode(self.git_config("core.sharedRepository").as_deref())
            .map_err(Error::from)?;
        let notice = self.lock_notice.as_deref();
        Lock::acquire(
            &lock::path_in(&self.git_dir),
            &lock::Wait {
                limit: self.lock_wait,
                notice,
                mode,
            },
        )
    }

    /// Reads every task of `source`, with the `config.toml` of the same
    /// source. Problems in single files are collected, not fatal, so `check`
    /// can report all of them at once.
    pub fn read(&self, source: &Source) -> Result<Loaded> {
        let cache = self.open_cache();
        let listing = self.files(source)?;
        let (loaded, learned) = load_files(listing, &self.repo, None, Some(&cache));
        self.store_cache(cache, learned);
        Ok(loaded)
    }

    /// The parse cache of this worktree (or bare repository): in
    /// `git-task/cache/` of its git dir. Opened before anything is read,
    /// so that what it learns is dated before the files were looked at.
    fn open_cache(&self) -> Cache {
        self.finish_cache_write();
        Cache::open(self.private_dir().join("cache"), self.repo.object_hash())
    }

    /// Writes what a read taught the cache, on a thread of its own when
    /// there is something to write, while the command goes on to its
    /// answer: a read that parsed thousands of files need not also wait
    /// for the megabytes of their cache entries to be written.
    fn store_cache(&self, cache: Cache, learned: Learned) {
        let Some(news) = cache.news(&learned) else {
            return;
        };
        self.finish_cache_write();
        let writer = std::thread::spawn(move || {
            let _ = cache.store(&learned, news);
        });
        *self.cache_writer.borrow_mut() = Some(writer);
    }

    /// Waits for the cache write in the background, if there is one.
    pub(crate) fn finish_cache_write(&self) {
        if let Some(writer) = self.cache_writer.borrow_mut().take() {
            // A write that failed, or panicked, costs speed only.
            let _ = writer.join();
        }
    }

    /// [`Workspace::read`] for `check` and the hooks: the working tree
    /// comes with the paths of `.tasks/` that the index holds in conflict.
    /// A path in conflict is a fact of the index whatever the file in the
    /// working tree holds: after a modify/delete conflict it may be a valid
    /// task that would be committed in place of the other side's change.
    /// (Other commands do not read the index for it.)
    pub fn read_for_check(&self, source: &Source) -> Result<Loaded> {
        let mut loaded = self.read(source)?;
        if *source == Source::WorkTree {
            // The index is sorted by path, so these are in path order.
            loaded.unmerged = git::unmerged_files(&self.repo)?;
        }
        Ok(loaded)
    }

    /// Reads two sources, parsing a file of the second only when its blob
    /// differs from the same file's in the first: two revisions of a large
    /// task set share most of their blobs (what `diff` compares).
    pub fn read_pair(&self, first: &Source, second: &Source) -> Result<(Loaded, Loaded)> {
        let files = self.files(first)?;
        let oids: HashMap<String, gix::ObjectId> = files
            .files
            .iter()
            .filter_map(|f| match f.blob {
                Blob::Object(oid) => Some((f.name.clone(), oid)),
                _ => None,
            })
            .collect();
        let cache = self.open_cache();
        let (a, mut learned) = load_files(files, &self.repo, None, Some(&cache));
        let reuse = Reuse { oids, loaded: &a };
        let (b, more) = load_files(self.files(second)?, &self.repo, Some(&reuse), Some(&cache));
        learned.absorb(more);
        self.store_cache(cache, learned);
        Ok((a, b))
    }

    fn files(&self, source: &Source) -> Result<Listing> {
        match source {
            Source::WorkTree => {
                self.finish_interrupted_change();
                self.work_tree_files()
            }
            Source::Index => git::index_files(&self.repo),
            Source::Rev(rev) => git::revision_files(&git::Objects::new(self.repo.clone()), rev),
        }
    }

    /// Finishes a change of many files that a killed process left half
    /// made (src/store/journal.rs), under the lock, before the working
    /// tree is read: a reader never sees a change half applied once its
    /// writer is gone. A live writer holds the lock until its change is
    /// complete; when the lock cannot be had within `--wait`, the tree is
    /// read as it is.
    fn finish_interrupted_change(&self) {
        let private = self.private_dir();
        if !journal::path_in(&private).exists() && !index_lock::left_behind(&private) {
            return;
        }
        if let Ok(_lock) = self.lock() {
            self.finish_interrupted_change_locked();
        }
    }

    /// [`Workspace::finish_interrupted_change`] for a caller that holds
    /// the lock.
    fn finish_interrupted_change_locked(&self) -> Option<journal::Finished> {
        let private = self.private_dir();
        let index = self.repo.index_path();
        let journal = journal::path_in(&private);
        if !journal.exists() {
            // A change killed while it held git's index.lock: the lock
            // goes, so that git works again.
            index_lock::remove_left_behind(&index, &private);
            return None;
        }
        // Its renames are a change's renames: git's index.lock is held
        // for them, as in [`Transaction::commit`]. Without it (a git
        // command holds it for longer than a change waits) the journal
        // stays for the next command.
        let _index = index_lock::IndexLock::take(&index, &private, self.lock_wait).ok()?;
        journal::finish(&journal, &self.tasks_dir(), self.repo.object_hash())
    }

    /// The object a revision names, with an error in the user's words when
    /// it names none.
    pub fn resolve_rev(&self, rev: &str) -> Result<gix::ObjectId> {
        git::resolve_rev(&self.repo, rev)
    }

    /// How the index holds each of `paths` (relative to the root): what
    /// decides which command puts a broken file right.
    pub fn in_index(&self, paths: &[&Path]) -> Result<Vec<InIndex>> {
        let listing = git::index_files(&self.repo)?;
        Ok(paths
            .iter()
            .map(|path| {
                if listing.unmerged.iter().any(|u| u.path == *path) {
                    InIndex::Unmerged
                } else if listing
                    .files
                    .iter()
                    .any(|f| Path::new(TASKS_DIR).join(&f.name) == *path)
                {
                    InIndex::Tracked
                } else {
                    InIndex::Untracked
                }
            })
            .collect())
    }

    /// The task in the working tree whose id is exactly `text`, read from
    /// its file alone; `None` when `text` is not an id, or there is no such
    /// file, or it does not read. For a command that wants to know one
    /// thing of a task before it reads the whole set.
    pub fn peek(&self, text: &str) -> Option<Task> {
        let id = TaskId::parse(text).ok()?;
        let path = self.tasks_dir().join(id.file_name());
        let text = files::read_text(&path).ok()?;
        Task::parse(id, &text).ok()
    }

    /// Reads every task of `source`, failing on the first problem file.
    pub fn load(&self, source: &Source) -> Result<TaskSet> {
        self.read(source)?.into_result_of(source)
    }

    fn work_tree_files(&self) -> Result<Listing> {
        let dir = self.ensure_initialized()?;
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut listing = Listing {
            dir: Some(dir.clone()),
            ..Listing::default()
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            // The entry's own type: a symbolic link is not followed.
            let kind = entry
                .file_type()
                .map(files::Kind::of_type)
                .map_err(|e| Error::io(entry.path(), e))?;
            let name = match entry.file_name().into_string() {
                Ok(name) => name,
                Err(raw) => {
                    listing.stray(
                        &files::name_of_bytes(raw.as_encoded_bytes()),
                        StrayKind::NotUtf8,
                    );
                    continue;
                }
            };
            listing.classify(name, kind, || Blob::Path(entry.path()));
        }
        Ok(listing)
    }
}

/// Whether a file in `.tasks/` is read: `*.toml`, but not dot files (our
/// own temporaries and editors' swap files).
fn is_task_file_name(name: &str) -> bool {
    !name.starts_with('.') && name.ends_with(".toml")
}

/// Whether a file in `.tasks/` is one of git-task's temporaries: named
/// with [`TEMP_PREFIX`], or `.tmp-XXXXXX.toml` as earlier versions
/// named them.
pub fn is_temporary_name(name: &str) -> bool {
    if name.starts_with(TEMP_PREFIX) {
        return true;
    }
    name.strip_prefix(".tmp-")
        .and_then(|rest| rest.strip_suffix(".toml"))
        .is_some_and(|random| {
            random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Files that belong in `.tasks/` though they are not tasks.
fn is_known_other(name: &str) -> bool {
    matches!(name, GITIGNORE | ".gitattributes" | ".gitkeep" | ".keep")
}

/// The files of `.tasks/` in one source, before they are read: the task
/// files, and what else is there.
#[derive(Default)]
pub(crate) struct Listing {
    /// The directory the files are in, when they are the working tree's.
    dir: Option<PathBuf>,
    files: Vec<SourceFile>,
    strays: Vec<Stray>,
    unmerged: Vec<Unmerged>,
}

impl Listing {
    fn stray(&mut self, name: &str, kind: StrayKind) {
        self.strays.push(Stray {
            path: Path::new(TASKS_DIR).join(name),
            kind,
        });
    }

    /// Sorts the entry `name` of `.tasks/`, whose type is `kind`, into task
    /// files (read from `blob`), files that cannot be tasks, and strays.
    fn classify(&mut self, name: String, kind: files::Kind, blob: impl FnOnce() -> Blob) {
        let task_name = is_task_file_name(&name);
        match kind {
            files::Kind::File if task_name => self.files.push(SourceFile { name, blob: blob() }),
            files::Kind::File if is_temporary_name(&name) => {
                self.stray(&name, StrayKind::Temporary)
            }
            files::Kind::File if is_known_other(&name) => {}
            files::Kind::File => self.stray(&name, StrayKind::Other),
            // A `.toml` that is not a file is a task that cannot be read:
            // an error, never silence.
            _ if task_name => self.files.push(SourceFile {
                name,
                blob: Blob::Unreadable(files::ReadError::NotAFile(kind).message()),
            }),
            files::Kind::Directory => self.stray(&name, StrayKind::Directory),
            files::Kind::Symlink => self.stray(&name, StrayKind::Link),
            files::Kind::Special => self.stray(&name, StrayKind::Other),
        }
    }
}

/// A file of `.tasks/` that is not a task file, and is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    /// Relative to the repository root; a name that is not UTF-8 is shown
    /// with replacement characters.
    pub path: PathBuf,
    pub kind: StrayKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrayKind {
    /// A temporary file of a git-task write that was killed: half a task
    /// at most, and never to be committed.
    Temporary,
    /// A folder: git-task reads no subdirectories of `.tasks/`.
    Directory,
    /// A symbolic link: never followed.
    Link,
    /// A name that is not UTF-8, so it cannot be a task id.
    NotUtf8,
    /// Any other file.
    Other,
}

/// A path of `.tasks/` that the index holds in conflict, with the stages
/// it has: the common ancestor's (1), ours (2) and theirs (3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmerged {
    pub path: PathBuf,
    pub base: bool,
    pub ours: bool,
    pub theirs: bool,
}

impl Unmerged {
    /// What git calls the conflict in `git status`.
    pub fn describe(&self) -> &'static str {
        match (self.base, self.ours, self.theirs) {
            (true, true, true) => "both modified",
            (true, true, false) => "deleted by them",
            (true, false, true) => "deleted by us",
            (false, true, true) => "both added",
            (false, true, false) => "added by us",
            (false, false, true) => "added by them",
            _ => "both deleted",
        }
    }
}

/// How the index holds a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InIndex {
    /// In conflict: a merge, rebase or cherry-pick stopped on it.
    Unmerged,
    /// Recorded, so `git checkout -- PATH` restores it.
    Tracked,
    /// Not in the index: git has no copy of it.
    Untracked,
}

/// A file of `.tasks/` in some source, not yet read.
pub(crate) struct SourceFile {
    /// The file name inside `.tasks/`.
    name: String,
    blob: Blob,
}

/// Where a file's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Blob {
    Path(PathBuf),
    Object(gix::ObjectId),
    /// The file cannot be read as a task (a conflict stage, a symlink, …).
    Unreadable(String),
}

/// What one file turned out to be.
// Not boxed: nearly every outcome is a task, moved straight into the
// read's list; a box would be one more allocation per task.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Task(Task, Text),
    Config(Config),
    Problem(FileProblem),
}

/// An earlier read whose parsed files stand in for identical blobs.
struct Reuse<'a> {
    /// File name → blob id in the earlier read.
    oids: HashMap<String, gix::ObjectId>,
    loaded: &'a Loaded,
}

impl Reuse<'_> {
    /// The earlier outcome for `file`, when its blob is the same.
    fn outcome(&self, file: &SourceFile) -> Option<Outcome> {
        let Blob::Object(oid) = &file.blob else {
            return None;
        };
        if self.oids.get(&file.name) != Some(oid) {
            return None;
        }
        if file.name == CONFIG_FILE {
            // A config.toml that did not read is read again, so that its
            // problem is reported, not replaced by the defaults.
            let shown = Path::new(TASKS_DIR).join(CONFIG_FILE);
            if self.loaded.problems.iter().any(|p| p.path == shown) {
                return None;
            }
            return Some(Outcome::Config(self.loaded.config.clone()));
        }
        let i = self
            .loaded
            .tasks
            .index_of(file.name.strip_suffix(".toml")?)?;
        Some(Outcome::Task(
            self.loaded.tasks.tasks()[i].clone(),
            self.loaded.texts.text(i),
        ))
    }
}

/// Reads and parses `files` on all cores, taking what `reuse` (an earlier
/// read) or `cache` already parsed. Returns what the cache should learn.
fn load_files(
    listing: Listing,
    repo: &gix::Repository,
    reuse: Option<&Reuse>,
    cache: Option<&Cache>,
) -> (Loaded, Learned) {
    let Listing {
        dir,
        mut files,
        mut strays,
        mut unmerged,
    } = listing;
    let stat_dir = dir.as_deref().map(StatDir::open);
    sort_by_stem(&mut files);
    strays.sort_by(|a, b| a.path.cmp(&b.path));
    unmerged.sort_by(|a, b| a.path.cmp(&b.path));
    // gix's repository handle is not Sync: each thread takes its own.
    let shared = repo.clone().into_sync();
    let total = files.len();
    // One slot per file, filled in place by the thread that reads it, and
    // turned into the read's lists without moving: a task is moved once,
    // from where it is made to where it stays.
    let mut tasks: Vec<Option<Task>> = std::iter::repeat_with(|| None).take(total).collect();
    let mut texts: Vec<Option<Text>> = std::iter::repeat_with(|| None).take(total).collect();
    let mut seen: Vec<Option<Seen>> = std::iter::repeat_with(|| None).take(total).collect();
    let read_part = |files_part: &[SourceFile], slots: Slots| {
        let objects = git::Objects::new(shared.to_thread_local());
        let mut others = Vec::new();
        let mut hint = 0;
        for (i, file) in files_part.iter().enumerate() {
            let (outcome, learned) = match reuse.and_then(|r| r.outcome(file)) {
                // The earlier read of this command learned about it.
                Some(outcome) => (outcome, None),
                None => match cache {
                    Some(cache) => {
                        let at = Within {
                            names: &files,
                            dir: stat_dir.as_ref(),
                            hint: &mut hint,
                        };
                        read_cached(&objects, file, cache, at)
                    }
                    None => (parse_file(&objects, file, &files), None),
                },
            };
            slots.seen[i] = learned;
            match outcome {
                Outcome::Task(task, text) => {
                    slots.tasks[i] = Some(task);
                    slots.texts[i] = Some(text);
                }
                other => others.push(other),
            }
        }
        others
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let others: Vec<Outcome> = if threads < 2 || total < 256 {
        read_part(
            &files,
            Slots {
                tasks: &mut tasks,
                texts: &mut texts,
                seen: &mut seen,
            },
        )
    } else {
        let chunk = total.div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .zip(tasks.chunks_mut(chunk))
                .zip(texts.chunks_mut(chunk))
                .zip(seen.chunks_mut(chunk))
                .map(|(((part, tasks), texts), seen)| {
                    let read_part = &read_part;
                    scope.spawn(move || read_part(part, Slots { tasks, texts, seen }))
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    };
    let mut loaded = Loaded {
        strays,
        unmerged,
        ..Loaded::default()
    };
    for outcome in others {
        match outcome {
            Outcome::Config(config) => loaded.config = config,
            Outcome::Problem(problem) => loaded.problems.push(problem),
            Outcome::Task(..) => {}
        }
    }
    // In file order, which is id order: TaskSet::new only checks it.
    loaded.problems.sort_by(|a, b| a.path.cmp(&b.path));
    // filter_map, not flatten: it is collected in place, in the slots'
    // memory (flatten copies, and touches 60% more pages at 10k tasks).
    #[allow(clippy::filter_map_identity)]
    {
        let tasks: Vec<Task> = tasks.into_iter().filter_map(|t| t).collect();
        // Texts are by task index: the ids must come in order, each once,
        // so that TaskSet::new moves none.
        debug_assert!(tasks.windows(2).all(|w| w[0].id < w[1].id));
        loaded.tasks = TaskSet::new(tasks);
        loaded.texts = texts.into_iter().filter_map(|t| t).collect();
    }
    let mut names: Vec<String> = files.into_iter().map(|f| f.name).collect();
    let learned = Learned {
        seen: seen
            .into_iter()
            .enumerate()
            .filter_map(|(i, s)| {
                Some(Seen {
                    name: std::mem::take(&mut names[i]),
                    ..s?
                })
            })
            .collect(),
        work_tree: stat_dir.is_some(),
    };
    (loaded, learned)
}

/// The slots of one thread of [`load_files`]: for each of its files, the
/// task and text it holds and what the cache learns of it.
struct Slots<'a> {
    tasks: &'a mut [Option<Task>],
    texts: &'a mut [Option<Text>],
    seen: &'a mut [Option<Seen>],
}

/// The stem of a file of `.tasks/`: a task's id, when it is one.
fn stem(file: &SourceFile) -> &str {
    file.name.strip_suffix(".toml").unwrap_or(&file.name)
}

/// Sorts `files` by stem, so that their tasks come in id order (file names
/// sort differently from ids: `a-b.toml` < `a.toml`, but `a` < `a-b`).
/// Sorted by the first 16 bytes of each stem as one number, then by the
/// whole stem where those are equal: thousands of comparisons of numbers
/// rather than of strings behind pointers, and the files moved in place.
fn sort_by_stem(files: &mut [SourceFile]) {
    let key = |f: &SourceFile| {
        let mut prefix = [0u8; 16];
        let stem = stem(f).as_bytes();
        let n = stem.len().min(16);
        prefix[..n].copy_from_slice(&stem[..n]);
        u128::from_be_bytes(prefix)
    };
    files.sort_by_cached_key(key);
    let mut start = 0;
    while start < files.len() {
        let first = key(&files[start]);
        let end = start
            + 1
            + files[start + 1..]
                .iter()
                .take_while(|f| key(f) == first)
                .count();
        if end - start > 1 {
            files[start..end].sort_by(|a, b| stem(a).cmp(stem(b)));
        }
        start = end;
    }
}

/// Where a file of a read is: among the other files of its source (sorted
/// by [`stem`]), and, for the working tree, in which directory; with where
/// the previous file's row was found.
struct Within<'a> {
    names: &'a [SourceFile],
    dir: Option<&'a StatDir>,
    hint: &'a mut usize,
}

fn read_cached(
    objects: &git::Objects,
    file: &SourceFile,
    cache: &Cache,
    within: Within,
) -> (Outcome, Option<Seen>) {
    let Within { names, dir, hint } = within;
    if file.name == CONFIG_FILE {
        return (parse_file(objects, file, names), None);
    }
    let hit = |oid: &ObjectId| {
        cache
            .entry(&file.name, oid)
            .map(|(task, text)| Outcome::Task(task, text))
    };
    let seen = |oid: ObjectId, fresh, row| Seen {
        // Filled in from the file, which load_files owns, once the files
        // are read.
        name: String::new(),
        oid,
        fresh,
        row,
    };
    let (bytes, oid, row) = match &file.blob {
        Blob::Object(oid) => {
            if let Some(outcome) = hit(oid) {
                return (outcome, Some(seen(*oid, None, None)));
            }
            match fetch(objects, file) {
                Ok(bytes) => (bytes, *oid, None),
                Err(message) => return (unreadable(file, message), None),
            }
        }
        Blob::Path(path) => {
            let row = cache.row_near(&file.name, hint);
            if let Some(row) = row.filter(|r| r.is_trusted())
                && dir.and_then(|d| d.stat(&file.name)) == Some(row.stat)
                && let Some(outcome) = hit(&row.oid)
            {
                return (outcome, Some(seen(row.oid, None, Some(*row))));
            }
            // The stat data must be of what is read: taken from the file
            // opened, before its bytes are.
            let (bytes, meta) = match files::read_regular_with_metadata(path) {
                Ok(read) => read,
                Err(e) => return (unreadable(file, e.message()), None),
            };
            let Some(oid) = cache.blob_id(&bytes) else {
                return (parse_bytes(file, bytes, names), None);
            };
            let mut new = Row {
                stat: Stat::of(&meta),
                oid,
                verified_at: cache.started(),
            };
            // A racy file found unchanged keeps its row: a new one would
            // be no more trusted, and rewriting the cache for it is waste.
            if let Some(old) = row
                && old.stat == new.stat
                && old.oid == oid
                && !new.is_trusted()
            {
                new = *old;
            }
            if let Some(outcome) = hit(&oid) {
                return (outcome, Some(seen(oid, None, Some(new))));
            }
            (bytes, oid, Some(new))
        }
        Blob::Unreadable(_) => return (parse_file(objects, file, names), None),
    };
    let outcome = parse_bytes(file, bytes, names);
    let fresh = match &outcome {
        Outcome::Task(task, text) => {
            let mut encoded = Vec::new();
            cache::codec::encode(task, &mut encoded).map(|()| (text.clone(), encoded))
        }
        _ => None,
    };
    match fresh {
        Some(fresh) => (outcome, Some(seen(oid, Some(Box::new(fresh)), row))),
        None => (outcome, None),
    }
}

/// The bytes of `file`, or why it cannot be read.
fn fetch(objects: &git::Objects, file: &SourceFile) -> std::result::Result<Vec<u8>, String> {
    match &file.blob {
        Blob::Path(p) => files::read_regular(p).map_err(|e| e.message()),
        Blob::Object(oid) => {
            let mut buf = Vec::new();
            objects.task_blob(oid, &mut buf).map(<[u8]>::to_vec)
        }
        Blob::Unreadable(why) => Err(why.clone()),
    }
}

/// A file that could not be read, as a problem at its start.
fn unreadable(file: &SourceFile, message: String) -> Outcome {
    Outcome::Problem(FileProblem {
        path: Path::new(TASKS_DIR).join(&file.name),
        error: ParseError {
            line: 1,
            column: 1,
            message,
        },
    })
}

/// Reads and parses `file`. `names` are the files of the same source,
/// sorted by [`stem`]: what a file name that is not an id is told of.
fn parse_file(objects: &git::Objects, file: &SourceFile, names: &[SourceFile]) -> Outcome {
    match fetch(objects, file) {
        Ok(bytes) => parse_bytes(file, bytes, names),
        Err(message) => unreadable(file, message),
    }
}

/// Parses the bytes of `file`: the settings, a task, or a problem.
fn parse_bytes(file: &SourceFile, bytes: Vec<u8>, names: &[SourceFile]) -> Outcome {
    let problem = |error: ParseError| {
        Outcome::Problem(FileProblem {
            path: Path::new(TASKS_DIR).join(&file.name),
            error,
        })
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let (line, column, valid) = crate::task::not_utf8_at(&e);
            return problem(ParseError {
                line,
                column,
                message: format!(
                    "the file is not UTF-8 text (byte 0x{:02x} at offset {valid}); task files are UTF-8",
                    e.as_bytes()[valid]
                ),
            });
        }
    };
    if file.name == CONFIG_FILE {
        return match Config::parse(&text) {
            Ok(config) => Outcome::Config(config),
            Err(error) => problem(error),
        };
    }
    // One `.toml` off, as everywhere else: `a.toml.toml` is not task `a`
    // (it would stand beside `a.toml`, and sort apart from its id).
    let stem = stem(file);
    let id = match TaskId::parse(stem) {
        Ok(id) => id,
        Err(e) => {
            let lower = stem.to_lowercase();
            let message = if lower == crate::id::RESERVED {
                format!(
                    "settings are read only from {TASKS_DIR}/{CONFIG_FILE}, and on a case-insensitive file system this name is that file; rename it, or move its settings into {CONFIG_FILE}"
                )
            } else if lower != stem
                && names
                    .binary_search_by(|f| self::stem(f).cmp(lower.as_str()))
                    .is_ok()
            {
                format!(
                    "the file name differs from task `{lower}` only in case, and on a case-insensitive file system the two are one file; merge them into {lower}.toml"
                )
            } else {
                format!("the file name is not a task id: {}", e.reason)
            };
            return unreadable(file, message);
        }
    };
    match Task::parse(id, &text) {
        Ok(task) => Outcome::Task(task, Text::from(text)),
        Err(error) => problem(error),
    }
}

impl Workspace {
    /// Takes the exclusive lock and reads the task set fresh under it.
    /// Temporary files that killed writes left behind are removed first:
    /// under the lock no other git-task process is writing one.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        let dir = self.ensure_initialized()?;
        let lock = self.lock()?;
        self.finish_interrupted_change_locked();
        let cache = self.open_cache();
        let (mut loaded, learned) =
            load_files(self.work_tree_files()?, &self.repo, None, Some(&cache));
        remove_stale_temporaries(&dir, &loaded.strays);
        let texts = std::mem::take(&mut loaded.texts);
        let before = loaded.into_result()?;
        Ok(Transaction {
            ws: self,
            dir,
            _lock: lock,
            after: before.clone(),
            before,
            texts,
            cache,
            learned,
            changes: BTreeMap::new(),
            on_write: None,
        })
    }

    /// Runs `change` in a transaction and commits it. When a file changed
    /// underneath between the read and the write (a `git checkout` or
    /// `merge` does not take git-task's lock), nothing is written and the
    /// change starts over on what is there now, a few times at most.
    /// Returns what `change` returned and the task set as it now is.
    pub fn transact<T>(
        &self,
        mut change: impl FnMut(&mut Transaction) -> Result<T>,
    ) -> Result<(T, TaskSet)> {
        const ATTEMPTS: usize = 4;
        let mut attempt = 1;
        loop {
            let mut tx = self.transaction()?;
            let value = change(&mut tx)?;
            match tx.commit() {
                Ok(set) => return Ok((value, set)),
                Err(Error::Raced { .. }) if attempt < ATTEMPTS => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    }
}

/// Removes the temporary files of `.tasks/` among `strays`. Best effort:
/// one that cannot be removed is reported by `check`.
fn remove_stale_temporaries(dir: &Path, strays: &[Stray]) {
    for stray in strays.iter().filter(|s| s.kind == StrayKind::Temporary) {
        if let Some(name) = stray.path.file_name() {
            let _ = fs::remove_file(dir.join(name));
        }
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    fs::canonicalize(path).map_err(|e| Error::io(path, e))
}

/// A task set, the settings of the same source, and the files that could
/// not be read.
#[derive(Debug, Default)]
pub struct Loaded {
    pub tasks: TaskSet,
    /// The text of each task's file, by task index, for diagnostics that
    /// point at a line.
    pub texts: Texts,
    pub config: Config,
    pub problems: Vec<FileProblem>,
    /// Files of `.tasks/` that are not task files, in path order.
    pub strays: Vec<Stray>,
    /// Paths of `.tasks/` in conflict in the index, in path order.
    pub unmerged: Vec<Unmerged>,
}

impl Loaded {
    /// The tasks, or every problem as one error.
    pub fn into_result(self) -> Result<TaskSet> {
        self.into_result_of(&Source::WorkTree)
    }

    /// [`Loaded::into_result`] for tasks read from `source`, whose problems
    /// are said as problems of that source ([`Error::FilesIn`]).
    pub fn into_result_of(self, source: &Source) -> Result<TaskSet> {
        match (self.problems.is_empty(), source) {
            (true, _) => Ok(self.tasks),
            (false, Source::WorkTree) => Err(Error::Files(self.problems)),
            (false, source) => Err(Error::FilesIn {
                from: source.clone(),
                problems: self.problems,
            }),
        }
    }
}

/// What a long change tells a front end as it goes: `(done, total)`.
pub type Progress = std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>;

/// A change to the task set under the exclusive lock. Nothing is written
/// until [`Transaction::commit`], which refuses a result with a new cycle.
pub struct Transaction<'w> {
    ws: &'w Workspace,
    dir: PathBuf,
    _lock: Lock,
    before: TaskSet,
    after: TaskSet,
    /// The text of each task file of `before` as the transaction read it.
    /// Changes are made to this text, and commit checks that it is still
    /// what the file holds before replacing it.
    texts: Texts,
    /// The parse cache, told what the commit wrote.
    cache: Cache,
    learned: Learned,
    changes: BTreeMap<TaskId, Option<TaskDocument>>,
    /// Told, as a commit writes, how many of how many files are on disk.
    on_write: Option<Progress>,
}

impl Transaction<'_> {
    pub fn workspace(&self) -> &Workspace {
        self.ws
    }

    /// The task set as it will be after the staged changes.
    pub fn tasks(&self) -> &TaskSet {
        &self.after
    }

    /// Resolves an id or prefix against the current task set.
    pub fn resolve(&self, text: &str) -> Result<TaskId> {
        Ok(self.after.resolve(text)?.id.clone())
    }

    /// The editable document of a task, with the changes staged so far.
    pub fn document(&self, id: &TaskId) -> Result<TaskDocument> {
        if let Some(Some(doc)) = self.changes.get(id) {
            return Ok(doc.clone());
        }
        let Some(text) = self.read_text(id) else {
            return Err(Error::Resolve(crate::taskset::ResolveError::Unknown(
                id.to_string(),
            )));
        };
        TaskDocument::parse(text).map_err(|error| {
            Error::Files(vec![FileProblem {
                path: self.ws.display_path(id),
                error,
            }])
        })
    }

    /// The text of task `id`'s file as the transaction read it.
    fn read_text(&self, id: &TaskId) -> Option<&str> {
        Some(self.texts.get(self.before.index_of(id.as_str())?))
    }

    /// Stages a new or changed task after checking that it reads back.
    pub fn stage(&mut self, id: &TaskId, doc: TaskDocument) -> Result<&Task> {
        let task = doc.to_task(id).map_err(|error| {
            Error::Files(vec![FileProblem {
                path: self.ws.display_path(id),
                error,
            }])
        })?;
        self.after.upsert(task);
        self.changes.insert(id.clone(), Some(doc));
        Ok(self.after.get(id.as_str()).expect("just inserted"))
    }

    /// Calls `progress(done, total)` as [`Transaction::commit`] writes its
    /// files, after each few hundred: a front end's progress bar for a
    /// change of thousands of files (`import`).
    pub fn on_write(&mut self, progress: Progress) {
        self.on_write = Some(progress);
    }

    /// Stages the removal of a task's file.
    pub fn stage_removal(&mut self, id: &TaskId) {
        self.after.remove(id.as_str());
        self.changes.insert(id.clone(), None);
    }

    /// Refuses a result with a cycle that was not there before, then writes
    /// each changed file by rename and removes the removed ones. Returns
    /// the task set as it now is.
    pub fn commit(self) -> Result<TaskSet> {
        if self.changes.is_empty() {
            return Ok(self.after);
        }
        self.refuse_new_cycles()?;
        test_pause("before-write");
        // Every new text goes to a temporary file first, and only when all
        // of them are on disk are they renamed into place: a write that
        // fails (a full disk, a permission) fails before any task file
        // changed, so a change of many files (`apply`) is all or nothing.
        // What remains is a crash between two renames, which leaves some
        // files new and some old (each one whole); the temporaries of the
        // rest are removed by the next change. Writes first, removals
        // last: a crash in between leaves references already cleaned up,
        // never dangling.
        let mut staged = Vec::new();
        let written: Vec<(&TaskId, String)> = self
            .changes
            .iter()
            .filter_map(|(id, doc)| doc.as_ref().map(|doc| (id, doc.to_string())))
            .collect();
        // A few hundred files at a time: each batch is written, then
        // flushed (the file system writes the data of many files back
        // together, where a flush after each write would wait for the disk
        // once per file), then closed, so that a plan of ten thousand
        // tasks does not hold ten thousand files open.
        for batch in written.chunks(256) {
            let mut open = Vec::with_capacity(batch.len());
            for (id, text) in batch {
                let path = self.dir.join(id.file_name());
                open.push((*id, path.clone(), write_temporary(&self.dir, &path, text)?));
            }
            sync_all(&open)?;
            for (id, path, tmp) in open {
                staged.push((id, path, tmp.into_temp_path()));
            }
            if let Some(progress) = &self.on_write {
                progress(staged.len(), written.len());
            }
        }
        // From the check that every file is still what was read until the
        // last rename, git's index.lock is held: a checkout, merge, stash
        // or rebase (they take no lock of ours, but that one) either ran
        // before, and the check sees what it did, or waits until after.
        let _index = index_lock::IndexLock::take(
            &self.ws.repo.index_path(),
            &self.ws.private_dir(),
            self.ws.lock_wait,
        )?;
        // Nothing is written unless every file is still what was read:
        // what a git command wrote meanwhile must not be undone by writing
        // its old content back. The change then starts over on it.
        for id in self.changes.keys() {
            let path = self.dir.join(id.file_name());
            let now = match files::read_regular(&path) {
                Ok(bytes) => Some(bytes),
                Err(files::ReadError::Missing) => None,
                Err(_) => {
                    return Err(Error::Raced {
                        path: self.ws.display_path(id),
                    });
                }
            };
            if now.as_deref() != self.read_text(id).map(str::as_bytes) {
                return Err(Error::Raced {
                    path: self.ws.display_path(id),
                });
            }
        }
        // A change of more than one file is journaled: from here on it
        // counts as made, and a process killed during the renames leaves
        // it for the next command to finish (src/store/journal.rs).
        let removals = self.changes.values().filter(|d| d.is_none()).count();
        let journal =
            (staged.len() + removals > 1).then(|| journal::path_in(&self.ws.private_dir()));
        if let Some(journal) = &journal {
            let kind = self.ws.repo.object_hash();
            let before = |id: &TaskId| {
                self.read_text(id)
                    .map(|text| journal::blob_id(kind, text.as_bytes()))
            };
            let mut steps: Vec<journal::Step> = staged
                .iter()
                .map(|(id, _, tmp)| journal::Step {
                    target: id.file_name(),
                    temporary: tmp.file_name().map(|n| n.to_string_lossy().into_owned()),
                    before: before(id),
                })
                .collect();
            for (id, _) in self.changes.iter().filter(|(_, d)| d.is_none()) {
                steps.push(journal::Step {
                    target: id.file_name(),
                    temporary: None,
                    before: before(id),
                });
            }
            journal::write(journal, &steps)?;
        }
        if !staged.is_empty() {
            test_pause("before-rename");
        }
        let mut wrote = HashMap::new();
        let mut texts: HashMap<&TaskId, String> = written.into_iter().collect();
        let mut first = true;
        for (id, path, tmp) in staged {
            if !std::mem::take(&mut first) {
                test_pause("between-renames");
            }
            tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
            // The file as renamed (a rename changes its change time): what
            // the parse cache records of it. Should another process replace
            // or change it from now on, its inode or times differ from
            // these. The file is written either way: without them the
            // cache only learns nothing.
            if let (Ok(meta), Some(text)) = (fs::symlink_metadata(&path), texts.remove(id)) {
                wrote.insert(id.file_name(), (text, meta));
            }
        }
        for (id, doc) in &self.changes {
            if doc.is_none() {
                let path = self.dir.join(id.file_name());
                match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io(path, e)),
                }
            }
        }
        sync_dir(&self.dir);
        if let Some(journal) = &journal {
            journal::remove(journal);
        }
        Ok(self.tell_cache(wrote))
    }

    /// The task set as the transaction read it, before any staged change:
    /// with [`Transaction::tasks`], the two sides of what a commit would
    /// change (`apply --dry-run` shows it as a diff).
    pub fn original(&self) -> &TaskSet {
        &self.before
    }

    /// Refuses a result with a cycle that was not there before; commit
    /// checks it too, and a change that wants to say where its input
    /// closed the cycle checks it first. A change
    /// that keeps what every task it touches waits for (its `blocked_by`
    /// and `parent`), removes tasks, or adds tasks that wait for nothing
    /// and that no task names, cannot make one: no graph is built for it
    /// (notes, status, text, a plain `add`: most changes).
    pub fn refuse_new_cycles(&self) -> Result<()> {
        let named = |id: &TaskId| {
            self.after
                .iter()
                .any(|t| t.parent.as_ref() == Some(id) || t.blocked_by.contains(id))
        };
        let relations_kept = self.changes.keys().all(|id| {
            match (self.before.get(id.as_str()), self.after.get(id.as_str())) {
                (Some(was), Some(now)) => {
                    was.blocked_by == now.blocked_by && was.parent == now.parent
                }
                (Some(_), None) => true,
                (None, Some(now)) => {
                    now.blocked_by.is_empty() && now.parent.is_none() && !named(id)
                }
                (None, None) => true,
            }
        });
        if relations_kept {
            return Ok(());
        }
        let before = Graph::new(&self.before).cyclic_tasks();
        let graph = Graph::new(&self.after);
        let newly_cyclic: Vec<usize> = graph
            .cyclic_tasks()
            .into_iter()
            .filter(|i| {
                let id = &self.after.tasks()[*i].id;
                self.before
                    .index_of(id.as_str())
                    .is_none_or(|j| !before.contains(&j))
            })
            .collect();
        // Start the reported cycle at a task this change touched, when one
        // is on it, so the message begins where the user acted.
        let start = newly_cyclic
            .iter()
            .copied()
            .filter(|i| self.changes.contains_key(&self.after.tasks()[*i].id))
            .min()
            .or_else(|| newly_cyclic.iter().copied().min());
        if let Some(i) = start {
            let path = graph.cycle_through(i).unwrap_or_default();
            // An edge this change did not write: the one it did is refused.
            let elsewhere = graph
                .cycle_breaks(&path)
                .into_iter()
                .find(|b| !self.changes.contains_key(b.written_in()))
                .map(crate::action::Action::from);
            return Err(crate::error::Refusal::Cycle {
                cycle: graph.cycle(&path),
                elsewhere,
            }
            .into());
        }
        Ok(())
    }

    /// Tells the parse cache what the commit wrote, so that the next read
    /// parses none of it: each written file with the stat data of the file
    /// as written and the task it holds. A removed file is forgotten.
    fn tell_cache(mut self, mut wrote: HashMap<String, (String, fs::Metadata)>) -> TaskSet {
        let changed: HashSet<String> = self.changes.keys().map(TaskId::file_name).collect();
        self.learned.seen.retain(|s| !changed.contains(&s.name));
        for (id, doc) in &self.changes {
            let (Some(_), Some(task), Some((text, meta))) = (
                doc,
                self.after.get(id.as_str()),
                wrote.remove(&id.file_name()),
            ) else {
                continue;
            };
            let mut encoded = Vec::new();
            let (Some(oid), Some(())) = (
                self.cache.blob_id(text.as_bytes()),
                cache::codec::encode(task, &mut encoded),
            ) else {
                continue;
            };
            self.learned.seen.push(Seen {
                name: id.file_name(),
                oid,
                fresh: Some(Box::new((Text::from(text), encoded))),
                row: Some(Row {
                    stat: Stat::of(&meta),
                    oid,
                    verified_at: self.cache.started(),
                }),
            });
        }
        self.ws.store_cache(self.cache, self.learned);
        self.after
    }
}

/// Writes `text` to a temporary file in `dir`, to be flushed to disk
/// (`sync_all`) and then renamed over `path` ([`tempfile::NamedTempFile::persist`]),
/// so readers see the old file or the new one and a killed process never
/// leaves half a task. Dropped without being renamed, the file is removed.
fn write_temporary(dir: &Path, path: &Path, text: &str) -> Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    // Covered by the `.gitignore` that `init` writes, and removed by the
    // next change if this process is killed before the rename.
    builder.prefix(TEMP_PREFIX);
    // Temporary files are private (0600) by default; a new task file is as
    // readable as any other file of the working tree (0644 less the umask),
    // and an edit keeps the mode the file had.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    if let Ok(existing) = fs::symlink_metadata(path)
        && existing.is_file()
    {
        tmp.as_file()
            .set_permissions(existing.permissions())
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.write_all(text.as_bytes())
        .map_err(|e| Error::io(tmp.path(), e))?;
    Ok(tmp)
}

/// Flushes the temporaries of one batch to disk. A flush waits for the
/// disk, not the processor, and a journaling file system commits the
/// flushes that wait together at once: a few threads flushing side by side
/// make a batch of many small files cost a few waits instead of one each.
fn sync_all<T: Sync>(files: &[(T, PathBuf, tempfile::NamedTempFile)]) -> Result<()> {
    const THREADS: usize = 8;
    if files.len() < 2 * THREADS {
        for (_, _, tmp) in files {
            tmp.as_file()
                .sync_all()
                .map_err(|e| Error::io(tmp.path(), e))?;
        }
        return Ok(());
    }
    let per_thread = files.len().div_ceil(THREADS);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || {
                    for (_, _, tmp) in chunk {
                        tmp.as_file()
                            .sync_all()
                            .map_err(|e| Error::io(tmp.path(), e))?;
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect::<Result<Vec<()>>>()
            .map(|_| ())
    })
}

/// Sleeps at a named point of a write when `GIT_TASK_TEST_PAUSE` is
/// `POINT=MILLISECONDS`: the tests use it to make another process (a
/// checkout, a killer) act at exactly that moment. Nothing else sets it.
fn test_pause(point: &str) {
    let Some(value) = std::env::var_os("GIT_TASK_TEST_PAUSE") else {
        return;
    };
    let value = value.to_string_lossy();
    if let Some(ms) = value
        .strip_prefix(point)
        .and_then(|rest| rest.strip_prefix('='))
        .and_then(|ms| ms.parse::<u64>().ok())
    {
        std::thread::sleep(Duration::from_millis(ms));
    }
}

/// Flushes a directory's entries (the renames) to disk. Best effort: not
/// every platform can open a directory for this.
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_sort_by_stem_which_is_id_order() {
        let names = [
            "a.toml",
            "a-b.toml",
            "config.toml",
            "abcdefghijklmnop-z.toml",
            "abcdefghijklmnop.toml",
            "abcdefghijklmnop-a.toml",
            "b.toml",
            "a0.toml",
        ];
        let mut files: Vec<SourceFile> = names
            .iter()
            .map(|n| SourceFile {
                name: (*n).to_owned(),
                blob: Blob::Unreadable(String::new()),
            })
            .collect();
        sort_by_stem(&mut files);
        let sorted: Vec<&str> = files.iter().map(stem).collect();
        let mut expected: Vec<&str> = names.iter().map(|n| n.trim_end_matches(".toml")).collect();
        expected.sort();
        assert_eq!(sorted, expected);
    }
}
