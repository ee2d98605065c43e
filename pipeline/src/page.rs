//! The page stages, run in parallel: fixity, raster, deskew, OCR, and the
//! page image for the PDF. The file is read once; its bytes are hashed and
//! decoded from memory, and the raster is handed on without touching disk.

use crate::engines::with_engine;
use crate::run::Context;
use std::path::Path;
use workers::pdfa::PageImage;
use workers::script::Detected;
use workers::text::PageText;

/// Everything the document stage needs from one page.
pub struct PageOutput {
    pub source: String,
    /// Lower-case extension of the original, for the master's name.
    pub ext: String,
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    pub dpi: (f32, f32),
    pub dpi_assumed: bool,
    pub skew_degrees: f32,
    pub deskewed: bool,
    /// Clockwise turn applied to make the page upright: 0, 90, 180 or 270.
    pub orientation_degrees: u32,
    /// When the page was checked for being upside down: how far apart the
    /// two readings' confidences were (0-100; small means unsure).
    pub orientation_margin: Option<f32>,
    pub lang: String,
    pub text: PageText,
    pub image: PageImage,
    /// Share of dark pixels on the prepared page (0-1): ink with no text
    /// means OCR missed something.
    pub ink_ratio: f32,
    /// A small JPEG of the prepared page for the batch report.
    pub thumbnail: Vec<u8>,
}

/// Longest side of a report thumbnail, in pixels.
const THUMB_SIDE: u32 = 240;

/// Dark pixels (below 128) among every 16th pixel.
fn ink_ratio(gray: &image::GrayImage) -> f32 {
    let raw = gray.as_raw();
    let sampled = raw.iter().step_by(16);
    let n = raw.len().div_ceil(16).max(1);
    sampled.filter(|&&p| p < 128).count() as f32 / n as f32
}

/// The prepared page, small, as JPEG: about 5-15 KB, never above 20 KB.
fn thumbnail(gray: &image::GrayImage, color: Option<&image::RgbImage>) -> Vec<u8> {
    let scale = |w: u32, h: u32| {
        let f = THUMB_SIDE as f32 / w.max(h) as f32;
        (
            ((w as f32 * f) as u32).max(1),
            ((h as f32 * f) as u32).max(1),
        )
    };
    let mut out = Vec::new();
    for quality in [70u8, 50, 30] {
        out.clear();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
        let r = match color {
            Some(c) => {
                let (w, h) = scale(c.width(), c.height());
                enc.encode_image(&image::imageops::thumbnail(c, w, h))
            }
            None => {
                let (w, h) = scale(gray.width(), gray.height());
                enc.encode_image(&image::imageops::thumbnail(gray, w, h))
            }
        };
        if r.is_err() || out.len() <= 20_000 {
            break;
        }
    }
    out
}

pub fn process(path: &Path, lang: &str, ctx: &Context) -> workers::Result<PageOutput> {
    let cfg = &ctx.config;
    let bytes = std::fs::read(path).map_err(workers::Error::io(path))?;
    let sha256 = workers::fixity::sha256_hex(&bytes);
    let raster =
        workers::raster::decode(path, &bytes, cfg.raster.max_pixels, cfg.raster.default_dpi)?;
    drop(bytes);
    let (width, height) = (raster.width(), raster.height());
    let (mut gray, mut color, mut dpi) = (raster.gray, raster.color, raster.dpi);
    if cfg.deskew.normalize_background && !raster.bilevel {
        if let Some(normalised) = workers::clean::normalize(&gray) {
            gray = normalised;
        }
    }
    let mut orientation_degrees = 0;
    if cfg.orientation.enabled && workers::orient::is_sideways(&gray, dpi.1.round() as u32) {
        // Turn a quarter clockwise; a page that was the other way round is
        // then upside down, which the confidence check below finds.
        orientation_degrees = 90;
        gray = image::imageops::rotate90(&gray);
        color = color.map(|c| image::imageops::rotate90(&c));
        dpi = (dpi.1, dpi.0);
    }
    let (mut skew, mut deskewed) = (0.0, false);
    if cfg.deskew.enabled {
        let d =
            workers::deskew::deskew(gray, color, cfg.deskew.max_degrees, cfg.deskew.min_degrees);
        (gray, color, skew, deskewed) = (d.gray, d.color, d.skew, d.rotated);
    }
    if raster.bilevel && deskewed {
        // Rotation blends edges to grey; a 1-bit scan stays 1-bit.
        for p in gray.pixels_mut() {
            p[0] = if p[0] < 128 { 0 } else { 255 };
        }
    }
    let ppi = dpi.1.round() as u32;
    let auto = lang == "auto";
    let detect = |g: &image::GrayImage| {
        with_engine(&ctx.tessdata, workers::script::SAMPLE_LANG, 6, |e| {
            workers::script::detect(g, ppi, e)
        })
    };
    let ocr = |g: &image::GrayImage, lang: &str| {
        with_engine(&ctx.tessdata, lang, cfg.ocr.psm, |e| {
            workers::layout::recognize_columns(g, ppi, e)
        })
    };
    // What auto found on the page; `None` for a language given by hand.
    let mut found = if auto { Some(detect(&gray)?) } else { None };
    let mut lang = found.map_or_else(|| lang.to_string(), |f| f.lang());
    let mut text = ocr(&gray, &lang)?;
    let mut orientation_margin = None;
    let weak = text
        .median_line_confidence()
        .is_none_or(|c| c < cfg.orientation.recheck_below);
    if cfg.orientation.enabled && weak {
        let check = with_engine(&ctx.tessdata, &lang, cfg.ocr.psm, |e| {
            workers::orient::up_or_down(&gray, ppi, e)
        })?;
        if let Some(ud) = check {
            orientation_margin = Some((ud.margin() * 10.0).round() / 10.0);
            if ud.upside_down {
                orientation_degrees = (orientation_degrees + 180) % 360;
                gray = image::imageops::rotate180(&gray);
                color = color.map(|c| image::imageops::rotate180(&c));
                if auto {
                    // The language was judged on the page upside down.
                    let f = detect(&gray)?;
                    (found, lang) = (Some(f), f.lang());
                }
                text = ocr(&gray, &lang)?;
            }
        }
    }
    if let Some(f) = found.filter(|f| !f.mixed) {
        // Lines that may be in the other script are read again, and the
        // page records both languages when any line was replaced.
        let other = f.main.other();
        let replaced = with_engine(&ctx.tessdata, other.reread_lang(), 6, |e| {
            workers::reread::reread_lines_in(&gray, ppi, &mut text, e, f.main.reread_below(), other)
        })?;
        if replaced > 0 {
            lang = Detected { mixed: true, ..f }.lang();
        }
    }
    let image = workers::pdfa::encode_page_image(
        &gray,
        color.as_ref(),
        cfg.pdf.jpeg_quality,
        dpi.0.round() as u32,
    )?;
    Ok(PageOutput {
        ink_ratio: (ink_ratio(&gray) * 1000.0).round() / 1000.0,
        thumbnail: thumbnail(&gray, color.as_ref()),
        source: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ext: path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default(),
        sha256,
        width,
        height,
        dpi,
        dpi_assumed: raster.dpi_assumed,
        // Three decimals; `+ 0.0` turns -0 into 0 for the record.
        skew_degrees: (skew * 1000.0).round() / 1000.0 + 0.0,
        deskewed,
        orientation_degrees,
        orientation_margin,
        lang,
        text,
        image,
    })
}
