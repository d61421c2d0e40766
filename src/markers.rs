//! git's conflict markers: telling the lines a merge left behind from text
//! that only looks like them.
//!
//! git writes a conflict as an opening line (`<<<<<<< ours`), an optional
//! base section (`||||||| base`), a separator (`=======`) and a closing line
//! (`>>>>>>> theirs`), all of one width: seven by default, more for the
//! merges git makes of merge bases or with a `conflict-marker-size`
//! attribute. A Markdown heading underlined with `=======` or a lone
//! `<<<<<<<` in a description is not a conflict: only the whole sequence is.

/// git's default marker width; markers are never narrower.
pub const MIN_WIDTH: usize = 7;

/// Which of git's marker lines a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// `<<<<<<< label`
    Open,
    /// `||||||| label`, in the diff3 style.
    Base,
    /// `=======`
    Separator,
    /// `>>>>>>> label`
    Close,
}

/// The marker a line is, with its width; the line may end in `\n` or `\r\n`.
pub fn marker(line: &str) -> Option<(Marker, usize)> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let first = line.chars().next()?;
    let kind = match first {
        '<' => Marker::Open,
        '|' => Marker::Base,
        '=' => Marker::Separator,
        '>' => Marker::Close,
        _ => return None,
    };
    let width = line.bytes().take_while(|&b| b == first as u8).count();
    if width < MIN_WIDTH {
        return None;
    }
    let rest = &line[width..];
    let fits = match kind {
        Marker::Separator => rest.is_empty(),
        _ => rest.is_empty() || rest.starts_with(' '),
    };
    fits.then_some((kind, width))
}

/// Whether any line of `text` has the shape of a marker line.
pub fn has_marker_line(text: &str) -> bool {
    text.split('\n').any(|line| marker(line).is_some())
}

/// The byte offset of the first conflict a merge left in `text`: an opening
/// marker followed, in this order and at the same width, by a separator and
/// a closing marker.
pub fn find_conflict(text: &str) -> Option<usize> {
    // (offset of the opening line, width, separator seen)
    let mut open: Option<(usize, usize, bool)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        match (marker(line), open) {
            (Some((Marker::Open, width)), None) => open = Some((offset, width, false)),
            (Some((Marker::Open, width)), Some((_, w, _))) if width == w => {
                // A second opening line before the first closed: start over
                // from the later one, which is the one a merge would close.
                open = Some((offset, width, false));
            }
            (Some((Marker::Separator, width)), Some((at, w, false))) if width == w => {
                open = Some((at, w, true));
            }
            (Some((Marker::Close, width)), Some((at, w, true))) if width == w => return Some(at),
            _ => {}
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_conflict_counts() {
        let conflict = "a = 1\n<<<<<<< ours\nb = 2\n=======\nb = 3\n>>>>>>> theirs\n";
        assert_eq!(find_conflict(conflict), Some(6));
        let diff3 = "<<<<<<< HEAD\nx\n||||||| base\ny\n=======\nz\n>>>>>>> topic\n";
        assert_eq!(find_conflict(diff3), Some(0));
        let wide = "<<<<<<<<< a\nx\n=========\ny\n>>>>>>>>> b\n";
        assert_eq!(find_conflict(wide), Some(0));
        for text in [
            "Title\n=======\n\nbody\n",
            "<<<<<<< only an opening line\n",
            "<<<<<<< a\n=======\n",
            "=======\n>>>>>>> b\n",
            "<<<<<<< a\n========\n>>>>>>> b\n",
            "<<<<<<<< a\n=======\n>>>>>>> b\n",
            "<<<<<<<no space\n=======\n>>>>>>> b\n",
        ] {
            assert_eq!(find_conflict(text), None, "{text:?}");
        }
        assert_eq!(
            find_conflict("<<<<<<< a\r\nx\r\n=======\r\ny\r\n>>>>>>> b\r\n"),
            Some(0)
        );
    }

    #[test]
    fn marker_lines() {
        assert_eq!(marker("======="), Some((Marker::Separator, 7)));
        assert_eq!(marker(">>>>>>> x\n"), Some((Marker::Close, 7)));
        assert_eq!(marker("=== x"), None);
        assert_eq!(marker("======= x"), None);
        assert!(has_marker_line("intro\n=======\n"));
        assert!(!has_marker_line("a == b\n"));
    }
}
