//! Scanner PDFs as input: the one image each page of a scan is, taken out
//! of its stream as it was stored, never rendered through a rasteriser.
//!
//! A document scanner or a multifunction printer writes one image a page,
//! drawn over the whole page. That image is the scan: JPEG bytes
//! (DCTDecode), CCITT fax (G3 or G4), Flate or LZW with predictors, JBIG2
//! or JPEG 2000. Its resolution is its pixel size over the size it is
//! drawn at. A page that draws anything else, or that carries text (a
//! born-digital page, or one OCR'd before), is not a scan and is refused
//! with why, as OCRmyPDF refuses pages with text (its exit code 6).

use crate::raster::{self, Raster};
use crate::{Error, Result};
use image::{DynamicImage, GrayImage, RgbImage};
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::path::Path;

/// A page of a PDF, as record.json and METS name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PdfPage {
    /// 1-based, in page order.
    pub number: u32,
    /// The page object's number in the file.
    pub object: u32,
    /// Where the page object starts in the file, bytes, when it is not
    /// inside an object stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

/// What to do with a page that carries text. Default: refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PagesWithText {
    /// Refuse every page with text: it is born-digital or was OCR'd
    /// before, and OCR would only make it worse.
    #[default]
    Refuse,
    /// Read again a page whose text is all invisible (an earlier OCR
    /// layer over its scan), dropping that text; still refuse a page with
    /// visible text.
    ReocrImageOnly,
}

/// Decompressed streams larger than this are refused (a small stream can
/// inflate without bound): 1 GiB, above any real page image's samples.
const MAX_STREAM: usize = 1 << 30;

/// The share of the page an image must cover to be the page's scan.
const COVERS: f32 = 0.9;

/// An opened scanner PDF.
pub struct ScannerPdf {
    doc: Document,
    pages: Vec<(PdfPage, ObjectId)>,
}

impl ScannerPdf {
    /// Parses the PDF and lists its pages. Encrypted, damaged and empty
    /// PDFs fail with why; so does a page tree that lists a page twice (a
    /// loop).
    pub fn open(path: &Path, bytes: &[u8]) -> Result<ScannerPdf> {
        let bad = |reason: String| Error::Decode {
            path: path.to_path_buf(),
            reason,
        };
        // A PDF ends with %%EOF (ISO 32000-1, 7.5.5), perhaps followed by a
        // little padding; one cut short has lost its cross-reference table
        // and maybe pages.
        let tail = &bytes[bytes.len().saturating_sub(1024)..];
        if !tail.windows(5).any(|w| w == b"%%EOF") {
            return Err(bad("truncated PDF: no %%EOF end marker".into()));
        }
        let options = lopdf::LoadOptions {
            max_decompressed_size: Some(MAX_STREAM),
            ..Default::default()
        };
        let doc = Document::load_mem_with_options(bytes, options)
            .map_err(|e| bad(format!("not a readable PDF: {e}")))?;
        // lopdf opens a PDF whose user password is empty; it is encrypted
        // all the same, which an archive's master must not be.
        if doc.is_encrypted() || doc.was_encrypted() || doc.trailer.has(b"Encrypt") {
            return Err(bad(
                "encrypted PDF: save an unencrypted copy to digitise it".into(),
            ));
        }
        let mut pages = Vec::new();
        for (i, id) in page_tree(&doc).map_err(bad)?.into_iter().enumerate() {
            let number = i as u32 + 1;
            let offset = match doc.reference_table.get(id.0) {
                Some(lopdf::xref::XrefEntry::Normal { offset, .. }) => Some(u64::from(*offset)),
                _ => None,
            };
            pages.push((
                PdfPage {
                    number,
                    object: id.0,
                    offset,
                },
                id,
            ));
        }
        if pages.is_empty() {
            return Err(bad("no page could be read: a damaged PDF".into()));
        }
        Ok(ScannerPdf { doc, pages })
    }

    pub fn pages(&self) -> Vec<PdfPage> {
        self.pages.iter().map(|(p, _)| *p).collect()
    }

