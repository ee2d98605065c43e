//! A second recognizer for Khmer lines: the khmer-ocr-ocm 0.1.0 network
//! (MIT, CRNN + CTC), run in Rust: candle reads its PyTorch weights, gemm
//! does its matrix products. Tesseract still finds the
//! page's lines and reads everything else; each line it read as Khmer is
//! read again here, and the network's reading replaces Tesseract's when
//! [`lines::better`] says so.
//!
//! The weights come from the package's wheel on PyPI, fetched and checked
//! by `scripts/setup.sh` into `ocr.models_dir`; nothing is fetched at run
//! time. [`KhmerNet::load`] checks both files' SHA-256 against the ones
//! this code was tested with: the network's layers and its alphabet are
//! those of that one file.

mod crnn;
mod ctc;
pub mod lines;
mod resample;

use crate::slots::Slots;
use crate::{Error, Result};
use image::GrayImage;
use std::path::{Path, PathBuf};

/// The model's folder under `ocr.models_dir`, and its files with their
/// SHA-256 (as in khmer_ocr_ocm-0.1.0-py3-none-any.whl, whose own SHA-256
/// scripts/setup.sh checks).
pub const FOLDER: &str = "khmer-ocr-ocm-0.1.0";
pub const WEIGHTS: (&str, &str) = (
    "model.pth",
    "6e5a2d6adfb4f23b53aa2e6cb1eab9b1c81726e00f920ef0c9965771d7b024ca",
);
pub const VOCAB: (&str, &str) = (
    "vocab.json",
    "d4abbef2cea17866068f52ac6553b7e770521fec9c277f2c8f4b31654ff4a387",
);
/// How the engine is named in record.json, ALTO and METS.
pub const ENGINE: &str = "khmer-ocr-ocm";
pub const ENGINE_VERSION: &str = "0.1.0";

/// The network as record.json, ALTO and METS name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recognizer {
    pub engine: String,
    pub version: String,
    /// SHA-256 of the weights file.
    pub sha256: String,
}

/// The loaded network with its alphabet. It is read-only once loaded, so
/// one copy serves every worker thread.
pub struct KhmerNet {
    net: crnn::Crnn,
    /// Class to text; class 0 (blank) is empty.
    alphabet: Vec<String>,
    /// Forward passes running at once, at most one per core. More at once
    /// gain no speed, since a pass only computes, and each holds 20-30 MB
    /// of buffers: with `--jobs 8` on two cores, eight threads could be in
    /// a pass at once, and peak memory rose with the length of the batch as
    /// more of them came to coincide.
    passes: Slots,
}

impl std::fmt::Debug for KhmerNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KhmerNet({ENGINE} {ENGINE_VERSION})")
    }
}

/// How a line image is brought to the network's input, 48 pixels high.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Stretched to 512 wide whatever its length, as khmer-ocr-ocm's own
    /// `preprocess` does (the reference the tests compare with).
    Stretch,
    /// Scaled keeping its proportions, 128 to 512 wide: the network is
    /// convolutional, and a short piece costs less. What diachi uses: on
    /// the realdev notice CER 0.041 against 0.046 stretched, on the
    /// rendered Khmer pages of bench/language.py 0.0008 against 0.0019,
    /// and 30% less CPU on the realdev Khmer captures.
    Natural,
}

impl Fit {
    fn width(self, line: &GrayImage) -> u32 {
        let most = crnn::WIDTH as u32;
        match self {
            Fit::Stretch => most,
            Fit::Natural => {
                let w = line.width() as f32 * crnn::HEIGHT as f32 / line.height().max(1) as f32;
                // A multiple of the 4 columns a time step covers.
                ((w / 4.0).round() as u32 * 4).clamp(128, most)
            }
        }
    }
}

/// One character the network read, placed on the line image.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub text: String,
    /// Its span, in pixels of the line image given to [`KhmerNet::read`].
    pub x0: f32,
    pub x1: f32,
    /// 0 to 1.
    pub probability: f32,
}

/// Where scripts/setup.sh puts the models unless told otherwise:
/// `$DIACHI_MODELS`, else `$XDG_DATA_HOME/diachi/models`, else
/// `~/.local/share/diachi/models`.
pub fn default_models_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("DIACHI_MODELS")
        .or_else(|| env("XDG_DATA_HOME").map(|d| d.join("diachi/models")))
        .or_else(|| env("HOME").map(|h| h.join(".local/share/diachi/models")))
        .unwrap_or_else(|| PathBuf::from("models"))
}

impl KhmerNet {
    /// The folder that holds the model under `models_dir`.
    pub fn folder(models_dir: &Path) -> PathBuf {
        models_dir.join(FOLDER)
    }

