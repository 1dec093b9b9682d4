//! A counting allocator for the in-process benches: live heap bytes and their high-water mark.
//! A bench installs it with `#[global_allocator] static ALLOC: heap::Counting = heap::Counting;`.
//!
//! Counting is off until `mark` turns it on, and `stop` turns it off again: two atomic updates
//! on every allocation made the in-process 1,000-cluster plan ~20 % slower (601 vs 492 ms), so
//! a bench times its runs with counting off and measures the heap in a separate pass.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

pub struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grew(by: usize) {
    if !ON.load(Ordering::Relaxed) {
        return;
    }
    let by = by as isize;
    let now = CURRENT.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(by: usize) {
    if !ON.load(Ordering::Relaxed) {
        return;
    }
    CURRENT.fetch_sub(by as isize, Ordering::Relaxed);
}

/// Starts a measurement with counting on: `peak_since(mark())` is the most heap in use above
/// what was in use at the mark (bytes allocated since, net of bytes freed since).
pub fn mark() -> usize {
    CURRENT.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    ON.store(true, Ordering::Relaxed);
    0
}

/// Turns counting off, for timed runs.
pub fn stop() {
    ON.store(false, Ordering::Relaxed);
}

/// The most heap in use above `base` since `mark` returned it.
pub fn peak_since(base: usize) -> usize {
    let peak = PEAK.load(Ordering::Relaxed);
    usize::try_from(peak).unwrap_or(0).saturating_sub(base)
}

// SAFETY: every call is forwarded unchanged to `System`; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                shrank(layout.size() - new_size);
            }
        }
        p
    }
}
