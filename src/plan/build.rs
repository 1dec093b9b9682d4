//! Building the plan: the pure function at the heart of the tool.

use super::diff;
use super::live;
use super::relocate::Relocator;
use super::routes;
use super::stale::retired;
use super::{Action, ClusterPlan, Plan, Services, Source, StaleService, Summary, When};
use crate::check;
use crate::cluster::Snapshot;
use crate::extension::services::{proxy_name, services};
use crate::extension::{ProxySpec, drift};
use crate::finding::{self, Code, Finding, Severity};
use crate::interlock::CORE_SERVICE;
use crate::interlock::config::ServiceRole;
use crate::interlock::names::{NextNameError, next_config_name};
use crate::interlock::{Extension, InterlockConfig, host_port};
use crate::locate::Locator;
use crate::spec::Spec;
use crate::split::{self, ClusterStatus, SplitError, SplitOutcome};

/// What a plan is computed from.
pub struct Inputs<'a> {
    /// The current Interlock TOML.
    pub current: &'a str,
    pub source: Source,
    pub spec: &'a Spec,
    pub spec_text: &'a str,
    /// Names of the interlock configs that exist, for the next versioned name.
    pub existing_configs: &'a [String],
    /// The cluster, for a live plan.
    pub snapshot: Option<&'a Snapshot>,
    /// How many interlock configs to keep (`--keep-configs`).
    pub keep_configs: usize,
}

/// Plans from the cluster: the config in use (its name and TOML) and a snapshot of the rest,
/// whose configs are the names a new version must not take.
pub fn build_live(
    current: &str,
    config_name: &str,
    snapshot: &Snapshot,
    spec: &Spec,
    spec_text: &str,
    keep_configs: usize,
) -> Result<Plan, Vec<Finding>> {
    let existing = snapshot.config_names();
    build(&Inputs {
        current,
        source: Source {
            kind: super::SourceKind::Cluster,
            path: None,
            config_name: Some(config_name.to_string()),
        },
        spec,
        spec_text,
        existing_configs: &existing,
        snapshot: Some(snapshot),
        keep_configs,
    })
}

/// Interlock configs to remove: beyond the newest `keep`, and never the one in use, the one
/// before it, or the one being created.
pub fn prune_candidates(
    existing: &[String],
    in_use: &str,
    new: Option<&str>,
    keep: usize,
) -> Vec<String> {
    use crate::interlock::names::config_version;
    let mut all: Vec<&str> = existing.iter().map(String::as_str).collect();
    if let Some(n) = new
        && !all.contains(&n)
    {
        all.push(n);
    }
    all.sort_by_key(|n| (config_version(n).unwrap_or(1), n.to_string()));
    let in_use_pos = all.iter().position(|n| *n == in_use);
    let previous = in_use_pos.and_then(|i| i.checked_sub(1)).map(|i| all[i]);
    let cut = all.len().saturating_sub(keep.max(2));
    all[..cut]
        .iter()
        .filter(|n| **n != in_use && Some(**n) != new && Some(**n) != previous)
        .map(|n| n.to_string())
        .collect()
}

fn source_label(s: &Source) -> String {
    s.path
        .clone()
        .or_else(|| s.config_name.clone())
        .unwrap_or_else(|| "current".into())
}

