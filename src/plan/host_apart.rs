//! Host-mode ports on nodes apart. A retired proxy holding a port a new proxy needs is removed
//! before the new proxies (`stale-port-holder`), since swarm cannot bind one port twice. In host
//! mode a port is bound per node: when both publish it in host mode and no node can carry both
//! (every node the old proxy runs on or may be placed on is one the new proxy's constraints
//! rule out), each binds it on its own nodes. The old proxy then need not go first: it is
//! retired with the other stale services once the new proxies run and the applications are
//! routed by them, and until then it keeps serving what it served.

use super::StaleService;
use crate::cluster::matching::satisfies;
use crate::cluster::{Node, Service, Snapshot};
use crate::extension::ProxySpec;
use crate::interlock::{InterlockConfig, PublishMode};

/// Drops from each retired proxy's `blocks` the ports whose new proxy cannot share a node with
/// it. `nodes` are the nodes as the plan leaves their labels.
pub fn unblock(stale: &mut [StaleService], new: &InterlockConfig, snap: &Snapshot, nodes: &[Node]) {
    for s in stale.iter_mut() {
        let Some(svc) = snap.service(&s.service) else {
            continue;
        };
        let old_nodes = reachable(svc, snap, nodes);
        s.blocks.retain(|b| {
            let held = svc.ports.iter().find(|p| p.published == b.port);
            let Some(e) = new.extension(&b.cluster) else {
                return true;
            };
            let want = ProxySpec::of(e);
            let wanted = want.ports.iter().find(|p| p.published == b.port);
            let host = |m: Option<PublishMode>| m == Some(PublishMode::Host);
            if !host(held.map(|p| p.mode)) || !host(wanted.map(|p| p.mode)) {
                return true;
            }
            nodes
                .iter()
                .any(|n| old_nodes.contains(&n.id.as_str()) && satisfies(n, &e.proxy_constraints))
        });
    }
}

/// The IDs of the nodes `svc` runs a task on or may be placed on, whatever their state (a node
/// down or drained now may come back).
fn reachable<'a>(svc: &Service, snap: &'a Snapshot, nodes: &'a [Node]) -> Vec<&'a str> {
    let mut out: Vec<&str> = nodes
        .iter()
        .filter(|n| satisfies(n, &svc.constraints))
        .map(|n| n.id.as_str())
        .collect();
    out.extend(
        snap.tasks
            .iter()
            .filter(|t| t.service_id == svc.id && t.desired_state == "running")
            .filter_map(|t| t.node_id.as_deref()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{PublishedPort, Task};
    use crate::plan::test_fixtures::*;

    const LABEL: &str = "com.docker.interlock.service.cluster";

    /// UCP's default proxy in host mode, pinned to `ingress=true` nodes.
    fn host_mode_default() -> String {
        ucp_default()
            .replace(r#"PublishMode = "ingress""#, r#"PublishMode = "host""#)
            .replace(
                r#"ProxyConstraints = ["#,
                r#"ProxyConstraints = ["node.labels.ingress==true", "#,
            )
    }

    /// The seed's nodes and a third one, `w3`, for the default proxy (host mode, on `w3` when
    /// `on_w3`, else on `w2`, which becomes prod's).
    fn host_mode_snapshot(on_w3: bool) -> Snapshot {
        let mut snap = snapshot();
        let w3 = node("w3", &[("com.docker.ucp.access.label", "/")]);
        let ingress = if on_w3 { 2 } else { 1 };
        snap.nodes.push(w3);
        snap.nodes[ingress]
            .labels
            .insert("ingress".into(), "true".into());
        let holder = ingress;
        let proxy = snap
            .services
            .iter_mut()
            .find(|s| s.name == "ucp-interlock-proxy")
            .unwrap();
        proxy.constraints = vec!["node.labels.ingress==true".into()];
        proxy.replicas = Some(1);
        proxy.ports = [(8080, 80), (8443, 443)]
            .map(|(published, target)| PublishedPort {
                published,
                target,
                protocol: "tcp".into(),
                mode: PublishMode::Host,
            })
            .to_vec();
        snap.tasks.push(Task {
            service_id: proxy.id.clone(),
            node_id: Some(snap.nodes[holder].id.clone()),
            state: "running".into(),
            desired_state: "running".into(),
            error: None,
            configs: vec![],
        });
        snap
    }

    fn seed_in_host_mode() -> String {
        format!(
            "[defaults]\npublish_mode = \"host\"\nnode_label_key = \"{LABEL}\"\n\
             proxy_constraints = {{ replace = [\"node.platform.os==linux\"] }}\n{SEED}"
        )
    }

    fn removal_step(p: &crate::plan::Plan) -> (usize, usize) {
        let kinds: Vec<String> = action_kinds(p);
        let at = |k: &str| kinds.iter().position(|x| x == k).unwrap();
        let removal = p
            .actions
            .iter()
            .position(|a| {
                matches!(a, crate::plan::Action::RemoveStaleService { service, .. }
                    if service == "ucp-interlock-proxy")
            })
            .unwrap();
        (removal, at("await-service"))
    }

    #[test]
    fn a_host_mode_proxy_on_nodes_apart_is_retired_after_the_new_proxies() {
        let p = plan_with(
            &host_mode_snapshot(true),
            &seed_in_host_mode(),
            &host_mode_default(),
        );
        assert!(!p.has_errors(), "{:?}", p.findings);
        let (removal, awaited) = removal_step(&p);
        assert!(removal > awaited, "{:?}", p.actions);
        assert!(
            !codes(&p).contains(&"stale-port-holder"),
            "{:?}",
            p.findings
        );
        let stale = p
            .stale_services
            .iter()
            .find(|s| s.service == "ucp-interlock-proxy");
        assert!(stale.is_some_and(|s| s.blocks.is_empty()), "{stale:?}");
    }

    #[test]
    fn a_host_mode_proxy_on_a_node_the_new_one_may_take_goes_first() {
        let p = plan_with(
            &host_mode_snapshot(false),
            &seed_in_host_mode(),
            &host_mode_default(),
        );
        let (removal, awaited) = removal_step(&p);
        assert!(removal < awaited, "{:?}", p.actions);
        assert!(codes(&p).contains(&"stale-port-holder"), "{:?}", p.findings);
    }

    #[test]
    fn a_node_its_task_runs_on_counts_though_its_constraints_rule_it_out() {
        let mut snap = host_mode_snapshot(true);
        // The task still runs on w2 (prod's), its constraints now pointing at w3 only.
        let w2 = snap.nodes[1].id.clone();
        snap.tasks[0].node_id = Some(w2);
        let p = plan_with(&snap, &seed_in_host_mode(), &host_mode_default());
        let (removal, awaited) = removal_step(&p);
        assert!(removal < awaited, "{:?}", p.actions);
    }

    #[test]
    fn an_ingress_port_blocks_wherever_the_nodes_are() {
        let mut snap = host_mode_snapshot(true);
        for s in &mut snap.services {
            for p in &mut s.ports {
                p.mode = PublishMode::Ingress;
            }
        }
        let p = plan_with(&snap, &seed_in_host_mode(), &host_mode_default());
        let (removal, awaited) = removal_step(&p);
        assert!(removal < awaited, "{:?}", p.actions);
    }
}
