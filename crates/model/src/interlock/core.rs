//! The Interlock core as UCP/MKE runs it.

/// The core service UCP creates when Layer 7 routing is enabled.
pub const CORE_SERVICE: &str = "ucp-interlock";

/// Where the core reads its TOML: the target of the Docker config it mounts.
pub const CONFIG_TARGET: &str = "/config.toml";
