//! The library's errors: enums whose variants carry the data of what went
//! wrong (the task, its blockers, the path, the revision), never a command
//! to type. Each front end says what to do about them; the CLI does in
//! `cli/command_error.rs`.

use std::path::PathBuf;

use crate::action::Action;
use crate::id::{InvalidId, TaskId};
use crate::task::ParseError;
use crate::task::Status;
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

/// Everything that can go wrong in the library. Variants carry data (the
/// task, the path, the revision); their messages are short statements of
/// fact. What to do about them, and the exit code, is the front end's
/// word: the CLI says it in `cli/command_error.rs`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No git repository contains the directory.
    #[error("not in a git repository: {}", path.display())]
    NotARepository { path: PathBuf },
    /// The directory to run in (`-C DIR`) is not there.
    #[error("no such directory: {}", path.display())]
    NoSuchDirectory { path: PathBuf },
    /// The directory to run in (`-C DIR`) is a file.
    #[error("{} is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    /// A change needs a working tree, and the repository has none.
    #[error("{} is a bare repository; it has no working tree with .tasks/", path.display())]
    BareRepository { path: PathBuf },
    /// `git task init` has not been run here.
    #[error("no .tasks/ directory in {}", root.display())]
    NotInitialized { root: PathBuf },
    /// `.tasks` is there but is no directory: `kind` says what it is
    /// (`a file`, `a special file`).
    #[error(
        "{} is {kind}, not the directory of task files",
        crate::store::TASKS_DIR
    )]
    TasksNotADirectory { kind: &'static str },
    /// Reading or writing a file failed.
    #[error("{}: {}", path.display(), plain_io(source))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// git (gix) failed at `op`; `source` is its own error. The message
    /// ends with the source's, as git-task has always said it, and
    /// [`source`](std::error::Error::source) still gives it for a front end
    /// that walks the chain.
    #[error("git: {op}: {source}")]
    Git {
        op: GitOp,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An object of the repository is missing or not what it should be.
    #[error("git: {0}")]
    Object(#[from] ObjectProblem),
    /// A revision given by the user names no commit, branch or tag.
    #[error("no revision `{rev}` in this repository")]
    UnknownRevision { rev: String },
    /// A revision was asked for in a repository without commits.
    #[error("cannot read revision `{rev}`: the repository has no commits yet")]
    NoCommitsYet { rev: String },
    /// A hook was given an object id that does not parse.
    #[error("`{sha}` is not an object id: {source}")]
    NotAnObjectId {
        sha: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An id or prefix the user typed names no task, or more than one.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// A text that should be a task id is not one.
    #[error(transparent)]
    InvalidId(#[from] InvalidId),
    /// Task files of the working tree that do not read (or text given to
    /// replace one that would not).
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
    /// The tasks wait for each other in `cycles`, so they have no order
    /// to plan in; removing `breaks` (one edge of each) opens them.
    #[error(
        "the tasks wait for each other in a cycle, so there is no plan:\n  {}",
        cycles.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("\n  ")
    )]
    NoPlan {
        cycles: Vec<crate::graph::Cycle>,
        breaks: Vec<crate::graph::CycleBreak>,
    },
    /// A value given to the library is not valid: bad input.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The answer is no: the change would break a rule of the graph or of a
    /// task's life. [`Refusal::actions`] says what would move things on.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// No random id could be made.
    #[error("no random numbers from the operating system: {0}")]
    Random(#[source] getrandom::Error),
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
    /// git's `index.lock` stayed taken, by a git command that rewrites the
    /// working tree (or one that was killed and left it), for longer than
    /// a change waits.
    #[error("{} exists: another git process holds the index; gave up after {} s", path.display(), waited.as_secs())]
    IndexLocked {
        path: PathBuf,
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
    /// `git` itself, run to talk to the remote `remote` (a fetch or push
    /// of claims), could not be run or did not reach it: offline, no such
    /// remote, no access. `message` is what git said.
    #[error("git {op} {remote} failed: {message}")]
    Remote {
        remote: String,
        op: RemoteOp,
        message: String,
    },
    /// The remote `remote` refused the reference `name` for a reason other
    /// than someone else having it: a host that takes no references
    /// outside branches and tags, a hook, a permission.
    #[error("{remote} refused {name}: {message}")]
    RemoteRefused {
        remote: String,
        name: String,
        message: String,
    },
    /// A plan file (`apply`) that cannot be applied: where in it, and why.
    #[error(transparent)]
    Plan(Box<crate::apply::PlanError>),
    /// A source of `import` or `sync` that cannot be read or taken: the
    /// file, the line and why. Nothing was written.
    #[error(transparent)]
    Source(Box<crate::bridge::SourceError>),
    /// A path git-task writes or reads as a directory or settings file is
    /// a symbolic link, which it never follows.
    #[error("{} is a symbolic link; git-task never follows links for .tasks/, .gitattributes or .gitignore", path.display())]
    Link { path: PathBuf },
}

/// Input the library cannot take: a value that breaks a rule of the task
/// format or names what is not there. (A change that is well formed but
/// breaks a rule of the graph or of a task's life is a [`Refusal`].)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// A lease that does not parse (`why` says how it should read).
    #[error("{why}")]
    BadLease { why: String },
    /// A remote's name that cannot be one.
    #[error("{why}")]
    BadRemote { why: String },
    /// A subject or criterion that is empty or more than one line.
    #[error("the {what} must be one line that is not empty")]
    NotOneLine { what: Line },
    /// A label that is empty or only whitespace.
    #[error("a label must not be empty")]
    EmptyLabel,
    /// A label is one word: `list --label` and `#label` take it so.
    #[error(
        "the label `{}` has whitespace in it; a label is one word, like `{}`",
        label.escape_debug(),
        crate::change::one_word(label)
    )]
    LabelWithWhitespace { label: String },
    /// `add --id` or `rename` chose an id a task (or a file) has. `path`
    /// is the file that has it, when `rename` names it.
    #[error("a task with the id `{id}` already exists")]
    IdTaken { id: TaskId, path: Option<PathBuf> },
    /// `rename` to the id the task has.
    #[error("{id} already has the id `{id}`")]
    SameId { id: TaskId },
    /// `rename` to an id that tasks already name in `blocked_by` or
    /// `parent` although no task has it: they would come to mean the
    /// renamed task. Each referrer comes with the fields that name it.
    #[error("tasks already name `{new}`, which is no task")]
    NamedAlready {
        old: TaskId,
        new: TaskId,
        referrers: Vec<(TaskId, Vec<ReferenceField>)>,
    },
    /// A criterion number the task does not have (they count from 1).
    #[error("{task} has no criterion {number}; it has {count}")]
    NoCriterion {
        task: TaskId,
        number: usize,
        count: usize,
    },
    /// A note with no text.
    #[error("the note is empty")]
    EmptyNote,
    /// Only a gate can be waived.
    #[error("{task} is not a gate; only gates can be waived")]
    NotAGate { task: TaskId },
    /// A waiver says why the gate may pass.
    #[error("a waiver needs a reason")]
    NoReason,
    /// A task file written by hand names, in `key`, a task that does not
    /// exist (and did not name it before).
    #[error(
        "{}:{line}:{column}: `{}` names `{id}`, but no task has that id",
        path.display(),
        key.key()
    )]
    UnknownReference {
        path: PathBuf,
        line: usize,
        column: usize,
        key: ReferenceField,
        id: TaskId,
    },
    /// `diff` without a range in a repository without commits.
    #[error("there are no commits yet, so there is nothing to compare with")]
    NothingToCompare,
    /// `diff` without a range, and none of the usual default branches.
    #[error("no default branch to compare with (looked for origin/HEAD, main and master)")]
    NoDefaultBranch,
    /// `core.sharedRepository` has a value git-task cannot take.
    #[error("core.sharedRepository: `{value}` {why}")]
    SharedRepository { value: String, why: ModeProblem },
    /// `diff A...B` of two revisions that share no history.
    #[error("{a} and {b} have no common history")]
    NoCommonHistory { a: String, b: String },
    /// A hook's standard input has a line of the wrong shape.
    #[error("unexpected hook input line `{line}`: expected {fields} fields")]
    HookInput { line: String, fields: usize },
}

