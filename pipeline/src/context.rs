//! What the pages and documents of a run share: settings, paths, the run's
//! timestamp and the models' digests. Its own module, so that the page and
//! document stages depend on it and not on the scheduler.

use crate::config::Config;
use crate::out_layout::OutLayout;
use std::collections::BTreeMap;
use workers::lang::Language;

/// What the pages and documents share during a run.
pub struct Context {
    pub config: Config,
    /// The output folder's layout (bags, staging, state).
    pub out: OutLayout,
    /// One timestamp for every date the run writes (RFC 3339, UTC).
    pub timestamp: String,
    pub tesseract_version: String,
    /// SHA-256 of each language's traineddata.
    pub models: BTreeMap<Language, String>,
    /// The network that reads Khmer lines, when `ocr.khmer_engine` and the
    /// installed models allow; one copy for every worker.
    pub khmer_net: Option<std::sync::Arc<workers::neural::KhmerNet>>,
    /// Warnings raised while documents are processed.
    pub warnings: std::sync::Mutex<Vec<String>>,
    /// Pages read so far: a file of several pages (a scanner PDF, a
    /// multi-page TIFF, a spread) counts each.
    pub pages_read: std::sync::atomic::AtomicUsize,
    /// The Tesseract engines, shared by the run's threads.
    pub engines: crate::engines::EnginePool,
    /// The pages being prepared and read, bounded by
    /// `run.pages_read_at_once`.
    pub reading: workers::slots::Slots,
    /// The pixels of the pages in flight, bounded by `run.pixels_in_flight`.
    pub pixels: crate::budget::PixelBudget,
    /// The batch's overrides.csv, read and checked.
    pub overrides: crate::overrides::Overrides,
    /// The lock on the output folder, held as long as the context lives.
    pub _lock: std::fs::File,
}
