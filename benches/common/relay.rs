//! A user-space TCP relay with a set round-trip time, standing in for a manager across a WAN
//! (there is no netem here): every chunk read on one side is written to the other side RTT/2
//! after it arrived, in order, each direction on its own so that pipelined data is not
//! serialised. A new connection costs one RTT before its first byte may leave, as TCP's
//! handshake would.
//!
//! It counts what the distance makes expensive: connections, and client flights, the times a
//! client sends after having received something (or for the first time) on a connection. A
//! client that waits for each answer before it sends again pays one RTT per flight; flights
//! on concurrent connections overlap.
//!
//! `nodelay` sets TCP_NODELAY on both of the relay's sockets. Without it the relay behaves
//! like socat: a small write that follows an unacknowledged one waits for the peer's delayed
//! ACK (about 40 ms on Linux), once or more per connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// What the relay counted since it started.
#[derive(Default)]
struct Counters {
    connections: AtomicUsize,
    flights: AtomicUsize,
}

/// A running relay; stops on drop.
pub struct Relay {
    addr: SocketAddr,
    rtt: Duration,
    nodelay: bool,
    counters: Arc<Counters>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The connections and client flights of a span of time (see [`Relay::counts`]).
#[derive(Clone, Copy, Default, Debug)]
pub struct Counts {
    pub connections: usize,
    pub flights: usize,
}

impl std::ops::Sub for Counts {
    type Output = Counts;
    fn sub(self, earlier: Counts) -> Counts {
        Counts {
            connections: self.connections - earlier.connections,
            flights: self.flights - earlier.flights,
        }
    }
}

impl Relay {
    /// Listens on `127.0.0.1:<random port>` and relays each connection to `upstream` with
    /// `rtt` added to every round trip, in a thread with its own tokio runtime.
    pub fn start(upstream: SocketAddr, rtt: Duration, nodelay: bool) -> Relay {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the relay");
        listener.set_nonblocking(true).expect("non-blocking relay");
        let addr = listener.local_addr().expect("relay address");
        let counters = Arc::new(Counters::default());
        let (tx, rx) = oneshot::channel();
        let shared = counters.clone();
        let thread = std::thread::Builder::new()
            .name(format!("relay-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                    .expect("relay runtime");
                let link = Link {
                    upstream,
                    one_way: rtt / 2,
                    nodelay,
                    counters: shared,
                };
                rt.block_on(serve(listener, link, rx));
                rt.shutdown_timeout(Duration::from_secs(1));
            })
            .expect("relay thread");
        Relay {
            addr,
            rtt,
            nodelay,
            counters,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// `tcp://127.0.0.1:<port>`, for `DOCKER_HOST`.
    pub fn docker_host(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    /// The round-trip time it adds.
    /// Points the client bundle written in `dir` at the relay: its `env.sh`, which the tool
    /// reads for the host, names the relay instead of the front.
    pub fn point_bundle(&self, dir: &std::path::Path) {
        std::fs::write(
            dir.join("env.sh"),
            format!(
                "export DOCKER_HOST={}\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH=\"$(pwd)\"\n",
                self.docker_host()
            ),
        )
        .expect("writing env.sh");
    }

    pub fn rtt(&self) -> Duration {
        self.rtt
    }

    /// Whether its sockets set TCP_NODELAY.
    pub fn nodelay(&self) -> bool {
        self.nodelay
    }

    /// The counts so far; subtract two of them for a span.
    pub fn counts(&self) -> Counts {
        Counts {
            connections: self.counters.connections.load(Ordering::SeqCst),
            flights: self.counters.flights.load(Ordering::SeqCst),
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What every relayed connection shares.
#[derive(Clone)]
struct Link {
    upstream: SocketAddr,
    one_way: Duration,
    nodelay: bool,
    counters: Arc<Counters>,
}

async fn serve(listener: std::net::TcpListener, link: Link, mut shutdown: oneshot::Receiver<()>) {
    let listener = TcpListener::from_std(listener).expect("tokio listener");
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                if let Ok((client, _)) = accepted {
                    tokio::spawn(connection(client, link.clone()));
                }
            }
        }
    }
}

/// Who sent last on a connection.
const NOBODY: u8 = 0;
const CLIENT: u8 = 1;
const SERVER: u8 = 2;

async fn connection(client: TcpStream, link: Link) {
    let accepted = Instant::now();
    link.counters.connections.fetch_add(1, Ordering::SeqCst);
    let Ok(server) = TcpStream::connect(link.upstream).await else {
        return;
    };
    let _ = client.set_nodelay(link.nodelay);
    let _ = server.set_nodelay(link.nodelay);
    let (from_client, to_client) = client.into_split();
    let (from_server, to_server) = server.into_split();
    let last = Arc::new(AtomicU8::new(NOBODY));
    // The client's connect returned at once here; over the distance it would have taken a
    // round trip, so nothing it sends leaves before that.
    let handshake_done = accepted + link.one_way * 2;
    let up = pipe(
        from_client,
        to_server,
        Direction {
            from: CLIENT,
            not_before: handshake_done,
        },
        last.clone(),
        link.clone(),
    );
    let down = pipe(
        from_server,
        to_client,
        Direction {
            from: SERVER,
            not_before: accepted,
        },
        last,
        link,
    );
    tokio::join!(up, down);
}

/// One direction of a connection.
struct Direction {
    from: u8,
    not_before: Instant,
}

/// Copies `r` to `w`, each chunk `one_way` after it arrived (and not before `not_before`),
/// then closes `w`'s write side once `r` has ended.
async fn pipe(
    mut r: OwnedReadHalf,
    mut w: OwnedWriteHalf,
    dir: Direction,
    last: Arc<AtomicU8>,
    link: Link,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Option<Vec<u8>>)>();
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = r.read(&mut buf).await.unwrap_or(0);
            let at = Instant::now().max(dir.not_before) + link.one_way;
            if n == 0 {
                let _ = tx.send((at, None));
                break;
            }
            let before = last.swap(dir.from, Ordering::SeqCst);
            if dir.from == CLIENT && before != CLIENT {
                link.counters.flights.fetch_add(1, Ordering::SeqCst);
            }
            if tx.send((at, Some(buf[..n].to_vec()))).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = rx.recv().await {
            // Tokio's timer ticks in whole milliseconds: a deadline already passed (always, at
            // 0 ms) is not handed to it, or every chunk would wait for the next tick.
            if at > Instant::now() {
                tokio::time::sleep_until(at).await;
            }
            match chunk {
                Some(bytes) => {
                    if w.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                None => {
                    let _ = w.shutdown().await;
                    break;
                }
            }
        }
    };
    tokio::join!(reader, writer);
}
