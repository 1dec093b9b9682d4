//! The JSON document apply prints, pinned for every outcome (insta snapshots under
//! `snapshots/`): the envelope, the report, each step with its typed outcome and its words. The
//! runs are on the in-memory swarm, so that each outcome happens on demand; step durations are
//! zeroed, the one thing that differs from run to run.

use super::faults::{Call, Fault, FaultKind, Faulty};
use super::fixture;
use super::run::{apply, apply_interruptible, apply_with};
use super::swarm::Model;
use crate::apply::{ApplyReport, Outcome};
use crate::audit::provenance::APPLIED_BY;
use crate::cluster::ConfigInfo;
use crate::output;

const DEFAULT_TOML: &str = include_str!("../../../fixtures/ucp-3.1-default.toml");
const SPEC: &str = "[clusters.dev]\nhttp_port = 8082\nhttps_port = 8445\nproxy_replicas = 1\n[clusters.prod]\nhttp_port = 8080\nhttps_port = 8443\nproxy_replicas = 1\n";

fn document(mut report: ApplyReport) -> String {
    for s in &mut report.steps {
        s.millis = 0;
    }
    output::apply::envelope("apply", &report)
}

fn model() -> Model {
    Model::new(fixture::ucp(DEFAULT_TOML))
}

async fn faulted(fault: Fault) -> ApplyReport {
    let faulty = Faulty::new(model(), &[fault]);
    apply(&faulty.inner, &faulty, SPEC, 5).await.1
}

#[tokio::test]
async fn applied() {
    let m = model();
    let (_, r) = apply(&m, &m, SPEC, 5).await;
    assert_eq!(r.outcome, Outcome::Applied);
    insta::assert_snapshot!(document(r));
}

#[tokio::test]
async fn failed() {
    let fault = Fault::once(Call::CreateConfig, None, FaultKind::ServerError);
    let r = faulted(fault).await;
    assert_eq!(r.outcome, Outcome::Failed);
    insta::assert_snapshot!(document(r));
}

#[tokio::test]
async fn rolled_back() {
    let broken = SPEC.replace(
        "[clusters.prod]",
        "[clusters.dev.extension]\nImage = \"x:broken\"\n[clusters.prod]",
    );
    let m = model();
    let (_, r) = apply(&m, &m, &broken, 5).await;
    assert_eq!(r.outcome, Outcome::RolledBack);
    insta::assert_snapshot!(document(r));
}

#[tokio::test]
async fn paused() {
    let m = model();
    m.state.lock().unwrap().pause_on_failure = true;
    let broken = SPEC.replace(
        "[clusters.prod]",
        "[clusters.dev.extension]\nImage = \"x:broken\"\n[clusters.prod]",
    );
    let (_, r) = apply(&m, &m, &broken, 5).await;
    assert_eq!(r.outcome, Outcome::Paused);
    insta::assert_snapshot!(document(r));
}

#[tokio::test]
async fn interrupted() {
    let fault = Fault::once(Call::RetargetCore, None, FaultKind::CtrlC);
    let faulty = Faulty::new(model(), &[fault]);
    let (_, r) = apply_interruptible(&faulty.inner, &faulty, SPEC).await;
    assert_eq!(r.outcome, Outcome::Interrupted);
    insta::assert_snapshot!(document(r));
}

#[tokio::test]
async fn out_of_sequence() {
    let fault = Fault {
        always: true,
        ..Fault::once(Call::RetargetCore, None, FaultKind::OutOfSequence)
    };
    let r = faulted(fault).await;
    assert_eq!(r.outcome, Outcome::OutOfSequence);
    insta::assert_snapshot!(document(r));
}

fn theirs(name: &str) -> (ConfigInfo, String) {
    let info = ConfigInfo {
        id: "cfg-theirs".into(),
        name: name.into(),
        labels: [(APPLIED_BY.to_string(), "CN=bob".to_string())].into(),
        created_at: Some("2024-05-01T10:00:00Z".into()),
    };
    (info, "# bob's config\n".to_string())
}

#[tokio::test]
async fn cluster_moved() {
    let m = model();
    let (_, r) = apply_with(&m, &m, SPEC, 5, |s| {
        s.configs.push(theirs("com.docker.ucp.interlock.conf-2"));
    })
    .await;
    assert_eq!(r.outcome, Outcome::ClusterMoved);
    insta::assert_snapshot!(document(r));
}

#[tokio::test]
async fn superseded() {
    let m = model();
    m.state.lock().unwrap().interloper = Some(theirs("com.docker.ucp.interlock.conf-42"));
    let (_, r) = apply(&m, &m, SPEC, 5).await;
    assert_eq!(r.outcome, Outcome::Superseded);
    insta::assert_snapshot!(document(r));
}

#[tokio::test]
async fn a_failed_call_names_its_kind_within_the_outcome() {
    for (kind, named) in [
        (FaultKind::Dropped, "dropped"),
        (FaultKind::Timeout, "timed-out"),
        (FaultKind::NoLeader, "no-leader"),
    ] {
        let r = faulted(Fault::once(Call::RetargetCore, None, kind)).await;
        let doc: serde_json::Value = serde_json::from_str(&document(r)).unwrap();
        assert_eq!(doc["error"]["kind"], named, "{kind:?}: {doc:#}");
    }
    let m = model();
    let (_, r) = apply(&m, &m, SPEC, 5).await;
    let doc: serde_json::Value = serde_json::from_str(&document(r)).unwrap();
    assert!(doc["error"].is_null(), "{doc:#}");
}
