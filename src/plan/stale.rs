//! Services the new config retires, with the ports they hold: the model's stale rule
//! (`extension::stale`), on the cluster when there is one, else on the old config.

use super::{PortNeed, StaleService};
use crate::cluster::Snapshot;
use crate::extension::ProxySpec;
use crate::extension::stale::{Existing, implied, stale};
use crate::interlock::{InterlockConfig, ServiceRole};

/// What `new` retires: on the cluster, what exists of it (ports as the services publish them);
/// without one, what `old` implies (a proxy's ports as `old` gives them).
pub fn retired(
    old: &InterlockConfig,
    new: &InterlockConfig,
    snapshot: Option<&Snapshot>,
) -> Vec<StaleService> {
    let found = match snapshot {
        Some(snap) => stale(
            new,
            old,
            snap.services.iter().map(|s| Existing {
                name: &s.name,
                labelled: s.interlock_role(),
            }),
        ),
        None => {
            let implied = implied(old);
            let existing = implied.iter().map(|(name, _)| Existing {
                name,
                labelled: None,
            });
            stale(new, old, existing)
        }
    };
    found
        .into_iter()
        .map(|s| {
            let ports = held(&s.name, s.role, s.extension.as_deref(), old, snapshot);
            StaleService {
                blocks: needed(&ports, s.role, new),
                service: s.name,
                role: s.role,
                extension: s.extension.unwrap_or_else(|| "(not in the config)".into()),
                ports,
            }
        })
        .collect()
}

/// The ports a retired service publishes.
fn held(
    name: &str,
    role: ServiceRole,
    extension: Option<&str>,
    old: &InterlockConfig,
    snapshot: Option<&Snapshot>,
) -> Vec<u16> {
    match snapshot {
        Some(snap) => snap
            .service(name)
            .map(|svc| svc.ports.iter().map(|p| p.published).collect())
            .unwrap_or_default(),
        None if role == ServiceRole::Proxy => extension
            .and_then(|e| old.extension(e))
            .map(|e| ProxySpec::of(e).published())
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

/// The ports a retired proxy holds that a proxy of the new config needs.
fn needed(held: &[u16], role: ServiceRole, new: &InterlockConfig) -> Vec<PortNeed> {
    if role != ServiceRole::Proxy {
        return Vec::new();
    }
    let mut out = Vec::new();
    for e in &new.extensions {
        for p in ProxySpec::of(e).published() {
            if held.contains(&p) {
                out.push(PortNeed {
                    port: p,
                    cluster: e.name.clone(),
                });
            }
        }
    }
    out
}
