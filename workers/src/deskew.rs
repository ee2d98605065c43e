//! Deskew: estimate the skew of a page by projection profiles on a reduced,
//! binarised copy, then rotate the full-resolution raster once.
//!
//! Sign convention (as in record.json): a positive skew means the text was
//! rotated counter-clockwise as seen on screen; correcting it rotates the page
//! clockwise by the same angle.

use crate::picture::Picture;
use image::{GrayImage, ImageBuffer, Luma, Pixel, Rgb};

/// Largest side of the reduced copy the search runs on.
const REDUCED_SIDE: u32 = 1400;

/// The widest sweep's best score over its least under which the ink does
/// not line up at any angle: it is a picture, not text, and the page is
/// left as it is. Text pages score 1.16-7.7 (realdev, the fetched photos,
/// Leptonica's book captures, the rendered benchmarks); a colour plate with
/// a one-line caption 1.09-1.10, a blank page with a stamp 1.07. Those were
/// turned 11-13 degrees by their hatching or the stamp's outline.
const MIN_SWEEP_CONTRAST: f64 = 1.13;

/// Estimates skew within ±`max_degrees`, coarse to fine: 0.2° and then
/// 0.04° steps on a reduced copy, then 0.005° steps on the full-resolution
/// ink (every second row), where the best angle is the middle of the run of
/// angles that score (within a hair) the same, since at that scale several
/// angles put the same pixels in the same rows. Degrees, positive =
/// counter-clockwise on screen; 0 for a page without ink, or whose ink
/// lines up no better at one angle than at any other
/// ([`MIN_SWEEP_CONTRAST`]).
pub fn estimate(gray: &GrayImage, max_degrees: f32) -> f32 {
    let small = reduce(gray);
    let threshold = otsu(&small);
    let coarse = ink_points(&small, threshold, 1);
    if coarse.len() < 50 {
        return 0.0;
    }
    // The widest sweep only needs a quarter of the ink pixels; taken on a
    // diagonal lattice, so that no row is left out (which would favour 0°).
    let sparse: Vec<(u32, u32)> = coarse
        .iter()
        .copied()
        .filter(|p| (p.0 + p.1) % 4 == 0)
        .collect();
    let wide = search(&sparse, (-max_degrees, max_degrees), 0.2);
    if wide.best < MIN_SWEEP_CONTRAST * wide.least {
        return 0.0;
    }
    let best = search(&coarse, around(wide.angle, 0.2, max_degrees), 0.04).angle;
    let fine = ink_points(gray, threshold, 2);
    search(&fine, around(best, 0.06, max_degrees), 0.005).angle
}

/// `angle` ± `reach`, within ±`max_degrees`.
fn around(angle: f32, reach: f32, max_degrees: f32) -> (f32, f32) {
    (
        (angle - reach).max(-max_degrees),
        (angle + reach).min(max_degrees),
    )
}

/// How strongly the ink lines up in rows and in columns, each at its best
/// angle within ±`max_degrees` (0.5° steps on a reduced copy): text lines
/// across the page give a far higher row score, lines down the page (a page
/// scanned sideways) a higher column score. The two are computed the same
/// way with x and y swapped, so turning a page a quarter swaps them.
///
/// A score is the profile's line peakiness ([`line_peakiness`]), taken in
/// strips `STRIP_INCHES` wide across the profile's direction and averaged
/// by ink: rows within vertical strips, columns within horizontal ones. The
/// strips keep the columns of a newspaper, whose lines need not line up
/// from one column to the next, from blurring each other's line gaps away.
/// `dpi` is the page's resolution.
pub fn line_scores(gray: &GrayImage, max_degrees: f32, dpi: u32) -> (f64, f64) {
    let small = reduce(gray);
    let factor = (gray.width() / small.width().max(1)).max(1);
    let strip = ((STRIP_INCHES * dpi as f32) as u32 / factor).max(8);
    let t = otsu(&small);
    let rows: Vec<(u32, u32)> = ink_points(&small, t, 1)
        .into_iter()
        .filter(|p| (p.0 + p.1) % 4 == 0)
        .collect();
    if rows.len() < 50 {
        return (0.0, 0.0);
    }
    let cols: Vec<(u32, u32)> = rows.iter().map(|&(x, y)| (y, x)).collect();
    let range = (-max_degrees, max_degrees);
    let pitch = (strip as f32 * PITCH_INCHES / STRIP_INCHES)
        .round()
        .max(3.0) as usize;
    let score = |points: &[(u32, u32)]| {
        let angle = search(points, range, 0.5).angle;
        strip_peakiness(points, angle, strip, pitch)
    };
    (score(&rows), score(&cols))
}