    /// Loads the model from `models_dir`, after checking both files'
    /// SHA-256. An absent or altered file is an [`Error::Model`] naming it.
    pub fn load(models_dir: &Path) -> Result<KhmerNet> {
        let dir = Self::folder(models_dir);
        let (weights, vocab) = (dir.join(WEIGHTS.0), dir.join(VOCAB.0));
        for (path, want) in [(&weights, WEIGHTS.1), (&vocab, VOCAB.1)] {
            if !path.is_file() {
                return Err(model_error(
                    path,
                    "not found (scripts/setup.sh installs it)",
                ));
            }
            let got = crate::fixity::sha256_file(path)?;
            if got != want {
                return Err(model_error(
                    path,
                    &format!("SHA-256 is {got}, expected {want}: not the tested model"),
                ));
            }
        }
        let tensors = candle_core::pickle::read_all_with_key(&weights, Some("model_state_dict"))
            .map_err(|e| model_error(&weights, &e.to_string()))?;
        let net = crnn::Crnn::from_weights(&tensors.into_iter().collect())
            .map_err(|e| model_error(&weights, &e.to_string()))?;
        let alphabet = read_alphabet(&vocab, net.classes())?;
        Ok(KhmerNet {
            net,
            alphabet,
            passes: Slots::per_core(),
        })
    }

    /// The network as the records name it: [`KhmerNet::load`] loads no
    /// weights but those of [`WEIGHTS`].
    pub fn recognizer(&self) -> Recognizer {
        Recognizer {
            engine: ENGINE.to_string(),
            version: ENGINE_VERSION.to_string(),
            sha256: WEIGHTS.1.to_string(),
        }
    }

    /// Reads one line image: the characters in order, each placed on it.
    pub fn read(&self, line: &GrayImage, fit: Fit) -> Vec<Glyph> {
        let width = fit.width(line);
        let fit = resample::resize(line, width, crnn::HEIGHT as u32);
        let input = fit
            .as_raw()
            .iter()
            .map(|&p| (p as f32 / 255.0 - 0.5) / 0.5)
            .collect();
        let values = self.passes.run(|| self.net.forward(input));
        let classes = self.net.classes();
        // A time step is 4 input columns (two 2x2 poolings), and the last
        // 2x2 convolution centres step t on columns 4t..4t+8.
        let scale = line.width() as f32 / width as f32;
        ctc::decode(&values, classes)
            .into_iter()
            .filter_map(|g| {
                let text = self.alphabet.get(g.class)?.clone();
                Some(Glyph {
                    text,
                    x0: (4 * g.first) as f32 * scale,
                    x1: (4 * g.last + 8) as f32 * scale,
                    probability: g.probability,
                })
            })
            .collect()
    }
}

