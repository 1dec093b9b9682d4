use std::io::{BufRead, IsTerminal};

use crate::apply::{self, ApplyReport, Context, Interrupt, Moved, Options, Outcome, Pin};
use crate::audit::provenance::provenance;
use crate::cli::args::{ApplyArgs, OutputFormat};
use crate::cli::{CliError, CliResult, ExitStatus};
use crate::docker::LiveState;
use crate::finding::Severity;
use crate::output::apply::{self as report, Ui};
use crate::output::printer::Printer;
use crate::output::{human, json};
use crate::plan::saved::SavedPlan;
use crate::plan::{Action, Plan};

use super::inputs::{live_fingerprint, load_spec, plan_live};
use super::live;

/// What apply runs: the actions and the exact TOML, from a fresh plan or a saved one.
struct Work {
    actions: Vec<Action>,
    new_config: String,
    /// The fresh plan, when there is one (to re-plan on "update out of sequence").
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
        let saved = SavedPlan::parse(&text)
            .map_err(|e| CliError::user(format!("`{path}` {e}")).hint(e.hint()))?;
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
    use crate::plan::saved::Drift;
    let now = live_fingerprint(state, &saved.fingerprint.spec_file, None);
    let (spec_drift, cluster_drift): (Vec<Drift>, Vec<Drift>) = saved
        .fingerprint
        .drift(&now)
        .into_iter()
        .partition(|d| matches!(d, Drift::Spec { .. }));
    if !cluster_drift.is_empty() {
        let drift: Vec<String> = cluster_drift.iter().map(Drift::to_string).collect();
        return Err(CliError::user(format!(
            "the saved plan {path} no longer matches the cluster; nothing was changed:\n  - {}",
            drift.join("\n  - ")
        ))
        .hint("run `interlock-split plan --out FILE` again, review it, and apply the new one")
        .with_status(ExitStatus::PlanStale));
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
    if !std::io::stdin().is_terminal() {
        return Err(CliError::user("apply changes the cluster and there is no terminal to confirm on").nothing_changed()
            .hint("review `interlock-split plan`, then pass --auto-approve, or save it with `plan --out FILE` and run `apply FILE`"));
    }
    printer.prompt(&format!(
        "\n{} {n} action{} on {target}. Only 'yes' is accepted: ",
        printer.err_style.bold("Apply these"),
        if n == 1 { "" } else { "s" }
    ));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if answer.trim() != "yes" {
        return Err(CliError::user("apply cancelled").nothing_changed());
    }
    Ok(())
}

pub fn run(args: ApplyArgs, printer: &Printer) -> CliResult {
    let rt = live::runtime()?;
    let output = args.output;
    let result = rt.block_on(run_async(args, *printer));
    // A runbook reading --output json gets a document whatever happened: an apply refused
    // before it changed anything (plan errors, no confirmation, a stale saved plan, no cluster)
    // is reported as such, with the same message as on stderr.
    if output == OutputFormat::Json
        && let Err(e) = &result
    {
        printer.out(&json::document(&refused(e)));
    }
    result
}

fn refused(e: &CliError) -> ApplyReport {
    let mut error = e.message.clone();
    for f in &e.findings {
        error.push_str(&format!(
            "\n{}[{}]: {}",
            f.severity.as_str(),
            f.code,
            f.message
        ));
    }
    ApplyReport {
        outcome: match e.exit_status() {
            ExitStatus::PlanStale => Outcome::PlanStale,
            _ => Outcome::Refused,
        },
        error: Some(error),
        hint: e.hints.first().cloned(),
        ..ApplyReport::new("")
    }
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
    let e = CliError::user(format!(
        "the plan has {n} error{}",
        if n == 1 { "" } else { "s" }
    ))
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
            printer.out(&json::document(&nothing_to_do(&state)));
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
    let mut report = apply::execute(&cx, &work.actions, &mut ui).await;
    if report.outcome == Outcome::OutOfSequence {
        let retry = Retry {
            args: &args,
            spec: spec.as_ref(),
            work: &work,
            client: &client,
            opts: &opts,
            interrupt: &interrupt,
            audit: &audit,
        };
        retry.run(&mut report, &mut ui, printer).await;
    }
    drop(ui);
    report.backup = Some(backup);
    printer.verbose(&client.summary());
    finish(&report, args.output, &printer)
}

/// What a re-plan after "update out of sequence" needs.
struct Retry<'a> {
    args: &'a ApplyArgs,
    /// `None` for a saved plan: it is not re-planned, only checked.
    spec: Option<&'a super::inputs::SpecFile>,
    work: &'a Work,
    client: &'a crate::docker::Client,
    opts: &'a Options,
    interrupt: &'a Interrupt,
    audit: &'a std::collections::BTreeMap<String, String>,
}

