//! XMP metadata for the PDF (ISO 16684-1), carrying the PDF/A identification.

use crate::xml::{clean, XmlResult, XmlWriter};
use quick_xml::events::{BytesPI, BytesText, Event};

/// What the XMP packet says about the document.
#[derive(Debug, Clone, Default)]
pub struct XmpInfo {
    pub title: String,
    pub creators: Vec<String>,
    /// RFC 3066 / BCP 47 language tags (`vi`, `km`).
    pub languages: Vec<String>,
    /// ISO 8601 date-time with time zone, e.g. `2026-11-23T07:00:00Z`.
    pub date: String,
    pub producer: String,
    pub creator_tool: String,
}

/// The complete XMP packet, wrapped in `<?xpacket?>` processing instructions.
///
/// PDF/A-2 (ISO 19005-2, 6.6.2.1): the metadata stream holds an XMP packet
/// with `pdfaid:part` = 2 and `pdfaid:conformance` = U (6.6.4); the packet
/// header must not carry the `bytes` or `encoding` attributes (6.6.2.1).
pub fn packet(info: &XmpInfo) -> Vec<u8> {
    let mut w = XmlWriter::new_with_indent(Vec::new(), b' ', 1);
    let pi = |w: &mut XmlWriter, s: &str| w.write_event(Event::PI(BytesPI::new(s)));
    pi(
        &mut w,
        "xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"",
    )
    .unwrap();
    write_rdf(&mut w, info).expect("writing to a Vec cannot fail");
    pi(&mut w, "xpacket end=\"w\"").unwrap();
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

fn write_rdf(w: &mut XmlWriter, info: &XmpInfo) -> XmlResult {
    w.create_element("x:xmpmeta")
        .with_attribute(("xmlns:x", "adobe:ns:meta/"))
        .write_inner_content(|w| {
            w.create_element("rdf:RDF")
                .with_attribute(("xmlns:rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"))
                .write_inner_content(|w| {
                    w.create_element("rdf:Description")
                        .with_attribute(("rdf:about", ""))
                        .with_attribute(("xmlns:pdfaid", "http://www.aiim.org/pdfa/ns/id/"))
                        .with_attribute(("xmlns:dc", "http://purl.org/dc/elements/1.1/"))
                        .with_attribute(("xmlns:xmp", "http://ns.adobe.com/xap/1.0/"))
                        .with_attribute(("xmlns:pdf", "http://ns.adobe.com/pdf/1.3/"))
                        .write_inner_content(|w| description(w, info))?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn description(w: &mut XmlWriter, info: &XmpInfo) -> XmlResult {
    simple(w, "pdfaid:part", "2")?;
    simple(w, "pdfaid:conformance", "U")?;
    w.create_element("dc:format")
        .write_text_content(BytesText::new("application/pdf"))?;
    // dc:title is a language alternative (XMP Part 1, 8.2.2.4).
    w.create_element("dc:title").write_inner_content(|w| {
        w.create_element("rdf:Alt").write_inner_content(|w| {
            w.create_element("rdf:li")
                .with_attribute(("xml:lang", "x-default"))
                .write_text_content(BytesText::new(&clean(&info.title)))?;
            Ok(())
        })?;
        Ok(())
    })?;
    list(w, "dc:creator", "rdf:Seq", &info.creators)?;
    list(w, "dc:language", "rdf:Bag", &info.languages)?;
    simple(w, "xmp:CreateDate", &info.date)?;
    simple(w, "xmp:ModifyDate", &info.date)?;
    simple(w, "xmp:MetadataDate", &info.date)?;
    simple(w, "xmp:CreatorTool", &info.creator_tool)?;
    simple(w, "pdf:Producer", &info.producer)?;
    Ok(())
}

fn simple(w: &mut XmlWriter, name: &str, value: &str) -> XmlResult {
    w.create_element(name)
        .write_text_content(BytesText::new(&clean(value)))?;
    Ok(())
}

fn list(w: &mut XmlWriter, name: &str, kind: &str, items: &[String]) -> XmlResult {
    if items.is_empty() {
        return Ok(());
    }
    w.create_element(name).write_inner_content(|w| {
        w.create_element(kind).write_inner_content(|w| {
            for item in items {
                simple(w, "rdf:li", item)?;
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_identifies_pdfa_2u() {
        let info = XmpInfo {
            title: "Địa chí <Cần Thơ> & \"Sóc Trăng\"".into(),
            creators: vec!["Nguyễn Văn A".into()],
            languages: vec!["vi".into(), "km".into()],
            date: "2026-11-23T07:00:00Z".into(),
            producer: "diachi 0.1.0".into(),
            creator_tool: "diachi".into(),
        };
        let s = String::from_utf8(packet(&info)).unwrap();
        assert!(s.starts_with("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"));
        assert!(s.contains("<pdfaid:part>2</pdfaid:part>"));
        assert!(s.contains("<pdfaid:conformance>U</pdfaid:conformance>"));
        assert!(
            s.contains("Địa chí &lt;Cần Thơ&gt; &amp; &quot;Sóc Trăng&quot;"),
            "{s}"
        );
        assert!(s.contains("<rdf:li>km</rdf:li>"));
        assert!(s.trim_end().ends_with("<?xpacket end=\"w\"?>"));
    }
}
