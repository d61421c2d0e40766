//! The board's HTML page: one self-contained file.
//!
//! Styles, script, data and drawings are all inline, and the page's
//! Content-Security-Policy forbids loading anything else (`default-src
//! 'none'`), so opening it makes no network request: it can be mailed,
//! kept as a CI artifact or published as it is. The script draws the
//! page from the board document it carries; served live, it fetches the
//! same document again from the server that sent it whenever the tasks
//! change.

use schemars::JsonSchema;
use serde::Serialize;

use crate::output::{BoardData, Version};

/// The page's template; `{{name}}` marks where a part goes.
const TEMPLATE: &str = include_str!("page/board.html");
/// The page's styles.
const STYLE: &str = include_str!("page/board.css");
/// The page's script.
const SCRIPT: &str = include_str!("page/board.js");

/// What the page draws: the board document and its two drawings. The
/// page carries it, and `serve` answers it at `/data`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Payload<'a> {
    pub version: Version,
    pub board: BoardData<'a>,
    /// The dependency graph, as `graph --format svg` draws it.
    pub graph_svg: String,
    /// The schedule for the board's workers.
    pub gantt_svg: String,
}

/// A page served live: where it follows the changes and, when writes
/// are allowed, the token its requests must carry.
#[derive(Debug, Clone, Serialize)]
pub struct Live {
    /// The stream of change events.
    pub events: String,
    /// Where the payload is fetched again.
    pub data: String,
    /// Whether the page may change tasks.
    pub write: bool,
    /// The token of this server process; only when `write` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl Live {
    /// A live page of a server at its root, writable with `token` when one
    /// is given.
    pub fn new(token: Option<String>) -> Live {
        Live {
            events: "/events".into(),
            data: "/data".into(),
            write: token.is_some(),
            token,
        }
    }
}

/// The payload as JSON that can sit inside a `<script>` element: every
/// `<` is written as its escape, so no text of a task can close the
/// element or open a comment. The JSON means the same.
pub fn script_json(value: &impl Serialize) -> String {
    let text = serde_json::to_string(value).expect("the board's documents serialize");
    text.replace('<', "\\u003c")
}

/// The text of an HTML element's content: `&`, `<` and `>` escaped.
fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The page of `payload`, live when `live` is given.
pub fn page(payload: &Payload, live: Option<&Live>) -> String {
    page_of_json(payload.board.name, &script_json(payload), live)
}

/// The page of a payload already written by [`script_json`]: a server
/// that keeps the JSON of its latest payload answers both from it.
pub fn page_of_json(name: &str, data: &str, live: Option<&Live>) -> String {
    let live = live
        .map(|l| {
            format!(
                "<script id=\"board-live\" type=\"application/json\">{}</script>\n",
                script_json(l)
            )
        })
        .unwrap_or_default();
    let title = html_text(&format!("{name} · git-task board"));
    let mut out = String::with_capacity(TEMPLATE.len() + STYLE.len() + SCRIPT.len() + data.len());
    let mut rest = TEMPLATE;
    // Each part is put in once, where its mark is; what a part contains
    // is never searched for marks.
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .expect("a mark of the template ends")
            + start;
        match &rest[start + 2..end] {
            "title" => out.push_str(&title),
            "style" => out.push_str(STYLE),
            "script" => out.push_str(SCRIPT),
            "data" => out.push_str(data),
            "live" => out.push_str(&live),
            other => unreachable!("the template has no mark {other}"),
        }
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_and_styles_cannot_end_their_elements_early() {
        assert!(!SCRIPT.contains("</"), "the script has no `</`");
        assert!(!STYLE.contains("</"), "the styles have no `</`");
        assert!(!SCRIPT.contains("{{") && !STYLE.contains("{{"));
    }

    #[test]
    fn data_that_looks_like_markup_stays_data() {
        let json =
            script_json(&serde_json::json!({"subject": "</script><script>alert(1)</script> <!--"}));
        assert!(!json.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["subject"], "</script><script>alert(1)</script> <!--");
    }

    #[test]
    fn every_part_goes_in_once_and_marks_in_the_data_stay_as_they_are() {
        let page = page_of_json("a <b>", "{\"x\":\"{{script}}\"}", Some(&Live::new(None)));
        assert_eq!(page.matches("id=\"board-data\"").count(), 1);
        assert_eq!(page.matches("id=\"board-live\"").count(), 1);
        assert!(page.contains("{\"x\":\"{{script}}\"}"));
        assert!(page.contains("<title>a &lt;b&gt; · git-task board</title>"));
        assert!(!page.contains("{{style}}") && !page.contains("{{live}}"));
        assert!(page.contains("\"write\":false"));
        assert!(!page.contains("\"token\""));
    }

    #[test]
    fn a_static_page_fetches_nothing() {
        let page = page_of_json("x", "{}", None);
        assert!(!page.contains("id=\"board-live\""));
        // Nothing is loaded from elsewhere: no src or href but fragments.
        for attr in ["src=", "href="] {
            for (at, _) in page.match_indices(attr) {
                let value = &page[at + attr.len()..];
                assert!(
                    value.starts_with("\"#"),
                    "{attr} at {at}: {}",
                    &value[..40.min(value.len())]
                );
            }
        }
        assert!(page.contains("default-src 'none'"));
    }
}
