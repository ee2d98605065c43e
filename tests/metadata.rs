//! Preservation metadata and catalog records: valid against the official
//! schemas (../shared/schemas), and saying the right things.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};

fn each_doc(file: &str) -> Vec<PathBuf> {
    DOCS.iter()
        .map(|d| sample_out().join(d).join(file))
        .collect()
}

/// The text of every `<tag ...>...</tag>` in `xml`.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag} "), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let end = rest[i..].find(&close).expect("closed") + i + close.len();
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

fn attr<'a>(element: &'a str, name: &str) -> &'a str {
    let key = format!(" {name}=\"");
    let i = element
        .find(&key)
        .unwrap_or_else(|| panic!("{name} in {element}"))
        + key.len();
    &element[i..i + element[i..].find('"').unwrap()]
}

#[test]
fn mets_and_dc_validate() {
    validate("mets", &each_doc("data/metadata/mets.xml"));
    validate("oai_dc", &each_doc("data/metadata/dc.xml"));
}

/// PREMIS inside METS is not checked by the METS schema (xmlData is lax):
/// each event and agent is validated on its own against PREMIS 3.
#[test]
fn premis_events_and_agents_validate() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for doc in DOCS {
        let mets = read(&sample_out().join(doc).join("data/metadata/mets.xml"));
        for tag in ["premis:event", "premis:agent"] {
            for (i, el) in elements(&mets, tag).into_iter().enumerate() {
                let standalone = el.replacen(
                    &format!("<{tag} "),
                    &format!("<{tag} xmlns:premis=\"http://www.loc.gov/premis/v3\" "),
                    1,
                );
                let f = tmp.path().join(format!("{doc}-{}-{i}.xml", &tag[7..]));
                fs::write(&f, standalone).unwrap();
                files.push(f);
            }
        }
    }
    // 11 master files (three events each: ingestion, digest, fixity) holding
    // 13 pages (two each: deskew, transcription), one derivation per
    // document, two agents; and where the Khmer network read lines, one
    // more transcription per page it read and one more agent.
    let (mut network_pages, mut network_docs) = (0, 0);
    for doc in DOCS {
        let rec = record(doc);
        let read = rec["pages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["neural_lines"].as_u64().unwrap() > 0)
            .count();
        network_pages += read;
        network_docs += usize::from(read > 0);
        assert_eq!(
            read > 0,
            rec["software"].get("khmer_network").is_some(),
            "{doc}"
        );
    }
    assert!(
        network_pages >= 2,
        "the Khmer samples were read by the network"
    );
    assert_eq!(
        files.len(),
        11 * 3 + 13 * 2 + DOCS.len() + DOCS.len() * 2 + network_pages + network_docs
    );
    validate("premis", &files);
}

