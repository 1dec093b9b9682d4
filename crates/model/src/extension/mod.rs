//! What one Interlock extension implies once the core runs it: the services it creates (with
//! Interlock's defaults for names left out), the proxy those services are meant to be, and how a
//! running proxy differs from that. Plan, status and apply read this one model, so they cannot
//! disagree about a proxy. Pure: nothing here talks to Docker.

pub mod constraints;
pub mod drift;
pub mod proxy;
pub mod services;
pub mod stale;

pub use constraints::ConstraintSet;
pub use drift::Drift;
pub use proxy::{
    DEFAULT_PROXY_CONFIG_PATH, DEFAULT_TARGET_PORT, DEFAULT_TARGET_SSL_PORT, PortRole, PortSpec,
    ProxySpec, config_path,
};
pub use services::{DEFAULT_PROXY_SERVICE_NAME, ImpliedService, services};
