//! Text made safe for a terminal. Config values can hold any character through TOML escapes
//! (`"\u001b]0;…"`), and printed raw they would move the cursor, retitle the window or hide
//! text (`ESC [ 8 m`). Every control character is shown escaped (`\u{1b}`), except line breaks,
//! tabs and — when colour is on — the colour codes the styler itself wrote, which it marks
//! (`style::mark`): an escape sequence from anywhere else is escaped, whatever it looks like.

use std::borrow::Cow;

use super::style::mark;

/// `text` with control characters escaped. `colour`: keep the styler's own colour codes (else
/// they are dropped; the styler writes none when colour is off).
pub fn safe(text: &str, colour: bool) -> Cow<'_, str> {
    let mark = mark();
    if !text.contains(mark)
        && !text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix(mark) {
            let n = sgr_len(after).unwrap_or(0);
            if colour {
                out.push_str(&after[..n]);
            }
            rest = &after[n..];
            continue;
        }
        let len = c.len_utf8();
        let keep = matches!(c, '\n' | '\t') || (c == '\r' && rest[len..].starts_with('\n'));
        if c.is_control() && !keep {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
        rest = &rest[len..];
    }
    Cow::Owned(out)
}

/// Length of a colour code (`ESC [ 1;31 m`) at the start of `s`.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\x1b[")?;
    let n = body.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
    body[n..].starts_with('m').then_some(2 + n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::style::Styler;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(safe("a\x1b]0;pwned\x07b", false), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(safe("x\ry\r\nz\t\n", false), "x\\u{d}y\r\nz\t\n");
        assert_eq!(safe("é\u{9b}", false), "é\\u{9b}");
        assert!(matches!(safe("plain\n", false), Cow::Borrowed(_)));
    }

    #[test]
    fn only_the_stylers_own_colour_codes_pass() {
        let s = Styler::new(true);
        // A config value that would hide what follows, and one that looks like our own red.
        let hostile = "\x1b[8mhidden\x1b[0m \x1b[1;31mfake\x1b[0m \x1b[2J";
        let text = format!("{} {hostile}", s.red_bold("error:"));
        assert_eq!(
            safe(&text, true),
            "\x1b[1;31merror:\x1b[0m \\u{1b}[8mhidden\\u{1b}[0m \\u{1b}[1;31mfake\\u{1b}[0m \\u{1b}[2J"
        );
        // Styled inside a styled span, the value is still escaped.
        let nested = s.bold(&format!("name {hostile}"));
        assert!(!safe(&nested, true).contains("\x1b[8m"));
    }

    #[test]
    fn without_colour_nothing_is_kept() {
        let painted = "\x1b[1;31merror:\x1b[0m";
        assert_eq!(safe(painted, false), "\\u{1b}[1;31merror:\\u{1b}[0m");
        let ours = Styler::new(true).red("x");
        assert_eq!(safe(&ours, false), "x");
    }
}
