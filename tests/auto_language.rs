//! `--lang auto`: each page is read in the language found on it, and comes
//! out as well as with the right language given by hand.

mod common;

use common::*;
use std::path::Path;

#[test]
fn auto_finds_each_pages_language_and_matches_manual_accuracy() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    for doc in DOCS {
        copy_tree(&samples().join("batch").join(doc), &batch.join(doc));
    }
    // No batch.csv: nothing tells diachi the languages.
    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &["--lang", "auto"]);
    assert_eq!(code, Some(0), "{err}");
    let expected = [
        ("can-tho-1925", vec!["vie", "vie", "vie"], vec!["vie"]),
        ("wat-khleang", vec!["khm", "khm"], vec!["khm"]),
        ("song-ngu", vec!["vie+khm"], vec!["vie", "khm"]),
        ("cong-bao-1930", vec!["vie"], vec!["vie"]),
        ("giay-to-xoay", vec!["vie", "vie"], vec!["vie"]),
    ];
    for (doc, pages, doc_langs) in expected {
        let rec: serde_json::Value =
            serde_json::from_str(&read(&out.join(doc).join("data/metadata/record.json"))).unwrap();
        let found: Vec<&str> = rec["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["language"].as_str().unwrap())
            .collect();
        assert_eq!(found, pages, "{doc}");
        assert_eq!(rec["language"], serde_json::json!(doc_langs), "{doc}");
        // Same accuracy as the manual run (sample_out, languages from batch.csv).
        let text = |root: &Path| -> String {
            rec["pages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| read(&root.join(doc).join(p["text"].as_str().unwrap())))
                .collect()
        };
        let mut gt = String::new();
        for p in rec["pages"].as_array().unwrap() {
            gt += &common::groundtruth(doc, p);
        }
        let (auto, manual) = (cer(&text(&out), &gt), cer(&text(sample_out()), &gt));
        assert!(
            auto <= manual + 0.005,
            "{doc}: auto CER {auto:.4}, manual {manual:.4}"
        );
    }
}
