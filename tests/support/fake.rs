//! An in-process fake of the Docker Engine API (1.41), for fault-injection tests only: the real
//! engine (see [`super::bed`]) is used for everything else.
//!
//! [`FakeDocker::start`] serves plain HTTP/1.1 on `127.0.0.1:<random port>` from a background
//! thread with its own tokio runtime; point the tool at it with `--host` [`FakeDocker::docker_host`].
//! Paths are accepted with or without a `/vX.Y` prefix.
//!
//! * [`FakeState`]: an in-memory swarm (nodes, services, configs, tasks, task logs) kept as the
//!   Engine API's JSON, with the engine's checks and error messages where they matter here:
//!   version sequencing, duplicate names, configs in use, unknown configs, ingress port clashes,
//!   placement constraints swarm refuses, demoting the last manager.
//! * A simulated Interlock core: whenever `ucp-interlock` is created or its update completes, it
//!   reads the TOML mounted at `/config.toml` and creates the extension, proxy and config services
//!   each `[Extensions.<name>]` asks for, if absent (never changing an existing one), retrying
//!   refused creates every [`FakeState::core_poll`]. A config the real core crashes on (TOML syntax
//!   error, an extension without `ProxyReplicas`) fails the new task, and the update rolls back
//!   (or pauses, as the service's `UpdateConfig.FailureAction` says).
//! * Faults ([`FakeDocker::fail`]): an HTTP error, a hang, a dropped connection, "update out of
//!   sequence", "config in use", on the nth request matching a method and a path fragment.
//!
//! Time: an update stays `updating` for [`FakeState::update_delay`] (default 200 ms). Timestamps
//! and IDs come from counters, so a run is deterministic apart from wall-clock timing.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};

pub use hyper::Method;

use super::bed::{CONFIG_TARGET, CORE_SERVICE, FIRST_CONFIG, UNRELATED_CONFIG, UNRELATED_TARGET};

/// The TOML UCP 3.1/3.2 puts in `com.docker.ucp.interlock.conf-1`.
pub const UCP_DEFAULT_TOML: &str = include_str!("../../fixtures/ucp-3.1-default.toml");
/// `type` label of the extension services the core creates.
pub const EXTENSION_TYPE: &str = "com.docker.interlock.core.extension";
/// `type` label of the proxy services the core creates.
pub const PROXY_TYPE: &str = "com.docker.interlock.core.proxy";
/// `type` label of the config services the core creates (`ConfigServiceName`).
pub const CONFIG_TYPE: &str = "com.docker.interlock.core.config";
/// UCP's access label, on the configs it creates.
pub const ACCESS_LABEL: &str = "com.docker.ucp.access.label";
/// The engine's answer to a stale `?version=` (HTTP 500: gRPC code Unknown).
pub const OUT_OF_SEQUENCE: &str = "rpc error: code = Unknown desc = update out of sequence";

const ENGINE_VERSION: &str = "20.10.17";
const DEFAULT_UPDATE_DELAY: Duration = Duration::from_millis(200);
const DEFAULT_CORE_POLL: Duration = Duration::from_millis(100);
/// How often the server thread applies due transitions.
const TICK: Duration = Duration::from_millis(10);

// ---------------------------------------------------------------------------------------------
// Faults

/// A fault to inject: the `nth` request (1 = the first) matching `method` (any when `None`) and
/// `path_contains` (a fragment of the path and query, without the `/vX.Y` prefix), and the
/// `times - 1` matching requests after it, get `kind` instead of an answer. Faulted requests do
/// not reach the handlers, so they change nothing.
#[derive(Clone, Debug)]
pub struct Fault {
    pub method: Option<Method>,
    pub path_contains: String,
    pub nth: usize,
    pub times: usize,
    pub kind: FaultKind,
}

impl Fault {
    /// The first matching request only.
    pub fn once(method: Option<Method>, path_contains: &str, kind: FaultKind) -> Fault {
        Fault {
            method,
            path_contains: path_contains.to_string(),
            nth: 1,
            times: 1,
            kind,
        }
    }

    /// Every matching request.
    pub fn always(method: Option<Method>, path_contains: &str, kind: FaultKind) -> Fault {
        Fault {
            times: usize::MAX,
            ..Fault::once(method, path_contains, kind)
        }
    }
}

/// What a faulted request gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// This HTTP status with `{"message": …}`.
    Status(u16, String),
    /// No answer for this long, then the connection is closed (the client times out first).
    Hang(Duration),
    /// The connection is closed without an answer.
    Drop,
    /// What the engine answers to a stale version: HTTP 500 [`OUT_OF_SEQUENCE`].
    OutOfSequence,
    /// HTTP 400 "config '…' is in use by the following service: …" (the config of the path,
    /// and the services using it, or `ucp-interlock`).
    InUse,
}

// ---------------------------------------------------------------------------------------------
// API errors

/// An error answer of the engine: HTTP status and `{"message": …}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(404, message)
    }

    /// gRPC InvalidArgument, which the engine answers with 400.
    fn invalid(desc: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            400,
            format!("rpc error: code = InvalidArgument desc = {desc}"),
        )
    }

    /// gRPC AlreadyExists: 409.
    fn exists(desc: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            409,
            format!("rpc error: code = AlreadyExists desc = {desc}"),
        )
    }

    /// gRPC FailedPrecondition: 400.
    fn precondition(desc: impl std::fmt::Display) -> ApiError {
        ApiError::new(
            400,
            format!("rpc error: code = FailedPrecondition desc = {desc}"),
        )
    }

    fn out_of_sequence() -> ApiError {
        ApiError::new(500, OUT_OF_SEQUENCE)
    }

    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, message)
    }
}

// ---------------------------------------------------------------------------------------------
// The swarm

/// One log line of a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// 1 = stdout, 2 = stderr.
    pub stream: u8,
    /// RFC 3339 time, as `timestamps=true` shows it.
    pub time: String,
    pub text: String,
}

/// What a timed transition does.
#[derive(Clone, Debug)]
enum Step {
    /// `updating` → `completed`, `rollback_started` → `rollback_completed`.
    Complete,
    /// A task of the update failed and `FailureAction` is `rollback`.
    Rollback { task: String },
    /// A task of the update failed and `FailureAction` is `pause` (the default).
    Pause { task: String },
    /// A task of a rollback failed.
    RollbackPause { task: String },
}

#[derive(Clone, Debug)]
struct Pending {
    due: Instant,
    service: String,
    generation: u64,
    step: Step,
}

/// The in-memory swarm, as JSON shaped like the Engine API 1.41. Its fields can be read and
/// changed directly (through [`FakeDocker::modify`] while serving); the methods do what the
/// engine does for the matching API call.
#[derive(Clone, Debug)]
pub struct FakeState {
    /// `GET /nodes`.
    pub nodes: Vec<Value>,
    /// `GET /services` (without `ServiceStatus`, added on `status=true`).
    pub services: Vec<Value>,
    /// `GET /configs` (`Spec.Data` in base64).
    pub configs: Vec<Value>,
    /// `GET /tasks`.
    pub tasks: Vec<Value>,
    /// Log lines by task ID (`GET /services/{id}/logs`, `GET /tasks/{id}/logs`).
    pub logs: BTreeMap<String, Vec<LogLine>>,
    /// How long an update stays `updating` before `completed`; a failed one reaches
    /// `rollback_started` (or `paused`) after half of it and `rollback_completed` after all of it.
    pub update_delay: Duration,
    /// How often the simulated core retries creating the services it is missing (`None`: only
    /// when `ucp-interlock` is created or its update completes).
    pub core_poll: Option<Duration>,
    /// Whether the simulated Interlock core runs at all.
    pub core_enabled: bool,
    /// `ApiVersion` of `GET /version`.
    pub api_version: String,
    /// Raft-like index: every write bumps it and stamps the object's `Version.Index`.
    index: u64,
    /// Logical clock for timestamps (seconds after 2024-05-01T10:00:00Z).
    clock: u64,
    /// ID counter.
    seq: u64,
    /// Dynamic ingress ports handed out (from 30000).
    dynamic_ports: u16,
    pending: Vec<Pending>,
    /// Service ID → generation of its latest rollout (stale transitions are dropped).
    generations: BTreeMap<String, u64>,
    /// Core services created without a name (`<extension>/<kind>` → service ID).
    core_unnamed: BTreeMap<String, String>,
    /// Last line the core logged per subject, so that a lasting failure is logged once.
    core_said: BTreeMap<String, String>,
    next_poll: Option<Instant>,
}

impl Default for FakeState {
    fn default() -> Self {
        FakeState::new()
    }
}

/// A string at a JSON pointer.
fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr).and_then(Value::as_str)
}

