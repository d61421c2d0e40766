//! A real browser for the board's tests: Debian's chromium driven by
//! playwright-core through `tests/browser/driver.mjs`, which reads a
//! scenario of steps and prints what it saw as JSON (its header says what
//! each step does).
//!
//! The pieces are node, the chromium binary (`$CHROMIUM`, else
//! `/usr/bin/chromium`) and `tests/browser/node_modules` (`npm ci --prefix
//! tests/browser`). `.ci/run` installs all three; without one a test skips
//! with a note on a developer machine and fails under `CI`, as
//! [`super::have_tool`] does for other tools.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

use super::{Run, TestEnv, find_tool, have_tool, run};

/// One browser at a time: the tests of a binary run in parallel, and a
/// handful of chromiums on two cores would make the timing checks (a
/// change shown within 2 seconds) measure the machine's load instead.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Where node, chromium and the driver are.
pub struct Browser {
    node: PathBuf,
    chromium: PathBuf,
    driver: PathBuf,
}

/// The directory of the driver and its `package.json`.
pub fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Where screenshots kept as CI artifacts go: `target/board-screenshots`
/// (under `CARGO_TARGET_DIR` when that is set).
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("board-screenshots")
}

impl Browser {
    /// The browser for `what`, or `None` (after a note) when a piece is
    /// missing on a developer machine; under `CI` a missing piece fails.
    #[track_caller]
    pub fn find(what: &str) -> Option<Browser> {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        if !have_tool("node", what) || !have_tool(&chromium, what) {
            return None;
        }
        let modules = browser_dir().join("node_modules/playwright-core");
        if !modules.is_dir() {
            assert!(
                std::env::var_os("CI").is_none(),
                "{} is missing, needed for {what}; .ci/run installs it (npm ci --prefix tests/browser)",
                modules.display()
            );
            eprintln!(
                "note: playwright-core is not installed (npm ci --prefix tests/browser); skipping {what}"
            );
            return None;
        }
        Some(Browser {
            node: find_tool("node").expect("node, found above"),
            chromium: PathBuf::from(chromium),
            driver: browser_dir().join("driver.mjs"),
        })
    }

    /// Runs `scenario` in the repository of `env` with its pinned
    /// environment (so that a `run` step's `git task` is pinned too) and
    /// returns what the driver saw. A failed step fails the test, showing
    /// the step, the page's console and its errors.
    #[track_caller]
    pub fn run(&self, env: &TestEnv, scenario: &Value) -> Seen {
        let seen = self.try_run(env, scenario);
        if let Some(error) = &seen.json["error"].as_object() {
            let step = error["step"].as_u64().unwrap_or(0) as usize;
            panic!(
                "the browser's step {step} failed: {}\nstep: {}\nconsole: {}\npage errors: {}\nvalues: {}",
                error["message"],
                scenario["steps"][step],
                seen.json["console"],
                seen.json["page_errors"],
                seen.json["values"],
            );
        }
        seen
    }

    /// Like [`Browser::run`], returning a failed scenario instead of
    /// failing the test.
    #[track_caller]
    pub fn try_run(&self, env: &TestEnv, scenario: &Value) -> Seen {
        let file = env.dir.path().join(format!(
            "scenario-{}.json",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::write(&file, serde_json::to_vec_pretty(scenario).unwrap()).unwrap();
        let out: Run = {
            let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
            run(env
                .command(self.node.to_str().expect("a UTF-8 path"))
                .env("CHROMIUM", &self.chromium)
                .arg(&self.driver)
                .arg(&file))
        };
        assert!(
            out.code == 0 || out.code == 1,
            "the driver did not run (exit {}):\n{}",
            out.code,
            out.stderr
        );
        let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "the driver printed no JSON ({e}):\n{}\n{}",
                out.stdout, out.stderr
            )
        });
        Seen { json }
    }
}

/// What the driver saw: the values recorded, the steps' times, the
/// requests and the page's errors.
pub struct Seen {
    pub json: Value,
}

impl Seen {
    /// The value a step recorded `as` NAME.
    #[track_caller]
    pub fn value(&self, name: &str) -> &Value {
        self.json["values"]
            .get(name)
            .unwrap_or_else(|| panic!("no value {name} in {}", self.json["values"]))
    }

    /// The value recorded as NAME, as a list of strings.
    #[track_caller]
    pub fn strings(&self, name: &str) -> Vec<String> {
        self.value(name)
            .as_array()
            .unwrap_or_else(|| panic!("{name} is not a list: {}", self.value(name)))
            .iter()
            .map(|v| v.as_str().expect("a string").to_owned())
            .collect()
    }

    /// How long step `index` took, in milliseconds.
    pub fn step_ms(&self, index: usize) -> f64 {
        let step = &self.json["steps"][index];
        step["end_ms"].as_f64().unwrap() - step["start_ms"].as_f64().unwrap()
    }

    /// The URLs of every request the page made (the documents the
    /// scenario opened left out).
    pub fn requests(&self) -> Vec<String> {
        self.json["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["url"].as_str().unwrap().to_owned())
            .collect()
    }

    /// The page's uncaught errors.
    pub fn page_errors(&self) -> Vec<String> {
        self.json["page_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_owned())
            .collect()
    }
}
