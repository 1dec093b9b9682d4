//! From the spec as written to one fully specified entry per service cluster.

use indexmap::IndexMap;

use super::DEFAULT_NODE_LABEL_KEY;
use super::raw::{ConstraintEdit, RawCluster, RawSpec};
use super::value::to_edit;
use crate::finding::Finding;
use crate::interlock::PublishMode;
use crate::interlock::constraint;
use crate::interlock::keys::ext;
use crate::interlock::names::service_name_problem;
use crate::locate::KeyPath;

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
            (ext::LABELS, &self.labels),
            (ext::CONTAINER_LABELS, &self.container_labels),
            (ext::PROXY_LABELS, &self.proxy_labels),
            (ext::PROXY_CONTAINER_LABELS, &self.proxy_container_labels),
        ]
    }
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
    pub config_service_name: String,
    /// Set only where the spec names it; otherwise only where the template has the key.
    pub config_service_name_explicit: bool,
    pub networks: Option<Vec<String>>,
    pub labels: LabelSets,
    /// Escape hatch: other keys of the extension, and of its `Config` table.
    pub extension: Vec<(String, toml_edit::Value)>,
    pub config: Vec<(String, toml_edit::Value)>,
    pub collection: Option<String>,
    pub nodes: Vec<String>,
}

const NAME_DEFAULTS: [(&str, &str); 3] = [
    ("service_name", "ucp-interlock-extension-{name}"),
    ("proxy_service_name", "ucp-interlock-proxy-{name}"),
    ("config_service_name", "ucp-interlock-config-{name}"),
];

/// Keys the spec sets through its own fields; the escape hatch may not touch them.
const OWNED: [(&str, &str); 16] = [
    (ext::SERVICE_CLUSTER, "service_cluster"),
    (ext::SERVICE_NAME, "service_name"),
    (ext::PROXY_SERVICE_NAME, "proxy_service_name"),
    (ext::CONFIG_SERVICE_NAME, "config_service_name"),
    (ext::PUBLISHED_PORT, "http_port"),
    (ext::PUBLISHED_SSL_PORT, "https_port"),
    (ext::PROXY_REPLICAS, "proxy_replicas"),
    (ext::PUBLISH_MODE, "publish_mode"),
    (ext::CONSTRAINTS, "constraints"),
    (ext::PROXY_CONSTRAINTS, "proxy_constraints"),
    (ext::NETWORKS, "networks"),
    (ext::LABELS, "labels"),
    (ext::CONTAINER_LABELS, "container_labels"),
    (ext::PROXY_LABELS, "proxy_labels"),
    (ext::PROXY_CONTAINER_LABELS, "proxy_container_labels"),
    (ext::CONFIG, "config"),
];

struct Ctx {
    findings: Vec<Finding>,
}

impl Ctx {
    fn err(&mut self, path: KeyPath, code: &'static str, msg: String, hint: Option<String>) {
        let mut f = Finding::error(code, msg).at(path);
        f.hint = hint;
        self.findings.push(f);
    }
}

