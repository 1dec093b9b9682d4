//! Masking of secret-looking values (`AdminPass`, tokens, …) in anything printed for people.

use std::borrow::Cow;

use crate::interlock::keys::looks_secret;

pub const MASK: &str = "\"********\"";

/// Masks the value of a `Key = value` TOML line (optionally prefixed by a diff marker) whose
/// key looks secret. Empty strings stay visible: they hide nothing and say "not set".
pub fn line(line: &str) -> Cow<'_, str> {
    let (marker, body) = match line.chars().next() {
        Some(c @ ('+' | '-' | ' ')) if !line.starts_with("+++") && !line.starts_with("---") => {
            (&line[..c.len_utf8()], &line[c.len_utf8()..])
        }
        _ => ("", line),
    };
    let Some(eq) = body.find('=') else {
        return Cow::Borrowed(line);
    };
    let key = body[..eq].trim().trim_matches(|c| c == '"' || c == '\'');
    let value = body[eq + 1..].trim();
    if key.is_empty()
        || key.starts_with('[')
        || !looks_secret(key.rsplit('.').next().unwrap_or(key))
    {
        return Cow::Borrowed(line);
    }
    if value.is_empty() || value == "\"\"" || value == "''" {
        return Cow::Borrowed(line);
    }
    Cow::Owned(format!("{marker}{}= {MASK}", &body[..eq]))
}

pub fn text(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    for l in t.split_inclusive('\n') {
        let (content, nl) = match l.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (l, ""),
        };
        out.push_str(&line(content));
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secret_values_only() {
        assert_eq!(
            line("      AdminPass = \"hunter2\""),
            "      AdminPass = \"********\""
        );
        assert_eq!(
            line("+      AdminPass = \"hunter2\" # x"),
            "+      AdminPass = \"********\""
        );
        assert_eq!(
            line("-  \"api_token\" = 'abc'"),
            "-  \"api_token\" = \"********\""
        );
        assert_eq!(line("      AdminPass = \"\""), "      AdminPass = \"\"");
        assert_eq!(
            line("      AdminUser = \"admin\""),
            "      AdminUser = \"admin\""
        );
        assert_eq!(
            line("TLSKey = \"/certs/key.pem\""),
            "TLSKey = \"/certs/key.pem\""
        );
        assert_eq!(
            text("a = 1\nPassword = \"x\"\n"),
            "a = 1\nPassword = \"********\"\n"
        );
    }
}
