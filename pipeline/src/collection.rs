//! The published collection: the complete diachi bags of an output folder,
//! as `diachi serve` and `diachi index` see them. A bag counts once its tag
//! manifest is in place (diachi writes it last), and its datestamp is when
//! that happened, so a bag that lands after a harvest is found by the next
//! harvest's `from`, whatever its batch's start time.

use crate::record::Record;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use workers::bagit::manifest;

/// The tag file written last: its presence makes a bag complete, and its
/// modification time is the bag's datestamp.
const LAST_TAG_FILE: &str = "tagmanifest-sha256.txt";

/// One published bag.
#[derive(Debug)]
pub struct Bag {
    pub id: String,
    pub dir: PathBuf,
    pub record: Record,
    /// When the bag was completed, UTC, whole seconds since the epoch.
    pub datestamp: i64,
    /// The payload files its manifest lists: the only files served.
    pub files: BTreeSet<String>,
    /// What identifies this version of the bag: the SHA-256 of its tag
    /// manifest, which covers every tag file and so every payload checksum.
    pub fingerprint: String,
    /// The on-disk state the bag was read at (tag manifest mtime and size).
    stamp: (SystemTime, u64),
}

impl Bag {
    /// The set spec of the bag's collection (batch.csv `collection`), the
    /// key of the OAI-PMH set and of the search filter; `None` without one.
    pub fn collection_slug(&self) -> Option<String> {
        let c = &self.record.metadata.collection;
        (!c.is_empty()).then(|| set_slug(c))
    }

    /// The access PDF's path inside the bag.
    pub fn pdf(&self) -> String {
        format!("data/{}.pdf", self.id)
    }
}

/// A bag folder that could not be published, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub dir: PathBuf,
    pub reason: String,
}

/// The collection at one moment: bags ordered by (datestamp, id).
#[derive(Debug, Default)]
pub struct Snapshot {
    pub bags: Vec<Arc<Bag>>,
    pub by_id: BTreeMap<String, Arc<Bag>>,
    pub unreadable: Vec<Unreadable>,
}

impl Snapshot {
    pub fn get(&self, id: &str) -> Option<&Arc<Bag>> {
        self.by_id.get(id)
    }
}

/// Reads the collection of `out`, reusing the bags of `previous` whose
/// tag manifest has not changed, so a rescan of thousands of bags costs a
/// `stat` each.
pub fn scan(out: &Path, previous: Option<&Snapshot>) -> std::io::Result<Snapshot> {
    let mut snapshot = Snapshot::default();
    for entry in std::fs::read_dir(out)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        // `.diachi` holds the run's state, and a linked folder may point
        // anywhere: neither is a published bag.
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(dir.join(LAST_TAG_FILE)) else {
            continue;
        };
        if !meta.is_file() || !dir.join("bagit.txt").is_file() {
            continue;
        }
        let stamp = (meta.modified()?, meta.len());
        if let Some(old) = previous.and_then(|p| p.by_id.get(&name)) {
            if old.stamp == stamp && old.dir == dir {
                snapshot.bags.push(old.clone());
                continue;
            }
        }
        match read_bag(&dir, &name, stamp) {
            Ok(bag) => snapshot.bags.push(Arc::new(bag)),
            Err(reason) => snapshot.unreadable.push(Unreadable { dir, reason }),
        }
    }
    snapshot
        .bags
        .sort_by(|a, b| (a.datestamp, &a.id).cmp(&(b.datestamp, &b.id)));
    snapshot.by_id = snapshot
        .bags
        .iter()
        .map(|b| (b.id.clone(), b.clone()))
        .collect();
    Ok(snapshot)
}

fn read_bag(dir: &Path, name: &str, stamp: (SystemTime, u64)) -> Result<Bag, String> {
    let read =
        |rel: &str| workers::fixity::read_bag_file(&dir.join(rel)).map_err(|e| e.to_string());
    let record: Record = serde_json::from_slice(&read("data/metadata/record.json")?)
        .map_err(|e| format!("data/metadata/record.json is not a diachi record: {e}"))?;
    if record.id != name {
        return Err(format!(
            "its record.json names document '{}', not the folder's name",
            record.id
        ));
    }
    let manifest = String::from_utf8(read("manifest-sha256.txt")?)
        .map_err(|_| "manifest-sha256.txt is not UTF-8".to_string())?;
    let files = manifest
        .lines()
        .enumerate()
        .filter_map(|(n, l)| manifest::parse_line(n + 1, l))
        .filter_map(|l| manifest::clean_path(&l.path).ok())
        .map(|p| p.path)
        .collect();
    let fingerprint = workers::fixity::sha256_hex(&read(LAST_TAG_FILE)?);
    let datestamp = stamp
        .0
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Ok(Bag {
        id: name.to_string(),
        dir: dir.to_path_buf(),
        record,
        datestamp,
        files,
        fingerprint,
        stamp,
    })
}

/// The collection kept fresh for a server: rescanned when a request comes
/// more than `every` after the last scan, so bags that land while it runs
/// are published within that time.
pub struct Shelf {
    out: PathBuf,
    every: Duration,
    state: Mutex<(Instant, Arc<Snapshot>)>,
}

impl Shelf {
    pub fn open(out: &Path, every: Duration) -> std::io::Result<Shelf> {
        let first = scan(out, None)?;
        Ok(Shelf {
            out: out.to_path_buf(),
            every,
            state: Mutex::new((Instant::now(), Arc::new(first))),
        })
    }

    pub fn out(&self) -> &Path {
        &self.out
    }

    /// The current snapshot, rescanned first if it is older than `every`.
    /// A failed rescan (the folder briefly unreadable) keeps the last one.
    pub fn now(&self) -> Arc<Snapshot> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.0.elapsed() >= self.every {
            if let Ok(fresh) = scan(&self.out, Some(&state.1)) {
                // The same Arc while nothing changed: readers (the search
                // index) tell a change by it.
                if !same(&fresh, &state.1) {
                    state.1 = Arc::new(fresh);
                }
            }
            state.0 = Instant::now();
        }
        state.1.clone()
    }
}

/// Whether two snapshots hold the very same bags.
fn same(a: &Snapshot, b: &Snapshot) -> bool {
    a.bags.len() == b.bags.len()
        && a.unreadable == b.unreadable
        && a.bags.iter().zip(&b.bags).all(|(x, y)| Arc::ptr_eq(x, y))
}

/// An OAI-PMH set spec for a free-text name (OAI-PMH 2.0 §4.6: letters,
/// digits and `-_.!~*'()` only): Vietnamese marks folded away, other runs
/// turned into `-`. A name with no Latin letter (Khmer) gets a short digest.
pub fn set_slug(name: &str) -> String {
    let folded = crate::search::analyze::fold(&name.to_lowercase());
    let mut slug = String::new();
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        format!("x{}", &workers::fixity::sha256_hex(name.as_bytes())[..12])
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_set_specs() {
        assert_eq!(set_slug("Địa chí Cần Thơ"), "dia-chi-can-tho");
        assert_eq!(set_slug("  Công báo (1930) "), "cong-bao-1930");
        let khmer = set_slug("ប្រវត្តិវត្ត");
        assert!(khmer.starts_with('x') && khmer.len() == 13, "{khmer}");
    }
}
