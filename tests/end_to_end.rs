//! The sample batch, end to end: bags that standard tools accept, a PDF whose
//! text is the OCR text, OCR close to the ground truth, and a verify that
//! catches tampering.

mod common;

use common::*;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use unicode_normalization::is_nfc;

#[test]
fn every_bag_validates_with_bagit_python() {
    for doc in DOCS {
        let bag = sample_out().join(doc);
        let o = tool(
            "python3",
            &["-m", "bagit", "--validate", bag.to_str().unwrap()],
            "pip install bagit (the test command installs it)",
        );
        let log = String::from_utf8_lossy(&o.stderr);
        assert!(
            o.status.success() && log.contains("is valid"),
            "{doc}: {log}"
        );
    }
}

#[test]
fn layout_follows_the_output_contract() {
    for doc in DOCS {
        let bag = sample_out().join(doc);
        for f in [
            "bagit.txt".to_string(),
            "bag-info.txt".into(),
            "manifest-sha256.txt".into(),
            "tagmanifest-sha256.txt".into(),
            format!("data/{doc}.pdf"),
            format!("data/{doc}.txt"),
            "data/metadata/record.json".into(),
        ] {
            assert!(bag.join(&f).is_file(), "{doc}: {f} missing");
        }
        let info = read(&bag.join("bag-info.txt"));
        assert!(
            info.contains(&format!("External-Identifier: {doc}\n")),
            "{info}"
        );
        assert!(
            info.contains("Source-Organization: Mekong Delta libraries\n"),
            "{info}"
        );
        assert!(
            info.contains("Bagging-Date: 2023-11-14\n"),
            "SOURCE_DATE_EPOCH: {info}"
        );
        assert!(info.contains("Payload-Oxum: "), "{info}");
    }
    // Nothing but bags, the batch report and diachi's own hidden folder in OUT.
    let mut names: Vec<String> = fs::read_dir(sample_out())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".diachi",
            "can-tho-1925",
            "cong-bao-1930",
            "giay-to-xoay",
            "ho-so-may-quet",
            "report.html",
            "report.json",
            "song-ngu",
            "wat-khleang"
        ]
    );
}

#[test]
fn masters_are_the_originals_byte_for_byte() {
    for doc in DOCS {
        let rec = record(doc);
        for page in rec["pages"].as_array().unwrap() {
            let source = samples()
                .join("batch")
                .join(doc)
                .join(page["source"].as_str().unwrap());
            let master = sample_out()
                .join(doc)
                .join(page["master"].as_str().unwrap());
            let original = fs::read(&source).unwrap();
            assert_eq!(fs::read(&master).unwrap(), original, "{}", master.display());
            assert_eq!(page["sha256"], hex::encode(Sha256::digest(&original)));
        }
    }
}

#[test]
fn record_json_has_every_field() {
    for doc in DOCS {
        let rec = record(doc);
        for key in ["id", "title", "language", "pages", "software"] {
            assert!(!rec[key].is_null(), "{doc}: {key}");
        }
        assert_eq!(rec["id"], doc);
        let pages = rec["pages"].as_array().unwrap();
        assert!(!pages.is_empty());
        for (i, p) in pages.iter().enumerate() {
            assert_eq!(p["index"], i + 1);
            for key in [
                "source",
                "sha256",
                "width",
                "height",
                "dpi",
                "skew_degrees",
                "orientation_degrees",
                "language",
                "mean_confidence",
                "text",
                "alto",
            ] {
                assert!(!p[key].is_null(), "{doc} page {}: {key}", i + 1);
            }
            assert_eq!(p["dpi"], 300.0);
            assert_eq!(p["dpi_assumed"], false);
            for key in ["text", "alto"] {
                let path = sample_out().join(doc).join(p[key].as_str().unwrap());
                assert!(path.is_file(), "{}", path.display());
            }
            let conf = p["mean_confidence"].as_f64().unwrap();
            assert!((50.0..=100.0).contains(&conf), "{doc}: confidence {conf}");
        }
        let sw = &rec["software"];
        assert_eq!(sw["diachi"], env!("CARGO_PKG_VERSION"));
        assert!(sw["tesseract"].as_str().unwrap().starts_with('5'), "{sw}");
        for lang in rec["language"].as_array().unwrap() {
            let digest = sw["models"][lang.as_str().unwrap()].as_str().unwrap();
            assert_eq!(digest.len(), 64, "{doc}: model digest for {lang}");
        }
    }
    assert_eq!(
        record("song-ngu")["language"],
        serde_json::json!(["vie", "khm"])
    );
    assert_eq!(record("wat-khleang")["title"], "ប្រវត្តិវត្តឃ្លាំង");
}

