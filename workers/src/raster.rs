//! Raster decoding: a scan's bytes, decoded once, to the 8-bit gray copy that
//! OCR reads and (for colour scans) an RGB copy for the access PDF, with the
//! resolution the file declares.

use crate::{Error, Result};
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageDecoder, ImageFormat, ImageReader, RgbImage};
use std::io::Cursor;
use std::path::Path;

/// A decoded page.
#[derive(Debug, Clone)]
pub struct Raster {
    /// 8-bit luminance: what deskew and OCR work on.
    pub gray: GrayImage,
    /// The colour pixels, kept only when the scan really has colour (an RGB
    /// file whose channels are all equal is stored as gray).
    pub color: Option<RgbImage>,
    /// Horizontal and vertical resolution in pixels per inch.
    pub dpi: (f32, f32),
    /// True when the file declared no resolution and `dpi` is the default.
    pub dpi_assumed: bool,
    /// True when every pixel is pure black or white (a 1-bit scan): such a
    /// page is stored losslessly in the PDF, as CCITT G4.
    pub bilevel: bool,
    /// The container format: "tiff", "png", "jpeg", "jp2" or "pdf".
    pub format: &'static str,
    /// The file's EXIF/TIFF Orientation tag (1-8), already applied to the
    /// pixels; 1 when the file has none.
    pub orientation_tag: u8,
}

/// What the master's pixels are, as decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Pure black and white (a 1-bit scan).
    Bilevel,
    /// Shades of gray (also an RGB file whose channels are all equal).
    Gray,
    /// Colour.
    Rgb,
}

impl Colour {
    /// NISO MIX 2.0 `colorSpace` (TIFF's PhotometricInterpretation names):
    /// black and white and gray pages as decoded have 0 for black.
    pub fn mix_color_space(self) -> &'static str {
        match self {
            Colour::Bilevel | Colour::Gray => "BlackIsZero",
            Colour::Rgb => "RGB",
        }
    }
}

impl Raster {
    /// What the pixels are: from the decoded master, never from a
    /// derivative.
    pub fn colour(&self) -> Colour {
        match (&self.color, self.bilevel) {
            (Some(_), _) => Colour::Rgb,
            (None, true) => Colour::Bilevel,
            (None, false) => Colour::Gray,
        }
    }

    /// The resolution the file declared, `None` when it declared none.
    pub fn declared_dpi(&self) -> Option<(f32, f32)> {
        (!self.dpi_assumed).then_some(self.dpi)
    }

    pub fn width(&self) -> u32 {
        self.gray.width()
    }

    /// The part of the raster in `b`, with the same facts (resolution,
    /// format, tag).
    pub fn crop(&self, b: crate::pagefind::CropBox) -> Raster {
        Raster {
            gray: b.of(&self.gray),
            color: self.color.as_ref().map(|c| b.of(c)),
            dpi: self.dpi,
            dpi_assumed: self.dpi_assumed,
            bilevel: self.bilevel,
            format: self.format,
            orientation_tag: self.orientation_tag,
        }
    }
    pub fn height(&self) -> u32 {
        self.gray.height()
    }
}