    /// The scan that `page` is, as a raster: the page's image decoded from
    /// its stream, turned as the page is shown (`/Rotate`, and the image's
    /// own placement), with its resolution. Errors name the file and page.
    pub fn decode(
        &self,
        path: &Path,
        page: PdfPage,
        max_pixels: u64,
        with_text: PagesWithText,
    ) -> Result<Raster> {
        let in_page = |reason: String| Error::Decode {
            path: path.to_path_buf(),
            reason: format!("page {}: {reason}", page.number),
        };
        let id = self
            .pages
            .iter()
            .find(|(p, _)| p.number == page.number)
            .map(|(_, id)| *id)
            .ok_or_else(|| in_page("no such page".into()))?;
        let content = self
            .doc
            .get_page_content_with_limit(id, MAX_STREAM)
            .map_err(|e| in_page(format!("its content cannot be read: {e}")))?;
        let ops = lopdf::content::Content::decode(&content)
            .map_err(|e| in_page(format!("its content cannot be read: {e}")))?
            .operations;
        let resources = self
            .inherited(id, b"Resources")
            .and_then(|o| o.as_dict().ok());
        let drawn = walk(&self.doc, &ops, resources, Matrix::IDENTITY, 0);
        match (drawn.visible_text, drawn.invisible_text, with_text) {
            (true, _, _) => {
                return Err(in_page(
                    "it carries text (a born-digital page): diachi digitises scans only".into(),
                ))
            }
            (false, true, PagesWithText::Refuse) => {
                return Err(in_page(
                    "it carries an OCR text layer already; set raster.pdf_pages_with_text = \"reocr-image-only\" to read it again".into(),
                ))
            }
            _ => {}
        }
        if drawn.other {
            return Err(in_page(
                "it draws something besides an image (a form diachi cannot read): diachi does not render PDFs".into(),
            ));
        }
        let media = self.media_box(id).map_err(in_page)?;
        let [image] = drawn.images.as_slice() else {
            return Err(in_page(format!(
                "it draws {} images, where a scanned page is one: diachi does not render PDFs",
                drawn.images.len()
            )));
        };
        let covered = image.ctm.covered(&media);
        if covered < COVERS {
            return Err(in_page(format!(
                "its image covers {:.0}% of the page, where a scan covers all of it",
                covered * 100.0
            )));
        }
        let stream = image
            .stream
            .ok_or_else(|| in_page("it draws an inline image".into()))?;
        let pixels = extract(&self.doc, stream, max_pixels).map_err(in_page)?;
        let (w, h) = (pixels.width(), pixels.height());
        let pixels = image.ctm.upright(pixels).map_err(in_page)?;
        let (sx, sy) = image.ctm.drawn_size();
        let (dx, dy) = if image.ctm.quarter_turn() {
            (w as f32 / (sy / 72.0), h as f32 / (sx / 72.0))
        } else {
            (w as f32 / (sx / 72.0), h as f32 / (sy / 72.0))
        };
        let rotate = self.rotation(id);
        let (pixels, dpi) = match rotate {
            90 => (pixels.rotate90(), (dy, dx)),
            180 => (pixels.rotate180(), (dx, dy)),
            270 => (pixels.rotate270(), (dy, dx)),
            _ => (pixels, (dx, dy)),
        };
        Ok(raster::from_pixels(pixels, tidy(dpi), "pdf"))
    }

    /// An inherited page attribute (ISO 32000-1, 7.7.3.4): on the page or
    /// the nearest ancestor that has it.
    fn inherited(&self, id: ObjectId, key: &[u8]) -> Option<&Object> {
        let mut node = self.doc.get_dictionary(id).ok()?;
        for _ in 0..64 {
            if let Ok(v) = node.get(key) {
                return self.doc.dereference(v).ok().map(|(_, o)| o);
            }
            let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
            node = self.doc.get_dictionary(parent).ok()?;
        }
        None
    }

    /// The page's MediaBox, `[x0 y0 x1 y1]` in points.
    fn media_box(&self, id: ObjectId) -> std::result::Result<[f32; 4], String> {
        let b = self
            .inherited(id, b"MediaBox")
            .and_then(|o| o.as_array().ok())
            .filter(|a| a.len() == 4)
            .ok_or("it has no MediaBox")?;
        let mut v = [0.0; 4];
        for (x, o) in v.iter_mut().zip(b) {
            *x = o.as_float().map_err(|_| "its MediaBox is not numbers")?;
        }
        let r = [
            v[0].min(v[2]),
            v[1].min(v[3]),
            v[0].max(v[2]),
            v[1].max(v[3]),
        ];
        if r[2] - r[0] < 1.0 || r[3] - r[1] < 1.0 {
            return Err("its MediaBox is empty".into());
        }
        Ok(r)
    }

