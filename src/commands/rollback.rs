use crate::apply::{self, Context, Interrupt, Options};
use crate::cli::args::RollbackArgs;
use crate::cli::{CliError, CliResult};
use crate::cluster::ConfigInfo;
use crate::docker::LiveState;
use crate::interlock::InterlockConfig;
use crate::interlock::names::config_version;
use crate::output::apply::{Ui, describe};
use crate::output::printer::Printer;
use crate::plan::Action;
use crate::plan::action::{CONFIG_TARGET, CORE_SERVICE};

use super::apply::{finish, unchanged};
use super::live;

pub fn run(args: RollbackArgs, printer: &Printer) -> CliResult {
    let rt = live::runtime()?;
    rt.block_on(run_async(args, *printer))
}

/// The config to go back to: the one named, or the newest older than the one in use.
fn target(args: &RollbackArgs, state: &LiveState) -> Result<ConfigInfo, CliError> {
    let current = &state.config.name;
    Ok(match &args.to {
        Some(name) => state
            .snapshot
            .configs
            .iter()
            .find(|c| &c.name == name)
            .cloned()
            .ok_or_else(|| {
                CliError::user(format!("there is no interlock config named `{name}`"))
                    .hint("`interlock-split status` lists the interlock configs")
            })?,
        None => {
            let v = config_version(current).unwrap_or(1);
            state
                .snapshot
                .configs
                .iter()
                .filter(|c| &c.name != current && config_version(&c.name).unwrap_or(1) < v)
                .max_by_key(|c| config_version(&c.name).unwrap_or(1))
                .cloned()
                .ok_or_else(|| {
                    CliError::user(format!(
                        "there is no interlock config older than {current} to go back to"
                    ))
                    .hint("name one with --to CONFIG")
                })?
        }
    })
}

async fn run_async(args: RollbackArgs, printer: Printer) -> CliResult {
    let interrupt = Interrupt::listen();
    let (client, state) = live::read(&args.connection, false, printer)
        .await
        .map_err(unchanged)?;
    let current = state.config.name.clone();
    let target = target(&args, &state)?;
    if target.name == current {
        printer.out(&format!(
            "ucp-interlock already runs {current}; nothing to do.\n"
        ));
        return Ok(crate::cli::ExitStatus::Success);
    }
    let action = Action::UpdateCoreService {
        service: CORE_SERVICE.into(),
        target: CONFIG_TARGET.into(),
        from: Some(current.clone()),
        to: Some(target.name.clone()),
        update_failure_action: "rollback".into(),
    };
    printer.out(&format!("Roll back: {}\n", describe(&action)));
    if !args.auto_approve {
        if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return Err(CliError::user(
                "rollback changes the cluster and there is no terminal to confirm on",
            )
            .nothing_changed()
            .hint("pass --auto-approve"));
        }
        eprint!(
            "Point ucp-interlock at {}? Only 'yes' is accepted: ",
            target.name
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).ok();
        if answer.trim() != "yes" {
            return Err(CliError::user("rollback cancelled").nothing_changed());
        }
    }
    let opts = Options {
        wait_timeout: std::time::Duration::from_secs(args.wait_timeout.max(1)),
        cleanup: false,
        reconcile: false,
    };
    let mut ui = Ui::new(printer);
    let pin = apply::Pin::of(&state);
    let cx = Context {
        swarm: &client,
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
    finish(&report, args.output, &printer)
}

/// Says which services of the config rolled back from keep running.
fn left_running(state: &LiveState, printer: &Printer) {
    let current = &state.config.name;
    let (_, now) = InterlockConfig::parse(&state.toml).unwrap_or_default();
    let names: Vec<String> = now
        .extensions
        .iter()
        .flat_map(|e| e.service_names().into_iter().map(|(_, n)| n.to_string()))
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
