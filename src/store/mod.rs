//! Reading and writing tasks. Every command reads through a [`Workspace`];
//! every change goes through a [`Transaction`], which holds the exclusive
//! lock, validates the result and writes each file by rename.

mod git;
mod lock;
mod walk;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::document::TaskDocument;
use crate::error::{Error, FileProblem, Result};
use crate::graph::Graph;
use crate::id::TaskId;
use crate::task::{ParseError, Task};
use crate::taskset::TaskSet;

pub use lock::Lock;
pub use walk::{Added, History, Known};
// `log` walks commits and reads their trees through the same object access.
pub(crate) use git::Objects;

/// The name of the tasks directory at the root of the working tree.
pub const TASKS_DIR: &str = ".tasks";
/// The name of the settings file inside it.
pub const CONFIG_FILE: &str = "config.toml";

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
}

impl Workspace {
    /// Finds the repository that contains `dir`, as git does, honouring
    /// `GIT_DIR`, `GIT_WORK_TREE` and `GIT_INDEX_FILE` as git sets them for
    /// hooks.
    pub fn discover(dir: &Path) -> Result<Workspace> {
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
        Ok(Workspace {
            repo,
            root,
            git_dir,
            bare,
        })
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

    pub fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    /// A value of the repository's git configuration.
    pub fn git_config(&self, key: &str) -> Option<String> {
        self.repo
            .config_snapshot()
            .string(key)
            .map(|v| v.to_string())
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
        if dir.is_dir() {
            Ok(dir)
        } else {
            Err(Error::NotInitialized {
                root: self.root.clone(),
            })
        }
    }

    /// Creates `.tasks/` and `config.toml` unless they exist. Returns what it
    /// created, relative to the root.
    pub fn init(&self) -> Result<Vec<PathBuf>> {
        if self.bare {
            return Err(Error::BareRepository {
                path: self.git_dir.clone(),
            });
        }
        let mut created = Vec::new();
        let dir = self.tasks_dir();
        if !dir.is_dir() {
            fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            created.push(PathBuf::from(TASKS_DIR));
        }
        let config = dir.join(CONFIG_FILE);
        if !config.exists() {
            write_atomically(&dir, &config, crate::config::INITIAL)?;
            created.push(Path::new(TASKS_DIR).join(CONFIG_FILE));
        }
        Ok(created)
    }

    /// The project settings; defaults when there is no config.toml.
    pub fn config(&self) -> Result<Config> {
        let dir = self.ensure_initialized()?;
        let path = dir.join(CONFIG_FILE);
        match fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text).map_err(|error| {
                Error::Files(vec![FileProblem {
                    path: Path::new(TASKS_DIR).join(CONFIG_FILE),
                    error,
                }])
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// Reads every task of `source`, with the `config.toml` of the same
    /// source. Problems in single files are collected, not fatal, so `check`
    /// can report all of them at once.
    pub fn read(&self, source: &Source) -> Result<Loaded> {
        Ok(load_files(self.files(source)?, &self.repo, None))
    }

    /// Reads two sources, parsing a file of the second only when its blob
    /// differs from the same file's in the first: two revisions of a large
    /// task set share most of their blobs (what `diff` compares).
    pub fn read_pair(&self, first: &Source, second: &Source) -> Result<(Loaded, Loaded)> {
        let files = self.files(first)?;
        let oids: HashMap<String, gix::ObjectId> = files
            .iter()
            .filter_map(|f| match f.blob {
                Blob::Object(oid) => Some((f.name.clone(), oid)),
                _ => None,
            })
            .collect();
        let a = load_files(files, &self.repo, None);
        let reuse = Reuse { oids, loaded: &a };
        let b = load_files(self.files(second)?, &self.repo, Some(&reuse));
        Ok((a, b))
    }

    fn files(&self, source: &Source) -> Result<Vec<SourceFile>> {
        match source {
            Source::WorkTree => self.work_tree_files(),
            Source::Index => git::index_files(&self.repo),
            Source::Rev(rev) => git::revision_files(&git::Objects::new(self.repo.clone()), rev),
        }
    }

    /// Reads every task of `source`, failing on the first problem file.
    pub fn load(&self, source: &Source) -> Result<TaskSet> {
        self.read(source)?.into_result()
    }

    fn work_tree_files(&self) -> Result<Vec<SourceFile>> {
        let dir = self.ensure_initialized()?;
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if !is_task_file_name(&name) || entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            files.push(SourceFile {
                blob: Blob::Path(entry.path()),
                name,
            });
        }
        Ok(files)
    }
}

/// Whether a file in `.tasks/` is read: `*.toml`, but not dot files (our
/// own temporaries and editors' swap files).
fn is_task_file_name(name: &str) -> bool {
    !name.starts_with('.') && name.ends_with(".toml")
}

/// A file of `.tasks/` in some source, not yet read.
pub(crate) struct SourceFile {
    /// The file name inside `.tasks/`.
    name: String,
    blob: Blob,
}

/// Where a file's bytes are.
pub(crate) enum Blob {
    Path(PathBuf),
    Object(gix::ObjectId),
    /// The file cannot be read as a task (a conflict stage, a symlink, …).
    Unreadable(String),
}

/// What one file turned out to be.
enum Outcome {
    Task(Box<Task>, String),
    Config(Config),
    Problem(FileProblem),
}

/// Reads and parses `files`, on all cores.
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
            return Some(Outcome::Config(self.loaded.config.clone()));
        }
        let i = self
            .loaded
            .tasks
            .index_of(file.name.strip_suffix(".toml")?)?;
        Some(Outcome::Task(
            Box::new(self.loaded.tasks.tasks()[i].clone()),
            self.loaded.texts.get(i).cloned().unwrap_or_default(),
        ))
    }
}

