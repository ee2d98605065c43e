//! Text tag files (RFC 8493 §2.1.1, §2.2.2, §4): the bag declaration, the
//! declared character encoding, lines, and metadata elements.

/// A bag's version, `M.N` (RFC 8493 §2.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32);

impl Version {
    /// RFC 8493 itself: the version from which its MUSTs hold strictly
    /// (earlier drafts were looser about whitespace and repetition).
    pub const V1_0: Version = Version(1, 0);

    /// Before 0.96 the metadata file was `package-info.txt`.
    pub fn info_file(self) -> &'static str {
        if self < Version(0, 96) {
            "package-info.txt"
        } else {
            "bag-info.txt"
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// The character encoding of a bag's other tag files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// ISO-8859-1, decoded byte for code point (not as windows-1252, which
    /// the WHATWG labels map it to).
    Latin1,
    /// Any other encoding `encoding_rs` knows by this label (UTF-16 among
    /// them, with its byte-order mark).
    Other(&'static encoding_rs::Encoding),
}

impl Encoding {
    /// The encoding a `Tag-File-Character-Encoding` value names.
    pub fn from_label(label: &str) -> Option<Encoding> {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" => Some(Encoding::Latin1),
            _ => encoding_rs::Encoding::for_label(l.as_bytes()).map(|e| {
                if e == encoding_rs::UTF_8 {
                    Encoding::Utf8
                } else {
                    Encoding::Other(e)
                }
            }),
        }
    }

    /// Decodes a tag file. Also says whether it began with a byte-order
    /// mark, which UTF-8 tag files must not have (RFC 8493 §4) and UTF-16
    /// ones need. `None` when the bytes are not in this encoding.
    pub fn decode(self, bytes: &[u8]) -> Option<(String, bool)> {
        match self {
            Encoding::Utf8 => {
                let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
                    Some(rest) => (rest, true),
                    None => (bytes, false),
                };
                std::str::from_utf8(body).ok().map(|s| (s.to_string(), bom))
            }
            Encoding::Latin1 => Some((bytes.iter().map(|&b| b as char).collect(), false)),
            Encoding::Other(e) => {
                let bom = encoding_rs::Encoding::for_bom(bytes).is_some();
                let (text, _, bad) = e.decode(bytes);
                (!bad).then(|| (text.into_owned(), bom))
            }
        }
    }
}

/// The lines of a tag file, each ended by LF, CR or CRLF (RFC 8493 §4);
/// the last may lack its ending.
pub fn lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find(['\r', '\n']) {
            Some(i) => {
                out.push(&rest[..i]);
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out
}

/// What `bagit.txt` declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub version: Version,
    pub encoding: Encoding,
    /// The encoding as written, for messages.
    pub encoding_label: String,
}

/// Reads `bagit.txt` (RFC 8493 §2.1.1): exactly two lines, `BagIt-Version:
/// M.N` and `Tag-File-Character-Encoding: ENCODING`, in UTF-8 with no
/// byte-order mark. From 1.0 on, the ABNF's single space after each colon
/// and nothing around the values is required; earlier bags may pad the
/// colon (§2.2.2 asks implementations to accept that). Versions 0.93 up
/// to 1.x are read; the reason otherwise.
pub fn read_declaration(bytes: &[u8]) -> Result<Declaration, String> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Err("begins with a byte-order mark, which bagit.txt must not".into());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
    let lines = lines(text);
    if lines.len() != 2 {
        return Err(format!(
            "{} lines, where BagIt-Version and Tag-File-Character-Encoding are the only two",
            lines.len()
        ));
    }
    let (vlabel, version_text) = element(lines[0]).ok_or("line 1 has no ':'")?;
    if vlabel.trim() != "BagIt-Version" {
        return Err(format!("line 1 is '{}', not BagIt-Version", lines[0]));
    }
    let version = parse_version(version_text.trim())
        .ok_or_else(|| format!("BagIt-Version '{}' is not M.N", version_text.trim()))?;
    if !(Version(0, 93)..Version(2, 0)).contains(&version) {
        return Err(format!(
            "BagIt-Version {version} is not one diachi reads (0.93 to 1.x)"
        ));
    }
    let (elabel, label) = element(lines[1]).ok_or("line 2 has no ':'")?;
    if elabel.trim() != "Tag-File-Character-Encoding" {
        return Err(format!(
            "line 2 is '{}', not Tag-File-Character-Encoding",
            lines[1]
        ));
    }
    if version >= Version::V1_0 {
        for (line, label) in [
            (lines[0], "BagIt-Version"),
            (lines[1], "Tag-File-Character-Encoding"),
        ] {
            let strict = line
                .strip_prefix(label)
                .and_then(|r| r.strip_prefix(": "))
                .is_some_and(|v| !v.is_empty() && v.trim() == v);
            if !strict {
                return Err(format!(
                    "'{line}': from BagIt 1.0, '{label}: ' then the value, with no other whitespace"
                ));
            }
        }
    }
    let encoding = Encoding::from_label(label)
        .ok_or_else(|| format!("unknown Tag-File-Character-Encoding '{}'", label.trim()))?;
    Ok(Declaration {
        version,
        encoding,
        encoding_label: label.trim().to_string(),
    })
}