/// A string map (labels) at a JSON pointer.
fn labels_at(v: &Value, ptr: &str) -> BTreeMap<String, String> {
    v.pointer(ptr)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn labels_json(labels: &[(&str, &str)]) -> Value {
    Value::Object(
        labels
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect(),
    )
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// `key=value` or `key` against labels, as the engine's `label` filters match.
fn label_matches(labels: &BTreeMap<String, String>, filter: &str) -> bool {
    match filter.split_once('=') {
        Some((k, v)) => labels.get(k).map(String::as_str) == Some(v),
        None => labels.contains_key(filter),
    }
}

/// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// The timestamp `secs` after 2024-05-01T10:00:00Z, with nanoseconds, as the engine prints.
fn timestamp(secs: u64) -> String {
    const BASE_DAYS: u64 = 19_844; // 2024-05-01
    let total = 10 * 3600 + secs;
    let (y, m, d) = civil_from_days(BASE_DAYS + total / 86_400);
    let rem = total % 86_400;
    let nanos = (secs * 123_456_789 + 1) % 1_000_000_000;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// A service name swarm accepts: a DNS label of letters, digits, `-`, `_` (≤ 63).
fn valid_service_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// A config name swarm accepts: up to 64 of `[a-zA-Z0-9-_.]`, alphanumeric at both ends.
fn valid_config_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// A placement constraint: (key, equal?, value). Swarm refuses anything but `==` / `!=`.
fn parse_constraint(c: &str) -> Result<(String, bool, String), String> {
    let (key, eq, value) = if let Some((k, v)) = c.split_once("==") {
        (k, true, v)
    } else if let Some((k, v)) = c.split_once("!=") {
        (k, false, v)
    } else {
        return Err("constraint expected one operator from ==, !=".into());
    };
    let key = key.trim();
    if key.is_empty() || key.contains('=') || key.contains('!') {
        return Err(format!("key '{key}' is invalid"));
    }
    Ok((key.to_string(), eq, value.trim().to_string()))
}

/// Docker-like random service names, deterministic.
const NAME_LEFT: [&str; 4] = ["brave", "eager", "jolly", "quirky"];
const NAME_RIGHT: [&str; 4] = ["turing", "hopper", "lovelace", "knuth"];

impl FakeState {
    /// An empty swarm (no nodes) with the default timings and the core enabled.
    pub fn new() -> FakeState {
        FakeState {
            nodes: Vec::new(),
            services: Vec::new(),
            configs: Vec::new(),
            tasks: Vec::new(),
            logs: BTreeMap::new(),
            update_delay: DEFAULT_UPDATE_DELAY,
            core_poll: Some(DEFAULT_CORE_POLL),
            core_enabled: true,
            api_version: "1.41".into(),
            index: 10,
            clock: 0,
            seq: 0,
            dynamic_ports: 0,
            pending: Vec::new(),
            generations: BTreeMap::new(),
            core_unnamed: BTreeMap::new(),
            core_said: BTreeMap::new(),
            next_poll: None,
        }
    }

    /// What UCP 3.1 sets up when Layer 7 routing is enabled, on one node: a ready, active
    /// manager `node_hostname` labelled `com.docker.ucp.orchestrator.swarm=true`; the config
    /// `interlock-split-test.unrelated` and `com.docker.ucp.interlock.conf-1` (holding
    /// `fixtures/ucp-3.1-default.toml`, both labelled `com.docker.ucp.access.label=/`); the service
    /// `ucp-interlock` mounting both (the unrelated one first, the TOML at `/config.toml`, update
    /// failure action `rollback`); and the services the core created from it:
    /// `ucp-interlock-extension` and `ucp-interlock-proxy` (2 replicas, 8080→80 and 8443→443 in
    /// ingress mode).
    pub fn ucp_default(node_hostname: &str) -> FakeState {
        let mut s = FakeState::new();
        s.add_node(
            node_hostname,
            "manager",
            &[("com.docker.ucp.orchestrator.swarm", "true")],
        );
        let access = [(ACCESS_LABEL, "/")];
        s.add_config(UNRELATED_CONFIG, b"not the Interlock config\n", &access);
        s.add_config(FIRST_CONFIG, UCP_DEFAULT_TOML.as_bytes(), &access);
        let spec = s.core_spec(&[
            (UNRELATED_CONFIG, UNRELATED_TARGET),
            (FIRST_CONFIG, CONFIG_TARGET),
        ]);
        s.add_service(spec);
        s.settle();
        s
    }

    /// The spec UCP gives `ucp-interlock`, mounting `configs` (name, target) in that order.
    /// Panics when a config does not exist.
    pub fn core_spec(&self, configs: &[(&str, &str)]) -> Value {
        let refs: Vec<Value> = configs
            .iter()
            .map(|(name, target)| {
                let id = self
                    .config(name)
                    .and_then(|c| str_at(c, "/ID"))
                    .unwrap_or_else(|| panic!("core_spec: no config {name}"));
                json!({
                    "File": { "Name": target, "UID": "0", "GID": "0", "Mode": 292 },
                    "ConfigID": id,
                    "ConfigName": name,
                })
            })
            .collect();
        json!({
            "Name": CORE_SERVICE,
            "Labels": {
                ACCESS_LABEL: "/",
                "com.docker.ucp.InstanceID": "fewho8k85kyc6iqypvvdh3ntm",
            },
            "TaskTemplate": {
                "ContainerSpec": {
                    "Image": "docker/ucp-interlock:3.1.2",
                    "Args": ["-D", "run", "-c", CONFIG_TARGET],
                    "Labels": { "com.docker.ucp.InstanceID": "fewho8k85kyc6iqypvvdh3ntm" },
                    "Mounts": [{
                        "Type": "bind",
                        "Source": "/var/run/docker.sock",
                        "Target": "/var/run/docker.sock",
                    }],
                    "Configs": refs,
                    "Isolation": "default",
                },
                "Resources": { "Limits": {}, "Reservations": {} },
                "RestartPolicy": { "Condition": "any", "Delay": 5_000_000_000u64, "MaxAttempts": 0 },
                "Placement": {
                    "Constraints": [
                        "node.labels.com.docker.ucp.orchestrator.swarm==true",
                        "node.role==manager",
                    ],
                },
                "ForceUpdate": 0,
                "Runtime": "container",
            },
            "Mode": { "Replicated": { "Replicas": 1 } },
            "UpdateConfig": {
                "Parallelism": 1,
                "FailureAction": "rollback",
                "Monitor": 5_000_000_000u64,
                "MaxFailureRatio": 0,
                "Order": "stop-first",
            },
            "RollbackConfig": {
                "Parallelism": 1,
                "FailureAction": "pause",
                "Monitor": 5_000_000_000u64,
                "MaxFailureRatio": 0,
                "Order": "stop-first",
            },
            "EndpointSpec": { "Mode": "vip" },
        })
    }

    // -- counters -------------------------------------------------------------------------

    fn new_id(&mut self, prefix: &str) -> String {
        self.seq += 1;
        format!("{prefix}{:0>width$}", self.seq, width = 25 - prefix.len())
    }

    fn bump(&mut self) -> u64 {
        self.index += 1;
        self.index
    }

    fn now(&mut self) -> String {
        self.clock += 1;
        timestamp(self.clock)
    }

    // -- lookups --------------------------------------------------------------------------

    /// Index of the object whose ID is `key`, or whose name (at `name_ptr`) is `key`, or whose
    /// ID starts with `key` (when only one does), as the engine resolves references.
    fn find(list: &[Value], name_ptr: &str, key: &str) -> Option<usize> {
        if key.is_empty() {
            return None;
        }
        list.iter()
            .position(|v| str_at(v, "/ID") == Some(key))
            .or_else(|| list.iter().position(|v| str_at(v, name_ptr) == Some(key)))
            .or_else(|| {
                let hits: Vec<usize> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| str_at(v, "/ID").is_some_and(|id| id.starts_with(key)))
                    .map(|(i, _)| i)
                    .collect();
                (hits.len() == 1).then(|| hits[0])
            })
    }

    fn service_idx(&self, key: &str) -> Option<usize> {
        FakeState::find(&self.services, "/Spec/Name", key)
    }

    fn config_idx(&self, key: &str) -> Option<usize> {
        FakeState::find(&self.configs, "/Spec/Name", key)
    }

    fn node_idx(&self, key: &str) -> Option<usize> {
        FakeState::find(&self.nodes, "/Description/Hostname", key)
    }

    /// The service with this ID or name.
    pub fn service(&self, key: &str) -> Option<&Value> {
        self.service_idx(key).map(|i| &self.services[i])
    }

    /// Names of all services, sorted.
    pub fn service_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .services
            .iter()
            .filter_map(|s| str_at(s, "/Spec/Name").map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// `Version.Index` of a service.
    pub fn service_version(&self, key: &str) -> Option<u64> {
        self.service(key)?.pointer("/Version/Index")?.as_u64()
    }

    /// `UpdateStatus.State` of a service (none before its first update).
    pub fn update_state(&self, key: &str) -> Option<String> {
        self.service(key)
            .and_then(|s| str_at(s, "/UpdateStatus/State"))
            .map(str::to_string)
    }

    /// The name of the config a service mounts at `target`.
    pub fn mounted_config(&self, service: &str, target: &str) -> Option<String> {
        self.service(service)?
            .pointer("/Spec/TaskTemplate/ContainerSpec/Configs")?
            .as_array()?
            .iter()
            .find(|c| str_at(c, "/File/Name") == Some(target))
            .and_then(|c| str_at(c, "/ConfigName"))
            .map(str::to_string)
    }

    /// The tasks of a service (ID or name), oldest first.
    pub fn tasks_of(&self, service: &str) -> Vec<&Value> {
        let Some(id) = self.service(service).and_then(|s| str_at(s, "/ID")) else {
            return Vec::new();
        };
        self.tasks
            .iter()
            .filter(|t| str_at(t, "/ServiceID") == Some(id))
            .collect()
    }

    /// How many tasks of a service are running (and meant to).
    pub fn running_tasks(&self, service: &str) -> usize {
        self.tasks_of(service)
            .into_iter()
            .filter(|t| task_is_running(t))
            .count()
    }

    /// The logs of every task of a service, one line each, oldest task first.
    pub fn service_logs(&self, service: &str) -> String {
        let mut out = String::new();
        for t in self.tasks_of(service) {
            for line in self
                .logs
                .get(str_at(t, "/ID").unwrap_or_default())
                .into_iter()
                .flatten()
            {
                out.push_str(&line.text);
                out.push('\n');
            }
        }
        out
    }

    /// The config with this ID or name.
    pub fn config(&self, key: &str) -> Option<&Value> {
        self.config_idx(key).map(|i| &self.configs[i])
    }

    /// Names of all configs, sorted.
    pub fn config_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .configs
            .iter()
            .filter_map(|c| str_at(c, "/Spec/Name").map(str::to_string))
            .collect();
        names.sort();
        names
    }

    /// The decoded data of a config, as text.
    pub fn config_data(&self, key: &str) -> Option<String> {
        let data = str_at(self.config(key)?, "/Spec/Data")?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The node with this ID or hostname.
    pub fn node(&self, key: &str) -> Option<&Value> {
        self.node_idx(key).map(|i| &self.nodes[i])
    }

    /// The labels of a node (`Spec.Labels`), by ID or hostname.
    pub fn node_labels(&self, key: &str) -> BTreeMap<String, String> {
        self.node(key)
            .map(|n| labels_at(n, "/Spec/Labels"))
            .unwrap_or_default()
    }

    // -- builders ---------------------------------------------------------------------------

    /// Adds a ready, active node (`role` `manager` or `worker`, linux/x86_64) and returns its
    /// ID. The first manager is the leader.
    pub fn add_node(&mut self, hostname: &str, role: &str, labels: &[(&str, &str)]) -> String {
        let id = self.new_id("node");
        let index = self.bump();
        let now = self.now();
        let addr = format!("10.0.0.{}", self.nodes.len() + 2);
        let mut node = json!({
            "ID": id,
            "Version": { "Index": index },
            "CreatedAt": now,
            "UpdatedAt": now,
            "Spec": { "Labels": labels_json(labels), "Role": role, "Availability": "active" },
            "Description": {
                "Hostname": hostname,
                "Platform": { "Architecture": "x86_64", "OS": "linux" },
                "Resources": { "NanoCPUs": 4_000_000_000u64, "MemoryBytes": 8_589_934_592u64 },
                "Engine": { "EngineVersion": ENGINE_VERSION, "Labels": {}, "Plugins": [] },
            },
            "Status": { "State": "ready", "Addr": addr },
        });
        if role == "manager" {
            let leader = !self
                .nodes
                .iter()
                .any(|n| n.pointer("/ManagerStatus/Leader") == Some(&json!(true)));
            node["ManagerStatus"] = json!({
                "Leader": leader,
                "Reachability": "reachable",
                "Addr": format!("{addr}:2377"),
            });
        }
        self.nodes.push(node);
        self.schedule_pending_tasks();
        id
    }

    /// Creates a config (panics if the engine would refuse it) and returns its ID.
    pub fn add_config(&mut self, name: &str, data: &[u8], labels: &[(&str, &str)]) -> String {
        self.create_config(
            json!({ "Name": name, "Labels": labels_json(labels), "Data": b64(data) }),
        )
        .unwrap_or_else(|e| panic!("add_config {name}: {e:?}"))
    }

    /// Creates a service (panics if the engine would refuse it) and returns its ID.
    pub fn add_service(&mut self, spec: Value) -> String {
        self.create_service(spec)
            .unwrap_or_else(|e| panic!("add_service: {e:?}"))
    }

    // -- time ---------------------------------------------------------------------------------

    /// Applies the transitions due at `now` and, when due, a round of the core.
    pub fn advance(&mut self, now: Instant) {
        while let Some(i) = self
            .pending
            .iter()
            .enumerate()
            .filter(|(_, p)| p.due <= now)
            .min_by_key(|(_, p)| p.due)
            .map(|(i, _)| i)
        {
            let p = self.pending.remove(i);
            self.apply_step(p);
        }
        if let Some(poll) = self.core_poll
            && self.next_poll.is_none_or(|t| now >= t)
        {
            self.core_round();
            self.next_poll = Some(now + poll);
        }
        self.schedule_pending_tasks();
    }

    /// Applies every pending transition now, however far away, then a round of the core:
    /// the state an update converges to, without waiting.
    pub fn settle(&mut self) {
        while let Some(i) = self
            .pending
            .iter()
            .enumerate()
            .min_by_key(|(_, p)| p.due)
            .map(|(i, _)| i)
        {
            let p = self.pending.remove(i);
            self.apply_step(p);
        }
        self.core_round();
        self.schedule_pending_tasks();
    }

    /// True while an update or rollback is in progress somewhere.
    pub fn busy(&self) -> bool {
        !self.pending.is_empty()
    }

    fn schedule(&mut self, service: &str, generation: u64, after: Duration, step: Step) {
        self.pending.push(Pending {
            due: Instant::now() + after,
            service: service.to_string(),
            generation,
            step,
        });
    }

    // -- configs ------------------------------------------------------------------------------

    /// `POST /configs/create`: returns the new ID.
    pub fn create_config(&mut self, spec: Value) -> Result<String, ApiError> {
        let Value::Object(mut spec) = spec else {
            return Err(ApiError::bad_request("config spec must be a JSON object"));
        };
        let name = spec
            .get("Name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if !valid_config_name(&name) {
            return Err(ApiError::invalid(
                "invalid name, only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]",
            ));
        }
        let data = spec
            .get("Data")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if base64::engine::general_purpose::STANDARD
            .decode(&data)
            .is_err()
        {
            return Err(ApiError::bad_request(format!(
                "illegal base64 data in config {name}"
            )));
        }
        if self
            .configs
            .iter()
            .any(|c| str_at(c, "/Spec/Name") == Some(&name))
        {
            return Err(ApiError::exists(format!("config {name} already exists")));
        }
        if !spec.get("Labels").is_some_and(Value::is_object) {
            spec.insert("Labels".into(), json!({}));
        }
        spec.insert("Data".into(), json!(data));
        let id = self.new_id("cfg");
        let index = self.bump();
        let now = self.now();
        self.configs.push(json!({
            "ID": id,
            "Version": { "Index": index },
            "CreatedAt": now,
            "UpdatedAt": now,
            "Spec": spec,
        }));
        Ok(id)
    }

    /// Names of the services whose spec mounts the config `id`.
    fn config_users(&self, id: &str) -> Vec<String> {
        self.services
            .iter()
            .filter(|s| {
                s.pointer("/Spec/TaskTemplate/ContainerSpec/Configs")
                    .and_then(Value::as_array)
                    .is_some_and(|refs| refs.iter().any(|r| str_at(r, "/ConfigID") == Some(id)))
            })
            .filter_map(|s| str_at(s, "/Spec/Name").map(str::to_string))
            .collect()
    }

    /// The engine's "in use" error for `config_name` used by `users`.
    fn in_use(config_name: &str, users: &[String]) -> ApiError {
        ApiError::invalid(format!(
            "config '{config_name}' is in use by the following service{}: {}",
            if users.len() == 1 { "" } else { "s" },
            users.join(", ")
        ))
    }

    /// `DELETE /configs/{id}`: refused while a service's spec mounts it.
    pub fn remove_config(&mut self, key: &str) -> Result<(), ApiError> {
        let Some(i) = self.config_idx(key) else {
            return Err(ApiError::not_found(format!("config {key} not found")));
        };
        let id = str_at(&self.configs[i], "/ID")
            .unwrap_or_default()
            .to_string();
        let name = str_at(&self.configs[i], "/Spec/Name")
            .unwrap_or_default()
            .to_string();
        let users = self.config_users(&id);
        if !users.is_empty() {
            return Err(FakeState::in_use(&name, &users));
        }
        self.configs.remove(i);
        self.bump();
        Ok(())
    }

    // -- services: specs ----------------------------------------------------------------------

    /// Fills in what the engine fills in, and refuses what swarm refuses.
    fn normalise_spec(spec: Value) -> Result<Map<String, Value>, ApiError> {
        let Value::Object(mut spec) = spec else {
            return Err(ApiError::bad_request("service spec must be a JSON object"));
        };
        if !spec.get("Labels").is_some_and(Value::is_object) {
            spec.insert("Labels".into(), json!({}));
        }
        let template = spec.entry("TaskTemplate").or_insert_with(|| json!({}));
        if !template.is_object() {
            return Err(ApiError::bad_request("TaskTemplate must be an object"));
        }
        if str_at(template, "/ContainerSpec/Image").is_none_or(str::is_empty) {
            return Err(ApiError::invalid(
                "ContainerSpec: image reference must be provided",
            ));
        }
        if template.get("ForceUpdate").is_none() {
            template["ForceUpdate"] = json!(0);
        }
        if template.get("Runtime").is_none() {
            template["Runtime"] = json!("container");
        }
        let mode = spec
            .entry("Mode")
            .or_insert_with(|| json!({ "Replicated": { "Replicas": 1 } }));
        if let Some(r) = mode.get_mut("Replicated")
            && r.get("Replicas").is_none()
        {
            r["Replicas"] = json!(1);
        }
        let endpoint = spec
            .entry("EndpointSpec")
            .or_insert_with(|| json!({ "Mode": "vip" }));
        if endpoint.get("Mode").is_none() {
            endpoint["Mode"] = json!("vip");
        }
        if let Some(ports) = endpoint.get_mut("Ports").and_then(Value::as_array_mut) {
            for p in ports {
                if p.get("Protocol").is_none() {
                    p["Protocol"] = json!("tcp");
                }
                if p.get("PublishMode").is_none() {
                    p["PublishMode"] = json!("ingress");
                }
            }
        }
        Ok(spec)
    }

    /// Swarm's checks of a spec: constraints, configs, ingress ports (against services other
    /// than `self_id`).
    fn validate_spec(
        &self,
        spec: &Map<String, Value>,
        self_id: Option<&str>,
    ) -> Result<(), ApiError> {
        let spec_v = Value::Object(spec.clone());
        for c in spec_v
            .pointer("/TaskTemplate/Placement/Constraints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            parse_constraint(c.as_str().unwrap_or_default()).map_err(ApiError::invalid)?;
        }
        let missing: Vec<String> = spec_v
            .pointer("/TaskTemplate/ContainerSpec/Configs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| {
                let id = str_at(r, "/ConfigID").unwrap_or_default();
                !self.configs.iter().any(|c| str_at(c, "/ID") == Some(id))
            })
            .map(|r| {
                str_at(r, "/ConfigName")
                    .or_else(|| str_at(r, "/ConfigID"))
                    .unwrap_or_default()
                    .to_string()
            })
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::invalid(format!(
                "config{} not found: {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            )));
        }
        let wanted = ports_of(&spec_v, "/EndpointSpec/Ports");
        for other in &self.services {
            if self_id.is_some() && str_at(other, "/ID") == self_id {
                continue;
            }
            let held = ports_of(other, "/Spec/EndpointSpec/Ports")
                .into_iter()
                .chain(ports_of(other, "/Endpoint/Ports"));
            for (port, proto, mode) in held {
                for (w_port, w_proto, w_mode) in &wanted {
                    if port != *w_port || proto != *w_proto {
                        continue;
                    }
                    let how = match (w_mode.as_str(), mode.as_str()) {
                        ("host", "ingress") => "a host-published port",
                        ("ingress", _) => "an ingress port",
                        _ => continue,
                    };
                    return Err(ApiError::invalid(format!(
                        "port '{port}' is already in use by service '{}' ({}) as {how}",
                        str_at(other, "/Spec/Name").unwrap_or_default(),
                        str_at(other, "/ID").unwrap_or_default(),
                    )));
                }
            }
        }
        Ok(())
    }

    /// `Endpoint` of a service: the spec's ports (a dynamic published port for an ingress port
    /// without one).
    fn endpoint_for(&mut self, spec: &Map<String, Value>, previous: Option<&Value>) -> Value {
        let endpoint_spec = spec.get("EndpointSpec").cloned().unwrap_or(json!({}));
        let mut ports = endpoint_spec
            .get("Ports")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for p in &mut ports {
            let published = p.get("PublishedPort").and_then(Value::as_u64).unwrap_or(0);
            if published == 0 && str_at(p, "/PublishMode") == Some("ingress") {
                let target = p.get("TargetPort").cloned();
                let reuse = previous
                    .and_then(|e| e.get("Ports"))
                    .and_then(Value::as_array)
                    .and_then(|old| old.iter().find(|o| o.get("TargetPort").cloned() == target))
                    .and_then(|o| o.get("PublishedPort").cloned());
                let port = reuse.unwrap_or_else(|| {
                    self.dynamic_ports += 1;
                    json!(30_000 + self.dynamic_ports)
                });
                p["PublishedPort"] = port;
            }
        }
        let mut endpoint = json!({ "Spec": endpoint_spec });
        if !ports.is_empty() {
            endpoint["Ports"] = json!(ports);
        }
        endpoint
    }

    // -- services: API ------------------------------------------------------------------------

    /// `POST /services/create`: returns the new ID. Creating `ucp-interlock` starts the core,
    /// which creates the services of its config at once.
    pub fn create_service(&mut self, spec: Value) -> Result<String, ApiError> {
        let mut spec = FakeState::normalise_spec(spec)?;
        let mut name = spec
            .get("Name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if name.is_empty() {
            let n = self.seq as usize;
            name = format!("{}_{}", NAME_LEFT[n % 4], NAME_RIGHT[n / 4 % 4]);
            spec.insert("Name".into(), json!(name));
        }
        if !valid_service_name(&name) {
            return Err(ApiError::invalid(
                "name must be valid as a DNS name component",
            ));
        }
        if self.service_idx_by_name(&name).is_some() {
            return Err(ApiError::exists(format!("service {name} already exists")));
        }
        self.validate_spec(&spec, None)?;
        let id = self.new_id("svc");
        let index = self.bump();
        let now = self.now();
        let endpoint = self.endpoint_for(&spec, None);
        self.services.push(json!({
            "ID": id,
            "Version": { "Index": index },
            "CreatedAt": now,
            "UpdatedAt": now,
            "Spec": spec,
            "Endpoint": endpoint,
        }));
        self.generations.insert(id.clone(), 0);
        let core = name == CORE_SERVICE && self.core_enabled;
        match if core {
            Some(self.core_verdict(&id))
        } else {
            None
        } {
            Some(Err(error)) => {
                self.start_failing_task(&id, &error);
            }
            Some(Ok(_)) => {
                self.start_tasks(&id);
                self.core_round();
            }
            None => self.start_tasks(&id),
        }
        Ok(id)
    }

    fn service_idx_by_name(&self, name: &str) -> Option<usize> {
        self.services
            .iter()
            .position(|s| str_at(s, "/Spec/Name") == Some(name))
    }

    fn check_version(current: Option<u64>, version: u64) -> Result<(), ApiError> {
        if current == Some(version) {
            Ok(())
        } else {
            Err(ApiError::out_of_sequence())
        }
    }

    /// `POST /services/{id}/update?version=N`: the whole spec is replaced (the old one becomes
    /// `PreviousSpec`), `UpdateStatus` goes to `updating`, the tasks are replaced; the update
    /// completes after [`FakeState::update_delay`]. For `ucp-interlock`, a config the core
    /// cannot run fails the new task and the update rolls back (or pauses).
    pub fn update_service(&mut self, key: &str, version: u64, spec: Value) -> Result<(), ApiError> {
        let Some(i) = self.service_idx(key) else {
            return Err(ApiError::not_found(format!("service {key} not found")));
        };
        FakeState::check_version(
            self.services[i]
                .pointer("/Version/Index")
                .and_then(Value::as_u64),
            version,
        )?;
        let mut spec = FakeState::normalise_spec(spec)?;
        let id = str_at(&self.services[i], "/ID")
            .unwrap_or_default()
            .to_string();
        let name = str_at(&self.services[i], "/Spec/Name")
            .unwrap_or_default()
            .to_string();
        match spec.get("Name").and_then(Value::as_str) {
            None | Some("") => {
                spec.insert("Name".into(), json!(name));
            }
            Some(n) if n != name => {
                return Err(ApiError::invalid("renaming services is not supported"));
            }
            Some(_) => {}
        }
        self.validate_spec(&spec, Some(&id))?;
        let index = self.bump();
        let now = self.now();
        let previous_endpoint = self.services[i].get("Endpoint").cloned();
        let endpoint = self.endpoint_for(&spec, previous_endpoint.as_ref());
        let svc = &mut self.services[i];
        let old = svc["Spec"].take();
        svc["PreviousSpec"] = old;
        svc["Spec"] = Value::Object(spec);
        svc["Endpoint"] = endpoint;
        svc["Version"] = json!({ "Index": index });
        svc["UpdatedAt"] = json!(now);
        svc["UpdateStatus"] = json!({
            "State": "updating",
            "StartedAt": now,
            "Message": "update in progress",
        });
        self.roll_out(&id, false);
        Ok(())
    }

    /// `POST /services/{id}/update?version=N&rollback=previous`: back to `PreviousSpec`
    /// (which becomes the current spec's), `rollback_started` then `rollback_completed`.
    pub fn rollback_service(&mut self, key: &str, version: u64) -> Result<(), ApiError> {
        let Some(i) = self.service_idx(key) else {
            return Err(ApiError::not_found(format!("service {key} not found")));
        };
        FakeState::check_version(
            self.services[i]
                .pointer("/Version/Index")
                .and_then(Value::as_u64),
            version,
        )?;
        let id = str_at(&self.services[i], "/ID")
            .unwrap_or_default()
            .to_string();
        if self.services[i]
            .get("PreviousSpec")
            .is_none_or(Value::is_null)
        {
            return Err(ApiError::precondition(format!(
                "service {id} does not have a previous spec"
            )));
        }
        let index = self.bump();
        let now = self.now();
        let svc = &mut self.services[i];
        let previous = svc["PreviousSpec"].take();
        let current = std::mem::replace(&mut svc["Spec"], previous);
        svc["PreviousSpec"] = current;
        svc["Version"] = json!({ "Index": index });
        svc["UpdatedAt"] = json!(now);
        svc["UpdateStatus"] = json!({
            "State": "rollback_started",
            "StartedAt": now,
            "Message": "manually requested rollback",
        });
        let spec = self.services[i]["Spec"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let previous_endpoint = self.services[i].get("Endpoint").cloned();
        let endpoint = self.endpoint_for(&spec, previous_endpoint.as_ref());
        self.services[i]["Endpoint"] = endpoint;
        self.roll_out(&id, true);
        Ok(())
    }

    /// `DELETE /services/{id}`: the service and its tasks go at once.
    pub fn remove_service(&mut self, key: &str) -> Result<(), ApiError> {
        let Some(i) = self.service_idx(key) else {
            return Err(ApiError::not_found(format!("service {key} not found")));
        };
        let svc = self.services.remove(i);
        let id = str_at(&svc, "/ID").unwrap_or_default().to_string();
        self.tasks
            .retain(|t| str_at(t, "/ServiceID") != Some(id.as_str()));
        self.generations.remove(&id);
        self.pending.retain(|p| p.service != id);
        self.bump();
        self.schedule_pending_tasks();
        Ok(())
    }

    // -- nodes ------------------------------------------------------------------------------

    /// `POST /nodes/{id}/update?version=N`: the whole spec is replaced, as the engine does (a
    /// missing `Role` means worker, a missing `Availability` active).
    pub fn update_node(&mut self, key: &str, version: u64, spec: Value) -> Result<(), ApiError> {
        let Some(i) = self.node_idx(key) else {
            return Err(ApiError::not_found(format!("node {key} not found")));
        };
        FakeState::check_version(
            self.nodes[i]
                .pointer("/Version/Index")
                .and_then(Value::as_u64),
            version,
        )?;
        let Value::Object(mut spec) = spec else {
            return Err(ApiError::bad_request("node spec must be a JSON object"));
        };
        if !spec.get("Labels").is_some_and(Value::is_object) {
            spec.insert("Labels".into(), json!({}));
        }
        let role = spec
            .get("Role")
            .and_then(Value::as_str)
            .unwrap_or("worker")
            .to_string();
        if role != "manager" && role != "worker" {
            return Err(ApiError::invalid(format!("invalid role {role}")));
        }
        spec.insert("Role".into(), json!(role));
        if spec.get("Availability").is_none() {
            spec.insert("Availability".into(), json!("active"));
        }
        let was_manager = str_at(&self.nodes[i], "/Spec/Role") == Some("manager");
        let managers = self
            .nodes
            .iter()
            .filter(|n| str_at(n, "/Spec/Role") == Some("manager"))
            .count();
        if was_manager && role == "worker" && managers == 1 {
            return Err(ApiError::precondition(
                "attempting to demote the last manager of the swarm",
            ));
        }
        let index = self.bump();
        let now = self.now();
        let node = &mut self.nodes[i];
        node["Spec"] = Value::Object(spec);
        node["Version"] = json!({ "Index": index });
        node["UpdatedAt"] = json!(now);
        self.schedule_pending_tasks();
        Ok(())
    }

    // -- rollouts -----------------------------------------------------------------------------

    /// Replaces the tasks of service `id` after a spec change and schedules how the update ends.
    fn roll_out(&mut self, id: &str, rollback: bool) {
        let generation = self.generations.get(id).copied().unwrap_or(0) + 1;
        self.generations.insert(id.to_string(), generation);
        self.pending.retain(|p| p.service != id);
        self.shut_down_tasks(id);
        let core = self.service(id).and_then(|s| str_at(s, "/Spec/Name")) == Some(CORE_SERVICE)
            && self.core_enabled;
        let verdict = if core {
            Some(self.core_verdict(id))
        } else {
            None
        };
        let delay = self.update_delay;
        match verdict {
            Some(Err(error)) => {
                let task = self.start_failing_task(id, &error);
                let action = self
                    .service(id)
                    .and_then(|s| str_at(s, "/Spec/UpdateConfig/FailureAction"))
                    .unwrap_or("pause")
                    .to_string();
                let step = match (rollback, action.as_str()) {
                    (true, _) => Step::RollbackPause { task },
                    (false, "rollback") => Step::Rollback { task },
                    (false, "continue") => Step::Complete,
                    _ => Step::Pause { task },
                };
                let after = if matches!(step, Step::Complete) {
                    delay
                } else {
                    delay / 2
                };
                self.schedule(id, generation, after, step);
            }
            _ => {
                self.start_tasks(id);
                self.schedule(id, generation, delay, Step::Complete);
            }
        }
    }

    fn apply_step(&mut self, p: Pending) {
        if self.generations.get(&p.service) != Some(&p.generation) {
            return;
        }
        let Some(i) = self.service_idx(&p.service) else {
            return;
        };
        let id = p.service.clone();
        let now = self.now();
        let index = self.bump();
        self.services[i]["Version"] = json!({ "Index": index });
        self.services[i]["UpdatedAt"] = json!(now);
        let state = self.update_state(&id).unwrap_or_default();
        match p.step {
            Step::Complete => {
                let (state, message) = if state.starts_with("rollback") {
                    ("rollback_completed", "rollback completed")
                } else {
                    ("completed", "update completed")
                };
                let status = &mut self.services[i]["UpdateStatus"];
                status["State"] = json!(state);
                status["Message"] = json!(message);
                status["CompletedAt"] = json!(now);
                if self.is_core(&id) {
                    self.core_round();
                }
            }
            Step::Pause { task } => self.set_update_status(
                i,
                "paused",
                format!("update paused due to failure or early termination of task {task}"),
            ),
            Step::RollbackPause { task } => self.set_update_status(
                i,
                "rollback_paused",
                format!("rollback paused due to failure or early termination of task {task}"),
            ),
            Step::Rollback { task } => {
                self.set_update_status(
                    i,
                    "rollback_started",
                    format!(
                        "update rolled back due to failure or early termination of task {task}"
                    ),
                );
                let svc = &mut self.services[i];
                let previous = svc["PreviousSpec"].take();
                if !previous.is_null() {
                    svc["Spec"] = previous;
                }
                if let Some(obj) = svc.as_object_mut() {
                    obj.remove("PreviousSpec");
                }
                let spec = svc["Spec"].as_object().cloned().unwrap_or_default();
                let previous_endpoint = svc.get("Endpoint").cloned();
                let endpoint = self.endpoint_for(&spec, previous_endpoint.as_ref());
                self.services[i]["Endpoint"] = endpoint;
                self.shut_down_tasks(&id);
                let half = self.update_delay / 2;
                let verdict = if self.is_core(&id) {
                    self.core_verdict(&id)
                } else {
                    Ok(Vec::new())
                };
                match verdict {
                    Err(error) => {
                        let task = self.start_failing_task(&id, &error);
                        self.schedule(&id, p.generation, half, Step::RollbackPause { task });
                    }
                    Ok(_) => {
                        self.start_tasks(&id);
                        self.schedule(&id, p.generation, half, Step::Complete);
                    }
                }
            }
        }
    }

    fn set_update_status(&mut self, i: usize, state: &str, message: String) {
        let status = &mut self.services[i]["UpdateStatus"];
        status["State"] = json!(state);
        status["Message"] = json!(message);
    }

    fn is_core(&self, id: &str) -> bool {
        self.core_enabled
            && self.service(id).and_then(|s| str_at(s, "/Spec/Name")) == Some(CORE_SERVICE)
    }

    // -- tasks ------------------------------------------------------------------------------

    /// Marks the live tasks of a service as shut down.
    fn shut_down_tasks(&mut self, service_id: &str) {
        let now = self.now();
        let index = self.bump();
        for t in &mut self.tasks {
            if str_at(t, "/ServiceID") != Some(service_id)
                || str_at(t, "/DesiredState") != Some("running")
            {
                continue;
            }
            t["DesiredState"] = json!("shutdown");
            t["Version"] = json!({ "Index": index });
            t["UpdatedAt"] = json!(now);
            let state = str_at(t, "/Status/State").unwrap_or_default().to_string();
            if state == "running" || state == "pending" {
                t["Status"]["State"] = json!(if state == "running" {
                    "shutdown"
                } else {
                    "rejected"
                });
                t["Status"]["Message"] = json!("shutdown");
                t["Status"]["Timestamp"] = json!(now);
            }
        }
    }

    /// Where a task of `service_id` can run: the eligible node with the fewest of its tasks.
    fn place(
        &self,
        service_id: &str,
        template: &Value,
        host_ports: &[(u64, String)],
    ) -> Result<String, String> {
        let constraints: Vec<(String, bool, String)> = template
            .pointer("/Placement/Constraints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| parse_constraint(c.as_str().unwrap_or_default()).ok())
            .collect();
        let eligible: Vec<&Value> = self
            .nodes
            .iter()
            .filter(|n| {
                str_at(n, "/Status/State") == Some("ready")
                    && str_at(n, "/Spec/Availability") == Some("active")
                    && constraints.iter().all(|c| node_satisfies(n, c))
            })
            .collect();
        let plural = |n: usize| if n == 1 { "node" } else { "nodes" };
        if eligible.is_empty() {
            let n = self.nodes.len();
            return Err(format!(
                "no suitable node (scheduling constraints not satisfied on {n} {})",
                plural(n)
            ));
        }
        let free: Vec<&Value> = eligible
            .iter()
            .copied()
            .filter(|n| {
                let node = str_at(n, "/ID").unwrap_or_default();
                host_ports.is_empty()
                    || !self.live_tasks_on(node).any(|t| {
                        let ports = host_ports_of_task(self, t);
                        host_ports.iter().any(|p| ports.contains(p))
                    })
            })
            .collect();
        if free.is_empty() {
            let n = eligible.len();
            return Err(format!(
                "no suitable node (host-mode port already in use on {n} {})",
                plural(n)
            ));
        }
        free.iter()
            .min_by_key(|n| {
                let node = str_at(n, "/ID").unwrap_or_default();
                self.live_tasks_on(node)
                    .filter(|t| str_at(t, "/ServiceID") == Some(service_id))
                    .count()
            })
            .and_then(|n| str_at(n, "/ID"))
            .map(str::to_string)
            .ok_or_else(|| "no suitable node".to_string())
    }

    /// The tasks meant to run on `node`.
    fn live_tasks_on<'a>(&'a self, node: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.tasks.iter().filter(move |t| {
            str_at(t, "/NodeID") == Some(node) && str_at(t, "/DesiredState") == Some("running")
        })
    }

    /// A new task for `service_id`, placed if it can be (else pending), with a start line in
    /// its log. Returns its ID.
    fn new_task(&mut self, service_id: &str, slot: Option<u64>, node: Option<&str>) -> String {
        let Some(svc) = self.service(service_id) else {
            return String::new();
        };
        let template = svc
            .pointer("/Spec/TaskTemplate")
            .cloned()
            .unwrap_or(json!({}));
        let name = str_at(svc, "/Spec/Name").unwrap_or_default().to_string();
        let host_ports = host_ports_of(svc);
        let placed = match node {
            Some(n) => Ok(n.to_string()),
            None => self.place(service_id, &template, &host_ports),
        };
        let id = self.new_id("task");
        let index = self.bump();
        let now = self.now();
        let mut task = json!({
            "ID": id,
            "Version": { "Index": index },
            "CreatedAt": now,
            "UpdatedAt": now,
            "Labels": {},
            "Spec": template,
            "ServiceID": service_id,
            "DesiredState": "running",
        });
        if let Some(slot) = slot {
            task["Slot"] = json!(slot);
        }
        match placed {
            Ok(node) => {
                task["NodeID"] = json!(node);
                task["Status"] = running_status(&now, self.seq);
                self.log(&id, 1, format!("fake docker: task {id} of {name} started"));
            }
            Err(why) => {
                task["Status"] = json!({
                    "Timestamp": now,
                    "State": "pending",
                    "Message": "pending task scheduling",
                    "Err": why,
                });
            }
        }
        self.tasks.push(task);
        id
    }

    /// One task per replica (per eligible node for a global service).
    fn start_tasks(&mut self, service_id: &str) {
        let Some(svc) = self.service(service_id) else {
            return;
        };
        if svc.pointer("/Spec/Mode/Global").is_some() {
            let template = svc
                .pointer("/Spec/TaskTemplate")
                .cloned()
                .unwrap_or(json!({}));
            let nodes: Vec<String> = self
                .nodes
                .iter()
                .filter(|n| {
                    str_at(n, "/Status/State") == Some("ready")
                        && str_at(n, "/Spec/Availability") == Some("active")
                        && template
                            .pointer("/Placement/Constraints")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .filter_map(|c| parse_constraint(c.as_str().unwrap_or_default()).ok())
                            .all(|c| node_satisfies(n, &c))
                })
                .filter_map(|n| str_at(n, "/ID").map(str::to_string))
                .collect();
            for node in nodes {
                self.new_task(service_id, None, Some(&node));
            }
            return;
        }
        let replicas = svc
            .pointer("/Spec/Mode/Replicated/Replicas")
            .and_then(Value::as_u64)
            .unwrap_or(1);
        for slot in 1..=replicas {
            self.new_task(service_id, Some(slot), None);
        }
    }

    /// Starts the one task of a core that cannot run its config: it fails at once, logging the
    /// core's error line. Returns the task's ID.
    fn start_failing_task(&mut self, service_id: &str, error: &str) -> String {
        let id = self.new_task(service_id, Some(1), None);
        let now = self.now();
        let seq = self.seq;
        let Some(t) = self
            .tasks
            .iter_mut()
            .find(|t| str_at(t, "/ID") == Some(id.as_str()))
        else {
            return id;
        };
        if str_at(t, "/Status/State") != Some("running") {
            return id;
        }
        t["DesiredState"] = json!("shutdown");
        t["Status"] = json!({
            "Timestamp": now,
            "State": "failed",
            "Message": "started",
            "Err": "task: non-zero exit (1)",
            "ContainerStatus": {
                "ContainerID": container_id(seq),
                "PID": 0,
                "ExitCode": 1,
            },
        });
        self.core_log(&id, 1, "info", "interlock-core (fake docker) starting");
        self.core_log(&id, 2, "fatal", error);
        id
    }

    /// Places the pending tasks that can now run (after a node or service change).
    fn schedule_pending_tasks(&mut self) {
        let waiting: Vec<(usize, String)> = self
            .tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                str_at(t, "/Status/State") == Some("pending")
                    && str_at(t, "/DesiredState") == Some("running")
            })
            .map(|(i, t)| (i, str_at(t, "/ServiceID").unwrap_or_default().to_string()))
            .collect();
        for (i, service_id) in waiting {
            let Some(svc) = self.service(&service_id) else {
                continue;
            };
            let template = self.tasks[i]["Spec"].clone();
            let host_ports = host_ports_of(svc);
            let name = str_at(svc, "/Spec/Name").unwrap_or_default().to_string();
            match self.place(&service_id, &template, &host_ports) {
                Ok(node) => {
                    let now = self.now();
                    let index = self.bump();
                    let seq = self.seq;
                    let t = &mut self.tasks[i];
                    t["NodeID"] = json!(node);
                    t["Status"] = running_status(&now, seq);
                    t["Version"] = json!({ "Index": index });
                    t["UpdatedAt"] = json!(now);
                    let id = str_at(t, "/ID").unwrap_or_default().to_string();
                    self.log(&id, 1, format!("fake docker: task {id} of {name} started"));
                }
                Err(why) => {
                    if str_at(&self.tasks[i], "/Status/Err") != Some(why.as_str()) {
                        self.tasks[i]["Status"]["Err"] = json!(why);
                    }
                }
            }
        }
    }

    fn log(&mut self, task: &str, stream: u8, text: String) {
        let time = timestamp(self.clock);
        self.logs
            .entry(task.to_string())
            .or_default()
            .push(LogLine { stream, time, text });
    }

    /// A line in the core's format (logrus text).
    fn core_log(&mut self, task: &str, stream: u8, level: &str, msg: &str) {
        let time = timestamp(self.clock);
        let msg = msg.replace('\\', "\\\\").replace('"', "\\\"");
        self.log(
            task,
            stream,
            format!("time=\"{time}\" level={level} msg=\"{msg}\""),
        );
    }

    // -- the simulated Interlock core ----------------------------------------------------------

    /// The extensions of the config service `id` mounts at `/config.toml`, or the core's error.
    fn core_verdict(&self, id: &str) -> Result<Vec<Ext>, String> {
        let Some(config) = self.mounted_config(id, CONFIG_TARGET).and_then(|name| {
            let svc = self.service(id)?;
            let refs = svc
                .pointer("/Spec/TaskTemplate/ContainerSpec/Configs")?
                .as_array()?;
            let r = refs
                .iter()
                .find(|r| str_at(r, "/ConfigName") == Some(name.as_str()))?;
            self.config_data(str_at(r, "/ConfigID")?)
        }) else {
            return Err(format!(
                "error loading config: open {CONFIG_TARGET}: no such file or directory"
            ));
        };
        parse_core_config(&config).map_err(|e| format!("invalid config {CONFIG_TARGET}: {e}"))
    }

    /// One round of the core: creates every service its config names and the swarm lacks.
    fn core_round(&mut self) {
        if !self.core_enabled {
            return;
        }
        let Some(core) = self.service(CORE_SERVICE) else {
            return;
        };
        if str_at(core, "/UpdateStatus/State") == Some("updating") {
            return;
        }
        let core_id = str_at(core, "/ID").unwrap_or_default().to_string();
        let Some(task) = self
            .tasks
            .iter()
            .find(|t| str_at(t, "/ServiceID") == Some(core_id.as_str()) && task_is_running(t))
            .and_then(|t| str_at(t, "/ID"))
            .map(str::to_string)
        else {
            return;
        };
        let Ok(extensions) = self.core_verdict(&core_id) else {
            return;
        };
        let config = self
            .mounted_config(&core_id, CONFIG_TARGET)
            .unwrap_or_default();
        let names: Vec<&str> = extensions.iter().map(|e| e.name.as_str()).collect();
        self.core_once(
            &task,
            "loaded",
            &format!(
                "loaded {CONFIG_TARGET} ({config}): {} extension(s): {}",
                extensions.len(),
                names.join(", ")
            ),
            "info",
        );
        for ext in &extensions {
            let mut wanted = vec![
                (Kind::Extension, ext.service_name.clone()),
                (Kind::Proxy, Some(ext.proxy_service_name.clone())),
            ];
            if let Some(name) = &ext.config_service_name {
                wanted.push((Kind::Config, Some(name.clone())));
            }
            for (kind, name) in wanted {
                let unnamed_key = format!("{}/{}", ext.name, kind.word());
                let exists = match &name {
                    Some(n) => self.service_idx_by_name(n).is_some(),
                    None => self
                        .core_unnamed
                        .get(&unnamed_key)
                        .is_some_and(|id| self.service(id).is_some()),
                };
                if exists {
                    continue;
                }
                let shown = name.clone().unwrap_or_else(|| "(unnamed)".into());
                let subject = format!("{}/{}/{shown}", ext.name, kind.word());
                match self.create_service(ext.service_spec(kind, name.as_deref())) {
                    Ok(id) => {
                        if name.is_none() {
                            self.core_unnamed.insert(unnamed_key, id.clone());
                        }
                        self.core_said.remove(&subject);
                        self.core_log(
                            &task,
                            1,
                            "info",
                            &format!(
                                "created {} service {shown} ({id}) for extension {}",
                                kind.word(),
                                ext.name
                            ),
                        );
                    }
                    Err(e) => self.core_once(
                        &task,
                        &subject,
                        &format!(
                            "error creating {} service {shown} for extension {}: {}; retrying",
                            kind.word(),
                            ext.name,
                            e.message
                        ),
                        "error",
                    ),
                }
            }
        }
    }

    /// Logs `msg` unless it is what was last logged about `subject`.
    fn core_once(&mut self, task: &str, subject: &str, msg: &str, level: &str) {
        let key = format!("{task}/{subject}");
        if self.core_said.get(&key).map(String::as_str) == Some(msg) {
            return;
        }
        self.core_said.insert(key, msg.to_string());
        let stream = if level == "info" { 1 } else { 2 };
        self.core_log(task, stream, level, msg);
    }
}

/// The `Status` of a running task.
fn running_status(now: &str, seq: u64) -> Value {
    json!({
        "Timestamp": now,
        "State": "running",
        "Message": "started",
        "ContainerStatus": {
            "ContainerID": container_id(seq),
            "PID": 1000 + seq,
            "ExitCode": 0,
        },
    })
}

/// A 64-hex container ID.
fn container_id(seq: u64) -> String {
    format!("{:064x}", seq.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn task_is_running(t: &Value) -> bool {
    str_at(t, "/Status/State") == Some("running") && str_at(t, "/DesiredState") == Some("running")
}

/// (published port, protocol, mode) of the ports at `ptr`, published ones only.
fn ports_of(v: &Value, ptr: &str) -> Vec<(u64, String, String)> {
    v.pointer(ptr)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let port = p
                .get("PublishedPort")
                .and_then(Value::as_u64)
                .filter(|p| *p > 0)?;
            Some((
                port,
                str_at(p, "/Protocol").unwrap_or("tcp").to_string(),
                str_at(p, "/PublishMode").unwrap_or("ingress").to_string(),
            ))
        })
        .collect()
}

/// The host-mode ports a service publishes.
fn host_ports_of(svc: &Value) -> Vec<(u64, String)> {
    ports_of(svc, "/Spec/EndpointSpec/Ports")
        .into_iter()
        .filter(|(_, _, mode)| mode == "host")
        .map(|(p, proto, _)| (p, proto))
        .collect()
}

fn host_ports_of_task(state: &FakeState, t: &Value) -> Vec<(u64, String)> {
    state
        .service(str_at(t, "/ServiceID").unwrap_or_default())
        .map(host_ports_of)
        .unwrap_or_default()
}

/// Whether a node satisfies one constraint (values case-insensitive, as swarm compares them).
fn node_satisfies(node: &Value, (key, eq, value): &(String, bool, String)) -> bool {
    let actual: Option<String> = match key.as_str() {
        "node.id" => str_at(node, "/ID").map(str::to_string),
        "node.hostname" => str_at(node, "/Description/Hostname").map(str::to_string),
        "node.role" => str_at(node, "/Spec/Role").map(str::to_string),
        "node.platform.os" => str_at(node, "/Description/Platform/OS").map(str::to_string),
        "node.platform.arch" => {
            str_at(node, "/Description/Platform/Architecture").map(str::to_string)
        }
        k => {
            if let Some(label) = k.strip_prefix("node.labels.") {
                labels_at(node, "/Spec/Labels").get(label).cloned()
            } else if let Some(label) = k.strip_prefix("engine.labels.") {
                labels_at(node, "/Description/Engine/Labels")
                    .get(label)
                    .cloned()
            } else {
                None
            }
        }
    };
    let same = actual.is_some_and(|a| a.eq_ignore_ascii_case(value));
    same == *eq
}

// ---------------------------------------------------------------------------------------------
// The core's reading of its TOML

/// The kinds of service the core creates per extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Extension,
    Proxy,
    Config,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Extension => "extension",
            Kind::Proxy => "proxy",
            Kind::Config => "config",
        }
    }
}