#[test]
fn mets_lists_every_file_with_the_bag_checksum() {
    for doc in DOCS {
        let bag = sample_out().join(doc);
        let mets = read(&bag.join("data/metadata/mets.xml"));
        let manifest = read(&bag.join("manifest-sha256.txt"));
        let files = elements(&mets, "mets:file");
        let rec = record(doc);
        let pages = rec["pages"].as_array().unwrap().len();
        // A file of several pages is one master.
        let masters: std::collections::BTreeSet<&str> = rec["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["master"].as_str().unwrap())
            .collect();
        assert_eq!(
            files.len(),
            masters.len() + pages * 2 + 1,
            "{doc}: masters, ALTO, text and the PDF"
        );
        for f in files {
            let href = attr(f, "xlink:href");
            let in_bag = format!("data/{}", href.trim_start_matches("../"));
            let line = format!("{}  {in_bag}", attr(f, "CHECKSUM"));
            assert!(
                manifest.contains(&line),
                "{doc}: {line} not in the manifest"
            );
            assert_eq!(attr(f, "CHECKSUMTYPE"), "SHA-256");
            let size = fs::metadata(bag.join(&in_bag)).unwrap().len();
            assert_eq!(attr(f, "SIZE"), size.to_string());
        }
        // One physical div per page, each pointing at its master, ALTO and text.
        assert_eq!(mets.matches("<mets:div TYPE=\"page\"").count(), pages);
        let recs = rec["pages"].as_array().unwrap();
        for n in 1..=pages {
            for kind in ["ALTO", "TEXT"] {
                assert!(
                    mets.contains(&format!("<mets:fptr FILEID=\"{kind}_{n:04}\"/>")),
                    "{doc} {kind} {n}"
                );
            }
            // A page of a file of several points at the file, from where
            // the page starts in it; the file is listed once, as the
            // master of its first page.
            let p = &recs[n - 1];
            let offset = p["pdf_page"]["offset"]
                .as_u64()
                .or(p["tiff_page"]["ifd_offset"].as_u64());
            let owner = 1 + recs
                .iter()
                .position(|q| q["master"] == p["master"])
                .unwrap();
            let pointer = match offset {
                Some(o) => format!(
                    "<mets:area FILEID=\"MASTER_{owner:04}\" BETYPE=\"BYTE\" BEGIN=\"{o}\"/>"
                ),
                None => format!("<mets:fptr FILEID=\"MASTER_{n:04}\"/>"),
            };
            assert!(mets.contains(&pointer), "{doc} page {n}: {pointer}");
        }
        // Events: each master file ingested, digested and fixity-checked
        // once; each page deskewed and transcribed, and transcribed again
        // where the Khmer network read some of its lines.
        let by_network = recs
            .iter()
            .filter(|p| p["neural_lines"].as_u64().unwrap() > 0)
            .count();
        for (kind, count) in [
            ("ingestion", masters.len()),
            ("message digest calculation", masters.len()),
            ("fixity check", masters.len()),
            ("deskew", pages),
            ("transcription", pages + by_network),
        ] {
            assert_eq!(
                mets.matches(&format!("<premis:eventType>{kind}</premis:eventType>"))
                    .count(),
                count,
                "{doc}: {kind}"
            );
        }
        assert_eq!(
            mets.matches("<premis:eventType>derivation</premis:eventType>")
                .count(),
            1
        );
        assert!(mets.contains("<premis:eventDateTime>2023-11-14T22:13:20Z</premis:eventDateTime>"));
        assert_eq!(mets.matches("<mets:techMD ").count(), masters.len());
        assert!(
            mets.contains("<mix:xSamplingFrequency>"),
            "{doc}: resolution in MIX"
        );
    }
}

#[test]
fn dublin_core_carries_derived_fields() {
    let dc = read(&sample_out().join("song-ngu/data/metadata/dc.xml"));
    for expected in [
        "<dc:title>Chùa Khmer ở Sóc Trăng</dc:title>",
        "<dc:identifier>song-ngu</dc:identifier>",
        "<dc:identifier>DC-ST-2005-003</dc:identifier>",
        "<dc:format>application/pdf</dc:format>",
        "<dc:format>1 page</dc:format>",
        "<dc:language>vie</dc:language>",
        "<dc:language>khm</dc:language>",
        "<dc:creator>Thạch Sơn</dc:creator>",
    ] {
        assert!(dc.contains(expected), "{expected} in\n{dc}");
    }
}

fn catalog_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for doc in DOCS {
        copy_tree(&sample_out().join(doc), &out.join(doc));
    }
    (tmp, out)
}

