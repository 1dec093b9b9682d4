use crate::cluster::Snapshot;
use crate::finding::Code;
use crate::interlock::PublishMode;
use crate::interlock::config::ServiceRole;
use crate::plan::{Action, Inputs, Source, SourceKind, build};
use crate::spec;

use crate::plan::test_fixtures::*;

#[test]
fn seed_on_a_cluster_labels_first_and_retires_the_port_holder_in_order() {
    let p = plan_with(&snapshot(), SEED, &ucp_default());
    assert!(!p.has_errors(), "{:?}", p.findings);
    let kinds: Vec<String> = action_kinds(&p);
    assert_eq!(
        kinds,
        [
            "label-node",
            "label-node",
            "create-config",
            "update-core-service",
            "remove-stale-service",
            "await-service",
            "await-service",
            "await-service",
            "await-service",
            "remove-stale-service"
        ]
    );
    assert!(
        matches!(&p.actions[2], Action::CreateConfig { name: Some(n), .. } if n == "com.docker.ucp.interlock.conf-2")
    );
    assert!(
        matches!(&p.actions[4], Action::RemoveStaleService { service, frees_ports, .. } if service == "ucp-interlock-proxy" && frees_ports == &[8080, 8443])
    );
    assert!(codes(&p).contains(&"stale-port-holder"));
}

#[test]
fn no_eligible_node_without_labels() {
    let text = SEED
        .replace("nodes = [\"w1\"]", "")
        .replace("nodes = [\"w2\"]", "");
    let p = plan_with(&snapshot(), &text, &ucp_default());
    let errs: Vec<_> = p
        .findings
        .iter()
        .filter(|f| f.code == Code::NoEligibleNode)
        .collect();
    assert_eq!(errs.len(), 4, "{errs:?}"); // proxy and extension of both clusters
    assert!(p.has_errors());
}

#[test]
fn host_mode_with_too_few_nodes() {
    let text = SEED.replace(
        "proxy_replicas = 1\nnode_label = \"dev\"",
        "proxy_replicas = 3\npublish_mode = \"host\"\nnode_label = \"dev\"",
    );
    let p = plan_with(&snapshot(), &text, &ucp_default());
    assert!(codes(&p).contains(&"too-few-nodes"), "{:?}", codes(&p));
}

#[test]
fn port_held_by_another_service_is_named() {
    let mut snap = snapshot();
    snap.services.push(service("billing-web", &[8082], &[]));
    let p = plan_with(&snap, SEED, &ucp_default());
    let f = p
        .findings
        .iter()
        .find(|f| f.code == Code::PortInUse)
        .unwrap();
    assert!(f.message.contains("billing-web"));
    assert!(f.message.contains("8082"));
}

