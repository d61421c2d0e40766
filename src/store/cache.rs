//! The parse cache: tasks already parsed, kept in the git directory so that
//! a command parses only the files it has never seen.
//!
//! It is never the source of truth. Deleting it, or damaging it, changes
//! nothing but speed: a file that is not whole, was written by another
//! format or another build of git-task, or fails its checksum is ignored
//! and written anew.
//!
//! What is kept:
//!
//! * **Entries**, one per task file version: the file name and the git
//!   blob id of its contents (so the index, every revision and the working
//!   tree share them), the file's text, and the parsed task in the binary
//!   form of [`codec`]. A task's id comes from its file name, and parsing
//!   checks the id against the fields (a task cannot wait for itself), so
//!   the name is part of the key.
//! * **Rows** for the working tree: for each task file, its size, inode,
//!   and modification and change times in nanoseconds as `lstat` gave them
//!   when its contents were read, the blob id those contents have, and when
//!   that was (`verified_at`).
//!
//! A working-tree file whose `lstat` equals its row is taken from its
//! entry without being opened, unless the row is *racy*: its file was
//! changed less than [`RACY_MARGIN`] before it was verified. A file
//! rewritten within one tick of the file system's clock (a second on some
//! file systems, a few milliseconds on others) can keep its size and times;
//! such a file is read again and hashed, and its entry used only when the
//! blob id is the same, as git does for the racily clean entries of its
//! index. A row is trusted only once its file is older than the margin at
//! the moment it was checked, and every later change to the file shows in
//! its times.
//!
//! What a command learns that the cache does not hold is appended to a
//! journal beside it, as records that each hold on their own (an entry, a
//! row, a file gone), checked one by one and read up to the first that is
//! not whole. When the journal has grown, the file is written anew, whole
//! and by rename, with what the journal held, and the journal removed; a
//! reader maps one complete version, processes that race to write each
//! write a valid file, and what one of them loses costs a parse next
//! time. Entries not used in the last [`KEEP_GENERATIONS`] whole writes
//! are dropped.

pub mod codec;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gix::ObjectId;

use super::text::{Bytes, Text};
use crate::id::TaskId;
use crate::task::Task;

/// The first bytes of a cache file.
const MAGIC: &[u8; 8] = b"gtcache\n";

/// The version of the file's layout and of [`codec`]. Bump it when either
/// changes; a file of another version is ignored. (A new build of the
/// binary invalidates the cache anyway: see [`binary_stamp`].)
const FORMAT: u32 = 3;

/// How long after its last change a file's stat data is not trusted alone.
/// Larger than the coarsest timestamp granularity of a common file system
/// (FAT's two seconds), and than the lag of the kernel's coarse clock.
pub const RACY_MARGIN: Duration = Duration::from_secs(3);

/// [`RACY_MARGIN`], or the milliseconds `GIT_TASK_TEST_RACY_MS` gives.
/// The tests set it so that files they have just written are trusted by
/// their stat data within a test's time, not three seconds later; nothing
/// else sets it.
fn racy_margin() -> Duration {
    static MARGIN: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();
    *MARGIN.get_or_init(|| {
        std::env::var("GIT_TASK_TEST_RACY_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(RACY_MARGIN, Duration::from_millis)
    })
}

/// How many writes an entry outlives its last use.
pub const KEEP_GENERATIONS: u64 = 8;

/// The name of the cache file inside the cache directory.
const FILE: &str = "tasks";
/// What a cache file being written is called until it is renamed.
const TEMP_PREFIX: &str = "tasks.tmp-";
/// The journal beside the cache file: what commands learned since it was
/// last written whole, appended.
const JOURNAL: &str = "tasks.log";

/// A point in time as seconds and nanoseconds since the Unix epoch.
pub type Instant = (i64, u32);

fn instant(t: SystemTime) -> Instant {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let (s, n) = (d.as_secs() as i64, d.subsec_nanos());
            if n == 0 {
                (-s, 0)
            } else {
                (-s - 1, 1_000_000_000 - n)
            }
        }
    }
}

/// What `lstat` says of a file, as far as it tells a changed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub size: u64,
    pub mtime: Instant,
    pub ctime: Instant,
    pub ino: u64,
}

impl Stat {
    #[cfg(unix)]
    pub fn of(meta: &fs::Metadata) -> Stat {
        use std::os::unix::fs::MetadataExt;
        Stat {
            size: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec() as u32),
            ctime: (meta.ctime(), meta.ctime_nsec() as u32),
            ino: meta.ino(),
        }
    }

    #[cfg(not(unix))]
    pub fn of(meta: &fs::Metadata) -> Stat {
        let mtime = meta.modified().map_or((0, 0), instant);
        Stat {
            size: meta.len(),
            mtime,
            ctime: mtime,
            ino: 0,
        }
    }
}

/// A directory whose files are looked at by name: `.tasks/`.
pub struct StatDir {
    path: PathBuf,
    #[cfg(unix)]
    handle: Option<fs::File>,
}

impl StatDir {
    pub fn open(path: &Path) -> StatDir {
        StatDir {
            path: path.to_path_buf(),
            #[cfg(unix)]
            handle: fs::File::open(path).ok(),
        }
    }

