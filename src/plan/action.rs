//! The steps an apply takes, in order. `plan` shows them; `apply` executes exactly these.

use std::collections::BTreeMap;

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
    /// Point `ucp-interlock`'s `/config.toml` at the new config, with rollback on failure.
    UpdateCoreService {
        from: Option<String>,
        to: Option<String>,
        /// The core's own port, published in host mode with it, when the new config's proxies
        /// publish in host mode (as the Interlock docs require).
        core_host_port: Option<u16>,
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
    /// Create an overlay network a cluster's proxy joins (its `Networks`), in the cluster's
    /// collection, before the core runs the config that names it (the walk-through's Step 9).
    CreateNetwork {
        name: String,
        cluster: String,
        labels: BTreeMap<String, String>,
    },
    /// Set an application's `com.docker.lb.service_cluster` (the spec's `apps`): only its
    /// labels change, which swarm restarts no task for. Sent at the version the plan read.
    RelabelApp {
        service: String,
        hosts: Vec<String>,
        /// The label now (`null`: none).
        from: Option<String>,
        to: String,
        version: u64,
    },
    /// Wait until the proxy of the cluster that routes an application after the plan serves
    /// its hosts (read from the config Interlock writes for the proxy), before its old route
    /// may go.
    AwaitRoute {
        service: String,
        hosts: Vec<String>,
        cluster: String,
        proxy: String,
        /// Where the proxy reads its config (`ProxyConfigPath`).
        config_path: String,
    },
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

/// The phases of an apply, in order: what each group of steps is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Nodes labelled and networks created: what the new config needs before the core runs it.
    Prepare,
    /// The new config uploaded and the core pointed at it.
    SwitchCore,
    /// Proxies holding ports the new ones need go, and the new services come up.
    NewProxies,
    /// Applications relabelled, and their new routes awaited.
    MoveApplications,
    /// What the new config no longer names goes, once nothing is routed through it.
    Retire,
}

impl Phase {
    pub fn title(self) -> &'static str {
        match self {
            Phase::Prepare => "prepare: nodes and networks the new config needs",
            Phase::SwitchCore => "switch ucp-interlock to the new config",
            Phase::NewProxies => "hand over ports and bring up the new services",
            Phase::MoveApplications => "move applications to their clusters",
            Phase::Retire => "retire what the new config no longer names",
        }
    }
}

impl Action {
    pub fn phase(&self) -> Phase {
        match self {
            Action::LabelNode { .. } | Action::CreateNetwork { .. } => Phase::Prepare,
            Action::CreateConfig { .. } | Action::UpdateCoreService { .. } => Phase::SwitchCore,
            Action::RemoveStaleService {
                when: When::BeforeNewProxies,
                ..
            }
            | Action::AwaitService { .. }
            | Action::ReconcileProxy { .. } => Phase::NewProxies,
            Action::RelabelApp { .. } | Action::AwaitRoute { .. } => Phase::MoveApplications,
            Action::RemoveStaleService { .. } | Action::PruneConfigs { .. } => Phase::Retire,
        }
    }
}

/// How a step of a plan made again after "update out of sequence" may differ from the step the
/// operator approved, with the plan still being the one approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replanned {
    /// It may differ: it follows from the TOML (compared apart) and the configs on the cluster
    /// (the config this run created may have taken the planned name; which old configs are
    /// pruned moves with it).
    MayDiffer,
    /// It must be one the approved plan has, or be gone because the first try did it (a node
    /// label set, a service removed).
    Approved,
}

impl Action {
    /// One arm per kind of step, so that a new kind cannot be forgotten by the re-plan check.
    pub fn replanned(&self) -> Replanned {
        match self {
            Action::CreateConfig { .. }
            | Action::UpdateCoreService { .. }
            | Action::PruneConfigs { .. } => Replanned::MayDiffer,
            Action::RemoveStaleService { .. }
            | Action::AwaitService { .. }
            | Action::LabelNode { .. }
            | Action::ReconcileProxy { .. }
            | Action::CreateNetwork { .. }
            | Action::RelabelApp { .. }
            | Action::AwaitRoute { .. } => Replanned::Approved,
        }
    }
}

/// Whether a plan made again (`again`, uploading `again_toml`) is the one approved (`shown`,
/// uploading `shown_toml`): the same TOML, and no step that changes services or nodes the
/// approved plan did not have.
pub fn same_plan(shown: &[Action], shown_toml: &str, again: &[Action], again_toml: &str) -> bool {
    shown_toml == again_toml
        && again
            .iter()
            .filter(|a| a.replanned() == Replanned::Approved)
            .all(|a| shown.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(node: &str) -> Action {
        Action::LabelNode {
            node: node.into(),
            hostname: node.into(),
            key: "k".into(),
            value: "v".into(),
            previous: None,
        }
    }

    fn create(name: &str) -> Action {
        Action::CreateConfig {
            name: Some(name.into()),
            previous: None,
        }
    }

    #[test]
    fn a_replan_that_only_lacks_finished_steps_or_renames_the_config_is_the_same() {
        let shown = [label("a"), label("b"), create("conf-2")];
        assert!(same_plan(&shown, "t", &[label("b"), create("conf-3")], "t"));
        assert!(!same_plan(
            &shown,
            "t",
            &[label("c"), create("conf-2")],
            "t"
        ));
        assert!(!same_plan(&shown, "t", &shown, "other TOML"));
    }
}
