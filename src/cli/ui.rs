//! Terminal output: colour when it is wanted, escaping of user text, and a
//! stdout that turns a closed pipe into a quiet exit.

use std::borrow::Cow;
use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

use clap::ValueEnum;

/// User text made safe for the terminal: control characters and
/// bidirectional overrides spelled out. The one escaper of the library
/// ([`git_task::markup::escape::controls`]), which the Mermaid, DOT and
/// Markdown escapers build on too.
pub use git_task::markup::escape::controls as escape;

/// `--color` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Text styles, as SGR codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Bold,
    Dim,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    IdPrefix,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Plain => "",
            Style::Bold => "1",
            Style::Dim => "2",
            Style::Red => "31",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Blue => "34",
            Style::Magenta => "35",
            Style::Cyan => "36",
            Style::IdPrefix => "1;35",
        }
    }
}

/// Where results go. Holds the colour decision for stdout and stderr.
pub struct Ui {
    out: BufWriter<Stdout>,
    /// Whether stdout is a terminal: a person reads it, not a program.
    out_tty: bool,
    color: bool,
    err_color: bool,
}

impl Ui {
    pub fn new(choice: ColorChoice) -> Ui {
        // The conventions of no-color.org and bixense.com/clicolors, in
        // anstream's order: NO_COLOR wins over CLICOLOR_FORCE, which
        // colours even a pipe; CLICOLOR=0 turns colour off on a terminal.
        let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let no_color = set("NO_COLOR").is_some();
        let force = set("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let clicolor_off = set("CLICOLOR").is_some_and(|v| v == "0");
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        let decide = |tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if no_color => false,
            ColorChoice::Auto if force => true,
            ColorChoice::Auto => tty && !clicolor_off && !dumb,
        };
        Ui {
            out: BufWriter::new(io::stdout()),
            out_tty: io::stdout().is_terminal(),
            color: decide(io::stdout().is_terminal()),
            err_color: decide(io::stderr().is_terminal()),
        }
    }

    /// `text` in `style` when colour is on.
    pub fn paint<'a>(&self, style: Style, text: &'a str) -> Cow<'a, str> {
        paint(self.color, style, text)
    }

    /// A task id with its shortest unique prefix highlighted.
    pub fn id(&self, id: &str, prefix_len: usize) -> String {
        if !self.color {
            return id.to_owned();
        }
        let (head, tail) = id.split_at(prefix_len.min(id.len()));
        format!(
            "{}{}",
            paint(true, Style::IdPrefix, head),
            paint(true, Style::Dim, tail)
        )
    }

    /// On a terminal, the line that says why an answer is empty; nothing
    /// in a pipe, where empty output is the answer.
    pub fn explain_empty(&mut self, text: &str) -> io::Result<()> {
        if !self.out_tty {
            return Ok(());
        }
        let line = paint(self.color, Style::Dim, text).into_owned();
        writeln!(self.out, "{line}")
    }

    pub fn out(&mut self) -> &mut BufWriter<Stdout> {
        &mut self.out
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Writes a document of [`git_task::output`] as the JSON answer of a
    /// command.
    pub fn json(&mut self, value: &impl serde::Serialize) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut self.out, value)?;
        writeln!(self.out)
    }

    /// A diagnostic on stderr: `error: …`, `warning: …`, `hint: …`.
    pub fn diagnostic(&self, label: &str, style: Style, message: &str) {
        let mut err = io::stderr().lock();
        let mut lines = message.lines();
        let first = lines.next().unwrap_or("");
        let _ = writeln!(
            err,
            "{}: {}",
            paint(self.err_color, style, label),
            escape(first, false)
        );
        for line in lines {
            let _ = writeln!(err, "{}", escape(line, false));
        }
    }

    pub fn error(&self, message: &str) {
        self.diagnostic("error", Style::Red, message);
    }

    pub fn warning(&self, message: &str) {
        self.diagnostic("warning", Style::Yellow, message);
    }

    pub fn hint(&self, message: &str) {
        self.diagnostic("hint", Style::Cyan, message);
    }

    /// Text already formatted (and escaped) for stderr.
    pub fn raw_err(&self, text: &str) {
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }

    /// Whether stderr gets colour.
    pub fn err_color(&self) -> bool {
        self.err_color
    }

    /// A notice on stderr from code that has no `Ui` at hand (a callback
    /// of the library): `note: …`.
    pub fn notice(color: bool, message: &str) {
        let _ = writeln!(
            io::stderr().lock(),
            "{}: {}",
            paint(color, Style::Cyan, "note"),
            escape(message, false)
        );
    }

    /// A message on stderr that is not a problem (what a mutation did when
    /// stdout carries the answer).
    pub fn info(&self, message: &str) {
        let _ = writeln!(io::stderr().lock(), "{}", escape(message, true));
    }
}

fn paint(on: bool, style: Style, text: &str) -> Cow<'_, str> {
    if on && style != Style::Plain && !text.is_empty() {
        Cow::Owned(format!("\x1b[{}m{}\x1b[0m", style.code(), text))
    } else {
        Cow::Borrowed(text)
    }
}
