//! BagIt 1.0 (RFC 8493): building a bag in a staging folder, and verifying
//! one as an archivist would, years later.

use crate::fixity::{copy_verified, digest_bag_file, sha256_hex};
use crate::{Error, Result};
use sha2::Sha512;
use std::collections::{BTreeMap, BTreeSet};
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

/// RFC 8493 2.1.3: in a manifest, CR, LF and % in a file path are
/// percent-encoded.
fn encode_path(path: &str) -> String {
    path.replace('%', "%25")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

fn decode_path(path: &str) -> String {
    path.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
}

/// What is wrong with one file of a bag.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Problem {
    /// Listed in a manifest, absent from the bag.
    Missing(String),
    /// Present, but its digest differs from the manifest's.
    Changed(String),
    /// In the payload (`data/`) but in no manifest.
    Unexpected(String),
    /// A tag file that cannot be read as RFC 8493 says (with why).
    Malformed(String, String),
    /// A link or a special file (named pipe, socket, device) in the
    /// payload: never followed nor opened.
    Unsafe(String, &'static str),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Missing(p) => write!(f, "missing: {p}"),
            Problem::Changed(p) => write!(f, "changed: {p}"),
            Problem::Unexpected(p) => write!(f, "unexpected: {p}"),
            Problem::Malformed(p, why) => write!(f, "malformed: {p}: {why}"),
            Problem::Unsafe(p, what) => write!(f, "unsafe: {p}: {what}, never opened"),
        }
    }
}

/// The outcome of verifying one bag.
#[derive(Debug, Default)]
pub struct Verification {
    pub files_checked: usize,
    pub problems: Vec<Problem>,
}

impl Verification {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Whether `dir` looks like a bag (has `bagit.txt`).
pub fn is_bag(dir: &Path) -> bool {
    dir.join("bagit.txt").is_file()
}

/// Verifies a bag: every payload manifest (sha256, sha512) and tag manifest
/// entry is re-hashed; payload files in no manifest, and a Payload-Oxum that
/// disagrees, are reported. An error means `dir` is no bag at all.
pub fn verify(dir: &Path) -> Result<Verification> {
    if !is_bag(dir) {
        return Err(Error::NotABag {
            path: dir.to_path_buf(),
            reason: "no bagit.txt".into(),
        });
    }
    let mut v = Verification::default();
    let mut listed = BTreeSet::new();
    let mut manifests = 0;
    for algo in ["sha256", "sha512"] {
        for kind in ["manifest", "tagmanifest"] {
            let name = format!("{kind}-{algo}.txt");
            let path = dir.join(&name);
            if !path.is_file() {
                continue;
            }
            if kind == "manifest" {
                manifests += 1;
            }
            check_manifest(dir, &name, algo, &mut v, &mut listed);
        }
    }
    if manifests == 0 {
        v.problems
            .push(Problem::Missing("manifest-sha256.txt".into()));
    }
    let mut payload_bytes = 0u64;
    let mut payload_files = 0u64;
    for entry in walkdir::WalkDir::new(dir.join("data")).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if entry.file_type().is_dir() {
            continue;
        }
        // Named as the manifest check names it, so that a listed pipe is
        // one problem, not two.
        if let Some(what) = crate::fixity::not_regular(entry.file_type()) {
            v.problems
                .push(Problem::Unsafe(relative(dir, entry.path()), what));
            continue;
        }
        payload_files += 1;
        payload_bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        let rel = relative(dir, entry.path());
        if !listed.contains(&rel) {
            v.problems.push(Problem::Unexpected(rel));
        }
    }
    check_oxum(dir, payload_bytes, payload_files, &mut v);
    v.problems.sort();
    v.problems.dedup();
    Ok(v)
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn check_manifest(
    dir: &Path,
    name: &str,
    algo: &str,
    v: &mut Verification,
    listed: &mut BTreeSet<String>,
) {
    let text = match fs::read_to_string(dir.join(name)) {
        Ok(t) => t,
        Err(e) => {
            v.problems
                .push(Problem::Malformed(name.into(), e.to_string()));
            return;
        }
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((digest, path)) = line.split_once(char::is_whitespace) else {
            v.problems
                .push(Problem::Malformed(name.into(), format!("line {}", n + 1)));
            continue;
        };
        let rel = decode_path(path.trim_start());
        let rel = rel.strip_prefix("./").map(str::to_string).unwrap_or(rel);
        let escapes = Path::new(&rel)
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)));
        if escapes || rel.is_empty() {
            v.problems.push(Problem::Malformed(
                name.into(),
                format!("line {}: path outside the bag", n + 1),
            ));
            continue;
        }
        listed.insert(rel.clone());
        let file = dir.join(&rel);
        match hash_file(&file, algo) {
            Ok(actual) if actual.eq_ignore_ascii_case(digest) => v.files_checked += 1,
            Ok(_) => v.problems.push(Problem::Changed(rel)),
            Err(Error::NotRegular { what, .. }) => v.problems.push(Problem::Unsafe(rel, what)),
            Err(_) if fs::symlink_metadata(&file).is_err() => {
                v.problems.push(Problem::Missing(rel))
            }
            Err(e) => v.problems.push(Problem::Malformed(rel, e.to_string())),
        }
    }
}

