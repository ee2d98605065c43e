//! The page as the PDF shows it, where that is not the gray page OCR reads.
//!
//! OCR reads an 8-bit gray page that preparation changed for reading's
//! sake: page finding masks what it takes for the world around the paper
//! (a scanner's black lid, a thumb) by painting it paper-coloured, and
//! background normalisation divides out uneven light. The PDF is what a
//! reader sees, and there both can do harm: a photograph bleeding off a
//! magazine page into a flatbed's black lid is one dark region with the
//! lid, and was painted out of the PDF (tesseract-ocr's test scan
//! 8071_093.3B); normalisation takes a large dark photograph for shaded
//! paper and lightens it (a unit test's went from a mean of 70 to 161). So,
//! as OCRmyPDF's `--clean` cleans for OCR only, a page either step changed
//! keeps its page as captured here, cropped, turned, straightened and
//! dewarped with the gray page, pixel for pixel in step with it; as does a
//! colour capture its colour.

use image::{GrayImage, RgbImage};

/// The page's picture for the PDF, turned and straightened like the gray
/// page OCR reads (same size, same geometry).
#[derive(Debug, Clone)]
pub enum Picture {
    /// A colour capture, in colour.
    Color(RgbImage),
    /// A gray capture whose gray page was masked or normalised for OCR:
    /// the page as captured, neither.
    Gray(GrayImage),
}

impl Picture {
    /// The same geometric step applied to whichever raster this is: `gray`
    /// to a gray picture, `color` to a colour one. (Two functions because a
    /// closure cannot be generic over the pixel type.)
    pub fn map(
        &self,
        gray: impl FnOnce(&GrayImage) -> GrayImage,
        color: impl FnOnce(&RgbImage) -> RgbImage,
    ) -> Picture {
        match self {
            Picture::Gray(g) => Picture::Gray(gray(g)),
            Picture::Color(c) => Picture::Color(color(c)),
        }
    }

    /// The colour raster, when the capture is in colour.
    pub fn color(&self) -> Option<&RgbImage> {
        match self {
            Picture::Color(c) => Some(c),
            Picture::Gray(_) => None,
        }
    }
}
