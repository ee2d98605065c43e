//! The access copy: one searchable PDF/A-2u per document, written with lopdf.
//!
//! Each page is its prepared scan as a JPEG at its true physical size, under
//! an invisible text layer (text render mode 3) in a glyphless font, placed on
//! the OCR word boxes so that search, copy and `pdftotext` return the OCR text.
//! Doc comments name the ISO 19005-2 (PDF/A-2) clause each construct meets.

use crate::text::{BBox, PageText};
use crate::xmp::{self, XmpInfo};
use crate::{Error, Result};
use image::{GrayImage, RgbImage};
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use std::fmt::Write as _;

/// sRGB IEC61966-2.1, ICC v2 (zlib licence): the output intent profile.
const SRGB_ICC: &[u8] = include_bytes!("../assets/sRGB.icc");
/// Tesseract's glyphless TrueType font (Apache-2.0): one empty glyph, GID 1,
/// 1024 units of a 2048 em wide, i.e. 500 in PDF glyph space.
const GLYPHLESS_TTF: &[u8] = include_bytes!("../assets/glyphless.ttf");
/// Width of every glyph in PDF glyph space (1/1000 em), as in the font's hmtx.
const GLYPH_WIDTH: f64 = 500.0;

/// How a page image is compressed in the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// 8-bit gray, JPEG (DCTDecode).
    GrayJpeg,
    /// 8-bit gray, lossless Flate with the PNG Up predictor: chosen for
    /// clean pages (mostly pure paper and ink), where it beats JPEG in size.
    GrayFlate,
    /// 8-bit RGB, JPEG (DCTDecode).
    RgbJpeg,
    /// 1-bit, CCITT Group 4 (CCITTFaxDecode): lossless.
    BilevelG4,
}

/// A page image, already compressed, as the PDF will hold it.
#[derive(Debug, Clone)]
pub struct PageImage {
    pub data: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub kind: ImageKind,
}

/// Encodes the prepared page for the PDF: a bilevel page (every pixel 0 or
/// 255) as CCITT G4, verified lossless by decoding it again; any other page
/// as baseline JPEG at `quality`, gray or colour. Both filters are allowed
/// in PDF/A (only LZW is forbidden, 6.1.7.2).
pub fn encode_page_image(
    gray: &GrayImage,
    color: Option<&RgbImage>,
    quality: u8,
    dpi: u32,
) -> Result<PageImage> {
    if color.is_none() && crate::raster::is_bilevel(gray) {
        return encode_g4(gray);
    }
    let jpeg = encode_jpeg(gray, color, quality, dpi)?;
    if color.is_none() && is_clean(gray) {
        let flate = encode_flate(gray)?;
        if flate.data.len() < jpeg.data.len() {
            return Ok(flate);
        }
    }
    Ok(jpeg)
}

/// Whether nine pixels in ten are pure paper or pure ink (every 7th pixel
/// sampled): a born-digital or very clean page, where lossless can win.
/// Real scans, with paper texture and noise, never are, and skip the try.
fn is_clean(gray: &GrayImage) -> bool {
    let (mut clean, mut n) = (0usize, 0usize);
    for &p in gray.as_raw().iter().step_by(7) {
        n += 1;
        clean += usize::from(p >= 250 || p <= 5);
    }
    clean * 10 >= n * 9
}

/// Lossless: each row as its difference from the row above (PNG Up, tag 2),
/// deflated at a fast level.
fn encode_flate(gray: &GrayImage) -> Result<PageImage> {
    use std::io::Write;
    let w = gray.width() as usize;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(3));
    let mut prev = vec![0u8; w];
    let mut row_out = vec![0u8; w + 1];
    for row in gray.as_raw().chunks(w) {
        row_out[0] = 2;
        for (o, (&p, &q)) in row_out[1..].iter_mut().zip(row.iter().zip(&prev)) {
            *o = p.wrapping_sub(q);
        }
        enc.write_all(&row_out)
            .map_err(|e| Error::Pdf(format!("Flate: {e}")))?;
        prev.copy_from_slice(row);
    }
    let data = enc
        .finish()
        .map_err(|e| Error::Pdf(format!("Flate: {e}")))?;
    if unflate(&data, w) != *gray.as_raw() {
        return Err(Error::Pdf(
            "Flate round trip differs from the page: not stored".into(),
        ));
    }
    Ok(PageImage {
        data,
        width: gray.width(),
        height: gray.height(),
        kind: ImageKind::GrayFlate,
    })
}

