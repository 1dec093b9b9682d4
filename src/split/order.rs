//! Where each `[table]` is printed.
//!
//! toml_edit prints tables by their document position. Cloned tables carry the template's
//! positions, so after a split we renumber: every table outside the managed clusters keeps its
//! place, and the clusters sit together, in spec order, where the template (or the first
//! managed cluster) was.

use toml_edit::{DocumentMut, Item, Table};

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
