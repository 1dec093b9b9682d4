//! Text made safe for a terminal. Config values can hold any character through TOML escapes
//! (`"\u001b]0;…"`), and printed raw they would move the cursor, retitle the window or hide
//! text. Every control character is shown escaped (`\u{1b}`), except line breaks, tabs and —
//! when colour is on — the colour codes the styler itself writes.

use std::borrow::Cow;

/// `text` with control characters escaped. `colour`: keep `ESC [ <digits;> m` sequences.
pub fn safe(text: &str, colour: bool) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t') || colour_allowed(c, colour))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        if c == '\x1b'
            && colour
            && let Some(n) = sgr_len(rest)
        {
            out.push_str(&rest[..n]);
            rest = &rest[n..];
            continue;
        }
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

/// An escape character is worth a second look only when colour codes may be kept.
fn colour_allowed(c: char, colour: bool) -> bool {
    colour && c == '\x1b'
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

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(safe("a\x1b]0;pwned\x07b", false), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(safe("x\ry\r\nz\t\n", false), "x\\u{d}y\r\nz\t\n");
        assert_eq!(safe("é\u{9b}", false), "é\\u{9b}");
        assert!(matches!(safe("plain\n", false), Cow::Borrowed(_)));
    }

    #[test]
    fn colour_codes_are_kept_only_with_colour() {
        let painted = "\x1b[1;31merror:\x1b[0m \x1b[2J";
        assert_eq!(safe(painted, true), "\x1b[1;31merror:\x1b[0m \\u{1b}[2J");
        assert_eq!(
            safe(painted, false),
            "\\u{1b}[1;31merror:\\u{1b}[0m \\u{1b}[2J"
        );
    }
}
