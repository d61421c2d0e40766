//! Conflict markers: writing them around the two sides of a conflict as git
//! asks (its labels, its marker width), and reading a text that holds them
//! back as the two versions it stands for.
//!
//! The second is for criss-cross merges. With two merge bases git first
//! merges the bases, with this driver too, and hands the result to the
//! outer merge as its base; where the bases disagreed that base holds
//! markers, wider than the outer merge's own (git adds two per level).

/// How to write conflict markers: git's labels for the two sides (`%X`,
/// `%Y`) and the width it asks for (`%L`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markers {
    pub ours: String,
    pub theirs: String,
    pub width: usize,
}

/// git's default width, and the narrowest the driver writes: `check`
/// finds markers of this width and wider, and no marker line is TOML.
pub use crate::markers::MIN_WIDTH;
use crate::markers::Marker;

impl Default for Markers {
    fn default() -> Self {
        Markers {
            ours: "ours".into(),
            theirs: "theirs".into(),
            width: MIN_WIDTH,
        }
    }
}

impl Markers {
    /// `ours` and `theirs` whole between markers. A side that does not end
    /// its last line gets a newline, so the marker after it starts a line.
    pub fn block(&self, ours: &[u8], theirs: &[u8]) -> Vec<u8> {
        let width = self.width.max(MIN_WIDTH);
        let mut out = Vec::with_capacity(ours.len() + theirs.len() + 64);
        let line = |out: &mut Vec<u8>, text: &[u8]| {
            out.extend_from_slice(text);
            if !text.is_empty() && !text.ends_with(b"\n") {
                out.push(b'\n');
            }
        };
        marker(&mut out, b'<', width, &self.ours);
        line(&mut out, ours);
        marker(&mut out, b'=', width, "");
        line(&mut out, theirs);
        marker(&mut out, b'>', width, &self.theirs);
        out
    }

    /// [`Markers::block`] of two texts.
    pub fn text_block(&self, ours: &str, theirs: &str) -> String {
        // Both sides and the labels are UTF-8, so the block is too.
        String::from_utf8_lossy(&self.block(ours.as_bytes(), theirs.as_bytes())).into_owned()
    }
}

fn marker(out: &mut Vec<u8>, c: u8, width: usize, label: &str) {
    out.extend(std::iter::repeat_n(c, width));
    if !label.is_empty() {
        out.push(b' ');
        out.extend_from_slice(label.as_bytes());
    }
    out.push(b'\n');
}

/// The two versions a text with conflict markers stands for: the first
/// side of every conflict in one, the second side in the other, a base
/// section (`|||||||`, diff3 style) in neither. `None` when the text holds
/// no markers; `Some(Err(line))` when its markers do not pair up, with the
/// 1-based line where that shows.
///
/// The markers are those as wide as the first opening marker: markers of
/// another width inside a side are that side's text.
pub fn split(text: &str) -> Option<Result<(String, String), usize>> {
    let width = text
        .split_inclusive('\n')
        .find_map(|line| match crate::markers::marker(line) {
            Some((Marker::Open, width)) => Some(width),
            _ => None,
        })?;
    #[derive(PartialEq)]
    enum In {
        Both,
        First,
        Base,
        Second,
    }
    let mut state = In::Both;
    let (mut first, mut second) = (String::new(), String::new());
    for (n, line) in text.split_inclusive('\n').enumerate() {
        // Markers of another width are text of the side they stand in.
        let marker = crate::markers::marker(line)
            .filter(|&(_, w)| w == width)
            .map(|(kind, _)| kind);
        match (&state, marker) {
            (In::Both, Some(Marker::Open)) => state = In::First,
            (In::Both, Some(_)) => return Some(Err(n + 1)),
            (In::Both, None) => {
                first.push_str(line);
                second.push_str(line);
            }
            (In::First | In::Base, Some(Marker::Separator)) => state = In::Second,
            (In::First, Some(Marker::Base)) => state = In::Base,
            (In::First | In::Base, Some(_)) => return Some(Err(n + 1)),
            (In::First, None) => first.push_str(line),
            (In::Base, None) => {}
            (In::Second, Some(Marker::Close)) => state = In::Both,
            (In::Second, Some(_)) => return Some(Err(n + 1)),
            (In::Second, None) => second.push_str(line),
        }
    }
    if state != In::Both {
        return Some(Err(text.lines().count().max(1)));
    }
    Some(Ok((first, second)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_holds_both_sides_whole_with_the_labels_and_width_asked_for() {
        let markers = Markers {
            ours: "HEAD".into(),
            theirs: "feature".into(),
            width: 9,
        };
        assert_eq!(
            markers.text_block("a = 1\n", "a = 2"),
            "<<<<<<<<< HEAD\na = 1\n=========\na = 2\n>>>>>>>>> feature\n"
        );
        // Never narrower than git's default.
        let narrow = Markers {
            width: 3,
            ..Markers::default()
        };
        assert!(narrow.text_block("", "").starts_with("<<<<<<< ours\n"));
    }

    #[test]
    fn a_text_with_markers_splits_into_the_two_versions_it_stands_for() {
        let text = "a = 1\n<<<<<<<<< Temporary merge branch 1\nb = 2\n\
                    ||||||||| base\nb = 0\n=========\nb = 3\n>>>>>>>>> Temporary merge branch 2\nc = 4\n";
        assert_eq!(
            split(text),
            Some(Ok((
                "a = 1\nb = 2\nc = 4\n".into(),
                "a = 1\nb = 3\nc = 4\n".into()
            )))
        );
        assert_eq!(split("a = 1\n"), None);
        // Markers of another width inside a side are that side's text.
        let nested =
            "<<<<<<<<< x\n<<<<<<< ours\n=======\n>>>>>>> theirs\n=========\nb\n>>>>>>>>> y\n";
        assert_eq!(
            split(nested),
            Some(Ok((
                "<<<<<<< ours\n=======\n>>>>>>> theirs\n".into(),
                "b\n".into()
            )))
        );
        assert_eq!(split("<<<<<<< x\na\n"), Some(Err(2)));
        assert_eq!(split("a\n=======\n"), None);
        assert_eq!(
            split("<<<<<<< x\n=======\n>>>>>>> y\n>>>>>>> z\n"),
            Some(Err(4))
        );
    }
}
