//! What the rest of git-task asks of git, answered with gix: revisions,
//! merge bases, HEAD, references, identity, configuration and the
//! directories git keeps things in.
//!
//! Every call is wrapped here, as git-branchless wraps git2: "not found"
//! is an `Option`, and a failure is an [`Error::Git`] that says what was
//! being asked ([`GitOp`]), with gix's error as its source. No other module names gix.

use std::path::PathBuf;
use std::time::Duration;

use gix::objs::Exists;
use gix::prelude::ObjectIdExt;

use super::Workspace;
use crate::error::{Error, GitOp, Result};

/// The id of a git object (a commit, tree, blob or tag). The store hands
/// it out and takes it back; it prints as the full hex id.
pub use gix::ObjectId;

/// A reference, followed to the object it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Where it points as git shows it: the ref a symbolic reference names
    /// (`refs/remotes/origin/HEAD` → `refs/remotes/origin/main`), else its
    /// own name.
    pub target: String,
    /// The object at the end, through symbolic references and annotated
    /// tags.
    pub id: ObjectId,
}

impl Workspace {
    /// The commit HEAD is at; `None` while the branch HEAD is on has no
    /// commit yet.
    pub fn head_commit(&self) -> Result<Option<ObjectId>> {
        let head = self
            .repo
            .head()
            .map_err(|e| Error::git(GitOp::ReadHead, e))?;
        if head.is_unborn() {
            return Ok(None);
        }
        let id = head
            .into_peeled_id()
            .map_err(|e| Error::git(GitOp::ReadHead, e))?;
        Ok(Some(id.detach()))
    }

    /// The short name of the branch HEAD is on (`main` for
    /// `refs/heads/main`): the branch whose gates apply to a merge. `None`
    /// when HEAD is detached or cannot be read.
    pub fn head_branch(&self) -> Option<String> {
        let name = self.repo.head_name().ok().flatten()?.as_bstr().to_string();
        Some(match name.strip_prefix("refs/heads/") {
            Some(short) => short.to_owned(),
            None => name,
        })
    }

    /// The object `rev` names (a branch, tag, sha, `HEAD~2`, …); `None`
    /// when it names none. [`Workspace::resolve_rev`] says why in the
    /// user's words.
    pub fn find_rev(&self, rev: &str) -> Option<ObjectId> {
        self.repo.rev_parse_single(rev).ok().map(|id| id.detach())
    }

    /// The best common ancestor of the commits revisions `a` and `b` name;
    /// `None` when they share no history. A revision that names nothing
    /// is an error in the user's words ([`Workspace::resolve_rev`]).
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<ObjectId>> {
        let (a_id, b_id) = (self.resolve_rev(a)?, self.resolve_rev(b)?);
        self.base_of(a_id, b_id, (a, b))
    }

    /// [`Workspace::merge_base`] of two commits already resolved.
    pub fn merge_base_of(&self, a: ObjectId, b: ObjectId) -> Result<Option<ObjectId>> {
        self.base_of(a, b, (&a.to_string(), &b.to_string()))
    }

    /// The merge base of `a` and `b`; an error names them as `names`.
    fn base_of(&self, a: ObjectId, b: ObjectId, names: (&str, &str)) -> Result<Option<ObjectId>> {
        let base = self.repo.merge_base(a, b).map_err(|e| {
            Error::git(
                GitOp::MergeBase {
                    a: names.0.to_owned(),
                    b: names.1.to_owned(),
                },
                e,
            )
        })?;
        Ok(base.map(|id| id.detach()))
    }

    /// `id` abbreviated as git abbreviates it: `core.abbrev`, at least 7
    /// digits, longer where that would be ambiguous.
    pub fn short_id(&self, id: ObjectId) -> String {
        id.attach(&self.repo).shorten_or_id().to_string()
    }

    /// Whether the repository's own object database has `id` (not the
    /// quarantine of a push being received).
    pub fn has_object(&self, id: &ObjectId) -> bool {
        self.repo.objects.exists(id)
    }