    /// The stat data of the regular file `name`, without following a
    /// link; `None` when it is not a regular file (or not there).
    pub fn stat(&self, name: &str) -> Option<Stat> {
        #[cfg(unix)]
        if let Some(dir) = &self.handle {
            return stat_at(dir, name);
        }
        let meta = fs::symlink_metadata(self.path.join(name)).ok()?;
        meta.is_file().then(|| Stat::of(&meta))
    }
}

/// `fstatat` relative to the open directory `dir`: the kernel does not
/// walk the whole path again for each of thousands of files.
#[cfg(unix)]
fn stat_at(dir: &fs::File, name: &str) -> Option<Stat> {
    use std::os::fd::AsRawFd;
    let name = std::ffi::CString::new(name).ok()?;
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `name` is NUL-terminated, and `st` is written whole by a
    // call that returns 0; it is read only then.
    let st = unsafe {
        if libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            st.as_mut_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        ) != 0
        {
            return None;
        }
        st.assume_init()
    };
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return None;
    }
    Some(Stat {
        size: st.st_size as u64,
        mtime: (st.st_mtime, st.st_mtime_nsec as u32),
        ctime: (st.st_ctime, st.st_ctime_nsec as u32),
        ino: st.st_ino,
    })
}

/// What the cache knows of one working-tree file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub stat: Stat,
    pub oid: ObjectId,
    /// When the contents were found to have `oid` (or just before).
    pub verified_at: Instant,
}

impl Row {
    /// Whether the stat data alone vouches for the contents: the file had
    /// not changed for [`RACY_MARGIN`] when it was verified.
    pub fn is_trusted(&self) -> bool {
        let margin = racy_margin();
        let (mut secs, mut nanos) = self.verified_at;
        secs = secs.saturating_sub(margin.as_secs() as i64);
        if nanos < margin.subsec_nanos() {
            secs = secs.saturating_sub(1);
            nanos += 1_000_000_000;
        }
        let limit = (secs, nanos - margin.subsec_nanos());
        self.stat.mtime < limit && self.stat.ctime < limit
    }
}

/// An entry of the cache file that is already in memory.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Where the entry's file name, text and task are in the buffer.
    name: (usize, usize),
    text: (usize, usize),
    task: (usize, usize),
    generation: u64,
}

/// A cache file as it was read, checked whole.
struct Contents {
    buf: Arc<Bytes>,
    generation: u64,
    /// The entries by blob id: one blob is nearly always one file, so no
    /// name is copied to look one up.
    entries: gix::hashtable::HashMap<ObjectId, Entry>,
    /// The entries of a blob that another file name has too.
    others: HashMap<(String, ObjectId), Entry>,
    /// The rows, sorted by file name (as written), with where each name
    /// is in the buffer: looked up by binary search, so reading the file
    /// copies no name.
    rows: Vec<((usize, usize), Row)>,
}

impl Contents {
    fn bytes(&self, (start, end): (usize, usize)) -> &[u8] {
        &self.buf[start..end]
    }

    fn name(&self, entry: &Entry) -> &str {
        std::str::from_utf8(self.bytes(entry.name)).unwrap_or_default()
    }

    fn find(&self, name: &str, oid: &ObjectId) -> Option<&Entry> {
        match self.entries.get(oid) {
            Some(e) if self.name(e) == name => Some(e),
            Some(_) => self.others.get(&(name.to_owned(), *oid)),
            None => None,
        }
    }

    /// The row of `name`, looking first just after `*hint`, where the
    /// previous lookup found its row: a read asks for the files in nearly
    /// the order the rows are in. `*hint` becomes where this one was.
    fn row_near(&self, name: &str, hint: &mut usize) -> Option<&Row> {
        let is = |i: usize| {
            self.rows
                .get(i)
                .is_some_and(|(at, _)| self.bytes(*at) == name.as_bytes())
        };
        let at = if is(*hint + 1) {
            *hint + 1
        } else if is(*hint) {
            *hint
        } else {
            self.rows
                .binary_search_by(|(at, _)| self.bytes(*at).cmp(name.as_bytes()))
                .ok()?
        };
        *hint = at;
        Some(&self.rows[at].1)
    }

    fn all_rows(&self) -> impl Iterator<Item = (&str, &Row)> {
        self.rows.iter().map(|(at, row)| {
            (
                std::str::from_utf8(self.bytes(*at)).unwrap_or_default(),
                row,
            )
        })
    }

    fn all(&self) -> impl Iterator<Item = (&ObjectId, &Entry)> {
        self.entries
            .iter()
            .chain(self.others.iter().map(|((_, oid), e)| (oid, e)))
    }
}

/// The parse cache of one worktree (or of a bare repository), opened for
/// one command.
pub struct Cache {
    dir: PathBuf,
    hash: gix::hash::Kind,
    stamp: Vec<u8>,
    old: Option<Contents>,
    journal: Journal,
    /// When this command began to read, before any file was looked at:
    /// the `verified_at` of the rows it makes.
    started: Instant,
}

/// What a read learned of one task file, for the next cache file.
#[derive(Debug)]
pub struct Seen {
    pub name: String,
    pub oid: ObjectId,
    /// The entry's text and task when the file was parsed now; `None` when
    /// the old file's entry stands.
    /// Boxed: nearly every file of a warm read has none, and a read keeps
    /// one of these per file.
    pub fresh: Option<Box<(Text, Vec<u8>)>>,
    /// For a working-tree file: its row.
    pub row: Option<Row>,
}

