//! apply: runs the plan's actions, in order, and only those. Every step says what it did; on
//! any failure the report says exactly what state the cluster is in and how to go on.
//!
//! It runs against `docker::Swarm` (the project's types, no Docker API models) and tells its
//! progress to an `Observer`, so that it depends on neither the transport nor the output.

mod audit;
pub mod error;
pub mod interrupt;
pub mod replan;
pub mod report;
mod route_steps;
mod steps;
#[cfg(test)]
mod testing;
pub mod watch;

use std::time::{Duration, Instant};

pub use error::Moved;
pub use error::StepError;
pub use interrupt::Interrupt;
pub use replan::{Approved, Replan};
pub use report::{
    ApplyReport, CoreState, KeptReason, Outcome, Request, StepOutcome, StepReport, StepStatus,
};
pub use watch::Failure;

use crate::cluster::ConfigData;
use crate::docker::{ApiError, LiveState, Swarm, TransportError};
use crate::plan::{Action, When};

#[derive(Debug, Clone)]
pub struct Options {
    pub wait_timeout: Duration,
    /// Remove the stale services that do not block a new proxy (`--no-cleanup` keeps them).
    pub cleanup: bool,
    /// Bring drifted proxies in line (`--no-reconcile` leaves them).
    pub reconcile: bool,
}

/// Where apply tells what it is doing; the command layer shows it.
pub trait Observer {
    /// Step `n` of `total` begins.
    fn step(&mut self, n: usize, total: usize, action: &Action);
    /// Progress within a step.
    fn progress(&mut self, text: &str);
    /// A line between steps: what apply does next and why.
    fn note(&mut self, text: &str);
    /// The end of a step: what it did (or why it failed), and how long it took.
    fn done(&mut self, step: &StepReport, took: Duration);
}

/// What has happened to the cluster so far, for reports.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// The config the core runs now.
    pub core_on: String,
    pub core_updating: bool,
    /// (id, name) of the config created or reused.
    pub new_config: Option<NewConfigRef>,
    /// That config as read during the core's update: its outcome label is written at this
    /// version.
    pub new_config_read: Option<ConfigData>,
    pub removed: Vec<String>,
    /// Whether the current step's write reached swarm.
    pub request: Request,
    /// After a rollback or pause, no task runs `core_on` yet.
    pub restarting: bool,
}

impl Progress {
    /// The step is about to send its write.
    fn sending(&mut self) {
        self.request = Request::SentNoAnswer;
    }
    /// Swarm answered the write.
    fn accepted(&mut self) {
        self.request = Request::Accepted;
    }
}

/// What the plan was made from: every write to the core carries this version, so an update
/// another operator made since is never overwritten; and the config the core used then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub core_version: u64,
    pub config_id: String,
    pub config_name: String,
}

impl Pin {
    /// A plan made from `state` just now.
    pub fn of(state: &LiveState) -> Pin {
        Pin {
            core_version: state.core.version,
            config_id: state.config.id.clone(),
            config_name: state.config.name.clone(),
        }
    }
}

/// The config the core is to be pointed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConfigRef {
    pub id: String,
    pub name: String,
}

impl Progress {
    fn core_state(&self) -> CoreState {
        CoreState {
            config: self.core_on.clone(),
            pending_update_to: self
                .new_config
                .as_ref()
                .filter(|_| self.core_updating)
                .map(|c| c.name.clone()),
            restarting: self.restarting,
        }
    }
}

/// What every step reads: the cluster as planned, the TOML to apply, the options.
pub struct Context<'a, S: Swarm> {
    pub swarm: &'a S,
    /// The audit labels a config created by this run carries (`audit::Stamp::labels`).
    pub audit: &'a std::collections::BTreeMap<String, String>,
    pub state: &'a LiveState,
    /// What the plan was made from (a saved plan records it).
    pub pin: &'a Pin,
    pub new_config: &'a str,
    pub opts: &'a Options,
    pub interrupt: &'a Interrupt,
}

