use super::*;
use crate::cluster::{Node, Role, Task};
use crate::route::labels;

const CONFIG: &str = "[Extensions.dev]\nServiceCluster = \"dev\"\nProxyServiceName = \"proxy-dev\"\nPublishMode = \"host\"\nPublishedPort = 8082\nProxyReplicas = 1\n[Extensions.prod]\nServiceCluster = \"prod\"\nProxyServiceName = \"proxy-prod\"\nPublishMode = \"host\"\nPublishedPort = 8080\nProxyReplicas = 1\n";

fn node(name: &str, addr: &str) -> Node {
    Node {
        id: format!("id-{name}"),
        hostname: name.into(),
        role: Role::Worker,
        availability: "active".into(),
        state: NodeState::Ready,
        labels: Default::default(),
        engine_labels: Default::default(),
        os: "linux".into(),
        arch: "x86_64".into(),
        addr: addr.into(),
    }
}

fn svc(name: &str, labels: &[(&str, &str)]) -> crate::cluster::Service {
    crate::cluster::Service {
        id: format!("sid-{name}"),
        name: name.into(),
        version: 1,
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        replicas: Some(1),
        constraints: vec![],
        ports: vec![],
        configs: vec![],
        image: "x".into(),
        update: None,
        networks: vec![],
    }
}

fn task(service: &str, node: &str) -> Task {
    Task {
        service_id: format!("sid-{service}"),
        node_id: Some(format!("id-{node}")),
        state: "running".into(),
        desired_state: "running".into(),
        error: None,
        configs: vec![],
    }
}

fn snap() -> Snapshot {
    Snapshot {
        nodes: vec![node("w1", "10.0.0.1"), node("w2", "10.0.0.2")],
        services: vec![
            svc("proxy-dev", &[]),
            svc("proxy-prod", &[]),
            svc(
                "demo",
                &[
                    (labels::HOSTS, "demo.example"),
                    (labels::PORT, "8080"),
                    (labels::SERVICE_CLUSTER, "dev"),
                ],
            ),
        ],
        tasks: vec![task("proxy-dev", "w1"), task("proxy-prod", "w2")],
        ..Default::default()
    }
}

#[test]
fn each_host_is_asked_at_its_clusters_proxy_and_every_other() {
    let (_, cfg) = InterlockConfig::parse(CONFIG).unwrap();
    let (probes, unreachable) = probes(&cfg, &snap(), 2);
    assert!(unreachable.is_empty());
    let asked: Vec<(&str, &str, u16, Expect)> = probes
        .iter()
        .map(|p| {
            (
                p.cluster.as_str(),
                p.endpoint.addr.as_str(),
                p.endpoint.port,
                p.expect,
            )
        })
        .collect();
    assert_eq!(
        asked,
        [
            ("dev", "10.0.0.1", 8082, Expect::Routes),
            ("prod", "10.0.0.2", 8080, Expect::Refuses),
        ]
    );
}

#[test]
fn answers_are_judged_by_what_the_proxy_should_do() {
    let (_, cfg) = InterlockConfig::parse(CONFIG).unwrap();
    let (probes, _) = probes(&cfg, &snap(), 2);
    let status = |s| Observed::Status { status: s };
    assert!(judge(probes[0].clone(), status(200)).ok);
    assert!(
        judge(probes[0].clone(), status(404)).ok,
        "the application's own answer"
    );
    assert!(!judge(probes[0].clone(), status(503)).ok);
    assert!(!judge(probes[0].clone(), status(502)).ok);
    assert!(judge(probes[1].clone(), status(503)).ok);
    let wrong = judge(probes[1].clone(), status(200));
    assert!(!wrong.ok && wrong.why.unwrap().contains("not its cluster"));
    let silent = judge(
        probes[0].clone(),
        Observed::NoAnswer {
            why: "refused".into(),
        },
    );
    assert!(!silent.ok);
    let r = report(vec![wrong_or(probes[0].clone())], vec![]);
    assert_eq!((r.passed, r.failed), (1, 0));
}

fn wrong_or(p: Probe) -> Check {
    judge(p, Observed::Status { status: 200 })
}

/// A proxy with no running task cannot be asked: the hosts it should answer are failures, not
/// skipped; a cluster routing nothing is only noted.
#[test]
fn an_unreachable_proxy_fails_the_hosts_it_should_answer() {
    let (_, cfg) = InterlockConfig::parse(CONFIG).unwrap();
    let mut s = snap();
    s.tasks.retain(|t| t.service_id == "sid-proxy-prod");
    let (asked, unreachable) = probes(&cfg, &s, 2);
    assert_eq!(
        unreachable,
        [Unreachable {
            cluster: "dev".into(),
            routes: vec!["demo.example".into()],
        }]
    );
    let checks: Vec<Check> = asked
        .into_iter()
        .map(|p| judge(p, Observed::Status { status: 503 }))
        .collect();
    let r = report(checks, unreachable);
    assert_eq!(
        (r.passed, r.failed),
        (1, 1),
        "prod's 503 passes; dev's host is unchecked"
    );

    s.tasks = vec![task("proxy-dev", "w1")];
    let (_, unreachable) = probes(&cfg, &s, 2);
    assert_eq!(
        unreachable,
        [Unreachable {
            cluster: "prod".into(),
            routes: vec![],
        }]
    );
    assert_eq!(report(Vec::new(), unreachable).failed, 0);
}
