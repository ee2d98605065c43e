//! Simple Dublin Core (the OAI-PMH `oai_dc` record) for one document.

use crate::xml::E;

/// The fifteen Dublin Core elements, each repeatable, in the order written.
#[derive(Debug, Clone, Default)]
pub struct DublinCore {
    pub title: Vec<String>,
    pub creator: Vec<String>,
    pub subject: Vec<String>,
    pub description: Vec<String>,
    pub publisher: Vec<String>,
    pub contributor: Vec<String>,
    pub date: Vec<String>,
    pub kind: Vec<String>,
    pub format: Vec<String>,
    pub identifier: Vec<String>,
    pub source: Vec<String>,
    /// ISO 639-2 codes (`vie`, `khm`).
    pub language: Vec<String>,
    pub relation: Vec<String>,
    pub coverage: Vec<String>,
    pub rights: Vec<String>,
}

impl DublinCore {
    /// (element name, values) in DCMES order.
    pub fn fields(&self) -> [(&'static str, &[String]); 15] {
        [
            ("title", &self.title),
            ("creator", &self.creator),
            ("subject", &self.subject),
            ("description", &self.description),
            ("publisher", &self.publisher),
            ("contributor", &self.contributor),
            ("date", &self.date),
            ("type", &self.kind),
            ("format", &self.format),
            ("identifier", &self.identifier),
            ("source", &self.source),
            ("language", &self.language),
            ("relation", &self.relation),
            ("coverage", &self.coverage),
            ("rights", &self.rights),
        ]
    }

    /// The `oai_dc:dc` element (OAI-PMH 2.0 oai_dc.xsd), empty values left out.
    pub fn oai_dc(&self) -> E {
        let mut root = E::new("oai_dc:dc")
            .attr("xmlns:oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc/")
            .attr("xmlns:dc", "http://purl.org/dc/elements/1.1/")
            .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
            .attr(
                "xsi:schemaLocation",
                "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            );
        for (name, values) in self.fields() {
            for v in values.iter().filter(|v| !v.trim().is_empty()) {
                root.push(E::text(&format!("dc:{name}"), v.trim()));
            }
        }
        root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_left_out_and_order_is_dcmes() {
        let dc = DublinCore {
            title: vec!["Địa chí <1925>".into()],
            language: vec!["vie".into(), "khm".into()],
            creator: vec!["".into()],
            ..Default::default()
        };
        let xml = String::from_utf8(dc.oai_dc().to_document()).unwrap();
        assert!(
            xml.contains("<dc:title>Địa chí &lt;1925&gt;</dc:title>"),
            "{xml}"
        );
        assert!(!xml.contains("dc:creator"));
        assert!(xml.find("dc:title").unwrap() < xml.find("dc:language").unwrap());
        assert_eq!(xml.matches("<dc:language>").count(), 2);
    }
}
