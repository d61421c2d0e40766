//! Task sets for the library's unit tests, written as `(id, fields)`
//! pairs: the fields are TOML lines joined by `;`, and a task without a
//! `subject` is given its id as one.

use crate::id::TaskId;
use crate::task::Task;
use crate::taskset::TaskSet;

/// The set of `spec`'s tasks, in order.
pub fn set(spec: &[(&str, &str)]) -> TaskSet {
    TaskSet::new(
        spec.iter()
            .map(|(id, fields)| {
                let fields = fields.replace(';', "\n");
                let text = if fields.contains("subject =") {
                    format!("{fields}\n")
                } else {
                    format!("subject = \"{id}\"\n{fields}\n")
                };
                Task::parse(TaskId::parse(id).unwrap(), &text).unwrap()
            })
            .collect(),
    )
}

/// A task file that sets every field, in the order git-task writes them:
/// what tests of the model, the field list and the writer start from.
pub(crate) const FULL_TASK: &str = r#"subject = "Run migration"
status = "in_progress"
kind = "task"
priority = "high"
parent = "k7m2qz"
blocked_by = ["9xk2m1", "backup-db"]
gate = true
owner = "ana@example.com"
estimate = "2d"
due = 2026-12-01
labels = ["db"]
verify = "cargo test -p migrations"
created = 2026-11-20T10:02:11Z
started = 2026-11-21T08:15:00Z
closed = 2026-11-21T16:40:00Z
plan_key = "db/migrate"
origin = "taskwarrior:5c0d1b2e-6c1f-4b0e-9d9a-2f3f4e5a6b7c"
description = """
What to do.
"""

[[criteria]]
text = "schema version is 42"
met = true

[waiver]
by = "ana@example.com"
reason = "release manager accepted the risk"
at = 2026-11-21T09:00:00Z

[[notes]]
at = 2026-11-21T12:00:00Z
by = "ana@example.com"
text = "migration ran on staging, 3 min"

[meta]
sprint = 14
"#;
