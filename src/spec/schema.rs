//! The JSON Schema of the spec, for editors (taplo / Even Better TOML read it through the
//! `#:schema` directive `init` writes). The structure comes from the spec's own types, so a
//! field cannot be added without the schema knowing it; the field table adds what those types
//! cannot say (ports, publish modes, what `[defaults]` refuses).

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Map, Value};

use super::fields::{FIELDS, FieldKind, Scope};
use super::raw::{ConstraintEdit, RawSpec};

/// The file name the schema goes by beside a spec, as `init`'s directive names it.
pub const FILE_NAME: &str = "interlock-split.schema.json";

/// The directive taplo reads from a TOML document's first lines: a path relative to the spec.
pub fn directive() -> String {
    format!("#:schema ./{FILE_NAME}")
}

impl JsonSchema for ConstraintEdit {
    fn schema_name() -> Cow<'static, str> {
        "ConstraintEdit".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let list = json_schema!({
            "type": "array",
            "items": { "type": "string", "pattern": "(==|!=)" }
        });
        // `remove` drops exact matches, malformed ones (`key=value`) too.
        let any = json_schema!({ "type": "array", "items": { "type": "string" } });
        json_schema!({
            "anyOf": [
                list,
                {
                    "type": "object",
                    "properties": { "add": list, "remove": any, "replace": list },
                    "additionalProperties": false
                }
            ]
        })
    }
}

/// The schema as `interlock-split schema` prints it and `schema/` commits it.
pub fn json() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a schema serializes");
    text.push('\n');
    text
}

/// The schema of `interlock-split.toml` (draft 7, every sub-schema inline: taplo reads that).
pub fn schema() -> Value {
    let settings = SchemaSettings::draft07().with(|s| s.inline_subschemas = true);
    let mut root = settings
        .into_generator()
        .into_root_schema_for::<RawSpec>()
        .to_value();
    toml_values(&mut root);
    let top = root.as_object_mut().expect("an object schema");
    top.insert("title".into(), "interlock-split spec".into());
    top.insert(
        "description".into(),
        "The service clusters to split UCP/MKE Interlock into (interlock-split.toml).".into(),
    );
    let props = top["properties"].as_object_mut().expect("properties");
    cluster_kinds(props["defaults"].as_object_mut().expect("defaults"));
    for f in FIELDS.iter().filter(|f| f.scope == Scope::Cluster) {
        props["defaults"]["properties"]
            .as_object_mut()
            .expect("defaults' properties")
            .remove(f.name);
    }
    let cluster = props["clusters"]["additionalProperties"]
        .as_object_mut()
        .expect("clusters' tables");
    cluster_kinds(cluster);
    root
}

/// What the field table knows about values that the Rust types do not.
fn cluster_kinds(cluster: &mut Map<String, Value>) {
    let props = cluster["properties"].as_object_mut().expect("properties");
    for f in &FIELDS {
        let Some(p) = props.get_mut(f.name).and_then(Value::as_object_mut) else {
            continue;
        };
        match f.kind {
            FieldKind::Port => {
                p.insert("minimum".into(), 1.into());
                p.insert("maximum".into(), 65535.into());
            }
            FieldKind::Count => {
                p.insert("minimum".into(), 0.into());
            }
            FieldKind::PublishMode => {
                p.insert("enum".into(), serde_json::json!(["ingress", "host"]));
            }
            _ => {}
        }
        p.remove("format");
    }
}

/// TOML has no null: an absent key is how a spec leaves an optional field out, so the `null`
/// schemars allows for an `Option` goes. Doc comments are wrapped at 100 columns; a
/// description is one paragraph.
fn toml_values(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(d)) = m.get_mut("description") {
                *d = d.replace('\n', " ");
            }
            if let Some(Value::Array(types)) = m.get_mut("type") {
                types.retain(|t| t != "null");
                if let [one] = types.as_slice() {
                    let one = one.clone();
                    m.insert("type".into(), one);
                }
            }
            if let Some(Value::Array(any)) = m.get_mut("anyOf") {
                any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if let [Value::Object(only)] = any.as_mut_slice() {
                    let only = std::mem::take(only);
                    m.remove("anyOf");
                    for (k, v) in only {
                        m.entry(k).or_insert(v);
                    }
                }
            }
            m.values_mut().for_each(toml_values);
        }
        Value::Array(a) => a.iter_mut().for_each(toml_values),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
