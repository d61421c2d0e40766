//! The library's error type. Each variant says what went wrong in terms a
//! user can act on; the CLI maps them to exit codes and hints.

use std::path::PathBuf;

use crate::id::InvalidId;
use crate::task::ParseError;
use crate::taskset::ResolveError;

/// A problem in one file, with its path relative to the repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub path: PathBuf,
    pub error: ParseError,
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.error.line,
            self.error.column,
            self.error.message
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not in a git repository: {}", path.display())]
    NotARepository { path: PathBuf },
    /// The directory to run in (`-C DIR`) is not there.
    #[error("no such directory: {}", path.display())]
    NoSuchDirectory { path: PathBuf },
    #[error("{} is a bare repository; it has no working tree with .tasks/", path.display())]
    BareRepository { path: PathBuf },
    #[error("no .tasks/ directory in {}", root.display())]
    NotInitialized { root: PathBuf },
    #[error("{}: {}", path.display(), plain_io(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("git: {0}")]
    Git(String),
    /// A git operation of the store failed: which one, with gix's error as
    /// its source.
    #[error(transparent)]
    Repository(#[from] crate::store::GitError),
    /// A revision given by the user names no commit, branch or tag.
    #[error("no revision `{rev}` in this repository")]
    UnknownRevision { rev: String },
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    InvalidId(#[from] InvalidId),
    #[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Files(Vec<FileProblem>),
    /// Task files of the index or of a revision (`from`, as
    /// [`crate::store::Source`] says it) that do not read: they are fixed
    /// in the working tree and a new commit, never restored from git.
    #[error("{}", .problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    FilesIn {
        from: crate::store::Source,
        problems: Vec<FileProblem>,
    },
    /// A value given on the command line or to the library is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The answer is no: the change would break a rule of the graph or of a
    /// task's life. Carries the commands that would move things on.
    #[error("{message}")]
    Refused { message: String, hints: Vec<String> },
    #[error("no random numbers from the operating system: {0}")]
    Random(getrandom::Error),
    /// Another git-task process holds the lock and did not let go in time.
    #[error(
        "{} is held by {}; gave up after {} s",
        path.display(),
        holder.as_ref().map_or_else(|| "another process".to_owned(), |h| h.describe()),
        waited.as_secs()
    )]
    LockBusy {
        path: PathBuf,
        holder: Option<Box<crate::store::Holder>>,
        waited: std::time::Duration,
    },
    /// A file changed between being read and being replaced, by a process
    /// that does not take git-task's lock (`git checkout`, `merge`, `stash`,
    /// an editor): writing would undo that change.
    #[error("{} changed while git-task was changing it; nothing was written", path.display())]
    Raced { path: PathBuf },
    /// The repository is owned by someone else and not listed in
    /// `safe.directory`: git refuses to work in it, and so does git-task.
    #[error("detected dubious ownership in repository at '{}'", path.display())]
    DubiousOwnership { path: PathBuf },
    /// A path git-task writes or reads as a directory or settings file is
    /// a symbolic link, which it never follows.
    #[error("{} is a symbolic link; git-task never follows links for .tasks/, .gitattributes or .gitignore", path.display())]
    Link { path: PathBuf },
}

/// An I/O error's own message, without the path that some layers (the
/// tempfile crate) append, since git-task names the path itself.
pub fn plain_io(e: &std::io::Error) -> String {
    if let Some(code) = e.raw_os_error() {
        return std::io::Error::from_raw_os_error(code).to_string();
    }
    // tempfile wraps the OS error as `{error} at path "{path}"`, and
    // exposes neither part.
    let text = e.to_string();
    match text.find(" at path \"") {
        Some(i) if text.ends_with('"') => text[..i].to_owned(),
        _ => text,
    }
}

/// `word` as one word of a shell command in a hint: quoted when it holds
/// anything but letters, digits and `-_./:@~^+=,%`.
pub fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@~^+=,%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn refused(message: impl Into<String>, hints: Vec<String>) -> Error {
        Error::Refused {
            message: message.into(),
            hints,
        }
    }

    /// Whether this is a "no" (exit 1) rather than bad input (exit 2).
    pub fn is_refusal(&self) -> bool {
        matches!(self, Error::Refused { .. })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
