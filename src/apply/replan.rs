//! After "update out of sequence": swarm's optimistic concurrency says that someone changed
//! `ucp-interlock` between the plan and its update. apply reads the cluster again and re-plans
//! once; it goes on only if the core still uses the config the plan was made from and the plan
//! comes out the same (`plan::same_plan`). Otherwise it stops, changing nothing more, and says
//! what moved.

use super::report::{ApplyReport, Outcome};
use super::{Context, Moved, Observer, Pin, execute};
use crate::audit::provenance::provenance;
use crate::docker::{LiveState, Swarm};
use crate::interlock::CORE_SERVICE;
use crate::plan::{self, Action, Plan, same_plan};
use crate::spec::Spec;

/// What a plan is made again from.
pub enum Replan<'a> {
    /// A fresh plan: made again from the spec, on the cluster as it is now.
    Spec {
        spec: &'a Spec,
        text: &'a str,
        keep_configs: usize,
    },
    /// A saved plan: applied as it was reviewed, never re-planned.
    Saved,
}

/// The plan the operator approved: its steps, the TOML it uploads, what it is made again from.
pub struct Approved<'a> {
    pub actions: &'a [Action],
    pub new_config: &'a str,
    pub replan: Replan<'a>,
}

/// Runs the approved plan; after "out of sequence", once more, on a re-plan that is the same
/// plan.
pub async fn run<S: Swarm>(
    cx: &Context<'_, S>,
    approved: &Approved<'_>,
    ui: &mut dyn Observer,
) -> ApplyReport {
    let report = execute(cx, approved.actions, ui).await;
    if report.outcome != Outcome::OutOfSequence {
        return report;
    }
    let what = report.error.clone().unwrap_or_default();
    ui.note(&format!(
        "{what}: reading the cluster again and re-planning once"
    ));
    again(cx, approved, report, ui).await
}

async fn again<S: Swarm>(
    cx: &Context<'_, S>,
    approved: &Approved<'_>,
    mut report: ApplyReport,
    ui: &mut dyn Observer,
) -> ApplyReport {
    // Part of the plan has run: a failure here still ends in the report of the cluster's state.
    let state = match cx.swarm.read_state().await {
        Ok(state) => state,
        Err(e) => {
            report.hint = Some(format!(
                "re-reading the cluster failed ({}); run `interlock-split plan` again, then apply",
                e.message()
            ));
            return report;
        }
    };
    let refused = report.error.clone().unwrap_or_default();
    let replanned = match replan(cx.pin, approved, &state, &refused) {
        Ok(p) => p,
        Err(why) => {
            if state.config.id != cx.pin.config_id {
                report.core.config = state.config.name.clone();
            }
            return moved(report, why);
        }
    };
    let pin = Pin::of(&state);
    let cx = Context {
        state: &state,
        pin: &pin,
        new_config: &replanned.new_config,
        ..*cx
    };
    execute(&cx, &replanned.actions, ui).await
}

/// The plan made again on `state`, or why it is not the approved one (`refused`: the write
/// swarm refused as out of sequence, in words).
fn replan(
    pin: &Pin,
    approved: &Approved,
    state: &LiveState,
    refused: &str,
) -> Result<Plan, String> {
    if state.config.id != pin.config_id {
        let now = provenance(&state.config);
        let planned = pin.config_name.clone();
        return Err(Moved::ConfigInUse { now, planned }.to_string());
    }
    let Replan::Spec {
        spec,
        text,
        keep_configs,
    } = approved.replan
    else {
        return Err(saved_plan_moved(pin, state, refused));
    };
    let config = &state.config.name;
    let again = plan::build_live(
        &state.toml,
        config,
        &state.snapshot,
        spec,
        text,
        keep_configs,
    );
    match again {
        Ok(p) if !p.has_errors() => {
            let same = same_plan(approved.actions, approved.new_config, &p.actions, &p.new_config);
            if same {
                Ok(p)
            } else {
                Err("the cluster changed under the plan: planned again, the plan is not the one shown; nothing more was changed".into())
            }
        }
        _ => Err("the cluster changed under the plan and it no longer plans cleanly; nothing more was changed".into()),
    }
}

/// Why a saved plan stops after "out of sequence": it is never made again.
fn saved_plan_moved(pin: &Pin, state: &LiveState, refused: &str) -> String {
    if state.core.version != pin.core_version {
        return format!(
            "{CORE_SERVICE} was updated since the saved plan was made (version {} → {}); nothing more was changed",
            pin.core_version, state.core.version
        );
    }
    format!("{refused}; a saved plan is not made again, so nothing more was changed")
}

/// Another operator's change stands: apply stops and says what moved.
fn moved(mut report: ApplyReport, error: String) -> ApplyReport {
    report.outcome = Outcome::ClusterMoved;
    report.error = Some(error);
    report.hint = Some("review what changed with `interlock-split plan` (it plans from the config in use now) and apply again if it is still wanted".into());
    report
}
