//! What a run did: the documents packaged, skipped and failed, and the pages
//! the report flags for review. Read by the CLI and by the report.

use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Default)]
pub struct RunSummary {
    /// Documents packaged by this run: id and bag path.
    pub packaged: Vec<(String, PathBuf)>,
    /// Documents whose bag was already complete in the output folder.
    pub already_done: Vec<String>,
    /// Documents that failed: id and why (each failing file named).
    pub failed: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// What the user may want to know that is not a problem (a model that
    /// is not installed), one line each.
    pub notices: Vec<String>,
    pub pages: usize,
    pub seconds: f64,
    /// The most pixels of pages that were in flight at once, against
    /// `run.pixels_in_flight` ([`crate::budget`]).
    pub peak_pixels_in_flight: u64,
    /// Tesseract engines loaded (models read) by the run ([`crate::engines`]).
    pub engines_loaded: usize,
    /// The run was cancelled before every document was done.
    pub interrupted: bool,
    /// Writing to the output folder failed (a full disk, say): the run
    /// stopped at once, leaving no partial bag. Path and reason.
    pub output_error: Option<String>,
    /// OUT/report.html, once written.
    pub report: Option<PathBuf>,
    /// What the report flags for review, most serious first.
    pub review: Vec<Flag>,
}

impl RunSummary {
    pub fn all_ok(&self) -> bool {
        self.failed.is_empty() && !self.interrupted && self.output_error.is_none()
    }
}

/// One document finished (or not) by a run, as it happens: for scripts and
/// schedulers (`diachi run --json`).
#[derive(Debug, Serialize, Clone)]
pub struct DocumentEvent {
    pub id: String,
    /// "packaged", "failed" or "interrupted".
    pub status: &'static str,
    /// The bag, once packaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bag: Option<PathBuf>,
    /// Why it failed, each failing file named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A page (or a whole document) the report asks a human to look at.
#[derive(Debug, Serialize, Clone)]
pub struct Flag {
    pub document: String,
    /// None when the whole document failed.
    pub page: Option<usize>,
    pub source: Option<String>,
    pub reasons: Vec<String>,
    /// How likely the page is to be wrong (0-1; 1 for a failed document):
    /// the review list is sorted by it.
    pub risk: f32,
}