/// One `[Extensions.<name>]`, as the core reads it.
#[derive(Clone, Debug)]
struct Ext {
    name: String,
    image: String,
    service_name: Option<String>,
    args: Vec<String>,
    constraints: Vec<String>,
    labels: BTreeMap<String, String>,
    container_labels: BTreeMap<String, String>,
    proxy_image: String,
    proxy_service_name: String,
    proxy_args: Vec<String>,
    proxy_replicas: u64,
    proxy_constraints: Vec<String>,
    publish_mode: String,
    published_port: Option<u16>,
    target_port: u16,
    published_ssl_port: Option<u16>,
    target_ssl_port: u16,
    proxy_labels: BTreeMap<String, String>,
    proxy_container_labels: BTreeMap<String, String>,
    config_service_name: Option<String>,
    config_image: Option<String>,
}

/// A key of a table, matched case-insensitively as Interlock does.
fn toml_get<'a>(table: &'a toml::Table, key: &str) -> Option<&'a toml::Value> {
    table.get(key).or_else(|| {
        table
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Typed reads of one extension table, naming the key in errors.
struct Keys<'a> {
    table: &'a toml::Table,
    path: String,
}

impl Keys<'_> {
    fn wrong(&self, key: &str, want: &str, v: &toml::Value) -> String {
        format!(
            "{}.{key}: expected {want}, found {}",
            self.path,
            v.type_str()
        )
    }

    fn string(&self, key: &str) -> Result<Option<String>, String> {
        match toml_get(self.table, key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone()).filter(|s| !s.is_empty())),
            Some(v) => Err(self.wrong(key, "a string", v)),
        }
    }

    fn integer(&self, key: &str) -> Result<Option<i64>, String> {
        match toml_get(self.table, key) {
            None => Ok(None),
            Some(toml::Value::Integer(n)) => Ok(Some(*n)),
            Some(v) => Err(self.wrong(key, "an integer", v)),
        }
    }

    fn port(&self, key: &str) -> Result<Option<u16>, String> {
        match self.integer(key)? {
            None | Some(0) => Ok(None),
            Some(n) => u16::try_from(n)
                .map(Some)
                .map_err(|_| format!("{}.{key}: {n} is not a port", self.path)),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        match toml_get(self.table, key) {
            None => Ok(Vec::new()),
            Some(toml::Value::Array(items)) => items
                .iter()
                .map(|i| match i {
                    toml::Value::String(s) => Ok(s.clone()),
                    other => Err(self.wrong(key, "strings", other)),
                })
                .collect(),
            Some(v) => Err(self.wrong(key, "an array", v)),
        }
    }

    fn map(&self, key: &str) -> Result<BTreeMap<String, String>, String> {
        match toml_get(self.table, key) {
            None => Ok(BTreeMap::new()),
            Some(toml::Value::Table(t)) => t
                .iter()
                .map(|(k, v)| match v {
                    toml::Value::String(s) => Ok((k.clone(), s.clone())),
                    other => Err(self.wrong(&format!("{key}.{k}"), "a string", other)),
                })
                .collect(),
            Some(v) => Err(self.wrong(key, "a table", v)),
        }
    }
}

