//! One apply on the model, as the command runs it: read the cluster, plan from the spec,
//! execute the plan's actions (through a faulty swarm when a test says so).

use std::time::Duration;

use crate::apply::replan::{self, Approved, Replan};
use crate::apply::{ApplyReport, Context, Interrupt, Observer, Options, Pin, StepReport};
use crate::cluster::{Snapshot, Task};
use crate::docker::{LiveState, Swarm};
use crate::interlock::{CONFIG_TARGET, CORE_SERVICE};
use crate::plan::{self, Action, Plan};

use super::faults::Faulty;
use super::state::State;
use super::swarm::Model;

/// The cluster as `plan` and `apply` read it.
pub fn live_state(s: &State) -> LiveState {
    let core = s.service(CORE_SERVICE).expect("the core").observed();
    let mounted = core.config_at(CONFIG_TARGET).expect("/config.toml").clone();
    let (config, toml) = s.config(&mounted.config_id).expect("its config").clone();
    let tasks = s.services.iter().flat_map(|m| {
        (0..m.service.replicas.unwrap_or(1)).map(|_| Task {
            service_id: m.service.id.clone(),
            node_id: s.nodes.first().map(|(n, _)| n.id.clone()),
            state: "running".into(),
            desired_state: "running".into(),
            error: None,
            configs: Vec::new(),
        })
    });
    let snapshot = Snapshot {
        nodes: s.nodes.iter().map(|(n, _)| n.clone()).collect(),
        services: s.services.iter().map(|m| m.observed()).collect(),
        configs: s.configs.iter().map(|(c, _)| c.clone()).collect(),
        tasks: tasks.collect(),
        networks: s
            .networks
            .iter()
            .map(|(name, labels)| crate::cluster::Network {
                id: format!("net-{name}"),
                name: name.clone(),
                driver: "overlay".into(),
                labels: labels.clone(),
            })
            .collect(),
        secrets: Vec::new(),
    };
    LiveState {
        snapshot,
        core,
        config,
        toml,
    }
}

/// The live plan for `spec` (TOML text of an interlock-split spec).
pub fn plan(state: &LiveState, spec: &str, keep_configs: usize) -> Plan {
    let parsed = crate::spec::parse("spec.toml", spec).expect("a valid spec");
    let plan = plan::build_live(
        &state.toml,
        &state.config.name,
        &state.snapshot,
        &parsed,
        spec,
        keep_configs,
    )
    .expect("a plan");
    assert!(!plan.has_errors(), "{:?}", plan.findings);
    plan
}

struct Quiet;

impl Observer for Quiet {
    fn step(&mut self, _: usize, _: usize, _: &Action) {}
    fn progress(&mut self, _: &str) {}
    fn note(&mut self, _: &str) {}
    fn done(&mut self, _: &StepReport, _: Duration) {}
}

pub fn options() -> Options {
    Options {
        wait_timeout: Duration::from_secs(5),
        cleanup: true,
        reconcile: true,
    }
}

/// The audit labels the runs here write.
pub fn stamp() -> crate::audit::Stamp {
    crate::audit::Stamp {
        plan_sha256: "a".repeat(64),
        spec_sha256: "b".repeat(64),
        by: "admin".into(),
        at: "2026-11-29T04:36:00Z".into(),
    }
}

/// Reads `model`, plans `spec`, and executes the plan through `swarm` (the model itself or a
/// faulty wrapper of it). Returns the plan's new TOML with the report.
pub async fn apply(
    model: &Model,
    swarm: &impl Swarm,
    spec: &str,
    keep_configs: usize,
) -> (String, ApplyReport) {
    apply_with(model, swarm, spec, keep_configs, |_| {}).await
}

/// As `apply`, with `meanwhile` changing the model after the plan was made (another operator
/// at work while this one reads the plan).
pub async fn apply_with(
    model: &Model,
    swarm: &impl Swarm,
    spec: &str,
    keep_configs: usize,
    meanwhile: impl FnOnce(&mut State),
) -> (String, ApplyReport) {
    let run = Run {
        keep_configs,
        saved: false,
        interrupt: Interrupt::default(),
    };
    run_as(model, swarm, spec, meanwhile, run).await
}

/// As `apply`, through a faulty swarm whose Ctrl-C faults press its interrupt.
pub async fn apply_interruptible<S: Swarm>(
    model: &Model,
    swarm: &Faulty<S>,
    spec: &str,
) -> (String, ApplyReport) {
    let run = Run {
        keep_configs: 5,
        saved: false,
        interrupt: swarm.interrupt.clone(),
    };
    run_as(model, swarm, spec, |_| {}, run).await
}

/// As `apply_with`, for a plan saved and applied as saved (never re-planned).
pub async fn apply_saved_with(
    model: &Model,
    swarm: &impl Swarm,
    spec: &str,
    meanwhile: impl FnOnce(&mut State),
) -> (String, ApplyReport) {
    let run = Run {
        keep_configs: 5,
        saved: true,
        interrupt: Interrupt::default(),
    };
    run_as(model, swarm, spec, meanwhile, run).await
}

/// How a run goes: the configs it keeps, whether its plan is a saved one (never re-planned),
/// the Ctrl-C it listens to.
struct Run {
    keep_configs: usize,
    saved: bool,
    interrupt: Interrupt,
}

/// One apply as the command runs it: the plan's actions, and after "update out of sequence"
/// one re-plan (`replan::run`), unless the plan was saved.
async fn run_as(
    model: &Model,
    swarm: &impl Swarm,
    spec: &str,
    meanwhile: impl FnOnce(&mut State),
    run: Run,
) -> (String, ApplyReport) {
    let Run {
        keep_configs,
        saved,
        interrupt,
    } = run;
    let state = model.read(live_state);
    let plan = plan(&state, spec, keep_configs);
    meanwhile(&mut model.state.lock().unwrap());
    let opts = options();
    let audit = stamp().labels();
    let pin = Pin::of(&state);
    let cx = Context {
        swarm,
        audit: &audit,
        state: &state,
        pin: &pin,
        new_config: &plan.new_config,
        opts: &opts,
        interrupt: &interrupt,
    };
    let parsed = crate::spec::parse("spec.toml", spec).expect("a valid spec");
    let replan = if saved {
        Replan::Saved
    } else {
        Replan::Spec {
            spec: &parsed,
            text: spec,
            keep_configs,
        }
    };
    let approved = Approved {
        actions: &plan.actions,
        new_config: &plan.new_config,
        replan,
    };
    let report = replan::run(&cx, &approved, &mut Quiet).await;
    (plan.new_config.clone(), report)
}

/// The configs holding `toml`.
pub fn holders(model: &Model, toml: &str) -> Vec<String> {
    model.read(|s| {
        s.configs
            .iter()
            .filter(|(_, t)| t == toml)
            .map(|(c, _)| c.name.clone())
            .collect()
    })
}

/// The config the core mounts.
pub fn core_runs(model: &Model) -> String {
    model.read(|s| {
        s.mounted(CORE_SERVICE, CONFIG_TARGET)
            .unwrap()
            .config_name
            .clone()
    })
}