/// Width of the strips of [`line_scores`], in inches: about a newspaper
/// column, and about ten lines of book type.
const STRIP_INCHES: f32 = 2.0;

/// The span, in inches, over which [`line_peakiness`] averages a profile to
/// take out what varies slower than lines do: two to three lines of book
/// type (pitch 0.15-0.25 in), a fraction of a column (2 in and more).
const PITCH_INCHES: f32 = 0.5;

/// Ink-weighted mean [`line_peakiness`] of the row profiles at `deg` of
/// vertical strips `strip` pixels wide; strips with under 2% of the ink
/// (margins) are left out.
fn strip_peakiness(points: &[(u32, u32)], deg: f32, strip: u32, window: usize) -> f64 {
    let width = points.iter().map(|p| p.0).max().unwrap_or(0) + 1;
    let mut strips = vec![Vec::new(); width.div_ceil(strip) as usize];
    for &p in points {
        strips[(p.0 / strip) as usize].push(p);
    }
    let (mut sum, mut weight) = (0.0, 0.0);
    for strip in strips.iter().filter(|s| s.len() * 50 >= points.len()) {
        sum += line_peakiness(&profile(strip, deg), window) * strip.len() as f64;
        weight += strip.len() as f64;
    }
    if weight > 0.0 {
        sum / weight
    } else {
        0.0
    }
}

/// How much a profile piles up at a text line's pitch: 1 + its variance
/// about its own moving average over `window` bins, over its squared mean,
/// between its first and last non-empty bin (0 for an empty profile). 1
/// for flat ink, higher for ink piled into lines with gaps between them.
///
/// Two choices, each from a page that was taken for sideways:
/// - Over the squared mean: the raw sum of squared counts that the skew
///   search maximises grows as the span shrinks, so a tall narrow text
///   block scored high on columns whatever its lines did (a full upright
///   Khmer page).
/// - About the moving average, not the mean: across a page in columns, the
///   profile steps between columns and gutters, which the plain coefficient
///   of variation counts as much as lines. An upright magazine spread in
///   four columns (tesseract-ocr/test's 8071_093.3B, once page finding had
///   masked its photograph) scored columns over rows (1.05) and cost its
///   sideways check 2-7 s of reading; here 0.75, and turned a quarter 1.33
///   where the plain measure gave 0.91 and would not have turned it. A
///   column's steps are far slower than `window` and average out; lines
///   are faster and do not.
fn line_peakiness(profile: &[u32], window: usize) -> f64 {
    let (Some(first), Some(last)) = (
        profile.iter().position(|&b| b > 0),
        profile.iter().rposition(|&b| b > 0),
    ) else {
        return 0.0;
    };
    let span = &profile[first..=last];
    let n = span.len();
    // Prefix sums, for each bin's moving average in constant time.
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &b in span {
        prefix.push(prefix.last().unwrap_or(&0.0) + f64::from(b));
    }
    let half = window / 2;
    let squares: f64 = span
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let (lo, hi) = (i.saturating_sub(half), (i + half + 1).min(n));
            let average = (prefix[hi] - prefix[lo]) / (hi - lo) as f64;
            (f64::from(b) - average).powi(2)
        })
        .sum();
    let mean = prefix[n] / n as f64;
    1.0 + squares / n as f64 / (mean * mean)
}

