//! The page stages, run in parallel: fixity, raster, deskew, OCR, and the
//! page image for the PDF. The file is read once; its bytes are hashed and
//! decoded from memory, and the raster is handed on without touching disk.

use crate::context::Context;
use std::path::Path;
use workers::lang::LangSetting;
use workers::page::{Preparation, Recognized};
use workers::pdfa::PageImage;
use workers::raster::InFile;
use workers::text::PageText;

/// Everything the document stage needs from one page: the master's facts,
/// what preparation did, what OCR read, and the encoded images. Every writer
/// (record.json, ALTO, METS, the PDF, the report) reads these values.
pub struct PageOutput {
    /// The original file name in the batch.
    pub source: String,
    /// Lower-case extension of the original, for the master's name.
    pub ext: String,
    pub sha256: String,
    /// Pixel size of the master as decoded.
    pub width: u32,
    pub height: u32,
    /// The resolution the file declares, if any.
    pub declared_dpi: Option<(f32, f32)>,
    /// The file's EXIF/TIFF Orientation tag (1-8), applied on decoding.
    pub exif_orientation: u8,
    /// What the master's pixels are (METS/MIX describes the master).
    pub colour: workers::raster::Colour,
    /// Which part of the master this page is, when the capture was a
    /// two-page spread split in two.
    pub part: Option<workers::spread::Part>,
    /// The page within the master, when it is a multi-page TIFF or a PDF.
    pub in_file: Option<workers::raster::InFile>,
    /// What preparation did: resolution, turn, skew, doubts.
    pub preparation: Preparation,
    /// What OCR read: text with boxes (in the prepared page's pixels),
    /// languages, segmentation.
    pub recognized: Recognized,
    pub image: PageImage,
    /// Share of dark pixels on the prepared page (0-1): ink with no text
    /// means OCR missed something.
    pub ink_ratio: f32,
    /// A small JPEG of the prepared page for the batch report; of the whole
    /// capture with the crop box drawn on it when a page was found in it.
    pub thumbnail: Vec<u8>,
    /// The prepared page at reading size, as JPEG, for the review of a
    /// flagged page; empty for the others.
    pub preview: Vec<u8>,
    /// Decisions staff took by hand for this page (overrides.csv).
    pub by_hand: Option<workers::record::ByHand>,
    /// The page's number in the document, counting pages skipped by hand;
    /// set by the document stage.
    pub document_page: usize,
}

/// What staff decided for a page, applied instead of diachi's own choice.
#[derive(Debug, Clone)]
pub struct Force {
    pub turn: Option<workers::page::Turn>,
    pub lang: Option<LangSetting>,
    pub by_hand: workers::record::ByHand,
}

/// Which page of a file a force is for: its page in the file (1 for a file
/// of one page) and its side when the file was a two-page spread.
pub type PageKey = (u32, Option<workers::spread::Side>);

/// The key of a page as processed.
pub fn key_of(p: &PageOutput) -> PageKey {
    (
        p.in_file.map_or(1, |f| f.number()),
        p.part.map(|part| part.side),
    )
}

impl PageOutput {
    /// Pixels per inch the page is described with, horizontal and vertical.
    pub fn dpi(&self) -> (f32, f32) {
        self.preparation.resolution.dpi
    }

    /// The page's text.
    pub fn text(&self) -> &PageText {
        &self.recognized.text
    }
}

/// Longest side of a report thumbnail, in pixels.
const THUMB_SIDE: u32 = 240;

/// Longest side of the page image a reviewer reads beside the text of a
/// flagged page: large enough to read body text of a scan.
const PREVIEW_SIDE: u32 = 1100;

/// Dark pixels (below 128) among every 16th pixel.
fn ink_ratio(gray: &image::GrayImage) -> f32 {
    let raw = gray.as_raw();
    let sampled = raw.iter().step_by(16);
    let n = raw.len().div_ceil(16).max(1);
    sampled.filter(|&&p| p < 128).count() as f32 / n as f32
}

/// The prepared page, small, as JPEG: about 5-15 KB, never above 20 KB.
fn thumbnail(gray: &image::GrayImage, color: Option<&image::RgbImage>) -> Vec<u8> {
    small_jpeg(gray, color, THUMB_SIDE, &[70, 50, 30], 20_000)
}

/// The prepared page at reading size for the report's review, as JPEG
/// (about 50-150 KB); made for flagged pages only.
fn preview(gray: &image::GrayImage, color: Option<&image::RgbImage>) -> Vec<u8> {
    small_jpeg(gray, color, PREVIEW_SIDE, &[60], usize::MAX)
}

