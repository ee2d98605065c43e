//! A batch never loses work: a crash at any point is finished by running the
//! same command again, with the same bags as an uninterrupted run.

mod common;

use common::*;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn batch() -> String {
    samples().join("batch").to_string_lossy().into_owned()
}

fn assert_only_whole_bags(out: &Path) {
    for entry in fs::read_dir(out).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == ".diachi" || !path.is_dir() {
            continue;
        }
        let o = diachi(&["verify", path.to_str().unwrap()]);
        assert!(
            o.status.success(),
            "partial bag visible: {}",
            path.display()
        );
    }
}

/// Runs the sample batch with `--jobs 1` and a fault hook that kills diachi
/// on the spot, and checks that it died by a signal.
fn run_until_killed(out: &Path, hook: &str, n: &str, epoch: bool) {
    let mut env = vec![(hook, n)];
    if epoch {
        env.push(("SOURCE_DATE_EPOCH", EPOCH));
    }
    let o = diachi_with(
        &[
            "run",
            &batch(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "1",
        ],
        &env,
    );
    assert!(
        o.status.code().is_none(),
        "expected death by signal, got {}",
        o.status
    );
}

#[test]
fn killed_mid_batch_then_resumed_equals_a_clean_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o_str = out.to_str().unwrap();
    // --jobs 1: documents in order; the 4th page is the Khmer document's first,
    // so the Vietnamese bag is done and the others are not.
    run_until_killed(&out, "DIACHI_TEST_ABORT_AFTER_PAGES", "4", true);
    assert!(out.join("can-tho-1925/bagit.txt").is_file());
    assert!(!out.join("wat-khleang").exists());
    assert_only_whole_bags(&out);

    let o = diachi(&["run", &batch(), "--out", o_str]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "{} packaged, 1 already done, 0 failed",
            common::DOCS.len() - 1
        )),
        "{err}"
    );
    assert_same_bags(sample_out(), &out);
}

#[test]
fn killed_before_a_bag_is_renamed_leaves_no_bag() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o_str = out.to_str().unwrap();
    run_until_killed(&out, "DIACHI_TEST_ABORT_BEFORE_RENAME", "1", true);
    // The bag was complete in staging, but nothing is visible under OUT.
    assert!(out
        .join(".diachi/staging/can-tho-1925/tagmanifest-sha256.txt")
        .is_file());
    assert!(!out.join("can-tho-1925").exists());
    let o = diachi(&["run", &batch(), "--out", o_str]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.join(".diachi/staging/can-tho-1925").exists());
    assert_same_bags(sample_out(), &out);
}

/// Without SOURCE_DATE_EPOCH, a resumed batch keeps the first run's timestamp.
#[test]
fn a_resumed_batch_keeps_its_timestamp() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o_str = out.to_str().unwrap();
    run_until_killed(&out, "DIACHI_TEST_ABORT_AFTER_PAGES", "4", false);
    std::thread::sleep(Duration::from_millis(1100));
    assert!(diachi_with(&["run", &batch(), "--out", o_str], &[])
        .status
        .success());
    let created = |doc: &str| {
        let rec: serde_json::Value =
            serde_json::from_str(&read(&out.join(doc).join("data/metadata/record.json"))).unwrap();
        rec["created"].as_str().unwrap().to_string()
    };
    assert_eq!(created("can-tho-1925"), created("song-ngu"));
    assert!(
        !out.join(".diachi/timestamp").exists(),
        "cleared once the batch is complete"
    );
}

#[test]
fn a_second_run_on_a_busy_output_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join(".diachi")).unwrap();
    let lock = fs::File::create(out.join(".diachi/lock")).unwrap();
    lock.lock().unwrap(); // as a running diachi holds it
    let o = diachi(&["run", &batch(), "--out", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("another diachi run is using this output folder"),
        "{err}"
    );
    assert!(!out.join("can-tho-1925").exists());
}

#[test]
fn an_unusable_output_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join(".diachi")).unwrap();
    fs::write(out.join(".diachi/staging"), b"in the way").unwrap();
    let o = diachi(&["run", &batch(), "--out", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("out/.diachi/staging: output not writable"),
        "names the path: {err}"
    );
}

#[test]
fn a_write_error_stops_cleanly_and_a_rerun_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o_str = out.to_str().unwrap();
    // A file where diachi builds one bag: writing that bag fails mid-run, as
    // on a full disk.
    fs::create_dir_all(out.join(".diachi/staging")).unwrap();
    let blocker = out.join(".diachi/staging/can-tho-1925");
    fs::write(&blocker, b"in the way").unwrap();
    let o = diachi(&["run", &batch(), "--out", o_str, "--jobs", "1"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(4), "{err}");
    assert!(
        err.contains("staging/can-tho-1925") && err.contains("run again to resume"),
        "{err}"
    );
    assert!(!out.join("can-tho-1925").exists(), "no partial bag");
    assert!(
        !out.join("wat-khleang").exists(),
        "the run stopped at the failure"
    );
    fs::remove_file(&blocker).unwrap();
    let o = diachi(&["run", &batch(), "--out", o_str]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_same_bags(sample_out(), &out);
}

#[test]
fn ctrl_c_stops_with_exit_130_and_the_rerun_finishes() {
    let tmp = tempfile::tempdir().unwrap();
    // A longer batch: the sample pages, eight times over.
    let big = tmp.path().join("big");
    for i in 0..8 {
        copy_tree(
            &samples().join("batch/can-tho-1925"),
            &big.join(format!("doc{i}")),
        );
    }
    let out = tmp.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_diachi"))
        .args([
            "run",
            big.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "1",
        ])
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !out.join("doc0/bagit.txt").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "first bag never appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_only_whole_bags(&out);
    let done_before = bag_files(&out).len();
    let o = diachi(&["run", big.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(bag_files(&out).len() > done_before);
    for i in 0..8 {
        assert!(out.join(format!("doc{i}/bagit.txt")).is_file());
    }
}

#[test]
fn originals_are_never_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    copy_tree(&samples().join("batch"), &batch);
    let snapshot = || {
        walkdir::WalkDir::new(&batch)
            .sort_by_file_name()
            .into_iter()
            .map(|e| {
                let e = e.unwrap();
                let m = e.metadata().unwrap();
                let bytes = if m.is_file() {
                    fs::read(e.path()).unwrap()
                } else {
                    Vec::new()
                };
                (
                    e.path().to_path_buf(),
                    m.modified().unwrap(),
                    m.permissions(),
                    bytes,
                )
            })
            .collect::<Vec<_>>()
    };
    let before = snapshot();
    let (code, err) = run(&batch, &tmp.path().join("out"), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(before == snapshot(), "the batch folder changed");
}
