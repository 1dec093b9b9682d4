//! Watching a service update converge, after the docker CLI's
//! `cli/command/service/progress/progress.go`: tasks running the new spec, the monitor window
//! (swarm reports `completed` only after it), tasks on down nodes ignored. Unlike the docker
//! CLI, an automatic rollback or a pause is a failure, and a task on a node whose state swarm
//! does not know yet (after a leader change) is not counted as running until the node reports.
//!
//! The decisions are a pure function of what was observed (`Watch::observe`); `update` only
//! reads the swarm and sleeps.

use std::time::{Duration, Instant};

use super::Observer;
use super::interrupt::Interrupt;
use crate::cluster::{LogSource, Node, Service, Task, TaskDetail, UpdateState, UpdateStatus};
use crate::docker::{ApiError, Swarm};
use crate::interlock::CONFIG_TARGET;

/// How an update ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Converged,
    RolledBack(Failure),
    Paused(Failure),
    /// Another update replaced ours before it converged; the text says which.
    Superseded(String),
    TimedOut(String),
    Interrupted,
}

/// What went wrong in the task that made swarm give up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failure {
    pub message: String,
    pub task: Option<String>,
    pub task_error: Option<String>,
    pub logs: Vec<String>,
    /// No task runs the old config yet (swarm's restart delay outlasted the wait).
    pub restarting: bool,
}

/// The next step of a watch, decided from one observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not there yet; the text says where it stands.
    Wait(String),
    Converged,
    /// Swarm rolled back; `restarting` while no task runs the old config again.
    RolledBack {
        reason: String,
        restarting: bool,
    },
    Paused {
        message: String,
        restarting: bool,
    },
    /// The service no longer points at our config (`config`: the one it points at), or a
    /// later update replaced ours (`config`: `None`).
    Superseded {
        config: Option<String>,
    },
    TimedOut {
        message: String,
    },
}

/// The tasks and nodes read on one poll.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub tasks: &'a [Task],
    pub nodes: &'a [Node],
}

/// One poll of the service.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub update: Option<&'a UpdateStatus>,
    /// Replicas the service asks for (`None`: a global service, counted as one).
    pub replicas: Option<u64>,
    /// `None` when the tasks were not read on this poll: the last count stands.
    pub placement: Option<Placement<'a>>,
    /// The config the service mounts where the tracked configs go (`None`: not tracked).
    pub points_at: Option<&'a str>,
    pub elapsed: Duration,
}

/// For the core: the config our update points it at, and the one it ran before. Converged
/// means tasks run `ours`; after a rollback, the report waits for a task on `old`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub ours: String,
    pub old: String,
}

/// Swarm records no update at all when the spec did not change; after this long without one,
/// running tasks are taken as converged.
const NO_UPDATE_GRACE: Duration = Duration::from_secs(10);

/// What a watch remembers between polls.
#[derive(Debug, Clone)]
pub struct Watch {
    name: String,
    /// When the update before ours started: until swarm records ours, its status is that one's.
    baseline: Option<String>,
    timeout: Duration,
    /// Swarm says why when a rollback starts; by the time it completes it only says "completed".
    reason: Option<String>,
    /// When our update started, once swarm says: a later start is another update's.
    started: Option<String>,
    tracked: Option<Tracked>,
    /// Running tasks (on our config, when tracked) and, when tracked, on the old config.
    running: u64,
    running_old: u64,
    /// Tasks (on our config, when tracked) on nodes whose state is not known yet: not
    /// counted as running, nor as lost, until the node reports.
    unknown: u64,
    /// The last count had every task the service asks for running (on our config, when
    /// tracked): swarm may say `completed` on any poll now.
    caught_up: bool,
    polls: u64,
}

/// Running tasks meant to run, on nodes known to be up (`Task::counts_as_running`).
pub fn running(p: Placement<'_>) -> u64 {
    p.tasks
        .iter()
        .filter(|t| t.counts_as_running(p.nodes))
        .count() as u64
}

