//! Every integration test in one binary, so that the suite links once:
//! each module is what used to be a test target of its own. The shared
//! helpers (`common`), the generated task sets (`generated`) and the
//! reference oracle of the graph (`reference`) are modules beside them.

mod common;
mod generated;
mod reference;

mod apply_cli;
mod bad_inputs;
mod board_browser;
mod board_cli;
mod cache_cli;
mod claim_cli;
mod cli;
mod clones;
mod completions_cli;
mod concurrency;
mod crash;
mod diff_cli;
mod docs;
mod edit_cli;
mod graph_cli;
mod graph_inherited;
mod graph_properties;
mod graph_scale;
mod graph_svg;
mod hardening;
mod help_cli;
mod hooks_cli;
mod hooks_install;
mod hostile;
mod import_agent;
mod import_backlog;
mod import_beads;
mod import_cli;
mod import_progress;
mod import_taskmaster;
mod import_taskwarrior;
mod layout;
mod lifecycle_cli;
mod log_cli;
mod mcp;
mod merge_cli;
mod merge_properties;
mod plan_cli;
mod properties;
mod reading_cli;
mod readme;
mod schedule_cli;
mod schemas;
mod serve_cli;
mod snapshots;
mod sync_agent;
