//! The type each key of the spec takes, checked on the text before serde reads it, so that a
//! wrong type is reported with its key path, `file:line:col` and what was expected, rather
//! than as serde's "expected i64".

use toml_edit::{Item, Value};

use super::fields::{FIELDS, FieldKind};

/// What a spec value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Integer(&'static str),
    Text(&'static str),
    Bool,
    TextList,
    ListOrTable,
    Table,
}

impl Expected {
    fn describe(self) -> String {
        match self {
            Expected::Integer(what) => format!("an integer ({what})"),
            Expected::Text(what) => format!("a string ({what})"),
            Expected::Bool => "true or false".into(),
            Expected::TextList => "a list of strings".into(),
            Expected::ListOrTable => {
                "a list of strings, or a table of `add`, `remove`, `replace` lists".into()
            }
            Expected::Table => "a table".into(),
        }
    }

    fn accepts(self, item: &Item) -> bool {
        let strings = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(|x| x.is_str()));
        match (self, item) {
            (_, Item::None) => true,
            (Expected::Table, i) => i.is_table_like(),
            (Expected::ListOrTable, i) if i.is_table_like() => true,
            (Expected::ListOrTable | Expected::TextList, Item::Value(v)) => strings(v),
            (Expected::Integer(_), Item::Value(v)) => v.is_integer(),
            (Expected::Text(_), Item::Value(v)) => v.is_str(),
            (Expected::Bool, Item::Value(v)) => v.is_bool(),
            _ => false,
        }
    }
}

/// The type a cluster field (or a top-level key) takes.
pub fn expected(key: &str) -> Option<Expected> {
    match key {
        "template" => return Some(Expected::Text("an extension's name")),
        "keep_template" => return Some(Expected::Bool),
        "keep_extensions" => return Some(Expected::TextList),
        "defaults" | "clusters" => return None,
        _ => {}
    }
    let f = FIELDS.iter().find(|f| f.name == key)?;
    Some(match f.kind {
        FieldKind::Port => Expected::Integer("a port, 1-65535"),
        FieldKind::Count => Expected::Integer("a count"),
        FieldKind::PublishMode => Expected::Text("\"ingress\" or \"host\""),
        FieldKind::NodeLabel => Expected::Text("a label value"),
        FieldKind::NamePattern => {
            Expected::Text("a service name, {name} and {service_cluster} allowed")
        }
        FieldKind::Text => Expected::Text("text"),
        FieldKind::Constraints => Expected::ListOrTable,
        FieldKind::List => Expected::TextList,
        FieldKind::Bool => Expected::Bool,
        FieldKind::Labels | FieldKind::Table => Expected::Table,
    })
}

/// What was found instead, for the message.
fn found(item: &Item) -> String {
    match item {
        Item::Value(Value::String(s)) => format!("a string {:?}", s.value()),
        Item::Value(Value::Integer(i)) => format!("an integer {}", i.value()),
        Item::Value(Value::Float(f)) => format!("a float {}", f.value()),
        Item::Value(Value::Boolean(b)) => format!("a boolean {}", b.value()),
        Item::Value(Value::Datetime(_)) => "a date-time".into(),
        Item::Value(Value::Array(_)) => "a list (not all strings)".into(),
        Item::Value(Value::InlineTable(_)) | Item::Table(_) => "a table".into(),
        Item::ArrayOfTables(_) => "an array of tables".into(),
        Item::None => "nothing".into(),
    }
}

/// Why `item` is not what `key` takes: the message and a hint.
pub fn problem(key: &str, item: &Item) -> Option<(String, String)> {
    let want = expected(key)?;
    if want.accepts(item) {
        return None;
    }
    let message = format!("`{key}` must be {}, not {}", want.describe(), found(item));
    let quoted_number = item
        .as_str()
        .is_some_and(|s| !s.is_empty() && s.trim().parse::<i64>().is_ok());
    let hint = match want {
        Expected::Integer(_) if quoted_number => {
            format!("write the number without quotes: {key} = {}", item.as_str().unwrap_or("").trim())
        }
        Expected::Integer(_) => format!("write a whole number, e.g. {key} = 2"),
        Expected::Text(_) => format!("quote it: {key} = \"…\""),
        _ => "see the spec format in the README, or run `interlock-split init` for a commented example".into(),
    };
    Some((message, hint))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(text: &str) -> Item {
        let doc: toml_edit::DocumentMut = format!("x = {text}").parse().unwrap();
        doc["x"].clone()
    }

    #[test]
    fn wrong_types_name_what_was_expected() {
        let (m, h) = problem("http_port", &item("\"8082\"")).unwrap();
        assert_eq!(
            m,
            "`http_port` must be an integer (a port, 1-65535), not a string \"8082\""
        );
        assert_eq!(h, "write the number without quotes: http_port = 8082");
        let (m, _) = problem("proxy_replicas", &item("1.5")).unwrap();
        assert!(m.contains("not a float 1.5"), "{m}");
        assert!(problem("proxy_constraints", &item("{ add = [\"a==b\"] }")).is_none());
        assert!(problem("proxy_constraints", &item("[\"a==b\"]")).is_none());
        assert!(problem("proxy_constraints", &item("[1]")).is_some());
        assert!(problem("keep_template", &item("\"yes\"")).is_some());
        assert!(problem("labels", &item("{ a = \"b\" }")).is_none());
        assert!(problem("unknown", &item("1")).is_none());
    }
}
