//! The import targets: the fuzzer's bytes as one tracker's files,
//! read as `git task import` reads them, then imported into the scratch
//! repository as a dry run (the engine's mapping and every check, no
//! file written).

use std::path::{Path, PathBuf};

use git_task::bridge::{self, ReadOptions, Source, Tracker};

/// A directory of this process for the files of one input.
fn scratch() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary directory"))
        .path()
}

/// Writes `parts` as the source of `tracker` and returns the path
/// `import` is given.
fn lay_out(tracker: Tracker, parts: &[&[u8]]) -> PathBuf {
    let root = scratch().join("source");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("mkdir");
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, bytes).expect("write");
    };
    match tracker {
        // The first part is config.yml, the others task files; the last
        // of three or more is in completed/.
        Tracker::Backlog => {
            let backlog = root.join("backlog");
            std::fs::create_dir_all(backlog.join("tasks")).expect("mkdir");
            for (i, part) in parts.iter().enumerate() {
                let path = match i {
                    0 => backlog.join("config.yml"),
                    i if i == parts.len() - 1 && i >= 2 => {
                        backlog.join(format!("completed/task-{i} - Done.md"))
                    }
                    i => backlog.join(format!("tasks/task-{i} - Task.md")),
                };
                write(path, part);
            }
            backlog
        }
        Tracker::Agent => {
            for (i, part) in parts.iter().enumerate() {
                write(root.join(format!("{}.json", i + 1)), part);
            }
            root
        }
        _ => {
            let file = root.join("tasks.json");
            write(file.clone(), &parts.join(&b"\n"[..]));
            file
        }
    }
}

/// Reads `data` as `tracker`'s source (split into files at NUL bytes) and
/// imports it as a dry run. A source that reads gives tasks that write
/// and read back as themselves; one that does not gets an error that
/// names a file.
pub fn run(tracker: Tracker, data: &[u8]) {
    let parts: Vec<&[u8]> = data.split(|&b| b == 0).take(5).collect();
    let path = lay_out(tracker, &parts);
    let source = match tracker {
        Tracker::GitTask => {
            let Ok(text) = std::str::from_utf8(data) else {
                return;
            };
            match bridge::jsonl::read(text, &path) {
                Ok(tasks) => Source::Export(tasks),
                Err(e) => {
                    assert!(!e.message.is_empty());
                    return;
                }
            }
        }
        _ => match bridge::read(tracker, &path, &ReadOptions::default()) {
            Ok(batch) => Source::Tracker(tracker, batch),
            Err(git_task::Error::Source(e)) => {
                assert!(!e.message.is_empty(), "{e:?}");
                assert!(
                    e.file.starts_with(scratch()),
                    "{e:?} names a file of the source"
                );
                return;
            }
            Err(e) => panic!("reading a source fails only with a source error: {e:?}"),
        },
    };
    crate::repo::sandbox_path();
    let ws = crate::workspace();
    let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time");
    match bridge::import_to(ws, &source, now, true, None) {
        Ok(import) => {
            for task in import.after.iter() {
                let back = crate::canonical(task);
                assert_eq!(
                    back.as_ref(),
                    Some(task),
                    "an imported task reads back as itself"
                );
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(!text.is_empty());
        }
    }
}
