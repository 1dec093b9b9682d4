//! The in-memory swarm behind `docker::Swarm`: a stale version is refused as out of
//! sequence, a taken config name as a name conflict, removing a config a service mounts as in
//! use. Every call is one tick: updates move on and the simulated core runs a round.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::cluster::MountedRoutes;
use crate::cluster::{
    ConfigData, ConfigInfo, ConfigRef, CoreRetarget, LogSource, NewConfig, Node, PublishedPort,
    Service, Task, TaskDetail, UpdateState, VersionedNode,
};
use crate::docker::{ApiError, LiveState, Swarm};
use crate::extension::ProxySpec;
use crate::interlock::PublishMode;

use super::interlock;
use super::state::State;

#[derive(Debug, Default)]
pub struct Model {
    pub state: Mutex<State>,
}

fn not_found(call: &str) -> ApiError {
    ApiError::NotFound {
        status: 404,
        call: call.to_string(),
        message: format!("{call}: not found"),
    }
}

/// Swarm's refusal of a write sent with a version the object has moved past.
pub(super) fn out_of_sequence(call: String) -> ApiError {
    ApiError::OutOfSequence {
        call,
        status: 500,
        message: "rpc error: code = Unknown desc = update out of sequence".into(),
    }
}

/// The spec a write to `service` at `version` starts from: refused as swarm refuses it when
/// the service has moved on.
fn spec_at(s: &State, service: &str, version: u64) -> Result<Service, ApiError> {
    let current = &s
        .service(service)
        .ok_or_else(|| not_found(service))?
        .service;
    if current.version != version {
        return Err(out_of_sequence(format!("update {service}")));
    }
    Ok(current.clone())
}

impl Model {
    pub fn new(state: State) -> Model {
        Model {
            state: Mutex::new(state),
        }
    }

    /// One tick, then `f` on the state.
    fn tick<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut s = self.state.lock().unwrap();
        s.advance();
        interlock::round(&mut s);
        f(&mut s)
    }

    /// A snapshot of the state, for assertions.
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&self.state.lock().unwrap())
    }
}

impl Swarm for Model {
    async fn read_state(&self) -> Result<LiveState, ApiError> {
        self.tick(|s| Ok(super::run::live_state(s)))
    }

    async fn service(&self, name: &str) -> Result<Service, ApiError> {
        self.tick(|s| {
            let m = s.service(name).ok_or_else(|| not_found(name))?;
            Ok(m.observed())
        })
    }

    async fn tasks(&self, service: &str) -> Result<Vec<TaskDetail>, ApiError> {
        self.tick(|s| {
            let m = s.service(service).ok_or_else(|| not_found(service))?;
            // A failed task is not restarted while swarm holds the update paused.
            let stuck = m.update_state_is(&UpdateState::Updating)
                || m.update_state_is(&UpdateState::Paused);
            let running = !stuck || m.healthy;
            let n = if running {
                m.service.replicas.unwrap_or(1)
            } else {
                0
            };
            let task = |i: u64| TaskDetail {
                id: format!("{}.{i}", m.service.id),
                task: Task {
                    service_id: m.service.id.clone(),
                    node_id: s.nodes.first().map(|(n, _)| n.id.clone()),
                    state: "running".into(),
                    desired_state: "running".into(),
                    error: None,
                    configs: m
                        .service
                        .configs
                        .iter()
                        .map(|c| c.config_id.clone())
                        .collect(),
                },
                updated_at: Some(format!("t{}", m.service.version)),
                container_id: None,
            };
            Ok((1..=n).map(task).collect())
        })
    }

    async fn nodes(&self) -> Result<Vec<Node>, ApiError> {
        self.tick(|s| Ok(s.nodes.iter().map(|(n, _)| n.clone()).collect()))
    }

    async fn node(&self, id: &str) -> Result<VersionedNode, ApiError> {
        self.tick(|s| {
            let (node, version) = s
                .nodes
                .iter()
                .find(|(n, _)| n.id == id || n.hostname == id)
                .ok_or_else(|| not_found(id))?;
            Ok(VersionedNode {
                node: node.clone(),
                version: *version,
            })
        })
    }

    async fn label_node(
        &self,
        id: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        self.tick(|s| {
            let (node, v) = s
                .nodes
                .iter_mut()
                .find(|(n, _)| n.id == id || n.hostname == id)
                .ok_or_else(|| not_found(id))?;
            if *v != version {
                return Err(out_of_sequence(format!("label {id}")));
            }
            node.labels.insert(key.to_string(), value.to_string());
            *v += 1;
            Ok(())
        })
    }

    async fn configs(&self) -> Result<Vec<ConfigInfo>, ApiError> {
        self.tick(|s| Ok(s.configs.iter().map(|(c, _)| c.clone()).collect()))
    }

    async fn config(&self, id: &str) -> Result<ConfigData, ApiError> {
        self.tick(|s| {
            let (info, data) = s.config(id).cloned().ok_or_else(|| not_found(id))?;
            let version = s.config_versions.get(&info.id).copied().unwrap_or(0);
            Ok(ConfigData {
                info,
                data,
                version,
            })
        })
    }