#[test]
fn skew_is_found_and_recorded() {
    // The generator skewed these pages by known angles (samples/make_samples.py).
    let expect = [
        ("can-tho-1925", [0.0, 1.5, -1.0].as_slice()),
        ("wat-khleang", &[0.0, 2.0]),
        ("cong-bao-1930", &[0.8]),
    ];
    for (doc, angles) in expect {
        let rec = record(doc);
        for (p, want) in rec["pages"].as_array().unwrap().iter().zip(angles) {
            let got = p["skew_degrees"].as_f64().unwrap();
            assert!((got - want).abs() <= 0.05, "{doc}: skew {got}, made {want}");
            assert_eq!(p["deskewed"], *want != 0.0);
        }
    }
}

/// Pages scanned upside down and sideways are turned upright, the turn is
/// recorded, and they read as well as upright ones.
#[test]
fn orientation_is_found_and_recorded() {
    let rec = record("giay-to-xoay");
    let pages = rec["pages"].as_array().unwrap();
    // Page 1 was turned 180°; page 2 a quarter counter-clockwise.
    assert_eq!(pages[0]["orientation_degrees"], 180);
    assert_eq!(pages[1]["orientation_degrees"], 90);
    // The upside-down page was checked (its first reading was weak), with a
    // clear margin; the sideways one was found from its line direction.
    assert!(
        pages[0]["orientation_margin"].as_f64().unwrap() > 15.0,
        "{}",
        pages[0]
    );
    for p in pages {
        assert!(p["mean_confidence"].as_f64().unwrap() > 85.0, "{p}");
    }
    // Upright pages are never turned, and with good OCR never re-checked.
    for doc in ["can-tho-1925", "wat-khleang", "song-ngu", "cong-bao-1930"] {
        for p in record(doc)["pages"].as_array().unwrap() {
            assert_eq!(p["orientation_degrees"], 0, "{doc}");
            assert!(p["orientation_margin"].is_null(), "{doc}: {p}");
        }
    }
    // The PDF page is the upright page: landscape scan, portrait page.
    let pdf = sample_out().join("giay-to-xoay/data/giay-to-xoay.pdf");
    let info = tool(
        "pdfinfo",
        &["-f", "2", "-l", "2", pdf.to_str().unwrap()],
        "apt-get install poppler-utils",
    );
    let info = String::from_utf8_lossy(&info.stdout);
    let size = info
        .lines()
        .find(|l| l.starts_with("Page    2 size:"))
        .unwrap()
        .to_string();
    let dims: Vec<f64> = size
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    assert!(dims[1] < dims[2], "portrait: {size}");
}

fn pdftotext(pdf: &Path, page: &str, extra: &[&str]) -> String {
    let mut args = vec!["-f", page, "-l", page, "-enc", "UTF-8"];
    args.extend_from_slice(extra);
    args.extend([pdf.to_str().unwrap(), "-"]);
    let o = tool("pdftotext", &args, "apt-get install poppler-utils");
    assert!(o.status.success());
    String::from_utf8(o.stdout).unwrap()
}

