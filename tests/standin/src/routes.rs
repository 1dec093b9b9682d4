//! Which hosts an extension's proxy serves, and where it sends them, from what one round of the
//! core reads of the swarm: the application services (`com.docker.lb.*` labels), their
//! networks and their running tasks. Pure, so that the rule is tested without a swarm.
//!
//! The rule itself is the model's (`interlock_model::route`), the one the tool reasons with:
//! an application goes to the extension [`extension_for`] names, on the network
//! [`rule::network`] names; the stand-in only adds the task addresses Interlock reads.

use std::collections::{BTreeMap, BTreeSet};

use interlock_model::interlock::{Extension, InterlockConfig};
use interlock_model::route::proxy_config::ServedHost;
use interlock_model::route::{Application, BackendMode, extension_for, rule};
use serde_json::Value;

/// What one round of the core reads of the swarm (lists, one request each).
#[derive(Default)]
pub struct SwarmView {
    /// `GET /services`.
    pub services: Vec<Value>,
    /// `GET /networks`.
    pub networks: Vec<Value>,
    /// `GET /tasks` whose desired state is `running`.
    pub tasks: Vec<Value>,
    /// `GET /configs` (with their data).
    pub configs: Vec<Value>,
}

/// What an extension's proxy serves.
#[derive(Debug, Default, PartialEq)]
pub struct Routes {
    /// Sorted by host, each host's upstreams sorted: the same swarm always gives the same
    /// config, so that a proxy whose routes did not change is not updated.
    pub hosts: Vec<ServedHost>,
    /// The names of the networks the proxy joins, sorted.
    pub networks: Vec<String>,
    /// Applications of this extension it cannot route: service name, why.
    pub skipped: Vec<(String, String)>,
}

/// A string at a JSON pointer.
pub fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The items of a JSON array at a pointer (none when absent).
pub fn items<'a>(v: &'a Value, pointer: &str) -> impl Iterator<Item = &'a Value> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

impl SwarmView {
    /// The network whose ID or name is `target`.
    pub fn network(&self, target: &str) -> Option<&Value> {
        let by = |p: &str| self.networks.iter().find(|n| text(n, p) == Some(target));
        by("/Id").or_else(|| by("/Name"))
    }

    /// The names of the networks service `svc` is attached to.
    fn service_networks(&self, svc: &Value) -> Vec<String> {
        items(svc, "/Spec/TaskTemplate/Networks")
            .chain(items(svc, "/Spec/Networks"))
            .filter_map(|n| text(n, "/Target"))
            .map(|t| {
                self.network(t)
                    .and_then(|n| text(n, "/Name"))
                    .unwrap_or(t)
                    .to_string()
            })
            .collect()
    }

    /// Every application service (one with `com.docker.lb.hosts`), read by the model.
    pub fn applications(&self) -> Vec<(&Value, Application)> {
        self.services
            .iter()
            .filter_map(|svc| {
                let name = text(svc, "/Spec/Name")?;
                let labels: BTreeMap<String, String> = svc
                    .pointer("/Spec/Labels")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect();
                let app = Application::read(name, &labels, self.service_networks(svc))?;
                Some((svc, app))
            })
            .collect()
    }

    /// The IPs of the running tasks of service `id` on network `network_id`.
    fn task_ips(&self, id: &str, network_id: &str) -> Vec<String> {
        self.tasks
            .iter()
            .filter(|t| text(t, "/ServiceID") == Some(id))
            .filter(|t| text(t, "/DesiredState") == Some("running"))
            .filter(|t| text(t, "/Status/State") == Some("running"))
            .flat_map(|t| items(t, "/NetworksAttachments"))
            .filter(|a| text(a, "/Network/ID") == Some(network_id))
            .flat_map(|a| items(a, "/Addresses"))
            .filter_map(Value::as_str)
            .map(|a| a.split('/').next().unwrap_or(a).to_string())
            .collect()
    }

    /// The virtual IP of service `svc` on network `network_id` (`backend_mode=vip`).
    fn vip(&self, svc: &Value, network_id: &str) -> Vec<String> {
        items(svc, "/Endpoint/VirtualIPs")
            .filter(|v| text(v, "/NetworkID") == Some(network_id))
            .filter_map(|v| text(v, "/Addr"))
            .map(|a| a.split('/').next().unwrap_or(a).to_string())
            .collect()
    }
}

