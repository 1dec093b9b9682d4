//! Property tests of the split: generated Interlock configs (as text, with the formatting
//! variety real ones have) and generated specs.
//!
//! What must hold for every well-formed input:
//! 1. the split succeeds;
//! 2. the output is TOML, has each cluster exactly once and in spec order, with the values the
//!    spec asks for;
//! 3. splitting the output again changes nothing;
//! 4. every line the split does not own survives byte for byte: outside the extensions, in kept
//!    extensions, and in every clone of the template;
//!
//! and for any text at all, including mangled configs:
//! 5. the split does not panic, and what it returns as Ok is TOML.

use interlock_split::interlock::keys;
use interlock_split::interlock::{Extension, InterlockConfig};
use interlock_split::spec::{self, Spec};
use interlock_split::split::{ClusterStatus, SplitOutcome, split};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use toml_edit::DocumentMut;

/// The template extension of every generated config (the spec's default template).
const TEMPLATE: &str = "default";

/// `cases`, unless `PROPTEST_CASES` asks for another number (for a longer local run).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// The config model and its rendering.

/// Comment texts. Each rendered comment gets a unique tag (`k<n>:`) so it can be counted.
const COMMENTS: [&str; 6] = [
    "keep me",
    "tuned by ops",
    "TODO: check",
    "ünïcode ☃",
    "a = b [x]",
    "\"quoted\" 'too'",
];

