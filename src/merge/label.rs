//! git's conflict labels (`%S`, `%X`, `%Y`): which revision each version of
//! the file comes from and, when the file had another name there, its path.

/// One version's label, as git passes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The label whole, as it goes after a conflict marker.
    pub text: String,
    /// The revision part: `HEAD`, a branch, `1a2b3c4 (subject)` in a
    /// rebase, `merged common ancestors` for a virtual base.
    pub revision: String,
    /// The file's path in that revision, which git adds (after a `:`)
    /// only when the paths of the three versions differ: a rename.
    pub path: Option<String>,
}

/// The labels git gives the two sides when it merges two merge bases
/// into a virtual one (a criss-cross merge).
const INNER_OURS: &str = "Temporary merge branch 1";
const INNER_THEIRS: &str = "Temporary merge branch 2";

impl Label {
    /// The label git passed, or `None` when it passed none: an empty one
    /// (git has no name, as in `rerere`), or the placeholder itself, which
    /// a git older than 2.44 leaves in the command as it was written.
    pub fn parse(text: &str) -> Option<Label> {
        if text.is_empty() || matches!(text, "%S" | "%X" | "%Y") {
            return None;
        }
        // A revision cannot hold a path's `.toml` ending without spaces
        // or a closing parenthesis after its last colon: what follows that
        // colon is the path. Paths under `.tasks/` never hold a space.
        let (revision, path) = match text.rsplit_once(':') {
            Some((revision, path))
                if !revision.is_empty()
                    && path.ends_with(".toml")
                    && !path.contains(char::is_whitespace) =>
            {
                (revision, Some(path.to_owned()))
            }
            _ => (text, None),
        };
        Some(Label {
            text: text.to_owned(),
            revision: revision.to_owned(),
            path,
        })
    }

    /// A revision `git show REV:PATH` understands: a name without spaces
    /// (`HEAD`, `feature`, a commit id), or the commit id that starts a
    /// rebase's or cherry-pick's `1a2b3c4 (subject)`.
    pub fn commit(&self) -> Option<&str> {
        let revision = self.revision.as_str();
        if !revision.contains(char::is_whitespace) {
            return Some(revision);
        }
        let (id, rest) = revision.split_once(' ')?;
        (id.len() >= 4 && id.bytes().all(|b| b.is_ascii_hexdigit()) && rest.starts_with('('))
            .then_some(id)
    }
}

/// Whether `ours` and `theirs` are git's labels for its inner merge of two
/// merge bases, whose result only serves as the outer merge's base.
pub fn is_inner_merge(ours: Option<&Label>, theirs: Option<&Label>) -> bool {
    ours.is_some_and(|l| l.text == INNER_OURS) && theirs.is_some_and(|l| l.text == INNER_THEIRS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_names_a_revision_and_a_path_when_git_adds_one() {
        let plain = Label::parse("feature").unwrap();
        assert_eq!((plain.revision.as_str(), plain.path), ("feature", None));
        let renamed = Label::parse("HEAD:.tasks/migrate-1.toml").unwrap();
        assert_eq!(renamed.revision, "HEAD");
        assert_eq!(renamed.path.as_deref(), Some(".tasks/migrate-1.toml"));
        // A rebase's label holds a subject, which may hold colons.
        let rebase = Label::parse("1a2b3c4 (fix: the x.toml parser)").unwrap();
        assert_eq!(rebase.path, None);
        assert_eq!(rebase.commit(), Some("1a2b3c4"));
        let both = Label::parse("1a2b3c4 (fix: it):.tasks/a.toml").unwrap();
        assert_eq!(both.revision, "1a2b3c4 (fix: it)");
        assert_eq!(both.path.as_deref(), Some(".tasks/a.toml"));
        assert_eq!(
            Label::parse("merged common ancestors").unwrap().commit(),
            None
        );
    }

    #[test]
    fn an_older_git_passes_no_labels() {
        assert_eq!(Label::parse("%X"), None);
        assert_eq!(Label::parse(""), None);
    }
}
