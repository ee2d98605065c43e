//! Curled lines straightened: a text-line based dewarp. A book photographed
//! open bends its lines near the spine, and perspective tilts them
//! differently at the top and the bottom of the page; read as they are, the
//! bent lines run into their neighbours and Tesseract drops or merges them.
//!
//! The page is cut into vertical strips and horizontal bands. Within a band
//! the ink profile of each strip is matched against the next strip's, which
//! gives how far the lines rise or fall from strip to strip; summed along the
//! band, that is the lines' vertical course. Each column is then moved up or
//! down by the interpolated course, which straightens the lines. (Leptonica's
//! dewarp fits the lines' centres with polynomials; matching profiles needs
//! no line finding and degrades gracefully where a strip has no text.)
//!
//! Do no harm: a page whose lines bend by less than [`MIN_BEND`] x-heights
//! is left alone (measured, nothing else paid), and the straightened page is
//! kept only when its lines are measurably straighter ([`MIN_GAIN`]).

use crate::picture::Picture;
use image::{GrayImage, ImageBuffer, Pixel};
use serde::{Deserialize, Serialize};

/// Strips across the text's width.
const STRIPS: usize = 16;

/// Band height, in x-heights: about eight lines, enough for a profile to be
/// a pattern, short enough that the curl changes little within it.
const BAND_X_HEIGHTS: f32 = 20.0;

/// Lines that rise or fall by less than this many x-heights across the page
/// are left as they are: a fraction of a line's own height does not move
/// it into its neighbour.
const MIN_BEND: f32 = 1.0;

/// The straightened page must have line profiles this much peakier
/// (straight lines stack into sharp peaks) than the page as it was.
const MIN_GAIN: f64 = 1.05;

/// What the dewarp did, for record.json.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dewarp {
    /// Largest vertical move of any column, pixels.
    pub max_shift: f32,
    /// How much straighter the lines are: the peakiness of the line profiles
    /// after, over before (above 1).
    pub gain: f32,
}

/// Vertical moves on a grid: `shift[band][strip]`, pixels, at the strip and
/// band centres.
struct Field {
    xs: Vec<f32>,
    ys: Vec<f32>,
    shift: Vec<Vec<f32>>,
}

/// The page straightened, or `None` when its lines are straight enough or
/// straightening does not make them straighter.
pub fn dewarp(
    gray: &GrayImage,
    picture: Option<&Picture>,
) -> Option<(GrayImage, Option<Picture>, Dewarp)> {
    let ink = Ink::of(gray)?;
    let x_height = strip_x_height(&ink)?;
    if x_height < 4.0 {
        return None;
    }
    let field = measure(&ink, x_height)?;
    let before = straightness(&ink, x_height, None);
    let after = straightness(&ink, x_height, Some(&field));
    let gain = after / before.max(1e-9);
    if gain < MIN_GAIN {
        return None;
    }
    let max_shift = field
        .shift
        .iter()
        .flatten()
        .fold(0f32, |m, &s| m.max(s.abs()));
    let dewarped = remap(gray, &field, 255u8);
    let picture = picture.map(|p| p.map(|g| remap(g, &field, 255), |c| remap(c, &field, 255)));
    Some((
        dewarped,
        picture,
        Dewarp {
            max_shift: (max_shift * 10.0).round() / 10.0,
            gain: (gain as f32 * 1000.0).round() / 1000.0,
        },
    ))
}

/// Dark pixels (below 128 on the normalised page) as a bitmap, and the
/// span of columns and rows holding the inner 98% of them.
struct Ink {
    w: usize,
    on: Vec<bool>,
    cols: (usize, usize),
    rows: (usize, usize),
}