/// Decodes `bytes` (read from `path`, which is named in errors).
///
/// `max_pixels` is checked against the header before any pixel buffer is
/// allocated, so a file claiming 100000x100000 pixels is refused cheaply.
/// `default_dpi` is used, and `dpi_assumed` set, when the file has none.
pub fn decode(path: &Path, bytes: &[u8], max_pixels: u64, default_dpi: f32) -> Result<Raster> {
    let bad = |reason: String| Error::Decode {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.is_empty() {
        return Err(bad("file is empty (0 bytes)".into()));
    }
    if tiff_pages(bytes).len() > 1 {
        return Err(bad(
            "multi-page TIFF: decode its pages with decode_tiff_page".into(),
        ));
    }
    decode_single(path, bytes, max_pixels, default_dpi)
}

/// [`decode`] of a file that holds one image (or whose first image is
/// wanted).
fn decode_single(path: &Path, bytes: &[u8], max_pixels: u64, default_dpi: f32) -> Result<Raster> {
    let bad = |reason: String| Error::Decode {
        path: path.to_path_buf(),
        reason,
    };
    if crate::jp2::is_jpeg2000(bytes) {
        let image = crate::jp2::decode_pixels(bytes, max_pixels).map_err(bad)?;
        return Ok(
            match crate::jp2::resolution(bytes).filter(|d| d.0 >= 10.0 && d.1 >= 10.0) {
                Some(d) => from_pixels(image, (tidy_dpi(d.0), tidy_dpi(d.1)), "jp2"),
                None => Raster {
                    dpi_assumed: true,
                    ..from_pixels(image, (default_dpi, default_dpi), "jp2")
                },
            },
        );
    }
    let format = image::guess_format(bytes)
        .map_err(|_| bad("not a TIFF, PNG, JPEG or JPEG 2000 image".into()))?;
    let name = match format {
        ImageFormat::Tiff => "tiff",
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpeg",
        other => return Err(bad(format!("unsupported image format {other:?}"))),
    };
    if format == ImageFormat::Jpeg && !jpeg_has_end(bytes) {
        // JPEG decoders fill a cut-off scan with grey rather than fail.
        return Err(bad("truncated JPEG: no end-of-image marker".into()));
    }
    let (image, orientation) = decode_pixels(path, bytes, format, max_pixels)?;
    let (dpi, dpi_assumed) = match declared_dpi(bytes, format) {
        Some(d) => ((tidy_dpi(d.0), tidy_dpi(d.1)), false),
        None => ((default_dpi, default_dpi), true),
    };
    let (gray, color) = split_colour(image);
    let bilevel = color.is_none() && is_bilevel(&gray);
    let quarter = matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    );
    let dpi = if quarter { (dpi.1, dpi.0) } else { dpi };
    Ok(Raster {
        orientation_tag: orientation_tag(orientation),
        gray,
        color,
        bilevel,
        dpi,
        dpi_assumed,
        format: name,
    })
}

/// The pixels, with the file's Orientation tag applied (a phone stores its
/// photo as the sensor saw it, with a tag saying how to show it), and that
/// orientation. The size is checked against `max_pixels` from the header,
/// before any pixel buffer is allocated.
fn decode_pixels(
    path: &Path,
    bytes: &[u8],
    format: ImageFormat,
    max_pixels: u64,
) -> Result<(DynamicImage, Orientation)> {
    let bad = |e: image::ImageError| Error::Decode {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let reader = || ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = dimensions(bytes, format).map_err(bad)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            width,
            height,
            limit: max_pixels,
        });
    }
    let mut limits = image::Limits::default();
    // Decoders buffer at most a few copies of the image; allow 16 bytes a pixel.
    limits.max_alloc = Some(max_pixels.saturating_mul(16));
    let mut r = reader();
    r.limits(limits);
    let mut decoder = r.into_decoder().map_err(bad)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(bad)?;
    image.apply_orientation(orientation);
    Ok((image, orientation))
}

/// The pixels of the one image in `bytes`, from its header alone (no pixel
/// is decoded): what the scheduler reserves before decoding a page. `None`
/// for what this cannot tell: a JPEG 2000, a multi-page TIFF, a PDF, or a
/// file that is not an image (decoding it says why).
pub fn header_pixels(bytes: &[u8]) -> Option<u64> {
    let format = image::guess_format(bytes).ok()?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Tiff
    ) || tiff_pages(bytes).len() > 1
    {
        return None;
    }
    let (w, h) = dimensions(bytes, format).ok()?;
    Some(u64::from(w) * u64::from(h))
}

/// Width and height from the header alone.
fn dimensions(bytes: &[u8], format: ImageFormat) -> image::ImageResult<(u32, u32)> {
    match png_dimensions(bytes) {
        Some(d) if format == ImageFormat::Png => Ok(d),
        _ => ImageReader::with_format(Cursor::new(bytes), format).into_dimensions(),
    }
}

