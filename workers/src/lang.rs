//! Languages, typed once at the edge. A catalogers' field (`vie;khm`,
//! `vie, khm`, `vie+khm`) or `auto` is parsed into a [`LangSetting`]; every
//! stage and writer after that reads the typed value: its Tesseract string,
//! its BCP 47 tag, its model file and its script.

use std::fmt;
use std::path::{Path, PathBuf};

/// A language diachi reads, with the facts every writer needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    Vietnamese,
    Khmer,
    /// English and French appear in colonial-era and bilingual material.
    English,
    French,
}

/// The script a language is written in, as the recognizer tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Khmer,
}

impl Script {
    /// Whether `c` is a letter of this script. Khmer covers the Khmer block
    /// and Khmer Symbols; Latin is every other alphabetic character.
    pub fn has(self, c: char) -> bool {
        let khmer =
            ('\u{1780}'..='\u{17FF}').contains(&c) || ('\u{19E0}'..='\u{19FF}').contains(&c);
        match self {
            Script::Khmer => khmer,
            Script::Latin => !khmer && c.is_alphabetic(),
        }
    }

    /// Letters of `text` in this script (for Khmer, any character of its
    /// blocks, as [`Script::has`] counts them).
    pub fn letters(self, text: &str) -> usize {
        text.chars().filter(|&c| self.has(c)).count()
    }

    /// Letters of `text` in each script: (Khmer, Latin).
    pub fn counts(text: &str) -> (usize, usize) {
        (Script::Khmer.letters(text), Script::Latin.letters(text))
    }
}

impl Language {
    /// Every language diachi knows, in the order they are listed to users.
    pub const ALL: [Language; 4] = [
        Language::Vietnamese,
        Language::Khmer,
        Language::English,
        Language::French,
    ];

    /// ISO 639-2/T code, which is also Tesseract's model name.
    pub fn code(self) -> &'static str {
        match self {
            Language::Vietnamese => "vie",
            Language::Khmer => "khm",
            Language::English => "eng",
            Language::French => "fra",
        }
    }

    /// The shortest BCP 47 tag (xsd:language in ALTO, dc:language in XMP).
    pub fn bcp47(self) -> &'static str {
        match self {
            Language::Vietnamese => "vi",
            Language::Khmer => "km",
            Language::English => "en",
            Language::French => "fr",
        }
    }

    pub fn script(self) -> Script {
        match self {
            Language::Khmer => Script::Khmer,
            _ => Script::Latin,
        }
    }

    /// The Tesseract model file in `tessdata`.
    pub fn model_file(self, tessdata: &Path) -> PathBuf {
        tessdata.join(format!("{}.traineddata", self.code()))
    }

    /// The Debian/Ubuntu package that installs the model.
    pub fn package(self) -> String {
        format!("tesseract-ocr-{}", self.code())
    }

    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One or more languages, in order (the first is the main one), no repeats.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Languages(Vec<Language>);

impl Languages {
    /// `None` when `list` is empty. Repeats are dropped, order kept.
    pub fn new(list: impl IntoIterator<Item = Language>) -> Option<Languages> {
        let mut v = Vec::new();
        for l in list {
            if !v.contains(&l) {
                v.push(l);
            }
        }
        (!v.is_empty()).then_some(Languages(v))
    }

    pub fn one(l: Language) -> Languages {
        Languages(vec![l])
    }

    pub fn main(&self) -> Language {
        self.0[0]
    }

    pub fn iter(&self) -> impl Iterator<Item = Language> + '_ {
        self.0.iter().copied()
    }

    pub fn contains(&self, l: Language) -> bool {
        self.0.contains(&l)
    }

    /// Tesseract's form: codes joined by `+`, main language first.
    pub fn tesseract(&self) -> String {
        self.0
            .iter()
            .map(|l| l.code())
            .collect::<Vec<_>>()
            .join("+")
    }
}

impl fmt::Display for Languages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tesseract())
    }
}

