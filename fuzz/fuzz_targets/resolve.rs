//! Ids and prefixes: `TaskId::parse` accepts only what can be a file
//! name on every system (and its file name is the id and `.toml`), and
//! resolving a text among known ids finds exactly the task whose id it
//! is or is the only one it is a prefix of.
#![no_main]

use git_task::taskset::ResolveError;
use git_task::{Task, TaskId, TaskSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Ids one a line; the last line is the text to resolve.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut ids: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let query = ids.pop().unwrap_or_default();
    for text in ids.iter().chain(std::iter::once(&query)) {
        if let Ok(id) = TaskId::parse(text) {
            assert_eq!(id.as_str(), text);
            assert_eq!(id.file_name(), format!("{text}.toml"));
            assert!(!text.is_empty() && text.len() <= 64, "{text:?}");
            // Lower-case letters and digits in groups joined by single
            // hyphens: a file name on every system, the same in any case.
            assert!(
                text.split('-').all(|g| !g.is_empty()
                    && g.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "{text:?}"
            );
            assert!(
                !["con", "prn", "aux", "nul", "config"].contains(&text.as_str()),
                "{text:?}"
            );
        }
    }
    let tasks: Vec<Task> = ids
        .iter()
        .filter_map(|s| TaskId::parse(s).ok())
        .map(|id| {
            let text = "subject = \"x\"\n";
            Task::parse(id, text).expect("a task")
        })
        .collect();
    let mut unique: Vec<String> = tasks.iter().map(|t| t.id.to_string()).collect();
    unique.sort();
    unique.dedup();
    let set = TaskSet::new(tasks);
    let exact = unique.iter().any(|id| id == &query);
    let prefixed: Vec<&String> = unique
        .iter()
        .filter(|id| id.starts_with(query.as_str()))
        .collect();
    match set.resolve(&query) {
        Ok(task) => {
            if exact {
                assert_eq!(task.id.as_str(), query);
            } else {
                assert_eq!(prefixed.len(), 1, "{query:?} among {unique:?}");
                assert_eq!(task.id.as_str(), prefixed[0]);
            }
        }
        Err(ResolveError::Unknown(_)) => {
            assert!(!exact && prefixed.is_empty(), "{query:?} among {unique:?}")
        }
        Err(ResolveError::Ambiguous { candidates, .. }) => {
            assert!(!exact);
            assert!(prefixed.len() > 1);
            assert_eq!(candidates.len(), prefixed.len());
        }
        Err(ResolveError::Invalid(_)) => {
            assert!(!exact, "{query:?} is an id of the set");
            assert!(!git_task::id::is_prefix_shaped(&query));
        }
    }
});