/// What is wrong with a `core.sharedRepository` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeProblem {
    /// It starts with 0 but is not an octal number.
    NotOctal,
    /// The mode would not let the owner read and write the files.
    OwnerCannotWrite,
    /// It is none of the words or numbers git takes.
    Unknown,
}

impl std::fmt::Display for ModeProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ModeProblem::NotOctal => "is not an octal mode",
            ModeProblem::OwnerCannotWrite => "does not let the owner read and write",
            ModeProblem::Unknown => "is not one of umask, group, all or an octal mode like 0660",
        })
    }
}

/// The one-line texts of a task: what [`Invalid::NotOneLine`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// A task's subject.
    Subject,
    /// One of its criteria.
    Criterion,
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Line::Subject => "subject",
            Line::Criterion => "criterion",
        })
    }
}

/// What git-task asked of git when git failed: [`Error::Git`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitOp {
    /// Reading the index.
    ReadIndex,
    /// Reading the tasks of revision `rev`.
    ReadRevision { rev: String },
    /// Listing the references, for a push.
    ListReferences,
    /// Finding the reference `name`.
    FindReference { name: String },
    /// Finding the commit HEAD is at.
    ReadHead,
    /// Reading `.git/shallow`.
    ReadShallow,
    /// Walking the history from HEAD, or from `tip`.
    WalkHistory { tip: Option<String> },
    /// Reading a commit, or `part` of it (`the author of`).
    ReadCommit {
        id: String,
        part: Option<&'static str>,
    },
    /// Reading an annotated tag.
    ReadTag { id: String },
    /// Reading a tree.
    ReadTree { id: String },
    /// Reading a `.tasks` tree of a commit.
    ReadTasksTree,
    /// Opening the objects a push brings (`pre-receive`).
    ReadQuarantine { dir: PathBuf },
    /// Reading the configuration value `key`.
    Config { key: String },
    /// Locking a configuration file for a change.
    Lock { path: PathBuf },
    /// Parsing a configuration file.
    ParseConfig { path: PathBuf },
    /// Finding where two revisions meet.
    MergeBase { a: String, b: String },
    /// Writing an object (a claim's record).
    WriteObject,
    /// Changing the reference `name`.
    UpdateReference { name: String },
}

