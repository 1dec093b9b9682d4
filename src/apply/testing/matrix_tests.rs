//! The fault matrix of apply's executor, on the in-memory swarm: every step of apply failing
//! with an HTTP 500, a timeout and a dropped connection, plus out of sequence, a name conflict,
//! a config in use, a rollback, a pause and host mode; a lost answer (the model carried the call
//! out) and a manager without a leader, at the core's update and during its watch. Each case checks the report (outcome,
//! what the core runs, which steps are done, failed, not run), then runs apply again on the
//! same model without the fault: it converges with exactly one config holding the new TOML.
//! Each run goes as the command runs it: after "update out of sequence", apply reads the
//! cluster again and re-plans once (`apply::replan`), going on only with the same plan.

use super::faults::{Call, Fault, FaultKind, Faulty};
use super::fixture::{self, FIRST_CONFIG, HOST};
use super::run::{apply, apply_saved_with, apply_with, core_runs, holders};
use super::swarm::Model;
use crate::apply::{ApplyReport, CoreState, Outcome, Request, StepOutcome, StepStatus};
use crate::audit::provenance::APPLIED_BY;
use crate::cluster::{ConfigInfo, UpdateState};
use crate::interlock::PublishMode;
use crate::plan::Action;

const DEFAULT_TOML: &str = include_str!("../../../fixtures/ucp-3.1-default.toml");
const CONF_2: &str = "com.docker.ucp.interlock.conf-2";
const CONF_4: &str = "com.docker.ucp.interlock.conf-4";
const KEEP: usize = 5;

/// Three service clusters on the one node; prod takes the old proxy's ports (8080, 8443).
fn spec(dev_http: u16, extra: &str) -> String {
    let mut s = String::new();
    for (name, http, https) in [
        ("dev", dev_http, dev_http + 363),
        ("test", 8081, 8444),
        ("prod", 8080, 8443),
    ] {
        s.push_str(&format!(
            "[clusters.{name}]\nhttp_port = {http}\nhttps_port = {https}\nproxy_replicas = 1\nnode_label_key = \"it.{name}\"\nnode_label = \"yes\"\nnodes = [\"{HOST}\"]\n\n"
        ));
    }
    s + extra
}

/// The split of UCP's default config (conf-2), then dev moved to other ports (conf-3), both
/// applied without faults.
async fn split() -> Model {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    for dev in [8082, 8182] {
        let (_, report) = apply(&model, &model, &spec(dev, ""), KEEP).await;
        assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    }
    model
}

/// The failed step is the one `at` picks; those before it are done (or skipped), those after
/// it are not run.
fn assert_steps(report: &ApplyReport, at: &dyn Fn(&Action) -> bool) {
    let i = report
        .steps
        .iter()
        .position(|s| s.status == StepStatus::Failed)
        .unwrap_or_else(|| panic!("no step failed: {report:#?}"));
    assert!(at(&report.steps[i].action), "{:#?}", report.steps[i]);
    let before = &report.steps[..i];
    assert!(
        before.iter().all(|s| s.status != StepStatus::NotRun),
        "{report:#?}"
    );
    let after = &report.steps[i + 1..];
    assert!(
        after.iter().all(|s| s.status == StepStatus::NotRun),
        "{report:#?}"
    );
}

/// Apply again without the fault: the planned state, one config holding the new TOML.
async fn assert_rerun_converges(model: &Model, spec: &str, toml: &str) {
    let (_, again) = apply(model, model, spec, KEEP).await;
    assert_eq!(again.outcome, Outcome::Applied, "{again:#?}");
    let held = holders(model, toml);
    assert_eq!(held.len(), 1, "one config holds the new TOML: {held:?}");
    assert_eq!(core_runs(model), held[0]);
    for c in ["dev", "test", "prod"] {
        let proxy = format!("ucp-interlock-proxy-{c}");
        assert!(model.read(|s| s.service(&proxy).is_some()), "{proxy}");
    }
    assert!(model.read(|s| s.service("ucp-interlock-proxy").is_none()));
    assert!(model.read(|s| s.service("ucp-interlock-extension").is_none()));
}

