//! STAND-IN, to be replaced: the board's payload and page until
//! `board::payload` (src/cli/board.rs) and `git_task::board::page::page`
//! land. It answers with the data of `status --json` and a bare page
//! that carries the live block and the data as the contract says, so
//! that the server and its tests can be written against the routes.

use git_task::dashboard::Dashboard;
use git_task::output::StatusReport;

use super::super::render::View;
use super::super::{CliError, Ctx, RevArgs};

/// The page's data (`{"board": <status --json>, "graph_svg": "",
/// "gantt_svg": ""}`) as JSON text.
pub fn data(ctx: &mut Ctx, _workers: usize) -> Result<String, CliError> {
    let reading = ctx.read_tasks(&RevArgs::default())?;
    let set = std::mem::ManuallyDrop::into_inner(reading.set);
    let view = View::new(&set).dated(ctx);
    let dashboard = Dashboard::new(&view);
    let report = StatusReport::new(&view, &dashboard);
    let payload = serde_json::json!({
        "board": report,
        "graph_svg": "",
        "gantt_svg": "",
    });
    Ok(payload.to_string())
}

/// A page with `data` in `#board-data` and `live` in `#board-live`.
pub fn page(data: &str, live: &serde_json::Value) -> String {
    let script = |text: &str| text.replace("</", "<\\/");
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>git task board</title></head>\n<body>\n\
         <script id=\"board-data\" type=\"application/json\">{}</script>\n\
         <script id=\"board-live\" type=\"application/json\">{}</script>\n\
         </body></html>\n",
        script(data),
        script(&live.to_string())
    )
}
