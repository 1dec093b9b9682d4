use clap::CommandFactory;

use crate::cli::args::CompletionsArgs;
use crate::cli::{Cli, CliResult, ExitStatus};
use crate::output::printer::Printer;

pub fn run(args: CompletionsArgs, printer: &Printer) -> CliResult {
    printer.out(&script(args.shell));
    Ok(ExitStatus::Success)
}

/// The completion script for `shell`, as committed under `completions/`.
pub fn script(shell: clap_complete::Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "interlock-split", &mut buf);
    String::from_utf8(buf).expect("clap writes UTF-8")
}
