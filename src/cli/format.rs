//! The one `--format` vocabulary. Every command that prints more than one
//! way takes `--format` with a subset of the same names: `human` (the
//! default, for people), `json`, and where they apply `markdown`, `dot`,
//! `mermaid`, `github` and `svg`. `--json` is a spelling of `--format
//! json`; the two together with another format are refused before a
//! command runs.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Markdown,
    Dot,
    Mermaid,
    Github,
    Svg,
}

const ALL: [Format; 7] = [
    Format::Human,
    Format::Json,
    Format::Markdown,
    Format::Dot,
    Format::Mermaid,
    Format::Github,
    Format::Svg,
];

impl Format {
    /// The name `--format` takes.
    fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Github => "github",
            Format::Svg => "svg",
        }
    }

    fn possible_value(self) -> PossibleValue {
        let value = PossibleValue::new(self.name());
        match self {
            // The names these had before one vocabulary, still taken.
            Format::Human => value
                .alias("text")
                .alias("tree")
                .help("for people on a terminal (the default)"),
            Format::Json => value.help("stable field names, \"version\": 1"),
            Format::Markdown => value.help("for a pull-request comment"),
            Format::Dot => value.help("a Graphviz digraph (render with dot -Tsvg)"),
            Format::Mermaid => {
                value.help("a Mermaid chart (GitHub and GitLab render it in Markdown)")
            }
            Format::Github => {
                value.help("GitHub Actions annotations, shown inline in pull requests")
            }
            Format::Svg => value.help("an SVG drawing, standalone (open it in a browser)"),
        }
    }

    /// The parser of `--format` for a command that prints the formats in
    /// `allowed`: any other name is refused by clap, with the list.
    pub fn parser(allowed: &'static [Format]) -> impl TypedValueParser<Value = Format> {
        PossibleValuesParser::new(allowed.iter().map(|f| f.possible_value())).map(|name| {
            // clap passes the name as given, which may be an alias.
            ALL.into_iter()
                .find(|f| f.possible_value().matches(&name, false))
                .expect("clap only passes the names it was given")
        })
    }

    /// This format, or json when `--json` was given.
    pub fn or_json(self, json: bool) -> Format {
        if json { Format::Json } else { self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Args {
        #[arg(long, default_value = "human", value_parser = Format::parser(&[Format::Human, Format::Json, Format::Dot]))]
        format: Format,
    }

    fn parse(args: &[&str]) -> Result<Format, clap::Error> {
        Args::try_parse_from(std::iter::once("x").chain(args.iter().copied())).map(|a| a.format)
    }

    #[test]
    fn a_command_takes_its_formats_and_the_old_names_of_human() {
        assert_eq!(parse(&[]).unwrap(), Format::Human);
        assert_eq!(parse(&["--format", "dot"]).unwrap(), Format::Dot);
        assert_eq!(parse(&["--format", "text"]).unwrap(), Format::Human);
        assert_eq!(parse(&["--format", "tree"]).unwrap(), Format::Human);
        let refused = parse(&["--format", "github"]).unwrap_err().to_string();
        assert!(
            refused.contains("[possible values: human, json, dot]"),
            "{refused}"
        );
        assert_eq!(Format::Dot.or_json(true), Format::Json);
    }
}
