//! The merge driver on three versions of a task file (split from the
//! input at NUL bytes: base, ours, theirs): the result is a task or a
//! marked conflict that `check` reports at its first marker; when all
//! three are tasks, a field only one side changed has that side's value,
//! and no note either side added is dropped.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let (Some(base), Some(ours), Some(theirs)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    git_task_fuzz::merge::run(base, ours, theirs);
});