/// Why the real core would refuse this TOML (and crash), or `None` when it can run it.
pub fn core_config_error(toml_text: &str) -> Option<String> {
    parse_core_config(toml_text).err()
}

fn parse_core_config(text: &str) -> Result<Vec<Ext>, String> {
    let root: toml::Table = toml::from_str(text).map_err(|e: toml::de::Error| {
        let message = e.message().trim().replace('\n', " ");
        match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                format!("TOML syntax error at line {line}: {message}")
            }
            None => format!("TOML syntax error: {message}"),
        }
    })?;
    let Some(extensions) = toml_get(&root, "Extensions") else {
        return Ok(Vec::new());
    };
    let toml::Value::Table(extensions) = extensions else {
        return Err("Extensions: expected a table".into());
    };
    let mut out = Vec::new();
    for (name, value) in extensions {
        let toml::Value::Table(table) = value else {
            return Err(format!("Extensions.{name}: expected a table"));
        };
        let k = Keys {
            table,
            path: format!("Extensions.{name}"),
        };
        let proxy_replicas = match k.integer("ProxyReplicas")? {
            None => {
                return Err(format!(
                    "Extensions.{name}: ProxyReplicas is missing: the proxy service cannot be created"
                ));
            }
            Some(n) => u64::try_from(n)
                .map_err(|_| format!("Extensions.{name}.ProxyReplicas: {n} is negative"))?,
        };
        out.push(Ext {
            name: name.clone(),
            image: k.string("Image")?.unwrap_or_default(),
            service_name: k.string("ServiceName")?,
            args: k.strings("Args")?,
            constraints: k.strings("Constraints")?,
            labels: k.map("Labels")?,
            container_labels: k.map("ContainerLabels")?,
            proxy_image: k.string("ProxyImage")?.unwrap_or_default(),
            proxy_service_name: k
                .string("ProxyServiceName")?
                .unwrap_or_else(|| "ucp-interlock-proxy".into()),
            proxy_args: k.strings("ProxyArgs")?,
            proxy_replicas,
            proxy_constraints: k.strings("ProxyConstraints")?,
            publish_mode: k.string("PublishMode")?.unwrap_or_else(|| "ingress".into()),
            published_port: k.port("PublishedPort")?,
            target_port: k.port("TargetPort")?.unwrap_or(80),
            published_ssl_port: k.port("PublishedSSLPort")?,
            target_ssl_port: k.port("TargetSSLPort")?.unwrap_or(443),
            proxy_labels: k.map("ProxyLabels")?,
            proxy_container_labels: k.map("ProxyContainerLabels")?,
            config_service_name: k.string("ConfigServiceName")?,
            config_image: k.string("ConfigImage")?,
        });
    }
    Ok(out)
}

