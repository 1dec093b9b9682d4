//! The spec's shape: every key an operator can write, so that a typo is reported with where it
//! is and what was probably meant — all of them at once, before anything else is read.

use toml_edit::{Document, Item, Table};

use super::{fields, types};
use crate::finding::{Code, Finding};
use crate::locate::{KeyPath, Locator};

const TOP: &[&str] = &[
    "template",
    "keep_template",
    "keep_extensions",
    "defaults",
    "clusters",
];

fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known key closest to `key`, if it is close enough to be a typo.
pub fn suggest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    // Interlock keys people write out of habit: the spec field that sets them.
    if let Some(field) = fields::owner(key)
        && let Some(known) = known.iter().find(|k| **k == field.name)
    {
        return Some(known);
    }
    let lower = key.to_ascii_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (distance(&lower, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

struct Walk<'a> {
    locator: &'a Locator,
    findings: Vec<Finding>,
}

impl Walk<'_> {
    fn check(&mut self, table: &Table, path: &KeyPath, known: &[&str], what: &str) {
        for (key, item) in table.iter() {
            if known.contains(&key) {
                if let Some((message, hint)) = types::problem(key, item) {
                    let f = Finding::error(Code::WrongType, message)
                        .at(path.clone().key(key))
                        .hint(hint);
                    self.findings.push(f.located(self.locator));
                }
                continue;
            }
            let p = path.clone().key(key);
            let hint = match suggest(key, known) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("{what} takes: {}", known.join(", ")),
            };
            let f = Finding::error(
                Code::SpecUnknownKey,
                format!("unknown key `{key}` in {what}"),
            )
            .at(p)
            .hint(hint);
            self.findings.push(f.located(self.locator));
        }
    }

    fn not_table(&mut self, path: KeyPath, what: &str) {
        let f = Finding::error(Code::SpecInvalid, format!("{what} must be a table"))
            .at(path)
            .hint("write it as a [table] of its own");
        self.findings.push(f.located(self.locator));
    }
}

/// Unknown keys and misplaced values, all of them. A TOML syntax error yields nothing here: the
/// parser that runs next reports it with its position.
pub fn check(file: &str, text: &str) -> Vec<Finding> {
    let Ok(doc) = Document::parse(text) else {
        return Vec::new();
    };
    let locator = Locator::new(file, text);
    let mut w = Walk {
        locator: &locator,
        findings: Vec::new(),
    };
    let root = doc.as_table();
    let cluster = fields::names();
    w.check(root, &KeyPath::new(), TOP, "the spec's top level");
    if let Some(item) = root.get("defaults") {
        match item.as_table_like() {
            Some(_) if item.is_table() => w.check(
                item.as_table().expect("checked"),
                &KeyPath::new().key("defaults"),
                &cluster,
                "[defaults]",
            ),
            Some(t) => {
                let table: Table = t.iter().map(|(k, v)| (k, v.clone())).collect();
                w.check(
                    &table,
                    &KeyPath::new().key("defaults"),
                    &cluster,
                    "[defaults]",
                );
            }
            None => w.not_table(KeyPath::new().key("defaults"), "`defaults`"),
        }
    }
    if let Some(item) = root.get("clusters") {
        match item.as_table_like() {
            None => w.not_table(KeyPath::new().key("clusters"), "`clusters`"),
            Some(clusters) => {
                for (name, c) in clusters.iter() {
                    let path = KeyPath::new().key("clusters").key(name);
                    let what = format!("[clusters.{name}]");
                    match c {
                        Item::Table(t) => w.check(t, &path, &cluster, &what),
                        other => match other.as_table_like() {
                            Some(t) => {
                                let table: Table = t.iter().map(|(k, v)| (k, v.clone())).collect();
                                w.check(&table, &path, &cluster, &what);
                            }
                            None => w.not_table(path, &format!("cluster `{name}`")),
                        },
                    }
                }
            }
        }
    }
    w.findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_typos_at_once_with_suggestions() {
        let text =
            "templat = \"default\"\n[clusters.dev]\nhttp_prot = 1\nPublishedSSLPort = 2\nzzz = 3\n";
        let f = check("s.toml", text);
        assert_eq!(f.len(), 4, "{f:?}");
        assert_eq!(f[0].hint.as_deref(), Some("did you mean `template`?"));
        assert_eq!(
            f[1].path.as_ref().unwrap().to_string(),
            "clusters.dev.http_prot"
        );
        assert_eq!(f[1].hint.as_deref(), Some("did you mean `http_port`?"));
        assert_eq!(f[1].location.as_ref().unwrap().line, 3);
        assert_eq!(f[2].hint.as_deref(), Some("did you mean `https_port`?"));
        assert!(
            f[3].hint
                .as_ref()
                .unwrap()
                .starts_with("[clusters.dev] takes: ")
        );
    }
}
