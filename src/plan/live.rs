//! Checks and actions that need the cluster: computed from a snapshot, so still pure.

use std::collections::BTreeSet;

use super::stale::retired;
use super::unknown_nodes;
use super::{Action, StaleService};
use crate::cluster::matching::{awaiting, eligible};
use crate::cluster::{COLLECTION_LABEL, Node, Snapshot};
use crate::extension::services::{implies, proxy_name, services};
use crate::extension::{PortRole, ProxySpec, drift};
use crate::finding::{Code, Finding};
use crate::interlock::CORE_SERVICE;
use crate::interlock::config::ServiceRole;
use crate::interlock::keys::ext;
use crate::interlock::{Extension, InterlockConfig, PublishMode};
use crate::locate::KeyPath;
use crate::spec::{ClusterSpec, Spec};

/// What the cluster adds to a plan.
#[derive(Default)]
pub struct Live {
    pub findings: Vec<Finding>,
    pub label_actions: Vec<Action>,
    pub reconcile: Vec<Action>,
    /// Services to retire, as they exist on the cluster.
    pub stale: Vec<StaleService>,
}

/// Nodes as they will be once the plan's label changes are made.
fn relabelled(snap: &Snapshot, spec: &Spec) -> Vec<Node> {
    let mut nodes = snap.nodes.clone();
    for c in &spec.clusters {
        let Some(label) = &c.node_label else { continue };
        for name in &c.nodes {
            if let Some(n) = nodes
                .iter_mut()
                .find(|n| &n.hostname == name || &n.id == name)
            {
                n.labels.insert(label.key.clone(), label.value.clone());
            }
        }
    }
    nodes
}

/// Every live check.
pub fn analyse(old: &InterlockConfig, new: &InterlockConfig, spec: &Spec, snap: &Snapshot) -> Live {
    let mut live = Live::default();
    let new_names: BTreeSet<String> = new
        .extensions
        .iter()
        .flat_map(services)
        .map(|s| s.name)
        .collect();
    live.stale = retired(old, new, Some(snap));

    let nodes = relabelled(snap, spec);
    super::host_apart::unblock(&mut live.stale, new, snap, &nodes);
    for e in &new.extensions {
        placement(e, &nodes, &mut live.findings);
        ports_in_use(e, snap, &live.stale, &new_names, &mut live.findings);
        proxy_drift(e, snap, &mut live);
    }
    for c in &spec.clusters {
        node_labels(c, snap, &nodes, &mut live);
        adoption(c, old, snap, &mut live.findings);
    }
    live
}

/// A proxy the cluster takes over (`adopt_proxy`) must be a running Interlock proxy: by its
/// `type` label, or named as one by the config in use. Then the handover is a rolling update.
fn adoption(c: &ClusterSpec, old: &InterlockConfig, snap: &Snapshot, findings: &mut Vec<Finding>) {
    let Some(name) = &c.adopt_proxy else { return };
    let path = KeyPath::new()
        .key(ext::EXTENSIONS)
        .key(&c.name)
        .key(ext::PROXY_SERVICE_NAME);
    let Some(svc) = snap.service(name) else {
        findings.push(
            Finding::error(
                Code::AdoptProxyNotFound,
                format!("`{}` adopts proxy service `{name}`, which is not in the swarm", c.name),
            )
            .at(path)
            .hint("name a running proxy (`docker service ls`), or drop `adopt_proxy` so that Interlock creates one"),
        );
        return;
    };
    let named_proxy = old.extensions.iter().any(|e| proxy_name(e) == name);
    if svc.interlock_role() != Some(ServiceRole::Proxy) && !named_proxy {
        findings.push(
            Finding::error(
                Code::AdoptNotAProxy,
                format!(
                    "`{}` adopts service `{name}`, which is not an Interlock proxy (no proxy `type` label, and no extension names it)",
                    c.name
                ),
            )
            .at(path)
            .hint("`adopt_proxy` takes over a proxy service Interlock created, such as `ucp-interlock-proxy`"),
        );
        return;
    }
    findings.push(
        Finding::info(
            Code::ProxyHandover,
            format!(
                "`{}` takes over proxy service `{name}`: Interlock finds it by name and creates none, and apply brings it in line by a rolling update, one task at a time, so that its ports keep answering with 2 or more replicas",
                c.name
            ),
        )
        .at(path),
    );
}

