//! Which nodes a set of placement constraints allows, as swarm decides it.

use super::{Node, Role};
use crate::interlock::constraint::{self, Op, Subject};

/// The value a node has for a constraint's subject, as swarm reads it.
fn attribute(node: &Node, subject: &Subject) -> Option<String> {
    match subject {
        Subject::NodeLabel(l) => node.labels.get(l).cloned(),
        Subject::EngineLabel(l) => node.engine_labels.get(l).cloned(),
        Subject::Attribute(a) => match a.as_str() {
            "node.id" => Some(node.id.clone()),
            "node.hostname" => Some(node.hostname.clone()),
            "node.role" => Some(
                match node.role {
                    Role::Manager => "manager",
                    Role::Worker => "worker",
                }
                .into(),
            ),
            "node.platform.os" => Some(node.os.clone()),
            "node.platform.arch" => Some(node.arch.clone()),
            _ => None,
        },
    }
}

/// Whether `node` satisfies every constraint. Constraints swarm would refuse match nothing.
pub fn satisfies(node: &Node, constraints: &[String]) -> bool {
    constraints
        .iter()
        .all(|expr| match constraint::parse(expr) {
            Err(_) => false,
            Ok(c) => {
                let value = attribute(node, &Subject::of_key(&c.key));
                let equal = value.is_some_and(|v| v.eq_ignore_ascii_case(&c.value));
                match c.op {
                    Op::Eq => equal,
                    Op::Ne => !equal,
                }
            }
        })
}

/// The ready, active nodes that satisfy `constraints`.
pub fn eligible<'a>(nodes: &'a [Node], constraints: &[String]) -> Vec<&'a Node> {
    nodes
        .iter()
        .filter(|n| n.schedulable() && satisfies(n, constraints))
        .collect()
}

/// The active nodes that satisfy `constraints` but whose state is not known yet (a new leader
/// has not heard from them): neither eligible nor ruled out until they report.
pub fn awaiting<'a>(nodes: &'a [Node], constraints: &[String]) -> Vec<&'a Node> {
    nodes
        .iter()
        .filter(|n| n.awaiting_report() && satisfies(n, constraints))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    pub fn node(hostname: &str, role: Role, labels: &[(&str, &str)]) -> Node {
        Node {
            id: format!("id-{hostname}"),
            hostname: hostname.into(),
            role,
            availability: "active".into(),
            state: "ready".into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            engine_labels: BTreeMap::new(),
            os: "linux".into(),
            arch: "x86_64".into(),
            addr: String::new(),
        }
    }

    #[test]
    fn swarm_semantics() {
        let n = node(
            "w1",
            Role::Worker,
            &[("com.docker.interlock.service.cluster", "Dev")],
        );
        let c = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(satisfies(
            &n,
            &c(&["node.labels.com.docker.interlock.service.cluster==dev"])
        ));
        assert!(satisfies(
            &n,
            &c(&["node.role==worker", "node.platform.os==linux"])
        ));
        assert!(!satisfies(&n, &c(&["node.role!=worker"])));
        assert!(satisfies(&n, &c(&["node.labels.missing!=x"])));
        assert!(!satisfies(&n, &c(&["node.labels.missing==x"])));
        assert!(!satisfies(
            &n,
            &c(&["node.labels.com.docker.interlock.service.cluster=dev"])
        ));
        let mut down = n.clone();
        down.state = "down".into();
        let mut unknown = n.clone();
        unknown.state = "unknown".into();
        let nodes = [n, down, unknown];
        assert_eq!(eligible(&nodes, &[]).len(), 1);
        assert_eq!(awaiting(&nodes, &[]).len(), 1, "unknown is not down");
    }
}
