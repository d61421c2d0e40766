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
    #[error("{} is a bare repository; it has no working tree with .tasks/", path.display())]
    BareRepository { path: PathBuf },
    #[error("no .tasks/ directory in {}", root.display())]
    NotInitialized { root: PathBuf },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("git: {0}")]
    Git(String),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    InvalidId(#[from] InvalidId),
    #[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Files(Vec<FileProblem>),
    /// A value given on the command line or to the library is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The answer is no: the change would break a rule of the graph or of a
    /// task's life. Carries the commands that would move things on.
    #[error("{message}")]
    Refused { message: String, hints: Vec<String> },
    #[error("no random numbers from the operating system: {0}")]
    Random(getrandom::Error),
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
