//! A two-column page (a newspaper, a gazetteer) is read column by column,
//! never flattened into lines that run across the gutter.

mod common;

use common::*;
use std::fs;

#[test]
fn two_columns_are_read_in_order() {
    // Two sample pages' text side by side on one wide page.
    let left = image::open(samples().join("batch/can-tho-1925/1.tif"))
        .unwrap()
        .to_luma8();
    let right = image::open(samples().join("batch/cong-bao-1930/1.tif"))
        .unwrap()
        .to_luma8();
    let (cw, ch) = (1470u32, 1000u32);
    let mut page = image::GrayImage::from_pixel(2 * cw + 60, ch, image::Luma([255]));
    image::imageops::replace(
        &mut page,
        &image::imageops::crop_imm(&left, 150, 150, cw, ch).to_image(),
        0,
        0,
    );
    image::imageops::replace(
        &mut page,
        &image::imageops::crop_imm(&right, 150, 150, cw, ch).to_image(),
        i64::from(cw) + 60,
        0,
    );
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(batch.join("newspaper")).unwrap();
    page.save(batch.join("newspaper/1.png")).unwrap();
    let out = tmp.path().join("out");
    let (code, err) = run(&batch, &out, &["--lang", "vie"]);
    assert_eq!(code, Some(0), "{err}");
    let text = read(&out.join("newspaper/data/text/0001.txt"));
    let folded = fold(&text);
    // Left column first, whole; then the right column.
    let a = folded
        .find("ĐỊA CHÍ TỈNH CẦN THƠ")
        .expect("left column title");
    let b = folded
        .find("Vùng đất Cần Thơ nằm ở hữu ngạn sông Hậu")
        .expect("a left line, whole");
    let c = folded.find("CÔNG BÁO").expect("right column title");
    let d = folded
        .find("Mỹ Thanh trước mùa nước nổi")
        .expect("a right line, whole");
    assert!(a < b && b < c && c < d, "reading order:\n{text}");
    // No line mixes the two columns.
    for line in text.lines() {
        assert!(
            !(line.contains("Cần Thơ") && line.contains("Sóc Trăng")),
            "flattened: {line}"
        );
    }
}
