//! The spec as written, before defaults are applied.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    /// the extension cloned for clusters that do not exist yet. When it is gone (removed by an
    /// earlier split), the first cluster of the spec that exists stands in for it.
    pub template: Option<String>,
    /// keep the template extension after the split (the seed removes it)
    pub keep_template: Option<bool>,
    /// other extensions to leave exactly as they are. Any extension that is neither a cluster of
    /// the spec, the template, nor listed here is **removed** from the config (with a warning): the
    /// spec is the whole list.
    #[serde(default)]
    pub keep_extensions: Vec<String>,
    /// any cluster field below except `service_cluster`, `collection` and `nodes`; every cluster
    /// inherits it unless it sets the field itself. Label and escape-hatch tables merge key by key.
    #[serde(default)]
    pub defaults: RawCluster,
    /// one table per service cluster, in the order they appear in the new config. `<name>` becomes
    /// `[Extensions.<name>]` and part of the service names, so it must be a valid service-name part
    /// (letters, digits, `-`, `_`).
    #[serde(default)]
    pub clusters: IndexMap<String, RawCluster>,
}

#[derive(Debug, Deserialize, Default, Clone, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    /// what applications put in `com.docker.lb.service_cluster`
    pub service_cluster: Option<String>,
    /// HTTP port the proxy publishes
    pub http_port: Option<i64>,
    /// HTTPS port the proxy publishes
    pub https_port: Option<i64>,
    /// number of proxy tasks
    pub proxy_replicas: Option<i64>,
    /// `"ingress"` (port on every node; each cluster needs its own ports) or `"host"` (port on
    /// the proxy's nodes only; clusters may share ports)
    pub publish_mode: Option<String>,
    /// shorthand: adds `node.labels.<node_label_key>==<value>` to both the extension's and the
    /// proxy's constraints, replacing any other `==` on that label
    pub node_label: Option<String>,
    /// the label key `node_label` uses
    pub node_label_key: Option<String>,
    /// the extension's placement, see below
    pub constraints: Option<ConstraintEdit>,
    /// the proxy's placement, see below
    pub proxy_constraints: Option<ConstraintEdit>,
    /// extension service name; `{name}` and `{service_cluster}` are replaced
    pub service_name: Option<String>,
    /// proxy service name
    pub proxy_service_name: Option<String>,
    /// an existing proxy service this cluster takes over, such as `"ucp-interlock-proxy"` when it
    /// takes the default proxy's ports: it becomes the cluster's `ProxyServiceName`, Interlock
    /// finds it and creates none, and apply brings it in line by a rolling update instead of
    /// removing it (no gap in traffic with 2 or more replicas). Not with `proxy_service_name`
    pub adopt_proxy: Option<String>,
    /// config service name (UCP 3.2.3+); written only where the template has the key or the
    /// spec sets it
    pub config_service_name: Option<String>,
    /// overlay networks the proxy joins
    pub networks: Option<Vec<String>>,
    /// extra labels, added to (or overriding keys of) the template's
    #[serde(default)]
    pub labels: IndexMap<String, String>,
    /// extra labels, added to (or overriding keys of) the template's
    #[serde(default)]
    pub container_labels: IndexMap<String, String>,
    /// extra labels, added to (or overriding keys of) the template's
    #[serde(default)]
    pub proxy_labels: IndexMap<String, String>,
    /// extra labels, added to (or overriding keys of) the template's
    #[serde(default)]
    pub proxy_container_labels: IndexMap<String, String>,
    /// escape hatch: set any other key of the extension, e.g. `ProxyStopGracePeriod = "10s"`.
    /// Keys with a field of their own above are refused.
    #[serde(default)]
    #[schemars(with = "IndexMap<String, serde_json::Value>")]
    pub extension: IndexMap<String, toml::Value>,
    /// escape hatch: set keys of the extension's nginx `Config` table, e.g.
    /// `MaxConnections = 2048`
    #[serde(default)]
    #[schemars(with = "IndexMap<String, serde_json::Value>")]
    pub config: IndexMap<String, toml::Value>,
    /// the UCP collection the cluster's nodes belong to (`/dev`); checked against the nodes by the
    /// live plan
    pub collection: Option<String>,
    /// nodes that should carry the cluster's label; the live plan lists the label changes, apply
    /// makes them
    #[serde(default)]
    pub nodes: Vec<String>,
    /// application services this cluster routes, by name or glob (`"demodev_*"`): the plan sets
    /// `com.docker.lb.service_cluster` to this cluster on each that is not labelled for it. A
    /// service labelled for another cluster moves only when named exactly, never by a glob
    #[serde(default)]
    pub apps: Vec<String>,
    /// this cluster keeps the default, unnamed service cluster (`ServiceCluster = ""`): the
    /// applications without `com.docker.lb.service_cluster` stay routed by it, relabelled by
    /// none. At most one cluster
    pub catch_all: Option<bool>,
}

/// How a cluster's constraints derive from the ones its section already has.
///
/// Written either as a list (added) or as a table with `add`, `remove`, `replace`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub struct ConstraintEdit {
    pub replace: Option<Vec<String>>,
    pub add: Vec<String>,
    pub remove: Vec<String>,
    /// Whether it was written as a plain list, for pointing at its elements.
    pub as_list: bool,
}

fn strings(v: &toml::Value, what: &str) -> Result<Vec<String>, String> {
    let arr = v.as_array().ok_or_else(|| {
        format!("`{what}` must be a list of strings such as [\"node.role==worker\"]")
    })?;
    arr.iter()
        .map(|x| {
            x.as_str()
                .map(String::from)
                .ok_or_else(|| format!("`{what}` must hold strings, found {x}"))
        })
        .collect()
}

impl TryFrom<toml::Value> for ConstraintEdit {
    type Error = String;

    fn try_from(v: toml::Value) -> Result<Self, String> {
        match &v {
            toml::Value::Array(_) => Ok(ConstraintEdit {
                add: strings(&v, "constraints")?,
                as_list: true,
                ..Default::default()
            }),
            toml::Value::Table(t) => {
                let mut edit = ConstraintEdit::default();
                for (k, val) in t {
                    match k.as_str() {
                        "replace" => edit.replace = Some(strings(val, "replace")?),
                        "add" => edit.add = strings(val, "add")?,
                        "remove" => edit.remove = strings(val, "remove")?,
                        other => {
                            return Err(format!(
                                "unknown key `{other}`: constraints take `add`, `remove` or `replace`"
                            ));
                        }
                    }
                }
                Ok(edit)
            }
            _ => Err(
                "expected a list of constraints, or a table with `add`, `remove` or `replace`"
                    .into(),
            ),
        }
    }
}
