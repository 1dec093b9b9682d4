//! The multi-node bed's network: one bridge in the root namespace, and per node a network
//! namespace joined to it by a veth pair, with an address of its own on a private test subnet.
//!
//! Every name starts with [`PREFIX`], so that the leftovers of an aborted run can be found and
//! removed without touching anything else on the machine (the machine's own Docker engine,
//! its bridges and firewall rules).

use std::process::Command;
use std::time::Duration;

use super::{lines, run_with_timeout};

/// Prefix of every namespace, link and cgroup folder the bed makes.
pub const PREFIX: &str = "isplit";
/// The bridge in the root namespace.
pub const BRIDGE: &str = "isplit-br";
/// The test subnet's first three octets; the bridge is `.1`, node `i` is `.(11 + i)`.
pub const SUBNET: &str = "10.213.77";

/// The namespace of node `i`.
pub fn namespace(i: usize) -> String {
    format!("{PREFIX}-n{i}")
}

/// The address of node `i` on the test subnet.
pub fn address(i: usize) -> String {
    format!("{SUBNET}.{}", 11 + i)
}

/// The root-namespace end of node `i`'s veth pair (the other end becomes `eth0` inside).
fn host_link(i: usize) -> String {
    format!("{PREFIX}-h{i}")
}

/// Runs a command (30 s at most); `Err` with its stderr unless it succeeds.
pub fn sh(program: &str, args: &[&str]) -> Result<String, String> {
    let out = run_with_timeout(Command::new(program).args(args), Duration::from_secs(30))
        .map_err(|e| format!("{program} {}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{program} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The firewall rule that lets node-to-node traffic cross the bridge: the machine's Docker sets
/// the FORWARD policy to DROP and bridged traffic goes through iptables.
fn forward_rule() -> [&'static str; 6] {
    ["-i", BRIDGE, "-o", BRIDGE, "-j", "ACCEPT"]
}

/// Creates the bridge (with the `.1` address) and the firewall rule.
pub fn create_bridge() -> Result<(), String> {
    sh("ip", &["link", "add", BRIDGE, "type", "bridge"])?;
    sh(
        "ip",
        &["addr", "add", &format!("{SUBNET}.1/24"), "dev", BRIDGE],
    )?;
    sh("ip", &["link", "set", BRIDGE, "up"])?;
    let mut args = vec!["-I", "FORWARD"];
    args.extend(forward_rule());
    sh("iptables", &args).map(|_| ())
}

/// Creates node `i`'s namespace, its veth pair on the bridge, its address, `lo` up.
pub fn create_node(i: usize) -> Result<(), String> {
    let ns = namespace(i);
    let host = host_link(i);
    let inner = format!("{PREFIX}-c{i}");
    sh("ip", &["netns", "add", &ns])?;
    sh(
        "ip",
        &["link", "add", &host, "type", "veth", "peer", "name", &inner],
    )?;
    sh("ip", &["link", "set", &host, "master", BRIDGE, "up"])?;
    sh("ip", &["link", "set", &inner, "netns", &ns])?;
    let in_ns = |args: &[&str]| {
        let mut all = vec!["-n", ns.as_str()];
        all.extend(args);
        sh("ip", &all)
    };
    in_ns(&["link", "set", &inner, "name", "eth0"])?;
    in_ns(&["addr", "add", &format!("{}/24", address(i)), "dev", "eth0"])?;
    in_ns(&["link", "set", "eth0", "up"])?;
    in_ns(&["link", "set", "lo", "up"])?;
    Ok(())
}

/// The chain inside a node's namespace that holds its partition rules.
const CUT_CHAIN: &str = "ISPLIT-CUT";

/// `iptables ARGS…` inside namespace `ns` (its own firewall; `-w` waits for the machine's
/// xtables lock, which the engines share).
fn iptables_in(ns: &str, args: &[&str]) -> Result<String, String> {
    let mut all = vec!["netns", "exec", ns, "iptables", "-w"];
    all.extend(args);
    sh("ip", &all)
}

/// Cuts node `i` off from the nodes at `addresses`: every packet between them is dropped, by
/// rules in node `i`'s own namespace. Both engines keep running (a partition, not a stop).
pub fn cut(i: usize, addresses: &[String]) -> Result<(), String> {
    let ns = namespace(i);
    iptables_in(&ns, &["-N", CUT_CHAIN])?;
    iptables_in(&ns, &["-I", "INPUT", "1", "-j", CUT_CHAIN])?;
    iptables_in(&ns, &["-I", "OUTPUT", "1", "-j", CUT_CHAIN])?;
    for addr in addresses {
        iptables_in(&ns, &["-A", CUT_CHAIN, "-s", addr, "-j", "DROP"])?;
        iptables_in(&ns, &["-A", CUT_CHAIN, "-d", addr, "-j", "DROP"])?;
    }
    Ok(())
}

/// Removes node `i`'s partition rules, whatever of them exists.
pub fn heal(i: usize) -> Vec<String> {
    let ns = namespace(i);
    let mut errors = Vec::new();
    if iptables_in(&ns, &["-S", CUT_CHAIN]).is_err() {
        return errors;
    }
    for hook in ["INPUT", "OUTPUT"] {
        while iptables_in(&ns, &["-C", hook, "-j", CUT_CHAIN]).is_ok() {
            if let Err(e) = iptables_in(&ns, &["-D", hook, "-j", CUT_CHAIN]) {
                errors.push(e);
                break;
            }
        }
    }
    for step in ["-F", "-X"] {
        if let Err(e) = iptables_in(&ns, &[step, CUT_CHAIN]) {
            errors.push(e);
        }
    }
    errors
}

/// Whether node `i`'s namespace holds partition rules.
pub fn is_cut(i: usize) -> bool {
    iptables_in(&namespace(i), &["-S", CUT_CHAIN]).is_ok()
}

/// The bed's namespaces that exist now.
pub fn namespaces() -> Vec<String> {
    sh("ip", &["netns", "list"])
        .map(|t| {
            lines(&t)
                .iter()
                .filter_map(|l| l.split_whitespace().next().map(str::to_string))
                .filter(|n| n.starts_with(&format!("{PREFIX}-")))
                .collect()
        })
        .unwrap_or_default()
}

/// PIDs of the processes in namespace `ns` (the engine, its containerd and shims).
pub fn pids_in(ns: &str) -> Vec<i32> {
    sh("ip", &["netns", "pids", ns])
        .map(|t| lines(&t).iter().filter_map(|p| p.parse().ok()).collect())
        .unwrap_or_default()
}

/// The bed's links in the root namespace.
pub fn links() -> Vec<String> {
    sh("ip", &["-o", "link", "show"])
        .map(|t| {
            lines(&t)
                .iter()
                .filter_map(|l| l.split(':').nth(1))
                .map(|n| n.trim().split('@').next().unwrap_or("").to_string())
                .filter(|n| n.starts_with(&format!("{PREFIX}-")))
                .collect()
        })
        .unwrap_or_default()
}

/// True when the firewall rule is in place.
pub fn has_forward_rule() -> bool {
    let mut args = vec!["-C", "FORWARD"];
    args.extend(forward_rule());
    sh("iptables", &args).is_ok()
}

/// Deletes the namespaces, links, bridge and firewall rule (whatever of them exists). The
/// engines must be gone first: a namespace whose engine still runs keeps its veth alive.
pub fn remove_all() -> Vec<String> {
    let mut errors = Vec::new();
    for ns in namespaces() {
        if let Err(e) = sh("ip", &["netns", "del", &ns]) {
            errors.push(e);
        }
    }
    for link in links() {
        // Deleting one end of a veth pair deletes both; the other may be gone already.
        let _ = sh("ip", &["link", "del", &link]);
    }
    while has_forward_rule() {
        let mut args = vec!["-D", "FORWARD"];
        args.extend(forward_rule());
        if let Err(e) = sh("iptables", &args) {
            errors.push(e);
            break;
        }
    }
    errors.extend(
        links()
            .into_iter()
            .map(|l| format!("link {l} still exists")),
    );
    errors
}
