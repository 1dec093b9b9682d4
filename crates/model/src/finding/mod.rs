//! Findings: what a check has to say about a spec or a config, and where.

use serde::{Deserialize, Serialize};

mod code;

pub use code::Code;

use crate::locate::{KeyPath, Location, Locator};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem or note. `code` is stable and meant for scripts; `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub path: Option<KeyPath>,
    pub location: Option<Location>,
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(severity: Severity, code: Code, message: impl Into<String>) -> Self {
        Self {
            severity,
            code,
            message: message.into(),
            path: None,
            location: None,
            hint: None,
        }
    }

    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn info(code: Code, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message)
    }

    pub fn at(mut self, path: KeyPath) -> Self {
        self.path = Some(path);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Fills in `location` from `path` where the text has that key.
    pub fn located(mut self, locator: &Locator) -> Self {
        if self.location.is_none()
            && let Some(p) = &self.path
        {
            self.location = locator.locate(p);
        }
        self
    }
}

pub fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

pub fn has_errors(findings: &[Finding]) -> bool {
    count(findings, Severity::Error) > 0
}
