//! The spec as written, before defaults are applied.

use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSpec {
    pub template: Option<String>,
    pub keep_template: Option<bool>,
    #[serde(default)]
    pub keep_extensions: Vec<String>,
    #[serde(default)]
    pub defaults: RawCluster,
    #[serde(default)]
    pub clusters: IndexMap<String, RawCluster>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    pub service_cluster: Option<String>,
    pub http_port: Option<i64>,
    pub https_port: Option<i64>,
    pub proxy_replicas: Option<i64>,
    pub publish_mode: Option<String>,
    pub node_label: Option<String>,
    pub node_label_key: Option<String>,
    pub constraints: Option<ConstraintEdit>,
    pub proxy_constraints: Option<ConstraintEdit>,
    pub service_name: Option<String>,
    pub proxy_service_name: Option<String>,
    pub config_service_name: Option<String>,
    pub networks: Option<Vec<String>>,
    #[serde(default)]
    pub labels: IndexMap<String, String>,
    #[serde(default)]
    pub container_labels: IndexMap<String, String>,
    #[serde(default)]
    pub proxy_labels: IndexMap<String, String>,
    #[serde(default)]
    pub proxy_container_labels: IndexMap<String, String>,
    #[serde(default)]
    pub extension: IndexMap<String, toml::Value>,
    #[serde(default)]
    pub config: IndexMap<String, toml::Value>,
    pub collection: Option<String>,
    #[serde(default)]
    pub nodes: Vec<String>,
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
