//! The batch report: which pages need a human look, listed first, in a
//! self-contained HTML page and in JSON; and the end-of-run summary.

mod common;

use common::*;
use std::fs;

/// Runs `dir`/batch in Vietnamese with the settings `toml`, into `dir`/out,
/// which it returns; the run must end with exit 0.
fn run_vie_with(dir: &std::path::Path, toml: &str) -> std::path::PathBuf {
    let config = dir.join("settings.toml");
    fs::write(&config, toml).unwrap();
    let out = dir.join("out");
    let (code, err) = run(
        &dir.join("batch"),
        &out,
        &["--lang", "vie", "--config", config.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{err}");
    out
}

/// A drawing with no text: lines and a filled disc.
fn inked_page(path: &std::path::Path) {
    let mut img = image::GrayImage::from_pixel(1200, 1700, image::Luma([255]));
    for (x, y, p) in img.enumerate_pixels_mut() {
        let (dx, dy) = (x as i64 - 600, y as i64 - 850);
        if dx * dx + dy * dy < 300 * 300 || (x + y) % 97 < 5 {
            *p = image::Luma([40]);
        }
    }
    img.save(path).unwrap();
}

#[test]
fn report_flags_what_needs_a_look() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    for d in ["good", "khmer-read-as-vie", "drawing", "broken"] {
        fs::create_dir_all(batch.join(d)).unwrap();
    }
    fs::copy(
        samples().join("batch/can-tho-1925/1.tif"),
        batch.join("good/1.tif"),
    )
    .unwrap();
    fs::copy(
        samples().join("batch/wat-khleang/scan_1.png"),
        batch.join("khmer-read-as-vie/1.png"),
    )
    .unwrap();
    inked_page(&batch.join("drawing/1.png"));
    fs::write(batch.join("broken/1.jpg"), b"").unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &["--lang", "vie"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("2 pages need a look:"), "{err}");
    assert!(
        err.contains("  drawing page 1 (1.png): probably not text"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "report: {}",
            out.canonicalize().unwrap().join("report.html").display()
        )),
        "{err}"
    );

    let report: serde_json::Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    let s = &report["summary"];
    assert_eq!(
        (
            s["documents"].as_u64(),
            s["failed"].as_u64(),
            s["flagged_pages"].as_u64()
        ),
        (Some(4), Some(1), Some(2))
    );
    assert_eq!(s["pages"], 3);
    let review = report["review"].as_array().unwrap();
    let flagged: Vec<(&str, Option<u64>)> = review
        .iter()
        .map(|f| (f["document"].as_str().unwrap(), f["page"].as_u64()))
        .collect();
    // Most likely wrong first: the failed document, then the Khmer page
    // read with the Vietnamese model (garbage at very low confidence), then
    // the drawing.
    assert_eq!(
        flagged,
        [
            ("broken", None),
            ("khmer-read-as-vie", Some(1)),
            ("drawing", Some(1))
        ]
    );
    let risks: Vec<f64> = review.iter().map(|f| f["risk"].as_f64().unwrap()).collect();
    assert!(risks.windows(2).all(|w| w[0] >= w[1]), "{risks:?}");
    let reasons = |i: usize| review[i]["reasons"].to_string();
    assert!(
        reasons(0).contains("broken/1.jpg") && reasons(0).contains("empty"),
        "{}",
        reasons(0)
    );
    assert!(
        reasons(1).contains("text probably misread"),
        "{}",
        reasons(1)
    );
    assert!(
        reasons(2).contains("probably not text, or text missed: 0 characters"),
        "{}",
        reasons(2)
    );

    // Every page has its thumbnail, at most 20 KB.
    for doc in report["documents"].as_array().unwrap() {
        for p in doc["pages"].as_array().unwrap() {
            let thumb = out.join(p["thumbnail"].as_str().unwrap());
            let size = fs::metadata(&thumb).unwrap().len();
            assert!(
                size > 500 && size <= 20_000,
                "{}: {size} bytes",
                thumb.display()
            );
        }
    }

    let html = read(&out.join("report.html"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
        "self-contained"
    );
    assert_eq!(
        html.matches("src=\"data:image/jpeg;base64,").count(),
        2 + 3,
        "review rows and page rows"
    );
    let review_at = html.find("id=\"review\"").unwrap();
    // The interface is in Vietnamese by default (report.language).
    assert!(html.contains("<html lang=\"vi\">"));
    let docs_at = html.find("<h2>Tài liệu</h2>").unwrap();
    for d in ["broken", "drawing", "khmer-read-as-vie"] {
        let row = html
            .find(&format!("data-doc=\"{d}\""))
            .unwrap_or_else(|| panic!("{d} not in review"));
        assert!(
            review_at < row && row < docs_at,
            "{d} listed first, under review"
        );
    }
    assert!(!html[review_at..docs_at].contains("data-doc=\"good\""));
    // A flagged page is shown at reading size beside the text read from
    // it: the Khmer page read with the Vietnamese model shows its garbage.
    let row = &html[html.find("data-doc=\"khmer-read-as-vie\"").unwrap()..docs_at];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("class=\"preview\""), "{row}");
    let text = read(&out.join("khmer-read-as-vie/data/text/0001.txt"));
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap();
    assert!(
        row.contains(
            &first_line
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        ),
        "{first_line}\n{row}"
    );
    assert!(row.contains("chữ có lẽ bị nhận dạng sai"), "{row}");
    // The preview is written for flagged pages only.
    let thumbs = out.join(".diachi/thumbs");
    assert!(thumbs.join("khmer-read-as-vie/0001-preview.jpg").is_file());
    assert!(!thumbs.join("good/0001-preview.jpg").exists());
}

