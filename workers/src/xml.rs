//! Small helpers over quick-xml shared by every XML writer (ALTO, XMP, and
//! later METS and Dublin Core): one place that makes arbitrary metadata safe.

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::borrow::Cow;

pub type XmlWriter = Writer<Vec<u8>>;
pub type XmlResult = std::io::Result<()>;

/// Removes characters that XML 1.0 forbids even when escaped (C0 controls
/// other than tab, newline and carriage return; U+FFFE, U+FFFF). Escaping of
/// `<`, `&` and quotes is the writer's job.
pub fn clean(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| allowed(c)).collect())
    }
}

/// A writer with the XML declaration already written, indenting by two spaces.
pub fn document() -> XmlWriter {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to a Vec cannot fail");
    w
}

/// Finishes a document: the bytes, ending with a newline.
pub fn finish(w: XmlWriter) -> Vec<u8> {
    let mut out = w.into_inner();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_well_formed() {
        let doc = E::text("t", "a<b & \"c\" \u{1}\u{200B}\u{202E}").to_document();
        let s = String::from_utf8(doc).unwrap();
        assert!(
            s.ends_with("<t>a&lt;b &amp; &quot;c&quot; \u{200B}\u{202E}</t>\n"),
            "{s}"
        );
    }
}

/// A small element tree for documents built from records (METS, PREMIS,
/// Dublin Core, MARCXML): built as data, written in one pass, with every
/// text and attribute value cleaned and escaped.
#[derive(Debug, Clone, PartialEq)]
pub struct E {
    name: String,
    attrs: Vec<(String, String)>,
    kids: Vec<E>,
    text: Option<String>,
}

impl E {
    pub fn new(name: &str) -> E {
        E {
            name: name.to_string(),
            attrs: Vec::new(),
            kids: Vec::new(),
            text: None,
        }
    }

    /// `<name>text</name>`.
    pub fn text(name: &str, text: impl Into<String>) -> E {
        E {
            text: Some(text.into()),
            ..E::new(name)
        }
    }

    pub fn attr(mut self, key: &str, value: impl ToString) -> E {
        self.attrs.push((key.to_string(), value.to_string()));
        self
    }

    pub fn child(mut self, kid: E) -> E {
        self.kids.push(kid);
        self
    }

    pub fn children(mut self, kids: impl IntoIterator<Item = E>) -> E {
        self.kids.extend(kids);
        self
    }

    pub fn push(&mut self, kid: E) {
        self.kids.push(kid);
    }

    pub fn write(&self, w: &mut XmlWriter) -> XmlResult {
        let attrs: Vec<(&str, Cow<str>)> = self
            .attrs
            .iter()
            .map(|(k, v)| (k.as_str(), clean(v)))
            .collect();
        let el = w
            .create_element(self.name.as_str())
            .with_attributes(attrs.iter().map(|(k, v)| (*k, v.as_ref())));
        match (&self.text, self.kids.is_empty()) {
            (Some(t), _) => el.write_text_content(BytesText::new(&clean(t)))?,
            (None, true) => el.write_empty()?,
            (None, false) => el.write_inner_content(|w| {
                for k in &self.kids {
                    k.write(w)?;
                }
                Ok(())
            })?,
        };
        Ok(())
    }

    /// The element as a whole XML document, with declaration.
    pub fn to_document(&self) -> Vec<u8> {
        let mut w = document();
        self.write(&mut w).expect("writing to a Vec cannot fail");
        finish(w)
    }
}