/// The resolution the file declares, when it declares a usable one.
fn declared_dpi(bytes: &[u8], format: ImageFormat) -> Option<(f32, f32)> {
    let d = match format {
        ImageFormat::Tiff => tiff_dpi(bytes),
        ImageFormat::Png => png_dpi(bytes),
        _ => jpeg_dpi(bytes),
    }?;
    (d.0 >= 10.0 && d.1 >= 10.0).then_some(d)
}

/// The EXIF value (1-8) of an orientation.
fn orientation_tag(o: Orientation) -> u8 {
    match o {
        Orientation::NoTransforms => 1,
        Orientation::FlipHorizontal => 2,
        Orientation::Rotate180 => 3,
        Orientation::FlipVertical => 4,
        Orientation::Rotate90FlipH => 5,
        Orientation::Rotate90 => 6,
        Orientation::Rotate270FlipH => 7,
        Orientation::Rotate270 => 8,
    }
}

/// PNG stores pixels per metre, so 300 dpi reads back as 299.9994: snap to
/// a whole number when that close, else keep two decimals.
fn tidy_dpi(d: f32) -> f32 {
    snap_dpi(d, 0.05)
}

/// `d` as a whole number when within `within` of one, else to two decimals.
pub(crate) fn snap_dpi(d: f32, within: f32) -> f32 {
    if (d - d.round()).abs() < within {
        d.round()
    } else {
        (d * 100.0).round() / 100.0
    }
}

/// Whether every pixel is 0 or 255.
pub fn is_bilevel(gray: &GrayImage) -> bool {
    gray.as_raw().iter().all(|&p| p == 0 || p == 255)
}

/// `gray` resampled to `width` x `height` with a triangle (bilinear)
/// filter whose support widens with the reduction, as the image crate's
/// `resize` with `FilterType::Triangle` does, but with SIMD: a 600-dpi page
/// reduced for OCR in tens of milliseconds where `resize` took 0.4-1.5 s.
pub fn resize_gray(gray: &GrayImage, width: u32, height: u32) -> GrayImage {
    use fast_image_resize::images::{Image, ImageRef};
    use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
    let (width, height) = (width.max(1), height.max(1));
    if gray.dimensions() == (width, height) {
        return gray.clone();
    }
    if gray.width() == 0 || gray.height() == 0 {
        return GrayImage::from_pixel(width, height, image::Luma([255]));
    }
    let src = ImageRef::new(gray.width(), gray.height(), gray.as_raw(), PixelType::U8)
        .expect("a GrayImage's buffer holds its pixels");
    let mut dst = Image::new(width, height, PixelType::U8);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    Resizer::new()
        .resize(&src, &mut dst, &options)
        .expect("source and destination are both U8");
    GrayImage::from_raw(width, height, dst.into_vec()).expect("the buffer is width x height")
}

/// One CMYK pixel as RGB, by the naive formula (no colour profile): what a
/// scan stored in CMYK needs to be read, not to be printed.
pub fn cmyk_to_rgb([c, m, y, k]: [u8; 4]) -> [u8; 3] {
    let white = 255 - u32::from(k);
    [c, m, y].map(|v| ((255 - u32::from(v)) * white / 255) as u8)
}

/// A raster of decoded pixels whose resolution is known (`dpi`), from a
/// container that has no orientation tag (a JPEG 2000 master, a PDF page).
pub fn from_pixels(image: DynamicImage, dpi: (f32, f32), format: &'static str) -> Raster {
    let (gray, color) = split_colour(image);
    let bilevel = color.is_none() && is_bilevel(&gray);
    Raster {
        gray,
        color,
        dpi,
        dpi_assumed: false,
        bilevel,
        format,
        orientation_tag: 1,
    }
}

fn split_colour(image: DynamicImage) -> (GrayImage, Option<RgbImage>) {
    if !image.color().has_color() {
        return (image.to_luma8(), None);
    }
    let rgb = image.to_rgb8();
    let is_gray = rgb.pixels().all(|p| p[0] == p[1] && p[1] == p[2]);
    let gray = DynamicImage::ImageRgb8(rgb.clone()).to_luma8();
    (gray, (!is_gray).then_some(rgb))
}

/// Where a page lies in a master that holds several: record.json writes it
/// as `tiff_page` or `pdf_page`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InFile {
    TiffPage(TiffPage),
    PdfPage(crate::scanpdf::PdfPage),
}

