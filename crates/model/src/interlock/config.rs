//! A read-only view of an Interlock config: the extensions and the keys this tool reasons about.

use serde::Serialize;
use toml_edit::{DocumentMut, Item, Table, Value};

use super::keys::{self, ext};
use crate::locate::{KeyPath, line_col};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PublishMode {
    Ingress,
    Host,
}

impl PublishMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PublishMode::Ingress => "ingress",
            PublishMode::Host => "host",
        }
    }
}

/// What to do about a TOML syntax error the parser says no more about.
const SYNTAX_HINT: &str = "an unclosed bracket or string is reported where the parser noticed it: look at the lines just above too";

/// A TOML syntax error, with where it is and what to do about it.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub hint: String,
    pub line: usize,
    pub column: usize,
}

impl SyntaxError {
    pub fn from_toml(text: &str, err: &toml_edit::TomlError) -> Self {
        // Some errors (nesting too deep in a dotted key) come without a place; the deepest
        // point of the text is where such a problem is.
        let offset = err
            .span()
            .map(|s| s.start)
            .unwrap_or_else(|| crate::locate::deepest_nesting(text));
        let (line, column) = line_col(text, offset);
        // The first line of toml_edit's message is its own "at line X" header; the rest
        // (excerpt and explanation) is what helps.
        if let Some(d) = crate::duplicate::explain(text, err.message(), offset) {
            return Self {
                message: d.message,
                hint: d.hint.to_string(),
                line,
                column,
            };
        }
        let message = err
            .message()
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            message,
            hint: SYNTAX_HINT.into(),
            line,
            column,
        }
    }
}

/// A key whose value has the wrong type for Interlock.
#[derive(Debug, Clone)]
pub struct TypeProblem {
    pub path: KeyPath,
    pub expected: &'static str,
}

/// One `[Extensions.<name>]` section, read case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Extension {
    pub name: String,
    pub service_name: Option<String>,
    pub proxy_service_name: Option<String>,
    pub config_service_name: Option<String>,
    pub service_cluster: Option<String>,
    pub image: Option<String>,
    pub proxy_image: Option<String>,
    pub publish_mode_raw: Option<String>,
    pub published_port: Option<i64>,
    pub published_ssl_port: Option<i64>,
    pub target_port: Option<i64>,
    pub target_ssl_port: Option<i64>,
    pub proxy_replicas: Option<i64>,
    pub constraints: Vec<String>,
    pub proxy_constraints: Vec<String>,
    pub networks: Vec<String>,
    /// Where the proxy reads the config Interlock writes for it.
    pub proxy_config_path: Option<String>,
    pub type_problems: Vec<TypeProblem>,
    /// Keys that differ only in case, per table path: Interlock sees one key, the file two.
    pub case_duplicates: Vec<(KeyPath, String, String)>,
    pub is_table: bool,
}

impl Extension {
    /// ingress unless the file says host; `None` for a value Interlock does not know.
    pub fn publish_mode(&self) -> Option<PublishMode> {
        match self
            .publish_mode_raw
            .as_deref()
            .map(str::to_ascii_lowercase)
        {
            None => Some(PublishMode::Ingress),
            Some(m) if m == "ingress" => Some(PublishMode::Ingress),
            Some(m) if m == "host" => Some(PublishMode::Host),
            Some(_) => None,
        }
    }

    pub fn path(&self) -> KeyPath {
        KeyPath::new().key(ext::EXTENSIONS).key(&self.name)
    }

