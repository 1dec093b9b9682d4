//! From the spec as written to one fully specified entry per service cluster.

use indexmap::IndexMap;

use super::DEFAULT_NODE_LABEL_KEY;
use super::escape::{escape_hatch, merged_values};
use super::fields::{self, Field};
use super::model::{ClusterSpec, LabelSets, NamesSet, NodeLabel, Spec};
use super::raw::{ConstraintEdit, RawCluster, RawSpec};
use crate::finding::{Code, Finding};
use crate::interlock::PublishMode;
use crate::interlock::constraint;
use crate::interlock::names::service_name_problem;
use crate::locate::KeyPath;

/// The service name fields and the name each gets when the spec leaves it out.
const NAME_DEFAULTS: [(Field, &str); 3] = [
    (fields::SERVICE_NAME, "ucp-interlock-extension-{name}"),
    (fields::PROXY_SERVICE_NAME, "ucp-interlock-proxy-{name}"),
    (fields::CONFIG_SERVICE_NAME, "ucp-interlock-config-{name}"),
];

/// The findings of one resolution, collected so that all are reported at once.
#[derive(Default)]
pub(super) struct Ctx {
    findings: Vec<Finding>,
}

impl Ctx {
    pub(super) fn err(&mut self, path: KeyPath, code: Code, msg: String, hint: Option<String>) {
        let mut f = Finding::error(code, msg).at(path);
        f.hint = hint;
        self.findings.push(f);
    }
}

pub(super) fn resolve(file: &str, raw: RawSpec) -> Result<Spec, Vec<Finding>> {
    let mut cx = Ctx::default();
    check_defaults(&mut cx, &raw.defaults);
    if raw.clusters.is_empty() {
        cx.err(
            KeyPath::new().key("clusters"),
            Code::SpecNoClusters,
            "the spec declares no service clusters".into(),
            Some("add one [clusters.<name>] table per service cluster, e.g. [clusters.dev]".into()),
        );
    }
    let clusters = resolve_clusters(&mut cx, &raw);
    check_catch_alls(&mut cx, &clusters);
    let template = raw
        .template
        .clone()
        .unwrap_or_else(|| "default".to_string());
    check_keep_extensions(&mut cx, &raw);
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

/// `[defaults]` may not hold what belongs to one cluster.
fn check_defaults(cx: &mut Ctx, d: &RawCluster) {
    let dpath = KeyPath::new().key("defaults");
    if d.service_cluster.is_some() {
        cx.err(
            dpath.clone().key(fields::SERVICE_CLUSTER.name),
            Code::SpecInvalid,
            "`service_cluster` must differ per cluster and cannot be a default".into(),
            Some("set it under [clusters.<name>], or leave it out: it defaults to the cluster's name".into()),
        );
    }
    let own = [
        (d.collection.is_some(), fields::COLLECTION.name),
        (d.adopt_proxy.is_some(), fields::ADOPT_PROXY.name),
        (!d.nodes.is_empty(), fields::NODES.name),
        (!d.apps.is_empty(), fields::APPS.name),
        (d.catch_all.is_some(), fields::CATCH_ALL.name),
    ];
    if let Some((_, key)) = own.into_iter().find(|(set, _)| *set) {
        cx.err(
            dpath.key(key),
            Code::SpecInvalid,
            format!("`{key}` belongs to one cluster, not to [defaults]"),
            Some("move it under [clusters.<name>]".into()),
        );
    }
}

fn resolve_clusters(cx: &mut Ctx, raw: &RawSpec) -> Vec<ClusterSpec> {
    let mut seen: Vec<String> = Vec::new();
    let mut clusters = Vec::new();
    for (name, c) in &raw.clusters {
        let base = KeyPath::new().key("clusters").key(name);
        if let Some(first) = seen.iter().find(|s| s.eq_ignore_ascii_case(name)) {
            cx.err(
                base.clone(),
                Code::DuplicateCluster,
                format!("cluster `{name}` differs from `{first}` only in case"),
                Some("service cluster names must be unique".into()),
            );
        }
        seen.push(name.clone());
        if let Some(problem) = service_name_problem(name) {
            cx.err(
                base.clone(),
                Code::InvalidName,
                format!("cluster name `{name}` {problem}"),
                Some("the name becomes part of service names: use letters, digits and '-'".into()),
            );
        }
        let one = Raw {
            name,
            c,
            d: &raw.defaults,
            base: &base,
        };
        clusters.push(resolve_cluster(cx, &one));
    }
    clusters
}

/// At most one cluster keeps the default, unnamed service cluster: two would be two
/// extensions with the same `ServiceCluster`.
fn check_catch_alls(cx: &mut Ctx, clusters: &[ClusterSpec]) {
    let mut all = clusters.iter().filter(|c| c.catch_all);
    let Some(first) = all.next() else { return };
    for c in all {
        cx.err(
            KeyPath::new()
                .key("clusters")
                .key(&c.name)
                .key(fields::CATCH_ALL.name),
            Code::SpecInvalid,
            format!(
                "`{}` and `{}` both set catch_all: only one cluster can route the applications without a service_cluster label",
                first.name, c.name
            ),
            Some("keep catch_all on one cluster; move the others' applications with `apps`".into()),
        );
    }
}

fn check_keep_extensions(cx: &mut Ctx, raw: &RawSpec) {
    for (i, k) in raw.keep_extensions.iter().enumerate() {
        if raw.clusters.contains_key(k) {
            cx.err(
                KeyPath::new().key("keep_extensions").index(i),
                Code::SpecInvalid,
                format!("`{k}` is both a cluster of this spec and an extension to keep as it is"),
                Some("remove it from one of the two".into()),
            );
        }
    }
}

/// One cluster as written, with the defaults it falls back on.
struct Raw<'a> {
    name: &'a str,
    c: &'a RawCluster,
    d: &'a RawCluster,
    base: &'a KeyPath,
}

