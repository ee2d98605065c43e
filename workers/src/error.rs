use std::path::PathBuf;

/// Everything a worker can fail with. Each variant names the file it concerns
/// where there is one, so that a batch report can say which scan was bad.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot decode image: {reason}")]
    Decode { path: PathBuf, reason: String },
    #[error("{path}: image is {width}x{height} pixels, above the limit of {limit} pixels")]
    TooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
        limit: u64,
    },
    #[error("{path}: changed since ingest: SHA-256 was {expected}, is now {actual}")]
    FixityMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },
    #[error("tesseract: {0}")]
    Ocr(String),
    #[error("tesseract language model '{lang}' not found in {datapath}")]
    MissingModel { lang: String, datapath: PathBuf },
    #[error("{path}: recognition model unusable: {reason}")]
    Model { path: PathBuf, reason: String },
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("XML: {0}")]
    Xml(String),
    #[error("{path}: not a regular file ({what}): refused, never opened")]
    NotRegular { path: PathBuf, what: &'static str },
    #[error("{path}: not a BagIt bag: {reason}")]
    NotABag { path: PathBuf, reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