/// pdftotext of each page returns that page's OCR text: the same lines,
/// each with the same words in the same order.
#[test]
fn pdf_text_layer_is_the_ocr_text() {
    for doc in DOCS {
        let pdf = sample_out().join(doc).join(format!("data/{doc}.pdf"));
        let rec = record(doc);
        for p in rec["pages"].as_array().unwrap() {
            let n = p["index"].to_string();
            let from_pdf = pdftotext(&pdf, &n, &[]);
            let ocr = read(&sample_out().join(doc).join(p["text"].as_str().unwrap()));
            let lines = |s: &str| -> Vec<String> {
                s.lines()
                    .map(str::trim_end)
                    .filter(|l| !l.trim().is_empty())
                    .map(String::from)
                    .collect()
            };
            assert!(!lines(&ocr).is_empty(), "{doc} page {n}: no text");
            assert_eq!(
                lines(&from_pdf.replace('\u{c}', "")),
                lines(&ocr),
                "{doc} page {n}"
            );
        }
    }
}

/// Each word of the text layer sits on its printed box: `pdftotext -bbox`
/// against the ALTO String boxes (pixels at the page's dpi), within a point.
#[test]
fn pdf_words_sit_on_their_alto_boxes() {
    let num = |s: &str, key: &str| -> f64 {
        let k = format!(" {key}=\"");
        let i = s.find(&k).unwrap_or_else(|| panic!("{key} in {s}")) + k.len();
        s[i..i + s[i..].find('"').unwrap()].parse().unwrap()
    };
    for doc in DOCS {
        let pdf = sample_out().join(doc).join(format!("data/{doc}.pdf"));
        let rec = record(doc);
        for p in rec["pages"].as_array().unwrap() {
            let scale = 72.0 / p["dpi"].as_f64().unwrap();
            let alto = read(&sample_out().join(doc).join(p["alto"].as_str().unwrap()));
            let strings: Vec<&str> = alto
                .lines()
                .filter(|l| l.trim_start().starts_with("<String "))
                .collect();
            let html = pdftotext(&pdf, &p["index"].to_string(), &["-bbox"]);
            let words: Vec<&str> = html
                .lines()
                .filter(|l| l.trim_start().starts_with("<word "))
                .collect();
            assert_eq!(words.len(), strings.len(), "{doc} page {}", p["index"]);
            for (w, s) in words.iter().zip(&strings) {
                let text = &w[w.find('>').unwrap() + 1..w.rfind("</word>").unwrap()];
                let content = &s[s.find("CONTENT=\"").unwrap() + 9..];
                let content = &content[..content.find('"').unwrap()];
                assert_eq!(text, content, "{doc}: word order");
                let (x0, x1) = (
                    num(s, "HPOS") * scale,
                    (num(s, "HPOS") + num(s, "WIDTH")) * scale,
                );
                assert!(
                    (num(w, "xMin") - x0).abs() < 1.0 && (num(w, "xMax") - x1).abs() < 1.0,
                    "{doc}: {w} vs {s}"
                );
                let (y0, y1) = (
                    num(s, "VPOS") * scale,
                    (num(s, "VPOS") + num(s, "HEIGHT")) * scale,
                );
                // The glyph box is the line's box, which holds the word's.
                assert!(
                    num(w, "yMin") <= y0 + 1.0 && num(w, "yMax") >= y1 - 1.0,
                    "{doc}: {w} vs {s}"
                );
            }
        }
    }
}

#[test]
fn pdf_declares_pdfa_and_embeds_its_font() {
    for doc in DOCS {
        let pdf = sample_out().join(doc).join(format!("data/{doc}.pdf"));
        let bytes = fs::read(&pdf).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("<pdfaid:part>2</pdfaid:part>"),
            "{doc}: XMP is uncompressed"
        );
        assert!(text.contains("<pdfaid:conformance>U</pdfaid:conformance>"));
        assert!(text.contains("/GTS_PDFA1"));
        let o = tool(
            "pdffonts",
            &[pdf.to_str().unwrap()],
            "apt-get install poppler-utils",
        );
        let fonts = String::from_utf8_lossy(&o.stdout);
        let row = fonts
            .lines()
            .find(|l| l.starts_with("GlyphLessFont"))
            .expect("the text font");
        // columns: name type encoding emb sub uni
        assert!(
            row.contains("Identity-H") && row.contains(" yes no  yes "),
            "{row}"
        );
    }
}

