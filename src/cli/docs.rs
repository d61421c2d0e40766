//! `git task completions` and `git task man`: generated from the same clap
//! definition as the help text, so they never disagree with it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use git_task::error::Error;
use git_task::store::Source;

use super::ui::escape;
use super::{Cli, CliError, CliResult, Ctx};

/// Print a shell completion script.
///
/// It completes commands, options, the values of --status, --kind,
/// --priority and the like, and the ids of the repository's tasks, both for
/// `git task <TAB>` (through git's own completion) and `git-task <TAB>`.
///
/// bash: `git-task completions bash > ~/.local/share/bash-completion/completions/git-task`
///
/// zsh: `git-task completions zsh > ~/.zfunc/_git-task` (with ~/.zfunc in fpath)
///
/// fish: `git-task completions fish > ~/.config/fish/completions/git-task.fish`
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to write the script for.
    pub shell: Shell,

    /// Print the candidates for WORDS (the words after `git task`, the last
    /// being the one completed), as the bash, zsh and fish scripts do.
    #[arg(long, hide = true)]
    pub complete: bool,

    /// The words of the command line being completed.
    #[arg(last = true, hide = true, requires = "complete")]
    pub words: Vec<String>,
}

pub fn run_completions(ctx: &mut Ctx, args: CompletionsArgs) -> CliResult {
    if args.complete {
        return print_candidates(ctx, args.shell, &args.words);
    }
    let script: Vec<u8> = match args.shell {
        Shell::Bash => include_bytes!("shell/git-task.bash").to_vec(),
        Shell::Zsh => include_bytes!("shell/git-task.zsh").to_vec(),
        Shell::Fish => include_bytes!("shell/git-task.fish").to_vec(),
        other => {
            // clap_complete panics on a write error: generate into memory,
            // so a closed pipe (`| head -1`) ends the command quietly.
            let mut command = Cli::command().bin_name("git-task");
            let mut script = Vec::new();
            clap_complete::generate(other, &mut command, "git-task", &mut script);
            script
        }
    };
    ctx.ui.out().write_all(&script)?;
    Ok(())
}

/// One completion: the text and what it means.
#[derive(Debug, PartialEq)]
struct Candidate {
    value: String,
    help: String,
}

/// Prints what completes the last of `words`, in the shell's format: bash
/// takes the values, zsh `value:help`, fish `value<TAB>help`.
fn print_candidates(ctx: &mut Ctx, shell: Shell, words: &[String]) -> CliResult {
    let mut root = Cli::command();
    root.build();
    let candidates = candidates(&root, words, |dir| task_ids(ctx, dir));
    let out = ctx.ui.out();
    for c in candidates {
        match shell {
            Shell::Zsh => writeln!(out, "{}:{}", c.value.replace(':', "\\:"), c.help)?,
            Shell::Fish => writeln!(out, "{}\t{}", c.value, c.help)?,
            _ => writeln!(out, "{}", c.value)?,
        }
    }
    Ok(())
}

/// The ids of the tasks in the work tree of the repository around `dir`
/// (from `-C DIR` on the line completed) or the current directory; none
/// when there is no repository: completion never prints an error.
fn task_ids(ctx: &Ctx, dir: Option<&Path>) -> Vec<Candidate> {
    let ids = || -> Result<Vec<Candidate>, CliError> {
        // `read`, not `load`: a task file that does not read hides only
        // itself, not every id.
        let loaded = ctx.workspace_in(dir)?.read(&Source::WorkTree)?;
        Ok(loaded
            .tasks
            .iter()
            .map(|t| Candidate {
                value: t.id.to_string(),
                help: format!("{} ({})", escape(&t.subject, false), t.status),
            })
            .collect())
    };
    ids().unwrap_or_default()
}

