//! Background normalisation: uneven light (a shadow near the spine, a
//! gradient from a desk lamp, yellowed paper) divided out, so that paper is
//! white everywhere and ink stays dark. A global threshold (Otsu's, in
//! diachi's estimators and inside Tesseract) fails on such pages: it cuts the
//! paper itself in two. Used for analysis and OCR only; the PDF keeps the
//! page as scanned.

use image::GrayImage;

/// Side of the blocks the paper's brightness is measured in, in pixels:
/// larger than any glyph at 600 dpi, smaller than a shadow's gradient.
const BLOCK: u32 = 64;

/// The page with its background brought to white: each pixel divided by the
/// paper brightness around it (the brightest tenth of its block, smoothed
/// over neighbouring blocks and interpolated). `None` when the paper is
/// already white everywhere (a clean or born-digital page): nothing to do,
/// and the full-size pass is skipped.
pub fn normalize(gray: &GrayImage) -> Option<GrayImage> {
    let (w, h) = gray.dimensions();
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let smoothed = brightest_around(&paper_levels(gray), bw, bh);
    if smoothed.iter().all(|&l| l >= 250.0) {
        return None;
    }
    let at = |bx: i64, by: i64| {
        smoothed[(by.clamp(0, bh as i64 - 1) * bw as i64 + bx.clamp(0, bw as i64 - 1)) as usize]
    };
    let half = BLOCK as f32 / 2.0;
    // Each column's block and its weight, the same on every row.
    let columns: Vec<(i64, f32)> = (0..w)
        .map(|x| {
            let fx = (x as f32 - half) / BLOCK as f32;
            (fx.floor() as i64, fx - fx.floor())
        })
        .collect();
    // A row of blocks interpolated across, once for the 64 rows that share
    // it (the same products in the same order as pixel by pixel, so the
    // same bits); the rows then only blend two of these and divide, a loop
    // the compiler vectorises.
    let across = |by: i64| -> Vec<f32> {
        columns
            .iter()
            .map(|&(bx, tx)| at(bx, by) * (1.0 - tx) + at(bx + 1, by) * tx)
            .collect()
    };
    let src = gray.as_raw();
    let mut out = vec![0u8; src.len()];
    let mut rows: Option<(i64, Vec<f32>, Vec<f32>)> = None;
    for (y, (row, dst)) in src
        .chunks_exact(w as usize)
        .zip(out.chunks_exact_mut(w as usize))
        .enumerate()
    {
        let fy = (y as f32 - half) / BLOCK as f32;
        let (by, ty) = (fy.floor() as i64, fy - fy.floor());
        if rows.as_ref().is_none_or(|r| r.0 != by) {
            // The block row below becomes the one above.
            rows = Some(match rows.take() {
                Some((above, _, below)) if above + 1 == by => (by, below, across(by + 1)),
                _ => (by, across(by), across(by + 1)),
            });
        }
        let (_, top, bottom) = rows.as_ref().expect("set above");
        for (((o, &p), &t), &b) in dst.iter_mut().zip(row).zip(top).zip(bottom) {
            let paper = t * (1.0 - ty) + b * ty;
            *o = (p as f32 * 255.0 / paper).min(255.0) as u8;
        }
    }
    Some(GrayImage::from_raw(w, h, out).expect("w*h pixels"))
}

/// The paper level of each block, row by row: the brightest tenth of its
/// pixels (every 2nd pixel of every 2nd row), so ink does not count.
fn paper_levels(gray: &GrayImage) -> Vec<f32> {
    let (w, h) = gray.dimensions();
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let src = gray.as_raw();
    let mut level = vec![255f32; (bw * bh) as usize];
    let mut hist = [0u32; 256];
    for by in 0..bh {
        for bx in 0..bw {
            hist.iter_mut().for_each(|c| *c = 0);
            let (x0, y0) = (bx * BLOCK, by * BLOCK);
            let (x1, y1) = ((x0 + BLOCK).min(w), (y0 + BLOCK).min(h));
            for y in (y0..y1).step_by(2) {
                let row = &src[(y * w) as usize..];
                for x in (x0..x1).step_by(2) {
                    hist[row[x as usize] as usize] += 1;
                }
            }
            let total: u32 = hist.iter().sum();
            let mut seen = 0;
            let mut v = 255;
            for (i, &c) in hist.iter().enumerate().rev() {
                seen += c;
                if seen * 10 >= total {
                    v = i;
                    break;
                }
            }
            level[(by * bw + bx) as usize] = v as f32;
        }
    }
    level
}

