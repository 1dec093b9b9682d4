//! The audit trail apply leaves on the configs it creates: the stamp beside the old config's
//! labels, and the outcome after the watch; a refused label is a warning, never a failure.

use super::faults::{Call, Fault, FaultKind, Faulty};
use super::fixture;
use super::run::{apply, stamp};
use super::swarm::Model;
use crate::apply::Outcome;
use crate::audit::labels::{self, RecordedOutcome as Recorded};
use crate::audit::recorded;
use crate::cluster::ConfigInfo;

const DEFAULT_TOML: &str = include_str!("../../../fixtures/ucp-3.1-default.toml");
const CONF_2: &str = "com.docker.ucp.interlock.conf-2";
const SPEC: &str = "[clusters.dev]\nhttp_port = 8082\nhttps_port = 8445\nproxy_replicas = 1\n";

fn config(m: &Model, name: &str) -> ConfigInfo {
    m.read(|s| s.config(name).map(|(c, _)| c.clone()).expect(name))
}

#[tokio::test]
async fn a_created_config_carries_the_stamp_the_old_labels_and_then_its_outcome() {
    let m = Model::new(fixture::ucp(DEFAULT_TOML));
    let (_, report) = apply(&m, &m, SPEC, 5).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    let c = config(&m, CONF_2);
    assert_eq!(c.labels["com.docker.ucp.access.label"], "/");
    for (k, v) in stamp().labels() {
        assert_eq!(c.labels.get(&k), Some(&v), "{k}");
    }
    let r = recorded(&c).unwrap();
    assert_eq!(r.outcome, Some(Recorded::Ran));
    assert_eq!(r.by.as_deref(), Some("admin"));
    assert!(report.warnings.is_empty());
}

#[tokio::test]
async fn a_config_swarm_rolled_back_is_labelled_so() {
    let m = Model::new(fixture::ucp(DEFAULT_TOML));
    let broken = format!("{SPEC}[clusters.dev.extension]\nImage = \"x/extension:broken\"\n");
    let (_, report) = apply(&m, &m, &broken, 5).await;
    assert_eq!(report.outcome, Outcome::RolledBack, "{report:#?}");
    let r = recorded(&config(&m, CONF_2)).unwrap();
    assert_eq!(r.outcome, Some(Recorded::RolledBack));
}

#[tokio::test]
async fn a_refused_outcome_label_is_a_warning_and_the_outcome_stands() {
    let m = Model::new(fixture::ucp(DEFAULT_TOML));
    let faulty = Faulty::new(
        m,
        &[Fault::once(Call::LabelConfig, None, FaultKind::ServerError)],
    );
    let (_, report) = apply(&faulty.inner, &faulty, SPEC, 5).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    assert_eq!(report.warnings.len(), 1, "{report:#?}");
    assert!(report.warnings[0].contains("could not be recorded on"));
    let c = config(&faulty.inner, CONF_2);
    assert!(!c.labels.contains_key(labels::OUTCOME));
    assert_eq!(recorded(&c).and_then(|r| r.by).as_deref(), Some("admin"));
}

#[tokio::test]
async fn an_outcome_label_refused_as_out_of_sequence_is_written_again_on_a_fresh_read() {
    // The config was read during the watch; another operator's label since then moves its
    // version, and swarm refuses the write made at the one read.
    let m = Model::new(fixture::ucp(DEFAULT_TOML));
    let faulty = Faulty::new(
        m,
        &[Fault::once(
            Call::LabelConfig,
            None,
            FaultKind::OutOfSequence,
        )],
    );
    let (_, report) = apply(&faulty.inner, &faulty, SPEC, 5).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    assert_eq!(faulty.fired(), 1);
    assert!(report.warnings.is_empty(), "{report:#?}");
    let r = recorded(&config(&faulty.inner, CONF_2)).unwrap();
    assert_eq!(r.outcome, Some(Recorded::Ran));
}
