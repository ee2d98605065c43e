//! Page finding: the sheet of paper in a capture that holds more than the
//! page. A phone photo shows the table, a thumb and the facing page's edge; a
//! flatbed scan shows the black of an open lid. Left in, they become garbage
//! lines and pull the skew and orientation estimates (issue #14).
//!
//! The paper is the region reached from the brightest point of the
//! capture's middle, once the ink is taken out (a grey-level closing wider
//! than any glyph), across slow changes of light only, with its holes
//! (photographs, dark boxes, headings) filled. Do no harm: the capture is
//! left as it is unless the region is separated from what surrounds it by a
//! sharp edge (a page edge, not a shadow's gradient) and taking the rest away
//! removes a real part of the capture.

use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

/// Longest side, in pixels, of the reduced capture the page is looked for
/// in: enough to place an edge within a few pixels of a 4000-px photo.
pub(crate) const WORK_SIDE: u32 = 800;

/// Radius of the closing that takes ink out, in reduced pixels (1% of the
/// long side): wider than a glyph at any size a body text is set in, far
/// narrower than a table or a border.
pub(crate) const INK_RADIUS: usize = 8;

/// Largest change in brightness, as a share of the brighter side, between
/// two neighbouring cells of one sheet of paper. Light falls off slowly
/// across a page (a fraction of a percent a cell); a page edge steps by
/// 10-60% within a cell or two.
const SMOOTH_STEP: f32 = 0.04;

/// Paper is never darker than this share of its brightest part: the flood
/// stops there even where no edge stops it.
const DARKEST_PAPER: f32 = 0.4;

/// Brightness step, as a share of the paper's, across three cells that
/// marks a page edge.
const EDGE_STEP: f32 = 0.12;

/// Fraction of the region's boundary that must be a sharp step for the
/// region to count as a sheet of paper rather than a lit patch.
const SHARP_SHARE: f32 = 0.5;

/// A bright region outside the page this large, as a share of the page's
/// area, is another page (a spread's): the capture is then left whole.
const SECOND_SHEET: f32 = 0.2;

/// The capture is left whole when the page takes this much of it and
/// almost nothing around it is masked.
const WHOLE: f32 = 0.97;

/// Where the page lies in the capture, in the capture's pixels (after the
/// EXIF orientation is applied, as any viewer shows it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CropBox {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl CropBox {
    /// The box's part of `img`.
    pub fn of<P: image::Pixel + 'static>(
        &self,
        img: &image::ImageBuffer<P, Vec<P::Subpixel>>,
    ) -> image::ImageBuffer<P, Vec<P::Subpixel>> {
        image::imageops::crop_imm(img, self.x, self.y, self.width, self.height).to_image()
    }
}

/// What page finding did to a capture, as record.json says it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageFound {
    /// The part of the capture kept: the page with a small margin.
    #[serde(flatten)]
    pub crop: CropBox,
    /// Share of that box that is not paper (a thumb, the table beside a
    /// page), 0-1: set to paper for OCR when the page is cropped; a page
    /// warped from its `corners` leaves it outside the warp instead.
    pub masked: f32,
    /// When the page was photographed in perspective: its corners in the
    /// capture (top left, top right, bottom right, bottom left), which were
    /// warped to a rectangle instead of cropping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corners: Option<[[u32; 2]; 4]>,
}

/// A page found in a capture: the box to crop to and, inside it, the parts
/// that are not paper (a thumb, the table in the corners of a photo in
/// perspective), one flag per reduced pixel.
#[derive(Debug, Clone)]
pub struct Found {
    pub crop: CropBox,
    /// Mean paper brightness, 0-255: what the masked parts are set to.
    pub paper: u8,
    /// Share of the crop box that is masked, 0-1.
    pub masked: f32,
    /// The page's corners when it is a quadrilateral, not a rectangle.
    pub quad: Option<[(f32, f32); 4]>,
    mask: Mask,
}

/// Not-paper flags on the reduced grid.
#[derive(Debug, Clone)]
struct Mask {
    width: usize,
    height: usize,
    /// Capture pixels per reduced pixel.
    factor: u32,
    outside: Vec<bool>,
}

