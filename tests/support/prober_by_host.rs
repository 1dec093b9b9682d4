//! A traffic prober per application host: requests with the host's `Host` header at a fixed
//! rate, through a front that fails over between the nodes of the host's cluster, to the bed's
//! own addresses only; per host, the requests sent, failed and the longest time without an
//! answer. The benchmarks of routes moved during an apply read these figures.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::multinode_core::http_request;
use super::prober::{Rate, assert_bed_address, probe};

/// What one application host saw through its front.
#[derive(Debug, Clone)]
pub struct HostStats {
    pub host: String,
    /// The front's endpoints, `address:port|address:port…`, in the order tried.
    pub endpoints: String,
    pub sent: u64,
    pub failed: u64,
    /// The longest time without an answer (from the start, between answers, to the end).
    pub longest_gap: Duration,
    /// When the first answer came, from the start.
    pub first_answer: Option<Duration>,
    /// When the first and the last failed request were sent, from the start.
    pub failures: Option<(Duration, Duration)>,
}

/// An application host and the endpoints (node address, published port) of the front that
/// carries it, tried in this order.
#[derive(Debug, Clone)]
pub struct HostTarget {
    pub host: String,
    pub endpoints: Vec<(String, u16)>,
}

/// Per-host probes running in the background until [`HostProber::finish`].
pub struct HostProber {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<HostStats>>,
}

impl HostProber {
    /// Starts one prober per host: each request carries the host's `Host` header and is tried
    /// on its endpoints in turn until one answers 200, as a front that fails over between nodes
    /// (on no answer, or on an error status such as a proxy's 503) would; a request fails when
    /// no endpoint answers 200. Panics on an address outside the bed's subnet.
    pub fn start(targets: &[HostTarget], rate: Rate) -> HostProber {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = targets
            .iter()
            .map(|t| {
                t.endpoints.iter().for_each(|(a, _)| assert_bed_address(a));
                let (t, stop) = (t.clone(), stop.clone());
                std::thread::spawn(move || {
                    let c = probe(&stop, rate, || {
                        t.endpoints.iter().any(|(a, p)| {
                            http_request(a, *p, &t.host, "/").is_ok_and(|r| r.status == 200)
                        })
                    });
                    let endpoints: Vec<String> = t
                        .endpoints
                        .iter()
                        .map(|(a, p)| format!("{a}:{p}"))
                        .collect();
                    HostStats {
                        host: t.host,
                        endpoints: endpoints.join("|"),
                        sent: c.sent,
                        failed: c.failed,
                        longest_gap: c.longest_gap,
                        first_answer: c.first_answer,
                        failures: c.failures,
                    }
                })
            })
            .collect();
        HostProber { stop, threads }
    }

    /// Stops the probes and returns their figures, in the order of the targets.
    pub fn finish(self) -> Vec<HostStats> {
        self.stop.store(true, Ordering::SeqCst);
        self.threads
            .into_iter()
            .map(|t| t.join().expect("prober thread"))
            .collect()
    }
}
