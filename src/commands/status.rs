use std::time::SystemTime;

use crate::cli::args::{OutputFormat, StatusArgs};
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::interlock::InterlockConfig;
use crate::output::printer::Printer;
use crate::output::status as render;
use crate::{status, time};

use super::live;

/// Exit 0 when nothing is flagged, 1 otherwise, so runbooks can gate on it. With `--output
/// json` a failure is a JSON document too.
pub fn run(args: StatusArgs, printer: &Printer) -> CliResult {
    let json = args.output == OutputFormat::Json;
    super::json_error::on_error(json, "status", report(args, printer), printer)
}

fn report(args: StatusArgs, printer: &Printer) -> CliResult {
    let rt = live::runtime()?;
    let (client, state) = rt.block_on(live::read(&args.connection, true, *printer))?;
    let (_, cfg) = InterlockConfig::parse(&state.toml).map_err(|e| {
        CliError::new(
            ErrorCode::ConfigInvalid,
            format!(
                "the config in use ({}) is not valid TOML: {} at line {}, column {}",
                state.config.name, e.message, e.line, e.column
            ),
        )
    })?;
    let report = status::report(&cfg, &state.snapshot, &state.core, &state.config);
    let flagged = (report.problems > 0).then(|| {
        let n = report.problems;
        CliError::new(
            ErrorCode::ProblemsFlagged,
            format!("{n} problem{} flagged", if n == 1 { "" } else { "s" }),
        )
        .with_findings(report.findings().cloned().collect())
    });
    let status = flagged
        .as_ref()
        .map_or(ExitStatus::Success, CliError::exit_status);
    match args.output {
        OutputFormat::Json => {
            let error = flagged.as_ref().map(super::json_error::error_doc);
            super::json_error::print(printer, "status", status, error.as_ref(), Some(&report));
        }
        OutputFormat::Human => printer.out(&render::report(
            &report,
            &printer.out_style,
            time::unix(SystemTime::now()),
        )),
    }
    printer.verbose(&client.summary());
    Ok(status)
}