/// Whether an argument names an existing task. `add --id` names a new one.
fn takes_task_id(arg: &clap::Arg) -> bool {
    let named = arg
        .get_value_names()
        .and_then(|names| names.first())
        .is_some_and(|name| matches!(name.as_str(), "ID" | "BLOCKERS" | "ROOT" | "OLD"));
    named && arg.get_long() != Some("id")
}

fn takes_value(arg: &clap::Arg) -> bool {
    arg.get_action().takes_values()
}

/// What completes the last of `words` (the words after `git task`), from
/// the command definition: subcommands, options, the possible values of an
/// option or argument, or task ids from `ids`. Nothing for a file, a
/// directory or free text (the shell then offers files).
fn candidates(
    root: &clap::Command,
    words: &[String],
    ids: impl FnOnce(Option<&Path>) -> Vec<Candidate>,
) -> Vec<Candidate> {
    let (cur, before) = match words.split_last() {
        Some((cur, before)) => (cur.as_str(), before),
        None => ("", &[][..]),
    };
    let mut cmd = root;
    let mut dir: Option<PathBuf> = None;
    // The option whose value comes next, and one that takes several.
    let mut pending: Option<&clap::Arg> = None;
    let mut several: Option<&clap::Arg> = None;
    let mut positionals = 0;
    let mut only_positionals = false;
    for word in before {
        if let Some(arg) = pending.take() {
            if arg.get_id() == "dir" {
                dir = Some(PathBuf::from(word));
            }
            if arg.get_num_args().is_some_and(|n| n.max_values() > 1) {
                several = Some(arg);
            }
            continue;
        }
        if !only_positionals && word == "--" {
            only_positionals = true;
            several = None;
            continue;
        }
        if !only_positionals && word.starts_with('-') && word.len() > 1 {
            several = None;
            let arg = if let Some(long) = word.strip_prefix("--") {
                let name = long.split('=').next().unwrap_or(long);
                cmd.get_arguments().find(|a| a.get_long() == Some(name))
            } else {
                let short = word[1..].chars().next();
                cmd.get_arguments().find(|a| a.get_short() == short)
            };
            if let Some(arg) = arg.filter(|a| takes_value(a)) {
                let attached = word.contains('=') || (!word.starts_with("--") && word.len() > 2);
                if !attached {
                    pending = Some(arg);
                } else if arg.get_id() == "dir" {
                    dir = Some(PathBuf::from(&word[2..]));
                }
            }
            continue;
        }
        if several.is_some() {
            continue;
        }
        if positionals == 0
            && let Some(sub) = cmd.find_subcommand(word)
        {
            cmd = sub;
            continue;
        }
        positionals += 1;
    }
    let arg = if let Some(arg) = pending {
        Some(arg)
    } else if cur.starts_with('-') && !only_positionals {
        let options = cmd.get_arguments().filter(|a| !a.is_hide_set());
        let candidates = options.filter_map(|a| {
            Some(Candidate {
                value: format!("--{}", a.get_long()?),
                help: first_line(a.get_help()),
            })
        });
        return filtered(candidates, cur);
    } else if several.is_some() {
        several
    } else if positionals == 0 && cmd.has_subcommands() {
        let subs = cmd.get_subcommands().filter(|s| !s.is_hide_set());
        let candidates = subs.map(|s| Candidate {
            value: s.get_name().to_owned(),
            help: first_line(s.get_about()),
        });
        return filtered(candidates, cur);
    } else {
        let mut args = cmd.get_positionals();
        let last = cmd.get_positionals().last();
        args.nth(positionals)
            .or(last.filter(|a| a.get_num_args().is_some_and(|n| n.max_values() > 1)))
    };
    let Some(arg) = arg else {
        return Vec::new();
    };
    // After `pending,`: complete the next value of the list.
    let (head, _) = match arg.get_value_delimiter() {
        Some(d) => cur.rsplit_once(d).map_or(("", cur), |(h, t)| (h, t)),
        None => ("", cur),
    };
    let head = if head.is_empty() {
        String::new()
    } else {
        format!("{head}{}", arg.get_value_delimiter().unwrap_or(','))
    };
    let values: Vec<Candidate> = if takes_task_id(arg) {
        ids(dir.as_deref())
    } else {
        arg.get_possible_values()
            .into_iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| Candidate {
                value: v.get_name().to_owned(),
                help: first_line(v.get_help()),
            })
            .collect()
    };
    // A value already in the list is not offered again.
    let given: Vec<&str> = match arg.get_value_delimiter() {
        Some(d) if !head.is_empty() => head.split(d).collect(),
        _ => Vec::new(),
    };
    let values = values
        .into_iter()
        .filter(|c| !given.contains(&c.value.as_str()));
    filtered(
        values.map(|c| Candidate {
            value: format!("{head}{}", c.value),
            ..c
        }),
        cur,
    )
}

