//! The spec once resolved: one fully specified entry per service cluster.

use indexmap::IndexMap;

use super::fields;
use super::raw::ConstraintEdit;
use crate::interlock::PublishMode;

#[derive(Debug, Clone)]
pub struct Spec {
    pub file: String,
    /// The extension cloned for new clusters.
    pub template: String,
    pub keep_template: bool,
    /// Extensions the spec does not manage and leaves as they are.
    pub keep_extensions: Vec<String>,
    pub clusters: Vec<ClusterSpec>,
}

/// The node label that marks a cluster's ingress nodes (seed Step 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeLabel {
    pub key: String,
    pub value: String,
}

impl NodeLabel {
    pub fn constraint(&self) -> String {
        format!("node.labels.{}=={}", self.key, self.value)
    }
}

#[derive(Debug, Clone, Default)]
pub struct LabelSets {
    pub labels: IndexMap<String, String>,
    pub container_labels: IndexMap<String, String>,
    pub proxy_labels: IndexMap<String, String>,
    pub proxy_container_labels: IndexMap<String, String>,
}

impl LabelSets {
    /// (extension sub-table, labels) pairs.
    pub fn tables(&self) -> [(&'static str, &IndexMap<String, String>); 4] {
        [
            (fields::LABELS.key(), &self.labels),
            (fields::CONTAINER_LABELS.key(), &self.container_labels),
            (fields::PROXY_LABELS.key(), &self.proxy_labels),
            (
                fields::PROXY_CONTAINER_LABELS.key(),
                &self.proxy_container_labels,
            ),
        ]
    }
}

/// Which names the spec sets itself (in the cluster or in `[defaults]`). The others are
/// defaults, written only where the extension has no value of its own: an existing cluster
/// keeps the names it has, so that listing it does not retire its running services.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NamesSet {
    pub service_cluster: bool,
    pub service_name: bool,
    pub proxy_service_name: bool,
}

#[derive(Debug, Clone)]
pub struct ClusterSpec {
    pub name: String,
    pub service_cluster: String,
    pub http_port: Option<u16>,
    pub https_port: Option<u16>,
    pub proxy_replicas: Option<u64>,
    pub publish_mode: Option<PublishMode>,
    pub node_label: Option<NodeLabel>,
    pub constraints: ConstraintEdit,
    pub proxy_constraints: ConstraintEdit,
    pub service_name: String,
    pub proxy_service_name: String,
    /// The running proxy service the cluster takes over (then also its `proxy_service_name`).
    pub adopt_proxy: Option<String>,
    pub config_service_name: String,
    /// Set only where the spec names it; otherwise only where the template has the key.
    pub config_service_name_explicit: bool,
    pub names_set: NamesSet,
    pub networks: Option<Vec<String>>,
    pub labels: LabelSets,
    /// Escape hatch: other keys of the extension, and of its `Config` table.
    pub extension: Vec<(String, toml_edit::Value)>,
    pub config: Vec<(String, toml_edit::Value)>,
    pub collection: Option<String>,
    pub nodes: Vec<String>,
    /// Application services the cluster routes: names or globs (`*`, `?`).
    pub apps: Vec<String>,
    /// The cluster keeps the default, unnamed service cluster (`service_cluster` is `""`).
    pub catch_all: bool,
}
