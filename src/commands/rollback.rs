use crate::apply::{self, Context, Interrupt, Options};
use crate::audit::rollback::{self, Skip};
use crate::audit::verdict;
use crate::cli::args::OutputFormat;
use crate::cli::args::RollbackArgs;
use crate::cli::{CliError, CliResult, ErrorCode};
use crate::cluster::{ConfigInfo, CoreHistory};
use crate::docker::{ApiError, Client, LiveState, Swarm};
use crate::extension::services;
use crate::interlock::CONFIG_TARGET;
use crate::interlock::{CORE_SERVICE, InterlockConfig, host_port};
use crate::output::apply::{Ui, describe};
use crate::output::printer::Printer;
use crate::plan::Action;

use super::apply::{finish, unchanged};
use super::confirm::{Question, confirm};
use super::live;

/// With `--output json` a refusal before anything changed is a JSON document too.
pub fn run(args: RollbackArgs, printer: &Printer) -> CliResult {
    let json = args.output == OutputFormat::Json;
    let result = live::runtime().and_then(|rt| rt.block_on(run_async(args, *printer)));
    super::apply::refusal(json, "rollback", result, printer)
}

/// The config to go back to: the one named, or the last one that ran before the one in use
/// (with the configs passed over, and why).
async fn target(
    args: &RollbackArgs,
    core: Option<Result<CoreHistory, ApiError>>,
    state: &LiveState,
) -> Result<(ConfigInfo, Vec<Skip>), CliError> {
    let configs = &state.snapshot.configs;
    if let Some(name) = &args.to {
        let c = configs.iter().find(|c| &c.name == name).cloned();
        return c.map(|c| (c, Vec::new())).ok_or_else(|| {
            CliError::new(
                ErrorCode::NoSuchConfig,
                format!("there is no interlock config named `{name}`"),
            )
            .hint("`interlock-split history` lists the interlock configs")
        });
    }
    let core = core
        .expect("read when no config is named")
        .map_err(live::to_cli)?;
    let judged: Vec<_> = configs
        .iter()
        .map(|c| (c.clone(), verdict::of(c, &core)))
        .collect();
    match rollback::pick(&judged, &state.config) {
        Ok(p) => {
            let c = configs.iter().find(|c| c.id == p.id).cloned();
            Ok((c.expect("picked among them"), p.skipped))
        }
        Err(e) => Err(CliError::new(
            ErrorCode::NoRollbackTarget,
            format!(
                "there is no config that ran before {} to go back to{}",
                state.config.name,
                skipped_text(&e.skipped)
            ),
        )
        .hint("`interlock-split history` shows each config's outcome; name one with --to CONFIG")),
    }
}

fn skipped_text(skipped: &[Skip]) -> String {
    skipped
        .iter()
        .map(|s| format!("\n  skipped {}: {}", s.name, s.why))
        .collect()
}

async fn run_async(args: RollbackArgs, printer: Printer) -> CliResult {
    let interrupt = Interrupt::listen();
    let client = live::connect(&args.connection, printer)
        .await
        .map_err(unchanged)?;
    // Without a config named, the core's task history picks one: read beside the state.
    let history = async {
        match args.to {
            None => Some(client.core_history(CORE_SERVICE, CONFIG_TARGET).await),
            Some(_) => None,
        }
    };
    let (state, core) = tokio::join!(live::state(&client, false, printer), history);
    let state = state.map_err(unchanged)?;
    let current = state.config.name.clone();
    let (target, skipped) = target(&args, core, &state).await?;
    if target.name == current {
        printer.out(&format!(
            "ucp-interlock already runs {current}; nothing to do.\n"
        ));
        return Ok(crate::cli::ExitStatus::Success);
    }
    let action = Action::UpdateCoreService {
        from: Some(current.clone()),
        to: Some(target.name.clone()),
        core_host_port: core_host_port(&client, &target).await?,
    };
    let said = format!(
        "Roll back: {}{}\n",
        describe(&action),
        skipped_text(&skipped)
    );
    match args.output {
        OutputFormat::Human => printer.out(&said),
        OutputFormat::Json => printer.status(said.trim_end()),
    }
    if !args.auto_approve {
        let q = Question {
            command: "rollback",
            ask: format!("Point {CORE_SERVICE} at {}", target.name),
            without_terminal: "review the target above, then pass --auto-approve",
        };
        confirm(&q, &printer)?;
    }
    let opts = Options {
        wait_timeout: std::time::Duration::from_secs(args.wait_timeout.max(1)),
        cleanup: false,
        reconcile: false,
    };
    let mut ui = Ui::new(printer);
    let no_stamp = Default::default();
    let pin = apply::Pin::of(&state);
    let cx = Context {
        swarm: &client,
        audit: &no_stamp,
        state: &state,
        pin: &pin,
        new_config: "",
        opts: &opts,
        interrupt: &interrupt,
    };
    let report = apply::execute(&cx, std::slice::from_ref(&action), &mut ui).await;
    drop(ui);
    // Interlock does not remove what the newer config made; say what is left.
    if report.outcome == apply::Outcome::Applied {
        left_running(&state, &printer);
    }
    finish("rollback", &report, args.output, &printer)
}

/// The port the core publishes in host mode with `target`: what a plan of it would carry.
async fn core_host_port(client: &Client, target: &ConfigInfo) -> Result<Option<u16>, CliError> {
    let data = client.config(&target.id).await.map_err(live::to_cli)?;
    Ok(InterlockConfig::parse(&data.data)
        .ok()
        .and_then(|(_, cfg)| host_port(&cfg)))
}

/// Says which services of the config rolled back from keep running.
fn left_running(state: &LiveState, printer: &Printer) {
    let current = &state.config.name;
    let (_, now) = InterlockConfig::parse(&state.toml).unwrap_or_default();
    let names: Vec<String> = now
        .extensions
        .iter()
        .flat_map(services)
        .map(|s| s.name)
        .collect();
    let left: Vec<&String> = names
        .iter()
        .filter(|n| state.snapshot.service(n).is_some())
        .collect();
    if !left.is_empty() {
        printer.status(&format!(
                "note: services of {current} keep running ({}); Interlock does not remove them. If they hold ports the old config needs, remove them (or apply a spec).",
                left.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
    }
}
