//! Edits that keep the operator's formatting: a key is only rewritten when its value really
//! changes, keeps its spelling and the whitespace and comments around its value, and new keys
//! are indented like their neighbours.

use toml_edit::{Item, Key, Table, Value};

use crate::interlock::keys;
use crate::spec::value::same;

/// The indentation of the key-value lines of `table`.
pub fn key_indent(table: &Table) -> String {
    for (k, item) in table.iter() {
        if item.is_value()
            && let Some(key) = table.key(k)
            && let Some(p) = key.leaf_decor().prefix().and_then(|p| p.as_str())
        {
            return last_line(p).to_string();
        }
    }
    format!("{}  ", header_indent(table))
}

/// The indentation before a table's `[header]`.
pub fn header_indent(table: &Table) -> String {
    table
        .decor()
        .prefix()
        .and_then(|p| p.as_str())
        .map(|p| last_line(p).to_string())
        .unwrap_or_default()
}

fn last_line(s: &str) -> &str {
    s.rsplit('\n').next().unwrap_or("")
}

/// Sets `key` (matched case-insensitively) to `value`. Returns whether anything changed.
pub fn set_value(table: &mut Table, key: &str, value: Value) -> bool {
    let name = keys::spelling(table, key).unwrap_or_else(|| key.to_string());
    set_value_exact(table, &name, value)
}

/// Sets exactly `key` (for case-sensitive maps such as labels).
pub fn set_value_exact(table: &mut Table, key: &str, mut value: Value) -> bool {
    if let Some(item) = table.get_mut(key) {
        if let Some(old) = item.as_value() {
            if same(old, &value) {
                return false;
            }
            *value.decor_mut() = old.decor().clone();
        } else {
            value.decor_mut().set_prefix(" ");
        }
        *item = Item::Value(value);
        return true;
    }
    let indent = key_indent(table);
    let mut k = Key::new(key);
    k.leaf_decor_mut().set_prefix(indent);
    k.leaf_decor_mut().set_suffix(" ");
    value.decor_mut().set_prefix(" ");
    value.decor_mut().set_suffix("");
    table.insert_formatted(&k, Item::Value(value));
    true
}

/// The sub-table `key` of `table` (any case), created as a `[header]` table if missing.
pub fn sub_table<'t>(table: &'t mut Table, key: &str) -> (&'t mut Table, bool) {
    let name = keys::spelling(table, key);
    let created = name.is_none();
    let name = name.unwrap_or_else(|| key.to_string());
    if let Some(Item::Value(toml_edit::Value::InlineTable(it))) = table.get(&name) {
        let mut t = it.clone().into_table();
        t.decor_mut()
            .set_prefix(format!("{}  ", header_indent(table)));
        table.insert(&name, Item::Table(t));
    }
    if created || !table.get(&name).is_some_and(Item::is_table) {
        let indent = table
            .iter()
            .find_map(|(_, i)| i.as_table().map(header_indent))
            .unwrap_or_else(|| format!("{}  ", header_indent(table)));
        let mut t = Table::new();
        t.decor_mut().set_prefix(indent);
        table.insert(&name, Item::Table(t));
    }
    let t = table
        .get_mut(&name)
        .and_then(Item::as_table_mut)
        .expect("just inserted");
    (t, created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml_edit::DocumentMut;

    #[test]
    fn unchanged_values_keep_their_bytes() {
        let text = "[a]\n    ServiceCluster=\"east\"  # keep me\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        let t = doc["a"].as_table_mut().unwrap();
        assert!(!set_value(t, "servicecluster", Value::from("east")));
        assert_eq!(doc.to_string(), text);
    }

    #[test]
    fn changed_values_keep_spelling_and_comment() {
        let mut doc: DocumentMut = "[a]\n  rlimitnofile = 1 # c\n".parse().unwrap();
        let t = doc["a"].as_table_mut().unwrap();
        assert!(set_value(t, "RLimitNoFile", Value::from(2)));
        assert_eq!(doc.to_string(), "[a]\n  rlimitnofile = 2 # c\n");
    }

    #[test]
    fn new_keys_are_indented_like_siblings() {
        let mut doc: DocumentMut = "  [a]\n    X = 1\n".parse().unwrap();
        let t = doc["a"].as_table_mut().unwrap();
        assert!(set_value(t, "ServiceCluster", Value::from("dev")));
        assert_eq!(
            doc.to_string(),
            "  [a]\n    X = 1\n    ServiceCluster = \"dev\"\n"
        );
    }
}
