//! Prints what the sideways check reads on a page, as it is and turned a
//! quarter: `cargo run --release -p tools --bin sideways_probe -- -- IMG LANG`
use workers::page::Engines;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let gray = tools::decode(&a[1]).gray;
    let mut engines = tools::engines();
    let e = engines.get(&a[2], 6).unwrap();
    let straight = |g: &image::GrayImage| {
        let s = workers::deskew::estimate(g, 15.0);
        workers::deskew::rotate(g, s, image::Luma([255]))
    };
    for (name, g) in [
        ("as is", straight(&gray)),
        ("quarter", straight(&image::imageops::rotate90(&gray))),
    ] {
        for (half, img) in [(0, g.clone()), (180, image::imageops::rotate180(&g))] {
            let Some(sheet) = workers::script::sample_sheet(&img, workers::script::SIDEWAYS_SAMPLE)
            else {
                continue;
            };
            let t = e.recognize(&sheet.image, 300).unwrap();
            let heights: Vec<u32> = sheet.bands.iter().map(|(a, b)| b - a).collect();
            println!(
                "{name} +{half}: sheet {}x{}, segment heights {heights:?}: conf {:?} words {} | {}",
                sheet.image.width(),
                sheet.image.height(),
                t.mean_confidence(),
                t.words().count(),
                t.plain_text().replace('\n', " / ")
            );
        }
    }
}
