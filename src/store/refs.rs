//! References and small commits of git-task's own, under `refs/tasks/`:
//! what claims are recorded in. Reading them, writing a commit with the
//! empty tree, and changing a reference only if it still holds what the
//! caller saw (compare and swap), under git's own reference lock, so that
//! git, gix and every git-task process agree on who changed it first.

use std::path::Path;

use chrono::{DateTime, Utc};
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};
use gix::refs::{FullName, Target};

use super::Workspace;
use super::repo::ObjectId;
use crate::error::{Error, GitOp, Result};

/// A reference that `swap_reference` found not as expected: someone else
/// changed it first. `now` is what it holds now (`None`: it is gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost {
    pub now: Option<ObjectId>,
}

impl Workspace {
    /// The references whose names start with `prefix`
    /// (`refs/tasks/claims/`), with the objects they point at directly,
    /// in name order. One that cannot be read is left out.
    pub fn references_under(&self, prefix: &str) -> Result<Vec<(String, ObjectId)>> {
        let fail = |e: gix::Error| Error::git(GitOp::ListReferences, e);
        let platform = self.repo.references().map_err(fail)?;
        let mut found: Vec<(String, ObjectId)> = platform
            .prefixed(prefix)
            .map_err(fail)?
            .flatten()
            .filter_map(|r| {
                let id = r.target().try_id()?.to_owned();
                Some((r.name().as_bstr().to_string(), id))
            })
            .collect();
        found.sort();
        Ok(found)
    }

    /// What the reference `name` points at directly; `None` when there is
    /// no such reference.
    pub fn reference_id(&self, name: &str) -> Result<Option<ObjectId>> {
        let found = self.repo.try_find_reference(name).map_err(|e| {
            Error::git(
                GitOp::FindReference {
                    name: name.to_owned(),
                },
                e,
            )
        })?;
        Ok(found.and_then(|r| r.target().try_id().map(|id| id.to_owned())))
    }

    /// Writes a commit of the empty tree with `message` and `parents`,
    /// authored and committed by `who` at `at`: a record that lives only
    /// in a reference's history, never in a branch's.
    pub fn write_record(
        &self,
        message: &str,
        parents: &[ObjectId],
        who: &str,
        at: DateTime<Utc>,
    ) -> Result<ObjectId> {
        let fail = |e: gix::Error| Error::git(GitOp::WriteObject, e);
        // Written, not assumed: git knows the empty tree without having
        // it, but a push packs what the object database holds.
        let tree = self
            .repo
            .write_object(gix::objs::Tree::empty())
            .map_err(fail)?
            .detach();
        // An owner may be anything (`Ana <ana@x>`); a signature's email
        // takes no angle brackets or newlines. The message has it whole.
        let email: String = who.chars().filter(|c| !"<>\n".contains(*c)).collect();
        let signature = gix::actor::Signature {
            name: "git-task".into(),
            email: if email.trim().is_empty() {
                "git-task".into()
            } else {
                email.trim().into()
            },
            time: gix::date::Time {
                seconds: at.timestamp(),
                offset: 0,
            },
        };
        let commit = gix::objs::Commit {
            tree,
            parents: parents.iter().copied().collect(),
            author: signature.clone(),
            committer: signature,
            encoding: None,
            message: message.into(),
            extra_headers: Vec::new(),
        };
        Ok(self.repo.write_object(commit).map_err(fail)?.detach())
    }

    /// The message of commit `id`; `None` when there is no such commit.
    pub fn commit_message(&self, id: ObjectId) -> Option<String> {
        let object = self.repo.find_object(id).ok()?;
        let commit = object.try_into_commit().ok()?;
        let message = commit.message_raw().ok()?;
        Some(String::from_utf8_lossy(message).into_owned())
    }

    /// Sets reference `name` to `new` (deletes it for `None`) only if it
    /// holds `expected` (for `None`: does not exist), checked under git's
    /// lock of the reference. `Err(Lost)` when it held something else; a
    /// failure of git itself is the outer error.
    pub fn swap_reference(
        &self,
        name: &str,
        expected: Option<ObjectId>,
        new: Option<ObjectId>,
        why: &str,
    ) -> Result<std::result::Result<(), Lost>> {
        let full: FullName = name.try_into().map_err(|e| {
            Error::git(
                GitOp::UpdateReference {
                    name: name.to_owned(),
                },
                e,
            )
        })?;
        let expected_value = match expected {
            Some(id) => PreviousValue::MustExistAndMatch(Target::Object(id)),
            None => PreviousValue::MustNotExist,
        };
        let change = match new {
            Some(id) => Change::Update {
                log: LogChange {
                    mode: RefLog::AndReference,
                    force_create_reflog: false,
                    message: why.into(),
                },
                expected: expected_value,
                new: Target::Object(id),
            },
            None if expected.is_none() => {
                // Deleting what must not exist: done when it does not.
                return Ok(match self.reference_id(name)? {
                    None => Ok(()),
                    now => Err(Lost { now }),
                });
            }
            None => Change::Delete {
                expected: expected_value,
                log: RefLog::AndReference,
            },
        };
        let edit = RefEdit {
            change,
            name: full,
            deref: false,
        };
        let committer = gix::actor::Signature {
            name: "git-task".into(),
            email: "git-task".into(),
            time: gix::date::Time::now_utc(),
        };
        let mut time = gix::date::parse::TimeBuf::default();
        match self
            .repo
            .edit_references_as(Some(edit), Some(committer.to_ref(&mut time)))
        {
            Ok(_) => Ok(Ok(())),
            Err(error) => {
                // The reference as it is now tells a lost race from a
                // failure: changed by someone else, or still as expected
                // (git could not write it).
                let now = self.reference_id(name)?;
                if now != expected {
                    Ok(Err(Lost { now }))
                } else {
                    Err(Error::git(
                        GitOp::UpdateReference {
                            name: name.to_owned(),
                        },
                        error,
                    ))
                }
            }
        }
    }

    /// The directory `git` runs in for this repository: the working tree,
    /// or the git dir of a bare repository.
    pub(crate) fn git_cwd(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestRepo;

    #[test]
    fn a_reference_changes_only_from_what_was_seen() {
        let repo = TestRepo::new();
        let ws = repo.workspace();
        let at = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let a = ws.write_record("a\n", &[], "a@x", at).unwrap();
        let b = ws.write_record("b\n", &[a], "b@x", at).unwrap();
        assert_eq!(ws.commit_message(b).as_deref(), Some("b\n"));
        let name = "refs/tasks/claims/t";
        assert_eq!(ws.swap_reference(name, None, Some(a), "x").unwrap(), Ok(()));
        assert_eq!(
            ws.swap_reference(name, None, Some(b), "x").unwrap(),
            Err(Lost { now: Some(a) })
        );
        assert_eq!(
            ws.swap_reference(name, Some(b), Some(a), "x").unwrap(),
            Err(Lost { now: Some(a) })
        );
        assert_eq!(
            ws.swap_reference(name, Some(a), Some(b), "x").unwrap(),
            Ok(())
        );
        assert_eq!(
            ws.references_under("refs/tasks/claims/").unwrap(),
            [(name.to_owned(), b)]
        );
        assert_eq!(
            ws.swap_reference(name, Some(a), None, "x").unwrap(),
            Err(Lost { now: Some(b) })
        );
        assert_eq!(ws.swap_reference(name, Some(b), None, "x").unwrap(), Ok(()));
        assert_eq!(ws.reference_id(name).unwrap(), None);
        assert_eq!(ws.swap_reference(name, None, None, "x").unwrap(), Ok(()));
    }
}
