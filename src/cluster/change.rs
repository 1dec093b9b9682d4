//! The core's retarget, in the project's terms: the Docker module turns it into the core's live
//! spec with only these fields changed. (A proxy's update takes the extension model's
//! `ProxySpec`, the one the plan computed.)

use serde::{Deserialize, Serialize};

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
