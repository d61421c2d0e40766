//! A set of tasks read from one source, with lookup by id and by prefix.

use crate::id::{self, TaskId};
use crate::task::Task;

/// Every task of one source (the working tree, for now), sorted by id.
#[derive(Debug, Clone, Default)]
pub struct TaskSet {
    tasks: Vec<Task>,
}

/// Why an id the user typed does not name exactly one task.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Invalid(#[from] id::InvalidId),
    #[error("no task has the id `{0}`")]
    Unknown(String),
    #[error("`{prefix}` is ambiguous: it is the start of {} ids", candidates.len())]
    Ambiguous {
        prefix: String,
        candidates: Vec<(TaskId, String)>,
    },
}

impl TaskSet {
    pub fn new(mut tasks: Vec<Task>) -> TaskSet {
        tasks.sort_by(|a, b| a.id.cmp(&b.id));
        tasks.dedup_by(|a, b| a.id == b.id);
        TaskSet { tasks }
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// The tasks, sorted by id; positions are the indices the graph uses.
    pub fn tasks(&self) -> &[Task] {
        &self.tasks
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Task> {
        self.tasks.iter()
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.tasks.binary_search_by(|t| t.id.as_str().cmp(id)).ok()
    }

    pub fn get(&self, id: &str) -> Option<&Task> {
        self.index_of(id).map(|i| &self.tasks[i])
    }

    /// Finds the task named by a full id or any unique prefix of one.
    pub fn resolve(&self, text: &str) -> Result<&Task, ResolveError> {
        if !id::is_prefix_shaped(text) {
            // Report the full-id rule, which says what an id may contain.
            TaskId::parse(text)?;
        }
        if let Some(task) = self.get(text) {
            return Ok(task);
        }
        let start = self.tasks.partition_point(|t| t.id.as_str() < text);
        let matches: Vec<&Task> = self.tasks[start..]
            .iter()
            .take_while(|t| t.id.as_str().starts_with(text))
            .collect();
        match matches.as_slice() {
            [] => Err(ResolveError::Unknown(text.to_owned())),
            [one] => Ok(one),
            many => Err(ResolveError::Ambiguous {
                prefix: text.to_owned(),
                candidates: many
                    .iter()
                    .map(|t| (t.id.clone(), t.subject.clone()))
                    .collect(),
            }),
        }
    }

    /// Adds or replaces a task.
    pub fn upsert(&mut self, task: Task) {
        match self.tasks.binary_search_by(|t| t.id.cmp(&task.id)) {
            Ok(i) => self.tasks[i] = task,
            Err(i) => self.tasks.insert(i, task),
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<Task> {
        self.index_of(id).map(|i| self.tasks.remove(i))
    }

    /// The length of the shortest unique prefix of each task's id, by index.
    pub fn prefix_lengths(&self) -> Vec<usize> {
        let ids: Vec<&str> = self.tasks.iter().map(|t| t.id.as_str()).collect();
        id::unique_prefix_lengths(&ids)
    }

    /// The tasks that name `id` as their parent.
    pub fn children_of<'a>(&'a self, id: &'a TaskId) -> impl Iterator<Item = &'a Task> + 'a {
        self.tasks
            .iter()
            .filter(move |t| t.parent.as_ref() == Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[&str]) -> TaskSet {
        TaskSet::new(
            ids.iter()
                .map(|i| Task::parse(TaskId::parse(i).unwrap(), "subject = \"s\"\n").unwrap())
                .collect(),
        )
    }

    #[test]
    fn resolves_exact_ids_and_unique_prefixes() {
        let s = set(&["abc1", "abc2", "abd", "x"]);
        assert_eq!(s.resolve("abd").unwrap().id.as_str(), "abd");
        assert_eq!(s.resolve("abc1").unwrap().id.as_str(), "abc1");
        assert_eq!(s.resolve("x").unwrap().id.as_str(), "x");
        assert!(
            matches!(s.resolve("abc"), Err(ResolveError::Ambiguous { candidates, .. }) if candidates.len() == 2)
        );
        assert_eq!(s.resolve("zz"), Err(ResolveError::Unknown("zz".into())));
        assert!(matches!(s.resolve("../x"), Err(ResolveError::Invalid(_))));
        assert!(matches!(s.resolve("A"), Err(ResolveError::Invalid(_))));
    }

    #[test]
    fn an_exact_id_wins_over_longer_ids_it_prefixes() {
        let s = set(&["db", "db-backup"]);
        assert_eq!(s.resolve("db").unwrap().id.as_str(), "db");
    }
}
