//! Key paths and source locations, shared by the spec and the Interlock config.
//!
//! Every finding names the key it is about; when the text is at hand we also give
//! `file:line:col`, which is what editors and terminals turn into links.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use toml_edit::{Document, Item, Value};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path to a key, printed the way it reads in TOML (`Extensions.dev.ProxyConstraints[0]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.0.push(Seg::Key(k.into()));
        self
    }

    pub fn index(mut self, i: usize) -> Self {
        self.0.push(Seg::Index(i));
        self
    }

    pub fn parse_dotted(s: &str) -> Self {
        Self(s.split('.').map(|k| Seg::Key(k.to_string())).collect())
    }
}

fn is_bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    if is_bare(k) {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

impl Serialize for KeyPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KeyPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        KeyPath::parse_printed(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("not a key path: {text}")))
    }
}

impl KeyPath {
    /// A path as `Display` prints it: bare keys, quoted keys (Rust string escapes) and
    /// `[index]`, the keys separated by dots.
    pub fn parse_printed(s: &str) -> Option<Self> {
        let mut segs = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            if !segs.is_empty() && !rest.starts_with('[') {
                rest = rest.strip_prefix('.')?;
            }
            let (seg, tail) = if let Some(r) = rest.strip_prefix('[') {
                let (n, tail) = r.split_once(']')?;
                (Seg::Index(n.parse().ok()?), tail)
            } else if let Some(r) = rest.strip_prefix('"') {
                let (k, tail) = unquote(r)?;
                (Seg::Key(k), tail)
            } else {
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let (k, tail) = rest.split_at(end);
                if !is_bare(k) {
                    return None;
                }
                (Seg::Key(k.to_string()), tail)
            };
            segs.push(seg);
            rest = tail;
        }
        Some(Self(segs))
    }
}

/// A key `{:?}` quoted, without its opening quote: the key and what follows the closing one.
fn unquote(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '0' => '\0',
                    'u' => {
                        let (_, '{') = chars.next()? else {
                            return None;
                        };
                        let mut hex = String::new();
                        for (_, h) in chars.by_ref() {
                            if h == '}' {
                                break;
                            }
                            hex.push(h);
                        }
                        char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?
                    }
                    other => other,
                });
            }
            c => out.push(c),
        }
    }
    None
}

/// A place in a file, 1-based, columns counted in characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Byte offset of the first place where a TOML text nests deepest: brackets and braces
/// opened, plus the dots of the dotted key being read. Strings and comments are skipped.
/// For parse errors that come without a position.
pub fn deepest_nesting(text: &str) -> usize {
    let (mut depth, mut dots, mut best, mut at) = (0usize, 0usize, 0usize, 0usize);
    let mut in_key = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\'' => {
                // Skip to the closing quote (escapes only in basic strings).
                while let Some((_, d)) = chars.next() {
                    if d == '\\' && c == '"' {
                        chars.next();
                    } else if d == c || d == '\n' {
                        break;
                    }
                }
            }
            '#' => while chars.next_if(|(_, d)| *d != '\n').is_some() {},
            '[' | '{' => depth += 1,
            ']' | '}' => depth = depth.saturating_sub(1),
            '.' if in_key => dots += 1,
            '=' => in_key = false,
            '\n' => {
                in_key = true;
                dots = 0;
            }
            ',' => in_key = true,
            _ => {}
        }
        if depth + dots > best {
            (best, at) = (depth + dots, i);
        }
    }
    at
}

/// Finds where a key path sits in a TOML text. Keys match case-insensitively,
/// as Interlock reads them.
pub struct Locator {
    file: String,
    text: String,
    /// Parsed on first use: most plans locate nothing in most files.
    doc: OnceLock<Option<Document<String>>>,
    /// Byte offset of each line's start, found in one pass on first use, so that placing
    /// many findings does not rescan the text from the start for each.
    line_starts: OnceLock<Vec<usize>>,
}

