//! One page, from decoded raster to recognised text, in two plain steps:
//! [`prepare`] (background, orientation, deskew, resolution) and
//! [`recognize`] (language, segmentation, OCR, reading order, the upside-down
//! recheck and the reread of lines in the other script). The pipeline
//! supplies the engines ([`Engines`]) and schedules; everything a page's
//! record, ALTO, METS, PDF and report say about it comes from the values
//! these return.
//!
//! Do no harm: every step that changes the page must have shown, on real
//! captures (bench/real.py), that it helps; a step that is unsure leaves the
//! page as it is and says so in [`Prepared::doubts`].

use crate::lang::{LangSetting, Language, Languages, Script};
use crate::ocr::Engine;
use crate::picture::Picture;
use crate::raster::Raster;
use crate::resolution::{self, Resolution};
use crate::script::{self, Detected};
use crate::text::{BBox, PageText};
use crate::Result;
use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

/// Tesseract engines by language string and page segmentation mode. The
/// pipeline lends a page engines from a pool shared by its threads;
/// [`EngineCache`] keeps them for one thread (tools and tests).
pub trait Engines {
    fn get(&mut self, lang: &str, psm: u32) -> Result<&Engine>;
}

/// Engines created on first use and kept: loading a model costs far more
/// than reading a page.
pub struct EngineCache {
    tessdata: PathBuf,
    /// One engine per language string, whatever the segmentation mode: an
    /// engine per (language, mode) held up to three copies of each model
    /// per thread, and peak memory grew with the batch as threads met more
    /// pairs (README, Benchmarks: memory).
    engines: HashMap<String, Engine>,
}

impl EngineCache {
    pub fn new(tessdata: impl Into<PathBuf>) -> EngineCache {
        EngineCache {
            tessdata: tessdata.into(),
            engines: HashMap::new(),
        }
    }
}

impl Engines for EngineCache {
    fn get(&mut self, lang: &str, psm: u32) -> Result<&Engine> {
        if !self.engines.contains_key(lang) {
            let engine = Engine::new(&self.tessdata, lang, psm)?;
            self.engines.insert(lang.to_string(), engine);
        }
        let engine = &self.engines[lang];
        engine.set_psm(psm)?;
        Ok(engine)
    }
}

/// How a page is prepared. Each field's default is that of
/// `config/default.toml`.
#[derive(Debug, Clone)]
pub struct PrepareOptions {
    /// Find the page in a capture that holds more (a phone photo's table, a
    /// scanner's black lid) and crop to it. Default: true.
    pub find_page: bool,
    /// Divide out uneven light before analysis and OCR. Default: true.
    pub normalize_background: bool,
    /// Find pages scanned sideways or upside down. Default: true.
    pub orientation: bool,
    /// Straighten skewed pages. Default: true.
    pub deskew: bool,
    /// Straighten text lines that bend (a book's curl near the spine, a
    /// photo's perspective). Default: true.
    pub dewarp: bool,
    /// Widest skew searched for, degrees either way. Default: 15.
    pub max_skew: f32,
    /// Skews below this (degrees) are recorded, not corrected. Default: 0.1.
    pub min_skew: f32,
    /// Resolution assumed when neither the file nor the text gives one.
    /// Default: 300.
    pub default_dpi: f32,
    /// A turn decided by hand (staff's overrides), made instead of
    /// diachi's own orientation decision. Default: none.
    pub forced_turn: Option<Turn>,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            find_page: true,
            normalize_background: true,
            orientation: true,
            deskew: true,
            dewarp: true,
            forced_turn: None,
            max_skew: 15.0,
            min_skew: 0.1,
            default_dpi: 300.0,
        }
    }
}

/// A clockwise quarter-turn count applied to make a page upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(into = "u32")]
pub enum Turn {
    #[default]
    None,
    Quarter,
    Half,
    ThreeQuarters,
}

impl Turn {
    /// The turn of `degrees` clockwise (0, 90, 180 or 270).
    pub fn from_degrees(degrees: u32) -> Option<Turn> {
        match degrees {
            0 => Some(Turn::None),
            90 => Some(Turn::Quarter),
            180 => Some(Turn::Half),
            270 => Some(Turn::ThreeQuarters),
            _ => None,
        }
    }

    pub fn degrees(self) -> u32 {
        match self {
            Turn::None => 0,
            Turn::Quarter => 90,
            Turn::Half => 180,
            Turn::ThreeQuarters => 270,
        }
    }

    fn then(self, other: Turn) -> Turn {
        match (self.degrees() + other.degrees()) % 360 {
            90 => Turn::Quarter,
            180 => Turn::Half,
            270 => Turn::ThreeQuarters,
            _ => Turn::None,
        }
    }

    fn apply<P: image::Pixel + 'static>(
        self,
        img: &image::ImageBuffer<P, Vec<P::Subpixel>>,
    ) -> image::ImageBuffer<P, Vec<P::Subpixel>> {
        match self {
            Turn::None => img.clone(),
            Turn::Quarter => image::imageops::rotate90(img),
            Turn::Half => image::imageops::rotate180(img),
            Turn::ThreeQuarters => image::imageops::rotate270(img),
        }
    }
}

impl From<Turn> for u32 {
    fn from(t: Turn) -> u32 {
        t.degrees()
    }
}

/// Something preparation or recognition was unsure of, and left alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Doubt {
    /// The lines seemed to run down the page, but reading it turned did not
    /// read clearly better: the page was left as it was.
    SidewaysNotConfirmed { upright: f32, turned: f32 },
    /// The page was checked for being upside down and the two readings were
    /// close.
    UpsideDownUnsure { margin: f32 },
    /// Orientation finding was off, and the lines seem to run down the page.
    /// Tesseract reads such a page's vertical lines at high confidence,
    /// with its words out of order, so nothing else would flag it.
    LinesRunDown,
}

/// Time spent in each step of a page's work, in order (a step run twice is
/// listed twice): what `tools`' `stage_times` prints.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, std::time::Duration)>);

impl Timings {
    /// Runs `f`, recording its time as `step`.
    fn time<R>(&mut self, step: &'static str, f: impl FnOnce() -> R) -> R {
        let start = std::time::Instant::now();
        let r = f();
        self.0.push((step, start.elapsed()));
        r
    }
}

/// A page ready for OCR, and what was done to get it there.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What OCR reads: 8-bit gray, background normalised, upright, deskewed.
    pub gray: GrayImage,
    /// What the PDF shows where that is not `gray`: the colour page, or
    /// the gray page as captured (unmasked, not normalised); turned and
    /// deskewed like `gray`.
    pub picture: Option<Picture>,
    /// The master is pure black and white; so is `gray`.
    pub bilevel: bool,
    /// What was done to the page: kept for the record once the rasters are
    /// encoded and dropped.
    pub facts: Preparation,
    /// When a page was found in a larger capture: the capture, small, with
    /// the crop box drawn on it, for the report to show what was cut.
    pub overview: Option<RgbImage>,
    /// How long each step took.
    pub timings: Timings,
}

/// What preparation did to a page, and found out about it.
#[derive(Debug, Clone)]
pub struct Preparation {
    /// The page found in the capture and cropped to; `None` when the whole
    /// capture is the page.
    pub page: Option<crate::pagefind::PageFound>,
    /// The resolution the page is described with (the PDF page size).
    pub resolution: Resolution,
    /// The clockwise turn applied.
    pub turn: Turn,
    /// When the page was checked for being upside down: the gap between the
    /// two readings' confidences (0-100).
    pub orientation_margin: Option<f32>,
    /// The Khmer network read at least half the page's lines surely, which
    /// it does only upright (lines turned upside down score 12-69 where
    /// the same lines upright score 95-100), so the page is upright
    /// whatever `orientation_margin` says.
    pub upright_read: bool,
    /// Skew found, degrees counter-clockwise, and whether it was corrected.
    pub skew: f32,
    pub deskewed: bool,
    /// Set when curled lines were straightened.
    pub dewarp: Option<crate::dewarp::Dewarp>,
    pub doubts: Vec<Doubt>,
}

impl Prepared {
    /// [`keep_bilevel`] on the gray page and its gray picture.
    fn keep_bilevel(&mut self) {
        keep_bilevel(&mut self.gray);
        if let Some(Picture::Gray(g)) = &mut self.picture {
            keep_bilevel(g);
        }
    }

    /// Pixels per inch along the page's height, as OCR is told.
    pub fn ppi(&self) -> u32 {
        self.facts.resolution.dpi.1.round() as u32
    }

    /// The gray page the PDF shows: `gray`, or its unmasked picture.
    pub fn shown_gray(&self) -> &GrayImage {
        match &self.picture {
            Some(Picture::Gray(g)) => g,
            _ => &self.gray,
        }
    }

    /// The colour page the PDF shows, when the capture is in colour.
    pub fn color(&self) -> Option<&RgbImage> {
        self.picture.as_ref().and_then(Picture::color)
    }

    fn turn_by(&mut self, t: Turn) {
        self.gray = t.apply(&self.gray);
        self.picture = self
            .picture
            .as_ref()
            .map(|p| p.map(|g| t.apply(g), |c| t.apply(c)));
        let facts = &mut self.facts;
        if matches!(t, Turn::Quarter | Turn::ThreeQuarters) {
            let (x, y) = facts.resolution.dpi;
            facts.resolution.dpi = (y, x);
        }
        facts.turn = facts.turn.then(t);
    }
}

/// Longest side of [`Prepared::overview`], pixels: that of the report's
/// thumbnails.
const OVERVIEW_SIDE: u32 = 240;

