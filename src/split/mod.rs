//! The split: current Interlock config + spec → new config. Pure: no I/O, no clock.
//!
//! The template extension (with every sub-table) is cloned once per service cluster that does
//! not exist yet; clusters that exist are edited in place; only the keys the spec owns are
//! written, and only when their value changes. Everything else stays byte for byte, so running
//! the same spec on the output changes nothing.

mod constraints;
mod edit;
mod order;

use serde::Serialize;
use toml_edit::{DocumentMut, Item, Table, Value};

use crate::finding::Finding;
use crate::interlock::keys::{self, ext};
use crate::interlock::{InterlockConfig, SyntaxError};
use crate::locate::KeyPath;
use crate::spec::value::{string_array, to_edit};
use crate::spec::{ClusterSpec, Spec};

pub use constraints::edit_constraints;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterStatus {
    Create,
    Update,
    Unchanged,
}

/// What the split did to one service cluster's extension.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterChange {
    pub name: String,
    pub status: ClusterStatus,
    /// The extension it was cloned from, for new clusters.
    pub cloned_from: Option<String>,
    /// Keys written (paths below the extension), for updated and new clusters.
    pub changed_keys: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TemplateUse {
    pub name: String,
    /// The spec's template was absent and this existing cluster stood in for it.
    pub substitute_for: Option<String>,
    pub removed: bool,
}

#[derive(Debug, Clone)]
pub struct SplitOutcome {
    pub text: String,
    pub template: TemplateUse,
    pub clusters: Vec<ClusterChange>,
    /// Extensions the new config no longer has.
    pub removed_extensions: Vec<String>,
    pub notes: Vec<Finding>,
    /// The current config as the split read it, so that the plan need not parse it again.
    pub current: InterlockConfig,
}

impl SplitOutcome {
    pub fn changed(&self, current: &str) -> bool {
        self.text != current
    }
}

#[derive(Debug, Clone)]
pub enum SplitError {
    Syntax(SyntaxError),
    NoExtensions,
    Layout(String),
    TemplateMissing {
        wanted: String,
        available: Vec<String>,
    },
}

impl SplitError {
    /// As a finding, for printing with the others.
    pub fn to_finding(&self) -> Finding {
        match self {
            SplitError::Syntax(e) => Finding::error("toml-syntax", e.message.clone()).hint(
                "an unclosed bracket or string is reported where the parser noticed it: look at the lines just above too",
            ),
            SplitError::NoExtensions => Finding::error(
                "no-extensions",
                "the config has no [Extensions.<name>] section: this is not an Interlock config, or Layer 7 routing was never configured",
            )
            .hint("read the config `ucp-interlock` mounts at /config.toml"),
            SplitError::Layout(msg) => Finding::error("unsupported-layout", msg.clone()),
            SplitError::TemplateMissing { wanted, available } => Finding::error(
                "template-missing",
                format!(
                    "the template extension `{wanted}` is not in the config, and no cluster of the spec is either"
                ),
            )
            .at(KeyPath::new().key(ext::EXTENSIONS))
            .hint(if available.is_empty() {
                "add an [Extensions.<name>] section to clone".to_string()
            } else {
                format!(
                    "set `template` in the spec to one of: {}",
                    available.join(", ")
                )
            }),
        }
    }
}

