//! `diachi verify` against the Library of Congress BagIt conformance suite
//! (`../shared/bagit-conformance-suite`, public domain), run as the suite's
//! own test-harness runs a validator: a valid bag exits 0, an invalid one
//! does not, and a warning bag either fails or passes with a warning on
//! stderr. bagit-python is the second opinion.

mod common;

use common::{diachi, root, tool};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn suite() -> PathBuf {
    root().join("../shared/bagit-conformance-suite")
}

struct Case {
    /// "v0.97/invalid/bom-in-bagit.txt"
    name: String,
    category: String,
    path: PathBuf,
}

/// Every bag of the suite, Windows-only cases left out (this is Linux).
fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for version in std::fs::read_dir(suite()).expect("../shared/bagit-conformance-suite") {
        let version = version.unwrap().path();
        if !version.is_dir() {
            continue;
        }
        for category in std::fs::read_dir(&version).unwrap() {
            let category = category.unwrap().path();
            let cat = category.file_name().unwrap().to_string_lossy().into_owned();
            if !category.is_dir() || cat == "windows-only" {
                continue;
            }
            for bag in std::fs::read_dir(&category).unwrap() {
                let path = bag.unwrap().path();
                if path.is_dir() {
                    let name = path
                        .strip_prefix(suite())
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    out.push(Case {
                        name,
                        category: cat.clone(),
                        path,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// diachi's verdict on one bag: exit code, the JSON object, stderr.
fn verify(bag: &Path) -> (Option<i32>, Value, String) {
    let o = diachi(&["verify", "--json", bag.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let json = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{}: not one JSON object ({e}): {stdout}", bag.display()));
    (
        o.status.code(),
        json,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn every_verdict_agrees_with_the_suite() {
    let cases = cases();
    assert!(cases.len() >= 50, "only {} bags in the suite", cases.len());
    let mut wrong = Vec::new();
    for case in &cases {
        let (code, json, stderr) = verify(&case.path);
        let problems = json["problems"].as_array().unwrap().len();
        let agrees = match case.category.as_str() {
            "valid" => code == Some(0) && problems == 0 && json["valid"] == true,
            "invalid" | "linux-only" => code == Some(1) && problems > 0 && json["valid"] == false,
            "warning" => code == Some(1) || (code == Some(0) && stderr.contains("warning")),
            other => panic!("unknown category {other}"),
        };
        if !agrees {
            wrong.push(format!("{}: exit {code:?}\n{json}", case.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// bagit-python reaches the same verdict on every bag but two, where the
/// specification sides with diachi.
#[test]
fn bagit_python_agrees_where_it_is_right() {
    // RFC 8493 §2.1.1: "BagIt-Version: M.N", one space after the colon;
    // bagit-python accepts "BagIt-Version : 1.0".
    // RFC 8493 §6.2.3: tolerate names that differ only in normalisation;
    // bagit-python looks for the NFD name on disk and fails.
    let spec_sides_with_diachi = [
        "v0.97/warning/same-filename-listed-twice-with-different-normalization",
        "v1.0/invalid/bagit-with-invalid-whitespace",
    ];
    let mut disagree = Vec::new();
    for case in cases() {
        let py = tool(
            "python3",
            &[
                "-m",
                "bagit",
                "--validate",
                "--quiet",
                case.path.to_str().unwrap(),
            ],
            "pip install bagit (the test command installs it)",
        );
        let (code, _, _) = verify(&case.path);
        if py.status.success() != (code == Some(0)) {
            disagree.push(case.name);
        }
    }
    assert_eq!(disagree, spec_sides_with_diachi);
}

/// Each failing bag is failed for its own reason, by path and kind.
#[test]
fn findings_name_the_cause() {
    let expect = [
        ("v0.97/invalid/bom-in-bagit.txt", "malformed", "bagit.txt"),
        (
            "v0.97/invalid/baginfo-missing-encoding",
            "malformed",
            "bagit.txt",
        ),
        (
            "v0.97/invalid/invalid-version-number",
            "malformed",
            "bagit.txt",
        ),
        ("v0.97/invalid/missing-bagit.txt", "missing", "bagit.txt"),
        ("v0.97/invalid/missing-baginfo", "missing", "bag-info.txt"),
        (
            "v0.97/invalid/corrupt-data-file",
            "changed",
            "data/bare-filename",
        ),
        ("v0.97/invalid/corrupt-tag-file", "changed", "bag-info.txt"),
        ("v0.97/invalid/extra-file-in-bag", "unexpected", "data/bar"),
        (
            "v0.97/invalid/out-of-scope-file-paths-using-dot-notation",
            "outside-bag",
            "../../../README.md",
        ),
        (
            "v0.97/invalid/out-of-scope-file-paths-using-dot-notation-for-fetch",
            "outside-bag",
            "../../../README.md",
        ),
        (
            "v0.97/linux-only/out-of-scope-file-paths-using-absolute-path",
            "outside-bag",
            "/tmp/foo",
        ),
        (
            "v0.97/linux-only/out-of-scope-file-paths-using-shortcut-username-for-fetch",
            "outside-bag",
            "~root/foo",
        ),
        (
            "v0.97/invalid/same-filename-listed-twice-with-different-hashes",
            "listed-twice",
            "data/README",
        ),
        (
            "v1.0/invalid/same-filename-listed-twice-with-the-same-hash",
            "listed-twice",
            "data/README",
        ),
        (
            "v1.0/invalid/notAllManifestsListAllFiles",
            "unexpected",
            "data/missingFromManifest.txt",
        ),
        (
            "v1.0/invalid/bagit-with-invalid-whitespace",
            "malformed",
            "bagit.txt",
        ),
        (
            "v0.97/warning/duplicate-file-with-different-case",
            "missing",
            "data/HELLO.txt",
        ),
    ];
    for (name, kind, path) in expect {
        let (_, json, _) = verify(&suite().join(name));
        let found = json["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == kind && p["path"] == path);
        assert!(found, "{name}: no {kind} problem for {path}:\n{json}");
    }
    // Tag files in other encodings and manifests in other algorithms are
    // read and checked, not refused.
    for (name, algorithm, files) in [
        ("v0.97/valid/UTF-16-encoded-tag-files", "md5", 5),
        ("v0.97/valid/ISO-8859-1-encoded-tag-files", "md5", 5),
        ("v0.97/valid/uncommon-metadata-separators", "sha224", 4),
        ("v0.93/valid/basic-bag", "md5", 8),
    ] {
        let (code, json, _) = verify(&suite().join(name));
        assert_eq!(code, Some(0), "{name}: {json}");
        assert_eq!(json["algorithms"], serde_json::json!([algorithm]), "{name}");
        assert_eq!(json["files_checked"], files, "{name}: {json}");
    }
    // Warnings are said, by kind.
    let (_, json, _) =
        verify(&suite().join("v0.97/warning/same-filename-listed-twice-with-the-same-hash"));
    assert_eq!(json["warnings"][0]["kind"], "listed-twice", "{json}");
}

/// A folder of folders of bags: every bag at any depth, none inside
/// another's payload (bag-in-a-bag is one bag).
#[test]
fn a_collection_is_walked() {
    let o = diachi(&["verify", "--json", suite().join("v0.97").to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let bags: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let expected = cases()
        .iter()
        .filter(|c| c.name.starts_with("v0.97/"))
        .count()
        + 6;
    assert_eq!(bags.len(), expected, "windows-only included here: {stdout}");
    assert_eq!(o.status.code(), Some(1));
    let valid = bags.iter().filter(|b| b["valid"] == true).count();
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains(&format!("{valid} of {} bags intact", bags.len())));
}
