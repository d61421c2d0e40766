//! The parse cache changes nothing but speed: whatever happens to the
//! files (changes through git-task, by hand, by git), every answer from
//! every source equals the answer with the cache deleted; a damaged cache
//! is rebuilt; processes sharing it leave it whole.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use crate::common::{Run, TestEnv};

fn cache_file(env: &TestEnv) -> PathBuf {
    env.repo.join(".git/git-task/cache/tasks")
}

/// How long after a file changed the tests' commands trust its stat data
/// (three seconds without it): the steps below come tens of milliseconds
/// apart, far more than the file system's timestamp granularity, so most
/// reads are answered from the stat data and the entry, as in use.
const RACY_MS: (&str, &str) = ("GIT_TASK_TEST_RACY_MS", "50");

fn task(env: &TestEnv, args: &[&str]) -> Run {
    env.task_with_env(&[RACY_MS], args)
}

/// Whether `bytes` are a cache file as git-task writes them: its first
/// bytes, and a checksum of the rest at the end.
fn is_whole(bytes: &[u8]) -> bool {
    bytes.len() > 12
        && bytes.starts_with(b"gtcache\n")
        && crc32fast::hash(&bytes[..bytes.len() - 4]).to_le_bytes() == bytes[bytes.len() - 4..]
}

/// The questions asked of every source after each step.
const QUERIES: &[&[&str]] = &[
    &["list", "--all", "--json"],
    &["status", "--json"],
    &["check", "--json"],
    &["check", "--staged", "--json"],
    &["list", "--all", "--rev", "HEAD", "--json"],
    &["check", "--rev", "other", "--json"],
];

fn answer(run: Run) -> (i32, String, String) {
    (run.code, run.stdout, run.stderr)
}

/// Asks every query with the cache as it is, then again with the cache
/// deleted, and puts the cache back as the first answer left it, so that
/// what the steps do to it carries on.
fn assert_answers_match(env: &TestEnv, step: &str) {
    let file = cache_file(env);
    let files = [file.clone(), file.with_file_name("tasks.log")];
    for query in QUERIES {
        let warm = answer(task(env, query));
        let kept: Vec<Option<Vec<u8>>> = files.iter().map(|f| std::fs::read(f).ok()).collect();
        for f in &files {
            let _ = std::fs::remove_file(f);
        }
        let cold = answer(task(env, query));
        for (f, bytes) in files.iter().zip(kept) {
            match bytes {
                Some(bytes) => std::fs::write(f, bytes).unwrap(),
                None => {
                    let _ = std::fs::remove_file(f);
                }
            }
        }
        assert_eq!(warm, cold, "after {step}: git task {}", query.join(" "));
    }
}

/// A repository with tasks on main and on branch `other`, committed.
fn repository() -> TestEnv {
    let env = TestEnv::new();
    env.write("a", "subject = \"first task\"\n");
    env.write("b", "subject = \"second task\"\nblocked_by = [\"a\"]\n");
    env.write("c", "subject = \"third task\"\nparent = \"b\"\n");
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "tasks"]).ok();
    env.git(&["checkout", "-qb", "other"]).ok();
    env.write(
        "a",
        "subject = \"first, as other has it\"\nstatus = \"completed\"\n",
    );
    env.write("d", "subject = \"only on other\"\nblocked_by = [\"c\"]\n");
    env.git(&["add", "-A"]).ok();
    env.git(&["commit", "-qm", "other"]).ok();
    env.git(&["checkout", "-q", "main"]).ok();
    env
}

