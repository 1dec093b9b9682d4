use crate::cli::{CliResult, ExitStatus};
use crate::output::printer::Printer;

/// Prints the spec's JSON Schema, exactly as committed under `schema/`.
pub fn run(printer: &Printer) -> CliResult {
    printer.out(&crate::spec::schema::json());
    Ok(ExitStatus::Success)
}
