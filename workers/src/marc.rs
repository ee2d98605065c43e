//! MARC 21 in MARCXML (MARC21slim) from a document's Dublin Core, for the
//! library systems of the region (Koha, Libol, Vebrary, DSpace, Greenstone).

use crate::dc::DublinCore;
use crate::xml::E;

const NS: &str = "http://www.loc.gov/MARC21/slim";

/// What a MARC record is made from.
pub struct MarcInput<'a> {
    pub id: &'a str,
    pub dc: &'a DublinCore,
    pub pages: usize,
    /// Where the access PDF is (URL or path relative to the catalog).
    pub pdf_url: &'a str,
    /// RFC 3339 timestamp of the record (the batch's).
    pub timestamp: &'a str,
}

/// A `<collection>` of records, as one MARCXML document.
pub fn collection(records: &[MarcInput]) -> Vec<u8> {
    E::new("collection")
        .attr("xmlns", NS)
        .attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
        .attr("xsi:schemaLocation", "http://www.loc.gov/MARC21/slim http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd")
        .children(records.iter().map(record))
        .to_document()
}

fn control(tag: &str, value: impl Into<String>) -> E {
    E::text("controlfield", value).attr("tag", tag)
}

fn data(tag: &str, ind: &str, subfields: &[(&str, &str)]) -> E {
    let mut chars = ind.chars();
    E::new("datafield")
        .attr("tag", tag)
        .attr("ind1", chars.next().unwrap_or(' '))
        .attr("ind2", chars.next().unwrap_or(' '))
        .children(
            subfields
                .iter()
                .map(|(code, v)| E::text("subfield", v.trim()).attr("code", code)),
        )
}

fn first(v: &[String]) -> &str {
    v.iter()
        .map(String::as_str)
        .find(|s| !s.trim().is_empty())
        .unwrap_or("")
}

/// One `<record>`. Leader position 9 is 'a': the record is UCS/Unicode.
pub fn record(r: &MarcInput) -> E {
    let dc = r.dc;
    let digits: String = r.timestamp.chars().filter(char::is_ascii_digit).collect();
    let mut rec = E::new("record")
        .child(E::text("leader", "00000nam a22000007i 4500"))
        .child(control("001", r.id))
        .child(control(
            "005",
            format!("{}.0", &digits[..14.min(digits.len())]),
        ))
        .child(control("008", field_008(r)));
    let filled = |v: &[String]| {
        v.iter()
            .filter(|s| !s.trim().is_empty())
            .cloned()
            .collect::<Vec<_>>()
    };
    for id in filled(&dc.identifier) {
        rec.push(data("024", "8 ", &[("a", &id)]));
    }
    let langs = filled(&dc.language);
    if !langs.is_empty() {
        let subs: Vec<(&str, &str)> = langs.iter().map(|l| ("a", l.as_str())).collect();
        rec.push(data("041", "0 ", &subs));
    }
    let creators = filled(&dc.creator);
    if let Some(c) = creators.first() {
        rec.push(data("100", "1 ", &[("a", c)]));
    }
    let ind1 = if creators.is_empty() { "0" } else { "1" };
    rec.push(data("245", &format!("{ind1}0"), &[("a", first(&dc.title))]));
    let (publisher, date) = (first(&dc.publisher), first(&dc.date));
    if !publisher.is_empty() || !date.is_empty() {
        let mut subs = Vec::new();
        if !publisher.is_empty() {
            subs.push(("b", publisher));
        }
        if !date.is_empty() {
            subs.push(("c", date));
        }
        rec.push(data("264", " 1", &subs));
    }
    let extent = format!(
        "1 online resource ({} {})",
        r.pages,
        if r.pages == 1 { "page" } else { "pages" }
    );
    rec.push(data("300", "  ", &[("a", &extent)]));
    for d in filled(&dc.description) {
        rec.push(data("520", "  ", &[("a", &d)]));
    }
    for rights in filled(&dc.rights) {
        rec.push(data("540", "  ", &[("a", &rights)]));
    }
    for s in filled(&dc.subject) {
        rec.push(data("650", " 4", &[("a", &s)]));
    }
    for place in filled(&dc.coverage) {
        rec.push(data("651", " 4", &[("a", &place)]));
    }
    for c in creators.iter().skip(1) {
        rec.push(data("700", "1 ", &[("a", c)]));
    }
    rec.push(data(
        "856",
        "40",
        &[("u", r.pdf_url), ("q", "application/pdf"), ("y", "PDF/A")],
    ));
    rec
}

/// 008 for books (40 characters): date entered, date type and year, place
/// (Vietnam), form of item 'o' (online), language, cataloguing source 'd'.
fn field_008(r: &MarcInput) -> String {
    let digits: String = r.timestamp.chars().filter(char::is_ascii_digit).collect();
    let entered = digits.get(2..8).unwrap_or("000000");
    let year: String = first(&r.dc.date)
        .chars()
        .take_while(char::is_ascii_digit)
        .take(4)
        .collect();
    let (kind, year) = if year.len() == 4 {
        ('s', year)
    } else {
        ('n', "uuuu".to_string())
    };
    let lang =
        r.dc.language
            .first()
            .filter(|l| l.len() == 3)
            .map_or("und", String::as_str);
    // Positions: 00-05 entered, 06 date type, 07-10 date 1, 11-14 date 2,
    // 15-17 place, 18-21 illustrations, 22 audience, 23 form of item,
    // 24-27 contents, 28 government, 29 conference, 30 festschrift, 31 index,
    // 32 undefined, 33 literary form, 34 biography, 35-37 language,
    // 38 modified, 39 cataloguing source.
    let f = [
        entered,
        &kind.to_string(),
        &year,
        "    ",
        "vm ",
        "    ",
        " ",
        "o",
        "    ",
        " ",
        "0",
        "0",
        "0",
        " ",
        "0",
        " ",
        lang,
        " ",
        "d",
    ]
    .concat();
    debug_assert_eq!(f.chars().count(), 40, "{f:?}");
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_fields() {
        let dc = DublinCore {
            title: vec!["Địa chí tỉnh Cần Thơ".into()],
            creator: vec!["Tòa bố Cần Thơ".into(), "Nguyễn Văn A".into()],
            date: vec!["1925".into()],
            language: vec!["vie".into(), "khm".into()],
            subject: vec!["Lịch sử".into()],
            coverage: vec!["Cần Thơ".into()],
            ..Default::default()
        };
        let input = MarcInput {
            id: "ct",
            dc: &dc,
            pages: 3,
            pdf_url: "ct/data/ct.pdf",
            timestamp: "2023-11-14T22:13:20Z",
        };
        assert_eq!(
            field_008(&input),
            "231114s1925    vm      o     000 0 vie d"
        );
        let xml = String::from_utf8(collection(&[input])).unwrap();
        assert!(xml.contains("<leader>00000nam a22000007i 4500</leader>"));
        assert!(xml.contains("<controlfield tag=\"005\">20231114221320.0</controlfield>"));
        assert!(xml.contains("<datafield tag=\"245\" ind1=\"1\" ind2=\"0\">\n      <subfield code=\"a\">Địa chí tỉnh Cần Thơ</subfield>"), "{xml}");
        assert!(xml.contains("<subfield code=\"a\">1 online resource (3 pages)</subfield>"));
        assert_eq!(xml.matches("tag=\"700\"").count(), 1);
        assert!(xml.contains("tag=\"651\" ind1=\" \" ind2=\"4\""));
    }
}
