//! Colour, only where it helps: on a terminal, unless NO_COLOR says otherwise.
//!
//! The styler's colour codes carry a mark that is random per process, and the printer lets an
//! escape sequence through only behind that mark: text read from a config, the engine or a file
//! can hold `ESC [ 8 m` (which hides what follows), but it cannot guess the mark.

use std::io::IsTerminal;
use std::sync::OnceLock;

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
            let m = mark();
            format!("{m}\x1b[{code}m{s}{m}\x1b[0m")
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

/// Four characters of the private use area, from 64 random bits (std's hasher keys come from
/// the operating system's randomness): what makes a colour code the styler's own.
pub fn mark() -> &'static str {
    static MARK: OnceLock<String> = OnceLock::new();
    MARK.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        let bits = h.finish();
        (0..4)
            .filter_map(|i| char::from_u32(0xF_0000 + ((bits >> (16 * i)) & 0xFFFF) as u32))
            .collect()
    })
}