/// Splits `current` into the service clusters of `spec`.
pub fn split(current: &str, spec: &Spec) -> Result<SplitOutcome, SplitError> {
    // toml_edit writes LF and drops a byte-order mark; keep the operator's choice of both, so
    // that an unchanged config stays byte for byte unchanged.
    let bom = current.starts_with('\u{feff}');
    let crlf = current.contains("\r\n");
    let (mut doc, cfg) = InterlockConfig::parse(current).map_err(SplitError::Syntax)?;
    let ext_key = cfg.extensions_key.clone().ok_or(SplitError::NoExtensions)?;
    if !doc[&ext_key].is_table() {
        return Err(SplitError::Layout(format!(
            "`{ext_key}` is written inline; write each extension as an [{ext_key}.<name>] table"
        )));
    }
    if cfg.extensions.is_empty() {
        return Err(SplitError::NoExtensions);
    }
    if let Some(e) = cfg.extensions.iter().find(|e| !e.is_table) {
        return Err(SplitError::Layout(format!(
            "extension `{}` is written inline; write it as an [{ext_key}.{}] table",
            e.name, e.name
        )));
    }
    let names: Vec<String> = cfg.extensions.iter().map(|e| e.name.clone()).collect();
    let is_cluster = |n: &str| spec.clusters.iter().any(|c| c.name == n);

    let mut notes = Vec::new();
    let template = if names.contains(&spec.template) {
        TemplateUse {
            name: spec.template.clone(),
            substitute_for: None,
            removed: false,
        }
    } else if let Some(c) = spec.clusters.iter().find(|c| names.contains(&c.name)) {
        notes.push(Finding::info(
            "template-substituted",
            format!(
                "the template `{}` is not in the config (it was removed by an earlier split); new clusters are cloned from `{}`",
                spec.template, c.name
            ),
        ));
        TemplateUse {
            name: c.name.clone(),
            substitute_for: Some(spec.template.clone()),
            removed: false,
        }
    } else {
        return Err(SplitError::TemplateMissing {
            wanted: spec.template.clone(),
            available: names,
        });
    };

    let original_order = order::printed_order(&doc);
    let exts = doc[&ext_key].as_table_mut().expect("checked above");
    let template_table = exts[&template.name]
        .as_table()
        .expect("checked above")
        .clone();

    let mut changes = Vec::new();
    // The first new cluster takes the removed template's place, comments and all; the others
    // are set apart by a blank line.
    let separator = format!("\n{}", edit::header_indent(&template_table));
    let takes_template_place = !spec.keep_template && !is_cluster(&template.name);
    for (i, c) in spec.clusters.iter().enumerate() {
        let (table, status, cloned_from) = match exts.get_mut(&c.name).and_then(Item::as_table_mut)
        {
            Some(t) => (t, ClusterStatus::Update, None),
            None => {
                let mut t = template_table.clone();
                if !(i == 0 && takes_template_place) {
                    t.decor_mut().set_prefix(separator.clone());
                }
                exts.insert(&c.name, Item::Table(t));
                let t = exts[&c.name].as_table_mut().expect("just inserted");
                (t, ClusterStatus::Create, Some(template.name.clone()))
            }
        };
        let changed_keys = apply_cluster(table, c);
        let status = match status {
            ClusterStatus::Update if changed_keys.is_empty() => ClusterStatus::Unchanged,
            s => s,
        };
        changes.push(ClusterChange {
            name: c.name.clone(),
            status,
            cloned_from,
            changed_keys,
        });
    }

    // The stand-in template only matters when something was cloned from it.
    if !changes.iter().any(|c| c.status == ClusterStatus::Create) {
        notes.retain(|n| n.code != "template-substituted");
    }

    let mut removed = Vec::new();
    let mut template_use = template;
    for name in cfg.extensions.iter().map(|e| e.name.clone()) {
        if is_cluster(&name) || spec.keep_extensions.contains(&name) {
            continue;
        }
        if name == template_use.name {
            if spec.keep_template {
                continue;
            }
            template_use.removed = true;
        } else {
            notes.push(
                Finding::warning(
                    "extension-removed",
                    format!(
                        "extension `{name}` is not in the spec: the new config drops it, and its services become stale"
                    ),
                )
                .at(KeyPath::new().key(ext::EXTENSIONS).key(&name))
                .hint(format!(
                    "to keep it as it is, add it to the spec: keep_extensions = [\"{name}\"]"
                )),
            );
        }
        exts.remove(&name);
        removed.push(name);
    }

    let new_order = cluster_order(&original_order, &ext_key, spec, &template_use, &doc);
    order::apply(&mut doc, &new_order);
    let mut text = doc.to_string();
    if crlf {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if bom && !text.starts_with('\u{feff}') {
        text.insert(0, '\u{feff}');
    }
    if text.trim_end() == current.trim_end() {
        text = current.to_string();
    }
    Ok(SplitOutcome {
        text,
        template: template_use,
        clusters: changes,
        removed_extensions: removed,
        notes,
        current: cfg,
    })
}

/// The extension a table belongs to. Borrowed, not cloned: `cluster_order` asks this for
/// every table of the config, once per cluster.
fn group<'p>(p: &'p [String], ext_key: &str) -> Option<&'p str> {
    (p.len() >= 2 && p[0] == ext_key).then(|| p[1].as_str())
}

