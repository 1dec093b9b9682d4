//! The plan: one model of what would change and why, shared by `plan`, `render` and `apply`,
//! printed for people or as JSON.

pub mod action;
mod build;
pub mod diff;
mod host_apart;
mod live;
mod mask;
mod relocate;
pub mod routes;
pub mod saved;
mod stale;
#[cfg(test)]
mod test_fixtures;
mod unknown_nodes;

use serde::{Deserialize, Serialize};

pub use action::{Action, Replanned, When, same_plan};
pub use build::{Inputs, build, build_live, prune_candidates};
pub use routes::{AppRoute, Gap, Route};

use crate::extension::ProxySpec;
use crate::finding::Finding;
use crate::split::{ClusterStatus, TemplateUse};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    File,
    Cluster,
}

/// Where the current config came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub kind: SourceKind,
    pub path: Option<String>,
    /// The Docker config it is, when known.
    pub config_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Services {
    pub extension: Option<String>,
    pub proxy: Option<String>,
    pub config: Option<String>,
}

/// One service cluster as the new config describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPlan {
    pub name: String,
    pub status: ClusterStatus,
    pub service_cluster: Option<String>,
    pub services: Services,
    /// The proxy as the new config describes it: constraints, replicas, ports (with what each
    /// carries and its target, defaulted as Interlock defaults it) and publish mode.
    pub proxy: ProxySpec,
    /// The extension service's constraints.
    pub constraints: Vec<String>,
    pub changed_keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaleService {
    pub service: String,
    pub role: crate::interlock::config::ServiceRole,
    pub extension: String,
    pub ports: Vec<u16>,
    /// Ports it holds that a new proxy needs.
    pub blocks: Vec<PortNeed>,
}

impl StaleService {
    /// The ports it holds that a new proxy needs, each once, in the order first met (several
    /// clusters may need one port in host mode).
    pub fn frees_ports(&self) -> Vec<u16> {
        let mut out: Vec<u16> = Vec::new();
        for b in &self.blocks {
            if !out.contains(&b.port) {
                out.push(b.port);
            }
        }
        out
    }

    /// The clusters that need its ports, each once, in the order first met.
    pub fn needed_by(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for b in &self.blocks {
            if !out.contains(&b.cluster) {
                out.push(b.cluster.clone());
            }
        }
        out
    }
}

/// A published port a new cluster's proxy needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortNeed {
    pub port: u16,
    pub cluster: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub removed_extensions: usize,
    pub stale_services: usize,
    pub errors: usize,
    pub warnings: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub current: Source,
    pub spec: String,
    pub template: TemplateUse,
    /// Whether the new config differs from the current one at all.
    pub changed: bool,
    pub summary: Summary,
    pub clusters: Vec<ClusterPlan>,
    pub removed_extensions: Vec<String>,
    pub stale_services: Vec<StaleService>,
    /// Every application's route now and after the plan (live plans only).
    pub routes: Vec<AppRoute>,
    pub findings: Vec<Finding>,
    pub actions: Vec<Action>,
    /// Unified diff of the TOML, secret-looking values masked.
    pub diff: String,
    /// The TOML apply uploads. Not in `plan --output json`, which is for people and scripts
    /// to read; a saved plan carries it next to the plan.
    #[serde(skip)]
    pub new_config: String,
}

impl Plan {
    /// Whether apply would do anything at all.
    pub fn has_changes(&self) -> bool {
        !self.actions.is_empty()
    }

    pub fn has_errors(&self) -> bool {
        crate::finding::has_errors(&self.findings)
    }
}
