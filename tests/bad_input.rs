//! Bad input is named, the rest of the batch lands, and the exit code says
//! that something failed (README: exit codes).

mod common;

use common::*;
use std::fs;

#[test]
fn bad_pages_fail_their_document_only() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    let good = batch.join("good");
    fs::create_dir_all(&good).unwrap();
    fs::copy(
        samples().join("batch/can-tho-1925/1.tif"),
        good.join("1.tif"),
    )
    .unwrap();
    let cases: [(&str, &[u8], &str); 3] = [
        ("empty", b"", "file is empty"),
        (
            "notimage",
            b"this is a text file, not a scan",
            "cannot decode image",
        ),
        (
            "truncated",
            &fs::read(samples().join("batch/wat-khleang/scan_1.png")).unwrap()[..5000],
            "cannot decode image",
        ),
    ];
    for (doc, bytes, _) in &cases {
        fs::create_dir_all(batch.join(doc)).unwrap();
        fs::write(batch.join(doc).join("1.png"), bytes).unwrap();
    }
    let out = tmp.path().join("out");
    let o = diachi(&[
        "run",
        batch.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for (doc, _, why) in &cases {
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("FAILED {doc}: page 1: ")))
            .unwrap_or_else(|| panic!("no failure line for {doc}:\n{err}"));
        assert!(
            line.contains(&format!("{doc}/1.png")) && line.contains(why),
            "{line}"
        );
        assert!(!out.join(doc).exists(), "no bag for a failed document");
    }
    assert!(out.join("good/bagit.txt").is_file(), "{err}");
    assert!(
        err.contains("1 packaged, 0 already done, 3 failed"),
        "{err}"
    );
}

#[test]
fn a_second_run_keeps_finished_bags() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(batch.join("a")).unwrap();
    fs::copy(
        samples().join("batch/can-tho-1925/1.tif"),
        batch.join("a/1.tif"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let args = [
        "run",
        batch.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    assert!(diachi(&args).status.success());
    let before = fs::read(out.join("a/data/a.pdf")).unwrap();
    let o = diachi(&args);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 packaged, 1 already done"));
    assert_eq!(fs::read(out.join("a/data/a.pdf")).unwrap(), before);
}

#[test]
fn a_missing_language_model_is_its_own_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(batch.join("a")).unwrap();
    fs::copy(
        samples().join("batch/can-tho-1925/1.tif"),
        batch.join("a/1.tif"),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = diachi(&[
        "run",
        batch.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--lang",
        "xyz",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("'xyz' not found") && err.contains("tesseract-ocr-xyz"),
        "{err}"
    );
}

#[test]
fn a_bad_config_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("c.toml");
    fs::write(&cfg, "[ocr]\npsm = 99\n").unwrap();
    let o = diachi(&[
        "run",
        "nowhere",
        "--out",
        "x",
        "--config",
        cfg.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("c.toml") && err.contains("psm"), "{err}");
}