impl Raw<'_> {
    /// The cluster's value of a field, else the default's, and the path of the one taken (for
    /// pointing at it).
    fn pick<T: Clone>(
        &self,
        field: &Field,
        get: impl Fn(&RawCluster) -> &Option<T>,
    ) -> (Option<T>, KeyPath) {
        let own = get(self.c);
        let path = if own.is_some() {
            self.base.clone().key(field.name)
        } else {
            KeyPath::new().key("defaults").key(field.name)
        };
        (own.clone().or_else(|| get(self.d).clone()), path)
    }
}

fn merged(d: &IndexMap<String, String>, c: &IndexMap<String, String>) -> IndexMap<String, String> {
    let mut out = d.clone();
    for (k, v) in c {
        out.insert(k.clone(), v.clone());
    }
    out
}

fn resolve_cluster(cx: &mut Ctx, r: &Raw) -> ClusterSpec {
    let (c, d) = (r.c, r.d);
    let catch_all = catch_all(cx, r);
    let service_cluster = match &c.service_cluster {
        _ if catch_all => String::new(),
        Some(s) => s.clone(),
        None => r.name.to_string(),
    };
    let (http_port, p) = r.pick(&fields::HTTP_PORT, |x| &x.http_port);
    let http_port = port(cx, http_port, p);
    let (https_port, p) = r.pick(&fields::HTTPS_PORT, |x| &x.https_port);
    let https_port = port(cx, https_port, p);
    let proxy_replicas = proxy_replicas(cx, r);
    let publish_mode = publish_mode(cx, r);
    let node_label = node_label(cx, r);
    let constraints = constraint_edit(cx, r, &fields::CONSTRAINTS, |x| &x.constraints);
    let proxy_constraints =
        constraint_edit(cx, r, &fields::PROXY_CONSTRAINTS, |x| &x.proxy_constraints);
    let [service_name, proxy_service_name, config_service_name] =
        service_names(cx, r, &service_cluster);
    let adopt_proxy = adopt_proxy(cx, r);
    let extension = escape_hatch(
        cx,
        &merged_values(&d.extension, &c.extension),
        r.base.clone().key(fields::EXTENSION.name),
        true,
    );
    let config = escape_hatch(
        cx,
        &merged_values(&d.config, &c.config),
        r.base.clone().key(fields::CONFIG.name),
        false,
    );
    ClusterSpec {
        name: r.name.to_string(),
        service_cluster,
        http_port,
        https_port,
        proxy_replicas,
        publish_mode,
        node_label,
        constraints,
        proxy_constraints,
        service_name,
        proxy_service_name: adopt_proxy.clone().unwrap_or(proxy_service_name),
        adopt_proxy,
        config_service_name,
        config_service_name_explicit: c.config_service_name.is_some()
            || d.config_service_name.is_some(),
        names_set: NamesSet {
            service_cluster: c.service_cluster.is_some() || catch_all,
            service_name: c.service_name.is_some() || d.service_name.is_some(),
            proxy_service_name: c.proxy_service_name.is_some()
                || d.proxy_service_name.is_some()
                || c.adopt_proxy.is_some(),
        },
        networks: r.pick(&fields::NETWORKS, |x| &x.networks).0,
        labels: label_sets(c, d),
        extension,
        config,
        collection: c.collection.clone(),
        nodes: c.nodes.clone(),
        apps: apps(cx, r),
        catch_all,
    }
}

