//! The payload on disk, and completeness (RFC 8493 §3): which files are
//! there, which are listed, and which of them to hash.

use super::verdict::{Kind, Verification};
use super::verify::{FileCheck, Manifest};
use crate::fixity::not_regular;
use std::collections::BTreeMap;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// A payload file on disk.
#[derive(Debug, Clone)]
pub(super) struct OnDisk {
    pub(super) path: String,
    pub(super) size: u64,
}

/// Walks `data/` without following links: every regular file by its NFC
/// name; links and special files are problems.
pub(super) fn walk_payload(dir: &Path, v: &mut Verification) -> BTreeMap<String, OnDisk> {
    let mut disk = BTreeMap::new();
    let data = dir.join("data");
    if !data.is_dir() || std::fs::symlink_metadata(&data).is_ok_and(|m| m.file_type().is_symlink())
    {
        return disk;
    }
    for entry in walkdir::WalkDir::new(&data).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map_or("data".to_string(), |p| relative(dir, p));
                v.problem(path, Kind::Malformed(format!("cannot be read: {e}")));
                continue;
            }
        };
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = relative(dir, entry.path());
        if let Some(what) = not_regular(entry.file_type()) {
            v.problem(rel, Kind::Unsafe(what));
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        let key: String = rel.nfc().collect();
        if disk.contains_key(&key) {
            v.warning(
                rel.clone(),
                Kind::Quirk(
                    "another payload file has the same name in another Unicode normalisation"
                        .into(),
                ),
            );
        }
        disk.insert(key, OnDisk { path: rel, size });
    }
    disk
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// Payload completeness (RFC 8493 §3): each payload file in every payload
/// manifest, each listed file present (or waiting in fetch.txt). Names are
/// compared in NFC, so a bag whose names changed normalisation on the way
/// (RFC 8493 §6.2.3) is still complete. Each present file joins `wanted`.
pub(super) fn complete_payload(
    manifests: &[Manifest],
    disk: &BTreeMap<String, OnDisk>,
    fetch: &BTreeMap<String, String>,
    dir: &Path,
    wanted: &mut BTreeMap<String, FileCheck>,
    v: &mut Verification,
) {
    if manifests.is_empty() {
        return;
    }
    for (key, file) in disk {
        let absent: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| !m.entries.contains_key(key))
            .collect();
        if absent.len() == manifests.len() {
            v.problem(file.path.clone(), Kind::Unexpected);
        } else {
            for m in absent {
                v.problem(
                    file.path.clone(),
                    Kind::NotInManifest {
                        manifest: m.name.clone(),
                    },
                );
            }
        }
    }
    let lower: BTreeMap<String, &OnDisk> =
        disk.iter().map(|(k, f)| (k.to_lowercase(), f)).collect();
    for m in manifests {
        for (key, (path, digest)) in &m.entries {
            match disk.get(key) {
                Some(file) => {
                    let check = wanted.entry(key.clone()).or_insert_with(|| FileCheck {
                        path: file.path.clone(),
                        disk: dir.join(&file.path),
                        size: file.size,
                        expected: Vec::new(),
                    });
                    check.expected.push((m.algorithm, digest.clone()));
                }
                None => match fetch.get(key) {
                    Some(url) => v.problem(path.clone(), Kind::Unfetched { url: url.clone() }),
                    None => v.problem(
                        path.clone(),
                        Kind::Missing {
                            hint: lower.get(&key.to_lowercase()).map(|f| f.path.clone()),
                        },
                    ),
                },
            }
        }
    }
}

/// Tag manifest entries: each listed tag file present, reached through
/// real folders only, and joined to `wanted`.
pub(super) fn complete_tags(
    dir: &Path,
    manifests: &[Manifest],
    wanted: &mut BTreeMap<String, FileCheck>,
    v: &mut Verification,
) {
    for m in manifests {
        for (path, digest) in m.entries.values() {
            let disk = dir.join(path);
            if let Some((at, what)) = link_on_the_way(dir, path) {
                v.problem(at, Kind::Unsafe(what));
                continue;
            }
            let meta = match std::fs::symlink_metadata(&disk) {
                Ok(meta) => meta,
                Err(_) => {
                    v.problem(path.clone(), Kind::Missing { hint: None });
                    continue;
                }
            };
            if let Some(what) = not_regular(meta.file_type()) {
                v.problem(path.clone(), Kind::Unsafe(what));
                continue;
            }
            let check = wanted
                .entry(format!("\0tag/{path}"))
                .or_insert_with(|| FileCheck {
                    path: path.clone(),
                    disk,
                    size: meta.len(),
                    expected: Vec::new(),
                });
            check.expected.push((m.algorithm, digest.clone()));
        }
    }
}

/// The first folder on the way to `path` inside `dir` that is not a real
/// folder (a link could lead out of the bag), with what it is.
fn link_on_the_way(dir: &Path, path: &str) -> Option<(String, &'static str)> {
    let parts: Vec<&str> = path.split('/').collect();
    let mut at = dir.to_path_buf();
    for (i, part) in parts[..parts.len() - 1].iter().enumerate() {
        at.push(part);
        let meta = std::fs::symlink_metadata(&at).ok()?;
        if !meta.is_dir() {
            return Some((
                parts[..=i].join("/"),
                not_regular(meta.file_type()).unwrap_or("a file"),
            ));
        }
    }
    None
}
