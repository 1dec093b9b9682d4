use std::io::{BufRead, IsTerminal, Write};

use crate::apply::{self, ApplyReport, Interrupt, Options, Outcome, StepStatus, Ui};
use crate::cli::args::{ApplyArgs, OutputFormat};
use crate::cli::{CliError, CliResult, ExitStatus};
use crate::docker::LiveState;
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
}

/// The saved plan at `path`, refused if the cluster has moved away from it. The plan is shown
/// as `plan` showed it, and applied as saved.
fn load_saved(path: &str, state: &LiveState, printer: &Printer) -> Result<Work, CliError> {
    use crate::plan::saved::Drift;
    let text = crate::cli::error::read_file(path, "saved plan")?;
    let saved = SavedPlan::parse(&text)
        .map_err(|e| CliError::user(format!("`{path}` {e}")).hint(e.hint()))?;
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
    let plan = saved.into_plan();
    Ok(Work {
        actions: plan.actions.clone(),
        new_config: plan.new_config.clone(),
        plan: Some(plan),
    })
}

fn confirm(args: &ApplyArgs, printer: &Printer, n: usize, target: &str) -> Result<(), CliError> {
    if args.auto_approve || args.plan_file.is_some() {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::user("apply changes the cluster and there is no terminal to confirm on; nothing was changed")
            .hint("review `interlock-split plan`, then pass --auto-approve, or save it with `plan --out FILE` and run `apply FILE`"));
    }
    eprint!(
        "\n{} {n} action{} on {target}. Only 'yes' is accepted: ",
        printer.err_style.bold("Apply these"),
        if n == 1 { "" } else { "s" }
    );
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if answer.trim() != "yes" {
        return Err(CliError::user("apply cancelled; nothing was changed"));
    }
    Ok(())
}