    /// `/Rotate`, clockwise degrees, as 0, 90, 180 or 270.
    fn rotation(&self, id: ObjectId) -> i64 {
        self.inherited(id, b"Rotate")
            .and_then(|o| o.as_i64().ok())
            .map_or(0, |r| r.rem_euclid(360) / 90 * 90)
    }
}

/// The page objects in order, walking the page tree from the catalog
/// (ISO 32000-1, 7.7.3): a node met twice is a loop, and the file is
/// refused rather than read for ever or cut short.
fn page_tree(doc: &Document) -> std::result::Result<Vec<ObjectId>, String> {
    let root = doc
        .catalog()
        .and_then(|c| c.get(b"Pages"))
        .and_then(Object::as_reference)
        .map_err(|_| "no page tree: a damaged PDF")?;
    let mut pages = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(root, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        if !seen.insert(id) {
            return Err(
                "its page tree loops (a node is its own descendant or listed twice)".into(),
            );
        }
        if depth > 64 {
            return Err("its page tree is over 64 levels deep".into());
        }
        let node = doc
            .get_dictionary(id)
            .map_err(|_| format!("page tree object {} cannot be read: a damaged PDF", id.0))?;
        let kids = node.get_deref(b"Kids", doc).and_then(Object::as_array);
        match (node.get(b"Type").and_then(Object::as_name), kids) {
            (Ok(b"Page"), _) | (Err(_), Err(_)) => pages.push(id),
            (_, Ok(kids)) => {
                // Depth first, in order: push the kids last to first.
                for kid in kids.iter().rev() {
                    let kid = kid
                        .as_reference()
                        .map_err(|_| "a page tree kid is not a reference: a damaged PDF")?;
                    stack.push((kid, depth + 1));
                }
            }
            _ => {
                return Err(format!(
                    "page tree object {} is neither a page nor a node",
                    id.0
                ))
            }
        }
    }
    Ok(pages)
}

/// An image the page draws: its stream and where it is drawn.
struct Drawn<'a> {
    /// `None` for an inline image (BI ... EI).
    stream: Option<&'a lopdf::Stream>,
    ctm: Matrix,
}

/// What a page's content does that matters here.
#[derive(Default)]
struct Walked<'a> {
    images: Vec<Drawn<'a>>,
    visible_text: bool,
    invisible_text: bool,
    /// A form or an operator this walk does not follow.
    other: bool,
}

/// Forms within forms are followed this deep (a loop ends here).
const FORM_DEPTH: usize = 8;

