//! Plan, status and apply agree, on the cases where the copies of a domain rule used to differ:
//! each rule is written once (stale services: `extension::stale`; the services an extension
//! implies: `extension::services`; constraint sameness: `extension::constraints::Normal`), and
//! here all three read the same cluster and say the same thing.

use super::fixture;
use super::run::{apply, live_state, plan};
use super::state::State;
use super::swarm::Model;
use crate::apply::Outcome;
use crate::docker::LiveState;
use crate::finding::Code;
use crate::interlock::{InterlockConfig, ServiceRole, TYPE_LABEL};
use crate::plan::Action;
use crate::status::{self, Report};

const KEEP: usize = 5;

/// One cluster, `dev`, with its proxy on nodes labelled `region=east`.
const DEV: &str = r#"
[Extensions.dev]
ServiceName = "ext-dev"
ProxyServiceName = "proxy-dev"
ServiceCluster = "dev"
ProxyReplicas = 1
PublishedPort = 8080
PublishedSSLPort = 8443
ProxyConstraints = ["node.labels.region==east"]
"#;

/// A spec that keeps `dev` as it is.
const KEEP_DEV: &str = "template = \"dev\"\n[clusters.dev]\nhttp_port = 8080\nhttps_port = 8443\n";

fn status_of(state: &LiveState) -> Report {
    let (_, cfg) = InterlockConfig::parse(&state.toml).unwrap();
    status::report(&cfg, &state.snapshot, &state.core, &state.config)
}

fn codes_on<'a>(r: &'a Report, service: &str) -> Vec<&'a str> {
    r.clusters
        .iter()
        .flat_map(|c| &c.services)
        .chain(&r.stale)
        .filter(|s| s.name == service)
        .flat_map(|s| &s.problems)
        .map(|f| f.code.as_str())
        .collect()
}

fn labelled(state: &mut State, node_label: (&str, &str)) {
    let node = &mut state.nodes[0].0;
    node.labels
        .insert(node_label.0.to_string(), node_label.1.to_string());
}

/// A proxy constrained on `node.labels.Region` while the config says `region`: swarm reads two
/// labels, so plan, status and apply all call it drift (an old copy of the rule lower-cased the
/// label's name and saw none).
#[tokio::test]
async fn a_label_name_in_another_case_is_drift_to_plan_status_and_apply() {
    let mut start = fixture::ucp(DEV);
    labelled(&mut start, ("region", "east"));
    start.service_mut("proxy-dev").unwrap().service.constraints =
        vec!["node.labels.Region==east".into()];
    let model = Model::new(start);

    let before = model.read(live_state);
    let planned = plan(&before, KEEP_DEV, KEEP);
    assert!(
        planned.findings.iter().any(|f| f.code == Code::ProxyDrift),
        "{:#?}",
        planned.findings
    );
    assert!(
        planned
            .actions
            .iter()
            .any(|a| matches!(a, Action::ReconcileProxy { service, .. } if service == "proxy-dev")),
        "{:#?}",
        planned.actions
    );
    assert_eq!(codes_on(&status_of(&before), "proxy-dev"), ["proxy-drift"]);

    let (_, report) = apply(&model, &model, KEEP_DEV, KEEP).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    let after = model.read(live_state);
    let proxy = after.snapshot.service("proxy-dev").unwrap();
    assert_eq!(proxy.constraints, ["node.labels.region==east"]);
    assert!(plan(&after, KEEP_DEV, KEEP).actions.is_empty());
    assert!(codes_on(&status_of(&after), "proxy-dev").is_empty());
}

/// A service named like Interlock's but without its `type` label is the operator's; one with
/// the label that no extension names is a leftover. Plan retires only the leftover, status flags
/// only it, apply removes only it (an old copy of the rule in status also flagged any
/// `ucp-interlock-` name, which the plan never retired).
#[tokio::test]
async fn plan_status_and_apply_agree_on_what_is_stale() {
    let mut start = fixture::ucp(DEV);
    labelled(&mut start, ("region", "east"));
    let mut own = start.service("ext-dev").unwrap().service.clone();
    own.name = "ucp-interlock-backup".into();
    own.id = "svc-own".into();
    own.labels.clear();
    start.add_service(own);
    let mut leftover = start.service("proxy-dev").unwrap().service.clone();
    leftover.name = "old-proxy-east".into();
    leftover.id = "svc-leftover".into();
    leftover.ports.clear();
    leftover
        .labels
        .insert(TYPE_LABEL.into(), ServiceRole::Proxy.type_label().into());
    start.add_service(leftover);
    let model = Model::new(start);

    let before = model.read(live_state);
    let planned = plan(&before, KEEP_DEV, KEEP);
    let retired: Vec<&str> = planned
        .stale_services
        .iter()
        .map(|s| s.service.as_str())
        .collect();
    assert_eq!(retired, ["old-proxy-east"]);
    let st = status_of(&before);
    let flagged: Vec<&str> = st.stale.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(flagged, ["old-proxy-east"]);

    let (_, report) = apply(&model, &model, KEEP_DEV, KEEP).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    let after = model.read(live_state);
    assert!(after.snapshot.service("old-proxy-east").is_none());
    assert!(after.snapshot.service("ucp-interlock-backup").is_some());
    assert!(status_of(&after).stale.is_empty());
}

/// An extension without `ProxyServiceName`: Interlock names its proxy `ucp-interlock-proxy`.
/// The in-memory core creates it, status finds it under its cluster, and the split retires it
/// as the holder of the ports prod needs (an old copy of the rule, used by the in-memory core
/// and rollback, left the default proxy out).
#[tokio::test]
async fn the_default_proxy_is_one_service_to_plan_status_and_apply() {
    const DEFAULT: &str = "[Extensions.default]\nServiceName = \"ucp-interlock-extension\"\nProxyReplicas = 1\nPublishedPort = 8080\nPublishedSSLPort = 8443\n";
    let model = Model::new(fixture::ucp(DEFAULT));
    let before = model.read(live_state);
    assert!(before.snapshot.service("ucp-interlock-proxy").is_some());
    let st = status_of(&before);
    let proxy = st.clusters[0]
        .services
        .iter()
        .find(|s| s.role == ServiceRole::Proxy)
        .unwrap();
    assert_eq!(
        (proxy.name.as_str(), proxy.exists),
        ("ucp-interlock-proxy", true)
    );
    assert_eq!(st.problems, 0, "{st:#?}");

    let spec = "template = \"default\"\n[clusters.prod]\nhttp_port = 8080\nhttps_port = 8443\nproxy_replicas = 1\n";
    let planned = plan(&before, spec, KEEP);
    let holder = planned
        .stale_services
        .iter()
        .find(|s| s.service == "ucp-interlock-proxy");
    assert_eq!(holder.map(|s| s.frees_ports()), Some(vec![8080, 8443]));
    let (_, report) = apply(&model, &model, spec, KEEP).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    let after = model.read(live_state);
    assert!(after.snapshot.service("ucp-interlock-proxy").is_none());
    assert!(after.snapshot.service("ucp-interlock-proxy-prod").is_some());
    assert_eq!(status_of(&after).problems, 0);
}
