//! Tests that stand for the veraPDF rules of PDF/A-2u (ISO 19005-2) that an
//! OCR'd PDF typically fails. veraPDF is not packaged for this platform, so
//! each test parses diachi's real output with lopdf and checks what the rule
//! checks; the rule's number is in the test's doc comment.

mod common;

use common::*;
use lopdf::{Dictionary, Document, Object};
use std::collections::BTreeSet;

fn pdfs() -> Vec<(String, Vec<u8>, Document)> {
    DOCS.iter()
        .map(|d| {
            let bytes = std::fs::read(sample_out().join(d).join(format!("data/{d}.pdf"))).unwrap();
            let doc = Document::load_mem(&bytes).unwrap();
            (d.to_string(), bytes, doc)
        })
        .collect()
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap(),
        other => other,
    }
}

fn dict<'a>(doc: &'a Document, o: &'a Object) -> &'a Dictionary {
    match deref(doc, o) {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        other => panic!("not a dictionary: {other:?}"),
    }
}

fn catalog(doc: &Document) -> &Dictionary {
    dict(doc, doc.trailer.get(b"Root").unwrap())
}

/// Rule 6.1.2-1/-2: the header is `%PDF-1.n` followed by a comment of at
/// least four bytes above 127.
#[test]
fn rule_6_1_2_header() {
    for (d, bytes, _) in pdfs() {
        assert!(bytes.starts_with(b"%PDF-1.7\n%"), "{d}");
        assert!(bytes[10..14].iter().all(|&b| b > 127), "{d}");
    }
}

/// Rule 6.1.3-1: the trailer has an ID; rule 6.1.3-2: no Encrypt.
#[test]
fn rule_6_1_3_file_id_and_no_encryption() {
    for (d, _, doc) in pdfs() {
        let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
        assert_eq!(id.len(), 2, "{d}");
        for part in id {
            assert_eq!(part.as_str().unwrap().len(), 16, "{d}");
        }
        assert!(doc.trailer.get(b"Encrypt").is_err(), "{d}");
    }
}

/// Rules 6.1.7.2-1 (no LZWDecode), 6.1.7.1 (no external stream data: F,
/// FFilter, FDecodeParms) on every stream.
#[test]
fn rule_6_1_7_streams() {
    for (d, _, doc) in pdfs() {
        for (id, obj) in &doc.objects {
            if let Object::Stream(s) = obj {
                for key in [b"F".as_slice(), b"FFilter", b"FDecodeParms"] {
                    assert!(s.dict.get(key).is_err(), "{d} {id:?}");
                }
                if let Ok(f) = s.dict.get(b"Filter") {
                    let names: Vec<Vec<u8>> = match f {
                        Object::Array(a) => {
                            a.iter().map(|n| n.as_name().unwrap().to_vec()).collect()
                        }
                        n => vec![n.as_name().unwrap().to_vec()],
                    };
                    for n in names {
                        assert!(n != b"LZWDecode", "{d} {id:?}");
                    }
                }
            }
        }
    }
}

/// Rules 6.6.2.1-1 (Metadata in the catalog, an uncompressed XMP stream),
/// 6.6.4-1/-2 (pdfaid:part 2, pdfaid:conformance U).
#[test]
fn rule_6_6_2_xmp_metadata() {
    for (d, _, doc) in pdfs() {
        let meta = match deref(&doc, catalog(&doc).get(b"Metadata").unwrap()) {
            Object::Stream(s) => s,
            o => panic!("{d}: Metadata is {o:?}"),
        };
        assert_eq!(
            meta.dict.get(b"Type").unwrap().as_name().unwrap(),
            b"Metadata"
        );
        assert_eq!(
            meta.dict.get(b"Subtype").unwrap().as_name().unwrap(),
            b"XML"
        );
        assert!(
            meta.dict.get(b"Filter").is_err(),
            "{d}: XMP must not be compressed"
        );
        let xmp = String::from_utf8(meta.content.clone()).unwrap();
        for needle in [
            "<pdfaid:part>2</pdfaid:part>",
            "<pdfaid:conformance>U</pdfaid:conformance>",
            "<dc:title>",
            "<xmp:CreateDate>2023-11-14T22:13:20Z</xmp:CreateDate>",
            "<pdf:Producer>diachi",
        ] {
            assert!(xmp.contains(needle), "{d}: {needle}");
        }
        assert!(
            !xmp.contains("bytes=") && !xmp.contains("encoding="),
            "6.6.2.1: no bytes/encoding in xpacket"
        );
        // 6.6.3: no Info dictionary, so nothing can disagree with the XMP.
        assert!(doc.trailer.get(b"Info").is_err());
    }
}

