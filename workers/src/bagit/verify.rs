//! Verifying a bag as RFC 8493 §3 defines it, whoever made it: complete
//! (every file there, none extra) and valid (every checksum right).
//!
//! Split in two so that the caller can hash many files at once: [`open`]
//! reads the tag files and walks the payload, and lists the files to hash
//! ([`FileCheck`]); the caller runs those checks in any order, on any
//! thread; [`Opened::finish`] turns the outcomes into the verdict.
//! [`verify`] does all three in turn.

use super::algorithm::{digest_file, Algorithm};
use super::manifest::{clean_path, parse_fetch, parse_line};
use super::payload::{complete_payload, complete_tags, walk_payload, OnDisk};
use super::tagfile::{self, Declaration, Encoding, Version};
pub use super::verdict::{Finding, Kind, Mode, Verification};
use crate::fixity::not_regular;
use crate::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

/// Whether `dir` looks like a bag (has `bagit.txt`).
pub fn is_bag(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join("bagit.txt")).is_ok()
}

/// One file to hash: where it is and what every manifest says of it.
#[derive(Debug, Clone)]
pub struct FileCheck {
    /// As the bag names it.
    pub path: String,
    /// On disk (the payload walk's own name for it, which may differ from
    /// the manifest's in Unicode normalisation).
    pub disk: PathBuf,
    pub size: u64,
    /// (algorithm, expected lower-case hex) from every manifest listing it.
    pub expected: Vec<(Algorithm, String)>,
}

/// What hashing one file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Matches,
    Differs(Vec<Algorithm>),
    /// It became a link or a special file, or vanished, or could not be
    /// read, since the bag was opened.
    Failed(Kind),
}

impl FileCheck {
    /// Hashes the file once for all its algorithms.
    pub fn run(&self) -> Outcome {
        let algorithms: Vec<Algorithm> = self.expected.iter().map(|(a, _)| *a).collect();
        match digest_file(&self.disk, &algorithms) {
            Ok(digests) => {
                let differ: Vec<Algorithm> = self
                    .expected
                    .iter()
                    .zip(digests)
                    .filter(|((_, want), got)| *want != *got)
                    .map(|((a, _), _)| *a)
                    .collect();
                if differ.is_empty() {
                    Outcome::Matches
                } else {
                    Outcome::Differs(differ)
                }
            }
            Err(Error::NotRegular { what, .. }) => Outcome::Failed(Kind::Unsafe(what)),
            Err(_) if std::fs::symlink_metadata(&self.disk).is_err() => {
                Outcome::Failed(Kind::Missing { hint: None })
            }
            Err(e) => Outcome::Failed(Kind::Malformed(format!("cannot be read: {e}"))),
        }
    }
}

/// A bag whose tag files are read and payload walked, with its files to hash.
#[derive(Debug)]
pub struct Opened {
    pub root: PathBuf,
    report: Verification,
    checks: Vec<FileCheck>,
}

impl Opened {
    /// The files to hash (none in the fast and completeness modes).
    pub fn checks(&self) -> &[FileCheck] {
        &self.checks
    }

    /// The verdict, given each check's outcome in the order of [`checks`].
    ///
    /// [`checks`]: Opened::checks
    pub fn finish(self, outcomes: Vec<Outcome>) -> Verification {
        let mut v = self.report;
        for (check, outcome) in self.checks.iter().zip(outcomes) {
            match outcome {
                Outcome::Matches => {
                    v.files_checked += 1;
                    v.bytes_checked += check.size;
                }
                Outcome::Differs(algorithms) => {
                    for algorithm in algorithms {
                        v.problem(check.path.clone(), Kind::Changed { algorithm });
                    }
                }
                Outcome::Failed(kind) => v.problem(check.path.clone(), kind),
            }
        }
        v.problems.sort();
        v.problems.dedup();
        v.warnings.sort();
        v.warnings.dedup();
        v
    }
}

/// Verifies the bag at `dir` in `mode`, hashing one file after another.
/// An error means `dir` is no bag at all (no `bagit.txt`).
pub fn verify(dir: &Path, mode: Mode) -> Result<Verification> {
    let bag = open(dir, mode)?;
    let outcomes = bag.checks().iter().map(FileCheck::run).collect();
    Ok(bag.finish(outcomes))
}