/// Inflates and undoes the Up predictor: the pixels a reader will see.
fn unflate(data: &[u8], w: usize) -> Vec<u8> {
    use std::io::Read;
    let mut raw = Vec::new();
    if flate2::read::ZlibDecoder::new(data)
        .read_to_end(&mut raw)
        .is_err()
    {
        return Vec::new();
    }
    let mut out: Vec<u8> = Vec::with_capacity(raw.len());
    for row in raw.chunks(w + 1) {
        let start = out.len();
        for (i, &d) in row[1..].iter().enumerate() {
            let up = if start >= w { out[start - w + i] } else { 0 };
            out.push(d.wrapping_add(up));
        }
    }
    out
}

fn encode_jpeg(
    gray: &GrayImage,
    color: Option<&RgbImage>,
    quality: u8,
    dpi: u32,
) -> Result<PageImage> {
    // jpeg-encoder with its SIMD paths: faster than the image crate's
    // encoder on a full page.
    let mut data = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut data, quality.clamp(1, 100));
    let d = dpi.min(u16::MAX as u32) as u16;
    enc.set_density(jpeg_encoder::PixelDensity::dpi(d));
    let side = |n: u32| {
        u16::try_from(n).map_err(|_| Error::Pdf(format!("JPEG: {n} pixels is above 65535")))
    };
    let (width, height, kind) = match color {
        Some(c) => (c.width(), c.height(), ImageKind::RgbJpeg),
        None => (gray.width(), gray.height(), ImageKind::GrayJpeg),
    };
    let (w16, h16) = (side(width)?, side(height)?);
    let result = match color {
        Some(c) => enc.encode(c.as_raw(), w16, h16, jpeg_encoder::ColorType::Rgb),
        None => enc.encode(gray.as_raw(), w16, h16, jpeg_encoder::ColorType::Luma),
    };
    result.map_err(|e| Error::Pdf(format!("JPEG: {e}")))?;
    Ok(PageImage {
        data,
        width,
        height,
        kind,
    })
}

/// CCITT Group 4 (K < 0) of a bilevel raster, decoded again and compared
/// pixel for pixel: what is claimed lossless is checked.
fn encode_g4(gray: &GrayImage) -> Result<PageImage> {
    use fax::{Color, VecWriter};
    let (w, h) = gray.dimensions();
    let mut enc = fax::encoder::Encoder::new(VecWriter::new());
    for row in gray.as_raw().chunks(w as usize) {
        let pels = row
            .iter()
            .map(|&p| if p < 128 { Color::Black } else { Color::White });
        let _ = enc.encode_line(pels, w);
    }
    let data = enc.finish().map(VecWriter::finish).unwrap_or_default();
    let mut decoded = Vec::with_capacity((w * h) as usize);
    fax::decoder::decode_g4(data.iter().copied(), w, Some(h), |line| {
        decoded
            .extend(fax::decoder::pels(line, w).map(|c| if c == Color::Black { 0u8 } else { 255 }));
    });
    if decoded != *gray.as_raw() {
        return Err(Error::Pdf(
            "CCITT G4 round trip differs from the page: not stored".into(),
        ));
    }
    Ok(PageImage {
        data,
        width: w,
        height: h,
        kind: ImageKind::BilevelG4,
    })
}

/// One page for [`write()`].
pub struct PdfPage<'a> {
    pub image: &'a PageImage,
    /// Pixels per inch of the image (and of the OCR boxes).
    pub dpi: (f32, f32),
    /// OCR result; its boxes are in pixels of `image`.
    pub text: &'a PageText,
}

/// Writes the whole PDF. `id_seed` makes the trailer ID: the same seed gives
/// the same file, byte for byte.
pub fn write(pages: &[PdfPage], info: &XmpInfo, id_seed: &[u8]) -> Result<Vec<u8>> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = add_font(&mut doc);
    let mut kids = Vec::with_capacity(pages.len());
    for page in pages {
        kids.push(add_page(&mut doc, pages_id, font, page)?.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }.into(),
    );
    let catalog = dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "Metadata" => add_metadata(&mut doc, info),
        "OutputIntents" => vec![add_output_intent(&mut doc).into()],
    };
    let catalog_id = doc.add_object(catalog);
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("ID", file_id(id_seed));
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| Error::Pdf(e.to_string()))?;
    Ok(out)
}

