//! Talking to the cluster from a command: a runtime, a client, and errors that say what to do.

use std::time::Duration;

use crate::cli::args::ConnectionArgs;
use crate::cli::{CliError, ErrorCode};
use crate::docker::{self, ApiError, Client, LiveState, Trace};
use crate::output::printer::Printer;

pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::new(
                ErrorCode::Internal,
                format!("cannot start the async runtime: {e}"),
            )
        })
}

pub fn to_cli(e: impl Into<docker::Error>) -> CliError {
    let e = e.into();
    let code = match &e {
        docker::Error::Connect(_) => ErrorCode::Connect,
        docker::Error::Api(ApiError::Transport(_)) => ErrorCode::Transport,
        docker::Error::Api(ApiError::NoLeader(_)) => ErrorCode::NoLeader,
        docker::Error::Api(_) => ErrorCode::Api,
        docker::Error::NoInterlock => ErrorCode::NoInterlock,
    };
    let mut err = CliError::new(code, e.message());
    if let docker::Error::Api(a) = &e {
        err = err.kind(a.kind());
    }
    if let Some(h) = e.hint() {
        err = err.hint(h);
    }
    err
}

/// The Docker module's `-v` lines follow `-v`.
pub fn trace(printer: &Printer) -> Trace {
    Trace {
        on: printer.verbose > 0,
    }
}

/// Connects and reads what a plan or status needs, once no node is of unknown state (or after
/// a bounded wait for them).
pub async fn read(
    conn: &ConnectionArgs,
    with_tasks: bool,
    printer: Printer,
) -> Result<(Client, LiveState), CliError> {
    let client = connect(conn, printer).await?;
    let state = state(&client, with_tasks, printer).await?;
    Ok((client, state))
}

/// A client for the connection the arguments name; the first request connects.
pub async fn connect(conn: &ConnectionArgs, printer: Printer) -> Result<Client, CliError> {
    Client::connect(
        &conn.connect_args(),
        Duration::from_secs(conn.timeout.max(1)),
        trace(&printer),
    )
    .await
    .map_err(to_cli)
}

/// What a plan or status needs, once no node is of unknown state (or after a bounded wait for
/// them). A command that needs more reads it beside this, concurrently.
pub async fn state(
    client: &Client,
    with_tasks: bool,
    printer: Printer,
) -> Result<LiveState, CliError> {
    let state = client.live_state(with_tasks).await.map_err(to_cli)?;
    let state = super::unknown_nodes::settle(client, state, with_tasks, printer).await?;
    printer.verbose(&format!(
        "read {} nodes, {} services, {} interlock configs; the core reads {}",
        state.snapshot.nodes.len(),
        state.snapshot.services.len(),
        state.snapshot.configs.len(),
        state.config.name
    ));
    Ok(state)
}