/// Follows the content's graphics state (q, Q, cm) and notes each image
/// drawn (Do, and inline images), and whether text is shown and with which
/// rendering mode (Tr 3 is invisible: an OCR layer, which OCRmyPDF and
/// others put in a form XObject of its own). Forms are followed, with
/// their own resources and matrix.
fn walk<'a>(
    doc: &'a Document,
    ops: &[lopdf::content::Operation],
    resources: Option<&'a Dictionary>,
    base: Matrix,
    depth: usize,
) -> Walked<'a> {
    let mut w = Walked::default();
    let mut stack = Vec::new();
    let mut ctm = base;
    let mut render_mode = 0;
    let mut render_stack = Vec::new();
    for op in ops {
        let nums: Vec<f32> = op
            .operands
            .iter()
            .filter_map(|o| o.as_float().ok())
            .collect();
        match op.operator.as_str() {
            "q" => {
                stack.push(ctm);
                render_stack.push(render_mode);
            }
            "Q" => {
                ctm = stack.pop().unwrap_or(base);
                render_mode = render_stack.pop().unwrap_or(0);
            }
            "cm" if nums.len() == 6 => {
                ctm = Matrix([nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]]).then(ctm)
            }
            "Tr" if nums.len() == 1 => render_mode = nums[0] as i64,
            "Tj" | "TJ" | "'" | "\"" => {
                if render_mode == 3 {
                    w.invisible_text = true;
                } else {
                    w.visible_text = true;
                }
            }
            "Do" => {
                let name = op.operands.first().and_then(|o| o.as_name().ok());
                let stream = name.and_then(|n| xobject(doc, resources, n));
                let Some(stream) = stream else {
                    w.other = true;
                    continue;
                };
                match stream.dict.get(b"Subtype").and_then(Object::as_name) {
                    Ok(b"Image") => w.images.push(Drawn {
                        stream: Some(stream),
                        ctm,
                    }),
                    Ok(b"Form") if depth < FORM_DEPTH => {
                        let matrix = stream
                            .dict
                            .get(b"Matrix")
                            .and_then(Object::as_array)
                            .ok()
                            .and_then(|m| {
                                let v: Vec<f32> =
                                    m.iter().filter_map(|o| o.as_float().ok()).collect();
                                (v.len() == 6).then(|| Matrix([v[0], v[1], v[2], v[3], v[4], v[5]]))
                            })
                            .unwrap_or(Matrix::IDENTITY);
                        let inner = stream
                            .decompressed_content_with_limit(MAX_STREAM)
                            .ok()
                            .and_then(|c| lopdf::content::Content::decode(&c).ok());
                        let Some(inner) = inner else {
                            w.other = true;
                            continue;
                        };
                        let own = stream
                            .dict
                            .get_deref(b"Resources", doc)
                            .and_then(Object::as_dict)
                            .ok()
                            .or(resources);
                        let sub = walk(doc, &inner.operations, own, matrix.then(ctm), depth + 1);
                        w.images.extend(sub.images);
                        w.visible_text |= sub.visible_text;
                        w.invisible_text |= sub.invisible_text;
                        w.other |= sub.other;
                    }
                    _ => w.other = true,
                }
            }
            // An inline image: not how scanners store a page, but drawn
            // all the same: count it so the page is refused.
            "EI" => w.images.push(Drawn { stream: None, ctm }),
            _ => {}
        }
    }
    w
}

/// The XObject `name` in `resources`.
fn xobject<'a>(
    doc: &'a Document,
    resources: Option<&'a Dictionary>,
    name: &[u8],
) -> Option<&'a lopdf::Stream> {
    resources?
        .get_deref(b"XObject", doc)
        .and_then(Object::as_dict)
        .ok()?
        .get_deref(name, doc)
        .and_then(Object::as_stream)
        .ok()
}

/// A PDF transformation matrix `[a b c d e f]` (ISO 32000-1, 8.3.3).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` applied first, then `other` (PDF's `cm` pre-multiplies).
    fn then(self, other: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// The image's unit square as drawn: its bounding box in points.
    fn bounds(&self) -> [f32; 4] {
        let corners =
            [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0)].map(|(x, y)| self.apply(x, y));
        let xs = corners.map(|c| c.0);
        let ys = corners.map(|c| c.1);
        let min = |v: [f32; 4]| v.into_iter().fold(f32::MAX, f32::min);
        let max = |v: [f32; 4]| v.into_iter().fold(f32::MIN, f32::max);
        [min(xs), min(ys), max(xs), max(ys)]
    }

    /// The share of `page` the drawn image covers.
    fn covered(&self, page: &[f32; 4]) -> f32 {
        let b = self.bounds();
        let w = (b[2].min(page[2]) - b[0].max(page[0])).max(0.0);
        let h = (b[3].min(page[3]) - b[1].max(page[1])).max(0.0);
        w * h / ((page[2] - page[0]) * (page[3] - page[1]))
    }

    /// Width and height the image's own x and y axes are drawn at, points.
    fn drawn_size(&self) -> (f32, f32) {
        let [a, b, c, d, ..] = self.0;
        (a.hypot(b), c.hypot(d))
    }

    /// Whether the image's x axis is drawn vertically.
    fn quarter_turn(&self) -> bool {
        let [a, b, ..] = self.0;
        b.abs() > a.abs()
    }

    /// The image's pixels turned and flipped as the matrix draws them, so
    /// that the raster reads as the page is seen. Image row 0 is drawn at
    /// the image space's y = 1 (ISO 32000-1, 8.9.3). Only the eight
    /// axis-aligned placements are read; a sheared image is refused.
    fn upright(&self, img: DynamicImage) -> std::result::Result<DynamicImage, String> {
        let [a, b, c, d, ..] = self.0;
        let tiny = |v: f32| v.abs() < 1e-3 * (a.abs() + b.abs() + c.abs() + d.abs());
        if !tiny(b) || !tiny(c) {
            if !(tiny(a) && tiny(d)) {
                return Err("its image is drawn at a slant".into());
            }
            // x axis drawn vertically: a quarter turn, perhaps flipped.
            let turned = match (b > 0.0, c > 0.0) {
                // x up, y left: the image's top is to the left.
                (true, false) => img.rotate270(),
                (false, true) => img.rotate90(),
                (true, true) => img.rotate270().fliph(),
                (false, false) => img.rotate90().fliph(),
            };
            return Ok(turned);
        }
        let img = if a < 0.0 { img.fliph() } else { img };
        Ok(if d < 0.0 { img.flipv() } else { img })
    }
}