/// Everything a read learned, in file order.
#[derive(Debug, Default)]
pub struct Learned {
    pub seen: Vec<Seen>,
    /// Whether the rows are the working tree's: the next file's rows are
    /// these instead of the old ones.
    pub work_tree: bool,
}

impl Learned {
    /// Adds what a second read of the same command learned.
    pub fn absorb(&mut self, other: Learned) {
        self.seen.extend(other.seen);
        self.work_tree |= other.work_tree;
    }
}

impl Cache {
    /// Opens the cache in `dir` (created when first written). A file that
    /// is missing, of another format or build, or damaged is as good as
    /// none.
    pub fn open(dir: PathBuf, hash: gix::hash::Kind) -> Cache {
        let started = instant(SystemTime::now());
        let stamp = binary_stamp();
        let old = map(&dir.join(FILE)).and_then(|bytes| Contents::parse(bytes, &stamp, hash));
        let journal = fs::read(dir.join(JOURNAL))
            .map(|bytes| Journal::parse(bytes, stamp_hash(&stamp), hash))
            .unwrap_or_default();
        Cache {
            dir,
            hash,
            stamp,
            old,
            journal,
            started,
        }
    }

    /// The time rows made by this command are verified at.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The working-tree row of file `name`, for a caller that asks for
    /// the files in order: `hint` is its own, starting at 0.
    pub fn row_near(&self, name: &str, hint: &mut usize) -> Option<&Row> {
        if !self.journal.rows.is_empty()
            && let Some(row) = self.journal.rows.get(name)
        {
            return row.as_ref();
        }
        self.old.as_ref()?.row_near(name, hint)
    }

    /// Every row the cache now holds, journal included, in no order.
    fn all_rows(&self) -> Vec<(&str, &Row)> {
        let mut rows: Vec<(&str, &Row)> = self
            .old
            .iter()
            .flat_map(Contents::all_rows)
            .filter(|(name, _)| !self.journal.rows.contains_key(*name))
            .collect();
        rows.extend(
            self.journal
                .rows
                .iter()
                .filter_map(|(name, row)| Some((name.as_str(), row.as_ref()?))),
        );
        rows
    }

