//! Plan files for `apply`, TOML and JSON: any text reads as a plan or is
//! refused with a place in the file; a plan that reads is applied to the
//! scratch repository as a dry run, with an answer or an error.
#![no_main]

use git_task::apply::PlanFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = if first % 2 == 0 {
        PlanFormat::Toml
    } else {
        PlanFormat::Json
    };
    git_task_fuzz::plan::run(text, format);
});
