//! Exit codes: stable, documented, and the same for every command. What apply's and
//! rollback's outcomes map to is decided beside `apply::Outcome`.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Done; also "no changes".
    Success,
    /// Something went wrong, or the plan has errors.
    Failure,
    /// The plan has changes (only with `--detailed-exitcode`).
    Changes,
    /// A saved plan no longer matches the cluster: nothing was changed.
    PlanStale,
    /// The core's update failed and swarm rolled it back: the cluster is on the old config.
    RolledBack,
    /// The core's update failed and swarm paused it half-way.
    Paused,
    /// The command line itself is wrong (sysexits' EX_USAGE).
    Usage,
    /// Another update replaced this one's before it converged.
    Superseded,
    /// Stopped by Ctrl-C between two steps.
    Interrupted,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
            ExitStatus::PlanStale => 3,
            ExitStatus::RolledBack => 4,
            ExitStatus::Paused => 5,
            ExitStatus::Superseded => 6,
            ExitStatus::Usage => 64,
            ExitStatus::Interrupted => 130,
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
  3   apply: the cluster moved away from the plan (a stale saved plan, or another operator
      changed ucp-interlock or took the config name); nothing (more) was changed
  4   apply/rollback: the update of ucp-interlock failed and swarm rolled it back
  5   apply/rollback: the update of ucp-interlock failed and swarm paused it
  6   apply/rollback: another update replaced this one before it converged (superseded)
  64  usage error: unknown flag, missing argument
  130 interrupted (Ctrl-C) between two steps; the state is printed";