fn load_files(mut files: Vec<SourceFile>, repo: &gix::Repository, reuse: Option<&Reuse>) -> Loaded {
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let stems: HashSet<&str> = files
        .iter()
        .filter_map(|f| f.name.strip_suffix(".toml"))
        .collect();
    // gix's repository handle is not Sync: each thread takes its own.
    let shared = repo.clone().into_sync();
    let outcomes = parallel_map_with(
        &files,
        || git::Objects::new(shared.to_thread_local()),
        |objects, file| {
            reuse
                .and_then(|r| r.outcome(file))
                .unwrap_or_else(|| parse_file(objects, file, &stems))
        },
    );
    let mut loaded = Loaded::default();
    let mut tasks = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Outcome::Task(task, text) => tasks.push((task, text)),
            Outcome::Config(config) => loaded.config = config,
            Outcome::Problem(problem) => loaded.problems.push(problem),
        }
    }
    // File names sort differently from ids (`a-b.toml` < `a.toml`). The
    // tasks are boxed so the sort moves pointers, not tasks.
    tasks.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let (tasks, texts): (Vec<Task>, Vec<String>) = tasks.into_iter().map(|(t, s)| (*t, s)).unzip();
    loaded.tasks = TaskSet::new(tasks);
    loaded.texts = texts;
    loaded
}

fn parse_file(objects: &git::Objects, file: &SourceFile, stems: &HashSet<&str>) -> Outcome {
    let problem = |error: ParseError| {
        Outcome::Problem(FileProblem {
            path: Path::new(TASKS_DIR).join(&file.name),
            error,
        })
    };
    let at_start = |message: String| ParseError {
        line: 1,
        column: 1,
        message,
    };
    let bytes = match &file.blob {
        Blob::Path(p) => fs::read(p).map_err(|e| format!("cannot read the file: {e}")),
        Blob::Object(oid) => {
            let mut buf = Vec::new();
            objects.find(oid, &mut buf).map(|data| data.data.to_vec())
        }
        Blob::Unreadable(why) => Err(why.clone()),
    };
    let text = match bytes.map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => return problem(at_start("the file is not UTF-8 text".into())),
        Err(message) => return problem(at_start(message)),
    };
    if file.name == CONFIG_FILE {
        return match Config::parse(&text) {
            Ok(config) => Outcome::Config(config),
            Err(error) => problem(error),
        };
    }
    let stem = file.name.trim_end_matches(".toml");
    let id = match TaskId::parse(stem) {
        Ok(id) => id,
        Err(e) => {
            let lower = stem.to_lowercase();
            let message = if lower != stem && stems.contains(lower.as_str()) {
                format!(
                    "the file name differs from task `{lower}` only in case, and on a case-insensitive file system the two are one file; merge them into {lower}.toml"
                )
            } else {
                format!("the file name is not a task id: {}", e.reason)
            };
            return problem(at_start(message));
        }
    };
    match Task::parse(id, &text) {
        Ok(task) => Outcome::Task(Box::new(task), text),
        Err(error) => problem(error),
    }
}

