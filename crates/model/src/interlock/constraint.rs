//! Swarm placement constraints, parsed the way swarmkit parses them.
//!
//! Swarm accepts only `key==value` and `key!=value`. The seed walk-through writes
//! `node.labels.x=dev`, which swarm refuses ("constraint expected one operator from ==, !="):
//! Interlock then cannot create the proxy, so we catch it before anything is written.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub key: String,
    pub op: Op,
    pub value: String,
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.key, self.op.as_str(), self.value)
    }
}

/// Why swarm would refuse a constraint, with the fix when there is an obvious one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub reason: String,
    pub suggestion: Option<String>,
}

/// The attribute a constraint is about, even when swarm would refuse the expression;
/// lower-cased because swarm matches node attributes case-insensitively.
pub fn subject(expr: &str) -> String {
    let cut = ["==", "!=", "="]
        .iter()
        .filter_map(|op| expr.find(op))
        .min()
        .unwrap_or(expr.len());
    expr[..cut].trim().to_ascii_lowercase()
}

/// Whether two constraints are on the same attribute, as swarm reads them: the attribute
/// (`node.labels.`, `node.role`…) in any case, but a label's own name case-sensitively, since
/// swarm looks labels up as written (`Region` and `region` are two labels a node may both carry).
pub fn same_subject(a: &str, b: &str) -> bool {
    let raw = |expr: &str| {
        let cut = ["==", "!=", "="]
            .iter()
            .filter_map(|op| expr.find(op))
            .min()
            .unwrap_or(expr.len());
        expr[..cut].trim().to_string()
    };
    let split = |s: &str| {
        let lower = s.to_ascii_lowercase();
        for prefix in ["node.labels.", "engine.labels."] {
            if lower.starts_with(prefix) {
                return (prefix.to_string(), s[prefix.len()..].to_string());
            }
        }
        (lower, String::new())
    };
    split(&raw(a)) == split(&raw(b))
}

fn valid_key(k: &str) -> bool {
    let mut chars = k.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    let rest: Vec<char> = chars.collect();
    !rest.is_empty()
        && rest
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn valid_value(v: &str) -> bool {
    !v.is_empty()
        && v.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || c.is_whitespace()
                || matches!(
                    c,
                    ':' | '-'
                        | '_'
                        | '.'
                        | '*'
                        | '('
                        | ')'
                        | '?'
                        | '+'
                        | '['
                        | ']'
                        | '\\'
                        | '^'
                        | '$'
                        | '|'
                        | '/'
                )
        })
}

pub fn parse(expr: &str) -> Result<Constraint, Rejected> {
    for op in [Op::Eq, Op::Ne] {
        let Some((k, v)) = expr.split_once(op.as_str()) else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if !valid_key(k) {
            return Err(Rejected {
                reason: format!("key '{k}' is invalid"),
                suggestion: None,
            });
        }
        if !valid_value(v) {
            return Err(Rejected {
                reason: format!("value '{v}' is invalid"),
                suggestion: None,
            });
        }
        return Ok(Constraint {
            key: k.to_string(),
            op,
            value: v.to_string(),
        });
    }
    let suggestion = expr.split_once('=').and_then(|(k, v)| {
        let fixed = format!("{}=={}", k.trim(), v.trim());
        parse(&fixed).ok().map(|c| c.to_string())
    });
    Err(Rejected {
        reason: "constraint expected one operator from ==, !=".into(),
        suggestion,
    })
}

/// Node attributes swarm knows; anything else matches no node at all.
pub fn known_attribute(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    matches!(
        k.as_str(),
        "node.id"
            | "node.hostname"
            | "node.ip"
            | "node.role"
            | "node.platform.os"
            | "node.platform.arch"
    ) || k.starts_with("node.labels.")
        || k.starts_with("engine.labels.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_swarm_operators() {
        let c = parse("node.labels.com.docker.interlock.service.cluster==dev").unwrap();
        assert_eq!(c.key, "node.labels.com.docker.interlock.service.cluster");
        assert_eq!(c.op, Op::Eq);
        assert_eq!(c.value, "dev");
        let c = parse(" node.role != manager ").unwrap();
        assert_eq!(c.to_string(), "node.role!=manager");
    }

    #[test]
    fn single_equals_is_rejected_with_the_fix() {
        let e = parse("node.labels.com.docker.interlock.service.cluster=dev").unwrap_err();
        assert_eq!(e.reason, "constraint expected one operator from ==, !=");
        assert_eq!(
            e.suggestion.as_deref(),
            Some("node.labels.com.docker.interlock.service.cluster==dev")
        );
    }

    #[test]
    fn bad_keys_and_values() {
        assert!(parse("==x").is_err());
        assert!(parse("node.labels.a==").is_err());
        assert!(parse("node.labels.a==x>y").is_err());
        assert_eq!(parse("nonsense").unwrap_err().suggestion, None);
    }

    #[test]
    fn subjects() {
        assert_eq!(subject("node.labels.A = dev"), "node.labels.a");
        assert_eq!(subject("node.role!=manager"), "node.role");
        assert!(known_attribute("node.labels.x"));
        assert!(!known_attribute("node.label.x"));
    }
}