    /// Published ports with what they carry.
    pub fn published_ports(&self) -> Vec<(&'static str, i64)> {
        let mut out = Vec::new();
        if let Some(p) = self.published_port {
            out.push((ext::PUBLISHED_PORT, p));
        }
        if let Some(p) = self.published_ssl_port {
            out.push((ext::PUBLISHED_SSL_PORT, p));
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceRole {
    Extension,
    Proxy,
    Config,
}

/// The service label the Interlock core puts on every service it creates, naming its role.
pub const TYPE_LABEL: &str = "type";

impl ServiceRole {
    pub const ALL: [ServiceRole; 3] = [
        ServiceRole::Extension,
        ServiceRole::Proxy,
        ServiceRole::Config,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceRole::Extension => "extension",
            ServiceRole::Proxy => "proxy",
            ServiceRole::Config => "config",
        }
    }

    /// The value of [`TYPE_LABEL`] on a service of this role (`com.docker.interlock.core.proxy`).
    pub fn type_label(self) -> &'static str {
        match self {
            ServiceRole::Extension => "com.docker.interlock.core.extension",
            ServiceRole::Proxy => "com.docker.interlock.core.proxy",
            ServiceRole::Config => "com.docker.interlock.core.config",
        }
    }

    /// The role a [`TYPE_LABEL`] value gives, if it is one of Interlock's.
    pub fn from_type_label(value: &str) -> Option<ServiceRole> {
        Self::ALL.into_iter().find(|r| r.type_label() == value)
    }
}

/// What the config says, as far as this tool cares.
#[derive(Debug, Clone, Default)]
pub struct InterlockConfig {
    /// The spelling of the `Extensions` key, if there is one.
    pub extensions_key: Option<String>,
    pub extensions: Vec<Extension>,
    pub top_level_case_duplicates: Vec<(String, String)>,
    /// `ListenAddr`, where the core listens (`":8080"`), when the config sets it as a string.
    pub listen_addr: Option<String>,
}

impl InterlockConfig {
    pub fn parse(text: &str) -> Result<(DocumentMut, InterlockConfig), SyntaxError> {
        let doc: DocumentMut = text.parse().map_err(|e| SyntaxError::from_toml(text, &e))?;
        let cfg = Self::read(doc.as_table());
        Ok((doc, cfg))
    }

    pub fn read(root: &Table) -> Self {
        let mut cfg = InterlockConfig {
            top_level_case_duplicates: keys::case_duplicates(root),
            listen_addr: keys::get(root, keys::LISTEN_ADDR)
                .and_then(|(_, i)| i.as_str())
                .map(str::to_string),
            ..Default::default()
        };
        let Some((ext_key, item)) = keys::get(root, ext::EXTENSIONS) else {
            return cfg;
        };
        cfg.extensions_key = Some(ext_key.to_string());
        let Some(exts) = item.as_table_like() else {
            return cfg;
        };
        for (name, item) in exts.iter() {
            cfg.extensions.push(read_extension(name, item));
        }
        cfg
    }

    pub fn extension(&self, name: &str) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.name == name)
    }
}

fn read_extension(name: &str, item: &Item) -> Extension {
    let mut e = Extension {
        name: name.to_string(),
        ..Default::default()
    };
    let Some(t) = item.as_table() else {
        return e;
    };
    e.is_table = true;
    let base = KeyPath::new().key(ext::EXTENSIONS).key(name);
    let mut r = Reader {
        table: t,
        base: &base,
        problems: &mut e.type_problems,
    };
    let service_name = r.string(ext::SERVICE_NAME);
    let proxy_service_name = r.string(ext::PROXY_SERVICE_NAME);
    let config_service_name = r.string(ext::CONFIG_SERVICE_NAME);
    let service_cluster = r.string(ext::SERVICE_CLUSTER);
    let image = r.string(ext::IMAGE);
    let proxy_image = r.string(ext::PROXY_IMAGE);
    let publish_mode_raw = r.string(ext::PUBLISH_MODE);
    let published_port = r.int(ext::PUBLISHED_PORT);
    let published_ssl_port = r.int(ext::PUBLISHED_SSL_PORT);
    let target_port = r.int(ext::TARGET_PORT);
    let target_ssl_port = r.int(ext::TARGET_SSL_PORT);
    let proxy_replicas = r.int(ext::PROXY_REPLICAS);
    let constraints = r.strings(ext::CONSTRAINTS);
    let proxy_constraints = r.strings(ext::PROXY_CONSTRAINTS);
    let networks = r.strings(ext::NETWORKS);
    let proxy_config_path = r.string(ext::PROXY_CONFIG_PATH);
    e.service_name = service_name;
    e.proxy_service_name = proxy_service_name;
    e.config_service_name = config_service_name;
    e.service_cluster = service_cluster;
    e.image = image;
    e.proxy_image = proxy_image;
    e.publish_mode_raw = publish_mode_raw;
    e.published_port = published_port;
    e.published_ssl_port = published_ssl_port;
    e.target_port = target_port;
    e.target_ssl_port = target_ssl_port;
    e.proxy_replicas = proxy_replicas;
    e.constraints = constraints;
    e.proxy_constraints = proxy_constraints;
    e.networks = networks;
    e.proxy_config_path = proxy_config_path;

    collect_case_duplicates(t, &base, &mut e.case_duplicates);
    e
}