/// Prepares a decoded page: background normalisation, orientation (proposed
/// by the direction of the text lines, decided by reading, see
/// [`confirm_sideways`]), deskew, and the resolution (the file's, or the
/// text's when the file has none or a false one).
pub fn prepare(
    raster: Raster,
    lang: &LangSetting,
    opts: &PrepareOptions,
    engines: &mut impl Engines,
) -> Result<Prepared> {
    let declared_dpi = raster.declared_dpi();
    let mut timings = Timings::default();
    let mut gray = raster.gray;
    let mut picture = raster.color.map(Picture::Color);
    let (mut found_page, mut overview) = (None, None);
    if opts.find_page {
        if let Some(found) = timings.time("page", || crate::pagefind::find_page(&gray)) {
            let color = picture.as_ref().and_then(Picture::color);
            overview = Some(found.overview(&gray, color, OVERVIEW_SIDE));
            match found.quad {
                // A page in perspective is warped square; one seen
                // square-on is cropped, and what is off the paper masked.
                Some(quad) => timings.time("perspective", || {
                    gray = crate::pagefind::rectify(&gray, quad);
                    picture = picture.as_ref().map(|p| {
                        p.map(
                            |g| crate::pagefind::rectify(g, quad),
                            |c| crate::pagefind::rectify(c, quad),
                        )
                    });
                }),
                None => {
                    // The mask is for OCR only: the PDF keeps what it
                    // covered ([`crate::picture`]).
                    let masked = found.crop_and_mask(&gray);
                    picture = match picture {
                        Some(p) => Some(p.map(|g| found.crop.of(g), |c| found.crop.of(c))),
                        None if found.masked > 0.0 => Some(Picture::Gray(found.crop.of(&gray))),
                        None => None,
                    };
                    gray = masked;
                }
            }
            found_page = Some(found.facts());
            if raster.bilevel {
                keep_bilevel(&mut gray);
            }
        }
    }
    if opts.normalize_background && !raster.bilevel {
        if let Some(normalised) = timings.time("background", || crate::clean::normalize(&gray)) {
            // For OCR only, as OCRmyPDF's --clean: the PDF keeps the page as
            // scanned ([`crate::picture`]).
            let scanned = std::mem::replace(&mut gray, normalised);
            picture.get_or_insert(Picture::Gray(scanned));
        }
    }
    let dpi = declared_dpi.unwrap_or((opts.default_dpi, opts.default_dpi));
    let mut page = Prepared {
        gray,
        picture,
        bilevel: raster.bilevel,
        overview,
        facts: Preparation {
            page: found_page,
            resolution: Resolution {
                dpi,
                source: resolution::DpiSource::Assumed,
                x_height: None,
            },
            turn: Turn::None,
            orientation_margin: None,
            upright_read: false,
            skew: 0.0,
            deskewed: false,
            dewarp: None,
            doubts: Vec::new(),
        },
        timings: Timings::default(),
    };
    let mut skew = None;
    if let Some(t) = opts.forced_turn {
        page.turn_by(t);
    } else if opts.orientation {
        skew = timings.time("sideways", || {
            confirm_sideways(&mut page, lang, opts, engines)
        })?;
    } else if crate::orient::is_sideways(&page.gray, page.ppi()) {
        page.facts.doubts.push(Doubt::LinesRunDown);
    }
    page.timings = timings;
    straighten(&mut page, opts, declared_dpi, skew);
    Ok(page)
}

/// The steps after orientation: deskew (`known`: the skew already measured
/// for the page as it stands), dewarp, and the resolution from the file's
/// (`declared_dpi`, as captured) or the text's x-height.
fn straighten(
    page: &mut Prepared,
    opts: &PrepareOptions,
    declared_dpi: Option<(f32, f32)>,
    known: Option<f32>,
) {
    let mut timings = std::mem::take(&mut page.timings);
    if opts.deskew {
        timings.time("deskew", || deskew(page, opts, known));
    }
    if opts.dewarp {
        timings.time("dewarp", || dewarp(page));
    }
    // Measured on straight lines: a curled page's lines smear together.
    let x_height = timings.time("x-height", || resolution::x_height(&page.gray));
    page.facts.resolution = resolution::resolve(
        declared_dpi.map(|d| {
            if page.facts.turn.degrees() % 180 == 90 {
                (d.1, d.0)
            } else {
                d
            }
        }),
        opts.default_dpi,
        x_height,
    );
    page.timings = timings;
}

/// [`prepare`], then [`recognize`]; then a page that nothing turned and
/// whose reading says it may be turned after all is read again, in the
/// region of its lines, turned ([`turned_after_all`]):
/// - a quarter each way, when most of its lines run down the page
///   ([`lines_run_down`]);
/// - half round, when it reads weakly ([`reads_weakly`]) and the upside-down
///   check of [`recognize`] was not sure (its sample of lines may have
///   missed them: on a phone photo, a page stack's striped edge makes one
///   band of the whole page).
///
/// When one turn reads clearly better, the page is turned, straightened and
/// measured again, and read again; the turn is kept only if the whole page
/// then reads better. Otherwise the page is left exactly as it was, and
/// flagged.
pub fn read(
    raster: Raster,
    lang: &LangSetting,
    prepare_opts: &PrepareOptions,
    recognize_opts: &RecognizeOptions,
    engines: &mut impl Engines,
) -> Result<(Prepared, Recognized)> {
    let declared_dpi = raster.declared_dpi();
    let mut page = prepare(raster, lang, prepare_opts, engines)?;
    let mut read = recognize(&mut page, lang, recognize_opts, engines)?;
    let checked = prepare_opts.orientation
        && recognize_opts.orientation
        && prepare_opts.forced_turn.is_none()
        && page.facts.turn == Turn::None;
    if !checked {
        return Ok((page, read));
    }
    let down = lines_run_down(&read.text);
    let unsure_up = !page.facts.upright_read
        && page
            .facts
            .orientation_margin
            .is_none_or(|m| m < crate::orient::SURE_MARGIN);
    let turns: &[Turn] = if down {
        &[Turn::Quarter, Turn::ThreeQuarters]
    } else if unsure_up && reads_weakly(&read.text) {
        &[Turn::Half]
    } else {
        return Ok((page, read));
    };
    let mut timings = Timings::default();
    let as_is = crate::orient::text_score(&read.text);
    let found = timings.time("turned after all", || {
        let region = text_region(&read.text, page.gray.dimensions(), down);
        let mut check = |lang: &str| {
            let engine = engines.get(lang, 6)?;
            turned_after_all(&page.gray, region, page.ppi(), as_is, turns, engine)
        };
        // With `auto`, the Vietnamese model alone first, as the sideways
        // check of prepare does: it reads Latin print surely, where the
        // two-language model reads each word first in Khmer (an English
        // page stored upside down, read as Khmer, was not turned).
        match lang {
            LangSetting::Auto => match check(Script::Latin.lang())? {
                Ok(turn) => Ok(Ok(turn)),
                Err(latin) => Ok(check(&sample_lang(lang))?.map_err(|s| s.max(latin))),
            },
            LangSetting::Fixed(_) => check(&sample_lang(lang)),
        }
    })?;
    page.timings.0.extend(timings.0);
    let turn = match found {
        Ok(turn) => turn,
        Err(turned) => {
            // Left as it is, for staff to look at.
            not_turned(&mut page, turns[0], as_is, turned);
            return Ok((page, read));
        }
    };
    // Kept until the page reads better turned (a rare page: the copy costs
    // only here).
    let before = page.clone();
    page.turn_by(turn);
    // What the first reading found out about the page's direction was
    // about the page as it stood.
    page.facts.doubts.retain(|d| {
        !matches!(
            d,
            Doubt::SidewaysNotConfirmed { .. } | Doubt::UpsideDownUnsure { .. }
        )
    });
    (page.facts.orientation_margin, page.facts.upright_read) = (None, false);
    // Straightened again as it now stands: its skew was measured on the
    // page turned, and adds to what is measured now.
    let (skew, deskewed) = (page.facts.skew, page.facts.deskewed);
    straighten(&mut page, prepare_opts, declared_dpi, None);
    page.facts.skew = ((skew + page.facts.skew) * 1000.0).round() / 1000.0 + 0.0;
    page.facts.deskewed |= deskewed;
    let mut turned = recognize(&mut page, lang, recognize_opts, engines)?;
    let score = crate::orient::text_score(&turned.text);
    if score <= as_is {
        // The whole page reads no better turned (its straightening went
        // wrong, or the region misled): left as it was, and flagged.
        let mut page = before;
        not_turned(&mut page, turn, as_is, score);
        read.timings.0.extend(turned.timings.0);
        return Ok((page, read));
    }
    if turn == Turn::Half {
        page.facts.orientation_margin = Some(tenths(score - as_is));
    }
    turned.timings.0.splice(0..0, read.timings.0);
    Ok((page, turned))
}

/// Records that reading the page turned by `turn` (scoring `turned`
/// against `as_is`) did not make the turn.
fn not_turned(page: &mut Prepared, turn: Turn, as_is: f32, turned: f32) {
    if turn == Turn::Half {
        let margin = tenths((turned - as_is).abs());
        page.facts.orientation_margin.get_or_insert(margin);
        if !page
            .facts
            .doubts
            .iter()
            .any(|d| matches!(d, Doubt::UpsideDownUnsure { .. }))
        {
            page.facts.doubts.push(Doubt::UpsideDownUnsure { margin });
        }
    } else {
        page.facts.doubts.push(Doubt::SidewaysNotConfirmed {
            upright: tenths(as_is),
            turned: tenths(turned),
        });
    }
}

/// A score or margin (0-100) to a tenth, as the record and the report show
/// it.
fn tenths(v: f32) -> f32 {
    (v * 10.0).round() / 10.0
}

