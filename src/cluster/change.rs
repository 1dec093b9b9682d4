//! The two service writes apply makes, in the project's terms. The Docker module turns each
//! into the service's live spec with only these fields changed.

use serde::{Deserialize, Serialize};

use super::PublishedPort;

/// Point the core's `/config.toml` at another config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoreRetarget {
    /// Where the core reads its TOML (`/config.toml`).
    pub target: String,
    pub config_id: String,
    pub config_name: String,
    /// Publish the core's own port in host mode (as the Interlock docs require when proxies
    /// publish in host mode); only the target, never a fixed published port.
    pub host_port: Option<u16>,
}

/// A proxy brought in line with its extension: constraints, replicas and ports replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxySpec {
    pub constraints: Vec<String>,
    /// `None` leaves the replica count (and a global service) as it is.
    pub replicas: Option<u64>,
    pub ports: Vec<PublishedPort>,
}