impl Ink {
    /// `None` for a page with no ink.
    fn of(gray: &GrayImage) -> Option<Ink> {
        let (w, h) = (gray.width() as usize, gray.height() as usize);
        let on: Vec<bool> = gray.as_raw().iter().map(|&p| p < 128).collect();
        let mut cols = vec![0usize; w];
        let mut rows = vec![0usize; h];
        for (i, _) in on.iter().enumerate().filter(|(_, &o)| o) {
            cols[i % w] += 1;
            rows[i / w] += 1;
        }
        Some(Ink {
            w,
            cols: inner(&cols)?,
            rows: inner(&rows)?,
            on,
        })
    }

    /// Width of each of the [`STRIPS`] strips across the text.
    fn strip_width(&self) -> usize {
        (self.cols.1 - self.cols.0) / STRIPS
    }

    /// The columns of strip `i`.
    fn strip(&self, i: usize) -> (usize, usize) {
        let s = self.strip_width();
        (self.cols.0 + i * s, self.cols.0 + (i + 1) * s)
    }

    /// Ink per row `y.0..y.1` within columns `x.0..x.1`.
    fn profile(&self, x: (usize, usize), y: (usize, usize)) -> Vec<f32> {
        (y.0..y.1)
            .map(|yy| {
                self.on[yy * self.w + x.0..yy * self.w + x.1]
                    .iter()
                    .filter(|&&o| o)
                    .count() as f32
            })
            .collect()
    }
}

/// The median x-height of the text, measured within narrow strips, where
/// even a curled line runs level enough for its rows to be told from the
/// next line's (a whole-width profile of a curled page is one smear).
fn strip_x_height(ink: &Ink) -> Option<f32> {
    if ink.strip_width() < 8 {
        return None;
    }
    let mut cores = Vec::new();
    for i in 0..STRIPS {
        let p = ink.profile(ink.strip(i), ink.rows);
        let mut y = 0;
        while y < p.len() {
            if p[y] == 0.0 {
                y += 1;
                continue;
            }
            let start = y;
            while y < p.len() && p[y] > 0.0 {
                y += 1;
            }
            cores.extend(crate::resolution::line_core(&p[start..y]));
        }
    }
    cores.sort_unstable();
    cores.get(cores.len() / 2).map(|&c| c as f32)
}

/// The first and last index holding the inner 98% of `counts`' total.
fn inner(counts: &[usize]) -> Option<(usize, usize)> {
    let total: usize = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let cut = total / 100;
    let mut seen = 0;
    let first = counts.iter().position(|&c| {
        seen += c;
        seen > cut
    })?;
    seen = 0;
    let last = counts.len()
        - 1
        - counts.iter().rev().position(|&c| {
            seen += c;
            seen > cut
        })?;
    (first < last).then_some((first, last + 1))
}

/// The lines' vertical course in each band, or `None` when they bend less
/// than [`MIN_BEND`].
fn measure(ink: &Ink, x_height: f32) -> Option<Field> {
    let (y0, y1) = ink.rows;
    let band = (BAND_X_HEIGHTS * x_height) as usize;
    if ink.strip_width() < 8 || y1 - y0 < band {
        return None;
    }
    let reach = x_height.round().max(2.0) as i64;
    let xs: Vec<f32> = (0..STRIPS)
        .map(|i| (ink.strip(i).0 + ink.strip_width() / 2) as f32)
        .collect();
    let mut ys = Vec::new();
    let mut shift = Vec::new();
    let mut top = y0;
    while top + band / 2 < y1 {
        let rows = (top, (top + band).min(y1));
        let profiles: Vec<Vec<f32>> = (0..STRIPS)
            .map(|i| smooth(&ink.profile(ink.strip(i), rows), x_height))
            .collect();
        let mut course = [0f32; STRIPS];
        for i in 1..STRIPS {
            course[i] = course[i - 1] + step(&profiles[i - 1], &profiles[i], reach);
        }
        let mean = course.iter().sum::<f32>() / STRIPS as f32;
        ys.push((rows.0 + rows.1) as f32 / 2.0);
        shift.push(course.iter().map(|c| c - mean).collect::<Vec<f32>>());
        top += band / 2;
    }
    let bend = shift
        .iter()
        .map(|s| {
            s.iter().cloned().fold(f32::MIN, f32::max) - s.iter().cloned().fold(f32::MAX, f32::min)
        })
        .fold(0f32, f32::max);
    (bend >= MIN_BEND * x_height).then_some(Field { xs, ys, shift })
}

