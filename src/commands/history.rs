//! `history`: every Interlock config with its audit record, or the diff between two of them.

use std::time::SystemTime;

use serde::Serialize;

use crate::audit::history::{self, default_pair, find};
use crate::cli::args::{HistoryArgs, OutputFormat};
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::cluster::ConfigInfo;
use crate::docker::{Client, LiveState, Swarm};
use crate::interlock::{CONFIG_TARGET, CORE_SERVICE};
use crate::output;
use crate::output::printer::Printer;
use crate::plan::diff;
use crate::time;

use super::live;

/// With `--output json` a failure is a JSON document too.
pub fn run(args: HistoryArgs, printer: &Printer) -> CliResult {
    let json = args.output == OutputFormat::Json;
    let result = live::runtime().and_then(|rt| rt.block_on(run_async(args, *printer)));
    super::json_error::on_error(json, "history", result, printer)
}

async fn run_async(args: HistoryArgs, printer: Printer) -> CliResult {
    let client = live::connect(&args.connection, printer).await?;
    if let Some(which) = &args.diff {
        let state = live::state(&client, false, printer).await?;
        return print_diff(&client, &state, which, args.output, &printer).await;
    }
    // The core's task history beside the cluster's state: no round of its own.
    let (state, core) = tokio::join!(
        live::state(&client, false, printer),
        client.core_history(CORE_SERVICE, CONFIG_TARGET)
    );
    let state = state?;
    let core = core.map_err(live::to_cli)?;
    let h = history::build(
        &state.snapshot.configs,
        &state.config,
        &core,
        time::unix(SystemTime::now()),
    );
    match args.output {
        OutputFormat::Json => {
            super::json_error::print(&printer, "history", ExitStatus::Success, None, Some(&h))
        }
        OutputFormat::Human => printer.out(&output::history::human(&h, &printer.out_style)),
    }
    Ok(ExitStatus::Success)
}

#[derive(Serialize)]
struct Diff {
    from: String,
    to: String,
    diff: String,
}

fn pick<'a>(configs: &'a [ConfigInfo], what: &str) -> Result<&'a ConfigInfo, CliError> {
    find(configs, what).ok_or_else(|| {
        CliError::new(
            ErrorCode::NoSuchConfig,
            format!("there is no interlock config `{what}`"),
        )
        .hint("`interlock-split history` lists them; give a version number or a name")
    })
}

async fn print_diff(
    client: &Client,
    state: &LiveState,
    which: &[String],
    output: OutputFormat,
    printer: &Printer,
) -> CliResult {
    let configs = &state.snapshot.configs;
    let (a, b) = match which {
        [a, b] => (pick(configs, a)?, pick(configs, b)?),
        [b] => {
            let b = pick(configs, b)?;
            (default_pair(configs, b).map(|p| p.0).unwrap_or(b), b)
        }
        _ => default_pair(configs, &state.config).ok_or_else(|| {
            CliError::new(
                ErrorCode::NoSuchConfig,
                format!("{} has no predecessor to compare with", state.config.name),
            )
            .hint("name two versions: --diff A B")
        })?,
    };
    let read = |id: String| async move { client.config(&id).await.map_err(live::to_cli) };
    let (old, new) = (read(a.id.clone()).await?, read(b.id.clone()).await?);
    let text = diff::unified(&old.data, &new.data, &a.name, &b.name);
    match output {
        OutputFormat::Json => {
            let d = Diff {
                from: a.name.clone(),
                to: b.name.clone(),
                diff: text,
            };
            super::json_error::print(printer, "history", ExitStatus::Success, None, Some(&d))
        }
        OutputFormat::Human if text.is_empty() => {
            printer.out(&format!("{} and {} hold the same TOML.\n", a.name, b.name))
        }
        OutputFormat::Human => printer.out(&text),
    }
    Ok(ExitStatus::Success)
}
