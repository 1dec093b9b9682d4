//! Faults on the trait: the nth call of a chosen method fails with a chosen typed error, once
//! or from then on; every other call goes to the wrapped swarm.

use std::sync::Mutex;

use crate::cluster::{
    ConfigData, ConfigInfo, CoreRetarget, LogSource, NewConfig, Node, ProxySpec, ServiceStatus,
    TaskDetail, VersionedNode,
};
use crate::docker::{ConnectError, Swarm};

/// The trait's methods, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Service,
    Tasks,
    Nodes,
    Node,
    LabelNode,
    Configs,
    Config,
    CreateConfig,
    RemoveConfig,
    RetargetCore,
    UpdateProxy,
    RemoveService,
}

/// The typed errors a fault answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ServerError,
    Timeout,
    Dropped,
    OutOfSequence,
    NameConflict,
    InUse,
}

impl Kind {
    pub fn error(self, call: Call) -> ConnectError {
        let call = format!("{call:?}");
        let message = "injected".to_string();
        match self {
            Kind::ServerError => ConnectError::ServerError {
                call,
                status: 500,
                message,
            },
            Kind::Timeout => ConnectError::TimedOut {
                address: "model".into(),
                call,
                secs: 2,
            },
            Kind::Dropped => ConnectError::Dropped {
                address: "model".into(),
                call,
            },
            Kind::OutOfSequence => ConnectError::OutOfSequence { call },
            Kind::NameConflict => ConnectError::NameConflict { call, message },
            Kind::InUse => ConnectError::InUse { call, message },
        }
    }
}

/// Fails the `nth` call (from 1) of `call` with `kind`; `always` keeps failing after it.
#[derive(Debug, Clone, Copy)]
pub struct Fault {
    pub call: Call,
    pub nth: usize,
    pub kind: Kind,
    pub always: bool,
}

/// A swarm whose calls fail as the armed faults say.
pub struct Faulty<S> {
    pub inner: S,
    armed: Mutex<Vec<(Fault, usize)>>,
    fired: Mutex<usize>,
}

impl<S> Faulty<S> {
    pub fn new(inner: S, faults: &[Fault]) -> Self {
        Faulty {
            inner,
            armed: Mutex::new(faults.iter().map(|f| (*f, 0)).collect()),
            fired: Mutex::new(0),
        }
    }

    /// How many calls failed on purpose.
    pub fn fired(&self) -> usize {
        *self.fired.lock().unwrap()
    }

    fn check(&self, call: Call) -> Result<(), ConnectError> {
        let mut armed = self.armed.lock().unwrap();
        for (f, seen) in armed.iter_mut().filter(|(f, _)| f.call == call) {
            *seen += 1;
            if *seen == f.nth || (f.always && *seen > f.nth) {
                *self.fired.lock().unwrap() += 1;
                return Err(f.kind.error(call));
            }
        }
        Ok(())
    }
}

impl<S: Swarm> Swarm for Faulty<S> {
    async fn service(&self, name: &str) -> Result<ServiceStatus, ConnectError> {
        self.check(Call::Service)?;
        self.inner.service(name).await
    }
    async fn tasks(&self, service: &str) -> Result<Vec<TaskDetail>, ConnectError> {
        self.check(Call::Tasks)?;
        self.inner.tasks(service).await
    }
    async fn nodes(&self) -> Result<Vec<Node>, ConnectError> {
        self.check(Call::Nodes)?;
        self.inner.nodes().await
    }
    async fn node(&self, id: &str) -> Result<VersionedNode, ConnectError> {
        self.check(Call::Node)?;
        self.inner.node(id).await
    }
    async fn label_node(
        &self,
        id: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ConnectError> {
        self.check(Call::LabelNode)?;
        self.inner.label_node(id, version, key, value).await
    }
    async fn configs(&self) -> Result<Vec<ConfigInfo>, ConnectError> {
        self.check(Call::Configs)?;
        self.inner.configs().await
    }
    async fn config(&self, id: &str) -> Result<ConfigData, ConnectError> {
        self.check(Call::Config)?;
        self.inner.config(id).await
    }
    async fn create_config(&self, config: &NewConfig) -> Result<String, ConnectError> {
        self.check(Call::CreateConfig)?;
        self.inner.create_config(config).await
    }
    async fn remove_config(&self, name: &str) -> Result<(), ConnectError> {
        self.check(Call::RemoveConfig)?;
        self.inner.remove_config(name).await
    }
    async fn retarget_core(
        &self,
        service: &str,
        version: u64,
        change: &CoreRetarget,
    ) -> Result<(), ConnectError> {
        self.check(Call::RetargetCore)?;
        self.inner.retarget_core(service, version, change).await
    }
    async fn update_proxy(
        &self,
        service: &str,
        version: u64,
        spec: &ProxySpec,
    ) -> Result<(), ConnectError> {
        self.check(Call::UpdateProxy)?;
        self.inner.update_proxy(service, version, spec).await
    }
    async fn remove_service(&self, name: &str) -> Result<(), ConnectError> {
        self.check(Call::RemoveService)?;
        self.inner.remove_service(name).await
    }
    async fn logs(&self, source: &LogSource, tail: usize) -> Vec<String> {
        self.inner.logs(source, tail).await
    }
}