impl std::fmt::Display for GitOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitOp::ReadIndex => write!(f, "cannot read the index"),
            GitOp::ReadRevision { rev } => write!(f, "cannot read revision `{rev}`"),
            GitOp::ListReferences => write!(f, "cannot list the references"),
            GitOp::FindReference { name } => write!(f, "cannot read the reference {name}"),
            GitOp::ReadHead => write!(f, "cannot read HEAD"),
            GitOp::ReadShallow => write!(f, "cannot read the list of shallow commits"),
            GitOp::WalkHistory { tip: None } => write!(f, "cannot walk the history"),
            GitOp::WalkHistory { tip: Some(tip) } => {
                write!(f, "cannot walk the history of {tip}")
            }
            GitOp::ReadCommit { id, part: None } => write!(f, "cannot read commit {id}"),
            GitOp::ReadCommit {
                id,
                part: Some(part),
            } => write!(f, "cannot read {part} commit {id}"),
            GitOp::ReadTag { id } => write!(f, "cannot read tag {id}"),
            GitOp::ReadTree { id } => write!(f, "cannot read tree {id}"),
            GitOp::ReadTasksTree => write!(f, "cannot read a .tasks tree"),
            GitOp::ReadQuarantine { dir } => {
                write!(f, "cannot read the quarantine {}", dir.display())
            }
            GitOp::Config { key } => write!(f, "{key}"),
            GitOp::Lock { path } => write!(f, "cannot lock {}", path.display()),
            GitOp::ParseConfig { path } => write!(f, "{}", path.display()),
            GitOp::MergeBase { a, b } => write!(f, "no merge base of {a} and {b}"),
            GitOp::WriteObject => write!(f, "cannot write an object"),
            GitOp::UpdateReference { name } => write!(f, "cannot update the reference {name}"),
        }
    }
}

