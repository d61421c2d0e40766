//! Terminal output: the palette, the colour decision, escaping of user
//! text, and a stdout that turns a closed pipe into a quiet exit.
//!
//! Renderers always style their text with the [`palette`]; stdout and
//! stderr are [`anstream::AutoStream`]s that pass the codes through when
//! colour is on and strip them when it is off, so no renderer asks whether
//! colour is on (the way clap and cargo write theirs).

use std::borrow::Cow;
use std::io::{self, BufWriter, IsTerminal, Stdout, StdoutLock, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anstream::AutoStream;
use anstream::stream::RawStream;
use anstyle::Style;
use clap::ValueEnum;

/// User text made safe for the terminal: control characters and
/// bidirectional overrides spelled out. The one escaper of the library
/// ([`git_task::markup::escape::controls`]), which the Mermaid, DOT and
/// Markdown escapers build on too.
pub use git_task::markup::escape::controls as escape;

/// `--color` values. The variants have no doc comments: clap would print
/// them in `--help`, where the flag's own help says it all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Every style git-task prints with, in one place, so that a colour means
/// the same thing in every command.
pub mod palette {
    use anstyle::{AnsiColor, Color, Style};

    const fn fg(color: AnsiColor) -> Style {
        Style::new().fg_color(Some(Color::Ansi(color)))
    }

    /// Headings, field names, log subjects.
    pub const BOLD: Style = Style::new().bold();
    /// What is there but matters less: dates, labels, the tail of an id.
    pub const DIM: Style = Style::new().dimmed();
    /// Something wrong or late: overdue, removed, critical, a red gate.
    pub const RED: Style = fg(AnsiColor::Red);
    /// Something done or added: completed, `+`, `[x]`, progress.
    pub const GREEN: Style = fg(AnsiColor::Green);
    /// Something that needs a look: a change, a yellow gate, a guess.
    pub const YELLOW: Style = fg(AnsiColor::Yellow);
    /// Owners.
    pub const BLUE: Style = fg(AnsiColor::Blue);
    /// Gates and merge conflicts in a diff.
    pub const MAGENTA: Style = fg(AnsiColor::Magenta);
    /// What can start now.
    pub const CYAN: Style = fg(AnsiColor::Cyan);

    /// The `error:` label.
    pub const ERROR: Style = RED;
    /// The `warning:` label.
    pub const WARNING: Style = YELLOW;
    /// The `hint:` and `note:` labels.
    pub const HINT: Style = CYAN;
    /// The shortest unique prefix of a task id: what to type.
    pub const ID_PREFIX: Style = fg(AnsiColor::Magenta).bold();
    /// The rest of a task id.
    pub const ID_REST: Style = DIM;

    /// A blocked task.
    pub const BLOCKED: Style = RED;
    /// A task in progress.
    pub const IN_PROGRESS: Style = YELLOW;
    /// A completed task.
    pub const COMPLETED: Style = GREEN;
    /// A cancelled task.
    pub const CANCELLED: Style = DIM;
    /// A pending task that waits for nothing: ready.
    pub const READY: Style = CYAN;
}

/// Where results go: stdout (buffered) and stderr, each coloured or not
/// as `--color` and the environment decide for it.
pub struct Ui {
    out: BufWriter<AutoStream<Stdout>>,
    /// Whether stdout is a terminal: a person reads it, not a program.
    out_tty: bool,
    err_choice: anstream::ColorChoice,
}

impl Ui {
    /// Decides, once, for stdout and for stderr whether they get colour.
    pub fn new(choice: ColorChoice) -> Ui {
        let stdout = io::stdout();
        let out_choice = decide(choice, &stdout);
        let err_choice = decide(choice, &io::stderr());
        let never = anstream::ColorChoice::Never;
        let painting = out_choice != never || err_choice != never;
        PAINT.store(painting, Ordering::Relaxed);
        // With nothing painted there is nothing to strip: stdout passes
        // text through rather than scanning every byte for codes (a
        // tenth of the time of a long listing in a pipe).
        let out_choice = if painting {
            out_choice
        } else {
            anstream::ColorChoice::Always
        };
        Ui {
            out_tty: stdout.is_terminal(),
            out: BufWriter::new(AutoStream::new(stdout, out_choice)),
            err_choice,
        }
    }

    /// On a terminal, the line that says why an answer is empty; nothing
    /// in a pipe, where empty output is the answer.
    pub fn explain_empty(&mut self, text: &str) -> io::Result<()> {
        if !self.out_tty {
            return Ok(());
        }
        writeln!(self.out, "{}", paint(palette::DIM, text))
    }

    /// Stdout for human output: what is written in the palette's styles
    /// loses them when stdout is not to be coloured.
    pub fn out(&mut self) -> &mut BufWriter<AutoStream<Stdout>> {
        &mut self.out
    }

    /// Stdout for output that must arrive byte for byte (JSON carries a
    /// DEL character as it is, which the stripping stream would drop):
    /// what `out` holds is written first. Flush the writer when done.
    fn exact(&mut self) -> io::Result<BufWriter<StdoutLock<'static>>> {
        self.out.flush()?;
        Ok(BufWriter::new(io::stdout().lock()))
    }

    /// Writes out what stdout holds; a closed pipe shows here.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Writes a document of [`git_task::output`] as the JSON answer of a
    /// command.
    pub fn json(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        let mut out = self.exact()?;
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
        out.flush()
    }

    /// A diagnostic on stderr: `error: …`, `warning: …`, `hint: …`.
    pub fn diagnostic(&self, label: &str, style: Style, message: &str) {
        let mut err = self.err();
        let mut lines = message.lines();
        let first = lines.next().unwrap_or("");
        let _ = writeln!(err, "{}: {}", paint(style, label), escape(first, false));
        for line in lines {
            let _ = writeln!(err, "{}", escape(line, false));
        }
    }

    /// `error: …` on stderr.
    pub fn error(&self, message: &str) {
        self.diagnostic("error", palette::ERROR, message);
    }

    /// `warning: …` on stderr.
    pub fn warning(&self, message: &str) {
        self.diagnostic("warning", palette::WARNING, message);
    }

    /// `hint: …` on stderr.
    pub fn hint(&self, message: &str) {
        self.diagnostic("hint", palette::HINT, message);
    }

    /// Whether stderr gets colour.
    pub fn err_color(&self) -> bool {
        self.err_choice != anstream::ColorChoice::Never
    }

    /// A notice on stderr from code that has no `Ui` at hand (a callback
    /// of the library): `note: …`.
    pub fn notice(color: bool, message: &str) {
        let _ = writeln!(
            err_stream(stream_choice(color)),
            "{}: {}",
            paint(palette::HINT, "note"),
            escape(message, false)
        );
    }

    /// A message on stderr that is not a problem (what a mutation did when
    /// stdout carries the answer).
    pub fn info(&self, message: &str) {
        let _ = writeln!(self.err(), "{}", escape(message, true));
    }

    /// Stderr, locked, for a report written in pieces (escape user text
    /// in it): coloured as stderr is to be.
    pub fn err(&self) -> AutoStream<io::StderrLock<'static>> {
        err_stream(self.err_choice)
    }
}

