//! Reading and writing tasks. Every command reads through a [`Workspace`];
//! every change goes through a [`Transaction`], which holds the exclusive
//! lock, validates the result and writes each file by rename.

mod lock;

use std::collections::BTreeMap;
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

/// The name of the tasks directory at the root of the working tree.
pub const TASKS_DIR: &str = ".tasks";
/// The name of the settings file inside it.
pub const CONFIG_FILE: &str = "config.toml";

/// Where a task set is read from. Only the working tree is built so far;
/// the index and revisions come with the git integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    WorkTree,
}

/// A git working tree and its `.tasks/`.
pub struct Workspace {
    repo: gix::Repository,
    root: PathBuf,
    git_dir: PathBuf,
}

impl Workspace {
    /// Finds the repository that contains `dir`, as git does.
    pub fn discover(dir: &Path) -> Result<Workspace> {
        let repo = gix::discover(dir).map_err(|_| Error::NotARepository {
            path: dir.to_path_buf(),
        })?;
        let git_dir = repo.git_dir().to_path_buf();
        let root = match repo.workdir() {
            Some(root) => root.to_path_buf(),
            None => return Err(Error::BareRepository { path: git_dir }),
        };
        // gix may hand back a relative path; commands print paths relative
        // to the root, so keep it absolute and canonical.
        let root = fs::canonicalize(&root).map_err(|e| Error::io(&root, e))?;
        Ok(Workspace {
            repo,
            root,
            git_dir,
        })
    }

    /// The top of the working tree.
    pub fn root(&self) -> &Path {
        &self.root
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

    /// Reads every task of `source`. Problems in single files are collected,
    /// not fatal, so `check` can report all of them at once.
    pub fn read(&self, source: &Source) -> Result<Loaded> {
        match source {
            Source::WorkTree => self.read_work_tree(),
        }
    }

    /// Reads every task of `source`, failing on the first problem file.
    pub fn load(&self, source: &Source) -> Result<TaskSet> {
        self.read(source)?.into_result()
    }

    fn read_work_tree(&self) -> Result<Loaded> {
        let dir = self.ensure_initialized()?;
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            // Dot files are our own temporaries (and editors' swap files).
            if name.starts_with('.') || name == CONFIG_FILE {
                continue;
            }
            let Some(stem) = name.strip_suffix(".toml") else {
                continue;
            };
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            files.push(stem.to_owned());
        }
        files.sort();
        let root = self.root.as_path();
        let results = parallel_map(&files, |stem| read_task_file(root, stem));
        let mut loaded = Loaded::default();
        let mut tasks = Vec::with_capacity(results.len());
        for result in results {
            match result {
                Ok(task) => tasks.push(task),
                Err(problem) => loaded.problems.push(problem),
            }
        }
        loaded.tasks = TaskSet::new(tasks);
        Ok(loaded)
    }
}

/// Reads `.tasks/<stem>.toml`. A free function, so reader threads share
/// nothing of gix's (single-threaded) repository handle.
fn read_task_file(root: &Path, stem: &str) -> Result<Task, FileProblem> {
    {
        let path = Path::new(TASKS_DIR).join(format!("{stem}.toml"));
        let problem = |error: ParseError| FileProblem {
            path: path.clone(),
            error,
        };
        let id = TaskId::parse(stem).map_err(|e| {
            problem(ParseError {
                line: 1,
                column: 1,
                message: format!("the file name is not a task id: {}", e.reason),
            })
        })?;
        let text = fs::read_to_string(root.join(&path)).map_err(|e| {
            problem(ParseError {
                line: 1,
                column: 1,
                message: format!("cannot read the file: {e}"),
            })
        })?;
        Task::parse(id, &text).map_err(problem)
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

/// Runs `f` over `items` on the available cores, keeping order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 256 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<_>>()))
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

/// A task set and the files that could not be read into it.
#[derive(Debug, Default)]
pub struct Loaded {
    pub tasks: TaskSet,
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
                    describe_cycle(&graph, &path)
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

/// `a "A" → b "B" → a "A"`, saying why a step is taken when it is not the
/// task's own blocker (inherited from an ancestor, or a child).
pub fn describe_cycle(graph: &Graph, path: &[usize]) -> String {
    use crate::graph::{Reason, Target};
    let tasks = graph.tasks().tasks();
    let name = |i: usize| format!("{} \"{}\"", tasks[i].id, tasks[i].subject);
    let mut out = path.first().map(|&i| name(i)).unwrap_or_default();
    for (k, &from) in path.iter().enumerate() {
        let to = path[(k + 1) % path.len()];
        let why = graph
            .waits_for(from)
            .iter()
            .find(|w| w.target == Target::Task(to))
            .map(|w| match w.reason {
                Reason::Blocker => String::new(),
                Reason::Inherited { ancestor } => {
                    format!(" (inherited from {})", name(ancestor))
                }
                Reason::Child => " (a child)".into(),
            })
            .unwrap_or_default();
        out.push_str(&format!(" → {}{why}", name(to)));
    }
    out
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