/// The page in `gray`, or `None` when the whole capture is the page or no
/// page stands out clearly enough to crop to.
pub fn find_page(gray: &GrayImage) -> Option<Found> {
    let (w, h) = gray.dimensions();
    let factor = w.max(h).div_ceil(WORK_SIDE).max(1);
    let small = reduce(gray, factor);
    let (sw, sh) = (w.div_ceil(factor) as usize, h.div_ceil(factor) as usize);
    if sw < 4 * INK_RADIUS || sh < 4 * INK_RADIUS {
        return None;
    }
    let closed = close(&small, sw, sh, INK_RADIUS);
    let seed = brightest_central(&closed, sw, sh);
    let paper = flood(&closed, sw, sh, seed);
    let region = fill_holes(&paper, sw, sh);
    let mp = mean_over(&closed, &region);
    let share = sharp_share(&closed, &region, sw, sh, mp * EDGE_STEP);
    if share < SHARP_SHARE || second_sheet(&closed, &region, sw, sh, mp) {
        return None;
    }
    let (x0, y0, x1, y1) = bounds(&region, sw, sh)?;
    let margin = 1;
    let (x0, y0) = (x0.saturating_sub(margin), y0.saturating_sub(margin));
    let (x1, y1) = ((x1 + margin).min(sw - 1), (y1 + margin).min(sh - 1));
    let crop = CropBox {
        x: x0 as u32 * factor,
        y: y0 as u32 * factor,
        width: (((x1 + 1) as u32 * factor).min(w)) - x0 as u32 * factor,
        height: (((y1 + 1) as u32 * factor).min(h)) - y0 as u32 * factor,
    };
    let outside: Vec<bool> = region.iter().map(|&r| !r).collect();
    let in_box = (x1 - x0 + 1) * (y1 - y0 + 1);
    let masked_cells = (y0..=y1)
        .flat_map(|y| (x0..=x1).map(move |x| (x, y)))
        .filter(|&(x, y)| outside[y * sw + x])
        .count();
    let masked = masked_cells as f32 / in_box as f32;
    let area = (crop.width as f32 * crop.height as f32) / (w as f32 * h as f32);
    if area >= WHOLE && masked < 1.0 - WHOLE {
        return None;
    }
    let quad = perspective(&region, sw, sh, factor);
    Some(Found {
        crop,
        paper: mp.round().clamp(0.0, 255.0) as u8,
        masked,
        quad,
        mask: Mask {
            width: sw,
            height: sh,
            factor,
            outside,
        },
    })
}

impl Found {
    /// The facts to record.
    pub fn facts(&self) -> PageFound {
        PageFound {
            crop: self.crop,
            masked: (self.masked * 1000.0).round() / 1000.0,
            corners: self
                .quad
                .map(|q| q.map(|(x, y)| [x.round() as u32, y.round() as u32])),
        }
    }

    /// The capture reduced to `side` pixels at most, in colour when there
    /// is colour, with the crop box outlined in red: what the report shows.
    pub fn overview(&self, gray: &GrayImage, color: Option<&RgbImage>, side: u32) -> RgbImage {
        let (w, h) = gray.dimensions();
        let f = side as f32 / w.max(h) as f32;
        let (tw, th) = (
            ((w as f32 * f) as u32).max(1),
            ((h as f32 * f) as u32).max(1),
        );
        let mut small = match color {
            Some(c) => image::imageops::thumbnail(c, tw, th),
            None => {
                image::DynamicImage::ImageLuma8(image::imageops::thumbnail(gray, tw, th)).to_rgb8()
            }
        };
        let c = self.crop;
        let scale = |v: u32, max: u32| ((v as f32 * f) as u32).min(max - 1);
        let (x0, y0) = (scale(c.x, tw), scale(c.y, th));
        let (x1, y1) = (scale(c.x + c.width, tw), scale(c.y + c.height, th));
        let red = image::Rgb([220, 30, 30]);
        for x in x0..=x1 {
            small.put_pixel(x, y0, red);
            small.put_pixel(x, y1, red);
        }
        for y in y0..=y1 {
            small.put_pixel(x0, y, red);
            small.put_pixel(x1, y, red);
        }
        small
    }

    /// The cropped gray page with everything that is not paper set to the
    /// paper's brightness, so that no garbage line is read from it.
    pub fn crop_and_mask(&self, gray: &GrayImage) -> GrayImage {
        let mut out = self.crop.of(gray);
        let m = &self.mask;
        let f = m.factor;
        for (x, y, p) in out.enumerate_pixels_mut() {
            let (sx, sy) = ((x + self.crop.x) / f, (y + self.crop.y) / f);
            let (sx, sy) = (
                (sx as usize).min(m.width - 1),
                (sy as usize).min(m.height - 1),
            );
            if m.outside[sy * m.width + sx] {
                p[0] = self.paper;
            }
        }
        out
    }
}

