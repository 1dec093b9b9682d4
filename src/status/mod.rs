//! `status`: each service cluster as the cluster runs it, against what the config in use says.
//! Replaces reading `docker service ls` by eye (seed Step 8).

mod problems;
pub mod routes;

pub use routes::{AppState, Served};

use serde::Serialize;

use crate::cluster::{ConfigInfo, Service, Snapshot, UpdateState};
use crate::extension::services::services;
use crate::extension::stale::{Existing, stale};
use crate::extension::{ImpliedService, ProxySpec};
use crate::finding::Finding;
use crate::interlock::config::ServiceRole;
use crate::interlock::names::config_version;
use crate::interlock::{Extension, InterlockConfig};

#[derive(Debug, Clone, Serialize)]
pub struct ServiceState {
    pub role: ServiceRole,
    pub name: String,
    pub exists: bool,
    pub desired: Option<u64>,
    pub running: u64,
    pub ports: Vec<String>,
    pub nodes: Vec<String>,
    pub constraints: Vec<String>,
    pub problems: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterState {
    pub name: String,
    pub service_cluster: Option<String>,
    /// The proxy as the config in use describes it.
    pub proxy: ProxySpec,
    pub services: Vec<ServiceState>,
    /// The hosts the applications it routes declare.
    pub hosts: Vec<String>,
    /// The hosts its proxy serves, as the config Interlock mounts for it says (`null`: not
    /// read).
    pub served: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigVersion {
    pub name: String,
    pub created_at: Option<String>,
    pub in_use: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoreStatus {
    pub service: String,
    pub image: String,
    pub config: String,
    pub update_state: Option<UpdateState>,
    pub update_message: Option<String>,
    pub running: u64,
    pub desired: Option<u64>,
    pub problems: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub core: CoreStatus,
    pub clusters: Vec<ClusterState>,
    /// Interlock services the config in use does not name.
    pub stale: Vec<ServiceState>,
    pub configs: Vec<ConfigVersion>,
    /// Every application (a service with `com.docker.lb.hosts`) and the cluster routing it.
    pub applications: Vec<AppState>,
    /// How many problems are flagged, all told.
    pub problems: usize,
}

impl Report {
    /// Every finding, the core's first.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.core.problems.iter().chain(
            self.clusters
                .iter()
                .flat_map(|c| &c.services)
                .chain(&self.stale)
                .flat_map(|s| &s.problems)
                .chain(self.applications.iter().flat_map(|a| &a.problems)),
        )
    }
}

/// Running tasks of a service (by the rule apply's watch uses too), and the nodes they run on.
fn running(snap: &Snapshot, svc: &Service) -> (u64, Vec<String>) {
    let mut nodes = Vec::new();
    let mut n = 0;
    for t in snap
        .tasks
        .iter()
        .filter(|t| t.service_id == svc.id && t.counts_as_running(&snap.nodes))
    {
        n += 1;
        if let Some(node) = t.node_id.as_deref().and_then(|id| snap.node(id))
            && !nodes.contains(&node.hostname)
        {
            nodes.push(node.hostname.clone());
        }
    }
    (n, nodes)
}

fn port_strings(svc: &Service) -> Vec<String> {
    svc.ports
        .iter()
        .map(|p| {
            format!(
                "{}→{}/{} {}",
                p.published,
                p.target,
                p.protocol,
                p.mode.as_str()
            )
        })
        .collect()
}

/// A service as it runs, with its problems; `e` is the extension that implies it (none for a
/// stale service).
fn service_state(
    snap: &Snapshot,
    role: ServiceRole,
    name: &str,
    e: Option<(&Extension, &ImpliedService)>,
) -> ServiceState {
    let Some(svc) = snap.service(name) else {
        return ServiceState {
            role,
            name: name.to_string(),
            exists: false,
            desired: None,
            running: 0,
            ports: Vec::new(),
            nodes: Vec::new(),
            constraints: Vec::new(),
            problems: e
                .map(|(e, s)| problems::missing(e, s))
                .into_iter()
                .collect(),
        };
    };
    let (n, nodes) = running(snap, svc);
    let mut found: Vec<Finding> = problems::tasks(svc, n).into_iter().collect();
    found.extend(problems::update_in_progress(svc));
    if let Some((e, s)) = e
        && s.role == ServiceRole::Proxy
    {
        found.extend(problems::proxy(e, svc));
    }
    ServiceState {
        role,
        name: name.to_string(),
        exists: true,
        desired: svc.replicas,
        running: n,
        ports: port_strings(svc),
        nodes,
        constraints: svc.constraints.clone(),
        problems: found,
    }
}

fn cluster_state(snap: &Snapshot, e: &Extension) -> ClusterState {
    ClusterState {
        name: e.name.clone(),
        service_cluster: e.service_cluster.clone(),
        proxy: ProxySpec::of(e),
        services: services(e)
            .iter()
            .map(|s| service_state(snap, s.role, &s.name, Some((e, s))))
            .collect(),
        hosts: Vec::new(),
        served: None,
    }
}

/// Interlock's services that the config in use does not name: the model's stale rule, the one
/// the plan retires by.
fn stale_states(cfg: &InterlockConfig, snap: &Snapshot) -> Vec<ServiceState> {
    let existing = snap.services.iter().map(|s| Existing {
        name: &s.name,
        labelled: s.interlock_role(),
    });
    let mut stale: Vec<ServiceState> = stale(cfg, cfg, existing)
        .into_iter()
        .map(|s| {
            let mut st = service_state(snap, s.role, &s.name, None);
            st.problems.push(problems::stale(&s.name));
            st
        })
        .collect();
    stale.sort_by(|a, b| a.name.cmp(&b.name));
    stale
}

fn config_versions(snap: &Snapshot, in_use: &ConfigInfo) -> Vec<ConfigVersion> {
    let mut configs: Vec<ConfigVersion> = snap
        .configs
        .iter()
        .map(|c| ConfigVersion {
            name: c.name.clone(),
            created_at: c.created_at.clone(),
            in_use: c.name == in_use.name,
        })
        .collect();
    configs.sort_by_key(|c| (config_version(&c.name).unwrap_or(0), c.name.clone()));
    configs
}

fn core_state(snap: &Snapshot, core: &Service, config: &ConfigInfo) -> CoreStatus {
    let (running, _) = running(snap, core);
    CoreStatus {
        service: core.name.clone(),
        image: core.image.clone(),
        config: config.name.clone(),
        update_state: core.update_state().cloned(),
        update_message: core.update_message().map(str::to_string),
        running,
        desired: core.replicas,
        // A rollback underway is flagged once, as a failed update.
        problems: problems::core_update(core)
            .or_else(|| problems::update_in_progress(core))
            .into_iter()
            .collect(),
    }
}

pub fn report(
    cfg: &InterlockConfig,
    snap: &Snapshot,
    core: &Service,
    config: &ConfigInfo,
) -> Report {
    let mut r = Report {
        core: core_state(snap, core, config),
        clusters: cfg
            .extensions
            .iter()
            .map(|e| cluster_state(snap, e))
            .collect(),
        stale: stale_states(cfg, snap),
        configs: config_versions(snap, config),
        applications: Vec::new(),
        problems: 0,
    };
    r.problems = r.findings().count();
    r
}

#[cfg(test)]
mod tests;
