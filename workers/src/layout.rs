//! Lines that Tesseract's layout analysis dropped, found again. Mode 3
//! leaves pictures, stamps and signatures out, which is why diachi reads
//! pages with it, but on some pages it drops text lines too (whole
//! paragraphs of Khmer and skewed pages). Whatever ink no word covers is
//! read again as a block, and kept when it reads well. Columns need nothing
//! of their own: reading order ([`crate::order`]) reads each column whole.

use crate::ocr::Engine;
use crate::text::{BBox, PageText};
use crate::Result;
use image::GrayImage;

/// Mean word confidence (0-100) a line found again must reach: text read
/// as a block scores 70-95 on real scans, a stamp or a signature mostly
/// under 50.
const RECOVER_FROM: f32 = 60.0;

/// Finds text lines that Tesseract's layout analysis (mode 3) dropped (it
/// drops whole paragraphs of some Khmer and skewed pages) and reads them
/// with `engine` (mode 6), keeping what reads well. A line is dropped when
/// less than half of its ink, in a stretch of the line with no wide gap,
/// lies under words already read. The lines added are blocks of their own
/// at the end of `text` (reading order comes after); returns how many, and
/// where they start.
///
/// Mode 3 can also swallow a line into the words of its neighbours: a word
/// box two lines high, over ink it did not read. Such lines are taken out
/// first, so that their ink is read again with the rest; a line taken out
/// that nothing read well replaces is put back as it was.
pub fn recover_dropped(
    gray: &GrayImage,
    dpi: u32,
    text: &mut PageText,
    engine: &Engine,
) -> Result<Recovery> {
    let suspects = take_swollen_lines(text);
    let found = text.blocks.len();
    let blocks = read_dropped(gray, dpi, text, engine)?;
    let new: Vec<BBox> = text.blocks[text.blocks.len() - blocks..]
        .iter()
        .flat_map(|b| b.lines.iter().map(|l| l.bbox))
        .collect();
    for line in suspects {
        if !new.iter().any(|n| overlap(n, &line.bbox) > 0) {
            text.blocks.push(crate::text::Block {
                bbox: line.bbox,
                lines: vec![line],
            });
        }
    }
    Ok(Recovery {
        lines: new.len(),
        found,
    })
}

/// What [`recover_dropped`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recovery {
    /// Lines read again and kept.
    pub lines: usize,
    /// How many of the page's blocks, first in it, are Tesseract's layout's
    /// own; the blocks after them were added here.
    pub found: usize,
}

/// Takes out the lines holding a word more than 1.6 times the page's median
/// word height: a line mode 3 ran into its neighbour. (Words, not lines: on
/// a short page the swollen lines can be half the lines.)
fn take_swollen_lines(text: &mut PageText) -> Vec<crate::text::Line> {
    let Some(median) = text.median_word_height() else {
        return Vec::new();
    };
    let swollen = |l: &crate::text::Line| l.words.iter().any(|w| w.bbox.height() * 5 > median * 8);
    let mut taken = Vec::new();
    for block in &mut text.blocks {
        let (out, keep): (Vec<_>, Vec<_>) = block.lines.drain(..).partition(|l| swollen(l));
        taken.extend(out);
        block.lines = keep;
        if let Some(first) = block.lines.first() {
            block.bbox = block.lines.iter().fold(first.bbox, |b, l| b.union(&l.bbox));
        }
    }
    text.blocks.retain(|b| !b.lines.is_empty());
    taken
}

