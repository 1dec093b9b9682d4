//! Services the new config no longer names, and the ports they hold.

use super::{PortNeed, StaleService};
use crate::extension::ProxySpec;
use crate::extension::services::services;
use crate::interlock::InterlockConfig;
use crate::interlock::config::ServiceRole;

/// Every service of `old` that `new` does not name, with the ports a new proxy needs from it.
pub fn stale_services(old: &InterlockConfig, new: &InterlockConfig) -> Vec<StaleService> {
    let still: Vec<String> = new
        .extensions
        .iter()
        .flat_map(services)
        .map(|s| s.name)
        .collect();
    let mut out = Vec::new();
    for e in &old.extensions {
        for s in services(e) {
            let (role, name) = (s.role, s.name);
            if still.contains(&name) || out.iter().any(|s: &StaleService| s.service == name) {
                continue;
            }
            let held = if role == ServiceRole::Proxy {
                ProxySpec::of(e).published()
            } else {
                Vec::new()
            };
            let mut blocks = Vec::new();
            for n in &new.extensions {
                for p in ProxySpec::of(n).published() {
                    if held.contains(&p) {
                        blocks.push(PortNeed {
                            port: p,
                            cluster: n.name.clone(),
                        });
                    }
                }
            }
            out.push(StaleService {
                service: name,
                role,
                extension: e.name.clone(),
                ports: held,
                blocks,
            });
        }
    }
    out
}
