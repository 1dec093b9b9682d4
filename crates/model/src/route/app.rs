//! An application as Interlock sees it: a service with `com.docker.lb.hosts`, read from its
//! labels. Bad values are problems naming their label, never a panic.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::labels;

/// How the proxy reaches the application's tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendMode {
    /// Each task's IP on the application's network (Interlock's default).
    Task,
    /// The service's virtual IP.
    Vip,
}

/// A label value Interlock cannot use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelProblem {
    pub label: String,
    pub value: String,
    pub why: String,
}

/// One application service, its labels read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub service: String,
    pub hosts: Vec<String>,
    /// `com.docker.lb.port`: where the application listens in its tasks.
    pub port: Option<u16>,
    /// `com.docker.lb.network`: the network the proxy reaches it on.
    pub network: Option<String>,
    /// `com.docker.lb.service_cluster` as written; `None` without the label.
    pub cluster_label: Option<String>,
    pub context_root: Option<String>,
    /// `ssl_cert` / `ssl_key`: names of secrets.
    pub ssl_cert: Option<String>,
    pub ssl_key: Option<String>,
    pub passthrough: bool,
    pub backend_mode: BackendMode,
    /// `com.docker.ucp.access.label`: its UCP collection.
    pub collection: Option<String>,
    /// The names of the overlay networks it is attached to (the ingress network left out:
    /// no proxy reaches a task there).
    pub networks: Vec<String>,
    pub problems: Vec<LabelProblem>,
}

impl Application {
    /// The application `service` is, if its labels publish it (`com.docker.lb.hosts`).
    pub fn read(
        service: &str,
        service_labels: &BTreeMap<String, String>,
        networks: Vec<String>,
    ) -> Option<Application> {
        let raw_hosts = service_labels.get(labels::HOSTS)?;
        let text = |l: &str| service_labels.get(l).map(|v| v.trim().to_string());
        let mut problems = Vec::new();
        let hosts = hosts(raw_hosts, &mut problems);
        let port = match text(labels::PORT) {
            None => {
                problems.push(problem(labels::PORT, "", MISSING_PORT));
                None
            }
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    problems.push(problem(labels::PORT, &p, "is not a port (1-65535)"));
                    None
                }
            },
        };
        let backend_mode = match text(labels::BACKEND_MODE).as_deref() {
            None | Some("task") => BackendMode::Task,
            Some("vip") => BackendMode::Vip,
            Some(other) => {
                problems.push(problem(
                    labels::BACKEND_MODE,
                    other,
                    "is neither `task` nor `vip`",
                ));
                BackendMode::Task
            }
        };
        Some(Application {
            service: service.to_string(),
            hosts,
            port,
            network: text(labels::NETWORK).filter(|n| !n.is_empty()),
            cluster_label: service_labels.get(labels::SERVICE_CLUSTER).cloned(),
            context_root: text(labels::CONTEXT_ROOT).filter(|c| !c.is_empty()),
            ssl_cert: text(labels::SSL_CERT).filter(|c| !c.is_empty()),
            ssl_key: text(labels::SSL_KEY).filter(|c| !c.is_empty()),
            passthrough: text(labels::SSL_PASSTHROUGH).is_some_and(|v| v == "true"),
            backend_mode,
            collection: text(labels::COLLECTION),
            networks: networks.into_iter().filter(|n| n != "ingress").collect(),
            problems,
        })
    }

    /// Whether a proxy can route it at all: Interlock leaves out a service whose labels it
    /// cannot use — no port to send its traffic to, an empty host, a backend mode it does not
    /// know [inferred: the docs name the labels but not what a bad one does; the test bed's
    /// stand-in does the same]. Which cluster would route it is `route::extension_for`.
    pub fn routable(&self) -> bool {
        self.problems.is_empty()
    }

    /// The service cluster it asks for: its label, or the default, unnamed one (`""`) without
    /// it, since Go reads an absent string as empty.
    pub fn cluster(&self) -> &str {
        self.cluster_label.as_deref().unwrap_or("")
    }

    /// `a.example.com, b.example.com`.
    pub fn hosts_text(&self) -> String {
        self.hosts.join(", ")
    }
}

/// Interlock sends an application's traffic to this port of its tasks; without it there is no
/// upstream to write.
const MISSING_PORT: &str = "is missing: the proxy has no port of the tasks to send the traffic to";

fn problem(label: &str, value: &str, why: &str) -> LabelProblem {
    LabelProblem {
        label: label.to_string(),
        value: value.to_string(),
        why: why.to_string(),
    }
}

/// The comma-separated hosts; an empty one, or one with a space in it, is a problem and left
/// out.
fn hosts(raw: &str, problems: &mut Vec<LabelProblem>) -> Vec<String> {
    let mut out = Vec::new();
    for h in raw.split(',') {
        let h = h.trim();
        if h.is_empty() {
            problems.push(problem(labels::HOSTS, raw, "holds an empty host"));
        } else if h.contains(char::is_whitespace) {
            problems.push(problem(
                labels::HOSTS,
                raw,
                &format!("host `{h}` has a space in it (hosts are separated by commas)"),
            ));
        } else if !out.iter().any(|o: &String| o.eq_ignore_ascii_case(h)) {
            out.push(h.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(labels: &[(&str, &str)], networks: &[&str]) -> Option<Application> {
        let l: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Application::read("demo", &l, networks.iter().map(|n| n.to_string()).collect())
    }

    #[test]
    fn a_service_without_hosts_is_no_application() {
        assert!(app(&[(labels::PORT, "8080")], &[]).is_none());
    }

    #[test]
    fn reads_the_walk_throughs_labels() {
        let a = app(
            &[
                (labels::HOSTS, "ingress-demo.lab.capstonec.net"),
                (labels::NETWORK, "ingress_dev"),
                (labels::PORT, "8080"),
                (labels::SERVICE_CLUSTER, "dev"),
                (labels::COLLECTION, "/dev"),
            ],
            &["ingress_dev", "ingress"],
        )
        .unwrap();
        assert_eq!(a.hosts, ["ingress-demo.lab.capstonec.net"]);
        assert_eq!((a.port, a.cluster()), (Some(8080), "dev"));
        assert_eq!(a.network.as_deref(), Some("ingress_dev"));
        assert_eq!(a.networks, ["ingress_dev"]);
        assert_eq!(a.collection.as_deref(), Some("/dev"));
        assert_eq!(a.backend_mode, BackendMode::Task);
        assert!(a.problems.is_empty());
    }

    #[test]
    fn no_label_is_the_default_cluster() {
        let a = app(&[(labels::HOSTS, "a.example")], &[]).unwrap();
        assert_eq!((a.cluster(), a.cluster_label.clone()), ("", None));
    }

    #[test]
    fn bad_values_are_problems_naming_their_label() {
        let a = app(
            &[
                (labels::HOSTS, "a.example,, b c.example"),
                (labels::PORT, "http"),
                (labels::BACKEND_MODE, "round-robin"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(a.hosts, ["a.example"]);
        let labels_named: Vec<&str> = a.problems.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels_named,
            [
                labels::HOSTS,
                labels::HOSTS,
                labels::PORT,
                labels::BACKEND_MODE
            ]
        );
        assert_eq!(a.port, None);
    }
}