/// Whether most of the lines Tesseract read run down the page (taller than
/// wide), at least [`RUN_DOWN_LINES`] of them: it found the text's lines
/// vertical, so the page is most likely sideways, whatever the geometric
/// test ([`crate::orient::is_sideways`]) said. Phone photos of a book
/// stored sideways without an EXIF turn (page_dewarp's boston_cooking_a
/// and _b, their tag stripped) read in 38 of 38 and 33 of 35 such lines, at
/// a mean confidence of 33 and 35 (upside-down garbage): the page stack's
/// edge, striped across the lines, had made the rows peakier than the
/// columns, and nothing was proposed. No page of the 54-page mix, realdev
/// or the samples reads a single such line upright.
fn lines_run_down(text: &PageText) -> bool {
    let (mut lines, mut down) = (0, 0);
    for line in text.lines() {
        lines += 1;
        down += usize::from(line.bbox.runs_down());
    }
    down >= RUN_DOWN_LINES && down * 2 > lines
}

/// The fewest lines running down the page for [`lines_run_down`].
const RUN_DOWN_LINES: usize = 3;

/// Whether a page reads weakly enough to be read again upside down: many
/// words ([`WEAK_READING_WORDS`]) at a low mean confidence
/// ([`WEAK_READING_BELOW`]).
fn reads_weakly(text: &PageText) -> bool {
    text.words().count() >= WEAK_READING_WORDS
        && text
            .mean_confidence()
            .is_some_and(|c| c < WEAK_READING_BELOW)
}

/// The mean word confidence (0-100) under which [`reads_weakly`]. Phone
/// photos of a book page stored upside down without an EXIF turn
/// (page_dewarp's boston_cooking_a and _b and linguistics_thesis_a) read
/// at 33-37, their upside-down check unsure (6.4 and 7.8) or without a
/// sample (the page stack's edge made one band of the page). Upright pages
/// of the 54-page mix and realdev read at 77-94, but for a ruled Khmer
/// table (khm_phonsobon_5) at 41, whose upside-down check is sure (16.9)
/// and which is not read again.
const WEAK_READING_BELOW: f32 = 50.0;

/// The fewest words for [`reads_weakly`]: a page of a few words (a cover, a
/// plate's caption) says little either way.
const WEAK_READING_WORDS: usize = 20;

/// Where the page's text is, as read (its lines running down the page
/// alone when `down`), as much of it as the middle of their box holds in a
/// ninth of the page (`dims`): the region [`turned_after_all`] reads. The
/// lines, not the page's middle, which on a short text may be blank; and no
/// more than a ninth of the page, as each reading turned costs about that
/// share of the page's OCR.
fn text_region(text: &PageText, dims: (u32, u32), down: bool) -> BBox {
    let (w, h) = dims;
    let r = text
        .lines()
        .map(|l| l.bbox)
        .filter(|b| !down || b.runs_down())
        .reduce(|r, b| r.union(&b))
        .unwrap_or(BBox {
            x0: 0,
            y0: 0,
            x1: w,
            y1: h,
        });
    let (rw, rh) = (r.width().min(w), r.height().min(h));
    let most = f64::from(w) * f64::from(h) / 9.0;
    let shrink = (most / (f64::from(rw) * f64::from(rh)).max(1.0))
        .sqrt()
        .min(1.0);
    let (cw, ch) = (
        ((f64::from(rw) * shrink) as u32).max(1),
        ((f64::from(rh) * shrink) as u32).max(1),
    );
    let (x0, y0) = (
        (r.x0 + (rw - cw) / 2).min(w - cw),
        (r.y0 + (rh - ch) / 2).min(h - ch),
    );
    BBox {
        x0,
        y0,
        x1: x0 + cw,
        y1: y0 + ch,
    }
}

/// The least score (0-100) of the page's text read turned for
/// [`turned_after_all`] to turn it. Low, as the whole page must then read
/// better turned as well: linguistics_thesis_a stored upside down, read
/// under `auto` (as Khmer, at 14), reads its table's English and phonetic
/// transcriptions turned at 47 with the Vietnamese model and 51 with both,
/// and the page turned at 80 (as `eng`).
const AFTER_ALL_SURE: f32 = 40.0;

/// Which of `turns`, if any, makes `region` of the page read clearly
/// better than the page read as it stands (`as_is`, its
/// [`crate::orient::text_score`]): the region read with `engine` turned by
/// each in order, stopping at one that scores [`QUARTER_SURE`]. A turn
/// must score [`AFTER_ALL_SURE`] and [`SIDEWAYS_CONFIRM`] over `as_is`.
/// Returns the best such turn, or the best score turned when none is good.
fn turned_after_all(
    gray: &GrayImage,
    region: BBox,
    ppi: u32,
    as_is: f32,
    turns: &[Turn],
    engine: &crate::ocr::Engine,
) -> Result<std::result::Result<Turn, f32>> {
    let text =
        image::imageops::crop_imm(gray, region.x0, region.y0, region.width(), region.height())
            .to_image();
    let good = |score: f32| score >= AFTER_ALL_SURE && score >= as_is + SIDEWAYS_CONFIRM;
    let mut best: Option<(Turn, f32)> = None;
    let mut best_score = 0f32;
    for &turn in turns {
        let score = crate::orient::read_score(&turn.apply(&text), ppi, engine)?;
        best_score = best_score.max(score);
        if good(score) && best.is_none_or(|(_, b)| score > b) {
            best = Some((turn, score));
        }
        if good(score) && score >= QUARTER_SURE {
            break;
        }
    }
    Ok(best.map(|(t, _)| t).ok_or(best_score))
}

/// Straightens the page; `known` is its skew when already measured.
fn deskew(page: &mut Prepared, opts: &PrepareOptions, known: Option<f32>) {
    let d = crate::deskew::deskew(
        std::mem::take(&mut page.gray),
        page.picture.take(),
        opts.max_skew,
        opts.min_skew,
        known,
    );
    (
        page.gray,
        page.picture,
        page.facts.skew,
        page.facts.deskewed,
    ) = (d.gray, d.picture, d.skew, d.rotated);
    // Three decimals; `+ 0.0` turns -0 into 0 for the record.
    page.facts.skew = (page.facts.skew * 1000.0).round() / 1000.0 + 0.0;
    if page.bilevel && page.facts.deskewed {
        page.keep_bilevel();
    }
}

/// A 1-bit scan stays 1-bit (stored losslessly as G4): every step that
/// resamples or masks the page (page finding, deskew, dewarp) blends
/// edges to grey, and this thresholds them back.
fn keep_bilevel(gray: &mut GrayImage) {
    for p in gray.pixels_mut() {
        p[0] = if p[0] < 128 { 0 } else { 255 };
    }
}

fn dewarp(page: &mut Prepared) {
    if let Some((gray, picture, facts)) = crate::dewarp::dewarp(&page.gray, page.picture.as_ref()) {
        (page.gray, page.picture, page.facts.dewarp) = (gray, picture, Some(facts));
        if page.bilevel {
            page.keep_bilevel();
        }
    }
}

/// Fewest text lines for the direction of the lines to mean anything: one
/// or two lines (a crop, a caption) are as wide as they are long in ink.
const SIDEWAYS_MIN_LINES: usize = 3;

/// How much better (in the sample's score, 0-100) the page read turned a
/// quarter must be than read as it is, for the turn to be made.
const SIDEWAYS_CONFIRM: f32 = 15.0;

/// The least score (0-100) of a page's sample read turned a quarter for the
/// turn to be made. The sideways pages of the mix read at 58-93 turned the
/// right way. A page whose sample as it stands reads nothing scores 0
/// there, and any reading turned was 15 better: an upside-down page with a
/// page stack's striped edge down its side (the stripes proposing a turn,
/// and making one band of the page, so no sample) was turned a quarter
/// under `auto` on a reading of 34.
const SIDEWAYS_LEAST: f32 = 50.0;

/// The least score (0-100) of a page's sample read turned a quarter for the
/// turn to be made under [`SIDEWAYS_LEAST`], when it reads at least
/// [`SIDEWAYS_CONFIRM`] better than turned the other way. Khmer print reads
/// lower than Latin: realdev's Khmer notices stored at 90° and 270° read at
/// 42-59 turned the right way (against 11-23 the other way), its line crop
/// at 34-47 (against 0-11), and vie_namnqd_1 at 35-52 (against 17-25). On
/// a page not lying sideways both quarter turns read wrong; no such page of
/// realdev, the 54-page mix or the English captures was turned by this.
const QUARTER_LEAST: f32 = 30.0;

/// The page's sample read turned a quarter both ways: the better score, its
/// turn, and the other way's score (0 when the better one settled it).
struct Quarters {
    best: f32,
    turn: Turn,
    other: f32,
}

impl Quarters {
    /// Whether the better turn reads clearly: at [`SIDEWAYS_LEAST`], or,
    /// read by one language's model (`one_language`: the page's given
    /// language, or the Vietnamese model `auto` reads with first), at
    /// [`QUARTER_LEAST`] and [`SIDEWAYS_CONFIRM`] better than the other
    /// way. The two-language model `auto` samples with next reads garbage
    /// higher: an upside-down page whose striped edge hid its lines, turned
    /// a quarter, read 34 one way and 17 the other (the Vietnamese model:
    /// 13 and 11).
    fn clear(&self, one_language: bool) -> bool {
        self.best >= SIDEWAYS_LEAST
            || (one_language
                && self.best >= QUARTER_LEAST
                && self.best >= self.other + SIDEWAYS_CONFIRM)
    }

    /// Whether the page turns: the better turn reads [`SIDEWAYS_CONFIRM`]
    /// better than the page as it stands (`upright`), and [`Self::clear`]ly.
    fn turns(&self, upright: f32, one_language: bool) -> bool {
        self.best >= upright + SIDEWAYS_CONFIRM && self.clear(one_language)
    }
}

/// A sample's score (0-100) at which a page read turned a quarter one way
/// is taken as turned that way without reading it turned the other way.
/// Print read upside down does not come near it: the sideways pages of the
/// 57-page mix read at 14-58 the wrong way round (and at 58-93 the right
/// way), the upright magazine spread 8071_093.3B turned either way at
/// 17-23.
const QUARTER_SURE: f32 = 80.0;

