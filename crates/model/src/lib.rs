//! The Interlock model, pure and shared: the core's TOML as Interlock reads it ([`interlock`]),
//! what one extension implies once the core runs it ([`extension`]), and findings with the key
//! path and `file:line:col` they point at ([`finding`], [`locate`], [`duplicate`]).
//!
//! interlock-split plans, checks and reports with it; its in-memory swarm and the test bed's
//! stand-in core create services from it, so the tool and its stand-ins cannot read a config
//! two ways.

pub mod duplicate;
pub mod extension;
pub mod finding;
pub mod interlock;
pub mod locate;
pub mod route;
