use crate::cli::args::RenderArgs;
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::finding::Severity;
use crate::output::human;
use crate::output::printer::Printer;

use super::inputs::plan_from_file;

/// Prints the new TOML unmasked: it is the artifact that gets uploaded. Refuses a config with
/// errors, so that a runbook piping it to `docker config create` cannot upload a broken one.
pub fn run(args: RenderArgs, printer: &Printer) -> CliResult {
    let plan = plan_from_file(&args.current, &args.spec.spec, None)?;
    if plan.has_errors() {
        let errors = plan
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .cloned()
            .collect();
        return Err(CliError::new(
            ErrorCode::PlanHasErrors,
            format!(
                "the new config has {} error{}; nothing was rendered",
                plan.summary.errors,
                if plan.summary.errors == 1 { "" } else { "s" }
            ),
        )
        .with_findings(errors)
        .hint("run `interlock-split plan` for the whole picture"));
    }
    let warnings: Vec<_> = plan
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .cloned()
        .collect();
    if !warnings.is_empty() {
        printer.status(&human::findings(&warnings, &printer.err_style));
    }
    printer.out(&plan.new_config);
    Ok(ExitStatus::Success)
}
