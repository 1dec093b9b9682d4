//! Checks and actions that need the cluster: computed from a snapshot, so still pure.

use std::collections::BTreeSet;

use super::action::CORE_SERVICE;
use super::{Action, PortNeed, StaleService};
use crate::cluster::matching::eligible;
use crate::cluster::{COLLECTION_LABEL, Node, Service, Snapshot};
use crate::finding::Finding;
use crate::interlock::config::ServiceRole;
use crate::interlock::constraint;
use crate::interlock::keys::ext;
use crate::interlock::{Extension, InterlockConfig, PublishMode};
use crate::locate::KeyPath;
use crate::spec::Spec;

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

fn norm_constraints(cs: &[String]) -> BTreeSet<String> {
    cs.iter()
        .map(|c| match constraint::parse(c) {
            Ok(p) => format!(
                "{}{}{}",
                p.key.to_ascii_lowercase(),
                p.op.as_str(),
                p.value.to_ascii_lowercase()
            ),
            Err(_) => c.trim().to_string(),
        })
        .collect()
}

fn wanted_ports(e: &Extension) -> BTreeSet<(u16, u16, PublishMode)> {
    let mode = e.publish_mode().unwrap_or(PublishMode::Ingress);
    [
        (e.published_port, e.target_port.or(Some(80))),
        (e.published_ssl_port, e.target_ssl_port.or(Some(443))),
    ]
    .into_iter()
    .filter_map(|(p, t)| Some((u16::try_from(p?).ok()?, u16::try_from(t?).ok()?, mode)))
    .collect()
}

fn actual_ports(s: &Service) -> BTreeSet<(u16, u16, PublishMode)> {
    s.ports
        .iter()
        .map(|p| (p.published, p.target, p.mode))
        .collect()
}