/// Tasks meant to run, last seen running, on nodes whose state is not known yet.
pub fn on_unknown_nodes(p: Placement<'_>) -> u64 {
    p.tasks
        .iter()
        .filter(|t| t.on_unknown_node(p.nodes))
        .count() as u64
}

/// Running tasks (as `running` counts them) that mount `config`.
pub fn running_on(p: Placement<'_>, config: &str) -> u64 {
    let on: Vec<_> = p
        .tasks
        .iter()
        .filter(|t| t.configs.iter().any(|c| c == config))
        .cloned()
        .collect();
    running(Placement {
        tasks: &on,
        nodes: p.nodes,
    })
}

impl Watch {
    pub fn new(name: &str, baseline: Option<String>, timeout: Duration) -> Self {
        Self {
            name: name.to_string(),
            baseline,
            timeout,
            reason: None,
            started: None,
            tracked: None,
            running: 0,
            running_old: 0,
            unknown: 0,
            caught_up: false,
            polls: 0,
        }
    }

    /// Watches the core's config too: success needs tasks on `ours`; a rollback's report, a
    /// task on `old` again.
    pub fn tracking(self, tracked: Tracked) -> Self {
        Self {
            tracked: Some(tracked),
            ..self
        }
    }

    /// The state of our update: `None` while the status on the service is an older one's.
    fn ours<'a>(&self, update: Option<&'a UpdateStatus>) -> Option<&'a UpdateState> {
        let u = update?;
        let fresh = u.started_at.is_some() && u.started_at != self.baseline;
        if fresh { u.state.as_ref() } else { None }
    }

    /// Whether this poll must count tasks: to decide (once swarm says `completed`, or rolled
    /// back or paused, or while it says nothing); on every poll once the tasks have caught up,
    /// since the status that says `completed` may come on any of them (swarm's monitor window),
    /// and deciding on it must not cost another round; otherwise about once a second, for the
    /// progress line. `update` is the status last seen: the tasks are read beside the service,
    /// in the same round, so the choice is made before its status is in.
    pub fn wants_tasks(&mut self, update: Option<&UpdateStatus>) -> bool {
        self.polls += 1;
        self.deciding(update) || self.caught_up || self.polls % 10 == 1
    }

    /// Whether `update` is one the verdict needs the tasks for. When the status just read is
    /// and the tasks were not read beside it, they are read at once, not a poll later.
    pub fn deciding(&self, update: Option<&UpdateStatus>) -> bool {
        matches!(
            self.ours(update),
            Some(
                UpdateState::Completed
                    | UpdateState::RollbackCompleted
                    | UpdateState::Paused
                    | UpdateState::RollbackPaused
            ) | None
        )
    }

    fn count(&mut self, p: Placement<'_>) {
        let ours: Vec<Task>;
        let counted = match &self.tracked {
            Some(t) => {
                self.running = running_on(p, &t.ours);
                self.running_old = running_on(p, &t.old);
                ours = p
                    .tasks
                    .iter()
                    .filter(|k| k.configs.contains(&t.ours))
                    .cloned()
                    .collect();
                Placement {
                    tasks: &ours,
                    nodes: p.nodes,
                }
            }
            None => {
                self.running = running(p);
                p
            }
        };
        self.unknown = on_unknown_nodes(counted);
    }

    /// "1/2 tasks running", and how many more may be, on nodes that have not reported.
    fn tally(&self, want: u64) -> String {
        let run = self.running;
        match self.unknown {
            0 => format!("{run}/{want} tasks running"),
            u => format!(
                "{run}/{want} tasks running, {u} more on node{} whose state swarm does not know yet",
                if u == 1 { "" } else { "s" }
            ),
        }
    }

    /// Another update than ours: the service points at another config than ours (except
    /// back at the old one by our own rollback), or an update started after ours.
    fn superseded(&mut self, o: &Observation<'_>) -> Option<Verdict> {
        let started = o.update.and_then(|u| u.started_at.clone());
        if self.ours(o.update).is_some() {
            match &self.started {
                None => self.started = started,
                Some(ours) if Some(ours) != started.as_ref() => {
                    return Some(Verdict::Superseded { config: None });
                }
                Some(_) => {}
            }
        }
        let (t, now) = (self.tracked.as_ref()?, o.points_at?);
        let rolling_back = matches!(
            self.ours(o.update),
            Some(
                UpdateState::RollbackStarted
                    | UpdateState::RollbackCompleted
                    | UpdateState::RollbackPaused
            )
        );
        let ours = now == t.ours || (rolling_back && now == t.old);
        (!ours).then(|| Verdict::Superseded {
            config: Some(now.to_string()),
        })
    }

    /// After a rollback or a pause: done once a task runs the old config again (or, not
    /// tracking configs, at once); past the timeout, done and still restarting.
    fn settled(&self, elapsed: Duration) -> Option<bool> {
        if self.tracked.is_none() || self.running_old > 0 {
            return Some(false);
        }
        (elapsed > self.timeout).then_some(true)
    }

    pub fn observe(&mut self, o: &Observation<'_>) -> Verdict {
        if let Some(p) = o.placement {
            self.count(p);
        }
        if let Some(v) = self.superseded(o) {
            return v;
        }
        let (name, run, want) = (&self.name, self.running, o.replicas.unwrap_or(1));
        self.caught_up = run >= want;
        let message = o.update.and_then(|u| u.message.clone());
        let verdict = match self.ours(o.update) {
            Some(UpdateState::Completed) if run >= want => return Verdict::Converged,
            Some(UpdateState::RollbackCompleted) => {
                let reason = self
                    .reason
                    .clone()
                    .unwrap_or_else(|| "its new task failed".into());
                if let Some(restarting) = self.settled(o.elapsed) {
                    return Verdict::RolledBack { reason, restarting };
                }
                format!("{name}: rolled back, waiting for a task to run the old config again")
            }
            Some(UpdateState::Paused | UpdateState::RollbackPaused) => {
                let message = message.unwrap_or_else(|| "paused".into());
                if let Some(restarting) = self.settled(o.elapsed) {
                    return Verdict::Paused {
                        message,
                        restarting,
                    };
                }
                format!("{name}: paused, waiting for a task to run the old config again")
            }
            Some(UpdateState::RollbackStarted) => {
                if self.reason.is_none() {
                    self.reason = message.clone();
                }
                format!("{name}: rolling back ({})", message.unwrap_or_default())
            }
            Some(s) => format!("{name}: {}, {}", s.as_str(), self.tally(want)),
            None if o.elapsed > NO_UPDATE_GRACE && run >= want => return Verdict::Converged,
            None => format!(
                "{name}: waiting for swarm to start the update, {}",
                self.tally(want)
            ),
        };
        if o.elapsed > self.timeout {
            return Verdict::TimedOut {
                message: format!(
                    "{name} had not converged after {}s ({})",
                    self.timeout.as_secs(),
                    self.tally(want)
                ),
            };
        }
        Verdict::Wait(verdict)
    }
}

