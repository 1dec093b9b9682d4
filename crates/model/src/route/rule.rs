//! Which extension routes an application, and on which network its proxy reaches it.
//!
//! Interlock's filter is not public (see the README's "What is inferred about Interlock"): the
//! rule here is the one its documentation and demos imply. An application is routed by the
//! extension whose `ServiceCluster` equals the application's `com.docker.lb.service_cluster`
//! label, both read as Go reads a missing string: as `""` [DOC + INF], compared exactly, case
//! and spaces included, as Go's `==` compares [INF].

use serde::{Deserialize, Serialize};

use super::app::Application;
use crate::interlock::{Extension, InterlockConfig};

/// The service cluster an extension serves: its `ServiceCluster`, or `""` without it.
pub fn serves(e: &Extension) -> &str {
    e.service_cluster.as_deref().unwrap_or("")
}

/// The extension of `cfg` that routes applications of `cluster` (an application's
/// `cluster()`), if any.
pub fn extension_for<'a>(cluster: &str, cfg: &'a InterlockConfig) -> Option<&'a Extension> {
    cfg.extensions
        .iter()
        .filter(|e| e.is_table)
        .find(|e| serves(e) == cluster)
}

/// The extension of `cfg` whose proxy routes `app`: the one of its cluster, if Interlock can
/// use its labels at all (`Application::routable`). What plan, status and verify expect.
pub fn routed_by<'a>(app: &Application, cfg: &'a InterlockConfig) -> Option<&'a Extension> {
    extension_for(app.cluster(), cfg).filter(|_| app.routable())
}

/// An extension whose `ServiceCluster` matches `cluster` only once case and spaces are
/// ignored: what the operator most likely meant when nothing matches exactly.
pub fn near_miss<'a>(cluster: &str, cfg: &'a InterlockConfig) -> Option<&'a Extension> {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = fold(cluster);
    cfg.extensions
        .iter()
        .filter(|e| e.is_table)
        .find(|e| serves(e) != cluster && fold(serves(e)) == wanted)
}

/// Why a proxy cannot reach an application's tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum Unreachable {
    /// `com.docker.lb.network` names a network that does not exist.
    NoSuchNetwork { network: String },
    /// `com.docker.lb.network` names a network the service is not attached to.
    NotAttached { network: String },
    /// Several networks and no `com.docker.lb.network` to say which.
    Ambiguous { networks: Vec<String> },
    /// SSL passthrough needs `com.docker.lb.network`, even on one network.
    PassthroughWithoutLabel,
    /// No overlay network at all: the proxy has nothing to reach it on.
    NoNetwork,
    /// The cluster's `Networks` list leaves the network out: its proxy joins only those.
    OutsideClusterNetworks {
        network: String,
        listed: Vec<String>,
    },
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreachable::NoSuchNetwork { network } => {
                write!(
                    f,
                    "com.docker.lb.network names `{network}`, which does not exist"
                )
            }
            Unreachable::NotAttached { network } => write!(
                f,
                "com.docker.lb.network names `{network}`, which the service is not attached to"
            ),
            Unreachable::Ambiguous { networks } => write!(
                f,
                "the service is on several networks ({}) and has no com.docker.lb.network to say which the proxy uses",
                networks.join(", ")
            ),
            Unreachable::PassthroughWithoutLabel => write!(
                f,
                "it uses com.docker.lb.ssl_passthrough, which needs com.docker.lb.network even on one network"
            ),
            Unreachable::NoNetwork => write!(f, "the service is on no overlay network"),
            Unreachable::OutsideClusterNetworks { network, listed } => write!(
                f,
                "its network `{network}` is not in the cluster's Networks ({}), the only ones its proxy joins",
                listed.join(", ")
            ),
        }
    }
}