fn collect_case_duplicates(t: &Table, path: &KeyPath, out: &mut Vec<(KeyPath, String, String)>) {
    for (a, b) in keys::case_duplicates(t) {
        out.push((path.clone(), a, b));
    }
    for (k, item) in t.iter() {
        // Label tables are maps of Docker labels, which are case-sensitive: `a` and `A` are
        // two labels there, not one key written twice.
        let is_labels = [
            ext::LABELS,
            ext::CONTAINER_LABELS,
            ext::PROXY_LABELS,
            ext::PROXY_CONTAINER_LABELS,
        ]
        .iter()
        .any(|l| l.eq_ignore_ascii_case(k));
        if let Some(sub) = item.as_table()
            && !is_labels
        {
            collect_case_duplicates(sub, &path.clone().key(k), out);
        }
    }
}

struct Reader<'a> {
    table: &'a Table,
    base: &'a KeyPath,
    problems: &'a mut Vec<TypeProblem>,
}

impl<'a> Reader<'a> {
    fn value(&mut self, key: &str) -> Option<(&'a str, &'a Value)> {
        let table: &'a Table = self.table;
        let (k, item) = keys::get(table, key)?;
        match item.as_value() {
            Some(v) => Some((k, v)),
            None => {
                self.problem(k, "a value, not a table");
                None
            }
        }
    }

    fn problem(&mut self, key: &str, expected: &'static str) {
        self.problems.push(TypeProblem {
            path: self.base.clone().key(key),
            expected,
        });
    }

    fn string(&mut self, key: &'static str) -> Option<String> {
        let (k, v) = self.value(key)?;
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.problem(k, "a string");
                None
            }
        }
    }

    fn int(&mut self, key: &'static str) -> Option<i64> {
        let (k, v) = self.value(key)?;
        match v.as_integer() {
            Some(i) => Some(i),
            None => {
                self.problem(k, "an integer");
                None
            }
        }
    }

    fn strings(&mut self, key: &'static str) -> Vec<String> {
        let Some((k, v)) = self.value(key) else {
            return Vec::new();
        };
        match v.as_array() {
            Some(arr) if arr.iter().all(|x| x.as_str().is_some()) => arr
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect(),
            _ => {
                self.problem(k, "an array of strings");
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_shipped_config() {
        for f in [
            "ucp-3.0-default.toml",
            "ucp-3.1-default.toml",
            "ucp-3.2-host-mode.toml",
            "ucp-3.2-service-clusters.toml",
        ] {
            let text = std::fs::read_to_string(format!(
                "{}/../../fixtures/{f}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let (_, cfg) = InterlockConfig::parse(&text).unwrap();
            assert!(!cfg.extensions.is_empty(), "{f}");
            for e in &cfg.extensions {
                assert!(e.type_problems.is_empty(), "{f}: {:?}", e.type_problems);
                assert!(e.proxy_replicas.is_some());
            }
        }
    }

    #[test]
    fn reads_keys_in_any_case_and_without_extensions_header() {
        let text = "[Extensions.a]\nproxyservicename = \"p\"\nPUBLISHEDPORT = 81\npublishmode = \"Host\"\n";
        let (_, cfg) = InterlockConfig::parse(text).unwrap();
        let e = cfg.extension("a").unwrap();
        assert_eq!(e.proxy_service_name.as_deref(), Some("p"));
        assert_eq!(e.published_port, Some(81));
        assert_eq!(e.publish_mode(), Some(PublishMode::Host));
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = InterlockConfig::parse("a = 1\nb = = 2\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 5));
    }

    #[test]
    fn type_problems_are_reported_not_fatal() {
        let (_, cfg) = InterlockConfig::parse("[Extensions.a]\nPublishedPort = \"80\"\n").unwrap();
        let e = cfg.extension("a").unwrap();
        assert_eq!(e.type_problems.len(), 1);
        assert_eq!(
            e.type_problems[0].path.to_string(),
            "Extensions.a.PublishedPort"
        );
    }

    #[test]
    fn the_type_label_names_each_role_both_ways() {
        for r in ServiceRole::ALL {
            assert_eq!(ServiceRole::from_type_label(r.type_label()), Some(r));
            assert!(r.type_label().ends_with(r.as_str()));
        }
        assert_eq!(
            ServiceRole::from_type_label("com.docker.interlock.core"),
            None
        );
    }
}