/// The outcome a step error leads to.
fn outcome_of(e: &StepError) -> Outcome {
    match e {
        StepError::RolledBack(_) => Outcome::RolledBack,
        StepError::Paused(_) => Outcome::Paused,
        StepError::OutOfSequence { .. } => Outcome::OutOfSequence,
        StepError::Moved(_) => Outcome::ClusterMoved,
        StepError::Superseded(_) => Outcome::Superseded,
        StepError::Interrupted => Outcome::Interrupted,
        _ => Outcome::Failed,
    }
}

/// Whether the error cut a step short, leaving its write's fate to tell.
fn interrupted(e: &StepError, progress: &Progress) -> bool {
    match e {
        // Refused: apply read the cluster through this manager before its steps, so a refusal
        // now means the manager went away mid-run, not a wrong address.
        StepError::Swarm(ApiError::Transport(
            TransportError::Dropped { .. }
            | TransportError::TimedOut { .. }
            | TransportError::Refused { .. },
        ))
        | StepError::Interrupted
        | StepError::NotConverged { .. } => true,
        // The manager lost its leader: after an accepted write, or during one it may have
        // reached, what became of the write is the thing to tell.
        StepError::Swarm(e @ ApiError::NoLeader(_)) => {
            e.may_have_acted() || progress.request == Request::Accepted
        }
        _ => false,
    }
}

fn record_failure(report: &mut ApplyReport, e: &StepError, progress: &Progress) -> String {
    if interrupted(e, progress) {
        report.request = Some(progress.request);
    }
    if let StepError::RolledBack(f) | StepError::Paused(f) = e {
        report.failed_task = f.task.clone();
        report.task_error = f.task_error.clone();
        report.logs = f.logs.clone();
    }
    let detail = e.message();
    if let StepError::Swarm(api) = e {
        report.error_kind = Some(api.kind());
    }
    report.outcome = outcome_of(e);
    report.error = Some(detail.clone());
    report.hint = e.hint();
    detail
}

/// Runs `actions`. Stops at the first failure; steps not reached are reported as not run.
pub async fn execute<S: Swarm>(
    cx: &Context<'_, S>,
    actions: &[Action],
    ui: &mut dyn Observer,
) -> ApplyReport {
    let mut progress = Progress {
        core_on: cx.state.config.name.clone(),
        ..Default::default()
    };
    let mut report = ApplyReport::new(&cx.state.config.name);
    for (i, action) in actions.iter().enumerate() {
        if cx.interrupt.is_set() {
            report.outcome = Outcome::Interrupted;
            break;
        }
        ui.step(i + 1, actions.len(), action);
        let start = Instant::now();
        progress.request = Request::NotSent;
        let result = run_step(cx, action, &mut progress, ui).await;
        if let Action::UpdateCoreService { .. } = action {
            audit::record_outcome(cx.swarm, &progress, &result, &mut report).await;
        }
        let took = start.elapsed();
        let (status, outcome, error) = match result {
            Ok(done) => (done.status(), Some(done), None),
            Err(e) => {
                let why = record_failure(&mut report, &e, &progress);
                (StepStatus::Failed, None, Some(why))
            }
        };
        let step = StepReport {
            action: action.clone(),
            status,
            outcome,
            error,
            millis: took.as_millis(),
        };
        ui.done(&step, took);
        report.steps.push(step);
        if status == StepStatus::Failed {
            break;
        }
    }
    for action in actions.iter().skip(report.steps.len()) {
        report.steps.push(StepReport {
            action: action.clone(),
            status: StepStatus::NotRun,
            outcome: None,
            error: None,
            millis: 0,
        });
    }
    report.core = progress.core_state();
    report
}