/// What git-task asked `git` to do with a remote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteOp {
    /// Fetching the claims.
    Fetch,
    /// Pushing a claim, or its removal.
    Push,
}

impl std::fmt::Display for RemoteOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RemoteOp::Fetch => "fetch",
            RemoteOp::Push => "push",
        })
    }
}

/// An object of the repository that is missing or not what it should be:
/// a damaged or incomplete repository, or a name for the wrong kind of
/// object.
#[derive(Debug, thiserror::Error)]
pub enum ObjectProblem {
    /// The object is not in the repository.
    #[error("object {id} is missing")]
    Missing { id: String },
    /// The object is there but does not read; `source` says why.
    #[error("cannot read object {id}: {source}")]
    Unreadable {
        id: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A commit of the history walked is not in the repository.
    #[error("commit {id} is missing")]
    MissingCommit { id: String },
    /// A chain of tags that never reaches a commit, tree or blob.
    #[error("tag {id} does not end at an object")]
    TagWithoutTarget { id: String },
    /// A `.tasks` tree whose entries do not parse.
    #[error("a .tasks tree is damaged")]
    DamagedTasksTree,
    /// A commit was expected; the object is a `kind` (`tree`, `blob`).
    #[error("it is a {kind}, not a commit")]
    NotACommit { kind: String },
    /// A revision to read tasks from names a file.
    #[error("it names a file, not a commit")]
    NamesAFile,
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

impl Error {
    /// Reading or writing `path` failed.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// git failed at `op` with `source`, which stays the error's
    /// [`source`](std::error::Error::source).
    pub fn git(op: GitOp, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error::Git {
            op,
            source: source.into(),
        }
    }
}

/// Why a change is refused: a rule of the graph or of a task's life that
/// it would break, with the tasks and data a front end needs to say so
/// and to offer [`Refusal::actions`]. Display is a short plain statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// `start` on a completed or cancelled task.
    #[error("{task} is {status}; it cannot be started")]
    Resolved { task: TaskId, status: Status },
    /// `start` on a task that waits for something open.
    #[error("{task} is blocked")]
    Blocked { task: TaskId, waits: Waits },
    /// `start` on a task someone else holds.
    #[error("{task} is in progress and held by {holder}")]
    Held { task: TaskId, holder: String },
    /// `done` on a task that waits for something open, or whose criteria
    /// are not all met (1-based number and text of each unmet one).
    #[error("{task} cannot be completed yet")]
    NotCompletable {
        task: TaskId,
        waits: Waits,
        unmet: Vec<(usize, String)>,
    },
    /// `done` on a task whose verify command failed, with how it ended.
    #[error("{task} cannot be completed: its verify command failed ({status})")]
    VerifyFailed { task: TaskId, status: String },
    /// `done` or `cancel` on a task resolved otherwise.
    #[error("{task} is already {status}")]
    AlreadyClosed { task: TaskId, status: Status },
    /// `rm` of a task others name. `parent` is the removed task's own
    /// parent, where its children would move to.
    #[error("{task} is referenced by other tasks")]
    Referenced {
        task: TaskId,
        referrers: Vec<Referrer>,
        parent: Option<TaskId>,
    },
    /// A task named among its own blockers.
    #[error("{task} cannot be blocked by itself")]
    OwnBlocker { task: TaskId },
    /// A task named as its own parent.
    #[error("{task} cannot be its own parent")]
    OwnParent { task: TaskId },
    /// `gate unwaive` of a task without a waiver; `gate` says whether it
    /// is a gate at all.
    #[error("{task} has no waiver to remove")]
    NoWaiver { task: TaskId, gate: bool },
    /// The change would close a cycle of waits. `elsewhere` is an edge
    /// of the cycle the change did not write, whose removal would open it.
    #[error("this change would close a cycle: {cycle}")]
    Cycle {
        cycle: crate::graph::Cycle,
        elsewhere: Option<Action>,
    },
    /// A hook that is not git-task's cannot be moved aside: the name it
    /// would be kept under is taken.
    #[error("{} is not git-task's hook, and {} is already taken", path.display(), previous.display())]
    ForeignHook { path: PathBuf, previous: PathBuf },
    /// The file of a task being edited changed on disk meanwhile.
    #[error("{} changed while it was being edited", path.display())]
    EditedMeanwhile { path: PathBuf },
    /// `claim` of a task someone holds a live claim on (or took first).
    #[error(
        "{task} is claimed by {} since {}{}",
        claim.owner,
        crate::task::format_timestamp(claim.at),
        claim_detail(claim)
    )]
    Claimed {
        task: TaskId,
        claim: Box<crate::claim::Claim>,
    },
    /// `claim` of a task completed or cancelled under a claim in another
    /// worktree or clone, whose work is not merged here yet: the record
    /// of it holds the task until `claim.until`.
    #[error(
        "{task} was {} by {} at {} ({}in another worktree or clone); its work is not merged here yet",
        claim.resolved.map_or("resolved", |s| s.as_str()),
        claim.owner,
        crate::task::format_timestamp(claim.at),
        if claim.host.is_empty() { String::new() } else { format!("on {}, ", claim.host) }
    )]
    ResolvedElsewhere {
        task: TaskId,
        claim: Box<crate::claim::Claim>,
    },
    /// `claim` lost the race for a task several times over to claims
    /// that were gone again at once: someone takes and gives it back in a
    /// loop.
    #[error("{task} is being claimed and released by others at this moment; try again")]
    Contended { task: TaskId },
    /// `claim` without a task, when every ready task is claimed (or none
    /// is ready): `ready` counts the ready ones, `claimed` are their
    /// claims.
    #[error(
        "no ready task is free to claim: {}",
        if *ready == 0 { "nothing is ready".to_owned() } else { format!("{} of {ready} ready {} claimed", claimed.len(), if claimed.len() == 1 { "is" } else { "are" }) }
    )]
    NothingToClaim {
        claimed: Vec<crate::claim::Claim>,
        ready: usize,
    },
}

