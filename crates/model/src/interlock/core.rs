//! The Interlock core as UCP/MKE runs it.

use super::{InterlockConfig, PublishMode};

/// The core service UCP creates when Layer 7 routing is enabled.
pub const CORE_SERVICE: &str = "ucp-interlock";

/// Where the core reads its TOML: the target of the Docker config it mounts.
pub const CONFIG_TARGET: &str = "/config.toml";

/// The port the core listens on when the config does not say (`ListenAddr = ":8080"`).
pub const DEFAULT_CORE_PORT: u16 = 8080;

/// The core's port to publish in host mode: when any extension publishes its proxy in host
/// mode, the Interlock docs have the core publish its own port in host mode too
/// (`--publish-add mode=host,target=8080`). `None` when every proxy publishes in ingress mode.
pub fn host_port(cfg: &InterlockConfig) -> Option<u16> {
    let host_mode = cfg
        .extensions
        .iter()
        .any(|e| e.publish_mode() == Some(PublishMode::Host));
    host_mode.then(|| listen_port(cfg))
}

/// The port of `ListenAddr` (`":9090"`, `"0.0.0.0:9090"`), else the default.
fn listen_port(cfg: &InterlockConfig) -> u16 {
    cfg.listen_addr
        .as_deref()
        .and_then(|a| a.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or(DEFAULT_CORE_PORT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(toml: &str) -> Option<u16> {
        host_port(&InterlockConfig::parse(toml).unwrap().1)
    }

    #[test]
    fn only_host_mode_publishes_the_core_port() {
        let ingress = "[Extensions.a]\nPublishMode = \"ingress\"\n";
        assert_eq!(port(ingress), None);
        let host = "[Extensions.a]\nPublishMode = \"host\"\n";
        assert_eq!(port(host), Some(8080));
        assert_eq!(port(&format!("ListenAddr = \":9090\"\n{host}")), Some(9090));
        assert_eq!(
            port(&format!("listenaddr = \"0.0.0.0:7070\"\n{host}")),
            Some(7070)
        );
    }
}
