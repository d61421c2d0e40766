//! The exclusive lock that serialises every read-modify-write of `.tasks/`.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::error::{Error, Result};

/// Held for the life of a transaction; released when dropped (or when the
/// process dies, since it is an OS file lock, so a crash never leaves a
/// stale lock behind).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Waits until the lock at `path` is free and takes it.
    pub fn acquire(path: &Path) -> Result<Lock> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        file.lock().map_err(|e| Error::io(path, e))?;
        Ok(Lock { _file: file })
    }
}