#[derive(Debug, Clone)]
enum Step {
    Add,
    Done(usize),
    Note(usize),
    Start(usize),
    DepAdd(usize, usize),
    /// Rewrites a file by hand to text of the same length and gives it
    /// back its old modification time, to the nanosecond.
    SameSizeSameTime(usize),
    /// Writes text that does not parse.
    Break(usize),
    Remove(usize),
    Checkout(&'static str),
    Stash,
    StashPop,
    Stage,
    Unstage,
    Commit,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Add),
        (0..6usize).prop_map(Step::Done),
        (0..6usize).prop_map(Step::Note),
        (0..6usize).prop_map(Step::Start),
        (0..6usize, 0..6usize).prop_map(|(a, b)| Step::DepAdd(a, b)),
        (0..6usize).prop_map(Step::SameSizeSameTime),
        (0..6usize).prop_map(Step::Break),
        (0..6usize).prop_map(Step::Remove),
        prop_oneof![Just("main"), Just("other")].prop_map(Step::Checkout),
        Just(Step::Stash),
        Just(Step::StashPop),
        Just(Step::Stage),
        Just(Step::Unstage),
        Just(Step::Commit),
    ]
}

/// The task ids in the working tree, in order.
fn ids(env: &TestEnv) -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(env.tasks_dir())
        .map(|dir| {
            dir.filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                let stem = name.strip_suffix(".toml")?;
                (stem != "config").then(|| stem.to_owned())
            })
            .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

fn pick(env: &TestEnv, i: usize) -> Option<String> {
    let ids = ids(env);
    (!ids.is_empty()).then(|| ids[i % ids.len()].clone())
}

/// Sets the modification time of `path` to `(seconds, nanoseconds)`.
fn set_mtime(env: &TestEnv, path: &Path, (secs, nanos): (i64, i64)) {
    env.command("touch")
        .args(["-m", "-d", &format!("@{secs}.{nanos:09}")])
        .arg(path)
        .status()
        .expect("touch");
}

fn mtime(path: &Path) -> (i64, i64) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(path).unwrap();
    (meta.mtime(), meta.mtime_nsec())
}