fn filtered(candidates: impl Iterator<Item = Candidate>, cur: &str) -> Vec<Candidate> {
    candidates.filter(|c| c.value.starts_with(cur)).collect()
}

fn first_line(text: Option<&clap::builder::StyledStr>) -> String {
    let text = text.map(|t| t.to_string()).unwrap_or_default();
    text.lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_owned()
}

/// Print the man page git-task(1), or install it.
///
/// One page has every command, with its synopsis, description and options;
/// `git help task` and `git task --help` show it (git runs `man git-task`).
///
/// `--install` writes it to share/man/man1/git-task.1 beside the directory
/// of the binary: ~/.cargo/share/man/man1 after `cargo install`. man finds
/// it there because the binary's directory is on PATH, which `git task`
/// needs anyway (for each PATH entry DIR, man-db also searches
/// DIR/../share/man).
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write the page into the man directory beside the binary instead of
    /// printing it.
    #[arg(long)]
    pub install: bool,

    /// With --install: the man directory to write to instead (the page goes
    /// to MANDIR/man1/git-task.1).
    #[arg(long, value_name = "MANDIR", requires = "install", value_hint = clap::ValueHint::DirPath)]
    pub man_dir: Option<PathBuf>,
}

pub fn run_man(ctx: &mut Ctx, args: ManArgs) -> CliResult {
    let page = man_page();
    if !args.install {
        ctx.ui.out().write_all(page.as_bytes())?;
        return Ok(());
    }
    let man_dir = match args.man_dir {
        Some(dir) => dir,
        None => {
            let exe = std::env::current_exe().map_err(|e| Error::io("git-task", e))?;
            let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
            let bin = exe.parent().unwrap_or(Path::new("."));
            bin.parent().unwrap_or(bin).join("share/man")
        }
    };
    let dir = man_dir.join("man1");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let path = dir.join("git-task.1");
    std::fs::write(&path, page).map_err(|e| Error::io(&path, e))?;
    writeln!(ctx.ui.out(), "installed {}", path.display())?;
    Ok(())
}

/// The whole manual as one roff page: the global options once, then every
/// command with its synopsis, description, arguments and options.
fn man_page() -> String {
    let mut root = Cli::command();
    root.build();
    let mut page = format!(
        ".TH GIT\\-TASK 1 \"\" \"git\\-task {}\" \"Git Manual\"\n",
        env!("CARGO_PKG_VERSION")
    );
    page.push_str(&format!(
        ".SH NAME\ngit\\-task \\- {}\n",
        roff(&first_line(root.get_about()))
    ));
    page.push_str(".SH SYNOPSIS\n\\fBgit task\\fR [\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGUMENTS\\fR]\n");
    page.push_str(".SH DESCRIPTION\n");
    page.push_str(&paragraphs(
        root.get_long_about().or(root.get_about()),
        ".PP",
    ));
    page.push_str(".SH \"GLOBAL OPTIONS\"\nEvery command takes these.\n");
    for arg in root.get_arguments().filter(|a| !a.is_hide_set()) {
        page.push_str(&man_arg(arg));
    }
    page.push_str(".SH COMMANDS\n");
    for sub in root.get_subcommands() {
        man_command(sub, &mut page);
    }
    page.push_str(
        ".SH \"SEE ALSO\"\n\\fBgit\\fR(1), \\fBgitattributes\\fR(5), \\fBgithooks\\fR(5)\n",
    );
    page
}

