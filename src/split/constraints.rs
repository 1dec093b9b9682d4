//! How a cluster's constraints follow from the ones its section has and the spec's edit.

use crate::extension::constraints::same;
use crate::interlock::constraint::{self, Op};
use crate::spec::ConstraintEdit;

/// Adds `expr` unless it is there; an `==` replaces any other `==` (or malformed `=`) on the
/// same attribute, since a node cannot carry two values of one label.
fn add(list: &mut Vec<String>, expr: &str) {
    if list.iter().any(|c| same(c, expr)) {
        return;
    }
    if let Ok(c) = constraint::parse(expr)
        && c.op == Op::Eq
    {
        list.retain(|old| {
            !constraint::same_subject(old, expr)
                || matches!(constraint::parse(old), Ok(o) if o.op == Op::Ne)
        });
    }
    list.push(expr.to_string());
}

/// The constraints a cluster ends up with. `node_label` is the shorthand's constraint.
pub fn edit_constraints(
    current: &[String],
    edit: &ConstraintEdit,
    node_label: Option<&str>,
) -> Vec<String> {
    let mut list = match &edit.replace {
        Some(r) => r.clone(),
        None => current.to_vec(),
    };
    list.retain(|c| !edit.remove.iter().any(|r| same(r, c)));
    for expr in edit.add.iter().map(String::as_str).chain(node_label) {
        add(&mut list, expr);
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    const UCP: [&str; 2] = [
        "node.labels.com.docker.ucp.orchestrator.swarm==true",
        "node.platform.os==linux",
    ];

    #[test]
    fn keep_plus_label() {
        let out = edit_constraints(
            &v(&UCP),
            &ConstraintEdit::default(),
            Some("node.labels.env==dev"),
        );
        assert_eq!(out, v(&[UCP[0], UCP[1], "node.labels.env==dev"]));
        // Idempotent.
        assert_eq!(
            edit_constraints(
                &out,
                &ConstraintEdit::default(),
                Some("node.labels.env==dev")
            ),
            out
        );
    }

    #[test]
    fn a_label_of_another_case_is_another_label() {
        let cur = v(&["node.labels.Region==east"]);
        let out = edit_constraints(
            &cur,
            &ConstraintEdit::default(),
            Some("node.labels.region==west"),
        );
        assert_eq!(
            out,
            v(&["node.labels.Region==east", "node.labels.region==west"])
        );
        // The attribute itself is read in any case.
        let out = edit_constraints(
            &v(&["Node.Labels.env==dev"]),
            &ConstraintEdit::default(),
            Some("node.labels.env==test"),
        );
        assert_eq!(out, v(&["node.labels.env==test"]));
    }

    #[test]
    fn same_label_is_replaced_even_when_malformed() {
        let cur = v(&["node.labels.env=dev", "node.labels.zone!=a"]);
        let out = edit_constraints(
            &cur,
            &ConstraintEdit::default(),
            Some("node.labels.env==test"),
        );
        assert_eq!(out, v(&["node.labels.zone!=a", "node.labels.env==test"]));
    }

    #[test]
    fn replace_and_remove() {
        let edit = ConstraintEdit {
            replace: Some(v(&["node.role==worker"])),
            ..Default::default()
        };
        assert_eq!(
            edit_constraints(&v(&UCP), &edit, None),
            v(&["node.role==worker"])
        );
        let edit = ConstraintEdit {
            remove: v(&["node.platform.os == linux"]),
            ..Default::default()
        };
        assert_eq!(edit_constraints(&v(&UCP), &edit, None), v(&[UCP[0]]));
    }
}