fn core(config: &str, pending: Option<&str>) -> CoreState {
    CoreState {
        config: config.into(),
        pending_update_to: pending.map(String::from),
        restarting: false,
    }
}

/// One case: `fault` during the split (or, `after_split`, during another move of dev's ports
/// with the fewest configs kept, which reconciles the proxy and prunes conf-1); the report says `outcome`, `core`,
/// and that the step `at` failed.
async fn case(
    after_split: bool,
    fault: Fault,
    outcome: Outcome,
    core: CoreState,
    at: &dyn Fn(&Action) -> bool,
) {
    let (model, spec, keep) = if after_split {
        (split().await, spec(9082, ""), 1)
    } else {
        (Model::new(fixture::ucp(DEFAULT_TOML)), spec(8082, ""), KEEP)
    };
    let faulty = Faulty::new(model, &[fault]);
    let (toml, report) = apply(&faulty.inner, &faulty, &spec, keep).await;
    assert!(faulty.fired() > 0, "the fault never fired: {report:#?}");
    assert_eq!(report.outcome, outcome, "{report:#?}");
    assert_eq!(report.core, core, "{report:#?}");
    assert_steps(&report, at);
    assert_rerun_converges(&faulty.inner, &spec, &toml).await;
}

fn label(a: &Action) -> bool {
    matches!(a, Action::LabelNode { .. })
}
fn create(a: &Action) -> bool {
    matches!(a, Action::CreateConfig { .. })
}
fn update(a: &Action) -> bool {
    matches!(a, Action::UpdateCoreService { .. })
}
fn port_holder(a: &Action) -> bool {
    matches!(a, Action::RemoveStaleService { service, .. } if service == "ucp-interlock-proxy")
}
fn other_stale(a: &Action) -> bool {
    matches!(a, Action::RemoveStaleService { service, .. } if service == "ucp-interlock-extension")
}
fn awaited(a: &Action) -> bool {
    matches!(a, Action::AwaitService { service, .. } if service == "ucp-interlock-proxy-prod")
}
fn reconcile(a: &Action) -> bool {
    matches!(a, Action::ReconcileProxy { service, .. } if service == "ucp-interlock-proxy-dev")
}
fn prune(a: &Action) -> bool {
    matches!(a, Action::PruneConfigs { .. })
}

/// A fault on the `nth` call of `call` on `on`.
fn at(call: Call, on: Option<&'static str>, nth: usize, kind: FaultKind) -> Fault {
    Fault {
        nth,
        ..Fault::once(call, on, kind)
    }
}

/// Tests for one step × {500, timeout, dropped}.
macro_rules! step_faults {
    ($step:ident, $after_split:expr, $call:expr, $on:expr, $nth:expr, $core:expr, $at:expr) => {
        mod $step {
            use super::*;

            async fn run(kind: FaultKind) {
                let fault = at($call, $on, $nth, kind);
                case($after_split, fault, Outcome::Failed, $core, &$at).await;
            }

            #[tokio::test]
            async fn server_error() {
                run(FaultKind::ServerError).await;
            }

            #[tokio::test]
            async fn timeout() {
                run(FaultKind::Timeout).await;
            }

            #[tokio::test]
            async fn dropped() {
                run(FaultKind::Dropped).await;
            }
        }
    };
}

step_faults!(
    label_node,
    false,
    Call::LabelNode,
    None,
    1,
    core(FIRST_CONFIG, None),
    label
);
step_faults!(
    create_config,
    false,
    Call::CreateConfig,
    None,
    1,
    core(FIRST_CONFIG, None),
    create
);
// A 500 is the engine's refusal: the update never started. A timeout or a dropped connection
// loses the answer: the update may have started (`lost_answers` has it carried out).
mod update_core {
    use super::*;

