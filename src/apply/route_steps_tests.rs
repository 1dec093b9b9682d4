//! When an awaited route is there, on hand-built configs and tasks: Interlock first writes the
//! proxy a config with the host, then swarm rolls the proxy's tasks onto it; only a proxy whose
//! tasks run that config routes the host.

use super::*;
use crate::cluster::{Node, Task};
use crate::route::proxy_config::ServedHost;

fn node(id: &str, state: &str) -> Node {
    crate::apply::testing::fixture::worker(id, state)
}

fn task(node: &str, state: &str, config: &str) -> Task {
    Task {
        service_id: "proxy".into(),
        node_id: Some(node.into()),
        state: state.into(),
        desired_state: "running".into(),
        error: None,
        configs: vec![config.into()],
    }
}

fn mounted(id: &str, hosts: &[&str]) -> MountedRoutes {
    MountedRoutes {
        config_id: id.into(),
        hosts: hosts
            .iter()
            .map(|h| ServedHost {
                host: h.to_string(),
                upstreams: Vec::new(),
            })
            .collect(),
    }
}

/// What one look decides, as `look` computes it from what it read.
fn decide(
    hosts: &[&str],
    m: &MountedRoutes,
    tasks: &[Task],
    nodes: &[Node],
    want: u64,
) -> RouteStanding {
    let hosts: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
    let running = watch::running_on(watch::Placement { tasks, nodes }, &m.config_id);
    standing(unrouted(&hosts, m), running, want)
}

#[test]
fn a_route_is_there_once_the_proxys_tasks_run_the_config_that_has_it() {
    let nodes = [node("n1", "ready"), node("n2", "ready")];
    let hosts = ["shop.example", "www.shop.example"];
    // 1. The proxy's config does not name the hosts yet.
    let old = mounted("c1", &["plain.example"]);
    let running_old = [task("n1", "running", "c1"), task("n2", "running", "c1")];
    assert_eq!(
        decide(&hosts, &old, &running_old, &nodes, 2),
        RouteStanding::NotConfigured(hosts.map(String::from).to_vec())
    );
    // 2. Interlock wrote a config with one of them: the other is still missing.
    let half = mounted("c2", &["SHOP.example"]);
    assert_eq!(
        decide(&hosts, &half, &running_old, &nodes, 2),
        RouteStanding::NotConfigured(vec!["www.shop.example".into()])
    );
    // 3. The config has both; swarm has not rolled a task onto it yet.
    let new = mounted("c3", &["shop.example", "www.shop.example"]);
    assert_eq!(
        decide(&hosts, &new, &running_old, &nodes, 2),
        RouteStanding::Starting {
            running: 0,
            want: 2
        }
    );
    // 4. One task runs it, the other is starting on it.
    let rolling = [task("n1", "running", "c3"), task("n2", "starting", "c3")];
    assert_eq!(
        decide(&hosts, &new, &rolling, &nodes, 2),
        RouteStanding::Starting {
            running: 1,
            want: 2
        }
    );
    // 5. Both run it, but one on a node that went down: not counted.
    let down = [node("n1", "ready"), node("n2", "down")];
    let both = [task("n1", "running", "c3"), task("n2", "running", "c3")];
    assert_eq!(
        decide(&hosts, &new, &both, &down, 2),
        RouteStanding::Starting {
            running: 1,
            want: 2
        }
    );
    // 6. Both run it on ready nodes: routed.
    assert_eq!(
        decide(&hosts, &new, &both, &nodes, 2),
        RouteStanding::Routed
    );
}