/// The scores of a sweep: its best angle, best score and least score.
struct Sweep {
    angle: f32,
    best: f64,
    least: f64,
}

/// Scores every angle from `range.0` to `range.1` by `step`; the best
/// angle is the middle of the best-scoring run.
fn search(points: &[(u32, u32)], range: (f32, f32), step: f32) -> Sweep {
    let n = ((range.1 - range.0) / step).round().max(0.0) as usize;
    let scores: Vec<(f32, f64)> = (0..=n)
        .map(|i| {
            let deg = range.0 + i as f32 * step;
            (deg, profile_score(points, deg))
        })
        .collect();
    let (arg, &(_, max)) = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
        .expect("at least one angle");
    let near = |s: f64| s >= max * (1.0 - 1e-6);
    let lo = (0..=arg)
        .rev()
        .take_while(|&i| near(scores[i].1))
        .last()
        .unwrap_or(arg);
    let hi = (arg..scores.len())
        .take_while(|&i| near(scores[i].1))
        .last()
        .unwrap_or(arg);
    Sweep {
        angle: (scores[lo].0 + scores[hi].0) / 2.0,
        best: max,
        least: scores.iter().map(|s| s.1).fold(f64::INFINITY, f64::min),
    }
}

/// A box-averaged copy whose larger side is at most `REDUCED_SIDE`.
fn reduce(gray: &GrayImage) -> GrayImage {
    let factor = gray
        .width()
        .max(gray.height())
        .div_ceil(REDUCED_SIDE)
        .max(1) as usize;
    let (w, h) = (
        gray.width() as usize / factor,
        gray.height() as usize / factor,
    );
    let src = gray.as_raw();
    let stride = gray.width() as usize;
    let area = (factor * factor) as u32;
    let mut sums = vec![0u32; w];
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        sums.iter_mut().for_each(|s| *s = 0);
        for row in src[y * factor * stride..].chunks(stride).take(factor) {
            for (x, sum) in sums.iter_mut().enumerate() {
                let cell = &row[x * factor..x * factor + factor];
                *sum += cell.iter().map(|&p| u32::from(p)).sum::<u32>();
            }
        }
        out.extend(sums.iter().map(|&s| (s / area) as u8));
    }
    GrayImage::from_raw(w as u32, h as u32, out).expect("w*h pixels")
}

/// Pixels darker than `threshold`, as (x, y), from every `row_step`-th row.
fn ink_points(gray: &GrayImage, threshold: u8, row_step: u32) -> Vec<(u32, u32)> {
    let w = gray.width() as usize;
    let raw = gray.as_raw();
    let mut out = Vec::new();
    for y in (0..gray.height()).step_by(row_step as usize) {
        let row = &raw[y as usize * w..(y as usize + 1) * w];
        out.extend(
            row.iter()
                .enumerate()
                .filter(|(_, &p)| p < threshold)
                .map(|(x, _)| (x as u32, y)),
        );
    }
    out
}

/// Otsu's threshold of an 8-bit histogram.
pub fn otsu(gray: &GrayImage) -> u8 {
    let hist = histogram(gray.as_raw());
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0u64, 0f64, 0f64, 128u8);
    for (t, &c) in hist.iter().enumerate() {
        w_b += c;
        if w_b == 0 || w_b == total {
            continue;
        }
        sum_b += t as f64 * c as f64;
        let w_f = total - w_b;
        let m_b = sum_b / w_b as f64;
        let m_f = (sum_all - sum_b) / w_f as f64;
        let between = w_b as f64 * w_f as f64 * (m_b - m_f).powi(2);
        if between > best {
            best = between;
            best_t = t as u8 + 1;
        }
    }
    best_t
}