/// Opposite sides of a page photographed square-on are parallel; a page in
/// perspective has a pair that meet at more than this many degrees.
const PERSPECTIVE_DEGREES: f32 = 1.5;

/// The region's corners in the capture's pixels (top left, top right,
/// bottom right, bottom left: the cells furthest along each diagonal), when
/// the page is a quadrilateral in perspective. `None` for a rectangle
/// (turned or not), and when a corner lies on the capture's edge (the page
/// runs off it, and that corner is not the page's).
fn perspective(region: &[bool], w: usize, h: usize, factor: u32) -> Option<[(f32, f32); 4]> {
    let cells = (0..region.len())
        .filter(|&i| region[i])
        .map(|i| ((i % w) as i64, (i / w) as i64));
    let (mut tl, mut tr, mut br, mut bl) = ((0, 0), (0, 0), (0, 0), (0, 0));
    let (mut s_min, mut s_max, mut d_min, mut d_max) = (i64::MAX, i64::MIN, i64::MAX, i64::MIN);
    for (x, y) in cells {
        if x + y < s_min {
            (s_min, tl) = (x + y, (x, y));
        }
        if x + y > s_max {
            (s_max, br) = (x + y, (x, y));
        }
        if x - y > d_max {
            (d_max, tr) = (x - y, (x, y));
        }
        if x - y < d_min {
            (d_min, bl) = (x - y, (x, y));
        }
    }
    let on_edge = |(x, y): (i64, i64)| x == 0 || y == 0 || x == w as i64 - 1 || y == h as i64 - 1;
    if [tl, tr, br, bl].into_iter().any(on_edge) {
        return None;
    }
    let at = |(x, y): (i64, i64)| {
        (
            (x as f32 + 0.5) * factor as f32,
            (y as f32 + 0.5) * factor as f32,
        )
    };
    let [tl, tr, br, bl] = [tl, tr, br, bl].map(at);
    let angle = |a: (f32, f32), b: (f32, f32)| (b.1 - a.1).atan2(b.0 - a.0).to_degrees();
    let across = (angle(tl, tr) - angle(bl, br)).abs();
    let down = (angle(tl, bl) - angle(tr, br)).abs();
    (across.max(down) > PERSPECTIVE_DEGREES).then_some([tl, tr, br, bl])
}

/// The page in `img` warped from its corners `quad` to a rectangle as wide
/// as its longer horizontal side and as high as its longer vertical side.
pub fn rectify<P>(
    img: &image::ImageBuffer<P, Vec<u8>>,
    quad: [(f32, f32); 4],
) -> image::ImageBuffer<P, Vec<u8>>
where
    P: image::Pixel<Subpixel = u8> + 'static,
{
    let dist = |a: (f32, f32), b: (f32, f32)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
    let [tl, tr, br, bl] = quad;
    let w = dist(tl, tr).max(dist(bl, br)).round().max(1.0);
    let h = dist(tl, bl).max(dist(tr, br)).round().max(1.0);
    let hm = homography([(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)], quad);
    let (sw, sh) = img.dimensions();
    let channels = P::CHANNEL_COUNT as usize;
    let src = img.as_raw();
    let (ow, oh) = (w as u32, h as u32);
    let mut out = vec![255u8; (ow * oh) as usize * channels];
    for y in 0..oh {
        for x in 0..ow {
            let (fx, fy) = (x as f64 + 0.5, y as f64 + 0.5);
            let d = hm[6] * fx + hm[7] * fy + 1.0;
            let sx = (hm[0] * fx + hm[1] * fy + hm[2]) / d - 0.5;
            let sy = (hm[3] * fx + hm[4] * fy + hm[5]) / d - 0.5;
            if sx < 0.0 || sy < 0.0 || sx >= (sw - 1) as f64 || sy >= (sh - 1) as f64 {
                continue;
            }
            let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
            let (tx, ty) = (sx - x0 as f64, sy - y0 as f64);
            let idx = |xx: usize, yy: usize| (yy * sw as usize + xx) * channels;
            let o = (y * ow + x) as usize * channels;
            for c in 0..channels {
                let p = |xx, yy| src[idx(xx, yy) + c] as f64;
                let top = p(x0, y0) * (1.0 - tx) + p(x0 + 1, y0) * tx;
                let bottom = p(x0, y0 + 1) * (1.0 - tx) + p(x0 + 1, y0 + 1) * tx;
                out[o + c] = (top * (1.0 - ty) + bottom * ty).round() as u8;
            }
        }
    }
    image::ImageBuffer::from_raw(ow, oh, out).expect("sized")
}

