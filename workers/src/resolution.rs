//! Resolution from the text itself. Phone photos carry no resolution, or a
//! false one (72 dpi), and Tesseract reads best when the body text has a
//! certain size in pixels. Both come from one measure: the x-height, the
//! height of a line's core (the rows where the line's ink is densest,
//! without ascenders, descenders, tone marks or Khmer subscripts).

use image::GrayImage;
use serde::{Deserialize, Serialize};

/// An x-height of body text in inches: 12-point type (books set 10-12,
/// Vietnamese official documents 13-14) with an x-height of 0.47 em
/// (Times, Noto Serif and Khmer OS body text measure 0.45-0.5).
const BODY_X_HEIGHT_INCHES: f32 = 12.0 / 72.0 * 0.47;

/// Where a page's resolution came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DpiSource {
    /// Declared by the file and consistent with the text.
    File,
    /// The file declared none and no text could be measured: the default.
    Assumed,
    /// Estimated from the measured x-height, taking it to be body text
    /// (the file declared none, or one the text contradicts).
    Text,
}

/// The resolution a page is described with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Resolution {
    /// Pixels per inch, horizontal and vertical.
    pub dpi: (f32, f32),
    pub source: DpiSource,
    /// The median x-height of the page's text lines, in pixels, when measured.
    pub x_height: Option<f32>,
}

/// The median x-height of the text lines of a (deskewed) page, in pixels;
/// `None` without text lines.
pub fn x_height(gray: &GrayImage) -> Option<f32> {
    let t = crate::deskew::otsu(gray);
    let w = gray.width() as usize;
    let counts: Vec<u32> = gray
        .as_raw()
        .chunks(w)
        .map(|r| {
            let ink = crate::deskew::count_below(r, t);
            // A row inked across most of the page, or with a tenth of the
            // page's width in long runs, is a rule (a table's, a form's),
            // not text: it would make a line's core a few rows high. Runs
            // are looked for only in a row with that much ink.
            if ink * 10 > w * 7 || (ink * 10 > w && in_long_runs(r, t, w / RULE_RUN) * 10 > w) {
                0
            } else {
                ink as u32
            }
        })
        .collect();
    let bands: Vec<(usize, usize)> = crate::script::text_lines_at(gray, t)
        .into_iter()
        .map(|(y0, y1)| (y0 as usize, y1 as usize))
        .collect();
    // A band of tone marks or ascenders alone (text_lines cuts them off a
    // line to part touching lines) is no line: its densest row has a small
    // share of a line's ink.
    let peaks: Vec<u32> = bands
        .iter()
        .map(|&(y0, y1)| counts[y0..y1].iter().copied().max().unwrap_or(0))
        .collect();
    let mut sorted = peaks.clone();
    sorted.sort_unstable();
    let line_peak = sorted.get(sorted.len() * 9 / 10).copied().unwrap_or(0);
    // A band reaches into the inked rows around it, up to its neighbours:
    // a line whose marks were cut off is its core alone, and would look
    // dense all the way down (a border's shape, refused by line_core).
    let inked = (w / 200).max(2) as u32;
    let mut cores: Vec<usize> = Vec::new();
    for (i, &(y0, y1)) in bands.iter().enumerate() {
        if peaks[i] * 2 < line_peak {
            continue;
        }
        let above = if i == 0 { 0 } else { bands[i - 1].1 };
        let below = bands.get(i + 1).map_or(counts.len(), |b| b.0);
        let mut top = y0;
        while top > above && counts[top - 1] >= inked {
            top -= 1;
        }
        let mut bottom = y1;
        while bottom < below && counts[bottom] >= inked {
            bottom += 1;
        }
        cores.extend(line_core(&counts[top..bottom]));
    }
    cores.sort_unstable();
    cores.get(cores.len() / 2).map(|&c| c as f32)
}

/// A dark run longer than the page's width over this is part of a rule,
/// not of text: no letter's stroke runs a 25th of a page.
const RULE_RUN: usize = 25;

/// How much of one row's ink (pixels under `t`) lies in runs longer than
/// `longest` pixels: rules. The whole-row test alone misses a
/// rule that does not run across most of the page, or runs across two rows
/// at a slant: in a photographed table (page_dewarp's
/// linguistics_thesis_b) the rules' rows, at 57-84% of the width, were the
/// densest of the page; the text lines, at 30%, then fell under half of
/// those and were passed over, and the x-height came out 8 px (the rules'
/// thickness) against the text's 29.
fn in_long_runs(row: &[u8], t: u8, longest: usize) -> usize {
    let (mut in_runs, mut run) = (0, 0);
    for &p in row.iter().chain([&u8::MAX]) {
        if p < t {
            run += 1;
        } else {
            if run > longest {
                in_runs += run;
            }
            run = 0;
        }
    }
    in_runs
}

