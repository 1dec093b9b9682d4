//! `Swarm` on the Engine API: each operation one or two calls, its answer in the project's
//! types, its refusal a typed `ApiError`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use bollard::models::ConfigSpec;
use bollard::query_parameters::{
    ListTasksOptionsBuilder, LogsOptionsBuilder, UpdateConfigOptionsBuilder,
    UpdateNodeOptionsBuilder, UpdateServiceOptionsBuilder,
};
use futures_util::{Stream, StreamExt};

use super::client::{Client, LiveState};
use super::error::{ApiError, Error};
use super::swarm::Swarm;
use super::{convert, spec_edit};
use crate::cluster::{
    ConfigData, ConfigInfo, CoreRetarget, LogSource, MountedRoutes, NewConfig, Node, Service,
    TaskDetail, VersionedNode,
};
use std::collections::BTreeMap;

use bollard::models::NetworkCreateRequest;

use crate::extension::ProxySpec;
use crate::route::proxy_config;

impl Client {
    async fn inspect_service(&self, name: &str) -> Result<bollard::models::Service, ApiError> {
        self.call(
            &format!("GET /services/{name}"),
            self.docker().inspect_service(name, None),
        )
        .await
    }

    /// The current spec of a service, to edit. Should it have moved past the version the write
    /// sends, the engine refuses the write as out of sequence: the version is the condition.
    async fn spec_of(&self, name: &str) -> Result<bollard::models::ServiceSpec, ApiError> {
        Ok(self.inspect_service(name).await?.spec.unwrap_or_default())
    }

    /// Every task of a service, whatever its state, as the engine describes it.
    pub(super) async fn raw_tasks(
        &self,
        service: &str,
    ) -> Result<Vec<bollard::models::Task>, ApiError> {
        let filters = HashMap::from([("service", vec![service])]);
        let opts = ListTasksOptionsBuilder::new().filters(&filters).build();
        self.call("GET /tasks", self.docker().list_tasks(Some(opts)))
            .await
    }

    async fn update_spec(
        &self,
        name: &str,
        version: u64,
        spec: bollard::models::ServiceSpec,
    ) -> Result<(), ApiError> {
        let opts = UpdateServiceOptionsBuilder::new()
            .version(version as i32)
            .build();
        self.call(
            &format!("POST /services/{name}/update"),
            self.docker().update_service(name, spec, opts, None),
        )
        .await
        .map(|_| ())
    }
}

/// The non-empty lines of a log stream, read for at most five seconds.
async fn lines<E>(
    mut stream: impl Stream<Item = Result<bollard::container::LogOutput, E>> + Unpin,
) -> Vec<String> {
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while let Ok(Some(Ok(chunk))) = tokio::time::timeout_at(deadline.into(), stream.next()).await {
        out.extend(
            String::from_utf8_lossy(&chunk.into_bytes())
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(String::from),
        );
    }
    out
}

impl Swarm for Client {
    async fn read_state(&self) -> Result<LiveState, ApiError> {
        self.live_state(false).await.map_err(|e| match e {
            Error::Api(e) => e,
            other => ApiError::Unusable {
                call: "read the cluster".into(),
                message: other.message(),
            },
        })
    }

    async fn service(&self, name: &str) -> Result<Service, ApiError> {
        Ok(convert::service(self.inspect_service(name).await?))
    }

    async fn tasks(&self, service: &str) -> Result<Vec<TaskDetail>, ApiError> {
        let tasks = self.raw_tasks(service).await?;
        Ok(tasks.into_iter().map(convert::task_detail).collect())
    }

    async fn nodes(&self) -> Result<Vec<Node>, ApiError> {
        let nodes = self
            .call("GET /nodes", self.docker().list_nodes(None))
            .await?;
        self.managers.remember(&nodes);
        Ok(nodes.into_iter().map(convert::node).collect())
    }

    async fn node(&self, id: &str) -> Result<VersionedNode, ApiError> {
        let n = self
            .call(&format!("GET /nodes/{id}"), self.docker().inspect_node(id))
            .await?;
        let version = n.version.as_ref().and_then(|v| v.index).unwrap_or(0);
        Ok(VersionedNode {
            node: convert::node(n),
            version,
        })
    }

    async fn label_node(
        &self,
        id: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        // The write replaces the whole spec: the one read back is the one at `version`, or
        // swarm refuses the write as out of sequence.
        let n = self
            .call(&format!("GET /nodes/{id}"), self.docker().inspect_node(id))
            .await?;
        let mut spec = n.spec.unwrap_or_default();
        spec.labels
            .get_or_insert_with(HashMap::new)
            .insert(key.to_string(), value.to_string());
        let opts = UpdateNodeOptionsBuilder::new()
            .version(version as i64)
            .build();
        self.call(
            &format!("POST /nodes/{id}/update"),
            self.docker().update_node(id, spec, opts),
        )
        .await
    }

