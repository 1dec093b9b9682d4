//! Faults on the trait: the nth call of a chosen method fails with a chosen typed error, once
//! or from then on; every other call goes to the wrapped swarm.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::apply::Interrupt;
use crate::cluster::{
    ConfigData, ConfigInfo, CoreRetarget, LogSource, MountedRoutes, NewConfig, Node, Service,
    TaskDetail, VersionedNode,
};
use crate::docker::{ApiError, LiveState, Swarm, TransportError};
use crate::extension::ProxySpec;

use super::swarm::out_of_sequence;

const NO_LEADER: &str = "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
const DEADLINE: &str = "rpc error: code = DeadlineExceeded desc = context deadline exceeded";

/// The trait's methods, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    ReadState,
    LabelService,
    CreateNetwork,
    ServedHosts,
    Service,
    Tasks,
    Nodes,
    Node,
    LabelNode,
    Configs,
    Config,
    CreateConfig,
    LabelConfig,
    RemoveConfig,
    RetargetCore,
    UpdateProxy,
    RemoveService,
}

/// The typed errors a fault answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    ServerError,
    Timeout,
    Dropped,
    /// The call is carried out, then the connection drops before the answer.
    DroppedAfter,
    OutOfSequence,
    NameConflict,
    InUse,
    /// The operator presses Ctrl-C as the call is made; the call itself goes through.
    CtrlC,
    /// The manager has no leader (it refuses at once).
    NoLeader,
    /// The call is carried out, then the manager answers that no leader answered in time.
    DeadlineAfter,
}

impl FaultKind {
    pub fn error(self, call: Call) -> ApiError {
        let call = format!("{call:?}");
        let message = "injected".to_string();
        match self {
            FaultKind::ServerError => ApiError::ServerError {
                call,
                status: 500,
                message,
            },
            FaultKind::Timeout => TransportError::TimedOut {
                address: "model".into(),
                call,
                secs: 2,
            }
            .into(),
            FaultKind::Dropped | FaultKind::DroppedAfter => TransportError::Dropped {
                address: "model".into(),
                call,
            }
            .into(),
            FaultKind::OutOfSequence => out_of_sequence(call),
            FaultKind::NameConflict => ApiError::NameConflict {
                call,
                status: 409,
                message,
            },
            FaultKind::InUse => ApiError::InUse {
                call,
                status: 400,
                message,
            },
            // As the engine words them, read where every answer is read.
            FaultKind::NoLeader => ApiError::from_answer(&call, 500, NO_LEADER),
            FaultKind::DeadlineAfter => ApiError::from_answer(&call, 500, DEADLINE),
            FaultKind::CtrlC => unreachable!("Ctrl-C answers no call"),
        }
    }
}

/// Fails the `nth` call (from 1) of `call` (on the object named `on`, when given) with `kind`;
/// `always` keeps failing after it.
#[derive(Debug, Clone, Copy)]
pub struct Fault {
    pub call: Call,
    pub on: Option<&'static str>,
    pub nth: usize,
    pub kind: FaultKind,
    pub always: bool,
}

impl Fault {
    /// The first call of `call` on `on` fails once with `kind`.
    pub fn once(call: Call, on: Option<&'static str>, kind: FaultKind) -> Fault {
        Fault {
            call,
            on,
            nth: 1,
            kind,
            always: false,
        }
    }
}

/// A swarm whose calls fail as the armed faults say.
pub struct Faulty<S> {
    pub inner: S,
    /// What a `CtrlC` fault presses.
    pub interrupt: Interrupt,
    armed: Mutex<Vec<(Fault, usize)>>,
    fired: Mutex<usize>,
}

impl<S> Faulty<S> {
    pub fn new(inner: S, faults: &[Fault]) -> Self {
        Faulty {
            inner,
            interrupt: Interrupt::default(),
            armed: Mutex::new(faults.iter().map(|f| (*f, 0)).collect()),
            fired: Mutex::new(0),
        }
    }

    /// How many calls failed on purpose.
    pub fn fired(&self) -> usize {
        *self.fired.lock().unwrap()
    }