/// Stderr, locked, coloured as `choice` says.
fn err_stream(choice: anstream::ColorChoice) -> AutoStream<io::StderrLock<'static>> {
    AutoStream::new(io::stderr(), choice).lock()
}

/// The stream choice for a colour already decided.
fn stream_choice(color: bool) -> anstream::ColorChoice {
    if color {
        anstream::ColorChoice::Always
    } else {
        anstream::ColorChoice::Never
    }
}

/// Whether `stream` gets colour: `--color always` and `never` as they say;
/// for `auto`, anstream's reading of the conventions of no-color.org and
/// bixense.com/clicolors (NO_COLOR wins over CLICOLOR_FORCE, which colours
/// even a pipe; CLICOLOR=0 turns colour off; a terminal is coloured unless
/// TERM is `dumb` or unset), with one rule anstream lacks: CLICOLOR_FORCE=0
/// forces nothing, as the clicolors convention reads it.
fn decide<S: RawStream>(choice: ColorChoice, stream: &S) -> anstream::ColorChoice {
    match choice {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => match AutoStream::choice(stream) {
            // anstream took the `0` for a force: NO_COLOR, which comes
            // first, is not set, so the answer is the one for a stream
            // nobody forces.
            anstream::ColorChoice::Always if clicolor_force_is_zero() => {
                stream_choice(unforced(stream))
            }
            decided => decided,
        },
    }
}

fn clicolor_force_is_zero() -> bool {
    std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v == "0")
}

/// anstream's answer for a terminal when nothing forces colour:
/// `CLICOLOR=0` turns it off (anstream looks at CLICOLOR_FORCE before
/// CLICOLOR, so its answer for `CLICOLOR_FORCE=0` never saw it).
fn unforced<S: RawStream>(stream: &S) -> bool {
    stream.is_terminal()
        && anstyle_query::clicolor() != Some(false)
        && (anstyle_query::term_supports_color()
            || anstyle_query::clicolor().unwrap_or(false)
            || anstyle_query::is_ci())
}

/// A task id with its shortest unique prefix highlighted.
pub fn id(id: &str, prefix_len: usize) -> String {
    let (head, tail) = id.split_at(prefix_len.min(id.len()));
    format!(
        "{}{}",
        paint(palette::ID_PREFIX, head),
        paint(palette::ID_REST, tail)
    )
}

/// Whether [`paint`] writes codes: once [`Ui::new`] has decided, only
/// when stdout or stderr is coloured, so that a run whose output is all
/// plain neither writes codes nor strips them. Unit tests paint.
static PAINT: AtomicBool = AtomicBool::new(cfg!(test));

/// `text` between the codes of `style`; empty text stays empty. Written
/// to a [`Ui`] stream, the codes are dropped when colour is off there;
/// when it is off on both, there are none.
pub fn paint(style: Style, text: &str) -> Cow<'_, str> {
    if style.is_plain() || text.is_empty() || !PAINT.load(Ordering::Relaxed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!("{style}{text}{style:#}"))
    }
}
