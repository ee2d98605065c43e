//! Shared by the end-to-end tests: the sample batch, run once per test
//! binary, and small helpers over its output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const DOCS: [&str; 6] = [
    "can-tho-1925",
    "wat-khleang",
    "song-ngu",
    "cong-bao-1930",
    "giay-to-xoay",
    "ho-so-may-quet",
];

/// The ground truth of one page of a sample document, as record.json
/// gives the page: `<stem>.txt`, or `<stem>-<n>.txt` for page n of a file
/// of several (a scanner PDF, a multi-page TIFF).
pub fn groundtruth(doc: &str, page: &serde_json::Value) -> String {
    let source = page["source"].as_str().unwrap();
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let within = ["pdf_page", "tiff_page"]
        .iter()
        .find_map(|k| page[k]["number"].as_u64());
    let name = match within {
        Some(n) => format!("{stem}-{n}.txt"),
        None => format!("{stem}.txt"),
    };
    read(&samples().join("groundtruth").join(doc).join(name))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn samples() -> PathBuf {
    root().join("samples")
}

/// A fixed batch timestamp, so that runs are comparable byte for byte.
pub const EPOCH: &str = "1700000000";

pub fn diachi(args: &[&str]) -> Output {
    diachi_with(args, &[("SOURCE_DATE_EPOCH", EPOCH)])
}

/// diachi with extra environment variables (and without SOURCE_DATE_EPOCH
/// unless given).
pub fn diachi_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_diachi"));
    cmd.args(args).env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the diachi binary runs")
}

/// Every file of every bag in `out`, by path relative to `out`.
pub fn bag_files(out: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    for entry in walkdir::WalkDir::new(out).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(out).unwrap().to_path_buf();
        // Bags only: not diachi's own folder, not the batch report (which
        // records how long the run took).
        if rel.starts_with(".diachi")
            || rel.components().count() < 2
            || !entry.file_type().is_file()
        {
            continue;
        }
        files.insert(rel, std::fs::read(entry.path()).unwrap());
    }
    files
}

/// Asserts that two output folders hold the same bags, byte for byte.
pub fn assert_same_bags(a: &Path, b: &Path) {
    let (fa, fb) = (bag_files(a), bag_files(b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (rel, bytes) in &fa {
        assert!(bytes == &fb[rel], "{} differs", rel.display());
    }
}

/// The sample batch processed once into a folder kept for the whole test
/// binary; later tests only read it (tamper tests copy a bag first).
pub fn sample_out() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("diachi-e2e-")
            .tempdir()
            .unwrap()
            .keep();
        let out = dir.join("out");
        let batch = samples().join("batch");
        let o = diachi(&[
            "run",
            batch.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            o.status.success(),
            "diachi run failed: {}\n{}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        );
        out
    })
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn record(doc: &str) -> serde_json::Value {
    serde_json::from_str(&read(
        &sample_out().join(doc).join("data/metadata/record.json"),
    ))
    .unwrap()
}

/// Checks `files` against the official schemas in ../shared/schemas
/// (`kind`: mets, alto, oai_dc, premis...), with xmllint.
pub fn validate(kind: &str, files: &[PathBuf]) {
    assert!(!files.is_empty());
    let script = root().join("../shared/schemas/validate");
    let mut args = vec![kind.to_string()];
    args.extend(files.iter().map(|f| f.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = tool(
        script.to_str().unwrap(),
        &args,
        "needs ../shared and xmllint (libxml2-utils)",
    );
    assert!(
        o.status.success(),
        "{kind}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Runs `batch` into `out`, which must succeed, and returns document
/// `doc`'s bag and its record.json.
pub fn run_doc(
    batch: &Path,
    out: &Path,
    doc: &str,
    extra: &[&str],
) -> (PathBuf, serde_json::Value) {
    let (code, err) = run(batch, out, extra);
    assert_eq!(code, Some(0), "{err}");
    let bag = out.join(doc);
    let rec = serde_json::from_str(&read(&bag.join("data/metadata/record.json"))).unwrap();
    (bag, rec)
}

/// Runs an external tool the tests depend on, failing with how to get it.
pub fn tool(program: &str, args: &[&str], install: &str) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): {install}"))
}

/// White space folded to single spaces, trimmed.
pub fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Character error rate: edit distance over the reference's length, on
/// Unicode scalar values with white space folded.
pub fn cer(hyp: &str, reference: &str) -> f64 {
    let h: Vec<char> = fold(hyp).chars().collect();
    let r: Vec<char> = fold(reference).chars().collect();
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rc) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hc) in h.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(rc != hc))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len().max(1) as f64
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `diachi run BATCH --out OUT EXTRA...` with the fixed timestamp: the exit
/// code and what it printed on stderr.
pub fn run(batch: &Path, out: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec![
        "run",
        batch.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = diachi(&args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A batch under `root` with one document per name, each holding a copy of
/// the first Vietnamese sample page as `1.tif`.
pub fn batch_of(root: &Path, docs: &[&str]) -> PathBuf {
    let batch = root.join("batch");
    for doc in docs {
        std::fs::create_dir_all(batch.join(doc)).unwrap();
        std::fs::copy(
            samples().join("batch/can-tho-1925/1.tif"),
            batch.join(doc).join("1.tif"),
        )
        .unwrap();
    }
    batch
}