impl Workspace {
    /// Takes the exclusive lock and reads the task set fresh under it.
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        let dir = self.ensure_initialized()?;
        let lock = Lock::acquire(&self.git_dir.join("git-task.lock"))?;
        let before = self.load(&Source::WorkTree)?;
        Ok(Transaction {
            ws: self,
            dir,
            _lock: lock,
            after: before.clone(),
            before,
            changes: BTreeMap::new(),
        })
    }
}

/// Runs `f` over `items` on the available cores, keeping order. Each
/// thread first makes its own state with `init`.
fn parallel_map_with<T: Sync, S, R: Send>(
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 256 {
        let mut state = init();
        return items.iter().map(|item| f(&mut state, item)).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                scope.spawn(|| {
                    let mut state = init();
                    part.iter()
                        .map(|item| f(&mut state, item))
                        .collect::<Vec<_>>()
                })
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
    pub texts: Vec<String>,
    pub config: Config,
    pub problems: Vec<FileProblem>,
}

impl Loaded {
    /// The tasks, or every problem as one error.
    pub fn into_result(self) -> Result<TaskSet> {
        if self.problems.is_empty() {
            Ok(self.tasks)
        } else {
            Err(Error::Files(self.problems))
        }
    }
}

/// A change to the task set under the exclusive lock. Nothing is written
/// until [`Transaction::commit`], which refuses a result with a new cycle.
pub struct Transaction<'w> {
    ws: &'w Workspace,
    dir: PathBuf,
    _lock: Lock,
    before: TaskSet,
    after: TaskSet,
    changes: BTreeMap<TaskId, Option<TaskDocument>>,
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
        let path = self.dir.join(id.file_name());
        let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        TaskDocument::parse(&text).map_err(|error| {
            Error::Files(vec![FileProblem {
                path: self.ws.display_path(id),
                error,
            }])
        })
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
            return Err(Error::refused(
                format!(
                    "this change would close a cycle: {}",
                    graph.describe_cycle(&path)
                ),
                vec!["a task cannot wait for itself, directly or through others; drop one of these edges".into()],
            ));
        }
        // Writes first, removals last: a crash in between leaves references
        // already cleaned up, never dangling.
        for (id, doc) in &self.changes {
            if let Some(doc) = doc {
                write_atomically(&self.dir, &self.dir.join(id.file_name()), &doc.to_string())?;
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
        Ok(self.after)
    }
}

/// Writes `text` to a temporary file in `dir`, flushes it to disk and
/// renames it over `path`, so readers see the old file or the new one and a
/// killed process never leaves half a task.
fn write_atomically(dir: &Path, path: &Path, text: &str) -> Result<()> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tmp-").suffix(".toml");
    // Temporary files are private (0600) by default; a new task file is as
    // readable as any other file of the working tree (0644 less the umask),
    // and an edit keeps the mode the file had.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    if let Ok(existing) = fs::metadata(path) {
        tmp.as_file()
            .set_permissions(existing.permissions())
            .map_err(|e| Error::io(tmp.path(), e))?;
    }
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Flushes a directory's entries (the renames) to disk. Best effort: not
/// every platform can open a directory for this.
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}
