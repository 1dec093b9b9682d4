use std::collections::BTreeMap;

use super::*;
use crate::cluster::{PublishedPort, Task, UpdateStatus};
use crate::interlock::PublishMode;

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
        update: None,
        networks: Vec::new(),
    }
}

fn update(state: &str, message: Option<&str>) -> UpdateStatus {
    UpdateStatus {
        state: Some(UpdateState::parse(state)),
        started_at: None,
        completed_at: None,
        message: message.map(str::to_string),
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
    run_on(CONFIG, services, core)
}

fn run_on(config: &str, services: Vec<(Service, u64)>, core: &Service) -> Report {
    let (_, cfg) = InterlockConfig::parse(config).unwrap();
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
    r.findings().map(|f| f.code.as_str()).collect()
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
        &["Node.Labels.env == Dev"],
        &[(8443, 443), (8080, 80)],
    );
    let r = run(
        vec![(service("ext-dev", 1, &[], &[]), 1), (proxy, 2)],
        &core(),
    );
    assert_eq!(codes(&r), Vec::<&str>::new());
    assert_eq!(r.problems, 0);
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
    core.update = Some(update("rollback_completed", Some("update rolled back")));
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

/// MKE 3.5+ runs a fourth service per extension: the config service, global.
#[test]
fn config_services_are_shown_and_stale_ones_flagged() {
    let config = format!("{CONFIG}ConfigServiceName = \"cfg-dev\"\n");
    let proxy = service(
        "proxy-dev",
        2,
        &["node.labels.env==dev"],
        &[(8080, 80), (8443, 443)],
    );
    let mut cfg_dev = service("cfg-dev", 0, &[], &[]);
    cfg_dev.replicas = None;
    let mut old = service("ucp-interlock-config", 0, &[], &[]);
    old.replicas = None;
    old.labels
        .insert("type".into(), "com.docker.interlock.core.config".into());
    let ext = service("ext-dev", 1, &[], &[]);
    let r = run_on(
        &config,
        vec![(ext.clone(), 1), (proxy.clone(), 2), (cfg_dev, 3), (old, 3)],
        &core(),
    );
    let shown: Vec<_> = r.clusters[0]
        .services
        .iter()
        .map(|s| (s.role, s.name.as_str(), s.exists, s.desired, s.running))
        .collect();
    assert_eq!(
        shown,
        [
            (ServiceRole::Extension, "ext-dev", true, Some(1), 1),
            (ServiceRole::Proxy, "proxy-dev", true, Some(2), 2),
            (ServiceRole::Config, "cfg-dev", true, None, 3),
        ]
    );
    assert_eq!(codes(&r), ["stale-service"]);
    assert_eq!(
        (r.stale[0].role, r.stale[0].name.as_str()),
        (ServiceRole::Config, "ucp-interlock-config")
    );
    let text = crate::output::status::report(&r, &crate::output::style::Styler::new(false), 0);
    assert!(
        text.contains("    config    cfg-dev  3 (global)\n"),
        "{text}"
    );
    assert!(
        text.contains("Stale services:\n    config    ucp-interlock-config  3 (global)\n"),
        "{text}"
    );

    let r = run_on(&config, vec![(ext, 1), (proxy, 2)], &core());
    assert_eq!(codes(&r), ["service-missing"]);
    let missing = r.findings().next().unwrap();
    assert_eq!(
        missing.path.as_ref().unwrap().to_string(),
        "Extensions.dev.ConfigServiceName"
    );
}

/// A worker's engine stops: swarm marks the node down, sets the proxy's task to shutdown but
/// leaves its observed state `running`, and the replacement stays pending. Status must not
/// count that task (as apply's watch does not).
#[test]
fn a_task_on_a_down_node_or_meant_to_stop_does_not_count() {
    use crate::cluster::{Node, Role};
    let ext = service("ext-dev", 1, &[], &[]);
    let proxy = service(
        "proxy-dev",
        2,
        &["node.labels.env==dev"],
        &[(8080, 80), (8443, 443)],
    );
    let (_, cfg) = InterlockConfig::parse(CONFIG).unwrap();
    let node = |id: &str, state: &str| Node {
        id: id.into(),
        hostname: format!("host-{id}"),
        role: Role::Worker,
        availability: "active".into(),
        state: state.into(),
        labels: BTreeMap::new(),
        engine_labels: BTreeMap::new(),
        os: "linux".into(),
        arch: "x86_64".into(),
        addr: String::new(),
    };
    let task = |svc: &Service, node: &str, desired: &str| Task {
        service_id: svc.id.clone(),
        node_id: Some(node.into()),
        state: "running".into(),
        desired_state: desired.into(),
        error: None,
        configs: vec![],
    };
    let snap = Snapshot {
        nodes: vec![node("up", "ready"), node("gone", "down")],
        tasks: vec![
            task(&ext, "up", "running"),
            task(&proxy, "gone", "running"),
            task(&proxy, "up", "shutdown"),
        ],
        services: vec![ext, proxy],
        ..Default::default()
    };
    let config = ConfigInfo {
        id: "c".into(),
        name: "com.docker.ucp.interlock.conf-1".into(),
        labels: BTreeMap::new(),
        created_at: None,
    };
    let r = report(&cfg, &snap, &core(), &config);
    let proxy_state = &r.clusters[0].services[1];
    assert_eq!(proxy_state.running, 0);
    assert_eq!(codes(&r), ["tasks-not-running"]);
}

#[test]
fn a_proxy_and_a_core_whose_update_is_in_progress_are_flagged() {
    let mut proxy = service(
        "proxy-dev",
        2,
        &["node.labels.env==dev"],
        &[(8080, 80), (8443, 443)],
    );
    proxy.update = Some(update("updating", None));
    let mut core = core();
    core.update = Some(update("updating", None));
    let r = run(
        vec![(service("ext-dev", 1, &[], &[]), 1), (proxy, 2)],
        &core,
    );
    assert_eq!(codes(&r), ["update-in-progress", "update-in-progress"]);
    assert!(r.core.problems[0].message.contains("ucp-interlock"));
}

#[test]
fn routes_declared_served_unrouted_and_orphaned() {
    use crate::route::labels;
    use crate::route::proxy_config::ServedHost;
    let config = "[Extensions.dev]\nServiceName = \"ext-dev\"\nProxyServiceName = \"proxy-dev\"\nServiceCluster = \"dev\"\nProxyReplicas = 2\nPublishedPort = 8080\n";
    let mut app = service("demo", 1, &[], &[]);
    app.labels = [
        (labels::HOSTS.to_string(), "demo.example".to_string()),
        (labels::PORT.to_string(), "8080".to_string()),
        (labels::SERVICE_CLUSTER.to_string(), "dev".to_string()),
    ]
    .into();
    let mut lost = service("plain", 1, &[], &[]);
    lost.labels = [
        (labels::HOSTS.to_string(), "plain.example".to_string()),
        (labels::PORT.to_string(), "8080".to_string()),
    ]
    .into();
    let mut orphan = service("old-proxy", 1, &[], &[]);
    orphan
        .labels
        .insert("type".into(), "com.docker.interlock.core.proxy".into());
    let proxy = service("proxy-dev", 2, &[], &[(8080, 80)]);
    let services = vec![
        (service("ext-dev", 1, &[], &[]), 1),
        (proxy, 2),
        (app, 1),
        (lost, 1),
        (orphan, 1),
    ];
    let (_, cfg) = InterlockConfig::parse(config).unwrap();
    let snap = Snapshot {
        tasks: services.iter().flat_map(|(s, n)| tasks(s, *n)).collect(),
        services: services.into_iter().map(|(s, _)| s).collect(),
        ..Default::default()
    };
    let info = ConfigInfo {
        id: "c".into(),
        name: "com.docker.ucp.interlock.conf-1".into(),
        labels: BTreeMap::new(),
        created_at: None,
    };
    let mut r = report(&cfg, &snap, &core(), &info);
    let host = |h: &str| ServedHost {
        host: h.into(),
        upstreams: vec![],
    };
    let served = Served::from([
        ("proxy-dev".to_string(), Some(vec![host("other.example")])),
        ("old-proxy".to_string(), Some(vec![host("plain.example")])),
    ]);
    routes::add(&mut r, &cfg, &snap, &served);
    assert_eq!(r.clusters[0].hosts, ["demo.example"]);
    assert_eq!(
        r.clusters[0].served.as_deref(),
        Some(&["other.example".to_string()][..])
    );
    let mut found = codes(&r);
    found.sort();
    assert_eq!(
        found,
        [
            "app-unrouted",
            "orphan-proxy-serving",
            "routes-differ",
            "stale-service"
        ]
    );
    assert_eq!(r.problems, 4);
}
