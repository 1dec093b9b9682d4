use std::io::Write;

use crate::cli::args::{OutputFormat, PlanArgs};
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::finding::Severity;
use crate::output::human;
use crate::output::printer::Printer;
use crate::plan::Plan;
use crate::plan::saved::{Fingerprint, SavedPlan, sha256};

use super::inputs::{live_fingerprint, load_spec, plan_from_file, plan_live};
use super::json_error;
use super::live;

pub fn run(args: PlanArgs, printer: &Printer) -> CliResult {
    let json = args.output == OutputFormat::Json;
    let (plan, fingerprint) = json_error::on_error(json, "plan", compute(&args, printer), printer)?;
    // Saved before the plan is printed, so that a failure to save is the one document printed.
    if let Some(out) = &args.out {
        json_error::on_error(json, "plan", save(out, &plan, fingerprint), printer)?;
    }
    let refused = plan.has_errors().then(|| errors(&plan));
    let status = match &refused {
        Some(e) => e.exit_status(),
        None if args.detailed_exitcode && plan.has_changes() => ExitStatus::Changes,
        None => ExitStatus::Success,
    };
    match args.output {
        OutputFormat::Json => {
            let error = refused.as_ref().map(json_error::error_doc);
            json_error::print(printer, "plan", status, error.as_ref(), Some(&plan));
        }
        OutputFormat::Human => printer.out(&human::plan(&plan, &printer.out_style)),
    }
    if let Some(out) = &args.out {
        printer.status(&format!(
            "saved the plan to {out}; apply it with: interlock-split apply {out}"
        ));
    }
    if let Some(e) = &refused {
        printer.err(&format!(
            "{} {}",
            printer.err_style.red_bold("error:"),
            e.message
        ));
    }
    Ok(status)
}

/// A plan with errors: apply would refuse it.
fn errors(plan: &Plan) -> CliError {
    let n = plan.summary.errors;
    let errors = plan
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error);
    CliError::new(
        ErrorCode::PlanHasErrors,
        format!(
            "the plan has {n} error{}: apply would refuse it",
            if n == 1 { "" } else { "s" }
        ),
    )
    .with_findings(errors.cloned().collect())
}

/// The plan, from a file or the cluster, with what it was computed from.
fn compute(args: &PlanArgs, printer: &Printer) -> Result<(Plan, Fingerprint), CliError> {
    Ok(match &args.current {
        Some(current) => {
            let plan = plan_from_file(current, &args.spec.spec, args.config_name.clone())?;
            let spec_text = std::fs::read_to_string(&args.spec.spec).unwrap_or_default();
            let current_text = std::fs::read_to_string(current).unwrap_or_default();
            let fp = Fingerprint {
                core_service_id: None,
                core_service_version: None,
                config_id: None,
                config_name: args.config_name.clone(),
                current_toml_sha256: sha256(&current_text),
                spec_file: args.spec.spec.clone(),
                spec_sha256: sha256(&spec_text),
            };
            (plan, fp)
        }
        None => live_plan(args, printer)?,
    })
}

fn live_plan(args: &PlanArgs, printer: &Printer) -> Result<(Plan, Fingerprint), CliError> {
    let spec = load_spec(&args.spec.spec)?;
    let rt = live::runtime()?;
    let (client, state) = rt.block_on(live::read(&args.connection, false, *printer))?;
    let plan = plan_live(&spec, &state, args.keep_configs)?;
    printer.verbose(&client.summary());
    Ok((
        plan,
        live_fingerprint(&state, &args.spec.spec, Some(&spec.text)),
    ))
}

/// Writes the saved plan readable by its owner only: it holds the whole new config.
fn save(path: &str, plan: &Plan, fingerprint: Fingerprint) -> Result<(), CliError> {
    let saved = SavedPlan::new(plan, fingerprint);
    let text = serde_json::to_string_pretty(&saved).expect("saved plans serialize");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(|e| {
        CliError::new(
            ErrorCode::WriteFailed,
            format!("cannot write the plan to `{path}`: {e}"),
        )
    })?;
    // The mode above applies only to a new file; an existing one is narrowed too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    f.write_all(text.as_bytes())
        .and_then(|_| f.write_all(b"\n"))
        .map_err(|e| {
            CliError::new(
                ErrorCode::WriteFailed,
                format!("cannot write the plan to `{path}`: {e}"),
            )
        })
}
