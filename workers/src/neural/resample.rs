//! The line image as the network was trained on it: gray, stretched to
//! 512x48 by Pillow's bilinear resampling (`Image.resize(..., BILINEAR)`),
//! scaled to [-1, 1]. Pillow's resampling is reproduced exactly (its
//! fixed-point coefficients and its rounding to 8 bits after each pass):
//! with `image`'s own triangle filter, 3 of 101 real Khmer lines came out
//! different from the reference implementation, and none with this.

use image::GrayImage;

/// Pillow's `PRECISION_BITS` for 8-bit images (Resample.c).
const PRECISION_BITS: u32 = 32 - 8 - 2;

/// Per output pixel: the first input pixel and the fixed-point weights.
struct Coefficients {
    bounds: Vec<(usize, usize)>,
    weights: Vec<Vec<i32>>,
}

/// Pillow's `precompute_coeffs` for the bilinear filter (support 1).
fn coefficients(in_size: usize, out_size: usize) -> Coefficients {
    let scale = in_size as f64 / out_size as f64;
    let filterscale = scale.max(1.0);
    let support = filterscale;
    let mut bounds = Vec::with_capacity(out_size);
    let mut weights = Vec::with_capacity(out_size);
    for xx in 0..out_size {
        let center = (xx as f64 + 0.5) * scale;
        let ss = 1.0 / filterscale;
        let xmin = ((center - support + 0.5) as i64).max(0) as usize;
        let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
        let n = xmax.saturating_sub(xmin);
        let mut k: Vec<f64> = (0..n)
            .map(|x| {
                let t = ((x + xmin) as f64 - center + 0.5) * ss;
                (1.0 - t.abs()).max(0.0)
            })
            .collect();
        let total: f64 = k.iter().sum();
        if total != 0.0 {
            k.iter_mut().for_each(|w| *w /= total);
        }
        let fixed = k
            .iter()
            .map(|w| {
                let v = w * (1u32 << PRECISION_BITS) as f64;
                (if v < 0.0 { v - 0.5 } else { v + 0.5 }) as i32
            })
            .collect();
        bounds.push((xmin, n));
        weights.push(fixed);
    }
    Coefficients { bounds, weights }
}

fn clip8(v: i64) -> u8 {
    (v >> PRECISION_BITS).clamp(0, 255) as u8
}

/// Resizes as Pillow's Resample.c does: the horizontal pass first, to 8
/// bits, then the vertical one. Pillow 13.0 itself resizes some sizes in
/// the other order (a tall block made low and wide, like the 262x277 crop
/// of a stamp among 101 realdev crops, whose reading then differs by one
/// letter from the reference's); every line crop (wide, made narrower)
/// comes out byte for byte as Pillow's.
pub fn resize(src: &GrayImage, width: u32, height: u32) -> GrayImage {
    vertical(&horizontal(src, width), height)
}

/// The horizontal pass; none when the width does not change.
fn horizontal(src: &GrayImage, width: u32) -> GrayImage {
    let (w, h) = (src.width() as usize, src.height() as usize);
    let ow = width as usize;
    if ow == w {
        return src.clone();
    }
    let c = coefficients(w, ow);
    let mut out = GrayImage::new(width, src.height());
    for y in 0..h {
        let row = &src.as_raw()[y * w..(y + 1) * w];
        for x in 0..ow {
            let (x0, n) = c.bounds[x];
            let mut acc: i64 = 1 << (PRECISION_BITS - 1);
            for (i, k) in c.weights[x][..n].iter().enumerate() {
                acc += row[x0 + i] as i64 * *k as i64;
            }
            out.as_mut()[y * ow + x] = clip8(acc);
        }
    }
    out
}

/// The vertical pass: the horizontal one on the image turned on its
/// diagonal, which gives the same sums in the same order.
fn vertical(src: &GrayImage, height: u32) -> GrayImage {
    if height == src.height() {
        return src.clone();
    }
    transpose(&horizontal(&transpose(src), height))
}

fn transpose(src: &GrayImage) -> GrayImage {
    image::imageops::flip_horizontal(&image::imageops::rotate90(src))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// Golden: Pillow 13.0's `Image.open(p).convert("L").crop(box)
    /// .resize((512, 48), Image.BILINEAR).tobytes()` of crops of the
    /// samples' Khmer page, hashed: a long line (narrower and taller when
    /// resized) and a short one (wider and taller).
    #[test]
    fn matches_pillow_bilinear() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
        let page = image::open(root.join("batch/wat-khleang/scan_1.png"))
            .unwrap()
            .to_luma8();
        for ((x, y, w, h), golden) in GOLDEN {
            let crop = image::imageops::crop_imm(&page, x, y, w, h).to_image();
            let out = resize(&crop, 512, 48);
            assert_eq!(out.dimensions(), (512, 48));
            assert_eq!(hex::encode(Sha256::digest(out.as_raw())), golden, "{w}x{h}");
        }
    }

    /// A crop of a page: x, y, width, height.
    type Crop = (u32, u32, u32, u32);

    const GOLDEN: [(Crop, &str); 2] = [
        (
            (100, 180, 1400, 40),
            "bd5101f4b5b153174f990f3f6706d00d4a55c574eb149549502b9abf46bcce9d",
        ),
        (
            (100, 180, 254, 32),
            "be69e5ba3b2877bc9d90b26afb9cc8d92a39de64f0d189413518f4b14ba09cf7",
        ),
    ];
}
