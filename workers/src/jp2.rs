//! JPEG 2000 masters (`.jp2`, `.j2k`), as the Library of Congress and
//! national libraries keep them, decoded by `hayro-jpeg2000`: pure Rust,
//! so there is no system library to be missing at build or run time.

use image::{DynamicImage, GrayImage, RgbImage};

/// JP2 signature box (ISO/IEC 15444-1, I.5.1).
const JP2_MAGIC: &[u8] = b"\x00\x00\x00\x0CjP  \r\n\x87\n";
/// A raw codestream starts with SOC then SIZ (A.4.1, A.5.1).
const CODESTREAM_MAGIC: &[u8] = b"\xFF\x4F\xFF\x51";

/// Whether the bytes are a JP2 file or a JPEG 2000 codestream.
pub fn is_jpeg2000(bytes: &[u8]) -> bool {
    bytes.starts_with(JP2_MAGIC) || bytes.starts_with(CODESTREAM_MAGIC)
}

/// The image, 8 bits a sample (deeper masters are scaled down, as OCR and
/// the access PDF read 8 bits), gray or RGB. Alpha is dropped; CMYK is
/// turned to RGB. The size is checked against `max_pixels` before decoding.
pub fn decode_pixels(bytes: &[u8], max_pixels: u64) -> Result<DynamicImage, String> {
    // The decoder fills a cut-off codestream with flat gray rather than
    // fail: a truncated master would be read as a blank page.
    let codestream = if bytes.starts_with(JP2_MAGIC) {
        find_box(boxes(bytes), b"jp2c")
            .ok_or("truncated JPEG 2000: its codestream box is cut short")?
    } else {
        bytes
    };
    let end = codestream.len() - codestream.iter().rev().take_while(|&&b| b == 0).count();
    if !codestream[..end].ends_with(b"\xFF\xD9") {
        return Err("truncated JPEG 2000: no end-of-codestream marker".into());
    }
    let image = hayro_jpeg2000::Image::new(bytes, &hayro_jpeg2000::DecodeSettings::default())
        .map_err(|e| format!("not a readable JPEG 2000 image: {e:?}"))?;
    let (w, h) = (image.width(), image.height());
    if u64::from(w) * u64::from(h) > max_pixels {
        return Err(format!(
            "image is {w}x{h} pixels, above the limit of {max_pixels} pixels"
        ));
    }
    let channels = usize::from(image.color_space().num_channels());
    let alpha = usize::from(image.has_alpha());
    let cmyk = matches!(image.color_space(), hayro_jpeg2000::ColorSpace::CMYK);
    let mut ctx = hayro_jpeg2000::DecoderContext::default();
    let decoded = image
        .decode(&mut ctx)
        .map_err(|e| format!("its JPEG 2000 data cannot be decoded: {e:?}"))?;
    let data = decoded.data_u8();
    let stride = channels + alpha;
    if data.len() != w as usize * h as usize * stride {
        return Err("its JPEG 2000 data decodes to the wrong size".into());
    }
    let short = || "its JPEG 2000 data decodes to the wrong size".to_string();
    Ok(match (channels, cmyk) {
        (1, _) => DynamicImage::ImageLuma8(
            GrayImage::from_raw(w, h, data.chunks(stride).map(|p| p[0]).collect())
                .ok_or_else(short)?,
        ),
        (4, true) => DynamicImage::ImageRgb8(
            RgbImage::from_raw(
                w,
                h,
                data.chunks(stride)
                    .flat_map(|p| crate::raster::cmyk_to_rgb([p[0], p[1], p[2], p[3]]))
                    .collect(),
            )
            .ok_or_else(short)?,
        ),
        (3.., _) => DynamicImage::ImageRgb8(
            RgbImage::from_raw(
                w,
                h,
                data.chunks(stride)
                    .flat_map(|p| [p[0], p[1], p[2]])
                    .collect(),
            )
            .ok_or_else(short)?,
        ),
        (n, _) => return Err(format!("a JPEG 2000 image of {n} channels")),
    })
}

/// The resolution a JP2 file declares (I.5.3.7): the capture resolution
/// box `resc`, else the display one `resd`, in the header's `res `
/// superbox. Grid points per metre, as `num / den * 10^exp`, in dpi.
pub fn resolution(bytes: &[u8]) -> Option<(f32, f32)> {
    let jp2h = find_box(boxes(bytes), b"jp2h")?;
    let res = find_box(boxes(jp2h), b"res ")?;
    let r = find_box(boxes(res), b"resc").or_else(|| find_box(boxes(res), b"resd"))?;
    if r.len() < 10 {
        return None;
    }
    let u16_at = |i: usize| f32::from(u16::from_be_bytes([r[i], r[i + 1]]));
    let per_metre =
        |num: f32, den: f32, exp: i8| (den > 0.0).then(|| num / den * 10f32.powi(exp.into()));
    let v = per_metre(u16_at(0), u16_at(2), r[8] as i8)?;
    let h = per_metre(u16_at(4), u16_at(6), r[9] as i8)?;
    Some((h * 0.0254, v * 0.0254))
}

/// The boxes of a JP2 box sequence: (type, contents).
fn boxes(mut bytes: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    while bytes.len() >= 8 {
        let len = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as u64;
        let kind: [u8; 4] = [bytes[4], bytes[5], bytes[6], bytes[7]];
        let (header, len) = match len {
            0 => (8, bytes.len() as u64),
            1 if bytes.len() >= 16 => (
                16,
                u64::from_be_bytes(bytes[8..16].try_into().expect("8 bytes")),
            ),
            n => (8, n),
        };
        if len < header as u64 || len > bytes.len() as u64 {
            break;
        }
        out.push((kind, &bytes[header..len as usize]));
        bytes = &bytes[len as usize..];
    }
    out
}

fn find_box<'a>(list: Vec<([u8; 4], &'a [u8])>, kind: &[u8; 4]) -> Option<&'a [u8]> {
    list.into_iter().find(|(k, _)| k == kind).map(|(_, b)| b)
}