    async fn run(kind: FaultKind, pending: Option<&str>) {
        let fault = at(Call::RetargetCore, None, 1, kind);
        let core = core(FIRST_CONFIG, pending);
        case(false, fault, Outcome::Failed, core, &update).await;
    }

    #[tokio::test]
    async fn server_error() {
        run(FaultKind::ServerError, None).await;
    }

    #[tokio::test]
    async fn timeout() {
        run(FaultKind::Timeout, Some(CONF_2)).await;
    }

    #[tokio::test]
    async fn dropped() {
        run(FaultKind::Dropped, Some(CONF_2)).await;
    }
}
// The 1st read of the core is the update step's own; the 2nd is the watch's first poll.
step_faults!(
    watch_core,
    false,
    Call::Service,
    Some("ucp-interlock"),
    2,
    core(FIRST_CONFIG, Some(CONF_2)),
    update
);
step_faults!(
    remove_port_holder,
    false,
    Call::RemoveService,
    Some("ucp-interlock-proxy"),
    1,
    core(CONF_2, None),
    port_holder
);
step_faults!(
    await_new_services,
    false,
    Call::Service,
    Some("ucp-interlock-proxy-prod"),
    1,
    core(CONF_2, None),
    awaited
);
step_faults!(
    remove_other_stale,
    false,
    Call::RemoveService,
    Some("ucp-interlock-extension"),
    1,
    core(CONF_2, None),
    other_stale
);
step_faults!(
    reconcile_proxy,
    true,
    Call::UpdateProxy,
    Some("ucp-interlock-proxy-dev"),
    1,
    core(CONF_4, None),
    reconcile
);
step_faults!(
    prune_configs,
    true,
    Call::RemoveConfig,
    None,
    1,
    core(CONF_4, None),
    prune
);

/// Out of sequence once: the core moved on to another version of the same config (a forced
/// update, say). apply re-reads, re-plans, finds the same plan, and finishes.
#[tokio::test]
async fn out_of_sequence_once_is_re_planned_and_finished() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let fault = at(Call::RetargetCore, None, 1, FaultKind::OutOfSequence);
    let faulty = Faulty::new(model, &[fault]);
    let spec = spec(8082, "");
    let (toml, report) = apply(&faulty.inner, &faulty, &spec, KEEP).await;
    assert!(faulty.fired() > 0, "the fault never fired: {report:#?}");
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    assert_eq!(
        holders(&faulty.inner, &toml),
        [CONF_2],
        "the config is reused"
    );
    assert_eq!(core_runs(&faulty.inner), CONF_2);
}

/// Out of sequence on the re-planned try too: a clean failure, nothing after the update ran,
/// and the config uploaded once, every time.
#[tokio::test]
async fn out_of_sequence_always_fails_cleanly_every_time() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let fault = Fault {
        always: true,
        ..Fault::once(Call::RetargetCore, None, FaultKind::OutOfSequence)
    };
    let faulty = Faulty::new(model, &[fault]);
    let spec = spec(8082, "");
    for _ in 0..2 {
        let (toml, report) = apply(&faulty.inner, &faulty, &spec, KEEP).await;
        assert_eq!(report.outcome, Outcome::OutOfSequence, "{report:#?}");
        assert_eq!(report.core, core(FIRST_CONFIG, None));
        assert_steps(&report, &update);
        assert_eq!(
            holders(&faulty.inner, &toml).len(),
            1,
            "the config is reused"
        );
    }
    let (toml, _) = apply(&faulty.inner, &faulty.inner, &spec, KEEP).await;
    assert_rerun_converges(&faulty.inner, &spec, &toml).await;
}

