//! The outcome label apply writes on the config it pointed the core at, once the watch has
//! ended. A refusal is a warning in the report: the outcome stands as observed.
//!
//! The config is read while the watch runs (`Progress::new_config_read`), so that once the
//! outcome is known the label costs one request, not a read and then a write.

use super::{ApplyReport, Progress, StepError, StepOutcome};
use crate::audit::labels::{OUTCOME, RecordedOutcome};
use crate::cluster::ConfigData;
use crate::docker::{ApiError, Swarm};

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
    let read = progress
        .new_config_read
        .clone()
        .filter(|c| c.info.id == config.id);
    if let Err(e) = label(swarm, &config.id, read, outcome.as_str()).await {
        report.warnings.push(format!(
            "the outcome `{}` could not be recorded on {} ({}); the outcome reported stands",
            outcome.as_str(),
            config.name,
            e.message()
        ));
    }
}

/// Writes the outcome label on the config as `read` (or as read now), at its version; when the
/// config moved since (another operator labelled it during the watch), reads it again and
/// writes once more, keeping what they wrote.
async fn label(
    swarm: &impl Swarm,
    id: &str,
    read: Option<ConfigData>,
    outcome: &str,
) -> Result<(), ApiError> {
    if let Some(c) = read {
        match swarm.label_config(&c, OUTCOME, outcome).await {
            Err(ApiError::OutOfSequence { .. }) => {}
            done => return done,
        }
    }
    let c = swarm.config(id).await?;
    swarm.label_config(&c, OUTCOME, outcome).await
}
