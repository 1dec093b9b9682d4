//! What the routes say about an application, as findings naming its service and hosts.

use std::collections::BTreeMap;

use super::glob;
use super::{AppRoute, Route};
use crate::cluster::Snapshot;
use crate::finding::{Code, Finding};
use crate::interlock::InterlockConfig;
use crate::locate::KeyPath;
use crate::route::{self, Application, near_miss};
use crate::spec::{ClusterSpec, Spec};

/// `service (a.example, b.example)`.
fn named(service: &str, hosts: &[String]) -> String {
    if hosts.is_empty() {
        format!("`{service}` (no valid host)")
    } else {
        format!("`{service}` ({})", hosts.join(", "))
    }
}

/// `the default, unnamed service cluster` or `service cluster `dev``.
fn cluster_words(cluster: &str) -> String {
    if cluster.is_empty() {
        "the default, unnamed service cluster".into()
    } else {
        format!("service cluster `{cluster}`")
    }
}

fn apps_path(c: &ClusterSpec) -> KeyPath {
    KeyPath::new().key("clusters").key(&c.name).key("apps")
}

/// The label each application gets from the spec's `apps` (only where it changes), and the
/// findings of patterns that match nothing or one application twice.
pub fn claims(
    apps: &[Application],
    spec: &Spec,
    out: &mut Vec<Finding>,
) -> BTreeMap<String, String> {
    let mut claimed: BTreeMap<String, (String, String)> = BTreeMap::new();
    for c in &spec.clusters {
        for pattern in &c.apps {
            let mut matched = false;
            for app in apps.iter().filter(|a| glob::matches(pattern, &a.service)) {
                matched = true;
                // A glob takes unlabelled applications only; one labelled for another cluster
                // moves only when named exactly.
                let labelled_elsewhere =
                    app.cluster_label.is_some() && app.cluster() != c.service_cluster;
                if glob::is_glob(pattern) && labelled_elsewhere {
                    continue;
                }
                if let Some((other, _)) = claimed.get(&app.service).filter(|(o, _)| *o != c.name) {
                    out.push(overlap(app, other, c));
                    continue;
                }
                claimed.insert(
                    app.service.clone(),
                    (c.name.clone(), c.service_cluster.clone()),
                );
            }
            if !matched {
                out.push(
                    Finding::warning(
                        Code::AppNotFound,
                        format!("`{pattern}` in the apps of `{}` matches no application service (none with com.docker.lb.hosts)", c.name),
                    )
                    .at(apps_path(c))
                    .hint("check the name with `docker service ls`; a stack's services are named <stack>_<service>"),
                );
            }
        }
    }
    claimed
        .into_iter()
        .filter_map(|(service, (_, to))| {
            let app = apps.iter().find(|a| a.service == service)?;
            (app.cluster_label.as_deref() != Some(to.as_str())
                && !(to.is_empty() && app.cluster_label.is_none()))
            .then_some((service, to))
        })
        .collect()
}

fn overlap(app: &Application, other: &str, c: &ClusterSpec) -> Finding {
    Finding::error(
        Code::AppsOverlap,
        format!(
            "application {} is in the apps of both `{other}` and `{}`: one service cluster routes it",
            named(&app.service, &app.hosts),
            c.name
        ),
    )
    .at(apps_path(c))
    .hint("list it under one cluster only")
}

/// The findings of one application.
pub fn of(
    app: &Application,
    r: &AppRoute,
    old: &InterlockConfig,
    new: &InterlockConfig,
    exists: &dyn Fn(&str) -> bool,
    snap: &Snapshot,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = app.problems.iter().map(|p| bad_label(app, p)).collect();
    let after_cluster = r.relabel.as_deref().unwrap_or(app.cluster());
    if !app.routable() {
        // Routed by none either way (its bad label says why); its label may still name no
        // cluster at all.
        let nowhere = route::extension_for(app.cluster(), old).is_none()
            && route::extension_for(after_cluster, new).is_none();
        if nowhere {
            out.push(unmatched(app, after_cluster, old, new));
        }
        out.extend(secrets(app, snap));
        return out;
    }
    match (&r.now, &r.after) {
        (Some(now), None) => out.push(lost(app, now, after_cluster, new)),
        (None, None) => out.push(unmatched(app, after_cluster, old, new)),
        (Some(now), Some(after)) if r.moves() => out.push(moved(app, now, after)),
        _ => {}
    }
    if let Some(e) = r.after.as_ref().and_then(|a| new.extension(&a.cluster))
        && let Err(why) = route::network(app, e, exists)
    {
        out.push(
            Finding::error(
                Code::NetworkUnreachable,
                format!("the proxy of `{}` cannot reach application {}: {why}", e.name, named(&app.service, &app.hosts)),
            )
            .hint("attach the service to the cluster's network and name it in com.docker.lb.network (a stack's networks are named <stack>_<network>)"),
        );
    }
    out.extend(secrets(app, snap));
    out
}

fn bad_label(app: &Application, p: &route::LabelProblem) -> Finding {
    Finding::warning(
        Code::AppLabelInvalid,
        format!(
            "service `{}`: {} `{}` {}",
            app.service, p.label, p.value, p.why
        ),
    )
    .hint(format!(
        "fix it with `docker service update --label-add {}=… {}`",
        p.label, app.service
    ))
}

