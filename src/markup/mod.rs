//! Text in the languages other tools render: Mermaid and Graphviz DOT
//! charts, and Markdown, with the one escaper for each.
//!
//! These live in the library rather than the CLI because they are output
//! formats, not terminal rendering: the board in the browser draws the
//! same Mermaid charts, and an MCP server answers with the same Markdown,
//! so every front end writes them with these functions and none keeps a
//! copy. Each writer takes library data (a [`flowchart::Flowchart`], a
//! schedule) and returns the text; escaping user text for the terminal
//! is here too ([`escape::controls`]), since every other escaper starts
//! from it.

pub mod escape;
pub mod flowchart;
pub mod gantt;

pub use flowchart::Flowchart;
pub use gantt::gantt;