/// How many of `values` have each value. Four counts are kept and summed
/// at the end: a page is mostly runs of one paper value, and a single
/// count table makes each pixel wait for the last one's store to the same
/// slot. Otsu's threshold, taken several times a page on full-size
/// rasters, was 9% of a run on clean pages with one table.
fn histogram(values: &[u8]) -> [u64; 256] {
    let mut lanes = [[0u32; 256]; 4];
    // u32 counts cannot overflow within a chunk of 2^32 - 1 values.
    let mut hist = [0u64; 256];
    for block in values.chunks(u32::MAX as usize) {
        let mut quads = block.chunks_exact(4);
        for q in &mut quads {
            lanes[0][q[0] as usize] += 1;
            lanes[1][q[1] as usize] += 1;
            lanes[2][q[2] as usize] += 1;
            lanes[3][q[3] as usize] += 1;
        }
        for &v in quads.remainder() {
            lanes[0][v as usize] += 1;
        }
        for lane in &mut lanes {
            for (h, c) in hist.iter_mut().zip(lane.iter_mut()) {
                *h += *c as u64;
                *c = 0;
            }
        }
    }
    hist
}

/// How many of `values` are below `t`: a row's ink. Counted in bytes over
/// runs of 255 values, which the compiler does 16 at a time (baseline
/// x86-64); `filter().count()` adds into 64-bit counts, two at a time, and
/// took 8-14 ms where this takes 1.3-2.5 ms on a 4168x5409 page (the
/// rows of text lines, counted several times a page).
pub fn count_below(values: &[u8], t: u8) -> usize {
    values
        .chunks(255)
        .map(|run| {
            // At most 255 ones: no overflow.
            run.iter().fold(0u8, |n, &p| n + u8::from(p < t)) as usize
        })
        .sum()
}

/// Sum of squared row counts after turning the points clockwise by `deg`
/// about the origin: largest when text lines fall into the fewest rows.
fn profile_score(points: &[(u32, u32)], deg: f32) -> f64 {
    profile(points, deg)
        .iter()
        .map(|&b| f64::from(b) * f64::from(b))
        .sum()
}

/// Points projected onto lines at `deg`: counts per bin.
fn profile(points: &[(u32, u32)], deg: f32) -> Vec<u32> {
    let (s, c) = (deg.to_radians() as f64).sin_cos();
    let (max_x, max_y) = points
        .iter()
        .fold((0, 0), |m, p| (m.0.max(p.0), m.1.max(p.1)));
    let offset = (max_x as f64 * s.abs()).ceil() + 1.0;
    let mut bins = vec![0u32; (offset * 2.0 + max_y as f64 + 2.0) as usize];
    for &(x, y) in points {
        let i = (x as f64 * s + y as f64 * c + offset) as usize;
        if let Some(b) = bins.get_mut(i) {
            *b += 1;
        }
    }
    bins
}

