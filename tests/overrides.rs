//! Fixing by hand: `BATCH/overrides.csv` turns a page or changes its
//! language; the next run redoes that document and only it, keeps the old
//! bag, and records the decision with its note.

mod common;

use common::*;
use std::fs;

#[test]
fn an_override_redoes_only_its_document() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    for doc in ["giay-to-xoay", "cong-bao-1930"] {
        copy_tree(&samples().join("batch").join(doc), &batch.join(doc));
    }
    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &["--lang", "vie"]);
    assert_eq!(code, Some(0), "{err}");
    let first = bag_files(&out);
    let rec = |doc: &str| -> serde_json::Value {
        serde_json::from_str(&read(&out.join(doc).join("data/metadata/record.json"))).unwrap()
    };
    // diachi turned page 2 (stored sideways) a quarter; staff say three
    // quarters (on purpose wrong here, so that the change shows), and the
    // Khmer model for page 1. Two bad rows are named and change nothing.
    assert_eq!(rec("giay-to-xoay")["pages"][1]["orientation_degrees"], 90);
    fs::write(
        batch.join("overrides.csv"),
        "id,page,rotate,language,skip,note\n\
         giay-to-xoay,2,270,,,checked by Lan\n\
         giay-to-xoay,1,,khm,,test of the language column\n\
         nowhere,1,90,,,\n\
         cong-bao-1930,1,45,,,\n",
    )
    .unwrap();
    let (code, err) = run(&batch, &out, &["--lang", "vie"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("1 packaged, 1 already done"), "{err}");
    assert!(
        err.contains("overrides.csv line 4: no document 'nowhere'"),
        "{err}"
    );
    assert!(err.contains("overrides.csv line 5: rotate '45'"), "{err}");

    // The other bag is untouched, byte for byte.
    let second = bag_files(&out);
    for (path, bytes) in &first {
        if path.starts_with("cong-bao-1930") {
            assert_eq!(second.get(path), Some(bytes), "{}", path.display());
        }
    }
    // The redone page was turned as staff said, and says so.
    let r = rec("giay-to-xoay");
    let p2 = &r["pages"][1];
    assert_eq!(p2["orientation_degrees"], 270, "{p2}");
    assert_eq!(p2["by_hand"]["rotate"], 270);
    assert_eq!(p2["by_hand"]["note"], "checked by Lan");
    assert_eq!(r["pages"][0]["language"], "khm");
    assert_eq!(r["pages"][0]["by_hand"]["language"], "khm");
    assert!(r["overrides_sha256"].is_string());
    let mets = read(&out.join("giay-to-xoay/data/metadata/mets.xml"));
    assert_eq!(
        mets.matches("<premis:eventType>modification</premis:eventType>")
            .count(),
        2
    );
    assert!(
        mets.contains("turned 270° clockwise; note: checked by Lan"),
        "{mets}"
    );
    validate("mets", &[out.join("giay-to-xoay/data/metadata/mets.xml")]);
    // METS does not check PREMIS inside it: the staff agent and its events
    // are validated on their own against PREMIS 3.
    let mut premis = Vec::new();
    for tag in ["premis:event", "premis:agent"] {
        let (open, close) = (format!("<{tag} "), format!("</{tag}>"));
        let mut rest = mets.as_str();
        while let Some(i) = rest.find(&open) {
            let end = rest[i..].find(&close).unwrap() + i + close.len();
            let el = rest[i..end].replacen(
                &open,
                &format!("{open}xmlns:premis=\"http://www.loc.gov/premis/v3\" "),
                1,
            );
            let f = tmp.path().join(format!("premis-{}.xml", premis.len()));
            fs::write(&f, el).unwrap();
            premis.push(f);
            rest = &rest[end..];
        }
    }
    assert!(
        mets.contains("<premis:agentName>digitization staff (overrides.csv)</premis:agentName>")
    );
    validate("premis", &premis);
    // The old bag is kept, whole, under .diachi/superseded.
    let kept: Vec<_> = fs::read_dir(out.join(".diachi/superseded/giay-to-xoay"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1);
    let old: serde_json::Value =
        serde_json::from_str(&read(&kept[0].join("data/metadata/record.json"))).unwrap();
    assert_eq!(old["pages"][1]["orientation_degrees"], 90);
    let o = diachi(&["verify", kept[0].to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let o = diachi(&["verify", out.join("giay-to-xoay").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));

    // Page 1 skipped: out of the PDF, ALTO and text, its master kept and
    // listed; the other page numbered 1 now.
    fs::write(
        batch.join("overrides.csv"),
        "id,page,rotate,language,skip,note\n\
         giay-to-xoay,1,,,yes,a duplicate of page 2\n",
    )
    .unwrap();
    let (code, err) = run(&batch, &out, &["--lang", "vie"]);
    assert_eq!(code, Some(0), "{err}");
    let r = rec("giay-to-xoay");
    assert_eq!(r["pages"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["pages"][0]["source"], "2.png");
    assert_eq!(
        r["pages"][0]["document_page"], 2,
        "numbered as overrides.csv counts"
    );
    assert_eq!(r["skipped"][0]["page"], 1);
    assert_eq!(r["skipped"][0]["source"], "1.png");
    let master = r["skipped"][0]["master"].as_str().unwrap();
    assert_eq!(
        fs::read(out.join("giay-to-xoay").join(master)).unwrap(),
        fs::read(batch.join("giay-to-xoay/1.png")).unwrap(),
        "the skipped page's master is in the bag, byte for byte"
    );
    assert!(!out.join("giay-to-xoay/data/text/0002.txt").exists());
    let mets = read(&out.join("giay-to-xoay/data/metadata/mets.xml"));
    assert!(
        mets.contains("MASTER_SKIPPED_0001") && mets.contains("a duplicate of page 2"),
        "{mets}"
    );
    validate("mets", &[out.join("giay-to-xoay/data/metadata/mets.xml")]);
    let o = diachi(&["verify", out.join("giay-to-xoay").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(
        fs::read_dir(out.join(".diachi/superseded/giay-to-xoay"))
            .unwrap()
            .count(),
        2,
        "two old bags from one batch timestamp, kept side by side"
    );

    // Nothing changed since: nothing is redone.
    let (code, err) = run(&batch, &out, &["--lang", "vie"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("0 packaged, 2 already done"), "{err}");
}