/// Each block's level replaced by the brightest of it and its neighbours
/// (at least 32): a block that is all ink (a photograph, a big black title)
/// has no paper of its own.
fn brightest_around(level: &[f32], bw: u32, bh: u32) -> Vec<f32> {
    (0..bh as i64)
        .flat_map(|by| (0..bw as i64).map(move |bx| (bx, by)))
        .map(|(bx, by)| {
            let mut m = 0f32;
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (x, y) = (bx + dx, by + dy);
                    if x >= 0 && y >= 0 && x < bw as i64 && y < bh as i64 {
                        m = m.max(level[(y * bw as i64 + x) as usize]);
                    }
                }
            }
            m.max(32.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn gradient_paper_becomes_white_and_ink_stays_dark() {
        // Paper from 150 (left) to 250 (right), with ink strokes at 20% of it.
        let mut img = GrayImage::new(1000, 300);
        for (x, y, p) in img.enumerate_pixels_mut() {
            let paper = 150.0 + 100.0 * x as f32 / 1000.0;
            let ink = y % 40 < 6 && x % 50 < 30;
            *p = Luma([(if ink { paper * 0.2 } else { paper }) as u8]);
        }
        let n = normalize(&img).expect("grey paper is normalised");
        let paper: Vec<u8> = n
            .enumerate_pixels()
            .filter(|(x, y, _)| !(y % 40 < 6 && x % 50 < 30))
            .map(|(_, _, p)| p[0])
            .collect();
        let low = paper.iter().filter(|&&v| v < 230).count();
        assert!(
            low * 100 < paper.len(),
            "{low} of {} paper pixels still grey",
            paper.len()
        );
        let ink_max = n
            .enumerate_pixels()
            .filter(|(x, y, _)| y % 40 < 6 && x % 50 < 30)
            .map(|(_, _, p)| p[0])
            .max()
            .unwrap();
        assert!(ink_max < 80, "ink became {ink_max}");
        // Otsu on the result separates ink from paper exactly.
        let t = crate::deskew::otsu(&n);
        for (x, y, p) in n.enumerate_pixels() {
            assert_eq!(
                p[0] < t,
                y % 40 < 6 && x % 50 < 30,
                "({x}, {y}) = {} at threshold {t}",
                p[0]
            );
        }
    }

    /// The row-at-a-time interpolation gives the bits of the plain
    /// pixel-by-pixel one: the page OCR reads does not change with it.
    #[test]
    fn rows_interpolated_once_give_the_pixel_by_pixel_bits() {
        // Odd sizes (blocks cut at the edges), light from 120 to 250 both
        // ways, and ink speckled by a hash.
        let (w, h) = (333u32, 211u32);
        let img = GrayImage::from_fn(w, h, |x, y| {
            let paper = 120.0 + 130.0 * (x + 2 * y) as f32 / (w + 2 * h) as f32;
            let ink = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) % 7 == 0;
            Luma([(if ink { paper * 0.3 } else { paper }) as u8])
        });
        let n = normalize(&img).expect("grey paper is normalised");
        let (bw, bh) = (w.div_ceil(BLOCK) as i64, h.div_ceil(BLOCK) as i64);
        let smoothed = brightest_around(&paper_levels(&img), bw as u32, bh as u32);
        let at =
            |bx: i64, by: i64| smoothed[(by.clamp(0, bh - 1) * bw + bx.clamp(0, bw - 1)) as usize];
        let half = BLOCK as f32 / 2.0;
        for (x, y, p) in img.enumerate_pixels() {
            let fy = (y as f32 - half) / BLOCK as f32;
            let (by, ty) = (fy.floor() as i64, fy - fy.floor());
            let fx = (x as f32 - half) / BLOCK as f32;
            let (bx, tx) = (fx.floor() as i64, fx - fx.floor());
            let top = at(bx, by) * (1.0 - tx) + at(bx + 1, by) * tx;
            let bottom = at(bx, by + 1) * (1.0 - tx) + at(bx + 1, by + 1) * tx;
            let paper = top * (1.0 - ty) + bottom * ty;
            let want = (p[0] as f32 * 255.0 / paper).min(255.0) as u8;
            assert_eq!(n.get_pixel(x, y)[0], want, "({x}, {y})");
        }
    }

    #[test]
    fn white_paper_is_left_alone() {
        let mut img = GrayImage::from_pixel(300, 200, Luma([255]));
        img.put_pixel(10, 10, Luma([0]));
        assert_eq!(normalize(&img), None);
    }
}