/// Reads the regions no word covers, keeping the lines that read well;
/// returns how many blocks were added at the end of `text`.
fn read_dropped(gray: &GrayImage, dpi: u32, text: &mut PageText, engine: &Engine) -> Result<usize> {
    let word_height = text.median_word_height().unwrap_or(0);
    let mut added = 0;
    for region in dropped_regions(gray, text) {
        // Lines are found by their densest rows; the marks above and the
        // signs below (Khmer stacks them deep) lie up to half a word's
        // height outside.
        let pad = (region.height() / 6).max(word_height / 2).max(4);
        let left = region.x0.saturating_sub(pad);
        let top = region.y0.saturating_sub(pad);
        let right = (region.x1 + pad).min(gray.width());
        let bottom = (region.y1 + pad).min(gray.height());
        let crop =
            image::imageops::crop_imm(gray, left, top, right - left, bottom - top).to_image();
        let mut read = engine.recognize(&crop, dpi)?;
        read.translate(left, top);
        let existing: Vec<BBox> = text.words().map(|w| w.bbox).collect();
        for mut block in read.blocks {
            block.lines.retain(|l| {
                let letters = l
                    .words
                    .iter()
                    .flat_map(|w| w.text.chars())
                    .filter(|c| c.is_alphabetic())
                    .count();
                l.mean_confidence().is_some_and(|c| c >= RECOVER_FROM)
                    && letters >= 3
                    && !l.words.iter().any(|w| {
                        existing
                            .iter()
                            .any(|e| overlap(e, &w.bbox) * 2 > area(&w.bbox))
                    })
            });
            if let Some(first) = block.lines.first() {
                block.bbox = block.lines.iter().fold(first.bbox, |b, l| b.union(&l.bbox));
                added += 1;
                text.blocks.push(block);
            }
        }
    }
    Ok(added)
}

/// The least share of a region's pixels that is ink (darker than the
/// page's Otsu threshold) for it to be read again. Text is dense: the 125
/// regions read again on the mix, realdev and the English captures that
/// held any line had 8.7-70% ink, most over 15%. A phone photo's desk
/// around the page, its specks and cracks in bands, had 3.8%
/// (linguistics_thesis_b: 4612x582 px read as 1156 words of garbage, none
/// kept, in 5.4 s, where the page's OCR took 1.8 s).
const MIN_REGION_INK: f64 = 0.05;

/// The regions [`recover_dropped`] reads again: stretches of text lines
/// that no word of `text` covers, joined into paragraphs, each at least
/// [`MIN_REGION_INK`] inked.
pub fn dropped_regions(gray: &GrayImage, text: &PageText) -> Vec<BBox> {
    let t = crate::deskew::otsu(gray);
    merge_regions(uncovered(gray, text, t))
        .into_iter()
        .filter(|r| ink_share(gray, r, t) >= MIN_REGION_INK)
        .collect()
}

/// The share of `region`'s pixels (a region of the page, as
/// [`uncovered`] finds them) darker than `t`.
fn ink_share(gray: &GrayImage, region: &BBox, t: u8) -> f64 {
    let (x0, x1) = (region.x0 as usize, region.x1 as usize);
    let ink: usize = gray
        .as_raw()
        .chunks(gray.width() as usize)
        .skip(region.y0 as usize)
        .take(region.height() as usize)
        .map(|row| crate::deskew::count_below(&row[x0..x1], t))
        .sum();
    ink as f64 / area(region).max(1) as f64
}

fn area(b: &BBox) -> u64 {
    u64::from(b.width()) * u64::from(b.height())
}

fn overlap(a: &BBox, b: &BBox) -> u64 {
    let w = a.x1.min(b.x1).saturating_sub(a.x0.max(b.x0));
    let h = a.y1.min(b.y1).saturating_sub(a.y0.max(b.y0));
    u64::from(w) * u64::from(h)
}

/// Stretches of text lines, found in the ink that no word of `text` covers:
/// the page with every word's box painted white, its remaining lines found
/// as a page's are, each cut where it has a gap of two line heights. Specks
/// (a band under half the page's median line height, or a stretch under two
/// of its own heights) are left out.
fn uncovered(gray: &GrayImage, text: &PageText, t: u8) -> Vec<BBox> {
    let mut rest = gray.clone();
    for b in text.words().map(|w| w.bbox) {
        for y in b.y0..b.y1.min(rest.height()) {
            for x in b.x0..b.x1.min(rest.width()) {
                rest.put_pixel(x, y, image::Luma([255]));
            }
        }
    }
    let line_height = text.median_line_height().unwrap_or(0);
    let w = gray.width() as usize;
    let raw = rest.as_raw();
    let mut out = Vec::new();
    for (y0, y1) in crate::script::text_lines(&rest) {
        let h = y1 - y0;
        if h * 2 < line_height {
            continue;
        }
        let mut ink = vec![false; w];
        for row in raw[y0 as usize * w..y1 as usize * w].chunks(w) {
            for (i, &p) in ink.iter_mut().zip(row) {
                *i |= p < t;
            }
        }
        let mut x = 0;
        while x < w {
            if !ink[x] {
                x += 1;
                continue;
            }
            let start = x;
            let mut last = x;
            let mut end = x + 1;
            while end < w && end - last <= 2 * h as usize {
                if ink[end] {
                    last = end;
                }
                end += 1;
            }
            if last + 1 - start >= 2 * h as usize {
                out.push(BBox {
                    x0: start as u32,
                    y0,
                    x1: last as u32 + 1,
                    y1,
                });
            }
            x = last + 1;
        }
    }
    out
}

