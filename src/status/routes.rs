//! `status`'s routes: per cluster, the hosts its applications declare and the hosts its proxy
//! serves (read from the config Interlock mounts for it); the applications no cluster routes;
//! proxies the config no longer names that still serve hosts.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ClusterState, Report};
use crate::cluster::Snapshot;
use crate::finding::{Code, Finding};
use crate::interlock::{InterlockConfig, ServiceRole};
use crate::route::proxy_config::ServedHost;
use crate::route::routed_by;

/// What each proxy serves, by proxy service name; `None` where its config could not be read
/// (none mounted where the extension says: Interlock's hitless mode).
pub type Served = BTreeMap<String, Option<Vec<ServedHost>>>;

/// One application and the cluster that routes it under the config in use.
#[derive(Debug, Clone, Serialize)]
pub struct AppState {
    pub service: String,
    pub hosts: Vec<String>,
    /// Its `com.docker.lb.service_cluster` (`null`: none).
    pub label: Option<String>,
    /// The cluster (extension) that routes it; `null`: none.
    pub cluster: Option<String>,
    pub problems: Vec<Finding>,
}

/// Adds the routes to `r`: the applications, each cluster's declared and served hosts, and
/// what does not agree.
pub fn add(r: &mut Report, cfg: &InterlockConfig, snap: &Snapshot, served: &Served) {
    r.applications = snap
        .applications()
        .into_iter()
        .map(|app| {
            let cluster = routed_by(&app, cfg).map(|e| e.name.clone());
            let problems = cluster
                .is_none()
                .then(|| unrouted(&app.service, &app.hosts, app.cluster()));
            AppState {
                service: app.service.clone(),
                hosts: app.hosts.clone(),
                label: app.cluster_label.clone(),
                cluster,
                problems: problems.into_iter().collect(),
            }
        })
        .collect();
    for c in &mut r.clusters {
        c.hosts = r
            .applications
            .iter()
            .filter(|a| a.cluster.as_deref() == Some(c.name.as_str()))
            .flat_map(|a| a.hosts.iter().cloned())
            .collect();
        compare(c, served);
    }
    for s in r.stale.iter_mut().filter(|s| s.role == ServiceRole::Proxy) {
        if let Some(Some(hosts)) = served
            .get(&s.name)
            .filter(|h| h.as_ref().is_some_and(|h| !h.is_empty()))
        {
            s.problems.push(orphan(&s.name, hosts));
        }
    }
    r.problems = r.findings().count();
}

fn unrouted(service: &str, hosts: &[String], cluster: &str) -> Finding {
    let asks = if cluster.is_empty() {
        "has no com.docker.lb.service_cluster label, and no extension keeps the default, unnamed service cluster".to_string()
    } else {
        format!(
            "asks for service cluster `{cluster}`, which no extension of the config in use serves"
        )
    };
    Finding::error(Code::AppUnrouted, format!("application `{service}` ({}) {asks}: no proxy routes it", hosts.join(", ")))
        .hint("`interlock-split plan` with the application in a cluster's `apps` (or `catch_all`) says how to route it")
}

/// The cluster's served hosts beside its declared ones, flagged on its proxy where they differ.
fn compare(c: &mut ClusterState, served: &Served) {
    let Some(proxy) = c
        .services
        .iter_mut()
        .find(|s| s.role == ServiceRole::Proxy && s.exists)
    else {
        return;
    };
    let Some(Some(hosts)) = served.get(&proxy.name) else {
        return;
    };
    let served: Vec<String> = hosts.iter().map(|h| h.host.clone()).collect();
    let missing: Vec<&String> = c
        .hosts
        .iter()
        .filter(|h| !served.iter().any(|s| s.eq_ignore_ascii_case(h)))
        .collect();
    let extra: Vec<&String> = served
        .iter()
        .filter(|s| !c.hosts.iter().any(|h| h.eq_ignore_ascii_case(s)))
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        let list = |v: &[&String]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            }
        };
        proxy.problems.push(
            Finding::warning(
                Code::RoutesDiffer,
                format!(
                    "`{}` serves other hosts than `{}`'s applications declare: not served {}; served, not declared {}",
                    proxy.name, c.name, list(&missing), list(&extra)
                ),
            )
            .hint("Interlock configures a proxy at its next poll: run status again; if it lasts, `docker service logs ucp-interlock` says why"),
        );
    }
    c.served = Some(served);
}

fn orphan(proxy: &str, hosts: &[ServedHost]) -> Finding {
    let hosts: Vec<&str> = hosts.iter().map(|h| h.host.as_str()).collect();
    Finding::warning(
        Code::OrphanProxyServing,
        format!(
            "`{proxy}` is in no extension of the config in use but still serves {}: its last config, which Interlock updates no more",
            hosts.join(", ")
        ),
    )
    .hint("move those hosts' DNS to their clusters' ports, then remove it (`interlock-split apply` retires it)")
}
