//! What the core's update needs beyond the config: its own port, published in host mode when
//! the proxies publish in host mode (as the Interlock docs require).

use crate::interlock::{InterlockConfig, PublishMode};

/// The core's port to publish in host mode, when any extension of `toml` publishes in host
/// mode.
pub fn host_port(toml: &str) -> Option<u16> {
    let host_mode = InterlockConfig::parse(toml)
        .map(|(_, c)| {
            c.extensions
                .iter()
                .any(|e| e.publish_mode() == Some(PublishMode::Host))
        })
        .unwrap_or(false);
    host_mode.then(|| listen_port(toml))
}

/// The port the core listens on (`ListenAddr = ":8080"`).
pub fn listen_port(toml: &str) -> u16 {
    toml.parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|d| {
            crate::interlock::keys::get(d.as_table(), "ListenAddr")
                .and_then(|(_, i)| i.as_str().map(String::from))
        })
        .and_then(|a| a.rsplit(':').next().and_then(|p| p.parse().ok()))
        .unwrap_or(8080)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_listen_port() {
        assert_eq!(listen_port("ListenAddr = \":9090\"\n"), 9090);
        assert_eq!(listen_port(""), 8080);
    }
}
