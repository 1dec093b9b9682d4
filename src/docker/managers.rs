//! Naming the other managers when the one behind the connection has no leader: the operator's
//! way out is a manager on the majority side. `GET /info` still answers on a manager without a
//! leader (the engine fills its manager list from its own state); the hostnames come from the
//! last node list this client read, since no node list can be read through that manager then.

use std::sync::Mutex;
use std::time::Duration;

use bollard::models;

use super::client::Client;
use super::error::{ApiError, Manager};

/// The managers of the last node list read, and what `GET /info` said (asked once).
#[derive(Default)]
pub struct Known {
    listed: Mutex<Vec<Manager>>,
    info: tokio::sync::OnceCell<Option<Peers>>,
}

/// What a manager knows of itself and the others, without a leader.
#[derive(Clone)]
struct Peers {
    this: Manager,
    /// Every manager it knows, itself included.
    all: Vec<Manager>,
}

/// `10.213.77.12` from `10.213.77.12:2377`: the swarm port is not the API's.
fn host_of(addr: &str) -> String {
    match addr.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host.to_string(),
        _ => addr.to_string(),
    }
}

impl Known {
    /// Keeps the managers of a node list just read.
    pub fn remember(&self, nodes: &[models::Node]) {
        let managers = nodes
            .iter()
            .filter_map(|n| {
                let addr = n.manager_status.as_ref()?.addr.as_deref()?;
                Some(Manager {
                    id: n.id.clone().unwrap_or_default(),
                    addr: host_of(addr),
                    hostname: n.description.as_ref().and_then(|d| d.hostname.clone()),
                })
            })
            .collect();
        *self.listed.lock().unwrap() = managers;
    }

    fn hostname(&self, id: &str) -> Option<String> {
        let listed = self.listed.lock().unwrap();
        listed.iter().find(|m| m.id == id)?.hostname.clone()
    }
}

/// How long `GET /info` may take: right after a manager loses its leader the engine may wait
/// for one before it answers, and the error it names the managers for is already known.
const INFO_WAIT: Duration = Duration::from_secs(5);

impl Client {
    /// A no-leader error with this manager and the others named; any other error as it is.
    pub(super) async fn name_managers(&self, e: ApiError) -> ApiError {
        let ApiError::NoLeader(mut n) = e else {
            return e;
        };
        let known = &self.managers;
        let peers = known
            .info
            .get_or_init(|| async {
                let info = tokio::time::timeout(INFO_WAIT, self.docker().info()).await;
                peers(info.ok()?.ok()?)
            })
            .await
            .clone();
        match peers {
            Some(p) => {
                let named = |m: &Manager| Manager {
                    hostname: known.hostname(&m.id).or_else(|| m.hostname.clone()),
                    ..m.clone()
                };
                n.this = Some(named(&p.this));
                n.others = p
                    .all
                    .iter()
                    .filter(|m| m.id != p.this.id)
                    .map(named)
                    .collect();
                // The engine lists them by its own weighting: in address order, they read the
                // same every time.
                n.others.sort_by(|a, b| a.addr.cmp(&b.addr));
            }
            // Which of the listed managers is this one is not known: name them all.
            None => n.others = known.listed.lock().unwrap().clone(),
        }
        ApiError::NoLeader(n)
    }
}

/// This manager and the managers it knows, from `GET /info`.
fn peers(info: models::SystemInfo) -> Option<Peers> {
    let swarm = info.swarm?;
    let this = Manager {
        id: swarm.node_id?,
        addr: host_of(swarm.node_addr.as_deref().unwrap_or_default()),
        hostname: info.name,
    };
    let all = swarm
        .remote_managers
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            Some(Manager {
                id: p.node_id?,
                addr: host_of(&p.addr?),
                hostname: None,
            })
        })
        .collect();
    Some(Peers { this, all })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_swarm_port_is_dropped_from_addresses() {
        assert_eq!(host_of("10.213.77.12:2377"), "10.213.77.12");
        assert_eq!(host_of("10.213.77.12"), "10.213.77.12");
        assert_eq!(host_of("[fd00::1]:2377"), "[fd00::1]");
    }

    #[test]
    fn info_names_this_manager_and_the_others() {
        let info = models::SystemInfo {
            name: Some("mn-manager-1".into()),
            swarm: Some(models::SwarmInfo {
                node_id: Some("aaa".into()),
                node_addr: Some("10.0.0.1".into()),
                remote_managers: Some(vec![
                    models::PeerNode {
                        node_id: Some("aaa".into()),
                        addr: Some("10.0.0.1:2377".into()),
                    },
                    models::PeerNode {
                        node_id: Some("bbb".into()),
                        addr: Some("10.0.0.2:2377".into()),
                    },
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let p = peers(info).unwrap();
        assert_eq!(p.this.name(), "mn-manager-1 (10.0.0.1)");
        assert_eq!(p.all.len(), 2);
        assert_eq!(p.all[1].name(), "10.0.0.2 (node bbb)");
    }
}
