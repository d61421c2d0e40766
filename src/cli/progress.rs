//! The progress bar of a long change (`import`, `sync`), on standard
//! error, only when it is a terminal and the change is big enough to take
//! more than a moment. Piped or redirected, nothing is drawn.

use std::io::IsTerminal;
use std::sync::Arc;

use git_task::store::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Changes of fewer files than this are over before a bar could say
/// anything.
pub const AT_LEAST: usize = 200;

/// A bar for writing the files of a change of `tasks` tasks, with `what`
/// in front of it; `None` when there is nothing to draw it on or so little
/// to do that it would only flicker. It is drawn from the first batch of
/// files on, with the number of files the change writes: a change that
/// writes nothing draws nothing.
pub fn bar(tasks: usize, what: &str) -> Option<(ProgressBar, Progress)> {
    if tasks < AT_LEAST || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} files")
            .expect("the template is well formed")
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    let ticker = bar.clone();
    let progress: Progress = Arc::new(move |done, total| {
        if total < AT_LEAST {
            return;
        }
        if ticker.is_hidden() {
            ticker.set_draw_target(ProgressDrawTarget::stderr());
        }
        ticker.set_length(total as u64);
        ticker.set_position(done as u64);
    });
    Some((bar, progress))
}
