//! One printer for the whole run: the product (plan, TOML, JSON) on stdout, diagnostics and
//! progress on stderr; `--quiet` silences status lines, never the product or errors.

use std::io::{self, Write};

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

    /// The command's product. A closed pipe (`| head`) is not an error worth a panic.
    pub fn out(&self, text: &str) {
        let text = terminal::safe(text, self.out_style.enabled);
        let mut o = io::stdout().lock();
        let _ = o.write_all(text.as_bytes()).and_then(|_| o.flush());
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
