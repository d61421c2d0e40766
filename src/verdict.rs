//! What each git hook decides (§5): the checks behind `git task hook NAME`,
//! as data; the CLI prints them. Hooks never run a task's `verify` command:
//! a hook must not execute code that arrived in someone else's commit.

use crate::check::{self, Report};
use crate::error::{Error, Result};
use crate::gate::short_branch;
use crate::store::{Source, Workspace};

/// One thing a hook checked: a commit about to become a ref, or the index.
#[derive(Debug, Clone)]
pub struct Checked {
    /// What was checked, for people: `refs/heads/main at 1a2b3c4`.
    pub subject: String,
    /// The branch whose gates applied, if any.
    pub branch: Option<String>,
    pub report: Report,
}

/// The outcome of a hook: every check it ran.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    pub checked: Vec<Checked>,
}

impl Verdict {
    /// Whether the hook must stop the operation.
    pub fn refuses(&self) -> bool {
        self.checked.iter().any(|c| c.report.fails(false))
    }
}

/// One ref update as a hook sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    pub refname: String,
    /// The commit the ref will point at; `None` for a deletion.
    pub new: Option<String>,
}

fn is_zero(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b == b'0')
}

/// Parses pre-push input: `<local ref> <local sha> <remote ref> <remote sha>`
/// lines. The ref that matters is the remote one.
pub fn parse_pre_push(input: &str) -> Result<Vec<RefUpdate>> {
    parse_lines(input, 4, |f| RefUpdate {
        refname: f[2].to_owned(),
        new: (!is_zero(f[1])).then(|| f[1].to_owned()),
    })
}

/// The push the pre-commit framework describes in its environment: it
/// reads git's pre-push input itself and passes the update on as
/// `PRE_COMMIT_TO_REF` (the local commit) and `PRE_COMMIT_REMOTE_BRANCH`.
pub fn pre_commit_framework_push(env: impl Fn(&str) -> Option<String>) -> Option<RefUpdate> {
    let new = env("PRE_COMMIT_TO_REF").filter(|s| !s.is_empty())?;
    let refname = env("PRE_COMMIT_REMOTE_BRANCH").filter(|s| !s.is_empty())?;
    Some(RefUpdate {
        refname,
        new: (!is_zero(&new)).then_some(new),
    })
}

/// Parses pre-receive input: `<old sha> <new sha> <ref>` lines.
pub fn parse_pre_receive(input: &str) -> Result<Vec<RefUpdate>> {
    parse_lines(input, 3, |f| RefUpdate {
        refname: f[2].to_owned(),
        new: (!is_zero(f[1])).then(|| f[1].to_owned()),
    })
}

fn parse_lines(
    input: &str,
    fields: usize,
    make: impl Fn(&[&str]) -> RefUpdate,
) -> Result<Vec<RefUpdate>> {
    input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() != fields {
                return Err(Error::Invalid(format!(
                    "unexpected hook input line `{line}`: expected {fields} fields (is this hook installed under the right name?)"
                )));
            }
            Ok(make(&f))
        })
        .collect()
}

/// `pre-commit`: the integrity of what the commit would record.
pub fn pre_commit(ws: &Workspace) -> Result<Verdict> {
    let loaded = ws.read(&Source::Index)?;
    Ok(Verdict {
        checked: vec![Checked {
            subject: "the staged tasks".into(),
            branch: None,
            report: check::check(&loaded, None),
        }],
    })
}

/// `pre-push` and `pre-receive`: for each updated ref (deletions pass), the
/// integrity of the commit it will point at and, for a branch, the gates
/// in that commit that protect the branch.
pub fn ref_updates(ws: &Workspace, updates: &[RefUpdate]) -> Result<Verdict> {
    let mut verdict = Verdict::default();
    // A push often sends one commit under several names (a branch and a
    // tag): read each commit's tasks once.
    let mut read: std::collections::HashMap<&str, crate::store::Loaded> = Default::default();
    for update in updates {
        let Some(new) = &update.new else { continue };
        let branch = update
            .refname
            .starts_with("refs/heads/")
            .then(|| short_branch(&update.refname).to_owned());
        let loaded = match read.entry(new.as_str()) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(ws.read(&Source::Rev(new.clone()))?)
            }
        };
        verdict.checked.push(Checked {
            subject: format!("{} at {}", update.refname, &new[..new.len().min(12)]),
            report: check::check(loaded, branch.as_deref()),
            branch,
        });
    }
    Ok(verdict)
}

/// `pre-merge-commit`: the gates of the current branch on the staged merge
/// result, and its integrity.
pub fn pre_merge_commit(ws: &Workspace) -> Result<Verdict> {
    let branch = ws
        .repo()
        .head_name()
        .ok()
        .flatten()
        .map(|name| short_branch(&name.as_bstr().to_string()).to_owned());
    let loaded = ws.read(&Source::Index)?;
    Ok(Verdict {
        checked: vec![Checked {
            subject: match &branch {
                Some(b) => format!("the merge into {b}"),
                None => "the merge".into(),
            },
            report: check::check(&loaded, branch.as_deref()),
            branch,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZERO: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_hook_input() {
        let sha = "1".repeat(40);
        let push = format!(
            "refs/heads/main {sha} refs/heads/main {ZERO}\nrefs/heads/old {ZERO} refs/heads/old {sha}\n"
        );
        let updates = parse_pre_push(&push).unwrap();
        assert_eq!(updates[0].new.as_deref(), Some(sha.as_str()));
        assert_eq!(updates[1].new, None);
        let receive = format!("{ZERO} {sha} refs/heads/topic\n");
        assert_eq!(
            parse_pre_receive(&receive).unwrap()[0].refname,
            "refs/heads/topic"
        );
        assert!(parse_pre_receive("garbage").is_err());
    }
}
