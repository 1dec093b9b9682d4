//! Values the spec hands to the config: conversion and semantic comparison.

use toml_edit::{Array, InlineTable, Value};

/// A spec value (parsed by `toml`) as a config value (edited by `toml_edit`).
pub fn to_edit(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s.as_str()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::from(*b),
        toml::Value::Datetime(d) => d
            .to_string()
            .parse::<Value>()
            .unwrap_or_else(|_| Value::from(d.to_string())),
        toml::Value::Array(a) => {
            let mut arr = Array::new();
            for x in a {
                arr.push_formatted(to_edit(x));
            }
            fmt_array(&mut arr);
            Value::Array(arr)
        }
        toml::Value::Table(t) => {
            let mut it = InlineTable::new();
            for (k, x) in t {
                it.insert(k, to_edit(x));
            }
            it.fmt();
            Value::InlineTable(it)
        }
    }
}

/// `["a", "b"]`: the layout UCP writes.
pub fn fmt_array(arr: &mut Array) {
    arr.fmt();
}

pub fn string_array<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Value {
    let mut arr = Array::new();
    for s in items {
        arr.push(s.as_ref());
    }
    fmt_array(&mut arr);
    Value::Array(arr)
}

/// Equal as TOML data, whatever the formatting.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Integer(x), Value::Integer(y)) => x.value() == y.value(),
        (Value::Float(x), Value::Float(y)) => x.value() == y.value(),
        (Value::Boolean(x), Value::Boolean(y)) => x.value() == y.value(),
        (Value::Datetime(x), Value::Datetime(y)) => x.value() == y.value(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(p, q))
        }
        (Value::InlineTable(x), Value::InlineTable(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_data_not_layout() {
        let a: Value = "[ 'a',\"b\" ]".parse().unwrap();
        let b = string_array(["a", "b"]);
        assert!(same(&a, &b));
        assert_eq!(b.to_string(), "[\"a\", \"b\"]");
        let x: Value = "1".parse().unwrap();
        let y: Value = "\"1\"".parse().unwrap();
        assert!(!same(&x, &y));
    }
}