/// A box average over about half an x-height, so that a profile matches its
/// neighbour's by lines, not by single pixel rows.
fn smooth(p: &[f32], x_height: f32) -> Vec<f32> {
    let r = (x_height / 4.0).round().max(1.0) as usize;
    (0..p.len())
        .map(|i| {
            let (a, b) = (i.saturating_sub(r), (i + r + 1).min(p.len()));
            p[a..b].iter().sum::<f32>() / (b - a) as f32
        })
        .collect()
}

/// How far (rows, sub-pixel) the lines of profile `b` lie below those of
/// `a`: the shift within `reach` that best matches them, 0 when either has
/// too little ink to say.
fn step(a: &[f32], b: &[f32], reach: i64) -> f32 {
    let energy = |p: &[f32]| p.iter().map(|v| v * v).sum::<f32>();
    if energy(a) < 1.0 || energy(b) < 1.0 {
        return 0.0;
    }
    let n = a.len() as i64;
    let score = |d: i64| -> f32 {
        (0..n)
            .filter(|&y| (0..n).contains(&(y + d)))
            .map(|y| a[y as usize] * b[(y + d) as usize])
            .sum()
    };
    let scores: Vec<f32> = (-reach..=reach).map(score).collect();
    let best = (0..scores.len())
        .max_by(|&i, &j| scores[i].total_cmp(&scores[j]))
        .unwrap();
    // A peak at the end of the reach is a neighbouring line, not this one.
    if best == 0 || best == scores.len() - 1 {
        return 0.0;
    }
    let (l, c, r) = (scores[best - 1], scores[best], scores[best + 1]);
    let denom = l - 2.0 * c + r;
    let sub = if denom.abs() > 1e-6 {
        0.5 * (l - r) / denom
    } else {
        0.0
    };
    (best as i64 - reach) as f32 + sub
}

/// The field's shift at (x, y), bilinear between grid points, held flat
/// beyond them.
fn shift_at(f: &Field, x: f32, y: f32) -> f32 {
    let (x0, x1, tx) = locate(&f.xs, x);
    let (y0, y1, ty) = locate(&f.ys, y);
    let row = |b: usize| f.shift[b][x0] * (1.0 - tx) + f.shift[b][x1] * tx;
    row(y0) * (1.0 - ty) + row(y1) * ty
}

/// The grid points either side of `t` and the weight of the second.
fn locate(v: &[f32], t: f32) -> (usize, usize, f32) {
    if v.len() == 1 || t <= v[0] {
        return (0, 0, 0.0);
    }
    if t >= v[v.len() - 1] {
        return (v.len() - 1, v.len() - 1, 0.0);
    }
    let i = v.iter().rposition(|&p| p <= t).unwrap();
    (i, i + 1, (t - v[i]) / (v[i + 1] - v[i]))
}

/// How straight the lines are: the peakiness (sum of squares over square of
/// sum) of each band's full-width row profile, summed over bands, with the
/// rows moved by the field when one is given.
fn straightness(ink: &Ink, x_height: f32, field: Option<&Field>) -> f64 {
    let ((x0, x1), (y0, y1)) = (ink.cols, ink.rows);
    let band = (BAND_X_HEIGHTS * x_height) as usize;
    let mut total = 0.0;
    let mut top = y0;
    while top < y1 {
        let bottom = (top + band).min(y1);
        let mut profile = vec![0f64; bottom - top];
        for y in top..bottom {
            for x in (x0..x1).step_by(2) {
                if !ink.on[y * ink.w + x] {
                    continue;
                }
                // Where this ink lands once the field is applied.
                let moved = match field {
                    Some(f) => y as f32 - shift_at(f, x as f32, y as f32),
                    None => y as f32,
                };
                let r = moved.round() as i64 - top as i64;
                if (0..profile.len() as i64).contains(&r) {
                    profile[r as usize] += 1.0;
                }
            }
        }
        let sum: f64 = profile.iter().sum();
        if sum > 0.0 {
            total += profile.iter().map(|v| v * v).sum::<f64>() / sum;
        }
        top = bottom;
    }
    total
}