#[derive(Debug, Clone)]
enum Trivia {
    Blank,
    Comment(&'static str),
}

#[derive(Debug, Clone)]
struct Entry {
    /// Blank and comment lines before the key.
    before: Vec<Trivia>,
    /// The key as written (spelling, quotes).
    key: String,
    /// Whitespace left and right of `=`.
    eq: (&'static str, &'static str),
    value: String,
    comment: Option<&'static str>,
    /// Whitespace at the end of the line.
    trailing: &'static str,
}

#[derive(Debug, Clone)]
struct Table {
    leading: Vec<Trivia>,
    /// Path below the table group (the extension, or `Other`): empty for the group itself.
    tail: Vec<String>,
    header_indent: usize,
    key_indent: usize,
    header_comment: Option<&'static str>,
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct ConfigModel {
    top: Vec<Entry>,
    /// `[Extensions]` header line, with its leading trivia and end-of-line comment.
    extensions_header: Option<(Vec<Trivia>, Option<&'static str>)>,
    /// The template extension; the first table is the extension itself.
    template: Vec<Table>,
    /// A second extension, never a cluster.
    unmanaged: Option<(String, Vec<Table>)>,
    unmanaged_first: bool,
    /// An unrelated top-level table after the extensions.
    other: Option<(String, Vec<Table>)>,
    trailer: Vec<Trivia>,
    final_newline: bool,
}

struct Renderer {
    out: String,
    tags: usize,
}

impl Renderer {
    fn comment(&mut self, text: &str) -> String {
        self.tags += 1;
        format!("# k{}: {text}", self.tags)
    }

    fn trivia(&mut self, ts: &[Trivia], indent: usize) {
        for t in ts {
            match t {
                Trivia::Blank => self.out.push('\n'),
                Trivia::Comment(c) => {
                    let c = self.comment(c);
                    self.out.push_str(&format!("{:indent$}{c}\n", ""));
                }
            }
        }
    }

    fn entry(&mut self, e: &Entry, indent: usize) {
        self.trivia(&e.before, indent);
        let comment = match e.comment {
            Some(c) => format!(" {}", self.comment(c)),
            None => String::new(),
        };
        self.out.push_str(&format!(
            "{:indent$}{}{}={}{}{comment}{}\n",
            "", e.key, e.eq.0, e.eq.1, e.value, e.trailing
        ));
    }

    fn table(&mut self, group: &str, t: &Table) {
        self.trivia(&t.leading, t.header_indent);
        let mut path = group.to_string();
        for k in &t.tail {
            path.push('.');
            path.push_str(k);
        }
        let comment = match t.header_comment {
            Some(c) => format!("  {}", self.comment(c)),
            None => String::new(),
        };
        self.out
            .push_str(&format!("{:1$}[{path}]{comment}\n", "", t.header_indent));
        for e in &t.entries {
            self.entry(e, t.key_indent);
        }
    }
}

impl ConfigModel {
    fn render(&self) -> String {
        let mut r = Renderer {
            out: String::new(),
            tags: 0,
        };
        for e in &self.top {
            r.entry(e, 0);
        }
        if let Some((leading, comment)) = &self.extensions_header {
            r.trivia(leading, 0);
            r.out.push_str("[Extensions]");
            if let Some(c) = comment {
                let c = r.comment(c);
                r.out.push_str(&format!(" {c}"));
            }
            r.out.push('\n');
        }
        let template = ("default".to_string(), self.template.clone());
        let mut exts = vec![&template];
        if let Some(u) = &self.unmanaged {
            if self.unmanaged_first {
                exts.insert(0, u);
            } else {
                exts.push(u);
            }
        }
        for (name, tables) in exts {
            for t in tables {
                r.table(&format!("Extensions.{name}"), t);
            }
        }
        if let Some((name, tables)) = &self.other {
            for t in tables {
                r.table(name, t);
            }
        }
        r.trivia(&self.trailer, 0);
        if !self.final_newline && r.out.ends_with('\n') {
            r.out.pop();
        }
        r.out
    }
}

// ---------------------------------------------------------------------------------------------
// Config strategies.

fn trivia() -> impl Strategy<Value = Trivia> {
    prop_oneof![
        Just(Trivia::Blank),
        select(COMMENTS.to_vec()).prop_map(Trivia::Comment)
    ]
}

fn some_trivia() -> BoxedStrategy<Vec<Trivia>> {
    prop_oneof![
        3 => Just(Vec::new()),
        1 => prop::collection::vec(trivia(), 1..=2),
    ]
    .boxed()
}

fn eol_comment() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::weighted(0.2, select(COMMENTS.to_vec()))
}

fn eq_spacing() -> impl Strategy<Value = (&'static str, &'static str)> {
    select(vec![
        ("", ""),
        (" ", " "),
        ("  ", "  "),
        (" ", ""),
        ("", "  "),
    ])
}

/// The key in its usual spelling, all lower case, or all upper case.
fn key_case(k: &'static str) -> BoxedStrategy<String> {
    prop_oneof![
        4 => Just(k.to_string()),
        1 => Just(k.to_ascii_lowercase()),
        1 => Just(k.to_ascii_uppercase()),
    ]
    .boxed()
}

/// A basic string with escapes, as in log formats.
fn escaped_string() -> BoxedStrategy<String> {
    let pieces = select(vec![
        "abc",
        "$remote_addr",
        " ",
        "\\\"",
        "\\n",
        "\\t",
        "\\\\",
        "[$time_local]",
        "'",
        "ü☃",
        "#x",
        "=",
    ]);
    prop::collection::vec(pieces, 0..6)
        .prop_map(|p| format!("\"{}\"", p.concat()))
        .boxed()
}

/// A literal string: backslashes and double quotes are plain characters there.
fn literal_string() -> BoxedStrategy<String> {
    let pieces = select(vec![
        "abc",
        " ",
        "\\d+",
        "HIGH:!aNULL:!MD5",
        "\"q\"",
        "[x]",
        "#y",
        "\\n",
    ]);
    prop::collection::vec(pieces, 0..5)
        .prop_map(|p| format!("'{}'", p.concat()))
        .boxed()
}

fn any_string() -> BoxedStrategy<String> {
    prop_oneof![2 => escaped_string(), 1 => literal_string()].boxed()
}

fn plain_string(s: &'static str) -> BoxedStrategy<String> {
    prop_oneof![4 => Just(format!("\"{s}\"")), 1 => Just(format!("'{s}'"))].boxed()
}

fn int(range: std::ops::RangeInclusive<i64>) -> BoxedStrategy<String> {
    range.prop_map(|i| i.to_string()).boxed()
}

const CONSTRAINTS: [&str; 5] = [
    "node.labels.com.docker.ucp.orchestrator.swarm==true",
    "node.platform.os==linux",
    "node.role==worker",
    "node.labels.com.docker.interlock.service.cluster==old",
    "node.labels.zone!=a",
];

fn constraint_array() -> BoxedStrategy<String> {
    (
        prop::collection::vec(select(CONSTRAINTS.to_vec()), 0..=3),
        select(vec![(", ", "", "\""), (",", " ", "\""), (", ", "", "'")]),
    )
        .prop_map(|(items, (sep, pad, q))| {
            let items: Vec<String> = items.iter().map(|c| format!("{q}{c}{q}")).collect();
            format!("[{pad}{}{pad}]", items.join(sep))
        })
        .boxed()
}

fn entry(key: BoxedStrategy<String>, value: BoxedStrategy<String>) -> BoxedStrategy<Entry> {
    let trailing = prop_oneof![8 => Just(""), 1 => Just("  "), 1 => Just("\t")];
    (
        some_trivia(),
        key,
        eq_spacing(),
        value,
        eol_comment(),
        trailing,
    )
        .prop_map(|(before, key, eq, value, comment, trailing)| Entry {
            before,
            key,
            eq,
            value,
            comment,
            trailing,
        })
        .boxed()
}

/// Each candidate (key, value, probability) present or not, in random order.
fn entries(
    candidates: Vec<(BoxedStrategy<String>, BoxedStrategy<String>, f64)>,
) -> BoxedStrategy<Vec<Entry>> {
    let each: Vec<BoxedStrategy<Option<Entry>>> = candidates
        .into_iter()
        .map(|(k, v, p)| prop::option::weighted(p, entry(k, v)).boxed())
        .collect();
    each.prop_map(|v| v.into_iter().flatten().collect::<Vec<_>>())
        .prop_shuffle()
        .boxed()
}

fn extension_entries() -> BoxedStrategy<Vec<Entry>> {
    entries(vec![
        (
            key_case("Image"),
            plain_string("docker/ucp-interlock-extension:3.1.2"),
            0.9,
        ),
        (
            key_case("ServiceName"),
            plain_string("ucp-interlock-extension"),
            0.9,
        ),
        (key_case("Args"), Just("[]".to_string()).boxed(), 0.5),
        (key_case("Constraints"), constraint_array(), 0.5),
        (
            key_case("ProxyImage"),
            plain_string("docker/ucp-interlock-proxy:3.1.2"),
            0.9,
        ),
        (
            key_case("ProxyServiceName"),
            plain_string("ucp-interlock-proxy"),
            0.9,
        ),
        (
            key_case("ProxyConfigPath"),
            plain_string("/etc/nginx/nginx.conf"),
            0.3,
        ),
        (key_case("ProxyReplicas"), int(0..=5), 0.9),
        (key_case("ProxyStopGracePeriod"), plain_string("5s"), 0.3),
        (key_case("ProxyConstraints"), constraint_array(), 0.5),
        (
            key_case("PublishMode"),
            prop_oneof![plain_string("ingress"), plain_string("host")].boxed(),
            0.5,
        ),
        (key_case("PublishedPort"), int(1..=65535), 0.5),
        (key_case("TargetPort"), int(1..=65535), 0.5),
        (key_case("PublishedSSLPort"), int(1..=65535), 0.5),
        (key_case("TargetSSLPort"), int(1..=65535), 0.3),
        (
            key_case("ConfigServiceName"),
            plain_string("ucp-interlock-config"),
            0.2,
        ),
        (key_case("ServiceCluster"), plain_string("default"), 0.1),
        (
            key_case("Networks"),
            Just("[\"ucp-interlock\"]".to_string()).boxed(),
            0.1,
        ),
    ])
}

fn label_entries() -> BoxedStrategy<Vec<Entry>> {
    entries(vec![
        (
            Just("\"com.docker.ucp.InstanceID\"".to_string()).boxed(),
            plain_string("fewho8k85kyc6iqypvvdh3ntm"),
            0.8,
        ),
        (Just("team".to_string()).boxed(), any_string(), 0.4),
        (
            Just("\"com.docker.lb.note\"".to_string()).boxed(),
            any_string(),
            0.4,
        ),
        (Just("'owner'".to_string()).boxed(), any_string(), 0.3),
    ])
}

fn nginx_entries() -> BoxedStrategy<Vec<Entry>> {
    entries(vec![
        (key_case("User"), plain_string("nginx"), 0.7),
        (key_case("PidPath"), plain_string("/var/run/proxy.pid"), 0.4),
        (key_case("MaxConnections"), int(1..=65535), 0.6),
        (
            prop_oneof![
                Just("RLimitNoFile".to_string()),
                Just("RlimitNoFile".to_string()),
                Just("rlimitnofile".to_string()),
            ]
            .boxed(),
            int(1..=1_000_000),
            0.6,
        ),
        (key_case("MainLogFormat"), escaped_string(), 0.6),
        (key_case("TraceLogFormat"), any_string(), 0.3),
        (key_case("SSLCiphers"), literal_string(), 0.4),
        (key_case("IPHash"), Just("false".to_string()).boxed(), 0.3),
        (key_case("AdminPass"), plain_string(""), 0.3),
    ])
}

/// An extension: its own table and sub-tables `.Labels`, `.ProxyLabels`, `.Config` (each
/// optional, in any order and spelling).
fn extension(own: BoxedStrategy<Vec<Entry>>) -> BoxedStrategy<Vec<Table>> {
    let sub = |names: Vec<&'static str>, entries: BoxedStrategy<Vec<Entry>>| {
        prop::option::weighted(
            0.5,
            (
                some_trivia(),
                select(names),
                0usize..=1,
                0usize..=2,
                prop::option::weighted(0.1, select(COMMENTS.to_vec())),
                entries,
            ),
        )
    };
    (
        (
            some_trivia(),
            0usize..=1,
            0usize..=2,
            prop::option::weighted(0.2, select(COMMENTS.to_vec())),
            own,
        ),
        vec![
            sub(vec!["Labels", "labels"], label_entries()),
            sub(vec!["ProxyLabels", "proxylabels"], label_entries()),
            sub(vec!["Config", "config", "CONFIG"], nginx_entries()),
        ]
        .prop_shuffle(),
    )
        .prop_map(|((leading, hi, ki, hc, entries), subs)| {
            let header_indent = 2 * hi;
            let mut tables = vec![Table {
                leading,
                tail: Vec::new(),
                header_indent,
                key_indent: header_indent + 2 * ki,
                header_comment: hc,
                entries,
            }];
            for (leading, name, si, ki, hc, entries) in subs.into_iter().flatten() {
                let sub_indent = header_indent + 2 * si;
                tables.push(Table {
                    leading,
                    tail: vec![name.to_string()],
                    header_indent: sub_indent,
                    key_indent: sub_indent + 2 * ki,
                    header_comment: hc,
                    entries,
                });
            }
            tables
        })
        .boxed()
}

fn unmanaged_entries() -> BoxedStrategy<Vec<Entry>> {
    entries(vec![
        (
            key_case("Image"),
            plain_string("docker/ucp-interlock-extension:3.0.0"),
            0.9,
        ),
        (
            key_case("ServiceName"),
            plain_string("legacy-extension"),
            0.9,
        ),
        (
            key_case("ProxyServiceName"),
            plain_string("legacy-proxy"),
            0.9,
        ),
        (key_case("ProxyReplicas"), int(0..=3), 0.9),
        (key_case("PublishedPort"), int(1..=65535), 0.5),
        (key_case("ProxyConstraints"), constraint_array(), 0.5),
    ])
}

fn other_table() -> BoxedStrategy<(String, Vec<Table>)> {
    let table = |tail: Vec<String>| {
        (
            some_trivia(),
            0usize..=2,
            entries(vec![
                (key_case("Setting"), any_string(), 0.8),
                (key_case("Count"), int(0..=100), 0.8),
            ]),
        )
            .prop_map(move |(leading, ki, entries)| Table {
                leading,
                tail: tail.clone(),
                header_indent: 0,
                key_indent: 2 * ki,
                header_comment: None,
                entries,
            })
    };
    (
        select(vec!["Other", "Metrics"]),
        table(Vec::new()),
        prop::option::of(table(vec!["Nested".to_string()])),
    )
        .prop_map(|(name, own, nested)| {
            let mut tables = vec![own];
            tables.extend(nested);
            (name.to_string(), tables)
        })
        .boxed()
}

fn top_entries() -> BoxedStrategy<Vec<Entry>> {
    entries(vec![
        (key_case("ListenAddr"), plain_string(":8080"), 0.8),
        (
            key_case("DockerURL"),
            plain_string("unix:///var/run/docker.sock"),
            0.8,
        ),
        (
            key_case("AllowInsecure"),
            Just("false".to_string()).boxed(),
            0.6,
        ),
        (key_case("PollInterval"), plain_string("3s"), 0.8),
        (key_case("TLSCACert"), plain_string("/certs/ca.pem"), 0.3),
        (key_case("EndpointOverride"), plain_string(""), 0.2),
    ])
}

fn config_model() -> BoxedStrategy<ConfigModel> {
    (
        top_entries(),
        prop::option::weighted(0.6, (some_trivia(), eol_comment())),
        extension(extension_entries()),
        prop::option::weighted(
            0.4,
            (
                select(vec!["legacy", "blue", "old-one"]),
                extension(unmanaged_entries()),
            ),
        ),
        prop::bool::weighted(0.2),
        prop::option::weighted(0.4, other_table()),
        some_trivia(),
        prop::bool::weighted(0.9),
    )
        .prop_map(
            |(top, extensions_header, template, unmanaged, unmanaged_first, other, trailer, nl)| {
                ConfigModel {
                    top,
                    extensions_header,
                    template,
                    unmanaged: unmanaged.map(|(n, t)| (n.to_string(), t)),
                    unmanaged_first,
                    other,
                    trailer,
                    final_newline: nl,
                }
            },
        )
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// The spec model and its rendering.

#[derive(Debug, Clone, PartialEq)]
enum SpecValue {
    Int(i64),
    Str(String),
}

#[derive(Debug, Clone)]
struct ClusterModel {
    name: String,
    http_port: Option<u16>,
    https_port: Option<u16>,
    proxy_replicas: Option<u8>,
    publish_mode: Option<&'static str>,
    networks: Option<Vec<String>>,
    node_label: Option<String>,
    proxy_labels: Vec<(String, String)>,
    config: Vec<(String, SpecValue)>,
}

#[derive(Debug, Clone)]
struct SpecModel {
    keep_template: Option<bool>,
    keep_unmanaged: bool,
    clusters: Vec<ClusterModel>,
}

/// A TOML basic string holding `s`.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl SpecModel {
    fn render(&self, unmanaged: Option<&str>) -> String {
        let mut s = String::new();
        if let Some(k) = self.keep_template {
            s.push_str(&format!("keep_template = {k}\n"));
        }
        if let (true, Some(u)) = (self.keep_unmanaged, unmanaged) {
            s.push_str(&format!("keep_extensions = [{}]\n", quote(u)));
        }
        for c in &self.clusters {
            s.push_str(&format!("\n[clusters.{}]\n", c.name));
            if let Some(p) = c.http_port {
                s.push_str(&format!("http_port = {p}\n"));
            }
            if let Some(p) = c.https_port {
                s.push_str(&format!("https_port = {p}\n"));
            }
            if let Some(n) = c.proxy_replicas {
                s.push_str(&format!("proxy_replicas = {n}\n"));
            }
            if let Some(m) = c.publish_mode {
                s.push_str(&format!("publish_mode = {}\n", quote(m)));
            }
            if let Some(n) = &c.networks {
                let n: Vec<String> = n.iter().map(|x| quote(x)).collect();
                s.push_str(&format!("networks = [{}]\n", n.join(", ")));
            }
            if let Some(l) = &c.node_label {
                s.push_str(&format!("node_label = {}\n", quote(l)));
            }
            if !c.proxy_labels.is_empty() {
                s.push_str(&format!("[clusters.{}.proxy_labels]\n", c.name));
                for (k, v) in &c.proxy_labels {
                    s.push_str(&format!("{} = {}\n", quote(k), quote(v)));
                }
            }
            if !c.config.is_empty() {
                s.push_str(&format!("[clusters.{}.config]\n", c.name));
                for (k, v) in &c.config {
                    let v = match v {
                        SpecValue::Int(i) => i.to_string(),
                        SpecValue::Str(x) => quote(x),
                    };
                    s.push_str(&format!("{k} = {v}\n"));
                }
            }
        }
        s
    }

    fn cluster(&self, name: &str) -> Option<&ClusterModel> {
        self.clusters.iter().find(|c| c.name == name)
    }
}

/// Distinct by `key`, ignoring case: the first one wins.
fn dedup_ci<T>(items: Vec<T>, key: impl Fn(&T) -> &str) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for x in items {
        if !out.iter().any(|y| key(y).eq_ignore_ascii_case(key(&x))) {
            out.push(x);
        }
    }
    out
}

