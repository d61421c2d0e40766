//! The `git-task` binary: parse arguments, run, turn an error into an exit
//! code. Everything else is in the library and in `cli/`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
