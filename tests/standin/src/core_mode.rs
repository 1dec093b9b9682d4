//! The `core` mode: the stand-in for `ucp-interlock`. It reads the config like the Interlock
//! core, creates each extension's extension, proxy and config services once (never changing
//! their specs afterwards, as the real core does not move existing proxies), and, like
//! Interlock, writes each proxy's config from the applications labelled for its service
//! cluster (`reconcile`).

use std::time::Duration;

use interlock_model::extension::DEFAULT_TARGET_PORT;
use interlock_model::extension::DEFAULT_TARGET_SSL_PORT;
use interlock_model::interlock::{InterlockConfig, ServiceRole, TYPE_LABEL};
use serde_json::{Map, Value, json};

use crate::docker::{Docker, filters};
use crate::extensions::{Extension, parse_config};
use crate::journal::Journal;
use crate::reconcile::Desired;
use crate::routes::{SwarmView, text};
use crate::{fail, log};

/// Label that tells the image an Interlock config asked for (the stand-in runs its own image).
const IMAGE_LABEL: &str = "com.docker.interlock-split.standin.image";
/// Label naming the `[Extensions.<name>]` table a service (or proxy config) was created for.
pub const EXTENSION_LABEL: &str = "com.docker.interlock-split.standin.extension";
/// Interlock's service-cluster label.
const CLUSTER_LABEL: &str = "com.docker.interlock.service.cluster";
/// The proxy's environment variable naming where its config is mounted.
pub const PROXY_CONFIG_ENV: &str = "STANDIN_PROXY_CONFIG";

/// The environment of the core mode, and the config it runs.
pub struct Core {
    pub docker: Docker,
    image: String,
    pub test_label: Option<(String, String)>,
    pub cfg: InterlockConfig,
}

/// `STANDIN_TEST_LABEL` as `(key, value)`.
fn test_label() -> Option<(String, String)> {
    match std::env::var("STANDIN_TEST_LABEL") {
        Ok(l) if !l.is_empty() => match l.split_once('=') {
            Some((k, v)) => Some((k.to_string(), v.to_string())),
            None => fail(&format!("STANDIN_TEST_LABEL {l:?} is not key=value")),
        },
        _ => None,
    }
}

/// The `core` mode: reads and checks the config, then runs a round every poll, forever.
pub fn run() -> ! {
    let path = std::env::var("STANDIN_CONFIG").unwrap_or_else(|_| "/config.toml".into());
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| fail(&format!("cannot read config {path}: {e}")));
    let (cfg, extensions) =
        parse_config(&text).unwrap_or_else(|e| fail(&format!("invalid config {path}: {e}")));
    let image = std::env::var("STANDIN_IMAGE")
        .ok()
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| fail("STANDIN_IMAGE is not set"));
    let poll = std::env::var("STANDIN_POLL_MS")
        .ok()
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1000);
    let sock =
        std::env::var("STANDIN_DOCKER_SOCK").unwrap_or_else(|_| "/var/run/docker.sock".into());
    let names: Vec<&str> = extensions.iter().map(|e| e.name.as_str()).collect();
    log!(
        "core: loaded {path}: {} extension(s): {}",
        extensions.len(),
        names.join(", ")
    );
    let core = Core {
        docker: Docker { sock },
        image,
        test_label: test_label(),
        cfg,
    };
    let mut journal = Journal::default();
    loop {
        if let Err(e) = core.round(&extensions, &mut journal) {
            journal.error("round", &format!("error: {e}; retrying"));
        }
        std::thread::sleep(Duration::from_millis(poll));
    }
}

impl Core {
    /// What one round reads: services, networks, running tasks, configs (a list each).
    fn read(&self) -> Result<SwarmView, String> {
        let running = filters(&json!({ "desired-state": ["running"] }));
        Ok(SwarmView {
            services: self.docker.list("/services")?,
            networks: self.docker.list("/networks")?,
            tasks: self.docker.list(&format!("/tasks{running}"))?,
            configs: self.docker.list("/configs")?,
        })
    }

