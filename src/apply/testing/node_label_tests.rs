//! The label-node step beside another operator: a node is written by others too (its
//! availability, their own labels), so a refusal as out of sequence is read again and sent once
//! more, while a value someone else gave the planned key is left as it is.

use super::faults::{Call, Fault, FaultKind, Faulty};
use super::fixture::{self, HOST};
use super::run::{apply, apply_saved_with, apply_with};
use super::state::State;
use super::swarm::Model;
use crate::apply::{Outcome, StepStatus};
use crate::plan::Action;

const DEFAULT_TOML: &str = include_str!("../../../fixtures/ucp-3.1-default.toml");
const SPEC: &str = "[clusters.dev]\nhttp_port = 8082\nhttps_port = 8445\nproxy_replicas = 1\nnode_label_key = \"it.dev\"\nnode_label = \"yes\"\nnodes = [\"node-1\"]\n[clusters.prod]\nhttp_port = 8080\nhttps_port = 8443\nproxy_replicas = 1\n";

fn label(m: &Model, key: &str) -> Option<String> {
    m.read(|s| {
        let (n, _) = s.nodes.iter().find(|(n, _)| n.hostname == HOST).unwrap();
        n.labels.get(key).cloned()
    })
}

/// Another operator's write of `key=value` on the node, after the plan.
fn theirs(key: &'static str, value: &'static str) -> impl FnOnce(&mut State) {
    move |s| {
        let (n, v) = s
            .nodes
            .iter_mut()
            .find(|(n, _)| n.hostname == HOST)
            .unwrap();
        n.labels.insert(key.into(), value.into());
        *v += 1;
    }
}

/// Swarm refuses the first write as out of sequence: the step reads the node again, finds the
/// key as planned, sends once more, and the apply finishes.
#[tokio::test]
async fn a_node_written_meanwhile_is_read_again_and_labelled() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let fault = Fault::once(Call::LabelNode, None, FaultKind::OutOfSequence);
    let faulty = Faulty::new(model, &[fault]);
    let (_, r) = apply(&faulty.inner, &faulty, SPEC, 5).await;
    assert!(faulty.fired() > 0, "the fault never fired: {r:#?}");
    assert_eq!(r.outcome, Outcome::Applied, "{r:#?}");
    assert_eq!(label(&faulty.inner, "it.dev").as_deref(), Some("yes"));
}

/// Refused every time: two writes per try, and the command's one re-plan tries again; then out
/// of sequence, with the label unset and the core untouched.
#[tokio::test]
async fn a_node_always_written_meanwhile_fails_cleanly() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let fault = Fault {
        always: true,
        ..Fault::once(Call::LabelNode, None, FaultKind::OutOfSequence)
    };
    let faulty = Faulty::new(model, &[fault]);
    let (_, r) = apply(&faulty.inner, &faulty, SPEC, 5).await;
    assert_eq!(faulty.fired(), 4, "two writes, twice");
    assert_eq!(r.outcome, Outcome::OutOfSequence, "{r:#?}");
    let failed = r.steps.iter().find(|s| s.status == StepStatus::Failed);
    assert!(
        matches!(failed.map(|s| &s.action), Some(Action::LabelNode { .. })),
        "{r:#?}"
    );
    assert_eq!(label(&faulty.inner, "it.dev"), None);
}

/// A saved plan is never made again: refused as out of sequence twice, it stops, naming the
/// node (not the core, which nobody touched).
#[tokio::test]
async fn a_saved_plan_stops_naming_the_node_written_meanwhile() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let fault = Fault {
        always: true,
        ..Fault::once(Call::LabelNode, None, FaultKind::OutOfSequence)
    };
    let faulty = Faulty::new(model, &[fault]);
    let (_, r) = apply_saved_with(&faulty.inner, &faulty, SPEC, |_| {}).await;
    assert_eq!(r.outcome, Outcome::ClusterMoved, "{r:#?}");
    let error = r.error.clone().unwrap_or_default();
    assert!(
        error.starts_with(&format!("node {HOST} changed while it was being updated")),
        "{error}"
    );
    assert!(error.contains("nothing more was changed"), "{error}");
    assert!(!error.contains("ucp-interlock"), "{error}");
    assert_eq!(label(&faulty.inner, "it.dev"), None);
}

/// Another operator gave the key another value after the plan: theirs stands, apply stops.
#[tokio::test]
async fn another_operators_value_is_left_as_it_is() {
    let m = Model::new(fixture::ucp(DEFAULT_TOML));
    let (_, r) = apply_with(&m, &m, SPEC, 5, theirs("it.dev", "no")).await;
    assert_eq!(r.outcome, Outcome::ClusterMoved, "{r:#?}");
    assert_eq!(label(&m, "it.dev").as_deref(), Some("no"));
    assert!(
        r.steps
            .iter()
            .all(|s| !matches!(s.action, Action::UpdateCoreService { .. })
                || s.status == StepStatus::NotRun),
        "the core is not touched: {r:#?}"
    );
}

/// Someone else's label on the same node, after the plan, is kept beside ours.
#[tokio::test]
async fn another_label_set_meanwhile_is_kept() {
    let m = Model::new(fixture::ucp(DEFAULT_TOML));
    let (_, r) = apply_with(&m, &m, SPEC, 5, theirs("team", "ops")).await;
    assert_eq!(r.outcome, Outcome::Applied, "{r:#?}");
    assert_eq!(label(&m, "it.dev").as_deref(), Some("yes"));
    assert_eq!(label(&m, "team").as_deref(), Some("ops"));
}
