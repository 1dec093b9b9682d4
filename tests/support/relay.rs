//! A TCP relay that puts distance between a client and a server: every chunk of bytes, either
//! way, is passed on a fixed time after it arrived (half the round trip), in order, without
//! holding back the chunks behind it. Through it the loopback behaves like a VPN to a far
//! cluster, to see how many round trips a command takes.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A running relay; stops with its thread when dropped.
pub struct Relay {
    port: u16,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Relay {
    /// Relays `127.0.0.1:<port>` to `target`, each way `one_way` late.
    pub fn start(target: SocketAddr, one_way: Duration) -> Relay {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the relay");
        listener.set_nonblocking(true).expect("non-blocking relay");
        let port = listener.local_addr().expect("relay address").port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("relay runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio relay listener");
                tokio::select! {
                    _ = stopped => {}
                    _ = accept(listener, target, one_way) => {}
                }
            });
            rt.shutdown_background();
        });
        Relay { port, _stop: stop }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

async fn accept(listener: TcpListener, target: SocketAddr, one_way: Duration) {
    while let Ok((client, _)) = listener.accept().await {
        tokio::spawn(async move {
            // The connection to the server is part of the distance too: the client's connect
            // is answered only when the server's would be, a round trip later.
            tokio::time::sleep(one_way * 2).await;
            let Ok(server) = TcpStream::connect(target).await else {
                return;
            };
            let _ = (client.set_nodelay(true), server.set_nodelay(true));
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            tokio::spawn(pipe(cr, sw, one_way));
            tokio::spawn(pipe(sr, cw, one_way));
        });
    }
}

/// Passes what `from` reads to `to`, each chunk `delay` after it was read.
async fn pipe(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, delay: Duration) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((due, bytes)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0
            || tx
                .send((Instant::now() + delay, buf[..n].to_vec()))
                .is_err()
        {
            break;
        }
    }
    drop(tx);
    let _ = writer.await;
}