fn element(line: &str) -> Option<(&str, &str)> {
    line.split_once(':')
}

fn parse_version(v: &str) -> Option<Version> {
    let (m, n) = v.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(m) && digits(n)).then(|| Some(Version(m.parse().ok()?, n.parse().ok()?)))?
}

/// One metadata element of `bag-info.txt`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub label: String,
    pub value: String,
}

/// A line of a metadata file that breaks RFC 8493 §2.2.2, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: usize,
    pub why: String,
}

/// Reads the metadata elements of `bag-info.txt` (RFC 8493 §2.2.2): `Label:
/// value` lines, values continued on lines that begin with whitespace.
/// From 1.0 on, the label must not begin or end with whitespace and a
/// single space or tab follows the colon; before 1.0 whitespace around the
/// colon is accepted and is no part of label or value. Blank lines are
/// skipped, as bagit-python does.
pub fn metadata(text: &str, version: Version) -> (Vec<Element>, Vec<BadLine>) {
    let strict = version >= Version::V1_0;
    let mut elements: Vec<Element> = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in lines(text).into_iter().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match elements.last_mut() {
                Some(e) => {
                    e.value.push(' ');
                    e.value.push_str(line.trim());
                }
                None => bad.push(BadLine {
                    line: n,
                    why: "a continuation line with no element before it".into(),
                }),
            }
            continue;
        }
        let Some((label, value)) = element(line) else {
            bad.push(BadLine {
                line: n,
                why: format!("'{line}' has no ':'"),
            });
            continue;
        };
        if strict {
            if label.trim_end() != label {
                bad.push(BadLine {
                    line: n,
                    why: format!("the label '{label}' ends with whitespace"),
                });
                continue;
            }
            if !(value.is_empty() || value.starts_with([' ', '\t'])) {
                bad.push(BadLine {
                    line: n,
                    why: format!("no space after the colon in '{line}'"),
                });
                continue;
            }
        }
        elements.push(Element {
            label: label.trim().to_string(),
            value: value.trim().to_string(),
        });
    }
    (elements, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_lines_and_versions() {
        let d =
            read_declaration(b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n").unwrap();
        assert_eq!(d.version, Version(1, 0));
        assert_eq!(d.encoding, Encoding::Utf8);
        // CRLF, and no ending on the last line, as old bags have.
        let d =
            read_declaration(b"BagIt-Version: 0.96\r\nTag-File-Character-Encoding: UTF-8").unwrap();
        assert_eq!(d.version, Version(0, 96));
        for bad in [
            &b"\xEF\xBB\xBFBagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"[..],
            b"BagIt-Version: 0.97\n",
            b"BagIt-Version: .97\nTag-File-Character-Encoding: UTF-8\n",
            b"BagIt-Version: banana\nTag-File-Character-Encoding: UTF-8\n",
            b"BagIt-Version : 1.0\nTag-File-Character-Encoding : UTF-8\n",
            b"BagIt-Version: 1.0 \nTag-File-Character-Encoding: UTF-8\n",
            b"BagIt-Version: 3.0\nTag-File-Character-Encoding: UTF-8\n",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: KLINGON\n",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: line\n",
        ] {
            assert!(
                read_declaration(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // Before 1.0 padding around the colon is accepted.
        assert!(
            read_declaration(b"BagIt-Version : 0.97\nTag-File-Character-Encoding : UTF-8\n")
                .is_ok()
        );
    }

    #[test]
    fn encodings_decode() {
        let latin = Encoding::from_label("ISO-8859-1").unwrap();
        assert_eq!(latin.decode(b"Nu\xf1ez").unwrap().0, "Nuñez");
        let utf16 = Encoding::from_label("UTF-16").unwrap();
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Cần".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(utf16.decode(&bytes).unwrap(), ("Cần".to_string(), true));
        assert_eq!(
            Encoding::Utf8.decode("\u{FEFF}x".as_bytes()).unwrap(),
            ("x".to_string(), true)
        );
        assert!(Encoding::Utf8.decode(b"\xff").is_none());
    }

    #[test]
    fn metadata_elements_strict_from_1_0() {
        let text =
            "Source-Organization: Thư viện\nExternal-Description: one\n  two\r\nTest-Tag : 3\n";
        let (old, bad) = metadata(text, Version(0, 97));
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(old[1].value, "one two");
        assert_eq!(old[2].label, "Test-Tag");
        let (new, bad) = metadata(text, Version(1, 0));
        assert_eq!(new.len(), 2);
        assert_eq!(bad[0].line, 4);
        let (_, bad) = metadata(" orphan\nNoColon\n", Version(1, 0));
        assert_eq!(bad.len(), 2);
    }
}