/// Which manifest, by file name and algorithm.
#[derive(Debug, Clone)]
pub(super) struct Manifest {
    pub(super) name: String,
    pub(super) algorithm: Algorithm,
    /// NFC path -> (path as written, cleaned; checksum).
    pub(super) entries: BTreeMap<String, (String, String)>,
}

/// Reads the tag files of the bag at `dir`, walks its payload and lists the
/// files to hash. Every problem found on the way is kept for the verdict.
pub fn open(dir: &Path, mode: Mode) -> Result<Opened> {
    if !is_bag(dir) {
        return Err(Error::NotABag {
            path: dir.to_path_buf(),
            reason: "no bagit.txt".into(),
        });
    }
    let mut v = Verification {
        mode,
        ..Verification::default()
    };
    let declaration = declaration(dir, &mut v);
    // A bag whose declaration cannot be read is still checked, as a 1.0
    // bag in UTF-8, so that the archivist sees all that is wrong at once.
    let version = v.version.unwrap_or(Version::V1_0);
    let encoding = declaration.map_or(Encoding::Utf8, |d| d.encoding);
    let read = TagReader {
        dir,
        encoding,
        version,
    };
    match std::fs::symlink_metadata(dir.join("data")) {
        Ok(m) if m.is_dir() => {}
        Ok(m) => v.problem(
            "data",
            Kind::Unsafe(not_regular(m.file_type()).unwrap_or("a file")),
        ),
        Err(_) => v.problem("data", Kind::Missing { hint: None }),
    }
    let found = manifests(&read, &mut v);
    let disk = walk_payload(dir, &mut v);
    check_info(&read, &disk, mode, &mut v);
    let fetch = check_fetch(&read, &found.payload, &mut v);
    v.algorithms = found
        .payload
        .iter()
        .chain(&found.tag)
        .map(|m| m.algorithm)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut checks = Vec::new();
    if mode != Mode::Fast {
        check_tag_manifests_list_payload_manifests(&found, version, &mut v);
        let mut wanted: BTreeMap<String, FileCheck> = BTreeMap::new();
        complete_payload(&found.payload, &disk, &fetch, dir, &mut wanted, &mut v);
        complete_tags(dir, &found.tag, &mut wanted, &mut v);
        if mode == Mode::Full {
            checks = wanted.into_values().collect();
        }
    }
    Ok(Opened {
        root: dir.to_path_buf(),
        report: v,
        checks,
    })
}

/// Reads tag files in the bag's declared encoding.
struct TagReader<'a> {
    dir: &'a Path,
    encoding: Encoding,
    version: Version,
}

impl TagReader<'_> {
    /// The text of tag file `name`, or `None` (with the problem noted) when
    /// it is a link, unreadable or not in the declared encoding.
    fn read(&self, name: &str, v: &mut Verification) -> Option<String> {
        let bytes = read_tag_bytes(self.dir, name, v)?;
        let Some((text, bom)) = self.encoding.decode(&bytes) else {
            v.problem(
                name,
                Kind::Malformed("not in the encoding bagit.txt declares".into()),
            );
            return None;
        };
        if bom && self.encoding == Encoding::Utf8 {
            // RFC 8493 §4: UTF-8 tag files must not begin with a BOM.
            v.strict(
                self.version,
                name,
                Kind::Malformed(
                    "begins with a byte-order mark, which a UTF-8 tag file must not".into(),
                ),
            );
        }
        Some(text)
    }

    fn exists(&self, name: &str) -> bool {
        std::fs::symlink_metadata(self.dir.join(name)).is_ok()
    }
}

/// The bytes of tag file `name`, or `None` with the problem noted: a link
/// or a special file (never opened), or a file that cannot be read.
fn read_tag_bytes(dir: &Path, name: &str, v: &mut Verification) -> Option<Vec<u8>> {
    match crate::fixity::read_bag_file(&dir.join(name)) {
        Ok(bytes) => Some(bytes),
        Err(Error::NotRegular { what, .. }) => {
            v.problem(name, Kind::Unsafe(what));
            None
        }
        Err(e) => {
            v.problem(name, Kind::Malformed(format!("cannot be read: {e}")));
            None
        }
    }
}

fn declaration(dir: &Path, v: &mut Verification) -> Option<Declaration> {
    let bytes = read_tag_bytes(dir, "bagit.txt", v)?;
    match tagfile::read_declaration(&bytes) {
        Ok(d) => {
            v.version = Some(d.version);
            Some(d)
        }
        Err(why) => {
            v.problem("bagit.txt", Kind::Malformed(why));
            None
        }
    }
}