    /// The reference `name` (`refs/remotes/origin/HEAD`), followed to its
    /// object. `None` when there is no such reference, or when it leads to
    /// no object (a symbolic reference to a branch that is gone).
    pub fn reference(&self, name: &str) -> Result<Option<Reference>> {
        let found = self.repo.try_find_reference(name).map_err(|e| {
            Error::git(
                GitOp::FindReference {
                    name: name.to_owned(),
                },
                e,
            )
        })?;
        let Some(mut reference) = found else {
            return Ok(None);
        };
        let target = match reference.target() {
            gix::refs::TargetRef::Symbolic(to) => to.as_bstr().to_string(),
            gix::refs::TargetRef::Object(_) => name.to_owned(),
        };
        Ok(reference.peel_to_id().ok().map(|id| Reference {
            target,
            id: id.detach(),
        }))
    }

    /// The objects the references under `prefix` (every reference when
    /// `None`) lead to, through symbolic references and annotated tags;
    /// a reference that leads nowhere, or cannot be read, is left out.
    pub fn reference_targets(&self, prefix: Option<&str>) -> Result<Vec<ObjectId>> {
        let fail = |e: gix::Error| Error::git(GitOp::ListReferences, e);
        let platform = self.repo.references().map_err(fail)?;
        let refs = match prefix {
            Some(prefix) => platform.prefixed(prefix),
            None => platform.all(),
        }
        .map_err(fail)?
        .peeled()
        .map_err(fail)?;
        Ok(refs
            .flatten()
            .filter_map(|reference| reference.try_id().map(|id| id.detach()))
            .collect())
    }

    /// Who is acting, as a commit would record them: `GIT_AUTHOR_EMAIL`,
    /// else git's `user.email`. `None` when neither is set (or both are
    /// empty): nothing git-task records is anonymous, so the caller asks.
    pub fn identity(&self) -> Option<String> {
        self.identity_from(std::env::var("GIT_AUTHOR_EMAIL").ok())
    }

    /// [`Workspace::identity`] with `GIT_AUTHOR_EMAIL` as given.
    fn identity_from(&self, author_email: Option<String>) -> Option<String> {
        author_email
            .filter(|e| !e.is_empty())
            .or_else(|| self.git_config("user.email"))
            .filter(|e| !e.is_empty())
    }

    /// A value of the repository's git configuration (every level: local,
    /// global, system), as it was when the repository was opened.
    pub fn git_config(&self, key: &str) -> Option<String> {
        self.repo
            .config_snapshot()
            .string(key)
            .map(|v| v.to_string())
    }

    /// The directory git runs this repository's hooks from, found as git
    /// finds it: `core.hooksPath` when set, else `hooks/` in the common git
    /// dir, so that every linked worktree shares the main repository's
    /// hooks.
    ///
    /// A relative `core.hooksPath` is relative to where git runs hooks: the
    /// top of the working tree, or the git dir of a bare repository. (git
    /// runs the hooks of an incoming push in the git dir even when there is
    /// a working tree; a non-bare repository that receives pushes and has
    /// a relative `core.hooksPath` is not a case we install for.)
    pub fn hooks_dir(&self) -> Result<PathBuf> {
        let key = "core.hooksPath";
        let configured = self
            .repo
            .config_snapshot()
            .trusted_path(key)
            .map_err(|e| Error::git(GitOp::Config { key: key.into() }, e))?
            .filter(|p| !p.as_os_str().is_empty());
        Ok(match configured {
            Some(path) if path.is_absolute() => path,
            // Relative to where git runs hooks: the top of the working
            // tree, or the git dir of a bare repository: the root.
            Some(relative) => self.root.join(relative),
            None => self.common_dir()?.join("hooks"),
        })
    }

    /// The git dir that the main repository and its linked worktrees share
    /// (`.git` of the main working tree), with no symbolic link in it.
    pub fn common_dir(&self) -> Result<PathBuf> {
        super::absolute(self.repo.common_dir())
    }

    /// The repository's own configuration file, shared by its linked
    /// worktrees: where a clone's settings (the merge driver's definition)
    /// are written.
    pub fn config_file(&self) -> Result<PathBuf> {
        Ok(self.common_dir()?.join("config"))
    }

