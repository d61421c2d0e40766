//! The board: the whole plan as one page to look at rather than read.
//!
//! The same answers the CLI prints (states, waves, the critical path,
//! tracks, the schedule, gates and progress) gathered into one document,
//! laid out and drawn as SVG in Rust, and rendered as a self-contained HTML
//! page (`git task board`) or served live (`git task serve`). Nothing here
//! computes an answer of its own: it arranges the library's.

pub mod page;
pub mod svg;
