//! `status`: each service cluster as the cluster runs it, against what the config in use says.
//! Replaces reading `docker service ls` by eye (seed Step 8).

use serde::Serialize;

use crate::cluster::{ConfigInfo, Service, Snapshot};
use crate::interlock::config::ServiceRole;
use crate::interlock::names::config_version;
use crate::interlock::{Extension, InterlockConfig, PublishMode};

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
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterState {
    pub name: String,
    pub service_cluster: Option<String>,
    pub publish_mode: Option<PublishMode>,
    pub http_port: Option<i64>,
    pub https_port: Option<i64>,
    pub services: Vec<ServiceState>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigVersion {
    pub name: String,
    pub created_at: Option<String>,
    pub in_use: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoreState {
    pub service: String,
    pub image: String,
    pub config: String,
    pub update_state: Option<String>,
    pub update_message: Option<String>,
    pub running: u64,
    pub desired: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub core: CoreState,
    pub clusters: Vec<ClusterState>,
    /// Interlock services the config in use does not name.
    pub stale: Vec<ServiceState>,
    pub configs: Vec<ConfigVersion>,
    pub problems: usize,
}

fn running(snap: &Snapshot, svc: &Service) -> (u64, Vec<String>) {
    let mut nodes = Vec::new();
    let mut n = 0;
    for t in snap
        .tasks
        .iter()
        .filter(|t| t.service_id == svc.id && t.state == "running")
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

fn service_state(
    snap: &Snapshot,
    role: ServiceRole,
    name: &str,
    e: Option<&Extension>,
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
            problems: vec![
                "missing: Interlock has not created it (is ucp-interlock running this config?)"
                    .into(),
            ],
        };
    };
    let (n, nodes) = running(snap, svc);
    let mut problems = Vec::new();
    if let Some(d) = svc.replicas
        && n < d
    {
        problems.push(format!("{n} of {d} tasks running"));
    }
    if let (ServiceRole::Proxy, Some(e)) = (role, e) {
        let want: Vec<u16> = e
            .published_ports()
            .into_iter()
            .filter_map(|(_, p)| u16::try_from(p).ok())
            .collect();
        let have: Vec<u16> = svc.ports.iter().map(|p| p.published).collect();
        for p in &want {
            if !have.contains(p) {
                problems.push(format!("does not publish {p}, which the config says"));
            }
        }
        let mode = e.publish_mode().unwrap_or(PublishMode::Ingress);
        if svc.ports.iter().any(|p| p.mode != mode) {
            problems.push(format!(
                "ports not in {} mode, as the config says",
                mode.as_str()
            ));
        }
        let norm = |v: &[String]| {
            let mut v: Vec<String> = v
                .iter()
                .map(|c| c.replace(' ', "").to_ascii_lowercase())
                .collect();
            v.sort();
            v
        };
        if norm(&svc.constraints) != norm(&e.proxy_constraints) {
            problems.push(
                "constraints differ from the config (Interlock does not update existing proxies)"
                    .into(),
            );
        }
        if let (Some(d), Some(w)) = (svc.replicas, e.proxy_replicas)
            && d as i64 != w
        {
            problems.push(format!("{d} replicas, the config says {w}"));
        }
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
        problems,
    }
}

pub fn report(
    cfg: &InterlockConfig,
    snap: &Snapshot,
    core: &Service,
    config: &ConfigInfo,
) -> Report {
    let mut named = Vec::new();
    let clusters: Vec<ClusterState> = cfg
        .extensions
        .iter()
        .map(|e| {
            let mut names: Vec<(ServiceRole, String)> = e
                .service_names()
                .into_iter()
                .map(|(r, n)| (r, n.to_string()))
                .collect();
            if e.proxy_service_name.is_none() {
                names.push((
                    ServiceRole::Proxy,
                    crate::check::DEFAULT_PROXY_SERVICE_NAME.into(),
                ));
            }
            named.extend(names.iter().map(|(_, n)| n.clone()));
            ClusterState {
                name: e.name.clone(),
                service_cluster: e.service_cluster.clone(),
                publish_mode: e.publish_mode(),
                http_port: e.published_port,
                https_port: e.published_ssl_port,
                services: names
                    .iter()
                    .map(|(r, n)| service_state(snap, *r, n, Some(e)))
                    .collect(),
            }
        })
        .collect();
    let mut stale: Vec<ServiceState> = snap
        .services
        .iter()
        .filter(|s| {
            !named.contains(&s.name)
                && (s.is_proxy()
                    || s.labels
                        .get("type")
                        .is_some_and(|t| t.starts_with("com.docker.interlock.core"))
                    || s.name.starts_with("ucp-interlock-"))
        })
        .map(|s| {
            let mut st = service_state(
                snap,
                if s.is_proxy() {
                    ServiceRole::Proxy
                } else {
                    ServiceRole::Extension
                },
                &s.name,
                None,
            );
            st.problems
                .push("stale: the config in use does not name it".into());
            st
        })
        .collect();
    stale.sort_by(|a, b| a.name.cmp(&b.name));
    let (core_running, _) = running(snap, core);
    let mut configs: Vec<ConfigVersion> = snap
        .configs
        .iter()
        .map(|c| ConfigVersion {
            name: c.name.clone(),
            created_at: c.created_at.clone(),
            in_use: c.name == config.name,
        })
        .collect();
    configs.sort_by_key(|c| (config_version(&c.name).unwrap_or(0), c.name.clone()));
    let mut problems: usize = clusters
        .iter()
        .flat_map(|c| &c.services)
        .chain(&stale)
        .map(|s| s.problems.len())
        .sum();
    let bad_update = matches!(
        core.update_state.as_deref(),
        Some("paused" | "rollback_started" | "rollback_paused" | "rollback_completed")
    );
    if bad_update {
        problems += 1;
    }
    Report {
        format_version: 1,
        core: CoreState {
            service: core.name.clone(),
            image: core.image.clone(),
            config: config.name.clone(),
            update_state: core.update_state.clone(),
            update_message: core.update_message.clone(),
            running: core_running,
            desired: core.replicas,
        },
        clusters,
        stale,
        configs,
        problems,
    }
}
