// The board's page: draws the board document (`git task board --json`)
// that the page carries, and, when served live, follows the server's
// change events. Everything it shows is in the document; the SVG of the
// graph and the schedule is drawn by git-task, not here. Text from the
// tasks only ever goes in through textContent, never as markup.
"use strict";
(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  const COLUMNS = [
    ["pending", "Ready"],
    ["blocked", "Blocked"],
    ["in_progress", "In progress"],
    ["completed", "Done"],
    ["cancelled", "Cancelled"],
  ];
  const STATE_WORDS = {
    pending: "ready",
    blocked: "blocked",
    in_progress: "in progress",
    completed: "done",
    cancelled: "cancelled",
  };
  const PAGE = 200;

  const liveBlock = $("#board-live");
  const live = liveBlock ? JSON.parse(liveBlock.textContent) : null;
  let payload = JSON.parse($("#board-data").textContent);
  let byId = new Map();
  let version = 0;
  const view = {
    tab: "board",
    search: "",
    label: "",
    owner: "",
    kind: "",
    state: "",
    open: null,
    limits: {},
    zoom: { graph: 1, schedule: 1 },
    drawn: { graph: null, schedule: null },
    error: null,
  };

  // -------------------------------------------------------------------
  // Small helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else if (k === "onclick") node.addEventListener("click", v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  // Replaces the children of `node`, skipping the null and undefined a
  // conditional part leaves (DOM's replaceChildren would show "null").
  function fill(node, ...children) {
    node.replaceChildren(...children.filter((c) => c !== null && c !== undefined));
  }

  function minutes(m) {
    if (m === null || m === undefined) return "";
    if (m === 0) return "0";
    const d = Math.floor(m / 480);
    const h = Math.floor((m % 480) / 60);
    const r = m % 60;
    return [d && d + "d", h && h + "h", r && r + "m"].filter(Boolean).join(" ");
  }

  function shortDate(iso) {
    return iso ? iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, "Z") : "";
  }

  // -------------------------------------------------------------------
  // Filters

  function matches(t) {
    if (view.state && t.state !== view.state) return false;
    if (view.kind && t.kind !== view.kind) return false;
    if (view.owner && (t.owner || "") !== view.owner) return false;
    if (view.label && !t.labels.includes(view.label)) return false;
    if (view.search) {
      const q = view.search;
      const hay = (t.id + "\n" + t.subject + "\n" + (t.description || "")).toLowerCase();
      if (!hay.includes(q)) return false;
    }
    return true;
  }

  function fillSelect(select, values, word) {
    const chosen = select.value;
    fill(select, el("option", { value: "", text: "all " + word }));
    for (const [value, text] of values) select.append(el("option", { value, text }));
    select.value = values.some(([v]) => v === chosen) ? chosen : "";
  }

  function renderFilters() {
    const tasks = payload.board.tasks;
    const labels = new Set();
    const owners = new Set();
    const kinds = new Set();
    for (const t of tasks) {
      t.labels.forEach((l) => labels.add(l));
      if (t.owner) owners.add(t.owner);
      kinds.add(t.kind);
    }
    const sorted = (s) => Array.from(s).sort().map((v) => [v, v]);
    fillSelect($("#filter-label"), sorted(labels), "labels");
    fillSelect($("#filter-owner"), sorted(owners), "owners");
    fillSelect($("#filter-kind"), sorted(kinds), "kinds");
    fillSelect($("#filter-state"), COLUMNS.map(([s, title]) => [s, title.toLowerCase()]), "states");
    view.label = $("#filter-label").value;
    view.owner = $("#filter-owner").value;
    view.kind = $("#filter-kind").value;
    view.state = $("#filter-state").value;
  }

  // -------------------------------------------------------------------
  // The header

  function meter(percent) {
    const bar = el("span", { class: "meter", title: percent === null ? "no work counted" : percent + "%" }, el("span"));
    bar.firstChild.style.width = (percent || 0) + "%";
    return bar;
  }

  function renderHeader() {
    const b = payload.board;
    $("h1 .name").textContent = b.name;
    $("h1 .source").textContent = b.source;
    document.title = b.name + " · git-task board";
    const c = b.counts;
    const p = b.progress.overall;
    fill($("#summary"),
      el("span", { text: c.total + " tasks" }),
      el("span", { text: c.ready + " ready" }),
      el("span", { text: c.blocked + " blocked" }),
      el("span", { text: c.in_progress + " in progress" }),
      el("span", { text: c.completed + " done" }),
      c.overdue ? el("span", { class: "tag overdue", text: c.overdue + " overdue" }) : null,
      meter(p.percent),
      el("span", { text: p.percent === null ? "no work counted" : p.percent + "% of the work done" }),
    );
  }

  // -------------------------------------------------------------------
  // The kanban

  function card(t) {
    const tags = el("div", { class: "tags" });
    if (t.priority !== "medium") tags.append(el("span", { class: "tag prio-" + t.priority, text: t.priority }));
    if (t.kind !== "task") tags.append(el("span", { class: "tag", text: t.kind }));
    if (t.gate_state) tags.append(el("span", { class: "tag gate-" + t.gate_state, text: "gate " + t.gate_state }));
    if (t.estimate) tags.append(el("span", { class: "tag", text: t.estimate }));
    if (t.owner) tags.append(el("span", { class: "tag owner", text: "@" + t.owner }));
    if (t.due) tags.append(el("span", { class: "tag" + (t.overdue ? " overdue" : ""), text: (t.overdue ? "overdue " : "due ") + t.due }));
    for (const l of t.labels) tags.append(el("span", { class: "tag label", text: "#" + l }));
    return el(
      "div",
      { class: "card" + (t.critical ? " critical" : ""), "data-id": t.id, tabindex: "0", title: t.id },
      el("div", { class: "top" }, el("span", { class: "id", text: t.id, title: t.id }), t.critical ? el("span", { text: "critical" }) : null),
      el("div", { class: "subject", text: t.subject }),
      tags,
    );
  }

  function renderKanban(shown) {
    const byState = new Map(COLUMNS.map(([s]) => [s, []]));
    for (const t of shown) byState.get(t.state).push(t);
    const columns = COLUMNS.map(([state, title]) => {
      const list = byState.get(state);
      const limit = view.limits[state] || PAGE;
      const column = el(
        "div",
        { class: "column", "data-state": state },
        el("h2", {}, el("span", { text: title }), el("span", { class: "count", text: String(list.length) })),
      );
      const frag = document.createDocumentFragment();
      for (const t of list.slice(0, limit)) frag.append(card(t));
      column.append(frag);
      if (list.length > limit) {
        column.append(
          el("button", {
            class: "more",
            text: "show " + Math.min(PAGE, list.length - limit) + " more (" + (list.length - limit) + " hidden)",
            onclick: () => {
              view.limits[state] = limit + PAGE;
              render();
            },
          }),
        );
      }
      if (!list.length) column.append(el("div", { class: "empty", text: "none" }));
      return column;
    });
    fill($("#tab-board .columns"), ...columns);
  }

  // -------------------------------------------------------------------
  // The graph and the schedule, drawn by git-task

  function drawSvg(which, container, svg) {
    if (view.drawn[which] === payload) return;
    container.innerHTML = svg || "";
    view.drawn[which] = payload;
    applyZoom(which);
  }

  function applyZoom(which) {
    const svg = $(which === "graph" ? "#graph svg" : "#gantt svg");
    if (!svg) return;
    const vb = svg.viewBox && svg.viewBox.baseVal;
    if (!vb || !vb.width) return;
    const z = view.zoom[which];
    svg.setAttribute("width", Math.round(vb.width * z));
    svg.setAttribute("height", Math.round(vb.height * z));
  }

  function fitZoom(which) {
    const svg = $(which === "graph" ? "#graph svg" : "#gantt svg");
    const box = $(which === "graph" ? "#graph" : "#gantt");
    if (!svg || !svg.viewBox.baseVal.width) return;
    view.zoom[which] = Math.min(1, box.clientWidth / svg.viewBox.baseVal.width);
    applyZoom(which);
  }

  function dim(selector, matching, all) {
    for (const node of $$(selector)) {
      const id = node.getAttribute("data-id");
      node.classList.toggle("dimmed", !all && !matching.has(id));
      node.classList.toggle("selected", id === view.open);
    }
  }

  function renderGraph(matching) {
    const b = payload.board;
    fill($("#critical-path"),
      ...b.critical_path.map((id) => el("li", { "data-id": id, title: (byId.get(id) || {}).subject, text: id })),
    );
    $("#critical-length").textContent = b.plan
      ? "(" + (minutes(b.plan.critical_path_minutes) || "no work") + ")"
      : b.cycles.length
        ? "none: tasks wait for each other in a cycle"
        : "";
    fill($("#tracks"),
      ...b.tracks.slice(0, 8).map((t, k) =>
        el(
          "span",
          { class: "track-key" },
          el("span", { class: "swatch track-swatch-" + (k % 8) }),
          "track " + (k + 1) + ": " + t.tasks.length + " tasks, " + (minutes(t.length_minutes) || "no work"),
        ),
      ),
      b.tracks.length > 8 ? el("span", { text: "and " + (b.tracks.length - 8) + " more tracks" }) : null,
    );
    drawSvg("graph", $("#graph"), payload.graph_svg);
    dim("#graph .node[data-id]", matching, matching.size === payload.board.tasks.length);
  }

  function renderSchedule(matching) {
    const plan = payload.board.plan;
    $("#schedule-summary").textContent = plan
      ? plan.workers + (plan.workers === 1 ? " worker" : " workers") + ": everything done after " +
        (minutes(plan.finish_minutes) || "no work") + " of work" + (plan.finish ? ", on " + plan.finish.slice(0, 10) : "") +
        (plan.late.length ? "; " + plan.late.length + " late" : "")
      : "no schedule: tasks wait for each other in a cycle";
    drawSvg("schedule", $("#gantt"), payload.gantt_svg);
    dim("#gantt [data-id]", matching, matching.size === payload.board.tasks.length);
  }

  // -------------------------------------------------------------------
  // Gates and progress

  function renderGates() {
    const b = payload.board;
    const progress = el("div", {}, el("h2", { text: "Progress" }));
    const row = (cls, attrs, name, p) =>
      el("div", Object.assign({ class: cls, "data-percent": p.percent === null ? "" : String(p.percent) }, attrs),
        el("span", { text: name }), meter(p.percent),
        el("span", { text: p.percent === null ? "–" : p.percent + "%" }));
    progress.append(row("overall", {}, "Overall (" + minutes(b.progress.overall.done_minutes) + " of " + minutes(b.progress.overall.total_minutes) + ")", b.progress.overall));
    for (const e of b.progress.epics) progress.append(row("epic", { "data-id": e.id }, e.id + "  " + e.subject, e));
    if (!b.progress.epics.length) progress.append(el("div", { class: "empty", text: "no epics" }));
    fill($("#progress"), ...progress.childNodes);

    const gates = [el("h2", { text: "Gates by protected branch" })];
    for (const br of b.branches) {
      const section = el(
        "div",
        { class: "branch", "data-branch": br.branch },
        el("h3", {}, br.branch, el("span", { class: "verdict " + (br.passes ? "pass" : "hold"), text: br.passes ? "open" : "held" })),
      );
      if (!br.gates.length) section.append(el("div", { class: "empty", text: "no gate protects it" }));
      for (const g of br.gates) {
        section.append(
          el("div", { class: "gate", "data-id": g.id, "data-state": g.state },
            el("span", { class: "light", text: g.state }),
            el("span", {}, el("span", { class: "id", text: g.id + "  " }), g.subject,
              g.reasons.length ? el("div", { class: "reasons", text: g.reasons.join("; ") }) : null)),
        );
      }
      gates.push(section);
    }
    if (!b.branches.length) gates.push(el("div", { class: "empty", text: "no gates" }));
    fill($("#gates"), ...gates);
  }

  // -------------------------------------------------------------------
  // The detail panel

  function link(id) {
    const t = byId.get(id);
    return el("a", { class: "link", "data-id": id, title: t ? t.subject : "no such task", text: id });
  }

  function section(title, content) {
    return [el("h3", { text: title }), content];
  }

  function renderDetail() {
    const panel = $("#detail");
    const t = view.open && byId.get(view.open);
    document.body.classList.toggle("detail-open", !!t);
    if (!t) {
      panel.hidden = true;
      panel.removeAttribute("data-id");
      return;
    }
    panel.hidden = false;
    panel.setAttribute("data-id", t.id);
    const parts = [
      el("button", { class: "close", title: "Close", text: "×", "aria-label": "Close" }),
      el("div", { class: "id", text: t.id }),
      el("div", { class: "subject", text: t.subject }),
    ];
    const facts = el("dl");
    const fact = (name, value) => value !== null && value !== undefined && value !== "" && facts.append(el("dt", { text: name }), el("dd", {}, value));
    fact("state", STATE_WORDS[t.state] + (t.critical ? ", on the critical path" : ""));
    fact("status", t.status.replace("_", " "));
    fact("kind", t.kind);
    fact("priority", t.priority);
    fact("owner", t.owner);
    fact("estimate", t.estimate);
    fact("due", t.due ? t.due + (t.overdue ? " (overdue)" : "") : null);
    fact("labels", t.labels.join(", "));
    fact("parent", t.parent ? link(t.parent) : null);
    fact("wave", t.wave);
    fact("slack", t.slack_minutes === null ? null : minutes(t.slack_minutes) || "none");
    fact("gate", t.gate_state);
    fact("verify", t.verify);
    fact("created", shortDate(t.created));
    fact("closed", shortDate(t.closed));
    parts.push(facts);

    if (live && live.write) {
      const actions = el("div", { class: "actions" });
      if (t.status === "pending") actions.append(el("button", { "data-action": "start", "data-id": t.id, text: "start" }));
      if (t.status === "pending" || t.status === "in_progress") actions.append(el("button", { "data-action": "done", "data-id": t.id, text: "done" }));
      parts.push(actions);
    }
    if (view.error && view.error.id === t.id) parts.push(el("div", { class: "error", text: view.error.text }));

    parts.push(...section("Description", t.description ? el("div", { class: "description", text: t.description }) : el("div", { class: "description empty", text: "no description" })));

    const writable = live && live.write;
    const criteria = el("ul", { class: "criteria" + (writable ? " writable" : "") });
    t.criteria.forEach((c, k) => {
      const item = el("li", { class: c.met ? "met" : "", "data-index": String(k + 1) });
      if (writable) {
        const box = el("input", { type: "checkbox", "data-action": "criteria", "data-id": t.id, "data-index": String(k + 1) });
        box.checked = c.met;
        item.append(el("label", {}, box, " ", c.text));
      } else {
        item.append(c.text);
      }
      criteria.append(item);
    });
    parts.push(...section("Criteria", t.criteria.length ? criteria : el("div", { class: "empty", text: "none" })));

    const waits = el("ul", { class: "waits-for" });
    for (const w of t.waiting_for) {
      waits.append(el("li", {}, link(w.id), " ", w.subject || "(no such task)", el("span", { class: "when", text: " " + w.reason + (w.via ? " via " + w.via : "") })));
    }
    parts.push(...section("Waits for", t.waiting_for.length ? waits : el("div", { class: "waits-for empty", text: "nothing open" })));

    const blocks = el("ul", { class: "blocks" });
    for (const id of t.blocks) blocks.append(el("li", {}, link(id), " ", (byId.get(id) || {}).subject || ""));
    for (const id of t.children) blocks.append(el("li", {}, link(id), " ", (byId.get(id) || {}).subject || "", el("span", { class: "when", text: " part of it" })));
    parts.push(...section("Blocks", t.blocks.length || t.children.length ? blocks : el("div", { class: "blocks empty", text: "nothing" })));

    const notes = el("ul", { class: "notes" });
    for (const n of t.notes) notes.append(el("li", {}, el("div", { class: "when", text: shortDate(n.at) + (n.by ? " · " + n.by : "") }), n.text));
    parts.push(...section("Notes", t.notes.length ? notes : el("div", { class: "notes empty", text: "none" })));
    if (writable) {
      parts.push(el("form", { class: "note-form" }, el("textarea", { name: "text", placeholder: "Add a note", "aria-label": "Note" }), el("button", { type: "submit", text: "add note" })));
    }

    const history = el("ul", { class: "history" });
    for (const h of t.history) {
      const what = h.created ? "created" : h.removed ? "removed" : h.changes.map(changeText).join("; ");
      history.append(el("li", {}, el("div", { class: "when", text: h.short + " · " + shortDate(h.date) + " · " + h.author }), h.subject, what ? el("div", { class: "when", text: what }) : null));
    }
    const read = payload.board.history;
    parts.push(...section("Recent history", t.history.length ? history : el("div", { class: "history empty", text: read ? "no commit among the last " + read.max_commits + " changed it" : "no history read" })));
    fill(panel, ...parts);
  }

  function changeText(c) {
    switch (c.change) {
      case "status": return c.from + " → " + c.to;
      case "field": return c.field + ": " + (c.from === null ? "(none)" : c.from) + " → " + (c.to === null ? "(none)" : c.to);
      case "blocker_added": return "+ waits for " + c.id;
      case "blocker_removed": return "− waits for " + c.id;
      case "label_added": return "+ #" + c.label;
      case "label_removed": return "− #" + c.label;
      case "criterion_added": return "+ criterion " + c.text;
      case "criterion_removed": return "− criterion " + c.text;
      case "criterion_met": return "met: " + c.text;
      case "criterion_unmet": return "unmet: " + c.text;
      case "note_added": return "note: " + c.text;
      case "waived": return "waived by " + c.by;
      case "waiver_removed": return "waiver removed";
      default: return c.change;
    }
  }

  // -------------------------------------------------------------------
  // Rendering

  function index() {
    byId = new Map();
    const gates = new Map(payload.board.gates.map((g) => [g.id, g.state]));
    for (const t of payload.board.tasks) {
      t.gate_state = gates.get(t.id) || null;
      byId.set(t.id, t);
    }
  }

  function render() {
    const shown = payload.board.tasks.filter(matches);
    const matching = new Set(shown.map((t) => t.id));
    const total = payload.board.tasks.length;
    $("#shown").textContent = shown.length === total ? "" : shown.length + " of " + total + " shown";
    if (view.tab === "board") renderKanban(shown);
    if (view.tab === "graph") renderGraph(matching);
    if (view.tab === "schedule") renderSchedule(matching);
    if (view.tab === "gates") renderGates();
    renderDetail();
    bump();
  }

  function rerenderAll() {
    index();
    renderHeader();
    renderFilters();
    render();
  }

  function showTab(tab) {
    view.tab = tab;
    for (const b of $$(".tab")) b.setAttribute("aria-selected", String(b.dataset.tab === tab));
    for (const s of $$(".panel")) s.hidden = s.id !== "tab-" + tab;
    render();
  }

  // Opening a task redraws its panel only: at 10k tasks the columns take
  // a few hundred milliseconds, the panel none.
  function open(id) {
    view.open = id;
    view.error = null;
    for (const node of $$(".canvas .selected")) node.classList.remove("selected");
    if (id) {
      for (const node of $$('.canvas [data-id="' + CSS.escape(id) + '"]')) node.classList.add("selected");
    }
    renderDetail();
    bump();
  }

  function bump() {
    version += 1;
    document.body.dataset.version = String(version);
    document.body.dataset.ready = "true";
  }

  // -------------------------------------------------------------------
  // Events

  let searchTimer = null;
  $("#search").addEventListener("input", (e) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      view.search = e.target.value.trim().toLowerCase();
      view.limits = {};
      render();
    }, 60);
  });
  for (const [sel, key] of [["#filter-label", "label"], ["#filter-owner", "owner"], ["#filter-kind", "kind"], ["#filter-state", "state"]]) {
    $(sel).addEventListener("change", (e) => {
      view[key] = e.target.value;
      view.limits = {};
      render();
    });
  }
  for (const b of $$(".tab")) b.addEventListener("click", () => showTab(b.dataset.tab));
  for (const b of $$("[data-zoom]")) {
    b.addEventListener("click", () => {
      const which = view.tab === "schedule" ? "schedule" : "graph";
      if (b.dataset.zoom === "fit") fitZoom(which);
      else {
        view.zoom[which] *= b.dataset.zoom === "in" ? 1.25 : 0.8;
        applyZoom(which);
      }
    });
  }
  document.addEventListener("click", (e) => {
    const target = e.target;
    if (target.closest("#detail .close")) {
      open(null);
      return;
    }
    const action = target.closest("[data-action]");
    if (action && action.dataset.action !== "criteria") {
      post(action.dataset.action, { id: action.dataset.id });
      return;
    }
    const item = target.closest(".card[data-id], .node[data-id], .bar[data-id], .milestone[data-id], #critical-path li[data-id], .gate[data-id], .epic[data-id], #detail a[data-id]");
    if (item) open(item.getAttribute("data-id"));
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && view.open) open(null);
    if (e.key === "Enter" && e.target.classList && e.target.classList.contains("card")) open(e.target.dataset.id);
  });
  document.addEventListener("change", (e) => {
    const box = e.target;
    if (box.dataset && box.dataset.action === "criteria") {
      post("criteria", { id: box.dataset.id, index: Number(box.dataset.index), met: box.checked });
    }
  });
  document.addEventListener("submit", (e) => {
    const form = e.target.closest(".note-form");
    if (!form) return;
    e.preventDefault();
    const text = form.querySelector("textarea").value;
    if (text.trim()) post("note", { id: view.open, text });
  });

  // -------------------------------------------------------------------
  // Live

  async function refresh() {
    const response = await fetch(live.data, { cache: "no-store" });
    if (!response.ok) throw new Error("the server answered " + response.status);
    payload = await response.json();
    rerenderAll();
  }

  async function post(action, body) {
    if (!live || !live.write) return;
    const id = body.id;
    try {
      const response = await fetch("/api/" + action, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Git-Task-Token": live.token },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => null);
      if (!response.ok) {
        const error = answer && answer.error;
        const text = error
          ? [error.message].concat(error.hints || []).join("\n")
          : "the server answered " + response.status;
        view.error = { id, text };
      } else {
        view.error = null;
      }
      await refresh();
    } catch (err) {
      view.error = { id, text: String(err) };
      render();
    }
  }

  function follow() {
    const state = $("#live-state");
    state.hidden = false;
    const events = new EventSource(live.events);
    events.addEventListener("open", () => {
      state.textContent = live.write ? "live, writable" : "live";
      state.classList.remove("off");
    });
    events.addEventListener("change", () => refresh().catch(() => {}));
    events.addEventListener("error", () => {
      state.textContent = "reconnecting";
      state.classList.add("off");
    });
  }

  rerenderAll();
  if (live) follow();
})();
