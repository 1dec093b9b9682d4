//! The Interlock core's TOML, as Interlock itself reads it.

pub mod config;
pub mod constraint;
pub mod core;
pub mod keys;
pub mod names;

pub use config::{Extension, InterlockConfig, PublishMode, ServiceRole, SyntaxError, TYPE_LABEL};
pub use core::{CONFIG_TARGET, CORE_SERVICE, host_port};
