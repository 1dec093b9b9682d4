//! The command line's definitions, kept apart from the logic (`crate::commands`): clap
//! arguments and errors with hints. The exit codes are `crate::exit`'s.

pub mod args;
pub mod error;

pub use crate::exit::ExitStatus;
pub use args::Cli;
pub use error::{CliError, CliResult, ErrorCode};
