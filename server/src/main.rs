//! The `koschei` command.

fn main() -> std::process::ExitCode {
    koschei::cli::main()
}