/// The watch's tick: one poll starts every tick (or as soon as the last one's answers are in,
/// at a round trip longer than it), so swarm's `completed` is read within one tick and seen
/// within one tick plus one round trip of `CompletedAt`. Short enough that apply exits well
/// within 300 ms of it on the loopback.
const POLL: Duration = Duration::from_millis(100);

/// What is left of the tick after a poll that took `round`: the polls start one tick apart,
/// not one tick after each answer, so that a distant manager is read as often as a near one.
pub fn rest(round: Duration) -> Duration {
    POLL.saturating_sub(round)
}

/// The newest task that failed or was rejected, or that carries an error.
pub fn latest_failure(tasks: &[TaskDetail]) -> Option<&TaskDetail> {
    tasks
        .iter()
        .filter(|t| {
            matches!(t.task.state.as_str(), "failed" | "rejected") || t.task.error.is_some()
        })
        .max_by(|a, b| a.updated_at.cmp(&b.updated_at))
}

/// The most recent failed task of a service and the last lines of its logs: the task's own
/// container's, or the service's (which mix in earlier tasks) when that is out of reach.
pub async fn failure_details(swarm: &impl Swarm, service_id: &str, message: String) -> Failure {
    let mut f = Failure {
        message,
        ..Default::default()
    };
    let tasks = swarm.tasks(service_id).await.unwrap_or_default();
    let failed = latest_failure(&tasks);
    if let Some(t) = failed {
        f.task = Some(t.id.clone());
        f.task_error = t.task.error.clone();
    }
    if let Some(c) = failed.and_then(|t| t.container_id.clone()) {
        f.logs = swarm.logs(&LogSource::Container(c), 10).await;
    }
    if f.logs.is_empty() {
        f.logs = swarm
            .logs(&LogSource::Service(service_id.to_string()), 10)
            .await;
    }
    f
}

