//! `--output json`: each command prints one envelope (`output::json`), on success and on
//! failure alike, so that a script reading stdout always gets one document to parse.

use serde::Serialize;

use crate::cli::{CliError, ExitStatus};
use crate::output::json::{self, ErrorDoc};
use crate::output::printer::Printer;

/// The error part of the envelope.
pub fn error_doc(e: &CliError) -> ErrorDoc {
    ErrorDoc {
        code: e.code.as_str(),
        kind: e.kind,
        message: e.message.clone(),
        hints: e.hints.clone(),
        findings: e.findings.clone(),
    }
}

/// Prints the envelope of `command`.
pub fn print<T: Serialize>(
    printer: &Printer,
    command: &str,
    status: ExitStatus,
    error: Option<&ErrorDoc>,
    result: Option<&T>,
) {
    printer.out(&json::envelope(command, status.code(), error, result));
}

/// `result`, with its error also printed as the envelope when JSON was asked for.
pub fn on_error<T>(
    json: bool,
    command: &str,
    result: Result<T, CliError>,
    printer: &Printer,
) -> Result<T, CliError> {
    if json && let Err(e) = &result {
        print::<()>(printer, command, e.exit_status(), Some(&error_doc(e)), None);
    }
    result
}