/// `catch_all`: the cluster keeps the default, unnamed service cluster, so it names none.
fn catch_all(cx: &mut Ctx, r: &Raw) -> bool {
    let on = r.c.catch_all == Some(true);
    if on && r.c.service_cluster.is_some() {
        cx.err(
            r.base.clone().key(fields::CATCH_ALL.name),
            Code::SpecInvalid,
            "`catch_all` keeps the default, unnamed service cluster, so the cluster cannot also set `service_cluster`".into(),
            Some("drop one of them: catch_all for the applications without a service_cluster label, service_cluster for those labelled with it".into()),
        );
    }
    on
}

/// `apps`: service names and globs (`*`, `?`), none empty.
fn apps(cx: &mut Ctx, r: &Raw) -> Vec<String> {
    for (i, a) in r.c.apps.iter().enumerate() {
        if a.trim().is_empty() || a.contains(char::is_whitespace) {
            cx.err(
                r.base.clone().key(fields::APPS.name).index(i),
                Code::SpecInvalid,
                format!("`{a}` is not a service name or glob"),
                Some("write a service name, or a glob such as \"demodev_*\"".into()),
            );
        }
    }
    r.c.apps.clone()
}

fn label_sets(c: &RawCluster, d: &RawCluster) -> LabelSets {
    LabelSets {
        labels: merged(&d.labels, &c.labels),
        container_labels: merged(&d.container_labels, &c.container_labels),
        proxy_labels: merged(&d.proxy_labels, &c.proxy_labels),
        proxy_container_labels: merged(&d.proxy_container_labels, &c.proxy_container_labels),
    }
}

fn port(cx: &mut Ctx, v: Option<i64>, path: KeyPath) -> Option<u16> {
    let v = v?;
    if !(1..=65535).contains(&v) {
        cx.err(
            path,
            Code::PortRange,
            format!("port {v} is out of range"),
            Some("published ports go from 1 to 65535".into()),
        );
        return None;
    }
    Some(v as u16)
}

fn proxy_replicas(cx: &mut Ctx, r: &Raw) -> Option<u64> {
    match r.pick(&fields::PROXY_REPLICAS, |x| &x.proxy_replicas) {
        (Some(n), path) if n < 0 => {
            cx.err(
                path,
                Code::SpecInvalid,
                format!("proxy_replicas is {n}; it cannot be negative"),
                None,
            );
            None
        }
        (other, _) => other.map(|n| n as u64),
    }
}

fn publish_mode(cx: &mut Ctx, r: &Raw) -> Option<PublishMode> {
    let (mode, path) = r.pick(&fields::PUBLISH_MODE, |x| &x.publish_mode);
    match mode.as_deref() {
        None => None,
        Some("ingress") => Some(PublishMode::Ingress),
        Some("host") => Some(PublishMode::Host),
        Some(other) => {
            cx.err(
                path,
                Code::SpecInvalid,
                format!("publish_mode \"{other}\" is not one Interlock knows"),
                Some("use \"ingress\" or \"host\"".into()),
            );
            None
        }
    }
}

