//! Errors that reach the operator: what is wrong, where, and how to fix it.

use serde::Serialize;

use crate::exit::ExitStatus;
use crate::finding::Finding;

/// What went wrong, for scripts: stable, in the JSON envelope's `error.code`. Each maps to its
/// exit code in `exit_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// The command line is wrong (exit 64).
    Usage,
    /// A file the operator named cannot be read.
    Unreadable,
    /// A file cannot be written (a saved plan, a backup, a starter spec).
    WriteFailed,
    /// The spec has problems (the findings say which).
    SpecInvalid,
    /// The current config cannot be planned from, or is not valid TOML.
    ConfigInvalid,
    /// A saved plan that cannot be applied as it is (another format, not a saved plan).
    SavedPlanInvalid,
    /// The plan or the new config has errors: nothing is applied or rendered.
    PlanHasErrors,
    /// The cluster moved away from a saved plan (exit 3).
    PlanStale,
    /// A change was not confirmed (no terminal, or not `yes`).
    NotConfirmed,
    /// Where to connect, or with which credentials, is wrong (bundle, context, TLS files).
    Connect,
    /// A request got no answer (refused, timed out, dropped, TLS, not a Docker API).
    Transport,
    /// The engine refused a call.
    Api,
    /// The manager behind the connection has no leader: it lost contact with a majority of
    /// the managers.
    NoLeader,
    /// There is no `ucp-interlock` service.
    NoInterlock,
    /// A config the command was asked about does not exist.
    NoSuchConfig,
    /// No config to go back to.
    NoRollbackTarget,
    /// `status` flagged problems (its findings).
    ProblemsFlagged,
    /// `verify` got answers that are not the expected ones.
    RoutesWrong,
    /// The program itself could not run (its async runtime).
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Usage => "usage",
            ErrorCode::Unreadable => "unreadable",
            ErrorCode::WriteFailed => "write-failed",
            ErrorCode::SpecInvalid => "spec-invalid",
            ErrorCode::ConfigInvalid => "config-invalid",
            ErrorCode::SavedPlanInvalid => "saved-plan-invalid",
            ErrorCode::PlanHasErrors => "plan-has-errors",
            ErrorCode::PlanStale => "plan-stale",
            ErrorCode::NotConfirmed => "not-confirmed",
            ErrorCode::Connect => "connect",
            ErrorCode::Transport => "transport",
            ErrorCode::Api => "api",
            ErrorCode::NoLeader => "no-leader",
            ErrorCode::NoInterlock => "no-interlock",
            ErrorCode::NoSuchConfig => "no-such-config",
            ErrorCode::NoRollbackTarget => "no-rollback-target",
            ErrorCode::ProblemsFlagged => "problems-flagged",
            ErrorCode::RoutesWrong => "routes-wrong",
            ErrorCode::Internal => "internal",
        }
    }

    /// The one mapping from an error to its exit code.
    pub fn exit_status(self) -> ExitStatus {
        match self {
            ErrorCode::Usage => ExitStatus::Usage,
            ErrorCode::PlanStale => ExitStatus::PlanStale,
            _ => ExitStatus::Failure,
        }
    }
}

#[derive(Debug)]
pub struct CliError {
    pub code: ErrorCode,
    pub message: String,
    pub hints: Vec<String>,
    /// Located problems behind the error (spec errors, config syntax errors).
    pub findings: Vec<Finding>,
    /// The command stopped before it changed the cluster, and the message says so.
    pub nothing_changed: bool,
    /// Within `code`, what exactly failed (`timed-out`, `dropped`, `out-of-sequence`, …).
    pub kind: Option<&'static str>,
}

impl CliError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            hints: Vec::new(),
            findings: Vec::new(),
            nothing_changed: false,
            kind: None,
        }
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = Some(kind);
        self
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Usage, message)
    }

    /// Marks the error as one that left the cluster as it was, and says so (once).
    pub fn nothing_changed(mut self) -> Self {
        if !self.nothing_changed {
            self.message.push_str("; nothing was changed");
            self.nothing_changed = true;
        }
        self
    }

    pub fn hint(mut self, h: impl Into<String>) -> Self {
        self.hints.push(h.into());
        self
    }

    pub fn with_findings(mut self, f: Vec<Finding>) -> Self {
        self.findings = f;
        self
    }

    pub fn exit_status(&self) -> ExitStatus {
        self.code.exit_status()
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

pub type CliResult = Result<ExitStatus, CliError>;

/// Reads a file the operator named, saying which and why it could not be read.
pub fn read_file(path: &str, what: &str) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| {
        let err = CliError::new(
            ErrorCode::Unreadable,
            format!("cannot read {what} `{path}`: {e}"),
        );
        match e.kind() {
            std::io::ErrorKind::NotFound if what == "spec" => {
                err.hint("create one with `interlock-split init`, or point to it with --spec FILE")
            }
            std::io::ErrorKind::InvalidData => err.hint("the file must be UTF-8 text"),
            _ => err,
        }
    })
}
