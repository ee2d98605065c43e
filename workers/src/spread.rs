//! Two-page spreads split into their pages. An overhead book scanner, or a
//! phone held over an open book, takes both pages in one image; read as one
//! page, the lines of the left page run on into the right page's.
//!
//! The gutter is where the paper itself darkens between two text blocks:
//! the shadow or fold of the spine, or the dark strip of the cradle. It is
//! looked for in the capture with the ink taken out (as page finding does),
//! so that the white gap between two columns of one page, where the paper
//! stays bright, is never taken for a gutter.

use crate::pagefind::{close, reduce, CropBox, INK_RADIUS, WORK_SIDE};

/// The gutter is looked for on a copy half as fine as page finding's: a
/// column profile needs no more, and the test then costs a quarter.
const SIDE: u32 = WORK_SIDE / 2;

/// The closing's radius on that copy: the same share of the page.
const RADIUS: usize = INK_RADIUS / 2;
use crate::raster::Raster;
use image::GrayImage;
use serde::{Deserialize, Serialize};

/// When a capture is split into two pages. `config/default.toml`:
/// `deskew.split_spreads`, default `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SplitMode {
    /// Split a landscape capture with a gutter (a shadow or fold darker than
    /// the paper, text on both sides).
    #[default]
    Auto,
    /// Split every capture: at the gutter if one shows, else in the white
    /// between the two text blocks nearest the middle, else in the middle.
    Always,
    /// Never split.
    Never,
}

/// Which page of a spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

/// The part of a master a page was cut from, as record.json says it: the
/// side, and the box in the master's pixels once its EXIF orientation is
/// applied.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub side: Side,
    #[serde(flatten)]
    pub crop: CropBox,
}

/// A spread is wider than high by at least this: two portrait pages side
/// by side are 1.3-1.5 times as wide as high, one page at most 1.0.
const MIN_ASPECT: f32 = 1.15;

/// How much darker than the paper the gutter must be, as a share of the
/// paper's brightness: a spine's shadow or fold is 15-60% darker; uneven
/// light across one flat page changes by a few percent over such a width.
const MIN_DEPTH: f32 = 0.12;

/// The gutter is a valley: within this share of the width on each side the
/// paper is bright again (at least halfway back).
const VALLEY_HALF_WIDTH: f32 = 0.08;

/// A reduced cell holds ink when it is this much darker than the paper
/// around it (the closing's value): a cell of body text averages 0.7-0.85
/// of the paper, a cell of paper 0.95-1.
const INKED: f32 = 0.9;

/// Each page must hold ink in at least this share of its reduced cells.
const MIN_INK: f32 = 0.005;

/// Where to split `gray` (a column, in its pixels), or `None`.
pub fn gutter(gray: &GrayImage, mode: SplitMode) -> Option<u32> {
    let (w, h) = gray.dimensions();
    if mode == SplitMode::Never || (mode == SplitMode::Auto && (w as f32) < MIN_ASPECT * h as f32) {
        return None;
    }
    let factor = w.max(h).div_ceil(SIDE).max(1);
    let small = reduce(gray, factor);
    let (sw, sh) = (w.div_ceil(factor) as usize, h.div_ceil(factor) as usize);
    if sw < 4 * RADIUS || sh < 4 * RADIUS {
        return (mode == SplitMode::Always).then_some(w / 2);
    }
    let closed = close(&small, sw, sh, RADIUS);
    let profile = column_profile(&closed, sw, sh);
    let inked: Vec<bool> = small
        .iter()
        .zip(&closed)
        .map(|(&s, &c)| s < INKED * c)
        .collect();
    let found = valley(&profile).filter(|&x| both_sides_inked(&inked, sw, sh, x));
    match (found, mode) {
        (Some(x), _) => Some(((x as u32 * factor + factor / 2).min(w - 1)).max(1)),
        (None, SplitMode::Always) => {
            Some(white_gap(&inked, sw, sh).map_or(w / 2, |x| x as u32 * factor))
        }
        _ => None,
    }
}

/// The mean brightness of each column over the middle 60% of the rows
/// (clear of a cradle's top and bottom edges and the page heads).
fn column_profile(closed: &[f32], w: usize, h: usize) -> Vec<f32> {
    let (y0, y1) = (h / 5, h * 4 / 5);
    (0..w)
        .map(|x| (y0..y1).map(|y| closed[y * w + x]).sum::<f32>() / (y1 - y0) as f32)
        .collect()
}

