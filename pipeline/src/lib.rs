//! diachi's batch layer: finds the documents of a batch, schedules the
//! workers over pages (in parallel) and documents (in order), packages each
//! document as a bag, and verifies bags.

pub mod budget;
pub mod catalog;
pub mod collection;
pub mod config;
mod context;
pub mod discover;
mod document;
mod engines;
mod error;
mod fault;
pub mod memory;
pub mod oai;
pub mod out_layout;
pub mod overrides;
mod page;
mod parallel;
mod progress;
pub mod record;
pub mod report;
pub mod run;
pub mod search;
pub mod serve;
pub mod summary;
pub mod verify;

pub use config::Config;
pub use error::{Error, Result};
pub use run::{run, OnDocument, RunOptions};
pub use summary::{DocumentEvent, Flag, RunSummary};

/// diachi's version, written into every record, ALTO file and PDF.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