/// A PDF gives a page's size in points, often rounded, so the resolution it
/// implies is a little off: snapped to whole dpi from half a dpi away.
fn tidy(dpi: (f32, f32)) -> (f32, f32) {
    (raster::snap_dpi(dpi.0, 0.5), raster::snap_dpi(dpi.1, 0.5))
}

/// The image of an image XObject, from its stream as stored.
fn extract(
    doc: &Document,
    stream: &lopdf::Stream,
    max_pixels: u64,
) -> std::result::Result<DynamicImage, String> {
    let dict = &stream.dict;
    let int = |k: &[u8]| dict.get_deref(k, doc).and_then(Object::as_i64).ok();
    let (width, height) = match (int(b"Width"), int(b"Height")) {
        (Some(w), Some(h)) if w > 0 && h > 0 && w <= 1 << 20 && h <= 1 << 20 => {
            (w as u32, h as u32)
        }
        _ => return Err("its image has no usable Width and Height".into()),
    };
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(format!(
            "image is {width}x{height} pixels, above the limit of {max_pixels} pixels"
        ));
    }
    let filters = filters(dict, doc);
    let last = filters.last().map(Vec::as_slice);
    let space = ColourSpace::of(dict, doc)?;
    let bpc =
        int(b"BitsPerComponent").unwrap_or(if space == ColourSpace::Mask { 1 } else { 8 }) as u32;
    let invert = decode_inverts(dict, doc);
    let img = match last {
        Some(b"DCTDecode") => {
            let bytes = leading(stream, &filters)?;
            image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg)
                .map_err(|e| format!("its JPEG image cannot be decoded: {e}"))?
        }
        Some(b"JPXDecode") => {
            let bytes = leading(stream, &filters)?;
            crate::jp2::decode_pixels(&bytes, max_pixels)
                .map_err(|e| format!("its JPEG 2000 image: {e}"))?
        }
        Some(b"CCITTFaxDecode") => {
            let bytes = leading(stream, &filters)?;
            ccitt(&bytes, parms(dict, doc, filters.len() - 1), width, height)?
        }
        Some(b"JBIG2Decode") => {
            let bytes = leading(stream, &filters)?;
            let globals = parms(dict, doc, filters.len() - 1)
                .and_then(|p| p.get_deref(b"JBIG2Globals", doc).ok())
                .and_then(|g| g.as_stream().ok())
                .map(|s| s.content.clone());
            jbig2(&bytes, globals.as_deref(), width, height)?
        }
        _ => {
            let samples = stream
                .decompressed_content_with_limit(MAX_STREAM)
                .map_err(|e| format!("its image stream cannot be decoded: {e}"))?;
            unpack(&samples, width, height, bpc, &space)?
        }
    };
    if img.width() != width || img.height() != height {
        return Err(format!(
            "its image decodes to {}x{} pixels, where the PDF says {width}x{height}",
            img.width(),
            img.height()
        ));
    }
    Ok(if invert { invert_image(img) } else { img })
}

/// The stream's filter names, in decoding order.
fn filters(dict: &Dictionary, doc: &Document) -> Vec<Vec<u8>> {
    match dict.get_deref(b"Filter", doc) {
        Ok(Object::Name(n)) => vec![n.clone()],
        Ok(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        _ => Vec::new(),
    }
}

/// The DecodeParms of filter `index`.
fn parms<'a>(dict: &'a Dictionary, doc: &'a Document, index: usize) -> Option<&'a Dictionary> {
    match dict.get_deref(b"DecodeParms", doc).ok()? {
        Object::Dictionary(d) => Some(d),
        Object::Array(a) => a
            .get(index)
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok()),
        _ => None,
    }
}

