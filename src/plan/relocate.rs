//! Points findings about the new config at the line an operator edits: the spec field that
//! set the key, or the place in the current file it was copied from.

use crate::finding::Finding;
use crate::locate::{KeyPath, Locator, Seg};
use crate::spec::fields::{self, FieldKind};
use crate::split::SplitOutcome;

/// The spec fields that write an extension key. Entries of the label and `Config` tables come
/// from the current file as much as from the spec, so findings there point at the file.
fn spec_fields(key: &str) -> impl Iterator<Item = &'static str> {
    fields::writers(key)
        .filter(|f| !matches!(f.kind, FieldKind::Labels | FieldKind::Table))
        .map(|f| f.name)
}

pub struct Relocator<'a> {
    pub spec: &'a Locator,
    pub current: &'a Locator,
    pub outcome: &'a SplitOutcome,
}

impl Relocator<'_> {
    pub fn locate(&self, mut f: Finding) -> Finding {
        if f.location.is_some() {
            return f;
        }
        let Some(path) = f.path.clone() else { return f };
        let [Seg::Key(top), Seg::Key(name), rest @ ..] = path.0.as_slice() else {
            f.location = self.current.locate(&path);
            return f;
        };
        let Some(cluster) = self.outcome.clusters.iter().find(|c| &c.name == name) else {
            // Not managed by the spec: the current file has it as it is.
            f.location = self.current.locate(&path);
            return f;
        };
        if let Some(Seg::Key(key)) = rest.first() {
            for field in spec_fields(key) {
                for base in [
                    KeyPath::new().key("clusters").key(name),
                    KeyPath::new().key("defaults"),
                ] {
                    if let Some(loc) = self.spec.locate_exact(&base.key(field)) {
                        f.location = Some(loc);
                        return f;
                    }
                }
            }
        }
        let source = cluster.cloned_from.clone().unwrap_or_else(|| name.clone());
        let mut copied = KeyPath::new().key(top.clone()).key(source);
        copied.0.extend(rest.iter().cloned());
        f.location = self
            .current
            .locate_exact(&copied)
            .or_else(|| self.spec.locate(&KeyPath::new().key("clusters").key(name)));
        f
    }
}
