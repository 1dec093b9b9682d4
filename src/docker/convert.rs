//! From bollard's API models to the snapshot model.

use std::collections::BTreeMap;
use std::collections::HashMap;

use base64::Engine;
use bollard::models;

use crate::cluster::{
    ConfigData, ConfigInfo, ConfigRef, Network, Node, NodeState, PublishedPort, Role, Service,
    Task, TaskDetail, UpdateState, UpdateStatus,
};
use crate::interlock::PublishMode;

fn labels(l: Option<HashMap<String, String>>) -> BTreeMap<String, String> {
    l.unwrap_or_default().into_iter().collect()
}

pub fn node(n: models::Node) -> Node {
    let spec = n.spec.unwrap_or_default();
    let desc = n.description.unwrap_or_default();
    let platform = desc.platform.unwrap_or_default();
    let status_addr = n
        .status
        .as_ref()
        .and_then(|s| s.addr.clone())
        .unwrap_or_default();
    Node {
        id: n.id.unwrap_or_default(),
        hostname: desc.hostname.unwrap_or_default(),
        role: match spec.role.map(|r| r.to_string()).as_deref() {
            Some("manager") => Role::Manager,
            _ => Role::Worker,
        },
        availability: spec.availability.map(|a| a.to_string()).unwrap_or_default(),
        state: n
            .status
            .clone()
            .and_then(|s| s.state)
            .map_or(NodeState::Unknown, |s| NodeState::from(s.to_string())),
        labels: labels(spec.labels),
        engine_labels: labels(desc.engine.and_then(|e| e.labels)),
        os: platform.os.unwrap_or_default(),
        arch: platform.architecture.unwrap_or_default(),
        addr: status_addr,
    }
}

fn port(p: &models::EndpointPortConfig) -> Option<PublishedPort> {
    Some(PublishedPort {
        published: u16::try_from(p.published_port?).ok()?,
        target: u16::try_from(p.target_port.unwrap_or(0)).unwrap_or(0),
        protocol: p.protocol.map_or_else(|| "tcp".into(), |x| x.to_string()),
        mode: match p.publish_mode.map(|m| m.to_string()).as_deref() {
            Some("host") => PublishMode::Host,
            _ => PublishMode::Ingress,
        },
    })
}

pub fn service(s: models::Service) -> Service {
    let spec = s.spec.unwrap_or_default();
    let task = spec.task_template.unwrap_or_default();
    let container = task.container_spec.unwrap_or_default();
    // The spec's ports are what was asked; the endpoint's are what swarm assigned.
    let ports = spec
        .endpoint_spec
        .and_then(|e| e.ports)
        .or_else(|| s.endpoint.and_then(|e| e.ports))
        .unwrap_or_default();
    // The task template's networks; the service-level list is the older API's place for them.
    #[allow(deprecated)]
    let networks: Vec<String> = task
        .networks
        .clone()
        .or(spec.networks)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|n| n.target)
        .collect();
    Service {
        id: s.id.unwrap_or_default(),
        name: spec.name.unwrap_or_default(),
        version: s.version.and_then(|v| v.index).unwrap_or(0),
        labels: labels(spec.labels),
        replicas: spec
            .mode
            .and_then(|m| m.replicated)
            .map(|r| r.replicas.unwrap_or(1).max(0) as u64),
        constraints: task
            .placement
            .and_then(|p| p.constraints)
            .unwrap_or_default(),
        ports: ports.iter().filter_map(port).collect(),
        configs: container
            .configs
            .unwrap_or_default()
            .into_iter()
            .map(|c| ConfigRef {
                config_id: c.config_id.unwrap_or_default(),
                config_name: c.config_name.unwrap_or_default(),
                target: c.file.and_then(|f| f.name).unwrap_or_default(),
            })
            .collect(),
        image: container.image.unwrap_or_default(),
        networks,
        update: s.update_status.map(|u| UpdateStatus {
            state: u.state.map(|st| UpdateState::parse(st.as_ref())),
            started_at: u.started_at.map(|d| d.to_string()),
            completed_at: u.completed_at.map(|d| d.to_string()),
            message: u.message,
        }),
    }
}

pub fn network(n: models::Network) -> Network {
    Network {
        id: n.id.unwrap_or_default(),
        name: n.name.unwrap_or_default(),
        driver: n.driver.unwrap_or_default(),
        labels: labels(n.labels),
    }
}

/// A secret's name: all the tool ever reads of a secret.
pub fn secret_name(s: models::Secret) -> String {
    s.spec.and_then(|s| s.name).unwrap_or_default()
}

pub fn config(c: models::Config) -> ConfigInfo {
    let spec = c.spec.unwrap_or_default();
    ConfigInfo {
        id: c.id.unwrap_or_default(),
        name: spec.name.unwrap_or_default(),
        labels: labels(spec.labels),
        created_at: c.created_at.map(|d| d.to_string()),
    }
}

pub fn task(t: models::Task) -> Task {
    let status = t.status.unwrap_or_default();
    let configs = t
        .spec
        .and_then(|s| s.container_spec)
        .and_then(|c| c.configs)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| c.config_id)
        .collect();
    Task {
        service_id: t.service_id.unwrap_or_default(),
        node_id: t.node_id,
        state: status.state.map(|s| s.to_string()).unwrap_or_default(),
        desired_state: t.desired_state.map(|s| s.to_string()).unwrap_or_default(),
        error: status.err,
        configs,
    }
}

pub fn task_detail(t: models::Task) -> TaskDetail {
    let id = t.id.clone().unwrap_or_default();
    let updated_at = t.updated_at.as_ref().map(|d| d.to_string());
    let container_id = t
        .status
        .as_ref()
        .and_then(|s| s.container_status.as_ref())
        .and_then(|c| c.container_id.clone());
    TaskDetail {
        id,
        task: task(t),
        updated_at,
        container_id,
    }
}

/// A config with its data decoded: the one place config data is decoded, so a config that is
/// not base64 or not UTF-8 text fails the same way wherever it is read.
pub fn config_data(c: models::Config) -> Result<ConfigData, String> {
    let raw = c
        .spec
        .as_ref()
        .and_then(|s| s.data.clone())
        .unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw.trim())
        .map_err(|e| format!("its data is not base64: {e}"))?;
    let data = String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    let version = c.version.as_ref().and_then(|v| v.index).unwrap_or(0);
    Ok(ConfigData {
        info: config(c),
        data,
        version,
    })
}
