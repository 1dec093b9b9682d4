//! The operations apply needs from a swarm, in the project's own types. `docker::Client`
//! implements them against the Engine API; apply (and its tests) see only this trait, as the
//! docker CLI's progress code sees only its `APIClient` interface.
//!
//! Every write carries the version it was planned against: swarm refuses a write to an object
//! that changed since (`ApiError::OutOfSequence`), so nothing is ever overwritten unseen.
//! Errors apply decides on are variants of `ApiError`: `NotFound`, `OutOfSequence`,
//! `InUse`, `NameConflict`.

use crate::cluster::{
    ConfigData, ConfigInfo, CoreRetarget, LogSource, MountedRoutes, NewConfig, Node, Service,
    TaskDetail, VersionedNode,
};
use std::collections::BTreeMap;

use crate::extension::ProxySpec;

use super::client::LiveState;
use super::error::ApiError;

// The futures are awaited on the caller's runtime, never spawned: they need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Swarm {
    /// The cluster as a plan reads it: the snapshot, the core, the config it mounts at
    /// `/config.toml` and its TOML.
    async fn read_state(&self) -> Result<LiveState, ApiError>;

    /// A service by name or ID, with its version and last update; `NotFound` when absent.
    async fn service(&self, name: &str) -> Result<Service, ApiError>;

    /// All tasks of a service (by name or ID), whatever their state.
    async fn tasks(&self, service: &str) -> Result<Vec<TaskDetail>, ApiError>;

    async fn nodes(&self) -> Result<Vec<Node>, ApiError>;

    /// A node by ID or hostname, with the version a label write must send.
    async fn node(&self, id: &str) -> Result<VersionedNode, ApiError>;

    /// Sets one label on a node whose spec is at `version`; the other labels stay.
    async fn label_node(
        &self,
        id: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError>;

    /// Every config (without data).
    async fn configs(&self) -> Result<Vec<ConfigInfo>, ApiError>;

    /// One config with its data decoded.
    async fn config(&self, id: &str) -> Result<ConfigData, ApiError>;

    /// Creates a config; `NameConflict` when the name is taken. Returns its ID.
    async fn create_config(&self, config: &NewConfig) -> Result<String, ApiError>;

    /// Sets one label on a config as `config` read it, keeping the others: the only change
    /// swarm allows to a config. Sent with the version read (`OutOfSequence` if it moved since).
    async fn label_config(
        &self,
        config: &ConfigData,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError>;

    /// Removes a config by name or ID; `InUse` while a service mounts it, `NotFound` when gone.
    async fn remove_config(&self, name: &str) -> Result<(), ApiError>;

    /// Points the core at another config: the current spec at `version` with only the config
    /// reference (and the host-mode core port) changed, and rollback on failure.
    async fn retarget_core(
        &self,
        service: &str,
        version: u64,
        change: &CoreRetarget,
    ) -> Result<(), ApiError>;

    /// Updates a proxy at `version` to `spec` (constraints, replicas, ports), in place.
    async fn update_proxy(
        &self,
        service: &str,
        version: u64,
        spec: &ProxySpec,
    ) -> Result<(), ApiError>;

    /// Sets one label on a service whose spec is at `version`, the rest of its spec unchanged
    /// (swarm restarts no task for a label).
    async fn label_service(
        &self,
        service: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError>;

    /// Creates a swarm-scoped overlay network; `NameConflict` when the name is taken.
    async fn create_network(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> Result<(), ApiError>;

    /// The config Interlock mounts for a proxy at `config_path` and the hosts it routes;
    /// `None` when it mounts none there (Interlock's hitless mode streams it instead).
    async fn served_hosts(
        &self,
        proxy: &str,
        config_path: &str,
    ) -> Result<Option<MountedRoutes>, ApiError>;

    /// Removes a service; `NotFound` when it is already gone.
    async fn remove_service(&self, name: &str) -> Result<(), ApiError>;

    /// The last `tail` non-empty lines, within a few seconds (empty when out of reach).
    async fn logs(&self, source: &LogSource, tail: usize) -> Vec<String>;
}
