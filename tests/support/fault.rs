//! Faults the real engine will not produce on demand, injected by the mTLS front
//! ([`super::TlsFront::fail`]): on the nth request matching a method and a path fragment, an
//! HTTP 500 with an engine-like message, no answer at all, a dropped connection, a reset,
//! swarm's "update out of sequence", or the request carried out by the engine and its answer
//! dropped. Every other request goes to the real engine. Each works over HTTP/1.1 and HTTP/2.

use std::sync::Mutex;

/// What a fault does to the request it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// HTTP 500 with an engine-like JSON message; the request never reaches the engine.
    ServerError,
    /// No answer (for a minute): the tool's `--timeout` fires first.
    Hang,
    /// The connection is closed without an answer (TCP FIN; under HTTP/2 the connection and
    /// every request on it); the request never reaches the engine.
    Drop,
    /// The request is reset: under HTTP/2 its stream (RST_STREAM, INTERNAL_ERROR), the
    /// connection staying open; under HTTP/1.1, which has no streams, the connection (TCP RST).
    /// The request never reaches the engine.
    Reset,
    /// The request goes to the engine, which carries it out; its answer is read to the end
    /// and dropped, and the connection closed: "done, but the answer was lost".
    DropAfter,
    /// HTTP 500 "rpc error: code = Unknown desc = update out of sequence", what swarm answers an
    /// update sent with a version that is no longer the service's.
    OutOfSequence,
}

/// One fault: fires once, on the `nth` (from 1) request whose method is `method` and whose
/// path and query, without the API version, contain `path`.
#[derive(Clone, Debug)]
pub struct Fault {
    pub method: &'static str,
    pub path: String,
    pub nth: usize,
    pub kind: FaultKind,
}

impl Fault {
    pub fn new(method: &'static str, path: &str, kind: FaultKind) -> Fault {
        Fault {
            method,
            path: path.to_string(),
            nth: 1,
            kind,
        }
    }
}

/// The armed faults with their counts of matching requests, and what fired.
#[derive(Default)]
pub(super) struct Faults {
    armed: Mutex<Vec<(Fault, usize)>>,
    fired: Mutex<Vec<String>>,
}

impl Faults {
    pub(super) fn arm(&self, fault: Fault) {
        self.armed.lock().unwrap().push((fault, 0));
    }

    pub(super) fn clear(&self) {
        self.armed.lock().unwrap().clear();
    }

    pub(super) fn take_fired(&self) -> Vec<String> {
        std::mem::take(&mut self.fired.lock().unwrap())
    }

    /// The fault `"<METHOD> <path?query>"` hits, if any; it is then disarmed.
    pub(super) fn hit(&self, method: &str, target: &str) -> Option<FaultKind> {
        let mut armed = self.armed.lock().unwrap();
        let matches = |f: &Fault| f.method == method && target.contains(f.path.as_str());
        for (f, seen) in armed.iter_mut() {
            *seen += usize::from(matches(f));
        }
        let i = armed
            .iter()
            .position(|(f, seen)| matches(f) && *seen == f.nth)?;
        let (fault, _) = armed.remove(i);
        self.fired
            .lock()
            .unwrap()
            .push(format!("{:?} on {method} {target}", fault.kind));
        Some(fault.kind)
    }
}

/// The engine's message for a fault answered with HTTP 500.
pub(super) fn message(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::OutOfSequence => "rpc error: code = Unknown desc = update out of sequence",
        _ => "rpc error: code = Internal desc = injected by the test front",
    }
}
