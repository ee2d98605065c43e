//! `diachi verify`: one bag, or every bag of a collection, checked as
//! RFC 8493 says; the files of all the bags hashed several at a time.

use crate::{Error, Result};
use std::path::{Path, PathBuf};
use workers::bagit::{self, Finding, Kind, Mode, Opened, Outcome, Verification};

/// How to verify.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Full (default), `--fast` or `--completeness-only`.
    pub mode: Mode,
    /// Files hashed at once. Default 0: one per core.
    pub jobs: usize,
    /// Draw a progress bar, by bytes, on stderr. Default off.
    pub progress: bool,
}

/// Verifies `path`: a bag, or a folder holding bags at any depth, as an
/// archive stores them. Each bag's result, in natural path order. A folder
/// that looks like a bag but has no `bagit.txt` is reported as one that
/// lost it, never skipped.
pub fn verify_path(path: &Path, opts: &Options) -> Result<Vec<(PathBuf, Verification)>> {
    let found = find_bags(path)?;
    if found.is_empty() {
        return Err(Error::Batch {
            path: path.to_path_buf(),
            reason: "neither a bag nor a folder of bags (no bagit.txt)".into(),
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()
        .map_err(|e| Error::Batch {
            path: path.to_path_buf(),
            reason: format!("cannot start {} threads: {e}", opts.jobs),
        })?;
    pool.install(|| verify_all(found, opts))
}

/// A folder found: a bag, or one that has lost its `bagit.txt`.
enum Found {
    Bag(PathBuf),
    Damaged(PathBuf),
}

fn verify_all(found: Vec<Found>, opts: &Options) -> Result<Vec<(PathBuf, Verification)>> {
    // Tag files and payload walks first, every bag at once; then every
    // file of every bag is hashed in one pool, so that a collection of
    // many small bags keeps every core busy.
    let opened: Vec<std::result::Result<Opened, PathBuf>> =
        crate::parallel::each(found, |f| match f {
            Found::Bag(dir) => bagit::open(&dir, opts.mode).map_err(|_| dir),
            Found::Damaged(dir) => Err(dir),
        });
    let checks: Vec<(usize, usize)> = opened
        .iter()
        .enumerate()
        .filter_map(|(b, o)| o.as_ref().ok().map(|o| (b, o.checks().len())))
        .flat_map(|(b, n)| (0..n).map(move |c| (b, c)))
        .collect();
    let check = |(b, c): (usize, usize)| &opened[b].as_ref().expect("opened").checks()[c];
    let total: u64 = checks.iter().map(|&bc| check(bc).size).sum();
    let bar = crate::progress::bar(
        total,
        opts.progress,
        "{bar:40} {bytes}/{total_bytes}  {bytes_per_sec}  ETA {eta}",
    );
    let outcomes: Vec<Outcome> = crate::parallel::each(&checks, |&bc| {
        let c = check(bc);
        let outcome = c.run();
        bar.inc(c.size);
        outcome
    });
    bar.finish_and_clear();
    let mut outcomes = outcomes.into_iter();
    let mut results: Vec<(PathBuf, Verification)> = opened
        .into_iter()
        .map(|o| match o {
            Ok(bag) => {
                let n = bag.checks().len();
                let root = bag.root.clone();
                (root, bag.finish(outcomes.by_ref().take(n).collect()))
            }
            Err(dir) => (dir, lost_bagit_txt()),
        })
        .collect();
    results.sort_by(|a, b| {
        crate::discover::natural_cmp(&a.0.to_string_lossy(), &b.0.to_string_lossy())
    });
    Ok(results)
}

fn lost_bagit_txt() -> Verification {
    Verification {
        problems: vec![Finding {
            path: "bagit.txt".into(),
            kind: Kind::Missing { hint: None },
        }],
        ..Verification::default()
    }
}

/// Bags under `path` (or `path` itself), not looking inside a bag (a bag
/// in a bag's payload is payload), hidden folders and links skipped.
fn find_bags(path: &Path) -> Result<Vec<Found>> {
    if bagit::is_bag(path) {
        return Ok(vec![Found::Bag(path.to_path_buf())]);
    }
    if looks_like_bag(path) {
        return Ok(vec![Found::Damaged(path.to_path_buf())]);
    }
    if !path.is_dir() {
        return Err(Error::Batch {
            path: path.to_path_buf(),
            reason: if path.exists() {
                "a file, where a bag or a folder of bags is a folder".into()
            } else {
                "no such folder".into()
            },
        });
    }
    let mut found = Vec::new();
    let mut walk = walkdir::WalkDir::new(path).min_depth(1).into_iter();
    while let Some(entry) = walk.next() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_dir() {
            continue;
        }
        let dir = entry.path();
        if is_hidden(dir) {
            walk.skip_current_dir();
        } else if bagit::is_bag(dir) {
            found.push(Found::Bag(dir.to_path_buf()));
            walk.skip_current_dir();
        } else if looks_like_bag(dir) {
            found.push(Found::Damaged(dir.to_path_buf()));
            walk.skip_current_dir();
        }
    }
    Ok(found)
}

/// The bags directly inside `dir` (hidden ones skipped), in natural name
/// order: the output folder of a run, for the catalog.
pub fn bag_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Batch {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut bags: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| !is_hidden(p) && bagit::is_bag(p))
        .collect();
    bags.sort_by(|a, b| crate::discover::natural_cmp(&a.to_string_lossy(), &b.to_string_lossy()));
    Ok(bags)
}

fn is_hidden(dir: &Path) -> bool {
    dir.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// A folder with a bag's payload folder and a manifest, or a tag manifest:
/// a bag that has lost its `bagit.txt`.
fn looks_like_bag(dir: &Path) -> bool {
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let has = |prefix: &str| {
        names
            .iter()
            .any(|n| n.starts_with(prefix) && n.ends_with(".txt"))
    };
    (dir.join("data").is_dir() && has("manifest-")) || has("tagmanifest-")
}

/// One bag's verdict as a JSON object, for `--json`: every problem and
/// warning by path, kind (a stable code) and message.
pub fn to_json(bag: &Path, v: &Verification) -> serde_json::Value {
    let findings = |list: &[Finding]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|f| {
                serde_json::json!({
                    "path": f.path,
                    "kind": f.kind.code(),
                    "message": f.to_string(),
                })
            })
            .collect()
    };
    serde_json::json!({
        "bag": bag.to_string_lossy(),
        "valid": v.is_intact(),
        "mode": match v.mode {
            Mode::Full => "full",
            Mode::Fast => "fast",
            Mode::CompletenessOnly => "completeness-only",
        },
        "bagit_version": v.version.map(|v| v.to_string()),
        "algorithms": v.algorithms.iter().map(|a| a.name()).collect::<Vec<_>>(),
        "files_checked": v.files_checked,
        "bytes_checked": v.bytes_checked,
        "problems": findings(&v.problems),
        "warnings": findings(&v.warnings),
    })
}
