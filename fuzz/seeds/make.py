#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/)
from the repository's own files: its roadmap in .tasks/, the test
fixtures, the plans in docs/plans.md and the scratch repository's
commits. Run from the repository's root; the fuzzer grows the corpora
from these, and `cargo fuzz cmin` keeps them small before a commit."""

import hashlib, json, pathlib, re

root = pathlib.Path(".")
corpus = root / "fuzz" / "corpus"

def seed(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)

tasks = sorted(p for p in (root / ".tasks").glob("*.toml") if p.name != "config.toml")
tasks += sorted((root / "tests" / "fixtures").rglob("*.toml"))
texts = [p.read_text() for p in tasks]
for t in texts:
    seed("task_file", t)
    seed("edit", t + "\0" + "\x01\x02\x03\x04\x05\x06\x07\x08")
config = (root / ".tasks" / "config.toml").read_text()
for c in [config, "", "[ids]\nlength = 6\n", "[gates]\nbranches = [\"main\", \"release/*\"]\n",
          "[claims]\nremote = \"origin\"\nlease = \"2h\"\n"]:
    seed("config", c)
# Merges: a file against itself with a note on one side, a status on
# the other, and both at once.
for t in texts[:20]:
    note = t + "\n[[notes]]\nat = 2026-05-01T00:00:00Z\ntext = \"ours\"\n"
    status = re.sub(r'^subject = (.*)$', r'subject = \1\nstatus = "in_progress"', t, count=1, flags=re.M)
    seed("merge", t + "\0" + note + "\0" + status)
    seed("merge", t + "\0" + status + "\0" + note)
    seed("merge", "\0" + t + "\0" + note)
ids = [p.stem for p in tasks]
for q in ["a", "co", "core-commands", "b", "", "con", "x-", "-x", "A"]:
    seed("resolve", "\n".join(ids[:30] + [q]))
# The scratch repository's commits (fuzz/src/repo.rs pins their dates).
main, feature = "MAIN", "FEATURE"
zero = "0" * 40
for line in [f"refs/heads/main {feature} refs/heads/main {main}",
             f"refs/heads/main {feature} refs/heads/main {zero}",
             f"(delete) {zero} refs/heads/main {main}",
             f"{main} {feature} refs/heads/main",
             f"{zero} {main} refs/heads/release/1",
             f"refs/tags/v1 {main} refs/tags/v1 {zero}"]:
    seed("hook_input", line + "\n")
plans = re.findall(r"```(toml|json)\n(.*?)```", (root / "docs" / "plans.md").read_text(), re.S)
for lang, text in plans:
    seed("plan", ("\0" if lang == "toml" else "\1") + text)
seed("plan", "\1" + json.dumps({"name": "p", "tasks": {"a": {"subject": "A"},
     "b": {"subject": "B", "blocked_by": ["a"]}}}))
imports = root / "tests" / "fixtures" / "import"
backlog = imports / "backlog" / "backlog"
config_yml = (backlog / "config.yml").read_bytes()
for md in sorted(backlog.rglob("*.md")):
    seed("import_backlog", config_yml + b"\0" + md.read_bytes())
seed("import_backlog", config_yml + b"\0" + b"\0".join(m.read_bytes() for m in sorted(backlog.rglob("*.md"))[:4]))
agent = sorted((imports / "agent" / "list").glob("*.json"))
for a in agent:
    seed("import_agent", a.read_bytes())
seed("import_agent", b"\0".join(a.read_bytes() for a in agent))
beads = (imports / "beads" / "issues.jsonl").read_bytes()
seed("import_beads", beads)
for line in beads.splitlines():
    seed("import_beads", line)
tm = imports / "task-master" / ".taskmaster" / "tasks" / "tasks.json"
seed("import_taskmaster", tm.read_bytes())
tw = (imports / "taskwarrior" / "export.json").read_bytes()
seed("import_taskwarrior", tw)
for rec in json.loads(tw)[:10]:
    seed("import_taskwarrior", json.dumps([rec]))
