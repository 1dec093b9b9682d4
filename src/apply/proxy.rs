//! What a drifted proxy is brought to. The one place that turns a reconcile action into the
//! proxy update the swarm takes.

use super::StepError;
use crate::cluster::{ProxySpec, PublishedPort};
use crate::interlock::{InterlockConfig, PublishMode};
use crate::plan::Action;

/// The spec a `ReconcileProxy` action sets: the proxy's extension in the new TOML
/// (constraints, replicas, ports with their targets and publish mode). `None` when the
/// config no longer names the proxy.
pub fn wanted(action: &Action, toml: &str) -> Result<Option<ProxySpec>, StepError> {
    let Action::ReconcileProxy { service, .. } = action else {
        return Ok(None);
    };
    let (_, cfg) = InterlockConfig::parse(toml).map_err(|e| StepError::BadConfig(e.message))?;
    let Some(e) = cfg
        .extensions
        .iter()
        .find(|e| e.proxy_service_name.as_deref() == Some(service.as_str()))
    else {
        return Ok(None);
    };
    let mode = e.publish_mode().unwrap_or(PublishMode::Ingress);
    let ports = [
        (e.published_port, e.target_port.or(Some(80))),
        (e.published_ssl_port, e.target_ssl_port.or(Some(443))),
    ]
    .into_iter()
    .filter_map(|(p, t)| {
        Some(PublishedPort {
            published: u16::try_from(p?).ok()?,
            target: u16::try_from(t?).ok()?,
            protocol: "tcp".into(),
            mode,
        })
    })
    .collect();
    Ok(Some(ProxySpec {
        constraints: e.proxy_constraints.clone(),
        replicas: e.proxy_replicas.and_then(|n| u64::try_from(n).ok()),
        ports,
    }))
}
