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

/// What a constraint is about, as swarm reads it: a node attribute, named in any case, or a
/// node or engine label, whose name swarm looks up exactly as written (swarmkit's matcher:
/// "label itself is case sensitive"), so that `Region` and `region` are two labels a node may
/// both carry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// `node.role`, `node.hostname`, …: lower-cased.
    Attribute(String),
    NodeLabel(String),
    EngineLabel(String),
}

const NODE_LABELS: &str = "node.labels.";
const ENGINE_LABELS: &str = "engine.labels.";

impl Subject {
    /// The subject of a constraint's key (`node.labels.Region`, `NODE.ROLE`).
    pub fn of_key(key: &str) -> Subject {
        let key = key.trim();
        let label = |prefix: &str| {
            (key.len() > prefix.len()
                && key.is_char_boundary(prefix.len())
                && key[..prefix.len()].eq_ignore_ascii_case(prefix))
            .then(|| key[prefix.len()..].to_string())
        };
        if let Some(l) = label(NODE_LABELS) {
            return Subject::NodeLabel(l);
        }
        if let Some(l) = label(ENGINE_LABELS) {
            return Subject::EngineLabel(l);
        }
        Subject::Attribute(key.to_ascii_lowercase())
    }

    /// The subject of an expression, even one swarm would refuse (`node.labels.x=dev`): the
    /// text before its first operator.
    pub fn of_expr(expr: &str) -> Subject {
        let cut = ["==", "!=", "="]
            .iter()
            .filter_map(|op| expr.find(op))
            .min()
            .unwrap_or(expr.len());
        Subject::of_key(&expr[..cut])
    }

    /// Whether swarm knows this attribute; a constraint on any other matches no node at all.
    pub fn known(&self) -> bool {
        match self {
            Subject::Attribute(a) => matches!(
                a.as_str(),
                "node.id"
                    | "node.hostname"
                    | "node.ip"
                    | "node.role"
                    | "node.platform.os"
                    | "node.platform.arch"
            ),
            Subject::NodeLabel(_) | Subject::EngineLabel(_) => true,
        }
    }
}

/// Whether two constraints are on the same subject, as swarm reads them.
pub fn same_subject(a: &str, b: &str) -> bool {
    Subject::of_expr(a) == Subject::of_expr(b)
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
    fn subjects_keep_a_label_name_as_written() {
        assert_eq!(
            Subject::of_expr("NODE.Labels.Region = dev"),
            Subject::NodeLabel("Region".into())
        );
        assert_ne!(
            Subject::of_expr("node.labels.Region==a"),
            Subject::of_expr("node.labels.region==a")
        );
        assert_eq!(
            Subject::of_expr("Node.Role!=manager"),
            Subject::Attribute("node.role".into())
        );
        assert!(same_subject("node.ROLE==worker", "node.role!=manager"));
        assert!(Subject::of_key("engine.labels.x").known());
        assert!(!Subject::of_key("node.label.x").known());
        assert!(!Subject::of_key("node.labels.").known());
    }
}
