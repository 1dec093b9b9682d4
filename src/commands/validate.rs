use serde::Serialize;

use crate::check;
use crate::cli::args::{OutputFormat, ValidateArgs};
use crate::cli::error::read_file;
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::finding::{self, Code, Finding, Severity};
use crate::interlock::InterlockConfig;
use crate::locate::{Location, Locator};
use crate::output::human;
use crate::output::printer::Printer;

#[derive(Serialize)]
struct Validation<'a> {
    file: &'a str,
    valid: bool,
    errors: usize,
    warnings: usize,
    findings: &'a [Finding],
}

pub fn run(args: ValidateArgs, printer: &Printer) -> CliResult {
    let json = args.output == OutputFormat::Json;
    let text =
        super::json_error::on_error(json, "validate", read_file(&args.file, "config"), printer)?;
    // The parsed document is dropped before the locator parses its own: on a huge config
    // the two trees at once would double the memory.
    let parsed = InterlockConfig::parse(&text).map(|(_, cfg)| cfg);
    let findings: Vec<Finding> = match parsed {
        Err(e) => vec![Finding {
            location: Some(Location {
                file: args.file.clone(),
                line: e.line,
                column: e.column,
            }),
            hint: Some(e.hint),
            ..Finding::error(Code::TomlSyntax, e.message)
        }],
        Ok(cfg) => {
            let locator = Locator::new(args.file.clone(), &text);
            check::config(&cfg)
                .into_iter()
                .map(|f| f.located(&locator))
                .collect()
        }
    };
    let errors = finding::count(&findings, Severity::Error);
    let warnings = finding::count(&findings, Severity::Warning);
    let invalid = (errors > 0).then(|| {
        let found = findings.iter().filter(|f| f.severity == Severity::Error);
        CliError::new(
            ErrorCode::ConfigInvalid,
            format!(
                "`{}` has {errors} error{}",
                args.file,
                if errors == 1 { "" } else { "s" }
            ),
        )
        .with_findings(found.cloned().collect())
    });
    let status = invalid
        .as_ref()
        .map_or(ExitStatus::Success, CliError::exit_status);
    match args.output {
        OutputFormat::Json => {
            let result = Validation {
                file: &args.file,
                valid: errors == 0,
                errors,
                warnings,
                findings: &findings,
            };
            let error = invalid.as_ref().map(super::json_error::error_doc);
            super::json_error::print(printer, "validate", status, error.as_ref(), Some(&result));
        }
        OutputFormat::Human => {
            let s = &printer.out_style;
            let mut out = human::findings(&findings, s);
            let verdict = if errors == 0 {
                s.green("valid")
            } else {
                s.red_bold("invalid")
            };
            out.push_str(&format!(
                "{}: {verdict}, {errors} error{}, {warnings} warning{}\n",
                args.file,
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" }
            ));
            printer.out(&out);
        }
    }
    Ok(status)
}