/// `report.language = "en"` gives the interface in English; report.json
/// speaks English either way, for scripts.
#[test]
fn report_in_english() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(batch.join("drawing")).unwrap();
    inked_page(&batch.join("drawing/1.png"));
    let out = run_vie_with(tmp.path(), "[report]\nlanguage = \"en\"\n");
    let html = read(&out.join("report.html"));
    assert!(html.contains("<html lang=\"en\">") && html.contains("<h2>Documents</h2>"));
    assert!(html.contains("probably not text, or text missed"), "{html}");
    assert!(html.contains("(no text read)"));
    let report: serde_json::Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    assert!(report["review"][0]["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("probably not text"));
}

#[test]
fn a_clean_batch_flags_nothing() {
    let report: serde_json::Value =
        serde_json::from_str(&read(&sample_out().join("report.json"))).unwrap();
    assert_eq!(report["review"], serde_json::json!([]));
    assert_eq!(report["summary"]["documents"], common::DOCS.len());
    // 9 image files of a page each, and a 2-page PDF and a 2-page TIFF:
    // pages, not files, are counted.
    assert_eq!(report["summary"]["pages"], 13);
    assert!(read(&sample_out().join("report.html")).contains("Không có trang nào cần xem lại."));
}

/// With orientation finding off, a page scanned sideways is read by
/// Tesseract's own vertical-line handling at high confidence, its words out
/// of order: only the line-direction test can tell, and its doubt is
/// flagged. The same page upright is not.
#[test]
fn a_sideways_page_is_flagged_when_orientation_finding_is_off() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = batch_of(tmp.path(), &["sideways", "upright"]);
    let page = image::open(batch.join("upright/1.tif")).unwrap();
    page.rotate90().save(batch.join("sideways/1.tif")).unwrap();
    let out = run_vie_with(
        tmp.path(),
        "[orientation]\nenabled = false\n[report]\nlanguage = \"en\"\n",
    );
    let report: serde_json::Value = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    let review = report["review"].as_array().unwrap();
    assert_eq!(review.len(), 1, "{review:?}");
    assert_eq!(review[0]["document"], "sideways");
    assert!(
        review[0]["reasons"]
            .to_string()
            .contains("the lines seem to run down the page, and orientation finding is off"),
        "{review:?}"
    );
    let rec: serde_json::Value =
        serde_json::from_str(&read(&out.join("sideways/data/metadata/record.json"))).unwrap();
    assert_eq!(rec["pages"][0]["orientation_degrees"], 0);
    assert_eq!(
        rec["pages"][0]["doubts"],
        serde_json::json!([{"kind": "lines-run-down"}])
    );
}