#[test]
fn leftover_proxies_found_by_label_become_stale_even_without_a_config_change() {
    let once = plan_with(&snapshot(), SEED, &ucp_default()).new_config;
    let mut snap = snapshot();
    for (name, ports) in [
        ("ucp-interlock-proxy-dev", [8082, 8445]),
        ("ucp-interlock-proxy-prod", [8080, 8443]),
    ] {
        let mut s = service(name, &ports, &[("type", "com.docker.interlock.core.proxy")]);
        s.replicas = Some(1);
        s.constraints = vec![
            "node.labels.com.docker.ucp.orchestrator.swarm==true".into(),
            "node.platform.os==linux".into(),
            format!(
                "node.labels.com.docker.interlock.service.cluster=={}",
                &name[20..]
            ),
        ];
        snap.services.push(s);
    }
    for name in [
        "ucp-interlock-extension-dev",
        "ucp-interlock-extension-prod",
    ] {
        snap.services.push(service(name, &[], &[]));
    }
    for n in &mut snap.nodes {
        let v = if n.hostname == "w1" { "dev" } else { "prod" };
        n.labels
            .insert("com.docker.interlock.service.cluster".into(), v.into());
    }
    // The old proxy and extension are still around from the hand-made split.
    let p = plan_with(&snap, SEED, &once);
    assert!(!p.changed);
    let stale: Vec<&str> = p
        .stale_services
        .iter()
        .map(|s| s.service.as_str())
        .collect();
    assert_eq!(stale, ["ucp-interlock-proxy"]);
    assert!(p.has_changes());
    // Once they are gone, nothing is left to do.
    snap.services
        .retain(|s| s.name != "ucp-interlock-proxy" && s.name != "ucp-interlock-extension");
    let p = plan_with(&snap, SEED, &once);
    assert!(!p.has_changes(), "{:?}", p.actions);
    // Only the spec's own choice of one proxy per cluster is left to note.
    let left: Vec<_> = p
        .findings
        .iter()
        .map(|f| {
            (
                f.code.as_str(),
                f.path.as_ref().map(ToString::to_string).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        left,
        [
            ("single-proxy", "Extensions.dev.ProxyReplicas".to_string()),
            ("single-proxy", "Extensions.prod.ProxyReplicas".to_string())
        ],
        "{:?}",
        p.findings
    );
}

#[test]
fn drifted_proxy_is_reconciled() {
    let once = plan_with(&snapshot(), SEED, &ucp_default()).new_config;
    let mut snap = snapshot();
    let mut s = service(
        "ucp-interlock-proxy-dev",
        &[8082, 8445],
        &[("type", "com.docker.interlock.core.proxy")],
    );
    s.replicas = Some(1);
    s.constraints = vec!["node.role==worker".into()];
    snap.services.push(s);
    let p = plan_with(&snap, SEED, &once);
    assert!(codes(&p).contains(&"proxy-drift"));
    assert!(p.actions.iter().any(|a| matches!(a, Action::ReconcileProxy { service, .. } if service == "ucp-interlock-proxy-dev")));
}

#[test]
fn collection_mismatch_and_unknown_node() {
    let mut snap = snapshot();
    snap.nodes[0]
        .labels
        .insert("com.docker.ucp.access.label".into(), "/prod".into());
    let text = SEED.replace("nodes = [\"w2\"]", "nodes = [\"w9\"]");
    let p = plan_with(&snap, &text, &ucp_default());
    let c = codes(&p);
    assert!(c.contains(&"collection-mismatch"), "{c:?}");
    assert!(c.contains(&"node-not-found"), "{c:?}");
}

#[test]
fn prune_keeps_the_newest_the_one_in_use_and_the_one_before() {
    use crate::plan::prune_candidates;
    let names: Vec<String> = (1..=8)
        .map(|i| format!("com.docker.ucp.interlock.conf-{i}"))
        .collect();
    let out = prune_candidates(
        &names,
        "com.docker.ucp.interlock.conf-8",
        Some("com.docker.ucp.interlock.conf-9"),
        5,
    );
    assert_eq!(
        out,
        [
            "com.docker.ucp.interlock.conf-1",
            "com.docker.ucp.interlock.conf-2",
            "com.docker.ucp.interlock.conf-3",
            "com.docker.ucp.interlock.conf-4"
        ]
    );
    // After a rollback to conf-2, conf-2 and conf-1 stay, however old.
    let out = prune_candidates(&names, "com.docker.ucp.interlock.conf-2", None, 3);
    assert_eq!(
        out,
        [
            "com.docker.ucp.interlock.conf-3",
            "com.docker.ucp.interlock.conf-4",
            "com.docker.ucp.interlock.conf-5"
        ]
    );
}

/// Plan and status read one model of a proxy: on the same config and cluster they flag the
/// same proxies, with the same finding.
#[test]
fn plan_and_status_give_the_same_verdict_on_a_proxy() {
    use crate::extension::{Drift, ProxySpec};
    use crate::interlock::InterlockConfig;
    let once = plan_with(&snapshot(), SEED, &ucp_default()).new_config;
    let (_, cfg) = InterlockConfig::parse(&once).unwrap();
    let spec = spec::parse("spec.toml", SEED).unwrap();
    let proxy = |name: &str, ports: &[u16], constraints: &[&str]| {
        let mut s = service(name, ports, &[("type", "com.docker.interlock.core.proxy")]);
        s.replicas = Some(1);
        s.constraints = constraints.iter().map(|c| c.to_string()).collect();
        s
    };
    let mut snap = snapshot();
    // dev drifted (ports and constraints); prod differs only in how its constraints are
    // spelled, which swarm reads the same: spaces, the case of the attribute and of the
    // value, never of a label's name.
    let prod = cfg.extension("prod").unwrap();
    let prod_spelled: Vec<String> = prod
        .proxy_constraints
        .iter()
        .map(|c| {
            let (key, value) = c.split_once("==").unwrap();
            let key = match key.strip_prefix("node.labels.") {
                Some(label) => format!("NODE.Labels.{label}"),
                None => key.to_uppercase(),
            };
            format!("{key} == {}", value.to_uppercase())
        })
        .collect();
    let prod_refs: Vec<&str> = prod_spelled.iter().map(String::as_str).collect();
    snap.services.push(proxy(
        "ucp-interlock-proxy-dev",
        &[8082],
        &["node.role==worker"],
    ));
    snap.services
        .push(proxy("ucp-interlock-proxy-prod", &[8080, 8443], &prod_refs));

    let live = super::analyse(&cfg, &cfg, &spec, &snap);
    let planned: Vec<_> = live
        .findings
        .iter()
        .filter(|f| f.code == Code::ProxyDrift)
        .cloned()
        .collect();
    let core = snap.service("ucp-interlock").unwrap().clone();
    let config = snap.configs[0].clone();
    let status = crate::status::report(&cfg, &snap, &core, &config);
    let flagged: Vec<_> = status
        .findings()
        .filter(|f| f.code == Code::ProxyDrift)
        .cloned()
        .collect();
    assert_eq!(planned.len(), 1, "{planned:?}");
    assert_eq!(planned, flagged);
    assert!(planned[0].message.contains("ucp-interlock-proxy-dev"));
    let Some(Action::ReconcileProxy { spec, drift, .. }) = live.reconcile.first() else {
        panic!("{:?}", live.reconcile);
    };
    assert_eq!(spec, &ProxySpec::of(cfg.extension("dev").unwrap()));
    assert!(matches!(drift[0], Drift::Constraints { .. }), "{drift:?}");
    assert!(
        drift.iter().any(|d| matches!(d, Drift::Ports { .. })),
        "{drift:?}"
    );
}

/// Planned from a file, the proxy's old section stands for the proxy: the action carries the
/// new spec and the typed difference.
#[test]
fn planned_from_a_file_a_changed_proxy_is_reconciled_to_the_new_spec() {
    use crate::extension::Drift;
    let once = plan_with(&snapshot(), SEED, &ucp_default()).new_config;
    let spec_text = SEED.replacen("proxy_replicas = 1", "proxy_replicas = 3", 1);
    let spec = spec::parse("spec.toml", &spec_text).unwrap();
    let p = build(&Inputs {
        current: &once,
        source: Source {
            kind: SourceKind::File,
            path: Some("current.toml".into()),
            config_name: None,
        },
        spec: &spec,
        spec_text: &spec_text,
        existing_configs: &[],
        snapshot: None,
        keep_configs: 5,
    })
    .unwrap();
    let reconcile: Vec<_> = p
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::ReconcileProxy {
                service,
                spec,
                drift,
                ..
            } => Some((service.as_str(), spec.replicas, drift.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        reconcile,
        [(
            "ucp-interlock-proxy-dev",
            Some(3),
            vec![Drift::Replicas { have: 1, want: 3 }]
        )]
    );
}

/// MKE 3.5+ (`ConfigServiceName` in the default extension): each cluster gets its own config
/// service, and the old one is retired with the other stale services once the new ones run.
#[test]
fn an_mke_default_splits_its_config_service_and_retires_the_old_one() {
    let current = std::fs::read_to_string("fixtures/mke-3.5-default.toml").unwrap();
    let mut snap = snapshot();
    let mut old = service(
        "ucp-interlock-config",
        &[],
        &[("type", "com.docker.interlock.core.config")],
    );
    old.replicas = None;
    snap.services.push(old);
    let p = plan_with(&snap, SEED, &current);
    assert!(!p.has_errors(), "{:?}", p.findings);
    let config_services: Vec<_> = p
        .clusters
        .iter()
        .map(|c| c.services.config.clone())
        .collect();
    assert_eq!(
        config_services,
        [
            Some("ucp-interlock-config-dev".to_string()),
            Some("ucp-interlock-config-prod".to_string())
        ]
    );
    let stale = p
        .stale_services
        .iter()
        .find(|s| s.service == "ucp-interlock-config")
        .expect("the old config service is stale");
    assert_eq!(
        (stale.role, stale.extension.as_str()),
        (ServiceRole::Config, "default")
    );
    let removals: Vec<_> = p
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::RemoveStaleService { service, role, .. } => Some((service.as_str(), *role)),
            _ => None,
        })
        .collect();
    assert!(
        removals.contains(&("ucp-interlock-config", ServiceRole::Config)),
        "{removals:?}"
    );
    let awaited: Vec<_> = p
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::AwaitService { service, .. } => Some(service.as_str()),
            _ => None,
        })
        .collect();
    assert!(awaited.contains(&"ucp-interlock-config-dev"), "{awaited:?}");
}

