//! The history of one task from git: the commits that changed its file,
//! who made them and when, and what they changed in the task.

use std::collections::{BTreeMap, HashMap};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::{Error, FileProblem, Result};
use crate::history::{Change, task_changes};
use crate::id::TaskId;
use crate::store::{
    Blobs, Commit, FileVersion, ObjectId, Source, TASKS_DIR, TasksVisit, Visit, Walked, Workspace,
};
use crate::task::{ParseError, Task};
use crate::taskset::ResolveError;

/// How much of the history to read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Stop after this many commits (`-n`).
    pub max_count: Option<usize>,
}

/// A task's history, newest first.
#[derive(Debug)]
pub struct TaskLog {
    pub id: TaskId,
    pub commits: Vec<Entry>,
    /// Commits of a shallow clone whose parents are not in the repository:
    /// the walk stopped there, and what came before them is unknown.
    pub shallow_boundary: Vec<Boundary>,
}

/// A commit where the history available stops.
#[derive(Debug)]
pub struct Boundary {
    pub commit: ObjectId,
    /// Abbreviated as git abbreviates.
    pub short: String,
}

/// One commit that changed the task's file.
#[derive(Debug)]
pub struct Entry {
    pub commit: ObjectId,
    /// The shortest unambiguous abbreviation (at least 7 digits), as git
    /// abbreviates.
    pub short: String,
    pub author: String,
    pub email: String,
    /// When the change was authored.
    pub date: DateTime<Utc>,
    /// The commit message's subject line.
    pub subject: String,
    /// The file appeared in this commit.
    pub created: bool,
    /// The file disappeared in this commit.
    pub removed: bool,
    /// The task's subject after this commit, when the file is there and
    /// parses.
    pub task_subject: Option<String>,
    /// Field by field, when both versions parse.
    pub changes: Vec<Change>,
    /// Why the file as this commit left it is not a valid task.
    pub problem: Option<FileProblem>,
    /// The file did not parse before this commit and does after it, so there
    /// is no earlier version to compare with.
    pub parses_again: bool,
    /// A commit of a shallow clone whose parents are not here: the entry
    /// is the task as this commit has it, not a change (what came before
    /// is unknown, so it is not called created).
    pub boundary: bool,
    /// The task's status after this commit, when the file is there and
    /// parses.
    pub task_status: Option<crate::task::Status>,
}

/// Finds the task `text` names for `log`: a task file of that exact name,
/// else a unique prefix of a task of the working tree (of HEAD in a bare
/// repository), else, when `text` is a full id, a task that may exist only
/// in history (a removed task has a history too; [`read`] finds out).
pub fn resolve(ws: &Workspace, text: &str) -> Result<TaskId> {
    let full = TaskId::parse(text).ok();
    // An exact file name settles it without parsing every task, which is
    // most of the cost of the whole command at 10k tasks.
    if let Some(id) = &full
        && !ws.is_bare()
        && ws.tasks_dir().join(id.file_name()).is_file()
    {
        return Ok(id.clone());
    }
    let source = if ws.is_bare() {
        Source::Rev("HEAD".into())
    } else {
        Source::WorkTree
    };
    // Another file that does not parse must not stop `log` from looking
    // up this one, so problems are ignored here.
    let loaded = match ws.read(&source) {
        Ok(loaded) => loaded,
        Err(e) => return full.ok_or(e),
    };
    match (loaded.tasks.resolve(text), full) {
        (Ok(task), _) => Ok(task.id.clone()),
        (Err(ResolveError::Unknown(_)), Some(id)) => Ok(id),
        (Err(e), _) => Err(e.into()),
    }
}

