//! Per-stage CPU cost of one page, to see what diachi adds to the OCR.
//! `cargo run --release -p workers --example stage_times PAGE [LANG]`

use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = Path::new(&args[1]);
    let lang = args.get(2).map_or("vie", String::as_str);
    let mut t = Instant::now();
    let mut lap = |name: &str| {
        println!("{name:>12}: {:7.1} ms", t.elapsed().as_secs_f64() * 1000.0);
        t = Instant::now();
    };
    let bytes = std::fs::read(path).unwrap();
    let digest = workers::fixity::sha256_hex(&bytes);
    lap("read+sha256");
    let r = workers::raster::decode(path, &bytes, 1 << 30, 300.0).unwrap();
    lap("decode");
    let skew = workers::deskew::estimate(&r.gray, 15.0);
    lap("skew");
    let d = workers::deskew::deskew(r.gray.clone(), r.color.clone(), 15.0, 0.1);
    lap("deskew(all)");
    let tess = workers::ocr::find_tessdata().unwrap();
    let engine = workers::ocr::Engine::new(&tess, lang, 6).unwrap();
    lap("engine init");
    let text = engine.recognize(&d.gray, 300).unwrap();
    lap("ocr");
    let both = workers::ocr::Engine::new(&tess, "vie+khm", 6).unwrap();
    lap("init vie+khm");
    let _ = workers::script::detect(&d.gray, 300, &both).unwrap();
    lap("detect (cold)");
    let found = workers::script::detect(&d.gray, 300, &both).unwrap();
    lap("detect");
    let _ = both.recognize(&d.gray, 300).unwrap();
    lap("page vie+khm psm7?");
    println!(
        "lines {:?} -> {found:?} otsu {}",
        workers::script::text_lines(&d.gray),
        workers::deskew::otsu(&d.gray)
    );
    let img = workers::pdfa::encode_page_image(&d.gray, d.color.as_ref(), 80, 300).unwrap();
    lap("jpeg");
    let th = image::imageops::thumbnail(&d.gray, 169, 240);
    lap("thumbnail");
    println!(
        "{digest} skew {:.3} words {} jpeg {} B thumb {}x{}",
        skew,
        text.words().count(),
        img.data.len(),
        th.width(),
        th.height()
    );
}
