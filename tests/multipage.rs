//! A multi-page TIFF is a run of pages: every page read in file order, the
//! one file the master of all of them, byte for byte, each page's own
//! resolution, and a bad page named with its file and page number.

mod common;

use common::{read, run, samples};
use std::fs;
use std::path::Path;
use tiff::encoder::{colortype, Rational, TiffEncoder};
use tiff::tags::{ResolutionUnit, Tag};

/// The gray pixels of a sample page.
fn gray(path: &str) -> image::GrayImage {
    image::open(samples().join("batch").join(path))
        .unwrap()
        .to_luma8()
}

/// A TIFF of `pages`, each with its resolution (dpi).
fn multipage(path: &Path, pages: &[(&image::GrayImage, u32)]) {
    let mut enc = TiffEncoder::new(fs::File::create(path).unwrap()).unwrap();
    for (img, dpi) in pages {
        let mut page = enc
            .new_image::<colortype::Gray8>(img.width(), img.height())
            .unwrap();
        page.resolution(ResolutionUnit::Inch, Rational { n: *dpi, d: 1 });
        page.encoder()
            .write_tag(Tag::Software, "diachi test")
            .unwrap();
        page.write_data(img.as_raw()).unwrap();
    }
}

#[test]
fn every_page_of_a_multipage_tiff_is_read_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(batch.join("book")).unwrap();
    let (p1, p2) = (gray("can-tho-1925/2.png"), gray("cong-bao-1930/1.tif"));
    let file = batch.join("book/scan.tif");
    multipage(&file, &[(&p1, 300), (&p2, 345)]);
    fs::write(batch.join("batch.csv"), "id,language\nbook,vie\n").unwrap();
    let (bag, rec) = common::run_doc(&batch, &tmp.path().join("out"), "book", &[]);
    let pages = rec["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 2, "{rec}");
    for (i, p) in pages.iter().enumerate() {
        assert_eq!(p["tiff_page"]["number"], i + 1, "{p}");
        assert_eq!(p["master"], "data/masters/0001.tif");
        assert_eq!(p["source"], "scan.tif");
    }
    assert_eq!(
        (pages[0]["dpi"].as_f64(), pages[1]["dpi"].as_f64()),
        (Some(300.0), Some(345.0))
    );
    assert_eq!(
        (pages[0]["width"].as_u64(), pages[1]["width"].as_u64()),
        (Some(p1.width() as u64), Some(p2.width() as u64))
    );
    assert_eq!(
        fs::read(bag.join("data/masters/0001.tif")).unwrap(),
        fs::read(&file).unwrap()
    );
    assert_eq!(fs::read_dir(bag.join("data/masters")).unwrap().count(), 1);
    // Each page's text is that page's.
    for (n, phrase, other) in [
        (1, "Chợ nổi Cái Răng", "SÓC TRĂNG"),
        (2, "SÓC TRĂNG", "Chợ nổi"),
    ] {
        let text = read(&bag.join(format!("data/text/{n:04}.txt")));
        assert!(
            text.contains(phrase) && !text.contains(other),
            "page {n}:\n{text}"
        );
    }
    // METS: one master file, each page pointing at its IFD in it; valid.
    let mets = read(&bag.join("data/metadata/mets.xml"));
    assert_eq!(mets.matches("<mets:file ID=\"MASTER_").count(), 1, "{mets}");
    assert_eq!(mets.matches("BETYPE=\"BYTE\"").count(), 2, "{mets}");
    common::validate("mets", &[bag.join("data/metadata/mets.xml")]);
}

#[test]
fn a_bad_page_of_a_multipage_tiff_is_named_with_its_number() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(batch.join("book")).unwrap();
    let p1 = gray("can-tho-1925/2.png");
    let big = image::GrayImage::from_pixel(3000, 3000, image::Luma([255]));
    multipage(&batch.join("book/scan.tif"), &[(&p1, 300), (&big, 300)]);
    fs::write(batch.join("batch.csv"), "id,language\nbook,vie\n").unwrap();
    let config = tmp.path().join("small.toml");
    fs::write(&config, "[raster]\nmax_pixels = 5000000\n").unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &["--config", config.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("FAILED book"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("scan.tif") && line.contains("page 2: image is 3000x3000 pixels"),
        "{line}"
    );
}
