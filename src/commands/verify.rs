//! `verify`: every application host asked over HTTP at every cluster's proxy.

use std::time::Duration;

use futures_util::StreamExt;

use crate::cli::args::{OutputFormat, VerifyArgs};
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::interlock::InterlockConfig;
use crate::output::printer::Printer;
use crate::verify::{self, Report, http};

use super::live;

pub fn run(args: VerifyArgs, printer: &Printer) -> CliResult {
    let json = args.output == OutputFormat::Json;
    let result = live::runtime().and_then(|rt| rt.block_on(run_async(&args, *printer)));
    super::json_error::on_error(json, "verify", result, printer)
}

async fn run_async(args: &VerifyArgs, printer: Printer) -> CliResult {
    let (client, state) = live::read(&args.connection, true, printer).await?;
    let (_, cfg) = InterlockConfig::parse(&state.toml).map_err(|e| {
        CliError::new(
            ErrorCode::ConfigInvalid,
            format!(
                "the config in use ({}) is not valid TOML: {}",
                state.config.name, e.message
            ),
        )
    })?;
    let (probes, unreachable) =
        verify::probes(&cfg, &state.snapshot, usize::from(args.ingress_nodes));
    let timeout = Duration::from_secs(args.request_timeout);
    let checks = futures_util::stream::iter(probes)
        .map(|p| async move {
            let observed = http::get(&p.endpoint, &p.host, timeout).await;
            verify::judge(p, observed)
        })
        .buffered(usize::from(args.concurrency))
        .collect::<Vec<_>>()
        .await;
    let report = verify::report(checks, unreachable);
    printer.verbose(&client.summary());
    print(&report, args.output, printer)
}

fn print(report: &Report, output: OutputFormat, printer: Printer) -> CliResult {
    let failed = (report.failed > 0).then(|| {
        CliError::new(
            ErrorCode::RoutesWrong,
            format!(
                "{} of {} checks failed",
                report.failed,
                report.failed + report.passed
            ),
        )
    });
    let status = failed
        .as_ref()
        .map_or(ExitStatus::Success, CliError::exit_status);
    match output {
        OutputFormat::Json => {
            let error = failed.as_ref().map(super::json_error::error_doc);
            super::json_error::print(&printer, "verify", status, error.as_ref(), Some(report));
        }
        OutputFormat::Human => {
            printer.out(&crate::output::verify::human(report, &printer.out_style))
        }
    }
    Ok(status)
}
