//! Which services are stale: Interlock's services that a config no longer names. The one rule
//! the plan (what apply removes) and `status` (what it flags) both read.

use super::services::services;
use crate::interlock::{CORE_SERVICE, InterlockConfig, ServiceRole};

/// A service that exists, as the rule sees it: its name, and the role Interlock's `type` label
/// gives it (`None` without that label).
#[derive(Debug, Clone, Copy)]
pub struct Existing<'a> {
    pub name: &'a str,
    pub labelled: Option<ServiceRole>,
}

/// A service `config` no longer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub name: String,
    pub role: ServiceRole,
    /// The extension of `previous` that implies it; `None` for a leftover no extension names.
    pub extension: Option<String>,
}

/// The services of `existing` that are Interlock's and that `config` does not name: those
/// `previous` implies, and any that carries Interlock's `type` label (leftovers of a hand-made
/// split, or of an apply that stopped half-way). A service with neither is the operator's, and
/// never stale, whatever its name; nor is the core. `previous`'s services come first, in its
/// order, then the labelled leftovers in `existing`'s order.
pub fn stale<'a>(
    config: &InterlockConfig,
    previous: &InterlockConfig,
    existing: impl IntoIterator<Item = Existing<'a>>,
) -> Vec<Stale> {
    let named = |name: &str| {
        config
            .extensions
            .iter()
            .flat_map(services)
            .any(|s| s.name == name)
    };
    let existing: Vec<Existing> = existing.into_iter().collect();
    let exists = |name: &str| existing.iter().find(|e| e.name == name);
    let mut out: Vec<Stale> = Vec::new();
    for e in &previous.extensions {
        for s in services(e) {
            let Some(found) = exists(&s.name) else {
                continue;
            };
            if named(&s.name) || out.iter().any(|o| o.name == s.name) {
                continue;
            }
            out.push(Stale {
                role: found.labelled.unwrap_or(s.role),
                name: s.name,
                extension: Some(e.name.clone()),
            });
        }
    }
    for e in &existing {
        let Some(role) = e.labelled else { continue };
        if e.name == CORE_SERVICE || named(e.name) || out.iter().any(|o| o.name == e.name) {
            continue;
        }
        out.push(Stale {
            name: e.name.to_string(),
            role,
            extension: None,
        });
    }
    out
}

/// What `config` implies, as services that exist: to find what a config's successor leaves
/// behind when there is no cluster to look at.
pub fn implied(config: &InterlockConfig) -> Vec<(String, ServiceRole)> {
    config
        .extensions
        .iter()
        .flat_map(services)
        .map(|s| (s.name, s.role))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> InterlockConfig {
        InterlockConfig::parse(text).unwrap().1
    }

    fn existing<'a>(xs: &'a [(&'a str, Option<ServiceRole>)]) -> Vec<Existing<'a>> {
        xs.iter()
            .map(|&(name, labelled)| Existing { name, labelled })
            .collect()
    }

    const OLD: &str =
        "[Extensions.default]\nServiceName = \"ucp-interlock-extension\"\nProxyReplicas = 2\n";
    const NEW: &str = "[Extensions.dev]\nServiceName = \"ext-dev\"\nProxyServiceName = \"proxy-dev\"\nProxyReplicas = 1\n";

    #[test]
    fn what_the_previous_config_named_and_labelled_leftovers() {
        let proxy = Some(ServiceRole::Proxy);
        let on = [
            ("ucp-interlock", proxy),
            ("ucp-interlock-extension", None),
            ("ucp-interlock-proxy", proxy),
            ("proxy-dev", proxy),
            ("old-proxy-east", proxy),
            ("ucp-interlock-backup", None),
        ];
        let s = stale(&cfg(NEW), &cfg(OLD), existing(&on));
        let got: Vec<(&str, ServiceRole, Option<&str>)> = s
            .iter()
            .map(|s| (s.name.as_str(), s.role, s.extension.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "ucp-interlock-extension",
                    ServiceRole::Extension,
                    Some("default")
                ),
                ("ucp-interlock-proxy", ServiceRole::Proxy, Some("default")),
                ("old-proxy-east", ServiceRole::Proxy, None),
            ]
        );
    }

    /// `status` asks with the config in use as both: only labelled leftovers remain.
    #[test]
    fn against_itself_only_leftovers() {
        let on = [
            ("proxy-dev", Some(ServiceRole::Proxy)),
            ("x", Some(ServiceRole::Config)),
        ];
        let s = stale(&cfg(NEW), &cfg(NEW), existing(&on));
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].name.as_str(), s[0].role), ("x", ServiceRole::Config));
    }

    #[test]
    fn without_a_cluster_the_previous_config_stands_for_it() {
        let old = cfg(OLD);
        let on = implied(&old);
        let on: Vec<Existing> = on
            .iter()
            .map(|(name, _)| Existing {
                name,
                labelled: None,
            })
            .collect();
        let names: Vec<String> = stale(&cfg(NEW), &old, on)
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(names, ["ucp-interlock-extension", "ucp-interlock-proxy"]);
    }
}