/// The network the proxy of `e` reaches `app` on. `exists` says whether a network of that name
/// is in the swarm.
pub fn network(
    app: &Application,
    e: &Extension,
    exists: &dyn Fn(&str) -> bool,
) -> Result<String, Unreachable> {
    let network = match (&app.network, app.networks.as_slice()) {
        (Some(n), _) if !app.networks.contains(n) => {
            return Err(if exists(n) {
                Unreachable::NotAttached { network: n.clone() }
            } else {
                Unreachable::NoSuchNetwork { network: n.clone() }
            });
        }
        (Some(n), _) => n.clone(),
        (None, _) if app.passthrough => return Err(Unreachable::PassthroughWithoutLabel),
        (None, [one]) => one.clone(),
        (None, []) => return Err(Unreachable::NoNetwork),
        (None, many) => {
            return Err(Unreachable::Ambiguous {
                networks: many.to_vec(),
            });
        }
    };
    // With a Networks list the proxy joins those and no other (Interlock 3); VIP mode goes
    // through the same network.
    if !e.networks.is_empty() && !e.networks.contains(&network) {
        return Err(Unreachable::OutsideClusterNetworks {
            network,
            listed: e.networks.clone(),
        });
    }
    Ok(network)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::labels;
    use super::*;

    fn cfg(text: &str) -> InterlockConfig {
        InterlockConfig::parse(text).unwrap().1
    }

    const SPLIT: &str = "[Extensions.dev]\nServiceCluster = \"dev\"\n[Extensions.prod]\nServiceCluster = \"prod\"\nNetworks = [\"ingress_prod\"]\n";

    fn app(cluster: Option<&str>, network: Option<&str>, networks: &[&str]) -> Application {
        let mut l = BTreeMap::from([(labels::HOSTS.to_string(), "a.example".to_string())]);
        if let Some(c) = cluster {
            l.insert(labels::SERVICE_CLUSTER.into(), c.into());
        }
        if let Some(n) = network {
            l.insert(labels::NETWORK.into(), n.into());
        }
        Application::read("a", &l, networks.iter().map(|n| n.to_string()).collect()).unwrap()
    }

    #[test]
    fn the_label_names_the_cluster_exactly() {
        let c = cfg(SPLIT);
        assert_eq!(
            extension_for("dev", &c).map(|e| e.name.as_str()),
            Some("dev")
        );
        assert!(extension_for("Prod", &c).is_none());
        assert_eq!(near_miss("Prod", &c).map(|e| e.name.as_str()), Some("prod"));
        assert_eq!(
            near_miss(" prod", &c).map(|e| e.name.as_str()),
            Some("prod")
        );
        assert!(near_miss("prod", &c).is_none());
    }

    #[test]
    fn no_label_and_no_service_cluster_are_the_same_cluster() {
        let ucp = cfg("[Extensions.default]\nProxyReplicas = 2\n");
        assert_eq!(
            extension_for("", &ucp).map(|e| e.name.as_str()),
            Some("default")
        );
        assert!(extension_for("", &cfg(SPLIT)).is_none());
        let empty = cfg("[Extensions.a]\nServiceCluster = \"\"\n");
        assert!(extension_for("", &empty).is_some());
    }

    #[test]
    fn the_network_the_proxy_reaches_it_on() {
        let c = cfg(SPLIT);
        let (dev, prod) = (c.extension("dev").unwrap(), c.extension("prod").unwrap());
        let exists = |n: &str| n != "ghost";
        assert_eq!(
            network(&app(None, None, &["n1"]), dev, &exists),
            Ok("n1".into())
        );
        assert!(matches!(
            network(&app(None, None, &["n1", "n2"]), dev, &exists),
            Err(Unreachable::Ambiguous { .. })
        ));
        assert!(matches!(
            network(&app(None, Some("n2"), &["n1"]), dev, &exists),
            Err(Unreachable::NotAttached { .. })
        ));
        assert!(matches!(
            network(&app(None, Some("ghost"), &["n1"]), dev, &exists),
            Err(Unreachable::NoSuchNetwork { .. })
        ));
        assert!(matches!(
            network(&app(None, None, &[]), dev, &exists),
            Err(Unreachable::NoNetwork)
        ));
        assert!(matches!(
            network(&app(None, None, &["n1"]), prod, &exists),
            Err(Unreachable::OutsideClusterNetworks { .. })
        ));
        assert_eq!(
            network(&app(None, None, &["ingress_prod"]), prod, &exists),
            Ok("ingress_prod".into())
        );
    }
}