fn lost(app: &Application, now: &Route, cluster: &str, new: &InterlockConfig) -> Finding {
    let hint = match near_miss(cluster, new) {
        Some(e) => format!("the label is off by case or spaces from `{}`'s service cluster: relabel the service, or list it in `apps` of a cluster", e.name),
        None => "list the service in `apps` of the cluster that should route it, or set `catch_all = true` on the cluster that keeps the applications without a label".into(),
    };
    Finding::error(
        Code::RouteLost,
        format!(
            "application {} is routed by `{}` now and by no cluster after the plan: the new config has no extension for {}",
            named(&app.service, &app.hosts),
            now.cluster,
            cluster_words(cluster)
        ),
    )
    .hint(hint)
}

fn unmatched(
    app: &Application,
    cluster: &str,
    old: &InterlockConfig,
    new: &InterlockConfig,
) -> Finding {
    let hint = match near_miss(cluster, new).or_else(|| near_miss(cluster, old)) {
        Some(e) => format!(
            "service cluster names match exactly: `{}` is `{}`'s, so relabel it with `docker service update --label-add com.docker.lb.service_cluster={} {}`, or name it in that cluster's `apps`",
            route::serves(e), e.name, route::serves(e), app.service
        ),
        None => "label it for a cluster of the spec (list it in that cluster's `apps`), or add a cluster for it".into(),
    };
    Finding::error(
        Code::RouteUnmatched,
        format!(
            "application {} asks for {}, which no extension serves, now or after the plan",
            named(&app.service, &app.hosts),
            cluster_words(cluster)
        ),
    )
    .hint(hint)
}

/// `ucp-interlock-proxy on 8080/8443 (ingress: every node)`.
fn place(r: &Route) -> String {
    let ports: Vec<String> = r.ports.iter().map(|p| p.published.to_string()).collect();
    let mode = r.ports.first().map_or("ingress", |p| p.mode.as_str());
    let nodes = if mode == "host" {
        "the proxy's nodes"
    } else {
        "every node"
    };
    format!(
        "`{}` (`{}` on {}, {mode}: {nodes})",
        r.cluster,
        r.proxy,
        if ports.is_empty() {
            "no port".into()
        } else {
            ports.join("/")
        }
    )
}

fn moved(app: &Application, now: &Route, after: &Route) -> Finding {
    Finding::info(
        Code::RouteMoves,
        format!(
            "{} moves from {} to {}",
            named(&app.service, &app.hosts),
            place(now),
            place(after)
        ),
    )
    .hint(
        "point its DNS or load balancer entry at the new ports (and nodes) once apply has moved it",
    )
}

fn secrets(app: &Application, snap: &Snapshot) -> Vec<Finding> {
    [(route::labels::SSL_CERT, &app.ssl_cert), (route::labels::SSL_KEY, &app.ssl_key)]
        .into_iter()
        .filter_map(|(label, name)| {
            let name = name.as_ref()?;
            (!snap.secrets.contains(name)).then(|| {
                Finding::error(
                    Code::TlsSecretMissing,
                    format!("application {}: {label} names the secret `{name}`, which is not in the swarm: its proxy cannot start with it", named(&app.service, &app.hosts)),
                )
                .hint("create it (`docker secret create`), or fix the label; a stack's secrets are named <stack>_<secret>")
            })
        })
        .collect()
}

/// A host that two clusters route after the plan: each answers it on its own ports.
pub fn shared_hosts(routes: &[AppRoute]) -> Vec<Finding> {
    let mut by_host: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in routes {
        let Some(after) = &r.after else { continue };
        for h in &r.hosts {
            let e = by_host.entry(h.to_ascii_lowercase()).or_default();
            if !e.iter().any(|(c, _)| c == &after.cluster) {
                e.push((after.cluster.clone(), r.service.clone()));
            }
        }
    }
    by_host
        .into_iter()
        .filter(|(_, cs)| cs.len() > 1)
        .map(|(host, cs)| {
            let who: Vec<String> = cs.iter().map(|(c, s)| format!("`{c}` (service `{s}`)")).collect();
            Finding::warning(Code::HostInTwoClusters, format!("host `{host}` is routed by {}", who.join(" and ")))
                .hint("each cluster's proxy answers it on its own ports: the DNS entry decides which; give each application its own host")
        })
        .collect()
}

/// An unlabelled application in the collection of a cluster that does not route it: proposed
/// for that cluster, never relabelled without `apps`.
pub fn collections(apps: &[Application], routes: &[AppRoute], spec: &Spec) -> Vec<Finding> {
    let mut out = Vec::new();
    for (app, r) in apps.iter().zip(routes) {
        let (Some(col), None, None) = (&app.collection, &app.cluster_label, &r.relabel) else {
            continue;
        };
        let Some(c) = spec
            .clusters
            .iter()
            .find(|c| c.collection.as_ref() == Some(col))
        else {
            continue;
        };
        if r.after.as_ref().is_some_and(|a| a.cluster == c.name) {
            continue;
        }
        out.push(
            Finding::warning(
                Code::AppInCollection,
                format!("application {} is in collection {col}, `{}`'s, but has no service_cluster label", named(&app.service, &app.hosts), c.name),
            )
            .at(apps_path(c))
            .hint(format!("to route it through `{}`, add it under [clusters.{}]: apps = [\"{}\"]", c.name, c.name, app.service)),
        );
    }
    out
}
