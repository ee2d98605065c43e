//! Bad input is named, the rest of the batch lands, and the exit code says
//! that something failed (README: exit codes).

mod common;

use common::*;
use std::fs;

/// CRC-32 (ISO-HDLC), for a hand-made PNG chunk.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A valid PNG header claiming 100000 x 100000 gray pixels, with no pixels.
fn huge_png() -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    png
}

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
    let sample =
        |p: &str, n: usize| fs::read(samples().join("batch").join(p)).unwrap()[..n].to_vec();
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("empty", "1.png", vec![], "file is empty"),
        (
            "notimage",
            "1.jpg",
            b"this is a text file, not a scan".to_vec(),
            "cannot decode image",
        ),
        (
            "truncated-png",
            "1.png",
            sample("wat-khleang/scan_1.png", 5000),
            "cannot decode image",
        ),
        (
            "truncated-tif",
            "1.tif",
            sample("can-tho-1925/1.tif", 3000),
            "cannot decode image",
        ),
        (
            "truncated-jpg",
            "1.jpg",
            sample("can-tho-1925/10.jpg", 4000),
            "cannot decode image",
        ),
        (
            "huge",
            "1.png",
            huge_png(),
            "100000x100000 pixels, above the limit",
        ),
    ];
    for (doc, name, bytes, _) in &cases {
        fs::create_dir_all(batch.join(doc)).unwrap();
        fs::write(batch.join(doc).join(name), bytes).unwrap();
    }
    // Unreadable: a page that vanishes (a dangling link) after discovery.
    fs::create_dir_all(batch.join("unreadable")).unwrap();
    std::os::unix::fs::symlink("/nonexistent/scan.tif", batch.join("unreadable/1.tif")).unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &[]);
    assert_eq!(code, Some(1), "{err}");
    let mut expect: Vec<(String, &str)> = cases
        .iter()
        .map(|(doc, name, _, why)| (format!("{doc}/{name}"), *why))
        .collect();
    expect.push(("unreadable/1.tif".into(), "No such file or directory"));
    for (file, why) in &expect {
        let doc = file.split('/').next().unwrap();
        let line = err
            .lines()
            .find(|l| l.starts_with(&format!("FAILED {doc}: page 1: ")))
            .unwrap_or_else(|| panic!("no failure line for {doc}:\n{err}"));
        assert!(line.contains(file.as_str()) && line.contains(why), "{line}");
        assert!(!out.join(doc).exists(), "no bag for a failed document");
    }
    assert!(out.join("good/bagit.txt").is_file(), "{err}");
    assert!(
        err.contains("1 packaged, 0 already done, 7 failed"),
        "{err}"
    );
}

/// A named pipe among a document's pages (opening one blocks until
/// something writes to it) fails its document at once, with a message
/// naming it, and the batch goes on. The run is given two minutes: a hang
/// fails the test rather than the CI.
#[test]
fn a_named_pipe_among_the_pages_fails_its_document_and_nothing_hangs() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    for doc in ["good", "piped"] {
        fs::create_dir_all(batch.join(doc)).unwrap();
        fs::copy(
            samples().join("batch/can-tho-1925/1.tif"),
            batch.join(doc).join("1.tif"),
        )
        .unwrap();
    }
    let fifo = batch.join("piped/2.tif");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let out = tmp.path().join("out");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_diachi"))
        .args([
            "run",
            batch.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("diachi hung on a named pipe");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("FAILED piped: page 2: "))
        .unwrap_or_else(|| panic!("no failure line:\n{err}"));
    assert!(
        line.contains("piped/2.tif") && line.contains("named pipe"),
        "{line}"
    );
    assert!(out.join("good/bagit.txt").is_file(), "{err}");
    assert!(!out.join("piped").exists());
}

#[test]
fn skip_page_packages_the_rest_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = tmp.path().join("batch/doc");
    fs::create_dir_all(&doc).unwrap();
    fs::copy(
        samples().join("batch/can-tho-1925/1.tif"),
        doc.join("1.tif"),
    )
    .unwrap();
    fs::write(doc.join("2.png"), b"").unwrap();
    let cfg = tmp.path().join("c.toml");
    fs::write(&cfg, "[run]\non_bad_page = \"skip-page\"\n").unwrap();
    let out = tmp.path().join("out");
    let batch = tmp.path().join("batch");
    let (code, err) = run(&batch, &out, &["--config", cfg.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("warning: doc: skipped page 2: ") && err.contains("doc/2.png"),
        "{err}"
    );
    let rec: serde_json::Value =
        serde_json::from_str(&read(&out.join("doc/data/metadata/record.json"))).unwrap();
    assert_eq!(rec["pages"].as_array().unwrap().len(), 1);
    assert_eq!(rec["pages"][0]["source"], "1.tif");
}

#[test]
fn bad_batch_csv_rows_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = batch_of(tmp.path(), &["ok", "dup", "badutf8"]);
    let mut csv = b"id,title,language\nok,Fine,vie\ndup,One,vie\ndup,Two,vie\n../../x,Escape,vie\nghost,Nobody,vie\n".to_vec();
    csv.extend_from_slice(b"badutf8,Bad \xC3\x28 title,vie\n");
    fs::write(batch.join("batch.csv"), csv).unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("FAILED dup: batch.csv line 4: id 'dup' appears more than once"),
        "{err}"
    );
    assert!(
        err.contains("FAILED badutf8: batch.csv line 7: column 'title' is not valid UTF-8"),
        "{err}"
    );
    assert!(
        err.contains("batch.csv line 5: '../../x' is not a usable document id"),
        "{err}"
    );
    assert!(
        err.contains("row for 'ghost' matches no document folder"),
        "{err}"
    );
    assert!(out.join("ok/bagit.txt").is_file());
    assert!(!tmp.path().join("x").exists() && !out.join("dup").exists());
}

#[test]
fn a_second_run_keeps_finished_bags() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = batch_of(tmp.path(), &["a"]);
    let out = tmp.path().join("out");
    assert_eq!(run(&batch, &out, &[]).0, Some(0));
    let before = fs::read(out.join("a/data/a.pdf")).unwrap();
    let (code, err) = run(&batch, &out, &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("0 packaged, 1 already done"), "{err}");
    assert_eq!(fs::read(out.join("a/data/a.pdf")).unwrap(), before);
}

#[test]
fn a_missing_language_model_is_its_own_exit_code() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = batch_of(tmp.path(), &["a"]);
    let out = tmp.path().join("out");
    // A tessdata folder holding only the Vietnamese model.
    let tessdata = tmp.path().join("tessdata");
    fs::create_dir_all(&tessdata).unwrap();
    let system = workers::ocr::find_tessdata().unwrap();
    fs::copy(
        system.join("vie.traineddata"),
        tessdata.join("vie.traineddata"),
    )
    .unwrap();
    let cfg = tmp.path().join("c.toml");
    fs::write(
        &cfg,
        format!("[ocr]\ntessdata = {:?}\n", tessdata.to_str().unwrap()),
    )
    .unwrap();
    let (code, err) = run(
        &batch,
        &out,
        &["--lang", "khm", "--config", cfg.to_str().unwrap()],
    );
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("'khm' not found") && err.contains("tesseract-ocr-khm"),
        "{err}"
    );
    // A code diachi does not know is a usage error, named.
    let (code, err) = run(&batch, &out, &["--lang", "xyz"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("'xyz'"), "{err}");
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
