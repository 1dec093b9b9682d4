//! JSON output: one document per command, shaped by the same models the human output uses.

use serde::Serialize;

pub fn document<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("plan models always serialize");
    s.push('\n');
    s
}
