//! User text made safe to show, one function per language it lands in:
//! a terminal, a Graphviz DOT string, a Mermaid label or Gantt task name,
//! Markdown text and a Markdown code span.
//!
//! Subjects, owners and labels are written by anyone who can commit, so
//! every writer of output passes them through one of these: text must not
//! move the cursor, end a quoted label, start a comment or notify people.

use std::borrow::Cow;

/// Spells out control characters (and the bidirectional overrides that
/// can make text read differently from what it is) so user text cannot
/// move the cursor, change colours or hide itself: `\n`, `\t`, `\r`, else
/// `\u{1b}`. Newlines and tabs survive when `multiline` is set.
pub fn controls(text: &str, multiline: bool) -> Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && !(multiline && (c == '\n' || c == '\t'))) || is_bidi_control(c)
    };
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if !multiline => out.push_str("\\n"),
            '\t' if !multiline => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if bad(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The invisible characters that change the direction text is shown in
/// (marks, embeddings, overrides, isolates): in a file name or a subject
/// they can make it read as something else.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}')
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Text inside a double-quoted DOT string. Graphviz reads `\` as the start
/// of an escape (`\n`, `\l`, `\N` …), so a backslash is doubled and a quote
/// escaped. Control characters never reach it: they are spelled out by
/// [`controls`] first.
pub fn dot(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in controls(text, false).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a quoted Mermaid flowchart label, with Mermaid's entity
/// codes for the characters that would end the label (`"`), start an
/// entity (`#`), be read as HTML (`<`, `>`, `&`) or as Markdown
/// (`` ` ``). Unlike [`gantt_name`], where these characters are dropped,
/// a flowchart label keeps the subject whole.
pub fn mermaid_label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in controls(text, false).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// A task id as a Mermaid identifier: ids are lower-case letters, digits
/// and hyphens, and a hyphen is not allowed in one. The `t_` keeps an id
/// such as `end` or `graph` from being read as a keyword.
pub fn mermaid_id(id: &str) -> String {
    format!("t_{}", id.replace('-', "_"))
}

/// User text as the name of a Mermaid Gantt task: one line, without the
/// characters that end a task name (`:`), start a comment or an entity,
/// or open markup, each replaced by a space, and trimmed.
pub fn gantt_name(text: &str) -> String {
    let text = text
        .chars()
        .map(|c| match c {
            ':' | ';' | '#' | '"' | '`' | '<' | '>' | '[' | ']' | '{' | '}' | '|' => ' ',
            c if c.is_control() || is_bidi_control(c) => ' ',
            c => c,
        })
        .collect::<String>();
    let text = text.trim();
    // A line that starts with `%%` is a Mermaid comment: the task would
    // vanish from the chart.
    match text.strip_prefix("%%") {
        Some(rest) => format!("% %{rest}"),
        None => text.to_owned(),
    }
}

/// Text safe inside Markdown: nothing a reader's renderer takes as markup,
/// and no `@mention` that would notify someone (it is written as a code
/// span).
pub fn markdown(text: &str) -> String {
    let text = controls(text, false);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        let starts_mention = c == '@'
            && !previous.is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '`')
            && chars.peek().is_some_and(|(_, n)| n.is_ascii_alphanumeric());
        if starts_mention {
            let mut end = at + 1;
            while let Some(&(i, n)) = chars.peek() {
                if n.is_ascii_alphanumeric() || matches!(n, '-' | '_' | '/') {
                    end = i + n.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            out.push_str(&code_span(&text[at..end]));
            previous = text[..end].chars().next_back();
            continue;
        }
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
        previous = Some(c);
    }
    out
}

/// A Markdown code span of `text` as it is: nothing is escaped inside one,
/// so the fence is one backtick longer than any run of them in the text.
pub fn code_span(text: &str) -> String {
    let text = controls(text, false);
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // A space keeps a backtick at either end from joining the fence; one
    // space each side is stripped again by the renderer.
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text that tries every trick: quotes, brackets, an arrow, a comment,
    /// an entity, a mention, backticks, a newline and a colour code.
    const HOSTILE: &str = "a \"q\" [b] {c} |d| --> e %% f #g <h> & `i` @jo;k:l\nm\x1b[31m";

    #[test]
    fn control_characters_are_spelled_out() {
        assert_eq!(controls("a\x1b[31mb", false), "a\\u{1b}[31mb");
        assert_eq!(controls("a\nb", false), "a\\nb");
        assert_eq!(controls("a\tb\r", false), "a\\tb\\r");
        assert_eq!(controls("a\nb", true), "a\nb");
        assert_eq!(controls("x\u{202e}y", true), "x\\u{202e}y");
        assert_eq!(controls("x\u{200f}y", true), "x\\u{200f}y");
        assert!(matches!(controls("plain", false), Cow::Borrowed(_)));
    }

    #[test]
    fn dot_strings_keep_their_quotes_closed() {
        assert_eq!(
            dot(HOSTILE),
            "a \\\"q\\\" [b] {c} |d| --> e %% f #g <h> & `i` @jo;k:l\\\\nm\\\\u{1b}[31m"
        );
        assert_eq!(dot("back\\slash"), "back\\\\slash");
    }

    #[test]
    fn mermaid_labels_use_entities() {
        assert_eq!(
            mermaid_label(HOSTILE),
            "a #quot;q#quot; [b] {c} |d| --#gt; e %% f #35;g #lt;h#gt; #amp; #96;i#96; @jo;k:l\\nm\\u{1b}[31m"
        );
        assert_eq!(mermaid_id("backup-db-2"), "t_backup_db_2");
    }

    #[test]
    fn gantt_names_drop_what_ends_them() {
        assert_eq!(
            gantt_name(HOSTILE),
            "a  q   b   c   d  --  e %% f  g  h  &  i  @jo k l m  31m"
        );
        // A name that would start a comment is broken up.
        assert_eq!(gantt_name("  %% hidden"), "% % hidden");
        assert_eq!(gantt_name("%%"), "% %");
    }

    #[test]
    fn markdown_escapes_markup_and_mentions() {
        assert_eq!(
            markdown(HOSTILE),
            "a \"q\" \\[b\\] {c} \\|d\\| --&gt; e %% f \\#g &lt;h&gt; &amp; \\`i\\` `@jo`;k:l\\\\nm\\\\u{1b}\\[31m"
        );
        assert_eq!(markdown("*x* _y_ ~z~"), "\\*x\\* \\_y\\_ \\~z\\~");
        // An address is not a mention.
        assert_eq!(markdown("ana@example.com"), "ana@example.com");
        assert_eq!(markdown("@org/team-a!"), "`@org/team-a`!");
    }

    #[test]
    fn code_spans_fence_past_any_backticks() {
        assert_eq!(code_span("main...HEAD"), "`main...HEAD`");
        assert_eq!(code_span("a `b` c"), "``a `b` c``");
        assert_eq!(code_span("`x``"), "``` `x`` ```");
        assert_eq!(code_span("a\nb"), "`a\\nb`");
    }
}
