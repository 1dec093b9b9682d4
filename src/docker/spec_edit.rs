//! The two service writes of apply as edits of the current spec, so that nothing else in it
//! changes: the core pointed at a new config (with rollback on failure, and its port in host
//! mode when the proxies publish in host mode, as the Interlock docs require), and a proxy
//! brought in line with its extension.

use bollard::models::{
    EndpointPortConfig, EndpointPortConfigPublishModeEnum, EndpointSpec, ServiceSpec,
    ServiceSpecUpdateConfig, ServiceSpecUpdateConfigFailureActionEnum,
    ServiceSpecUpdateConfigOrderEnum, TaskSpecContainerSpecConfigs,
};

use crate::cluster::CoreRetarget;
use crate::extension::ProxySpec;
use crate::interlock::PublishMode;

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

/// The core's spec pointing at the new config. Returns `None` when it mounts nothing at the
/// target.
pub fn retarget(mut spec: ServiceSpec, change: &CoreRetarget) -> Option<ServiceSpec> {
    let configs = spec
        .task_template
        .as_mut()?
        .container_spec
        .as_mut()?
        .configs
        .as_mut()?;
    let slot: &mut TaskSpecContainerSpecConfigs = configs
        .iter_mut()
        .find(|c| c.file.as_ref().and_then(|f| f.name.as_deref()) == Some(&change.target))?;
    slot.config_id = Some(change.config_id.clone());
    slot.config_name = Some(change.config_name.clone());
    spec.update_config = Some(with_defaults(spec.update_config.take()));
    if let Some(port) = change.host_port {
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

fn publish_mode(m: PublishMode) -> EndpointPortConfigPublishModeEnum {
    match m {
        PublishMode::Host => EndpointPortConfigPublishModeEnum::HOST,
        PublishMode::Ingress => EndpointPortConfigPublishModeEnum::INGRESS,
    }
}

/// A proxy's update config for a handover that keeps serving: one task at a time (its other
/// tasks answer meanwhile), and in host mode stop-first, since a new task cannot bind the host
/// port its predecessor holds on the node, and would wait for a node without it. The rest is
/// kept (swarm's defaults where the service has none).
fn one_at_a_time(u: Option<ServiceSpecUpdateConfig>, mode: PublishMode) -> ServiceSpecUpdateConfig {
    let u = u.unwrap_or_default();
    let order = match mode {
        PublishMode::Host => Some(ServiceSpecUpdateConfigOrderEnum::STOP_FIRST),
        PublishMode::Ingress => u
            .order
            .or(Some(ServiceSpecUpdateConfigOrderEnum::STOP_FIRST)),
    };
    ServiceSpecUpdateConfig {
        parallelism: Some(1),
        order,
        ..u
    }
}

/// The proxy's spec with its constraints, replicas and ports replaced, updated one task at a
/// time.
pub fn proxy(mut spec: ServiceSpec, want: &ProxySpec) -> ServiceSpec {
    spec.update_config = Some(one_at_a_time(spec.update_config.take(), want.mode));
    let task = spec.task_template.get_or_insert_with(Default::default);
    task.placement
        .get_or_insert_with(Default::default)
        .constraints = Some(want.constraints.as_slice().to_vec());
    if let (Some(n), Some(mode)) = (want.replicas, spec.mode.as_mut())
        && let Some(r) = mode.replicated.as_mut()
    {
        r.replicas = Some(n as i64);
    }
    let ports = want
        .ports
        .iter()
        .map(|p| EndpointPortConfig {
            published_port: Some(i64::from(p.published)),
            target_port: Some(i64::from(p.target)),
            publish_mode: Some(publish_mode(p.mode)),
            ..Default::default()
        })
        .collect();
    spec.endpoint_spec
        .get_or_insert_with(EndpointSpec::default)
        .ports = Some(ports);
    spec
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{TaskSpec, TaskSpecContainerSpec, TaskSpecContainerSpecFile1};

    fn to(id: &str, name: &str, host_port: Option<u16>) -> CoreRetarget {
        CoreRetarget {
            target: "/config.toml".into(),
            config_id: id.into(),
            config_name: name.into(),
            host_port,
        }
    }

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
        let out = retarget(spec(), &to("c2", "conf-2", None)).unwrap();
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
        let once = retarget(spec(), &to("c2", "conf-2", Some(8080))).unwrap();
        let twice = retarget(once.clone(), &to("c2", "conf-2", Some(8080))).unwrap();
        assert_eq!(twice.endpoint_spec.unwrap().ports.unwrap().len(), 1);
    }

    #[test]
    fn a_proxy_is_updated_one_task_at_a_time() {
        use crate::extension::{PortRole, PortSpec};
        let mut s = spec();
        s.update_config = Some(ServiceSpecUpdateConfig {
            parallelism: Some(3),
            order: Some(ServiceSpecUpdateConfigOrderEnum::START_FIRST),
            delay: Some(2_000_000_000),
            ..Default::default()
        });
        let want = |mode| ProxySpec {
            constraints: Default::default(),
            replicas: Some(2),
            ports: vec![PortSpec {
                role: Some(PortRole::Http),
                published: 8080,
                target: 80,
                mode,
            }],
            mode,
        };
        let u = proxy(s.clone(), &want(PublishMode::Ingress))
            .update_config
            .unwrap();
        assert_eq!(u.parallelism, Some(1));
        assert_eq!(u.order, Some(ServiceSpecUpdateConfigOrderEnum::START_FIRST));
        assert_eq!(u.delay, Some(2_000_000_000));
        let u = proxy(s, &want(PublishMode::Host)).update_config.unwrap();
        assert_eq!(u.order, Some(ServiceSpecUpdateConfigOrderEnum::STOP_FIRST));
        let none = proxy(spec(), &want(PublishMode::Host))
            .update_config
            .unwrap();
        assert_eq!((none.parallelism, none.failure_action), (Some(1), None));
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
        assert!(retarget(s, &to("c2", "conf-2", None)).is_none());
    }
}
