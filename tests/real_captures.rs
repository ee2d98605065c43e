//! Real captures (../shared/realdev): no upright page is turned, and the
//! text is never worse than plain Tesseract's by more than 0.02 CER on the
//! captures with ground truth, nor worse than measured (bench/real.py,
//! README).

mod common;

use common::{cer, read, run};
use std::fs;
use std::path::PathBuf;
use unicode_normalization::UnicodeNormalization;

fn realdev() -> PathBuf {
    common::root().join("../shared/realdev")
}

/// realdev's CER rule: NFC, U+200B removed, white space folded.
fn normalised(s: &str) -> String {
    s.nfc().filter(|&c| c != '\u{200B}').collect()
}

/// (file, language, needed turn) of every capture in the manifest.
fn manifest() -> Vec<(String, String, u32)> {
    let text = read(&realdev().join("MANIFEST.tsv"));
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    let (f, l, o) = (col("file"), col("language"), col("orientation_as_stored"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            (c[f].to_string(), c[l].to_string(), c[o].parse().unwrap())
        })
        .collect()
}

#[test]
fn real_captures_stay_upright_and_read_at_least_as_well_as_tesseract() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    let mut csv = String::from("id,language\n");
    let captures = manifest();
    assert!(captures.len() >= 14, "{captures:?}");
    for (file, lang, _) in &captures {
        let id = file.trim_end_matches(".jpg");
        fs::create_dir_all(batch.join(id)).unwrap();
        fs::copy(realdev().join(file), batch.join(id).join(file)).unwrap();
        csv += &format!("{id},{lang}\n");
    }
    fs::write(batch.join("batch.csv"), csv).unwrap();
    let out = dir.path().join("out");
    let (code, stderr) = run(&batch, &out, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    for (file, _, turn) in &captures {
        let id = file.trim_end_matches(".jpg");
        let rec: serde_json::Value =
            serde_json::from_str(&read(&out.join(id).join("data/metadata/record.json"))).unwrap();
        let page = &rec["pages"][0];
        assert_eq!(page["orientation_degrees"], *turn, "{id} turned: {page}");
        // Each scan is one flat page that fills it: nothing is cropped,
        // warped, split or dewarped.
        assert!(page["page_crop"].is_null(), "{id} cropped: {page}");
        assert!(page["part"].is_null(), "{id} split: {page}");
        assert!(page["dewarp"].is_null(), "{id} dewarped: {page}");
        assert_eq!(rec["pages"].as_array().unwrap().len(), 1, "{id}");
    }
    // Ground truth: the CER measured on this commit, and plain
    // `tesseract IMG - -l LANG` (realdev/README.md), which diachi must not
    // be worse than by more than 0.02.
    for (id, measured, plain) in [
        ("vie_namnqd_5", 0.020, 0.074),
        // With the neural Khmer recognizer (#20); Tesseract alone read
        // them at 0.061 and 0.133 (tests/khmer_network.rs).
        ("khm_phonsobon_1", 0.040, 0.084),
        ("khm_seanghay_1", 0.0, 0.178),
    ] {
        let gt = read(&realdev().join(format!("{id}.gt.txt")));
        let text = read(&out.join(id).join("data/text/0001.txt"));
        let c = cer(&normalised(&text), &normalised(&gt));
        assert!(
            c <= measured + 0.005 && c <= plain + 0.02,
            "{id}: CER {c:.3}, measured {measured}, plain Tesseract {plain}\n{text}"
        );
    }
    // The two-block header of a Vietnamese decision is read left block
    // first, as the ground truth gives it.
    let text = read(&out.join("vie_namnqd_5/data/text/0001.txt"));
    // The Khmer notice's Latin names are read in Latin, not as the Khmer
    // model's garbage ("(២ស៩6០០)" for "(UNESCO)").
    let khmer = read(&out.join("khm_phonsobon_1/data/text/0001.txt"));
    for latin in ["(UNESCO)", "Plug and Play", "www.mptc.gov.kh"] {
        assert!(khmer.contains(latin), "{latin} not read:\n{khmer}");
    }
    let left = text.find("VÀ XÃ HỘI").expect("left block read");
    let right = text.find("CỘNG HÒA XÃ HỘI").expect("right block read");
    assert!(left < right, "{text}");
}

