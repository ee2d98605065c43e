//! A second recognizer for Khmer lines: the khmer-ocr-ocm 0.1.0 network
//! (MIT, CRNN + CTC), run in Rust with candle. Tesseract still finds the
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

/// The loaded network with its alphabet. It is read-only once loaded, so
/// one copy serves every worker thread.
pub struct KhmerNet {
    net: crnn::Crnn,
    /// Class to text; class 0 (blank) is empty.
    alphabet: Vec<String>,
    weights_sha256: String,
}

impl std::fmt::Debug for KhmerNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KhmerNet({ENGINE} {ENGINE_VERSION})")
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
            weights_sha256: WEIGHTS.1.to_string(),
        })
    }

    /// SHA-256 of the weights file, for the records.
    pub fn sha256(&self) -> &str {
        &self.weights_sha256
    }

    /// Reads one line image: the characters in order, each placed on it.
    pub fn read(&self, line: &GrayImage) -> Result<Vec<Glyph>> {
        let fit = resample::resize(line, crnn::WIDTH as u32, crnn::HEIGHT as u32);
        let input = fit
            .as_raw()
            .iter()
            .map(|&p| (p as f32 / 255.0 - 0.5) / 0.5)
            .collect();
        let err = |e: candle_core::Error| Error::Ocr(format!("{ENGINE}: {e}"));
        let logits = self.net.forward(input).map_err(err)?;
        let classes = logits.dim(1).map_err(err)?;
        let values = logits
            .flatten_all()
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(err)?;
        // A time step is 4 input columns (two 2x2 poolings), and the last
        // 2x2 convolution centres step t on columns 4t..4t+8.
        let scale = line.width() as f32 / crnn::WIDTH as f32;
        Ok(ctc::decode(&values, classes)
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
            .collect())
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
