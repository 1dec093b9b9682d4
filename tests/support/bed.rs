//! A `ucp-interlock` service run by the stand-in, on the local swarm.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::image::{StandinImage, standin_image};
use super::lock::SwarmLock;
use super::swarm::ensure_swarm;
use super::{TEST_LABEL, TEST_LABEL_KV, docker, docker_ok, docker_ok_stdin, lines, wait_for};

/// Name of the core service, as UCP creates it.
pub const CORE_SERVICE: &str = "ucp-interlock";
/// The Docker config UCP creates for the core.
pub const FIRST_CONFIG: &str = "com.docker.ucp.interlock.conf-1";
/// Name prefix of the core's configs; cleanup removes every config with it.
pub const CORE_CONFIG_PREFIX: &str = "com.docker.ucp.interlock.";
/// Where the core reads its TOML.
pub const CONFIG_TARGET: &str = "/config.toml";
/// A second config attached to the core *before* the TOML, to catch tools that take
/// `(index .Spec.TaskTemplate.ContainerSpec.Configs 0)` for the Interlock config.
pub const UNRELATED_CONFIG: &str = "interlock-split-test.unrelated";
/// Where [`UNRELATED_CONFIG`] is mounted.
pub const UNRELATED_TARGET: &str = "/etc/interlock-split-test/unrelated.txt";
/// UCP's access label on its configs.
pub const UCP_ACCESS_LABEL_KV: &str = "com.docker.ucp.access.label=/";

/// The core service run by the stand-in (`ucp-interlock`), holding the [`SwarmLock`].
/// Dropping it removes every service and config of the test bed and waits until they are gone.
pub struct Core {
    /// The stand-in's image.
    pub image: StandinImage,
    /// The swarm node ID (the only node).
    pub node: String,
    _lock: SwarmLock,
}

impl Core {
    /// Takes the swarm lock, removes leftovers of earlier runs, creates the configs
    /// `interlock-split-test.unrelated` (first) and `com.docker.ucp.interlock.conf-1` (holding
    /// `toml`, at `/config.toml`) and the service `ucp-interlock` running the stand-in's `core`
    /// mode. Does not wait for the stand-in: see [`Core::wait_service`].
    pub fn deploy(toml: &str) -> Core {
        let lock = SwarmLock::acquire();
        let node = ensure_swarm();
        let image = standin_image();
        if let Some(existing) = service_inspect(CORE_SERVICE)
            && existing
                .pointer(&label_pointer(TEST_LABEL))
                .and_then(Value::as_str)
                != Some("1")
        {
            panic!(
                "a {CORE_SERVICE} service that the test bed did not create exists on this engine; \
                 refusing to touch it"
            );
        }
        cleanup().unwrap_or_else(|e| panic!("removing leftovers of an earlier run: {e}"));
        create_config(UNRELATED_CONFIG, b"not the Interlock config\n");
        create_config(FIRST_CONFIG, toml.as_bytes());
        let standin_image_env = format!("STANDIN_IMAGE={}", image.id);
        let test_label_env = format!("STANDIN_TEST_LABEL={TEST_LABEL_KV}");
        let unrelated = format!("source={UNRELATED_CONFIG},target={UNRELATED_TARGET}");
        let conf = format!("source={FIRST_CONFIG},target={CONFIG_TARGET}");
        docker_ok(&[
            "service",
            "create",
            "--detach",
            "--no-resolve-image",
            "--name",
            CORE_SERVICE,
            "--label",
            TEST_LABEL_KV,
            "--label",
            UCP_ACCESS_LABEL_KV,
            "--constraint",
            "node.role==manager",
            "--mount",
            "type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock",
            "--config",
            &unrelated,
            "--config",
            &conf,
            "--env",
            &standin_image_env,
            "--env",
            &test_label_env,
            "--env",
            "STANDIN_POLL_MS=500",
            "--restart-delay",
            "1s",
            "--stop-grace-period",
            "2s",
            "--rollback-monitor",
            "2s",
            "--rollback-delay",
            "0s",
            &image.id,
            "core",
        ]);
        Core {
            image,
            node,
            _lock: lock,
        }
    }

    /// Waits until the service `name` exists and returns its `docker service inspect` JSON;
    /// the panic after `timeout` shows the services and the core's log.
    pub fn wait_service(&self, name: &str, timeout: Duration) -> Value {
        wait_for(
            &format!("service {name} to exist"),
            timeout,
            || service_inspect(name),
            || self.explain(None),
        )
    }

    /// Waits until the service `name` has exactly `n` running tasks; the panic after `timeout`
    /// shows `docker service ps` of it and the core's log.
    pub fn wait_running(&self, name: &str, n: usize, timeout: Duration) {
        wait_for(
            &format!("service {name} to have {n} running task(s)"),
            timeout,
            || (running_tasks(name) == n).then_some(()),
            || self.explain(Some(name)),
        )
    }

