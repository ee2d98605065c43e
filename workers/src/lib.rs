//! diachi's stages as plain, testable functions.
//!
//! A worker takes bytes, rasters or paths and returns values or a typed
//! [`Error`]; it knows nothing of batches, progress bars or the command line.
//! The `pipeline` crate schedules them.

pub mod alto;
pub mod bagit;
pub mod clean;
pub mod dc;
pub mod deskew;
pub mod dewarp;
mod error;
pub mod fixity;
pub mod jp2;
pub mod khmer;
pub mod lang;
pub mod layout;
pub mod marc;
pub mod mets;
pub mod neural;
pub mod ocr;
pub mod order;
pub mod orient;
pub mod page;
pub mod pagefind;
pub mod pdfa;
pub mod picture;
pub mod raster;
pub mod record;
pub mod reread;
pub mod resolution;
pub mod scanpdf;
pub mod script;
pub mod slots;
pub mod spread;
pub mod syllable;
pub mod text;
pub mod xml;
pub mod xmp;

pub use error::{Error, Result};
