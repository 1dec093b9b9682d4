//! `--output json` when no product can be made: one JSON document on stdout all the same, so
//! that a script reading stdout always gets a document to parse.

use serde::Serialize;

use crate::cli::CliError;
use crate::finding::Finding;
use crate::output::json;
use crate::output::printer::Printer;

#[derive(Serialize)]
struct ErrorDocument<'a> {
    format_version: u32,
    tool_version: &'static str,
    /// Always `"error"`: nothing was planned or checked.
    outcome: &'static str,
    error: &'a str,
    hints: &'a [String],
    exit_code: u8,
    findings: &'a [Finding],
}

/// Prints `e` as a JSON document on stdout; the human report still goes to stderr.
pub fn print(e: &CliError, printer: &Printer) {
    printer.out(&json::document(&ErrorDocument {
        format_version: crate::plan::FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        outcome: "error",
        error: &e.message,
        hints: &e.hints,
        exit_code: e.exit_status().code(),
        findings: &e.findings,
    }));
}

/// `result`, with its error also printed as JSON when JSON was asked for.
pub fn on_error<T>(
    json: bool,
    result: Result<T, CliError>,
    printer: &Printer,
) -> Result<T, CliError> {
    if json && let Err(e) = &result {
        print(e, printer);
    }
    result
}
