//! An in-memory swarm for apply's unit tests: one model of services with versions and updates,
//! configs, nodes and tasks ([`swarm::Model`]), run by a simulated Interlock core
//! ([`interlock`]) that reads the mounted TOML with the project's own reader, behind the same
//! trait apply uses (`docker::Swarm`); and a wrapper that makes chosen calls fail
//! ([`faults::Faulty`]).
#![allow(dead_code)]

pub mod faults;
pub mod fixture;
pub mod interlock;
pub mod run;
pub mod state;
pub mod swarm;

#[cfg(test)]
mod agreement_tests;
#[cfg(test)]
mod audit_tests;
#[cfg(test)]
mod json_tests;
#[cfg(test)]
mod matrix_tests;
#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod node_label_tests;
#[cfg(test)]
mod route_tests;