/// Turns an image clockwise by `degrees` (to undo a counter-clockwise skew
/// of that much), bilinear, on a canvas enlarged so that no corner is cut;
/// the new area is filled with `fill`.
///
/// Source coordinates are stepped along each output row in 16.16 fixed
/// point. The stretch of the row whose four neighbours all lie inside the
/// source is worked out first ([`inside`]) and turned with no test per
/// pixel; only the few pixels at its ends take the checked path: a full A4
/// page at 300 dpi turns in about 15 ms.
pub fn rotate<P>(img: &ImageBuffer<P, Vec<u8>>, degrees: f32, fill: P) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8>,
{
    let (w, h) = (img.width() as i64, img.height() as i64);
    let turn = Turning::new(img.width(), img.height(), degrees);
    let (nw, (step_x, step_y)) = (turn.width, turn.step);
    let ch = P::CHANNEL_COUNT as usize;
    let src = img.as_raw();
    let stride = w as usize * ch;
    let fill_px: Vec<u8> = fill.channels().to_vec();
    let mut out = ImageBuffer::from_pixel(nw, turn.height, fill);
    let row_len = nw as usize * ch;
    let dst: &mut [u8] = &mut out;
    for (oy, row) in dst.chunks_exact_mut(row_len).enumerate() {
        let (sx, sy) = turn.row_start(oy as u32);
        // Pixels [lo, hi) have all four neighbours inside: x0 in 0..w-1
        // and y0 in 0..h-1, both linear in the output column.
        let (xa, xb) = inside(sx, step_x, (w - 1) * FIXED);
        let (ya, yb) = inside(sy, step_y, (h - 1) * FIXED);
        let n = nw as i64;
        let lo = xa.max(ya).clamp(0, n);
        let hi = xb.min(yb).clamp(lo, n);
        let at = |ox: i64| (sx + ox * step_x, sy + ox * step_y);
        let checked = |row: &mut [u8], ox: i64| {
            let (px, py) = at(ox);
            let (x0, y0) = (px >> 16, py >> 16);
            if x0 < -1 || y0 < -1 || x0 >= w || y0 >= h {
                return; // outside: already filled
            }
            let (fx, fy) = (px & (FIXED - 1), py & (FIXED - 1));
            // Neighbours outside the source count as fill.
            let sample = |x: i64, y: i64, k: usize| -> i64 {
                if x < 0 || y < 0 || x >= w || y >= h {
                    fill_px[k] as i64
                } else {
                    src[y as usize * stride + x as usize * ch + k] as i64
                }
            };
            for k in 0..ch {
                let v = bilinear(
                    [
                        sample(x0, y0, k),
                        sample(x0 + 1, y0, k),
                        sample(x0, y0 + 1, k),
                        sample(x0 + 1, y0 + 1, k),
                    ],
                    fx,
                    fy,
                );
                row[ox as usize * ch + k] = v;
            }
        };
        for ox in (0..lo).chain(hi..n) {
            checked(row, ox);
        }
        let (mut px, mut py) = at(lo);
        for out_px in row[lo as usize * ch..hi as usize * ch].chunks_exact_mut(ch) {
            let (x0, y0) = ((px >> 16) as usize, (py >> 16) as usize);
            let (fx, fy) = (px & (FIXED - 1), py & (FIXED - 1));
            px += step_x;
            py += step_y;
            let i = y0 * stride + x0 * ch;
            let (top, bottom) = (&src[i..i + 2 * ch], &src[i + stride..i + stride + 2 * ch]);
            for k in 0..ch {
                out_px[k] = bilinear(
                    [
                        top[k] as i64,
                        top[ch + k] as i64,
                        bottom[k] as i64,
                        bottom[ch + k] as i64,
                    ],
                    fx,
                    fy,
                );
            }
        }
    }
    out
}

/// One in 16.16 fixed point, [`rotate`]'s coordinates.
const FIXED: i64 = 1 << 16;

/// The geometry of [`rotate`]: the enlarged canvas, and where each of its
/// points comes from in the source, in 16.16 fixed point.
struct Turning {
    width: u32,
    height: u32,
    /// How far the source point moves for one pixel along an output row.
    step: (i64, i64),
    sin_cos: (f64, f64),
    /// The source's centre and the canvas's.
    centres: ((f64, f64), (f64, f64)),
}

impl Turning {
    fn new(w: u32, h: u32, degrees: f32) -> Turning {
        let (s, c) = (degrees.to_radians() as f64).sin_cos();
        let (wf, hf) = (w as f64, h as f64);
        let width = (wf * c.abs() + hf * s.abs()).ceil() as u32;
        let height = (wf * s.abs() + hf * c.abs()).ceil() as u32;
        Turning {
            width,
            height,
            step: ((c * FIXED as f64) as i64, (-s * FIXED as f64) as i64),
            sin_cos: (s, c),
            centres: (
                (wf / 2.0, hf / 2.0),
                (width as f64 / 2.0, height as f64 / 2.0),
            ),
        }
    }

    /// The source point of output row `oy`'s first pixel. Inverse map: the
    /// output point (dx, dy) from the centre comes from source
    /// (dx*c + dy*s, -dx*s + dy*c) from the source centre.
    fn row_start(&self, oy: u32) -> (i64, i64) {
        let ((s, c), ((cx, cy), (ncx, ncy))) = (self.sin_cos, self.centres);
        let dy = oy as f64 + 0.5 - ncy;
        let dx0 = 0.5 - ncx;
        (
            ((dx0 * c + dy * s + cx - 0.5) * FIXED as f64) as i64,
            ((-dx0 * s + dy * c + cy - 0.5) * FIXED as f64) as i64,
        )
    }
}

