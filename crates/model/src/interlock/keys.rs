//! Key lookup the way Interlock does it.
//!
//! Interlock decodes its TOML with case-insensitive key matching, so `RlimitNoFile` and
//! `RLimitNoFile` are the same key to it. Every read of an Interlock key goes through here;
//! writes keep whatever spelling the operator's file already uses.

use toml_edit::{Item, Table};

/// The canonical spellings of the extension keys this tool reads or writes.
pub mod ext {
    pub const SERVICE_NAME: &str = "ServiceName";
    pub const PROXY_SERVICE_NAME: &str = "ProxyServiceName";
    pub const PROXY_CONFIG_PATH: &str = "ProxyConfigPath";
    pub const CONFIG_SERVICE_NAME: &str = "ConfigServiceName";
    pub const SERVICE_CLUSTER: &str = "ServiceCluster";
    pub const IMAGE: &str = "Image";
    pub const PROXY_IMAGE: &str = "ProxyImage";
    pub const CONFIG_IMAGE: &str = "ConfigImage";
    pub const PUBLISH_MODE: &str = "PublishMode";
    pub const PUBLISHED_PORT: &str = "PublishedPort";
    pub const PUBLISHED_SSL_PORT: &str = "PublishedSSLPort";
    pub const TARGET_PORT: &str = "TargetPort";
    pub const TARGET_SSL_PORT: &str = "TargetSSLPort";
    pub const PROXY_REPLICAS: &str = "ProxyReplicas";
    pub const CONSTRAINTS: &str = "Constraints";
    pub const PROXY_CONSTRAINTS: &str = "ProxyConstraints";
    pub const NETWORKS: &str = "Networks";
    pub const LABELS: &str = "Labels";
    pub const CONTAINER_LABELS: &str = "ContainerLabels";
    pub const PROXY_LABELS: &str = "ProxyLabels";
    pub const PROXY_CONTAINER_LABELS: &str = "ProxyContainerLabels";
    pub const CONFIG: &str = "Config";
    pub const EXTENSIONS: &str = "Extensions";
}

/// The top-level key of the core's own listen address.
pub const LISTEN_ADDR: &str = "ListenAddr";

/// The entry for `key`: an exact match first, then one that differs only in case.
pub fn get<'a>(table: &'a Table, key: &str) -> Option<(&'a str, &'a Item)> {
    if let Some((k, v)) = table.get_key_value(key) {
        return Some((k.get(), v));
    }
    table.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// The spelling `table` uses for `key`, if it has it in any case.
pub fn spelling(table: &Table, key: &str) -> Option<String> {
    get(table, key).map(|(k, _)| k.to_string())
}

pub fn get_mut<'a>(table: &'a mut Table, key: &str) -> Option<&'a mut Item> {
    let name = spelling(table, key)?;
    table.get_mut(&name)
}

pub fn get_table<'a>(table: &'a Table, key: &str) -> Option<&'a Table> {
    get(table, key).and_then(|(_, i)| i.as_table())
}

/// Pairs of keys in one table that Interlock would read as the same key.
pub fn case_duplicates(table: &Table) -> Vec<(String, String)> {
    let keys: Vec<&str> = table.iter().map(|(k, _)| k).collect();
    let mut out = Vec::new();
    for (i, a) in keys.iter().enumerate() {
        for b in &keys[i + 1..] {
            if a.eq_ignore_ascii_case(b) {
                out.push((a.to_string(), b.to_string()));
            }
        }
    }
    out
}

/// Keys whose values may be secrets: they are masked in anything printed for people.
pub fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    const NEEDLES: [&str; 8] = [
        "pass",
        "secret",
        "token",
        "apikey",
        "api_key",
        "privatekey",
        "private_key",
        "credential",
    ];
    NEEDLES.iter().any(|n| k.contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_either_spelling() {
        let doc: toml_edit::DocumentMut = "RlimitNoFile = 1\nx = 2".parse().unwrap();
        let (k, v) = get(doc.as_table(), "RLimitNoFile").unwrap();
        assert_eq!(k, "RlimitNoFile");
        assert_eq!(v.as_integer(), Some(1));
        assert!(get(doc.as_table(), "y").is_none());
    }

    #[test]
    fn finds_case_duplicates() {
        let doc: toml_edit::DocumentMut = "RlimitNoFile = 1\nRLimitNoFile = 2".parse().unwrap();
        assert_eq!(
            case_duplicates(doc.as_table()),
            vec![("RlimitNoFile".into(), "RLimitNoFile".into())]
        );
    }

    #[test]
    fn secret_keys() {
        assert!(looks_secret("AdminPass"));
        assert!(looks_secret("APIToken"));
        assert!(!looks_secret("TLSKey"));
        assert!(!looks_secret("AdminUser"));
    }
}
