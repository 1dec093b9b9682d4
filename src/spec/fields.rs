//! The spec's fields and the Interlock keys they write: the one table that resolve, the shape
//! check, the split, the relocation of findings and the proxy's spec read.

use crate::interlock::keys::ext;

/// Where a field may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Under `[clusters.<name>]` or, for all clusters at once, under `[defaults]`.
    ClusterOrDefaults,
    /// Only under `[clusters.<name>]`: it names one cluster's own things.
    Cluster,
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Port,
    Count,
    PublishMode,
    /// A label value, turned into a placement constraint.
    NodeLabel,
    Constraints,
    /// A service name with `{name}` and `{service_cluster}` placeholders.
    NamePattern,
    List,
    /// `true` or `false`.
    Bool,
    /// String-to-string labels, one sub-table of the extension.
    Labels,
    /// Other keys, written as given (the escape hatch, nginx settings).
    Table,
}

/// What a field does to a service cluster's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Sets this key (a value or a sub-table) of the extension.
    Key(&'static str),
    /// Adds to keys other fields set.
    AddsTo(&'static [&'static str]),
    /// No key of its own (it qualifies another field, or acts on the cluster).
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub writes: Writes,
    pub scope: Scope,
    pub kind: FieldKind,
    /// Part of the spec of the proxy service Interlock creates, which Interlock does not
    /// change once it has created it.
    pub proxy: bool,
}

impl Field {
    /// The extension key it sets.
    pub const fn key(&self) -> &'static str {
        match self.writes {
            Writes::Key(k) => k,
            _ => panic!("this field sets no key of its own"),
        }
    }

    /// Whether it sets `key` (matched as Interlock matches keys: in any case).
    pub fn sets(&self, key: &str) -> bool {
        matches!(self.writes, Writes::Key(k) if k.eq_ignore_ascii_case(key))
    }

    fn adds_to(&self, key: &str) -> bool {
        matches!(self.writes, Writes::AddsTo(ks) if ks.iter().any(|k| k.eq_ignore_ascii_case(key)))
    }
}

const fn field(name: &'static str, writes: Writes, scope: Scope, kind: FieldKind) -> Field {
    Field {
        name,
        writes,
        scope,
        kind,
        proxy: false,
    }
}

const fn proxy(f: Field) -> Field {
    Field { proxy: true, ..f }
}

use FieldKind as K;
use Scope::{Cluster, ClusterOrDefaults as Both};
use Writes::{AddsTo, Key, Nothing};

pub const SERVICE_CLUSTER: Field = field(
    "service_cluster",
    Key(ext::SERVICE_CLUSTER),
    Cluster,
    K::Text,
);
pub const HTTP_PORT: Field = proxy(field("http_port", Key(ext::PUBLISHED_PORT), Both, K::Port));
pub const HTTPS_PORT: Field = proxy(field(
    "https_port",
    Key(ext::PUBLISHED_SSL_PORT),
    Both,
    K::Port,
));
pub const PROXY_REPLICAS: Field = proxy(field(
    "proxy_replicas",
    Key(ext::PROXY_REPLICAS),
    Both,
    K::Count,
));
pub const PUBLISH_MODE: Field = proxy(field(
    "publish_mode",
    Key(ext::PUBLISH_MODE),
    Both,
    K::PublishMode,
));
pub const NODE_LABEL: Field = field(
    "node_label",
    AddsTo(&[ext::CONSTRAINTS, ext::PROXY_CONSTRAINTS]),
    Both,
    K::NodeLabel,
);
pub const NODE_LABEL_KEY: Field = field("node_label_key", Nothing, Both, K::Text);
pub const CONSTRAINTS: Field = field("constraints", Key(ext::CONSTRAINTS), Both, K::Constraints);
pub const PROXY_CONSTRAINTS: Field = proxy(field(
    "proxy_constraints",
    Key(ext::PROXY_CONSTRAINTS),
    Both,
    K::Constraints,
));
pub const SERVICE_NAME: Field = field("service_name", Key(ext::SERVICE_NAME), Both, K::NamePattern);
pub const PROXY_SERVICE_NAME: Field = field(
    "proxy_service_name",
    Key(ext::PROXY_SERVICE_NAME),
    Both,
    K::NamePattern,
);
/// Names an existing proxy the cluster takes over: it sets `ProxyServiceName` in place of
/// `proxy_service_name` (so that key keeps one owner), and makes the handover a rolling update.
pub const ADOPT_PROXY: Field = field("adopt_proxy", Nothing, Cluster, K::Text);
pub const CONFIG_SERVICE_NAME: Field = field(
    "config_service_name",
    Key(ext::CONFIG_SERVICE_NAME),
    Both,
    K::NamePattern,
);
pub const NETWORKS: Field = field("networks", Key(ext::NETWORKS), Both, K::List);
pub const LABELS: Field = field("labels", Key(ext::LABELS), Both, K::Labels);
pub const CONTAINER_LABELS: Field = field(
    "container_labels",
    Key(ext::CONTAINER_LABELS),
    Both,
    K::Labels,
);
pub const PROXY_LABELS: Field = proxy(field(
    "proxy_labels",
    Key(ext::PROXY_LABELS),
    Both,
    K::Labels,
));
pub const PROXY_CONTAINER_LABELS: Field = field(
    "proxy_container_labels",
    Key(ext::PROXY_CONTAINER_LABELS),
    Both,
    K::Labels,
);
/// The escape hatch: other keys of the extension, each written as given.
pub const EXTENSION: Field = field("extension", Nothing, Both, K::Table);
pub const CONFIG: Field = field("config", Key(ext::CONFIG), Both, K::Table);
/// The UCP collection the cluster's nodes are expected in (checked, not written).
pub const COLLECTION: Field = field("collection", Nothing, Cluster, K::Text);
/// The nodes to put the cluster's label on (an action, not a key).
pub const NODES: Field = field("nodes", Nothing, Cluster, K::List);
/// The application services the cluster routes (relabel actions, not a key).
pub const APPS: Field = field("apps", Nothing, Cluster, K::List);
/// The cluster keeps the default, unnamed service cluster: it sets `ServiceCluster = ""` in
/// place of `service_cluster` (so that key keeps one owner).
pub const CATCH_ALL: Field = field("catch_all", Nothing, Cluster, K::Bool);