    async fn configs(&self) -> Result<Vec<ConfigInfo>, ApiError> {
        let configs = self
            .call("GET /configs", self.docker().list_configs(None))
            .await?;
        Ok(configs.into_iter().map(convert::config).collect())
    }

    async fn config(&self, id: &str) -> Result<ConfigData, ApiError> {
        let call = format!("GET /configs/{id}");
        let raw = self.call(&call, self.docker().inspect_config(id)).await?;
        convert::config_data(raw).map_err(|message| ApiError::Unusable { call, message })
    }

    async fn create_config(&self, config: &NewConfig) -> Result<String, ApiError> {
        let spec = ConfigSpec {
            name: Some(config.name.clone()),
            labels: Some(config.labels.clone().into_iter().collect()),
            data: Some(base64::engine::general_purpose::STANDARD.encode(&config.data)),
            ..Default::default()
        };
        Ok(self
            .call("POST /configs/create", self.docker().create_config(spec))
            .await?
            .id)
    }

    async fn label_config(
        &self,
        config: &ConfigData,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        let c = &config.info;
        if c.labels.get(key).map(String::as_str) == Some(value) {
            return Ok(());
        }
        let mut labels: HashMap<_, _> = c.labels.clone().into_iter().collect();
        labels.insert(key.to_string(), value.to_string());
        // Only the labels may change; the engine compares the name and any data sent, so none
        // is sent.
        let spec = ConfigSpec {
            name: Some(c.name.clone()),
            labels: Some(labels),
            ..Default::default()
        };
        let id = &c.id;
        let opts = UpdateConfigOptionsBuilder::new()
            .version(config.version as i64)
            .build();
        self.call(
            &format!("POST /configs/{id}/update"),
            self.docker().update_config(id, spec, opts),
        )
        .await
    }

    async fn remove_config(&self, name: &str) -> Result<(), ApiError> {
        self.call(
            &format!("DELETE /configs/{name}"),
            self.docker().delete_config(name),
        )
        .await
    }

    async fn retarget_core(
        &self,
        service: &str,
        version: u64,
        change: &CoreRetarget,
    ) -> Result<(), ApiError> {
        let current = self.spec_of(service).await?;
        let spec = spec_edit::retarget(current, change).ok_or_else(|| ApiError::Unusable {
            call: format!("update {service}"),
            message: format!("{service} mounts no config at {}", change.target),
        })?;
        self.update_spec(service, version, spec).await
    }

    async fn update_proxy(
        &self,
        service: &str,
        version: u64,
        spec: &ProxySpec,
    ) -> Result<(), ApiError> {
        let current = self.spec_of(service).await?;
        let spec = spec_edit::proxy(current, spec);
        self.update_spec(service, version, spec).await
    }

    async fn label_service(
        &self,
        service: &str,
        version: u64,
        key: &str,
        value: &str,
    ) -> Result<(), ApiError> {
        let mut spec = self.spec_of(service).await?;
        spec.labels
            .get_or_insert_with(HashMap::new)
            .insert(key.to_string(), value.to_string());
        self.update_spec(service, version, spec).await
    }

    async fn create_network(
        &self,
        name: &str,
        labels: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        let request = NetworkCreateRequest {
            name: name.to_string(),
            driver: Some("overlay".into()),
            scope: Some("swarm".into()),
            labels: Some(labels.clone().into_iter().collect()),
            ..Default::default()
        };
        self.call(
            "POST /networks/create",
            self.docker().create_network(request),
        )
        .await
        .map(|_| ())
    }

    async fn served_hosts(
        &self,
        proxy: &str,
        config_path: &str,
    ) -> Result<Option<MountedRoutes>, ApiError> {
        let svc = convert::service(self.inspect_service(proxy).await?);
        let Some(mounted) = svc.config_at(config_path) else {
            return Ok(None);
        };
        let data = self.config(&mounted.config_id).await?;
        Ok(Some(MountedRoutes {
            config_id: mounted.config_id.clone(),
            hosts: proxy_config::parse(&data.data),
        }))
    }

    async fn remove_service(&self, name: &str) -> Result<(), ApiError> {
        self.call(
            &format!("DELETE /services/{name}"),
            self.docker().delete_service(name),
        )
        .await
    }

    async fn logs(&self, source: &LogSource, tail: usize) -> Vec<String> {
        let opts = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .tail(&tail.to_string())
            .build();
        let mut out = match source {
            LogSource::Service(s) => lines(self.docker().service_logs(s, Some(opts))).await,
            LogSource::Container(c) => lines(self.docker().logs(c, Some(opts))).await,
        };
        let keep = out.len().saturating_sub(tail);
        out.drain(..keep);
        out
    }
}
