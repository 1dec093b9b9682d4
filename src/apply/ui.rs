//! Progress for apply: a live line on a terminal, plain lines (one per change) otherwise, so
//! that a runbook's log reads as well as a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::output::printer::Printer;

pub struct Ui {
    pub printer: Printer,
    live: bool,
    bar: Option<ProgressBar>,
    last: String,
}

impl Ui {
    pub fn new(printer: Printer) -> Self {
        Self {
            live: std::io::stderr().is_terminal() && !printer.quiet,
            printer,
            bar: None,
            last: String::new(),
        }
    }

    /// A step begins.
    pub fn step(&mut self, n: usize, total: usize, what: &str) {
        self.finish();
        self.printer.status(&format!("[{n}/{total}] {what}"));
    }

    /// Progress within a step; printed only when it changes.
    pub fn progress(&mut self, text: &str) {
        if text == self.last {
            return;
        }
        self.last = text.to_string();
        if self.live {
            let bar = self.bar.get_or_insert_with(|| {
                let b = ProgressBar::new_spinner();
                b.set_style(
                    ProgressStyle::with_template("      {spinner} {msg}").expect("valid template"),
                );
                b.enable_steady_tick(Duration::from_millis(120));
                b
            });
            bar.set_message(text.to_string());
        } else {
            self.printer.status(&format!("      {text}"));
        }
    }

    /// The outcome of a step.
    pub fn done(&mut self, text: &str) {
        self.finish();
        self.printer.status(&format!("      {text}"));
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
        self.last.clear();
    }
}

impl Drop for Ui {
    fn drop(&mut self) {
        self.finish();
    }
}