    /// Waits until swarm reports the last update of `name` completed (after its monitor
    /// window), so that what a test reads next does not depend on timing.
    pub fn wait_update_completed(&self, name: &str, timeout: Duration) {
        wait_for(
            &format!("the update of {name} to complete"),
            timeout,
            || {
                let state = super::docker_ok(&[
                    "service",
                    "inspect",
                    "--format",
                    "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}",
                    name,
                ]);
                (state == "completed").then_some(())
            },
            || self.explain(Some(name)),
        )
    }

    /// Waits until the service `name` no longer exists.
    pub fn wait_gone(&self, name: &str, timeout: Duration) {
        wait_for(
            &format!("service {name} to be removed"),
            timeout,
            || service_inspect(name).is_none().then_some(()),
            || self.explain(Some(name)),
        )
    }

    /// The core's log so far (`docker service logs --raw ucp-interlock`, every task, stdout
    /// and stderr).
    pub fn logs(&self) -> String {
        service_logs(CORE_SERVICE)
    }

    /// Waits until the core's log contains `needle` and returns the log.
    pub fn wait_log(&self, needle: &str, timeout: Duration) -> String {
        let mut last = String::new();
        wait_for(
            &format!("{needle:?} in the {CORE_SERVICE} log"),
            timeout,
            || {
                last = self.logs();
                last.contains(needle).then(|| last.clone())
            },
            || self.explain(Some(CORE_SERVICE)),
        )
    }