/// PDF/A-2 6.1.3: the trailer must hold an ID. Both halves are the same
/// digest of `seed`, so output is deterministic.
fn file_id(seed: &[u8]) -> Object {
    let digest = crate::fixity::sha256_hex(seed);
    let bytes = hex::decode(&digest[..32]).expect("hex from sha256_hex");
    Object::Array(vec![
        Object::String(bytes.clone(), StringFormat::Hexadecimal),
        Object::String(bytes, StringFormat::Hexadecimal),
    ])
}

/// PDF/A-2 6.6.2.1: the document catalog's Metadata is an XMP stream,
/// which must not be compressed (no Filter) so that any reader finds it.
fn add_metadata(doc: &mut Document, info: &XmpInfo) -> ObjectId {
    let stream = Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp::packet(info),
    )
    .with_compression(false);
    doc.add_object(stream)
}

/// PDF/A-2 6.2.3: an OutputIntent with subtype GTS_PDFA1 whose
/// DestOutputProfile is an embedded ICC profile; with device colour spaces
/// in use (6.2.4.3), its colour space (RGB, N 3) must match DeviceRGB.
fn add_output_intent(doc: &mut Document) -> ObjectId {
    let mut icc = Stream::new(dictionary! { "N" => 3 }, SRGB_ICC.to_vec());
    let _ = icc.compress();
    let icc_id = doc.add_object(icc);
    doc.add_object(dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFA1",
        "OutputConditionIdentifier" => Object::string_literal("sRGB IEC61966-2.1"),
        "Info" => Object::string_literal("sRGB IEC61966-2.1"),
        "DestOutputProfile" => icc_id,
    })
}

/// The invisible-text font: a Type 0 font with Identity-H encoding over a
/// CIDFontType2 whose every CID maps to the glyphless glyph.
///
/// - PDF/A-2 6.2.11.4.1: the font program is embedded (FontFile2).
/// - 6.2.11.3.2: a CIDFontType2 must have a CIDToGIDMap (a stream here).
/// - 6.2.11.5: DW 500 equals the glyph's advance in the font program.
/// - 6.2.11.7.2 (level U): a ToUnicode CMap maps every code to Unicode.
fn add_font(doc: &mut Document) -> ObjectId {
    let mut file = Stream::new(
        dictionary! { "Length1" => GLYPHLESS_TTF.len() as i64 },
        GLYPHLESS_TTF.to_vec(),
    );
    let _ = file.compress();
    let file_id = doc.add_object(file);
    let descriptor = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "GlyphLessFont",
        "Flags" => 5,
        "FontBBox" => vec![0.into(), 0.into(), 500.into(), 1000.into()],
        "ItalicAngle" => 0,
        "Ascent" => 1000,
        "Descent" => 0,
        "CapHeight" => 1000,
        "StemV" => 80,
        "FontFile2" => file_id,
    });
    // Every CID (a UTF-16 code unit, see `encode_text`) shows glyph 1.
    let mut map = Stream::new(Dictionary::new(), [0u8, 1].repeat(65536));
    let _ = map.compress();
    let map_id = doc.add_object(map);
    let cid_font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "GlyphLessFont",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor,
        "DW" => GLYPH_WIDTH as i64,
        "CIDToGIDMap" => map_id,
    });
    let mut to_unicode = Stream::new(Dictionary::new(), to_unicode_cmap().into_bytes());
    let _ = to_unicode.compress();
    let to_unicode_id = doc.add_object(to_unicode);
    doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "GlyphLessFont",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![cid_font.into()],
        "ToUnicode" => to_unicode_id,
    })
}

