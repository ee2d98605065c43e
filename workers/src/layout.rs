//! Columns: a newspaper or a two-column gazetteer read as one block would be
//! flattened, a line of the left column run into the line beside it. diachi
//! finds the gutters between columns from the ink and reads each column on
//! its own, in order, with the page segmentation mode that keeps every
//! paragraph (Tesseract's automatic layout, mode 3, drops paragraphs
//! silently on Khmer and skewed pages).

use crate::ocr::Engine;
use crate::text::{BBox, PageText};
use crate::Result;
use image::GrayImage;

/// Text columns of a page, left to right, as pixel ranges `x0..x1`. One
/// range (the whole text width) when the page has a single column.
///
/// A gutter is a vertical band at least 1.5% of the page wide in which
/// almost no text line has ink (headlines spanning the columns are allowed:
/// up to 15% of the inked rows), with text on both sides.
pub fn columns(gray: &GrayImage) -> Vec<(u32, u32)> {
    let (w, h) = (gray.width() as usize, gray.height() as usize);
    let t = crate::deskew::otsu(gray);
    let raw = gray.as_raw();
    // Rows that hold ink, every 2nd row.
    let mut inked_rows = 0usize;
    let mut hits = vec![0u32; w];
    for y in (0..h).step_by(2) {
        let row = &raw[y * w..(y + 1) * w];
        if row.iter().filter(|&&p| p < t).count() < 3 {
            continue;
        }
        inked_rows += 1;
        // A column counts as inked on this row if ink is within a glyph's
        // width of it, so spaces between words never look like gutters.
        let reach = w / 150 + 1;
        let mut last_ink: Option<usize> = None;
        let mut mark = vec![false; w];
        for (x, &p) in row.iter().enumerate() {
            if p < t {
                let from = last_ink.map_or(x.saturating_sub(reach), |l| {
                    if x - l <= 2 * reach {
                        l
                    } else {
                        x.saturating_sub(reach)
                    }
                });
                for m in &mut mark[from..=x] {
                    *m = true;
                }
                last_ink = Some(x);
            } else if let Some(l) = last_ink {
                if x - l <= reach {
                    mark[x] = true;
                }
            }
        }
        for (hit, m) in hits.iter_mut().zip(mark) {
            *hit += u32::from(m);
        }
    }
    let Some(first) = hits.iter().position(|&c| c > 0) else {
        return vec![(0, w as u32)];
    };
    let last = hits.iter().rposition(|&c| c > 0).unwrap_or(w - 1) + 1;
    let quiet = |c: u32| (c as usize) * 100 <= inked_rows * 15;
    let min_gutter = (w * 15 / 1000).max(4);
    let mut cols = Vec::new();
    let mut start = first;
    let mut x = first;
    while x < last {
        if quiet(hits[x]) {
            let run_end = (x..last).find(|&i| !quiet(hits[i])).unwrap_or(last);
            // A gutter needs text on both sides: a column at least 10% wide.
            if run_end - x >= min_gutter && x - start >= w / 10 && last - run_end >= w / 10 {
                cols.push((start as u32, x as u32));
                start = run_end;
            }
            x = run_end;
        } else {
            x += 1;
        }
    }
    cols.push((start as u32, last as u32));
    cols
}

/// Reads a page column by column (each with `engine`, in its page
/// segmentation mode), left to right, boxes in page coordinates. A page with
/// one column is read whole.
pub fn recognize_columns(gray: &GrayImage, dpi: u32, engine: &Engine) -> Result<PageText> {
    let cols = columns(gray);
    if cols.len() < 2 {
        return engine.recognize(gray, dpi);
    }
    let mut page = PageText {
        width: gray.width(),
        height: gray.height(),
        blocks: Vec::new(),
    };
    let pad = (gray.width() / 200).max(2);
    for (x0, x1) in cols {
        let left = x0.saturating_sub(pad);
        let right = (x1 + pad).min(gray.width());
        let crop = image::imageops::crop_imm(gray, left, 0, right - left, gray.height()).to_image();
        let mut part = engine.recognize(&crop, dpi)?;
        part.translate(left, 0);
        page.blocks.extend(part.blocks);
    }
    Ok(page)
}