    /// One pass: per extension, what its proxy should serve; create every missing service
    /// (a proxy with its config from the start), bring existing proxies' configs in line; then
    /// remove the proxy configs nothing mounts.
    fn round(&self, extensions: &[Extension], journal: &mut Journal) -> Result<(), String> {
        let swarm = self.read()?;
        let mut keep = Vec::new();
        for ext in extensions {
            let desired = self.desired(ext, &swarm, journal);
            keep.push(desired.config_name());
            for (kind, name) in wanted(ext) {
                match find(&swarm.services, ext, kind, name.as_deref()) {
                    Some(svc) if kind == ServiceRole::Proxy => {
                        self.reconcile_proxy(ext, svc, &desired, &swarm, journal)
                    }
                    Some(svc) => {
                        let shown = name.as_deref().or(text(svc, "/ID")).unwrap_or_default();
                        journal.once(
                            &format!("{}/{shown}", kind.as_str()),
                            &format!(
                                "core: {} service {shown} of extension {} exists: leaving it as it is",
                                kind.as_str(),
                                ext.name
                            ),
                        );
                    }
                    None => self.create(ext, kind, name.as_deref(), &desired, &swarm, journal),
                }
            }
        }
        self.prune_configs(&swarm, &keep, journal);
        journal.ok("round");
        Ok(())
    }

    /// Creates the `kind` service of `ext` (a proxy with its config mounted and its networks).
    fn create(
        &self,
        ext: &Extension,
        kind: ServiceRole,
        name: Option<&str>,
        desired: &Desired,
        swarm: &SwarmView,
        journal: &mut Journal,
    ) {
        let shown = name.unwrap_or("(unnamed)");
        let key = format!("create {}/{}/{shown}", ext.name, kind.as_str());
        let what = format!(
            "creating {} service {shown} for extension {}",
            kind.as_str(),
            ext.name
        );
        let mut spec = self.spec(ext, kind, name);
        if kind == ServiceRole::Proxy {
            match self.ensure_config(ext, desired, swarm) {
                Ok(id) => desired.mount(&mut spec, ext, &id),
                Err(e) => return journal.error(&key, &format!("error: {what}: {e}; retrying")),
            }
        }
        match self.docker.request("POST", "/services/create", Some(&spec)) {
            Ok(r) if r.status == 201 || r.status == 200 => {
                let id = r
                    .json()
                    .get("ID")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                journal.ok(&key);
                log!(
                    "core: created {} service {shown} ({id}) for extension {}",
                    kind.as_str(),
                    ext.name
                );
            }
            Ok(r) => journal.error(
                &key,
                &format!(
                    "error: {what}: HTTP {}: {}; retrying",
                    r.status,
                    r.message()
                ),
            ),
            Err(e) => journal.error(&key, &format!("error: {what}: {e}; retrying")),
        }
    }

    /// The labels every object the core creates carries: the extension's name, the test label.
    pub fn own_labels(&self, ext: &Extension) -> Map<String, Value> {
        let mut labels = Map::new();
        labels.insert(EXTENSION_LABEL.into(), json!(ext.name));
        if let Some((k, v)) = &self.test_label {
            labels.insert(k.clone(), json!(v));
        }
        labels
    }

