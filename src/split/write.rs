//! Writes the keys the spec owns into one service cluster's extension, each only when its value
//! changes, and says which keys it wrote.

use toml_edit::{Item, Table, Value};

use super::constraints::edit_constraints;
use super::edit;
use crate::interlock::keys;
use crate::locate::KeyPath;
use crate::spec::ClusterSpec;
use crate::spec::fields::{self, Field};
use crate::spec::value::string_array;

/// The keys written so far, as paths below the extension.
#[derive(Default)]
struct Written(Vec<String>);

impl Written {
    fn set(&mut self, t: &mut Table, key: &str, v: Value) {
        if edit::set_value(t, key, v) {
            self.0.push(key.to_string());
        }
    }

    fn field(&mut self, t: &mut Table, field: &Field, v: Value) {
        self.set(t, field.key(), v);
    }
}

/// Writes the keys the spec owns into one extension (`existing`: edited in place rather than
/// cloned from the template). Returns the keys written.
pub(super) fn apply_cluster(t: &mut Table, c: &ClusterSpec, existing: bool) -> Vec<String> {
    let mut w = Written::default();
    write_names(&mut w, t, c, existing);
    write_proxy_settings(&mut w, t, c);
    write_constraints(&mut w, t, c);
    if let Some(n) = &c.networks {
        w.field(t, &fields::NETWORKS, string_array(n));
    }
    for (k, v) in &c.extension {
        w.set(t, k, v.clone());
    }
    write_tables(&mut w, t, c);
    w.0
}

/// The names. A new cluster gets the spec's names, defaults included. An existing one keeps
/// each name it has unless the spec sets it: a default name there would retire its running
/// services for nothing.
fn write_names(w: &mut Written, t: &mut Table, c: &ClusterSpec, existing: bool) {
    let set = c.names_set;
    for (field, value, set) in [
        (
            &fields::SERVICE_CLUSTER,
            &c.service_cluster,
            set.service_cluster,
        ),
        (&fields::SERVICE_NAME, &c.service_name, set.service_name),
        (
            &fields::PROXY_SERVICE_NAME,
            &c.proxy_service_name,
            set.proxy_service_name,
        ),
    ] {
        if !existing || set || keys::get(t, field.key()).is_none() {
            w.field(t, field, Value::from(value.as_str()));
        }
    }
    let config = &fields::CONFIG_SERVICE_NAME;
    let has_config = keys::get(t, config.key()).is_some();
    if c.config_service_name_explicit || (has_config && !existing) {
        w.field(t, config, Value::from(c.config_service_name.as_str()));
    }
}

fn write_proxy_settings(w: &mut Written, t: &mut Table, c: &ClusterSpec) {
    if let Some(p) = c.http_port {
        w.field(t, &fields::HTTP_PORT, Value::from(i64::from(p)));
    }
    if let Some(p) = c.https_port {
        w.field(t, &fields::HTTPS_PORT, Value::from(i64::from(p)));
    }
    if let Some(n) = c.proxy_replicas {
        w.field(t, &fields::PROXY_REPLICAS, Value::from(n as i64));
    }
    if let Some(m) = c.publish_mode {
        w.field(t, &fields::PUBLISH_MODE, Value::from(m.as_str()));
    }
}

fn write_constraints(w: &mut Written, t: &mut Table, c: &ClusterSpec) {
    let label = c.node_label.as_ref().map(|l| l.constraint());
    for (field, edit) in [
        (&fields::CONSTRAINTS, &c.constraints),
        (&fields::PROXY_CONSTRAINTS, &c.proxy_constraints),
    ] {
        let key = field.key();
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
            w.set(t, key, string_array(&wanted));
        }
    }
}

fn write_tables(w: &mut Written, t: &mut Table, c: &ClusterSpec) {
    // Docker labels are case-sensitive map keys; Config keys are Interlock struct fields,
    // matched case-insensitively.
    for (sub, labels) in c.labels.tables() {
        let entries = labels
            .iter()
            .map(|(k, v)| (k.as_str(), Value::from(v.as_str())));
        set_all(t, sub, entries, KeyMatch::Exact, &mut w.0);
    }
    let entries = c.config.iter().map(|(k, v)| (k.as_str(), v.clone()));
    set_all(
        t,
        fields::CONFIG.key(),
        entries,
        KeyMatch::AnyCase,
        &mut w.0,
    );
}

/// How the keys of a sub-table are matched.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyMatch {
    Exact,
    AnyCase,
}

/// Sets keys of a sub-table, creating it only if something has to be written.
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