/// Mean word confidence (0-100) a line found again must reach: text read
/// as a block scores 70-95 on real scans, a stamp or a signature mostly
/// under 50.
const RECOVER_FROM: f32 = 60.0;

/// Finds text lines that Tesseract's layout analysis (mode 3) dropped (it
/// drops whole paragraphs of some Khmer and skewed pages) and reads them
/// with `engine` (mode 6), keeping what reads well. A line is dropped when
/// less than half of its ink, in a stretch of the line with no wide gap,
/// lies under words already read. Returns how many lines were added, as
/// blocks of their own at the end of `text` (reading order comes after).
pub fn recover_dropped(
    gray: &GrayImage,
    dpi: u32,
    text: &mut PageText,
    engine: &Engine,
) -> Result<usize> {
    let mut added = 0;
    for region in merge_regions(uncovered(gray, text)) {
        if std::env::var_os("DIACHI_PROBE").is_some() {
            eprintln!("uncovered region {region:?}");
        }
        let pad = (region.height() / 6).max(4);
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
                added += block.lines.len();
                text.blocks.push(block);
            }
        }
    }
    Ok(added)
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
fn uncovered(gray: &GrayImage, text: &PageText) -> Vec<BBox> {
    let mut rest = gray.clone();
    for b in text.words().map(|w| w.bbox) {
        for y in b.y0..b.y1.min(rest.height()) {
            for x in b.x0..b.x1.min(rest.width()) {
                rest.put_pixel(x, y, image::Luma([255]));
            }
        }
    }
    let mut heights: Vec<u32> = text.lines().map(|l| l.bbox.height()).collect();
    heights.sort_unstable();
    let line_height = heights.get(heights.len() / 2).copied().unwrap_or(0);
    let t = crate::deskew::otsu(gray);
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
    use image::Luma;

    /// `n` columns of text-like lines, with an optional headline across.
    fn page(n: u32, headline: bool) -> GrayImage {
        let (w, h) = (1200u32, 1600u32);
        let mut img = GrayImage::from_pixel(w, h, Luma([255]));
        let margin = 80;
        let gutter = 60;
        let col_w = (w - 2 * margin - (n - 1) * gutter) / n;
        for c in 0..n {
            let x0 = margin + c * (col_w + gutter);
            for line in 0..28 {
                let y0 = 200 + line * 46;
                let mut x = x0;
                let mut k = line + c * 3;
                while x < x0 + col_w - 20 {
                    let len = 18 + (k * 29 % 50);
                    for y in y0..y0 + 18 {
                        for xx in x..(x + len).min(x0 + col_w) {
                            img.put_pixel(xx, y, Luma([0]));
                        }
                    }
                    x += len + 12;
                    k += 7;
                }
            }
        }
        if headline {
            for y in 100..150 {
                for x in margin..w - margin {
                    if x % 40 < 30 {
                        img.put_pixel(x, y, Luma([0]));
                    }
                }
            }
        }
        img
    }

    #[test]
    fn single_column_is_one() {
        assert_eq!(columns(&page(1, false)).len(), 1);
    }

    #[test]
    fn gutters_are_found_even_under_a_headline() {
        let two = columns(&page(2, true));
        assert_eq!(two.len(), 2, "{two:?}");
        assert!(two[0].1 <= 600 && two[1].0 >= 600, "{two:?}");
        assert_eq!(columns(&page(3, false)).len(), 3);
    }

    #[test]
    fn blank_page_is_one_column() {
        assert_eq!(
            columns(&GrayImage::from_pixel(100, 100, Luma([255]))),
            vec![(0, 100)]
        );
    }
}