/// Finds and reads every `manifest-*.txt` and `tagmanifest-*.txt`.
/// A bag's manifests as found in its base folder.
struct Manifests {
    /// Payload manifests in algorithms diachi knows, read.
    payload: Vec<Manifest>,
    /// Tag manifests in algorithms diachi knows, read.
    tag: Vec<Manifest>,
    /// The file name of every payload manifest, its algorithm known or not.
    payload_names: Vec<String>,
}

fn manifests(read: &TagReader, v: &mut Verification) -> Manifests {
    let mut names: Vec<String> = std::fs::read_dir(read.dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut payload = Vec::new();
    let mut tag = Vec::new();
    let mut unknown_payload = Vec::new();
    let mut payload_names = Vec::new();
    // A payload manifest in a known algorithm, read or not (when not, its
    // own problem is reported).
    let mut seen_payload = false;
    for name in names {
        let (is_tag, algo) = if let Some(a) = name.strip_prefix("tagmanifest-") {
            (true, a)
        } else if let Some(a) = name.strip_prefix("manifest-") {
            (false, a)
        } else {
            continue;
        };
        let Some(algo) = algo.strip_suffix(".txt") else {
            continue;
        };
        if !is_tag {
            payload_names.push(name.clone());
        }
        let Some(algorithm) = Algorithm::from_name(algo) else {
            v.warning(
                name.clone(),
                Kind::Unchecked(format!(
                    "'{algo}' is no algorithm diachi knows: not checked"
                )),
            );
            if !is_tag {
                unknown_payload.push(name);
            }
            continue;
        };
        seen_payload |= !is_tag;
        if let Some(m) = read_manifest(read, &name, algorithm, is_tag, v) {
            if is_tag {
                tag.push(m);
            } else {
                payload.push(m);
            }
        }
    }
    if payload.is_empty() && !seen_payload {
        // RFC 8493 §2.1.3: at least one payload manifest. One in an
        // unknown algorithm is reported as such, not as tampering.
        match unknown_payload.first() {
            Some(name) => v.problem(
                name.clone(),
                Kind::Unchecked(
                    "the only payload manifests are in algorithms diachi does not know".into(),
                ),
            ),
            None => v.problem("manifest-<algorithm>.txt", Kind::Missing { hint: None }),
        }
    }
    Manifests {
        payload,
        tag,
        payload_names,
    }
}

fn read_manifest(
    read: &TagReader,
    name: &str,
    algorithm: Algorithm,
    is_tag: bool,
    v: &mut Verification,
) -> Option<Manifest> {
    let text = read.read(name, v)?;
    let mut m = Manifest {
        name: name.to_string(),
        algorithm,
        entries: BTreeMap::new(),
    };
    for (i, raw) in tagfile::lines(&text).into_iter().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let Some(line) = parse_line(n, raw) else {
            v.problem(
                name,
                Kind::Malformed(format!("line {n} is not 'checksum path'")),
            );
            continue;
        };
        if line.digest.len() != algorithm.hex_len() {
            v.problem(
                name,
                Kind::Malformed(format!(
                    "line {n}: a checksum of {} digits, not {algorithm}'s {}",
                    line.digest.len(),
                    algorithm.hex_len()
                )),
            );
            continue;
        }
        let clean = match clean_path(&line.path) {
            Ok(c) => c,
            Err(why) => {
                v.problem(
                    line.path.clone(),
                    Kind::OutsideBag {
                        listed_in: format!("{name} line {n}"),
                        why: why.to_string(),
                    },
                );
                continue;
            }
        };
        if line.binary_marker {
            v.warning(
                clean.path.clone(),
                Kind::Quirk(format!(
                    "{name} line {n} has md5sum's binary-mode '*': fails strict validation"
                )),
            );
        }
        if clean.had_dots {
            v.warning(
                clean.path.clone(),
                Kind::Quirk(format!("{name} line {n} writes it with './' or '//'")),
            );
        }
        let in_payload = clean.path.starts_with("data/");
        if !is_tag && !in_payload {
            // RFC 8493 §2.1.3: payload manifests list payload files only.
            v.problem(
                clean.path.clone(),
                Kind::OutsideBag {
                    listed_in: format!("{name} line {n}"),
                    why: "a payload manifest may list only files in data/".into(),
                },
            );
            continue;
        }
        if is_tag && in_payload {
            // RFC 8493 §2.2.1: a tag manifest must not list payload files.
            v.problem(
                clean.path.clone(),
                Kind::Malformed(format!(
                    "{name} line {n}: a tag manifest may not list payload files"
                )),
            );
            continue;
        }
        let key: String = clean.path.nfc().collect();
        if let Some((_, earlier)) = m.entries.get(&key) {
            let conflicting = *earlier != line.digest;
            let kind = Kind::ListedTwice {
                manifest: name.to_string(),
                conflicting,
            };
            // RFC 8493 §2.1.3: "every payload file name exactly once";
            // earlier drafts said nothing, and the conformance suite warns.
            if conflicting {
                v.problem(clean.path.clone(), kind);
            } else {
                v.strict(read.version, clean.path.clone(), kind);
            }
            continue;
        }
        m.entries.insert(key, (clean.path, line.digest));
    }
    Some(m)
}

