//! `history` for people: one block per config, newest first, with its audit record.

use std::fmt::Write;

use super::style::Styler;
use crate::audit::history::{Entry, History};
use crate::audit::verdict::{Evidence, Fate};

fn outcome(e: &Entry, st: &Styler) -> String {
    let text = e.outcome.as_str();
    let painted = match e.outcome {
        Fate::Ran => st.green(text),
        Fate::Unknown => st.dim(text),
        _ => st.red(text),
    };
    let from = match e.outcome_from {
        Evidence::Label => " (recorded)",
        Evidence::Tasks => " (swarm's task history)",
        Evidence::PreviousSpec => " (the core's previous spec)",
        Evidence::None => "",
    };
    let detail = e
        .outcome_detail
        .as_ref()
        .map(|d| format!(": {d}"))
        .unwrap_or_default();
    format!("{painted}{from}{detail}")
}

fn entry(e: &Entry, st: &Styler) -> String {
    let mut marks = Vec::new();
    if e.in_use {
        marks.push(st.green("in use"));
    }
    if e.rollback_target {
        marks.push(st.cyan("rollback target"));
    }
    let marks = if marks.is_empty() {
        String::new()
    } else {
        format!("  [{}]", marks.join(", "))
    };
    let mut out = format!("{}{marks}\n", st.bold(&e.name));
    let created = e.created.as_deref().unwrap_or("unknown");
    let _ = writeln!(out, "    created   {created}");
    let by = match (&e.applied_by, &e.tool) {
        (Some(by), Some(tool)) => format!("{by}, with {tool}"),
        (None, Some(tool)) => format!("with {tool}"),
        _ => "not by interlock-split (no record)".into(),
    };
    let _ = writeln!(out, "    by        {by}");
    if let Some(p) = &e.plan_sha256 {
        let _ = writeln!(out, "    plan      sha256:{}", &p[..p.len().min(16)]);
    }
    let _ = writeln!(out, "    outcome   {}", outcome(e, st));
    out
}

pub fn human(h: &History, st: &Styler) -> String {
    let mut out = format!("{}\n\n", st.bold("Interlock configs, newest first:"));
    for e in &h.configs {
        out.push_str(&entry(e, st));
        out.push('\n');
    }
    match &h.rollback_target {
        Some(t) => {
            let unverified = if h.rollback_verified {
                ""
            } else {
                " (no record that it ran: the newest config with no record)"
            };
            let _ = writeln!(
                out,
                "`interlock-split rollback` would go back to {t}{unverified}."
            );
        }
        None => {
            let _ = writeln!(
                out,
                "`interlock-split rollback` has no config to go back to."
            );
        }
    }
    for s in &h.rollback_skips {
        let _ = writeln!(out, "  it skips {}: {}", s.name, s.why);
    }
    out
}
