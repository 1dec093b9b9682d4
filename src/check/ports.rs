//! Published ports: in range, unique where swarm needs them unique, clear of UCP and DTR.

use indexmap::IndexMap;

use crate::extension::ConstraintSet;
use crate::finding::{Code, Finding};
use crate::interlock::keys::ext;
use crate::interlock::{Extension, InterlockConfig, PublishMode};

/// TCP ports UCP/MKE listens on (manager and worker ports from the UCP system requirements).
pub const UCP_PORTS: &[u16] = &[
    179, 443, 2376, 2377, 6443, 6444, 7946, 9099, 10250, 12376, 12378, 12379, 12380, 12381, 12382,
    12383, 12384, 12385, 12386, 12387, 12388,
];

/// DTR's ports on the nodes it runs on.
pub const DTR_PORTS: &[u16] = &[80, 443];

/// Whether every proxy of `e` stays off managers, where UCP's own ports are.
fn off_managers(e: &Extension) -> bool {
    let set = ConstraintSet::from(e.proxy_constraints.as_slice());
    set.contains("node.role==worker") || set.contains("node.role!=manager")
}

/// Who publishes a port: the extension and the key, in config order.
type Users<'c> = Vec<(&'c Extension, &'static str)>;

pub fn check(cfg: &InterlockConfig, out: &mut Vec<Finding>) {
    // One pass collects every port's users; the clashes are then one finding per port, so
    // that a thousand extensions on one port make one finding, not half a million.
    let mut by_port: IndexMap<i64, Users> = IndexMap::new();
    for e in &cfg.extensions {
        target_ports(e, out);
        let ports = e.published_ports();
        if let [(_, a), (_, b)] = ports.as_slice()
            && a == b
        {
            out.push(
                Finding::error(
                    Code::PortConflict,
                    format!(
                        "extension `{}` publishes HTTP and HTTPS on the same port {a}",
                        e.name
                    ),
                )
                .at(e.path().key(ext::PUBLISHED_SSL_PORT)),
            );
        }
        for (key, p) in ports {
            if !(1..=65535).contains(&p) {
                out.push(
                    Finding::error(Code::PortRange, format!("{key} {p} is out of range"))
                        .at(e.path().key(key))
                        .hint("published ports go from 1 to 65535"),
                );
                continue;
            }
            reserved(e, key, p, out);
            by_port.entry(p).or_default().push((e, key));
        }
    }
    for (p, users) in &by_port {
        conflict(*p, users, out);
    }
}

fn mode(e: &Extension) -> PublishMode {
    e.publish_mode().unwrap_or(PublishMode::Ingress)
}

fn target_ports(e: &Extension, out: &mut Vec<Finding>) {
    for (key, port) in [
        (ext::TARGET_PORT, e.target_port),
        (ext::TARGET_SSL_PORT, e.target_ssl_port),
    ] {
        if let Some(p) = port
            && !(1..=65535).contains(&p)
        {
            out.push(
                Finding::error(
                    Code::PortRange,
                    format!("{key} {p} is out of range (1-65535)"),
                )
                .at(e.path().key(key)),
            );
        }
    }
}

/// A published port UCP or DTR listens on.
fn reserved(e: &Extension, key: &str, p: i64, out: &mut Vec<Finding>) {
    let (kp, mode, port) = (e.path().key(key), mode(e), p as u16);
    if UCP_PORTS.contains(&port) {
        match mode {
            PublishMode::Ingress => out.push(
                Finding::error(
                    Code::PortReserved,
                    format!("{key} {p} is a UCP port; in ingress mode swarm publishes it on every node, managers included"),
                )
                .at(kp.clone())
                .hint("pick another port, e.g. 8443 for HTTPS; the load balancer in front maps 443 to it"),
            ),
            PublishMode::Host if !off_managers(e) => out.push(
                Finding::warning(
                    Code::PortReserved,
                    format!("{key} {p} is a UCP port on managers, and nothing keeps this proxy off them"),
                )
                .at(kp.clone())
                .hint("add \"node.role==worker\" to the proxy constraints, or pick another port"),
            ),
            PublishMode::Host => {}
        }
    }
    if DTR_PORTS.contains(&port) && !(mode == PublishMode::Ingress && UCP_PORTS.contains(&port)) {
        out.push(
            Finding::warning(
                Code::PortDtr,
                format!("{key} {p}: DTR listens on 80 and 443 on its nodes"),
            )
            .at(kp)
            .hint(match mode {
                PublishMode::Ingress => "if DTR runs in this cluster, the proxy cannot bind there; use another port".to_string(),
                PublishMode::Host => "if DTR runs in this cluster, keep these proxies off DTR nodes with a constraint".to_string(),
            }),
        );
    }
}

/// The same published port in several extensions, unless all of them publish it in host
/// mode: one finding, at the first extension that clashes, naming every other one.
fn conflict(p: i64, users: &Users, out: &mut Vec<Finding>) {
    let mut ingress_before = false;
    let mut anchor = None;
    for (i, (e, _)) in users.iter().enumerate() {
        let ingress = mode(e) == PublishMode::Ingress;
        let other_before = users[..i].iter().any(|(o, _)| !std::ptr::eq(*o, *e));
        if other_before && (ingress || ingress_before) {
            anchor = Some(i);
            break;
        }
        ingress_before |= ingress;
    }
    let Some(at) = anchor else { return };
    let (e, key) = users[at];
    let others: Vec<String> = users
        .iter()
        .filter(|(o, _)| !std::ptr::eq(*o, e))
        .map(|(o, k)| format!("{k} of `{}`", o.name))
        .collect();
    out.push(
        Finding::error(
            Code::PortConflict,
            format!(
                "{key} {p} of `{}` is also {}; in ingress mode a published port belongs to one service on every node",
                e.name,
                others.join(", ")
            ),
        )
        .at(e.path().key(key))
        .hint("give each service cluster its own PublishedPort and PublishedSSLPort (such as 8080/8443, 8081/8444, 8082/8445)"),
    );
}
