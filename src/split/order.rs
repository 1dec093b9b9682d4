//! Where each `[table]` is printed.
//!
//! toml_edit prints tables by their document position. Cloned tables carry the template's
//! positions, so after a split we renumber: every table outside the managed clusters keeps its
//! place, and the clusters sit together, in spec order, where the template (or the first
//! managed cluster) was.

use toml_edit::{DocumentMut, Item, Table};

use super::TemplateUse;
use crate::spec::Spec;

pub type TablePath = Vec<String>;

/// Every table of the document, in the order it is printed.
pub fn printed_order(doc: &DocumentMut) -> Vec<TablePath> {
    let mut out = Vec::new();
    let mut last = 0isize;
    let mut path = Vec::new();
    visit(doc.as_table(), &mut path, &mut last, &mut out);
    // Stable, like toml_edit's own sort: tables without a position follow their parent.
    let mut indexed: Vec<(usize, (isize, TablePath))> = out.into_iter().enumerate().collect();
    indexed.sort_by_key(|(i, (pos, p))| (!p.is_empty(), *pos, *i));
    indexed.into_iter().map(|(_, (_, p))| p).collect()
}

fn visit(t: &Table, path: &mut Vec<String>, last: &mut isize, out: &mut Vec<(isize, TablePath)>) {
    if !t.is_dotted() {
        if let Some(p) = t.position() {
            *last = p;
        }
        out.push((*last, path.clone()));
    }
    for (k, item) in t.iter() {
        if let Item::Table(sub) = item {
            path.push(k.to_string());
            visit(sub, path, last, out);
            path.pop();
        }
    }
}

/// Gives the tables at `order` consecutive positions.
pub fn apply(doc: &mut DocumentMut, order: &[TablePath]) {
    for (i, path) in order.iter().enumerate() {
        if let Some(t) = table_mut(doc.as_table_mut(), path) {
            t.set_position(Some(i as isize));
        }
    }
}

pub fn table_mut<'a>(root: &'a mut Table, path: &[String]) -> Option<&'a mut Table> {
    let mut t = root;
    for k in path {
        t = t.get_mut(k)?.as_table_mut()?;
    }
    Some(t)
}

/// The tables of `table` (itself first), depth first, as paths below `prefix`.
pub fn subtree(table: &Table, prefix: &[String]) -> Vec<TablePath> {
    let mut out = Vec::new();
    let mut path = prefix.to_vec();
    let mut last = 0;
    let mut found = Vec::new();
    visit(table, &mut path, &mut last, &mut found);
    out.extend(found.into_iter().map(|(_, p)| p));
    out
}

/// The extension a table belongs to. Borrowed, not cloned: `cluster_order` asks this for
/// every table of the config, once per cluster.
fn group<'p>(p: &'p [String], ext_key: &str) -> Option<&'p str> {
    (p.len() >= 2 && p[0] == ext_key).then(|| p[1].as_str())
}

/// What the order of the tables after a split depends on.
pub struct Clusters<'a> {
    pub ext_key: &'a str,
    pub spec: &'a Spec,
    pub template: &'a TemplateUse,
}

impl Clusters<'_> {
    fn group<'p>(&self, p: &'p [String]) -> Option<&'p str> {
        group(p, self.ext_key)
    }

    /// Whether the split placed (or removed) the extension `g`, rather than leaving it be.
    fn managed(&self, g: &str) -> bool {
        let (spec, template) = (self.spec, &self.template.name);
        spec.clusters.iter().any(|c| c.name == g)
            || (g == template && !spec.keep_template)
            || !(spec.keep_extensions.iter().any(|k| k == g) || g == template)
    }

    /// Table order after the split.
    pub fn order(&self, original: &[TablePath], doc: &DocumentMut) -> Vec<TablePath> {
        let exts = doc[self.ext_key].as_table().expect("checked");
        let block: Vec<TablePath> = self
            .spec
            .clusters
            .iter()
            .flat_map(|c| self.cluster_tables(original, exts, &c.name))
            .collect();
        self.place(original, block)
    }

    /// One cluster's tables, in its section's own order where it had one, else the template's.
    fn cluster_tables(&self, original: &[TablePath], exts: &Table, name: &str) -> Vec<TablePath> {
        let prefix = vec![self.ext_key.to_string(), name.to_string()];
        let own: Vec<TablePath> = original
            .iter()
            .filter(|p| self.group(p) == Some(name))
            .cloned()
            .collect();
        let from_template: Vec<TablePath> = original
            .iter()
            .filter(|p| self.group(p) == Some(self.template.name.as_str()))
            .map(|p| {
                let mut q = prefix.clone();
                q.extend_from_slice(&p[2..]);
                q
            })
            .collect();
        let base = if own.is_empty() { from_template } else { own };
        let all = exts
            .get(name)
            .and_then(Item::as_table)
            .map(|t| subtree(t, &prefix))
            .unwrap_or_default();
        let mut out: Vec<TablePath> = base.into_iter().filter(|p| all.contains(p)).collect();
        for p in all {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }

    /// The other tables where they were, and the clusters' block where the first managed
    /// extension was (or right after the template, when it is kept).
    fn place(&self, original: &[TablePath], block: Vec<TablePath>) -> Vec<TablePath> {
        let template = self.template.name.as_str();
        let anchor_after_template =
            self.spec.keep_template && !self.spec.clusters.iter().any(|c| c.name == template);
        let last_template_index = original
            .iter()
            .rposition(|p| self.group(p) == Some(template));
        let mut out = Vec::new();
        let mut placed = false;
        for (i, p) in original.iter().enumerate() {
            match self.group(p) {
                Some(g) if !anchor_after_template && self.managed(g) => {
                    if !placed {
                        out.extend(block.iter().cloned());
                        placed = true;
                    }
                }
                Some(g) if anchor_after_template && self.managed(g) && g != template => {}
                _ => {
                    out.push(p.clone());
                    if anchor_after_template && !placed && Some(i) == last_template_index {
                        out.extend(block.iter().cloned());
                        placed = true;
                    }
                }
            }
        }
        if !placed {
            out.extend(block);
        }
        out
    }
}