/// Plans the split. Fails only when no new config can be computed at all (a syntax error,
/// no template); every other problem is a finding in the plan.
pub fn build(inputs: &Inputs) -> Result<Plan, Vec<Finding>> {
    let label = source_label(&inputs.source);
    let next_config = next_config(inputs)?;
    let current_locator = Locator::new(label.clone(), inputs.current);
    let outcome = split_current(inputs, &label, &current_locator)?;
    let old = &outcome.current;
    let (_, new) = InterlockConfig::parse(&outcome.text).expect("split wrote valid TOML");
    let changed = outcome.changed(inputs.current);

    let spec_locator = Locator::new(inputs.spec.file.clone(), inputs.spec_text);
    let relocator = Relocator {
        spec: &spec_locator,
        current: &current_locator,
        outcome: &outcome,
    };
    let live = inputs
        .snapshot
        .map(|snap| live::analyse(old, &new, inputs.spec, snap));
    let mut routes = inputs
        .snapshot
        .map(|snap| routes::analyse(old, &new, inputs.spec, snap))
        .unwrap_or_default();
    let stale = match &live {
        Some(l) => l.stale.clone(),
        None if changed => retired(old, &new, None),
        None => Vec::new(),
    };

    let clusters: Vec<ClusterPlan> = outcome
        .clusters
        .iter()
        .map(|c| cluster_plan(c, new.extension(&c.name)))
        .collect();
    let changed_to = changed.then_some(next_config);
    let actions = actions(
        inputs,
        &outcome,
        &new,
        live.as_ref(),
        &routes,
        &stale,
        changed_to,
    );
    routes
        .findings
        .extend(routes::gaps(&mut routes.apps, &actions, &new));
    let findings = all_findings(&outcome, &new, live.as_ref(), &routes, &stale, &relocator);
    let summary = summary(&outcome, &stale, &findings);
    let diff = diff::unified(
        inputs.current,
        &outcome.text,
        &format!("a/{label}"),
        "b/planned",
    );
    Ok(Plan {
        current: inputs.source.clone(),
        spec: inputs.spec.file.clone(),
        template: outcome.template.clone(),
        changed,
        summary,
        clusters,
        removed_extensions: outcome.removed_extensions.clone(),
        stale_services: stale,
        routes: routes.apps,
        findings,
        actions,
        diff,
        new_config: outcome.text,
    })
}

/// The name the new config is uploaded under; a name that cannot be versioned stops the plan.
fn next_config(inputs: &Inputs) -> Result<Option<String>, Vec<Finding>> {
    let Some(current) = inputs.source.config_name.as_deref() else {
        return Ok(None);
    };
    next_config_name(current, inputs.existing_configs)
        .map(Some)
        .map_err(|e| {
            let code = match e {
                NextNameError::Invalid { .. } => Code::InvalidConfigName,
                NextNameError::Overflow { .. } => Code::ConfigVersionOverflow,
            };
            vec![Finding::error(code, e.message()).hint(e.hint())]
        })
}

/// The split of the current config, or the one finding that says why there is none.
fn split_current(
    inputs: &Inputs,
    label: &str,
    locator: &Locator,
) -> Result<SplitOutcome, Vec<Finding>> {
    split::split(inputs.current, inputs.spec).map_err(|e| {
        let mut f = e.to_finding();
        if let SplitError::Syntax(s) = &e {
            f.location = Some(crate::locate::Location {
                file: label.to_string(),
                line: s.line,
                column: s.column,
            });
        }
        vec![f.located(locator)]
    })
}

/// The split's notes, the checks of the new config, the live checks and the stale port
/// holders, each pointed at the line to edit; errors first.
fn all_findings(
    outcome: &SplitOutcome,
    new: &InterlockConfig,
    live: Option<&live::Live>,
    routes: &routes::Routes,
    stale: &[StaleService],
    relocator: &Relocator,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = outcome
        .notes
        .iter()
        .cloned()
        .chain(check::config(new))
        .chain(live.into_iter().flat_map(|l| l.findings.iter().cloned()))
        .chain(routes.findings.iter().cloned())
        .map(|f| relocator.locate(f))
        .collect();
    findings.extend(
        stale
            .iter()
            .filter(|s| !s.blocks.is_empty())
            .map(stale_port_holder),
    );
    check::sort(&mut findings);
    findings
}

