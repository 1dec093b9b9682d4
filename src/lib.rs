//! interlock-split: split UCP/MKE Interlock (Layer 7 routing) into service clusters, safely.
//!
//! The core is pure: [`split`] turns a config and a [`spec`] into a new config, [`check`] finds
//! what is wrong with a config, [`plan`] puts both together into the one model that every
//! command prints. Only `commands` touch files and terminals.

pub mod app;
pub mod apply;
pub mod audit;
pub mod check;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod docker;
pub mod duplicate;
pub mod extension;
pub mod finding;
pub mod interlock;
pub mod locate;
pub mod output;
pub mod plan;
pub mod spec;
pub mod split;
pub mod status;
pub mod time;