/// The projective map taking each of `from` to the matching `to` point, as
/// the 8 coefficients (the ninth is 1): x' = (h0 x + h1 y + h2) / (h6 x +
/// h7 y + 1), y' likewise with h3-h5.
fn homography(from: [(f32, f32); 4], to: [(f32, f32); 4]) -> [f64; 8] {
    let mut a = [[0f64; 9]; 8];
    for (k, ((x, y), (u, v))) in from.iter().zip(&to).enumerate() {
        let (x, y, u, v) = (*x as f64, *y as f64, *u as f64, *v as f64);
        a[2 * k] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * k + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gauss-Jordan with partial pivoting.
    for col in 0..8 {
        let pivot = (col..8)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-12 {
            continue;
        }
        for v in &mut a[col][col..] {
            *v /= p;
        }
        let pivot_row = a[col];
        for (row, r) in a.iter_mut().enumerate() {
            if row != col {
                let f = r[col];
                for (v, pv) in r[col..].iter_mut().zip(&pivot_row[col..]) {
                    *v -= f * pv;
                }
            }
        }
    }
    std::array::from_fn(|i| a[i][8])
}

/// Block means: each reduced pixel the mean of a `factor`-square block.
pub(crate) fn reduce(gray: &GrayImage, factor: u32) -> Vec<f32> {
    let (w, h) = gray.dimensions();
    let (sw, sh) = (w.div_ceil(factor) as usize, h.div_ceil(factor));
    let f = factor as usize;
    let mut sum = vec![0u32; sw * sh as usize];
    let mut count = vec![0u32; sw * sh as usize];
    for (y, row) in gray.as_raw().chunks_exact(w as usize).enumerate() {
        let base = y / f * sw;
        for (i, block) in row.chunks(f).enumerate() {
            sum[base + i] += block.iter().map(|&p| p as u32).sum::<u32>();
            count[base + i] += block.len() as u32;
        }
    }
    sum.iter()
        .zip(&count)
        .map(|(&s, &c)| s as f32 / c as f32)
        .collect()
}

/// Grey-level closing (the brightest within `r`, then the darkest within
/// `r`): dark things narrower than 2r (ink) vanish, larger ones keep their
/// place and size.
pub(crate) fn close(v: &[f32], w: usize, h: usize, r: usize) -> Vec<f32> {
    let dilated = filter(v, w, h, r, f32::max);
    filter(&dilated, w, h, r, f32::min)
}

/// A separable square max or min filter of radius `r`.
fn filter(
    v: &[f32],
    w: usize,
    h: usize,
    r: usize,
    pick: impl Fn(f32, f32) -> f32 + Copy,
) -> Vec<f32> {
    let mut rows = vec![0f32; v.len()];
    for (src, dst) in v.chunks_exact(w).zip(rows.chunks_exact_mut(w)) {
        for (x, d) in dst.iter_mut().enumerate() {
            let (a, b) = (x.saturating_sub(r), (x + r).min(w - 1));
            *d = src[a..=b].iter().copied().reduce(pick).unwrap();
        }
    }
    // Down the columns a row at a time, so that memory is read in order.
    let mut out = vec![0f32; v.len()];
    for (y, dst) in out.chunks_exact_mut(w).enumerate() {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
        dst.copy_from_slice(&rows[a * w..(a + 1) * w]);
        for yy in a + 1..=b {
            for (d, &s) in dst.iter_mut().zip(&rows[yy * w..(yy + 1) * w]) {
                *d = pick(*d, s);
            }
        }
    }
    out
}

/// The brightest cell of the capture's central ninth: paper, in any capture
/// that holds a page.
fn brightest_central(v: &[f32], w: usize, h: usize) -> usize {
    (h / 3..h * 2 / 3)
        .flat_map(|y| (w / 3..w * 2 / 3).map(move |x| y * w + x))
        .max_by(|&a, &b| v[a].total_cmp(&v[b]))
        .unwrap_or(0)
}

/// The cells reached from `seed` by steps that change brightness slowly:
/// one sheet of paper, however unevenly lit, stopped by its edges.
fn flood(v: &[f32], w: usize, h: usize, seed: usize) -> Vec<bool> {
    let floor = v[seed] * DARKEST_PAPER;
    let mut on = vec![false; v.len()];
    reach(&mut on, vec![seed], w, h, |i, j| {
        v[j] >= floor && (v[j] - v[i]).abs() <= SMOOTH_STEP * v[i].max(v[j])
    });
    on
}

/// Marks in `on` every cell reached from `seeds` (marked too) by steps
/// from a cell `i` to a 4-neighbour `j` that `step(i, j)` allows, and says
/// how many cells it marked.
fn reach(
    on: &mut [bool],
    mut seeds: Vec<usize>,
    w: usize,
    h: usize,
    step: impl Fn(usize, usize) -> bool,
) -> usize {
    let mut marked = 0;
    for &i in &seeds {
        marked += usize::from(!on[i]);
        on[i] = true;
    }
    while let Some(i) = seeds.pop() {
        for j in neighbours(i, w, h) {
            if !on[j] && step(i, j) {
                on[j] = true;
                marked += 1;
                seeds.push(j);
            }
        }
    }
    marked
}

/// Mean brightness of the region's cells (255 for an empty region).
fn mean_over(v: &[f32], region: &[bool]) -> f32 {
    let (sum, n) = v
        .iter()
        .zip(region)
        .filter(|(_, &r)| r)
        .fold((0f64, 0usize), |(s, n), (&p, _)| (s + p as f64, n + 1));
    if n == 0 {
        return 255.0;
    }
    (sum / n as f64) as f32
}

/// The 4-neighbours of cell `i` that lie on the grid.
fn neighbours(i: usize, w: usize, h: usize) -> impl Iterator<Item = usize> {
    let (x, y) = (i % w, i / w);
    [
        (x > 0).then(|| i - 1),
        (x + 1 < w).then(|| i + 1),
        (y > 0).then(|| i - w),
        (y + 1 < h).then(|| i + w),
    ]
    .into_iter()
    .flatten()
}

/// Whether, beside the page found, there is another sheet as bright as it
/// and at least [`SECOND_SHEET`] of its size: the other page of a spread
/// with a sharp gutter that `workers::spread` did not split (a portrait
/// capture, or `split_spreads = "never"`). Cropping to one page would lose
/// the other, so such a capture is left whole.
fn second_sheet(closed: &[f32], region: &[bool], w: usize, h: usize, paper: f32) -> bool {
    let bright: Vec<bool> = closed
        .iter()
        .zip(region)
        .map(|(&v, &r)| !r && v >= paper * 0.85)
        .collect();
    let area = region.iter().filter(|&&r| r).count();
    let mut seen = vec![false; bright.len()];
    (0..bright.len()).any(|start| {
        if !bright[start] || seen[start] {
            return false;
        }
        let size = reach(&mut seen, vec![start], w, h, |_, j| bright[j]);
        size as f32 >= SECOND_SHEET * area as f32
    })
}

/// The region with every hole filled: whatever cannot be reached from the
/// grid's edge without crossing the region belongs to it.
fn fill_holes(region: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut outside = vec![false; region.len()];
    let edge: Vec<usize> = (0..region.len())
        .filter(|&i| {
            let (x, y) = (i % w, i / w);
            (x == 0 || y == 0 || x == w - 1 || y == h - 1) && !region[i]
        })
        .collect();
    reach(&mut outside, edge, w, h, |_, j| !region[j]);
    outside.iter().map(|&o| !o).collect()
}

/// Share of the region's inner boundary (cells beside a non-region cell,
/// the grid's edge aside) where the closed brightness steps by at least
/// `step` within three cells across it: a page edge does, a shadow's slow
/// gradient does not.
fn sharp_share(closed: &[f32], region: &[bool], w: usize, h: usize, step: f32) -> f32 {
    const D: usize = 3;
    let (mut boundary, mut sharp) = (0usize, 0usize);
    for y in D..h.saturating_sub(D) {
        for x in D..w.saturating_sub(D) {
            let i = y * w + x;
            if !region[i] || neighbours(i, w, h).all(|j| region[j]) {
                continue;
            }
            boundary += 1;
            let across = [
                (closed[i - D] - closed[i + D]).abs(),
                (closed[i - D * w] - closed[i + D * w]).abs(),
            ];
            if across.iter().any(|&d| d >= step) {
                sharp += 1;
            }
        }
    }
    if boundary == 0 {
        return 0.0;
    }
    sharp as f32 / boundary as f32
}

/// The inclusive bounding box of the region's cells.
fn bounds(region: &[bool], w: usize, h: usize) -> Option<(usize, usize, usize, usize)> {
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for (i, _) in region.iter().enumerate().filter(|(_, &r)| r) {
        let (x, y) = (i % w, i / w);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    (x0 <= x1 && y0 <= y1).then_some((x0, y0, x1, y1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A white sheet with black text-like bars, placed on a dark background.
    fn sheet_on_table(w: u32, h: u32, page: (u32, u32, u32, u32)) -> GrayImage {
        let (px, py, pw, ph) = page;
        GrayImage::from_fn(w, h, |x, y| {
            let on_page = x >= px && x < px + pw && y >= py && y < py + ph;
            if !on_page {
                // A textured table: wood grain.
                return Luma([60 + ((x * 7 + y * 3) % 23) as u8]);
            }
            let (lx, ly) = (x - px, y - py);
            let in_text = lx > pw / 10 && lx < pw * 9 / 10 && ly > ph / 10 && ly < ph * 9 / 10;
            let ink = in_text && (ly % 40) < 12 && (lx % 30) < 22;
            Luma([if ink { 20 } else { 235 }])
        })
    }

    #[test]
    fn finds_a_sheet_on_a_table_within_a_few_pixels() {
        let img = sheet_on_table(2000, 1600, (300, 150, 1200, 1300));
        let found = find_page(&img).expect("a page");
        let c = found.crop;
        // Reduced by 3: the box is within one reduced cell plus the margin.
        for (got, want) in [(c.x, 300), (c.y, 150)] {
            assert!(got <= want && want - got <= 8, "{c:?}");
        }
        for (got, want) in [(c.x + c.width, 1500), (c.y + c.height, 1450)] {
            assert!(got >= want && got - want <= 8, "{c:?}");
        }
        assert!(found.masked < 0.05, "{}", found.masked);
        // Square-on: cropped, not warped.
        assert!(found.quad.is_none(), "{:?}", found.quad);
        let out = found.crop_and_mask(&img);
        // The table left inside the box is paper now.
        assert_eq!(out.get_pixel(0, 0)[0], found.paper);
        assert!(found.paper > 200);
    }

    #[test]
    fn a_page_that_fills_the_capture_is_left_alone() {
        let img = sheet_on_table(1200, 1600, (0, 0, 1200, 1600));
        assert!(find_page(&img).is_none());
    }

    #[test]
    fn a_shadow_is_not_a_page_edge() {
        // Lit on the right, in shade on the left: a slow gradient to 45%.
        let img = GrayImage::from_fn(1600, 1200, |x, y| {
            let light = 0.45 + 0.55 * (x as f32 / 1600.0).min(1.0);
            let ink = (y % 40) < 12 && (x % 30) < 22 && x > 100 && x < 1500;
            Luma([((if ink { 20.0 } else { 235.0 }) * light) as u8])
        });
        assert!(find_page(&img).is_none());
    }

    #[test]
    fn a_spread_is_not_cut_to_one_of_its_pages() {
        // Two sheets side by side on the table, a dark gutter between them.
        let left = sheet_on_table(2400, 1600, (150, 150, 1000, 1300));
        let right = sheet_on_table(2400, 1600, (1250, 150, 1000, 1300));
        let img = GrayImage::from_fn(2400, 1600, |x, y| {
            if x < 1200 {
                *left.get_pixel(x, y)
            } else {
                *right.get_pixel(x, y)
            }
        });
        assert!(find_page(&img).is_none());
    }

    #[test]
    fn a_thumb_on_the_page_is_masked() {
        let mut img = sheet_on_table(2000, 1600, (300, 150, 1200, 1300));
        // A thumb: a dark oval coming in over the page's left edge.
        for y in 700..900u32 {
            for x in 250..420u32 {
                let (dx, dy) = (x as f32 - 250.0, y as f32 - 800.0);
                if dx * dx / (170.0 * 170.0) + dy * dy / (100.0 * 100.0) < 1.0 {
                    img.put_pixel(x, y, Luma([110]));
                }
            }
        }
        let found = find_page(&img).expect("a page");
        let out = found.crop_and_mask(&img);
        let (cx, cy) = (found.crop.x, found.crop.y);
        assert_eq!(out.get_pixel(380 - cx, 800 - cy)[0], found.paper);
        // Text beside the thumb is kept.
        assert_eq!(
            out.get_pixel(500 - cx, 820 - cy)[0],
            img.get_pixel(500, 820)[0]
        );
    }
}
