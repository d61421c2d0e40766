//! Reading `.tasks/config.toml`: settings, or an error at a line and
//! column. Settings that read are within their bounds.
#![no_main]

use git_task::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Config::parse(text) {
        Ok(config) => {
            assert!(config.id_length >= 1, "{config:?}");
        }
        Err(e) => {
            git_task_fuzz::check_place(text, e.line, e.column, &e.message);
            assert!(!e.message.is_empty());
        }
    }
});
