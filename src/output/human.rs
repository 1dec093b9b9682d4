//! The plan and findings, for people at a terminal or reading a change ticket.

use std::fmt::Write;

use super::style::Styler;
use crate::extension::{PortRole, ProxySpec};
use crate::finding::{Finding, Severity};
use crate::interlock::config::ServiceRole;
use crate::interlock::{CONFIG_TARGET, CORE_SERVICE};
use crate::plan::{Action, ClusterPlan, Plan, When};
use crate::split::ClusterStatus;

/// `error[code]: path: message`, then where and how to fix it.
pub fn finding(f: &Finding, s: &Styler) -> String {
    let sev = match f.severity {
        Severity::Error => s.red_bold("error"),
        Severity::Warning => s.yellow_bold("warning"),
        Severity::Info => s.cyan("note"),
    };
    let mut out = format!("{sev}[{}]: ", f.code);
    if let Some(p) = &f.path {
        let _ = write!(out, "{}: ", s.bold(&p.to_string()));
    }
    out.push_str(&f.message);
    out.push('\n');
    if let Some(l) = &f.location {
        let _ = writeln!(out, "  {} {l}", s.cyan("-->"));
    }
    if let Some(h) = &f.hint {
        let _ = writeln!(out, "  {} {h}", s.cyan("= hint:"));
    }
    out
}

pub fn findings(fs: &[Finding], s: &Styler) -> String {
    fs.iter()
        .map(|f| finding(f, s))
        .collect::<Vec<_>>()
        .join("")
}

/// Colours a unified diff line by line.
pub fn diff(d: &str, s: &Styler) -> String {
    let mut out = String::with_capacity(d.len());
    for line in d.split_inclusive('\n') {
        let (body, nl) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        let painted = if body.starts_with("+++") || body.starts_with("---") {
            s.bold(body)
        } else if body.starts_with('+') {
            s.green(body)
        } else if body.starts_with('-') {
            s.red(body)
        } else if body.starts_with("@@") {
            s.cyan(body)
        } else {
            body.to_string()
        };
        out.push_str(&painted);
        out.push_str(nl);
    }
    out
}

/// `8080/8443`: the published HTTP and HTTPS ports, `-` for one the proxy does not publish.
pub fn http_https(proxy: &ProxySpec) -> String {
    let p = |role| {
        proxy
            .port(role)
            .map_or("-".to_string(), |x| x.published.to_string())
    };
    format!("{}/{}", p(PortRole::Http), p(PortRole::Https))
}

fn label_constraints(cs: &[String]) -> String {
    // The UCP defaults say little; the cluster-specific ones are what a reviewer checks.
    let specific: Vec<&str> = cs
        .iter()
        .map(String::as_str)
        .filter(|c| {
            !c.starts_with("node.labels.com.docker.ucp.orchestrator")
                && !c.starts_with("node.platform.os")
        })
        .collect();
    if specific.is_empty() {
        "anywhere".into()
    } else {
        specific.join(", ")
    }
}

fn cluster_line(c: &ClusterPlan, s: &Styler, width: usize) -> String {
    let (mark, status) = match c.status {
        ClusterStatus::Create => (s.green("+"), s.green("create")),
        ClusterStatus::Update => (s.yellow("~"), s.yellow("update")),
        ClusterStatus::Unchanged => (" ".to_string(), s.dim("unchanged")),
    };
    let mode = c.proxy.mode.as_str();
    let replicas = c.proxy.replicas.map_or("? proxies".into(), |n| {
        format!("{n} {}", if n == 1 { "proxy" } else { "proxies" })
    });
    let pad = " ".repeat(width.saturating_sub(c.name.len()));
    let status_pad = " ".repeat(9usize.saturating_sub(match c.status {
        ClusterStatus::Create | ClusterStatus::Update => 6,
        ClusterStatus::Unchanged => 9,
    }));
    let mut line = format!(
        "  {mark} {}{pad}  {status}{status_pad}  {mode:<7}  {:<11}  {replicas:<10}  on {}",
        s.bold(&c.name),
        http_https(&c.proxy),
        label_constraints(c.proxy.constraints.as_slice())
    );
    if c.status == ClusterStatus::Update {
        let _ = write!(line, "  ({})", c.changed_keys.join(", "));
    }
    line.push('\n');
    line
}

