//! Everything printed: the printer, colours, and the plan rendered for people or as JSON.

pub mod apply;
pub mod history;
pub mod human;
pub mod json;
pub mod printer;
pub mod routes;
pub mod status;
pub mod step;
pub mod style;
pub mod terminal;
pub mod verify;
