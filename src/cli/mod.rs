//! The command line's definitions, kept apart from the logic (`crate::commands`): clap
//! arguments, exit codes, and errors with hints.

pub mod args;
pub mod error;
pub mod exit;

pub use args::Cli;
pub use error::{CliError, CliResult};
pub use exit::ExitStatus;