/// Every field of a `[clusters.<name>]` table (and of `[defaults]`), in the order the spec
/// format lists them.
pub const FIELDS: [Field; 24] = [
    SERVICE_CLUSTER,
    HTTP_PORT,
    HTTPS_PORT,
    PROXY_REPLICAS,
    PUBLISH_MODE,
    NODE_LABEL,
    NODE_LABEL_KEY,
    CONSTRAINTS,
    PROXY_CONSTRAINTS,
    SERVICE_NAME,
    PROXY_SERVICE_NAME,
    ADOPT_PROXY,
    CONFIG_SERVICE_NAME,
    NETWORKS,
    LABELS,
    CONTAINER_LABELS,
    PROXY_LABELS,
    PROXY_CONTAINER_LABELS,
    EXTENSION,
    CONFIG,
    COLLECTION,
    NODES,
    APPS,
    CATCH_ALL,
];

/// The field names, for listing what a table takes.
pub fn names() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.name).collect()
}

/// The field that sets the extension key `key`, if the spec owns it.
pub fn owner(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.sets(key))
}

/// The fields that write `key`: the one that sets it first, then those that add to it.
pub fn writers(key: &str) -> impl Iterator<Item = &'static Field> {
    let owner = owner(key);
    owner
        .into_iter()
        .chain(FIELDS.iter().filter(move |f| f.adds_to(key)))
}

/// The extension keys that make up the proxy's spec: a change to one of them is one the
/// existing proxy service has to be brought in line with.
pub fn proxy_keys() -> impl Iterator<Item = &'static str> {
    FIELDS.iter().filter(|f| f.proxy).map(Field::key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse;

    #[test]
    fn each_key_has_one_owner() {
        for f in FIELDS.iter().filter(|f| matches!(f.writes, Key(_))) {
            let owners = FIELDS.iter().filter(|g| g.sets(f.key())).count();
            assert_eq!(owners, 1, "{}", f.name);
        }
        assert_eq!(owner("publishedsslport"), Some(&HTTPS_PORT));
        let constraints: Vec<_> = writers(ext::PROXY_CONSTRAINTS).map(|f| f.name).collect();
        assert_eq!(constraints, ["proxy_constraints", "node_label"]);
    }

    #[test]
    fn the_proxy_spec() {
        let keys: Vec<_> = proxy_keys().collect();
        assert_eq!(
            keys,
            [
                ext::PUBLISHED_PORT,
                ext::PUBLISHED_SSL_PORT,
                ext::PROXY_REPLICAS,
                ext::PUBLISH_MODE,
                ext::PROXY_CONSTRAINTS,
                ext::PROXY_LABELS,
            ]
        );
    }

    #[test]
    fn per_cluster_fields_are_refused_in_defaults() {
        for f in FIELDS.iter().filter(|f| f.scope == Cluster) {
            let value = match f.kind {
                K::List => "[\"x\"]",
                K::Bool => "true",
                _ => "\"x\"",
            };
            let text = format!("[defaults]\n{} = {value}\n[clusters.dev]\n", f.name);
            let errs = parse("s.toml", &text).unwrap_err();
            let at = format!("defaults.{}", f.name);
            assert!(
                errs.iter()
                    .any(|e| e.path.as_ref().is_some_and(|p| p.to_string() == at)),
                "{}: {errs:?}",
                f.name
            );
        }
    }
}
