//! One page as record.json describes it: the master's facts, what
//! preparation did, and what OCR read. The one page model every writer reads
//! (record.json, ALTO, METS/MIX, the report); other tools read it too, so
//! the field names stay.

use crate::page::{Doubt, Segmentation};
use crate::resolution::DpiSource;
use serde::{Deserialize, Serialize};

/// A page left out of the derivatives by hand (overrides.csv `skip`): its
/// master stays in the bag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedPage {
    /// The page's number in the document, counting every page.
    pub page: usize,
    /// The original file name in the batch.
    pub source: String,
    /// The master in the bag that holds it.
    pub master: String,
    #[serde(default)]
    pub note: String,
}

/// A page's decisions taken by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByHand {
    /// Clockwise degrees the page was turned, instead of diachi's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate: Option<u32>,
    /// The language it was read in, instead of the document's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Why, as staff wrote it.
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageRecord {
    /// 1-based.
    pub index: usize,
    /// The original file name in the batch.
    pub source: String,
    /// The master's path inside the bag.
    pub master: String,
    pub sha256: String,
    /// Pixel size of the original scan.
    pub width: u32,
    pub height: u32,
    /// Pixels per inch (horizontal).
    pub dpi: f32,
    /// True when the file declared no resolution and the default was used.
    pub dpi_assumed: bool,
    /// Skew found: positive = counter-clockwise as seen on screen.
    pub skew_degrees: f32,
    /// Whether the page was rotated to correct the skew.
    pub deskewed: bool,
    /// The file's EXIF (or TIFF) Orientation tag, 1-8, applied to the pixels
    /// before anything else (6: the photo is shown turned 90° clockwise);
    /// `orientation_degrees` is diachi's own turn on top of it.
    #[serde(default = "upright_tag")]
    pub exif_orientation: u8,
    /// Clockwise rotation applied: 0, 90, 180 or 270.
    pub orientation_degrees: u32,
    /// Set when the page was checked for being upside down (its first OCR
    /// was weak): the gap between the confidences of the page read as it was
    /// and turned round, 0-100. Small means the decision was unsure.
    #[serde(default)]
    pub orientation_margin: Option<f32>,
    /// The Khmer network read at least half the page's lines surely, which
    /// it does only upright: the page is upright, however close
    /// `orientation_margin` is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub upright_read: bool,
    /// Set when the page is one of the two of a spread that the capture was
    /// split into: which side, and the box of the master (in its pixels once
    /// its EXIF orientation is applied) the page was cut from. Both pages
    /// share the master file. `page_crop` is then within that box.
    #[serde(default)]
    pub part: Option<crate::spread::Part>,
    /// Set when the master holds several pages, written as `tiff_page`
    /// (the page's number in a multi-page TIFF, from 1, and where its IFD
    /// starts) or `pdf_page` (its number in a scanner PDF, its page object
    /// and where that starts). All its pages share the master file.
    #[serde(flatten, default)]
    pub in_file: Option<crate::raster::InFile>,
    /// The page found in the capture (a photo's table, a scanner's black
    /// border taken away): the box cut from the master, in the master's
    /// pixels once its EXIF orientation is applied, and the share of that
    /// box masked as not paper. Null when the whole capture is the page.
    #[serde(default)]
    pub page_crop: Option<crate::pagefind::PageFound>,
    /// Set when the page's lines bent (a book's curl, perspective) and were
    /// straightened: the largest vertical move of a column, pixels, and how
    /// much straighter the lines came out (profile peakiness after/before).
    #[serde(default)]
    pub dewarp: Option<crate::dewarp::Dewarp>,
    /// Pixel size of the prepared page (the PDF image, the ALTO coordinates).
    pub prepared_width: u32,
    pub prepared_height: u32,
    /// Tesseract language string the page was read with.
    pub language: String,
    /// Mean word confidence, 0-100; null when no word was found.
    pub mean_confidence: Option<f32>,
    pub words: usize,
    /// Characters recognised (white space excluded).
    #[serde(default)]
    pub characters: usize,
    /// Share of dark pixels on the prepared page, 0-1.
    #[serde(default)]
    pub ink_ratio: f32,
    /// Where `dpi` came from: `file`, `text` (estimated from the measured
    /// x-height, the file having none or a screen resolution the text
    /// contradicts) or `assumed` (`raster.default_dpi`).
    #[serde(default)]
    pub dpi_source: Option<DpiSource>,
    /// The median x-height of the page's text lines, pixels, when measured.
    #[serde(default)]
    pub x_height: Option<f32>,
    /// The resolution the file declared, if any.
    #[serde(default)]
    pub declared_dpi: Option<f32>,
    /// How the page was segmented for OCR: `single-line` (Tesseract mode
    /// 7), `block` (6), `layout` (3, with dropped lines recovered and
    /// reading order by X-Y cut) or `{"forced": N}`.
    #[serde(default)]
    pub segmentation: Option<Segmentation>,
    /// The factor the page was scaled by for OCR, so that its x-height
    /// suits Tesseract; ALTO boxes are in the prepared page's pixels.
    #[serde(default)]
    pub ocr_scale: f32,
    /// Lines the layout analysis dropped and a block reading found again.
    #[serde(default)]
    pub recovered_lines: usize,
    /// Lines taken out of the text as noise (the edges of a book's other
    /// pages, a table's grain): no word in them 30% sure, or only signs.
    /// Latin-script pages only.
    #[serde(default)]
    pub noise_lines: usize,
    /// On a page read in Khmer alone: runs of words holding Latin text (an
    /// acronym, a name, an address) read again in Latin and replaced.
    #[serde(default)]
    pub latin_runs: usize,
    /// On a page with Khmer: lines whose Khmer words are the neural
    /// recognizer's reading rather than Tesseract's (`ocr.khmer_engine`).
    #[serde(default)]
    pub neural_lines: usize,
    /// What preparation was unsure of and left alone.
    #[serde(default)]
    pub doubts: Vec<Doubt>,
    /// The page's number in the document counting pages skipped by hand
    /// (overrides.csv numbers pages so), when it differs from `index`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_page: Option<usize>,
    /// Decisions taken by hand (the batch's overrides.csv) instead of
    /// diachi's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_hand: Option<ByHand>,
    /// Path inside the bag of the page's text and ALTO.
    pub text: String,
    pub alto: String,
}

fn upright_tag() -> u8 {
    1
}