/// Reads the history of task `id`: the commits reachable from HEAD that
/// changed `.tasks/<id>.toml`, newest first by commit time, as
/// `git log -- .tasks/<id>.toml` lists them (with git's default history
/// simplification: see [`Workspace::walk_file_history`]).
///
/// Fails with an unknown-id error when the task is neither in the working
/// tree nor anywhere in the history read.
pub fn read(ws: &Workspace, id: &TaskId, options: &Options) -> Result<TaskLog> {
    let mut log = TaskLog {
        id: id.clone(),
        commits: Vec::new(),
        shallow_boundary: Vec::new(),
    };
    let in_work_tree = !ws.is_bare() && ws.tasks_dir().join(id.file_name()).is_file();
    let unknown = || Error::from(ResolveError::Unknown(id.to_string()));
    if options.max_count == Some(0) {
        return Ok(log);
    }
    let mut versions = Versions::new(id.clone());
    let walked = ws.walk_file_history(&id.file_name(), |visit, blobs| {
        match visit {
            Visit::Boundary { id, short, at } => {
                log.shallow_boundary.push(Boundary { commit: id, short });
                if let Some((commit, version)) = at {
                    log.commits.push(versions.boundary(blobs, commit, version));
                }
            }
            Visit::Changed {
                commit,
                before,
                after,
            } => log
                .commits
                .push(versions.entry(blobs, commit, before, after)),
        }
        Ok(
            if options.max_count.is_some_and(|n| log.commits.len() >= n) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            },
        )
    })?;
    match walked {
        // No commit yet: a task that exists has an empty history.
        Walked::Unborn if !in_work_tree => Err(unknown()),
        Walked::FromHead { at_head: false } if log.commits.is_empty() && !in_work_tree => {
            Err(unknown())
        }
        _ => Ok(log),
    }
}

/// How much of the history [`recent`] reads.
#[derive(Debug, Clone)]
pub struct RecentOptions {
    /// How many commits of HEAD's first-parent chain to read, newest first
    /// (200 by default): enough for what a board shows, little to read.
    pub max_commits: usize,
    /// How many entries to keep for each task, newest first (5 by
    /// default). Only the blobs of kept entries are read and parsed.
    pub per_task: usize,
}

impl Default for RecentOptions {
    fn default() -> RecentOptions {
        RecentOptions {
            max_commits: 200,
            per_task: 5,
        }
    }
}

/// The recent history of every task, from one walk of the newest commits.
#[derive(Debug, Default)]
pub struct RecentLog {
    /// Each task that a commit read changed, with its entries newest first,
    /// at most [`RecentOptions::per_task`] of them. Sorted by id, so that
    /// what is made from it does not depend on the walk.
    pub tasks: BTreeMap<TaskId, Vec<Entry>>,
    /// Commits older than those read remain: a task's entries are its
    /// newest, and a task changed only before them has none.
    pub truncated: bool,
    /// Commits of a shallow clone whose parents are not in the repository:
    /// the walk stopped there, and what came before them is unknown.
    pub shallow_boundary: Vec<Boundary>,
}