impl Ext {
    /// The spec the core creates for `kind`.
    fn service_spec(&self, kind: Kind, name: Option<&str>) -> Value {
        let (mut labels, container_labels, constraints, image, args, replicas) = match kind {
            Kind::Extension => (
                self.labels.clone(),
                self.container_labels.clone(),
                self.constraints.clone(),
                self.image.clone(),
                self.args.clone(),
                1,
            ),
            Kind::Proxy => (
                self.proxy_labels.clone(),
                self.proxy_container_labels.clone(),
                self.proxy_constraints.clone(),
                self.proxy_image.clone(),
                self.proxy_args.clone(),
                self.proxy_replicas,
            ),
            Kind::Config => (
                self.labels.clone(),
                self.container_labels.clone(),
                self.constraints.clone(),
                self.config_image
                    .clone()
                    .unwrap_or_else(|| self.image.clone()),
                Vec::new(),
                1,
            ),
        };
        labels.insert(
            "type".into(),
            format!("com.docker.interlock.core.{}", kind.word()),
        );
        let image = if image.is_empty() {
            format!("docker/ucp-interlock-{}:unknown", kind.word())
        } else {
            image
        };
        let mut spec = json!({
            "Labels": labels,
            "TaskTemplate": {
                "ContainerSpec": { "Image": image, "Args": args, "Labels": container_labels },
                "Placement": { "Constraints": constraints },
                "RestartPolicy": { "Condition": "any", "MaxAttempts": 0 },
            },
            "Mode": { "Replicated": { "Replicas": replicas } },
        });
        if let Some(name) = name {
            spec["Name"] = json!(name);
        }
        if kind == Kind::Proxy {
            let ports: Vec<Value> = [
                (self.published_port, self.target_port),
                (self.published_ssl_port, self.target_ssl_port),
            ]
            .into_iter()
            .filter_map(|(published, target)| {
                Some(json!({
                    "Protocol": "tcp",
                    "TargetPort": target,
                    "PublishedPort": published?,
                    "PublishMode": self.publish_mode,
                }))
            })
            .collect();
            spec["EndpointSpec"] = json!({ "Mode": "vip", "Ports": ports });
        }
        spec
    }
}

