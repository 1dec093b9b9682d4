//! One function per action. Each is safe to run again after a failure: labels already set,
//! a config with the same content, a service already gone are all "done".

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::error::Moved;
use super::interrupt::Interrupt;
use super::report::StepOutcome;
use super::watch::{self, Ending, Placement, Tracked, Watch};
use super::{NewConfigRef, Observer, Pin, Progress, StepError};
use crate::audit::provenance::{Provenance, provenance};
use crate::cluster::{CoreRetarget, LogSource, NewConfig, UpdateState};
use crate::docker::{ApiError, LiveState, Swarm};
use crate::extension::{PortSpec, ProxySpec};
use crate::interlock::names::config_version;
use crate::interlock::{CONFIG_TARGET, CORE_SERVICE};

/// What a label-node step sets, and the value the plan read.
pub struct NodeLabel<'a> {
    pub node: &'a str,
    pub hostname: &'a str,
    pub key: &'a str,
    pub value: &'a str,
    pub previous: Option<&'a str>,
}

/// Sets the label at the version just read. A node is written by others too (availability,
/// their own labels), so a refusal as out of sequence reads it again and, if the key still
/// holds what the plan read, sends once more; another operator's value is never overwritten.
pub async fn label_node(
    swarm: &impl Swarm,
    l: &NodeLabel<'_>,
    progress: &mut Progress,
) -> Result<StepOutcome, StepError> {
    let labelled = |already| StepOutcome::Labelled {
        key: l.key.to_string(),
        value: l.value.to_string(),
        already,
    };
    for _ in 0..2 {
        let n = swarm.node(l.node).await?;
        let now = n.node.labels.get(l.key).map(String::as_str);
        if now == Some(l.value) {
            return Ok(labelled(true));
        }
        if now != l.previous {
            return Err(StepError::Moved(Moved::NodeRelabelled {
                hostname: l.hostname.to_string(),
                key: l.key.to_string(),
                now: now.map(str::to_string),
            }));
        }
        progress.sending();
        match swarm.label_node(l.node, n.version, l.key, l.value).await {
            Ok(()) => {
                progress.accepted();
                return Ok(labelled(false));
            }
            Err(ApiError::OutOfSequence { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(StepError::OutOfSequence {
        what: format!("node {}", l.hostname),
    })
}

/// Creates the versioned config, or finds one that already holds exactly this TOML (left by an
/// earlier, interrupted apply), so that a re-run never uploads the same content twice.
/// The config a create-config step uploads.
pub struct NewToml<'a> {
    pub name: &'a str,
    pub toml: &'a str,
    /// The audit labels it carries beside the old config's.
    pub audit: &'a BTreeMap<String, String>,
}

pub async fn create_config(
    swarm: &impl Swarm,
    state: &LiveState,
    new: &NewToml<'_>,
    progress: &mut Progress,
) -> Result<StepOutcome, StepError> {
    let (name, toml) = (new.name, new.toml);
    for c in swarm.configs().await? {
        // Only a config newer than the one in use can have been left by an interrupted apply.
        let newer =
            config_version(&c.name).unwrap_or(0) > config_version(&state.config.name).unwrap_or(0);
        let candidate =
            c.name == name || (newer && state.snapshot.configs.iter().any(|k| k.id == c.id));
        if !candidate || c.id == state.config.id {
            continue;
        }
        if swarm.config(&c.id).await?.data == toml {
            progress.new_config = Some(NewConfigRef {
                id: c.id,
                name: c.name.clone(),
            });
            return Ok(StepOutcome::Reused {
                name: c.name,
                earlier_run: true,
            });
        }
        if c.name == name {
            return Err(StepError::Moved(Moved::NameTaken {
                taken: provenance(&c),
            }));
        }
    }
    let new = NewConfig {
        name: name.to_string(),
        labels: crate::audit::labels::for_new_config(&state.config.labels, new.audit),
        data: toml.to_string(),
    };
    progress.sending();
    let id = match swarm.create_config(&new).await {
        Err(e @ ApiError::NameConflict { .. }) => {
            return name_taken(swarm, name, toml, progress, e).await;
        }
        other => other?,
    };
    progress.accepted();
    progress.new_config = Some(NewConfigRef {
        id,
        name: name.to_string(),
    });
    let copied_labels: Vec<String> = (state.config.labels.keys())
        .filter(|k| !crate::audit::labels::is_audit(k))
        .cloned()
        .collect();
    Ok(StepOutcome::Created {
        name: name.to_string(),
        from: state.config.name.clone(),
        copied_labels,
    })
}

/// Another apply took the name in the same instant: its config is someone else's work, unless
/// it holds exactly this TOML (then it is reused, as one left by an earlier run would be). A
/// conflict on a name that turns out free is the engine's error as it is.
async fn name_taken(
    swarm: &impl Swarm,
    name: &str,
    toml: &str,
    progress: &mut Progress,
    conflict: ApiError,
) -> Result<StepOutcome, StepError> {
    let taken = match swarm.config(name).await {
        Ok(c) => c,
        Err(ApiError::NotFound { .. }) => return Err(conflict.into()),
        Err(e) => return Err(e.into()),
    };
    if taken.data != toml {
        return Err(StepError::Moved(Moved::NameTaken {
            taken: provenance(&taken.info),
        }));
    }
    progress.new_config = Some(NewConfigRef {
        id: taken.info.id,
        name: name.to_string(),
    });
    Ok(StepOutcome::Reused {
        name: name.to_string(),
        earlier_run: false,
    })
}

/// What the core's update needs: what the plan was made from, the port the plan says to
/// publish in host mode, the wait.
pub struct Core<'a> {
    pub pin: &'a Pin,
    pub host_port: Option<u16>,
    pub timeout: Duration,
}

fn core_moved() -> StepError {
    StepError::OutOfSequence {
        what: CORE_SERVICE.to_string(),
    }
}

/// Swarm refused the update at the pinned version: another operator's config in use is a
/// move of the cluster, told with who made it; the same config at another version is "out of
/// sequence" (the command re-plans).
async fn refused(swarm: &impl Swarm, pin: &Pin) -> StepError {
    let Ok(core) = swarm.service(CORE_SERVICE).await else {
        return core_moved();
    };
    let Some(now) = core.config_at(CONFIG_TARGET) else {
        return core_moved();
    };
    if now.config_id == pin.config_id {
        return core_moved();
    }
    let now = match swarm.config(&now.config_id).await {
        Ok(c) => provenance(&c.info),
        Err(_) => Provenance {
            config: now.config_name.clone(),
            created_at: None,
            by: None,
        },
    };
    StepError::Moved(Moved::ConfigInUse {
        now,
        planned: pin.config_name.clone(),
    })
}

/// Sends the core's update. It is pending from the moment it leaves: if its answer is lost,
/// swarm may have started it, and the report must say the core runs the old config or the new
/// one. Only an answer that says it was not carried out clears it.
async fn send_update(
    swarm: &impl Swarm,
    pin: &Pin,
    change: &CoreRetarget,
    progress: &mut Progress,
) -> Result<(), StepError> {
    progress.sending();
    progress.core_updating = true;
    match swarm
        .retarget_core(CORE_SERVICE, pin.core_version, change)
        .await
    {
        Err(ApiError::OutOfSequence { .. }) => {
            progress.core_updating = false;
            Err(refused(swarm, pin).await)
        }
        Err(e) => {
            progress.core_updating = e.may_have_acted();
            Err(e.into())
        }
        Ok(()) => {
            progress.accepted();
            Ok(())
        }
    }
}

/// Points the core at the new config, at the version the plan was made from, and watches the
/// update to the end.
pub async fn update_core(
    swarm: &impl Swarm,
    c: &Core<'_>,
    progress: &mut Progress,
    ui: &mut dyn Observer,
    interrupt: &Interrupt,
) -> Result<StepOutcome, StepError> {
    let new = progress.new_config.clone().ok_or(StepError::NoNewConfig)?;
    let core = swarm.service(CORE_SERVICE).await?;
    let uses = core.config_at(CONFIG_TARGET).map(|c| &c.config_id);
    if uses == Some(&new.id) && core.update_state() != Some(&UpdateState::RollbackCompleted) {
        progress.core_on = new.name.clone();
        return Ok(StepOutcome::CoreRuns {
            config: new.name,
            already: true,
            host_port: None,
        });
    }
    let change = CoreRetarget {
        target: CONFIG_TARGET.into(),
        config_id: new.id.clone(),
        config_name: new.name.clone(),
        host_port: c.host_port,
    };
    let baseline = core.update_started().map(String::from);
    send_update(swarm, c.pin, &change, progress).await?;
    let tracked = Tracked {
        ours: new.id.clone(),
        old: c.pin.config_id.clone(),
    };
    let w = Watch::new(CORE_SERVICE, baseline, c.timeout).tracking(tracked);
    // The config is read beside the watch, for the outcome label written after it.
    let watching = watch::update(swarm, CORE_SERVICE, w, ui, interrupt);
    let (ending, read) = tokio::join!(watching, swarm.config(&new.id));
    progress.new_config_read = read.ok();
    match ending? {
        Ending::Converged => {
            progress.core_updating = false;
            progress.core_on = new.name.clone();
            Ok(StepOutcome::CoreRuns {
                config: new.name,
                already: false,
                host_port: change.host_port,
            })
        }
        Ending::RolledBack(f) => {
            progress.core_updating = false;
            progress.restarting = f.restarting;
            Err(StepError::RolledBack(f))
        }
        Ending::Paused(f) => {
            progress.restarting = f.restarting;
            Err(StepError::Paused(f))
        }
        Ending::Superseded(by) => {
            progress.core_updating = false;
            if let Ok(now) = swarm.service(CORE_SERVICE).await
                && let Some(c) = now.config_at(CONFIG_TARGET)
            {
                progress.core_on = c.config_name.clone();
            }
            Err(StepError::Superseded(by))
        }
        Ending::TimedOut(message) => Err(StepError::NotConverged { message }),
        Ending::Interrupted => Err(StepError::Interrupted),
    }
}

/// Removes a service and waits until its tasks are gone (so its ports are free).
pub async fn remove_service(
    swarm: &impl Swarm,
    name: &str,
    progress: &mut Progress,
    ui: &mut dyn Observer,
) -> Result<StepOutcome, StepError> {
    let removed = |already| StepOutcome::Removed {
        service: name.to_string(),
        already,
    };
    progress.sending();
    match swarm.remove_service(name).await {
        Err(ApiError::NotFound { .. }) => return Ok(removed(true)),
        other => other?,
    }
    progress.accepted();
    progress.removed.push(name.to_string());
    let start = Instant::now();
    loop {
        let left = match swarm.tasks(name).await {
            Ok(t) => t.len(),
            Err(ApiError::NotFound { .. }) => 0,
            Err(e) => return Err(e.into()),
        };
        if left == 0 || start.elapsed() > Duration::from_secs(60) {
            return Ok(removed(false));
        }
        ui.progress(&format!("{name}: waiting for {left} task(s) to stop"));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// A service Interlock is to create, as the plan describes it.
pub struct Await<'a> {
    pub name: &'a str,
    pub replicas: Option<u64>,
    pub ports: &'a [PortSpec],
    pub timeout: Duration,
}

/// Where an awaited service stands.
enum Standing {
    /// It runs with the planned ports.
    Ready {
        run: u64,
        want: u64,
    },
    Waiting(String),
}

async fn await_poll(swarm: &impl Swarm, w: &Await<'_>) -> Result<Standing, StepError> {
    // The service and its tasks by name, with the nodes: one round. Until Interlock creates
    // the service, the tasks' read is refused as well, and not looked at.
    let (svc, placed) = tokio::join!(swarm.service(w.name), watch::placement(swarm, w.name));
    let svc = match svc {
        Err(ApiError::NotFound { .. }) => {
            return Ok(Standing::Waiting(format!(
                "waiting for Interlock to create {}",
                w.name
            )));
        }
        other => other?,
    };
    let want = svc.replicas.or(w.replicas).unwrap_or(1);
    let missing = w
        .ports
        .iter()
        .any(|p| !svc.ports.iter().any(|h| h.published == p.published));
    let (tasks, nodes) = match placed {
        // Created between the two reads: its tasks are read on the next poll.
        Err(ApiError::NotFound { .. }) => {
            return Ok(Standing::Waiting(format!("{}: 0/{want} running", w.name)));
        }
        other => other?,
    };
    let run = watch::running(Placement {
        tasks: &tasks,
        nodes: &nodes,
    });
    if run >= want && !missing {
        return Ok(Standing::Ready { run, want });
    }
    Ok(Standing::Waiting(format!(
        "{}: {run}/{want} running",
        w.name
    )))
}

/// Waits for Interlock to create a service and for it to run with the planned ports.
pub async fn await_service(
    swarm: &impl Swarm,
    w: &Await<'_>,
    ui: &mut dyn Observer,
    interrupt: &Interrupt,
) -> Result<StepOutcome, StepError> {
    let start = Instant::now();
    loop {
        if interrupt.is_set() {
            return Err(StepError::Interrupted);
        }
        match await_poll(swarm, w).await? {
            Standing::Ready { run, want } => {
                return Ok(StepOutcome::Running {
                    service: w.name.to_string(),
                    running: run,
                    wanted: want,
                    ports: w.ports.iter().map(|p| p.published).collect(),
                });
            }
            Standing::Waiting(text) => ui.progress(&text),
        }
        if start.elapsed() > w.timeout {
            let logs = swarm
                .logs(&LogSource::Service(CORE_SERVICE.into()), 8)
                .await;
            return Err(StepError::NotCreated {
                service: w.name.to_string(),
                secs: w.timeout.as_secs(),
                logs,
            });
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

/// A proxy to bring in line: its name, the planned spec, the wait.
pub struct Proxy<'a> {
    pub name: &'a str,
    pub spec: &'a ProxySpec,
    pub timeout: Duration,
}

/// Brings an existing proxy in line with the planned spec: constraints, replicas and ports,
/// updated in place (a rolling update of the proxy, no gap for a multi-replica proxy).
pub async fn reconcile_proxy(
    swarm: &impl Swarm,
    p: &Proxy<'_>,
    progress: &mut Progress,
    ui: &mut dyn Observer,
    interrupt: &Interrupt,
) -> Result<StepOutcome, StepError> {
    let name = p.name;
    let svc = swarm.service(name).await?;
    let baseline = svc.update_started().map(String::from);
    progress.sending();
    swarm.update_proxy(name, svc.version, p.spec).await?;
    progress.accepted();
    let w = Watch::new(name, baseline, p.timeout);
    match watch::update(swarm, name, w, ui, interrupt).await? {
        Ending::Converged => Ok(StepOutcome::Reconciled {
            service: name.to_string(),
        }),
        Ending::RolledBack(f) | Ending::Paused(f) => Err(StepError::ProxyUpdateFailed {
            service: name.to_string(),
            message: f.message,
        }),
        Ending::Superseded(by) => Err(StepError::Superseded(by)),
        Ending::TimedOut(message) => Err(StepError::NotConverged { message }),
        Ending::Interrupted => Err(StepError::Interrupted),
    }
}

/// Removes old configs; one still in use is kept.
pub async fn prune_configs(
    swarm: &impl Swarm,
    names: &[String],
    progress: &mut Progress,
) -> Result<StepOutcome, StepError> {
    let mut removed = Vec::new();
    let mut in_use = Vec::new();
    for n in names {
        progress.sending();
        match swarm.remove_config(n).await {
            Ok(()) => removed.push(n.clone()),
            Err(ApiError::NotFound { .. }) => {}
            Err(ApiError::InUse { .. }) => in_use.push(n.clone()),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(StepOutcome::Pruned { removed, in_use })
}
