//! A cluster as UCP sets it up: one manager node, `ucp-interlock` running the config `toml` as
//! `com.docker.ucp.interlock.conf-1`, and the services that config asks for, created by the
//! simulated core.

use crate::cluster::{ConfigInfo, ConfigRef, Node, Role, Service};
use crate::interlock::{CONFIG_TARGET, CORE_SERVICE};

use super::interlock;
use super::state::State;

pub const HOST: &str = "node-1";
pub const FIRST_CONFIG: &str = "com.docker.ucp.interlock.conf-1";

pub fn ucp(toml: &str) -> State {
    let mut s = State::default();
    s.nodes.push((node(), 1));
    let info = ConfigInfo {
        id: "cfg-first".into(),
        name: FIRST_CONFIG.into(),
        labels: [("com.docker.ucp.access.label".to_string(), "/".to_string())].into(),
        created_at: Some("t0".into()),
    };
    s.configs.push((info, toml.to_string()));
    s.add_service(core());
    interlock::round(&mut s);
    s
}

fn node() -> Node {
    Node {
        id: "node-id-1".into(),
        hostname: HOST.into(),
        role: Role::Manager,
        labels: [(
            "com.docker.ucp.orchestrator.swarm".to_string(),
            "true".to_string(),
        )]
        .into(),
        ..worker("node-id-1", "ready")
    }
}

/// A worker named by its ID, in `state` (`ready`, `down`, `unknown`), for hand-built task
/// sequences.
pub fn worker(id: &str, state: &str) -> Node {
    Node {
        id: id.into(),
        hostname: id.into(),
        role: Role::Worker,
        availability: "active".into(),
        state: state.into(),
        labels: Default::default(),
        engine_labels: Default::default(),
        os: "linux".into(),
        arch: "x86_64".into(),
        addr: String::new(),
    }
}

fn core() -> Service {
    Service {
        id: "svc-core".into(),
        name: CORE_SERVICE.into(),
        version: 10,
        labels: Default::default(),
        replicas: Some(1),
        constraints: vec!["node.role==manager".into()],
        ports: Vec::new(),
        configs: vec![ConfigRef {
            config_id: "cfg-first".into(),
            config_name: FIRST_CONFIG.into(),
            target: CONFIG_TARGET.into(),
        }],
        image: "docker/ucp-interlock:3.1".into(),
        update: None,
        networks: Vec::new(),
    }
}
