//! BagIt (RFC 8493): building a bag in a staging folder ([`BagBuilder`]),
//! and verifying one as an archivist would, years later, whoever made it
//! ([`verify()`]).

mod algorithm;
mod build;
pub mod manifest;
mod payload;
pub mod tagfile;
mod verdict;
mod verify;

pub use algorithm::Algorithm;
pub use build::BagBuilder;
pub use manifest::{decode_path, encode_path};
pub use tagfile::Version;
pub use verify::{
    is_bag, open, verify, FileCheck, Finding, Kind, Mode, Opened, Outcome, Verification,
};