/// ` (until …, on HOST, recorded on REMOTE)` of a claim, as far as known.
fn claim_detail(claim: &crate::claim::Claim) -> String {
    if claim.host.is_empty() && claim.places.is_empty() {
        return String::new();
    }
    let mut parts = vec![format!(
        "until {}",
        crate::task::format_timestamp(claim.until)
    )];
    if !claim.host.is_empty() {
        parts.push(format!("on {}", claim.host));
    }
    let remotes: Vec<&str> = claim.remotes().collect();
    if !remotes.is_empty() {
        parts.push(format!("recorded on {}", remotes.join(", ")));
    }
    format!(" ({})", parts.join(", "))
}

impl Refusal {
    /// The commands that would move things on, the first most direct.
    pub fn actions(&self) -> Vec<Action> {
        match self {
            Refusal::Resolved { task, .. } | Refusal::AlreadyClosed { task, .. } => {
                vec![Action::Reopen { id: task.clone() }]
            }
            Refusal::Blocked { task, .. } => vec![
                Action::Ready,
                Action::Start {
                    id: task.clone(),
                    force: true,
                },
            ],
            Refusal::Held { task, .. } => vec![Action::Start {
                id: task.clone(),
                force: true,
            }],
            Refusal::NotCompletable { task, unmet, .. } => {
                let mut actions = Vec::new();
                if !unmet.is_empty() {
                    actions.push(Action::CriteriaMet {
                        id: task.clone(),
                        numbers: unmet.iter().map(|(n, _)| *n).collect(),
                    });
                }
                actions.push(Action::Done {
                    id: task.clone(),
                    force: true,
                    no_verify: false,
                });
                actions
            }
            Refusal::VerifyFailed { task, .. } => vec![
                Action::Done {
                    id: task.clone(),
                    force: false,
                    no_verify: false,
                },
                Action::Done {
                    id: task.clone(),
                    force: false,
                    no_verify: true,
                },
            ],
            Refusal::Referenced {
                task,
                referrers,
                parent,
            } => {
                let mut actions: Vec<Action> = referrers
                    .iter()
                    .map(|r| match (r.field, parent) {
                        (ReferenceField::BlockedBy, _) => Action::DepRm {
                            task: r.id.clone(),
                            blocker: task.clone(),
                        },
                        (ReferenceField::Parent, Some(p)) => Action::SetParent {
                            child: r.id.clone(),
                            parent: p.clone(),
                        },
                        (ReferenceField::Parent, None) => Action::UnsetParent {
                            child: r.id.clone(),
                        },
                    })
                    .collect();
                actions.push(Action::Rm {
                    id: task.clone(),
                    force: true,
                });
                actions
            }
            Refusal::NoWaiver { .. } => vec![Action::GateList],
            Refusal::Cycle { elsewhere, .. } => elsewhere.iter().cloned().collect(),
            Refusal::ForeignHook { .. } => vec![Action::HooksInstall],
            Refusal::Claimed { task, .. } => vec![
                Action::Ready,
                Action::Claim {
                    id: Some(task.clone()),
                    force: true,
                },
            ],
            Refusal::NothingToClaim { .. } => vec![Action::Status],
            Refusal::ResolvedElsewhere { .. } => vec![Action::Ready],
            Refusal::Contended { task } => vec![Action::Claim {
                id: Some(task.clone()),
                force: false,
            }],
            Refusal::OwnBlocker { .. }
            | Refusal::OwnParent { .. }
            | Refusal::EditedMeanwhile { .. } => Vec::new(),
        }
    }
}