fn spec_string() -> BoxedStrategy<String> {
    let pieces = select(vec![
        "web", "x", " ", "\"", "'", "\\", "\t", "\n", "ü", "$host", "[a]", "#",
    ]);
    prop::collection::vec(pieces, 0..5)
        .prop_map(|p| p.concat())
        .boxed()
}

fn cluster_name() -> BoxedStrategy<String> {
    prop_oneof![
        10 => "[a-z][a-z0-9]{0,7}",
        1 => Just(TEMPLATE.to_string()),
    ]
    .prop_filter("not an unmanaged extension's name", |n| {
        !["legacy", "blue"].contains(&n.as_str())
    })
    .boxed()
}

fn cluster_model() -> BoxedStrategy<ClusterModel> {
    let label_key = select(vec![
        "team",
        "com.docker.lb.x",
        "com.docker.ucp.instanceid",
        "com.docker.ucp.InstanceID",
        "owner",
        "Team",
    ]);
    let config_entry = prop_oneof![
        (
            select(vec!["MaxConnections", "RLimitNoFile", "rlimitnofile"]),
            1i64..=100_000
        )
            .prop_map(|(k, v)| (k.to_string(), SpecValue::Int(v))),
        (
            select(vec!["User", "MainLogFormat", "KeepaliveTimeout", "user"]),
            spec_string()
        )
            .prop_map(|(k, v)| (k.to_string(), SpecValue::Str(v))),
    ];
    (
        cluster_name(),
        prop::option::of(1024u16..=65535),
        prop::option::of(1024u16..=65535),
        prop::option::of(0u8..=5),
        (
            prop::option::weighted(0.2, select(vec!["ingress", "host"])),
            prop::option::weighted(
                0.15,
                prop::collection::vec("[a-z][a-z0-9-]{0,6}[a-z0-9]", 0..=2),
            ),
        ),
        prop::option::of("[a-zA-Z0-9]{1,8}"),
        prop::option::weighted(
            0.3,
            prop::collection::vec((label_key, spec_string()), 1..=3),
        ),
        prop::option::weighted(0.3, prop::collection::vec(config_entry, 1..=3)),
    )
        .prop_map(
            |(
                name,
                http_port,
                https_port,
                proxy_replicas,
                (publish_mode, networks),
                node_label,
                labels,
                config,
            )| {
                ClusterModel {
                    name,
                    http_port,
                    https_port,
                    proxy_replicas,
                    publish_mode,
                    networks,
                    node_label,
                    proxy_labels: dedup_ci(
                        labels
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect(),
                        |(k, _)| k,
                    ),
                    config: dedup_ci(config.unwrap_or_default(), |(k, _)| k),
                }
            },
        )
        .boxed()
}

