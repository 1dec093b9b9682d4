//! A key or a table defined twice in a TOML file (a spec or an Interlock config): which one,
//! where it was first set, and what to do. TOML's parsers say only "duplicate key" and where.

/// The words TOML's parsers use for it; they give no error kind, so this is read here only.
const DUPLICATE_KEY: &str = "duplicate key";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub message: String,
    pub hint: &'static str,
}

/// Explains a parser's `message` at byte `offset` of `text` when it is a duplicate.
pub fn explain(text: &str, message: &str, offset: usize) -> Option<Duplicate> {
    if message.trim() != DUPLICATE_KEY {
        return None;
    }
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or_default().trim();
    let before = &text[..start];
    if let Some(header) = line.strip_prefix('[') {
        let name = header
            .trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or_default()
            .trim();
        let first = first_line(before, |l| header_name(l) == Some(name));
        return Some(Duplicate {
            message: format!("the table [{name}] is defined twice{}", at(first)),
            hint: "TOML allows each table header once: merge the two sections into one",
        });
    }
    let key = key_at(&text[offset.min(text.len())..]);
    // The first setting is in the same table: after the last header before this line.
    let table_start = before
        .lines()
        .enumerate()
        .filter(|(_, l)| header_name(l).is_some())
        .map(|(i, _)| i)
        .last();
    let first = first_line(before, |l| assigned_key(l) == Some(key.as_str()))
        .filter(|n| table_start.is_none_or(|t| *n > t + 1));
    Some(Duplicate {
        message: format!(
            "the key `{key}` is set twice in the same table{}",
            at(first)
        ),
        hint: "TOML allows each key once per table: keep one of the two lines",
    })
}

fn at(first: Option<usize>) -> String {
    first.map_or(String::new(), |n| format!(" (first on line {n})"))
}

/// The 1-based number of the first line of `text` that `matches`.
fn first_line(text: &str, matches: impl Fn(&str) -> bool) -> Option<usize> {
    text.lines().position(|l| matches(l.trim())).map(|i| i + 1)
}

/// `clusters.dev` for `[clusters.dev]` (or `[[…]]`).
fn header_name(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('[')?.trim_start_matches('[');
    Some(inner.split(']').next()?.trim())
}

/// The key a `key = value` line sets.
fn assigned_key(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"').trim_matches('\'');
    (!key.is_empty() && !line.starts_with('[')).then_some(key)
}

/// The key starting at the parser's position: bare, or quoted.
fn key_at(rest: &str) -> String {
    let rest = rest.trim_start();
    if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        return rest[1..].split(q).next().unwrap_or_default().to_string();
    }
    rest.split(|c: char| c == '=' || c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_line(text: &str, line: usize) -> usize {
        text.lines().take(line - 1).map(|l| l.len() + 1).sum()
    }

    #[test]
    fn names_the_key_and_where_it_was_first_set() {
        let text = "A = 1\n[t]\nPollInterval = \"3s\"\nPollInterval = \"5s\"\n";
        let d = explain(text, "duplicate key", at_line(text, 4)).unwrap();
        assert_eq!(
            d.message,
            "the key `PollInterval` is set twice in the same table (first on line 3)"
        );
        assert!(d.hint.contains("once per table"));
    }

    #[test]
    fn names_a_table_defined_twice() {
        let text = "[clusters.dev]\nhttp_port = 1\n[clusters.dev]\nhttps_port = 2\n";
        let d = explain(text, "duplicate key\n", at_line(text, 3) + 10).unwrap();
        assert_eq!(
            d.message,
            "the table [clusters.dev] is defined twice (first on line 1)"
        );
    }

    #[test]
    fn other_errors_are_left_alone() {
        assert_eq!(explain("a = ", "invalid string", 4), None);
    }
}