fn node_label(cx: &mut Ctx, r: &Raw) -> Option<NodeLabel> {
    let key = r
        .pick(&fields::NODE_LABEL_KEY, |x| &x.node_label_key)
        .0
        .unwrap_or_else(|| DEFAULT_NODE_LABEL_KEY.to_string());
    let (value, path) = r.pick(&fields::NODE_LABEL, |x| &x.node_label);
    let label = value.map(|value| NodeLabel { key, value })?;
    if let Err(reason) = constraint::parse(&label.constraint()) {
        cx.err(
            path,
            Code::InvalidConstraint,
            format!(
                "node label {}={} cannot be used in a swarm constraint: {}",
                label.key, label.value, reason.reason
            ),
            Some("label keys and values take letters, digits, '.', '-' and '_'".into()),
        );
    }
    Some(label)
}

fn constraint_edit(
    cx: &mut Ctx,
    r: &Raw,
    field: &Field,
    get: impl Fn(&RawCluster) -> &Option<ConstraintEdit>,
) -> ConstraintEdit {
    let (edit, path) = r.pick(field, get);
    let edit = edit.unwrap_or_default();
    check_constraints(cx, &edit, path);
    edit
}

fn check_constraints(cx: &mut Ctx, edit: &ConstraintEdit, path: KeyPath) {
    // `remove` takes any text: it only has to match what is there.
    let lists: [(&str, Option<&Vec<String>>); 2] =
        [("add", Some(&edit.add)), ("replace", edit.replace.as_ref())];
    for (which, list) in lists {
        let Some(list) = list else { continue };
        for (i, expr) in list.iter().enumerate() {
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
                    Code::InvalidConstraint,
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

/// The proxy service the cluster takes over: a valid service name, and not next to a
/// `proxy_service_name` (the two would name the cluster's proxy twice).
fn adopt_proxy(cx: &mut Ctx, r: &Raw) -> Option<String> {
    let name = r.c.adopt_proxy.clone()?;
    let path = r.base.clone().key(fields::ADOPT_PROXY.name);
    if r.c.proxy_service_name.is_some() || r.d.proxy_service_name.is_some() {
        cx.err(
            path,
            Code::SpecInvalid,
            "`adopt_proxy` and `proxy_service_name` both name the cluster's proxy".into(),
            Some("keep `adopt_proxy` to take over a running proxy, or `proxy_service_name` for a new one".into()),
        );
        return None;
    }
    if let Some(problem) = service_name_problem(&name) {
        cx.err(
            path,
            Code::SpecInvalid,
            format!("`adopt_proxy` = {name:?} is not a service name: {problem}"),
            Some("name the running proxy service, as `docker service ls` shows it".into()),
        );
        return None;
    }
    Some(name)
}

/// The extension, proxy and config service names, placeholders filled in.
fn service_names(cx: &mut Ctx, r: &Raw, service_cluster: &str) -> [String; 3] {
    let getters: [fn(&RawCluster) -> &Option<String>; 3] = [
        |x| &x.service_name,
        |x| &x.proxy_service_name,
        |x| &x.config_service_name,
    ];
    let mut names = getters
        .iter()
        .zip(NAME_DEFAULTS)
        .map(|(get, (field, default))| {
            let (pattern, path) = r.pick(&field, get);
            let pattern = pattern.unwrap_or_else(|| default.to_string());
            expand(cx, &pattern, r.name, service_cluster, path)
        });
    let mut next = || names.next().expect("three names");
    [next(), next(), next()]
}

fn expand(cx: &mut Ctx, pattern: &str, name: &str, service_cluster: &str, path: KeyPath) -> String {
    let out = pattern
        .replace("{name}", name)
        .replace("{service_cluster}", service_cluster);
    if out.contains('{') || out.contains('}') {
        cx.err(
            path.clone(),
            Code::SpecInvalid,
            format!("`{pattern}` has a placeholder other than {{name}} and {{service_cluster}}"),
            None,
        );
    } else if let Some(problem) = service_name_problem(&out) {
        cx.err(
            path,
            Code::InvalidName,
            format!("service name `{out}` {problem}"),
            None,
        );
    }
    out
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
