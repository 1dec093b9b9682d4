//! The escape hatch: other keys of a cluster's extension (`extension`) and of its `Config`
//! table (`config`), written as given, but never a key the spec sets through a field of its own.

use crate::finding::Code;
use indexmap::IndexMap;

use super::fields;
use super::resolve::Ctx;
use super::value::to_edit;
use crate::locate::KeyPath;

/// `[defaults]` entries, overridden by the cluster's.
pub(super) fn merged_values(
    d: &IndexMap<String, toml::Value>,
    c: &IndexMap<String, toml::Value>,
) -> IndexMap<String, toml::Value> {
    let mut out = d.clone();
    for (k, v) in c {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// The entries of `table` as config values. `owned`: keys a spec field sets are refused.
pub(super) fn escape_hatch(
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
                Code::SpecInvalid,
                format!("`{k}` and `{first}` are one key to Interlock, which matches keys case-insensitively"),
                Some("keep one of them".to_string()),
            );
            continue;
        }
        if owned && let Some(field) = fields::owner(k) {
            let field = field.name;
            cx.err(
                path.clone().key(k),
                Code::SpecInvalid,
                format!("`{k}` is set by the spec's own `{field}` field"),
                Some(format!("use `{field}` instead")),
            );
            continue;
        }
        if v.is_table() {
            cx.err(
                path.clone().key(k),
                Code::SpecInvalid,
                format!("`{k}` is a table; the escape hatch sets plain keys"),
                Some("labels go in `labels`, `proxy_labels`, …; nginx settings in `config`".into()),
            );
            continue;
        }
        out.push((k.clone(), to_edit(v)));
    }
    out
}
