//! The neural Khmer line recognizer (`ocr.khmer_engine`, issue #20) on
//! real Khmer captures (../shared/realdev): it reads them better than
//! Tesseract alone, the records name it, and its absence is a notice, not
//! an error.

mod common;

use common::{cer, read, run, validate};
use std::fs;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;

fn realdev() -> PathBuf {
    common::root().join("../shared/realdev")
}

/// The realdev notice (a page) and headline (a line crop), one document
/// each, read as Khmer.
fn khmer_batch(root: &Path) -> PathBuf {
    let batch = root.join("batch");
    for id in ["khm_phonsobon_1", "khm_seanghay_1"] {
        fs::create_dir_all(batch.join(id)).unwrap();
        fs::copy(
            realdev().join(format!("{id}.jpg")),
            batch.join(id).join("1.jpg"),
        )
        .unwrap();
    }
    fs::write(
        batch.join("batch.csv"),
        "id,language\nkhm_phonsobon_1,khm\nkhm_seanghay_1,khm\n",
    )
    .unwrap();
    batch
}

fn settings(root: &Path, name: &str, toml: &str) -> PathBuf {
    let path = root.join(name);
    fs::write(&path, toml).unwrap();
    path
}

/// realdev's CER of a document's text.
fn realdev_cer(out: &Path, id: &str) -> f64 {
    let norm = |s: &str| s.nfc().filter(|&c| c != '\u{200B}').collect::<String>();
    let gt = read(&realdev().join(format!("{id}.gt.txt")));
    cer(
        &norm(&read(&out.join(id).join("data/text/0001.txt"))),
        &norm(&gt),
    )
}

fn record(out: &Path, id: &str) -> serde_json::Value {
    serde_json::from_str(&read(&out.join(id).join("data/metadata/record.json"))).unwrap()
}

