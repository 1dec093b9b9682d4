//! How Interlock routes applications to service clusters, pure: an application read from its
//! service's labels ([`app`]), the extension that routes it and the network its proxy reaches
//! it on ([`rule`]), and the proxy config that says which hosts a proxy serves
//! ([`proxy_config`]). The plan, `status` and apply read it; so does the test bed's stand-in
//! core, which routes as the tool expects Interlock to.

pub mod app;
pub mod labels;
pub mod proxy_config;
pub mod rule;

pub use app::{Application, BackendMode, LabelProblem};
pub use rule::{Unreachable, extension_for, near_miss, network, routed_by, serves};
