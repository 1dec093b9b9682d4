//! The one place that talks to Docker. Everything else works on the `cluster::Snapshot` it reads.

mod answer;
pub mod bundle;
pub mod client;
pub mod context;
mod convert;
pub mod endpoint;
pub mod error;
mod history;
mod managers;
mod ops;
mod pool;
pub mod resolve;
mod spec_edit;
pub mod swarm;
pub mod tls;
pub mod trace;
pub mod transport;

pub use client::{Client, LiveState};
pub use endpoint::{ConnectArgs, Endpoint};
pub use error::{ApiError, ConnectError, Error, TransportError};
pub use swarm::Swarm;
pub use trace::Trace;
