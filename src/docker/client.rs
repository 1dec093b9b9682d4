//! A connected client and the reads a plan or a status needs.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bollard::Docker;
use std::collections::HashMap;

use bollard::query_parameters::{
    ListNetworksOptions, ListSecretsOptions, ListServicesOptions, ListTasksOptionsBuilder,
};
use tokio::sync::OnceCell;

use super::answer;
use super::convert;
use super::endpoint::{ConnectArgs, Endpoint};
use super::error::{self, ApiError, Error, TransportError};
use super::resolve::{self, ProcessEnv};
use super::trace::Trace;
use super::transport::{self, API, Stats};
use crate::cluster::{ConfigInfo, Network, Service, Snapshot};
use crate::interlock::names::config_version;
use crate::interlock::{CONFIG_TARGET, CORE_SERVICE};

pub struct Client {
    docker: Docker,
    pub endpoint: Endpoint,
    pub stats: Arc<Stats>,
    secs: u64,
    address: String,
    origin: String,
    /// The managers as last known, to name them when this one has no leader.
    pub(super) managers: super::managers::Known,
    /// The API version negotiation, run once, beside the first requests rather than before
    /// them: they go out at [`API`], which every supported engine has.
    negotiated: OnceCell<Result<(), ApiError>>,
    printer: Trace,
}

/// The cluster as a plan sees it.
pub struct LiveState {
    pub snapshot: Snapshot,
    pub core: Service,
    /// The config mounted at /config.toml.
    pub config: ConfigInfo,
    pub toml: String,
}

impl Client {
    /// Resolves the endpoint and builds the transport; the first request connects, and the
    /// API version is negotiated beside it.
    pub async fn connect(
        args: &ConnectArgs,
        timeout: Duration,
        printer: Trace,
    ) -> Result<Self, Error> {
        let endpoint = resolve::resolve(args, &ProcessEnv)?;
        printer.note(&format!(
            "connecting to {} (from {})",
            endpoint.address, endpoint.source
        ));
        let stats = Arc::new(Stats::default());
        let docker = transport::docker(&endpoint, timeout, Arc::clone(&stats), printer)?;
        let origin = endpoint
            .tls
            .as_ref()
            .map_or_else(|| endpoint.source.clone(), |t| t.origin.clone());
        Ok(Client {
            docker,
            address: endpoint.address.to_string(),
            endpoint,
            stats,
            secs: timeout.as_secs().max(1),
            origin,
            managers: Default::default(),
            negotiated: OnceCell::new(),
            printer,
        })
    }

    /// Settles the API version, once: `GET /_ping`, as the docker CLI does. (`GET /version`
    /// makes dockerd run `runc --version` and ask containerd: several milliseconds on the
    /// loopback, on the path of every first read.) The answer's `Api-Version` is the newest
    /// version the server speaks: an engine older than [`API`] lowers the version of the
    /// requests that follow (the transport sends again, at its version, a read it refused as too
    /// new). A failure here is the command's: whatever answered is named.
    async fn negotiated(&self) -> Result<(), ApiError> {
        let negotiate = || async {
            let tls = self.endpoint.tls.is_some();
            let body = self.docker.ping().await.map_err(|e| {
                let refused = tls && !self.stats.heard();
                first_call_over_tls(self.negotiation_error(&e), refused)
            })?;
            let (major, minor) = self.settle(&body)?;
            self.printer.note(&format!("API version {major}.{minor}"));
            Ok(())
        };
        self.negotiated.get_or_init(negotiate).await.clone()
    }