/// One command's section, then its subcommands'.
fn man_command(cmd: &clap::Command, page: &mut String) {
    if cmd.is_hide_set() || cmd.get_name() == "help" {
        return;
    }
    let usage = cmd.clone().render_usage().to_string();
    let usage = usage.trim_start_matches("Usage:").trim();
    // A command with subcommands prints one usage line per subcommand.
    let synopsis = usage.lines().next().unwrap_or(usage).trim();
    page.push_str(&format!(".SS \"{}\"\n", roff(synopsis)));
    page.push_str(&paragraphs(cmd.get_long_about().or(cmd.get_about()), ".PP"));
    let own = cmd
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_global_set())
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"));
    for arg in own {
        page.push_str(&man_arg(arg));
    }
    for sub in cmd.get_subcommands() {
        man_command(sub, page);
    }
}

/// An argument as a tagged paragraph: its names, then its whole help, its
/// values and its default.
fn man_arg(arg: &clap::Arg) -> String {
    let value = arg
        .get_value_names()
        .map(|names| {
            names
                .iter()
                .map(|n| format!("\\fI{}\\fR", roff(n)))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(format!("\\fB\\-{short}\\fR"));
    }
    if let Some(long) = arg.get_long() {
        names.push(format!("\\fB\\-\\-{}\\fR", roff(long)));
    }
    let mut tag = names.join(", ");
    if arg.get_action().takes_values() {
        if !tag.is_empty() {
            tag.push(' ');
        }
        tag.push_str(&value);
    }
    let mut out = format!(".TP\n{tag}\n");
    out.push_str(&paragraphs(arg.get_long_help().or(arg.get_help()), ".IP"));
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !values.is_empty() && arg.get_action().takes_values() {
        out.push_str(&format!(".IP\nValues: {}.\n", roff(&values.join(", "))));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && arg.get_action().takes_values() {
        out.push_str(&format!(".IP\nDefault: {}.\n", roff(&defaults.join(", "))));
    }
    out
}

/// Help text as roff paragraphs; indented lines (examples) kept as they are.
/// `between` starts each further paragraph: `.PP` in a section, `.IP` in
/// an option's paragraph.
fn paragraphs(text: Option<&clap::builder::StyledStr>, between: &str) -> String {
    let text = text.map(|t| t.to_string()).unwrap_or_default();
    let mut out = String::new();
    for (n, para) in text.trim().split("\n\n").enumerate() {
        if n > 0 {
            out.push_str(between);
            out.push('\n');
        }
        if para.lines().all(|l| l.starts_with("  ")) {
            out.push_str(".nf\n");
            for line in para.lines() {
                out.push_str(&roff(line));
                out.push('\n');
            }
            out.push_str(".fi\n");
        } else {
            let joined = para.lines().map(str::trim).collect::<Vec<_>>().join(" ");
            out.push_str(&roff(&joined));
            out.push('\n');
        }
    }
    out
}

/// Text that roff prints as it is.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and every argument of every command, as `git task
    /// ... --help` shows them, has a line of help.
    #[test]
    fn every_command_and_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            if cmd.get_about().is_none() {
                missing.push(format!("{path}: the command"));
            }
            for arg in cmd.get_arguments() {
                if arg.get_help().is_none() {
                    missing.push(format!("{path}: {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut root = Cli::command();
        root.build();
        let mut missing = Vec::new();
        walk(&root, "git task", &mut missing);
        assert!(missing.is_empty(), "no help for:\n{}", missing.join("\n"));
    }
}
