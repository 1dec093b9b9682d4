//! One function per action. Each is safe to run again after a failure: labels already set,
//! a config with the same content, a service already gone are all "done".

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use bollard::models::{
    ConfigSpec, EndpointPortConfig, EndpointPortConfigPublishModeEnum, EndpointSpec,
};
use bollard::query_parameters::{
    ListServicesOptionsBuilder, UpdateNodeOptionsBuilder, UpdateServiceOptionsBuilder,
};
use futures_util::StreamExt;

use super::interrupt::Interrupt;
use super::ui::Ui;
use super::watch::{self, Ending};
use super::{Progress, StepError};
use crate::docker::{Client, ConnectError, LiveState};
use crate::interlock::{InterlockConfig, PublishMode};
use crate::plan::PortMapping;
use crate::plan::action::CORE_SERVICE;

fn failed(e: ConnectError) -> StepError {
    StepError::Failed(e.message(), e.hint())
}

pub async fn label_node(
    client: &Client,
    node: &str,
    key: &str,
    value: &str,
) -> Result<String, StepError> {
    let n = client
        .call(
            &format!("GET /nodes/{node}"),
            client.docker().inspect_node(node),
        )
        .await
        .map_err(failed)?;
    let mut spec = n.spec.unwrap_or_default();
    let labels = spec.labels.get_or_insert_with(HashMap::new);
    if labels.get(key).map(String::as_str) == Some(value) {
        return Ok(format!("{key}={value} already set"));
    }
    labels.insert(key.to_string(), value.to_string());
    let version = n.version.and_then(|v| v.index).unwrap_or(0) as i64;
    let opts = UpdateNodeOptionsBuilder::new().version(version).build();
    client
        .call(
            &format!("POST /nodes/{node}/update"),
            client.docker().update_node(node, spec, opts),
        )
        .await
        .map_err(failed)?;
    Ok(format!("{key}={value} set"))
}

