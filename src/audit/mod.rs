//! The audit trail on the cluster: labels on every config apply creates (who, when, with which
//! tool, plan and spec, and what became of it), what swarm itself remembers of configs the tool
//! did not create, and the two things built on them: rollback's choice and `history`.
//!
//! Pure: the Docker module reads the configs and the core's history; nothing here talks to the
//! network.

pub mod history;
pub mod labels;
pub mod provenance;
pub mod rollback;
pub mod verdict;

pub use labels::{Record, RecordedOutcome, Stamp, recorded};
