//! The operator's declaration of the service clusters wanted (`interlock-split.toml`).

mod escape;
pub mod fields;
mod model;
mod raw;
mod resolve;
pub mod schema;
pub mod shape;
mod types;
pub mod value;

pub use model::{ClusterSpec, LabelSets, NodeLabel, Spec};
pub use raw::ConstraintEdit;

use crate::finding::{Code, Finding};
use crate::locate::Locator;

/// The file name `--spec` defaults to.
pub const DEFAULT_FILE: &str = "interlock-split.toml";

/// The node label key the `node_label` shorthand uses, as in the seed walk-through.
pub const DEFAULT_NODE_LABEL_KEY: &str = "com.docker.interlock.service.cluster";

/// Parses and checks a spec. Every problem is returned at once, each with its key path and
/// `file:line:col`, so that an operator fixes the file in one pass.
pub fn parse(file: &str, text: &str) -> Result<Spec, Vec<Finding>> {
    let locator = Locator::new(file, text);
    let unknown = shape::check(file, text);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    let raw: raw::RawSpec = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            // Nesting too deep comes without a place: the deepest point is where it is.
            let offset = e
                .span()
                .map(|s| s.start)
                .unwrap_or_else(|| crate::locate::deepest_nesting(text));
            let duplicate = crate::duplicate::explain(text, e.message(), offset);
            let message = duplicate
                .as_ref()
                .map_or_else(|| e.message().trim().to_string(), |d| d.message.clone());
            let mut f = Finding::error(Code::SpecInvalid, message);
            f.location = Some(locator.at_offset(offset));
            f.hint = Some(duplicate.map_or(
                "see the spec format in the README, or run `interlock-split init` for a commented example",
                |d| d.hint,
            ).into());
            return Err(vec![f]);
        }
    };
    resolve::resolve(file, raw).map_err(|fs| fs.into_iter().map(|f| f.located(&locator)).collect())
}
