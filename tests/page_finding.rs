//! Page finding on a capture with known geometry: a real scan
//! (../shared/realdev/vie_namnqd_5, which has ground truth) placed on a dark
//! textured table with a thumb over its edge, as a phone photo or an open
//! scanner lid shows a page. The page must be found within a few pixels,
//! the table and thumb must leave nothing in the text, and the page must
//! read as well as the scan itself (CER 0.020, tests/real_captures.rs).

mod common;

use common::{cer, read, run};
use image::{Rgb, RgbImage};
use std::fs;
use unicode_normalization::UnicodeNormalization;

/// Where the scan is placed on the table, pixels.
const AT: (u32, u32) = (150, 190);

/// A table of dark wood grain, the scan on it, and a thumb over the scan's
/// left edge.
fn composite() -> (RgbImage, (u32, u32)) {
    let scan = image::open(common::root().join("../shared/realdev/vie_namnqd_5.jpg"))
        .unwrap()
        .to_rgb8();
    let (sw, sh) = scan.dimensions();
    let (w, h) = (sw + 2 * AT.0 + 40, sh + 2 * AT.1 + 30);
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let grain = ((x / 3 + y * 7 / 5) % 29) as u8 + ((x * y) % 7) as u8;
        Rgb([70 + grain, 45 + grain / 2, 30 + grain / 3])
    });
    image::imageops::overlay(&mut img, &scan, AT.0 as i64, AT.1 as i64);
    let (cx, cy) = (AT.0 as f32 - 30.0, AT.1 as f32 + sh as f32 * 0.6);
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = ((x as f32 - cx) / 170.0, (y as f32 - cy) / 110.0);
            if dx * dx + dy * dy < 1.0 {
                img.put_pixel(x, y, Rgb([176, 128, 112]));
            }
        }
    }
    (img, (sw, sh))
}

#[test]
fn a_page_on_a_table_is_found_and_reads_as_the_scan_does() {
    let dir = tempfile::tempdir().unwrap();
    let batch = dir.path().join("batch");
    fs::create_dir_all(batch.join("photo")).unwrap();
    let (img, (sw, sh)) = composite();
    img.save(batch.join("photo/page.png")).unwrap();
    fs::write(batch.join("batch.csv"), "id,language\nphoto,vie\n").unwrap();
    let out = dir.path().join("out");
    let (code, stderr) = run(&batch, &out, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let rec: serde_json::Value =
        serde_json::from_str(&read(&out.join("photo/data/metadata/record.json"))).unwrap();
    let page = &rec["pages"][0];
    let crop = &page["page_crop"];
    let get = |k: &str| crop[k].as_u64().unwrap_or_else(|| panic!("{page}")) as i64;
    // The box holds the scan, with at most a few pixels of table around it.
    for (edge, found, truth) in [
        ("left", get("x"), AT.0 as i64),
        ("top", get("y"), AT.1 as i64),
        ("right", get("x") + get("width"), (AT.0 + sw) as i64),
        ("bottom", get("y") + get("height"), (AT.1 + sh) as i64),
    ] {
        assert!(
            (found - truth).abs() <= 8,
            "{edge}: {found} for {truth}: {page}"
        );
    }
    // The prepared page (the PDF image, the ALTO coordinates) is the box,
    // give or take the corners a deskew adds.
    for (prepared, cropped) in [("prepared_width", "width"), ("prepared_height", "height")] {
        let (p, c) = (page[prepared].as_i64().unwrap(), get(cropped));
        assert!(
            p >= c && p <= c + c / 100,
            "{prepared} {p} for a box of {c}: {page}"
        );
    }
    // The thumb is masked: a real share of the box, not most of it.
    let masked = crop["masked"].as_f64().unwrap();
    assert!(masked > 0.002 && masked < 0.05, "{page}");
    let gt = read(&common::root().join("../shared/realdev/vie_namnqd_5.gt.txt"));
    let text = read(&out.join("photo/data/text/0001.txt"));
    let norm = |s: &str| s.nfc().collect::<String>();
    let c = cer(&norm(&text), &norm(&gt));
    assert!(c <= 0.025, "CER {c:.3}\n{text}");
}
