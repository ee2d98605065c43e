//! Settings: `config/default.toml`, built into the binary, overlaid by an
//! optional user file holding only what it changes.

use crate::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The defaults, documented setting by setting in the file itself.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub ocr: OcrConfig,
    pub raster: RasterConfig,
    pub deskew: DeskewConfig,
    pub pdf: PdfConfig,
    pub bag: BagConfig,
    pub run: RunConfig,
    pub report: ReportConfig,
    pub orientation: OrientationConfig,
    pub serve: ServeConfig,
}

/// `diachi serve`: the OAI-PMH feed and the search pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Address and port listened on. Default "127.0.0.1:8080".
    pub bind: String,
    /// The URL harvesters and readers reach the server at, without the
    /// trailing slash. Default "": `http://` and the bind address.
    pub public_url: String,
    /// OAI-PMH `repositoryName`. Default "Thư viện vùng Đồng bằng sông Cửu
    /// Long: tài liệu địa chí".
    pub repository_name: String,
    /// The namespace of the `oai:` identifiers, a domain name the library
    /// owns. Default "diachi.example.org".
    pub repository_identifier: String,
    /// OAI-PMH `adminEmail`, one or more. Default ["digitization@diachi.example.org"].
    pub admin_email: Vec<String>,
    /// Records per ListRecords/ListIdentifiers response. Default 100.
    pub page_size: usize,
    /// Search results per page. Default 20.
    pub results_per_page: usize,
    /// Seconds between looks for bags that landed. Default 2.
    pub rescan_seconds: u64,
    /// The interface's language: "vi" or "en" (a page's `?ui=` wins).
    /// Default "vi".
    pub language: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrientationConfig {
    /// Default true.
    pub enabled: bool,
    /// The median line confidence under which a page is checked for being
    /// upside down. Default 70.0.
    pub recheck_below: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// Mean word confidence under which a Latin-script page is flagged as
    /// probably misread. Default 70.0.
    pub low_confidence: f32,
    /// The same for a page read with Khmer. Default 55.0.
    pub low_confidence_khmer: f32,
    /// Share of dark pixels from which a page with no words is flagged
    /// as probably not text. Default 0.002.
    pub min_ink: f32,
    /// Default 20.
    pub min_characters: usize,
    /// Default 8.0.
    pub max_skew: f32,
    /// Default 10.0.
    pub orientation_margin: f32,
    /// The language of the report's interface: "vi" or "en". Default "vi".
    pub language: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcrConfig {
    /// Default "vie".
    pub language: String,
    /// Default 6.
    pub psm: u32,
    /// Default "" (TESSDATA_PREFIX or the system's tessdata).
    pub tessdata: String,
    /// Which engine reads Khmer lines. Default "auto" (the network when
    /// its model is installed).
    pub khmer_engine: KhmerEngine,
    /// Default "" ($DIACHI_MODELS, else ~/.local/share/diachi/models).
    pub models_dir: String,
}

/// `ocr.khmer_engine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KhmerEngine {
    /// The network when its model is installed, else Tesseract alone.
    Auto,
    /// Tesseract alone.
    Tesseract,
    /// The network; its absence is a warning (Tesseract then reads alone).
    Neural,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RasterConfig {
    /// Default 300.
    pub default_dpi: f32,
    /// Default 200000000.
    pub max_pixels: u64,
    /// What to do with a scanner PDF's page that carries text. Default
    /// "refuse".
    pub pdf_pages_with_text: workers::scanpdf::PagesWithText,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeskewConfig {
    /// Default true.
    pub enabled: bool,
    /// Default 15.0.
    pub max_degrees: f32,
    /// Default 0.1.
    pub min_degrees: f32,
    /// Default true.
    pub normalize_background: bool,
    /// Default true.
    pub find_page: bool,
    /// Default true.
    pub dewarp: bool,
    /// Default "auto".
    pub split_spreads: workers::spread::SplitMode,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PdfConfig {
    /// Default 80.
    pub jpeg_quality: u8,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BagConfig {
    /// Default "Mekong Delta libraries".
    pub source_organization: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnBadPage {
    FailDocument,
    SkipPage,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Default 0 (one per core).
    pub jobs: usize,
    /// Most pixels of the pages in flight at once ([`crate::budget`]).
    /// Default 0: 40 million a CPU core.
    pub pixels_in_flight: u64,
    /// Most pages being prepared and read at once ([`crate::run`]). Default
    /// 0: one a CPU core.
    pub pages_read_at_once: usize,
    /// Default "fail-document".
    pub on_bad_page: OnBadPage,
}

impl Config {
    /// The built-in defaults.
    pub fn default_config() -> Config {
        Config::from_toml(DEFAULT_TOML, Path::new("config/default.toml"))
            .expect("the built-in config/default.toml is valid")
    }

    /// The defaults overlaid by the settings in `path`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Config::from_toml(&text, path)
    }

    fn from_toml(text: &str, path: &Path) -> Result<Config> {
        let bad = |reason: String| Error::Config {
            path: path.to_path_buf(),
            reason,
        };
        let mut base: toml::Table = DEFAULT_TOML.parse().map_err(|e| bad(format!("{e}")))?;
        let user: toml::Table = text.parse().map_err(|e| bad(format!("{e}")))?;
        merge(&mut base, user);
        let config: Config = toml::Value::Table(base)
            .try_into()
            .map_err(|e: toml::de::Error| bad(e.message().to_string()))?;
        config.check().map_err(bad)?;
        Ok(config)
    }

    fn check(&self) -> std::result::Result<(), String> {
        if self.ocr.psm > 13 {
            return Err(format!("ocr.psm = {}: must be 0-13", self.ocr.psm));
        }
        if !(1..=100).contains(&self.pdf.jpeg_quality) {
            return Err(format!(
                "pdf.jpeg_quality = {}: must be 1-100",
                self.pdf.jpeg_quality
            ));
        }
        if self.raster.default_dpi < 10.0 {
            return Err("raster.default_dpi must be at least 10".into());
        }
        workers::lang::LangSetting::parse(&self.ocr.language)
            .map_err(|e| format!("ocr.language: {e}"))?;
        if !["vi", "en"].contains(&self.report.language.as_str()) {
            return Err(format!(
                "report.language must be \"vi\" or \"en\", not \"{}\"",
                self.report.language
            ));
        }
        Ok(())
    }

    /// The page preparation settings, as the workers take them.
    pub fn prepare_options(&self) -> workers::page::PrepareOptions {
        workers::page::PrepareOptions {
            find_page: self.deskew.find_page,
            dewarp: self.deskew.dewarp,
            normalize_background: self.deskew.normalize_background,
            orientation: self.orientation.enabled,
            deskew: self.deskew.enabled,
            max_skew: self.deskew.max_degrees,
            min_skew: self.deskew.min_degrees,
            default_dpi: self.raster.default_dpi,
            forced_turn: None,
        }
    }

    /// The recognition settings, as the workers take them.
    pub fn recognize_options(&self) -> workers::page::RecognizeOptions {
        workers::page::RecognizeOptions {
            orientation: self.orientation.enabled,
            recheck_below: self.orientation.recheck_below,
            psm: (self.ocr.psm != 0).then_some(self.ocr.psm),
            khmer_net: None,
        }
    }

    /// The recognition models' folder: `ocr.models_dir`, else
    /// `$DIACHI_MODELS`, else `$XDG_DATA_HOME/diachi/models`, else
    /// `~/.local/share/diachi/models` (where scripts/setup.sh puts them).
    pub fn models_dir(&self) -> PathBuf {
        if !self.ocr.models_dir.is_empty() {
            return PathBuf::from(&self.ocr.models_dir);
        }
        workers::neural::default_models_dir()
    }

    /// The tessdata folder to use, or `None` when none can be found.
    pub fn tessdata(&self) -> Option<PathBuf> {
        if self.ocr.tessdata.is_empty() {
            workers::ocr::find_tessdata()
        } else {
            Some(PathBuf::from(&self.ocr.tessdata))
        }
    }
}

/// Deep merge: tables merge key by key, anything else in `over` replaces.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse() {
        let c = Config::default_config();
        assert_eq!(c.ocr.language, "vie");
        assert_eq!(c.ocr.psm, 0);
        assert_eq!(c.raster.default_dpi, 300.0);
        assert_eq!(c.run.on_bad_page, OnBadPage::FailDocument);
    }

    #[test]
    fn user_file_overrides_only_what_it_names() {
        let c = Config::from_toml("[ocr]\nlanguage = \"khm\"\n", Path::new("u.toml")).unwrap();
        assert_eq!(c.ocr.language, "khm");
        assert_eq!(c.ocr.psm, 0);
    }

    #[test]
    fn mistakes_are_named() {
        let e = Config::from_toml("[ocr]\nlanguag = \"khm\"\n", Path::new("u.toml")).unwrap_err();
        assert!(
            e.to_string().contains("u.toml") && e.to_string().contains("languag"),
            "{e}"
        );
        let e = Config::from_toml("[pdf]\njpeg_quality = 0\n", Path::new("u.toml")).unwrap_err();
        assert!(e.to_string().contains("jpeg_quality"), "{e}");
    }
}
