use std::path::PathBuf;

/// What stops a whole run (as opposed to one document, which is reported
/// and the run goes on). Each maps to one exit code of the CLI.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: bad configuration: {reason}")]
    Config { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Batch { path: PathBuf, reason: String },
    #[error("missing dependency: {0}")]
    MissingDependency(String),
    #[error("{path}: output not writable: {reason}")]
    Output { path: PathBuf, reason: String },
    #[error("{path}: another diachi run is using this output folder (lock held on {lock})")]
    Locked { path: PathBuf, lock: PathBuf },
    /// `diachi serve` cannot listen on its address (in use, not local).
    #[error("{addr}: cannot serve: {reason}")]
    Listen { addr: String, reason: String },
    #[error(transparent)]
    Worker(#[from] workers::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
