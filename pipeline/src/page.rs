//! The page stages, run in parallel: fixity, raster, deskew, OCR, and the
//! page image for the PDF. The file is read once; its bytes are hashed and
//! decoded from memory, and the raster is handed on without touching disk.

use crate::engines::with_engine;
use crate::run::Context;
use std::path::Path;
use workers::pdfa::PageImage;
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
    pub lang: String,
    pub text: PageText,
    pub image: PageImage,
}

pub fn process(path: &Path, lang: &str, ctx: &Context) -> workers::Result<PageOutput> {
    let cfg = &ctx.config;
    let bytes = std::fs::read(path).map_err(workers::Error::io(path))?;
    let sha256 = workers::fixity::sha256_hex(&bytes);
    let raster =
        workers::raster::decode(path, &bytes, cfg.raster.max_pixels, cfg.raster.default_dpi)?;
    drop(bytes);
    let (width, height) = (raster.width(), raster.height());
    let (mut gray, color, skew, deskewed) = if cfg.deskew.enabled {
        let d = workers::deskew::deskew(
            raster.gray,
            raster.color,
            cfg.deskew.max_degrees,
            cfg.deskew.min_degrees,
        );
        (d.gray, d.color, d.skew.degrees, d.rotated)
    } else {
        (raster.gray, raster.color, 0.0, false)
    };
    if raster.bilevel && deskewed {
        // Rotation blends edges to grey; a 1-bit scan stays 1-bit.
        for p in gray.pixels_mut() {
            p[0] = if p[0] < 128 { 0 } else { 255 };
        }
    }
    let dpi = raster.dpi;
    let text = with_engine(&ctx.tessdata, lang, cfg.ocr.psm, |engine| {
        engine.recognize(&gray, dpi.1.round() as u32)
    })?;
    let image = workers::pdfa::encode_page_image(
        &gray,
        color.as_ref(),
        cfg.pdf.jpeg_quality,
        dpi.0.round() as u32,
    )?;
    Ok(PageOutput {
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
        lang: lang.to_string(),
        text,
        image,
    })
}
