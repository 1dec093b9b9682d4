//! A traffic prober for the multi-node bed: HTTP requests at a fixed rate to published ports on
//! the bed's own addresses only, bounded in count and in time, with per-port figures (is the
//! proxy up: its `/nginx_status`). Per application host: [`super::prober_by_host`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::multinode_core::http_get;
use super::netns::SUBNET;

/// What one port saw.
#[derive(Debug, Clone)]
pub struct PortStats {
    pub address: String,
    pub port: u16,
    pub sent: u64,
    pub failed: u64,
    /// The longest time without an answer (from the start, between answers, to the end).
    pub longest_gap: Duration,
    /// When the first answer came, from the start.
    pub first_answer: Option<Duration>,
}

/// What a probe loop counted.
pub(super) struct Counts {
    pub sent: u64,
    pub failed: u64,
    pub longest_gap: Duration,
    pub first_answer: Option<Duration>,
    /// When the first and the last failed request were sent, from the start.
    pub failures: Option<(Duration, Duration)>,
}

/// Probes running in the background until [`Prober::finish`].
pub struct Prober {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<PortStats>>,
}

/// The limits of a probe: a request every `interval`, at most `max_count` and `max_time`.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub interval: Duration,
    pub max_count: u64,
    pub max_time: Duration,
}

/// Panics unless `address` is one of the bed's own.
pub(super) fn assert_bed_address(address: &str) {
    assert!(
        address.starts_with(&format!("{SUBNET}.")),
        "the prober only sends to the bed's own addresses, not {address}"
    );
}

impl Prober {
    /// Starts one prober per `(address, port)`: a request every `interval`, at most `max_count`
    /// requests and `max_time` per port. Panics on an address outside the bed's subnet.
    pub fn start(
        targets: &[(String, u16)],
        interval: Duration,
        max_count: u64,
        max_time: Duration,
    ) -> Prober {
        let groups: Vec<(Vec<String>, u16)> = targets
            .iter()
            .map(|(address, port)| (vec![address.clone()], *port))
            .collect();
        Prober::start_failover(&groups, interval, max_count, max_time)
    }

    /// Like [`Prober::start`], with each request tried on the group's addresses in turn until
    /// one answers, as a front with failover between a proxy's nodes would: a request fails
    /// only when no node of the group answers. A group's address reads `a|b`.
    pub fn start_failover(
        groups: &[(Vec<String>, u16)],
        interval: Duration,
        max_count: u64,
        max_time: Duration,
    ) -> Prober {
        let stop = Arc::new(AtomicBool::new(false));
        let rate = Rate {
            interval,
            max_count,
            max_time,
        };
        let threads = groups
            .iter()
            .map(|(addresses, port)| {
                addresses.iter().for_each(|a| assert_bed_address(a));
                let (addresses, port, stop) = (addresses.clone(), *port, stop.clone());
                std::thread::spawn(move || {
                    let c = probe(&stop, rate, || {
                        addresses.iter().any(|a| http_get(a, port).is_ok())
                    });
                    PortStats {
                        address: addresses.join("|"),
                        port,
                        sent: c.sent,
                        failed: c.failed,
                        longest_gap: c.longest_gap,
                        first_answer: c.first_answer,
                    }
                })
            })
            .collect();
        Prober { stop, threads }
    }

    /// Stops the probes and returns their figures, in the order of the targets.
    pub fn finish(self) -> Vec<PortStats> {
        self.stop.store(true, Ordering::SeqCst);
        self.threads
            .into_iter()
            .map(|t| t.join().expect("prober thread"))
            .collect()
    }
}

/// One probe loop: `attempt` every `rate.interval` until stopped or a limit is reached.
pub(super) fn probe(stop: &AtomicBool, rate: Rate, mut attempt: impl FnMut() -> bool) -> Counts {
    let start = Instant::now();
    let mut c = Counts {
        sent: 0,
        failed: 0,
        longest_gap: Duration::ZERO,
        first_answer: None,
        failures: None,
    };
    let mut last_ok = start;
    while !stop.load(Ordering::SeqCst) && c.sent < rate.max_count && start.elapsed() < rate.max_time
    {
        let tick = Instant::now();
        c.sent += 1;
        if attempt() {
            let now = Instant::now();
            c.longest_gap = c.longest_gap.max(now - last_ok);
            c.first_answer.get_or_insert(now - start);
            last_ok = now;
        } else {
            c.failed += 1;
            let at = tick - start;
            c.failures = Some(c.failures.map_or((at, at), |(first, _)| (first, at)));
        }
        std::thread::sleep(rate.interval.saturating_sub(tick.elapsed()));
    }
    c.longest_gap = c.longest_gap.max(last_ok.elapsed());
    c
}
