//! The steps that move applications: the networks their clusters' proxies join, the relabel
//! the spec's `apps` ask for, and the wait until the new proxy serves an application's hosts.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::error::Moved;
use super::interrupt::Interrupt;
use super::report::StepOutcome;
use super::{Observer, Progress, StepError, watch};
use crate::cluster::MountedRoutes;
use crate::docker::{ApiError, Swarm};
use crate::route::labels;

/// Creates an overlay network; one already there under that name is the network asked for.
pub async fn create_network(
    swarm: &impl Swarm,
    name: &str,
    labels: &BTreeMap<String, String>,
    progress: &mut Progress,
) -> Result<StepOutcome, StepError> {
    progress.sending();
    let already = match swarm.create_network(name, labels).await {
        Ok(()) => false,
        Err(ApiError::NameConflict { .. }) => true,
        Err(e) => return Err(e.into()),
    };
    progress.accepted();
    Ok(StepOutcome::NetworkCreated {
        name: name.to_string(),
        already,
    })
}

/// What a relabel sets, and what it was planned from.
pub struct Relabel<'a> {
    pub service: &'a str,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub version: u64,
}

/// Sets the application's service-cluster label, at the version the plan read. Should the
/// service have moved on, the label it was planned from is checked again before the write is
/// sent once more: another operator's label is never overwritten.
pub async fn relabel(
    swarm: &impl Swarm,
    r: &Relabel<'_>,
    progress: &mut Progress,
) -> Result<StepOutcome, StepError> {
    let mut version = r.version;
    for _ in 0..2 {
        let svc = match swarm.service(r.service).await {
            Err(ApiError::NotFound { .. }) => {
                return Ok(StepOutcome::AppGone {
                    service: r.service.to_string(),
                });
            }
            other => other?,
        };
        let now = svc.labels.get(labels::SERVICE_CLUSTER).map(String::as_str);
        let done = |already| StepOutcome::Relabelled {
            service: r.service.to_string(),
            to: r.to.to_string(),
            already,
        };
        if now == Some(r.to) {
            return Ok(done(true));
        }
        if now != r.from {
            return Err(StepError::Moved(Moved::AppRelabelled {
                service: r.service.to_string(),
                now: now.map(str::to_string),
            }));
        }
        progress.sending();
        match swarm
            .label_service(r.service, version, labels::SERVICE_CLUSTER, r.to)
            .await
        {
            Ok(()) => {
                progress.accepted();
                return Ok(done(false));
            }
            Err(ApiError::OutOfSequence { .. }) => version = svc.version,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StepError::OutOfSequence {
        what: format!("service {}", r.service),
    })
}

/// The route an await-route step waits for.
pub struct Awaited<'a> {
    pub service: &'a str,
    pub hosts: &'a [String],
    pub cluster: &'a str,
    pub proxy: &'a str,
    pub config_path: &'a str,
    pub timeout: Duration,
}

/// Where an awaited route stands, from one look at the proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteStanding {
    /// The config Interlock mounts in the proxy does not route these hosts yet.
    NotConfigured(Vec<String>),
    /// It routes them, but fewer than `want` of the proxy's tasks run it yet: swarm is still
    /// rolling the proxy onto it, and the tasks on the old config do not route them.
    Starting {
        running: u64,
        want: u64,
    },
    Routed,
}

/// The hosts of `hosts` the mounted config does not route (host names compare as DNS does).
pub fn unrouted(hosts: &[String], mounted: &MountedRoutes) -> Vec<String> {
    hosts
        .iter()
        .filter(|h| !mounted.hosts.iter().any(|s| s.host.eq_ignore_ascii_case(h)))
        .cloned()
        .collect()
}

/// A route is there when the config routes every host and as many tasks as the proxy asks for
/// run that config (`running` counts them as the watch does).
pub fn standing(missing: Vec<String>, running: u64, want: u64) -> RouteStanding {
    if !missing.is_empty() {
        RouteStanding::NotConfigured(missing)
    } else if running < want {
        RouteStanding::Starting { running, want }
    } else {
        RouteStanding::Routed
    }
}

/// One look at the proxy: its mounted config, and, once that routes every host, its tasks.
async fn look(swarm: &impl Swarm, w: &Awaited<'_>) -> Result<Option<RouteStanding>, ApiError> {
    let Some(mounted) = swarm.served_hosts(w.proxy, w.config_path).await? else {
        return Ok(None);
    };
    let missing = unrouted(w.hosts, &mounted);
    if !missing.is_empty() {
        return Ok(Some(standing(missing, 0, 0)));
    }
    let (svc, placed) = tokio::join!(swarm.service(w.proxy), watch::placement(swarm, w.proxy));
    let (svc, (tasks, nodes)) = (svc?, placed?);
    let p = watch::Placement {
        tasks: &tasks,
        nodes: &nodes,
    };
    let running = watch::running_on(p, &mounted.config_id);
    Ok(Some(standing(missing, running, svc.replicas.unwrap_or(1))))
}

/// Waits until the proxy routes every host of the application: the config Interlock wrote for
/// it says so, and the proxy's tasks run that config. A proxy whose config is not mounted
/// where the extension says (hitless mode) is not observable: said, not waited for.
pub async fn await_route(
    swarm: &impl Swarm,
    w: &Awaited<'_>,
    ui: &mut dyn Observer,
    interrupt: &Interrupt,
) -> Result<StepOutcome, StepError> {
    let start = Instant::now();
    loop {
        if interrupt.is_set() {
            return Err(StepError::Interrupted);
        }
        // Removed since the plan (or during the wait): no proxy will route it, and that is not
        // the new proxy's failure.
        if gone(swarm, w.service).await? {
            return Ok(StepOutcome::AppGone {
                service: w.service.to_string(),
            });
        }
        let Some(now) = look(swarm, w).await? else {
            return Ok(StepOutcome::RouteUnobservable {
                proxy: w.proxy.to_string(),
                config_path: w.config_path.to_string(),
            });
        };
        let waiting = match &now {
            RouteStanding::Routed => {
                return Ok(StepOutcome::Routed {
                    service: w.service.to_string(),
                    proxy: w.proxy.to_string(),
                    hosts: w.hosts.to_vec(),
                });
            }
            RouteStanding::NotConfigured(_) => {
                format!(
                    "waiting for `{}` to route {} through {}",
                    w.cluster, w.service, w.proxy
                )
            }
            RouteStanding::Starting { running, want } => format!(
                "waiting for {} to run the config that routes {} ({running} of {want} tasks)",
                w.proxy, w.service
            ),
        };
        if start.elapsed() > w.timeout {
            return Err(not_routed(w, now));
        }
        ui.progress(&waiting);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn gone(swarm: &impl Swarm, service: &str) -> Result<bool, ApiError> {
    match swarm.service(service).await {
        Ok(_) => Ok(false),
        Err(ApiError::NotFound { .. }) => Ok(true),
        Err(e) => Err(e),
    }
}

fn not_routed(w: &Awaited<'_>, now: RouteStanding) -> StepError {
    let (hosts, running) = match now {
        RouteStanding::NotConfigured(missing) => (missing, None),
        RouteStanding::Starting { running, want } => (w.hosts.to_vec(), Some((running, want))),
        RouteStanding::Routed => (Vec::new(), None),
    };
    StepError::NotRouted {
        service: w.service.to_string(),
        proxy: w.proxy.to_string(),
        hosts,
        running,
        secs: w.timeout.as_secs(),
    }
}

#[cfg(test)]
#[path = "route_steps_tests.rs"]
mod tests;