/// The page scaled to `side` pixels at most, as JPEG at the first of
/// `qualities` that fits in `max_bytes`.
fn small_jpeg(
    gray: &image::GrayImage,
    color: Option<&image::RgbImage>,
    side: u32,
    qualities: &[u8],
    max_bytes: usize,
) -> Vec<u8> {
    let scale = |w: u32, h: u32| {
        let f = (side as f32 / w.max(h) as f32).min(1.0);
        (
            ((w as f32 * f) as u32).max(1),
            ((h as f32 * f) as u32).max(1),
        )
    };
    let mut out = Vec::new();
    for &quality in qualities {
        out.clear();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
        let r = match color {
            Some(c) => {
                let (w, h) = scale(c.width(), c.height());
                enc.encode_image(&image::imageops::thumbnail(c, w, h))
            }
            None => {
                let (w, h) = scale(gray.width(), gray.height());
                enc.encode_image(&image::imageops::thumbnail(gray, w, h))
            }
        };
        if r.is_err() || out.len() <= max_bytes {
            break;
        }
    }
    out
}

/// One file from bytes to its pages: fixity, decode, and the split of a
/// two-page spread ([`workers::spread`]); then each page [`process_page`]d.
/// One page, or the two of a spread, left first.
pub fn process(path: &Path, lang: &LangSetting, ctx: &Context) -> workers::Result<Vec<PageOutput>> {
    process_forced(path, lang, ctx, &[])
}

/// [`process`], with staff's decisions applied to the pages they name.
pub fn process_forced(
    path: &Path,
    lang: &LangSetting,
    ctx: &Context,
    forces: &[(PageKey, Force)],
) -> workers::Result<Vec<PageOutput>> {
    let cfg = &ctx.config;
    let bytes = workers::fixity::read_regular(path)?;
    let sha256 = workers::fixity::sha256_hex(&bytes);
    let (max, dpi) = (cfg.raster.max_pixels, cfg.raster.default_dpi);
    if bytes.starts_with(b"%PDF-") {
        // A scanner PDF: the image of every page, one master.
        let pdf = workers::scanpdf::ScannerPdf::open(path, &bytes)?;
        drop(bytes);
        return each_page(pdf.pages(), |page| {
            let raster = pdf.decode(path, page, max, cfg.raster.pdf_pages_with_text)?;
            let _room = ctx.pixels.hold(pixels(&raster));
            let master = Master::of(path, &sha256, &raster, Some(InFile::PdfPage(page)));
            split_and_process(raster, &master, lang, ctx, forces)
        });
    }
    let tiff_pages = workers::raster::tiff_pages(&bytes);
    if tiff_pages.len() > 1 {
        // A multi-page TIFF: every page, in file order, one master.
        return each_page(tiff_pages, |page| {
            let raster = workers::raster::decode_tiff_page(path, &bytes, page, max, dpi)?;
            let _room = ctx.pixels.hold(pixels(&raster));
            let master = Master::of(path, &sha256, &raster, Some(InFile::TiffPage(page)));
            split_and_process(raster, &master, lang, ctx, forces)
        });
    }
    // Room for one image is made before it is decoded, from its header: a
    // page waiting for room holds only its file's bytes. (The page of a
    // multi-page file is measured once decoded.)
    let room = workers::raster::header_pixels(&bytes)
        .filter(|&p| p <= max)
        .map(|p| ctx.pixels.hold(p));
    let raster = workers::raster::decode(path, &bytes, max, dpi)?;
    drop(bytes);
    let _room = room.unwrap_or_else(|| ctx.pixels.hold(pixels(&raster)));
    let master = Master::of(path, &sha256, &raster, None);
    split_and_process(raster, &master, lang, ctx, forces)
}

/// A decoded page's pixels, for the budget of pages in flight.
fn pixels(raster: &workers::raster::Raster) -> u64 {
    u64::from(raster.width()) * u64::from(raster.height())
}

/// The pages of a file that holds several, processed in parallel (so that
/// a 50-page file goes as fast as 50 files) and put back in file order.
fn each_page<P: Send>(
    pages: Vec<P>,
    process: impl Fn(P) -> workers::Result<Vec<PageOutput>> + Sync + Send,
) -> workers::Result<Vec<PageOutput>> {
    let done: Vec<workers::Result<Vec<PageOutput>>> = crate::parallel::each(pages, process);
    let mut outputs = Vec::with_capacity(done.len());
    for d in done {
        outputs.extend(d?);
    }
    Ok(outputs)
}

