//! The one confirmation prompt of the commands that change the cluster (apply, rollback): only
//! `yes` goes on; without a terminal the command refuses unless the operator approved up front.

use std::io::{BufRead, IsTerminal};

use crate::cli::{CliError, ErrorCode};
use crate::output::printer::Printer;

/// What is asked, and how the operator approves without a prompt.
pub struct Question<'a> {
    /// The command, as the refusal names it: "apply", "rollback".
    pub command: &'a str,
    /// The question, without its ending: "Apply these 7 actions on tcp://…:443".
    pub ask: String,
    /// The hint when there is no terminal to ask on.
    pub without_terminal: &'a str,
}

/// Asks on stderr and reads the answer from stdin; nothing changed unless it is `yes`.
pub fn confirm(q: &Question, printer: &Printer) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            ErrorCode::NotConfirmed,
            format!(
                "{} changes the cluster and there is no terminal to confirm on",
                q.command
            ),
        )
        .nothing_changed()
        .hint(q.without_terminal));
    }
    // The question holds names from the cluster: printed through the printer's escaping.
    printer.prompt(&format!(
        "\n{}? Only 'yes' is accepted: ",
        printer.err_style.bold(&q.ask)
    ));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if answer.trim() != "yes" {
        return Err(
            CliError::new(ErrorCode::NotConfirmed, format!("{} cancelled", q.command))
                .nothing_changed(),
        );
    }
    Ok(())
}
