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
    let damaged = damaged_bags(path)?;
    if bags.is_empty() && damaged.is_empty() {
        return Err(Error::Batch {
            path: path.to_path_buf(),
            reason: "neither a bag nor a folder of bags (no bagit.txt)".into(),
        });
    }
    let mut results: Vec<(PathBuf, Verification)> = bags
        .into_iter()
        .map(|b| Ok((b.clone(), bagit::verify(&b)?)))
        .collect::<Result<_>>()?;
    // A folder that has a bag's payload or manifests but lost its
    // bagit.txt is a damaged bag: reported, never skipped.
    results.extend(damaged.into_iter().map(|d| {
        let v = Verification {
            files_checked: 0,
            problems: vec![bagit::Problem::Missing("bagit.txt".into())],
        };
        (d, v)
    }));
    results.sort_by(|a, b| {
        crate::discover::natural_cmp(&a.0.to_string_lossy(), &b.0.to_string_lossy())
    });
    Ok(results)
}

/// The folders directly inside `dir` that look like bags (a `data/`
/// folder or a `manifest-*.txt`) but have no bagit.txt.
fn damaged_bags(dir: &Path) -> Result<Vec<PathBuf>> {
    let looks_like_bag = |p: &Path| {
        p.join("data").is_dir()
            || std::fs::read_dir(p).is_ok_and(|mut e| {
                e.any(|f| {
                    f.is_ok_and(|f| {
                        let n = f.file_name().to_string_lossy().into_owned();
                        n.starts_with("manifest-") && n.ends_with(".txt")
                    })
                })
            })
    };
    Ok(visible_entries(dir)?
        .into_iter()
        .filter(|p| p.is_dir() && !bagit::is_bag(p) && looks_like_bag(p))
        .collect())
}

/// The bags directly inside `dir` (hidden folders skipped), in natural name
/// order.
pub fn bag_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut bags: Vec<PathBuf> = visible_entries(dir)?
        .into_iter()
        .filter(|p| bagit::is_bag(p))
        .collect();
    bags.sort_by(|a, b| crate::discover::natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    Ok(bags)
}

/// What `dir` holds, hidden entries (a name starting with '.') left out.
fn visible_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Batch {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect())
}
