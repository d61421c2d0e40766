//! `git task board`: the plan as one self-contained HTML page.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use git_task::board::page::{self, Live, Payload};
use git_task::board::svg;
use git_task::dashboard::Dashboard;
use git_task::drawing::Drawing;
use git_task::facts::Facts;
use git_task::graph::{Calendar, CriticalPath, Open, Schedule, tracks};
use git_task::log::RecentOptions;
use git_task::output::{BoardData, BoardParts, BoardPlan, HistoryRead, PlanParts};

use super::render::View;
use super::{CliError, CliResult, Ctx, Reading, RevArgs};

/// Write the board: one HTML page to look at the plan
///
/// The page shows, for the working tree or --rev REV:
///   * a kanban of the tasks by state (ready, blocked, in progress, done,
///     cancelled) with owner, priority, estimate, labels and due dates;
///   * the dependency graph in layers by waves, the critical path
///     highlighted, tracks coloured, convergence points and gates marked
///     (the drawing of `graph --format svg`);
///   * a Gantt chart of the schedule for --workers N;
///   * the gates of each protected branch, and progress per epic and
///     overall;
///   * search and filters by label, owner, kind and state, and a panel
///     per task with its description, criteria, notes, what it waits for,
///     what waits for it and its recent history from git.
///
/// The file is self-contained: styles, script, data and drawings are
/// inline, and opening it fetches nothing from anywhere. Mail it, keep it
/// as a CI artifact, or publish it as a page. `git task serve` shows the
/// same page live.
///
/// Without -o the page goes to standard output, or, on a terminal, to
/// board.html in git-task's folder of the git directory, whose path is
/// printed. With --json the board's data is printed instead of the page
/// (schema: docs/schema/board.json).
///
/// Examples:
///   git task board -o board.html
///   git task board --rev main --workers 3 -o main.html
///   git task board --json | jq '.critical_path'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Write the page to FILE (replaced whole, never left half-written).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub options: Options,

    #[command(flatten)]
    pub rev: RevArgs,
}

/// What a board shows, for `board` and `serve` alike.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// How many people (or agents) the schedule has, as in `plan`.
    #[arg(long, short, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub workers: u32,

    /// Draw completed and cancelled tasks in the graph too; by default it
    /// shows what is left, as `graph` does.
    #[arg(long, short)]
    pub all: bool,
}

/// A board drawn: its name, and its payload as JSON ready for the page.
pub struct Drawn {
    pub name: String,
    /// The payload, written by [`page::script_json`].
    pub json: String,
}

impl Drawn {
    /// The page, live when `live` is given.
    pub fn page(&self, live: Option<&Live>) -> String {
        page::page_of_json(&self.name, &self.json, live)
    }
}

pub fn run(ctx: &mut Ctx, args: Args) -> CliResult {
    let reading = ctx.read_tasks(&args.rev)?;
    if ctx.json {
        let board = with_board(ctx, &reading, &args.rev, &args.options, |board, _| {
            serde_json::to_value(&board).expect("the board serializes")
        });
        ctx.ui.json(&board)?;
        return Ok(());
    }
    let drawn = draw(ctx, &reading, &args.rev, &args.options)?;
    let html = drawn.page(None);
    // The path as given, or in full where git-task chose it.
    let target = match &args.output {
        Some(path) => path.clone(),
        None if !std::io::stdout().is_terminal() => {
            ctx.ui.out().write_all(html.as_bytes())?;
            return Ok(());
        }
        None => {
            let dir = reading.ws.private_dir();
            std::path::absolute(&dir).unwrap_or(dir).join("board.html")
        }
    };
    // A relative -o is taken from -C DIR, as git takes paths after -C.
    write_whole(&ctx.path(&target), html.as_bytes())?;
    writeln!(ctx.ui.out(), "wrote the board to {}", target.display())?;
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed
/// over it: a reader sees the old page or the new one, never half.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |e: std::io::Error| git_task::Error::io(path, e);
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut builder = tempfile::Builder::new();
    // A page is a document to share, not a secret: the mode a new file
    // gets (0666 less the umask), where a temporary file would be 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// The board of `reading`, drawn and written as JSON for the page.
pub fn draw(
    ctx: &Ctx,
    reading: &Reading,
    rev: &RevArgs,
    options: &Options,
) -> Result<Drawn, CliError> {
    let mut name = String::new();
    let json = with_board(ctx, reading, rev, options, |board, drawings| {
        name = board.name.to_string();
        page::script_json(&drawings.payload(board))
    });
    Ok(Drawn { name, json })
}

/// What the page draws besides the board's data, drawn only for the page
/// (`board --json` has no use for it).
struct Drawings<'a> {
    facts: &'a Facts<'a>,
    drawing: Drawing,
    open: Option<&'a Open<'a>>,
    plan: Option<(&'a CriticalPath, &'a Schedule)>,
    calendar: Calendar,
}

