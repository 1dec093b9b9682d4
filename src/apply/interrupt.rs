//! Ctrl-C: noted, and acted on between steps, so that the cluster is never left mid-call.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    /// Listens for Ctrl-C for as long as the runtime runs.
    pub fn listen() -> Self {
        let flag = Interrupt::default();
        let f = flag.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                f.set();
            }
        });
        flag
    }

    /// Ctrl-C was pressed.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}
