//! MCP requests to `git task mcp`, served in-process over a pipe on a
//! fresh copy of the scratch repository: every request gets one
//! JSON-RPC answer, a tool's answer is a JSON document or the CLI's
//! error object, and the server never stops or hangs
//! (git_task_fuzz::mcp::run).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|session: git_task_fuzz::mcp::Session| {
    git_task_fuzz::mcp::run(&session);
});
