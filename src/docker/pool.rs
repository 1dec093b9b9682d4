//! A cap on the connections the pool opens. Over HTTP/1.1 each request in flight holds a
//! connection of its own: concurrent reads open connections side by side (their handshakes
//! overlapping, so they cost one handshake's time), and no more than [`POOL`] of them, which
//! later requests share as they come free.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower_service::Service;

use super::trace::Trace;

/// The most connections a command opens to its endpoint: enough for a plan's or a status's
/// independent reads to go out in one round beside the version negotiation, few enough to be
/// no burden on a manager.
pub const POOL: usize = 5;

/// Waits for a free place in the pool before connecting; the connection keeps its place until
/// it closes. Each connection opened is a `-v` line, with what opening it took.
#[derive(Clone)]
pub struct Limited<C> {
    pub inner: C,
    pub places: Arc<Semaphore>,
    /// "TCP connect and TLS handshake", for the `-v` line.
    pub what: &'static str,
    pub printer: Trace,
    opened: Arc<AtomicUsize>,
    /// Set once the server sends any byte over a connection after its handshake (an HTTP/2
    /// preface, an answer): from then on a dropped connection is not a refused certificate.
    heard: Arc<AtomicBool>,
}

impl<C> Limited<C> {
    pub fn new(inner: C, places: usize, what: &'static str, printer: Trace) -> Self {
        Limited {
            inner,
            places: Arc::new(Semaphore::new(places)),
            what,
            printer,
            opened: Arc::default(),
            heard: Arc::default(),
        }
    }

    /// Shares `heard` ([`Limited::heard`]'s flag) with the caller.
    pub fn hearing(mut self, heard: Arc<AtomicBool>) -> Self {
        self.heard = heard;
        self
    }
}

type Connecting<T, E> = Pin<Box<dyn Future<Output = Result<Held<T>, E>> + Send>>;

impl<C, R> Service<R> for Limited<C>
where
    C: Service<R> + Clone + Send + 'static,
    C::Future: Send,
    C::Response: Send,
    C::Error: std::fmt::Display,
    R: Send + 'static,
{
    type Response = Held<C::Response>;
    type Error = C::Error;
    type Future = Connecting<C::Response, C::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        // The connector that was made ready does the call; a clone takes its place.
        let mut inner = self.inner.clone();
        std::mem::swap(&mut inner, &mut self.inner);
        let (places, opened) = (Arc::clone(&self.places), Arc::clone(&self.opened));
        let heard = Arc::clone(&self.heard);
        let (what, printer) = (self.what, self.printer);
        Box::pin(async move {
            // The semaphore is never closed: a permit always comes, once one is free.
            let place = places.acquire_owned().await.ok();
            let start = Instant::now();
            let io = inner.call(req).await;
            let ms = start.elapsed().as_millis();
            match &io {
                Ok(_) => {
                    let n = opened.fetch_add(1, Ordering::Relaxed) + 1;
                    printer.note(&format!("api: connection {n}: {what} ({ms} ms)"));
                }
                Err(e) => printer.note(&format!("api: {what} → error: {e} ({ms} ms)")),
            }
            Ok(Held {
                io: io?,
                _place: place,
                heard,
            })
        })
    }
}

/// A connection holding its place in the pool.
pub struct Held<T> {
    io: T,
    _place: Option<OwnedSemaphorePermit>,
    heard: Arc<AtomicBool>,
}

impl<T: Connection> Connection for Held<T> {
    fn connected(&self) -> Connected {
        self.io.connected()
    }
}

impl<T: Read + Unpin> Read for Held<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        // SAFETY: as hyper-util's own wrappers do: the inner reader is lent the cursor's
        // unfilled part, and the cursor is advanced by exactly what the reader filled there.
        let n = unsafe {
            let mut lent = hyper::rt::ReadBuf::uninit(buf.as_mut());
            match Pin::new(&mut self.io).poll_read(cx, lent.unfilled()) {
                Poll::Ready(Ok(())) => lent.filled().len(),
                other => return other,
            }
        };
        if n > 0 {
            self.heard.store(true, Ordering::Relaxed);
        }
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl<T: Write + Unpin> Write for Held<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::future::{Ready, ready};

    /// A connector that "connects" at once, to a number.
    #[derive(Clone)]
    struct Now;

    impl Service<u32> for Now {
        type Response = u32;
        type Error = Infallible;
        type Future = Ready<Result<u32, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, n: u32) -> Self::Future {
            ready(Ok(n))
        }
    }

    #[tokio::test]
    async fn a_connection_past_the_pool_waits_for_one_to_close() {
        let mut pool = Limited::new(Now, 2, "connect", Trace::default());
        let first = pool.call(1).await.unwrap();
        let _second = pool.call(2).await.unwrap();
        let mut third = pool.call(3);
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(third.as_mut().poll(&mut cx).is_pending());
        drop(first);
        match third.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(held)) => assert_eq!(held.io, 3),
            _ => panic!("the third connection should open once the first closed"),
        }
    }
}