/// The bilinear blend of `[top left, top right, bottom left, bottom right]`
/// at fractions `fx`, `fy` (16.16), rounded to the nearest value.
#[inline(always)]
fn bilinear([a, b, c, d]: [i64; 4], fx: i64, fy: i64) -> u8 {
    let top = a * FIXED + (b - a) * fx;
    let bottom = c * FIXED + (d - c) * fx;
    let v = top * FIXED + (bottom - top) * fy;
    ((v + (1 << 31)) >> 32) as u8
}

/// The output columns `[from, to)` at which `start + column * step` (16.16)
/// lies in `[0, end)`, so that its whole pixel and the next are inside.
fn inside(start: i64, step: i64, end: i64) -> (i64, i64) {
    // ceil(a / b) for b > 0.
    let ceil = |a: i64, b: i64| (a + b - 1).div_euclid(b);
    match step.cmp(&0) {
        std::cmp::Ordering::Equal if (0..end).contains(&start) => (0, i64::MAX),
        std::cmp::Ordering::Equal => (0, 0),
        // start + c*step >= 0  <=>  c >= ceil(-start / step); < end likewise.
        std::cmp::Ordering::Greater => (ceil(-start, step), ceil(end - start, step)),
        // With step < 0: c <= floor(-start / step) and c > (end - start) / step.
        std::cmp::Ordering::Less => (
            (start - end).div_euclid(-step) + 1,
            start.div_euclid(-step) + 1,
        ),
    }
}

/// A page after deskew.
pub struct Deskewed {
    pub gray: GrayImage,
    pub picture: Option<Picture>,
    /// The skew found, degrees counter-clockwise.
    pub skew: f32,
    /// Whether the raster was rotated (|skew| at or above the threshold).
    pub rotated: bool,
}