    /// Where the text and task of file `name` with contents `oid` are.
    fn find(&self, name: &str, oid: &ObjectId) -> Option<Found<'_>> {
        if let Some(&(_, text, task)) = self
            .journal
            .entries
            .get(oid)
            .and_then(|named| named.iter().rev().find(|(n, _, _)| n == name))
        {
            return Some(Found {
                buf: &self.journal.buf,
                text,
                task,
            });
        }
        let old = self.old.as_ref()?;
        let e = old.find(name, oid)?;
        Some(Found {
            buf: &old.buf,
            text: e.text,
            task: e.task,
        })
    }

    /// The task and text of file `name` with contents `oid`, when cached.
    pub fn entry(&self, name: &str, oid: &ObjectId) -> Option<(Task, Text)> {
        let found = self.find(name, oid)?;
        let id = TaskId::parse(name.strip_suffix(".toml")?).ok()?;
        let task = codec::decode(id, found.bytes(found.task))?;
        let text = Text::shared(found.buf, found.text.0, found.text.1 - found.text.0)?;
        Some((task, text))
    }

    /// The blob id git gives `bytes`.
    pub fn blob_id(&self, bytes: &[u8]) -> Option<ObjectId> {
        Some(super::journal::blob_id(self.hash, bytes))
    }

    /// What `learned` holds that the cache does not, as journal records:
    /// entries parsed now, rows that changed, rows of files that are gone.
    fn delta(&self, learned: &Learned) -> Vec<u8> {
        let stamp = stamp_hash(&self.stamp);
        let mut out = Vec::new();
        let mut had_row = 0;
        // The files come in nearly the rows' order.
        let mut hint = 0;
        for seen in &learned.seen {
            if let Some((text, task)) = seen.fresh.as_deref() {
                record(&mut out, stamp, |w| {
                    w.u8(ENTRY);
                    w.str(&seen.name);
                    w.bytes(seen.oid.as_bytes());
                    w.bytes(text.as_str().as_bytes());
                    w.bytes(task);
                });
            }
            // Only a working-tree file has a row (a diff's other side, read
            // in the same command, does not).
            let Some(row) = &seen.row else {
                continue;
            };
            let was = self.row_near(&seen.name, &mut hint);
            had_row += usize::from(was.is_some());
            if was != Some(row) {
                record(&mut out, stamp, |w| {
                    w.u8(ROW);
                    w.str(&seen.name);
                    write_row(w, row);
                });
            }
        }
        if learned.work_tree {
            let rows = self.all_rows();
            if rows.len() > had_row {
                let now: HashSet<&str> = learned.seen.iter().map(|s| s.name.as_str()).collect();
                for (name, _) in rows.into_iter().filter(|(n, _)| !now.contains(n)) {
                    record(&mut out, stamp, |w| {
                        w.u8(GONE);
                        w.str(name);
                    });
                }
            }
        }
        out
    }

    /// What `learned` holds that the cache does not, to be given to
    /// [`Cache::store`]; `None` when there is nothing to write.
    pub fn news(&self, learned: &Learned) -> Option<Vec<u8>> {
        let delta = self.delta(learned);
        let empty = delta.is_empty() && (self.old.is_some() || learned.seen.is_empty());
        (!empty).then_some(delta)
    }

    /// Records what `learned` taught (`delta`, from [`Cache::news`]):
    /// appended to the journal when that is little, else the whole cache
    /// file written anew (and the journal emptied into it). Callers ignore
    /// a failure: a cache that cannot be written costs speed, never a
    /// command.
    pub fn store(&self, learned: &Learned, delta: Vec<u8>) -> std::io::Result<()> {
        let Some(old) = &self.old else {
            return self.write(learned);
        };
        if delta.is_empty() {
            return Ok(());
        }
        // A journal a few times smaller than the file it adds to is read
        // at every command for little; beyond that, it is folded in.
        let limit = (old.buf.len() / 8).max(64 * 1024);
        // A journal with more than whole records (a writer was killed, or it
        // is not a journal) cannot be added to: what came after would never
        // be read. It is folded in and removed instead.
        if self.journal.len + delta.len() > limit || self.journal.len != self.journal.buf.len() {
            return self.write(learned);
        }
        fs::create_dir_all(&self.dir)?;
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(JOURNAL))?;
        // One write of whole records: a reader stops at a record that a
        // killed writer left short.
        file.write_all(&delta)
    }

    /// Writes the cache file anew: what `learned` says, and what of the
    /// old file and the journal is to be kept; then empties the journal.
    pub fn write(&self, learned: &Learned) -> std::io::Result<()> {
        let generation = self.old.as_ref().map_or(0, |o| o.generation) + 1;
        // The rows: the working tree's as just read, or the old ones.
        let mut rows: Vec<(&str, &Row)> = if learned.work_tree {
            learned
                .seen
                .iter()
                .filter_map(|s| Some((s.name.as_str(), s.row.as_ref()?)))
                .collect()
        } else {
            self.all_rows()
        };
        rows.sort_by(|a, b| a.0.cmp(b.0));
        // Entries: what this command used, then what the old file had that
        // a row still points at or that was used recently enough.
        let pointed: HashSet<(&str, &ObjectId)> =
            rows.iter().map(|(name, row)| (*name, &row.oid)).collect();
        let mut written: HashSet<(&str, &ObjectId)> = HashSet::new();
        let mut entries: Vec<Put> = Vec::new();
        for seen in &learned.seen {
            if !written.insert((seen.name.as_str(), &seen.oid)) {
                continue;
            }
            let (text, task) = match seen.fresh.as_deref() {
                Some((text, task)) => (text.as_str().as_bytes(), task.as_slice()),
                None => match self.find(&seen.name, &seen.oid) {
                    Some(f) => (f.bytes(f.text), f.bytes(f.task)),
                    None => continue,
                },
            };
            entries.push(Put {
                name: &seen.name,
                oid: &seen.oid,
                generation,
                text,
                task,
            });
        }
        // What the journal learned since the last write is as new as what
        // this command learned.
        let journalled = self.journal.entries.iter().flat_map(|(oid, named)| {
            named
                .iter()
                .map(move |(name, text, task)| (name, oid, *text, *task))
        });
        for (name, oid, text, task) in journalled {
            if written.insert((name.as_str(), oid)) {
                entries.push(Put {
                    name,
                    oid,
                    generation,
                    text: &self.journal.buf[text.0..text.1],
                    task: &self.journal.buf[task.0..task.1],
                });
            }
        }
        if let Some(old) = &self.old {
            let mut carried: Vec<(&str, &ObjectId, &Entry)> = old
                .all()
                .map(|(oid, e)| (old.name(e), oid, e))
                .filter(|(name, oid, _)| !written.contains(&(*name, *oid)))
                .filter(|(name, oid, e)| {
                    e.generation + KEEP_GENERATIONS >= generation
                        || pointed.contains(&(*name, *oid))
                })
                .collect();
            carried.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            entries.extend(carried.into_iter().map(|(name, oid, e)| Put {
                name,
                oid,
                generation: e.generation,
                text: old.bytes(e.text),
                task: old.bytes(e.task),
            }));
        }

        fs::create_dir_all(&self.dir)?;
        remove_old_temporaries(&self.dir);
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.dir)?;
        // Written as it is made, through a small buffer: a cache of 100k
        // tasks is never held whole in memory a second time.
        self.stream(
            &mut Sink {
                file: std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut()),
                sum: crc32fast::Hasher::new(),
                scratch: Vec::with_capacity(4096),
            },
            generation,
            entries,
            rows,
        )?;
        // Not synced: after a crash a file that is not whole fails its
        // checksum and is written anew.
        tmp.persist(self.dir.join(FILE)).map_err(|e| e.error)?;
        // What the journal held is in the file now. A record another
        // process appends meanwhile is lost with it: a parse next time.
        if !self.journal.buf.is_empty() {
            let _ = fs::remove_file(self.dir.join(JOURNAL));
        }
        Ok(())
    }

    /// Writes the cache file's contents to `out`, its checksum last.
    fn stream<W: Write>(
        &self,
        out: &mut Sink<W>,
        generation: u64,
        entries: Vec<Put>,
        rows: Vec<(&str, &Row)>,
    ) -> std::io::Result<()> {
        out.put(|w| {
            w.0.extend_from_slice(MAGIC);
            w.u32(FORMAT);
            w.bytes(&self.stamp);
            w.u64(generation);
            w.u32(entries.len() as u32);
        })?;
        for e in entries {
            out.put(|w| {
                w.str(e.name);
                w.bytes(e.oid.as_bytes());
                w.u64(e.generation);
                w.bytes(e.text);
                w.bytes(e.task);
            })?;
        }
        out.put(|w| w.u32(rows.len() as u32))?;
        for (name, row) in rows {
            out.put(|w| {
                w.str(name);
                write_row(w, row);
            })?;
        }
        let sum = out.sum.clone().finalize();
        out.file.write_all(&sum.to_le_bytes())?;
        out.file.flush()
    }
}

