//! Placement constraints compared the way swarm reads them.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::interlock::constraint::{self, Subject};

/// A constraint as swarm understands it, the one normal form every comparison goes through
/// (drift, the split's edits, placement, the port checks): the subject as swarm reads it (an
/// attribute in any case, a label's name as written), the operator, and the value in any case
/// (swarm compares values case-insensitively); the whitespace around them is dropped, as swarm
/// drops it when it parses the expression. A malformed constraint (which swarm refuses) is
/// kept as its trimmed text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Normal {
    Parsed {
        subject: Subject,
        op: &'static str,
        value: String,
    },
    Malformed(String),
}

impl Normal {
    pub fn of(expr: &str) -> Self {
        match constraint::parse(expr) {
            Ok(c) => Normal::Parsed {
                subject: Subject::of_key(&c.key),
                op: c.op.as_str(),
                value: c.value.to_ascii_lowercase(),
            },
            Err(_) => Normal::Malformed(expr.trim().to_string()),
        }
    }
}

/// Whether two constraint expressions say the same thing to swarm.
pub fn same(a: &str, b: &str) -> bool {
    Normal::of(a) == Normal::of(b)
}

/// A list of constraints, compared as a set of what they mean to swarm (order, duplicates,
/// spacing and case do not matter), but kept as written: for people and for writing back.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConstraintSet(Vec<String>);

impl ConstraintSet {
    pub fn new(exprs: Vec<String>) -> Self {
        Self(exprs)
    }

    /// The constraints as written.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn normalised(&self) -> BTreeSet<Normal> {
        self.0.iter().map(|c| Normal::of(c)).collect()
    }

    pub fn contains(&self, expr: &str) -> bool {
        let n = Normal::of(expr);
        self.0.iter().any(|c| Normal::of(c) == n)
    }
}

impl From<&[String]> for ConstraintSet {
    fn from(v: &[String]) -> Self {
        Self(v.to_vec())
    }
}

impl PartialEq for ConstraintSet {
    fn eq(&self, other: &Self) -> bool {
        self.normalised() == other.normalised()
    }
}

impl Eq for ConstraintSet {}

/// `a, b` as written; `none` when empty.
impl fmt::Display for ConstraintSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&self.0.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(xs: &[&str]) -> ConstraintSet {
        ConstraintSet::new(xs.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn attributes_and_values_compare_case_insensitively_and_without_spaces() {
        assert!(same("Node.Labels.env==Dev", " node.labels.env == dev "));
        assert!(same("NODE.ROLE==Worker", "node.role == worker"));
        assert!(!same("node.labels.env==dev", "node.labels.env!=dev"));
        assert!(!same("node.labels.env==dev", "node.labels.env==test"));
    }

    /// Swarm looks a label up by its name as written: `Region` and `region` are two labels.
    #[test]
    fn a_label_name_compares_as_written() {
        assert!(!same(
            "node.labels.Region==east",
            "node.labels.region==east"
        ));
        assert!(!same("engine.labels.OS==linux", "engine.labels.os==linux"));
    }

    #[test]
    fn malformed_constraints_compare_by_trimmed_text() {
        assert!(same(" node.labels.env=dev ", "node.labels.env=dev"));
        assert!(!same("node.labels.env=dev", "node.labels.env==dev"));
        assert!(!same("node.labels.env=dev", "node.labels.env=DEV"));
    }

    #[test]
    fn sets_ignore_order_and_duplicates_but_keep_the_text() {
        let a = set(&["node.role==worker", "node.labels.x==A"]);
        let b = set(&[
            "node.labels.x == a",
            "node.role==worker",
            "node.role==worker",
        ]);
        assert_eq!(a, b);
        assert_ne!(a, set(&["node.role==worker"]));
        assert_eq!(b.as_slice()[0], "node.labels.x == a");
        assert_ne!(a, set(&["node.role==worker", "node.labels.X==A"]));
        assert!(a.contains("NODE.ROLE==WORKER"));
        assert_eq!(a.to_string(), "node.role==worker, node.labels.x==A");
        assert_eq!(set(&[]).to_string(), "none");
    }

    #[test]
    fn serialises_as_the_strings_written() {
        let a = set(&["node.role == worker"]);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"["node.role == worker"]"#);
        let back: ConstraintSet = serde_json::from_str(&json).unwrap();
        assert_eq!(back.as_slice(), a.as_slice());
    }
}