/// With the network (the default where it is installed, as the README's
/// commands install it), the notice and the headline read better than
/// with Tesseract alone, by what bench/real.py measured: the notice 0.049
/// to 0.028, the headline 0.133 to 0. The records say which lines the
/// network read, and name it with its digest; ALTO and METS stay valid,
/// and the network's words lie in their lines.
#[test]
fn the_network_reads_real_khmer_better_and_the_records_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let batch = khmer_batch(dir.path());
    let net = dir.path().join("net");
    let (code, stderr) = run(&batch, &net, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let alone = dir.path().join("alone");
    let tesseract = settings(
        dir.path(),
        "t.toml",
        "[ocr]\nkhmer_engine = \"tesseract\"\n",
    );
    let (code, stderr) = run(&batch, &alone, &["--config", tesseract.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");

    for (id, with_net, without) in [
        ("khm_phonsobon_1", 0.028, 0.049),
        ("khm_seanghay_1", 0.0, 0.133),
    ] {
        let (n, t) = (realdev_cer(&net, id), realdev_cer(&alone, id));
        assert!(n <= with_net + 0.005, "{id}: CER {n:.3} with the network");
        assert!(
            t >= without - 0.005,
            "{id}: CER {t:.3} with Tesseract alone"
        );
        assert!(n < t, "{id}: {n:.3} not better than {t:.3}");
    }
    // Latin names stay Tesseract's (read again in Latin), not the
    // network's digits.
    let notice = read(&net.join("khm_phonsobon_1/data/text/0001.txt"));
    for latin in ["(UNESCO)", "(UNICEF)", "Plug and Play", "www.mptc.gov.kh"] {
        assert!(notice.contains(latin), "{latin} not read:\n{notice}");
    }

    let rec = record(&net, "khm_phonsobon_1");
    let lines = rec["pages"][0]["neural_lines"].as_u64().unwrap();
    assert!(lines >= 10, "{}", rec["pages"][0]);
    assert_eq!(
        rec["software"]["khmer_network"],
        serde_json::json!({
            "engine": "khmer-ocr-ocm",
            "version": "0.1.0",
            "sha256": "6e5a2d6adfb4f23b53aa2e6cb1eab9b1c81726e00f920ef0c9965771d7b024ca"
        })
    );
    let alto = net.join("khm_phonsobon_1/data/alto/0001.xml");
    let mets = net.join("khm_phonsobon_1/data/metadata/mets.xml");
    let alto_text = read(&alto);
    assert_words_in_lines(&alto_text);
    assert!(alto_text.contains("<softwareName>khmer-ocr-ocm</softwareName>"));
    assert!(alto_text.contains(&format!("the Khmer words of {lines} line(s)")));
    assert!(read(&mets).contains(
        "<premis:agentNote>Khmer line recognizer (CRNN); weights model.pth, SHA-256 6e5a2d6a"
    ));
    validate("alto", &[alto]);
    validate("mets", &[mets]);

    // The headline's upside-down check is close (3 points) either way;
    // with the network, which reads only upright lines surely, the page is
    // known upright and no longer flagged for review.
    let review = |out: &Path| -> Vec<String> {
        let report: serde_json::Value =
            serde_json::from_str(&read(&out.join("report.json"))).unwrap();
        report["review"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["document"].as_str().unwrap().to_string())
            .collect()
    };
    let line = record(&net, "khm_seanghay_1");
    assert!(line["pages"][0]["orientation_margin"].as_f64().unwrap() < 10.0);
    assert_eq!(line["pages"][0]["upright_read"], true);
    assert!(review(&net).is_empty(), "{:?}", review(&net));
    assert!(review(&alone).contains(&"khm_seanghay_1".to_string()));
    assert!(record(&alone, "khm_seanghay_1")["pages"][0]
        .get("upright_read")
        .is_none());

    // Tesseract alone: nothing of the network anywhere.
    let rec = record(&alone, "khm_phonsobon_1");
    assert_eq!(rec["pages"][0]["neural_lines"], 0);
    assert!(
        rec["software"].get("khmer_network").is_none(),
        "{}",
        rec["software"]
    );
    assert!(!read(&alone.join("khm_phonsobon_1/data/metadata/mets.xml")).contains("khmer-ocr-ocm"));
}

/// Every word of an ALTO page lies inside its line, in reading order: the
/// network's words are placed from its characters' time steps, and the
/// text layer and ALTO must stay aligned.
fn assert_words_in_lines(alto: &str) {
    let num = |tag: &str, name: &str| -> u32 {
        let tag = format!(" {tag}");
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let mut lines = 0;
    for line in alto.split("<TextLine ").skip(1) {
        let head = line.split('>').next().unwrap();
        let (lx, ly) = (num(head, "HPOS"), num(head, "VPOS"));
        let (lw, lh) = (num(head, "WIDTH"), num(head, "HEIGHT"));
        let mut last_x = 0;
        for word in line.split("<String ").skip(1) {
            let w = word.split('>').next().unwrap();
            let (x, y) = (num(w, "HPOS"), num(w, "VPOS"));
            let (ww, wh) = (num(w, "WIDTH"), num(w, "HEIGHT"));
            assert!(x >= lx && x + ww <= lx + lw, "{w} outside {head}");
            assert!(y >= ly && y + wh <= ly + lh, "{w} outside {head}");
            assert!(x >= last_x, "{w} before the word left of it");
            last_x = x;
        }
        lines += 1;
    }
    assert!(lines >= 30, "{lines} lines");
}

/// No model where `ocr.models_dir` points: the run reads Khmer with
/// Tesseract alone and says so in one line, a note with `auto` and a
/// warning with `neural`; it is never an error.
#[test]
fn an_absent_model_is_a_notice_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let batch = khmer_batch(dir.path());
    let empty = dir.path().join("no-models");
    fs::create_dir_all(&empty).unwrap();
    for (engine, prefix) in [("auto", "note: "), ("neural", "warning: ")] {
        let config = settings(
            dir.path(),
            &format!("{engine}.toml"),
            &format!(
                "[ocr]\nkhmer_engine = \"{engine}\"\nmodels_dir = \"{}\"\n",
                empty.display()
            ),
        );
        let out = dir.path().join(engine);
        let (code, stderr) = run(&batch, &out, &["--config", config.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{stderr}");
        let said: Vec<&str> = stderr.lines().filter(|l| l.contains("model.pth")).collect();
        assert_eq!(said.len(), 1, "{stderr}");
        assert!(
            said[0].starts_with(prefix)
                && said[0].contains("Khmer is read by Tesseract alone")
                && said[0].contains("not found"),
            "{stderr}"
        );
        let rec = record(&out, "khm_seanghay_1");
        assert_eq!(rec["pages"][0]["neural_lines"], 0);
        assert!(rec["software"].get("khmer_network").is_none());
        assert!(realdev_cer(&out, "khm_seanghay_1") > 0.1);
    }
}