/// Turns a page a quarter when its lines run down the page *and* reading a
/// sample of it turned reads clearly better than reading it as it is. The
/// geometric test ([`crate::orient::is_sideways`]) only proposes: on real
/// photos a thumb, a dark border or the facing page's edge can make an
/// upright page's ink pile up in columns. Both readings are of the page
/// straightened first (its skew estimated in each orientation), as a
/// skewed sample reads badly either way.
///
/// Returns the skew measured for the page as it is left (as it was, or
/// turned clockwise), for the deskew step not to measure it again.
fn confirm_sideways(
    page: &mut Prepared,
    lang: &LangSetting,
    opts: &PrepareOptions,
    engines: &mut impl Engines,
) -> Result<Option<f32>> {
    let ppi = page.ppi();
    if !crate::orient::is_sideways(&page.gray, ppi) {
        return Ok(None);
    }
    // Straightened as the deskew step would, white filling the corners; a
    // skew it would leave is left here too (rotating by it costs 50-150 ms
    // a page), and the page as it is is then only borrowed, not copied.
    fn straight<'a>(g: Cow<'a, GrayImage>, opts: &PrepareOptions) -> (Cow<'a, GrayImage>, f32) {
        let skew = crate::deskew::estimate(&g, opts.max_skew);
        if skew.abs() < opts.min_skew {
            (g, skew)
        } else {
            let rotated = crate::deskew::rotate(&g, skew, image::Luma([255]));
            (Cow::Owned(rotated), skew)
        }
    }
    let (as_is, skew_as_is) = straight(Cow::Borrowed(&page.gray), opts);
    let quarter = Cow::Owned(image::imageops::rotate90(&page.gray));
    let (quarter, skew_quarter) = straight(quarter, opts);
    if script::text_lines(&as_is).len() < SIDEWAYS_MIN_LINES
        && script::text_lines(&quarter).len() < SIDEWAYS_MIN_LINES
    {
        return Ok(Some(skew_as_is));
    }
    // The sample's best score turned a quarter, with its turn and the other
    // way's score, read until `enough` says a first reading settles it.
    let best_turned = |engine: &crate::ocr::Engine, enough: &dyn Fn(f32) -> bool| {
        let (cw, ccw) = crate::orient::turned_scores(&quarter, ppi, engine, enough, |cw, ccw| {
            cw.max(ccw) >= SIDEWAYS_LEAST
        })?;
        Ok::<_, crate::Error>(if cw >= ccw {
            Quarters {
                best: cw,
                turn: Turn::Quarter,
                other: ccw,
            }
        } else {
            Quarters {
                best: ccw,
                turn: Turn::ThreeQuarters,
                other: cw,
            }
        })
    };
    // The sample's score as it is, and turned a quarter.
    let scores = |engine: &crate::ocr::Engine| -> Result<(f32, Quarters)> {
        let upright = crate::orient::sample_score(&as_is, ppi, engine)?;
        let quarters = best_turned(engine, &|cw| {
            cw >= QUARTER_SURE && cw >= upright + SIDEWAYS_CONFIRM
        })?;
        Ok((upright, quarters))
    };
    // With `auto`, the Vietnamese model alone first, as in `detect`: when it
    // reads the page surely one way, the page is Latin and its scores
    // decide. The two-language model reads Latin print slowly (each word
    // first in Khmer), and the Vietnamese model never reads Khmer that
    // well (8-58 on the mix's Khmer samples). Its scores decide too when
    // they make the turn on their own ([`Quarters::clear`] of one model):
    // page_dewarp's linguistics_thesis_b (an English table set landscape)
    // reads 48 turned one way, 27 the other and 10 as it stands, and the
    // two-language model's readings cost 10 s more to say the same. Read
    // by the Vietnamese model, realdev's Khmer notices turned a quarter
    // came out at most 11 better one way than the other (at 33), and three
    // times ahead the wrong way, by 1, 1 and 7: short of the 15 asked.
    let (upright, quarters, one_language) = match lang {
        LangSetting::Auto => {
            let (upright, quarters) = scores(engines.get(Script::Latin.lang(), 6)?)?;
            if quarters.turns(upright, true)
                || upright.max(quarters.best) >= script::LATIN_GLANCE_SURE
            {
                (upright, quarters, true)
            } else {
                // The two-language model reads the page turned first: when
                // that reading is not clear, nothing its reading as it
                // stands could say would turn the page, and the Vietnamese
                // model's score stands for it. A curled English page whose
                // lines seemed to run down the page (page_dewarp's
                // boston_cooking_b) has no lines to sample turned: 2.5 s
                // of checking under `auto`, 0.8 s with `vie`.
                let engine = engines.get(&sample_lang(lang), 6)?;
                let quarters = best_turned(engine, &|cw| cw >= QUARTER_SURE)?;
                if quarters.clear(false) {
                    (
                        crate::orient::sample_score(&as_is, ppi, engine)?,
                        quarters,
                        false,
                    )
                } else {
                    (upright, quarters, false)
                }
            }
        }
        LangSetting::Fixed(_) => {
            let (upright, quarters) = scores(engines.get(&sample_lang(lang), 6)?)?;
            (upright, quarters, true)
        }
    };
    if quarters.turns(upright, one_language) {
        page.turn_by(quarters.turn);
        // Turned the other way, the page's skew is measured again.
        Ok((quarters.turn == Turn::Quarter).then_some(skew_quarter))
    } else {
        page.facts.doubts.push(Doubt::SidewaysNotConfirmed {
            upright: tenths(upright),
            turned: tenths(quarters.best),
        });
        Ok(Some(skew_as_is))
    }
}

/// The languages a sample is read with before the page's are known.
fn sample_lang(lang: &LangSetting) -> String {
    match lang {
        LangSetting::Auto => script::SAMPLE_LANG.to_string(),
        LangSetting::Fixed(l) => l.tesseract(),
    }
}

/// How a page was segmented for OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Segmentation {
    /// One text line (a line crop): Tesseract mode 7.
    SingleLine,
    /// A few lines, read as one block: mode 6.
    Block,
    /// Tesseract's layout analysis (mode 3), which leaves pictures, stamps
    /// and signatures out; lines it dropped are read again as blocks
    /// (mode 6), and the whole is put in reading order ([`crate::order`]).
    Layout,
    /// The mode the settings force.
    Forced(u32),
}

impl Segmentation {
    pub fn psm(self) -> u32 {
        match self {
            Segmentation::SingleLine => 7,
            Segmentation::Block => 6,
            Segmentation::Layout => 3,
            Segmentation::Forced(psm) => psm,
        }
    }

    /// How a page in `langs` is read: the mode `psm` forces, else as
    /// [`Segmentation::choose`] says, except that a Khmer page is read as one
    /// block rather than with layout analysis. Mode 3 cuts Khmer lines into
    /// pieces and drops some: rendered single-column Khmer pages went from
    /// CER 0.002 to 0.047 in bench/accuracy.py, and to 0.034 with the pieces
    /// of each line joined and read again; the realdev notice reads better
    /// with it (0.043 against 0.073), for its logo and handwritten number.
    /// The X-Y cut still puts a block reading's order right.
    pub fn for_page(gray: &GrayImage, langs: &Languages, psm: Option<u32>) -> Segmentation {
        match psm {
            Some(psm) => Segmentation::Forced(psm),
            None => match Segmentation::choose(gray) {
                Segmentation::Layout if langs.main().script() == Script::Khmer => {
                    Segmentation::Block
                }
                s => s,
            },
        }
    }

    /// From the page's text lines, found by their ink, and its height: an
    /// image a few line heights high with one line is a line crop, with up
    /// to three a short block; anything else a page. (A skewed or curled
    /// page's lines can merge into a few bands, but such a page is many
    /// bands high.)
    pub fn choose(gray: &GrayImage) -> Segmentation {
        let lines = script::text_lines(gray);
        let mut heights: Vec<u32> = lines.iter().map(|(a, b)| b - a).collect();
        heights.sort_unstable();
        let Some(&h) = heights.get(heights.len() / 2) else {
            return Segmentation::Layout;
        };
        // A line is far wider than high; a dark band filling a photo is not.
        let (w, height) = gray.dimensions();
        match lines.len() {
            1 if height <= 4 * h && w >= 4 * h => Segmentation::SingleLine,
            1..=3 if height <= 12 * h && w >= 4 * h => Segmentation::Block,
            _ => Segmentation::Layout,
        }
    }
}

/// What OCR made of a prepared page.
#[derive(Debug, Clone)]
pub struct Recognized {
    /// Words, lines and blocks in reading order, boxes in pixels of the
    /// prepared page.
    pub text: PageText,
    /// The languages the page was read in, main first.
    pub langs: Languages,
    pub segmentation: Segmentation,
    /// The factor the page was scaled by for OCR (1 when not).
    pub ocr_scale: f32,
    /// Lines the layout analysis dropped and a block reading found again.
    pub recovered_lines: usize,
    /// Lines read again in the other script and replaced (`auto` only).
    pub reread_lines: usize,
    /// Lines taken out as noise, not text ([`PageText::drop_noise`]).
    pub noise_lines: usize,
    /// Runs of Latin words on a Khmer page read again in Latin and
    /// replaced ([`crate::reread::reread_latin_words`]).
    pub latin_runs: usize,
    /// Khmer lines whose reading is the network's, not Tesseract's
    /// ([`crate::neural::lines`]).
    pub neural_lines: usize,
    /// How long each step took.
    pub timings: Timings,
}