/// Reads the service's tasks and the nodes, concurrently: one round.
pub(super) async fn placement(
    swarm: &impl Swarm,
    service: &str,
) -> Result<(Vec<Task>, Vec<Node>), ApiError> {
    let (tasks, nodes) = tokio::join!(swarm.tasks(service), swarm.nodes());
    Ok((tasks?.into_iter().map(|t| t.task).collect(), nodes?))
}

/// One poll: the service and, when `want`, its tasks and the nodes beside it (one round);
/// the tasks a moment later when the status just read needs them and they were not read.
async fn poll(
    swarm: &impl Swarm,
    name: &str,
    want: bool,
    watch: &Watch,
) -> Result<(Service, Option<(Vec<Task>, Vec<Node>)>), ApiError> {
    let beside = async {
        match want {
            true => placement(swarm, name).await.map(Some),
            false => Ok(None),
        }
    };
    let (status, read) = tokio::join!(swarm.service(name), beside);
    let (status, read) = (status?, read?);
    let read = match read {
        None if watch.deciding(status.update.as_ref()) => Some(placement(swarm, &status.id).await?),
        read => read,
    };
    Ok((status, read))
}

/// The config the service mounts at the core's config target, when the watch tracks configs.
fn tracked_config(watch: &Watch, status: &Service) -> Option<String> {
    watch.tracked.as_ref()?;
    let c = status.config_at(CONFIG_TARGET)?;
    Some(c.config_id.clone())
}

/// Waits for the update of `name` that `watch` follows to converge.
pub async fn update(
    swarm: &impl Swarm,
    name: &str,
    mut watch: Watch,
    ui: &mut dyn Observer,
    interrupt: &Interrupt,
) -> Result<Ending, ApiError> {
    let start = Instant::now();
    // The status of the last poll: nothing yet, so the first reads the tasks.
    let mut last = None;
    loop {
        if interrupt.is_set() {
            return Ok(Ending::Interrupted);
        }
        let want = watch.wants_tasks(last.as_ref());
        let round = Instant::now();
        let (status, read) = poll(swarm, name, want, &watch).await?;
        last = status.update.clone();
        let points_at = tracked_config(&watch, &status);
        let verdict = watch.observe(&Observation {
            update: status.update.as_ref(),
            replicas: status.replicas,
            placement: read
                .as_ref()
                .map(|(tasks, nodes)| Placement { tasks, nodes }),
            points_at: points_at.as_deref(),
            elapsed: start.elapsed(),
        });
        let id = &status.id;
        match verdict {
            Verdict::Wait(text) => ui.progress(&text),
            Verdict::Converged => return Ok(Ending::Converged),
            Verdict::RolledBack { reason, restarting } => {
                let why = format!("swarm rolled the update back: {reason}");
                let f = failure_details(swarm, id, why).await;
                return Ok(Ending::RolledBack(Failure { restarting, ..f }));
            }
            Verdict::Paused {
                message,
                restarting,
            } => {
                let f = failure_details(swarm, id, message).await;
                return Ok(Ending::Paused(Failure { restarting, ..f }));
            }
            Verdict::Superseded { config } => {
                let by = match config.and_then(|_| status.config_at(CONFIG_TARGET)) {
                    Some(c) => format!("{} now points at {}", status.name, c.config_name),
                    None => format!("a later update of {} replaced it", status.name),
                };
                return Ok(Ending::Superseded(by));
            }
            Verdict::TimedOut { message } => return Ok(Ending::TimedOut(message)),
        }
        tokio::time::sleep(rest(round.elapsed())).await;
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
