//! Property tests of the library: whatever text a user gives, what git-task
//! writes reads back as exactly that text.

use chrono::{DateTime, Utc};
use git_task::TaskId;
use git_task::document::TaskDocument;
use proptest::prelude::*;

fn at() -> DateTime<Utc> {
    "2026-11-21T10:00:00Z".parse().unwrap()
}

fn one_line() -> impl Strategy<Value = String> {
    "[^\r\n]{0,40}".prop_filter("not blank", |s| !s.trim().is_empty())
}

proptest! {
    #[test]
    fn written_text_reads_back(
        subject in one_line(),
        description in "(?s).{0,200}",
        notes in proptest::collection::vec("(?s).{1,60}", 0..5),
        criteria in proptest::collection::vec(one_line(), 0..4),
        labels in proptest::collection::vec(".{0,10}", 0..4),
    ) {
        let id = TaskId::parse("t").unwrap();
        let mut doc = TaskDocument::new();
        doc.set_str("subject", &subject);
        doc.set_str("description", &description);
        for l in &labels {
            doc.add_to_array("labels", l);
        }
        for c in &criteria {
            doc.push_criterion(c);
        }
        for n in &notes {
            doc.push_note(at(), Some("ana@example.com"), n);
        }
        // Edit again after a round trip through the file's text, as a later
        // command would.
        let mut doc = TaskDocument::parse(&doc.to_string()).unwrap();
        doc.set_str("status", "in_progress");
        doc.push_note(at(), None, "again");
        let task = doc.to_task(&id).unwrap();
        prop_assert_eq!(&task.subject, &subject);
        prop_assert_eq!(task.description.as_deref(), Some(description.as_str()));
        let mut expected_labels: Vec<String> = Vec::new();
        for l in labels {
            if !expected_labels.contains(&l) {
                expected_labels.push(l);
            }
        }
        prop_assert_eq!(task.labels, expected_labels);
        prop_assert_eq!(task.criteria.iter().map(|c| c.text.clone()).collect::<Vec<_>>(), criteria);
        prop_assert_eq!(task.notes.len(), notes.len() + 1);
        for (note, text) in task.notes.iter().zip(&notes) {
            prop_assert_eq!(&note.text, text);
        }
    }
}
