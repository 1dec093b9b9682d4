//! What the stand-in reads of the core's TOML: the extensions, through the project's own model
//! (`interlock-model`: the reader, the services an extension implies with Interlock's default
//! names, and its proxy's spec with Interlock's default target ports), so that the test bed's
//! core and the tool read the same keys the same way and default them alike. The label tables
//! and `ConfigImage`, which the tool does not reason about, are read with the same
//! case-insensitive key lookup. Where the proxy's config is mounted (`ProxyConfigPath`) is the
//! model's `extension::config_path`, as `status` reads it.

use std::collections::BTreeMap;

use interlock_model::extension::{ImpliedService, ProxySpec, config_path, services};
use interlock_model::interlock::keys::{self, ext};
use interlock_model::interlock::{self as model, InterlockConfig};
use toml_edit::{Item, Table};

/// What the stand-in uses of one `[Extensions.<name>]` table.
#[derive(Debug)]
pub struct Extension {
    pub name: String,
    pub image: String,
    pub constraints: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub container_labels: BTreeMap<String, String>,
    pub proxy_image: String,
    /// The extension, proxy and config services, named as Interlock names them.
    pub services: Vec<ImpliedService>,
    /// The proxy as the core creates it: constraints, replicas, ports and their mode.
    pub proxy: ProxySpec,
    pub proxy_labels: BTreeMap<String, String>,
    pub proxy_container_labels: BTreeMap<String, String>,
    pub service_cluster: Option<String>,
    pub config_image: Option<String>,
    /// `ProxyConfigPath`: where the proxy's config is mounted.
    pub proxy_config_path: String,
    /// The extension as the model reads it (for the routing rule).
    pub model: model::Extension,
}

/// Parses the core's TOML into its extensions, refusing what makes the real core crash: a
/// syntax error, a key of the wrong type, an extension without `ProxyReplicas`, an image
/// tagged `:broken`. Returns the config as the model reads it too, for the routing rule.
pub fn parse_config(text: &str) -> Result<(InterlockConfig, Vec<Extension>), String> {
    let (doc, cfg) = InterlockConfig::parse(text).map_err(|e| {
        format!(
            "TOML syntax error at line {}, column {}: {}",
            e.line, e.column, e.message
        )
    })?;
    let Some((_, item)) = keys::get(doc.as_table(), ext::EXTENSIONS) else {
        return Ok((cfg, Vec::new()));
    };
    let tables = item
        .as_table()
        .ok_or_else(|| format!("{}: expected a table", ext::EXTENSIONS))?;
    let extensions = cfg
        .extensions
        .iter()
        .map(|e| {
            let table = tables
                .get(&e.name)
                .and_then(Item::as_table)
                .filter(|_| e.is_table)
                .ok_or_else(|| format!("Extensions.{}: expected a table", e.name))?;
            extension(e, table)
        })
        .collect::<Result<_, _>>()?;
    Ok((cfg, extensions))
}

/// The stand-in's view of one extension the project's reader has read.
fn extension(e: &model::Extension, table: &Table) -> Result<Extension, String> {
    let path = format!("Extensions.{}", e.name);
    if let Some(p) = e.type_problems.first() {
        return Err(format!("{}: expected {}", p.path, p.expected));
    }
    match e.proxy_replicas {
        None => {
            return Err(format!(
                "{path}: ProxyReplicas is missing: the proxy service cannot be created"
            ));
        }
        Some(n) if n < 0 => return Err(format!("{path}.ProxyReplicas: {n} is negative")),
        Some(_) => {}
    }
    // A real core fails on things no static check sees (an image it cannot use, an nginx
    // setting nginx refuses). The test bed's stand-in for that: an image tagged `:broken`.
    if let Some(image) = e.image.as_deref().filter(|i| i.ends_with(":broken")) {
        return Err(format!(
            "{path}: cannot start extension image {image}: manifest unknown"
        ));
    }
    for (key, p) in [
        (ext::PUBLISHED_PORT, e.published_port),
        (ext::TARGET_PORT, e.target_port),
        (ext::PUBLISHED_SSL_PORT, e.published_ssl_port),
        (ext::TARGET_SSL_PORT, e.target_ssl_port),
    ] {
        if let Some(p) = p.filter(|p| !(1..=65535).contains(p)) {
            return Err(format!("{path}.{key}: {p} is not a port"));
        }
    }
    Ok(Extension {
        name: e.name.clone(),
        image: e.image.clone().unwrap_or_default(),
        constraints: e.constraints.clone(),
        labels: labels(table, &path, ext::LABELS)?,
        container_labels: labels(table, &path, ext::CONTAINER_LABELS)?,
        proxy_image: e.proxy_image.clone().unwrap_or_default(),
        services: services(e),
        proxy: ProxySpec::of(e),
        proxy_labels: labels(table, &path, ext::PROXY_LABELS)?,
        proxy_container_labels: labels(table, &path, ext::PROXY_CONTAINER_LABELS)?,
        service_cluster: e.service_cluster.clone().filter(|s| !s.is_empty()),
        config_image: text(table, &path, ext::CONFIG_IMAGE)?,
        proxy_config_path: config_path(e).to_string(),
        model: e.clone(),
    })
}

