//! Times `git task board -o FILE` on the realistic workload
//! (`benches/common/workload.rs`: epics of 20, labels, owners, about 30%
//! done), reports the file's size, then opens the file in Debian's
//! chromium through the browser tests' driver (`tests/browser/driver.mjs`)
//! and times what a person waits for: the page until its first render
//! (`body[data-ready=true]`), and a search and two filters until the page
//! has drawn their result.
//!
//! Run with `cargo bench --bench board [-- SIZES]` (default 10k; SIZES
//! among `1k 10k 100k` or plain numbers). It builds the release binary
//! first and prints a Markdown table for BENCHMARKS.md. Without node,
//! chromium or `tests/browser/node_modules` (`npm ci --prefix
//! tests/browser`) it says so and times the generation only.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::workload::{self, Workload};
use common::{git_task, median, run_ok};

/// node, the driver and the chromium it drives, when all are there.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let node = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("node"))
            .find(|p| p.is_file())
    });
    let missing = if node.is_none() {
        Some("node")
    } else if !Path::new(&chromium).exists() {
        Some("chromium")
    } else if !dir.join("node_modules/playwright-core").is_dir() {
        Some("playwright-core (npm ci --prefix tests/browser)")
    } else {
        None
    };
    if let Some(what) = missing {
        eprintln!("note: {what} is not installed; timing the generation only");
        return None;
    }
    Some((node.unwrap(), dir.join("driver.mjs")))
}

/// A JS expression that changes the control `selector` to `value` the way
/// a person does (an `input` event for a text field, `change` for a
/// select), waits for the page's next render (`data-version` goes up) and
/// for the frame after it to be drawn, and gives both times in ms.
fn filter_js(selector: &str, value: &str) -> String {
    format!(
        r#"(async () => {{
  const el = document.querySelector({selector:?});
  const before = document.body.dataset.version;
  const t0 = performance.now();
  el.value = {value:?};
  el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', {{bubbles: true}}));
  while (document.body.dataset.version === before) {{
    await new Promise(r => setTimeout(r, 1));
  }}
  const rendered = performance.now() - t0;
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return {{rendered, drawn: performance.now() - t0}};
}})()"#
    )
}

/// What one opening of the page measured, in ms.
struct Opened {
    /// From the start of the navigation to `data-ready`, as the driver saw.
    ready: f64,
    /// The page's own clock (from its navigation start) at `data-ready`.
    ready_in_page: f64,
    dom_content_loaded: f64,
    load: f64,
    /// The page's performance marks, if it sets any.
    marks: Vec<(String, f64)>,
    /// Each filter's time to the next frame drawn.
    filters: Vec<f64>,
}

const FILTERS: [(&str, &str, &str); 4] = [
    ("search", "input#search", "Task 12"),
    ("label", "select#filter-label", "ui"),
    ("state", "select#filter-state", "in_progress"),
    ("clear", "select#filter-state", ""),
];

fn open(node: &Path, driver: &Path, file: &Path) -> Opened {
    let mut steps = vec![
        serde_json::json!({"open": file, "timeout": 120_000}),
        serde_json::json!({"wait": "body[data-ready=true]", "state": "attached", "timeout": 120_000}),
        serde_json::json!({"eval": "(() => { const n = performance.getEntriesByType('navigation')[0]; return {now: performance.now(), dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, marks: performance.getEntriesByType('mark').map(m => [m.name, m.startTime])}; })()", "as": "timing"}),
    ];
    for (name, selector, value) in FILTERS {
        steps.push(
            serde_json::json!({"eval": filter_js(selector, value), "as": name, "timeout": 60_000}),
        );
    }
    let scenario = serde_json::json!({"viewport": {"width": 1280, "height": 800}, "steps": steps});
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("scenario.json");
    std::fs::write(&path, scenario.to_string()).expect("write the scenario");
    let out = Command::new(node)
        .arg(driver)
        .arg(&path)
        .output()
        .expect("run the driver");
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the driver printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        seen["ok"] == true,
        "the scenario failed: {}\npage errors: {}",
        seen["error"],
        seen["page_errors"]
    );
    let steps = &seen["steps"];
    let ms = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let timing = &seen["values"]["timing"];
    Opened {
        ready: ms(&steps[1]["end_ms"]) - ms(&steps[0]["start_ms"]),
        ready_in_page: ms(&timing["now"]),
        dom_content_loaded: ms(&timing["dcl"]),
        load: ms(&timing["load"]),
        marks: timing["marks"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| (m[0].as_str().unwrap_or("").to_owned(), ms(&m[1])))
            .collect(),
        filters: FILTERS
            .iter()
            .map(|(name, _, _)| ms(&seen["values"][name]["drawn"]))
            .collect(),
    }
}

fn median_f64(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let bin = git_task();
    let sizes = common::sizes();
    let browser = browser();
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    let mut breakdown = Vec::new();
    println!(
        "| tasks | board -o | file | open to ready | DOMContentLoaded | search | label filter | state filter | clear |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let runs = if n >= 100_000 { 3 } else { 5 };
        let root = tempfile::tempdir().expect("a temporary directory");
        let repo = root.path().join("repo");
        workload::write_git_task_repo(&Workload::new(n), &repo);
        let file = root.path().join("board.html");
        let generate = median(runs, || {
            run_ok(
                Command::new(&bin)
                    .current_dir(&repo)
                    .env("GIT_TASK_NOW", workload::NOW)
                    .arg("board")
                    .arg("-o")
                    .arg(&file),
            )
        });
        let bytes = std::fs::metadata(&file).expect("the board's file").len();
        let size = format!("{:.1} MB", bytes as f64 / 1e6);
        let Some((node, driver)) = &browser else {
            println!("| {n} | {} | {size} | | | | | | |", ms(generate));
            continue;
        };
        // The first opening warms the disk cache and chromium's own files.
        let _ = open(node, driver, &file);
        let opened: Vec<Opened> = (0..runs).map(|_| open(node, driver, &file)).collect();
        let pick = |f: &dyn Fn(&Opened) -> f64| median_f64(opened.iter().map(f).collect());
        let cell = |v: f64| format!("{v:.0} ms");
        println!(
            "| {n} | {} | {size} | {} | {} | {} | {} | {} | {} |",
            ms(generate),
            cell(pick(&|o| o.ready)),
            cell(pick(&|o| o.dom_content_loaded)),
            cell(pick(&|o| o.filters[0])),
            cell(pick(&|o| o.filters[1])),
            cell(pick(&|o| o.filters[2])),
            cell(pick(&|o| o.filters[3])),
        );
        let last = opened.last().expect("at least one run");
        let mut line = format!(
            "{n} tasks, one opening: ready at {:.0} ms by the page's clock, load at {:.0} ms",
            last.ready_in_page, last.load
        );
        for (name, at) in &last.marks {
            line.push_str(&format!(", {name} at {at:.0} ms"));
        }
        breakdown.push(line);
    }
    for line in breakdown {
        println!("\n{line}");
    }
}
