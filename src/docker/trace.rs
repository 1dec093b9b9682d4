//! The `-v` lines of the Docker module (endpoint, API version, each request), written to
//! stderr. Its own small type, so that the module that talks to Docker does not depend on the
//! output layer.

use std::io::Write;

#[derive(Debug, Clone, Copy, Default)]
pub struct Trace {
    pub on: bool,
}

impl Trace {
    pub fn note(&self, text: &str) {
        if self.on {
            let mut e = std::io::stderr().lock();
            let _ = writeln!(e, "{text}");
        }
    }
}