/// Table order after the split (see `order`).
fn cluster_order(
    original: &[order::TablePath],
    ext_key: &str,
    spec: &Spec,
    template: &TemplateUse,
    doc: &DocumentMut,
) -> Vec<order::TablePath> {
    let group_of = |p| group(p, ext_key);
    let managed = |g: &str| {
        spec.clusters.iter().any(|c| c.name == g)
            || (g == template.name && !spec.keep_template)
            || !(spec.keep_extensions.iter().any(|k| k == g) || g == template.name)
    };
    let exts = doc[ext_key].as_table().expect("checked");
    let block: Vec<order::TablePath> = spec
        .clusters
        .iter()
        .flat_map(|c| {
            let prefix = vec![ext_key.to_string(), c.name.clone()];
            // Keep the section's own order of sub-tables where it had one.
            let own: Vec<order::TablePath> = original
                .iter()
                .filter(|p| group_of(p) == Some(c.name.as_str()))
                .cloned()
                .collect();
            let from_template: Vec<order::TablePath> = original
                .iter()
                .filter(|p| group_of(p) == Some(template.name.as_str()))
                .map(|p| {
                    let mut q = prefix.clone();
                    q.extend_from_slice(&p[2..]);
                    q
                })
                .collect();
            let base = if own.is_empty() { from_template } else { own };
            let all = exts
                .get(&c.name)
                .and_then(Item::as_table)
                .map(|t| order::subtree(t, &prefix))
                .unwrap_or_default();
            let mut out: Vec<order::TablePath> =
                base.into_iter().filter(|p| all.contains(p)).collect();
            for p in all {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            out
        })
        .collect();

    let anchor_after_template =
        spec.keep_template && !spec.clusters.iter().any(|c| c.name == template.name);
    let last_template_index = original
        .iter()
        .rposition(|p| group_of(p) == Some(template.name.as_str()));
    let mut out = Vec::new();
    let mut placed = false;
    for (i, p) in original.iter().enumerate() {
        match group_of(p) {
            Some(g) if !anchor_after_template && managed(g) => {
                if !placed {
                    out.extend(block.iter().cloned());
                    placed = true;
                }
            }
            Some(g) if anchor_after_template && managed(g) && g != template.name => {}
            _ => {
                out.push(p.clone());
                if anchor_after_template && !placed && Some(i) == last_template_index {
                    out.extend(block.iter().cloned());
                    placed = true;
                }
            }
        }
    }
    if !placed {
        out.extend(block);
    }
    out
}

/// Writes the keys the spec owns into one extension. Returns the keys written.
fn apply_cluster(t: &mut Table, c: &ClusterSpec) -> Vec<String> {
    let mut changed = Vec::new();
    let set = |t: &mut Table, key: &str, v: Value, changed: &mut Vec<String>| {
        if edit::set_value(t, key, v) {
            changed.push(key.to_string());
        }
    };
    set(
        t,
        ext::SERVICE_CLUSTER,
        Value::from(c.service_cluster.as_str()),
        &mut changed,
    );
    set(
        t,
        ext::SERVICE_NAME,
        Value::from(c.service_name.as_str()),
        &mut changed,
    );
    set(
        t,
        ext::PROXY_SERVICE_NAME,
        Value::from(c.proxy_service_name.as_str()),
        &mut changed,
    );
    if c.config_service_name_explicit || keys::get(t, ext::CONFIG_SERVICE_NAME).is_some() {
        set(
            t,
            ext::CONFIG_SERVICE_NAME,
            Value::from(c.config_service_name.as_str()),
            &mut changed,
        );
    }
    if let Some(p) = c.http_port {
        set(
            t,
            ext::PUBLISHED_PORT,
            Value::from(i64::from(p)),
            &mut changed,
        );
    }
    if let Some(p) = c.https_port {
        set(
            t,
            ext::PUBLISHED_SSL_PORT,
            Value::from(i64::from(p)),
            &mut changed,
        );
    }
    if let Some(n) = c.proxy_replicas {
        set(t, ext::PROXY_REPLICAS, Value::from(n as i64), &mut changed);
    }
    if let Some(m) = c.publish_mode {
        set(t, ext::PUBLISH_MODE, Value::from(m.as_str()), &mut changed);
    }
    let label = c.node_label.as_ref().map(|l| l.constraint());
    for (key, edit) in [
        (ext::CONSTRAINTS, &c.constraints),
        (ext::PROXY_CONSTRAINTS, &c.proxy_constraints),
    ] {
        let current: Vec<String> = keys::get(t, key)
            .and_then(|(_, i)| i.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let wanted = edit_constraints(&current, edit, label.as_deref());
        if wanted != current || keys::get(t, key).is_none() && !wanted.is_empty() {
            set(t, key, string_array(&wanted), &mut changed);
        }
    }
    if let Some(n) = &c.networks {
        set(t, ext::NETWORKS, string_array(n), &mut changed);
    }
    for (k, v) in &c.extension {
        set(t, k, v.clone(), &mut changed);
    }
    // Docker labels are case-sensitive map keys; Config keys are Interlock struct fields,
    // matched case-insensitively.
    for (sub, labels) in c.labels.tables() {
        let entries = labels
            .iter()
            .map(|(k, v)| (k.as_str(), Value::from(v.as_str())));
        set_all(t, sub, entries, KeyMatch::Exact, &mut changed);
    }
    let entries = c.config.iter().map(|(k, v)| (k.as_str(), v.clone()));
    set_all(t, ext::CONFIG, entries, KeyMatch::AnyCase, &mut changed);
    changed
}

/// Sets keys of a sub-table, creating it only if something has to be written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyMatch {
    Exact,
    AnyCase,
}

fn set_all<'a>(
    t: &mut Table,
    sub: &str,
    entries: impl Iterator<Item = (&'a str, Value)>,
    matching: KeyMatch,
    changed: &mut Vec<String>,
) {
    let entries: Vec<(&str, Value)> = entries.collect();
    let existing = keys::get(t, sub).and_then(|(_, i)| i.as_table_like());
    let needed = entries.iter().any(|(k, v)| {
        existing
            .and_then(|tl| {
                tl.iter()
                    .find(|(name, _)| match matching {
                        KeyMatch::Exact => name == k,
                        KeyMatch::AnyCase => name.eq_ignore_ascii_case(k),
                    })
                    .map(|(_, i)| i)
            })
            .and_then(Item::as_value)
            .is_none_or(|old| !crate::spec::value::same(old, v))
    });
    if !needed {
        return;
    }
    let (st, _) = edit::sub_table(t, sub);
    for (k, v) in entries {
        let written = match matching {
            KeyMatch::Exact => edit::set_value_exact(st, k, v),
            KeyMatch::AnyCase => edit::set_value(st, k, v),
        };
        if written {
            changed.push(KeyPath::new().key(sub).key(k).to_string());
        }
    }
}

/// For tests and the property test: the spec value converter, re-exported.
pub fn value_of(v: &toml::Value) -> Value {
    to_edit(v)
}

#[cfg(test)]
mod tests;