/// Reserved elements that "SHOULD NOT be repeated" (RFC 8493 §2.2.2).
const NOT_REPEATED: [&str; 4] = [
    "Bagging-Date",
    "Bag-Size",
    "Bag-Group-Identifier",
    "Bag-Count",
];

/// bag-info.txt (package-info.txt before 0.96): its lines, and the
/// Payload-Oxum against the payload.
fn check_info(read: &TagReader, disk: &BTreeMap<String, OnDisk>, mode: Mode, v: &mut Verification) {
    let name = read.version.info_file();
    let text = if read.exists(name) {
        read.read(name, v)
    } else {
        None
    };
    let (elements, bad) = match &text {
        Some(t) => tagfile::metadata(t, read.version),
        None => (Vec::new(), Vec::new()),
    };
    for b in bad {
        v.problem(name, Kind::Malformed(format!("line {}: {}", b.line, b.why)));
    }
    let values = |label: &str| -> Vec<&str> {
        elements
            .iter()
            .filter(|e| e.label.eq_ignore_ascii_case(label))
            .map(|e| e.value.as_str())
            .collect()
    };
    for label in NOT_REPEATED {
        if values(label).len() > 1 {
            v.warning(
                name,
                Kind::Quirk(format!("{label} is repeated, which it should not be")),
            );
        }
    }
    let oxums = values("Payload-Oxum");
    if oxums.len() > 1 {
        // "MUST NOT be repeated" from 1.0; bagit-python warns and uses the first.
        v.strict(
            read.version,
            name,
            Kind::Malformed("Payload-Oxum is repeated".into()),
        );
    }
    let Some(oxum) = oxums.first() else {
        if mode == Mode::Fast {
            v.problem(
                name,
                Kind::Unchecked("no Payload-Oxum, which a fast check needs".into()),
            );
        }
        return;
    };
    let well_formed = oxum.split_once('.').is_some_and(|(b, f)| {
        [b, f]
            .iter()
            .all(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
    });
    if !well_formed {
        v.problem(
            name,
            Kind::Malformed(format!(
                "Payload-Oxum '{oxum}' is not OctetCount.StreamCount"
            )),
        );
        return;
    }
    let bytes: u64 = disk.values().map(|f| f.size).sum();
    let found = format!("{bytes}.{}", disk.len());
    if *oxum != found {
        v.problem(
            name,
            Kind::PayloadOxum {
                declared: oxum.to_string(),
                found,
            },
        );
    }
}

/// fetch.txt (RFC 8493 §2.2.3): well-formed lines, paths inside `data/`,
/// each listed in every payload manifest. NFC path -> URL.
fn check_fetch(
    read: &TagReader,
    payload: &[Manifest],
    v: &mut Verification,
) -> BTreeMap<String, String> {
    let mut fetch = BTreeMap::new();
    if !read.exists("fetch.txt") {
        return fetch;
    }
    let Some(text) = read.read("fetch.txt", v) else {
        return fetch;
    };
    for (i, raw) in tagfile::lines(&text).into_iter().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let item = match parse_fetch(raw) {
            Ok(item) => item,
            Err(why) => {
                v.problem("fetch.txt", Kind::Malformed(format!("line {n}: {why}")));
                continue;
            }
        };
        let listed_in = format!("fetch.txt line {n}");
        let clean = match clean_path(&item.path) {
            Ok(c) if c.path.starts_with("data/") => c,
            Ok(_) => {
                v.problem(
                    item.path,
                    Kind::OutsideBag {
                        listed_in,
                        why: "fetch.txt may list only files in data/".into(),
                    },
                );
                continue;
            }
            Err(why) => {
                v.problem(
                    item.path,
                    Kind::OutsideBag {
                        listed_in,
                        why: why.to_string(),
                    },
                );
                continue;
            }
        };
        let key: String = clean.path.nfc().collect();
        for m in payload {
            if !m.entries.contains_key(&key) {
                v.problem(
                    clean.path.clone(),
                    Kind::NotInManifest {
                        manifest: m.name.clone(),
                    },
                );
            }
        }
        fetch.insert(key, item.url);
    }
    fetch
}

