//! The proxy service an extension describes: what Interlock creates, and what apply sets when it
//! brings an existing proxy in line.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::constraints::ConstraintSet;
use crate::interlock::keys::ext;
use crate::interlock::{Extension, PublishMode};

/// Where the proxy listens when the config has no `TargetPort` / `TargetSSLPort`, as Interlock
/// defaults them.
pub const DEFAULT_TARGET_PORT: u16 = 80;
pub const DEFAULT_TARGET_SSL_PORT: u16 = 443;

/// What a proxy's port carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortRole {
    /// `PublishedPort` → `TargetPort`.
    Http,
    /// `PublishedSSLPort` → `TargetSSLPort`.
    Https,
}

impl PortRole {
    /// The extension key that publishes a port of this role.
    pub fn key(self) -> &'static str {
        match self {
            PortRole::Http => ext::PUBLISHED_PORT,
            PortRole::Https => ext::PUBLISHED_SSL_PORT,
        }
    }
}

/// Where a proxy reads its config when the extension does not say (`ProxyConfigPath`).
pub const DEFAULT_PROXY_CONFIG_PATH: &str = "/etc/nginx/nginx.conf";

/// Where the proxy of `e` reads the config Interlock writes for it.
pub fn config_path(e: &Extension) -> &str {
    e.proxy_config_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or(DEFAULT_PROXY_CONFIG_PATH)
}

/// One published port of a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PortSpec {
    /// What the config says it carries; `None` for a port read off a running service, which
    /// does not say.
    pub role: Option<PortRole>,
    pub published: u16,
    pub target: u16,
    pub mode: PublishMode,
}

/// `8080→80`.
impl fmt::Display for PortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}→{}", self.published, self.target)
    }
}

/// The proxy as the config describes it, or as the cluster runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProxySpec {
    pub constraints: ConstraintSet,
    /// `None`: the config does not say (or the service is global).
    pub replicas: Option<u64>,
    pub ports: Vec<PortSpec>,
    pub mode: PublishMode,
}

impl ProxySpec {
    /// What the extension asks for. Ports outside 1–65535 are left out: the checks report them.
    pub fn of(e: &Extension) -> Self {
        let mode = e.publish_mode().unwrap_or(PublishMode::Ingress);
        let port = |role, published: Option<i64>, target: Option<i64>, default: u16| {
            Some(PortSpec {
                role: Some(role),
                published: u16::try_from(published?).ok()?,
                target: match target {
                    Some(t) => u16::try_from(t).ok()?,
                    None => default,
                },
                mode,
            })
        };
        let ports = [
            port(
                PortRole::Http,
                e.published_port,
                e.target_port,
                DEFAULT_TARGET_PORT,
            ),
            port(
                PortRole::Https,
                e.published_ssl_port,
                e.target_ssl_port,
                DEFAULT_TARGET_SSL_PORT,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        Self {
            constraints: ConstraintSet::from(e.proxy_constraints.as_slice()),
            replicas: e.proxy_replicas.and_then(|n| u64::try_from(n).ok()),
            ports,
            mode,
        }
    }

    /// The port of `role`, if the proxy publishes one.
    pub fn port(&self, role: PortRole) -> Option<&PortSpec> {
        self.ports.iter().find(|p| p.role == Some(role))
    }

    /// The published port numbers.
    pub fn published(&self) -> Vec<u16> {
        self.ports.iter().map(|p| p.published).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_default_to_80_and_443() {
        let e = Extension {
            published_port: Some(8080),
            published_ssl_port: Some(8443),
            target_ssl_port: Some(8444),
            proxy_replicas: Some(2),
            publish_mode_raw: Some("host".into()),
            proxy_constraints: vec!["node.role==worker".into()],
            ..Default::default()
        };
        let p = ProxySpec::of(&e);
        let host = PublishMode::Host;
        assert_eq!(
            p.ports,
            [
                PortSpec {
                    role: Some(PortRole::Http),
                    published: 8080,
                    target: 80,
                    mode: host
                },
                PortSpec {
                    role: Some(PortRole::Https),
                    published: 8443,
                    target: 8444,
                    mode: host
                },
            ]
        );
        assert_eq!((p.replicas, p.mode), (Some(2), host));
        assert_eq!(p.constraints.as_slice(), ["node.role==worker"]);
        assert_eq!(p.published(), [8080, 8443]);
        assert_eq!(p.ports[0].to_string(), "8080→80");
        assert_eq!(p.port(PortRole::Https).map(|p| p.published), Some(8443));
        assert_eq!(PortRole::Https.key(), "PublishedSSLPort");
    }

    #[test]
    fn out_of_range_ports_and_negative_replicas_are_left_out() {
        let e = Extension {
            published_port: Some(70000),
            published_ssl_port: Some(8443),
            target_ssl_port: Some(-1),
            proxy_replicas: Some(-1),
            ..Default::default()
        };
        let p = ProxySpec::of(&e);
        assert!(p.ports.is_empty());
        assert_eq!((p.replicas, p.mode), (None, PublishMode::Ingress));
    }

    #[test]
    fn round_trips_through_json() {
        let e = Extension {
            published_port: Some(8080),
            proxy_replicas: Some(1),
            ..Default::default()
        };
        let p = ProxySpec::of(&e);
        let back: ProxySpec = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
