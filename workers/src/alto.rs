//! ALTO v4 (ALTO 4.4 schema) for one page: a complete document, not the
//! `<Page>` fragment Tesseract renders, with word confidences and languages.

use crate::lang::{Language, Languages, Script};
use crate::text::{BBox, Block, PageText};
use crate::xml::E;

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
    /// The languages the page was read in, main first.
    pub langs: &'a Languages,
    /// ISO 8601 date-time of the processing.
    pub date: &'a str,
    /// How the page was prepared and read, e.g. `psm=6; deskew=1.5`.
    pub settings: &'a str,
    pub tesseract_version: &'a str,
    /// The neural recognizer and how many of the page's lines it read,
    /// when it read any.
    pub khmer_network: Option<(&'a crate::neural::Recognizer, usize)>,
    pub diachi_version: &'a str,
}

/// The ALTO document as bytes.
pub fn write(p: &AltoPage) -> Vec<u8> {
    E::new("alto")
        .attr("xmlns", NS)
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr("xsi:schemaLocation", SCHEMA)
        .child(description(p))
        .child(E::new("Layout").child(layout(p)))
        .to_document()
}

fn description(p: &AltoPage) -> E {
    let software = |name: &str, version: &str| {
        E::new("processingSoftware")
            .child(E::text("softwareName", name))
            .child(E::text("softwareVersion", version))
    };
    E::new("Description")
        .child(E::text("MeasurementUnit", "pixel"))
        .child(
            E::new("sourceImageInformation")
                .child(E::text("fileName", p.master))
                .child(
                    E::text("fileIdentifier", p.master_sha256)
                        .attr("fileIdentifierLocation", "SHA-256"),
                ),
        )
        .child(
            E::new("Processing")
                .attr("ID", "OCR_1")
                .child(E::text("processingDateTime", p.date))
                .child(E::text(
                    "processingStepDescription",
                    "OCR of the deskewed, upright page; coordinates are pixels of that page",
                ))
                .child(E::text("processingStepSettings", p.settings))
                .child(software("Tesseract", p.tesseract_version)),
        )
        .children(p.khmer_network.map(|(n, lines)| {
            // A Processing of its own: ALTO allows one processingSoftware
            // per step.
            E::new("Processing")
                .attr("ID", "OCR_2")
                .child(E::text("processingDateTime", p.date))
                .child(E::text(
                    "processingStepDescription",
                    crate::neural::lines::described(lines),
                ))
                .child(E::text(
                    "processingStepSettings",
                    format!("model.pth sha256={}", n.sha256),
                ))
                .child(software(&n.engine, &n.version))
        }))
        .child(
            E::new("Processing")
                .attr("ID", "PACKAGE_1")
                .child(E::text("processingDateTime", p.date))
                .child(E::text(
                    "processingStepDescription",
                    "page preparation and packaging",
                ))
                .child(software("diachi", p.diachi_version)),
        )
}

fn layout(p: &AltoPage) -> E {
    let t = p.text;
    let id = format!("P{}", p.index);
    let (mut line_no, mut word_no) = (0, 0);
    let all = BBox {
        x0: 0,
        y0: 0,
        x1: t.width,
        y1: t.height,
    };
    let mut print_space = positioned("PrintSpace", &all);
    for (bi, block) in t.blocks.iter().enumerate() {
        let mut text_block = positioned("TextBlock", &block.bbox)
            .attr("ID", format!("{id}_TB{}", bi + 1))
            .attr("LANG", block_lang(block, p.langs));
        for line in &block.lines {
            line_no += 1;
            let mut text_line =
                positioned("TextLine", &line.bbox).attr("ID", format!("{id}_TL{line_no}"));
            for word in &line.words {
                word_no += 1;
                text_line.push(
                    positioned("String", &word.bbox)
                        .attr("ID", format!("{id}_S{word_no}"))
                        .attr("CONTENT", &word.text)
                        .attr("WC", format!("{:.2}", word.confidence / 100.0)),
                );
            }
            text_block.push(text_line);
        }
        print_space.push(text_block);
    }
    E::new("Page")
        .attr("ID", &id)
        .attr("PHYSICAL_IMG_NR", p.index)
        .attr("WIDTH", t.width)
        .attr("HEIGHT", t.height)
        .child(print_space)
}

/// An element with the box attributes ALTO puts first.
fn positioned(name: &str, b: &BBox) -> E {
    E::new(name)
        .attr("HPOS", b.x0)
        .attr("VPOS", b.y0)
        .attr("WIDTH", b.width())
        .attr("HEIGHT", b.height())
}

/// The block's language as an xsd:language (BCP 47) tag: Khmer when most of
/// its letters are Khmer script and Khmer was among the page's languages,
/// else the page's main language.
pub fn block_lang(block: &Block, langs: &Languages) -> &'static str {
    let (khmer, other) = Script::counts(
        &block
            .lines
            .iter()
            .map(|l| l.text())
            .collect::<Vec<_>>()
            .join(" "),
    );
    if langs.contains(Language::Khmer) && (khmer > other || !langs.contains(Language::Vietnamese)) {
        Language::Khmer.bcp47()
    } else {
        langs.main().bcp47()
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
        let langs = Languages::new([Language::Vietnamese, Language::Khmer]).unwrap();
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
            khmer_network: None,
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