/// The bytes for the last filter (an image codec): the stream with every
/// filter before it (ASCII85, Flate...) undone.
fn leading(stream: &lopdf::Stream, filters: &[Vec<u8>]) -> std::result::Result<Vec<u8>, String> {
    if filters.len() <= 1 {
        return Ok(stream.content.clone());
    }
    let mut partial = stream.clone();
    let before: Vec<Object> = filters[..filters.len() - 1]
        .iter()
        .map(|f| Object::Name(f.clone()))
        .collect();
    partial.dict.set("Filter", Object::Array(before));
    partial
        .decompressed_content_with_limit(MAX_STREAM)
        .map_err(|e| format!("its image stream cannot be decoded: {e}"))
}

/// `/Decode [1 0]` on a one-component image: samples read inverted.
fn decode_inverts(dict: &Dictionary, doc: &Document) -> bool {
    dict.get_deref(b"Decode", doc)
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| Some((a.first()?.as_float().ok()?, a.get(1)?.as_float().ok()?)))
        .is_some_and(|(lo, hi)| lo > hi)
}

fn invert_image(img: DynamicImage) -> DynamicImage {
    let mut img = img;
    img.invert();
    img
}

/// The colour spaces a scan's image is stored in.
#[derive(Debug, Clone, PartialEq)]
enum ColourSpace {
    Gray,
    Rgb,
    Cmyk,
    /// `/ImageMask true`: 1-bit, 0 paints (black), 1 leaves the page.
    Mask,
    /// A palette of `base` colours (1 or 3 components each).
    Indexed {
        base: u32,
        palette: Vec<u8>,
    },
}

impl ColourSpace {
    fn of(dict: &Dictionary, doc: &Document) -> std::result::Result<ColourSpace, String> {
        if dict
            .get(b"ImageMask")
            .and_then(Object::as_bool)
            .unwrap_or(false)
        {
            return Ok(ColourSpace::Mask);
        }
        match dict.get_deref(b"ColorSpace", doc) {
            Ok(o) => Self::named(o, doc),
            Err(_) => Ok(ColourSpace::Gray), // JPX carries its own
        }
    }

    fn named(o: &Object, doc: &Document) -> std::result::Result<ColourSpace, String> {
        let components = |n: i64| match n {
            1 => Ok(ColourSpace::Gray),
            3 => Ok(ColourSpace::Rgb),
            4 => Ok(ColourSpace::Cmyk),
            _ => Err(format!("an ICC colour space of {n} components")),
        };
        match o {
            Object::Name(n) => match n.as_slice() {
                b"DeviceGray" | b"CalGray" | b"G" => Ok(ColourSpace::Gray),
                b"DeviceRGB" | b"CalRGB" | b"RGB" => Ok(ColourSpace::Rgb),
                b"DeviceCMYK" | b"CMYK" => Ok(ColourSpace::Cmyk),
                other => Err(format!("colour space /{}", String::from_utf8_lossy(other))),
            },
            Object::Array(a) => {
                let kind = a.first().and_then(|k| k.as_name().ok()).unwrap_or_default();
                match kind {
                    b"ICCBased" => {
                        let n = a
                            .get(1)
                            .and_then(|s| doc.dereference(s).ok())
                            .and_then(|(_, s)| s.as_stream().ok())
                            .and_then(|s| s.dict.get(b"N").and_then(Object::as_i64).ok())
                            .unwrap_or(3);
                        components(n)
                    }
                    b"CalGray" => Ok(ColourSpace::Gray),
                    b"CalRGB" => Ok(ColourSpace::Rgb),
                    b"Indexed" | b"I" => {
                        let base = a
                            .get(1)
                            .and_then(|b| doc.dereference(b).ok())
                            .map(|(_, b)| Self::named(b, doc))
                            .ok_or("an Indexed colour space with no base")??;
                        let base = match base {
                            ColourSpace::Gray => 1,
                            ColourSpace::Rgb => 3,
                            _ => return Err("an Indexed colour space over CMYK".into()),
                        };
                        let palette = match a
                            .get(3)
                            .and_then(|p| doc.dereference(p).ok())
                            .map(|(_, p)| p)
                        {
                            Some(Object::String(s, _)) => s.clone(),
                            Some(Object::Stream(s)) => s
                                .decompressed_content_with_limit(1 << 16)
                                .map_err(|e| format!("its palette: {e}"))?,
                            _ => return Err("an Indexed colour space with no palette".into()),
                        };
                        Ok(ColourSpace::Indexed { base, palette })
                    }
                    other => Err(format!("colour space /{}", String::from_utf8_lossy(other))),
                }
            }
            _ => Err("an unreadable colour space".into()),
        }
    }
}