    /// Where git-task keeps what belongs to this clone and to no commit
    /// (an editor's rejected draft): `git-task/` in the per-worktree git
    /// dir, spelt as git names the git dir.
    pub fn private_dir(&self) -> PathBuf {
        self.repo.git_dir().join("git-task")
    }

    /// Runs `edit` on the repository's own configuration file
    /// ([`Workspace::config_file`]) and writes the file back when `edit`
    /// changed it. Returns what `edit` returned.
    ///
    /// Written with gix rather than by running `git config`: gix-config
    /// edits the file losslessly (comments, order and spacing stay), and
    /// gix-lock takes `config.lock` as git itself does, so a concurrent
    /// `git config` waits for us or we for it, and a reader never sees half
    /// a file. What [`Workspace::git_config`] answers stays as it was when
    /// the repository was opened.
    pub fn edit_config<T>(&self, edit: impl FnOnce(&mut ConfigFile) -> Result<T>) -> Result<T> {
        let path = self.config_file()?;
        let mut lock = gix::lock::File::acquire_to_update_resource(
            &path,
            gix::lock::acquire::Fail::AfterDurationWithBackoff(Duration::from_secs(5)),
            None,
            0,
        )
        .map_err(|e| Error::git(GitOp::Lock { path: path.clone() }, e))?;
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let file = gix::config::File::from_bytes_no_includes(
            &bytes,
            gix::config::file::Metadata::from(gix::config::Source::Local),
            Default::default(),
        )
        .map_err(|e| Error::git(GitOp::ParseConfig { path: path.clone() }, e))?;
        let mut config = ConfigFile {
            file,
            changed: false,
        };
        let value = edit(&mut config)?;
        if !config.changed {
            // Dropping the lock removes it and leaves the file as it was.
            return Ok(value);
        }
        config
            .file
            .write_to(&mut lock)
            .map_err(|e| Error::io(&path, e))?;
        lock.commit().map_err(|e| Error::io(&path, e.error))?;
        Ok(value)
    }
}

/// One git configuration file being edited ([`Workspace::edit_config`]):
/// values are read and written by section, subsection and key, as
/// `merge.git-task.driver` is `("merge", "git-task", "driver")`.
pub struct ConfigFile {
    file: gix::config::File,
    /// Whether anything was set or removed, so the file is written back.
    changed: bool,
}

impl ConfigFile {
    /// The value of `section.subsection.key` in this file; `None` when it
    /// has none.
    pub fn string(&self, section: &str, subsection: &str, key: &str) -> Option<String> {
        self.file
            .string_by(section, subsection, key)
            .map(|v| v.to_string())
    }

    /// Sets `section.subsection.key` to `value`, adding the section when
    /// the file has none.
    pub fn set(&mut self, section: &str, subsection: &str, key: &str, value: &str) -> Result<()> {
        self.file
            .set_raw_value_by(section, subsection, key, value)
            .map_err(|e| {
                Error::git(
                    GitOp::Config {
                        key: format!("{section}.{subsection}.{key}"),
                    },
                    e,
                )
            })?;
        self.changed = true;
        Ok(())
    }

    /// Removes every `[section "subsection"]` of the file; whether there
    /// was one.
    pub fn remove_section(&mut self, section: &str, subsection: &str) -> bool {
        let mut removed = false;
        while self.file.remove_section(section, subsection).is_some() {
            removed = true;
        }
        self.changed |= removed;
        removed
    }
}