    /// `Err` for a fault that answers before the call; `Ok(Some)` for one that answers after.
    fn check(&self, call: Call, arg: &str) -> Result<Option<ApiError>, ApiError> {
        let mut armed = self.armed.lock().unwrap();
        let hits = |f: &Fault| f.call == call && f.on.is_none_or(|on| on == arg);
        for (f, seen) in armed.iter_mut().filter(|(f, _)| hits(f)) {
            *seen += 1;
            if *seen == f.nth || (f.always && *seen > f.nth) {
                *self.fired.lock().unwrap() += 1;
                return match f.kind {
                    FaultKind::DroppedAfter | FaultKind::DeadlineAfter => {
                        Ok(Some(f.kind.error(call)))
                    }
                    FaultKind::CtrlC => {
                        self.interrupt.set();
                        Ok(None)
                    }
                    _ => Err(f.kind.error(call)),
                };
            }
        }
        Ok(None)
    }

    async fn around<T>(
        &self,
        call: Call,
        arg: &str,
        inner: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        match self.check(call, arg)? {
            Some(lost) => inner.await.and(Err(lost)),
            None => inner.await,
        }
    }
}

impl<S: Swarm> Swarm for Faulty<S> {
    async fn read_state(&self) -> Result<LiveState, ApiError> {
        self.around(Call::ReadState, "", self.inner.read_state())
            .await
    }
    async fn service(&self, name: &str) -> Result<Service, ApiError> {
        self.around(Call::Service, name, self.inner.service(name))
            .await
    }
    async fn tasks(&self, service: &str) -> Result<Vec<TaskDetail>, ApiError> {
        self.around(Call::Tasks, service, self.inner.tasks(service))
            .await
    }
    async fn nodes(&self) -> Result<Vec<Node>, ApiError> {
        self.around(Call::Nodes, "", self.inner.nodes()).await
    }
    async fn node(&self, id: &str) -> Result<VersionedNode, ApiError> {
        self.around(Call::Node, id, self.inner.node(id)).await
    }
    async fn label_node(
        &self,
        id: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        self.around(
            Call::LabelNode,
            id,
            self.inner.label_node(id, version, key, value),
        )
        .await
    }
    async fn configs(&self) -> Result<Vec<ConfigInfo>, ApiError> {
        self.around(Call::Configs, "", self.inner.configs()).await
    }
    async fn config(&self, id: &str) -> Result<ConfigData, ApiError> {
        self.around(Call::Config, id, self.inner.config(id)).await
    }
    async fn create_config(&self, config: &NewConfig) -> Result<String, ApiError> {
        self.around(
            Call::CreateConfig,
            &config.name,
            self.inner.create_config(config),
        )
        .await
    }
    async fn label_config(
        &self,
        config: &ConfigData,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        let inner = self.inner.label_config(config, key, value);
        self.around(Call::LabelConfig, &config.info.id, inner).await
    }
    async fn remove_config(&self, name: &str) -> Result<(), ApiError> {
        self.around(Call::RemoveConfig, name, self.inner.remove_config(name))
            .await
    }
    async fn retarget_core(
        &self,
        service: &str,
        version: u64,
        change: &CoreRetarget,
    ) -> Result<(), ApiError> {
        self.around(
            Call::RetargetCore,
            service,
            self.inner.retarget_core(service, version, change),
        )
        .await
    }
    async fn update_proxy(
        &self,
        service: &str,
        version: u64,
        spec: &ProxySpec,
    ) -> Result<(), ApiError> {
        self.around(
            Call::UpdateProxy,
            service,
            self.inner.update_proxy(service, version, spec),
        )
        .await
    }
    async fn label_service(
        &self,
        service: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        let call = self.inner.label_service(service, version, key, value);
        self.around(Call::LabelService, service, call).await
    }
    async fn create_network(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        let call = self.inner.create_network(name, labels);
        self.around(Call::CreateNetwork, name, call).await
    }
    async fn served_hosts(
        &self,
        proxy: &str,
        config_path: &str,
    ) -> Result<Option<MountedRoutes>, ApiError> {
        let call = self.inner.served_hosts(proxy, config_path);
        self.around(Call::ServedHosts, proxy, call).await
    }
    async fn remove_service(&self, name: &str) -> Result<(), ApiError> {
        self.around(Call::RemoveService, name, self.inner.remove_service(name))
            .await
    }
    async fn logs(&self, source: &LogSource, tail: usize) -> Vec<String> {
        self.inner.logs(source, tail).await
    }
}
