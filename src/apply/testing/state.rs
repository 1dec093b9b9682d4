//! The model's state: what swarm holds, and how an update moves on. Time is a counter: every
//! call to the model is one tick, in which a running update takes its next step and the core
//! creates what its config asks for.

use std::collections::BTreeMap;

use crate::cluster::MountedRoutes;
use crate::cluster::{ConfigInfo, ConfigRef, Node, Service, UpdateState, UpdateStatus};
use crate::interlock::{CONFIG_TARGET, CORE_SERVICE};

/// A service with the state swarm keeps beside its spec.
#[derive(Debug, Clone)]
pub struct ModelService {
    pub service: Service,
    pub update: Option<UpdateStatus>,
    /// The spec before the update underway, restored by a rollback.
    pub previous: Option<Service>,
    /// Whether the tasks of the update underway can run (the core refuses a config it cannot
    /// run: swarm then rolls back or pauses).
    pub healthy: bool,
}

#[derive(Debug, Clone, Default)]
pub struct State {
    pub nodes: Vec<(Node, u64)>,
    pub services: Vec<ModelService>,
    pub configs: Vec<(ConfigInfo, String)>,
    /// The version of each config's spec by ID (0 until a label write): a label write at
    /// another is refused, as swarm refuses it.
    pub config_versions: BTreeMap<String, u64>,
    /// Swarm's update failure action for the core: pause instead of rolling back.
    pub pause_on_failure: bool,
    pub clock: u64,
    /// Another operator, waiting for an update of the core to start: then it uploads this
    /// config and points the core at it (superseding that update).
    pub interloper: Option<(ConfigInfo, String)>,
    /// Overlay networks: name and labels.
    pub networks: Vec<(String, BTreeMap<String, String>)>,
    /// What each proxy serves, as the simulated Interlock last configured it.
    pub served: BTreeMap<String, MountedRoutes>,
    /// Numbers the proxies' route configs.
    pub routes_version: u64,
}

impl State {
    pub fn next_id(&mut self, prefix: &str) -> String {
        self.clock += 1;
        format!("{prefix}{}", self.clock)
    }

    pub fn service(&self, name: &str) -> Option<&ModelService> {
        self.services
            .iter()
            .find(|s| s.service.name == name || s.service.id == name)
    }

    pub fn service_mut(&mut self, name: &str) -> Option<&mut ModelService> {
        self.services
            .iter_mut()
            .find(|s| s.service.name == name || s.service.id == name)
    }

    pub fn config(&self, name: &str) -> Option<&(ConfigInfo, String)> {
        self.configs
            .iter()
            .find(|(c, _)| c.name == name || c.id == name)
    }

    /// The config a service mounts at `target`.
    pub fn mounted(&self, service: &str, target: &str) -> Option<&ConfigRef> {
        let s = self.service(service)?;
        s.service.configs.iter().find(|c| c.target == target)
    }

    pub fn add_service(&mut self, service: Service) {
        self.services.push(ModelService {
            service,
            update: None,
            previous: None,
            healthy: true,
        });
    }

    /// Starts an update of `name` to `service` (the version moves on).
    pub fn start_update(&mut self, name: &str, mut service: Service, healthy: bool) {
        let at = format!("t{}", self.next_id(""));
        let Some(s) = self.service_mut(name) else {
            return;
        };
        service.version = s.service.version + 1;
        s.previous = Some(std::mem::replace(&mut s.service, service));
        s.healthy = healthy;
        s.update = Some(status(UpdateState::Updating, Some(at), None));
    }

    /// One tick of every update underway: updating -> completed, or (tasks that cannot run)
    /// rollback_started -> rollback_completed, or paused when the failure action says so.
    pub fn advance(&mut self) {
        self.interlope();
        let pause = self.pause_on_failure;
        for s in &mut self.services {
            let Some(u) = s.update.as_mut() else { continue };
            let next = match (&u.state, s.healthy, pause) {
                (Some(UpdateState::Updating), true, _) => UpdateState::Completed,
                (Some(UpdateState::Updating), false, true) => UpdateState::Paused,
                (Some(UpdateState::Updating), false, false) => UpdateState::RollbackStarted,
                (Some(UpdateState::RollbackStarted), _, _) => UpdateState::RollbackCompleted,
                _ => continue,
            };
            u.message = match next {
                UpdateState::Paused | UpdateState::RollbackStarted => {
                    Some("update paused due to failure or early termination of task t1".to_string())
                }
                _ => None,
            };
            if next == UpdateState::RollbackCompleted
                && let Some(prev) = s.previous.take()
            {
                let version = s.service.version + 1;
                s.service = Service { version, ..prev };
                s.healthy = true;
            }
            if matches!(
                next,
                UpdateState::Completed | UpdateState::RollbackCompleted
            ) {
                u.completed_at = u.started_at.clone();
            }
            u.state = Some(next);
        }
    }

    /// The other operator's move, once an update of the core is underway.
    fn interlope(&mut self) {
        let updating = self
            .service(CORE_SERVICE)
            .is_some_and(|s| s.update_state_is(&UpdateState::Updating));
        if !updating {
            return;
        }
        let Some((info, toml)) = self.interloper.take() else {
            return;
        };
        let mut core = self
            .service(CORE_SERVICE)
            .expect("the core")
            .service
            .clone();
        core.configs.retain(|c| c.target != CONFIG_TARGET);
        core.configs.push(ConfigRef {
            config_id: info.id.clone(),
            config_name: info.name.clone(),
            target: CONFIG_TARGET.into(),
        });
        self.configs.push((info, toml));
        self.start_update(CORE_SERVICE, core, true);
    }

    /// Services that mount config `id`.
    pub fn users_of(&self, id: &str) -> Vec<String> {
        self.services
            .iter()
            .filter(|s| s.service.configs.iter().any(|c| c.config_id == id))
            .map(|s| s.service.name.clone())
            .collect()
    }

    pub fn labels_of(&self, node: &str) -> BTreeMap<String, String> {
        self.nodes
            .iter()
            .find(|(n, _)| n.id == node || n.hostname == node)
            .map(|(n, _)| n.labels.clone())
            .unwrap_or_default()
    }
}

pub fn status(
    state: UpdateState,
    started: Option<String>,
    message: Option<String>,
) -> UpdateStatus {
    UpdateStatus {
        state: Some(state),
        started_at: started,
        completed_at: None,
        message,
    }
}

impl ModelService {
    /// The service as swarm shows it: its spec with the status of its last update.
    pub fn observed(&self) -> Service {
        Service {
            update: self.update.clone(),
            ..self.service.clone()
        }
    }

    pub fn update_state_is(&self, state: &UpdateState) -> bool {
        self.update.as_ref().and_then(|u| u.state.as_ref()) == Some(state)
    }
}
