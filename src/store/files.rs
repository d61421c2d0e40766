//! Reading files of the working tree that someone else may have written:
//! never through a symbolic link, never more than a task file can hold,
//! and never blocking on a pipe or a device.
//!
//! A repository is other people's data. A committed `.tasks/z.toml` that
//! links to `/dev/zero` must not make every command eat memory, a link to
//! a file outside the repository must not be shown or checked as a task,
//! and an edit must not replace a link with a copy of what it points to.

use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// The largest task file git-task reads. A task with a long description
/// and thousands of notes stays far below it.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// What is at a path, looked at without following a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Directory,
    Symlink,
    /// A pipe, socket or device.
    Special,
}

impl Kind {
    pub fn of(meta: &Metadata) -> Kind {
        Kind::of_type(meta.file_type())
    }

    /// The kind of a file type as `lstat` (or a directory entry) gives it.
    pub fn of_type(t: std::fs::FileType) -> Kind {
        if t.is_symlink() {
            Kind::Symlink
        } else if t.is_dir() {
            Kind::Directory
        } else if t.is_file() {
            Kind::File
        } else {
            Kind::Special
        }
    }

    /// What it is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::File => "a file",
            Kind::Directory => "a directory",
            Kind::Symlink => "a symbolic link",
            Kind::Special => "not a regular file (a pipe, socket or device)",
        }
    }
}

/// Why a file could not be read as a task file.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing is there.
    Missing,
    /// Something other than a regular file is there.
    NotAFile(Kind),
    /// Larger than [`MAX_FILE_BYTES`].
    TooLarge(u64),
    /// Not UTF-8 text.
    NotUtf8,
    Io(io::Error),
}

impl ReadError {
    /// The problem as said in a diagnostic about the file.
    pub fn message(&self) -> String {
        match self {
            ReadError::Missing => "the file is gone".into(),
            ReadError::NotAFile(Kind::Symlink) => {
                "it is a symbolic link, and git-task never follows links in .tasks/; replace it with the file itself".into()
            }
            ReadError::NotAFile(kind) => format!("it is {}, not a task file", kind.describe()),
            ReadError::TooLarge(size) => too_large(*size),
            ReadError::NotUtf8 => "the file is not UTF-8 text".into(),
            ReadError::Io(e) => format!("cannot read the file: {}", crate::error::plain_io(e)),
        }
    }
}

/// The message for a file over the size limit.
pub fn too_large(size: u64) -> String {
    format!(
        "the file is {} KiB, more than the {} KiB a task file may have; move long text out of it",
        size.div_ceil(1024),
        MAX_FILE_BYTES / 1024
    )
}

/// A file name that is not UTF-8, as text that keeps every byte: what is
/// UTF-8 as it is, each other byte as `\xff`. A replacement character
/// would make two such names look alike, and neither could be found by
/// what the message shows.
pub fn name_of_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// What is at `path`, without following a link; `None` when nothing is.
pub fn kind(path: &Path) -> io::Result<Option<Kind>> {
    match fs::symlink_metadata(path) {
        Ok(meta) => Ok(Some(Kind::of(&meta))),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Reads the regular file at `path`, refusing a link, a special file or
/// more than [`MAX_FILE_BYTES`].
pub fn read_regular(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_regular_with_metadata(path).map(|(bytes, _)| bytes)
}

/// [`read_regular`], with what `fstat` said of the opened file before it
/// was read: stat data that vouches for these bytes, never for a later
/// version of the file.
pub fn read_regular_with_metadata(path: &Path) -> Result<(Vec<u8>, Metadata), ReadError> {
    let file = open_no_follow(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ReadError::Missing,
        _ if is_symlink_refusal(&e) => ReadError::NotAFile(Kind::Symlink),
        _ => ReadError::Io(e),
    })?;
    // The file that was opened, not whatever the path names by now.
    let meta = file.metadata().map_err(ReadError::Io)?;
    match Kind::of(&meta) {
        Kind::File => {}
        kind => return Err(ReadError::NotAFile(kind)),
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file that grows while it is read still stops at the limit.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok((bytes, meta))
}

/// [`read_regular`] as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = read_regular(path)?;
    String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)
}

#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        // O_NONBLOCK: opening a FIFO someone put there must not hang.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<File> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::other("symbolic link"));
    }
    File::open(path)
}

/// Whether an open failed because the path is a symbolic link (`ELOOP`
/// from `O_NOFOLLOW`).
#[cfg(unix)]
fn is_symlink_refusal(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_symlink_refusal(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Other && e.to_string() == "symbolic link"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_devices_and_large_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        fs::write(&file, "subject = \"a\"\n").unwrap();
        assert_eq!(read_text(&file).unwrap(), "subject = \"a\"\n");
        #[cfg(unix)]
        {
            let link = dir.path().join("l.toml");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert!(matches!(
                read_regular(&link),
                Err(ReadError::NotAFile(Kind::Symlink))
            ));
            assert!(matches!(
                read_regular(Path::new("/dev/zero")),
                Err(ReadError::NotAFile(Kind::Special))
            ));
        }
        let big = dir.path().join("big.toml");
        fs::write(&big, vec![b'#'; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(matches!(read_regular(&big), Err(ReadError::TooLarge(_))));
        assert!(matches!(
            read_regular(&dir.path().join("none")),
            Err(ReadError::Missing)
        ));
        assert!(matches!(
            read_regular(dir.path()),
            Err(ReadError::NotAFile(Kind::Directory))
        ));
    }
}