fn stale_port_holder(s: &StaleService) -> Finding {
    let (ports, clusters) = (s.frees_ports(), s.needed_by());
    let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
    Finding::warning(
        Code::StalePortHolder,
        format!(
            "`{}` is being retired but holds {} {} that `{}` {}: apply removes it right after `{CORE_SERVICE}` runs the new config, so that Interlock can create the new proxy; traffic on {} stops until that proxy is up",
            s.service,
            if ports.len() == 1 { "port" } else { "ports" },
            ports.join(", "),
            clusters.join("`, `"),
            if clusters.len() == 1 { "needs" } else { "need" },
            if ports.len() == 1 { "that port" } else { "those ports" }
        ),
    )
    .hint(match (s.role, clusters.as_slice()) {
        (ServiceRole::Proxy, [cluster]) => format!(
            "{}; or run apply in a change window",
            routes::gap::adopt_line(cluster, &s.service)
        ),
        _ => "run apply in a change window, or move the new cluster to other ports first and swap in the load balancer".into(),
    })
}

/// The actions, in the order apply takes them.
fn actions(
    inputs: &Inputs,
    outcome: &SplitOutcome,
    new: &InterlockConfig,
    live: Option<&live::Live>,
    routes: &routes::Routes,
    stale: &[StaleService],
    changed_to: Option<Option<String>>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    // Labels first: the new proxies can then be scheduled the moment Interlock creates them,
    // which keeps the gap on ports handed over from a stale proxy short. Then the networks
    // the new config names, which must exist before the core runs it.
    if let Some(l) = live {
        actions.extend(l.label_actions.iter().cloned());
    }
    actions.extend(routes.networks.iter().cloned());
    if let Some(next) = changed_to {
        actions.extend(core_actions(inputs, new, next));
    }
    for s in stale.iter().filter(|s| !s.blocks.is_empty()) {
        actions.push(remove(s, When::BeforeNewProxies));
    }
    actions.extend(cluster_actions(inputs, outcome, new, live.is_some()));
    if let Some(l) = live {
        actions.extend(l.reconcile.iter().cloned());
    }
    // The applications move once their new proxies run, and their old routes go only after
    // the new ones serve them.
    actions.extend(routes.moves.iter().cloned());
    for s in stale.iter().filter(|s| s.blocks.is_empty()) {
        actions.push(remove(s, When::AfterNewProxies));
    }
    actions.extend(prune_action(inputs, &actions));
    actions
}

/// Upload the new config under the next versioned name, and point the core at it.
fn core_actions(inputs: &Inputs, new: &InterlockConfig, next: Option<String>) -> [Action; 2] {
    [
        Action::CreateConfig {
            name: next.clone(),
            previous: inputs.source.config_name.clone(),
        },
        Action::UpdateCoreService {
            from: inputs.source.config_name.clone(),
            to: next,
            core_host_port: host_port(new),
        },
    ]
}

/// The services Interlock will create, and (planned from a file) the proxies whose config
/// changes in a way Interlock does not apply to them. A live plan finds drift on the proxies
/// themselves instead.
fn cluster_actions(
    inputs: &Inputs,
    outcome: &SplitOutcome,
    new: &InterlockConfig,
    is_live: bool,
) -> Vec<Action> {
    let old = &outcome.current;
    let old_names: Vec<String> = old
        .extensions
        .iter()
        .flat_map(services)
        .map(|s| s.name)
        .collect();
    let mut actions = Vec::new();
    for c in &outcome.clusters {
        let Some(e) = new.extension(&c.name) else {
            continue;
        };
        for s in services(e) {
            let exists = match inputs.snapshot {
                Some(snap) => snap.service(&s.name).is_some(),
                None => old_names.contains(&s.name),
            };
            if !exists {
                actions.push(await_service(e, s.role, &s.name));
            }
        }
        if is_live || c.status != ClusterStatus::Update {
            continue;
        }
        let proxy = proxy_name(e);
        if let Some(before) = old.extension(&c.name)
            && old_names.iter().any(|n| n == proxy)
        {
            let want = ProxySpec::of(e);
            let found = drift::drift(&ProxySpec::of(before), &want);
            if !found.is_empty() {
                actions.push(Action::ReconcileProxy {
                    service: proxy.to_string(),
                    cluster: c.name.clone(),
                    spec: want,
                    drift: found,
                });
            }
        }
    }
    actions
}

