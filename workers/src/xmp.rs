//! XMP metadata for the PDF (ISO 16684-1), carrying the PDF/A identification.

use crate::xml::{XmlWriter, E};
use quick_xml::events::{BytesPI, Event};

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
    rdf(info)
        .write(&mut w)
        .expect("writing to a Vec cannot fail");
    pi(&mut w, "xpacket end=\"w\"").unwrap();
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

fn rdf(info: &XmpInfo) -> E {
    // An array property (dc:creator, dc:language), left out when empty.
    let list = |name: &str, kind: &str, items: &[String]| {
        (!items.is_empty()).then(|| {
            E::new(name)
                .child(E::new(kind).children(items.iter().map(|i| E::text("rdf:li", i.as_str()))))
        })
    };
    let description = E::new("rdf:Description")
        .attr("rdf:about", "")
        .attr("xmlns:pdfaid", "http://www.aiim.org/pdfa/ns/id/")
        .attr("xmlns:dc", "http://purl.org/dc/elements/1.1/")
        .attr("xmlns:xmp", "http://ns.adobe.com/xap/1.0/")
        .attr("xmlns:pdf", "http://ns.adobe.com/pdf/1.3/")
        .child(E::text("pdfaid:part", "2"))
        .child(E::text("pdfaid:conformance", "U"))
        .child(E::text("dc:format", "application/pdf"))
        // dc:title is a language alternative (XMP Part 1, 8.2.2.4).
        .child(
            E::new("dc:title").child(
                E::new("rdf:Alt")
                    .child(E::text("rdf:li", info.title.as_str()).attr("xml:lang", "x-default")),
            ),
        )
        .children(list("dc:creator", "rdf:Seq", &info.creators))
        .children(list("dc:language", "rdf:Bag", &info.languages))
        .child(E::text("xmp:CreateDate", info.date.as_str()))
        .child(E::text("xmp:ModifyDate", info.date.as_str()))
        .child(E::text("xmp:MetadataDate", info.date.as_str()))
        .child(E::text("xmp:CreatorTool", info.creator_tool.as_str()))
        .child(E::text("pdf:Producer", info.producer.as_str()));
    E::new("x:xmpmeta").attr("xmlns:x", "adobe:ns:meta/").child(
        E::new("rdf:RDF")
            .attr("xmlns:rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#")
            .child(description),
    )
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
