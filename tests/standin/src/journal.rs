//! What the core has logged, so that a state that lasts is logged once, not every round.

use std::collections::{HashMap, HashSet};

use crate::log;

/// A state that lasts (a service that exists, a create that keeps failing the same way) is logged
/// once, not every round.
#[derive(Default)]
pub struct Journal {
    said: HashSet<String>,
    states: HashMap<String, String>,
    failing: HashMap<String, (String, u64)>,
}

impl Journal {
    /// Logs `line` the first time `key` is seen.
    pub fn once(&mut self, key: &str, line: &str) {
        if self.said.insert(key.to_string()) {
            log!("{line}");
        }
    }

    /// Logs `line` when it differs from the last line logged for `key` (a state that changes).
    pub fn state(&mut self, key: &str, line: &str) {
        if self.states.get(key).map(String::as_str) != Some(line) {
            self.states.insert(key.to_string(), line.to_string());
            log!("{line}");
        }
    }

    /// Logs the failure `line` of `key` unless it repeats the last one (every 60th repeat is
    /// logged again, with the count).
    pub fn error(&mut self, key: &str, line: &str) {
        let entry = self
            .failing
            .entry(key.to_string())
            .or_insert_with(|| (String::new(), 0));
        if entry.0 == line {
            entry.1 += 1;
            if entry.1.is_multiple_of(60) {
                log!("{line} (failed {} times)", entry.1 + 1);
            }
        } else {
            *entry = (line.to_string(), 0);
            log!("{line}");
        }
    }

    /// Forgets the failure of `key` after it succeeded.
    pub fn ok(&mut self, key: &str) {
        self.failing.remove(key);
    }
}
