//! Columns: a newspaper or a two-column gazetteer read as one block would be
//! flattened, a line of the left column run into the line beside it. diachi
//! finds the gutters between columns from the ink and reads each column on
//! its own, in order, with the page segmentation mode that keeps every
//! paragraph (Tesseract's automatic layout, mode 3, drops paragraphs
//! silently on Khmer and skewed pages).

use crate::ocr::Engine;
use crate::text::PageText;
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
