//! The services Interlock creates for an extension, by role.

use serde::{Deserialize, Serialize};

use crate::interlock::Extension;
use crate::interlock::config::ServiceRole;
use crate::interlock::keys::ext;

/// The proxy service Interlock creates for an extension without `ProxyServiceName`.
pub const DEFAULT_PROXY_SERVICE_NAME: &str = "ucp-interlock-proxy";

/// One service an extension implies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpliedService {
    pub role: ServiceRole,
    pub name: String,
    /// The name is Interlock's default: the config does not set it.
    pub defaulted: bool,
}

impl ImpliedService {
    /// The key of the extension that names this service.
    pub fn key(&self) -> &'static str {
        match self.role {
            ServiceRole::Extension => ext::SERVICE_NAME,
            ServiceRole::Proxy => ext::PROXY_SERVICE_NAME,
            ServiceRole::Config => ext::CONFIG_SERVICE_NAME,
        }
    }
}

/// Extension, proxy and config services, in that order. Only the proxy has a name Interlock
/// picks itself; an extension or config service without a name gets a random one from Docker,
/// which nothing can refer to in advance.
pub fn services(e: &Extension) -> Vec<ImpliedService> {
    // An empty name is no name: Docker picks one, as for an absent key.
    let named = |role, name: &Option<String>| {
        name.as_ref()
            .filter(|n| !n.is_empty())
            .map(|n| ImpliedService {
                role,
                name: n.clone(),
                defaulted: false,
            })
    };
    let proxy = named(ServiceRole::Proxy, &e.proxy_service_name).unwrap_or(ImpliedService {
        role: ServiceRole::Proxy,
        name: DEFAULT_PROXY_SERVICE_NAME.to_string(),
        defaulted: true,
    });
    named(ServiceRole::Extension, &e.service_name)
        .into_iter()
        .chain([proxy])
        .chain(named(ServiceRole::Config, &e.config_service_name))
        .collect()
}

/// The proxy service's name, defaulted as Interlock does.
pub fn proxy_name(e: &Extension) -> &str {
    e.proxy_service_name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or(DEFAULT_PROXY_SERVICE_NAME)
}

/// Whether `name` is one of the services `e` implies.
pub fn implies(e: &Extension, name: &str) -> bool {
    services(e).iter().any(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_role_with_the_proxy_defaulted() {
        let e = Extension {
            name: "dev".into(),
            service_name: Some("ext-dev".into()),
            config_service_name: Some("cfg-dev".into()),
            ..Default::default()
        };
        let s = services(&e);
        let roles: Vec<_> = s
            .iter()
            .map(|s| (s.role, s.name.as_str(), s.defaulted))
            .collect();
        assert_eq!(
            roles,
            [
                (ServiceRole::Extension, "ext-dev", false),
                (ServiceRole::Proxy, DEFAULT_PROXY_SERVICE_NAME, true),
                (ServiceRole::Config, "cfg-dev", false),
            ]
        );
        assert_eq!(s[1].key(), ext::PROXY_SERVICE_NAME);
        assert!(implies(&e, "ucp-interlock-proxy"));
        assert!(!implies(&e, "other"));
    }

    #[test]
    fn a_named_proxy_is_not_defaulted() {
        let e = Extension {
            proxy_service_name: Some("p".into()),
            ..Default::default()
        };
        assert_eq!(
            services(&e),
            [ImpliedService {
                role: ServiceRole::Proxy,
                name: "p".into(),
                defaulted: false
            }]
        );
        assert_eq!(proxy_name(&e), "p");
    }
}
