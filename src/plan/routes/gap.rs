//! Where the order of the actions leaves an application without a route. Its old route ends
//! when the proxy serving it goes (removed), or when that proxy's extension stops routing it
//! with the new config; its new route serves once the step that awaits it is done. When the
//! first comes before the second, the plan says so: no order of the steps avoids it, since a
//! proxy holding a port the new one needs must go first, and a config change reaches every
//! proxy of its extension at once.

use super::{AppRoute, Gap};
use crate::extension::services::proxy_name;
use crate::finding::{Code, Finding};
use crate::interlock::InterlockConfig;
use crate::plan::Action;

/// Fills in each moving application's gap, if any, and says where there is one.
pub fn gaps(routes: &mut [AppRoute], actions: &[Action], new: &InterlockConfig) -> Vec<Finding> {
    let step = |f: &dyn Fn(&Action) -> bool| actions.iter().position(f).map(|i| i + 1);
    let mut out = Vec::new();
    for r in routes.iter_mut().filter(|r| r.moves()) {
        let (Some(now), Some(after)) = (&r.now, &r.after) else {
            continue;
        };
        let service = r.service.clone();
        let Some(until) =
            step(&|a| matches!(a, Action::AwaitRoute { service: s, .. } if *s == service))
        else {
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
            // Its proxy stays and is reconfigured: with a relabel, both proxies change at the
            // same Interlock poll; with the config alone, the old one drops it at once.
            None if reconfigured && r.relabel.is_some() => continue,
            None if reconfigured => {
                match step(&|a| matches!(a, Action::UpdateCoreService { .. })) {
                    Some(i) => (
                        i,
                        format!(
                            "`{}` stops routing it as soon as the core runs the new config",
                            now.proxy
                        ),
                    ),
                    None => continue,
                }
            }
            // An orphaned proxy keeps serving its last config until it is removed, after.
            None => continue,
        };
        if from < until {
            out.push(finding(r, from, until, &why, &after.cluster));
            r.gap = Some(Gap {
                from_step: from,
                until_step: until,
                why,
            });
        }
    }
    out
}

fn finding(r: &AppRoute, from: usize, until: usize, why: &str, to: &str) -> Finding {
    Finding::warning(
        Code::RouteGap,
        format!(
            "application `{}` ({}) has no route from step {from} until step {until} is done: {why}",
            r.service,
            r.hosts.join(", ")
        ),
    )
    .hint(format!(
        "no order avoids it: run apply in a change window; or let `{to}` adopt the proxy that routes it now (adopt_proxy), or give the new cluster other ports so that the old proxy keeps serving until the new one does"
    ))
}