fn model_error(path: &Path, reason: &str) -> Error {
    Error::Model {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// vocab.json's `idx2char` as a list by class; it must name a character
/// for every class but the blank.
fn read_alphabet(path: &Path, classes: usize) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(Error::io(path))?;
    #[derive(serde::Deserialize)]
    struct Vocab {
        idx2char: std::collections::HashMap<usize, String>,
    }
    let vocab: Vocab =
        serde_json::from_slice(&bytes).map_err(|e| model_error(path, &e.to_string()))?;
    let mut alphabet = vec![String::new(); classes];
    for (i, c) in vocab.idx2char {
        match alphabet.get_mut(i) {
            Some(slot) if i > 0 => *slot = c,
            _ => return Err(model_error(path, &format!("class {i} out of 1..{classes}"))),
        }
    }
    if let Some(i) = alphabet.iter().skip(1).position(String::is_empty) {
        return Err(model_error(
            path,
            &format!("no character for class {}", i + 1),
        ));
    }
    Ok(alphabet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> KhmerNet {
        KhmerNet::load(&default_models_dir())
            .unwrap_or_else(|e| panic!("{e}: run scripts/setup.sh to install the model"))
    }

    fn realdev(name: &str) -> GrayImage {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/realdev");
        image::open(dir.join(name)).unwrap().to_luma8()
    }

    fn text(glyphs: &[Glyph]) -> String {
        glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    /// The reference is khmer-ocr-ocm 0.1.0's own PyTorch code
    /// (`KhmerOCR.predict`: Pillow's decoding and resizing, torch 2.15 on
    /// the CPU) on the same line crops of the realdev notice, errors and
    /// all; this decodes the JPEG with `image` and resizes itself, and
    /// reads the same text.
    #[test]
    fn reads_real_lines_as_the_reference_does() {
        let net = net();
        let line = realdev("khm_seanghay_1.jpg");
        assert_eq!(
            text(&net.read(&line, Fit::Stretch)),
            "លទ្ធផលនៃការធ្វើកំណែទម្រង់លើទូរគមនាគមន៍កម្ពុជា"
        );
        let page = realdev("khm_phonsobon_1.jpg");
        for ((x, y, w, h), reference) in REFERENCE {
            let crop = image::imageops::crop_imm(&page, x, y, w, h).to_image();
            assert_eq!(
                text(&net.read(&crop, Fit::Stretch)),
                reference,
                "line at {x},{y}"
            );
        }
    }

    /// A crop of a page: x, y, width, height.
    type Crop = (u32, u32, u32, u32);

    /// Line boxes (x, y, width, height) of khm_phonsobon_1.jpg and the
    /// reference's reading of each.
    const REFERENCE: [(Crop, &str); 11] = [
        ((343, 66, 226, 36), "ព្រះរាជាណាចក្រកម្ពុជា"),
        ((79, 215, 303, 34), "ក្រសួងប្រៃសណីយ៍និងទូរគមនាគមន៍"),
        ((287, 381, 344, 34), "ការជ្រើសរើសនិស្សិតស្ម័គ្រចិត្តចូលរួមរៀបចំ"),
        (
            (157, 412, 604, 34),
            "វេទិការដ្ឋាភិបាលឌីជីថល ឆ្នាំ២០២៥ និងព្រឹត្តិការណ៍ជាតិ អន្តរជាតិពាក់ព័ន្ធ",
        ),
        (
            (81, 524, 754, 40),
            "ឌីជីថល ឆ្នាំ២០២៥ និងព្រឹត្តិការណ៍ជាតិ-អន្តរជាតិពាក់ព័ន្ធ\" ក្រោមប្រធានបទ \"ការពន្លឿនអនាគតឌីជីថល៖",
        ),
        ((81, 591, 272, 32), "មណ្ឌលសន្និបាតនិងពិព័រណ៍កោះពេជ្រ។"),
        (
            (81, 667, 755, 37),
            "ផ្ត្ចផ្តើមឡើងដោយរួមបញ្ចូលគ្នានូវ ១) វេទិកាចែករំលែកបទពិសោធពាក់ព័ន្ធនឹងដំណើរការនៃការធ្វើរិត្តកម្មឌីជីថល",
        ),
        (
            (80, 764, 757, 33),
            "ក្រុមហ៊ុនបច្ចេកវិទ្យាឌីជីថែលនិងធុរកិចថ្មីខីជីជល និង ៣ ព្រឹត្តិការណ៍ជាតិនិងអន្តរជាតិអម (50 ២មៅ វេទិការដ្ឋាភិបាល",
        ),
        (
            (156, 936, 678, 35),
            "ក.ប.ទ នឹងជ្រើសរើសនិស្សិតស្ម័គ្រចិត្តសរុបចំនួន ៣០០នាក់ ដើម្បីចូលរួមរៀបចំវេទិការដ្ឋាភិបាល",
        ),
        ((79, 1011, 200, 33), "១ ប្រភេទនិងលក្ខខណ្ឌ"),
        (
            (151, 1086, 557, 34),
            "ជានិស្សិតកំពុងសិក្សាជំនាញពាក់ព័ន្ធនឹងបច្ចេកវិទ្យាឌីជីថលចាប់ពីឆ្នាំទី៣ ឡើងទៅ",
        ),
    ];

    /// Each character lies where it is printed, in order along the line,
    /// from its start to its end, and the headline reads right with the
    /// proportions kept too.
    #[test]
    fn glyphs_are_placed_along_the_line() {
        let net = net();
        let line = realdev("khm_seanghay_1.jpg");
        let glyphs = net.read(&line, Fit::Stretch);
        assert!(glyphs.windows(2).all(|g| g[0].x0 <= g[1].x0), "{glyphs:?}");
        let last = glyphs.last().unwrap();
        assert!(last.x1 <= line.width() as f32 + 8.0 && last.x1 > line.width() as f32 * 0.8);
        assert!(glyphs[0].x0 < line.width() as f32 * 0.2);
        assert!(glyphs.iter().all(|g| g.probability > 0.5));
        assert_eq!(text(&glyphs), "លទ្ធផលនៃការធ្វើកំណែទម្រង់លើទូរគមនាគមន៍កម្ពុជា");
    }

    /// An absent or altered model is an error naming the file, never a
    /// wrong reading.
    #[test]
    fn absent_or_altered_model_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = KhmerNet::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("model.pth") && err.contains("not found"),
            "{err}"
        );
        let folder = KhmerNet::folder(dir.path());
        std::fs::create_dir_all(&folder).unwrap();
        let installed = KhmerNet::folder(&default_models_dir());
        for name in [WEIGHTS.0, VOCAB.0] {
            std::fs::copy(installed.join(name), folder.join(name)).unwrap();
        }
        let mut vocab = std::fs::read(folder.join(VOCAB.0)).unwrap();
        let at = vocab.len() / 2;
        vocab[at] ^= 1;
        std::fs::write(folder.join(VOCAB.0), vocab).unwrap();
        let err = KhmerNet::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("vocab.json") && err.contains(VOCAB.1), "{err}");
    }
}