impl InFile {
    /// The page's number in its file, from 1.
    pub fn number(&self) -> u32 {
        match self {
            InFile::TiffPage(t) => t.number,
            InFile::PdfPage(p) => p.number,
        }
    }

    /// Where in the file the page starts, bytes, when known: a TIFF page's
    /// IFD, a PDF page's object.
    pub fn offset(&self) -> Option<u64> {
        match self {
            InFile::TiffPage(t) => Some(t.ifd_offset),
            InFile::PdfPage(p) => p.offset,
        }
    }
}

/// A page of a multi-page TIFF, as record.json and METS name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TiffPage {
    /// 1-based, in file order.
    pub number: u32,
    /// Where the page's IFD starts in the file, bytes.
    pub ifd_offset: u64,
}

/// The pages of a classic TIFF, in file order: the offset of each IFD,
/// following the chain from the header (TIFF 6.0, section 2). Empty when
/// the file is not a classic TIFF (BigTIFF included); a chain that loops
/// or leaves the file ends where it does.
pub fn tiff_pages(bytes: &[u8]) -> Vec<TiffPage> {
    let le = match bytes.get(0..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return Vec::new(),
    };
    let u16_at = |i: usize| -> Option<u16> {
        let b: [u8; 2] = bytes.get(i..i + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |i: usize| -> Option<u32> {
        let b: [u8; 4] = bytes.get(i..i + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    if u16_at(2) != Some(42) {
        return Vec::new();
    }
    let mut pages = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut offset = u32_at(4).unwrap_or(0) as usize;
    while offset != 0 && seen.insert(offset) {
        let Some(count) = u16_at(offset) else { break };
        pages.push(TiffPage {
            number: pages.len() as u32 + 1,
            ifd_offset: offset as u64,
        });
        offset = u32_at(offset + 2 + 12 * count as usize).unwrap_or(0) as usize;
    }
    pages
}

/// Decodes `page` of a multi-page TIFF as [`decode`] decodes a file: a
/// copy of the file whose header points at that page's IFD, so that the
/// page's own size limit, resolution and orientation apply. Errors name
/// the file and the page.
pub fn decode_tiff_page(
    path: &Path,
    bytes: &[u8],
    page: TiffPage,
    max_pixels: u64,
    default_dpi: f32,
) -> Result<Raster> {
    let mut one = bytes.to_vec();
    let offset = page.ifd_offset as u32;
    let field = if bytes.starts_with(b"II") {
        offset.to_le_bytes()
    } else {
        offset.to_be_bytes()
    };
    one[4..8].copy_from_slice(&field);
    // The page's own next-IFD pointer is left: decoders read one image.
    let in_page = |e: Error| match e {
        Error::Decode { path, reason } => Error::Decode {
            path,
            reason: format!("page {}: {reason}", page.number),
        },
        Error::TooLarge {
            path,
            width,
            height,
            limit,
        } => Error::Decode {
            path,
            reason: format!(
                "page {}: image is {width}x{height} pixels, above the limit of {limit} pixels",
                page.number
            ),
        },
        other => other,
    };
    decode_single(path, &one, max_pixels, default_dpi).map_err(in_page)
}

/// XResolution/YResolution with ResolutionUnit (TIFF 6.0, tags 282, 283, 296).
fn tiff_dpi(bytes: &[u8]) -> Option<(f32, f32)> {
    use tiff::tags::Tag;
    let mut d = tiff::decoder::Decoder::new(Cursor::new(bytes)).ok()?;
    let mut read = |tag| -> Option<f32> {
        match d.get_tag(tag).ok()? {
            tiff::decoder::ifd::Value::Rational(n, den) if den != 0 => Some(n as f32 / den as f32),
            v => v.into_f32().ok(),
        }
    };
    let x = read(Tag::XResolution)?;
    let y = read(Tag::YResolution).unwrap_or(x);
    let unit = d.get_tag_u32(Tag::ResolutionUnit).unwrap_or(2);
    match unit {
        2 => Some((x, y)),
        3 => Some((x * 2.54, y * 2.54)),
        _ => None, // 1 = no absolute unit
    }
}

/// Width and height from a PNG's IHDR, which always comes first (PNG 1.2,
/// 11.2.2), so that a size limit can be checked from the first 24 bytes.
fn png_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.get(12..16)? != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(bytes.get(16..20)?.try_into().ok()?);
    let h = u32::from_be_bytes(bytes.get(20..24)?.try_into().ok()?);
    Some((w, h))
}

/// Whether the data ends with the EOI marker (FF D9), allowing the zero or
/// white-space padding some scanners append after it.
fn jpeg_has_end(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0 && !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    bytes[..end].ends_with(&[0xFF, 0xD9])
}

/// The pHYs chunk (PNG 1.2, 11.3.5.3): pixels per metre when unit is 1.
fn png_dpi(bytes: &[u8]) -> Option<(f32, f32)> {
    let mut pos = 8;
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().ok()?) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = bytes.get(pos + 8..pos + 8 + len)?;
        match kind {
            b"pHYs" if len == 9 && data[8] == 1 => {
                let x = u32::from_be_bytes(data[0..4].try_into().ok()?) as f32;
                let y = u32::from_be_bytes(data[4..8].try_into().ok()?) as f32;
                return Some((x * 0.0254, y * 0.0254));
            }
            b"IDAT" | b"IEND" => return None, // pHYs must come before IDAT
            _ => pos += 12 + len,
        }
    }
    None
}

/// The JFIF APP0 density (units 1 = dots per inch, 2 = dots per cm).
fn jpeg_dpi(bytes: &[u8]) -> Option<(f32, f32)> {
    let mut pos = 2;
    while pos + 4 <= bytes.len() && bytes[pos] == 0xFF {
        let marker = bytes[pos + 1];
        let len = u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]) as usize;
        let seg = bytes.get(pos + 4..pos + 2 + len)?;
        if marker == 0xE0 && seg.len() >= 12 && &seg[..5] == b"JFIF\0" {
            let x = u16::from_be_bytes([seg[8], seg[9]]) as f32;
            let y = u16::from_be_bytes([seg[10], seg[11]]) as f32;
            return match seg[7] {
                1 => Some((x, y)),
                2 => Some((x * 2.54, y * 2.54)),
                _ => None,
            };
        }
        if marker == 0xDA {
            return None; // start of scan: no more headers
        }
        pos += 2 + len;
    }
    None
}

