fn main() -> std::process::ExitCode {
    interlock_split::app::main()
}
