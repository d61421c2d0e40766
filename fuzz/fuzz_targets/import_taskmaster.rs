//! `git task import` of taskmaster's files: what reads
//! gives tasks that write and read back as themselves, what does not
//! gets an error naming the file (git_task_fuzz::import::run).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    git_task_fuzz::import::run(git_task::bridge::Tracker::TaskMaster, data);
});
