use std::collections::BTreeMap;

use super::*;
use crate::cluster::{PublishedPort, Task};

const CONFIG: &str = r#"
[Extensions.dev]
ServiceName = "ext-dev"
ProxyServiceName = "proxy-dev"
PublishedPort = 8080
PublishedSSLPort = 8443
ProxyReplicas = 2
ProxyConstraints = ["node.labels.env==dev"]
"#;

fn service(name: &str, replicas: u64, constraints: &[&str], ports: &[(u16, u16)]) -> Service {
    Service {
        id: format!("id-{name}"),
        name: name.into(),
        version: 1,
        labels: BTreeMap::new(),
        replicas: Some(replicas),
        constraints: constraints.iter().map(|s| s.to_string()).collect(),
        ports: ports
            .iter()
            .map(|&(published, target)| PublishedPort {
                published,
                target,
                protocol: "tcp".into(),
                mode: PublishMode::Ingress,
            })
            .collect(),
        configs: vec![],
        image: "x".into(),
        update_state: None,
        update_message: None,
    }
}

fn tasks(svc: &Service, n: u64) -> Vec<Task> {
    (0..n)
        .map(|_| Task {
            service_id: svc.id.clone(),
            node_id: None,
            state: "running".into(),
            desired_state: "running".into(),
            error: None,
            configs: Vec::new(),
        })
        .collect()
}

fn run(services: Vec<(Service, u64)>, core: &Service) -> Report {
    let (_, cfg) = InterlockConfig::parse(CONFIG).unwrap();
    let snap = Snapshot {
        tasks: services.iter().flat_map(|(s, n)| tasks(s, *n)).collect(),
        services: services.into_iter().map(|(s, _)| s).collect(),
        ..Default::default()
    };
    let config = ConfigInfo {
        id: "c".into(),
        name: "com.docker.ucp.interlock.conf-1".into(),
        labels: BTreeMap::new(),
        created_at: None,
    };
    report(&cfg, &snap, core, &config)
}

fn codes(r: &Report) -> Vec<&'static str> {
    r.findings().map(|f| f.code).collect()
}

fn core() -> Service {
    service("ucp-interlock", 0, &[], &[])
}

#[test]
fn a_cluster_as_configured_has_no_problems() {
    // Spelling of the constraint differs, not its meaning; targets default to 80/443.
    let proxy = service(
        "proxy-dev",
        2,
        &["node.labels.ENV == Dev"],
        &[(8443, 443), (8080, 80)],
    );
    let r = run(
        vec![(service("ext-dev", 1, &[], &[]), 1), (proxy, 2)],
        &core(),
    );
    assert_eq!(codes(&r), Vec::<&str>::new());
    assert_eq!(r.problems, 0);
    assert_eq!(r.format_version, 2);
}

#[test]
fn missing_services_and_tasks_not_running() {
    let proxy = service(
        "proxy-dev",
        2,
        &["node.labels.env==dev"],
        &[(8080, 80), (8443, 443)],
    );
    let r = run(vec![(proxy, 1)], &core());
    assert_eq!(codes(&r), ["service-missing", "tasks-not-running"]);
    let missing = &r.clusters[0].services[0].problems[0];
    assert_eq!(
        missing.path.as_ref().unwrap().to_string(),
        "Extensions.dev.ServiceName"
    );
    assert_eq!(r.problems, 2);
}

#[test]
fn a_drifted_proxy_is_one_proxy_drift_finding() {
    let proxy = service("proxy-dev", 1, &[], &[(8080, 8080)]);
    let r = run(
        vec![(service("ext-dev", 1, &[], &[]), 1), (proxy, 1)],
        &core(),
    );
    assert_eq!(codes(&r), ["proxy-drift"]);
    let f = r.findings().next().unwrap();
    for part in [
        "constraints [] → [node.labels.env==dev]",
        "replicas 1 → 2",
        "ports 8080→8080 → 8080→80, 8443→443",
    ] {
        assert!(f.message.contains(part), "{}", f.message);
    }
}

#[test]
fn stale_services_and_a_rolled_back_core_are_flagged() {
    let mut old = service("ucp-interlock-proxy", 1, &[], &[]);
    old.labels
        .insert("type".into(), "com.docker.interlock.core.proxy".into());
    let mut core = core();
    core.update_state = Some("rollback_completed".into());
    core.update_message = Some("update rolled back".into());
    let ok = service(
        "proxy-dev",
        2,
        &["node.labels.env==dev"],
        &[(8080, 80), (8443, 443)],
    );
    let r = run(
        vec![(service("ext-dev", 1, &[], &[]), 1), (ok, 2), (old, 1)],
        &core,
    );
    assert_eq!(codes(&r), ["core-update-failed", "stale-service"]);
    assert!(
        r.core.problems[0]
            .message
            .contains("rollback_completed (update rolled back)")
    );
    assert_eq!(r.problems, 2);
}

#[test]
fn a_proxy_and_a_core_whose_update_is_in_progress_are_flagged() {
    let mut proxy = service(
        "proxy-dev",
        2,
        &["node.labels.env==dev"],
        &[(8080, 80), (8443, 443)],
    );
    proxy.update_state = Some("updating".into());
    let mut core = core();
    core.update_state = Some("updating".into());
    let r = run(
        vec![(service("ext-dev", 1, &[], &[]), 1), (proxy, 2)],
        &core,
    );
    assert_eq!(codes(&r), ["update-in-progress", "update-in-progress"]);
    assert!(r.core.problems[0].message.contains("ucp-interlock"));
}