/// A CMap mapping each two-byte code to the same UTF-16 code unit. A bfrange
/// may only vary in its last byte (PDF 32000-1, 9.10.3), so there is one
/// range per high byte, in blocks of at most 100 entries; surrogates
/// (D800-DFFF) are never used as codes and are left out.
fn to_unicode_cmap() -> String {
    let highs: Vec<u32> = (0u32..=0xFF)
        .filter(|h| !(0xD8..=0xDF).contains(h))
        .collect();
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in highs.chunks(100) {
        let _ = writeln!(s, "{} beginbfrange", chunk.len());
        for h in chunk {
            let _ = writeln!(s, "<{h:02X}00> <{h:02X}FF> <{h:02X}00>");
        }
        s.push_str("endbfrange\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}

/// Text as two-byte codes for the Identity-H font: each UTF-16 code unit is
/// its own code. Characters outside the Basic Multilingual Plane (none occur
/// in Vietnamese or Khmer) become U+FFFD in the text layer only.
fn encode_text(text: &str) -> (String, usize) {
    let mut hex = String::with_capacity(text.len() * 4);
    let mut n = 0;
    for c in text.chars() {
        let unit = u16::try_from(u32::from(c)).unwrap_or(0xFFFD);
        let unit = if (0xD800..=0xDFFF).contains(&unit) {
            0xFFFD
        } else {
            unit
        };
        let _ = write!(hex, "{unit:04X}");
        n += 1;
    }
    (hex, n)
}

/// The least width and height of a page, in default user space units.
const MIN_PAGE_UNITS: f64 = 3.0;

fn add_page(
    doc: &mut Document,
    parent: ObjectId,
    font: ObjectId,
    page: &PdfPage,
) -> Result<ObjectId> {
    let img = page.image;
    // Page size is the physical size: pixels / dpi inches, 72 points an inch.
    let sx = 72.0 / f64::from(page.dpi.0.max(1.0));
    let sy = 72.0 / f64::from(page.dpi.1.max(1.0));
    // PDF/A-2 (ISO 19005-2, 6.1.13, after ISO 32000-1 Annex C.2): a page's
    // boundaries are at least 3 units; a tiny image (10x10 px at 300 dpi is
    // 2.4 pt) is scaled up to that, both ways alike, not stretched.
    let grow = (MIN_PAGE_UNITS / (f64::from(img.width) * sx))
        .max(MIN_PAGE_UNITS / (f64::from(img.height) * sy))
        .max(1.0);
    let (sx, sy) = (sx * grow, sy * grow);
    let (w_pt, h_pt) = (f64::from(img.width) * sx, f64::from(img.height) * sy);
    let mut dict = dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => img.width as i64,
        "Height" => img.height as i64,
        "ColorSpace" => if img.kind == ImageKind::RgbJpeg { "DeviceRGB" } else { "DeviceGray" },
    };
    if img.kind == ImageKind::GrayFlate {
        dict.set("BitsPerComponent", 8);
        dict.set("Filter", "FlateDecode");
        dict.set(
            "DecodeParms",
            dictionary! { "Predictor" => 12, "Colors" => 1, "BitsPerComponent" => 8, "Columns" => img.width as i64 },
        );
    } else if img.kind == ImageKind::BilevelG4 {
        dict.set("BitsPerComponent", 1);
        dict.set("Filter", "CCITTFaxDecode");
        dict.set(
            "DecodeParms",
            dictionary! { "K" => -1, "Columns" => img.width as i64, "Rows" => img.height as i64 },
        );
    } else {
        dict.set("BitsPerComponent", 8);
        dict.set("Filter", "DCTDecode");
    }
    let image = Stream::new(dict, img.data.clone()).with_compression(false);
    let image_id = doc.add_object(image);
    let mut content = format!("q\n{} 0 0 {} 0 0 cm\n/Im0 Do\nQ\n", num(w_pt), num(h_pt));
    text_layer(&mut content, page.text, sx, sy, h_pt);
    let mut contents = Stream::new(Dictionary::new(), content.into_bytes());
    contents
        .compress()
        .map_err(|e| Error::Pdf(format!("compress content: {e}")))?;
    let contents_id = doc.add_object(contents);
    Ok(doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => parent,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(w_pt as f32), Object::Real(h_pt as f32)],
        "Resources" => dictionary! {
            "XObject" => dictionary! { "Im0" => image_id },
            "Font" => dictionary! { "F0" => font },
        },
        "Contents" => contents_id,
    }))
}

