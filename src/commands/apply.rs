use crate::apply::{
    self, ApplyReport, Approved, Context, Interrupt, Options, Outcome, Pin, Replan,
};
use crate::cli::args::{ApplyArgs, OutputFormat};
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::docker::LiveState;
use crate::finding::Severity;
use crate::output::apply::{self as report, Ui};
use crate::output::human;
use crate::output::printer::Printer;
use crate::plan::saved::SavedPlan;
use crate::plan::{Action, Plan};

use super::confirm::Question;
use super::inputs::{live_fingerprint, load_spec, plan_live};
use super::live;

/// What apply runs: the actions and the exact TOML, from a fresh plan or a saved one.
struct Work {
    actions: Vec<Action>,
    new_config: String,
    /// The plan, to show and to stamp its hash on the config (a saved plan embeds it).
    plan: Option<Plan>,
    /// The SHA-256 of the spec the plan was made from, for the audit labels.
    spec_sha256: String,
    /// What the plan was made from; the core's update carries its version.
    pin: Pin,
}

/// What apply reads from files, before it connects: a missing or broken file is named at once,
/// not after a connection error.
enum Local {
    Spec(super::inputs::SpecFile),
    Saved { path: String, saved: Box<SavedPlan> },
}

impl Local {
    fn read(args: &ApplyArgs) -> Result<Local, CliError> {
        let Some(path) = &args.plan_file else {
            return Ok(Local::Spec(load_spec(&args.spec.spec)?));
        };
        let text = crate::cli::error::read_file(path, "saved plan")?;
        let saved = SavedPlan::parse(&text).map_err(|e| {
            CliError::new(ErrorCode::SavedPlanInvalid, format!("`{path}` {e}")).hint(e.hint())
        })?;
        Ok(Local::Saved {
            path: path.clone(),
            saved: Box::new(saved),
        })
    }
}

/// The saved plan at `path`, refused if the cluster has moved away from it. The plan is shown
/// as `plan` showed it, and applied as saved.
fn load_saved(
    path: &str,
    saved: SavedPlan,
    state: &LiveState,
    printer: &Printer,
) -> Result<Work, CliError> {
    use crate::plan::saved::FingerprintDrift;
    let now = live_fingerprint(state, &saved.fingerprint.spec_file, None);
    let (spec_drift, cluster_drift): (Vec<FingerprintDrift>, Vec<FingerprintDrift>) = saved
        .fingerprint
        .drift(&now)
        .into_iter()
        .partition(|d| matches!(d, FingerprintDrift::Spec { .. }));
    if !cluster_drift.is_empty() {
        let drift: Vec<String> = cluster_drift
            .iter()
            .map(FingerprintDrift::to_string)
            .collect();
        return Err(CliError::new(
            ErrorCode::PlanStale,
            format!(
                "the saved plan {path} no longer matches the cluster; nothing was changed:\n  - {}",
                drift.join("\n  - ")
            ),
        )
        .hint("run `interlock-split plan --out FILE` again, review it, and apply the new one"));
    }
    for d in spec_drift {
        printer.err(&format!(
            "{} {d} since the plan was saved; applying the saved plan as it is",
            printer.err_style.yellow_bold("warning:")
        ));
    }
    let spec_sha256 = saved.fingerprint.spec_sha256.clone();
    let pin = saved_pin(&saved.fingerprint, state);
    let plan = saved.into_plan();
    Ok(Work {
        actions: plan.actions.clone(),
        new_config: plan.new_config.clone(),
        plan: Some(plan),
        spec_sha256,
        pin,
    })
}

/// The pin a saved plan recorded (its fingerprint), the live one where it recorded none.
fn saved_pin(f: &crate::plan::saved::Fingerprint, state: &LiveState) -> Pin {
    let live = Pin::of(state);
    Pin {
        core_version: f.core_service_version.unwrap_or(live.core_version),
        config_id: f.config_id.clone().unwrap_or(live.config_id),
        config_name: f.config_name.clone().unwrap_or(live.config_name),
    }
}

fn confirm(args: &ApplyArgs, printer: &Printer, n: usize, target: &str) -> Result<(), CliError> {
    if args.auto_approve || args.plan_file.is_some() {
        return Ok(());
    }
    let q = Question {
        command: "apply",
        ask: format!(
            "Apply these {n} action{} on {target}",
            if n == 1 { "" } else { "s" }
        ),
        without_terminal: "review `interlock-split plan`, then pass --auto-approve, or save it with `plan --out FILE` and run `apply FILE`",
    };
    super::confirm::confirm(&q, printer)
}

pub fn run(args: ApplyArgs, printer: &Printer) -> CliResult {
    let json = args.output == OutputFormat::Json;
    let result = live::runtime().and_then(|rt| rt.block_on(run_async(args, *printer)));
    refusal(json, "apply", result, printer)
}

/// A runbook reading `--output json` gets a document whatever happened: an apply or rollback
/// refused before it changed anything (plan errors, no confirmation, a stale saved plan, no
/// cluster) is a report with the outcome `refused` (or `plan-stale`) and the error, worded as
/// on stderr.
pub(super) fn refusal(
    json: bool,
    command: &str,
    result: CliResult,
    printer: &Printer,
) -> CliResult {
    if json && let Err(e) = &result {
        let report = ApplyReport {
            outcome: match e.code {
                ErrorCode::PlanStale => Outcome::PlanStale,
                _ => Outcome::Refused,
            },
            error: Some(e.message.clone()),
            hint: e.hints.first().cloned(),
            ..ApplyReport::new("")
        };
        let error = super::json_error::error_doc(e);
        let view = report::json(&report);
        super::json_error::print(printer, command, e.exit_status(), Some(&error), Some(&view));
    }
    result
}