/// A re-plan that is not the plan shown (here: a leftover proxy appeared meanwhile, which the
/// re-plan would remove) stops apply: the operator approved another plan.
#[tokio::test]
async fn a_re_plan_that_differs_from_the_plan_shown_stops() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let spec = spec(8082, "");
    let (_, report) = apply_with(&model, &model, &spec, KEEP, |s| {
        s.service_mut("ucp-interlock").unwrap().service.version += 1;
        let mut leftover = s.service("ucp-interlock-proxy").unwrap().service.clone();
        leftover.name = "proxy-from-an-old-split".into();
        leftover.id = "svc-leftover".into();
        leftover.ports.clear();
        s.add_service(leftover);
    })
    .await;
    assert_eq!(report.outcome, Outcome::ClusterMoved, "{report:#?}");
    let error = report.error.clone().unwrap();
    assert!(error.contains("not the one shown"), "{error}");
    assert_eq!(core_runs(&model), FIRST_CONFIG, "nothing more was changed");
    assert!(model.read(|s| s.service("proxy-from-an-old-split").is_some()));
}

/// A saved plan is applied as it was reviewed: out of sequence is a move of the cluster, never
/// a re-plan.
#[tokio::test]
async fn a_saved_plan_is_never_re_planned() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let spec = spec(8082, "");
    let (_, report) = apply_saved_with(&model, &model, &spec, |s| {
        s.service_mut("ucp-interlock").unwrap().service.version += 1;
    })
    .await;
    assert_eq!(report.outcome, Outcome::ClusterMoved, "{report:#?}");
    let error = report.error.clone().unwrap();
    assert!(error.contains("since the saved plan was made"), "{error}");
    assert_eq!(core_runs(&model), FIRST_CONFIG, "nothing more was changed");
}

#[tokio::test]
async fn a_name_conflict_on_create_fails_the_step() {
    let fault = at(Call::CreateConfig, None, 1, FaultKind::NameConflict);
    case(
        false,
        fault,
        Outcome::Failed,
        core(FIRST_CONFIG, None),
        &create,
    )
    .await;
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_reused_by_the_rerun() {
    let fault = at(Call::CreateConfig, None, 1, FaultKind::DroppedAfter);
    case(
        false,
        fault,
        Outcome::Failed,
        core(FIRST_CONFIG, None),
        &create,
    )
    .await;
}

/// The model carried the update out and the answer was lost: the report says the core runs
/// conf-1 or conf-2, as the README promises, never plainly conf-1.
#[tokio::test]
async fn an_update_whose_answer_is_lost_is_reported_as_unknown_and_recognised_by_the_rerun() {
    let fault = at(Call::RetargetCore, None, 1, FaultKind::DroppedAfter);
    let pending = core(FIRST_CONFIG, Some(CONF_2));
    case(false, fault, Outcome::Failed, pending, &update).await;
}

/// A fault on the core's update; the report, then the rerun, which converges.
async fn leader_lost(fault: Fault) -> ApplyReport {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let faulty = Faulty::new(model, &[fault]);
    let spec = spec(8082, "");
    let (toml, report) = apply(&faulty.inner, &faulty, &spec, KEEP).await;
    assert!(faulty.fired() > 0, "the fault never fired: {report:#?}");
    assert_eq!(report.outcome, Outcome::Failed, "{report:#?}");
    assert_steps(&report, &update);
    let error = report.error.clone().unwrap_or_default();
    assert!(error.contains("lost contact with a majority"), "{error}");
    assert_rerun_converges(&faulty.inner, &spec, &toml).await;
    report
}

/// "No leader" answered to the update: refused before anything was done.
#[tokio::test]
async fn a_manager_without_a_leader_refusing_the_update_changed_nothing() {
    let report = leader_lost(at(Call::RetargetCore, None, 1, FaultKind::NoLeader)).await;
    assert_eq!(report.core, core(FIRST_CONFIG, None), "{report:#?}");
    assert_eq!(report.request, None, "a refusal, not a lost answer");
}

/// "Context deadline exceeded" after the majority committed the update: its outcome is not
/// known.
#[tokio::test]
async fn a_deadline_on_the_update_leaves_its_outcome_unknown() {
    let report = leader_lost(at(Call::RetargetCore, None, 1, FaultKind::DeadlineAfter)).await;
    assert_eq!(report.core, core(FIRST_CONFIG, Some(CONF_2)), "{report:#?}");
    assert_eq!(report.request, Some(Request::SentNoAnswer));
}

/// The manager loses its leader while apply watches an accepted update.
#[tokio::test]
async fn a_leader_lost_during_the_watch_reports_the_accepted_update() {
    let fault = at(Call::Service, Some("ucp-interlock"), 2, FaultKind::NoLeader);
    let report = leader_lost(fault).await;
    assert_eq!(report.core, core(FIRST_CONFIG, Some(CONF_2)), "{report:#?}");
    assert_eq!(report.request, Some(Request::Accepted));
}

#[tokio::test]
async fn pruning_skips_a_config_in_use_and_says_so() {
    let model = split().await;
    let fault = Fault {
        always: true,
        ..Fault::once(Call::RemoveConfig, None, FaultKind::InUse)
    };
    let faulty = Faulty::new(model, &[fault]);
    let (_, report) = apply(&faulty.inner, &faulty, &spec(9082, ""), 1).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    let pruned = report.steps.iter().find(|s| prune(&s.action)).unwrap();
    assert_eq!(pruned.status, StepStatus::Done);
    assert!(
        matches!(&pruned.outcome, Some(StepOutcome::Pruned { in_use, .. }) if in_use == &[FIRST_CONFIG]),
        "{pruned:#?}"
    );
    let (_, report) = apply(&faulty.inner, &faulty.inner, &spec(9182, ""), 1).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    let names = faulty.inner.read(|s| {
        s.configs
            .iter()
            .map(|(c, _)| c.name.clone())
            .collect::<Vec<_>>()
    });
    assert!(!names.contains(&FIRST_CONFIG.to_string()), "{names:?}");
    assert!(
        names.contains(&CONF_4.to_string()),
        "the previous one stays: {names:?}"
    );
}

const BROKEN: &str =
    "[clusters.dev.extension]\nImage = \"docker/ucp-interlock-extension:broken\"\n";

#[tokio::test]
async fn a_config_the_core_cannot_run_is_rolled_back_and_nothing_is_removed() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let (_, report) = apply(&model, &model, &spec(8082, BROKEN), KEEP).await;
    assert_eq!(report.outcome, Outcome::RolledBack, "{report:#?}");
    assert_eq!(report.core, core(FIRST_CONFIG, None));
    assert_steps(&report, &update);
    assert_eq!(core_runs(&model), FIRST_CONFIG);
    assert!(model.read(|s| s.service("ucp-interlock-proxy").is_some()));
    let (toml, _) = apply(&model, &model, &spec(8082, ""), KEEP).await;
    assert_rerun_converges(&model, &spec(8082, ""), &toml).await;
}