/// A config service left by an earlier hand-made split is found by its `type` label.
#[test]
fn a_leftover_config_service_is_found_by_its_label() {
    let mut snap = snapshot();
    snap.services.push(service(
        "cfg-old",
        &[],
        &[("type", "com.docker.interlock.core.config")],
    ));
    let p = plan_with(&snap, SEED, &ucp_default());
    let s = p
        .stale_services
        .iter()
        .find(|s| s.service == "cfg-old")
        .expect("stale");
    assert_eq!(
        (s.role, s.extension.as_str()),
        (ServiceRole::Config, "(not in the config)")
    );
}

/// The seed with prod taking over the default proxy (2 replicas on 2 prod nodes, host mode).
fn adopting(name: &str) -> String {
    SEED.replace(
        "proxy_replicas = 1\nnode_label = \"prod\"\nnodes = [\"w2\"]",
        &format!(
            "proxy_replicas = 2\npublish_mode = \"host\"\nnode_label = \"prod\"\nnodes = [\"w2\", \"w3\"]\nadopt_proxy = \"{name}\""
        ),
    )
}

fn with_w3(mut snap: Snapshot) -> Snapshot {
    snap.nodes
        .push(node("w3", &[("com.docker.ucp.access.label", "/prod")]));
    snap
}

#[test]
fn an_adopted_proxy_is_reconciled_not_removed() {
    let p = plan_with(
        &with_w3(snapshot()),
        &adopting("ucp-interlock-proxy"),
        &ucp_default(),
    );
    assert!(!p.has_errors(), "{:?}", p.findings);
    assert!(
        p.new_config
            .contains("ProxyServiceName = \"ucp-interlock-proxy\"")
    );
    assert!(!p.actions.iter().any(|a| matches!(a,
        Action::RemoveStaleService { service, .. } if service == "ucp-interlock-proxy")));
    assert!(!p.actions.iter().any(|a| matches!(a,
        Action::AwaitService { service, .. } if service.starts_with("ucp-interlock-proxy"))
        && matches!(a, Action::AwaitService { cluster, .. } if cluster == "prod")));
    let Some(Action::ReconcileProxy {
        cluster,
        spec,
        drift,
        ..
    }) = p.actions.iter().find(
        |a| matches!(a, Action::ReconcileProxy { service, .. } if service == "ucp-interlock-proxy"),
    )
    else {
        panic!("no reconcile of the adopted proxy: {:?}", p.actions);
    };
    assert_eq!(cluster, "prod");
    assert_eq!((spec.replicas, spec.mode), (Some(2), PublishMode::Host));
    assert!(
        spec.constraints
            .as_slice()
            .contains(&"node.labels.com.docker.interlock.service.cluster==prod".to_string())
    );
    assert!(!drift.is_empty());
    let note = p.findings.iter().find(|f| f.code == Code::ProxyHandover);
    assert!(
        note.is_some_and(|f| f.severity == crate::finding::Severity::Info
            && f.message.contains("rolling update")),
        "{:?}",
        p.findings
    );
    assert!(
        !codes(&p).contains(&"stale-port-holder"),
        "{:?}",
        p.findings
    );
    // The old extension still goes: only its proxy is taken over.
    assert!(p.actions.iter().any(|a| matches!(a,
        Action::RemoveStaleService { service, .. } if service == "ucp-interlock-extension")));
}