/// One decoded page, or the two of a spread, left first, each processed.
fn split_and_process(
    raster: workers::raster::Raster,
    master: &Master,
    lang: &LangSetting,
    ctx: &Context,
    forces: &[(PageKey, Force)],
) -> workers::Result<Vec<PageOutput>> {
    let number = master.in_file.map_or(1, |f| f.number());
    let force = |side: Option<workers::spread::Side>| {
        forces
            .iter()
            .find(|(k, _)| *k == (number, side))
            .map(|(_, f)| f)
    };
    match workers::spread::gutter(&raster.gray, ctx.config.deskew.split_spreads) {
        Some(x) => workers::spread::split(&raster, x)
            .into_iter()
            .map(|(part, half)| {
                process_page(half, Some(part), master, lang, ctx, force(Some(part.side)))
            })
            .collect(),
        None => Ok(vec![process_page(
            raster,
            None,
            master,
            lang,
            ctx,
            force(None),
        )?]),
    }
}

/// The facts of a page's master file (of its page, in a multi-page TIFF).
struct Master<'a> {
    path: &'a Path,
    sha256: String,
    width: u32,
    height: u32,
    declared_dpi: Option<(f32, f32)>,
    exif_orientation: u8,
    colour: workers::raster::Colour,
    in_file: Option<workers::raster::InFile>,
}

impl<'a> Master<'a> {
    fn of(
        path: &'a Path,
        sha256: &str,
        raster: &workers::raster::Raster,
        in_file: Option<workers::raster::InFile>,
    ) -> Master<'a> {
        Master {
            path,
            sha256: sha256.to_string(),
            width: raster.width(),
            height: raster.height(),
            declared_dpi: raster.declared_dpi(),
            exif_orientation: raster.orientation_tag,
            colour: raster.colour(),
            in_file,
        }
    }
}

/// One page from raster to [`PageOutput`]: the workers'
/// [`read`](workers::page::read) (prepare, then recognize) with this
/// thread's engines, and the PDF image and thumbnail.
fn process_page(
    raster: workers::raster::Raster,
    part: Option<workers::spread::Part>,
    master: &Master,
    lang: &LangSetting,
    ctx: &Context,
    force: Option<&Force>,
) -> workers::Result<PageOutput> {
    let cfg = &ctx.config;
    let path = master.path;
    let mut prepare = cfg.prepare_options();
    let mut recognize = cfg.recognize_options();
    recognize.khmer_net = ctx.khmer_net.clone();
    let mut lang = lang;
    if let Some(f) = force {
        if let Some(turn) = f.turn {
            // Staff's turn stands: no check of diachi's may undo it.
            prepare.forced_turn = Some(turn);
            recognize.orientation = false;
        }
        if let Some(l) = &f.lang {
            lang = l;
        }
    }
    // Neither the read nor its engines wait on rayon tasks (the slots'
    // condition): `read` runs on this thread alone.
    let (prepared, recognized) = ctx.reading.run(|| {
        ctx.engines.with_engines(|engines| {
            workers::page::read(raster, lang, &prepare, &recognize, engines)
        })
    })?;
    let image = workers::pdfa::encode_page_image(
        prepared.shown_gray(),
        prepared.color(),
        cfg.pdf.jpeg_quality,
        prepared.facts.resolution.dpi.0.round() as u32,
    )?;
    // A page cut from a larger capture shows the capture, box drawn on it.
    let shown = prepared.overview.as_ref().or(prepared.color());
    let thumbnail = thumbnail(prepared.shown_gray(), shown);
    let ink_ratio = (ink_ratio(&prepared.gray) * 1000.0).round() / 1000.0;
    let mut out = PageOutput {
        ink_ratio,
        thumbnail,
        preview: Vec::new(),
        by_hand: force.map(|f| f.by_hand.clone()),
        document_page: 0,
        source: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ext: path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default(),
        sha256: master.sha256.clone(),
        width: master.width,
        height: master.height,
        declared_dpi: master.declared_dpi,
        exif_orientation: master.exif_orientation,
        colour: master.colour,
        part,
        in_file: master.in_file,
        image,
        // The rasters end here: only the facts go on to the document stage.
        preparation: prepared.facts.clone(),
        recognized,
    };
    // Only a page the report will flag is worth the reading-size copy.
    let record = crate::document::page_record(1, &out);
    if !crate::report::check_page(&record, &cfg.report)
        .flags
        .is_empty()
    {
        out.preview = preview(prepared.shown_gray(), prepared.color());
    }
    Ok(out)
}