/// The invisible text, one word at a time on its OCR box: each word is
/// stretched (Tz) to exactly its box, so that selecting it in a viewer
/// highlights the printed word; a space, stretched to fill the gap, follows
/// every word but a line's last, so that `pdftotext` and copy-paste see
/// words, spaces and lines as the OCR had them. The baseline is the bottom
/// of the line box and the font size its height (the font's ascent is 1000,
/// its descent 0), so the glyph boxes cover the line.
fn text_layer(out: &mut String, text: &PageText, sx: f64, sy: f64, h_pt: f64) {
    if text.words().next().is_none() {
        return;
    }
    out.push_str("BT\n3 Tr\n");
    for line in text.lines() {
        let size = (f64::from(line.bbox.height()) * sy).max(1.0);
        let em = GLYPH_WIDTH / 1000.0 * size; // advance of one glyph at Tz 100
        let baseline = h_pt - f64::from(line.bbox.y1) * sy;
        let _ = writeln!(out, "/F0 {} Tf", num(size));
        for (i, word) in line.words.iter().enumerate() {
            let (hex, units) = encode_text(&word.text);
            let width = f64::from(word.bbox.width().max(1)) * sx;
            let _ = write!(
                out,
                "{} Tz 1 0 0 1 {} {} Tm <{hex}> Tj",
                num(100.0 * width / (units as f64 * em)),
                num(f64::from(word.bbox.x0) * sx),
                num(baseline),
            );
            let next: Option<&BBox> = line.words.get(i + 1).map(|w| &w.bbox);
            if let Some(next) = next {
                let gap = (f64::from(next.x0) - f64::from(word.bbox.x1)) * sx;
                // A space at least a tenth of a glyph wide, even where boxes touch.
                let _ = write!(out, " {} Tz <0020> Tj", num((100.0 * gap / em).max(10.0)));
            }
            out.push('\n');
        }
    }
    out.push_str("ET\n");
}

