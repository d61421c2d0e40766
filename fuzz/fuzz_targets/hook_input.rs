//! What git writes on a hook's standard input: pre-push lines
//! (`<local ref> <local sha> <remote ref> <remote sha>`) and pre-receive
//! lines (`<old> <new> <ref>`). Any text parses or is refused; what
//! parses is judged against the scratch repository with a verdict or an
//! error, never a panic. `MAIN` and `FEATURE` in the input stand for the
//! scratch repository's two commits, so that seeds and mutations name
//! real ones.
#![no_main]

use git_task::verdict::{self, Side};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    git_task_fuzz::repo::sandbox_path();
    let template = git_task_fuzz::repo::template();
    let text = text
        .replace("MAIN", &template.main)
        .replace("FEATURE", &template.feature);
    let text = text.as_str();
    let ws = git_task_fuzz::hooks_workspace();
    for (parsed, side) in [
        (
            verdict::parse_pre_push(text),
            Side::Client {
                remote: Some("origin"),
            },
        ),
        (verdict::parse_pre_receive(text), Side::Server),
    ] {
        match parsed {
            Ok(updates) => {
                let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
                assert_eq!(updates.len(), lines);
                let _ = verdict::ref_updates(ws, &updates, side);
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
