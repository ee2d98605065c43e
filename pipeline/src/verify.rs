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
    let bags = bag_dirs(path)?;
    if bags.is_empty() {
        return Err(Error::Batch {
            path: path.to_path_buf(),
            reason: "neither a bag nor a folder of bags (no bagit.txt)".into(),
        });
    }
    bags.into_iter()
        .map(|b| Ok((b.clone(), bagit::verify(&b)?)))
        .collect()
}

/// The bags directly inside `dir` (hidden folders skipped), in natural name
/// order.
pub fn bag_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Batch {
        path: dir.to_path_buf(),
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
    bags.sort_by(|a, b| crate::discover::natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    Ok(bags)
}
