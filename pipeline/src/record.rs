//! record.json: the machine-readable description of a bag, read by other
//! tools (keep the field names).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
pub use workers::record::PageRecord;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub title: String,
    /// ISO 639-2 codes of the document (e.g. `["vie", "khm"]`).
    pub language: Vec<String>,
    pub pages: Vec<PageRecord>,
    pub software: Software,
    /// Dublin Core metadata from batch.csv.
    pub metadata: crate::discover::Metadata,
    /// The batch timestamp every date of the bag comes from.
    pub created: String,
    /// SHA-256 of the document's rows of overrides.csv when it was made: a
    /// run redoes the document when they change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides_sha256: Option<String>,
    /// Pages left out of the derivatives by hand; their masters are kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<workers::record::SkippedPage>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Software {
    pub diachi: String,
    pub tesseract: String,
    /// Language code -> SHA-256 of its traineddata.
    pub models: BTreeMap<String, String>,
    /// The neural recognizer that read Khmer lines of this document, when
    /// it read any (`neural_lines` of its pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub khmer_network: Option<workers::neural::Recognizer>,
}