#[test]
fn adopting_a_missing_service_or_one_that_is_no_proxy_is_refused() {
    let p = plan_with(
        &with_w3(snapshot()),
        &adopting("ucp-interlock-proxy-gone"),
        &ucp_default(),
    );
    assert!(p.has_errors());
    assert!(
        codes(&p).contains(&"adopt-proxy-not-found"),
        "{:?}",
        p.findings
    );

    let mut snap = with_w3(snapshot());
    snap.services.push(service("web", &[9000], &[]));
    let p = plan_with(&snap, &adopting("web"), &ucp_default());
    assert!(codes(&p).contains(&"adopt-not-a-proxy"), "{:?}", p.findings);
    assert!(p.has_errors());
}

#[test]
fn adopt_proxy_is_refused_next_to_proxy_service_name_and_in_defaults() {
    let both = format!(
        "{}proxy_service_name = \"p\"\n",
        adopting("ucp-interlock-proxy")
    );
    let errs = spec::parse("s.toml", &both).unwrap_err();
    assert!(
        errs.iter().any(|e| e
            .path
            .as_ref()
            .is_some_and(|p| p.to_string() == "clusters.prod.adopt_proxy")),
        "{errs:?}"
    );
    let defaults = format!("[defaults]\nadopt_proxy = \"x\"\n{SEED}");
    let errs = spec::parse("s.toml", &defaults).unwrap_err();
    assert!(
        errs.iter().any(|e| e
            .path
            .as_ref()
            .is_some_and(|p| p.to_string() == "defaults.adopt_proxy")),
        "{errs:?}"
    );
}

