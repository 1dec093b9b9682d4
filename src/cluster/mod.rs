//! What the tool knows of a live cluster: a snapshot read once, then reasoned about purely.
//!
//! The Docker client (`crate::docker`) fills it in; the plan and status read it. Nothing here
//! talks to the network, so every live check is tested with hand-built snapshots.

pub mod change;
pub mod detail;
pub mod history;
pub mod matching;
pub mod update;

pub use change::CoreRetarget;
pub use detail::{ConfigData, LogSource, NewConfig, TaskDetail, VersionedNode};
pub use history::{CoreHistory, CoreRun};
pub use update::{UpdateState, UpdateStatus};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::extension::{ConstraintSet, PortSpec, ProxySpec};
use crate::interlock::{PublishMode, ServiceRole, TYPE_LABEL};
use crate::route::Application;

/// The label UCP puts on nodes and objects to place them in a collection.
pub const COLLECTION_LABEL: &str = "com.docker.ucp.access.label";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manager,
    Worker,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub hostname: String,
    pub role: Role,
    /// `active`, `pause` or `drain`.
    pub availability: String,
    pub state: NodeState,
    pub labels: BTreeMap<String, String>,
    pub engine_labels: BTreeMap<String, String>,
    pub os: String,
    pub arch: String,
    /// The address swarm reaches it on (`Status.Addr`): where its host-mode and ingress ports
    /// answer.
    #[serde(default)]
    pub addr: String,
}

/// A node's state as swarm reports it. `Unknown` is not `Down`: a new leader marks every node
/// unknown until the node reports (a few seconds), so such a node is neither counted as able to
/// take a task nor as lost, by the plan's placement checks, `status` and apply's watch alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum NodeState {
    Ready,
    Down,
    Disconnected,
    /// Swarm has not heard from it since the leader changed (or says nothing this tool knows).
    Unknown,
}

impl NodeState {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Ready => "ready",
            NodeState::Down => "down",
            NodeState::Disconnected => "disconnected",
            NodeState::Unknown => "unknown",
        }
    }

    /// Known to be gone: what ran there no longer serves.
    pub fn lost(self) -> bool {
        matches!(self, NodeState::Down | NodeState::Disconnected)
    }
}

impl From<&str> for NodeState {
    fn from(s: &str) -> Self {
        match s {
            "ready" => NodeState::Ready,
            "down" => NodeState::Down,
            "disconnected" => NodeState::Disconnected,
            _ => NodeState::Unknown,
        }
    }
}

impl From<String> for NodeState {
    fn from(s: String) -> Self {
        NodeState::from(s.as_str())
    }
}

impl From<NodeState> for String {
    fn from(s: NodeState) -> Self {
        s.as_str().to_string()
    }
}

impl Node {
    /// Swarm schedules new tasks only on ready, active nodes.
    pub fn schedulable(&self) -> bool {
        self.state == NodeState::Ready && self.availability == "active"
    }

