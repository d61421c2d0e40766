//! Valid task files in the forms people write them, for the targets
//! whose inputs are mostly something else (the edits): every input then
//! edits a real file, and the fuzzer's bytes go into the edits.

/// The forms: every field (docs/format.md's example), inline tables and
/// arrays, comments everywhere, CRLF with a BOM, literal and multi-line
/// strings, dotted keys, and the smallest file.
pub const TASKS: &[&str] = &[
    r#"subject = "Run migration"            # required
status = "in_progress"
kind = "task"
priority = "high"
parent = "k7m2qz"
blocked_by = ["9xk2m1", "backup-db"]
gate = true                          # or { branches = ["release/*"] }
owner = "ana@example.com"
estimate = "1d 4h"
due = 2026-12-01
labels = ["db"]
verify = "cargo test -p migrations"
created = 2026-11-20T10:02:11.123456Z
started = 2026-11-21T09:15:00Z
closed = 2026-11-21T16:40:00Z
description = """
What to do, in enough detail that someone else can pick it up.
"""

[[criteria]]
text = "schema version is 42"
met = true

[waiver]
by = "ana@example.com"
reason = "release manager accepted the risk"
at = 2026-11-21T09:00:00Z

[[notes]]
at = 2026-11-21T12:00:00Z
by = "ana@example.com"
text = "migration ran on staging, 3 min"

[meta]
sprint = 14
"#,
    "subject = \"x\"\n",
    "# A header comment.\n\n# About the subject.\nsubject = 'Literal string' # trailing\n\n# Blockers.\nblocked_by = [\n  \"a\", # first\n  \"b\",\n]\nlabels = [ \"one\" , \"two\" ]\n\n# The log.\n[[notes]]\nat = 2026-01-01T00:00:00Z\ntext = \"n1\"\n\n[[notes]]\nat = 2026-01-02T00:00:00Z\nby = \"bo\"\ntext = '''\nmulti\nline'''\n",
    "\u{feff}subject = \"CRLF\"\r\nstatus = \"pending\"\r\nowner = \"ana\"\r\n\r\n[[criteria]]\r\ntext = \"c1\"\r\n\r\n[[criteria]]\r\ntext = \"c2\"\r\nmet = true\r\n",
    "subject = \"Inline\"\ngate = { branches = [\"main\", \"release/*\"] }\ncriteria = [ { text = \"one\" }, { text = \"two\", met = true } ]\nnotes = [{ at = 2026-03-01T10:00:00Z, text = \"inline note\" }]\nwaiver = { by = \"ana\", reason = \"ok\", at = 2026-03-02T00:00:00Z }\nmeta = { a = 1, b = \"two\" }\n",
    "meta.sprint = 3\nsubject = \"Dotted meta first\"\nmeta.team = \"db\"\ndescription = \"one line, no newline\"\n",
    "labels = [\"late\"]\nsubject = \"Keys out of order\"\npriority = \"low\"\nkind = \"epic\"\n\n[meta]\nnested = { deep = [1, 2, { x = true }] }\n",
];
