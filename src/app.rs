//! Entry point: parse the command line, run the command, turn the outcome into an exit code.
//! It sits above `cli` (the definitions) and `commands` (the logic), so neither depends on
//! the other's caller.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, CliError, ErrorCode, ExitStatus};
use crate::commands;
use crate::output::human;
use crate::output::printer::{self, Printer};

/// `--color` as given on the command line, so that clap's own help and errors honour it too.
fn color_from_args() -> clap::ColorChoice {
    let args: Vec<String> = std::env::args().collect();
    let value = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--color=")
            .map(str::to_string)
            .or_else(|| (a == "--color").then(|| args.get(i + 1).cloned().unwrap_or_default()))
    });
    match value.as_deref() {
        Some("always") => clap::ColorChoice::Always,
        Some("never") => clap::ColorChoice::Never,
        _ if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => {
            clap::ColorChoice::Never
        }
        _ => clap::ColorChoice::Auto,
    }
}

pub fn main() -> ExitCode {
    let parsed = Cli::command()
        .color(color_from_args())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // clap uses 2 for usage errors; 2 means "changes present" here. A missing command
            // is a usage error too, even though clap prints the help for it.
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitStatus::Success
                }
                _ => ExitStatus::Usage,
            }
            .into();
        }
    };
    let printer = Printer::new(cli.global.color, cli.global.quiet, cli.global.verbose);
    let status = match commands::run(cli.command, &printer) {
        Ok(status) => status,
        Err(e) => {
            report(&e, &printer);
            e.exit_status()
        }
    };
    output_written(status, &printer).into()
}

/// A product that could not be written (a full disk) fails the command: a runbook would take
/// the empty or cut file for the real one. An exit code that already says more is kept.
fn output_written(status: ExitStatus, printer: &Printer) -> ExitStatus {
    let Some(why) = printer::stdout_failure() else {
        return status;
    };
    let e = CliError::new(
        ErrorCode::WriteFailed,
        format!("cannot write the output to stdout: {why}"),
    )
    .hint("the output is missing or cut short: write it where there is room, and run again");
    report(&e, printer);
    match status {
        ExitStatus::Success | ExitStatus::Changes => ExitStatus::Failure,
        other => other,
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
