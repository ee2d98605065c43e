//! Building a BagIt 1.0 bag (RFC 8493) in a staging folder.

use super::manifest::encode_path;
use crate::fixity::{copy_verified, sha256_hex};
use crate::{Error, Result};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Builds a bag file by file. Every payload file's SHA-256 is taken as it is
/// written (or, for masters, checked against the ingest digest while copied),
/// so no payload file is read back to make the manifest.
pub struct BagBuilder {
    root: PathBuf,
    /// Path relative to the bag root (`data/...`) -> (sha256, bytes).
    payload: BTreeMap<String, (String, u64)>,
}

impl BagBuilder {
    /// Starts a bag at `root`, which must not exist yet (or be empty).
    pub fn new(root: &Path) -> Result<BagBuilder> {
        fs::create_dir_all(root.join("data")).map_err(Error::io(root))?;
        Ok(BagBuilder {
            root: root.to_path_buf(),
            payload: BTreeMap::new(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// SHA-256 and size of a payload file already added, by its path
    /// inside `data/`.
    pub fn entry(&self, rel: &str) -> Option<(&str, u64)> {
        self.payload
            .get(&format!("data/{rel}"))
            .map(|(d, n)| (d.as_str(), *n))
    }

    /// Writes `bytes` at `data/<rel>`.
    pub fn add_bytes(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.prepare(rel)?;
        write_synced(&path, bytes)?;
        self.payload.insert(
            format!("data/{rel}"),
            (sha256_hex(bytes), bytes.len() as u64),
        );
        Ok(())
    }

    /// Copies an original to `data/<rel>`, failing if its bytes no longer
    /// have the SHA-256 `expected` taken at ingest.
    pub fn add_master(&mut self, rel: &str, from: &Path, expected: &str) -> Result<()> {
        let path = self.prepare(rel)?;
        let size = copy_verified(from, &path, expected)?;
        self.payload
            .insert(format!("data/{rel}"), (expected.to_string(), size));
        Ok(())
    }

    fn prepare(&self, rel: &str) -> Result<PathBuf> {
        let path = self.root.join("data").join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        Ok(path)
    }

    /// Writes `bagit.txt`, `bag-info.txt` (with the given fields, then
    /// Payload-Oxum), `manifest-sha256.txt` and `tagmanifest-sha256.txt`.
    pub fn finish(self, info: &[(&str, String)]) -> Result<PathBuf> {
        let mut tags: Vec<(&str, Vec<u8>)> = Vec::new();
        tags.push((
            "bagit.txt",
            b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_vec(),
        ));
        let bytes: u64 = self.payload.values().map(|(_, n)| n).sum();
        let mut bag_info = String::new();
        for (key, value) in info {
            // A value may not span lines unless folded; keep each on one.
            let value: String = value
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            bag_info.push_str(&format!("{key}: {}\n", value.trim()));
        }
        bag_info.push_str(&format!("Payload-Oxum: {bytes}.{}\n", self.payload.len()));
        tags.push(("bag-info.txt", bag_info.into_bytes()));
        let manifest: String = self
            .payload
            .iter()
            .map(|(path, (digest, _))| format!("{digest}  {}\n", encode_path(path)))
            .collect();
        tags.push(("manifest-sha256.txt", manifest.into_bytes()));
        let mut tagmanifest = String::new();
        for (name, content) in &tags {
            write_synced(&self.root.join(name), content)?;
            tagmanifest.push_str(&format!("{}  {name}\n", sha256_hex(content)));
        }
        write_synced(
            &self.root.join("tagmanifest-sha256.txt"),
            tagmanifest.as_bytes(),
        )?;
        sync_tree(&self.root)?;
        Ok(self.root)
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(Error::io(path))?;
    f.write_all(bytes).map_err(Error::io(path))?;
    f.sync_all().map_err(Error::io(path))
}

/// fsyncs every directory of the tree, so that the entries survive a power
/// cut once the bag is renamed into place.
fn sync_tree(root: &Path) -> Result<()> {
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.map_err(|e| Error::Io {
            path: root.to_path_buf(),
            source: e.into(),
        })?;
        if entry.file_type().is_dir() {
            File::open(entry.path())
                .and_then(|d| d.sync_all())
                .map_err(Error::io(entry.path()))?;
        }
    }
    Ok(())
}