/// Reads the recent history of every task at once: the newest
/// `max_commits` commits of HEAD's first-parent chain, newest first, each
/// compared with its first parent, and for every task file a commit
/// changed, the entry [`read`] would list for it, at most `per_task` of
/// them per task.
///
/// One walk for all the tasks: [`read`] for each of 10k tasks would read
/// the same commits 10k times. Unlike [`read`], which simplifies history as
/// `git log -- .tasks/<id>.toml` does, only first parents are followed, as
/// `git log --first-parent` does: a merge is listed with what it brought
/// to its branch (described against its first parent), and the commits of
/// the merged branch are not. On a linear history, a task's entries are
/// the first `per_task` that [`read`] lists among those commits.
///
/// A HEAD without commits, or a bare repository without any, has an empty
/// history: that is not an error.
pub fn recent(ws: &Workspace, options: &RecentOptions) -> Result<RecentLog> {
    let mut recent = Recent {
        log: RecentLog::default(),
        versions: HashMap::new(),
        per_task: options.per_task,
    };
    let truncated = ws.walk_tasks_history(options.max_commits, |visit, blobs| {
        match visit {
            TasksVisit::Changed { commit, files } => {
                for file in files {
                    if let Some(id) = recent.wanted(&file.name) {
                        recent.keep(id, |task| {
                            task.entry(blobs, commit.clone(), file.before, file.after)
                        });
                    }
                }
            }
            TasksVisit::Boundary { id, short, at } => {
                let boundary = Boundary { commit: id, short };
                recent.log.shallow_boundary.push(boundary);
                if let Some((commit, files)) = at {
                    for (name, version) in files {
                        if let Some(id) = recent.wanted(&name) {
                            recent.keep(id, |task| task.boundary(blobs, commit.clone(), version));
                        }
                    }
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    let mut log = recent.log;
    log.truncated = truncated;
    Ok(log)
}

/// What [`recent`] has found so far.
struct Recent {
    log: RecentLog,
    /// The tasks that have entries and want more, with the version of each
    /// read last; a task with all its entries is let go.
    versions: HashMap<TaskId, Versions>,
    per_task: usize,
}

impl Recent {
    /// The task that file `name` holds, when it wants another entry.
    fn wanted(&self, name: &str) -> Option<TaskId> {
        let id = TaskId::parse(name.strip_suffix(".toml")?).ok()?;
        let kept = self.log.tasks.get(&id).map_or(0, Vec::len);
        (kept < self.per_task).then_some(id)
    }

    /// Keeps the entry `read` makes from the versions of task `id`.
    fn keep(&mut self, id: TaskId, read: impl FnOnce(&mut Versions) -> Entry) {
        let task = self
            .versions
            .entry(id.clone())
            .or_insert_with(|| Versions::new(id.clone()));
        let entry = read(task);
        let kept = self.log.tasks.entry(id.clone()).or_default();
        kept.push(entry);
        if kept.len() >= self.per_task {
            self.versions.remove(&id);
        }
    }
}

/// Reads the task from versions of its file, remembering the last one.
struct Versions {
    id: TaskId,
    /// `.tasks/<id>.toml`, for problems.
    path: PathBuf,
    /// The version of the file last read as a task, and what it held.
    last: Option<(FileVersion, Result<Task, FileProblem>)>,
}

impl Versions {
    fn new(id: TaskId) -> Versions {
        Versions {
            path: Path::new(TASKS_DIR).join(id.file_name()),
            id,
            last: None,
        }
    }

    /// The task a version of the file holds, or why it is not one.
    fn task(&self, blobs: &mut Blobs<'_>, version: FileVersion) -> Result<Task, FileProblem> {
        let problem = |message: String| FileProblem {
            path: self.path.clone(),
            error: ParseError {
                line: 1,
                column: 1,
                message,
            },
        };
        if !version.is_file() {
            return Err(problem("not a regular file".into()));
        }
        let data = blobs.read(version).map_err(&problem)?;
        let text =
            std::str::from_utf8(data).map_err(|_| problem("the file is not UTF-8 text".into()))?;
        Task::parse(self.id.clone(), text).map_err(|error| FileProblem {
            path: self.path.clone(),
            error,
        })
    }

    /// Describes a commit that changed the file from `before` to `after`.
    fn entry(
        &mut self,
        blobs: &mut Blobs<'_>,
        commit: Commit,
        before: Option<FileVersion>,
        after: Option<FileVersion>,
    ) -> Entry {
        // Walking newest first, this commit's new version is usually the
        // old version of the commit listed before it: parsed already.
        let new = after.map(|v| match self.last.take() {
            Some((version, task)) if version == v => task,
            _ => self.task(blobs, v),
        });
        let old = before.map(|v| self.task(blobs, v));
        let mut entry = Entry {
            commit: commit.id,
            short: commit.short,
            author: commit.author,
            email: commit.email,
            date: commit.date,
            subject: commit.subject,
            created: old.is_none(),
            removed: new.is_none(),
            task_subject: None,
            changes: Vec::new(),
            problem: None,
            parses_again: false,
            boundary: false,
            task_status: None,
        };
        if let Some(Ok(task)) = &new {
            entry.task_status = Some(task.status);
        }
        match (&old, new) {
            (_, None) => {}
            (_, Some(Err(problem))) => entry.problem = Some(problem),
            (None, Some(Ok(task))) => entry.task_subject = Some(task.subject),
            (Some(Err(_)), Some(Ok(task))) => {
                entry.parses_again = true;
                entry.task_subject = Some(task.subject);
            }
            (Some(Ok(old)), Some(Ok(task))) => {
                entry.changes = task_changes(old, &task);
                entry.task_subject = Some(task.subject);
            }
        }
        self.last = before.zip(old);
        entry
    }

    /// Describes the file as a shallow clone's boundary commit has it.
    fn boundary(&mut self, blobs: &mut Blobs<'_>, commit: Commit, version: FileVersion) -> Entry {
        // The task as this commit has it, not a change: what came before
        // is unknown, so it is not called created.
        let mut entry = self.entry(blobs, commit, None, Some(version));
        entry.created = false;
        entry.boundary = true;
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;

    #[test]
    fn a_tasks_history_is_its_files_commits_with_what_they_changed() {
        let repo = TestRepo::new();
        let id = TaskId::parse("a").unwrap();
        let ws = repo.workspace();
        // No commit yet, and no such task.
        assert!(read(&ws, &id, &Options::default()).is_err());
        repo.write(".tasks/a.toml", "subject = \"A\"\n");
        repo.commit("add a");
        repo.write(".tasks/a.toml", "subject = \"A\"\nstatus = \"oops\"\n");
        repo.commit("break a");
        repo.write(".tasks/a.toml", "subject = \"B\"\n");
        repo.commit("rename a");
        let ws = repo.workspace();

        let log = read(&ws, &id, &Options::default()).unwrap();
        let subjects: Vec<&str> = log.commits.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["rename a", "break a", "add a"]);
        let [renamed, broken, added] = &log.commits[..] else {
            panic!("{log:?}");
        };
        assert!(renamed.parses_again && renamed.changes.is_empty());
        assert_eq!(renamed.task_subject.as_deref(), Some("B"));
        assert!(broken.problem.is_some());
        assert!(added.created && added.changes.is_empty());
        assert_eq!(added.author, "Ana");

        let first = read(&ws, &id, &Options { max_count: Some(1) }).unwrap();
        assert_eq!(first.commits.len(), 1);
        let unknown = TaskId::parse("zz").unwrap();
        assert!(matches!(
            read(&ws, &unknown, &Options::default()),
            Err(Error::Resolve(ResolveError::Unknown(_)))
        ));
    }
    /// Every task's entries, in a form that compares every field.
    fn described(entries: &[Entry]) -> Vec<String> {
        entries.iter().map(|e| format!("{e:?}")).collect()
    }

    /// The ids of every task any commit had.
    fn ever(repo: &TestRepo) -> Vec<TaskId> {
        let names = repo.git(&["log", "--format=", "--name-only", "--", ".tasks"]);
        let mut ids: Vec<TaskId> = names
            .lines()
            .filter_map(|l| l.strip_prefix(".tasks/")?.strip_suffix(".toml"))
            .filter_map(|stem| TaskId::parse(stem).ok())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// Asserts that each task's recent entries are the newest `per_task`
    /// that [`read`] lists for it.
    fn assert_like_read(repo: &TestRepo, options: &RecentOptions) -> RecentLog {
        let ws = repo.workspace();
        let found = recent(&ws, options).unwrap();
        let ids = ever(repo);
        for id in &ids {
            let read = read(
                &ws,
                id,
                &Options {
                    max_count: Some(options.per_task),
                },
            )
            .unwrap();
            let found = found.tasks.get(id).map_or(&[][..], Vec::as_slice);
            assert_eq!(described(found), described(&read.commits), "{id}");
        }
        let listed: Vec<&TaskId> = found.tasks.keys().collect();
        assert_eq!(listed, ids.iter().collect::<Vec<_>>());
        found
    }

    /// A linear history of adds, edits, dones, a file that breaks and
    /// parses again, a removal and a rename, several tasks per commit.
    fn linear() -> TestRepo {
        let repo = TestRepo::new();
        repo.write(".tasks/config.toml", "");
        repo.write(".tasks/a.toml", "subject = \"A\"\n");
        repo.write(".tasks/b.toml", "subject = \"B\"\n");
        repo.commit("add a and b");
        repo.write("README", "not a task");
        repo.commit("elsewhere");
        repo.write(
            ".tasks/a.toml",
            "subject = \"A\"\nstatus = \"in_progress\"\n",
        );
        repo.write(".tasks/c.toml", "subject = \"C\"\nblocked_by = [\"a\"]\n");
        repo.commit("start a, add c");
        repo.write(".tasks/a.toml", "subject = \"A\"\nstatus = \"completed\"\n");
        repo.write(
            ".tasks/b.toml",
            "subject = \"B, better\"\npriority = \"high\"\n",
        );
        repo.commit("done a, edit b");
        repo.write(".tasks/b.toml", "subject = \"B\"\nstatus = \"oops\"\n");
        repo.commit("break b");
        repo.write(".tasks/b.toml", "subject = \"B again\"\n");
        repo.remove(".tasks/a.toml");
        repo.commit("mend b, remove a");
        // A rename: the file goes, another comes, and what named it too.
        repo.remove(".tasks/c.toml");
        repo.write(".tasks/see.toml", "subject = \"C\"\nblocked_by = [\"a\"]\n");
        repo.write(
            ".tasks/b.toml",
            "subject = \"B again\"\nblocked_by = [\"see\"]\n",
        );
        repo.commit("rename c to see");
        for i in 1..=3 {
            repo.write(".tasks/see.toml", &format!("subject = \"C {i}\"\n"));
            repo.commit(&format!("edit see {i}"));
        }
        repo
    }

    #[test]
    fn every_tasks_recent_history_is_the_start_of_its_log() {
        let repo = linear();
        let found = assert_like_read(&repo, &RecentOptions::default());
        assert!(!found.truncated);
        assert!(found.shallow_boundary.is_empty());
        let subjects = |id: &str| -> Vec<&str> {
            found.tasks[&TaskId::parse(id).unwrap()]
                .iter()
                .map(|e| e.subject.as_str())
                .collect()
        };
        assert_eq!(
            subjects("a"),
            [
                "mend b, remove a",
                "done a, edit b",
                "start a, add c",
                "add a and b"
            ]
        );
        assert_eq!(subjects("c"), ["rename c to see", "start a, add c"]);
        let a = &found.tasks[&TaskId::parse("a").unwrap()];
        assert!(a[0].removed);
        assert_eq!(a[1].task_status, Some(crate::task::Status::Completed));
        assert!(!a[1].changes.is_empty());
        assert!(a[3].created);
        let b = &found.tasks[&TaskId::parse("b").unwrap()];
        assert!(b.iter().any(|e| e.problem.is_some()));
        assert!(b.iter().any(|e| e.parses_again));

        // Fewer entries per task: the newest, still as `read` has them.
        let two = assert_like_read(
            &repo,
            &RecentOptions {
                per_task: 2,
                ..RecentOptions::default()
            },
        );
        assert!(two.tasks.values().all(|e| e.len() <= 2));
        assert_eq!(two.tasks[&TaskId::parse("see").unwrap()].len(), 2);
    }

    #[test]
    fn reads_no_more_commits_than_asked() {
        let repo = linear();
        let ws = repo.workspace();
        let commits: Vec<String> = repo
            .git(&["log", "--format=%H"])
            .lines()
            .map(str::to_owned)
            .collect();
        for max_commits in 0..=commits.len() + 1 {
            let options = RecentOptions {
                max_commits,
                per_task: 100,
            };
            let found = recent(&ws, &options).unwrap();
            assert_eq!(
                found.truncated,
                max_commits < commits.len(),
                "{max_commits}"
            );
            let read_commits = &commits[..max_commits.min(commits.len())];
            for entries in found.tasks.values() {
                assert!(!entries.is_empty());
                assert!(
                    entries
                        .iter()
                        .all(|e| read_commits.contains(&e.commit.to_string()))
                );
            }
            // Every change of those commits is there.
            let changes: usize = found.tasks.values().map(Vec::len).sum();
            let mut expected = 0;
            for commit in read_commits {
                let names = repo.git(&[
                    "diff-tree",
                    "--root",
                    "--no-commit-id",
                    "--name-only",
                    "-r",
                    commit,
                    "--",
                    ".tasks",
                ]);
                expected += names
                    .lines()
                    .filter(|n| !n.ends_with("config.toml"))
                    .count();
            }
            assert_eq!(changes, expected, "{max_commits}");
        }
    }

    #[test]
    fn no_commit_yet_is_an_empty_history() {
        let repo = TestRepo::new();
        repo.write(".tasks/a.toml", "subject = \"A\"\n");
        let found = recent(&repo.workspace(), &RecentOptions::default()).unwrap();
        assert!(found.tasks.is_empty() && !found.truncated);

        let bare = repo.beside("bare.git");
        repo.git_in(
            &repo.beside(""),
            &["init", "-q", "--bare", bare.to_str().unwrap()],
        );
        let ws = Workspace::discover(&bare).unwrap();
        let found = recent(&ws, &RecentOptions::default()).unwrap();
        assert!(found.tasks.is_empty() && !found.truncated);
    }

    #[test]
    fn a_merge_is_its_changes_to_the_branch_it_was_merged_into() {
        let repo = TestRepo::new();
        repo.write(".tasks/a.toml", "subject = \"A\"\n");
        repo.commit("add a");
        repo.git(&["checkout", "-q", "-b", "side"]);
        repo.write(".tasks/a.toml", "subject = \"A\"\nstatus = \"completed\"\n");
        repo.commit("done a on the side");
        repo.git(&["checkout", "-q", "main"]);
        repo.write(".tasks/b.toml", "subject = \"B\"\n");
        repo.commit("add b");
        repo.git(&["merge", "-q", "--no-edit", "side"]);
        let found = recent(&repo.workspace(), &RecentOptions::default()).unwrap();
        let a = &found.tasks[&TaskId::parse("a").unwrap()];
        let subjects: Vec<&str> = a.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["Merge branch 'side'", "add a"]);
        assert_eq!(a[0].task_status, Some(crate::task::Status::Completed));
        assert_eq!(found.tasks[&TaskId::parse("b").unwrap()].len(), 1);
    }

    #[test]
    fn a_shallow_clone_stops_at_its_boundary_as_read_does() {
        let repo = linear();
        let clone = repo.beside("clone");
        let url = format!("file://{}", repo.root().display());
        repo.git_in(
            &repo.beside(""),
            &["clone", "-q", "--depth", "3", &url, clone.to_str().unwrap()],
        );
        let ws = Workspace::discover(&clone).unwrap();
        let found = recent(&ws, &RecentOptions::default()).unwrap();
        assert_eq!(found.shallow_boundary.len(), 1);
        assert!(!found.truncated);
        // Every task of the boundary commit is there, as `read` has it.
        assert_eq!(found.tasks.len(), 2);
        for (id, entries) in &found.tasks {
            let read = read(&ws, id, &Options::default()).unwrap();
            assert_eq!(described(entries), described(&read.commits), "{id}");
            assert!(entries.last().unwrap().boundary);
        }
    }
}
