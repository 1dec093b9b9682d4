//! The outcome label apply writes on the config it pointed the core at, once the watch has
//! ended. A refusal is a warning in the report: the outcome stands as observed.

use super::{ApplyReport, Progress, StepError, StepOutcome};
use crate::audit::labels::{OUTCOME, RecordedOutcome};
use crate::docker::Swarm;

/// What the core's update step observed, when it observed an end.
fn observed(result: &Result<StepOutcome, StepError>) -> Option<RecordedOutcome> {
    match result {
        Ok(_) => Some(RecordedOutcome::Ran),
        Err(StepError::RolledBack(_)) => Some(RecordedOutcome::RolledBack),
        Err(StepError::Paused(_)) => Some(RecordedOutcome::Paused),
        Err(_) => None,
    }
}

/// Labels the config the core was pointed at with what became of it.
pub(super) async fn record_outcome(
    swarm: &impl Swarm,
    progress: &Progress,
    result: &Result<StepOutcome, StepError>,
    report: &mut ApplyReport,
) {
    let (Some(config), Some(outcome)) = (&progress.new_config, observed(result)) else {
        return;
    };
    if let Err(e) = swarm
        .label_config(&config.id, OUTCOME, outcome.as_str())
        .await
    {
        report.warnings.push(format!(
            "the outcome `{}` could not be recorded on {} ({}); the outcome reported stands",
            outcome.as_str(),
            config.name,
            e.message()
        ));
    }
}