async fn run_step<S: Swarm>(
    cx: &Context<'_, S>,
    action: &Action,
    progress: &mut Progress,
    ui: &mut dyn Observer,
) -> Result<StepOutcome, StepError> {
    let (swarm, timeout) = (cx.swarm, cx.opts.wait_timeout);
    match action {
        Action::CreateNetwork { .. } | Action::RelabelApp { .. } | Action::AwaitRoute { .. } => {
            run_route_step(cx, action, progress, ui).await
        }
        Action::LabelNode {
            node,
            hostname,
            key,
            value,
            previous,
        } => {
            let label = steps::NodeLabel {
                node,
                hostname,
                key,
                value,
                previous: previous.as_deref(),
            };
            Ok(steps::label_node(swarm, &label, progress).await?)
        }
        Action::CreateConfig { name, .. } => {
            let name = name.clone().ok_or(StepError::NoConfigName)?;
            let new = steps::NewToml {
                name: &name,
                toml: cx.new_config,
                audit: cx.audit,
            };
            Ok(steps::create_config(swarm, cx.state, &new, progress).await?)
        }
        Action::UpdateCoreService {
            to, core_host_port, ..
        } => {
            // A rollback, or a re-run after the config was created: the config exists already.
            if progress.new_config.is_none()
                && let Some(c) = to
                    .as_ref()
                    .and_then(|n| cx.state.snapshot.configs.iter().find(|c| &c.name == n))
            {
                progress.new_config = Some(NewConfigRef {
                    id: c.id.clone(),
                    name: c.name.clone(),
                });
            }
            let core = steps::Core {
                pin: cx.pin,
                host_port: *core_host_port,
                timeout,
            };
            Ok(steps::update_core(swarm, &core, progress, ui, cx.interrupt).await?)
        }
        Action::RemoveStaleService { service, when, .. } => {
            if *when == When::AfterNewProxies && !cx.opts.cleanup {
                return Ok(StepOutcome::Kept {
                    service: service.clone(),
                    reason: KeptReason::NoCleanup,
                });
            }
            Ok(steps::remove_service(swarm, service, progress, ui).await?)
        }
        Action::AwaitService {
            service,
            replicas,
            ports,
            ..
        } => {
            let wait = steps::Await {
                name: service,
                replicas: *replicas,
                ports,
                timeout,
            };
            Ok(steps::await_service(swarm, &wait, ui, cx.interrupt).await?)
        }
        Action::ReconcileProxy { service, spec, .. } => {
            if !cx.opts.reconcile {
                return Ok(StepOutcome::Kept {
                    service: service.clone(),
                    reason: KeptReason::NoReconcile,
                });
            }
            // The plan computed the spec; apply sets exactly that.
            let proxy = steps::Proxy {
                name: service,
                spec,
                timeout,
            };
            Ok(steps::reconcile_proxy(swarm, &proxy, progress, ui, cx.interrupt).await?)
        }
        Action::PruneConfigs { remove, .. } => {
            Ok(steps::prune_configs(swarm, remove, progress).await?)
        }
    }
}

/// The steps that move applications (`route_steps`).
async fn run_route_step<S: Swarm>(
    cx: &Context<'_, S>,
    action: &Action,
    progress: &mut Progress,
    ui: &mut dyn Observer,
) -> Result<StepOutcome, StepError> {
    let swarm = cx.swarm;
    match action {
        Action::CreateNetwork { name, labels, .. } => {
            route_steps::create_network(swarm, name, labels, progress).await
        }
        Action::RelabelApp {
            service,
            from,
            to,
            version,
            ..
        } => {
            let r = route_steps::Relabel {
                service,
                from: from.as_deref(),
                to,
                version: *version,
            };
            route_steps::relabel(swarm, &r, progress).await
        }
        Action::AwaitRoute {
            service,
            hosts,
            cluster,
            proxy,
            config_path,
        } => {
            let w = route_steps::Awaited {
                service,
                hosts,
                cluster,
                proxy,
                config_path,
                timeout: cx.opts.wait_timeout,
            };
            route_steps::await_route(swarm, &w, ui, cx.interrupt).await
        }
        other => unreachable!("not a route step: {other:?}"),
    }
}
