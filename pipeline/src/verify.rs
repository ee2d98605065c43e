//! `diachi verify`: re-hash one bag, or every bag in a folder.

use crate::{Error, Result};
use std::path::{Path, PathBuf};
use workers::bagit::{self, Verification};

/// Verifies `path`: a bag, or a folder whose sub-folders are bags (hidden
/// ones skipped). Each bag's result, in name order.
pub fn verify_path(path: &Path) -> Result<Vec<(PathBuf, Verification)>> {
    if bagit::is_bag(path) {
        return Ok(vec![(path.to_path_buf(), bagit::verify(path)?)]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| Error::Batch {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut bags: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            !hidden && bagit::is_bag(p)
        })
        .collect();
    if bags.is_empty() {
        return Err(Error::Batch {
            path: path.to_path_buf(),
            reason: "neither a bag nor a folder of bags (no bagit.txt)".into(),
        });
    }
    bags.sort_by(|a, b| crate::discover::natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    bags.into_iter()
        .map(|b| Ok((b.clone(), bagit::verify(&b)?)))
        .collect()
}