/// Estimates the skew (unless `known`, [`estimate`]'s answer for this very
/// raster, is given) and, when it is at least `min_degrees`, rotates the
/// gray raster and the picture (if any) to straighten it.
pub fn deskew(
    gray: GrayImage,
    picture: Option<Picture>,
    max_degrees: f32,
    min_degrees: f32,
    known: Option<f32>,
) -> Deskewed {
    let skew = known.unwrap_or_else(|| estimate(&gray, max_degrees));
    if skew.abs() < min_degrees {
        return Deskewed {
            gray,
            picture,
            skew,
            rotated: false,
        };
    }
    let gray = rotate(&gray, skew, Luma([255]));
    let picture = picture.map(|p| {
        p.map(
            |g| rotate(g, skew, Luma([255])),
            |c| rotate(c, skew, Rgb([255, 255, 255])),
        )
    });
    Deskewed {
        gray,
        picture,
        skew,
        rotated: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counted in bytes, the same as counted one by one: across runs of
    /// 255, with every value below, none below, and a row longer than a
    /// byte can count.
    #[test]
    fn ink_counted_in_bytes_is_counted_right() {
        let row: Vec<u8> = (0..2000u32).map(|i| (i * 37 % 256) as u8).collect();
        for len in [0, 1, 254, 255, 256, 511, 2000] {
            for t in [0u8, 1, 100, 128, 255] {
                let slow = row[..len].iter().filter(|&&p| p < t).count();
                assert_eq!(count_below(&row[..len], t), slow, "len {len} t {t}");
            }
        }
        assert_eq!(count_below(&[0u8; 1000], 255), 1000);
    }

    /// Lines pile ink up at their pitch; columns step slowly between text
    /// and gutter. The plain coefficient of variation scores the two
    /// alike (2.4 and 1.8 here); the line peakiness does not.
    #[test]
    fn columns_do_not_score_as_lines() {
        // Twelve lines, 8 bins of ink in every 20.
        let lines: Vec<u32> = (0..240).map(|i| if i % 20 < 8 { 40 } else { 0 }).collect();
        // Five columns 80 bins wide, gutters as wide between them.
        let columns: Vec<u32> = (0..720)
            .map(|i| if i % 160 < 80 { 40 } else { 0 })
            .collect();
        let plain = |p: &[u32]| line_peakiness(p, 10_000);
        assert!(plain(&lines) > 2.3 && plain(&columns) > 1.7);
        assert!(
            line_peakiness(&lines, 25) > 2.0,
            "{}",
            line_peakiness(&lines, 25)
        );
        assert!(
            line_peakiness(&columns, 25) < 1.15,
            "{}",
            line_peakiness(&columns, 25)
        );
        assert_eq!(line_peakiness(&[0, 0, 0], 25), 0.0);
        // Flat ink, zeros either side left out.
        assert_eq!(line_peakiness(&[0, 7, 7, 7, 7, 0], 3), 1.0);
    }

    #[test]
    fn the_histogram_counts_every_value() {
        // Runs of one value, as paper is, then every value, and a length
        // that is not a multiple of four.
        let mut values = vec![255u8; 1001];
        values.extend((0..=255u8).cycle().take(3 * 256 + 3));
        values.extend([0u8; 7]);
        let mut want = [0u64; 256];
        for &v in &values {
            want[v as usize] += 1;
        }
        assert_eq!(histogram(&values), want);
        assert_eq!(histogram(&[]), [0u64; 256]);
    }

    /// A synthetic text page: rows of dark "words" with gaps.
    fn page() -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 1600, Luma([255]));
        for line in 0..30 {
            let y0 = 120 + line * 45;
            let mut x = 100;
            let mut k = line;
            while x < 1080 {
                let len = 30 + (k * 37 % 70);
                for y in y0..y0 + 18 {
                    for xx in x..(x + len).min(1100) {
                        img.put_pixel(xx, y, Luma([20]));
                    }
                }
                x += len + 18;
                k += 7;
            }
        }
        img
    }

    /// `rotate` by a negative angle turns counter-clockwise: that is how a
    /// known skew is made.
    #[test]
    fn known_angles_are_found() {
        let straight = page();
        for &angle in &[0.0f32, 0.7, -1.3, 4.0, -9.0, 14.5] {
            let skewed = rotate(&straight, -angle, Luma([255]));
            let found = estimate(&skewed, 15.0);
            assert!(
                (found - angle).abs() <= 0.03,
                "made {angle}°, found {}°",
                found
            );
        }
    }

    /// A plate: a hatched picture (strokes at 25 degrees, as an engraving's
    /// or a colour plate's shading) with a one-line caption under it.
    fn plate() -> GrayImage {
        let mut img = GrayImage::from_pixel(1200, 1600, Luma([255]));
        let slope = 25f32.to_radians().tan();
        for y in 150..1250u32 {
            for x in 150..1050u32 {
                let along = y as f32 - slope * x as f32;
                let in_blob = ((x as f32 - 600.0) / 420.0).powi(2)
                    + ((y as f32 - 700.0) / 520.0).powi(2)
                    < 1.0;
                if in_blob && along.rem_euclid(9.0) < 3.0 {
                    img.put_pixel(x, y, Luma([40]));
                }
            }
        }
        let mut x = 300;
        while x < 900 {
            for y in 1400..1418 {
                for xx in x..x + 40 {
                    img.put_pixel(xx, y, Luma([20]));
                }
            }
            x += 58;
        }
        img
    }

    #[test]
    fn a_picture_is_not_taken_for_skewed_text() {
        // Its strokes line up at 25 degrees, but a sweep that finds no
        // angle far better than the others is no skew: the caption is level.
        assert_eq!(estimate(&plate(), 15.0), 0.0);
        let d = deskew(plate(), None, 15.0, 0.1, None);
        assert!(!d.rotated);
    }

    #[test]
    fn deskew_straightens() {
        let skewed = rotate(&page(), -3.0, Luma([255]));
        let d = deskew(skewed, None, 15.0, 0.1, None);
        assert!(d.rotated);
        assert!(estimate(&d.gray, 15.0).abs() <= 0.03);
        let straight = deskew(page(), None, 15.0, 0.1, None);
        assert!(!straight.rotated);
        assert_eq!(straight.gray.dimensions(), (1200, 1600));
    }

    #[test]
    fn rotation_enlarges_canvas_and_keeps_ink() {
        let img = page();
        let ink = |i: &GrayImage| i.pixels().filter(|p| p[0] < 128).count() as f64;
        let r = rotate(&img, 10.0, Luma([255]));
        assert!(r.width() > 1200 && r.height() > 1600);
        assert!((ink(&r) / ink(&img) - 1.0).abs() < 0.02);
    }

    /// The plain per-pixel bilinear rotation, every pixel checked: what
    /// [`rotate`] must give bit for bit.
    fn rotate_pixel_by_pixel<P: Pixel<Subpixel = u8>>(
        img: &ImageBuffer<P, Vec<u8>>,
        degrees: f32,
        fill: P,
    ) -> ImageBuffer<P, Vec<u8>> {
        let (w, h) = (img.width() as i64, img.height() as i64);
        let turn = Turning::new(img.width(), img.height(), degrees);
        let (step_x, step_y) = turn.step;
        let mut out = ImageBuffer::from_pixel(turn.width, turn.height, fill);
        for oy in 0..turn.height {
            let (mut sx, mut sy) = turn.row_start(oy);
            for ox in 0..turn.width {
                let (x0, y0) = (sx >> 16, sy >> 16);
                let (fx, fy) = (sx & (FIXED - 1), sy & (FIXED - 1));
                sx += step_x;
                sy += step_y;
                if x0 < -1 || y0 < -1 || x0 >= w || y0 >= h {
                    continue;
                }
                let px = out.get_pixel_mut(ox, oy).channels_mut();
                for (k, out) in px.iter_mut().enumerate() {
                    let sample = |x: i64, y: i64| -> i64 {
                        if x < 0 || y < 0 || x >= w || y >= h {
                            fill.channels()[k] as i64
                        } else {
                            img.get_pixel(x as u32, y as u32).channels()[k] as i64
                        }
                    };
                    let top = sample(x0, y0) * FIXED + (sample(x0 + 1, y0) - sample(x0, y0)) * fx;
                    let bottom = sample(x0, y0 + 1) * FIXED
                        + (sample(x0 + 1, y0 + 1) - sample(x0, y0 + 1)) * fx;
                    let v = top * FIXED + (bottom - top) * fy;
                    *out = ((v + (1 << 31)) >> 32) as u8;
                }
            }
        }
        out
    }

    #[test]
    fn rotation_gives_the_pixel_by_pixel_bits() {
        let gray = GrayImage::from_fn(301, 217, |x, y| Luma([((x * 7 + y * 13) ^ (x * y)) as u8]));
        let color = image::RgbImage::from_fn(190, 263, |x, y| {
            Rgb([(x ^ y) as u8, (x * 3) as u8, (y * 5 + x) as u8])
        });
        for degrees in [0.05, 0.4, -0.4, 1.3, -4.7, 9.0, -15.0, 45.0, 90.0, -120.0] {
            assert!(
                rotate(&gray, degrees, Luma([255]))
                    == rotate_pixel_by_pixel(&gray, degrees, Luma([255])),
                "gray, {degrees} degrees"
            );
            let white = Rgb([255, 255, 255]);
            assert!(
                rotate(&color, degrees, white) == rotate_pixel_by_pixel(&color, degrees, white),
                "colour, {degrees} degrees"
            );
        }
    }

    #[test]
    fn blank_page_is_not_skewed() {
        let s = estimate(&GrayImage::from_pixel(500, 700, Luma([255])), 15.0);
        assert_eq!(s, 0.0);
    }
}