/// The current TOML, kept where the operator can find it, readable by the owner only.
fn backup(dir: &str, state: &LiveState) -> Result<String, CliError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // Never overwrite a backup: a re-run in the same second gets a name of its own.
    let mut n = 0;
    let (path, mut f) = loop {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let path = std::path::Path::new(dir).join(format!(
            "interlock-backup-{}-{stamp}{suffix}.toml",
            state.config.name
        ));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        match opts.open(&path) {
            Ok(f) => break (path, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => {
                return Err(CliError::user(format!(
                    "cannot write the backup {}: {e}; nothing was changed",
                    path.display()
                ))
                .hint("point --backup-dir at a writable directory"));
            }
        }
    };
    f.write_all(state.toml.as_bytes()).map_err(|e| {
        CliError::user(format!(
            "cannot write the backup {}: {e}; nothing was changed",
            path.display()
        ))
    })?;
    Ok(path.display().to_string())
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
/// thing an operator needs to know.
pub(super) fn unchanged(mut e: CliError) -> CliError {
    if !e.message.contains("nothing was changed") {
        e.message.push_str("; nothing was changed");
    }
    e
}

async fn run_async(args: ApplyArgs, printer: Printer) -> CliResult {
    let interrupt = Interrupt::listen();
    let (client, state) = live::read(&args.connection, false, printer)
        .await
        .map_err(unchanged)?;
    let spec = if args.plan_file.is_none() {
        Some(load_spec(&args.spec.spec).map_err(unchanged)?)
    } else {
        None
    };
    let mut work = match (&args.plan_file, &spec) {
        (Some(path), _) => load_saved(path, &state, &printer).map_err(unchanged)?,
        (None, Some(spec)) => {
            let plan = plan_live(spec, &state, args.keep_configs).map_err(unchanged)?;
            Work {
                actions: plan.actions.clone(),
                new_config: plan.new_config.clone(),
                plan: Some(plan),
            }
        }
        (None, None) => unreachable!("a spec is loaded whenever there is no plan file"),
    };
    if let Some(plan) = &work.plan {
        if args.output == OutputFormat::Human {
            printer.out(&human::plan(plan, &printer.out_style));
        }
        if plan.has_errors() {
            return Err(CliError::user(format!(
                "the plan has {} error{}; nothing was changed",
                plan.summary.errors,
                if plan.summary.errors == 1 { "" } else { "s" }
            ))
            .hint("fix them (see the findings above) and run apply again"));
        }
    } else if args.output == OutputFormat::Human {
        let mut text = String::from("Applying the saved plan:\n");
        for (i, a) in work.actions.iter().enumerate() {
            text.push_str(&format!(
                "  {:>2}. {}\n",
                i + 1,
                human::action(a, &printer.out_style)
            ));
        }
        printer.out(&text);
    }
    if work.actions.is_empty() {
        let report = nothing_to_do(&state);
        if args.output == OutputFormat::Json {
            printer.out(&json::document(&report));
        }
        return Ok(ExitStatus::Success);
    }
    confirm(
        &args,
        &printer,
        work.actions.len(),
        &client.endpoint.address.to_string(),
    )?;
    let backup = backup(&args.backup_dir, &state)?;
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
    let mut report = apply::execute(
        &client,
        &state,
        &work.new_config,
        &work.actions,
        &opts,
        &mut ui,
        &interrupt,
    )
    .await;

    // Swarm's optimistic concurrency: someone changed ucp-interlock in between. Re-read and
    // re-plan once; go on only if the plan still comes out the same.
    if report.outcome == Outcome::OutOfSequence
        && let (Some(spec), Some(old)) = (&spec, &work.plan)
    {
        printer.status("ucp-interlock changed while updating it: reading the cluster again and re-planning once");
        // Part of the plan has run: a failure here must still end in the state report below.
        let replanned = match live::read(&args.connection, false, printer).await {
            Ok((_, state2)) => plan_live(spec, &state2, args.keep_configs).map(|p| (state2, p)),
            Err(e) => Err(e),
        };
        match replanned {
            Err(e) => {
                report.hint = Some(format!(
                    "re-reading the cluster failed ({}); run `interlock-split plan` again, then apply",
                    e.message
                ));
            }
            Ok((state2, plan2)) if plan2.new_config == old.new_config && !plan2.has_errors() => {
                work = Work {
                    actions: plan2.actions.clone(),
                    new_config: plan2.new_config.clone(),
                    plan: Some(plan2),
                };
                report = apply::execute(
                    &client,
                    &state2,
                    &work.new_config,
                    &work.actions,
                    &opts,
                    &mut ui,
                    &interrupt,
                )
                .await;
            }
            Ok(_) => {
                report.hint = Some("the cluster's config changed under the plan: run `interlock-split plan` again and review it".into());
            }
        }
    }
    drop(ui);
    report.backup = Some(backup);
    printer.verbose(&client.summary());
    finish(&report, args.output, &printer)
}

fn nothing_to_do(state: &LiveState) -> ApplyReport {
    ApplyReport {
        outcome: Outcome::NothingToDo,
        ..ApplyReport::new(&state.config.name)
    }
}

/// Prints the outcome and picks the exit code.
pub fn finish(report: &ApplyReport, output: OutputFormat, printer: &Printer) -> CliResult {
    if output == OutputFormat::Json {
        printer.out(&json::document(report));
    } else {
        printer.out(&human_report(report, printer));
    }
    Ok(match report.outcome {
        Outcome::Applied | Outcome::NothingToDo => ExitStatus::Success,
        Outcome::RolledBack => ExitStatus::RolledBack,
        Outcome::Paused => ExitStatus::Paused,
        Outcome::Interrupted => ExitStatus::Interrupted,
        Outcome::PlanStale => ExitStatus::PlanStale,
        Outcome::Failed | Outcome::OutOfSequence | Outcome::Refused => ExitStatus::Failure,
    })
}

fn human_report(r: &ApplyReport, printer: &Printer) -> String {
    let s = &printer.out_style;
    let mut out = String::new();
    if r.outcome == Outcome::Applied {
        out.push_str(&format!(
            "\n{} ucp-interlock runs {}.",
            s.green("Applied."),
            s.bold(&r.core_config)
        ));
        if let Some(b) = &r.backup {
            out.push_str(&format!(
                " The previous config ({}) is saved in {b}.",
                r.previous_config
            ));
        }
        out.push('\n');
        return out;
    }
    let headline = match r.outcome {
        Outcome::RolledBack => {
            s.red_bold("The update of ucp-interlock failed and swarm rolled it back.")
        }
        Outcome::Paused => s.red_bold("The update of ucp-interlock failed and swarm paused it."),
        Outcome::Interrupted => s.yellow_bold("Interrupted."),
        _ => s.red_bold("Apply failed."),
    };
    out.push_str(&format!("\n{headline}\n"));
    if let Some(e) = &r.error {
        out.push_str(&format!("  error: {e}\n"));
    }
    if let Some(t) = &r.failed_task {
        out.push_str(&format!(
            "  failed task {t}: {}\n",
            r.task_error.as_deref().unwrap_or("(no error recorded)")
        ));
    }
    if !r.logs.is_empty() {
        out.push_str("  last log lines:\n");
        for l in &r.logs {
            out.push_str(&format!("    {l}\n"));
        }
    }
    out.push_str(&format!(
        "\nThe cluster now: ucp-interlock runs {}.\n",
        s.bold(&r.core_config)
    ));
    let list = |st: StepStatus| -> Vec<String> {
        r.steps
            .iter()
            .filter(|x| x.status == st)
            .map(|x| apply::describe(&x.action))
            .collect()
    };
    for (label, st) in [
        ("done", StepStatus::Done),
        ("skipped", StepStatus::Skipped),
        ("failed", StepStatus::Failed),
        ("not done", StepStatus::NotRun),
    ] {
        let items = list(st);
        if !items.is_empty() {
            out.push_str(&format!("  {label}:\n"));
            for i in items {
                out.push_str(&format!("    - {i}\n"));
            }
        }
    }
    let hint = match r.outcome {
        Outcome::RolledBack => format!(
            "nothing was removed. Fix the config (`interlock-split validate`, the log lines above) and apply again; the new config stays uploaded and is reused{}",
            ""
        ),
        Outcome::Paused => "swarm left ucp-interlock half-updated: `interlock-split rollback` returns it to the previous config; `interlock-split status` shows where it stands".into(),
        _ => format!(
            "run `interlock-split apply` again to finish (steps already done are recognised and skipped), or `interlock-split rollback` to return ucp-interlock to {}",
            r.previous_config
        ),
    };
    if let Some(h) = &r.hint {
        out.push_str(&format!("  = hint: {h}\n"));
    }
    out.push_str(&format!("  = hint: {hint}\n"));
    out
}
