//! What swarm remembers of the configs the core ran: its last update's state and its task
//! history, each task with the config it mounted at the core's TOML path. (bollard's service
//! model carries no `PreviousSpec`; the tasks of the previous spec tell the same, for as long
//! as swarm keeps them.)

use super::client::Client;
use super::error::ApiError;
use super::swarm::Swarm;
use crate::cluster::{CoreHistory, CoreRun};

impl Client {
    /// The core's update state and the config of each of its tasks that swarm still keeps.
    pub async fn core_history(&self, service: &str, target: &str) -> Result<CoreHistory, ApiError> {
        // Both by the service's name: one round, not two.
        let (status, tasks) = tokio::join!(self.service(service), self.raw_tasks(service));
        let (status, tasks) = (status?, tasks?);
        let runs = tasks
            .into_iter()
            .filter_map(|t| {
                let mounted = t
                    .spec
                    .as_ref()?
                    .container_spec
                    .as_ref()?
                    .configs
                    .as_ref()?
                    .iter()
                    .find(|c| c.file.as_ref().and_then(|f| f.name.as_deref()) == Some(target))?
                    .clone();
                let st = t.status.unwrap_or_default();
                Some(CoreRun {
                    config_id: mounted.config_id.unwrap_or_default(),
                    config_name: mounted.config_name.unwrap_or_default(),
                    state: st.state.map(|s| s.to_string()).unwrap_or_default(),
                    error: st.err.filter(|e| !e.is_empty()),
                })
            })
            .collect();
        Ok(CoreHistory {
            previous_config: None,
            update_state: status.update_state().cloned(),
            runs,
        })
    }

    /// Who this client acts as: the subject of its client certificate, when it has one.
    pub fn identity(&self) -> Option<String> {
        super::tls::subject(&self.endpoint.tls.as_ref()?.cert)
    }
}