/// `--lang auto` on the same captures: each page is found to be in its
/// language (the Khmer line crop too, whose three-letter sample once read as
/// nothing and fell back to Vietnamese), and reads as well as with the
/// language given.
#[test]
fn auto_finds_the_language_of_every_real_capture() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    let captures = manifest();
    for (file, _, _) in &captures {
        let id = file.trim_end_matches(".jpg");
        fs::create_dir_all(batch.join(id)).unwrap();
        fs::copy(realdev().join(file), batch.join(id).join(file)).unwrap();
    }
    let out = dir.path().join("out");
    let (code, stderr) = run(&batch, &out, &["--lang", "auto"]);
    assert_eq!(code, Some(0), "{stderr}");
    for (file, lang, _) in &captures {
        let id = file.trim_end_matches(".jpg");
        let rec: serde_json::Value =
            serde_json::from_str(&read(&out.join(id).join("data/metadata/record.json"))).unwrap();
        // No upright page is turned to read it in a language it is not in.
        assert_eq!(rec["pages"][0]["orientation_degrees"], 0, "{id}");
        // Read in its language alone: a stamp the Khmer model read as two
        // Khmer letters (vie_namnqd_1's signature time stamp) does not make
        // a Vietnamese decree's page Khmer too, nor its document.
        let read_as = rec["pages"][0]["language"].as_str().unwrap();
        assert_eq!(read_as, lang, "{id}");
        assert_eq!(rec["language"], serde_json::json!([lang]), "{id}");
        if lang == "vie" {
            let text = read(&out.join(id).join("data/text/0001.txt"));
            assert!(
                !text.chars().any(|c| workers::lang::Script::Khmer.has(c)),
                "{id}: Khmer in a Vietnamese page\n{text}"
            );
        }
        let dc = read(&out.join(id).join("data/metadata/dc.xml"));
        assert_eq!(dc.matches("<dc:language>").count(), 1, "{id}: {dc}");
    }
    for (id, measured) in [
        ("vie_namnqd_5", 0.020),
        ("khm_phonsobon_1", 0.040),
        ("khm_seanghay_1", 0.0),
    ] {
        let gt = read(&realdev().join(format!("{id}.gt.txt")));
        let text = read(&out.join(id).join("data/text/0001.txt"));
        let c = cer(&normalised(&text), &normalised(&gt));
        assert!(
            c <= measured + 0.005,
            "{id}: CER {c:.3} with auto, {measured} given the language\n{text}"
        );
    }
}

/// `--lang auto` on Vietnamese decrees stored upside down. Their samples
/// read as no language at all, and the two-language reading took them for
/// Khmer; the Khmer model then found neither way up better, and each page
/// was read upside down, in Khmer (30 s of CPU, against 10 s). Turned, a
/// sample reads as mostly Vietnamese, and the page is turned and read so.
#[test]
fn auto_turns_a_vietnamese_page_stored_upside_down() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    let ids = ["vie_namnqd_7", "vie_namnqd_8"];
    for id in ids {
        fs::create_dir_all(batch.join(id)).unwrap();
        let upright = image::open(realdev().join(format!("{id}.jpg"))).unwrap();
        upright
            .rotate180()
            .save(batch.join(id).join("1.png"))
            .unwrap();
    }
    let out = dir.path().join("out");
    let (code, stderr) = run(&batch, &out, &["--lang", "auto"]);
    assert_eq!(code, Some(0), "{stderr}");
    for id in ids {
        let rec: serde_json::Value =
            serde_json::from_str(&read(&out.join(id).join("data/metadata/record.json"))).unwrap();
        let page = &rec["pages"][0];
        assert_eq!(page["orientation_degrees"], 180, "{id}: {page}");
        assert_eq!(rec["language"], serde_json::json!(["vie"]), "{id}");
        let text = read(&out.join(id).join("data/text/0001.txt"));
        assert!(text.contains("ỦY BAN NHÂN DÂN"), "{id}:\n{text}");
    }
}

/// A real scan at twice its resolution (each pixel doubled, declared 600
/// dpi, as an archival scan would be): diachi reads it reduced to 300 dpi
/// (its text's x-height, 42 px, would go under 20 px), the words are mapped
/// back to the 600-dpi page, and it reads as the page at its own 300 dpi,
/// whose OCR is not scaled at all. (Enlarged with a smooth filter instead,
/// the page comes out blurred, as no scanner makes it: read at full size it
/// gave CER 0.028-0.030, reduced 0.021-0.030 by filter, the 300-dpi page 0.020.)
#[test]
fn a_real_scan_at_600_dpi_is_read_reduced_and_as_well() {
    use image::codecs::jpeg::{JpegEncoder, PixelDensity};
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    let id = "vie_namnqd_5";
    let src = realdev().join(format!("{id}.jpg"));
    fs::create_dir_all(batch.join("at300")).unwrap();
    fs::copy(&src, batch.join("at300/1.jpg")).unwrap();
    let page = image::open(&src).unwrap().to_rgb8();
    let (w, h) = page.dimensions();
    let twice =
        image::imageops::resize(&page, w * 2, h * 2, image::imageops::FilterType::CatmullRom);
    fs::create_dir_all(batch.join("at600")).unwrap();
    let mut jpeg = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut jpeg, 100);
    enc.set_pixel_density(PixelDensity::dpi(600));
    enc.encode_image(&twice).unwrap();
    fs::write(batch.join("at600/1.jpg"), jpeg).unwrap();
    fs::write(
        batch.join("batch.csv"),
        "id,language\nat300,vie\nat600,vie\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, stderr) = run(&batch, &out, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let gt = read(&realdev().join(format!("{id}.gt.txt")));
    let reading = |doc: &str| {
        let rec: serde_json::Value =
            serde_json::from_str(&read(&out.join(doc).join("data/metadata/record.json"))).unwrap();
        let page = rec["pages"][0].clone();
        let text = read(&out.join(doc).join("data/text/0001.txt"));
        (page, cer(&normalised(&text), &normalised(&gt)), text)
    };
    let (p300, c300, _) = reading("at300");
    let (p600, c600, text) = reading("at600");
    assert_eq!(p300["ocr_scale"], 1.0, "{p300}");
    assert_eq!(p600["dpi_source"], "file", "{p600}");
    let scale = p600["ocr_scale"].as_f64().unwrap();
    assert!((0.45..=0.6).contains(&scale), "{p600}");
    assert!(
        c600 <= c300 + 0.01,
        "CER at 600 dpi {c600:.4}, at 300 {c300:.4}\n{text}"
    );
}
