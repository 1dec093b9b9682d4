//! Applications on the multi-node bed, as the walk-through's Step 9 deploys them: overlay
//! networks with labels (`docker network create ingress_dev --label
//! com.docker.ucp.access.label=/dev --driver overlay`), application services (the stand-in in
//! `app` mode) with `com.docker.lb.*` labels, and what the tests read back of them. Networks and
//! services are removed when their guards drop while the bed is up; once the bed is down, its
//! teardown has removed them with the engines, and the guards do nothing.

use std::sync::Weak;
use std::time::{Duration, Instant};

use super::engine::docker_on;
use super::multinode::MultiNode;
use super::{TEST_LABEL_KV, lines};

/// An overlay network of the bed, removed on drop.
pub struct BedNetwork {
    pub name: String,
    on: Engine,
}

/// An application service of the bed, removed on drop.
pub struct AppService {
    pub name: String,
    on: Engine,
}

/// The bed's manager, as long as the bed is up.
struct Engine {
    docker_host: String,
    bed: Weak<()>,
}

impl Engine {
    fn of(bed: &MultiNode) -> Engine {
        Engine {
            docker_host: bed.manager().docker_host(),
            bed: std::sync::Arc::downgrade(&bed.alive),
        }
    }

    /// `docker ARGS…` on the manager, unless the bed is gone (`None`).
    fn docker(&self, args: &[&str]) -> Option<std::process::Output> {
        self.bed.upgrade()?;
        docker_on(&self.docker_host, args).ok()
    }
}

/// An application service to deploy: the stand-in's `app` mode listening on `port`.
#[derive(Debug, Clone, Default)]
pub struct App {
    pub name: String,
    pub port: u16,
    /// Service labels (`com.docker.lb.hosts`, …).
    pub labels: Vec<(String, String)>,
    /// Networks, by name.
    pub networks: Vec<String>,
    pub replicas: u32,
    /// Placement constraints (`node.labels.…==…`).
    pub constraints: Vec<String>,
}

impl App {
    /// An application `name` listening on `port`, 1 replica, no labels, no networks.
    pub fn new(name: &str, port: u16) -> App {
        App {
            name: name.into(),
            port,
            replicas: 1,
            ..App::default()
        }
    }

    /// With the service label `key=value`.
    pub fn label(mut self, key: &str, value: &str) -> App {
        self.labels.push((key.into(), value.into()));
        self
    }
}

impl MultiNode {
    /// `docker network create NAME --driver overlay --label K=V…` on the manager.
    pub fn create_network(&self, name: &str, labels: &[(&str, &str)]) -> BedNetwork {
        let mut args = vec!["network", "create", "--driver", "overlay"];
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for l in &labels {
            args.extend(["--label", l.as_str()]);
        }
        args.extend(["--label", TEST_LABEL_KV, name]);
        self.docker_ok(&args);
        BedNetwork {
            name: name.into(),
            on: Engine::of(self),
        }
    }

    /// Creates `app` (not waited for: see [`MultiNode::wait_running_on`] or
    /// [`MultiNode::task_ids`]). Its tasks get the service's and the node's names in their
    /// environment, so that its answers name them.
    pub fn deploy_app(&self, app: &App) -> AppService {
        let replicas = app.replicas.to_string();
        let port = app.port.to_string();
        let mut args: Vec<String> = [
            "service",
            "create",
            "--detach",
            "--no-resolve-image",
            "--name",
            app.name.as_str(),
            "--replicas",
            replicas.as_str(),
            "--label",
            TEST_LABEL_KV,
            "--env",
            "STANDIN_SERVICE_NAME={{.Service.Name}}",
            "--env",
            "STANDIN_NODE={{.Node.Hostname}}",
            "--stop-grace-period",
            "2s",
        ]
        .map(String::from)
        .to_vec();
        for (k, v) in &app.labels {
            args.extend(["--label".into(), format!("{k}={v}")]);
        }
        for n in &app.networks {
            args.extend(["--network".into(), n.clone()]);
        }
        for c in &app.constraints {
            args.extend(["--constraint".into(), c.clone()]);
        }
        args.extend([self.image.clone(), "app".into(), port]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.docker_ok(&args);
        AppService {
            name: app.name.clone(),
            on: Engine::of(self),
        }
    }

    /// The IDs of `service`'s tasks that are running and meant to run, sorted.
    pub fn task_ids(&self, service: &str) -> Vec<String> {
        let out = self.docker_ok(&[
            "service",
            "ps",
            "--no-trunc",
            "--filter",
            "desired-state=running",
            "--format",
            "{{.ID}} {{.CurrentState}}",
            service,
        ]);
        let mut ids: Vec<String> = lines(&out)
            .iter()
            .filter_map(|l| l.split_once(' '))
            .filter(|(_, state)| state.starts_with("Running"))
            .map(|(id, _)| id.to_string())
            .collect();
        ids.sort();
        ids
    }

    /// `docker service update --label-add KEY=VALUE service` (the relabel of the walk-through's
    /// runbooks), not waited for.
    pub fn relabel(&self, service: &str, key: &str, value: &str) {
        let label = format!("{key}={value}");
        self.docker_ok(&[
            "service",
            "update",
            "--detach",
            "--label-add",
            &label,
            service,
        ]);
    }
}

impl Drop for AppService {
    fn drop(&mut self) {
        self.on.docker(&["service", "rm", &self.name]);
    }
}

impl Drop for BedNetwork {
    /// Removes the network, retrying for a few seconds while the tasks of removed services
    /// still hold endpoints on it. A network a proxy still joins stays: the bed's teardown
    /// removes it with the engines.
    fn drop(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while let Some(out) = self.on.docker(&["network", "rm", &self.name]) {
            let err = String::from_utf8_lossy(&out.stderr);
            if out.status.success() || err.contains("No such network") {
                return;
            }
            if Instant::now() >= deadline {
                eprintln!(
                    "multi-node bed: network {} is still in use ({}); the bed's teardown removes it",
                    self.name,
                    err.trim()
                );
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}