/// Why a re-plan does not go on.
fn moved(report: &mut ApplyReport, error: String) {
    report.outcome = Outcome::ClusterMoved;
    report.error = Some(error);
    report.hint = Some("review what changed with `interlock-split plan` (it plans from the config in use now) and apply again if it is still wanted".into());
}

/// The same TOML and no change to services or nodes the shown plan did not have. The config's
/// name and which old configs are pruned may differ: the config this run created may have
/// taken the name.
fn same_plan(plan: &Plan, work: &Work) -> bool {
    let changes = |actions: &[Action]| -> Vec<Action> {
        actions
            .iter()
            .filter(|a| {
                !matches!(
                    a,
                    Action::CreateConfig { .. }
                        | Action::UpdateCoreService { .. }
                        | Action::PruneConfigs { .. }
                )
            })
            .cloned()
            .collect()
    };
    // Steps the first try finished (node labels set, say) are not planned again.
    let planned = changes(&work.actions);
    plan.new_config == work.new_config && changes(&plan.actions).iter().all(|a| planned.contains(a))
}

impl Retry<'_> {
    /// Swarm's optimistic concurrency: someone changed ucp-interlock in between. Re-read and
    /// re-plan once; go on only if the core still uses the config the plan was made from and
    /// the plan comes out the same. Otherwise stop, changing nothing more, and say what moved.
    async fn run(&self, report: &mut ApplyReport, ui: &mut Ui, printer: Printer) {
        printer.status("ucp-interlock changed while updating it: reading the cluster again and re-planning once");
        // Part of the plan has run: a failure here must still end in the state report.
        let state = match live::read(&self.args.connection, false, printer).await {
            Ok((_, state)) => state,
            Err(e) => {
                report.hint = Some(format!(
                    "re-reading the cluster failed ({}); run `interlock-split plan` again, then apply",
                    e.message
                ));
                return;
            }
        };
        let pin = &self.work.pin;
        if state.config.id != pin.config_id {
            let now = provenance(&state.config);
            let m = Moved::ConfigInUse {
                now,
                planned: pin.config_name.clone(),
            };
            report.core.config = state.config.name.clone();
            return moved(report, m.to_string());
        }
        let Some(spec) = self.spec else {
            let e = format!(
                "ucp-interlock was updated since the saved plan was made (version {} → {}); nothing more was changed",
                pin.core_version, state.core.version
            );
            return moved(report, e);
        };
        let plan = match plan_live(spec, &state, self.args.keep_configs) {
            Ok(p) if !p.has_errors() => p,
            _ => return moved(report, "the cluster changed under the plan and it no longer plans cleanly; nothing more was changed".into()),
        };
        if !same_plan(&plan, self.work) {
            return moved(report, "the cluster changed under the plan: planned again, the plan is not the one shown; nothing more was changed".into());
        }
        let pin = Pin::of(&state);
        let cx = Context {
            swarm: self.client,
            audit: self.audit,
            state: &state,
            pin: &pin,
            new_config: &plan.new_config,
            opts: self.opts,
            interrupt: self.interrupt,
        };
        *report = apply::execute(&cx, &plan.actions, ui).await;
    }
}

fn nothing_to_do(state: &LiveState) -> ApplyReport {
    ApplyReport {
        outcome: Outcome::NothingToDo,
        ..ApplyReport::new(&state.config.name)
    }
}

/// Prints the outcome and picks the exit code.
pub fn finish(report: &ApplyReport, output: OutputFormat, printer: &Printer) -> CliResult {
    report::print(report, output == OutputFormat::Json, printer);
    Ok(report.outcome.into())
}