impl Drawings<'_> {
    /// The page's payload: `board` and both drawings.
    fn payload<'b>(&self, board: BoardData<'b>) -> Payload<'b> {
        Payload {
            version: git_task::output::Version,
            board,
            graph_svg: svg::graph(self.facts, &self.drawing, self.open),
            gantt_svg: match self.plan {
                Some((cp, schedule)) => svg::gantt(self.facts, cp, schedule, Some(self.calendar)),
                None => String::new(),
            },
        }
    }
}

/// Builds the board of `reading` and hands it to `f` with what draws it:
/// both borrow from everything built here.
fn with_board<T>(
    ctx: &Ctx,
    reading: &Reading,
    rev: &RevArgs,
    options: &Options,
    f: impl FnOnce(BoardData<'_>, &Drawings<'_>) -> T,
) -> T {
    let set = &reading.set;
    let view = View::new(set).dated(ctx);
    let dashboard = Dashboard::new(&view);
    let zone = ctx.local_zone();
    let calendar = Calendar::from_now(zone.local(ctx.now));
    let open = Open::new(&view.graph);
    let (plan_parts, cycles) = match &open {
        Ok(open) => {
            let waves = open.waves();
            let cp = open.critical_path();
            let schedule = open.schedule(&view.graph, &cp, options.workers as usize);
            let tracks = tracks(open, &cp);
            (Some((waves, cp, schedule, tracks)), Vec::new())
        }
        Err(cycles) => (None, cycles.0.clone()),
    };
    let plan = plan_parts
        .as_ref()
        .map(|(waves, cp, schedule, tracks)| BoardPlan {
            parts: PlanParts {
                waves,
                critical_path: cp,
                schedule,
                calendar,
                zone: &zone,
            },
            tracks,
        });
    let name = board_name(&reading.ws);
    let source = match &rev.rev {
        Some(r) => r.clone(),
        None => "working tree".to_string(),
    };
    // The history of the working tree's tasks is HEAD's; a revision's
    // board has none rather than another commit's.
    let history = RecentOptions::default();
    let recent = match &rev.rev {
        Some(_) => None,
        None => match git_task::log::recent(&reading.ws, &history) {
            Ok(recent) => Some(recent),
            Err(e) => {
                ctx.ui.warning(&format!("the board shows no history: {e}"));
                None
            }
        },
    };
    let read = recent.as_ref().map(|r| HistoryRead {
        max_commits: history.max_commits,
        per_task: history.per_task,
        truncated: r.truncated,
    });
    let board = BoardData::new(
        &view,
        BoardParts {
            name: &name,
            source: &source,
            dashboard: &dashboard,
            plan,
            cycles: &cycles,
            config: &reading.config,
            history: recent.as_ref().map(|r| &r.tasks).zip(read.as_ref()),
        },
    );
    let drawings = Drawings {
        facts: &view,
        drawing: Drawing::new(&view.graph, None, options.all),
        open: open.as_ref().ok(),
        plan: plan_parts
            .as_ref()
            .map(|(_, cp, schedule, _)| (cp, schedule)),
        calendar,
    };
    f(board, &drawings)
}

/// The repository's folder name, or the git directory's for a bare one.
fn board_name(ws: &git_task::store::Workspace) -> String {
    let dir = if ws.is_bare() {
        ws.git_dir()
    } else {
        ws.root()
    };
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    dir.file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "tasks".into())
}
