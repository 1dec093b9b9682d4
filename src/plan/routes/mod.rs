//! The applications' routes through the split: for every application service, the cluster and
//! proxy that route it now and after the plan, the relabels the spec's `apps` ask for, the
//! networks to create, and where the order of the actions leaves a route without a proxy.
//! Pure: read from the configs, the spec and a snapshot, with the model's rule
//! (`route::extension_for`).

mod findings;
pub mod gap;
mod glob;

use serde::{Deserialize, Serialize};

use super::Action;
use crate::cluster::Snapshot;
use crate::extension::services::proxy_name;
use crate::extension::{PortSpec, ProxySpec, config_path};
use crate::finding::Finding;
use crate::interlock::InterlockConfig;
use crate::route::{Application, labels, routed_by};
use crate::spec::{ClusterSpec, Spec};

pub use gap::gaps;

/// Where an application is routed: the cluster (its extension) and the proxy serving it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub cluster: String,
    pub proxy: String,
    pub ports: Vec<PortSpec>,
}

/// One application through the split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRoute {
    pub service: String,
    pub hosts: Vec<String>,
    /// Its `com.docker.lb.service_cluster` now (`null`: no label, the default cluster).
    pub label: Option<String>,
    /// The label the plan sets on it (`apps`), when it changes it.
    pub relabel: Option<String>,
    pub now: Option<Route>,
    pub after: Option<Route>,
    /// Where the order of the actions leaves it with no route, when no order avoids it.
    pub gap: Option<Gap>,
}

impl AppRoute {
    /// Served by another proxy, or on other ports, after the plan. (Another extension that
    /// configures the same proxy on the same ports — a cluster that adopts it — is no move.)
    pub fn moves(&self) -> bool {
        matches!((&self.now, &self.after), (Some(a), Some(b)) if a.proxy != b.proxy || a.ports != b.ports)
    }
}

/// The steps (numbered as the plan lists its actions) between which an application has no
/// route: the old one ends with `from_step`, the new one serves once `until_step` is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    pub from_step: usize,
    pub until_step: usize,
    pub why: String,
}

/// What the routes add to a plan.
#[derive(Debug, Default)]
pub struct Routes {
    pub apps: Vec<AppRoute>,
    pub findings: Vec<Finding>,
    /// `create-network` actions: before the core runs the config that names the networks.
    pub networks: Vec<Action>,
    /// `relabel-app` then `await-route` actions: once the new proxies run.
    pub moves: Vec<Action>,
}

/// The routes of every application of `snap`, from `old` to `new` with `spec`'s relabels.
pub fn analyse(
    old: &InterlockConfig,
    new: &InterlockConfig,
    spec: &Spec,
    snap: &Snapshot,
) -> Routes {
    let apps = snap.applications();
    let mut out = Routes::default();
    let claims = findings::claims(&apps, spec, &mut out.findings);
    out.networks = networks(spec, snap);
    let planned: Vec<&str> = out
        .networks
        .iter()
        .filter_map(|a| match a {
            Action::CreateNetwork { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let exists = |n: &str| snap.network(n).is_some() || planned.contains(&n);
    let mut awaits = Vec::new();
    for app in &apps {
        let relabel = claims.get(&app.service).cloned();
        let r = app_route(app, relabel, old, new);
        out.findings
            .extend(findings::of(app, &r, old, new, &exists, snap));
        let (relabels, waits): (Vec<Action>, Vec<Action>) = moves(app, &r, snap, new)
            .into_iter()
            .partition(|a| matches!(a, Action::RelabelApp { .. }));
        out.moves.extend(relabels);
        awaits.extend(waits);
        out.apps.push(r);
    }
    // Every relabel, then every wait: each relabel reconfigures the new proxy, and a proxy
    // Interlock reconfigures restarts its tasks; relabels sent together reach it in as few
    // Interlock polls as can be, instead of one restart per application awaited in turn.
    out.moves.extend(awaits);
    out.findings.extend(findings::shared_hosts(&out.apps));
    out.findings
        .extend(findings::collections(&apps, &out.apps, spec));
    out
}

fn route(app: &Application, cfg: &InterlockConfig) -> Option<Route> {
    let e = routed_by(app, cfg)?;
    Some(Route {
        cluster: e.name.clone(),
        proxy: proxy_name(e).to_string(),
        ports: ProxySpec::of(e).ports,
    })
}

fn app_route(
    app: &Application,
    relabel: Option<String>,
    old: &InterlockConfig,
    new: &InterlockConfig,
) -> AppRoute {
    // After the plan's relabel, if any; a service whose labels Interlock cannot use is routed
    // by none, before and after (app-label-invalid says why): nothing to lose or wait for.
    let after = Application {
        cluster_label: relabel.clone().or_else(|| app.cluster_label.clone()),
        ..app.clone()
    };
    AppRoute {
        service: app.service.clone(),
        hosts: app.hosts.clone(),
        label: app.cluster_label.clone(),
        now: route(app, old),
        after: route(&after, new),
        relabel,
        gap: None,
    }
}

/// The networks of the spec's clusters that are not in the swarm: created as overlays, in the
/// cluster's collection.
fn networks(spec: &Spec, snap: &Snapshot) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    for c in &spec.clusters {
        for name in c.networks.iter().flatten() {
            let planned = out
                .iter()
                .any(|a| matches!(a, Action::CreateNetwork { name: n, .. } if n == name));
            if snap.network(name).is_none() && !planned {
                out.push(create_network(c, name));
            }
        }
    }
    out
}

fn create_network(c: &ClusterSpec, name: &str) -> Action {
    Action::CreateNetwork {
        name: name.to_string(),
        cluster: c.name.clone(),
        labels: c
            .collection
            .iter()
            .map(|col| (labels::COLLECTION.to_string(), col.clone()))
            .collect(),
    }
}

/// The relabel the spec asks for, and the wait until the new proxy serves the hosts of an
/// application whose route moves.
fn moves(app: &Application, r: &AppRoute, snap: &Snapshot, new: &InterlockConfig) -> Vec<Action> {
    let mut out = Vec::new();
    if let Some(to) = &r.relabel {
        let version = snap.service(&app.service).map_or(0, |s| s.version);
        out.push(Action::RelabelApp {
            service: app.service.clone(),
            hosts: app.hosts.clone(),
            from: app.cluster_label.clone(),
            to: to.clone(),
            version,
        });
    }
    if let Some(after) = r.after.as_ref().filter(|_| r.moves())
        && let Some(e) = new.extension(&after.cluster)
    {
        out.push(Action::AwaitRoute {
            service: app.service.clone(),
            hosts: app.hosts.clone(),
            cluster: after.cluster.clone(),
            proxy: after.proxy.clone(),
            config_path: config_path(e).to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests;