fn spec_model() -> BoxedStrategy<SpecModel> {
    (
        prop::option::of(any::<bool>()),
        any::<bool>(),
        prop::collection::vec(cluster_model(), 1..=5),
    )
        .prop_map(|(keep_template, keep_unmanaged, clusters)| SpecModel {
            keep_template,
            keep_unmanaged,
            clusters: dedup_ci(clusters, |c| &c.name),
        })
        .boxed()
}

/// One generated input: the models and their text.
#[derive(Clone)]
struct Case {
    cfg: ConfigModel,
    model: SpecModel,
    current: String,
    spec_text: String,
}

/// Shrunk inputs are reported as the two texts, which is what one needs to reproduce them.
impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case")
            .field("current", &self.current)
            .field("spec_text", &self.spec_text)
            .finish()
    }
}

impl Case {
    fn spec(&self) -> Spec {
        spec::parse("spec.toml", &self.spec_text)
            .unwrap_or_else(|e| panic!("generated spec refused: {e:?}\n{}", self.spec_text))
    }

    fn unmanaged(&self) -> Option<&str> {
        self.cfg.unmanaged.as_ref().map(|(n, _)| n.as_str())
    }

    fn keep_template(&self) -> bool {
        self.model.keep_template == Some(true)
    }

    fn template_is_cluster(&self) -> bool {
        self.model.cluster(TEMPLATE).is_some()
    }

