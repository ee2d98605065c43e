//! ALTO v4 (ALTO 4.4 schema) for one page: a complete document, not the
//! `<Page>` fragment Tesseract renders, with word confidences and languages.

use crate::text::{BBox, Block, PageText};
use crate::xml::{self, XmlResult, XmlWriter};

const NS: &str = "http://www.loc.gov/standards/alto/ns-v4#";
const SCHEMA: &str =
    "http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/standards/alto/v4/alto-4-4.xsd";

/// What an ALTO file says beside the words.
pub struct AltoPage<'a> {
    pub text: &'a PageText,
    /// 1-based page number in the document.
    pub index: usize,
    /// The master's path inside the bag, e.g. `data/masters/0001.tif`.
    pub master: &'a str,
    pub master_sha256: &'a str,
    /// Tesseract language codes the page was read with (`vie`, `khm`).
    pub langs: &'a [String],
    /// ISO 8601 date-time of the processing.
    pub date: &'a str,
    /// How the page was prepared and read, e.g. `psm=6; deskew=1.5`.
    pub settings: &'a str,
    pub tesseract_version: &'a str,
    pub diachi_version: &'a str,
}

/// The ALTO document as bytes.
pub fn write(page: &AltoPage) -> Vec<u8> {
    let mut w = xml::document();
    body(&mut w, page).expect("writing to a Vec cannot fail");
    xml::finish(w)
}

fn body(w: &mut XmlWriter, p: &AltoPage) -> XmlResult {
    w.create_element("alto")
        .with_attribute(("xmlns", NS))
        .with_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"))
        .with_attribute(("xsi:schemaLocation", SCHEMA))
        .write_inner_content(|w| {
            description(w, p)?;
            w.create_element("Layout")
                .write_inner_content(|w| layout(w, p))?;
            Ok(())
        })?;
    Ok(())
}

fn description(w: &mut XmlWriter, p: &AltoPage) -> XmlResult {
    w.create_element("Description").write_inner_content(|w| {
        xml::text_element(w, "MeasurementUnit", "pixel")?;
        w.create_element("sourceImageInformation")
            .write_inner_content(|w| {
                xml::text_element(w, "fileName", p.master)?;
                w.create_element("fileIdentifier")
                    .with_attribute(("fileIdentifierLocation", "SHA-256"))
                    .write_text_content(quick_xml::events::BytesText::new(p.master_sha256))?;
                Ok(())
            })?;
        w.create_element("Processing")
            .with_attribute(("ID", "OCR_1"))
            .write_inner_content(|w| {
                xml::text_element(w, "processingDateTime", p.date)?;
                xml::text_element(
                    w,
                    "processingStepDescription",
                    "OCR of the deskewed, upright page; coordinates are pixels of that page",
                )?;
                xml::text_element(w, "processingStepSettings", p.settings)?;
                software(w, "Tesseract", p.tesseract_version)?;
                Ok(())
            })?;
        w.create_element("Processing")
            .with_attribute(("ID", "PACKAGE_1"))
            .write_inner_content(|w| {
                xml::text_element(w, "processingDateTime", p.date)?;
                xml::text_element(
                    w,
                    "processingStepDescription",
                    "page preparation and packaging",
                )?;
                software(w, "diachi", p.diachi_version)?;
                Ok(())
            })?;
        Ok(())
    })?;
    Ok(())
}

fn software(w: &mut XmlWriter, name: &str, version: &str) -> XmlResult {
    w.create_element("processingSoftware")
        .write_inner_content(|w| {
            xml::text_element(w, "softwareName", name)?;
            xml::text_element(w, "softwareVersion", version)?;
            Ok(())
        })?;
    Ok(())
}