fn hash_file(path: &Path, algo: &str) -> Result<String> {
    if algo == "sha256" {
        digest_bag_file::<sha2::Sha256>(path)
    } else {
        digest_bag_file::<Sha512>(path)
    }
}

fn check_oxum(dir: &Path, bytes: u64, files: u64, v: &mut Verification) {
    let Ok(info) = fs::read_to_string(dir.join("bag-info.txt")) else {
        return; // bag-info.txt is optional in RFC 8493
    };
    let Some(oxum) = info
        .lines()
        .find_map(|l| l.strip_prefix("Payload-Oxum:"))
        .map(str::trim)
    else {
        return;
    };
    if oxum != format!("{bytes}.{files}") {
        v.problems.push(Problem::Malformed(
            "bag-info.txt".into(),
            format!("Payload-Oxum {oxum}, but the payload is {bytes}.{files}"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bag(dir: &Path) -> PathBuf {
        let root = dir.join("bag");
        let master = dir.join("scan.tif");
        fs::write(&master, b"master bytes").unwrap();
        let mut b = BagBuilder::new(&root).unwrap();
        b.add_master("masters/0001.tif", &master, &sha256_hex(b"master bytes"))
            .unwrap();
        b.add_bytes("text/0001.txt", "Cần Thơ\n".as_bytes())
            .unwrap();
        b.add_bytes("odd%name.txt", b"x").unwrap();
        b.finish(&[("Source-Organization", "Thư viện\nCần Thơ".into())])
            .unwrap()
    }

    #[test]
    fn built_bag_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let root = bag(dir.path());
        let v = verify(&root).unwrap();
        assert!(v.is_intact(), "{:?}", v.problems);
        assert_eq!(v.files_checked, 3 + 3);
        let info = fs::read_to_string(root.join("bag-info.txt")).unwrap();
        assert_eq!(
            info,
            "Source-Organization: Thư viện Cần Thơ\nPayload-Oxum: 24.3\n"
        );
        let manifest = fs::read_to_string(root.join("manifest-sha256.txt")).unwrap();
        assert!(manifest.contains("  data/odd%25name.txt\n"));
    }

    /// A name with two dots inside (not a parent folder) and a manifest
    /// line with a leading "./" are payload like any other; a real "../"
    /// is not.
    #[test]
    fn dots_in_names_are_not_parent_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("bag");
        let mut b = BagBuilder::new(&root).unwrap();
        b.add_bytes("v1..2.txt", b"two dots").unwrap();
        b.add_bytes("plain.txt", b"plain").unwrap();
        let root = b.finish(&[]).unwrap();
        let manifest = root.join("manifest-sha256.txt");
        let text = fs::read_to_string(&manifest).unwrap();
        fs::write(
            &manifest,
            text.replace("  data/plain.txt", "  ./data/plain.txt"),
        )
        .unwrap();
        // The tag manifest lists the manifest: leave it out of this check.
        fs::remove_file(root.join("tagmanifest-sha256.txt")).unwrap();
        let v = verify(&root).unwrap();
        assert!(v.is_intact(), "{:?}", v.problems);
        let escaping = text.replace("  data/plain.txt", "  data/../../etc/passwd");
        fs::write(&manifest, escaping).unwrap();
        let v = verify(&root).unwrap();
        let shown: Vec<String> = v.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            shown.iter().any(|p| p.contains("path outside the bag")),
            "{shown:?}"
        );
    }

    #[test]
    fn tampering_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = bag(dir.path());
        fs::write(root.join("data/masters/0001.tif"), b"master bytez").unwrap();
        fs::remove_file(root.join("data/text/0001.txt")).unwrap();
        fs::write(root.join("data/extra.txt"), b"!").unwrap();
        let v = verify(&root).unwrap();
        let shown: Vec<String> = v.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            shown.contains(&"changed: data/masters/0001.tif".to_string()),
            "{shown:?}"
        );
        assert!(
            shown.contains(&"missing: data/text/0001.txt".to_string()),
            "{shown:?}"
        );
        assert!(
            shown.contains(&"unexpected: data/extra.txt".to_string()),
            "{shown:?}"
        );
    }

    #[test]
    fn not_a_bag() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(verify(dir.path()), Err(Error::NotABag { .. })));
    }
}
