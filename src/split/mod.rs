//! The split: current Interlock config + spec → new config. Pure: no I/O, no clock.
//!
//! The template extension (with every sub-table) is cloned once per service cluster that does
//! not exist yet; clusters that exist are edited in place; only the keys the spec owns are
//! written, and only when their value changes. Everything else stays byte for byte, so running
//! the same spec on the output changes nothing.

mod constraints;
mod edit;
mod order;
mod write;

use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Item, Table, Value};

use crate::finding::{Code, Finding};
use crate::interlock::keys::ext;
use crate::interlock::{InterlockConfig, SyntaxError};
use crate::locate::KeyPath;
use crate::spec::Spec;
use crate::spec::value::to_edit;

pub use constraints::edit_constraints;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
            SplitError::Syntax(e) => {
                Finding::error(Code::TomlSyntax, e.message.clone()).hint(e.hint.clone())
            }
            SplitError::NoExtensions => Finding::error(
                Code::NoExtensions,
                "the config has no [Extensions.<name>] section: this is not an Interlock config, or Layer 7 routing was never configured",
            )
            .hint("read the config `ucp-interlock` mounts at /config.toml"),
            SplitError::Layout(msg) => Finding::error(Code::UnsupportedLayout, msg.clone()),
            SplitError::TemplateMissing { wanted, available } => Finding::error(
                Code::TemplateMissing,
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
    let (mut doc, cfg, ext_key) = parse_current(current)?;
    let names: Vec<String> = cfg.extensions.iter().map(|e| e.name.clone()).collect();
    let mut notes = Vec::new();
    let template = choose_template(spec, names, &mut notes)?;

    let original_order = order::printed_order(&doc);
    let exts = doc[&ext_key].as_table_mut().expect("checked above");
    let changes = write_clusters(exts, spec, &template);
    // The stand-in template only matters when something was cloned from it.
    if !changes.iter().any(|c| c.status == ClusterStatus::Create) {
        notes.retain(|n| n.code != Code::TemplateSubstituted);
    }
    let mut template_use = template;
    let removed = remove_unmanaged(exts, &cfg, spec, &mut template_use, &mut notes);

    let clusters = order::Clusters {
        ext_key: &ext_key,
        spec,
        template: &template_use,
    };
    let new_order = clusters.order(&original_order, &doc);
    order::apply(&mut doc, &new_order);
    Ok(SplitOutcome {
        text: keep_file_format(doc.to_string(), current),
        template: template_use,
        clusters: changes,
        removed_extensions: removed,
        notes,
        current: cfg,
    })
}

/// The current config, with its extensions written as the split can edit them.
fn parse_current(current: &str) -> Result<(DocumentMut, InterlockConfig, String), SplitError> {
    let (doc, cfg) = InterlockConfig::parse(current).map_err(SplitError::Syntax)?;
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
    Ok((doc, cfg, ext_key))
}

/// The spec's template, or, once an earlier split removed it, the first cluster of the spec
/// the config has.
fn choose_template(
    spec: &Spec,
    names: Vec<String>,
    notes: &mut Vec<Finding>,
) -> Result<TemplateUse, SplitError> {
    if names.contains(&spec.template) {
        return Ok(TemplateUse {
            name: spec.template.clone(),
            substitute_for: None,
            removed: false,
        });
    }
    let Some(c) = spec.clusters.iter().find(|c| names.contains(&c.name)) else {
        return Err(SplitError::TemplateMissing {
            wanted: spec.template.clone(),
            available: names,
        });
    };
    notes.push(Finding::info(
        Code::TemplateSubstituted,
        format!(
            "the template `{}` is not in the config; new clusters are cloned from `{}`, a cluster of the spec that is",
            spec.template, c.name
        ),
    ));
    Ok(TemplateUse {
        name: c.name.clone(),
        substitute_for: Some(spec.template.clone()),
        removed: false,
    })
}

fn is_cluster(spec: &Spec, name: &str) -> bool {
    spec.clusters.iter().any(|c| c.name == name)
}

/// Edits the clusters that exist and clones the template for the others.
fn write_clusters(exts: &mut Table, spec: &Spec, template: &TemplateUse) -> Vec<ClusterChange> {
    let template_table = exts[&template.name]
        .as_table()
        .expect("checked above")
        .clone();
    let mut changes = Vec::new();
    // The first new cluster takes the removed template's place, comments and all; the others
    // are set apart by a blank line.
    let separator = format!("\n{}", edit::header_indent(&template_table));
    let takes_template_place = !spec.keep_template && !is_cluster(spec, &template.name);
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
        let existing = status == ClusterStatus::Update;
        let changed_keys = write::apply_cluster(table, c, existing);
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
    changes
}

/// Drops the extensions the spec neither manages nor keeps. Returns their names.
fn remove_unmanaged(
    exts: &mut Table,
    cfg: &InterlockConfig,
    spec: &Spec,
    template: &mut TemplateUse,
    notes: &mut Vec<Finding>,
) -> Vec<String> {
    let mut removed = Vec::new();
    for name in cfg.extensions.iter().map(|e| e.name.clone()) {
        if is_cluster(spec, &name) || spec.keep_extensions.contains(&name) {
            continue;
        }
        if name == template.name {
            if spec.keep_template {
                continue;
            }
            template.removed = true;
        } else {
            notes.push(
                Finding::warning(
                    Code::ExtensionRemoved,
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
    removed
}

/// toml_edit writes LF and drops a byte-order mark; keep the operator's choice of both, so
/// that an unchanged config stays byte for byte unchanged.
fn keep_file_format(mut text: String, current: &str) -> String {
    if current.contains("\r\n") {
        text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    if current.starts_with('\u{feff}') && !text.starts_with('\u{feff}') {
        text.insert(0, '\u{feff}');
    }
    if text.trim_end() == current.trim_end() {
        text = current.to_string();
    }
    text
}

/// For tests and the property test: the spec value converter, re-exported.
pub fn value_of(v: &toml::Value) -> Value {
    to_edit(v)
}

#[cfg(test)]
mod tests;
