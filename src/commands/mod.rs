//! One module per command; each reads its inputs, calls the core, and prints.

mod apply;
mod backup;
mod completions;
mod confirm;
mod history;
mod init;
mod inputs;
mod json_error;
mod live;
mod plan;
mod render;
mod rollback;
mod schema;
mod stamp;
mod status;
mod unknown_nodes;
mod validate;
mod verify;

use crate::cli::CliResult;
use crate::cli::args::Command;
use crate::output::printer::Printer;

pub use init::STARTERS;

pub fn run(command: Command, printer: &Printer) -> CliResult {
    match command {
        Command::Plan(a) => plan::run(a, printer),
        Command::Render(a) => render::run(a, printer),
        Command::Validate(a) => validate::run(a, printer),
        Command::Apply(a) => apply::run(a, printer),
        Command::Rollback(a) => rollback::run(a, printer),
        Command::Status(a) => status::run(a, printer),
        Command::History(a) => history::run(a, printer),
        Command::Verify(a) => verify::run(a, printer),
        Command::Init(a) => init::run(a, printer),
        Command::Completions(a) => completions::run(a, printer),
        Command::Schema => schema::run(printer),
    }
}