impl serde::Serialize for Languages {
    /// record.json keeps Tesseract's form (`vie+khm`), as it always has.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.tesseract())
    }
}

impl<'de> serde::Deserialize<'de> for Languages {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match LangSetting::parse(&s).map_err(serde::de::Error::custom)? {
            LangSetting::Fixed(l) => Ok(l),
            LangSetting::Auto => Err(serde::de::Error::custom("a page's language is never auto")),
        }
    }
}

/// What a document asks for: languages given by hand, or `auto` (each page's
/// language found on the page, and each line's where it is in the other
/// script).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LangSetting {
    Auto,
    Fixed(Languages),
}

impl LangSetting {
    /// Parses a language field as catalogers write it: ISO 639-2 codes
    /// separated by `;`, `,`, `+` or spaces, in any case, or `auto` alone.
    pub fn parse(field: &str) -> Result<LangSetting, String> {
        let mut codes: Vec<String> = Vec::new();
        for part in field.split([';', ',', '+', ' ', '\t']) {
            let code = part.trim().to_ascii_lowercase();
            if !code.is_empty() && !codes.contains(&code) {
                codes.push(code);
            }
        }
        if codes.is_empty() {
            return Err("no language given".into());
        }
        if codes.iter().any(|c| c == "auto") {
            return match codes.len() {
                1 => Ok(LangSetting::Auto),
                _ => Err("'auto' cannot be combined with other languages".into()),
            };
        }
        let mut list = Vec::with_capacity(codes.len());
        for code in codes {
            let known = Language::ALL.map(|l| l.code()).join(", ");
            list.push(Language::from_code(&code).ok_or_else(|| {
                format!("'{code}' is not a language diachi reads (it reads {known}, or auto)")
            })?);
        }
        Ok(LangSetting::Fixed(Languages::new(list).expect("not empty")))
    }

    /// The models this setting may load: `auto` chooses among Vietnamese and
    /// Khmer.
    pub fn models(&self) -> Vec<Language> {
        match self {
            LangSetting::Auto => vec![Language::Vietnamese, Language::Khmer],
            LangSetting::Fixed(l) => l.iter().collect(),
        }
    }
}

impl fmt::Display for LangSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LangSetting::Auto => f.write_str("auto"),
            LangSetting::Fixed(l) => l.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cataloger_form() {
        let both =
            LangSetting::Fixed(Languages::new([Language::Vietnamese, Language::Khmer]).unwrap());
        for f in [
            "vie;khm",
            "vie, khm",
            "vie+khm",
            " VIE ; khm ;",
            "vie khm vie",
        ] {
            assert_eq!(LangSetting::parse(f).unwrap(), both, "{f}");
        }
        assert_eq!(both.to_string(), "vie+khm");
        assert_eq!(LangSetting::parse("AUTO").unwrap(), LangSetting::Auto);
        assert!(LangSetting::parse("").is_err());
        assert!(LangSetting::parse("vi-VN").is_err());
        assert!(LangSetting::parse("auto;vie").is_err());
        let e = LangSetting::parse("vie;xyz").unwrap_err();
        assert!(e.contains("'xyz'") && e.contains("khm"), "{e}");
    }

    #[test]
    fn facts_per_language() {
        assert_eq!(Language::Khmer.bcp47(), "km");
        assert_eq!(Language::Vietnamese.script(), Script::Latin);
        assert_eq!(
            Language::Khmer.model_file(Path::new("/t")),
            Path::new("/t/khm.traineddata")
        );
        assert_eq!(Script::counts("Cà ខ្មែរ 1"), (5, 2));
    }

    #[test]
    fn serialised_as_tesseract_string() {
        let l = Languages::new([Language::Khmer, Language::Vietnamese]).unwrap();
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(json, "\"khm+vie\"");
        assert_eq!(serde_json::from_str::<Languages>(&json).unwrap(), l);
    }
}
