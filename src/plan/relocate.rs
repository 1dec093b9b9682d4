//! Points findings about the new config at the line an operator edits: the spec field that
//! set the key, or the place in the current file it was copied from.

use crate::finding::Finding;
use crate::interlock::keys::ext;
use crate::locate::{KeyPath, Locator, Seg};
use crate::split::SplitOutcome;

/// The spec fields that write an extension key.
fn spec_fields(key: &str) -> &'static [&'static str] {
    let pairs: [(&str, &[&str]); 11] = [
        (ext::PUBLISHED_PORT, &["http_port"]),
        (ext::PUBLISHED_SSL_PORT, &["https_port"]),
        (ext::PROXY_REPLICAS, &["proxy_replicas"]),
        (ext::PUBLISH_MODE, &["publish_mode"]),
        (ext::SERVICE_CLUSTER, &["service_cluster"]),
        (ext::SERVICE_NAME, &["service_name"]),
        (ext::PROXY_SERVICE_NAME, &["proxy_service_name"]),
        (ext::CONFIG_SERVICE_NAME, &["config_service_name"]),
        (ext::CONSTRAINTS, &["constraints", "node_label"]),
        (ext::PROXY_CONSTRAINTS, &["proxy_constraints", "node_label"]),
        (ext::NETWORKS, &["networks"]),
    ];
    pairs
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(_, f)| *f)
        .unwrap_or(&[])
}

pub struct Relocator<'a> {
    pub spec: &'a Locator,
    pub current: &'a Locator,
    pub outcome: &'a SplitOutcome,
}

impl Relocator<'_> {
    pub fn locate(&self, mut f: Finding) -> Finding {
        if f.location.is_some() {
            return f;
        }
        let Some(path) = f.path.clone() else { return f };
        let [Seg::Key(top), Seg::Key(name), rest @ ..] = path.0.as_slice() else {
            f.location = self.current.locate(&path);
            return f;
        };
        let Some(cluster) = self.outcome.clusters.iter().find(|c| &c.name == name) else {
            // Not managed by the spec: the current file has it as it is.
            f.location = self.current.locate(&path);
            return f;
        };
        if let Some(Seg::Key(key)) = rest.first() {
            for field in spec_fields(key) {
                for base in [
                    KeyPath::new().key("clusters").key(name),
                    KeyPath::new().key("defaults"),
                ] {
                    if let Some(loc) = self.spec.locate_exact(&base.key(*field)) {
                        f.location = Some(loc);
                        return f;
                    }
                }
            }
        }
        let source = cluster.cloned_from.clone().unwrap_or_else(|| name.clone());
        let mut copied = KeyPath::new().key(top.clone()).key(source);
        copied.0.extend(rest.iter().cloned());
        f.location = self
            .current
            .locate_exact(&copied)
            .or_else(|| self.spec.locate(&KeyPath::new().key("clusters").key(name)));
        f
    }
}
