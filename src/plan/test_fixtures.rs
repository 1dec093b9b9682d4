//! Hand-built snapshots and plans for the live plan's unit tests (live checks, routes).
#![allow(dead_code)]

use std::collections::BTreeMap;

use crate::cluster::{ConfigInfo, ConfigRef, Node, PublishedPort, Role, Service, Snapshot};
use crate::interlock::PublishMode;
use crate::plan::{Plan, build_live};
use crate::spec;

pub const SEED: &str = r#"
[clusters.dev]
http_port = 8082
https_port = 8445
proxy_replicas = 1
node_label = "dev"
collection = "/dev"
nodes = ["w1"]

[clusters.prod]
http_port = 8080
https_port = 8443
proxy_replicas = 1
node_label = "prod"
nodes = ["w2"]
"#;

pub fn node(host: &str, labels: &[(&str, &str)]) -> Node {
    Node {
        id: format!("id{host}xxxxxx"),
        hostname: host.into(),
        role: Role::Worker,
        availability: "active".into(),
        state: "ready".into(),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([(
                "com.docker.ucp.orchestrator.swarm".to_string(),
                "true".to_string(),
            )])
            .collect(),
        engine_labels: BTreeMap::new(),
        os: "linux".into(),
        arch: "x86_64".into(),
        addr: String::new(),
    }
}

pub fn service(name: &str, ports: &[u16], labels: &[(&str, &str)]) -> Service {
    Service {
        id: format!("sid-{name}"),
        name: name.into(),
        version: 7,
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        replicas: Some(2),
        constraints: vec![],
        ports: ports
            .iter()
            .zip([80u16, 443])
            .map(|(p, t)| PublishedPort {
                published: *p,
                target: t,
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

pub fn snapshot() -> Snapshot {
    let mut core = service("ucp-interlock", &[], &[]);
    core.configs = vec![ConfigRef {
        config_id: "c1".into(),
        config_name: "com.docker.ucp.interlock.conf-1".into(),
        target: "/config.toml".into(),
    }];
    Snapshot {
        nodes: vec![
            node("w1", &[("com.docker.ucp.access.label", "/dev")]),
            node("w2", &[("com.docker.ucp.access.label", "/prod")]),
        ],
        services: vec![
            core,
            service("ucp-interlock-extension", &[], &[]),
            service(
                "ucp-interlock-proxy",
                &[8080, 8443],
                &[("type", "com.docker.interlock.core.proxy")],
            ),
        ],
        configs: vec![ConfigInfo {
            id: "c1".into(),
            name: "com.docker.ucp.interlock.conf-1".into(),
            labels: BTreeMap::new(),
            created_at: None,
        }],
        tasks: vec![],
        networks: vec![],
        secrets: vec![],
    }
}

pub fn plan_with(snap: &Snapshot, spec_text: &str, current: &str) -> Plan {
    let spec = spec::parse("spec.toml", spec_text).unwrap();
    build_live(
        current,
        "com.docker.ucp.interlock.conf-1",
        snap,
        &spec,
        spec_text,
        5,
    )
    .unwrap()
}

pub fn ucp_default() -> String {
    std::fs::read_to_string("fixtures/ucp-3.1-default.toml").unwrap()
}

pub fn codes(p: &Plan) -> Vec<&'static str> {
    p.findings.iter().map(|f| f.code.as_str()).collect()
}

/// The kinds of `p`'s actions, in order, as the JSON names them.
pub fn action_kinds(p: &Plan) -> Vec<String> {
    p.actions
        .iter()
        .map(|a| {
            serde_json::to_value(a).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}
