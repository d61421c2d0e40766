//! The text of each task file of a read, for diagnostics that point at a
//! line and for changes that edit the file as it was read.
//!
//! A file parsed in this process owns its text; a file the parse cache
//! answered for points into the cache file's bytes, already in memory, so
//! a read of 10,000 cached tasks copies no text at all.

use std::fmt;
use std::sync::Arc;

/// The bytes of a cache file: mapped, or read when it cannot be mapped.
pub(crate) enum Bytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Read(bytes) => bytes,
        }
    }
}

/// One file's text.
#[derive(Clone)]
pub struct Text(Inner);

#[derive(Clone)]
enum Inner {
    /// Shared rather than copied with what the parse cache learns of the
    /// file.
    Owned(Arc<String>),
    /// `len` bytes at `start` of a cache file's contents, checked to be
    /// UTF-8 when the entry was found.
    Shared {
        buf: Arc<Bytes>,
        start: usize,
        len: usize,
    },
}

impl Text {
    /// The text of `len` bytes at `start` of `buf`; `None` unless they are
    /// there. Whether they are UTF-8 is checked when the text is looked
    /// at, which most commands never do.
    pub(crate) fn shared(buf: &Arc<Bytes>, start: usize, len: usize) -> Option<Text> {
        buf.get(start..start.checked_add(len)?)?;
        Some(Text(Inner::Shared {
            buf: Arc::clone(buf),
            start,
            len,
        }))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Inner::Owned(s) => s.as_str(),
            // The cache wrote text; a cache file whose checksum held but
            // whose text is not UTF-8 was not written by git-task.
            Inner::Shared { buf, start, len } => {
                std::str::from_utf8(&buf[*start..*start + *len]).unwrap_or_default()
            }
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Inner::Owned(Arc::new(s)))
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from(String::new())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// The texts of a read's tasks, by task index.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Texts(Vec<Text>);

impl Texts {
    /// The text of task `i`; empty when there is none.
    pub fn get(&self, i: usize) -> &str {
        self.0.get(i).map_or("", Text::as_str)
    }

    /// Task `i`'s text as a value of its own (sharing the cache's bytes).
    pub(crate) fn text(&self, i: usize) -> Text {
        self.0.get(i).cloned().unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn remove(&mut self, i: usize) -> Text {
        self.0.remove(i)
    }

    pub(crate) fn insert(&mut self, i: usize, text: Text) {
        self.0.insert(i, text);
    }

    /// Replaces the text of task `i`.
    pub fn set(&mut self, i: usize, text: Text) {
        self.0[i] = text;
    }
}

impl From<Vec<String>> for Texts {
    fn from(texts: Vec<String>) -> Texts {
        texts.into_iter().map(Text::from).collect()
    }
}

impl Extend<Text> for Texts {
    fn extend<I: IntoIterator<Item = Text>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl FromIterator<Text> for Texts {
    fn from_iter<I: IntoIterator<Item = Text>>(iter: I) -> Texts {
        Texts(iter.into_iter().collect())
    }
}
