//! The changes the page may ask for with `--write`: `start`, `done`,
//! `note` and `criteria --met/--unmet`, each through the library calls
//! and rules of the command of the same name, answering with the document
//! that command prints with `--json`, byte for byte.

use serde::Deserialize;

use git_task::change::{self, CriteriaChange};
use git_task::error::Error;
use git_task::output::{ErrorKind, ErrorObject};
use git_task::taskset::ResolveError;

use super::super::command_error::error_object;
use super::super::completion::{self, Said};
use super::super::{CliError, Ctx, change_one_quietly, task_answer};

/// A change the page posts, by its route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Start,
    Done,
    Note,
    Criteria,
}

impl Change {
    /// The change of a path under `/api/`.
    pub fn of_path(path: &str) -> Option<Change> {
        Some(match path.strip_prefix("/api/")? {
            "start" => Change::Start,
            "done" => Change::Done,
            "note" => Change::Note,
            "criteria" => Change::Criteria,
            _ => return None,
        })
    }
}

/// `{"id": "..."}`: start and done.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IdBody {
    id: String,
}

/// `{"id": "...", "text": "..."}`: note.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    id: String,
    text: String,
}

/// `{"id": "...", "index": N, "met": true}`: criteria, numbered from 1.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CriteriaBody {
    id: String,
    index: usize,
    met: bool,
}

/// The body as the JSON `what` takes, or bad input saying what it takes.
fn body<'a, T: Deserialize<'a>>(bytes: &'a [u8], takes: &str) -> Result<T, CliError> {
    serde_json::from_slice(bytes)
        .map_err(|e| CliError::user(format!("the body is not the JSON this takes, {takes}: {e}")))
}

/// Makes the change `body` asks for; returns the answer, the JSON the
/// command prints with `--json` (pretty, with its final newline). What
/// the command says on stderr (the verify command that runs, a claim that
/// could not be ended, a gate that stays red) goes to the server's.
pub fn apply(ctx: &mut Ctx, which: Change, bytes: &[u8]) -> Result<Vec<u8>, CliError> {
    let now = ctx.now;
    let answer = match which {
        Change::Start => {
            let IdBody { id } = body(bytes, r#"{"id": "..."}"#)?;
            let owner = ctx.actor(None, "who is starting it?", "--owner")?;
            let (id, set) =
                change_one_quietly(ctx, &id, |tx, id| change::start(tx, id, &owner, false, now))?;
            task_answer(ctx, &set, id.as_str())?
        }
        Change::Done => {
            let IdBody { id } = body(bytes, r#"{"id": "..."}"#)?;
            let ui = &ctx.ui;
            completion::done_document(ctx, &id, false, false, &mut |s: Said| s.print(ui))?
        }
        Change::Note => {
            let NoteBody { id, text } = body(bytes, r#"{"id": "...", "text": "..."}"#)?;
            let by = ctx.actor(None, "who writes the note?", "--by")?;
            let (id, set) =
                change_one_quietly(ctx, &id, |tx, id| change::note(tx, id, &by, &text, now))?;
            task_answer(ctx, &set, id.as_str())?
        }
        Change::Criteria => {
            let CriteriaBody { id, index, met } = body(
                bytes,
                r#"{"id": "...", "index": N (from 1), "met": true or false}"#,
            )?;
            let criteria = CriteriaChange {
                met: if met { vec![index] } else { Vec::new() },
                unmet: if met { Vec::new() } else { vec![index] },
                add: Vec::new(),
            };
            let (id, set) = change_one_quietly(ctx, &id, |tx, id| {
                change::change_criteria(tx, id, &criteria)
            })?;
            task_answer(ctx, &set, id.as_str())?
        }
    };
    let mut text = serde_json::to_vec_pretty(&answer).map_err(|e| CliError::Io(e.into()))?;
    text.push(b'\n');
    Ok(text)
}

/// An error as the answer says it: its status (404 for an id no task
/// has, 409 when the rules or the state of `.tasks/` say no, 400 for bad
/// input, 500 for what kept the server from answering) and the CLI's
/// error object.
pub fn refusal(ctx: &Ctx, error: CliError) -> (u16, ErrorObject) {
    let unknown = matches!(
        error,
        CliError::Lib(Error::Resolve(ResolveError::Unknown(_)))
            | CliError::Hinted(Error::Resolve(ResolveError::Unknown(_)), _)
    );
    let object = error_object(ctx, error);
    (status_of(unknown, object.kind), object)
}

/// The status of an error of `kind`; `unknown`: of an id no task has.
fn status_of(unknown: bool, kind: ErrorKind) -> u16 {
    if unknown {
        return 404;
    }
    match kind {
        ErrorKind::Refused | ErrorKind::Unreadable | ErrorKind::Cycle => 409,
        ErrorKind::Invalid => 400,
        ErrorKind::Failed => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_route_is_its_change() {
        assert_eq!(Change::of_path("/api/start"), Some(Change::Start));
        assert_eq!(Change::of_path("/api/done"), Some(Change::Done));
        assert_eq!(Change::of_path("/api/note"), Some(Change::Note));
        assert_eq!(Change::of_path("/api/criteria"), Some(Change::Criteria));
        assert_eq!(Change::of_path("/api/rm"), None);
        assert_eq!(Change::of_path("/done"), None);
    }

    #[test]
    fn a_body_of_other_fields_is_bad_input() {
        let e = body::<IdBody>(br#"{"id": "a", "force": true}"#, "{}").unwrap_err();
        let CliError::User { message, .. } = e else {
            panic!("{e:?}")
        };
        assert!(message.contains("force"), "{message}");
        assert!(body::<CriteriaBody>(br#"{"id": "a", "index": 1}"#, "{}").is_err());
        let ok: CriteriaBody = body(br#"{"id": "a", "index": 2, "met": false}"#, "{}").unwrap();
        assert_eq!((ok.id.as_str(), ok.index, ok.met), ("a", 2, false));
    }

    #[test]
    fn an_unknown_id_is_404_and_a_refusal_409() {
        assert_eq!(status_of(true, ErrorKind::Invalid), 404);
        assert_eq!(status_of(false, ErrorKind::Refused), 409);
        assert_eq!(status_of(false, ErrorKind::Unreadable), 409);
        assert_eq!(status_of(false, ErrorKind::Invalid), 400);
        assert_eq!(status_of(false, ErrorKind::Failed), 500);
    }
}