/// A capture of `../shared/realdev` (beside the repository), decoded as a
/// batch's file is: for the tests that hold real scans to their results.
#[cfg(test)]
pub(crate) fn realdev(name: &str) -> Raster {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/realdev")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode(&path, &bytes, u64::MAX, 300.0).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Luma};

    fn png_with_dpi(dpi: Option<u32>) -> Vec<u8> {
        let img = GrayImage::from_pixel(40, 30, Luma([200]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), 40, 30, image::ExtendedColorType::L8)
            .unwrap();
        if let Some(dpi) = dpi {
            // Insert a pHYs chunk right after IHDR (8-byte signature + 25-byte IHDR).
            let ppm = (dpi as f64 / 0.0254).round() as u32;
            let mut chunk = Vec::new();
            chunk.extend_from_slice(&9u32.to_be_bytes());
            let mut body = b"pHYs".to_vec();
            body.extend_from_slice(&ppm.to_be_bytes());
            body.extend_from_slice(&ppm.to_be_bytes());
            body.push(1);
            chunk.extend_from_slice(&body);
            chunk.extend_from_slice(&[0, 0, 0, 0]); // CRC is not checked by our reader
            out.splice(33..33, chunk);
        }
        out
    }

    /// Text-like strokes: the SIMD resampler gives what the image crate's
    /// triangle filter gives, reduced and enlarged, to a level or two.
    #[test]
    fn resize_gray_matches_the_image_crates_triangle_filter() {
        let mut gray = GrayImage::from_pixel(801, 603, image::Luma([250]));
        for (x, y, p) in gray.enumerate_pixels_mut() {
            if (x / 7 + y / 11) % 3 == 0 && (y % 40) < 24 {
                p[0] = 20;
            }
        }
        for (w, h) in [(401, 302), (600, 452), (2403, 1809)] {
            let ours = resize_gray(&gray, w, h);
            let theirs =
                image::imageops::resize(&gray, w, h, image::imageops::FilterType::Triangle);
            assert_eq!(ours.dimensions(), (w, h));
            let diff: u64 = ours
                .as_raw()
                .iter()
                .zip(theirs.as_raw())
                .map(|(&a, &b)| u64::from(a.abs_diff(b)))
                .sum();
            let mean = diff as f64 / f64::from(w * h);
            assert!(mean < 2.0, "{w}x{h}: mean difference {mean}");
        }
        assert_eq!(resize_gray(&gray, 801, 603), gray);
    }

    #[test]
    fn png_resolution_is_read() {
        let bytes = png_with_dpi(Some(400));
        assert!((png_dpi(&bytes).unwrap().0 - 400.0).abs() < 0.1);
        let r = decode(Path::new("a.png"), &bytes, 1 << 30, 300.0).unwrap();
        assert_eq!(r.dpi, (400.0, 400.0));
    }

    #[test]
    fn missing_resolution_is_assumed_and_recorded() {
        let r = decode(Path::new("a.png"), &png_with_dpi(None), 1 << 30, 300.0).unwrap();
        assert_eq!(r.dpi, (300.0, 300.0));
        assert!(r.dpi_assumed);
        assert_eq!((r.width(), r.height()), (40, 30));
        assert!(r.color.is_none());
    }

    #[test]
    fn pixel_limit_is_checked_before_decoding() {
        let err = decode(Path::new("big.png"), &png_with_dpi(None), 100, 300.0).unwrap_err();
        assert!(
            matches!(
                err,
                Error::TooLarge {
                    width: 40,
                    height: 30,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn header_pixels_are_the_decoded_pixels() {
        let png = png_with_dpi(None);
        assert_eq!(header_pixels(&png), Some(40 * 30));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&GrayImage::from_pixel(64, 48, Luma([9])))
            .unwrap();
        assert_eq!(header_pixels(&jpeg), Some(64 * 48));
        let mut tiff = Cursor::new(Vec::new());
        GrayImage::from_pixel(20, 10, Luma([9]))
            .write_to(&mut tiff, ImageFormat::Tiff)
            .unwrap();
        assert_eq!(header_pixels(tiff.get_ref()), Some(20 * 10));
        assert_eq!(header_pixels(b"hello, world"), None);
    }

    #[test]
    fn bad_input_names_the_file() {
        let err = decode(Path::new("x/empty.tif"), b"", 1 << 30, 300.0).unwrap_err();
        assert!(err
            .to_string()
            .contains("x/empty.tif: cannot decode image: file is empty"));
        let err = decode(Path::new("notes.jpg"), b"hello, world", 1 << 30, 300.0).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("notes.jpg: cannot decode image"),
            "{err}"
        );
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&GrayImage::from_pixel(64, 64, Luma([9])))
            .unwrap();
        jpeg.extend_from_slice(&[0, 0, b'\n']);
        assert!(decode(Path::new("padded.jpg"), &jpeg, 1 << 30, 300.0).is_ok());
        let err = decode(
            Path::new("cut.jpg"),
            &jpeg[..jpeg.len() - 40],
            1 << 30,
            300.0,
        )
        .unwrap_err();
        assert!(err.to_string().contains("truncated JPEG"), "{err}");
        let mut truncated = png_with_dpi(None);
        truncated.truncate(60);
        assert!(decode(Path::new("t.png"), &truncated, 1 << 30, 300.0).is_err());
    }

    #[test]
    fn jpeg_jfif_density() {
        let img = GrayImage::from_pixel(16, 16, Luma([10]));
        let mut out = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new(&mut out);
        enc.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(250));
        enc.encode_image(&img).unwrap();
        let r = decode(Path::new("a.jpg"), &out, 1 << 30, 300.0).unwrap();
        assert_eq!(r.dpi, (250.0, 250.0));
        assert!(!r.dpi_assumed);
    }
}
