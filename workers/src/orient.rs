//! Orientation: pages scanned sideways or upside down.
//!
//! Two signals, each used where it is reliable and cheap:
//! - text-line direction: ink projected onto rows piles up into lines far
//!   more than ink projected onto columns when the lines run across the page,
//!   and the other way round when they run down it (each taken at its best
//!   angle, so skew does not blur it). This tells 0/180 from 90/270 for any
//!   script, on a reduced copy, in a few milliseconds.
//! - recognition confidence, upright against turned half round, on a small
//!   sample of the page's text lines in the page's own language. Tesseract's
//!   OSD is weak on Khmer (it reports Latin script and has read a 270° page as
//!   90°), while reading the page's language works for both scripts. It is
//!   asked only when the page's OCR came back with low confidence, so an
//!   upright page costs nothing.

use crate::ocr::Engine;
use crate::Result;
use image::GrayImage;

/// Column score over row score above which a page is taken as sideways.
const SIDEWAYS_RATIO: f64 = 1.0;

/// Whether the text lines run down the page (a page scanned at 90 or 270°).
pub fn is_sideways(gray: &GrayImage, dpi: u32) -> bool {
    let (r, c) = crate::deskew::line_scores(gray, 15.0, dpi);
    // Upright pages scored columns at 0.5-0.88 of rows and sideways ones at
    // 1.18-2.05 (full and short pages, newspapers, Vietnamese and Khmer,
    // clean and degraded: orient_probe on bench/language.py's pages and the
    // samples); the cut is between. Since the line peakiness
    // ([`crate::deskew::line_scores`]), real captures as page finding leaves
    // them (realdev, tesseract-ocr/test's two book scans, the samples)
    // score 0.43-0.79 upright and 1.25-2.37 turned a quarter.
    c > SIDEWAYS_RATIO * r
}

/// The up/down decision on a sample of the page's lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UpDown {
    pub upside_down: bool,
    /// Mean word confidence of the sample as it is, and turned 180°.
    pub upright_confidence: f32,
    pub turned_confidence: f32,
}

impl UpDown {
    /// How sure the decision is: the gap between the two confidences (0-100).
    pub fn margin(&self) -> f32 {
        (self.upright_confidence - self.turned_confidence).abs()
    }
}

/// A margin (0-100) under which an up/down decision is unsure; the report
/// flags such pages (`report.orientation_margin` has the same default).
pub const SURE_MARGIN: f32 = 15.0;

/// How well a sample sheet reads: the mean word confidence, scaled down
/// when fewer than three words come back (few or no words reads as no
/// confidence at all).
fn score(sheet: &GrayImage, dpi: u32, engine: &Engine) -> Result<f32> {
    Ok(confidence_score(&engine.recognize(sheet, dpi)?))
}

/// The score of a sample's reading for the up/down check: its mean word
/// confidence, scaled down when fewer than three words came back.
pub fn confidence_score(t: &crate::text::PageText) -> f32 {
    t.mean_confidence().unwrap_or(0.0) * (t.words().count().min(3) as f32 / 3.0)
}

/// Reads a sample of the page's lines as they are and turned 180°, with the
/// page's own engine. `None` when the page has no text lines.
pub fn up_or_down(gray: &GrayImage, dpi: u32, engine: &Engine) -> Result<Option<UpDown>> {
    let Some(sheet) = crate::script::sample_sheet(gray, crate::script::ORIENTATION_SAMPLE) else {
        return Ok(None);
    };
    let upright = score(&sheet.image, dpi, engine)?;
    let turned = score(&image::imageops::rotate180(&sheet.image), dpi, engine)?;
    Ok(Some(UpDown {
        // Turned only when sure: an unsure page is left as it is and
        // flagged (a 45-dpi spread, whose text no model can read, was
        // turned upside down at a margin of 11.6).
        upside_down: turned >= upright + SURE_MARGIN,
        upright_confidence: upright,
        turned_confidence: turned,
    }))
}

/// How well a sheet reads as text, for telling a page's direction:
/// [`text_score`] of its reading.
pub fn read_score(sheet: &GrayImage, dpi: u32, engine: &Engine) -> Result<f32> {
    Ok(text_score(&engine.recognize(sheet, dpi)?))
}