// ---------------------------------------------------------------------------------------------
// The server

/// What the server thread and the test share.
struct Inner {
    state: FakeState,
    faults: Vec<(Fault, usize)>,
    requests: Vec<String>,
    faulted: Vec<String>,
    unknown: Vec<String>,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Inner> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running fake engine; stops on drop.
pub struct FakeDocker {
    addr: SocketAddr,
    shared: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeDocker {
    /// Serves `state` on `127.0.0.1:<random port>` from a background thread with its own
    /// tokio runtime.
    pub fn start(state: FakeState) -> FakeDocker {
        let shared: Shared = Arc::new(Mutex::new(Inner {
            state,
            faults: Vec::new(),
            requests: Vec::new(),
            faulted: Vec::new(),
            unknown: Vec::new(),
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the fake engine");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("fake engine address");
        let (tx, rx) = tokio::sync::oneshot::channel();
        let server_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("fake-docker-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(serve(listener, server_shared, rx));
                rt.shutdown_background();
            })
            .expect("fake engine thread");
        FakeDocker {
            addr,
            shared,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `tcp://127.0.0.1:<port>`, for `--host` (plain HTTP).
    pub fn docker_host(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.addr.port())
    }

    /// Arms a fault (faults are tried in the order they were armed).
    pub fn fail(&self, fault: Fault) {
        lock(&self.shared).faults.push((fault, 0));
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        lock(&self.shared).faults.clear();
    }

    /// Every request so far, oldest first: `"POST /services/abc/update?version=3"` (path and
    /// query as sent, without the `/vX.Y` prefix), faulted ones included.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.shared).requests.clone()
    }

    /// The requests a fault answered: `"GET /nodes → Status(500, \"boom\")"`.
    pub fn faulted(&self) -> Vec<String> {
        lock(&self.shared).faulted.clone()
    }

    /// Requests no route matched (answered 404, and printed to stderr).
    pub fn unknown_routes(&self) -> Vec<String> {
        lock(&self.shared).unknown.clone()
    }

    /// A copy of the state now, with every transition due by now applied.
    pub fn state(&self) -> FakeState {
        let mut inner = lock(&self.shared);
        inner.state.advance(Instant::now());
        inner.state.clone()
    }

    /// Changes the state in place (e.g. a concurrent writer bumping a version).
    pub fn modify<R>(&self, f: impl FnOnce(&mut FakeState) -> R) -> R {
        let mut inner = lock(&self.shared);
        inner.state.advance(Instant::now());
        f(&mut inner.state)
    }

    /// Polls the state every 10 ms until `probe` returns `Some`; panics after `timeout` with
    /// `what` and the services' names and update states.
    pub fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut probe: impl FnMut(&FakeState) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            let state = self.state();
            if let Some(v) = probe(&state) {
                return v;
            }
            if Instant::now() >= deadline {
                let services: Vec<String> = state
                    .service_names()
                    .into_iter()
                    .map(|n| format!("{n} ({:?})", state.update_state(&n)))
                    .collect();
                panic!("timed out after {timeout:?} waiting for {what}; services: {services:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for FakeDocker {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    shared: Shared,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let mut tick = tokio::time::interval(TICK);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tick.tick() => lock(&shared).state.advance(Instant::now()),
            accepted = listener.accept() => {
                if let Ok((tcp, _)) = accepted {
                    let shared = shared.clone();
                    tokio::spawn(async move {
                        let service = service_fn(move |req| handle(req, shared.clone()));
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(tcp), service)
                            .await;
                    });
                }
            }
        }
    }
}

type Reply = Response<Full<Bytes>>;

fn reply(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("Content-Type", content_type)
        .header("Api-Version", "1.41")
        .header("Server", format!("Docker/{ENGINE_VERSION} (linux)"))
        .body(Full::new(body.into()))
        .expect("response")
}

fn json_reply(status: u16, v: &Value) -> Reply {
    reply(status, "application/json", v.to_string())
}

fn error_reply(e: &ApiError) -> Reply {
    json_reply(e.status, &json!({ "message": e.message }))
}

/// `path` without a leading `/v<major>.<minor>`.
fn strip_version(path: &str) -> &str {
    if let Some(rest) = path.strip_prefix("/v") {
        let end = rest.find('/').unwrap_or(rest.len());
        let version = &rest[..end];
        if !version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return if end == rest.len() { "/" } else { &rest[end..] };
        }
    }
    path
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn flag(q: &BTreeMap<String, String>, key: &str) -> bool {
    q.get(key)
        .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true"))
}

/// The `filters` query parameter: `{"key": ["v", …]}` or the older `{"key": {"v": true}}`.
fn filters(q: &BTreeMap<String, String>) -> Result<BTreeMap<String, Vec<String>>, ApiError> {
    let Some(raw) = q.get("filters").filter(|f| !f.is_empty()) else {
        return Ok(BTreeMap::new());
    };
    let v: Value = serde_json::from_str(raw)
        .map_err(|e| ApiError::bad_request(format!("invalid filter: {e}")))?;
    let Value::Object(m) = v else {
        return Err(ApiError::bad_request("invalid filter: not an object"));
    };
    Ok(m.into_iter()
        .map(|(k, v)| {
            let values = match v {
                Value::Array(a) => a
                    .into_iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                Value::Object(o) => o.into_iter().map(|(k, _)| k).collect(),
                Value::String(s) => vec![s],
                _ => Vec::new(),
            };
            (k, values)
        })
        .collect())
}

/// All values of `key` match per `pred` (no values: everything matches).
fn filter_ok(
    f: &BTreeMap<String, Vec<String>>,
    key: &str,
    mut pred: impl FnMut(&str) -> bool,
) -> bool {
    f.get(key)
        .is_none_or(|vs| vs.is_empty() || vs.iter().any(|v| pred(v.as_str())))
}

fn version_param(q: &BTreeMap<String, String>) -> Result<u64, ApiError> {
    let raw = q.get("version").map(String::as_str).unwrap_or_default();
    raw.parse()
        .map_err(|_| ApiError::bad_request(format!("invalid version '{raw}'")))
}

fn body_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("invalid JSON: {e}")))
}

