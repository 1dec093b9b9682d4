//! Applications through an apply on the in-memory swarm: the relabel the spec's `apps` ask
//! for, sent once the new proxy runs, the wait until that proxy routes the application, and
//! an application removed between the plan and the apply.

use super::fixture;
use super::run::{apply, apply_with, live_state, plan};
use super::swarm::Model;
use crate::apply::{Outcome, StepOutcome, StepStatus};
use crate::plan::Action;
use crate::route::labels;

const DEFAULT_TOML: &str = include_str!("../../../fixtures/ucp-3.1-default.toml");

const SPEC: &str = "[clusters.dev]\nhttp_port = 8082\nhttps_port = 8445\nproxy_replicas = 1\napps = [\"demo*\"]\nnetworks = [\"ingress_dev\"]\ncollection = \"/dev\"\n[clusters.prod]\nhttp_port = 8080\nhttps_port = 8443\nproxy_replicas = 1\n";

/// UCP's default, with an unlabelled application published through it.
fn model() -> Model {
    let mut s = fixture::ucp(DEFAULT_TOML);
    let mut demo = s
        .service("ucp-interlock-extension")
        .unwrap()
        .service
        .clone();
    demo.name = "demo".into();
    demo.id = "svc-demo".into();
    demo.labels = [
        (labels::HOSTS.to_string(), "demo.example".to_string()),
        (labels::PORT.to_string(), "8080".to_string()),
    ]
    .into();
    demo.networks = vec!["ingress_dev".into()];
    s.add_service(demo);
    super::interlock::round(&mut s);
    Model::new(s)
}

fn label(m: &Model) -> Option<String> {
    m.read(|s| {
        s.service("demo")
            .unwrap()
            .service
            .labels
            .get(labels::SERVICE_CLUSTER)
            .cloned()
    })
}

#[tokio::test]
async fn the_application_is_relabelled_then_awaited_on_its_new_proxy() {
    let m = model();
    let before = m.read(|s| s.served.get("ucp-interlock-proxy").cloned());
    assert_eq!(
        before.unwrap().hosts[0].host,
        "demo.example",
        "the default routes it before"
    );
    let (_, r) = apply(&m, &m, SPEC, 5).await;
    assert_eq!(r.outcome, Outcome::Applied, "{r:#?}");
    let did: Vec<&StepOutcome> = r.steps.iter().filter_map(|s| s.outcome.as_ref()).collect();
    assert!(did.iter().any(|o| matches!(o, StepOutcome::NetworkCreated { name, already: false } if name == "ingress_dev")));
    assert!(
        did.iter()
            .any(|o| matches!(o, StepOutcome::Relabelled { already: false, .. }))
    );
    assert!(did.iter().any(
        |o| matches!(o, StepOutcome::Routed { proxy, .. } if proxy == "ucp-interlock-proxy-dev")
    ));
    assert_eq!(label(&m).as_deref(), Some("dev"));
    let served = m.read(|s| s.served.get("ucp-interlock-proxy-dev").cloned().unwrap());
    assert_eq!(served.hosts[0].host, "demo.example");
    let network = m.read(|s| s.networks.clone());
    assert_eq!(
        network[0].1.get(labels::COLLECTION).map(String::as_str),
        Some("/dev")
    );
    // Again: nothing to do, the last plan is empty.
    let again = plan(&m.read(live_state), SPEC, 5);
    assert!(again.actions.is_empty(), "{:#?}", again.actions);
}

/// An application removed after the plan is reported, and does not fail the apply.
#[tokio::test]
async fn an_application_removed_since_the_plan_is_said_and_not_fatal() {
    let m = model();
    let (_, r) = apply_with(&m, &m, SPEC, 5, |s| {
        s.services.retain(|x| x.service.name != "demo");
    })
    .await;
    let relabel = r
        .steps
        .iter()
        .find(|s| matches!(s.action, Action::RelabelApp { .. }))
        .unwrap();
    assert_eq!(relabel.status, StepStatus::Done);
    assert!(
        matches!(relabel.outcome, Some(StepOutcome::AppGone { .. })),
        "{relabel:#?}"
    );
    let awaited = r
        .steps
        .iter()
        .find(|s| matches!(s.action, Action::AwaitRoute { .. }))
        .unwrap();
    assert!(
        matches!(awaited.outcome, Some(StepOutcome::AppGone { .. })),
        "no proxy will route it, and that is no failure: {awaited:#?}"
    );
    assert_eq!(r.outcome, Outcome::Applied, "{r:#?}");
}

/// Another operator relabelled the application meanwhile: theirs stands, apply stops there.
#[tokio::test]
async fn an_application_relabelled_by_someone_else_is_left_as_it_is() {
    let m = model();
    let (_, r) = apply_with(&m, &m, SPEC, 5, |s| {
        let demo = &mut s.service_mut("demo").unwrap().service;
        demo.labels
            .insert(labels::SERVICE_CLUSTER.into(), "prod".into());
        demo.version += 1;
    })
    .await;
    assert_eq!(r.outcome, Outcome::ClusterMoved, "{r:#?}");
    assert_eq!(label(&m).as_deref(), Some("prod"));
}
