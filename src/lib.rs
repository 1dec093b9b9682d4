//! interlock-split: split UCP/MKE Interlock (Layer 7 routing) into service clusters, safely.
//!
//! The core is pure: [`split`] turns a config and a [`spec`] into a new config, [`check`] finds
//! what is wrong with a config, [`plan`] puts both together into the one model that every
//! command prints. Only `commands` touch files and terminals.

// The Interlock model lives in its own crate (crates/model), shared with the in-memory swarm and
// the stand-in core; re-exported so that the tool names it as its own modules.
pub use interlock_model::{duplicate, extension, finding, interlock, locate, route};

pub mod app;
pub mod apply;
pub mod audit;
pub mod check;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod docker;
pub mod exit;
pub mod output;
pub mod plan;
pub mod spec;
pub mod split;
pub mod status;
pub mod time;
pub mod verify;

#[cfg(test)]
mod readme_tests;
