//! Entry point: parse the command line, run the command, turn the outcome into an exit code.

pub mod args;
pub mod error;
pub mod exit;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
pub use error::{CliError, CliResult};
pub use exit::ExitStatus;

use crate::commands;
use crate::output::human;
use crate::output::printer::Printer;
use crate::output::style::{ColorChoice, Styler};

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap uses 2 for usage errors; 2 means "changes present" here.
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    ExitStatus::Success
                }
                _ => ExitStatus::Usage,
            }
            .into();
        }
    };
    let printer = Printer::new(cli.global.color, cli.global.quiet, cli.global.verbose);
    match commands::run(cli.command, &printer) {
        Ok(status) => status.into(),
        Err(e) => {
            report(&e, &printer);
            e.exit_status().into()
        }
    }
}

pub fn report(e: &CliError, printer: &Printer) {
    let s = &printer.err_style;
    let mut text = String::new();
    if !e.findings.is_empty() {
        text.push_str(&human::findings(&e.findings, s));
    }
    text.push_str(&format!("{} {}\n", s.red_bold("error:"), e.message));
    for h in &e.hints {
        text.push_str(&format!("  {} {h}\n", s.cyan("= hint:")));
    }
    printer.err(&text);
}

/// For tests: the styler the printer would use with colours off.
pub fn plain() -> Styler {
    Styler::new(ColorChoice::Never.enabled(false))
}
