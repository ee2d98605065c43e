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

/// A shallower valley, down to this share of the paper's brightness, is a
/// gutter too when it runs through the white between two text blocks. An
/// overhead scanner lights a book evenly, and its fold then darkens the
/// paper by only 6-10% (Leptonica's `binding-example`: 9%); a page's own
/// curl can shade its text as much, but inside the text block, not between.
const MIN_SHALLOW_DEPTH: f32 = 0.05;

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
    let found = valley(&profile)
        .filter(|&(x, depth)| depth >= MIN_DEPTH || between_text_blocks(&inked, sw, sh, x))
        .map(|(x, _)| x)
        .filter(|&x| both_sides_inked(&inked, sw, sh, x));
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

/// The gutter's column and its depth (a share of the paper's brightness):
/// the darkest column in the middle 30% of the width, when it is at least
/// [`MIN_SHALLOW_DEPTH`] darker than the paper and a valley
/// ([`VALLEY_HALF_WIDTH`]).
fn valley(profile: &[f32]) -> Option<(usize, f32)> {
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
    if depth < MIN_SHALLOW_DEPTH * level {
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
    Some(((start + end) / 2, depth / level))
}

/// Whether the fold at column `x` runs along white between text blocks: a
/// column with next to no ink in the middle 60% of the rows (a speck or
/// two allowed) lies within 2% of the width of it. A book's fold lies at
/// the inner edge of both text blocks, where the curled paper's shading
/// can touch the letters nearest it; a page's own curl shades the middle
/// of its text block, far from any white column.
fn between_text_blocks(inked: &[bool], w: usize, h: usize, x: usize) -> bool {
    let (y0, y1) = (h / 5, h * 4 / 5);
    let reach = (w / 50).max(1);
    (x.saturating_sub(reach)..(x + reach + 1).min(w)).any(|c| {
        let n = (y0..y1).filter(|&y| inked[y * w + c]).count();
        n * 100 <= y1 - y0
    })
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
            // Each line's letters start at another phase, so that no white
            // column runs down a text block (as in real text).
            let ink = in_text && (y % 40) < 12 && ((x + y / 40 * 13) % 30) < 22;
            Luma([if ink { 20 } else { 235 }])
        })
    }

    /// Two pages side by side with a spine's shadow between them.
    fn spread(gutter_at: u32) -> GrayImage {
        shaded_spread(gutter_at, 60.0, 0.45)
    }

    /// Two pages side by side, the paper at the fold `depth` darker (a
    /// share), over `reach` px either side.
    fn shaded_spread(gutter_at: u32, reach: f32, depth: f32) -> GrayImage {
        let (w, h) = (2800u32, 2000u32);
        let left = text_page(gutter_at, h, 1);
        let right = text_page(w - gutter_at, h, 1);
        let joined = GrayImage::from_fn(w, h, |x, y| {
            if x < gutter_at {
                *left.get_pixel(x, y)
            } else {
                *right.get_pixel(x - gutter_at, y)
            }
        });
        shade(&joined, gutter_at, reach, depth)
    }

    /// `page` darkened by `depth` (a share) at column `at`, less and less
    /// over `reach` px either side.
    fn shade(page: &GrayImage, at: u32, reach: f32, depth: f32) -> GrayImage {
        GrayImage::from_fn(page.width(), page.height(), |x, y| {
            let d = (x as f32 - at as f32).abs();
            let s = 1.0 - depth * (1.0 - d / reach).max(0.0);
            Luma([(page.get_pixel(x, y)[0] as f32 * s) as u8])
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
    fn an_evenly_lit_spread_is_split_at_its_faint_fold() {
        // An overhead scanner's even light leaves the fold 6-10% darker,
        // over a centimetre or so either side.
        for (at, depth) in [(1350u32, 0.08), (1480, 0.07)] {
            let x = gutter(&shaded_spread(at, 150.0, depth), SplitMode::Auto).expect("a gutter");
            assert!((x as i64 - at as i64).abs() <= 8, "{x} for {at}");
        }
        // Fainter than that is paper, not a fold.
        assert_eq!(
            gutter(&shaded_spread(1400, 150.0, 0.03), SplitMode::Auto),
            None
        );
    }

    #[test]
    fn shade_inside_a_text_block_is_no_gutter() {
        // A page in two columns whose right column is shaded 9% (a curl, a
        // hand's shadow) in the middle 30% of the width: the shade runs
        // through letters, not between text blocks.
        let page = text_page(2800, 2000, 2);
        let col_w = (2800 - 200) / 2;
        let in_text = 100 + col_w + (col_w - 80) / 4;
        assert_eq!(
            gutter(&shade(&page, in_text, 150.0, 0.09), SplitMode::Auto),
            None
        );
        // Shaded between its columns as faintly as uneven light does, it
        // is one page.
        let between = 100 + col_w - 40;
        assert_eq!(
            gutter(&shade(&page, between, 150.0, 0.03), SplitMode::Auto),
            None
        );
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