fn catalog(out: &Path, format: &str) {
    let o = diachi(&["catalog", out.to_str().unwrap(), "--format", format]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn catalog_marcxml() {
    let (_tmp, out) = catalog_copy();
    catalog(&out, "marcxml");
    let file = out.join("catalog.marcxml");
    validate("marcxml", std::slice::from_ref(&file));
    let xml = read(&file);
    let spaced = xml
        .replace("<record>", "<record >")
        .replace("<leader>", "<leader >");
    let records = elements(&spaced, "record");
    assert_eq!(records.len(), DOCS.len());
    let leaders: Vec<&str> = elements(&spaced, "leader");
    for l in leaders {
        let value = &l["<leader >".len()..l.len() - "</leader>".len()];
        assert_eq!(
            value.chars().nth(9),
            Some('a'),
            "leader/09 = a (UCS): {value}"
        );
    }
    let ct = records
        .iter()
        .find(|r| r.contains(">can-tho-1925<"))
        .unwrap();
    assert!(
        ct.contains("<subfield code=\"a\">Địa chí tỉnh Cần Thơ</subfield>"),
        "{ct}"
    );
    assert!(
        ct.contains("tag=\"008\">231114s1925    vm      o     000 0 vie d<"),
        "{ct}"
    );
    assert!(ct.contains("<subfield code=\"a\">1 online resource (3 pages)</subfield>"));
    assert!(ct.contains("<subfield code=\"u\">can-tho-1925/data/can-tho-1925.pdf</subfield>"));
    assert!(ct.contains("<datafield tag=\"264\" ind1=\" \" ind2=\"1\">"));
    assert!(
        ct.contains("<subfield code=\"b\">Imprimerie de l&apos;Ouest</subfield>")
            || ct.contains("Imprimerie de l'Ouest")
    );
    assert!(ct.contains("tag=\"650\"") && ct.contains("tag=\"651\"") && ct.contains("tag=\"520\""));
    let sn = records.iter().find(|r| r.contains(">song-ngu<")).unwrap();
    let f041 = elements(sn, "datafield")
        .into_iter()
        .find(|d| attr(d, "tag") == "041")
        .unwrap();
    let codes: Vec<&str> = elements(f041, "subfield")
        .iter()
        .map(|s| &s[s.find('>').unwrap() + 1..s.rfind('<').unwrap()])
        .collect();
    assert_eq!(codes, ["vie", "khm"], "{f041}");
    assert!(
        sn.contains("tag=\"100\"") && sn.contains("tag=\"700\""),
        "first creator 100, others 700"
    );
}

#[test]
fn catalog_oai_dc() {
    let (_tmp, out) = catalog_copy();
    catalog(&out, "oai_dc");
    let files: Vec<PathBuf> = DOCS
        .iter()
        .map(|d| out.join("catalog-oai_dc").join(format!("{d}.xml")))
        .collect();
    validate("oai_dc", &files);
    assert_eq!(
        read(&files[0]),
        read(&sample_out().join("can-tho-1925/data/metadata/dc.xml"))
    );
}

#[test]
fn catalog_csv_reads_back_field_by_field() {
    let (_tmp, out) = catalog_copy();
    catalog(&out, "csv");
    let mut r = csv::Reader::from_path(out.join("catalog.csv")).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&head[..3], ["id", "dc.title", "dc.creator"]);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), DOCS.len());
    let col = |row: &csv::StringRecord, name: &str| {
        row[head.iter().position(|h| h == name).unwrap()].to_string()
    };
    let ct = rows.iter().find(|r| &r[0] == "can-tho-1925").unwrap();
    assert_eq!(col(ct, "dc.title"), "Địa chí tỉnh Cần Thơ");
    assert_eq!(col(ct, "dc.subject"), "Địa chí||Lịch sử");
    assert_eq!(col(ct, "dc.format.extent"), "3 pages");
    assert_eq!(col(ct, "dc.identifier"), "can-tho-1925||DC-CT-1925-001");
    assert_eq!(
        col(ct, "dc.description"),
        "Địa chí hành chính, dân cư và kinh tế tỉnh Cần Thơ đầu thế kỷ XX (mẫu dựng lại)."
    );
    assert_eq!(col(ct, "pdf"), "can-tho-1925/data/can-tho-1925.pdf");
    assert_eq!(col(ct, "dc.relation.ispartof"), "Địa chí Cần Thơ");
    let sn = rows.iter().find(|r| &r[0] == "song-ngu").unwrap();
    assert_eq!(col(sn, "dc.language.iso"), "vie||khm");
    assert_eq!(col(sn, "dc.creator"), "Nguyễn Văn A||Thạch Sơn");
}