/// Rules 6.2.3-2/-3 (an OutputIntent GTS_PDFA1 with a DestOutputProfile) and
/// 6.2.4.3-2/-4 (DeviceRGB needs an RGB output profile; DeviceGray an intent).
#[test]
fn rule_6_2_3_output_intent() {
    for (d, _, doc) in pdfs() {
        let intents = deref(&doc, catalog(&doc).get(b"OutputIntents").unwrap())
            .as_array()
            .unwrap();
        assert_eq!(intents.len(), 1, "{d}");
        let intent = dict(&doc, &intents[0]);
        assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
        let profile = match deref(&doc, intent.get(b"DestOutputProfile").unwrap()) {
            Object::Stream(s) => s,
            o => panic!("{o:?}"),
        };
        assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
        let icc = profile.decompressed_content().unwrap();
        assert_eq!(&icc[16..20], b"RGB ", "{d}: profile colour space");
        assert_eq!(&icc[12..16], b"mntr", "{d}: a monitor (display) profile");
        assert!(icc[8] < 5, "{d}: ICC version 2 or 4");
    }
}

fn fonts(doc: &Document) -> Vec<&Dictionary> {
    let mut out = Vec::new();
    for (_, page) in doc.get_pages() {
        let res = dict(
            doc,
            doc.get_dictionary(page).unwrap().get(b"Resources").unwrap(),
        );
        for (_, f) in dict(doc, res.get(b"Font").unwrap()).iter() {
            out.push(dict(doc, f));
        }
    }
    out
}

/// Rule 6.2.11.4.1-1: every font is embedded; 6.2.11.3.2-1: a CIDFontType2
/// has a CIDToGIDMap; 6.2.11.5-1: the widths in the PDF equal the embedded
/// font program's.
#[test]
fn rule_6_2_11_fonts_embedded_with_consistent_widths() {
    for (d, _, doc) in pdfs() {
        let fonts = fonts(&doc);
        assert!(!fonts.is_empty());
        for f in fonts {
            let cid = dict(
                &doc,
                &f.get(b"DescendantFonts").unwrap().as_array().unwrap()[0],
            );
            assert_eq!(
                cid.get(b"Subtype").unwrap().as_name().unwrap(),
                b"CIDFontType2"
            );
            assert!(cid.get(b"CIDToGIDMap").is_ok(), "{d}");
            let desc = dict(&doc, cid.get(b"FontDescriptor").unwrap());
            let program = match deref(&doc, desc.get(b"FontFile2").unwrap()) {
                Object::Stream(s) => s.decompressed_content().unwrap(),
                o => panic!("{o:?}"),
            };
            let face = ttf_parser::Face::parse(&program, 0).expect("a valid TrueType program");
            let advance = face.glyph_hor_advance(ttf_parser::GlyphId(1)).unwrap() as f64;
            let width = advance * 1000.0 / face.units_per_em() as f64;
            assert_eq!(
                cid.get(b"DW").unwrap().as_i64().unwrap() as f64,
                width,
                "{d}"
            );
            assert!(cid.get(b"W").is_err(), "every glyph has the default width");
        }
    }
}

/// Rule 6.2.11.7.2-1 (level U): every character code shown maps to Unicode
/// through the font's ToUnicode CMap, and none to U+0000, FEFF or FFFE.
#[test]
fn rule_6_2_11_7_to_unicode_covers_every_code() {
    for (d, _, doc) in pdfs() {
        let font = fonts(&doc)[0];
        let cmap = match deref(&doc, font.get(b"ToUnicode").unwrap()) {
            Object::Stream(s) => String::from_utf8(s.decompressed_content().unwrap()).unwrap(),
            o => panic!("{o:?}"),
        };
        let mut mapped_high = BTreeSet::new();
        for line in cmap.lines() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.len() == 3 && parts.iter().all(|p| p.starts_with('<')) {
                let (lo, hi, dst) = (&parts[0][1..5], &parts[1][1..5], &parts[2][1..5]);
                assert_eq!(&lo[..2], &hi[..2], "a bfrange varies only in its last byte");
                assert_eq!(lo, dst, "identity mapping");
                assert_eq!((&lo[2..], &hi[2..]), ("00", "FF"));
                mapped_high.insert(u8::from_str_radix(&lo[..2], 16).unwrap());
            }
        }
        for (_, page) in doc.get_pages() {
            let content = String::from_utf8(doc.get_page_content(page)).unwrap();
            for hex in content
                .split('<')
                .skip(1)
                .map(|s| &s[..s.find('>').unwrap()])
            {
                for code in hex.as_bytes().chunks(4) {
                    let code = u16::from_str_radix(std::str::from_utf8(code).unwrap(), 16).unwrap();
                    assert!(
                        mapped_high.contains(&((code >> 8) as u8)),
                        "{d}: code {code:04X} unmapped"
                    );
                    assert!(![0, 0xFEFF, 0xFFFE].contains(&code), "{d}: code {code:04X}");
                }
            }
        }
    }
}