/// The core height of one text line, from its ink per row (`band`, top to
/// bottom): the rows holding at least half the ink of its densest row.
/// `None` unless that is a text line's: at least 3 rows, and at most three
/// quarters of the band (ascenders, descenders and marks lie outside a
/// line's core; a band dense all the way down is a dark border, a shadow
/// or a picture, not text).
pub(crate) fn line_core<T: Copy + Into<f64>>(band: &[T]) -> Option<usize> {
    let max = band.iter().map(|&c| c.into()).fold(0f64, f64::max);
    let core = band.iter().filter(|&&c| c.into() * 2.0 >= max).count();
    (core >= 3 && core * 4 <= band.len() * 3).then_some(core)
}

/// The page's resolution: the file's, unless it declared none, or a
/// screen resolution (96 dpi or less, what cameras and screenshots write)
/// at which the text would be over two and a half times body size; then the
/// text's estimate. A scanner's declared resolution is always kept: large
/// print on a title page is no reason to doubt it.
pub fn resolve(declared: Option<(f32, f32)>, default: f32, x_height: Option<f32>) -> Resolution {
    // Outside 75-600 dpi the "text" measured is more likely a border, a
    // shadow or a picture than body text: no estimate.
    let estimate = x_height
        .map(|x| (x / BODY_X_HEIGHT_INCHES).round())
        .filter(|e| (75.0..=600.0).contains(e));
    let (dpi, source) = match (declared, estimate) {
        (Some(d), Some(e)) if d.1 <= 96.0 && d.1 * 2.5 < e => ((e, e), DpiSource::Text),
        (Some(d), _) => (d, DpiSource::File),
        (None, Some(e)) => ((e, e), DpiSource::Text),
        (None, None) => ((default, default), DpiSource::Assumed),
    };
    Resolution {
        dpi,
        source,
        x_height,
    }
}

/// The smallest x-height, in pixels, that Tesseract reads as well as it
/// can. Measured with plain `tesseract` on real scans with ground truth
/// (../shared/realdev vie_namnqd_5 and khm_phonsobon_1) shrunk to each
/// x-height, then enlarged again: at 6 px the CER was 0.123 (vie) and 0.207
/// (khm), enlarged 2-3 times 0.082-0.087; at 8-12 px enlarging changed it by
/// under 0.01 either way. On the ruled Khmer table khm_phonsobon_5, whose
/// digits are about 10 px high, enlarging 2.7 times found 17 of 18 sampled
/// numbers against 11.
pub const MIN_OCR_X_HEIGHT: f32 = 10.0;

/// The x-height, in pixels, a page of large text is brought down to for
/// OCR. Tesseract's recognizer scales every line to a fixed height anyway;
/// what a larger page costs is its layout analysis and binarisation, which
/// go with the pixels. Measured with plain `tesseract` on the real scans
/// with ground truth (realdev vie_namnqd_5 and khm_phonsobon_1, x-height
/// 19-21 px; tesseract-ocr/test 8071_093.3B and 8087_054.3B, and
/// OCRmyPDF's linn, English): reduced to 0.7 (x-height 13-15 px) every CER
/// stayed within 0.01 of the full page's (vie 0.072 -> 0.074, khm 0.095 ->
/// 0.088), and the English pages read in 18-35% less CPU; at 0.6 (11-12 px)
/// Vietnamese lost 0.010 and Khmer 0.039. 20 px keeps a margin of 1.4 over
/// where reading held.
pub const REDUCED_OCR_X_HEIGHT: f32 = 20.0;

/// The least resolution a page is reduced to for OCR: what Tesseract's
/// documentation asks for, and at least what the realdev scanners gave
/// (230-270 dpi). It bounds the reduction when the measured "x-height" is
/// not the body text's.
pub const REDUCED_OCR_MIN_DPI: f32 = 300.0;

