//! The applications' routes for people: the plan's route actions, and its "Routes" section
//! (where each application is routed now and after, what moves, where a gap is).

use super::style::Styler;
use crate::plan::{Action, AppRoute, Route};

/// The line of a route action; `None` for any other action.
pub fn action(a: &Action, s: &Styler) -> Option<String> {
    Some(match a {
        Action::CreateNetwork {
            name,
            cluster,
            labels,
        } => {
            let collection = labels
                .get(crate::route::labels::COLLECTION)
                .map(|c| format!(" in collection {c}"))
                .unwrap_or_default();
            format!(
                "create overlay network {}{collection} for `{cluster}`'s proxy",
                s.bold(name)
            )
        }
        Action::RelabelApp {
            service,
            hosts,
            from,
            to,
            ..
        } => format!(
            "relabel application {} ({}): com.docker.lb.service_cluster={} (was {}); swarm restarts none of its tasks",
            s.bold(service),
            hosts.join(", "),
            quoted(to),
            from.as_deref().map_or("no label".into(), quoted)
        ),
        Action::AwaitRoute {
            service,
            hosts,
            cluster,
            proxy,
            ..
        } => format!(
            "wait until `{cluster}`'s proxy {} routes {} ({})",
            s.bold(proxy),
            service,
            hosts.join(", ")
        ),
        _ => return None,
    })
}

fn quoted(v: &str) -> String {
    if v.is_empty() {
        "\"\" (the default, unnamed service cluster)".into()
    } else {
        v.to_string()
    }
}

/// `dev (ucp-interlock-proxy-dev, 8082/8445)`.
fn place(r: &Option<Route>) -> String {
    match r {
        None => "no cluster".into(),
        Some(r) => {
            let ports: Vec<String> = r.ports.iter().map(|p| p.published.to_string()).collect();
            format!("{} ({}, {})", r.cluster, r.proxy, ports.join("/"))
        }
    }
}

/// One line per application: where it is routed now and after the plan, and its gap.
pub fn section(routes: &[AppRoute], s: &Styler) -> String {
    if routes.is_empty() {
        return String::new();
    }
    let mut out = format!("{}\n", s.bold("Routes:"));
    for r in routes {
        let change = if r.now == r.after {
            format!("stays on {}", place(&r.now))
        } else {
            format!("{} → {}", place(&r.now), place(&r.after))
        };
        let relabel = r
            .relabel
            .as_ref()
            .map(|to| format!(", relabelled {}", quoted(to)))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {} ({}): {change}{relabel}\n",
            s.bold(&r.service),
            r.hosts.join(", ")
        ));
        if let Some(g) = &r.gap {
            out.push_str(&format!(
                "      {} from step {} until step {}: {}\n",
                s.yellow("no route"),
                g.from_step,
                g.until_step,
                g.why
            ));
        }
    }
    out
}