/// Old interlock configs to remove, on a live plan that knows the config in use.
fn prune_action(inputs: &Inputs, actions: &[Action]) -> Option<Action> {
    inputs.snapshot?;
    let in_use = inputs.source.config_name.as_deref()?;
    let new = actions.iter().find_map(|a| match a {
        Action::CreateConfig { name, .. } => name.clone(),
        _ => None,
    });
    let remove = prune_candidates(
        inputs.existing_configs,
        in_use,
        new.as_deref(),
        inputs.keep_configs,
    );
    (!remove.is_empty()).then_some(Action::PruneConfigs {
        keep: inputs.keep_configs,
        remove,
    })
}

fn summary(outcome: &SplitOutcome, stale: &[StaleService], findings: &[Finding]) -> Summary {
    Summary {
        create: count(&outcome.clusters, ClusterStatus::Create),
        update: count(&outcome.clusters, ClusterStatus::Update),
        unchanged: count(&outcome.clusters, ClusterStatus::Unchanged),
        removed_extensions: outcome.removed_extensions.len(),
        stale_services: stale.len(),
        errors: finding::count(findings, Severity::Error),
        warnings: finding::count(findings, Severity::Warning),
    }
}

fn count(cs: &[split::ClusterChange], s: ClusterStatus) -> usize {
    cs.iter().filter(|c| c.status == s).count()
}

fn remove(s: &StaleService, when: When) -> Action {
    Action::RemoveStaleService {
        service: s.service.clone(),
        role: s.role,
        extension: s.extension.clone(),
        when,
        frees_ports: s.frees_ports(),
        needed_by: s.needed_by(),
    }
}

fn await_service(e: &Extension, role: ServiceRole, name: &str) -> Action {
    let proxy = ProxySpec::of(e);
    let (replicas, ports, constraints) = match role {
        ServiceRole::Proxy => (
            proxy.replicas,
            proxy.ports,
            proxy.constraints.as_slice().to_vec(),
        ),
        ServiceRole::Extension | ServiceRole::Config => (None, Vec::new(), e.constraints.clone()),
    };
    Action::AwaitService {
        service: name.to_string(),
        role,
        cluster: e.name.clone(),
        replicas,
        ports,
        constraints,
    }
}

fn cluster_plan(c: &split::ClusterChange, e: Option<&Extension>) -> ClusterPlan {
    let e = e.cloned().unwrap_or_default();
    let named = |role| {
        services(&e)
            .into_iter()
            .find(|s| s.role == role)
            .map(|s| s.name)
    };
    ClusterPlan {
        name: c.name.clone(),
        status: c.status,
        service_cluster: e.service_cluster.clone(),
        services: Services {
            extension: named(ServiceRole::Extension),
            proxy: named(ServiceRole::Proxy),
            config: named(ServiceRole::Config),
        },
        proxy: ProxySpec::of(&e),
        constraints: e.constraints.clone(),
        changed_keys: c.changed_keys.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PortNeed;

    /// Two clusters needing the same two ports of one stale proxy: each port and each cluster
    /// is named once.
    #[test]
    fn a_stale_port_holder_names_each_port_and_cluster_once() {
        let need = |port: u16, cluster: &str| PortNeed {
            port,
            cluster: cluster.into(),
        };
        let s = StaleService {
            service: "ucp-interlock-proxy".into(),
            role: ServiceRole::Proxy,
            extension: "default".into(),
            ports: vec![8080, 8443],
            blocks: vec![
                need(8080, "b"),
                need(8443, "b"),
                need(8080, "c"),
                need(8443, "c"),
            ],
        };
        let Action::RemoveStaleService {
            frees_ports,
            needed_by,
            ..
        } = remove(&s, When::BeforeNewProxies)
        else {
            panic!("not a removal");
        };
        assert_eq!(frees_ports, [8080, 8443]);
        assert_eq!(needed_by, ["b", "c"]);
    }
}