    /// Active, but its state is not known yet: it may well take a task once it reports.
    pub fn awaiting_report(&self) -> bool {
        self.state == NodeState::Unknown && self.availability == "active"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedPort {
    pub published: u16,
    pub target: u16,
    pub protocol: String,
    pub mode: PublishMode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigRef {
    pub config_id: String,
    pub config_name: String,
    pub target: String,
}

/// The config Interlock mounts in a proxy (at its extension's `ProxyConfigPath`), and the hosts
/// it routes: which config a task runs says whether that task routes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MountedRoutes {
    pub config_id: String,
    pub hosts: Vec<crate::route::proxy_config::ServedHost>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub version: u64,
    pub labels: BTreeMap<String, String>,
    /// `None` for a global service.
    pub replicas: Option<u64>,
    pub constraints: Vec<String>,
    pub ports: Vec<PublishedPort>,
    pub configs: Vec<ConfigRef>,
    pub image: String,
    /// Swarm's record of the last update; `None` when no update was ever recorded.
    pub update: Option<UpdateStatus>,
    /// The networks its tasks attach to, as the spec names them (IDs, usually).
    #[serde(default)]
    pub networks: Vec<String>,
}

impl Service {
    pub fn update_state(&self) -> Option<&UpdateState> {
        self.update.as_ref().and_then(|u| u.state.as_ref())
    }

    /// When the last update started: a new update is told from an old one by it.
    pub fn update_started(&self) -> Option<&str> {
        self.update.as_ref().and_then(|u| u.started_at.as_deref())
    }

    /// Swarm's reason, while a rollback runs.
    pub fn update_message(&self) -> Option<&str> {
        self.update.as_ref().and_then(|u| u.message.as_deref())
    }

    /// The role Interlock's `type` label gives a service it created, if any.
    pub fn interlock_role(&self) -> Option<ServiceRole> {
        ServiceRole::from_type_label(self.labels.get(TYPE_LABEL)?)
    }

    /// The proxy this service runs, in the model's terms, to compare with what its extension
    /// describes. Its publish mode is that of its first port.
    pub fn proxy_spec(&self) -> ProxySpec {
        let ports: Vec<PortSpec> = self
            .ports
            .iter()
            .map(|p| PortSpec {
                role: None,
                published: p.published,
                target: p.target,
                mode: p.mode,
            })
            .collect();
        ProxySpec {
            constraints: ConstraintSet::from(self.constraints.as_slice()),
            replicas: self.replicas,
            mode: ports.first().map_or(PublishMode::Ingress, |p| p.mode),
            ports,
        }
    }

    /// The config mounted where the Interlock core reads its TOML.
    pub fn config_at(&self, target: &str) -> Option<&ConfigRef> {
        self.configs.iter().find(|c| c.target == target)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigInfo {
    pub id: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub created_at: Option<String>,
}

/// A task, for `status`: where it runs and in what state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub service_id: String,
    pub node_id: Option<String>,
    pub state: String,
    pub desired_state: String,
    pub error: Option<String>,
    /// The IDs of the configs its spec mounts: which config a task of the core runs.
    #[serde(default)]
    pub configs: Vec<String>,
}

impl Task {
    /// The one rule for "this task runs", shared by `status` and apply's watch: swarm wants it
    /// running, it was last seen running, and its node is neither down nor of unknown state. A
    /// task on a node that went down keeps its last observed state `running` (and swarm's own
    /// count says 1/1) although nothing serves there any more; on a node whose state is not
    /// known yet, it may run, but that is not verified.
    pub fn counts_as_running(&self, nodes: &[Node]) -> bool {
        let unsure = self
            .node_state(nodes)
            .is_some_and(|s| s.lost() || s == NodeState::Unknown);
        self.meant_to_run() && !unsure
    }

    /// Meant to run and last seen running, on a node whose state is not known yet: neither
    /// running nor lost until the node reports.
    pub fn on_unknown_node(&self, nodes: &[Node]) -> bool {
        self.meant_to_run() && self.node_state(nodes) == Some(NodeState::Unknown)
    }

    fn meant_to_run(&self) -> bool {
        self.desired_state == "running" && self.state == "running"
    }

    fn node_state(&self, nodes: &[Node]) -> Option<NodeState> {
        let id = self.node_id.as_deref()?;
        nodes.iter().find(|n| n.id == id).map(|n| n.state)
    }
}

/// A swarm network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub name: String,
    /// `overlay`, `bridge`…
    pub driver: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub nodes: Vec<Node>,
    pub services: Vec<Service>,
    /// The configs whose name says they are the core's (`…interlock…conf…`).
    pub configs: Vec<ConfigInfo>,
    pub tasks: Vec<Task>,
    #[serde(default)]
    pub networks: Vec<Network>,
    /// The names of the swarm's secrets (never their data): what TLS labels may name.
    #[serde(default)]
    pub secrets: Vec<String>,
}

impl Snapshot {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn node(&self, name_or_id: &str) -> Option<&Node> {
        self.nodes
            .iter()
            .find(|n| n.hostname == name_or_id || n.id == name_or_id)
            .or_else(|| {
                self.nodes
                    .iter()
                    .find(|n| n.id.starts_with(name_or_id) && name_or_id.len() >= 6)
            })
    }

    pub fn config_names(&self) -> Vec<String> {
        self.configs.iter().map(|c| c.name.clone()).collect()
    }

    /// A network by ID or name.
    pub fn network(&self, id_or_name: &str) -> Option<&Network> {
        self.networks
            .iter()
            .find(|n| n.id == id_or_name || n.name == id_or_name)
    }

    /// The names of the networks a service attaches to (an ID swarm no longer knows stays as
    /// it is).
    pub fn network_names(&self, svc: &Service) -> Vec<String> {
        svc.networks
            .iter()
            .map(|n| {
                self.network(n)
                    .map_or_else(|| n.clone(), |net| net.name.clone())
            })
            .collect()
    }

    /// Every application service: those whose labels publish them to Interlock.
    pub fn applications(&self) -> Vec<Application> {
        self.services
            .iter()
            .filter_map(|s| Application::read(&s.name, &s.labels, self.network_names(s)))
            .collect()
    }
}
