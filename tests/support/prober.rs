//! A traffic prober for the multi-node bed: HTTP requests at a fixed rate to published ports on
//! the bed's own addresses only, bounded in count and in time, with per-port figures.

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

/// Probes running in the background until [`Prober::finish`].
pub struct Prober {
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<PortStats>>,
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
        let stop = Arc::new(AtomicBool::new(false));
        let threads = targets
            .iter()
            .map(|(address, port)| {
                assert!(
                    address.starts_with(&format!("{SUBNET}.")),
                    "the prober only sends to the bed's own addresses, not {address}"
                );
                let (address, port, stop) = (address.clone(), *port, stop.clone());
                std::thread::spawn(move || {
                    probe(address, port, &stop, interval, max_count, max_time)
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

/// One port's probe loop.
fn probe(
    address: String,
    port: u16,
    stop: &AtomicBool,
    interval: Duration,
    max_count: u64,
    max_time: Duration,
) -> PortStats {
    let start = Instant::now();
    let mut stats = PortStats {
        address: address.clone(),
        port,
        sent: 0,
        failed: 0,
        longest_gap: Duration::ZERO,
        first_answer: None,
    };
    let mut last_ok = start;
    while !stop.load(Ordering::SeqCst) && stats.sent < max_count && start.elapsed() < max_time {
        let tick = Instant::now();
        stats.sent += 1;
        if http_get(&address, port).is_ok() {
            let now = Instant::now();
            stats.longest_gap = stats.longest_gap.max(now - last_ok);
            stats.first_answer.get_or_insert(now - start);
            last_ok = now;
        } else {
            stats.failed += 1;
        }
        std::thread::sleep(interval.saturating_sub(tick.elapsed()));
    }
    stats.longest_gap = stats.longest_gap.max(last_ok.elapsed());
    stats
}