/// Answers one request: a fault if one is due, else the route.
async fn handle(req: Request<Incoming>, shared: Shared) -> Result<Reply, std::io::Error> {
    let method = req.method().clone();
    let path = strip_version(req.uri().path()).to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let target = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();

    let fault = {
        let mut inner = lock(&shared);
        let line = format!("{method} {target}");
        inner.requests.push(line.clone());
        let mut chosen = None;
        for (fault, seen) in &mut inner.faults {
            if fault.method.as_ref().is_some_and(|m| *m != method)
                || !target.contains(fault.path_contains.as_str())
            {
                continue;
            }
            *seen += 1;
            let first = fault.nth.max(1);
            if chosen.is_none() && *seen >= first && *seen - first < fault.times {
                chosen = Some(fault.kind.clone());
            }
        }
        if let Some(kind) = &chosen {
            inner.faulted.push(format!("{line} → {kind:?}"));
        }
        chosen
    };
    if let Some(kind) = fault {
        return match kind {
            FaultKind::Status(status, message) => Ok(error_reply(&ApiError::new(status, message))),
            FaultKind::Hang(d) => {
                tokio::time::sleep(d).await;
                Err(std::io::Error::other("fake docker: hung request dropped"))
            }
            FaultKind::Drop => Err(std::io::Error::other("fake docker: connection dropped")),
            FaultKind::OutOfSequence => Ok(error_reply(&ApiError::out_of_sequence())),
            FaultKind::InUse => {
                let inner = lock(&shared);
                let key = path
                    .strip_prefix("/configs/")
                    .map(|k| percent_decode(k, false))
                    .unwrap_or_default();
                let (name, users) = match inner.state.config(&key) {
                    Some(c) => (
                        str_at(c, "/Spec/Name").unwrap_or_default().to_string(),
                        inner
                            .state
                            .config_users(str_at(c, "/ID").unwrap_or_default()),
                    ),
                    None => (
                        if key.is_empty() {
                            FIRST_CONFIG.to_string()
                        } else {
                            key
                        },
                        Vec::new(),
                    ),
                };
                let users = if users.is_empty() {
                    vec![CORE_SERVICE.to_string()]
                } else {
                    users
                };
                Ok(error_reply(&FakeState::in_use(&name, &users)))
            }
        };
    }

    let mut inner = lock(&shared);
    inner.state.advance(Instant::now());
    let q = parse_query(&query);
    match route(&mut inner.state, &method, &path, &q, &body) {
        Some(Ok(reply)) => Ok(reply),
        Some(Err(e)) => Ok(error_reply(&e)),
        None => {
            eprintln!("fake docker: no route for {method} {target}");
            inner.unknown.push(format!("{method} {target}"));
            Ok(error_reply(&ApiError::not_found(format!(
                "page not found (the fake Docker engine has no route for {method} {path})"
            ))))
        }
    }
}