/// Stretches one below the other (overlapping across, less than a line
/// height apart) joined into regions, so that a dropped paragraph is read
/// in one call.
fn merge_regions(stretches: Vec<BBox>) -> Vec<BBox> {
    let mut regions: Vec<BBox> = Vec::new();
    for s in stretches {
        match regions
            .iter_mut()
            .find(|r| s.y0 <= r.y1 + s.height() && s.x0 < r.x1 && r.x0 < s.x1)
        {
            Some(r) => *r = r.union(&s),
            None => regions.push(s),
        }
    }
    regions
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real sample page, an engine for it (mode 6), and its reading.
    fn sample_read_whole() -> (GrayImage, Engine, PageText) {
        let tessdata = crate::ocr::find_tessdata().expect("tessdata installed");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../samples/batch/can-tho-1925/1.tif");
        let gray = image::open(path).unwrap().to_luma8();
        let engine = Engine::new(&tessdata, "vie", 6).unwrap();
        let full = engine.recognize(&gray, 300).unwrap();
        (gray, engine, full)
    }

    /// A page whose reading lost its second half (as mode 3 loses Khmer
    /// paragraphs) gets those lines back, read from the ink no word covers,
    /// and nothing of what was kept is read twice.
    #[test]
    fn dropped_lines_are_read_again() {
        let (gray, engine, full) = sample_read_whole();
        let lines: Vec<_> = full.lines().cloned().collect();
        assert!(lines.len() >= 6, "{}", full.plain_text());
        let (kept, dropped) = lines.split_at(lines.len() / 2);
        let mut text = PageText {
            blocks: vec![crate::text::Block {
                bbox: kept[0].bbox,
                lines: kept.to_vec(),
            }],
            ..full.clone()
        };
        let added = recover_dropped(&gray, 300, &mut text, &engine)
            .unwrap()
            .lines;
        assert_eq!(added, dropped.len(), "{}", text.plain_text());
        let again = text.plain_text();
        for line in dropped {
            assert!(
                again.contains(&line.text()),
                "{} not in\n{again}",
                line.text()
            );
        }
        for line in kept {
            assert_eq!(again.matches(&line.text()).count(), 1, "{}", line.text());
        }
    }

    /// A line swallowed into its neighbour's word (a box two lines high,
    /// as mode 3 gives some Khmer pages) is read again, and the neighbour
    /// is kept once.
    #[test]
    fn a_line_swallowed_by_its_neighbour_is_read_again() {
        let (gray, engine, full) = sample_read_whole();
        let mut lines: Vec<_> = full.lines().cloned().collect();
        let swallowed = lines.remove(3);
        let neighbour = lines[2].clone();
        lines[2].words[0].bbox.y1 = swallowed.bbox.y1;
        let mut text = PageText {
            blocks: vec![crate::text::Block {
                bbox: lines[0].bbox,
                lines,
            }],
            ..full.clone()
        };
        recover_dropped(&gray, 300, &mut text, &engine).unwrap();
        let again = text.plain_text();
        assert!(
            again.contains(&swallowed.text()),
            "{}\n{again}",
            swallowed.text()
        );
        assert_eq!(again.matches(&neighbour.text()).count(), 1, "{again}");
    }

    /// A band of scratches and specks (a desk photographed around the
    /// page), 2.5% inked, is no region to read again; a band of text is.
    #[test]
    fn sparse_specks_are_not_read_again() {
        let band = |step: usize| {
            let mut gray = GrayImage::from_pixel(1600, 400, image::Luma([255]));
            for y in 100..130 {
                for x in (50..1500).step_by(step) {
                    gray.put_pixel(x, y, image::Luma([0]));
                }
            }
            dropped_regions(&gray, &PageText::default())
        };
        assert_eq!(band(40), []);
        let text = band(3);
        assert_eq!(text.len(), 1, "{text:?}");
        assert_eq!((text[0].y0, text[0].y1), (100, 130));
    }
}
