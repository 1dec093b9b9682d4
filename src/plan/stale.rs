//! Services the new config no longer names, and the ports they hold.

use super::{PortNeed, StaleService};
use crate::check::DEFAULT_PROXY_SERVICE_NAME;
use crate::interlock::config::ServiceRole;
use crate::interlock::{Extension, InterlockConfig};

fn named(e: &Extension) -> Vec<(ServiceRole, String)> {
    let mut out: Vec<(ServiceRole, String)> = e
        .service_names()
        .into_iter()
        .map(|(r, n)| (r, n.to_string()))
        .collect();
    if e.proxy_service_name.is_none() {
        out.push((ServiceRole::Proxy, DEFAULT_PROXY_SERVICE_NAME.to_string()));
    }
    out
}

fn ports(e: &Extension) -> Vec<u16> {
    e.published_ports()
        .into_iter()
        .filter_map(|(_, p)| u16::try_from(p).ok())
        .collect()
}

/// Every service of `old` that `new` does not name, with the ports a new proxy needs from it.
pub fn stale_services(old: &InterlockConfig, new: &InterlockConfig) -> Vec<StaleService> {
    let still: Vec<String> = new
        .extensions
        .iter()
        .flat_map(named)
        .map(|(_, n)| n)
        .collect();
    let mut out = Vec::new();
    for e in &old.extensions {
        for (role, name) in named(e) {
            if still.contains(&name) || out.iter().any(|s: &StaleService| s.service == name) {
                continue;
            }
            let held = if role == ServiceRole::Proxy {
                ports(e)
            } else {
                Vec::new()
            };
            let mut blocks = Vec::new();
            for n in &new.extensions {
                for p in ports(n) {
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