/// Samples (after Flate and predictors) to pixels.
fn unpack(
    samples: &[u8],
    w: u32,
    h: u32,
    bpc: u32,
    space: &ColourSpace,
) -> std::result::Result<DynamicImage, String> {
    let comps = match space {
        ColourSpace::Gray | ColourSpace::Mask | ColourSpace::Indexed { .. } => 1,
        ColourSpace::Rgb => 3,
        ColourSpace::Cmyk => 4,
    };
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(format!("{bpc} bits a sample"));
    }
    let row_bytes = (w as usize * comps * bpc as usize).div_ceil(8);
    if samples.len() < row_bytes * h as usize {
        return Err(format!(
            "its image stream holds {} bytes, short of the {} its size needs (truncated)",
            samples.len(),
            row_bytes * h as usize
        ));
    }
    // Every sample as 0-255 (for indexed images, the index itself).
    let max = (1u32 << bpc) - 1;
    let mut values = Vec::with_capacity(w as usize * h as usize * comps);
    for row in samples.chunks(row_bytes).take(h as usize) {
        for i in 0..w as usize * comps {
            let v = match bpc {
                8 => u32::from(row[i]),
                16 => u32::from(row[2 * i]),
                _ => {
                    let bit = i * bpc as usize;
                    (u32::from(row[bit / 8]) >> (8 - bpc as usize - bit % 8)) & max
                }
            };
            values.push(v);
        }
    }
    let scale = |v: u32| -> u8 {
        match bpc {
            16 | 8 => v as u8,
            _ => (v * 255 / max) as u8,
        }
    };
    Ok(match space {
        ColourSpace::Gray => DynamicImage::ImageLuma8(
            GrayImage::from_raw(w, h, values.into_iter().map(scale).collect()).ok_or("bad size")?,
        ),
        // 0 paints black, 1 leaves the (white) page.
        ColourSpace::Mask => DynamicImage::ImageLuma8(
            GrayImage::from_raw(
                w,
                h,
                values
                    .into_iter()
                    .map(|v| if v == 0 { 0 } else { 255 })
                    .collect(),
            )
            .ok_or("bad size")?,
        ),
        ColourSpace::Rgb => DynamicImage::ImageRgb8(
            RgbImage::from_raw(w, h, values.into_iter().map(scale).collect()).ok_or("bad size")?,
        ),
        ColourSpace::Cmyk => {
            let rgb: Vec<u8> = values
                .chunks(4)
                .flat_map(|p| {
                    raster::cmyk_to_rgb([scale(p[0]), scale(p[1]), scale(p[2]), scale(p[3])])
                })
                .collect();
            DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, rgb).ok_or("bad size")?)
        }
        ColourSpace::Indexed { base, palette } => {
            let base = *base as usize;
            let colour = |i: u32| -> Vec<u8> {
                let at = i as usize * base;
                palette
                    .get(at..at + base)
                    .map_or(vec![0; base], <[u8]>::to_vec)
            };
            if base == 1 {
                DynamicImage::ImageLuma8(
                    GrayImage::from_raw(w, h, values.into_iter().flat_map(colour).collect())
                        .ok_or("bad size")?,
                )
            } else {
                DynamicImage::ImageRgb8(
                    RgbImage::from_raw(w, h, values.into_iter().flat_map(colour).collect())
                        .ok_or("bad size")?,
                )
            }
        }
    })
}

/// Rows of a bi-level image, as decoders push them.
struct Rows {
    width: u32,
    pixels: Vec<u8>,
}

impl Rows {
    /// `changes`: where the colour flips, starting white.
    fn push(&mut self, changes: impl IntoIterator<Item = u32>) {
        let start = self.pixels.len();
        self.pixels.resize(start + self.width as usize, 255);
        let row = &mut self.pixels[start..];
        let mut black = false;
        let mut from = 0usize;
        for c in changes {
            let c = (c as usize).min(row.len());
            if black {
                row[from..c].fill(0);
            }
            black = !black;
            from = c;
        }
        if black {
            row[from..].fill(0);
        }
    }
}

