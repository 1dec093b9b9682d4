//! Where the order of the actions leaves an application without a route. Its old route ends
//! when the proxy serving it goes (removed), or when that proxy's extension stops routing it
//! with the new config; its new route serves once the step that awaits it is done. When the
//! first comes before the second, the plan says so: no order of the steps avoids it, since a
//! proxy holding a port the new one needs must go first, and a config change reaches every
//! proxy of its extension at once.

use super::{AppRoute, Gap};
use crate::extension::services::proxy_name;
use crate::finding::{Code, Finding};
use crate::interlock::{InterlockConfig, ServiceRole};
use crate::plan::Action;
use crate::route::extension_for;

/// Fills in each moving application's gap, if any, and says where there is one.
pub fn gaps(routes: &mut [AppRoute], actions: &[Action], new: &InterlockConfig) -> Vec<Finding> {
    let step = |f: &dyn Fn(&Action) -> bool| actions.iter().position(f).map(|i| i + 1);
    let mut out = Vec::new();
    for r in routes.iter_mut().filter(|r| r.moves()) {
        let (Some(now), Some(after)) = (&r.now, &r.after) else {
            continue;
        };
        let service = r.service.clone();
        if step(&|a| matches!(a, Action::AwaitRoute { service: s, .. } if *s == service)).is_none()
        {
            continue;
        }
        // Until the last wait for a route through the same proxy: each application moved onto
        // it reconfigures it, and a reconfigured proxy restarts its tasks (stop-first on its
        // node in host mode), so a route it serves may drop again until the last one is in.
        let Some(until) = last_step(
            actions,
            &|a| matches!(a, Action::AwaitRoute { proxy, .. } if *proxy == after.proxy),
        ) else {
            continue;
        };
        let removed = step(
            &|a| matches!(a, Action::RemoveStaleService { service: s, .. } if *s == now.proxy),
        );
        let reconfigured = new.extensions.iter().any(|e| proxy_name(e) == now.proxy);
        let (from, why) = match removed {
            Some(i) => (
                i,
                format!(
                    "`{}`, which routes it now, is removed before `{}`'s proxy routes it",
                    now.proxy, after.cluster
                ),
            ),
            // Its proxy stays and is reconfigured. When the new config still has it serve the
            // application's label, the relabel moves it: both proxies change at the same
            // Interlock poll. Otherwise it drops the application at the core's first poll on
            // the new config, and no order helps (see `reconfigured_drop`).
            None if reconfigured
                && r.relabel.is_some()
                && still_routes(new, &now.proxy, r.label.as_deref()) =>
            {
                continue;
            }
            None if reconfigured => {
                match step(&|a| matches!(a, Action::UpdateCoreService { .. })) {
                    Some(i) => (i, reconfigured_drop(&now.proxy, r.relabel.is_some())),
                    None => continue,
                }
            }
            // An orphaned proxy keeps serving its last config until it is removed, after.
            None => continue,
        };
        if from < until {
            let adopter = removed.and_then(|i| sole_taker(&actions[i - 1]));
            out.push(finding(
                r,
                from,
                until,
                &why,
                hint(adopter, removed.is_some()),
            ));
            r.gap = Some(Gap {
                from_step: from,
                until_step: until,
                why,
            });
        }
    }
    out
}

fn last_step(actions: &[Action], f: &dyn Fn(&Action) -> bool) -> Option<usize> {
    actions.iter().rposition(f).map(|i| i + 1)
}

/// Whether `proxy`, under the new config, still routes an application labelled `label`.
fn still_routes(new: &InterlockConfig, proxy: &str, label: Option<&str>) -> bool {
    extension_for(label.unwrap_or_default(), new).is_some_and(|e| proxy_name(e) == proxy)
}

/// Why a proxy the new config reconfigures loses the application. Under the exact-match rule an
/// application is routed only while the config the core runs has an extension serving its
/// label; the config and the label change one at a time, and here neither the old config
/// serves the new label nor the new config the old one: relabelled first, the old proxy drops
/// it at the old config's next poll; relabelled after, at the new config's first. Either way
/// until the new proxy routes it.
fn reconfigured_drop(proxy: &str, relabelled: bool) -> String {
    if relabelled {
        format!(
            "`{proxy}` is reconfigured for another service cluster and stops routing it as soon as the core runs the new config (relabelled first, it would stop at the old config's next poll)"
        )
    } else {
        format!("`{proxy}` stops routing it as soon as the core runs the new config")
    }
}

/// The one cluster that needs the ports of a proxy apply removes: it could adopt that proxy.
fn sole_taker(removal: &Action) -> Option<(&str, &str)> {
    match removal {
        Action::RemoveStaleService {
            service,
            role: ServiceRole::Proxy,
            needed_by,
            ..
        } if needed_by.len() == 1 => Some((needed_by[0].as_str(), service.as_str())),
        _ => None,
    }
}

/// The spec line that lets `cluster` take over the running `proxy` by a rolling update instead
/// of its removal: the one edit that avoids a handover gap.
pub fn adopt_line(cluster: &str, proxy: &str) -> String {
    format!(
        "add `adopt_proxy = \"{proxy}\"` under `[clusters.{cluster}]` in the spec: `{cluster}` then takes over the running proxy by a rolling update instead of its removal, and its ports stay served"
    )
}

/// How to avoid the gap: adopt the proxy whose removal makes it; give the new cluster other
/// ports, so that the removal can wait; or, where the new config reconfigures the proxy, keep
/// the application where it is for this apply and move it in a second.
fn hint(adopter: Option<(&str, &str)>, removed: bool) -> String {
    match adopter {
        Some((cluster, proxy)) => format!(
            "no order of these steps avoids it: {}; or run apply in a change window",
            adopt_line(cluster, proxy)
        ),
        None if removed => "no order avoids it: run apply in a change window; or give the new cluster other ports, so that the old proxy keeps serving until the new one does".into(),
        None => "no order of one apply avoids it: keep the application on the cluster that now configures its proxy (`catch_all = true` there for unlabelled applications) for this apply, then move it with `apps` in a second, once the new proxy runs; or run apply in a change window".into(),
    }
}

fn finding(r: &AppRoute, from: usize, until: usize, why: &str, hint: String) -> Finding {
    Finding::warning(
        Code::RouteGap,
        format!(
            "application `{}` ({}) has no route from step {from} until step {until} is done: {why}",
            r.service,
            r.hosts.join(", ")
        ),
    )
    .hint(hint)
}