fn layout(w: &mut XmlWriter, p: &AltoPage) -> XmlResult {
    let t = p.text;
    let id = format!("P{}", p.index);
    w.create_element("Page")
        .with_attribute(("ID", id.as_str()))
        .with_attribute(("PHYSICAL_IMG_NR", p.index.to_string().as_str()))
        .with_attribute(("WIDTH", t.width.to_string().as_str()))
        .with_attribute(("HEIGHT", t.height.to_string().as_str()))
        .write_inner_content(|w| {
            let all = BBox {
                x0: 0,
                y0: 0,
                x1: t.width,
                y1: t.height,
            };
            positioned(w.create_element("PrintSpace"), &all).write_inner_content(|w| {
                let mut line_no = 0;
                let mut word_no = 0;
                for (bi, block) in t.blocks.iter().enumerate() {
                    let block_id = format!("{id}_TB{}", bi + 1);
                    positioned(w.create_element("TextBlock"), &block.bbox)
                        .with_attribute(("ID", block_id.as_str()))
                        .with_attribute(("LANG", block_lang(block, p.langs)))
                        .write_inner_content(|w| {
                            for line in &block.lines {
                                line_no += 1;
                                let line_id = format!("{id}_TL{line_no}");
                                positioned(w.create_element("TextLine"), &line.bbox)
                                    .with_attribute(("ID", line_id.as_str()))
                                    .write_inner_content(|w| {
                                        for word in &line.words {
                                            word_no += 1;
                                            let wc = format!("{:.2}", word.confidence / 100.0);
                                            positioned(w.create_element("String"), &word.bbox)
                                                .with_attribute((
                                                    "ID",
                                                    format!("{id}_S{word_no}").as_str(),
                                                ))
                                                .with_attribute((
                                                    "CONTENT",
                                                    xml::clean(&word.text).as_ref(),
                                                ))
                                                .with_attribute(("WC", wc.as_str()))
                                                .write_empty()?;
                                        }
                                        Ok(())
                                    })?;
                            }
                            Ok(())
                        })?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

fn positioned<'a, W: std::io::Write>(
    e: quick_xml::writer::ElementWriter<'a, W>,
    b: &BBox,
) -> quick_xml::writer::ElementWriter<'a, W> {
    let attr = |v: u32| v.to_string();
    let pairs: [(&str, String); 4] = [
        ("HPOS", attr(b.x0)),
        ("VPOS", attr(b.y0)),
        ("WIDTH", attr(b.width())),
        ("HEIGHT", attr(b.height())),
    ];
    pairs
        .iter()
        .fold(e, |e, (k, v)| e.with_attribute((*k, v.as_str())))
}

/// The block's language as an xsd:language (BCP 47) tag: Khmer when most of
/// its letters are Khmer script and Khmer was among the page's languages,
/// else the page's first language.
pub fn block_lang(block: &Block, langs: &[String]) -> &'static str {
    let (mut khmer, mut other) = (0usize, 0usize);
    for c in block
        .lines
        .iter()
        .flat_map(|l| l.words.iter())
        .flat_map(|w| w.text.chars())
    {
        if ('\u{1780}'..='\u{17FF}').contains(&c) || ('\u{19E0}'..='\u{19FF}').contains(&c) {
            khmer += 1;
        } else if c.is_alphabetic() {
            other += 1;
        }
    }
    let has = |l: &str| langs.iter().any(|x| x == l);
    if has("khm") && (khmer > other || !has("vie")) {
        "km"
    } else {
        bcp47(langs.first().map(String::as_str).unwrap_or("vie"))
    }
}

/// ISO 639-2/T code (Tesseract's) to the shortest BCP 47 tag.
pub fn bcp47(code: &str) -> &'static str {
    match code {
        "vie" => "vi",
        "khm" => "km",
        "eng" => "en",
        "fra" => "fr",
        "chi_sim" | "chi_tra" => "zh",
        _ => "und",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Line, Word};

    fn page() -> PageText {
        let b = |x0, x1| BBox {
            x0,
            y0: 10,
            x1,
            y1: 40,
        };
        let w = |t: &str, x0, x1, c| Word {
            text: t.into(),
            bbox: b(x0, x1),
            confidence: c,
        };
        PageText {
            width: 1000,
            height: 1400,
            blocks: vec![
                Block {
                    bbox: b(10, 300),
                    lines: vec![Line {
                        bbox: b(10, 300),
                        words: vec![w("Cần", 10, 100, 96.4), w("Thơ\"<&>", 120, 300, 80.0)],
                    }],
                },
                Block {
                    bbox: b(10, 300),
                    lines: vec![Line {
                        bbox: b(10, 300),
                        words: vec![w("ខ្មែរ", 10, 300, 70.0)],
                    }],
                },
            ],
        }
    }

    #[test]
    fn complete_document_with_confidence_and_language() {
        let langs = vec!["vie".to_string(), "khm".to_string()];
        let text = page();
        let xml = String::from_utf8(write(&AltoPage {
            text: &text,
            index: 3,
            master: "data/masters/0003.tif",
            master_sha256: "ab",
            langs: &langs,
            date: "2026-11-23T07:00:00Z",
            settings: "psm=6",
            tesseract_version: "5.3.0",
            diachi_version: "0.1.0",
        }))
        .unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alto xmlns=\"http://www.loc.gov/standards/alto/ns-v4#\""));
        assert!(xml.contains("<MeasurementUnit>pixel</MeasurementUnit>"));
        assert!(xml.contains("CONTENT=\"Cần\" WC=\"0.96\""), "{xml}");
        assert!(xml.contains("CONTENT=\"Thơ&quot;&lt;&amp;&gt;\""), "{xml}");
        assert!(xml.contains("ID=\"P3_TB1\" LANG=\"vi\""));
        assert!(xml.contains("ID=\"P3_TB2\" LANG=\"km\""));
        assert_eq!(xml.matches("<String ").count(), 3);
    }
}
