//! The board in a real browser: Debian's chromium driven by playwright-core
//! (`tests/browser/driver.mjs`, through `common::browser`). The page that
//! `git task board -o FILE` writes is opened from the disk and must agree
//! with the CLI's JSON answers: the kanban's counts with `list --all`, the
//! highlighted path with `critical-path`, a label filter with `list
//! --label`, the detail panel with the task's file; and it must make no
//! request at all. `git task serve` must show a change made on the command
//! line within 2 seconds, and with `--write` its "done" button must change
//! the file exactly as `git task done` does, while a post without the
//! process's token is refused. Screenshots of five shapes of plan are kept
//! in `target/board-screenshots/` (CI artifacts, tests/browser/README.md).

use serde_json::{Value, json};

use crate::common::TestEnv;
use crate::common::browser::Browser;

/// The steps that open `target` and wait for the first render.
fn open(target: &str) -> Vec<Value> {
    vec![
        json!({"open": target}),
        json!({"wait": "body[data-ready=true]", "state": "attached"}),
    ]
}

/// The harness itself: a page of its own that loads an image from the
/// disk, an inline one and fetches a URL is seen to make exactly the two
/// requests that are not `data:`, and the values and times steps record
/// come back.
#[test]
fn the_driver_logs_every_request_and_records_values() {
    let Some(browser) = Browser::find("the browser driver") else {
        return;
    };
    let env = TestEnv::new();
    let page = env.dir.path().join("page.html");
    std::fs::write(env.dir.path().join("dot.png"), b"not really a png").unwrap();
    std::fs::write(
        &page,
        r#"<!doctype html><body><img src="dot.png"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input id="search"><p id="echo"></p>
<script>
document.getElementById('search').addEventListener('input', e => {
  document.getElementById('echo').textContent = e.target.value;
  document.body.dataset.version = String(Number(document.body.dataset.version) + 1);
});
document.body.dataset.version = '0';
document.body.dataset.ready = 'true';
</script>"#,
    )
    .unwrap();
    let mut steps = open(page.to_str().unwrap());
    steps.extend([
        json!({"eval": "document.body.dataset.version", "as": "v0"}),
        json!({"fill": "#search", "value": "hello"}),
        json!({"wait_for": "document.body.dataset.version !== values.v0"}),
        json!({"eval": "document.getElementById('echo').textContent", "as": "echo"}),
        json!({"eval": "fetch('http://127.0.0.1:9/nothing').then(() => 'answered', () => 'refused')", "as": "fetch"}),
        json!({"run": ["git", "task", "add", "From the driver", "--id", "driven"], "as": "add"}),
    ]);
    let seen = browser.run(&env, &json!({"steps": steps}));
    assert_eq!(seen.value("echo"), "hello");
    assert_eq!(seen.value("fetch"), "refused");
    let requests = seen.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(
        requests[0].starts_with("file://") && requests[0].ends_with("/dot.png"),
        "{requests:?}"
    );
    assert_eq!(requests[1], "http://127.0.0.1:9/nothing");
    // A `run` step runs in the repository with the test's environment.
    assert_eq!(seen.value("add")["code"], 0, "{}", seen.value("add"));
    assert!(env.tasks_dir().join("driven.toml").exists());
    assert!(seen.step_ms(0) > 0.0);
}

/// A step that fails stops the scenario and says which one it was.
#[test]
fn the_driver_reports_the_step_that_failed() {
    let Some(browser) = Browser::find("the browser driver") else {
        return;
    };
    let env = TestEnv::new();
    let page = env.dir.path().join("page.html");
    std::fs::write(&page, "<!doctype html><body><p id=here>here</p>").unwrap();
    let seen = browser.try_run(
        &env,
        &json!({"steps": [
            {"open": page},
            {"wait": "#here"},
            {"wait": "#not-here", "timeout": 200},
            {"eval": "1", "as": "never"},
        ]}),
    );
    assert_eq!(seen.json["ok"], false);
    assert_eq!(seen.json["error"]["step"], 2, "{}", seen.json);
    assert!(seen.json["values"].get("never").is_none());
    let page_error = browser.try_run(
        &env,
        &json!({"steps": [{"open": page}, {"eval": "setTimeout(() => { throw new Error('boom') }, 0)"}, {"sleep": 100}]}),
    );
    assert!(
        page_error.page_errors().iter().any(|e| e.contains("boom")),
        "{}",
        page_error.json
    );
}