/// The route for a request, or `None` when there is none.
fn route(
    s: &mut FakeState,
    method: &Method,
    path: &str,
    q: &BTreeMap<String, String>,
    body: &[u8],
) -> Option<Result<Reply, ApiError>> {
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(|p| percent_decode(p, false))
        .collect();
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    let delete = *method == Method::DELETE;
    Some(match seg.as_slice() {
        ["_ping"] if get || *method == Method::HEAD => {
            Ok(reply(200, "text/plain; charset=utf-8", "OK"))
        }
        ["version"] if get => Ok(json_reply(200, &version_json(s))),
        ["info"] if get => Ok(json_reply(200, &info_json(s))),

        ["nodes"] if get => filters(q).map(|f| {
            let list: Vec<Value> = s
                .nodes
                .iter()
                .filter(|n| node_matches(n, &f))
                .cloned()
                .collect();
            json_reply(200, &json!(list))
        }),
        ["nodes", id] if get => s
            .node(id)
            .map(|n| json_reply(200, n))
            .ok_or_else(|| ApiError::not_found(format!("node {id} not found"))),
        ["nodes", id, "update"] if post => version_param(q)
            .and_then(|v| body_json(body).map(|b| (v, b)))
            .and_then(|(v, b)| s.update_node(id, v, b))
            .map(|()| reply(200, "text/plain", "")),

        ["services"] if get => filters(q).map(|f| {
            let with_status = flag(q, "status");
            let list: Vec<Value> = s
                .services
                .iter()
                .filter(|svc| service_matches(svc, &f))
                .map(|svc| {
                    let mut svc = svc.clone();
                    if with_status {
                        svc["ServiceStatus"] = service_status(s, &svc);
                    }
                    svc
                })
                .collect();
            json_reply(200, &json!(list))
        }),
        ["services", "create"] if post => body_json(body)
            .and_then(|b| s.create_service(b))
            .map(|id| json_reply(201, &json!({ "ID": id }))),
        ["services", id] if get => s
            .service(id)
            .map(|svc| json_reply(200, svc))
            .ok_or_else(|| ApiError::not_found(format!("service {id} not found"))),
        ["services", id] if delete => s.remove_service(id).map(|()| reply(200, "text/plain", "")),
        ["services", id, "update"] if post => version_param(q).and_then(|v| {
            (if q.get("rollback").map(String::as_str) == Some("previous") {
                s.rollback_service(id, v)
            } else {
                body_json(body).and_then(|b| s.update_service(id, v, b))
            })
            .map(|()| json_reply(200, &json!({ "Warnings": null })))
        }),
        ["services", id, "logs"] if get => match s.service(id).and_then(|svc| str_at(svc, "/ID")) {
            None => Err(ApiError::not_found(format!("service {id} not found"))),
            Some(sid) => {
                let tasks: Vec<String> = s
                    .tasks
                    .iter()
                    .filter(|t| str_at(t, "/ServiceID") == Some(sid))
                    .filter_map(|t| str_at(t, "/ID").map(str::to_string))
                    .collect();
                logs_reply(s, &tasks, q)
            }
        },

        ["tasks"] if get => filters(q).and_then(|f| {
            // The daemon resolves these filters first: an unknown name is a 404.
            for v in f.get("service").into_iter().flatten() {
                if s.service(v).is_none() {
                    return Err(ApiError::not_found(format!("service {v} not found")));
                }
            }
            for v in f.get("node").into_iter().flatten() {
                if s.node(v).is_none() {
                    return Err(ApiError::not_found(format!("node {v} not found")));
                }
            }
            let list: Vec<Value> = s
                .tasks
                .iter()
                .filter(|t| task_matches(s, t, &f))
                .cloned()
                .collect();
            Ok(json_reply(200, &json!(list)))
        }),
        ["tasks", id] if get => FakeState::find(&s.tasks, "/ID", id)
            .map(|i| json_reply(200, &s.tasks[i]))
            .ok_or_else(|| ApiError::not_found(format!("task {id} not found"))),
        ["tasks", id, "logs"] if get => match FakeState::find(&s.tasks, "/ID", id) {
            None => Err(ApiError::not_found(format!("task {id} not found"))),
            Some(i) => {
                let task = str_at(&s.tasks[i], "/ID").unwrap_or_default().to_string();
                logs_reply(s, &[task], q)
            }
        },

        ["configs"] if get => filters(q).map(|f| {
            let list: Vec<Value> = s
                .configs
                .iter()
                .filter(|c| config_matches(c, &f))
                .cloned()
                .collect();
            json_reply(200, &json!(list))
        }),
        ["configs", "create"] if post => body_json(body)
            .and_then(|b| s.create_config(b))
            .map(|id| json_reply(201, &json!({ "ID": id }))),
        ["configs", id] if get => s
            .config(id)
            .map(|c| json_reply(200, c))
            .ok_or_else(|| ApiError::not_found(format!("config {id} not found"))),
        ["configs", id] if delete => s.remove_config(id).map(|()| reply(204, "text/plain", "")),
        _ => return None,
    })
}

fn version_json(s: &FakeState) -> Value {
    json!({
        "Platform": { "Name": "Docker Engine - Community (fake)" },
        "Version": ENGINE_VERSION,
        "ApiVersion": s.api_version,
        "MinAPIVersion": "1.12",
        "GitCommit": "fake",
        "GoVersion": "go1.17.11",
        "Os": "linux",
        "Arch": "amd64",
        "KernelVersion": "5.15.0-fake",
        "BuildTime": "2022-06-06T23:01:03.000000000+00:00",
    })
}

fn info_json(s: &FakeState) -> Value {
    let managers: Vec<&Value> = s
        .nodes
        .iter()
        .filter(|n| str_at(n, "/Spec/Role") == Some("manager"))
        .collect();
    let me = managers.first().copied().or(s.nodes.first());
    let node_id = me.and_then(|n| str_at(n, "/ID")).unwrap_or_default();
    let addr = me
        .and_then(|n| str_at(n, "/Status/Addr"))
        .unwrap_or("10.0.0.2");
    json!({
        "ID": "FAKE:DOCKER:ENGINE",
        "Containers": s.tasks.iter().filter(|t| task_is_running(t)).count(),
        "Name": me.and_then(|n| str_at(n, "/Description/Hostname")).unwrap_or("fake"),
        "ServerVersion": ENGINE_VERSION,
        "OperatingSystem": "Fake Docker Engine",
        "OSType": "linux",
        "Architecture": "x86_64",
        "NCPU": 4,
        "MemTotal": 8_589_934_592u64,
        "Swarm": {
            "NodeID": node_id,
            "NodeAddr": addr,
            "LocalNodeState": "active",
            "ControlAvailable": true,
            "Error": "",
            "RemoteManagers": managers.iter().map(|n| json!({
                "NodeID": str_at(n, "/ID"),
                "Addr": format!("{}:2377", str_at(n, "/Status/Addr").unwrap_or_default()),
            })).collect::<Vec<_>>(),
            "Nodes": s.nodes.len(),
            "Managers": managers.len(),
            "Cluster": {
                "ID": "fakeclusterid000000000000",
                "Version": { "Index": 10 },
                "CreatedAt": timestamp(0),
                "UpdatedAt": timestamp(0),
                "Spec": { "Name": "default", "Labels": {} },
            },
        },
    })
}

fn service_status(s: &FakeState, svc: &Value) -> Value {
    let id = str_at(svc, "/ID").unwrap_or_default();
    let live: Vec<&Value> = s
        .tasks
        .iter()
        .filter(|t| str_at(t, "/ServiceID") == Some(id))
        .collect();
    let running = live.iter().filter(|t| task_is_running(t)).count();
    let desired = match svc
        .pointer("/Spec/Mode/Replicated/Replicas")
        .and_then(Value::as_u64)
    {
        Some(n) => n as usize,
        None => live
            .iter()
            .filter(|t| str_at(t, "/DesiredState") == Some("running"))
            .count(),
    };
    json!({ "RunningTasks": running, "DesiredTasks": desired, "CompletedTasks": 0 })
}

fn service_matches(svc: &Value, f: &BTreeMap<String, Vec<String>>) -> bool {
    let id = str_at(svc, "/ID").unwrap_or_default();
    let name = str_at(svc, "/Spec/Name").unwrap_or_default();
    let labels = labels_at(svc, "/Spec/Labels");
    filter_ok(f, "id", |v| id.starts_with(v))
        && filter_ok(f, "name", |v| name.starts_with(v))
        && filter_ok(f, "label", |v| label_matches(&labels, v))
        && filter_ok(f, "mode", |v| match v {
            "global" => svc.pointer("/Spec/Mode/Global").is_some(),
            "replicated" => svc.pointer("/Spec/Mode/Replicated").is_some(),
            _ => false,
        })
}

fn task_matches(s: &FakeState, t: &Value, f: &BTreeMap<String, Vec<String>>) -> bool {
    let id = str_at(t, "/ID").unwrap_or_default();
    let service = str_at(t, "/ServiceID").unwrap_or_default();
    let node = str_at(t, "/NodeID").unwrap_or_default();
    filter_ok(f, "id", |v| id.starts_with(v))
        && filter_ok(f, "service", |v| {
            s.service(v).and_then(|svc| str_at(svc, "/ID")) == Some(service)
        })
        && filter_ok(f, "node", |v| {
            !node.is_empty() && s.node(v).and_then(|n| str_at(n, "/ID")) == Some(node)
        })
        && filter_ok(f, "desired-state", |v| {
            str_at(t, "/DesiredState") == Some(v)
        })
        && filter_ok(f, "label", |v| label_matches(&labels_at(t, "/Labels"), v))
}

fn config_matches(c: &Value, f: &BTreeMap<String, Vec<String>>) -> bool {
    let id = str_at(c, "/ID").unwrap_or_default();
    let name = str_at(c, "/Spec/Name").unwrap_or_default();
    let labels = labels_at(c, "/Spec/Labels");
    filter_ok(f, "id", |v| id.starts_with(v))
        && filter_ok(f, "name", |v| name.starts_with(v))
        && filter_ok(f, "names", |v| name == v)
        && filter_ok(f, "label", |v| label_matches(&labels, v))
}

fn node_matches(n: &Value, f: &BTreeMap<String, Vec<String>>) -> bool {
    let id = str_at(n, "/ID").unwrap_or_default();
    let hostname = str_at(n, "/Description/Hostname").unwrap_or_default();
    filter_ok(f, "id", |v| id.starts_with(v))
        && filter_ok(f, "name", |v| hostname.starts_with(v))
        && filter_ok(f, "role", |v| str_at(n, "/Spec/Role") == Some(v))
        && filter_ok(f, "membership", |v| v == "accepted")
        && filter_ok(f, "node.label", |v| {
            label_matches(&labels_at(n, "/Spec/Labels"), v)
        })
        && filter_ok(f, "label", |v| {
            label_matches(&labels_at(n, "/Description/Engine/Labels"), v)
        })
}

/// The logs of `tasks` in Docker's multiplexed stream format (an 8-byte header per line:
/// stream, three zero bytes, big-endian length).
fn logs_reply(
    s: &FakeState,
    tasks: &[String],
    q: &BTreeMap<String, String>,
) -> Result<Reply, ApiError> {
    let (stdout, stderr) = (flag(q, "stdout"), flag(q, "stderr"));
    if !stdout && !stderr {
        return Err(ApiError::bad_request(
            "Bad parameters: you must choose at least one stream",
        ));
    }
    let mut lines: Vec<(String, &LogLine)> = Vec::new();
    for task in tasks {
        let Some(t) = FakeState::find(&s.tasks, "/ID", task).map(|i| &s.tasks[i]) else {
            continue;
        };
        let details = format!(
            "com.docker.swarm.node.id={},com.docker.swarm.service.id={},com.docker.swarm.task.id={task}",
            str_at(t, "/NodeID").unwrap_or_default(),
            str_at(t, "/ServiceID").unwrap_or_default(),
        );
        for line in s.logs.get(task).into_iter().flatten() {
            if (line.stream == 1 && stdout) || (line.stream == 2 && stderr) {
                lines.push((details.clone(), line));
            }
        }
    }
    if let Some(n) = q.get("tail").and_then(|t| t.parse::<usize>().ok()) {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let mut out = Vec::new();
    for (details, line) in lines {
        let mut text = String::new();
        if flag(q, "timestamps") {
            text.push_str(&line.time);
            text.push(' ');
        }
        if flag(q, "details") {
            text.push_str(&details);
            text.push(' ');
        }
        text.push_str(&line.text);
        text.push('\n');
        out.push(line.stream);
        out.extend_from_slice(&[0, 0, 0]);
        out.extend_from_slice(&(text.len() as u32).to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    }
    Ok(reply(200, "application/vnd.docker.multiplexed-stream", out))
}
