//! Errors that reach the operator: what is wrong, where, and how to fix it.

use crate::exit::ExitStatus;
use crate::finding::Finding;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input or a failed operation.
    User,
    /// The command line is wrong.
    Usage,
    /// Any other outcome with an exit code of its own (stale plan, rollback, …).
    Status(ExitStatus),
}

#[derive(Debug)]
pub struct CliError {
    pub kind: ErrorKind,
    pub message: String,
    pub hints: Vec<String>,
    /// Located problems behind the error (spec errors, config syntax errors).
    pub findings: Vec<Finding>,
    /// The command stopped before it changed the cluster, and the message says so.
    pub nothing_changed: bool,
}

impl CliError {
    pub fn user(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::User,
            message: message.into(),
            hints: Vec::new(),
            findings: Vec::new(),
            nothing_changed: false,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Usage,
            ..Self::user(message)
        }
    }

    pub fn with_status(mut self, s: ExitStatus) -> Self {
        self.kind = ErrorKind::Status(s);
        self
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
        match self.kind {
            ErrorKind::User => ExitStatus::Failure,
            ErrorKind::Usage => ExitStatus::Usage,
            ErrorKind::Status(s) => s,
        }
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
        let err = CliError::user(format!("cannot read {what} `{path}`: {e}"));
        match e.kind() {
            std::io::ErrorKind::NotFound if what == "spec" => {
                err.hint("create one with `interlock-split init`, or point to it with --spec FILE")
            }
            std::io::ErrorKind::InvalidData => err.hint("the file must be UTF-8 text"),
            _ => err,
        }
    })
}