/// The gutter's column: the darkest column in the middle 30% of the width,
/// when it is at least [`MIN_DEPTH`] darker than the paper and a valley
/// ([`VALLEY_HALF_WIDTH`]).
fn valley(profile: &[f32]) -> Option<usize> {
    let w = profile.len();
    let x = middle(w).min_by(|&i, &j| profile[i].total_cmp(&profile[j]))?;
    let paper = |range: std::ops::Range<usize>| {
        let mut v: Vec<f32> = profile[range].to_vec();
        v.sort_by(f32::total_cmp);
        v.get(v.len() * 9 / 10).copied().unwrap_or(0.0)
    };
    let (left, right) = (paper(0..x), paper(x + 1..w));
    let level = left.min(right);
    let depth = level - profile[x];
    if depth < MIN_DEPTH * level {
        return None;
    }
    let reach = (VALLEY_HALF_WIDTH * w as f32) as usize;
    let back = level - depth / 2.0;
    let lit_left = profile[x.saturating_sub(reach)..x]
        .iter()
        .any(|&v| v >= back);
    let lit_right = profile[x..(x + reach).min(w)].iter().any(|&v| v >= back);
    if !(lit_left && lit_right) {
        return None;
    }
    // The closing flattens the valley's floor: its middle is the fold.
    let floor = profile[x] + 0.02 * level;
    let start = (0..x)
        .rev()
        .take_while(|&i| profile[i] <= floor)
        .last()
        .unwrap_or(x);
    let end = (x..w)
        .take_while(|&i| profile[i] <= floor)
        .last()
        .unwrap_or(x);
    Some((start + end) / 2)
}

/// The middle 30% of `w` columns, where a spread's gutter lies.
fn middle(w: usize) -> std::ops::Range<usize> {
    w * 35 / 100..w * 65 / 100
}

/// Whether there is ink (cells [`INKED`] darker than the paper around
/// them: `inked`) on both sides of column `x`.
fn both_sides_inked(inked: &[bool], w: usize, h: usize, x: usize) -> bool {
    let share = |cols: std::ops::Range<usize>| {
        let n = cols.len() * h;
        let count = (0..h)
            .flat_map(|y| cols.clone().map(move |c| y * w + c))
            .filter(|&i| inked[i])
            .count();
        count as f32 / n.max(1) as f32
    };
    share(0..x) >= MIN_INK && share(x + 1..w) >= MIN_INK
}

/// The middle of the widest run of ink-free columns in the middle 30% of
/// the width.
fn white_gap(inked: &[bool], w: usize, h: usize) -> Option<usize> {
    let blank: Vec<bool> = (0..w).map(|x| (0..h).all(|y| !inked[y * w + x])).collect();
    let std::ops::Range { start: a, end: b } = middle(w);
    let (mut best, mut run_start) = (None::<(usize, usize)>, None);
    for x in a..=b {
        match (blank.get(x).copied().unwrap_or(false) && x < b, run_start) {
            (true, None) => run_start = Some(x),
            (false, Some(s)) => {
                if best.is_none_or(|(bs, be)| x - s > be - bs) {
                    best = Some((s, x));
                }
                run_start = None;
            }
            _ => {}
        }
    }
    best.map(|(s, e)| (s + e) / 2)
}

/// The two pages of `raster`, split at column `x`: left first.
pub fn split(raster: &Raster, x: u32) -> [(Part, Raster); 2] {
    let (w, h) = (raster.width(), raster.height());
    let boxes = [
        (
            Side::Left,
            CropBox {
                x: 0,
                y: 0,
                width: x,
                height: h,
            },
        ),
        (
            Side::Right,
            CropBox {
                x,
                y: 0,
                width: w - x,
                height: h,
            },
        ),
    ];
    boxes.map(|(side, crop)| (Part { side, crop }, raster.crop(crop)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A page of text-like bars, `w` x `h`, with text in `cols` columns.
    fn text_page(w: u32, h: u32, cols: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| {
            let col_w = (w - 200) / cols;
            let in_col = x >= 100 && (x - 100) % col_w < col_w - 80 && x < w - 100;
            let in_text = in_col && y > 150 && y < h - 150;
            let ink = in_text && (y % 40) < 12 && (x % 30) < 22;
            Luma([if ink { 20 } else { 235 }])
        })
    }

    /// Two pages side by side with a spine's shadow between them.
    fn spread(gutter_at: u32) -> GrayImage {
        let (w, h) = (2800u32, 2000u32);
        let left = text_page(gutter_at, h, 1);
        let right = text_page(w - gutter_at, h, 1);
        GrayImage::from_fn(w, h, |x, y| {
            let p = if x < gutter_at {
                left.get_pixel(x, y)[0]
            } else {
                right.get_pixel(x - gutter_at, y)[0]
            };
            // The shadow: down to 55% at the fold, over 60 px either side.
            let d = (x as f32 - gutter_at as f32).abs();
            let shade = 1.0 - 0.45 * (1.0 - d / 60.0).max(0.0);
            Luma([(p as f32 * shade) as u8])
        })
    }

    #[test]
    fn a_spread_is_split_at_its_gutter() {
        for at in [1350u32, 1480] {
            let x = gutter(&spread(at), SplitMode::Auto).expect("a gutter");
            assert!((x as i64 - at as i64).abs() <= 8, "{x} for {at}");
        }
    }

    #[test]
    fn one_page_in_two_columns_is_not_split() {
        let page = text_page(2800, 2000, 2);
        assert_eq!(gutter(&page, SplitMode::Auto), None);
        // Told to, it splits between the columns.
        let x = gutter(&page, SplitMode::Always).unwrap();
        assert!((1300..1500).contains(&x), "{x}");
    }

    #[test]
    fn a_portrait_page_is_not_split_and_never_means_never() {
        assert_eq!(gutter(&text_page(1600, 2200, 1), SplitMode::Auto), None);
        assert_eq!(gutter(&spread(1400), SplitMode::Never), None);
    }
}