/// Titles with markup characters, quotes, control characters, zero-width and
/// right-to-left marks still give valid XML everywhere.
#[test]
fn hostile_metadata_still_gives_valid_xml() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(batch.join("x")).unwrap();
    fs::copy(
        samples().join("batch/song-ngu/p1.tif"),
        batch.join("x/1.tif"),
    )
    .unwrap();
    let title = "A <b>&amp; \"quoted\" 'single' \u{1}\u{8}bell\u{7} zero\u{200B}width \u{202E}rtl\u{202C} ]]> end";
    let mut csv = csv::Writer::from_path(batch.join("batch.csv")).unwrap();
    csv.write_record(["id", "title", "creator", "description", "language"])
        .unwrap();
    csv.write_record(["x", title, "Lê <Văn> & Co", "line one\nline two", "vie"])
        .unwrap();
    csv.flush().unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &[]);
    assert_eq!(code, Some(0), "{err}");
    validate("mets", &[out.join("x/data/metadata/mets.xml")]);
    validate("oai_dc", &[out.join("x/data/metadata/dc.xml")]);
    validate("alto", &[out.join("x/data/alto/0001.xml")]);
    catalog(&out, "marcxml");
    validate("marcxml", &[out.join("catalog.marcxml")]);
    let dc = read(&out.join("x/data/metadata/dc.xml"));
    assert!(
        dc.contains("<dc:title>A &lt;b&gt;&amp;amp; &quot;quoted&quot; &apos;single&apos; bell zero\u{200B}width \u{202E}rtl\u{202C} ]]&gt; end</dc:title>")
            || dc.contains("<dc:title>A &lt;b&gt;&amp;amp; &quot;quoted&quot; 'single' bell zero\u{200B}width \u{202E}rtl\u{202C} ]]&gt; end</dc:title>"),
        "{dc}"
    );
    let pdf = fs::read(out.join("x/data/x.pdf")).unwrap();
    assert!(
        String::from_utf8_lossy(&pdf).contains("A &lt;b&gt;&amp;amp; &quot;quoted&quot;"),
        "XMP title escaped"
    );
    let bag_ok = diachi(&["verify", out.join("x").to_str().unwrap()]);
    assert!(bag_ok.status.success());
}

/// MIX describes each master as it is, not the PDF's derivative: the 1-bit
/// scan is black-is-zero (it was called RGB when the colour came from the
/// PDF image), a colour master RGB, a gray one black-is-zero.
#[test]
fn mix_colour_space_is_the_masters() {
    let mut seen = std::collections::BTreeSet::new();
    for doc in DOCS {
        let bag = sample_out().join(doc);
        let mets = read(&bag.join("data/metadata/mets.xml"));
        let spaces: Vec<&str> = mets
            .split("<mix:colorSpace>")
            .skip(1)
            .map(|e| e.split('<').next().unwrap())
            .collect();
        let rec = record(doc);
        let pages = rec["pages"].as_array().unwrap();
        // One MIX a master file, describing its first page.
        let firsts: Vec<&serde_json::Value> = pages
            .iter()
            .enumerate()
            .filter(|(i, p)| pages[..*i].iter().all(|q| q["master"] != p["master"]))
            .map(|(_, p)| p)
            .collect();
        assert_eq!(spaces.len(), firsts.len(), "{doc}");
        for (p, space) in firsts.into_iter().zip(spaces) {
            let path = bag.join(p["master"].as_str().unwrap());
            let Ok(master) = image::open(&path) else {
                // A PDF master: the image of its first page.
                assert_eq!(path.extension().unwrap(), "pdf");
                let bytes = fs::read(&path).unwrap();
                let pdf = workers::scanpdf::ScannerPdf::open(&path, &bytes).unwrap();
                let first = pdf.pages()[0];
                let page = pdf
                    .decode(
                        &path,
                        first,
                        u64::MAX,
                        workers::scanpdf::PagesWithText::Refuse,
                    )
                    .unwrap();
                let want = if page.color.is_some() {
                    "RGB"
                } else {
                    "BlackIsZero"
                };
                assert_eq!(space, want, "{doc} {}", p["source"]);
                seen.insert((doc, space.to_string()));
                continue;
            };
            let colour = master.color().has_color()
                && master
                    .to_rgb8()
                    .pixels()
                    .any(|px| px[0] != px[1] || px[1] != px[2]);
            let want = if colour { "RGB" } else { "BlackIsZero" };
            assert_eq!(space, want, "{doc} {}", p["source"]);
            seen.insert((doc, space.to_string()));
        }
    }
    assert!(
        seen.contains(&("cong-bao-1930", "BlackIsZero".to_string())),
        "{seen:?}"
    );
}