pub(super) fn resolve(file: &str, raw: RawSpec) -> Result<Spec, Vec<Finding>> {
    let mut cx = Ctx {
        findings: Vec::new(),
    };
    let d = &raw.defaults;
    let dpath = KeyPath::new().key("defaults");
    if d.service_cluster.is_some() {
        cx.err(
            dpath.clone().key("service_cluster"),
            "spec-invalid",
            "`service_cluster` must differ per cluster and cannot be a default".into(),
            Some("set it under [clusters.<name>], or leave it out: it defaults to the cluster's name".into()),
        );
    }
    if d.collection.is_some() || !d.nodes.is_empty() {
        let key = if d.collection.is_some() {
            "collection"
        } else {
            "nodes"
        };
        cx.err(
            dpath.clone().key(key),
            "spec-invalid",
            format!("`{key}` belongs to one cluster, not to [defaults]"),
            Some("move it under [clusters.<name>]".into()),
        );
    }
    if raw.clusters.is_empty() {
        cx.err(
            KeyPath::new().key("clusters"),
            "spec-no-clusters",
            "the spec declares no service clusters".into(),
            Some("add one [clusters.<name>] table per service cluster, e.g. [clusters.dev]".into()),
        );
    }

    let mut seen: Vec<String> = Vec::new();
    let mut clusters = Vec::new();
    for (name, c) in &raw.clusters {
        let base = KeyPath::new().key("clusters").key(name);
        if let Some(first) = seen.iter().find(|s| s.eq_ignore_ascii_case(name)) {
            cx.err(
                base.clone(),
                "duplicate-cluster",
                format!("cluster `{name}` differs from `{first}` only in case"),
                Some("service cluster names must be unique".into()),
            );
        }
        seen.push(name.clone());
        if let Some(problem) = service_name_problem(name) {
            cx.err(
                base.clone(),
                "invalid-name",
                format!("cluster name `{name}` {problem}"),
                Some("the name becomes part of service names: use letters, digits and '-'".into()),
            );
        }
        clusters.push(resolve_cluster(&mut cx, name, c, d, &base));
    }

    let template = raw
        .template
        .clone()
        .unwrap_or_else(|| "default".to_string());
    for (i, k) in raw.keep_extensions.iter().enumerate() {
        if raw.clusters.contains_key(k) {
            cx.err(
                KeyPath::new().key("keep_extensions").index(i),
                "spec-invalid",
                format!("`{k}` is both a cluster of this spec and an extension to keep as it is"),
                Some("remove it from one of the two".into()),
            );
        }
    }

    if !cx.findings.is_empty() {
        return Err(cx.findings);
    }
    Ok(Spec {
        file: file.to_string(),
        template,
        keep_template: raw.keep_template.unwrap_or(false),
        keep_extensions: raw.keep_extensions,
        clusters,
    })
}

fn pick<T: Clone>(c: &Option<T>, d: &Option<T>) -> Option<T> {
    c.clone().or_else(|| d.clone())
}

fn merged(d: &IndexMap<String, String>, c: &IndexMap<String, String>) -> IndexMap<String, String> {
    let mut out = d.clone();
    for (k, v) in c {
        out.insert(k.clone(), v.clone());
    }
    out
}

fn port(cx: &mut Ctx, v: Option<i64>, path: KeyPath) -> Option<u16> {
    let v = v?;
    if !(1..=65535).contains(&v) {
        cx.err(
            path,
            "port-range",
            format!("port {v} is out of range"),
            Some("published ports go from 1 to 65535".into()),
        );
        return None;
    }
    Some(v as u16)
}

/// Which of cluster or defaults a field came from, for pointing at it.
fn origin(base: &KeyPath, c_has: bool, key: &str) -> KeyPath {
    if c_has {
        base.clone().key(key)
    } else {
        KeyPath::new().key("defaults").key(key)
    }
}

fn expand(cx: &mut Ctx, pattern: &str, name: &str, service_cluster: &str, path: KeyPath) -> String {
    let out = pattern
        .replace("{name}", name)
        .replace("{service_cluster}", service_cluster);
    if out.contains('{') || out.contains('}') {
        cx.err(
            path.clone(),
            "spec-invalid",
            format!("`{pattern}` has a placeholder other than {{name}} and {{service_cluster}}"),
            None,
        );
    } else if let Some(problem) = service_name_problem(&out) {
        cx.err(
            path,
            "invalid-name",
            format!("service name `{out}` {problem}"),
            None,
        );
    }
    out
}

fn check_constraints(cx: &mut Ctx, edit: &ConstraintEdit, path: KeyPath) {
    let lists: [(&str, Option<&Vec<String>>); 3] = [
        ("add", Some(&edit.add)),
        ("remove", Some(&edit.remove)),
        ("replace", edit.replace.as_ref()),
    ];
    for (which, list) in lists {
        let Some(list) = list else { continue };
        for (i, expr) in list.iter().enumerate() {
            if which == "remove" {
                continue;
            }
            let p = if edit.as_list {
                path.clone().index(i)
            } else {
                path.clone().key(which).index(i)
            };
            if let Err(r) = constraint::parse(expr) {
                let hint = match &r.suggestion {
                    Some(s) => format!("write it as \"{s}\""),
                    None => "swarm constraints take the form key==value or key!=value".into(),
                };
                cx.err(
                    p,
                    "invalid-constraint",
                    format!(
                        "constraint \"{expr}\" would be refused by swarm: {}",
                        r.reason
                    ),
                    Some(hint),
                );
            }
        }
    }
}

