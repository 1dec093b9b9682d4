//! One proxy per service cluster: every proxy update (a new config that changes its spec,
//! apply's `reconcile-proxy`) and every restart of its node stops that cluster's traffic until
//! the proxy is back. A warning, as `stale-port-holder` is, since it foretells a traffic gap;
//! not an error, since a dev cluster may run one proxy on purpose and nothing is refused.

use crate::finding::{Code, Finding};
use crate::interlock::InterlockConfig;
use crate::interlock::keys::ext;

pub const CODE: Code = Code::SingleProxy;

pub fn check(cfg: &InterlockConfig, out: &mut Vec<Finding>) {
    for e in cfg
        .extensions
        .iter()
        .filter(|e| e.proxy_replicas == Some(1))
    {
        // An absent or empty ServiceCluster is Interlock's default cluster, which has no name.
        let cluster = match e.service_cluster.as_deref() {
            Some(c) if !c.is_empty() => format!("service cluster `{c}`"),
            _ => "the default, unnamed service cluster".to_string(),
        };
        out.push(
            Finding::warning(
                CODE,
                format!(
                    "extension `{}` runs one proxy (ProxyReplicas = 1): every proxy update or \
                     restart of its node interrupts the traffic of {cluster}",
                    e.name
                ),
            )
            .at(e.path().key(ext::PROXY_REPLICAS))
            .hint(
                "raise proxy_replicas in the spec (ProxyReplicas in the config) to 2 or more, \
                 with as many eligible nodes, so that one proxy serves while another restarts",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(toml: &str) -> Vec<Finding> {
        let (_, cfg) = InterlockConfig::parse(toml).expect("TOML");
        let mut out = Vec::new();
        check(&cfg, &mut out);
        out
    }

    #[test]
    fn one_proxy_is_flagged_on_its_key() {
        let found = findings(
            "[Extensions.dev]\nProxyReplicas = 1\nServiceCluster = \"d\"\n\
             [Extensions.prod]\nProxyReplicas = 2\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(
            (f.code, f.severity),
            (CODE, crate::finding::Severity::Warning)
        );
        assert_eq!(
            f.path.as_ref().map(ToString::to_string).as_deref(),
            Some("Extensions.dev.ProxyReplicas")
        );
        assert!(f.message.contains("service cluster `d`"), "{}", f.message);
        assert!(f.hint.as_deref().unwrap_or("").contains("proxy_replicas"));
    }

    #[test]
    fn none_zero_or_several_proxies_are_other_checks_business() {
        for replicas in ["", "ProxyReplicas = 0\n", "ProxyReplicas = 3\n"] {
            let found = findings(&format!("[Extensions.dev]\n{replicas}"));
            assert!(found.is_empty(), "{replicas}: {found:?}");
        }
    }

    #[test]
    fn the_default_cluster_is_named_as_such() {
        for toml in [
            "[Extensions.default]\nProxyReplicas = 1\nServiceCluster = \"\"\n",
            "[Extensions.default]\nProxyReplicas = 1\n",
        ] {
            let found = findings(toml);
            assert!(
                found[0]
                    .message
                    .ends_with("the traffic of the default, unnamed service cluster"),
                "{}",
                found[0].message
            );
        }
    }
}
