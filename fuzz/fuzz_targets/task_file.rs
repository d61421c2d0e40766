//! Reading a task file: any bytes either read as a task or give an
//! error at a line and column of the text. A file that reads keeps its
//! text through the editing document, reads the same through it, and
//! the task written afresh reads back as itself.
#![no_main]

use git_task::Task;
use git_task::document::TaskDocument;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let task = match Task::parse(git_task_fuzz::id(), text) {
        Ok(task) => task,
        Err(e) => {
            let normal = git_task::task::normalized_text(text);
            git_task_fuzz::check_place(&normal, e.line, e.column, &e.message);
            assert!(!e.message.is_empty());
            return;
        }
    };
    let doc = TaskDocument::parse(text).expect("a task file is a TOML document");
    let again = doc
        .to_task(&task.id)
        .expect("the document reads as the task");
    assert_eq!(again, task);
    let fresh = git_task_fuzz::canonical(&task).expect("a task read from a file writes to one");
    assert_eq!(fresh, task, "written afresh, the task reads back as itself");
});
