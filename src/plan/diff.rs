//! Unified diffs of the TOML.

use similar::{Algorithm, TextDiff};

use super::mask;

/// A unified diff of two TOML texts, secret-looking values masked. Empty when equal.
pub fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_lines(old, new);
    let raw = diff
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    mask::text(&raw)
}