/// Rules 6.5.1 (no actions: JavaScript, Launch, ...), 6.6.1 (no AA), 6.1.11
/// (no EmbeddedFiles in PDF/A-2 without PDF/A attachments), 6.4 (no
/// transparency groups or soft masks needed, none present).
#[test]
fn rule_6_5_no_actions_javascript_or_attachments() {
    for (d, bytes, doc) in pdfs() {
        for key in [
            b"AA".as_slice(),
            b"OpenAction",
            b"JavaScript",
            b"JS",
            b"Names",
            b"EmbeddedFiles",
            b"SMask",
            b"Group",
        ] {
            for (id, obj) in &doc.objects {
                let dict = match obj {
                    Object::Dictionary(x) => x,
                    Object::Stream(s) => &s.dict,
                    _ => continue,
                };
                assert!(
                    dict.get(key).is_err(),
                    "{d}: {} in {id:?}",
                    String::from_utf8_lossy(key)
                );
            }
        }
        assert!(
            !String::from_utf8_lossy(&bytes).contains("/S /JavaScript"),
            "{d}"
        );
    }
}

/// Rule 6.2.8-1 (image Interpolate false or absent) and 6.2.4.3: images are
/// DeviceGray or DeviceRGB under the RGB output intent.
#[test]
fn rule_6_2_8_images() {
    for (d, _, doc) in pdfs() {
        for (id, obj) in &doc.objects {
            let Object::Stream(s) = obj else { continue };
            if s.dict.get(b"Subtype").ok().and_then(|n| n.as_name().ok())
                != Some(b"Image".as_slice())
            {
                continue;
            }
            assert!(
                s.dict
                    .get(b"Interpolate")
                    .map_or(true, |v| matches!(v.as_bool(), Ok(false))),
                "{d} {id:?}"
            );
            let cs = s.dict.get(b"ColorSpace").unwrap().as_name().unwrap();
            assert!(cs == b"DeviceGray" || cs == b"DeviceRGB", "{d} {id:?}");
        }
    }
}

/// A 1-bit scan is stored losslessly as CCITT G4, far smaller than JPEG.
#[test]
fn bilevel_scan_is_ccitt_g4() {
    let d = "cong-bao-1930";
    let path = sample_out().join(d).join(format!("data/{d}.pdf"));
    let doc = Document::load(&path).unwrap();
    let images: Vec<&lopdf::Stream> = doc
        .objects
        .values()
        .filter_map(|o| match o {
            Object::Stream(s)
                if s.dict.get(b"Subtype").ok().and_then(|n| n.as_name().ok())
                    == Some(b"Image".as_slice()) =>
            {
                Some(s)
            }
            _ => None,
        })
        .collect();
    assert_eq!(images.len(), 1);
    let img = images[0];
    assert_eq!(
        img.dict.get(b"Filter").unwrap().as_name().unwrap(),
        b"CCITTFaxDecode"
    );
    assert_eq!(
        img.dict.get(b"BitsPerComponent").unwrap().as_i64().unwrap(),
        1
    );
    let parms = img.dict.get(b"DecodeParms").unwrap().as_dict().unwrap();
    assert_eq!(parms.get(b"K").unwrap().as_i64().unwrap(), -1);
    assert!(
        std::fs::metadata(&path).unwrap().len() < 40_000,
        "G4 keeps a text page small"
    );
    // Continuous-tone pages: the clean, unrotated page 1 is smaller as
    // lossless Flate; the resampled page 2 and the JPEG original (page 3)
    // are JPEG.
    let gray = std::fs::read(sample_out().join("can-tho-1925/data/can-tho-1925.pdf")).unwrap();
    let text = String::from_utf8_lossy(&gray);
    assert_eq!(text.matches("/DCTDecode").count(), 2, "pages 2 and 3");
    assert_eq!(text.matches("/Predictor 12").count(), 1, "page 1");
}