/// What a task still waits for: the first few open waits, and how many
/// more there are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waits {
    /// The first few, as a message lists them.
    pub first: Vec<Waiting>,
    /// How many more there are.
    pub more: usize,
}

impl Waits {
    /// Whether the task waits for nothing open.
    pub fn is_empty(&self) -> bool {
        self.first.is_empty() && self.more == 0
    }
}

/// One thing a task waits for, and why it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// What it waits for.
    pub target: Waited,
    /// Why.
    pub reason: WaitReason,
}

/// A task waited for, with its subject and the state a person sees, or
/// an id in `blocked_by` that names no task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waited {
    /// A task of the set.
    Task {
        id: TaskId,
        subject: String,
        state: String,
    },
    /// An id in `blocked_by` that names no task.
    Missing(TaskId),
}

/// Why a task waits for something: its own blocker, one an ancestor
/// passes down, or one of its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitReason {
    /// Named in the task's own `blocked_by`.
    Blocker,
    /// Named in the `blocked_by` of this ancestor.
    Inherited { ancestor: TaskId },
    /// It is one of the task's children.
    Child,
}

/// A task that names another, and the field it names it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    /// The task that names the other.
    pub id: TaskId,
    /// Its subject.
    pub subject: String,
    /// Where it names it.
    pub field: ReferenceField,
}

/// The fields in which a task names another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceField {
    /// `blocked_by`.
    BlockedBy,
    /// `parent`.
    Parent,
}

impl ReferenceField {
    /// The key in the task file.
    pub fn key(self) -> &'static str {
        crate::field::Field::from(self).key()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_git_error_says_what_was_asked_and_keeps_its_cause() {
        let repo = crate::store::testing::TestRepo::new();
        repo.write("f", "x");
        repo.commit("f");
        let ws = repo.workspace();
        let error = ws
            .read(&crate::store::Source::Rev("HEAD:f".into()))
            .map(|_| ())
            .unwrap_err();
        assert!(matches!(
            &error,
            Error::Git { op: GitOp::ReadRevision { rev }, .. } if rev == "HEAD:f"
        ));
        let cause = error.source().expect("the cause is kept");
        assert!(matches!(
            cause.downcast_ref::<ObjectProblem>(),
            Some(ObjectProblem::NamesAFile)
        ));
        assert_eq!(
            error.to_string(),
            "git: cannot read revision `HEAD:f`: it names a file, not a commit"
        );
    }

    #[test]
    fn messages_are_statements_and_refusals_name_their_way_on() {
        let task = TaskId::parse("g").unwrap();
        let error = Error::from(Invalid::NotAGate { task: task.clone() });
        assert_eq!(
            error.to_string(),
            "g is not a gate; only gates can be waived"
        );
        let refusal = Refusal::NoWaiver { task, gate: false };
        assert_eq!(refusal.actions(), [Action::GateList]);
    }
}