    async fn create_config(&self, config: &NewConfig) -> Result<String, ApiError> {
        self.tick(|s| {
            if s.config(&config.name).is_some() {
                return Err(ApiError::NameConflict {
                    status: 409,
                    call: "create config".into(),
                    message: format!("config {} already exists", config.name),
                });
            }
            let id = s.next_id("cfg-");
            let info = ConfigInfo {
                id: id.clone(),
                name: config.name.clone(),
                labels: config.labels.clone(),
                created_at: Some(format!("t{}", s.clock)),
            };
            s.configs.push((info, config.data.clone()));
            Ok(id)
        })
    }

    async fn label_config(
        &self,
        config: &ConfigData,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        let id = &config.info.id;
        self.tick(|s| {
            let version = s.config_versions.entry(id.clone()).or_default();
            if *version != config.version {
                return Err(out_of_sequence(format!("update config {id}")));
            }
            *version += 1;
            let (info, _) = s
                .configs
                .iter_mut()
                .find(|(c, _)| &c.id == id)
                .ok_or_else(|| not_found(id))?;
            info.labels = config.info.labels.clone();
            info.labels.insert(key.into(), value.into());
            Ok(())
        })
    }

    async fn remove_config(&self, name: &str) -> Result<(), ApiError> {
        self.tick(|s| {
            let (info, _) = s.config(name).cloned().ok_or_else(|| not_found(name))?;
            let users = s.users_of(&info.id);
            if !users.is_empty() {
                return Err(ApiError::InUse {
                    status: 400,
                    call: format!("remove config {name}"),
                    message: format!("config {name} is in use by {}", users.join(", ")),
                });
            }
            s.configs.retain(|(c, _)| c.id != info.id);
            Ok(())
        })
    }

    async fn retarget_core(
        &self,
        service: &str,
        version: u64,
        change: &CoreRetarget,
    ) -> Result<(), ApiError> {
        self.tick(|s| {
            let mut next = spec_at(s, service, version)?;
            let toml = s
                .config(&change.config_id)
                .map(|(_, t)| t.clone())
                .ok_or_else(|| not_found(&change.config_id))?;
            next.configs.retain(|c| c.target != change.target);
            next.configs.push(ConfigRef {
                config_id: change.config_id.clone(),
                config_name: change.config_name.clone(),
                target: change.target.clone(),
            });
            if let Some(port) = change.host_port
                && !next
                    .ports
                    .iter()
                    .any(|p| p.target == port && p.mode == PublishMode::Host)
            {
                next.ports.push(PublishedPort {
                    published: 0,
                    target: port,
                    protocol: "tcp".into(),
                    mode: PublishMode::Host,
                });
            }
            s.start_update(service, next, interlock::runnable(&toml));
            Ok(())
        })
    }

    async fn update_proxy(
        &self,
        service: &str,
        version: u64,
        spec: &ProxySpec,
    ) -> Result<(), ApiError> {
        self.tick(|s| {
            let mut next = spec_at(s, service, version)?;
            next.constraints = spec.constraints.as_slice().to_vec();
            next.replicas = spec.replicas.or(next.replicas);
            next.ports = spec
                .ports
                .iter()
                .map(|p| PublishedPort {
                    published: p.published,
                    target: p.target,
                    protocol: "tcp".into(),
                    mode: p.mode,
                })
                .collect();
            s.start_update(service, next, true);
            Ok(())
        })
    }

    async fn remove_service(&self, name: &str) -> Result<(), ApiError> {
        self.tick(|s| {
            s.service(name).ok_or_else(|| not_found(name))?;
            s.services
                .retain(|m| m.service.name != name && m.service.id != name);
            Ok(())
        })
    }

    async fn label_service(
        &self,
        service: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        self.tick(|s| {
            let m = s.service_mut(service).ok_or_else(|| not_found(service))?;
            if m.service.version != version {
                return Err(out_of_sequence(format!("POST /services/{service}/update")));
            }
            // Labels only: no update of the tasks.
            m.service.labels.insert(key.to_string(), value.to_string());
            m.service.version += 1;
            Ok(())
        })
    }

    async fn create_network(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        self.tick(|s| {
            if s.networks.iter().any(|(n, _)| n == name) {
                return Err(ApiError::NameConflict {
                    call: "POST /networks/create".into(),
                    status: 409,
                    message: format!("network with name {name} already exists"),
                });
            }
            s.networks.push((name.to_string(), labels.clone()));
            Ok(())
        })
    }

    async fn served_hosts(
        &self,
        proxy: &str,
        config_path: &str,
    ) -> Result<Option<MountedRoutes>, ApiError> {
        self.tick(|s| {
            s.service(proxy).ok_or_else(|| not_found(proxy))?;
            let Some(mounted) = s.mounted(proxy, config_path) else {
                return Ok(None);
            };
            let hosts = s.served.get(proxy).map(|m| m.hosts.clone());
            Ok(Some(MountedRoutes {
                config_id: mounted.config_id.clone(),
                hosts: hosts.unwrap_or_default(),
            }))
        })
    }

    async fn logs(&self, _source: &LogSource, _tail: usize) -> Vec<String> {
        vec!["interlock-standin: error: the model's core cannot run this config".into()]
    }
}