/// An entry as it is written.
struct Put<'a> {
    name: &'a str,
    oid: &'a ObjectId,
    generation: u64,
    text: &'a [u8],
    task: &'a [u8],
}

/// Where a cache file is written: each piece is made in `scratch`, added
/// to the checksum and written.
struct Sink<W: Write> {
    file: W,
    sum: crc32fast::Hasher,
    scratch: Vec<u8>,
}

impl<W: Write> Sink<W> {
    fn put(&mut self, make: impl FnOnce(&mut codec::Writer)) -> std::io::Result<()> {
        self.scratch.clear();
        make(&mut codec::Writer(&mut self.scratch));
        self.sum.update(&self.scratch);
        self.file.write_all(&self.scratch)
    }
}

/// Where an entry's text and task are, in the cache file or the journal.
struct Found<'a> {
    buf: &'a Arc<Bytes>,
    text: (usize, usize),
    task: (usize, usize),
}

impl<'a> Found<'a> {
    fn bytes(&self, (start, end): (usize, usize)) -> &'a [u8] {
        let buf: &'a Arc<Bytes> = self.buf;
        &buf[start..end]
    }
}

fn write_row(w: &mut codec::Writer, row: &Row) {
    w.u64(row.stat.size);
    w.i64(row.stat.mtime.0);
    w.u32(row.stat.mtime.1);
    w.i64(row.stat.ctime.0);
    w.u32(row.stat.ctime.1);
    w.u64(row.stat.ino);
    w.i64(row.verified_at.0);
    w.u32(row.verified_at.1);
    w.bytes(row.oid.as_bytes());
}

fn read_row(r: &mut codec::Reader, hash: gix::hash::Kind) -> Option<Row> {
    let size = r.u64()?;
    let mtime = (r.i64()?, r.u32()?);
    let ctime = (r.i64()?, r.u32()?);
    let ino = r.u64()?;
    let verified_at = (r.i64()?, r.u32()?);
    let oid = read_oid(r, hash)?;
    Some(Row {
        stat: Stat {
            size,
            mtime,
            ctime,
            ino,
        },
        oid,
        verified_at,
    })
}

fn read_oid(r: &mut codec::Reader, hash: gix::hash::Kind) -> Option<ObjectId> {
    let raw = r.bytes()?;
    (raw.len() == hash.len_in_bytes())
        .then(|| ObjectId::try_from(raw).ok())
        .flatten()
}

/// The kinds of journal records.
const ENTRY: u8 = 1;
const ROW: u8 = 2;
const GONE: u8 = 3;

/// The build's stamp as a number each journal record carries.
fn stamp_hash(stamp: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::graph::Fnv::default();
    h.write(stamp);
    h.finish()
}

/// Appends one journal record: its length and the CRC-32 of what
/// follows, then the build's stamp and what `make` writes.
fn record(out: &mut Vec<u8>, stamp: u64, make: impl FnOnce(&mut codec::Writer)) {
    let mut body = Vec::new();
    let mut w = codec::Writer(&mut body);
    w.u64(stamp);
    make(&mut w);
    let mut w = codec::Writer(out);
    w.u32(body.len() as u32);
    w.u32(crc32fast::hash(&body));
    out.extend_from_slice(&body);
}

/// Where some bytes are in a buffer: from, to.
type Span = (usize, usize);

/// The journal as it was read: every whole record up to the first that
/// is not (a writer killed mid-record), later records over earlier ones.
#[derive(Default)]
struct Journal {
    buf: Arc<Bytes>,
    /// How many bytes of it are whole records.
    len: usize,
    /// Where each entry's text and task are in `buf`.
    entries: gix::hashtable::HashMap<ObjectId, Vec<(String, Span, Span)>>,
    /// `None`: the file is gone.
    rows: HashMap<String, Option<Row>, crate::graph::FnvBuild>,
}

impl Default for Bytes {
    fn default() -> Bytes {
        Bytes::Read(Vec::new())
    }
}

impl Journal {
    fn parse(bytes: Vec<u8>, stamp: u64, hash: gix::hash::Kind) -> Journal {
        let mut journal = Journal::default();
        let mut at = 0;
        while let Some(next) = journal.record(&bytes, at, stamp, hash) {
            at = next;
        }
        journal.len = at;
        journal.buf = Arc::new(Bytes::Read(bytes));
        journal
    }