/// Whether `name` matches `pattern` by git's wildmatch rules for paths
/// and ref names: `*` stays within one component, `**` crosses them.
pub fn wildmatch(pattern: &str, name: &str) -> bool {
    use gix::bstr::ByteSlice;
    gix::glob::wildmatch(
        pattern.as_bytes().as_bstr(),
        name.as_bytes().as_bstr(),
        gix::glob::wildmatch::Mode::NO_MATCH_SLASH_LITERAL,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;

    fn id(hex: &str) -> ObjectId {
        ObjectId::from_hex(hex.as_bytes()).expect("a full object id")
    }

    #[test]
    fn head_is_unborn_until_the_first_commit_and_then_names_its_branch() {
        let repo = TestRepo::new();
        let ws = repo.workspace();
        assert_eq!(ws.head_commit().unwrap(), None);
        assert_eq!(ws.head_branch().as_deref(), Some("main"));
        assert_eq!(ws.find_rev("HEAD"), None);

        let first = repo.commit("first");
        let ws = repo.workspace();
        assert_eq!(ws.head_commit().unwrap(), Some(id(&first)));
        assert_eq!(ws.find_rev("main"), Some(id(&first)));
        assert_eq!(ws.find_rev("no-such-branch"), None);
        assert!(ws.has_object(&id(&first)));
        assert!(!ws.has_object(&id(&"1".repeat(40))));

        repo.git(&["checkout", "-q", "-b", "topic/x"]);
        assert_eq!(repo.workspace().head_branch().as_deref(), Some("topic/x"));
        repo.git(&["checkout", "-q", "--detach"]);
        let ws = repo.workspace();
        assert_eq!(ws.head_branch(), None);
        assert_eq!(ws.head_commit().unwrap(), Some(id(&first)));
    }

    #[test]
    fn short_ids_are_as_git_abbreviates_them() {
        let repo = TestRepo::new();
        let commit = repo.commit("one");
        let ws = repo.workspace();
        assert_eq!(
            ws.short_id(id(&commit)),
            repo.git(&["rev-parse", "--short", "HEAD"])
        );
        repo.git(&["config", "core.abbrev", "12"]);
        assert_eq!(repo.workspace().short_id(id(&commit)), commit[..12]);
    }

    #[test]
    fn merge_bases_are_found_and_their_absence_is_none() {
        let repo = TestRepo::new();
        let base = repo.commit("base");
        repo.git(&["checkout", "-q", "-b", "topic"]);
        let topic = repo.commit("on topic");
        repo.git(&["checkout", "-q", "main"]);
        repo.commit("on main");
        repo.git(&["checkout", "-q", "--orphan", "island"]);
        repo.commit("no common history");
        let ws = repo.workspace();
        assert_eq!(ws.merge_base("main", "topic").unwrap(), Some(id(&base)));
        assert_eq!(ws.merge_base("topic", &topic).unwrap(), Some(id(&topic)));
        assert_eq!(ws.merge_base("island", "main").unwrap(), None);
        assert!(matches!(
            ws.merge_base("main", "nowhere"),
            Err(Error::UnknownRevision { rev }) if rev == "nowhere"
        ));
    }

    #[test]
    fn references_are_followed_through_symbolic_refs_and_tags() {
        let repo = TestRepo::new();
        let first = repo.commit("first");
        repo.git(&["tag", "-a", "-m", "annotated", "v1"]);
        repo.git(&["update-ref", "refs/remotes/origin/main", &first]);
        repo.git(&[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
        ]);
        repo.git(&[
            "symbolic-ref",
            "refs/remotes/origin/gone",
            "refs/remotes/origin/nothing",
        ]);
        let ws = repo.workspace();
        assert_eq!(
            ws.reference("refs/remotes/origin/HEAD").unwrap(),
            Some(Reference {
                target: "refs/remotes/origin/main".into(),
                id: id(&first),
            })
        );
        assert_eq!(
            ws.reference("refs/tags/v1").unwrap(),
            Some(Reference {
                target: "refs/tags/v1".into(),
                id: id(&first),
            })
        );
        assert_eq!(ws.reference("refs/heads/nothing").unwrap(), None);
        // A symbolic ref to nothing leads nowhere.
        assert_eq!(ws.reference("refs/remotes/origin/gone").unwrap(), None);

        // Every ref under the prefix, the dangling one left out.
        assert_eq!(
            ws.reference_targets(Some("refs/remotes/origin/")).unwrap(),
            vec![id(&first), id(&first)]
        );
        assert!(
            ws.reference_targets(Some("refs/notes/"))
                .unwrap()
                .is_empty()
        );
        // refs/heads/main, origin's two, and the tag (peeled to its commit).
        assert_eq!(ws.reference_targets(None).unwrap().len(), 4);
    }

    #[test]
    fn identity_is_the_author_email_else_user_email() {
        let repo = TestRepo::new();
        let ws = repo.workspace();
        let local = ws.git_config("user.email");
        assert_eq!(
            ws.identity_from(Some("env@example.com".into())),
            Some("env@example.com".into())
        );
        assert_eq!(ws.identity_from(Some(String::new())), local);
        repo.git(&["config", "user.email", "ana@example.com"]);
        let ws = repo.workspace();
        assert_eq!(ws.identity_from(None).as_deref(), Some("ana@example.com"));
        repo.git(&["config", "user.email", ""]);
        assert_eq!(repo.workspace().identity_from(None), None);
    }

    #[test]
    fn the_hooks_dir_is_where_git_looks_for_hooks() {
        let repo = TestRepo::new();
        let root = std::fs::canonicalize(repo.root()).unwrap();
        repo.git(&["config", "core.hooksPath", "ci/hooks"]);
        assert_eq!(repo.workspace().hooks_dir().unwrap(), root.join("ci/hooks"));
        let absolute = repo.beside("shared-hooks");
        repo.git(&["config", "core.hooksPath", absolute.to_str().unwrap()]);
        assert_eq!(repo.workspace().hooks_dir().unwrap(), absolute);
        // An empty value is no value.
        repo.git(&["config", "core.hooksPath", ""]);
        assert_eq!(
            repo.workspace().hooks_dir().unwrap(),
            root.join(".git/hooks")
        );

        // A linked worktree shares the main repository's hooks, and its
        // own git dir keeps its drafts.
        repo.commit("first");
        let linked = repo.beside("linked");
        repo.git(&["worktree", "add", "-q", linked.to_str().unwrap()]);
        let ws = Workspace::discover(&linked).unwrap();
        assert_eq!(ws.hooks_dir().unwrap(), root.join(".git/hooks"));
        assert_eq!(ws.common_dir().unwrap(), root.join(".git"));
        assert_eq!(ws.config_file().unwrap(), root.join(".git/config"));
        assert!(ws.private_dir().ends_with("worktrees/linked/git-task"));
    }

    #[test]
    fn the_config_file_is_edited_in_place_and_written_only_when_changed() {
        let repo = TestRepo::new();
        let ws = repo.workspace();
        let path = ws.config_file().unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("# kept as it is\n[merge \"other\"]\n\tdriver = cat\n");
        std::fs::write(&path, &text).unwrap();

        let unchanged = ws
            .edit_config(|file| Ok(file.string("merge", "other", "driver")))
            .unwrap();
        assert_eq!(unchanged.as_deref(), Some("cat"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

        ws.edit_config(|file| file.set("merge", "x", "driver", "x %A"))
            .unwrap();
        assert_eq!(repo.git(&["config", "merge.x.driver"]), "x %A");
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(after.starts_with(&text), "{after}");

        let removed = ws
            .edit_config(|file| Ok(file.remove_section("merge", "x")))
            .unwrap();
        assert!(removed);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        let removed = ws
            .edit_config(|file| Ok(file.remove_section("merge", "x")))
            .unwrap();
        assert!(!removed);

        // A file git cannot read is refused with gix's reason as the source.
        std::fs::write(&path, "[merge \"broken\n").unwrap();
        let error = ws.edit_config(|_| Ok(())).unwrap_err();
        let Error::Git { op, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!(*op, GitOp::ParseConfig { path: path.clone() });
        assert!(std::error::Error::source(&error).is_some());
    }

    #[test]
    fn wildmatch_keeps_a_star_within_one_component() {
        assert!(wildmatch("release/*", "release/1.0"));
        assert!(!wildmatch("release/*", "release/1.0/hotfix"));
        assert!(wildmatch("release/**", "release/1.0/hotfix"));
        assert!(wildmatch("main", "main"));
        assert!(!wildmatch("main", "maintenance"));
    }
}
