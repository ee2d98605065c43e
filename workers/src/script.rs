//! Language per page from the page itself (`--lang auto`): text lines are
//! found by their ink, the start of a few of them (a handful of words each)
//! is read with Vietnamese and Khmer together, and the scripts of what comes
//! back decide between `vie`, `khm` and `vie+khm`. Tesseract's LSTM cost
//! grows with line length, so reading short segments keeps this a small
//! fraction of the page's OCR.

use crate::ocr::Engine;
use crate::Result;
use image::GrayImage;

/// Most lines read to decide; spread over the page.
const SAMPLE_LINES: usize = 12;
/// Length of the segment read from each sampled line, in line heights.
const SEGMENT_HEIGHTS: u32 = 6;

/// Text lines of a (deskewed) page as row ranges, top to bottom, from the
/// horizontal ink profile.
pub fn text_lines(gray: &GrayImage) -> Vec<(u32, u32)> {
    lines_at(gray, crate::deskew::otsu(gray))
}

/// [`text_lines`] with ink below the threshold `t`.
fn lines_at(gray: &GrayImage, t: u8) -> Vec<(u32, u32)> {
    let w = gray.width() as usize;
    let counts: Vec<usize> = gray
        .as_raw()
        .chunks(w)
        .map(|r| r.iter().filter(|&&p| p < t).count())
        .collect();
    // Rows holding only diacritics or subscripts are sparse next to a line's
    // body: they count as gaps, so that touching lines still separate.
    let mut inked: Vec<usize> = counts.iter().copied().filter(|&c| c > 0).collect();
    inked.sort_unstable();
    let p90 = inked.get(inked.len() * 9 / 10).copied().unwrap_or(0);
    let min_ink = (w / 200).max(2).max(p90 / 8);
    let rows: Vec<bool> = counts.iter().map(|&c| c >= min_ink).collect();
    let mut lines = Vec::new();
    let mut start = None;
    for (y, &ink) in rows.iter().enumerate() {
        match (ink, start) {
            (true, None) => start = Some(y),
            (false, Some(s)) => {
                lines.push((s as u32, y as u32));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        lines.push((s as u32, rows.len() as u32));
    }
    let median = |lines: &[(u32, u32)]| {
        let mut h: Vec<u32> = lines.iter().map(|(a, b)| b - a).collect();
        h.sort_unstable();
        h.get(h.len() / 2).copied().unwrap_or(0)
    };
    // Khmer subscripts and Vietnamese marks sit a few pixels off their line:
    // bands closer than a fifth of a line height belong together.
    let m = median(&lines);
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (a, b) in lines {
        match merged.last_mut() {
            // A thin band (a row of subscripts) close below a line joins it.
            Some(last) if (a - last.1) * 5 < m || ((b - a) * 3 < m && (a - last.1) * 2 < m) => {
                last.1 = b
            }
            _ => merged.push((a, b)),
        }
    }
    // Bands shorter than a quarter of the median height are specks or rules.
    let m = median(&merged);
    merged.retain(|(a, b)| (b - a) * 4 >= m);
    merged
}

/// First and last inked column of rows `y0..y1`.
fn ink_span(gray: &GrayImage, y0: u32, y1: u32, t: u8) -> Option<(u32, u32)> {
    let w = gray.width() as usize;
    let mut cols = vec![false; w];
    for row in gray.as_raw()[y0 as usize * w..y1 as usize * w].chunks(w) {
        for (c, &p) in cols.iter_mut().zip(row) {
            *c |= p < t;
        }
    }
    let first = cols.iter().position(|&c| c)?;
    let last = cols.iter().rposition(|&c| c)?;
    Some((first as u32, last as u32 + 1))
}

/// Khmer letters and Latin letters in a text.
fn script_counts(text: &str) -> (usize, usize) {
    text.chars().fold((0, 0), |(k, l), c| {
        if ('\u{1780}'..='\u{17FF}').contains(&c) || ('\u{19E0}'..='\u{19FF}').contains(&c) {
            (k + 1, l)
        } else if c.is_alphabetic() {
            (k, l + 1)
        } else {
            (k, l)
        }
    })
}

/// The beginnings (a few words) of up to `SAMPLE_LINES` text lines spread
/// over the page, stacked into one small image; `None` without text lines.
/// Each call to Tesseract has a fixed cost far above that of a few words, so
/// whatever is read from a sample is read from this one sheet in one call.
pub fn sample_sheet(gray: &GrayImage) -> Option<GrayImage> {
    let t = crate::deskew::otsu(gray);
    let lines = lines_at(gray, t);
    let step = lines.len().div_ceil(SAMPLE_LINES).max(1);
    let mut segments = Vec::new();
    for &(y0, y1) in lines.iter().step_by(step) {
        let Some((x0, x1)) = ink_span(gray, y0, y1, t) else {
            continue;
        };
        let pad = ((y1 - y0) / 4).max(2);
        let top = y0.saturating_sub(pad);
        let bottom = (y1 + pad).min(gray.height());
        let left = x0.saturating_sub(pad);
        let right = (x0 + SEGMENT_HEIGHTS * (y1 - y0))
            .min(x1 + pad)
            .min(gray.width());
        segments.push(
            image::imageops::crop_imm(gray, left, top, right - left, bottom - top).to_image(),
        );
    }
    if segments.is_empty() {
        return None;
    }
    let gap = segments.iter().map(|s| s.height()).max().unwrap_or(0) / 2;
    let width = segments.iter().map(|s| s.width()).max().unwrap_or(1) + 2 * gap;
    let height = segments.iter().map(|s| s.height() + gap).sum::<u32>() + gap;
    let mut sheet = GrayImage::from_pixel(width, height, image::Luma([255]));
    let mut y = gap;
    for s in &segments {
        image::imageops::replace(&mut sheet, s, i64::from(gap), i64::from(y));
        y += s.height() + gap;
    }
    Some(sheet)
}

/// The language string for a page: `vie`, `khm` or `vie+khm`. `engine` must
/// read both (`vie+khm`, page segmentation mode 6).
pub fn detect(gray: &GrayImage, dpi: u32, engine: &Engine) -> Result<String> {
    let Some(sheet) = sample_sheet(gray) else {
        return Ok("vie".into());
    };
    let text = engine.recognize(&sheet, dpi)?;
    let (mut khmer_lines, mut latin_lines) = (0, 0);
    for line in text.lines() {
        let words: Vec<&str> = line.words.iter().map(|w| w.text.as_str()).collect();
        let (k, l) = script_counts(&words.join(" "));
        if k + l < 2 {
            continue;
        }
        if k * 2 > k + l {
            khmer_lines += 1;
        } else {
            latin_lines += 1;
        }
    }
    Ok(match (khmer_lines > 0, latin_lines > 0) {
        (true, false) => "khm",
        (true, true) => "vie+khm",
        _ => "vie",
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn lines_are_found_by_their_ink() {
        let mut img = GrayImage::from_pixel(400, 300, Luma([255]));
        for (y0, y1) in [(20u32, 40u32), (60, 82), (150, 171), (174, 178)] {
            for y in y0..y1 {
                for x in (10..390).step_by(3) {
                    img.put_pixel(x, y, Luma([0]));
                }
            }
        }
        img.put_pixel(5, 250, Luma([0])); // a speck is no line
                                          // The band at 174 is a subscript row of the line above it.
        assert_eq!(text_lines(&img), [(20, 40), (60, 82), (150, 178)]);
    }

    #[test]
    fn scripts_are_counted() {
        assert_eq!(script_counts("Sóc Trăng ខ្មែរ 12"), (5, 8));
    }
}