fn apply(env: &TestEnv, step: &Step, n: usize) {
    // Refusals (a cycle, an unknown id, a stash with nothing to stash)
    // are answers too: only what the files become matters here.
    match step {
        Step::Add => {
            task(env, &["add", &format!("added in step {n}")]);
        }
        Step::Done(i) | Step::Note(i) | Step::Start(i) => {
            if let Some(id) = pick(env, *i) {
                match step {
                    Step::Done(_) => task(env, &["done", &id]),
                    Step::Note(_) => task(env, &["note", &id, &format!("note {n}")]),
                    _ => task(env, &["start", &id]),
                };
            }
        }
        Step::DepAdd(a, b) => {
            if let (Some(a), Some(b)) = (pick(env, *a), pick(env, *b)) {
                task(env, &["dep", "add", &a, &b]);
            }
        }
        Step::SameSizeSameTime(i) => {
            if let Some(id) = pick(env, *i) {
                let path = env.tasks_dir().join(format!("{id}.toml"));
                let before = mtime(&path);
                let text = env.read(&id);
                // Same length: swap the case of one letter of the subject.
                let changed = match text.find("subject = \"") {
                    Some(at) if text.len() > at + 11 => {
                        let mut bytes = text.clone().into_bytes();
                        let c = bytes[at + 11];
                        bytes[at + 11] = if c.is_ascii_lowercase() {
                            c.to_ascii_uppercase()
                        } else if c.is_ascii_uppercase() {
                            c.to_ascii_lowercase()
                        } else {
                            b'x'
                        };
                        String::from_utf8(bytes).unwrap_or(text)
                    }
                    _ => text,
                };
                env.write(&id, &changed);
                set_mtime(env, &path, before);
            }
        }
        Step::Break(i) => {
            if let Some(id) = pick(env, *i) {
                env.write(&id, "subject = \"broken\nstatus = ");
            }
        }
        Step::Remove(i) => {
            if let Some(id) = pick(env, *i) {
                let _ = std::fs::remove_file(env.tasks_dir().join(format!("{id}.toml")));
            }
        }
        Step::Checkout(branch) => {
            env.git(&["checkout", "-qf", branch]);
        }
        Step::Stash => {
            env.git(&["stash", "-qu"]);
        }
        Step::StashPop => {
            env.git(&["stash", "pop", "-q"]);
        }
        Step::Stage => {
            env.git(&["add", "-A"]);
        }
        Step::Unstage => {
            env.git(&["reset", "-q"]);
        }
        Step::Commit => {
            env.git(&["commit", "-qam", &format!("step {n}")]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 6,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_answer_equals_the_answer_without_the_cache(
        steps in proptest::collection::vec(step(), 1..10)
    ) {
        let env = repository();
        assert_answers_match(&env, "the start");
        for (n, step) in steps.iter().enumerate() {
            apply(&env, step, n);
            assert_answers_match(&env, &format!("step {n}: {step:?}"));
        }
    }
}

/// Every kind of step once, in an order that makes each matter: the
/// property test above draws few sequences.
#[test]
fn each_kind_of_change_is_seen() {
    let env = repository();
    let steps = [
        Step::Add,
        Step::SameSizeSameTime(0),
        Step::Note(1),
        Step::Start(2),
        Step::Done(1),
        Step::DepAdd(0, 2),
        Step::Stage,
        Step::SameSizeSameTime(2),
        Step::Unstage,
        Step::Break(1),
        Step::Stash,
        Step::Checkout("other"),
        Step::SameSizeSameTime(3),
        Step::Checkout("main"),
        Step::StashPop,
        Step::Remove(0),
        Step::Stage,
        Step::Commit,
    ];
    for (n, step) in steps.iter().enumerate() {
        apply(&env, step, n);
        assert_answers_match(&env, &format!("step {n}: {step:?}"));
    }
}

/// A file rewritten by hand to the same size, with its old modification
/// time put back to the nanosecond, after the cache has come to trust its
/// stat data: only the change time tells, and it is enough.
#[test]
fn an_edit_that_keeps_size_and_time_is_seen() {
    let env = repository();
    // Older than the tests' racy margin, so its row is trusted.
    std::thread::sleep(std::time::Duration::from_millis(120));
    let before = task(&env, &["list", "--all", "--json"]).json();
    assert_eq!(before["tasks"][0]["subject"], "first task");
    apply(&env, &Step::SameSizeSameTime(0), 0);
    let after = task(&env, &["list", "--all", "--json"]).json();
    assert_eq!(after["tasks"][0]["subject"], "First task");
}

#[test]
fn a_damaged_cache_changes_no_answer_and_is_rebuilt() {
    let env = repository();
    let expected = answer(task(&env, &["list", "--all", "--json"]));
    let path = cache_file(&env);
    let good = std::fs::read(&path).expect("the first command wrote the cache");
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0xff;
    for damaged in [
        Vec::new(),
        b"not a cache".to_vec(),
        good[..good.len() / 2].to_vec(),
        flipped,
    ] {
        std::fs::write(&path, &damaged).unwrap();
        assert_eq!(answer(task(&env, &["list", "--all", "--json"])), expected);
        assert!(is_whole(&std::fs::read(&path).unwrap()), "rewritten whole");
    }
    // A journal that is garbage, or cut short, is read up to its last
    // whole record.
    env.write("a", "subject = \"first task, edited\"\n");
    let mut expected = answer(task(&env, &["list", "--all", "--json"]));
    let journal = path.with_file_name("tasks.log");
    let appended = std::fs::read(&journal).expect("the edit was journalled");
    for (n, damaged) in [
        b"garbage".to_vec(),
        appended[..appended.len() - 1].to_vec(),
        appended[..appended.len() / 2].to_vec(),
    ]
    .into_iter()
    .enumerate()
    {
        std::fs::write(&journal, &damaged).unwrap();
        assert_eq!(answer(task(&env, &["list", "--all", "--json"])), expected);
        // What is learned next is not added after what cannot be read: the
        // journal is folded into the cache file and begun anew.
        env.write("b", &format!("subject = \"second task, edit {n}\"\n"));
        assert!(
            task(&env, &["list", "--all"])
                .ok()
                .contains(&format!("edit {n}"))
        );
        let now = std::fs::read(&journal).unwrap_or_default();
        assert!(!now.starts_with(&damaged), "appended to a damaged journal");
        expected = answer(task(&env, &["list", "--all", "--json"]));
    }
    // A directory where the file should be: the cache cannot be written,
    // and the commands work without it.
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    assert_eq!(answer(task(&env, &["list", "--all", "--json"])), expected);
    task(&env, &["add", "still works"]).ok();
}

#[test]
fn processes_sharing_the_cache_leave_it_whole() {
    let env = repository();
    for i in 0..20 {
        env.write(&format!("x{i:02}"), &format!("subject = \"task {i}\"\n"));
    }
    let mut children = Vec::new();
    for p in 0..8 {
        let mut cmd = env.git_task_cmd();
        cmd.env(RACY_MS.0, RACY_MS.1);
        if p % 2 == 0 {
            cmd.args(["note", &format!("x{:02}", p), "from a racing process"]);
        } else {
            cmd.args(["list", "--all", "--json"]);
        }
        cmd.stdout(std::process::Stdio::null());
        children.push(cmd.spawn().expect("spawn"));
        // Some of them also touch files by hand meanwhile.
        env.write(
            &format!("x{:02}", 10 + p),
            &format!("subject = \"changed {p}\"\n"),
        );
    }
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_answers_match(&env, "the racing processes");
    assert!(is_whole(&std::fs::read(cache_file(&env)).unwrap()));
    // No half-written cache file is left behind: the file, and perhaps
    // its journal.
    let mut names: Vec<String> = std::fs::read_dir(cache_file(&env).parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names.retain(|n| n != "tasks.log");
    assert_eq!(names, ["tasks"]);
}

#[test]
fn each_worktree_has_its_own_and_a_bare_repository_one_too() {
    let env = repository();
    task(&env, &["list"]).ok();
    let linked = env.dir.path().join("linked");
    env.git(&["worktree", "add", "-q", linked.to_str().unwrap(), "other"])
        .ok();
    let run = env.task_in(&linked, &["list", "--all", "--json"]);
    assert!(run.ok().contains("only on other"));
    let git_dir = env.repo.join(".git/worktrees/linked/git-task/cache/tasks");
    assert!(git_dir.is_file());
    // Changing a file in one worktree is seen there and not in the other.
    std::fs::write(linked.join(".tasks/a.toml"), "subject = \"linked's a\"\n").unwrap();
    assert!(
        env.task_in(&linked, &["list", "--all"])
            .ok()
            .contains("linked's a")
    );
    assert!(!task(&env, &["list", "--all"]).ok().contains("linked's a"));

    let bare = env.dir.path().join("bare.git");
    env.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()])
        .ok();
    let run = env.task_in(&bare, &["check", "--rev", "other"]);
    run.ok();
    assert!(bare.join("git-task/cache/tasks").is_file());
    let warm = answer(env.task_in(&bare, &["list", "--all", "--rev", "main"]));
    std::fs::remove_dir_all(bare.join("git-task/cache")).unwrap();
    let cold = answer(env.task_in(&bare, &["list", "--all", "--rev", "main"]));
    assert_eq!(warm, cold);
}

/// A file name with `.toml` twice is not task `a` (which would sort apart
/// from its id and give the tasks beside it each other's texts): it is a
/// file whose name is not an id, reported as such, read or cached.
#[test]
fn a_name_that_ends_in_toml_twice_is_not_a_task() {
    let env = TestEnv::new();
    env.write("a-b", "subject = \"hyphenated\"\n");
    std::fs::write(
        env.tasks_dir().join("a.toml.toml"),
        "subject = \"doubled\"\n",
    )
    .unwrap();
    for _ in 0..2 {
        let check = task(&env, &["check"]);
        assert_eq!(check.code, 1, "{check:?}");
        assert!(
            format!("{}{}", check.stdout, check.stderr).contains("not a task id"),
            "{check:?}"
        );
        let list = task(&env, &["list", "--all"]);
        assert!(list.stdout.contains("hyphenated"), "{list:?}");
        assert!(!list.stdout.contains("doubled"), "{list:?}");
    }
}