/// How a page is recognised.
#[derive(Debug, Clone)]
pub struct RecognizeOptions {
    /// Check pages whose reading is weak for being upside down. Default: true.
    pub orientation: bool,
    /// Median line confidence (0-100) below which that check is made.
    /// Default: 70.
    pub recheck_below: f32,
    /// A Tesseract page segmentation mode forced on every page. Default:
    /// none (chosen per page, [`Segmentation::choose`]).
    pub psm: Option<u32>,
    /// The network that reads Khmer lines again ([`crate::neural`]).
    /// Default: none (Tesseract alone).
    pub khmer_net: Option<std::sync::Arc<crate::neural::KhmerNet>>,
}

impl Default for RecognizeOptions {
    fn default() -> Self {
        RecognizeOptions {
            orientation: true,
            recheck_below: 70.0,
            psm: None,
            khmer_net: None,
        }
    }
}

/// Reads a prepared page in `lang`. A page whose reading is weak is checked
/// for being upside down, and turned and read again when reading it turned
/// is clearly better; that turn is recorded in `page`.
pub fn recognize(
    page: &mut Prepared,
    lang: &LangSetting,
    opts: &RecognizeOptions,
    engines: &mut impl Engines,
) -> Result<Recognized> {
    let mut timings = Timings::default();
    let mut found = timings.time("detect", || detect(page, lang, engines))?;
    let mut langs = languages(lang, found);
    let mut read = read_page(page, &langs, opts.psm, engines, &mut timings)?;
    let weak = read
        .text
        .median_line_confidence()
        .is_none_or(|c| c < opts.recheck_below);
    let recheck = opts.orientation && weak;
    let latin_down =
        recheck && timings.time("upside-down", || upside_down_latin(page, found, engines))?;
    if latin_down {
        page.turn_by(Turn::Half);
        found = Some(Detected::LATIN);
        langs = languages(lang, found);
        read = read_page(page, &langs, opts.psm, engines, &mut timings)?;
    } else if recheck {
        let engine = engines.get(&langs.tesseract(), 6)?;
        let mut check = timings.time("upside-down", || {
            crate::orient::up_or_down(&page.gray, page.ppi(), engine)
        })?;
        if check.is_some_and(|ud| ud.margin() < crate::orient::SURE_MARGIN) {
            if let Some(khmer) =
                timings.time("upside-down", || upside_down_khmer(page, found, engines))?
            {
                check = Some(khmer);
            }
        }
        if let Some(ud) = check {
            let margin = tenths(ud.margin());
            page.facts.orientation_margin = Some(margin);
            if margin < crate::orient::SURE_MARGIN {
                page.facts.doubts.push(Doubt::UpsideDownUnsure { margin });
            }
            if ud.upside_down {
                page.turn_by(Turn::Half);
                // The language was judged on the page upside down.
                found = timings.time("detect", || detect(page, lang, engines))?;
                langs = languages(lang, found);
                read = read_page(page, &langs, opts.psm, engines, &mut timings)?;
            }
        }
    }
    // A reading whose lines run down the page is of a page lying sideways:
    // [`read`] turns it and reads it again, or leaves it flagged. Its few
    // lines that lie across are not read again: on page_dewarp's
    // boston_cooking_b stored sideways, 1.1 s under `auto` for a reading
    // then thrown away.
    let sideways = opts.orientation && lines_run_down(&read.text);
    if let Some(f) = found.filter(|f| !f.mixed && !sideways) {
        // Lines that may be in the other script are read again, and the
        // page records both languages when any line was replaced.
        let other = f.main.other();
        let engine = engines.get(other.reread_lang(), 6)?;
        read.reread_lines = timings
            .time("reread", || {
                crate::reread::reread_lines_in(
                    &page.gray,
                    page.ppi(),
                    &mut read.text,
                    engine,
                    f.main.reread_below(),
                    other,
                )
            })?
            .replaced;
        if read.reread_lines > 0 {
            langs = languages(lang, Some(Detected { mixed: true, ..f }));
        }
    }
    if langs.main().script() == Script::Khmer && langs.iter().all(|l| l.script() == Script::Khmer) {
        let engine = engines.get(Script::Latin.reread_lang(), 6)?;
        read.latin_runs = timings.time("latin words", || {
            crate::reread::reread_latin_words(&page.gray, page.ppi(), &mut read.text, engine)
        })?;
    }
    if let Some(net) = opts
        .khmer_net
        .as_deref()
        .filter(|_| langs.iter().any(|l| l.script() == Script::Khmer))
    {
        read.neural_lines = timings.time("khmer network", || {
            crate::neural::lines::read_khmer_lines(&page.gray, &mut read.text, net)
        });
        if read.neural_lines > 0 && read.neural_lines * 2 >= read.text.lines().count() {
            page.facts.upright_read = true;
            page.facts
                .doubts
                .retain(|d| !matches!(d, Doubt::UpsideDownUnsure { .. }));
        }
    }
    if langs.iter().any(|l| l.script() == Script::Khmer) {
        khmer_logical_order(&mut read.text);
    }
    // Tesseract's khm model is seldom sure of real Khmer text (the
    // realdev line crop's best word scores under 40, and a notice lost 29
    // lines): confidence cannot tell Khmer noise from Khmer text, so only
    // Latin-script pages are cleaned.
    if langs.iter().all(|l| l.script() == Script::Latin) {
        read.noise_lines = read.text.drop_noise();
    }
    read.langs = langs;
    read.timings = timings;
    Ok(read)
}

/// Vowels the khm model gave in visual order put back in logical order
/// ([`crate::khmer::logical_order`]).
fn khmer_logical_order(text: &mut PageText) {
    for word in text.words_mut() {
        if let Some(fixed) = crate::khmer::logical_order(&word.text) {
            word.text = fixed;
        }
    }
}

/// With `auto`, the page's scripts from a sample of its lines.
fn detect(
    page: &Prepared,
    lang: &LangSetting,
    engines: &mut impl Engines,
) -> Result<Option<Detected>> {
    match lang {
        LangSetting::Auto => {
            let Some(sheet) = script::sample_sheet(&page.gray, script::SCRIPT_SAMPLE) else {
                return Ok(Some(Detected::LATIN));
            };
            // A glance with the Vietnamese model alone first: most pages
            // of the union are Vietnamese, and on them it costs a quarter
            // of the two-language reading.
            if script::surely_latin(&sheet, &glance_latin(&sheet, page.ppi(), engines)?) {
                return Ok(Some(Detected::LATIN));
            }
            let engine = engines.get(script::SAMPLE_LANG, 6)?;
            Ok(Some(script::read_sheet(&sheet, page.ppi(), engine)?))
        }
        LangSetting::Fixed(_) => Ok(None),
    }
}

/// How the Vietnamese model alone reads `sheet`, for
/// [`script::surely_latin`] and [`script::mostly_latin`].
fn glance_latin(sheet: &script::Sheet, ppi: u32, engines: &mut impl Engines) -> Result<PageText> {
    engines
        .get(Script::Latin.lang(), 6)?
        .recognize(&sheet.image, ppi)
}

/// Whether a page `auto` took for Khmer is Latin print upside down. Such a
/// page's sample reads as no language at all, and the two-language
/// reading calls that Khmer (a degraded Vietnamese page of the mix, r017);
/// the up/down check that follows, made with the Khmer model, then finds
/// neither way up better, and the page was read upside down in Khmer. Turned
/// half round, the sample of such a page reads as mostly Latin
/// ([`script::mostly_latin`]), and a Khmer page's does not.
fn upside_down_latin(
    page: &Prepared,
    found: Option<Detected>,
    engines: &mut impl Engines,
) -> Result<bool> {
    if found.is_none_or(|f| f.main != Script::Khmer) {
        return Ok(false);
    }
    let turned = image::imageops::rotate180(&page.gray);
    match script::sample_sheet(&turned, script::SCRIPT_SAMPLE) {
        Some(sheet) => Ok(script::mostly_latin(
            &sheet,
            &glance_latin(&sheet, page.ppi(), engines)?,
        )),
        None => Ok(false),
    }
}

/// Whether a page `auto` took for Latin print is Khmer print upside down:
/// the detection sample, read in Khmer turned half round, reads clearly
/// ([`KHMER_TURNED_CLEAR`]) as Khmer words in most of its segments
/// ([`script::Segment::In`]), and [`crate::orient::SURE_MARGIN`] better
/// than as it stands. `None` when the page was not taken for Latin alone,
/// or the sample does not say so.
///
/// Khmer upside down is no script, and the sample reading may call it
/// Latin (r037 of the mix, a skewed Khmer page of five lines): the
/// up/down check in Vietnamese then reads garbage both ways and is unsure
/// (27 against 39), where in Khmer the sample reads 22 as it stands and 70
/// turned. Read in Khmer, Latin print comes back at a confidence that
/// means nothing: linguistics_thesis_a, upright, read 52 turned against
/// 35 as it stands, but not one segment as Khmer words. The detection
/// sample, not the up/down check's larger one: it costs 0.1-0.2 s a
/// reading on such a page, where the larger one cost 1.6-1.9 s.
fn upside_down_khmer(
    page: &Prepared,
    found: Option<Detected>,
    engines: &mut impl Engines,
) -> Result<Option<crate::orient::UpDown>> {
    if found.is_none_or(|f| f.main != Script::Latin || f.mixed) {
        return Ok(None);
    }
    let Some(sheet) = script::sample_sheet(&page.gray, script::SCRIPT_SAMPLE) else {
        return Ok(None);
    };
    let engine = engines.get(Script::Khmer.lang(), 6)?;
    let turned = sheet.turned_half();
    let reading = engine.recognize(&turned.image, page.ppi())?;
    let turned_score = crate::orient::confidence_score(&reading);
    let segments = script::segment_scripts(&turned, &reading);
    let khmer = segments
        .iter()
        .filter(|&&s| s == script::Segment::In(Script::Khmer))
        .count();
    if turned_score < KHMER_TURNED_CLEAR || khmer * 2 <= segments.len() {
        return Ok(None);
    }
    let upright_score =
        crate::orient::confidence_score(&engine.recognize(&sheet.image, page.ppi())?);
    Ok(
        (turned_score >= upright_score + crate::orient::SURE_MARGIN).then_some(
            crate::orient::UpDown {
                upside_down: true,
                upright_confidence: upright_score,
                turned_confidence: turned_score,
            },
        ),
    )
}

