//! `status` for people.

use std::fmt::Write;

use super::style::Styler;
use crate::interlock::PublishMode;
use crate::status::{Report, ServiceState};

fn service_line(s: &ServiceState, st: &Styler) -> String {
    let replicas = match (s.exists, s.desired) {
        (false, _) => st.red("missing"),
        (true, Some(d)) if s.running < d => st.red(&format!("{}/{d}", s.running)),
        (true, Some(d)) => st.green(&format!("{}/{d}", s.running)),
        (true, None) => format!("{} (global)", s.running),
    };
    let mut line = format!(
        "    {:<9} {}  {replicas}",
        s.role.as_str(),
        st.bold(&s.name)
    );
    if !s.ports.is_empty() {
        let _ = write!(line, "  {}", s.ports.join(", "));
    }
    if !s.nodes.is_empty() {
        let _ = write!(line, "  on {}", s.nodes.join(", "));
    }
    line.push('\n');
    if !s.constraints.is_empty() {
        let _ = writeln!(
            line,
            "              constraints: {}",
            s.constraints.join(", ")
        );
    }
    for p in &s.problems {
        let _ = writeln!(line, "              {} {p}", st.yellow_bold("!"));
    }
    line
}

pub fn report(r: &Report, st: &Styler) -> String {
    let mut out = String::new();
    let c = &r.core;
    let _ = writeln!(
        out,
        "{} {} ({}), {} running, config {}",
        st.bold("Core:"),
        c.service,
        c.image,
        match c.desired {
            Some(d) => format!("{}/{d}", c.running),
            None => c.running.to_string(),
        },
        st.bold(&c.config)
    );
    if let Some(state) = &c.update_state {
        let bad = matches!(
            state.as_str(),
            "paused" | "rollback_started" | "rollback_paused" | "rollback_completed"
        );
        let text = format!(
            "last update: {state}{}",
            c.update_message
                .as_ref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        );
        let _ = writeln!(out, "      {}", if bad { st.red_bold(&text) } else { text });
    }
    out.push('\n');
    let _ = writeln!(out, "{}", st.bold("Service clusters:"));
    for cl in &r.clusters {
        let p = |v: Option<i64>| v.map_or("-".into(), |x| x.to_string());
        let _ = writeln!(
            out,
            "  {}  service cluster {}, {} {}/{}",
            st.bold(&cl.name),
            cl.service_cluster.as_deref().unwrap_or("(none)"),
            cl.publish_mode.map_or("?", PublishMode::as_str),
            p(cl.http_port),
            p(cl.https_port)
        );
        for s in &cl.services {
            out.push_str(&service_line(s, st));
        }
    }
    if !r.stale.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "{}", st.bold("Stale services:"));
        for s in &r.stale {
            out.push_str(&service_line(s, st));
        }
    }
    out.push('\n');
    let _ = writeln!(out, "{}", st.bold("Interlock configs:"));
    for cfg in &r.configs {
        let _ = writeln!(
            out,
            "  {} {}{}",
            if cfg.in_use {
                st.green("*")
            } else {
                " ".into()
            },
            cfg.name,
            cfg.created_at
                .as_ref()
                .map(|d| format!("  ({d})"))
                .unwrap_or_default()
        );
    }
    out.push('\n');
    if r.problems == 0 {
        let _ = writeln!(out, "{}", st.green("No problems."));
    } else {
        let _ = writeln!(
            out,
            "{}",
            st.yellow_bold(&format!(
                "{} problem{} flagged.",
                r.problems,
                if r.problems == 1 { "" } else { "s" }
            ))
        );
    }
    out
}
