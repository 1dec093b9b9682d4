//! Colour, only where it helps: on a terminal, unless NO_COLOR says otherwise.

use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// `always` wins over NO_COLOR (the user asked explicitly); `auto` needs a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }

    pub fn for_stdout(self) -> bool {
        self.enabled(std::io::stdout().is_terminal())
    }

    pub fn for_stderr(self) -> bool {
        self.enabled(std::io::stderr().is_terminal())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Styler {
    pub enabled: bool,
}

macro_rules! style {
    ($name:ident, $code:expr) => {
        pub fn $name(&self, s: &str) -> String {
            self.paint(s, $code)
        }
    };
}

impl Styler {
    pub fn new(enabled: bool) -> Self {
        Self { enabled }
    }

    fn paint(&self, s: &str, code: &str) -> String {
        if self.enabled && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    style!(red, "31");
    style!(green, "32");
    style!(yellow, "33");
    style!(cyan, "36");
    style!(bold, "1");
    style!(dim, "2");
    style!(red_bold, "1;31");
    style!(yellow_bold, "1;33");
}