    /// Takes in the record at `at`; where the next one starts, or `None`
    /// at the end or at a record that is not whole.
    fn record(
        &mut self,
        bytes: &[u8],
        at: usize,
        stamp: u64,
        hash: gix::hash::Kind,
    ) -> Option<usize> {
        let mut r = codec::Reader::new(bytes.get(at..)?);
        let len = r.u32()? as usize;
        let sum = r.u32()?;
        let body_at = at + 8;
        let body = r.take(len)?;
        if crc32fast::hash(body) != sum {
            return None;
        }
        let next = body_at + len;
        let mut r = codec::Reader::new(body);
        if r.u64()? != stamp {
            // Another build's: not ours to use, but whole.
            return Some(next);
        }
        match r.u8()? {
            ENTRY => {
                let name = r.str()?.to_owned();
                let oid = read_oid(&mut r, hash)?;
                let text_len = r.u32()? as usize;
                let text = body_at + r.position();
                r.take(text_len)?;
                let task_len = r.u32()? as usize;
                let task = body_at + r.position();
                r.take(task_len)?;
                self.entries.entry(oid).or_default().push((
                    name,
                    (text, text + text_len),
                    (task, task + task_len),
                ));
            }
            ROW => {
                let name = r.str()?.to_owned();
                let row = read_row(&mut r, hash)?;
                self.rows.insert(name, Some(row));
            }
            GONE => {
                let name = r.str()?.to_owned();
                self.rows.insert(name, None);
            }
            _ => {}
        }
        Some(next)
    }
}

/// The cache file at `path`, mapped into memory (read, where it cannot be
/// mapped); `None` when there is none.
fn map(path: &Path) -> Option<Bytes> {
    let file = fs::File::open(path).ok()?;
    // SAFETY: git-task never changes a cache file once it is renamed into
    // place; writers make a new file. Another program that truncated it
    // while it is mapped would make reading it fault, as it would for
    // git's own mapped index.
    match unsafe { memmap2::MmapOptions::new().populate().map(&file) } {
        Ok(map) => Some(Bytes::Mapped(map)),
        Err(_) => {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut &file, &mut bytes).ok()?;
            Some(Bytes::Read(bytes))
        }
    }
}

/// Removes cache files that a killed process left half written.
fn remove_old_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let is_temp = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMP_PREFIX));
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        if is_temp && old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

impl Contents {
    /// Checks a whole cache file and indexes it; `None` unless it is one
    /// this build wrote, complete and undamaged.
    fn parse(bytes: Bytes, stamp: &[u8], hash: gix::hash::Kind) -> Option<Contents> {
        let body_len = bytes.len().checked_sub(4)?;
        let (body, sum) = bytes.split_at(body_len);
        if crc32fast::hash(body).to_le_bytes() != sum {
            return None;
        }
        let mut r = codec::Reader::new(body);
        if r.take(MAGIC.len())? != MAGIC || r.u32()? != FORMAT || r.bytes()? != stamp {
            return None;
        }
        let generation = r.u64()?;
        let n = r.u32()? as usize;
        let mut entries = gix::hashtable::HashMap::with_capacity_and_hasher(
            n.min(body.len() / 16),
            Default::default(),
        );
        let mut others = HashMap::new();
        for _ in 0..n {
            let name_len = r.u32()? as usize;
            let name_start = r.position();
            let name = std::str::from_utf8(r.take(name_len)?).ok()?;
            let oid = read_oid(&mut r, hash)?;
            let generation = r.u64()?;
            let text_len = r.u32()? as usize;
            let text_start = r.position();
            r.take(text_len)?;
            let task_len = r.u32()? as usize;
            let task_start = r.position();
            r.take(task_len)?;
            let entry = Entry {
                name: (name_start, name_start + name_len),
                text: (text_start, text_start + text_len),
                task: (task_start, task_start + task_len),
                generation,
            };
            if let Some(first) = entries.insert(oid, entry) {
                // Two names with one blob: the first stays, the rest go
                // to the map by name.
                others.insert((name.to_owned(), oid), entry);
                entries.insert(oid, first);
            }
        }
        let n = r.u32()? as usize;
        let mut rows: Vec<((usize, usize), Row)> = Vec::with_capacity(n.min(body.len() / 16));
        for _ in 0..n {
            let name_len = r.u32()? as usize;
            let name_start = r.position();
            let name = r.take(name_len)?;
            std::str::from_utf8(name).ok()?;
            // Sorted, each name once: what the lookups rely on.
            if let Some((last, _)) = rows.last()
                && &body[last.0..last.1] >= name
            {
                return None;
            }
            let row = read_row(&mut r, hash)?;
            rows.push(((name_start, name_start + name_len), row));
        }
        if !r.is_at_end() {
            return None;
        }
        Some(Contents {
            buf: Arc::new(bytes),
            generation,
            entries,
            others,
            rows,
        })
    }
}

