//! The simulated Interlock core: it reads the TOML mounted at `/config.toml` with the project's
//! own reader and creates, once, the extension, proxy and config services each
//! `[Extensions.<name>]` asks for. It never changes an existing service (the real core does
//! not move existing proxies either); a proxy whose port another service holds is not created
//! until the port is free.

use crate::cluster::{ConfigRef, MountedRoutes, PublishedPort, Service, UpdateState};
use crate::extension::services::proxy_name;
use crate::extension::{ProxySpec, config_path, services};
use crate::interlock::{CONFIG_TARGET, CORE_SERVICE};
use crate::interlock::{Extension, InterlockConfig, ServiceRole, TYPE_LABEL};
use crate::route::proxy_config::ServedHost;
use crate::route::{Application, extension_for};

use super::state::State;

/// Whether the core can run `toml`: it parses, every extension has `ProxyReplicas`, and no
/// image is tagged `:broken` (the test bed's stand-in for an image the core cannot use).
pub fn runnable(toml: &str) -> bool {
    InterlockConfig::parse(toml).is_ok_and(|(_, cfg)| {
        cfg.extensions.iter().all(|e| {
            e.proxy_replicas.is_some()
                && !e.image.as_deref().is_some_and(|i| i.ends_with(":broken"))
        })
    })
}

/// One round of the core: creates what is missing, if the core runs a config it can run.
pub fn round(state: &mut State) {
    let Some(core) = state.service(CORE_SERVICE) else {
        return;
    };
    if core.update_state_is(&UpdateState::Updating) || !core.healthy {
        return;
    }
    let Some(mounted) = state.mounted(CORE_SERVICE, CONFIG_TARGET).cloned() else {
        return;
    };
    let Some((_, toml)) = state.config(&mounted.config_id).cloned() else {
        return;
    };
    let Ok((_, cfg)) = InterlockConfig::parse(&toml) else {
        return;
    };
    for e in &cfg.extensions {
        for implied in services(e) {
            if state.service(&implied.name).is_none() {
                let service = spec(e, implied.role, &implied.name, state.next_id("svc-"));
                if !ports_taken(state, &service.ports) {
                    state.add_service(service);
                }
            }
        }
    }
    route(state, &cfg);
}

/// Configures each proxy of the config with the hosts of the applications its extension routes
/// (the model's rule), as a config mounted at its `ProxyConfigPath`, a new one whenever the
/// hosts change; a proxy no extension names keeps what it served (an orphan).
fn route(state: &mut State, cfg: &InterlockConfig) {
    let apps: Vec<Application> = state
        .services
        .iter()
        .filter_map(|m| Application::read(&m.service.name, &m.service.labels, Vec::new()))
        .collect();
    for e in &cfg.extensions {
        let hosts = apps
            .iter()
            .filter(|a| extension_for(a.cluster(), cfg).is_some_and(|x| x.name == e.name))
            .flat_map(|a| a.hosts.iter())
            .map(|h| ServedHost {
                host: h.clone(),
                upstreams: Vec::new(),
            })
            .collect();
        mount_routes(state, proxy_name(e), config_path(e), hosts);
    }
}

fn mount_routes(state: &mut State, proxy: &str, path: &str, hosts: Vec<ServedHost>) {
    if state.served.get(proxy).map(|m| &m.hosts) != Some(&hosts) {
        state.routes_version += 1;
        let config_id = format!("routes-{proxy}-{}", state.routes_version);
        state
            .served
            .insert(proxy.to_string(), MountedRoutes { config_id, hosts });
    }
    let id = state.served[proxy].config_id.clone();
    if let Some(m) = state.service_mut(proxy) {
        m.service.configs.retain(|c| c.target != path);
        m.service.configs.push(ConfigRef {
            config_id: id.clone(),
            config_name: id,
            target: path.to_string(),
        });
    }
}

fn ports_taken(state: &State, ports: &[PublishedPort]) -> bool {
    let held = |p: &PublishedPort| {
        state
            .services
            .iter()
            .any(|s| s.service.ports.iter().any(|q| q.published == p.published))
    };
    ports.iter().any(held)
}

/// The service the core creates for `role` of extension `e`: a proxy as the model describes
/// it, the other roles with the extension's constraints and one replica.
fn spec(e: &Extension, role: ServiceRole, name: &str, id: String) -> Service {
    let proxy = ProxySpec::of(e);
    let (replicas, constraints, ports) = match role {
        ServiceRole::Proxy => (
            proxy.replicas.unwrap_or(1),
            proxy.constraints.as_slice().to_vec(),
            proxy
                .ports
                .iter()
                .map(|p| PublishedPort {
                    published: p.published,
                    target: p.target,
                    protocol: "tcp".into(),
                    mode: p.mode,
                })
                .collect(),
        ),
        ServiceRole::Extension | ServiceRole::Config => (1, e.constraints.clone(), Vec::new()),
    };
    Service {
        id,
        name: name.to_string(),
        version: 1,
        labels: [(TYPE_LABEL.to_string(), role.type_label().to_string())].into(),
        replicas: Some(replicas),
        constraints,
        ports,
        configs: Vec::new(),
        image: e.image.clone().unwrap_or_default(),
        update: None,
        networks: Vec::new(),
    }
}