/// The least score of the sample turned half round, read in Khmer, for
/// [`upside_down_khmer`] to turn a page taken for Latin: as
/// [`SIDEWAYS_LEAST`], a reading that is clearly text. Bands of realdev's
/// Khmer notices turned upside down that `auto` took for Latin read at
/// 51-76 turned the right way, and two at 31 and 36 (left as they are).
const KHMER_TURNED_CLEAR: f32 = 50.0;

fn languages(lang: &LangSetting, found: Option<Detected>) -> Languages {
    match (lang, found) {
        (LangSetting::Fixed(l), _) => l.clone(),
        (LangSetting::Auto, Some(f)) => {
            let main = script_language(f.main);
            let list = if f.mixed {
                vec![main, script_language(f.main.other())]
            } else {
                vec![main]
            };
            Languages::new(list).expect("not empty")
        }
        (LangSetting::Auto, None) => Languages::one(Language::Vietnamese),
    }
}

fn script_language(s: Script) -> Language {
    match s {
        Script::Latin => Language::Vietnamese,
        Script::Khmer => Language::Khmer,
    }
}

/// One OCR pass over the page: scaled so that its x-height suits Tesseract,
/// segmented as [`Segmentation::choose`] says, boxes mapped back to the
/// prepared page.
fn read_page(
    page: &Prepared,
    langs: &Languages,
    psm: Option<u32>,
    engines: &mut impl Engines,
    timings: &mut Timings,
) -> Result<Recognized> {
    let segmentation = Segmentation::for_page(&page.gray, langs, psm);
    let scale = resolution::ocr_scale(&page.facts.resolution);
    let scaled;
    let gray = if scale == 1.0 {
        &page.gray
    } else {
        let (w, h) = page.gray.dimensions();
        let (sw, sh) = (
            ((w as f32 * scale).round() as u32).max(1),
            ((h as f32 * scale).round() as u32).max(1),
        );
        scaled = timings.time("scale", || crate::raster::resize_gray(&page.gray, sw, sh));
        &scaled
    };
    let ppi = (page.ppi() as f32 * scale).round() as u32;
    let lang = langs.tesseract();
    let engine = engines.get(&lang, segmentation.psm())?;
    let mut text = timings.time("ocr", || engine.recognize(gray, ppi))?;
    let mut recovered = 0;
    let mut found = text.blocks.len();
    if segmentation == Segmentation::Layout {
        let engine = engines.get(&lang, 6)?;
        let r = timings.time("recover", || {
            crate::layout::recover_dropped(gray, ppi, &mut text, engine)
        })?;
        (recovered, found) = (r.lines, r.found);
    }
    if segmentation != Segmentation::SingleLine {
        text = timings.time("order", || crate::order::reading_order(&text, found));
    }
    if scale != 1.0 {
        text.scale_to(page.gray.width(), page.gray.height());
    }
    Ok(Recognized {
        text,
        langs: langs.clone(),
        segmentation,
        ocr_scale: scale,
        recovered_lines: recovered,
        reread_lines: 0,
        noise_lines: 0,
        latin_runs: 0,
        neural_lines: 0,
        timings: Timings::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_compose() {
        assert_eq!(Turn::Quarter.then(Turn::Half), Turn::ThreeQuarters);
        assert_eq!(Turn::ThreeQuarters.then(Turn::Half), Turn::Quarter);
        assert_eq!(serde_json::to_string(&Turn::Half).unwrap(), "180");
    }

    fn sample(path: &str) -> (Raster, String) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
        let file = root.join("batch").join(path);
        let bytes = std::fs::read(&file).unwrap();
        let raster = crate::raster::decode(&file, &bytes, u64::MAX, 300.0).unwrap();
        let stem = std::path::Path::new(path).with_extension("txt");
        let truth = std::fs::read_to_string(root.join("groundtruth").join(stem)).unwrap();
        (raster, truth)
    }

    /// Words of `truth` that the reading has, of all its words.
    fn words_found(read: &PageText, truth: &str) -> f32 {
        let got: std::collections::HashSet<&str> = read.words().map(|w| w.text.as_str()).collect();
        let words: Vec<&str> = truth.split_whitespace().collect();
        words.iter().filter(|w| got.contains(*w)).count() as f32 / words.len() as f32
    }

    fn engines() -> EngineCache {
        EngineCache::new(crate::ocr::find_tessdata().expect("tessdata installed"))
    }

    /// The sample scanned sideways is turned upright by prepare (proposed by
    /// the lines, confirmed by reading) and read by recognize; the one
    /// scanned upside down is turned by recognize's recheck. Both read as
    /// their ground truth says, with a page-sized layout reading.
    #[test]
    fn turned_samples_are_prepared_and_read() {
        let lang = LangSetting::parse("vie").unwrap();
        let mut engines = engines();
        for (file, turn) in [
            ("giay-to-xoay/2.png", Turn::Quarter),
            ("giay-to-xoay/1.png", Turn::Half),
        ] {
            let (raster, truth) = sample(file);
            let mut page =
                prepare(raster, &lang, &PrepareOptions::default(), &mut engines).unwrap();
            let read =
                recognize(&mut page, &lang, &RecognizeOptions::default(), &mut engines).unwrap();
            assert_eq!(page.facts.turn, turn, "{file}: {:?}", page.facts.doubts);
            assert_eq!(read.segmentation, Segmentation::Layout, "{file}");
            assert_eq!(read.langs.tesseract(), "vie");
            let found = words_found(&read.text, &truth);
            assert!(found > 0.9, "{file}: {found}\n{}", read.text.plain_text());
            assert_eq!((read.text.width, read.text.height), page.gray.dimensions());
        }
    }

    /// A raster read twice: by [`prepare`] and [`recognize`] alone, and by
    /// [`read`], which may turn it after all.
    fn alone_and_read(
        raster: Raster,
        lang: &LangSetting,
        engines: &mut EngineCache,
    ) -> ((Prepared, Recognized), (Prepared, Recognized)) {
        let (options, recognize_options) = (PrepareOptions::default(), RecognizeOptions::default());
        let mut alone = prepare(raster.clone(), lang, &options, engines).unwrap();
        let alone_read = recognize(&mut alone, lang, &recognize_options, engines).unwrap();
        let turned = read(raster, lang, &options, &recognize_options, engines).unwrap();
        ((alone, alone_read), turned)
    }

    /// The sideways sample with a page stack's edge painted across the top
    /// `1 / share` of it: thin stripes, light enough for page finding to
    /// keep them as paper.
    fn striped_sideways_sample(share: u32) -> (Raster, String) {
        let (mut raster, truth) = sample("giay-to-xoay/2.png");
        let (w, h) = raster.gray.dimensions();
        for y in 0..h / share {
            let shade = if y % 6 < 2 { 160 } else { 240 };
            for x in 0..w {
                raster.gray.put_pixel(x, y, image::Luma([shade]));
            }
        }
        (raster, truth)
    }

    /// The upside-down sample with a page stack's edge down its left
    /// side: stripes down the page's height, in every row, so that the
    /// page's ink makes one band and the upside-down check has no sample
    /// of lines to read. As the sideways case, it was read upside down
    /// (garbage); its reading is weak, and turned half round it reads well,
    /// with its language given and with `auto`.
    #[test]
    fn an_upside_down_page_the_check_could_not_sample_is_turned_by_its_reading() {
        for lang in ["vie", "auto"] {
            upside_down_striped_page_is_turned(&LangSetting::parse(lang).unwrap());
        }
    }

    fn upside_down_striped_page_is_turned(lang: &LangSetting) {
        let mut engines = engines();
        let (mut raster, truth) = sample("giay-to-xoay/1.png");
        let (w, h) = raster.gray.dimensions();
        for x in 0..w / 8 {
            let shade = if x % 6 < 2 { 160 } else { 240 };
            for y in 0..h {
                raster.gray.put_pixel(x, y, image::Luma([shade]));
            }
        }
        let ((alone, alone_read), (page, read)) = alone_and_read(raster, lang, &mut engines);
        assert_eq!(
            alone.facts.turn,
            Turn::None,
            "the stripes no longer hide the page's direction from recognize: {:?}",
            alone.facts.doubts
        );
        assert!(reads_weakly(&alone_read.text));
        assert_eq!(
            page.facts.turn,
            Turn::Half,
            "{lang:?}: {:?}",
            page.facts.doubts
        );
        let found = words_found(&read.text, &truth);
        assert!(found > 0.9, "{found}\n{}", read.text.plain_text());
        assert!(page.facts.orientation_margin.is_some_and(|m| m >= 15.0));
    }

    /// Do no harm: when the stripes cover a third of the page, over the
    /// ends of its lines, the page turned is deskewed by the stripes (now
    /// running down it) and reads nothing; it is then left as it was, as
    /// prepare and recognize left it, and flagged for staff.
    #[test]
    fn a_page_that_reads_no_better_turned_is_left_as_it_was() {
        let lang = LangSetting::parse("vie").unwrap();
        let mut engines = engines();
        let (raster, _) = striped_sideways_sample(3);
        let ((alone, alone_read), (page, read)) = alone_and_read(raster, &lang, &mut engines);
        assert_eq!(page.facts.turn, Turn::None);
        assert_eq!(read.text.plain_text(), alone_read.text.plain_text());
        assert!(page.gray == alone.gray);
        assert!(
            page.facts
                .doubts
                .iter()
                .any(|d| matches!(d, Doubt::SidewaysNotConfirmed { .. })),
            "{:?}",
            page.facts.doubts
        );
    }

    /// A page stored sideways whose line geometry proposes nothing is
    /// turned after all when Tesseract reads its lines running down the
    /// page: the sideways sample with a page stack's edge across its top, a
    /// band of thin stripes (as on page_dewarp's boston_cooking photos with
    /// their EXIF turn stripped), which makes the rows peakier than the
    /// columns. Read as it is, it was upside-down garbage.
    #[test]
    fn a_sideways_page_the_lines_did_not_show_is_turned_by_its_reading() {
        let lang = LangSetting::parse("vie").unwrap();
        let mut engines = engines();
        let (raster, truth) = striped_sideways_sample(5);
        let ((alone, _), (page, read)) = alone_and_read(raster, &lang, &mut engines);
        assert_eq!(
            alone.facts.turn,
            Turn::None,
            "the stripes no longer hide the page's direction"
        );
        assert_eq!(page.facts.turn, Turn::Quarter, "{:?}", page.facts.doubts);
        assert!(!lines_run_down(&read.text));
        let found = words_found(&read.text, &truth);
        assert!(found > 0.9, "{found}\n{}", read.text.plain_text());
        assert_eq!((read.text.width, read.text.height), page.gray.dimensions());
    }

    /// A skewed page scanned sideways comes out of prepare the same, pixel
    /// for pixel, whether the deskew step measures its skew or takes the
    /// one the sideways check measured; the check turns it clockwise, and
    /// no further than the page with its turn given.
    #[test]
    fn the_sideways_checks_skew_is_the_one_the_deskew_step_measures() {
        let lang = LangSetting::parse("vie").unwrap();
        let mut engines = engines();
        let (mut raster, _) = sample("giay-to-xoay/2.png");
        raster.gray = crate::deskew::rotate(&raster.gray, 2.5, image::Luma([255]));
        let checked = prepare(
            raster.clone(),
            &lang,
            &PrepareOptions::default(),
            &mut engines,
        )
        .unwrap();
        let given = PrepareOptions {
            forced_turn: Some(Turn::Quarter),
            ..PrepareOptions::default()
        };
        let measured = prepare(raster, &lang, &given, &mut engines).unwrap();
        assert_eq!(
            checked.facts.turn,
            Turn::Quarter,
            "{:?}",
            checked.facts.doubts
        );
        assert!(checked.facts.deskewed && checked.facts.skew.abs() > 2.0);
        assert_eq!(checked.facts.skew, measured.facts.skew);
        assert!(checked.gray == measured.gray, "the deskewed pages differ");
    }

    /// The engines a page asked for, in order.
    struct Asked<'a> {
        inner: &'a mut EngineCache,
        langs: Vec<String>,
    }

    impl Engines for Asked<'_> {
        fn get(&mut self, lang: &str, psm: u32) -> Result<&Engine> {
            self.langs.push(lang.to_string());
            self.inner.get(lang, psm)
        }
    }

    /// With `auto`, a Vietnamese page scanned sideways is confirmed with the
    /// Vietnamese model alone, which reads it surely; the two-language
    /// model (three samples, each word first read in Khmer) made the check
    /// cost 2-4 s on the mix's sideways pages, against 0.4-1.6 s. A Khmer
    /// page, which that model never reads surely, still gets the
    /// two-language check, and is turned.
    #[test]
    fn auto_confirms_a_sideways_page_in_the_language_that_reads_it() {
        let mut cache = engines();
        for (file, turn, asked) in [
            ("giay-to-xoay/2.png", Turn::Quarter, vec!["vie"]),
            (
                "wat-khleang/scan_1.png",
                Turn::ThreeQuarters,
                vec!["vie", script::SAMPLE_LANG],
            ),
        ] {
            let (mut raster, _) = sample(file);
            if turn == Turn::ThreeQuarters {
                // Stored upright; scanned a quarter clockwise here.
                raster.gray = image::imageops::rotate90(&raster.gray);
                raster.color = None;
            }
            let mut engines = Asked {
                inner: &mut cache,
                langs: Vec::new(),
            };
            let page = prepare(
                raster,
                &LangSetting::Auto,
                &PrepareOptions::default(),
                &mut engines,
            )
            .unwrap();
            assert_eq!(page.facts.turn, turn, "{file}: {:?}", page.facts.doubts);
            assert_eq!(engines.langs, asked, "{file}");
        }
    }

    /// A few lines of real Khmer print upside down, under `auto`: the
    /// sample reads as no script, and the two-language reading took such
    /// crops of realdev's khm_phonsobon notices for Latin (with Khmer
    /// lines). The up/down check in Vietnamese was unsure, and they were
    /// read upside down; read in Khmer they turn ([`upside_down_khmer`]).
    #[test]
    fn a_few_khmer_lines_upside_down_are_turned_under_auto() {
        let mut engines = engines();
        for (file, top, bottom) in [
            ("khm_phonsobon_1.jpg", 0.5, 0.6),
            ("khm_phonsobon_3.jpg", 0.5, 0.6),
            ("khm_phonsobon_4.jpg", 0.35, 0.45),
        ] {
            let mut raster = crate::raster::realdev(file);
            let h = raster.gray.height() as f32;
            let (y0, y1) = ((h * top) as u32, (h * bottom) as u32);
            let band = image::imageops::crop_imm(&raster.gray, 0, y0, raster.gray.width(), y1 - y0);
            raster.gray = image::imageops::rotate180(&band.to_image());
            raster.color = None;
            let (page, read) = super::read(
                raster,
                &LangSetting::Auto,
                &PrepareOptions::default(),
                &RecognizeOptions::default(),
                &mut engines,
            )
            .unwrap();
            assert_eq!(
                page.facts.turn,
                Turn::Half,
                "{file}: {:?}",
                page.facts.doubts
            );
            assert_eq!(read.langs.main(), Language::Khmer, "{file}");
        }
    }

    /// Latin print is never taken for Khmer upside down, either way up:
    /// read in Khmer its confidence means little, and none of its sample's
    /// segments reads as Khmer words. realdev's Vietnamese scans, as the
    /// page is read (prepared, `auto`), and turned half round.
    #[test]
    fn latin_print_is_not_taken_for_khmer_upside_down() {
        let mut engines = engines();
        for file in ["vie_namnqd_1.jpg", "vie_namnqd_5.jpg", "vie_namnqd_7.jpg"] {
            let mut raster = crate::raster::realdev(file);
            raster.color = None;
            let mut page = prepare(
                raster,
                &LangSetting::Auto,
                &PrepareOptions::default(),
                &mut engines,
            )
            .unwrap();
            for _ in 0..2 {
                let found = upside_down_khmer(&page, Some(Detected::LATIN), &mut engines).unwrap();
                assert_eq!(found, None, "{file} turned {:?}", page.facts.turn);
                page.turn_by(Turn::Half);
            }
        }
    }

    /// Real scans stored a quarter turned are turned upright by the
    /// sideways check. realdev's Khmer notice khm_phonsobon_3 stored at
    /// 270° read at 47 turned the right way when that way's sample was the
    /// other way's sheet turned half round (the lines' ends), under the 50
    /// a turn needed, and was not turned; from its own line beginnings it
    /// reads at 81. vie_namnqd_1 is the other way about (79 from the ends,
    /// 29 from its beginnings), so both sheets are read.
    #[test]
    fn real_scans_lying_sideways_are_turned_upright() {
        let mut engines = engines();
        for (file, lang, stored_by_quarters, turn) in [
            ("khm_phonsobon_3.jpg", "khm", 1, Turn::ThreeQuarters),
            ("vie_namnqd_1.jpg", "vie", 1, Turn::ThreeQuarters),
            ("vie_namnqd_1.jpg", "vie", 3, Turn::Quarter),
        ] {
            let mut raster = crate::raster::realdev(file);
            for _ in 0..stored_by_quarters {
                raster.gray = image::imageops::rotate90(&raster.gray);
            }
            raster.color = None;
            let lang = LangSetting::parse(lang).unwrap();
            let page = prepare(raster, &lang, &PrepareOptions::default(), &mut engines).unwrap();
            assert_eq!(page.facts.turn, turn, "{file}: {:?}", page.facts.doubts);
        }
    }

    /// A quarter turn reads clearly at 50, or, read in the page's own
    /// language, at 30 and 15 better than the other way (realdev's Khmer
    /// notices at 90° and 270°: 42-49 against 15-19; its line crop 34
    /// against 0).
    #[test]
    fn a_quarter_turn_reads_clearly_at_50_or_well_ahead_of_the_other_way() {
        let q = |best, other| Quarters {
            best,
            turn: Turn::Quarter,
            other,
        };
        assert!(q(50.0, 45.0).clear(true));
        assert!(q(42.2, 18.3).clear(true));
        assert!(q(33.6, 0.0).clear(true));
        assert!(!q(42.2, 30.0).clear(true));
        assert!(!q(29.5, 0.0).clear(true));
        // Under `auto`, 50 alone (the striped upside-down page: 34 and 17).
        assert!(q(50.0, 45.0).clear(false));
        assert!(!q(34.0, 17.2).clear(false));
        // And 15 over the page as it stands.
        assert!(q(50.0, 45.0).turns(35.0, false));
        assert!(!q(50.0, 45.0).turns(35.1, false));
        assert!(q(42.2, 18.3).turns(27.2, true));
        assert!(!q(42.2, 18.3).turns(27.2, false));
    }

    /// A page read as it lies sideways (its lines running down the page) is
    /// not read again line by line in the other script: `read` turns it and
    /// reads it again. Upright, the same page is. (A real scan: Tesseract
    /// reads a rendered page's lines lying sideways as short pieces across.)
    #[test]
    fn a_reading_of_a_sideways_page_is_not_read_again() {
        let raster = crate::raster::realdev("vie_namnqd_5.jpg");
        let mut engines = engines();
        let mut rereads = Vec::new();
        for turn in [Turn::None, Turn::Quarter] {
            let opts = PrepareOptions {
                forced_turn: Some(turn),
                ..PrepareOptions::default()
            };
            let mut page =
                prepare(raster.clone(), &LangSetting::Auto, &opts, &mut engines).unwrap();
            let read = recognize(
                &mut page,
                &LangSetting::Auto,
                &RecognizeOptions::default(),
                &mut engines,
            )
            .unwrap();
            assert_eq!(
                lines_run_down(&read.text),
                turn == Turn::Quarter,
                "{turn:?}"
            );
            rereads.push(read.timings.0.iter().any(|(step, _)| *step == "reread"));
        }
        assert_eq!(rereads, [true, false]);
    }

    /// Text printed light on dark (a coloured box, a cover's band) is read:
    /// three of a sample's lines printed light on a dark band, the page
    /// still reads as its ground truth says. Tesseract inverts such lines
    /// itself; diachi's own inversion of dark regions was tried and removed,
    /// as it changed nothing here. This holds background normalisation,
    /// page finding and the noise filter to it.
    #[test]
    fn light_text_on_dark_is_read() {
        let (mut raster, truth) = sample("can-tho-1925/2.png");
        // Straight first, so that the band holds whole lines, as a printed
        // box does.
        raster.gray = crate::deskew::deskew(raster.gray, None, 15.0, 0.1, None).gray;
        let lines = script::text_lines(&raster.gray);
        assert!(lines.len() >= 7, "{lines:?}");
        let k = 2;
        let top = (lines[k - 1].1 + lines[k].0) / 2;
        let bottom = (lines[k + 2].1 + lines[k + 3].0) / 2;
        let w = raster.gray.width();
        for y in top..bottom {
            for x in w / 20..w - w / 20 {
                let p = raster.gray.get_pixel_mut(x, y);
                p[0] = 255 - p[0] / 2 - 100;
            }
        }
        raster.color = None;
        raster.bilevel = false;
        let lang = LangSetting::parse("vie").unwrap();
        let mut engines = engines();
        let mut page = prepare(raster, &lang, &PrepareOptions::default(), &mut engines).unwrap();
        let read = recognize(&mut page, &lang, &RecognizeOptions::default(), &mut engines).unwrap();
        let found = words_found(&read.text, &truth);
        assert!(found > 0.9, "{found}\n{}", read.text.plain_text());
    }

    /// A 1-bit scan found on a black ground stays 1-bit, so the PDF stores
    /// it losslessly (G4), even when it was taken at an angle and is warped
    /// square (the warp blends edges to grey). Here the page narrows
    /// towards its top, as a book shot from below its foot does.
    #[test]
    fn a_bilevel_page_warped_square_stays_bilevel() {
        let (raster, _) = sample("cong-bao-1930/1.tif");
        assert!(raster.bilevel);
        let (w, h) = raster.gray.dimensions();
        let (cw, ch) = (w + 300, h + 300);
        let gray = GrayImage::from_fn(cw, ch, |x, y| {
            // 12% narrower at the top than at the bottom, nearest pixel.
            let (sy, cx) = (y as f32 - 150.0, cw as f32 / 2.0);
            let narrow = 1.0 - 0.12 * (1.0 - sy / h as f32);
            let sx = (x as f32 - cx) / narrow + w as f32 / 2.0;
            if sy < 0.0 || sy >= h as f32 || sx < 0.0 || sx >= w as f32 {
                return image::Luma([0]);
            }
            *raster.gray.get_pixel(sx as u32, sy as u32)
        });
        let bordered = Raster { gray, ..raster };
        let lang = LangSetting::parse("vie").unwrap();
        // Deskew and dewarp, which threshold again after themselves, off.
        let opts = PrepareOptions {
            deskew: false,
            dewarp: false,
            ..Default::default()
        };
        let page = prepare(bordered, &lang, &opts, &mut engines()).unwrap();
        let found = page.facts.page.expect("a page found");
        assert!(found.corners.is_some(), "not warped: {found:?}");
        assert!(crate::raster::is_bilevel(&page.gray));
    }

    /// With `auto`, a Khmer sample is found to be Khmer and read as a block;
    /// nothing is turned, and the resolution is the file's.
    #[test]
    fn a_khmer_sample_is_found_and_read() {
        let lang = LangSetting::Auto;
        let mut engines = engines();
        let (raster, truth) = sample("wat-khleang/scan_1.png");
        let mut page = prepare(raster, &lang, &PrepareOptions::default(), &mut engines).unwrap();
        let read = recognize(&mut page, &lang, &RecognizeOptions::default(), &mut engines).unwrap();
        assert_eq!(page.facts.turn, Turn::None);
        assert_eq!(page.facts.resolution.source, resolution::DpiSource::File);
        assert_eq!(read.langs.tesseract(), "khm");
        assert_eq!(read.segmentation, Segmentation::Block);
        let found = words_found(&read.text, &truth);
        assert!(found > 0.8, "{found}\n{}", read.text.plain_text());
    }

    /// A line crop is read as one line, never turned, whatever its shape.
    #[test]
    fn a_line_crop_is_read_as_a_line_and_never_turned() {
        let (raster, _) = sample("can-tho-1925/1.tif");
        let line = image::imageops::crop_imm(&raster.gray, 150, 170, 1400, 70).to_image();
        let crop = Raster {
            gray: line,
            color: None,
            ..raster
        };
        let lang = LangSetting::parse("vie").unwrap();
        let mut engines = engines();
        for g in [crop.gray.clone(), image::imageops::rotate90(&crop.gray)] {
            let r = Raster {
                gray: g,
                ..crop.clone()
            };
            let page = prepare(r, &lang, &PrepareOptions::default(), &mut engines).unwrap();
            assert_eq!(page.facts.turn, Turn::None);
        }
        assert_eq!(Segmentation::choose(&crop.gray), Segmentation::SingleLine);
    }

    /// `raster` with its pixels replaced by `gray`, a gray (not 1-bit)
    /// capture, prepared for Vietnamese with the default options.
    fn prepare_as_gray(raster: Raster, gray: GrayImage) -> Prepared {
        let raster = Raster {
            gray,
            bilevel: false,
            ..raster
        };
        let lang = LangSetting::parse("vie").unwrap();
        prepare(raster, &lang, &PrepareOptions::default(), &mut engines()).unwrap()
    }

    /// Page finding masks for OCR only. A photograph bleeding off the page
    /// into a flatbed's black lid is one dark region with the lid, and the
    /// mask covers both (tesseract-ocr's test scan 8071_093.3B); the PDF's
    /// picture keeps the photograph, in step with the gray page OCR reads.
    #[test]
    fn a_photograph_the_mask_covers_is_kept_for_the_pdf() {
        let (raster, _) = sample("can-tho-1925/1.tif");
        let (w, h) = raster.gray.dimensions();
        let band = h / 6;
        // The page, a black lid band below it, and a "photograph" (a
        // textured dark block) in the page's bottom left corner, touching
        // the capture's left edge and the band.
        let (px1, py0) = (w / 5, h * 3 / 4);
        let photo = |x: u32, y: u32| x < px1 && (py0..h).contains(&y);
        let gray = GrayImage::from_fn(w, h + band, |x, y| {
            if y >= h {
                image::Luma([12])
            } else if photo(x, y) {
                image::Luma([30 + ((x / 9 + y / 7) % 9) as u8 * 10])
            } else {
                *raster.gray.get_pixel(x, y)
            }
        });
        let page = prepare_as_gray(raster, gray);
        let found = page.facts.page.expect("a page found");
        assert!(found.masked > 0.0, "{found:?}");
        let shown = page.shown_gray();
        assert_eq!(shown.dimensions(), page.gray.dimensions());
        assert!(page.color().is_none());
        // The photograph's middle, in the prepared page's pixels (cropped
        // by `found`; straight, so not rotated).
        let (cx, cy) = (px1 / 2 - found.crop.x, (py0 + h) / 2 - found.crop.y);
        let mean = |img: &GrayImage| {
            let area = (cx - 40..cx + 40).flat_map(|x| (cy - 40..cy + 40).map(move |y| (x, y)));
            area.map(|(x, y)| img.get_pixel(x, y)[0] as u32)
                .sum::<u32>()
                / 6400
        };
        assert!(
            mean(&page.gray) > 200,
            "OCR's page masked: {}",
            mean(&page.gray)
        );
        assert!(mean(shown) < 140, "the PDF's picture kept: {}", mean(shown));
    }

    /// Background normalisation is for OCR only, as OCRmyPDF's `--clean`:
    /// the PDF keeps a shaded page's shade (and a photograph's darks).
    #[test]
    fn the_pdf_keeps_the_page_as_scanned_where_ocr_reads_it_cleaned() {
        let (raster, _) = sample("can-tho-1925/1.tif");
        let (w, h) = raster.gray.dimensions();
        // Lamp light falling off to 55% at the left edge.
        let gray = GrayImage::from_fn(w, h, |x, y| {
            let light = 0.55 + 0.45 * x as f32 / w as f32;
            image::Luma([(raster.gray.get_pixel(x, y)[0] as f32 * light) as u8])
        });
        let page = prepare_as_gray(raster, gray);
        let shown = page.shown_gray();
        assert_eq!(shown.dimensions(), page.gray.dimensions());
        // The left tenth, where the shade is deepest.
        let mean = |img: &GrayImage| {
            let (w, h) = img.dimensions();
            let sum: u64 = (0..w / 10)
                .flat_map(|x| (0..h).map(move |y| (x, y)))
                .map(|(x, y)| u64::from(img.get_pixel(x, y)[0]))
                .sum();
            sum / u64::from(w / 10 * h)
        };
        assert!(
            mean(&page.gray) > 220,
            "OCR's page cleaned: {}",
            mean(&page.gray)
        );
        assert!(
            mean(shown) < 170,
            "the PDF's page as scanned: {}",
            mean(shown)
        );
    }
}