#[tokio::test]
async fn with_pause_as_failure_action_a_failed_update_is_reported_paused() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    model.state.lock().unwrap().pause_on_failure = true;
    let (_, report) = apply(&model, &model, &spec(8082, BROKEN), KEEP).await;
    assert_eq!(report.outcome, Outcome::Paused, "{report:#?}");
    // No task runs the old config again within the wait: the report says it is restarting.
    let restarting = CoreState {
        restarting: true,
        ..core(FIRST_CONFIG, Some(CONF_2))
    };
    assert_eq!(report.core, restarting);
    assert_steps(&report, &update);
    let paused = model.read(|s| {
        s.service("ucp-interlock")
            .unwrap()
            .update_state_is(&UpdateState::Paused)
    });
    assert!(paused);
}

#[tokio::test]
async fn host_mode_publishes_the_core_port_in_host_mode() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let spec = format!(
        "[clusters.edge]\npublish_mode = \"host\"\nhttp_port = 80\nhttps_port = 8443\nproxy_replicas = 1\nnode_label_key = \"it.edge\"\nnode_label = \"yes\"\nnodes = [\"{HOST}\"]\nproxy_constraints = [\"node.role==manager\"]\n"
    );
    let (_, report) = apply(&model, &model, &spec, KEEP).await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    let updated = report.steps.iter().find(|s| update(&s.action)).unwrap();
    assert!(
        matches!(
            updated.outcome,
            Some(StepOutcome::CoreRuns {
                host_port: Some(8080),
                ..
            })
        ),
        "{updated:#?}"
    );
    let ports = model.read(|s| s.service("ucp-interlock").unwrap().service.ports.clone());
    assert!(
        ports
            .iter()
            .any(|p| p.target == 8080 && p.mode == PublishMode::Host),
        "the core publishes its port (ListenAddr :8080) in host mode: {ports:?}"
    );
}