fn escape_hatch(
    cx: &mut Ctx,
    table: &IndexMap<String, toml::Value>,
    path: KeyPath,
    owned: bool,
) -> Vec<(String, toml_edit::Value)> {
    let mut out: Vec<(String, toml_edit::Value)> = Vec::new();
    for (k, v) in table {
        if let Some((first, _)) = out.iter().find(|(o, _)| o.eq_ignore_ascii_case(k)) {
            cx.err(
                path.clone().key(k),
                "spec-invalid",
                format!("`{k}` and `{first}` are one key to Interlock, which matches keys case-insensitively"),
                Some("keep one of them".to_string()),
            );
            continue;
        }
        if owned && let Some((_, field)) = OWNED.iter().find(|(key, _)| key.eq_ignore_ascii_case(k))
        {
            cx.err(
                path.clone().key(k),
                "spec-invalid",
                format!("`{k}` is set by the spec's own `{field}` field"),
                Some(format!("use `{field}` instead")),
            );
            continue;
        }
        if v.is_table() {
            cx.err(
                path.clone().key(k),
                "spec-invalid",
                format!("`{k}` is a table; the escape hatch sets plain keys"),
                Some("labels go in `labels`, `proxy_labels`, …; nginx settings in `config`".into()),
            );
            continue;
        }
        out.push((k.clone(), to_edit(v)));
    }
    out
}

fn merged_values(
    d: &IndexMap<String, toml::Value>,
    c: &IndexMap<String, toml::Value>,
) -> IndexMap<String, toml::Value> {
    let mut out = d.clone();
    for (k, v) in c {
        out.insert(k.clone(), v.clone());
    }
    out
}