fn fmt_ports(ps: &BTreeSet<(u16, u16, PublishMode)>) -> String {
    let v: Vec<String> = ps
        .iter()
        .map(|(p, t, m)| format!("{p}→{t} {}", m.as_str()))
        .collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// Every live check; `offline_stale` are the services the old config names and the new does not.
pub fn analyse(
    old: &InterlockConfig,
    new: &InterlockConfig,
    spec: &Spec,
    snap: &Snapshot,
    offline_stale: &[StaleService],
) -> Live {
    let mut live = Live::default();
    let new_names: BTreeSet<String> = new
        .extensions
        .iter()
        .flat_map(|e| {
            let mut v: Vec<String> = e
                .service_names()
                .into_iter()
                .map(|(_, n)| n.to_string())
                .collect();
            if e.proxy_service_name.is_none() {
                v.push(crate::check::DEFAULT_PROXY_SERVICE_NAME.into());
            }
            v
        })
        .collect();

    // Stale: what the old config named and still exists, and any service Interlock made (by its
    // `type` label) that the new config does not name: leftovers of earlier, hand-made splits,
    // or of an apply that stopped half-way.
    for s in offline_stale {
        if let Some(svc) = snap.service(&s.service) {
            let mut s = s.clone();
            s.ports = svc.ports.iter().map(|p| p.published).collect();
            live.stale.push(s);
        }
    }
    for svc in &snap.services {
        let Some(role) = svc.interlock_role() else {
            continue;
        };
        if svc.name == CORE_SERVICE {
            continue;
        }
        if !new_names.contains(&svc.name) && !live.stale.iter().any(|s| s.service == svc.name) {
            live.stale.push(StaleService {
                service: svc.name.clone(),
                role,
                extension: old
                    .extensions
                    .iter()
                    .find(|e| e.service_names().iter().any(|(_, n)| *n == svc.name))
                    .map_or_else(|| "(not in the config)".to_string(), |e| e.name.clone()),
                ports: svc.ports.iter().map(|p| p.published).collect(),
                blocks: Vec::new(),
            });
        }
    }
    for s in &mut live.stale {
        s.blocks.clear();
        for e in &new.extensions {
            for (p, _, _) in wanted_ports(e) {
                if s.ports.contains(&p) && s.role == ServiceRole::Proxy {
                    s.blocks.push(PortNeed {
                        port: p,
                        cluster: e.name.clone(),
                    });
                }
            }
        }
    }

    let nodes = relabelled(snap, spec);
    for e in &new.extensions {
        let path = e.path();
        // Placement.
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
            let ok = eligible(&nodes, constraints);
            if ok.is_empty() {
                live.findings.push(
                    Finding::error(
                        "no-eligible-node",
                        format!(
                            "no ready, active node satisfies the {what} constraints of `{}` ({}): its {what} would never start",
                            e.name,
                            if constraints.is_empty() { "none".to_string() } else { constraints.join(", ") }
                        ),
                    )
                    .at(path.clone().key(key))
                    .hint("label the nodes (list them in the cluster's `nodes` and the plan adds the label), or fix the constraints"),
                );
            } else if what == "proxy"
                && e.publish_mode() == Some(PublishMode::Host)
                && (ok.len() as i64) < replicas
            {
                live.findings.push(
                    Finding::warning(
                        "too-few-nodes",
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

        // Ports held by other services.
        let own: Vec<&str> = e.service_names().into_iter().map(|(_, n)| n).collect();
        for (p, _, mode) in wanted_ports(e) {
            for svc in &snap.services {
                if own.contains(&svc.name.as_str()) || svc.name == CORE_SERVICE {
                    continue;
                }
                let Some(held) = svc.ports.iter().find(|x| x.published == p) else {
                    continue;
                };
                if mode == PublishMode::Host && held.mode == PublishMode::Host {
                    continue;
                }
                if live.stale.iter().any(|s| s.service == svc.name) {
                    // Freed by apply, in order; reported as stale-port-holder.
                    continue;
                }
                if new_names.contains(&svc.name) {
                    continue;
                }
                live.findings.push(
                    Finding::error(
                        "port-in-use",
                        format!(
                            "port {p} that `{}` needs is already published by service `{}`",
                            e.name, svc.name
                        ),
                    )
                    .at(path.clone().key(if Some(i64::from(p)) == e.published_port {
                        ext::PUBLISHED_PORT
                    } else {
                        ext::PUBLISHED_SSL_PORT
                    }))
                    .hint("swarm refuses a second service on a published ingress port: pick another port, or move that service"),
                );
            }
        }

        // Existing proxies the new config describes differently.
        if let Some(proxy) = e
            .proxy_service_name
            .as_deref()
            .and_then(|n| snap.service(n))
        {
            let mut changes = Vec::new();
            if norm_constraints(&proxy.constraints) != norm_constraints(&e.proxy_constraints) {
                changes.push(format!(
                    "constraints [{}] → [{}]",
                    proxy.constraints.join(", "),
                    e.proxy_constraints.join(", ")
                ));
            }
            if let (Some(have), Some(want)) = (proxy.replicas, e.proxy_replicas)
                && have as i64 != want
            {
                changes.push(format!("replicas {have} → {want}"));
            }
            let (have, want) = (actual_ports(proxy), wanted_ports(e));
            if have != want {
                changes.push(format!("ports {} → {}", fmt_ports(&have), fmt_ports(&want)));
            }
            if !changes.is_empty() {
                live.findings.push(
                    Finding::warning(
                        "proxy-drift",
                        format!(
                            "proxy service `{}` differs from what the new config says ({}); Interlock does not change proxies it has created",
                            proxy.name,
                            changes.join("; ")
                        ),
                    )
                    .at(path.clone().key(ext::PROXY_SERVICE_NAME))
                    .hint("apply brings it in line"),
                );
                live.reconcile.push(Action::ReconcileProxy {
                    service: proxy.name.clone(),
                    cluster: e.name.clone(),
                    changes,
                });
            }
        }
    }

    for c in &spec.clusters {
        let base = KeyPath::new().key(ext::EXTENSIONS).key(&c.name);
        let Some(label) = &c.node_label else { continue };
        for name in &c.nodes {
            match snap.node(name) {
                None => live.findings.push(
                    Finding::error(
                        "node-not-found",
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
        if let Some(collection) = &c.collection {
            for n in nodes.iter().filter(|n| {
                n.labels
                    .get(&label.key)
                    .is_some_and(|v| v.eq_ignore_ascii_case(&label.value))
            }) {
                let actual = n.labels.get(COLLECTION_LABEL);
                if actual != Some(collection) {
                    live.findings.push(
                        Finding::warning(
                            "collection-mismatch",
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
    }
    live
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
