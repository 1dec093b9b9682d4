//! Exit codes: stable, documented, and the same for every command.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done; also "no changes".
    Success,
    /// Something went wrong, or the plan has errors.
    Failure,
    /// The plan has changes (only with `--detailed-exitcode`).
    Changes,
    /// The command line itself is wrong (sysexits' EX_USAGE).
    Usage,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
            ExitStatus::Usage => 64,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(s.code())
    }
}

/// The table printed in `--help` and the README.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0   success, including \"no changes\"
  1   error: bad input, a plan with errors, a failed command
  2   the plan has changes (only with --detailed-exitcode)
  64  usage error: unknown flag, missing argument";