fn resolve_cluster(
    cx: &mut Ctx,
    name: &str,
    c: &RawCluster,
    d: &RawCluster,
    base: &KeyPath,
) -> ClusterSpec {
    let service_cluster = c
        .service_cluster
        .clone()
        .unwrap_or_else(|| name.to_string());
    let http_port = port(
        cx,
        pick(&c.http_port, &d.http_port),
        origin(base, c.http_port.is_some(), "http_port"),
    );
    let https_port = port(
        cx,
        pick(&c.https_port, &d.https_port),
        origin(base, c.https_port.is_some(), "https_port"),
    );
    let proxy_replicas = match pick(&c.proxy_replicas, &d.proxy_replicas) {
        Some(n) if n < 0 => {
            cx.err(
                origin(base, c.proxy_replicas.is_some(), "proxy_replicas"),
                "spec-invalid",
                format!("proxy_replicas is {n}; it cannot be negative"),
                None,
            );
            None
        }
        other => other.map(|n| n as u64),
    };
    let publish_mode = match pick(&c.publish_mode, &d.publish_mode).as_deref() {
        None => None,
        Some("ingress") => Some(PublishMode::Ingress),
        Some("host") => Some(PublishMode::Host),
        Some(other) => {
            cx.err(
                origin(base, c.publish_mode.is_some(), "publish_mode"),
                "spec-invalid",
                format!("publish_mode \"{other}\" is not one Interlock knows"),
                Some("use \"ingress\" or \"host\"".into()),
            );
            None
        }
    };

    let label_key = pick(&c.node_label_key, &d.node_label_key)
        .unwrap_or_else(|| DEFAULT_NODE_LABEL_KEY.to_string());
    let node_label = pick(&c.node_label, &d.node_label).map(|value| NodeLabel {
        key: label_key.clone(),
        value,
    });
    if let Some(l) = &node_label
        && let Err(r) = constraint::parse(&l.constraint())
    {
        cx.err(
            origin(base, c.node_label.is_some(), "node_label"),
            "invalid-constraint",
            format!(
                "node label {}={} cannot be used in a swarm constraint: {}",
                l.key, l.value, r.reason
            ),
            Some("label keys and values take letters, digits, '.', '-' and '_'".into()),
        );
    }

    let constraints = pick(&c.constraints, &d.constraints).unwrap_or_default();
    check_constraints(
        cx,
        &constraints,
        origin(base, c.constraints.is_some(), "constraints"),
    );
    let proxy_constraints = pick(&c.proxy_constraints, &d.proxy_constraints).unwrap_or_default();
    check_constraints(
        cx,
        &proxy_constraints,
        origin(base, c.proxy_constraints.is_some(), "proxy_constraints"),
    );

    let patterns = [
        (&c.service_name, &d.service_name),
        (&c.proxy_service_name, &d.proxy_service_name),
        (&c.config_service_name, &d.config_service_name),
    ];
    let mut names = Vec::new();
    for ((cv, dv), (field, default)) in patterns.iter().zip(NAME_DEFAULTS) {
        let pattern = pick(cv, dv).unwrap_or_else(|| default.to_string());
        let path = origin(base, cv.is_some(), field);
        names.push(expand(cx, &pattern, name, &service_cluster, path));
    }
    let config_service_name_explicit =
        c.config_service_name.is_some() || d.config_service_name.is_some();

    let extension = escape_hatch(
        cx,
        &merged_values(&d.extension, &c.extension),
        base.clone().key("extension"),
        true,
    );
    let config = escape_hatch(
        cx,
        &merged_values(&d.config, &c.config),
        base.clone().key("config"),
        false,
    );

    ClusterSpec {
        name: name.to_string(),
        service_cluster,
        http_port,
        https_port,
        proxy_replicas,
        publish_mode,
        node_label,
        constraints,
        proxy_constraints,
        service_name: names[0].clone(),
        proxy_service_name: names[1].clone(),
        config_service_name: names[2].clone(),
        config_service_name_explicit,
        networks: pick(&c.networks, &d.networks),
        labels: LabelSets {
            labels: merged(&d.labels, &c.labels),
            container_labels: merged(&d.container_labels, &c.container_labels),
            proxy_labels: merged(&d.proxy_labels, &c.proxy_labels),
            proxy_container_labels: merged(&d.proxy_container_labels, &c.proxy_container_labels),
        },
        extension,
        config,
        collection: c.collection.clone(),
        nodes: c.nodes.clone(),
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::parse;

    const SEED: &str = r#"
[clusters.dev]
http_port = 8082
https_port = 8445
node_label = "dev"

[clusters.prod]
http_port = 8080
https_port = 8443
proxy_replicas = 2
node_label = "prod"
"#;

    #[test]
    fn defaults_and_order() {
        let s = parse("s.toml", SEED).unwrap();
        assert_eq!(s.template, "default");
        assert!(!s.keep_template);
        let names: Vec<_> = s.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["dev", "prod"]);
        let dev = &s.clusters[0];
        assert_eq!(dev.service_cluster, "dev");
        assert_eq!(dev.proxy_service_name, "ucp-interlock-proxy-dev");
        assert_eq!(dev.service_name, "ucp-interlock-extension-dev");
        assert_eq!(
            dev.node_label.as_ref().unwrap().constraint(),
            "node.labels.com.docker.interlock.service.cluster==dev"
        );
        assert_eq!(s.clusters[1].proxy_replicas, Some(2));
    }

    #[test]
    fn errors_point_at_line_and_key() {
        let text =
            "[clusters.dev]\nhttp_port = 70000\nproxy_constraints = [\"node.labels.x=dev\"]\n";
        let errs = parse("s.toml", text).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        let l = errs[0].location.as_ref().unwrap();
        assert_eq!((l.line, l.column), (2, 1));
        assert_eq!(
            errs[0].path.as_ref().unwrap().to_string(),
            "clusters.dev.http_port"
        );
        assert_eq!(
            errs[1].hint.as_deref(),
            Some("write it as \"node.labels.x==dev\"")
        );
        assert_eq!(errs[1].location.as_ref().unwrap().line, 3);
    }

    #[test]
    fn unknown_keys_are_refused_with_location() {
        let errs = parse("s.toml", "[clusters.dev]\nhttp_prot = 1\n").unwrap_err();
        assert_eq!(errs[0].location.as_ref().unwrap().line, 2);
        assert!(errs[0].message.contains("http_prot"), "{}", errs[0].message);
    }

    #[test]
    fn escape_hatch_cannot_bypass_owned_keys() {
        let errs = parse("s.toml", "[clusters.dev.extension]\nPublishedPort = 1\n").unwrap_err();
        assert!(errs[0].message.contains("http_port"));
    }
}