/// RFC 8493 §2.2.1: from 1.0, every tag manifest lists every payload manifest.
fn check_tag_manifests_list_payload_manifests(
    manifests: &Manifests,
    version: Version,
    v: &mut Verification,
) {
    if version < Version::V1_0 {
        return;
    }
    for t in &manifests.tag {
        for p in &manifests.payload_names {
            if !t.entries.contains_key(p.as_str()) {
                v.problem(
                    p.clone(),
                    Kind::NotInManifest {
                        manifest: t.name.clone(),
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bagit::BagBuilder;
    use crate::fixity::sha256_hex;
    use std::fs;

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

    fn shown(v: &Verification) -> Vec<String> {
        v.problems.iter().map(|p| p.to_string()).collect()
    }

    /// A hand-made bag of any version and algorithm: `files` are payload
    /// (path under data/, bytes); the manifest lines are made from them
    /// unless `manifest` is given.
    fn hand_bag(
        dir: &Path,
        bagit: &str,
        algorithm: Algorithm,
        files: &[(&str, &[u8])],
        manifest: Option<&str>,
    ) -> PathBuf {
        let root = dir.join("hand");
        fs::create_dir_all(root.join("data")).unwrap();
        fs::write(root.join("bagit.txt"), bagit).unwrap();
        let mut lines = String::new();
        for (path, bytes) in files {
            let p = root.join("data").join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(&p, bytes).unwrap();
            let d = digest_file(&p, &[algorithm]).unwrap().remove(0);
            lines.push_str(&format!("{d}  data/{path}\n"));
        }
        let name = format!("manifest-{algorithm}.txt");
        fs::write(root.join(name), manifest.unwrap_or(&lines)).unwrap();
        root
    }

    const V97: &str = "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n";
    const V10: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

    #[test]
    fn built_bag_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let root = bag(dir.path());
        let v = verify(&root, Mode::Full).unwrap();
        assert!(v.is_intact(), "{:?}", v.problems);
        assert!(v.warnings.is_empty(), "{:?}", v.warnings);
        assert_eq!(v.files_checked, 3 + 3);
        assert_eq!(v.algorithms, [Algorithm::Sha256]);
        assert_eq!(v.version, Some(Version(1, 0)));
        let info = fs::read_to_string(root.join("bag-info.txt")).unwrap();
        assert_eq!(
            info,
            "Source-Organization: Thư viện Cần Thơ\nPayload-Oxum: 24.3\n"
        );
        let manifest = fs::read_to_string(root.join("manifest-sha256.txt")).unwrap();
        assert!(manifest.contains("  data/odd%25name.txt\n"));
    }

    #[test]
    fn tampering_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = bag(dir.path());
        fs::write(root.join("data/masters/0001.tif"), b"master bytez").unwrap();
        fs::remove_file(root.join("data/text/0001.txt")).unwrap();
        fs::write(root.join("data/extra.txt"), b"!").unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        let shown = shown(&v);
        for want in [
            "changed: data/masters/0001.tif: its sha256 checksum differs",
            "missing: data/text/0001.txt",
            "unexpected: data/extra.txt",
        ] {
            assert!(shown.contains(&want.to_string()), "{shown:?}");
        }
        // Payload-Oxum sees a file gone and one come (10 bytes fewer);
        // completeness sees which; neither reads a byte.
        let fast = verify(&root, Mode::Fast).unwrap();
        assert_eq!(fast.problems.len(), 1, "{:?}", fast.problems);
        assert_eq!(fast.problems[0].kind.code(), "payload-oxum");
        let complete = verify(&root, Mode::CompletenessOnly).unwrap();
        assert_eq!(complete.problems.len(), 3, "{:?}", complete.problems);
        assert_eq!(
            complete
                .problems
                .iter()
                .filter(|p| p.kind.code() == "changed")
                .count(),
            0
        );
        assert_eq!(complete.files_checked, 0);
    }

    #[test]
    fn not_a_bag() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            verify(dir.path(), Mode::Full),
            Err(Error::NotABag { .. })
        ));
    }

    /// Bags made by other tools, in other algorithms: each manifest is
    /// checked, and a file missing from one of two manifests is named.
    #[test]
    fn every_algorithm_and_every_manifest() {
        let dir = tempfile::tempdir().unwrap();
        for algorithm in Algorithm::ALL {
            let root = hand_bag(
                dir.path(),
                V10,
                algorithm,
                &[("a.txt", b"a"), ("b/c.txt", b"c")],
                None,
            );
            let v = verify(&root, Mode::Full).unwrap();
            assert!(v.is_intact(), "{algorithm}: {:?}", v.problems);
            assert_eq!(v.files_checked, 2);
            fs::write(root.join("data/a.txt"), b"A").unwrap();
            let v = verify(&root, Mode::Full).unwrap();
            assert_eq!(
                shown(&v),
                [format!(
                    "changed: data/a.txt: its {algorithm} checksum differs"
                )]
            );
            fs::remove_dir_all(&root).unwrap();
        }
        let root = hand_bag(
            dir.path(),
            V10,
            Algorithm::Md5,
            &[("a.txt", b"a"), ("b.txt", b"b")],
            None,
        );
        let line = |p: &str, b: &[u8]| format!("{}  data/{p}\n", sha256_hex(b));
        fs::write(root.join("manifest-sha256.txt"), line("a.txt", b"a")).unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        assert_eq!(
            shown(&v),
            ["not-in-manifest: data/b.txt: not listed in manifest-sha256.txt"]
        );
        assert_eq!(v.algorithms, [Algorithm::Md5, Algorithm::Sha256]);
        // An algorithm diachi does not know is said to be unknown, never
        // reported as tampering.
        fs::remove_file(root.join("manifest-sha256.txt")).unwrap();
        fs::rename(
            root.join("manifest-md5.txt"),
            root.join("manifest-crc32.txt"),
        )
        .unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
        assert_eq!(v.problems[0].kind.code(), "unchecked");
    }

    #[test]
    fn declaration_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let root = hand_bag(
            dir.path(),
            "BagIt-Version: banana\nTag-File-Character-Encoding: UTF-8\n",
            Algorithm::Sha256,
            &[("a", b"a")],
            None,
        );
        let v = verify(&root, Mode::Full).unwrap();
        assert_eq!(v.problems.len(), 1);
        assert!(
            shown(&v)[0].starts_with("malformed: bagit.txt: BagIt-Version 'banana'"),
            "{:?}",
            shown(&v)
        );
        // The payload was still checked.
        assert_eq!(v.files_checked, 1);
    }

    #[test]
    fn listed_twice_warns_before_1_0_and_fails_from_it() {
        let dir = tempfile::tempdir().unwrap();
        let d = sha256_hex(b"a");
        let twice = format!("{d}  data/a\n{d}  data/a\n");
        let root = hand_bag(
            dir.path(),
            V97,
            Algorithm::Sha256,
            &[("a", b"a")],
            Some(&twice),
        );
        let v = verify(&root, Mode::Full).unwrap();
        assert!(v.is_intact(), "{:?}", v.problems);
        assert_eq!(v.warnings[0].kind.code(), "listed-twice");
        assert_eq!(
            v.files_checked, 1,
            "a duplicate line does not inflate the count"
        );
        fs::write(root.join("bagit.txt"), V10).unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        assert_eq!(v.problems[0].kind.code(), "listed-twice");
        let conflicting = format!("{d}  data/a\n{}  data/a\n", sha256_hex(b"b"));
        fs::write(root.join("bagit.txt"), V97).unwrap();
        fs::write(root.join("manifest-sha256.txt"), conflicting).unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        assert!(
            shown(&v)[0].contains("with different checksums"),
            "{:?}",
            shown(&v)
        );
    }

    /// RFC 8493 §6.2.3: a name stored in NFD on disk (as macOS writes it)
    /// and NFC in the manifest is the same file.
    #[test]
    fn normalisation_is_tolerated() {
        let dir = tempfile::tempdir().unwrap();
        let nfc = "Cần Thơ.txt";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        let line = format!("{}  data/{nfc}\n", sha256_hex(b"x"));
        let root = hand_bag(
            dir.path(),
            V10,
            Algorithm::Sha256,
            &[(&nfd, b"x")],
            Some(&line),
        );
        let v = verify(&root, Mode::Full).unwrap();
        assert!(v.is_intact(), "{:?}", v.problems);
        assert_eq!(v.files_checked, 1);
    }

    #[test]
    fn links_and_pipes_are_never_opened() {
        let dir = tempfile::tempdir().unwrap();
        let root = hand_bag(dir.path(), V10, Algorithm::Sha256, &[("a", b"a")], None);
        let passwd = sha256_hex(&fs::read("/etc/passwd").unwrap());
        // A listed link to a file outside, an unlisted one, a FIFO (which
        // would block a reader forever), and a linked folder.
        std::os::unix::fs::symlink("/etc/passwd", root.join("data/passwd")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", root.join("data/unlisted")).unwrap();
        let fifo = root.join("data/pipe");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        std::os::unix::fs::symlink("/etc", root.join("data/etc")).unwrap();
        let manifest = format!(
            "{}  data/a\n{passwd}  data/passwd\n{}  data/pipe\n{passwd}  data/etc/passwd\n",
            sha256_hex(b"a"),
            sha256_hex(b"")
        );
        fs::write(root.join("manifest-sha256.txt"), manifest).unwrap();
        fs::write(
            root.join("tagmanifest-sha256.txt"),
            format!("{passwd}  etc/passwd\n"),
        )
        .unwrap();
        std::os::unix::fs::symlink("/etc", root.join("etc")).unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        let shown = shown(&v);
        for want in [
            "unsafe: data/passwd: a symbolic link, never opened",
            "unsafe: data/unlisted: a symbolic link, never opened",
            "unsafe: data/pipe: a named pipe, never opened",
            "unsafe: data/etc: a symbolic link, never opened",
            "unsafe: etc: a symbolic link, never opened",
        ] {
            assert!(shown.contains(&want.to_string()), "{want}\n{shown:?}");
        }
        assert_eq!(v.files_checked, 1, "only data/a was hashed: {shown:?}");
    }

    #[test]
    fn fetch_txt_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let d = sha256_hex(b"later");
        let manifest = format!("{}  data/a\n{d}  data/later\n", sha256_hex(b"a"));
        let root = hand_bag(
            dir.path(),
            V10,
            Algorithm::Sha256,
            &[("a", b"a")],
            Some(&manifest),
        );
        fs::write(
            root.join("fetch.txt"),
            "https://example.org/later 5 data/later\n",
        )
        .unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        assert_eq!(shown(&v), ["unfetched: data/later: listed in fetch.txt, not fetched yet from https://example.org/later"]);
        fs::write(root.join("data/later"), b"later").unwrap();
        assert!(verify(&root, Mode::Full).unwrap().is_intact());
        for bad in [
            "https://example.org/x - ../../etc/passwd",
            "https://example.org/x - /tmp/x",
            "https://example.org/x - ~/x",
            "https://example.org/x - bagit.txt",
            "example.org/x - data/later",
        ] {
            fs::write(root.join("fetch.txt"), format!("{bad}\n")).unwrap();
            let v = verify(&root, Mode::Full).unwrap();
            assert!(!v.is_intact(), "{bad}");
        }
    }

    #[test]
    fn utf16_tag_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = hand_bag(
            dir.path(),
            "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-16\n",
            Algorithm::Md5,
            &[("Cần", b"x")],
            None,
        );
        let text = fs::read_to_string(root.join("manifest-md5.txt")).unwrap();
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        fs::write(root.join("manifest-md5.txt"), utf16).unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        assert!(v.is_intact(), "{:?}", v.problems);
        assert_eq!(v.files_checked, 1);
        // The same bytes declared UTF-8 are not readable.
        fs::write(root.join("bagit.txt"), V97).unwrap();
        let v = verify(&root, Mode::Full).unwrap();
        assert!(
            shown(&v).iter().any(|p| p.contains("not in the encoding")),
            "{:?}",
            shown(&v)
        );
    }
}
