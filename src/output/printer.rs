//! One printer for the whole run: the product (plan, TOML, JSON) on stdout, diagnostics and
//! progress on stderr; `--quiet` silences status lines, never the product or errors.

use std::io::{self, Write};
use std::sync::OnceLock;

use super::style::{ColorChoice, Styler};
use super::terminal;

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub quiet: bool,
    pub verbose: u8,
    pub out_style: Styler,
    pub err_style: Styler,
}

impl Printer {
    pub fn new(color: ColorChoice, quiet: bool, verbose: u8) -> Self {
        Self {
            quiet,
            verbose,
            out_style: Styler::new(color.for_stdout()),
            err_style: Styler::new(color.for_stderr()),
        }
    }

    /// The command's product. A closed pipe (`| head`) is the reader's choice and stays quiet;
    /// any other failure (a full disk) is kept for [`stdout_failure`], so that the command
    /// fails instead of leaving a runbook an empty or cut file.
    pub fn out(&self, text: &str) {
        if STDOUT_FAILURE.get().is_some() {
            return;
        }
        let text = terminal::safe(text, self.out_style.enabled);
        let mut o = io::stdout().lock();
        if let Err(e) = o.write_all(text.as_bytes()).and_then(|_| o.flush())
            && e.kind() != io::ErrorKind::BrokenPipe
        {
            let _ = STDOUT_FAILURE.set(e.to_string());
        }
    }

    /// A prompt on stderr, with no line break after it.
    pub fn prompt(&self, text: &str) {
        let text = terminal::safe(text, self.err_style.enabled);
        let mut e = io::stderr().lock();
        let _ = e.write_all(text.as_bytes()).and_then(|_| e.flush());
    }

    /// Status lines on stderr, unless quiet.
    pub fn status(&self, text: &str) {
        if !self.quiet {
            self.err(text);
        }
    }

    /// Details for `-v`.
    pub fn verbose(&self, text: &str) {
        if self.verbose > 0 {
            self.err(text);
        }
    }

    /// Diagnostics: always shown.
    pub fn err(&self, text: &str) {
        let text = terminal::safe(text, self.err_style.enabled);
        let mut e = io::stderr().lock();
        let _ = e.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = e.write_all(b"\n");
        }
    }
}

static STDOUT_FAILURE: OnceLock<String> = OnceLock::new();

/// Why the product could not be written to stdout, if it could not (a closed pipe aside).
pub fn stdout_failure() -> Option<&'static str> {
    STDOUT_FAILURE.get().map(String::as_str)
}