/// OCR accuracy on the samples, against the ground truth they were rendered
/// from. Thresholds are set just above what was measured (see README).
#[test]
fn ocr_is_close_to_ground_truth() {
    let limits = [
        ("can-tho-1925", 0.01),
        ("wat-khleang", 0.01),
        ("song-ngu", 0.05),
        ("cong-bao-1930", 0.01),
        ("giay-to-xoay", 0.01),
        ("ho-so-may-quet", 0.01),
    ];
    for (doc, limit) in limits {
        let rec = record(doc);
        let (mut hyp, mut gt) = (String::new(), String::new());
        for p in rec["pages"].as_array().unwrap() {
            gt += &common::groundtruth(doc, p);
            gt.push('\n');
            hyp += &read(&sample_out().join(doc).join(p["text"].as_str().unwrap()));
            hyp.push('\n');
        }
        let c = cer(&hyp, &gt);
        eprintln!("CER {doc}: {c:.4}");
        assert!(c <= limit, "{doc}: CER {c:.4} above {limit}");
    }
}

#[test]
fn all_text_is_nfc() {
    for entry in walkdir::WalkDir::new(sample_out()) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy();
        if name.ends_with(".txt") || name.ends_with(".xml") || name.ends_with(".json") {
            let s = read(entry.path());
            assert!(is_nfc(&s), "{} is not NFC", entry.path().display());
        }
    }
}