    /// The version the requests carry, from the ping's answer (`body`, and its head as the
    /// transport saw it); a server that neither says its API version nor answers `OK` is not
    /// the Docker API.
    fn settle(&self, body: &str) -> Result<(usize, usize), ApiError> {
        let answer = self.stats.first_answer.get();
        let theirs = answer
            .and_then(|a| a.api_version.as_deref())
            .and_then(transport::parse_api_version);
        match (theirs, answer) {
            (Some(v), _) if v < API => {
                self.stats.lower_to(&format!("/v{}.{}", v.0, v.1));
                Ok(v)
            }
            (None, Some(a)) if body.trim() != "OK" => {
                Err(answer::not_docker_answer(a, Some(body), &self.address).into())
            }
            // Docker's answer (`OK`) without its version: the client's stands, and an older
            // engine's refusal of a read lowers it then.
            _ => Ok(API),
        }
    }

    /// The first call fails: a server that is not a Docker API is named as such.
    fn negotiation_error(&self, e: &bollard::errors::Error) -> ApiError {
        let answer = self.stats.first_answer.get();
        match answer::not_docker(e, answer, &self.address) {
            Some(t) => t.into(),
            None => error::classify(e, "GET /_ping", &self.address, &self.origin, self.secs),
        }
    }

    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Runs one API call, turning its failure into a message that names the call.
    pub async fn call<T>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T, bollard::errors::Error>>,
    ) -> Result<T, ApiError> {
        use futures_util::future::{Either, select};
        // Beside the negotiation; should it fail, that is the answer, at once.
        let res = match select(std::pin::pin!(self.negotiated()), std::pin::pin!(fut)).await {
            Either::Left((ready, fut)) => {
                ready?;
                fut.await
            }
            Either::Right((res, ready)) => {
                ready.await?;
                res
            }
        };
        match res {
            Ok(v) => Ok(v),
            Err(e) => {
                let e = error::classify(&e, what, &self.address, &self.origin, self.secs);
                Err(self.name_managers(e).await)
            }
        }
    }

    /// Reads nodes, services, configs (and tasks, for status) concurrently, beside the core
    /// and then the TOML it reads from /config.toml: two rounds of requests after the
    /// connections' handshakes. Over HTTP/2 they share one connection; over HTTP/1.1 each
    /// holds one of the pool's while in flight.
    pub async fn live_state(&self, with_tasks: bool) -> Result<LiveState, Error> {
        let d = &self.docker;
        // The core first: the config read that depends on it starts as soon as it is in.
        let core = async {
            let core = self
                .call(
                    "GET /services/ucp-interlock",
                    d.inspect_service(CORE_SERVICE, None),
                )
                .await;
            let core = match core {
                Err(ApiError::NotFound { .. }) => return Ok(Err(Error::NoInterlock)),
                other => convert::service(other?),
            };
            let mounted = self.mounted_config(&core).await;
            Ok::<_, ApiError>(Ok((core, mounted)))
        };
        let nodes = self.call("GET /nodes", d.list_nodes(None));
        // Without `?status=true`: the counts it adds are not read (tasks are, for status).
        let services = self.call(
            "GET /services",
            d.list_services(None::<ListServicesOptions>),
        );
        let configs = self.call("GET /configs", d.list_configs(None));
        let tasks = async {
            if !with_tasks {
                return Ok(None);
            }
            // Only tasks meant to run are counted (`Task::counts_as_running`).
            let filters = HashMap::from([("desired-state", vec!["running"])]);
            let opts = ListTasksOptionsBuilder::new().filters(&filters).build();
            self.call("GET /tasks", d.list_tasks(Some(opts)))
                .await
                .map(Some)
        };
        let routes = self.route_objects();
        let (core, nodes, services, configs, tasks, routes) =
            tokio::join!(core, nodes, services, configs, tasks, routes);
        // A non-manager fails every call the same way; say that, not "no ucp-interlock".
        let nodes = nodes?;
        self.managers.remember(&nodes);
        let (core, mounted) = core??;
        let services = services?;
        let configs = configs?;
        let tasks = tasks?;
        let (networks, secrets) = routes?;
        let (config, toml) = mounted?;

        let family = family_prefix(&config.name);
        let mut configs: Vec<ConfigInfo> = configs
            .into_iter()
            .map(convert::config)
            .filter(|c| {
                c.name == config.name
                    || c.name.starts_with(&family)
                    || c.name.starts_with("com.docker.ucp.interlock")
            })
            .collect();
        configs.sort_by_key(|c| (config_version(&c.name).unwrap_or(0), c.name.clone()));

        Ok(LiveState {
            snapshot: Snapshot {
                nodes: nodes.into_iter().map(convert::node).collect(),
                services: services.into_iter().map(convert::service).collect(),
                configs,
                tasks: tasks
                    .unwrap_or_default()
                    .into_iter()
                    .map(convert::task)
                    .collect(),
                networks,
                secrets,
            },
            core,
            config,
            toml,
        })
    }

    /// What routing applications depends on beside the services: the swarm's networks (an
    /// application's network by name; the networks a cluster's proxy joins) and its secrets'
    /// names (what TLS labels name).
    async fn route_objects(&self) -> Result<(Vec<Network>, Vec<String>), ApiError> {
        let d = &self.docker;
        let networks = self.call(
            "GET /networks",
            d.list_networks(None::<ListNetworksOptions>),
        );
        let secrets = self.call("GET /secrets", d.list_secrets(None::<ListSecretsOptions>));
        let (networks, secrets) = tokio::join!(networks, secrets);
        let (networks, secrets) = (networks?, secrets?);
        Ok((
            networks.into_iter().map(convert::network).collect(),
            secrets.into_iter().map(convert::secret_name).collect(),
        ))
    }

    /// The config the core reads at /config.toml, with its TOML.
    async fn mounted_config(&self, core: &Service) -> Result<(ConfigInfo, String), ApiError> {
        let Some(mounted) = core.config_at(CONFIG_TARGET) else {
            return Err(ApiError::Unusable {
                call: format!("read the config of `{CORE_SERVICE}`"),
                message: format!("`{CORE_SERVICE}` mounts no config at {CONFIG_TARGET}"),
            });
        };
        let raw = self
            .call(
                &format!("GET /configs/{}", mounted.config_name),
                self.docker.inspect_config(&mounted.config_id),
            )
            .await?;
        let read = convert::config_data(raw).map_err(|message| ApiError::Unusable {
            call: format!("read config {}", mounted.config_name),
            message,
        })?;
        Ok((read.info, read.data))
    }

    /// "12 API requests over 1 connection", for the end of a command.
    pub fn summary(&self) -> String {
        let (r, c) = (self.stats.requests(), self.stats.connections());
        format!(
            "{r} API request{} over {c} connection{} to {} ({})",
            if r == 1 { "" } else { "s" },
            if c == 1 { "" } else { "s" },
            self.address,
            if self.stats.multiplexed() {
                "HTTP/2, concurrent"
            } else {
                "HTTP/1.1, one request at a time per connection"
            }
        )
    }
}

/// The part of a config name shared by all its versions.
fn family_prefix(name: &str) -> String {
    match name.rsplit_once('-') {
        Some((p, n)) if n.chars().all(|c| c.is_ascii_digit()) => p.to_string(),
        _ => name.to_string(),
    }
}

/// Over TLS 1.3 a server that refuses the client certificate may close the connection right
/// after the handshake without an alert the client reads: on the very first request that is
/// what a dropped connection most likely means, unless the server has sent anything since a
/// handshake (`refused` is false then): an HTTP/2 server's preface or an answer says it took
/// the certificate, and a connection it drops then is dropped, as over HTTP/1.1.
fn first_call_over_tls(e: ApiError, refused: bool) -> ApiError {
    match e {
        ApiError::Transport(TransportError::Dropped { address, .. }) if refused => {
            TransportError::Tls {
                address,
                why: "the server closed the connection right after the handshake, before any answer; \
                      it most likely does not accept this bundle's client certificate"
                    .into(),
            }
            .into()
        }
        other => other,
    }
}
