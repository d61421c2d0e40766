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