// Another operator at work between this apply's plan and its writes.

/// Another operator's config: other content, their name on it.
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
async fn a_name_taken_by_another_operators_config_stops_and_says_whose() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let spec = spec(8082, "");
    let (_, report) = apply_with(&model, &model, &spec, KEEP, |s| {
        s.configs.push(theirs(CONF_2));
    })
    .await;
    assert_eq!(report.outcome, Outcome::ClusterMoved, "{report:#?}");
    let error = report.error.clone().unwrap();
    assert!(
        error.contains(CONF_2) && error.contains("2024-05-01T10:00:00Z by CN=bob"),
        "{error}"
    );
    assert!(
        !report.hint.clone().unwrap().contains("rollback"),
        "{report:#?}"
    );
    assert_steps(&report, &create);
    assert_eq!(core_runs(&model), FIRST_CONFIG, "nothing more was changed");
    let kept = model.read(|s| s.config(CONF_2).map(|(_, t)| t.clone()));
    assert_eq!(
        kept.as_deref(),
        Some("# bob's config\n"),
        "theirs untouched"
    );
}

#[tokio::test]
async fn the_core_moved_to_another_config_after_the_plan_is_never_replaced() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let spec = spec(8082, "");
    let (_, report) = apply_with(&model, &model, &spec, KEEP, |s| {
        let (info, toml) = theirs("com.docker.ucp.interlock.conf-42");
        s.interloper = Some((info, toml));
        let core = s.service("ucp-interlock").unwrap().service.clone();
        // Their update: the interloper hooks onto an update underway, so start one.
        s.start_update("ucp-interlock", core, true);
    })
    .await;
    assert_eq!(report.outcome, Outcome::ClusterMoved, "{report:#?}");
    let error = report.error.clone().unwrap();
    assert!(
        error.contains("now uses com.docker.ucp.interlock.conf-42")
            && error.contains("by CN=bob")
            && error.contains(&format!("not {FIRST_CONFIG}")),
        "{error}"
    );
    assert_steps(&report, &update);
    assert_eq!(core_runs(&model), "com.docker.ucp.interlock.conf-42");
}

/// The version moved between the read and the update, the config did not: apply re-plans and
/// finishes, as after any "out of sequence".
#[tokio::test]
async fn the_version_moving_between_the_read_and_the_update_is_re_planned() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    let spec = spec(8082, "");
    // Someone updated the core without changing its config (a forced update, say).
    let (toml, report) = apply_with(&model, &model, &spec, KEEP, |s| {
        s.service_mut("ucp-interlock").unwrap().service.version += 1;
    })
    .await;
    assert_eq!(report.outcome, Outcome::Applied, "{report:#?}");
    assert_eq!(holders(&model, &toml), [CONF_2]);
    assert_eq!(core_runs(&model), CONF_2);
    assert_rerun_converges(&model, &spec, &toml).await;
}

#[tokio::test]
async fn an_update_superseded_during_the_watch_is_its_own_outcome() {
    let model = Model::new(fixture::ucp(DEFAULT_TOML));
    model.state.lock().unwrap().interloper = Some(theirs("com.docker.ucp.interlock.conf-42"));
    let (_, report) = apply(&model, &model, &spec(8082, ""), KEEP).await;
    assert_eq!(report.outcome, Outcome::Superseded, "{report:#?}");
    assert_eq!(
        report.core,
        core("com.docker.ucp.interlock.conf-42", None),
        "the report says what the core runs now"
    );
    assert_steps(&report, &update);
    assert!(!report.hint.clone().unwrap().contains("rollback"));
}