/// What the proxy of `ext` (an extension of `cfg`) serves in `swarm`.
pub fn routes(ext: &Extension, cfg: &InterlockConfig, swarm: &SwarmView) -> Routes {
    let mut hosts: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut networks: BTreeSet<String> = ext.networks.iter().cloned().collect();
    let mut skipped = Vec::new();
    let exists = |n: &str| swarm.network(n).is_some();
    for (svc, app) in swarm.applications() {
        if extension_for(app.cluster(), cfg).map(|e| e.name.as_str()) != Some(ext.name.as_str()) {
            continue;
        }
        let network = match rule::network(&app, ext, &exists) {
            Ok(n) => n,
            Err(why) => {
                skipped.push((app.service.clone(), why.to_string()));
                continue;
            }
        };
        let Some(port) = app.port.filter(|_| app.routable()) else {
            let why = match app.problems.first() {
                Some(p) => format!("label {} `{}` {}", p.label, p.value, p.why),
                None => "it has no com.docker.lb.port".to_string(),
            };
            skipped.push((app.service.clone(), why));
            continue;
        };
        if ext.networks.is_empty() {
            networks.insert(network.clone());
        }
        let network_id = swarm
            .network(&network)
            .and_then(|n| text(n, "/Id"))
            .unwrap_or_default();
        let id = text(svc, "/ID").unwrap_or_default();
        let ips = match app.backend_mode {
            BackendMode::Task => swarm.task_ips(id, network_id),
            BackendMode::Vip => swarm.vip(svc, network_id),
        };
        for host in &app.hosts {
            let upstreams = hosts.entry(host.clone()).or_default();
            upstreams.extend(ips.iter().map(|ip| format!("{ip}:{port}")));
        }
    }
    Routes {
        hosts: hosts
            .into_iter()
            .map(|(host, ups)| ServedHost {
                host,
                upstreams: ups.into_iter().collect(),
            })
            .collect(),
        networks: networks.into_iter().collect(),
        skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(text: &str) -> InterlockConfig {
        InterlockConfig::parse(text).unwrap().1
    }

    const SPLIT: &str = "[Extensions.default]\nProxyReplicas = 1\n\
        [Extensions.dev]\nServiceCluster = \"dev\"\n\
        [Extensions.prod]\nServiceCluster = \"prod\"\nNetworks = [\"ingress_prod\"]\n";

    fn app(id: &str, labels: Value, networks: &[&str]) -> Value {
        let nets: Vec<Value> = networks.iter().map(|n| json!({ "Target": n })).collect();
        json!({ "ID": id, "Spec": { "Name": id, "Labels": labels,
            "TaskTemplate": { "Networks": nets } } })
    }

    fn task(service: &str, state: &str, network_id: &str, ip: &str) -> Value {
        json!({ "ServiceID": service, "DesiredState": "running", "Status": { "State": state },
            "NetworksAttachments": [{ "Network": { "ID": network_id }, "Addresses": [ip] }] })
    }

    /// The walk-through's demo (2 tasks on `ingress_dev`, one of them still starting), an
    /// unlabelled app, a `Prod` app, an app on prod's network.
    fn swarm() -> SwarmView {
        let lb = |cluster: Option<&str>, network: &str| {
            let mut l = json!({ "com.docker.lb.hosts": format!("{network}.example"),
                "com.docker.lb.port": "8080", "com.docker.lb.network": network });
            if let Some(c) = cluster {
                l["com.docker.lb.service_cluster"] = json!(c);
            }
            l
        };
        SwarmView {
            services: vec![
                app("demo", lb(Some("dev"), "ingress_dev"), &["n-dev"]),
                app("plain", lb(None, "plain"), &["plain"]),
                app("typo", lb(Some("Prod"), "ingress_dev"), &["n-dev"]),
                app("shop", lb(Some("prod"), "ingress_prod"), &["n-prod"]),
                app("other", json!({ "x": "y" }), &["n-dev"]),
            ],
            networks: vec![
                json!({ "Id": "n-dev", "Name": "ingress_dev" }),
                json!({ "Id": "n-prod", "Name": "ingress_prod" }),
                json!({ "Id": "n-plain", "Name": "plain" }),
            ],
            tasks: vec![
                task("demo", "running", "n-dev", "10.0.1.7/24"),
                task("demo", "running", "n-dev", "10.0.1.5/24"),
                task("demo", "starting", "n-dev", "10.0.1.9/24"),
                task("plain", "running", "n-plain", "10.0.2.3/24"),
            ],
            configs: vec![],
        }
    }

    fn served(r: &Routes) -> Vec<(&str, Vec<&str>)> {
        r.hosts
            .iter()
            .map(|h| {
                let ups = h.upstreams.iter().map(String::as_str).collect();
                (h.host.as_str(), ups)
            })
            .collect()
    }

    #[test]
    fn each_extension_serves_the_apps_labelled_for_its_cluster() {
        let (c, s) = (cfg(SPLIT), swarm());
        let dev = routes(c.extension("dev").unwrap(), &c, &s);
        assert_eq!(
            served(&dev),
            [(
                "ingress_dev.example",
                vec!["10.0.1.5:8080", "10.0.1.7:8080"]
            )]
        );
        assert_eq!(dev.networks, ["ingress_dev"]);
        // The unlabelled app goes to the extension without a ServiceCluster; `Prod` to none.
        let default = routes(c.extension("default").unwrap(), &c, &s);
        assert_eq!(served(&default), [("plain.example", vec!["10.0.2.3:8080"])]);
        let prod = routes(c.extension("prod").unwrap(), &c, &s);
        assert_eq!(served(&prod), [("ingress_prod.example", vec![])]);
        assert!(dev.skipped.is_empty() && prod.skipped.is_empty());
    }

    #[test]
    fn with_networks_the_proxy_joins_exactly_those() {
        let (c, mut s) = (cfg(SPLIT), swarm());
        s.services[3] = app(
            "shop",
            json!({ "com.docker.lb.hosts": "shop.example", "com.docker.lb.port": "80",
                "com.docker.lb.service_cluster": "prod" }),
            &["n-dev"],
        );
        let prod = routes(c.extension("prod").unwrap(), &c, &s);
        assert_eq!(prod.networks, ["ingress_prod"]);
        assert!(prod.hosts.is_empty());
        assert_eq!(prod.skipped.len(), 1);
        assert!(prod.skipped[0].1.contains("Networks"), "{:?}", prod.skipped);
    }

    #[test]
    fn an_app_without_a_port_is_left_out_and_said_why() {
        let (c, mut s) = (cfg(SPLIT), swarm());
        s.services[0]["Spec"]["Labels"]["com.docker.lb.port"] = json!("http");
        let dev = routes(c.extension("dev").unwrap(), &c, &s);
        assert!(dev.hosts.is_empty());
        assert!(dev.skipped[0].1.contains("com.docker.lb.port"), "{dev:?}");
    }
}
