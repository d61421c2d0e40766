//! The `git-task` binary: parse arguments, run, turn an error into an exit
//! code. Everything else is in the library and in `cli/`.

mod cli;

// Reading tasks allocates many small values on every core at once; glibc's
// allocator spends a fifth of a 10k-task hook growing per-thread heaps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