/// A table of Docker labels (empty when the key is absent), e.g. `Labels`.
fn labels(table: &Table, path: &str, key: &str) -> Result<BTreeMap<String, String>, String> {
    let Some((k, item)) = keys::get(table, key) else {
        return Ok(BTreeMap::new());
    };
    let t = item
        .as_table_like()
        .ok_or_else(|| format!("{path}.{k}: expected a table"))?;
    t.iter()
        .map(|(label, v)| {
            v.as_str()
                .map(|s| (label.to_string(), s.to_string()))
                .ok_or_else(|| format!("{path}.{k}.{label}: expected a string"))
        })
        .collect()
}

/// A string key the model does not read (`ConfigImage`), if set and not
/// empty.
fn text(table: &Table, path: &str, key: &str) -> Result<Option<String>, String> {
    match keys::get(table, key) {
        None => Ok(None),
        Some((k, item)) => item
            .as_str()
            .map(|s| Some(s.to_string()).filter(|s| !s.is_empty()))
            .ok_or_else(|| format!("{path}.{k}: expected a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_missing_proxy_replicas() {
        let err = parse_config("[Extensions.dev]\nServiceName = \"x\"\n").unwrap_err();
        assert!(err.contains("ProxyReplicas"), "{err}");
    }

    #[test]
    fn keys_match_case_insensitively() {
        let (_, exts) =
            parse_config("[extensions.a]\nproxyreplicas = 3\nPUBLISHEDPORT = 81\n").unwrap();
        assert_eq!(exts[0].proxy.replicas, Some(3));
        assert_eq!(exts[0].proxy.published(), [81]);
        let names: Vec<&str> = exts[0].services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["ucp-interlock-proxy"]);
    }

    #[test]
    fn reads_the_proxy_config_path() {
        let (_, exts) =
            parse_config("[Extensions.a]\nProxyReplicas = 1\nproxyconfigpath = \"/p.conf\"\n")
                .unwrap();
        assert_eq!(exts[0].proxy_config_path, "/p.conf");
    }

    #[test]
    fn refuses_syntax_errors() {
        let err = parse_config("A = 1\n[Extensions.a\n").unwrap_err();
        assert!(
            err.starts_with("TOML syntax error at line 2, column "),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn refuses_a_key_of_the_wrong_type() {
        let err = parse_config("[Extensions.a]\nProxyReplicas = 1\nPublishedPort = \"80\"\n")
            .unwrap_err();
        assert_eq!(err, "Extensions.a.PublishedPort: expected an integer");
    }

    #[test]
    fn reads_labels_and_the_config_image() {
        let (_, exts) = parse_config(
            "[Extensions.a]\nProxyReplicas = 1\nconfigimage = \"c\"\n[Extensions.a.proxylabels]\nx = \"y\"\n",
        )
        .unwrap();
        assert_eq!(exts[0].config_image.as_deref(), Some("c"));
        assert_eq!(
            exts[0].proxy_config_path,
            interlock_model::extension::DEFAULT_PROXY_CONFIG_PATH
        );
        assert_eq!(exts[0].proxy_labels.get("x").map(String::as_str), Some("y"));
    }
}
