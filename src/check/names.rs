//! Names: unique service clusters and services, and names swarm accepts.

use std::collections::HashMap;

use crate::extension::services;
use crate::finding::{Code, Finding};
use crate::interlock::keys::ext;
use crate::interlock::names::service_name_problem;
use crate::interlock::{Extension, InterlockConfig, ServiceRole};

/// Service names already taken: by which extension, under which key.
type Taken<'c> = HashMap<String, (String, &'static str)>;

pub fn check(cfg: &InterlockConfig, out: &mut Vec<Finding>) {
    let many = cfg.extensions.len() > 1;
    let mut clusters: HashMap<String, &str> = HashMap::new();
    let mut taken: Taken = HashMap::new();
    for e in &cfg.extensions {
        service_cluster(e, many, &mut clusters, out);
        service_names(e, &mut taken, out);
        if !services(e).iter().any(|s| s.role == ServiceRole::Extension) {
            out.push(
                Finding::warning(
                    Code::MissingServiceName,
                    format!(
                        "extension `{}` has no ServiceName: Docker gives its service a random name",
                        e.name
                    ),
                )
                .at(e.path().key(ext::SERVICE_NAME))
                .hint("name it, so that it can be found, checked and cleaned up"),
            );
        }
    }
}

/// One ServiceCluster per extension, and none missing once there are several.
fn service_cluster<'c>(
    e: &'c Extension,
    many: bool,
    clusters: &mut HashMap<String, &'c str>,
    out: &mut Vec<Finding>,
) {
    let path = e.path().key(ext::SERVICE_CLUSTER);
    let sc = e.service_cluster.clone().unwrap_or_default();
    if let Some(other) = clusters.get(&sc.to_ascii_lowercase()) {
        let msg = if sc.is_empty() {
            format!(
                "extensions `{other}` and `{}` both have no ServiceCluster: Interlock cannot tell their services apart",
                e.name
            )
        } else {
            format!(
                "extensions `{other}` and `{}` both have ServiceCluster \"{sc}\"",
                e.name
            )
        };
        out.push(
            Finding::error(Code::DuplicateServiceCluster, msg)
                .at(path.clone())
                .hint(
                    "each extension serves one service cluster; give each its own ServiceCluster",
                ),
        );
    } else {
        clusters.insert(sc.to_ascii_lowercase(), &e.name);
    }
    if many && e.service_cluster.is_none() {
        out.push(
            Finding::warning(
                Code::MissingServiceCluster,
                format!("extension `{}` has no ServiceCluster while others exist", e.name),
            )
            .at(path)
            .hint("applications choose a cluster with the label com.docker.lb.service_cluster=<ServiceCluster>"),
        );
    }
}

/// The extension, proxy and config service names (as Interlock names them, the default proxy
/// name included): valid, and each used once.
fn service_names(e: &Extension, taken: &mut Taken, out: &mut Vec<Finding>) {
    for s in services(e) {
        let (key, name) = (s.key(), s.name.as_str());
        let kp = e.path().key(key);
        if let Some(problem) = service_name_problem(name) {
            out.push(
                Finding::error(Code::InvalidName, format!("{key} \"{name}\" {problem}"))
                    .at(kp.clone())
                    .hint("swarm service names are DNS labels: letters, digits, '-' and '_', at most 63"),
            );
        }
        if let Some((other_ext, other_key)) = taken.get(name) {
            out.push(
                Finding::error(
                    Code::DuplicateServiceName,
                    format!(
                        "service name \"{name}\" is used by {key} of `{}` and by {other_key} of `{other_ext}`",
                        e.name
                    ),
                )
                .at(kp)
                .hint("every extension, proxy and config service needs its own name"),
            );
        } else {
            taken.insert(name.to_string(), (e.name.clone(), key));
        }
    }
}