    /// Name of the config attached to the core at `/config.toml`.
    pub fn config_name(&self) -> String {
        let spec = service_inspect(CORE_SERVICE).expect("ucp-interlock exists");
        spec.pointer("/Spec/TaskTemplate/ContainerSpec/Configs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|c| c.pointer("/File/Name").and_then(Value::as_str) == Some(CONFIG_TARGET))
            .and_then(|c| c.get("ConfigName").and_then(Value::as_str))
            .unwrap_or_else(|| panic!("no config at {CONFIG_TARGET} on {CORE_SERVICE}"))
            .to_string()
    }

    /// The TOML the core is running with (the data of [`Core::config_name`]).
    pub fn config_toml(&self) -> String {
        docker_ok(&[
            "config",
            "inspect",
            "--format",
            "{{printf \"%s\" .Spec.Data}}",
            &self.config_name(),
        ])
    }

    /// Text for a timeout panic: the services, `docker service ps` of `service`, the core's log.
    pub fn explain(&self, service: Option<&str>) -> String {
        let mut text = format!("docker service ls:\n{}\n", text_of(&["service", "ls"]));
        if let Some(service) = service {
            text.push_str(&format!(
                "docker service ps {service}:\n{}\n",
                text_of(&["service", "ps", "--no-trunc", service])
            ));
        }
        text.push_str(&format!("{CORE_SERVICE} log:\n{}", self.logs()));
        text
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        if let Err(e) = cleanup() {
            eprintln!("test bed: cleanup incomplete: {e}");
            if !std::thread::panicking() {
                panic!("test bed: cleanup incomplete: {e}");
            }
        }
    }
}

/// JSON pointer to a service's spec label (escaping `/` and `~`).
/// The hostname of the swarm node `node` (an ID): specs name nodes by hostname.
pub fn hostname(node: &str) -> String {
    docker_ok(&[
        "node",
        "inspect",
        "--format",
        "{{.Description.Hostname}}",
        node,
    ])
}

/// The seed's three clusters on a one-node swarm (`host`), each with its own label key: one
/// node cannot carry three values of one key.
pub fn seed_spec(host: &str) -> String {
    let mut s = String::new();
    for (name, http, https) in [
        ("dev", 8082, 8445),
        ("test", 8081, 8444),
        ("prod", 8080, 8443),
    ] {
        s.push_str(&format!(
            "[clusters.{name}]\nhttp_port = {http}\nhttps_port = {https}\nproxy_replicas = 1\nnode_label_key = \"it.interlock-split.{name}\"\nnode_label = \"yes\"\nnodes = [\"{host}\"]\n\n"
        ));
    }
    s
}

fn label_pointer(key: &str) -> String {
    format!("/Spec/Labels/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Stdout and stderr of `docker <args>`, whatever the status.
fn text_of(args: &[&str]) -> String {
    let out = docker(args);
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `docker service inspect NAME` as JSON, or `None` when there is no such service.
pub fn service_inspect(name: &str) -> Option<Value> {
    let out = docker(&["service", "inspect", name]);
    if !out.status.success() {
        return None;
    }
    let list: Value = serde_json::from_slice(&out.stdout).expect("service inspect JSON");
    list.as_array().and_then(|a| a.first()).cloned()
}

/// `.UpdateStatus.State` of the service (`updating`, `completed`, `rollback_completed`, …).
pub fn update_state(name: &str) -> Option<String> {
    service_inspect(name)?
        .pointer("/UpdateStatus/State")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Names of the services carrying `label` (`key` or `key=value`), sorted.
pub fn services_with_label(label: &str) -> Vec<String> {
    let filter = format!("label={label}");
    let mut names = lines(&docker_ok(&[
        "service",
        "ls",
        "--filter",
        &filter,
        "--format",
        "{{.Name}}",
    ]));
    names.sort();
    names
}

/// Number of tasks of service `name` that are running now.
pub fn running_tasks(name: &str) -> usize {
    let out = docker(&[
        "service",
        "ps",
        "--filter",
        "desired-state=running",
        "--format",
        "{{.CurrentState}}",
        name,
    ]);
    lines(&String::from_utf8_lossy(&out.stdout))
        .iter()
        .filter(|s| s.starts_with("Running"))
        .count()
}

/// `docker service logs --raw NAME` (stdout and stderr of every task).
pub fn service_logs(name: &str) -> String {
    text_of(&["service", "logs", "--raw", name])
}

/// Creates the Docker config `name` with `data` and the labels
/// `com.docker.interlock-split.test=1` and `com.docker.ucp.access.label=/` (as UCP does).
pub fn create_config(name: &str, data: &[u8]) {
    docker_ok_stdin(
        &[
            "config",
            "create",
            "--label",
            TEST_LABEL_KV,
            "--label",
            UCP_ACCESS_LABEL_KV,
            name,
            "-",
        ],
        data,
    );
}

/// Removes every service and config of the test bed: the core first (and waits until its task
/// stopped, so that it cannot recreate what follows), then every service labelled
/// `com.docker.interlock-split.test=1`, then every config with that label or a name starting
/// with `com.docker.ucp.interlock.`; waits until they are gone.
pub fn cleanup() -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    if let Some(core) = service_inspect(CORE_SERVICE) {
        let id = core
            .get("ID")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        remove_services(&[id], deadline)?;
    }
    let ids = lines(&docker_ok(&[
        "service",
        "ls",
        "-q",
        "--filter",
        &format!("label={TEST_LABEL_KV}"),
    ]));
    remove_services(&ids, deadline)?;
    remove_all("config", test_configs, deadline)?;
    // A network is removable once the containers of the removed services have left it.
    remove_all("network", || labelled("network"), deadline)?;
    remove_all("secret", || labelled("secret"), deadline)
}

/// Removes the objects of `kind` (`config`, `network`, `secret`) that `names` lists, again
/// until none is left or the deadline passes.
fn remove_all(
    kind: &str,
    names: impl Fn() -> Vec<String>,
    deadline: Instant,
) -> Result<(), String> {
    loop {
        let left = names();
        if left.is_empty() {
            return Ok(());
        }
        let mut args = vec![kind, "rm"];
        args.extend(left.iter().map(String::as_str));
        let out = docker(&args);
        if Instant::now() >= deadline {
            return Err(format!(
                "{kind}s still there: {left:?}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        if !out.status.success() {
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// Names of the objects of `kind` that carry the test label.
fn labelled(kind: &str) -> Vec<String> {
    lines(&docker_ok(&[
        kind,
        "ls",
        "--filter",
        &format!("label={TEST_LABEL_KV}"),
        "--format",
        "{{.Name}}",
    ]))
}

/// Names of the configs [`cleanup`] removes.
pub fn test_configs() -> Vec<String> {
    let mut names: BTreeSet<String> = lines(&docker_ok(&[
        "config",
        "ls",
        "--filter",
        &format!("label={TEST_LABEL_KV}"),
        "--format",
        "{{.Name}}",
    ]))
    .into_iter()
    .collect();
    names.extend(
        lines(&docker_ok(&["config", "ls", "--format", "{{.Name}}"]))
            .into_iter()
            .filter(|n| n.starts_with(CORE_CONFIG_PREFIX)),
    );
    names.into_iter().collect()
}

/// Removes the services `ids` and waits until they and their running containers are gone.
fn remove_services(ids: &[String], deadline: Instant) -> Result<(), String> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut args = vec!["service", "rm"];
    args.extend(ids.iter().map(String::as_str));
    let out = docker(&args);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        // A service that went away meanwhile is fine.
        if !err
            .lines()
            .all(|l| l.trim().is_empty() || l.contains("not found"))
        {
            return Err(format!("docker service rm: {}", err.trim()));
        }
    }
    loop {
        let services: BTreeSet<String> =
            lines(&docker_ok(&["service", "ls", "--format", "{{.ID}}"]))
                .into_iter()
                .collect();
        let containers: BTreeSet<String> = lines(&docker_ok(&[
            "ps",
            "--format",
            "{{.Label \"com.docker.swarm.service.id\"}}",
        ]))
        .into_iter()
        .collect();
        let left: Vec<&String> = ids
            .iter()
            .filter(|id| {
                services
                    .iter()
                    .chain(&containers)
                    // IDs may be truncated on either side.
                    .any(|s| {
                        !s.is_empty() && (s.starts_with(id.as_str()) || id.starts_with(s.as_str()))
                    })
            })
            .collect();
        if left.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "services or their containers still there: {left:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