    /// Extensions the output keeps as they are.
    fn kept(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.keep_template() && !self.template_is_cluster() {
            out.push(TEMPLATE.to_string());
        }
        if let (true, Some(u)) = (self.model.keep_unmanaged, self.unmanaged()) {
            out.push(u.to_string());
        }
        out
    }

    /// How many copies of the template the output holds.
    fn template_copies(&self) -> usize {
        self.model.clusters.len() + usize::from(self.keep_template() && !self.template_is_cluster())
    }

    fn show(&self, out: Option<&str>) -> String {
        let mut s = format!(
            "\n===== spec =====\n{}\n===== input =====\n{}\n===== end input =====\n",
            self.spec_text, self.current
        );
        if let Some(o) = out {
            s.push_str(&format!(
                "===== output =====\n{o}\n===== end output =====\n"
            ));
        }
        s
    }
}

fn case() -> BoxedStrategy<Case> {
    (config_model(), spec_model())
        .prop_map(|(cfg, model)| {
            let current = cfg.render();
            let unmanaged = cfg.unmanaged.as_ref().map(|(n, _)| n.clone());
            let spec_text = model.render(unmanaged.as_deref());
            Case {
                cfg,
                model,
                current,
                spec_text,
            }
        })
        .boxed()
}

fn run(case: &Case) -> Result<SplitOutcome, TestCaseError> {
    split(&case.current, &case.spec()).map_err(|e| {
        TestCaseError::fail(format!(
            "split refused a well-formed input: {:?}{}",
            e.to_finding(),
            case.show(None)
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// A text-level view of sections, independent of toml_edit.
//
// A line whose trimmed text starts with `[` starts a section. Blank and comment lines belong to
// what follows them (as in toml_edit's model): the ones just before a header are that section's
// leading lines, the ones at the end of the file are the trailer.

#[derive(Debug, Clone, PartialEq)]
enum At {
    Root,
    Table(Vec<String>),
    Trailer,
}

#[derive(Debug, Clone)]
struct Section {
    at: At,
    leading: Vec<String>,
    header: Option<String>,
    body: Vec<String>,
}

impl Section {
    fn lines(&self) -> impl Iterator<Item = &String> {
        self.leading
            .iter()
            .chain(self.header.iter())
            .chain(self.body.iter())
    }

    /// (extension, path below it) for the sections of `[Extensions.<name>…]`.
    fn extension(&self) -> Option<(&str, &[String])> {
        match &self.at {
            At::Table(p) if p.len() >= 2 && p[0] == "Extensions" => Some((&p[1], &p[2..])),
            _ => None,
        }
    }
}

fn is_trivia(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    let quoted = s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')));
    if quoted {
        s[1..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

fn header_path(trimmed: &str) -> Vec<String> {
    let inner = trimmed.trim_start_matches('[');
    let inner = &inner[..inner.find(']').unwrap_or(inner.len())];
    inner.split('.').map(unquote).collect()
}

/// The key of a `key = value` line (unquoted).
fn key_of(line: &str) -> Option<String> {
    if is_trivia(line) || line.trim_start().starts_with('[') {
        return None;
    }
    line.find('=').map(|i| unquote(&line[..i]))
}

/// Where the string that started before `from` ends: the index after its closing `delim`.
/// Basic strings (`"`, `\"\"\"`) take backslash escapes, literal ones (`'`, `'''`) do not.
fn closing(line: &[u8], from: usize, delim: &str) -> Option<usize> {
    let d = delim.as_bytes();
    let mut i = from;
    while i < line.len() {
        if d[0] == b'"' && line[i] == b'\\' {
            i += 2;
            continue;
        }
        if line[i..].starts_with(d) {
            return Some(i + d.len());
        }
        i += 1;
    }
    None
}

/// The delimiter of a multi-line string that `line` opens and does not close.
fn opens_multiline(line: &str) -> Option<&'static str> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let delim = ["\"\"\"", "'''", "\"", "'"]
            .into_iter()
            .find(|d| b[i..].starts_with(d.as_bytes()));
        match delim {
            Some(d) => match closing(b, i + d.len(), d) {
                Some(end) => i = end,
                None if d.len() == 3 => return Some(d),
                None => return None,
            },
            None if b[i] == b'#' => return None,
            None => i += 1,
        }
    }
    None
}

fn sections(text: &str) -> Vec<Section> {
    let mut out = vec![Section {
        at: At::Root,
        leading: Vec::new(),
        header: None,
        body: Vec::new(),
    }];
    let mut pending: Vec<String> = Vec::new();
    // Inside a multi-line string (toml_edit writes them for values with newlines).
    let mut multiline: Option<&str> = None;
    for line in text.lines() {
        let cur = out.last_mut().expect("never empty");
        if let Some(delim) = multiline {
            cur.body.push(line.to_string());
            if closing(line.as_bytes(), 0, delim).is_some() {
                multiline = None;
            }
            continue;
        }
        if is_trivia(line) {
            pending.push(line.to_string());
            continue;
        }
        let t = line.trim();
        if t.starts_with('[') {
            out.push(Section {
                at: At::Table(header_path(t)),
                leading: std::mem::take(&mut pending),
                header: Some(line.to_string()),
                body: Vec::new(),
            });
            continue;
        }
        cur.body.append(&mut pending);
        cur.body.push(line.to_string());
        multiline = opens_multiline(line);
    }
    if !pending.is_empty() {
        out.push(Section {
            at: At::Trailer,
            leading: pending,
            header: None,
            body: Vec::new(),
        });
    }
    out
}

/// Whether `small` occurs in `big` in order (not necessarily contiguous).
fn is_subsequence(small: &[&String], big: &[&String]) -> Result<(), String> {
    let mut it = big.iter();
    for s in small {
        if !it.any(|b| b == s) {
            return Err(s.to_string());
        }
    }
    Ok(())
}

/// The comment tags (`k<n>:`) a line carries.
fn tags(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("# k") {
        let after = &rest[i + 3..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && after[digits.len()..].starts_with(':') {
            out.push(format!("k{digits}:"));
        }
        rest = after;
    }
    out
}

/// The keys of an extension's own table that the split writes for `c`.
fn owned_extension_keys(c: &ClusterModel) -> Vec<&'static str> {
    let mut owned = vec![
        "ServiceCluster",
        "ServiceName",
        "ProxyServiceName",
        "ConfigServiceName",
    ];
    if c.http_port.is_some() {
        owned.push("PublishedPort");
    }
    if c.https_port.is_some() {
        owned.push("PublishedSSLPort");
    }
    if c.proxy_replicas.is_some() {
        owned.push("ProxyReplicas");
    }
    if c.publish_mode.is_some() {
        owned.push("PublishMode");
    }
    if c.networks.is_some() {
        owned.push("Networks");
    }
    if c.node_label.is_some() {
        owned.push("Constraints");
        owned.push("ProxyConstraints");
    }
    owned
}

fn is_owned(c: &ClusterModel, below: &[String], key: &str) -> bool {
    match below {
        [] => owned_extension_keys(c)
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key)),
        // Docker labels are case-sensitive: only the exact key is the spec's.
        [sub] if sub.eq_ignore_ascii_case("ProxyLabels") => {
            c.proxy_labels.iter().any(|(k, _)| k == key)
        }
        [sub] if sub.eq_ignore_ascii_case("Config") => {
            c.config.iter().any(|(k, _)| k.eq_ignore_ascii_case(key))
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Semantic checks on the output.

fn sub_value<'a>(
    doc: &'a DocumentMut,
    ext: &str,
    sub: &str,
    key: &str,
) -> Option<&'a toml_edit::Value> {
    let exts = keys::get_table(doc.as_table(), "Extensions")?;
    let e = exts.get(ext)?.as_table()?;
    let t = keys::get(e, sub)?.1.as_table_like()?;
    // Label maps are case-sensitive; Config keys are struct fields, matched in any case.
    let labels = sub.to_ascii_lowercase().ends_with("labels");
    t.iter()
        .find(|(k, _)| {
            if labels {
                *k == key
            } else {
                k.eq_ignore_ascii_case(key)
            }
        })
        .and_then(|(_, i)| i.as_value())
}

fn check_semantics(case: &Case, out: &str) -> Result<(), String> {
    let doc: DocumentMut = out
        .parse()
        .map_err(|e| format!("output is not TOML: {e}"))?;
    let (_, cfg) = InterlockConfig::parse(out).map_err(|e| e.message)?;
    let (_, before) = InterlockConfig::parse(&case.current).map_err(|e| e.message)?;
    let template = before.extension(TEMPLATE).ok_or("no template in input")?;

    let names: Vec<&str> = cfg.extensions.iter().map(|e| e.name.as_str()).collect();
    let spec_names: Vec<&str> = case
        .model
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let in_spec: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| spec_names.contains(n))
        .collect();
    if in_spec != spec_names {
        return Err(format!(
            "clusters in the output {in_spec:?}, spec order {spec_names:?}"
        ));
    }
    let mut expected: Vec<String> = spec_names.iter().map(|s| s.to_string()).collect();
    expected.extend(case.kept());
    let mut got: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    expected.sort();
    got.sort();
    if got != expected {
        return Err(format!("extensions {got:?}, expected {expected:?}"));
    }

    // Each cluster's header exactly once, in spec order, in the text.
    let headers: Vec<String> = out
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('['))
        .map(|l| l[..l.find(']').map_or(l.len(), |i| i + 1)].to_string())
        .collect();
    let mut positions = Vec::new();
    for c in &spec_names {
        let h = format!("[Extensions.{c}]");
        let at: Vec<usize> = headers
            .iter()
            .enumerate()
            .filter(|(_, l)| **l == h)
            .map(|(i, _)| i)
            .collect();
        if at.len() != 1 {
            return Err(format!("{h} appears {} times", at.len()));
        }
        positions.push(at[0]);
    }
    if positions.windows(2).any(|w| w[0] > w[1]) {
        return Err(format!("cluster headers out of spec order: {positions:?}"));
    }

    for c in &case.model.clusters {
        let e = cfg.extension(&c.name).ok_or("cluster missing")?;
        let n = &c.name;
        // Keys are matched in any case: writing one must not add a second spelling.
        if !e.case_duplicates.is_empty() {
            return Err(format!(
                "{n}: keys that differ only in case: {:?}",
                e.case_duplicates
            ));
        }
        let want = |what: &str, got: &Option<String>, want: String| {
            if got.as_deref() == Some(want.as_str()) {
                Ok(())
            } else {
                Err(format!("{n}: {what} is {got:?}, expected {want:?}"))
            }
        };
        // A cluster the split creates gets the default names; one that exists keeps the names
        // it has (the spec sets none here), so listing it never renames its services.
        let existing = before.extension(n);
        let kept = |of: fn(&Extension) -> &Option<String>, default: String| {
            existing.and_then(|x| of(x).clone()).unwrap_or(default)
        };
        want(
            "ServiceCluster",
            &e.service_cluster,
            kept(|x| &x.service_cluster, n.clone()),
        )?;
        want(
            "ServiceName",
            &e.service_name,
            kept(|x| &x.service_name, format!("ucp-interlock-extension-{n}")),
        )?;
        want(
            "ProxyServiceName",
            &e.proxy_service_name,
            kept(
                |x| &x.proxy_service_name,
                format!("ucp-interlock-proxy-{n}"),
            ),
        )?;
        if template.config_service_name.is_some() {
            want(
                "ConfigServiceName",
                &e.config_service_name,
                kept(
                    |x| &x.config_service_name,
                    format!("ucp-interlock-config-{n}"),
                ),
            )?;
        }
        let port = c.http_port.map(i64::from).or(template.published_port);
        if e.published_port != port {
            return Err(format!("{n}: PublishedPort {:?}", e.published_port));
        }
        let port = c.https_port.map(i64::from).or(template.published_ssl_port);
        if e.published_ssl_port != port {
            return Err(format!("{n}: PublishedSSLPort {:?}", e.published_ssl_port));
        }
        let replicas = c.proxy_replicas.map(i64::from).or(template.proxy_replicas);
        if e.proxy_replicas != replicas {
            return Err(format!("{n}: ProxyReplicas {:?}", e.proxy_replicas));
        }
        let mode = c
            .publish_mode
            .map(str::to_string)
            .or(template.publish_mode_raw.clone());
        if e.publish_mode_raw != mode {
            return Err(format!("{n}: PublishMode {:?}", e.publish_mode_raw));
        }
        let networks = c.networks.as_ref().unwrap_or(&template.networks);
        if &e.networks != networks {
            return Err(format!("{n}: Networks {:?}", e.networks));
        }
        for (list, from) in [
            (&e.constraints, &template.constraints),
            (&e.proxy_constraints, &template.proxy_constraints),
        ] {
            match &c.node_label {
                None if list != from => {
                    return Err(format!("{n}: constraints {list:?}, template has {from:?}"));
                }
                Some(l) => {
                    let want = format!("node.labels.com.docker.interlock.service.cluster=={l}");
                    if list.last() != Some(&want) {
                        return Err(format!("{n}: constraints {list:?} do not end with {want}"));
                    }
                }
                None => {}
            }
        }
        for (k, v) in &c.proxy_labels {
            let got = sub_value(&doc, n, "ProxyLabels", k).and_then(|x| x.as_str());
            if got != Some(v.as_str()) {
                return Err(format!("{n}: ProxyLabels.{k} is {got:?}, expected {v:?}"));
            }
        }
        for (k, v) in &c.config {
            let got = sub_value(&doc, n, "Config", k);
            let ok = match (v, got) {
                (SpecValue::Int(i), Some(g)) => g.as_integer() == Some(*i),
                (SpecValue::Str(s), Some(g)) => g.as_str() == Some(s.as_str()),
                _ => false,
            };
            if !ok {
                return Err(format!("{n}: Config.{k} is {got:?}, expected {v:?}"));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Byte-for-byte survival.

fn check_survival(case: &Case, out: &str) -> Result<(), String> {
    let before = sections(&case.current);
    let after = sections(out);

    // 1. Everything outside the extensions (and the `[Extensions]` header itself).
    let outside = |ss: &[Section]| -> Vec<String> {
        ss.iter()
            .filter(|s| s.extension().is_none())
            .flat_map(|s| s.lines().cloned())
            .collect()
    };
    let (a, b) = (outside(&before), outside(&after));
    if a != b {
        return Err(format!(
            "lines outside the extensions changed:\n  before: {a:#?}\n  after: {b:#?}"
        ));
    }

    // 2. Kept extensions, every line.
    for k in case.kept() {
        let of = |ss: &[Section]| -> Vec<String> {
            ss.iter()
                .filter(|s| s.extension().is_some_and(|(n, _)| n == k))
                .flat_map(|s| s.lines().cloned())
                .collect()
        };
        let (a, b) = (of(&before), of(&after));
        if a != b {
            return Err(format!(
                "kept extension `{k}` changed:\n  before: {a:#?}\n  after: {b:#?}"
            ));
        }
    }

    // 3. Every clone of the template: headers renamed, every line it does not own.
    for c in &case.model.clusters {
        for s in before
            .iter()
            .filter(|s| s.extension().is_some_and(|(n, _)| n == TEMPLATE))
        {
            let (_, below) = s.extension().expect("filtered");
            let mut path = vec!["Extensions".to_string(), c.name.clone()];
            path.extend_from_slice(below);
            let found: Vec<&Section> = after
                .iter()
                .filter(|t| t.at == At::Table(path.clone()))
                .collect();
            let [t] = found.as_slice() else {
                return Err(format!(
                    "[{}] appears {} times in the output",
                    path.join("."),
                    found.len()
                ));
            };
            let header = s.header.as_deref().expect("a table").replacen(
                &format!("[Extensions.{TEMPLATE}"),
                &format!("[Extensions.{}", c.name),
                1,
            );
            if t.header.as_deref() != Some(header.as_str()) {
                return Err(format!(
                    "cluster `{}`: header {:?}, expected {header:?}",
                    c.name, t.header
                ));
            }
            let kept: Vec<&String> = s
                .body
                .iter()
                .filter(|l| key_of(l).is_none_or(|k| !is_owned(c, below, &k)))
                .collect();
            let body: Vec<&String> = t.body.iter().collect();
            if let Err(missing) = is_subsequence(&kept, &body) {
                return Err(format!(
                    "cluster `{}`, [{}]: template line {missing:?} is missing or out of order:\n  template: {:#?}\n  cluster: {:#?}",
                    c.name,
                    path.join("."),
                    s.body,
                    t.body
                ));
            }
        }
    }

    // 4. Every comment, counted: once outside the extensions and in kept ones, once per copy
    //    of the template in the template (except the lines before its header, which the first
    //    copy takes over), never in a dropped extension.
    let count = |tag: &str| {
        out.lines()
            .map(|l| tags(l).iter().filter(|t| *t == tag).count())
            .sum::<usize>()
    };
    let kept = case.kept();
    for s in &before {
        let leading_tags: Vec<String> = s.leading.iter().flat_map(|l| tags(l)).collect();
        let rest_tags: Vec<String> = s
            .header
            .iter()
            .chain(s.body.iter())
            .flat_map(|l| tags(l))
            .collect();
        let (lead_n, rest_n) = match s.extension() {
            None => (1, 1),
            Some((n, [])) if n == TEMPLATE => (1, case.template_copies()),
            Some((n, _)) if n == TEMPLATE => (case.template_copies(), case.template_copies()),
            Some((n, _)) if kept.iter().any(|k| k == n) => (1, 1),
            Some(_) => (0, 0),
        };
        for (tags, n) in [(leading_tags, lead_n), (rest_tags, rest_n)] {
            for tag in tags {
                let got = count(&tag);
                if got != n {
                    return Err(format!(
                        "comment `{tag}` of section {:?} appears {got} times, expected {n}",
                        s.at
                    ));
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The properties.

proptest! {
    #![proptest_config(config(256))]

    /// 1. Well-formed inputs split without error.
    #[test]
    fn split_accepts_well_formed_inputs(case in case()) {
        run(&case)?;
    }

    /// 2. The output is TOML with each cluster once, in spec order, carrying the spec's values.
    #[test]
    fn output_has_every_cluster_once_in_spec_order(case in case()) {
        let out = run(&case)?;
        if let Err(e) = check_semantics(&case, &out.text) {
            prop_assert!(false, "{e}{}", case.show(Some(&out.text)));
        }
    }

    /// 3. Splitting the output again with the same spec changes nothing.
    #[test]
    fn crlf_and_bom_survive_and_stay_idempotent(case in case(), crlf in any::<bool>(), bom in any::<bool>()) {
        // Windows line endings and a byte-order mark are the operator's; a run that changes
        // nothing returns the text as it was, and a run that changes something keeps them.
        let once = run(&case)?;
        let mut text = if crlf { once.text.replace('\n', "\r\n") } else { once.text.clone() };
        if bom {
            text.insert(0, '\u{feff}');
        }
        let again = split(&text, &case.spec()).map_err(|e| TestCaseError::fail(format!("{:?}", e.to_finding())))?;
        prop_assert_eq!(&again.text, &text, "{}", case.show(Some(&text)));
        prop_assert!(!again.changed(&text));
    }

    #[test]
    fn split_is_idempotent(case in case()) {
        let once = run(&case)?;
        let twice = split(&once.text, &case.spec());
        let twice = match twice {
            Ok(t) => t,
            Err(e) => {
                return Err(TestCaseError::fail(format!(
                    "second split failed: {:?}{}",
                    e.to_finding(),
                    case.show(Some(&once.text))
                )))
            }
        };
        prop_assert!(
            twice.text == once.text,
            "second run changed the output{}===== second output =====\n{}\n",
            case.show(Some(&once.text)),
            twice.text
        );
        prop_assert!(
            twice.clusters.iter().all(|c| c.status == ClusterStatus::Unchanged),
            "second run reports changes: {:?}{}",
            twice.clusters,
            case.show(Some(&once.text))
        );
        prop_assert!(
            twice.removed_extensions.is_empty(),
            "second run removes {:?}{}",
            twice.removed_extensions,
            case.show(Some(&once.text))
        );
    }

    /// 4. Lines the split does not own survive byte for byte.
    #[test]
    fn unowned_lines_survive_byte_for_byte(case in case()) {
        let out = run(&case)?;
        if let Err(e) = check_survival(&case, &out.text) {
            prop_assert!(false, "{e}{}", case.show(Some(&out.text)));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Any text: no panic, and an Ok output is TOML.

#[derive(Debug, Clone)]
enum Mutation {
    DeleteByte(Index),
    InsertText(Index, &'static str),
    DeleteLine(Index),
    DuplicateLine(Index),
    MoveLine(Index, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let ins = select(vec![
        "[",
        "]",
        "[[",
        "=",
        "\"",
        "'",
        "\n",
        ".",
        "#",
        "{",
        "}",
        ",",
        "x",
        "\\",
        "é",
        "\u{0}",
        " ",
        "\r\n",
        "\"\"\"",
        "Extensions.",
        "default",
        "= 1",
    ]);
    prop_oneof![
        any::<Index>().prop_map(Mutation::DeleteByte),
        (any::<Index>(), ins).prop_map(|(i, s)| Mutation::InsertText(i, s)),
        any::<Index>().prop_map(Mutation::DeleteLine),
        any::<Index>().prop_map(Mutation::DuplicateLine),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::MoveLine(a, b)),
    ]
}

fn mutate(text: &str, muts: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in muts {
        match m {
            Mutation::DeleteByte(i) if !bytes.is_empty() => {
                bytes.remove(i.index(bytes.len()));
            }
            Mutation::InsertText(i, s) => {
                let at = i.index(bytes.len() + 1);
                bytes.splice(at..at, s.bytes());
            }
            Mutation::DeleteLine(i) | Mutation::DuplicateLine(i) | Mutation::MoveLine(i, _) => {
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let mut lines: Vec<&str> = s.split('\n').collect();
                let at = i.index(lines.len());
                match m {
                    Mutation::DeleteLine(_) => {
                        lines.remove(at);
                    }
                    Mutation::DuplicateLine(_) => lines.insert(at, lines[at]),
                    Mutation::MoveLine(_, j) => {
                        let l = lines.remove(at);
                        let to = j.index(lines.len() + 1);
                        lines.insert(to, l);
                    }
                    _ => unreachable!("matched above"),
                }
                bytes = lines.join("\n").into_bytes();
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A parsed spec, for inputs that are not generated configs.
fn spec() -> impl Strategy<Value = Spec> {
    spec_model().prop_map(|m| {
        let text = m.render(Some("legacy"));
        spec::parse("spec.toml", &text)
            .unwrap_or_else(|e| panic!("generated spec refused: {e:?}\n{text}"))
    })
}

fn split_must_not_panic(text: &str, spec: &Spec) -> Result<(), TestCaseError> {
    if let Ok(out) = split(text, spec) {
        prop_assert!(
            out.text.parse::<DocumentMut>().is_ok(),
            "split returned Ok with an output that is not TOML\n===== input =====\n{text}\n===== output =====\n{}\n",
            out.text
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), spec in spec()) {
        split_must_not_panic(&text, &spec)?;
    }

    #[test]
    fn toml_like_text_never_panics(
        text in "(\\[|\\]|\\[\\[|=|\"|'|#|\\.|\n| |Extensions|default|[a-z]{1,3}|[0-9]|\\{|\\}|,)*",
        spec in spec(),
    ) {
        split_must_not_panic(&text, &spec)?;
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn mutated_configs_never_panic(
        case in case(),
        muts in prop::collection::vec(mutation(), 1..6),
    ) {
        let text = mutate(&case.current, &muts);
        split_must_not_panic(&text, &case.spec())?;
    }
}
