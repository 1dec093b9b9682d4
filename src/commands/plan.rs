use crate::cli::args::{OutputFormat, PlanArgs};
use crate::cli::{CliResult, ExitStatus};
use crate::output::printer::Printer;
use crate::output::{human, json};

use super::inputs::plan_from_file;

pub fn run(args: PlanArgs, printer: &Printer) -> CliResult {
    let plan = plan_from_file(&args.current, &args.spec.spec, args.config_name)?;
    match args.output {
        OutputFormat::Json => printer.out(&json::document(&plan)),
        OutputFormat::Human => printer.out(&human::plan(&plan, &printer.out_style)),
    }
    if plan.has_errors() {
        printer.err(&format!(
            "{} the plan has {} error{}: apply would refuse it",
            printer.err_style.red_bold("error:"),
            plan.summary.errors,
            if plan.summary.errors == 1 { "" } else { "s" }
        ));
        return Ok(ExitStatus::Failure);
    }
    Ok(if args.detailed_exitcode && plan.has_changes() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}