/// Right after a leader change every node is `unknown` until it reports: that is not "no
/// eligible node", and not an error.
#[test]
fn nodes_of_unknown_state_are_neither_eligible_nor_ruled_out() {
    let mut snap = snapshot();
    for n in &mut snap.nodes {
        n.state = "unknown".into();
    }
    let p = plan_with(&snap, SEED, &ucp_default());
    assert!(!p.has_errors(), "{:?}", p.findings);
    assert!(!codes(&p).contains(&"no-eligible-node"), "{:?}", codes(&p));
    let unknown: Vec<_> = p
        .findings
        .iter()
        .filter(|f| f.code == "node-state-unknown")
        .collect();
    assert_eq!(unknown.len(), 4, "proxy and extension of both: {unknown:?}");
    assert!(unknown[0].message.contains("(w1)"), "{:?}", unknown[0]);
    assert!(
        unknown[0]
            .hint
            .as_deref()
            .unwrap_or_default()
            .contains("plan again"),
        "{:?}",
        unknown[0]
    );

    // A node known to be down is still no eligible node.
    snap.nodes[0].state = "down".into();
    let p = plan_with(&snap, SEED, &ucp_default());
    assert!(codes(&p).contains(&"no-eligible-node"), "{:?}", codes(&p));
}

/// In host mode, two proxies on one ready node and one of unknown state: not "too few nodes"
/// until that node has reported.
#[test]
fn host_mode_counts_a_node_of_unknown_state_as_not_known() {
    let text = SEED.replace(
        "proxy_replicas = 1\nnode_label = \"dev\"",
        "proxy_replicas = 2\npublish_mode = \"host\"\nnode_label = \"dev\"",
    );
    let mut snap = snapshot();
    let mut w3 = node("w3", &[("com.docker.interlock.service.cluster", "dev")]);
    w3.state = "unknown".into();
    snap.nodes.push(w3);
    let p = plan_with(&snap, &text, &ucp_default());
    let codes = codes(&p);
    assert!(codes.contains(&"node-state-unknown"), "{codes:?}");
    assert!(!codes.contains(&"too-few-nodes"), "{codes:?}");
}