/// What tells this build of git-task from another: its version and the
/// size and modification time of its executable. A cache written by any
/// other build is ignored, so a change to how files are parsed can never
/// be answered by a cache of the old rules, even between two builds of
/// one version.
fn binary_stamp() -> Vec<u8> {
    let mut stamp = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    if let Ok(meta) = std::env::current_exe().and_then(fs::metadata) {
        let (secs, nanos) = meta.modified().map_or((0, 0), instant);
        stamp.extend_from_slice(&meta.len().to_le_bytes());
        stamp.extend_from_slice(&secs.to_le_bytes());
        stamp.extend_from_slice(&nanos.to_le_bytes());
    }
    stamp
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;
    use crate::store::{Source, Workspace};

    fn cache_dir(ws: &Workspace) -> PathBuf {
        ws.private_dir().join("cache")
    }

    fn open(ws: &Workspace) -> Cache {
        Cache::open(cache_dir(ws), gix::hash::Kind::Sha1)
    }

    /// Rewrites the cache file with each row changed by `change`, as
    /// another file system (or a race) could have left it.
    fn doctor(ws: &Workspace, mut change: impl FnMut(&str, &mut Row)) {
        let cache = open(ws);
        let mut seen: Vec<Seen> = cache
            .all_rows()
            .into_iter()
            .map(|(name, row)| {
                let mut row = *row;
                change(name, &mut row);
                Seen {
                    name: name.to_owned(),
                    oid: row.oid,
                    fresh: None,
                    row: Some(row),
                }
            })
            .collect();
        seen.sort_by(|a, b| a.name.cmp(&b.name));
        cache
            .write(&Learned {
                seen,
                work_tree: true,
            })
            .unwrap();
    }

    fn subject(ws: &Workspace, source: &Source, id: &str) -> String {
        let set = ws.load(source).unwrap();
        ws.finish_cache_write();
        set.get(id).unwrap().subject.clone()
    }

    /// The cache file and its journal.
    fn file_bytes(ws: &Workspace) -> Vec<u8> {
        let mut bytes = fs::read(cache_dir(ws).join(FILE)).unwrap();
        bytes.extend(fs::read(cache_dir(ws).join(JOURNAL)).unwrap_or_default());
        bytes
    }

    /// How many entries the cache holds, journal included.
    fn entries(cache: &Cache) -> usize {
        let base = cache.old.as_ref().map_or(0, |o| o.all().count());
        let journal = cache
            .journal
            .entries
            .iter()
            .flat_map(|(oid, named)| named.iter().map(move |(name, _, _)| (name, oid)))
            .filter(|(name, oid)| {
                cache
                    .old
                    .as_ref()
                    .is_none_or(|o| o.find(name, oid).is_none())
            })
            .count();
        base + journal
    }

    /// Writes the cache file whole, as a command does when its journal
    /// has grown.
    fn compact(ws: &Workspace) {
        open(ws).write(&Learned::default()).unwrap();
        assert!(!cache_dir(ws).join(JOURNAL).exists());
    }

    fn is_valid(ws: &Workspace) -> bool {
        open(ws).old.is_some()
    }

    fn repo_with(tasks: &[(&str, &str)]) -> TestRepo {
        let repo = TestRepo::new();
        for (id, subject) in tasks {
            repo.write(
                &format!(".tasks/{id}.toml"),
                &format!("subject = \"{subject}\"\n"),
            );
        }
        repo
    }

    #[test]
    fn a_racy_file_whose_stat_data_did_not_change_is_read_again() {
        let repo = repo_with(&[("a", "one"), ("b", "other")]);
        let ws = repo.workspace();
        assert_eq!(subject(&ws, &Source::WorkTree, "a"), "one");
        // The same size, and on a coarse file system the same times: the
        // row cannot tell, but it was verified less than the margin after
        // the file changed, so the file is hashed again.
        repo.write(".tasks/a.toml", "subject = \"two\"\n");
        let now = Stat::of(&fs::symlink_metadata(repo.root().join(".tasks/a.toml")).unwrap());
        doctor(&ws, |name, row| {
            if name == "a.toml" {
                row.stat = now;
            }
        });
        assert!(!open(&ws).row_near("a.toml", &mut 0).unwrap().is_trusted());
        assert_eq!(subject(&ws, &Source::WorkTree, "a"), "two");

        // A row verified long after its file last changed is believed:
        // the cache answers without opening the file. (Only a row written
        // against the rule could say so of a file that changed since.)
        repo.write(".tasks/a.toml", "subject = \"333\"\n");
        let now = Stat::of(&fs::symlink_metadata(repo.root().join(".tasks/a.toml")).unwrap());
        doctor(&ws, |name, row| {
            if name == "a.toml" {
                row.stat = now;
                row.verified_at = (now.mtime.0 + 60, 0);
            }
        });
        assert_eq!(subject(&ws, &Source::WorkTree, "a"), "two");
    }

    #[test]
    fn a_read_that_finds_everything_writes_nothing() {
        let repo = repo_with(&[("a", "one"), ("b", "two")]);
        repo.commit("tasks");
        let ws = repo.workspace();
        subject(&ws, &Source::WorkTree, "a");
        // The rows are racy (the files are new), and a racy file found
        // unchanged keeps its row: nothing to write.
        let written = file_bytes(&ws);
        subject(&ws, &Source::WorkTree, "a");
        assert_eq!(file_bytes(&ws), written);
        // The index and HEAD hold the same blobs: found by blob id.
        subject(&ws, &Source::Index, "a");
        subject(&ws, &Source::Rev("HEAD".into()), "b");
        assert_eq!(file_bytes(&ws), written);
        // A changed file is learned, and the old version kept for a while.
        repo.write(".tasks/b.toml", "subject = \"three\"\n");
        assert_eq!(subject(&ws, &Source::WorkTree, "b"), "three");
        assert_ne!(file_bytes(&ws), written);
        assert_eq!(entries(&open(&ws)), 3);
        // Learned in the journal, not by writing the whole file again.
        assert!(cache_dir(&ws).join(JOURNAL).is_file());
        compact(&ws);
        assert_eq!(entries(&open(&ws)), 3);
        assert_eq!(subject(&ws, &Source::Rev("HEAD".into()), "b"), "two");
    }

    #[test]
    fn a_damaged_cache_is_never_trusted_and_is_written_anew() {
        let repo = repo_with(&[("a", "one"), ("b", "two")]);
        let ws = repo.workspace();
        subject(&ws, &Source::WorkTree, "a");
        let good = file_bytes(&ws);
        let path = cache_dir(&ws).join(FILE);
        let mut damaged: Vec<Vec<u8>> = vec![Vec::new(), b"garbage".to_vec(), vec![0; good.len()]];
        for n in [1, 8, 12, good.len() / 2, good.len() - 1] {
            damaged.push(good[..n].to_vec());
        }
        for i in [9, 20, good.len() / 2, good.len() - 2] {
            let mut flipped = good.clone();
            flipped[i] ^= 0x40;
            damaged.push(flipped);
        }
        let mut longer = good.clone();
        longer.push(0);
        damaged.push(longer);
        for bytes in damaged {
            fs::write(&path, &bytes).unwrap();
            assert!(!is_valid(&ws), "{bytes:?}");
            assert_eq!(subject(&ws, &Source::WorkTree, "a"), "one");
            assert_eq!(subject(&ws, &Source::WorkTree, "b"), "two");
            assert!(is_valid(&ws));
        }
        // A cache of another build is ignored the same way.
        let mut other = good.clone();
        let stamp_at = MAGIC.len() + 4 + 4;
        other[stamp_at] ^= 1;
        let body = other.len() - 4;
        let sum = crc32fast::hash(&other[..body]).to_le_bytes();
        other[body..].copy_from_slice(&sum);
        fs::write(&path, &other).unwrap();
        assert!(!is_valid(&ws));
    }

    #[test]
    fn a_journal_is_read_up_to_its_last_whole_record() {
        let repo = repo_with(&[("a", "one"), ("b", "two")]);
        let ws = repo.workspace();
        subject(&ws, &Source::WorkTree, "a");
        repo.write(".tasks/a.toml", "subject = \"one, changed\"\n");
        subject(&ws, &Source::WorkTree, "a");
        repo.write(".tasks/b.toml", "subject = \"two, changed\"\n");
        subject(&ws, &Source::WorkTree, "b");
        let path = cache_dir(&ws).join(JOURNAL);
        let journal = fs::read(&path).unwrap();
        let whole = Journal::parse(
            journal.clone(),
            stamp_hash(&binary_stamp()),
            gix::hash::Kind::Sha1,
        );
        assert_eq!(whole.len, journal.len());
        assert_eq!(whole.entries.values().map(Vec::len).sum::<usize>(), 2);
        let mut flipped = journal.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        for damaged in [
            journal[..journal.len() - 1].to_vec(),
            journal[..journal.len() / 2].to_vec(),
            journal[..3].to_vec(),
            flipped,
            b"garbage, not records".to_vec(),
        ] {
            fs::write(&path, &damaged).unwrap();
            let read = Journal::parse(
                damaged.clone(),
                stamp_hash(&binary_stamp()),
                gix::hash::Kind::Sha1,
            );
            assert!(read.len < journal.len());
            assert_eq!(subject(&ws, &Source::WorkTree, "a"), "one, changed");
            assert_eq!(subject(&ws, &Source::WorkTree, "b"), "two, changed");
        }
        // Records of another build are skipped, not taken.
        let other = Journal::parse(journal, stamp_hash(b"another build"), gix::hash::Kind::Sha1);
        assert!(other.entries.is_empty() && other.rows.is_empty());
    }

    #[test]
    fn entries_no_command_uses_are_dropped() {
        let repo = repo_with(&[("a", "v0")]);
        let ws = repo.workspace();
        subject(&ws, &Source::WorkTree, "a");
        for i in 1..=KEEP_GENERATIONS + 2 {
            repo.write(".tasks/a.toml", &format!("subject = \"v{i}\"\n"));
            assert_eq!(subject(&ws, &Source::WorkTree, "a"), format!("v{i}"));
            compact(&ws);
        }
        // The version in the file, and those of the last writes.
        let cache = open(&ws);
        assert_eq!(entries(&cache) as u64, KEEP_GENERATIONS + 1);
        assert_eq!(cache.all_rows().len(), 1);
        // A removed file's row goes.
        repo.remove(".tasks/a.toml");
        ws.load(&Source::WorkTree).unwrap();
        ws.finish_cache_write();
        assert!(open(&ws).row_near("a.toml", &mut 0).is_none());
    }

    #[test]
    fn a_change_tells_the_cache_what_it_wrote() {
        let repo = repo_with(&[("a", "one")]);
        let ws = repo.workspace();
        ws.transact(|tx| {
            let id = crate::TaskId::parse("a").unwrap();
            let mut doc = tx.document(&id)?;
            doc.set_str("subject", "changed");
            tx.stage(&id, doc)?;
            Ok(())
        })
        .unwrap();
        ws.finish_cache_write();
        let cache = open(&ws);
        let row = *cache.row_near("a.toml", &mut 0).unwrap();
        let meta = fs::symlink_metadata(repo.root().join(".tasks/a.toml")).unwrap();
        assert_eq!(row.stat, Stat::of(&meta));
        let (task, text) = cache.entry("a.toml", &row.oid).unwrap();
        assert_eq!(task.subject, "changed");
        assert_eq!(
            text.as_str(),
            fs::read_to_string(repo.root().join(".tasks/a.toml")).unwrap()
        );
        // The next read has nothing to learn.
        let written = file_bytes(&ws);
        assert_eq!(subject(&ws, &Source::WorkTree, "a"), "changed");
        assert_eq!(file_bytes(&ws), written);
    }
}