fn port_list(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn create_config(name: &Option<String>, previous: &Option<String>, s: &Styler) -> String {
    let name = name.clone().unwrap_or_else(|| {
        "com.docker.ucp.interlock.conf-<N+1> (named at apply time from the configs on the cluster)"
            .into()
    });
    match previous {
        Some(p) => format!("create config {} (next version after {p})", s.bold(&name)),
        None => format!("create config {}", s.bold(&name)),
    }
}

fn update_core(
    from: &Option<String>,
    to: &Option<String>,
    host_port: Option<u16>,
    s: &Styler,
) -> String {
    let publish = host_port
        .map(|p| {
            format!(", publishing its port {p} in host mode (the proxies publish in host mode)")
        })
        .unwrap_or_default();
    format!(
        "update service {}: {CONFIG_TARGET} from {} to {}, with --update-failure-action rollback{publish}; wait for it to converge",
        s.bold(CORE_SERVICE),
        from.as_deref().unwrap_or("the config in use"),
        to.as_deref().unwrap_or("the new config"),
    )
}

fn remove_stale(
    service: &str,
    role: ServiceRole,
    extension: &str,
    when: When,
    frees_ports: &[u16],
    needed_by: &[String],
    s: &Styler,
) -> String {
    match when {
        When::BeforeNewProxies => format!(
            "remove stale {} service {} (of `{extension}`) as soon as the new config runs: it holds {} {} that {} {} {}",
            role.as_str(),
            s.bold(service),
            if frees_ports.len() == 1 {
                "port"
            } else {
                "ports"
            },
            port_list(frees_ports),
            needed_by.join(", "),
            if needed_by.len() == 1 {
                "needs"
            } else {
                "need"
            },
            s.yellow("(traffic gap on these ports)")
        ),
        When::AfterNewProxies => format!(
            "remove stale {} service {} (of `{extension}`)",
            role.as_str(),
            s.bold(service)
        ),
    }
}

/// The line of an await-service action.
fn await_service(a: &Action, s: &Styler) -> String {
    let Action::AwaitService {
        service,
        role,
        cluster,
        replicas,
        ports,
        constraints,
    } = a
    else {
        unreachable!("not an await-service action")
    };
    let mut line = format!(
        "wait for Interlock to create {} service {} for `{cluster}`",
        role.as_str(),
        s.bold(service)
    );
    if let Some(n) = replicas {
        let _ = write!(
            line,
            ": {n} {}",
            if *n == 1 { "replica" } else { "replicas" }
        );
    }
    if !ports.is_empty() {
        let ps: Vec<String> = ports.iter().map(|p| p.to_string()).collect();
        let _ = write!(line, ", {} {}", ports[0].mode.as_str(), ps.join(", "));
    }
    if *role == crate::interlock::config::ServiceRole::Proxy {
        let _ = write!(line, ", on {}", label_constraints(constraints));
    }
    line
}

/// One line per action, numbered as apply runs them.
pub fn action(a: &Action, s: &Styler) -> String {
    if let Some(line) = super::routes::action(a, s) {
        return line;
    }
    match a {
        Action::CreateConfig { name, previous } => create_config(name, previous, s),
        Action::UpdateCoreService {
            from,
            to,
            core_host_port,
        } => update_core(from, to, *core_host_port, s),
        Action::RemoveStaleService {
            service,
            role,
            extension,
            when,
            frees_ports,
            needed_by,
        } => remove_stale(service, *role, extension, *when, frees_ports, needed_by, s),
        Action::AwaitService { .. } => await_service(a, s),
        Action::LabelNode {
            hostname,
            key,
            value,
            previous,
            ..
        } => match previous {
            Some(p) => format!("relabel node {}: {key}={value} (was {p})", s.bold(hostname)),
            None => format!("label node {}: {key}={value}", s.bold(hostname)),
        },
        Action::PruneConfigs { keep, remove } => format!(
            "remove old interlock configs, keeping the newest {keep}: {}",
            remove.join(", ")
        ),
        Action::CreateNetwork { .. } | Action::RelabelApp { .. } | Action::AwaitRoute { .. } => {
            unreachable!("worded by output::routes")
        }
        Action::ReconcileProxy {
            service,
            cluster,
            drift,
            ..
        } => format!(
            "bring existing proxy {} of `{cluster}` in line with the new config ({}): Interlock does not change proxies it already created",
            s.bold(service),
            drift
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

pub fn plan(p: &Plan, s: &Styler) -> String {
    let mut out = header(p, s);
    out.push('\n');
    out.push_str(&clusters(p, s));
    out.push('\n');

    if !p.findings.is_empty() {
        let _ = writeln!(out, "{}", s.bold("Findings:"));
        out.push_str(&findings(&p.findings, s));
        out.push('\n');
    }

    if !p.has_changes() {
        let _ = writeln!(
            out,
            "{} The config already matches the spec; apply would do nothing.",
            s.green("No changes.")
        );
        return out;
    }

    if p.changed {
        let _ = writeln!(out, "{}", s.bold("Config changes:"));
        out.push_str(&diff(&p.diff, s));
        out.push('\n');
    } else {
        let _ = writeln!(
            out,
            "The config already matches the spec; the cluster does not yet.\n"
        );
    }
    let routes = super::routes::section(&p.routes, s);
    if !routes.is_empty() {
        out.push_str(&routes);
        out.push('\n');
    }
    out.push_str(&actions(p, s));
    out.push('\n');
    out.push_str(&summary(p, s));
    out
}

/// What is split into what, and from which template.
fn header(p: &Plan, s: &Styler) -> String {
    let mut out = String::new();
    let source = p
        .current
        .path
        .clone()
        .or_else(|| p.current.config_name.clone())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {} into {} service {} (spec {})",
        s.bold("Plan:"),
        source,
        p.clusters.len(),
        if p.clusters.len() == 1 {
            "cluster"
        } else {
            "clusters"
        },
        p.spec
    );
    let t = &p.template;
    let _ = writeln!(
        out,
        "Template: `{}`{}{}",
        t.name,
        t.substitute_for
            .as_ref()
            .map(|w| format!(" (standing in for `{w}`, which is gone)"))
            .unwrap_or_default(),
        if t.removed {
            ", removed after the split"
        } else {
            ""
        }
    );
    out
}

fn clusters(p: &Plan, s: &Styler) -> String {
    let mut out = String::new();
    let width = p.clusters.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let _ = writeln!(out, "{}", s.bold("Service clusters:"));
    for c in &p.clusters {
        out.push_str(&cluster_line(c, s, width));
    }
    for r in &p.removed_extensions {
        let pad = " ".repeat(width.saturating_sub(r.len()));
        let _ = writeln!(
            out,
            "  {} {}{pad}  {}",
            s.red("-"),
            s.bold(r),
            s.red("remove")
        );
    }
    out
}

fn actions(p: &Plan, s: &Styler) -> String {
    let mut out = String::new();
    if p.has_errors() {
        let _ = writeln!(
            out,
            "{} {}",
            s.bold("Actions apply would take"),
            s.red_bold("once the errors above are fixed (it refuses a plan with errors):")
        );
    } else {
        let _ = writeln!(out, "{}", s.bold("Actions, in the order apply takes them:"));
    }
    let mut phase = None;
    for (i, a) in p.actions.iter().enumerate() {
        if phase != Some(a.phase()) {
            phase = Some(a.phase());
            let _ = writeln!(out, "  {}", s.dim(&format!("— {}", a.phase().title())));
        }
        let _ = writeln!(out, "  {:>2}. {}", i + 1, action(a, s));
    }
    out
}

fn summary(p: &Plan, s: &Styler) -> String {
    let sm = &p.summary;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    format!(
        "{} {} to create, {} to update, {} unchanged; {} extension{} removed; {} stale service{}. {} error{}, {} warning{}.\n",
        s.bold("Summary:"),
        sm.create,
        sm.update,
        sm.unchanged,
        sm.removed_extensions,
        plural(sm.removed_extensions),
        sm.stale_services,
        plural(sm.stale_services),
        sm.errors,
        plural(sm.errors),
        sm.warnings,
        plural(sm.warnings),
    )
}