/// The factor to scale a page by before OCR.
///
/// - Small text is enlarged until its x-height reaches
///   [`MIN_OCR_X_HEIGHT`]: brought to 16 px, never more than 3 times.
/// - A page whose file declares over [`REDUCED_OCR_MIN_DPI`] (a 400- or
///   600-dpi archival scan) is reduced until its x-height is
///   [`REDUCED_OCR_X_HEIGHT`], but never below [`REDUCED_OCR_MIN_DPI`],
///   and only when that takes a tenth off or more.
///   Only a declared resolution allows it: on real photos (no resolution,
///   or 72 dpi) a large "x-height" is as often a border or a shadow as
///   large text, and reducing by it destroyed pages.
/// - Otherwise 1, as when no text was measured.
pub fn ocr_scale(resolution: &Resolution) -> f32 {
    let dpi = resolution.dpi.0.min(resolution.dpi.1);
    match resolution.x_height {
        Some(x) if x < MIN_OCR_X_HEIGHT => (16.0 / x).min(3.0),
        Some(x)
            if resolution.source == DpiSource::File
                && dpi > REDUCED_OCR_MIN_DPI
                && x > REDUCED_OCR_X_HEIGHT =>
        {
            let scale = (REDUCED_OCR_X_HEIGHT / x).max(REDUCED_OCR_MIN_DPI / dpi);
            // Less than a tenth off saves little, and still changes what
            // Tesseract is given.
            if scale > 0.9 {
                1.0
            } else {
                scale
            }
        }
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A line of `count` "letters" 9 px wide, `pitch` apart from x = 50:
    /// a core `x` rows high standing on `base`, with an ascender every
    /// third letter.
    fn letters(img: &mut GrayImage, base: u32, x: u32, count: u32, pitch: u32) {
        for k in 0..count {
            let x0 = 50 + k * pitch;
            let top = if k % 3 == 0 {
                base - x - x / 2
            } else {
                base - x
            };
            for y in top..base {
                for xx in x0..x0 + 9 {
                    img.put_pixel(xx, y, Luma([0]));
                }
            }
        }
    }

    /// Eight lines of letters, their cores `x` rows high.
    fn page(x: u32) -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 1000, Luma([255]));
        for line in 0..8 {
            letters(&mut img, 100 + line * 3 * x + x, x, 60, 18);
        }
        img
    }

    #[test]
    fn x_height_is_the_core_not_the_ascenders() {
        for x in [10, 20, 32] {
            let m = x_height(&page(x)).unwrap();
            assert!((m - x as f32).abs() <= 1.0, "{x}: {m}");
        }
        assert_eq!(x_height(&GrayImage::from_pixel(50, 50, Luma([255]))), None);
    }

    /// A table: lines of letters at 30% of the width, each ruled close under
    /// by a rule 3 rows thick that falls a row every 260 px, so that no row
    /// of it is inked across 70% of the page (65% at most) but its densest
    /// rows are twice a text row's, as in a photographed table (page_dewarp's
    /// linguistics_thesis_b: 8 px measured for 29). Measured on the rules,
    /// the x-height is 4.
    #[test]
    fn a_tables_rules_are_not_its_text() {
        let (w, x) = (1200u32, 20u32);
        let mut img = GrayImage::from_pixel(w, 1000, Luma([255]));
        for line in 0..8 {
            let base = 100 + line * 4 * x + x;
            letters(&mut img, base, x, 38, 30);
            // Close under the line, as a cell's bottom rule is.
            let rule = base + 2;
            for xx in 20..1180 {
                let y0 = rule + (xx - 20) / 260;
                for y in y0..y0 + 3 {
                    img.put_pixel(xx, y, Luma([0]));
                }
            }
        }
        let m = x_height(&img).unwrap();
        assert!((m - x as f32).abs() <= 1.0, "{m}");
    }

    /// Four lines of a serif face as a 200-dpi render deskewed by 9° gave
    /// them (r020 of the benchmark mix): each line's core 14 rows of dense
    /// ink, with a band of tone marks above it and descender rows below,
    /// both sparse enough to be cut off the line (text_lines parts touching
    /// lines there). The core alone then looked dense all the way down and
    /// was refused, a band of marks was taken for a line, and the page was
    /// enlarged three times for OCR, which took 6 s instead of 0.4.
    #[test]
    fn a_line_whose_marks_are_cut_off_is_still_a_line() {
        let (w, x) = (1200u32, 14u32);
        let mut img = GrayImage::from_pixel(w, 600, Luma([255]));
        let mut ink_row = |y: u32, every: u32| {
            for px in (0..w).filter(|px| px % every == 0) {
                img.put_pixel(px, y, Luma([0]));
            }
        };
        for line in 0..4 {
            let top = 100 + line * 40;
            for y in top..top + 4 {
                ink_row(y, 20); // tone marks: 60 pixels a row
            }
            for y in top + 4..top + 7 {
                ink_row(y, 40); // the gap between marks and letters: 30
            }
            for y in top + 7..top + 7 + x {
                ink_row(y, 3); // the core: 400
            }
            for y in top + 7 + x..top + 10 + x {
                ink_row(y, 40); // descenders
            }
        }
        assert_eq!(x_height(&img), Some(x as f32));
    }

    #[test]
    fn the_file_wins_unless_the_text_contradicts_it() {
        // 23.5 px x-height is body text at 300 dpi.
        let r = resolve(Some((300.0, 300.0)), 300.0, Some(23.5));
        assert_eq!((r.dpi, r.source), ((300.0, 300.0), DpiSource::File));
        // A scanner's resolution is kept even when the text is large.
        let r = resolve(Some((150.0, 150.0)), 300.0, Some(60.0));
        assert_eq!((r.dpi, r.source), ((150.0, 150.0), DpiSource::File));
        // A phone photo that says 72 dpi.
        let r = resolve(Some((72.0, 72.0)), 300.0, Some(23.5));
        assert_eq!(r.source, DpiSource::Text);
        assert!((r.dpi.0 - 300.0).abs() < 2.0, "{:?}", r.dpi);
        let r = resolve(None, 300.0, Some(10.0));
        assert_eq!(r.source, DpiSource::Text);
        assert!((r.dpi.0 - 128.0).abs() < 2.0, "{:?}", r.dpi);
        let r = resolve(None, 300.0, None);
        assert_eq!((r.dpi, r.source), ((300.0, 300.0), DpiSource::Assumed));
    }

    /// A resolution declared by the file (`dpi`) or estimated from the text.
    fn res(dpi: f32, source: DpiSource, x: Option<f32>) -> Resolution {
        Resolution {
            dpi: (dpi, dpi),
            source,
            x_height: x,
        }
    }

    #[test]
    fn small_text_is_enlarged_for_ocr() {
        let file = |x| ocr_scale(&res(300.0, DpiSource::File, x));
        assert_eq!(file(Some(20.0)), 1.0);
        assert_eq!(file(None), 1.0);
        assert_eq!(file(Some(8.0)), 2.0);
        assert_eq!(file(Some(3.0)), 3.0);
        // Large text at 300 dpi stays as it is.
        assert_eq!(file(Some(80.0)), 1.0);
        // A "text" that would put the page beyond 600 dpi is no estimate.
        assert_eq!(resolve(None, 300.0, Some(80.0)).source, DpiSource::Assumed);
    }

    #[test]
    fn a_declared_high_resolution_is_reduced_for_ocr_but_not_below_300_dpi() {
        // 8-point text at 600 dpi (x-height 32 px) to 20 px.
        let s = ocr_scale(&res(600.0, DpiSource::File, Some(32.0)));
        assert!((s - 20.0 / 32.0).abs() < 1e-6, "{s}");
        // 12-point (47 px) would go to 20 px at 255 dpi: 300 instead.
        assert_eq!(ocr_scale(&res(600.0, DpiSource::File, Some(47.0))), 0.5);
        // ... but never below 300 dpi: a border taken for the text.
        assert_eq!(ocr_scale(&res(600.0, DpiSource::File, Some(400.0))), 0.5);
        assert_eq!(ocr_scale(&res(400.0, DpiSource::File, Some(31.0))), 0.75);
        // Text already near 20 px is left, as is a small-text page.
        assert_eq!(ocr_scale(&res(600.0, DpiSource::File, Some(20.0))), 1.0);
        assert_eq!(ocr_scale(&res(400.0, DpiSource::File, Some(22.0))), 1.0);
        assert_eq!(
            ocr_scale(&res(600.0, DpiSource::File, Some(6.0))),
            16.0 / 6.0
        );
        // Only a declared resolution: a photo's estimate, or the default,
        // never reduces a page, whatever it measured.
        assert_eq!(ocr_scale(&res(587.0, DpiSource::Text, Some(46.0))), 1.0);
        assert_eq!(ocr_scale(&res(600.0, DpiSource::Assumed, Some(46.0))), 1.0);
        assert_eq!(ocr_scale(&res(300.0, DpiSource::File, Some(46.0))), 1.0);
    }
}
