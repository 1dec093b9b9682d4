//! The steps an apply takes, in order. `plan` shows them; `apply` executes exactly these.

use serde::{Deserialize, Serialize};

use crate::extension::{Drift, PortSpec, ProxySpec};
use crate::interlock::config::ServiceRole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    /// Right after the core runs the new config, before Interlock can create the proxy that
    /// needs the port this service holds.
    BeforeNewProxies,
    /// Once every new service has converged.
    AfterNewProxies,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Action {
    /// Upload the new TOML as a new, versioned Docker config.
    CreateConfig {
        /// `None` when planned from a file and the config in use is not known.
        name: Option<String>,
        previous: Option<String>,
    },
    /// Point the core at the new config, with automatic rollback on failure.
    UpdateCoreService {
        service: String,
        target: String,
        from: Option<String>,
        to: Option<String>,
        update_failure_action: String,
    },
    /// Remove a service the new config no longer names.
    RemoveStaleService {
        service: String,
        role: ServiceRole,
        extension: String,
        when: When,
        /// Ports it holds that a new proxy needs.
        frees_ports: Vec<u16>,
        needed_by: Vec<String>,
    },
    /// Interlock creates this service from the new config; apply waits for it to converge.
    AwaitService {
        service: String,
        role: ServiceRole,
        cluster: String,
        replicas: Option<u64>,
        ports: Vec<PortSpec>,
        constraints: Vec<String>,
    },
    /// Put a cluster's label on a node (seed Step 3).
    LabelNode {
        node: String,
        hostname: String,
        key: String,
        value: String,
        previous: Option<String>,
    },
    /// Remove interlock configs beyond the newest `keep`; never the one in use, the one before
    /// it (needed for rollback), or the new one.
    PruneConfigs { keep: usize, remove: Vec<String> },
    /// An existing proxy the new config describes differently: Interlock does not change
    /// proxies it has already created, so apply sets `spec` on it.
    ReconcileProxy {
        service: String,
        cluster: String,
        /// What apply sets: the proxy as the new config describes it.
        spec: ProxySpec,
        /// How the proxy differs from `spec` now.
        drift: Vec<Drift>,
    },
}
