//! Findings: what a check has to say about a spec or a config, and where.

use std::collections::BTreeSet;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

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

/// A finding's code. Named so that serde reads it with `code` below rather than borrowing it
/// from the input, which a `&'static str` written out would make it do.
pub type Code = &'static str;

/// One problem or note. `code` is stable and meant for scripts; `message` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    #[serde(deserialize_with = "code")]
    pub code: Code,
    pub message: String,
    pub path: Option<KeyPath>,
    pub location: Option<Location>,
    pub hint: Option<String>,
}

impl Finding {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity,
            code,
            message: message.into(),
            path: None,
            location: None,
            hint: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
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

/// A code read back from a saved plan. Codes are a small fixed set, so each distinct one is
/// kept once for the life of the process, which lets `code` stay a `&'static str`.
fn code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    static CODES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let code = String::deserialize(d)?;
    let mut codes = CODES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = codes.get(code.as_str()) {
        return Ok(known);
    }
    let code: &'static str = Box::leak(code.into_boxed_str());
    codes.insert(code);
    Ok(code)
}

pub fn count(findings: &[Finding], severity: Severity) -> usize {
    findings.iter().filter(|f| f.severity == severity).count()
}

pub fn has_errors(findings: &[Finding]) -> bool {
    count(findings, Severity::Error) > 0
}