/// Whether the proxy and the extension can be scheduled at all, and enough proxies in host mode.
fn placement(e: &Extension, nodes: &[Node], findings: &mut Vec<Finding>) {
    let path = e.path();
    for (key, constraints, what, replicas) in [
        (
            ext::PROXY_CONSTRAINTS,
            &e.proxy_constraints,
            "proxy",
            e.proxy_replicas.unwrap_or(1),
        ),
        (ext::CONSTRAINTS, &e.constraints, "extension", 1),
    ] {
        if replicas <= 0 {
            continue;
        }
        let ok = eligible(nodes, constraints);
        let host_proxy = what == "proxy" && e.publish_mode() == Some(PublishMode::Host);
        let needed = if host_proxy { replicas } else { 1 };
        let awaiting = awaiting(nodes, constraints);
        if (ok.len() as i64) < needed && !awaiting.is_empty() {
            // Unknown is not down: neither eligible nor ruled out.
            let pending = unknown_nodes::Pending {
                what,
                ready: ok.len(),
                needed,
                awaiting: &awaiting,
            };
            let at = path.clone().key(key);
            findings.push(unknown_nodes::finding(e, at, &pending));
        } else if ok.is_empty() {
            findings.push(
                Finding::error(
                    Code::NoEligibleNode,
                    format!(
                        "no ready, active node satisfies the {what} constraints of `{}` ({}): its {what} would never start",
                        e.name,
                        if constraints.is_empty() { "none".to_string() } else { constraints.join(", ") }
                    ),
                )
                .at(path.clone().key(key))
                .hint("label the nodes (list them in the cluster's `nodes` and the plan adds the label), or fix the constraints"),
            );
        } else if host_proxy && (ok.len() as i64) < replicas {
            findings.push(
                Finding::warning(
                    Code::TooFewNodes,
                    format!(
                        "`{}` wants {replicas} proxies in host mode but only {} node{} can take one ({}); the rest stay pending",
                        e.name,
                        ok.len(),
                        if ok.len() == 1 { "" } else { "s" },
                        ok.iter().map(|n| n.hostname.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                )
                .at(path.clone().key(ext::PROXY_REPLICAS))
                .hint("in host mode each replica needs a node of its own: label more nodes or lower proxy_replicas"),
            );
        }
    }
}

/// Ports the extension's proxy needs that another service, which stays, publishes.
fn ports_in_use(
    e: &Extension,
    snap: &Snapshot,
    stale: &[StaleService],
    new_names: &BTreeSet<String>,
    findings: &mut Vec<Finding>,
) {
    for want in ProxySpec::of(e).ports {
        let p = want.published;
        for svc in &snap.services {
            if implies(e, &svc.name)
                || svc.name == CORE_SERVICE
                // Freed by apply, in order; reported as stale-port-holder.
                || stale.iter().any(|s| s.service == svc.name)
                || new_names.contains(&svc.name)
            {
                continue;
            }
            let Some(held) = svc.ports.iter().find(|x| x.published == p) else {
                continue;
            };
            if want.mode == PublishMode::Host && held.mode == PublishMode::Host {
                continue;
            }
            let key = want.role.map_or(ext::PUBLISHED_PORT, PortRole::key);
            findings.push(
                Finding::error(
                    Code::PortInUse,
                    format!(
                        "port {p} that `{}` needs is already published by service `{}`",
                        e.name, svc.name
                    ),
                )
                .at(e.path().key(key))
                .hint("swarm refuses a second service on a published ingress port: pick another port, or move that service"),
            );
        }
    }
}

/// An existing proxy the new config describes differently: a finding and a reconcile action.
fn proxy_drift(e: &Extension, snap: &Snapshot, live: &mut Live) {
    let Some(proxy) = snap.service(proxy_name(e)) else {
        return;
    };
    let want = ProxySpec::of(e);
    let found = drift::drift(&proxy.proxy_spec(), &want);
    if found.is_empty() {
        return;
    }
    live.findings.push(drift::finding(e, &proxy.name, &found));
    live.reconcile.push(Action::ReconcileProxy {
        service: proxy.name.clone(),
        cluster: e.name.clone(),
        spec: want,
        drift: found,
    });
}

/// The label changes a cluster's `nodes` ask for, and nodes in another UCP collection.
fn node_labels(c: &ClusterSpec, snap: &Snapshot, nodes: &[Node], live: &mut Live) {
    let base = KeyPath::new().key(ext::EXTENSIONS).key(&c.name);
    let Some(label) = &c.node_label else { return };
    for name in &c.nodes {
        match snap.node(name) {
            None => live.findings.push(
                Finding::error(
                    Code::NodeNotFound,
                    format!("node `{name}` listed for `{}` is not in the swarm", c.name),
                )
                .at(base.clone())
                .hint("use the hostname or ID that `docker node ls` shows"),
            ),
            Some(n) if n.labels.get(&label.key) != Some(&label.value) => {
                live.label_actions.push(Action::LabelNode {
                    node: n.id.clone(),
                    hostname: n.hostname.clone(),
                    key: label.key.clone(),
                    value: label.value.clone(),
                    previous: n.labels.get(&label.key).cloned(),
                })
            }
            Some(_) => {}
        }
    }
    let Some(collection) = &c.collection else {
        return;
    };
    for n in nodes.iter().filter(|n| {
        n.labels
            .get(&label.key)
            .is_some_and(|v| v.eq_ignore_ascii_case(&label.value))
    }) {
        let actual = n.labels.get(COLLECTION_LABEL);
        if actual != Some(collection) {
            live.findings.push(
                Finding::warning(
                    Code::CollectionMismatch,
                    format!(
                        "node `{}` carries {}={} but is in collection {}, not {collection}",
                        n.hostname,
                        label.key,
                        label.value,
                        actual.map_or("(none)".to_string(), |a| a.to_string())
                    ),
                )
                .at(base.clone())
                .hint("move the node to the cluster's collection in UCP, or fix the spec's `collection`"),
            );
        }
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