impl hayro_ccitt::Decoder for Rows {
    fn push_row(&mut self, changes: &[u32]) {
        self.push(changes.iter().copied());
    }
}

/// CCITT fax (ITU-T T.4 and T.6) with the PDF filter's parameters
/// (ISO 32000-1, 7.4.6, table 11).
fn ccitt(
    bytes: &[u8],
    p: Option<&Dictionary>,
    width: u32,
    height: u32,
) -> std::result::Result<DynamicImage, String> {
    let get = |k: &[u8]| p.and_then(|p| p.get(k).ok());
    let int = |k: &[u8], d: i64| get(k).and_then(|o| o.as_i64().ok()).unwrap_or(d);
    let flag = |k: &[u8], d: bool| get(k).and_then(|o| o.as_bool().ok()).unwrap_or(d);
    let k = int(b"K", 0);
    let columns = int(b"Columns", 1728) as u32;
    if columns != width {
        return Err(format!(
            "its CCITT Columns ({columns}) differ from its Width ({width})"
        ));
    }
    let settings = hayro_ccitt::DecodeSettings {
        columns,
        rows: int(b"Rows", i64::from(height)) as u32,
        end_of_block: flag(b"EndOfBlock", true),
        end_of_line: flag(b"EndOfLine", false),
        rows_are_byte_aligned: flag(b"EncodedByteAlign", false),
        encoding: match k {
            k if k < 0 => hayro_ccitt::EncodingMode::Group4,
            0 => hayro_ccitt::EncodingMode::Group3_1D,
            _ => hayro_ccitt::EncodingMode::Group3_2D,
        },
        strict: false,
    };
    let mut rows = Rows {
        width,
        pixels: Vec::with_capacity(width as usize * height as usize),
    };
    let mut ctx = hayro_ccitt::DecoderContext::new(settings);
    hayro_ccitt::decode(bytes, &mut rows, &mut ctx)
        .map_err(|e| format!("its CCITT image cannot be decoded: {e:?}"))?;
    let got = rows.pixels.len() / width as usize;
    if got < height as usize {
        return Err(format!(
            "its CCITT image has {got} rows of {height} (truncated)"
        ));
    }
    rows.pixels.truncate(width as usize * height as usize);
    // BlackIs1 false (the default): 0 bits are black, as decoded here.
    let mut img = GrayImage::from_raw(width, height, rows.pixels).ok_or("bad size")?;
    if flag(b"BlackIs1", false) {
        image::imageops::invert(&mut img);
    }
    Ok(DynamicImage::ImageLuma8(img))
}

impl hayro_jbig2::Decoder for Rows {
    fn push_pixel(&mut self, black: bool) {
        self.pixels.push(if black { 0 } else { 255 });
    }

    fn push_pixel_chunk(&mut self, black: bool, chunk_count: u32) {
        let v = if black { 0 } else { 255 };
        self.pixels
            .extend(std::iter::repeat_n(v, chunk_count as usize * 8));
    }

    fn next_line(&mut self) {}
}

/// JBIG2 (ITU-T T.88), as embedded in PDF: the page's segments, and the
/// shared segments of `/JBIG2Globals`.
fn jbig2(
    bytes: &[u8],
    globals: Option<&[u8]>,
    width: u32,
    height: u32,
) -> std::result::Result<DynamicImage, String> {
    let settings = hayro_jbig2::DecodeSettings::default();
    let globals = globals
        .map(|g| hayro_jbig2::Globals::new(g, &settings))
        .transpose()
        .map_err(|e| format!("its JBIG2 globals cannot be read: {e:?}"))?;
    let image = hayro_jbig2::Page::new_embedded(bytes, globals.as_ref(), &settings)
        .map_err(|e| format!("its JBIG2 image cannot be read: {e:?}"))?;
    let mut rows = Rows {
        width,
        pixels: Vec::with_capacity(width as usize * height as usize),
    };
    image
        .decode(&mut rows)
        .map_err(|e| format!("its JBIG2 image cannot be decoded: {e:?}"))?;
    GrayImage::from_raw(image.width(), image.height(), rows.pixels)
        .map(DynamicImage::ImageLuma8)
        .ok_or_else(|| "its JBIG2 image decodes short".to_string())
}
