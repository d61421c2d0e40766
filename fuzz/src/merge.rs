//! The `merge` target: the driver on three versions of a task file.

use git_task::Field;
use git_task::Task;
use git_task::document::field_differs;
use git_task::merge::{Request, Version};

/// Merges as git asks the driver to (`.tasks/fuzz-task.toml`, markers
/// of seven), and checks the result.
pub fn run(base: &[u8], ours: &[u8], theirs: &[u8]) {
    let version = |bytes| Version {
        bytes: Some(bytes),
        label: None,
    };
    let request = Request {
        base: version(base),
        ours: version(ours),
        theirs: version(theirs),
        path: Some(".tasks/fuzz-task.toml"),
        marker_size: 7,
    };
    let merged = request.merge();
    let text = String::from_utf8_lossy(&merged.bytes);
    let read = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .ok()
            .and_then(|t| Task::parse(crate::id(), t).ok())
    };
    let (Some(b), Some(o), Some(t)) = (read(base), read(ours), read(theirs)) else {
        // Not three tasks: the driver still writes something and says
        // where a conflict is.
        if !merged.is_clean() {
            assert!(merged.conflicts[0].line >= 1);
            assert!(text.lines().any(|l| l.starts_with("<<<<<<<")), "{text}");
        }
        return;
    };
    if !merged.is_clean() {
        // `check` reports it, at the first marker.
        let first = text.lines().position(|l| l.starts_with("<<<<<<<"));
        assert_eq!(
            first.map(|i| i + 1),
            Some(merged.conflicts[0].line),
            "{text}"
        );
        let error =
            Task::parse(crate::id(), &text).expect_err("a conflict does not read as a task");
        assert_eq!(error.line, merged.conflicts[0].line, "{text}");
        return;
    }
    let m = Task::parse(crate::id(), &text).unwrap_or_else(|e| {
        panic!(
            "a clean merge of three tasks is a task ({}:{}: {}):\n{text}",
            e.line, e.column, e.message
        )
    });
    for &field in Field::ALL {
        if !field_differs(&o, &b, field) {
            assert!(
                !field_differs(&m, &t, field),
                "{field:?}: theirs' change is kept\n{text}"
            );
        } else if !field_differs(&t, &b, field) {
            assert!(
                !field_differs(&m, &o, field),
                "{field:?}: ours' change is kept\n{text}"
            );
        }
    }
    for side in [&o, &t] {
        for note in side.notes.iter().filter(|n| !b.notes.contains(n)) {
            assert!(m.notes.contains(note), "the note {note:?} is kept\n{text}");
        }
    }
}
