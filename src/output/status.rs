//! `status` for people.

use super::human;
use super::human::http_https;
use super::style::Styler;
use crate::finding::Finding;
use crate::status::{ClusterState, ConfigVersion, CoreStatus, Report, ServiceState};
use crate::time;
use std::fmt::Write;

/// Findings under what they are about, printed as the plan prints them.
fn problems(fs: &[Finding], st: &Styler) -> String {
    let mut out = String::new();
    for f in fs {
        for line in human::finding(f, st).lines() {
            let _ = writeln!(out, "              {line}");
        }
    }
    out
}

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
    line.push_str(&problems(&s.problems, st));
    line
}

fn core(c: &CoreStatus, st: &Styler) -> String {
    let mut out = format!(
        "{} {} ({}), {} running, config {}\n",
        st.bold("Core:"),
        c.service,
        c.image,
        match c.desired {
            Some(d) => format!("{}/{d}", c.running),
            None => c.running.to_string(),
        },
        st.bold(&c.config)
    );
    if let Some(state) = c.update_state.as_ref().map(|s| s.as_str()) {
        let text = format!(
            "last update: {state}{}",
            c.update_message
                .as_ref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        );
        let failed = !c.problems.is_empty();
        let _ = writeln!(
            out,
            "      {}",
            if failed { st.red_bold(&text) } else { text }
        );
    }
    out.push_str(&problems(&c.problems, st));
    out
}

fn cluster(cl: &ClusterState, st: &Styler) -> String {
    let mut out = format!(
        "  {}  service cluster {}, {} {}\n",
        st.bold(&cl.name),
        cl.service_cluster.as_deref().unwrap_or("(none)"),
        cl.proxy.mode.as_str(),
        http_https(&cl.proxy)
    );
    for s in &cl.services {
        out.push_str(&service_line(s, st));
    }
    out.push_str(&hosts_line(cl));
    out
}

/// `    routes: a.example, b.example (its proxy serves them)`.
fn hosts_line(cl: &ClusterState) -> String {
    if cl.hosts.is_empty() && cl.served.as_ref().is_none_or(|s| s.is_empty()) {
        return String::new();
    }
    let declared = if cl.hosts.is_empty() {
        "none".to_string()
    } else {
        cl.hosts.join(", ")
    };
    let served = match &cl.served {
        None => "what its proxy serves was not read".to_string(),
        Some(s) if s.len() == cl.hosts.len() && cl.hosts.iter().all(|h| s.contains(h)) => {
            "its proxy serves them".to_string()
        }
        Some(s) if s.is_empty() => "its proxy serves none".to_string(),
        Some(s) => format!("its proxy serves {}", s.join(", ")),
    };
    format!("      routes {declared} ({served})\n")
}

/// The applications no cluster routes, with their problems.
fn applications(r: &Report, st: &Styler) -> String {
    let unrouted: Vec<_> = r
        .applications
        .iter()
        .filter(|a| a.cluster.is_none())
        .collect();
    if unrouted.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{}\n", st.bold("Applications routed by no cluster:"));
    for a in unrouted {
        let _ = writeln!(out, "  {} ({})", st.bold(&a.service), a.hosts.join(", "));
        out.push_str(&problems(&a.problems, st));
    }
    out
}

fn configs(cs: &[ConfigVersion], st: &Styler, now: i64) -> String {
    let mut out = format!("{}\n", st.bold("Interlock configs:"));
    for cfg in cs {
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
                .map(|d| format!("  created {}", time::readable(d, now)))
                .unwrap_or_default()
        );
    }
    out
}

/// The report, its times relative to `now`.
pub fn report(r: &Report, st: &Styler, now: i64) -> String {
    let mut out = core(&r.core, st);
    out.push('\n');
    let _ = writeln!(out, "{}", st.bold("Service clusters:"));
    for cl in &r.clusters {
        out.push_str(&cluster(cl, st));
    }
    out.push_str(&applications(r, st));
    if !r.stale.is_empty() {
        out.push('\n');
        let _ = writeln!(out, "{}", st.bold("Stale services:"));
        for s in &r.stale {
            out.push_str(&service_line(s, st));
        }
    }
    out.push('\n');
    out.push_str(&configs(&r.configs, st, now));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_times_read_as_how_long_ago_and_when() {
        let cs = [
            ConfigVersion {
                name: "com.docker.ucp.interlock.conf-1".into(),
                created_at: Some("2026-11-28T22:10:05.5Z".into()),
                in_use: false,
            },
            ConfigVersion {
                name: "com.docker.ucp.interlock.conf-2".into(),
                created_at: Some("2026-11-29T04:36:19.123456789Z".into()),
                in_use: true,
            },
        ];
        let now = 1_795_926_979 + 190;
        assert_eq!(
            configs(&cs, &Styler::new(false), now),
            concat!(
                "Interlock configs:\n",
                "    com.docker.ucp.interlock.conf-1  created 6 h ago (2026-11-28 22:10 UTC)\n",
                "  * com.docker.ucp.interlock.conf-2  created 3 min ago (2026-11-29 04:36 UTC)\n",
            )
        );
    }
}
