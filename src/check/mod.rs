//! Checks on an Interlock config: everything that would make Interlock, swarm or UCP refuse or
//! misbehave, found before anything is written. Each finding names its key path.

mod names;
mod placement;
mod ports;
mod required;
mod single_proxy;

use crate::finding::{Finding, Severity};
use crate::interlock::InterlockConfig;

/// All checks on one config. Errors first, then warnings, then notes; stable within each.
pub fn config(cfg: &InterlockConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    required::check(cfg, &mut out);
    names::check(cfg, &mut out);
    ports::check(cfg, &mut out);
    placement::check(cfg, &mut out);
    single_proxy::check(cfg, &mut out);
    sort(&mut out);
    out
}

pub fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    });
}

#[cfg(test)]
mod tests;