#[test]
fn alto_validates_against_the_schema() {
    let validate = root().join("../shared/schemas/validate");
    let mut files = Vec::new();
    for doc in DOCS {
        for e in fs::read_dir(sample_out().join(doc).join("data/alto")).unwrap() {
            files.push(e.unwrap().path().to_string_lossy().into_owned());
        }
    }
    // 9 pages of image files, and 4 in a scanner PDF and a multi-page TIFF.
    assert_eq!(files.len(), 13);
    let mut args = vec!["alto"];
    args.extend(files.iter().map(String::as_str));
    let o = tool(
        validate.to_str().unwrap(),
        &args,
        "needs ../shared and xmllint (libxml2-utils)",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let alto = read(&sample_out().join("wat-khleang/data/alto/0001.xml"));
    assert!(
        alto.contains("LANG=\"km\"") && alto.contains("WC=\"0."),
        "{alto}"
    );
}

/// In a folder of bags, a bag that lost its bagit.txt is reported as
/// damaged, never skipped as "not a bag".
#[test]
fn verify_reports_a_bag_that_lost_its_bagit_txt() {
    let tmp = tempfile::tempdir().unwrap();
    for doc in ["can-tho-1925", "song-ngu"] {
        copy_tree(&sample_out().join(doc), &tmp.path().join(doc));
    }
    fs::remove_file(tmp.path().join("song-ngu/bagit.txt")).unwrap();
    let o = diachi(&["verify", tmp.path().to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("OK ") && out.contains("can-tho-1925"), "{out}");
    let bad = out
        .lines()
        .position(|l| l.starts_with("BAD ") && l.ends_with("song-ngu"));
    let bad = bad.unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        out.lines().nth(bad + 1),
        Some("  missing: bagit.txt"),
        "{out}"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 of 2 bags intact"));
}

#[test]
fn verify_passes_then_names_each_tampered_file() {
    let o = diachi(&["verify", sample_out().to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).matches("OK ").count(),
        DOCS.len()
    );

    let tmp = tempfile::tempdir().unwrap();
    let check = |change: &dyn Fn(&Path), expect: &str| {
        let bag = tmp.path().join(format!("bag-{}", expect.len()));
        copy_tree(&sample_out().join("can-tho-1925"), &bag);
        change(&bag);
        let o = diachi(&["verify", bag.to_str().unwrap()]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(out.contains(expect), "expected '{expect}' in:\n{out}");
    };
    check(
        &|bag| {
            let p = bag.join("data/masters/0002.png");
            let mut bytes = fs::read(&p).unwrap();
            bytes[1000] ^= 0x01;
            fs::write(&p, bytes).unwrap();
        },
        "changed: data/masters/0002.png",
    );
    check(
        &|bag| fs::remove_file(bag.join("data/text/0001.txt")).unwrap(),
        "missing: data/text/0001.txt",
    );
    check(
        &|bag| fs::write(bag.join("data/notes.txt"), b"hi").unwrap(),
        "unexpected: data/notes.txt",
    );
    // Links and special files are named, never followed nor opened: a
    // listed file turned into a link out of the bag, an unlisted link, and
    // a listed file turned into a named pipe (opening it would block).
    check(
        &|bag| {
            let p = bag.join("data/text/0002.txt");
            fs::remove_file(&p).unwrap();
            std::os::unix::fs::symlink("/etc/passwd", &p).unwrap();
        },
        "unsafe: data/text/0002.txt: a symbolic link",
    );
    check(
        &|bag| std::os::unix::fs::symlink("/etc/hostname", bag.join("data/extra")).unwrap(),
        "unsafe: data/extra: a symbolic link",
    );
    check(
        &|bag| {
            let p = bag.join("data/text/0001.txt");
            fs::remove_file(&p).unwrap();
            let made = std::process::Command::new("mkfifo")
                .arg(&p)
                .status()
                .unwrap();
            assert!(made.success());
        },
        "unsafe: data/text/0001.txt: a named pipe",
    );
    check(
        &|bag| {
            fs::rename(
                bag.join("data/alto/0001.xml"),
                bag.join("data/alto/0009.xml"),
            )
            .unwrap()
        },
        "unexpected: data/alto/0009.xml",
    );
}

#[test]
fn same_input_gives_byte_identical_bags() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("again");
    let batch = samples().join("batch");
    let (code, err) = run(&batch, &out, &["--jobs", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert_same_bags(sample_out(), &out);
}

/// With room for one page's pixels at a time (`run.pixels_in_flight = 1`),
/// four jobs never have two pages in flight: the most pixels held at once
/// is the largest page's, and the bags are those of an unbounded run. The
/// four threads share one engine a language (each thread kept its own).
#[test]
fn pages_wait_for_room_and_come_out_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, report) = run_samples_with(tmp.path(), "[run]\npixels_in_flight = 1\n");
    let mut largest = 0;
    let mut languages = std::collections::BTreeSet::new();
    for doc in fs::read_dir(&out).unwrap() {
        let record = doc.unwrap().path().join("data/metadata/record.json");
        let Ok(text) = fs::read_to_string(&record) else {
            continue;
        };
        let record: serde_json::Value = serde_json::from_str(&text).unwrap();
        for p in record["pages"].as_array().unwrap() {
            largest = largest.max(p["width"].as_u64().unwrap() * p["height"].as_u64().unwrap());
            languages.insert(p["language"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(report["summary"]["peak_pixels_in_flight"], largest);
    // vie, khm and vie+khm: the samples' pages need no other engine.
    assert_eq!(
        report["summary"]["engines_loaded"],
        languages.len(),
        "{languages:?}"
    );
    assert_same_bags(sample_out(), &out);
}

/// With one page read at a time (`run.pages_read_at_once = 1`), four jobs
/// still decode and package in parallel, but never read two pages at once:
/// one engine a language is ever loaded, where four threads reading at once
/// load one for each page of a language that meets another. The bags are
/// those of an unbounded run.
#[test]
fn one_page_read_at_a_time_needs_one_engine_a_language() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, report) = run_samples_with(tmp.path(), "[run]\npages_read_at_once = 1\n");
    // vie, khm and vie+khm: the samples' pages need no other engine.
    assert_eq!(report["summary"]["engines_loaded"], 3);
    assert_same_bags(sample_out(), &out);
}

/// Runs the samples with four jobs and `config` (TOML) into a folder of
/// `tmp`, which must succeed: the output folder and its report.json.
fn run_samples_with(tmp: &Path, config: &str) -> (PathBuf, serde_json::Value) {
    let path = tmp.join("config.toml");
    fs::write(&path, config).unwrap();
    let out = tmp.join("out");
    let (code, err) = run(
        &samples().join("batch"),
        &out,
        &["--jobs", "4", "--config", path.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{err}");
    let report = serde_json::from_str(&read(&out.join("report.json"))).unwrap();
    (out, report)
}
