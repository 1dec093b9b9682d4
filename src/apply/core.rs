//! Pointing `ucp-interlock` at a new config: the live spec with only the `/config.toml`
//! reference replaced, rollback on failure, and the core's port in host mode when the proxies
//! publish in host mode (as the Interlock docs require).

use bollard::models::{
    EndpointPortConfig, EndpointPortConfigPublishModeEnum, EndpointSpec, ServiceSpec,
    ServiceSpecUpdateConfig, ServiceSpecUpdateConfigFailureActionEnum,
    ServiceSpecUpdateConfigOrderEnum, TaskSpecContainerSpecConfigs,
};

use crate::plan::action::CONFIG_TARGET;

/// Swarm's defaults for an update config, filled in where the service has none, so that
/// setting the failure action does not silently change anything else.
fn with_defaults(u: Option<ServiceSpecUpdateConfig>) -> ServiceSpecUpdateConfig {
    let u = u.unwrap_or_default();
    ServiceSpecUpdateConfig {
        parallelism: u.parallelism.or(Some(1)),
        delay: u.delay.or(Some(0)),
        failure_action: Some(ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK),
        monitor: u.monitor.or(Some(5_000_000_000)),
        max_failure_ratio: u.max_failure_ratio.or(Some(0.0)),
        order: u
            .order
            .or(Some(ServiceSpecUpdateConfigOrderEnum::STOP_FIRST)),
    }
}

/// The core's spec pointing at `config`. Returns `None` when it mounts nothing at /config.toml.
pub fn retarget(
    mut spec: ServiceSpec,
    config_id: &str,
    config_name: &str,
    host_port: Option<u16>,
) -> Option<ServiceSpec> {
    let configs = spec
        .task_template
        .as_mut()?
        .container_spec
        .as_mut()?
        .configs
        .as_mut()?;
    let slot: &mut TaskSpecContainerSpecConfigs = configs
        .iter_mut()
        .find(|c| c.file.as_ref().and_then(|f| f.name.as_deref()) == Some(CONFIG_TARGET))?;
    slot.config_id = Some(config_id.to_string());
    slot.config_name = Some(config_name.to_string());
    spec.update_config = Some(with_defaults(spec.update_config.take()));
    if let Some(port) = host_port {
        let endpoint = spec.endpoint_spec.get_or_insert_with(EndpointSpec::default);
        let ports = endpoint.ports.get_or_insert_with(Vec::new);
        let has = ports.iter().any(|p| {
            p.target_port == Some(i64::from(port))
                && p.publish_mode == Some(EndpointPortConfigPublishModeEnum::HOST)
        });
        if !has {
            // As the Interlock docs do it (`--publish-add mode=host,target=8080`): the target
            // only. A fixed published port would collide with a proxy still publishing it.
            ports.push(EndpointPortConfig {
                target_port: Some(i64::from(port)),
                publish_mode: Some(EndpointPortConfigPublishModeEnum::HOST),
                ..Default::default()
            });
        }
    }
    Some(spec)
}

/// The port the core listens on (`ListenAddr = ":8080"`).
pub fn listen_port(toml: &str) -> u16 {
    toml.parse::<toml_edit::DocumentMut>()
        .ok()
        .and_then(|d| {
            crate::interlock::keys::get(d.as_table(), "ListenAddr")
                .and_then(|(_, i)| i.as_str().map(String::from))
        })
        .and_then(|a| a.rsplit(':').next().and_then(|p| p.parse().ok()))
        .unwrap_or(8080)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{TaskSpec, TaskSpecContainerSpec, TaskSpecContainerSpecFile1};

    fn spec() -> ServiceSpec {
        let cfg = |id: &str, name: &str, target: &str| TaskSpecContainerSpecConfigs {
            file: Some(TaskSpecContainerSpecFile1 {
                name: Some(target.into()),
                uid: Some("0".into()),
                gid: Some("0".into()),
                mode: Some(0o444),
            }),
            config_id: Some(id.into()),
            config_name: Some(name.into()),
            ..Default::default()
        };
        ServiceSpec {
            name: Some("ucp-interlock".into()),
            task_template: Some(TaskSpec {
                container_spec: Some(TaskSpecContainerSpec {
                    image: Some("docker/ucp-interlock:3.1.2".into()),
                    configs: Some(vec![
                        cfg("u1", "unrelated", "/etc/other"),
                        cfg("c1", "conf-1", "/config.toml"),
                    ]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn replaces_only_the_config_toml_reference() {
        let out = retarget(spec(), "c2", "conf-2", None).unwrap();
        let configs = out
            .task_template
            .unwrap()
            .container_spec
            .unwrap()
            .configs
            .unwrap();
        assert_eq!(configs[0].config_name.as_deref(), Some("unrelated"));
        assert_eq!(configs[1].config_id.as_deref(), Some("c2"));
        assert_eq!(configs[1].config_name.as_deref(), Some("conf-2"));
        assert_eq!(configs[1].file.as_ref().unwrap().mode, Some(0o444));
        let u = out.update_config.unwrap();
        assert_eq!(
            u.failure_action,
            Some(ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK)
        );
        assert_eq!(u.monitor, Some(5_000_000_000));
        assert!(out.endpoint_spec.is_none());
    }

    #[test]
    fn host_mode_publishes_the_core_port_once() {
        let once = retarget(spec(), "c2", "conf-2", Some(8080)).unwrap();
        let twice = retarget(once.clone(), "c2", "conf-2", Some(8080)).unwrap();
        assert_eq!(twice.endpoint_spec.unwrap().ports.unwrap().len(), 1);
        assert_eq!(listen_port("ListenAddr = \":9090\"\n"), 9090);
    }

    #[test]
    fn refuses_a_core_without_config_toml() {
        let mut s = spec();
        s.task_template
            .as_mut()
            .unwrap()
            .container_spec
            .as_mut()
            .unwrap()
            .configs = Some(vec![]);
        assert!(retarget(s, "c2", "conf-2", None).is_none());
    }
}