/// How well a reading reads as text: the mean word confidence, scaled down
/// when words average under three letters. Text read across its lines
/// comes back as many one- or two-character "words" (marks, digits, single
/// letters) at a confidence of 40-50; real words, in Vietnamese or Khmer,
/// average three letters or more.
pub fn text_score(t: &crate::text::PageText) -> f32 {
    let words = t.words().count();
    let letters: usize = t
        .words()
        .map(|w| w.text.chars().filter(|c| c.is_alphabetic()).count())
        .sum();
    let per_word = letters as f32 / words.max(1) as f32;
    t.mean_confidence().unwrap_or(0.0) * (per_word / 3.0).min(1.0)
}

/// How well a sample of the page's lines reads as the page stands (0 when
/// no line is found).
pub fn sample_score(gray: &GrayImage, dpi: u32, engine: &Engine) -> Result<f32> {
    match crate::script::sample_sheet(gray, crate::script::SIDEWAYS_SAMPLE) {
        Some(sheet) => read_score(&sheet.image, dpi, engine),
        None => Ok(0.0),
    }
}

/// How well a sample of `quarter` (the page turned a quarter clockwise)
/// reads as it is and turned half round: the scores of the page turned 90°
/// and 270° clockwise. When `enough` says the first score settles it, the
/// second is not read (and is 0).
///
/// One sheet, cut from the beginnings of `quarter`'s lines, is read as it
/// is and turned half round. Turned, it shows the lines' ends: a ragged
/// margin, a seal, a signature. Unless `settled` says those two scores
/// settle it, a second sheet is cut from the beginnings of the lines of
/// `quarter` turned half round, and read both ways too; each way keeps its
/// better score. On realdev stored at 270°, vie_namnqd_5 read at 43 from
/// the first sheet's ends and 75 from its own beginnings, the Khmer notices
/// khm_phonsobon_3 and _5 at 44 and 23 against 81 and 58; none was turned.
/// vie_namnqd_1 reads better from its ends (79 against 29, rotated in
/// memory), so neither sheet alone will do.
pub fn turned_scores(
    quarter: &GrayImage,
    dpi: u32,
    engine: &Engine,
    enough: impl Fn(f32) -> bool,
    settled: impl Fn(f32, f32) -> bool,
) -> Result<(f32, f32)> {
    let Some(sheet) = crate::script::sample_sheet(quarter, crate::script::SIDEWAYS_SAMPLE) else {
        return Ok((0.0, 0.0));
    };
    let cw = read_score(&sheet.image, dpi, engine)?;
    if enough(cw) {
        return Ok((cw, 0.0));
    }
    let ccw = read_score(&image::imageops::rotate180(&sheet.image), dpi, engine)?;
    if settled(cw, ccw) {
        return Ok((cw, ccw));
    }
    let half = image::imageops::rotate180(quarter);
    let Some(other) = crate::script::sample_sheet(&half, crate::script::SIDEWAYS_SAMPLE) else {
        return Ok((cw, ccw));
    };
    Ok((
        cw.max(read_score(
            &image::imageops::rotate180(&other.image),
            dpi,
            engine,
        )?),
        ccw.max(read_score(&other.image, dpi, engine)?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// Lines of "words" across a page.
    fn page() -> GrayImage {
        let mut img = GrayImage::from_pixel(1000, 1400, Luma([255]));
        for line in 0..25u32 {
            let y0 = 100 + line * 48;
            let mut x = 80;
            let mut k = line;
            while x < 900 {
                let len = 25 + (k * 37 % 60);
                for y in y0..y0 + 20 {
                    for xx in (x..(x + len).min(920)).step_by(2) {
                        img.put_pixel(xx, y, Luma([10]));
                    }
                }
                x += len + 14;
                k += 5;
            }
        }
        img
    }

    #[test]
    fn sideways_pages_are_recognised() {
        let p = page();
        assert!(!is_sideways(&p, 150));
        assert!(!is_sideways(&image::imageops::rotate180(&p), 150));
        assert!(is_sideways(&image::imageops::rotate90(&p), 150));
        assert!(is_sideways(&image::imageops::rotate270(&p), 150));
    }

    /// Every orientation of a real Khmer and a real Vietnamese page (from
    /// samples/) is brought back upright by the two signals together.
    #[test]
    fn each_orientation_gets_the_right_correction() {
        let tessdata = crate::ocr::find_tessdata().expect("tessdata installed");
        let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/batch");
        for (file, lang) in [
            ("wat-khleang/scan_1.png", "khm"),
            ("can-tho-1925/1.tif", "vie"),
        ] {
            let upright = image::open(samples.join(file)).unwrap().to_luma8();
            let engine = crate::ocr::Engine::new(&tessdata, lang, 6).unwrap();
            // The page as scanned, turned counter-clockwise by `turn`.
            for turn in [0u32, 90, 180, 270] {
                let scanned = match turn {
                    90 => image::imageops::rotate270(&upright),
                    180 => image::imageops::rotate180(&upright),
                    270 => image::imageops::rotate90(&upright),
                    _ => upright.clone(),
                };
                let mut correction = 0;
                let mut page = scanned;
                if is_sideways(&page, 300) {
                    correction = 90;
                    page = image::imageops::rotate90(&page);
                }
                let ud = up_or_down(&page, 300, &engine).unwrap().unwrap();
                if ud.upside_down {
                    correction += 180;
                }
                assert_eq!(correction, turn, "{file} turned {turn}: {ud:?}");
                assert!(ud.margin() > 15.0, "{file} turned {turn}: {ud:?}");
            }
        }
    }

    fn sample(file: &str) -> GrayImage {
        let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/batch");
        image::open(samples.join(file)).unwrap().to_luma8()
    }

    /// A full page of Khmer: the sample's five lines stacked four times down
    /// an A5 page, a text block taller than wide. Its ink piles into fewer
    /// columns than rows, which turned it sideways when the scores were raw
    /// sums of squares.
    #[test]
    fn a_full_khmer_page_is_upright() {
        let block =
            image::imageops::crop_imm(&sample("wat-khleang/scan_1.png"), 170, 180, 1190, 500)
                .to_image();
        let mut page = GrayImage::from_pixel(1748, 2480, Luma([255]));
        for i in 0..4 {
            image::imageops::replace(&mut page, &block, 180, 180 + i * 500);
        }
        assert!(!is_sideways(&page, 300));
        assert!(is_sideways(&image::imageops::rotate90(&page), 300));
        assert!(is_sideways(&image::imageops::rotate270(&page), 300));
    }

    /// A four-column newspaper page whose columns' lines do not line up:
    /// each column repeats one sample's text block, and the blocks' line
    /// pitches differ. Across the whole page the line gaps of one column
    /// fill those of the next (the column/row ratio is 1.01 there), so rows
    /// are scored within strips about a column wide (0.78).
    #[test]
    fn a_newspaper_with_unaligned_columns_is_upright() {
        // File and the rows its text block spans.
        let sources = [
            ("can-tho-1925/1.tif", 179, 812),
            ("wat-khleang/scan_1.png", 189, 672),
            ("cong-bao-1930/1.tif", 177, 581),
            ("can-tho-1925/2.png", 175, 705),
        ];
        let mut page = GrayImage::from_pixel(4 * 600 + 200, 2000, Luma([255]));
        for (i, (file, y0, y1)) in sources.into_iter().enumerate() {
            let block = image::imageops::crop_imm(&sample(file), 170, y0, 560, y1 - y0).to_image();
            let mut y = 100 + 37 * i as i64;
            while y + i64::from(block.height()) < 1900 {
                image::imageops::replace(&mut page, &block, 100 + 600 * i as i64, y);
                y += i64::from(block.height());
            }
        }
        assert!(!is_sideways(&page, 300));
        assert!(is_sideways(&image::imageops::rotate90(&page), 300));
    }

    #[test]
    fn blank_page_is_upright() {
        assert!(!is_sideways(
            &GrayImage::from_pixel(300, 400, Luma([255])),
            300
        ));
    }
}
