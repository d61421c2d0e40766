//! Every edit git-task makes in place, on any valid task file: the
//! result reads, the edited field has its new value and nothing else
//! changed (the file reads as the task with only that edit made).
//! An edit whose task no file can hold (a value the format refuses) is
//! left out: the commands refuse those before writing.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use git_task_fuzz::edit::Edit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A count of edits, the edits, then the file: one of the samples
    // (git_task_fuzz::samples), or the rest of the input when it is a
    // valid task file.
    let mut u = Unstructured::new(data);
    let (Ok(count), Ok(which)) = (u.arbitrary::<u8>(), u.arbitrary::<u8>()) else {
        return;
    };
    let mut edits = Vec::new();
    for _ in 0..count % 12 {
        match Edit::arbitrary(&mut u) {
            Ok(edit) => edits.push(edit),
            Err(_) => break,
        }
    }
    let samples = git_task_fuzz::samples::TASKS;
    let rest = u.take_rest();
    let text = match usize::from(which) {
        i if i < samples.len() * 16 => samples[i % samples.len()],
        _ => match std::str::from_utf8(rest) {
            Ok(text) => text,
            Err(_) => return,
        },
    };
    let Some((mut doc, mut task)) = git_task_fuzz::valid_task(text) else {
        return;
    };
    for edit in &edits {
        let (before_doc, before_task) = (doc.clone(), task.clone());
        if !edit.apply(&mut doc, &mut task) {
            assert_eq!(
                doc.to_string(),
                before_doc.to_string(),
                "a refused edit changes nothing"
            );
            continue;
        }
        if git_task_fuzz::canonical(&task).as_ref() != Some(&task) {
            // No file holds this task: the edit is refused upstream.
            doc = before_doc;
            task = before_task;
            continue;
        }
        let written = doc.to_string();
        let read = git_task::Task::parse(task.id.clone(), &written).unwrap_or_else(|e| {
            panic!(
                "{edit:?} on\n{before_doc}\nwrote a file that does not read ({}:{}: {}):\n{written}",
                e.line, e.column, e.message
            )
        });
        assert_eq!(read, task, "{edit:?} on\n{before_doc}\nwrote\n{written}");
        let reparsed = git_task::document::TaskDocument::parse(&written).expect("TOML");
        assert_eq!(reparsed.to_string(), written);
    }
});
