//! `verify`: each application host asked over HTTP, with its `Host` header, at its cluster's
//! proxy (which must answer it) and at every other cluster's proxy (which must answer 503,
//! Interlock's "no such host"). Which requests to make and what their answers mean are pure
//! (this module); sending them is `http.rs`.

pub mod http;

use serde::Serialize;

use crate::cluster::{NodeState, Snapshot};
use crate::extension::services::proxy_name;
use crate::extension::{PortRole, ProxySpec};
use crate::interlock::{Extension, InterlockConfig, PublishMode};
use crate::route::routed_by;

/// Where a cluster's proxy answers HTTP: a node's address and the cluster's published port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub node: String,
    pub addr: String,
    pub port: u16,
}

/// Whether a proxy must route a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    /// Its cluster's proxy: answers from the application.
    Routes,
    /// Another cluster's proxy: 503.
    Refuses,
}

/// One request to make.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub host: String,
    pub service: String,
    /// The cluster whose proxy is asked.
    pub cluster: String,
    pub expect: Expect,
    pub endpoint: Endpoint,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Observed {
    Status { status: u16 },
    NoAnswer { why: String },
}

/// A probe with its answer and whether it is the expected one.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    #[serde(flatten)]
    pub probe: Probe,
    pub observed: Observed,
    pub ok: bool,
    /// What was wrong, in words.
    pub why: Option<String>,
}

/// A cluster whose proxy has no address to ask on: no HTTP port, or in host mode no running
/// task on a ready node. The hosts it should route are counted as failed: unchecked is not
/// verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreachable {
    pub cluster: String,
    /// The hosts its proxy should answer.
    pub routes: Vec<String>,
}

/// The checks, and how many failed.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
    pub unreachable_clusters: Vec<Unreachable>,
    pub passed: usize,
    /// Failed checks, and hosts of unreachable clusters.
    pub failed: usize,
}

/// The endpoints of an extension's proxy: in ingress mode one port on every node (the first
/// `ingress_nodes` ready ones are asked), in host mode the nodes its running tasks are on.
pub fn endpoints(e: &Extension, snap: &Snapshot, ingress_nodes: usize) -> Vec<Endpoint> {
    let proxy = ProxySpec::of(e);
    let Some(port) = proxy.port(PortRole::Http).map(|p| p.published) else {
        return Vec::new();
    };
    let at = |n: &crate::cluster::Node| Endpoint {
        node: n.hostname.clone(),
        addr: n.addr.clone(),
        port,
    };
    let ready = |n: &&crate::cluster::Node| n.state == NodeState::Ready && !n.addr.is_empty();
    match proxy.mode {
        PublishMode::Ingress => snap
            .nodes
            .iter()
            .filter(ready)
            .take(ingress_nodes)
            .map(at)
            .collect(),
        PublishMode::Host => {
            let Some(svc) = snap.service(proxy_name(e)) else {
                return Vec::new();
            };
            let mut out: Vec<Endpoint> = Vec::new();
            for t in snap
                .tasks
                .iter()
                .filter(|t| t.service_id == svc.id && t.counts_as_running(&snap.nodes))
            {
                let node = t.node_id.as_deref().and_then(|id| snap.node(id));
                if let Some(n) = node.filter(ready)
                    && !out.iter().any(|o| o.node == n.hostname)
                {
                    out.push(at(n));
                }
            }
            out
        }
    }
}

/// Every request `verify` makes: each host of each application at every cluster's proxy; and
/// the clusters whose proxy cannot be asked.
pub fn probes(
    cfg: &InterlockConfig,
    snap: &Snapshot,
    ingress_nodes: usize,
) -> (Vec<Probe>, Vec<Unreachable>) {
    let clusters: Vec<(&Extension, Vec<Endpoint>)> = cfg
        .extensions
        .iter()
        .filter(|e| e.is_table)
        .map(|e| (e, endpoints(e, snap, ingress_nodes)))
        .collect();
    let mut unreachable: Vec<Unreachable> = clusters
        .iter()
        .filter(|(_, eps)| eps.is_empty())
        .map(|(e, _)| Unreachable {
            cluster: e.name.clone(),
            routes: Vec::new(),
        })
        .collect();
    let mut out = Vec::new();
    for app in snap.applications() {
        let routed_by = routed_by(&app, cfg).map(|e| e.name.as_str());
        if let Some(u) = unreachable
            .iter_mut()
            .find(|u| Some(u.cluster.as_str()) == routed_by)
        {
            u.routes.extend(app.hosts.iter().cloned());
        }
        for host in &app.hosts {
            for (e, eps) in &clusters {
                let expect = if Some(e.name.as_str()) == routed_by {
                    Expect::Routes
                } else {
                    Expect::Refuses
                };
                out.extend(eps.iter().map(|ep| Probe {
                    host: host.clone(),
                    service: app.service.clone(),
                    cluster: e.name.clone(),
                    expect,
                    endpoint: ep.clone(),
                }));
            }
        }
    }
    (out, unreachable)
}

/// Whether an answer is the one expected: a routed host answers (any status but 503, and not
/// the 502/504 a proxy gives when the application behind it does not answer); another
/// cluster's proxy says 503.
pub fn judge(p: Probe, observed: Observed) -> Check {
    let why = match (&observed, p.expect) {
        (Observed::NoAnswer { why }, _) => Some(format!("no answer: {why}")),
        (Observed::Status { status: 503 }, Expect::Routes) => {
            Some(format!("`{}`'s proxy does not route it (503)", p.cluster))
        }
        (
            Observed::Status {
                status: s @ (502 | 504),
            },
            Expect::Routes,
        ) => Some(format!(
            "`{}`'s proxy routes it but the application did not answer ({s})",
            p.cluster
        )),
        (Observed::Status { status }, Expect::Refuses) if *status != 503 => Some(format!(
            "`{}`'s proxy answers it ({status}), though `{}` is not its cluster",
            p.cluster, p.service
        )),
        _ => None,
    };
    Check {
        probe: p,
        observed,
        ok: why.is_none(),
        why,
    }
}

/// The report of the checks made.
pub fn report(checks: Vec<Check>, unreachable_clusters: Vec<Unreachable>) -> Report {
    let failed = checks.iter().filter(|c| !c.ok).count();
    let unchecked: usize = unreachable_clusters.iter().map(|u| u.routes.len()).sum();
    Report {
        passed: checks.len() - failed,
        failed: failed + unchecked,
        checks,
        unreachable_clusters,
    }
}

#[cfg(test)]
mod tests;
