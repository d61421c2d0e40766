#!/usr/bin/env node
// Drives Debian's chromium through playwright-core for git-task's browser
// tests (tests/it/board_browser.rs) and the board benchmark
// (benches/board.rs).
//
// Usage: node driver.mjs SCENARIO.json   (or the scenario on stdin: "-")
//
// A scenario is {"viewport": {"width", "height"}, "timeout": MS, "steps": [...]}
// and each step is one object with one of these keys:
//
//   {"open": URL or PATH}                 go to a URL (a plain path is a file)
//   {"click": SELECTOR}                   click the first element matching it
//   {"fill": SELECTOR, "value": TEXT}     type into an input or a textarea
//   {"press": SELECTOR, "key": KEY}       press a key in an element
//   {"select": SELECTOR, "value": VALUE}  choose an option of a <select>
//   {"wait": SELECTOR, "state": S}        wait for an element to be "visible"
//                                         (default), "attached", "hidden"
//                                         or "detached"
//   {"wait_for": EXPRESSION}              wait until a JS expression is truthy
//   {"eval": EXPRESSION, "as": NAME}      evaluate a JS expression in the page
//                                         (a promise is awaited) and record
//                                         its value under NAME
//   {"run": [ARGV...], "as": NAME}        run a program with the driver's own
//                                         environment and working directory;
//                                         records {code, stdout, stderr}
//   {"screenshot": PATH, "full_page": B}  save a PNG of the viewport (or of
//                                         the whole page)
//   {"sleep": MS}                         wait that long
//
// Each step may carry "timeout" (ms, default the scenario's, itself 10000);
// "wait_for" also "polling" (ms between two evaluations, default 10).
// Expressions see the values recorded so far as `values`.
//
// It prints one JSON object on stdout:
//   {"ok": bool, "values": {NAME: VALUE}, "steps": [{"step", "start_ms",
//    "end_ms"}], "requests": [{"url", "method", "resource_type"}],
//    "console": [{"type", "text"}], "page_errors": [TEXT],
//    "error": null or {"step": INDEX, "message": TEXT}}
// where the times are milliseconds since the browser was up, and
// "requests" is every request the page made except the navigations to the
// documents the scenario opened. The first failing step stops the
// scenario; the driver still prints what it saw and exits 1. It exits 2
// when it cannot start (no chromium, an unreadable scenario).

import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium } from "playwright-core";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function readScenario(arg) {
  const text = !arg || arg === "-" ? readFileSync(0, "utf8") : readFileSync(arg, "utf8");
  const scenario = JSON.parse(text);
  if (!Array.isArray(scenario.steps)) {
    throw new Error("the scenario has no steps array");
  }
  return scenario;
}

function toUrl(target) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    return target;
  }
  return pathToFileURL(resolve(target)).href;
}

// An expression evaluated in the page with the recorded values in scope.
function withValues(expr, values) {
  return `(() => { const values = ${JSON.stringify(values)}; return (${expr}); })()`;
}

async function main() {
  let scenario;
  try {
    scenario = readScenario(process.argv[2]);
  } catch (e) {
    process.stderr.write(`driver: cannot read the scenario: ${e.message}\n`);
    process.exit(2);
  }
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  const defaultTimeout = scenario.timeout ?? 10000;
  const profile = mkdtempSync(join(tmpdir(), "git-task-chromium-"));
  const out = {
    ok: false,
    values: {},
    steps: [],
    requests: [],
    console: [],
    page_errors: [],
    error: null,
  };
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ARGS,
      viewport: scenario.viewport ?? { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      timeout: 60000,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    process.stderr.write(`driver: cannot start ${executablePath}: ${e.message}\n`);
    process.exit(2);
  }
  const t0 = performance.now();
  const since = () => Math.round((performance.now() - t0) * 1000) / 1000;
  const opened = new Set();
  context.on("request", (request) => {
    const url = request.url();
    if (request.isNavigationRequest() && opened.has(url)) {
      return;
    }
    out.requests.push({
      url,
      method: request.method(),
      resource_type: request.resourceType(),
    });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => out.console.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => out.page_errors.push(String(e && e.stack ? e.stack : e)));

  for (const [index, step] of scenario.steps.entries()) {
    const timeout = step.timeout ?? defaultTimeout;
    const start_ms = since();
    try {
      if ("open" in step) {
        const url = toUrl(step.open);
        opened.add(url);
        await page.goto(url, { timeout, waitUntil: "load" });
      } else if ("click" in step) {
        await page.click(step.click, { timeout });
      } else if ("fill" in step) {
        await page.fill(step.fill, step.value, { timeout });
      } else if ("press" in step) {
        await page.press(step.press, step.key, { timeout });
      } else if ("select" in step) {
        await page.selectOption(step.select, step.value, { timeout });
      } else if ("wait" in step) {
        await page.waitForSelector(step.wait, { state: step.state ?? "visible", timeout });
      } else if ("wait_for" in step) {
        // Polled from here rather than with waitForFunction, which
        // evaluates a string inside the page and so breaks on a page whose
        // Content-Security-Policy forbids eval (the board's does).
        const expr = withValues(step.wait_for, out.values);
        const deadline = performance.now() + timeout;
        while (!(await page.evaluate(expr))) {
          if (performance.now() > deadline) {
            throw new Error(`wait_for timed out after ${timeout} ms: ${step.wait_for}`);
          }
          await new Promise((r) => setTimeout(r, step.polling ?? 10));
        }
      } else if ("eval" in step) {
        const value = await Promise.race([
          page.evaluate(withValues(step.eval, out.values)),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`eval timed out after ${timeout} ms`)), timeout),
          ),
        ]);
        if (step.as) {
          out.values[step.as] = value === undefined ? null : value;
        }
      } else if ("run" in step) {
        const [program, ...args] = step.run;
        const r = spawnSync(program, args, { encoding: "utf8", timeout });
        if (r.error) {
          throw r.error;
        }
        const value = { code: r.status, stdout: r.stdout, stderr: r.stderr };
        if (step.as) {
          out.values[step.as] = value;
        }
      } else if ("screenshot" in step) {
        mkdirSync(dirname(resolve(step.screenshot)), { recursive: true });
        await page.screenshot({
          path: step.screenshot,
          fullPage: step.full_page ?? false,
          timeout,
        });
      } else if ("sleep" in step) {
        await page.waitForTimeout(step.sleep);
      } else {
        throw new Error(`unknown step ${JSON.stringify(step)}`);
      }
    } catch (e) {
      out.steps.push({ step, start_ms, end_ms: since() });
      out.error = { step: index, message: String(e && e.message ? e.message : e) };
      break;
    }
    out.steps.push({ step, start_ms, end_ms: since() });
  }
  out.ok = out.error === null;
  await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(out.ok ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(`driver: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