/// An error before apply changed anything says so: in a change window that is the first
/// thing an operator needs to know. A stale saved plan says it in its own words (exit 3 means
/// nothing was changed).
pub(super) fn unchanged(e: CliError) -> CliError {
    if e.exit_status() == ExitStatus::PlanStale {
        e
    } else {
        e.nothing_changed()
    }
}

/// What to run, from the spec and the cluster, or from the saved plan checked against it.
fn prepare(
    args: &ApplyArgs,
    local: Local,
    state: &LiveState,
    printer: &Printer,
) -> Result<(Option<super::inputs::SpecFile>, Work), CliError> {
    match local {
        Local::Spec(spec) => {
            let plan = plan_live(&spec, state, args.keep_configs)?;
            let work = Work {
                actions: plan.actions.clone(),
                new_config: plan.new_config.clone(),
                plan: Some(plan),
                spec_sha256: crate::plan::saved::sha256(&spec.text),
                pin: Pin::of(state),
            };
            Ok((Some(spec), work))
        }
        Local::Saved { path, saved } => Ok((None, load_saved(&path, *saved, state, printer)?)),
    }
}

/// Shows what will run; refuses a plan with errors.
fn show(work: &Work, args: &ApplyArgs, printer: &Printer) -> Result<(), CliError> {
    let human_out = args.output == OutputFormat::Human;
    let Some(plan) = &work.plan else {
        if human_out {
            let mut text = String::from("Applying the saved plan:\n");
            for (i, a) in work.actions.iter().enumerate() {
                let line = human::action(a, &printer.out_style);
                text.push_str(&format!("  {:>2}. {line}\n", i + 1));
            }
            printer.out(&text);
        }
        return Ok(());
    };
    show_plan(plan, args, printer)
}

/// Shows the plan as `plan` showed it; refuses one with errors.
fn show_plan(plan: &Plan, args: &ApplyArgs, printer: &Printer) -> Result<(), CliError> {
    if args.output == OutputFormat::Human {
        printer.out(&human::plan(plan, &printer.out_style));
    }
    if !plan.has_errors() {
        return Ok(());
    }
    let n = plan.summary.errors;
    let e = CliError::new(
        ErrorCode::PlanHasErrors,
        format!("the plan has {n} error{}", if n == 1 { "" } else { "s" }),
    )
    .nothing_changed();
    Err(match args.output {
        OutputFormat::Human => e.hint("fix them (see the findings above) and run apply again"),
        // No plan was printed: the JSON refusal carries the errors themselves.
        OutputFormat::Json => {
            let errors = plan
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error);
            e.with_findings(errors.cloned().collect())
                .hint("fix the findings listed and run apply again")
        }
    })
}

async fn run_async(args: ApplyArgs, printer: Printer) -> CliResult {
    let interrupt = Interrupt::listen();
    let local = Local::read(&args).map_err(unchanged)?;
    // A saved plan with errors is refused from the file alone, before a connection can fail.
    if let Local::Saved { saved, .. } = &local
        && saved.plan.has_errors()
    {
        show_plan(&saved.plan, &args, &printer)?;
    }
    let (client, state) = live::read(&args.connection, false, printer)
        .await
        .map_err(unchanged)?;
    let (spec, work) = prepare(&args, local, &state, &printer).map_err(unchanged)?;
    show(&work, &args, &printer)?;
    if work.actions.is_empty() {
        if args.output == OutputFormat::Json {
            printer.out(&report::envelope("apply", &nothing_to_do(&state)));
        }
        return Ok(ExitStatus::Success);
    }
    let target = client.endpoint.address.to_string();
    confirm(&args, &printer, work.actions.len(), &target)?;
    let backup = super::backup::write(&args.backup_dir, &state)?;
    printer.status(&format!(
        "backup of {} written to {backup}",
        state.config.name
    ));
    let opts = Options {
        wait_timeout: std::time::Duration::from_secs(args.wait_timeout.max(1)),
        cleanup: !args.no_cleanup,
        reconcile: !args.no_reconcile,
    };
    let mut ui = Ui::new(printer);
    let audit = super::stamp::stamp(&client, work.plan.as_ref(), &work.spec_sha256).labels();
    let cx = Context {
        swarm: &client,
        audit: &audit,
        state: &state,
        pin: &work.pin,
        new_config: &work.new_config,
        opts: &opts,
        interrupt: &interrupt,
    };
    let replan = match &spec {
        Some(spec) => Replan::Spec {
            spec: &spec.spec,
            text: &spec.text,
            keep_configs: args.keep_configs,
        },
        None => Replan::Saved,
    };
    let approved = Approved {
        actions: &work.actions,
        new_config: &work.new_config,
        replan,
    };
    let mut report = apply::replan::run(&cx, &approved, &mut ui).await;
    drop(ui);
    report.backup = Some(backup);
    printer.verbose(&client.summary());
    finish("apply", &report, args.output, &printer)
}

fn nothing_to_do(state: &LiveState) -> ApplyReport {
    ApplyReport {
        outcome: Outcome::NothingToDo,
        ..ApplyReport::new(&state.config.name)
    }
}

/// Prints the outcome and picks the exit code.
pub fn finish(
    command: &str,
    report: &ApplyReport,
    output: OutputFormat,
    printer: &Printer,
) -> CliResult {
    let status = ExitStatus::from(report.outcome);
    match output {
        OutputFormat::Json => printer.out(&report::envelope(command, report)),
        OutputFormat::Human => printer.out(&report::human_report(report, &printer.out_style)),
    }
    report::warnings(report, printer);
    Ok(status)
}
