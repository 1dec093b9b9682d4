fn main() -> std::process::ExitCode {
    interlock_split::cli::main()
}
