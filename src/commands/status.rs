use std::time::SystemTime;

use crate::cli::args::{OutputFormat, StatusArgs};
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::cluster::Service;
use crate::docker::{Client, Swarm};
use crate::extension::services::proxy_name;
use crate::extension::{DEFAULT_PROXY_CONFIG_PATH, config_path};
use crate::interlock::{InterlockConfig, ServiceRole};
use crate::output::printer::Printer;
use crate::output::status as render;
use crate::route::proxy_config;
use crate::status::Served;
use crate::{status, time};

use super::live;

/// Exit 0 when nothing is flagged, 1 otherwise, so runbooks can gate on it. With `--output
/// json` a failure is a JSON document too.
pub fn run(args: StatusArgs, printer: &Printer) -> CliResult {
    let json = args.output == OutputFormat::Json;
    super::json_error::on_error(json, "status", report(args, printer), printer)
}

/// What each proxy serves (the clusters' and the stale ones), read from the config Interlock
/// mounts for it. A proxy whose config cannot be read counts as not read, never as a failure
/// of `status`. The services as read already say which config each mounts: only the configs
/// are read, all at once.
async fn served(
    client: &Client,
    cfg: &InterlockConfig,
    report: &status::Report,
    services: &[Service],
) -> Served {
    let mut proxies: Vec<(String, String)> = cfg
        .extensions
        .iter()
        .map(|e| (proxy_name(e).to_string(), config_path(e).to_string()))
        .collect();
    proxies.extend(
        report
            .stale
            .iter()
            .filter(|s| s.role == ServiceRole::Proxy)
            .map(|s| (s.name.clone(), DEFAULT_PROXY_CONFIG_PATH.to_string())),
    );
    let reads = proxies.into_iter().map(|(proxy, path)| async move {
        let mounted = services
            .iter()
            .find(|s| s.name == proxy)
            .and_then(|s| s.config_at(&path));
        let hosts = match mounted {
            Some(m) => client.config(&m.config_id).await.ok(),
            None => None,
        };
        (proxy, hosts.map(|c| proxy_config::parse(&c.data)))
    });
    futures_util::future::join_all(reads)
        .await
        .into_iter()
        .collect()
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
    let mut report = status::report(&cfg, &state.snapshot, &state.core, &state.config);
    let services = &state.snapshot.services;
    let served = rt.block_on(served(&client, &cfg, &report, services));
    status::routes::add(&mut report, &cfg, &state.snapshot, &served);
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
