//! The model keeps swarm's rules: versions, name conflicts, configs in use, updates that
//! complete or roll back, and a core that creates what its config asks for.

use super::faults::{Call, Fault, FaultKind, Faulty};
use super::fixture::{self, FIRST_CONFIG};
use super::swarm::Model;
use crate::cluster::{CoreRetarget, NewConfig, UpdateState};
use crate::docker::{ApiError, Swarm, TransportError};

const DEFAULT_TOML: &str = include_str!("../../../fixtures/ucp-3.1-default.toml");

fn model() -> Model {
    Model::new(fixture::ucp(DEFAULT_TOML))
}

async fn create(m: &impl Swarm, name: &str, data: &str) -> Result<String, ApiError> {
    let c = NewConfig {
        name: name.into(),
        labels: Default::default(),
        data: data.into(),
    };
    m.create_config(&c).await
}

async fn retarget(m: &impl Swarm, id: &str, name: &str) -> Result<(), ApiError> {
    let version = m.service("ucp-interlock").await?.version;
    let change = CoreRetarget {
        target: "/config.toml".into(),
        config_id: id.into(),
        config_name: name.into(),
        host_port: None,
    };
    m.retarget_core("ucp-interlock", version, &change).await
}

async fn states(m: &Model) -> Vec<UpdateState> {
    let mut out = Vec::new();
    for _ in 0..3 {
        let s = m.service("ucp-interlock").await.unwrap();
        out.extend(s.update_state().cloned());
    }
    out
}

#[tokio::test]
async fn the_core_creates_the_services_of_its_config() {
    let m = model();
    let proxy = m.service("ucp-interlock-proxy").await.unwrap();
    assert_eq!(proxy.replicas, Some(2));
    assert_eq!(proxy.ports.len(), 2);
    assert!(m.service("ucp-interlock-extension").await.is_ok());
}

#[tokio::test]
async fn a_stale_version_is_out_of_sequence() {
    let m = model();
    let id = create(&m, "c2", DEFAULT_TOML).await.unwrap();
    let change = CoreRetarget {
        target: "/config.toml".into(),
        config_id: id,
        config_name: "c2".into(),
        host_port: None,
    };
    let err = m
        .retarget_core("ucp-interlock", 9, &change)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::OutOfSequence { .. }), "{err:?}");
}

#[tokio::test]
async fn names_conflict_and_configs_in_use_stay() {
    let m = model();
    let err = create(&m, FIRST_CONFIG, "x").await.unwrap_err();
    assert!(matches!(err, ApiError::NameConflict { .. }), "{err:?}");
    let err = m.remove_config(FIRST_CONFIG).await.unwrap_err();
    assert!(matches!(err, ApiError::InUse { .. }), "{err:?}");
}

#[tokio::test]
async fn an_update_completes_and_a_config_the_core_cannot_run_rolls_back() {
    let m = model();
    let id = create(&m, "c2", DEFAULT_TOML).await.unwrap();
    retarget(&m, &id, "c2").await.unwrap();
    assert_eq!(states(&m).await[0], UpdateState::Completed);

    let broken = DEFAULT_TOML.replace("ProxyReplicas = 2", "");
    let id = create(&m, "c3", &broken).await.unwrap();
    retarget(&m, &id, "c3").await.unwrap();
    let seen = states(&m).await;
    assert_eq!(
        seen[..2],
        [UpdateState::RollbackStarted, UpdateState::RollbackCompleted]
    );
    let core = m.service("ucp-interlock").await.unwrap();
    assert_eq!(
        core.configs[0].config_name, "c2",
        "back on the previous config"
    );
}

#[tokio::test]
async fn with_pause_as_failure_action_a_failed_update_pauses() {
    let m = model();
    m.state.lock().unwrap().pause_on_failure = true;
    let broken = DEFAULT_TOML.replace("ProxyReplicas = 2", "");
    let id = create(&m, "c2", &broken).await.unwrap();
    retarget(&m, &id, "c2").await.unwrap();
    assert_eq!(states(&m).await[0], UpdateState::Paused);
}

#[tokio::test]
async fn the_nth_call_fails_with_the_chosen_error() {
    let fault = Fault {
        nth: 2,
        ..Fault::once(Call::CreateConfig, None, FaultKind::Dropped)
    };
    let m = Faulty::new(model(), &[fault]);
    assert!(create(&m, "c2", "a").await.is_ok());
    let err = create(&m, "c3", "b").await.unwrap_err();
    assert!(
        matches!(err, ApiError::Transport(TransportError::Dropped { .. })),
        "{err:?}"
    );
    assert!(create(&m, "c3", "b").await.is_ok(), "once only");
    assert_eq!(m.fired(), 1);
}
