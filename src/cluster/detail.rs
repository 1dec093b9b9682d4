//! What apply reads beyond the snapshot: tasks with their history, a config with its data, a
//! node with the version a write must send, log sources.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ConfigInfo, Node, Task};

/// A task with what the convergence watch and failure reports need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDetail {
    pub id: String,
    pub task: Task,
    /// RFC 3339; orders a service's tasks (the newest failure is the one reported).
    pub updated_at: Option<String>,
    /// The task's container, for its logs.
    pub container_id: Option<String>,
}

/// A config with its data, decoded (the engine sends it in base64), and the version of its
/// spec, which a label write must send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigData {
    pub info: ConfigInfo,
    pub data: String,
    #[serde(default)]
    pub version: u64,
}

/// A config to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConfig {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub data: String,
}

/// A node with the version of its spec, which a label write must send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionedNode {
    pub node: Node,
    pub version: u64,
}

/// Where log lines come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogSource {
    /// All tasks of a service (name or ID), interleaved.
    Service(String),
    /// One container (a failed task's).
    Container(String),
}