async fn config_data(client: &Client, id: &str) -> Result<String, ConnectError> {
    let c = client
        .call(
            &format!("GET /configs/{id}"),
            client.docker().inspect_config(id),
        )
        .await?;
    let data = c.spec.and_then(|s| s.data).unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .unwrap_or_default();
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Creates the versioned config, or finds one that already holds exactly this TOML (left by an
/// earlier, interrupted apply), so that a re-run never uploads the same content twice.
pub async fn create_config(
    client: &Client,
    state: &LiveState,
    name: &str,
    toml: &str,
    progress: &mut Progress,
) -> Result<String, StepError> {
    let (current, _) = client
        .call("GET /configs", client.docker().list_configs(None))
        .await
        .map(|cs| (cs, ()))
        .map_err(failed)?;
    for c in &current {
        let cname = c
            .spec
            .as_ref()
            .and_then(|s| s.name.clone())
            .unwrap_or_default();
        let id = c.id.clone().unwrap_or_default();
        // Only a config newer than the one in use can have been left by an interrupted apply.
        let newer = crate::interlock::names::config_version(&cname).unwrap_or(0)
            > crate::interlock::names::config_version(&state.config.name).unwrap_or(0);
        let candidate =
            cname == name || (newer && state.snapshot.configs.iter().any(|k| k.id == id));
        if !candidate || id == state.config.id {
            continue;
        }
        if config_data(client, &id).await.map_err(failed)? == toml {
            progress.new_config = Some((id, cname.clone()));
            return Ok(format!(
                "{cname} already holds this config (left by an earlier run): reused"
            ));
        }
        if cname == name {
            return Err(StepError::Failed(
                format!("a config named {name} already exists with other content"),
                Some("the cluster changed since the plan: run `interlock-split plan` again".into()),
            ));
        }
    }
    let spec = ConfigSpec {
        name: Some(name.to_string()),
        labels: Some(state.config.labels.clone().into_iter().collect()),
        data: Some(base64::engine::general_purpose::STANDARD.encode(toml)),
        ..Default::default()
    };
    let id = client
        .call("POST /configs/create", client.docker().create_config(spec))
        .await
        .map_err(failed)?
        .id;
    progress.new_config = Some((id, name.to_string()));
    let labels = if state.config.labels.is_empty() {
        String::new()
    } else {
        format!(
            " with the labels of {} ({})",
            state.config.name,
            state
                .config
                .labels
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Ok(format!("created {name}{labels}"))
}

/// Points the core at the new config and watches the update to the end.
pub async fn update_core(
    client: &Client,
    toml: &str,
    progress: &mut Progress,
    timeout: Duration,
    ui: &mut Ui,
    interrupt: &Interrupt,
) -> Result<String, StepError> {
    let Some((id, name)) = progress.new_config.clone() else {
        return Err(StepError::Failed(
            "no new config to point ucp-interlock at".into(),
            None,
        ));
    };
    let svc = client
        .call(
            "GET /services/ucp-interlock",
            client.docker().inspect_service(CORE_SERVICE, None),
        )
        .await
        .map_err(failed)?;
    let uses = svc
        .spec
        .as_ref()
        .and_then(|s| s.task_template.as_ref())
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.configs.as_ref())
        .and_then(|cs| {
            cs.iter()
                .find(|c| c.file.as_ref().and_then(|f| f.name.as_deref()) == Some("/config.toml"))
        })
        .and_then(|c| c.config_id.clone());
    if uses.as_deref() == Some(id.as_str())
        && svc
            .update_status
            .as_ref()
            .and_then(|u| u.state)
            .map(|s| s.to_string())
            .as_deref()
            != Some("rollback_completed")
    {
        progress.core_on = name.clone();
        return Ok(format!("{CORE_SERVICE} already runs {name}"));
    }
    let port = super::core::host_port(toml);
    let version = svc.version.as_ref().and_then(|v| v.index).unwrap_or(0);
    let baseline = svc
        .update_status
        .as_ref()
        .and_then(|u| u.started_at.as_ref())
        .map(|d| d.to_string());
    let change = crate::cluster::CoreRetarget {
        target: crate::plan::action::CONFIG_TARGET.into(),
        config_id: id.clone(),
        config_name: name.clone(),
        host_port: port,
    };
    match crate::docker::Swarm::retarget_core(client, CORE_SERVICE, version, &change).await {
        Ok(()) => {}
        Err(ConnectError::OutOfSequence { .. }) => return Err(StepError::OutOfSequence),
        Err(e) => return Err(failed(e)),
    }
    progress.core_updating = true;
    match watch::update(client, CORE_SERVICE, baseline, timeout, ui, interrupt)
        .await
        .map_err(failed)?
    {
        Ending::Converged => {
            progress.core_updating = false;
            progress.core_on = name.clone();
            Ok(format!(
                "{CORE_SERVICE} runs {name}, converged{}",
                if port.is_some() {
                    " (core port published in host mode)"
                } else {
                    ""
                }
            ))
        }
        Ending::RolledBack(f) => {
            progress.core_updating = false;
            Err(StepError::RolledBack(f))
        }
        Ending::Paused(f) => Err(StepError::Paused(f)),
        Ending::TimedOut(m) => Err(StepError::Failed(
            m,
            Some("`interlock-split status` shows where it stands".into()),
        )),
        Ending::Interrupted => Err(StepError::Interrupted),
    }
}

/// Removes a service and waits until its tasks are gone (so its ports are free).
pub async fn remove_service(
    client: &Client,
    name: &str,
    progress: &mut Progress,
    ui: &mut Ui,
) -> Result<String, StepError> {
    match client
        .call(
            &format!("DELETE /services/{name}"),
            client.docker().delete_service(name),
        )
        .await
    {
        Ok(()) => {}
        Err(ConnectError::NotFound { .. }) => {
            return Ok(format!("{name} was already gone"));
        }
        Err(e) => return Err(failed(e)),
    }
    progress.removed.push(name.to_string());
    let start = Instant::now();
    loop {
        let mut filters = HashMap::new();
        filters.insert("service", vec![name]);
        let opts = bollard::query_parameters::ListTasksOptionsBuilder::new()
            .filters(&filters)
            .build();
        let left = match client
            .call("GET /tasks", client.docker().list_tasks(Some(opts)))
            .await
        {
            Ok(t) => t.len(),
            Err(ConnectError::NotFound { .. }) => 0,
            Err(e) => return Err(failed(e)),
        };
        if left == 0 || start.elapsed() > Duration::from_secs(60) {
            return Ok(format!("removed {name}"));
        }
        ui.progress(&format!("{name}: waiting for {left} task(s) to stop"));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn find_service(
    client: &Client,
    name: &str,
) -> Result<Option<bollard::models::Service>, ConnectError> {
    let mut filters = HashMap::new();
    filters.insert("name", vec![name]);
    let opts = ListServicesOptionsBuilder::new().filters(&filters).build();
    let list = client
        .call("GET /services", client.docker().list_services(Some(opts)))
        .await?;
    Ok(list
        .into_iter()
        .find(|s| s.spec.as_ref().and_then(|sp| sp.name.as_deref()) == Some(name)))
}

/// The last lines of the core's log, for when Interlock does not do what was expected.
async fn core_log_tail(client: &Client) -> Vec<String> {
    let opts = bollard::query_parameters::LogsOptionsBuilder::new()
        .stdout(true)
        .stderr(true)
        .tail("8")
        .build();
    let mut stream = client.docker().service_logs(CORE_SERVICE, Some(opts));
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline.into(), stream.next()).await {
        out.extend(
            String::from_utf8_lossy(&chunk.into_bytes())
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(String::from),
        );
    }
    out
}

/// Waits for Interlock to create a service and for it to run with the planned ports.
pub async fn await_service(
    client: &Client,
    name: &str,
    replicas: Option<u64>,
    ports: &[PortMapping],
    timeout: Duration,
    ui: &mut Ui,
    interrupt: &Interrupt,
) -> Result<String, StepError> {
    let start = Instant::now();
    loop {
        if interrupt.is_set() {
            return Err(StepError::Interrupted);
        }
        if let Some(svc) = find_service(client, name).await.map_err(failed)? {
            let id = svc.id.clone().unwrap_or_default();
            let want = svc
                .spec
                .as_ref()
                .and_then(|s| s.mode.as_ref())
                .and_then(|m| m.replicated.as_ref())
                .map(|r| r.replicas.unwrap_or(1).max(0) as u64)
                .or(replicas)
                .unwrap_or(1);
            let have: Vec<i64> = svc
                .endpoint
                .as_ref()
                .and_then(|e| e.ports.as_ref())
                .or(svc
                    .spec
                    .as_ref()
                    .and_then(|s| s.endpoint_spec.as_ref())
                    .and_then(|e| e.ports.as_ref()))
                .map(|ps| ps.iter().filter_map(|p| p.published_port).collect())
                .unwrap_or_default();
            let missing: Vec<u16> = ports
                .iter()
                .map(|p| p.published)
                .filter(|p| !have.contains(&i64::from(*p)))
                .collect();
            let run = watch::running(client, &id).await.map_err(failed)?;
            if run >= want && missing.is_empty() {
                let ps: Vec<String> = ports.iter().map(|p| p.published.to_string()).collect();
                return Ok(format!(
                    "{name}: {run}/{want} running{}",
                    if ps.is_empty() {
                        String::new()
                    } else {
                        format!(", publishing {}", ps.join(", "))
                    }
                ));
            }
            ui.progress(&format!("{name}: {run}/{want} running"));
        } else {
            ui.progress(&format!("waiting for Interlock to create {name}"));
        }
        if start.elapsed() > timeout {
            let logs = core_log_tail(client).await;
            return Err(StepError::Failed(
                format!(
                    "{name} was not created and running within {}s; the core's last log lines:\n{}",
                    timeout.as_secs(),
                    logs.iter().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
                ),
                Some("`interlock-split status` shows what exists; raise --wait-timeout if the cluster is slow".into()),
            ));
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

/// Brings an existing proxy in line with the config: constraints, replicas and ports, updated
/// in place (a rolling update of the proxy, no gap for a multi-replica proxy).
pub async fn reconcile_proxy(
    client: &Client,
    name: &str,
    toml: &str,
    timeout: Duration,
    ui: &mut Ui,
    interrupt: &Interrupt,
) -> Result<String, StepError> {
    let (_, cfg) = InterlockConfig::parse(toml).map_err(|e| StepError::Failed(e.message, None))?;
    let Some(e) = cfg
        .extensions
        .iter()
        .find(|e| e.proxy_service_name.as_deref() == Some(name))
    else {
        return Ok(format!("{name} is not in the config any more"));
    };
    let svc = client
        .call(
            &format!("GET /services/{name}"),
            client.docker().inspect_service(name, None),
        )
        .await
        .map_err(failed)?;
    let version = svc.version.as_ref().and_then(|v| v.index).unwrap_or(0);
    let baseline = svc
        .update_status
        .as_ref()
        .and_then(|u| u.started_at.as_ref())
        .map(|d| d.to_string());
    let mut spec = svc.spec.unwrap_or_default();
    let task = spec.task_template.get_or_insert_with(Default::default);
    task.placement
        .get_or_insert_with(Default::default)
        .constraints = Some(e.proxy_constraints.clone());
    if let (Some(n), Some(mode)) = (e.proxy_replicas, spec.mode.as_mut())
        && let Some(r) = mode.replicated.as_mut()
    {
        r.replicas = Some(n);
    }
    let pm = match e.publish_mode().unwrap_or(PublishMode::Ingress) {
        PublishMode::Host => EndpointPortConfigPublishModeEnum::HOST,
        PublishMode::Ingress => EndpointPortConfigPublishModeEnum::INGRESS,
    };
    let ports: Vec<EndpointPortConfig> = [
        (e.published_port, e.target_port.or(Some(80))),
        (e.published_ssl_port, e.target_ssl_port.or(Some(443))),
    ]
    .into_iter()
    .filter_map(|(p, t)| {
        Some(EndpointPortConfig {
            published_port: Some(p?),
            target_port: Some(t?),
            publish_mode: Some(pm),
            ..Default::default()
        })
    })
    .collect();
    spec.endpoint_spec
        .get_or_insert_with(EndpointSpec::default)
        .ports = Some(ports);
    let opts = UpdateServiceOptionsBuilder::new()
        .version(version as i32)
        .build();
    client
        .call(
            &format!("POST /services/{name}/update"),
            client.docker().update_service(name, spec, opts, None),
        )
        .await
        .map_err(failed)?;
    match watch::update(client, name, baseline, timeout, ui, interrupt)
        .await
        .map_err(failed)?
    {
        Ending::Converged => Ok(format!(
            "{name} updated in place to the config's constraints, replicas and ports"
        )),
        Ending::RolledBack(f) | Ending::Paused(f) => Err(StepError::Failed(
            format!("updating {name} failed: {}", f.message),
            Some(format!(
                "`docker service ps {name}` shows why; or remove it and Interlock recreates it from the config"
            )),
        )),
        Ending::TimedOut(m) => Err(StepError::Failed(m, None)),
        Ending::Interrupted => Err(StepError::Interrupted),
    }
}

/// Removes old configs; one still in use is skipped with a note.
pub async fn prune_configs(client: &Client, names: &[String]) -> Result<String, StepError> {
    let mut removed = Vec::new();
    let mut skipped = Vec::new();
    for n in names {
        match client
            .call(
                &format!("DELETE /configs/{n}"),
                client.docker().delete_config(n),
            )
            .await
        {
            Ok(()) => removed.push(n.clone()),
            Err(ConnectError::NotFound { .. }) => {}
            Err(ConnectError::InUse { .. }) => skipped.push(format!("{n} (in use)")),
            Err(e) => return Err(failed(e)),
        }
    }
    let mut out = format!(
        "removed {}",
        if removed.is_empty() {
            "none".into()
        } else {
            removed.join(", ")
        }
    );
    if !skipped.is_empty() {
        out.push_str(&format!("; kept {}", skipped.join(", ")));
    }
    Ok(out)
}
