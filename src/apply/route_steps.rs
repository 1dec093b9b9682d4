//! The steps that move applications: the networks their clusters' proxies join, the relabel
//! the spec's `apps` ask for, and the wait until the new proxy serves an application's hosts.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::error::Moved;
use super::interrupt::Interrupt;
use super::report::StepOutcome;
use super::{Observer, Progress, StepError};
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
    Err(StepError::OutOfSequence)
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

/// Waits until the proxy serves every host of the application, as the config Interlock wrote
/// for it says. A proxy whose config is not mounted where the extension says (hitless mode) is
/// not observable: said, not waited for.
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
        let Some(served) = swarm.served_hosts(w.proxy, w.config_path).await? else {
            return Ok(StepOutcome::RouteUnobservable {
                proxy: w.proxy.to_string(),
                config_path: w.config_path.to_string(),
            });
        };
        let missing: Vec<&String> = w
            .hosts
            .iter()
            .filter(|h| !served.iter().any(|s| s.host.eq_ignore_ascii_case(h)))
            .collect();
        if missing.is_empty() {
            return Ok(StepOutcome::Routed {
                service: w.service.to_string(),
                proxy: w.proxy.to_string(),
                hosts: w.hosts.to_vec(),
            });
        }
        if start.elapsed() > w.timeout {
            return Err(StepError::NotRouted {
                service: w.service.to_string(),
                proxy: w.proxy.to_string(),
                hosts: missing.into_iter().cloned().collect(),
                secs: w.timeout.as_secs(),
            });
        }
        ui.progress(&format!(
            "waiting for `{}` to route {} through {}",
            w.cluster, w.service, w.proxy
        ));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