    /// The service spec the core creates for `kind` of `ext`.
    fn spec(&self, ext: &Extension, kind: ServiceRole, name: Option<&str>) -> Value {
        let (mut labels, container_labels, constraints, image, args, replicas) = match kind {
            ServiceRole::Extension => (
                ext.labels.clone(),
                ext.container_labels.clone(),
                ext.constraints.clone(),
                ext.image.clone(),
                vec!["sleep".to_string()],
                1,
            ),
            ServiceRole::Proxy => (
                ext.proxy_labels.clone(),
                ext.proxy_container_labels.clone(),
                ext.proxy.constraints.as_slice().to_vec(),
                ext.proxy_image.clone(),
                proxy_args(ext),
                ext.proxy.replicas.unwrap_or(1),
            ),
            ServiceRole::Config => (
                ext.labels.clone(),
                ext.container_labels.clone(),
                ext.constraints.clone(),
                ext.config_image
                    .clone()
                    .unwrap_or_else(|| ext.image.clone()),
                vec!["sleep".to_string()],
                1,
            ),
        };
        labels.insert(TYPE_LABEL.into(), kind.type_label().into());
        labels.insert(EXTENSION_LABEL.into(), ext.name.clone());
        labels.insert(IMAGE_LABEL.into(), image);
        if let Some(cluster) = &ext.service_cluster {
            labels.insert(CLUSTER_LABEL.into(), cluster.clone());
        }
        if let Some((k, v)) = &self.test_label {
            labels.insert(k.clone(), v.clone());
        }
        let mut spec = Map::new();
        if let Some(name) = name {
            spec.insert("Name".into(), json!(name));
        }
        spec.insert("Labels".into(), json!(labels));
        spec.insert(
            "TaskTemplate".into(),
            json!({
                "ContainerSpec": {
                    "Image": self.image,
                    "Args": args,
                    "Labels": container_labels,
                    "Env": [
                        format!("STANDIN_SERVICE_NAME={}", name.unwrap_or("")),
                        format!("STANDIN_SERVICE_CLUSTER={}", ext.service_cluster.as_deref().unwrap_or("")),
                        // Swarm fills in the node's hostname, so that a proxy's reply names it.
                        "STANDIN_NODE={{.Node.Hostname}}".to_string(),
                        format!("{PROXY_CONFIG_ENV}={}", ext.proxy_config_path),
                    ],
                    "StopGracePeriod": 2_000_000_000u64,
                },
                "Placement": { "Constraints": constraints },
                "RestartPolicy": { "Condition": "any", "Delay": 1_000_000_000u64 },
            }),
        );
        spec.insert(
            "Mode".into(),
            json!({ "Replicated": { "Replicas": replicas } }),
        );
        if kind == ServiceRole::Proxy {
            spec.insert("EndpointSpec".into(), endpoint(ext));
        }
        Value::Object(spec)
    }
}

/// The proxy's endpoint: its ports, published as the config says.
fn endpoint(ext: &Extension) -> Value {
    let ports: Vec<Value> = ext
        .proxy
        .ports
        .iter()
        .map(|p| {
            json!({
                "Protocol": "tcp",
                "TargetPort": p.target,
                "PublishedPort": p.published,
                "PublishMode": p.mode.as_str(),
            })
        })
        .collect();
    json!({ "Mode": "vip", "Ports": ports })
}

/// The services the core creates for `ext`: those the model says it implies, and an extension
/// service even without a `ServiceName` (Docker then names it at random).
fn wanted(ext: &Extension) -> Vec<(ServiceRole, Option<String>)> {
    let named = |role| {
        ext.services
            .iter()
            .find(|s| s.role == role)
            .map(|s| s.name.clone())
    };
    let mut out = vec![
        (ServiceRole::Extension, named(ServiceRole::Extension)),
        (ServiceRole::Proxy, named(ServiceRole::Proxy)),
    ];
    if let Some(name) = named(ServiceRole::Config) {
        out.push((ServiceRole::Config, Some(name)));
    }
    out
}

/// The ports the proxy of `ext` listens on: its ports' targets (Interlock's 80 and 443 when the
/// config publishes none).
pub fn wanted_ports(ext: &Extension) -> Vec<u16> {
    let targets: Vec<u16> = ext.proxy.ports.iter().map(|p| p.target).collect();
    if targets.is_empty() {
        vec![DEFAULT_TARGET_PORT, DEFAULT_TARGET_SSL_PORT]
    } else {
        targets
    }
}

/// `proxy PORT…`.
fn proxy_args(ext: &Extension) -> Vec<String> {
    std::iter::once("proxy".to_string())
        .chain(wanted_ports(ext).iter().map(u16::to_string))
        .collect()
}

/// The existing service for `kind` of `ext`: by name, or (for an extension without a
/// `ServiceName`, which Docker names at random) by the stand-in's labels.
fn find<'a>(
    services: &'a [Value],
    ext: &Extension,
    kind: ServiceRole,
    name: Option<&str>,
) -> Option<&'a Value> {
    let label = |s: &Value, key: &str| {
        s.pointer("/Spec/Labels")
            .and_then(|l| l.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    services.iter().find(|s| match name {
        Some(name) => text(s, "/Spec/Name") == Some(name),
        None => {
            label(s, EXTENSION_LABEL).as_deref() == Some(ext.name.as_str())
                && label(s, TYPE_LABEL).as_deref() == Some(kind.type_label())
        }
    })
}