/// A number for a content stream: three decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Block, Line, Word};

    fn sample_text() -> PageText {
        let word = |t: &str, x0, x1| Word {
            text: t.into(),
            bbox: BBox {
                x0,
                y0: 100,
                x1,
                y1: 140,
            },
            confidence: 90.0,
        };
        let words = vec![
            word("Cần", 100, 180),
            word("Thơ", 200, 280),
            word("ខ្មែរ", 300, 420),
        ];
        let bbox = BBox {
            x0: 100,
            y0: 100,
            x1: 420,
            y1: 140,
        };
        PageText {
            width: 600,
            height: 800,
            blocks: vec![Block {
                bbox,
                lines: vec![Line { bbox, words }],
            }],
        }
    }

    fn sample_pdf() -> Vec<u8> {
        let gray = GrayImage::from_pixel(600, 800, image::Luma([250]));
        let img = encode_page_image(&gray, None, 80, 300).unwrap();
        let text = sample_text();
        let page = PdfPage {
            image: &img,
            dpi: (300.0, 300.0),
            text: &text,
        };
        let info = XmpInfo {
            title: "T".into(),
            date: "2026-01-01T00:00:00Z".into(),
            ..Default::default()
        };
        write(&[page], &info, b"seed").unwrap()
    }

    #[test]
    fn bilevel_pages_are_g4_and_lossless() {
        let mut page = GrayImage::from_pixel(301, 97, image::Luma([255]));
        for (i, p) in page.pixels_mut().enumerate() {
            if (i * 7919) % 13 < 4 {
                *p = image::Luma([0]);
            }
        }
        let img = encode_page_image(&page, None, 80, 300).unwrap();
        assert_eq!(img.kind, ImageKind::BilevelG4);
        assert!(img.data.len() < 301 * 97 / 8 * 2);
        let mut gray = page.clone();
        gray.put_pixel(0, 0, image::Luma([128]));
        // One grey pixel: no longer bilevel, so not G4.
        assert_ne!(
            encode_page_image(&gray, None, 80, 300).unwrap().kind,
            ImageKind::BilevelG4
        );
    }

    #[test]
    fn clean_pages_are_lossless_when_that_is_smaller() {
        // A clean page: white paper, black strokes with grey edges.
        let mut page = GrayImage::from_pixel(800, 600, image::Luma([255]));
        for y in (40..560).step_by(30) {
            for x in 50..750 {
                for dy in 0..8 {
                    let v = if dy == 0 || dy == 7 { 128 } else { 0 };
                    page.put_pixel(x, y + dy, image::Luma([v]));
                }
            }
        }
        let img = encode_page_image(&page, None, 80, 300).unwrap();
        assert_eq!(img.kind, ImageKind::GrayFlate);
        assert_eq!(unflate(&img.data, 800), *page.as_raw());
        // A textured scan is never clean: JPEG.
        let mut noisy = page.clone();
        for (i, p) in noisy.pixels_mut().enumerate() {
            p[0] = p[0].saturating_sub((i * 7919 % 23) as u8);
        }
        assert_eq!(
            encode_page_image(&noisy, None, 80, 300).unwrap().kind,
            ImageKind::GrayJpeg
        );
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(-0.0001), "0");
        assert_eq!(num(144.123456), "144.123");
    }

    #[test]
    fn text_codes_are_utf16_units() {
        assert_eq!(encode_text("Ơ ខ"), ("01A000201781".to_string(), 3));
        assert_eq!(encode_text("😀").0, "FFFD");
    }

    #[test]
    fn cmap_ranges_stay_within_a_high_byte() {
        let cmap = to_unicode_cmap();
        assert!(cmap.contains("<1700> <17FF> <1700>"), "Khmer block mapped");
        assert!(
            cmap.contains("<1E00> <1EFF> <1E00>"),
            "Vietnamese extended Latin mapped"
        );
        assert!(!cmap.contains("<D800>"));
        assert_eq!(cmap.matches("beginbfrange").count(), 3);
    }

    /// PDF/A-2, 6.1.13 (ISO 32000-1 C.2): no page boundary under 3 units.
    /// A 10x8 px image at 300 dpi would be 2.4 x 1.92 pt; it is scaled up
    /// to 3.75 x 3 pt, keeping its shape, and its image fills the page.
    #[test]
    fn a_tiny_image_makes_a_page_of_at_least_3_units() {
        let gray = GrayImage::from_pixel(10, 8, image::Luma([250]));
        let img = encode_page_image(&gray, None, 80, 300).unwrap();
        let text = PageText {
            width: 10,
            height: 8,
            blocks: Vec::new(),
        };
        let page = PdfPage {
            image: &img,
            dpi: (300.0, 300.0),
            text: &text,
        };
        let bytes = write(&[page], &XmpInfo::default(), b"seed").unwrap();
        let doc = Document::load_mem(&bytes).unwrap();
        let pages = doc.get_pages();
        let page = doc.get_dictionary(pages[&1]).unwrap();
        let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
        let (w, h) = (mb[2].as_float().unwrap(), mb[3].as_float().unwrap());
        assert!(
            (w - 3.75).abs() < 0.01 && (h - 3.0).abs() < 0.01,
            "{w} x {h}"
        );
        let content = String::from_utf8_lossy(&doc.get_page_content(pages[&1])).into_owned();
        assert!(content.contains("3.75 0 0 3 0 0 cm"), "{content}");
    }

    #[test]
    fn same_input_same_bytes() {
        assert_eq!(sample_pdf(), sample_pdf());
    }

    #[test]
    fn page_has_physical_size_and_text_layer() {
        let bytes = sample_pdf();
        assert!(bytes.starts_with(b"%PDF-1.7\n%"));
        assert!(
            bytes[10..14].iter().all(|&b| b >= 128),
            "binary comment (6.1.2)"
        );
        let doc = Document::load_mem(&bytes).unwrap();
        let pages = doc.get_pages();
        assert_eq!(pages.len(), 1);
        let page = doc.get_dictionary(pages[&1]).unwrap();
        let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
        // 600 x 800 px at 300 dpi = 144 x 192 pt.
        assert!((mb[2].as_float().unwrap() - 144.0).abs() < 0.01);
        assert!((mb[3].as_float().unwrap() - 192.0).abs() < 0.01);
        let content = doc.get_page_content(pages[&1]);
        let content = String::from_utf8(content).unwrap();
        assert!(content.contains("3 Tr"));
        // "Cần " as UTF-16 code units.
        assert!(
            content.contains("<00431EA7006E> Tj 100 Tz <0020> Tj"),
            "{content}"
        );
    }
}