/// Each column moved vertically by the field: the output row y takes the
/// input row y + shift, interpolated.
fn remap<P>(img: &ImageBuffer<P, Vec<u8>>, f: &Field, fill: u8) -> ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8> + 'static,
{
    let (w, h) = img.dimensions();
    let channels = P::CHANNEL_COUNT as usize;
    let src = img.as_raw();
    let mut out = vec![fill; src.len()];
    // Each band's shift for every column, once; rows interpolate between.
    let columns: Vec<Vec<f32>> =
        f.ys.iter()
            .map(|&y| (0..w).map(|x| shift_at(f, x as f32, y)).collect())
            .collect();
    for y in 0..h {
        let (b0, b1, t) = locate(&f.ys, y as f32);
        for (x, (s0, s1)) in columns[b0].iter().zip(&columns[b1]).enumerate() {
            let sy = y as f32 + s0 * (1.0 - t) + s1 * t;
            let (y0, ty) = (sy.floor(), sy - sy.floor());
            if y0 < 0.0 || y0 as u32 + 1 >= h {
                continue;
            }
            let a = (y0 as usize * w as usize + x) * channels;
            let b = a + w as usize * channels;
            let o = (y as usize * w as usize + x) * channels;
            for c in 0..channels {
                out[o + c] =
                    (src[a + c] as f32 * (1.0 - ty) + src[b + c] as f32 * ty).round() as u8;
            }
        }
    }
    ImageBuffer::from_raw(w, h, out).expect("same size")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// Lines of word-like bars, each bent by `bend(x)` pixels.
    fn page(bend: impl Fn(f32) -> f32) -> GrayImage {
        let (w, h) = (1600u32, 1400u32);
        GrayImage::from_fn(w, h, |x, y| {
            let yy = y as f32 - bend(x as f32);
            let in_text = (100..1500).contains(&x) && yy > 100.0 && yy < 1300.0;
            let line = (yy as i64).rem_euclid(48) < 20;
            let word = (x % 90) < 70 && (x % 11) < 8;
            Luma([if in_text && line && word { 0 } else { 255 }])
        })
    }

    #[test]
    fn straight_lines_are_left_alone() {
        assert!(dewarp(&page(|_| 0.0), None).is_none());
    }

    #[test]
    fn lines_bent_towards_a_spine_are_straightened() {
        // Curl near the left edge, as beside a book's spine: 30 px at x=100.
        let bend = |x: f32| 30.0 * ((600.0 - x).max(0.0) / 500.0).powi(2);
        let curled = page(bend);
        let (flat, _, d) = dewarp(&curled, None).expect("straightened");
        assert!(d.max_shift > 10.0 && d.gain > 1.2, "{d:?}");
        // The lines near the spine (x=120) now lie at the same rows as on
        // the open page (x=1400): compare which rows hold ink at each.
        let inked = |img: &GrayImage, x: u32| -> Vec<bool> {
            (300..700)
                .map(|y| (x..x + 60).any(|xx| img.get_pixel(xx, y)[0] < 128))
                .collect()
        };
        let differ = |img: &GrayImage| {
            let (a, b) = (inked(img, 120), inked(img, 1400));
            a.iter().zip(&b).filter(|(p, q)| p != q).count()
        };
        assert!(
            differ(&curled) > 150,
            "the test page is not curled: {}",
            differ(&curled)
        );
        assert!(
            differ(&flat) < 60,
            "still bent: {} rows differ, {} before",
            differ(&flat),
            differ(&curled)
        );
    }
}