impl Locator {
    pub fn new(file: impl Into<String>, text: &str) -> Self {
        Self {
            file: file.into(),
            text: text.to_string(),
            doc: OnceLock::new(),
            line_starts: OnceLock::new(),
        }
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn at_offset(&self, offset: usize) -> Location {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = offset.min(self.text.len());
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }

    /// The location of `path` only if every part of it exists.
    pub fn locate_exact(&self, path: &KeyPath) -> Option<Location> {
        self.walk(path)
            .and_then(|(o, complete)| complete.then(|| self.at_offset(o)))
    }

    /// The location of the deepest part of `path` that exists: the element, the key,
    /// or its closest existing parent.
    pub fn locate(&self, path: &KeyPath) -> Option<Location> {
        self.walk(path).map(|(o, _)| self.at_offset(o))
    }

    /// Offset of the deepest existing part, and whether that was all of `path`.
    fn walk(&self, path: &KeyPath) -> Option<(usize, bool)> {
        let doc = self
            .doc
            .get_or_init(|| Document::parse(self.text.clone()).ok())
            .as_ref()?;
        let mut item: &Item = doc.as_item();
        let mut best: Option<usize> = None;
        let mut matched = 0;
        for seg in &path.0 {
            match seg {
                Seg::Key(k) => {
                    let Some(table) = item.as_table_like() else {
                        break;
                    };
                    let found = table.get_key_value(k).or_else(|| {
                        table
                            .iter()
                            .find(|(name, _)| name.eq_ignore_ascii_case(k))
                            .and_then(|(name, _)| table.get_key_value(name))
                    });
                    let Some((key, next)) = found else { break };
                    if let Some(span) = key.span() {
                        best = Some(span.start);
                    } else if let Some(span) = next.span() {
                        best = Some(span.start);
                    } else if let Item::Table(t) = next
                        && let Some(span) = t.span()
                    {
                        best = Some(span.start);
                    }
                    item = next;
                    matched += 1;
                }
                Seg::Index(i) => {
                    let Some(Value::Array(arr)) = item.as_value() else {
                        break;
                    };
                    let Some(v) = arr.get(*i) else { break };
                    if let Some(span) = v.span() {
                        best = Some(span.start);
                    }
                    matched += 1;
                    break;
                }
            }
        }
        best.map(|o| (o, matched == path.0.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_paths_read_back() {
        let paths = [
            KeyPath::new(),
            KeyPath::new()
                .key("Extensions")
                .key("dev")
                .key("ProxyConstraints")
                .index(0),
            KeyPath::new().index(2).key("a"),
            KeyPath::new()
                .key("Labels")
                .key("com.docker.x")
                .key("a\"b\\c\n\u{1}é")
                .key("")
                .key("0"),
        ];
        for p in paths {
            assert_eq!(
                KeyPath::parse_printed(&p.to_string()),
                Some(p.clone()),
                "{p}"
            );
        }
        assert_eq!(KeyPath::parse_printed("a..b"), None);
        assert_eq!(KeyPath::parse_printed("a[x]"), None);
    }

    #[test]
    fn paths_print_like_toml() {
        let p = KeyPath::new()
            .key("Extensions")
            .key("dev")
            .key("Labels")
            .key("com.docker.ucp.InstanceID");
        assert_eq!(
            p.to_string(),
            r#"Extensions.dev.Labels."com.docker.ucp.InstanceID""#
        );
        let p = KeyPath::new().key("a").key("C").index(2);
        assert_eq!(p.to_string(), "a.C[2]");
    }

    #[test]
    fn locates_keys_case_insensitively_and_array_elements() {
        let text = "A = 1\n[Extensions.dev]\n  proxyconstraints = [\"a==b\", \"c=d\"]\n";
        let loc = Locator::new("f.toml", text);
        let p = KeyPath::parse_dotted("Extensions.dev.ProxyConstraints").index(1);
        let l = loc.locate(&p).unwrap();
        assert_eq!((l.line, l.column), (3, 31));
        let l = loc
            .locate(&KeyPath::parse_dotted("Extensions.dev.Missing"))
            .unwrap();
        assert_eq!((l.line, l.column), (2, 13));
    }

    #[test]
    fn offsets_place_like_line_col() {
        let text = "ab\ncé=1\n\nx";
        let loc = Locator::new("f", text);
        for o in [0, 1, 2, 3, 4, 6, 8, 9, 10, 11, 99] {
            let l = loc.at_offset(o);
            let o = o.min(text.len());
            assert_eq!((l.line, l.column), line_col(text, o), "offset {o}");
        }
    }

    #[test]
    fn deepest_nesting_is_found() {
        let deep = format!(
            "a = 1\n# x.y.z.w.v\nb = \"c.d.e\"\n[{}]\n",
            vec!["t"; 50].join(".")
        );
        let (line, _) = line_col(&deep, deepest_nesting(&deep));
        assert_eq!(line, 4);
        let arrays = format!("a = 1\nx = {}{}\n", "[".repeat(40), "]".repeat(40));
        assert_eq!(line_col(&arrays, deepest_nesting(&arrays)), (2, 44));
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé=1", 7), (2, 4));
        assert_eq!(line_col("x", 0), (1, 1));
    }
}
